"""Whole-process CLI timings against ``python -c "import typer, rich.console, jinja2"``.

Each command runs as a user runs it: the ``telemetry-scaffold`` console script in a new process.
The commands are interleaved (one run of each per round, the order rotating) so that a burst of
noise on the shared machine hits all of them rather than one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import profiles
import workspace
from common import CLI, PYTHON, Options, ProcessRun, Row, Section, Stats, log, ratio_row, run_timed

BASELINE_ARGV = (PYTHON, "-c", "import typer, rich.console, jinja2")
BASELINE_NAME = "import baseline"
WARMUP = 2


@dataclass
class Command:
    """A command to time: ``argv_for(run_index)`` gives its argument vector for that run."""

    name: str
    argv_for: Callable[[int], Sequence[str]]
    expect: int = 0
    target: str = ""


def interleaved(
    commands: Sequence[Command], runs: int, *, warmup: int = WARMUP
) -> dict[str, list[ProcessRun]]:
    """Run every command ``warmup`` times (discarded), then ``runs`` rounds, rotating the order.

    Raises:
        RuntimeError: a command exited with an unexpected code.
    """
    results: dict[str, list[ProcessRun]] = {command.name: [] for command in commands}
    for index in range(warmup + runs):
        shift = index % len(commands)
        for command in [*commands[shift:], *commands[:shift]]:
            argv = command.argv_for(index)
            run = run_timed(argv, capture=True)
            if run.returncode != command.expect:
                tail = "\n".join((run.stderr or run.stdout).strip().splitlines()[-8:])
                raise RuntimeError(
                    f"{command.name}: `{' '.join(argv)}` exited {run.returncode}, "
                    f"expected {command.expect}:\n{tail}"
                )
            if index >= warmup:
                results[command.name].append(run)
    return results


def seconds_ms(runs: Sequence[ProcessRun]) -> list[float]:
    """Wall times in milliseconds, in round order."""
    return [run.seconds * 1000 for run in runs]


def run(options: Options) -> Section:
    """Time ``--help``, ``generate --check``, a no-op ``generate`` and a fresh ``generate``."""
    section = Section("cli", "CLI, whole process (wall time per run)")
    bundled = workspace.fresh_dir("cli-bundled")
    workspace.make_generated(bundled)
    note = workspace.round_trip_note(bundled)
    if note:
        section.notes.append(note)

    # A fresh generate needs an untouched copy for every run, made before the timing starts.
    fresh_root = workspace.fresh_dir("cli-fresh")
    total = WARMUP + options.cli_runs
    fresh_copies: list[Path] = []
    for index in range(total):
        copy = fresh_root / f"{index:02d}"
        workspace.make_pristine(copy)
        fresh_copies.append(copy)

    root = str(bundled)
    commands = [
        Command(BASELINE_NAME, lambda _: BASELINE_ARGV),
        Command("--help", lambda _: (CLI, "--help"), target="<= 1.5x"),
        Command(
            "generate --check (up to date)",
            lambda _: (CLI, "generate", "--check", "--root", root),
            target="<= 3x",
        ),
        Command(
            "generate (nothing changes)",
            lambda _: (CLI, "generate", "--root", root),
            target="<= 3x",
        ),
        Command(
            "generate (fresh, empty copy)",
            lambda index: (CLI, "generate", "--root", str(fresh_copies[index])),
        ),
    ]
    log(f"cli: {options.cli_runs} interleaved rounds of {len(commands)} commands")
    started = time.perf_counter()
    results = interleaved(commands, options.cli_runs)
    section.seconds = time.perf_counter() - started

    baseline = seconds_ms(results[BASELINE_NAME])
    section.rows.append(Row(BASELINE_NAME, "ms", Stats.of(baseline)))
    for command in commands[1:]:
        samples = seconds_ms(results[command.name])
        section.rows.append(
            ratio_row(command.name, "ms", samples, BASELINE_NAME, baseline, command.target)
        )
    section.notes.append(
        f"baseline: `{' '.join(BASELINE_ARGV[1:])}` run by the same interpreter; "
        f"{WARMUP} warm-up rounds discarded; order rotated every round."
    )

    log("cli: import-time profiles")
    base_imports = profiles.import_times(BASELINE_ARGV[1:])
    for label, args in (
        ("--help", ("-m", "telemetry_cli", "--help")),
        ("generate --check", ("-m", "telemetry_cli", "generate", "--check", "--root", root)),
    ):
        times = profiles.import_times(args)
        section.profiles.append(
            (f"import time: {label}", profiles.describe_imports(label, times, base_imports))
        )
    if any(row.met is False for row in section.rows if "check" in row.name):
        section.profiles.append(
            (
                "cProfile: generate --check, bundled project (the tool's functions by cumulative "
                "time)",
                profiles.cprofile(
                    ("-m", "telemetry_cli", "generate", "--check", "--root", root),
                    only="telemetry_cli/",
                ),
            )
        )
    return section
