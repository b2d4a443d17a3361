"""The note for a backend whose own files pin a FastAPI or pydantic the layer cannot run on."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.version import Version

from telemetry_cli.install_steps import read_text
from telemetry_cli.layer_requires import (
    LAYER_CONTRACT_REQUIRES,
    LAYER_PYTHON,
    LAYER_REQUIRES,
    old_dependency_notes,
)
from tests.cli_support import run


def notes(root: Path, backend: str = ".") -> list[str]:
    return old_dependency_notes(root, backend, read_text)


SCRIPT = """# /// script
# dependencies = [
#     "fastapi==0.95.2",
#     "uvicorn",
# ]
# ///
from fastapi import FastAPI

app = FastAPI()


@app.get("/x")
def x() -> int:
    return 1
"""


def test_a_script_block_is_read_first(tmp_path: Path) -> None:
    # A single-file service run by `uv run main.py` pins its packages in its PEP 723 block,
    # which the quickstart installs from: the pin was not read.
    (tmp_path / "main.py").write_text(SCRIPT)
    (tmp_path / "requirements.txt").write_text("fastapi>=0.110\n")
    found = old_dependency_notes(tmp_path, ".", read_text, script="main.py")
    assert len(found) == 1, found
    assert found[0].startswith("main.py:3 pins fastapi==0.95.2;"), found
    initialized = run("init", "--root", str(tmp_path))
    assert initialized.exit_code == 0, initialized.stdout + initialized.stderr
    assert initialized.stdout.count("main.py:3 pins fastapi==0.95.2;") == 1
    generated = run("generate", "--root", str(tmp_path))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert generated.stdout.count("main.py:3 pins fastapi==0.95.2;") == 1


def test_the_floors_are_those_checked() -> None:
    # Checked by serving the telemetry routes on these versions: raising one needs a new check.
    assert LAYER_REQUIRES == {"fastapi": "0.100", "pydantic": "2.0"}
    # Checked by comparing the served OpenAPI document with the contract as the contract tests
    # do: pydantic 2.0.3 to 2.5.3 (`const` without `type`) and 2.7.0 to 2.9.2 (`enum` beside
    # `const`) differ.
    assert LAYER_CONTRACT_REQUIRES == {"fastapi": "0.100", "pydantic": "2.10"}


@pytest.mark.parametrize(
    ("files", "where", "said"),
    [
        ({"requirements.txt": "uvicorn\npydantic==1.10.13\n"}, "requirements.txt:2", "pins"),
        ({"requirements.txt": "fastapi==0.95.2  # old\n"}, "requirements.txt:1", "pins"),
        ({"requirements.txt": "pydantic<2\n"}, "requirements.txt:1", "declares"),
        ({"requirements.txt": "pydantic<=1.10.13\n"}, "requirements.txt:1", "declares"),
        ({"requirements.txt": "pydantic~=1.10\n"}, "requirements.txt:1", "declares"),
        ({"requirements.txt": "pydantic==1.*\n"}, "requirements.txt:1", "pins"),
        (
            {"requirements.txt": "pydantic==1.10.13 \\\n    --hash=sha256:00\n"},
            "requirements.txt:1",
            "pins",
        ),
        (
            {"requirements.txt": "pydantic==1.10.13 --hash=sha256:00\n"},
            "requirements.txt:1",
            "pins",
        ),
        (
            {"requirements.txt": "pydantic[email] >=1.8, <2.0 ; python_version>'3'\n"},
            "requirements.txt:1",
            "declares",
        ),
        (
            {
                "requirements.txt": "-r requirements/base.txt\n",
                "requirements/base.txt": "x\nFastAPI==0.68.0\n",
            },
            "requirements/base.txt:2",
            "pins",
        ),
        (
            {
                "pyproject.toml": '[project]\nname = "x"\n'
                'dependencies = [\n  "fastapi",\n  "pydantic<2",\n]\n'
            },
            "pyproject.toml:5",
            "declares",
        ),
        (
            {
                "pyproject.toml": '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\n'
                'python = "^3.11"\npydantic = "^1.10"\n'
            },
            "pyproject.toml:5",
            "declares",
        ),
        (
            {
                "pyproject.toml": "[tool.poetry.dependencies]\n"
                'fastapi = { version = "~0.95", extras = ["all"] }\n'
            },
            "pyproject.toml:2",
            "declares",
        ),
        (
            {"pyproject.toml": '[tool.poetry.dependencies]\npydantic = "1.10.2"\n'},
            "pyproject.toml:2",
            "declares",
        ),
        ({"Pipfile": '[packages]\nfastapi = "*"\npydantic = "==1.10.13"\n'}, "Pipfile:3", "pins"),
        (
            {
                "pyproject.toml": '[project]\nname = "x"\ndynamic = ["dependencies"]\n',
                "requirements.txt": "fastapi\npydantic==1.10.2\n",
            },
            "requirements.txt:2",
            "pins",
        ),
        (
            {
                "pyproject.toml": '[project]\nname = "x"\n[project.optional-dependencies]\n'
                'api = ["fastapi==0.95.2"]\ndev = ["pytest"]\n'
            },
            "pyproject.toml:4",
            "pins",
        ),
        (
            {
                "pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\n'
                '[tool.poetry.group.api.dependencies]\npydantic = "^1.10"\n'
            },
            "pyproject.toml:4",
            "declares",
        ),
        (
            {
                "pyproject.toml": '[project]\nname = "x"\ndependencies = ["pydantic"]\n',
                "uv.lock": 'version = 1\n\n[[package]]\nname = "pydantic"\nversion = "1.10.13"\n',
            },
            "uv.lock:5",
            "locks",
        ),
        (
            {
                "pyproject.toml": '[tool.poetry.dependencies]\npydantic = ">=1.8"\n',
                "poetry.lock": '[[package]]\nname = "pydantic"\n'
                'version = "1.10.9"\ndescription = ""\n',
            },
            "poetry.lock:3",
            "locks",
        ),
        (
            {
                "Pipfile": '[packages]\npydantic = "*"\n',
                "Pipfile.lock": json.dumps(
                    {"default": {"pydantic": {"version": "==1.10.13"}}}, indent=4
                ),
            },
            "Pipfile.lock:3",
            "locks",
        ),
        # Development dependencies the installing tool installs: uv's, PDM's, PEP 735 groups,
        # Poetry's older table.
        (
            {
                "pyproject.toml": '[project]\nname = "x"\n[tool.uv]\n'
                'dev-dependencies = ["pydantic<2"]\n'
            },
            "pyproject.toml:4",
            "declares",
        ),
        (
            {
                "pyproject.toml": '[project]\nname = "x"\n[tool.pdm.dev-dependencies]\n'
                'test = ["fastapi==0.95.2"]\n'
            },
            "pyproject.toml:4",
            "pins",
        ),
        (
            {
                "pyproject.toml": '[project]\nname = "x"\n[dependency-groups]\n'
                'dev = ["pydantic==1.10.13"]\n'
            },
            "pyproject.toml:4",
            "pins",
        ),
        (
            {
                "pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\n'
                '[tool.poetry.dev-dependencies]\npydantic = "^1.10"\n'
            },
            "pyproject.toml:4",
            "declares",
        ),
    ],
)
def test_a_pin_below_the_floor_is_noted(
    tmp_path: Path, files: dict[str, str], where: str, said: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = notes(tmp_path)
    assert len(found) == 1, found
    assert found[0].startswith(f"{where} {said} "), found
    assert "the generated layer needs fastapi>=0.100, pydantic>=2.0" in found[0]
    assert found[0].endswith("or the app fails at start-up")


def test_a_uv_workspace_member_is_read_from_the_workspace_lock(tmp_path: Path) -> None:
    # The lock sits at the workspace's root, not beside the member that installs the backend.
    files = {
        "pyproject.toml": '[tool.uv.workspace]\nmembers = ["backend"]\n',
        "uv.lock": 'version = 1\n\n[[package]]\nname = "pydantic"\nversion = "1.10.13"\n',
        "backend/pyproject.toml": '[project]\nname = "x"\ndependencies = ["pydantic>=1.8"]\n',
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    [found] = notes(tmp_path, "backend")
    assert found.startswith("uv.lock:5 locks pydantic==1.10.13;"), found


def test_a_pin_written_with_spaces_is_quoted_as_one_token(tmp_path: Path) -> None:
    # `"fastapi == 0.77.1"` (khoj's pyproject) was quoted as `fastapi== 0.77.1`.
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = [\n    "fastapi == 0.77.1",\n]\n'
    )
    found = notes(tmp_path)
    assert len(found) == 1, found
    assert found[0].startswith("pyproject.toml:4 pins fastapi==0.77.1; "), found


@pytest.mark.parametrize(
    "requirements",
    [
        "pydantic>=1.8\nfastapi\n",
        "pydantic!=2.5.0\n",
        "pydantic==2.*\nfastapi~=0.110\n",
        "pydantic>1.10,<3\n",
        "pydantic>2.0,<2.11\n",
        "pydantic==2.10\nfastapi==0.100\n",
        "pydantic == 2.11.1\nfastapi>= 0.95\n",
        "fastapi @ git+https://example.invalid/fastapi\n",
        "pydantic==${PYDANTIC_VERSION}\n",
        "httpx==0.23.0\n",
        "",
    ],
)
def test_a_range_allowing_the_floor_or_no_declaration_is_not_noted(
    tmp_path: Path, requirements: str
) -> None:
    (tmp_path / "requirements.txt").write_text(requirements)
    assert notes(tmp_path) == []


@pytest.mark.parametrize(
    "requirements",
    ["pydantic==2\n", "pydantic == 2.7.1\n", "pydantic>2.0,<2.10\n", "pydantic~=2.9.0\n"],
)
def test_a_pin_that_works_but_serves_another_document_says_so(
    tmp_path: Path, requirements: str
) -> None:
    # The app starts on these, but its served OpenAPI document differs from the contract.
    (tmp_path / "requirements.txt").write_text(requirements)
    found = notes(tmp_path)
    assert len(found) == 1, found
    assert "the generated layer needs fastapi>=0.100, pydantic>=2.10" in found[0]
    assert found[0].endswith(
        "or the app starts, but its served OpenAPI document differs from the contract"
    )


@pytest.mark.parametrize("poetry", ['"^2.5"', '">=1.8,<3"', '"^1.10 || ^2.0"', '"*"', '"~2"'])
def test_a_poetry_range_allowing_the_floor_is_not_noted(tmp_path: Path, poetry: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.poetry.dependencies]\npydantic = {poetry}\n")
    assert notes(tmp_path) == []


def test_no_project_file_no_note(tmp_path: Path) -> None:
    assert notes(tmp_path) == []


def test_a_lock_file_allowing_the_floor_silences_a_loose_declaration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["pydantic<3"]\n'
    )
    (tmp_path / "uv.lock").write_text('[[package]]\nname = "pydantic"\nversion = "2.11.1"\n')
    assert notes(tmp_path) == []


def test_generate_check_and_json_say_it_and_exit_codes_stay(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    (root / "app").mkdir(parents=True)
    (root / "app/__init__.py").write_text("")
    (root / "app/main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (root / "requirements.txt").write_text("fastapi==0.95.2\npydantic==1.10.13\n")
    (root / "pyproject.toml").write_text(
        '[tool.telemetry-scaffold]\nbackend = "."\napp-package = "app"\n'
        "[tool.telemetry-scaffold.instrument]\n"
    )
    note = "requirements.txt:2 pins pydantic==1.10.13; the generated layer needs"
    written = run("generate", "--root", str(root))
    assert written.exit_code == 0, written.stdout + written.stderr
    assert written.stdout.count(note) == 1, written.stdout
    assert "requirements.txt:1 pins fastapi==0.95.2" in written.stdout
    checked = run("generate", "--root", str(root), "--check")
    assert checked.exit_code == 0, checked.stdout
    assert checked.stdout.count(note) == 1, checked.stdout
    as_json = run("generate", "--root", str(root), "--check", "--json")
    found = [text for file in json.loads(as_json.stdout)["files"] for text in file["notes"]]
    assert len(found) == 2 and found[1].startswith(note), found
    # The upgrade the note asks for silences it.
    (root / "requirements.txt").write_text("fastapi>=0.110\npydantic>=2.5\n")
    again = run("generate", "--root", str(root), "--check")
    assert again.exit_code == 0 and "generated layer needs" not in again.stdout, again.stdout


REPOSITORY = Path(__file__).resolve().parent.parent


def test_the_readme_states_the_floors_once() -> None:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    python = ".".join(map(str, LAYER_PYTHON))
    stated = (
        f"The generated layer needs Python {python} or newer, FastAPI "
        f"{LAYER_REQUIRES['fastapi']} or newer and pydantic {LAYER_REQUIRES['pydantic']} or newer"
    )
    assert readme.replace("\n", " ").count(stated) == 1
    contract = (
        f"equals the contract with FastAPI {LAYER_CONTRACT_REQUIRES['fastapi']} or newer and "
        f"pydantic {LAYER_CONTRACT_REQUIRES['pydantic']} or newer"
    )
    assert readme.replace("\n", " ").count(contract) == 1


def test_the_documents_state_the_floors() -> None:
    specs = REPOSITORY / "specs/059-analytics-telemetry"
    quickstart = (specs / "quickstart.md").read_text(encoding="utf-8")
    assert f"FastAPI {LAYER_REQUIRES['fastapi']} or newer" in quickstart
    assert f"pydantic {LAYER_REQUIRES['pydantic']} or newer" in quickstart
    assert f"pydantic {LAYER_CONTRACT_REQUIRES['pydantic']} on" in quickstart
    plan = (specs / "plan.md").read_text(encoding="utf-8")
    assert f"FastAPI ({LAYER_REQUIRES['fastapi']} or newer)" in plan
    assert f"Python {'.'.join(map(str, LAYER_PYTHON))}+" in plan


def test_the_backend_extra_allows_the_floors() -> None:
    # What the tool's own `backend` extra installs satisfies its floors: no note on itself.
    assert notes(REPOSITORY) == []
    extra = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    for line in extra["project"]["optional-dependencies"]["backend"]:
        name, _, version = line.partition(">=")
        if name in LAYER_CONTRACT_REQUIRES:
            assert Version(version) >= Version(LAYER_CONTRACT_REQUIRES[name]), line


@pytest.mark.parametrize(
    ("lock", "text", "line"),
    [
        (
            "pdm.lock",
            '[metadata]\ngroups = ["default"]\n\n[[package]]\nname = "FastAPI"\n'
            'version = "0.95.2"\n',
            6,
        ),
        ("uv.lock", '[[package]]\r\nname = "pydantic"\r\nversion = "1.10.13"\r\n', 3),
    ],
)
def test_each_lock_file_kind_is_read(tmp_path: Path, lock: str, text: str, line: int) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["fastapi"]\n')
    (tmp_path / lock).write_bytes(text.encode())
    [found] = notes(tmp_path)
    assert found.startswith(f"{lock}:{line} locks "), found


@pytest.mark.parametrize(
    "files",
    [
        {"Pipfile": '[packages]\npydantic = "*"\n', "Pipfile.lock": "{not json"},
        {"Pipfile": '[packages]\npydantic = "*"\n', "Pipfile.lock": "[" * 100_000},
        {"pyproject.toml": '[tool.poetry.dependencies]\npydantic = "^x.y"\n'},
        {"pyproject.toml": '[tool.poetry.dependencies]\npydantic = {git = "https://x"}\n'},
        {"requirements.txt": "pydantic===weird\n"},
        {"requirements.txt": "pydantic<<2\n"},
        {"pyproject.toml": "[project\n"},
        # An extra the quickstart does not install, an optional Poetry group.
        {
            "pyproject.toml": '[project]\nname = "x"\n'
            '[project.optional-dependencies]\nv1 = ["pydantic<2"]\n'
        },
        {
            "pyproject.toml": "[tool.poetry.group.old]\noptional = true\n"
            '[tool.poetry.group.old.dependencies]\npydantic = "^1"\n'
        },
    ],
)
def test_an_unreadable_constraint_gives_no_note_and_no_traceback(
    tmp_path: Path, files: dict[str, str]
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert notes(tmp_path) == []


def test_init_notes_it_too(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/x")\ndef x() -> int:\n'
        "    return 1\n"
    )
    (tmp_path / "requirements.txt").write_text("fastapi\npydantic~=1.10.2\n")
    initialized = run("init", "--root", str(tmp_path))
    assert initialized.exit_code == 0, initialized.stdout + initialized.stderr
    assert initialized.stdout.count("requirements.txt:2 declares pydantic~=1.10.2;") == 1


def test_common_forms_are_read_without_importing_packaging(tmp_path: Path) -> None:
    # `generate --check` is benchmarked: packaging costs about 30 ms to import.
    (tmp_path / "requirements.txt").write_text("fastapi>=0.110\npydantic==1.10.13\n")
    script = (
        "import sys\nfrom pathlib import Path\n"
        "from telemetry_cli.install_steps import read_text\n"
        "from telemetry_cli.layer_requires import old_dependency_notes\n"
        f"assert len(old_dependency_notes(Path({str(tmp_path)!r}), '.', read_text)) == 1\n"
        "assert 'packaging.specifiers' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPOSITORY)


def test_a_lock_entry_starts_a_line_and_is_found_among_many(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["fastapi"]\n')
    entries = "".join(
        f'[[package]]\nname = "package-{i}"\nversion = "1.0"\nwheels = []\n\n' for i in range(500)
    )
    # Not at a line's start: no entry of the lock (its text quoted in a comment, say).
    quoted = '# [[package]]\nname = "fastapi"\nversion = "0.95.2"\n\n'
    locked = '[[package]]\nname = "pydantic"\nversion = "1.10.13"\n'
    text = f"version = 1\n\n{entries}{quoted}{locked}"
    (tmp_path / "uv.lock").write_text(text)
    [found] = notes(tmp_path)
    line = text[: text.index('"1.10.13"')].count("\n") + 1
    assert found.startswith(f"uv.lock:{line} locks pydantic==1.10.13"), found


NEEDS_PYTHON = "but the generated layer needs Python 3.11 or newer: the app fails at start-up"


@pytest.mark.parametrize(
    ("files", "where", "written"),
    [
        # Heroku, Render and Scalingo read runtime.txt; pyenv, uv and rye .python-version;
        # asdf and mise .tool-versions: each picks the interpreter the app runs on.
        ({"runtime.txt": "python-3.10.12\n"}, "runtime.txt:1", "python-3.10.12"),
        ({"runtime.txt": "python_version=3.9.0\n"}, "runtime.txt:1", "python_version=3.9.0"),
        ({".python-version": "# pinned\n3.9\n"}, ".python-version:2", "3.9"),
        ({".python-version": "cpython-3.10.14\n"}, ".python-version:1", "cpython-3.10.14"),
        (
            {".tool-versions": "nodejs 20.11.0\npython 3.10.4 3.12.1\n"},
            ".tool-versions:2",
            "3.10.4",
        ),
        (
            {"Pipfile": '[packages]\nfastapi = "*"\n\n[requires]\npython_version = "3.10"\n'},
            "Pipfile:5",
            'python_version = "3.10"',
        ),
        (
            {"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.8,<3.11"\n'},
            "pyproject.toml:3",
            'requires-python = ">=3.8,<3.11"',
        ),
        (
            {"pyproject.toml": '[tool.poetry.dependencies]\npython = "~3.10"\nfastapi = "*"\n'},
            "pyproject.toml:2",
            'python = "~3.10"',
        ),
    ],
)
def test_a_file_choosing_an_older_python_is_noted(
    tmp_path: Path, files: dict[str, str], where: str, written: str
) -> None:
    # The layer needs Python 3.11: only a Dockerfile's `FROM python:3.10` was noted, while the
    # platform files of many real backends (runtime.txt first) choose the interpreter too.
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    found = notes(tmp_path)
    said = f"{where} asks for Python `{written}`, {NEEDS_PYTHON} on it; ask for Python 3.11"
    assert found == [f"{said} or newer"]


@pytest.mark.parametrize(
    "files",
    [
        {"runtime.txt": "python-3.12.3\n"},
        {".python-version": "3.11\n"},
        {".python-version": "system\n"},
        {".python-version": "pypy3.9\n"},
        {".tool-versions": "nodejs 20.11.0\n"},
        {"Pipfile": '[requires]\npython_version = "3.12"\n'},
        {"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.8"\n'},
        {"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.9"\n'},
        {"pyproject.toml": '[tool.poetry.dependencies]\npython = ">=3.10,<3.13"\n'},
        {"pyproject.toml": '[project]\nname = "x"\nrequires-python = "3.10"\n'},  # unread
    ],
)
def test_a_python_the_layer_runs_on_is_not_noted(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert notes(tmp_path) == []


def test_the_python_files_of_the_backend_folders_are_read_and_generate_says_it(
    tmp_path: Path,
) -> None:
    # A backend folder with its own .python-version, the root's runtime.txt above it; a
    # frontend's folder beside it is not one of the backend's.
    root = tmp_path / "svc"
    (root / "backend/app").mkdir(parents=True)
    (root / "frontend").mkdir()
    (root / "backend/app/__init__.py").write_text("")
    (root / "backend/app/main.py").write_text(
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/x")\ndef x() -> int:\n'
        "    return 1\n"
    )
    (root / "backend/.python-version").write_text("3.10\n")
    (root / "runtime.txt").write_text("python-3.9.18\n")
    (root / "frontend/.python-version").write_text("3.8\n")
    initialized = run("init", "--root", str(root))
    assert initialized.exit_code == 0, initialized.stdout + initialized.stderr
    first = "backend/.python-version:1 asks for Python `3.10`"
    second = "runtime.txt:1 asks for Python `python-3.9.18`"
    assert initialized.stdout.count(first) == 1, initialized.stdout
    assert initialized.stdout.count(second) == 1, initialized.stdout
    assert "frontend" not in initialized.stdout
    for args in ((), ("--check",)):
        done = run("generate", "--root", str(root), *args)
        assert done.exit_code == 0, done.stdout + done.stderr
        assert done.stdout.count(first) == 1 and done.stdout.count(second) == 1, done.stdout
    # The version the note asks for silences it, and is read without importing packaging.
    (root / "backend/.python-version").write_text("3.12\n")
    (root / "runtime.txt").write_text("python-3.12.4\n")
    again = run("generate", "--root", str(root), "--check")
    assert again.exit_code == 0 and "asks for Python" not in again.stdout, again.stdout
    script = (
        "import sys\nfrom pathlib import Path\n"
        "from telemetry_cli.install_steps import read_text\n"
        "from telemetry_cli.layer_requires import old_python_notes\n"
        f"assert old_python_notes(Path({str(root)!r}), 'backend', read_text) == []\n"
        "assert 'packaging.specifiers' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPOSITORY)
