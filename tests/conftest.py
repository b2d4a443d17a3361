"""Fixtures shared by the CLI test modules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_support import make_project, purge_app_modules, run


@pytest.fixture
def generated_project(tmp_path: Path) -> Iterator[Path]:
    """A tiny project on which `generate` has run, with no `app` modules left imported."""
    root = make_project(tmp_path / "project")
    assert run("generate", "--root", str(root)).exit_code == 0
    purge_app_modules()
    yield root
    purge_app_modules()
