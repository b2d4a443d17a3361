"""The literal a data file of the project holds, where the code loads it from a path known.

``config = yaml.safe_load(Path("routers.yaml").read_text())`` then ``for entry in
config["routers"]: app.include_router(import_module(entry["module"]).router,
prefix=entry["prefix"])``: the routers and prefixes are in the file, read as a literal written
in the code would be (see :func:`~.loops.literal_items`). The file is looked for as a settings
file is (:attr:`~.symbols.PackageIndex.settings_file`: from the backend folder, where the app
starts, up to the project root), a path relative to ``__file__`` from the module's own folder.

YAML is read in its plain subset (block mappings and sequences, flow lists of scalars, plain and
quoted scalars); anything else (anchors, tags, block or multi-line strings, flow mappings) makes
the file not known (None), as does a path only known at run time, a file that is absent, or
one that does not parse. JSON and TOML are read whole, by the standard library.
"""

from __future__ import annotations

import ast
import json
import os
import re
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
        written = _written(data)
    except (ValueError, RecursionError):  # TOMLDecodeError is a ValueError; nesting too deep
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
    return plain_yaml(text)


def _written(data: Any) -> ast.expr | None:
    """``data`` (what a loader returns) as a literal expression; None for any other value."""
    if isinstance(data, dict):
        keys: list[ast.expr | None] = []
        values: list[ast.expr] = []
        for key, value in data.items():
            written_key, written_value = _written(key), _written(value)
            if written_key is None or written_value is None:
                return None
            keys.append(written_key)
            values.append(written_value)
        return ast.Dict(keys=keys, values=values)
    if isinstance(data, list):
        items = [_written(item) for item in data]
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


# YAML's plain subset.

#: A key and what follows it on its line: `key: value`, `key:`.
_KEY = re.compile(r"""^("[^"]*"|'[^']*'|[^\s"'#][^:#]*?)\s*:(?:\s+(.*))?$""")
#: Characters that start what the plain subset does not read (anchors, aliases, tags, block
#: strings, flow mappings), at the start of a value.
_UNREAD_STARTS = ("&", "*", "!", "|", ">", "{", "%", "@", "`")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
# YAML 1.1's, as PyYAML reads them.
_TRUE = frozenset({"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})
_FALSE = frozenset({"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})
_INTEGER = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


def plain_yaml(text: str) -> Any:
    """The data a YAML document of the plain subset holds (ValueError for anything else)."""
    lines: list[tuple[int, str]] = []
    for raw in text.splitlines():
        content = _uncommented(raw).rstrip()
        if not content.strip() or content.strip() in ("---", "..."):
            continue
        stripped = content.lstrip(" ")
        if stripped.startswith("\t") or stripped.startswith("%"):
            raise ValueError("not the plain subset")
        lines.append((len(content) - len(stripped), stripped))
    if not lines:
        return None
    value, end = _node(lines, 0, lines[0][0])
    if end != len(lines):
        raise ValueError("not the plain subset")
    return value


def _uncommented(line: str) -> str:
    """``line`` without its comment: a ``#`` at its start or after a blank, out of quotes."""
    quote = ""
    for position, character in enumerate(line):
        if quote:
            quote = "" if character == quote else quote
        elif character in "\"'" and (position == 0 or line[position - 1] in " \t[,:-"):
            quote = character
        elif character == "#" and (position == 0 or line[position - 1] in " \t"):
            return line[:position]
    return line


def _node(lines: list[tuple[int, str]], start: int, indent: int) -> tuple[Any, int]:
    """The block node at ``lines[start]`` (indented ``indent``), and the line after it."""
    if _is_item(lines[start][1]):
        return _sequence(lines, start, indent)
    return _mapping(lines, start, indent)


def _is_item(content: str) -> bool:
    return content == "-" or content.startswith("- ")


def _sequence(lines: list[tuple[int, str]], start: int, indent: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    at = start
    while at < len(lines) and lines[at][0] == indent and _is_item(lines[at][1]):
        rest = lines[at][1][1:]
        text = rest.lstrip(" ")
        if not text:
            if at + 1 < len(lines) and lines[at + 1][0] > indent:
                value, at = _node(lines, at + 1, lines[at + 1][0])
            else:
                value, at = None, at + 1
        elif _is_item(text) or (_KEY.match(text) and not text.startswith(("[", '"', "'"))):
            # `- key: value` (a mapping, more keys below at its column), or `- - item`.
            column = indent + 1 + len(rest) - len(text)
            lines[at] = (column, text)
            value, at = _node(lines, at, column)
        else:
            value, at = _scalar(text), at + 1
        items.append(value)
    return items, at


def _mapping(lines: list[tuple[int, str]], start: int, indent: int) -> tuple[dict[Any, Any], int]:
    mapping: dict[Any, Any] = {}
    at = start
    while at < len(lines) and lines[at][0] == indent and not _is_item(lines[at][1]):
        match = _KEY.match(lines[at][1])
        if match is None:
            raise ValueError("not the plain subset")
        key = _scalar(match.group(1))
        if key in mapping or isinstance(key, list):
            raise ValueError("a key twice")
        rest = match.group(2)
        at += 1
        if rest:
            mapping[key] = _scalar(rest)
        elif at < len(lines) and (
            lines[at][0] > indent or (lines[at][0] == indent and _is_item(lines[at][1]))
        ):
            mapping[key], at = _node(lines, at, lines[at][0])
        else:
            mapping[key] = None
    if at < len(lines) and lines[at][0] > indent:
        raise ValueError("not the plain subset")
    return mapping, at


def _scalar(text: str) -> Any:
    """A scalar of the plain subset, or a flow list of them (``[a, "b"]``)."""
    text = text.strip()
    if text.startswith(_UNREAD_STARTS):
        raise ValueError("not the plain subset")
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return [] if not inner else [_scalar(part) for part in _flow_parts(inner)]
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        if "\\" in text:
            return json.loads(text)  # YAML's double-quoted escapes JSON's
        return text[1:-1]
    if text.startswith(("'", '"', "[", "]")):
        raise ValueError("not the plain subset")
    if text in _NULLS:
        return None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    if _INTEGER.match(text):
        if text.lstrip("+-").startswith("0") and len(text.lstrip("+-")) > 1:
            raise ValueError("an octal")  # YAML 1.1 reads `010` as 8
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    if text[0] in "0123456789+-." and text != "-":
        # A date, a hexadecimal, `1_000`, `.inf`, `1:30` (sexagesimal): not a string in YAML.
        raise ValueError("not the plain subset")
    return text


def _flow_parts(inner: str) -> list[str]:
    """The items of a flow list's inside, split at commas out of quotes."""
    if any(mark in inner for mark in "[]{}"):
        raise ValueError("not the plain subset")
    parts: list[str] = []
    quote = ""
    current = ""
    for character in inner:
        if quote:
            quote = "" if character == quote else quote
        elif character in "\"'":
            quote = character
        elif character == ",":
            parts.append(current)
            current = ""
            continue
        current += character
    parts.append(current)
    return parts
