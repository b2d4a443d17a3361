"""``EventLogger.log`` per call against the fair baseline: writing the same line as a record.

The baseline does what the logging sink must do at least, and nothing more: ``makeRecord`` and
``handle`` of the ready-made JSON line the generated logger wrote, through the *same* handler (a
``StreamHandler`` on ``/dev/null``). ``Logger.info`` would add a stack walk for the caller
(about 1.5 µs) that the sink skips, which would flatter the ratio.

The harness runs this file as a worker in a fresh interpreter (``--worker``) so that its own
imports and garbage do not weigh on the figures; the worker imports the generated logger from a
generated copy and prints one JSON document. It runs twice: with ``orjson`` importable (when it
is installed) and with ``orjson`` blocked, i.e. the standard library's ``json`` only. Variants
are interleaved and each ratio is taken within a round.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import json
import logging
import os
import pstats
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import workspace
from common import EVENT_TYPE, LOGGER_NAME, PAYLOAD, Options, Row, Section, Stats, log

TARGETS = {"orjson": 1.5, "stdlib": 2.0}
FLOORS = (
    "floor: record + encoding",
    "floor: record + encoding + validation",
    "floor: record + encoding + validation + id + timestamp",
)


def _worker(backend: Path, repeats: int, number: int, block_orjson: bool) -> dict[str, Any]:
    if block_orjson:
        sys.modules["orjson"] = None  # type: ignore[assignment]  # `import orjson` now fails
    sys.path.insert(0, str(backend))
    from app.analytics import analytics_models  # type: ignore[import-not-found]
    from app.analytics.event_logger import EventLogger, event_logger  # type: ignore[import-not-found]

    encoder = "stdlib" if getattr(analytics_models, "_ORJSON_ENCODE", None) is None else "orjson"
    # The stream stays open for the life of the worker process.
    devnull = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115
    handler = logging.StreamHandler(devnull)
    analytics = logging.getLogger(LOGGER_NAME)
    analytics.handlers.clear()
    analytics.addHandler(handler)
    analytics.setLevel(logging.INFO)
    analytics.propagate = False

    # Capture the exact line the generated logger writes, to write the same line on the baseline.
    capture = io.StringIO()
    capture_handler = logging.StreamHandler(capture)
    analytics.addHandler(capture_handler)
    event_logger.log(EVENT_TYPE, PAYLOAD)
    analytics.removeHandler(capture_handler)
    line = capture.getvalue().strip()
    if not line.startswith("{"):
        raise RuntimeError(f"the generated logger wrote no JSON line: {line!r}")

    baseline = logging.getLogger("bench.baseline")
    baseline.handlers.clear()
    baseline.addHandler(handler)
    baseline.setLevel(logging.INFO)
    baseline.propagate = False
    switched_off = EventLogger(enabled=False)
    analytics_level = analytics.setLevel

    def enabled() -> None:
        event_logger.log(EVENT_TYPE, PAYLOAD)

    def record_same_line() -> None:
        if baseline.isEnabledFor(logging.INFO):
            baseline.handle(
                baseline.makeRecord(baseline.name, logging.INFO, __file__, 0, line, (), None)
            )

    def info_same_line() -> None:
        baseline.info(line)

    def disabled_level() -> None:
        event_logger.log(EVENT_TYPE, PAYLOAD)

    def disabled_switch() -> None:
        switched_off.log(EVENT_TYPE, PAYLOAD)

    variants: dict[str, tuple[Callable[[], None], int]] = {
        "baseline": (record_same_line, logging.INFO),
        "Logger.info": (info_same_line, logging.INFO),
        "enabled": (enabled, logging.INFO),
        "disabled (level WARNING)": (disabled_level, logging.WARNING),
        "disabled (enabled=False)": (disabled_switch, logging.INFO),
    }
    # Where the enabled call's time goes: building the event, then the sink writing it. These
    # reach into the generated module's internals, so they are skipped if its shape changes.
    module = sys.modules["app.analytics.event_logger"]
    build_event = getattr(module, "_build_event", None)
    if callable(build_event):
        event = build_event(EVENT_TYPE, PAYLOAD)
        sink = event_logger.sink

        def build_only() -> None:
            build_event(EVENT_TYPE, PAYLOAD)

        def emit_only() -> None:
            sink.emit(event)

        variants["part: build the event"] = (build_only, logging.INFO)
        variants["part: sink.emit"] = (emit_only, logging.INFO)
    variants.update(_floors(module, analytics_models, analytics, line))
    samples: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for repeat in range(repeats + 1):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            function, level = variants[name]
            analytics_level(level)
            elapsed = timeit.timeit(function, number=number)
            if repeat:  # round 0 warms caches (sensitive-key verdicts, allocator)
                samples[name].append(elapsed / number * 1e9)
    analytics_level(logging.INFO)
    return {
        "encoder": encoder,
        "samples": samples,
        "line": line,
        "number": number,
        "profile": _profile(enabled),
    }


def _floors(
    module: Any, models: Any, analytics: logging.Logger, line: str
) -> dict[str, tuple[Callable[[], None], int]]:
    """The least a ``log()`` keeping the layer's promises does, written inline: its floor.

    Each floor writes the record the logging sink writes (the JSON line as message, the event
    dict attached as ``analytics_event``) through the same handler, and adds one promised step
    to the floor before it: encoding the event (the line must be the event's canonical JSON),
    validating the declared event's payload with its model, a fresh UUID4 and timestamp. None of
    them checks the payload's keys and values, redacts, builds an event object or handles
    errors. Skipped if the generated module's shape changes.
    """
    encode = getattr(models, "canonical_json", None)
    payload_models = getattr(models, "PAYLOAD_MODELS", None)
    new_id = getattr(module, "_new_event_id", None)
    timestamp = getattr(module, "_utc_timestamp", None)
    if not (callable(encode) and callable(new_id) and callable(timestamp)):
        return {}
    event = json.loads(line)
    event_id, stamp = event["event_id"], event["timestamp"]
    model = payload_models.get(EVENT_TYPE) if payload_models is not None else None
    validate = model.__pydantic_validator__.validate_python if model is not None else None
    info, name = logging.INFO, analytics.name

    def write(event_id: str, stamp: str) -> None:
        """The record of one event line, with its fields as ``analytics_event``."""
        fields = {
            "event_id": event_id,
            "event_type": EVENT_TYPE,
            "payload": PAYLOAD,
            "timestamp": stamp,
        }
        text = encode(fields)
        if analytics.isEnabledFor(info):
            record = analytics.makeRecord(name, info, __file__, 0, text, (), None)
            record.analytics_event = fields
            analytics.handle(record)

    def encoded() -> None:
        write(event_id, stamp)

    def validated() -> None:
        if validate is not None:
            validate(PAYLOAD)
        write(event_id, stamp)

    def identified() -> None:
        if validate is not None:
            validate(PAYLOAD)
        write(new_id(), timestamp())

    return {
        FLOORS[0]: (encoded, logging.INFO),
        FLOORS[1]: (validated, logging.INFO),
        FLOORS[2]: (identified, logging.INFO),
    }


def _profile(function: Callable[[], None], calls: int = 20_000) -> str:
    """Return where ``calls`` calls of ``function`` spend their time (cProfile, internal time)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        function()
    profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.strip_dirs().sort_stats("tottime").print_stats(14)
    lines = [line.rstrip() for line in buffer.getvalue().splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "function calls" in line), 0)
    return "\n".join(lines[start:])


def measure(backend: Path, repeats: int, number: int, block_orjson: bool) -> dict[str, Any]:
    """Run the worker on ``backend`` (a generated copy's backend folder) and return its result."""
    env = {key: value for key, value in os.environ.items() if key != "TELEMETRY_ENABLED"}
    command = [
        sys.executable,
        __file__,
        "--worker",
        str(backend),
        "--repeats",
        str(repeats),
        "--number",
        str(number),
    ]
    if block_orjson:
        command.append("--block-orjson")
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, check=False, timeout=600
    )
    if result.returncode != 0:
        raise RuntimeError(f"logger worker failed:\n{result.stderr.strip()[-2000:]}")
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _within_round(subject: list[float], base: list[float]) -> float:
    """Median over rounds of subject / baseline of the same round."""
    return statistics.median(s / b for s, b in zip(subject, base, strict=True))


def _rows(document: dict[str, Any], section: Section) -> None:
    encoder: str = document["encoder"]
    samples: dict[str, list[float]] = document["samples"]
    base = samples["baseline"]
    label = f"[{encoder}]"
    section.rows.append(Row(f"{label} makeRecord + handle (same line)", "ns/call", Stats.of(base)))
    ratio = _within_round(samples["Logger.info"], base)
    section.rows.append(
        Row(f"{label} Logger.info (same line)", "ns/call", Stats.of(samples["Logger.info"]),
            "makeRecord + handle", ratio)
    )  # fmt: skip
    ratio = _within_round(samples["enabled"], base)
    target = TARGETS[encoder]
    section.rows.append(
        Row(
            f"{label} EventLogger.log, enabled",
            "ns/call",
            Stats.of(samples["enabled"]),
            "makeRecord + handle",
            ratio,
            f"<= {target}x",
            ratio <= target,
        )
    )
    for part in ("build the event", "sink.emit"):
        if f"part: {part}" in samples:
            section.rows.append(
                Row(
                    f"{label}   part of enabled: {part}",
                    "ns/call",
                    Stats.of(samples[f"part: {part}"]),
                    "makeRecord + handle",
                    _within_round(samples[f"part: {part}"], base),
                )
            )
    for floor in FLOORS:
        if floor in samples:
            section.rows.append(
                Row(
                    f"{label}   {floor}",
                    "ns/call",
                    Stats.of(samples[floor]),
                    "makeRecord + handle",
                    _within_round(samples[floor], base),
                )
            )
    for name, text in (
        ("disabled (level WARNING)", "EventLogger.log, logger level WARNING"),
        ("disabled (enabled=False)", "EventLogger.log, telemetry switched off"),
    ):
        value = Stats.of(samples[name])
        section.rows.append(
            Row(
                f"{label} {text}",
                "ns/call",
                value,
                "1 µs",
                value.median / 1000,
                "<= 1.0x",
                value.median <= 1000,
            )
        )


def run(options: Options) -> Section:
    """Measure the generated ``EventLogger.log`` (see the module docstring)."""
    section = Section("logger", "EventLogger.log per call (ns/call, 5-key payload, same process)")
    started = time.perf_counter()
    copy = workspace.fresh_dir("logger")
    workspace.make_generated(copy)
    log(f"logger: {options.logger_repeats} repeats x {options.logger_number:,} calls, twice")
    modes = [False, True] if importlib.util.find_spec("orjson") is not None else [True]
    if len(modes) == 1:
        section.notes.append("orjson is not installed here: only the standard-library path ran")
    for block in modes:
        document = measure(copy / "backend", options.logger_repeats, options.logger_number, block)
        _rows(document, section)
        section.profiles.append(
            (
                f"cProfile: EventLogger.log, enabled, {document['encoder']} "
                "(20,000 calls, by internal time)",
                document["profile"],
            )
        )
        line = document["line"]
    section.notes.append(
        "baseline: `makeRecord` + `handle` of the exact line the generated logger wrote, through "
        "the same StreamHandler on /dev/null (what the logging sink does at the least); ratios "
        f"are medians of per-round ratios; {options.logger_number:,} calls per timing, variants "
        f"interleaved, first round discarded. Line logged: `{line}`"
    )
    section.notes.append(
        "floors (`_floors` in `bench/logger_bench.py`): the least a `log()` keeping the layer's "
        "promises does, written inline: the logging sink's record (the line as message, the "
        "event dict as `analytics_event`) of the event encoded with the layer's "
        "`canonical_json`; then also the declared payload validated by its model; then also a "
        "fresh id and timestamp. No payload walk, redaction, event object or error handling: "
        "what `EventLogger.log` costs beyond the last floor is those"
    )
    section.seconds = time.perf_counter() - started
    return section


def main() -> None:
    """Entry point of the worker process."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", type=Path, required=True, help="backend folder of a copy")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--number", type=int, default=20_000)
    parser.add_argument("--block-orjson", action="store_true", help="measure the stdlib path")
    args = parser.parse_args()
    json.dump(_worker(args.worker, args.repeats, args.number, args.block_orjson), sys.stdout)


if __name__ == "__main__":
    main()
