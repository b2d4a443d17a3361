"""Declared events: instrumentation captures declared properties, and literal calls are checked."""

from __future__ import annotations

import tomllib
from pathlib import Path

from telemetry_cli.patching.edits import ModuleEditor
from telemetry_cli.patching.instrument import check_logged_calls, instrument_module
from telemetry_cli.patching.project import PatchResult, edit_source
from telemetry_cli.patching.removal import uninstrument_module
from telemetry_cli.plan import Plan, plan_from_table

PLAN = """
[instrument."api/items.py"]
event = "ai_block_used"
capture = ["chapter_id", "num_questions"]

[events.ai_block_used]
properties.block_type = { type = "string" }
properties.chapter_id = { type = "string" }
properties.num_questions = { type = "integer", required = false }
"""

SOURCE = """from fastapi import APIRouter
from pydantic import BaseModel

from app.analytics.event_logger import event_logger

router = APIRouter(prefix="/api/ai")


class Base(BaseModel):
    chapter_id: str


class Ask(Base):
    question: str


@router.post("/ask")
def ask(body: Ask):
    return 1


@router.get("/chapters/{chapter_id}/quiz/{item}")
def quiz(chapter_id: int, item: str, num_questions: int = 3):
    return 2


@router.get("/other")
def other(text: str):
    return 3


def helper():
    event_logger.log("ai_block_used", {"chapterid": "x", "num_questions": "3"})
    event_logger.log("ai_block_used", {"chapter_id": "c", "num_questions": True})
    event_logger.record("ai_block_used", {"chapter_id": "c", "route": "/x"})
    event_logger.log("nope", {})
"""


def _plan() -> Plan:
    return plan_from_table(
        tomllib.loads(PLAN), root=Path("/tmp"), config_file=Path("/tmp/pyproject.toml")
    )


def _run(source: str) -> tuple[str, tuple[str, ...]]:
    plan = _plan()

    def edit(editor: ModuleEditor) -> None:
        instrument_module(
            editor,
            "ai_block_used",
            "app.analytics",
            plan.event("ai_block_used"),
            plan.captured("api/items.py"),
        )
        check_logged_calls(editor, frozenset(plan.event_types), plan.events, "app.analytics")

    result = edit_source(source, "app.api.items", "app.analytics", edit)
    return result.source, result.problems


def _remove(source: str) -> PatchResult:
    return edit_source(
        source,
        "app.api.items",
        "app.analytics",
        lambda editor: uninstrument_module(
            editor, frozenset({"ai_block_used"}), "app.analytics", force=False
        ),
    )


def test_captured_properties_come_from_parameters_and_body_fields() -> None:
    patched, _ = _run(SOURCE)
    # From a field of the body model (declared on its base class).
    assert (
        '            "block_type": "ask",\n            "chapter_id": body.chapter_id,\n' in patched
    )
    # From a path parameter (an int logged as text for a string property), and a query one;
    # the path parameter `item`, not declared, is not logged.
    assert (
        '            "chapter_id": str(chapter_id),\n            "num_questions": num_questions,\n'
        in patched
    )
    assert '"item": item' not in patched


def test_a_handler_without_a_required_captured_property_is_named() -> None:
    _, problems = _run(SOURCE)
    assert problems[0] == (
        "app/api/items.py:28: route other (GET /api/ai/other) cannot be instrumented: it has no "
        "parameter or body field `chapter_id` for the captured property; add one, or log the "
        "event by hand, or mark the handler `# telemetry-scaffold: skip`"
    )


def test_a_parameter_of_a_type_the_captured_property_refuses_is_named() -> None:
    # An integer property from a `str` (or `bool`) parameter: its model would refuse every
    # event. Unknown annotations (a class of the package, a string, none) are not judged.
    handlers = {
        "item_id: str": "`str`",
        "item_id: Optional[bool] = None": "`Optional[bool]`",
        "item_id: Annotated[float | None, Query()] = None": "`Annotated[float | None, Query()]`",
    }
    for parameter, shown in handlers.items():
        source = (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            f'@router.get("/items")\ndef items(chapter_id: str, {parameter}):\n    return 1\n'
        )
        plan = plan_from_table(
            tomllib.loads(
                PLAN.replace('"num_questions"]', '"num_questions", "item_id"]')
                + 'properties.item_id = { type = "integer", required = false }\n'
            ),
            root=Path("/tmp"),
            config_file=Path("/tmp/pyproject.toml"),
        )

        def edit(editor: ModuleEditor, plan: Plan = plan) -> None:
            instrument_module(
                editor,
                "ai_block_used",
                "app.analytics",
                plan.event("ai_block_used"),
                plan.captured("api/items.py"),
            )

        result = edit_source(source, "app.api.items", "app.analytics", edit)
        assert result.problems == (
            "app/api/items.py:7: route items (GET /items) cannot be instrumented: its parameter "
            f"`item_id` is {shown}, which the captured integer property `item_id` does not "
            "accept (every event would be dropped); change the type of one of them, or log the "
            "event by hand, or mark the handler `# telemetry-scaffold: skip`",
        )
    for parameter in ("item_id: int | None = None", "item_id: ItemId", "item_id", 'item_id: "x"'):
        source = (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            f'@router.get("/items")\ndef items(chapter_id: str, {parameter}):\n    return 1\n'
        )
        result = edit_source(source, "app.api.items", "app.analytics", edit)
        assert result.problems == (), parameter


def test_literal_calls_of_a_declared_event_are_checked() -> None:
    _, problems = _run(SOURCE)
    assert problems[1:] == (
        "app/api/items.py:33: 'ai_block_used' has no property 'chapterid' (declared: block_type, "
        "chapter_id, num_questions); every such event is dropped: fix the call, or declare the "
        "property in the plan",
        "app/api/items.py:33: 'ai_block_used' property 'num_questions' is of type integer, got "
        "the literal '3'; every such event is dropped: fix the call",
        "app/api/items.py:33: 'ai_block_used' requires 'chapter_id', which the call leaves out; "
        "every such event is dropped: add it to the call, or declare it required = false",
        "app/api/items.py:34: 'ai_block_used' property 'num_questions' is of type integer, got "
        "the literal True; every such event is dropped: fix the call",
        "app/api/items.py:36: logs 'nope', which is not in event-types ['ai_block_used', "
        "'chapter_visit', 'error_event']: every such event is dropped; add it to the plan or fix "
        "the call",
    )


def test_captured_calls_come_out_again() -> None:
    patched, _ = _run(SOURCE)
    removed = _remove(patched)
    # The hand-written calls in helper() stay, and so does the import they use.
    assert removed.source == SOURCE
    assert removed.problems == ()


def test_tracking_calls_are_checked_like_literal_payloads() -> None:
    source = SOURCE + (
        "\n\ndef tracked():\n"
        '    event_logger.track.ai_block_used(chapter_id="c", num_questions=2)\n'
        '    event_logger.track.ai_block_used(chapterid="c")\n'
        "    event_logger.track.chapter_visit()\n"
    )
    _, problems = _run(source)
    tail = [problem for problem in problems if int(problem.split(":")[1]) > 36]
    assert tail == [
        "app/api/items.py:41: 'ai_block_used' has no property 'chapterid' (declared: block_type, "
        "chapter_id, num_questions); every such event is dropped: fix the call, or declare the "
        "property in the plan",
        "app/api/items.py:41: 'ai_block_used' requires 'chapter_id', which the call leaves out; "
        "every such event is dropped: add it to the call, or declare it required = false",
        "app/api/items.py:42: event_logger.track.chapter_visit: 'chapter_visit' is not a declared "
        "event (declared: ai_block_used); declare it under [tool.telemetry-scaffold.events] or "
        "fix the call",
    ]


def test_a_body_field_of_a_type_the_captured_property_refuses_is_named() -> None:
    # As for parameters: an integer property from a `str` field of the body model (declared on
    # its base class here) would have every event refused by its model.
    source = SOURCE.replace(
        "class Base(BaseModel):\n    chapter_id: str\n",
        ("class Base(BaseModel):\n    chapter_id: str\n    num_questions: str | None = None\n"),
    )
    _, problems = _run(source)
    assert problems[0] == (
        "app/api/items.py:19: route ask (POST /api/ai/ask) cannot be instrumented: its body "
        "field `body.num_questions` is `str | None`, which the captured integer property "
        "`num_questions` does not accept (every event would be dropped); change the type of one "
        "of them, or log the event by hand, or mark the handler `# telemetry-scaffold: skip`"
    )


def test_optional_values_captured_as_text_stay_none() -> None:
    # `str(x)` of an optional non-text value would log the text "None"; a value that is text
    # already (or None) is logged as it is. Generate writes each form once, and takes it out.
    source = (
        SOURCE.replace(
            "def quiz(chapter_id: int, item: str,",
            "def quiz(item: str, chapter_id: Annotated[int | None, Query()] = None,",
        )
        .replace(
            "from fastapi import APIRouter",
            "from typing import Annotated, Optional\n\nfrom fastapi import APIRouter, Query",
        )
        .replace("def other(text: str):", "def other(text: str, chapter_id: Optional[str] = None):")
    )
    patched, problems = _run(source)
    assert '"chapter_id": None if chapter_id is None else str(chapter_id),' in patched
    assert '"chapter_id": chapter_id,' in patched
    assert not any("route quiz" in problem or "route other" in problem for problem in problems)
    assert _run(patched)[0] == patched
    removed = _remove(patched)
    assert removed.source == source


def test_type_aliases_of_the_package_are_followed() -> None:
    # `ChapterId = Annotated[str, ...]` is text: logged as it is. An alias of an alias of `int`
    # is a number: a string property takes its text, and an integer one from a `str` alias is
    # named as a mismatch.
    aliases = (
        "ChapterId = Annotated[str, Field(min_length=1)]\nCount = Annotated[int, Field(ge=0)]\n"
        "Size = Count\nWord = Annotated[str, Field()]\n\n\n"
    )
    source = (
        SOURCE.replace("from pydantic import BaseModel", "from pydantic import BaseModel, Field")
        .replace(
            "from fastapi import APIRouter",
            "from typing import Annotated\n\nfrom fastapi import APIRouter",
        )
        .replace(
            "class Base(BaseModel):\n    chapter_id: str\n",
            aliases + "class Base(BaseModel):\n    chapter_id: ChapterId\n",
        )
        .replace(
            "def quiz(chapter_id: int, item: str, num_questions: int = 3):",
            "def quiz(chapter_id: Size, item: str, num_questions: Word = 3):",
        )
    )
    patched, problems = _run(source)
    assert '"chapter_id": body.chapter_id,' in patched
    assert not any("route ask" in problem for problem in problems)
    assert any(
        "route quiz" in problem
        and "its parameter `num_questions` is `Annotated[str, Field()]`" in problem
        for problem in problems
    ), problems
    patched, problems = _run(source.replace("num_questions: Word = 3", "num_questions: Size = 3"))
    assert '"chapter_id": str(chapter_id),\n            "num_questions": num_questions,' in patched
