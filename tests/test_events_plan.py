"""The event catalog in the plan: declared events, typed properties, captured properties."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from telemetry_cli.errors import ConfigError
from telemetry_cli.events import EventSpec, PropertySpec, ValueSpec
from telemetry_cli.plan import Plan, plan_from_table

CATALOG = """
instrument = { "api/ai_blocks.py" = { event = "ai_block_used", capture = ["chapter_id"] } }

[events.ai_block_used]
description = "A reader used one of a chapter's AI blocks."
properties.block_type = { type = "string", description = "Which block" }
properties.chapter_id = { type = "string", max-length = 100 }
properties.num_questions = { type = "integer", required = false, minimum = 1, maximum = 10 }

[events.quiz_completed]
additional-properties = true
properties.score = { type = "number", minimum = 0, maximum = 1 }
properties.answers = { type = "array", items = { type = "string", enum = ["a", "b"] } }
properties.finished_at = { type = "datetime" }
properties.retried = { type = "boolean", required = false }
"""


def _plan(text: str) -> Plan:
    return plan_from_table(
        tomllib.loads(text), root=Path("/tmp"), config_file=Path("/tmp/pyproject.toml")
    )


def test_declared_events_are_read_and_become_event_types() -> None:
    plan = _plan(CATALOG)
    assert plan.event_types == ("ai_block_used", "chapter_visit", "error_event", "quiz_completed")
    blocks = plan.event("ai_block_used")
    assert blocks is not None
    assert blocks.description == "A reader used one of a chapter's AI blocks."
    assert blocks.required == ("chapter_id",)  # block_type is filled by instrumentation
    assert blocks.declared("num_questions") == PropertySpec(
        "num_questions", ValueSpec("integer", minimum=1, maximum=10), required=False
    )
    quiz = plan.event("quiz_completed")
    assert quiz is not None and quiz.additional_properties
    answers = quiz.declared("answers")
    assert answers is not None and answers.value.items == ValueSpec("string", enum=("a", "b"))
    assert plan.event("chapter_visit") is None  # free-form
    assert plan.captured("api/ai_blocks.py") == ("chapter_id",)
    assert plan.instrument == (("api/ai_blocks.py", "ai_block_used"),)


def test_without_events_the_plan_is_as_before() -> None:
    plan = _plan("")
    assert plan.events == ()
    assert plan.capture == ()
    assert plan == Plan.default(Path("/tmp"))


P = "/tmp/pyproject.toml: [tool.telemetry-scaffold] "


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("events = 3", "events: expected a table of [events.<event_type>] tables"),
        ("[events.Bad]", "events.Bad: an event type is snake_case, at most 64 characters"),
        (
            "[events.x]\ncolour = 1",
            "events.x.colour: unknown key; an event has additional-properties, description, "
            "properties",
        ),
        (
            '[events.x]\nproperties.a = { type = "strin" }',
            "events.x.properties.a.type: expected one of string, integer, number, boolean, "
            "datetime, array, got 'strin'",
        ),
        (
            '[events.x]\nproperties.a = { type = "string", minimum = 1 }',
            "events.x.properties.a.minimum: not a setting of a string property; it takes "
            "description, enum, max-length, min-length, required, type",
        ),
        (
            '[events.x]\nproperties.a = { type = "string", enum = [] }',
            "events.x.properties.a.enum: lists no value; list the accepted strings, or drop enum",
        ),
        (
            '[events.x]\nproperties.a = { type = "array", items = { type = "string", enum = [] } }',
            "events.x.properties.a.items.enum: lists no value; list the accepted strings, or drop "
            "enum",
        ),
        (
            '[events.x]\nproperties.a = { type = "integer", min-length = 1 }',
            "events.x.properties.a.min-length: not a setting of an integer property; it takes "
            "description, maximum, minimum, required, type",
        ),
        (
            '[events.x]\nproperties.a = { type = "integer", minimum = 1.5 }',
            "events.x.properties.a.minimum: an integer property needs a whole number, got 1.5",
        ),
        (
            '[events.x]\nproperties.a = { type = "number", minimum = 2, maximum = 1 }',
            "events.x.properties.a.minimum: is greater than maximum",
        ),
        (
            '[events.x]\nproperties.a = { type = "array" }',
            'events.x.properties.a.items: an array needs items = { type = "..." }',
        ),
        (
            '[events.x]\nproperties.class = { type = "string" }',
            "events.x.properties.class: a property name is snake_case and not a Python keyword",
        ),
        (
            '[events.x]\nproperties.route = { type = "integer" }',
            "events.x.properties.route: 'route' is filled by instrumentation with a string; "
            'declare it as { type = "string" } or leave it out',
        ),
        (
            'instrument = { "api/a.py" = { event = "ai_block_used", capture = ["x"] } }\n'
            '[events.ai_block_used]\nproperties.chapter_id = { type = "string" }',
            "instrument.\"api/a.py\": capture: 'x' is not a property of 'ai_block_used' "
            "(declared: chapter_id)",
        ),
        (
            'instrument = { "api/a.py" = "ai_block_used" }\n'
            '[events.ai_block_used]\nproperties.chapter_id = { type = "string" }',
            "instrument.\"api/a.py\": 'ai_block_used' requires chapter_id, which instrumentation "
            'can only fill by capture; add capture = ["chapter_id"] or declare it '
            "required = false",
        ),
        (
            'instrument = { "api/a.py" = "ai_block_used" }\n'
            '[events.ai_block_used]\nproperties.a = { type = "string" }\n'
            'properties.b = { type = "string" }',
            "instrument.\"api/a.py\": 'ai_block_used' requires a, b, which instrumentation "
            'can only fill by capture; add capture = ["a", "b"] or declare them '
            "required = false",
        ),
        (
            'instrument = { "api/a.py" = { event = "chapter_visit", capture = ["x"] } }',
            "instrument.\"api/a.py\": capture needs 'chapter_visit' declared with its properties "
            "under [tool.telemetry-scaffold.events.chapter_visit]",
        ),
        (
            'instrument = { "api/a.py" = { event = "ai_block_used", also = 1 } }',
            "instrument.\"api/a.py\": unknown key 'also'; an instrument table has event and "
            "capture",
        ),
        (
            'instrument = { "api/a.py" = { capture = ["chapter_id"] } }',
            'instrument."api/a.py": missing event; an instrument table names its event type: '
            '{ event = "..." }',
        ),
    ],
)
def test_bad_catalogs_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _plan(text)
    assert caught.value.message == P + message


def test_event_spec_lookup() -> None:
    event = EventSpec("x", properties=(PropertySpec("a", ValueSpec("string")),))
    assert event.declared("a") is not None
    assert event.declared("b") is None
