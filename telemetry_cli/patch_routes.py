"""Instrument the route handlers of a user's FastAPI module with ``event_logger.log(...)`` calls.

Each handler gets, as its first statement after the docstring, one call logging the plan's event
type with non-sensitive context: the route template, the HTTP method, the handler's name, the
block type (the last static segment of the route) and the route's path parameters. Request
bodies and other user text are never logged. The patch is minimal and idempotent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from telemetry_cli.errors import PatchError
from telemetry_cli.fastapi_names import HTTP_METHODS, ROUTE_OWNERS
from telemetry_cli.patch_common import (
    LINE_LENGTH,
    Imports,
    NewImport,
    PatchResult,
    call_argument,
    display_width,
    free_name,
    index_of,
    insert_import,
    is_docstring,
    new_import,
    parse_module,
    string_literal,
    string_value,
    used_names,
)

__all__ = ["PatchResult", "instrument_routes"]

# `{name}` or `{name:converter}` in a route template.
_PATH_PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}")


@dataclass(frozen=True)
class _Route:
    """A route handler and what its log call says about it."""

    function: cst.FunctionDef
    route: str
    method: str

    @property
    def handler(self) -> str:
        return self.function.name.value

    def label(self) -> str:
        return f"{self.handler} ({self.method} {self.route})"


def instrument_routes(
    source: str, *, module_name: str, analytics_package: str, event_type: str
) -> PatchResult:
    """Add an ``event_logger.log(event_type, {...})`` call to every route handler of ``source``.

    Handlers are module-level functions decorated with ``@<router>.get/post/...(...)`` or
    ``@<router>.api_route(...)``, where ``<router>`` is assigned ``APIRouter(...)`` or
    ``FastAPI(...)`` in the module.

    Args:
        source: The module's text (BOM already stripped; CRLF line endings are kept).
        module_name: Its import name, e.g. ``app.api.ai_blocks``.
        analytics_package: The import name of the generated package, e.g. ``app.analytics``.
        event_type: The event type every handler of the module logs.

    Returns:
        The patched source and one line per insertion. Handlers that already log once with
        ``event_type`` are left alone; handlers logging twice or a different type are reported
        in ``problems`` and left unchanged too.

    Raises:
        PatchError: The source does not parse, has no route handler, or a handler that needs the
            call has its whole body on the ``def`` line.
    """
    module = parse_module(source)
    imports = Imports.of(module, module_name)
    routes, problems = _find_routes(module, imports)
    if not routes and not problems:
        raise PatchError(
            "no route handlers found: expected functions decorated with @<router>.get/post/... "
            "of an APIRouter or FastAPI instance"
        )
    logger_module = f"{analytics_package}.event_logger"
    instance = f"{logger_module}.event_logger"
    fallback_block = module_name.split(".")[-1]

    changes: list[str] = []
    todo: list[_Route] = []
    for route in routes:
        event_types = _logged_event_types(route.function, imports, (instance, logger_module))
        if not event_types:
            todo.append(route)
            continue
        if len(event_types) > 1:
            problems.append(
                f"route {route.label()} logs the event {len(event_types)} times; keep one call"
            )
        for logged in event_types:
            if logged is None:
                problems.append(
                    f"route {route.label()} logs an event type that is not a string literal, "
                    f"expected {event_type!r}"
                )
            elif logged != event_type:
                problems.append(f"route {route.label()} logs {logged!r}, expected {event_type!r}")
    if not todo:
        return PatchResult(source, (), tuple(problems))

    logger = imports.local_name_for(instance)
    if logger is not None and any(logger in _parameters(route.function) for route in todo):
        logger = None  # a parameter of that name would shadow the module-level instance
    new: NewImport | None = None
    if logger is None:
        logger = free_name("event_logger", used_names(module))
        new = new_import(imports, module_name, logger_module, "event_logger", logger)
        changes.append(
            "import `event_logger`" + ("" if logger == "event_logger" else f" as `{logger}`")
        )
    body: list[cst.BaseStatement] = list(module.body)
    for route in todo:
        payload = _payload(route, fallback_block)
        patched = _with_log_call(module, route, logger, event_type, payload)
        body[index_of(body, route.function)] = patched
        changes.append(f"log call in {route.label()}")
    if new is not None:
        first = min(index_of(module.body, route.function) for route in todo)
        insert_import(module, body, new, first)
    return PatchResult(module.with_changes(body=body).code, tuple(changes), tuple(problems))


def _find_routes(module: cst.Module, imports: Imports) -> tuple[list[_Route], list[str]]:
    """Return the module's route handlers, and problems about those that cannot be read."""
    prefixes: dict[str, str] = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            target: cst.BaseExpression | None = None
            value: cst.BaseExpression | None = None
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target, value = small.targets[0].target, small.value
            elif isinstance(small, cst.AnnAssign):
                target, value = small.target, small.value
            if (
                isinstance(target, cst.Name)
                and isinstance(value, cst.Call)
                and imports.refers_to(value.func, *ROUTE_OWNERS)
            ):
                # A prefix that is not a literal is unknown here: the route is the path alone.
                prefix = string_value(call_argument(value, None, "prefix"))
                prefixes[target.value] = prefix or ""

    routes: list[_Route] = []
    problems: list[str] = []
    for statement in module.body:
        if not isinstance(statement, cst.FunctionDef):
            continue
        for decorator in statement.decorators:
            call = decorator.decorator
            if not (
                isinstance(call, cst.Call)
                and isinstance(call.func, cst.Attribute)
                and isinstance(call.func.value, cst.Name)
                and call.func.value.value in prefixes
            ):
                continue
            verb = call.func.attr.value
            if verb not in HTTP_METHODS and verb != "api_route":
                continue
            path = string_value(call_argument(call, 0, "path"))
            method = verb.upper() if verb != "api_route" else _declared_methods(call)
            if path is None or method is None:
                problems.append(
                    f"route {statement.name.value}: its path or methods are not literals; "
                    "add the log call by hand"
                )
            else:
                routes.append(_Route(statement, prefixes[call.func.value.value] + path, method))
            break  # a handler stacked under several routes logs once, for the first
    return routes, problems


def _declared_methods(call: cst.Call) -> str | None:
    """The methods of an ``api_route``, comma-joined ("GET,POST"); None when not literal."""
    methods = call_argument(call, None, "methods")
    if methods is None:
        return "GET"  # what FastAPI's api_route defaults to
    if not (isinstance(methods, cst.List | cst.Tuple | cst.Set) and methods.elements):
        return None
    names = [string_value(element.value) for element in methods.elements]
    if any(not name for name in names):
        return None
    # The handler cannot tell which method called it without the request: name them all
    # rather than claim the first.
    return ",".join(dict.fromkeys(name.upper() for name in names if name))


def _statements(function: cst.FunctionDef) -> list[cst.BaseSmallStatement]:
    body = function.body
    if isinstance(body, cst.SimpleStatementSuite):
        return list(body.body)
    return [
        small
        for statement in body.body
        if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
    ]


def _logged_event_types(
    function: cst.FunctionDef, imports: Imports, instances: tuple[str, ...]
) -> list[str | None]:
    """Return the event type of each log call among the handler's top-level statements."""
    logged: list[str | None] = []
    for small in _statements(function):
        if not (isinstance(small, cst.Expr) and isinstance(small.value, cst.Call)):
            continue
        func = small.value.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "log"
            and imports.refers_to(func.value, *instances)
        ):
            logged.append(string_value(call_argument(small.value, 0, "event_type")))
    return logged


def _payload(route: _Route, fallback_block: str) -> list[tuple[str, str]]:
    """The payload entries as (key, Python expression): context, then path parameters."""
    static = [segment for segment in route.route.split("/") if segment and "{" not in segment]
    block = static[-1] if static else fallback_block
    entries = [
        ("route", string_literal(route.route)),
        ("method", string_literal(route.method)),
        ("handler", string_literal(route.handler)),
        ("block_type", string_literal(block)),
    ]
    names = _parameters(route.function)
    taken = {key for key, _ in entries}
    for match in _PATH_PARAMETER.finditer(route.route):
        name, converter = match.group(1), match.group(2)
        if name not in names:
            continue
        if converter == "path":
            # A `:path` parameter is a free-form slice of the URL, not an id: log its length.
            key, value = f"{name}_length", f"len({name})"
        else:
            key, value = name, name
        if key in taken:
            key = f"path_{key}"  # never repeat a context key: the dict would silently drop one
        if key not in taken:
            taken.add(key)
            entries.append((key, value))
    return entries


def _parameters(function: cst.FunctionDef) -> set[str]:
    """The names of the parameters a route template can fill (not ``*args``/``**kwargs``)."""
    params = function.params
    return {
        param.name.value
        for param in (*params.posonly_params, *params.params, *params.kwonly_params)
    }


def _log_call_code(
    logger: str, event_type: str, payload: list[tuple[str, str]], indent: str, unit: str
) -> list[str]:
    """Return the lines of the log call, as ``ruff format`` lays them out at ``indent``."""
    items = [f"{string_literal(key)}: {value}" for key, value in payload]
    mapping = "{" + ", ".join(items) + "}"
    line = f"{logger}.log({string_literal(event_type)}, {mapping})"
    if display_width(indent + line) <= LINE_LENGTH:
        return [line]
    # Too long: one argument per line with a magic trailing comma, which ruff keeps.
    if display_width(indent + unit + mapping + ",") <= LINE_LENGTH:
        mapping_lines = [f"{unit}{mapping},"]
    else:
        mapping_lines = [unit + "{", *(f"{unit}{unit}{item}," for item in items), unit + "},"]
    return [f"{logger}.log(", f"{unit}{string_literal(event_type)},", *mapping_lines, ")"]


def _with_log_call(
    module: cst.Module,
    route: _Route,
    logger: str,
    event_type: str,
    payload: list[tuple[str, str]],
) -> cst.FunctionDef:
    block = route.function.body
    if not isinstance(block, cst.IndentedBlock):
        raise PatchError(
            f"route {route.label()} has its body on the `def` line; move the body to its own "
            "lines so that the log call can be added"
        )
    indent = module.default_indent if block.indent is None else block.indent
    newline = module.default_newline
    lines = _log_call_code(logger, event_type, payload, indent, module.default_indent)
    call = cst.parse_statement(newline.join(lines) + newline, config=module.config_for_parsing)
    statements = list(block.body)
    position = 1 if statements and is_docstring(statements[0]) else 0
    statements.insert(position, call)
    return route.function.with_changes(body=block.with_changes(body=statements))
