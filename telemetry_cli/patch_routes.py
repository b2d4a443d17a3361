"""Instrument the route handlers of a user's FastAPI module with ``event_logger.log(...)`` calls.

Each handler gets, as its first statement after the docstring, one call logging the plan's event
type with non-sensitive context: the route template, the HTTP method, the handler's name, the
block type (the last static segment of the route) and the route's path parameters. Request
bodies and other user text are never logged. The patch is minimal and idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
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
    """A module-scope route handler and what its log call says about it."""

    function: cst.FunctionDef
    route: str
    method: str
    top: cst.BaseStatement  # the module-level statement holding the handler
    indent: str  # the indentation of its `def` line

    @property
    def handler(self) -> str:
        return self.function.name.value

    def label(self) -> str:
        return f"{self.handler} ({self.method} {self.route})"


@dataclass(frozen=True)
class _Enclosed:
    """A route-looking function in a class body or another function: reported, never patched.

    Whether and where it is registered depends on code the tool does not follow (a factory
    call, a class), so the log call is left to a person.
    """

    function: cst.FunctionDef
    description: str  # `inner (GET /x)`, or `inner` when the route is not literal
    owner: str  # `function register`, `class Views`

    def label(self) -> str:
        return self.description


def instrument_routes(
    source: str, *, module_name: str, analytics_package: str, event_type: str
) -> PatchResult:
    """Add an ``event_logger.log(event_type, {...})`` call to every route handler of ``source``.

    Handlers are functions at module scope (top level, or in a module-level ``if``/``try``/
    ``with``/loop block) decorated with ``@<router>.get/post/...(...)`` or
    ``@<router>.api_route(...)``, where ``<router>`` is assigned ``APIRouter(...)`` or
    ``FastAPI(...)`` at module scope (every target of a chained assignment counts). Route-looking
    functions in class bodies or inside other functions are reported, not patched.

    Args:
        source: The module's text (BOM already stripped; CRLF line endings are kept).
        module_name: Its import name, e.g. ``app.api.ai_blocks``.
        analytics_package: The import name of the generated package, e.g. ``app.analytics``.
        event_type: The event type every handler of the module logs.

    Returns:
        The patched source and one line per insertion. Handlers that already log once with
        ``event_type`` are left alone; handlers logging twice or a different type, and enclosed
        route-looking functions that do not log once with ``event_type``, are reported in
        ``problems`` and left unchanged too.

    Raises:
        PatchError: The source does not parse, has no route handler, or a handler that needs the
            call has its whole body on the ``def`` line.
    """
    module = parse_module(source)
    imports = Imports.of(module, module_name)
    found, problems = _RouteFinder(module, imports).run()
    if not found and not problems:
        raise PatchError(
            "no route handlers found: expected functions decorated with @<router>.get/post/... "
            "of an APIRouter or FastAPI instance"
        )
    logger_module = f"{analytics_package}.event_logger"
    instance = f"{logger_module}.event_logger"
    fallback_block = module_name.split(".")[-1]

    changes: list[str] = []
    todo: list[_Route] = []
    for route in found:
        event_types = _logged_event_types(route.function, imports, (instance, logger_module))
        if not event_types:
            if isinstance(route, _Route):
                todo.append(route)
            else:
                problems.append(
                    f"route {route.label()} is defined inside {route.owner}; "
                    "add the log call by hand"
                )
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
    replacements: dict[int, cst.FunctionDef] = {}
    for route in todo:
        payload = _payload(route, fallback_block)
        replacements[id(route.function)] = _with_log_call(
            module, route, logger, event_type, payload
        )
        changes.append(f"log call in {route.label()}")
    patched = module.visit(_Replace(replacements))
    assert isinstance(patched, cst.Module)
    body: list[cst.BaseStatement] = list(patched.body)
    if new is not None:
        first = min(index_of(module.body, route.top) for route in todo)
        insert_import(module, body, new, first)
    return PatchResult(patched.with_changes(body=body).code, tuple(changes), tuple(problems))


class _Replace(cst.CSTTransformer):
    """Swap functions of the tree, found by identity, for their patched versions."""

    def __init__(self, replacements: dict[int, cst.FunctionDef]) -> None:
        super().__init__()
        self._replacements = replacements

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.BaseStatement:
        return self._replacements.get(id(original_node), updated_node)


def _suites(statement: cst.CSTNode) -> list[cst.BaseSuite]:
    """The blocks of a compound statement that share its scope (not a def or class body)."""
    suites: list[cst.BaseSuite] = []
    if isinstance(statement, cst.If):
        suites.append(statement.body)
        if isinstance(statement.orelse, cst.If):
            suites.extend(_suites(statement.orelse))  # an `elif` sits at the `if`'s indentation
        elif statement.orelse is not None:
            suites.append(statement.orelse.body)
    elif isinstance(statement, cst.Try | cst.TryStar):
        suites.append(statement.body)
        suites.extend(handler.body for handler in statement.handlers)
        if statement.orelse is not None:
            suites.append(statement.orelse.body)
        if statement.finalbody is not None:
            suites.append(statement.finalbody.body)
    elif isinstance(statement, cst.For | cst.While):
        suites.append(statement.body)
        if statement.orelse is not None:
            suites.append(statement.orelse.body)
    elif isinstance(statement, cst.With):
        suites.append(statement.body)
    elif isinstance(statement, cst.Match):
        suites.extend(case.body for case in statement.cases)
    return suites


def _scope_nodes(
    statements: Sequence[cst.CSTNode], indent: str, unit: str
) -> Iterator[tuple[cst.CSTNode, str]]:
    """Yield each statement of one scope with the indentation of its line, in source order.

    Compound blocks (``if``, ``try``, ``with``, loops, ``match``) are entered; def and class
    bodies, which are scopes of their own, are not. A one-line block is yielded whole.
    """
    for statement in statements:
        yield statement, indent
        for suite in _suites(statement):
            if isinstance(suite, cst.IndentedBlock):
                inner = indent + (unit if suite.indent is None else suite.indent)
                yield from _scope_nodes(suite.body, inner, unit)
            else:
                yield suite, indent


def _route_owner_names(
    nodes: Iterable[tuple[cst.CSTNode, str]], imports: Imports
) -> dict[str, str]:
    """Map each name bound to ``APIRouter(...)``/``FastAPI(...)`` in ``nodes`` to its prefix."""
    names: dict[str, str] = {}
    for node, _ in nodes:
        if not isinstance(node, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            continue
        for small in node.body:
            targets: list[cst.BaseExpression] = []
            value: cst.BaseExpression | None = None
            if isinstance(small, cst.Assign):
                # `a = b = APIRouter()` binds both names to the one router.
                targets, value = [target.target for target in small.targets], small.value
            elif isinstance(small, cst.AnnAssign):
                targets, value = [small.target], small.value
            if not (isinstance(value, cst.Call) and imports.refers_to(value.func, *ROUTE_OWNERS)):
                continue
            # A prefix that is not a literal is unknown here: the route is the path alone.
            prefix = string_value(call_argument(value, None, "prefix")) or ""
            for target in targets:
                if isinstance(target, cst.Name):
                    names[target.value] = prefix
    return names


def _route_decorator(
    function: cst.FunctionDef, names: dict[str, str]
) -> tuple[cst.Call, str, str] | None:
    """The first ``@<name>.<verb>(...)`` decorator with ``name`` in ``names``: (call, name, verb).

    A handler stacked under several routes logs once, for the first.
    """
    for decorator in function.decorators:
        call = decorator.decorator
        if (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and isinstance(call.func.value, cst.Name)
            and call.func.value.value in names
            and (call.func.attr.value in HTTP_METHODS or call.func.attr.value == "api_route")
        ):
            return call, call.func.value.value, call.func.attr.value
    return None


def _route_of(call: cst.Call, verb: str, prefix: str) -> tuple[str, str] | None:
    """The (route, method) a route decorator declares, or None when they are not literals."""
    path = string_value(call_argument(call, 0, "path"))
    method = verb.upper() if verb != "api_route" else _declared_methods(call)
    if path is None or method is None:
        return None
    return prefix + path, method


class _RouteFinder:
    """Find, in source order, the module-scope route handlers and the enclosed route-lookalikes."""

    def __init__(self, module: cst.Module, imports: Imports) -> None:
        self._module = module
        self._imports = imports
        self._unit = module.default_indent
        self._found: list[_Route | _Enclosed] = []
        self._problems: list[str] = []

    def run(self) -> tuple[list[_Route | _Enclosed], list[str]]:
        """Return the routes found and problems about module-scope routes that cannot be read."""
        body = self._module.body
        routers = _route_owner_names(_scope_nodes(body, "", self._unit), self._imports)
        for top in body:
            for node, indent in _scope_nodes([top], "", self._unit):
                if isinstance(node, cst.FunctionDef):
                    self._module_function(node, top, indent, routers)
                    self._enclosed_in(node, indent, routers)
                elif isinstance(node, cst.ClassDef):
                    self._enclosed_in(node, indent, routers)
        return self._found, self._problems

    def _module_function(
        self,
        function: cst.FunctionDef,
        top: cst.BaseStatement,
        indent: str,
        routers: dict[str, str],
    ) -> None:
        decorator = _route_decorator(function, routers)
        if decorator is None:
            return
        call, name, verb = decorator
        route = _route_of(call, verb, routers[name])
        if route is None:
            self._problems.append(
                f"route {function.name.value}: its path or methods are not literals; "
                "add the log call by hand"
            )
        else:
            self._found.append(_Route(function, *route, top, indent))

    def _enclosed_in(
        self, definition: cst.FunctionDef | cst.ClassDef, indent: str, outer: dict[str, str]
    ) -> None:
        """Report route-looking functions in ``definition``'s body, at any depth.

        Route-looking means decorated through a module router, a router the enclosing code
        assigns, or a parameter of an enclosing function (``def register(router): ...``).
        """
        block = definition.body
        if not isinstance(block, cst.IndentedBlock):
            return  # a one-line body holds no def
        names = dict(outer)
        if isinstance(definition, cst.FunctionDef):
            names.update((parameter, "") for parameter in _all_parameters(definition))
            owner = f"function {definition.name.value}"
        else:
            owner = f"class {definition.name.value}"
        inner = indent + (self._unit if block.indent is None else block.indent)
        nodes = list(_scope_nodes(block.body, inner, self._unit))
        names.update(_route_owner_names(nodes, self._imports))
        for node, node_indent in nodes:
            if isinstance(node, cst.FunctionDef):
                decorator = _route_decorator(node, names)
                if decorator is not None:
                    call, name, verb = decorator
                    route = _route_of(call, verb, names[name])
                    description = node.name.value
                    if route is not None:
                        description += f" ({route[1]} {route[0]})"
                    self._found.append(_Enclosed(node, description, owner))
            if isinstance(node, cst.FunctionDef | cst.ClassDef):
                self._enclosed_in(node, node_indent, names)


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


def _all_parameters(function: cst.FunctionDef) -> list[str]:
    """Every name the function's parameters bind, ``*args`` and ``**kwargs`` included."""
    params = function.params
    names = [
        param.name.value
        for param in (*params.posonly_params, *params.params, *params.kwonly_params)
    ]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.append(star.name.value)
    return names


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
    indent = route.indent + (module.default_indent if block.indent is None else block.indent)
    newline = module.default_newline
    lines = _log_call_code(logger, event_type, payload, indent, module.default_indent)
    call = cst.parse_statement(newline.join(lines) + newline, config=module.config_for_parsing)
    statements = list(block.body)
    position = 1 if statements and is_docstring(statements[0]) else 0
    statements.insert(position, call)
    return route.function.with_changes(body=block.with_changes(body=statements))
