"""What a Python module of the project serves when it is run: the server calls it makes.

A script run by a command line (``python main.py``), a module run by ``python -m``, a console
script's function: the server calls under its ``__main__`` guard (``uvicorn.run("main:app")``)
name the apps it serves, an app object it imports being served from the module it comes from.
Read by ``init`` for the run files' scripts (:mod:`telemetry_cli.run_files`), the serverless
handlers (:mod:`telemetry_cli.serverless`) and the runner modules at the project's top.
"""

import ast
import functools
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from telemetry_cli.errors import PARSE_ERRORS
from telemetry_cli.files import (
    FileProblem,
    SourceText,
    read_bytes,
)
from telemetry_cli.ignore import GitIgnore
from telemetry_cli.patching.apps import (
    main_guards,
)
from telemetry_cli.patching.names import (
    SERVER_CALLS,
    SERVER_PACKAGES,
)
from telemetry_cli.patching.newer_syntax import parse_newer_syntax_bytes
from telemetry_cli.patching.project import BackendReader
from telemetry_cli.patching.symbols import (
    DEFINITIONS,
    PackageIndex,
    ParseFailure,
    assigned_targets,
    call_argument,
    names_bound,
    parse,
)
from telemetry_cli.plan import (
    MAIN_MODULE,
)
from telemetry_cli.server_commands import (
    SERVER_COMMANDS,
)

#: The import strings of each Python script read in one pass over the run files, by the
#: script's resolved path and the name it is run by: a run file naming one script on many lines
#: (a 4,000-line Makefile) reads it once in the pass. A pass's own: made by the function reading
#: the run files (the app's targets, the folder serving it), never kept between passes or runs.
ScriptReads = dict[tuple[Path, str], set[str]]


def split_import_string(value: str, *, path: bool = True) -> tuple[str, str] | None:
    """``(module, attribute)`` of ``"pkg.module:attribute"``, None unless it reads so.

    With ``path``, the attribute may be a dotted path (``"main:service.api"``), which uvicorn,
    hypercorn and granian follow by getattr; FastAPI CLI's entrypoint and a console script
    name one attribute.
    """
    module, colon, attribute = value.partition(":")
    names = [*module.split("."), *(attribute.split(".") if path else [attribute])]
    if colon and all(name.isidentifier() for name in names):
        return module, attribute
    return None


class ServerCall(NamedTuple):
    """A server call of a script, and its argument naming the app (None: not given plainly)."""

    call: ast.Call
    app: ast.expr | None


def served_targets(
    data: bytes, entry: str | None = None, *, script: bool = False
) -> tuple[ast.Module, list[ServerCall]] | None:
    """A module's tree and the server calls under its ``__main__`` guard, with what they serve.

    ``script``: the module always runs as ``__main__`` (a package's ``__main__.py``, which
    ``python -m pkg`` runs): its top-level statements count as the guard's.

    ``uvicorn.run(...)``, ``uvicorn.Config(...)`` (handed to ``uvicorn.Server(config).run()``),
    hypercorn's ``serve(app, config)``, granian's ``Granian("pkg.main:app", ...)``: each names
    the app it serves (see :data:`SERVER_CALLS`). Also those in the module's functions the
    guard calls (``main()``); with ``entry``, those of that function of the module instead of
    the guard's (a console script's, run by name), or of the commands of the command-line
    object ``entry`` names (``cli = typer.Typer()``, its ``@cli.command()`` functions).
    None when the module cannot run a server as a script (no such call, or no tree).
    """
    if not any(name.encode() in data for name in SERVER_PACKAGES) or (
        entry is None and not script and b"__main__" not in data
    ):
        return None
    tree = script_tree(data)
    if tree is None:
        return None
    # An import inside the guard counts too, and a name imported nowhere stands for itself
    # (`uvicorn.run` after `import uvicorn` in a function).
    imported = _imported_targets(ast.walk(tree))
    # The guard may only call a function of the module that starts the server (`def main():
    # uvicorn.run(...)`, then `main()` or `asyncio.run(main())`): that function's calls count,
    # and those of the module's functions it calls in turn.
    functions = {
        statement.name: statement
        for statement in tree.body
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    if entry is not None:
        bodies: list[ast.AST] = (
            [functions[entry]] if entry in functions else list(_commands_of(tree, entry))
        )
    elif script:
        # The definitions run only when called (reached below through the calls).
        bodies = [statement for statement in tree.body if not isinstance(statement, DEFINITIONS)]
    else:
        bodies = [*main_guards(tree.body)]
    served: list[ServerCall] = []
    reached: set[str] = set() if entry is None else {entry}
    while bodies:
        for node in ast.walk(bodies.pop()):
            if not isinstance(node, ast.Call):
                continue
            keyword = SERVER_CALLS.get(_called_name(node, imported))
            if keyword is not None:
                served.append(ServerCall(node, call_argument(node, 0, keyword)))
            elif (
                isinstance(node.func, ast.Name)
                and node.func.id in functions
                and node.func.id not in reached
            ):
                reached.add(node.func.id)
                bodies.append(functions[node.func.id])
    return (tree, served) if served else None


def _imported_targets(nodes: Iterable[ast.AST]) -> dict[str, str]:
    """What each name the absolute imports among ``nodes`` bind stands for, dotted.

    ``from granian import Granian``: ``Granian`` is ``granian.Granian``; ``import
    hypercorn.asyncio as hc``: ``hc`` is ``hypercorn.asyncio``; ``import azure.functions``:
    ``azure`` is ``azure``.
    """
    imported: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                head = alias.name.partition(".")[0]
                imported[alias.asname or head] = alias.name if alias.asname else head
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            for alias in node.names:
                imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return imported


def _called_name(call: ast.Call, imported: Mapping[str, str]) -> str:
    """The dotted name a call's function stands for, its first name read through ``imported``.

    A name imported nowhere stands for itself.
    """
    head, dot, rest = ast.unparse(call.func).partition(".")
    return imported.get(head, head) + dot + rest


@functools.lru_cache(maxsize=32)
def script_tree(data: bytes) -> ast.Module | None:
    """The tree of a script's bytes, parsed once however many questions are asked of it.

    A runner at the top is asked what its guard serves and what a console script's function
    does; a flat module whether it serves its own app and whether it does so by its own name.
    The tree is only read; a script in a newer Python's grammar (3.12 to 3.14) is read on older
    ones too. A module of the app decoded as the package index decodes it shares the index's
    tree in the run (see :func:`~.symbols.analysis_run`): a flat ``main.py`` with a ``__main__``
    guard is parsed once.
    """
    try:
        return parse(SourceText.decode(data, "", python=True).text)
    except (FileProblem, ParseFailure):
        pass  # read as Python reads the bytes, to answer what it can
    try:
        return ast.parse(data)
    except SyntaxError:
        return parse_newer_syntax_bytes(data)
    except PARSE_ERRORS:
        # Nested past the parser's limits or holding a null byte: no Python of any version.
        return None


def _commands_of(tree: ast.Module, name: str) -> list[ast.AST]:
    """The module-level functions decorated ``@<name>.command(...)`` or ``@<name>.callback(...)``.

    The commands a Typer or click group at module level runs (``cli = typer.Typer()``).
    """
    commands: list[ast.AST] = []
    for statement in tree.body:
        if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in statement.decorator_list:
            called = decorator.func if isinstance(decorator, ast.Call) else decorator
            if (
                isinstance(called, ast.Attribute)
                and called.attr in ("command", "callback")
                and isinstance(called.value, ast.Name)
                and called.value.id == name
            ):
                commands.append(statement)
                break
    return commands


def script_targets(
    folder: Path, script: str, ignore: GitIgnore, reads: ScriptReads | None = None
) -> set[str]:
    """The import strings a script in ``folder`` serves when a command line runs it.

    ``python main.py`` runs the script as ``__main__``, its folder on the import path: the
    server calls under its ``__main__`` guard name what it serves, an app it builds itself
    too (``uvicorn.run("main:app")`` or ``uvicorn.run(app)`` in main.py: ``main:app``).
    ``reads`` holds the scripts read already in this run (:data:`ScriptReads`).
    """
    name = script.removeprefix("./")
    path = folder / name
    try:
        # A folder no file may be in (`cd a && ` repeated past the name limit) holds none.
        found = "/" not in name and path.is_file()
    except OSError:
        found = False
    if not found or ignore.ignored(path, folder=False):
        return set()  # a script elsewhere runs with another folder on the import path
    # What a script serves is read from its file and its name (`main.py` serves `main:app`):
    # a link `main.py -> server.py` serves `main:app` when run by that name, `server:app` by the
    # other, so the read is the file's by the name it is run as.
    key = (path.resolve(), path.stem)
    if reads is not None and key in reads:
        return set(reads[key])
    named = _read_script_targets(folder, path, name, ignore)
    if reads is not None:
        reads[key] = set(named)
    return named


def _read_script_targets(folder: Path, path: Path, name: str, ignore: GitIgnore) -> set[str]:
    """What :func:`script_targets` says of the script at ``path``, read and parsed."""
    try:
        data = read_bytes(path, name)
    except FileProblem:
        return set()
    served = None if data is None else served_targets(data)
    if served is None:
        return set()
    module = path.stem
    stars = functools.partial(star_binds, folder, ignore)
    named = call_targets(*served, module, follow=True, stars=stars)
    if named is None:
        return set()
    for call in served[1]:
        target = call.app
        if isinstance(target, ast.Name):
            attribute: str | None = target.id
        elif isinstance(target, ast.Constant) and isinstance(target.value, str):
            found = split_import_string(target.value)
            own = found is not None and found[0] in (module, MAIN_MODULE)
            attribute = found[1] if found is not None and own else None
        else:
            attribute = None
        if attribute is not None and _imported_name(served[0], attribute, module, stars) is None:
            named.add(f"{module}:{attribute}")  # built by the script itself
    return named


def run_module_targets(folder: Path, module: str, ignore: GitIgnore) -> set[str]:
    """The import strings a module of ``folder`` serves when ``python -m <module>`` runs it.

    The module runs as ``__main__``, ``folder`` (the working directory) on the import path:
    the server calls under its guard name what it serves; a package runs its ``__main__.py``,
    every top-level statement of which runs. A server's own module (``python -m uvicorn``) is
    no module of the project, and is read as the server command it is.
    """
    if module.split(".")[0] in SERVER_COMMANDS:
        return set()
    data = module_data(folder, f"{module}.__main__", ignore)
    script = data is not None
    if data is None:
        data = module_data(folder, module, ignore)
    served = None if data is None else served_targets(data, script=script)
    if served is None:
        return set()
    name = f"{module}.__main__" if script else module
    stars = functools.partial(star_binds, folder, ignore)
    return call_targets(*served, name, follow=True, stars=stars) or set()


#: Whether ``from <module> import *`` binds a name: ``(module, name)``, see :func:`star_binds`.
StarBinds = Callable[[str, str], bool]


#: Server arguments that move the folder the app is imported from: uvicorn's, granian's.
_IMPORT_ROOT_ARGUMENTS = frozenset({"app_dir", "working_dir"})


def call_targets(
    tree: ast.Module,
    calls: list[ServerCall],
    module_name: str,
    *,
    follow: bool,
    own: Collection[str] = (),
    stars: StarBinds | None = None,
) -> set[str] | None:
    """The import strings the server calls of module ``module_name`` serve.

    None when one moves the import root (uvicorn's ``app_dir=``, granian's ``working_dir=``):
    not followed.

    ``follow``: an app object the module imports is served from the module it is imported
    from (``uvicorn.run(app)`` after ``from pkg.main import app``, or ``from .main import app``
    in ``pkg.cli``). ``own``: the module's variables holding an app (:func:`_module_apps`),
    served from it too when named (a console script's function in the app's module,
    ``pkg.web:start`` serving ``api`` of ``pkg.web``); a name holding anything else (an import
    string, a setting) names no app, as a runner script's own app is found as the app of its
    module already. ``stars``: whether a star import binds a name (:func:`star_binds`), so
    that an app a ``from pkg.app import *`` brings is served from ``pkg.app`` too.
    """
    targets: set[str] = set()
    for call in calls:
        target = call.app
        if any(keyword.arg in _IMPORT_ROOT_ARGUMENTS for keyword in call.call.keywords):
            return None
        held = ast.unparse(target) if isinstance(target, ast.Name | ast.Attribute) else None
        if held is not None and split_import_string(f"{module_name}:{held}") is not None:
            # The app object itself (`uvicorn.run(app)`, `uvicorn.run(service.api)`): served
            # where it is imported from.
            imported = _imported_path(tree, held, module_name, stars) if follow else None
            if imported is not None:
                targets.add(imported)
            elif held in own and held not in _bound_around(tree, call.call):
                targets.add(f"{module_name}:{held}")
            continue
        if not (isinstance(target, ast.Constant) and isinstance(target.value, str)):
            continue
        named = split_import_string(target.value)
        if named is None:
            continue
        module, attribute = named
        if module in (module_name, MAIN_MODULE):
            # The runner's own name (`"__main__:app"` too): an app it imports is served
            # from the module it is imported from; one it builds is its own (no runner).
            imported = _imported_path(tree, attribute, module_name, stars) if follow else None
            if imported is not None:
                targets.add(imported)
            elif attribute in own:
                targets.add(f"{module_name}:{attribute}")
            continue
        targets.add(target.value)
    return targets


def _bound_around(tree: ast.Module, node: ast.expr) -> set[str]:
    """The names the functions of ``tree`` written around ``node`` bind locally.

    ``def start(): from app.main import app as api; uvicorn.run(api)`` serves the imported app,
    not the module's ``api``: a name bound there is no module variable.
    """
    bound: set[str] = set()
    for function in ast.walk(tree):
        if isinstance(
            function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
        ) and function.lineno <= node.lineno <= (function.end_lineno or function.lineno):
            bound.update(
                name
                for inner in ast.walk(function)
                if inner is not function
                for name in names_bound(inner)
            )
    return bound


def _imported_path(
    tree: ast.Module, path: str, module_name: str, stars: StarBinds | None = None
) -> str | None:
    """The import string of attribute path ``path`` (``service.api``), through its first name.

    ``"pkg.main:service.api"`` when ``tree`` imports ``from pkg.main import service``; else None.
    """
    head, dot, rest = path.partition(".")
    imported = _imported_name(tree, head, module_name, stars)
    return None if imported is None else f"{imported}{dot}{rest}"


def module_file(root: Path, module: str, ignore: GitIgnore) -> tuple[Path, Path] | None:
    """The folder module ``module`` is imported from (``root``, ``src/``) and its file, if any."""
    parts = module.split(".")
    for base in (root, root / "src"):
        for path in (
            base.joinpath(*parts).with_suffix(".py"),
            base.joinpath(*parts, "__init__.py"),
        ):
            if path.is_file() and not ignore.ignored(path, folder=False):
                return base, path
    return None


def module_data(root: Path, module: str, ignore: GitIgnore) -> bytes | None:
    """The bytes of module ``module`` imported from ``root`` or its ``src/`` folder, if found."""
    found = module_file(root, module, ignore)
    if found is None:
        return None
    try:
        return read_bytes(found[1], found[1].name)
    except FileProblem:
        return None


def star_names(index: PackageIndex, source: str, seen: set[str]) -> set[str]:
    """The names ``from <source> import *`` binds, for a module of the package (else none).

    Its literal ``__all__`` (with its literal extensions), else its public top-level names and
    those its own star imports bring (a cycle of star imports is cut); none when what its
    ``__all__`` lists is not known.
    """
    imported = index.module(source)
    if imported is None or source in seen:
        return set()
    seen.add(source)
    if imported.exports_unknown:
        return set()  # an `__all__` changed other than literally: no name is known bound
    if imported.exported is not None:
        return set(imported.exported)
    names = {name for name in imported.scope.bindings if not name.startswith("_")}
    for inner, _ in imported.star_imports:
        names |= star_names(index, inner, seen)
    return names


def _imported_name(
    tree: ast.Module, name: str, module_name: str = "", stars: StarBinds | None = None
) -> str | None:
    """``"pkg.main:app"`` when ``tree`` binds ``name`` by ``from pkg.main import app``, else None.

    Only an import at module level, the one name bound there (a later assignment makes it the
    module's own); a relative one (``from .main import app``) only when the module's dotted
    name ``module_name`` is known. With ``stars``, a ``from pkg.main import *`` binding
    ``name`` (as ``stars`` judges: :func:`star_binds`) counts too, as Python binds it.
    """
    found: str | None = None
    package = module_name.split(".")[:-1]
    for statement in tree.body:
        if not isinstance(statement, ast.ImportFrom):
            pass
        elif any(alias.name == "*" for alias in statement.names):
            source = _from_source(statement, package)
            if stars is not None and source is not None and stars(source, name):
                found = f"{source}:{name}"
        elif statement.level == 0 and statement.module:
            for alias in statement.names:
                if (alias.asname or alias.name) == name:
                    found = f"{statement.module}:{alias.name}"
        elif 0 < statement.level <= len(package) and statement.module:
            base = package[: len(package) - statement.level + 1]
            for alias in statement.names:
                if (alias.asname or alias.name) == name:
                    found = f"{'.'.join([*base, statement.module])}:{alias.name}"
        if isinstance(statement, ast.Assign | ast.AnnAssign) and any(
            isinstance(target, ast.Name) and target.id == name
            for target in assigned_targets(statement)
        ):
            found = None
    return found


def _from_source(statement: ast.ImportFrom, package: list[str]) -> str | None:
    """The module ``statement`` imports from, relative ones from ``package`` (None: unknown)."""
    if statement.level == 0:
        return statement.module
    if statement.level > len(package):
        return None  # above the top of the known package
    base = package[: len(package) - statement.level + 1]
    return ".".join([*base, *([statement.module] if statement.module else [])]) or None


def star_binds(folder: Path, ignore: GitIgnore, source: str, name: str) -> bool:
    """Whether ``from <source> import *`` run from ``folder`` binds ``name``.

    ``source`` a module of ``folder`` (or of its ``src/``), read by the module model as the
    FastAPI CLI's lookup reads star imports (:func:`star_names`: its ``__all__`` when given,
    else its public names); a library's module binds no app of the project.
    """
    found = module_file(folder, source, ignore)
    if found is None:
        return False
    index = PackageIndex(BackendReader(folder, found[0].relative_to(folder).as_posix()).read)
    try:
        return name in star_names(index, source, set())
    finally:
        index.close()  # its models freed now; the tree stays for the run (see analysis_run)
