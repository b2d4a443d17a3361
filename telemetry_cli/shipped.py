"""Whether the project's own build ships the generated layer beside the app that imports it.

A backend installed as a package (``pip install .`` in its image, a wheel on an index) runs the
files its build backend selects, not the folder's: a selection that names the app's modules
one by one (an explicit setuptools ``packages`` list, hatch's ``only-include``/``include``,
Poetry's ``packages``, flit's or uv's single module) takes the app in and leaves the new
``app/analytics`` package out, and the installed app fails at start-up with
``ModuleNotFoundError``. :func:`unshipped_layer_note` says so in one line naming the setting.

Each backend's documented rules are applied statically (``setup.py`` is read, never run); a
selection the tool cannot read (a computed list, a plugin) gives no note. The note is only given
when the build ships a module importing the layer: a project whose build leaves the app out too
(metadata only, run from its folder) is not installed from the wheel.
"""

import ast
import re
import tomllib
from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

from telemetry_cli.errors import PARSE_ERRORS
from telemetry_cli.files import MAX_CONFIG_BYTES, parse_toml
from telemetry_cli.install_steps import TextReader, read_text, searched_folders

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec


class Selection(NamedTuple):
    """Whether one file is in a build, and the setting that decides it."""

    shipped: bool
    #: The setting as the project's file spells it (``[tool.setuptools] packages``).
    setting: str
    #: What the setting builds: ``wheel``, or ``sdist`` (the wheel ``python -m build`` makes
    #: is built from the sdist, so it lacks what the sdist lacks).
    target: str = "wheel"
    #: What to change, when not adding the layer's folder to ``setting``
    #: (``add "app.analytics" to [tool.setuptools] packages``).
    fix: str = ""


#: A build backend's verdict on a file, POSIX relative to the project's folder; None: unknown.
Selector = Callable[[str], Selection | None]


def unshipped_layer_note(
    root: Path,
    backend: str,
    layer_dir: str,
    layer_files: list[str],
    importers: list[str],
    read: TextReader = read_text,
) -> str | None:
    """One line when the project's build ships an importer of the layer but not the layer.

    ``layer_files`` and ``importers`` are POSIX relative to ``root``. The project is the nearest
    of :func:`searched_folders` with a ``pyproject.toml`` naming a build backend, a
    ``[project]`` or ``[tool.poetry]`` table, or a ``setup.py``/``setup.cfg``.
    """
    for folder in searched_folders(backend):
        found = _project(root / folder, read)
        if found is None:
            continue
        config, select = found
        prefix = "" if folder == "." else folder + "/"
        inside = [path[len(prefix) :] for path in importers if path.startswith(prefix)]
        shipped = [path for path in inside if _verdict(select, path) is True]
        if not shipped:
            return None
        for path in layer_files:
            if not path.startswith(prefix):
                continue
            selection = select(path[len(prefix) :])
            if selection is not None and not selection.shipped:
                built = (
                    "the sdist (`python -m build` makes the wheel from it)"
                    if selection.target == "sdist"
                    else "the wheel"
                )
                folder = layer_dir[len(prefix) :] if layer_dir.startswith(prefix) else layer_dir
                fix = selection.fix or f'add "{folder}" to {selection.setting}'
                return (
                    f"{prefix}{config} builds {built} with {prefix}{shipped[0]} but without the "
                    f"generated {layer_dir}/: installed from it, the app fails at start-up with "
                    f"ModuleNotFoundError; {fix}"
                )
        return None
    return None


def _unread(path: str) -> Selection | None:
    """The verdict of a selection the tool does not read: none, on any file."""
    del path
    return None


def _verdict(select: Selector, path: str) -> bool | None:
    selection = select(path)
    return None if selection is None else selection.shipped


def _project(base: Path, read: TextReader) -> tuple[str, Selector] | None:
    """The file configuring the build at ``base`` and its selector, or None (not a project)."""
    text = read(base / "pyproject.toml")
    data: dict[str, Any] = {}
    if text is not None and len(text) <= MAX_CONFIG_BYTES:
        try:
            data = parse_toml(text)
        except (tomllib.TOMLDecodeError, RecursionError):
            data = {}  # a broken file selects nothing the tool can read
    build = _table(data.get("build-system")).get("build-backend")
    tool = _table(data.get("tool"))
    project = _table(data.get("project"))
    setup_py = read(base / "setup.py")
    setup_cfg = read(base / "setup.cfg")
    backend = build.strip() if isinstance(build, str) else ""
    if backend.startswith("hatchling"):
        return "pyproject.toml", _hatch(
            base, project, _table(_table(tool.get("hatch")).get("build"))
        )
    if backend.startswith("poetry"):
        return "pyproject.toml", _poetry(_table(tool.get("poetry")))
    if backend.startswith("flit"):
        return "pyproject.toml", _flit(base, project, _table(tool.get("flit")))
    if backend.startswith("uv_build"):
        return "pyproject.toml", _uv(project, _table(_table(tool.get("uv")).get("build-backend")))
    if backend.startswith("pdm"):
        return "pyproject.toml", _pdm(_table(_table(tool.get("pdm")).get("build")))
    if backend.startswith("setuptools") or (
        not backend and ("project" in data or setup_py is not None or setup_cfg is not None)
    ):
        return _setuptools(_table(tool.get("setuptools")), setup_py, setup_cfg)
    if backend or "project" in data or "poetry" in tool:
        return "pyproject.toml", _unread  # a backend whose selection is not read
    return None


# hatchling ------------------------------------------------------------------------------------


def _hatch(base: Path, project: dict[str, Any], build: dict[str, Any]) -> Selector:
    """Hatchling's file selection of the wheel and of the sdist (hatch.pypa.io/latest/config/build).

    A target's ``include``, ``exclude``, ``packages`` and ``only-include`` replace the global
    ones. With ``only-include`` (or ``packages``) only those paths are walked and ``include``
    is not applied; else ``include`` selects (``packages`` counted as patterns); ``exclude``
    always removes. A wheel with no selection at all takes the package named after the project
    (hatch's heuristics); the sdist takes every file.
    """
    targets = _table(build.get("targets"))

    def select(path: str) -> Selection | None:
        for target in ("wheel", "sdist"):
            selection = _hatch_target(
                base, project, build, target, _table(targets.get(target)), path
            )
            if selection is None or not selection.shipped:
                return selection
        return Selection(True, "")

    return select


def _hatch_target(
    base: Path,
    project: dict[str, Any],
    build: dict[str, Any],
    target: str,
    config: dict[str, Any],
    path: str,
) -> Selection | None:
    def option(key: str) -> tuple[list[str], str]:
        where = f"[tool.hatch.build.targets.{target}]" if key in config else "[tool.hatch.build]"
        value = config[key] if key in config else build.get(key)
        return _strings(value), f"{where} {key}"

    if _table(config.get("force-include")) or _table(build.get("force-include")):
        return None  # paths mapped anywhere in the wheel: not followed
    packages, packages_setting = option("packages")
    only, only_setting = option("only-include")
    include, include_setting = option("include")
    exclude, exclude_setting = option("exclude")
    if not (packages or only or include) and target == "wheel":
        default = _hatch_default(base, project)
        if default is None:
            return None  # hatch refuses to build, or builds what plugins say
        only, only_setting = [default], f"[tool.hatch.build.targets.{target}] packages"
    if only or packages:
        roots, setting = (only, only_setting) if only else (packages, packages_setting)
        if not any(_under(path, _relative(item)) for item in roots):
            return Selection(False, setting, target)
    elif include:
        spec = _gitignore([*include, *(f"/{_relative(item)}/" for item in packages)])
        if spec is None or not spec.match_file(path):
            return Selection(False, include_setting, target)
    if exclude:
        spec = _gitignore(exclude)
        if spec is not None and spec.match_file(path):
            return _excluded(path, exclude_setting, target)
    return Selection(True, "")


def _hatch_default(base: Path, project: dict[str, Any]) -> str | None:
    """The package hatch's wheel takes when nothing is selected, or None (it finds none)."""
    name = project.get("name")
    if not isinstance(name, str):
        return None
    module = re.sub(r"[-_.]+", "_", name).lower()
    for candidate in (module, f"src/{module}"):
        if (base / candidate / "__init__.py").is_file():
            return candidate
    if (base / f"{module}.py").is_file():
        return f"{module}.py"
    return None


# setuptools -----------------------------------------------------------------------------------


def _setuptools(
    tool: dict[str, Any], setup_py: str | None, setup_cfg: str | None
) -> tuple[str, Selector]:
    """Setuptools' packages (setuptools.pypa.io/en/latest/userguide/package_discovery.html).

    Only an explicit selection is read: a ``packages`` list (a package's subpackages are not
    in it unless listed), ``packages.find``/``find:``/``find_packages()`` with ``where``,
    ``include`` and ``exclude`` (``fnmatch`` on dotted names: ``app*`` takes ``app.analytics``,
    ``app`` alone does not), and ``py-modules``. Automatic discovery takes every package.
    """
    if "packages" in tool or "py-modules" in tool:
        return "pyproject.toml", _setuptools_selector(
            tool.get("packages"),
            tool.get("py-modules"),
            _table(tool.get("package-dir")),
            "[tool.setuptools]",
        )
    if setup_cfg is not None and len(setup_cfg) <= MAX_CONFIG_BYTES:
        options = _setup_cfg_options(setup_cfg)
        if options is not None and ("packages" in options[0] or "py_modules" in options[0]):
            return "setup.cfg", _setuptools_selector(
                options[1], options[2], options[3], "[options]"
            )
    if setup_py is not None and len(setup_py) <= MAX_CONFIG_BYTES:
        arguments = _setup_py_arguments(setup_py)
        if arguments is not None:
            packages, modules, package_dir = arguments
            return "setup.py", _setuptools_selector(packages, modules, package_dir, "setup()")
    return "pyproject.toml", _unread


def _setuptools_selector(
    packages: object,
    modules: object,
    package_dir: dict[str, Any],
    where: str,
) -> Selector:
    modules_setting = f"{where} {'py_modules' if where != '[tool.setuptools]' else 'py-modules'}"
    packages_setting = f"{where} packages"
    listed_modules = set(_strings(modules))
    finder = _table(_table(packages).get("find")) if isinstance(packages, dict) else None
    if isinstance(packages, _Find):
        finder = packages.options
    listed = set(_strings(packages))
    if finder is None and packages is not None and not isinstance(packages, list):
        return _unread  # a computed list
    if set(package_dir) - {""} or not isinstance(package_dir.get("", ""), str):
        return _unread  # packages mapped one by one: not followed
    root = str(package_dir.get("", ""))

    def dotted(path: str, under: str) -> str | None:
        folder = PurePosixPath(path).parent
        start = PurePosixPath(_relative(under)) if _relative(under) else PurePosixPath()
        if start.parts and not folder.is_relative_to(start):
            return None
        return ".".join(folder.relative_to(start).parts) if start.parts else ".".join(folder.parts)

    def select(path: str) -> Selection | None:
        if not path.endswith(".py"):
            return None
        if finder is not None:
            for under in _strings(finder.get("where")) or ["."]:
                name = dotted(path, under)
                if name:
                    include = _strings(finder.get("include")) or ["*"]
                    exclude = _strings(finder.get("exclude"))
                    shipped = any(fnmatchcase(name, p) for p in include) and not any(
                        fnmatchcase(name, p) for p in exclude
                    )
                    setting = f"{packages_setting} find include"
                    return Selection(shipped, setting, fix=f'add "{name}" to {setting}')
            return Selection(False, f"{packages_setting} find where")
        name = dotted(path, root)
        if name is None:
            return None
        if name == "":
            module = PurePosixPath(path).stem
            return Selection(module in listed_modules, modules_setting)
        return Selection(
            name in listed, packages_setting, fix=f'add "{name}" to {packages_setting}'
        )

    return select


class _Find(NamedTuple):
    """A ``find:``/``find_packages()`` selection of ``setup.cfg`` or ``setup.py``."""

    options: dict[str, Any]


def _setup_cfg_options(
    text: str,
) -> tuple[set[str], object, list[str], dict[str, Any]] | None:
    """``[options]`` keys, ``packages``, ``py_modules`` and ``package_dir`` of a setup.cfg."""
    # Imported here: most projects have no setup.cfg, and every --check reads the packaging.
    import configparser

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    if not parser.has_section("options"):
        return None
    options = {key.replace("-", "_"): value for key, value in parser["options"].items()}

    def lines(value: str) -> list[str]:
        return [item.strip() for item in re.split(r"[,\n]", value) if item.strip()]

    packages: object = None
    value = options.get("packages", "").strip()
    if value in ("find:", "find_namespace:"):
        find: dict[str, Any] = {}
        if parser.has_section("options.packages.find"):
            section = parser["options.packages.find"]
            find = {
                key: lines(section[key])
                for key in ("where", "include", "exclude")
                if key in section
            }
        packages = _Find(find)
    elif value:
        packages = lines(value)
    package_dir: dict[str, Any] = {}
    for item in lines(options.get("package_dir", "")):
        key, _, folder = item.partition("=")
        package_dir[key.strip()] = folder.strip()
    return set(options), packages, lines(options.get("py_modules", "")), package_dir


def _setup_py_arguments(text: str) -> tuple[object, object, dict[str, Any]] | None:
    """``packages``, ``py_modules`` and ``package_dir`` a ``setup()`` call passes literally."""
    try:
        tree = ast.parse(text)
    except PARSE_ERRORS:
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        keywords = {keyword.arg: keyword.value for keyword in node.keywords}
        if "packages" not in keywords and "py_modules" not in keywords:
            continue
        if None in keywords:
            return None  # **options may carry anything
        packages = _setup_py_packages(keywords.get("packages"))
        try:
            modules = ast.literal_eval(keywords["py_modules"]) if "py_modules" in keywords else []
            folders = ast.literal_eval(keywords["package_dir"]) if "package_dir" in keywords else {}
        except ValueError:
            return None
        if packages is None or not isinstance(folders, dict):
            return None
        return packages, modules, folders
    return None


def _setup_py_packages(node: ast.expr | None) -> object:
    """A literal list, a ``find_packages(...)`` with literal arguments, or None (unknown)."""
    if node is None:
        return []
    if isinstance(node, ast.Call):
        name = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        if name not in ("find_packages", "find_namespace_packages"):
            return None
        options: dict[str, Any] = {}
        arguments = dict(zip(("where", "exclude", "include"), node.args, strict=False))
        arguments.update({keyword.arg: keyword.value for keyword in node.keywords if keyword.arg})
        try:
            for key, value in arguments.items():
                literal = ast.literal_eval(value)
                options[key] = [literal] if isinstance(literal, str) else list(literal)
        except (ValueError, TypeError):
            return None
        return _Find(options)
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return None
    return value if isinstance(value, list) else None


# Poetry, flit, uv, pdm ------------------------------------------------------------------------


def _poetry(poetry: dict[str, Any]) -> Selector:
    """Poetry's ``packages`` (python-poetry.org/docs/pyproject/#packages).

    Each ``include`` is a glob from its ``from`` folder, a matched folder taken whole;
    ``exclude`` removes. No ``packages``: Poetry's default, not read.
    """
    listed = poetry.get("packages")
    entries = [
        entry
        for entry in (listed if isinstance(listed, list) else [])
        if isinstance(entry, dict) and isinstance(entry.get("include"), str)
    ]
    exclude = _strings(poetry.get("exclude"))

    def select(path: str) -> Selection | None:
        if not entries or poetry.get("package-mode") is False:
            return None
        taken = False
        for entry in entries:
            formats = entry.get("format")
            if formats is not None and "wheel" not in (
                [formats] if isinstance(formats, str) else _strings(formats)
            ):
                continue
            start = _relative(entry["from"]) if isinstance(entry.get("from"), str) else ""
            pattern = f"{start}/{entry['include']}" if start else entry["include"]
            taken = taken or _glob_covers(_relative(pattern), path)
        if not taken:
            return Selection(False, "[tool.poetry] packages")
        if any(_glob_covers(_relative(item), path) for item in exclude):
            return _excluded(path, "[tool.poetry] exclude")
        return Selection(True, "")

    return select


def _flit(base: Path, project: dict[str, Any], flit: dict[str, Any]) -> Selector:
    """Flit's one module (flit.pypa.io/en/stable/pyproject_toml.html#module-section).

    The package or ``.py`` named ``[tool.flit.module] name`` (else the project's), in ``src/``
    or at the top.
    """
    name = _table(flit.get("module")).get("name", project.get("name"))

    def select(path: str) -> Selection | None:
        if not isinstance(name, str):
            return None
        module = name.replace("-", "_").replace(".", "/")
        for start in ("", "src/"):
            for shipped in (f"{start}{module}", f"{start}{module}.py"):
                if (base / shipped).exists():
                    fix = f"the wheel holds {shipped} alone ([tool.flit.module] name)"
                    return Selection(_under(path, shipped), "[tool.flit.module] name", fix=fix)
        return None

    return select


def _uv(project: dict[str, Any], config: dict[str, Any]) -> Selector:
    """The uv build backend's modules (docs.astral.sh/uv/concepts/build-backend).

    The module(s) ``module-name`` (else the project's name) under ``module-root`` (``src`` by
    default).
    """
    root = config.get("module-root", "src")
    names = config.get("module-name", project.get("name"))
    modules = [names] if isinstance(names, str) else _strings(names)

    def select(path: str) -> Selection | None:
        if not isinstance(root, str) or not modules:
            return None
        folders = [
            "/".join(part for part in (_relative(root), name.replace(".", "/")) if part)
            for name in (
                m if "module-name" in config else m.replace("-", "_").lower() for m in modules
            )
        ]
        shipped = any(_under(path, folder) or path == f"{folder}.py" for folder in folders)
        setting = "[tool.uv.build-backend] module-name"
        fix = f"the wheel holds {', '.join(folders)} alone ({setting})"
        return Selection(shipped, setting, fix=fix)

    return select


def _pdm(config: dict[str, Any]) -> Selector:
    """The pdm-backend's ``includes``/``excludes`` (backend.pdm-project.org/build_config).

    Only an explicit ``includes`` is read, globs from the project's folder.
    """
    includes = _strings(config.get("includes"))
    excludes = _strings(config.get("excludes"))

    def select(path: str) -> Selection | None:
        if not includes:
            return None
        if not any(_glob_covers(_relative(item), path) for item in includes):
            return Selection(False, "[tool.pdm.build] includes")
        if any(_glob_covers(_relative(item), path) for item in excludes):
            return _excluded(path, "[tool.pdm.build] excludes")
        return Selection(True, "")

    return select


# helpers --------------------------------------------------------------------------------------


def _excluded(path: str, setting: str, target: str = "wheel") -> Selection:
    """``path`` left out of the build by a pattern of the exclusion ``setting``."""
    fix = f"take the pattern matching {PurePosixPath(path).parent} out of {setting}"
    return Selection(False, setting, target, fix)


def _glob_covers(pattern: str, path: str) -> bool:
    """Whether a glob matches ``path`` or a folder holding it (``**``: any folders)."""
    want = PurePosixPath(pattern).parts
    have = PurePosixPath(path).parts

    def match(i: int, j: int) -> bool:
        if i == len(want):
            return True  # the pattern matched this file or a folder above it
        if want[i] == "**":
            return any(match(i + 1, k) for k in range(j, len(have) + 1))
        return j < len(have) and fnmatchcase(have[j], want[i]) and match(i + 1, j + 1)

    return bool(want) and match(0, 0)


def _gitignore(patterns: Iterable[str]) -> "GitIgnoreSpec | None":
    # Imported here: only hatch's include/exclude patterns need it.
    from pathspec import GitIgnoreSpec

    try:
        return GitIgnoreSpec.from_lines(list(patterns))
    except ValueError:
        return None  # hatch refuses a pattern pathspec cannot read


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _relative(path: str) -> str:
    """A configured path as POSIX relative to the project (``./app/`` is ``app``)."""
    parts = [
        part for part in PurePosixPath(path.replace("\\", "/")).parts if part not in (".", "/")
    ]
    return "/".join(parts)


def _table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
