"""A value a dynaconf settings object reads from its TOML settings files.

``settings = Dynaconf(settings_files=["settings.toml"], environments=True)``, then
``app.include_router(api_router, prefix=settings.API_PREFIX)``: the prefix is the key's value in
those files, as dynaconf loads them: each file found from the folder the app starts in (the
backend folder) up to the project root, in each folder or its ``config/`` subfolder; a later file
over an earlier one; with ``environments``, the ``[default]`` table, then the current
environment's (``development`` unless ``env=`` names another), then ``[global]``; keys in any
case, nested tables read as attributes (``settings.api.prefix``). ``settings.get("KEY",
"/api")`` gives its default when no file sets the key. An environment variable
(``DYNACONF_API_PREFIX``, with ``envvar_prefix=`` another prefix) may set it instead: said so.
Options are read in each spelling dynaconf takes (``env=``, ``ENV_FOR_DYNACONF=``, ``ENV=``).

Not followed (None): a call passing ``**options``, ``root_path=``, ``includes=`` or
``preload=`` (files found elsewhere), a settings file of another format that exists (YAML, JSON,
INI, Python: not read), a file that does not parse, a key no file sets (and no default).
"""

import ast
import re
import tomllib
from typing import Any, NamedTuple

from telemetry_cli.ast_literals import string_list
from telemetry_cli.files import parse_toml
from telemetry_cli.patching.symbols import PackageIndex, Scope, call_bound_once

_CLASSES = frozenset({"dynaconf.Dynaconf", "dynaconf.LazySettings"})
# Options by the name :func:`_option` gives them (``settings_files`` is dynaconf's alias).
_FILES_OPTION = "settings_file"
# Keywords that make dynaconf load files from elsewhere, or other values first.
_UNFOLLOWED = frozenset({"root_path", "includes", "preload", "env_switcher"})
_OPTION_SUFFIX = "_FOR_DYNACONF"
_DEFAULT_PREFIX = "DYNACONF"
_DEFAULT_ENVIRONMENT = "development"
_SWITCHER = "ENV_FOR_DYNACONF"
# Patterns kept as source text (here and below) are compiled on first use, and cached, by
# `re`: an up-to-date `generate --check` never uses them (compiling at import cost every run).
# A TOML table header: `[development.api]` (not an array of tables, `[[...]]`).
_HEADER = r"^\s*\[\s*([^\[\]]+?)\s*\]"


class FileValue(NamedTuple):
    """A string a settings object reads from a settings file (or the default given)."""

    value: str
    path: str  # the file (or the module giving the default)
    line: int
    variable: str  # the environment variable that may set it instead
    kind: str = "value"  # "default": the one `.get` gives, no file setting the key


def dynaconf_value(index: PackageIndex, expression: ast.expr, scope: Scope) -> FileValue | None:
    """The string ``settings.KEY`` (``settings.a.b``, ``settings.get("KEY", default)``) holds.

    None unless ``settings`` is a module-level ``Dynaconf(...)`` object the files decide (see
    the module's docstring), found by the index's :attr:`~PackageIndex.settings_file`.
    """
    find = index.settings_file
    if find is None:
        return None
    default: ast.expr | None = None
    if isinstance(expression, ast.Call):
        if not (
            isinstance(expression.func, ast.Attribute)
            and expression.func.attr == "get"
            and len(expression.args) in (1, 2)
            and not expression.keywords
            and isinstance(expression.args[0], ast.Constant)
            and isinstance(expression.args[0].value, str)
        ):
            return None
        holder, keys = expression.func.value, expression.args[0].value.split(".")
        default = expression.args[1] if len(expression.args) == 2 else None
    else:
        keys = []
        holder = expression
        while isinstance(holder, ast.Attribute):
            keys.insert(0, holder.attr)
            holder = holder.value
        if not keys:
            return None
    options = _options(index, holder, scope)
    if options is None:
        return None
    names, environments, environment, prefix = options
    variable = "__".join(key.upper() for key in keys)
    variable = f"{prefix}_{variable}" if prefix else variable
    if environments:
        variable += f" or {_SWITCHER}"  # naming another environment than the default one
    merged: dict[str, Any] = {}
    where: dict[str, tuple[str, list[str]]] = {}  # the file and table of each key
    texts: dict[str, str] = {}
    for name in names:
        found = find(name)
        if found is None:
            continue  # dynaconf passes over a file it does not find
        path, text = found
        texts[path] = text
        if not path.endswith(".toml"):
            return None
        try:
            data = parse_toml(text)
        except (tomllib.TOMLDecodeError, RecursionError):
            return None
        tables = (
            [([], data)]
            if not environments
            else [([name], _table(data, name)) for name in ("default", environment, "global")]
        )
        for table_path, table in tables:
            for key, item in table.items():
                merged[key.upper()] = item
                where[key.upper()] = (path, table_path)
    value: Any = merged
    for key in keys:
        value = _lookup(value, key)
    if isinstance(value, str):
        source, table_path = where[keys[0].upper()]
        return FileValue(value, source, _line(texts[source], [*table_path, *keys]), variable)
    given = None if value is not None or default is None else index.string_value(default, scope)
    if given is not None:
        return FileValue(given, scope.module.path, expression.lineno, variable, "default")
    return None


def _options(
    index: PackageIndex, holder: ast.expr, scope: Scope
) -> tuple[list[str], bool, str, str] | None:
    """What a module-level ``Dynaconf(...)`` object bound once is built with, else None.

    Its settings files, whether it has environments, the current one, and its variable prefix.
    """
    binding = index.binding_of(holder, scope)
    call = call_bound_once(binding)
    if (
        binding is None
        or call is None
        or binding.scope.parent is not None
        or index.qualify(call.func, binding.scope) not in _CLASSES
        or call.args
    ):
        return None
    if any(keyword.arg is None for keyword in call.keywords):
        return None  # `**options`
    keywords = {_option(keyword.arg or ""): keyword.value for keyword in call.keywords}
    if len(keywords) != len(call.keywords) or _UNFOLLOWED & set(keywords):
        return None  # also an option given twice (`env=` and `ENV_FOR_DYNACONF=`)
    names: list[str] = []
    if _FILES_OPTION in keywords:
        listed = _strings(keywords[_FILES_OPTION])
        if listed is None:
            return None
        names = listed
    environments = keywords.get("environments")
    switched = environments is not None and not (
        isinstance(environments, ast.Constant) and environments.value in (False, None)
    )
    environment = _DEFAULT_ENVIRONMENT
    if "env" in keywords:
        named = _strings(keywords["env"])
        if named is None or len(named) != 1:
            return None
        environment = named[0]
    prefix = _DEFAULT_PREFIX
    if "envvar_prefix" in keywords:
        given = keywords["envvar_prefix"]
        if isinstance(given, ast.Constant) and given.value is False:
            prefix = ""
        elif isinstance(given, ast.Constant) and isinstance(given.value, str):
            prefix = given.value
        else:
            return None
    return names, switched, environment, prefix


def _option(keyword: str) -> str:
    """The option a keyword of ``Dynaconf(...)`` sets, in one spelling: ``env``, ``root_path``.

    Dynaconf reads its options in any case, with or without ``_FOR_DYNACONF``
    (``ENV_FOR_DYNACONF="production"`` is ``env="production"``), and ``settings_files`` as
    ``settings_file``.
    """
    option = keyword.upper().removesuffix(_OPTION_SUFFIX).lower()
    return _FILES_OPTION if option == "settings_files" else option


def _strings(value: ast.expr) -> list[str] | None:
    """A literal string (names split at ``,`` and ``;``, as dynaconf does) or list of them."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return [name.strip() for name in re.split(r"[,;]", value.value) if name.strip()]
    return string_list(value)


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    """The table ``name`` of a settings file, in any case (dynaconf's environments are not)."""
    for key, value in data.items():
        if key.lower() == name.lower() and isinstance(value, dict):
            return value
    return {}


def _lookup(value: Any, key: str) -> Any:
    """``value[key]`` in any case, None when ``value`` is no table or has no such key."""
    if not isinstance(value, dict):
        return None
    if key in value:
        return value[key]
    return next((item for name, item in value.items() if name.lower() == key.lower()), None)


def _line(text: str, path: list[str]) -> int:
    """The line of a file's ``text`` setting the key at ``path`` (its tables, then its name).

    The one under the table header of those tables (``[development.api]`` for ``prefix``), else
    the first line setting a key of that name; 1 when none does (an inline table).
    """
    *tables, key = (part.lower() for part in path)
    setting = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", re.IGNORECASE)
    current: list[str] = []
    first = None
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(_HEADER, line)
        if header is not None:
            current = [part.strip().strip("\"'").lower() for part in header[1].split(".")]
        elif setting.match(line):
            if current == tables:
                return number
            first = first or number
    return first or 1
