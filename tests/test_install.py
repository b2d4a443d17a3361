"""The tool is installable like a real one: wheel and sdist carry the templates, and the wheel,
installed into a fresh virtual environment outside the repository, runs and renders the same files.

Also checks the pre-commit hook this repository offers.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import jinja2
import pytest
import yaml
from jinja2 import ModuleLoader

from telemetry_cli import __version__
from telemetry_cli.plan import load_plan
from telemetry_cli.render import render_outputs
from telemetry_cli.templating import COMPILED_DIR, COMPILED_MARKER
from tests.cli_support import REPO, copy_bundled_project, run, snapshot

DISTRIBUTION = "telemetry-scaffold"
TEMPLATES = sorted(
    path.relative_to(REPO / "templates").as_posix()
    for path in (REPO / "templates").rglob("*.jinja")
)


def _call(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _clean_environment() -> dict[str, str]:
    # Nothing may lead the new interpreter back to the repository or to the dev environment.
    drop = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH")
    return {k: v for k, v in os.environ.items() if k not in drop}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    # No build isolation and no index: hatchling comes from this environment, so it works offline.
    _call(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            "-w",
            str(folder),
            str(REPO),
        ],
        cwd=folder,
    )
    (built,) = folder.glob("telemetry_scaffold-*.whl")
    return built


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sdist")
    # hatchling reads pyproject.toml from the current folder; -d keeps its output out of the repo.
    _call([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(folder)], cwd=REPO)
    (built,) = folder.glob("telemetry_scaffold-*.tar.gz")
    return built


@pytest.mark.slow
def test_wheel_carries_the_templates_and_the_console_script(wheel: Path) -> None:
    assert wheel.name == f"telemetry_scaffold-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(
            f"telemetry_scaffold-{__version__}.dist-info/entry_points.txt"
        ).decode()
    assert "telemetry_cli/templates/analytics/event_logger.py.jinja" in names
    missing = [t for t in TEMPLATES if f"telemetry_cli/templates/{t}" not in names]
    assert missing == []
    assert "telemetry_cli/py.typed" in names
    assert not [n for n in names if n.startswith(("tests/", "backend/", "specs/", "templates/"))]
    assert re.search(r"^telemetry-scaffold = telemetry_cli:main$", entry_points, re.M)


@pytest.mark.slow
def test_wheel_carries_the_templates_compiled(wheel: Path) -> None:
    folder = f"telemetry_cli/{COMPILED_DIR}/"
    with zipfile.ZipFile(wheel) as archive:
        modules = sorted(n for n in archive.namelist() if n.startswith(folder + "tmpl_"))
        marker = archive.read(folder + COMPILED_MARKER).decode()
    # One module per template (outputs and partials), named as jinja2.ModuleLoader looks them up.
    expected = sorted(folder + ModuleLoader.get_module_filename(name) for name in TEMPLATES)
    assert modules == expected
    assert marker == f"{jinja2.__version__}\n"


@pytest.mark.slow
def test_sdist_carries_the_templates_and_the_sources(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
    prefix = f"telemetry_scaffold-{__version__}/"
    assert all(name.startswith(prefix) for name in names), names
    relative = {name[len(prefix) :] for name in names}
    assert "templates/analytics/event_logger.py.jinja" in relative
    assert [t for t in TEMPLATES if f"templates/{t}" not in relative] == []
    sources = {p.relative_to(REPO).as_posix() for p in (REPO / "telemetry_cli").glob("*.py")}
    assert sources <= relative
    assert {"pyproject.toml", "README.md", "PKG-INFO"} <= relative
    assert not [n for n in relative if n.startswith((".venv/", "tests/", ".git/"))]


def _dependency_closure(distribution: str) -> list[importlib.metadata.Distribution]:
    """The installed distributions ``distribution`` needs at run time (no extras), recursively."""
    seen: dict[str, importlib.metadata.Distribution] = {}
    pending = [distribution]
    while pending:
        requirement = pending.pop()
        for line in importlib.metadata.requires(requirement) or []:
            if re.search(r"\bextra\s*==", line):
                continue  # optional extras are not needed to run the tool
            match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
            assert match is not None, line
            name = re.sub(r"[-_.]+", "-", match.group(0)).lower()
            if name in seen:
                continue
            try:
                seen[name] = importlib.metadata.distribution(name)
            except importlib.metadata.PackageNotFoundError:
                continue  # a marker excluded it here (another platform or Python)
            pending.append(name)
    return list(seen.values())


def _link_dependencies(target: Path) -> None:
    """Make exactly the declared dependencies importable in ``target`` (a folder on sys.path)."""
    target.mkdir()
    for dist in _dependency_closure(DISTRIBUTION):
        site = Path(str(dist.locate_file("")))
        for file in dist.files or []:
            top = file.parts[0]
            link = target / top
            if top in ("..", "__pycache__") or link.exists() or link.is_symlink():
                continue  # scripts outside site-packages, or already linked
            source = site / top
            if source.exists():
                link.symlink_to(source, target_is_directory=source.is_dir())


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment (outside the repository) with the wheel installed.

    Tests run offline, so its dependencies cannot come from PyPI, and the base interpreter does
    not have them either (``--system-site-packages`` would not help). Instead the venv is
    created without system site packages, the wheel is installed with ``--no-deps --no-index``
    by this environment's pip (``pip --python``), and a ``.pth`` file exposes a folder of links
    to exactly the distributions the wheel declares (typer, rich, jinja2, libcst and what they
    require), resolved from their metadata here. So an undeclared import would fail, and
    ``telemetry_cli`` can only come from the installed wheel.
    """
    base = tmp_path_factory.mktemp("installed")
    venv = base / "venv"
    _call([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=base)
    python = venv / "bin" / "python"
    _call(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        cwd=base,
    )
    site = Path(
        _call(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            cwd=base,
            env=_clean_environment(),
        ).strip()
    )
    deps = base / "deps"
    _link_dependencies(deps)
    (site / "telemetry_scaffold_test_deps.pth").write_text(f"{deps}\n")
    return venv


@pytest.mark.slow
def test_installed_package_comes_from_the_new_environment(installed: Path, tmp_path: Path) -> None:
    code = (
        "import telemetry_cli, telemetry_cli.render as r; "
        "print(telemetry_cli.__file__); print(r.template_dir())"
    )
    out = _call([str(installed / "bin" / "python"), "-c", code], tmp_path, _clean_environment())
    module_file, templates = (Path(line) for line in out.splitlines())
    assert installed in module_file.parents, module_file
    assert REPO not in module_file.parents
    assert installed in templates.parents and (templates / "analytics").is_dir(), templates


@pytest.mark.slow
def test_installed_tool_runs_the_compiled_templates_and_caches_nothing(
    installed: Path, tmp_path: Path
) -> None:
    code = "import telemetry_cli.render as r; print(type(r._environment().loader).__name__)"
    python = str(installed / "bin" / "python")
    assert _call([python, "-c", code], tmp_path, _clean_environment()) == "ModuleLoader\n"
    # No per-user cache: nothing is read from or written to the home or cache folders.
    home, cache = tmp_path / "home", tmp_path / "cache"
    home.mkdir()
    cache.mkdir()
    env = {**_clean_environment(), "HOME": str(home), "XDG_CACHE_HOME": str(cache)}
    project = copy_bundled_project(tmp_path / "project")
    tool = str(installed / "bin" / "telemetry-scaffold")
    _call([tool, "generate", "--check", "--root", str(project)], tmp_path, env)
    assert list(home.iterdir()) == [] and list(cache.iterdir()) == []


@pytest.mark.slow
def test_installed_check_of_an_up_to_date_project_imports_no_jinja(
    installed: Path, tmp_path: Path
) -> None:
    # Every output is as this version wrote it, so nothing is rendered and Jinja (a tenth of
    # the command's time) is never imported; a hand edit makes it render, and fail, again.
    project = copy_bundled_project(tmp_path / "project")
    code = (
        "import sys; from telemetry_cli.cli import main\n"
        "try:\n    main(['generate', '--check', '--root', sys.argv[1]])\n"
        "except SystemExit as exit:\n"
        "    print(exit.code, 'jinja2' in sys.modules)\n"
    )
    python = str(installed / "bin" / "python")
    env = _clean_environment()
    assert _call([python, "-c", code, str(project)], tmp_path, env).endswith("0 False\n")
    logger = project / "backend" / "app" / "analytics" / "event_logger.py"
    logger.write_text(logger.read_text() + "# edited\n")
    assert _call([python, "-c", code, str(project)], tmp_path, env).endswith("1 True\n")


@pytest.mark.slow
def test_installed_console_script_version(installed: Path, tmp_path: Path) -> None:
    out = _call(
        [str(installed / "bin" / "telemetry-scaffold"), "--version"], tmp_path, _clean_environment()
    )
    assert out == f"telemetry-scaffold {__version__}\n"


@pytest.mark.slow
def test_installed_tool_regenerates_the_bundled_project(installed: Path, tmp_path: Path) -> None:
    project = copy_bundled_project(tmp_path / "project")
    plan = load_plan(root=project)
    generated = [output.path for output in render_outputs(plan)]
    patched = [plan.main_path, *(plan.module_path(module) for module, _ in plan.instrument)]
    for path in generated:
        (project / path).unlink(missing_ok=True)
    # The same tree, regenerated in-process from the source checkout, for comparison.
    twin = tmp_path / "twin"
    shutil.copytree(project, twin)

    tool = str(installed / "bin" / "telemetry-scaffold")
    out = _call([tool, "generate", "--root", str(project)], tmp_path, _clean_environment())
    assert "Done:" in out
    _call([tool, "generate", "--check", "--root", str(project)], tmp_path, _clean_environment())
    assert run("generate", "--root", str(twin)).exit_code == 0
    assert snapshot(project) == snapshot(twin), "the wheel renders differently from the checkout"

    for path in [*generated, *patched]:
        assert (project / path).read_bytes() == (REPO / path).read_bytes(), path


def test_pre_commit_hook_runs_the_check() -> None:
    hooks_file = REPO / ".pre-commit-hooks.yaml"
    assert hooks_file.is_file(), "the lead adds .pre-commit-hooks.yaml at the repository root"
    hooks = yaml.safe_load(hooks_file.read_text())
    assert isinstance(hooks, list)
    (hook,) = [h for h in hooks if h.get("id") == "telemetry-scaffold-check"]
    assert hook["entry"] == "telemetry-scaffold generate --check"
    # pre-commit installs this repository as a Python package, which provides the command.
    assert hook["language"] == "python"
    assert hook.get("pass_filenames") is False
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert hook["entry"].split()[0] in scripts


# --- pip install . and pipx install . from a clean clone, offline ---------------------------------


def _repack(dist: importlib.metadata.Distribution, folder: Path) -> Path:
    """Zip an installed distribution back into a wheel (its files and its own dist-info)."""
    site = Path(str(dist.locate_file("")))
    tags = [
        line.split(":", 1)[1].strip()
        for line in (dist.read_text("WHEEL") or "").splitlines()
        if line.startswith("Tag:")
    ]
    parts = [tag.split("-") for tag in tags] or [["py3", "none", "any"]]
    # Several Tag lines compress into one filename tag: py.py-abi.abi-plat.plat.
    tag = "-".join(".".join(dict.fromkeys(part[i] for part in parts)) for i in range(3))
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"]).lower()
    wheel = folder / f"{name}-{dist.version}-{tag}.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for file in dist.files or []:
            source = site / file
            if file.parts[0] != ".." and "__pycache__" not in file.parts and source.is_file():
                archive.write(source, file.as_posix())
    return wheel


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local index of the tool's run-time and build dependencies, made from this environment.

    Tests run offline, so `pip install` and `pipx install` get everything with `--no-index
    --find-links` from here: the installed distributions, zipped back into wheels, and the build
    backend the pyproject names (hatchling) with its own dependencies.
    """
    folder = tmp_path_factory.mktemp("wheelhouse")
    build_requires = tomllib.loads((REPO / "pyproject.toml").read_text())["build-system"]
    names = {
        re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]
        for requirement in build_requires["requires"]
    }
    distributions = _dependency_closure(DISTRIBUTION)
    for name in names:
        distributions.append(importlib.metadata.distribution(name))
        distributions.extend(_dependency_closure(name))
    for dist in {d.metadata["Name"].lower(): d for d in distributions}.values():
        _repack(dist, folder)
    return folder


@pytest.fixture(scope="module")
def clean_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files git tracks, as a fresh clone would have them (no venv, caches or build output)."""
    target = tmp_path_factory.mktemp("clone") / "telemetry-scaffold"
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, tracked):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _check_installed_tool(tool: Path, tmp_path: Path) -> None:
    env = _clean_environment()
    assert _call([str(tool), "--version"], tmp_path, env) == f"telemetry-scaffold {__version__}\n"
    project = copy_bundled_project(tmp_path / "project")
    (project / "backend/app/analytics/event_logger.py").unlink()
    _call([str(tool), "generate", "--root", str(project)], tmp_path, env)
    _call([str(tool), "generate", "--check", "--root", str(project)], tmp_path, env)
    assert (project / "backend/app/analytics/event_logger.py").read_bytes() == (
        REPO / "backend/app/analytics/event_logger.py"
    ).read_bytes()


@pytest.mark.slow
def test_pip_install_from_a_clean_clone(
    clean_clone: Path, wheelhouse: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    _call([sys.executable, "-m", "venv", str(venv)], tmp_path, _clean_environment())
    _call(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-index",
            "--find-links",
            str(wheelhouse),
            str(clean_clone),
        ],
        tmp_path,
        _clean_environment(),
    )
    _check_installed_tool(venv / "bin" / "telemetry-scaffold", tmp_path)


@pytest.mark.slow
def test_pipx_install_from_a_clean_clone(
    clean_clone: Path, wheelhouse: Path, tmp_path: Path
) -> None:
    pipx = Path(sys.executable).parent / "pipx"
    if not pipx.exists():
        pytest.fail("pipx is not installed; pip install -e '.[dev]'")
    env = {
        **_clean_environment(),
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
        # pipx refreshes its shared pip from the index once a month; offline, it must not try.
        "PIPX_DISABLE_SHARED_LIBS_AUTO_UPGRADE": "1",
    }
    _call(
        [
            str(pipx),
            "install",
            "--pip-args",
            f"--no-index --find-links {wheelhouse}",
            str(clean_clone),
        ],
        tmp_path,
        env,
    )
    _check_installed_tool(tmp_path / "bin" / "telemetry-scaffold", tmp_path)
