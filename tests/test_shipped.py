"""The note on a build that ships the app but leaves the generated layer out of the wheel.

Each case is a packaging seen in public backends (litexplore's hatch ``include`` of
``litexplore/*.py``, setuptools ``packages = ["app"]`` lists, ``find`` with ``include =
["app"]``); where the build backend is installed, the verdict is checked against a wheel it
really builds.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from telemetry_cli.shipped import unshipped_layer_note
from tests.cli_support import run

LAYER = ["app/analytics/__init__.py", "app/analytics/event_logger.py"]
MAIN = (
    "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/x')\n"
    "def x() -> int:\n    return 1\n"
)
HATCH = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
SETUPTOOLS = (
    '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
)
PROJECT = '[project]\nname = "{name}"\nversion = "1.0"\n\n'


def project(root: Path, pyproject: str, *, name: str = "service", **files: str) -> Path:
    """``app/`` with ``main.py`` and the generated layer, and the given packaging files."""
    (root / "app" / "analytics").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "main.py").write_text(MAIN)
    for path in LAYER:
        (root / path).write_text("")
    (root / "pyproject.toml").write_text(pyproject.replace("{name}", name))
    for file_name, text in files.items():
        (root / file_name.replace("_", ".")).write_text(text)
    return root


def note(root: Path, importer: str = "app/main.py") -> str | None:
    return unshipped_layer_note(root, ".", "app/analytics", LAYER, [importer])


# (pyproject.toml, other files, the setting named or None when the layer is shipped)
CASES = {
    "hatch-include-flat": (
        HATCH + PROJECT + '[tool.hatch.build]\ninclude = ["app/*.py", "app/static/*.css"]\n',
        {},
        "[tool.hatch.build] include",
    ),
    "hatch-include-recursive": (
        HATCH + PROJECT + '[tool.hatch.build]\ninclude = ["app/**/*.py"]\n',
        {},
        None,
    ),
    "hatch-packages-beats-include": (
        # litexplore: the wheel target's packages walks the folder; include is not applied.
        HATCH
        + PROJECT
        + '[tool.hatch.build.targets.wheel]\npackages = ["app"]\n\n'
        + '[tool.hatch.build.targets.sdist]\npackages = ["app"]\n\n'
        + '[tool.hatch.build]\ninclude = ["app/*.py"]\n',
        {},
        None,
    ),
    "hatch-sdist-include": (
        # The same with no sdist packages: the sdist (and so the wheel made from it) lacks it.
        HATCH
        + PROJECT
        + '[tool.hatch.build.targets.wheel]\npackages = ["app"]\n\n'
        + '[tool.hatch.build]\ninclude = ["app/*.py"]\n',
        {},
        "[tool.hatch.build] include",
    ),
    "hatch-only-include-files": (
        HATCH
        + PROJECT
        + '[tool.hatch.build.targets.wheel]\nonly-include = ["app/__init__.py", "app/main.py"]\n',
        {},
        "[tool.hatch.build.targets.wheel] only-include",
    ),
    "hatch-exclude": (
        HATCH
        + PROJECT
        + '[tool.hatch.build.targets.wheel]\npackages = ["app"]\nexclude = ["analytics/"]\n',
        {},
        "[tool.hatch.build.targets.wheel] exclude",
    ),
    "hatch-default-package": (HATCH + PROJECT, {}, None),
    "setuptools-list": (
        SETUPTOOLS + PROJECT + '[tool.setuptools]\npackages = ["app"]\n',
        {},
        "[tool.setuptools] packages",
    ),
    "setuptools-list-with-layer": (
        SETUPTOOLS + PROJECT + '[tool.setuptools]\npackages = ["app", "app.analytics"]\n',
        {},
        None,
    ),
    "setuptools-find-exact": (
        SETUPTOOLS + PROJECT + '[tool.setuptools.packages.find]\ninclude = ["app"]\n',
        {},
        "[tool.setuptools] packages find include",
    ),
    "setuptools-find-star": (
        SETUPTOOLS + PROJECT + '[tool.setuptools.packages.find]\ninclude = ["app*"]\n',
        {},
        None,
    ),
    "setup-cfg-list": (
        SETUPTOOLS + PROJECT,
        {"setup_cfg": "[options]\npackages =\n    app\n"},
        "[options] packages",
    ),
    "setup-py-find": (
        SETUPTOOLS + PROJECT,
        {
            "setup_py": "from setuptools import find_packages, setup\n\n"
            'setup(packages=find_packages(include=["app"]))\n'
        },
        "setup() packages find include",
    ),
    "setuptools-discovery": (SETUPTOOLS + PROJECT, {}, None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_setting_leaving_the_layer_out_is_named(tmp_path: Path, case: str) -> None:
    pyproject, files, setting = CASES[case]
    name = "app" if case == "hatch-default-package" else "service"
    found = note(project(tmp_path, pyproject, name=name, **files))
    if setting is None:
        assert found is None
    else:
        added = '"app.analytics"' if "packages" in setting else '"app/analytics"'
        fix = (
            f"take the pattern matching app/analytics out of {setting}"
            if setting.endswith("exclude")
            else f"add {added} to {setting}"
        )
        config = {"[options]": "setup.cfg", "setup()": "setup.py"}.get(
            setting.partition(" ")[0], "pyproject.toml"
        )
        built = (
            "the sdist (`python -m build` makes the wheel from it)"
            if case == "hatch-sdist-include"
            else "the wheel"
        )
        assert found == (
            f"{config} builds {built} with app/main.py but without the generated app/analytics/: "
            f"installed from it, the app fails at start-up with ModuleNotFoundError; {fix}"
        )


def _built_files(root: Path, backend: str) -> list[str]:
    """The files of the wheel the real build backend makes from its sdist, as ``python -m
    build`` does, built offline in a subprocess. setuptools builds no wheel without the
    ``wheel`` package: its sdist's files then (its wheel takes the same modules)."""
    wheel = backend != "setuptools.build_meta" or importlib.util.find_spec("wheel") is not None
    code = (
        "import os, sys, tarfile, zipfile\n"
        f"from {backend} import build_sdist\n"
        "sdist = os.path.join(sys.argv[1], build_sdist(sys.argv[1]))\n"
        "with tarfile.open(sdist) as archive:\n"
        "    top = archive.getnames()[0].split('/')[0]\n"
        "    archive.extractall(sys.argv[1], filter='data')\n"
        "    names = [name.partition('/')[2] for name in archive.getnames()]\n"
        f"if {wheel}:\n"
        "    os.chdir(os.path.join(sys.argv[1], top))\n"
        f"    from {backend} import build_wheel\n"
        "    built = os.path.join(sys.argv[1], build_wheel(sys.argv[1]))\n"
        "    names = zipfile.ZipFile(built).namelist()\n"
        "print('\\n'.join(['---', *names]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(root / "dist")],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.rpartition("---\n")[2].splitlines()


@pytest.mark.parametrize("case", list(CASES))
def test_the_verdict_is_the_build_backends(tmp_path: Path, case: str) -> None:
    pyproject, files, setting = CASES[case]
    backend = "hatchling.build" if pyproject.startswith(HATCH) else "setuptools.build_meta"
    if importlib.util.find_spec(backend.partition(".")[0]) is None:
        pytest.skip(f"{backend} is not installed")
    name = "app" if case == "hatch-default-package" else "service"
    root = project(tmp_path, pyproject, name=name, **files)
    names = _built_files(root, backend)
    assert "app/main.py" in names
    assert ("app/analytics/__init__.py" in names) is (setting is None), names


@pytest.mark.parametrize(
    ("pyproject", "shipped"),
    [
        ('[tool.poetry]\npackages = [{include = "app/*.py"}]\n', False),
        ('[tool.poetry]\npackages = [{include = "app"}]\n', True),
        ('[tool.poetry]\npackages = [{include = "app"}]\nexclude = ["app/analytics"]\n', False),
    ],
)
def test_poetry_packages(tmp_path: Path, pyproject: str, shipped: bool) -> None:
    build = '[build-system]\nbuild-backend = "poetry.core.masonry.api"\n\n'
    found = note(project(tmp_path, build + pyproject))
    assert (found is None) is shipped, found


def test_flit_and_uv_ship_one_module(tmp_path: Path) -> None:
    # flit's module is a single main.py next to the app package: the layer is not in it.
    root = project(tmp_path, '[build-system]\nbuild-backend = "flit_core.buildapi"\n\n' + PROJECT)
    (root / "service.py").write_text(MAIN)
    found = unshipped_layer_note(root, ".", "app/analytics", LAYER, ["service.py"])
    assert found is not None
    assert found.endswith("; the wheel holds service.py alone ([tool.flit.module] name)")
    uv = tmp_path / "uv"
    uv.mkdir()
    project(
        uv,
        '[build-system]\nbuild-backend = "uv_build"\n\n'
        + PROJECT
        + '[tool.uv.build-backend]\nmodule-name = "app"\nmodule-root = ""\n',
    )
    assert note(uv) is None


def test_no_note_when_the_build_leaves_the_app_out_too(tmp_path: Path) -> None:
    # The package named in the list is another one: the app runs from its folder, not the wheel.
    root = project(tmp_path, SETUPTOOLS + PROJECT + '[tool.setuptools]\npackages = ["tools"]\n')
    assert note(root) is None


def test_a_computed_or_broken_selection_gives_no_note(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        SETUPTOOLS + PROJECT,
        setup_py="from setuptools import setup\n\nsetup(packages=PACKAGES + ['app'])\n",
    )
    assert note(root) is None
    (root / "pyproject.toml").write_text("[build-system\n")
    assert note(root) is None


def test_init_and_generate_say_it(tmp_path: Path) -> None:
    root = project(tmp_path, SETUPTOOLS + PROJECT + '[tool.setuptools]\npackages = ["app"]\n')
    for path in LAYER:
        (root / path).unlink()
    (root / "app" / "analytics").rmdir()
    said = 'add "app.analytics" to [tool.setuptools] packages'

    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.count(said) == 1, result.stdout
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.count(said) == 1, result.stdout
