"""Routes of the user's app that would answer in place of the telemetry endpoints.

Starlette tries routes in the order they were added and the telemetry router is included last,
so an earlier route whose path matches ``{api-prefix}/log`` or ``{api-prefix}/health`` (a
``{id}`` parameter matches ``health`` too) takes the request. Such a route, and a router whose
own prefix is the telemetry prefix, are reported where they are declared.
"""

import ast
import functools
import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

from telemetry_cli.console import quoted
from telemetry_cli.patching.apps import (
    AppSite,
    root_path_of,
    site_of_variable,
    under_root_path,
    wiring_block,
)
from telemetry_cli.patching.mounts import (
    Mount,
    constant_truth,
    find_mounts,
    known_value,
    method_calls,
    mount_calls,
    mount_takes,
    mounts_before,
)
from telemetry_cli.patching.routes import (
    PATH_PARAMETER,
    Handler,
    Route,
    find_handlers,
    unfollowed_registrations,
)
from telemetry_cli.patching.symbols import (
    FunctionNode,
    ModuleModel,
    PackageIndex,
    Role,
    Scope,
    call_argument,
    parameter_default,
    unwrapped,
)

# Starlette's convertors, as regular expressions.
_CONVERTORS = {
    "str": "[^/]+",
    "path": ".*",
    "int": "[0-9]+",
    "float": r"[0-9]+(?:\.[0-9]+)?",
    "uuid": "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
}
# How many calls deep the functions run before the wiring are followed.
_CALL_DEPTH = 4
# Words of a module that may declare a route (Starlette's `add_route`, `.route(`, `Route(` too).
_PROBE = (
    "include_router",
    "Router",
    "FastAPI",
    "add_api_route",
    ".get(",
    ".post(",
    "api_route",
    "add_route",
    ".route(",
    "Route(",
)


class Collision(NamedTuple):
    """A declaration that shadows a telemetry endpoint: where, and what to say."""

    path: str
    line: int
    message: str


def find_collisions(
    index: PackageIndex,
    modules: list[str],
    api_prefix: str,
    config_name: str,
    site: AppSite | None = None,
) -> list[Collision]:
    """Every route or router prefix of ``modules`` that shadows the telemetry endpoints.

    With the app's ``site``, a route declared on the app after it is wired is no collision.
    """
    endpoints = (("POST", f"{api_prefix}/log"), ("GET", f"{api_prefix}/health"))
    models = [
        model
        for name in modules
        if (source := index.source(name)) is not None
        and any(word in source.text for word in _PROBE)
        and (model := index.module(name)) is not None
    ]
    mounts = index.mounts if index.mounts is not None else find_mounts(index, modules)
    found: list[Collision] = []
    wiring = None if site is None else telemetry_wiring(site, index, api_prefix)
    fix = f"change api-prefix in {config_name}, or the route"
    for model in models:
        for declared in _declared_routes(model, index):
            route = declared.route
            if route.problem or not route.static or route.unserved:
                # Known only at run time, in part (`"/cog" + cog.router.prefix + "/{z}"`):
                # its template alone is not the path served. Or on a router no app includes
                # (nor any include the tool cannot follow: see ``Mounts.unserved``), or an app
                # other than the one served: the app never answers it.
                continue
            # A route whose template already holds its router's include prefixes is
            # served under that one path; others under every prefix known statically.
            for prefix in [""] if route.mounted else mounts.prefixes(route.owner):
                for method, endpoint in endpoints:
                    methods = route.methods or (method,)
                    if (
                        method in methods
                        and _matches(prefix + route.template, endpoint)
                        and not (
                            site is not None
                            and wiring is not None
                            and _after_wiring(declared, model, site, wiring, index)
                        )
                    ):
                        found.append(
                            Collision(
                                model.path,
                                declared.line,
                                f"{model.path}:{declared.line}: route {declared.name} "
                                f"({'/'.join(methods)} {prefix}{route.template}) answers "
                                f"{method} {endpoint} before the telemetry router can; {fix}",
                            )
                        )
        found.extend(_prefix_clashes(model, index, api_prefix, config_name))
    return found


class _Declared(NamedTuple):
    """A route of a module, and how a message names it."""

    route: Route
    name: str  # the handler's qualified name, or a Starlette route's endpoint as written
    line: int  # the handler's ``def`` line, or the Starlette registration's line
    handler: Handler | None  # None for a Starlette route


def _declared_routes(model: ModuleModel, index: PackageIndex) -> Iterator[_Declared]:
    """Every route of ``model`` that answers requests: its handlers' and its Starlette routes.

    A Starlette route (``app.add_route("/{path:path}", proxy, methods=["POST"])``) is no
    handler of the module (its function is called with the bare request), but it takes the
    requests its path and methods match alike.
    """
    for handler in find_handlers(model, index)[0]:
        for route in handler.routes:
            yield _Declared(route, handler.qualname, handler.function.lineno, handler)
    for registration in unfollowed_registrations(model, index):
        if registration.served is not None:
            yield _Declared(registration.served, registration.endpoint, registration.line, None)


def telemetry_wiring(site: AppSite, index: PackageIndex, api_prefix: str) -> ast.stmt:
    """The statement the telemetry router's include follows: before a catch-all's include.

    See :func:`~.apps.wiring_block` and :func:`catch_all_include`.
    """
    return wiring_block(site, catch_all_include(site, index, api_prefix))


def catch_all_include(site: AppSite, index: PackageIndex, api_prefix: str) -> ast.stmt | None:
    """The first statement after the app is built adding a catch-all of the telemetry paths.

    Starlette tries routes in the order they were added, so the wiring goes before it (see
    :func:`~.apps.wiring_block`). A catch-all is a ``GET`` route ending in ``{name:path}`` that
    may take ``{api-prefix}/health``: declared on the app (``@app.get("/{full_path:path}")``,
    or by hand), or on a router the app includes (``router = APIRouter(prefix=PREFIX)``; a
    prefix only known at run time reads as empty, its usual default). The statement adds it
    itself, or calls a function given the app that does (a few calls deep). One added after
    the block, on the app a factory returns, comes after the wiring anyway.
    """
    endpoint = f"{api_prefix}/health"
    later = site.block[site.block.index(site.anchor) + 1 :]
    found: ast.stmt | None = None
    for added in _catch_alls(index, endpoint):
        statement = _adding_statement(added, site, later, index)
        if statement is not None and (found is None or statement.lineno < found.lineno):
            found = statement
    return found


class _Addition(NamedTuple):
    """A call adding a catch-all to an app: ``<on>.include_router(...)``, ``@<on>.get(...)``."""

    on: str  # the name the call is made on, as written
    line: int
    scope: Scope  # where the call runs


def _catch_alls(index: PackageIndex, endpoint: str) -> list[_Addition]:
    """Every call of the package adding to an app a catch-all that may take ``endpoint``."""
    mounts = index.mounts
    if mounts is None:
        return []
    # The includes into each router, found once: looked for per include, among them all,
    # they made a module of thousands of includes quadratic.
    inner: dict[tuple[str, str], list[tuple[tuple[str, str], Mount]]] = {}
    for router, includes in list(mounts.included.items()):
        for include in includes:
            if include.parent is not None:
                inner.setdefault(include.parent, []).append((router, include))
    found = [
        _Addition(include.including, include.at[1], include.scope)
        for router, includes in list(mounts.included.items())
        for include in includes
        if include.parent is None
        and include.at is not None
        and include.scope is not None
        and _holds_catch_all(router, include.prefix or "", endpoint, index, inner, frozenset())
    ]
    for model in index.modules_holding(":path}", index.package):
        for declared in _declared_routes(model, index):
            route = declared.route
            if route.registered_in is None and _is_catch_all(route, "", endpoint):
                added = _added_by(declared, model)
                if added is not None:
                    found.append(added)
    return found


def _added_by(declared: _Declared, model: ModuleModel) -> _Addition | None:
    """The call adding a route of ``model``: a handler's decorator, or a registration by hand."""
    line = declared.route.line
    on_handler = None if declared.handler is None else _declared_on(declared.handler, line)
    return on_handler or _registered_on(model, line)


def _is_catch_all(route: Route, prefix: str, endpoint: str) -> bool:
    """Whether ``route``, served under ``prefix``, is a catch-all that may take ``endpoint``."""
    return (
        ":path}" in route.template
        and "GET" in (route.methods or ("GET",))
        and _matches(("" if route.mounted else prefix) + route.template, endpoint)
    )


def _declared_on(handler: Handler, line: int) -> _Addition | None:
    """The ``@<name>.<method>(...)`` decorator of ``handler`` at ``line``, as an addition."""
    decorator = next(
        (item for item in handler.function.decorator_list if item.lineno == line), None
    )
    enclosing = handler.scope.parent
    if (
        enclosing is None
        or not isinstance(decorator, ast.Call)
        or not isinstance(decorator.func, ast.Attribute)
        or not isinstance(decorator.func.value, ast.Name)
    ):
        return None
    return _Addition(decorator.func.value.id, line, enclosing)


def _registered_on(model: ModuleModel, line: int) -> _Addition | None:
    """The route registered by hand at ``line`` of ``model``, as an addition.

    ``app.get("/{rest:path}")(page)`` or ``app.add_api_route("/{rest:path}", page)``, made in
    the innermost scope holding the line.
    """
    scope, start = model.scope, 0
    for candidate in model.scopes:
        function = candidate.node
        # Nested functions start below the ones holding them: the innermost starts last.
        if isinstance(function, FunctionNode) and (
            start < function.lineno <= line <= (function.end_lineno or 0)
        ):
            scope, start = candidate, function.lineno
    for node in ast.walk(scope.node):
        if not (isinstance(node, ast.Call) and node.lineno == line):
            continue
        registering = node.func if isinstance(node.func, ast.Call) else node
        method = registering.func
        if isinstance(method, ast.Attribute) and isinstance(method.value, ast.Name):
            return _Addition(method.value.id, line, scope)
    return None


def _adding_statement(
    added: _Addition, site: AppSite, later: tuple[ast.stmt, ...], index: PackageIndex
) -> ast.stmt | None:
    """The statement of ``later`` (the site's block, after the app is built) making ``added``.

    Made there on the app, or by a function given the app that a statement there calls.
    """
    if _in_block(added.scope, site):
        if added.on != site.expression:
            return None
        return _run_in(later, added.line, decorators=True)
    if not isinstance(added.scope.node, FunctionNode):
        return None
    binding = index.binding_of(ast.Name(id=added.on), added.scope)
    if binding is None or binding.kind != "param":
        return None
    running = [
        statement for statement in later if not isinstance(statement, FunctionNode | ast.ClassDef)
    ]
    return _calling_statement(added.scope, running, site.module, index)


def _run_in(block: tuple[ast.stmt, ...], line: int, *, decorators: bool = False) -> ast.stmt | None:
    """The statement of ``block`` holding ``line``, when it runs there (not a def's body).

    With ``decorators``, a definition whose decorator holds ``line``: it runs there too.
    """
    for statement in block:
        if not statement.lineno <= line <= (statement.end_lineno or statement.lineno):
            if not (decorators and _decorates(statement, line)):
                continue
            return statement
        if not isinstance(statement, FunctionNode | ast.ClassDef):
            return statement
    return None


def _decorates(statement: ast.stmt, line: int) -> bool:
    """Whether a decorator of the definition ``statement`` holds ``line``."""
    return isinstance(statement, FunctionNode | ast.ClassDef) and any(
        item.lineno <= line <= (item.end_lineno or item.lineno) for item in statement.decorator_list
    )


def _holds_catch_all(
    router: tuple[str, str],
    prefix: str,
    endpoint: str,
    index: PackageIndex,
    inner: dict[tuple[str, str], list[tuple[tuple[str, str], Mount]]],
    seen: frozenset[tuple[str, str]],
) -> bool:
    """Whether ``router`` (or one included into it) has a catch-all that may take ``endpoint``.

    A ``GET`` route ending in a ``{name:path}`` parameter served under ``prefix`` (the include
    prefixes above it); a part of its path only known at run time reads as empty. ``inner``:
    the routers included into each router, and by which include.
    """
    mounts = index.mounts
    model = index.module(router[0])
    if mounts is None or model is None or router in seen:
        return False
    for declared in _declared_routes(model, index):
        route = declared.route
        if route.owner == router and _is_catch_all(route, prefix, endpoint):
            return True
    return any(
        _holds_catch_all(
            child,
            prefix + (include.parent_prefix or "") + (include.prefix or ""),
            endpoint,
            index,
            inner,
            seen | {router},
        )
        for child, include in inner.get(router, ())
    )


def _included_after_wiring(
    router: tuple[str, str] | None, site: AppSite, wiring: ast.stmt, index: PackageIndex
) -> bool:
    """Whether every include serving ``router`` adds it to the app after the telemetry router.

    Made in the block that wires the app, below the wiring (see :func:`telemetry_wiring`),
    directly or through routers included into one it includes there.
    """
    mounts = index.mounts
    if mounts is None or router is None or router not in mounts.included:
        return False
    for include in list(mounts.included[router]):
        if include.parent is not None:
            if not _included_after_wiring(include.parent, site, wiring, index):
                return False
            continue
        if (
            include.at is None
            or include.scope is None
            or not _made_after_wiring(
                include.including, include.at[1], include.scope, site, wiring, index
            )
            or (_in_block(include.scope, site) and _run_in(site.block, include.at[1]) is None)
        ):
            return False
    return True


def _made_after_wiring(
    on: str, line: int, enclosing: Scope, site: AppSite, wiring: ast.stmt, index: PackageIndex
) -> bool:
    """Whether a call on the name ``on`` at ``line`` of ``enclosing`` runs after the wiring.

    A route declared on the app, or an include into it: Starlette tries routes in the order
    they were added, so one added after the telemetry router (a single-page app's catch-all,
    say) cannot answer in its place. That is one made below the wiring in the block that wires
    the app, by a function given the app that the block calls only after the wiring, or at a
    module's top level on an app that a factory builds, and wires, before returning it.
    """
    if _in_block(enclosing, site):
        return on == site.expression and line > (wiring.end_lineno or wiring.lineno)
    binding = index.binding_of(ast.Name(id=on), enclosing)
    if binding is None:
        return False
    if binding.kind == "param" and isinstance(enclosing.node, FunctionNode):
        # `def setup_static_files(app): @app.get(...)`: after the wiring unless the block
        # wiring the app (a factory, or a module's top level) calls it before the wiring; the
        # app it is given exists only from that block on. One kept in a list, tuple, set or
        # dict (`HOOKS = [inc_spa]`, then `for hook in HOOKS: hook(app)`) may be called
        # anywhere: not known to run after.
        return not _listed_function(enclosing, site) and not _called_before_wiring(
            enclosing, site, wiring, index
        )
    if site.block == tuple(site.module.tree.body):
        return False  # wired at a module's top level: other modules may run before it
    if enclosing.parent is not None or binding.kind != "value":
        return False
    built = site_of_variable(binding, index)
    return built is not None and built.key == site.key


def _listed_function(function: Scope, site: AppSite) -> bool:
    """Whether a function is an item of a collection literal, in its module or the app's.

    Its name, or an attribute of that name (``hooks.inc_spa``), among a ``list``, ``tuple``,
    ``set`` or ``dict`` literal's items: called through it where the tool does not follow.
    """
    node = function.node
    if not isinstance(node, FunctionNode):
        return False
    name = node.name
    for model in {id(m): m for m in (function.module, site.module)}.values():
        if name not in model.text:
            continue
        for literal in ast.walk(model.tree):
            if isinstance(literal, ast.List | ast.Tuple | ast.Set):
                items: list[ast.expr | None] = list(literal.elts)
            elif isinstance(literal, ast.Dict):
                items = [*literal.keys, *literal.values]
            else:
                continue
            if any(
                (isinstance(item, ast.Name) and item.id == name)
                or (isinstance(item, ast.Attribute) and item.attr == name)
                for item in items
            ):
                return True
    return False


def _in_block(scope: Scope, site: AppSite) -> bool:
    """Whether ``scope``'s own statements are the block that wires the app."""
    body = getattr(scope.node, "body", None)
    return isinstance(body, list) and _same_block(body, site.block)


def _after_wiring(
    declared: _Declared, model: ModuleModel, site: AppSite, wiring: ast.stmt, index: PackageIndex
) -> bool:
    """Whether a route of ``model`` is added after the wiring.

    Declared on the app (see :func:`_made_after_wiring`), registered by hand on it in the
    module wiring it (see :func:`_registered_after_wiring`), or on a router it includes there
    below the wiring (see :func:`_included_after_wiring`).
    """
    route = declared.route
    if _included_after_wiring(route.owner, site, wiring, index):
        return True
    if (route.registered_in or model.path) == site.module.path and _registered_after_wiring(
        route.line, site, wiring
    ):
        return True
    if route.registered_in is not None:
        return False
    if declared.handler is None:
        added = _registered_on(model, route.line)  # a Starlette route, by hand or decorated
    else:
        added = _declared_on(declared.handler, route.line)
    return added is not None and _made_after_wiring(*added, site, wiring, index)


def _registered_after_wiring(line: int, site: AppSite, wiring: ast.stmt) -> bool:
    """Whether ``line`` registers a route by hand on the app, below the wiring in its block.

    ``app.get("/{short_link:path}")(match)`` as a statement of the block that wires the app,
    after the telemetry router's include: Starlette tries the layer's routes first.
    """
    if line <= (wiring.end_lineno or wiring.lineno):
        return False
    statement = next(
        (item for item in site.block if item.lineno <= line <= (item.end_lineno or item.lineno)),
        None,
    )
    if not isinstance(statement, ast.Expr) or not isinstance(statement.value, ast.Call):
        return False
    call = statement.value
    # `app.get(path)(endpoint)`, or `app.add_api_route(path, endpoint)`.
    registering = call.func if isinstance(call.func, ast.Call) else call
    function = registering.func
    return (
        isinstance(function, ast.Attribute)
        and isinstance(function.value, ast.Name)
        and function.value.id == site.expression
    )


def _same_block(body: list[ast.stmt], block: tuple[ast.stmt, ...]) -> bool:
    """Whether ``block`` holds the statements of ``body`` (compared by identity, not walked)."""
    return len(body) == len(block) and bool(body) and body[0] is block[0] and body[-1] is block[-1]


def _called_before_wiring(
    helper: Scope,
    site: AppSite,
    wiring: ast.stmt,
    index: PackageIndex,
    parameter: str | None = None,
    accept: Callable[[ast.Call, Scope], bool] | None = None,
) -> bool:
    """Whether the block that wires the app runs the function of ``helper`` before the wiring.

    ``parameter``, when given: only a call passing the app for that parameter of the helper
    counts (``add_static(app)``, not ``add_static(sub_app)`` nor ``add_static(APIRouter())``);
    at a call a few calls deep, the name the caller was given for it. ``accept``, when given:
    only a call it accepts (read where it is made) counts. See :func:`_calling_statement`.
    """
    last = wiring.end_lineno or wiring.lineno
    before = [statement for statement in site.block if statement.lineno <= last]
    given = None if parameter is None else (site.expression, parameter)
    return _calling_statement(helper, before, site.module, index, given, accept) is not None


def _parameters(function: FunctionNode) -> list[ast.arg]:
    """A function's parameters that a call may pass by position, in order, then keyword-only."""
    arguments = function.args
    return [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]


def _argument_for(
    call: ast.Call, function: ast.AST, method: bool, parameter: str
) -> ast.expr | None:
    """The argument ``call`` passes for ``parameter`` of ``function`` (a method if ``method``)."""
    if not isinstance(function, FunctionNode):
        return None
    arguments = function.args
    positional = [item.arg for item in [*arguments.posonlyargs, *arguments.args]]
    position = positional.index(parameter) if parameter in positional else None
    if (
        position is not None
        and isinstance(call.func, ast.Attribute)
        and method
        and not any(
            isinstance(decorator, ast.Name) and decorator.id == "staticmethod"
            for decorator in function.decorator_list
        )
    ):
        position -= 1  # `self.setup(app)`: the object is the first
    if position is not None and position < 0:
        return None
    keyword = None if parameter in [item.arg for item in arguments.posonlyargs] else parameter
    return call_argument(call, position, keyword or "")


def _calls_helper(call: ast.Call, owner: Scope, helper: Scope, index: PackageIndex) -> bool:
    """Whether ``call`` (read in ``owner``) runs the function of ``helper``.

    The call is resolved through the module's names and imports (``spa.setup(app)`` runs
    ``setup`` of ``spa``, not another module's ``setup``); a method call on an object the tool
    cannot follow (``self.setup(app)``) counts by its name when the helper is a method.
    """
    func = call.func
    if not isinstance(func, ast.Name | ast.Attribute):
        return False
    binding = index.binding_of(func, owner)
    if binding is not None:
        return binding.node is helper.node
    return (
        isinstance(func, ast.Attribute)
        and isinstance(helper.node, FunctionNode)
        and func.attr == helper.node.name
        and helper.parent is not None
        and helper.parent.is_class
    )


def _calling_statement(
    helper: Scope,
    statements: list[ast.stmt],
    module: ModuleModel,
    index: PackageIndex,
    given: tuple[str, str] | None = None,
    accept: Callable[[ast.Call, Scope], bool] | None = None,
) -> ast.stmt | None:
    """The first of ``statements`` (of ``module``) that runs the function of ``helper``.

    Called there, or by a function called there (followed through the module's names and the
    package's imports, a few calls deep): `create_app()` calling `configure(app)` calling
    `serve_frontend(app)` adds its routes there. ``given``, when given: (the name of the app
    in ``statements``, a parameter of the helper) -- only a call passing the app for that
    parameter counts, and a function a call deeper is followed only by the parameters it is
    handed the app for (``configure(app, sub)`` calling ``add_static(sub)``: not the app's).
    ``accept``, when given: only a call of the helper it accepts (read in its module) counts.
    """
    method = helper.parent is not None and helper.parent.is_class
    for statement in statements:
        # (a statement or a function, its module, the names holding the app there)
        pending: list[tuple[ast.AST, ModuleModel, frozenset[str]]] = [
            (statement, module, frozenset(given[:1] if given else ()))
        ]
        seen: set[int] = set()
        for depth in range(_CALL_DEPTH):
            called: list[tuple[ast.AST, ModuleModel, frozenset[str]]] = []
            for root, owner, holders in pending:
                scope = owner.scope
                for node in ast.walk(root) if given is None else _run_by(root, depth > 0):
                    if not isinstance(node, ast.Call):
                        continue
                    if (
                        _calls_helper(node, scope, helper, index)
                        and (
                            given is None
                            or _names(_argument_for(node, helper.node, method, given[1])) & holders
                        )
                        and (accept is None or accept(node, scope))
                    ):
                        return statement
                    if isinstance(node.func, ast.Name | ast.Attribute):
                        binding = index.binding_of(node.func, scope)
                        if (
                            binding is None
                            or binding.kind != "function"
                            or id(binding.node) in seen
                            or not isinstance(binding.node, FunctionNode)
                        ):
                            continue
                        handed = _handed(node, binding.node, binding.scope.is_class, holders)
                        if given is not None and not handed:
                            continue  # not handed the app: what it mounts is not the app's
                        seen.add(id(binding.node))
                        called.append((binding.node, binding.scope.module, handed))
            pending = called
    return None


def _run_by(root: ast.AST, called: bool) -> Iterator[ast.AST]:
    """The nodes of ``root`` that run when it does (``called``: ``root`` is a function called).

    The body of a function (or lambda) defined there runs only when that is called (a startup
    hook, after the wiring): its decorators and defaults run, its body is not entered.
    """
    pending = [root]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, FunctionNode) and not (called and node is root):
            pending.extend([*node.decorator_list, node.args])
        elif isinstance(node, ast.Lambda):
            pending.append(node.args)
        else:
            pending.extend(ast.iter_child_nodes(node))


def _handed(
    call: ast.Call, function: FunctionNode, method: bool, holders: frozenset[str]
) -> frozenset[str]:
    """The parameters of ``function`` that ``call`` passes one of the names ``holders`` for."""
    if not holders:
        return frozenset()
    return frozenset(
        item.arg
        for item in _parameters(function)
        if _names(_argument_for(call, function, method, item.arg)) & holders
    )


def _names(argument: ast.expr | None) -> frozenset[str]:
    """The name ``argument`` is, as a set (empty for any other expression)."""
    return frozenset((argument.id,)) if isinstance(argument, ast.Name) else frozenset()


def _mounts_when_called(
    call: ast.Call,
    function: FunctionNode,
    scope: Scope,
    index: PackageIndex,
    passed: dict[str, object] | None = None,
) -> bool:
    """Whether ``function`` (of ``scope``) makes ``call`` as the app's own block would.

    A statement of its body, or under an ``if``/``with`` of it (an ``if os.path.isdir(...)`` is
    said as at a module's top level); not in a loop, a ``try``'s handler or a nested
    definition. An ``if`` that reads the function's parameters is read with the values one
    call gives them (``passed``, see :func:`_passed_values`: ``add_static(app)`` with ``def
    add_static(app, spa=True)``): a mount under ``if spa:``, or after ``if not spa: return``
    (the same branch, written as an early exit), is made when they take that branch; with a
    value not known, it is not taken as made. An ``if`` on constants the tool reads
    (``SERVE_SPA = False``, see :func:`~.mounts.constant_truth`) runs the branch they say,
    around the mount or as an early exit before it; any other test keeps both ways.
    """
    given = {item.arg for item in _parameters(function)}
    return _block_makes(function.body, call, given, scope, index, passed or {}) is True


def _block_makes(
    block: list[ast.stmt],
    call: ast.Call,
    given: set[str],
    scope: Scope,
    index: PackageIndex,
    passed: dict[str, object],
) -> bool | None:
    """Whether running ``block`` makes ``call``: True, False, or None when not in it at all.

    See :func:`_mounts_when_called`; ``given``: the function's parameters, ``passed``: what
    one call gives them.
    """
    for statement in block:
        holds = any(node is call for node in ast.walk(statement))
        if isinstance(statement, ast.Expr) and statement.value is call:
            return True
        if isinstance(statement, ast.Return | ast.Raise):
            return False  # the rest of the block never runs
        if isinstance(statement, ast.With | ast.AsyncWith):
            if holds:
                return _block_makes(statement.body, call, given, scope, index, passed) is True
            continue
        if not isinstance(statement, ast.If):
            if holds:
                return False  # in a loop, a `try`, a definition: not known to run once
            continue
        per_call = any(
            isinstance(node, ast.Name) and node.id in given for node in ast.walk(statement.test)
        )
        taken = constant_truth(statement.test, scope, index, passed)
        branches = ((statement.body, True), (statement.orelse, False))
        if holds:
            if per_call and taken is None:
                return False  # this call's value not known: not taken as made
            for branch, when in branches:
                if any(node is call for item in branch for node in ast.walk(item)):
                    if taken is not None and taken != when:
                        return False
                    return _block_makes(branch, call, given, scope, index, passed) is True
            return False  # in the test itself
        for branch, when in branches:
            if not _leaves(branch):
                continue
            if taken == when or (per_call and taken is None):
                return False  # `if not spa: return` taken, or not known to be left
    return None


def _mounted_by(
    call: ast.Call, helper: Scope, index: PackageIndex, made: ast.Call, caller: Scope
) -> bool:
    """Whether the call ``made`` (read in ``caller``) of ``helper``'s function makes ``call``."""
    function = helper.node
    if not isinstance(function, FunctionNode):
        return False
    passed = _passed_values(made, caller, helper, index)
    return _mounts_when_called(call, function, helper, index, passed)


def _passed_values(
    call: ast.Call, caller: Scope, helper: Scope, index: PackageIndex
) -> dict[str, object]:
    """What ``call`` (read in ``caller``) gives the parameters of ``helper``'s function.

    Only those known for sure: its arguments, or the parameters' defaults (read where the
    function is defined) for those
    it leaves out; a value not known statically is left out, and so is every one when the call
    unpacks arguments (``*args``, ``**options``).
    """
    if any(isinstance(item, ast.Starred) for item in call.args) or any(
        keyword.arg is None for keyword in call.keywords
    ):
        return {}
    function = helper.node
    if not isinstance(function, FunctionNode):
        return {}
    method = helper.parent is not None and helper.parent.is_class
    values: dict[str, object] = {}
    for item in _parameters(function):
        argument = _argument_for(call, function, method, item.arg)
        where = caller
        if argument is None:
            argument = parameter_default(function, item.arg)
            where = helper.parent or caller
        found = None if argument is None else known_value(argument, where, index)
        if found is not None:
            values[item.arg] = found[0]
    return values


def _leaves(block: list[ast.stmt]) -> bool:
    """Whether ``block`` may leave the function (a ``return`` or ``raise`` outside a definition)."""
    pending: list[ast.AST] = list(block)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Return | ast.Raise):
            return True
        if not isinstance(node, FunctionNode | ast.ClassDef | ast.Lambda):
            pending.extend(ast.iter_child_nodes(node))
    return False


def _prefix_clashes(
    model: ModuleModel, index: PackageIndex, api_prefix: str, config_name: str
) -> list[Collision]:
    clashes = []
    for binding in model.scope.bindings.values():
        if binding.kind != "value" or not isinstance(binding.node, ast.Call):
            continue
        role, _ = index.built_role(binding.node, binding.scope)
        if role is not Role.ROUTER:
            continue
        for keyword in binding.node.keywords:
            if keyword.arg == "prefix" and index.string_value(keyword.value, model.scope) in (
                api_prefix,
                api_prefix + "/",
            ):
                line = getattr(binding.statement, "lineno", 0)
                clashes.append(
                    Collision(
                        model.path,
                        line,
                        f"{model.path}:{line}: router `{binding.name}` has the telemetry "
                        f"prefix {api_prefix}; change api-prefix in {config_name}, or the router",
                    )
                )
    return clashes


def mount_clashes(
    site: AppSite, index: PackageIndex, api_prefix: str, config_name: str
) -> list[Collision]:
    """The app's ``mount`` calls before its wiring whose path holds the telemetry endpoints.

    A mount answers every path under its own (``app.mount("/api", api)`` takes
    ``/api/telemetry/log``; ``app.mount("/", StaticFiles(...))`` takes every path), so one
    added before the telemetry router is included leaves the endpoints unreachable. So does an
    api-prefix under the app's literal ``root_path`` (``/api/telemetry`` with ``root_path="/api"``
    answers at ``/api/api/telemetry``).
    """
    clashes = []
    endpoint = f"{api_prefix}/log"
    root = root_path_of(site, index)
    root_path = root.value if root is not None else None
    bare = under_root_path(api_prefix, root_path)
    if root is not None and root_path is not None and bare is not None:
        # Starlette takes the root path off before routing: the endpoints answer one level
        # deeper than api-prefix says (init writes the prefix without it; a hand plan may not).
        clashes.append(
            Collision(
                site.module.path,
                site.line,
                f"{site.module.path}:{site.line}: {site.expression} is built with {root.said}, "
                "which Starlette takes off request paths before routing: "
                f"{endpoint} would answer at {root_path.rstrip('/')}{endpoint}; set "
                f'api-prefix = "{bare}" in {config_name}',
            )
        )
    wiring = telemetry_wiring(site, index, api_prefix)
    for mount in shadowing_mounts(site, index, endpoint, wiring):
        if mount.helper is not None:
            message = (
                f"`{mount.helper}` mounts {quoted(mount.path)} on the app it is given, and "
                f"{site.module.path} calls it before the telemetry router is included: the "
                f"mount answers {endpoint} first; call it after the app's last include_router, "
                f"or change api-prefix in {config_name}"
            )
            where = f"{mount.module}:{mount.line}"
            clashes.append(Collision(mount.module, mount.line, f"{where}: {message}"))
            continue
        if mount.listed:
            message = (
                f"Mount({quoted(mount.path)}, ...) in the routes of {site.expression} answers "
                f"{endpoint} before the telemetry router can; mount it with "
                f"{site.expression}.mount(...) after the app's last include_router, or change "
                f"api-prefix in {config_name}"
            )
        else:
            message = (
                f"{site.expression}.mount({quoted(mount.path)}, ...) answers {endpoint} before the "
                "telemetry router, included after it, can; mount it after the app's last "
                f"include_router, or change api-prefix in {config_name}"
            )
        where = f"{site.module.path}:{mount.line}"
        clashes.append(Collision(site.module.path, mount.line, f"{where}: {message}"))
    clash = _router_prefix_clash(site, index, api_prefix, config_name, wiring)
    if clash is not None:
        clashes.append(clash)
    return clashes


class ShadowingMount(NamedTuple):
    """A mount of the app, made before its wiring, whose path takes a telemetry endpoint."""

    line: int
    path: str
    # Listed in the constructor's ``routes=`` (``Mount("/api", app=api)``) rather than added
    # with ``<app>.mount(...)`` above the app's last ``include_router``.
    listed: bool
    # Made by a function given the app (``def add_static(app): app.mount("/", ...)``) that the
    # block wiring the app calls before the wiring: its name, and the module defining it.
    helper: str | None = None
    module: str = ""


def shadowing_mounts(
    site: AppSite, index: PackageIndex, endpoint: str, wiring: ast.stmt | None = None
) -> list[ShadowingMount]:
    """The app's mounts added before its wiring whose path takes ``endpoint``.

    ``wiring``: the statement the wiring follows, when known (else :func:`wiring_block`'s).
    A path only known at run time is not counted.
    """
    found: list[ShadowingMount] = []
    wiring = wiring or wiring_block(site)
    last_line = wiring.end_lineno or wiring.lineno
    for call, mounted in mounts_before(
        site.module,
        index,
        site.expression,
        last_line + 1,
        lambda scope: tuple(scope.node.body) == site.block,
    ):
        if mount_takes(mounted, endpoint):
            found.append(ShadowingMount(call.lineno, mounted, listed=False))
    # `def add_static(app): app.mount("/", StaticFiles(...))`, which the block calls first.
    for model in index.modules_holding(".mount(", index.package):
        for call, scope in method_calls(model, "mount"):
            function = scope.node
            receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
            given = scope.bindings.get(receiver.id) if isinstance(receiver, ast.Name) else None
            if (
                not isinstance(function, FunctionNode)
                or given is None
                or given.kind != "param"
                or not isinstance(receiver, ast.Name)
            ):
                continue
            path = index.string_value(call_argument(call, 0, "path"), scope)
            # Each call of the helper is read with what it passes (`add_static(app)`, spa=True).
            mounts = functools.partial(_mounted_by, call, scope, index)
            if (
                path is not None
                and mount_takes(path, endpoint)
                and _called_before_wiring(scope, site, wiring, index, receiver.id, mounts)
            ):
                found.append(ShadowingMount(call.lineno, path, False, function.name, model.path))
    # `app = FastAPI(routes=[Mount("/api", app=api)])`: before every route added later.
    for mount in mount_calls(site.module, index):
        outer = mount.outer
        if not (
            mount.listed
            and outer is not None
            and outer.name == site.expression
            and tuple(outer.scope.node.body) == site.block
        ):
            continue
        path = index.string_value(mount.path, mount.scope)
        if path is not None and mount_takes(path, endpoint):
            found.append(ShadowingMount(mount.mounted.lineno, path, listed=True))
    return found


def _router_prefix_clash(
    site: AppSite, index: PackageIndex, api_prefix: str, config_name: str, wiring: ast.stmt
) -> Collision | None:
    """``app.router.prefix = "/api"`` before the wiring: FastAPI adds it to the telemetry router.

    With an api-prefix under it (``/api/telemetry``), the endpoints would answer one level deeper
    (``/api/api/telemetry/log``), as under a ``root_path``; an api-prefix without it is taken as
    meant. A prefix only known at run time is not checked.
    """
    own = wired_router_prefix(site, index, wiring)
    if not own:
        return None
    root = own.rstrip("/")
    if not api_prefix.startswith(root + "/"):
        return None  # api-prefix already without it: the endpoints answer under both, as meant
    endpoint = f"{api_prefix}/log"
    return Collision(
        site.module.path,
        site.line,
        f"{site.module.path}:{site.line}: {site.expression}.router.prefix is set to {quoted(own)} "
        f"before the telemetry router is included, and FastAPI adds it: {endpoint} would answer "
        f'at {root}{endpoint}; set api-prefix = "{api_prefix[len(root) :]}" in {config_name}',
    )


def wired_router_prefix(
    site: AppSite, index: PackageIndex, wiring: ast.stmt | None = None
) -> str | None:
    """The literal ``app.router.prefix`` set where the telemetry router is included, else None.

    FastAPI adds it to the routers included after it: the telemetry router's too. ``wiring``:
    the statement the wiring follows, when known (else :func:`wiring_block`'s).
    """
    if site.block == tuple(site.module.tree.body):
        scope = site.module.scope
    else:
        functions = [
            node
            for node in ast.walk(site.module.tree)
            if isinstance(node, FunctionNode) and tuple(node.body) == site.block
        ]
        if not functions:
            return None
        scope = Scope(functions[0], site.module, site.module.scope)
    if not site.expression.isidentifier():
        return None  # `self.app`: not followed
    app = index.binding_of(ast.Name(id=site.expression), scope)
    if app is None:
        return None
    wiring = wiring or wiring_block(site)
    line = (wiring.end_lineno or wiring.lineno) + 1
    return index.app_router_prefix(unwrapped(app), scope, line) or None


# Patterns kept as source text (here and below) are compiled on first use, and cached, by
# `re`: an up-to-date `generate --check` never uses them (compiling at import cost every run).
_WHOLE_PARAMETER = r"\{[A-Za-z_][A-Za-z0-9_]*(?::([^{}]*))?\}"


def _matches(template: str, path: str) -> bool:
    """Whether Starlette would route ``path`` to ``template``.

    Segment by segment, without building a regular expression for every route of a big
    package; only templates with a ``:path`` parameter or a parameter inside a segment
    (``/files/{name}.json``) go through the full pattern.
    """
    if "{" not in template:
        return template == path
    parts, wanted = template.split("/"), path.split("/")
    if len(parts) != len(wanted) or ":path}" in template:
        return ":path}" in template and bool(_pattern(template).fullmatch(path))
    for part, segment in zip(parts, wanted, strict=True):
        if "{" not in part:
            if part != segment:
                return False
            continue
        whole = re.fullmatch(_WHOLE_PARAMETER, part)
        if whole is None:
            return bool(_pattern(template).fullmatch(path))
        convertor = _CONVERTORS.get(whole.group(1) or "str", "[^/]+")
        if not re.fullmatch(convertor, segment):
            return False
    return True


def _pattern(template: str) -> re.Pattern[str]:
    """The regular expression Starlette matches a route template with."""
    parts: list[str] = []
    position = 0
    for match in PATH_PARAMETER.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        parts.append(_CONVERTORS.get(match.group(2) or "str", "[^/]+"))
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts))
