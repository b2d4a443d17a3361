"""The OpenTelemetry sink (``sink = "opentelemetry"``), checked with the SDK's in-memory exporter.

One SDK ``LoggerProvider`` is installed globally for this module, the way an application would
(the API lets a process set it once; the fixture puts the API's globals back afterwards). What
happens without any SDK is checked in a fresh interpreter, where none was ever set.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate
from opentelemetry._logs import Logger as APILogger
from opentelemetry._logs import LoggerProvider as APILoggerProvider
from opentelemetry._logs import SeverityNumber, get_logger_provider, set_logger_provider
from opentelemetry._logs import _internal as logs_api_internals
from opentelemetry.sdk._logs import (
    LoggerProvider,
    LogRecordDroppedAttributesWarning,
    LogRecordLimits,
    ReadableLogRecord,
)
from opentelemetry.sdk._logs.export import (
    BatchLogRecordProcessor,
    InMemoryLogRecordExporter,
    SimpleLogRecordProcessor,
)
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.util._once import Once

from telemetry_cli.errors import ConfigError
from telemetry_cli.plan import plan_from_table
from tests.backend_support import imported_app
from tests.cli_support import make_project, run
from tests.layer_support import Layer, make_plan, render_tree, rendered_layer
from tests.test_layer_contract import load_contract, operations, served_openapi

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def _reset_logger_provider() -> None:
    # What opentelemetry-test-utils' reset_logging_globals does: the API allows one global
    # provider per process, and other test modules must find none.
    logs_api_internals._LOGGER_PROVIDER = None
    logs_api_internals._LOGGER_PROVIDER_SET_ONCE = Once()


@pytest.fixture(scope="module")
def provider() -> Iterator[LoggerProvider]:
    assert logs_api_internals._LOGGER_PROVIDER is None, "another test left a logger provider set"
    sdk = LoggerProvider(shutdown_on_exit=False)
    set_logger_provider(sdk)
    assert get_logger_provider() is sdk
    yield sdk
    sdk.shutdown()
    _reset_logger_provider()


@pytest.fixture(scope="module")
def memory(provider: LoggerProvider) -> InMemoryLogRecordExporter:
    exporter = InMemoryLogRecordExporter()
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    return exporter


@pytest.fixture(scope="module")
def layer(
    tmp_path_factory: pytest.TempPathFactory, memory: InMemoryLogRecordExporter
) -> Iterator[Layer]:
    root = tmp_path_factory.mktemp("otel-layer")
    with rendered_layer(root, sink="opentelemetry", redact=("customer_ref",)) as rendered:
        yield rendered


@pytest.fixture(autouse=True)
def exported(memory: InMemoryLogRecordExporter) -> Iterator[InMemoryLogRecordExporter]:
    memory.clear()
    yield memory
    memory.clear()


def records(exporter: InMemoryLogRecordExporter) -> list[ReadableLogRecord]:
    """The layer's records: FastAPI itself emits an event of its own for an unhandled error."""
    return [
        record
        for record in exporter.get_finished_logs()
        if record.instrumentation_scope is not None
        and record.instrumentation_scope.name == "app.analytics"
    ]


def attributes_of(record: ReadableLogRecord) -> dict[str, Any]:
    return dict(record.log_record.attributes or {})


def only_record(exporter: InMemoryLogRecordExporter) -> ReadableLogRecord:
    found = records(exporter)
    assert len(found) == 1, [record.to_json() for record in found]
    return found[0]


def unix_nanoseconds(timestamp: str) -> int:
    moment = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return (int(moment.timestamp()) * 1_000_000 + moment.microsecond) * 1000


SENSITIVE_PAYLOAD: dict[str, Any] = {
    "block_type": "quiz",
    "email": "ada@example.com",
    "user": {"sessionId": "s-3f9a", "plan": "pro"},
    "attempts": [{"token": "tk-77"}, 2],
    "customer_ref": "cr-123",
}
SECRETS = ("ada@example.com", "s-3f9a", "tk-77", "cr-123")


# --- the records ------------------------------------------------------------------------------


def test_log_emits_one_event_record(layer: Layer, exported: InMemoryLogRecordExporter) -> None:
    layer.event_logger.event_logger.log("ai_block_used", {"block_type": "quiz", "chapter": 3})
    record = only_record(exported)
    log_record = record.log_record
    assert log_record.event_name == "ai_block_used"
    assert log_record.severity_number == SeverityNumber.INFO
    assert log_record.severity_text == "INFO"
    assert log_record.body is None
    assert record.instrumentation_scope is not None
    assert record.instrumentation_scope.name == "app.analytics"
    attributes = dict(log_record.attributes or {})
    assert UUID4.fullmatch(attributes.pop("log.record.uid"))
    assert attributes == {"block_type": "quiz", "chapter": 3}


def test_record_keeps_the_event_id_and_timestamp(
    layer: Layer, exported: InMemoryLogRecordExporter
) -> None:
    event = layer.event_logger.event_logger.record("chapter_visit", {"chapter_id": "kinematics"})
    log_record = only_record(exported).log_record
    assert log_record.attributes is not None
    assert log_record.attributes["log.record.uid"] == event.event_id
    assert log_record.timestamp == unix_nanoseconds(event.timestamp)
    assert log_record.event_name == event.event_type


def test_payload_is_redacted_before_it_becomes_attributes(
    layer: Layer, exported: InMemoryLogRecordExporter
) -> None:
    layer.event_logger.event_logger.log("ai_block_used", SENSITIVE_PAYLOAD)
    record = only_record(exported)
    attributes = dict(record.log_record.attributes or {})
    assert attributes["email"] == "[redacted]"
    assert attributes["user"] == {"sessionId": "[redacted]", "plan": "pro"}
    assert attributes["attempts"] == ({"token": "[redacted]"}, 2)
    assert attributes["customer_ref"] == "[redacted]"  # the plan's own redact key
    exported_text = record.to_json()
    assert not [secret for secret in SECRETS if secret in exported_text]


def test_nested_values_stay_maps_and_arrays(
    layer: Layer, exported: InMemoryLogRecordExporter
) -> None:
    payload = {
        "big": 2**70,
        "small": -(2**63),
        "none": None,
        "ratio": 0.25,
        "flag": False,
        "nested": {"deep": [1, "two", {"three": 3.5, "huge": -(2**64)}]},
        "a.b": 1,
        "a": {"b": 2},
    }
    layer.event_logger.event_logger.log("ai_block_used", payload)
    attributes = dict(only_record(exported).log_record.attributes or {})
    del attributes["log.record.uid"]
    assert attributes == {
        "big": str(2**70),  # beyond 64 bits: a decimal string, as OTLP's AnyValue mapping says
        "small": -(2**63),
        "none": None,
        "ratio": 0.25,
        "flag": False,
        "nested": {"deep": (1, "two", {"three": 3.5, "huge": str(-(2**64))})},
        "a.b": 1,
        "a": {"b": 2},
    }


def test_empty_keys_are_dropped_by_the_sdk_and_the_rest_is_kept(
    layer: Layer, exported: InMemoryLogRecordExporter, caplog: pytest.LogCaptureFixture
) -> None:
    # As documented: "" is no valid attribute key (nor map key, to the SDK).
    payload = {"": 1, "nested": {"": 2, "kept": 3}, "other": [{"": 4}], "last": 5}
    with pytest.warns(LogRecordDroppedAttributesWarning):
        layer.event_logger.event_logger.log("ai_block_used", payload)
    attributes = attributes_of(only_record(exported))
    del attributes["log.record.uid"]
    assert attributes == {"nested": {"kept": 3}, "other": ({},), "last": 5}
    assert "invalid attribute key" in caplog.text


def test_a_payload_key_cannot_replace_the_event_id(
    layer: Layer, exported: InMemoryLogRecordExporter
) -> None:
    event = layer.event_logger.event_logger.record("ai_block_used", {"log.record.uid": "spoofed"})
    attributes = only_record(exported).log_record.attributes
    assert attributes is not None and attributes["log.record.uid"] == event.event_id


def test_rejected_and_disabled_events_emit_nothing(
    layer: Layer, exported: InMemoryLogRecordExporter
) -> None:
    module = layer.event_logger
    module.event_logger.log("not_an_event", {})
    module.event_logger.log("ai_block_used", {"bad": float("nan")})
    module.EventLogger(module.OpenTelemetrySink(), enabled=False).log("ai_block_used", {})
    assert records(exported) == []


def test_the_record_carries_the_active_span(
    layer: Layer, exported: InMemoryLogRecordExporter
) -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("request") as span:
        layer.event_logger.event_logger.log("ai_block_used", {"block_type": "quiz"})
    context = span.get_span_context()
    log_record = only_record(exported).log_record
    assert (log_record.trace_id, log_record.span_id) == (context.trace_id, context.span_id)


def test_every_event_arrives_once_under_concurrency(
    layer: Layer, exported: InMemoryLogRecordExporter
) -> None:
    logger = layer.event_logger.event_logger

    def burst(worker: int) -> None:
        for number in range(250):
            logger.log("ai_block_used", {"worker": worker, "number": number})

    threads = [threading.Thread(target=burst, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    found = records(exported)
    assert len(found) == 1000
    assert len({attributes_of(record)["log.record.uid"] for record in found}) == 1000
    pairs = {(attributes_of(record)["worker"], attributes_of(record)["number"]) for record in found}
    assert pairs == {(worker, number) for worker in range(4) for number in range(250)}


# --- the HTTP side ----------------------------------------------------------------------------


def test_post_log_emits_one_record(layer: Layer, exported: InMemoryLogRecordExporter) -> None:
    with TestClient(layer.app()) as client:
        response = client.post(
            f"{layer.prefix}/log",
            json={"event_type": "ai_block_used", "payload": SENSITIVE_PAYLOAD},
        )
    assert response.status_code == 202
    record = only_record(exported)
    assert record.log_record.event_name == "ai_block_used"
    assert record.log_record.attributes is not None
    assert record.log_record.attributes["log.record.uid"] == response.json()["event_id"]
    assert record.log_record.timestamp == unix_nanoseconds(response.json()["timestamp"])
    assert not [secret for secret in SECRETS if secret in record.to_json()]


def test_refused_requests_emit_nothing(layer: Layer, exported: InMemoryLogRecordExporter) -> None:
    with TestClient(layer.app()) as client:
        unknown = client.post(f"{layer.prefix}/log", json={"event_type": "nope"})
        not_json = client.post(
            f"{layer.prefix}/log", content=b"{", headers={"content-type": "application/json"}
        )
    assert (unknown.status_code, not_json.status_code) == (422, 422)
    assert records(exported) == []


def test_health_names_the_sink_and_the_sdk(layer: Layer) -> None:
    with TestClient(layer.app()) as client:
        answer = client.get(f"{layer.prefix}/health").json()
    assert answer["sink"] == "OpenTelemetrySink"
    assert answer["opentelemetry_sdk_configured"] is True
    assert answer["status"] == "ok"
    assert layer.event_logger.event_logger.health().opentelemetry_sdk_configured is True


def test_contract_is_valid_and_equals_the_served_api(layer: Layer) -> None:
    contract = load_contract(layer)
    validate(contract)
    assert operations(served_openapi(layer), layer.prefix) == operations(contract, layer.prefix)
    health = contract["components"]["schemas"]["HealthStatus"]
    assert "opentelemetry_sdk_configured" in health["required"]


# --- composition with QueueSink and flushing --------------------------------------------------


def test_queue_sink_composes(layer: Layer, exported: InMemoryLogRecordExporter) -> None:
    module = layer.event_logger
    queued = module.QueueSink(module.OpenTelemetrySink(), maxsize=2000)
    logger = module.EventLogger(queued, enabled=True)
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("request") as span:
        for number in range(500):
            logger.log("chapter_visit", {"number": number, "password": "hunter2"})
    logger.log("chapter_visit", {"number": 500})  # outside the span
    logger.flush()
    found = records(exported)
    assert [attributes_of(record)["number"] for record in found] == list(range(501))
    assert {attributes_of(record)["password"] for record in found[:500]} == {"[redacted]"}
    # Emitted from the queue's thread, in the context each event was logged in: the records
    # keep the span that was active then (the OpenTelemetry record's context is the event's).
    context = span.get_span_context()
    assert {(r.log_record.trace_id, r.log_record.span_id) for r in found[:500]} == {
        (context.trace_id, context.span_id)
    }
    assert found[500].log_record.trace_id == 0
    health = logger.health()
    assert (health.sink, health.dropped, health.failed) == ("QueueSink(OpenTelemetrySink)", 0, 0)
    queued.close()


def test_queued_records_keep_each_callers_span_under_threads_and_asyncio(
    layer: Layer, exported: InMemoryLogRecordExporter
) -> None:
    module = layer.event_logger
    queued = module.QueueSink(module.OpenTelemetrySink(), maxsize=5000)
    logger = module.EventLogger(queued, enabled=True)
    tracer = TracerProvider().get_tracer("test")
    spans: dict[str, tuple[int, int]] = {}

    def in_span(name: str) -> None:
        with tracer.start_as_current_span(name) as span:
            context = span.get_span_context()
            spans[name] = (context.trace_id, context.span_id)
            for number in range(200):
                logger.log("ai_block_used", {"caller": name, "number": number})

    async def task(name: str) -> None:
        with tracer.start_as_current_span(name) as span:
            context = span.get_span_context()
            spans[name] = (context.trace_id, context.span_id)
            for number in range(200):
                logger.log("ai_block_used", {"caller": name, "number": number})
                if number % 20 == 0:
                    await asyncio.sleep(0)  # interleave the tasks

    async def tasks() -> None:
        await asyncio.gather(*(task(f"task-{index}") for index in range(3)))

    threads = [threading.Thread(target=in_span, args=(f"thread-{n}",)) for n in range(3)]
    threads.append(threading.Thread(target=asyncio.run, args=(tasks(),)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    logger.flush()
    found = records(exported)
    assert len(found) == 1200
    assert len({attributes_of(record)["log.record.uid"] for record in found}) == 1200
    for name, ids in spans.items():
        mine = [record for record in found if attributes_of(record)["caller"] == name]
        assert [attributes_of(record)["number"] for record in mine] == list(range(200))
        assert {(r.log_record.trace_id, r.log_record.span_id) for r in mine} == {ids}
    queued.close()


def test_flush_exports_what_the_batch_processor_holds(
    layer: Layer, provider: LoggerProvider
) -> None:
    batched = InMemoryLogRecordExporter()
    # A long delay and a large batch: nothing is exported until something flushes.
    provider.add_log_record_processor(
        BatchLogRecordProcessor(batched, schedule_delay_millis=60_000, max_export_batch_size=512)
    )
    logger = layer.event_logger.event_logger
    for number in range(20):
        logger.log("ai_block_used", {"number": number})
    assert batched.get_finished_logs() == ()
    logger.flush()
    assert len(batched.get_finished_logs()) == 20


def test_a_flush_the_provider_reports_failed_is_a_sink_error(
    layer: Layer, provider: LoggerProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the SDK's batch processor answers once shut down: at once, so not a timeout.
    monkeypatch.setattr(provider, "force_flush", lambda timeout_millis=30_000: False)
    module = layer.event_logger
    with pytest.raises(module.SinkError, match="OpenTelemetrySink failed with RuntimeError"):
        module.event_logger.flush()
    with pytest.raises(RuntimeError, match=r"did not flush \(it returned False after 0\.0 s"):
        module.OpenTelemetrySink().close()
    # A provider whose force_flush returns nothing says nothing about failure.
    monkeypatch.setattr(provider, "force_flush", lambda timeout_millis=30_000: None)
    module.event_logger.flush()


def test_a_flush_that_hangs_times_out_and_runs_once_in_the_background(
    layer: Layer, provider: LoggerProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The SDK's batch processor ignores the timeout it is given: its force_flush exports on the
    # caller's thread and waits for an export in progress, forever if the exporter hangs.
    release = threading.Event()
    calls: list[int] = []

    def stuck(timeout_millis: int = 30_000) -> bool:
        calls.append(timeout_millis)
        release.wait(30)
        return True

    monkeypatch.setattr(provider, "force_flush", stuck)
    sink_module = sys.modules["app.analytics.opentelemetry_sink"]
    monkeypatch.setattr(sink_module, "FLUSH_TIMEOUT_SECONDS", 0.2)
    module = layer.event_logger
    sink = module.OpenTelemetrySink()
    try:
        for _ in range(3):
            started = time.monotonic()
            with pytest.raises(TimeoutError, match=r"did not flush in 0\.2 s"):
                sink.flush()
            assert time.monotonic() - started < 2
        # One stuck flush at a time: the later ones waited for it instead of adding threads.
        assert len(calls) == 1 and 0 < calls[0] <= 200
        with pytest.raises(module.SinkError, match="OpenTelemetrySink failed with TimeoutError"):
            module.EventLogger(sink, enabled=True).flush()
    finally:
        release.set()
    sink.flush()  # the stuck one finished: flushing works again
    assert len(calls) == 2


def test_a_flush_that_raises_is_a_sink_error(
    layer: Layer, provider: LoggerProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(timeout_millis: int = 30_000) -> bool:
        raise OSError("exporter detail")

    monkeypatch.setattr(provider, "force_flush", broken)
    module = layer.event_logger
    with pytest.raises(module.SinkError, match="OpenTelemetrySink failed with OSError"):
        module.EventLogger(module.OpenTelemetrySink(), enabled=True).flush()


def test_the_event_id_is_kept_under_a_low_attribute_limit_with_a_spoofed_key(
    layer: Layer,
) -> None:
    # A payload key named like the event id must not keep the id in its (first) place, where
    # an attribute count limit drops it first.
    limited = LoggerProvider(
        log_record_limits=LogRecordLimits(max_log_record_attributes=3), shutdown_on_exit=False
    )
    exporter = InMemoryLogRecordExporter()
    limited.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    sink = layer.event_logger.OpenTelemetrySink()
    sink.logger = limited.get_logger("app.analytics")
    logger = layer.event_logger.EventLogger(sink, enabled=True)
    with pytest.warns(LogRecordDroppedAttributesWarning):
        event = logger.record(
            "ai_block_used", {"log.record.uid": "spoofed", "a": 1, "b": 2, "c": 3}
        )
    [record] = exporter.get_finished_logs()
    assert attributes_of(record) == {"b": 2, "c": 3, "log.record.uid": event.event_id}
    limited.shutdown()


def test_health_survives_a_provider_that_fails_to_answer(
    layer: Layer, monkeypatch: pytest.MonkeyPatch
) -> None:
    class BrokenLogger(APILogger):
        def emit(self, *args: Any, **kwargs: Any) -> None:
            raise RuntimeError("emit broke")

        def enabled(self, **kwargs: Any) -> bool:
            raise RuntimeError("enabled broke")

    class BrokenProvider(APILoggerProvider):
        def get_logger(self, name: str, *args: Any, **kwargs: Any) -> APILogger:
            return BrokenLogger(name)

    monkeypatch.setattr(logs_api_internals, "_LOGGER_PROVIDER", BrokenProvider())
    module = layer.event_logger
    logger = module.EventLogger(module.OpenTelemetrySink(), enabled=True)
    logger.log("ai_block_used", {})
    with TestClient(layer.app(logger)) as client:
        health = client.get(f"{layer.prefix}/health")
        posted = client.post(f"{layer.prefix}/log", json={"event_type": "ai_block_used"})
    assert health.status_code == 200
    assert health.json()["opentelemetry_sdk_configured"] is False
    assert health.json()["status"] == "degraded"  # log() counted the failure
    assert posted.status_code == 503
    assert "broke" not in posted.text


# --- an instrumented route and the error hook, generated by the CLI ---------------------------


def test_instrumented_route_and_error_hook_emit_records(
    tmp_path: Path, exported: InMemoryLogRecordExporter
) -> None:
    root = make_project(tmp_path / "project", 'sink = "opentelemetry"')
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (root / "backend/app/analytics/opentelemetry_sink.py").is_file()
    with imported_app(root / "backend") as main:

        @main.app.get("/boom")
        def boom() -> None:
            raise RuntimeError("secret detail")

        with TestClient(main.app, raise_server_exceptions=False) as client:
            quiz = client.post("/api/ai/quiz/kinematics")
            asked = client.post(
                "/api/ai/ask-question",
                json={"question": "what is my password hunter2?", "chapter_id": "c1"},
            )
            failed = client.get("/boom")
    assert (quiz.status_code, asked.status_code, failed.status_code) == (200, 200, 500)
    found = records(exported)
    assert [record.log_record.event_name for record in found] == [
        "ai_block_used",
        "ai_block_used",
        "error_event",
    ]
    quiz_attributes = dict(found[0].log_record.attributes or {})
    assert quiz_attributes["chapter_id"] == "kinematics"
    assert quiz_attributes["handler"] == "quiz"
    assert "hunter2" not in json.dumps([json.loads(record.to_json()) for record in found])
    error_attributes = dict(found[2].log_record.attributes or {})
    assert error_attributes["exception"] == "RuntimeError"
    assert error_attributes["route"] == "/boom"
    assert "secret detail" not in found[2].to_json()


# --- without an SDK ---------------------------------------------------------------------------

NO_SDK_SCRIPT = """
import json, logging, sys

warnings = []

class Keep(logging.Handler):
    def emit(self, record):
        warnings.append(record.getMessage())

logging.getLogger().addHandler(Keep())
sys.path.insert(0, sys.argv[1])
from app.analytics.event_logger import event_logger
from app.analytics.telemetry_router import router
from fastapi import FastAPI
from fastapi.testclient import TestClient

event_logger.log("ai_block_used", {"block_type": "quiz"})
event = event_logger.record("chapter_visit", {"chapter_id": "c1"})
event_logger.flush()
app = FastAPI()
app.include_router(router)
with TestClient(app) as client:
    posted = client.post("/api/telemetry/log", json={"event_type": "ai_block_used"})
    health = client.get("/api/telemetry/health").json()
print(json.dumps({
    "is_enabled": event_logger.sink.is_enabled(),
    "event_id": event.event_id,
    "posted": posted.status_code,
    "health": health,
    "warnings": warnings,
    "sdk_imported": sorted(name for name in sys.modules if name.startswith("opentelemetry.sdk")),
}))
"""


def test_without_an_sdk_nothing_is_exported_and_nothing_fails(tmp_path: Path) -> None:
    plan = make_plan(tmp_path, sink="opentelemetry")
    render_tree(tmp_path, plan)
    result = subprocess.run(
        [sys.executable, "-c", NO_SDK_SCRIPT, str(tmp_path / plan.backend)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["is_enabled"] is False
    assert UUID4.fullmatch(outcome["event_id"])
    assert outcome["posted"] == 202
    assert outcome["health"]["sink"] == "OpenTelemetrySink"
    assert outcome["health"]["opentelemetry_sdk_configured"] is False
    assert outcome["health"]["status"] == "ok"
    assert (outcome["health"]["failed"], outcome["health"]["dropped"]) == (0, 0)
    assert outcome["warnings"] == []
    assert outcome["sdk_imported"] == []


# --- the plan key -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["kafka", "OpenTelemetry", "", 1, True, ["opentelemetry"]])
def test_sink_key_refuses_other_values(tmp_path: Path, value: object) -> None:
    with pytest.raises(ConfigError) as caught:
        plan_from_table({"sink": value}, root=tmp_path, config_file=tmp_path / "pyproject.toml")
    message = caught.value.message
    assert "sink" in message and '"logging" or "opentelemetry"' in message
    assert "\n" not in message


def test_the_logging_sink_is_the_default_and_switching_back_removes_the_module(
    tmp_path: Path,
) -> None:
    assert plan_from_table({}, root=tmp_path, config_file=tmp_path / "x.toml").sink == "logging"
    root = make_project(tmp_path / "project", 'sink = "opentelemetry"')
    assert run("generate", "--root", str(root)).exit_code == 0
    sink_module = root / "backend/app/analytics/opentelemetry_sink.py"
    assert sink_module.is_file()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    config = root / "pyproject.toml"
    config.write_text(config.read_text().replace('sink = "opentelemetry"', ""))
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    assert run("generate", "--root", str(root)).exit_code == 0
    assert not sink_module.exists()
    logger_source = (root / "backend/app/analytics/event_logger.py").read_text()
    assert "opentelemetry" not in logger_source
    assert run("generate", "--root", str(root), "--check").exit_code == 0


# --- telemetry-scaffold health ----------------------------------------------------------------


def test_cli_health_names_the_sink_and_the_sdk(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", 'sink = "opentelemetry"')
    assert run("generate", "--root", str(root)).exit_code == 0

    def health(*options: str) -> subprocess.CompletedProcess[str]:
        # A fresh process: this one has the module's SDK provider set.
        command = [sys.executable, "-m", "telemetry_cli", "health", "--root", str(root), *options]
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)

    shown = health()
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "sink: OpenTelemetrySink" in shown.stdout
    # In the CLI's own process no application configured an SDK: valid, so still ok.
    assert "opentelemetry sdk configured: false" in shown.stdout
    assert shown.stdout.startswith("ok (in-process)")
    document = json.loads(health("--json").stdout)
    assert document["layer"]["opentelemetry_sdk_configured"] is False
    assert document["status"] == "ok"


def test_a_remote_answer_with_a_bad_sdk_field_is_refused() -> None:
    from telemetry_cli.health import body_flaw

    answer = {
        "status": "ok",
        "enabled": True,
        "sink": "OpenTelemetrySink",
        "allowed_event_types": ["ai_block_used"],
        "opentelemetry_sdk_configured": True,
    }
    assert body_flaw(answer) is None
    assert body_flaw({**answer, "opentelemetry_sdk_configured": "yes"}) == (
        "'opentelemetry_sdk_configured' is a string, expected a boolean"
    )


def test_the_widest_payload_is_one_attribute_over_the_sdk_default(
    layer: Layer, exported: InMemoryLogRecordExporter
) -> None:
    # 128 keys, the payload limit, plus the event id: the SDK's default limit (128) drops the
    # oldest attribute, the first payload key, and keeps the event id (set last).
    payload = {f"key_{number:03d}": number for number in range(128)}
    with pytest.warns(LogRecordDroppedAttributesWarning):
        event = layer.event_logger.event_logger.record("ai_block_used", payload)
    record = only_record(exported)
    attributes = attributes_of(record)
    assert record.dropped_attributes == 1
    assert "key_000" not in attributes
    assert attributes["key_127"] == 127
    assert attributes["log.record.uid"] == event.event_id


# --- in a process of its own: exit, a hanging exporter, no API --------------------------------


def _run_in_a_fresh_process(
    tmp_path: Path, script: str, *, extra_path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    plan = make_plan(tmp_path, sink="opentelemetry")
    render_tree(tmp_path, plan)
    env = None
    if extra_path is not None:
        env = {**os.environ, "PYTHONPATH": str(extra_path)}
    return subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / plan.backend)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=env,
    )


EXIT_SCRIPT = """
import sys, time
sys.path.insert(0, sys.argv[1])
from app.analytics.event_logger import QueueSink, event_logger
from app.analytics.opentelemetry_sink import OpenTelemetrySink
from opentelemetry._logs import set_logger_provider
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import (
    LogRecordExporter, LogRecordExportResult, SimpleLogRecordProcessor,
)

class SlowExporter(LogRecordExporter):
    exported = 0

    def export(self, batch):
        time.sleep(0.005)
        SlowExporter.exported += len(batch)
        return LogRecordExportResult.SUCCESS

    def shutdown(self):
        print(f"exported {SlowExporter.exported} before shutdown", flush=True)

    def force_flush(self, timeout_millis=30000):
        return True

# As an application does it: after the layer was imported, shut down at exit by the SDK.
provider = LoggerProvider()
provider.add_log_record_processor(SimpleLogRecordProcessor(SlowExporter()))
set_logger_provider(provider)
event_logger.use_sink(QueueSink(OpenTelemetrySink()))
for number in range(100):
    event_logger.log("ai_block_used", {"number": number})
assert event_logger.health().queue_depth > 0
"""


def test_events_still_queued_at_exit_reach_the_sdk_before_it_shuts_down(
    tmp_path: Path,
) -> None:
    # The SDK provider registers its shutdown at exit after the layer was imported, so it ran
    # first: the queue then handed its events to a shut-down provider, which dropped them.
    result = _run_in_a_fresh_process(tmp_path, EXIT_SCRIPT)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "exported 100 before shutdown\n"
    assert "lost" not in result.stderr and "shutdown" not in result.stderr.lower()


HANGING_EXPORTER_SCRIPT = """
import logging, sys, threading, time
logging.basicConfig()
sys.path.insert(0, sys.argv[1])
import app.analytics.opentelemetry_sink as sink_module
sink_module.FLUSH_TIMEOUT_SECONDS = 0.5
from app.analytics.event_logger import event_logger
from app.analytics.telemetry_router import router
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry._logs import set_logger_provider
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import (
    BatchLogRecordProcessor, LogRecordExporter, LogRecordExportResult,
)

class HangingExporter(LogRecordExporter):
    def export(self, batch):
        threading.Event().wait()  # a collector that never answers
        return LogRecordExportResult.SUCCESS

    def shutdown(self):
        pass

    def force_flush(self, timeout_millis=30000):
        return True

provider = LoggerProvider(shutdown_on_exit=False)
provider.add_log_record_processor(BatchLogRecordProcessor(HangingExporter()))
set_logger_provider(provider)
app = FastAPI()
app.include_router(router)
started = time.monotonic()
with TestClient(app) as client:  # its exit runs the router's lifespan, which flushes
    posted = client.post("/api/telemetry/log", json={"event_type": "ai_block_used"})
    assert posted.status_code == 202, posted.text
try:
    event_logger.flush()
except Exception as exc:
    print(type(exc).__name__, exc)
print(f"took {time.monotonic() - started:.1f}")
"""


def test_a_hanging_exporter_does_not_hang_flush_or_shutdown(tmp_path: Path) -> None:
    result = _run_in_a_fresh_process(tmp_path, HANGING_EXPORTER_SCRIPT)
    assert result.returncode == 0, result.stderr
    failure, took = result.stdout.splitlines()
    assert failure == "SinkError OpenTelemetrySink failed with TimeoutError"
    assert float(took.removeprefix("took ")) < 10
    assert "Analytics events may be lost at shutdown" in result.stderr


SDK_SET_AFTER_IMPORT_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
from app.analytics.event_logger import event_logger
from app.analytics.opentelemetry_sink import OpenTelemetrySink
from opentelemetry._logs import get_logger_provider, set_logger_provider
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter

sink = event_logger.sink
assert isinstance(sink, OpenTelemetrySink)
event_logger.log("ai_block_used", {"number": 0})  # no provider yet: the API's no-op
proxy = sink.logger
exporter = InMemoryLogRecordExporter()
# As the quickstart does it: the provider is set after the layer was imported.
provider = LoggerProvider(shutdown_on_exit=False)
provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
set_logger_provider(provider)
for number in (1, 2):
    event_logger.log("ai_block_used", {"number": number})
scopes = [record.instrumentation_scope.name for record in exporter.get_finished_logs()]
numbers = [record.log_record.attributes["number"] for record in exporter.get_finished_logs()]
print(json.dumps({
    "scopes": scopes,
    "numbers": numbers,
    "same_logger": sink.logger is proxy,
    "provider_logger": sink.logger is get_logger_provider().get_logger("app.analytics", ""),
}))
"""


def test_a_sink_created_before_the_provider_takes_the_providers_logger(tmp_path: Path) -> None:
    # The process-wide logger's sink is created at import, before the app sets its provider:
    # its logger is then the API's proxy, which looks the provider's logger up on every call;
    # after the first event with the provider set, the sink holds the provider's logger itself.
    result = _run_in_a_fresh_process(tmp_path, SDK_SET_AFTER_IMPORT_SCRIPT)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["scopes"] == ["app.analytics", "app.analytics"]
    assert outcome["numbers"] == [1, 2]
    assert outcome["same_logger"] is False
    assert outcome["provider_logger"] is True


NO_API_SITE = """
import importlib.abc, sys

class NoOpenTelemetry(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "opentelemetry" or name.startswith("opentelemetry."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, NoOpenTelemetry())
"""


def test_without_the_api_the_import_fails_naming_the_fix(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NO_API_SITE, encoding="utf-8")
    script = "import sys; sys.path.insert(0, sys.argv[1]); import app.analytics.event_logger"
    result = _run_in_a_fresh_process(tmp_path / "layer", script, extra_path=site)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        "ModuleNotFoundError: No module named 'opentelemetry': the OpenTelemetry sink "
        '(sink = "opentelemetry" in the plan) needs opentelemetry-api 1.45 or newer: '
        "pip install 'opentelemetry-api>=1.45'"
    )
    # The CLI, in-process, says the same in one line.
    root = make_project(tmp_path / "project", 'sink = "opentelemetry"')
    assert run("generate", "--root", str(root)).exit_code == 0
    for command in ("health", "emit"):
        arguments = ["ai_block_used"] if command == "emit" else []
        shown = subprocess.run(
            [sys.executable, "-m", "telemetry_cli", command, *arguments, "--root", str(root)],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(site)},
        )
        assert "Traceback" not in shown.stderr
        assert (
            "cannot import app.analytics.event_logger from backend/: no module named "
            "'opentelemetry'; the OpenTelemetry sink (sink = \"opentelemetry\") needs "
            "opentelemetry-api 1.45 or newer: pip install 'opentelemetry-api>=1.45'"
        ) in shown.stdout + shown.stderr
