"""Find the route handlers of a module: functions FastAPI calls for a route, in any shape.

A handler is a function decorated with ``@<owner>.get/post/.../api_route/websocket(...)`` or
registered with ``<owner>.add_api_route(path, function)``, where ``<owner>`` is an app or a
router: built in this module (at module level, in a function, in a class body), imported from
another module of the package, or a parameter annotated as one. Methods of classes (class-based
views) and functions nested in router factories count too, as do methods of a classy-fastapi
``Routable`` class marked with its plain ``@get(...)``/``@route(...)`` decorators: routes of the
router each instance of the class builds (its ``.router``).
"""

import ast
import copy
import json
import re
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, TypeGuard

from telemetry_cli.patching.instances import (
    MAX_BASES,
    MAX_DELEGATIONS,
    PARTIAL,
    as_written,
    assigning_class,
    bound_parameters,
    class_body_router,
    class_endpoint,
    class_members,
    class_view_routes,
    constructed_prefix,
    controller_router,
    included_instance_router,
    instance_assignments,
    instance_class,
    instance_method,
    instance_role,
    instance_router_key,
    library_built,
    library_call,
    library_object_router,
    method_of_instance,
    package_function,
    parameter_class,
    reachable,
    read_alike,
    refused_prefix,
    resource_methods,
    router_prefix,
)
from telemetry_cli.patching.loops import (
    LoopValues,
    assigned_once_unchanged,
    dict_items,
    kept_by_tests,
    literal_items,
    loop_string,
    loop_values,
    rebinds,
    substituted,
)
from telemetry_cli.patching.names import (
    ADD_API_ROUTE,
    ADD_RESOURCE,
    ADD_WEBSOCKET_ROUTE,
    API_ROUTE,
    APP_ROUTER,
    CALL_METHOD,
    CLASS_VIEWS,
    HTTP_METHODS,
    MOUNT_CLASSES,
    RESTFUL_API_CLASSES,
    RESTFUL_CBV,
    ROUTABLE_CLASSES,
    ROUTABLE_MODULES,
    ROUTABLE_ROUTE,
    ROUTE_CLASS,
    ROUTE_DECORATORS,
    STARLETTE_ADD_ROUTES,
    STARLETTE_ROUTES,
    WEBSOCKET,
    WEBSOCKET_METHOD,
)
from telemetry_cli.patching.settings import SettingsDefaults, environment_reads
from telemetry_cli.patching.symbols import (
    Binding,
    FunctionNode,
    ModuleModel,
    PackageIndex,
    Role,
    Scope,
    assigned_targets,
    assigns_name,
    block_statements,
    bound_once,
    builtin_getattr,
    call_argument,
    call_bound_once,
    calls_builtin,
    chain_root,
    instance_parameter,
    listed_items,
    names_in,
    one_positional_parameter,
    returned_only,
    sole_binding,
    sub_blocks,
    unwrapped,
)

if TYPE_CHECKING:
    from telemetry_cli.patching.mounts import Mounts


class PassedInstance(ast.Call):
    """``kls()`` in a helper, for a class of the module a call passes as ``kls``: its instance.

    ``def register(path, kls): view = kls()`` called as ``register("/items", ItemView)``:
    ``view`` stands for ``ItemView()``, whose bound methods are the endpoints it registers.
    """

    cls: Binding


#: ``inspect.getmembers(obj, inspect.ismethod)``: a loop over an instance's bound methods.
_GETMEMBERS = "inspect.getmembers"
_ISMETHOD = "inspect.ismethod"
# ... and `inspect.getmembers(obj, inspect.isfunction)`: its plain functions.
_ISFUNCTION = "inspect.isfunction"
# Which kinds of functions of a class body each predicate keeps, read from an instance or from
# the class: a class method is bound either way, a static method plain either way, and a plain
# method bound only on an instance.
_MEMBER_KINDS: dict[tuple[str, bool], frozenset[str]] = {
    (_ISMETHOD, False): frozenset({"plain", "class"}),
    (_ISMETHOD, True): frozenset({"class"}),
    (_ISFUNCTION, False): frozenset({"static"}),
    (_ISFUNCTION, True): frozenset({"plain", "static"}),
}
# A property's own decorators (`@name.setter`) and `functools.cached_property`.
_PROPERTY_ACCESSORS = frozenset({"setter", "getter", "deleter"})
_CACHED_PROPERTY = "functools.cached_property"
# Route classes listed in a constructor's routes=, and the verb each registers as.
_ROUTE_CLASSES = {
    "fastapi.routing.APIRoute": API_ROUTE,
    "fastapi.routing.APIWebSocketRoute": WEBSOCKET,
}
#: Starlette's route classes, listed in a constructor's routes (``FastAPI(routes=[Route(...)])``).
_STARLETTE_ROUTE_CLASSES = frozenset(
    {
        "starlette.routing.Route",
        "starlette.routing.WebSocketRoute",
        "fastapi.routing.Route",
        "fastapi.routing.WebSocketRoute",
    }
)
# `{name}` or `{name:converter}` in a route template.
PATH_PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}")
#: The class-based controller libraries of FastAPI whose route verbs (``@get("/")``) mark the
#: methods of a class deriving from the base named, and whose router is not read: the library
#: builds it (fastapi-controllers' ``Controller.create_router()``; classy-fastapi's ``Routable``
#: is read, see :meth:`_Finder._routable_route`). Another library's verb (uplink's HTTP client
#: ``@get`` on a ``Consumer``, litestar's) or one on another class registers no FastAPI route.
_CONTROLLER_BASES = {"fastapi_controllers": "Controller"}


class Owner(NamedTuple):
    """An app or router that routes are declared on.

    ``prefix`` is its path prefix when known without running code (an app's is empty);
    ``reference`` is how code in a handler can read the object at run time, if it can.
    """

    role: Role
    prefix: str | None
    reference: ast.expr | None
    scope: Scope  # where ``reference`` is looked up
    key: tuple[str, str] | None = None  # (module, name) of a module-level app or router
    # Said on a line when its routes are logged: why the prefixes around it are not known.
    note: str | None = None
    unserved: bool = False  # a router no app serves, for sure (see Mounts.unserved)
    # The prefix known statically for a handler that cannot read ``reference`` (``prefix``
    # None): a router class's one instance, read from another class's method.
    static_prefix: str | None = None


class Route(NamedTuple):
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
    note: str | None = None  # a line for the report: what the logged route leaves out
    # ``code`` is the string literal of ``template`` (the whole path known without running).
    static: bool = True
    # Its router is served by no app, for sure (see Mounts.unserved).
    unserved: bool = False
    # ``code`` reads the path each registration passes a handler factory (``make_page(path,
    # ...)``); ``template`` is this registration's, when known.
    passed: bool = False
    # The factory that made the handler for this registration without being passed its path
    # (``make_job(kind)``): which of the handler's routes a request took, its code cannot tell.
    factory: str | None = None
    # Registered by another module on a line marked ``# telemetry-scaffold: skip``.
    skipped: bool = False
    # The handler's parameters a ``functools.partial`` registered binds positionally to a
    # literal (name, value): what tells this route's requests from the handler's other routes'
    # (see _bound_literals).
    bound: tuple[tuple[str, str | int], ...] = ()
    # The file of the module registering it, when not the handler's (``line`` is a line of it).
    registered_in: str | None = None


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
        """Whether ``# telemetry-scaffold: skip`` marks its ``def`` line or a decorator line.

        Or, for a function only other modules register, every line registering it.
        """
        lines = self.module.lines
        if lines.has_pragma(self.function.lineno, self.function.lineno):
            return True
        if self.routes and all(route.skipped for route in self.routes):
            return True  # registered elsewhere only, on lines marked there
        return any(
            lines.has_pragma(decorator.lineno, decorator.end_lineno or decorator.lineno)
            for decorator in self.function.decorator_list
        )

    @property
    def readable(self) -> bool:
        """Whether the path and methods of every route are known (generate can write its call).

        A handler with a route that is not is logged by hand: no call in it is generate's.
        """
        return not any(route.problem for route in self.routes)

    def label(self) -> str:
        """``name (GET /route)``, as messages show a handler."""
        # An empty template shows as the route's code: `""` for `@router.get("")`.
        # A path only known at run time shows as the expression logged, not its known part.
        # A path a handler factory is passed shows as the registration's own, when known.
        shown = [
            f"{','.join(route.methods or ('?',))} "
            f"{(route.template if route.static or route.passed else '') or route.code or '?'}"
            for route in self.routes
        ]
        return f"{self.qualname} ({'; '.join(shown)})" if shown else self.qualname

    def parameters(self) -> list[tuple[ast.arg, ast.expr | None]]:
        """The named parameters (not ``*args`` or ``**kwargs``), each with its default or None."""
        arguments = self.function.args
        positional = [*arguments.posonlyargs, *arguments.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
        pairs = list(zip(positional, [*defaults, *arguments.defaults], strict=True))
        return pairs + list(zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True))

    def path_parameters(self) -> dict[str, str]:
        """The parameter each name of a route template fills, by that name.

        A named parameter fills the path parameter of its own name, or of its alias:
        ``item_id: int = Path(alias="id")`` or ``Annotated[int, Path(alias="id")]`` is ``{id}``.
        A dependency (``= Depends(...)``, ``Annotated[..., Depends(...)]``) fills none, even of
        the same name: FastAPI resolves dependencies first.
        """
        filled: dict[str, str] = {}
        for argument, default in self.parameters():
            markers = _markers(default, argument.annotation)
            if any(is_dependency(marker) for marker in markers):
                continue
            filled.setdefault(argument.arg, argument.arg)
            alias = next(filter(None, map(_path_alias, markers)), None)
            if alias is not None:
                filled[alias] = argument.arg
        return filled


class Suspect(NamedTuple):
    """A function that looks like a route handler but whose owner cannot be told."""

    handler: Handler  # without routes
    owner: str
    #: The class of the package whose own route decorator registers another function.
    replaced_by: str | None = None
    #: The library whose decorator marks the method a route of a class-based controller
    #: (fastapi-controllers' ``@get("/")`` in a ``Controller``): its router is the library's.
    controller: str | None = None

    @property
    def function(self) -> FunctionNode:
        """The function."""
        return self.handler.function

    @property
    def qualname(self) -> str:
        """Its name, with its classes."""
        return self.handler.qualname


class Unfollowed(NamedTuple):
    """An ``add_api_route`` registration of a router whose endpoint is no function of the module.

    A log call goes into the function FastAPI calls: an endpoint imported from another module of
    the package (``router.add_api_route("/x", views.get_x)``) is a handler of that module, with
    the route registered here (``route``), instrumented when the plan names that module. Any
    other endpoint (a library's function, a lambda, a value only known at run time) is named.

    So is a Starlette route of an app or router (``@router.route("/x")``,
    ``router.add_route("/x", endpoint)``, ``starlette``): FastAPI calls its function with the
    bare request, outside its own parameters, and the log call form of its routes (the path
    parameters and captured fields it reads) does not hold there.
    """

    line: int
    end_line: int
    registration: str  # `router.add_api_route`
    endpoint: str  # the endpoint's source, `views.get_x`
    defined_in: str | None  # the file defining it, when it is a function of the package
    # A module-level function of another module of the package, and the route registered for it.
    function: FunctionNode | None = None
    route: Route | None = None
    starlette: bool = False
    # The package's classes whose methods the endpoint is read from (a homegrown class-based
    # view registered dynamically: `getattr(view(), verb)`), each as `Name` (file:line).
    views: tuple[str, ...] = ()
    # The package's function that makes the endpoint, not passed the path only known at run
    # time that it is registered at (`make_raw(handler)` in `for path, handler in routes`).
    factory: str | None = None
    # What a Starlette route serves, read as a FastAPI route is (its path under the prefixes
    # of its router, its methods, its owner): it answers requests alike (see collisions).
    served: Route | None = None

    @classmethod
    def of(
        cls,
        call: ast.Call,
        endpoint: str,
        defined_in: str | None,
        end_line: int | None = None,
        *,
        function: FunctionNode | None = None,
        route: Route | None = None,
        starlette: bool = False,
        views: tuple[str, ...] = (),
        factory: str | None = None,
        served: Route | None = None,
    ) -> "Unfollowed":
        """The registration ``call`` of ``endpoint``, through ``end_line`` (its own by default)."""
        return cls(
            call.lineno,
            end_line or call.end_lineno or call.lineno,
            ast.unparse(call.func),
            endpoint,
            defined_in,
            function,
            route,
            starlette or served is not None,
            views,
            factory,
            served,
        )


# Why a route whose path is only known at run time (and not read alike by its handler) is not
# logged: one, to tell it from the other problems of a route.
_PATH_NOT_KNOWN = "its path is neither a literal nor a constant"

# How many expressions :meth:`_Finder._view_classes` reads following an endpoint's names.
_MAX_VIEW_STEPS = 16


def unfollowed_registrations(module: ModuleModel, index: PackageIndex) -> list[Unfollowed]:
    """The module's ``add_api_route`` registrations whose endpoint is not one of its functions."""
    if module.unfollowed is None:
        module.unfollowed = _Finder(module, index).scan()
    return list(module.unfollowed)


def _registered_elsewhere(
    module: ModuleModel, index: PackageIndex
) -> list[tuple[Unfollowed, bool]]:
    """The registrations, in the package's other modules, of a function of ``module``.

    ``app.add_api_route("/health", health.check)`` in the app's module makes ``check`` a
    handler of ``health``. The package's modules are those the include calls were read from.
    Each comes with whether its line is marked ``# telemetry-scaffold: skip``.
    """
    mounts = index.mounts
    if mounts is None:
        return []
    if mounts.registering is None:
        # Looked for once: every module of the package asks (the collision check reads all).
        mounts.registering = [
            name
            for name in mounts.modules
            if (source := index.source(name)) is not None and _may_register(source.text)
        ]
    found: list[tuple[Unfollowed, bool]] = []
    for name in mounts.registering:
        if name == module.name:
            continue
        other = index.module(name)
        if other is None:
            continue
        found.extend(
            (registration, other.lines.has_pragma(registration.line, registration.end_line))
            for registration in unfollowed_registrations(other, index)
            if registration.route is not None
            and registration.function is not None
            and registration.defined_in == module.path
        )
    return found


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
    unfollowed = finder.scan()
    if module.unfollowed is None:
        module.unfollowed = unfollowed
    for registration, marked in _registered_elsewhere(module, index):
        assert registration.function is not None and registration.route is not None
        handler = finder.handlers.get(id(registration.function))
        if handler is not None:
            route = registration.route
            # `# telemetry-scaffold: skip` on the registration: logged by hand, or not at all.
            handler.routes.append(route._replace(skipped=True) if marked else route)
    handlers = [finder.handlers[key] for key in finder.order if finder.handlers[key].routes]
    handlers.sort(key=lambda handler: handler.function.lineno)
    # A function with one route we understand is a handler, whatever its other decorators.
    suspects = [
        suspect for suspect in finder.suspects if not finder.handlers[id(suspect.function)].routes
    ]
    return handlers, suspects


def _helper_of(node: ast.Call, scope: Scope) -> FunctionNode | None:
    """The helper whose parameters an ``add_api_route`` call in it reads, if it is one.

    A module-level function, ``def route(path, endpoint): router.add_api_route(path,
    endpoint)``, an instance method of a module-level class, ``def add_api_route(self,
    path, endpoint, **options): return self.router.add_api_route(path, endpoint, **options)``
    (the instance is no parameter a caller passes), or the decorator a decorator factory
    returns (see :func:`_decorator_factory`): the routes are those of its calls, or of the
    functions it decorates (see ``_Finder._helper_routes``). None for any other registration.
    """
    function = scope.node
    if not (
        isinstance(function, FunctionNode)
        and scope.parent is not None
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in (ADD_API_ROUTE, ADD_WEBSOCKET_ROUTE)
    ):
        return None
    instance = instance_parameter(scope)
    if (
        scope.parent.parent is not None
        and (instance is None or scope.parent.parent.parent)
        and _decorator_factory(scope) is None
    ):
        # Neither a module's function, an instance method of a module's class, nor the
        # decorator a decorator factory returns.
        return None
    reads_parameter = any(
        isinstance(inner, ast.Name)
        and inner.id != instance
        and (binding := scope.bindings.get(inner.id)) is not None
        and binding.kind == "param"
        for inner in ast.walk(node)
    )
    return function if reads_parameter else None


def _written_out(
    template: ast.Call,
    scope: Scope,
    function: FunctionNode,
    call: ast.Call,
    call_scope: Scope,
    decorated: ast.expr | None = None,
    read_there: ast.expr | None = None,
) -> ast.Call | None:
    """The registration ``template`` (in ``function``) with what ``call`` passes, at ``call``.

    ``router.add_api_route(path, endpoint, **options)`` for ``route("/x", get_x, tags=["x"])``
    is ``router.add_api_route("/x", get_x, tags=["x"])`` on the call's line, read in the call's
    scope. With ``decorated``, ``call`` is a decorator factory's (``@route("/x")``, ``function``
    the factory) and ``template`` is in the decorator it returns (``scope``'s function), whose
    one parameter is ``decorated``: the function decorated, or the endpoint the decorator is
    applied to by hand (``route("/x")(get_x)``), read in ``call``'s scope. None when the call
    cannot be matched to the parameters (``*args``, ``**options`` of its own), or a name the
    registration reads besides them means something else at the call (a local of the helper, a
    name the call's function binds too). ``read_there``, a part of ``template`` read where it is
    written (the router of ``return router.get(path)``), may name what the call's scope does
    not.
    """
    bound = bound_parameters(function, call)
    if bound is None:
        return None
    arguments, extra, defaulted = bound
    own = {id(function)}
    if decorated is not None:
        decorator = scope.node
        assert isinstance(decorator, FunctionNode)
        own.add(id(decorator))
        (parameter,) = decorator.args.args
        arguments[parameter.arg] = decorated
    # Where the factory (or the helper itself) is defined: what its defaults are read in.
    defined = scope.parent if decorated is None else scope.parent and scope.parent.parent
    rest = function.args.kwarg.arg if function.args.kwarg is not None else None
    # `**options` handed on by a call of the registration (`router.post(path, **options)(fn)`).
    passed_on = {
        id(keyword.value)
        for node in ast.walk(template)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg is None and isinstance(keyword.value, ast.Name) and keyword.value.id == rest
    }
    # A default is written where the helper is defined: read at the call, it must mean the same.
    defaults = [node for parameter in defaulted for node in ast.walk(arguments[parameter])]
    there = set() if read_there is None else {id(node) for node in ast.walk(read_there)}
    for node in ast.walk(template):
        if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)) or id(node) in there:
            continue
        if node.id in arguments:
            binding = scope.lookup(node.id)
            if binding is None or binding.kind != "param" or id(binding.scope.node) not in own:
                return None  # the parameter is given another value before the registration
        elif id(node) not in passed_on and (
            node.id == rest
            # A loop target of the helper (`for name, method in getmembers(obj)`) is no binding.
            or scope.stores[node.id]
            or scope.lookup(node.id) is not call_scope.lookup(node.id)
        ):
            return None
    for node in defaults:
        if isinstance(node, ast.Name) and (
            defined is None or defined.lookup(node.id) is not call_scope.lookup(node.id)
        ):
            return None
    written = _PassedArguments(arguments, rest, extra).visit(copy.deepcopy(template))
    assert isinstance(written, ast.Call)
    return ast.copy_location(written, call)


def _with_receiver(call: ast.Call) -> ast.Call:
    """``self.route(a, b)`` as the call of the function it runs: ``route(self, a, b)``."""
    assert isinstance(call.func, ast.Attribute)
    written = ast.Call(call.func, [call.func.value, *call.args], call.keywords)
    return ast.copy_location(written, call)


def _delegation(scope: Scope) -> ast.Call | None:
    """The decorator call an instance method (``scope``) returns on its instance.

    ``def get(self, path, **options): return self.router.get(path, **options)``, or a body
    whose last statement is its one ``return`` (``deps = [...]``, then ``return
    self.router.api_route(path, methods=[method], dependencies=deps)``): that call, without
    the keywords reading the method's locals (``dependencies=deps``: they say nothing of
    where the route is served, and mean nothing where the call is written out), unless they
    give its path or methods. None for any other method.
    """
    method = scope.node
    if not isinstance(method, FunctionNode):
        return None
    last = method.body[-1]
    returns = [
        node
        for statement in block_statements(method.body)
        for node in _own_nodes(statement)
        if isinstance(node, ast.Return | ast.Yield | ast.YieldFrom)
    ]
    receiver = [*method.args.posonlyargs, *method.args.args][0].arg
    if not (
        returns == [last]
        and isinstance(last, ast.Return)
        and isinstance(last.value, ast.Call)
        and isinstance(last.value.func, ast.Attribute)
    ):
        return None
    root = chain_root(last.value.func)
    if not isinstance(root, ast.Name) or root.id != receiver:
        return None
    kept = [
        keyword
        for keyword in last.value.keywords
        if keyword.arg in (None, "path", "methods")
        or not any(
            isinstance(node, ast.Name)
            and (binding := scope.bindings.get(node.id)) is not None
            and binding.kind != "param"
            for node in ast.walk(keyword.value)
        )
    ]
    return ast.copy_location(ast.Call(last.value.func, last.value.args, kept), last.value)


def _decorator_factory(scope: Scope) -> FunctionNode | None:
    """The decorator factory returning the function of ``scope``, if it is one's decorator.

    ``def route(path, **options): def register(fn): router.add_api_route(path, fn,
    **options); return fn; return register``, then ``@route("/x")`` on a handler: the
    factory, for ``register``'s scope (a function of one positional parameter, defined in the
    factory's own body, which it returns as its last statement). None for any other function.
    """
    inner = scope.node
    factory = scope.parent.node if scope.parent is not None else None
    if not (isinstance(inner, FunctionNode) and isinstance(factory, FunctionNode)):
        return None
    signature = inner.args
    last = factory.body[-1]
    if (
        not one_positional_parameter(signature)
        or signature.defaults
        or inner.decorator_list
        or inner not in factory.body
        or not isinstance(last, ast.Return)
        or not isinstance(last.value, ast.Name)
        or last.value.id != inner.name
    ):
        return None
    return factory


def _scoped_nodes(scope: Scope) -> Iterator[tuple[ast.AST, Scope]]:
    """Every node of ``scope``'s code and its nested definitions, with the scope it runs in.

    A definition's decorators, defaults and bases run in the scope around it.
    """
    pending: list[tuple[ast.AST, Scope]] = [(node, scope) for node in scope.node.body]
    while pending:
        node, where = pending.pop()
        yield node, where
        if isinstance(node, FunctionNode | ast.ClassDef):
            outside: list[ast.AST] = list(node.decorator_list)
            if isinstance(node, ast.ClassDef):
                outside += [*node.bases, *node.keywords]
            else:
                outside += [*node.args.defaults, *filter(None, node.args.kw_defaults)]
            pending.extend((item, where) for item in outside)
            inner = Scope(node, where.module, where)
            pending.extend((item, inner) for item in node.body)
            continue
        pending.extend((child, where) for child in ast.iter_child_nodes(node))


def _reads_of(name: str, scope: Scope) -> int:
    """How many times the code of ``scope`` reads ``name``, its nested functions included.

    A function or class binding ``name`` itself is not entered (its decorators, defaults and
    bases, which run in ``scope``, are read): its reads are of its own ``name``.
    """
    count = 0
    pending: list[ast.AST] = list(scope.node.body)
    while pending:
        node = pending.pop()
        if isinstance(node, FunctionNode | ast.ClassDef):
            outside: list[ast.AST] = list(node.decorator_list)
            if isinstance(node, ast.ClassDef):
                outside += [*node.bases, *node.keywords]
            else:
                outside += [*node.args.defaults, *filter(None, node.args.kw_defaults)]
            pending.extend(outside)
            if name not in Scope(node, scope.module, scope).assigned_names():
                pending.extend(node.body)
            continue
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
            count += 1
        pending.extend(ast.iter_child_nodes(node))
    return count


class _PassedArguments(ast.NodeTransformer):
    """Replaces a helper's parameters by what one call passes (see :func:`_written_out`)."""

    def __init__(
        self, arguments: dict[str, ast.expr], rest: str | None, extra: list[ast.keyword]
    ) -> None:
        self.arguments = arguments
        self.rest = rest
        self.extra = extra

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if isinstance(node.ctx, ast.Load) and node.id in self.arguments:
            return self.arguments[node.id]
        return node

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        keywords: list[ast.keyword] = []
        for keyword in node.keywords:
            if (
                keyword.arg is None
                and isinstance(keyword.value, ast.Name)
                and keyword.value.id == self.rest
            ):
                keywords.extend(self.extra)  # `**options`: the keywords the call passes on
            else:
                keywords.append(keyword)
        node.keywords = keywords
        return node


def _may_register(text: str) -> bool:
    """Whether a module's ``text`` may register routes imperatively (a quick text test).

    ``add_api_route``, a route decorator applied by hand (``app.post("/chat")(chat)``), an
    ``APIRoute`` of ``routes=``, fastapi-restful's ``add_resource`` and ``@cbv(router, url)``,
    fastapi-class's ``@View(router)`` (serving methods a base class of another module may
    define), a Starlette route (also ``Route(...)`` or ``Mount(..., routes=...)`` listed in an
    app's ``routes=``, without any ``APIRoute``): most modules hold none, and their statements
    are not walked for them.
    """
    return (
        ADD_API_ROUTE in text
        or ADD_WEBSOCKET_ROUTE in text
        or ROUTE_CLASS.search(text) is not None
        or "Route(" in text  # `Route(...)`, `WebSocketRoute(...)` in a `routes=` list
        or "Mount(" in text
        or ")(" in text  # `router.get("/")(handler)`
        or ADD_RESOURCE in text
        or "cbv(" in text
        or "View(" in text
        or any(f".{name}(" in text for name in STARLETTE_ADD_ROUTES)
    )


class _PassedReader(ast.NodeTransformer):
    """An expression with each part a factory is passed replaced by the parameter it fills."""

    def __init__(self, parameters: dict[str, str]) -> None:
        self.parameters = parameters  # each argument's `ast.dump`, to its parameter's name
        self.replaced: list[tuple[ast.expr, str]] = []  # each part replaced, with the name

    def visit(self, node: ast.AST) -> ast.AST:
        """``node``, or the parameter name standing for it."""
        name = self.parameters.get(ast.dump(node)) if isinstance(node, ast.expr) else None
        if name is not None:
            assert isinstance(node, ast.expr)
            self.replaced.append((node, name))
            # Located where the part was: `reachable` reads positions (its text is not used).
            return ast.copy_location(ast.Name(name, ast.Load()), node)
        visited: ast.AST = super().visit(node)
        return visited

    def written(self, expression: ast.expr, scope: Scope) -> str:
        """``expression`` as its module writes it (its quotes), with the parts replaced."""
        start, end = expression.col_offset, expression.end_col_offset
        if end is None or any(
            part.lineno != expression.lineno or part.end_lineno != expression.lineno
            for part, _ in self.replaced
        ):
            return ast.unparse(_PassedReader(self.parameters).visit(copy.deepcopy(expression)))
        text = scope.module.lines.line(expression.lineno).encode("utf-8")[:end]
        for part, name in sorted(self.replaced, key=lambda item: -item[0].col_offset):
            text = text[: part.col_offset] + name.encode() + text[part.end_col_offset or 0 :]
        return text[start:].decode("utf-8")


def _returned_function(
    binding: Binding | None, *, method: bool = False
) -> tuple[FunctionNode, Scope] | None:
    """The function a factory defines in its body and returns, with the scope it is defined in.

    ``def make_predict(name, model): async def predict(...): ...; return predict``: each call
    makes one ``predict``, the handler FastAPI calls. Only a plain function of the module, or
    of a function (``def make(jt)`` in the loop of an app factory registering what it makes),
    not async, not decorated, returning that one name, bound by the ``def`` alone, every time.
    ``method``: a plain method of a class, called on its instance (``self._create_get(Model)``
    in another method of the class).
    """
    if binding is None or binding.kind != "function":
        return None
    if method != isinstance(binding.scope.node, ast.ClassDef):
        return None  # a method: called on what, not known here
    if binding.scope.parent is not None and not isinstance(
        binding.scope.node, FunctionNode | ast.ClassDef
    ):
        return None
    factory = binding.node
    if not isinstance(factory, ast.FunctionDef) or factory.decorator_list:
        return None
    returns = [
        node
        for statement in block_statements(factory.body)
        for node in _own_nodes(statement)
        if isinstance(node, ast.Return)
    ]
    if len(returns) != 1 or returns[0] is not factory.body[-1]:
        return None
    returned = returns[0].value
    if not isinstance(returned, ast.Name):
        return None
    defined = [
        statement
        for statement in block_statements(factory.body)
        for node in _own_nodes(statement)
        if (isinstance(node, FunctionNode | ast.ClassDef) and node.name == returned.id)
        or (
            isinstance(node, ast.Name)
            and node.id == returned.id
            and not isinstance(node.ctx, ast.Load)
        )
    ]
    inner = defined[0] if len(defined) == 1 else None
    if not isinstance(inner, FunctionNode) or inner not in factory.body:
        return None
    module = binding.scope.module
    return inner, Scope(factory, module, binding.scope)


def _own_nodes(statement: ast.stmt) -> Iterator[ast.AST]:
    """The nodes of one statement, not those of the statements of its blocks.

    ``block_statements`` yields an ``if``'s inner statements on their own: walking the ``if``
    whole too found each registration in it twice.
    """
    pending: deque[ast.AST] = deque([statement])
    while pending:
        node = pending.popleft()
        yield node
        pending.extend(
            child for child in ast.iter_child_nodes(node) if not isinstance(child, ast.stmt)
        )


class _Finder:
    def __init__(self, module: ModuleModel, index: PackageIndex) -> None:
        self.module = module
        self.index = index
        self.handlers: dict[int, Handler] = {}
        self.order: list[int] = []
        self.suspects: list[Suspect] = []
        self.unfollowed: list[Unfollowed] = []
        # The definitions inside `except` blocks, by scope: each with its `try` (see _fallback).
        self.fallbacks: dict[int, dict[int, ast.Try | ast.TryStar]] = {}
        # The lines of the bodies of each scope's `for` loops (see _in_a_loop).
        self.loop_spans: dict[int, list[tuple[int, int]]] = {}
        # add_api_route registrations, by the registered function's node.
        self.registered: dict[int, list[Route]] = {}
        # Registrations a helper makes with what its callers pass (`def route(path, endpoint):
        # router.add_api_route(path, endpoint)`, or such a method of a class), by the helper's
        # node; and the calls by a name or on a name seen, by that name (`route`, `.route`),
        # with their scopes (see _helper_routes).
        self.helpers: dict[int, tuple[FunctionNode, list[tuple[ast.Call, Scope]]]] = {}
        self.name_calls: dict[str, list[tuple[ast.Call, Scope]]] = {}
        # The decorators called by a name (`@route("/x")`), with their scope and the function
        # they decorate, by that name: what a decorator factory's decorator registers.
        self.decorations: dict[str, list[tuple[ast.Call, Scope, FunctionNode]]] = {}
        # Most modules register no route imperatively: skip walking their statements for it.
        self.registers = _may_register(module.text)

    def scan(self) -> list[Unfollowed]:
        """Visit the whole module; return its registrations of endpoints it does not define."""
        self.visit(self.module.scope, "")
        self._helper_routes()
        return self.unfollowed

    def visit(self, scope: Scope, prefix: str) -> None:
        """Visit the definitions of one scope; ``prefix`` is the qualname of its classes."""
        body = scope.node.body
        for statement in block_statements(body):
            if isinstance(statement, FunctionNode):
                self._function(statement, scope, prefix)
            elif isinstance(statement, ast.ClassDef):
                self._cbv_urls(statement, scope)
                inner = Scope(statement, self.module, scope)
                self.visit(inner, f"{prefix}{statement.name}.")
            elif self.registers:
                self._registrations(statement, scope)

    def _function(self, function: FunctionNode, scope: Scope, prefix: str) -> None:
        own_scope = Scope(function, self.module, scope)
        handler = self._handler(function, own_scope, prefix)
        for written in function.decorator_list:
            decorator = _unaliased(written, scope)
            if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Name):
                self.decorations.setdefault(decorator.func.id, []).append(
                    (decorator, scope, function)
                )
            parsed = _route_decorator(decorator, scope)
            owner_scope = scope
            if parsed is None:
                aliased = self._aliased_route_decorator(decorator, scope)
                if aliased is not None:
                    parsed, owner_scope = aliased
            if parsed is None and isinstance(decorator, ast.Call):
                endpoint = ast.copy_location(ast.Name(function.name, ast.Load()), decorator)
                if self._imported_factory(decorator, endpoint, scope):
                    continue
            if parsed is None:
                marked = self._routable_route(decorator, scope, own_scope)
                if marked is not None:
                    handler.routes.append(marked)
                elif not self._starlette_route(decorator, function, handler.qualname, scope):
                    alias = self._unfollowed_alias(decorator, scope)
                    routed = None if alias is not None else self._controller(decorator, scope)
                    if alias is not None:
                        self.suspects.append(Suspect(handler, alias))
                    elif routed is not None:
                        self.suspects.append(Suspect(handler, routed[1], controller=routed[0]))
                continue
            call, owner_expression, verb = parsed
            owner = self.owner(owner_expression, owner_scope)
            if owner is None:
                endpoint = ast.copy_location(ast.Name(function.name, ast.Load()), decorator)
                if self._imported_factory(call, endpoint, scope):
                    continue  # `@api.post("/x")`: a decorator factory method of `api`'s class
                if _looks_like_route(call):
                    self.suspects.append(Suspect(handler, ast.unparse(owner_expression)))
                continue
            replacing = self._replacing_class(owner_expression, verb, owner_scope)
            if replacing is not None:
                # `@proxy.get(...)` of an app class whose own `get` registers another function:
                # FastAPI never calls this one, a log call in it would never run.
                self.suspects.append(Suspect(handler, ast.unparse(call.func), replacing))
                continue
            fallback = self._fallback(function, owner_expression, scope)
            for path in self._looped_paths(call, function, scope):
                route = self._route(call, verb, owner, scope, own_scope, path=path)
                if fallback is not None:
                    route = route._replace(note=fallback, unserved=True)
                handler.routes.append(route)
        # Functions defined inside are visited with this function as their scope: routers
        # built in a factory, and the handlers decorated with them.
        self.visit(own_scope, "")

    def _looped_paths(
        self, decorator: ast.Call, function: FunctionNode, scope: Scope
    ) -> list[str | None]:
        """The paths a route decorator gives, once per item of the loops it reads.

        ``for name in ("hybrid", "hierarchical"):`` around ``@app.post(f"/chunk/{name}")`` on
        a ``def``: each iteration defines the function again, and registers it at the path of
        its item. ``[None]`` (the path as written) unless the path reads such a loop's names
        and every item gives a string.
        """
        path = call_argument(decorator, 0, "path")
        if (
            path is None
            or not any(isinstance(node, ast.Name) for node in ast.walk(path))
            or not self._in_a_loop(function, scope)
        ):
            return [None]  # asked of every handler: the loops are looked for once a scope
        # Read from the `def` line: the loop's body starts there, below the decorators.
        read = ast.copy_location(ast.Tuple(elts=[path], ctx=ast.Load()), function)
        environments = loop_values(read, scope, self.index)
        if environments is None or environments == [{}]:
            return [None]
        texts = [loop_string(path, scope, values, self.index) for values in environments]
        if any(text is None for text in texts):
            return [None]
        return list(dict.fromkeys(texts))

    def _in_a_loop(self, function: FunctionNode, scope: Scope) -> bool:
        """Whether ``function`` is defined in the body of a ``for`` loop of ``scope``'s own code."""
        spans = self.loop_spans.get(id(scope.node))
        if spans is None:
            spans = self.loop_spans[id(scope.node)] = [
                (loop.body[0].lineno, loop.body[-1].end_lineno or loop.body[-1].lineno)
                for loop in block_statements(scope.node.body)
                if isinstance(loop, ast.For | ast.AsyncFor) and loop.body
            ]
        return any(start <= function.lineno <= end for start, end in spans)

    def _fallback(self, function: FunctionNode, owner: ast.expr, scope: Scope) -> str | None:
        """A line for a handler declared in the ``except`` fallback of what its ``try`` binds.

        ``try: from .full import router`` / ``except ImportError: router = APIRouter()`` and a
        route on it: when the import works (as the code is read), the router served is the one
        imported and the fallback's routes are served by nothing; they answer only when it
        fails, under the same paths. None for any other handler.
        """
        tries = self.fallbacks.get(id(scope.node))
        if tries is None:
            tries = self.fallbacks[id(scope.node)] = _fallback_tries(scope.node.body)
        found = tries.get(id(function))
        base = chain_root(owner)
        root = base.id if isinstance(base, ast.Name) else None
        if found is None or root is None or not rebinds(found.body, {root}):
            return None
        return (
            f"`{function.name}` is declared in the `except` fallback of the `try` at line "
            f"{found.lineno}, which binds `{root}` when it works: it is served only when that "
            "fails, in place of the routes the `try` binds (logged with the same path)"
        )

    def _controller(self, decorator: ast.expr, scope: Scope) -> tuple[str, str] | None:
        """The library and the decorator as written, for a class-based controller's route.

        ``@get("/x")`` on a function in a class body, ``get`` a route verb of a library (``from
        fastapi_controllers import get``) called with a path, the class deriving from the
        library's base (:data:`_CONTROLLER_BASES`): the library builds the class's router and
        registers its methods (not read). None for anything else.
        """
        if not (
            isinstance(scope.node, ast.ClassDef)
            and isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Name | ast.Attribute)
            and _looks_like_route(decorator)
        ):
            return None
        qualified = self.index.qualify(decorator.func, scope)
        if qualified is None or qualified.rpartition(".")[2] not in ROUTE_DECORATORS:
            return None
        canonical, binding = self.index.resolve(qualified)
        library = canonical.partition(".")[0]
        if (
            library not in _CONTROLLER_BASES
            or not self.index.from_a_library(canonical, binding)
            or scope.parent is None
            or not self.index.derives_from(
                Binding("class", scope.node.name, scope.parent, scope.node),
                # The base by its last part: a name of the library's submodules counts.
                lambda base: (
                    base.partition(".")[0] == library
                    and base.rpartition(".")[2] == _CONTROLLER_BASES[library]
                ),
            )
        ):
            return None
        return library, ast.unparse(decorator.func)

    def _unfollowed_alias(self, decorator: ast.expr, scope: Scope) -> str | None:
        """The name of ``@deco(...)`` when it holds a route decorator not followed, else None.

        ``deco`` bound to a route method of an app or router chosen at run time (``target =
        router.get if method == "GET" else router.post``), or another module's name for a
        method (``deco = api.route`` there, imported here: its object is not bound here, see
        :func:`_unaliased`). Its handler is named on a line rather than passed over.
        """
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Name)):
            return None
        binding = self.index.binding_of(decorator.func, scope)
        if binding is None or binding.kind != "value" or not isinstance(binding.node, ast.expr):
            return None
        held = binding.node
        if binding.scope.module is not self.module:
            elsewhere = isinstance(held, ast.Attribute) and _looks_like_route(decorator)
            return decorator.func.id if elsewhere else None
        choices = [held]
        while any(isinstance(choice, ast.IfExp) for choice in choices):
            choices = [
                part
                for choice in choices
                for part in (
                    (choice.body, choice.orelse) if isinstance(choice, ast.IfExp) else (choice,)
                )
            ]
        if any(
            isinstance(choice, ast.Attribute)
            and choice.attr in ROUTE_DECORATORS
            and self.owner(choice.value, binding.scope) is not None
            for choice in choices
        ):
            return decorator.func.id
        return None

    def _starlette_route(
        self, decorator: ast.expr, function: FunctionNode, qualname: str, scope: Scope
    ) -> bool:
        """Name ``@owner.route(...)`` on ``function`` when ``owner`` is a FastAPI app or router.

        Its line is the decorator's, through the ``def`` line (a pragma on any of them).
        Whether it is one.
        """
        if not isinstance(decorator, ast.Call):
            return False
        method, owner_scope = decorator.func, scope
        if isinstance(method, ast.Name):
            # `deco = app.route` then `@deco("/x")`: the method bound to a name first.
            binding = self.index.binding_of(method, scope)
            bound = _bound_method(binding, STARLETTE_ROUTES)
            if binding is None or bound is None:
                return False
            method, owner_scope = bound, binding.scope
        if not (isinstance(method, ast.Attribute) and method.attr in STARLETTE_ROUTES):
            return False
        owner = self.owner(method.value, owner_scope)
        if owner is None:
            return False
        websocket = method.attr == "websocket_route"
        served = self._starlette_served(
            decorator, owner_scope, owner, websocket=websocket, methods_at=1
        )
        self.unfollowed.append(
            Unfollowed.of(decorator, qualname, self.module.path, function.lineno, served=served)
        )
        return True

    def _starlette_served(
        self,
        call: ast.Call,
        scope: Scope,
        owner: Owner,
        *,
        websocket: bool = False,
        methods_at: int | None = None,
    ) -> Route:
        """What the Starlette route ``call`` registers on ``owner`` serves, read as a route's.

        ``@app.route(path, methods)``, ``app.add_route(path, endpoint, methods)`` or an item
        ``Route(path, endpoint, methods=...)`` (``methods_at``: the position of the methods):
        its path under its router's prefixes, its owner, and its methods; Starlette's default
        is GET, and HEAD comes with GET.
        """
        verb = WEBSOCKET if websocket else API_ROUTE
        route = self._route(call, verb, owner, scope, scope, methods_at=methods_at)
        methods = route.methods
        if methods is not None and "GET" in methods and "HEAD" not in methods:
            route = route._replace(methods=(*methods, "HEAD"))
        return route

    def _imported_factory(
        self, decorator: ast.Call, endpoint: ast.expr, scope: Scope, depth: int = 0
    ) -> bool:
        """Record the routes ``@post("/x")`` registers for ``endpoint``, ``post`` imported.

        ``endpoint``: the name of the function decorated, or what the decorator is applied to
        by hand (``post("/x")(create)``).

        A decorator factory another module of the package defines at its top level (see
        :func:`_decorator_factory`), whose decorator registers the function it is given
        (``router.add_api_route(path, fn, ...)``, ``router.post(path)(fn)``) on a router of its
        module: each registration written out for this call and this function, its router read
        where it is written. Or such a factory written as an instance method of a class of the
        package (``@api.route("/x")``, ``api = Api()``; see :meth:`_method_factory`), here or in
        another module: its router read where it is written too (``self.router``). One that
        cannot be is named on a line. Or a method returning another decorator (see
        :meth:`_delegated`). False for any other decorator.
        """
        if self._delegated(decorator, endpoint, scope, depth):
            return True
        binding = self._method_factory(decorator.func, scope)
        instance_scope = scope
        said = decorator  # as written, for a line naming it
        if binding is None:
            imported = self._imported_method(decorator, scope)
            binding = (
                None if imported is None else self._method_factory(imported[0].func, imported[1])
            )
            if imported is not None and binding is not None:
                # `deco = service.route` in another module, `deco` imported here: as
                # `@service.route(...)`, the instance read where `deco` is bound.
                decorator, instance_scope = imported
        receiver = None
        if binding is not None:
            assert isinstance(binding.node, FunctionNode)
            receiver = [*binding.node.args.posonlyargs, *binding.node.args.args][0].arg
            call = _with_receiver(decorator)
        else:
            binding = self.index.binding_of(decorator.func, scope)
            alias = None if binding is None else _alias_of(binding)
            if binding is not None and isinstance(alias, ast.Name):
                # `route = make_route` in the factory's module, `route` imported here.
                binding = self.index.binding_of(alias, binding.scope)
            call = decorator
            if not self._defined_elsewhere(binding, "function"):
                return False
        factory = binding.node
        if not isinstance(factory, FunctionNode) or not isinstance(factory.body[-1], ast.Return):
            return False
        returned = factory.body[-1].value
        inner = next(
            (
                statement
                for statement in factory.body
                if isinstance(statement, FunctionNode)
                and isinstance(returned, ast.Name)
                and statement.name == returned.id
            ),
            None,
        )
        if inner is None:
            return False
        module = binding.scope.module
        inner_scope = Scope(inner, module, Scope(factory, module, binding.scope))
        if _decorator_factory(inner_scope) is not factory:
            return False
        parameters = {
            argument.arg
            for signature in (factory.args, inner.args)
            for argument in ast.walk(signature)
            if isinstance(argument, ast.arg) and argument.arg != receiver
        }
        found = False
        for statement in block_statements(inner.body):
            for node in _own_nodes(statement):
                if not isinstance(node, ast.Call):
                    continue
                applied = _applied_decorator(node, inner_scope)
                if applied is not None:
                    owner_expression = applied[1]
                elif (
                    isinstance(node.func, ast.Attribute)
                    and node.func.attr in (ADD_API_ROUTE, ADD_WEBSOCKET_ROUTE)
                    and _helper_of(node, inner_scope) is inner
                ):
                    owner_expression = node.func.value
                else:
                    continue
                found = True
                # The router is the factory's module's, read there; or one a parameter names
                # (`route(router, "/x")`), what the call passes, read where the call is.
                passed = any(
                    isinstance(name, ast.Name) and name.id in parameters
                    for name in ast.walk(owner_expression)
                )
                written = _written_out(
                    node,
                    inner_scope,
                    factory,
                    call,
                    scope,
                    endpoint,
                    None if passed else owner_expression,
                )
                owner_scope = inner_scope
                if written is not None and passed:
                    written_applied = _applied_decorator(written, scope)
                    if written_applied is not None:
                        owner_expression = written_applied[1]
                    else:
                        assert isinstance(written.func, ast.Attribute)
                        owner_expression = written.func.value
                    owner_scope = scope
                owner = None if written is None else self.owner(owner_expression, owner_scope)
                if owner is not None and receiver is not None and not passed:
                    # `self.router` is read as `api.router` where the handler is declared.
                    assert written is not None
                    reference = _applied_decorator(written, scope)
                    instance = reference[1] if reference is not None else written.func
                    if isinstance(instance, ast.Attribute) and reference is None:
                        instance = instance.value
                    given = self._given_router(
                        owner_expression, inner_scope, instance, instance_scope
                    )
                    owner = given or owner._replace(reference=instance, scope=scope)
                    if given is None and instance_scope is not scope and owner.prefix is None:
                        # Its run-time prefix would be read on an instance this module lacks.
                        owner = None
                if written is None or owner is None:
                    self.unfollowed.append(Unfollowed.of(said, ast.unparse(endpoint), None))
                    continue
                applied = _applied_decorator(written, scope)
                if applied is None:
                    assert isinstance(written.func, ast.Attribute)
                    verb = WEBSOCKET if written.func.attr == ADD_WEBSOCKET_ROUTE else API_ROUTE
                    self._register(written, endpoint, verb, owner, scope)
                    continue
                call, _, method, _ = applied
                name = method.value if isinstance(method, ast.Constant) else None
                if name not in ROUTE_DECORATORS:
                    self.unfollowed.append(Unfollowed.of(said, ast.unparse(endpoint), None))
                    continue
                assert isinstance(name, str)
                self._register(call, endpoint, name, owner, scope)
        return found

    def _imported_method(self, decorator: ast.Call, scope: Scope) -> tuple[ast.Call, Scope] | None:
        """``@deco("/x")`` with ``deco = service.route`` bound in another module, imported here.

        The decorator as ``service.route("/x")`` and the scope ``service`` is read in, when
        ``service.route`` is an instance method of the package (see :meth:`_method_run`); None
        for anything else.
        """
        if not isinstance(decorator.func, ast.Name):
            return None
        held = self.index.binding_of(decorator.func, scope)
        alias = None if held is None else _alias_of(held)
        if (
            held is None
            or held.scope.module is scope.module
            or held.scope.parent is not None
            or not isinstance(alias, ast.Attribute)
        ):
            return None
        if self._method_run(alias, held.scope) is None:
            return None
        func = copy.deepcopy(alias)
        for node in ast.walk(func):  # at the decorator's line, where a pragma is looked for
            ast.copy_location(node, decorator.func)
        written = ast.copy_location(ast.Call(func, decorator.args, decorator.keywords), decorator)
        return written, held.scope

    def _delegated(self, decorator: ast.Call, endpoint: ast.expr, scope: Scope, depth: int) -> bool:
        """Record the routes of ``@api.get("/x")``, a method returning another decorator.

        An instance method of the package returning a call on its instance (see
        :func:`_delegation`): ``def get(self, path, **options): return self.router.get(path,
        **options)``, the route decorator of the router the instance holds (read where the
        method is written, as ``api.router`` where the handler is declared); or ``return
        self._register(path)``, another method of the instance returning a decorator, followed
        in turn (at most :data:`MAX_DELEGATIONS` deep). Its path and methods are written out
        with what the call passes; one that cannot be is named on a line. False for any other
        decorator.
        """
        binding = self._method_run(decorator.func, scope)
        instance_scope = scope
        said = decorator  # as written, for a line naming it
        if binding is None:
            imported = self._imported_method(decorator, scope)
            if imported is not None:
                # `get = api.get` in another module, `get` imported here: as `@api.get(...)`.
                decorator, instance_scope = imported
                binding = self._method_run(decorator.func, instance_scope)
        method = None if binding is None else binding.node
        if binding is None or not isinstance(method, FunctionNode):
            return False
        method_scope = Scope(method, binding.scope.module, binding.scope)
        returned = _delegation(method_scope)
        if returned is None:
            return False
        function = returned.func
        assert isinstance(function, ast.Attribute)
        written = _written_out(returned, method_scope, method, _with_receiver(decorator), scope)
        # The instance is read where the handler is declared, unless imported by an alias.
        here = instance_scope is scope
        if written is not None and depth < MAX_DELEGATIONS:
            if here and self._imported_factory(written, endpoint, scope, depth + 1):
                return True
            assert isinstance(written.func, ast.Attribute)
            owner = self.owner(function.value, method_scope)
            if function.attr in ROUTE_DECORATORS and owner is not None:
                instance = written.func.value
                given = self._given_router(function.value, method_scope, instance, instance_scope)
                owner = given or owner._replace(reference=instance, scope=scope)
                if here or given is not None or owner.prefix is not None:
                    self._register(written, endpoint, function.attr, owner, scope)
                    return True
        if function.attr not in ROUTE_DECORATORS and not _looks_like_route(decorator):
            return False  # `@cache.cached(ttl=60)` handing on to a cache: no route
        self.unfollowed.append(Unfollowed.of(said, ast.unparse(endpoint), None))
        return True

    def _given_router(
        self, attribute: ast.expr, scope: Scope, instance: ast.expr, instance_scope: Scope
    ) -> Owner | None:
        """The router an instance was built with, that ``self.<attribute>`` holds.

        ``self.target = target`` in ``__init__`` (the only assignment), the instance
        ``api.target`` reads built once as ``api = Api(router)``: the router passed, read where
        the instance is built. None for anything else.
        """
        if not (
            isinstance(attribute, ast.Attribute)
            and isinstance(attribute.value, ast.Name)
            and isinstance(instance, ast.Attribute)
            and isinstance(instance.value, ast.Name)
        ):
            return None
        method = method_of_instance(attribute.value, scope)
        held = self.index.binding_of(instance.value, instance_scope)
        if method is None or method.parent is None or held is None:
            return None
        built = call_bound_once(held)
        assignments = instance_assignments(method.parent, attribute.attr, method.module)
        if built is None or len(assignments) != 1:
            return None
        value, init_scope = assignments[0]
        init = init_scope.node
        parameter = None if not isinstance(value, ast.Name) else init_scope.bindings.get(value.id)
        if (
            parameter is None
            or parameter.kind != "param"
            or not isinstance(init, FunctionNode)
            or init.name != "__init__"
            or (cls := self.index.defined(built.func, held.scope)) is None
            or cls.node is not method.parent.node
        ):
            return None
        receiver = ast.Name(instance_parameter(init_scope) or "self", ast.Load())
        bound = bound_parameters(
            init, ast.Call(built.func, [receiver, *built.args], built.keywords)
        )
        if bound is None or parameter.name not in bound.arguments:
            return None
        return self.owner(bound.arguments[parameter.name], held.scope)

    def _method_factory(self, function: ast.expr, scope: Scope) -> Binding | None:
        """The method ``api.route`` runs, when it is a decorator factory (else None).

        An instance method (see :meth:`_method_run`) returning the decorator it defines (see
        :func:`_decorator_factory`).
        """
        binding = self._method_run(function, scope)
        method = None if binding is None else binding.node
        if (
            binding is None
            or not isinstance(method, FunctionNode)
            or not isinstance(method.body[-1], ast.Return)
            or not isinstance(method.body[-1].value, ast.Name)
        ):
            return None
        name = method.body[-1].value.id
        inner = next(
            (item for item in method.body if isinstance(item, FunctionNode) and item.name == name),
            None,
        )
        if inner is None:
            return None
        module = binding.scope.module
        inner_scope = Scope(inner, module, Scope(method, module, binding.scope))
        return binding if _decorator_factory(inner_scope) is method else None

    def _method_run(self, function: ast.expr, scope: Scope) -> Binding | None:
        """The instance method of a class of the package ``api.route`` runs, else None.

        Read on an instance bound once (``api = Api()``, also imported) or built there
        (``Api().route``), or on the instance in a method (``self.route``: its class's own
        method, or a base class's).
        """
        if not isinstance(function, ast.Attribute):
            return None
        instance = function.value
        if isinstance(instance, ast.Name):
            # `from app.api import api`: the instance as its module binds it.
            held = self.index.binding_of(instance, scope)
            if held is not None and held.scope.module is not scope.module:
                function = ast.Attribute(ast.Name(held.name, ast.Load()), function.attr)
                scope = held.scope
        binding = self.index.method_called(function, scope)
        within = None if not isinstance(instance, ast.Name) else method_of_instance(instance, scope)
        if binding is None and within is not None and within.parent is not None:
            # `@self.route("/x")` in a method: the class's own method, or a base class's.
            cls = within.parent.node
            assert isinstance(cls, ast.ClassDef)
            holder = within.parent.parent or within.parent
            members = class_members(Binding("class", cls.name, holder, cls), self.index)
            binding = next(
                (
                    Binding("function", member.name, body, member, member)
                    for member, body in members
                    if member.name == function.attr
                ),
                None,
            )
        method = None if binding is None else binding.node
        if (
            binding is None
            or binding.kind != "function"
            or not isinstance(method, FunctionNode)
            or not instance_method(method)
        ):
            return None
        return binding

    def _aliased_route_decorator(
        self, decorator: ast.expr, scope: Scope
    ) -> tuple[tuple[ast.Call, ast.expr, str], Scope] | None:
        """``@get("/x")`` where ``get = router.get``: as ``@router.get("/x")``, and its scope.

        Only a module-level name bound once (also imported) to a route method of an object;
        the object is read in the scope of that binding. Or a function of this module doing
        nothing but return such a decorator (``def get(path, **options): return
        router.get(path, **options)``): the decorator it returns for what the call passes.
        """
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Name)):
            return None
        binding = self.index.binding_of(decorator.func, scope)
        function = None if binding is None else binding.node
        if (
            binding is not None
            and binding.kind == "function"
            and isinstance(function, FunctionNode)
        ):
            returned = returned_only(function)
            if function.decorator_list or not (
                isinstance(returned, ast.Call)
                and isinstance(returned.func, ast.Attribute)
                and returned.func.attr in ROUTE_DECORATORS
            ):
                return None
            defined = Scope(function, binding.scope.module, binding.scope)
            owner = returned.func.value
            # `router` of `return router.get(path)` is the one where it is written (the
            # function may be another module's); a parameter is what the call passes.
            there = not any(
                isinstance(node, ast.Name) and node.id in defined.bindings
                for node in ast.walk(owner)
            )
            written = _written_out(
                returned, defined, function, decorator, scope, read_there=owner if there else None
            )
            if written is None:
                return None
            assert isinstance(written.func, ast.Attribute)
            return (written, written.func.value, written.func.attr), defined if there else scope
        bound = _bound_method(binding, ROUTE_DECORATORS)
        if binding is None or bound is None:
            return None
        return (decorator, bound.value, bound.attr), binding.scope

    def _replacing_class(self, owner: ast.expr, verb: str, scope: Scope) -> str | None:
        """The package class of ``owner`` whose own ``verb`` decorator serves another function.

        Its name, when the app or router ``owner`` names is built by a class of the package
        (or one of its bases there) that defines the decorator method itself and registers a
        function of its own with FastAPI, never the decorated one; else None.
        """
        binding = self.index.binding_of(owner, scope)
        if binding is None:
            return None
        binding = unwrapped(binding)
        if binding.kind != "value" or not isinstance(binding.node, ast.Call):
            return None
        cls = self.index.defined(binding.node.func, binding.scope)
        for _ in range(MAX_BASES):
            if cls is None or cls.kind != "class" or not isinstance(cls.node, ast.ClassDef):
                return None
            node = cls.node
            if any(isinstance(item, FunctionNode) and item.name == verb for item in node.body):
                return node.name if _replaces_endpoint(node) else None
            bases = [self.index.qualify(base, cls.scope) for base in node.bases]
            if len(bases) != 1 or bases[0] is None:
                return None  # several bases: which one's method runs is not followed
            cls = self.index.resolve(bases[0])[1]
        return None

    def _routable_route(
        self, decorator: ast.expr, scope: Scope, handler_scope: Scope
    ) -> Route | None:
        """``@get("/x")`` of classy-fastapi on a method of a ``Routable`` class, else None.

        A route of the router each instance builds; the instance's prefix and the prefixes it is
        included under are those of its ``.router``'s ``include_router`` calls (see
        :func:`routable_router`), recorded under the class.
        """
        if not (isinstance(decorator, ast.Call) and scope.is_class and scope.parent is not None):
            return None
        qualified = self.index.qualify(decorator.func, scope)
        if qualified is None:
            return None
        module, _, verb = self.index.resolve(qualified)[0].rpartition(".")
        if module not in ROUTABLE_MODULES or verb not in HTTP_METHODS | {ROUTABLE_ROUTE}:
            return None
        cls = scope.node
        assert isinstance(cls, ast.ClassDef)
        binding = Binding("class", cls.name, scope.parent, cls)
        if not self.index.derives_from(binding, ROUTABLE_CLASSES.__contains__):
            return None
        if scope.parent.parent is None:
            owner = self._served(Owner(Role.ROUTER, "", None, scope, (self.module.name, cls.name)))
        else:
            # A class defined in a function: which includes serve its instances, not known.
            owner = Owner(Role.ROUTER, None, None, scope)
        if verb == ROUTABLE_ROUTE:
            return self._route(decorator, API_ROUTE, owner, scope, handler_scope, methods_at=1)
        return self._route(decorator, verb, owner, scope, handler_scope)

    def _handler(self, function: FunctionNode, scope: Scope, prefix: str) -> Handler:
        key = id(function)
        if key not in self.handlers:
            self.handlers[key] = Handler(function, scope, f"{prefix}{function.name}", self.module)
            self.order.append(key)
            self.handlers[key].routes.extend(self.registered.pop(key, []))
        return self.handlers[key]

    def _registrations(self, statement: ast.stmt, scope: Scope) -> None:
        """Record ``owner.add_api_route(path, endpoint, ...)`` calls of one statement.

        And route decorators applied by hand, ``owner.get(path, ...)(endpoint)``.

        And the ``APIRoute(path, endpoint)`` items of a constructor's ``routes=``
        (``app = FastAPI(routes=[APIRoute("/ping", ping)])``): routes of the object built.
        """
        for node in _own_nodes(statement):
            if isinstance(node, ast.Call):
                # The calls a route helper may be called by: `route(...)`, `self.route(...)`.
                if isinstance(node.func, ast.Name):
                    self.name_calls.setdefault(node.func.id, []).append((node, scope))
                elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                    self.name_calls.setdefault("." + node.func.attr, []).append((node, scope))
            if self._applied_helper(node, scope):
                continue
            applied = _applied_decorator(node, scope)
            if applied is not None:
                # `router.get("/")(list_items)`: the decorator applied by hand.
                assert isinstance(node, ast.Call)
                factory_decorator = scope.node
                if _decorator_factory(scope) is not None and isinstance(
                    factory_decorator, FunctionNode
                ):
                    # `return router.post(path)(fn)` in a decorator factory's decorator: the
                    # routes of the functions it decorates (see _helper_routes).
                    self.helpers.setdefault(id(factory_decorator), (factory_decorator, []))[
                        1
                    ].append((node, scope))
                    continue
                self._applied(node, *applied, scope)
                continue
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == ADD_RESOURCE
            ):
                self._resource(node, node.func.value, scope)
                continue
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and (
                    node.func.attr in (ADD_API_ROUTE, ADD_WEBSOCKET_ROUTE)
                    or node.func.attr in STARLETTE_ADD_ROUTES
                )
            ):
                continue
            helper = _helper_of(node, scope)
            if helper is not None:
                # Which routes: known once the helper's calls are (after the whole module).
                self.helpers.setdefault(id(helper), (helper, []))[1].append((node, scope))
                continue
            self._api_route(node, scope)
        if isinstance(statement, ast.Assign | ast.AnnAssign) and isinstance(
            statement.value, ast.Call
        ):
            target = assigned_targets(statement)[0]
            for keyword in statement.value.keywords:
                listed = listed_items(keyword.value, scope) if keyword.arg == "routes" else None
                if listed is not None:
                    self._listed_routes(listed, target, scope)
        appended = _appended_routes(statement)
        if appended is not None:
            # `router.routes.append(APIRoute("/x", handler))`: as if listed when it was built.
            self._listed_routes(*appended, scope)

    def _applied_helper(self, node: ast.AST, scope: Scope) -> bool:
        """Record ``post("/x")(create)``: a route helper's decorator applied by hand.

        ``post`` a decorator factory another module defines (see ``_imported_factory``), or a
        function returning a route decorator (see ``_aliased_route_decorator``): the routes it
        registers for ``create``, as for the function it decorates. False for any other call.
        """
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Call)
            and isinstance(node.func.func, ast.Name | ast.Attribute)
            and len(node.args) == 1
            and not node.keywords
            and not isinstance(node.args[0], ast.Starred)
        ):
            return False
        decorator, endpoint = node.func, node.args[0]
        if self._imported_factory(decorator, endpoint, scope):
            return True
        aliased = self._aliased_route_decorator(decorator, scope)
        if aliased is None:
            return False
        (call, owner_expression, verb), owner_scope = aliased
        owner = self.owner(owner_expression, owner_scope)
        if owner is None:
            return False
        self._register(call, endpoint, verb, owner, scope)
        return True

    def _helper_routes(self) -> None:
        """Record the registrations of the module's route helpers, once per call of each.

        ``def route(path, endpoint, method): router.add_api_route(path, endpoint,
        methods=[method])`` called as ``route("/items", list_items, "GET")``: each call
        registers its own route, read as if written out at the call. Only when every use of
        the helper is a call of this module that can be read so; otherwise its registrations
        are read as written (their endpoint, a parameter, named on a line).
        """
        for function, templates in self.helpers.values():
            expanded = self._helper_calls(function, templates)
            for node, scope in templates if expanded is None else expanded:
                applied = _applied_decorator(node, scope)
                if applied is not None:
                    self._applied(node, *applied, scope)
                else:
                    self._api_route(node, scope)

    def _helper_calls(
        self, function: FunctionNode, templates: list[tuple[ast.Call, Scope]]
    ) -> list[tuple[ast.Call, Scope]] | None:
        """The registrations of ``function`` (a helper) written out at each of its calls."""
        name = function.name
        scope = templates[0][1]
        owner = scope.parent
        assert owner is not None
        factory = _decorator_factory(scope)
        if factory is not None:
            return self._decorated(factory, owner, templates)
        if owner.is_class:
            # A method: called on the instance by the class's own methods (`self.route(...)`),
            # with the instance bound to its first parameter.
            calls = [
                (_with_receiver(call), call_scope)
                for call, call_scope in self.name_calls.get("." + name, [])
                if call_scope.parent is not None
                and call_scope.parent.node is owner.node
                and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id == instance_parameter(call_scope)
            ]
            # Any other `<name>.<method>` of the module may be a call on an instance as well.
            read = {
                id(node)
                for node in self.module.nodes_near([name])
                if isinstance(node, ast.Attribute)
                and node.attr == name
                and isinstance(node.value, ast.Name)
            }
            assert isinstance(owner.node, ast.ClassDef)
            imported = owner.node.name
        else:
            calls = [
                (call, call_scope)
                for call, call_scope in self.name_calls.get(name, [])
                if (binding := call_scope.lookup(name)) is not None and binding.node is function
            ]
            read = {
                id(node)
                for node in self.module.nodes_naming([name])
                if isinstance(node, ast.Name) and node.id == name
            }
            imported = name
        called = {
            id(call.func)
            for call, _ in self.name_calls.get(("." if owner.is_class else "") + name, [])
        }
        if not calls or len(read) != len(calls) or not read <= called:
            return None  # also passed around, or called where not read: which routes, unknown
        if self._imported_elsewhere(imported, name):
            return None  # perhaps called elsewhere too, with other routes
        expanded: list[tuple[ast.Call, Scope]] = []
        for call, call_scope in calls:
            for template, template_scope in templates:
                written = _written_out(template, template_scope, function, call, call_scope)
                if written is None:
                    return None
                expanded.append((written, call_scope))
        return expanded

    def _decorated(
        self, factory: FunctionNode, factory_scope: Scope, templates: list[tuple[ast.Call, Scope]]
    ) -> list[tuple[ast.Call, Scope]] | None:
        """The registrations of a decorator factory's decorator, once per function decorated.

        ``@route("/v1/messages", dependencies=[...])`` on ``async def messages(...)``: its
        registration written out with what the call passes and ``messages`` for the decorated
        function, at the decorator's line. None (read as written, its endpoint named on a line)
        unless every read of the factory here is such a decorator; none when it is read only by
        the modules importing it.
        """
        defined = factory_scope.parent
        if defined is not None and defined.is_class:
            # A method (`@api.route("/x")`): each decoration registers its own routes (see
            # _imported_factory), when every call of the method is one.
            return [] if self._decorations_only(factory) else None
        if defined is None:
            return None
        calls = [
            (call, call_scope, decorated)
            for call, call_scope, decorated in self.decorations.get(factory.name, [])
            if (binding := call_scope.lookup(factory.name)) is not None and binding.node is factory
        ]
        # `mk = make_route`: the alias's decorators are the factory's (see `_unaliased`), and
        # its binding no read of its own.
        aliases = [
            binding.name
            for binding in defined.bindings.values()
            if isinstance(binding.node, ast.Name)
            and binding.node.id == factory.name
            and _alias_of(binding) is not None
        ]
        reads = _reads_of(factory.name, defined) - len(aliases)
        reads += sum(_reads_of(alias, defined) for alias in aliases)
        if not calls and reads == 0 and defined.parent is None:
            # Decorating only functions of the modules importing it, if any: each of those
            # registers the routes of the functions it decorates (see _imported_factory).
            return [] if self._imported_elsewhere(factory.name, factory.name) else None
        if not calls or reads != len(calls):
            return None  # also called or passed around otherwise: which routes, unknown
        expanded: list[tuple[ast.Call, Scope]] = []
        for call, call_scope, decorated in calls:
            for template, template_scope in templates:
                name = ast.copy_location(ast.Name(decorated.name, ast.Load()), call)
                written = _written_out(template, template_scope, factory, call, call_scope, name)
                if written is None:
                    return None
                expanded.append((written, call_scope))
        return expanded

    def _decorations_only(self, method: FunctionNode, depth: int = 0) -> bool:
        """Whether every call of a decorator factory ``method`` is followed where it is made.

        Each ``<x>.<method>(...)`` call of the package is a decorator (``@api.route("/x")``) or
        one applied by hand (``api.route("/x")(create)``) that runs this method, read on an
        instance bound once; a call on another object (``requests.get``) is not this method's.
        On the instance in a method (``@self.route("/x")``), the method of its class is run.
        Or what another method of the instance returns (``return self._register(path)``, see
        :meth:`_delegated`) whose own calls are all followed so.
        """
        mounts = self.index.mounts
        if mounts is None or not instance_method(method) or depth > MAX_DELEGATIONS:
            return False
        read = f".{method.name}("
        for name in mounts.modules:
            source = self.index.source(name)
            if source is None or read not in source.text:
                continue
            model = self.index.module(name)
            if model is None:
                return False
            # The decorators, and the decorators applied by hand (`api.route("/x")(create)`).
            followed: set[int] = set()
            for node in ast.walk(model.tree):
                if isinstance(node, FunctionNode):
                    followed.update(id(decorator) for decorator in node.decorator_list)
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Call):
                    followed.add(id(node.func))
            for node, scope in _scoped_nodes(model.scope):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == method.name
                ):
                    continue
                binding = self._method_run(node.func, scope)
                ours = binding is not None and binding.node is method
                if ours and id(node) not in followed and not self._delegating(node, scope, depth):
                    return False  # called otherwise: which routes, not known
                if (
                    binding is None
                    and id(node) in followed
                    and isinstance(node.func.value, ast.Name)
                ):
                    return False  # a decorator on a name not followed to an instance here
        return True

    def _delegating(self, call: ast.Call, scope: Scope, depth: int) -> bool:
        """Whether ``call`` is all a method of the instance returns, its calls all decorations."""
        delegate = scope.node
        return (
            isinstance(delegate, FunctionNode)
            and instance_parameter(scope) is not None
            and isinstance(last := delegate.body[-1], ast.Return)
            and last.value is call
            and _delegation(scope) is not None
            and self._decorations_only(delegate, depth + 1)
        )

    def _imported_elsewhere(self, imported: str, read: str) -> bool:
        """Whether another module of the package imports this module's ``imported`` to use ``read``.

        By name (``from app.main import route``, ``from app.api import Api``), or the module
        itself with the name read as its attribute (``from app import main``, then
        ``main.route``); only modules whose text holds ``read`` (the helper's name).
        """
        mounts = self.index.mounts
        if mounts is None:
            return False
        own = self.module.name
        for other in mounts.modules:
            source = self.index.source(other)
            if other == own or source is None or read not in source.text:
                continue
            model = self.index.module(other)
            if model is None:
                return True  # not readable: it may
            for targets in model.resolved_imports.values():
                if f"{own}.{imported}" in targets:
                    return True
                if f".{imported}" in source.text and any(
                    own == target or own.startswith(target + ".") for target in targets
                ):
                    return True
        return False

    def _api_route(self, node: ast.Call, scope: Scope) -> None:
        """Record one ``add_api_route`` (or Starlette ``add_route``) registration of ``scope``."""
        assert isinstance(node.func, ast.Attribute)
        endpoint = call_argument(node, 1, "endpoint")
        if endpoint is None and node.func.attr in STARLETTE_ADD_ROUTES:
            # Starlette's app names it `route` (`app.add_route("/socket.io/", route=sio_app)`).
            endpoint = call_argument(node, None, "route")
        options = next((kw.value for kw in node.keywords if kw.arg is None), None)
        if options is not None and self._unpacked_route(node, options, scope, endpoint):
            return
        owner = self.owner(node.func.value, scope)
        if endpoint is None:
            return
        if owner is None:
            environments = loop_values(node, scope, self.index)
            if (
                environments is None
                or any(environments)
                or self._passed_object(node.func.value, scope)
            ):
                # `for endpoint, spec in specs().items(): routers[name].add_api_route(...)`:
                # routes from a table the tool cannot read, on an object it cannot tell; or a
                # function's parameter no call tells (`def add_to(self, router: APIRouter |
                # FastAPI)`): a route of whatever its callers pass, unlogged unless said.
                views = self._view_classes(endpoint, scope)
                self.unfollowed.append(
                    Unfollowed.of(node, ast.unparse(endpoint), None, views=views)
                )
            return
        if node.func.attr in STARLETTE_ADD_ROUTES:
            # A library's ASGI app (a GraphQL one) runs no code of the package: like one
            # mounted, nothing the user could log; a function's route is theirs to log.
            if not library_built(endpoint, scope, self.index):
                websocket = node.func.attr == "add_websocket_route"
                served = self._starlette_served(
                    node, scope, owner, websocket=websocket, methods_at=2
                )
                unfollowed = Unfollowed.of(node, ast.unparse(endpoint), None, served=served)
                self.unfollowed.append(unfollowed)
            return
        verb = WEBSOCKET if node.func.attr == ADD_WEBSOCKET_ROUTE else API_ROUTE
        path = call_argument(node, 0, "path")
        environments = (
            self._per_member(node, scope)
            or self._per_helper_call(node, scope)
            or loop_values(node, scope, self.index)
        )
        if environments is None and isinstance(endpoint, ast.Call):
            found = self._endpoint(endpoint, scope)
            maker = None if found is None else Scope(found[0], self.module, found[1])
            if maker is not None and self._factory_path(node, endpoint, scope, scope, maker):
                # Passed the path it is registered at (`make_page(path, ...)`): the handler
                # logs it, whichever the loop's items are.
                self._register(node, endpoint, verb, owner, scope)
                return
            # A handler a factory makes per item of a loop not known statically: which
            # routes, not known; named on a line (with the classes whose methods it serves,
            # or the factory of the package that could be passed the path).
            views = self._view_classes(endpoint, scope)
            factory = None
            if maker is not None and isinstance(maker.parent, Scope):
                made_by = maker.parent.node
                factory = made_by.name if isinstance(made_by, FunctionNode) else None
            self.unfollowed.append(
                Unfollowed.of(node, ast.unparse(endpoint), None, views=views, factory=factory)
            )
            return
        if path is None or environments is None or environments == [{}]:
            self._register(node, endpoint, verb, owner, scope)
            return
        # `if hasattr(view, verb):` around it: an item naming a method the class lacks
        # registers nothing.
        environments = [
            values for values in environments if not self._lacks_attribute(node, scope, values)
        ]
        # `for path in ("/r/{code}", "/go/{code}"): router.add_api_route(path, go)`: one
        # route per item, each with the path and endpoint it gives.
        # A factory's call makes the same function whatever the item (`make_predict(name, m)`).
        made = isinstance(endpoint, ast.Call) and self._endpoint(endpoint, scope) is not None
        items = [
            (
                (endpoint, scope) if made else substituted(endpoint, scope, values, self.index),
                loop_string(path, scope, values, self.index),
                self._loop_methods(node, scope, values),
            )
            for values in environments
        ]
        # An endpoint written in another module (`for path, endpoint in ROUTES`, imported)
        # names a function of that module, not one read here: not followed from here.
        if any(
            each is None or text is None or each[1].module is not self.module
            for each, text, _ in items
        ):
            self._register(node, endpoint, verb, owner, scope)
            return
        for each, text, written in items:
            assert each is not None
            self._register(written, each[0], verb, owner, scope, path=text, endpoint_scope=each[1])

    def _per_helper_call(
        self, node: ast.Call, scope: Scope, *, parameters_only: bool = False
    ) -> list[LoopValues] | None:
        """The values a registration in a helper takes, one call of the helper at a time.

        ``def register(path, kls): view = kls(); for verb in ("get", "post"): if hasattr(view,
        verb): router.add_api_route(path, getattr(view, verb), ...)`` called as
        ``register("/items", ItemView)``: each call's arguments for the parameters, and
        ``view`` as an instance of the class passed (see :class:`PassedInstance`) when it is
        one of this module. None when the helper's calls are not all known, or the
        registration reads no parameter a loop or a local does not stand for already.
        ``parameters_only``: the values of the parameters alone, not of the loops around
        (those a caller reads itself, see :meth:`_per_member`).
        """
        function = scope.node
        mounts = self.index.mounts
        if not isinstance(function, FunctionNode) or mounts is None or mounts.index is None:
            return None
        parameters = frozenset(
            argument.arg
            for argument in (*function.args.posonlyargs, *function.args.args)
            if argument.arg not in ("self", "cls")
        )
        # The locals built by calling a parameter (`view = kls()`): read as its instance.
        built = {
            statement.targets[0].id: statement.value.func.id
            for statement in block_statements(function.body)
            if isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and isinstance(statement.value, ast.Call)
            and not statement.value.args
            and not statement.value.keywords
            and isinstance(statement.value.func, ast.Name)
            and statement.value.func.id in parameters
        }
        if not parameters or any(
            sum(1 for other in block_statements(function.body) if assigns_name(other, name)) != 1
            for name in built
        ):
            return None
        # The registration and the `hasattr` tests around it read the parameters: only a
        # class's (`view = kls()`, `hasattr(kls, verb)`) is read so here, the others as before.
        tests = self._hasattr_tests(node, scope)
        listed = [each for _, each, _ in self._member_loops(node, scope)]
        read = [node, *tests, *listed]
        names = {
            each.id
            for part in read
            for each in ast.walk(part)
            if isinstance(each, ast.Name) and isinstance(each.ctx, ast.Load)
        }
        tested = {
            each.id
            for each in [*(test.args[0] for test in tests), *listed]
            if isinstance(each, ast.Name)
        }
        if not (names & set(built) or tested & parameters):
            return None
        used = (names & parameters) | {built[name] for name in names & set(built)}
        named: list[ast.expr] = [ast.Name(name, ast.Load()) for name in used]
        probe = ast.copy_location(
            ast.Tuple(elts=named if parameters_only else [*read, *named]), node
        )
        found = loop_values(probe, scope, self.index, mounts.passed_arguments(), frozenset(used))
        if not found or found == [{}]:
            return None
        environments: list[LoopValues] = []
        for values in found:
            values = dict(values)
            for local, parameter in built.items():
                if parameter not in values:
                    continue
                item, item_scope = values[parameter]
                cls = self.index.binding_of(item, item_scope)
                if cls is None or cls.kind != "class" or cls.scope.module is not self.module:
                    return None  # not a class of this module: its methods are not followed
                instance = PassedInstance(func=item, args=[], keywords=[])
                instance.cls = cls
                values[local] = (ast.copy_location(instance, item), item_scope)
            environments.append(values)
        return environments

    def _member_loops(self, node: ast.Call, scope: Scope) -> list[tuple[ast.For, ast.expr, str]]:
        """The loops around ``node`` over ``inspect.getmembers(<object>, <predicate>)``.

        Each with the object whose members it lists and its predicate, ``inspect.ismethod`` or
        ``inspect.isfunction`` (by position or ``predicate=``).
        """
        loops: list[tuple[ast.For, ast.expr, str]] = []
        for loop in block_statements(scope.node.body):
            if not (
                isinstance(loop, ast.For)
                and loop.body
                and _holds_line(loop.body, node.lineno)
                and isinstance(loop.iter, ast.Call)
                and self.index.qualify(loop.iter.func, scope) == _GETMEMBERS
                and loop.iter.args
            ):
                continue
            listed = loop.iter.args[0]
            predicate = call_argument(loop.iter, 1, "predicate")
            if len(loop.iter.args) + len(loop.iter.keywords) != 2 or predicate is None:
                continue
            qualified = self.index.qualify(predicate, scope)
            if qualified in (_ISMETHOD, _ISFUNCTION):
                loops.append((loop, listed, qualified))
        return loops

    def _per_member(self, node: ast.Call, scope: Scope) -> list[LoopValues] | None:
        """The values a registration takes in a loop over the methods of an instance.

        ``for name, method in inspect.getmembers(obj, inspect.ismethod): if not
        name.startswith("_"): router.add_api_route(f"/{name}", method)``, ``obj`` an instance
        of a class of this module (bound once, or a helper's ``obj = kls()`` of a class each
        call passes): one iteration per method its classes define, in name order (as
        ``getmembers`` sorts them), those the ``if`` tests around the registration (or an ``if
        ...: continue`` before it) leave out left out. None when a test, a base class or a
        decorated method makes the members not known statically.
        """
        loops = self._member_loops(node, scope)
        if len(loops) != 1:
            return None
        ((loop, listed, predicate),) = loops
        target = loop.target
        if not (
            isinstance(target, ast.Tuple)
            and len(target.elts) == 2
            and all(isinstance(each, ast.Name) for each in target.elts)
            and isinstance(listed, ast.Name)
        ):
            return None
        name_var, member_var = (each.id for each in target.elts if isinstance(each, ast.Name))
        outer = self._per_helper_call(node, scope, parameters_only=True) or [{}]
        environments: list[LoopValues] = []
        for values in outer:
            given = values.get(listed.id)
            cls: Binding | None
            instance: ast.expr
            if given is not None and isinstance(given[0], PassedInstance):
                cls, instance, instance_scope = given[0].cls, given[0], given[1]
            else:
                # The object as written here, or as each call of the helper passes it.
                instance, instance_scope = (listed, scope) if given is None else given
                cls = self._bound_instance_class(instance, instance_scope)
            from_class = False
            if cls is None:
                # `inspect.getmembers(Views, inspect.isfunction)`: the class's own functions.
                named = self.index.binding_of(instance, instance_scope)
                if named is not None and named.kind == "class" and isinstance(instance, ast.Name):
                    cls, from_class = named, True
            names = None if cls is None else self._method_names(cls, predicate, from_class)
            if names is None:
                return None
            for method in names:
                item = dict(values)
                item[name_var] = (ast.copy_location(ast.Constant(method), listed), scope)
                attribute = ast.Attribute(value=instance, attr=method, ctx=ast.Load())
                item[member_var] = (ast.copy_location(attribute, listed), instance_scope)
                kept = kept_by_tests(node, loop, scope, item, self.index)
                if kept is None:
                    return None
                if kept:
                    environments.append(item)
        return environments

    def _method_names(
        self, cls: Binding, predicate: str = _ISMETHOD, from_class: bool = False
    ) -> list[str] | None:
        """The names ``inspect.getmembers`` lists with ``predicate``, sorted; None if not known.

        Of an instance of ``cls``, or of ``cls`` itself (``from_class``): the functions of its
        classes (the first in Python's order deciding) of the kinds the predicate keeps there
        (see ``_MEMBER_KINDS``). Its classes must all be of the package (a base another module
        defines holds the handlers of the methods it defines), and their functions plain, class
        or static methods (another decorator, a property: not known here).
        """
        kinds: dict[str, str] = {}
        for each in self.index.lineage(cls):
            node = each.node
            assert isinstance(node, ast.ClassDef)
            bases = [base for base in node.bases if ast.unparse(base) != "object"]
            if node.keywords or len(self.index.package_bases(each)) != len(bases):
                return None
            for statement in node.body:
                if not isinstance(statement, FunctionNode):
                    continue
                decorators = [ast.unparse(decorator) for decorator in statement.decorator_list]
                if decorators in (["staticmethod"], ["classmethod"]):
                    kind = decorators[0].removesuffix("method")
                elif not decorators and (from_class or instance_method(statement)):
                    kind = "plain"
                elif self._property(statement, each.scope):
                    kind = "property"  # read, it is its value: neither predicate keeps it
                else:
                    return None
                kinds.setdefault(statement.name, kind)
        wanted = _MEMBER_KINDS[predicate, from_class]
        # A dunder (`__init__`, `__call__`) is listed too, but never meant as a route: its log
        # call would fire wherever Python calls it (`__init__` when the instance is built).
        return sorted(
            name
            for name, kind in kinds.items()
            if kind in wanted and not (name.startswith("__") and name.endswith("__"))
        )

    def _property(self, function: FunctionNode, scope: Scope) -> bool:
        """Whether ``function`` is a property's (``@property``, ``@cached_property``, a setter)."""
        if len(function.decorator_list) != 1:
            return False
        (decorator,) = function.decorator_list
        if isinstance(decorator, ast.Attribute) and decorator.attr in _PROPERTY_ACCESSORS:
            return isinstance(decorator.value, ast.Name)
        if isinstance(decorator, ast.Name) and decorator.id == "property":
            return True
        return self.index.qualify(decorator, scope) == _CACHED_PROPERTY

    def _hasattr_tests(self, node: ast.Call, scope: Scope) -> list[ast.Call]:
        """The ``hasattr(<object>, <name>)`` tests of the ``if`` blocks around ``node``."""
        return [
            statement.test
            for statement in block_statements(scope.node.body)
            if isinstance(statement, ast.If)
            and isinstance(statement.test, ast.Call)
            and calls_builtin(statement.test, scope, "hasattr")
            and _holds_line(statement.body, node.lineno)
        ]

    def _lacks_attribute(self, node: ast.Call, scope: Scope, values: LoopValues) -> bool:
        """Whether an ``if hasattr(<object>, <name>):`` around ``node`` is false for ``values``.

        ``for verb in ("get", "post", "put"): if hasattr(view, verb): router.add_api_route(
        path, getattr(view, verb), ...)``: false for ``"put"`` when ``view``'s class, and every
        base of it (all of the package), defines no ``put``. Not known (a library's base, an
        object of no known class): the item stays.
        """
        for statement in block_statements(scope.node.body):
            if not isinstance(statement, ast.If):
                continue
            test = statement.test
            if not (
                calls_builtin(test, scope, "hasattr")
                and len(test.args) == 2
                and not test.keywords
                and _holds_line(statement.body, node.lineno)
            ):
                continue
            name = loop_string(test.args[1], scope, values, self.index)
            cls = None if name is None else self._tested_class(test.args[0], scope, values)
            if name is not None and cls is not None and not self._may_have(cls, name):
                return True
        return False

    def _tested_class(self, tested: ast.expr, scope: Scope, values: LoopValues) -> Binding | None:
        """The class of the package ``hasattr``'s object is (or is an instance of), if known.

        An instance bound once (``view = ItemView()``), or what a helper's call passes
        (``hasattr(kls, verb)`` of ``register("/x", ItemView)``, or ``kls()``'s instance).
        """
        found = substituted(tested, scope, values, self.index)
        if found is not None and found[0] is not tested:
            item, item_scope = found
            if isinstance(item, PassedInstance):
                return item.cls
            cls = self.index.binding_of(item, item_scope)
            return cls if cls is not None and cls.kind == "class" else None
        return self._bound_instance_class(tested, scope)

    def _may_have(self, cls: Binding, name: str) -> bool:
        """Whether instances of ``cls`` may have attribute ``name`` (its classes may set it)."""
        for each in self.index.lineage(cls):
            node = each.node
            assert isinstance(node, ast.ClassDef)
            bases = [base for base in node.bases if ast.unparse(base) != "object"]
            if node.keywords or len(self.index.package_bases(each)) != len(bases):
                return True  # a library's base (or a metaclass) may give it
            for statement in node.body:
                if isinstance(statement, FunctionNode | ast.ClassDef) and statement.name == name:
                    return True
                if isinstance(statement, ast.Assign | ast.AnnAssign) and any(
                    isinstance(target, ast.Name) and target.id == name
                    for target in assigned_targets(statement)
                ):
                    return True
                if any(
                    isinstance(inner, ast.Attribute)
                    and inner.attr == name
                    and isinstance(inner.ctx, ast.Store)
                    for inner in ast.walk(statement)
                ):
                    return True  # `self.put = ...` in a method
                if isinstance(statement, FunctionNode) and statement.name in _DYNAMIC_ATTRIBUTES:
                    return True
        return False

    def _unpacked_route(
        self, node: ast.Call, options: ast.expr, scope: Scope, endpoint: ast.expr | None
    ) -> bool:
        """Record ``add_api_route(**spec)``: each dict written out that ``spec`` stands for.

        ``for spec in [{"path": "/", "endpoint": root, "methods": ["GET"]}, ...]:
        app.router.add_api_route(**spec)``: one registration per item, its keys as keywords;
        also beside an ``endpoint=`` of its own (``add_api_route(**ROUTES["CREATE"],
        endpoint=handlers.create)``, the path and methods in a dict of another module).
        A dict only known at run time (a function's result) is named on a line, unless the
        call names its ``endpoint``: False then, the call read as it is written.
        """
        environments = loop_values(node, scope, self.index) or []
        calls: list[ast.Call] = []
        for values in environments:
            item = substituted(options, scope, values, self.index)
            held = None if item is None else dict_items(*item, self.index)
            if held is None or not (held[1] is scope or held[1].parent is None):
                calls = []  # read elsewhere than where the call runs: names may differ
                break
            written = held[0] if held[1] is scope else self._read_apart(held[0], held[1], scope)
            if written is None:  # a value that may read otherwise here than where written
                self.unfollowed.append(Unfollowed.of(node, f"**{ast.unparse(options)}", None))
                return True
            spelled = [kw for kw in node.keywords if kw.arg is not None]
            spelled += [ast.keyword(key, value) for key, value in written.items()]
            calls.append(ast.copy_location(ast.Call(node.func, node.args, spelled), node))
        if not calls:
            if endpoint is not None:
                return False
            self.unfollowed.append(Unfollowed.of(node, f"**{ast.unparse(options)}", None))
            return True
        for call in calls:
            if call_argument(call, 1, "endpoint") is None:
                self.unfollowed.append(Unfollowed.of(node, f"**{ast.unparse(options)}", None))
                return True
        for call in calls:
            self._api_route(call, scope)
        return True

    def _read_apart(
        self, held: dict[str, ast.expr], written: Scope, scope: Scope
    ) -> dict[str, ast.expr] | None:
        """A dict's route options read in the scope they are written in, for a call elsewhere.

        ``ROUTES = {"C": {"path": BASE + "/x", ...}}`` in one module, ``BASE`` bound again in
        the module of ``add_api_route(**ROUTES["C"], ...)``: the path is ``BASE`` of the dict's
        module, written out as a string; the methods likewise; an endpoint only when it names
        the same thing in both scopes. None when one of them is not known so; the options no
        route is told by (``tags=...``) are left out.
        """
        apart: dict[str, ast.expr] = {}
        for key, value in held.items():
            if key in {"path", "methods"}:
                elements = [value] if key == "path" else _listed(value)
                if elements is None:
                    return None
                texts = [self.index.string_value(element, written) for element in elements]
                strings = [text for text in texts if text is not None]
                if len(strings) != len(texts):
                    return None
                constants: list[ast.expr] = [ast.Constant(text) for text in strings]
                apart[key] = (
                    constants[0] if key == "path" else ast.List(elts=constants, ctx=ast.Load())
                )
            elif key == "endpoint":
                here = self.index.binding_of(value, scope) if _chain(value) else None
                there = self.index.binding_of(value, written) if _chain(value) else None
                if here is None or there is None or here.node is not there.node:
                    return None
                apart[key] = value
        return apart

    def _loop_methods(self, node: ast.Call, scope: Scope, values: LoopValues) -> ast.Call:
        """``node`` with the methods one iteration gives written out, when they are known.

        ``for path, endpoint, method in ROUTES: router.add_api_route(path, endpoint,
        methods=[method])``: ``methods=["POST"]`` for the item ``("/items", create, "POST")``;
        so for ``methods=methods`` of the item ``("/items", create, ["POST"])``.
        ``node`` itself when its methods read no loop name, or are not known (named as such).
        """
        methods = call_argument(node, None, "methods")
        if methods is None or not any(
            isinstance(inner, ast.Name) and inner.id in values for inner in ast.walk(methods)
        ):
            return node
        if isinstance(methods, ast.Name | ast.Attribute):
            # `methods=methods` of `("/items", create, ["POST"])`, `methods=spec.methods` of a
            # record item `RouteSpec("/items", methods=["POST"])`: the list the item holds.
            found = substituted(methods, scope, values, self.index)
            if found is None or not isinstance(found[0], ast.List | ast.Tuple | ast.Set):
                return node
            methods, scope = found[0], found[1]
            values = {}
        if not isinstance(methods, ast.List | ast.Tuple | ast.Set):
            return node
        names = [loop_string(element, scope, values, self.index) for element in methods.elts]
        if any(name is None for name in names):
            return node
        written = ast.List(elts=[ast.Constant(name) for name in names], ctx=ast.Load())
        keywords = [
            ast.keyword("methods", written) if keyword.arg == "methods" else keyword
            for keyword in node.keywords
        ]
        return ast.copy_location(ast.Call(node.func, node.args, keywords), node)

    def _applied(
        self,
        node: ast.Call,
        decorator: ast.Call,
        owner_expression: ast.expr,
        verb: ast.expr,
        endpoint: ast.expr,
        scope: Scope,
    ) -> None:
        """Record a route decorator applied by hand, once per item of the loops it reads.

        ``for method, path, handler in [("get", "/a", a)]: getattr(router, method)(path)
        (handler)``: one route per item, with the method, path and endpoint it gives, when
        each is known and the endpoint is a function of this module.
        """
        path = call_argument(decorator, 0, "path")
        parts = [verb, endpoint, *([] if path is None else [path])]
        read = ast.copy_location(ast.Tuple(elts=parts, ctx=ast.Load()), node)
        environments = loop_values(read, scope, self.index)
        found: list[tuple[ast.expr, str, str | None]] = []
        if environments is None:
            return  # which routes, not known without running the code
        for values in environments:
            name = loop_string(verb, scope, values, self.index)
            if name not in ROUTE_DECORATORS:
                return  # not a route method (or not known)
            if not values:
                found.append((endpoint, name, None))  # as written, no loop read
                continue
            each = substituted(endpoint, scope, values, self.index)
            text = None if path is None else loop_string(path, scope, values, self.index)
            if each is None or each[1].module is not self.module or text is None:
                return  # an item not known, or an endpoint of another module: not followed
            found.append((each[0], name, text))
        owner = self.owner(owner_expression, scope)
        if owner is None:
            return
        for each_endpoint, name, text in found:
            self._register(decorator, each_endpoint, name, owner, scope, path=text)

    def _resource(self, call: ast.Call, api: ast.expr, scope: Scope) -> None:
        """Record ``api.add_resource(resource, *urls)`` of fastapi-restful (or fastapi-utils).

        Each method of the resource's class named after an HTTP method is served at every url,
        bound to the instance, on a router the library includes (without a prefix) into the app
        or router ``Api`` was built with: a route of that owner, as ``add_api_route`` would be.
        A class of another module gets it there, as an endpoint registered elsewhere does.
        """
        built = self._restful_api(api, scope)
        resource = call_argument(call, 0, "resource")
        if built is None or resource is None:
            return
        owner = self.owner(*built)
        cls = instance_class(resource, scope, self.index, once=True)
        if owner is None or cls is None:
            return
        self._serve_methods(call, call.args[1:], cls, owner, scope, ast.unparse(resource))

    def _cbv_urls(self, cls: ast.ClassDef, scope: Scope) -> None:
        """Record ``@cbv(router, *urls)`` of fastapi-restful above a class.

        Given urls, the decorator serves the class's methods named after an HTTP method at each
        of them on ``router`` (as ``add_resource`` does, which calls it), besides the methods
        decorated with the router's own decorators (read as any route decorator is).

        And fastapi-class's ``@View(router, path="/items")`` (see :func:`class_view_routes`).
        """
        for decorator in cls.decorator_list:
            if not isinstance(decorator, ast.Call):
                continue
            qualified = self.index.qualify(decorator.func, scope)
            resolved = None if qualified is None else self.index.resolve(qualified)[0]
            binding = Binding("class", cls.name, scope, cls)
            if resolved in CLASS_VIEWS:
                router = call_argument(decorator, 0, "router")
                owner = None if router is None else self.owner(router, scope)
                if owner is not None:
                    for route_call, function, class_scope in class_view_routes(
                        decorator, binding, self.index
                    ):
                        handler_scope = Scope(function, class_scope.module, class_scope)
                        route = self._route(route_call, API_ROUTE, owner, scope, handler_scope)
                        self._serve(decorator, route, function, class_scope, cls.name)
                continue
            if resolved not in RESTFUL_CBV or len(decorator.args) < 2:
                continue
            owner = self.owner(decorator.args[0], scope)
            if owner is None:
                continue
            self._serve_methods(decorator, decorator.args[1:], binding, owner, scope, cls.name)

    def _serve_methods(
        self,
        call: ast.Call,
        urls: list[ast.expr],
        cls: Binding,
        owner: Owner,
        scope: Scope,
        shown: str,
    ) -> None:
        """Routes at each of ``urls`` on ``owner`` for the HTTP-method-named methods of ``cls``.

        ``call`` registers them; ``shown`` names the instance (or class) in a line about a
        method of another module, which gets its routes there.
        """
        methods = resource_methods(cls, self.index)
        for url in urls:
            if isinstance(url, ast.Starred):
                continue  # urls only known at run time: which routes, not known
            # The registration as `add_api_route(url, ...)` would be: its path comes first.
            route_call = ast.copy_location(ast.Call(func=call.func, args=[url], keywords=[]), call)
            for verb, function, class_scope in methods:
                handler_scope = Scope(function, class_scope.module, class_scope)
                route = self._route(route_call, verb, owner, scope, handler_scope)
                self._serve(call, route, function, class_scope, shown)

    def _serve(
        self, call: ast.Call, route: Route, function: FunctionNode, class_scope: Scope, shown: str
    ) -> None:
        """Give ``route``, which ``call`` registers, to the method ``function`` of a class.

        A method of a class of another module (a base class's) gets it there, named on a line as
        ``shown`` (the instance or class) and the method.
        """
        if class_scope.module is self.module:
            key = id(function)
            if key in self.handlers:
                self.handlers[key].routes.append(route)
            else:
                self.registered.setdefault(key, []).append(route)
            return
        self.unfollowed.append(
            Unfollowed.of(
                call,
                f"{shown}.{function.name}",
                class_scope.module.path,
                function=function,
                route=route._replace(registered_in=self.module.path),
            )
        )

    def _restful_api(self, api: ast.expr, scope: Scope) -> tuple[ast.expr, Scope] | None:
        """The app (or router) a fastapi-restful ``Api`` is built with, and where it is read.

        ``Api(app)`` itself or a name bound to it; None for any other object.
        """
        built: ast.AST | None = api
        built_scope = scope
        if not isinstance(api, ast.Call):
            binding = self.index.binding_of(api, scope)
            if binding is None or binding.kind != "value":
                return None
            built, built_scope = binding.node, binding.scope
        if not isinstance(built, ast.Call):
            return None
        qualified = self.index.qualify(built.func, built_scope)
        if qualified is None or self.index.resolve(qualified)[0] not in RESTFUL_API_CLASSES:
            return None
        app = call_argument(built, 0, "app")
        return None if app is None else (app, built_scope)

    def _listed_routes(
        self, items: list[ast.expr], target: ast.expr, scope: Scope, mounted: str = ""
    ) -> None:
        """The ``APIRoute(...)`` items of the routes a constructor assigned to ``target`` gets.

        A Starlette ``Route(...)`` (or ``WebSocketRoute``) item is named, as ``add_route`` is.
        A ``Mount("/api", routes=[...])`` item of an app's routes serves its own items under its
        path (``mounted`` for them), when the path is known statically.
        """
        owner: Owner | None = None
        for item in items:
            if not isinstance(item, ast.Call):
                continue
            qualified = self.index.qualify(item.func, scope) or ""
            if qualified in MOUNT_CLASSES:
                # Starlette's `Mount(path, app=None, routes=None)`: a route inside answers under
                # the mount's path (without its trailing "/", as Mount stores it). Only an app's:
                # `include_router` copies no Mount of a router, its routes are not served.
                owner = owner or self.owner(target, scope)
                if owner is None or owner.role is not Role.APP:
                    continue
                routes = call_argument(item, 2, "routes")
                path = call_argument(item, 0, "path")
                inner = None if routes is None else listed_items(routes, scope)
                # `Mount(settings.API_PREFIX, routes=[...])`: the default, said where mounts are.
                known = None
                if path is not None:
                    known = self.index.string_value(
                        path, scope, fallback=SettingsDefaults(self.index)
                    )
                if inner is not None and known is not None:
                    self._listed_routes(inner, target, scope, mounted + known.rstrip("/"))
                continue
            verb = _ROUTE_CLASSES.get(qualified)
            endpoint = call_argument(item, 1, "endpoint")
            if endpoint is None or (verb is None and qualified not in _STARLETTE_ROUTE_CLASSES):
                continue
            owner = owner or self.owner(target, scope)
            if owner is None:
                return
            # A router's prefix= applies to the routes it declares later, not to these.
            listed = Owner(owner.role, mounted, owner.reference, owner.scope, owner.key)
            if verb is None:
                # FastAPI calls it with the bare request: its log call form does not hold.
                websocket = qualified.endswith(".WebSocketRoute")
                served = self._starlette_served(item, scope, listed, websocket=websocket)
                unfollowed = Unfollowed.of(item, ast.unparse(endpoint), None, served=served)
                self.unfollowed.append(unfollowed)
                continue
            self._register(item, endpoint, verb, listed, scope)

    def _register(
        self,
        node: ast.Call,
        endpoint: ast.expr,
        verb: str,
        owner: Owner,
        scope: Scope,
        *,
        path: str | None = None,
        endpoint_scope: Scope | None = None,
    ) -> None:
        """Record one route registered for ``endpoint`` (a function followed, else reported).

        ``endpoint_scope``: where ``endpoint`` is written, when not where the call runs (an item
        of a table a function of the module returns, its names that function's locals).
        """
        read_in = scope if endpoint_scope is None else endpoint_scope
        # `partial(by_kind, "rain")`: FastAPI calls the function with the arguments it binds;
        # also through a name holding the partial (`sun = partial(by_kind, "sun")`).
        partials: list[ast.Call] = []
        while True:
            held = read_in.lookup(endpoint.id) if isinstance(endpoint, ast.Name) else None
            if (
                held is not None
                and held.kind == "value"
                and isinstance(held.node, ast.Call)
                and self._partial_of(held.node, held.scope) is not None
            ):
                endpoint, read_in = held.node, held.scope
            wrapped = self._partial_of(endpoint, read_in)
            if wrapped is None:
                break
            assert isinstance(endpoint, ast.Call)
            partials.append(endpoint)
            endpoint = wrapped
        found = self._endpoint(endpoint, read_in)
        if found is None:
            self._unfollowed(node, endpoint, verb, owner, scope, path=path, endpoint_scope=read_in)
            return
        function, defined_in = found
        function_scope = Scope(function, self.module, defined_in)
        passed = self._factory_path(node, endpoint, scope, read_in, function_scope)
        route = self._route(node, verb, owner, scope, function_scope, path=path, passed=passed)
        made_by = defined_in.node if isinstance(endpoint, ast.Call) else None
        if passed is None and isinstance(made_by, FunctionNode):
            if route.problem == _PATH_NOT_KNOWN:
                # Made by a factory for a path only known at run time it is not passed: named
                # on a line with the factory (`self._create_get(Model)` under `f"/{Model...}"`).
                self.unfollowed.append(
                    Unfollowed.of(node, ast.unparse(endpoint), None, factory=made_by.name)
                )
                return
            route = route._replace(factory=made_by.name)
        if partials:
            route = route._replace(bound=_bound_literals(function, partials, endpoint))
        key = id(function)
        if key in self.handlers:
            self.handlers[key].routes.append(route)
        else:
            self.registered.setdefault(key, []).append(route)

    def _factory_path(
        self,
        call: ast.Call,
        endpoint: ast.expr,
        scope: Scope,
        read_in: Scope,
        handler_scope: Scope,
    ) -> str | None:
        """The path ``call`` registers, as the handler a factory makes reads it, else None.

        ``router.add_api_route(path, make_page(path, filename))``, ``def make_page(path,
        filename): async def page(): ...; return page``: the handler reads each registration's
        own path in ``path``, its one log call the route each request takes. So with the path
        built from what the factory is passed (``add_api_route(f"/{name}", make_predict(name))``:
        ``f"/{name}"`` in ``make_predict``). Only parameters the factory never rebinds and the
        handler does not shadow, passed the very expressions the path reads, and nothing else.
        """
        written = call_argument(call, 0, "path")
        factory = handler_scope.parent
        if (
            written is None
            or read_in is not scope
            or not isinstance(endpoint, ast.Call)
            or factory is None
            or not isinstance(factory.node, FunctionNode)
        ):
            return None
        arguments = factory.node.args
        positional = [argument.arg for argument in (*arguments.posonlyargs, *arguments.args)]
        if isinstance(factory.parent.node if factory.parent else None, ast.ClassDef):
            positional = positional[1:]  # a method called on the instance: `self` is bound
        given = [
            (argument, positional[number])
            for number, argument in enumerate(endpoint.args[: len(positional)])
            if not isinstance(argument, ast.Starred)
        ]
        given += [(kw.value, kw.arg) for kw in endpoint.keywords if kw.arg is not None]
        parameters: dict[str, str] = {}
        for argument, name in given:
            binding = factory.bindings.get(name)
            if binding is not None and binding.kind == "param" and sole_binding(binding):
                parameters.setdefault(ast.dump(argument), name)
        reader = _PassedReader(parameters)
        read = reader.visit(copy.deepcopy(written))
        assert isinstance(read, ast.expr)
        names = names_in(read)
        if not names or not names <= set(parameters.values()):
            return None  # a name the factory is not passed: read there, another object
        if reachable(read, factory, handler_scope) is None:
            return None
        if written.lineno != written.end_lineno:
            return ast.unparse(read)
        return reader.written(written, scope)

    def _partial_of(self, endpoint: ast.expr, scope: Scope) -> ast.expr | None:
        """The function a ``functools.partial(function, ...)`` call wraps, or None."""
        if (
            isinstance(endpoint, ast.Call)
            and endpoint.args
            and not isinstance(endpoint.args[0], ast.Starred)
            and self.index.qualify(endpoint.func, scope) == PARTIAL
        ):
            return endpoint.args[0]
        return None

    def _unfollowed(
        self,
        call: ast.Call,
        endpoint: ast.expr,
        verb: str,
        owner: Owner,
        scope: Scope,
        *,
        path: str | None = None,
        endpoint_scope: Scope | None = None,
    ) -> None:
        """Record a registration of an endpoint that is no function of this module.

        One of another module of the package is its handler there, with this route (``path``:
        its path when known otherwise, a loop's); anything else is named on a line.
        ``endpoint_scope``: where ``endpoint`` is written, when not ``scope`` (see
        :meth:`_register`).
        """
        read_in = scope if endpoint_scope is None else endpoint_scope
        target = self.index.binding_of(endpoint, read_in)
        defined_in = None
        function = None
        route = None
        cls = self._imported_class(endpoint, read_in) if target is None else None
        bound = False
        name = endpoint.attr if isinstance(endpoint, ast.Attribute) else CALL_METHOD
        if isinstance(endpoint, ast.Attribute) and isinstance(endpoint.value, PassedInstance):
            cls, bound = endpoint.value.cls, True  # a helper's `kls()`
        elif isinstance(endpoint, ast.Attribute) and isinstance(endpoint.value, ast.Name):
            holder = read_in.lookup(endpoint.value.id)
            if cls is None and holder is not None and holder.kind == "class":
                cls = holder  # `Controller.create` of a class of this module
        if cls is None and isinstance(endpoint, ast.Attribute) and target is None:
            cls, bound = self._bound_instance_class(endpoint.value, read_in), True
        elif cls is None:
            # `Echo()` of a class another module defines: its `__call__` (see `_endpoint`).
            cls, bound = self._called_instance_class(endpoint, read_in), True
        if cls is not None:
            # The method a base of another module defines is its handler there.
            cls = self._defining_class(cls, name) or cls
        if cls is not None and cls.scope.module is self.module:
            cls = None
        if cls is not None:
            # `TaskController.create_task` of a class another module of the package defines (a
            # static or class method), or `tags.count` after `tags = TagIndex()` of such a
            # class (a bound method): that function is its handler there, with this route.
            defined_in = cls.scope.module.path
            method = class_endpoint(cls, name, bound=bound)
            if method is not None:
                function, class_scope = method
                handler_scope = Scope(function, class_scope.module, class_scope)
                route = self._route(call, verb, owner, scope, handler_scope, path=path)._replace(
                    registered_in=self.module.path
                )
        made = None
        if target is None and isinstance(endpoint, ast.Call):
            factory = self.index.binding_of(endpoint.func, scope)
            if self._defined_elsewhere(factory, "function"):
                # `handlers.make_x()`: the function a factory of another module defines and
                # returns (see `_returned_function`) is its handler there, with this route.
                defined_in = factory.scope.module.path
                made = _returned_function(factory)
        if target is not None and target.kind == "function":
            defined_in = target.scope.module.path
            if (
                isinstance(target.node, FunctionNode)
                and target.scope.parent is None
                and target.scope.module is not self.module
            ):
                # A module-level function of another module: its handler, with this route.
                made = target.node, target.scope
        if made is not None:
            function = made[0]
            handler_scope = Scope(function, made[1].module, made[1])
            route = self._route(call, verb, owner, scope, handler_scope, path=path)._replace(
                registered_in=self.module.path
            )
        views = self._view_classes(endpoint, read_in) if defined_in is None else ()
        self.unfollowed.append(
            Unfollowed.of(
                call,
                ast.unparse(endpoint),
                defined_in,
                function=function,
                route=route,
                views=views,
            )
        )

    def _view_classes(self, endpoint: ast.expr, scope: Scope) -> tuple[str, ...]:
        """The package's classes an endpoint not followed is a method of, each named with its line.

        ``handler = getattr(view(), verb, None)`` in ``def register_view(router, path, view)``
        called as ``register_view(router, "/items", ItemView)``, or ``getattr(cls(), name)`` in
        a class method called as ``ItemView.register(router)``: ``ItemView``, whose methods are
        the routes. The object whose attribute the endpoint reads is followed to its class:
        through the locals bound to it and the arguments every call passes for a parameter
        (``cls`` too: the class the method is called on), a few steps deep; ``self`` is its
        class's when the class defines the method read (not a field holding a function). An
        attribute of an attribute (``self.other.list_all``) is of a class not known here.
        """
        mounts = self.index.mounts
        found: dict[str, str] = {}
        seen: set[tuple[int, str, str]] = set()
        # (expression, scope, what it is): the endpoint, the object it is read on, or a class.
        pending: list[tuple[ast.expr, Scope, str]] = [(endpoint, scope, "endpoint")]
        steps = 0
        while pending and steps < _MAX_VIEW_STEPS:
            steps += 1
            expression, where, kind = pending.pop()
            if kind == "endpoint":
                read = builtin_getattr(expression, where)
                if read is not None:
                    pending.append((read[0], where, "object"))
                elif isinstance(expression, ast.Attribute):
                    pending.append((expression.value, where, f"object.{expression.attr}"))
                elif isinstance(expression, ast.Name):
                    pending.append((expression, where, "value"))
                continue
            if kind.startswith("object") and isinstance(expression, ast.Call):
                pending.append((expression.func, where, "class"))  # `view()`: its instance
                continue
            if not isinstance(expression, ast.Name) or (id(where), expression.id, kind) in seen:
                continue
            seen.add((id(where), expression.id, kind))
            binding = where.lookup(expression.id)
            if binding is not None and binding.kind == "import":
                binding = self.index.binding_of(expression, where)
            if binding is None:
                continue
            if binding.kind == "class" and isinstance(binding.node, ast.ClassDef):
                if kind != "value":  # the class itself, or a class attribute read on it
                    name, line = binding.node.name, binding.node.lineno
                    found[name] = f"`{name}` ({binding.scope.module.path}:{line})"
            elif binding.kind == "value" and isinstance(binding.node, ast.expr):
                follow = "endpoint" if kind == "value" else kind
                pending.append((binding.node, binding.scope, follow))
            elif binding.kind == "param" and instance_parameter(binding.scope) == expression.id:
                # `self`: its class's, when the class defines the method read on it.
                owner = binding.scope.parent
                attribute = kind.partition(".")[2]
                if (
                    kind.startswith("object")
                    and owner is not None
                    and isinstance(owner.node, ast.ClassDef)
                    and (not attribute or attribute in owner.bindings)
                    and (not attribute or owner.bindings[attribute].kind == "function")
                ):
                    name = owner.node.name
                    found[name] = f"`{name}` ({owner.module.path}:{owner.node.lineno})"
            elif binding.kind == "param" and mounts is not None:
                follow = "endpoint" if kind == "value" else kind
                passed = mounts.arguments_passed(binding) or ()
                pending.extend((argument, at, follow) for argument, at in passed)
        return tuple(found[name] for name in sorted(found))

    def _passed_object(self, expression: ast.expr, scope: Scope) -> bool:
        """Whether ``expression`` is a parameter of the function ``scope`` is (not its instance)."""
        if not isinstance(expression, ast.Name) or not isinstance(scope.node, FunctionNode):
            return False
        binding = scope.bindings.get(expression.id)
        return (
            binding is not None
            and binding.kind == "param"
            and expression.id != instance_parameter(scope)
        )

    def _defining_class(self, cls: Binding, name: str) -> Binding | None:
        """The class of ``cls``'s lineage whose body defines ``name``, first in Python's order.

        ``class Ops(BaseOps)`` with ``ping`` defined only in ``BaseOps`` (here or in another
        module of the package): ``BaseOps``. None when no class of the package defines it.
        """
        for each in self.index.lineage(cls):
            node = each.node
            assert isinstance(node, ast.ClassDef)
            if any(
                (isinstance(statement, FunctionNode) and statement.name == name)
                or assigns_name(statement, name)
                for statement in node.body
            ):
                return each
        return None

    def _bound_instance_class(self, instance: ast.expr, scope: Scope) -> Binding | None:
        """The module-level class of the package of the instance a bound method is read from.

        See :func:`instance_class` (``once``): ``Shelf`` for ``shelf`` after ``shelf =
        Shelf("me")``, here or in the module it is imported from; also ``self.shelf`` a
        class assigns once (``self.shelf = Shelf("me")``). An instance built in the
        registration (``Shelf("me").list_all``) is not followed: named on a line instead.
        """
        if isinstance(instance, ast.Call):
            return None
        given = parameter_class(instance, scope, self.index)
        if given is not None:
            return given  # `api.list_models` of `def register_routes(api: RESTfulAPI)`
        if (
            isinstance(instance, ast.Attribute)
            and isinstance(instance.value, ast.Name)
            and instance.value.id == instance_parameter(scope)
            and scope.parent is not None
            and scope.parent.is_class
        ):
            # `self.handler.ping` after `self.handler = Handler()` in the class: the one
            # instance its assignment builds, when the class assigns the attribute once.
            assigned = instance_assignments(scope.parent, instance.attr, scope.module)
            if len(assigned) != 1 or not isinstance(assigned[0][0], ast.Call):
                return None
            return instance_class(*assigned[0], self.index)
        return instance_class(instance, scope, self.index, once=True)

    def _called_instance_class(self, endpoint: ast.expr, scope: Scope) -> Binding | None:
        """The package class of an instance given as an endpoint, when it defines ``__call__``.

        ``add_api_route("/echo", Echo())``, or ``echo`` after ``echo = Echo()`` bound once: a
        callable instance, which FastAPI calls (reading the signature of its ``__call__``). The
        class defining the ``__call__`` it runs: its own, or a base's of the package.
        """
        if not isinstance(endpoint, ast.Call | ast.Name):
            return None
        cls = instance_class(endpoint, scope, self.index, once=True)
        lineage = [] if cls is None else self.index.lineage(cls)
        return next(
            (each for each in lineage if class_endpoint(each, CALL_METHOD, bound=True)), None
        )

    def _imported_class(self, endpoint: ast.expr, scope: Scope) -> Binding | None:
        """The module-level class of another module of the package an endpoint is read from.

        ``TaskController`` of ``TaskController.create_task``, imported; None for anything else.
        """
        if not (isinstance(endpoint, ast.Attribute) and isinstance(endpoint.value, ast.Name)):
            return None
        cls = self.index.binding_of(endpoint.value, scope)
        return cls if self._defined_elsewhere(cls, "class") else None

    def _defined_elsewhere(self, binding: Binding | None, kind: str) -> TypeGuard[Binding]:
        """Whether ``binding`` is a module-level ``kind`` (function, class) of another module."""
        return (
            binding is not None
            and binding.kind == kind
            and binding.scope.parent is None
            and binding.scope.module is not self.module
        )

    def _endpoint(self, endpoint: ast.expr, scope: Scope) -> tuple[FunctionNode, Scope] | None:
        """The function an ``add_api_route`` endpoint names, and the scope it is defined in.

        A function of this module by name, or a method of the class through ``self.method``
        (a controller registering its own methods in ``__init__``), or the function a factory
        of this module defines and returns (``make_predict(name, model)``, see
        :func:`_returned_function`).
        """
        called = self._called_instance_class(endpoint, scope)
        if called is not None and called.scope.module is self.module:
            # `Echo()`, or `echo` after `echo = Echo()`: FastAPI calls the instance, so its
            # class's `__call__` is the handler (bound: called without the instance parameter).
            return class_endpoint(called, CALL_METHOD, bound=True)
        if isinstance(endpoint, ast.Call) and isinstance(endpoint.func, ast.Name):
            return _returned_function(scope.lookup(endpoint.func.id))
        if (
            isinstance(endpoint, ast.Call)
            and isinstance(endpoint.func, ast.Attribute)
            and isinstance(endpoint.func.value, ast.Name)
        ):
            # `self._create_get_endpoint(Model)`: a factory method of the instance's class.
            method = method_of_instance(endpoint.func.value, scope)
            holder = None if method is None else method.parent
            if holder is not None and isinstance(holder.node, ast.ClassDef):
                made = _returned_function(holder.bindings.get(endpoint.func.attr), method=True)
                if made is not None:
                    return made
        if isinstance(endpoint, ast.Name):
            binding = scope.lookup(endpoint.id)
            if binding is None or binding.kind != "function":
                return None
            assert isinstance(binding.node, FunctionNode)
            return binding.node, binding.scope
        if isinstance(endpoint, ast.Attribute) and isinstance(endpoint.value, PassedInstance):
            # `getattr(view, verb)` of a helper's `view = kls()`: the class the call passes
            # (the method its class or a base defines, in Python's order; a base of another
            # module holds its handler, see `_unfollowed`).
            defining = self._defining_class(endpoint.value.cls, endpoint.attr)
            if defining is None or defining.scope.module is not self.module:
                return None
            return class_endpoint(defining, endpoint.attr, bound=True)
        if isinstance(endpoint, ast.Attribute) and isinstance(endpoint.value, ast.Name):
            owner = scope.lookup(endpoint.value.id)
            if owner is not None and owner.kind == "class":
                # `Controller.create`: a static or class method of a class of this module.
                defining = self._defining_class(owner, endpoint.attr) or owner
                if defining.scope.module is not self.module:
                    return None
                return class_endpoint(defining, endpoint.attr)
            instance_of = self._bound_instance_class(endpoint.value, scope)
            if instance_of is not None and instance_of.scope.module is self.module:
                # `shelf.list_all` after `shelf = Shelf()`: the bound method FastAPI calls.
                defining = self._defining_class(instance_of, endpoint.attr) or instance_of
                if defining.scope.module is not self.module:
                    return None
                return class_endpoint(defining, endpoint.attr, bound=True)
            method = method_of_instance(endpoint.value, scope)
            if method is None or method.parent is None:
                return None
            cls = method.parent.node
            assert isinstance(cls, ast.ClassDef)
            for statement in cls.body:
                if (
                    isinstance(statement, FunctionNode)
                    and statement.name == endpoint.attr
                    and instance_method(statement)
                ):
                    return statement, method.parent
        return None

    def _router_instance(
        self, binding: Binding, expression: ast.expr, scope: Scope
    ) -> Owner | None:
        """``self`` in a method of an ``APIRouter`` (or ``FastAPI``) subclass: the router itself.

        ``class Reports(APIRouter): def __init__(self): self.add_api_route("/x", self.x)``:
        every instance of the class is a router. The one instance the package builds
        (``reports = Reports()``) is served where it is included: its routes are logged under
        those prefixes, then ``self.prefix``; so are those of instances built more than once,
        each told apart, when they serve them under one path (else as declared, said on a
        line). Any other way, under paths only known at run time: logged under its own prefix
        (``self.prefix``), said on a line. In a ``FastAPI`` subclass whose one instance is
        the app served (``class TodoApp(FastAPI): def __init__(self): @self.get("/api")``,
        then ``app = TodoApp()``), ``self`` is that app: its routes are at the app's root, as
        those declared on a module's app are (any other instance: not followed, as before).
        """
        role = instance_role(binding, self.index)
        mounts = self.index.mounts
        class_scope = binding.scope.parent
        assert class_scope is not None
        if role is Role.APP:
            served = None if mounts is None else mounts.served_instance(class_scope)
            return None if served is None else Owner(Role.APP, "", expression, scope, served)
        if role is not Role.ROUTER:
            return None
        key = None if mounts is None else mounts.only_instance(class_scope)
        if key is not None:
            assert mounts is not None
            own = mounts.own_prefix(class_scope)
            # The class built more than once: its routes are each instance's (see
            # `instance_mounts`), which may be served under several paths.
            several = mounts.several_paths(key)
            owner = Owner(Role.ROUTER, None, expression, scope, key, several, False, own)
            return self._served(owner)
        cls = class_scope.node
        assert isinstance(cls, ast.ClassDef)
        note = (
            f"`{binding.name}` is an instance of `{cls.name}`, a router class: its routes are "
            f"logged under the router's own prefix (`{binding.name}.prefix`), without the "
            "prefixes it is included under"
        )
        return Owner(Role.ROUTER, None, expression, scope, None, note)

    def _library_app(self, expression: ast.expr, scope: Scope) -> bool:
        """Whether ``expression`` names the app served, one a library builds (``nicegui.app``)."""
        mounts = self.index.mounts
        if mounts is None or mounts.library_app is None:
            return False
        qualified = self.index.qualify(expression, scope)
        if qualified is None:
            return False
        canonical, found = self.index.resolve(qualified)
        return found is None and canonical == mounts.library_app

    def _served_variable(
        self, binding: Binding, expression: ast.expr, scope: Scope
    ) -> Owner | None:
        """The app served, when ``binding`` is the variable the plan serves yet not read as one.

        ``app = api.app`` (stac-fastapi's ``StacApi`` builds the app it holds) or ``app =
        build_app()`` of a library: the plan says the name holds the app, so the routes
        declared on it are the app's own, under no prefix.
        """
        mounts = self.index.mounts
        if (
            mounts is None
            or mounts.served_variable is None
            or mounts.served_variable() is not binding
        ):
            return None
        return Owner(Role.APP, "", expression, scope)

    def owner(self, expression: ast.expr, scope: Scope) -> Owner | None:
        """The app or router ``expression`` names in ``scope``, if it names one."""
        binding = self.index.binding_of(expression, scope)
        if binding is None:
            if self._library_app(expression, scope):
                return Owner(Role.APP, "", expression, scope)
            if isinstance(expression, ast.Attribute) and expression.attr == APP_ROUTER:
                # `app.router.add_api_route(...)`: the app's own router routes as the app does.
                app = self.owner(expression.value, scope)
                if app is not None and app.role is Role.APP:
                    return Owner(Role.APP, app.prefix, expression, scope, app.key)
            controlled = controller_router(expression, scope, self.index)
            if controlled is not None:
                # `@controller.route.get(...)`: the routes of the router it was given.
                return self.owner(*controlled)
            read = self._class_attribute(expression, scope)
            # `@Base.router.get(...)`: the router a class-based controller's body builds.
            held = None if read is None else self.owner(*read)
            if held is not None:
                return held
            return self._instance_owner(expression, scope) or self._library_router(
                expression, scope
            )
        # `@app.get(...)` above `app = Wrapper(app)` is a route of the app, not of the wrapper.
        binding = unwrapped(binding)
        if binding.kind == "param":
            argument = binding.node
            assert isinstance(argument, ast.arg)
            mounts = self.index.mounts
            if argument.annotation is not None:
                role = self.index.annotation_role(argument.annotation, binding.scope)
            elif (instance := self._router_instance(binding, expression, scope)) is not None:
                return instance
            else:
                # `def register(app): @app.post("/chat")`, called as `register(app)` after
                # `app = FastAPI()`: what every call passes for it tells what it is.
                role = None if mounts is None else mounts.passed_role(binding)
            if role is None:
                return None
            passed = None if mounts is None else mounts.passed_router(binding)
            if role is Role.ROUTER and passed is not None:
                # `def add_routes(router: APIRouter)` always called with one router: its routes.
                said = None if mounts is None else mounts.unserved(passed[0])
                return Owner(
                    role,
                    passed[1],
                    expression,
                    scope,
                    passed[0],
                    None if said is None else said.note,
                    said is not None and said.certain,
                )
            passed_key = None
            if mounts is not None and role is Role.APP:
                passed_key = mounts.passed_app(binding)
            if passed_key is not None:
                # `def add_routes(api: FastAPI)` always called with one app: served where it is.
                return Owner(role, "", expression, scope, passed_key)
            note = None
            if role is Role.ROUTER and mounts is not None:
                function = binding.scope.node
                assert isinstance(function, FunctionNode)
                note = (
                    f"`{binding.name}` is a parameter of `{function.name}`, not called with one "
                    "router the package builds: its routes are logged under that router's own "
                    f"prefix (`{binding.name}.prefix`), without the prefixes it is included under"
                )
            return Owner(role, "" if role is Role.APP else None, expression, scope, None, note)
        if (
            bound_once(binding)
            and binding.scope.parent is None
            and isinstance(binding.node, ast.Attribute)
            and binding.node.attr == APP_ROUTER
        ):
            # `api = app.router`, then `@api.post(...)`: the app's own router, as above.
            app = self.owner(binding.node.value, binding.scope)
            if app is not None and app.role is Role.APP:
                return Owner(Role.APP, app.prefix, expression, scope, app.key)
        if (
            binding.kind == "value"
            and binding.scope.parent is not None
            and isinstance(binding.node, ast.Attribute)
            and bound_once(binding)
        ):
            # `router = api._router` in a function: the router the instance holds, if one.
            held = self._instance_owner(binding.node, binding.scope)
            if held is not None:
                return held
        if binding.kind != "value" or not isinstance(binding.node, ast.Call):
            return self._served_variable(binding, expression, scope)
        call = binding.node
        role, standard = self.index.built_role(call, binding.scope)
        if role is None:
            return self._library_built_router(binding, expression, scope) or (
                self._served_variable(binding, expression, scope)
            )
        prefix: str | None = ""
        note = None
        if role is Role.ROUTER:
            prefix = router_prefix(call, standard, self.index, binding.scope)
            # `router.prefix = "/items"` above the route: FastAPI adds that one instead (all of
            # its own module's, when the route is declared in another, which imports it whole).
            assigned = self.index.assigned_prefixes(binding, scope, expression.lineno)
            if binding.scope.module is not scope.module:
                everywhere = self.index.assigned_prefixes(binding, binding.scope, sys.maxsize)
                assigned = everywhere + assigned
            if assigned:
                prefix = self.index.string_value(assigned[-1], scope)
            elif prefix is None and not standard and package_function(call, self.index, scope):
                # `router = make_router(settings.PREFIX)`: said, as the log call reads it back.
                note = (
                    f"`{ast.unparse(expression)}` is the router `{ast.unparse(call.func)}(...)` "
                    "returns, with a prefix only known at run time: its routes are logged with "
                    f"`{ast.unparse(expression)}.prefix`"
                )
            if standard and prefix is not None and refused_prefix(prefix):
                # FastAPI asserts both when it builds the router: the module fails to import.
                note = (
                    f"`{ast.unparse(expression)}` has the prefix {prefix!r}, which FastAPI "
                    "refuses (a prefix starts with '/' and does not end with one): the app fails "
                    "to start until it is fixed; its routes are logged with it as written"
                )
        elif role is Role.APP:
            # `app.router.prefix = "/api"` above the route: FastAPI adds it.
            prefix = self.index.app_router_prefix(binding, scope, expression.lineno)
            if prefix is None:
                prefix = ""
                note = (
                    f"`{ast.unparse(expression)}.router.prefix` is set above to a value only "
                    "known at run time: the routes declared on the app after it are logged "
                    "without it"
                )
        key = None
        if role is Role.APP:
            key = self.index.app_key(binding)  # also an app built in a factory
        elif role is Role.ROUTER:
            # Also one a function builds and returns, or a class body's (`router = APIRouter()`
            # in `class Sensors:`, included as `Sensors.router`).
            key = self.index.router_key(binding) or class_body_router(binding)
        elif binding.scope.parent is None:
            key = (binding.scope.module.name, binding.name)
        return self._served(Owner(role, prefix, expression, scope, key, note))

    def _served(self, owner: Owner) -> Owner:
        """``owner``, with the line saying so when it is not served where it is logged.

        A router no app is known to serve, or an app other than the one served and not
        mounted into it.
        """
        mounts = self.index.mounts
        if owner.key is None or mounts is None:
            return owner
        if owner.role is Role.APP:
            note = mounts.app_unserved(owner.key)
            if note is None:
                return owner
            return owner._replace(note=note, unserved=mounts.sealed(owner.key))
        if owner.role is not Role.ROUTER:
            return owner
        said = mounts.unserved(owner.key)
        if said is None:
            return owner
        return owner._replace(note=said.note, unserved=said.certain)

    def _class_attribute(self, expression: ast.expr, scope: Scope) -> tuple[ast.Name, Scope] | None:
        """``router`` in the body of the class ``Base.router`` reads it from, and that body.

        A class of the package (``Items.router`` of ``class Items(Base)`` too: the first class
        of its lineage whose body binds the name, as Python looks it up); None for anything
        else, and when the package uses the attribute name other than to register routes on
        it or include it (:meth:`PackageIndex.changes_held`): it may rebind or change it.
        """
        if not isinstance(expression, ast.Attribute):
            return None
        cls = self.index.binding_of(expression.value, scope)
        if cls is None or cls.kind != "class":
            return None
        if self.index.changes_held(cls.scope.module, expression.attr):
            # `Base.router = APIRouter(prefix="/v2")` after the class, or its prefix set so
            # (through an alias too): the router the body builds may not be the one read.
            return None
        for holder in self.index.lineage(cls):
            assert isinstance(holder.node, ast.ClassDef)
            body = Scope(holder.node, holder.scope.module, holder.scope)
            if expression.attr in body.bindings:
                name = ast.copy_location(ast.Name(expression.attr, ast.Load()), expression)
                return name, body
        return None

    def _instance_owner(self, expression: ast.expr, scope: Scope) -> Owner | None:
        """``self.router`` in a method, when the class sets ``self.router`` to an app or router.

        Controllers build their router in ``__init__`` (``self.router = APIRouter(...)``, or
        ``self.router = router`` from a parameter annotated as one) and register routes on it.
        """
        if not (isinstance(expression, ast.Attribute) and isinstance(expression.value, ast.Name)):
            return None
        method = method_of_instance(expression.value, scope)
        class_scope = None if method is None else method.parent
        if method is None:
            # `def register_routes(api: "RESTfulAPI"): api._router`: the instance the class is.
            cls = parameter_class(expression.value, scope, self.index)
            if cls is None or not isinstance(cls.node, ast.ClassDef):
                return None
            class_scope = Scope(cls.node, cls.scope.module, cls.scope)
        assert class_scope is not None and isinstance(class_scope.node, ast.ClassDef)
        assignments = instance_assignments(class_scope, expression.attr, class_scope.module)
        inherited: str | None = None
        if not assignments and class_scope.parent is not None:
            # `self.router` a base class of the package builds in its `__init__`.
            cls = Binding("class", class_scope.node.name, class_scope.parent, class_scope.node)
            found_in = assigning_class(cls, expression.attr, self.index)
            if found_in is not None:
                assignments = found_in[1]
                base = found_in[0].node
                assert isinstance(base, ast.ClassDef)
                inherited = base.name
        found: list[tuple[Role, str | None]] = []
        built = True  # every value a router or app built there: the instance's own
        for value, method_scope in assignments:
            built = built and isinstance(value, ast.Call)
            role: Role | None = None
            prefix: str | None = None
            if isinstance(value, ast.Call):
                role, standard = self.index.built_role(value, method_scope)
                if role is Role.ROUTER:
                    prefix = router_prefix(value, standard, self.index, method_scope)
            elif isinstance(value, ast.Name):
                bound = method_scope.lookup(value.id)
                if bound is not None and bound.kind == "param":
                    argument = bound.node
                    assert isinstance(argument, ast.arg)
                    if argument.annotation is not None:
                        role = self.index.annotation_role(argument.annotation, bound.scope)
            if role is None:
                return None  # set to something else too: which object it is is not known
            found.append((role, "" if role is Role.APP else prefix))
        if not found or len({role for role, _ in found}) != 1:
            return None
        prefixes = {prefix for _, prefix in found}
        prefix = prefixes.pop() if len(prefixes) == 1 else None
        key = None
        if inherited is not None and found[0][0] is Role.ROUTER:
            own = instance_router_key(class_scope, expression.attr)
            mounts = self.index.mounts
            if mounts is not None and len(mounts.included.get(own, ())) == 1:
                # The one instance of this class the package includes (see `own_class_routers`),
                # its router's prefix from what its constructor is given.
                instance = mounts.included[own][0].instance
                constructed = constructed_prefix(instance, expression.attr, self.index)
                prefix = prefix if constructed is None else constructed
                return self._served(Owner(Role.ROUTER, prefix, expression, scope, own))
            # Its includes name the base's router, which every subclass shares: which of them
            # serves these routes is not told (see `_class_router`).
            note = (
                f"`{ast.unparse(expression)}` is built by `{inherited}`, a base class every "
                "subclass shares: its routes are logged under the router's own prefix "
                f"(`{ast.unparse(expression)}.prefix`), without the prefixes it is included under"
            )
            return Owner(Role.ROUTER, prefix, expression, scope, None, note)
        if found[0][0] is Role.ROUTER and built:
            # Served where the package includes `<instance>.router` (see `mounts`).
            key = instance_router_key(class_scope, expression.attr)
            if prefix is None:
                prefix = self._constructed_prefix(key)
        return self._served(Owner(found[0][0], prefix, expression, scope, key))

    def _constructed_prefix(self, key: tuple[str, str]) -> str | None:
        """The prefix of a class's instance router (``key``: see :func:`instance_router_key`).

        Included once: from what that instance's constructor is given (see
        :func:`constructed_prefix`); None when included otherwise or not known statically.
        """
        mounts = self.index.mounts
        if mounts is None or len(mounts.included.get(key, ())) != 1:
            return None
        attribute = key[1].rpartition(".")[2]
        return constructed_prefix(mounts.included[key][0].instance, attribute, self.index)

    def _library_built_router(
        self, binding: Binding, expression: ast.expr, scope: Scope
    ) -> Owner | None:
        """A module variable a library's call builds, which the package includes as a router.

        ``router = fastapi_users.get_users_router(...)``, ``@router.get("/me/stats")`` and
        ``app.include_router(users.router, prefix="/users")``: the include says it is a router;
        its own prefix is read at run time (``router.prefix``), whatever the library gave it.
        """
        mounts = self.index.mounts
        if (
            mounts is None
            or binding.scope.parent is not None
            or not bound_once(binding)
            or not isinstance(binding.node, ast.Call)
            or not library_call(binding.node, binding.scope, self.index)
        ):
            return None
        key = (binding.scope.module.name, binding.name)
        if key not in mounts.included:
            return None
        return self._served(Owner(Role.ROUTER, None, expression, scope, key))

    def _library_router(self, expression: ast.expr, scope: Scope) -> Owner | None:
        """``cog.router`` of an object holding a router the package includes.

        Built by a library (see :func:`library_object_router`), or by a class of the package
        (see :func:`included_instance_router`): its own prefix is read at run time
        (``cog.router.prefix``), whatever the object's class gave it; a package class's instance
        included once has the prefix its constructor builds the router with, when known.
        """
        own = included_instance_router(expression, scope, self.index)
        key = own or library_object_router(expression, scope, self.index)
        mounts = self.index.mounts
        if key is None or mounts is None or key not in mounts.included:
            return None
        prefix = None if own is None else self._constructed_prefix(own)
        return self._served(Owner(Role.ROUTER, prefix, expression, scope, key))

    def _environment_path(
        self, expression: ast.expr | None, scope: Scope, handler_scope: Scope
    ) -> str | None:
        """The source of a path read from the environment, if the handler can read it the same.

        ``@router.get(os.getenv("ITEMS_PATH", "/items"))``: the handler reads the variable again,
        as a handler reads its router's prefix from the environment (``router.prefix``), and as
        ``os.environ["ITEMS_PATH"]`` is read: the path served, whatever the environment sets.
        """
        if expression is None:
            return None
        reads = environment_reads(self.index, expression, scope)
        if not reads or not all(
            read_alike(read.func, scope, handler_scope)
            and all(
                isinstance(value, ast.Constant) or read_alike(value, scope, handler_scope)
                for value in [*read.args, *(keyword.value for keyword in read.keywords)]
            )
            for read in reads
        ):
            return None
        return as_written(expression, scope)

    def _route(
        self,
        call: ast.Call,
        verb: str,
        owner: Owner,
        scope: Scope,
        handler_scope: Scope,
        *,
        methods_at: int | None = None,
        path: str | None = None,
        passed: str | None = None,
    ) -> Route:
        """The route ``call`` registers; ``path``: its path when known otherwise (a loop's).

        ``passed``: the parameter of the factory making the handler that holds the path (see
        :meth:`_factory_path`), logged in place of the path.
        """
        if (
            owner.prefix is None
            and owner.static_prefix is not None
            and reachable(owner.reference, owner.scope, handler_scope) is None
        ):
            # `self.add_api_route("/ping", self.handler.ping)`: `self.prefix` is not the
            # handler's to read, the prefix the router gets is known.
            owner = owner._replace(prefix=owner.static_prefix)
        path_expression = call_argument(call, 0, "path")
        if path is None:
            path = self.index.string_value(path_expression, scope)
        methods = _methods(call, verb, self.index, scope, methods_at)
        problem = None
        quote = handler_scope.module.quote
        mounts = self.index.mounts
        version, note = "", owner.note
        at = (id(scope.node), call.lineno)
        shadowed = None
        if mounts is not None:
            # Served again under its version's prefix by a versioning wrapper of its app.
            named = None if owner.reference is None else (owner.reference, owner.scope)
            version, unknown = mounts.version_prefix(
                owner.key, owner.role, at, handler_scope, named
            )
            note = note or unknown
            known = None if path is None or owner.prefix is None else owner.prefix + path
            if owner.role is Role.ROUTER and not owner.unserved:
                # Declared after an include of its router: FastAPI's versions differ there.
                note = note or mounts.older_fastapi(owner.key, at)
                if known is not None:
                    # Included (every time) after a mount of the app that answers it first.
                    shadowed = mounts.shadowed_router(owner.key, known)
            elif owner.role is Role.APP and owner.reference is not None and known is not None:
                # Declared after a mount of its app that answers its path first: never reached.
                written = ast.unparse(owner.reference)
                shadowed = mounts.shadowing(written, scope, call.lineno, known)
            note = shadowed or note
        mount = version
        static = False
        if path is not None and owner.prefix is not None and passed is None:
            static = True
            # Served under the prefixes of the include_router calls that include the router,
            # when they are known and the same for every way it is included.
            mount += _served_prefix(mounts, owner)
            template = mount + owner.prefix + path
            code = string_literal(template, quote)
        else:
            template = path or ""
            parts: list[str] = []
            if owner.prefix is None:
                reference = reachable(owner.reference, owner.scope, handler_scope)
                if reference is None:
                    problem = "its router's prefix is only known at run time"
                else:
                    # Under the include prefixes, when known: `"/api" + router.prefix + "/x"`.
                    if mounts is not None and owner.key is not None and owner.role is Role.ROUTER:
                        mount += mounts.served_prefix(owner.key) or ""
                    if mount:
                        parts.append(string_literal(mount, quote))
                    parts.append(f"{reference}.prefix")
            else:
                # A path known only at run time is still served under the include prefixes.
                mount += _served_prefix(mounts, owner)
                if mount or owner.prefix:
                    parts.append(string_literal(mount + owner.prefix, quote))
                if passed is not None and path is not None:
                    template = mount + owner.prefix + path
            if passed is not None:
                parts.append(passed)
            elif path is not None:
                if path or not parts:  # `router.prefix`, not `router.prefix + ""`
                    parts.append(string_literal(path, quote))
            else:
                reference = reachable(path_expression, scope, handler_scope) or (
                    self._environment_path(path_expression, scope, handler_scope)
                )
                if reference is None:
                    problem = _PATH_NOT_KNOWN
                    parts.append("?")  # messages show the known prefixes, then the unknown
                elif parts and isinstance(path_expression, ast.BoolOp):
                    # `or` binds looser than the `+` that puts the prefixes before it.
                    parts.append(f"({reference})")
                else:
                    parts.append(reference)
            code = " + ".join(parts)
        if methods is None and problem is None:
            problem = "its methods are not literals"
        return Route(
            code,
            template,
            methods,
            call.lineno,
            problem,
            owner.key,
            bool(mount),
            note,
            static,
            owner.unserved or shadowed is not None,
            passed is not None,
        )


#: Methods through which an instance answers for attributes its class does not define.
_DYNAMIC_ATTRIBUTES = frozenset({"__getattr__", "__getattribute__"})


def _holds_line(block: list[ast.stmt], line: int) -> bool:
    """Whether ``line`` is within the statements of ``block``."""
    return bool(block) and block[0].lineno <= line <= (block[-1].end_lineno or block[-1].lineno)


def _served_prefix(mounts: "Mounts | None", owner: Owner) -> str:
    """The include prefixes ``owner``'s routes are served under, when known and one (else "").

    Under the include_router calls that include a router; a sub-application's routes under
    its mount path.
    """
    if mounts is None or owner.key is None:
        return ""
    if owner.role is Role.ROUTER:
        return mounts.served_prefix(owner.key) or ""
    return mounts.app_prefix(owner.key) or ""


def _fallback_tries(
    statements: list[ast.stmt], within: ast.Try | ast.TryStar | None = None
) -> dict[int, ast.Try | ast.TryStar]:
    """The definitions of a block inside an ``except`` block, each with its (innermost) ``try``."""
    found: dict[int, ast.Try | ast.TryStar] = {}
    for statement in statements:
        if isinstance(statement, FunctionNode | ast.ClassDef):
            if within is not None:
                found[id(statement)] = within
        elif isinstance(statement, ast.Try | ast.TryStar):
            found.update(_fallback_tries(statement.body, within))
            for handler in statement.handlers:
                found.update(_fallback_tries(handler.body, statement))
            found.update(_fallback_tries(statement.orelse, within))
            found.update(_fallback_tries(statement.finalbody, within))
        else:
            for block in sub_blocks(statement):
                found.update(_fallback_tries(block, within))
    return found


_DEPENDENCY_MARKERS = frozenset({"Depends", "Security"})


def _markers(default: ast.expr | None, annotation: ast.expr | None) -> list[ast.Call]:
    """A parameter's FastAPI markers: its default call and its ``Annotated[...]`` metadata calls."""
    markers = [default] if isinstance(default, ast.Call) else []
    if (
        isinstance(annotation, ast.Subscript)
        and ast.unparse(annotation.value).rpartition(".")[2] == "Annotated"
        and isinstance(annotation.slice, ast.Tuple)
    ):
        markers += [item for item in annotation.slice.elts[1:] if isinstance(item, ast.Call)]
    return markers


def is_dependency(marker: ast.expr | None) -> bool:
    """Whether a parameter's default (or marker) is ``Depends(...)`` or ``Security(...)``."""
    return (
        isinstance(marker, ast.Call)
        and ast.unparse(marker.func).rpartition(".")[2] in _DEPENDENCY_MARKERS
    )


def _path_alias(marker: ast.Call) -> str | None:
    """The alias of a ``Path(alias="...")`` marker."""
    if ast.unparse(marker.func).rpartition(".")[2] != "Path":
        return None
    for keyword in marker.keywords:
        if (
            keyword.arg == "alias"
            and isinstance(keyword.value, ast.Constant)
            and isinstance(keyword.value.value, str)
            and keyword.value.value.isidentifier()
        ):
            return keyword.value.value
    return None


def _replaces_endpoint(cls: ast.ClassDef) -> bool:
    """Whether the decorators a class's methods build register some other function.

    The decorators are the functions its methods define in their own body taking one argument
    (the decorated function). None of them passing that argument on to a call
    (``add_path(function)``, ``self.add_api_route(path, function)``) but only, say, to
    ``@wraps(function)`` of a function of their own: FastAPI is given that other function. A
    method defining no decorator returns FastAPI's own (``return super().get(path, **options)``).
    """
    methods = [item for item in cls.body if isinstance(item, FunctionNode)]
    decorators = [
        node
        for method in methods
        for node in block_statements(method.body)
        if isinstance(node, FunctionNode)
        and len([*node.args.posonlyargs, *node.args.args]) == 1
        and node.args.vararg is None
    ]
    if not decorators:
        return False
    for decorator in decorators:
        name = [*decorator.args.posonlyargs, *decorator.args.args][0].arg
        decorating = {
            id(part)
            for node in ast.walk(decorator)
            if isinstance(node, FunctionNode | ast.ClassDef)
            for expression in node.decorator_list
            for part in ast.walk(expression)
        }
        for node in ast.walk(decorator):
            if isinstance(node, ast.Call) and id(node) not in decorating:
                arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
                if any(isinstance(a, ast.Name) and a.id == name for a in arguments):
                    return False  # passed on: the decorated function is what is registered
    return True


def _appended_routes(statement: ast.stmt) -> tuple[list[ast.expr], ast.expr] | None:
    """The route objects a statement adds to ``<owner>.routes``, and the owner, else None.

    ``router.routes.append(APIRoute(...))``, ``.insert(0, ...)`` or ``.extend([...])``.
    """
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return None
    call = statement.value
    method = call.func
    if not (
        isinstance(method, ast.Attribute)
        and isinstance(method.value, ast.Attribute)
        and method.value.attr == "routes"
        and not call.keywords
        and not any(isinstance(argument, ast.Starred) for argument in call.args)
    ):
        return None
    owner = method.value.value
    if method.attr == "append" and len(call.args) == 1:
        return [call.args[0]], owner
    if method.attr == "insert" and len(call.args) == 2:
        return [call.args[1]], owner
    listed = call.args[0] if len(call.args) == 1 else None
    if method.attr == "extend" and isinstance(listed, ast.List | ast.Tuple):
        return list(listed.elts), owner
    return None


def _alias_of(binding: Binding) -> ast.Attribute | ast.Name | None:
    """The name or attribute chain a module-level name is bound once to, never changed.

    ``deco = api.route``, ``route = make_route``: the name is another name for what it holds.
    """
    held = _held_method(binding)
    if held is None or not isinstance(binding.node, ast.Attribute | ast.Name):
        return None
    return held[0]


def _unaliased(decorator: ast.expr, scope: Scope) -> ast.expr:
    """``@deco("/x")`` as ``@api.route("/x")`` when this module binds ``deco = api.route``.

    A module-level name bound once to a name or attribute chain, never changed, whose root
    name is bound once and means the same where the decorator is read; else ``decorator``. Also
    bound to ``getattr(api, "route")``, or to ``functools.partial(api.route, *args, **options)``
    (its arguments then come first, as the call passes them).
    """
    if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Name)):
        return decorator
    binding = scope.lookup(decorator.func.id)
    held = None if binding is None else _held_method(binding)
    if binding is None or held is None:
        return decorator
    method, arguments, options = held
    root = chain_root(method)
    assert isinstance(root, ast.Name)
    meant = binding.scope.lookup(root.id)
    if meant is None or scope.lookup(root.id) is not meant or not sole_binding(meant):
        return decorator
    func = copy.deepcopy(method)
    for node in ast.walk(func):  # at the decorator's line, where a pragma is looked for
        ast.copy_location(node, decorator.func)
    given = {keyword.arg for keyword in decorator.keywords}
    keywords = [keyword for keyword in options if keyword.arg not in given]
    written = ast.Call(func, [*arguments, *decorator.args], [*keywords, *decorator.keywords])
    return ast.copy_location(written, decorator)


def _held_method(
    binding: Binding,
) -> tuple[ast.Attribute | ast.Name, list[ast.expr], list[ast.keyword]] | None:
    """What a module-level name bound once holds, as a name or attribute chain it calls.

    ``deco = api.route`` (see :func:`_alias_of`), ``deco = getattr(api, "route")``, or
    ``deco = functools.partial(api.route, ...)``: the chain, and the arguments and keywords
    the partial passes first. None for anything else.
    """
    value = binding.node
    arguments: list[ast.expr] = []
    options: list[ast.keyword] = []
    call = value
    if isinstance(call, ast.Call):
        read = builtin_getattr(call, binding.scope)
        if read is not None:
            held, name, default = read
            if default is not None or not (
                isinstance(name, ast.Constant)
                and isinstance(name.value, str)
                and name.value.isidentifier()
            ):
                return None
            value = ast.copy_location(ast.Attribute(held, name.value, ast.Load()), call)
        elif (
            PackageIndex.qualify(call.func, binding.scope) == PARTIAL
            and call.args
            and not any(isinstance(argument, ast.Starred) for argument in call.args)
            and all(keyword.arg is not None for keyword in call.keywords)
        ):
            value, arguments, options = call.args[0], call.args[1:], call.keywords
        else:
            return None
    if (
        binding.kind != "value"
        or binding.scope.parent is not None
        or not isinstance(value, ast.Attribute | ast.Name)
        or not isinstance(chain_root(value), ast.Name)
        or not assigned_once_unchanged(binding)
    ):
        return None
    return value, arguments, options


def _bound_method(binding: Binding | None, methods: frozenset[str]) -> ast.Attribute | None:
    """What a module-level name bound once to one of ``methods`` of an object holds.

    ``get = router.get`` (``binding`` the name's, also imported): ``router.get``, to be read in
    the binding's scope. None for any other binding, or one changed later.
    """
    if (
        binding is None
        or binding.kind != "value"
        or binding.scope.parent is not None
        or not isinstance(binding.node, ast.Attribute)
        or binding.node.attr not in methods
        or not assigned_once_unchanged(binding)
    ):
        return None
    return binding.node


def _route_decorator(decorator: ast.expr, scope: Scope) -> tuple[ast.Call, ast.expr, str] | None:
    """``(call, owner expression, verb)`` for ``@<owner>.<verb>(...)``, else None.

    Also ``@getattr(<owner>, "<verb>")(...)``: the same method, looked up by its name.
    """
    if not isinstance(decorator, ast.Call):
        return None
    method = _route_method(decorator.func, scope)
    if method is None:
        return None
    owner, verb = method
    if isinstance(verb, ast.Constant) and verb.value in ROUTE_DECORATORS:
        return decorator, owner, str(verb.value)
    return None


def _route_method(function: ast.expr, scope: Scope) -> tuple[ast.expr, ast.expr] | None:
    """``(owner, verb)`` of ``<owner>.<verb>`` or ``getattr(<owner>, <verb>)``.

    The verb as an expression: a constant for an attribute, maybe a loop's name for getattr.
    Only the builtin ``getattr``: a function or import of the module's own under that name
    (``scope`` binds it) returns what it returns.
    """
    if isinstance(function, ast.Attribute):
        return function.value, ast.copy_location(ast.Constant(function.attr), function)
    read = builtin_getattr(function, scope)
    if read is None or read[2] is not None:
        return None
    return read[0], read[1]


def _applied_decorator(
    node: ast.AST, scope: Scope
) -> tuple[ast.Call, ast.expr, ast.expr, ast.expr] | None:
    """``(decorator call, owner, verb, endpoint)`` for ``<owner>.<verb>(...)(endpoint)``.

    Also ``getattr(<owner>, <verb>)(...)(endpoint)``, whose verb may be a loop's name.
    """
    if (
        isinstance(node, ast.Call)
        and len(node.args) == 1
        and not node.keywords
        and not isinstance(node.args[0], ast.Starred)
        and isinstance(node.func, ast.Call)
    ):
        method = _route_method(node.func.func, scope)
        if method is not None:
            return node.func, method[0], method[1], node.args[0]
    return None


def _looks_like_route(call: ast.Call) -> bool:
    """Whether a decorator call's first argument reads like a URL path."""
    path = call_argument(call, 0, "path")
    return (
        isinstance(path, ast.Constant)
        and isinstance(path.value, str)
        and (path.value == "" or path.value.startswith("/"))
    )


def _methods(
    call: ast.Call, verb: str, index: PackageIndex, scope: Scope, position: int | None = None
) -> tuple[str, ...] | None:
    """The methods a route declares; None when they are not known without running code.

    A literal list, tuple or set of strings, or a name bound once to one (``methods=
    PROXY_METHODS``, also imported); its items may be names of strings too, or unpack another
    such collection (``[*READ_ONLY, "POST"]``), and two may be added. ``position``: the
    positional argument that may hold them too (classy-fastapi's ``route(path, methods)``).
    """
    if verb in HTTP_METHODS:
        return (verb.upper(),)
    if verb == WEBSOCKET:
        return (WEBSOCKET_METHOD,)
    methods = call_argument(call, position, "methods")
    if methods is None:
        return ("GET",)  # what api_route and add_api_route default to
    if isinstance(methods, ast.Name | ast.Attribute):
        binding = index.binding_of(methods, scope)
        if binding is None or binding.kind != "value" or not isinstance(binding.node, ast.expr):
            return None
        methods, scope = binding.node, binding.scope
    items = literal_items(methods, scope, index)
    if not items:
        return None
    names: list[str] = []
    for element, element_scope in items:
        name = index.string_value(element, element_scope)
        if name is None:
            return None
        names.append(name.upper())
    return tuple(dict.fromkeys(names))


_SURROGATE = re.compile(r"[\ud800-\udfff]")
# One encoder for every literal: json.dumps with an option builds a new one at each call (twelve
# literals per handler: a third of a log call's cost).
_JSON = json.JSONEncoder(ensure_ascii=False)
# Patterns kept as source text (here and below) are compiled on first use, and cached, by
# `re`: an up-to-date `generate --check` never uses them (compiling at import cost every run).
# One escape sequence of a JSON string (a backslash and the character after it).
_JSON_QUOTE = r"\\."


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
    body = re.sub(_JSON_QUOTE, _unescape_double_quote, literal[1:-1])
    return "'" + body.replace("'", "\\'") + "'"


def _unescape_double_quote(match: re.Match[str]) -> str:
    return '"' if match.group() == '\\"' else match.group()


_BUILTIN_TYPES = frozenset({"str", "int", "float", "bool", "bytes"})


def unrecordable_parameters(handler: Handler, index: PackageIndex) -> list[str]:
    """Path parameters annotated with a class of the package that JSON cannot hold.

    The logger records JSON types and the standard ones (UUID, dates, Decimal, Enum, Path, ...);
    a plain class of the package (a custom type with pydantic hooks, say) is neither, and is
    known to be dropped. Classes from outside the package are given the benefit of the doubt.
    """
    arguments = handler.function.args
    found = []
    names: set[str] | None = None
    for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
        annotation = argument.annotation
        if (
            annotation is None
            or isinstance(annotation, ast.Constant)
            or (isinstance(annotation, ast.Name) and annotation.id in _BUILTIN_TYPES)
        ):
            continue  # most parameters: nothing to resolve, no payload to build
        if names is None:
            # The parameters a payload passes as they are: the route's path parameters.
            filled = handler.path_parameters()
            names = {
                filled[match.group(1)]
                for route in handler.routes
                for match in PATH_PARAMETER.finditer(route.template)
                if match.group(2) != "path" and match.group(1) in filled
            }
        if argument.arg not in names:
            continue
        for expression in _annotated_classes(annotation):
            binding = index.binding_of(expression, handler.scope)
            if binding is not None and binding.kind == "class" and _plain_class(binding, index):
                found.append(argument.arg)
                break
    return found


def _annotated_classes(annotation: ast.expr) -> list[ast.expr]:
    """The classes an annotation allows: through ``Annotated``, ``Optional``, unions."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _annotated_classes(annotation.left) + _annotated_classes(annotation.right)
    if isinstance(annotation, ast.Subscript):
        name = ast.unparse(annotation.value).rpartition(".")[2]
        inner = annotation.slice
        items = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        if name == "Annotated":
            return _annotated_classes(items[0])
        if name in ("Optional", "Union"):
            return [found for item in items for found in _annotated_classes(item)]
        return []
    if isinstance(annotation, ast.Name | ast.Attribute):
        return [annotation]
    return []


def _plain_class(binding: Binding, index: PackageIndex, depth: int = 0) -> bool:
    """Whether a class of the package derives from nothing but classes of the package."""
    cls = binding.node
    assert isinstance(cls, ast.ClassDef)
    if depth > 16:
        return False
    for base in cls.bases:
        base_binding = index.binding_of(base, binding.scope)
        if base_binding is None or base_binding.kind != "class":
            return False  # a library or builtin class (str, Enum, ...): may well be recordable
        if not _plain_class(base_binding, index, depth + 1):
            return False
    return True


def _bound_literals(
    function: FunctionNode, partials: list[ast.Call], wrapped: ast.expr
) -> tuple[tuple[str, str | int], ...]:
    """The parameters of ``function`` that ``partials`` (outermost first) bind positionally.

    ``partial(report, "daily")`` binds ``period``, the first positional parameter, to
    ``"daily"``; positional arguments fill the positional parameters in order, the innermost
    partial's first (after ``self`` of a method read off an instance, ``partial(self.report,
    ...)``). Each as (name, value) when the value is a literal; none once an argument is
    unpacked (``*args``, ``**options``): not known. A keyword's binding (``period="daily"``)
    is not one: the partial's signature keeps the parameter with that default, which FastAPI
    reads as a query parameter a request may set otherwise (``?period=weekly``).
    """
    arguments = function.args
    positional = [argument.arg for argument in (*arguments.posonlyargs, *arguments.args)]
    if isinstance(wrapped, ast.Attribute) and positional[:1] in (["self"], ["cls"]):
        positional = positional[1:]
    bound: dict[str, ast.expr] = {}
    keywords: set[str] = set()
    for call in reversed(partials):
        for value in call.args[1:]:
            if isinstance(value, ast.Starred) or not positional:
                return ()
            bound[positional.pop(0)] = value
        for keyword in call.keywords:
            if keyword.arg is None:
                return ()
            keywords.add(keyword.arg)
    literals: list[tuple[str, str | int]] = []
    for name, value in bound.items():
        literal = value.value if isinstance(value, ast.Constant) else None
        # A str or an int; not a bool, the same key as 1.
        if name not in keywords and (isinstance(literal, str) or type(literal) is int):
            assert isinstance(literal, str | int)
            literals.append((name, literal))
    return tuple(literals)


def _listed(value: ast.expr) -> list[ast.expr] | None:
    """The items of a list, tuple or set written out, else None."""
    if isinstance(value, ast.List | ast.Tuple | ast.Set) and not any(
        isinstance(element, ast.Starred) for element in value.elts
    ):
        return list(value.elts)
    return None


def _chain(value: ast.expr) -> bool:
    """Whether ``value`` is a name or a chain of attributes of one (``handlers.create``)."""
    while isinstance(value, ast.Attribute):
        value = value.value
    return isinstance(value, ast.Name)
