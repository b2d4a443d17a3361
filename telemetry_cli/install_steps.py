"""How the quickstart installs the backend's dependencies, read from the project's own files.

One rule, the same for every project: the backend folder, the folders above it, then the
project root, are searched for what installs the backend (a lock file's tool, a ``[project]``
table, a ``Pipfile``, a requirements file); the first one found gives the commands. Nothing
found: no command is invented, the quickstart says in words to install the dependencies as the
project usually does.
"""

import ast
import contextlib
import itertools
import posixpath
import re
import shlex
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from telemetry_cli.ast_literals import string_list
from telemetry_cli.errors import PARSE_ERRORS, FileProblem
from telemetry_cli.files import MAX_CONFIG_BYTES, parse_toml, read_bytes

TOOL_NAME = "telemetry-scaffold"
# What runs the backend: an extra naming one of them is the one the quickstart needs.
_SERVER = frozenset({"fastapi", "uvicorn"})
# FastAPI's extras that bring uvicorn along.
_FASTAPI_WITH_SERVER = frozenset({"standard", "all"})
# A PEP 508 requirement's name and extras, up to what may follow them (a version, a marker, a
# URL after "@"): "git+https://..." names nothing. Parsed here rather than with packaging's
# Requirement, whose import costs about 13 ms on every run that renders the quickstart
# (`generate --check` included: its speed is tracked in bench/).
_REQUIREMENT = re.compile(
    r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(?=$|[;@<>=!~(,])"
)
_SEPARATORS = re.compile(r"[-_.]+")
_EXTRA = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
#: A Dockerfile's name, its variants too (`Dockerfile_api`, `Dockerfile.prod`, `api.Dockerfile`).
DOCKERFILE_NAME = r"Dockerfile(?:[._-][\w.-]+)?|[\w.-]+\.Dockerfile"
_DOCKERFILE = re.compile(DOCKERFILE_NAME, re.IGNORECASE)
#: A compose file's name (`docker-compose.yml`, `compose.override.yaml`).
COMPOSE_NAME = r"(?:docker-)?compose(?:\.[\w-]+)?\.ya?ml"
_COMPOSE = re.compile(COMPOSE_NAME, re.IGNORECASE)
# Patterns kept as source text (here and below) are compiled on first use, and cached, by
# `re`: an up-to-date `generate --check` never uses them (compiling at import cost every run).
# A requirements file a Dockerfile installs: `pip install -r requirements/prod.txt`.
DOCKER_REQUIREMENTS = r"(?:\s-r|--requirement)[ =]+([A-Za-z0-9._/-]+)"
# A lock file, the command that installs the project from it, and its option naming an extra.
_LOCKS = {
    "uv.lock": ("uv sync --active", "--extra"),
    "poetry.lock": ("poetry install", "--extras"),
    "pdm.lock": ("pdm install", "--group"),
}


#: Reads a project file's text, None when it is absent or unreadable (:func:`read_text`).
TextReader = Callable[[Path], str | None]


def read_text(path: Path) -> str | None:
    """The text of a regular file, or None (a named pipe is never opened: it would wait)."""
    try:
        data = read_bytes(path, path.name)
        return _decoded(data) if data is not None else None
    except (FileProblem, ValueError):
        # ValueError: a name holding a NUL byte (read from a compose file) names no file.
        return None


class InstallSteps(NamedTuple):
    """The shell commands that install the backend, run from the project root in its venv.

    Attributes:
        commands: empty when the project's files say nothing the tool can act on.
        tool: whether the commands install telemetry-scaffold itself (its own repository).
    """

    commands: tuple[str, ...] = ()
    tool: bool = False


def install_steps(
    root: Path,
    backend: str,
    read: TextReader = read_text,
    app_dir: str | None = None,
    script: str | None = None,
) -> InstallSteps:
    """What installs the backend at ``root / backend``, from the first folder that says.

    Nearest of all, the app module ``script`` (relative to ``root``) itself: the dependencies
    its PEP 723 ``# /// script`` block lists (a single-file service run by ``uv run main.py``),
    installed by pip.
    The app package's folder ``app_dir`` (relative to ``root``) and those above it inside the
    backend folder are searched first (a service of a monorepo imported from the root as
    ``services.api.app`` has its own ``services/api/requirements.txt``), then the backend
    folder, then the folders above it, then the root. In each: a
    ``pyproject.toml`` with a ``[project]`` or ``[tool.poetry]`` table (installed by the tool
    whose lock file sits next to it, or by ``uv sync`` in it when it is a member of a uv
    workspace above it that ``uv.lock`` locks, else ``pip install -e`` with the extras naming
    FastAPI or uvicorn), else a ``Pipfile`` (installed by pipenv), else a ``requirements.txt``
    or the requirements file a ``Dockerfile`` of the folder installs. A ``pip install uvicorn``
    is added when what is installed does not bring it: the quickstart runs the server with it.
    Unreadable files count as absent. ``read`` reads the Dockerfiles and requirements files (a
    run's :class:`FileTexts`, to read each once).
    """
    found = _script_steps(root, script, read) if script is not None else None
    for folder in app_folders(backend, app_dir) + searched_folders(backend):
        if found is not None:
            break
        found = (
            _pyproject_steps(root, folder)
            or _pipfile_steps(root, folder)
            or _without_lines(_requirements_steps(root, folder, read))
            or _setup_py_steps(root, folder)
        )
    if found is None:
        return InstallSteps()
    commands, names = found
    if not _brings_uvicorn(names):
        commands.append("pip install uvicorn")
    return InstallSteps(tuple(commands), any(name == TOOL_NAME for name, _ in names))


Names = list[tuple[str, frozenset[str]]]


def searched_folders(backend: str) -> list[str]:
    """The folders a project's files are looked for in, nearest first, up to the root.

    The backend's, the folders above it (``backend/`` of a ``backend/src`` layout), the root.
    """
    if backend in ("", "."):
        return ["."]
    folder = PurePosixPath(backend)
    return [path.as_posix() for path in (folder, *folder.parents) if path.parts] + ["."]


def app_folders(backend: str, app_dir: str | None) -> list[str]:
    """The app package's folder and those above it below the backend folder, nearest first."""
    if app_dir is None:
        return []
    top = PurePosixPath(backend)
    folder = PurePosixPath(app_dir)
    if top.parts and not folder.is_relative_to(top):
        return []
    return [
        path.as_posix() for path in (folder, *folder.parents) if len(path.parts) > len(top.parts)
    ]


# Files that configure pytest when they hold its section (None: by being there at all).
_PYTEST_FILES = (
    ("pytest.ini", None),
    (".pytest.ini", None),
    ("tox.ini", "[pytest]"),
    ("setup.cfg", "[tool:pytest]"),
)


def pytest_config(root: Path, backend: str) -> str | None:
    """The file saying the project's tests run with pytest, POSIX relative to ``root``, or None.

    Searched like :func:`install_steps`, the backend folder first, then the root: a
    ``pyproject.toml`` with a ``[tool.pytest]`` table or naming pytest among its dependencies
    (any extra or group), or ``pytest.ini``, ``tox.ini``'s ``[pytest]``, ``setup.cfg``'s
    ``[tool:pytest]``. The documents then name pytest as the project's runner, not as the
    tool's: what tests the backend is the project's own choice.
    """
    for folder in searched_folders(backend):
        data = _read_toml(root / folder / "pyproject.toml")
        if "pytest" in _table(data.get("tool")) or "pytest" in _dependency_names(data):
            return PurePosixPath(folder, "pyproject.toml").as_posix()
        for name, section in _PYTEST_FILES:
            text = read_text(root / folder / name)
            if text is not None and (section is None or _has_section(text, section)):
                return PurePosixPath(folder, name).as_posix()
    return None


# The top-level folders setuptools' flat-layout finder skips (FlatLayoutPackageFinder._EXCLUDE
# of setuptools 65; later versions only add to it): a folder named so is never a package. Its
# glob patterns are these names and `[._]*`, matched here as names and a first character: as
# globs, fnmatch compiled a regular expression for each (36, every check).
_FLAT_LAYOUT_SKIPPED = frozenset(
    {
        *("ci", "bin", "doc", "docs", "documentation", "manpages", "news", "changelog"),
        *("test", "tests", "unit_test", "unit_tests", "example", "examples", "scripts", "tools"),
        *("util", "utils", "python", "build", "dist", "venv", "env", "requirements", "tasks"),
        *("fabfile", "site_scons", "benchmark", "benchmarks", "exercise", "exercises"),
    }
)
_FLAT_LAYOUT_SKIPPED_STARTS = (".", "_")
# What lists the packages itself, so that setuptools discovers none: `[tool.setuptools]` keys
# (`packages` also as `packages.find`), `setup.cfg` `[options]` keys and `setup()` arguments.
_SETUPTOOLS_LISTING = frozenset({"packages", "py-modules", "package-dir", "ext-modules"})
_SETUP_LISTING = frozenset({"packages", "py_modules", "package_dir", "ext_modules"})


def flat_layout_discovery(root: Path, folder: str) -> bool:
    """Whether the project at ``root / folder`` is packaged by setuptools' flat-layout discovery.

    True when setuptools builds it (its ``build-backend``, or none given with a ``[project]``
    table, a ``setup.py`` or a ``setup.cfg``; a ``[project]`` table without a name and a
    version builds nothing anyway), nothing lists its packages or modules
    (``[tool.setuptools] packages``/``py-modules``/``package-dir``, ``setup.cfg``'s
    ``[options]`` ones, a ``setup()`` argument: ``setup.py`` is read, never run) and it has no
    ``src/`` folder. Such a project takes every top-level folder with a Python name in as a
    package, and refuses to build with more than one (setuptools' automatic discovery).
    """
    base = root / folder
    data = _read_toml(base / "pyproject.toml")
    build_backend = _table(data.get("build-system")).get("build-backend")
    setup_py = read_text(base / "setup.py")
    setup_cfg = read_text(base / "setup.cfg")
    if setup_py is not None and "setuptools" not in setup_py and "distutils" not in setup_py:
        setup_py = None  # a module of the app that happens to be named so, not a build script
    project = data.get("project")
    if project is not None and not _buildable(_table(project)):
        return False  # setuptools refuses its metadata before looking for packages
    if isinstance(build_backend, str):
        if not build_backend.strip().startswith("setuptools.build_meta"):
            return False
    elif "project" not in data and setup_py is None and setup_cfg is None:
        return False  # no Python project here at all
    if _SETUPTOOLS_LISTING & _table(_table(data.get("tool")).get("setuptools")).keys():
        return False
    if setup_cfg is not None and (
        len(setup_cfg) > MAX_CONFIG_BYTES or _lists_packages_cfg(setup_cfg)
    ):
        return False  # too large to parse (real ones hold a few KiB): no warning either
    if setup_py is not None and _lists_packages_py(setup_py):
        return False
    return not (base / "src").is_dir()


def _buildable(project: dict[str, Any]) -> bool:
    """Whether a ``[project]`` table names the project and its version (static or dynamic)."""
    return isinstance(project.get("name"), str) and (
        "version" in project or "version" in _strings(project.get("dynamic"))
    )


def flat_layout_catches(root: Path, backend: str, path: str) -> str | None:
    """The folder that flat-layout discovery would take in as a new package for ``path``.

    ``path`` is a folder the tool writes, POSIX relative to ``root``. The projects looked at
    are the backend folder's and the root's (as :func:`install_steps` searches them); one
    catches ``path`` when it relies on :func:`flat_layout_discovery`, ``path`` lies in it, and
    the top-level folder ``path`` starts with has a name setuptools does not skip and holds
    nothing but ``path`` (a folder with other content was there, and discovered, before).
    Returns that top-level folder (POSIX, relative to ``root``: ``specs``, ``backend/design``),
    or None.
    """
    for folder in searched_folders(backend):
        parts = PurePosixPath(path).parts
        if folder != ".":
            inside = PurePosixPath(folder).parts
            if parts[: len(inside)] != inside:
                continue
            parts = parts[len(inside) :]
        if not parts or not parts[0].isidentifier():
            continue
        if parts[0] in _FLAT_LAYOUT_SKIPPED or parts[0].startswith(_FLAT_LAYOUT_SKIPPED_STARTS):
            continue
        if _holds_only(root / folder, parts) and flat_layout_discovery(root, folder):
            return PurePosixPath(folder, parts[0]).as_posix()
    return None


def _holds_only(folder: Path, parts: tuple[str, ...]) -> bool:
    """Whether ``folder / parts[0]`` is absent or holds nothing but the path ``parts[1:]``."""
    for part, inner in itertools.pairwise(parts):
        folder = folder / part
        try:
            if any(entry.name != inner for entry in folder.iterdir()):
                return False
        except OSError:
            return True  # absent (or unreadable): the tool's run creates it
    return True


def _lists_packages_cfg(text: str) -> bool:
    """Whether a ``setup.cfg`` lists packages or modules in ``[options]`` (unreadable: yes)."""
    import configparser  # only read for a project that may rely on discovery

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return True  # setuptools would fail on it too: no warning about discovery
    if not parser.has_section("options"):
        return False
    return any(key.replace("-", "_") in _SETUP_LISTING for key in parser["options"])


def _lists_packages_py(text: str) -> bool:
    """Whether a ``setup.py`` passes a package or module listing to a call (unparsable: yes).

    ``**options`` may carry one: counted as a listing, the safe side for a warning.
    """
    try:
        tree = ast.parse(text)
    except PARSE_ERRORS:
        return True
    return any(
        keyword.arg is None or keyword.arg in _SETUP_LISTING or keyword.arg == "configuration"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
    )


def _has_section(text: str, section: str) -> bool:
    return any(line.strip() == section for line in text.splitlines())


def _dependency_names(data: dict[str, Any]) -> set[str]:
    """Every package a ``pyproject.toml`` names: dependencies, extras and groups alike."""
    project = _table(data.get("project"))
    texts = _strings(project.get("dependencies"))
    for listed in _table(project.get("optional-dependencies")).values():
        texts += _strings(listed)
    texts += _development_requirements(data)
    names = {name for name, _ in _requirements(texts)}
    for table in _poetry_tables(_table(_table(data.get("tool")).get("poetry")), optional=True):
        names.update(name for name, _ in _bare(table))
    return names


def _development_requirements(data: dict[str, Any]) -> list[str]:
    """The PEP 508 requirements of a ``pyproject.toml``'s development dependencies.

    PEP 735 ``[dependency-groups]``, uv's ``[tool.uv] dev-dependencies`` and PDM's
    ``[tool.pdm.dev-dependencies]`` groups: what ``uv sync`` and ``pdm install`` install beside
    the project's own dependencies.
    """
    tool = _table(data.get("tool"))
    texts: list[str] = []
    for groups in (data.get("dependency-groups"), _table(tool.get("pdm")).get("dev-dependencies")):
        for listed in _table(groups).values():
            texts += _strings(listed)
    return texts + _strings(_table(tool.get("uv")).get("dev-dependencies"))


def _poetry_tables(poetry: dict[str, Any], *, optional: bool) -> list[dict[str, Any]]:
    """Poetry's dependency tables: the main one, its groups', the older dev-dependencies.

    ``optional``: the optional groups too, which ``poetry install`` leaves out; it installs the
    others and ``[tool.poetry.dev-dependencies]``.
    """
    tables = [_table(poetry.get("dependencies"))]
    for group in _table(poetry.get("group")).values():
        if optional or _table(group).get("optional") is not True:
            tables.append(_table(_table(group).get("dependencies")))
    return [*tables, _table(poetry.get("dev-dependencies"))]


def _pyproject_steps(root: Path, folder: str) -> tuple[list[str], Names] | None:
    data = _read_toml(root / folder / "pyproject.toml")
    project = _table(data.get("project"))
    poetry = _table(_table(data.get("tool")).get("poetry"))
    if not project and not poetry:
        return None
    names: Names = []
    if isinstance(project.get("name"), str):
        names += _bare([project["name"]])
    names += _requirements(_strings(project.get("dependencies")))
    names += _table_names(_table(poetry.get("dependencies")))
    for group in _table(poetry.get("group")).values():
        names += _table_names(_table(_table(group).get("dependencies")))
    # Extras (PEP 621 or Poetry's own table) whose requirements name what runs the server.
    extras: list[str] = []
    options: dict[str, Names] = {}
    for extra, listed in _table(project.get("optional-dependencies")).items():
        options[extra] = _requirements(_strings(listed))
    for extra, listed in _table(poetry.get("extras")).items():
        options[extra] = _bare(_strings(listed))
    locked = _locked_groups(root / folder)
    for extra, requirements in sorted(options.items()):
        if not _EXTRA.fullmatch(extra) or not any(name in _SERVER for name, _ in requirements):
            continue
        # An extra the lock file leaves out cannot be installed from it: `pdm install --group`
        # refuses a group missing from pdm.lock. Its server is then installed by pip.
        if locked is None or canonicalize_name(extra) in locked:
            extras.append(extra)
            names += requirements
    command = _locked_command(root / folder, extras) or _workspace_command(root, folder, extras)
    if command is None:
        if not project:
            command = _install_command("poetry.lock", extras)  # no lock yet: Poetry writes one
        else:
            target = "." if folder == "." else f"./{folder}"
            suffix = f"[{','.join(extras)}]" if extras else ""
            return [f"pip install -e {shlex.quote(target + suffix)}"], names
    if folder != ".":
        command = f"(cd {shlex.quote(folder)} && {command})"
    return [command], names


def _setup_py_steps(root: Path, folder: str) -> tuple[list[str], Names] | None:
    """``pip install -e`` of a setuptools ``setup.py`` whose ``install_requires`` is read.

    The list given inline, or through a module-level name bound once to a literal list (as
    ``install_requires = [...]`` then ``setup(install_requires=install_requires)``). Read,
    never run: dependencies only known by running it (read from a file, computed) say nothing,
    and neither does a ``setup.py`` that is no build script (it imports no setuptools).
    Consulted after the folder's requirements file, which pins the environment the project
    keeps.
    """
    text = read_text(root / folder / "setup.py")
    if text is None or ("setuptools" not in text and "distutils" not in text):
        return None
    try:
        tree = ast.parse(text)
    except PARSE_ERRORS:
        return None
    bound: dict[str, list[ast.expr]] = {}
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
        ):
            bound.setdefault(statement.targets[0].id, []).append(statement.value)
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) == "setup"
        ):
            continue
        value = next((k.value for k in node.keywords if k.arg == "install_requires"), None)
        if isinstance(value, ast.Name) and len(bound.get(value.id, [])) == 1:
            value = bound[value.id][0]
        listed = None if value is None else string_list(value)
        if listed is None:
            return None
        target = "." if folder == "." else f"./{folder}"
        return [f"pip install -e {shlex.quote(target)}"], _requirements(listed)
    return None


def _locked_groups(folder: Path) -> frozenset[str] | None:
    """The optional groups ``pdm.lock`` holds (normalized), or None when any extra can be asked.

    PDM locks the default group alone unless told otherwise (``pdm lock -G :all``) and says
    which in ``[metadata] groups``; uv and Poetry lock every extra.
    """
    for lock in _LOCKS:
        if (folder / lock).is_file():
            if lock != "pdm.lock":
                return None
            metadata = _table(_read_toml(folder / lock).get("metadata"))
            return frozenset(canonicalize_name(group) for group in _strings(metadata.get("groups")))
    return None


def _workspace_command(root: Path, folder: str, extras: list[str]) -> str | None:
    """``uv sync`` for a member of a uv workspace above ``folder`` whose ``uv.lock`` locks it.

    The workspace's lock sits at its root (``[tool.uv.workspace]``), not beside the member;
    ``uv sync`` run in the member's folder installs that member from it.
    """
    if _workspace_root(root, folder) is None:
        return None
    return _install_command("uv.lock", extras)


def _workspace_root(root: Path, folder: str) -> str | None:
    """The folder above ``folder`` of the uv workspace whose ``uv.lock`` locks it, if any."""
    for above in PurePosixPath(folder).parents:
        here = root / above
        if (here / "uv.lock").is_file() and "workspace" in _table(
            _table(_read_toml(here / "pyproject.toml").get("tool")).get("uv")
        ):
            return above.as_posix()
    return None


def _locked_command(folder: Path, extras: list[str]) -> str | None:
    for lock in _LOCKS:
        if (folder / lock).is_file():
            return _install_command(lock, extras)
    return None


def _install_command(lock: str, extras: list[str]) -> str:
    """The command of ``_LOCKS`` installing from ``lock``, asking for each of ``extras``."""
    command, option = _LOCKS[lock]
    return command + "".join(f" {option} {shlex.quote(extra)}" for extra in extras)


def _pipfile_steps(root: Path, folder: str) -> tuple[list[str], Names] | None:
    """Pipenv's ``Pipfile``: its ``[packages]`` (the runtime ones), installed by pipenv.

    Run in an activated environment, pipenv installs into it rather than into one of its own,
    so the quickstart's later commands find what it installed. With a ``Pipfile.lock`` the
    locked versions are installed (``pipenv sync``), else pipenv resolves and locks them.
    """
    path = root / folder / "Pipfile"
    if read_text(path) is None:
        return None
    packages = _table(_read_toml(path).get("packages"))
    names = _table_names(packages)
    command = "pipenv sync" if (root / folder / "Pipfile.lock").is_file() else "pipenv install"
    if folder != ".":
        command = f"(cd {shlex.quote(folder)} && {command})"
    return [command], names


def _requirements_steps(
    root: Path, folder: str, read: TextReader
) -> "tuple[list[str], Names, list[Line]] | None":
    """``pip install -r`` of the folder's requirements file, its names and its lines."""
    candidates = ["requirements.txt"]
    for dockerfile in dockerfiles(root / folder):
        # Imported here: image_layer reads this module's names when it is imported, and a
        # project without a Dockerfile does not need it.
        from telemetry_cli.image_layer import copied_requirements

        dockerfile_text = read(dockerfile) or ""
        # Where its copies took each file from first, then each path as the build context's.
        candidates += copied_requirements(root / folder, dockerfile_text)
        candidates += re.findall(DOCKER_REQUIREMENTS, dockerfile_text)
    candidates += _named_requirements(root / folder)
    for candidate in candidates:
        relative = PurePosixPath(folder, candidate)
        if ".." in relative.parts or relative.is_absolute():
            continue
        requirements = _requirement_lines(root, relative, read, set())
        if requirements is None:
            continue
        texts = [line.text for line in requirements]
        return (
            [f"pip install -r {shlex.quote(relative.as_posix())}"],
            _requirements(texts),
            requirements,
        )
    return None


def _without_lines(
    found: "tuple[list[str], Names, list[Line]] | None",
) -> tuple[list[str], Names] | None:
    return found[:2] if found is not None else None


# What a requirements file for production is called besides `requirements.txt`, by preference:
# `requirements-prod.txt`, `requirements/base.txt`, ...
_PRODUCTION = ("prod", "production", "base", "common", "main", "core", "requirements")
# Requirements files only development needs (tests, linters, docs): not what the app runs on.
_DEVELOPMENT = frozenset(
    {"dev", "develop", "development", "test", "tests", "testing", "lint", "linting", "docs"}
    | {"doc", "ci", "local", "typing", "mypy", "style", "format", "qa", "e2e", "bench"}
)
# `-r other.txt`, `--requirement other.txt`, `--requirement=other.txt`, `-rother.txt`.
_INCLUDED = r"(?:-r|--requirement)(?:\s*=\s*|\s+|(?=[^\s=]))(\S+)"


def _named_requirements(folder: Path) -> list[str]:
    """The requirements files of a folder other than ``requirements.txt``, preferred first.

    ``requirements-prod.txt`` (or ``_``), then ``requirements/prod.txt`` and the other
    production names of :data:`_PRODUCTION`, then any other file of either form whose name
    says no development use (:data:`_DEVELOPMENT`), by name.
    """
    found: list[str] = []
    for separator in ("-", "_"):
        with contextlib.suppress(OSError):  # unreadable: as absent
            found += sorted(
                path.name for path in folder.glob(f"requirements{separator}*.txt") if path.is_file()
            )
    with contextlib.suppress(OSError):
        found += sorted(
            f"requirements/{path.name}"
            for path in (folder / "requirements").glob("*.txt")
            if path.is_file()
        )

    def stem(name: str) -> str:
        # `requirements/prod.txt` -> `prod`, `requirements-prod.txt` -> `prod`.
        subfolder, _, file = name.rpartition("/")
        words = file.removesuffix(".txt")
        return words if subfolder else words.removeprefix("requirements")[1:]

    def rank(name: str) -> tuple[int, bool, str]:
        words = stem(name).lower()
        known = _PRODUCTION.index(words) if words in _PRODUCTION else len(_PRODUCTION)
        return known, "/" in name, name

    kept = [
        name for name in found if not _DEVELOPMENT & set(re.split(r"[-_.]", stem(name).lower()))
    ]
    return sorted(kept, key=rank)


class Line(NamedTuple):
    """A requirement as a project file declares it, and where."""

    #: The file, POSIX relative to the project root.
    file: str
    #: Its 1-based line number.
    number: int
    text: str


def _requirement_lines(
    root: Path, relative: PurePosixPath, read: TextReader, seen: set[PurePosixPath]
) -> list[Line] | None:
    """The requirement lines of a requirements file and of those it includes (``-r``).

    An included file is read relative to the including one (as pip reads it); one already read
    (a cycle) or missing adds nothing. None when the file itself cannot be read.
    """
    text = read(root / relative)
    if text is None:
        return None
    seen.add(relative)
    requirements: list[Line] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith("-"):
            requirements.append(Line(relative.as_posix(), number, line))
            continue
        included = re.fullmatch(_INCLUDED, line)
        if included is None:
            continue
        target = PurePosixPath(posixpath.normpath(relative.parent / included[1]))
        if target in seen or ".." in target.parts or target.is_absolute():
            continue
        requirements += _requirement_lines(root, target, read, seen) or []
    return requirements


# PEP 723's reference regular expression for a block of inline metadata.
_INLINE_METADATA = r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"


def _script_steps(root: Path, script: str, read: TextReader) -> tuple[list[str], Names] | None:
    """``pip install`` of what a module's ``# /// script`` block lists as its dependencies."""
    listed = _script_requirements(read(root / script))
    if not listed:
        return None
    return [shlex.join(["pip", "install", *listed])], _requirements(listed)


def _script_requirements(text: str | None) -> list[str] | None:
    """The dependencies a module's PEP 723 ``# /// script`` block lists.

    Read as PEP 723's reference code reads it; None when the module has no such block, or
    more than one (an error, the PEP says), or one whose TOML does not parse. Only what names
    a package: pip would read anything else (``--index-url=...``) as an option.
    """
    if text is None or "# /// script" not in text:
        return None
    # The reference expression reads lines ending in LF, as Python reads the module.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [m for m in re.finditer(_INLINE_METADATA, text) if m["type"] == "script"]
    if len(blocks) != 1:
        return None
    content = "".join(
        line[2:] if line.startswith("# ") else line[1:]
        for line in blocks[0]["content"].splitlines(keepends=True)
    )
    try:
        metadata = parse_toml(content)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None
    return [item for item in _strings(metadata.get("dependencies")) if _REQUIREMENT.match(item)]


#: A YAML file's name, and its top-level ``services:`` key with a service's ``build:`` or
#: ``command:`` below it: what makes a YAML file a compose file, whatever its name.
_YAML_NAME = re.compile(r"[\w.-]+\.ya?ml", re.IGNORECASE)
_SERVICES = r"(?m)^services:[ \t]*(?:#.*)?$"
_SERVICE_KEY = r"(?m)^[ \t]+(?:build|command):"
_TOP_LEVEL_KEY = r"(?m)^[^\s#]"


def is_compose_file(path: Path) -> bool:
    """Whether ``path`` is a compose file: named as one, or a YAML file holding services.

    ``docker-compose.yml``, ``compose.override.yaml``; and any YAML file whose top level has
    ``services:`` with a ``build:`` or ``command:`` below it (``local.yml`` and
    ``production.yml`` of older cookiecutter layouts), read only when named ``*.yml``/``*.yaml``.
    """
    if _COMPOSE.fullmatch(path.name):
        return True
    if not _YAML_NAME.fullmatch(path.name):
        return False
    text = read_text(path)
    if text is None:
        return False
    services = re.search(_SERVICES, text)
    if services is None:
        return False
    # Up to the next top-level key (`volumes:`, `networks:`): the services' own lines.
    after = re.compile(_TOP_LEVEL_KEY).search(text, services.end())
    end = len(text) if after is None else after.start()
    return re.compile(_SERVICE_KEY).search(text, services.end(), end) is not None


def compose_files(folder: Path) -> list[Path]:
    """The compose files of ``folder`` (whose ``build:`` names a Dockerfile's build context)."""
    try:
        return sorted(path for path in folder.iterdir() if is_compose_file(path))
    except OSError:
        return []


def builds_images(root: Path, backend: str) -> bool:
    """Whether a folder the project's files are looked for in holds a Dockerfile or compose file."""
    return any(
        dockerfiles(root / folder) or compose_files(root / folder)
        for folder in searched_folders(backend)
    )


def dockerfiles(folder: Path) -> list[Path]:
    """The Dockerfiles of ``folder``: ``Dockerfile`` first, then its variants by name."""
    try:
        names = [path.name for path in folder.iterdir() if _DOCKERFILE.fullmatch(path.name)]
    except OSError:
        return []
    return [folder / name for name in sorted(names, key=lambda name: (name != "Dockerfile", name))]


def _brings_uvicorn(names: Names) -> bool:
    return any(
        name == "uvicorn" or (name == "fastapi" and extras & _FASTAPI_WITH_SERVER)
        for name, extras in names
    )


def _requirements(texts: list[str]) -> Names:
    """The (normalized name, extras) of each PEP 508 requirement; other lines are skipped.

    A requirements file also holds what pip alone reads (``git+https://...``, a bare URL): none
    of those names a package the quickstart needs to know of.
    """
    names: Names = []
    for text in texts:
        found = _REQUIREMENT.match(text)
        if found is not None:
            extras = frozenset(
                canonicalize_name(e) for e in (found[2] or "").split(",") if e.strip()
            )
            names.append((canonicalize_name(found[1]), extras))
    return names


def canonicalize_name(name: str) -> str:
    """A distribution name as PEP 503 normalizes it: ``Foo_Bar.baz`` is ``foo-bar-baz``."""
    return _SEPARATORS.sub("-", name.strip()).lower()


def _bare(names: Iterable[str]) -> Names:
    """The normalized ``names``, without extras (Poetry's tables name packages as keys)."""
    return [(canonicalize_name(name), frozenset()) for name in names]


def _table_names(dependencies: dict[str, Any]) -> Names:
    """The normalized names of a dependency table, with the extras their tables name.

    Poetry's and a ``Pipfile``'s ``[packages]`` alike: ``fastapi = { version = "^0.115", extras =
    ["standard"] }`` (or, in Poetry's, a list of such tables, one per constraint) is
    ``fastapi[standard]``.
    """
    names: Names = []
    for name, spec in dependencies.items():
        tables = spec if isinstance(spec, list) else [spec]
        extras = frozenset(
            canonicalize_name(extra)
            for table in tables
            for extra in _strings(_table(table).get("extras"))
        )
        names.append((canonicalize_name(name), extras))
    return names


class FileTexts:
    """One run's reader of project files: each is read once, however many steps need it.

    The quickstart's install steps and the image note both read the Dockerfiles. Made anew for
    each run, so a file edited between runs is always read afresh. ``known`` holds the bytes
    the run already read, by path (the app module the analysis read): those are never read
    again, so every step of the run sees one reading of the file.
    """

    def __init__(self, known: Mapping[Path, bytes] | None = None) -> None:
        self._texts: dict[Path, str | None] = {}
        self._known = dict(known or {})

    def __call__(self, path: Path) -> str | None:
        """The text of ``path`` as :func:`read_text` gives it, read the first time asked."""
        if path not in self._texts:
            data = self._known.pop(path, None)
            self._texts[path] = read_text(path) if data is None else _decoded(data)
        return self._texts[path]


def _decoded(data: bytes) -> str | None:
    """Bytes as :func:`read_text` decodes a file's: UTF-8 without its BOM, else None."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None


def _read_toml(path: Path) -> dict[str, Any]:
    text = read_text(path)
    try:
        return parse_toml(text) if text is not None else {}
    except (tomllib.TOMLDecodeError, RecursionError):
        return {}


def _table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


class Declared(NamedTuple):
    """A version constraint a project file puts on a package, and where it says so."""

    #: The file, POSIX relative to the project root.
    file: str
    #: Its 1-based line number (0: not found in the text).
    line: int
    #: The normalized package name.
    name: str
    #: The constraint as written: PEP 440 specifiers (``==1.10.13``, ``<2``), or Poetry's
    #: (``^1.10``) when ``poetry`` is set; a lock file's version as ``==``.
    spec: str
    poetry: bool = False
    locked: bool = False


def declared_versions(
    root: Path,
    backend: str,
    names: frozenset[str],
    read: TextReader = read_text,
    app_dir: str | None = None,
    script: str | None = None,
) -> list[Declared]:
    """What the files installing the backend say of the versions of ``names``.

    The files searched are the ones :func:`install_steps` installs from: the app module
    ``script``'s ``# /// script`` block, else the first folder holding a ``[project]`` or
    ``[tool.poetry]`` table (development dependencies too), a ``Pipfile``, a requirements file.
    A lock file beside it (``uv.lock``, ``poetry.lock``, ``pdm.lock``, ``Pipfile.lock``), or the
    ``uv.lock`` of the uv workspace it is a member of, gives the exact version it installs; the
    declarations of a name it does not lock come after.
    """
    text = read(root / script) if script is not None else None
    listed = _script_requirements(text)
    if script is not None and text is not None and listed:
        return [
            Declared(script, _line_of(text, f'"{item}"', f"'{item}'"), name, spec)
            for item in listed
            for name, spec in _specified([item], names)
        ]
    for folder in app_folders(backend, app_dir) + searched_folders(backend):
        found = _declared_in(root, folder, names, read)
        if found is not None:
            return found
    return []


def _declared_in(
    root: Path, folder: str, names: frozenset[str], read: TextReader
) -> list[Declared] | None:
    """The declarations of ``names`` in ``folder``, None when nothing there installs the backend."""
    shown = PurePosixPath(folder, "pyproject.toml").as_posix()
    data = _read_toml(root / folder / "pyproject.toml")
    project = _table(data.get("project"))
    poetry = _table(_table(data.get("tool")).get("poetry"))
    text = read(root / folder / "pyproject.toml") or ""
    declared: list[Declared]
    locks: tuple[str, ...] = tuple(_LOCKS)
    if project or poetry:
        listed = _strings(project.get("dependencies"))
        for extra in _table(project.get("optional-dependencies")).values():
            # An extra naming the server is one the quickstart installs (_pyproject_steps).
            if any(name in _SERVER for name, _ in _requirements(_strings(extra))):
                listed += _strings(extra)
        listed += _development_requirements(data)
        declared = [
            Declared(shown, _line_of(text, f'"{item}"', f"'{item}'"), name, spec)
            for item in listed
            for name, spec in _specified([item], names)
        ]
        if "dependencies" in _strings(project.get("dynamic")):
            # Read by the build backend from a file, a requirements file by custom
            # (`[tool.setuptools.dynamic]`, hatch-requirements-txt).
            found = _requirements_steps(root, folder, read)
            declared += [
                Declared(line.file, line.number, name, spec)
                for line in (found[2] if found is not None else [])
                for name, spec in _specified([line.text], names)
            ]
        for table in _poetry_tables(poetry, optional=False):
            for name, spec in table.items():
                declared += _table_declared(shown, text, name, spec, names, poetry=True)
        workspace = _workspace_root(root, folder)
        if workspace is not None and not any((root / folder / lock).is_file() for lock in locks):
            # A member of a uv workspace: the lock at the workspace's root holds its versions.
            folder, locks = workspace, ("uv.lock",)
    elif read(root / folder / "Pipfile") is not None:
        shown = PurePosixPath(folder, "Pipfile").as_posix()
        text = read(root / folder / "Pipfile") or ""
        declared = []
        for name, spec in _table(_read_toml(root / folder / "Pipfile").get("packages")).items():
            declared += _table_declared(shown, text, name, spec, names, poetry=False)
        locks = ("Pipfile.lock",)
    else:
        found = _requirements_steps(root, folder, read)
        if found is None:
            return None
        declared = [
            Declared(line.file, line.number, name, spec)
            for line in found[2]
            for name, spec in _specified([line.text], names)
        ]
        locks = ()
    locked = _locked_versions(root, folder, names, read, locks)
    return locked + [item for item in declared if item.name not in {d.name for d in locked}]


def _specified(texts: list[str], names: frozenset[str]) -> list[tuple[str, str]]:
    """The (normalized name, specifiers) of the requirements among ``texts`` naming ``names``."""
    found: list[tuple[str, str]] = []
    for text in texts:
        match = _REQUIREMENT.match(text)
        if match is None or canonicalize_name(match[1]) not in names:
            continue
        rest = text[match.end() :].partition(";")[0]
        # pip's options after the requirement (pip-compile's `--hash=...`), a line continuation.
        rest = re.split(r"\s-|\\", rest)[0].strip()
        if not rest.startswith("@"):
            found.append((canonicalize_name(match[1]), rest.strip("() ")))
    return found


def _table_declared(
    file: str, text: str, name: str, spec: object, names: frozenset[str], *, poetry: bool
) -> list[Declared]:
    """A Poetry or ``Pipfile`` entry's constraints (``"^1.10"``, ``{version = "..."}``)."""
    normalized = canonicalize_name(name)
    if normalized not in names:
        return []
    line = _line_of(text, f"{name} =", f"{name}=", f'"{name}" =')
    tables = spec if isinstance(spec, list) else [spec]
    versions = [
        table if isinstance(table, str) else _table(table).get("version") for table in tables
    ]
    return [
        Declared(file, line, normalized, version, poetry=poetry)
        for version in versions
        if isinstance(version, str)
    ]


# A package's entry in uv.lock, poetry.lock and pdm.lock, which write its name and version as
# its first two lines: read as text, since a lock file can be large and the note runs on
# every `generate --check`. Opening with a literal (no `^` under re.M), the pattern is searched
# for fast: 0.5 ms rather than 9 on an 800 KB uv.lock; the line start is checked per match.
_LOCKED_PACKAGE = (
    r'\[\[package\]\]\r?\nname = "(?P<name>[^"\n]+)"\r?\nversion = "(?P<version>[^"\n]+)"'
)


def _locked_versions(
    root: Path, folder: str, names: frozenset[str], read: TextReader, locks: tuple[str, ...]
) -> list[Declared]:
    """The versions of ``names`` the first of ``locks`` in ``folder`` holds."""
    for lock in locks:
        text = read(root / folder / lock)
        if text is None:
            continue
        shown = PurePosixPath(folder, lock).as_posix()
        if lock == "Pipfile.lock":
            return _pipfile_locked(shown, text, names)
        found: list[Declared] = []
        for match in re.finditer(_LOCKED_PACKAGE, text):
            name = canonicalize_name(match["name"])
            if name in names and text[match.start() - 1 : match.start()] in ("", "\n"):
                line = text.count("\n", 0, match.start("version")) + 1
                found.append(Declared(shown, line, name, f"=={match['version']}", locked=True))
        return found
    return []


def _pipfile_locked(shown: str, text: str, names: frozenset[str]) -> list[Declared]:
    """The versions of ``names`` a ``Pipfile.lock`` installs (its ``default`` section)."""
    import json  # only for a project locked by pipenv

    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    packages = _table(_table(data).get("default"))
    return [
        Declared(
            shown, _line_of(text, f'"{name}": {{'), canonicalize_name(name), version, locked=True
        )
        for name, entry in packages.items()
        if canonicalize_name(name) in names
        and isinstance(version := _table(entry).get("version"), str)
    ]


def _line_of(text: str, *needles: str) -> int:
    """The 1-based line where the first of ``needles`` found in ``text`` starts (0: none)."""
    for needle in needles:
        at = text.find(needle)
        if at >= 0:
            return text.count("\n", 0, at) + 1
    return 0
