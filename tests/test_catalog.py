"""The event catalog in the generated layer: payload models, log()/record(), the endpoint,
tracking methods, the JSON Schema document, and what mypy says about tracking calls."""

from __future__ import annotations

import inspect
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telemetry_cli.catalog import _doc_constraints
from telemetry_cli.errors import ConfigError
from telemetry_cli.events import ValueSpec
from telemetry_cli.render import outputs_for
from tests.catalog_support import (
    LINE_LENGTHS_CATALOG,
    RICH_CATALOG,
    SINGLE_CATALOG,
    catalog_options,
    catalog_plan,
)
from tests.layer_support import (
    REPO_ROOT,
    Layer,
    RecordingSink,
    make_plan,
    rendered_layer,
    without_pragmas,
)

SCHEMA_PATH = "contracts/events.schema.json"
VALID = {
    "ai_block_used": {"chapter_id": "kinematics", "block_type": "quiz", "num_questions": 3},
    "quiz_completed": {
        "score": 0.75,
        "answers": ["a", "b"],
        "finished_at": "2025-01-27T09:30:00Z",
        "attempt": 2,
    },
    "settings_saved": {
        "json": "{}",
        "copy": 2,
        "model_config": "dark",
        "model_name": "gpt",
        "str": "s",
        "int": 4,
        "list": ["a"],
        "whole_number": 3,
        "validate": True,
    },
    "page_view": {},
}


@pytest.fixture(scope="module")
def layer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layer]:
    with rendered_layer(tmp_path_factory.mktemp("catalog"), **catalog_options()) as rendered:
        yield rendered


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def logger(layer: Layer, sink: RecordingSink) -> Any:
    return layer.event_logger.EventLogger(sink, enabled=True)


@pytest.fixture
def client(layer: Layer, logger: Any) -> TestClient:
    return TestClient(layer.app(logger))


def events_document(layer: Layer) -> dict[str, Any]:
    path = layer.root / layer.plan.feature_dir / SCHEMA_PATH
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


# --- the plan refuses what the generated code cannot carry ------------------------------------

PREFIX = "/tmp/pyproject.toml: [tool.telemetry-scaffold] "


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[events.list]",
            "events.list: 'list' is a Python keyword or builtin name; rename the event",
        ),
        (
            "[events.import]",
            "events.import: 'import' is a Python keyword or builtin name; rename the event",
        ),
        (
            '[events.x]\nproperties.self = { type = "string" }',
            "events.x.properties.self: 'self' cannot be a property name; rename it",
        ),
        (
            '[events.x]\nproperties.a = { type = "string", enum = ["ok", "two\\nlines"] }',
            "events.x.properties.a.enum: 'two\\nlines': a value is one line of printable text, "
            "at most 64 characters",
        ),
        (
            "[events.x]\nadditional-properties = true\n"
            'properties.additional_properties = { type = "string" }',
            "events.x.properties.additional_properties: 'additional_properties' cannot be a "
            "property name of an event with additional-properties; rename it",
        ),
        (
            '[events.x]\nproperties.a = { type = "string", enum = ["b"], max-length = 3 }',
            "events.x.properties.a.enum: an enum lists every value; drop min-length and max-length",
        ),
        (
            '[events.x]\nproperties.a = { type = "integer", maximum = 9007199254740992 }',
            "events.x.properties.a.maximum: must be within ±9007199254740991 (2^53 - 1), got "
            "9007199254740992",
        ),
        (
            '[events.error_event]\nproperties.code = { type = "integer" }',
            "capture-errors: the error hook logs 'error_event' with exception, method and route, "
            "but the declared event also requires code, which the hook cannot fill (or set "
            "capture-errors = false)",
        ),
        (
            '[events.error_event]\nproperties.code = { type = "integer", required = false }',
            "capture-errors: the error hook logs 'error_event' with exception, method and route, "
            "but the declared event does not declare exception; add properties.exception = { "
            'type = "string" } (or set capture-errors = false)',
        ),
        (
            '[events.error_event]\nproperties.exception = { type = "integer" }',
            "capture-errors: the error hook logs 'error_event' with exception, method and route, "
            "but the declared event declares exception otherwise; declare it as { type = "
            '"string" } (min-length = 1 at most, no max-length) (or set capture-errors = false)',
        ),
        # Any exception's class name must fit: a length limit would refuse the hook's events.
        (
            '[events.error_event]\nproperties.exception = { type = "string", max-length = 5 }',
            "capture-errors: the error hook logs 'error_event' with exception, method and route, "
            "but the declared event declares exception otherwise; declare it as { type = "
            '"string" } (min-length = 1 at most, no max-length) (or set capture-errors = false)',
        ),
        # Counts pydantic cannot take (it builds no validator for them) or JSON cannot carry.
        (
            '[events.x]\nproperties.a = { type = "string", max-length = 100000000000000000000 }',
            "events.x.properties.a.max-length: must be at most 9007199254740991 (2^53 - 1), got "
            "100000000000000000000",
        ),
        (
            '[events.x]\nproperties.a = { type = "array", items = { type = "string" }, '
            "max-items = 9007199254740992 }",
            "events.x.properties.a.max-items: must be at most 9007199254740991 (2^53 - 1), got "
            "9007199254740992",
        ),
        # A number bound is a float to pydantic: one a float cannot hold exactly would be another
        # number in the served OpenAPI than in the contract.
        (
            '[events.x]\nproperties.a = { type = "number", minimum = 123456789012345678901 }',
            "events.x.properties.a.minimum: is not exactly a float; write it as "
            "1.2345678901234568e+20",
        ),
        (
            '[events.x]\nproperties.a = { type = "number", maximum = 1' + "0" * 400 + " }",
            # Quoted cut short: an error line quotes the start of a bad value only.
            "events.x.properties.a.maximum: expected a finite number, got 1" + "0" * 79 + "...",
        ),
        # Names longer than the generated code's lines are laid out for.
        (
            f'[events.x]\nproperties.{"a" * 65} = {{ type = "string" }}',
            f"events.x.properties.{'a' * 65}: a property name is at most 64 characters",
        ),
        (
            f'[events.{"e" * 64}]\nproperties.{"c" * 13} = {{ type = "string", enum = ["a"] }}',
            f"events.{'e' * 64}.properties.{'c' * 13}: its enum's type name E{'e' * 63}"
            f"C{'c' * 12} and the property name are together longer than a line of generated "
            "code allows (90 > 89 characters); shorten the event type or the property name",
        ),
        (
            f"[events.{'e' * 64}]\nproperties.{'c' * 33} = "
            '{ type = "array", items = { type = "string", enum = ["a"] } }',
            f"events.{'e' * 64}.properties.{'c' * 33}: its enum's type name E{'e' * 63}"
            f"C{'c' * 32} is longer than a line of generated code allows (97 > 96 characters); "
            "shorten the event type or the property name",
        ),
        # The tracking methods' parameters read `datetime` in the class body.
        (
            '[events.datetime]\nproperties.a = { type = "string" }',
            "events.datetime: 'datetime' names a type of the tracking methods' parameters; "
            "rename the event",
        ),
    ],
)
def test_the_plan_refuses_what_the_generated_code_cannot_carry(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        catalog_plan(Path("/tmp"), "instrument = {}\n" + text)
    assert caught.value.message == PREFIX + message


def test_a_declared_error_event_the_hook_can_fill_is_fine() -> None:
    for text in (
        '[events.error_event]\nproperties.exception = { type = "string" }',
        "[events.error_event]\nadditional-properties = true",
    ):
        assert catalog_plan(Path("/tmp"), "instrument = {}\n" + text).event("error_event")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # A name of the generated modules: FreeFormPayload, BaseModel, EventLogger, QueueSink.
        (
            '[events.free_form]\nproperties.a = { type = "string" }',
            "events.free_form: the payload model of free_form would be the class "
            "FreeFormPayload, which is already a name of the generated modules; rename the "
            "event or the property",
        ),
        (
            '[events.base]\nproperties.model = { type = "string", enum = ["a", "b"] }',
            "events.base: the enum of base.model would be the class BaseModel, which is already "
            "a name of the generated modules; rename the event or the property",
        ),
        (
            '[events.event]\nproperties.logger = { type = "string", enum = ["a", "b"] }',
            "events.event: the enum of event.logger would be the class EventLogger, which is "
            "already a name of the generated modules; rename the event or the property",
        ),
        # An event's own names: its enum alias named like its payload model.
        (
            '[events.x]\nproperties.payload = { type = "string", enum = ["a", "b"] }',
            "events.x: the enum of x.payload would be the class XPayload, which is already the "
            "payload model of x; rename the event or the property",
        ),
        # Two events: a_b's payload model and a's enum of b_payload.
        (
            '[events.a_b]\nproperties.c = { type = "string" }\n'
            '[events.a]\nproperties.b_payload = { type = "string", enum = ["a", "b"] }',
            "events.a: the enum of a.b_payload would be the class ABPayload, which is already the "
            "payload model of a_b; rename the event or the property",
        ),
    ],
)
def test_generated_class_names_never_collide(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        catalog_plan(Path("/tmp"), "instrument = {}\n" + text)
    assert caught.value.message == PREFIX + message


@pytest.mark.parametrize("sink", ["logging", "opentelemetry"])
def test_reserved_names_are_every_name_the_generated_modules_bind(
    tmp_path: Path, sink: str
) -> None:
    """A generated class takes no name analytics_models.py or event_logger.py binds itself."""
    import ast

    from telemetry_cli.catalog import build_event
    from telemetry_cli.events import RESERVED_NAMES
    from telemetry_cli.render import render_outputs

    plan = catalog_plan(tmp_path, f'sink = "{sink}"\n' + RICH_CATALOG)
    generated = set()
    for spec in plan.events:
        event = build_event(spec)
        generated |= {event.payload_model, event.request_model}
        generated |= {alias for alias, _ in event.enums}
    bound = set()
    for output in render_outputs(plan):
        if Path(output.path).name not in ("analytics_models.py", "event_logger.py"):
            continue
        for node in ast.parse(output.content).body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                bound.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                bound |= {target.id for target in targets if isinstance(target, ast.Name)}
    # Generated names start with a capital: the module's lower-case names cannot collide.
    own = {name for name in bound if name[:1].isupper()} - generated
    assert own
    assert own <= RESERVED_NAMES, sorted(own - RESERVED_NAMES)


def test_the_schema_document_exists_only_with_declared_events(tmp_path: Path) -> None:
    names = {output.name for output in outputs_for(make_plan(tmp_path))}
    assert SCHEMA_PATH not in names
    names = {output.name for output in outputs_for(catalog_plan(tmp_path))}
    assert SCHEMA_PATH in names


# --- log() and record() -----------------------------------------------------------------------


def test_valid_payloads_are_recorded_as_sent(logger: Any, sink: RecordingSink) -> None:
    for event_type, payload in VALID.items():
        event = logger.record(event_type, payload)
        assert event.payload == payload
    assert [event.event_type for event in sink.events] == list(VALID)


def test_standard_context_properties_are_accepted_by_every_declared_event(logger: Any) -> None:
    context = {"route": ["/a", "/b"], "method": "GET,POST", "handler": "h", "block_type": "quiz"}
    for event_type, payload in VALID.items():
        assert logger.record(event_type, {**payload, **context}).payload["route"] == ["/a", "/b"]


# Each case: a payload that breaks one rule, the property named and pydantic's error type.
REFUSED: list[tuple[str, dict[str, Any], str | None, str]] = [
    ("ai_block_used", {}, "chapter_id", "missing"),
    ("ai_block_used", {"chapter_id": ""}, "chapter_id", "string_too_short"),
    ("ai_block_used", {"chapter_id": "x" * 101}, "chapter_id", "string_too_long"),
    ("ai_block_used", {"chapter_id": 5}, "chapter_id", "string_type"),
    ("ai_block_used", {"chapter_id": "c", "num_questions": "3"}, "num_questions", "int_type"),
    ("ai_block_used", {"chapter_id": "c", "num_questions": True}, "num_questions", "int_type"),
    ("ai_block_used", {"chapter_id": "c", "num_questions": 2.5}, "num_questions", "int_type"),
    ("ai_block_used", {"chapter_id": "c", "num_questions": 11}, "num_questions", "less_than_equal"),
    ("ai_block_used", {"chapter_id": "c", "block_type": "chat"}, "block_type", "literal_error"),
    ("ai_block_used", {"chapter_id": "c", "route": 7}, "route", "string_type"),
    ("ai_block_used", {"chapter_id": "c", "extra_key": 1}, None, "extra_forbidden"),
    ("quiz_completed", {**VALID["quiz_completed"], "score": True}, "score", "float_type"),
    ("quiz_completed", {**VALID["quiz_completed"], "score": 1.5}, "score", "less_than_equal"),
    ("quiz_completed", {**VALID["quiz_completed"], "answers": ["c"]}, "answers", "literal_error"),
    ("quiz_completed", {**VALID["quiz_completed"], "answers": "a"}, "answers", "list_type"),
    ("quiz_completed", {**VALID["quiz_completed"], "retried": 1}, "retried", "bool_type"),
    ("quiz_completed", {**VALID["quiz_completed"], "flags": [True] * 4}, "flags", "too_long"),
    ("quiz_completed", {**VALID["quiz_completed"], "route": "r" * 201}, "route", "string_too_long"),
    ("quiz_completed", {**VALID["quiz_completed"], "labels": [""]}, "labels", "string_too_short"),
    ("quiz_completed", {**VALID["quiz_completed"], "mode": "exam"}, "mode", "literal_error"),
    ("page_view", {"path": None, "referrer": []}, "referrer", "string_type"),
    # Properties whose model fields are aliased are named by the property.
    ("settings_saved", {"copy": 1}, "json", "missing"),
    ("settings_saved", {**VALID["settings_saved"], "json": 1}, "json", "string_type"),
    ("settings_saved", {**VALID["settings_saved"], "int": 5}, "int", "less_than_equal"),
    ("settings_saved", {**VALID["settings_saved"], "str": "s" * 11}, "str", "string_too_long"),
    ("settings_saved", {**VALID["settings_saved"], "json_": "x"}, None, "extra_forbidden"),
]


@pytest.mark.parametrize(
    ("event_type", "payload", "name", "kind"),
    REFUSED,
    ids=[f"{case[0]}-{case[3]}-{index}" for index, case in enumerate(REFUSED)],
)
def test_record_refuses_a_payload_naming_the_property(
    logger: Any, event_type: str, payload: dict[str, Any], name: str | None, kind: str
) -> None:
    error_class = type(logger).__module__, "EventValidationError"
    with pytest.raises(Exception) as caught:
        logger.record(event_type, payload)
    error = caught.value
    assert (type(error).__module__, type(error).__name__) == error_class
    assert error.field == "payload"
    assert error.property_name == name
    assert (error.problems[0].property_name, error.problems[0].kind) == (name, kind)
    where = f"property {name!r}: " if name else "payload: "
    assert str(error).startswith(where)


def test_refusals_list_the_declared_properties_by_their_names(logger: Any) -> None:
    with pytest.raises(Exception) as caught:
        logger.record("settings_saved", {**VALID["settings_saved"], "extra": 1})
    assert str(caught.value).endswith(
        "declared: json, copy, model_config, model_name, str, int, list, whole_number, validate, "
        "distance, theme, route, method, handler, block_type"
    )


def test_the_models_import_without_warnings(layer: Layer) -> None:
    # pydantic warns of a field that hides one of BaseModel's names or is in its namespace.
    module = layer.models.__name__
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", f"import {module}"],
        cwd=layer.root / layer.plan.backend,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_json_numbers_are_compared_as_json_does(logger: Any) -> None:
    # 1.0 is the integer 1 to JSON Schema: an integer property records it as the integer it is
    # declared (the caller's payload is left as it was); a number property keeps its float.
    payload = {"chapter_id": "c", "num_questions": 3.0}
    recorded = logger.record("ai_block_used", payload).payload
    assert type(recorded["num_questions"]) is int
    assert recorded == {"chapter_id": "c", "num_questions": 3}
    assert type(payload["num_questions"]) is float
    quiz = {**VALID["quiz_completed"], "score": 1.0, "attempt": 2.0}
    recorded = logger.record("quiz_completed", quiz).payload
    assert (type(recorded["attempt"]), type(recorded["score"])) == (int, float)
    assert '"attempt":2,' in logger.record("quiz_completed", quiz).to_json()
    # So does an array of integers, item by item; an array of numbers keeps its floats.
    quiz = {**VALID["quiz_completed"], "durations_ms": [1.0, 2], "weights": [1.0]}
    recorded = logger.record("quiz_completed", quiz).payload
    assert [type(item) for item in recorded["durations_ms"]] == [int, int]
    assert [type(item) for item in recorded["weights"]] == [float]
    # Beyond the integers a float holds exactly it is recorded as sent, not as 301 digits.
    quiz = {**VALID["quiz_completed"], "score": 1, "attempt": 1e300}
    assert type(logger.record("quiz_completed", quiz).payload["attempt"]) is float


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("2025-01-27T09:30:00Z", True),
        ("2025-01-27T09:30:00.123456789+05:30", True),
        ("2024-02-29T23:59:59-00:00", True),
        ("2025-01-27t09:30:00z", True),  # RFC 3339 letters are case-insensitive
        ("0001-01-01T00:00:00Z", True),
        ("2025-01-27T09:30:00", False),  # no offset
        ("2025-01-27 09:30:00Z", False),
        ("2025-01-27", False),
        ("2025-02-29T00:00:00Z", False),
        ("2025-13-01T00:00:00Z", False),
        ("2025-01-27T24:00:00Z", False),
        ("2025-01-27T23:59:60Z", False),  # no leap second
        ("2025-01-27T09:30:00+24:00", False),
        ("0000-01-01T00:00:00Z", False),
        ("\uff12\uff10\uff12\uff15-01-27T09:30:00Z", False),  # full-width digits
        ("2025-01-27T09:30:00Z\n", False),
    ],
)
def test_date_times_follow_rfc_3339(logger: Any, value: str, accepted: bool) -> None:
    payload = {**VALID["quiz_completed"], "finished_at": value}
    if accepted:
        assert logger.record("quiz_completed", payload).payload["finished_at"] == value
    else:
        with pytest.raises(ValueError, match="property 'finished_at': Value error, expected an"):
            logger.record("quiz_completed", payload)


def test_python_values_are_checked_in_their_json_form(logger: Any) -> None:
    aware = datetime(2025, 1, 27, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    payload = {**VALID["quiz_completed"], "finished_at": aware, "answers": ("a",)}
    event = logger.record("quiz_completed", payload)
    assert event.payload["finished_at"] == "2025-01-27T09:30:00+01:00"
    naive = {**VALID["quiz_completed"], "finished_at": datetime(2025, 1, 27, 9, 30)}
    with pytest.raises(ValueError, match="finished_at"):
        logger.record("quiz_completed", naive)


def test_validation_sees_the_value_before_redaction(logger: Any, sink: RecordingSink) -> None:
    # quiz_completed takes other properties: a sensitive one is checked as sent, then redacted.
    event = logger.record("quiz_completed", {**VALID["quiz_completed"], "password": "zS1Sz"})
    assert event.payload["password"] == "[redacted]"
    assert "zS1Sz" not in json.dumps([e.to_dict() for e in sink.events])


def test_the_refusal_names_no_value_and_no_undeclared_key(logger: Any) -> None:
    with pytest.raises(ValueError) as caught:
        logger.record("ai_block_used", {"chapter_id": "zQ1Qz" * 30, "zQ2Qz": "zQ3Qz"})
    text = str(caught.value) + repr(caught.value.problems)  # type: ignore[attr-defined]
    assert "zQ" not in text
    assert "declared: chapter_id, num_questions, route, method, handler, block_type" in text


def test_log_warns_once_and_never_raises(
    logger: Any, sink: RecordingSink, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="app.analytics"):
        logger.log("ai_block_used", {"chapter_id": 5, "num_questions": "zQ4Qz", "zQ5Qz": 1})
    warnings = [record.getMessage() for record in caplog.records]
    assert warnings == [
        "Dropped analytics event 'ai_block_used': property 'chapter_id': Input should be a valid "
        "string (and 2 more problems)"
    ]
    assert sink.events == []


def test_free_form_events_take_any_payload(logger: Any) -> None:
    payload = {"anything": {"nested": [1, "two"]}, "chapter_id": 5}
    assert logger.record("chapter_visit", payload).payload == payload


def test_payload_models_are_listed_by_event_type(layer: Layer) -> None:
    models = layer.models.PAYLOAD_MODELS
    assert {name: model.__name__ for name, model in models.items()} == {
        "ai_block_used": "AiBlockUsedPayload",
        "quiz_completed": "QuizCompletedPayload",
        "settings_saved": "SettingsSavedPayload",
        "page_view": "PageViewPayload",
    }


# --- tracking methods -------------------------------------------------------------------------


def test_tracking_methods_log_the_declared_properties(logger: Any, sink: RecordingSink) -> None:
    logger.track.ai_block_used(chapter_id="kinematics", block_type="quiz")
    logger.track.page_view()
    finished = datetime(2025, 1, 27, 9, 30, tzinfo=UTC)
    logger.track.quiz_completed(
        score=1, answers=["a"], finished_at=finished, attempt=1, seen_at=[finished], source="app"
    )
    assert [(event.event_type, event.payload) for event in sink.events] == [
        ("ai_block_used", {"chapter_id": "kinematics", "block_type": "quiz"}),
        ("page_view", {}),
        (
            "quiz_completed",
            {
                "score": 1,
                "answers": ["a"],
                "finished_at": "2025-01-27T09:30:00+00:00",
                "attempt": 1,
                "seen_at": ["2025-01-27T09:30:00+00:00"],
                "source": "app",
            },
        ),
    ]


def test_a_refused_tracking_call_warns_and_returns(
    logger: Any, sink: RecordingSink, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="app.analytics"):
        result = logger.track.ai_block_used(chapter_id="")
    assert result is None and sink.events == []
    assert [record.levelname for record in caplog.records] == ["WARNING"]


def test_tracking_signatures_are_keyword_only_and_typed(layer: Layer) -> None:
    tracker = layer.event_logger.EventTracker
    signature = inspect.signature(tracker.ai_block_used)
    parameters = list(signature.parameters.values())[1:]
    assert all(parameter.kind is inspect.Parameter.KEYWORD_ONLY for parameter in parameters)
    required = [p.name for p in parameters if p.default is inspect.Parameter.empty]
    assert required == ["chapter_id"]
    assert {p.name for p in parameters} == {
        "chapter_id", "num_questions", "block_type", "route", "method", "handler"
    }  # fmt: skip
    assert signature.return_annotation is None or signature.return_annotation == "None"
    quiz = inspect.signature(tracker.quiz_completed).parameters
    assert quiz["additional_properties"].kind is inspect.Parameter.VAR_KEYWORD
    assert not hasattr(tracker, "chapter_visit")  # free-form: no tracking method


# --- the endpoint -----------------------------------------------------------------------------


def test_the_endpoint_locates_the_property_without_quoting_the_request(
    client: TestClient, sink: RecordingSink, layer: Layer
) -> None:
    body = {"event_type": "ai_block_used", "payload": {"chapter_id": 7, "zQ6Qz": "zQ7Qz"}}
    response = client.post(f"{layer.prefix}/log", json=body)
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_type",
                "loc": ["body", "payload", "chapter_id"],
                "msg": "Input should be a valid string",
            },
            {
                "type": "extra_forbidden",
                "loc": ["body", "payload"],
                "msg": "a property that is not declared; declared: chapter_id, num_questions, "
                "route, method, handler, block_type",
            },
        ]
    }
    assert sink.events == []
    accepted = client.post(f"{layer.prefix}/log", json={"event_type": "page_view"})
    assert accepted.status_code == 202
    assert [event.payload for event in sink.events] == [{}]


# --- the JSON Schema document ---------------------------------------------------------------


def test_the_document_is_valid_json_schema_2020_12(layer: Layer) -> None:
    document = events_document(layer)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)
    assert list(document["$defs"]) == [
        "ai_block_used",
        "quiz_completed",
        "settings_saved",
        "page_view",
    ]
    assert document["properties"]["event_type"]["enum"] == list(layer.plan.event_types)


def test_the_document_validates_recorded_events(layer: Layer, logger: Any) -> None:
    validator = jsonschema.Draft202012Validator(
        events_document(layer), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for event_type, payload in [*VALID.items(), ("chapter_visit", {"x": [1]})]:
        recorded = logger.record(event_type, payload).to_dict()
        validator.validate(recorded)
    wrong = logger.record("page_view", {}).to_dict()
    wrong["payload"] = {"path": 5}
    assert not validator.is_valid(wrong)
    wrong["payload"] = {"path": "/"}
    wrong["event_type"] = "not_declared"
    assert not validator.is_valid(wrong)


# Payloads for the property test: for each property, a valid value, a near miss or something of
# another type; sometimes left out, sometimes null, sometimes keys the event does not declare.
# Strings never end with a newline: the python date-time checker of the jsonschema library
# (rfc3339-validator) accepts "...Z\n" through its regular expression's `$`, which RFC 3339
# does not; the layer refuses it (test_date_times_follow_rfc_3339).
_TEXT = st.text(max_size=6).filter(lambda text: not text.endswith("\n"))
_OTHERS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(-2.5, 2.5),
    _TEXT,
    st.lists(st.integers(0, 2), max_size=2),
    st.dictionaries(st.sampled_from(["k"]), st.integers(0, 1), max_size=1),
)


def _date_times() -> st.SearchStrategy[str]:
    moments = st.datetimes(
        min_value=datetime(1, 1, 1, 12),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5, minutes=-30))]),
    )
    good = moments.map(lambda moment: moment.isoformat())
    shapes = st.sampled_from(
        [
            "2025-02-29T00:00:00Z",
            "2024-02-29T00:00:00Z",
            "2025-01-27T09:30:00",
            "2025-01-27 09:30:00Z",
            "2025-01-27T09:30:00.Z",
            "2025-01-27T09:30Z",
            "2025-01-27T09:30:00z",
            "0000-01-01T00:00:00Z",
            "2025-04-31T00:00:00+01:00",
            "2025-01-27T09:30:00+1:00",
        ]
    )
    return st.one_of(good, shapes)


def _values(value: ValueSpec) -> st.SearchStrategy[Any]:
    """Mostly values of the property's type (some of them out of bounds), else anything."""
    return st.integers(0, 9).flatmap(lambda n: _typed(value) if n < 8 else _OTHERS)


def _typed(value: ValueSpec) -> st.SearchStrategy[Any]:
    if value.type == "array":
        assert value.items is not None
        most = (value.max_items if value.max_items is not None else 3) + 1
        return st.lists(_values(value.items), max_size=most)
    if value.enum:
        return st.sampled_from([*value.enum, value.enum[0].upper(), "other"])
    if value.type == "string":
        low = value.min_length or 0
        high = (value.max_length if value.max_length is not None else low + 5) + 1
        text = st.text(min_size=max(low - 1, 0), max_size=high)
        return text.filter(lambda text: not text.endswith("\n"))
    if value.type == "datetime":
        return _date_times()
    if value.type == "boolean":
        return st.booleans()
    low = value.minimum if value.minimum is not None else -10.0
    high = value.maximum if value.maximum is not None else 10.0
    edges = [low, high, low - 1, high + 1, low + 0.5]
    return st.one_of(
        st.integers(int(low) - 2, int(high) + 2) if abs(high - low) < 10**6 else st.integers(),
        st.floats(low - 1, high + 1, allow_nan=False),
        st.sampled_from(edges),
        st.sampled_from(edges).map(float),
    )


@st.composite
def payloads(draw: st.DrawFn, layer: Layer) -> tuple[str, dict[str, Any]]:
    event = draw(st.sampled_from(layer.plan.events))
    payload: dict[str, Any] = {}
    names = [item.name for item in event.properties] + ["route", "method", "handler"]
    for name in dict.fromkeys(names):
        spec = event.declared(name)
        value = spec.value if spec is not None else ValueSpec("string")
        required = spec is not None and spec.required
        if draw(st.integers(0, 9)) < (9 if required else 5):
            payload[name] = draw(_values(value))
    if draw(st.integers(0, 3)) == 0:
        payload.update(draw(st.dictionaries(st.sampled_from(["source", "zQ8Qz"]), _OTHERS)))
    return event.name, payload


def test_the_document_accepts_exactly_the_payloads_the_api_accepts(
    layer: Layer, client: TestClient
) -> None:
    document = events_document(layer)
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    validators = {
        name: jsonschema.Draft202012Validator(schema, format_checker=checker)
        for name, schema in document["$defs"].items()
    }
    outcomes: list[tuple[bool, bool]] = []

    @given(case=payloads(layer))
    @settings(
        max_examples=400,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: tuple[str, dict[str, Any]]) -> None:
        event_type, payload = case
        response = client.post(
            f"{layer.prefix}/log", json={"event_type": event_type, "payload": payload}
        )
        assert response.status_code in (202, 422), response.text
        accepted = response.status_code == 202
        valid = validators[event_type].is_valid(payload)
        assert accepted == valid, (payload, response.json())
        outcomes.append((accepted, valid))

    run()
    # Both verdicts came up often enough for the comparison to mean something.
    assert sum(accepted for accepted, _ in outcomes) >= 40
    assert sum(not accepted for accepted, _ in outcomes) >= 40


# --- what mypy says about tracking calls --------------------------------------------------

GOOD_CALLS = """
from datetime import UTC, datetime

from app.analytics.event_logger import event_logger


def record() -> None:
    event_logger.track.ai_block_used(chapter_id="c", block_type="quiz", num_questions=2)
    event_logger.track.page_view()
    event_logger.track.quiz_completed(
        score=0.5,
        answers=["a", "b"],
        finished_at=datetime.now(UTC),
        attempt=1,
        anything_else={"x": 1},
    )
"""

BAD_CALLS = """
from app.analytics.event_logger import event_logger


def record() -> None:
    event_logger.track.ai_block_used(chapter_id=5)
    event_logger.track.ai_block_used(chapterid="c")
    event_logger.track.ai_block_used(chapter_id="c", block_type="chat")
    event_logger.track.ai_block_used(chapter_id="c", num_questions="3")
    event_logger.track.page_view("/home")
    event_logger.track.chapter_visit(chapter_id="c")
    event_logger.track.quiz_completed(score=1.0, answers=["z"], finished_at="today", attempt=1)
"""


def _mypy(backend: Path, module: str) -> subprocess.CompletedProcess[str]:
    mypy = Path(sys.executable).parent / "mypy"
    command = [str(mypy)] if mypy.exists() else [sys.executable, "-m", "mypy"]
    return subprocess.run(
        [
            *command,
            "--config-file",
            str(REPO_ROOT / "pyproject.toml"),
            "--strict",
            "--no-incremental",
            "--show-error-codes",
            "-m",
            module,
        ],
        cwd=backend,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MYPYPATH": str(backend)},
    )


def test_mypy_checks_tracking_calls_against_the_plan(tmp_path: Path) -> None:
    root = tmp_path / "project"
    with rendered_layer(root, **catalog_options()) as layer:
        backend = root / layer.plan.backend
    (backend / "app" / "good_calls.py").write_text(GOOD_CALLS, encoding="utf-8")
    (backend / "app" / "bad_calls.py").write_text(BAD_CALLS, encoding="utf-8")
    good = _mypy(backend, "app.good_calls")
    assert good.returncode == 0, good.stdout + good.stderr
    bad = _mypy(backend, "app.bad_calls")
    assert bad.returncode == 1, bad.stdout
    lines = sorted(
        {int(match[1]) for match in re.finditer(r"bad_calls\.py:(\d+): error", bad.stdout)}
    )
    assert lines == [6, 7, 8, 9, 10, 11, 12], bad.stdout
    for code in ("arg-type", "call-arg", "attr-defined"):
        assert f"[{code}]" in bad.stdout, bad.stdout
    shutil.rmtree(root)


def test_the_rich_catalog_renders_deterministically(tmp_path: Path) -> None:
    from telemetry_cli.render import render_outputs

    first = render_outputs(catalog_plan(tmp_path / "a", RICH_CATALOG))
    second = render_outputs(catalog_plan(tmp_path / "b", RICH_CATALOG))
    assert [(f.path, f.content) for f in first] == [(f.path, f.content) for f in second]


def test_the_document_and_the_contract_state_the_same_payloads(layer: Layer) -> None:
    import yaml

    contract = yaml.safe_load(layer.contract_path.read_text(encoding="utf-8"))
    components = contract["components"]["schemas"]
    for name, schema in events_document(layer)["$defs"].items():
        model = layer.models.PAYLOAD_MODELS[name].__name__
        assert {**schema, "title": model} == {**components[model], "title": model}


def docstring_examples(module: Any) -> list[str]:
    """The literal blocks (after ``::``) of a module docstring, dedented."""
    import textwrap

    blocks: list[str] = []
    for chunk in (module.__doc__ or "").split("::\n\n")[1:]:
        lines = []
        for line in chunk.splitlines():
            if line and not line.startswith("    "):
                break
            lines.append(line)
        blocks.append(textwrap.dedent("\n".join(lines)).strip())
    return blocks


@pytest.mark.parametrize(
    "options",
    [
        {},
        catalog_options(),
        catalog_options(SINGLE_CATALOG),
        catalog_options(LINE_LENGTHS_CATALOG),
    ],
    ids=["free-form", "rich", "single", "line-lengths"],
)
def test_the_event_loggers_examples_record_an_event(tmp_path: Path, options: Any) -> None:
    # A reader copies them first: each call the docstring shows must be accepted, not warned about.
    with rendered_layer(tmp_path, **options) as rendered:
        sink = RecordingSink()
        logger = rendered.event_logger.EventLogger(sink, enabled=True)
        calls = [
            "\n".join(line for line in block.splitlines() if not line.startswith("from "))
            for block in docstring_examples(rendered.event_logger)
            if "event_logger.log(" in block or "event_logger.track." in block
        ]
        assert any("event_logger.log(" in call for call in calls)
        for count, call in enumerate(calls, start=1):
            exec(call, {"event_logger": logger})
            assert len(sink.events) == count, call


@pytest.mark.parametrize("first", ['"""', "a\\b", '\\"""', "'\"", '""""', "\\", 'x"'], ids=repr)
def test_the_event_loggers_examples_show_any_enum_value_as_written(
    tmp_path: Path, first: str
) -> None:
    # The examples use an enum's first value, in the module docstring: three double quotes
    # there ended it (a syntax error), and a backslash was read as an escape.
    values = [first, "plain"]
    options = catalog_options(
        'event-types = ["error_event"]\ninstrument = {}\n[events.picked]\n'
        f'properties.kind = {{ type = "string", enum = {json.dumps(values)} }}'
    )
    with rendered_layer(tmp_path, **options) as rendered:
        sink = RecordingSink()
        logger = rendered.event_logger.EventLogger(sink, enabled=True)
        calls = [
            block.splitlines()[-1]
            for block in docstring_examples(rendered.event_logger)
            if "event_logger.log(" in block or "event_logger.track." in block
        ]
        assert len(calls) == 2, calls
        for call in calls:
            exec(call, {"event_logger": logger})
        assert [event.payload for event in sink.events] == [{"kind": first}] * 2
        config = str(REPO_ROOT / "pyproject.toml")
        generated = tmp_path / rendered.plan.backend / "app" / "analytics" / "event_logger.py"
        # Checked without the pragmas that have a project's own ruff leave it alone.
        [copy] = without_pragmas([generated], tmp_path / "checked")
        module = str(copy)
        ruff = Path(sys.executable).parent / "ruff"
        for command in (["check"], ["format", "--check"]):
            result = subprocess.run(
                [str(ruff), *command, "--no-cache", "--config", config, module],
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (ValueSpec("string", min_length=1, max_length=1), ["exactly 1 character"]),
        (ValueSpec("string", min_length=3, max_length=3), ["exactly 3 characters"]),
        (ValueSpec("string", min_length=2, max_length=5), ["2 to 5 characters"]),
        (ValueSpec("string", min_length=0, max_length=5), ["at most 5 characters"]),
        (ValueSpec("string", min_length=0), []),
        (ValueSpec("string", max_length=0), ["empty"]),
        (ValueSpec("string", min_length=1), ["at least 1 character"]),
        (ValueSpec("number", minimum=2.5, maximum=2.5), ["exactly 2.5"]),
        (ValueSpec("number", minimum=0, maximum=1), [">= 0", "<= 1"]),
        (
            ValueSpec("array", items=ValueSpec("string", min_length=1, max_length=1), max_items=1),
            ["at most 1 item", "each exactly 1 character"],
        ),
        (ValueSpec("array", items=ValueSpec("boolean"), max_items=0), ["empty"]),
    ],
)
def test_constraints_read_as_plain_english(value: ValueSpec, words: list[str]) -> None:
    # The data model's table says "exactly 1 character", never "1 to 1 characters".
    assert _doc_constraints(value) == words


@pytest.mark.parametrize(
    ("declaration", "helpers"),
    [
        ('{ type = "string", min-length = 1 }', set()),
        ('{ type = "string", enum = ["a", "b"] }', set()),
        ('{ type = "integer" }', {"Integer", "whole_number"}),
        ('{ type = "integer", minimum = 0 }', {"whole_number"}),
        ('{ type = "number", maximum = 1 }', {"Number"}),
        ('{ type = "array", items = { type = "boolean" }, max-items = 2 }', {"Boolean"}),
        ('{ type = "array", items = { type = "datetime" } }', {"DateTimeString"}),
        ('{ type = "array", items = { type = "integer", maximum = 3 } }', {"whole_number"}),
    ],
)
def test_the_models_module_defines_the_helpers_its_fields_use_and_no_others(
    tmp_path: Path, declaration: str, helpers: set[str]
) -> None:
    import ast

    from telemetry_cli.render import render_outputs

    plan = catalog_plan(tmp_path, f"[events.thing_done]\nproperties.x = {declaration}\n")
    [models] = [
        rendered.content
        for rendered in render_outputs(plan)
        if rendered.path.endswith("/analytics_models.py")
    ]
    assert models is not None
    tree = ast.parse(models)
    everything = {"Integer", "Number", "Boolean", "DateTimeString", "whole_number"}
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)} | {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    [payload] = [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == "ThingDonePayload"
    ]
    used = {node.id for node in ast.walk(payload) if isinstance(node, ast.Name)}
    assert defined & everything == helpers
    assert used & everything <= helpers


def _shadowed_names() -> list[str]:
    """Every public name a payload model's class finds on BaseModel or on its metaclass."""
    from pydantic import BaseModel

    found = {name for name in dir(BaseModel) if not name.startswith("_")}
    found |= {name for name in dir(type(BaseModel)) if not name.startswith("_")}
    return sorted(found)


def test_property_names_shadowing_base_model_or_its_metaclass_are_aliased(
    tmp_path: Path,
) -> None:
    # register (ABCMeta) and mro (type) are found on the model class too: a field of that name
    # warned, and took the bound method as its default, so a payload without it was recorded.
    names = _shadowed_names()
    assert {"register", "mro", "model_dump", "copy"} <= set(names)
    lines = [f'properties.{name} = {{ type = "integer" }}' for name in names]
    head = 'event-types = ["error_event"]\ninstrument = {}\n\n[events.shadowed]\n'
    text = head + "\n".join(lines) + "\n"
    with rendered_layer(tmp_path, **catalog_options(text)) as rendered:
        result = subprocess.run(
            [sys.executable, "-W", "error", "-c", f"import {rendered.models.__name__}"],
            cwd=rendered.root / rendered.plan.backend,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        logger = rendered.event_logger.EventLogger(RecordingSink(), enabled=True)
        payload = {name: index for index, name in enumerate(names)}
        assert logger.record("shadowed", payload).payload == payload
        for name in ("register", "mro"):
            with pytest.raises(ValueError) as caught:
                logger.record("shadowed", {k: v for k, v in payload.items() if k != name})
            problem = caught.value.problems[0]  # type: ignore[attr-defined]
            assert (problem.property_name, problem.kind) == (name, "missing")
        schema = rendered.models.PAYLOAD_MODELS["shadowed"].model_json_schema(by_alias=True)
        assert set(schema["required"]) >= set(names)
