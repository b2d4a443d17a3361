"""Find the FastAPI app wherever it is built, the way FastAPI CLI would, without importing it.

The plan's ``app`` key (or FastAPI CLI's ``[tool.fastapi] entrypoint``) names it as an import
string; otherwise it is discovered: ``main.py`` of the app package first (following a re-export
or a call of an imported factory to where the app is built), then every module of the package.
The result is an :class:`AppSite`, the statement after which the router is included.
"""

import ast
import os
import re
from collections import deque
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import NamedTuple

from telemetry_cli.app_entry import AppEntry
from telemetry_cli.ast_literals import is_main_guard
from telemetry_cli.console import project_folder, quoted
from telemetry_cli.errors import (
    PARSE_ERRORS,
    ConfigError,
    NoAppFound,
    PatchError,
    SeveralApps,
)
from telemetry_cli.patching.docstrings import is_docstring
from telemetry_cli.patching.instances import instance_class
from telemetry_cli.patching.mounts import (
    Mounts,
    RouterKey,
    find_mounts,
    imported_names,
    may_mount,
    mount_calls,
    site_apps,
    versioned_apps,
    versioner_of,
)
from telemetry_cli.patching.names import (
    APP_ROUTER,
    CALL_METHOD,
    HTTP_METHODS,
    IN_PLACE_VERSIONER,
    IN_PLACE_VERSIONERS,
    LIST_ADDITIONS,
    ROUTE_SNAPSHOTS,
    ROUTES_LIST,
    ROUTING_METHODS,
    SERVER_CALLS,
    SERVER_PACKAGES,
    STARLETTE_CLASSES,
    library_include,
)
from telemetry_cli.patching.settings import SettingsDefaults
from telemetry_cli.patching.symbols import (
    DEFINITIONS,
    Binding,
    FunctionNode,
    ModuleModel,
    PackageIndex,
    Role,
    Scope,
    assigned_targets,
    assigns_name,
    attribute_assignments,
    block_statements,
    call_argument,
    call_bound_once,
    instance_parameter,
    is_class_method,
    method_binding,
    single_assignment,
    static_or_class,
    sub_blocks,
    unwrapped,
    wraps_name,
)
from telemetry_cli.plan import DEFAULT_LAYER_PACKAGE, MAIN_MODULE, qualified

#: Modules FastAPI CLI looks for in the backend folder when the package has no app.
_FALLBACK_MODULES = ("main", "app", "api")
#: Folders and files of a package that never build the served app.
_SKIPPED_DIRS = frozenset({"tests", "test", "__pycache__", "node_modules", "site-packages"})
#: A quoted import string, the way code points a server at an app: `"pkg.server:app"`, or an
#: attribute path the server follows (`"pkg.server:service.api"`).
_IMPORT_STRING_BODY = r"([A-Za-z_][\w.]*):([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)"
_IMPORT_STRING = re.compile(f"[\"']{_IMPORT_STRING_BODY}[\"']")
_WHOLE_IMPORT_STRING = re.compile(_IMPORT_STRING_BODY)


class AppSite(NamedTuple):
    """Where the app is built: the statement after which the router is included.

    ``block`` holds ``anchor`` (the module's body, or a function's); ``expression`` is how code
    after the anchor names the app (``app``, ``application``, ``self.app``).
    """

    module: ModuleModel
    expression: str
    anchor: ast.stmt
    block: tuple[ast.stmt, ...]
    line: int  # where the app is built
    label: str  # `app`, `application in create_app()`

    @property
    def key(self) -> tuple[str, int]:
        """Identifies the site: two ways of reaching one app give one key."""
        return self.module.path, self.anchor.lineno


class FoundApp(NamedTuple):
    """The app to wire, and how documents name it."""

    site: AppSite
    entry: AppEntry


def mounted_at(site: AppSite, index: PackageIndex, mounts: Mounts) -> str | None:
    """The literal path a module-level app is mounted at in the one serving it, else None.

    ``api = FastAPI()`` mounted into a plain Starlette app (``app.mount("/api", app=api)``)
    answers ``/api/telemetry/health`` as ``/telemetry/health``, as under a root path.
    """
    if not any(statement is site.anchor for statement in site.module.tree.body):
        return None
    key = index.app_key(site.module.scope.bindings.get(site.expression))
    return mounts.app_prefix(key) or None if key is not None else None


class AppModuleBroken(PatchError):
    """The module that should build the app cannot be read or parsed."""

    def __init__(self, path: str, message: str) -> None:
        """Name the file and why (``message`` is a whole line naming it)."""
        super().__init__(f"{message}; fix it and rerun")
        self.path = path
        self.reason = message


class _Candidate(NamedTuple):
    """One way a module offers an app: a variable, a factory, or an attribute of an object."""

    name: str
    line: int
    site: AppSite | None
    factory: bool = False
    problem: str | None = None
    runs: bool = False  # a function that builds the app and serves it itself
    guarded: bool = False  # a variable only assigned under the `__main__` guard


def find_app(
    plan_app: str | None,
    origin: str,
    app_package: str,
    index: PackageIndex,
    package_dir: Path,
    package_label: str,
    config_name: str,
) -> FoundApp:
    """Find the app of the project.

    Args:
        plan_app: the import string from the plan, or None to discover.
        origin: the key it came from, for messages (``app``, ``[tool.fastapi] entrypoint``).
        app_package: the app package's import name (``app``).
        index: the backend folder's modules.
        package_dir: the app package's folder (to scan when discovering).
        package_label: the same folder as messages show it (``backend/app``).
        config_name: the config file's name, for messages.

    Raises:
        ConfigError: the named app does not exist, no app was found, or several were.
    """
    # A library's class the package uses as its app is one from the start (roles are cached).
    callees = learn_library_apps(plan_app, app_package, package_dir, index)
    if plan_app is not None:
        return _from_import_string(plan_app, origin, index, config_name)
    main_name = qualified(app_package, "main")
    main = index.module(main_name)
    broken = index.failure(main_name)
    if broken is not None:
        raise AppModuleBroken(*broken)
    if main is not None:
        candidates = _candidates(main, index, follow_imports=True)
        if any(candidate.site for candidate in candidates):
            return _choose(main, candidates, index, config_name)
    offers: list[tuple[ModuleModel, list[_Candidate]]] = []
    for module in _scan(app_package, package_dir, index, callees):
        candidates = [item for item in _candidates(module, index) if item.site or item.problem]
        if candidates:
            offers.append((module, candidates))
    if not offers:
        for path, message in index.failures():
            # A module that mentions FastAPI but cannot be parsed may be where the app is.
            raise AppModuleBroken(path, message)
        held = _library_held_offers(app_package, package_dir, index)
        if len(held) == 1:
            return _choose(*held[0], index, config_name)
        for name in _FALLBACK_MODULES:
            fallback = index.module(name)
            if fallback is not None:
                candidates = _candidates(fallback, index, follow_imports=True)
                if candidates:
                    return _choose(fallback, candidates, index, config_name)
        raise NoAppFound(
            f"no FastAPI app found in {project_folder(package_label)} (looked for `FastAPI(...)` "
            'and factory functions that return one); set app = "<module>:<name>" in '
            f"[tool.telemetry-scaffold] of {config_name}"
        )
    offers = _unmounted_offers(offers, index)
    sites = {
        candidate.site.key
        for _, candidates in offers
        for candidate in candidates
        if candidate.site is not None
    }
    if len(sites) <= 1 and len(offers) >= 1:
        # One app, reached from several modules (a factory and the module calling it):
        # name it where a server imports a variable, if any module has one.
        # A module-level name before a class attribute (`FastAPI._app` imports nothing).
        offers.sort(
            key=lambda offer: (
                not any(item.site for item in offer[1]),  # an app over a function hiding one
                not any(not item.factory and "." not in item.name for item in offer[1]),
                not any(not item.factory for item in offer[1]),
            )
        )
        module, candidates = offers[0]
        return _choose(module, candidates, index, config_name)
    served = _named_by_import_string(app_package, package_dir, index, sites)
    if served is not None:
        return served
    # One name for each app (a factory and a cached wrapper of it are one app).
    names: dict[tuple[str, int], str] = {}
    for module, candidates in offers:
        for candidate in candidates:
            if candidate.site is not None:
                names.setdefault(candidate.site.key, f"{module.name}:{candidate.name}")
    listed = ", ".join(names.values())
    raise SeveralApps(
        f"several FastAPI apps found ({listed}); pick one with "
        f'app = "<module>:<name>" in [tool.telemetry-scaffold] of {config_name}'
    )


def _named_by_import_string(
    app_package: str, package_dir: Path, index: PackageIndex, sites: set[tuple[str, int]]
) -> FoundApp | None:
    """The one app of ``sites`` that the package's own code names by an import string.

    ``uvicorn.run("pkg.proxy.server:app", workers=4)`` or a gunicorn/hypercorn setting is how
    a package points its server at the app it serves; an auxiliary app (a metrics endpoint, a
    sidecar, a test double) is not named that way. None unless exactly one app is named.
    """
    if not app_package:
        return None  # top-level modules: any string could name anything
    named: dict[tuple[str, int], FoundApp] = {}
    for name in package_modules(app_package, package_dir):
        source = index.source(name)
        if source is None:
            continue
        strings: list[tuple[str, str]] = []
        if app_package in source.text or MAIN_MODULE in source.text:
            strings = [(found[1], found[2]) for found in _IMPORT_STRING.finditer(source.text)]
        if any(server in source.text for server in SERVER_PACKAGES):
            # `uvicorn.run("server:app")` in app/server.py run from its folder: a tail names
            # the module only in its own server calls (see `_own_import_target`).
            model = index.module(name)
            if model is not None:
                strings += [(name, target) for target in _run_names(model, index)]
        for module_name, attribute in strings:
            if module_name == MAIN_MODULE:
                module_name = name  # `uvicorn.run("__main__:app")`: the module run as a script
            if module_name != app_package and not module_name.startswith(app_package + "."):
                continue
            try:
                found = _from_import_string(f"{module_name}:{attribute}", "app", index, "")
            except (ConfigError, PatchError):
                continue  # names no app (a string that only looks like one)
            if found.site.key in sites:
                named.setdefault(found.site.key, found)
    return next(iter(named.values())) if len(named) == 1 else None


def read_mounts(
    index: PackageIndex,
    modules: list[str],
    site: AppSite | None,
    *,
    removing: bool = False,
    named: Callable[[], frozenset[RouterKey]] | None = None,
) -> Mounts:
    """Read where ``modules`` include routers into ``index.mounts``, as the app at ``site`` serves.

    ``init`` and ``generate`` read the routes a package serves alike: routers (and routes) only
    another app of the package includes are not served by the one built at ``site``, nor by an
    app a server line names (``named`` gives them when asked:
    :func:`~telemetry_cli.run_files.line_served_apps`).
    With no site, or ``removing``, every app's routes count (and those of an app a library
    builds).
    """
    binding = None if site is None else site.module.scope.bindings.get(site.expression)

    def serve(mounts: Mounts) -> None:
        assert site is not None
        # `app = FastAPI()` at the site: that very call builds the app served.
        built = (
            binding is not None
            and isinstance(binding.node, ast.Call)
            and _builds_an_app(binding.node, binding.scope, index)
        )
        apps = site_apps(site.module, site.expression, site.anchor, index)
        mounts.serve(apps, built=built, named=named)

    serving = site is not None and not removing
    mounts = index.mounts = find_mounts(index, modules, serve if serving else None)
    if binding is not None and _from_a_library(binding, index):
        # `from nicegui import app`: the routes declared on that name are the app's own.
        mounts.library_app = index.resolve(binding.target)[0]
    elif binding is not None and binding.kind == "value":
        mounts.serve_variable(binding)
    return mounts


def with_arguments(entry: AppEntry, index: PackageIndex, modules: list[str]) -> AppEntry:
    """The entry, with what a server needs to run a factory that takes arguments.

    ``uvicorn --factory`` calls the factory with none: for ``def create_app(retriever)`` the
    entry gets the parameters it cannot be called without, and what of ``modules`` (dotted
    names) a server can run instead: the first module variable assigned a call of it, once
    (``app = create_app(Retriever())``), else the first module-level function taking no
    arguments that returns one (``def main_app(): return create_app(load())``), a factory
    itself. A factory without such parameters, or an app that is no factory, is returned as
    it is.
    """
    needs = factory_needs(entry, index)
    function = _factory_function(entry, index) if needs else None
    if function is None:
        return entry
    wrapper: str | None = None
    for name in modules:
        source = index.source(name)
        model = None if source is None or function.name not in source.text else index.module(name)
        if model is None:
            continue
        for statement in model.tree.body:
            held = _name_and_value(statement)
            if (
                held is not None
                and model.scope.stores[held[0]] == 1
                and _calls(held[1], function, model.scope, index)
            ):
                served = f"{name}:{held[0]}"
                return entry._replace(needs=needs, served_as=served)
            if (
                wrapper is None
                and isinstance(statement, ast.FunctionDef)
                and statement is not function
                and not required_parameters(statement)
                and _returns_a_call(
                    statement, function, Scope(statement, model, model.scope), index
                )
            ):
                wrapper = f"{name}:{statement.name}"
    if wrapper is not None:
        return entry._replace(needs=needs, served_as=wrapper, served_factory=True)
    return entry._replace(needs=needs)


def factory_needs(entry: AppEntry, index: PackageIndex) -> tuple[str, ...]:
    """The parameters without a default of the factory ``entry`` names; ``()`` for none.

    The one reading of whether a server can call the factory with no arguments, for ``init``
    (which app a server can run) and ``generate`` (:func:`with_arguments`) alike. ``()`` for an
    app that is no factory.
    """
    function = _factory_function(entry, index)
    return () if function is None else required_parameters(function)


def _factory_function(entry: AppEntry, index: PackageIndex) -> FunctionNode | None:
    """The function a factory entry names, through the imports that re-export it.

    ``app:create_app`` with ``app/__init__.py`` saying ``from .factory import create_app``:
    the function ``app/factory.py`` defines is what a server calls. None for an app that is no
    factory, or a name bound to anything but a function of the package.
    """
    # A function serving the app it builds (`def run(host, port)`) is called the same way.
    called = entry.factory or entry.runs in _RUN_FUNCTIONS
    module = index.module(entry.module) if called else None
    binding = None if module is None else _named_binding(module, entry.attribute, index)
    function = None if binding is None else binding.node
    return function if isinstance(function, FunctionNode) else None


def _name_and_value(statement: ast.stmt) -> tuple[str, ast.expr] | None:
    """The name and value of ``app = build(...)`` or ``app: FastAPI = build(...)`` (one name)."""
    assigned = single_assignment(statement)
    if assigned is None or not isinstance(assigned[0], ast.Name):
        return None
    return assigned[0].id, assigned[1]


def _calls(
    value: ast.expr | None, function: FunctionNode, scope: Scope, index: PackageIndex
) -> bool:
    """Whether ``value`` is a call of ``function`` (through the names that import it)."""
    if not isinstance(value, ast.Call):
        return False
    called = index.qualify(value.func, scope)
    target = None if called is None else index.resolve(called)[1]
    return target is not None and target.node is function


def _returns_a_call(
    wrapper: ast.FunctionDef, function: FunctionNode, scope: Scope, index: PackageIndex
) -> bool:
    """Whether ``wrapper`` returns what a call of ``function`` returns.

    ``return create_app(container)``, or ``app = create_app(container)`` then ``return app``.
    """
    held: set[str] = set()
    for statement in block_statements(wrapper.body):
        named = _name_and_value(statement)
        if named is not None and _calls(named[1], function, scope, index):
            held.add(named[0])
        elif isinstance(statement, ast.Return) and (
            _calls(statement.value, function, scope, index)
            or (isinstance(statement.value, ast.Name) and statement.value.id in held)
        ):
            return True
    return False


def required_parameters(function: FunctionNode) -> tuple[str, ...]:
    """The parameters a call of ``function`` must pass (those without a default)."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    required = positional[: len(positional) - len(arguments.defaults)]
    keyword = [
        parameter
        for parameter, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
        if default is None
    ]
    return tuple(parameter.arg for parameter in [*required, *keyword])


def built_apps(module: ModuleModel, index: PackageIndex) -> set[tuple[str, int]]:
    """Where the apps ``module`` builds itself are built (a variable or a factory of its own)."""
    return {
        candidate.site.key for candidate in _candidates(module, index) if candidate.site is not None
    }


def choose_in_module(module: ModuleModel, index: PackageIndex) -> FoundApp:
    """The one app ``module`` builds (or re-exports).

    Raises:
        ConfigError: it has none, or several.
    """
    candidates = _candidates(module, index, follow_imports=True)
    if not candidates:
        raise ConfigError(
            "no FastAPI app found: expected `app = FastAPI(...)` at module level or in a "
            "factory function"
        )
    return _choose(module, candidates, index, "pyproject.toml")


def _from_import_string(value: str, origin: str, index: PackageIndex, config: str) -> FoundApp:
    module_name, _, attribute = value.partition(":")
    head, dot, rest = attribute.partition(".")
    while dot and _submodule_named(index, module_name, head):
        # `pkg:main.app`, `pkg` importing its submodule `main`: the app `pkg.main:app`.
        module_name = f"{module_name}.{head}"
        attribute = rest
        head, dot, rest = attribute.partition(".")
    value = f"{module_name}:{attribute}"
    module = index.module(module_name)
    if module is None:
        failure = index.failure(module_name)
        if failure is not None:
            raise AppModuleBroken(*failure)
        path = module_name.replace(".", "/")
        raise ConfigError(
            f"{origin} = {quoted(value)}: module {module_name} not found ({path}.py or "
            f"{path}/__init__.py in the backend folder); fix {origin} in {config}"
        )
    site, factory = _site_of_attribute(module, attribute, index, origin, value, config)
    # `app = GZipMiddleware(api)` named: routes are added to `api`, what runs is `app`.
    named = _named_binding(module, attribute, index)
    routes_on = (
        f"{site.module.name}:{site.expression}"
        if not factory
        and named is not None
        and (named.scope.module is not site.module or named.name != site.expression)
        and site.expression.isidentifier()
        and any(statement is site.anchor for statement in site.module.tree.body)
        else None
    )
    routes_factory = False
    if routes_on is None and not factory and named is not None:
        # `app = GZipMiddleware(create_app())`: the app is built in a module-level factory.
        built_in = [
            statement
            for statement in site.module.tree.body
            if isinstance(statement, FunctionNode) and statement.body[0] is site.block[0]
        ]
        if built_in and _wraps_a_call_of(named, built_in[0], index):
            routes_on, routes_factory = f"{site.module.name}:{built_in[0].name}", True
    runs: str | None = None
    if not factory:
        runs = _script_run(site, index)  # `app = FastAPI()` under the `__main__` guard
    elif (
        named is not None
        and named.kind == "function"
        and index.function_role(named) is not Role.APP
    ):
        runs = _run_kind(named)  # `def main(): app = FastAPI(); uvicorn.run(app)`
    return FoundApp(
        site,
        AppEntry(
            site.module.path,
            module.name,
            attribute,
            factory and runs is None,
            routes_on,
            routes_factory,
            runs=runs,
        ),
    )


def _wrapped_calls(binding: Binding, index: PackageIndex) -> Iterator[Binding]:
    """What the calls in the arguments of the call ``binding`` is assigned resolve to.

    ``GZipMiddleware(create_app())`` gives ``create_app``'s binding; so does a variable holding
    such a call, given to the wrapper or named again: ``api = create_app()`` then
    ``GZipMiddleware(api)`` or ``app = api``.
    """
    value = binding.node
    if isinstance(value, ast.Call):
        arguments = [*value.args, *(keyword.value for keyword in value.keywords)]
    elif isinstance(value, ast.Name):
        arguments = [value]
    else:
        return
    for argument in arguments:
        for node in ast.walk(argument):
            scope = binding.scope
            held = index.binding_of(node, scope) if isinstance(node, ast.Name) else None
            if held is not None and held.kind == "value" and held is not binding:
                # `api` of `api = create_app()`: that call.
                node, scope = held.node or node, held.scope
            if not isinstance(node, ast.Call):
                continue
            target = index.defined(node.func, scope)
            if target is not None:
                yield target


def _wrapped_app_factories(binding: Binding, index: PackageIndex) -> Iterator[Binding]:
    """The app factories whose result the call ``binding`` is assigned is given."""
    for target in _wrapped_calls(binding, index):
        if _is_app_factory(target, index):
            yield target


def _app_factory(function: ast.expr, scope: Scope, index: PackageIndex) -> Binding | None:
    """The package's app factory ``function`` (a call's callee) names in ``scope``, if it is one."""
    target = index.defined(function, scope)
    return target if target is not None and _is_app_factory(target, index) else None


def _is_app_factory(target: Binding, index: PackageIndex) -> bool:
    """Whether ``target`` is a function of the package that builds an app (a factory)."""
    return target.kind == "function" and index.function_role(target) is Role.APP


def _wraps_a_call_of(binding: Binding, function: FunctionNode, index: PackageIndex) -> bool:
    """Whether ``binding`` is assigned a call given ``function``'s result (``Wrapper(f())``)."""
    return any(target.node is function for target in _wrapped_calls(binding, index))


def _wrapped_unnamed_factory(binding: Binding, index: PackageIndex) -> Binding | None:
    """The app factory ``binding``'s wrapper is given the result of, when it names no app.

    ``app = GZipMiddleware(create_app())`` with ``def create_app(): return FastAPI()``.
    """
    value = binding.node
    if not isinstance(value, ast.Call) or index.built_role(value, binding.scope)[0] is not None:
        return None
    for factory in _wrapped_app_factories(binding, index):
        if _factory_site(factory, index) is None:
            return factory
    return None


def _site_of_attribute(
    module: ModuleModel, attribute: str, index: PackageIndex, origin: str, value: str, config: str
) -> tuple[AppSite, bool]:
    """The site of ``module.attribute``, which the user says is the app or a factory.

    ``attribute`` may be a path, as servers follow it by getattr: ``service.api`` for
    ``service = Service()`` whose class builds ``self.api``; one the model cannot follow is
    refused, never taken for another app.
    """
    where = f"{origin} = {quoted(value)}"
    if "." in attribute:
        head, _, rest = attribute.partition(".")
        try:
            path: ast.expr | None = ast.parse(attribute, mode="eval").body
        except PARSE_ERRORS:
            path = None  # `service.class`: a keyword is no attribute a server can follow
        site = (
            _attribute_site(path, module.scope, index)
            if isinstance(path, ast.Attribute) and "." not in rest
            else None
        )
        if site is not None:
            return site, False
        method = (
            index.method_called(path, module.scope)
            if isinstance(path, ast.Attribute) and "." not in rest
            else None
        )
        if method is not None and index.function_role(method) is Role.APP:
            # `main:Application.create`, a class or static method a server calls as a factory.
            site = _factory_site(method, index)
            if site is None:
                raise ConfigError(_direct_return(method))
            return site, True
        if module.scope.lookup(head) is None:
            raise ConfigError(
                f"{where}: {module.path} has no top-level `{head}`; fix {origin} in {config}"
            )
        raise ConfigError(
            f"{where}: cannot tell which app `{attribute}` is ({head} is not an instance of a "
            f"class of the backend that builds `self.{rest}`); point {origin} at the module "
            "variable or factory function that builds the app"
        )
    binding = _named_binding(module, attribute, index)
    imported = module.scope.bindings.get(attribute)
    if binding is None and imported is not None and _from_a_library(imported, index):
        site = _imported_site(imported)
        if site is not None:
            return site, False
    hook = module.scope.bindings.get(_MODULE_GETATTR) if binding is None else None
    if hook is not None and hook.kind == "function" and _attribute_hooked(hook) == attribute:
        # Built on first access by the module's `__getattr__`: wired where the hook builds it.
        site = _factory_site(hook, index)
        if site is not None:
            return site, False
    if binding is None:
        raise ConfigError(
            f"{where}: {module.path} has no top-level `{attribute}`; fix {origin} in {config}"
        )
    if binding.kind == "function":
        # `def run(): api = Service(); api.serve()`: the app the instance's class builds.
        site = _factory_site(binding, index) or _instance_served(_function_scope(binding), index)
        if site is None:
            raise ConfigError(_direct_return(binding))
        return site, True
    if binding.kind == "value":
        statement = binding.statement
        assert statement is not None and isinstance(binding.node, ast.expr)
        site = _value_site(binding, index, trust=True)
        unnamed = _wrapped_unnamed_factory(binding, index)
        if unnamed is not None and site is not None and site.line == statement.lineno:
            # `app = GZipMiddleware(create_app())`, `create_app` returning `FastAPI()` as is:
            # the wrapper has no include_router, and the factory names no app to wire.
            raise ConfigError(_direct_return(unnamed))
        if site is not None:
            return site, False
    raise ConfigError(
        f"{where}: cannot tell where `{attribute}` is built in {binding.scope.module.path}; "
        f"point {origin} at the module that calls FastAPI(...) or at its factory function"
    )


def _from_a_library(binding: Binding, index: PackageIndex) -> bool:
    """Whether ``binding`` imports a name from outside the backend (``from nicegui import app``)."""
    if binding.kind != "import":
        return False
    return index.from_a_library(*index.resolve(binding.target))


def _imported_site(binding: Binding) -> AppSite | None:
    """The site of an app the user named that a library builds (``from nicegui import app``).

    The app exists once its import has run; it is wired after the run of module-level imports
    holding that import, so that the telemetry import can join them. None for an import inside
    a function or class, or under a condition.
    """
    statement = binding.statement
    block = tuple(binding.scope.module.tree.body)
    if statement is None or not any(top is statement for top in block):
        return None
    anchor = statement
    for top in block[block.index(statement) + 1 :]:
        if not isinstance(top, (ast.Import, ast.ImportFrom)):
            break
        anchor = top
    return AppSite(
        binding.scope.module, binding.name, anchor, block, statement.lineno, binding.name
    )


def _submodule_named(index: PackageIndex, package: str, name: str) -> bool:
    """Whether ``package.name`` is a backend module ``package`` binds as ``name`` or not at all.

    ``from . import main`` in ``package`` binds it (an import); a value of that name does not.
    """
    if index.module(f"{package}.{name}") is None:
        return False
    module = index.module(package)
    binding = None if module is None else module.scope.bindings.get(name)
    return binding is None or binding.kind == "import"


def _named_binding(module: ModuleModel, attribute: str, index: PackageIndex) -> Binding | None:
    """What ``module.attribute`` is bound to, through the imports that re-export it.

    Its module's own binding, else the one a ``from <module> import *`` makes, as Python
    binds it (``__all__`` when given, else public names: :meth:`Scope.lookup`).
    """
    seen: set[str] = set()
    binding = module.scope.lookup(attribute)
    while binding is not None and binding.kind == "import" and binding.target not in seen:
        seen.add(binding.target)
        _, binding = index.resolve(binding.target)
    return binding


def _direct_return(binding: Binding) -> str:
    """Why no site was found in the factory ``binding``, worded for what it returns."""
    function = binding.node
    assert isinstance(function, FunctionNode)
    module = binding.scope.module
    where = f"{module.path}:{function.lineno}: {function.name}()"
    returns = sorted(_own_returns(function), key=lambda node: (node.lineno, node.col_offset))
    values = [node.value for node in returns]  # in the order they are written
    names = list(dict.fromkeys(value.id for value in values if isinstance(value, ast.Name)))
    if len(names) > 1:
        return (
            f"{where} may return any of {', '.join(names)}; return one app (built as app = "
            "FastAPI(...)) so that the telemetry router is included in the app served"
        )
    if names and all(isinstance(value, ast.Name) for value in values):
        # `return served` with `from app.server import app as served`, or a parameter: an app
        # built out of sight of the factory.
        return (
            f"{where} returns `{names[0]}`, which it does not build as an app; point app at "
            "where the app it returns is built, or build it in the factory (app = "
            "FastAPI(...), then return app) so that the telemetry router can be included"
        )
    return (
        f"{where} returns the app without naming it; assign it first (app = FastAPI(...), "
        "then return app) so that the telemetry router can be included"
    )


def _choose(
    module: ModuleModel, candidates: list[_Candidate], index: PackageIndex, config: str
) -> FoundApp:
    """The one app a module offers; several distinct ones are a configuration error."""
    sited = [candidate for candidate in candidates if candidate.site is not None]
    if not sited:
        problem = next(candidate.problem for candidate in candidates if candidate.problem)
        raise ConfigError(problem or f"{module.path}: no FastAPI app found")
    distinct: dict[tuple[str, int], list[_Candidate]] = {}
    for candidate in sited:
        assert candidate.site is not None
        distinct.setdefault(candidate.site.key, []).append(candidate)
    if len(distinct) > 1:
        # A sub-application mounted into another app is served through that app.
        mounted = _mounted_sites([module], index)
        served = {key: group for key, group in distinct.items() if key not in mounted}
        if served:
            distinct = served
    if len(distinct) > 1:
        distinct = _served_by_name(module, distinct)
    if len(distinct) > 1:
        distinct = _named_by_the_module(module, distinct, index)
    if len(distinct) > 1:
        # `def build(): app = create_app(); FastApiMCP(app).mount(); return app`: the app
        # `create_app` builds is wired in `build`, after that call (see `_routes_taken_after`);
        # a factory only another factory of the module calls is not served on its own.
        inner = _called_by_another(module, [item for group in distinct.values() for item in group])
        calling = {
            key: group
            for key, group in distinct.items()
            if not all(item.factory and item.name in inner for item in group)
        }
        if calling:
            distinct = calling
    if len(distinct) > 1:
        listed = ", ".join(f"{group[0].name} (line {group[0].line})" for group in distinct.values())
        raise SeveralApps(
            f"{module.path}: several FastAPI apps ({listed}); pick one with "
            f'app = "{module.name}:<name>" in [tool.telemetry-scaffold] of {config}'
        )
    group = next(iter(distinct.values()))
    inner = _called_by_another(module, group)
    # A module variable first (`app = service.app`), then a factory (the one no other factory
    # of the group calls: `create_app` calling `build_app`), then a class attribute. A variable
    # only the `__main__` guard assigns is no module attribute: a factory of it comes first.
    chosen = sorted(
        group,
        key=lambda candidate: (
            "." in candidate.name,
            candidate.guarded,
            candidate.factory,
            candidate.name in inner,
        ),
    )[0]
    site = chosen.site
    assert site is not None
    return FoundApp(
        site,
        AppEntry(
            site.module.path,
            module.name,
            chosen.name,
            chosen.factory and not chosen.runs,
            runs=_run_kind(module.scope.bindings.get(chosen.name))
            if chosen.runs
            else _script_run(site, index),
        ),
    )


def only_under_main_guard(module: ModuleModel, name: str) -> bool:
    """Whether ``name`` is assigned under the module's ``__main__`` guard and nowhere else."""
    guards = main_guards(module.tree.body)
    unguarded = [statement for statement in module.tree.body if statement not in guards]
    if any(assigns_name(inner, name) for inner in block_statements(unguarded)):
        return False
    guarded = [inner for guard in guards for inner in block_statements(guard.body)]
    return any(assigns_name(inner, name) for inner in guarded)


def _script_run(site: AppSite, index: PackageIndex) -> str | None:
    """``"script"`` when the app at ``site`` is built or given routes under the `__main__` guard."""
    guarded = any(guard.body[0] is site.block[0] for guard in main_guards(site.module.tree.body))
    guarded = guarded or _completed_under_guard(site, index)
    return "script" if guarded else None


def _completed_under_guard(site: AppSite, index: PackageIndex) -> bool:
    """Whether the ``__main__`` guard gives the module-level app at ``site`` routes, then serves it.

    ``app = FastAPI()``, then ``def main(): app.include_router(...); uvicorn.run(app)`` run by
    the guard (itself, through the module's functions, or through a function given the app,
    ``configure_routes(app)``): ``uvicorn main:app`` would serve the app without those routes.
    """
    module = site.module
    name = site.expression
    if not name.isidentifier() or not any(top is site.anchor for top in module.tree.body):
        return False
    guards: list[tuple[ast.AST, Scope]] = [
        (guard, module.scope) for guard in main_guards(module.tree.body)
    ]
    routed = served = False
    for call, canonical, held in _calls_reached(guards, {name}, index, module):
        routed = routed or _routes_app(call, held)
        served = served or _served_by(call, canonical, held)
        if routed and served:
            return True
    return False


def _routes_app(call: ast.Call, held: set[str]) -> bool:
    """Whether ``call`` gives an app of the names ``held`` a route or router.

    A routing method of the app or of its router (``app.include_router(...)``,
    ``app.router.add_api_route(...)``, the ``app.get("/x")`` of a decorator, a library's
    include method, see :func:`~.names.library_include`), or an addition to either's list of
    routes (``app.routes.append(route)``).
    """
    called = call.func
    if not isinstance(called, ast.Attribute):
        return False
    receiver = called.value
    if called.attr in LIST_ADDITIONS:
        if not isinstance(receiver, ast.Attribute) or receiver.attr != ROUTES_LIST:
            return False
        receiver = receiver.value
    elif called.attr not in ROUTING_METHODS and not library_include(called.attr):
        return False
    if isinstance(receiver, ast.Attribute) and receiver.attr == APP_ROUTER:
        receiver = receiver.value
    return isinstance(receiver, ast.Name) and receiver.id in held


def _calls_reached(
    trees: list[tuple[ast.AST, Scope]],
    held: set[str],
    index: PackageIndex,
    module: ModuleModel | None = None,
) -> Iterator[tuple[ast.Call, str | None, set[str]]]:
    """Each call in ``trees``, and in the package's functions they call with an app of ``held``.

    With the name it calls (None: not known) and the names holding the app where it is made.
    A function is followed given the app as a parameter (``configure_routes(app)``), or, one of
    ``module``'s, holding it as its global; once for each set of names.
    """
    pending = [(tree, scope, held) for tree, scope in trees]
    entered: set[tuple[int, frozenset[str]]] = set()
    while pending:
        tree, scope, names = pending.pop()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            qualified = index.qualify(node.func, scope)
            canonical, target = (None, None) if qualified is None else index.resolve(qualified)
            yield node, canonical, names
            if target is None or target.kind != "function" or canonical in SERVER_CALLS:
                continue
            helper = target.node
            assert isinstance(helper, FunctionNode)
            given = _parameters_given(helper, node, names)
            if module is not None and target.scope.module is module:
                given |= held
            if given and (id(helper), frozenset(given)) not in entered:
                entered.add((id(helper), frozenset(given)))
                pending.append((helper, Scope(helper, target.scope.module, target.scope), given))


def _served_by(call: ast.Call, canonical: str | None, held: set[str]) -> bool:
    """Whether ``call`` (of ``canonical``) hands one of the names ``held`` to a server.

    A call counts by what its name is bound to, not by its last name: ``uvicorn.run`` or
    ``from uvicorn import run as serve``, but not ``executor.run(app)``.
    """
    if canonical not in SERVER_CALLS:
        return False
    served = call_argument(call, 0, SERVER_CALLS[canonical])
    return isinstance(served, ast.Name) and served.id in held


def _parameters_given(function: FunctionNode, call: ast.Call, held: set[str]) -> set[str]:
    """The parameters of ``function`` that ``call`` gives one of the names ``held`` to."""
    parameters = [argument.arg for argument in (*function.args.posonlyargs, *function.args.args)]
    return {
        parameters[position]
        for position, argument in enumerate(call.args)
        if position < len(parameters) and isinstance(argument, ast.Name) and argument.id in held
    } | {
        keyword.arg
        for keyword in call.keywords
        if keyword.arg is not None
        and isinstance(keyword.value, ast.Name)
        and keyword.value.id in held
    }


#: What :func:`_run_kind` calls a function that builds the app and serves it itself.
_RUN_FUNCTIONS = frozenset({"def", "async def"})


def _run_kind(binding: Binding | None) -> str | None:
    """How a function serving the app it builds is run: ``"def"``, or ``"async def"`` (awaited)."""
    function = None if binding is None else binding.node
    if isinstance(function, ast.AsyncFunctionDef):
        return "async def"
    return "def" if isinstance(function, ast.FunctionDef) else None


def _served_by_name(
    module: ModuleModel, distinct: dict[tuple[str, int], list[_Candidate]]
) -> dict[tuple[str, int], list[_Candidate]]:
    """The apps of ``module`` a server can be given by name, when one is and the rest cannot.

    ``uvicorn main:app`` and ``fastapi run main.py`` serve the app a module variable holds;
    a factory of the same module is served only when something calls it or names it for a
    server (``uvicorn.run(make())``, ``"main:make"`` with ``factory=True``). So a module
    variable beside factories it never uses (a leftover ``def get_app()``) is the app; two
    variables, or a factory the module does use, stay ambiguous.
    """
    held = [
        key
        for key, group in distinct.items()
        if any(not item.factory and "." not in item.name for item in group)
    ]
    if len(held) != 1:
        return distinct
    others = [group for key, group in distinct.items() if key != held[0]]
    if not all(item.factory for group in others for item in group):
        return distinct  # an attribute app (`service.app`) is another served candidate
    unused = {item.name for group in others for item in group}
    held_names = {item.name for item in distinct[held[0]]}
    # `app = create_app()`, then `Versionizer(app=app)`: the call builds the variable's app,
    # wired where the variable is (see `_routes_taken_after`), not another one; also when only
    # the `__main__` guard assigns it.
    guarded = [statement for guard in main_guards(module.tree.body) for statement in guard.body]
    holding = {
        id(statement.value)
        for statement in [*module.tree.body, *guarded]
        if isinstance(statement, ast.Assign | ast.AnnAssign)
        and len(targets := assigned_targets(statement)) == 1
        and isinstance(targets[0], ast.Name)
        and targets[0].id in held_names
    }
    for node in ast.walk(module.tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in unused
            and id(node) not in holding
        ):
            return distinct  # called: its app may be the one served
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and any(node.value.endswith(f":{name}") for name in unused)
        ):
            return distinct  # named by an import string, as a server's factory
    return {held[0]: distinct[held[0]]}


def _own_import_target(module_name: str, value: str) -> str | None:
    """The attribute path the import string ``value`` names in the module ``module_name`` itself.

    A module points a server at one of its own apps by its dotted name (``"app.main:app"``),
    by a tail of it, as a server started from inside the package folder imports it
    (``"main:app"`` for ``app.main``), or as ``__main__`` (the module run as a script). None
    for any other string, one naming another module included.
    """
    match = _WHOLE_IMPORT_STRING.fullmatch(value)
    if match is None:
        return None
    head, attribute = match.groups()
    if head in (MAIN_MODULE, module_name) or module_name.endswith(f".{head}"):
        return attribute
    return None


def _named_by_the_module(
    module: ModuleModel, distinct: dict[tuple[str, int], list[_Candidate]], index: PackageIndex
) -> dict[tuple[str, int], list[_Candidate]]:
    """The one app ``module`` names for its own server run, when it names exactly one.

    ``uvicorn.run("main:app", reload=True)`` under the ``__main__`` guard says which app the
    module serves, whatever else it builds or calls (``demo = create_app()`` mounting a UI on
    that same app). Only the app argument of a server call (see :data:`SERVER_CALLS`) counts,
    one that runs with the module run as a script: at its top level, in the guard's body, or
    in a function of the module either calls. Any other string (a log message, a dict key, an
    OAuth scope, a helper starting a side app) says nothing of it (see :func:`_run_names`).
    Only a variable bound outside the guard settles it (uvicorn importing the module by name
    never runs the guard): strings naming a factory, apps of several groups, or none leave
    ``distinct`` as it is.
    """
    named = _run_names(module, index)
    if any(item.factory and item.name in named for group in distinct.values() for item in group):
        return distinct  # a factory named for a server (`"main:make"`) may be the one served
    guards = main_guards(module.tree.body)
    unguarded = [statement for statement in module.tree.body if statement not in guards]
    bound = {
        item.name
        for group in distinct.values()
        for item in group
        if item.name in named
        and not item.factory
        and any(
            assigns_name(statement, item.name.partition(".")[0])
            for statement in block_statements(unguarded)
        )
    }
    chosen = [key for key, group in distinct.items() if any(item.name in bound for item in group)]
    if len(chosen) != 1:
        return distinct
    return {chosen[0]: distinct[chosen[0]]}


def _run_names(module: ModuleModel, index: PackageIndex) -> set[str]:
    """The attribute paths the server calls ``module`` runs as a script name in it by string.

    Its top-level statements (not the definitions, run only when called, nor an ``if`` testing
    ``__name__`` but the ``__main__`` guard's own body: an ``else`` of it runs on import), and
    the functions of the module those call (``main()`` run by the guard).
    """
    trees: list[tuple[ast.AST, Scope]] = []
    for statement in module.tree.body:
        if isinstance(statement, ast.If) and is_main_guard(statement.test):
            trees.extend((inner, module.scope) for inner in statement.body)
        elif not isinstance(statement, DEFINITIONS) and not (
            isinstance(statement, ast.If)
            and any(
                isinstance(node, ast.Name) and node.id == "__name__"
                for node in ast.walk(statement.test)
            )
        ):
            trees.append((statement, module.scope))
    named: set[str] = set()
    # Any non-empty set of names follows the module's own functions (see `_calls_reached`).
    for call, canonical, _ in _calls_reached(trees, {"__name__"}, index, module):
        if canonical not in SERVER_CALLS:
            continue
        served = call_argument(call, 0, SERVER_CALLS[canonical])
        if isinstance(served, ast.Constant) and isinstance(served.value, str):
            target = _own_import_target(module.name, served.value)
            if target is not None:
                named.add(target)
    return named


def _called_by_another(module: ModuleModel, group: list[_Candidate]) -> set[str]:
    """The factories of ``group`` (one app) that another factory of it, in ``module``, calls.

    ``def create_app(): app = build_app(); app.include_router(...); return app``: ``build_app``
    builds the app a server gets from ``create_app``, with no routes yet.
    """
    names = {candidate.name for candidate in group if candidate.factory}
    called: set[str] = set()
    for name in names:
        binding = module.scope.bindings.get(name)
        if binding is None or not isinstance(binding.node, FunctionNode):
            continue
        for node in ast.walk(binding.node):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in names
                and node.func.id != name
            ):
                called.add(node.func.id)
    return called


def _mounted_sites(modules: list[ModuleModel], index: PackageIndex) -> set[tuple[str, int]]:
    """The apps that ``modules`` mount into another app: ``app.mount("/v1", api)``.

    Such a sub-application answers through the app it is mounted in (the one a server runs),
    as FastAPI's "Sub Applications - Mounts" shows; its site key is in the result.
    """
    keys: set[tuple[str, int]] = set()
    helpers = _mounting_helpers(modules, index)
    names = [module.name for module in [*modules, *helpers]]
    for module in [*modules, *helpers]:
        for mount in mount_calls(module, index, names):
            site = _mounted_site(mount.mounted, mount.scope, index)
            if site is not None:
                keys.add(site.key)
        for taken, scope in versioned_apps(module, index):
            # `api = VersionedFastAPI(app)`: `app`'s routes are served, mounted, through `api`.
            site = _mounted_site(taken, scope, index)
            if site is not None:
                keys.add(site.key)
    return keys


def _mounting_helpers(modules: list[ModuleModel], index: PackageIndex) -> list[ModuleModel]:
    """The other modules of the package whose functions ``modules`` import and that mount apps.

    ``from app.mounting import attach``, then ``attach(app, "/v2", api)``: ``api`` is mounted
    by the call, in the function's own module.
    """
    found: list[ModuleModel] = []
    for module in modules:
        for binding in module.scope.bindings.values():
            if binding.kind != "import":
                continue
            target = index.resolve(binding.target)[1]
            if target is None or target.kind != "function":
                continue
            other = target.scope.module
            if other not in modules and other not in found and may_mount(other.text):
                found.append(other)
    return found


def _mounted_site(mounted: ast.expr, scope: Scope, index: PackageIndex) -> AppSite | None:
    """Where the app a ``mount`` call mounts is built: a variable, or a factory's result.

    ``app.mount("/v1", api)``, and ``app.mount("/v1", build_api())`` with ``build_api`` a
    function of the package building the app in a variable it returns.
    """
    if isinstance(mounted, ast.Call):
        target = _app_factory(mounted.func, scope, index)
        return None if target is None else _factory_site(target, index)
    binding = index.binding_of(mounted, scope)
    if binding is None or binding.kind != "value" or not isinstance(binding.node, ast.expr):
        return None
    return _value_site(binding, index, trust=False)


def _unmounted_offers(
    offers: list[tuple[ModuleModel, list[_Candidate]]], index: PackageIndex
) -> list[tuple[ModuleModel, list[_Candidate]]]:
    """The offers without the apps another module mounts, when some app is left."""
    mounted = _mounted_sites([module for module, _ in offers], index)
    if not mounted:
        return offers
    kept = [
        (module, [item for item in candidates if item.site is None or item.site.key not in mounted])
        for module, candidates in offers
    ]
    kept = [(module, candidates) for module, candidates in kept if candidates]
    if not any(item.site is not None for _, candidates in kept for item in candidates):
        return offers
    return kept


# --- what a module offers ---------------------------------------------------------------------


def _candidates(
    module: ModuleModel, index: PackageIndex, *, follow_imports: bool = False
) -> list[_Candidate]:
    """Every app ``module`` builds or (with ``follow_imports``) re-exports, in source order."""
    found: list[_Candidate] = []
    names_done: set[str] = set()
    for name, binding in module.scope.bindings.items():
        if binding.kind == "value" and isinstance(binding.node, ast.expr):
            site = _value_site(binding, index, trust=False)
            if site is not None:
                guarded = only_under_main_guard(module, name)
                found.append(_Candidate(name, _line(binding), site, guarded=guarded))
                names_done.add(name)
        elif binding.kind == "function":
            if name == _MODULE_GETATTR:
                # `def __getattr__(name): if name == "app": return build()`: a server reads
                # `module:app`, which the hook builds; the hook itself is no factory to name.
                served = _attribute_hooked(binding)
                if served is not None and index.function_role(binding) is Role.APP:
                    candidate = _factory_candidate(name, _line(binding), binding, index)
                    found.append(candidate._replace(name=served, factory=False))
            elif index.function_role(binding) is Role.APP:
                found.append(_factory_candidate(name, _line(binding), binding, index))
            else:
                scope = _function_scope(binding)
                local = _local_apps(scope, index)
                factory = _served_factory(scope, local, index) if len(local) == 1 else None
                if factory is not None:
                    # `def main(): app = create_app(); uvicorn.run(app)`: the app served is
                    # what the factory builds, which a server and a test reach without it.
                    name_of, function = factory
                    site = _factory_site(function, index)
                    found.append(_Candidate(name_of, _line(function), site, factory=True))
                elif local and _serves_one_of(scope, local, index):
                    # `def main(): app = FastAPI(...); uvicorn.run(app)`: its app is wired as a
                    # factory's is, right where the function builds it.
                    site = _factory_site(binding, index)
                    problem = None if site is not None else _kept_inside(binding, local)
                    found.append(
                        _Candidate(
                            name, _line(binding), site, factory=True, runs=True, problem=problem
                        )
                    )
                elif local:
                    found.append(
                        _Candidate(name, _line(binding), None, problem=_kept_inside(binding, local))
                    )
                else:
                    # `def run(): api = Service(); api.serve()`, `Service` building `self.app`
                    # and serving it: no import string names that app, a call of `run` runs it.
                    site = _instance_served(scope, index)
                    if site is not None:
                        found.append(
                            _Candidate(name, _line(binding), site, factory=True, runs=True)
                        )
        elif binding.kind == "class":
            found.extend(_attribute_apps(binding, index))
            found.extend(_class_factories(binding, index))
        elif binding.kind == "import" and follow_imports and name not in names_done:
            _, target = index.resolve(binding.target)
            if target is None or target.scope.parent is not None:
                continue
            if target.kind == "value":
                site = _value_site(target, index, trust=False)
                if site is not None:
                    found.append(_Candidate(name, _line(binding), site))
            elif _is_app_factory(target, index):
                found.append(_factory_candidate(name, _line(binding), target, index))
    found.sort(key=lambda candidate: candidate.line)
    return found


def _library_held_offers(
    app_package: str, package_dir: Path, index: PackageIndex
) -> list[tuple[ModuleModel, list[_Candidate]]]:
    """The modules holding an app a library builds, each with its variable: a last resort.

    ``api = StacApi(...)`` then ``app = api.app``: no call the package can read builds the
    app, yet the module routes the variable as one (``@app.get(...)``,
    ``app.include_router(...)``) and uses it as only an app is used, or names it so (see
    :func:`_routed_as_an_app`). Only asked when no module builds an app visibly.
    """
    found: list[tuple[ModuleModel, list[_Candidate]]] = []
    for module in index.modules_holding(
        re.compile(_ROUTED_TEXT), package_modules(app_package, package_dir)
    ):
        candidates = [
            _Candidate(name, _line(binding), site)
            for name, binding in module.scope.bindings.items()
            if binding.kind == "value"
            and isinstance(binding.node, ast.expr)
            and _routed_as_an_app(name, binding, module, index)
            and (site := _value_site(binding, index, trust=True)) is not None
        ]
        if candidates:
            found.append((module, candidates))
    return found


# Patterns kept as source text (here and below) are compiled on first use, and cached, by
# `re`: an up-to-date `generate --check` never uses them (compiling at import cost every run).
#: A module giving some object a route or router (the cheap test before parsing it).
_ROUTED_TEXT = r"\.(include_router|get|post|put|patch|delete|api_route)\("
#: Methods only an app has (no router does): the variable they are called on holds one.
_APP_ONLY_METHODS = frozenset(
    {"add_middleware", "middleware", "exception_handler", "add_exception_handler", "on_event"}
)


def _routed_as_an_app(
    name: str, binding: Binding, module: ModuleModel, index: PackageIndex
) -> bool:
    """Whether a module variable no visible call builds is routed as the app at module level.

    Read from an object (``api.app``) or returned by a library's call (``build_app()``), not
    an app or router the package can tell; given routes or routers by the module's own code;
    and used as only an app is (``add_middleware``, ``exception_handler``..., see
    :func:`_used_as_an_app`) or named as apps are (``app``, ``application``, ``api.app``).
    """
    value = binding.node
    if binding.scope.parent is not None or not isinstance(value, ast.Attribute | ast.Call):
        return False
    if isinstance(value, ast.Call) and (
        index.defined(value.func, binding.scope) is not None
        or index.built_role(value, binding.scope)[0] is not None
    ):
        return False
    read = value.attr if isinstance(value, ast.Attribute) else ""
    named = any(word.endswith(("app", "application")) for word in (name.lower(), read.lower()))
    # Named as apps are, it needs no more than routes; else it is used as only an app is.
    return _used_as_an_app(name, module.scope, named, index)


# --- apps of a library's class ----------------------------------------------------------------


def learn_library_apps(
    named: str | None, app_package: str, package_dir: Path, index: PackageIndex
) -> frozenset[str]:
    """Tell ``index`` the library classes the package builds its app with, seen by their use.

    ``app = FastAPIOffline(...)`` or ``api = Cadwyn(...)``, a class FastAPI's name is not seen
    in: the object is an app when it is bound once, at module level or in a function, to a
    call of a class from outside the package, given routes or routers there (``@api.get("/x")``,
    ``api.include_router(...)``), and used as only an app is (``add_middleware``, ``mount``,
    ``exception_handler``...) or served: handed to a server (``uvicorn.run(api)``), or named
    by an import string of the package or by ``named`` (the plan's app, or ``[tool.fastapi]
    entrypoint``), itself or what a module variable holds of the factory returning it. A name
    alone is no evidence. Returns the names the package calls the classes by (for the scan).
    """
    served, factories = _served_objects(named, app_package, package_dir, index)
    classes: set[str] = set()
    callees: set[str] = set()
    for module in index.modules_holding(_ROUTING_TEXT, package_modules(app_package, package_dir)):
        scopes = [(module.scope, {name for where, name in served if where == module.name})]
        for statement in module.tree.body:
            # Not the route handlers (decorated): a factory is served, or undecorated.
            served_def = id(statement) in factories
            if isinstance(statement, FunctionNode) and (served_def or not statement.decorator_list):
                scope = Scope(statement, module, module.scope)
                returned = _returned_names(statement) if served_def else set[str]()
                scopes.append((scope, returned))
        for scope, served_here in scopes:
            for name, binding in scope.bindings.items():
                call = call_bound_once(binding)
                canonical = None if call is None else _library_class(call, scope, index)
                if call is None or canonical is None:
                    continue
                if _used_as_an_app(name, scope, name in served_here, index):
                    classes.add(canonical)
                    callees.add(ast.unparse(call.func).rpartition(".")[2])
    index.learn_app_classes(frozenset(classes))
    return frozenset(callees)


#: A module giving some object a route or router (the cheap test before parsing it).
_ROUTING_TEXT = re.compile(
    r"\.(include_router|add_api_route|api_route|get|post|put|patch|delete|\w*include_\w*routers?)\("
)


def _served_objects(
    named: str | None, app_package: str, package_dir: Path, index: PackageIndex
) -> tuple[set[tuple[str, str]], set[int]]:
    """What a server is pointed at by name: (module, variable) pairs, and the factories' defs.

    The import strings of the package's modules (``uvicorn.run("pkg.app:app")``) and
    ``named``; a variable holding a call of a package function (``app = create_app()``) makes
    that function's def served too, as does an import string naming the function itself.
    """
    strings = [] if named is None else [named]
    for module_name in package_modules(app_package, package_dir):
        source = index.source(module_name)
        if source is None:
            continue
        for match in _IMPORT_STRING.finditer(source.text):
            module, attribute = match.groups()
            strings.append(f"{module_name if module == MAIN_MODULE else module}:{attribute}")
    served: set[tuple[str, str]] = set()
    factories: set[int] = set()
    for string in strings:
        module_name, _, attribute = string.partition(":")
        module = index.module(module_name) if attribute.isidentifier() else None
        if module is None:
            continue
        served.add((module.name, attribute))  # the module's own name, under any it was asked by
        binding = _named_binding(module, attribute, index)
        if binding is not None and binding.kind == "value" and isinstance(binding.node, ast.Call):
            binding = index.defined(binding.node.func, binding.scope)
        if binding is not None and binding.kind == "function":
            factories.add(id(binding.node))
    return served, factories


def _returned_names(function: FunctionNode) -> set[str]:
    """The names ``function``'s own return statements return (``return app``)."""
    return {node.value.id for node in _own_returns(function) if isinstance(node.value, ast.Name)}


def _own_returns(function: FunctionNode) -> list[ast.Return]:
    """``function``'s own return statements, in ``ast.walk``'s order (breadth first).

    Not those of the functions, classes and lambdas defined in it: they return to their own
    callers.
    """
    returns: list[ast.Return] = []
    pending = deque(ast.iter_child_nodes(function))
    while pending:
        node = pending.popleft()
        if isinstance(node, ast.Return):
            returns.append(node)
        if not isinstance(node, FunctionNode | ast.ClassDef | ast.Lambda):
            pending.extend(ast.iter_child_nodes(node))
    return returns


def _walk_function(function: FunctionNode) -> Iterator[ast.AST]:
    """The nodes of ``function``'s body, not those of the functions and classes defined in it.

    Their decorators are the body's (``@app.get("/x")`` on a handler defined in a factory).
    """
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, FunctionNode | ast.ClassDef):
            pending.extend(node.decorator_list)
        elif not isinstance(node, ast.Lambda):
            pending.extend(ast.iter_child_nodes(node))


def _global_reads(name: str, module: ModuleModel) -> Iterator[ast.AST]:
    """The nodes of ``module`` where ``name`` is its module variable.

    Not the bodies of functions binding a ``name`` of their own (``async def lifespan(app:
    FastAPI): app.include_router(...)`` routes the app it is given, not the module's ``app``).
    """
    pending: list[ast.AST] = list(module.tree.body)
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, FunctionNode) and name in Scope(node, module, module.scope).bindings:
            pending.extend(node.decorator_list)
        elif not isinstance(node, ast.Lambda):
            pending.extend(ast.iter_child_nodes(node))


def _library_class(call: ast.Call, scope: Scope, index: PackageIndex) -> str | None:
    """The library class ``call`` instantiates, when its role is not known already.

    A capitalised name from outside the package (``FastAPIOffline``, ``cadwyn.Cadwyn``); not
    FastAPI's own classes nor anything the index reads a role of, nor a call of the package.
    """
    qualified = index.qualify(call.func, scope)
    if qualified is None or index.defined(call.func, scope) is not None:
        return None
    canonical, binding = index.resolve(qualified)
    if (
        canonical in STARLETTE_CLASSES  # an ASGI app of its own: no include_router
        or not canonical.rpartition(".")[2][:1].isupper()
        or not index.from_a_library(canonical, binding)
    ):
        return None
    return canonical if index.class_role(canonical)[0] is None else None


def _used_as_an_app(name: str, scope: Scope, served: bool, index: PackageIndex) -> bool:
    """Whether the object ``name`` holds in ``scope`` is routed, and served or used as an app.

    Read in ``scope`` (at module level, the whole module: functions there use the global).
    A route method counts with a path (``get("/x")``), as a cache's ``get(key)`` is no route.
    """
    function = scope.node
    nodes = (
        _walk_function(function)
        if isinstance(function, FunctionNode)
        else _global_reads(name, scope.module)
    )
    routed = app_like = False
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        called = node.func
        if (
            isinstance(called, ast.Attribute)
            and isinstance(called.value, ast.Name)
            and called.value.id == name
        ):
            if called.attr in _APP_ONLY_METHODS or called.attr == "mount":
                app_like = True
            elif _routes_app(node, {name}) and (
                called.attr not in HTTP_METHODS or _has_a_path(node)
            ):
                routed = True
        elif not app_like:
            qualified = index.qualify(called, scope)
            canonical = None if qualified is None else index.resolve(qualified)[0]
            app_like = _served_by(node, canonical, {name})
    return routed and (app_like or served)


def _has_a_path(call: ast.Call) -> bool:
    """Whether a route method's call is given a path (``"/items"``, an f-string), not a key."""
    path = call_argument(call, 0, "path")
    if isinstance(path, ast.JoinedStr):
        return True
    return (
        isinstance(path, ast.Constant)
        and isinstance(path.value, str)
        and (path.value == "" or path.value.startswith("/"))
    )


def _function_scope(binding: Binding) -> Scope:
    """The scope of the body of the function ``binding`` names."""
    function = binding.node
    assert isinstance(function, FunctionNode)
    return Scope(function, binding.scope.module, binding.scope)


def _local_apps(scope: Scope, index: PackageIndex) -> list[str]:
    """Variables a function (``scope``) returning no app builds apps in (``app = FastAPI()``)."""
    return [
        name
        for name, inner in scope.bindings.items()
        if inner.kind == "value"
        and isinstance(inner.node, ast.Call)
        and index.built_role(inner.node, scope)[0] is Role.APP
    ]


def _served_factory(
    scope: Scope, local: list[str], index: PackageIndex
) -> tuple[str, Binding] | None:
    """The factory whose app a function (``scope``) serves as built: the module's name, the def.

    ``app = create_app()`` (no arguments, ``create_app`` a factory of the backend needing none,
    a module-level name), then ``app`` only handed to server calls (``uvicorn.run(app)``,
    ``uvicorn.Config(app)``): ``create_app()`` is the app served. None when the function does
    anything else with it (``app.include_router(...)``, ``setup(app)``): what it serves is
    more than the factory builds.
    """
    (name,) = local
    call = scope.bindings[name].node
    if not isinstance(call, ast.Call) or call.args or call.keywords:
        return None
    path = _module_level_path(call.func, scope)
    if path is None:
        return None
    # `create_app()`, or a class's factory: `Application.create()` (a server follows the
    # attribute path and calls it as it calls a function).
    if isinstance(call.func, ast.Name):
        target = _app_factory(call.func, scope, index)
    else:
        target = index.method_called(call.func, scope)
        if target is not None and index.function_role(target) is not Role.APP:
            target = None
    if (
        target is None
        or not isinstance(target.node, FunctionNode)
        or _parameters_to_pass(target)
        or _factory_site(target, index) is None
    ):
        return None
    served: set[int] = set()
    for node in ast.walk(scope.node):
        if isinstance(node, ast.Call) and index.qualify(node.func, scope) in SERVER_CALLS:
            served.update(id(argument) for argument in node.args)
            served.update(id(keyword.value) for keyword in node.keywords)
    uses = [
        node
        for node in ast.walk(scope.node)
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
    ]
    return (path, target) if uses and all(id(use) in served for use in uses) else None


def _module_level_path(func: ast.expr, scope: Scope) -> str | None:
    """``func`` as an attribute path from a name of its module, as servers read one.

    ``create_app``, ``Application.create``: a server given ``module:<path>`` gets each
    attribute in turn. None when the first name is local to the
    function (``scope``) or ``func`` is no such path (``Application().build``).
    """
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return None
    module_names = scope.module.scope.bindings
    if func.id not in module_names or scope.lookup(func.id) is not module_names[func.id]:
        return None
    return ".".join([func.id, *reversed(parts)])


def _parameters_to_pass(function: Binding) -> tuple[str, ...]:
    """The parameters a call of ``function`` must be given, ``self`` or ``cls`` not among them.

    Python passes a method's first parameter itself, for every method but a static one.
    """
    node = function.node
    assert isinstance(node, FunctionNode)
    required = required_parameters(node)
    bound = isinstance(function.scope.node, ast.ClassDef) and not any(
        isinstance(decorator, ast.Name) and decorator.id == "staticmethod"
        for decorator in node.decorator_list
    )
    return required[1:] if bound and [*node.args.posonlyargs, *node.args.args] else required


def _serves_one_of(scope: Scope, local: list[str], index: PackageIndex) -> bool:
    """Whether a function (``scope``) hands one of its ``local`` apps to a server it starts.

    ``uvicorn.run(app)``, ``uvicorn.Server(uvicorn.Config(app))``, hypercorn's ``serve(app,
    config)``: the function runs the app (a console script's, or the ``__main__`` guard's). A
    function of the package given the app (``serve_forever(app)``) serves it when it hands that
    parameter on to a server in turn.
    """
    return any(
        _served_by(call, canonical, held)
        for call, canonical, held in _calls_reached([(scope.node, scope)], set(local), index)
    )


def _kept_inside(binding: Binding, local: list[str]) -> str:
    """Why the app a function builds in a variable (of ``local``) cannot be wired.

    ``def export(): app = FastAPI(...); print(app.openapi())``: neither returned (a factory)
    nor served there, no import string reaches that app.
    """
    function = binding.node
    assert isinstance(function, FunctionNode)
    return (
        f"{binding.scope.module.path}:{function.lineno}: {function.name}() builds a FastAPI app "
        f"in a local variable ({local[0]}) and neither returns nor serves it, so no server or "
        f"test can import it; build it at module level ({local[0]} = FastAPI(...)) or return it "
        "from the function (a factory), then run again"
    )


def _instance_served(scope: Scope, index: PackageIndex) -> AppSite | None:
    """The app a function (``scope``) serves as an attribute of an instance of a package class.

    ``api = Service(...)`` (``Service.__init__`` building ``self._app = FastAPI()``), then
    ``api.serve()`` with ``serve`` handing ``self._app`` to a server (``uvicorn.run``,
    ``uvicorn.Server(uvicorn.Config(app=self._app))``), or ``uvicorn.run(api._app)`` right
    there: the site where the class builds it. None when the function serves no such app.
    """
    if not _uses_an_instance(scope):
        return None  # most functions: no call names what the function itself built
    for call, canonical, _ in _calls_reached([(scope.node, scope)], set(), index):
        if canonical in SERVER_CALLS:
            served = call_argument(call, 0, SERVER_CALLS[canonical])
            if isinstance(served, ast.Attribute):
                site = _attribute_app_site(served.value, served.attr, scope, index)
                if site is not None:
                    return site
            continue
        method = index.method_called(call.func, scope)
        if method is None or not isinstance(call.func, ast.Attribute):
            continue
        method_scope = _function_scope(method)
        self_name = instance_parameter(method_scope)
        for inner, server, _ in _calls_reached([(method_scope.node, method_scope)], set(), index):
            served = (
                None
                if server not in SERVER_CALLS
                else call_argument(inner, 0, SERVER_CALLS[server])
            )
            if (
                isinstance(served, ast.Attribute)
                and isinstance(served.value, ast.Name)
                and served.value.id == self_name
            ):
                site = _attribute_app_site(call.func.value, served.attr, scope, index)
                if site is not None:
                    return site
            elif isinstance(served, ast.Name) and self_name is not None:
                # `app = self.build(); uvicorn.run(app)`: the app another method builds.
                site = _own_method_site(served, self_name, method, method_scope, index)
                if site is not None:
                    return site
    return None


def _own_method_site(
    served: ast.Name, self_name: str, method: Binding, scope: Scope, index: PackageIndex
) -> AppSite | None:
    """Where the method whose result the local ``served`` holds builds the app, else None.

    ``app = self.build()`` in ``method``, ``build`` of the same class setting ``self._app =
    FastAPI()`` and returning it: the site in ``build``.
    """
    held = call_bound_once(scope.bindings.get(served.id))
    cls = method.scope.node
    if (
        held is None
        or held.args
        or held.keywords
        or not isinstance(held.func, ast.Attribute)
        or not isinstance(held.func.value, ast.Name)
        or held.func.value.id != self_name
        or not isinstance(cls, ast.ClassDef)
    ):
        return None
    owner = method.scope.parent
    cls_binding = None if owner is None else owner.bindings.get(cls.name)
    for statement in cls.body:
        if not isinstance(statement, FunctionNode) or statement.name != held.func.attr:
            continue
        returned = [
            node.value
            for node in ast.walk(statement)
            if isinstance(node, ast.Return) and node.value is not None
        ]
        if (
            len(returned) == 1
            and isinstance(returned[0], ast.Attribute)
            and isinstance(returned[0].value, ast.Name)
            and returned[0].value.id == self_name
            and cls_binding is not None
        ):
            # `return self._app`: the app the class builds as that attribute.
            return _class_attribute_site(cls_binding, returned[0].attr, index)
    return None


def _uses_an_instance(scope: Scope) -> bool:
    """Whether a function calls a method of an object it builds, or passes one's attribute.

    ``api.serve()``, ``Service().serve()`` or ``uvicorn.run(api.app)``, ``api`` a local
    assigned a call: a cheap look before :func:`_instance_served` resolves any name.
    """
    built = {
        name
        for name, inner in scope.bindings.items()
        if inner.kind == "value" and isinstance(inner.node, ast.Call)
    }
    for node in ast.walk(scope.node):
        if not isinstance(node, ast.Call):
            continue
        owner = node.func.value if isinstance(node.func, ast.Attribute) else None
        if isinstance(owner, ast.Call) or (isinstance(owner, ast.Name) and owner.id in built):
            return True
        given = [*node.args, *(keyword.value for keyword in node.keywords)]
        if any(
            isinstance(value, ast.Attribute)
            and isinstance(value.value, ast.Name)
            and value.value.id in built
            for value in given
        ):
            return True
    return False


def _attribute_app_site(
    instance: ast.expr, attribute: str, scope: Scope, index: PackageIndex
) -> AppSite | None:
    """Where the package class of ``instance`` (built once) builds ``attribute``'s app."""
    cls = instance_class(instance, scope, index, once=True)
    return None if cls is None else _class_attribute_site(cls, attribute, index)


def _class_attribute_site(cls: Binding, attribute: str, index: PackageIndex) -> AppSite | None:
    """Where class ``cls`` (or a package base of it) builds the app of ``self.<attribute>``."""
    for defining in index.lineage(cls):
        for candidate in _attribute_apps(defining, index):
            if candidate.site is not None and candidate.name.endswith(f".{attribute}"):
                return candidate.site
    return None


def _line(binding: Binding) -> int:
    node = binding.statement if binding.statement is not None else binding.node
    return getattr(node, "lineno", 0)


def site_of_variable(binding: Binding, index: PackageIndex) -> AppSite | None:
    """Where the app a variable visibly holds is built (here, or in the factory it calls)."""
    if not isinstance(binding.node, ast.expr):
        return None
    return _value_site(binding, index, trust=False)


def _value_site(
    binding: Binding, index: PackageIndex, *, trust: bool, entered: frozenset[int] = frozenset()
) -> AppSite | None:
    """The site of a variable assigned an app: here, or inside the factory it calls.

    With ``trust`` (the user named the variable), any assignment counts; otherwise only one
    that visibly builds an app. ``entered``: the factories being followed (they may call each
    other).
    """
    value = binding.node
    scope = binding.scope
    assert isinstance(value, ast.expr)
    wrapped = _wrapped_site(binding, index)
    if wrapped is not None:
        return wrapped
    if trust:
        # Named as what runs (`app = GZipMiddleware(api)`, `app = api`): routers go on the app.
        inner = _served_through(binding, index, entered)
        if inner is not None:
            return inner
    value = _run_to_completion(value, scope, index)
    if isinstance(value, ast.Call):
        role, _ = index.built_role(value, scope)
        target = index.defined(value.func, scope)
        if role is None and target is not None and target.kind == "class":
            # `application = Application()` served as `uvicorn main:application`: a server
            # calls the instance, whose `__call__` returns the app the class builds
            # (`return self.app`); the instance itself has no `include_router`.
            called = ast.copy_location(ast.Attribute(value, CALL_METHOD, ast.Load()), value)
            return _attribute_site(called, scope, index, called=True)
        if target is not None and target.kind == "function":
            # `app = create_app()`, then `Versionizer(app=app)` or `FastApiMCP(app)`: wired in
            # the factory, the layer's routes would be taken with the app's (moved under the
            # version prefixes, made MCP tools); wired here, after that call, they are not.
            if _names_a_route_taker(scope.module) and _routes_taken_after(_here(binding)):
                return _here(binding)
            if index.function_role(target) is Role.APP or trust:
                inner = _factory_site(target, index, entered)
                if inner is not None:
                    return inner
            # `def create_app(): server = Server(); return server.app`: built in the class.
            returned = _returned_attribute_site(target, index)
            if returned is not None:
                return returned
            return _here(binding) if index.function_role(target) is Role.APP or trust else None
        method = index.method_called(value.func, scope) if target is None else None
        if method is not None and index.function_role(method) is Role.APP:
            # `app = Application.create()`: wired in the method, as in a factory function.
            inner = _factory_site(method, index, entered)
            if inner is not None:
                return inner
        if isinstance(value.func, ast.Attribute):
            # `app = server.app()`: a method that returns the app the class built.
            site = _attribute_site(value.func, scope, index, called=True)
            if site is not None:
                return site
        if role is Role.APP or trust:
            return _here(binding)
        return None
    if isinstance(value, ast.Attribute):
        site = _attribute_site(value, scope, index)
        if site is not None:
            return site
        return _here(binding) if trust else None
    return _here(binding) if trust else None


def _run_to_completion(value: ast.expr, scope: Scope, index: PackageIndex) -> ast.expr:
    """The coroutine call an event loop runs for ``value``, else ``value`` itself.

    ``app = asyncio.run(create_app())`` (or ``loop.run_until_complete(create_app())``) holds
    what the async factory returns: the variable is the app, built in the factory.
    """
    if not (isinstance(value, ast.Call) and len(value.args) == 1 and not value.keywords):
        return value
    inner = value.args[0]
    if not isinstance(inner, ast.Call):
        return value
    function = value.func
    if isinstance(function, ast.Attribute) and function.attr == "run_until_complete":
        return inner
    return inner if index.qualify(function, scope) == "asyncio.run" else value


def _attribute_site(
    value: ast.Attribute, scope: Scope, index: PackageIndex, *, called: bool = False
) -> AppSite | None:
    """``Server().app`` or ``server.app``: the site where the class builds that attribute.

    With ``called``, ``value`` is a method called (``server.app()``) that returns the attribute
    (``return self._app``).
    """
    owner: ast.expr = value.value
    owner_scope = scope
    if isinstance(owner, ast.Name):
        owner_binding = scope.lookup(owner.id)
        if owner_binding is not None and isinstance(owner_binding.node, ast.Call):
            owner = owner_binding.node
            owner_scope = owner_binding.scope
    # `Server().app` or `server.app` read on an instance; `Registry.get()` or `Registry.APP`
    # on the class itself: the app a classmethod keeps there (`cls.APP = FastAPI()`).
    on_class = not isinstance(owner, ast.Call)
    built = owner.func if isinstance(owner, ast.Call) else owner
    cls = index.defined(built, owner_scope)
    if cls is None or cls.kind != "class":
        return None
    assert isinstance(cls.node, ast.ClassDef)
    # `server.app()` calls a method, `server.app` may read a property: either returns the
    # attribute the class built the app in (on the class, a property is no such reader).
    returned = _returned_own_attribute(cls.node, value.attr, called=called)
    if on_class:
        returned = returned if called else None
        if called and not _class_level(cls.node, value.attr):
            return None
        if not _class_level(cls.node, returned or value.attr, assigned=True):
            return None
    attribute = returned if returned is not None else value.attr
    if called and returned is None:
        return None
    # An instance of a subclass (`class DemoApp(CoreApp)`) holds the app its base builds.
    for built_by in index.lineage(cls):
        for candidate in _attribute_apps(built_by, index):
            if candidate.name.rpartition(".")[2] == attribute:
                return candidate.site
    return None


def _class_level(cls: ast.ClassDef, name: str, *, assigned: bool = False) -> bool:
    """Whether ``name`` reads, on the class itself, what a class method keeps there.

    A method called on the class (``assigned`` False) must be a ``@classmethod``; an attribute
    (``assigned``) must be set by one (``cls.APP = ...``), not by an instance's method
    (``self.app``, which the class never holds).
    """
    for method in cls.body:
        if not isinstance(method, FunctionNode) or not is_class_method(method):
            continue
        if not assigned and method.name == name:
            return True
        if assigned and any(attribute == name for _, attribute, _ in attribute_assignments(method)):
            return True
    return False


def _returned_own_attribute(cls: ast.ClassDef, method_name: str, *, called: bool) -> str | None:
    """The attribute a method of ``cls`` returns as its only result: ``return self._app``.

    Without ``called``, only a property's (``@property``, ``@cached_property``) counts.
    """
    for method in cls.body:
        if not (isinstance(method, FunctionNode) and method.name == method_name):
            continue
        is_property = any(
            ast.unparse(decorator).rpartition(".")[2] in ("property", "cached_property")
            for decorator in method.decorator_list
        )
        if called == is_property:
            continue
        arguments = [*method.args.posonlyargs, *method.args.args]
        returned = [
            node.value
            for node in ast.walk(method)
            if isinstance(node, ast.Return) and node.value is not None
        ]
        if (
            arguments
            and len(returned) == 1
            and isinstance(returned[0], ast.Attribute)
            and isinstance(returned[0].value, ast.Name)
            and returned[0].value.id == arguments[0].arg
        ):
            return returned[0].attr
    return None


def _returned_attribute_site(binding: Binding, index: PackageIndex) -> AppSite | None:
    """The site of the app a function returns as an object's attribute.

    ``return server.app``, or through a method of the object's class returning it
    (``return application.get_api()``, ``def get_api(self): return self.__api``).
    """
    function = binding.node
    assert isinstance(function, FunctionNode)
    returned = [
        node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Return) and node.value is not None
    ]
    if len(returned) != 1:
        return None
    scope = _function_scope(binding)
    (value,) = returned
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and not value.args:
        return _attribute_site(value.func, scope, index, called=True)
    if not isinstance(value, ast.Attribute):
        return None
    return _attribute_site(value, scope, index)


def _here(binding: Binding) -> AppSite:
    """The site right after the (last) assignment of ``binding`` in its own scope's block."""
    scope = binding.scope
    statement = binding.statement
    assert statement is not None
    block = tuple(scope.node.body)
    bound_before = False
    while True:
        anchor = _top_of(block, statement)
        # A name assigned in several branches (if/else, try/except) is wired once, after them
        # all; but not after a wrapper (`app = Wrapper(app)`), whose object has no include_router.
        for other in block_statements(list(block)):
            if assigns_name(other, binding.name) and not (
                other is not statement and wraps_name(_assigned(other), binding.name, scope)
            ):
                anchor = max(anchor, _top_of(block, other), key=lambda node: node.lineno)
        # `app = None` first, then `if FastAPI: app = FastAPI()`: the name holds no app before.
        bound_before = bound_before or any(
            assigns_name(other, binding.name)
            and other.lineno < anchor.lineno
            and not isinstance(_assigned(other), ast.Constant)
            for other in block_statements(list(block))
        )
        branch = _branch_with_the_app(anchor, statement, binding.name, bound_before)
        if branch is None:
            break
        block = tuple(branch)
    label = binding.name
    if isinstance(scope.node, FunctionNode):
        # A method's app is named with its class (`app in Server.__init__()`).
        owner = scope.parent.node if scope.parent is not None else None
        method = f"{owner.name}.{scope.node.name}" if isinstance(owner, ast.ClassDef) else None
        label = f"{binding.name} in {method or scope.node.name}()"
    return AppSite(scope.module, binding.name, anchor, block, statement.lineno, label)


def _branch_with_the_app(
    compound: ast.stmt, statement: ast.stmt, name: str, bound_before: bool
) -> list[ast.stmt] | None:
    """The branch of ``compound`` holding ``statement``, when the app is wired in there.

    That is when another way through ``compound`` leaves ``name`` no app: ``if FastAPI: app =
    FastAPI() ... else: app = None``, an ``if`` without ``else``, a ``try:`` whose ``except
    ImportError:`` builds none (``bound_before``: the name holds an app from earlier). Wired
    after ``compound``, the fallback way would fail on the wiring; the branch's own includes
    are in there too. So is the body of ``if __name__ == "__main__":``, the app existing only
    when the module runs as a script (it is wired there, before the server starts).
    """
    if isinstance(compound, ast.If):
        if is_main_guard(compound.test) and _holds(compound.body, statement):
            return compound.body
        ways = [(compound.body, [compound.orelse]), (compound.orelse, [compound.body])]
    elif isinstance(compound, ast.Try | ast.TryStar):
        handlers = [handler.body for handler in compound.handlers]
        completed = [*compound.body, *compound.orelse]
        ways = [(compound.body, handlers), (compound.orelse, handlers)]
        ways += [
            (handler, [completed, *(other for other in handlers if other is not handler)])
            for handler in handlers
        ]
    else:
        return None
    for branch, others in ways:
        if _holds(branch, statement) and any(
            _leaves_no_app(other, name, bound_before) for other in others
        ):
            return branch
    return None


def _holds(branch: list[ast.stmt], statement: ast.stmt) -> bool:
    """Whether ``statement`` is in ``branch`` (or in a block nested in it)."""
    return any(top.lineno <= statement.lineno <= (top.end_lineno or top.lineno) for top in branch)


def _leaves_no_app(branch: list[ast.stmt], name: str, bound_before: bool) -> bool:
    """Whether running ``branch`` to its end leaves ``name`` without an app.

    It sets the name to a constant (``app = None``), or sets it not at all (and the name held
    nothing before); a branch ending in ``raise`` does not run to its end.
    """
    assignments = [other for other in block_statements(branch) if assigns_name(other, name)]
    if any(isinstance(_assigned(other), ast.Constant) for other in assignments):
        return True
    return (
        not assignments and not bound_before and not (branch and isinstance(branch[-1], ast.Raise))
    )


def _wrapped_site(binding: Binding, index: PackageIndex) -> AppSite | None:
    """The app a wrapper took: ``app = FastAPI()``, then ``app = socketio.ASGIApp(sio, app)``.

    Socket.IO, ASGI middleware applied by hand and the like rebind the app's name to an object
    that serves the app but has no ``include_router``: the app is the one assigned before, and
    it is wired there, before it is wrapped.
    """
    prior = unwrapped(binding)
    if prior is binding:
        return None
    value = binding.node
    if isinstance(value, ast.Call) and index.built_role(value, binding.scope)[0] is Role.APP:
        # `app = VersionedFastAPI(app)`: a new app, the one served; the old one's routes are
        # copied into it, but nothing added to the old one later (nor its middleware) is.
        return None
    # What it held may be a wrapper itself, of an app of another name: `app =
    # socketio.ASGIApp(sio, other_asgi_app=api)`, then `app = CORSMiddleware(app)`.
    return _value_site(prior, index, trust=False) or _served_through(prior, index, frozenset())


def _served_through(
    binding: Binding, index: PackageIndex, entered: frozenset[int]
) -> AppSite | None:
    """The app a variable of another name serves: ``app = api``, ``app = CORSMiddleware(api)``.

    A second name for the app, or an ASGI wrapper given it (positionally or by keyword), runs
    the app but has no ``include_router``: the app is wired where it is built, and the variable
    stays the name a server runs. Only when exactly one of the values passed is an app; a call
    that builds a FastAPI app of its own (``VersionedFastAPI(api)``) is no wrapper. A wrapper
    given a factory's result (``GZipMiddleware(create_app())``) runs the app the factory
    builds: wired in the factory, where it is built.
    """
    value = binding.node
    scope = binding.scope
    sites: dict[tuple[str, int], AppSite] = {}
    if isinstance(value, ast.Name):
        passed: list[ast.expr] = [value]
    elif isinstance(value, ast.Call) and index.built_role(value, scope)[0] is None:
        # Also inside the arguments: a plain Starlette app mounting it
        # (`Starlette(routes=[Mount("/", app=api)])`) runs it the same way.
        nodes = [
            node
            for argument in [*value.args, *(keyword.value for keyword in value.keywords)]
            for node in ast.walk(argument)
        ]
        passed = [
            node
            for node in nodes
            if isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load)
        ]
        for factory in _wrapped_app_factories(binding, index):
            site = _factory_site(factory, index, entered)
            if site is not None:
                sites[site.key] = site
    else:
        return None
    if isinstance(value, ast.Call):
        # `app = Starlette()`, then `app.mount("/", api)`: the app mounted into it runs too.
        passed += [
            mount.mounted
            for mount in mount_calls(scope.module, index)
            if mount.outer is binding and not mount.listed
        ]
    for argument in passed:
        # A module's attribute too (`app.mount("/api", api.app)` after `from . import api`).
        if not isinstance(argument, ast.Name | ast.Attribute) or (
            isinstance(argument, ast.Name) and argument.id == binding.name
        ):
            continue
        # Through an import too (`from app.core import api`): wired where it is built.
        other = index.binding_of(argument, scope)
        if other is None or other.kind != "value" or not isinstance(other.node, ast.expr):
            continue
        # An alias of a wrapper (`zipped = GZipMiddleware(api)`, `app = zipped`) is followed too.
        site = _value_site(other, index, trust=False, entered=entered) or _served_through(
            other, index, entered
        )
        if site is not None:
            sites[site.key] = site
    return next(iter(sites.values())) if len(sites) == 1 else None


def _assigned(statement: ast.stmt) -> ast.expr:
    """The value of an assignment ``assigns_name`` accepted."""
    assert isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None
    return statement.value


def main_guards(statements: list[ast.stmt]) -> list[ast.If]:
    """The ``if __name__ == "__main__":`` statements among ``statements`` (a module's body)."""
    return [
        statement
        for statement in statements
        if isinstance(statement, ast.If) and is_main_guard(statement.test)
    ]


def _top_of(block: tuple[ast.stmt, ...], statement: ast.stmt) -> ast.stmt:
    """The statement of ``block`` that is or contains ``statement``."""
    for top in block:
        if top.lineno <= statement.lineno <= (top.end_lineno or top.lineno):
            return top
    return statement


def _factory_site(
    binding: Binding, index: PackageIndex, entered: frozenset[int] = frozenset()
) -> AppSite | None:
    """The site inside a factory function: after the variable it builds the app in."""
    function = binding.node
    assert isinstance(function, FunctionNode)
    if id(function) in entered:
        return None  # factories calling each other: no site to follow to
    entered |= {id(function)}
    scope = _function_scope(binding)
    returns = _own_returns(function)  # in the order they are followed in
    returned = {node.value.id for node in returns if isinstance(node.value, ast.Name)}
    for name in list(returned):
        # `api = app; ...; return api`: the app is built under its first name.
        aliased = index.aliased(scope.bindings.get(name), 0)
        if aliased is not None and aliased.scope.node is function:
            returned.add(aliased.name)
    if any(
        isinstance(node.value, ast.Call) and _builds_an_app(node.value, scope, index)
        for node in returns
    ):
        # `return VersionedFastAPI(app)`: the app served is built in the return statement,
        # and nothing can be added to it there; it is wired where the factory is called.
        return None
    # `app = FastAPI()` ... `app = mount_gradio_app(app, ...)`; `return app`: the app is built
    # under the name before it is rebound to what wraps it (see `unwrapped`).
    built = [
        inner
        for name, inner in ((name, unwrapped(inner)) for name, inner in scope.bindings.items())
        if inner.kind == "value"
        and isinstance(inner.node, ast.Call)
        and index.built_role(inner.node, scope)[0] is Role.APP
        and (name in returned or not returned)
    ]
    if not built:
        # `def cached_app(): return create_app(apps)` (often `@cache`d): the app the other
        # factory builds.
        for node in returns:
            if isinstance(node.value, ast.Call):
                # `return builder.build()` with `builder = AppBuilder()`: a method of the
                # package's class building the app, followed as a factory function is.
                target = index.defined(node.value.func, scope) or index.method_called(
                    node.value.func, scope
                )
                if target is not None and target.kind == "function":
                    site = _factory_site(target, index, entered)
                    if site is not None:
                        return site
        # `def create_app() -> FastAPI: app = container.app(); ...; return app`: the app a
        # dependency-injection container's provider builds, where FastAPI(...) is not seen.
        declared = [
            held for name in returned if index.declared_app(held := scope.bindings.get(name))
        ]
        if len(declared) == 1:
            return _here(declared[0])
        # `app = FastAPI()` at the module's top, `def create_app(): return app` (or through a
        # local alias of it): the factory hands out the module's own app, so it is wired where
        # that app is built, as the module's app would be. One that may return either of two
        # apps (`if test: return other`) has no one app to wire.
        handed = [_module_app_returned(node, scope, index, entered) for node in returns]
        if any(site is not None for site in handed):
            distinct = {site.key: site for site in handed if site is not None}
            if None in handed or len(distinct) > 1:
                return None
            return next(iter(distinct.values()))
        # `application = App(...)`, `return application.get_api()`: built in the class.
        return _returned_attribute_site(binding, index)
    if any(
        isinstance(node.value, ast.Name)
        and node.value.id not in scope.bindings
        and _module_app_returned(node, scope, index, entered) is not None
        for node in returns
    ):
        # `if testing: local = FastAPI(); return local` then `return app`, the module's: which
        # app a call hands out depends on its arguments, and wiring the local one leaves the
        # other unwired (refused naming both, as a factory returning either of two apps is).
        return None
    # `def setup_app(): app = create_app(); ...; return app`: the app create_app builds.
    return _value_site(built[-1], index, trust=False, entered=entered) or _here(built[-1])


def _module_app_returned(
    node: ast.Return, scope: Scope, index: PackageIndex, entered: frozenset[int]
) -> AppSite | None:
    """Where the module-level app ``node`` returns by name (also through a local alias) is built.

    None for a return of anything else: a parameter, an import, a call, a module-level value
    that builds no app.
    """
    if not isinstance(node.value, ast.Name):
        return None
    outer = index.aliased(scope.lookup(node.value.id), 0)
    if (
        outer is None
        or outer.kind != "value"
        or not isinstance(outer.scope.node, ast.Module)
        or not isinstance(outer.node, ast.expr)
    ):
        return None
    return _value_site(outer, index, trust=False, entered=entered)


def _builds_an_app(call: ast.Call, scope: Scope, index: PackageIndex) -> bool:
    """Whether ``call`` builds an app itself: a library's class or function, not the package's."""
    target = index.defined(call.func, scope)
    return target is None and index.built_role(call, scope)[0] is Role.APP


def _attribute_apps(binding: Binding, index: PackageIndex) -> Iterator[_Candidate]:
    """Apps a class builds as attributes: ``self.app = FastAPI(...)`` in one of its methods."""
    cls = binding.node
    assert isinstance(cls, ast.ClassDef)
    module = binding.scope.module
    class_scope = Scope(cls, module, binding.scope)
    methods = {
        method.name: method
        for method in cls.body
        if isinstance(method, FunctionNode) and method.args.args
    }
    for statement in cls.body:
        # `class Application: app = FastAPI(...)`: one app for the class and every instance,
        # wired in the class body right after it (read there by its bare name).
        named = _name_and_value(statement)
        if named is None:
            continue
        attribute, value = named
        if isinstance(value, ast.Call) and index.built_role(value, class_scope)[0] is Role.APP:
            here = AppSite(
                module,
                attribute,
                statement,
                tuple(cls.body),
                statement.lineno,
                f"{attribute} in class {cls.name}",
            )
            yield _Candidate(f"{cls.name}.{attribute}", statement.lineno, here)
    for method in methods.values():
        self_name = [*method.args.posonlyargs, *method.args.args][0].arg
        scope = Scope(method, module, class_scope)
        block = tuple(method.body)
        for statement, attribute, value in attribute_assignments(method):
            name = f"{cls.name}.{attribute}"
            local = scope.bindings.get(value.id) if isinstance(value, ast.Name) else None
            if local is not None and local.kind == "value":
                # `web = FastAPI(); web.include_router(...); self.web = web`: wired where the
                # method builds it, after its includes, as a function's local app is.
                site = site_of_variable(local, index)
                if site is not None:
                    yield _Candidate(name, statement.lineno, site)
                continue
            if not isinstance(value, ast.Call):
                continue
            if index.built_role(value, scope)[0] is Role.APP:
                expression = f"{self_name}.{attribute}"
                here = AppSite(
                    module,
                    expression,
                    _top_of(block, statement),
                    block,
                    statement.lineno,
                    f"{expression} in {cls.name}.{method.name}()",
                )
                yield _Candidate(name, statement.lineno, here)
                continue
            builder = _own_method(value, self_name, methods)
            if builder is not None:
                # `self.app = self._build_app()`: wired in that method, after its variable.
                built_by = method_binding(binding, builder)
                if index.function_role(built_by) is Role.APP:
                    inside = _factory_site(built_by, index)
                    problem = None if inside is not None else _direct_return(built_by)
                    yield _Candidate(name, statement.lineno, inside, problem=problem)


def _class_factories(binding: Binding, index: PackageIndex) -> Iterator[_Candidate]:
    """App factories a class offers on itself: ``@classmethod def create(cls) -> FastAPI``.

    A server calls ``Application.create`` as it calls a function (``uvicorn --factory
    main:Application.create`` reads the attribute path, then calls it with no arguments); a
    ``@staticmethod`` is the same. An instance's method is no such factory: no server makes
    the instance.
    """
    cls = binding.node
    assert isinstance(cls, ast.ClassDef)
    for statement in cls.body:
        # Only a method read on the class can be one; checked first, as most classes have none.
        if not isinstance(statement, FunctionNode) or not static_or_class(statement):
            continue
        method = method_binding(binding, statement)
        if index.function_role(method) is not Role.APP:
            continue
        yield _factory_candidate(f"{cls.name}.{statement.name}", statement.lineno, method, index)


#: A module's attribute hook (PEP 562): it builds the attributes the module does not bind.
_MODULE_GETATTR = "__getattr__"


def _attribute_hooked(hook: Binding) -> str | None:
    """The one attribute name a module's ``__getattr__`` tests its parameter against, else None.

    ``if name == "app":`` (either side) in its body: ``app``. None for a hook testing no name
    or several (which of them returns the app is not told).
    """
    function = hook.node
    assert isinstance(function, FunctionNode)
    positional = [*function.args.posonlyargs, *function.args.args]
    if len(positional) != 1:
        return None
    parameter = positional[0].arg
    names: set[str] = set()
    for node in ast.walk(function):
        if not (
            isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq)
        ):
            continue
        sides = [node.left, node.comparators[0]]
        if any(isinstance(side, ast.Name) and side.id == parameter for side in sides):
            names.update(
                side.value
                for side in sides
                if isinstance(side, ast.Constant) and isinstance(side.value, str)
            )
    return next(iter(names)) if len(names) == 1 else None


def _factory_candidate(name: str, line: int, factory: Binding, index: PackageIndex) -> _Candidate:
    """The candidate an app factory is: its site, or why the app it builds cannot be wired."""
    site = _factory_site(factory, index)
    problem = None if site is not None else _direct_return(factory)
    return _Candidate(name, line, site, factory=True, problem=problem)


def _own_method(
    call: ast.Call, self_name: str, methods: dict[str, FunctionNode]
) -> FunctionNode | None:
    """The method of the same class that ``self.<method>(...)`` calls, if it is one."""
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == self_name
    ):
        return methods.get(func.attr)
    return None


def package_modules(
    app_package: str,
    package_dir: Path,
    *,
    skip_tests: bool = True,
    layers: Collection[str] = (DEFAULT_LAYER_PACKAGE,),
) -> list[str]:
    """The import names of the app package's modules, in a stable order.

    With the flat layout (``app_package`` is :data:`~telemetry_cli.plan.TOP_LEVEL`), they are
    the top-level modules of the backend folder (``package_dir``) and the packages beside them.

    The generated package (named by one of ``layers``, ``analytics`` unless the plan says
    otherwise) is left out, and with ``skip_tests`` so are test folders and files (which build
    apps of their own for testing).
    """
    names: list[str] = []
    real_package = os.path.realpath(package_dir)
    walked: set[str] = set()
    # Python imports through a symlinked folder (code shared between services of a monorepo):
    # its modules are the package's too. One that leads back inside the package is left out
    # (its real folder is listed), and so is any folder already walked (a link to a parent).
    for folder, dirs, files in os.walk(package_dir, followlinks=True):
        real = os.path.realpath(folder)
        if real in walked:
            dirs[:] = []
            continue
        walked.add(real)
        dirs[:] = sorted(
            name
            for name in dirs
            # A folder whose name is no identifier cannot be imported as part of the app; a
            # virtual environment is someone else's code (both common beside a flat layout's
            # top-level modules).
            if name.isidentifier()
            and name not in ("__pycache__", "node_modules", "site-packages")
            and not (skip_tests and name in _SKIPPED_DIRS)
            and not (Path(folder) == package_dir and name in layers)
            and not is_environment(Path(folder, name))
            and not is_build_output(Path(folder, name))
            and not _links_inside(Path(folder, name), real_package)
        )
        relative = Path(folder).relative_to(package_dir).parts
        for name in sorted(files):
            if not name.endswith(".py") or name.startswith("."):
                continue
            if skip_tests and is_test_file(name):
                continue
            stem = name[:-3]
            parts = [*relative] + ([] if stem == "__init__" else [stem])
            if parts or app_package:  # the backend folder's own __init__.py is no module of it
                names.append(qualified(app_package, *parts))
    return names


def is_test_file(name: str) -> bool:
    """Whether a file named ``name`` is a test module, never imported when the app runs.

    pytest's ``test_*.py`` and ``*_test.py``, and a ``conftest.py``.
    """
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def is_environment(folder: Path) -> bool:
    """Whether ``folder`` is a Python environment (venv/virtualenv, or conda): others' code.

    A folder that may not be looked into (a database's volume, mode 700, owned by a container's
    user) is not one; the walk that asks cannot list it either, and passes it over.
    """
    try:
        return (folder / "pyvenv.cfg").exists() or (folder / "conda-meta").is_dir()
    except OSError:
        return False


def is_build_output(folder: Path) -> bool:
    """Whether ``folder`` is what setuptools builds into: copies of the project's modules.

    A ``build`` folder that is no package, holding ``lib`` (or ``lib.<platform>``, or
    ``bdist.<platform>``): ``build/lib/app/main.py`` is a stale copy of ``app/main.py``, never
    what is served (its app would be taken for a second one). A package named ``build`` is the
    project's own.
    """
    if folder.name != "build":
        return False
    try:
        if (folder / "__init__.py").exists():
            return False
        return any(
            child.is_dir() and (child.name == "lib" or child.name.startswith(("lib.", "bdist.")))
            for child in folder.iterdir()
        )
    except OSError:
        return False


def _links_inside(folder: Path, real_package: str) -> bool:
    """Whether ``folder`` is a symlink to a folder inside the package (listed by its own name)."""
    if not folder.is_symlink():
        return False
    real = os.path.realpath(folder)
    return real == real_package or real.startswith(real_package + os.sep)


def _scan(
    app_package: str, package_dir: Path, index: PackageIndex, callees: frozenset[str]
) -> Iterator[ModuleModel]:
    """The package's modules that may build an app, in a stable order.

    Only files that mention ``FastAPI`` or one of ``callees`` (the library classes it uses as
    apps), or, found on the way, a subclass of one, a class building an app as its attribute,
    or an app factory, are parsed.
    """
    files = package_modules(app_package, package_dir)
    words = {"FastAPI", *callees}
    pending = files
    while pending:
        later = []
        known = len(words)
        for module_name in pending:
            source = index.source(module_name)
            if source is None:
                continue
            if not any(word in source.text for word in words):
                later.append(module_name)
                continue
            module = index.module(module_name)
            if module is None:
                continue
            # A subclass of FastAPI defined here may be what other modules build apps with; a
            # class building one as its attribute, or a factory, what another module holds
            # it from (`app = Service().app`, `app = build()`, never writing `FastAPI`).
            words |= {
                binding.name
                for binding in module.scope.bindings.values()
                if (
                    binding.kind == "class"
                    and (
                        index.class_role(f"{module.name}.{binding.name}")[0] is Role.APP
                        or any(item.site is not None for item in _attribute_apps(binding, index))
                    )
                )
                or _is_app_factory(binding, index)
            }
            yield module
        # Modules skipped so far are read again only for names learnt in this pass.
        pending = later if len(words) > known else []


class RootPath(NamedTuple):
    """The ``root_path`` an app is built with, and how it was read."""

    value: str
    #: How messages name it: ``root_path='/api'``, or the settings default it was read as.
    said: str


def root_path_of(site: AppSite, index: PackageIndex) -> RootPath | None:
    """The ``root_path=...`` the app is built with, when known without running code; else None.

    Starlette matches routes against the request path with the root path taken off, so a
    router under the root path (``/api/telemetry`` in an app with ``root_path="/api"``) is not
    reached at its own URL. A root path kept in settings (``root_path=settings.ROOT_PATH``,
    ``os.getenv("ROOT_PATH", "/api")``) is read as its default, as include prefixes are.
    """
    for node in ast.walk(site.anchor):
        if not (isinstance(node, ast.Call) and node.lineno == site.line):
            continue
        for keyword in node.keywords:
            if keyword.arg != "root_path":
                continue
            defaults = SettingsDefaults(index)
            value = index.string_value(keyword.value, _scope_of(site), fallback=defaults)
            if value is None:
                return None
            said = f"root_path={quoted(value)}"
            if defaults.read:
                said = f"root_path={defaults.read[-1].describe('it')}"
            return RootPath(value, said)
    return None


def _scope_of(site: AppSite) -> Scope:
    """The scope whose block builds the app (the module's, or its factory's).

    The block may be a branch of an ``if`` or ``try`` in the scope's body (see
    :func:`_branch_with_the_app`).
    """
    scopes = site.module.scopes
    for scope in scopes:
        body = getattr(scope.node, "body", None)
        if isinstance(body, list) and tuple(body) == site.block:
            return scope
    for scope in scopes:
        body = getattr(scope.node, "body", None)
        if isinstance(body, list) and any(
            statement is site.anchor for statement in block_statements(body)
        ):
            return scope
    return site.module.scope


def under_root_path(prefix: str, root_path: str | None) -> str | None:
    """``prefix`` without the app's root path, when the root path would take it off.

    With ``root_path="/api"``, Starlette routes ``/api/telemetry/health`` as
    ``/telemetry/health``: a router at ``/api/telemetry`` would only answer at
    ``/api/api/telemetry``, one at ``/telemetry`` answers at ``/api/telemetry``. None when
    ``prefix`` is not under the root path (nothing is taken off it).
    """
    if not root_path:
        return None
    root = root_path.rstrip("/")
    if root and prefix.startswith(root + "/") and len(prefix) > len(root) + 1:
        return prefix[len(root) :]
    return None


def _calls_after(site: AppSite) -> Iterator[tuple[ast.stmt, ast.Call]]:
    """The calls the statements after the site's anchor in its block make, with the statement.

    Those a function or class there defines run later, if at all: not these.
    """
    for statement in site.block[site.block.index(site.anchor) + 1 :]:
        if not isinstance(statement, FunctionNode | ast.ClassDef):
            for node in ast.walk(statement):
                if isinstance(node, ast.Call):
                    yield statement, node


def wiring_block(site: AppSite, stop: ast.stmt | None = None) -> ast.stmt:
    """The statement after which the wiring goes.

    That is the last ``include_router`` call on the app that follows its assignment in the same
    block, or the last ``Versionizer(app=<app>)`` (it moves the routes the app has by then under
    version prefixes: the layer's own would no longer answer at their paths), or the last
    ``FastApiMCP(<app>)`` (its MCP tools are the routes the app has by then: not the layer's),
    else the assignment itself; then the string statements right after it, which document it
    (attribute docstrings) and stay with it. None from ``stop`` (a statement of the block after
    the assignment: an include whose catch-all would answer the telemetry paths) on.
    """
    anchor = site.anchor
    scope = _scope_of(site)
    for statement, call in _calls_after(site):
        if stop is not None and statement.lineno >= stop.lineno:
            break
        if (
            isinstance(call.func, ast.Attribute)
            and call.func.attr == "include_router"
            and ast.unparse(call.func.value) == site.expression
        ) or _takes_routes(call, site.expression, scope):
            anchor = statement
    for statement in site.block[site.block.index(anchor) + 1 :]:
        if not is_docstring(statement):
            break
        anchor = statement
    return anchor


def _routes_taken_after(site: AppSite) -> bool:
    """Whether a statement after the site's anchor in its block takes the routes the app has.

    That is a ``Versionizer(app=<app>)`` or a ``FastApiMCP(<app>)`` (see :func:`wiring_block`):
    the layer is then wired at this site, after that call, not where a factory builds the app.
    """
    scope = _scope_of(site)
    return any(_takes_routes(call, site.expression, scope) for _, call in _calls_after(site))


#: The names the calls of :func:`_takes_routes` are made by (as imported, or aliased from).
_ROUTE_TAKERS = frozenset(
    {IN_PLACE_VERSIONER, *(name.rpartition(".")[2] for name in ROUTE_SNAPSHOTS)}
)


#: Their qualified names, as a re-export of the package's own is followed to (see below).
_ROUTE_TAKER_NAMES = IN_PLACE_VERSIONERS | frozenset(ROUTE_SNAPSHOTS)


def _names_a_route_taker(module: ModuleModel) -> bool:
    """Whether ``module`` may make one of those calls (a module that does not, holds none).

    Its text names one, or it imports one under another name through the package's own
    re-exports (``from app.core import mcp_for as M``, see :func:`~.mounts.imported_names`).
    A cheap test before walking the statements after each of its variables, as most modules
    hold many variables and none of those calls.
    """
    return any(word in module.text for word in _ROUTE_TAKERS) or bool(
        imported_names(module, _ROUTE_TAKER_NAMES)
    )


def _takes_routes(call: ast.Call, app: str, scope: Scope) -> bool:
    """Whether ``call`` takes the routes ``app`` has by then, so the layer goes after it.

    ``Versionizer(app=<app>)`` moves them under version prefixes; ``FastApiMCP(<app>)`` makes
    them its MCP tools. The layer's routes, included after the call, keep their paths and are
    no tools.
    """
    return _versions_in_place(call, app, scope) or _snapshots_routes(call, app, scope)


def versions_in_place(statement: ast.stmt, site: AppSite) -> bool:
    """Whether ``statement`` of the site's block holds a ``Versionizer(app=<app>)`` call.

    See :func:`wiring_block`.
    """
    scope = _scope_of(site)
    return any(
        isinstance(node, ast.Call) and _versions_in_place(node, site.expression, scope)
        for node in ast.walk(statement)
    )


def _versions_in_place(call: ast.Call, app: str, scope: Scope) -> bool:
    """Whether ``call`` is ``Versionizer(app=<app>, ...)``, by what its name imports."""
    taken = call_argument(call, 0, "app")
    return (
        taken is not None
        and ast.unparse(taken) == app
        and versioner_of(call, scope) == IN_PLACE_VERSIONER
    )


def _snapshots_routes(call: ast.Call, app: str, scope: Scope) -> bool:
    """Whether ``call`` is ``FastApiMCP(<app>, ...)``, which takes the routes the app has by then.

    Its MCP server's tools are those routes: the layer's, included after it, are none of them.
    So for ``FastMCP.from_fastapi(app=<app>)``.
    """
    keyword = ROUTE_SNAPSHOTS.get(PackageIndex.qualify_resolved(call.func, scope) or "")
    taken = None if keyword is None else call_argument(call, 0, keyword)
    return taken is not None and ast.unparse(taken) == app


__all__ = [
    "AppSite",
    "FoundApp",
    "choose_in_module",
    "factory_needs",
    "find_app",
    "is_main_guard",
    "main_guards",
    "only_under_main_guard",
    "required_parameters",
    "site_of_variable",
    "sub_blocks",
    "versions_in_place",
    "wiring_block",
]
