"""The sink seam of the generated layer: failing sinks, async sinks, QueueSink, health, shutdown.

Every failure mode a real sink can have is injected here, most of them under concurrent load
from threads: ``log()`` must never raise an ``Exception``, ``record()`` must say ``SinkError``,
health must tell, and a slow sink behind ``QueueSink`` must not slow request handling down.
Slow sinks are simulated with events the test controls, not with timing, wherever possible.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import http.client
import json
import logging
import math
import queue
import socket
import statistics
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.layer_support import Layer, RecordingSink, make_plan, render_tree, rendered_layer

SECRET = "internal-detail-7f3a"  # in every exception message: must never reach a log record
MARKER = "payload-marker-5d1e"  # in every payload: must never reach a warning


@pytest.fixture(scope="module")
def layer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layer]:
    with rendered_layer(tmp_path_factory.mktemp("sinks")) as rendered:
        yield rendered


@pytest.fixture
def module(layer: Layer) -> Any:
    return layer.event_logger


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "app.analytics" and r.levelno >= logging.WARNING
    ]


def run_threads(count: int, work: Any) -> None:
    """Run ``work(index)`` in ``count`` threads and re-raise the first exception any raised."""
    errors: list[BaseException] = []

    def guarded(index: int) -> None:
        try:
            work(index)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


class Sink(RecordingSink):
    """A recording sink whose methods can be told to fail (every ``fail_every``-th call)."""

    def __init__(self, fail: str = "", fail_every: int = 1, error: type[BaseException] = OSError):
        super().__init__()
        self.fail, self.fail_every, self.error = fail, fail_every, error
        self.calls = 0
        self.raised = 0
        self.lock = threading.Lock()
        self.threads: set[str] = set()

    def _maybe_fail(self, method: str) -> None:
        self.threads.add(threading.current_thread().name)
        if method != self.fail:
            return
        with self.lock:
            self.calls += 1
            failing = self.calls % self.fail_every == 0
            if failing:
                self.raised += 1
        if failing:
            raise self.error(f"{method} broke near {SECRET}")

    def is_enabled(self) -> bool:
        self._maybe_fail("is_enabled")
        return True

    def emit(self, event: Any) -> None:
        self._maybe_fail("emit")
        super().emit(event)

    def flush(self) -> None:
        self._maybe_fail("flush")
        super().flush()

    def close(self) -> None:
        self._maybe_fail("close")
        super().close()


class GatedSink(RecordingSink):
    """A sink whose ``emit`` blocks until the test opens the gate: a stuck backend."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.emit_threads: set[str] = set()
        self.flush_threads: set[str] = set()

    def emit(self, event: Any) -> None:
        self.emit_threads.add(threading.current_thread().name)
        self.entered.set()
        assert self.gate.wait(30), "the test never opened the gate"
        super().emit(event)

    def flush(self) -> None:
        self.flush_threads.add(threading.current_thread().name)
        super().flush()


def stuck_queue(module: Any, **options: Any) -> tuple[GatedSink, Any, Any]:
    """A ``QueueSink`` whose consumer thread holds one event in a gated, stuck ``emit``."""
    inner = GatedSink()
    queued = module.QueueSink(inner, **options)
    logger = module.EventLogger(queued, enabled=True)
    logger.log("ai_block_used")
    assert inner.entered.wait(5)
    return inner, queued, logger


class PausedCall:
    """Runs ``call`` in a thread that stops on entering ``code`` until ``resume()``.

    It forces an interleaving through the public API: the other party of a race runs while
    this thread waits at the point the race is about (such as handing a request to a queue).
    """

    def __init__(self, code: Any, call: Any) -> None:
        self.code, self.call = code, call
        self.arrived, self._go = threading.Event(), threading.Event()
        self.errors: list[BaseException] = []
        self.seconds = 0.0
        self.thread = threading.Thread(target=self._run)
        self.thread.start()
        assert self.arrived.wait(5), "the call never reached the pause"

    def _trace(self, frame: Any, event: str, arg: object) -> None:
        if event == "call" and frame.f_code is self.code and not self.arrived.is_set():
            self.arrived.set()
            assert self._go.wait(30), "the test never resumed the call"

    def _run(self) -> None:
        sys.settrace(self._trace)
        try:
            self.call()
        except BaseException as exc:
            self.errors.append(exc)
        finally:
            sys.settrace(None)

    def resume(self) -> None:
        """Let the call go on from its pause; ``seconds`` is how long it then took."""
        started = time.monotonic()
        self._go.set()
        self.thread.join(10)
        assert not self.thread.is_alive(), "the call did not return"
        self.seconds = time.monotonic() - started


# --- failures of each sink method, under concurrent load -------------------------------------


@pytest.mark.parametrize("method", ["emit", "is_enabled"])
def test_log_never_raises_when_a_sink_method_fails_under_load(
    module: Any, caplog: pytest.LogCaptureFixture, method: str
) -> None:
    caplog.set_level(logging.INFO, logger="app.analytics")
    sink = Sink(fail=method, fail_every=3)
    logger = module.EventLogger(sink, enabled=True)
    threads, per_thread = 8, 1500

    def work(worker: int) -> None:
        for index in range(per_thread):
            assert logger.log("ai_block_used", {"worker": worker, "i": index, "m": MARKER}) is None

    run_threads(threads, work)
    total = threads * per_thread
    assert sink.raised == total // 3
    assert len(sink.events) == total - sink.raised
    health = logger.health()
    assert (health.status, health.failed, health.dropped) == ("degraded", sink.raised, 0)
    messages = warnings_of(caplog)
    # Failures are counted one by one but warned about at most once per interval.
    assert 1 <= len(messages) <= 3
    for message in messages:
        assert "Sink failed with OSError" in message
        assert SECRET not in message
        assert MARKER not in message


@pytest.mark.parametrize("method", ["emit", "flush", "close"])
def test_record_flush_and_close_report_sink_failures_as_sink_error(
    module: Any, method: str
) -> None:
    logger = module.EventLogger(Sink(fail=method), enabled=True)
    call = {
        "emit": lambda: logger.record("ai_block_used", {"m": MARKER}),
        "flush": logger.flush,
        "close": logger.close,
    }[method]
    with pytest.raises(module.SinkError) as raised:
        call()
    assert isinstance(raised.value.__cause__, OSError)
    assert SECRET not in str(raised.value)
    assert MARKER not in str(raised.value)


def test_record_raises_sink_error_when_is_enabled_fails_it_does_not_ask(module: Any) -> None:
    # record() always emits (its caller wants the event), so a broken is_enabled is not in its way.
    sink = Sink(fail="is_enabled")
    assert module.EventLogger(sink, enabled=True).record("ai_block_used").event_type
    assert len(sink.events) == 1


@pytest.mark.parametrize(
    "error", [KeyboardInterrupt, SystemExit, asyncio.CancelledError, GeneratorExit]
)
@pytest.mark.parametrize("method", ["emit", "is_enabled"])
def test_base_exceptions_that_are_not_exceptions_propagate(
    module: Any, method: str, error: type[BaseException]
) -> None:
    logger = module.EventLogger(Sink(fail=method, error=error), enabled=True)
    with pytest.raises(error):
        logger.log("ai_block_used", {"a": 1})


def test_a_failing_warning_handler_does_not_make_log_raise(module: Any) -> None:
    class Exploding(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            raise RuntimeError("handler broke")

        def handle(self, record: logging.LogRecord) -> bool:
            raise RuntimeError("handler broke")

    analytics = logging.getLogger("app.analytics")
    handler = Exploding()
    analytics.addHandler(handler)
    try:
        logger = module.EventLogger(module.LoggingSink(), enabled=True)
        previous = analytics.level
        analytics.setLevel(logging.INFO)
        logger.log("ai_block_used", {"a": 1})  # the record write fails, then the warning too
        logger.log("nope", {"a": 1})
        analytics.setLevel(previous)
        assert logger.health().failed == 1
    finally:
        analytics.removeHandler(handler)


def test_health_recovers_after_the_window(module: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sink = Sink(fail="emit", fail_every=2)
    logger = module.EventLogger(sink, enabled=True)
    logger.log("ai_block_used")
    assert logger.health().status == "ok"
    logger.log("ai_block_used")  # fails
    assert logger.health().status == "degraded"
    logger.log("ai_block_used")  # succeeds: the last attempt is fine, the failure is recent
    assert logger.health().status == "degraded"
    later = time.monotonic() + module.HEALTH_WINDOW_SECONDS + 1
    monkeypatch.setattr(module.time, "monotonic", lambda: later)
    health = logger.health()
    assert (health.status, health.failed) == ("ok", 1)


# --- re-entrancy: handlers and sinks that log events ------------------------------------------


class Relogging(logging.Handler):
    """A log handler that logs an analytics event for every record it sees (up to ``limit``)."""

    def __init__(self, logger: Any, payload: dict[str, Any], limit: int = 10_000) -> None:
        super().__init__()
        self.logger, self.payload, self.limit = logger, payload, limit
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if len(self.records) < self.limit:
            self.logger.log("ai_block_used", self.payload)


VALID = {"chapter_id": "c1", "block_type": "quiz"}


@pytest.mark.parametrize("queued", [False, True], ids=["direct", "queue-sink"])
def test_a_handler_that_logs_an_event_per_record_gets_one_record_not_a_loop(
    module: Any, queued: bool
) -> None:
    # Each record would log the next event: recursion to RecursionError through LoggingSink,
    # a consumer thread looping forever through QueueSink. The nested event is dropped instead.
    target = logging.Logger("relogging-target", logging.INFO)
    sink = module.LoggingSink(target)
    logger = module.EventLogger(module.QueueSink(sink) if queued else sink, enabled=True)
    handler = Relogging(logger, VALID)
    target.addHandler(handler)
    warned = Relogging(logger, VALID, limit=0)
    module._logger.addHandler(warned)
    try:
        logger.log("ai_block_used", VALID)
        logger.flush()
        time.sleep(0.05)  # a looping consumer thread would deliver more by now
        logger.flush()
    finally:
        module._logger.removeHandler(warned)
        logger.close()
    assert len(handler.records) == 1
    health = logger.health()
    assert health.failed == 1 and health.status == "degraded"
    assert any("logged while the sink" in r.getMessage() for r in warned.records)


def test_record_from_inside_a_sink_raises_sink_error(module: Any) -> None:
    raised: list[BaseException] = []

    class Recording(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            try:
                logger.record("ai_block_used", VALID)
            except Exception as exc:
                raised.append(exc)

    target = logging.Logger("recording-target", logging.INFO)
    target.addHandler(Recording())
    logger = module.EventLogger(module.LoggingSink(target), enabled=True)
    logger.record("ai_block_used", VALID)
    assert len(raised) == 1 and isinstance(raised[0], module.SinkError)


def test_a_handler_of_the_layers_warnings_that_logs_a_refused_event_stops(module: Any) -> None:
    # Every event this handler logs is refused, and each refusal is a warning it sees.
    logger = module.EventLogger(RecordingSink(), enabled=True)
    handler = Relogging(logger, {"ratio": math.nan})
    module._logger.addHandler(handler)
    try:
        logger.log("ai_block_used", {"ratio": math.nan})
    finally:
        module._logger.removeHandler(handler)
    # The refusal's warning makes the handler log an event: dropped as nested, counted, warned
    # about. That warning makes it log a second: dropped and counted, its warning rate-limited.
    messages = [record.getMessage() for record in handler.records]
    assert len(messages) == 2
    assert "payload numbers must be finite" in messages[0]
    assert "logged while the sink was handing on another event" in messages[1]
    assert logger.health().failed == 2
    assert logger.sink.events == []


def test_an_event_logged_while_the_sink_says_whether_it_is_enabled_is_dropped(
    module: Any,
) -> None:
    # Asking would log an event that asks again: recursion until RecursionError, after which
    # every level went on and recorded its event (about 500 for one log() call).
    asked: list[int] = []

    class Asking(RecordingSink):
        def is_enabled(self) -> bool:
            asked.append(1)
            logger.log("ai_block_used", VALID)  # a handler of a record it writes would do this
            return True

    logger = module.EventLogger(Asking(), enabled=True)
    logger.log("ai_block_used", VALID)
    assert (len(asked), len(logger.sink.events), logger.health().failed) == (1, 1, 1)


def test_an_event_a_task_started_by_emit_logs_is_dropped_as_the_deliverys_doing(
    module: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # The task inherits the delivery's context: each event it logs would start the next
    # delivery, and so another task, on the event loop without end.
    tasks: list[asyncio.Task[None]] = []

    class Spawning(RecordingSink):
        def emit(self, event: Any) -> None:
            super().emit(event)
            tasks.append(asyncio.get_running_loop().create_task(follow_up()))

    async def follow_up() -> None:
        logger.log("ai_block_used", VALID)

    async def main() -> None:
        logger.log("ai_block_used", VALID)
        await tasks[0]
        logger.log("ai_block_used", VALID)  # the app's own next event is recorded
        await tasks[1]

    logger = module.EventLogger(Spawning(), enabled=True)
    asyncio.run(main())
    assert len(logger.sink.events) == 2 and len(tasks) == 2
    assert logger.health().failed == 2
    assert sum("or by work started then" in m for m in warnings_of(caplog)) == 1


def test_a_sink_waiting_on_a_loop_thread_does_not_wait_for_itself(module: Any) -> None:
    # A sync sink over an async client: emit hands the event to a loop thread and waits. What
    # the coroutine logs (here directly; a handler of the client's log records would do the same)
    # would otherwise wait there for the loop thread it blocks.
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    class Bridging(RecordingSink):
        def emit(self, event: Any) -> None:
            asyncio.run_coroutine_threadsafe(self.send(event), loop).result(5)

        async def send(self, event: Any) -> None:
            self.events.append(event)
            logger.log("ai_block_used", VALID)

    logger = module.EventLogger(Bridging(), enabled=True)
    started = time.monotonic()
    try:
        logger.log("ai_block_used", VALID)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
    assert time.monotonic() - started < 4
    assert len(logger.sink.events) == 1
    assert logger.health().failed == 1


# --- async sinks are refused ------------------------------------------------------------------


async def _async_emit(event: Any) -> None:  # pragma: no cover - never awaited
    return None


class AsyncEmit(RecordingSink):
    async def emit(self, event: Any) -> None:  # type: ignore[override]  # pragma: no cover
        return None


class AsyncFlush(RecordingSink):
    async def flush(self) -> None:  # type: ignore[override]  # pragma: no cover
        return None


class AsyncGeneratorEmit(RecordingSink):
    async def emit(self, event: Any) -> Any:  # type: ignore[override]  # pragma: no cover
        yield event


class AwaitableCallable:
    async def __call__(self, event: Any) -> None:  # pragma: no cover
        return None


def _with_emit(emit: Any) -> RecordingSink:
    sink = RecordingSink()
    sink.emit = emit  # type: ignore[method-assign]
    return sink


ASYNC_SINKS = {
    "async-def-emit": AsyncEmit,
    "async-def-flush": AsyncFlush,
    "async-generator-emit": AsyncGeneratorEmit,
    "async-callable-object": lambda: _with_emit(AwaitableCallable()),
    "partial-of-async": lambda: _with_emit(functools.partial(_async_emit)),
    "async-function-attribute": lambda: _with_emit(_async_emit),
}


@pytest.mark.parametrize("make", ASYNC_SINKS.values(), ids=ASYNC_SINKS.keys())
def test_async_sinks_are_refused_with_a_clear_type_error(module: Any, make: Any) -> None:
    logger = module.EventLogger(RecordingSink(), enabled=True)
    for install in (
        logger.use_sink,
        lambda sink: module.EventLogger(sink),
        lambda sink: module.QueueSink(sink),
    ):
        with pytest.raises(TypeError, match=r"coroutine function.*QueueSink"):
            install(make())
    assert type(logger.sink) is RecordingSink


@pytest.mark.parametrize("missing", ["emit", "flush", "close"])
def test_objects_that_are_not_sinks_are_refused(module: Any, missing: str) -> None:
    methods = {name: lambda *args: None for name in ("emit", "flush", "close") if name != missing}
    with pytest.raises(TypeError, match=f"no {missing}"):
        module.EventLogger(enabled=True).use_sink(type("NotASink", (), methods)())


def test_a_sync_emit_returning_a_coroutine_is_a_counted_failure(
    module: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.analytics")
    sink = _with_emit(lambda event: _async_emit(event))  # not detectable before the call
    logger = module.EventLogger(sink, enabled=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine was never awaited" would be an error
        logger.log("ai_block_used", {"a": 1})
        with pytest.raises(module.SinkError):
            logger.record("ai_block_used", {"a": 1})
    assert logger.health().failed == 2
    assert any("TypeError" in message for message in warnings_of(caplog))


# --- QueueSink --------------------------------------------------------------------------------


def test_queue_sink_returns_at_once_while_the_backend_is_stuck(module: Any) -> None:
    inner = GatedSink()
    queued = module.QueueSink(inner, maxsize=100)
    logger = module.EventLogger(queued, enabled=True)
    for index in range(50):
        logger.log("ai_block_used", {"i": index})  # returns although nothing is delivered
    assert inner.entered.wait(5)
    health = logger.health()
    assert health.sink == "QueueSink(GatedSink)"
    assert health.queue_depth == 49  # one event is inside the stuck emit
    assert health.status == "ok"
    inner.gate.set()
    logger.flush()
    assert [event.payload["i"] for event in inner.events] == list(range(50))
    assert logger.health().queue_depth == 0
    # The wrapped sink is only ever called from the one consumer thread.
    assert inner.emit_threads == inner.flush_threads == {"telemetry-queue-sink"}
    logger.close()


def test_full_queue_drops_counts_and_answers_record_with_queue_full(
    module: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.analytics")
    inner = GatedSink()
    queued = module.QueueSink(inner, maxsize=5)
    logger = module.EventLogger(queued, enabled=True)
    logger.log("ai_block_used", {"i": -1})
    assert inner.entered.wait(5)  # the consumer holds one event; the queue itself is empty
    run_threads(4, lambda worker: [logger.log("ai_block_used", {"i": i}) for i in range(25)])
    with pytest.raises(module.QueueFullError):
        logger.record("ai_block_used", {"m": MARKER})
    assert issubclass(module.QueueFullError, module.SinkError)
    health = logger.health()
    assert (health.queue_depth, health.dropped, health.failed) == (5, 96, 0)
    assert health.status == "degraded"
    drops = [m for m in warnings_of(caplog) if "dropped" in m]
    assert 1 <= len(drops) <= 2  # rate-limited
    assert all(MARKER not in message for message in warnings_of(caplog))
    inner.gate.set()
    logger.flush()
    assert len(inner.events) == 6
    logger.close()


def test_queue_sink_delivers_everything_from_many_threads_in_order(module: Any) -> None:
    inner = Sink()
    queued = module.QueueSink(inner, maxsize=100_000)
    logger = module.EventLogger(queued, enabled=True)
    run_threads(
        8, lambda worker: [logger.log("ai_block_used", {"w": worker, "i": i}) for i in range(2000)]
    )
    logger.flush()
    assert len(inner.events) == 16_000
    for worker in range(8):
        mine = [e.payload["i"] for e in inner.events if e.payload["w"] == worker]
        assert mine == list(range(2000))
    logger.close()
    assert inner.closed


REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="none")


class ContextSink(RecordingSink):
    """Records, with each event, the request id of the context it is delivered in."""

    def emit(self, event: Any) -> None:
        self.events.append((event.payload["i"], event.payload["w"], REQUEST_ID.get()))


def test_queue_sink_delivers_each_event_in_the_context_it_was_logged_in(module: Any) -> None:
    inner = ContextSink()
    queued = module.QueueSink(inner, maxsize=10_000)
    logger = module.EventLogger(queued, enabled=True)

    def work(worker: int) -> None:
        for index in range(300):
            REQUEST_ID.set(f"thread-{worker}-{index // 100}")  # a new request every 100 events
            logger.log("ai_block_used", {"w": f"thread-{worker}", "i": index})

    async def request(name: str) -> None:
        REQUEST_ID.set(name)  # each task runs in a copy of the context
        for index in range(100):
            logger.log("ai_block_used", {"w": name, "i": index})
            await asyncio.sleep(0)

    async def requests() -> None:
        await asyncio.gather(*(request(f"task-{n}") for n in range(3)))

    run_threads(4, work)
    asyncio.run(requests())
    logger.flush()
    assert len(inner.events) == 4 * 300 + 3 * 100
    for index, worker, request_id in inner.events:
        if worker.startswith("thread-"):
            assert request_id == f"{worker}-{index // 100}"
        else:
            assert request_id == worker
    assert REQUEST_ID.get() == "none"  # the consumer thread's context did not leak back
    logger.close()


def test_failing_backend_behind_queue_is_counted_and_the_thread_goes_on(
    module: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.analytics")
    inner = Sink(fail="emit", fail_every=2)
    logger = module.EventLogger(module.QueueSink(inner), enabled=True)
    run_threads(4, lambda worker: [logger.log("ai_block_used", {"m": MARKER}) for _ in range(100)])
    logger.flush()
    health = logger.health()
    assert (health.failed, health.dropped, health.status) == (200, 0, "degraded")
    assert len(inner.events) == 200
    messages = warnings_of(caplog)
    assert messages and all(SECRET not in m and MARKER not in m for m in messages)
    assert any("QueueSink: Sink failed with OSError" in m for m in messages)
    logger.close()


def test_flush_times_out_on_a_stuck_backend(module: Any) -> None:
    inner, queued, logger = stuck_queue(module, timeout=0.2)
    with pytest.raises(TimeoutError, match="still queued"):
        queued.flush()
    with pytest.raises(module.SinkError, match="TimeoutError"):
        logger.flush()
    inner.gate.set()
    logger.flush()
    logger.close()


def test_flush_failure_of_the_backend_reaches_the_caller(module: Any) -> None:
    logger = module.EventLogger(module.QueueSink(Sink(fail="flush")), enabled=True)
    logger.log("ai_block_used")
    with pytest.raises(module.SinkError) as raised:
        logger.flush()
    assert isinstance(raised.value.__cause__, OSError)
    logger.close()


def test_close_delivers_stops_the_thread_and_refuses_later_events(
    module: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.analytics")
    inner = Sink()
    queued = module.QueueSink(inner)
    logger = module.EventLogger(queued, enabled=True)
    for index in range(20):
        logger.log("ai_block_used", {"i": index})
    thread = queued._thread
    logger.close()
    assert inner.closed
    assert len(inner.events) == 20
    assert thread is not None
    assert not thread.is_alive()
    logger.log("ai_block_used")
    with pytest.raises(module.SinkError, match="closed"):
        logger.record("ai_block_used")
    assert logger.health().dropped == 2
    logger.close()  # idempotent
    queued.flush()  # a no-op once closed


def test_a_flush_that_loses_the_race_with_close_returns_without_waiting(module: Any) -> None:
    # flush() found the sink open, then close() queued its request first: the close delivers
    # every event queued before the flush, so the flush is done, not timed out, and it is no
    # dropped event.
    inner, queued, logger = stuck_queue(module, timeout=5)
    flushing = PausedCall(queue.Queue.put.__code__, queued.flush)  # about to queue its request
    closing = threading.Thread(target=queued.close)
    closing.start()
    deadline = time.monotonic() + 5
    while logger.health().queue_depth < 1:  # the close request, behind the stuck event
        assert time.monotonic() < deadline, "close() never queued its request"
        time.sleep(0.001)
    threading.Timer(0.05, inner.gate.set).start()  # the backend recovers while flush waits
    flushing.resume()
    closing.join(5)
    assert flushing.errors == [] and flushing.seconds < 2
    assert len(inner.events) == 1 and inner.closed
    assert queued.stats().dropped == 0
    assert logger.health().status == "ok"


def test_a_flush_that_loses_the_race_after_the_thread_stopped_returns_at_once(
    module: Any,
) -> None:
    # flush() found the sink open, then close() ran to the end (the thread stopped) before the
    # flush queued its request: nobody will take it, and there is nothing left to wait for.
    inner = RecordingSink()
    queued = module.QueueSink(inner, timeout=5)
    queued.emit(module.EventLogger(RecordingSink(), enabled=True).record("ai_block_used"))
    flushing = PausedCall(queue.Queue.put.__code__, queued.flush)
    queued.close()
    flushing.resume()
    assert flushing.errors == [] and flushing.seconds < 1
    assert len(inner.events) == 1 and inner.closed


def test_an_emit_racing_a_close_before_any_event_is_refused_not_lost(module: Any) -> None:
    # emit() found the sink open and no consumer thread; close() then closed the sink itself:
    # no thread may start for a closed sink, and the event is refused as after close().
    inner = RecordingSink()
    queued = module.QueueSink(inner)
    event = module.EventLogger(RecordingSink(), enabled=True).record("ai_block_used")
    before = set(threading.enumerate())
    # Paused where emit() starts the consumer thread, after its check that the sink is open.
    emitting = PausedCall(type(queued)._start.__code__, functools.partial(queued.emit, event))
    queued.close()
    emitting.resume()
    assert [type(error) for error in emitting.errors] == [module.SinkError]
    assert "closed" in str(emitting.errors[0])
    assert inner.closed and inner.events == []
    assert queued.stats().dropped == 1
    assert [
        t for t in set(threading.enumerate()) - before if t.name == "telemetry-queue-sink"
    ] == []


def test_a_close_by_the_wrapped_sink_itself_delivers_the_queue_then_stops(module: Any) -> None:
    # The consumer thread cannot join itself: close() used to raise RuntimeError into the sink
    # and leave the thread running for ever.
    closed_inside: list[BaseException | None] = []

    class ClosingSink(GatedSink):
        def emit(self, event: Any) -> None:
            super().emit(event)
            if len(self.events) == 1:
                try:
                    queued.close()
                    closed_inside.append(None)
                except BaseException as exc:
                    closed_inside.append(exc)

    inner = ClosingSink()
    queued = module.QueueSink(inner, timeout=5)
    logger = module.EventLogger(queued, enabled=True)
    before = set(threading.enumerate())
    for index in range(3):
        logger.log("ai_block_used", {"i": index})
    assert inner.entered.wait(5)
    (consumer,) = set(threading.enumerate()) - before
    inner.gate.set()
    consumer.join(5)
    assert closed_inside == [None]
    assert not consumer.is_alive()
    assert [event.payload["i"] for event in inner.events] == [0, 1, 2] and inner.closed
    with pytest.raises(module.SinkError, match="closed"):
        logger.record("ai_block_used")
    logger.close()
    health = logger.health()
    assert (health.failed, health.dropped) == (0, 1)


def test_close_without_any_event_closes_the_backend_without_a_thread(module: Any) -> None:
    inner = Sink()
    queued = module.QueueSink(inner)
    queued.close()
    assert inner.closed
    assert queued._thread is None


def test_queue_sink_asks_the_backend_whether_it_is_enabled(module: Any) -> None:
    class Quiet(RecordingSink):
        def is_enabled(self) -> bool:
            return False

    inner = Quiet()
    logger = module.EventLogger(module.QueueSink(inner), enabled=True)
    logger.log("ai_block_used")
    logger.flush()
    assert inner.events == []
    assert module.QueueSink(RecordingSink()).is_enabled() is True


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"maxsize": 0}, ValueError),
        ({"maxsize": True}, ValueError),
        ({"maxsize": 1.5}, ValueError),
        ({"timeout": 0}, ValueError),
        ({"timeout": float("inf")}, ValueError),
        ({"timeout": "5"}, ValueError),
    ],
)
def test_queue_sink_options_are_checked(module: Any, options: dict[str, Any], error: type) -> None:
    with pytest.raises(error):
        module.QueueSink(RecordingSink(), **options)


def _run_script(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    plan = make_plan(tmp_path)
    render_tree(tmp_path, plan)
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(tmp_path / plan.backend)!r})
        from app.analytics.event_logger import EventLogger, QueueSink

        class FileSink:
            def __init__(self, path):
                self.path = path
            def emit(self, event):
                time.sleep(0.002)
                with open(self.path, "a") as out:
                    out.write(event.payload["tag"] + "\\n")
            def flush(self):
                pass
            def close(self):
                with open(self.path, "a") as out:
                    out.write("closed\\n")
        """
    ) + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )


def test_queued_events_are_delivered_at_interpreter_exit(tmp_path: Path) -> None:
    out = tmp_path / "events.txt"
    result = _run_script(
        tmp_path,
        f"""
        logger = EventLogger(QueueSink(FileSink({str(out)!r})), enabled=True)
        for index in range(30):
            logger.log("ai_block_used", {{"tag": f"event-{{index}}"}})
        # no flush, no close: atexit must deliver and close
        """,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_text().splitlines() == [f"event-{i}" for i in range(30)] + ["closed"]


def test_a_forked_child_gets_its_own_consumer_thread(tmp_path: Path) -> None:
    out = tmp_path / "events.txt"
    result = _run_script(
        tmp_path,
        f"""
        import os
        logger = EventLogger(QueueSink(FileSink({str(out)!r})), enabled=True)
        logger.log("ai_block_used", {{"tag": "parent-before"}})
        logger.flush()
        pid = os.fork()
        if pid == 0:
            logger.log("ai_block_used", {{"tag": "child"}})
            logger.flush()
            os._exit(0 if logger.health().failed == 0 else 3)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, status
        logger.log("ai_block_used", {{"tag": "parent-after"}})
        logger.close()
        """,
    )
    assert result.returncode == 0, result.stderr
    lines = out.read_text().splitlines()
    assert sorted(lines) == sorted(["parent-before", "child", "parent-after", "closed"])


# --- through the app: health, shutdown, latency -----------------------------------------------


@pytest.fixture
def shared_logger(module: Any) -> Iterator[Any]:
    """The process-wide logger (the one the router and its lifespan use), restored afterwards."""
    logger = module.event_logger
    previous, enabled = logger.sink, logger.enabled
    logger.enabled = True
    yield logger
    logger.use_sink(previous)
    logger.enabled = enabled


def test_health_endpoint_reports_the_queue_and_failures(layer: Layer, shared_logger: Any) -> None:
    inner = Sink(fail="emit", fail_every=2)
    queued = layer.event_logger.QueueSink(inner)
    shared_logger.use_sink(queued)
    with TestClient(layer.app()) as client:
        for _ in range(4):
            assert (
                client.post(f"{layer.prefix}/log", json={"event_type": "ai_block_used"}).status_code
                == 202
            )
        queued.flush()
        response = client.get(f"{layer.prefix}/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["sink"] == "QueueSink(Sink)"
    assert (body["failed"], body["dropped"], body["queue_depth"]) == (2, 0, 0)
    assert body["window_seconds"] == layer.event_logger.HEALTH_WINDOW_SECONDS
    queued.close()


def test_log_endpoint_answers_503_when_the_queue_is_full(layer: Layer, shared_logger: Any) -> None:
    inner = GatedSink()
    queued = layer.event_logger.QueueSink(inner, maxsize=2)
    shared_logger.use_sink(queued)
    with TestClient(layer.app()) as client:
        statuses = [
            client.post(f"{layer.prefix}/log", json={"event_type": "ai_block_used"}).status_code
            for _ in range(6)
        ]
        assert inner.entered.wait(5)
        inner.gate.set()
    # One event in the stuck emit (maybe), two queued, the rest refused: 503, never a lost 202.
    assert statuses[:2] == [202, 202]
    assert set(statuses[2:]) <= {202, 503}
    assert 503 in statuses
    assert len(inner.events) == statuses.count(202)
    queued.close()


def test_shutdown_flushes_the_queue_through_the_router_lifespan(
    layer: Layer, shared_logger: Any
) -> None:
    inner = GatedSink()
    shared_logger.use_sink(layer.event_logger.QueueSink(inner))
    entered: list[str] = []

    @asynccontextmanager
    async def own_lifespan(app: FastAPI) -> Any:
        entered.append("start")
        yield
        entered.append("stop")

    app = FastAPI(lifespan=own_lifespan)
    app.include_router(layer.router.router)

    def post_many(worker: int) -> None:
        for _ in range(25):
            response = client.post(f"{layer.prefix}/log", json={"event_type": "chapter_visit"})
            assert response.status_code == 202

    with TestClient(app) as client:
        run_threads(4, post_many)
        assert inner.events == []  # all queued behind the stuck backend when the app stops
        threading.Timer(0.2, inner.gate.set).start()  # the backend recovers during shutdown
    assert entered == ["start", "stop"]  # the host's own lifespan still runs
    assert len(inner.events) == 100
    assert inner.flushed >= 1
    # Flushed, not closed: the same process may start the app again (tests do).
    assert not inner.closed
    with TestClient(app) as client:
        client.post(f"{layer.prefix}/log", json={"event_type": "chapter_visit"})
    assert len(inner.events) == 101


def test_the_lifespan_flushes_when_the_app_raises_through_it(
    layer: Layer, shared_logger: Any
) -> None:
    # The flush sat after an unprotected `yield` (ruff's RUF075): an exception thrown into the
    # lifespan (a failing start-up of a lifespan nested in it, a server stopping on an error)
    # skipped it, and the events queued until then were not delivered.
    inner = RecordingSink()
    queued = layer.event_logger.QueueSink(inner)
    shared_logger.use_sink(queued)

    async def serve_and_fail() -> None:
        async with layer.event_logger.telemetry_lifespan(None):
            shared_logger.log("chapter_visit", {"chapter_id": "c1"})
            raise RuntimeError("the server stopped on an error")

    with pytest.raises(RuntimeError, match="stopped on an error"):
        asyncio.run(serve_and_fail())
    assert len(inner.events) == 1
    queued.close()


class LoopSink(RecordingSink):
    """A sink whose delivery runs a coroutine on the app's event loop and waits for it."""

    def __init__(self) -> None:
        super().__init__()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.gate = threading.Event()

    def emit(self, event: Any) -> None:
        assert self.gate.wait(30), "the test never opened the gate"
        assert self.loop is not None
        asyncio.run_coroutine_threadsafe(asyncio.sleep(0), self.loop).result(timeout=10)
        super().emit(event)


def test_shutdown_flush_leaves_the_loop_free_for_a_sink_that_needs_it(
    layer: Layer, shared_logger: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.analytics")
    inner = LoopSink()
    shared_logger.use_sink(layer.event_logger.QueueSink(inner, timeout=3))

    @asynccontextmanager
    async def own_lifespan(app: FastAPI) -> Any:
        inner.loop = asyncio.get_running_loop()
        yield

    app = FastAPI(lifespan=own_lifespan)
    app.include_router(layer.router.router)
    with TestClient(app) as client:
        for _ in range(5):
            assert (
                client.post(f"{layer.prefix}/log", json={"event_type": "chapter_visit"}).status_code
                == 202
            )
        threading.Timer(0.2, inner.gate.set).start()  # the worker needs the loop during shutdown
    # A flush blocking the loop would have waited for the queue's whole timeout, delivered
    # nothing, then warned.
    assert len(inner.events) == 5
    assert not [message for message in warnings_of(caplog) if "shutdown" in message]


def test_a_flush_stuck_at_shutdown_is_given_up_after_a_bound(
    layer: Layer,
    shared_logger: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.INFO, logger="app.analytics")
    stuck = threading.Event()

    class StuckFlush(RecordingSink):
        def flush(self) -> None:
            stuck.wait(30)

    shared_logger.use_sink(StuckFlush())
    monkeypatch.setattr(layer.event_logger, "SHUTDOWN_FLUSH_SECONDS", 0.3)
    try:
        with TestClient(layer.app()) as client:
            client.get(f"{layer.prefix}/health")
        # Said only when the bound gave up on the flush (it would have waited 30 s otherwise).
        assert any("did not flush in 0.3 s" in message for message in warnings_of(caplog))
    finally:
        stuck.set()


def test_a_failing_flush_at_shutdown_is_a_warning_not_a_crash(
    layer: Layer, shared_logger: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.analytics")
    shared_logger.use_sink(Sink(fail="flush"))
    with TestClient(layer.app()) as client:
        client.get(f"{layer.prefix}/health")
    assert any("lost at shutdown" in message for message in warnings_of(caplog))
    assert all(SECRET not in message for message in warnings_of(caplog))


# The app of the slow-sink test, served by uvicorn in its own process as in production: the
# instrumented route logs through the process-wide logger; POST /sink/{mode} installs a backend
# that takes no time ("fast"), or one that takes 50 ms per event, called directly ("direct") or
# behind QueueSink ("queued").
_SLOW_APP = """
import sys
import time

sys.path.insert(0, {backend!r})

from fastapi import FastAPI

from app.analytics.event_logger import QueueSink, event_logger
from app.analytics.telemetry_router import router


class SlowSink:
    def __init__(self):
        self.delay = 0.05

    def emit(self, event):
        time.sleep(self.delay)  # a remote collector taking 50 ms per event

    def flush(self):
        pass

    def close(self):
        pass


app = FastAPI()
app.include_router(router)
event_logger.enabled = True


@app.post("/sink/{{mode}}")
async def use(mode: str) -> dict[str, int]:
    previous = event_logger.sink
    if isinstance(previous, QueueSink):
        previous.sink.delay = 0  # drain the backlog quickly
    backend = SlowSink()
    if mode == "fast":
        backend.delay = 0
    event_logger.use_sink(QueueSink(backend, maxsize=100_000) if mode == "queued" else backend)
    previous.close()
    return {{"dropped": event_logger.health().dropped}}


@app.get("/work/{{item}}")
async def work(item: int) -> dict[str, int]:
    event_logger.log("ai_block_used", {{"route": "/work/{{item}}", "item": item}})
    return {{"item": item}}


@app.get("/other")
async def other() -> dict[str, str]:
    return {{"status": "ok"}}
"""


@contextmanager
def serving_slow_app(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """Serve the slow-sink app with uvicorn in a child process; yield its host and port."""
    plan = make_plan(tmp_path)
    render_tree(tmp_path, plan)
    (tmp_path / "slow_app.py").write_text(
        _SLOW_APP.format(backend=str(tmp_path / plan.backend)), encoding="utf-8"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "uvicorn", "slow_app:app", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--log-level", "warning", "--no-access-log"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.05)
        yield "127.0.0.1", port
    finally:
        server.terminate()
        server.wait(30)


def _request(connection: http.client.HTTPConnection, method: str, path: str) -> bytes:
    connection.request(method, path)
    response = connection.getresponse()
    body = response.read()
    assert response.status == 200, (path, response.status, body)
    return body


def _other_latencies(address: tuple[str, int], load: bool) -> list[float]:
    """Latencies of GET /other while (optionally) 8 clients keep calling the instrumented route."""
    stop = threading.Event()

    def hammer(worker: int) -> None:
        connection = http.client.HTTPConnection(*address, timeout=60)
        index = 0
        while not stop.is_set():
            _request(connection, "GET", f"/work/{worker * 100_000 + index}")
            index += 1
        connection.close()

    workers = [threading.Thread(target=hammer, args=(w,)) for w in range(8)] if load else []
    for worker in workers:
        worker.start()
    latencies: list[float] = []
    connection = http.client.HTTPConnection(*address, timeout=60)
    try:
        _request(connection, "GET", "/other")  # connected: the handshake is not measured
        time.sleep(0.2)
        for _ in range(15):
            started = time.perf_counter()
            _request(connection, "GET", "/other")
            latencies.append(time.perf_counter() - started)
            time.sleep(0.01)
    finally:
        connection.close()
        stop.set()
        for worker in workers:
            worker.join(60)
    return latencies


def test_a_slow_sink_behind_queue_sink_leaves_other_endpoints_fast(tmp_path: Path) -> None:
    with serving_slow_app(tmp_path) as address:
        control = http.client.HTTPConnection(*address, timeout=60)
        _request(control, "POST", "/sink/fast")
        fast = statistics.median(_other_latencies(address, load=True))
        _request(control, "POST", "/sink/queued")
        queued = statistics.median(_other_latencies(address, load=True))
        # Switching closes the QueueSink after its backlog drained: nothing was dropped.
        assert json.loads(_request(control, "POST", "/sink/direct")) == {"dropped": 0}
        direct = statistics.median(_other_latencies(address, load=True))
        control.close()
    # Called directly, every logged event blocks the server's event loop for 50 ms, and /other
    # waits behind them; behind QueueSink it answers about as fast as under the same load with
    # a backend that takes no time at all.
    assert direct >= 0.05
    assert queued < direct / 5, (fast, queued, direct)
    assert queued < 4 * fast, (fast, queued, direct)


def test_a_new_sink_starts_with_a_clean_record_and_its_own_warning(
    module: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.analytics")
    logger = module.EventLogger(Sink(fail="emit"), enabled=True)
    logger.log("ai_block_used")
    logger.log("ai_block_used")  # within the warning interval: counted, not warned about
    assert len(warnings_of(caplog)) == 1
    assert logger.health().status == "degraded"
    logger.use_sink(Sink(fail="emit"))
    assert logger.health().status == "ok"
    assert logger.health().failed == 2  # counts run since start
    logger.log("ai_block_used")
    assert len(warnings_of(caplog)) == 2
