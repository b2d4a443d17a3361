"""The event catalog's costs: ``log()`` of a declared event, and ``--check`` with a big catalog.

Issue 11's targets, each a ratio against a baseline measured in the same run:

* ``EventLogger.log`` of a declared event (its payload checked against the event's pydantic
  model) costs at most 1.3x ``log()`` of a free-form event with the same payload. Both go
  through the placeholder ``LoggingSink`` on a ``StreamHandler`` to ``/dev/null`` (as in
  ``logger_bench.py``), in one fresh worker process, variants interleaved, the first round
  discarded; the ratio is the median of per-round ratios. A second pair, reported only, does
  the same with a payload of ten properties, one of each type of the vocabulary.
* ``generate --check`` on the bundled project with 200 more declared events of 10 properties
  each (one of each type and constraint) costs at most 1.5x ``--check`` on the bundled project
  itself. Both copies are generated first, so both checks find everything up to date; whole
  processes, interleaved, wall time and peak RSS.

Run from the repository root (about two minutes; ``--quick``: a smoke run)::

    .venv/bin/python bench/catalog_bench.py            # prints the section
    .venv/bin/python bench/catalog_bench.py --write    # and puts it into bench/RESULTS.md

``bench/run.py`` does not run this script; ``--write`` replaces only this script's own section
of ``RESULTS.md``, between its markers.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import workspace
from common import CLI, PROJECT_ROOT, WORK_DIR, bench_env, paired_ratio, run_timed

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "RESULTS.md"
WORK = WORK_DIR / "catalog"
BEGIN = "<!-- catalog_bench.py: begin -->"
END = "<!-- catalog_bench.py: end -->"
LOG_TARGET = 1.3
CHECK_TARGET = 1.5
LOGGER_NAME = "app.analytics"

# The payload of logger_bench.py: a declared event and a free-form one both log it.
PAYLOAD: dict[str, Any] = {
    "block_type": "quiz",
    "chapter_id": "kinematics",
    "handler": "quiz",
    "method": "POST",
    "route": "/api/ai/quiz",
}
# Ten properties, one of each type and constraint of the vocabulary.
TYPED: dict[str, Any] = {
    "title": "Forward kinematics",
    "count": 3,
    "score": 0.75,
    "passed": True,
    "at": "2025-01-27T09:30:00Z",
    "level": "b",
    "tags": ["robots", "motion"],
    "note": "described",
    "size": 12,
    "scores": [1, 2, 3],
}
# One property of each kind; the synthetic events of the --check benchmark have these ten.
PROPERTIES = {
    "title": '{ type = "string", max-length = 100 }',
    "count": '{ type = "integer", minimum = 0, required = false }',
    "score": '{ type = "number", minimum = 0, maximum = 1 }',
    "passed": '{ type = "boolean", required = false }',
    "at": '{ type = "datetime" }',
    "level": '{ type = "string", enum = ["a", "b", "c"], required = false }',
    "tags": '{ type = "array", items = { type = "string" }, max-items = 10, required = false }',
    "note": '{ type = "string", description = "A described property of the event." }',
    "size": '{ type = "integer", required = false }',
    "scores": '{ type = "array", items = { type = "integer", minimum = 0 }, required = false }',
}
LOGGER_PLAN = f"""
event-types = ["free_event", "free_typed"]
capture-errors = false
instrument = {{}}

[events.declared_event]
description = "The logger benchmark's declared twin of free_event."
properties.block_type = {{ type = "string", enum = ["quiz", "diagram"] }}
properties.chapter_id = {{ type = "string", min-length = 1, max-length = 100 }}

[events.declared_typed]
{chr(10).join(f"properties.{name} = {kind}" for name, kind in PROPERTIES.items())}
"""


def synthetic_events(count: int, prefix: str = "tool.telemetry-scaffold.") -> str:
    """``count`` declared events of the ten PROPERTIES each, as TOML tables."""
    lines = []
    for index in range(count):
        lines.append(f"[{prefix}events.synthetic_event_{index:03d}]")
        lines.append(f'description = "Synthetic event number {index} of the benchmark."')
        lines.extend(f"properties.{name} = {kind}" for name, kind in PROPERTIES.items())
        lines.append("")
    return "\n".join(lines)


# --- the logger worker (a fresh interpreter) --------------------------------------------------


def render_layer(root: Path) -> Path:
    """Render the analytics layer of LOGGER_PLAN under ``root``; return the backend folder."""
    sys.path.insert(0, str(PROJECT_ROOT))
    from telemetry_cli.plan import plan_from_table
    from telemetry_cli.render import render_outputs

    plan = plan_from_table(
        tomllib.loads(LOGGER_PLAN), root=root, config_file=root / "pyproject.toml"
    )
    for rendered in render_outputs(plan):
        if rendered.path.startswith(plan.analytics_dir + "/"):
            target = root / rendered.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(rendered.content, encoding="utf-8", newline="\n")
    (root / plan.app_dir / "__init__.py").write_text('"""Host package."""\n', encoding="utf-8")
    return root / plan.backend


def worker(backend: Path, repeats: int, number: int) -> dict[str, Any]:
    """ns per ``log()`` call of each variant, rounds interleaved, round 0 discarded."""
    devnull = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115 - open for the process
    analytics = logging.getLogger(LOGGER_NAME)
    analytics.handlers.clear()
    analytics.addHandler(logging.StreamHandler(devnull))
    analytics.setLevel(logging.INFO)
    analytics.propagate = False
    sys.path.insert(0, str(backend))
    from app.analytics.event_logger import EventLogger, LoggingSink  # type: ignore[import-not-found]

    logger = EventLogger(LoggingSink(), enabled=True)
    for event_type, payload in (("declared_event", PAYLOAD), ("declared_typed", TYPED)):
        logger.record(event_type, payload)  # the payloads are valid: nothing is dropped

    def call(event_type: str, payload: dict[str, Any]) -> Callable[[], None]:
        def log() -> None:
            logger.log(event_type, payload)

        return log

    variants = {
        "free": call("free_event", PAYLOAD),
        "declared": call("declared_event", PAYLOAD),
        "free, typed": call("free_typed", TYPED),
        "declared, typed": call("declared_typed", TYPED),
    }
    samples: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for repeat in range(repeats + 1):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            function = variants[name]
            started = time.perf_counter()
            for _ in range(number):
                function()
            elapsed = time.perf_counter() - started
            if repeat:
                samples[name].append(elapsed / number * 1e9)
    return {"samples": samples}


def run_worker(backend: Path, repeats: int, number: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", str(backend)]
    command += ["--repeats", str(repeats), "--number", str(number)]
    result = subprocess.run(
        command, capture_output=True, text=True, env=bench_env(), check=False, timeout=1800
    )
    if result.returncode != 0:
        raise RuntimeError(f"logger worker failed:\n{result.stderr.strip()[-2000:]}")
    document: dict[str, Any] = json.loads(result.stdout)
    return document


# --- the --check benchmark --------------------------------------------------------------------


def plan_section() -> str:
    """The bundled project's own [tool.telemetry-scaffold] tables, as text."""
    lines = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    kept: list[str] = []
    inside = False
    for line in lines:
        header = line.strip()
        if header.startswith("["):
            inside = header == "[tool.telemetry-scaffold]" or header.startswith(
                "[tool.telemetry-scaffold."
            )
        if inside:
            kept.append(line)
    return "\n".join(kept) + "\n"


def check_rounds(rounds: int) -> tuple[list[float], list[float], list[float], list[float], int]:
    """Seconds and MiB of ``--check`` on the big catalog and the bundled project, interleaved."""
    bundled, big = WORK / "bundled", WORK / "catalog-200"
    workspace.make_generated(workspace.fresh_dir(str(bundled.relative_to(WORK_DIR))))
    scaffold = workspace.Scaffold(plan_toml=plan_section() + "\n" + synthetic_events(200))
    workspace.make_generated(workspace.fresh_dir(str(big.relative_to(WORK_DIR))), scaffold)
    size = sum(path.stat().st_size for path in big.rglob("*") if path.is_file())
    times: dict[Path, list[float]] = {bundled: [], big: []}
    memory: dict[Path, list[float]] = {bundled: [], big: []}
    for index in range(rounds + 1):
        order = (bundled, big) if index % 2 else (big, bundled)
        for root in order:
            run = run_timed([CLI, "generate", "--check", "--root", str(root)])
            if run.returncode != 0:
                raise RuntimeError(f"--check found {root} out of date")
            if index:
                times[root].append(run.seconds)
                memory[root].append(run.max_rss_mib)
    return times[big], times[bundled], memory[big], memory[bundled], size


# --- the report -------------------------------------------------------------------------------


def _cell(samples: list[float], scale: float = 1.0, unit: str = "") -> str:
    values = [value * scale for value in samples]
    return f"{statistics.median(values):,.0f}{unit} ({min(values):,.0f}-{max(values):,.0f})"


def report(repeats: int, number: int, rounds: int) -> str:
    """Run both benchmarks and return the Markdown section."""
    started = time.perf_counter()
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    backend = render_layer(WORK / "logger")
    samples: dict[str, list[float]] = run_worker(backend, repeats, number)["samples"]
    declared = paired_ratio(samples["declared"], samples["free"])
    typed = paired_ratio(samples["declared, typed"], samples["free, typed"])
    big, bundled, big_rss, bundled_rss, size = check_rounds(rounds)
    check = paired_ratio(big, bundled)
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("pydantic", "pydantic-core", "jinja2")
    )

    def verdict(ratio: float, target: float) -> str:
        return f"<= {target:g}x, {'met' if ratio <= target else '**missed**'}"

    lines = [
        BEGIN,
        "## The event catalog (`bench/catalog_bench.py`)",
        "",
        f"Measured on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} in "
        f"{time.perf_counter() - started:.0f} s, {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPUs (load average {load} at start), "
        f"{versions}. Medians (min-max); ratios are medians of per-round ratios against the "
        "baseline measured in the same round.",
        "",
        f"`log()`, ns per call ({repeats} rounds of {number:,} calls, `LoggingSink` on /dev/null):",
        "",
        "| what | ns/call | vs | ratio | target |",
        "|---|---|---|---|---|",
        f"| free-form event, the 5-key payload of `logger_bench.py` | {_cell(samples['free'])} "
        "| | | |",
        f"| declared event (2 declared properties + 3 standard context ones), same payload | "
        f"{_cell(samples['declared'])} | free-form | **{declared:.2f}x** | "
        f"{verdict(declared, LOG_TARGET)} |",
        f"| free-form event, 10 properties of every type | {_cell(samples['free, typed'])} | | | |",
        f"| declared event, the same 10 properties declared | "
        f"{_cell(samples['declared, typed'])} | free-form | {typed:.2f}x | reported |",
        "",
        f"`generate --check`, whole process, up to date ({rounds} rounds):",
        "",
        "| what | ms | peak RSS MiB | vs | ratio | target |",
        "|---|---|---|---|---|---|",
        f"| the bundled project | {_cell(bundled, 1000)} | {_cell(bundled_rss)} | | | |",
        f"| the bundled project + 200 declared events of 10 properties each "
        f"({size / 1e6:.1f} MB of project files) | {_cell(big, 1000)} | {_cell(big_rss)} | "
        f"bundled | **{check:.2f}x** | {verdict(check, CHECK_TARGET)} |",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_section(section: str) -> None:
    """Put ``section`` into ``RESULTS.md``: replace the previous one, or append it."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else ""
    if BEGIN in text and END in text:
        before, _, rest = text.partition(BEGIN)
        _, _, after = rest.partition(END)
        text = before + section.rstrip("\n") + after
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")


def main() -> None:
    """Run the benchmark (or, with ``--worker``, the logger worker)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run: few, short rounds")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--number", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=11)
    args = parser.parse_args()
    if args.worker is not None:
        json.dump(worker(args.worker, args.repeats, args.number), sys.stdout)
        return
    if args.quick:
        args.repeats, args.number, args.rounds = 3, 2_000, 3
    section = report(args.repeats, args.number, args.rounds)
    print(section, end="")
    if args.write:
        write_section(section)


if __name__ == "__main__":
    main()
