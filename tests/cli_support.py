"""Helpers shared by the CLI tests: tiny projects under tmp_path, and a CLI runner."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from telemetry_cli.cli import app

REPO = Path(__file__).resolve().parent.parent

MAIN_PY = '''"""A small app."""

from fastapi import FastAPI

from app.api import ai_blocks

app = FastAPI(title="Demo")

app.include_router(ai_blocks.router)
'''

AI_BLOCKS_PY = '''"""AI blocks."""

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(prefix="/api/ai")


class Ask(BaseModel):
    question: str
    chapter_id: str


@router.post("/ask-question")
async def ask_question(body: Ask) -> dict[str, str]:
    """Answer a question."""
    return {"answer": "42", "chapter_id": body.chapter_id}


@router.post("/quiz/{chapter_id}")
def quiz(chapter_id: str) -> dict[str, str]:
    """Make a quiz."""
    return {"chapter_id": chapter_id}
'''


def make_project(root: Path, config: str = "") -> Path:
    """Write a minimal project with the default layout; return its root."""
    (root / "backend" / "app" / "api").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\n\n[tool.telemetry-scaffold]\n{config}\n'
    )
    (root / "backend" / "app" / "__init__.py").write_text("")
    (root / "backend" / "app" / "api" / "__init__.py").write_text("")
    (root / "backend" / "app" / "main.py").write_text(MAIN_PY)
    (root / "backend" / "app" / "api" / "ai_blocks.py").write_text(AI_BLOCKS_PY)
    return root


def write_files(root: Path, files: dict[str, str]) -> None:
    """Write ``files`` (path relative to ``root`` -> text) under ``root``, making folders."""
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)


def copy_bundled_project(target: Path) -> Path:
    """Copy the repository's own project (plan, backend, specs, manifest) to ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "pyproject.toml", target / "pyproject.toml")
    manifest = REPO / ".telemetry-scaffold.json"
    if manifest.exists():
        shutil.copy2(manifest, target / manifest.name)
    # What a checkout's tools leave in it (git ignores them; a fresh clone has none).
    ignore = shutil.ignore_patterns(
        "__pycache__", "*.pyc", ".mypy_cache", ".pytest_cache", ".ruff_cache"
    )
    shutil.copytree(REPO / "backend", target / "backend", ignore=ignore)
    if (REPO / "specs").exists():
        shutil.copytree(REPO / "specs", target / "specs", ignore=ignore)
    return target


def purge_app_modules() -> None:
    """Forget every imported `app` module: each test project has its own `app` package."""
    for name in [name for name in sys.modules if name == "app" or name.startswith("app.")]:
        del sys.modules[name]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (except caches), by POSIX relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@dataclass
class Run:
    """What one CLI invocation returned."""

    exit_code: int
    stdout: str
    stderr: str
    # As written: `stdout` has click's CRLF -> LF, which hides the line endings of a diff.
    stdout_bytes: bytes = b""


def run(*args: str) -> Run:
    """Invoke the CLI in-process, with stdout and stderr kept apart."""
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr, result.stdout_bytes)


def git(root: Path, *args: str) -> str:
    """Run ``git args`` in ``root`` as a test's author (raising if it fails); its stdout."""
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def apply_diff(diff: bytes, folder: Path) -> subprocess.CompletedProcess[bytes]:
    """Apply printed ``--diff`` output to ``folder`` as a person would: ``patch -p1``."""
    return subprocess.run(
        ["patch", "-p1", "-s", "-f", "--no-backup-if-mismatch"],
        input=diff,
        cwd=folder,
        capture_output=True,
        check=False,
    )
