"""Inserted code is laid out at the line length the project's own formatter is configured for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from telemetry_cli.patching.style import DEFAULT_LINE_LENGTH, LineLengths
from tests.cli_support import run, snapshot

# Its log call is 97 columns on one line: split at 88, black's and ruff's default, kept whole at
# 100 or more.
ROUTES = """from fastapi import APIRouter

router = APIRouter()


@router.get("/a")
def a() -> str:
    return "a"
"""

MAIN = """from fastapi import FastAPI

from app.api import books

app = FastAPI()
app.include_router(books.router)
"""

PLAN = """
[tool.telemetry-scaffold]
event-types = ["seen", "error_event"]
instrument = { "api/books.py" = "seen" }
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, DEFAULT_LINE_LENGTH),
        ({"pyproject.toml": '[project]\nname = "x"\n'}, DEFAULT_LINE_LENGTH),
        ({"pyproject.toml": "[tool.ruff]\nline-length = 120\n"}, 120),
        ({"pyproject.toml": "[tool.black]\nline-length = 79\n"}, 79),
        ({"ruff.toml": "line-length = 110\n"}, 110),
        ({".ruff.toml": "line-length = 99\n", "ruff.toml": "line-length = 110\n"}, 99),
        # The nearest configuration wins, as with ruff.
        ({"ruff.toml": "line-length = 110\n", "backend/pyproject.toml": "[tool.ruff]\n"}, 88),
        ({"ruff.toml": "line-length = 110\n", "backend/app/ruff.toml": "line-length = 72\n"}, 72),
        ({"pyproject.toml": "[tool.ruff]\nline-length = 100\n", "backend/x.toml": ""}, 100),
        # ruff's own `extend`, followed when the file sets nothing itself.
        (
            {
                "base.toml": "line-length = 105\n",
                "backend/ruff.toml": 'extend = "../base.toml"\n',
            },
            105,
        ),
        # A configuration that cannot be used is no reason to fail: the default applies.
        ({"pyproject.toml": "[tool.ruff\nline-length = 100\n"}, DEFAULT_LINE_LENGTH),
        ({"pyproject.toml": '[tool.ruff]\nline-length = "wide"\n'}, DEFAULT_LINE_LENGTH),
        ({"ruff.toml": 'extend = "../../outside.toml"\n'}, DEFAULT_LINE_LENGTH),
    ],
)
def test_line_length_of_a_module(tmp_path: Path, files: dict[str, str], expected: int) -> None:
    _write(tmp_path, files)
    assert LineLengths(tmp_path).of("backend/app/api/books.py") == expected


def _ruff_format_check(root: Path, file: Path) -> subprocess.CompletedProcess[str]:
    ruff = Path(sys.executable).parent / "ruff"
    command = [str(ruff)] if ruff.is_file() else [sys.executable, "-m", "ruff"]
    # Not --isolated: the project's own configuration (or ruff's default) is what counts. No cache
    # either: the tree is compared byte for byte after `remove`.
    return subprocess.run(
        [*command, "format", "--no-cache", "--check", "--diff", str(file)],
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
    )


@pytest.mark.parametrize("ruff_config", ["", "[tool.ruff]\nline-length = 120\n"])
def test_generate_keeps_a_formatted_module_formatted(tmp_path: Path, ruff_config: str) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": f'[project]\nname = "shelf"\n\n{ruff_config}{PLAN}',
            "backend/app/__init__.py": "",
            "backend/app/api/__init__.py": "",
            "backend/app/main.py": MAIN,
            "backend/app/api/books.py": ROUTES,
        },
    )
    books = root / "backend/app/api/books.py"
    assert _ruff_format_check(root, books).returncode == 0
    before = snapshot(root)

    result = run("generate", "--root", str(root))

    assert result.exit_code == 0, result.stdout + result.stderr
    checked = _ruff_format_check(root, books)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    one_line = 'event_logger.log("seen", {"route": "/a", "method": "GET", "handler": "a", '
    assert (one_line in books.read_text()) == bool(ruff_config)
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before
