"""The quickstart installs the backend the way the project's own files say, whatever its shape."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from telemetry_cli.install_steps import InstallSteps, install_steps
from telemetry_cli.plan import Plan
from telemetry_cli.render import render_outputs

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


def test_poetry_project_in_a_backend_subfolder(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": ONLY_OUR_TABLE, "api/pyproject.toml": POETRY})
    assert install_steps(tmp_path, "api").commands == ("(cd api && poetry install)",)


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
