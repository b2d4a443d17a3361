"""Run the telemetry-scaffold benchmarks, print a table and write ``bench/RESULTS.md``.

Usage (from the repository root)::

    .venv/bin/python bench/run.py            # everything, about 12 minutes on 2 cores
    .venv/bin/python bench/run.py --quick    # a smoke run in about 4 minutes
    .venv/bin/python bench/run.py --only cli --only logger

Each benchmark works on copies of the project under ``bench/.work/`` and never on the checkout.
Targets are reported, never asserted: the exit code is 0 unless a benchmark could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

import catalog_bench
import cli_bench
import http_bench
import logger_bench
import otel_bench
import patching_bench
import queue_sink_bench
from common import (
    BENCH_DIR,
    PROJECT_ROOT,
    WORK_DIR,
    Options,
    Section,
    log,
    machine_facts,
    render_markdown,
    render_plain,
    status_mark,
    table,
)

BENCHMARKS: dict[str, Callable[[Options], Section]] = {
    "cli": cli_bench.run,
    "patching": patching_bench.run,
    "logger": logger_bench.run,
    "http": http_bench.run,
    "queue-sink": queue_sink_bench.run,
    "otel": otel_bench.run,
    "catalog": catalog_bench.run,
}
TITLES = {
    "cli": "CLI on a fresh install",
    "patching": "Patching big route modules",
    "logger": "EventLogger.log",
    "http": "HTTP",
    "queue-sink": "A slow sink behind QueueSink",
    "otel": "The OpenTelemetry sink",
    "catalog": "The event catalog",
}
RESULTS = BENCH_DIR / "RESULTS.md"


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description="Benchmark telemetry-scaffold (see bench/README.md)."
    )
    parser.add_argument(
        "--quick", action="store_true", help="few runs: a smoke test of the harness"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        help="run only this benchmark (repeatable); default: all",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="where to write the Markdown report (default: bench/RESULTS.md for a full run of "
        "everything, bench/.work/RESULTS.partial.md otherwise)",
    )
    return parser.parse_args(argv)


def _run_one(key: str, options: Options) -> Section:
    log(f"{key}: start")
    started = time.perf_counter()
    try:
        section = BENCHMARKS[key](options)
    except Exception as error:  # report and go on with the other benchmarks
        section = Section(key, TITLES[key])
        section.error = f"{type(error).__name__}: {error}"
        log(f"{key}: FAILED: {section.error}")
        traceback.print_exc(file=sys.stderr)
    section.seconds = time.perf_counter() - started
    log(f"{key}: done in {section.seconds:.0f} s")
    return section


def _markdown(
    sections: Sequence[Section], facts: dict[str, str], command: str, elapsed: float
) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Measured with `{command}` on {time.strftime('%Y-%m-%d %H:%M %Z')} in {elapsed:.0f} s. "
        "Every figure is the median of repeated runs (min and max beside it) and each ratio is "
        "against a baseline measured in the same run; see `bench/README.md` for the method.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in facts.items()),
        "",
        "## Targets",
        "",
        "| benchmark | ratio | target | result |",
        "|---|---|---|---|",
    ]
    for section in sections:
        for row in section.rows:
            if row.target:
                lines.append(
                    f"| {row.name} | {row.ratio_text} | {row.target} | {status_mark(row)} |"
                )
        if section.error:
            lines.append(f"| {section.title} | | | not run: {section.error.splitlines()[0]} |")
    missed = [(section, row) for section in sections for row in section.missed]
    if missed:
        lines += [
            "",
            "Missed: "
            + "; ".join(f"{row.name} ({row.ratio_text}, target {row.target})" for _, row in missed)
            + ". The profiles under each section show where the time goes; "
            "`bench/ANALYSIS.md` reads them.",
        ]
    for section in sections:
        lines += ["", f"## {section.title}", ""]
        if section.error:
            lines += ["Not run:", "", "```", section.error, "```"]
            continue
        lines.append(render_markdown(table(section.rows)))
        lines.append("")
        lines += [f"- {note}" for note in section.notes]
        for title, text in section.profiles:
            lines += [
                "",
                f"<details><summary>{title}</summary>",
                "",
                "```",
                text,
                "```",
                "",
                "</details>",
            ]
        lines.append(f"\n_{section.title}: {section.seconds:.0f} s._")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks; return 1 when one of them could not run."""
    args = _parse(argv)
    options = Options.make(quick=args.quick)
    keys = [key for key in BENCHMARKS if not args.only or key in args.only]
    full = not args.quick and len(keys) == len(BENCHMARKS)
    output: Path = args.output or (RESULTS if full else WORK_DIR / "RESULTS.partial.md")
    os.chdir(PROJECT_ROOT)
    WORK_DIR.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    facts = machine_facts()
    sections = [_run_one(key, options) for key in keys]
    facts["load average at end"] = " ".join(f"{value:.2f}" for value in os.getloadavg())
    elapsed = time.perf_counter() - started

    for section in sections:
        print(f"\n== {section.title} ({section.seconds:.0f} s)")
        if section.error:
            print(f"not run: {section.error}")
            continue
        print(render_plain(table(section.rows)))
        for note in section.notes:
            print(f"  * {note}")
    for section in sections:
        for title, text in section.profiles:
            if section.missed:
                print(f"\n-- {title}\n{text}")
    command = " ".join(["python bench/run.py", *(shlex.quote(arg) for arg in sys.argv[1:])])
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(_markdown(sections, facts, command, elapsed), encoding="utf-8")
    # Every run's ratios, to compare runs (the spread between runs on a noisy machine).
    record = WORK_DIR / "runs" / time.strftime("%Y%m%d-%H%M%S.json")
    record.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {"section": s.key, "name": r.name, "ratio": r.ratio, "target": r.target, "met": r.met}
        for s in sections
        for r in s.rows
    ]
    record.write_text(json.dumps({"facts": facts, "rows": rows}, indent=1), encoding="utf-8")
    print(f"\nwrote {output} ({elapsed:.0f} s in all)")
    return 1 if any(section.error for section in sections) else 0


if __name__ == "__main__":
    sys.exit(main())
