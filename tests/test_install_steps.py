"""The quickstart installs the backend the way the project's own files say, whatever its shape."""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path

import pytest

from telemetry_cli.install_steps import (
    FileTexts,
    InstallSteps,
    flat_layout_catches,
    flat_layout_discovery,
    install_steps,
    is_compose_file,
    pytest_config,
)
from telemetry_cli.plan import Plan
from telemetry_cli.render import render_outputs
from tests.cli_support import make_project, run

PEP621_WITH_EXTRAS = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "shop-api"
version = "1.0"
dependencies = ["pydantic>=2"]

[project.optional-dependencies]
web = ["FastAPI>=0.110", "uvicorn[standard]"]
test = ["pytest"]
"""

PEP621_PLAIN = """\
[project]
name = "shop-api"
version = "1.0"
dependencies = ["fastapi[standard]>=0.115"]
"""

POETRY = """\
[tool.poetry]
name = "shop-api"
version = "1.0"

[tool.poetry.dependencies]
python = "^3.11"
fastapi = "^0.110"
uvicorn = "^0.29"
"""

ONLY_OUR_TABLE = """\
[tool.telemetry-scaffold]
backend = "backend"
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_pep621_project_installs_itself_with_the_extras_that_name_the_server(
    tmp_path: Path,
) -> None:
    write(tmp_path, {"pyproject.toml": PEP621_WITH_EXTRAS})
    assert install_steps(tmp_path, "backend") == InstallSteps(("pip install -e '.[web]'",))


def test_pep621_project_without_extras_and_fastapi_standard_brings_uvicorn(
    tmp_path: Path,
) -> None:
    write(tmp_path, {"pyproject.toml": PEP621_PLAIN})
    assert install_steps(tmp_path, "").commands == ("pip install -e .",)


# ChimeraPy's orchestrator and orders-api: a setuptools `setup.py` lists the runtime
# dependencies, inline or through a module-level name; no requirements file beside it.
SETUP_PY_INLINE = """\
from setuptools import find_packages, setup

setup(
    name="chimerapy-orchestrator",
    packages=find_packages(),
    install_requires=["fastapi", "uvicorn", "websockets"],
)
"""

SETUP_PY_NAMED = """\
from setuptools import find_packages, setup

install_requires = [
    "alembic",
    "fastapi",
    "sqlalchemy",
]


setup(
    name="orders_api",
    install_requires=install_requires,
    packages=find_packages(where="src"),
    package_dir={"": "src"},
)
"""


@pytest.mark.parametrize(
    ("setup_py", "commands"),
    [
        (SETUP_PY_INLINE, ("pip install -e .",)),
        (SETUP_PY_NAMED, ("pip install -e .", "pip install uvicorn")),
        # Dependencies only known by running it: nothing said, as without the file.
        (SETUP_PY_INLINE.replace('["fastapi", "uvicorn", "websockets"]', "read_requires()"), ()),
        # No build script (a module of the app named so): not read.
        ('install_requires = ["fastapi"]\nsetup(install_requires=install_requires)\n', ()),
    ],
)
def test_a_setup_py_listing_its_dependencies_installs_the_project(
    tmp_path: Path, setup_py: str, commands: tuple[str, ...]
) -> None:
    write(tmp_path, {"pyproject.toml": ONLY_OUR_TABLE, "setup.py": setup_py})
    assert install_steps(tmp_path, "").commands == commands


def test_a_requirements_file_beside_a_setup_py_is_what_is_installed(tmp_path: Path) -> None:
    # The pinned environment the project keeps wins over the loose ranges of its setup.py.
    files = {"setup.py": SETUP_PY_INLINE, "requirements.txt": "fastapi==0.115.0\nuvicorn\n"}
    write(tmp_path, {"pyproject.toml": ONLY_OUR_TABLE, **files})
    assert install_steps(tmp_path, "").commands == ("pip install -r requirements.txt",)


def test_requirements_file_in_the_backend_folder_and_uvicorn_added_when_missing(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": ONLY_OUR_TABLE,
            "backend/requirements.txt": "# pinned\nfastapi==0.115.0  # web\n-r extra.txt\n",
        },
    )
    assert install_steps(tmp_path, "backend").commands == (
        "pip install -r backend/requirements.txt",
        "pip install uvicorn",
    )


@pytest.mark.parametrize(
    "line",
    [
        "git+https://example.org/uvicorn.git#egg=uvicorn",  # pip alone reads it: no name known
        "https://example.org/uvicorn-0.30.tar.gz",
        "uvicorn >= 0.30 ; python_version < '3'",  # a marker no Python 3 meets still names it
    ],
)
def test_requirements_lines_are_read_as_pep_508_says(tmp_path: Path, line: str) -> None:
    write(tmp_path, {"requirements.txt": f"fastapi\n{line}\n"})
    named = line.startswith("uvicorn")
    assert install_steps(tmp_path, ".").commands == (
        "pip install -r requirements.txt",
        *(() if named else ("pip install uvicorn",)),
    )


@pytest.mark.parametrize(
    "dockerfile", ["Dockerfile", "Dockerfile_api", "Dockerfile.prod", "api.Dockerfile"]
)
def test_requirements_file_a_dockerfile_installs(tmp_path: Path, dockerfile: str) -> None:
    """`Dockerfile_api` and other variants of the name are Dockerfiles too."""
    write(
        tmp_path,
        {
            "pyproject.toml": ONLY_OUR_TABLE,
            dockerfile: "FROM python:3.12\nRUN pip install -r requirements/prod.txt\n",
            "requirements/prod.txt": "fastapi\nuvicorn\n",
        },
    )
    assert install_steps(tmp_path, "backend").commands == ("pip install -r requirements/prod.txt",)


@pytest.mark.parametrize(
    ("copy", "install"),
    [
        # Copied to a file of the image, then installed from there (absolute or relative).
        ("COPY ./deps/prod.txt /srv/requirements.txt", "/srv/requirements.txt"),
        ("COPY deps/prod.txt ./reqs.txt", "reqs.txt"),
        ("COPY deps/prod.txt /srv/reqs.txt", "./reqs.txt"),
        # Copied into a folder of the image, under its own name.
        ("COPY deps/prod.txt /srv/", "/srv/prod.txt"),
        ("COPY deps/prod.txt .", "prod.txt"),
        # A folder copied whole.
        ("COPY deps /srv/deps", "deps/prod.txt"),
        ("COPY ./deps/ /tmp/d/", "/tmp/d/prod.txt"),
    ],
)
def test_requirements_file_a_dockerfile_copies_then_installs(
    tmp_path: Path, copy: str, install: str
) -> None:
    """The file a Dockerfile installs from the image is read where its COPY took it from."""
    write(
        tmp_path,
        {
            "pyproject.toml": ONLY_OUR_TABLE,
            "Dockerfile": f"FROM python:3.12\nWORKDIR /srv\n{copy}\nRUN pip install -r {install}\n",
            "deps/prod.txt": "fastapi\nuvicorn\n",
        },
    )
    assert install_steps(tmp_path, "backend").commands == ("pip install -r deps/prod.txt",)


def test_requirements_file_a_dockerfile_installs_but_no_copy_brings(tmp_path: Path) -> None:
    """An image's own file (no COPY brings it) names no file of the project."""
    write(
        tmp_path,
        {
            "pyproject.toml": ONLY_OUR_TABLE,
            "Dockerfile": "FROM python:3.12\nRUN pip install -r /opt/base/requirements.txt\n",
            "deps/requirements.txt": "fastapi\nuvicorn\n",
        },
    )
    assert install_steps(tmp_path, "backend").commands == ()


def test_poetry_project_in_a_backend_subfolder(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": ONLY_OUR_TABLE, "api/pyproject.toml": POETRY})
    assert install_steps(tmp_path, "api").commands == ("(cd api && poetry install)",)


@pytest.mark.parametrize(
    "fastapi",
    [
        '{ extras = ["all"], version = "^0.103" }',
        '{ version = "^0.115", extras = ["standard"] }',
        '[{ version = "^0.115", python = "<3.9" }, { version = "^0.115", extras = ["standard"] }]',
    ],
)
def test_poetry_fastapi_with_a_server_extra_brings_uvicorn(tmp_path: Path, fastapi: str) -> None:
    """Poetry writes extras in the dependency's table: `fastapi[all]` there runs the server too,
    so the quickstart asks for no `pip install uvicorn` after `poetry install`."""
    write(
        tmp_path,
        {
            "pyproject.toml": POETRY.replace(
                'fastapi = "^0.110"\nuvicorn = "^0.29"', f"fastapi = {fastapi}"
            )
        },
    )
    assert install_steps(tmp_path, ".").commands == ("poetry install",)


def test_a_lock_file_names_the_tool_that_installs_the_project(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": PEP621_WITH_EXTRAS, "uv.lock": "version = 1\n"})
    assert install_steps(tmp_path, "backend").commands == ("uv sync --active --extra web",)


def test_the_backend_folder_wins_over_the_root(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"pyproject.toml": PEP621_PLAIN, "backend/requirements.txt": "fastapi\nuvicorn\n"},
    )
    assert install_steps(tmp_path, "backend").commands == (
        "pip install -r backend/requirements.txt",
    )


def test_a_src_layout_in_a_subfolder_is_installed_by_the_project_above_it(
    tmp_path: Path,
) -> None:
    """`backend/src/shop/` with `backend/pyproject.toml`: the folders between the backend
    folder and the root are searched too, the nearest project first."""
    write(tmp_path, {"pyproject.toml": ONLY_OUR_TABLE, "backend/pyproject.toml": POETRY})
    assert install_steps(tmp_path, "backend/src").commands == ("(cd backend && poetry install)",)
    write(tmp_path, {"services/api/pyproject.toml": PEP621_PLAIN, "services/api/src/x.py": ""})
    assert install_steps(tmp_path, "services/api/src").commands == (
        "pip install -e ./services/api",
    )


def test_a_uv_workspace_member_is_synced_from_the_workspace_lock(tmp_path: Path) -> None:
    """`apps/api/` a member of the uv workspace at the root, whose `uv.lock` locks it: `uv sync`
    run in the member's folder installs it (pip cannot resolve its workspace sources)."""
    write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "mono"\n\n[tool.uv.workspace]\n'
            'members = ["apps/*", "libs/*"]\n',
            "uv.lock": "version = 1\n",
            "apps/api/pyproject.toml": PEP621_WITH_EXTRAS,
        },
    )
    assert install_steps(tmp_path, "apps/api/src").commands == (
        "(cd apps/api && uv sync --active --extra web)",
    )


def test_the_tools_own_repository_installs_the_tool(tmp_path: Path) -> None:
    text = PEP621_WITH_EXTRAS.replace('"shop-api"', '"Telemetry_Scaffold"')
    write(tmp_path, {"pyproject.toml": text})
    assert install_steps(tmp_path, "backend") == InstallSteps(("pip install -e '.[web]'",), True)


@pytest.mark.parametrize("broken", ["[project", "\xff"])
def test_no_packaging_files_or_unreadable_ones_give_no_command(tmp_path: Path, broken: str) -> None:
    write(tmp_path, {"pyproject.toml": ONLY_OUR_TABLE, "backend/pyproject.toml": broken})
    assert install_steps(tmp_path, "backend") == InstallSteps()


def quickstart(root: Path) -> str:
    plan = Plan.default(root)
    return next(f.content for f in render_outputs(plan) if f.path.endswith("/quickstart.md"))


def bash_lines(text: str) -> list[str]:
    return [
        line
        for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S)
        for line in block.splitlines()
    ]


def test_the_quickstart_shows_the_projects_own_install_commands(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": ONLY_OUR_TABLE, "backend/requirements.txt": "fastapi\n"})
    text = quickstart(tmp_path)
    assert "[backend]" not in text
    lines = bash_lines(text)
    assert "pip install -r backend/requirements.txt" in lines
    assert "pip install uvicorn" in lines
    assert "make sure `pip install -r backend/requirements.txt` and `pip install uvicorn`" in text
    # The project is not the tool: the tool is said to be installed already, in words.
    assert "The `telemetry-scaffold` command: it is installed already" in text


def test_the_quickstart_invents_no_command_when_the_project_says_none(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": ONLY_OUR_TABLE})
    text = quickstart(tmp_path)
    assert not [line for line in bash_lines(text) if line.startswith("pip install -")]
    assert "install them in it as you usually do" in text
    assert "make sure the backend's dependencies are installed" in text


def test_this_repository_installs_itself_with_its_backend_extra() -> None:
    # The bundled backend's quickstart (run by tests/test_quickstart.py) keeps its command.
    repository = Path(__file__).resolve().parent.parent
    steps = install_steps(repository, "backend")
    assert steps == InstallSteps(("pip install -e '.[backend]'",), tool=True)
    committed = (repository / "specs/059-analytics-telemetry/quickstart.md").read_text("utf-8")
    assert "\npip install -e '.[backend]'\n" in committed


def test_a_named_pipe_is_not_opened(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": ONLY_OUR_TABLE, "backend/x": ""})
    os.mkfifo(tmp_path / "backend/requirements.txt")
    os.mkfifo(tmp_path / "backend/pyproject.toml")
    assert install_steps(tmp_path, "backend") == InstallSteps()


PIPFILE = """\
[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
fastapi = "*"
uvicorn = {version = "*", extras = ["standard"]}

[dev-packages]
pytest = "*"
"""


@pytest.mark.parametrize(("lock", "command"), [(True, "pipenv sync"), (False, "pipenv install")])
def test_a_pipfile_is_installed_by_pipenv(tmp_path: Path, lock: bool, command: str) -> None:
    # Pipenv installs into the environment it runs in: the quickstart's activated one.
    files = {"pyproject.toml": ONLY_OUR_TABLE, "backend/Pipfile": PIPFILE}
    if lock:
        files["backend/Pipfile.lock"] = "{}\n"
    write(tmp_path, files)
    assert install_steps(tmp_path, "backend").commands == (f"(cd backend && {command})",)


def test_a_pipfile_without_the_server_gets_uvicorn(tmp_path: Path) -> None:
    write(tmp_path, {"Pipfile": '[packages]\nfastapi = "*"\n[dev-packages]\nuvicorn = "*"\n'})
    assert install_steps(tmp_path, ".").commands == ("pipenv install", "pip install uvicorn")


def test_a_pipfile_wins_over_the_requirements_file_it_may_be_exported_to(
    tmp_path: Path,
) -> None:
    write(tmp_path, {"Pipfile": PIPFILE, "requirements.txt": "fastapi\n"})
    assert install_steps(tmp_path, ".").commands == ("pipenv install",)


def plan_md(root: Path) -> str:
    plan = Plan.default(root)
    return next(f.content for f in render_outputs(plan) if f.path.endswith("/plan.md"))


def plan_testing_line(root: Path) -> str:
    [line] = [line for line in plan_md(root).splitlines() if line.startswith("**Testing**")]
    return line


@pytest.mark.parametrize(
    ("files", "where"),
    [
        ({"pyproject.toml": ONLY_OUR_TABLE + "[tool.pytest.ini_options]\n"}, "pyproject.toml"),
        (
            {
                "pyproject.toml": ONLY_OUR_TABLE,
                "backend/pyproject.toml": PEP621_PLAIN
                + '[dependency-groups]\ndev = ["pytest>=8"]\n',
            },
            "backend/pyproject.toml",
        ),
        (
            {
                "pyproject.toml": POETRY
                + ONLY_OUR_TABLE.replace(
                    "[tool.telemetry-scaffold]",
                    '[tool.poetry.group.test.dependencies]\npytest = "*"\n\n'
                    "[tool.telemetry-scaffold]",
                )
            },
            "pyproject.toml",
        ),
        (
            {"pyproject.toml": ONLY_OUR_TABLE, "backend/pytest.ini": "[pytest]\n"},
            "backend/pytest.ini",
        ),
        ({"pyproject.toml": ONLY_OUR_TABLE, "tox.ini": "[tox]\n[pytest]\n"}, "tox.ini"),
        ({"pyproject.toml": ONLY_OUR_TABLE, "setup.cfg": "[tool:pytest]\n"}, "setup.cfg"),
    ],
)
def test_the_plan_names_the_projects_own_test_runner(
    tmp_path: Path, files: dict[str, str], where: str
) -> None:
    write(tmp_path, files)
    assert pytest_config(tmp_path, "backend") == where
    line = plan_testing_line(tmp_path)
    assert f"The project's tests run with pytest (as `{where}` says)" in line
    # Not the tool's own suite: the user's project has none of it.
    for tool_only in ("schemathesis", "openapi-spec-validator", "golden", "mypy"):
        assert tool_only not in line


@pytest.mark.parametrize(
    "files",
    [
        {"pyproject.toml": ONLY_OUR_TABLE},
        {"pyproject.toml": ONLY_OUR_TABLE, "tox.ini": "[tox]\nenvlist = py311\n"},
        {"pyproject.toml": ONLY_OUR_TABLE, "backend/requirements.txt": "fastapi\n"},
    ],
)
def test_the_plan_names_no_test_runner_the_project_lacks(
    tmp_path: Path, files: dict[str, str]
) -> None:
    write(tmp_path, files)
    assert pytest_config(tmp_path, "backend") is None
    line = plan_testing_line(tmp_path)
    assert line.startswith("**Testing**: No test runner is configured in the project")
    assert "pytest with FastAPI" not in line


def test_a_requirements_edit_the_documents_do_not_show_is_no_drift(tmp_path: Path) -> None:
    # The plan's fingerprint takes what the documents are rendered from (the install commands),
    # not the files read to find them: an unrelated new dependency changes nothing.
    root = make_project(tmp_path)
    write(root, {"backend/requirements.txt": "fastapi\nuvicorn\n"})
    assert run("generate", "--root", str(root)).exit_code == 0
    with (root / "backend/requirements.txt").open("a") as file:
        file.write("requests>=2  # an unrelated dependency\n")
    check = run("generate", "--check", "--root", str(root))
    assert check.exit_code == 0, check.stdout
    assert "plan changed" not in check.stdout + check.stderr
    # Without uvicorn the quickstart installs it: that is drift, and said to be the plan's.
    write(root, {"backend/requirements.txt": "fastapi\nrequests>=2\n"})
    check = run("generate", "--check", "--root", str(root))
    assert check.exit_code == 1
    assert "quickstart.md" in check.stdout
    assert "+pip install uvicorn" in check.stdout


@pytest.mark.parametrize(
    ("groups", "commands"),
    [
        ('["default", "web"]', ("pdm install --group web",)),
        # `pdm lock` alone locks the default group: `pdm install --group web` would refuse.
        ('["default"]', ("pdm install", "pip install uvicorn")),
        ('["default", "Web"]', ("pdm install --group web",)),
    ],
)
def test_pdm_installs_only_the_groups_its_lock_file_holds(
    tmp_path: Path, groups: str, commands: tuple[str, ...]
) -> None:
    lock = f'[metadata]\ngroups = {groups}\nstrategy = ["inherit_metadata"]\n'
    write(tmp_path, {"pyproject.toml": PEP621_WITH_EXTRAS, "pdm.lock": lock})
    assert install_steps(tmp_path, "backend").commands == commands


# A flat-layout project that setuptools packages by its automatic discovery.
FLAT_SETUPTOOLS = '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["fastapi"]\n'


def _flat_project(root: Path, pyproject: str = FLAT_SETUPTOOLS) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "pyproject.toml").write_text(pyproject)
    return root


@pytest.mark.parametrize(
    "pyproject",
    [
        FLAT_SETUPTOOLS,
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
        + FLAT_SETUPTOOLS,
        '[build-system]\nrequires = ["setuptools"]\n\n' + FLAT_SETUPTOOLS,
        '[project]\nname = "svc"\ndynamic = ["version"]\n',
    ],
)
def test_flat_layout_discovery_catches_a_new_top_level_specs_folder(
    tmp_path: Path, pyproject: str
) -> None:
    root = _flat_project(tmp_path, pyproject)
    assert flat_layout_discovery(root, ".")
    assert flat_layout_catches(root, ".", "specs") == "specs"
    assert flat_layout_catches(root, ".", "design/specs") == "design"
    # Folders setuptools skips, and names that are no Python identifiers.
    for skipped in ("docs/specs", "doc/specs", "tests/specs", "_specs", ".specs", "my-specs"):
        assert flat_layout_catches(root, ".", skipped) is None, skipped


# setuptools' FlatLayoutPackageFinder._EXCLUDE (65 and later), fnmatch globs.
SETUPTOOLS_FLAT_EXCLUDE = (
    *("ci", "bin", "doc", "docs", "documentation", "manpages", "news", "changelog"),
    *("test", "tests", "unit_test", "unit_tests", "example", "examples", "scripts", "tools"),
    *("util", "utils", "python", "build", "dist", "venv", "env", "requirements", "tasks"),
    *("fabfile", "site_scons", "benchmark", "benchmarks", "exercise", "exercises", "[._]*"),
)


def test_flat_layout_skips_setuptools_globs_without_compiling_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read as names and a first character: the same folders as setuptools' globs, and no
    # regular expression compiled for them (fnmatch compiled 36 at every check).
    root = _flat_project(tmp_path)
    compiled: list[str] = []
    compile_pattern = re.compile

    def recording(pattern: str, flags: int = 0) -> re.Pattern[str]:
        compiled.append(pattern)
        return compile_pattern(pattern, flags)

    names = [
        *(name for glob in SETUPTOOLS_FLAT_EXCLUDE[:-1] for name in (glob, glob + "s", "x" + glob)),
        *("Docs", "TESTS", "_private", "__pycache__", "specs", "design", "ci_", "a_tests"),
    ]
    skipped = [
        name
        for name in names
        if any(fnmatch.fnmatchcase(name, glob) for glob in SETUPTOOLS_FLAT_EXCLUDE)
    ]
    fnmatch._compile_pattern.cache_clear()  # type: ignore[attr-defined]
    monkeypatch.setattr(re, "compile", recording)
    caught = [name for name in names if flat_layout_catches(root, ".", f"{name}/specs") is None]
    assert caught == skipped
    assert not [pattern for pattern in compiled if "documentation" in pattern]


@pytest.mark.parametrize(
    ("files", "why"),
    [
        ({"pyproject.toml": FLAT_SETUPTOOLS + '\n[tool.setuptools]\npackages = ["app"]\n'}, "list"),
        ({"pyproject.toml": FLAT_SETUPTOOLS + "\n[tool.setuptools]\npy-modules = []\n"}, "mods"),
        (
            {
                "pyproject.toml": FLAT_SETUPTOOLS
                + '\n[tool.setuptools.packages.find]\nwhere = ["."]\n'
            },
            "find",
        ),
        (
            {"pyproject.toml": FLAT_SETUPTOOLS + '\n[tool.setuptools.package-dir]\n"" = "lib"\n'},
            "dir",
        ),
        ({"setup.cfg": "[options]\npackages = find:\n"}, "cfg packages"),
        ({"setup.cfg": "[options]\npy_modules = main\n"}, "cfg modules"),
        (
            {"setup.py": "from setuptools import *\nsetup(packages=find_packages())\n"},
            "py",
        ),
        ({"setup.py": "from setuptools import setup\nsetup(py_modules=['main'])\n"}, "py modules"),
        ({"setup.py": "from setuptools import setup\nsetup(**OPTIONS)\n"}, "py kwargs"),
        ({"setup.py": "from setuptools import setup\nsetup(name="}, "py unparsable"),
        ({"src/.keep": ""}, "src layout"),
        (
            {
                "pyproject.toml": '[build-system]\nbuild-backend = "hatchling.build"\n\n'
                + FLAT_SETUPTOOLS
            },
            "hatchling",
        ),
        ({"pyproject.toml": '[project]\nname = "svc"\n'}, "no version: nothing builds"),
        ({"pyproject.toml": "[tool.telemetry-scaffold]\n"}, "no project at all"),
    ],
)
def test_explicit_packaging_turns_flat_layout_discovery_off(
    tmp_path: Path, files: dict[str, str], why: str
) -> None:
    root = _flat_project(tmp_path)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    assert not flat_layout_discovery(root, "."), why
    assert flat_layout_catches(root, ".", "specs") is None, why


def test_a_setup_py_without_a_listing_relies_on_discovery(tmp_path: Path) -> None:
    root = tmp_path
    (root / "app").mkdir()
    (root / "setup.py").write_text("from setuptools import setup\nsetup(name='svc')\n")
    assert flat_layout_catches(root, ".", "specs") == "specs"


def test_a_module_named_setup_py_is_no_build_script(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "setup.py").write_text("def setup(app):\n    return app\n")
    assert not flat_layout_discovery(tmp_path, ".")


def test_only_a_folder_the_specs_alone_would_create_is_new(tmp_path: Path) -> None:
    root = _flat_project(tmp_path)
    (root / "backend" / "app").mkdir(parents=True)
    # `backend/` holds the app: it was a top-level folder before the documents went in it.
    assert flat_layout_catches(root, ".", "backend/specs") is None
    (root / "design" / "specs").mkdir(parents=True)
    assert flat_layout_catches(root, ".", "design/specs") == "design"


def test_the_backend_folders_own_project_is_looked_at(tmp_path: Path) -> None:
    _flat_project(tmp_path / "backend")
    (tmp_path / "pyproject.toml").write_text("[tool.telemetry-scaffold]\n")
    assert flat_layout_catches(tmp_path, "backend", "specs") is None  # outside that project
    assert flat_layout_catches(tmp_path, "backend", "backend/specs") == "backend/specs"


def test_the_skipped_names_agree_with_setuptools(tmp_path: Path) -> None:
    discovery = pytest.importorskip("setuptools.discovery")
    root = _flat_project(tmp_path)
    names = ["specs", "docs", "doc", "tests", "examples", "build", "_private", "design", "env"]
    for name in names:
        (root / name).mkdir()
    found = set(discovery.FlatLayoutPackageFinder.find(str(root)))
    for name in names:
        assert (flat_layout_catches(root, ".", name) is not None) == (name in found), name


def test_a_service_imported_from_the_root_is_installed_by_its_own_requirements(
    tmp_path: Path,
) -> None:
    """`services/api/app/` served from the root as `services.api.app` (backend ".") with its
    own `services/api/requirements.txt`: that file, nearest the app, installs it, not the
    root's (tools only) nor the other services'."""
    write(
        tmp_path,
        {
            "requirements.txt": "black\n",
            "services/api/requirements.txt": "fastapi\nuvicorn\n",
            "services/worker/requirements.txt": "celery\n",
        },
    )
    steps = install_steps(tmp_path, ".", app_dir="services/api/app")
    assert steps.commands == ("pip install -r services/api/requirements.txt",)
    # Inside a backend folder, the folders between it and the app package come first too.
    write(tmp_path, {"mono/services/api/pyproject.toml": PEP621_PLAIN})
    assert install_steps(tmp_path, "mono", app_dir="mono/services/api/app").commands == (
        "pip install -e ./mono/services/api",
    )
    # Without the app's folder, or in the flat layout, the backend folder is where it starts.
    assert install_steps(tmp_path, ".").commands == (
        "pip install -r requirements.txt",
        "pip install uvicorn",
    )
    assert install_steps(tmp_path, "services/api", app_dir="services/api").commands == (
        "pip install -r services/api/requirements.txt",
    )


def test_the_quickstart_installs_the_served_services_own_requirements(tmp_path: Path) -> None:
    root = tmp_path / "project"
    files = {
        "requirements.txt": "black\n",
        "services/api/requirements.txt": "fastapi\nuvicorn\n",
        "services/api/app/__init__.py": "",
        "services/api/app/main.py": "from fastapi import FastAPI\n\n"
        "from services.api.app import routes\n\napp = FastAPI()\n",
        "services/api/app/routes.py": "",
    }
    write(root, files)
    assert run("init", "--root", str(root)).exit_code == 0
    assert 'app-package = "services.api.app"' in (root / "pyproject.toml").read_text()
    assert run("generate", "--root", str(root)).exit_code == 0
    lines = bash_lines(next(root.glob("specs/*/quickstart.md")).read_text())
    assert "pip install -r services/api/requirements.txt" in lines
    assert "pip install -r requirements.txt" not in lines


SCRIPT = """\
# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "fastapi>=0.115",
#   "httpx",
# ]
# ///
from fastapi import FastAPI

app = FastAPI()
"""


def test_a_single_file_service_is_installed_by_its_inline_script_metadata(
    tmp_path: Path,
) -> None:
    """PEP 723: the app module's own `# /// script` block names what it needs; the module is
    nearer than any folder's files, so its block wins; no block, a bad one or two blocks: the
    folders decide as before."""
    write(tmp_path, {"backend/main.py": SCRIPT, "requirements.txt": "black\n"})
    steps = install_steps(tmp_path, "backend", script="backend/main.py")
    assert steps.commands == ("pip install 'fastapi>=0.115' httpx", "pip install uvicorn")
    # CRLF line ends, a comment inside the TOML, and a requirement that names no package.
    crlf = SCRIPT.replace('"httpx",', '"uvicorn[standard]",  # the server\n#   "git+https://x/y",')
    write(tmp_path, {"backend/main.py": crlf.replace("\n", "\r\n")})
    steps = install_steps(tmp_path, "backend", script="backend/main.py")
    assert steps.commands == ("pip install 'fastapi>=0.115' 'uvicorn[standard]'",)
    for text in (
        "from fastapi import FastAPI\n",
        SCRIPT.replace("# ///\nfrom", "from"),  # never closed
        SCRIPT.replace('"httpx",', '"httpx",,'),  # not TOML
        SCRIPT + SCRIPT,  # two script blocks: an error, as the PEP says
        SCRIPT.replace("# /// script", "# /// pyproject"),  # another type of block
    ):
        write(tmp_path, {"backend/main.py": text})
        assert install_steps(tmp_path, "backend", script="backend/main.py").commands == (
            "pip install -r requirements.txt",
            "pip install uvicorn",
        ), text


def test_the_quickstart_installs_a_single_file_services_inline_dependencies(
    tmp_path: Path,
) -> None:
    root = write(tmp_path / "project", {"main.py": SCRIPT})
    assert run("init", "--root", str(root)).exit_code == 0
    assert run("generate", "--root", str(root)).exit_code == 0
    lines = bash_lines(next(root.glob("specs/*/quickstart.md")).read_text())
    assert "pip install 'fastapi>=0.115' httpx" in lines
    assert "pip install uvicorn" in lines


@pytest.mark.parametrize("module", ["main.py", "server.py"])
def test_a_missing_dependency_of_a_single_file_service_names_its_inline_dependencies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    """`emit`'s hint gives the quickstart's commands: those of the app module's own block
    (the module the plan's `app` key names, when it is not main.py)."""
    import telemetry_cli.layer as layer

    root = write(tmp_path / "project", {module: SCRIPT})
    assert run("init", "--root", str(root)).exit_code == 0
    assert run("generate", "--root", str(root)).exit_code == 0
    real = layer.importlib.import_module

    def failing(name: str, package: str | None = None) -> object:
        if name.endswith("event_logger"):
            raise ModuleNotFoundError("No module named 'httpx'", name="httpx")
        return real(name, package)

    monkeypatch.setattr(layer.importlib, "import_module", failing)
    result = run("emit", "--root", str(root), "chapter_visit")
    assert result.exit_code == 2
    assert (
        "install the backend's dependencies: pip install 'fastapi>=0.115' httpx; "
        "pip install uvicorn" in result.stderr
    )


@pytest.mark.parametrize(
    ("files", "command"),
    [
        ({"requirements-prod.txt": "fastapi\nuvicorn\n"}, "pip install -r requirements-prod.txt"),
        ({"requirements/base.txt": "fastapi\nuvicorn\n"}, "pip install -r requirements/base.txt"),
        (
            {
                "requirements/dev.txt": "-r prod.txt\npytest\n",
                "requirements/prod.txt": "fastapi\nuvicorn\n",
            },
            "pip install -r requirements/prod.txt",
        ),
        # One file of another name in the folder: what there is.
        ({"requirements/api.txt": "fastapi\nuvicorn\n"}, "pip install -r requirements/api.txt"),
        (
            {
                "requirements_production.txt": "fastapi\nuvicorn\n",
                "requirements-test.txt": "pytest\n",
            },
            "pip install -r requirements_production.txt",
        ),
    ],
    ids=["dash-prod", "folder-base", "folder-prod-over-dev", "folder-single", "underscore"],
)
def test_requirements_files_of_other_names_install_the_backend(
    tmp_path: Path, files: dict[str, str], command: str
) -> None:
    """No `requirements.txt`: the production requirements under another common name."""
    write(tmp_path, {"pyproject.toml": ONLY_OUR_TABLE, **files})
    assert install_steps(tmp_path, "backend").commands == (command,)


def test_requirements_files_for_development_only_install_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"requirements-dev.txt": "fastapi\npytest\n", "requirements/test.txt": "x\n"})
    assert install_steps(tmp_path, "backend").commands == ()


@pytest.mark.parametrize(
    "include",
    ["-r requirements/base.txt", "--requirement=requirements/base.txt", "-rrequirements/base.txt"],
)
def test_requirements_files_a_requirements_file_includes_are_read(
    tmp_path: Path, include: str
) -> None:
    """`-r requirements/base.txt` brings what that file lists (uvicorn: none added), relative to
    the including file; a file including one that includes it back is read once."""
    write(
        tmp_path,
        {
            "requirements.txt": f"{include}\n",
            "requirements/base.txt": "fastapi\n-r common.txt\n",
            "requirements/common.txt": "uvicorn[standard]\n-r ../requirements.txt\n",
        },
    )
    assert install_steps(tmp_path, "backend").commands == ("pip install -r requirements.txt",)


def test_the_inline_script_metadata_is_read_through_the_runs_reader(tmp_path: Path) -> None:
    """The app module is read by the reader given (a run's, holding the bytes the analysis
    read), never a second time from disk: what the run analysed is what it installs."""
    write(tmp_path, {"backend/main.py": "from fastapi import FastAPI\n"})
    texts = FileTexts({tmp_path / "backend/main.py": ("\ufeff" + SCRIPT).encode()})
    steps = install_steps(tmp_path, "backend", texts, script="backend/main.py")
    assert steps.commands == ("pip install 'fastapi>=0.115' httpx", "pip install uvicorn")
    # Bytes that are not UTF-8 read as an unreadable file does: no block.
    texts = FileTexts({tmp_path / "backend/main.py": b"\xff" + SCRIPT.encode()})
    assert install_steps(tmp_path, "backend", texts, script="backend/main.py").commands == ()


def test_generate_reads_the_app_module_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`generate` takes the `# /// script` block from the bytes the analysis of the app read."""
    import telemetry_cli.install_steps as steps_module

    root = write(tmp_path / "project", {"main.py": SCRIPT})
    assert run("init", "--root", str(root)).exit_code == 0
    real = steps_module.read_text
    read: list[str] = []

    def counting(path: Path) -> str | None:
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(steps_module, "read_text", counting)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert "main.py" not in read
    lines = bash_lines(next(root.glob("specs/*/quickstart.md")).read_text())
    assert "pip install 'fastapi>=0.115' httpx" in lines


@pytest.mark.parametrize(
    ("name", "text", "compose"),
    [
        ("docker-compose.yml", "", True),
        ("local.yml", "services:\n  django: &django\n    build:\n      context: .\n", True),
        (
            "production.yaml",
            "version: '3'\nservices:  # the stack\n  api:\n    command: /start\n",
            True,
        ),
        # `services:` whose entries neither build nor run anything, or under another key.
        ("catalog.yml", "services:\n  - name: billing\n    owner: team-a\n", False),
        ("ci.yml", "jobs:\n  test:\n    services:\n      db:\n        command: x\n", False),
        ("stack.yml", "services:\n  db:\n    image: postgres\nx-tasks:\n  command: run\n", False),
        ("mkdocs.yml", "site_name: Docs\n", False),
        ("notes.txt", "services:\n  api:\n    build: .\n", False),
    ],
)
def test_compose_files_are_known_by_their_services(
    tmp_path: Path, name: str, text: str, compose: bool
) -> None:
    """A YAML file whose top-level `services:` builds or runs something is a compose file,
    whatever its name (`local.yml` of older cookiecutter layouts)."""
    path = tmp_path / name
    path.write_text(text)
    assert is_compose_file(path) is compose
