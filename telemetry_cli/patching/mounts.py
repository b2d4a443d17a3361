"""Where each router of the package is served: the prefixes its ``include_router`` calls add.

``app.include_router(users.router, prefix="/users")`` serves ``users.router``'s routes under
``/users``; routers include routers, so a route's path is the chain of those prefixes and of the
including routers' own ``prefix=``, the router's own ``prefix=`` and the decorator's path; an app
mounted into another (``app.mount("/api/v1", api)``) adds the mount path before all of them. The
calls are read from the package's modules (module-level and inside functions, such as an app
factory), without running anything. A prefix that is only known at run time
(``prefix=settings.API_V1_STR``) is recorded as unknown.
"""

import ast
import bisect
import copy
import dataclasses
import fnmatch
import functools
import re
import weakref
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from telemetry_cli.console import quoted
from telemetry_cli.manifest import GENERATED_HEADER
from telemetry_cli.patching.instances import (
    InstanceCall,
    app_instance_parameter,
    calling_library,
    constructor_router,
    controller_router,
    held_instance_read,
    included_instance,
    included_instance_router,
    instance_app,
    instance_assignments,
    instance_prefix,
    instance_router_key,
    library_call,
    library_object_router,
    method_of_class,
    own_class_routers,
    own_instance_router,
    routable_router,
    router_class_instance,
    router_prefix,
)
from telemetry_cli.patching.loops import (
    MAPPED_ITEM,
    ListedModule,
    LoopValues,
    Passed,
    consumed_map,
    dict_items,
    dict_keywords,
    iterated_to_the_end,
    kept_by_tests,
    known_test,
    loop_string,
    loop_values,
    map_run_in_part,
    rebinds,
    record_field,
    settings_lists_around,
    substituted,
)
from telemetry_cli.patching.names import (
    ADD_API_ROUTE,
    ADD_WEBSOCKET_ROUTE,
    API_ROUTE,
    APP_ROUTER,
    HTTP_METHODS,
    IN_PLACE_VERSIONER,
    IN_PLACE_VERSIONERS,
    LIBRARY_API_ROUTERS,
    MOUNT_CLASSES,
    STARLETTE_ADD_ROUTES,
    STARLETTE_CLASSES,
    STARLETTE_ROUTES,
    VERSION_DECORATORS,
    VERSIONED_APP_FUNCTIONS,
    VERSIONED_ROUTE_CLASSES,
    WEBSOCKET,
    library_include,
)
from telemetry_cli.patching.settings import (
    SettingsDefault,
    SettingsDefaults,
    flag_default,
    getattr_read,
    switched_off_by_default,
)
from telemetry_cli.patching.symbols import (
    DEFINITIONS,
    Binding,
    FunctionNode,
    ModuleModel,
    PackageIndex,
    Role,
    Scope,
    assigned_targets,
    attribute_assignments,
    block_statements,
    bound_once,
    builtin_import,
    call_argument,
    call_bound_once,
    calls_builtin,
    guarded_import,
    instance_parameter,
    is_class_method,
    listed_items,
    modules_imported,
    names_in,
    parameter_call_position,
    passed_for,
    returned_value,
    static_or_class,
    sub_blocks,
    unwrapped,
    wraps_name,
)

RouterKey = tuple[str, str]  # (module, name) of a module-level router or app
CallSite = tuple[int, int]  # (id of the body's node, line) of a call
Version = tuple[int, int]  # (major, minor)
# A mention of a name in a module: the node (a ``Name``, an ``Attribute`` or a string), its
# parent and its parent's parent (see `_mentions`).
_Mention = tuple[ast.AST, ast.AST | None, ast.AST | None]


_INCLUDE_ROUTER = "include_router"
_MOUNT = "mount"
#: Starlette's mount by host name (``app.host("{tenant}.example.com", api)``): the app it is
#: given answers those requests at its own paths, as one mounted at the root.
_HOST = "host"
_MOUNT_CLASS = "Mount"
_ROUTES = "routes"  # a router's (or app's) routes, copied into another (see route_copies)
# What a router or app is asked that only adds to it (routes, includes, mounts, handlers):
# reading it so is no way for another app to serve its routes (see `_only_wired`).
_ADDING_METHODS = frozenset(
    {
        *HTTP_METHODS,
        *STARLETTE_ROUTES,
        *STARLETTE_ADD_ROUTES,
        API_ROUTE,
        ADD_API_ROUTE,
        ADD_WEBSOCKET_ROUTE,
        WEBSOCKET,
        "add_api_websocket_route",
        _INCLUDE_ROUTER,
        _MOUNT,
        _HOST,
        "middleware",
        "add_middleware",
        "exception_handler",
        "add_exception_handler",
        "on_event",
        "add_event_handler",
    }
)
# How many imports deep the modules outside the package that may include its routers are
# looked for: the app's module hands the app to a helper (`RouterManager(app).import_routers()`),
# which may sit behind one module of its own.
_IMPORT_HOPS = 2
# Folders whose modules build apps of their own for testing (as `package_modules` skips them).
_TEST_FOLDERS = frozenset({"tests", "test"})


@dataclass(frozen=True)
class Mount:
    """One ``<parent>.include_router(<router>, prefix=...)`` call."""

    parent: RouterKey | None  # the including router; None for an app or an unknown object
    prefix: str | None  # None: only known at run time
    by_app: bool  # the parent is an app (not an object the tool cannot tell)
    parent_prefix: str | None = ""  # the including router's own prefix= (None: run time)
    app: RouterKey | None = None  # the including app, when it is a variable
    # The including router is built in a function: included nowhere there, it is returned or
    # kept (`return v1`), and where it is served is not known.
    parent_local: bool = False
    including: str = ""  # the object the call is made on, as written (`app`, `registry`)
    at: CallSite | None = None  # where the call is made (see Versioning.copied)
    scope: Scope | None = dataclasses.field(default=None, compare=False, repr=False)  # of `at`
    # The included instance's own classes, its router built by a base (see `own_class_routers`).
    own_classes: tuple[RouterKey, ...] = dataclasses.field(default=(), compare=False)
    # The call building the included instance whose router it is (see `included_instance`).
    instance: InstanceCall = dataclasses.field(default=None, compare=False, repr=False)


class Unresolved(NamedTuple):
    """An include call whose router is not followed (see ``Mounts.unresolved``)."""

    by_app: bool  # made on an app (the likeliest to serve a router found included nowhere)
    library: bool  # a library's function returns the router (none of the package's)
    text: str  # the call (or the router it includes) and where: `{expression}` at {file}:{line}


class Unserved(NamedTuple):
    """Why a router's routes may not be served at the paths logged (see ``Mounts.unserved``)."""

    note: str  # a line for the report, naming the router
    certain: bool  # no app serves it for sure (not only: where it is served is not known)


class AppMount(NamedTuple):
    """One ``<outer>.mount(<path>, <app>)`` call that mounts an app of the package."""

    outer: RouterKey | None  # the app it is mounted into, when it is a variable
    path: str | None  # None: only known at run time, or not mounted into an app


class Versioning(NamedTuple):
    """An app a versioning wrapper serves again: ``app = VersionedFastAPI(app, ...)``.

    fastapi-versionizer's ``Versionizer(app=app, ...)`` does the same in place: the routes the app
    has by then are served only under the version prefixes, those added later at its root.

    fastapi-versioning builds a new app that mounts, for each version the app's routes declare
    (``@version(2)``; ``default`` for a route without one), an app with those routes under
    ``prefix_format`` filled with that version; a later version serves the earlier ones' routes
    it does not declare again, and ``enable_latest`` serves the last one under ``/latest`` too.
    A route is logged under the prefix of its own version. The routes and includes made on the
    app before the call are the ones copied; with the name rebound to the new app, those made
    on it after the call are the new app's own, served at its root (the telemetry router too).
    """

    name: str  # the wrapper's name, for notes
    where: str  # file:line of the call, for notes
    site: CallSite  # the call's own
    end: int  # the call's last line
    rebinds: bool  # its result is assigned to the name of the app it takes (or it works in place)
    prefix_format: str | None  # None: only known at run time
    default: Version | None  # None: only known at run time

    def prefix(self, version: Version | None) -> str | None:
        """The prefix a version's routes are served under (``version`` None: the default)."""
        version = self.default if version is None else version
        if version is None or self.prefix_format is None:
            return None
        try:
            prefix = self.prefix_format.format(major=version[0], minor=version[1])
        except (KeyError, IndexError, ValueError, AttributeError):
            return None  # a format the library could not fill either
        return prefix.rstrip("/")  # as Starlette's Mount takes it

    def copied(self, at: CallSite | None) -> bool:
        """Whether a route or include made at ``at`` on the app is one the wrapper copies."""
        if at is None or not self.rebinds:
            return True
        return not (at[0] == self.site[0] and at[1] > self.end)


def mount_takes(path: str, endpoint: str) -> bool:
    """Whether a mount at ``path`` answers ``endpoint`` (every path, mounted at the root)."""
    return path.rstrip("/") == "" or endpoint.startswith(path.rstrip("/") + "/")


def _copies(mount: Mount, at: CallSite | None) -> bool:
    """Whether an include serves what is added to its router at ``at`` on FastAPI before 0.137.

    There ``include_router`` copies the routes the router has when it runs: one added further
    down the same body (a route, an include) runs after it, and that include never serves it;
    from 0.137 on it includes the router itself and serves every route it ever gets. Across
    bodies (another module, a function) the order is not known: it may.
    """
    return at is None or mount.at is None or at[0] != mount.at[0] or at[1] < mount.at[1]


class Mounts:
    """The ``include_router`` calls of a package, by the included router."""

    def __init__(
        self,
        included: dict[RouterKey, list[Mount]],
        apps: dict[RouterKey, list[AppMount]] | None = None,
        notes: tuple[str, ...] = (),
        index: PackageIndex | None = None,
        modules: tuple[str, ...] = (),
        unresolved: tuple[str, ...] = (),
    ) -> None:
        """Take the calls found (see :func:`find_mounts`)."""
        self.included = included
        #: The include calls whose router is not followed (see :class:`Unresolved`), as text:
        #: a router found included nowhere may be the one they include.
        self.unresolved = unresolved
        #: The modules that register routes imperatively (``add_api_route``), once looked for.
        self.registering: list[str] | None = None
        self.apps = {} if apps is None else apps
        # Read again to follow a router passed to a function (see :meth:`passed_router`).
        self.index = index
        self.modules = list(modules)
        #: Each include prefix read as a settings class's default or not known statically, as a
        #: line for the report (its routers' routes are logged with that default, or without it).
        self.notes = notes
        #: The apps a versioning wrapper serves again, by app.
        self.versioned: dict[RouterKey, Versioning] = {}
        #: The app the plan serves, when known (see :meth:`serve`): includes made only by
        #: another app of the package serve nothing of it.
        self.served_app: RouterKey | None = None
        #: The app served and the apps of the package it is built from (see :func:`site_apps`).
        self.serving: frozenset[RouterKey] = frozenset()
        #: The apps a server line names (see :meth:`serve`): read when first asked, as most
        #: packages build no app but the one served.
        self._named: Callable[[], frozenset[RouterKey]] | None = None
        #: The qualified name of the app served when a library builds it (``nicegui.app``).
        self.library_app: str | None = None
        #: :meth:`only_instance`'s answers, by the class's module and line (asked per route).
        self._instances: dict[tuple[str, int, int], tuple[RouterKey, str | None] | None] = {}
        #: The one instance of an app class bound at a module's top, by the class (see
        #: :meth:`served_instance`).
        self._app_instances: dict[tuple[str, int, int], RouterKey | None] = {}
        #: The module variable the plan serves, when no call of it the package can read builds
        #: the app (``app = api.app``, the app a library's wrapper object holds): the routes
        #: declared on it are the served app's own. Weak: holding the binding would keep its
        #: module's syntax tree from reference counting (a cycle through its scope).
        self.served_variable: weakref.ref[Binding] | None = None
        #: :func:`_only_wired`'s answers, by router or app (see :meth:`sealed`).
        self._sealed: dict[RouterKey, bool] = {}
        #: Each module's :func:`_mentions`, by module name, once read for :meth:`sealed`.
        self._mentions: dict[str, dict[str, list[_Mention]]] = {}

    def _mentions_of(self, model: ModuleModel) -> dict[str, list[_Mention]]:
        """A module's :func:`_mentions`, read once."""
        found = self._mentions.get(model.name)
        if found is None:
            found = self._mentions[model.name] = _mentions(model)
        return found

    def serve(
        self,
        apps: tuple[RouterKey, ...],
        *,
        built: bool = False,
        named: Callable[[], frozenset[RouterKey]] | None = None,
    ) -> None:
        """Take ``apps[0]`` as the one served: routers only other apps include are not served.

        A package may build two apps (``app/__init__.py``'s, served, and ``app/main.py``'s,
        including more routers): the routes only the other one serves answer nowhere, and so do
        the routes declared on another app (see :meth:`app_unserved`). The apps after the first
        are those it is built from (see :func:`site_apps`): served through it. With none (no
        site the tool can name, ``self.app``), or one no include or mount names and that the
        site does not build itself (``built``: ``app = FastAPI()``), every app serves.
        ``named`` gives the apps a server line of the project names (``side: uvicorn
        app.routes:side``), served on their own: their routes and includes answer too.
        """
        # Only an app some include or mount names, or built right at the site, is taken (else
        # how it is reached is not seen: a factory returning `VersionedFastAPI(api)`, and
        # nothing changes). An app built there is the one served before the layer's include
        # names it: the first run says what the next ones do.
        known = {mount.app for mounts in self.included.values() for mount in mounts}
        known |= set(self.apps) | {m.outer for mounts in self.apps.values() for m in mounts}
        self.served_app = apps[0] if apps and (apps[0] in known or built) else None
        self.serving = frozenset(apps)
        self._named = None if named is None else functools.cache(named)

    def app_unserved(self, app: RouterKey) -> str | None:
        """Why the routes declared on an app are not served; None when it is the app served.

        ``metrics = FastAPI()`` beside the app served, with ``@metrics.get("/metrics")``: the
        route answers only where that app is run, not on the app served (unless it is mounted
        into it). A line for the report, naming both apps.
        """
        if self._serves(app):
            return None
        served = self.served_app
        assert served is not None
        return (
            f"`{app[1]}` of {app[0]} is not the app served (`{served[1]}` of {served[0]}) nor "
            "mounted into it: its routes are logged with paths the app does not serve"
        )

    def _serves(self, app: RouterKey | None, seen: frozenset[RouterKey] = frozenset()) -> bool:
        """Whether an app is the one served, or mounted into it (or no app is chosen)."""
        if self.served_app is None or app is None or app in self.serving:
            return True
        if self._named is not None and app in self._named():
            return True  # served by a line of its own
        if app in seen or not self.apps.get(app):
            return False
        return any(
            mount.outer is None or self._serves(mount.outer, seen | {app})
            for mount in self.apps[app]
        )

    def version_prefix(
        self,
        key: RouterKey | None,
        role: Role,
        at: CallSite,
        handler: Scope | None,
        owner: tuple[ast.expr, Scope] | None = None,
    ) -> tuple[str, str | None]:
        """The prefix a versioning wrapper adds to a route, and a note when it is not known.

        ``key`` and ``role``: the app or router the route is declared on; ``at``: where;
        ``handler``: the handler's scope; its ``@version(...)`` decorator says its version,
        unless the router (``owner``: how it is named, and where) is built with a versioned
        route class, whose version wins. ("", None) for a route no versioned app serves, or one
        served several ways.
        """
        if not self.versioned or key is None or self.index is None:
            return "", None
        tops = [(key, at)] if role is Role.APP else self._tops(key, frozenset())
        found = {
            self.versioned[app]
            if app in self.versioned and self.versioned[app].copied(site)
            else None
            for app, site in tops
        }
        versioning = found.pop() if len(found) == 1 else None
        if versioning is None:
            return "", None
        known, version = _route_class_version(owner, self.index) or _handler_version(
            handler, self.index
        )
        prefix = versioning.prefix(version) if known else None
        if prefix is None:
            return "", (
                f"its version prefix (`{versioning.name}` at {versioning.where}) is only known "
                "at run time: logged without it"
            )
        return prefix, None

    def _tops(
        self, key: RouterKey, seen: frozenset[RouterKey]
    ) -> list[tuple[RouterKey, CallSite | None]]:
        """The apps the chains of includes from a router end at, with where each includes."""
        if key in seen or key not in self.included:
            return []
        found: list[tuple[RouterKey, CallSite | None]] = []
        for mount in self._serving(key):
            if mount.parent is None:
                if mount.by_app and mount.app is not None:
                    found.append((mount.app, mount.at))
            else:
                found.extend(self._tops(mount.parent, seen | {key}))
        return found

    def app_prefix(self, key: RouterKey | None) -> str | None:
        """The path an app is mounted at ("" for one mounted nowhere; None when not known).

        Routes of a sub-application answer at the mount path before their own path; an app
        mounted at a path only known at run time, or at several, has no single one.
        """
        return self._app_prefix(key, frozenset())

    def _app_prefix(self, key: RouterKey | None, seen: frozenset[RouterKey]) -> str | None:
        if key is None or key not in self.apps:
            return ""
        if key in seen:
            return None
        found: set[str] = set()
        for mount in self.apps[key]:
            outer = self._app_prefix(mount.outer, seen | {key})
            if mount.path is None or outer is None:
                return None
            found.add(outer + mount.path)
        return found.pop() if len(found) == 1 else None

    def serve_variable(self, binding: Binding) -> None:
        """Take ``binding`` as the variable the plan serves (see ``served_variable``).

        The includes made right on that name (``app.include_router(...)`` after ``app =
        api.app``) are the served app's, though no call of the package builds it.
        """
        self.served_variable = weakref.ref(binding)
        returned = self._factory_result(binding)
        for key, mounts in self.included.items():
            self.included[key] = [
                dataclasses.replace(mount, by_app=True)
                if mount.parent is None
                and not mount.by_app
                and mount.scope is not None
                and mount.including.isidentifier()
                and (
                    self._names(mount.including, mount.scope) is binding
                    or (mount.scope.node, mount.including) == returned
                )
                else mount
                for mount in mounts
            ]

    def _factory_result(self, binding: Binding) -> tuple[ast.AST, str] | None:
        """The factory and the one variable it returns, when ``binding`` holds its result.

        ``app = create_app()`` served, ``def create_app(): app_ = FastAPIOffline(...); ...;
        return app_``: a library's class builds what the plan says is the app, so the
        includes made on ``app_`` in the factory are the served app's.
        """
        call = binding.node
        if self.index is None or not isinstance(call, ast.Call):
            return None
        function = self.index.defined(call.func, binding.scope)
        if function is None or not isinstance(function.node, FunctionNode):
            return None
        returns = [node for node in ast.walk(function.node) if isinstance(node, ast.Return)]
        names = {node.value.id for node in returns if isinstance(node.value, ast.Name)}
        if not returns or len(names) != 1 or any(node.value is None for node in returns):
            return None
        return function.node, names.pop()

    def _names(self, name: str, scope: Scope) -> Binding | None:
        """The binding ``name`` reads in ``scope``, followed through imports when it can be."""
        if self.index is None:
            return scope.lookup(name)
        return self.index.binding_of(ast.Name(id=name, ctx=ast.Load()), scope)

    def prefixes(self, key: RouterKey | None) -> list[str]:
        """Every path prefix known statically that a router is served under ("" when none).

        Each chain of includes up to an app or an object the tool cannot tell gives one.
        """
        return self._prefixes(key, frozenset())

    def _prefixes(self, key: RouterKey | None, seen: frozenset[RouterKey]) -> list[str]:
        if key is None or key not in self.included or key in seen:
            return [""]
        found: list[str] = []
        for mount in self._serving(key):
            if mount.prefix is None:
                continue
            if mount.parent is None:
                outers = [self.app_prefix(mount.app) or ""] if mount.by_app else [""]
            elif mount.parent_local and mount.parent not in self.included:
                continue
            else:
                outers = [
                    outer + mount.parent_prefix
                    for outer in self._prefixes(mount.parent, seen | {key})
                    if mount.parent_prefix is not None
                ]
            found.extend(outer + mount.prefix for outer in outers)
        return found

    def _serving(self, key: RouterKey, at: CallSite | None = None) -> list[Mount]:
        """The includes of a router that may serve it: dead ends left out when others are not.

        ``api_router.include_router(auth.router)`` where no app (nor anything) includes
        ``api_router``, next to ``app.include_router(auth.router, prefix="/auth")``: only the
        app's include serves the routes. When every include ends so, all stay (the router may be
        served in a way the tool cannot see). ``at``: where what they serve is added to the
        router; the includes run before it are left out (see :func:`_copies`).
        """
        mounts = [mount for mount in self.included[key] if _copies(mount, at)]
        live = [mount for mount in mounts if not self._dead(mount, frozenset({key}))]
        return live or mounts

    def _dead(self, mount: Mount, seen: frozenset[RouterKey]) -> bool:
        """Whether an include is made by a module-level router that nothing serves."""
        parent = mount.parent
        if parent is None:
            return mount.by_app and not self._serves(mount.app)
        if mount.parent_local:
            return False
        if parent in seen:
            return True  # routers that include each other serve nothing by themselves
        outer = self.included.get(parent)
        if not outer:
            return True
        return all(self._dead(other, seen | {parent}) for other in outer)

    def passed_arguments(self) -> Passed:
        """What the package's calls of a function pass for a parameter (see ``loops.Passed``)."""
        assert self.index is not None
        return _passed_arguments(self.index, self.modules)

    def passed_router(self, parameter: Binding) -> tuple[RouterKey, str | None] | None:
        """The router every call of a function passes for its parameter, and that router's prefix.

        ``def add_routes(router: APIRouter): @router.get("/x")`` called as ``add_routes(api)``
        after ``api = APIRouter(prefix="/v1")``: the routes are ``api``'s, served where it is
        included. None when the function is called nowhere in the package (a method, or only from
        outside it), or its calls pass different routers or something else.
        """
        if self.index is None:
            return None
        return passed_router(parameter, self.index, self.modules)

    def passed_app(self, parameter: Binding) -> RouterKey | None:
        """The app every call of a function passes for its parameter (see :func:`passed_app`)."""
        if self.index is None:
            return None
        return passed_app(parameter, self.index, self.modules)

    def arguments_passed(self, parameter: Binding) -> list[tuple[ast.expr, Scope]] | None:
        """What the package's calls of a function pass for its parameter, each where read.

        None when a call's argument is not known (see :func:`_passed_arguments`).
        """
        if self.index is None:
            return None
        return _passed_arguments(self.index, self.modules)(parameter)

    def passed_role(self, parameter: Binding) -> Role | None:
        """What every call of a function passes for its unannotated parameter: an app or a router.

        ``def register(app): @app.post("/chat")`` called as ``register(app)`` after ``app =
        FastAPI()``: an app (see :meth:`passed_app`); a router likewise (see
        :meth:`passed_router`). None when the calls say neither.
        """
        if self.passed_app(parameter) is not None:
            return Role.APP
        if self.passed_router(parameter) is not None:
            return Role.ROUTER
        return None

    def unserved(self, key: RouterKey) -> Unserved | None:
        """Why a router's routes may not be served at the path logged; None when an app serves it.

        A line for the report naming the router, and whether no app serves it for sure. One
        included by an object the tool cannot tell is an app is served wherever that object is;
        one included by no ``include_router`` that is followed (nor through routers that are)
        may be one of those whose router is not followed (returned by a function the tool
        cannot follow, imported at run time); when every include is followed, no app serves it.
        """
        unknown: list[str] = []
        tops: list[RouterKey] = []
        others: list[RouterKey] = []
        if self._reaches_app(key, frozenset(), unknown, tops, others):
            return None
        name = f"`{key[1]}` of {key[0]}"
        if unknown:
            return Unserved(
                f"{name} is included by {unknown[0]}, which the tool cannot tell is an app or "
                "a router the app includes: its routes are logged without the prefixes it may "
                "be served under",
                certain=False,
            )
        if others and self.served_app is not None:
            served = self.served_app
            return Unserved(
                f"{name} is included only by `{others[0][1]}` of {others[0][0]}, not by the app "
                f"served (`{served[1]}` of {served[0]}): its routes are logged with paths the "
                "app does not serve",
                certain=self.sealed(key),
            )
        top = tops[0] if tops else key
        if top != key:
            name += f", through `{top[1]}` of {top[0]},"
        if self.unresolved:
            return Unserved(
                f"{name} is included by no `include_router` the tool can follow (the router "
                f"of {self.unresolved[0]}, for one, is not followed): its routes are logged "
                "without the prefixes it may be served under",
                certain=False,
            )
        return Unserved(
            f"{name} is included by no app (no `include_router` of it): its routes are logged "
            "with paths the app does not serve",
            certain=self.sealed(key),
        )

    def sealed(self, key: RouterKey) -> bool:
        """Whether no code of the package may serve a router's or app's routes but its includes.

        Taken as served by no app only then: the router or app, and each router or app that
        includes or mounts it, is read nowhere but to add to it (``@router.get``,
        ``router.include_router(...)``) and as what an ``include_router`` includes. Its routes
        read (``spa.router.routes``, copied into the app in a loop), the object handed to
        anything else (``registry.add(spa.router)``, a list filled by ``append``), named by a
        string (``getattr``): some app may serve them.
        """
        todo, seen = [key], {key}
        while todo:
            current = todo.pop()
            found = self._sealed.get(current)
            if found is None:
                found = self._sealed[current] = self.index is None or _only_wired(
                    current, self.index, self.modules, self._mentions_of
                )
            if not found:
                return False
            above = [m.parent or m.app for m in self.included.get(current, ())]
            above += [m.outer for m in self.apps.get(current, ())]
            for outer in above:
                if outer is not None and outer not in seen:
                    seen.add(outer)
                    todo.append(outer)
        return True

    def _reaches_app(
        self,
        key: RouterKey,
        seen: frozenset[RouterKey],
        unknown: list[str],
        tops: list[RouterKey],
        others: list[RouterKey],
        at: CallSite | None = None,
        late: list[tuple[RouterKey, int]] | None = None,
    ) -> bool:
        """Whether a chain of includes from ``key`` ends at the app served (or any app).

        The objects not told to be apps that chains end at go in ``unknown``, the routers
        included nowhere in ``tops``, the apps other than the one served in ``others``; the
        routers whose every include runs before what ``at`` adds to them in ``late``, each
        with the line of its last include.
        """
        if key in seen:
            return False
        if key not in self.included:
            tops.append(key)
            return False
        copying = [mount for mount in self.included[key] if _copies(mount, at)]
        if not copying and late is not None:
            late.append((key, max(mount.at[1] for mount in self.included[key] if mount.at)))
        for mount in copying:
            if mount.parent is None:
                if mount.by_app and self._serves(mount.app):
                    return True
                if mount.by_app and mount.app is not None:
                    others.append(mount.app)
                else:
                    # Named with where the call is made: the line to look at (or to annotate).
                    where = ""
                    if mount.scope is not None and mount.at is not None:
                        where = f" ({mount.scope.module.path}:{mount.at[1]})"
                    unknown.append(f"`{mount.including or '?'}`{where}")
            elif self._reaches_app(
                mount.parent, seen | {key}, unknown, tops, others, at and mount.at, late
            ):
                return True
        return False

    def served_prefix(self, key: RouterKey | None) -> str | None:
        """The one prefix a router's routes are served under, as far as it is known statically.

        "" for a router included nowhere in the package (or without prefixes). A prefix (or a
        mount path) only known at run time adds nothing (the report says so): the prefixes known
        around it stay. None when a chain ends at an object that is not an app, or the router is
        served under several prefixes (or routers include each other): no single path.
        """
        return self._served(key, frozenset())

    @property
    def run_time_choices(self) -> tuple[str, ...]:
        """The notes ``init`` says too (see :class:`RunTimeChoice` and :class:`OutsideRouter`).

        Routers the environment picks at run time, and routers included from outside the package.
        """
        return tuple(note for note in self.notes if isinstance(note, RunTimeChoice | OutsideRouter))

    def several_paths(self, key: RouterKey) -> str | None:
        """A line for a router served under several paths, else None.

        No one path to log: each of its routes names the path the router declares.
        """
        paths = sorted(set(self.prefixes(key)))
        if len(paths) < 2:
            return None
        listed = ", ".join(repr(path) for path in paths)
        return (
            f"`{key[1]}` of {key[0]} is served under several paths ({listed}): its routes "
            "are logged with the path the router declares, without them"
        )

    def only_instance(self, class_scope: Scope) -> RouterKey | None:
        """The router key of the one instance the package builds of a router class, else None.

        See :func:`only_router_instance`; asked per route, so kept.
        """
        built = self._only_instance(class_scope)
        return None if built is None else built[0]

    def served_instance(self, class_scope: Scope) -> RouterKey | None:
        """The app served, when it is the one instance the package builds of an app class.

        ``class TodoApp(FastAPI)`` built once, as the app served (``app = TodoApp()`` at a
        module's top, bound once): the routes it declares on ``self`` are at the served app's
        root. None for an instance built otherwise, more than once, or mounted into another
        app (its routes answer under the mount path, which the class does not know). With no
        app known to be served (``remove`` reading the routes it takes log calls out of), the
        one instance bound at a module's top is taken.
        """
        cls = class_scope.node
        if not isinstance(cls, ast.ClassDef):
            return None
        # Asked by each route the class declares on `self`: the package's calls read once.
        where = (class_scope.module.name, cls.lineno, cls.col_offset)
        if where not in self._app_instances:
            self._app_instances[where] = self._bound_instance(cls)
        key = self._app_instances[where]
        return key if key is None or not self.serving or key in self.serving else None

    def _bound_instance(self, cls: ast.ClassDef) -> RouterKey | None:
        """The name the one instance of an app class is bound to at a module's top, if so."""
        if self.index is None:
            return None
        index = self.index
        built = [
            (call, scope)
            for call, scope in _calls_named(cls.name, index, self.modules)
            if (target := index.binding_of(call.func, scope)) is not None and target.node is cls
        ]
        if len(built) != 1 or _subclassed(cls.name, index, self.modules):
            return None
        call, scope = built[0]
        if scope.parent is not None:
            return None  # built in a function: which call serves it is not known
        for binding in scope.bindings.values():
            if binding.node is call and bound_once(binding):
                return (scope.module.name, binding.name)
        return None

    def own_prefix(self, class_scope: Scope) -> str | None:
        """The prefix the one instance of a router class gets, when known statically."""
        built = self._only_instance(class_scope)
        return None if built is None else built[1]

    def _only_instance(self, class_scope: Scope) -> tuple[RouterKey, str | None] | None:
        cls = class_scope.node
        where = (class_scope.module.name, getattr(cls, "lineno", 0), getattr(cls, "col_offset", 0))
        if where not in self._instances:
            found = None
            if self.index is not None:
                found = only_router_instance(class_scope, self.index, self.modules)
            if found is not None and found[0] not in self.included:
                assert self.index is not None
                built = instance_mounts(found[0], self.index, self.modules)
                if built:
                    self.included[found[0]] = built  # routes on `self` of each instance
            self._instances[where] = found
        return self._instances[where]

    def shadowing(
        self, written: str, scope: Scope, line: int, path: str, what: str = "this route"
    ) -> str | None:
        """A line for a route added to the app ``written`` at ``line`` after a mount taking it.

        Starlette tries an app's routes in the order they were added: ``app.mount("/", ...)``
        (a folder, a WSGI app) added first answers every path under its own, and a route
        declared (or a router included: ``what``) further down the same body under that path
        is never reached. None when no such mount (with a path known statically) comes first.
        """
        assert self.index is not None
        for call, mounted in mounts_before(
            scope.module, self.index, written, line, lambda found: found.node is scope.node
        ):
            if mount_takes(mounted, path):
                return (
                    f"`{written}.mount({mounted!r}, ...)` at line {call.lineno} is added to the "
                    f"app before {what} and answers every path under {mounted!r}: the route is "
                    "never reached; it is logged with its path"
                )
        return None

    def shadowed_router(self, key: RouterKey | None, path: str) -> str | None:
        """A line for a router's route (``path`` under the router's prefix) no include reaches.

        Each include of the router is made on an app after a mount of it that takes the
        route's path (see :meth:`shadowing`); None when one may reach it, or an include is
        made otherwise (through another router, with a prefix only known at run time).
        """
        if key is None:
            return None
        said = None
        for mount in self.included.get(key, []):
            if not mount.by_app or mount.parent is not None or mount.prefix is None:
                return None
            if mount.scope is None or mount.at is None:
                return None
            what = f"the include of `{key[1]}` at line {mount.at[1]}"
            note = self.shadowing(
                mount.including, mount.scope, mount.at[1], mount.prefix + path, what
            )
            if note is None:
                return None
            said = said or note
        return said

    def older_fastapi(self, key: RouterKey | None, at: CallSite) -> str | None:
        """A line for a route FastAPI before 0.137 serves otherwise than later versions do.

        ``key``: its router; ``at``: where the route is declared. Before 0.137 an include
        serves only the routes its router has when it runs (see :func:`_copies`): a route
        declared after every include of its router (or of a router its own is included into
        late) is served by no app there, one declared between two includes only under the
        later one. The route is logged as later versions serve it. None when both agree.
        """
        if key is None or key not in self.included:
            return None
        late: list[tuple[RouterKey, int]] = []
        if not self._reaches_app(key, frozenset(), [], [], [], at, late) and late:
            if self._reaches_app(key, frozenset(), [], [], []):
                router, line = late[0]
                return (
                    f"this route is added to `{router[1]}` of {router[0]} after its last "
                    f"include (line {line}): FastAPI 0.137 and later serve it there (logged "
                    "so); earlier versions copy a router's routes when they include it and "
                    "serve this one nowhere"
                )
            return None
        now, before = self.served_prefix(key), self._served(key, frozenset(), at)
        if before is None or before == now:
            return None
        return (
            f"this route is added to `{key[1]}` of {key[0]} after some of its includes: "
            f"FastAPI 0.137 and later serve it under each of them (logged so); earlier "
            "versions copy a router's routes when they include it and serve it only under "
            f"the includes made after it (include prefix {before!r})"
        )

    def _served(
        self, key: RouterKey | None, seen: frozenset[RouterKey], at: CallSite | None = None
    ) -> str | None:
        if key is None or key not in self.included:
            return ""
        if key in seen:
            return None  # routers that include each other: nothing Starlette could serve
        found: set[str] = set()
        for mount in self._serving(key, at):
            if mount.parent is None:
                if not mount.by_app:
                    return None  # an object the tool cannot tell may serve nothing, or anywhere
                outer = self.app_prefix(mount.app) or ""
            else:
                if mount.parent_local and mount.parent not in self.included:
                    return None  # built in a function and returned: served where, not known
                # What the include adds to the parent, where it adds it (when ordered).
                served = self._served(mount.parent, seen | {key}, at and mount.at)
                if served is None:
                    return None
                outer = served + (mount.parent_prefix or "")
            found.add(outer + (mount.prefix or ""))
        return found.pop() if len(found) == 1 else None


def site_apps(
    module: ModuleModel, expression: str, anchor: ast.stmt, index: PackageIndex
) -> tuple[RouterKey, ...]:
    """The app (see ``PackageIndex.app_key``) a variable names where the app is built, and more.

    ``expression`` is looked up in the module, or in the module-level function (an app
    factory) whose body holds ``anchor``; none for anything else (``self.app``). After the app,
    the apps of the package it is built from under another name (``app =
    VersionedFastAPI(api)``): what is declared on those is served through it.
    """
    scope = module.scope
    if not any(statement is anchor for statement in module.tree.body):
        line = anchor.lineno
        functions = [
            node
            for node in module.tree.body
            if isinstance(node, FunctionNode) and node.lineno <= line <= (node.end_lineno or line)
        ]
        if not functions:
            return ()
        scope = Scope(functions[0], module, module.scope)
    # `application = app`: a second name of the app is the app.
    binding = (
        index.binding_of(ast.Name(id=expression), scope) if expression.isidentifier() else None
    )
    if binding is None:
        return ()
    # `app = CORSMiddleware(app)`: the includes are made on the app it wraps.
    binding = unwrapped(binding)
    key = index.app_key(binding)
    if key is None:
        return ()
    keys = [key]
    call = binding.node
    if isinstance(call, ast.Call):
        # The apps passed as they are (`VersionedFastAPI(api)`), not read through an attribute
        # (`FastAPI(lifespan=other.router.lifespan_context)` serves nothing of `other`).
        for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:
            if isinstance(argument, ast.Name):
                inner = index.app_key(index.binding_of(argument, binding.scope))
                if inner is not None and inner not in keys:
                    keys.append(inner)
    return tuple(keys)


def only_router_instance(
    class_scope: Scope, index: PackageIndex, modules: list[str]
) -> tuple[RouterKey, str | None] | None:
    """The router key of the one instance the package builds of a router class, and its prefix.

    ``class Reports(APIRouter)`` registering its routes in ``__init__``, built once as
    ``reports = Reports()`` (bound once) and subclassed nowhere: every route the class
    registers is that router's, served where ``reports`` is included; so is one built right
    in an include (``include_router(Reports(), prefix="/api")``), or held by another router
    class (``self.v1 = V1Router()``, then ``self.include_router(self.v1)``). The prefix is the
    one the instance gets (``super().__init__(prefix="/v1")``, else the call's ``prefix=``),
    None when only known at run time. Built more than once, each instance told apart, the key
    stands for them all (:func:`instances_key`, served where each is, see
    :func:`instance_mounts`). None when an instance is bound otherwise or the class is
    subclassed: which instance serves a route is not known.
    """
    instances = router_instances(class_scope, index, modules)
    if instances is None:
        return None
    if len(instances) == 1:
        return instances[0]
    # Built more than once, each instance told apart: the class's routes are each one's, served
    # where each is (see `instance_mounts`); their own prefix too when they all get the same.
    owns = {own for _, own in instances}
    if len(owns) > 1 and None in owns:
        return None  # one's own prefix only known at run time: no path for it
    return instances_key(class_scope), owns.pop() if len(owns) == 1 else ""


def router_instances(
    class_scope: Scope, index: PackageIndex, modules: list[str]
) -> list[tuple[RouterKey, str | None]] | None:
    """The router key and own prefix of each instance the package builds of a router class.

    None when it builds none, one it cannot tell apart (not bound once, held or built in an
    include), or the class is subclassed.
    """
    cls = class_scope.node
    if not isinstance(cls, ast.ClassDef):
        return None
    built: list[tuple[ast.Call, Scope, Binding]] = []
    for call, scope in _calls_named(cls.name, index, modules):
        target = index.binding_of(call.func, scope)
        if target is not None and target.node is cls:
            built.append((call, scope, target))
    if not built or _subclassed(cls.name, index, modules):
        return None
    if len(built) > 1 and class_scope.parent is not class_scope.module.scope:
        return None  # a class defined in a function: its key would name no module's class
    instances: list[tuple[RouterKey, str | None]] = []
    for call, scope, target in built:
        key = _instance_key(call, scope, index)
        if key is None:
            return None
        instances.append((key, instance_prefix(call, scope, target, index, None)))
    return instances


def instances_key(class_scope: Scope) -> RouterKey:
    """The router key standing for every instance of a router class built more than once."""
    cls = class_scope.node
    assert isinstance(cls, ast.ClassDef)
    return class_scope.module.name, f"{cls.name}()"


def instance_mounts(key: RouterKey, index: PackageIndex, modules: list[str]) -> list[Mount]:
    """How the instances of a router class built more than once serve its routes.

    ``key`` is the class's :func:`instances_key`; one mount for each instance, as if each
    included the class's routes, under the instance's own prefix when they differ (else that
    prefix is the class's, see :func:`only_router_instance`). Empty when ``key`` is none.
    """
    name = key[1].removesuffix("()")
    model = index.module(key[0]) if name != key[1] and name.isidentifier() else None
    binding = None if model is None else model.scope.bindings.get(name)
    if binding is None or not isinstance(binding.node, ast.ClassDef):
        return []
    class_scope = Scope(binding.node, binding.scope.module, binding.scope)
    if only_router_instance(class_scope, index, modules) is None:
        return []
    instances = router_instances(class_scope, index, modules)
    if instances is None or len(instances) < 2:
        return []
    same = len({own for _, own in instances}) == 1
    return [Mount(instance, "" if same else own, False) for instance, own in instances]


def _instance_key(call: ast.Call, scope: Scope, index: PackageIndex) -> RouterKey | None:
    """The router key of the instance a router class's call builds, where it is kept."""
    for binding in scope.bindings.values():
        if binding.node is call and bound_once(binding):
            return index.router_key(binding)
    method = scope.node
    if isinstance(method, FunctionNode) and scope.parent is not None and scope.parent.is_class:
        for _, attribute, value in attribute_assignments(method):
            if value is call:
                # `self.v1 = V1Router()`: the router the class holds, as its includes name it
                # (see `included_instance_router`).
                return instance_router_key(scope.parent, attribute)
    for node in ast.walk(scope.node):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == _INCLUDE_ROUTER
            and _included_router(node) is call
        ):
            # `app.include_router(Reports(), prefix="/api")`: served where it is built.
            return inline_router_key(call, scope)
    return None


def find_mounts(
    index: PackageIndex, modules: list[str], serve: Callable[[Mounts], None] | None = None
) -> Mounts:
    """Read the ``include_router`` calls of ``modules`` (dotted names) that include a router.

    Only modules whose text names ``include_router`` are parsed. ``serve`` says which app is
    served (:meth:`Mounts.serve`) once the includes are read, before the routers served under
    several paths are: an app never served (a side app built beside a router, including it
    too) serves it under no path.
    """
    modules = [*modules, *_imported_outside(index, modules)]
    index.package = tuple(modules)
    included: dict[RouterKey, list[Mount]] = {}
    apps: dict[RouterKey, list[AppMount]] = {}
    defaults = SettingsDefaults(index, calls=lambda scope: _calls_of(scope, index, modules))
    notes = Notes()
    unresolved: list[Unresolved] = []
    for name in modules:
        source = index.source(name)
        if source is None or not _routes_into(source.text):
            continue
        model = index.module(name)
        if model is not None:
            for child, mount in _module_mounts(index, model, modules, defaults, notes, unresolved):
                included.setdefault(child, []).append(mount)
            calls = list(mount_calls(model, index, modules))
            for sub_app, app_mount in _app_mounts(index, model, calls, modules, defaults, notes):
                apps.setdefault(sub_app, []).append(app_mount)
            for child, mount in _router_mounts(index, model, calls, modules, defaults, notes):
                included.setdefault(child, []).append(mount)
            _listed_mount_paths(model, index, defaults, notes)
    # A library's router last (`fastapi_users.get_auth_router(...)`: none of the package's);
    # then those made on an app first: the likeliest to serve a router found included nowhere.
    unresolved.sort(key=lambda item: (item.library, not item.by_app))
    mounts = Mounts(
        included, apps, (), index, tuple(modules), tuple(item.text for item in unresolved)
    )
    for model in _modules_naming(index, modules, set(_VERSIONERS), _VERSIONER_NAMES):
        for app, versioning in _versionings(model, index, modules, notes, included):
            mounts.versioned[app] = versioning
    parents = dict.fromkeys(mount.parent for found in list(included.values()) for mount in found)
    for parent in parents:
        # `self.include_router(...)` in a router class built more than once: each instance's.
        if parent is not None and parent not in included:
            built = instance_mounts(parent, index, modules)
            if built:
                included[parent] = built
    if serve is not None:
        index.mounts = mounts  # read through the index while the app served is found
        serve(mounts)
    for key in list(included):
        several = mounts.several_paths(key)
        if several is not None:
            notes.append(several)
    for found in list(included.values()):
        # Also under the instance's own class: the routes it declares on the base's router.
        for mount in found:
            for own_class in mount.own_classes:
                included.setdefault(own_class, []).append(mount)
    notes.extend(index.data_file_notes.values())  # read while includes were
    mounts.notes = tuple(dict.fromkeys(notes))
    return mounts


class MountCall(NamedTuple):
    """A sub-application mounted into another app, as written."""

    outer: Binding | None  # what it is mounted into
    path: ast.expr | None
    mounted: ast.expr
    scope: Scope  # where the call is
    listed: bool = False  # in the constructor's routes=: before any route added later


def mount_calls(
    model: ModuleModel, index: PackageIndex, modules: list[str] | None = None
) -> Iterator[MountCall]:
    """The module's mounts of a sub-application.

    ``<outer>.mount(path, app)``, ``<outer>.host(host, app)`` (at the root), and ``Mount(path,
    app=...)`` among the ``routes=`` of a constructor assigned to a variable (``app =
    FastAPI(routes=[Mount("/admin", app=admin)])``). With ``modules`` (dotted names), a mount
    in a function of what it is passed (``def attach(base, path, sub): base.mount(path,
    sub)``) is one mount per call of the function in those modules, with that call's arguments.
    """
    passed = _passed_arguments(index, modules) if modules is not None else None
    for call, scope in method_calls(model, _MOUNT):
        mounted = call_argument(call, 1, "app")
        if mounted is not None:
            assert isinstance(call.func, ast.Attribute)
            # `app.router.mount(...)`: into the app's own router, the app's mount.
            outer = index.binding_of(call.func.value, scope) or _including(
                call.func.value, scope, index
            )
            mount = MountCall(outer, call_argument(call, 0, "path"), mounted, scope)
            yield from _per_item(mount, index, passed)
    for call, scope in method_calls(model, _HOST):
        mounted = call_argument(call, 1, "app")
        if mounted is not None:
            assert isinstance(call.func, ast.Attribute)
            outer = index.binding_of(call.func.value, scope)
            root = ast.copy_location(ast.Constant(""), call)
            yield from _per_item(MountCall(outer, root, mounted, scope), index, passed)
    # `app.router.routes.append(Mount("/api", app=api))`: added as `app.mount` adds it.
    for method, position in (("append", 0), ("insert", 1)):
        for call, scope in method_calls(model, method):
            routes = call.func.value if isinstance(call.func, ast.Attribute) else None
            added = call.args[position] if len(call.args) > position else None
            if not (
                isinstance(routes, ast.Attribute)
                and routes.attr == _ROUTES
                and isinstance(added, ast.Call)
                and index.qualify(added.func, scope) in MOUNT_CLASSES
                and (mounted := call_argument(added, 1, "app")) is not None
            ):
                continue
            outer = index.binding_of(routes.value, scope) or _including(routes.value, scope, index)
            if outer is not None and _is_app(unwrapped(outer), index):
                yield MountCall(outer, call_argument(added, 0, "path"), mounted, scope)
    for call, scope in method_calls(model, _MOUNT_CLASS, names=True):
        mounted = call_argument(call, 1, "app")
        if mounted is None or index.qualify(call.func, scope) not in MOUNT_CLASSES:
            continue
        for binding in scope.bindings.values():
            if (
                binding.kind == "value"
                and isinstance(binding.node, ast.Call)
                and any(_lists(keyword.value, call, scope) for keyword in binding.node.keywords)
            ):
                yield MountCall(
                    binding, call_argument(call, 0, "path"), mounted, scope, listed=True
                )


def _per_item(
    mount: MountCall, index: PackageIndex, passed: Passed | None = None
) -> Iterator[MountCall]:
    """A mount call once per item of the loops around it that it reads, else as written.

    ``for path, api in VERSIONS: app.mount(path, api)`` with ``VERSIONS = [("/v1", v1)]``
    mounts ``v1`` at ``"/v1"`` (the path as its string, the app read where the item is
    written); items not known statically leave the call as written. With ``passed``, the
    parameters of the function around it take what each call of the function passes.
    """
    parts = [mount.mounted, *([mount.path] if mount.path is not None else [])]
    read = ast.copy_location(ast.Tuple(elts=parts, ctx=ast.Load()), mount.mounted)
    alone = frozenset(part.id for part in parts if isinstance(part, ast.Name))
    environments = loop_values(read, mount.scope, index, passed, alone)
    if environments is None or environments == [{}]:
        yield mount
        return
    for values in environments:
        found = substituted(mount.mounted, mount.scope, values, index)
        if found is None:
            continue
        path = mount.path
        if path is not None:
            text = loop_string(path, mount.scope, values, index)
            if text is not None:
                path = ast.copy_location(ast.Constant(text), path)
        yield mount._replace(mounted=found[0], scope=found[1], path=path)


def _listed_mount_paths(
    model: ModuleModel, index: PackageIndex, defaults: SettingsDefaults, notes: "Notes"
) -> None:
    """A line per ``Mount(path, routes=[...])`` an app lists whose path is not written out.

    ``FastAPI(routes=[Mount(settings.PREFIX, routes=[APIRoute(...)])])`` (or inside a mount
    the app lists at a known path): a path read as a settings class's default (or an
    environment variable's) is said as an include prefix or ``app.mount`` path read so is; one
    only known at run time is said too: the routes inside answer under it, which the tool
    cannot read, so it logs none of them. A mount given an ``app=`` is said where the mounted
    app is read (see :func:`_mount_path`).
    """
    for call, scope in method_calls(model, _MOUNT_CLASS, names=True):
        path = call_argument(call, 0, "path")
        if (
            path is None
            or call_argument(call, 2, "routes") is None
            or call_argument(call, 1, "app") is not None
            or index.qualify(call.func, scope) not in MOUNT_CLASSES
            or index.string_value(path, scope) is not None
            or not _app_lists(call, scope, index)
        ):
            continue
        where = f"{model.path}:{call.lineno}"
        read = len(defaults.read)
        if index.string_value(path, scope, fallback=defaults) is None:
            notes.append(
                f"{where}: mount path `{ast.unparse(path)}` is only known at run time: the "
                "routes listed in it are not logged"
            )
        for default in defaults.read[read:]:
            said = default.describe()
            notes.once(said, f"{where}: mount path {said}")
        del defaults.read[read:]


def _app_lists(call: ast.Call, scope: Scope, index: PackageIndex) -> bool:
    """Whether an app's ``routes=`` in ``scope`` lists ``call``, or a known mount it lists does.

    As routes are read (a mount at a path not known statically is not entered; one read as a
    settings default is).
    """
    defaults = SettingsDefaults(index)  # what is read here is said where each mount is
    for binding in scope.bindings.values():
        if not (
            _outer_is_app(binding, index)
            and isinstance(binding.node, ast.Call)
            and any(keyword.arg == "routes" for keyword in binding.node.keywords)
        ):
            continue
        routes = next(kw.value for kw in binding.node.keywords if kw.arg == "routes")
        pending = list(listed_items(routes, scope) or ())
        while pending:
            item = pending.pop()
            if item is call:
                return True
            if not (
                isinstance(item, ast.Call) and index.qualify(item.func, scope) in MOUNT_CLASSES
            ):
                continue
            inner, at = call_argument(item, 2, "routes"), call_argument(item, 0, "path")
            if (
                inner is not None
                and at is not None
                and index.string_value(at, scope, fallback=defaults) is not None
            ):
                pending.extend(listed_items(inner, scope) or ())
    return False


def _lists(routes: ast.expr, call: ast.Call, scope: Scope) -> bool:
    """Whether ``routes`` is a literal list (or tuple) holding ``call``, or names one.

    A name bound once to it: ``routes = [Mount("/api", app=api)]`` ... ``FastAPI(routes=routes)``.
    """
    return any(item is call for item in listed_items(routes, scope) or ())


def _app_mounts(
    index: PackageIndex,
    model: ModuleModel,
    calls: list[MountCall],
    modules: list[str],
    defaults: SettingsDefaults,
    notes: "Notes",
) -> list[tuple[RouterKey, AppMount]]:
    """The module's mount ``calls`` (see :func:`mount_calls`) that mount an app of the package.

    A mount path read as a settings class's default, or not known statically, goes in
    ``notes``, as a line naming the call (as include prefixes do).
    """
    found: list[tuple[RouterKey, AppMount]] = []
    for mount in calls:
        mounted, scope, outer = mount.mounted, mount.scope, mount.outer
        if isinstance(mounted, ast.Call):  # `app.mount("/v1", build_api())`
            sub_app = index.factory_app(mounted, scope)
        else:
            sub_app = index.app_key(index.binding_of(mounted, scope))
        if sub_app is None:
            continue
        into = app_of(outer, index, modules)
        into_app = into is not None or _outer_is_app(outer, index)
        path = _mount_path(mount, model, index, defaults, notes, into_app)
        root = None if isinstance(mounted, ast.Call) else _own_root_path(mounted, scope, index)
        if root is not None and path is not None and root.rstrip("/") != path:
            # FastAPI puts its own root_path in each request's scope, over the one the mount
            # set: the sub-application then routes paths the mount did not strip for it.
            line = getattr(mount.path, "lineno", 0)
            notes.append(
                f"{model.path}:{line}: `{ast.unparse(mounted)}` is built with "
                f"root_path={quoted(root)} but mounted at {quoted(path or '/')}: its routes are "
                f"logged under the mount path ({path}/...); its own root_path replaces the "
                "mount's in each request, so check the URLs it answers at"
            )
        found.append((sub_app, AppMount(into, path)))
    return found


def _own_root_path(mounted: ast.expr, scope: Scope, index: PackageIndex) -> str | None:
    """The literal ``root_path=`` the mounted app's own ``FastAPI(...)`` call passes, if any."""
    binding = index.binding_of(mounted, scope)
    if binding is None or not isinstance(binding.node, ast.Call):
        return None
    call = binding.node
    for keyword in call.keywords:
        if keyword.arg == "root_path":
            return index.string_value(keyword.value, binding.scope)
    return None


def _router_mounts(
    index: PackageIndex,
    model: ModuleModel,
    calls: list[MountCall],
    modules: list[str],
    defaults: SettingsDefaults,
    notes: "Notes",
) -> list[tuple[RouterKey, Mount]]:
    """The module's mount ``calls`` of a router (``app.mount("/api", router)``), as includes.

    Starlette serves a router mounted into an app under the mount path, before the paths its
    routes declare (their router's prefix included): as ``include_router(router,
    prefix="/api")`` would. Mounted into anything but an app: not followed.
    """
    found: list[tuple[RouterKey, Mount]] = []
    for mount in calls:
        mounted, scope, outer = mount.mounted, mount.scope, mount.outer
        binding = None if isinstance(mounted, ast.Call) else index.binding_of(mounted, scope)
        if binding is None or binding.kind != "value" or binding.scope.parent is not None:
            continue
        key = index.router_key(binding)
        app = app_of(outer, index, modules)
        if key is None or (app is None and not _outer_is_app(outer, index)):
            continue
        path = _mount_path(mount, model, index, defaults, notes, True)
        at = (id(scope.node), getattr(mount.path, "lineno", 0))
        found.append((key, Mount(None, path, True, "", app, False, ast.unparse(mounted), at)))
    return found


def _outer_is_app(outer: Binding | None, index: PackageIndex) -> bool:
    """Whether what a mount call mounts into is an app (FastAPI's or Starlette's)."""
    return (
        outer is not None
        and outer.kind == "value"
        and isinstance(outer.node, ast.Call)
        and (
            index.built_role(outer.node, outer.scope)[0] is Role.APP
            or index.qualify(outer.node.func, outer.scope) in STARLETTE_CLASSES
        )
    ) or (
        # `def register_app(app: FastAPI): app.mount("/admin", admin)`: an app, whichever,
        # as for the routers such a function includes; so is `self` in a method of a FastAPI
        # subclass (`self.mount("/api", api)`).
        outer is not None
        and outer.kind == "param"
        and (_is_app(outer, index) or app_instance_parameter(outer, index))
    )


def _mount_path(
    mount: MountCall,
    model: ModuleModel,
    index: PackageIndex,
    defaults: SettingsDefaults,
    notes: "Notes",
    into_app: bool,
) -> str | None:
    """The path a mount call mounts at, "" for the root; None when not known statically.

    ``into_app``: whether what it mounts into is an app (see :func:`_outer_is_app`), or a
    parameter every call of its function passes one for (``def attach(base, prefix, sub):
    base.mount(prefix, sub)`` called as ``attach(app, "/v1", api)``). A path read as a settings
    class's default, or not known statically, goes in ``notes``, as a line naming the call (as
    include prefixes do).
    """
    mounted, scope = mount.mounted, mount.scope
    # Mounted into anything but an app or a Starlette one (an unknown object): not known.
    path = None
    if into_app:
        read = len(defaults.read)
        # `app.mount(f"{settings.API_PREFIX}/v1", api)`: the settings default, said so.
        path = index.string_value(mount.path, scope, fallback=defaults)
        where = f"{model.path}:{getattr(mount.path, 'lineno', 0)}"
        if path is not None:
            path = path.rstrip("/")  # as Starlette's Mount takes it: "/" mounts at the root
            for default in defaults.read[read:]:
                said = default.describe()
                notes.once(said, f"{where}: mount path {said}")
        elif mount.path is not None:
            notes.append(
                f"{where}: mount path `{ast.unparse(mount.path)}` is only known at run "
                f"time: the routes of `{ast.unparse(mounted)}` are logged without it"
            )
        del defaults.read[read:]
    return path


def _is_app(binding: Binding | None, index: PackageIndex) -> bool:
    """Whether a variable is built as an app, or a parameter is annotated as one."""
    binding = index.handed_back(binding)  # `app = configure(app)`: the app it was
    if binding is None:
        return False
    if binding.kind == "value" and isinstance(binding.node, ast.Call):
        built = index.built_role(binding.node, binding.scope)[0]
        return built is Role.APP or index.declared_app(binding)
    if binding.kind == "param":
        argument = binding.node
        assert isinstance(argument, ast.arg)
        annotation = argument.annotation
        return (
            annotation is not None and index.annotation_role(annotation, binding.scope) is Role.APP
        )
    return False


def _passed_an_app(parameter: Binding, index: PackageIndex, modules: list[str]) -> bool:
    """Whether the package calls the function of ``parameter``, always with an app for it.

    ``def configure_routes(app): app.include_router(api, prefix="/api")``, called as
    ``configure_routes(app)`` after ``app = FastAPI()``, or as ``Routes.register(cls.APP)`` in
    a class method that set ``cls.APP = FastAPI()`` (see :func:`instance_app`). Functions and
    static methods; a call passing anything else, or no call at all, leaves the object unknown.
    """
    calls = _calls_of(parameter.scope, index, modules)
    if not calls:
        return False
    for call, scope in calls:
        argument = call_argument(call, parameter_call_position(parameter), parameter.name)
        if argument is None:
            return False
        binding = index.binding_of(argument, scope)
        if not _is_app(binding, index) and not (
            binding is None and instance_app(argument, scope, index)
        ):
            return False
    return True


def _given_an_app(
    expression: ast.expr, scope: Scope, index: PackageIndex, modules: list[str]
) -> bool:
    """Whether ``self.<attribute>`` in a method holds the app the class's instances are given.

    ``def __init__(self, app: FastAPI): self.app = app``, then ``self.app.include_router(...)``:
    an app when every assignment of the attribute stores a parameter every call of its method
    passes an app for (``RouterBase(app)``, see :func:`_passed_an_app`). A field of a record
    class (``@dataclass class Routes: app: FastAPI``, a ``NamedTuple``) holds what each call
    building it passes for the field: an app when every one (``Routes(app)``) passes one.
    """
    if not (
        isinstance(expression, ast.Attribute)
        and isinstance(expression.value, ast.Name)
        and expression.value.id == instance_parameter(scope)
        and scope.parent is not None
    ):
        return False
    assigned = instance_assignments(scope.parent, expression.attr, scope.module)
    if not assigned:
        built = _constructions(scope.parent, index, modules)
        return bool(built) and all(
            (field := record_field(call, expression.attr, call_scope, index)) is not None
            and (_is_app(index.binding_of(*field), index) or instance_app(*field, index))
            for call, call_scope in built
        )
    return all(
        isinstance(value, ast.Name)
        and (parameter := where.bindings.get(value.id)) is not None
        and parameter.kind == "param"
        and _passed_an_app(parameter, index, modules)
        for value, where in assigned
    )


def _constructions(
    class_scope: Scope, index: PackageIndex, modules: list[str]
) -> list[tuple[ast.Call, Scope]]:
    """The package's calls building the class of ``class_scope`` itself, each with its scope."""
    cls = class_scope.node
    assert isinstance(cls, ast.ClassDef)
    return [
        (call, scope)
        for call, scope in _calls_named(cls.name, index, modules)
        if (built := index.binding_of(call.func, scope)) is not None
        and built.kind == "class"
        and built.node is class_scope.node
    ]


def passed_router(
    parameter: Binding,
    index: PackageIndex,
    modules: list[str],
    seen: frozenset[tuple[int, str]] = frozenset(),
) -> tuple[RouterKey, str | None] | None:
    """The router every call of a function passes for its parameter, and that router's prefix.

    See :meth:`Mounts.passed_router`; None when the function is called nowhere in the package,
    or its calls pass different routers or something else. A call passing a parameter of its
    own function on (``def register(router): add_routes(router)``) passes the router that
    function is called with.
    """
    if parameter.kind != "param":
        return None
    seen = seen | {(id(parameter.scope), parameter.name)}
    found: set[tuple[RouterKey, str | None]] = set()
    for call, scope in _calls_of(parameter.scope, index, modules):
        argument = call_argument(call, parameter_call_position(parameter), parameter.name)
        if argument is None:
            return None
        binding = index.binding_of(argument, scope)
        if binding is not None and binding.kind == "param":
            if (id(binding.scope), binding.name) in seen:
                return None  # functions passing it to each other: no router known
            passed = passed_router(binding, index, modules, seen)
            if passed is None:
                return None
            found.add(passed)
            continue
        key = index.router_key(binding)
        if key is None or binding is None:
            return None
        assert isinstance(binding.node, ast.Call)
        standard = index.built_role(binding.node, binding.scope)[1]
        found.add((key, router_prefix(binding.node, standard, index, binding.scope)))
    return found.pop() if len(found) == 1 else None


def app_of(binding: Binding | None, index: PackageIndex, modules: list[str]) -> RouterKey | None:
    """The app ``binding`` holds: one the package builds, or what every call passes for it.

    A parameter's app is :func:`passed_app`'s.
    """
    if binding is not None and binding.kind == "param":
        return passed_app(binding, index, modules)
    return index.app_key(binding)


def passed_app(
    parameter: Binding,
    index: PackageIndex,
    modules: list[str],
    seen: frozenset[tuple[int, str]] = frozenset(),
) -> RouterKey | None:
    """The app every call of a function passes for its parameter, when the package builds it.

    ``def add_routes(api: FastAPI): @api.get("/ping")`` called as ``add_routes(admin)`` after
    ``admin = FastAPI()``: the routes (and the routers the function includes) are ``admin``'s,
    served where it is mounted. None when the function is called nowhere in the package, or its
    calls pass different apps or something else. A call passing a parameter of its own function
    on passes the app that function is called with (as for :func:`passed_router`).
    """
    if parameter.kind != "param":
        return None
    seen = seen | {(id(parameter.scope), parameter.name)}
    found: set[RouterKey] = set()
    for call, scope in _calls_of(parameter.scope, index, modules):
        argument = call_argument(call, parameter_call_position(parameter), parameter.name)
        binding = None if argument is None else index.binding_of(argument, scope)
        if binding is not None and binding.kind == "param":
            if (id(binding.scope), binding.name) in seen:
                return None
            key = passed_app(binding, index, modules, seen)
        else:
            key = None if argument is None else index.app_key(binding)
        if key is None:
            return None
        found.add(key)
    return found.pop() if len(found) == 1 else None


def _calls_of(
    function_scope: Scope, index: PackageIndex, modules: list[str]
) -> list[tuple[ast.Call, Scope]]:
    """The package's calls of a function, each with the scope it is made in.

    A method when it is a ``@staticmethod`` (``Loader.add_routers(app, ...)``) or a
    ``@classmethod`` called on its class (``Application.include_router(users.router)``, read
    as ``include_router(Application, users.router)``: the class where ``cls`` is), or an
    instance method called on instances of its class (see :func:`_instance_calls`).
    """
    function = function_scope.node
    if not isinstance(function, FunctionNode):
        return []
    owner = (
        function_scope.parent if function_scope.parent and function_scope.parent.is_class else None
    )
    if owner is not None and function.name == _INIT:
        return _instantiations(owner, index, modules)
    if owner is not None and not static_or_class(function):
        return _instance_calls(function_scope, owner, index, modules)
    found: list[tuple[ast.Call, Scope]] = []
    for call, scope in _calls_named(function.name, index, modules):
        if owner is not None:
            # `Loader.add_routers(...)`: the attribute of the class it is defined in.
            receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
            cls = None if receiver is None else index.binding_of(receiver, scope)
            if receiver is not None and is_class_method(function):
                # `cls.include_router(...)` in another class method of the class is one too; a
                # subclass's (`ItemView.register(router)`) runs it unless it defines its own.
                method = (
                    method_of_class(receiver, scope) if isinstance(receiver, ast.Name) else None
                )
                on: Binding | Scope | None = method.parent if method is not None else None
                if on is None and cls is not None and cls.kind == "class":
                    on = cls
                if on is not None and _method_class(on, function.name, index) is owner.node:
                    written = ast.Call(call.func, [receiver, *call.args], call.keywords)
                    found.append((ast.copy_location(written, call), scope))
                continue
            if (
                isinstance(receiver, ast.Name)
                and receiver.id == instance_parameter(scope)
                and scope.parent is not None
                and _method_class(scope.parent, function.name, index) is owner.node
            ):
                # `self.__register_routes(app)` in another method of the class: the static
                # method the instance's class runs.
                found.append((call, scope))
                continue
            if cls is not None and cls.kind == "class" and cls.node is owner.node:
                found.append((call, scope))
            continue
        target = index.binding_of(call.func, scope)
        if target is not None and target.node is function:
            found.append((call, scope))
    return found


def _instance_calls(
    method_scope: Scope, class_scope: Scope, index: PackageIndex, modules: list[str]
) -> list[tuple[ast.Call, Scope]]:
    """The package's calls of an instance method, as calls of the function (receiver first).

    ``server.register_router(users.router, prefix="/api")`` after ``server = Server()``, or
    ``self.register_router(...)`` in another method of the class: ``register_router(server,
    users.router, prefix="/api")``, its arguments where the method's parameters are. Every
    ``<x>.<method>(...)`` of the package must be told: on an instance of the class (one built
    there, or the method's own instance), or on something else the package binds; one on an
    object not known (a parameter, an attribute) leaves them all unknown (none).
    """
    method = method_scope.node
    assert isinstance(method, FunctionNode)
    if instance_parameter(method_scope) is None or _an_app_class(class_scope, index):
        # A class method: called on the class or an instance, not followed. A method of an
        # app or router class (an `include_router` of its own calling `super()`'s): its calls
        # are includes themselves.
        return []
    found: list[tuple[ast.Call, Scope]] = []
    for call, scope in _calls_named(method.name, index, modules):
        if not isinstance(call.func, ast.Attribute):
            continue  # `register_router(...)`: a function of that name, not the method
        ours = _an_instance(call.func.value, scope, class_scope, index, method.name)
        if ours is None:
            return []
        if ours:
            written = ast.Call(call.func, [call.func.value, *call.args], call.keywords)
            found.append((ast.copy_location(written, call), scope))
    return found


def _runs_a_package_method(call: ast.Call, scope: Scope, index: PackageIndex) -> bool:
    """Whether ``<x>.include_router(...)`` runs a method of a class of the package.

    ``app.include_router(users, prefix="/users")`` on ``app = CoreApp()``, whose class wraps an
    app and defines its own ``include_router`` handing the router on: the include its body
    makes is read with what each call passes (see :func:`_instance_calls`), not this call.
    """
    if not isinstance(call.func, ast.Attribute):
        return False
    receiver = call.func.value
    cls: Scope | None = None
    if isinstance(receiver, ast.Name) and receiver.id == instance_parameter(scope):
        cls = scope.parent
    else:
        binding = index.binding_of(receiver, scope)
        if (
            binding is not None
            and binding.kind == "class"
            and isinstance(binding.node, ast.ClassDef)
            and _class_method(binding.node, call.func.attr)
        ):
            # `Application.include_router(users.router)`: a class method of the package.
            cls = Scope(binding.node, binding.scope.module, binding.scope)
        elif binding is not None and binding.kind == "value" and isinstance(binding.node, ast.Call):
            defined = index.defined(binding.node.func, binding.scope)
            if defined is not None and isinstance(defined.node, ast.ClassDef):
                cls = Scope(defined.node, defined.scope.module, defined.scope)
    return (
        cls is not None
        and isinstance(cls.node, ast.ClassDef)
        and _method_class(cls, call.func.attr, index) is not None
        and not _an_app_class(cls, index)
    )


def _in_a_class_never_built(
    scope: Scope, index: PackageIndex, modules: list[str]
) -> ast.ClassDef | None:
    """The class ``scope`` is (in) a method of, when the package never names it: it never runs.

    ``class Plugin: def setup(self, app): app.include_router(items.router, prefix="/x")``
    with ``Plugin`` named nowhere else (not built, not subclassed, not imported, not even in a
    string): nothing runs the method, so its include serves nothing. A class a decorator, a
    metaclass or a library's base class may register (and build) is taken as run, as is one
    building an app itself (which the plan may name, from outside the package).
    """
    inner = scope
    while inner.parent is not None and not inner.is_class:
        inner = inner.parent
    if inner is scope or inner.parent is None or not isinstance(inner.node, ast.ClassDef):
        return None
    cls = inner.node
    if _library_may_run(cls, inner.parent, index) or _named_elsewhere(
        cls.name, inner.module.name, index, modules
    ):
        return None
    builds_app = any(
        isinstance(node, ast.Call) and index.built_role(node, inner)[0] is Role.APP
        for node in ast.walk(cls)
    )
    return None if builds_app else cls


def _in_a_method_never_called(
    scope: Scope, index: PackageIndex, modules: list[str]
) -> FunctionNode | None:
    """The method ``scope`` is, when the package never names it: nothing runs it.

    ``class ItemsController: def register(self, app): app.include_router(self.router, ...)``
    whose instances the app includes itself (``app.include_router(ItemsController().router,
    prefix="/api")``), ``register`` named nowhere else: its include serves nothing, and the
    router is served only where the app includes it. A dunder method (Python calls it), a
    decorated one (a decorator may register it) or one of a class a library may run (see
    :func:`_library_may_run`) is taken as run.
    """
    method = scope.node
    cls = None if scope.parent is None else scope.parent.node
    if (
        not isinstance(method, FunctionNode)
        or not isinstance(cls, ast.ClassDef)
        or scope.parent is None
        or scope.parent.parent is None
        or (method.name.startswith("__") and method.name.endswith("__"))
        or any(
            not (isinstance(decorator, ast.Name) and decorator.id in _METHOD_KINDS)
            for decorator in method.decorator_list
        )
        or _library_may_run(cls, scope.parent.parent, index)
        or _named_elsewhere(method.name, scope.module.name, index, modules)
        or _scanned_by_reflection(cls, index, modules)
    ):
        return None
    return method


# Calls listing an object's attributes, by the name called: whatever they find may be run by
# a name made at run time (`for hook in dir(ctrl): getattr(ctrl, hook)(app)`).
_ATTRIBUTE_LISTERS = frozenset({"dir", "getmembers", "vars", "getattr"})
_LISTER_WORDS = re.compile(r"\b(?:dir|getmembers|vars|getattr)\(")


def _scanned_by_reflection(cls: ast.ClassDef, index: PackageIndex, modules: list[str]) -> bool:
    """Whether the package lists the attributes of class ``cls`` or its instances.

    ``dir(x)``, ``inspect.getmembers(x)``, ``vars(type(x))`` or ``getattr(x, name)`` with a
    name made at run time, ``x`` being what may hold the class or an object of it: the class
    (``getmembers(cls())``), a name bound from it (``x = cls()``, ``x: cls = ...``, a loop's
    item over ``[cls(), ...]``), a parameter annotated with it (or a base of it), ``self``/``cls``
    in a method of it, of a class naming it as a base, or of one of its own bases (a mixin
    scanning ``self``), or an unannotated parameter some call of its function gives one of
    those (``register_all(app, ItemsController())``). Its methods may run without being named.
    A ``getattr(obj, key)`` on a name nothing ties to the class (a util's parameter annotated
    otherwise, or every call of it giving other objects) scans other objects: it leaves the
    class's unnamed methods unnamed. An unannotated parameter whose calls cannot be told (one
    passing ``**options``, a function handed on by name) may hold it.
    """
    named = re.compile(rf"\b{re.escape(cls.name)}\b")
    bases = {
        written.id if isinstance(written, ast.Name) else written.attr
        for base in cls.bases
        for written in [base.value if isinstance(base, ast.Subscript) else base]
        if isinstance(written, ast.Name | ast.Attribute)
    }
    holds = _Holders(named, bases, index, modules)
    for model in index.modules_holding(_LISTER_WORDS, modules):
        for node in ast.walk(model.tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called not in _ATTRIBUTE_LISTERS:
                continue
            if called == "getattr" and (
                len(node.args) < 2 or isinstance(node.args[1], ast.Constant)
            ):
                continue  # `getattr(x, "register")`: the name is written, and read as such
            subject = node.args[0]
            while (
                isinstance(subject, ast.Call)
                and isinstance(subject.func, ast.Name)
                and subject.func.id == "type"
                and subject.args
            ):
                subject = subject.args[0]  # `vars(type(ctrl))`
            if holds.expression(subject, model):
                return True
    return False


class _Holders:
    """Whether names of the package may hold one class or an object of it.

    See :func:`_scanned_by_reflection`; an unannotated parameter is followed to what its
    function's calls pass.
    """

    def __init__(
        self, named: re.Pattern[str], bases: set[str], index: PackageIndex, modules: list[str]
    ) -> None:
        self.named = named
        self.bases = bases
        self.index = index
        self.modules = modules
        #: Each module's names with the expressions bound to them, and each node's parent.
        self._maps: dict[str, tuple[dict[str, list[ast.expr]], dict[ast.AST, ast.AST]]] = {}
        #: The parameters being followed, by function and name: a call passing one on to
        #: itself (recursion) adds nothing.
        self._following: set[tuple[int, str]] = set()

    def _module_maps(
        self, model: ModuleModel
    ) -> tuple[dict[str, list[ast.expr]], dict[ast.AST, ast.AST]]:
        if model.name in self._maps:
            return self._maps[model.name]
        built: dict[str, list[ast.expr]] = {}
        parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(model.tree):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        built.setdefault(target.id, []).append(node.value)
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                built.setdefault(node.target.id, []).append(node.annotation)
            if isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                for item in ast.walk(node.target):
                    if isinstance(item, ast.Name):
                        built.setdefault(item.id, []).append(node.iter)
        self._maps[model.name] = (built, parents)
        return built, parents

    def expression(self, expression: ast.expr, model: ModuleModel) -> bool:
        """Whether ``expression``, read in ``model``, may hold the class or an object of it.

        ``ItemsController()`` or ``items.ItemsController()`` (built there); a name, as
        :meth:`name` reads it; an item of one (``controllers[0]``) or of a display (``[a, b]``).
        An attribute (``self.settings``) is another object than what holds it.
        """
        if self.named.search(ast.unparse(expression)):
            return True
        if isinstance(expression, ast.Name):
            return self.name(expression.id, expression, model)
        if isinstance(expression, ast.Subscript | ast.Starred):
            return self.expression(expression.value, model)
        if isinstance(expression, ast.List | ast.Tuple | ast.Set):
            return any(self.expression(item, model) for item in expression.elts)
        return False

    def name(self, name: str, at: ast.AST, model: ModuleModel) -> bool:
        """Whether ``name``, read at ``at`` of ``model``, may hold the class or an object of it.

        The class itself, a name bound from an expression naming it (followed through the
        names those read, once each), a parameter of a function around ``at`` annotated with it
        or a base of it, the first parameter (``self``, ``cls``) of a method of it, of a
        subclass naming it, or of one of its bases; or an unannotated parameter, by what the
        function's calls pass for it (see :meth:`_passed`).
        """
        if self.named.fullmatch(name):
            return True
        built, parents = self._module_maps(model)
        pending, seen = [name], {name}
        while pending:
            for value in built.get(pending.pop(), []):
                if self.named.search(ast.unparse(value)):
                    return True
                for inner in ast.walk(value):
                    if isinstance(inner, ast.Name) and inner.id not in seen:
                        seen.add(inner.id)
                        pending.append(inner.id)
        node = at
        while node in parents:
            node = parents[node]
            if not isinstance(node, FunctionNode):
                continue
            arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            given = next((item for item in arguments if item.arg == name), None)
            if given is None:
                continue
            owner = parents.get(node)
            if given.annotation is not None:
                written = ast.unparse(given.annotation)
                return self.named.search(written) is not None or any(
                    re.search(rf"\b{re.escape(base)}\b", written) for base in self.bases
                )
            if isinstance(owner, ast.ClassDef) and given is arguments[0]:
                return (
                    self.named.fullmatch(owner.name) is not None
                    or owner.name in self.bases
                    or any(self.named.search(ast.unparse(base)) for base in owner.bases)
                )
            return self._passed(node, name, model, parents)
        return False

    def _passed(
        self,
        function: FunctionNode,
        name: str,
        model: ModuleModel,
        parents: dict[ast.AST, ast.AST],
    ) -> bool:
        """Whether some call of ``function`` may pass an object of the class for ``name``.

        ``def register_all(app, ctrl): for n in dir(ctrl): ...`` called as
        ``register_all(app, ItemsController())``: yes; every call passing another object: no.
        A call the tool cannot read (``**options``) may pass it; a function no call names, yet
        named elsewhere (handed on as a callback), may be given it.
        """
        key = (id(function), name)
        if key in self._following:
            return False
        self._following.add(key)
        try:
            scope = _function_scope(function, model, parents)
            binding = scope.bindings.get(name)
            if binding is None or binding.kind != "param":
                return True
            arguments = _passed_arguments(self.index, self.modules)(binding)
            if arguments is None:
                return True  # a call not read: it may pass it
            if not arguments:
                return _named_elsewhere(function.name, model.name, self.index, self.modules)
            return any(self.expression(value, where.module) for value, where in arguments)
        finally:
            self._following.discard(key)


def _function_scope(
    function: FunctionNode, model: ModuleModel, parents: dict[ast.AST, ast.AST]
) -> Scope:
    """The scope of ``function``'s body, its classes and functions around it as parents."""
    around: list[ast.ClassDef | FunctionNode] = []
    node: ast.AST = function
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.ClassDef | FunctionNode):
            around.append(node)
    scope = model.scope
    for outer in reversed(around):
        scope = Scope(outer, model, scope)
    return Scope(function, model, scope)


_METHOD_KINDS = frozenset({"staticmethod", "classmethod"})


def _library_may_run(cls: ast.ClassDef, outer: Scope, index: PackageIndex) -> bool:
    """Whether code outside the package may build ``cls`` or run its methods.

    A decorator or metaclass may register it, and a library's base class may build its
    subclasses (a plugin registry) or call their methods; plain bases and the package's own
    do neither.
    """
    if cls.decorator_list or cls.keywords:
        return True
    for base in cls.bases:
        written = base.value if isinstance(base, ast.Subscript) else base
        if index.defined(written, outer) is None and (
            index.qualify(written, outer) not in _PLAIN_BASES
        ):
            return True
    return False


def _mentions(model: ModuleModel) -> dict[str, list[_Mention]]:
    """Every ``Name``, ``Attribute`` and string constant of a module, by the word it holds."""
    found: dict[str, list[_Mention]] = {}
    pending: list[_Mention] = [(model.tree, None, None)]
    while pending:
        node, parent, grandparent = pending.pop()
        word = None
        if isinstance(node, ast.Name):
            word = node.id
        elif isinstance(node, ast.Attribute):
            word = node.attr
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            word = node.value
        if word is not None:
            found.setdefault(word, []).append((node, parent, grandparent))
        pending.extend((child, node, parent) for child in ast.iter_child_nodes(node))
    return found


def _only_wired(
    key: RouterKey,
    index: PackageIndex,
    modules: list[str],
    mentions: Callable[[ModuleModel], dict[str, list[_Mention]]] = _mentions,
) -> bool:
    """Whether a module-level router or app is read only to add to it or be included.

    Each mention of it in the package (its name in its module, a name imported as it, an
    attribute of a name bound to its module, a string of its name, a name of a module
    importing everything of its module) is: a name it is bound to, the object of a call of
    :data:`_ADDING_METHODS`, or the router an ``include_router`` includes. An attribute of its
    name on anything the tool cannot tell is another app or router (``importlib.import_module(
    ...).router``, ``self.router``) counts as a mention. ``mentions``: a module's
    :func:`_mentions` (kept between routers asked).
    """
    module, name = key
    target = f"{module}.{name}"
    word = re.compile(rf"\b{re.escape(name)}\b")
    for candidate in dict.fromkeys(modules):
        source = index.source(candidate)
        if source is None or not word.search(source.text):
            continue
        model = index.module(candidate)
        if model is None:
            return False  # not parsed: what it does with the name is not known
        aliases = {local for local, bound in model.resolved_imports.items() if target in bound}
        if candidate == module or model.star_imports:
            aliases.add(name)
        held = mentions(model)
        for word_held in {name, *aliases}:
            for node, parent, grandparent in held.get(word_held, ()):
                if isinstance(node, ast.Constant):
                    if word_held == name:
                        return False  # named by a string: `getattr(spa, "router")`
                    continue
                mention = (isinstance(node, ast.Name) and node.id in aliases) or (
                    isinstance(node, ast.Attribute)
                    and node.attr == name
                    and _attribute_mentions(node, target, model, index)
                )
                if mention and not _adds_or_included(node, parent, grandparent):
                    return False
    return True


def _attribute_mentions(
    node: ast.Attribute, target: str, model: ModuleModel, index: PackageIndex
) -> bool:
    """Whether ``<value>.<name>`` may be the router or app ``target`` names.

    Yes through an import of its module; no for a name the module binds to another app or
    router (``app.router``) or imports from elsewhere; yes for anything else.
    """
    if model.refers_to(node, target):
        return True
    value = node.value
    if not isinstance(value, ast.Name):
        return True
    if value.id in model.imports_anywhere:
        return False
    binding = model.scope.lookup(value.id)
    return not (
        binding is not None
        and binding.kind == "value"
        and isinstance(binding.node, ast.expr)
        and index.expression_role(binding.node, model.scope) is not None
    )


def _adds_or_included(node: ast.AST, parent: ast.AST | None, grandparent: ast.AST | None) -> bool:
    """Whether a mention of a router or app only binds it, adds to it or includes it."""
    if isinstance(node, ast.Name | ast.Attribute) and not isinstance(node.ctx, ast.Load):
        return True
    if (
        isinstance(parent, ast.Attribute)
        and parent.attr in _ADDING_METHODS
        and isinstance(grandparent, ast.Call)
        and grandparent.func is parent
    ):
        return True
    call = parent
    if isinstance(parent, ast.keyword):
        if parent.arg != "router":
            return False
        call = grandparent
    elif not (isinstance(parent, ast.Call) and parent.args and parent.args[0] is node):
        return False
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == _INCLUDE_ROUTER
    )


def _named_elsewhere(name: str, module: str, index: PackageIndex, modules: list[str]) -> bool:
    """Whether ``name`` is written anywhere in the package besides its one definition.

    The defining module's ``class`` or ``def`` statement names it once; any other mention
    (a call, an attribute read, a string given to ``getattr``) may run it.
    """
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    for candidate in dict.fromkeys(modules):
        source = index.source(candidate)
        if source is None:
            continue
        if len(pattern.findall(source.text)) > (1 if candidate == module else 0):
            return True
    return False


# The calls loading a distribution's entry points (plugins named in packaging metadata, by
# group), by their qualified names; and the methods doing so on a plugin manager.
_ENTRY_POINT_LOADERS = frozenset(
    {
        "importlib.metadata.entry_points",
        "importlib_metadata.entry_points",
        "pkg_resources.iter_entry_points",
        "stevedore.ExtensionManager",
        "stevedore.NamedExtensionManager",
        "stevedore.DriverManager",
        "stevedore.HookManager",
        "stevedore.extension.ExtensionManager",
        "stevedore.driver.DriverManager",
    }
)
_ENTRY_POINT_METHODS = frozenset({"load_setuptools_entrypoints"})  # pluggy's
_ENTRY_POINT_WORDS = re.compile(r"entry_points|iter_entry_points|stevedore|setuptools_entrypoints")


def _entry_point_loads(index: PackageIndex, modules: list[str]) -> str | None:
    """Where the package loads entry-point plugins, as words: ``app/main.py:7 (`...`)``.

    ``for ep in entry_points(group="app.plugins"): ep.load()().setup(app)``: a class named
    only in a distribution's metadata (its own or another's) is built there. None when no
    module of the package calls one of :data:`_ENTRY_POINT_LOADERS` (or pluggy's loader).
    """
    for name in dict.fromkeys(modules):
        source = index.source(name)
        if source is None or not _ENTRY_POINT_WORDS.search(source.text):
            continue  # read only the modules that may
        model = index.module(name)
        if model is None:
            continue
        for node in ast.walk(model.tree):
            if not isinstance(node, ast.Call):
                continue
            function = node.func
            method = isinstance(function, ast.Attribute) and function.attr in _ENTRY_POINT_METHODS
            if method or index.qualify(function, model.scope) in _ENTRY_POINT_LOADERS:
                return f"{model.path}:{node.lineno} (`{ast.unparse(node)}`)"
    return None


def _in_a_branch_no_call_takes(
    call: ast.Call, scope: Scope, passed: Passed, index: PackageIndex
) -> bool:
    """Whether ``call`` sits in a branch of a function no call of that function takes.

    ``def add_all_sub_routers(router, module, prefix: bool)`` whose body runs ``if prefix:
    router.include_router(mod.router, prefix=f"/{name}") else: router.include_router(mod.router)``,
    every call passing a literal for ``prefix`` (or a module constant bound to one): each
    ``if`` around the include testing only the function's parameters is read with each call's
    arguments, as a loop's filter is read with each item. A test reading anything else, or a
    call passing anything else (or the function called nowhere), leaves the include counted:
    :func:`_branch_environments` reads it call by call.
    """
    tests = _parameter_branches(call, scope)
    if not tests:
        return False
    names = set().union(*(names_in(test, read=True) for test, _ in tests))
    calls = _per_call_values(scope, frozenset(names), passed)
    if not calls:
        return False
    for values in calls:
        kept, said = _branch_kept(tests, values, index)
        if kept is not False or said:
            return False  # this call runs the include, or may (a default said per call)
    return True


def _parameter_branches(call: ast.Call, scope: Scope) -> list[tuple[ast.expr, bool]]:
    """The ``if`` tests around ``call`` that read only parameters of its function, each branch.

    Only the tests of parameters tell calls apart (``if getattr(mod, "router", None):`` holds
    or not whatever the call): the others are left to run time.
    """
    function = scope.node
    if not isinstance(function, FunctionNode):
        return []

    def of_parameters(test: ast.expr) -> bool:
        names = names_in(test, read=True)
        return bool(names) and all(
            (binding := scope.bindings.get(name)) is not None and binding.kind == "param"
            for name in names
        )

    return [item for item in _branches_around(function.body, call) if of_parameters(item[0])]


def _per_call_values(
    scope: Scope, names: frozenset[str], passed: Passed
) -> list[LoopValues] | None:
    """What each call of the function ``scope`` passes for its parameters ``names``, together.

    One mapping per call, in the package's order; None when a call passes one of them in a
    way not known (``**options``), or the function is called nowhere.
    """
    per_name: dict[str, list[tuple[ast.expr, Scope]]] = {}
    for name in sorted(names):
        binding = scope.bindings.get(name)
        arguments = None if binding is None or binding.kind != "param" else passed(binding)
        if not arguments:
            return None
        per_name[name] = arguments
    counts = {len(arguments) for arguments in per_name.values()}
    if len(counts) != 1:
        return None
    return [
        {name: arguments[position] for name, arguments in per_name.items()}
        for position in range(counts.pop())
    ]


def _branch_kept(
    tests: list[tuple[ast.expr, bool]], values: LoopValues, index: PackageIndex
) -> tuple[bool | None, list[str]]:
    """Whether one call's arguments (``values``) take the branches ``tests`` lead to ``call``.

    With the words for each argument read as a settings (or environment) default. None when
    an argument tested is not known statically.
    """
    known: dict[str, object] = {}
    said: list[str] = []
    for name in sorted(set().union(*(names_in(test, read=True) for test, _ in tests))):
        if name not in values:
            return None, []
        argument, where = values[name]
        found = _argument_value(argument, where, index, 0)
        if found is None:
            return None, []
        known[name] = found[0]
        if found[1] is not None:
            said.append(found[1])
    taken = [_truth(test, known) for test, _ in tests]
    if any(value is None for value in taken):
        return None, said
    return all(value == wanted for value, (_, wanted) in zip(taken, tests, strict=True)), said


def _argument_value(
    argument: ast.expr, scope: Scope, index: PackageIndex, depth: int
) -> tuple[object, str | None] | None:
    """The value a call passes, when known statically; and words when it is a default.

    A literal, a name (or a class's attribute) bound once to one (``PREFIXED = True``, also
    imported), or a settings field or environment read with a literal default (the words say
    so, see :func:`~.settings.flag_default`). None for anything else.
    """
    if depth > _MAX_RUN_TIME_DEPTH:
        return None
    try:
        return ast.literal_eval(argument), None
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if isinstance(argument, ast.Name | ast.Attribute):
        binding = index.binding_of(argument, scope)
        if bound_once(binding) and isinstance(binding.node, ast.expr):
            return _argument_value(binding.node, binding.scope, index, depth + 1)
        if binding is None and isinstance(argument, ast.Attribute):
            constant = index.class_constant(argument, scope)
            if constant is not None:
                return _argument_value(constant[0], constant[1], index, depth + 1)
        if binding is not None:
            return None  # bound more than once, or a parameter: not known here
    default = flag_default(index, argument, scope)
    return None if default is None else default


def _branch_environments(
    call: ast.Call,
    scope: Scope,
    environments: list[LoopValues],
    tested: frozenset[str],
    index: PackageIndex,
    notes: "Notes",
) -> list[LoopValues]:
    """The iterations of an include whose ``if`` tests on parameters each call's arguments take.

    ``add_all_sub_routers(api, v1, PREFIXED)`` and ``add_all_sub_routers(api, v2, False)``
    over ``if prefix: include_router(mod.router, prefix=f"/{name}") else: ...``: each call's
    own iteration is kept where its arguments take the branch, and dropped where they do not.
    One whose argument is not known statically is kept (both branches may run), and said in
    one line; one read as a settings default is said too. ``tested``: the names added to the
    iterations only for these tests, left out of what is returned (the same iteration once).
    """
    tests = _parameter_branches(call, scope)
    if not tests:
        return environments
    kept: list[LoopValues] = []
    seen: set[tuple[tuple[str, int, int], ...]] = set()
    tested_at = f"{scope.module.path}:{tests[0][0].lineno}"
    condition = f"`if {ast.unparse(tests[0][0])}:` at {tested_at}"
    for values in environments:
        verdict, said = _branch_kept(tests, values, index)
        argument = next((values[name] for name in sorted(tested) if name in values), None)
        if argument is None:
            passed_at = f"{scope.module.path}:{call.lineno}"
        else:
            passed_at = f"{argument[1].module.path}:{argument[0].lineno}"
        if verdict is None and argument is not None:
            written = ", ".join(
                f"`{ast.unparse(values[name][0])}`" for name in sorted(tested) if name in values
            )
            # Once per call, for every include under the test.
            notes.once(
                f"{passed_at} {tested_at}",
                f"{passed_at}: {written}, passed for {condition}, is only known at run time: "
                "the includes under it are read as run for this call",
            )
        for words in said:
            notes.once(
                f"{passed_at} {tested_at} {words}",
                RunTimeChoice(f"{passed_at}: {words}: {condition} is read with it for this call"),
            )
        if verdict is False:
            continue
        own = {name: item for name, item in values.items() if name not in tested}
        key = tuple(sorted((name, id(item[0]), id(item[1])) for name, item in own.items()))
        if key in seen:
            continue
        seen.add(key)
        kept.append(own)
    return kept


def _branches_around(body: list[ast.stmt], call: ast.Call) -> list[tuple[ast.expr, bool]]:
    """The ``if`` tests around ``call`` in ``body`` (nested defs aside), each with its branch.

    ``True`` when the call is in the ``if``'s body, ``False`` when in its ``else``.
    """
    for statement in body:
        start = statement.lineno
        end = statement.end_lineno or start
        if not start <= call.lineno <= end or isinstance(statement, DEFINITIONS):
            continue
        if not any(node is call for node in ast.walk(statement)):
            continue
        if isinstance(statement, ast.If):
            for branch, wanted in ((statement.body, True), (statement.orelse, False)):
                if any(node is call for item in branch for node in ast.walk(item)):
                    return [(statement.test, wanted), *_branches_around(branch, call)]
            return []  # in the test itself
        return [found for inner in sub_blocks(statement) for found in _branches_around(inner, call)]
    return []


def constant_truth(
    test: ast.expr, scope: Scope, index: PackageIndex, passed: dict[str, object] | None = None
) -> bool | None:
    """Whether ``test``, read in ``scope``, holds by the constants it reads; None when not told.

    ``if not SERVE_SPA:`` with ``SERVE_SPA = False`` bound once (here or imported, see
    :func:`_argument_value`); a parameter, a settings field (set at run time, whatever its
    default) or any other expression leaves it not known. ``passed``: the values one call
    gives the function's parameters, by name (see :func:`known_value`), read as constants.
    """
    known: dict[str, object] = {}
    for name in names_in(test, read=True):
        if passed is not None and name in passed:
            known[name] = passed[name]
            continue
        found = _argument_value(ast.Name(id=name, ctx=ast.Load()), scope, index, 0)
        if found is None or found[1] is not None:
            return None
        known[name] = found[0]
    return _truth(test, known)


def known_value(argument: ast.expr, scope: Scope, index: PackageIndex) -> tuple[object] | None:
    """The value a call passes (read in ``scope``), as a 1-tuple, when known for sure.

    A literal or a constant bound once (see :func:`_argument_value`); a settings default,
    which run time may change, is not.
    """
    found = _argument_value(argument, scope, index, 0)
    return None if found is None or found[1] is not None else (found[0],)


def _truth(test: ast.expr, known: dict[str, object]) -> bool | None:
    """Whether ``test`` holds with the parameters' values ``known``; None when not told.

    Only names, literals, ``not``, ``and``/``or`` and comparisons of them are read: nothing of
    the project runs.
    """
    value = _operand(test, known)
    return None if value is _UNKNOWN else bool(value)


_UNKNOWN = object()


def _operand(node: ast.expr, known: dict[str, object]) -> object:
    """The value of a small expression of ``known`` names and literals, else ``_UNKNOWN``."""
    if isinstance(node, ast.Name):
        return known.get(node.id, _UNKNOWN)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _operand(node.operand, known)
        return _UNKNOWN if inner is _UNKNOWN else not inner
    if isinstance(node, ast.BoolOp):
        values = [_operand(value, known) for value in node.values]
        if any(value is _UNKNOWN for value in values):
            return _UNKNOWN
        if isinstance(node.op, ast.And):
            return all(values)
        return any(values)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left = _operand(node.left, known)
        right = _operand(node.comparators[0], known)
        if left is _UNKNOWN or right is _UNKNOWN:
            return _UNKNOWN
        op = node.ops[0]
        if isinstance(op, ast.Eq):
            return left == right
        if isinstance(op, ast.NotEq):
            return left != right
        if isinstance(op, ast.Is):
            return left is right
        if isinstance(op, ast.IsNot):
            return left is not right
    return _UNKNOWN


# The bases a class may have that build none of their subclasses by themselves.
_PLAIN_BASES = frozenset({"object", "abc.ABC", "typing.Generic", "typing.Protocol"})


def _class_method(cls: ast.ClassDef, method: str) -> bool:
    """Whether class ``cls`` defines ``method`` as a ``@classmethod`` (in its own body)."""
    return any(
        isinstance(item, FunctionNode) and item.name == method and is_class_method(item)
        for item in cls.body
    )


def _method_class(cls: Binding | Scope, method: str, index: PackageIndex) -> ast.ClassDef | None:
    """The class whose ``method`` an instance of ``cls`` runs: its own, or a package base's.

    ``class DemoApp(CoreApp): pass``: ``CoreApp`` for ``include_router``; None when no class
    of the package defines it (a library's base may).
    """
    if isinstance(cls, Scope):
        if not isinstance(cls.node, ast.ClassDef) or cls.parent is None:
            return None
        cls = Binding("class", cls.node.name, cls.parent, cls.node)
    for found in index.lineage(cls):
        node = found.node
        if isinstance(node, ast.ClassDef) and any(
            isinstance(item, FunctionNode) and item.name == method for item in node.body
        ):
            return node
    return None


def _an_app_class(class_scope: Scope, index: PackageIndex) -> bool:
    """Whether a class of the package builds apps or routers (a subclass of FastAPI's own).

    One defined in a function is taken as one: which it derives from is not followed there.
    """
    cls = class_scope.node
    assert isinstance(cls, ast.ClassDef)
    if class_scope.parent is None or class_scope.parent.parent is not None:
        return True
    return index.class_role(f"{class_scope.module.name}.{cls.name}")[0] is not None


def _an_instance(
    receiver: ast.expr, scope: Scope, class_scope: Scope, index: PackageIndex, method: str
) -> bool | None:
    """Whether ``receiver`` runs ``method`` of the class of ``class_scope``; None: not known.

    ``self`` in a method of the class, a name bound to a call of the class (``server =
    Server()``, also imported) or of a subclass of the package not overriding ``method``, or
    the call itself do, and a call of a function of the package annotated to return one
    (``get_server() -> Server``); what another function returns, or an instance of a subclass
    overriding it, is not known; anything else the package binds does not.
    """
    cls = class_scope.node
    assert isinstance(cls, ast.ClassDef)
    if isinstance(receiver, ast.Name) and receiver.id == instance_parameter(scope):
        return scope.parent is not None and scope.parent.node is cls
    if (
        isinstance(receiver, ast.Attribute)
        and isinstance(receiver.value, ast.Name)
        and receiver.value.id == instance_parameter(scope)
        and scope.parent is not None
    ):
        # `self.app.include_router(...)`: what the methods of its class assign it.
        told = {
            _an_instance(value, where, class_scope, index, method)
            for value, where in instance_assignments(scope.parent, receiver.attr, scope.module)
        }
        return told.pop() if len(told) == 1 else None
    if isinstance(receiver, ast.Name):
        # `for config in ROUTERS: config.include(app)` over instances written out in the code.
        environments = loop_values(receiver, scope, index)
        if environments and all(receiver.id in values for values in environments):
            told = {
                _an_instance(*values[receiver.id], class_scope, index, method)
                for values in environments
            }
            return told.pop() if len(told) == 1 else None
    built: ast.AST | None = receiver
    if not isinstance(receiver, ast.Call):
        binding = index.binding_of(receiver, scope)
        if binding is None or binding.kind == "param":
            return None
        binding = unwrapped(binding)
        if binding.kind != "value" or not bound_once(binding):
            return False
        built, scope = binding.node, binding.scope
    if not isinstance(built, ast.Call):
        return False
    target = index.defined(built.func, scope)
    if target is not None and target.kind == "function":
        # `get_server()`: an instance when annotated to return one (`-> Server`).
        function = target.node
        assert isinstance(function, FunctionNode)
        returned = (
            None if function.returns is None else index.defined(function.returns, target.scope)
        )
        return True if returned is not None and returned.node is cls else None
    if target is None or target.kind != "class":
        return False
    if _method_class(target, method, index) is cls:
        return True
    # An instance of a subclass overriding the method: not followed.
    qualified = f"{class_scope.module.name}.{cls.name}"
    return None if index.derives_from(target, qualified.__eq__) else False


def _calls_named(
    name: str, index: PackageIndex, modules: list[str]
) -> Iterator[tuple[ast.Call, Scope]]:
    """The package's calls ``name(...)`` and ``<x>.name(...)``, each with its scope.

    Only the modules whose text holds ``name`` are read.
    """
    for model in index.modules_holding(name, modules):
        yield from method_calls(model, name, names=True)


def _subclassed(name: str, index: PackageIndex, modules: list[str]) -> bool:
    """Whether a class of the package names ``name`` (or ``<x>.name``) among its bases.

    Read by the name only: a subclass of another class of that name is taken as one too.
    """
    for model in index.modules_holding(name, modules):
        for node in model.nodes_near([name]):
            if isinstance(node, ast.ClassDef) and _names_as_base(node, name):
                return True
    return False


def _names_as_base(cls: ast.ClassDef, name: str) -> bool:
    """Whether ``cls`` names ``name`` (or ``<x>.name``) among its bases."""
    return any(
        (base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)) == name
        for base in cls.bases
    )


def _subclass_names(name: str, index: PackageIndex, modules: list[str]) -> list[str]:
    """``name`` and the names of the package's classes deriving from a class so named.

    Read by the names only, as :func:`_subclassed` does; each call found is then told by the
    class it builds.
    """
    names = [name]
    for known in names:
        if len(names) > _MAX_SUBCLASSES:
            break
        for model in index.modules_holding(known, modules):
            for node in model.nodes_near([known]):
                if (
                    isinstance(node, ast.ClassDef)
                    and node.name not in names
                    and _names_as_base(node, known)
                ):
                    names.append(node.name)
    return names


# How many classes deriving from a wrapper its constructor's calls are looked for under.
_MAX_SUBCLASSES = 8


def _instantiations(
    class_scope: Scope, index: PackageIndex, modules: list[str]
) -> list[tuple[ast.Call, Scope]]:
    """The package's calls of a class, as calls of its ``__init__`` (``self`` put first).

    ``App(container, [users.router])`` passes ``[users.router]`` for ``routers`` of ``def
    __init__(self, container, routers)``: each call is given a placeholder for ``self``, so that
    its arguments sit where the method's parameters do.
    """
    cls = class_scope.node
    assert isinstance(cls, ast.ClassDef)
    found: list[tuple[ast.Call, Scope]] = []
    # A subclass keeping the constructor (`class DemoApp(CoreApp): ...`) runs it too.
    calls = (
        call
        for name in _subclass_names(cls.name, index, modules)
        for call in _calls_named(name, index, modules)
    )
    for call, scope in calls:
        target = index.binding_of(call.func, scope)
        if (
            target is None
            or target.kind != "class"
            or _method_class(target, _INIT, index) is not cls
        ):
            continue
        placeholder = ast.copy_location(ast.Constant(None), call)
        written = ast.Call(call.func, [placeholder, *call.args], call.keywords)
        found.append((ast.copy_location(written, call), scope))
    return found


def _passed_arguments(index: PackageIndex, modules: list[str]) -> Passed:
    """What the package's calls of a function pass for a parameter (see ``loops.Passed``).

    A call passing nothing for it passes the parameter's default, evaluated where the function
    is defined; one that may pass it in ``**options``, or a required one it does not pass, is
    not known.
    """

    def passed(parameter: Binding) -> list[tuple[ast.expr, Scope]] | None:
        found: list[tuple[ast.expr, Scope]] = []
        for call, call_scope in _calls_of(parameter.scope, index, modules):
            argument = passed_for(call, call_scope, parameter)
            if argument is None:
                return None
            found.append(argument)
        return found

    return passed


def _passed_string(
    expression: ast.expr,
    scope: Scope,
    index: PackageIndex,
    modules: list[str],
    defaults: SettingsDefaults,
    values: LoopValues | None = None,
) -> str | None:
    """An include prefix read from the parameters of the function making the call.

    ``def build_api_router(*, v1_prefix: str): ...; router.include_router(v1, prefix=v1_prefix)``
    called as ``build_api_router(v1_prefix=settings.API_V1_STR)``: the value every call of the
    function in the package passes, when they all pass the same one known statically. The
    names of the loops around the call read their ``values``.
    """
    looped = values or {}
    parameters = [
        binding
        for node in ast.walk(expression)
        if isinstance(node, ast.Name)
        and node.id not in looped
        and (binding := scope.bindings.get(node.id)) is not None
        and binding.kind == "param"
    ]
    calls = _calls_of(scope, index, modules) if parameters else []
    found: set[str | None] = set()
    for call, call_scope in calls:
        passed: LoopValues = dict(looped)
        for parameter in parameters:
            argument = passed_for(call, call_scope, parameter)
            if argument is None:
                return None  # required, or maybe in **options: not known
            passed[parameter.name] = argument
        found.add(loop_string(expression, scope, passed, index, defaults))
    return found.pop() if len(found) == 1 else None


def _instance_strings(
    expression: ast.expr,
    scope: Scope,
    index: PackageIndex,
    modules: list[str],
    defaults: SettingsDefaults,
) -> ast.expr:
    """``expression`` with each ``self.<attribute>`` a method's parameter sets read as a string.

    ``def __init__(self, app, prefix="/api/v1"): self.prefix = prefix``, then
    ``prefix=self.prefix + path`` in another method: the attribute, assigned once, holds what
    every instantiation passes for the parameter (or its default), when they all agree (see
    :func:`_passed_string`). Other attributes stay as written.
    """
    owner = instance_parameter(scope)
    if owner is None or scope.parent is None or not scope.parent.is_class:
        return expression
    class_scope: Scope = scope.parent

    class _Attributes(ast.NodeTransformer):
        def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
            if isinstance(node.value, ast.Name) and node.value.id == owner:
                assigned = instance_assignments(class_scope, node.attr, scope.module)
                value, where = assigned[0] if len(assigned) == 1 else (node, scope)
                if isinstance(value, ast.Name):
                    parameter = where.bindings.get(value.id)
                    string = (
                        _passed_string(value, where, index, modules, defaults)
                        if parameter is not None and parameter.kind == "param"
                        else None
                    )
                    if string is not None:
                        return ast.Constant(string)
            self.generic_visit(node)
            return node

    replaced = _Attributes().visit(copy.deepcopy(expression))
    assert isinstance(replaced, ast.expr)
    return replaced


def _module_mounts(
    index: PackageIndex,
    model: ModuleModel,
    modules: list[str],
    defaults: SettingsDefaults,
    notes: "Notes",
    unresolved: list[Unresolved],
) -> list[tuple[RouterKey, Mount]]:
    """The module's ``include_router`` calls, by the router each includes.

    An include prefix read as a settings class's default, or not known statically, goes in
    ``notes``, as a line naming the call; a call whose router is not followed, in
    ``unresolved`` (with whether it is made on an app, and whether a library's function
    returns the router).
    """
    found: list[tuple[RouterKey, Mount]] = []
    for call, scope in maps_run_in_part(model, _INCLUDE_ROUTER):
        # `next(map(app.include_router, ROUTERS))`: which of them, only known at run time.
        function = ast.unparse(call.func)
        how = f"it calls `{function}` only for the items something iterates it for"
        where = f"{model.path}:{call.lineno}"
        _run_time_include(
            call, f"map({function}, ...)", how, where, scope, index, notes, unresolved
        )
    lazy = lazy_calls(model, _INCLUDE_ROUTER)
    own: list[tuple[ast.Call, Scope]] = []
    for call, scope in method_calls(model, _INCLUDE_ROUTER):
        if id(call) not in lazy:
            own.append((call, scope))
        elif lazy[id(call)]:
            # `next(app.include_router(r) for r in ROUTERS)`: a generator made in part.
            how = "a generator makes the call only for the items something iterates it for"
            where = f"{model.path}:{call.lineno}"
            written = ast.unparse(call)
            _run_time_include(call, written, how, where, scope, index, notes, unresolved)
    calls = [
        *((call, scope, False) for call, scope in own),
        *((call, scope, False) for call, scope in aliased_calls(model, _INCLUDE_ROUTER)),
        *((call, scope, False) for call, scope in mapped_calls(model, _INCLUDE_ROUTER)),
        *((call, scope, True) for call, scope in route_copies(model)),
        *((call, scope, False) for call, scope in library_includes(model, index)),
    ]
    passed = _passed_arguments(index, modules)
    spelled = [
        # `for route in ROUTES: app.include_router(**route)`: one call per dict item.
        (call, keep, scope, copied)
        for written, scope, copied in calls
        for call, keep in dict_keywords(_spelled_keywords(written), scope, index, passed)
    ]
    for call, keep, scope, copied in spelled:
        if _on_a_replaced_object(call, scope) or _runs_a_package_method(call, scope, index):
            continue
        unused = _in_a_class_never_built(scope, index, modules)
        if unused is not None:
            # `class Plugin: def setup(self, app): app.include_router(...)`, unused; unless
            # the package loads entry-point plugins, which may name it from outside the code.
            plugins = _entry_point_loads(index, modules)
            if plugins is not None:
                where = f"{model.path}:{call.lineno}"
                defined = f"{model.path}:{unused.lineno}"
                notes.once(
                    f"{defined} entry points",
                    f"{defined}: `{unused.name}` is built by no code of the package, and "
                    f"{plugins} loads entry-point plugins, which the tool cannot follow: the "
                    "includes its methods make are not followed",
                )
                written = ast.unparse(_included_router(call) or call)
                unresolved.append(Unresolved(False, False, f"`{written}` at {where}"))
            continue
        if _in_a_branch_no_call_takes(call, scope, passed, index):
            continue  # `if prefix: ... else: router.include_router(r)`, every call passing True
        if _in_a_method_never_called(scope, index, modules) is not None:
            continue  # `def register(self, app): app.include_router(...)`, called by nothing
        included = _included_router(call)
        where = f"{model.path}:{call.lineno}"
        if included is None:
            unresolved.append(Unresolved(False, False, f"`{ast.unparse(call)}` at {where}"))
            continue
        prefix = next((item.value for item in call.keywords if item.arg == "prefix"), None)
        # `app.include_router(router, **options)`: the options may hold a prefix.
        unpacked = next((item.value for item in call.keywords if item.arg is None), None)
        routing = _routing_part(call, included, prefix)
        # A helper's parameters read by themselves (`def include(app, router, prefix):
        # app.include_router(router, prefix=prefix)`) take each call's arguments together.
        alone = frozenset(part.id for part in routing.elts if isinstance(part, ast.Name))
        # `def include_router(package, parent): ... iter_modules(package.__path__) ...
        # parent.include_router(module.router)`: each call lists its own package for its router.
        listing = (
            _listing_parameters(scope, index) | _imported_parameters(included, scope, index)
            if _imported_at_run_time(included, scope, index, 0)
            else frozenset()
        )
        # `if prefix:` around it, `prefix` a parameter: each call's argument, read per call.
        tested = frozenset(
            name for test, _ in _parameter_branches(call, scope) for name in names_in(test)
        )
        extra = tested - alone - listing
        environments = loop_values(routing, scope, index, passed, alone | listing | tested)
        if environments is not None and tested:
            environments = _branch_environments(call, scope, environments, extra, index, notes)
        for said in _switched_off_around(call, included, scope, index, defaults):
            notes.append(RunTimeChoice(f"{where}: {said}"))  # repeats: dropped in find_mounts
        for said in settings_lists_around(call, scope, index, LOOP_ROUTERS):
            # Its routers are read from the default, as the loop runs without the variable.
            notes.once(said, RunTimeChoice(f"{where}: {said}"))
        if environments is not None and listing:
            # Its own call on each listed subpackage is read as a listing of subfolders too.
            recursing = _recursing_listing(scope, index, modules) & listing
            environments = [
                values
                for values in environments
                if not any(
                    values[name][1].node is scope.node for name in recursing if name in values
                )
            ]
        if environments is not None:
            # A dict item is no router (`include_router(route)` of one raises): a loop over
            # dicts and routers tells them apart before; its `**route` calls include the dicts.
            environments = [
                values
                for values in environments
                if keep(values) and not _a_dict(included, scope, values, index)
            ]
        if environments is None:
            # `for r in routers: router.include_router(r)` over a list a folder listing's loop
            # fills (`routers.append(getattr(module, "router"))`): the routers it appends.
            # Or over a generator of the package yielding them (`for r in get_routers():`).
            items = _appended_in_loops(included, scope, index)
            items += _yielded_in_loop(included, scope, index)
            collected = [
                mount
                for item, read_in in items
                for mount in _discovered_mounts(
                    call, item, scope, {}, index, modules, defaults, notes, copied, read_in
                )
            ]
            if collected:
                found.extend(collected)
                continue
            known = loop_values(included, scope, index, passed)
            if known is None and _imported_at_run_time(included, scope, index, 0):
                # `for name, module in modules:` over a comprehension importing each listed
                # module: read as the listing's own loop (see `_comprehension_item`), once per
                # call of the function around it passing the package listed.
                known = _per_call_values(scope, listing | tested, passed) or [{}]
                if tested:
                    extra = tested - listing
                    known = _branch_environments(call, scope, known, extra, index, notes)
                    if not known:
                        continue  # no call takes the branch (by default): said there
            if known is not None:
                known = [values for values in known if keep(values)]
            if known is None:
                written = ast.unparse(included)
                if written == MAPPED_ITEM:
                    written = "each item"  # of a list spread or mapped into the call
                by_app = _by_an_app(call, scope, {}, index)
                unresolved.append(Unresolved(by_app, False, f"`{written}` at {where}"))
            if known is not None and prefix is None and unpacked is None:
                # `for name, module in modules: router.include_router(module.router)` over a
                # comprehension importing each listed module: each listed module's router.
                start = len(found)
                for values in known:
                    args = (call, included, scope, values, index, modules, defaults, notes, copied)
                    mount = _mount(*args)
                    found.extend([mount] if mount is not None else _discovered_mounts(*args))
                if len(found) > start:
                    continue
            if known is not None and prefix is not None:
                # `for prefix in prefixes(): app.include_router(router, prefix=prefix)`: the
                # router is known, the prefixes it is served under are not.
                followed = False
                told: list[bool] = []
                start = len(found)
                for values in known:
                    read = len(defaults.read)
                    args = (call, included, scope, values, index, modules, defaults, notes, copied)
                    mount = _mount(*args)
                    each = [mount] if mount is not None else _discovered_mounts(*args, told=told)
                    del defaults.read[read:]
                    for item in each:
                        followed = True
                        found.append((item[0], dataclasses.replace(item[1], prefix=None)))
                if followed and told and all(told) and len(told) == len(found) - start:
                    # `for name in os.listdir(folder): ... prefix=f"/api/{name}"`: each listed
                    # entry's own prefix, as the listing names it.
                    found[start:] = [
                        mount
                        for values in known
                        for mount in _discovered_mounts(
                            call, included, scope, values, index, modules, defaults, notes, copied
                        )
                    ]
                    if any(mount[1].prefix is None for mount in found[start:]):
                        # A prefix the entry does not tell (`f"/{name[:-3]}"`): said, not lost.
                        notes.append(_unknown_prefix(where, prefix, included, defaults))
                    continue
                if followed or not _imported_at_run_time(included, scope, index, 0):
                    notes.append(_unknown_prefix(where, prefix, included, defaults))
                    continue
                # `for name in settings.APPS: module = import_module(f"apps.{name}.routes")`:
                # neither the routers nor their prefixes are known; they may be any module's.
                written = ast.unparse(included)
                by_app = _by_an_app(call, scope, {}, index)
                unresolved.append(Unresolved(by_app, False, f"`{written}` at {where}"))
            if prefix is not None:
                # A loop over items only known at run time: which routers is not known.
                notes.append(
                    f"{where}: the routers this loop includes are only known at run time: "
                    f"their routes are logged without its prefix `{ast.unparse(prefix)}`"
                )
            elif not _by_an_app(call, scope, {}, index):
                # Into a router: which routers, not known; they lose where it is served.
                notes.append(
                    f"{where}: the routers this loop includes are only known at run time: "
                    f"their routes are logged without the prefixes {_served_under(call)}"
                )
            continue
        unknown = False
        # The arguments a helper's calls pass for the parameters of an unknown prefix.
        passed_unknown: list[str] = []
        for values in environments:
            read = len(defaults.read)
            args = (call, included, scope, values, index, modules, defaults, notes, copied)
            mount = _mount(*args)
            discovered = [] if mount is not None else _discovered_mounts(*args)
            if (
                mount is None
                and not discovered
                and (prefix is not None or not _by_an_app(call, scope, values, index))
                and _imported_at_run_time(included, scope, index, 0)
            ):
                # `importlib.import_module(...)` over a folder: which routers, not known.
                lost = "this call adds" if prefix is not None else _served_under(call)
                notes.append(
                    f"{where}: `{ast.unparse(included)}` is a router of a module imported at run "
                    "time: the routes of the routers it stands for are logged without the "
                    f"prefixes {lost}"
                )
            candidates: list[tuple[RouterKey, Mount] | None] = [*discovered] or [mount]
            around = (included, scope, values, index)
            for mount in candidates:
                if mount is not None and mount[1].prefix is not None:
                    for default in defaults.read[read:]:
                        # Once, where it is first read (a router including many reads it for each).
                        said = default.describe()
                        at = _default_read_at(default, where, prefix, scope, values)
                        notes.once(said, f"{at}: prefix {said}")
                elif mount is not None and (prefix is not None or unpacked is not None):
                    unknown = True
                    passed_unknown.extend(_passed_for_prefix(prefix, scope, values))
                outside = None if mount is not None else _outside_router(*around)
                outside = outside or _library_router(*around)
                if outside is not None:
                    notes.once(f"{where}: {outside}", OutsideRouter(f"{where}: {outside}"))
                absent = None if mount is not None else _absent_router(*around)
                if absent is not None:
                    notes.once(f"{where}: {absent[0]}", f"{where}: {absent[0]}")
                    if absent[1]:
                        continue  # holds none of the project's routers: no other may be its
                if mount is None:
                    by_app = _by_an_app(call, scope, values, index)
                    library = library_call(included, scope, index)
                    unresolved.append(
                        Unresolved(by_app, library, f"`{ast.unparse(included)}` at {where}")
                    )
                if mount is not None:
                    found.append(mount)
                    alias = (
                        None
                        if discovered
                        else _factory_alias(included, scope, values, index, mount[0])
                    )
                    if alias is not None and alias not in found:
                        found.append(alias)
                    if mount[1].parent is not None and mount[1].parent_prefix is None:
                        assert isinstance(call.func, ast.Attribute)
                        including = ast.unparse(call.func.value)
                        notes.append(
                            f"{where}: the prefix of `{including}` is only known at run time: the "
                            f"routes of `{ast.unparse(included)}` are logged without it"
                        )
            del defaults.read[read:]
        if unknown and prefix is not None and not _given_no_declared_route(included, scope):
            notes.append(_unknown_prefix(where, prefix, included, defaults, passed_unknown))
        elif unknown and unpacked is not None:
            notes.append(
                f"{where}: `**{ast.unparse(unpacked)}` may pass a prefix only known at run time: "
                f"the routes of `{ast.unparse(included)}` are logged without it"
            )
    return found


def _given_no_declared_route(included: ast.expr, scope: Scope) -> bool:
    """Whether ``included`` is a function's own router that no route of the package is declared on.

    A class-based-view helper copied from fastapi-utils (mealie's ``controller``) builds
    ``cbv_router = APIRouter()``, fills ``cbv_router.routes`` at run time with routes declared
    on another router, and includes it with ``prefix=cbv_prefix``: read only through
    ``.routes`` and in the include, it holds no route logged under that prefix.
    """
    if not (isinstance(included, ast.Name) and isinstance(scope.node, FunctionNode)):
        return False
    binding = scope.bindings.get(included.id)
    if binding is None or binding.kind != "value" or not isinstance(binding.node, ast.Call):
        return False
    reads = 0
    through_routes = 0
    for node in ast.walk(scope.node):
        if isinstance(node, ast.Name) and node.id == included.id:
            reads += isinstance(node.ctx, ast.Load)
        elif isinstance(node, ast.Attribute) and node.attr == _ROUTES:
            through_routes += _names_variable(node.value, included.id)
    return reads == through_routes + 1  # the include itself


def _names_variable(expression: ast.expr, name: str) -> bool:
    return isinstance(expression, ast.Name) and expression.id == name


def _routes_into(source_text: str) -> bool:
    """Whether a module's text may include a router or mount an app (see :func:`find_mounts`).

    Copying a router's routes (``api.routes.extend(other.routes)``) counts as including it.
    """
    return (
        _INCLUDE_ROUTER in source_text
        or f".{_ROUTES}" in source_text
        or may_mount(source_text)
        or _LIBRARY_INCLUDE.search(source_text) is not None
    )


#: A call of a method that may be a library's include (see :func:`~.names.library_include`).
_LIBRARY_INCLUDE = re.compile(r"\.\w*include_\w*routers?\(")


def may_mount(source_text: str) -> bool:
    """Whether a module's text may mount an app (see :func:`mount_calls`).

    ``.mount``, ``.host(``, or Starlette's ``Mount(`` among a constructor's routes (a module
    mounting its API so, and doing nothing else of the kind, was passed over). ``.mount``, not
    ``mount``: many modules say ``amount``, few mount an app.
    """
    return (
        f".{_MOUNT}" in source_text
        or f".{_HOST}(" in source_text
        or f"{_MOUNT_CLASS}(" in source_text
    )


def _imported_outside(index: PackageIndex, modules: list[str]) -> list[str]:
    """The modules outside ``modules`` that they import and that may include their routers.

    An app whose module passes it to a helper of a package beside the app package
    (``config/routers.py`` including every app's routers) has its routers served there: the
    helper's calls count as the package's own. Only the backend folder's modules are read (a
    library is none), up to :data:`_IMPORT_HOPS` imports away; test folders and the generated
    layer are left out. Imports are read from the text (no module is parsed for this).
    """
    known = set(modules)
    found: list[str] = []
    frontier = list(modules)
    for _ in range(_IMPORT_HOPS):
        reached: list[str] = []
        for name in frontier:
            source = index.source(name)
            if source is None or "import" not in source.text:
                continue
            # Relative imports stay inside the importing module's package, read already.
            for candidate in modules_imported(source.text, None):
                if candidate in known or _TEST_FOLDERS.intersection(candidate.split(".")):
                    continue
                known.add(candidate)
                imported = index.source(candidate)
                if imported is None or imported.name != candidate or _generated(imported.text):
                    continue  # a library, a name not a module, or one read under another name
                reached.append(candidate)
                if _routes_into(imported.text):
                    found.append(candidate)
        frontier = reached
    return found


def _generated(text: str) -> bool:
    """Whether a module is one the tool wrote (its do-not-edit header)."""
    return text.startswith("".join(f"# {line}\n" for line in GENERATED_HEADER))


_VERSIONED = "VersionedFastAPI"
#: The versioning calls by the name they are called by, each with its qualified names.
_VERSIONERS = {_VERSIONED: VERSIONED_APP_FUNCTIONS, IN_PLACE_VERSIONER: IN_PLACE_VERSIONERS}
_VERSIONER_NAMES = VERSIONED_APP_FUNCTIONS | IN_PLACE_VERSIONERS


def _versionings(
    model: ModuleModel,
    index: PackageIndex,
    modules: list[str],
    notes: "Notes",
    included: dict[RouterKey, list[Mount]],
) -> Iterator[tuple[RouterKey, Versioning]]:
    """The module's ``VersionedFastAPI(app, ...)`` and ``Versionizer(app=app, ...)`` calls.

    By the app of the package each takes. The app may be a function's parameter (``def
    versioned(application): return VersionedFastAPI(application)``): the one every call of the
    function passes. A prefix format only known at run time goes in ``notes``; so does the line
    saying that a route is served under later versions' prefixes too (and the latest one's), not
    only the logged one, and the one saying FastAPI 0.137 or later makes ``VersionedFastAPI``
    fail on an app ``included`` says includes a router.
    """
    for call, taken, scope, in_place in _versioned_calls(model):
        binding = index.binding_of(taken, scope)
        rebinding = binding is not None and binding.node is call
        if binding is not None and rebinding:
            binding = unwrapped(binding)  # `app = VersionedFastAPI(app)`: the app before
        app = app_of(binding, index, modules)
        if app is None:
            continue
        where = f"{model.path}:{call.lineno}"
        name = IN_PLACE_VERSIONER if in_place else _VERSIONED
        # Versionizer(app, prefix_format, semantic_version_format, default_version, latest_prefix)
        # and VersionedFastAPI(app, version_format, prefix_format, default_version, enable_latest).
        at = 1 if in_place else 2
        written = call_argument(call, at, "prefix_format")
        prefix_format = (
            "/v{major}_{minor}" if written is None else index.string_value(written, scope)
        )
        if prefix_format is None:
            notes.append(
                f"{where}: `{name}`'s prefix_format is only known at run time: the "
                "routes it serves are logged without their version prefix"
            )
        default_written = call_argument(call, at + 1, "default_version")
        default = (1, 0) if default_written is None else _version_tuple(default_written)
        latest = call_argument(call, at + 2, "latest_prefix" if in_place else "enable_latest")
        off = latest is None or (isinstance(latest, ast.Constant) and latest.value in (None, False))
        latest_path = "/latest"
        if in_place and latest is not None:
            latest_path = index.string_value(latest, scope) or "its latest prefix"
        also = "" if off else f", and so does {latest_path}"
        notes.append(
            f"{where}: `{name}` serves the routes of `{ast.unparse(taken)}` under a "
            "prefix for each version: each is logged under its own version's (a later version "
            f"serves it too unless it declares it again{also})"
        )
        if not in_place and any(m.app == app for found in included.values() for m in found):
            # fastapi-versioning 0.10 (its last release) reads each entry of `app.routes` as a
            # route (`.endpoint`, `.methods`); FastAPI 0.137 keeps an included router as one
            # entry of its own, so the app fails to start there.
            notes.append(
                f"{where}: `{_VERSIONED}` raises AttributeError at start with FastAPI 0.137 or "
                f"later, where a router `{ast.unparse(taken)}` includes is one entry of its "
                "`routes`, no route: its routes are logged under the version prefixes it "
                "serves with FastAPI 0.136 and earlier"
            )
        if not (rebinding or in_place) and _passed_on(call, scope):
            # `handler = Mangum(VersionedFastAPI(app))`: the telemetry router can only be
            # included in `app`, whose routes the versioned app serves under version prefixes.
            first = Versioning(name, where, (0, 0), 0, False, prefix_format, default).prefix(None)
            under = f" ({first}/... first)" if first else ""
            notes.append(
                f"{where}: the app `{name}` builds from `{ast.unparse(taken)}` has no name the "
                f"telemetry router can be included in: included in `{ast.unparse(taken)}`, "
                f"the telemetry API answers under each version's prefix{under}, not at the "
                f"root; bind it to a name (`{ast.unparse(taken)} = {name}(...)`) to serve it there"
            )
        site = (id(scope.node), call.lineno)
        yield (
            app,
            Versioning(
                name,
                where,
                site,
                call.end_lineno or call.lineno,
                rebinding or in_place,
                prefix_format,
                default,
            ),
        )


def _passed_on(call: ast.Call, scope: Scope) -> bool:
    """Whether ``call``'s result is passed to another call: ``Mangum(VersionedFastAPI(app))``."""
    return any(
        isinstance(node, ast.Call)
        and any(argument is call for argument in [*node.args, *(k.value for k in node.keywords)])
        for node in ast.walk(scope.node)
    )


def _versioned_calls(model: ModuleModel) -> Iterator[tuple[ast.Call, ast.expr, Scope, bool]]:
    """Each versioning call of a module, the app it takes, its scope, and whether in place.

    ``VersionedFastAPI(<app>, ...)`` returns a new app; ``Versionizer(app=<app>, ...)`` versions
    the app it takes in place. Called by any name that imports one (``Versionizer as V``).
    """
    for word, functions in _VERSIONERS.items():
        aliases = imported_names(model, functions)
        if word not in model.text and not aliases:
            continue
        for name in sorted(aliases | {word}):
            for call, scope in method_calls(model, name, names=True):
                taken = call_argument(call, 0, "app")
                if taken is not None and versioner_of(call, scope) == word:
                    yield call, taken, scope, word == IN_PLACE_VERSIONER


def _modules_naming(
    index: PackageIndex, modules: list[str], words: set[str], functions: Collection[str]
) -> list[ModuleModel]:
    """Those of ``modules`` that may call one of ``functions`` (qualified), in their order.

    Their text names one of ``words`` (the names the functions are called by), or a name a
    module found so imports one by (``from app.core.mcp import mcp_for`` after ``core/mcp.py``
    does ``from fastapi_mcp import FastApiMCP as mcp_for``): an import of a re-export names what
    the re-exporting module binds. Only those are parsed: most modules name none.
    """
    found: dict[str, ModuleModel] = {}
    words = set(words)
    learned = True
    while learned:
        learned = False
        for name in modules:
            source = index.source(name)
            if name in found or source is None or not any(word in source.text for word in words):
                continue
            model = index.module(name)
            if model is not None:
                found[name] = model
                aliases = imported_names(model, functions) - words
                learned = learned or bool(aliases)
                words |= aliases
    return [found[name] for name in modules if name in found]


def imported_names(model: ModuleModel, functions: Collection[str]) -> set[str]:
    """The names ``model`` imports one of ``functions`` (qualified) by, in any of its scopes.

    Followed through the package's re-exports (``ModuleModel.resolved_imports``): ``from
    app.core import mcp_for as M`` when ``app/core`` imports ``FastApiMCP as mcp_for``.
    """
    return {
        name for name, bound in model.resolved_imports.items() if not bound.isdisjoint(functions)
    }


def versioner_of(call: ast.Call, scope: Scope) -> str | None:
    """The versioning wrapper ``call`` makes (``VersionedFastAPI``, ``Versionizer``), else None.

    By the qualified name its callee imports in ``scope``: a class or function of the user's
    own that happens to share the name is none.
    """
    qualified = PackageIndex.qualify_resolved(call.func, scope)
    return next((word for word, functions in _VERSIONERS.items() if qualified in functions), None)


def versioned_apps(model: ModuleModel, index: PackageIndex) -> Iterator[tuple[ast.expr, Scope]]:
    """The apps a module hands to ``VersionedFastAPI`` under another name than its result's.

    ``api = VersionedFastAPI(app)``: ``app`` is served through ``api``, as a mounted app is.
    """
    for call, taken, scope, in_place in _versioned_calls(model):
        binding = index.binding_of(taken, scope)
        if not in_place and binding is not None and binding.node is not call:
            yield taken, scope


def _version_tuple(written: ast.expr) -> Version | None:
    """``(2, 1)`` written as a literal tuple (or list) of one or two ints, else None."""
    if not isinstance(written, ast.Tuple | ast.List):
        return None
    numbers = [_integer(item) for item in written.elts]
    if not 1 <= len(numbers) <= 2 or None in numbers:
        return None
    major, minor = (*numbers, 0)[:2]
    assert major is not None and minor is not None
    return major, minor


def _integer(written: ast.expr | None) -> int | None:
    if isinstance(written, ast.Constant) and type(written.value) is int:
        return written.value
    return None


def _route_class_version(
    owner: tuple[ast.expr, Scope] | None, index: PackageIndex
) -> tuple[bool, Version | None] | None:
    """The version a router's route class gives each route declared on it, None if it gives none.

    ``APIRouter(route_class=versioned_api_route(1, 1))`` (or a name bound once to that call):
    its routes are served as version 1.1, whatever their ``@version``: the route class sets it
    when the route is made, after the decorator. (False, None) when its arguments are not known.
    """
    if owner is None:
        return None
    binding = index.binding_of(*owner)
    built = call_bound_once(binding)
    if built is None or binding is None:
        return None
    scope = binding.scope
    route_class = next((item.value for item in built.keywords if item.arg == "route_class"), None)
    if isinstance(route_class, ast.Name):
        held = index.binding_of(route_class, scope)
        route_class = call_bound_once(held)
        scope = scope if held is None else held.scope
    if not (
        isinstance(route_class, ast.Call)
        and index.qualify_resolved(route_class.func, scope) in VERSIONED_ROUTE_CLASSES
    ):
        return None
    written_major = call_argument(route_class, 0, "major")
    written_minor = call_argument(route_class, 1, "minor")
    # The factory's defaults: version 1.0.
    major = 1 if written_major is None else _integer(written_major)
    minor = 0 if written_minor is None else _integer(written_minor)
    if major is None or minor is None:
        return False, None
    return True, (major, minor)


def _handler_version(handler: Scope | None, index: PackageIndex) -> tuple[bool, Version | None]:
    """A handler's ``@version(major, minor=0)``: (known, version); version None without one."""
    function = None if handler is None else handler.node
    if handler is None or not isinstance(function, FunctionNode):
        return True, None
    for decorator in function.decorator_list:
        if not (
            isinstance(decorator, ast.Call)
            and index.qualify_resolved(decorator.func, handler) in VERSION_DECORATORS
        ):
            continue
        major = _integer(call_argument(decorator, 0, "major"))
        written_minor = call_argument(decorator, 1, "minor")
        minor = 0 if written_minor is None else _integer(written_minor)
        if major is None or minor is None:
            return False, None
        return True, (major, minor)
    return True, None


def _served_under(call: ast.Call) -> str:
    """Which prefixes an ``include_router`` call without ``prefix=`` passes on: the including's."""
    assert isinstance(call.func, ast.Attribute)
    return f"`{ast.unparse(call.func.value)}` is served under"


def _a_dict(included: ast.expr, scope: Scope, values: LoopValues, index: PackageIndex) -> bool:
    """Whether the router an include passes is, in one iteration, a dict written out."""
    router = substituted(included, scope, values, index)
    return router is not None and dict_items(*router, index) is not None


def _routing_part(call: ast.Call, included: ast.expr, prefix: ast.expr | None) -> ast.Tuple:
    """What of an ``include_router`` call decides where routes are served, as one expression.

    The including object, the router and the prefix: a loop name read only by ``tags=`` or
    ``dependencies=`` (``tags=[name.upper()]``) changes no path, and leaves the loop's items
    free to be anything.
    """
    assert isinstance(call.func, ast.Attribute)
    parts = [call.func.value, included, *([prefix] if prefix is not None else [])]
    return ast.copy_location(ast.Tuple(elts=parts, ctx=ast.Load()), call)


def _by_an_app(call: ast.Call, scope: Scope, values: LoopValues, index: PackageIndex) -> bool:
    """Whether an ``include_router`` call is made on an app (which adds no prefix of its own)."""
    assert isinstance(call.func, ast.Attribute)
    including = substituted(call.func.value, scope, values, index)
    parent = None if including is None else _including(*including, index)
    if parent is None:
        return including is not None and instance_app(*including, index)
    if parent.kind == "param":
        return _is_app(parent, index) or app_instance_parameter(parent, index)
    return _is_app(parent, index)


#: What a settings default an environment variable may change would change, in the notes that
#: say so: which routers are served.
LOOP_ROUTERS = "the routers this loop includes"
IMPORTED_MODULE = "the module imported"
#: An include in an `if` on a settings flag that is off by default.
NOT_SERVED_BY_DEFAULT = "is not served by default"


class Notes(list[str]):
    """The notes :func:`find_mounts` gathers, in order; one on a settings default said once.

    A default read by many calls (a prefix every include reads) is said where it is first read:
    :meth:`once` keeps the defaults said in a set, where looking for each in every note before
    made a module of thousands of includes quadratic.
    """

    def __init__(self) -> None:
        super().__init__()
        self._said: set[str] = set()

    def once(self, said: str, note: str) -> None:
        """Add ``note``, on what ``said`` says, unless a note on it was added already."""
        if said not in self._said:
            self._said.add(said)
            self.append(note)


def _named_router(
    included: ast.expr, scope: Scope, values: LoopValues, index: PackageIndex
) -> tuple[tuple[ast.expr, Scope], str] | None:
    """The name an include's router is written as, with its qualified name.

    Followed through the loop's values; None when the router is no name (a call, a subscript)
    or is not bound.
    """
    found = substituted(included, scope, values, index)
    if found is None or not isinstance(found[0], ast.Name | ast.Attribute):
        return None
    qualified = index.qualify(*found)
    return None if qualified is None else (found, qualified)


def _outside_router(
    included: ast.expr, scope: Scope, values: LoopValues, index: PackageIndex
) -> str | None:
    """A line for a router imported from outside the package that an include adds, else None.

    ``from sharedlib.health import router`` (an installed package, or a path dependency whose
    folder is not searched), then ``app.include_router(router, prefix="/ops")``: its routes are
    served, but their handlers are no module of the project's to put a log call into.
    """
    router = _named_router(included, scope, values, index)
    if router is None:
        return None
    canonical, binding = index.resolve(router[1])
    if not index.from_a_library(canonical, binding) or "." not in canonical:
        return None
    written = ast.unparse(included)
    named = f"`{written}`" if written == canonical else f"`{written}` ({canonical})"
    # Named as that router's routes alone: the project's own routes stay logged.
    return (
        f"routes of {named}, a router from outside the project's folders (an installed "
        "package or a path dependency), are served but not instrumented (library code: "
        "generate patches only the project's own modules)"
    )


def _absent_router(
    included: ast.expr, scope: Scope, values: LoopValues, index: PackageIndex
) -> tuple[str, bool] | None:
    """A line for a router imported from a module of the package that is not there, else None.

    ``try: from app.api.test import router as test_router`` then ``router.include_router(
    test_router)``, ``except ImportError: ...``, with no ``app/api/test.py`` in the project (a
    module each developer keeps out of the repository): the include adds nothing of the
    project's, so a router included nowhere else is not one it may stand for (True: certain).
    Without that guard the module is one something else provides (generated at build time,
    compiled, on a ``.pth`` path): the include is one not followed (False).
    """
    router = _named_router(included, scope, values, index)
    if router is None:
        return None
    found, qualified = router
    base: ast.expr = found[0]
    while isinstance(base, ast.Attribute):
        base = base.value
    first = found[1].lookup(base.id) if isinstance(base, ast.Name) else None
    through = [first] if first is not None and first.kind == "import" else []
    canonical, binding = index.resolve(qualified, through)
    if binding is not None or index.from_a_library(canonical, binding):
        return None
    missing = index.missing_module(canonical)
    if missing is None or (index.layer is not None and f"{missing}.".startswith(f"{index.layer}.")):
        return None  # there, or the layer this run writes (the app's include of its router)
    # The import that fails: the last one followed into the missing module. Only under a
    # `try` catching its failure is the module surely absent where the app runs.
    failing = [
        bound
        for bound in through
        if bound.target == missing or bound.target.startswith(f"{missing}.")
    ]
    said = f"`{ast.unparse(included)}` is imported from {missing}, a module not in the project"
    if failing and guarded_import(failing[-1]):
        return f"{said}: this call includes none of its routes", True
    return (
        f"{said} and imported with no `except ImportError` (one built or installed where the "
        "app runs?): this include is not followed",
        False,
    )


def _library_router(
    included: ast.expr, scope: Scope, values: LoopValues, index: PackageIndex
) -> str | None:
    """A line for a router an installed library's call builds that an include adds, else None.

    ``app.include_router(fastapi_users.get_auth_router(auth_backend), prefix="/auth/jwt")``,
    ``CRUDRouter(schema=Item, ...)`` of fastapi-crudrouter, each written in the include, or a
    name bound once to a library function's router (``auth_router = users.get_auth_router(...)``)
    or to a library's router class (``router = CRUDRouter(schema=Item)``): the library declares
    its routes, in no module of the project's to put a log call into. FastAPI's and Starlette's
    own routers declare none, nor do the library subclasses known to keep ``APIRouter``'s
    (``router = InferringRouter()``), nor a library router the project declares routes on or
    includes routers into (``@router.get("/x")``): that one holds the project's routes.
    """
    found = substituted(included, scope, values, index)
    if found is None:
        return None
    expression, where = found
    router: tuple[ast.Call, Binding] | None = None  # a router class's instance, by its name
    if isinstance(expression, ast.Name | ast.Attribute):
        # `router` bound here, or `items.router` bound in the module `items`.
        binding = index.binding_of(expression, where)
        built = call_bound_once(binding)
        if binding is None or built is None:
            return None
        role = index.built_role(built, binding.scope)[0]
        if role is Role.APP:
            return None
        if role is Role.ROUTER:
            router = built, binding
        expression, where = built, binding.scope
    library = calling_library(expression, where, index)
    wrapper: ast.Call | None = None  # the project's function returning the library's router
    if library is None and isinstance(expression, ast.Call):
        returned = _returned_library_call(expression, where, index)
        if returned is not None:
            wrapper = expression
            expression, where, library = returned
    if library is None or library in _ROUTING_LIBRARIES:
        return None
    # Asked after the library: it walks the router's whole scope (4 % of the check of a
    # 2,000-handler module), and FastAPI's own routers, most of them, never need it.
    if router is not None and _holds_project_routes(*router, index):
        return None
    # The callee, not its arguments: a line as short as the include, stable as they change.
    assert isinstance(expression, ast.Call)
    callee = ast.unparse(expression.func) + (
        "(...)" if expression.args or expression.keywords else "()"
    )
    written = ast.unparse(included)
    if wrapper is not None:
        # `get_oauth_router(...)` (fastapi_users.get_auth_router(...)): the call as written,
        # then the library's call it returns.
        written = ast.unparse(wrapper.func) + (
            "(...)" if wrapper.args or wrapper.keywords else "()"
        )
    named = (
        f"`{callee}`"
        if isinstance(included, ast.Call) and wrapper is None
        else f"`{written}` ({callee})"
    )
    # Named as the library's routes alone: the project's own routes stay logged.
    return (
        f"routes of {named}, a router the library {library} builds, are served but not "
        "instrumented (library code: generate patches only the project's own modules)"
    )


def _returned_library_call(
    call: ast.Call, scope: Scope, index: PackageIndex
) -> tuple[ast.Call, Scope, str] | None:
    """The library call a project function ``call`` calls returns, its scope and library.

    ``def get_oauth_router(...): return fastapi_users.get_auth_router(...)`` (its only
    ``return``) called as ``get_oauth_router(...)``: the router is the library's, as when its
    call is written in the include. None for any other callee, or a returned call of the
    project's own.
    """
    target = index.defined(call.func, scope)
    if target is None or target.kind != "function":
        return None
    function = target.node
    assert isinstance(function, FunctionNode)
    returned = returned_value(function)
    if not isinstance(returned, ast.Call):
        return None
    inner = Scope(function, target.scope.module, target.scope)
    library = calling_library(returned, inner, index)
    return None if library is None else (returned, inner, library)


# The libraries whose routers hold only the routes the project declares on them.
_ROUTING_LIBRARIES = frozenset({"fastapi", "starlette"})


def _holds_project_routes(built: ast.Call, binding: Binding, index: PackageIndex) -> bool:
    """Whether a router class's instance bound to ``binding`` holds routes of the project's.

    A library subclass known to keep ``APIRouter``'s constructor (``InferringRouter()``), or
    one the project declares a route on or includes a router into (``@router.get("/x")``,
    ``router.add_api_route(...)``, ``router.include_router(other)``): in the scope it is bound
    in or any nested one, or in a module of the package that imports it (``from app.api.base
    import router``, ``from app.api import base`` then ``@base.router.get(...)``).
    """
    qualified = index.qualify(built.func, binding.scope)
    if qualified is not None and index.resolve(qualified)[0] in LIBRARY_API_ROUTERS:
        return True
    if any(
        isinstance(node, ast.Attribute)
        and node.attr in _ROUTE_DECLARATIONS
        and isinstance(node.value, ast.Name)
        and node.value.id == binding.name
        for node in ast.walk(binding.scope.node)
    ):
        return True
    owner = binding.scope.module
    if binding.scope.node is not owner.tree:
        return False  # a function's local router: no other module reaches it
    target = f"{owner.name}.{binding.name}"
    for name in index.package:
        source = index.source(name)
        # Every import of it, aliased or not, and every `module.<name>` spells its name.
        model = None if source is None or binding.name not in source.text else index.module(name)
        if model is None or model is owner:
            continue
        # Imported as written, or through a module re-exporting it (`from app.api import router`).
        names = {
            *model.names_for(target),
            *(local for local, bound in model.resolved_imports.items() if target in bound),
        }
        if any(
            isinstance(node, ast.Attribute)
            and node.attr in _ROUTE_DECLARATIONS
            and isinstance(node.value, ast.Name | ast.Attribute)
            and (
                model.refers_to(node.value, target)
                or (
                    isinstance(node.value, ast.Name)
                    and target in model.resolved_imports.get(node.value.id, ())
                )
            )
            for node in model.nodes_naming(names)
        ):
            return True
    return False


#: The methods of a router that declare a route on it or add another router's to it.
_ROUTE_DECLARATIONS = frozenset(
    {
        *HTTP_METHODS,
        API_ROUTE,
        WEBSOCKET,
        ADD_API_ROUTE,
        ADD_WEBSOCKET_ROUTE,
        *STARLETTE_ROUTES,
        *STARLETTE_ADD_ROUTES,
        _INCLUDE_ROUTER,
    }
)


class OutsideRouter(str):
    """A note on a router included from outside the package, which ``init`` says too."""

    __slots__ = ()


class RunTimeChoice(str):
    """A note on which routers the environment picks at run time, which ``init`` says too.

    A settings default read for the routers a loop includes or the module imported, an include
    under a flag off by default: the kind is carried by the note itself (see
    :attr:`Mounts.run_time_choices`), so no rewording of its text drops it out of ``init``.
    """

    __slots__ = ()


_RUN_TIME_IMPORTS = frozenset({"importlib.import_module", "__import__"})
# The method a class's call runs with the call's arguments (after the instance).
_INIT = "__init__"
# `module_from_spec(spec_from_file_location(name, path))`: a module loaded from a file's path,
# as a folder listing finds it (the name it is given is no module name of the package).
_LOADED_FROM_SPEC = "importlib.util.module_from_spec"
# How many variables and attributes a router read from such a module is followed through.
_MAX_RUN_TIME_DEPTH = 8


def _switched_off_around(
    call: ast.Call,
    included: ast.expr,
    scope: Scope,
    index: PackageIndex,
    defaults: SettingsDefaults,
) -> list[str]:
    """Lines for the ``if`` blocks around an include that a settings flag leaves off by default.

    ``if settings.ENABLE_ADMIN: app.include_router(admin.router)`` with the flag false by
    default (see :func:`~.settings.switched_off_by_default`): the router's routes are logged
    where they are served once it is set, and said not to be served by default.
    """
    said: list[str] = []
    for statement in scope.statements_on(call.lineno):
        if not isinstance(statement, ast.If):
            continue
        if _holds(statement.body, call):
            test = statement.test
        elif _holds(statement.orelse, call) and not (
            len(statement.orelse) == 1 and isinstance(statement.orelse[0], ast.If)
        ):
            # In the `else:` block (not an `elif`, whose own test is read as its block's): run
            # when the test is false.
            test = _negated(statement.test)
        else:
            continue
        why = switched_off_by_default(index, test, scope, defaults.calls)
        if why is not None:
            said.append(
                f"`{ast.unparse(included)}` {NOT_SERVED_BY_DEFAULT}: {why}; its routes are "
                "logged where they are served then"
            )
    return said


# Each comparison operator and its opposite, to word an `else:` block's condition as written.
_OPPOSITES: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}


def _negated(test: ast.expr) -> ast.expr:
    """``test`` negated: ``a != b`` for ``a == b`` (``in``/``not in`` too), else ``not test``."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return test.operand
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in _OPPOSITES:
        opposite = _OPPOSITES[type(test.ops[0])]()
        return ast.copy_location(ast.Compare(test.left, [opposite], test.comparators), test)
    return ast.copy_location(ast.UnaryOp(op=ast.Not(), operand=test), test)


def _holds(block: list[ast.stmt], call: ast.Call) -> bool:
    """Whether ``call`` is written in ``block``'s lines."""
    return bool(block) and block[0].lineno <= call.lineno <= (block[-1].end_lineno or 0)


def _imported_at_run_time(
    expression: ast.expr, scope: Scope, index: PackageIndex, depth: int
) -> bool:
    """Whether an included router is read from a module ``importlib`` imports at run time.

    ``module = importlib.import_module(f"app.routes.{name}")`` then ``module.router`` or
    ``getattr(module, "router")``, directly or through variables of the same scope.
    """
    if depth > _MAX_RUN_TIME_DEPTH:
        return False
    if isinstance(expression, ast.Attribute):
        return _imported_at_run_time(expression.value, scope, index, depth + 1)
    if isinstance(expression, ast.Name):
        binding = scope.lookup(expression.id)
        item = _comprehension_item(expression.id, scope, expression) if binding is None else None
        if item is not None:
            return _imported_at_run_time(item[0], scope, index, depth + 1)
        if binding is None or binding.kind != "value" or not isinstance(binding.node, ast.Call):
            return False
        return _imported_at_run_time(binding.node, binding.scope, index, depth + 1)
    if not isinstance(expression, ast.Call):
        return False
    function = expression.func
    builtin = isinstance(function, ast.Name) and scope.lookup(function.id) is None
    name = function.id if builtin and isinstance(function, ast.Name) else None
    if name == "getattr" and expression.args:
        return _imported_at_run_time(expression.args[0], scope, index, depth + 1)
    return (name or index.qualify(function, scope)) in _RUN_TIME_IMPORTS | {_LOADED_FROM_SPEC}


def _discovered_mounts(
    call: ast.Call,
    included: ast.expr,
    scope: Scope,
    values: LoopValues,
    index: PackageIndex,
    modules: list[str],
    defaults: SettingsDefaults,
    notes: Notes,
    copied: bool,
    read_in: Scope | None = None,
    *,
    told: list[bool] | None = None,
) -> list[tuple[RouterKey, Mount]]:
    """How ``call`` includes each router of a folder's modules it stands for.

    The routers :func:`_discovered_routers` finds, each as :func:`_mount` includes it. The
    name a ``for`` loop binds to each entry of a folder listing (``for name in
    os.listdir(folder):``, ``for info in pkgutil.iter_modules(path):``) holds that router's
    entry (``orders``, ``items.py``; see :func:`_listing_loop_item`), so an include prefix
    made of it (``f"/{name}"``, ``f"/{info.name}"``) is known. ``read_in``: where
    ``included`` is written, when not where ``call`` runs (what a generator the call's loop
    runs yields). ``told`` gets, per router, whether the listing's name was set for it.
    """
    written = scope if read_in is None else read_in
    if not _imported_at_run_time(included, written, index, 0):
        return []
    found: list[tuple[RouterKey, Mount]] = []
    read = len(defaults.read)
    entries: list[str | None] = []
    keys = _discovered_routers(included, written, index, modules, values, defaults, entries)
    listing_item = _listing_loop_item(call, scope, index)
    where = f"{written.module.path}:{call.lineno}"
    for default in defaults.read[read:]:
        # `import_module(settings.APP)`: the module its settings class names by default.
        said = default.describe(IMPORTED_MODULE)
        notes.once(said, RunTimeChoice(f"{where}: module name {said}"))
    del defaults.read[read:]
    for key, entry in zip(keys, entries, strict=True):
        at = values
        named, loop, filtered = listing_item or ({}, None, None)
        if entry is not None and loop is not None and named and not set(named) & set(values):
            at = {**values, **{name: (item(entry), scope) for name, item in named.items()}}
            # `if entry.endswith(".py"):`, `if info.ispkg: continue`: an entry the loop's own
            # tests skip is never imported, its router never included; so too an entry the
            # comprehension the loop runs over leaves out (`[f for f in os.listdir(d) if ...]`).
            kept = kept_by_tests(call, loop, scope, at, index, reading=set(named))
            tested = next(iter(named))
            if kept is not False and filtered is not None:
                listed = {name: (item(entry), scope) for name, item in filtered[0].items()}
                verdicts = [
                    known_test(test, scope, {**values, **listed}, index) for test in filtered[1]
                ]
                if False in verdicts:
                    kept = False
                elif None in verdicts:
                    kept, tested = None, next(iter(filtered[0]))
            if kept is False:
                continue
            if kept is None:
                notes.once(
                    f"listing filter at {where}",
                    f"{where}: which entries the `if` tests on `{tested}` keep is only known "
                    "at run time: the routers of every module listed are logged as included",
                )
        if told is not None:
            told.append(at is not values)
        mount = _mount(call, included, scope, at, index, modules, defaults, notes, copied, key)
        if mount is not None:
            found.append(mount)
    return found


def _listing_loop_item(
    call: ast.Call, scope: Scope, index: PackageIndex
) -> (
    tuple[
        dict[str, Callable[[str], ast.expr]],
        ast.For | ast.AsyncFor,
        tuple[dict[str, Callable[[str], ast.expr]], list[ast.expr]] | None,
    ]
    | None
):
    """The names a ``for`` loop around ``call`` binds per listed entry, their items; the loop.

    Third, for a loop over a list a comprehension of the listing built: the names the
    comprehension binds per entry, their items, and its ``if`` filters (None otherwise).

    The entry's own name first; ``for _, name, ispkg in pkgutil.iter_modules(path):`` binds
    ``ispkg`` too (a loop's ``if ispkg: continue`` reads it).

    Given the entry (``items.py`` for a module file, ``orders`` for a folder), what the name
    holds for it: the entry itself for ``for name in os.listdir(folder):``; the module's
    ``ModuleInfo`` for ``for info in pkgutil.iter_modules(path):`` (``info.name`` is
    ``items``), its name for ``for _, name, _ in pkgutil.iter_modules(path):``.
    ``walk_packages`` names a subfolder's modules after a prefix: not followed.
    """
    for loop in ast.walk(scope.node):
        if not isinstance(loop, ast.For | ast.AsyncFor) or not any(
            node is call for node in ast.walk(loop)
        ):
            continue
        found = _listing_item(loop.iter, loop.target, scope, index)
        if found is not None:
            return _derived_in_loop(found, loop, call, scope, index), loop, None
        # `for name, module in modules:` over `[(info.name, import_module(...)) for info in
        # pkgutil.iter_modules(__path__)]`: a name holding the listed item, or what its
        # element makes of it (`f[:-3]`, `p.stem`); the module imported is read as such.
        for target in sorted(names_in(loop.target)):
            item = _comprehension_item(target, scope, call)
            inner = None
            if item is not None and not _imported_at_run_time(item[0], scope, index, 0):
                inner = _listing_item(item[1].iter, item[1].target, scope, index)
            if item is None or inner is None:
                continue
            filtered = (inner, list(item[1].ifs))
            return {target: _comprehended(item[0], inner, scope, index)}, loop, filtered
    return None


def _derived_in_loop(
    named: dict[str, Callable[[str], ast.expr]],
    loop: ast.For | ast.AsyncFor,
    call: ast.Call,
    scope: Scope,
    index: PackageIndex,
) -> dict[str, Callable[[str], ast.expr]]:
    """``named``, with the names the loop's body binds from them before ``call``, and their items.

    ``for f in glob.glob(pattern): name = f.split("/")[-2]`` then ``prefix=f"/{name}"``:
    ``name`` holds, per listed entry, the string its value makes of the entry (see
    :func:`_comprehended`); a name bound anywhere else in ``scope`` too is left out (which
    value it holds at the call is not known), and so is a module imported by name.
    """
    found = dict(named)
    for statement in block_statements(loop.body):
        if statement.lineno >= call.lineno:
            break
        if not (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and names_in(statement.value) & set(found)
            # The module imported is read as such, not as a string made of the entry.
            and not _imported_at_run_time(statement.value, scope, index, 0)
        ):
            continue
        name = statement.targets[0].id
        if name not in found and bound_once(scope.lookup(name)):
            found[name] = _comprehended(statement.value, dict(found), scope, index)
    return found


def _comprehended(
    element: ast.expr,
    inner: dict[str, Callable[[str], ast.expr]],
    scope: Scope,
    index: PackageIndex,
) -> Callable[[str], ast.expr]:
    """What a comprehension's ``element`` holds per listed entry, given its names' items.

    ``[f[:-3] for f in os.listdir(d)]`` holds ``"items"`` for ``items.py``, ``[p.stem for p in
    folder.glob("*.py")]`` and ``[name for _, name, _ in pkgutil.iter_modules(...)]`` the same:
    the listed item itself when the element is one of its names, else the string the element
    makes of them. One not known statically is the element as written, whose names no loop
    binds: what is made of it (a prefix) is then said to be only known at run time.
    """

    def made(entry: str) -> ast.expr:
        bound = {name: (item(entry), scope) for name, item in inner.items()}
        if isinstance(element, ast.Name) and element.id in bound:
            return bound[element.id][0]
        text = loop_string(element, scope, bound, index)
        return element if text is None else ast.copy_location(ast.Constant(text), element)

    return made


def _listing_item(
    iterated: ast.expr, target: ast.expr, scope: Scope, index: PackageIndex
) -> dict[str, Callable[[str], ast.expr]] | None:
    """The names ``target`` binds per entry of the folder listing ``iterated``, and their items.

    The entry's own name first. See :func:`_listing_loop_item`; None when ``iterated`` is no
    folder listing so read.
    """
    listing = _listing_call(iterated, scope)
    if listing is None:
        return None
    lister = index.qualify(listing.func, scope)
    if lister in _GLOBS and isinstance(target, ast.Name):
        # `for f in glob.glob(os.path.join(here, "*", "routes.py")):`: each file's path, a
        # string whose folder part is only known at run time.
        return {target.id: functools.partial(ListedModule.path, text=True)}
    if (
        isinstance(listing.func, ast.Attribute)
        and _FOLDER_LISTINGS.get(listing.func.attr) is False  # `rglob` names deeper entries
        and isinstance(target, ast.Name)
    ):
        # `for path in (Path(__file__).parent / "routers").glob("*.py"):`: each entry's path
        # (`orders/routes.py` for `glob("*/routes.py")`).
        return {target.id: ListedModule.path}
    if lister == "os.listdir" and isinstance(target, ast.Name):
        return {target.id: ast.Constant}
    if lister != "pkgutil.iter_modules" or call_argument(listing, 1, "prefix") is not None:
        # `iter_modules(__path__, f"{__package__}.")` names each module after a prefix: its
        # `.name` is no entry's own name (the prefix made of it is said to be unknown).
        return None
    if isinstance(target, ast.Name):
        return {target.id: _module_info}
    if (
        isinstance(target, ast.Tuple)
        and len(target.elts) == 3
        and isinstance(target.elts[1], ast.Name)
    ):
        named: dict[str, Callable[[str], ast.expr]] = {target.elts[1].id: _module_name}
        package = target.elts[2]
        if isinstance(package, ast.Name) and package.id not in named:
            named[package.id] = lambda entry: ast.Constant(not entry.endswith(".py"))
        return named
    return None


def _listing_call(listing: ast.expr, scope: Scope) -> ast.Call | None:
    """The call a loop's iterable is, through the builtin ``sorted`` and a name bound once.

    ``for f in sorted(glob.glob(pattern)):``, ``files = glob.glob(pattern)`` then ``for f in
    files:``: the ``glob.glob`` call (the same entries, in another order).
    """
    for _ in range(2):
        if calls_builtin(listing, scope, "sorted", "list") and len(listing.args) == 1:
            listing = listing.args[0]
        if not isinstance(listing, ast.Name):
            break
        binding = scope.lookup(listing.id)
        if not bound_once(binding) or not isinstance(binding.node, ast.Call):
            return None
        listing = binding.node
    return listing if isinstance(listing, ast.Call) else None


def _module_name(entry: str) -> ast.expr:
    """The module name ``pkgutil.iter_modules`` lists for a folder's entry (``items.py``)."""
    return ast.Constant(entry.removesuffix(".py"))


def _module_info(entry: str) -> ast.expr:
    """The ``ModuleInfo`` ``pkgutil.iter_modules`` lists for a folder's entry (``items.py``)."""
    return ListedModule.of(entry.removesuffix(".py"), not entry.endswith(".py"))


def _discovered_routers(
    expression: ast.expr,
    scope: Scope,
    index: PackageIndex,
    modules: list[str],
    values: LoopValues | None = None,
    fallback: SettingsDefaults | None = None,
    entries: list[str | None] | None = None,
) -> list[RouterKey]:
    """The routers an include of a run-time import stands for, when a folder listing names them.

    ``entries`` gets, per router, the folder entry a listing names it by (``orders`` for
    ``modules/orders/routes.py`` of ``f"modules.{name}.routes"``, ``items.py`` for a module
    file), or None.

    ``for info in pkgutil.iter_modules(api.__path__): module =
    importlib.import_module(f"app.api.{info.name}")`` then ``include_router(module.router)``
    (or ``getattr(module, "router", None)``): the router each module of that folder binds to
    the name read. A module binding none under it is left out (a default, a check, or an error
    at start-up); its own subfolders are listed by ``walk_packages`` only. A loop over names
    known statically (``for name in ("items", "users"):``) imports the modules they name. Not
    told statically: none. ``values``: what the parameters of the function making the include
    hold for the call at hand (each call of a helper given the package to list). ``fallback``
    reads the module names a settings class declares (see :func:`_modules_named`).
    """
    read = _module_attribute_read(expression, scope, index, 0)
    if read is None:
        return []
    attribute, imported, imported_scope = read
    named = _modules_named(imported, imported_scope, index, values or {}, fallback)
    if named is not None:
        named_keys = [
            key
            for name in named
            if (model := index.module(name)) is not None
            and (key := index.router_key(model.scope.bindings.get(attribute))) is not None
        ]
        if entries is not None:
            entries.extend([None] * len(named_keys))
        return named_keys
    listed = _package_listed_in_scopes(scope, index, modules, values or {})
    if listed is None:
        return []
    package, deep, pattern = listed
    suffix = _imported_suffix(imported, imported_scope, package)
    if suffix is None:
        return []
    keys: list[RouterKey] = []
    for name in modules:
        found = name.removesuffix(suffix) if suffix and name.endswith(suffix) else name
        if found == name and suffix:
            continue
        inside = found.startswith(f"{package}.") if deep else found.rpartition(".")[0] == package
        model = index.module(name) if inside else None
        key = None if model is None else index.router_key(model.scope.bindings.get(attribute))
        listed_module = index.module(found)
        last = found.rpartition(".")[2]
        is_file = listed_module is not None and not listed_module.is_package
        entry = f"{last}.py" if is_file else last
        if pattern is not None and "/" in pattern:
            # `glob("*/routes.py")`: a subfolder holding that module, by its file's path.
            pattern_folder, _, file = pattern.partition("/")
            held = index.module(f"{found}.{file.removesuffix('.py')}")
            if (
                is_file
                or not fnmatch.fnmatchcase(last, pattern_folder)
                or held is None
                or held.is_package
            ):
                continue
            entry = f"{last}/{file}"
        elif pattern is not None and not fnmatch.fnmatchcase(entry, pattern):
            continue  # `glob("*.py")` lists no subpackage's folder
        if key is not None:
            keys.append(key)
            if entries is not None:
                entries.append(entry)
    return keys


def _modules_named(
    call: ast.Call,
    scope: Scope,
    index: PackageIndex,
    values: LoopValues,
    fallback: SettingsDefaults | None = None,
) -> list[str] | None:
    """The modules ``import_module(...)`` imports in a loop over names known statically.

    ``for name in ("items", "users"): importlib.import_module(f"app.api.{name}")``: one module
    per item, in turn. None when no loop around it binds a name it is given, or a name (or the
    module it names) is not known statically. ``values``: the iteration at hand, when the
    include is read once per item (``for name, prefix in specs:``): that item's module only,
    not every item's under each item's prefix. ``fallback`` reads a settings attribute as the
    default its class declares (``import_module(settings.APP)``, ``for name in [settings.APP,
    settings.ADMIN]:``), each read remembered to be said.
    """
    argument = _absolute_module_name(call, scope)
    if argument is not None and any(
        isinstance(node, ast.Name) and node.id in values for node in ast.walk(argument)
    ):
        name = loop_string(argument, scope, values, index, fallback)
        if name is not None and not name.startswith("."):
            return [name]
    environments = None if argument is None else loop_values(argument, scope, index)
    if argument is None or environments is None:
        return None
    if environments == [{}]:
        # No loop: only a name a settings default gives is read here (a literal one is an
        # import the module model follows).
        read = 0 if fallback is None else len(fallback.read)
        name = None if fallback is None else loop_string(argument, scope, {}, index, fallback)
        if fallback is None or name is None or name.startswith(".") or len(fallback.read) == read:
            if fallback is not None:
                del fallback.read[read:]
            return None
        return [name]
    names: list[str] = []
    for values in environments:
        name = loop_string(argument, scope, values, index, fallback)
        if name is None or name.startswith("."):  # relative: to the `package=` argument
            return None
        names.append(name)
    return names


def _imported_suffix(call: ast.Call, scope: Scope, package: str) -> str | None:
    """What the module name ``import_module`` is given adds after each listed name, if known.

    ``f"app.api.{name}"`` adds nothing: the listed modules themselves; ``f"app.{name}.routes"``
    adds ``.routes``: that module of each listed subpackage (also held by a name first:
    ``path = f"app.{name}.routes"`` then ``import_module(path)``). None when its literal start
    names another package than the one listed, or its literal end is no module name. A name
    not written as such (``info.name``, ``f"{__name__}.{name}"``) is the listed module's.
    """
    name = call_argument(call, 0, "name")
    held = scope.lookup(name.id) if isinstance(name, ast.Name) else None
    if (
        held is not None
        and held.kind == "value"
        and isinstance(held.node, ast.JoinedStr | ast.BinOp)
    ):
        name = held.node
    else:
        name = _absolute_module_name(call, scope)
    if isinstance(name, ast.BinOp) and isinstance(name.op, ast.Add):
        name = ast.JoinedStr([name.left, ast.FormattedValue(name.right, -1)])
    if not isinstance(name, ast.JoinedStr):
        return ""
    if not any(isinstance(value, ast.FormattedValue) for value in name.values):
        return None  # one module, whatever the folder holds
    first, last = name.values[0], name.values[-1]
    if isinstance(first, ast.Constant) and first.value != f"{package}.":
        return None
    if not isinstance(last, ast.Constant) or len(name.values) == 1:
        return ""
    suffix = str(last.value)
    words = suffix.split(".")
    if words[0] or not all(word.isidentifier() for word in words[1:]) or len(words) < 2:
        return None
    return suffix


#: The names a module's own package is read by, for a relative ``import_module`` name.
_OWN_PACKAGE = "__package__"
_OWN_NAME = "__name__"


def _absolute_module_name(call: ast.Call, scope: Scope) -> ast.expr | None:
    """The module name ``import_module`` is given, a relative one written from its package.

    ``import_module(f".{info.name}", __package__)`` (or ``package=__name__`` in a package's
    ``__init__``) in ``app/routes/__init__.py`` imports ``f"app.routes.{info.name}"``: each
    dot past the first climbs one package. A relative name given another package (or none) is
    left as it is (never a module of the package; a listing's modules are not guessed).
    """
    name = call_argument(call, 0, "name")
    package = call_argument(call, 1, "package")
    if isinstance(name, ast.Constant) and isinstance(name.value, str):
        parts: list[ast.expr] = [name]
    elif isinstance(name, ast.JoinedStr) and name.values:
        parts = list(name.values)
    else:
        return name
    first = parts[0]
    if not (
        isinstance(first, ast.Constant)
        and isinstance(first.value, str)
        and first.value.startswith(".")
        and isinstance(package, ast.Name)
        and scope.lookup(package.id) is None  # the module's own attribute, not a variable
        and (package.id == _OWN_PACKAGE or (package.id == _OWN_NAME and scope.module.is_package))
    ):
        return name
    rest = first.value.lstrip(".")
    climbs = len(first.value) - len(rest) - 1
    words = scope.module.package.split(".")
    if climbs >= len(words):
        return name  # climbs out of the top package: Python refuses it
    base = ".".join(words[: len(words) - climbs])
    start = ast.copy_location(ast.Constant(f"{base}.{rest}"), first)
    if len(parts) == 1:
        # `import_module(".", __package__)` imports the package itself.
        return ast.copy_location(ast.Constant(f"{base}.{rest}".rstrip(".")), first)
    return ast.copy_location(ast.JoinedStr([start, *parts[1:]]), name)


def _comprehension_item(
    name: str, scope: Scope, within: ast.AST
) -> tuple[ast.expr, ast.comprehension] | None:
    """What a ``for`` loop's name holds per item of a list a comprehension built, and its ``for``.

    ``modules = [(info.name, import_module(...)) for info in pkgutil.iter_modules(__path__)]``
    then ``for name, module in modules:``: ``module`` holds that item's ``import_module(...)``
    and ``name`` its ``info.name``, as if the loop ran over ``pkgutil.iter_modules(__path__)``
    itself. Only a comprehension of one ``for`` (see :func:`_comprehension_looped`), a loop
    target unpacking a tuple the comprehension writes out item by item (or naming it whole).
    The loop is the one whose body holds ``within`` (the name read, or the call reading it),
    and its body binds the name nowhere else.
    """
    for loop in ast.walk(scope.node):
        if not (
            isinstance(loop, ast.For | ast.AsyncFor)
            and any(node is within for statement in loop.body for node in ast.walk(statement))
            and not rebinds(loop.body, {name})
        ):
            continue
        target = loop.target
        names = [target] if isinstance(target, ast.Name) else getattr(target, "elts", [])
        position = next(
            (at for at, item in enumerate(names) if isinstance(item, ast.Name) and item.id == name),
            None,
        )
        built = _comprehension_looped(loop.iter, scope)
        if position is None or built is None or len(built.generators) != 1:
            continue
        element = built.elt
        if isinstance(target, ast.Name):
            return element, built.generators[0]
        if isinstance(element, ast.Tuple) and len(element.elts) == len(names):
            return element.elts[position], built.generators[0]
    return None


# Builtins giving a loop the items of the one iterable they are given (in another order).
_SAME_ITEMS = ("sorted", "list", "tuple", "set")


def _comprehension_looped(
    iterable: ast.expr, scope: Scope
) -> ast.ListComp | ast.GeneratorExp | ast.SetComp | None:
    """The comprehension whose items a loop over ``iterable`` runs over, else None.

    Written in place (``for name in [f[:-3] for f in os.listdir(d)]:``), or a name bound once
    in ``scope`` to one; either also through ``sorted(...)`` (``list``, ``tuple``, ``set``):
    the same items.
    """
    if calls_builtin(iterable, scope, *_SAME_ITEMS) and len(iterable.args) == 1:
        iterable = iterable.args[0]
    if isinstance(iterable, ast.Name):
        binding = scope.lookup(iterable.id)
        if binding is None or binding.scope is not scope:
            return None
        if not bound_once(binding):
            return _rebound_comprehension(iterable, scope)
        if not isinstance(binding.node, ast.expr):
            return None
        iterable = binding.node
        if calls_builtin(iterable, scope, *_SAME_ITEMS) and len(iterable.args) == 1:
            iterable = iterable.args[0]
    if isinstance(iterable, ast.ListComp | ast.GeneratorExp | ast.SetComp):
        return iterable
    return None


def _rebound_comprehension(
    read: ast.Name, scope: Scope
) -> ast.ListComp | ast.GeneratorExp | ast.SetComp | None:
    """The comprehension a name rebound in flow order holds where ``read`` reads it, else None.

    ``mods = glob.glob(pattern)`` then ``mods = [f.split("/")[-2] for f in mods if ...]`` (or
    ``mods = sorted(mods)`` after a comprehension): each binding a plain assignment in the
    scope's own body, not in a branch, all before ``read``; one reading the name's earlier value
    reads it as its comprehension's iterable (or ``sorted``'s argument) alone. The comprehension
    is the last one, its iterable the value before it, as the code runs.
    """
    name = read.id
    assignments = [
        statement
        for statement in getattr(scope.node, "body", [])
        if isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and statement.targets[0].id == name
    ]
    if len(assignments) != scope.stores[name] or not assignments:
        return None  # also bound in a branch, a loop or by a tuple: which value is not known
    if any((statement.end_lineno or statement.lineno) >= read.lineno for statement in assignments):
        return None
    value: ast.expr | None = None
    for statement in assignments:
        written = statement.value
        reads = [
            node
            for node in ast.walk(written)
            if isinstance(node, ast.expr) and _names_variable(node, name)
        ]
        if value is None or not reads:
            if reads:
                return None  # reads the name before this scope binds it
            value = written
            continue
        if calls_builtin(written, scope, *_SAME_ITEMS) and written.args == reads:
            continue  # `mods = sorted(mods)`: the same items
        if not (
            isinstance(written, ast.ListComp | ast.GeneratorExp | ast.SetComp)
            and len(written.generators) == 1
            and reads == [written.generators[0].iter]
        ):
            return None
        earlier = _comprehension_looped(value, scope)
        if earlier is not None:
            return None  # a comprehension of a comprehension: not one `for`
        generator = written.generators[0]
        value = ast.copy_location(
            type(written)(
                elt=written.elt,
                generators=[
                    ast.comprehension(
                        target=generator.target,
                        iter=value,
                        ifs=generator.ifs,
                        is_async=generator.is_async,
                    )
                ],
            ),
            written,
        )
    if calls_builtin(value, scope, *_SAME_ITEMS) and len(value.args) == 1:
        value = value.args[0]
    if isinstance(value, ast.ListComp | ast.GeneratorExp | ast.SetComp):
        return value
    return None


def _module_attribute_read(
    expression: ast.expr, scope: Scope, index: PackageIndex, depth: int
) -> tuple[str, ast.Call, Scope] | None:
    """What a module ``importlib`` imports is read for: the name, the import call, its scope.

    ``module.router`` -> ``"router"``.
    """
    if depth > _MAX_RUN_TIME_DEPTH:
        return None
    if isinstance(expression, ast.Name):
        binding = scope.lookup(expression.id)
        item = _comprehension_item(expression.id, scope, expression) if binding is None else None
        if item is not None:
            return _module_attribute_read(item[0], scope, index, depth + 1)
        if binding is None or binding.kind != "value" or binding.node is None:
            return None
        if not isinstance(binding.node, ast.Call | ast.Attribute):
            return None
        return _module_attribute_read(binding.node, binding.scope, index, depth + 1)
    if isinstance(expression, ast.Call):  # `getattr(module, "router", None)`
        expression = getattr_read(expression, scope) or expression
    if not isinstance(expression, ast.Attribute):
        return None
    found = _run_time_module(expression.value, scope, index)
    return (expression.attr, *found) if found is not None else None


def _run_time_module(
    expression: ast.expr, scope: Scope, index: PackageIndex
) -> tuple[ast.Call, Scope] | None:
    """The ``importlib.import_module(...)`` call a name (or the expression) is, with its scope."""
    if isinstance(expression, ast.Name):
        binding = scope.lookup(expression.id)
        item = _comprehension_item(expression.id, scope, expression) if binding is None else None
        if item is not None:
            expression = item[0]
        elif binding is None or binding.kind != "value" or not isinstance(binding.node, ast.Call):
            return None
        else:
            expression, scope = binding.node, binding.scope
    if isinstance(expression, ast.Call) and (
        index.qualify(expression.func, scope) in ("importlib.import_module", _LOADED_FROM_SPEC)
        or _imports_leaf(expression, scope)
    ):
        return expression, scope
    return None


def _imports_leaf(call: ast.Call, scope: Scope) -> bool:
    """Whether ``call`` is the builtin ``__import__`` given a ``fromlist``, as import_module.

    ``__import__("core.router.{}".format(m), globals(), locals(), ["router"], 0)`` returns the
    module named (without a ``fromlist``, the top package).
    """
    if not builtin_import(call, scope):
        return False
    fromlist = call_argument(call, 3, "fromlist")
    return isinstance(fromlist, ast.List | ast.Tuple) and bool(fromlist.elts)


# Calls listing a folder's modules (or files), by whether they list its subfolders' too.
_LISTINGS = {
    "pkgutil.iter_modules": False,
    "pkgutil.walk_packages": True,
    "os.listdir": False,
    "os.scandir": False,
}
# Those that list modules only: one of a folder not known leaves the listed package unknown
# (a listing of files may be of anything, as a folder of templates: only a known one counts).
_MODULE_LISTINGS = frozenset({"pkgutil.iter_modules", "pkgutil.walk_packages"})
# `<folder>.glob("*.py")`, `<folder>.iterdir()`: a folder's files, when the folder is known;
# by whether they list its subfolders' too (`rglob`).
_FOLDER_LISTINGS = {"glob": False, "iterdir": False, "rglob": True}
# Calls giving the path they are given, in another form.
_SAME_PATH = frozenset(
    {"os.path.abspath", "os.path.realpath", "os.path.normpath", "os.fspath", "str"}
    | {"pathlib.Path", "pathlib.PurePath"}
)
_SAME_PATH_METHODS = frozenset({"resolve", "absolute"})
_PARENT_PATH = frozenset({"os.path.dirname"})
_JOINED_PATH = frozenset({"os.path.join"})


def _package_listed_in_scopes(
    scope: Scope, index: PackageIndex, modules: list[str], values: LoopValues
) -> tuple[str, bool, str | None] | None:
    """The one package whose folder is listed where the include runs, whether deeply, a pattern.

    The pattern a folder's ``glob`` lists its entries by (``"*.py"``: its module files, not
    its subpackages), when one lists it not deeply; else None (every entry).

    ``pkgutil.iter_modules(<folder>)`` (or ``walk_packages``, which lists its subfolders too),
    ``os.listdir(<folder>)``, ``<folder>.glob("*.py")`` (``rglob``: deeply): looked for in the
    function making the include, else in the scopes around it; the folder as :func:`_path_of`
    tells it. A ``pkgutil`` listing of a folder not known statically (or two different folders)
    leaves it unknown. ``values`` hold the parameters of ``scope`` for one call of it; a
    function calling itself on each listed subpackage lists them deeply.
    """
    current: Scope | None = scope
    while current is not None:
        listed: set[tuple[str, bool, str | None] | None] = set()
        held = values if current is scope else {}
        for node in ast.walk(current.node):
            if not isinstance(node, ast.Call):
                continue
            qualified = index.qualify(node.func, current)
            if qualified in _LISTINGS:
                path = call_argument(node, 0, "path")
                folder = None if path is None else _path_of(path, current, index, modules, 0, held)
                if folder is not None and not folder[0]:
                    folder = None  # the project's root: no package of it
                if path is not None and folder is not None and not folder[1]:
                    deep = _LISTINGS[qualified] or bool(
                        names_in(path) & _recursing_listing(current, index, modules)
                    )
                    listed.add((folder[0], deep, None))
                elif qualified in _MODULE_LISTINGS:
                    listed.add(None)
            elif qualified in _GLOBS:
                # `glob.glob(os.path.join(here, "*", "routes.py"))`: the folder `here`, by a
                # pattern of its files or of a file in each subfolder.
                globbed = _glob_pattern(call_argument(node, 0, "pathname"), current, index)
                folder = None
                if globbed is not None and _module_pattern(globbed[2]):
                    folder = _path_of(globbed[0], globbed[1], index, modules, 0, held)
                if globbed is not None and folder is not None and folder[0] and not folder[1]:
                    listed.add((folder[0], False, globbed[2]))
            elif (
                isinstance(node.func, ast.Attribute)
                and node.func.attr in _FOLDER_LISTINGS
                and _lists_modules(node)
            ):
                # Any object may have a `glob` method: only a known folder's counts.
                # The pattern is a literal string or none (see `_lists_modules`); its leading
                # folders name a folder below (`glob("api/*.py")`: the folder's `api`).
                pattern = call_argument(node, 0, "pattern")
                text = pattern.value if isinstance(pattern, ast.Constant) else None
                below, text = _pattern_below(text) if isinstance(text, str) else ([], text)
                base = node.func.value
                for word in below:
                    base = ast.copy_location(ast.BinOp(base, ast.Div(), ast.Constant(word)), base)
                folder = _path_of(base, current, index, modules, 0)
                if folder is not None and folder[0] and not folder[1]:
                    deep = _FOLDER_LISTINGS[node.func.attr]
                    listed.add(
                        (folder[0], deep, text if isinstance(text, str) and not deep else None)
                    )
        if listed:
            return listed.pop() if len(listed) == 1 else None
        current = current.parent
    return None


def _the_loop_binding(
    included: ast.expr, scope: Scope, kind: type[ast.Call] | type[ast.Name]
) -> ast.For | ast.AsyncFor | None:
    """The one loop of ``scope`` over a ``kind`` that binds the name ``included``, else None.

    ``for router in <iterable>: app.include_router(router)``, ``<iterable>`` a ``kind``: that
    loop, when it is the only such loop of the scope binding that name.
    """
    if not isinstance(included, ast.Name):
        return None
    loops = [
        loop
        for loop in block_statements(scope.node.body)
        if isinstance(loop, ast.For | ast.AsyncFor)
        and isinstance(loop.target, ast.Name)
        and loop.target.id == included.id
        and isinstance(loop.iter, kind)
    ]
    return loops[0] if len(loops) == 1 else None


def _yielded_in_loop(
    included: ast.expr, scope: Scope, index: PackageIndex
) -> list[tuple[ast.expr, Scope]]:
    """What a generator of the package yields, when the one loop binding ``included`` runs it.

    ``for router in get_routers(): app.include_router(router)``, ``get_routers`` yielding
    ``module.router`` for each module a folder listing imports: each ``yield``'s value, with
    the generator's scope it is read in. Empty for anything else.
    """
    loop = _the_loop_binding(included, scope, ast.Call)
    if loop is None or not isinstance(loop.iter, ast.Call):
        return []
    iterated = loop.iter
    generator = index.defined(iterated.func, scope)
    if generator is None or not isinstance(generator.node, FunctionNode):
        return []
    body = Scope(generator.node, generator.scope.module, generator.scope)
    return [
        (node.value, body)
        for node in ast.walk(generator.node)
        if isinstance(node, ast.Yield) and node.value is not None
    ]


def _appended_in_loops(
    included: ast.expr, scope: Scope, index: PackageIndex
) -> list[tuple[ast.expr, Scope]]:
    """What a loop's list gets appended in other loops, when that is all it ever gets.

    ``routers = []``, then ``routers.append(getattr(module, "router"))`` in a loop over a
    folder's modules, then ``for r in routers: include_router(r)``: ``getattr(module,
    "router")``, with the scope it is read in (where it is appended). The list is the loop's
    scope's own, or a module-level one of another module the loop's imports
    (``from app.routers import routers``, filled by the package's ``__init__``) and reads
    nowhere else. Empty for anything else: a list written with items, changed another way, or
    read elsewhere.
    """
    the_loop = _the_loop_binding(included, scope, ast.Name)
    if the_loop is None or not isinstance(the_loop.iter, ast.Name):
        return []
    listed = the_loop.iter
    binding = scope.lookup(listed.id)
    owner = scope
    if binding is not None and binding.kind == "import":
        if any(
            isinstance(node, ast.Name) and node.id == listed.id and node is not listed
            for node in ast.walk(scope.module.tree)
            if not isinstance(getattr(node, "ctx", None), ast.Store)
        ):
            return []  # read (changed, passed on) elsewhere where it is imported
        binding = index.binding_of(listed, scope)
        if binding is None or binding.scope.parent is not None:
            return []
        owner = binding.scope
    if (
        not bound_once(binding)
        or binding.scope.node is not owner.node
        or not isinstance(binding.node, ast.List)
        or binding.node.elts
    ):
        return []
    name = binding.name
    appended: list[tuple[ast.expr, Scope]] = []
    accounted = {id(listed)}
    for loop in block_statements(owner.node.body):
        if not isinstance(loop, ast.For | ast.AsyncFor) or loop is the_loop:
            continue
        for statement in block_statements(loop.body):
            call = statement.value if isinstance(statement, ast.Expr) else None
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "append"
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id == name
                and len(call.args) == 1
                and not call.keywords
                and id(call.func.value) not in accounted
            ):
                accounted.add(id(call.func.value))
                appended.append((call.args[0], owner))
    for node in ast.walk(owner.node):
        # Read or changed anywhere else (passed on, extended): its items are not all seen.
        if (
            isinstance(node, ast.Name)
            and node.id == name
            and id(node) not in accounted
            and not isinstance(node.ctx, ast.Store)
        ):
            return []
    return appended


def _listing_parameters(scope: Scope, index: PackageIndex) -> frozenset[str]:
    """The parameters of the function ``scope`` its folder listings read (``package.__path__``)."""
    if not isinstance(scope.node, FunctionNode):
        return frozenset()
    read: set[str] = set()
    for node in ast.walk(scope.node):
        if isinstance(node, ast.Call) and index.qualify(node.func, scope) in _LISTINGS:
            path = call_argument(node, 0, "path")
            read |= set() if path is None else names_in(path)
    return frozenset(
        name
        for name in read
        if (binding := scope.bindings.get(name)) is not None and binding.kind == "param"
    )


def _imported_parameters(included: ast.expr, scope: Scope, index: PackageIndex) -> frozenset[str]:
    """The parameters of the function ``scope`` naming the module its include's router is of.

    ``def include(path, prefix): module = __import__(path, fromlist=["router"]);
    app.include_router(module.router, prefix=prefix)``: each call's module, with its prefix.
    """
    read = _module_attribute_read(included, scope, index, 0)
    if read is None or read[2] is not scope or not isinstance(scope.node, FunctionNode):
        return frozenset()
    name = call_argument(read[1], 0, "name")
    return frozenset(
        found
        for found in (set() if name is None else names_in(name))
        if (binding := scope.bindings.get(found)) is not None and binding.kind == "param"
    )


def _recursing_listing(scope: Scope, index: PackageIndex, modules: list[str]) -> frozenset[str]:
    """The listed parameters the function ``scope`` calls itself with each listed module for.

    ``def include_router(package, parent): for info in iter_modules(package.__path__): module =
    import_module(...); ... include_router(module, parent)``: a listing of the subfolders too,
    when every such call passes its other parameters on as they are (the same router).
    """
    listing = _listing_parameters(scope, index)
    if not listing:
        return frozenset()
    calls = _calls_of(scope, index, modules)
    own = [(call, where) for call, where in calls if where.node is scope.node]
    if not own:
        return frozenset()
    for call, where in own:
        for name, parameter in scope.bindings.items():
            if parameter.kind != "param":
                continue
            argument = passed_for(call, where, parameter)
            if argument is None:
                return frozenset()
            if name in listing:
                if _run_time_module(argument[0], where, index) is None:
                    return frozenset()
            elif not (isinstance(argument[0], ast.Name) and argument[0].id == name):
                return frozenset()
    return listing


def _lists_modules(call: ast.Call) -> bool:
    """Whether a ``glob``/``iterdir`` call may list a folder's modules (``glob("*.py")``)."""
    pattern = call_argument(call, 0, "pattern")
    if pattern is None:
        return True
    return (
        isinstance(pattern, ast.Constant)
        and isinstance(pattern.value, str)
        and _module_pattern(_pattern_below(pattern.value)[1])
    )


def _pattern_below(pattern: str) -> tuple[list[str], str]:
    """The folders a glob pattern starts with, written out, and the pattern below them.

    ``"api/*.py"``: ``["api"]`` and ``"*.py"``; ``"*/routes.py"``: none, and the pattern.
    """
    words = pattern.split("/")
    first = next((at for at, word in enumerate(words) if _GLOB_MAGIC.search(word)), len(words))
    if first == 0 or first == len(words) or not all(word.isidentifier() for word in words[:first]):
        return [], pattern
    return words[:first], "/".join(words[first:])


def _module_pattern(pattern: str) -> bool:
    """Whether a glob ``pattern`` may list a folder's modules, each by one entry of it.

    ``*.py`` (its module files), ``*`` (its entries), or ``*/routes.py``: a subfolder's
    module, written out (a wildcard in it may list several modules of one subfolder, a
    ``**`` any depth: which the loop names by the subfolder is not known).
    """
    folder, slash, file = pattern.partition("/")
    if not slash:
        return pattern.endswith(("*", ".py"))
    return (
        bool(folder)
        and "**" not in folder
        and file.endswith(".py")
        and file[:-3].isidentifier()
        and not _GLOB_MAGIC.search(file)
    )


# The glob functions listing the paths a pattern matches (`glob.glob`, its iterator).
_GLOBS = frozenset({"glob.glob", "glob.iglob"})
_GLOB_MAGIC = re.compile(r"[*?\[]")


def _glob_pattern(
    path: ast.expr | None, scope: Scope, index: PackageIndex, depth: int = 0
) -> tuple[ast.expr, Scope, str] | None:
    """The folder a ``glob.glob`` pattern is written under, and the pattern below it.

    ``os.path.join(here, "*", "routes.py")``, ``os.path.join(f"{here}/*", "routes.py")``,
    ``f"{here}/*.py"``, ``here + "/*/routes.py"``, ``str(folder / "*" / "routes.py")``, or a
    name bound once to one: ``here`` (``folder``) with ``"*/routes.py"`` (``"*.py"``). The
    folder is an expression read in the scope returned (a path :func:`_path_of` tells).
    None when not written so, or when a part after the folder is not known statically.
    """
    if path is None or depth > _MAX_RUN_TIME_DEPTH:
        return None
    parts = _path_parts(path, scope, index, depth)
    if parts is None:
        return None
    base, where, written = parts
    words: list[str] = []
    for text in written:
        words.extend(word for word in text.split("/") if word)
    first = next((at for at, word in enumerate(words) if _GLOB_MAGIC.search(word)), None)
    if first is None:
        return None  # no pattern: one path
    folder = base
    for word in words[:first]:
        # `here/api/*.py`: the folder `here / "api"`, as `_path_of` reads a join.
        joined = ast.BinOp(folder, ast.Div(), ast.Constant(word))
        folder = ast.copy_location(joined, base)
    return folder, where, "/".join(words[first:])


def _path_parts(
    path: ast.expr, scope: Scope, index: PackageIndex, depth: int
) -> tuple[ast.expr, Scope, list[str]] | None:
    """A path joined of a folder and strings known statically: the folder, its scope, the rest.

    See :func:`_glob_pattern`: each string is a part of the path, or several joined by ``/``.
    """
    if isinstance(path, ast.Name):
        binding = scope.lookup(path.id)
        if bound_once(binding) and isinstance(binding.node, ast.expr):
            held = _path_parts(binding.node, binding.scope, index, depth + 1)
            if held is not None and held[2]:
                return held
        return path, scope, []
    joined: list[ast.expr] | None = None
    if isinstance(path, ast.Call) and not path.keywords:
        function = path.func
        builtin = isinstance(function, ast.Name) and function.id == "str"
        qualified = "str" if builtin and scope.lookup("str") is None else None
        qualified = qualified or index.qualify(function, scope)
        if qualified in ("str", "os.fspath") and len(path.args) == 1:
            return _path_parts(path.args[0], scope, index, depth + 1)
        if qualified in _JOINED_PATH and path.args:
            joined = list(path.args)
    elif isinstance(path, ast.BinOp) and isinstance(path.op, ast.Div | ast.Add):
        joined = [path.left, path.right]
    elif (
        isinstance(path, ast.JoinedStr)
        and len(path.values) >= 2
        and isinstance(path.values[0], ast.FormattedValue)
        and path.values[0].conversion == -1
        and path.values[0].format_spec is None
    ):
        joined = [path.values[0].value, ast.JoinedStr(path.values[1:])]
    if joined is None or any(isinstance(each, ast.Starred) for each in joined):
        return path, scope, []
    head = _path_parts(joined[0], scope, index, depth + 1)
    if head is None:
        return None
    rest: list[str] = []
    for each in joined[1:]:
        text = index.string_value(each, scope)
        if text is None:
            return None
        rest.append(text)
    added = isinstance(path, ast.BinOp) and isinstance(path.op, ast.Add)
    if (added or isinstance(path, ast.JoinedStr)) and not rest[0].startswith("/"):
        # A string added to the folder's: a part only after a `/` (`here + "/*.py"`).
        return None
    base, where, written = head
    return base, where, [*written, *rest]


def _path_of(
    expression: ast.expr,
    scope: Scope,
    index: PackageIndex,
    modules: list[str],
    depth: int,
    values: LoopValues | None = None,
) -> tuple[str, bool] | None:
    """The module or package a path expression names, and whether it is a module's file.

    ``__path__`` / ``<package>.__path__`` is the package's folder; ``__file__`` /
    ``<module>.__file__`` its file; ``os.path.dirname``/``.parent`` of either the folder
    holding it; ``os.path.join(<folder>, "api")``/``<folder> / "api"`` a package in it. Through
    ``Path(...)``, ``str(...)``, ``.resolve()``, a variable bound once, and a parameter every
    call of its function passes the same path for (``values``: the one call's arguments at
    hand). None when not known statically, or not a folder of the package.
    """
    if depth > _MAX_RUN_TIME_DEPTH:
        return None
    module = scope.module

    def again(node: ast.expr, where: Scope = scope) -> tuple[str, bool] | None:
        return _path_of(node, where, index, modules, depth + 1)

    def package(name: str) -> tuple[str, bool] | None:
        known = any(item.startswith(f"{name}.") for item in modules)
        return (name, False) if name and known else None

    def text(part: ast.expr) -> str | None:
        # A subfolder's name, written out or held by a constant (`ROUTERS = "routers"`).
        return index.string_value(part, scope)

    def parent(path: tuple[str, bool] | None) -> tuple[str, bool] | None:
        if path is None:
            return None
        if path[1]:  # the folder a module's file is in
            model = index.module(path[0])
            if model is None:
                return None
            # A top-level module (`main.py` in the project's root): the root, as above.
            return package(model.package) if model.package else ("", False)
        above = path[0].rpartition(".")[0]
        # A top-level package's folder is in the project's root: "" (a folder, no package),
        # which only a join down into a package of it (`dirname(dirname(__file__)) / "api"`)
        # makes a listed package again.
        return ("", False) if path[0] and not above else package(above)

    if isinstance(expression, ast.List | ast.Tuple):
        return again(expression.elts[0]) if len(expression.elts) == 1 else None
    if isinstance(expression, ast.Name):
        binding = scope.lookup(expression.id)
        if expression.id in ("__path__", "__file__") and (
            binding is None or _extends_own_path(binding, index)
        ):
            if expression.id == "__file__":
                return module.name, True
            return package(module.name) if module.is_package else None
        if values and expression.id in values and binding is not None and binding.kind == "param":
            return again(*values[expression.id])
        if binding is not None and binding.kind == "param":
            return _passed_path(binding, lambda argument: argument, index, modules, depth)
        if bound_once(binding) and isinstance(binding.node, ast.expr):
            return again(binding.node, binding.scope)
        return None
    if isinstance(expression, ast.Attribute):
        held = expression.value
        binding = scope.lookup(held.id) if isinstance(held, ast.Name) else None
        if binding is not None and binding.kind == "param":
            # `def register(app, package): iter_modules(package.__path__)`: each call's package.
            def read(argument: ast.expr, attr: str = expression.attr) -> ast.expr:
                return ast.copy_location(ast.Attribute(argument, attr, ast.Load()), argument)

            if values and binding.name in values:  # the call at hand's package
                item, where = values[binding.name]
                return again(read(item), where)
            return _passed_path(binding, read, index, modules, depth)
        if expression.attr in ("__path__", "__file__"):
            imported = _run_time_module(expression.value, scope, index)
            if imported is not None:
                argument = call_argument(imported[0], 0, "name")
                name = index.string_value(argument, imported[1])
                if name is None and argument is not None:
                    name = _passed_module_name(argument, imported[1], index, modules)
            else:
                name = index.qualify(expression.value, scope)
            if name is None:
                return None
            if expression.attr == "__file__":
                return (name, True) if index.module(name) is not None else None
            return package(name)
        if expression.attr == "parent":
            return parent(again(expression.value))
        return None
    if isinstance(expression, ast.BinOp) and isinstance(expression.op, ast.Div):
        return _joined(again(expression.left), [expression.right], package, text)
    if not isinstance(expression, ast.Call) or expression.keywords:
        return None
    function = expression.func
    if isinstance(function, ast.Attribute) and function.attr in _SAME_PATH_METHODS:
        return again(function.value) if not expression.args else None
    if isinstance(function, ast.Attribute) and function.attr == "joinpath":
        return _joined(again(function.value), expression.args, package, text)
    is_str = isinstance(function, ast.Name) and function.id == "str" and not scope.lookup("str")
    qualified = "str" if is_str else index.qualify(function, scope)
    if not expression.args:
        return None
    if qualified in _SAME_PATH and len(expression.args) == 1:
        return again(expression.args[0])
    if qualified in _PARENT_PATH and len(expression.args) == 1:
        return parent(again(expression.args[0]))
    if qualified in _JOINED_PATH:
        return _joined(again(expression.args[0]), expression.args[1:], package, text)
    return None


def _extends_own_path(binding: Binding, index: PackageIndex) -> bool:
    """Whether ``binding`` is ``__path__ = pkgutil.extend_path(__path__, __name__)``, bound once.

    The package's folder still: ``extend_path`` only adds folders of the same package found
    elsewhere on ``sys.path`` (the other portions of a package split across installs).
    """
    value = binding.node
    return (
        binding.name == "__path__"
        and bound_once(binding)
        and isinstance(value, ast.Call)
        and index.qualify(value.func, binding.scope) == "pkgutil.extend_path"
        and bool(value.args)
        and isinstance(value.args[0], ast.Name)
        and value.args[0].id == "__path__"
    )


def _passed_module_name(
    argument: ast.expr, scope: Scope, index: PackageIndex, modules: list[str]
) -> str | None:
    """The module name a parameter holds for every call of its function, else None.

    ``def include_routers(app, package="app.routes"): pkg = import_module(package)``, called
    with the same name each time (or with none: the default).
    """
    binding = scope.lookup(argument.id) if isinstance(argument, ast.Name) else None
    if binding is None or binding.kind != "param":
        return None
    passed = _passed_arguments(index, modules)(binding)
    if not passed:
        return None  # called nowhere in the package
    names = {index.string_value(value, where) for value, where in passed}
    return names.pop() if len(names) == 1 else None


def _passed_path(
    parameter: Binding,
    read: Callable[[ast.expr], ast.expr],
    index: PackageIndex,
    modules: list[str],
    depth: int,
) -> tuple[str, bool] | None:
    """The path (see :func:`_path_of`) every call of a function passes, ``read`` off its argument.

    None when the function is called nowhere in the package, or calls pass different paths or
    one not known statically.
    """
    arguments = _passed_arguments(index, modules)(parameter)
    if not arguments:
        return None
    found = {
        _path_of(read(argument), where, index, modules, depth + 1) for argument, where in arguments
    }
    return found.pop() if len(found) == 1 else None


def _joined(
    folder: tuple[str, bool] | None,
    parts: list[ast.expr],
    package: Callable[[str], tuple[str, bool] | None],
    text: Callable[[ast.expr], str | None],
) -> tuple[str, bool] | None:
    """The package a folder's literal subfolder names (``<folder> / "api" / "v1"``).

    ``..`` goes up a folder (``os.path.join(os.path.dirname(__file__), "../modules")``), ``.``
    stays. ``text`` reads a part's string (a constant's too).
    """
    if folder is None or folder[1]:
        return None
    name = folder[0]
    for part in parts:
        written = text(part)
        if written is None:
            return None
        for segment in written.strip("/").split("/"):
            if segment == ".":
                continue
            if segment == "..":
                if not name:
                    return None  # above the project's root
                name = name.rpartition(".")[0]
                continue
            if not segment.isidentifier():
                return None
            name = f"{name}.{segment}" if name else segment
    return package(name)


def _unknown_prefix(
    where: str,
    prefix: ast.expr,
    included: ast.expr,
    defaults: SettingsDefaults,
    passed: list[str] | None = None,
) -> str:
    """The line saying an include prefix is not known, and why when a settings read says so.

    ``passed``: the arguments (and where) a helper's calls pass for the parameters it is made
    of, when only those calls' prefixes are not known (the others are read).
    """
    written = ast.unparse(prefix)
    # The settings reads the prefix is made of, whole (`settings.API` is not in `settings.API_V2`).
    reads = {ast.unparse(node) for node in ast.walk(prefix) if isinstance(node, ast.Attribute)}
    why = "".join(f" ({reason})" for read, reason in defaults.unknown.items() if read in reads)
    calls = list(dict.fromkeys(passed or []))
    if calls:
        why += f" for the call{'s' if len(calls) > 1 else ''} passing {', '.join(calls)}"
    return (
        f"{where}: include prefix `{written}` is only known at run time{why}: "
        f"the routes of `{ast.unparse(included)}` are logged without it"
    )


def _passed_for_prefix(prefix: ast.expr | None, scope: Scope, values: LoopValues) -> list[str]:
    """The arguments one call of the function ``scope`` passes for the parameters of ``prefix``.

    As words naming where, ```compute()` (app/main.py:24)``; none when ``prefix`` reads no
    parameter a call passes (a loop's name, a settings read).
    """
    return [
        f"`{ast.unparse(argument)}` ({where})"
        for argument, where in _arguments_for_prefix(prefix, scope, values)
    ]


def _arguments_for_prefix(
    prefix: ast.expr | None, scope: Scope, values: LoopValues
) -> list[tuple[ast.expr, str]]:
    """Each argument a call passes for a parameter ``prefix`` reads, with its ``path:line``."""
    if prefix is None or not isinstance(scope.node, FunctionNode):
        return []
    found: list[tuple[ast.expr, str]] = []
    for name in sorted(names_in(prefix, read=True)):
        binding = scope.bindings.get(name)
        if binding is None or binding.kind != "param" or name not in values:
            continue
        argument, where = values[name]
        if argument is binding.node or not hasattr(argument, "lineno"):
            continue
        found.append((argument, f"{where.module.path}:{argument.lineno}"))
    return found


def _default_read_at(
    default: SettingsDefault, where: str, prefix: ast.expr | None, scope: Scope, values: LoopValues
) -> str:
    """Where the settings read ``default`` describes is written: the call passing it, or ``where``.

    ``def include(app, module, prefix): app.include_router(module.router, prefix=prefix)``
    called as ``include(app, users, settings.API_PREFIX)``: the call, as the line of a prefix
    only known at run time names it (also one passing a name bound to the read); the include's
    own line (``where``) for a read written in the helper.
    """
    arguments = _arguments_for_prefix(prefix, scope, values)
    if prefix is None or not arguments or _writes(prefix, default.expression):
        return where
    return next(
        (at for argument, at in arguments if _writes(argument, default.expression)),
        arguments[0][1],
    )


def _writes(expression: ast.expr, written: str) -> bool:
    """Whether ``expression`` holds a part written as ``written`` (``settings.API_PREFIX``)."""
    return any(ast.unparse(node) == written for node in ast.walk(expression))


def _mount(
    call: ast.Call,
    included: ast.expr,
    scope: Scope,
    values: LoopValues,
    index: PackageIndex,
    modules: list[str],
    defaults: SettingsDefaults,
    notes: Notes,
    copied: bool,
    discovered: RouterKey | None = None,
) -> tuple[RouterKey, Mount] | None:
    """The router one ``include_router`` call includes and how, the loop names it reads set.

    A classy-fastapi instance's ``.router`` is recorded under its class, with the prefix the
    instance gives its router after the call's own (the class's routes declare none); one only
    known at run time adds nothing, and ``notes`` gets a line naming the call. ``copied``: the
    call stands for routes copied into the including object (see :func:`route_copies`), which
    adds no prefix of its own to them.
    """
    router = None if discovered else substituted(included, scope, values, index)
    if (
        router is None
        and not discovered
        and isinstance(included, ast.Call)
        and substituted(included.func, scope, values, index) == (included.func, scope)
    ):
        # `include_router(create_routes(rag, args.top_k))` in a function its callers pass
        # `args` to: the router the function returns, whatever its arguments (a router it
        # builds of them has a prefix only known at run time).
        router = included, scope
    if router is not None:
        # `Cls.router()` of a fastapi-router-controller resource: the router its controller got.
        router = controller_router(*router, index) or router
        # `router = Model(...).router` in another module: that instance's router, read there.
        router = held_instance_read(*router, index) or router
    child = None if router is None else index.binding_of(*router)
    routable = None if router is None else routable_router(*router, index, defaults)
    if discovered is not None:
        # A router of a module found in a folder at run time (see `_discovered_routers`).
        child_key = discovered
    elif router is not None and isinstance(router[0], ast.Call):
        # `app.include_router(build_api_router())`: the router the function builds and returns.
        factory_key = index.factory_router(router[0], router[1])
        if factory_key is None:
            # `for router in ROUTERS.values()` over a dict literal of routers: that item's.
            factory_key = index.router_key(index.held_item(*router))
        if factory_key is None:
            # `app.include_router(Users().get_router())`: a controller's own router.
            factory_key = included_instance_router(*router, index)
        cls = index.defined(router[0].func, router[1])
        if (
            factory_key is None
            and cls is not None
            and cls.kind == "class"
            and index.built_role(router[0], router[1])[0] is Role.ROUTER
        ):
            # `app.include_router(Reports(), prefix="/api")`: an instance of a router class of
            # the package (see `Mounts.only_instance`).
            factory_key = inline_router_key(router[0], router[1])
        if factory_key is None:
            return None
        child_key = factory_key
    elif routable is not None:
        child_key = routable[0]
    elif child is None:
        # `app.include_router(users.route.router)`: the router a class builds for its instance.
        instance_key = None if router is None else included_instance_router(*router, index)
        held = None if instance_key or router is None else constructor_router(*router, index)
        if held is not None:
            # `cinema.router` of `cinema = Module(router=router)`: the router it was given.
            instance_key = index.router_key(index.binding_of(*held))
        if instance_key is None and router is not None:
            # `app.include_router(cog.router)`: the router a library's object holds.
            instance_key = library_object_router(*router, index)
        if instance_key is None:
            return None
        child_key = instance_key
    elif child.kind == "param":
        # `def configure(app, root_router): app.include_router(root_router)`, also an app
        # factory given its router (`create_app(api_router)`): the router every call passes.
        passed = passed_router(child, index, modules)
        if passed is None:
            return None
        child_key = passed[0]
    else:
        # A router (also one a factory builds, or one built in a function: a link of a chain
        # wired there); else a module-level object, or one whose routes cannot be told apart.
        built_key = index.router_key(child)
        if built_key is None and (
            child.scope.parent is not None
            # `app_router = getattr(import_module(f"{name}.router"), "router")`: a router of
            # a module imported at run time, no object of this module.
            or (router is not None and _imported_at_run_time(*router, index, 0))
        ):
            return None
        child_key = built_key or (child.scope.module.name, child.name)
    own_classes = () if router is None else own_class_routers(*router, index)
    prefix: str | None = ""
    given = any(keyword.arg == "prefix" for keyword in call.keywords)
    for keyword in call.keywords:
        if keyword.arg == "prefix":
            spelled = _instance_strings(keyword.value, scope, index, modules, defaults)
            prefix = loop_string(spelled, scope, values, index, defaults)
            if prefix is None:
                prefix = _passed_string(spelled, scope, index, modules, defaults, values)
        elif keyword.arg is None and not given:
            # **options may hold a prefix; not beside `prefix=` (Python refuses it twice).
            prefix = None
    if routable is not None:
        if routable[1] is None:
            notes.append(
                f"{scope.module.path}:{call.lineno}: the prefix the instance behind "
                f"`{ast.unparse(included)}` gives its router is only known at run time: its "
                "routes are logged without it"
            )
        # Unknown, it adds nothing (as an unknown include prefix does): the call's own stays.
        prefix = None if prefix is None else prefix + (routable[1] or "")
    parent_key: RouterKey | None = None
    parent_prefix: str | None = ""
    by_app = False
    parent_local = False
    assert isinstance(call.func, ast.Attribute)
    including = substituted(call.func.value, scope, values, index)
    parent = None if including is None else _including(*including, index)
    if parent is not None and parent.kind == "value" and isinstance(parent.node, ast.Call):
        role, standard = index.built_role(parent.node, parent.scope)
        if role is Role.ROUTER:
            parent_key = index.router_key(parent)
            parent_local = parent.scope.parent is not None
            parent_prefix = router_prefix(parent.node, standard, index, parent.scope, defaults)
            written_prefix = next(
                (keyword.value for keyword in parent.node.keywords if keyword.arg == "prefix"),
                None,
            )
            if parent_prefix is None and standard and parent_local and written_prefix:
                # `api = APIRouter(prefix=config.API_V1_STR)` in `def create_app(config)`:
                # what every call of the function passes (as for an include prefix).
                parent_prefix = _passed_string(
                    written_prefix, parent.scope, index, modules, defaults
                )
            # `api.prefix = "/v1"` above the include: FastAPI adds that one instead.
            assigned = index.assigned_prefixes(parent, scope, call.lineno)
            if assigned:
                parent_prefix = index.string_value(assigned[-1], scope)
        # `app = container.app()` in a factory declared `-> FastAPI` (see `declared_app`).
        by_app = role is Role.APP or index.declared_app(parent)
        if by_app and prefix is not None and not copied:
            # `app.router.prefix = "/api"` above the include: FastAPI adds it to its routes too.
            own = index.app_router_prefix(parent, scope, call.lineno)
            if own is None:
                notes.append(
                    f"{scope.module.path}:{call.lineno}: `{ast.unparse(call.func.value)}.router"
                    ".prefix` is set above to a value only known at run time: the routes of the "
                    "router included here are logged without it"
                )
            prefix = (own or "") + prefix
    elif parent is not None and (router_class := router_class_instance(parent, index)):
        # `self.include_router(...)` in a method of an APIRouter subclass: the router itself,
        # the one instance the package builds of it, under the prefix that instance gets.
        built = only_router_instance(router_class, index, modules)
        if built is not None:
            parent_key, parent_prefix = built
    elif parent is not None and parent.kind == "param":
        # `def init_views(app: FastAPI): app.include_router(...)`: an app, whichever;
        # `def configure_routes(app):` when every call of it in the package passes one.
        # `self.include_router(...)` in a method of a FastAPI subclass: the app itself.
        by_app = (
            _is_app(parent, index)
            or _passed_an_app(parent, index, modules)
            or app_instance_parameter(parent, index)
        )
        if not by_app:
            # `def add_all_sub_routers(router, module): ... router.include_router(...)`
            # called as `add_all_sub_routers(api, v1)`: the router every call passes.
            handed = passed_router(parent, index, modules)
            if handed is not None:
                parent_key, parent_prefix = handed
    elif (
        parent is None
        and including is not None
        and (own_router := own_instance_router(*including, index, defaults)) is not None
    ):
        # `self.router.include_router(...)` in a method of a class building `self.router`.
        parent_key, parent_prefix = own_router
    elif parent is None and including is not None:
        # `self.app.include_router(...)` where the class sets `self.app = FastAPI()`, or
        # `self.app = app` of the app its constructor is given.
        by_app = instance_app(*including, index) or _given_an_app(*including, index, modules)
    if copied:
        # The route objects join the list as they are: no prefix of the router they join.
        parent_prefix = ""
    app = None
    if by_app and parent is not None:
        app = app_of(parent, index, modules)
    written = ast.unparse(call.func.value)
    at = (id(scope.node), call.lineno)
    instance = None if router is None else included_instance(*router, index)
    return child_key, Mount(
        parent_key,
        prefix,
        by_app,
        parent_prefix,
        app,
        parent_local,
        written,
        at,
        scope,
        own_classes,
        instance,
    )


def _on_a_replaced_object(call: ast.Call, scope: Scope) -> bool:
    """Whether an include is made on an object its name no longer holds once the body has run.

    ``app = FastAPI()`` twice in a module (tutorial snippets pasted one after another): servers
    import the last app, and what was included in the earlier one is served nowhere. Only a name
    rebound further down at the top of the same body (not in an ``if``) to a value that does not
    wrap it (``app = Wrapper(app)`` keeps serving it), and read by no other variable of the body
    (``draft = app`` may still be mounted), counts.
    """
    if not isinstance(call.func, ast.Attribute) or not isinstance(call.func.value, ast.Name):
        return False
    name = call.func.value.id
    binding = scope.bindings.get(name)
    if binding is None or binding.kind != "value" or not isinstance(binding.node, ast.expr):
        return False
    statement = binding.statement
    if statement is None or statement.lineno <= call.lineno:
        return False
    if not any(top is statement for top in scope.node.body):
        return False
    if wraps_name(binding.node, name, scope):
        return False
    return not any(
        isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
        for other in block_statements(list(scope.node.body))
        if isinstance(other, ast.Assign | ast.AnnAssign) and other.value is not None
        for node in ast.walk(other.value)
    )


def _factory_alias(
    included: ast.expr, scope: Scope, values: LoopValues, index: PackageIndex, key: RouterKey
) -> tuple[RouterKey, Mount] | None:
    """The router a factory builds, as included (without a prefix) by the variable holding it.

    ``api_router = get_api_router()`` then ``app.include_router(api_router)``: the routes and
    includes of the router ``get_api_router`` builds are served where ``api_router`` is. A
    factory called for several variables builds routers served under several paths.
    """
    router = substituted(included, scope, values, index)
    child = None if router is None else index.binding_of(*router)
    if child is None or child.kind != "value" or not isinstance(child.node, ast.Call):
        return None
    built = index.factory_router(child.node, child.scope)
    if built is None or built == key:
        return None
    return built, Mount(key, "", False, "", None, child.scope.parent is not None)


def _including(expression: ast.expr, scope: Scope, index: PackageIndex) -> Binding | None:
    """The object an ``include_router`` call is made on: ``app.router`` is the app's own.

    An app the name is later rebound to a call given it (``app = Wrapper(app)``,
    ``app = gr.mount_gradio_app(app, ...)``) is the app the includes are made on.
    """
    binding = index.binding_of(expression, scope)
    if binding is None and isinstance(expression, ast.Attribute) and expression.attr == APP_ROUTER:
        app = index.binding_of(expression.value, scope)
        if app is not None and _is_app(unwrapped(app), index):
            return unwrapped(app)
    return None if binding is None else unwrapped(binding)


def method_calls(
    model: ModuleModel, method: str, *, names: bool = False
) -> Iterator[tuple[ast.Call, Scope]]:
    """Each ``<x>.<method>(...)`` call of a module, with the scope it runs in.

    With ``names``, calls of a plain name (``method(...)``) too. Calls inside functions (an
    app factory) see the function's names; only the definitions around a line that names
    ``method`` are entered.
    """
    for call, _, scope in _calls_near(model, method, lambda c: called_as(c, method, names=names)):
        yield call, scope


def _calls_near(
    model: ModuleModel, word: str, matches: Callable[[ast.Call], bool]
) -> Iterator[tuple[ast.Call, ast.stmt, Scope]]:
    """Each call of a module that ``matches`` accepts, with its statement and scope.

    Only the statements of :func:`_statements_near` are looked at.
    """
    for statement, scope in _statements_near(model, word, matches):
        for node in _walk_own(statement):
            if isinstance(node, ast.Call) and matches(node):
                yield node, statement, scope


def _statements_near(
    model: ModuleModel, word: str, matches: Callable[[ast.Call], bool]
) -> Iterator[tuple[ast.stmt, Scope]]:
    """The simple statements holding a call ``matches`` accepts on a line naming ``word``.

    Only the definitions around those lines are entered (see :func:`_simple_statements_at`); a
    ``for`` loop's header is yielded, its body apart.
    """
    lines = {
        node.lineno
        for node in model.nodes_near([word])
        if isinstance(node, ast.Call) and matches(node)
    }
    return _simple_statements_at(model, lines, loops=True)


def mounts_before(
    model: ModuleModel,
    index: PackageIndex,
    written: str,
    line: int,
    within: Callable[[Scope], bool],
) -> Iterator[tuple[ast.Call, str]]:
    """Each ``<written>.mount(<path>, ...)`` call before ``line``, with its path, in order.

    Only calls made by the code of a scope ``within`` accepts (the body the app is built in),
    and with a path known statically: Starlette tries an app's routes in the order they were
    added, so such a mount answers every path under its own before what follows it.
    """
    for call, scope in method_calls(model, "mount"):
        assert isinstance(call.func, ast.Attribute)
        if call.lineno >= line or not within(scope) or ast.unparse(call.func.value) != written:
            continue
        path = index.string_value(call_argument(call, 0, "path"), scope)
        if path is not None:
            yield call, path


def called_as(call: ast.Call, method: str, *, names: bool = False) -> bool:
    """Whether ``call`` is ``<x>.<method>(...)``; with ``names``, ``method(...)`` too."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr == method
    return names and isinstance(func, ast.Name) and func.id == method


def _simple_statements_at(
    model: ModuleModel, lines: set[int], *, loops: bool = False
) -> Iterator[tuple[ast.stmt, Scope]]:
    """The simple statements of a module spanning one of ``lines``, each with its scope.

    Only the definitions (functions, classes) around such a line are entered: a module's other
    bodies are never walked. Compound statements are looked into, not yielded; with ``loops``,
    a ``for`` loop whose header spans such a line is yielded too (before its body's).
    """
    if not lines:
        return
    # Sorted, each statement asks for a line in its span by bisection: asking every line, a
    # module of thousands of calls on as many lines was quadratic.
    ordered = sorted(lines)

    def spans(start: int, end: int) -> bool:
        at = bisect.bisect_left(ordered, start)
        return at < len(ordered) and ordered[at] <= end

    pending = [model.scope]
    while pending:
        scope = pending.pop()
        for statement in block_statements(scope.node.body):
            if not spans(statement.lineno, statement.end_lineno or statement.lineno):
                continue
            if isinstance(statement, DEFINITIONS):
                pending.append(Scope(statement, model, scope))
            elif not sub_blocks(statement) or (
                loops
                and isinstance(statement, ast.For)
                and spans(statement.iter.lineno, statement.iter.end_lineno or statement.iter.lineno)
            ):
                yield statement, scope


def _walk_own(statement: ast.stmt) -> Iterator[ast.AST]:
    """The nodes of a statement :func:`_simple_statements_at` yields: a loop's header only.

    The statements of a ``for`` loop's body are yielded apart; its iterable runs once, before.
    """
    return ast.walk(statement.iter if isinstance(statement, ast.For) else statement)


def aliased_calls(model: ModuleModel, method: str) -> Iterator[tuple[ast.Call, Scope]]:
    """The calls of a module made through a name bound to a bound method, as calls of it.

    ``include_api = api_router.include_router`` then ``include_api(users, prefix="/users")``:
    yielded as ``api_router.include_router(users, prefix="/users")`` (a call built for the
    reading, placed where the call is), in the scope of the call. Only a name bound once, to
    that attribute, where the call sees it.
    """
    aliases: dict[str, tuple[ast.expr, ast.Attribute, ast.Call | None]] = {}
    partials = imported_names(model, {_PARTIAL})
    for node in model.nodes_near([method]):
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            continue
        value = node.value
        if isinstance(value, ast.Attribute) and value.attr == method:
            aliases[node.targets[0].id] = (value, value, None)
        elif (
            # `include = functools.partial(app.include_router, prefix="/api")`: its arguments
            # first, then the call's (a keyword the call gives again is the call's).
            isinstance(value, ast.Call)
            and _calls_partial(value.func, model, partials)
            and value.args
            and isinstance(value.args[0], ast.Attribute)
            and value.args[0].attr == method
            and not any(isinstance(item, ast.Starred) for item in value.args)
            and all(keyword.arg is not None for keyword in value.keywords)
        ):
            aliases[node.targets[0].id] = (value, value.args[0], value)
    for name, (bound, attribute, partial) in aliases.items():
        for call, scope in method_calls(model, name, names=True):
            if not isinstance(call.func, ast.Name):
                continue
            binding = scope.lookup(name)
            if not bound_once(binding) or binding.node is not bound:
                continue
            function = ast.copy_location(
                ast.Attribute(value=attribute.value, attr=method, ctx=ast.Load()), call.func
            )
            args, keywords = call.args, call.keywords
            if partial is not None:
                given = {keyword.arg for keyword in call.keywords}
                args = [*partial.args[1:], *call.args]
                keywords = [
                    *(keyword for keyword in partial.keywords if keyword.arg not in given),
                    *call.keywords,
                ]
            built = ast.Call(func=function, args=args, keywords=keywords)
            yield ast.copy_location(built, call), scope


_PARTIAL = "functools.partial"


def _calls_partial(function: ast.expr, model: ModuleModel, partials: set[str]) -> bool:
    """Whether ``function`` names ``functools.partial`` (``partial``, ``functools.partial``)."""
    if isinstance(function, ast.Name):
        return function.id in partials
    return (
        isinstance(function, ast.Attribute)
        and function.attr == "partial"
        and isinstance(function.value, ast.Name)
        and "functools" in model.resolved_imports.get(function.value.id, set())
    )


def _maps_of(model: ModuleModel, method: str) -> Iterator[tuple[ast.Call, ast.stmt, Scope]]:
    """Each ``map(<object>.<method>, ...)`` of a module, with its statement and scope."""
    return _calls_near(model, method, lambda node: _maps_method(node, method))


def _maps_method(node: ast.Call, method: str) -> bool:
    return (
        isinstance(node.func, ast.Name)
        and node.func.id == "map"
        and bool(node.args)
        and isinstance(node.args[0], ast.Attribute)
        and node.args[0].attr == method
    )


def lazy_calls(model: ModuleModel, method: str) -> dict[int, bool]:
    """The ``<x>.<method>(...)`` calls a generator expression makes, by whether any may run.

    ``(app.include_router(r) for r in ROUTERS)`` makes its calls only as far as it is
    iterated: a generator every item of which is made (see :func:`~.loops.iterated_to_the_end`)
    makes them all, and is left out; one that is a statement of its own makes none (False);
    one kept, returned, or handed to ``next`` or ``all`` makes some, which only run time tells
    (True). By ``id`` of the call node :func:`method_calls` yields.
    """
    found: dict[int, bool] = {}
    for statement, scope in _statements_near(model, method, lambda call: called_as(call, method)):
        for node in _walk_own(statement):
            if not isinstance(node, ast.GeneratorExp) or iterated_to_the_end(
                node, statement, scope
            ):
                continue
            never = isinstance(statement, ast.Expr) and statement.value is node
            # Its first iterable is evaluated at once; the rest only as items are made.
            lazy: list[ast.AST] = [node.elt, *node.generators[0].ifs]
            for generator in node.generators[1:]:
                lazy += [generator.iter, *generator.ifs]
            for part in lazy:
                for call in ast.walk(part):
                    if isinstance(call, ast.Call) and called_as(call, method, names=False):
                        # Nested generators: one never iterated makes none, whatever holds it.
                        found[id(call)] = found.get(id(call), True) and not never
    return found


def _run_time_include(
    call: ast.Call,
    written: str,
    how: str,
    where: str,
    scope: Scope,
    index: PackageIndex,
    notes: Notes,
    unresolved: list[Unresolved],
) -> None:
    """Say the routers an include ``how`` runs only in part are only known at run time."""
    by_app = _by_an_app(call, scope, {}, index)
    unresolved.append(Unresolved(by_app, False, f"`{written}` at {where}"))
    lost = "" if by_app else f": their routes are logged without the prefixes {_served_under(call)}"
    notes.append(
        f"{where}: the routers `{written}` includes are only known at run time ({how}){lost}"
    )


def maps_run_in_part(model: ModuleModel, method: str) -> Iterator[tuple[ast.Call, Scope]]:
    """Each ``map`` of a bound method whose calls may run in part (see :func:`map_run_in_part`).

    ``next(map(app.include_router, ROUTERS))``, ``routers = map(...)``: which items it is
    called for is only known at run time. Yielded as ``<object>.<method>(<item of map>)`` (a
    call built for the reading, placed where the ``map`` is), in the scope of the statement.
    """
    for node, statement, scope in _maps_of(model, method):
        if map_run_in_part(node, scope, statement):
            item = ast.copy_location(ast.Name(id=MAPPED_ITEM, ctx=ast.Load()), node.args[1])
            built = ast.Call(func=node.args[0], args=[item], keywords=[])
            yield ast.copy_location(built, node), scope


def mapped_calls(model: ModuleModel, method: str) -> Iterator[tuple[ast.Call, Scope]]:
    """The calls ``map`` makes of a bound method, as calls of it.

    ``list(map(app.include_router, ROUTERS))`` calls ``app.include_router(item)`` for each item
    of ``ROUTERS``: yielded as ``app.include_router(<item of map>)`` (a call built for the
    reading, placed where the ``map`` is), in the scope of the statement; the loops around it
    (see :func:`~.loops.loop_values`) bind :data:`~.loops.MAPPED_ITEM` to each item in turn.
    """
    for node, statement, scope in _maps_of(model, method):
        consumed = consumed_map(node, scope, statement)
        if consumed is None:
            continue
        function, items = consumed
        item = ast.copy_location(ast.Name(id=MAPPED_ITEM, ctx=ast.Load()), items)
        built = ast.Call(func=function, args=[item], keywords=[])
        yield ast.copy_location(built, node), scope


def route_copies(model: ModuleModel) -> Iterator[tuple[ast.Call, Scope]]:
    """Each copy of a router's routes into another object, as an ``include_router`` call.

    ``api.routes.extend(users.router.routes)``, ``app.router.routes += users.router.routes``
    and ``api.routes = users.router.routes`` (also ``a.routes + b.routes``, ``list(...)``,
    ``[:]``), as ``api = APIRouter(routes=users.router.routes)`` does, serve the routes where
    ``api`` (or ``app``) serves its own, with the paths they were declared with: yielded as
    ``api.include_router(users.router)`` (a call built for the reading, placed where the
    statement is), in the scope of the statement. Routes added from anything else
    (``api.routes.extend(collect())``) come as an include of that expression, which is not
    followed.
    """
    lines = {
        node.lineno
        for node in model.nodes_near([_ROUTES])  # `.routes`, and `routes=`
        if (isinstance(node, ast.Attribute) and node.attr == _ROUTES)
        or (isinstance(node, ast.keyword) and node.arg == _ROUTES)
    }
    for statement, scope in _simple_statements_at(model, lines):
        copy = _copy_parts(statement) or _built_with_routes(statement, scope)
        if copy is None:
            continue
        target, sources = copy
        for source in sources:
            if ast.dump(source) == ast.dump(target):
                continue  # `api.routes = api.routes + other.routes`: its own routes
            function = ast.Attribute(value=target, attr=_INCLUDE_ROUTER, ctx=ast.Load())
            built = ast.Call(
                func=ast.copy_location(function, statement), args=[source], keywords=[]
            )
            yield ast.copy_location(built, statement), scope


def library_includes(model: ModuleModel, index: PackageIndex) -> Iterator[tuple[ast.Call, Scope]]:
    """Each router a library's include method is given, as an ``include_router`` call.

    ``app.generate_and_include_versioned_routers(users.router, items.router)`` (Cadwyn's app,
    see :func:`~.names.library_include`) yields ``app.include_router(users.router)`` and
    ``app.include_router(items.router)``, built for the reading where the call is; the spread
    collections (``*ROUTERS``) their items, as a loop over them. Not a method of a class of the
    package (its body is read instead) nor a module's function.
    """

    def matches(call: ast.Call) -> bool:
        return isinstance(call.func, ast.Attribute) and library_include(call.func.attr)

    for call, statement, scope in _calls_near(model, "include", matches):
        assert isinstance(call.func, ast.Attribute)
        receiver = call.func.value
        if index.method_called(call.func, scope) is not None:
            continue
        if isinstance(receiver, ast.Name):
            binding = scope.lookup(receiver.id)
            if binding is not None and binding.kind == "import":
                continue  # `helpers.include_all_routers(app)`: a module's function
        spread = False
        for router in call.args:
            if isinstance(router, ast.Starred):
                # `(*ROUTERS)`: each item in turn (of every list spread there), bound to the
                # name the loops around the built call give it (see `loops.loop_values`).
                if spread:
                    continue
                spread = True
                router = ast.copy_location(ast.Name(id=MAPPED_ITEM, ctx=ast.Load()), router)
            function = ast.Attribute(value=receiver, attr=_INCLUDE_ROUTER, ctx=ast.Load())
            built = ast.Call(func=ast.copy_location(function, call), args=[router], keywords=[])
            yield ast.copy_location(built, statement), scope


def _copy_parts(statement: ast.stmt) -> tuple[ast.expr, list[ast.expr]] | None:
    """What a statement copies routes into and the objects whose routes it copies, or None."""
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        function = call.func
        if (
            isinstance(function, ast.Attribute)
            and function.attr == "extend"
            and len(call.args) == 1
            and not call.keywords
        ):
            target, value = function.value, call.args[0]
        else:
            return None
    elif isinstance(statement, ast.AugAssign) and isinstance(statement.op, ast.Add):
        target, value = statement.target, statement.value
    elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target, value = statement.targets[0], statement.value
    else:
        return None
    if not (isinstance(target, ast.Attribute) and target.attr == _ROUTES):
        return None
    sources = _routes_owners(value)
    if not sources and not isinstance(statement, ast.Assign) and not _empty(value):
        # `api.routes.extend(collect())`: routes of routers not known statically join `api`;
        # read as an include of what is not followed, the routers found included nowhere are
        # said to be maybe served through it (not to be served by no app).
        return target.value, [value]
    if not sources:
        return None
    return target.value, sources


def _built_with_routes(statement: ast.stmt, scope: Scope) -> tuple[ast.expr, list[ast.expr]] | None:
    """A router or app built with another's routes, and the objects whose routes it takes.

    ``api = APIRouter(routes=users.router.routes)`` (or ``FastAPI(routes=...)``, also through a
    variable of the scope holding them: ``copied = users.router.routes``) serves those routes
    with the paths they were declared with, as a copy into ``api`` does.
    """
    if not (
        isinstance(statement, ast.Assign | ast.AnnAssign)
        and isinstance(statement.value, ast.Call)
        and len(targets := assigned_targets(statement)) == 1
        and isinstance(targets[0], ast.Name)
    ):
        return None
    for keyword in statement.value.keywords:
        if keyword.arg != _ROUTES:
            continue
        value = keyword.value
        if isinstance(value, ast.Name):
            # `copied = users.router.routes` then `APIRouter(routes=copied)`.
            binding = scope.lookup(value.id)
            if binding is None or binding.kind != "value" or not isinstance(binding.node, ast.expr):
                return None
            value = binding.node
        sources = _routes_owners(value)
        return (targets[0], sources) if sources else None
    return None


def _empty(value: ast.expr) -> bool:
    """Whether ``value`` is an empty list or tuple literal (``routes += []``)."""
    return isinstance(value, ast.List | ast.Tuple) and not value.elts


def _routes_owners(value: ast.expr) -> list[ast.expr]:
    """The objects whose ``.routes`` an expression is made of (none when anything else is)."""
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        left, right = _routes_owners(value.left), _routes_owners(value.right)
        return [*left, *right] if left and right else []
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
        return _routes_owners(value.value)  # `other.routes[:]`
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in ("list", "tuple")
        and len(value.args) == 1
        and not value.keywords
    ):
        return _routes_owners(value.args[0])
    if (
        isinstance(value, ast.GeneratorExp | ast.ListComp)
        and len(value.generators) == 1
        and isinstance(value.elt, ast.Name)
        and isinstance(value.generators[0].target, ast.Name)
        and value.elt.id == value.generators[0].target.id
    ):
        # `(r for r in other.routes if r.path != "/x")`: some of them, each served as copied
        # (one the filter drops gets a call FastAPI never runs, which logs nothing).
        return _routes_owners(value.generators[0].iter)
    if isinstance(value, ast.Attribute) and value.attr == _ROUTES:
        return [value.value]
    return []


def _spelled_keywords(call: ast.Call) -> ast.Call:
    """The call with each ``**{"name": value}`` literal written as keywords (``name=value``).

    ``app.include_router(**{"router": users.router, "prefix": "/api"})`` passes what
    ``app.include_router(router=users.router, prefix="/api")`` does. A dict whose keys are not
    all literal names (or that unpacks another) is left as it is: what it holds is not known.
    """
    if not any(
        keyword.arg is None and isinstance(keyword.value, ast.Dict) for keyword in call.keywords
    ):
        return call
    keywords: list[ast.keyword] = []
    for keyword in call.keywords:
        value = keyword.value
        if (
            keyword.arg is None
            and isinstance(value, ast.Dict)
            and all(
                isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and key.value.isidentifier()
                for key in value.keys
            )
        ):
            for key, item in zip(value.keys, value.values, strict=True):
                assert isinstance(key, ast.Constant)
                keywords.append(
                    ast.copy_location(ast.keyword(arg=str(key.value), value=item), item)
                )
        else:
            keywords.append(keyword)
    return ast.copy_location(ast.Call(func=call.func, args=call.args, keywords=keywords), call)


def inline_router_key(call: ast.Call, scope: Scope) -> RouterKey:
    """The router key of a router built in an include call (``include_router(Reports())``)."""
    return scope.module.name, f"{ast.unparse(call)} at line {call.lineno}"


def _included_router(call: ast.Call) -> ast.expr | None:
    """The router an ``include_router`` call includes: its first argument, or ``router=``."""
    if call.args:
        first = call.args[0]
        return None if isinstance(first, ast.Starred) else first
    for keyword in call.keywords:
        if keyword.arg == "router":
            return keyword.value
    return None
