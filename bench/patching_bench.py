"""Patching big route modules: time and memory of `generate`, and of `--check` once up to date.

Targets (issue 8 and issue 12), each a ratio to a baseline measured in the same run:

* fresh `generate` of a 5,000-line module with 200 handlers: <= 2 s;
* fresh `generate` of a module with 2,000 handlers: <= 2 s and <= 150 MiB peak RSS;
* `--check` on either, up to date: <= 1.5x `--check` on the bundled project;
* growth from 100 to 2,000 handlers: linear (slope of log(time) over log(handlers) <= 1.1).

Whole processes are timed, interleaved round by round with the baseline, medians reported.
Run: ``.venv/bin/python bench/patching_bench.py [--rounds N]``; it prints a Markdown section.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).parent / "telemetry-scaffold")
LINES_PER_HANDLER = 25  # a body model, a handler with a docstring and a few statements


def route_module(handlers: int) -> str:
    """A route module of ``handlers`` handlers, about 25 lines each before instrumentation."""
    parts = [
        '"""Orders."""\n\nfrom fastapi import APIRouter\nfrom pydantic import BaseModel\n\n'
        'router = APIRouter(prefix="/orders")\n'
    ]
    for index in range(handlers):
        parts.append(
            f"""

class Line{index}(BaseModel):
    \"\"\"One order line of kind {index}.\"\"\"

    sku: str
    quantity: int = 1
    note: str | None = None


@router.post("/{{order_id}}/lines{index}/{{line_id}}")
async def add_line_{index}(order_id: int, line_id: str, line: Line{index}) -> dict[str, object]:
    \"\"\"Add a line of kind {index} to an order.\"\"\"
    total = line.quantity * {index + 1}
    if total > 100:
        total = 100
    # The reply echoes the identifiers so clients can match answers to requests.
    reply = {{"order": order_id, "line": line_id, "total": total}}
    return reply
"""
        )
    return "".join(parts)


def make_project(root: Path, handlers: int | None) -> Path:
    """The bundled project (``handlers`` None), or a small one with a big route module."""
    if root.exists():
        shutil.rmtree(root)
    if handlers is None:
        root.mkdir(parents=True)
        shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
        shutil.copy2(REPO / ".telemetry-scaffold.json", root / ".telemetry-scaffold.json")
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(REPO / "backend", root / "backend", ignore=ignore)
        shutil.copytree(REPO / "specs", root / "specs", ignore=ignore)
        return root
    (root / "backend/app/api").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "orders"\n\n[tool.telemetry-scaffold]\n'
        'instrument = { "api/orders.py" = "ai_block_used" }\n'
    )
    (root / "backend/app/__init__.py").write_text("")
    (root / "backend/app/api/__init__.py").write_text("")
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api import orders\n\n"
        "app = FastAPI()\napp.include_router(orders.router)\n"
    )
    (root / "backend/app/api/orders.py").write_text(route_module(handlers))
    return root


def run(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(argv)} exited {process.returncode}")
    return seconds, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="patching-bench-"))
    try:
        return _measure(work, options.rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _measure(work: Path, rounds: int) -> int:
    bundled = make_project(work / "bundled", None)
    sizes = (100, 200, 500, 1000, 2000)
    fresh: dict[int, list[tuple[float, float]]] = {size: [] for size in sizes}
    check: dict[int, list[float]] = {size: [] for size in (200, 2000)}
    baseline: list[float] = []
    for round_index in range(rounds + 1):  # the first round warms the caches up, discarded
        results: dict[str, float] = {}
        baseline_seconds, _ = run([CLI, "generate", "--check", "--root", str(bundled)])
        for size in sizes:
            root = make_project(work / f"h{size}", size)
            seconds, rss = run([CLI, "generate", "--root", str(root)])
            if round_index:
                fresh[size].append((seconds, rss))
            if size in check:
                results[f"check{size}"] = run([CLI, "generate", "--check", "--root", str(root)])[0]
        if round_index:
            baseline.append(baseline_seconds)
            for size in check:
                check[size].append(results[f"check{size}"])
    base = statistics.median(baseline)
    lines = (REPO / "bench").exists()
    del lines
    print("| what | median | ratio / bound | target |")
    print("|---|---|---|---|")
    print(f"| `generate --check`, bundled project (baseline) | {base * 1000:.0f} ms | 1.00x | |")
    for size in sizes:
        seconds = statistics.median(item[0] for item in fresh[size])
        rss = statistics.median(item[1] for item in fresh[size])
        source_lines = route_module(size).count("\n")
        target = "<= 2 s" if size in (200, 2000) else ""
        memory = " and <= 150 MiB" if size == 2000 else ""
        print(
            f"| fresh `generate`, {size:,} handlers ({source_lines:,} lines) | "
            f"{seconds:.2f} s, {rss:.0f} MiB peak | | {target}{memory} |"
        )
    for size in check:
        ratio = statistics.median(check[size]) / base
        print(
            f"| `--check`, {size:,} handlers, up to date | "
            f"{statistics.median(check[size]) * 1000:.0f} ms"
            f" | {ratio:.2f}x | <= 1.5x |"
        )
    xs = [math.log(size) for size in sizes]
    ys = [math.log(statistics.median(item[0] for item in fresh[size])) for size in sizes]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    # The fixed cost of a process (imports, templates) flattens the slope: fit the marginal
    # cost too, from the handlers' share of the time.
    fixed = statistics.median(item[0] for item in fresh[sizes[0]]) - (
        statistics.median(item[0] for item in fresh[sizes[1]])
        - statistics.median(item[0] for item in fresh[sizes[0]])
    )
    marginal = [
        math.log(max(statistics.median(item[0] for item in fresh[size]) - fixed, 1e-6))
        for size in sizes
    ]
    mean_m = statistics.fmean(marginal)
    marginal_slope = sum(
        (x - mean_x) * (m - mean_m) for x, m in zip(xs, marginal, strict=True)
    ) / sum((x - mean_x) ** 2 for x in xs)
    print(
        f"| growth of fresh `generate`, 100 to 2,000 handlers | slope {slope:.2f} "
        f"(of the per-handler part: {marginal_slope:.2f}) | | <= 1.1 |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
