"""The CLI's own process keeps its start-up objects out of the cyclic collector's walks."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

from cli_support import make_project, run

# Run as the console script runs it; the exit handler reports after main() has ended the command.
PROBE = (
    "import atexit, gc, sys\n"
    "from telemetry_cli.cli import main\n"
    "atexit.register(lambda: print('frozen:', gc.get_freeze_count() > 0))\n"
    "main(sys.argv[1:])\n"
)


def _probe(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False
    )
    return result.stdout.splitlines()[-1]


def test_generate_check_in_its_own_process_freezes_what_it_imported(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    assert run("generate", "--root", str(project)).exit_code == 0
    assert _probe("generate", "--check", "--root", str(project)) == "frozen: True"
    assert _probe("remove", "--check", "--root", str(project)) == "frozen: True"


def test_a_program_that_imports_the_app_keeps_its_collector(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    gc.unfreeze()
    assert run("generate", "--root", str(project)).exit_code == 0
    assert run("generate", "--check", "--root", str(project)).exit_code == 0
    assert gc.get_freeze_count() == 0
