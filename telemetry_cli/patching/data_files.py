"""The literal a data file of the project holds, where the code loads it from a path known.

``config = yaml.safe_load(Path("routers.yaml").read_text())`` then ``for entry in
config["routers"]: app.include_router(import_module(entry["module"]).router,
prefix=entry["prefix"])``: the routers and prefixes are in the file, read as a literal written
in the code would be (see :func:`~.loops.literal_items`). The file is looked for as a settings
file is (:attr:`~.symbols.PackageIndex.settings_file`: from the backend folder, where the app
starts, up to the project root), a path relative to ``__file__`` from the module's own folder.

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

from telemetry_cli.patching.symbols import PackageIndex, Scope, bound_once, call_argument

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
#: Methods of a path that give the same path, or the file at it.
_SAME_FILE_METHODS = frozenset({"read_text", "read_bytes", "open", "resolve", "absolute"})
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
    if kind is None or argument is None or index.settings_file is None:
        return None
    path = _file_path(argument, scope, index, 0)
    found = None if path is None else index.settings_file(path)
    if found is None:
        return None
    try:
        data = _parsed(kind, found[1])
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


def _file_path(expression: ast.expr, scope: Scope, index: PackageIndex, depth: int) -> str | None:
    """The backend-relative path ``expression`` names (or the file open at it), if known."""
    if depth > _MAX_DEPTH:
        return None

    def again(node: ast.expr, where: Scope = scope) -> str | None:
        return _file_path(node, where, index, depth + 1)

    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        return _normal(expression.value)
    if isinstance(expression, ast.Name):
        binding = scope.lookup(expression.id)
        if expression.id == "__file__" and binding is None:
            module = scope.module
            parts = module.name.split(".")
            return "/".join(parts) + ("/__init__.py" if module.is_package else ".py")
        opened = _opened_as(expression.id, scope)
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


def _opened_as(name: str, scope: Scope) -> ast.expr | None:
    """What ``with <file> as <name>:`` of ``scope``'s own body opens, if one binds ``name``."""
    for node in ast.walk(scope.node):
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                target = item.optional_vars
                if isinstance(target, ast.Name) and target.id == name:
                    return item.context_expr
    return None


def _normal(path: str) -> str | None:
    """``path`` with ``.`` and ``..`` resolved; None when absolute or above the backend."""
    if not path or "\0" in path or PurePosixPath(path).is_absolute():
        return None
    normal = os.path.normpath(path).replace(os.sep, "/")
    return None if normal == ".." or normal.startswith("../") else normal


def _parent(path: str | None) -> str | None:
    if path is None or path == ".":
        return None
    return PurePosixPath(path).parent.as_posix()


def _joined(folder: str | None, parts: list[ast.expr]) -> str | None:
    if folder is None:
        return None
    joined = PurePosixPath(folder)
    for part in parts:
        if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
            return None
        joined = joined / part.value
    return _normal(joined.as_posix())
