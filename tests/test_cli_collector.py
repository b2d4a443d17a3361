"""The CLI's own process keeps its start-up objects out of the cyclic collector's walks."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest
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


# The same, saying whether the collector ran while the command's code (telemetry_cli.sync for
# generate and remove, init_plan for init, plan for emit and health) was imported, and at exit.
PAUSED_PROBE = (
    "import atexit, gc, sys\n"
    "seen = {}\n"
    "def audit(event, args):\n"
    "    if event == 'import' and args[0].startswith('telemetry_cli.'):\n"
    "        seen.setdefault(args[0], gc.isenabled())\n"
    "sys.addaudithook(audit)\n"
    "from telemetry_cli.cli import main\n"
    "module = sys.argv[1]\n"
    "atexit.register(lambda: print('imported with it on:', seen.get(module), 'after:', "
    "gc.isenabled()))\n"
    "main(sys.argv[2:])\n"
)


@pytest.mark.parametrize(
    ("module", "command"),
    [
        ("telemetry_cli.sync", ["generate", "--check"]),
        ("telemetry_cli.sync", ["remove", "--check"]),
        ("telemetry_cli.init_plan", ["init", "--dry-run"]),
        ("telemetry_cli.plan", ["emit", "ai_block_used", "--payload", "{}", "--timeout", "0.1"]),
        ("telemetry_cli.plan", ["health", "--url", "http://127.0.0.1:9", "--timeout", "0.1"]),
    ],
)
def test_a_commands_imports_run_with_the_collector_paused(
    tmp_path: Path, module: str, command: list[str]
) -> None:
    # What a command imports lives until exit: the collector would only walk it over and over.
    # It runs again for the command's work (and the backend's code emit and health import).
    project = make_project(tmp_path / "project")
    assert run("generate", "--root", str(project)).exit_code == 0
    result = subprocess.run(
        [sys.executable, "-c", PAUSED_PROBE, module, *command, "--root", str(project)],
        capture_output=True,
        text=True,
        check=False,
        cwd=project,
    )
    assert result.stdout.splitlines()[-1] == "imported with it on: False after: True", (
        result.stdout + result.stderr
    )
