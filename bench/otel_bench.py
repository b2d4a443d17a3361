"""``EventLogger.log`` through the OpenTelemetry sink, against the logging sink in the same run.

Issue 13's target: ``log()`` through ``OpenTelemetrySink`` on an SDK ``LoggerProvider`` with the
SDK's ``BatchLogRecordProcessor`` costs at most 2x ``log()`` through the placeholder
``LoggingSink`` (a ``StreamHandler`` on ``/dev/null``, as in ``logger_bench.py``).

Each timing is ``number`` calls of ``log()`` with the 5-key payload of ``logger_bench.py``, with
the variant's own flush after every ``FLUSH_EVERY`` calls, so that work a variant defers to a
thread (the batch processor's export, ``QueueSink``'s consumer) is paid inside the timing too.
``FLUSH_EVERY`` is below the batch processor's export batch (512 records) and queue (2,048): the
flush exports every record on the timed thread, none is dropped, and the timing does not depend
on when the processor's own thread gets the interpreter (a tight loop of 20,000 calls, which no
request handler makes, filled its queue on a loaded machine: records dropped, a warning logged for
each, the export of the others paid at the scheduler's pace). One more variant keeps that
processor's thread at work (a flush at the end of the round only), for the record, with no
target. The batch processor's exporter counts and discards: the figures are the layer's and the
SDK's cost, not a network's. The sinks are created before the SDK's provider is set, as the
layer's process-wide event logger is (created at import). Variants are interleaved, the first
round is discarded, and ratios are medians of per-round ratios. A second worker, where no SDK was
ever configured, times the sink as the no-op it then is.

``bench/run.py --only otel`` runs it; this file is also the workers' entry point.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from common import EVENT_TYPE, LOGGER_NAME, PAYLOAD, Options, Row, Section, Stats, ratio_row

TARGET = 2.0

#: Calls between two flushes of every variant: below the batch processor's export batch size.
FLUSH_EVERY = 500


def render_layer(root: Path) -> Path:
    """Render the analytics layer of a ``sink = "opentelemetry"`` plan under ``root``."""
    import workspace  # imports the tool: not in the workers

    from telemetry_cli.plan import Plan

    plan = Plan(root=root, config_file=root / "pyproject.toml", sink="opentelemetry")
    return workspace.render_layer(plan)


# --- the workers (fresh interpreters) ---------------------------------------------------------


def _timings(
    variants: dict[str, Callable[[], None]],
    flushes: dict[str, Callable[[], None]],
    repeats: int,
    number: int,
    every: dict[str, int] | None = None,
) -> dict[str, list[float]]:
    """ns per call of each variant (``number`` calls, its flush after every ``every[name]``
    calls: ``FLUSH_EVERY`` unless given), rounds interleaved."""
    samples: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for repeat in range(repeats + 1):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            function, flush = variants[name], flushes[name]
            chunk = min(number, (every or {}).get(name, FLUSH_EVERY))
            started = time.perf_counter()
            done = 0
            while done < number:  # the last chunk is short when chunk does not divide number
                for _ in range(min(chunk, number - done)):
                    function()
                flush()
                done += chunk
            elapsed = time.perf_counter() - started
            if repeat:  # round 0 warms caches (sensitive-key verdicts, the allocator)
                samples[name].append(elapsed / number * 1e9)
    return samples


def _quiet_handler() -> None:
    devnull = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115 - open for the process
    analytics = logging.getLogger(LOGGER_NAME)
    analytics.handlers.clear()
    analytics.addHandler(logging.StreamHandler(devnull))
    analytics.setLevel(logging.INFO)
    analytics.propagate = False


def worker_with_sdk(backend: Path, repeats: int, number: int) -> dict[str, Any]:
    """Time the logging sink, the OpenTelemetry sink and the same behind ``QueueSink``."""
    from opentelemetry._logs import set_logger_provider
    from opentelemetry.sdk._logs import LoggerProvider, ReadableLogRecord
    from opentelemetry.sdk._logs.export import (
        BatchLogRecordProcessor,
        LogRecordExporter,
        LogRecordExportResult,
    )

    class Discard(LogRecordExporter):
        """Counts what the batch processor exports, and drops it."""

        def __init__(self) -> None:
            self.count = 0

        def export(self, batch: Sequence[ReadableLogRecord]) -> LogRecordExportResult:
            self.count += len(batch)
            return LogRecordExportResult.SUCCESS

        def shutdown(self) -> None:
            """Nothing to release."""

        def force_flush(self, timeout_millis: int = 30_000) -> bool:  # noqa: ARG002
            """Nothing is buffered here."""
            return True

    _quiet_handler()
    sys.path.insert(0, str(backend))
    from app.analytics.event_logger import (  # type: ignore[import-not-found]
        EventLogger,
        LoggingSink,
        QueueSink,
    )
    from app.analytics.opentelemetry_sink import OpenTelemetrySink  # type: ignore[import-not-found]

    # Before the provider is set, as the layer's process-wide event logger is created.
    by_logging = EventLogger(LoggingSink(), enabled=True)
    direct = EventLogger(OpenTelemetrySink(), enabled=True)
    on_its_thread = EventLogger(OpenTelemetrySink(), enabled=True)
    queued_sink = QueueSink(OpenTelemetrySink(), maxsize=2 * number)
    queued = EventLogger(queued_sink, enabled=True)
    exporter = Discard()
    provider = LoggerProvider(shutdown_on_exit=False)
    provider.add_log_record_processor(BatchLogRecordProcessor(exporter))
    set_logger_provider(provider)
    emitted = {"count": 0}

    def counted(logger: Any) -> Callable[[], None]:
        def call() -> None:
            logger.log(EVENT_TYPE, PAYLOAD)
            emitted["count"] += 1

        return call

    def flush_provider() -> None:
        provider.force_flush()

    variants = {
        "logging": counted(by_logging),
        "opentelemetry": counted(direct),
        "opentelemetry, exported on the processor's thread": counted(on_its_thread),
        "QueueSink(opentelemetry)": counted(queued),
    }
    flushes: dict[str, Callable[[], None]] = {
        "logging": by_logging.flush,
        "opentelemetry": flush_provider,
        "opentelemetry, exported on the processor's thread": flush_provider,
        "QueueSink(opentelemetry)": queued.flush,  # waits for the queue, then the provider
    }
    by_logging.log(EVENT_TYPE, PAYLOAD)  # the handler works before anything is timed
    every = {"opentelemetry, exported on the processor's thread": number}
    samples = _timings(variants, flushes, repeats, number, every)
    provider.force_flush()
    otel_calls = emitted["count"] - (repeats + 1) * number  # minus the logging sink's calls
    return {"samples": samples, "emitted": otel_calls, "exported": exporter.count}


def worker_without_sdk(backend: Path, repeats: int, number: int) -> dict[str, Any]:
    """Time ``log()`` through the OpenTelemetry sink where no SDK was ever configured."""
    _quiet_handler()
    sys.path.insert(0, str(backend))
    from app.analytics.event_logger import EventLogger, LoggingSink
    from app.analytics.opentelemetry_sink import OpenTelemetrySink

    noop = EventLogger(OpenTelemetrySink(), enabled=True)
    by_logging = EventLogger(LoggingSink(), enabled=True)

    def no_sdk() -> None:
        noop.log(EVENT_TYPE, PAYLOAD)

    def logging_sink() -> None:
        by_logging.log(EVENT_TYPE, PAYLOAD)

    samples = _timings(
        {"logging": logging_sink, "opentelemetry, no SDK": no_sdk},
        {"logging": by_logging.flush, "opentelemetry, no SDK": noop.flush},
        repeats,
        number,
    )
    loaded = sorted(name for name in sys.modules if name.startswith("opentelemetry.sdk"))
    return {"samples": samples, "sdk_modules": loaded}


# --- the report -------------------------------------------------------------------------------


def _run_worker(kind: str, backend: Path, repeats: int, number: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", kind, str(backend)]
    command += ["--repeats", str(repeats), "--number", str(number)]
    env = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    env.pop("TELEMETRY_ENABLED", None)
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, check=False, timeout=900
    )
    if result.returncode != 0:
        raise RuntimeError(f"{kind} worker failed:\n{result.stderr.strip()[-2000:]}")
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def run(options: Options) -> Section:
    """Run both workers and compare the sinks."""
    section = Section("otel", "EventLogger.log through the OpenTelemetry sink (ns/call)")
    started = time.perf_counter()
    repeats, number = options.logger_repeats, options.logger_number
    import workspace  # imports the tool: not in the workers

    backend = render_layer(workspace.fresh_dir("otel"))
    with_sdk = _run_worker("sdk", backend, repeats, number)
    without = _run_worker("no-sdk", backend, repeats, number)
    samples: dict[str, list[float]] = with_sdk["samples"]
    base = samples["logging"]
    section.rows.append(
        Row("log(), LoggingSink (StreamHandler on /dev/null)", "ns/call", Stats.of(base))
    )
    section.rows.append(
        ratio_row(
            "log(), OpenTelemetrySink, SDK with BatchLogRecordProcessor",
            "ns/call",
            samples["opentelemetry"],
            "LoggingSink",
            base,
            f"<= {TARGET:g}x",
        )
    )
    section.rows.append(
        ratio_row(
            "log(), OpenTelemetrySink, same SDK, flushed once a round (export on its thread)",
            "ns/call",
            samples["opentelemetry, exported on the processor's thread"],
            "LoggingSink",
            base,
        )
    )
    section.rows.append(
        ratio_row(
            "log(), QueueSink(OpenTelemetrySink()), same SDK",
            "ns/call",
            samples["QueueSink(opentelemetry)"],
            "LoggingSink",
            base,
        )
    )
    noop: dict[str, list[float]] = without["samples"]
    section.rows.append(
        ratio_row(
            "log(), OpenTelemetrySink, no SDK configured (fresh process)",
            "ns/call",
            noop["opentelemetry, no SDK"],
            "LoggingSink",
            noop["logging"],
        )
    )
    dropped = with_sdk["emitted"] - with_sdk["exported"]
    section.notes.append(
        f"{repeats} rounds of {number:,} calls, the variant's flush after every "
        f"{FLUSH_EVERY:,} calls (work a variant defers to a thread is paid inside its timing; "
        "below the batch processor's export batch of 512, so the flush exports on the timed "
        "thread), but once a round for the row saying so; sinks created before the SDK's "
        "provider is set, as the process-wide event logger is; variants interleaved, first "
        "round discarded; ratios are medians of per-round ratios. The batch processor exported "
        f"{with_sdk['exported']:,} of the {with_sdk['emitted']:,} records emitted through the "
        "OpenTelemetry variants (its exporter counts and discards)"
        + (
            f"; the {dropped:,} others were dropped by the processor when its queue (2,048 "
            "records by default) filled up during the tight loop of a round flushed once"
            if dropped
            else ""
        )
        + f". Without an SDK, {len(without['sdk_modules'])} `opentelemetry.sdk` modules were "
        "loaded."
    )
    section.seconds = time.perf_counter() - started
    return section


def main() -> None:
    """Entry point of a worker process (``bench/run.py --only otel`` runs the benchmark)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", choices=["sdk", "no-sdk"], required=True)
    parser.add_argument("backend", type=Path)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--number", type=int, default=20_000)
    args = parser.parse_args()
    work = worker_with_sdk if args.worker == "sdk" else worker_without_sdk
    json.dump(work(args.backend, args.repeats, args.number), sys.stdout)


if __name__ == "__main__":
    main()
