"""One reading of a line running a Python script: init's targets of a run file and the folder
a line serves from (the image layer's reader) agree on which script runs, from which folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from telemetry_cli.init_plan import _command_targets, _script_serving
from telemetry_cli.ignore import GitIgnore
from tests.cli_support import write_files

SCRIPT = """import uvicorn
from fastapi import FastAPI

app = FastAPI()

if __name__ == "__main__":
    uvicorn.run("main:app")
"""

RUNNING = [
    "python main.py",
    ".venv/bin/python main.py",
    "/usr/local/bin/python3.12 main.py",
    "python3 -u main.py",
    "python -X dev main.py",
    "python -Xdev -W ignore main.py",
    "python -uB -- main.py",
    "py main.py",
    "py -3.12 main.py",
    "exec python main.py",
    "poetry run python ./main.py",
]
NOT_RUNNING = [
    "python -c 'import main' main.py",
    "python - main.py",
    "python --version main.py",
    "python -Q main.py",
    "python main.pyc",
]


def _both(root: Path, line: str) -> tuple[set[str], set[str]]:
    ignore = GitIgnore(root)
    ignore.read(root)
    return (
        _command_targets(root, line, ignore),
        {string for folder, string in _script_serving(root, line, ignore) if folder == "."},
    )


@pytest.mark.parametrize("line", RUNNING)
def test_a_line_running_the_script_is_read_alike_by_both(tmp_path: Path, line: str) -> None:
    """Every way of running `main.py` (a venv's interpreter, options with values, the `py`
    launcher, `exec`) serves its `main:app`, for init's targets and the serving folder alike."""
    write_files(tmp_path, {"main.py": SCRIPT})
    assert _both(tmp_path, line) == ({"main:app"}, {"main:app"})


@pytest.mark.parametrize("line", NOT_RUNNING)
def test_a_line_not_running_the_script_is_read_alike_by_both(tmp_path: Path, line: str) -> None:
    """A string run, standard input, an option not known or another file run no script."""
    write_files(tmp_path, {"main.py": SCRIPT})
    assert _both(tmp_path, line) == (set(), set())


def test_a_script_in_a_folder_serves_from_that_folder(tmp_path: Path) -> None:
    """`python -X dev svc/run.py` runs `svc/run.py`, `svc/` first on the import path."""
    write_files(tmp_path, {"svc/main.py": SCRIPT})
    ignore = GitIgnore(tmp_path)
    ignore.read(tmp_path)
    assert _script_serving(tmp_path, "python -X dev svc/main.py", ignore) == [("svc", "main:app")]
