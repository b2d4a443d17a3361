"""Scale: a plan with 1,000 event types and an instrumented module with 500 route handlers.

Two parts. Whole-process ``generate --check`` and fresh ``generate`` on the scaled projects,
interleaved with the same commands on the bundled project, give time and peak memory and their
growth over the default plan. Then an in-process probe at 1x, 2x and 4x a test-sized plan shows
how the work grows: for linear growth the increments t(4n) - t(2n) and t(2n) - t(n) differ by 2x,
for quadratic growth by 4x.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

import profiles
import workspace
from cli_bench import Command, interleaved
from common import CLI, Options, ProcessRun, Row, Section, Stats, log, ratio_row

from telemetry_cli import sync
from telemetry_cli.plan import load_plan

EVENT_TYPES = 1_000
HANDLERS = 500
WARMUP = 1
# Between linear (2) and quadratic (4) growth of the increments, on a log scale.
LINEAR_LIMIT = 2.8


def _configs() -> list[tuple[str, workspace.Scaffold | None]]:
    return [
        ("bundled", None),
        (f"{EVENT_TYPES:,} event types", workspace.events_scaffold(EVENT_TYPES)),
        (f"{HANDLERS} handlers", workspace.handlers_scaffold(HANDLERS)),
    ]


def _mib(runs: Sequence[ProcessRun]) -> list[float]:
    return [run.max_rss_mib for run in runs]


def _ms(runs: Sequence[ProcessRun]) -> list[float]:
    return [run.seconds * 1000 for run in runs]


def _check_argv(root: Path) -> Callable[[int], Sequence[str]]:
    return lambda _: (CLI, "generate", "--check", "--root", str(root))


def _fresh_argv(copies: Sequence[Path]) -> Callable[[int], Sequence[str]]:
    return lambda index: (CLI, "generate", "--root", str(copies[index]))


def whole_process(options: Options, section: Section) -> None:
    """Time ``--check`` and fresh ``generate`` on the scaled projects and the bundled one."""
    commands: list[Command] = []
    total = WARMUP + options.scale_runs
    for slug, (label, scaffold) in enumerate(_configs()):
        generated = workspace.fresh_dir(f"scale-{slug}-generated")
        workspace.make_generated(generated, scaffold)
        fresh_root = workspace.fresh_dir(f"scale-{slug}-fresh")
        copies = [fresh_root / f"{index:02d}" for index in range(total)]
        for copy in copies:
            workspace.make_pristine(copy, scaffold)
        commands.append(Command(f"--check, {label}", _check_argv(generated)))
        commands.append(Command(f"generate fresh, {label}", _fresh_argv(copies)))
        if slug == 2:
            lines = len((generated / "backend/app/api/big_routes.py").read_text().splitlines())
            section.notes.append(
                f"the {HANDLERS}-handler module has {lines:,} lines after instrumentation"
            )
            section.profiles.append(
                (
                    f"cProfile: generate --check, {label} (top 15 by internal time)",
                    profiles.cprofile(
                        ("-m", "telemetry_cli", "generate", "--check", "--root", str(generated)),
                        sort="tottime",
                    ),
                )
            )

    log(f"scale: {options.scale_runs} interleaved rounds of {len(commands)} commands")
    results = interleaved(commands, options.scale_runs, warmup=WARMUP)
    for mode in ("--check", "generate fresh"):
        base_name = f"{mode}, bundled"
        base_time = _ms(results[base_name])
        base_mem = _mib(results[base_name])
        section.rows.append(Row(base_name, "ms", Stats.of(base_time)))
        for label, _ in _configs()[1:]:
            name = f"{mode}, {label}"
            target = "<= 1.5x" if mode == "--check" and "handlers" in label else ""
            section.rows.append(
                ratio_row(name, "ms", _ms(results[name]), base_name, base_time, target)
            )
        section.rows.append(Row(f"{base_name}: peak RSS", "MiB", Stats.of(base_mem)))
        for label, _ in _configs()[1:]:
            name = f"{mode}, {label}"
            section.rows.append(
                ratio_row(f"{name}: peak RSS", "MiB", _mib(results[name]), base_name, base_mem)
            )


def _probe_sizes(options: Options) -> dict[str, tuple[int, int, int]]:
    if options.quick:
        return {"handlers": (50, 100, 200), "event types": (125, 250, 500)}
    return {"handlers": (100, 200, 400), "event types": (250, 500, 1000)}


def _scaffold(kind: str, size: int) -> workspace.Scaffold:
    return (
        workspace.handlers_scaffold(size) if kind == "handlers" else workspace.events_scaffold(size)
    )


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def _check(root: Path) -> Callable[[], object]:
    def action() -> object:
        report = sync.compute(load_plan(root=root))
        if not report.up_to_date:
            raise RuntimeError(f"{root} is not up to date")
        return report

    return action


def _render_and_patch(root: Path) -> Callable[[], object]:
    # A fresh generate is this plus writing the files; the writes are linear by construction.
    return lambda: sync.compute(load_plan(root=root))


def _peak_kib(action: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


def _growth_row(name: str, unit: str, sizes: Sequence[int], samples: Sequence[list[float]]) -> Row:
    """Judge growth over three sizes from the samples at each (the table shows the largest)."""
    values = [statistics.median(series) for series in samples]
    small, middle, large = values
    grown = large - small
    increments = (large - middle) / (middle - small) if middle - small > 0 else float("inf")
    # When the size-dependent part is lost in the noise, there is no growth to judge.
    flat = grown < 0.05 * small
    met = True if flat else increments <= LINEAR_LIMIT
    extra = (
        f"n={sizes[0]}/{sizes[1]}/{sizes[2]}: "
        + " / ".join(f"{value:,.1f}" for value in values)
        + f" {unit}; 2n/n {middle / small:.2f}x, 4n/n {large / small:.2f}x"
        + ("; flat" if flat else "")
    )
    return Row(
        name,
        unit,
        Stats.of(samples[-1]),
        baseline="increment ratio",
        ratio=None if flat else increments,
        target=f"<= {LINEAR_LIMIT}",
        met=met,
        extra=extra,
        ratio_suffix="",
    )


def probe(options: Options, section: Section) -> None:
    """Measure in-process growth at 1x, 2x and 4x a test-sized plan."""
    repeats = 3 if options.quick else 7
    for kind, sizes in _probe_sizes(options).items():
        generated: list[Path] = []
        pristine: list[Path] = []
        for size in sizes:
            slug = kind.replace(" ", "-")
            generated_root = workspace.fresh_dir(f"probe-{slug}-{size}-generated")
            workspace.make_generated(generated_root, _scaffold(kind, size))
            generated.append(generated_root)
            pristine_root = workspace.fresh_dir(f"probe-{slug}-{size}-pristine")
            workspace.make_pristine(pristine_root, _scaffold(kind, size))
            pristine.append(pristine_root)
        log(f"scale: probe {kind} at {sizes}, {repeats} repeats")
        check_ms: list[list[float]] = [[] for _ in sizes]
        render_ms: list[list[float]] = [[] for _ in sizes]
        for repeat in range(repeats + 1):
            for index in range(len(sizes)):
                check_time = _timed(_check(generated[index]))
                render_time = _timed(_render_and_patch(pristine[index]))
                if repeat:  # the first round only warms the caches
                    check_ms[index].append(check_time)
                    render_ms[index].append(render_time)
        peaks = [[_peak_kib(_render_and_patch(root)) / 1024] for root in pristine]
        section.rows.append(_growth_row(f"probe --check, {kind}", "ms", sizes, check_ms))
        section.rows.append(
            _growth_row(f"probe generate (render+patch), {kind}", "ms", sizes, render_ms)
        )
        section.rows.append(_growth_row(f"probe generate peak heap, {kind}", "MiB", sizes, peaks))


def run(options: Options) -> Section:
    """Run the whole-process scale benchmark and the growth probe."""
    section = Section("scale", "Scale: 1,000 event types, 500 route handlers")
    started = time.perf_counter()
    whole_process(options, section)
    probe(options, section)
    section.notes.append(
        "growth rows compare with the bundled project measured in the same rounds; the probe "
        "runs `sync.compute` in one process (median of repeats; heap peak from tracemalloc) and "
        "judges linearity by the increment ratio (t(4n)-t(2n))/(t(2n)-t(n)): 2 when linear, "
        "4 when quadratic; a size-independent result (growth under 5%) counts as met."
    )
    section.seconds = time.perf_counter() - started
    return section
