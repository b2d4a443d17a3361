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

``bench/run.py --only catalog`` runs it; this file is also its worker's entry point.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import workspace
from common import (
    CLI,
    LOGGER_NAME,
    PAYLOAD,
    PROJECT_ROOT,
    WORK_DIR,
    Options,
    Row,
    Section,
    Stats,
    bench_env,
    ratio_row,
    run_timed,
)

WORK = WORK_DIR / "catalog"
LOG_TARGET = 1.3
CHECK_TARGET = 1.5

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
    from telemetry_cli.plan import plan_from_table

    plan = plan_from_table(
        tomllib.loads(LOGGER_PLAN), root=root, config_file=root / "pyproject.toml"
    )
    return workspace.render_layer(plan)


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


def run(options: Options) -> Section:
    """Run both benchmarks: ``log()`` of declared events, and ``--check`` with a big catalog."""
    section = Section("catalog", "The event catalog: log() of declared events, big catalogs")
    started = time.perf_counter()
    repeats, number = options.logger_repeats, options.logger_number
    rounds = 3 if options.quick else 11
    backend = render_layer(WORK / "logger")
    samples: dict[str, list[float]] = run_worker(backend, repeats, number)["samples"]
    section.rows.append(
        Row("log(), free-form event, 5-key payload", "ns/call", Stats.of(samples["free"]))
    )
    section.rows.append(
        ratio_row(
            "log(), declared event (2 declared + 3 context properties), same payload",
            "ns/call",
            samples["declared"],
            "free-form",
            samples["free"],
            f"<= {LOG_TARGET:g}x",
        )
    )
    section.rows.append(
        Row(
            "log(), free-form event, 10 properties of every type",
            "ns/call",
            Stats.of(samples["free, typed"]),
        )
    )
    section.rows.append(
        ratio_row(
            "log(), declared event, the same 10 properties declared",
            "ns/call",
            samples["declared, typed"],
            "free-form",
            samples["free, typed"],
        )
    )
    big, bundled, big_rss, bundled_rss, size = check_rounds(rounds)
    section.rows.append(
        Row("--check, bundled project", "ms", Stats.of([value * 1000 for value in bundled]))
    )
    section.rows.append(
        ratio_row(
            f"--check, + 200 declared events of 10 properties ({size / 1e6:.1f} MB of files)",
            "ms",
            [value * 1000 for value in big],
            "bundled",
            [value * 1000 for value in bundled],
            f"<= {CHECK_TARGET:g}x",
        )
    )
    section.rows.append(Row("--check, bundled project: peak RSS", "MiB", Stats.of(bundled_rss)))
    section.rows.append(
        ratio_row(
            "--check, + 200 declared events: peak RSS", "MiB", big_rss, "bundled", bundled_rss
        )
    )
    section.notes.append(
        f"log(): {repeats} rounds of {number:,} calls in one fresh worker, LoggingSink on "
        f"/dev/null, variants interleaved, first round discarded. --check: whole processes of the "
        f"development install, {rounds} rounds alternating which goes first. Ratios are medians "
        "of per-round ratios."
    )
    section.seconds = time.perf_counter() - started
    return section


def main() -> None:
    """Entry point of the logger worker (``bench/run.py --only catalog`` runs the benchmark)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--number", type=int, default=20_000)
    args = parser.parse_args()
    json.dump(worker(args.worker, args.repeats, args.number), sys.stdout)


if __name__ == "__main__":
    main()
