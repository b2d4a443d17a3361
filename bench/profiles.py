"""Profiles that explain a figure: import time per package (``-X importtime``) and cProfile.

Both run ``python -m ...`` or ``-c``, which put the working folder first on ``sys.path``: give
them a ``cwd`` outside the checkout to profile an installed package rather than the checkout's.
"""

from __future__ import annotations

import io
import pstats
import re
import statistics
import subprocess
import sysconfig
import tempfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

from common import PROJECT_ROOT, PYTHON, bench_env

_SITE_PACKAGES = re.compile(r"\S*/site-packages/")


def import_times(
    args: Sequence[str],
    *,
    repeats: int = 3,
    python: str = PYTHON,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> dict[str, float]:
    """Return the import self-time in ms per top-level package of ``python -X importtime args``.

    Self times add up to the whole import cost without double counting; the median over
    ``repeats`` runs per package smooths the noise.
    """
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(repeats):
        result = subprocess.run(
            [python, "-X", "importtime", *args],
            capture_output=True,
            text=True,
            env=dict(env) if env is not None else bench_env(),
            cwd=cwd,
            check=False,
            timeout=300,
        )
        totals: dict[str, float] = defaultdict(float)
        for line in result.stderr.splitlines():
            if not line.startswith("import time:") or "imported package" in line:
                continue
            self_us, _, name = (part.strip() for part in line[len("import time:") :].split("|"))
            totals[name.strip().split(".")[0]] += int(self_us) / 1000
        for name, value in totals.items():
            samples[name].append(value)
    return {
        name: statistics.median(values + [0.0] * (repeats - len(values)))
        for name, values in samples.items()
    }


def describe_imports(
    label: str, times: dict[str, float], baseline: dict[str, float] | None = None, top: int = 8
) -> str:
    """Summarise import times: the biggest packages and, with a baseline, what comes on top."""
    total = sum(times.values())
    biggest = sorted(times.items(), key=lambda item: -item[1])[:top]
    lines = [
        f"{label}: imports take {total:.0f} ms (self time summed per top-level package, median "
        "of 3 runs)",
        "  largest: " + ", ".join(f"{name} {ms:.1f}" for name, ms in biggest),
    ]
    if baseline is not None:
        extra = {
            name: ms - baseline.get(name, 0.0)
            for name, ms in times.items()
            if ms - baseline.get(name, 0.0) > 1.0
        }
        added = sorted(extra.items(), key=lambda item: -item[1])[:top]
        lines.append(
            f"  beyond the baseline ({total - sum(baseline.values()):+.0f} ms): "
            + ", ".join(f"{name} +{ms:.1f}" for name, ms in added)
        )
    return "\n".join(lines)


def cprofile(
    args: Sequence[str],
    *,
    top: int = 15,
    sort: str = "cumulative",
    only: str = "",
    python: str = PYTHON,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> str:
    """Run ``python -m cProfile args`` and return the ``top`` entries, sorted by ``sort``.

    ``only`` is a regular expression on ``path:line(function)`` that keeps matching entries,
    e.g. ``"telemetry_cli"`` to see the tool's own functions without the import machinery.
    """
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "profile.out"
        subprocess.run(
            [python, "-m", "cProfile", "-o", str(output), *args],
            capture_output=True,
            text=True,
            env=dict(env) if env is not None else bench_env(),
            cwd=cwd,
            check=False,
            timeout=600,
        )
        if not output.is_file():
            return "(no profile written)"
        buffer = io.StringIO()
        stats = pstats.Stats(str(output), stream=buffer)
        stats.sort_stats(sort)
        if only:
            stats.print_stats(only, top)
        else:
            stats.print_stats(top)
    lines = [line.rstrip() for line in buffer.getvalue().splitlines()]
    # Drop pstats' preamble (file name, blank lines) but keep the totals and the table.
    start = next((i for i, line in enumerate(lines) if "function calls" in line), 0)
    prefixes = [sysconfig.get_paths()[key] + "/" for key in ("purelib", "stdlib")]
    prefixes.append(str(PROJECT_ROOT) + "/")

    def short(line: str) -> str:
        for prefix in prefixes:
            line = line.replace(prefix, "")
        return _SITE_PACKAGES.sub("", line)

    return "\n".join(short(line) for line in lines[start:] if line)
