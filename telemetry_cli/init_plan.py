"""``telemetry-scaffold init``: write a first plan from what is found in the project.

The backend folder, the app package and the app come from the same discovery rules as
``generate`` (:mod:`telemetry_cli.patching.apps`); the route modules found become commented
suggestions for ``instrument``, each with its number of handlers. The table goes into
``pyproject.toml`` through tomlkit, so the rest of the file keeps every byte.
"""

import ast
import functools
import os
import re
import sys
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import NamedTuple

import tomlkit
import tomlkit.exceptions
from tomlkit.container import OutOfOrderTableProxy
from tomlkit.items import InlineTable, Table

from telemetry_cli.ast_literals import absolute_imports
from telemetry_cli.catalog import natural_key
from telemetry_cli.console import counted, project_folder, shown_path
from telemetry_cli.errors import PARSE_ERRORS, ConfigError, NoAppFound, SeveralApps, UserError
from telemetry_cli.files import (
    BOM,
    FileProblem,
    SourceText,
    atomic_write,
    conflict_marker_line,
    contained_path,
    read_bytes,
    require_writable,
    resolve,
    unresolved_conflict,
)
from telemetry_cli.ignore import GitIgnore
from telemetry_cli.install_steps import (
    declared_versions,
    flat_layout_catches,
)
from telemetry_cli.patching.apps import (
    AppModuleBroken,
    AppSite,
    FoundApp,
    built_apps,
    choose_in_module,
    factory_needs,
    find_app,
    is_environment,
    mounted_at,
    only_under_main_guard,
    package_modules,
    read_mounts,
    root_path_of,
    under_root_path,
)
from telemetry_cli.patching.collisions import (
    ShadowingMount,
    shadowing_mounts,
    telemetry_wiring,
    wired_router_prefix,
)
from telemetry_cli.patching.edits import ModuleEditor
from telemetry_cli.patching.instrument import instrument_module, logged_handlers
from telemetry_cli.patching.mounts import find_mounts
from telemetry_cli.patching.names import (
    APP_CLASSES,
    MOUNT_CLASSES,
    ROUTER_CLASSES,
    STARLETTE_CLASSES,
)
from telemetry_cli.patching.project import BackendReader
from telemetry_cli.patching.routes import find_handlers, unfollowed_registrations
from telemetry_cli.patching.symbols import (
    ModuleModel,
    PackageIndex,
    Scope,
    analysis_run,
    assigned_targets,
    names_bound,
    statement_blocks,
)
from telemetry_cli.plan import (
    CONFIG_FILENAME,
    DEFAULT_EVENT_TYPES,
    DEFAULT_LAYER_PACKAGE,
    FASTAPI_ENTRYPOINT,
    KEYS_BY_NAME,
    MAIN_MODULE,
    TOOL_SECTION,
    TOP_LEVEL,
    refuse_misspelt_table,
)
from telemetry_cli.render import is_generated_file
from telemetry_cli.run_files import line_served_apps, run_file_targets, run_files_serving
from telemetry_cli.script_servers import (
    ScriptReads,
    call_targets,
    module_data,
    module_file,
    script_tree,
    served_targets,
    split_import_string,
    star_binds,
)
from telemetry_cli.server_commands import (
    IMPORT_STRING,
    names_one_attribute,
)
from telemetry_cli.serverless import (
    hands_imported_app_to_a_platform,
    hands_own_app_to_a_platform,
    platform_targets,
)

# Folders that never hold the user's app.
_SKIPPED = frozenset(
    {
        "node_modules",
        "site-packages",
        "__pycache__",
        "build",
        "dist",
        "venv",
        "env",
        "tests",
        "test",
    }
)
# Folders of examples, tests, fixtures, documents and mocks: one with its own Dockerfile and app
# (`mocks/payment-provider/`, `examples/minimal/`) is a stand-in or a sample, not a service
# of the project's. A folder's name counts when any of its words (split at `-`, `_`, `.`) is one.
_NOT_SERVICES = _SKIPPED | frozenset(
    {
        *("example", "examples", "sample", "samples", "demo", "demos", "tutorial", "tutorials"),
        *("doc", "docs", "docs_src", "documentation", "fixture", "fixtures", "testdata"),
        *("mock", "mocks", "stub", "stubs", "fake", "fakes", "testing", "e2e", "loadtest"),
        *("loadtests", "benchmark", "benchmarks"),
    }
)
# A folder named by a template placeholder (cookiecutter's `{{cookiecutter.project_slug}}`,
# copier's `{{ name }}` or `{% if ... %}`) is a template's source: rendered into a project, never
# run itself, so never the app.
_TEMPLATE_MARKS = ("{{", "{%")
_MAX_DEPTH = 6
# The modules a flat layout's app is built in, at the top of its backend folder (FastAPI CLI's
# main.py, app.py and api.py, and the common server.py).
_FLAT_MODULES = frozenset({"main.py", "app.py", "server.py", "api.py"})
# Launchers a server is pointed at too (`uvicorn run:app`, `gunicorn asgi:app`): entry modules
# when they build the app themselves; one only importing a package's app (`from app.main import
# app`) leaves that package the app package.
_LAUNCHER_MODULES = frozenset({"run.py", "asgi.py"})
_ENTRY_MODULES = frozenset(name[:-3] for name in _FLAT_MODULES | _LAUNCHER_MODULES)
_FLAT_NAMES = ", ".join(f"{name}.py" for name in sorted(_ENTRY_MODULES)[:-1]) + (
    f" or {sorted(_ENTRY_MODULES)[-1]}.py"
)
# Files that mark the folder a backend is run from (its imports start there).
_PROJECT_FILES = (
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "requirements.txt",
    "Pipfile",
    "Dockerfile",
    # What a build reads when there is no `Dockerfile` (on a case-sensitive system).
    "dockerfile",
)


class RouteModule(NamedTuple):
    """A route module init suggests: its path in the app package, and its handlers."""

    path: str
    handlers: int
    to_fix: int  # what generate would ask to fix by hand there (see instrument_module)
    # Routes it registers with an endpoint that is no function of the package
    # (`router.add_api_route("/me", MeView.as_view())`): generate names them, to log by hand.
    unfollowed: int = 0
    # Starlette routes it registers (`@router.route("/x")`): generate names them, to log by hand.
    starlette: int = 0


class Found(NamedTuple):
    """What init found: where the app lives, and the route modules with their handler counts."""

    backend: str
    app_package: str
    app: str
    routes: tuple[RouteModule, ...]
    # When the default would sit under the app's root_path or the path it is mounted at, or
    # under a path one of its own mounts takes first (`api_prefix_mount`: that mount's path).
    api_prefix: str | None = None
    # The app is the one `[tool.fastapi] entrypoint` names: the plan leaves `app` to it.
    from_entrypoint: bool = False
    # Another name for the generated package: the app package has an `analytics` of its own,
    # or (flat layout) imports a library of that name.
    layer_package: str | None = None
    # The package's modules that could not be read or parsed (so not looked at for routes),
    # each as one line naming the file and why.
    skipped: tuple[str, ...] = ()
    # The file of the module the import string names, relative to the root.
    path: str = ""
    # The app is a factory with parameters a server cannot pass (`uvicorn --factory` passes none).
    needs_arguments: bool = False
    # Where the app is built (file relative to the root, line): one app reached under
    # two import strings (a package re-exporting its factory) has one site.
    site: tuple[str, int] | None = None
    # The modules (relative to the app package) whose every route is of a router no app
    # includes: not suggested, but named when no other route module is found.
    unserved: tuple[str, ...] = ()
    api_prefix_mount: str | None = None
    # Another folder for the documents: setuptools' flat-layout discovery would package `specs`.
    specs_dir: str | None = None
    # The modules (relative to the app package) building an app of their own, not the one
    # chosen, whose routes it does not serve: named as other apps, not as unincluded routes.
    other_apps: tuple[str, ...] = ()
    # Lines saying the routers a loop or import picks come from a settings default the
    # environment may change at run time (generate says them too): see `RUN_TIME_CHOICE`.
    run_time_notes: tuple[str, ...] = ()
    # Why the app module of each other project folder could not be parsed (a syntax error):
    # apps init could not weigh against the one it chose, which may not be the one served.
    unparsed_apps: tuple[str, ...] = ()


class _UnparsedApp(str):
    """Why a candidate's app module could not be read or parsed: an app init may have missed.

    A ``str`` as the other reasons :func:`_offers` gives, so each check of those holds for it.
    """

    __slots__ = ()


class InitResult(NamedTuple):
    """The table as TOML text, the whole new file, and whether the file is new."""

    table: str
    document: str
    found: Found
    original: bytes | None = None
    """The file's bytes as read (None: there was none); written over only while they are."""

    @property
    def created(self) -> bool:
        """Whether init creates ``pyproject.toml`` (there was none)."""
        return self.original is None


def plan_table(root: Path) -> InitResult:
    """Find the app under ``root`` and build the plan table; write nothing.

    Raises:
        ConfigError: the table exists already, the file is not TOML, or no app (or several)
            was found.
    """
    config = root / CONFIG_FILENAME
    try:
        data = read_bytes(contained_path(root, CONFIG_FILENAME), shown_path(config))
    except FileProblem as problem:
        raise ConfigError(problem.message) from None
    if data is not None and conflict_marker_line(data) is not None:
        raise ConfigError(unresolved_conflict(shown_path(config), data, generated=False))
    source = SourceText(text="", bom=False) if data is None else _decode(data)
    text = source.text
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as error:
        raise ConfigError(f"{shown_path(config)}: invalid TOML: {error}") from None
    tool = document.get("tool")
    # `[tool.x]` tables split by another table (`[tool.a]`, `[dirs]`, `[tool.b]`) are valid TOML;
    # tomlkit gives them as a proxy over the pieces, which takes a new key like a table does.
    if isinstance(tool, InlineTable):
        # A table of lines cannot go inside `tool = {...}`, and rewriting the user's line is not
        # init's to do.
        raise ConfigError(
            f"{shown_path(config)}: `tool` is an inline table (`tool = {{...}}`), which init "
            f"cannot add [tool.{TOOL_SECTION}] to (TOML closes it on its line); write it as "
            "[tool.<name>] tables, then run init again"
        )
    if tool is not None and not isinstance(tool, Table | OutOfOrderTableProxy):
        raise ConfigError(f"{shown_path(config)}: `tool` must be a table")
    if tool is not None:
        refuse_misspelt_table(tool, shown_path(config))
    if tool is not None and TOOL_SECTION in tool:
        raise ConfigError(
            f"{shown_path(config)}: [tool.{TOOL_SECTION}] exists already; edit it, or delete it "
            "to start again"
        )
    with analysis_run():
        found = discover(root, document)
    found = found._replace(specs_dir=_specs_dir(root, found.backend))
    table = _table(found)
    if tool is None:
        tool = tomlkit.table(is_super_table=True)
        document.add("tool", tool)
    tool[TOOL_SECTION] = table
    rendered = _lay_out_insertion(text, tomlkit.dumps(document))
    added = tomlkit.dumps({"tool": {TOOL_SECTION: table}})
    # The file's BOM, if it has one, stays: the rest of the file keeps every byte.
    document_text = (BOM if source.bom else "") + rendered
    return InitResult(added.strip() + "\n", document_text, found, data)


def _lay_out_insertion(text: str, rendered: str) -> str:
    """``rendered`` (``text`` with the plan table inserted by tomlkit) laid out like the file.

    tomlkit writes what it adds with LF, glues it to a last line that had no newline, and puts it
    right before whatever table follows the ``tool`` tables (``[build-system]``, or ``[dirs]``
    between split ``[tool.x]`` tables) with no blank line between. The inserted block runs from
    its header to the next table header (its own lines are keys and ``#`` comments) or the end;
    it gets the file's line endings and a blank line on each side, and every other byte stays.
    """
    newline = "\r\n" if text.partition("\n")[0].endswith("\r") else "\n"
    # The block starts after what the two texts share, at the start of a line.
    shared = next(
        (index for index, (old, new) in enumerate(zip(text, rendered, strict=False)) if old != new),
        min(len(text), len(rendered)),
    )
    header = rendered.find(f"[tool.{TOOL_SECTION}]", rendered.rfind("\n", 0, shared) + 1)
    if header < 0:  # pragma: no cover - tomlkit always writes the header it was given
        return rendered
    nested = rendered.find(f"[tool.{TOOL_SECTION}.", header)
    following = rendered.find("\n[", nested if nested >= 0 else header)
    end = len(rendered) if following < 0 else following + 1
    before, block, after = rendered[:header], rendered[header:end], rendered[end:]
    if before.endswith("\n") and not before.endswith(newline):
        before = before[:-1] + newline
    if before and not before.endswith(newline):
        before += newline
    if before.strip() and not before.endswith(newline * 2):
        before += newline
    block = block.replace("\r\n", "\n").replace("\n", newline)
    if after and not block.endswith(newline * 2):
        block += newline
    return before + block + after


def write_plan(root: Path, result: InitResult) -> None:
    """Write the new ``pyproject.toml`` atomically.

    Raises:
        UserError: it could not be written.
    """
    try:
        path = contained_path(root, CONFIG_FILENAME)
        # Another program may have written the file since it was read: keep its bytes.
        if read_bytes(path, CONFIG_FILENAME) != result.original:
            raise UserError(
                f"{CONFIG_FILENAME}: changed since telemetry-scaffold read it (another program "
                "wrote it meanwhile); nothing was written; run init again"
            )
        require_writable(path, CONFIG_FILENAME)
        # A link inside the root (checked above) is written through: the link stays.
        atomic_write(resolve(path, CONFIG_FILENAME), result.document.encode("utf-8"))
    except FileProblem as problem:
        raise UserError(problem.message) from None
    except OSError as error:
        raise UserError(f"{CONFIG_FILENAME}: cannot write: {error.strerror}") from None


def _decode(data: bytes) -> SourceText:
    try:
        return SourceText.decode(data, CONFIG_FILENAME)
    except FileProblem as problem:
        raise ConfigError(problem.message) from None


def _table(found: Found) -> Table:
    table = tomlkit.table()
    for name, value in (
        ("backend", found.backend),
        ("app-package", found.app_package),
        ("layer-package", found.layer_package),
        ("app", found.app),
    ):
        if value is None:
            continue  # the default
        if name == "app" and found.from_entrypoint:
            # The plan's `app` defaults to the entrypoint: one place to change it.
            table.add(tomlkit.comment(f"app: {FASTAPI_ENTRYPOINT} ({found.app})"))
            continue
        table.add(name, value)
        table[name].comment(KEYS_BY_NAME[name].meaning.replace("`", ""))
    if found.api_prefix is not None:
        table.add("api-prefix", found.api_prefix)
        table["api-prefix"].comment(
            f"clear of {found.api_prefix_mount}, which a mount of the app takes before the "
            "telemetry router is included"
            if found.api_prefix_mount is not None
            else "without what the app's requests carry in front of it (its root_path, the "
            "path it is mounted at, or app.router.prefix)"
        )
    if found.specs_dir is not None:
        table.add("specs-dir", found.specs_dir)
        table["specs-dir"].comment(
            f"not {KEYS_BY_NAME['specs-dir'].default}: setuptools' automatic discovery would "
            "take it in as a second package; it skips docs/"
        )
    instrument = tomlkit.table()
    event = DEFAULT_EVENT_TYPES[0]
    if found.routes:
        instrument.add(
            tomlkit.comment(
                "Route modules found; uncomment one to log an event at the start of its handlers:"
            )
        )
        for route in found.routes:
            notes = [counted(route.handlers, "route handler")] if route.handlers else []
            if route.to_fix:
                them = "it" if route.to_fix == 1 else "them"
                notes.append(f"{route.to_fix} to fix by hand first (generate names {them})")
            if route.unfollowed:
                one = route.unfollowed == 1
                notes.append(
                    f"{route.unfollowed} route{'' if one else 's'} registered with an endpoint "
                    f"it cannot follow to a function (generate names {'it' if one else 'them'}: "
                    f"log {'it' if one else 'them'} by hand)"
                )
            if route.starlette:
                one = route.starlette == 1
                notes.append(
                    f"{route.starlette} Starlette route{'' if one else 's'} (generate names "
                    f"{'it' if one else 'them'}: log {'it' if one else 'them'} by hand)"
                )
            if not notes:
                notes.append(
                    "no handler generate logs: each is marked skip or never reached (an earlier "
                    "route takes its requests; generate names it)"
                )
            note = "; ".join(notes)
            instrument.add(tomlkit.comment(f'"{route.path}" = "{event}"  # {note}'))
        if found.unserved:
            instrument.add(
                tomlkit.comment(
                    f"{_unserved(found.unserved, bool(found.other_apps))}: not suggested; "
                    'add `"module.py" = "event"` if an app serves them.'
                )
            )
    elif found.unserved:
        instrument.add(
            tomlkit.comment(
                f'{_unserved(found.unserved, bool(found.other_apps))}; add `"module.py" = "event"`.'
            )
        )
    elif not found.other_apps:
        instrument.add(tomlkit.comment('No route module found; add `"module.py" = "event"`.'))
    if found.other_apps:
        instrument.add(tomlkit.comment(_other_apps(found.other_apps, found.app)))
    table.add("instrument", instrument)
    return table


# Where the documents go when the default folder would break the project's packaging:
# setuptools' flat-layout discovery skips `docs`, and documents belong there.
_UNPACKAGED_SPECS_DIR = "docs/specs"


def _specs_dir(root: Path, backend: str) -> str | None:
    """The ``specs-dir`` to write: None (the default) unless setuptools would package it.

    A project built by setuptools' automatic flat-layout discovery takes the new top-level
    ``specs`` folder in as a second package and refuses to build (``pip install .``).
    """
    default = str(KEYS_BY_NAME["specs-dir"].default)
    return None if flat_layout_catches(root, backend, default) is None else _UNPACKAGED_SPECS_DIR


# How many modules of routes no app includes init names.
_NAMED_UNSERVED = 3


def _unserved(modules: tuple[str, ...], other_apps: bool = False) -> str:
    """``3 modules define routes that no app includes (api/a.py, ...)``, the first few named.

    With ``other_apps`` (modules building apps of their own), those apps may include them.
    """
    count = len(modules)
    named = ", ".join(modules[:_NAMED_UNSERVED])
    more = ", ..." if count > _NAMED_UNSERVED else ""
    define = "module defines" if count == 1 else "modules define"
    includes = "the chosen app does not include" if other_apps else "no app includes"
    return f"{count} {define} routes that {includes} ({named}{more})"


def _other_apps(modules: tuple[str, ...], app: str) -> str:
    """``1 module builds an app of its own (app.py), not the one chosen (main:app): ...``."""
    count = len(modules)
    named = ", ".join(modules[:_NAMED_UNSERVED])
    more = ", ..." if count > _NAMED_UNSERVED else ""
    builds = "module builds an app of its own" if count == 1 else "modules build apps of their own"
    return f"{count} {builds} ({named}{more}), not the one chosen ({app}): not instrumented"


def _prefix_under_root_path(root_path: str | None) -> str | None:
    """The api-prefix to write for an app built with ``root_path``, or None for the default.

    With ``root_path="/api"``, Starlette routes ``/api/telemetry/health`` as
    ``/telemetry/health``: the default prefix ``/api/telemetry`` would only answer at
    ``/api/api/telemetry``. The prefix without the root path answers at the default URL.
    """
    default = KEYS_BY_NAME["api-prefix"].default
    assert isinstance(default, str)
    return under_root_path(default, root_path)


def _wired_router_prefix(site: AppSite, index: PackageIndex) -> str | None:
    """The app's ``router.prefix`` where generate wires the telemetry router (default prefix)."""
    default = KEYS_BY_NAME["api-prefix"].default
    assert isinstance(default, str)
    return wired_router_prefix(site, index, telemetry_wiring(site, index, default))


def _clear_of_mounts(
    prefix: str | None, site: AppSite, index: PackageIndex
) -> tuple[str | None, str | None]:
    """The api-prefix to write when a mount of the app would answer the endpoints first.

    ``app.mount("/api", api)`` above the app's last ``include_router`` takes
    ``/api/telemetry/log`` before the telemetry router, included after it, can: the prefix's
    last segment at the root (``/telemetry``) when no mount takes it, and the path of the
    mount. Otherwise ``prefix`` as is (a mount at the root takes every path: generate says so).
    """
    default = KEYS_BY_NAME["api-prefix"].default
    assert isinstance(default, str)
    current = prefix or default
    taken = _shadowing_mounts(site, index, current)
    if not taken:
        return prefix, None
    other = "/" + current.rpartition("/")[2]
    if other == current or _shadowing_mounts(site, index, other):
        return prefix, None
    return other, taken[0].path


def _shadowing_mounts(site: AppSite, index: PackageIndex, prefix: str) -> list[ShadowingMount]:
    """The app's mounts taking ``{prefix}/log`` before the telemetry router generate wires."""
    return shadowing_mounts(site, index, f"{prefix}/log", telemetry_wiring(site, index, prefix))


def discover(root: Path, project: tomlkit.TOMLDocument) -> Found:
    """Find the one FastAPI app under ``root``, and the route modules of its package.

    ``project`` is ``root``'s pyproject.toml, read once by the caller. With its ``[tool.fastapi]
    entrypoint`` (FastAPI CLI's own setting), the app is the one it names, wherever else apps
    are built; when it names none found, the app is discovered as without it.

    Without it, the app a module at the top of ``root`` runs with ``uvicorn.run("<module>:<name>")``
    is the one named, as by an entrypoint (the project's own runner says what it serves); the
    plan then names that app itself.

    The one app found is then taken from the folder the project's Dockerfiles serve it from,
    when they say so unambiguously (:func:`_as_the_image_serves_it`).

    Raises:
        ConfigError: none was found, or several.
    """
    entrypoint = _fastapi_entrypoint(project)
    targets = set() if entrypoint is not None else _runner_targets(root, project) or set()
    if entrypoint is None and not targets:
        targets = _members_entrypoints(root)
    hint = entrypoint if entrypoint is not None else _one(targets)
    regular, namespace, templates = _candidate_packages(root, hint)
    offers = _offers(root, regular, hint)
    later: dict[tuple[str, str], Found | str] | None = None
    if hint is not None and not _named_by_entrypoint(offers):
        later = _offers(root, namespace, hint)
    named = _named_by_entrypoint(offers) or _named_by_entrypoint(later or {})
    if not named and len(targets) > 1:
        # Run files serving several apps (a Procfile's services): the app is one of those, not
        # a module none of them serves, whatever its name; several found are said.
        # Each target is looked for as the one hint would be (a launcher it names, `asgi.py`
        # re-exporting the app, is a candidate only so); one naming no FastAPI app (a Flask
        # module's) hides none of the others.
        named = []
        for target in sorted(targets):
            target_regular, target_namespace, _ = _candidate_packages(root, target)
            named.extend(
                _named_by_entrypoint(_offers(root, target_regular, target))
                or _named_by_entrypoint(_offers(root, target_namespace, target))
            )
    if named:
        # Only `[tool.fastapi] entrypoint` is a setting the plan can leave `app` to.
        apps = _one_per_app(
            _packaged_over_flat(
                named
                if entrypoint is not None
                else [item._replace(from_entrypoint=False) for item in named]
            )
        )
    else:
        if not any(
            isinstance(offer, Found) and not offer.needs_arguments for offer in offers.values()
        ):
            # Folders without `__init__.py` are packages too (PEP 420), but so are folders of
            # demo scripts: they are only looked at when no regular package builds an app a
            # server can import (a factory needing arguments is called by the entry module
            # that serves its result: `app = create_app()` in a flat layout's main.py).
            offers.update(_offers(root, namespace) if later is None else later)
            # An entry module importing such a folder serves it, as it does a regular package.
            offers = _entries_over_components(root, offers, offers)
        elif not any(_inside(offer) for offer in offers.values()):
            # Each package only leads to an app built by a module outside it (a main.py beside
            # it): that module's folder, with the flat layout, holds every package's routes.
            folders = {backend for backend, _ in offers}
            flat: dict[tuple[str, str], Found | str] = {
                key: offer
                for key, offer in (_offers(root, namespace) if later is None else later).items()
                if key[0] in folders and key[1] == TOP_LEVEL and isinstance(offer, Found)
            }
            if flat:
                offers = flat
        else:
            others = _offers(root, namespace) if later is None else later
            offers = _entries_over_components(root, offers, others)
            offers.update(_flat_entries_beside(offers, others))
            offers.update(_services_beside(root, offers, others))
        found = [offer for offer in offers.values() if isinstance(offer, Found)]
        servable = [offer for offer in found if not offer.needs_arguments]
        apps = _served(_one_per_app(servable or found))
        # Discovered, not named by a run file: a folder whose app module does not parse may
        # hold the app served (a file mid-edit), so the choice is said to have left it out.
        unparsed = sorted({offer for offer in offers.values() if isinstance(offer, _UnparsedApp)})
        if len(apps) == 1 and unparsed:
            apps = [apps[0]._replace(unparsed_apps=tuple(unparsed))]
    if len(apps) == 1:
        return _as_the_image_serves_it(root, apps[0])
    if len(apps) > 1:
        # One order for every package kind (regular packages are read before namespace ones).
        apps = sorted(apps, key=lambda item: (item.path, item.backend, item.app))
        listed = ", ".join(f"{item.app} in {project_folder(item.backend)}" for item in apps)
        first = apps[0]
        raise ConfigError(
            f"several FastAPI apps found ({listed}); write [tool.{TOOL_SECTION}] by hand with "
            f"backend, app-package and app (for the first: backend = {_toml_string(first.backend)}"
            f", app-package = {_toml_string(first.app_package)}, app = {_toml_string(first.app)})"
        )
    reasons = [offer for offer in offers.values() if isinstance(offer, str)]
    if reasons:
        raise ConfigError(reasons[0])
    if templates:
        raise ConfigError(
            f"no FastAPI app found under {shown_path(root)}: {templates[0]}/ is a project "
            "template's source (its name is a placeholder), rendered into a project, never run; "
            f"run init in a project rendered from it, or write [tool.{TOOL_SECTION}] by hand "
            "with backend, app-package and app"
        )
    raise ConfigError(
        f"no FastAPI app found under {shown_path(root)} (looked for packages with a module "
        f"that builds FastAPI(...), and for {_FLAT_NAMES} building it at the top of "
        "a project folder, or a module there serving it with uvicorn.run or handing it to "
        "Mangum, Azure Functions or Ray Serve); write "
        f"[tool.{TOOL_SECTION}] by hand with backend, app-package and app"
    )


def _as_the_image_serves_it(root: Path, found: Found) -> Found:
    """``found`` from the folder the project's Dockerfiles serve it from, when they say so.

    The import root is where the serving command runs the module from: ``COPY ./app /app`` in
    a ``tiangolo/uvicorn-gunicorn-fastapi`` image serves ``app/main.py`` as ``main:app`` from
    ``app/`` (its neighbours are top-level modules there), ``WORKDIR /code``, ``COPY . .`` and
    ``uvicorn app.main:app`` serve it as ``app.main:app`` from the root. Only when the
    Dockerfiles (of the root, or those its compose files build) serving this app's module all
    serve it one way, and the module's own imports of the project's modules resolve from there;
    otherwise (and for ``[tool.fastapi] entrypoint``, the project's own setting) ``found`` as it
    is. Images serving other modules (the other services of a monorepo, each its own app) have
    no say.
    """
    from telemetry_cli.image_layer import served_modules

    if found.from_entrypoint or not found.path:
        return found
    run_files = run_files_serving(root)
    if any(
        folder == "." and found.path in _served_paths(folder, string)
        for folder, string in run_files
    ):
        # A run file serving it from the root (`web: uvicorn svc.main:app` beside a dev script
        # run from `svc/`): the two ways disagree, and discovery's holds, as for Dockerfiles.
        return found
    serving = {
        (folder, string)
        for folder, string in [*served_modules(root), *run_files]
        if found.path in _served_paths(folder, string)
    }
    if len(serving) != 1:
        return found
    ((folder, string),) = serving
    if folder == found.backend:
        return found  # the same import root: which attribute it serves is not this rule's
    if _relative_entrypoint(string, folder) != string:
        return found  # read back relative to the folder, it would name another module
    names = string.partition(":")[0].split(".")
    # The packages holding the module: as far up as its relative imports may reach.
    depth = len(names) - (0 if found.path.endswith("/__init__.py") else 1)
    if not _imports_resolve_from(root, found, folder, depth):
        return found
    package = names[0] if len(names) > 1 else TOP_LEVEL
    offer = _offers(root, [(folder, package)], string).get((folder, package))
    if not isinstance(offer, Found) or offer.path != found.path:
        return found
    return offer._replace(from_entrypoint=False, unparsed_apps=found.unparsed_apps)


def _served_paths(folder: str, string: str) -> set[str]:
    """The files (POSIX, from the root) the module ``string`` names from ``folder`` may be.

    ``app/main.py`` or ``app/main/__init__.py`` for ``main:app`` from ``app``.
    """
    names = string.partition(":")[0].split(".")
    return {
        PurePosixPath(folder, *names[:-1], tail).as_posix()
        for tail in (f"{names[-1]}.py", f"{names[-1]}/__init__.py")
    }


def _imports_resolve_from(root: Path, found: Found, folder: str, depth: int) -> bool:
    """Whether the app module's imports of project modules resolve run from ``folder``.

    ``depth`` is how many packages hold the module served from there: a relative import going
    further up (``from .routers import items`` in a top-level ``main``) does not resolve. A
    top-level name found under the backend folder init chose but not under ``folder`` (nor
    beside the module, when it puts its own folder on ``sys.path``) says the project imports
    it from elsewhere: ``from app.routers import items`` in ``app/main.py`` served from ``app/``.
    """
    try:
        data = read_bytes(root / found.path, found.path)
    except FileProblem:
        return False
    tree = None if data is None else script_tree(data)
    if data is None or tree is None:
        return False
    folders = [root / folder]
    if b"sys.path" in data:
        folders.append((root / found.path).parent)
    for statement in _unguarded_imports(tree):
        if isinstance(statement, ast.Import):
            tops = [alias.name.partition(".")[0] for alias in statement.names]
        elif not statement.level and statement.module:
            tops = [statement.module.partition(".")[0]]
        elif statement.level > depth:
            return False
        else:
            continue
        for top in tops:
            if _is_module_of(root / found.backend, top) and not any(
                _is_module_of(place, top) for place in folders
            ):
                return False
    return True


def _entries_over_components(
    root: Path,
    offers: dict[tuple[str, str], Found | str],
    others: dict[tuple[str, str], Found | str],
) -> dict[tuple[str, str], Found | str]:
    """``offers`` with each package an entry module above it imports given way to that module.

    ``main.py`` at the top of a folder saying ``from app.modules.ocr import router``, where
    ``app/modules/ocr/`` is a package building an app of its own (a sandbox run on its own),
    with or without ``__init__.py``: the package is a component of the entry module's app,
    which is the one served. ``others`` holds the entry modules (it may be ``offers`` itself).
    """
    entries = {
        key: offer
        for key, offer in others.items()
        if key[1] == TOP_LEVEL and isinstance(offer, Found) and offer.path
    }
    if not entries:
        return offers
    kept: dict[tuple[str, str], Found | str] = {}
    taken: dict[tuple[str, str], Found | str] = {}
    for key, offer in offers.items():
        entry = None
        if isinstance(offer, Found) and offer.app_package != TOP_LEVEL:
            top = offer.app_package.split(".")[0]
            folder = PurePosixPath(offer.backend) / top
            entry = next(
                (
                    entry_key
                    for entry_key, candidate in entries.items()
                    if isinstance(candidate, Found)
                    and _imports_folder(root, candidate, folder)
                    and not _rival_entry(root, candidate, offer)
                ),
                None,
            )
        if entry is None:
            kept[key] = offer
        else:
            taken[entry] = entries[entry]
    return {**kept, **taken} if taken else offers


def _rival_entry(root: Path, entry: Found, offer: Found) -> bool:
    """Whether ``offer`` is a second entry of ``entry``'s project, not a component it serves.

    ``main.py`` and ``app/main.py`` in one folder, both building an app of ``app.routers``: the
    package's app is built at the top of the folder ``main.py`` imports (``app/main.py``, as a
    server is pointed at it, ``app.main:app``), run from the same folder, and ``main.py`` does
    not import that module (to mount it or serve it again; a ``main.py`` only running
    ``uvicorn.run("app.main:app")`` is found as that app itself). Which one is served is not
    known from ``main.py``: the package's app is offered as without it.
    """
    if entry.path == offer.path or (entry.site is not None and entry.site == offer.site):
        return False  # one app (main.py running `app.main:app` is found as that module's)
    if PurePosixPath(offer.backend) != PurePosixPath(entry.backend):
        return False  # a component run on its own from a folder of its own
    package_folder = PurePosixPath(offer.backend, *offer.app_package.split("."))
    if entry.site is not None and PurePosixPath(entry.site[0]).is_relative_to(package_folder):
        # `from app import app`: main.py serves an app the package builds (in `__init__.py`,
        # say), which is not a leftover beside the package's own entry module but the one run.
        return False
    module = offer.app.partition(":")[0]
    if module.rpartition(".")[0] != offer.app_package or "." in offer.app_package:
        # Built deeper than the top of the folder the entry imports (`service/gateway/app.py`
        # beside `service/cameras/`): a part of it run on its own.
        return False
    # main.py importing that module mounts or serves the package's app again; so does one
    # importing the app by its name from a package holding that module (`from api import
    # api_app`, bound by `api/__init__.py` re-exporting it from `.main`).
    return not (
        _imports_folder(root, entry, PurePosixPath(offer.path).with_suffix(""))
        or _imports_app_through_package(root, entry, offer)
    )


def _imports_app_through_package(root: Path, entry: Found, offer: Found) -> bool:
    """Whether ``entry``'s module imports ``offer``'s app by its name from a package above it.

    The app ``api.main:api_app``: ``from api import api_app``, or ``import api`` (``import
    api.routes``, ``import api as side``) and ``api.api_app``, when the package binds that name
    to the app: ``from .main import api_app`` in ``api/__init__.py`` (in any module-level block),
    a value read off ``.main``, or no binding it makes plain (a lazy ``__getattr__``). A name
    it binds only to another object (``from .routes import api_app``, a router) is not the app
    (see :func:`_package_binds_app`).
    """
    module, _, attribute = offer.app.partition(":")
    name = attribute.partition(".")[0]
    packages = module.split(".")[:-1]
    enclosing = {".".join(packages[: size + 1]) for size in range(len(packages))}
    if not name or not enclosing:
        return False
    tree = _module_tree(root, entry.path)
    if tree is None:
        return False
    # The dotted names the entry reaches a package by, with that package: `api` for `import
    # api` and `import api.routes`, `pkg.api` for `import pkg.api`, `side` for `import api as
    # side`.
    reached: dict[str, str] = {}
    backend = PurePosixPath(offer.backend)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and not node.level
            and node.module in enclosing
            and any(alias.name == name for alias in node.names)
            and _package_binds_app(root, backend, node.module, name, module)
        ):
            return True
        if isinstance(node, ast.Import):
            for alias in node.names:
                for package in enclosing:
                    if alias.asname is not None and alias.name == package:
                        reached[alias.asname] = package
                    elif alias.asname is None and (
                        alias.name == package or alias.name.startswith(package + ".")
                    ):
                        reached[package] = package
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == name:
            holder = reached.get(_dotted(node.value) or "")
            if holder is not None and _package_binds_app(root, backend, holder, name, module):
                return True
    return False


#: How many re-exporting modules a name is followed through (``api/__init__.py`` taking it
#: from ``.server``, which takes it from ``.main``).
_REEXPORT_DEPTH = 3


def _package_binds_app(
    root: Path, backend: PurePosixPath, package: str, name: str, app_module: str, depth: int = 0
) -> bool:
    """Whether module ``package`` (dotted, under ``backend``) binds ``name`` to ``app_module``'s.

    Its module-level bindings of the name (also in a module-level block: ``if``, ``try``,
    ``with``, ``for``, ``while``, ``match``; not a function's locals, a class body's names or
    an annotation without a value): one importing it from ``app_module``, or from a module of
    the project that does so in turn, is the app; so is any value not known to be something
    else (``side = main.side``, ``side = create_side()``, ``getattr(main, "side")``, a loop's
    target, a function's ``global``). A module binding no such name (a lazy ``__getattr__``,
    a star import), or one not read, may hand out the app: True. Only bindings all known to be
    something else say it is not: False. Those are a literal, a router built there (``side =
    APIRouter()``), an import of a name the project's module binds only so (``from .routes
    import side``) or of a library's, a function, a class and a module.
    """
    base = backend.joinpath(*package.split("."))
    path = base / "__init__.py"
    if not (root / path).is_file():
        path = base.with_suffix(".py")
    tree = _module_tree(root, path.as_posix())
    if tree is None or depth > _REEXPORT_DEPTH:
        return True
    if any(isinstance(node, ast.Global) and name in node.names for node in ast.walk(tree)):
        return True  # a function binding it when called: not read, maybe the app
    is_package = path.name == "__init__.py"
    bound = False
    for node in _module_level(tree.body):
        if isinstance(node, ast.ImportFrom):
            source = _absolute_module(package, is_package, node.level, node.module)
            for alias in node.names:
                if alias.name == "*":
                    return True  # what it brings is not read here
                if (alias.asname or alias.name) != name:
                    continue
                bound = True
                if source == app_module or (
                    source is not None
                    and _project_module(root, backend, source)
                    and _package_binds_app(root, backend, source, alias.name, app_module, depth + 1)
                ):
                    return True
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if _binds_in_header(node, name) and not any(
                isinstance(target, ast.Name) and target.id == name for target in targets
            ):
                return True  # `_, side = ...`, `side[0] = ...`: not read, maybe the app
            if node.value is not None and any(
                isinstance(target, ast.Name) and target.id == name for target in targets
            ):
                bound = True
                if isinstance(node, ast.AugAssign) or not (
                    isinstance(node.value, ast.Constant) or _builds_a_router(node.value, tree)
                ):
                    return True  # `main.side`, `create_side()`: not known, maybe the app
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound = bound or node.name == name
        elif isinstance(node, ast.Import):
            bound = bound or any(
                (alias.asname or alias.name.partition(".")[0]) == name for alias in node.names
            )
        elif _binds_in_header(node, name):
            return True  # a loop's or `with`'s target, a walrus, a `match` capture: not read
    return not bound


#: The fields of a compound statement holding the statements of its blocks.
_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """A module's top-level statements, and those of every top-level block, nested.

    What the module binds as it is imported: the blocks of ``if``, ``try`` (its handlers
    too), ``with``, ``for``, ``while`` and ``match`` run at import, in the module's scope; a
    function's locals and a class body's names are not its own.
    """
    for statement in body:
        yield statement
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        blocks: list[ast.stmt] = []
        for field in _BLOCK_FIELDS:
            for part in getattr(statement, field, ()):
                # `handlers` and `cases` hold blocks (`except`, `case`), not statements.
                blocks.extend(
                    part.body if isinstance(part, ast.ExceptHandler | ast.match_case) else [part]
                )
        yield from _module_level(blocks)


def _binds_in_header(statement: ast.stmt, name: str) -> bool:
    """Whether ``statement`` itself, not its blocks, may bind or unbind ``name``.

    A target (assigned, a loop's, a ``with``'s, a walrus's, ``del``), an ``except ... as``
    name or a ``match`` capture; a comprehension's own targets count too (not the module's,
    but counting them only keeps a name read as maybe the app).
    """
    header: list[ast.AST] = []
    for field, value in ast.iter_fields(statement):
        for part in value if isinstance(value, list) else [value]:
            if isinstance(part, ast.ExceptHandler):
                if part.name == name:
                    return True
                header.extend([part.type] if part.type is not None else [])
            elif isinstance(part, ast.match_case):
                header.extend([part.pattern] if part.guard is None else [part.pattern, part.guard])
            elif isinstance(part, ast.AST) and not (
                field in _BLOCK_FIELDS and isinstance(part, ast.stmt)
            ):
                header.append(part)
    for part in header:
        for node in ast.walk(part):
            if (
                isinstance(node, ast.Name)
                and node.id == name
                and isinstance(node.ctx, ast.Store | ast.Del)
            ):
                return True
            if isinstance(node, ast.MatchAs | ast.MatchStar) and node.name == name:
                return True
            if isinstance(node, ast.MatchMapping) and node.rest == name:
                return True
    return False


def _builds_a_router(value: ast.expr, tree: ast.Module) -> bool:
    """Whether ``value`` calls FastAPI's router class, as the module ``tree`` imports it."""
    if not isinstance(value, ast.Call):
        return False
    called = _dotted(value.func)
    if called is None:
        return False
    head, _, rest = called.partition(".")
    for node in _module_level(tree.body):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            for alias in node.names:
                if (alias.asname or alias.name) == head:
                    qualified = ".".join(filter(None, [node.module, alias.name, rest]))
                    return qualified in ROUTER_CLASSES
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname == head:
                    return ".".join(filter(None, [alias.name, rest])) in ROUTER_CLASSES
                if alias.asname is None and alias.name.partition(".")[0] == head:
                    return called in ROUTER_CLASSES
    return False


def _absolute_module(package: str, is_package: bool, level: int, module: str | None) -> str | None:
    """The dotted module a ``from`` import in module ``package`` reads, or None above the root."""
    if not level:
        return module
    parts = package.split(".") if is_package else package.split(".")[:-1]
    if level - 1 > len(parts) or (level - 1 == len(parts) and not module):
        return None
    kept = parts[: len(parts) - (level - 1)]
    return ".".join([*kept, module] if module else kept) or None


def _project_module(root: Path, backend: PurePosixPath, module: str) -> bool:
    """Whether the dotted ``module`` is a module of the project under ``backend``."""
    base = root / backend.joinpath(*module.split("."))
    return (base / "__init__.py").is_file() or base.with_suffix(".py").is_file()


def _dotted(node: ast.expr) -> str | None:
    """The dotted name an expression is (``pkg.api`` for ``pkg.api``), or None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _module_tree(root: Path, path: str) -> ast.Module | None:
    """The syntax tree of the project's module at ``path`` (POSIX, from the root), or None."""
    try:
        data = (root / path).read_bytes()
    except OSError:
        return None
    return script_tree(data)


def _flat_entries_beside(
    offers: dict[tuple[str, str], Found | str], others: dict[tuple[str, str], Found | str]
) -> dict[tuple[str, str], Found | str]:
    """The flat layout's entry modules to weigh against regular packages' apps, if any.

    A regular package's app built in a module not named like an entry module (``scripts/``
    exporting the OpenAPI document, ``worker/health.py`` serving a liveness probe) does not
    shadow ``main.py`` at the top of the same backend folder: both are offered, and the
    entry module's app is the one served (see :func:`_served`).
    """
    servable = [
        offer for offer in offers.values() if isinstance(offer, Found) and not offer.needs_arguments
    ]
    if not servable or any(_entry_named(offer) for offer in servable):
        return {}
    folders = {offer.backend for offer in servable}
    return {
        key: offer
        for key, offer in others.items()
        if key[1] == TOP_LEVEL
        and key[0] in folders
        and isinstance(offer, Found)
        and not offer.needs_arguments
        and _entry_named(offer)
    }


def _services_beside(
    root: Path,
    offers: dict[tuple[str, str], Found | str],
    others: dict[tuple[str, str], Found | str],
) -> dict[tuple[str, str], Found | str]:
    """The apps of folders without ``__init__.py`` in service folders of their own, if any.

    A monorepo's services each in a folder holding its own project file (``auth-service/`` and
    ``trip-service/`` with a ``Dockerfile`` or ``requirements.txt``, each running ``uvicorn
    app.main:app`` from there): one service's ``app/`` with an ``__init__.py`` somewhere below
    makes its app a regular package's, another's without any is a namespace package's. Both are
    apps a server runs, so both are offered (and init says it cannot choose); a namespace app
    in the folder of a regular package's app, or above or below it, is weighed as before, and
    so is one in a folder of examples, tests, fixtures, documents or mocks (``_NOT_SERVICES``).
    """
    taken = [PurePosixPath(offer.backend) for offer in offers.values() if isinstance(offer, Found)]
    return {
        key: offer
        for key, offer in others.items()
        if isinstance(offer, Found)
        and not offer.needs_arguments
        and offer.app_package != TOP_LEVEL
        and _inside(offer)
        and offer.backend not in ("", ".")
        and not _names_no_service(PurePosixPath(offer.backend))
        and _project_folder(root, root / offer.backend) == root / offer.backend
        and not any(
            folder.is_relative_to(offer.backend)
            or PurePosixPath(offer.backend).is_relative_to(folder)
            for folder in taken
        )
    }


def _names_no_service(folder: PurePosixPath) -> bool:
    """Whether a folder along ``folder`` is one of examples, tests, mocks... (``_NOT_SERVICES``)."""
    return any(
        part.lower() in _NOT_SERVICES
        or not _NOT_SERVICES.isdisjoint(re.split(r"[-_.]", part.lower()))
        for part in folder.parts
    )


def _entry_named(offer: Found) -> bool:
    """Whether the module building ``offer``'s app is named like an entry module (main.py)."""
    return offer.app.partition(":")[0].rpartition(".")[2] in _ENTRY_MODULES


def _imports_folder(root: Path, entry: Found, folder: PurePosixPath) -> bool:
    """Whether ``entry``'s module imports the package in ``folder`` through its own folder."""
    try:
        dotted = folder.relative_to(PurePosixPath(entry.backend)).as_posix().replace("/", ".")
    except ValueError:
        return False  # not below the entry module's folder
    if dotted in ("", "."):
        return False
    tree = _module_tree(root, entry.path)
    if tree is None:
        return False
    for node in ast.walk(tree):
        names = absolute_imports(node)
        if any(name == dotted or name.startswith(dotted + ".") for name in names):
            return True
    return False


def _inside(offer: Found | str) -> bool:
    """Whether ``offer`` is an app whose module is in the package offered with it."""
    if not isinstance(offer, Found):
        return False
    module = offer.app.partition(":")[0]
    package = offer.app_package
    return package == TOP_LEVEL or module == package or module.startswith(package + ".")


def _packaged_over_flat(named: list[Found]) -> list[Found]:
    """Of the offers of one named app, that of the package holding its module.

    A ``main.py`` at the top of the folder offers it as a flat layout too (every top-level
    package's routes); the app in ``apps/api/app.py`` serves its own package's, not those of a
    stub service beside it.
    """
    packaged = {item.path for item in named if item.app_package != TOP_LEVEL and _inside(item)}
    return [item for item in named if item.app_package != TOP_LEVEL or item.path not in packaged]


def _named_by_entrypoint(offers: dict[tuple[str, str], Found | str]) -> list[Found]:
    return [
        offer for offer in offers.values() if isinstance(offer, Found) and offer.from_entrypoint
    ]


def _one_per_app(apps: Iterable[Found]) -> list[Found]:
    """One offer for each app module found for several packages.

    A package without an app of its own offers the backend folder's ``main.py`` (as FastAPI CLI
    would look there): beside the offer of the package that holds that module (the flat
    layout's top-level modules), it is the same app found twice, not a second one. A module
    offered from two backend folders (``src/main.py`` as ``main`` and as ``src.main``) is the
    one whose folder is deepest: its imports name its siblings (``from features import ...``),
    which only the folder itself on the import path resolves. Offers of one module that rank
    alike (a folder of helper modules without an app, ``app/router.py`` beside the top-level
    ``main.py``, offers that module as the flat layout does) are one app: the first stays. So
    are offers of one app built at one site under two import strings (``app.factory:create_app``
    and ``app:make_service``, its package re-exporting it): the one in its own package stays.
    """
    found = list(apps)

    def rank(item: Found) -> tuple[bool, int]:
        return _inside(item), len(PurePosixPath(item.backend).parts)

    def same_module(item: Found) -> object:
        return item.path or (item.backend, item.app)

    def same_app(item: Found, other: Found) -> bool:
        if same_module(other) == same_module(item):
            return True
        return item.site is not None and other.site == item.site

    def duplicate(position: int, item: Found) -> bool:
        return any(
            same_app(item, other)
            and (rank(other) > rank(item) or (rank(other) == rank(item) and earlier < position))
            for earlier, other in enumerate(found)
            if earlier != position
        )

    return [item for position, item in enumerate(found) if not duplicate(position, item)]


def _served(apps: Iterable[Found]) -> list[Found]:
    """The apps a server would be pointed at, of several found.

    An app built (or re-exported) in a module named like those FastAPI CLI looks in (``main``,
    ``app``, ``api``; ``server`` too) wins over apps in other modules: a script exporting the
    OpenAPI document or a playground builds a throwaway app of its own.
    """
    found = list(apps)
    entries = [item for item in found if _entry_named(item)]
    return entries if entries and len(found) > 1 else found


def _fastapi_entrypoint(document: tomlkit.TOMLDocument) -> str | None:
    """``[tool.fastapi] entrypoint`` when it is an import string, else None (generate says why)."""
    tool = document.get("tool")
    fastapi = tool.get("fastapi") if isinstance(tool, Table | OutOfOrderTableProxy) else None
    value = fastapi.get("entrypoint") if isinstance(fastapi, Table) else None
    if not isinstance(value, str) or split_import_string(str(value), path=False) is None:
        return None
    return str(value)


def _relative_entrypoint(entrypoint: str, backend: str) -> str:
    """``entrypoint`` relative to ``backend``, as the plan reads it (``backend.app.main:app``).

    FastAPI CLI imports it from the root; the plan from the backend folder. An entrypoint that
    starts with the backend folder's dotted path is taken relative to it, otherwise it already
    is (a src layout's package).
    """
    parts = [part for part in PurePosixPath(backend).parts if part != "."]
    prefix = ".".join(parts)
    if prefix and entrypoint.startswith(prefix + "."):
        return entrypoint[len(prefix) + 1 :]
    return entrypoint


def _offers(
    root: Path, candidates: list[tuple[str, str]], entrypoint: str | None = None
) -> dict[tuple[str, str], Found | str]:
    """What each (backend folder, package) candidate holds: its app, or why there is none.

    A candidate the ``entrypoint`` points into offers the app it names, when that is one.
    """
    offers: dict[tuple[str, str], Found | str] = {}
    for backend, package in candidates:
        key = (backend, package)
        if key in offers:
            continue
        index = PackageIndex(BackendReader(root, backend).read)
        package_dir = root / backend / package.replace(".", "/")
        label = (PurePosixPath(backend) / package.replace(".", "/")).as_posix()
        hidden = (
            _library_named(root, package_dir)
            if package and "." not in package and (package_dir / "__init__.py").is_file()
            else None
        )
        if hidden is not None:
            # No folder above could take it in (:func:`_above_a_library`): as a top-level
            # package it hides the library its own modules import, so no server imports it.
            offers[key] = (
                f"{label}/: the package {package} is named like the library its modules import "
                f"({hidden}), which it hides on the import path, so the app cannot be imported "
                f"as {package}; rename the folder, or write [tool.{TOOL_SECTION}] by hand with "
                "backend, app-package and app"
            )
            continue
        named = _entrypoint_in(entrypoint, backend, package, index)
        if named is not None:
            try:
                app = find_app(
                    named, FASTAPI_ENTRYPOINT, package, index, package_dir, label, CONFIG_FILENAME
                )
            except UserError:
                if "." in named.partition(":")[2]:
                    # `main:registry.api`: what the server runs is an attribute the model
                    # cannot follow; any other app of the module is not the one served.
                    raise ConfigError(
                        f"the project's server command runs {named}, an attribute path init "
                        "cannot follow to where the app is built (it follows <variable>.<name> "
                        "of a module variable holding an instance of a backend class that "
                        f"builds self.<name>); write [tool.{TOOL_SECTION}] by hand with "
                        "backend, app-package and app, the variable or factory that builds it"
                    ) from None
                # Not this candidate's app after all: discovered as without it.
            else:
                if _routes_beside(root, backend, package, index):
                    package = TOP_LEVEL
                offers[key] = _found(root, backend, package, app, index, from_entrypoint=True)
                continue
        try:
            app = find_app(None, "app", package, index, package_dir, label, CONFIG_FILENAME)
        except SeveralApps as error:
            entry = _flat_entry_app(index) if package == TOP_LEVEL else None
            if entry is not None:
                # The flat layout's app is the one its entry module at the top of the folder
                # builds (`run.py`); apps deeper down are offered by their own packages.
                held = _held_by_an_instance(entry, index, package, package_dir)
                offers[key] = (None if held is not entry else _unimportable(entry)) or _found(
                    root, backend, package, held, index
                )
                continue
            # The table the message asks for cannot be added to by init (it refuses an existing
            # one): say everything it must hold, the folders init did find included.
            offers[key] = (
                f"{error.message}, with backend = {_toml_string(backend)} and app-package = "
                f"{_toml_string(package)}: init cannot choose the app"
            )
            continue
        except NoAppFound as error:
            # An app only known at run time (`app = container.get(FastAPI)`): the same table.
            offers[key] = (
                f"{error.message}, with backend = {_toml_string(backend)} and app-package = "
                f"{_toml_string(package)}"
            )
            continue
        except AppModuleBroken as error:
            offers[key] = _UnparsedApp(error.reason)
            continue
        except UserError as error:
            offers[key] = error.message
            continue
        if app.entry.module == MAIN_MODULE:
            # A top-level `__main__.py` (`python backend/`): no import string names it.
            offers[key] = (
                f"{app.entry.path}: the app is built in a module named {MAIN_MODULE}, which a "
                f"server cannot import by that name; build it in a module of its own (main.py) "
                f"or write [tool.{TOOL_SECTION}] by hand with backend, app-package and app"
            )
            continue
        held = _held_by_an_instance(app, index, package, package_dir)
        unimportable = None if held is not app else _unimportable(app)
        app = held
        if unimportable is not None:
            offers[key] = unimportable
            continue
        if _routes_beside(root, backend, package, index):
            package = TOP_LEVEL
        offers[key] = _found(root, backend, package, app, index)
    return offers


def _held_by_an_instance(
    app: FoundApp, index: PackageIndex, package: str, package_dir: Path
) -> FoundApp:
    """``app``, built as a class's attribute, named by the path a server follows to it.

    ``self.api = FastAPI()`` in ``Service.__init__`` and ``service = Service()`` the one module
    variable of that module holding an instance: ``module:service.api`` (uvicorn follows the
    path by getattr). Or, when that module holds none, the one module variable of the other
    modules of ``package`` naming the class (``app = CoreApp()`` in ``main.py``, the class in
    ``core/app.py``): ``main:app.app``. ``app`` as it is otherwise: no instance, or several
    (several apps).
    """
    owner, dot, attribute = app.entry.attribute.partition(".")
    if not dot or "." in attribute:
        return app
    held = _instances_holding(app, app.entry.module, attribute, index)
    if not held:
        for name in package_modules(package, package_dir, layers=()):
            source = None if name == app.entry.module else index.source(name)
            if source is not None and (owner in source.text or f").{attribute}" in source.text):
                held += _instances_holding(app, name, attribute, index)
    return held[0] if len(held) == 1 else app


def _instances_holding(
    app: FoundApp, module_name: str, attribute: str, index: PackageIndex
) -> list[FoundApp]:
    """``app`` as ``<module>:<variable>.<attribute>``, once per module variable holding it.

    Or as ``<module>:<variable>`` for a variable holding the attribute itself, read on what a
    call returns (``app = get_server().app``).
    """
    module = index.module(module_name)
    if module is None:
        return []
    held: list[FoundApp] = []
    for statement in module.tree.body:
        if not isinstance(statement, ast.Assign | ast.AnnAssign):
            continue
        value = statement.value
        if isinstance(value, ast.Call):
            path = f".{attribute}"
        elif (
            isinstance(value, ast.Attribute)
            and value.attr == attribute
            and isinstance(value.value, ast.Call)
            and _returns_the_class(value.value, module.scope, app, index)
        ):
            path = ""
        else:
            continue
        for target in assigned_targets(statement):
            if not isinstance(target, ast.Name):
                continue
            named = f"{module_name}:{target.id}{path}"
            try:
                found = find_app(named, "app", "", index, Path(), "", CONFIG_FILENAME)
            except UserError:
                continue
            if found.site.key == app.site.key or not path:
                held.append(found)
    return held


def _returns_the_class(call: ast.Call, scope: Scope, app: FoundApp, index: PackageIndex) -> bool:
    """Whether ``call`` runs a function of the package annotated to return the app's class.

    ``def get_server() -> Server`` (a lazily built instance, a cached one): ``get_server().app``
    is the app ``Server`` builds as ``self.app``.
    """
    function = index.defined(call.func, scope)
    owner = index.module(app.entry.module)
    if (
        function is None
        or not isinstance(function.node, ast.FunctionDef | ast.AsyncFunctionDef)
        or function.node.returns is None
        or owner is None
    ):
        return False
    returned = index.defined(function.node.returns, function.scope)
    built = owner.scope.bindings.get(app.entry.attribute.partition(".")[0])
    return returned is not None and built is not None and returned.node is built.node


def _unimportable(app: FoundApp) -> str | None:
    """Why no import string names ``app``, when it is only a class's attribute; else None.

    ``self.web = FastAPI()`` in ``Relay.__init__``, no module variable holding ``Relay(...).web``
    and no factory returning it: ``module:Relay.web`` names an attribute of each instance, not
    of the class, so neither a server's import string nor the ``app`` key can name it (a class
    serving its own instance's app, ``Server().run()``, does serve it, by no such string).
    """
    owner, dot, attribute = app.entry.attribute.partition(".")
    if not dot or app.entry.factory:
        return None  # `module:Application.create`: a class's own factory, a server calls it
    return (
        f"{app.entry.path}:{app.site.line}: the app is built in a class ({app.site.label}) and "
        f"no module variable holds it, so no import string (module:variable, what the app key "
        f"takes) can name it; hold it in one (app = {owner}(...).{attribute}), then run again"
    )


def _flat_entry_app(index: PackageIndex) -> FoundApp | None:
    """The one app the entry modules at the top of a flat layout's folder build, if one.

    ``run.py`` building an app of the routers of ``backend/app/`` beside ``backend/app/main.py``
    building another: scanning the folder finds both, but the flat layout's own app is the one
    built at its top; the package's app is offered by the package (and which one is served is
    weighed between the two offers). None when no entry module builds one, or several do.
    """
    apps: dict[tuple[str, int], FoundApp] = {}
    for name in sorted(_ENTRY_MODULES):
        module = index.module(name)
        if module is None or PurePosixPath(module.path).name != f"{name}.py":
            continue  # none, or a package of that name (`app/`), which is no entry module
        try:
            found = choose_in_module(module, index)
        except UserError:
            continue
        apps.setdefault(found.site.key, found)
    return next(iter(apps.values())) if len(apps) == 1 else None


def _routes_beside(root: Path, backend: str, package: str, index: PackageIndex) -> bool:
    """Whether the app package imports routes from a top-level package beside it.

    ``from api import router`` in ``app/server.py``, with ``api/`` in the backend folder
    declaring (or registering) routes: the app's modules are the folder's top-level ones (the
    flat layout), or the plan could not name those route modules.
    """
    if package == TOP_LEVEL:
        return False
    folder = root / backend
    beside = _imported_tops(package_modules(package, folder / package), index)
    beside.discard(package)
    layer = _layer_name(folder / package) or DEFAULT_LAYER_PACKAGE
    for top in sorted(beside - {layer}):
        if (folder / top).is_dir():
            names = package_modules(top, folder / top)
        elif (folder / f"{top}.py").is_file():
            names = [top]
        else:
            continue  # a library
        for name in names:
            module = index.module(name)
            if module is None:
                continue
            # Handlers of its own, or routes it registers for functions of another module
            # (`router.add_api_route("/create", views.create)` in teams/routes.py).
            if find_handlers(module, index)[0] or any(
                registration.route is not None
                for registration in unfollowed_registrations(module, index)
            ):
                return True
    return False


def _entrypoint_in(
    entrypoint: str | None, backend: str, package: str, index: PackageIndex
) -> str | None:
    """``entrypoint`` relative to ``backend`` when it names a module of ``package``, else None."""
    if entrypoint is None:
        return None
    relative = _relative_entrypoint(entrypoint, backend)
    module = relative.partition(":")[0]
    if package != TOP_LEVEL and module != package and not module.startswith(package + "."):
        return None
    return relative if index.module(module) is not None else None


def _found(
    root: Path,
    backend: str,
    package: str,
    app: FoundApp,
    index: PackageIndex,
    *,
    from_entrypoint: bool = False,
) -> Found:
    """What init offers for an app found in ``package``: it, and the package's route modules."""
    if not from_entrypoint:
        app = _as_its_module_serves_it(app, index)
    label = (PurePosixPath(backend) / package.replace(".", "/")).as_posix()
    package_dir = root / backend / package.replace(".", "/")
    # In the flat layout the layer is a top-level name: one the modules import from a library
    # (`import analytics`, Segment's client) would be shadowed by it.
    imported = (
        _imported_tops(package_modules(package, package_dir, layers=()), index)
        if package == TOP_LEVEL
        else set()
    )
    layer = _layer_name(package_dir, imported)
    routes = []
    skipped: list[str] = []
    unserved: list[str] = []
    other_apps: list[str] = []
    names = list(
        package_modules(
            package,
            package_dir,
            layers=(layer or DEFAULT_LAYER_PACKAGE,),
        )
    )
    app_module = app.site.module.name
    # Where routers are included, read as generate reads it: which routes are served, and the
    # endpoints other modules register (`app.add_api_route("/x", views.x)`: a route of views).
    modules = [*names, *([] if app_module in names else [app_module])]
    served_apps = functools.partial(line_served_apps, root, backend)
    run_time_notes = read_mounts(index, modules, app.site, named=served_apps).run_time_choices
    for name in modules:
        module = index.module(name)
        if module is not None:
            module.handlers = module.unfollowed = None  # found before where routers are served
    for name in names:
        module = index.module(name)
        if module is None:
            failure = index.failure(name)
            if failure is not None:
                skipped.append(failure[1])
            continue
        handlers, suspects = find_handlers(module, index)
        # A module whose every route is of a router no app includes serves nothing: not offered
        # for them; offered, its count is that of the handlers generate logs (a side app's too).
        served = any(not all(r.unserved for r in handler.routes) for handler in handlers)
        count = len(logged_handlers(handlers, index)) if served else 0
        # Endpoints no function of the package stands for (a class-based view's dispatcher):
        # said where they are registered, or they would go unlogged without a word.
        named = [
            registration
            for registration in unfollowed_registrations(module, index)
            if registration.route is None
            and not module.lines.has_pragma(registration.line, registration.end_line)
        ]
        starlette = sum(1 for registration in named if registration.starlette)
        unfollowed = len(named) - starlette
        relative = PurePosixPath(module.path).relative_to(label).as_posix()
        # Routes whose app or router cannot be told (`@ROUTERS["books"].get("/x")`): generate
        # names them to fix by hand, so the module is offered with them.
        if served or named or suspects:
            # Served, it is offered even when generate logs none of its handlers (each marked
            # skip, or never reached behind an earlier catch-all route): the note says so.
            to_fix = _to_fix(module, index) if served or suspects else 0
            if served or named or to_fix:
                routes.append(RouteModule(relative, count, to_fix, unfollowed, starlette))
        elif any(handler.routes for handler in handlers):
            # `app.py` beside `main.py`, each building and running an app: a second entry.
            builds_own = bool(built_apps(module, index) - {app.site.key})
            (other_apps if builds_own else unserved).append(relative)
    routes.sort(key=lambda route: natural_key(route.path))  # `r2.py` before `r10.py`
    prefix = _prefix_under_root_path(
        _root_path(app, index)
        or _mounted_at(app, index, names)
        # `app.router.prefix = "/api"` before the wiring: added to the telemetry router too.
        or _wired_router_prefix(app.site, index)
    )
    prefix, mount = _clear_of_mounts(prefix, app.site, index)
    return Found(
        backend,
        package,
        app.entry.import_string,
        tuple(routes),
        prefix,
        from_entrypoint,
        layer,
        tuple(skipped),
        _entry_path(app, index),
        bool(factory_needs(app.entry, index)),
        app.site.key,
        tuple(sorted(unserved, key=natural_key)),
        mount,
        other_apps=tuple(sorted(other_apps, key=natural_key)),
        run_time_notes=run_time_notes,
    )


def _as_its_module_serves_it(app: FoundApp, index: PackageIndex) -> FoundApp:
    """``app`` under the name its own module runs a server on, when that is another name of it.

    ``api = FastAPI()``, ``app = GZipMiddleware(api)`` (or ``app = api``) and
    ``uvicorn.run("pkg.main:app")`` (or ``uvicorn.run(app)``) under the ``__main__`` guard: what
    runs is ``app``, which the plan names; generate still wires ``api``. Without such a call the
    FastAPI object stays the name (``fastapi run`` serves it, not a wrapper). So for a factory
    of that module whose result is served through a wrapper (``app = GZipMiddleware(
    create_app())``): the factory still builds the app generate wires.
    """
    entry = app.entry
    source = index.source(entry.module)
    served = None if source is None else served_targets(source.text.encode("utf-8"))
    if served is None:
        return app
    names: set[str] = set()
    for call in served[1]:
        target = call.app
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Constant) and isinstance(target.value, str):
            named = split_import_string(target.value)
            if named is not None and named[0] in (entry.module, MAIN_MODULE):
                names.add(named[1])
    if len(names) != 1 or entry.attribute in names:
        return app
    (name,) = names
    module = index.module(entry.module)
    if module is None or only_under_main_guard(module, name):
        return app  # not importable (`uvicorn main:app` finds no `app`): its factory is named
    try:
        other = find_app(f"{entry.module}:{name}", "app", "", index, Path(), "", CONFIG_FILENAME)
    except UserError:
        return app
    return other if other.site.key == app.site.key else app


def _root_path(app: FoundApp, index: PackageIndex) -> str | None:
    """The root path the app is built with, when known (a literal, or a settings default)."""
    root = root_path_of(app.site, index)
    return root.value if root is not None else None


def _mounted_at(app: FoundApp, index: PackageIndex, modules: list[str]) -> str | None:
    """The literal path a module-level app is mounted at in the one serving it, else None.

    See :func:`~telemetry_cli.patching.apps.mounted_at`.
    """
    mounts = index.mounts if index.mounts is not None else find_mounts(index, modules)
    return mounted_at(app.site, index, mounts)


def _entry_path(app: FoundApp, index: PackageIndex) -> str:
    """The file of the module the app's import string names (not where the app is built)."""
    module = index.module(app.entry.module)
    return app.entry.path if module is None else module.path


# Names for the generated package when the app has an `analytics` of its own, in order.
_LAYER_NAMES = ("telemetry", "telemetry_layer", "analytics_layer")


def _imported_tops(names: Iterable[str], index: PackageIndex) -> set[str]:
    """The top-level names the modules ``names`` import absolutely (``a`` of ``import a.b``)."""
    tops: set[str] = set()
    for name in names:
        module = index.module(name)
        if module is None:
            continue
        # Imports are statements: walking those alone skips the expressions, most of a tree.
        for node in module.statements:
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops.add(node.module.partition(".")[0])
            elif isinstance(node, ast.Import):
                tops.update(alias.name.partition(".")[0] for alias in node.names)
    return tops


def _layer_name(package_dir: Path, imported: Collection[str] = ()) -> str | None:
    """Another name for the generated package if ``analytics`` is the user's own, else None.

    ``analytics.py``, or an ``analytics/`` folder holding anything but files the tool wrote,
    is code of the user's: the layer goes beside it, under the first free name. So is a name
    of ``imported`` with neither in ``package_dir``: a library the modules import, which a
    package of that name there would shadow.
    """

    def taken(name: str) -> bool:
        folder = package_dir / name
        if (package_dir / f"{name}.py").exists():
            return True
        if not folder.is_dir():
            return name in imported
        entries = [path for path in folder.iterdir() if path.name != "__pycache__"]
        return bool(entries) and not all(is_generated_file(path) for path in entries)

    if not taken(DEFAULT_LAYER_PACKAGE):
        return None
    candidates = [*_LAYER_NAMES, *(f"telemetry_layer{number}" for number in range(2, 100))]
    free = next((name for name in candidates if not taken(name)), None)
    if free is None:
        raise ConfigError(
            f"{package_dir}: analytics, telemetry and {len(candidates) - 1} other names for the "
            "generated package are taken; write the table by hand with layer-package"
        )
    return free


def _to_fix(module: ModuleModel, index: PackageIndex) -> int:
    """How many of a module's handlers generate could not instrument as they are (a dry run)."""
    editor = ModuleEditor(module, index, module.name.split(".")[0])
    instrument_module(editor, DEFAULT_EVENT_TYPES[0], "analytics")
    return len(editor.edits.problems)


def _candidate_packages(
    root: Path, hint: str | None = None
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[str]]:
    """(backend folder, top-level package) of every module that mentions FastAPI.

    Folders git ignores (``.gitignore``), hidden ones, virtual environments, test folders and
    project templates' sources (named by a placeholder, ``{{cookiecutter.project_slug}}``) are
    passed over. First those in regular packages (folders with ``__init__.py``), then those
    in folders without one (namespace packages), for which the backend folder is the nearest one
    above that holds a project file (``pyproject.toml``, ``setup.py``, ``requirements.txt``,
    ...), else the root. A ``main.py``, ``app.py``, ``server.py`` or ``api.py`` directly in that
    folder, importing a module beside it by its top-level name or serving itself by that name
    (``uvicorn.run("app:create_app")``), is the flat layout: that folder is the backend folder
    and the app package is :data:`~telemetry_cli.plan.TOP_LEVEL`. So is a module of any name
    there that hands its own app to a serverless platform's adapter (``handler = Mangum(app)``),
    or that ``hint`` (the import string the project serves, relative to ``root``) names.

    Third, the folders passed over as templates' sources (relative to ``root``, in the order
    walked), which explain finding no app.
    """
    regular: list[tuple[str, str]] = []
    templates: list[str] = []
    namespace: list[tuple[str, str]] = []
    import_roots: dict[Path, tuple[str, str]] = {}
    namespace_roots: dict[tuple[Path, tuple[str, ...]], tuple[str, str]] = {}
    folder_texts: dict[Path, list[str]] = {}  # module texts of a namespace folder, read once
    ignore = GitIgnore(root)
    hinted = None if hint is None else _hinted_module(root, hint)
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        depth = len(here.relative_to(root).parts)
        ignore.read(here)
        templates.extend(
            (here / name).relative_to(root).as_posix()
            for name in sorted(dirs)
            if any(mark in name for mark in _TEMPLATE_MARKS)
        )
        dirs[:] = sorted(
            name
            for name in dirs
            if depth < _MAX_DEPTH
            and not name.startswith(".")
            and name not in _SKIPPED
            and not any(mark in name for mark in _TEMPLATE_MARKS)
            and not is_environment(here / name)
            and not ignore.ignored(here / name, folder=True)
        )
        for name in sorted(files):
            if not name.endswith(".py") or ignore.ignored(here / name, folder=False):
                continue
            try:
                data = read_bytes(here / name, name)
            except FileProblem:
                continue
            # A stray `__init__.py` in the folder init runs in does not make it a package the
            # folder imports itself from: its modules are top-level ones (`uvicorn main:app`).
            in_package = here != root and (here / "__init__.py").is_file()
            if data is None:
                continue
            flat = (
                name in _FLAT_MODULES
                or (name in _LAUNCHER_MODULES and b"FastAPI" in data)
                or _serves_own_app(name, data)
                or hands_own_app_to_a_platform(here / name, data)
                # A platform imports a handler of a folder from there (`functions/handler.py`
                # saying `from service import api`, then `Mangum(api)`): the module beside it
                # handing it the app is as top-level as the handler (a handler at the root names
                # its app among the runners' targets).
                or (
                    here != root
                    and not in_package
                    and hands_imported_app_to_a_platform(here / name, data)
                )
                # A package's module it names is found in its package already.
                or (not in_package and here / name == hinted)
            )
            # An entry module of a package may only call a factory another package holds
            # (`app = get_application()`): its package is where the routes are.
            entry = in_package and flat
            if (
                b"FastAPI" not in data
                and not entry
                # A flat layout's main.py may only call the factory of a module beside it
                # (`from factory import create_app`).
                and (in_package or not flat or not _imports_a_sibling(root, here, name))
            ):
                continue
            if in_package and flat and _imports_a_sibling(root, here, name):
                # `app/main.py` saying `from api.v1 import auth`, `app/api/` beside it: run from
                # `app/` (`uvicorn main:app` there), whatever `app/__init__.py` says; offered
                # beside the package, the same module found twice is the flat layout's.
                regular.append((here.relative_to(root).as_posix(), TOP_LEVEL))
                continue
            if in_package:
                top = here
                while (top.parent / "__init__.py").is_file() and top.parent != root:
                    top = top.parent
                if top not in import_roots:
                    import_roots[top] = _reach_relative_imports(
                        root, _above_a_library(root, top, _import_root(root, top))
                    )
                regular.append(import_roots[top])
                continue
            backend = _project_folder(root, here)
            if flat and backend == here != root and _imports_own_folder(here, data):
                # `backend/main.py` saying `from backend.api import users`, though `backend/`
                # holds the project file: run from the folder above, as the package `backend`.
                namespace.append((here.parent.relative_to(root).as_posix(), here.name))
                continue
            if (
                # An entry module, or any module building the app in the project folder (a
                # namespace package's module elsewhere is found as one below).
                (flat or backend == here)
                and here != root
                and here.name.isidentifier()
                and _RELATIVE_IMPORT.search(data.decode("utf-8", "replace"))
                # Also importing a module beside it by its top-level name (`from config
                # import x`, the fallback of a `try:` on the relative one): run from the folder.
                and not _imports_a_sibling(root, here, name)
            ):
                # `backend/main.py` (or `backend/application.py`) saying `from .routers import
                # users`: a top-level module has no package to import from, so it is a module
                # of the package `backend`, run from above as `backend.main`.
                namespace.append(
                    _reach_relative_imports(
                        root, (here.parent.relative_to(root).as_posix(), here.name)
                    )
                )
                continue
            if (
                flat
                and (
                    backend == here
                    or (
                        (_imports_a_sibling(root, here, name) or _serves_itself_by_name(name, data))
                        # Not when the folder's modules import it by its own name (`from
                        # app.api.routes import ...`): those only resolve from the folder above.
                        and not _imports_itself(here)
                    )
                )
            ) or (
                # A module of another name building the app (`launch.py`) that imports a
                # module beside it by its top-level name (`from routes import router`) is run
                # from its own folder too (`uvicorn launch:app` there).
                not flat and b"FastAPI" in data and _imports_a_sibling(root, here, name)
            ):
                # The flat layout: the folder is run from (`uvicorn main:app`), its modules
                # are top-level ones.
                namespace.append((here.relative_to(root).as_posix(), TOP_LEVEL))
            elif backend != here:
                parts = here.relative_to(backend).parts
                key = (backend, parts)
                if key not in namespace_roots:
                    namespace_roots[key] = _reach_relative_imports(
                        root, _namespace_root(root, backend, parts, folder_texts)
                    )
                namespace.append(namespace_roots[key])
    return regular, namespace, templates


def _namespace_root(
    root: Path, backend: Path, parts: tuple[str, ...], read: dict[Path, list[str]]
) -> tuple[str, str]:
    """The backend folder and top-level package of a folder without ``__init__.py``.

    ``parts`` leads from the project folder ``backend`` to the module's folder. The first
    folder is the package (``src`` of ``src/shop/server.py``) unless the modules below it
    import a deeper one by its top-level name (``from shop.routes import orders``): then the
    server runs from the folder above that one (``src/``), and the package is ``shop``.
    ``read`` keeps the texts of each first folder read so far. When they import the first
    folder through the project folder's own name (``from app.api.routes import orders`` in
    ``app/api/``, ``app/requirements.txt`` beside it), the server runs from above the project
    folder: the package is the outermost folder so named (``app``).
    """
    top = backend / parts[0]
    if top not in read:
        read[top] = _module_texts(top)
    texts = read[top]
    names = [parts[0]]
    folder = backend
    above: tuple[str, str] | None = None
    while folder != root and folder.name.isidentifier() and parts[0].isidentifier():
        names.insert(0, folder.name)
        if _imports(texts, ".".join(names)):
            above = (folder.parent.relative_to(root).as_posix(), folder.name)
        folder = folder.parent
    if above is not None:
        return above
    for depth, name in enumerate(parts):
        if not name.isidentifier():
            break
        if name in sys.stdlib_module_names:
            continue  # `import logging` says nothing of a folder `logging/` of yours
        if _imports(texts, name):
            return (backend / Path(*parts[:depth])).relative_to(root).as_posix(), name
    return backend.relative_to(root).as_posix(), parts[0]


_IMPORT_SCAN_LIMIT = 400  # modules read to tell how a package imports itself


def _module_variables(tree: ast.Module) -> set[str]:
    """The plain names a module's top-level assignments bind (``app = ...``, ``app: X = ...``)."""
    return {
        target.id
        for statement in tree.body
        if isinstance(statement, ast.Assign | ast.AnnAssign)
        for target in assigned_targets(statement)
        if isinstance(target, ast.Name)
    }


def _imports_own_folder(folder: Path, data: bytes) -> bool:
    """Whether a module of ``folder`` imports a module beside it through the folder's name.

    ``from backend.api import users`` in ``backend/main.py``, ``backend/api/`` beside it and no
    module ``backend`` there: only the folder above on the import path resolves it.
    """
    name = folder.name
    if not name.isidentifier() or _is_module_of(folder, name):
        return False
    text = data.decode("utf-8", errors="replace")
    return any(_is_module_of(folder, below) for below in _imported_below([text], name))


def _imports_itself(folder: Path) -> bool:
    """Whether the modules of a folder import it by its own name (``from app.routes import``).

    They are then imported from the folder above it, whatever a script of it says.
    """
    if not folder.name.isidentifier():
        return False
    return _imports(_module_texts(folder), folder.name)


def _serves_itself_by_name(name: str, data: bytes) -> bool:
    """Whether module ``name`` has the server it starts as a script import it by its own name.

    ``uvicorn.run("app:create_app", factory=True)`` under the ``__main__`` guard of ``app.py``:
    the server imports ``app`` as a top-level module, so the folder the script runs from is
    the one its modules are imported from.
    """
    served = served_targets(data)
    if served is None:
        return False
    stem = name.removesuffix(".py")
    for node in served[1]:
        target = node.app
        if isinstance(target, ast.Constant) and isinstance(target.value, str):
            named = split_import_string(target.value)
            if named is not None and named[0] == stem:
                return True
    return False


def _serves_own_app(name: str, data: bytes) -> bool:
    """Whether module ``name`` runs a server on an app of its own when run as a script.

    ``uvicorn.run(app)`` (or ``uvicorn.run("main_api:app")``) under ``if __name__ ==
    "__main__":`` makes ``main_api.py`` the entry module of its folder, as ``main.py`` is,
    whatever its name; a script building a throwaway app does not serve it.
    """
    served = served_targets(data)
    if served is None:
        return False
    tree, calls = served
    stem = name.removesuffix(".py")
    bound = _module_variables(tree)
    for node in calls:
        target = node.app
        if isinstance(target, ast.Name) and target.id in bound:
            return True
        if isinstance(target, ast.Constant) and isinstance(target.value, str):
            named = split_import_string(target.value)
            # `"__main__:app"` is the script itself, as its own name is.
            # `"main:service.api"`: an attribute of the script's own `service`.
            held = None if named is None else named[1].partition(".")[0]
            if named is not None and named[0] in (stem, MAIN_MODULE) and held in bound:
                return True
    return False


def _hinted_module(root: Path, hint: str) -> Path | None:
    """The file of the module an import string relative to ``root`` names (``"service:app"``)."""
    module = hint.partition(":")[0]
    parts = module.split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    return root.joinpath(*parts).with_suffix(".py")


def _members_entrypoints(root: Path) -> set[str]:
    """The ``[tool.fastapi] entrypoint`` of the pyproject.toml files one folder down.

    A monorepo's ``backend/pyproject.toml`` (a uv workspace member, say) tells FastAPI CLI, run
    there, which app to serve: the import string, from that folder, names the app as a run
    file's would. A file that is no TOML, or unreadable, says nothing.
    """
    ignore = GitIgnore(root)
    ignore.read(root)
    found: set[str] = set()
    for folder in sorted(root.iterdir()):
        config = folder / CONFIG_FILENAME
        if (
            folder.name.startswith(".")
            or folder.name in _SKIPPED
            or ignore.ignored(folder, folder=True)
        ):
            continue
        try:
            if not config.is_file():
                continue
            data = read_bytes(config, shown_path(config))
            text = None if data is None else SourceText.decode(data, CONFIG_FILENAME).text
            document = None if text is None else tomlkit.parse(text)
        except (OSError, FileProblem, tomlkit.exceptions.ParseError):
            continue  # a folder init may not read, a file that is no TOML: they say nothing
        entrypoint = None if document is None else _fastapi_entrypoint(document)
        if entrypoint is not None:
            found.add(entrypoint)
    return found


def _one(targets: set[str]) -> str | None:
    """The one import string of ``targets``, else None."""
    return next(iter(targets)) if len(targets) == 1 else None


def _runner_targets(root: Path, project: tomlkit.TOMLDocument) -> set[str] | None:
    """The import strings the modules at the top of ``root`` serve apps by.

    ``run.py`` saying ``uvicorn.run("services.api.server:app")`` under its ``__main__`` guard
    runs that app from ``root``, wherever else apps are built (as does a top-level package's
    ``__main__.py``, run by ``python -m``); so does a command line of a run
    file there starting a server (``CMD ["uvicorn", "app.main:app"]`` in a Dockerfile, a
    Procfile's ``web: gunicorn app.main:app -k uvicorn.workers.UvicornWorker``, a compose
    file's ``command:``, a shell script, a Makefile or justfile recipe, a pyproject.toml task,
    a supervisord program's ``command=``, a Kubernetes Deployment's container command; the
    function file ``vercel.json`` sends requests to), a gunicorn configuration file's
    ``wsgi_app``, and a console script of pyproject.toml whose function starts it (``serve =
    "pkg.cli:main"``); when none names an app, the run files one folder down, in a folder
    holding no Python code (``docker/Dockerfile``).
    None when a call names one it cannot tell (``app_dir=`` moves the import root: not
    followed); the app is the one named when there is one.
    """
    targets: set[str] = set()
    ignore = GitIgnore(root)
    ignore.read(root)
    stars = functools.partial(star_binds, root, ignore)
    # A package's `__main__.py` is a runner at the top too: `python -m launch` runs it there.
    runners = sorted(root.glob("*.py")) + sorted(root.glob("*/__main__.py"))
    for path in runners:
        if (
            not path.is_file()
            or ignore.ignored(path, folder=False)
            or (
                path.parent != root
                and (
                    path.parent.name.startswith(".")
                    or path.parent.name in _SKIPPED
                    or ignore.ignored(path.parent, folder=True)
                )
            )
        ):
            continue
        try:
            data = read_bytes(path, path.name)
        except FileProblem:
            continue
        # An entry module (`main.py`) serving an app it imports, or handing it to a serverless
        # adapter, is offered as the flat layout already; a script of another name (`run.py`,
        # `handler.py`) only points at the app it imports.
        follow = path.name not in _FLAT_MODULES
        if data is not None and path.parent == root:
            targets.update(_gunicorn_app(data))
            targets.update(platform_targets(path, data, stars, follow=follow))
        served = None if data is None else served_targets(data, script=path.parent != root)
        if served is None:
            continue
        # A package's `__main__.py` runs as `pkg.__main__`: its relative imports are the package's.
        module = path.stem if path.parent == root else f"{path.parent.name}.{path.stem}"
        named = call_targets(*served, module, follow=follow, stars=stars)
        if named is None:
            return None
        targets.update(named)
    for module, function in _console_scripts(project):
        data = module_data(root, module, ignore)
        served = None if data is None else served_targets(data, function)
        if served is not None:
            named = call_targets(
                *served,
                module,
                follow=True,
                own=_module_apps(root, module, ignore),
                stars=stars,
            )
            if named is None:
                return None
            targets.update(named)
    reads: ScriptReads = {}
    targets.update(run_file_targets(root, ignore, project, reads))
    if not targets:
        # Run files kept in a folder of their own (`docker/Dockerfile`, `deploy/Procfile`,
        # `k8s/api-deployment.yaml`) say it when those at the top name no app. Not those of a
        # folder holding code (`services/api/Dockerfile`): they serve that service, and say
        # nothing of the others beside it.
        for folder in sorted(root.iterdir()):
            if (
                folder.is_dir()
                and not folder.name.startswith(".")
                and folder.name not in _SKIPPED
                and not is_environment(folder)
                and not ignore.ignored(folder, folder=True)
                and not _holds_python(folder)
            ):
                ignore.read(folder)
                targets.update(run_file_targets(folder, ignore, None, reads))
    return targets


def _holds_python(folder: Path) -> bool:
    """Whether a Python module is anywhere under ``folder`` (symbolic links not followed)."""
    for _, dirs, files in os.walk(folder):
        if any(name.endswith(".py") for name in files):
            return True
        dirs[:] = [name for name in dirs if not name.startswith(".") and name not in _SKIPPED]
    return False


def _gunicorn_app(data: bytes) -> set[str]:
    """The app a gunicorn configuration file names: ``wsgi_app = "app.main:app"``.

    gunicorn reads the setting from its configuration file (``gunicorn.conf.py`` at the top,
    or ``-c <file>``) when the command line names no app; a factory call
    (``"app.main:create_app()"``) names the factory.
    """
    if b"wsgi_app" not in data:
        return set()
    tree = script_tree(data)
    if tree is None:
        return set()
    named: set[str] = set()
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and any(
                isinstance(target, ast.Name) and target.id == "wsgi_app"
                for target in statement.targets
            )
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ):
            found = IMPORT_STRING.fullmatch(statement.value.value.strip())
            if found is not None and names_one_attribute(found.group(1)):
                named.add(found.group(1))
    return named


def _console_scripts(document: tomlkit.TOMLDocument) -> list[tuple[str, str]]:
    """``(module, function)`` of each console script a pyproject.toml ``document`` declares.

    ``[project.scripts]`` and ``[tool.poetry.scripts]`` (``serve = "pkg.cli:main"``); a
    script whose function is an attribute path (``"pkg.cli:app.run"``) or a file (poetry's
    ``{ reference = ..., type = "file" }``) names no function of a module: left out.
    """
    tables: list[object] = []
    project = document.get("project")
    if isinstance(project, Table | OutOfOrderTableProxy):
        tables.append(project.get("scripts"))
    tool = document.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, Table | OutOfOrderTableProxy) else None
    if isinstance(poetry, Table | OutOfOrderTableProxy):
        tables.append(poetry.get("scripts"))
    scripts: list[tuple[str, str]] = []
    for table in tables:
        if not isinstance(table, Table | InlineTable | OutOfOrderTableProxy):
            continue
        for value in table.values():
            if not isinstance(value, str):
                continue
            # An extra's name may follow (`"pkg.cli:main [serve]"`).
            named = split_import_string(str(value).partition("[")[0].rstrip(), path=False)
            if named is not None:
                scripts.append(named)
    return scripts


def _module_apps(root: Path, module: str, ignore: GitIgnore) -> frozenset[str]:
    """The top-level variables of module ``module`` (from ``root`` or ``src/``) holding an app.

    Read by the module model as discovery reads apps (``api = FastAPI()``, ``api = app``,
    ``api = create_app()``), the last binding of each name counting: a variable holding an
    import string or a setting (``TARGET = "app.main:app"``) holds none.
    """
    found = module_file(root, module, ignore)
    return frozenset() if found is None else _apps_held(root, found[0], module)


def _apps_held(root: Path, base: Path, module: str) -> frozenset[str]:
    """The top-level variables of module ``module``, imported from ``base``, holding an app."""
    index = PackageIndex(BackendReader(root, base.relative_to(root).as_posix()).read)
    try:
        model = index.module(module)
        if model is None:
            return frozenset()
        return frozenset(
            name
            for name, binding in model.scope.bindings.items()
            if binding.kind != "param" and index.app_key(binding) is not None
        )
    finally:
        index.close()  # its models freed now; the tree stays for the run (see analysis_run)


def _is_module_of(folder: Path, name: str) -> bool:
    """Whether ``folder`` holds a module or package ``name``."""
    return (folder / name).is_dir() or (folder / f"{name}.py").is_file()


def _holds_python_module(folder: Path, name: str) -> bool:
    """Whether an import of ``name`` run from ``folder`` reads the project's own code there.

    A ``name.py`` module, or a ``name/`` folder holding Python (a package, or a namespace
    package's modules). A folder of no Python named like a library the code imports (a
    ``redis/`` of configuration files beside the package) is no module an import takes when
    the library is installed: a regular package anywhere on the path comes before it.
    """
    if (folder / f"{name}.py").is_file():
        return True
    below = folder / name
    return below.is_dir() and next(below.rglob("*.py"), None) is not None


def _import_root(root: Path, top: Path) -> tuple[str, str]:
    """The backend folder and the dotted package name a regular package is imported by.

    ``services/admin/`` (with ``__init__.py``) in a ``services/`` folder without one is the
    package ``admin`` of the backend folder ``services/``, unless its modules import it as
    ``services.admin`` (``from services.admin.routers import ...``): then the folder above
    ``services/`` is the one the server runs from, and the package is ``services.admin``. When
    they import other packages of that folder through it instead (``internal/app/`` saying
    ``from internal.controller.router import api_router``), the package is the folder itself
    (``internal``): the app's routes are in those packages.
    """
    found = (top.parent.relative_to(root).as_posix(), top.name)
    names = [top.name]
    folder = top.parent
    texts: list[str] | None = None
    while folder != root and folder.name.isidentifier() and not (folder / "__init__.py").is_file():
        names.insert(0, folder.name)
        dotted = ".".join(names)
        outer = ".".join(names[:-1])
        if texts is None:
            texts = _module_texts(top)
        if _imports(texts, dotted) and not _own_submodule(folder, top, names, texts):
            found = (folder.parent.relative_to(root).as_posix(), dotted)
        elif any(
            below != names[-1] and _is_module_of(folder, below)
            for below in _imported_below(texts, outer)
        ):
            # Only a sibling that is there: a package named like the folder holding it
            # (`app/app/`) imports itself by that name (`from app.api import ...`).
            found = (folder.parent.relative_to(root).as_posix(), outer)
        folder = folder.parent
    return found


_RELATIVE_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.+)", re.M)


# The framework's own names the patcher knows (`fastapi.FastAPI`): imported from a package's own
# name, they say that name is the library's.
_LIBRARY_SYMBOLS = APP_CLASSES | ROUTER_CLASSES | STARLETTE_CLASSES | MOUNT_CLASSES


def _library_named(root: Path, package: Path) -> str | None:
    """The import of an installed library ``package``'s name hides, when its modules make one.

    A regular package named like a library (``src/apps/fastapi/``) is found first on the import
    path of its own folder, so ``from fastapi import FastAPI`` in its modules would read the
    package itself. ``from <name> import A, B`` is the library's when the package holds none of
    those names (no such submodule, and its ``__init__.py`` binds none of them: one re-exporting
    with ``*`` may bind any), and either one of them is the framework's as the patcher knows it
    (``fastapi.FastAPI``, ``fastapi.APIRouter``) or the project declares ``<name>`` as a
    dependency (a requirements file, ``pyproject.toml``): a partial copy may lack the modules
    an import of its own names. An import the package does hold (``from app import models``,
    ``from app.api import users``) says the name is its own, and then none is the library's.
    Returned as written (``from fastapi import FastAPI``), for the message; else None.
    """
    name = package.name
    texts = [text for text in _module_texts(package) if _imports([text], name)]
    if not texts:
        return None
    bound = _bound_names(package / "__init__.py")
    library: str | None = None
    declared: str | None = None  # an import of names the package lacks, none of them known
    for text in texts:
        try:
            tree = ast.parse(text)
        except PARSE_ERRORS:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                top, _, below = node.module.partition(".")
                if top != name:
                    continue
                if below:
                    if _is_module_of(package, below.partition(".")[0]):
                        return None  # `from app.api import users`: its own submodule
                    continue
                if any(
                    _is_module_of(package, alias.name) or bound is None or alias.name in bound
                    for alias in node.names
                ):
                    return None  # `from app import models`, or a name `__init__.py` binds
                known = [a.name for a in node.names if f"{name}.{a.name}" in _LIBRARY_SYMBOLS]
                if known and library is None:
                    library = f"from {node.module} import {known[0]}"
                elif declared is None:
                    declared = f"from {node.module} import {node.names[0].name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    top, _, below = alias.name.partition(".")
                    if top == name and below and _is_module_of(package, below.partition(".")[0]):
                        return None
    if library is None and declared is not None:
        backend = package.parent.relative_to(root).as_posix()
        if declared_versions(root, backend, frozenset({name})):
            library = declared
    return library


def _bound_names(init: Path) -> set[str] | None:
    """The names a package's ``__init__.py`` binds at its top (None: any, a ``*`` import)."""
    try:
        data = read_bytes(init, init.name)
    except FileProblem:
        return None
    if data is None:
        return set()
    try:
        tree = ast.parse(data)
    except PARSE_ERRORS:
        return None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.alias) and node.name == "*":
            return None
        # A parameter binds a name of its function's call only, never the package's.
        if not isinstance(node, ast.arg):
            names.update(names_bound(node))
    return names


def _above_a_library(root: Path, top: Path, found: tuple[str, str]) -> tuple[str, str]:
    """``found``, or the package run from a folder above when its name hides a library.

    ``src/apps/fastapi/`` importing the library ``fastapi`` (:func:`_library_named`) cannot be
    the top-level package ``fastapi``: it is ``apps.fastapi`` run from ``src/``, the folders
    between being namespace packages. Of the folders above (up to the root), the first holding
    a module the package imports by its top-level name (``from config import settings``,
    ``src/config.py``) is the one its imports resolve from; else the nearest, unless one of
    those modules is beside the package (``backend/src/config.py`` for ``backend/src/fastapi/``):
    then no folder above resolves its imports. ``found`` as it is when its package is another
    one (``services.admin``), no folder above can be named in an import, or none resolves its
    imports: then the offer says why (:func:`_offers`).
    """
    package = found[1]
    if package != top.name or _library_named(root, top) is None:
        return found
    levels: list[tuple[Path, str]] = []
    names = [package]
    folder = top.parent
    while folder != root and folder.name.isidentifier():
        names.insert(0, folder.name)
        levels.append((folder.parent, ".".join(names)))
        folder = folder.parent
    if not levels:
        return found
    imported = {
        name
        for text in _module_texts(top)
        for name in re.findall(r"^[ \t]*(?:from|import)[ \t]+(\w+)", text, re.M)
        if name != package and name not in sys.stdlib_module_names
    }
    chosen = next(
        (
            (where, dotted)
            for where, dotted in levels
            if any(_holds_python_module(where, name) for name in imported)
        ),
        None,
    )
    if chosen is None:
        if any(_holds_python_module(top.parent, name) for name in imported):
            # Its own imports read the folder beside it (`src/config.py`), which only the
            # clashing top-level run resolves: no folder above runs it, so it is refused.
            return found
        chosen = levels[0]
    return chosen[0].relative_to(root).as_posix(), chosen[1]


def _reach_relative_imports(root: Path, found: tuple[str, str]) -> tuple[str, str]:
    """``found`` (backend folder, package), moved up as far as the package's relative imports reach.

    ``from ..lib import helpers`` in ``proj/src/main.py`` only resolves when the module is
    ``proj.src.main`` (run from the folder above ``proj/``): run as ``src.main``, Python refuses
    an import beyond the top-level package. The deepest such import of any module of the
    package decides how many folders above it join the package's dotted name.
    """
    backend, package = found
    folder = root / backend
    package_folder = folder.joinpath(*package.split("."))
    beyond = 0
    for path, text in _package_modules(package_folder):
        depth = len(package.split(".")) + len(path.parent.relative_to(package_folder).parts)
        for match in _RELATIVE_IMPORT.finditer(text):
            beyond = max(beyond, len(match[1]) - depth)
    names = package.split(".")
    for _ in range(beyond):
        # Only folders below the root that can be named in an import join the package.
        if folder == root or not folder.name.isidentifier():
            return found
        names.insert(0, folder.name)
        folder = folder.parent
    return folder.relative_to(root).as_posix(), ".".join(names)


def _own_submodule(folder: Path, top: Path, names: list[str], texts: list[str]) -> bool:
    """Whether ``folder.top`` imports read as a submodule of ``top``, run from ``folder``.

    ``app/app/`` holding ``app.py`` (Reflex's layout): ``from app.app import app`` names that
    module of the package ``app`` as well as a package ``app.app``; its other imports decide
    (``from app.backend import api``, ``backend`` being a folder of ``app/app/`` and not of
    ``app/``, only works run from ``app/``).
    """
    if len(names) != 2 or names[0] != names[1] or not _is_module_of(top, top.name):
        return False
    return any(
        below != top.name and _is_module_of(top, below) and not _is_module_of(folder, below)
        for below in _imported_below(texts, top.name)
    )


def _module_texts(package: Path) -> list[str]:
    """The text of (at most :data:`_IMPORT_SCAN_LIMIT`) modules of a package folder."""
    return [text for _, text in _package_modules(package)]


def _package_modules(package: Path) -> Iterator[tuple[Path, str]]:
    """The path and text of (at most :data:`_IMPORT_SCAN_LIMIT`) modules of a package folder.

    Walked in name order, hidden folders passed over; unreadable modules are left out.
    """
    count = 0
    for folder, dirs, files in os.walk(package):  # symbolic links to folders not followed
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            if count >= _IMPORT_SCAN_LIMIT:
                return
            path = Path(folder) / name
            try:
                data = read_bytes(path, name)
            except FileProblem:
                continue
            if data is not None:
                count += 1
                yield path, data.decode("utf-8", errors="replace")


def _imports(texts: Iterable[str], dotted: str) -> bool:
    """Whether a line of ``texts`` imports ``dotted`` or a module of it (``from app.api``)."""
    pattern = re.compile(rf"^[ \t]*(?:from|import)[ \t]+{re.escape(dotted)}\b", re.M)
    return any(pattern.search(text) for text in texts)


def _imported_below(texts: Iterable[str], dotted: str) -> Iterator[str]:
    """The names of the modules right below ``dotted`` that lines of ``texts`` import.

    ``api`` of ``from app.api.routes import orders`` for ``app``.
    """
    pattern = re.compile(rf"^[ \t]*(?:from|import)[ \t]+{re.escape(dotted)}\.(\w+)", re.M)
    for text in texts:
        for match in pattern.finditer(text):
            yield match[1]


def _imports_a_sibling(root: Path, folder: Path, name: str) -> bool:
    """Whether module ``name`` of ``folder`` imports a module beside it by its top-level name.

    ``from routers import users`` in ``backend/main.py``, with ``backend/routers/`` there, only
    works when ``backend/`` itself is on the import path: it is the backend folder of a flat
    layout, not a namespace package of the folder above.
    """
    index = PackageIndex(BackendReader(root, folder.relative_to(root).as_posix()).read)
    try:
        return _imports_beside(root, folder, index.module(name[:-3]))
    finally:
        index.close()  # its models freed now; the tree stays for the run (see analysis_run)


def _imports_beside(root: Path, folder: Path, module: ModuleModel | None) -> bool:
    """Whether ``module`` of ``folder`` imports a module or package beside it by its top name."""
    if module is None:
        return False
    # In a package, `from app.core import x` (in `app/app.py`) names the package itself, as
    # its modules import each other, not a module `app.py` beside it.
    own: set[str] = set()
    here = folder
    while here != root and (here / "__init__.py").is_file():
        own.add(here.name)
        here = here.parent
    for statement in _unguarded_imports(module.tree):
        if isinstance(statement, ast.Import):
            dotted = [alias.name for alias in statement.names]
        elif not statement.level and statement.module:
            dotted = [statement.module]
        else:
            continue
        for top, dot, _ in (name.partition(".") for name in dotted):
            if top in sys.stdlib_module_names or top in own:
                continue  # `import logging` beside a logging.py of yours
            # `from app.routes import x` in `app/app.py`: a module beside it (`app.py` itself)
            # has no submodules; only a folder beside it would be imported.
            if (folder / top).is_dir() or (not dot and (folder / f"{top}.py").is_file()):
                return True
    return False


def _unguarded_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """The module's imports, also those inside its functions (a late import, against cycles).

    Not those under a ``try``: a guarded import may be the fallback that never runs.
    """
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif not isinstance(node, ast.Try | ast.TryStar):
            # Statements only: the expressions, most of a tree, hold no import.
            for block in statement_blocks(node):
                pending.extend(block)


def _project_folder(root: Path, folder: Path) -> Path:
    """The nearest folder from ``folder`` up to ``root`` that holds a project file, else root."""
    for candidate in (folder, *folder.parents):
        if candidate == root or any(_is_project_file(candidate / name) for name in _PROJECT_FILES):
            return candidate
    return root  # pragma: no cover - ``folder`` is always under ``root``


def _is_project_file(path: Path) -> bool:
    """Whether ``path`` is a project file; a ``setup.py`` only when it is setuptools' script.

    A module of a package may be named ``setup.py`` (``wallet/runner/setup.py`` defining the
    app factory ``setup()``): one that imports neither setuptools nor distutils marks no
    project folder.
    """
    if not path.is_file():
        return False
    if path.name != "setup.py":
        return True
    try:
        data = read_bytes(path, path.name)
    except FileProblem:
        return False
    return data is not None and (b"setuptools" in data or b"distutils" in data)


def _toml_string(value: str) -> str:
    """``value`` as a TOML string, as it would be written in the table."""
    return tomlkit.string(value).as_string()
