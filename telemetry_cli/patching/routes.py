"""Find the route handlers of a module: functions FastAPI calls for a route, in any shape.

A handler is a function decorated with ``@<owner>.get/post/.../api_route/websocket(...)`` or
registered with ``<owner>.add_api_route(path, function)``, where ``<owner>`` is an app or a
router: built in this module (at module level, in a function, in a class body), imported from
another module of the package, or a parameter annotated as one. Methods of classes (class-based
views) and functions nested in router factories count too.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field

from telemetry_cli.patching.names import (
    ADD_API_ROUTE,
    ADD_WEBSOCKET_ROUTE,
    API_ROUTE,
    HTTP_METHODS,
    WEBSOCKET,
    WEBSOCKET_METHOD,
)
from telemetry_cli.patching.symbols import (
    FunctionNode,
    ModuleModel,
    PackageIndex,
    Role,
    Scope,
    block_statements,
    unwrapped,
)

# `{name}` or `{name:converter}` in a route template.
PATH_PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}")
_ROUTE_DECORATORS = HTTP_METHODS | {API_ROUTE, WEBSOCKET}


@dataclass(frozen=True)
class Owner:
    """An app or router that routes are declared on.

    ``prefix`` is its path prefix when known without running code (an app's is empty);
    ``reference`` is how code in a handler can read the object at run time, if it can.
    """

    role: Role
    prefix: str | None
    reference: ast.expr | None
    scope: Scope  # where ``reference`` is looked up
    key: tuple[str, str] | None = None  # (module, name) of a module-level app or router


@dataclass(frozen=True)
class Route:
    """One route of a handler: what its log call says about it.

    ``code`` is the Python expression of the route for the payload (a string literal when the
    route is known statically), ``template`` the part of the route known statically (for the
    block type and path parameters), ``methods`` the HTTP methods (None: not known).
    """

    code: str
    template: str
    methods: tuple[str, ...] | None
    line: int
    problem: str | None = None
    owner: tuple[str, str] | None = None  # (module, name) of its module-level router or app
    mounted: bool = False  # ``template`` starts with the prefixes that include its router


@dataclass
class Handler:
    """A route handler and everything its log call needs."""

    function: FunctionNode
    scope: Scope  # the function's own scope
    qualname: str
    module: ModuleModel
    routes: list[Route] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The function's own name."""
        return self.function.name

    @property
    def first_line(self) -> int:
        """The line of its first decorator, or of the ``def``."""
        lines = [decorator.lineno for decorator in self.function.decorator_list]
        return min([*lines, self.function.lineno])

    @property
    def skipped(self) -> bool:
        """Whether ``# telemetry-scaffold: skip`` marks its ``def`` line or a decorator line."""
        lines = self.module.lines
        if lines.has_pragma(self.function.lineno, self.function.lineno):
            return True
        return any(
            lines.has_pragma(decorator.lineno, decorator.end_lineno or decorator.lineno)
            for decorator in self.function.decorator_list
        )

    def label(self) -> str:
        """``name (GET /route)``, as messages show a handler."""
        # An empty template shows as the route's code: `""` for `@router.get("")`.
        shown = [
            f"{','.join(route.methods or ('?',))} {route.template or route.code or '?'}"
            for route in self.routes
        ]
        return f"{self.qualname} ({'; '.join(shown)})" if shown else self.qualname

    def parameters(self) -> list[str]:
        """The names route templates can fill (not ``*args`` or ``**kwargs``)."""
        arguments = self.function.args
        return [arg.arg for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]


@dataclass(frozen=True)
class Suspect:
    """A function that looks like a route handler but whose owner cannot be told."""

    handler: Handler  # without routes
    owner: str

    @property
    def function(self) -> FunctionNode:
        """The function."""
        return self.handler.function

    @property
    def qualname(self) -> str:
        """Its name, with its classes."""
        return self.handler.qualname


def find_handlers(module: ModuleModel, index: PackageIndex) -> tuple[list[Handler], list[Suspect]]:
    """Return the module's route handlers in source order, and route-lookalikes not understood.

    Found once per module (instrumentation, removal and the collision check all ask).
    """
    if module.handlers is None:
        module.handlers = _find(module, index)
    handlers, suspects = module.handlers
    return list(handlers), list(suspects)


def _find(module: ModuleModel, index: PackageIndex) -> tuple[list[Handler], list[Suspect]]:
    finder = _Finder(module, index)
    finder.visit(module.scope, "")
    handlers = [finder.handlers[key] for key in finder.order if finder.handlers[key].routes]
    handlers.sort(key=lambda handler: handler.function.lineno)
    # A function with one route we understand is a handler, whatever its other decorators.
    suspects = [
        suspect for suspect in finder.suspects if not finder.handlers[id(suspect.function)].routes
    ]
    return handlers, suspects


class _Finder:
    def __init__(self, module: ModuleModel, index: PackageIndex) -> None:
        self.module = module
        self.index = index
        self.handlers: dict[int, Handler] = {}
        self.order: list[int] = []
        self.suspects: list[Suspect] = []
        # add_api_route registrations, by the registered function's node.
        self.registered: dict[int, list[Route]] = {}
        # Most modules register no route imperatively: skip walking their statements for it.
        self.registers = ADD_API_ROUTE in module.text or ADD_WEBSOCKET_ROUTE in module.text

    def visit(self, scope: Scope, prefix: str) -> None:
        """Visit the definitions of one scope; ``prefix`` is the qualname of its classes."""
        body = scope.node.body
        for statement in block_statements(body):
            if isinstance(statement, FunctionNode):
                self._function(statement, scope, prefix)
            elif isinstance(statement, ast.ClassDef):
                inner = Scope(statement, self.module, scope)
                self.visit(inner, f"{prefix}{statement.name}.")
            elif self.registers:
                self._registrations(statement, scope)

    def _function(self, function: FunctionNode, scope: Scope, prefix: str) -> None:
        own_scope = Scope(function, self.module, scope)
        handler = self._handler(function, own_scope, prefix)
        for decorator in function.decorator_list:
            parsed = _route_decorator(decorator)
            if parsed is None:
                continue
            call, owner_expression, verb = parsed
            owner = self.owner(owner_expression, scope)
            if owner is None:
                if _looks_like_route(call):
                    self.suspects.append(Suspect(handler, ast.unparse(owner_expression)))
                continue
            handler.routes.append(self._route(call, verb, owner, scope, own_scope))
        # Functions defined inside are visited with this function as their scope: routers
        # built in a factory, and the handlers decorated with them.
        self.visit(own_scope, "")

    def _handler(self, function: FunctionNode, scope: Scope, prefix: str) -> Handler:
        key = id(function)
        if key not in self.handlers:
            self.handlers[key] = Handler(function, scope, f"{prefix}{function.name}", self.module)
            self.order.append(key)
            self.handlers[key].routes.extend(self.registered.pop(key, []))
        return self.handlers[key]

    def _registrations(self, statement: ast.stmt, scope: Scope) -> None:
        """Record ``owner.add_api_route(path, endpoint, ...)`` calls of one statement."""
        for node in ast.walk(statement):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in (ADD_API_ROUTE, ADD_WEBSOCKET_ROUTE)
            ):
                continue
            endpoint = _argument(node, 1, "endpoint")
            if not isinstance(endpoint, ast.Name):
                continue
            binding = scope.lookup(endpoint.id)
            if binding is None or binding.kind != "function":
                continue
            owner = self.owner(node.func.value, scope)
            if owner is None:
                continue
            function = binding.node
            assert isinstance(function, FunctionNode)
            verb = WEBSOCKET if node.func.attr == ADD_WEBSOCKET_ROUTE else API_ROUTE
            function_scope = Scope(function, self.module, binding.scope)
            route = self._route(node, verb, owner, scope, function_scope)
            key = id(function)
            if key in self.handlers:
                self.handlers[key].routes.append(route)
            else:
                self.registered.setdefault(key, []).append(route)

    def owner(self, expression: ast.expr, scope: Scope) -> Owner | None:
        """The app or router ``expression`` names in ``scope``, if it names one."""
        binding = self.index.binding_of(expression, scope)
        if binding is None:
            return None
        # `@app.get(...)` above `app = Wrapper(app)` is a route of the app, not of the wrapper.
        binding = unwrapped(binding)
        if binding.kind == "param":
            argument = binding.node
            assert isinstance(argument, ast.arg)
            if argument.annotation is None:
                return None
            role = self.index.annotation_role(argument.annotation, binding.scope)
            if role is None:
                return None
            return Owner(role, "" if role is Role.APP else None, expression, scope, None)
        if binding.kind != "value" or not isinstance(binding.node, ast.Call):
            return None
        call = binding.node
        role, standard = self.index.built_role(call, binding.scope)
        if role is None:
            return None
        prefix: str | None = ""
        if role is Role.ROUTER:
            prefix = _router_prefix(call, standard, self.index, binding.scope)
        key = None
        if binding.scope.parent is None:
            key = (binding.scope.module.name, binding.name)
        return Owner(role, prefix, expression, scope, key)

    def _route(
        self, call: ast.Call, verb: str, owner: Owner, scope: Scope, handler_scope: Scope
    ) -> Route:
        path_expression = _argument(call, 0, "path")
        path = self.index.string_value(path_expression, scope)
        methods = _methods(call, verb)
        problem = None
        quote = handler_scope.module.quote
        mount = ""
        if path is not None and owner.prefix is not None:
            # Served under the prefixes of the include_router calls that include the router,
            # when they are known and the same for every way it is included.
            mounts = self.index.mounts
            if mounts is not None and owner.key is not None and owner.role is Role.ROUTER:
                mount = mounts.served_prefix(owner.key) or ""
            template = mount + owner.prefix + path
            code = string_literal(template, quote)
        else:
            template = path or ""
            parts: list[str] = []
            if owner.prefix is None:
                reference = _reachable(owner.reference, owner.scope, handler_scope)
                if reference is None:
                    problem = "its router's prefix is only known at run time"
                else:
                    parts.append(f"{reference}.prefix")
            elif owner.prefix:
                parts.append(string_literal(owner.prefix, quote))
            if path is not None:
                parts.append(string_literal(path, quote))
            else:
                reference = _reachable(path_expression, scope, handler_scope)
                if reference is None:
                    problem = "its path is neither a literal nor a constant"
                else:
                    parts.append(reference)
            code = " + ".join(parts)
        if methods is None and problem is None:
            problem = "its methods are not literals"
        return Route(code, template, methods, call.lineno, problem, owner.key, bool(mount))


def _router_prefix(call: ast.Call, standard: bool, index: PackageIndex, scope: Scope) -> str | None:
    """The ``prefix=`` of ``APIRouter(...)``, None when not known statically."""
    if not standard:
        return None  # a factory or a class with its own constructor decides the prefix
    for keyword in call.keywords:
        if keyword.arg == "prefix":
            return index.string_value(keyword.value, scope)
    if any(keyword.arg is None for keyword in call.keywords):
        return None  # **options may hold it
    return ""


def _reachable(expression: ast.expr | None, scope: Scope, handler_scope: Scope) -> str | None:
    """The source of ``expression`` if a handler's body can evaluate it to the same object.

    It must be a name (or attribute chain on one) that the handler sees bound as in ``scope``:
    not a class attribute (invisible from methods), not shadowed by the handler's own names.
    """
    if expression is None:
        return None
    base = expression
    while isinstance(base, ast.Attribute):
        base = base.value
    if not isinstance(base, ast.Name):
        return None
    binding = scope.lookup(base.id)
    if binding is None or binding.scope.is_class:
        return None
    if base.id in handler_scope.assigned_names() or handler_scope.lookup(base.id) is not binding:
        return None
    return ast.unparse(expression)


def _route_decorator(decorator: ast.expr) -> tuple[ast.Call, ast.expr, str] | None:
    """``(call, owner expression, verb)`` for ``@<owner>.<verb>(...)``, else None."""
    if (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in _ROUTE_DECORATORS
    ):
        return decorator, decorator.func.value, decorator.func.attr
    return None


def _looks_like_route(call: ast.Call) -> bool:
    """Whether a decorator call's first argument reads like a URL path."""
    path = _argument(call, 0, "path")
    return (
        isinstance(path, ast.Constant)
        and isinstance(path.value, str)
        and (path.value == "" or path.value.startswith("/"))
    )


def _argument(call: ast.Call, position: int | None, keyword: str) -> ast.expr | None:
    """The argument of ``call`` at ``position`` (if given) or passed as ``keyword=``."""
    positional = [arg for arg in call.args if not isinstance(arg, ast.Starred)]
    if position is not None and position < len(positional) and len(positional) == len(call.args):
        return positional[position]
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    return None


def _methods(call: ast.Call, verb: str) -> tuple[str, ...] | None:
    """The methods a route declares; None when they are not literals."""
    if verb in HTTP_METHODS:
        return (verb.upper(),)
    if verb == WEBSOCKET:
        return (WEBSOCKET_METHOD,)
    methods = _argument(call, None, "methods")
    if methods is None:
        return ("GET",)  # what api_route and add_api_route default to
    if not (isinstance(methods, ast.List | ast.Tuple | ast.Set) and methods.elts):
        return None
    names: list[str] = []
    for element in methods.elts:
        if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
            return None
        names.append(element.value.upper())
    return tuple(dict.fromkeys(names))


_SURROGATE = re.compile(r"[\ud800-\udfff]")
# One encoder for every literal: json.dumps with an option builds a new one at each call (twelve
# literals per handler: a third of a log call's cost).
_JSON = json.JSONEncoder(ensure_ascii=False)
# One escape sequence of a JSON string (a backslash and the character after it).
_JSON_QUOTE = re.compile(r"\\.")


def string_literal(value: str, quote: str = '"') -> str:
    """``value`` as a Python string literal that any UTF-8 file can hold, quoted as ruff would.

    ``quote`` is the preferred quote character (the module's, see ``ModuleModel.quote``); like
    ``ruff format``, the other one is used when the value holds more of the preferred one (fewer
    escapes). JSON's escapes are Python's too; a lone surrogate (which UTF-8 cannot encode) is
    escaped.
    """
    if value.count(quote) > value.count("'" if quote == '"' else '"'):
        quote = "'" if quote == '"' else '"'
    literal = _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", _JSON.encode(value))
    if quote == '"':
        return literal
    # JSON escapes only the double quote; single quotes are the ones to escape here.
    body = _JSON_QUOTE.sub(_unescape_double_quote, literal[1:-1])
    return "'" + body.replace("'", "\\'") + "'"


def _unescape_double_quote(match: re.Match[str]) -> str:
    return '"' if match.group() == '\\"' else match.group()
