"""The literal a data file of the project holds, where the code loads it from a path known.

``config = yaml.safe_load(Path("routers.yaml").read_text())`` then ``for entry in
config["routers"]: app.include_router(import_module(entry["module"]).router,
prefix=entry["prefix"])``: the routers and prefixes are in the file, read as a literal written
in the code would be (see :func:`~.loops.literal_items`). A plain relative path is opened from
the working directory the app starts in: the backend folder (where the quickstart starts it),
else the project root; when both hold the file, the backend folder's is read and a line says
which (:attr:`~.symbols.PackageIndex.data_file`). A path built from ``__file__`` names one
file, from the module's own folder.

YAML is read by PyYAML's ``safe_load`` (installed with libcst), JSON and TOML by the standard
library; a file that does not parse, holds a value no literal writes (a date, a tag's object),
or holds more than :data:`_MAX_NODES` values (aliases can make a small file a huge tree) is not
known (None), as is a path only known at run time or a file that is absent.
"""

from __future__ import annotations

import ast
import json
import os
import tomllib
from pathlib import PurePosixPath
from typing import Any

from telemetry_cli.patching.symbols import (
    PackageIndex,
    Scope,
    block_statements,
    bound_once,
    call_argument,
)

#: The loaders of a data file, by qualified name, and the format each reads.
_LOADERS = {
    **dict.fromkeys(("yaml.safe_load", "yaml.load", "yaml.full_load", "yaml.unsafe_load"), "yaml"),
    **dict.fromkeys(("json.load", "json.loads"), "json"),
    **dict.fromkeys(
        ("tomllib.load", "tomllib.loads", "tomli.load", "tomli.loads", "toml.load", "toml.loads"),
        "toml",
    ),
}
#: The loaders' own names (``safe_load``), as a call may spell them before it is qualified.
_LOADER_NAMES = frozenset(name.rpartition(".")[2] for name in _LOADERS)
#: Calls that give the path they are given, or the file at it (opened, or its text).
_SAME_FILE = frozenset(
    {"open", "io.open", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "str"}
)
#: Calls that open the file at the path they are given.
_OPENS = frozenset({"open", "io.open"})
#: Methods of a path (or of a file opened) that give the file at it: opened, or its text.
_FILE_METHODS = frozenset({"read_text", "read_bytes", "open", "read"})
#: Methods of a path that give the same path, or the file at it.
_SAME_FILE_METHODS = _FILE_METHODS | {"resolve", "absolute"}
#: Deeper than this, a path's parts are taken for not known.
_MAX_DEPTH = 8
#: More values than this in a data file: not read (a list of routers holds a few dozen).
_MAX_NODES = 10_000


def data_file_literal(call: ast.Call, scope: Scope, index: PackageIndex) -> ast.expr | None:
    """The literal a data file's loader call returns, written as code; None when not known."""
    function = call.func
    called = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
    if called not in _LOADER_NAMES:
        return None  # most calls: no name to qualify
    qualified = index.qualify(function, scope)
    kind = _LOADERS.get(qualified or "")
    argument = call_argument(call, 0, "stream" if kind == "yaml" else "fp")
    if kind is None or argument is None or index.data_file is None:
        return None
    if not _gives_file(argument, scope, 0):
        # `json.loads("routers.json")`, `yaml.safe_load(path)`: a string given is the text
        # parsed, not a path to read; what it parses is no file of the project.
        return None
    path = _file_path(argument, scope, index, 0)
    found = None if path is None else index.data_file(*path)
    if found is None:
        return None
    if found.others:
        where = f"{scope.module.path}:{call.lineno}"
        index.data_file_notes[(found.path, where)] = (
            f"{where}: `{ast.unparse(argument)}` read from {found.path}, where the app starts "
            f"(the backend folder); started from the project root, it reads {found.others[0]}"
        )
    try:
        data = _parsed(kind, found.text)
        written = _written(data, [_MAX_NODES])
    except (ValueError, RecursionError):  # TOMLDecodeError and YAMLError; nesting too deep
        return None
    if written is None:
        return None
    for node in ast.walk(written):
        # Where the file is loaded: a line naming an item names the loader's.
        if isinstance(node, ast.expr):
            ast.copy_location(node, call)
    return written


def _parsed(kind: str, text: str) -> Any:
    """The data ``text`` holds in its format (ValueError when it does not parse)."""
    if kind == "json":
        return json.loads(text)
    if kind == "toml":
        return tomllib.loads(text)
    import yaml  # only for a project that loads one: 10 ms to import

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValueError(str(error)) from error


def _written(data: Any, budget: list[int]) -> ast.expr | None:
    """``data`` (what a loader returns) as a literal expression; None for any other value.

    ``budget`` holds how many more values may be written: None once it runs out.
    """
    budget[0] -= 1
    if budget[0] < 0:
        return None
    if isinstance(data, dict):
        keys: list[ast.expr | None] = []
        values: list[ast.expr] = []
        for key, value in data.items():
            written_key, written_value = _written(key, budget), _written(value, budget)
            if written_key is None or written_value is None:
                return None
            keys.append(written_key)
            values.append(written_value)
        return ast.Dict(keys=keys, values=values)
    if isinstance(data, list):
        items = [_written(item, budget) for item in data]
        if any(item is None for item in items):
            return None
        return ast.List(elts=[item for item in items if item is not None], ctx=ast.Load())
    if data is None or isinstance(data, str | int | float | bool):
        return ast.Constant(data)
    return None  # a date of TOML's or YAML's: no literal


#: A path the code names, backend-relative, and whether it is built from a module's ``__file__``
#: (else relative to the working directory the app starts in).
_Path = tuple[str, bool]


def _file_path(expression: ast.expr, scope: Scope, index: PackageIndex, depth: int) -> _Path | None:
    """The path ``expression`` names (or the file open at it), if known, and how it is anchored."""
    if depth > _MAX_DEPTH:
        return None

    def again(node: ast.expr, where: Scope = scope) -> _Path | None:
        return _file_path(node, where, index, depth + 1)

    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        normal = _normal(expression.value)
        return None if normal is None else (normal, False)
    if isinstance(expression, ast.Name):
        binding = scope.lookup(expression.id)
        if expression.id == "__file__" and binding is None:
            module = scope.module
            parts = module.name.split(".")
            return "/".join(parts) + ("/__init__.py" if module.is_package else ".py"), True
        opened = _opened_as(expression, scope)
        if opened is not None:  # `with open("routers.yaml") as stream:`
            return again(opened)
        if bound_once(binding) and binding is not None and isinstance(binding.node, ast.expr):
            return again(binding.node, binding.scope)
        return None
    if isinstance(expression, ast.Attribute) and expression.attr == "parent":
        return _parent(again(expression.value))
    if isinstance(expression, ast.BinOp) and isinstance(expression.op, ast.Div):
        return _joined(again(expression.left), [expression.right])
    if not isinstance(expression, ast.Call):
        return None
    function = expression.func
    if isinstance(function, ast.Attribute) and function.attr in _SAME_FILE_METHODS:
        return again(function.value)
    if isinstance(function, ast.Attribute) and function.attr == "joinpath":
        return _joined(again(function.value), expression.args)
    if isinstance(function, ast.Name) and scope.lookup(function.id) is None:
        qualified: str | None = function.id  # a builtin: `open`, `str`
    else:
        qualified = index.qualify(function, scope)
    if not expression.args:
        return None
    if qualified in _SAME_FILE:
        return again(expression.args[0])
    if qualified == "os.path.dirname" and len(expression.args) == 1:
        return _parent(again(expression.args[0]))
    if qualified == "os.path.join":
        return _joined(again(expression.args[0]), expression.args[1:])
    return None


def _gives_file(expression: ast.expr, scope: Scope, depth: int) -> bool:
    """Whether ``expression`` is a file (opened, or its text) rather than a path or a string.

    ``open(path)``, ``path.open()``, ``path.read_text()``, ``stream.read()``, the name a
    ``with open(path) as stream:`` around it binds, or a name bound once to one of those.
    """
    if depth > _MAX_DEPTH:
        return False
    if isinstance(expression, ast.Name):
        if _opened_as(expression, scope) is not None:
            return True
        binding = scope.lookup(expression.id)
        return (
            bound_once(binding)
            and binding is not None
            and isinstance(binding.node, ast.expr)
            and _gives_file(binding.node, binding.scope, depth + 1)
        )
    if not isinstance(expression, ast.Call):
        return False
    function = expression.func
    if isinstance(function, ast.Attribute):
        return function.attr in _FILE_METHODS
    return (
        isinstance(function, ast.Name)
        and function.id in _OPENS
        and (scope.lookup(function.id) is None)
    )


def _opened_as(name: ast.Name, scope: Scope) -> ast.expr | None:
    """What the innermost ``with <file> as <name>:`` around ``name`` in ``scope`` opens.

    Only a ``with`` of ``scope``'s own blocks (not of a function nested in it) whose body
    holds ``name``'s line: two blocks opening two files under one name each read their own.
    """
    opened = None
    body = getattr(scope.node, "body", None)
    for statement in block_statements(body if isinstance(body, list) else []):
        if not isinstance(statement, ast.With | ast.AsyncWith) or not statement.body:
            continue
        if not statement.body[0].lineno <= name.lineno <= (statement.end_lineno or 0):
            continue
        for item in statement.items:
            target = item.optional_vars
            if isinstance(target, ast.Name) and target.id == name.id:
                opened = item.context_expr  # block_statements: an inner `with` comes later
    return opened


def _normal(path: str) -> str | None:
    """``path`` with ``.`` and ``..`` resolved; None when absolute or above the backend."""
    if not path or "\0" in path or PurePosixPath(path).is_absolute():
        return None
    normal = os.path.normpath(path).replace(os.sep, "/")
    return None if normal == ".." or normal.startswith("../") else normal


def _parent(path: _Path | None) -> _Path | None:
    if path is None or path[0] == ".":
        return None
    return PurePosixPath(path[0]).parent.as_posix(), path[1]


def _joined(folder: _Path | None, parts: list[ast.expr]) -> _Path | None:
    if folder is None:
        return None
    joined = PurePosixPath(folder[0])
    for part in parts:
        if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
            return None
        joined = joined / part.value
    normal = _normal(joined.as_posix())
    return None if normal is None else (normal, folder[1])
