"""Shared pieces of the benchmark harness: results, statistics, timed subprocesses, machine facts.

Every figure the harness reports is a median of repeated runs, shown with its min and max and
as a ratio against a baseline measured in the same run, because the machines are shared and
noisy. Nothing here asserts on time: a missed target is reported, never raised.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / ".work"
VENV_BIN = Path(sys.executable).parent
PYTHON = sys.executable
CLI = str(VENV_BIN / "telemetry-scaffold")

# What every logger benchmark logs: the bundled plan's AI-block event with its 5-key payload
# (the instrumented call's keys), on the generated layer's logger.
EVENT_TYPE = "ai_block_used"
LOGGER_NAME = "app.analytics"
PAYLOAD: dict[str, Any] = {
    "block_type": "quiz",
    "chapter_id": "kinematics",
    "handler": "quiz",
    "method": "POST",
    "route": "/api/ai/quiz",
}

PACKAGES = (
    "telemetry-scaffold",
    "typer",
    "rich",
    "jinja2",
    "libcst",
    "fastapi",
    "starlette",
    "pydantic",
    "pydantic-core",
    "uvicorn",
    "h11",
    "orjson",
    "opentelemetry-sdk",
)


@dataclass(frozen=True)
class Stats:
    """Median, min and max of repeated samples (all in the same unit)."""

    median: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Stats:
        """Summarise ``samples``; an empty sequence is a harness bug."""
        if not samples:
            raise ValueError("no samples")
        return cls(statistics.median(samples), min(samples), max(samples), len(samples))


@dataclass(frozen=True)
class Row:
    """One line of the results table.

    ``ratio`` is this row's median over ``baseline``'s median (or a growth factor); ``target``
    is the issue's bound on it (``"<= 1.5x"``, ``">= 0.7x"``) and ``met`` whether it held;
    rows without a target are reported for information.
    """

    name: str
    unit: str
    stats: Stats | None
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    extra: str = ""
    ratio_suffix: str = "x"

    @property
    def ratio_text(self) -> str:
        """The ratio as shown in tables (empty when there is none)."""
        if self.ratio is None:
            return ""
        text = f"{self.ratio:.2f}"
        # Near the bound, two decimals could show 0.90x for a missed >= 0.9x: show four.
        if self.target and text == f"{float(self.target.split()[-1].rstrip('x')):.2f}":
            text = f"{self.ratio:.4f}"
        return text + self.ratio_suffix


@dataclass
class Section:
    """The outcome of one benchmark: its rows, notes and any profile text that explains them."""

    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profiles: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    @property
    def missed(self) -> list[Row]:
        """Rows whose target was not met."""
        return [row for row in self.rows if row.met is False]


def check_target(ratio: float, target: str) -> bool:
    """Return whether ``ratio`` satisfies a target written as ``"<= 1.5x"`` or ``">= 0.7x"``."""
    operator, _, bound = target.partition(" ")
    value = float(bound.rstrip("x"))
    if operator == "<=":
        return ratio <= value
    if operator == ">=":
        return ratio >= value
    raise ValueError(f"bad target {target!r}")


def paired_ratio(samples: Sequence[float], baseline: Sequence[float]) -> float:
    """Return the median over rounds of ``sample / baseline`` within each round.

    Subject and baseline are measured in the same round, so a slow spell of the machine that
    hits a round cancels out in its ratio; the median then drops the rounds it hit unevenly.
    """
    if len(samples) != len(baseline):
        raise ValueError("paired samples need the same number of rounds")
    return statistics.median(s / b for s, b in zip(samples, baseline, strict=True))


def ratio_row(
    name: str,
    unit: str,
    samples: Sequence[float],
    baseline_name: str,
    baseline: Sequence[float],
    target: str = "",
    *,
    extra: str = "",
) -> Row:
    """Build a row comparing ``samples`` with ``baseline``, taken round by round together."""
    ratio = paired_ratio(samples, baseline)
    met = check_target(ratio, target) if target else None
    return Row(name, unit, Stats.of(samples), baseline_name, ratio, target, met, extra)


@dataclass(frozen=True)
class ProcessRun:
    """One finished child process: wall and CPU time, peak resident memory and exit code."""

    seconds: float
    max_rss_mib: float
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0


def run_timed(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    capture: bool = False,
) -> ProcessRun:
    """Run ``argv`` to completion and measure it from spawn to exit.

    The peak RSS comes from ``wait4`` on this very child (``getrusage(RUSAGE_CHILDREN)`` would
    give the maximum over every child so far).
    """
    # Output goes to files, not pipes: nothing to drain while the child runs, and the child is
    # reaped by wait4 alone (communicate() would reap it first and lose its rusage).
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else bench_env(),
            stdin=subprocess.DEVNULL,
            stdout=out if capture else subprocess.DEVNULL,
            stderr=err if capture else subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", errors="replace")
        stderr = err.read().decode("utf-8", errors="replace")
    # ru_maxrss is in KiB on Linux.
    cpu = usage.ru_utime + usage.ru_stime
    return ProcessRun(elapsed, usage.ru_maxrss / 1024, process.returncode, stdout, stderr, cpu)


def bench_env(**overrides: str) -> dict[str, str]:
    """The environment for child processes: plain output, no telemetry switch inherited."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("TELEMETRY_ENABLED", "PYTHONPROFILEIMPORTTIME", "FORCE_COLOR")
    }
    env.update({"NO_COLOR": "1", "COLUMNS": "100", "PYTHONHASHSEED": "0"})
    env.update(overrides)
    return env


def tool_version(argv: Sequence[str]) -> str:
    """Return the first line a tool prints about its version, or ``"not found"``."""
    if shutil.which(argv[0]) is None:
        return "not found"
    try:
        result = subprocess.run(list(argv), capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    text = (result.stdout or result.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError):
        pass
    return "unknown"


def _git(*args: str) -> str:
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip()


def machine_facts() -> dict[str, str]:
    """Describe the machine, interpreter, packages and tools of this run."""
    facts = {
        "platform": platform.platform(),
        "cpu": f"{_cpu_model()} ({os.cpu_count()} logical CPUs)",
        "memory": _memory_total(),
        "load average at start": " ".join(f"{value:.2f}" for value in os.getloadavg()),
        "python": f"{platform.python_implementation()} {platform.python_version()} ({PYTHON})",
    }
    head = _git("rev-parse", "--short", "HEAD")
    if head:
        dirty = " + uncommitted changes" if _git("status", "--porcelain") else ""
        facts["project commit"] = head + dirty
    for name in PACKAGES:
        try:
            facts[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            facts[name] = "not installed"
    # An editable install keeps the metadata of the day it was made: the checkout says the truth.
    from telemetry_cli import __version__

    facts["telemetry-scaffold"] = __version__
    facts["wrk"] = tool_version(["wrk", "--version"])
    return facts


def format_value(value: float, unit: str) -> str:
    """Format a measurement compactly in its unit."""
    if unit in ("ms", "ns/call", "MiB", "req/s", "µs/req"):
        return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"
    if unit == "x":
        return f"{value:.2f}"
    return f"{value:.3g}"


def status_mark(row: Row) -> str:
    """Return ``ok`` / ``MISSED`` / ``-`` for a row's target."""
    if row.met is None:
        return "-"
    return "ok" if row.met else "MISSED"


def table(rows: Sequence[Row]) -> list[list[str]]:
    """Turn rows into table cells (header first)."""
    cells = [["benchmark", "median", "min", "max", "n", "vs", "ratio", "target", "result"]]
    for row in rows:
        stats = row.stats
        cells.append(
            [
                row.name + (f" ({row.extra})" if row.extra else ""),
                f"{format_value(stats.median, row.unit)} {row.unit}" if stats else "",
                format_value(stats.low, row.unit) if stats else "",
                format_value(stats.high, row.unit) if stats else "",
                str(stats.n) if stats else "",
                row.baseline,
                row.ratio_text,
                row.target,
                status_mark(row),
            ]
        )
    return cells


def render_plain(cells: Sequence[Sequence[str]]) -> str:
    """Render cells as an aligned plain-text table for the terminal."""
    widths = [max(len(row[column]) for row in cells) for column in range(len(cells[0]))]
    lines = []
    for index, row in enumerate(cells):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def render_markdown(cells: Sequence[Sequence[str]]) -> str:
    """Render cells as a Markdown table."""
    lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(cells[0])]
    for row in cells[1:]:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines)


def log(message: str) -> None:
    """Print a progress line on stderr (the table goes to stdout)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Options:
    """How hard to measure; ``--quick`` shrinks every count for a smoke run."""

    quick: bool
    cli_runs: int
    patch_rounds: int
    logger_repeats: int
    logger_number: int
    http_rounds: int
    http_seconds: int
    http_connections: int

    @classmethod
    def make(cls, *, quick: bool) -> Options:
        """Return the full settings, or the quick ones."""
        if quick:
            return cls(True, 4, 1, 3, 2_000, 2, 1, 8)
        return cls(False, 15, 9, 15, 20_000, 10, 2, 8)
