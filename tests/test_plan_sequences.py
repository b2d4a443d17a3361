"""Sequences of plan changes keep the project what one generate from the last plan makes of it.

See :mod:`tests.plan_sequence_support` for the invariant. Each named case is a sequence that
once broke it; the property test runs random sequences of plan edits on the bundled project.
"""

from __future__ import annotations

import ast
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.cli_support import git, run, snapshot
from tests.corpus_support import CORPUS
from tests.plan_sequence_support import (
    MANIFEST,
    CheckoutStep,
    Edit,
    MergeStep,
    Plan,
    PlanStep,
    WalkStep,
    bundled_plan,
    changed_files,
    generate_step,
    original_sources,
    run_git_walk,
    run_sequence,
    write_plan,
)

CHAPTERS = "backend/app/api/chapters.py"
BLOCKS = "api/ai_blocks.py"


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled project's sources before telemetry-scaffold, with a copy as `srv/`."""
    root = original_sources(tmp_path_factory.mktemp("original") / "project")
    shutil.copytree(root / "backend", root / "srv")
    return root


def _plan(**changes: object) -> Plan:
    plan = bundled_plan()
    for key, value in changes.items():
        key = key.replace("_", "-")
        if value is None:
            plan.pop(key, None)
        else:
            plan[key] = value
    return plan


BASE = bundled_plan()


def _replace(path: str, old: str, new: str) -> Edit:
    def edit(root: Path) -> None:
        file = root / path
        text = file.read_text()
        assert old in text
        file.write_text(text.replace(old, new))

    return edit


def _forget_patches(root: Path) -> None:
    """The manifest as 0.2.0 wrote it: without the record of the patches."""
    manifest = root / MANIFEST
    document = json.loads(manifest.read_text())
    del document["patched"]
    document["version"] = "0.2.0"
    manifest.write_text(json.dumps(document, indent=2) + "\n")


RENAME_HANDLER = _replace(CHAPTERS, "def get_chapter(", "def read_chapter(")
ONLY_BLOCKS = {BLOCKS: BASE["instrument"][BLOCKS]}


def _assert_holds(
    original: Path,
    tmp_path: Path,
    plans: list[Plan],
    edits: dict[int, Edit] | None = None,
    source_edits: tuple[Edit, ...] = (),
) -> None:
    problems = run_sequence(original, tmp_path, plans, edits, source_edits)
    assert not problems, "\n".join(problems)


def _generated(original: Path, tmp_path: Path, plan: Plan) -> Path:
    """A copy of the original project, generated with ``plan``."""
    root = tmp_path / "project"
    shutil.copytree(original, root)
    write_plan(root, plan)
    assert run("generate", "--root", str(root)).exit_code == 0
    return root


def test_moving_the_backend_folder_unpatches_the_old_one(original: Path, tmp_path: Path) -> None:
    # It was a traceback: the recorded modules were looked up under the new folder.
    _assert_holds(original, tmp_path, [BASE, _plan(backend="srv"), BASE])


def test_the_diffs_of_a_crlf_project_apply_at_every_step(tmp_path: Path) -> None:
    # `--diff` dropped the carriage returns of its CRLF modules: the diff of each plan change
    # did not apply to the modules it showed.
    original = tmp_path / "original"
    shutil.copytree(
        CORPUS / "app-in-server-py", original, ignore=shutil.ignore_patterns("expected.toml")
    )
    plan = tomllib.loads((original / "pyproject.toml").read_text())["tool"]["telemetry-scaffold"]
    write_plan(original, plan)
    renamed = copy.deepcopy(plan)
    renamed["event-types"] = ["fleet_seen", "rental_changed", "error_event"]
    renamed["instrument"] = {"routes/bikes.py": "fleet_seen"}
    _assert_holds(original, tmp_path / "work", [plan, renamed, plan])


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param({"backend": ".", "app-package": "backend.app"}, id="dotted-app-package"),
        pytest.param(
            {"backend": "backend/app", "app-package": "", "instrument": ONLY_BLOCKS},
            id="flat-layout",
        ),
    ],
)
def test_a_layer_that_changes_package_is_imported_from_the_new_one(
    original: Path, tmp_path: Path, layout: Plan
) -> None:
    # The old `from app.analytics... import` lines and calls stayed beside new ones.
    plan = _plan(**{key.replace("-", "_"): value for key, value in layout.items()})
    _assert_holds(original, tmp_path, [BASE, plan])


def test_a_handler_renamed_by_hand_gets_its_call_brought_up_to_date(
    original: Path, tmp_path: Path
) -> None:
    # The call kept "handler": "get_chapter"; --check passed; remove refused the call.
    _assert_holds(
        original, tmp_path, [BASE, BASE], {1: RENAME_HANDLER}, source_edits=(RENAME_HANDLER,)
    )


def test_a_manifest_that_does_not_record_the_patches_still_unpatches_a_dropped_module(
    original: Path, tmp_path: Path
) -> None:
    # chapters.py kept its log call: nothing recorded that it had been instrumented.
    _assert_holds(original, tmp_path, [BASE, _plan(instrument=ONLY_BLOCKS)], {1: _forget_patches})


def test_a_call_like_an_inserted_one_outside_the_plan_is_the_tools_unless_changed(
    original: Path, tmp_path: Path
) -> None:
    # chapters.py, dropped from the plan, loses its inserted calls; so does a copy of it the
    # user made (the same calls, exactly as generate writes them, where the plan logs nothing:
    # kept, --check passed for good and remove left them). A copy whose call the user marked
    # with a comment holds their own call: kept.
    root = _generated(original, tmp_path, BASE)
    chapters = root / CHAPTERS
    copied = root / "backend/app/api/copied.py"
    copied.write_bytes(chapters.read_bytes())
    marked = root / "backend/app/api/marked.py"
    marked.write_bytes(
        chapters.read_bytes().replace(b"event_logger.log(", b"event_logger.log(  # mine")
    )
    write_plan(root, _plan(instrument=ONLY_BLOCKS))
    assert run("generate", "--root", str(root)).exit_code == 0
    assert b"event_logger.log(" not in chapters.read_bytes()
    assert copied.read_bytes() == (original / CHAPTERS).read_bytes()
    assert marked.read_bytes().count(b"event_logger.log(  # mine") == 1
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def _move_quiz_to_chapters(root: Path) -> None:
    """Move the `quiz` handler by hand, with what it holds, from ai_blocks.py to chapters.py."""
    blocks = root / "backend/app/api/ai_blocks.py"
    text = blocks.read_text()
    start = text.index('@router.post("/quiz"')
    end = text.index("\n\n\n", start)
    handler = text[start:end]
    blocks.write_text(text[:start] + text[end + 3 :])
    imports = "from app.api.ai_blocks import QuizQuestion, QuizRequest, QuizResponse\n"
    if "event_logger.log(" in handler:
        # The user brings the import the moved call needs.
        imports = "from app.analytics.event_logger import event_logger\n" + imports
    chapters = root / CHAPTERS
    top = "from pydantic import BaseModel\n"
    chapters.write_text(
        chapters.read_text().replace(top, f"{top}\n{imports}", 1) + "\n\n" + handler + "\n"
    )


def test_a_handler_moved_by_hand_into_a_module_outside_the_plan_loses_its_call(
    original: Path, tmp_path: Path
) -> None:
    # `quiz`, moved with its inserted call into chapters.py (which the plan does not
    # instrument), kept the call for good: --check passed and remove left it (and the layer,
    # which the call still imported).
    plan = _plan(instrument=ONLY_BLOCKS)
    root = _generated(original, tmp_path, plan)
    _move_quiz_to_chapters(root)
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    assert run("generate", "--root", str(root)).exit_code == 0
    users = tmp_path / "users"
    shutil.copytree(original, users)
    _move_quiz_to_chapters(users)
    write_plan(users, plan)
    pristine = snapshot(users)
    fresh = tmp_path / "fresh"
    shutil.copytree(users, fresh)
    assert run("generate", "--root", str(fresh)).exit_code == 0
    assert changed_files(snapshot(fresh), snapshot(root)) == []
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert changed_files(pristine, snapshot(root)) == []


def test_a_damaged_manifest_still_unpatches_a_dropped_module(
    original: Path, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(original, root)
    pristine = snapshot(root)
    write_plan(root, BASE)
    assert run("generate", "--root", str(root)).exit_code == 0
    (root / MANIFEST).write_text("{damaged")
    write_plan(root, _plan(instrument=ONLY_BLOCKS, capture_errors=False))
    # A generated file edited by hand cannot be told from one the plan changed without the
    # record: refused, kept (one left as written carries its own digest: brought up to date)...
    init = root / "backend/app/analytics/__init__.py"
    init.write_text(init.read_text() + "# mine\n")
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert "refused    backend/app/analytics/__init__.py" in result.stdout
    assert re.search(r"^updated\s+specs/059-analytics-telemetry/spec\.md$", result.stdout, re.M)
    # Said as it is: written by the tool once, with no record left of what it wrote.
    assert "has telemetry-scaffold's header, but the manifest does not record it" in result.stdout
    assert "was not written by telemetry-scaffold" not in result.stdout
    # What brings the exact record back, before --force.
    assert f"restore {MANIFEST} (from version control) and rerun" in result.stdout
    # ... but the inserted call, exactly as generate writes it, comes out, and so does the
    # error hook: taking code out does not wait for the layer.
    assert "take out the log call of route get_chapter" in result.stdout
    assert (root / CHAPTERS).read_bytes() == pristine[CHAPTERS]
    assert "install_error_capture" not in (root / "backend/app/main.py").read_text()


@pytest.mark.parametrize(
    ("before", "after", "orphan"),
    [
        pytest.param({}, {"capture_errors": False}, "error_capture.py", id="capture-errors-off"),
        pytest.param(
            {"sink": "opentelemetry"}, {}, "opentelemetry_sink.py", id="sink-back-to-logging"
        ),
    ],
)
def test_a_lost_manifest_does_not_leave_an_output_the_plan_dropped(
    original: Path, tmp_path: Path, before: dict[str, object], after: dict[str, object], orphan: str
) -> None:
    # The file stayed, unmentioned, with --check green about it: nothing recorded it.
    root = _generated(original, tmp_path, _plan(**before))
    (root / MANIFEST).unlink()
    write_plan(root, _plan(**after))
    layer = root / "backend/app/analytics"
    # Exactly what the plan would write with that one setting back: the tool's, unedited.
    check = run("generate", "--root", str(root), "--check")
    assert re.search(rf"^obsolete\s+backend/app/analytics/{orphan}$", check.stdout, re.M)
    result = run("generate", "--root", str(root))
    assert re.search(rf"^removed\s+backend/app/analytics/{orphan}$", result.stdout, re.M)
    assert not (layer / orphan).exists()
    assert run("generate", "--root", str(root), "--force").exit_code == 0
    reference = tmp_path / "reference"
    shutil.copytree(original, reference)
    write_plan(reference, _plan(**after))
    assert run("generate", "--root", str(reference)).exit_code == 0
    assert sorted(path.name for path in layer.iterdir() if path.suffix == ".py") == sorted(
        path.name
        for path in (reference / "backend/app/analytics").iterdir()
        if path.suffix == ".py"
    )


def test_a_lost_manifest_keeps_a_dropped_output_that_differs_until_forced(
    original: Path, tmp_path: Path
) -> None:
    root = _generated(original, tmp_path, BASE)
    (root / MANIFEST).unlink()
    capture = root / "backend/app/analytics/error_capture.py"
    capture.write_text(capture.read_text() + "# mine\n")
    write_plan(root, _plan(capture_errors=False))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert re.search(r"^refused\s+backend/app/analytics/error_capture\.py$", result.stdout, re.M)
    assert "the manifest does not record it" in result.stdout
    assert capture.exists()
    assert run("generate", "--root", str(root), "--force").exit_code == 0
    assert not capture.exists()
    assert capture.with_name("error_capture.py.bak").read_text().endswith("# mine\n")


def test_a_lost_manifest_keeps_an_edited_json_output_the_plan_dropped_until_forced(
    original: Path, tmp_path: Path
) -> None:
    # The JSON Schema document says it is generated in its "$comment": read as the other
    # outputs' header, it was left behind without a word, even with --force.
    root = _generated(original, tmp_path, BASE)
    (root / MANIFEST).unlink()
    schema = root / "specs/059-analytics-telemetry/contracts/events.schema.json"
    schema.write_text(schema.read_text().replace('"title"', '"x-mine": true,\n  "title"', 1))
    edited = schema.read_text()
    write_plan(root, _plan(events=None, instrument=_SIMPLE))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1, result.stdout
    shown = re.escape(schema.relative_to(root).as_posix())
    assert re.search(rf"^refused\s+{shown}$", result.stdout, re.M), result.stdout
    assert schema.read_text() == edited
    assert run("generate", "--root", str(root), "--force").exit_code == 0
    assert not schema.exists()
    assert schema.with_name("events.schema.json.bak").read_text() == edited


@pytest.mark.parametrize("sink", ["logging", "opentelemetry"])
def test_remove_with_a_lost_manifest_gives_back_the_original_sources(
    original: Path, tmp_path: Path, sink: str
) -> None:
    # remove took the patches out, exited 0, and left the whole generated layer and the
    # documents behind: nothing recorded them.
    root = tmp_path / "project"
    shutil.copytree(original, root)
    write_plan(root, _plan(sink=sink))
    pristine = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    (root / MANIFEST).unlink()
    check = run("remove", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert re.search(r"^layer\s+backend/app/analytics/event_logger\.py$", check.stdout, re.M)
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 0, removed.stdout
    assert snapshot(root) == pristine


def test_remove_with_a_lost_manifest_keeps_a_generated_file_that_differs(
    original: Path, tmp_path: Path
) -> None:
    root = _generated(original, tmp_path, BASE)
    (root / MANIFEST).unlink()
    router = root / "backend/app/analytics/telemetry_router.py"
    router.write_text(router.read_text() + "# mine\n")
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 1
    assert re.search(
        r"^refused\s+backend/app/analytics/telemetry_router\.py$", removed.stdout, re.M
    )
    assert "the manifest does not record it" in removed.stdout
    assert router.exists()
    assert not (root / "backend/app/analytics/event_logger.py").exists()
    assert run("remove", "--root", str(root), "--force").exit_code == 0
    assert not router.exists()
    assert router.with_name("telemetry_router.py.bak").read_text().endswith("# mine\n")


def test_the_layout_is_recorded_and_an_older_record_is_not_drift(
    original: Path, tmp_path: Path
) -> None:
    root = _generated(original, tmp_path, BASE)
    manifest = json.loads((root / MANIFEST).read_text())
    assert manifest["patched"]["backend"] == "backend"
    assert manifest["patched"]["app-package"] == "app"
    # As 0.3.0 wrote it: no layout. Same files: --check passes, generate records the layout.
    del manifest["patched"]["backend"], manifest["patched"]["app-package"]
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    before = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert [path for path in before if before[path] != snapshot(root)[path]] == [MANIFEST]


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param({"backend": ".", "app-package": "backend.app"}, id="dotted-app-package"),
        pytest.param({"backend": "backend/app", "app-package": ""}, id="flat-layout"),
        # The module moved in the old backend folder too: its calls stayed there.
        pytest.param({"backend": "srv"}, id="backend-folder"),
    ],
)
def test_a_module_moved_as_the_layer_moves_logs_once_from_the_new_layer(
    original: Path, tmp_path: Path, layout: Plan
) -> None:
    # chapters.py, moved to pages.py by hand, kept its calls through the old layer's import and
    # got a second call of each event through the new one: every visit was logged twice.
    moved = _after_moves(
        _plan(**{key.replace("-", "_"): value for key, value in layout.items()}), True
    )
    move = _SOURCE_EDITS["move chapters"]
    _assert_holds(original, tmp_path, [BASE, moved], {1: move}, source_edits=(move,))


def test_a_module_moved_by_hand_as_it_leaves_the_plan_loses_its_calls(
    original: Path, tmp_path: Path
) -> None:
    # chapters.py, recorded as instrumented, became pages.py as the plan dropped it: the record
    # of a module that is gone was dropped, and pages.py kept the inserted calls for good.
    move = _SOURCE_EDITS["move chapters"]
    plans = [BASE, _plan(instrument=ONLY_BLOCKS)]
    _assert_holds(original, tmp_path, plans, {1: move}, source_edits=(move,))


def test_a_changed_call_left_behind_by_a_layer_move_is_not_forgotten(
    original: Path, tmp_path: Path
) -> None:
    # The layer moved (app-package) as chapters.py left the plan, its call changed by hand: the
    # call was reported once, then forgotten (the record keeps one layout) and --check passed
    # with chapters.py still importing the old layer.
    root = _generated(original, tmp_path, BASE)
    chapters = root / CHAPTERS
    inserted = '"chapter_id": chapter_id,\n'
    chapters.write_text(
        chapters.read_text().replace(inserted, '"chapter_id": chapter_id.lower(),\n')
    )
    write_plan(root, _plan(backend=".", app_package="backend.app", instrument=ONLY_BLOCKS))
    for _ in range(2):
        result = run("generate", "--root", str(root))
        assert result.exit_code == 1
        assert "get_chapter (GET /api/chapters/{chapter_id}) is not as" in result.stdout
        assert run("generate", "--root", str(root), "--check").exit_code == 1
    chapters.write_text(chapters.read_text().replace("chapter_id.lower()", "chapter_id"))
    assert run("generate", "--root", str(root)).exit_code == 0
    assert "event_logger" not in chapters.read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert '"left"' not in (root / MANIFEST).read_text()


def test_a_module_moved_by_hand_as_its_event_type_changes_logs_the_new_one(
    original: Path, tmp_path: Path
) -> None:
    # pages.py (chapters.py moved) kept its inserted chapter_visit calls, and generate refused it:
    # "logs 'chapter_visit', expected 'error_event'; fix the call or the plan".
    move = _SOURCE_EDITS["move chapters"]
    changed = _plan(instrument={BLOCKS: BASE["instrument"][BLOCKS], PAGES_KEY: "error_event"})
    _assert_holds(original, tmp_path, [BASE, changed], {1: move}, source_edits=(move,))


def test_an_app_module_moved_by_hand_as_the_layer_moves_is_wired_once(
    original: Path, tmp_path: Path
) -> None:
    # server.py (main.py renamed) kept the old layer's include and hook and got the new layer's
    # too: two telemetry routers, two error hooks.
    move = _SOURCE_EDITS["move main"]
    dotted = _plan(backend=".", app_package="backend.app")
    _assert_holds(original, tmp_path, [BASE, dotted], {1: move}, source_edits=(move,))


def test_an_app_module_moved_by_hand_in_a_backend_left_behind_is_unwired(
    original: Path, tmp_path: Path
) -> None:
    # srv/app/main.py, wired, became srv/app/server.py as the plan moved back to backend/: the
    # record named a module that was gone, and server.py kept the router's include for good.
    move = _SOURCE_EDITS["move main"]
    plans = [BASE, _plan(backend="srv"), BASE]
    _assert_holds(original, tmp_path, plans, {2: move}, source_edits=(move,))


SERVER_PY = '''"""The app, built anew."""

from fastapi import FastAPI

from app.api import ai_blocks

app = FastAPI()

app.include_router(ai_blocks.router)
'''


def test_an_old_app_module_whose_include_was_changed_is_not_forgotten(
    original: Path, tmp_path: Path
) -> None:
    # The app moved to server.py while main.py's include had been changed by hand: the first run
    # reported it and kept it, the second forgot main.py (the record holds one wired module) and
    # --check passed with main.py still including the telemetry router.
    root = _generated(original, tmp_path, BASE)
    main = root / "backend/app/main.py"
    wired = main.read_text()
    included = "app.include_router(telemetry_router)\n"
    main.write_text(wired.replace(included, "app.include_router(telemetry_router, tags=['t'])\n"))
    (root / "backend/app/server.py").write_text(SERVER_PY)
    write_plan(root, _plan(app="app.server:app"))
    for _ in range(2):
        result = run("generate", "--root", str(root))
        assert result.exit_code == 1
        assert re.search(r"main\.py:\d+: the telemetry router's include is not as", result.stdout)
        assert run("generate", "--root", str(root), "--check").exit_code == 1
    # Put back as it was written: the next run takes it out, and forgets main.py only then.
    main.write_text(main.read_text().replace("tags=['t']", "").replace(", )", ")"))
    assert run("generate", "--root", str(root)).exit_code == 0
    assert "telemetry_router" not in main.read_text()
    assert '"left"' not in (root / MANIFEST).read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 0, removed.stdout
    assert "telemetry" not in main.read_text() + (root / "backend/app/server.py").read_text()


# --- random sequences -------------------------------------------------------------------------

CHAPTERS_KEY = "api/chapters.py"
BLOCKS_KEY = "api/ai_blocks.py"
PAGES_KEY = "api/pages.py"


def _event(plan: Plan, name: str) -> dict[str, Any]:
    events: dict[str, Any] = plan.setdefault("events", {})
    return events.setdefault(name, {"properties": {}})


def _property(plan: Plan, event: str, name: str) -> dict[str, Any]:
    properties: dict[str, Any] = _event(plan, event).setdefault("properties", {})
    return properties.setdefault(name, {"type": "string"})


def _set_instrument(plan: Plan, path: str, value: object) -> None:
    plan["instrument"][path] = value


def _rename_event_type(plan: Plan, old: str, new: str) -> None:
    """``old`` renamed ``new`` wherever the plan names it: catalog, declaration, instrument."""
    if "event-types" in plan:
        plan["event-types"] = [new if name == old else name for name in plan["event-types"]]
    events = plan.get("events", {})
    if old in events:
        events[new] = events.pop(old)
    for path, value in plan["instrument"].items():
        if value == old:
            plan["instrument"][path] = new
        elif isinstance(value, dict) and value.get("event") == old:
            value["event"] = new


def _rename_property(plan: Plan, event: str, old: str, new: str) -> None:
    properties = _event(plan, event)["properties"]
    if old in properties:
        properties[new] = properties.pop(old)


QUIZ_DONE = {
    "description": "A reader finished a quiz.",
    "properties": {
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "answers": {"type": "array", "items": {"type": "string", "enum": ["a", "b", "c"]}},
        "finished_at": {"type": "datetime"},
        "attempt": {"type": "integer", "minimum": 1, "required": False},
        "passed": {"type": "boolean", "required": False, "description": "Passed or not."},
    },
}

_EDITS: dict[str, Callable[[Plan], None]] = {
    # Layout and documents.
    "api-prefix": lambda plan: plan.__setitem__("api-prefix", "/api/v2/telemetry"),
    "specs-dir": lambda plan: plan.__setitem__("specs-dir", "docs/specs"),
    "feature": lambda plan: plan.__setitem__("feature", "060-telemetry"),
    "backend srv": lambda plan: plan.__setitem__("backend", "srv"),
    # Two names, so that a sequence can rename the layer twice in a row, or back.
    "layer-package tracking": lambda plan: plan.__setitem__("layer-package", "tracking"),
    "layer-package telemetry_layer": lambda plan: plan.__setitem__(
        "layer-package", "telemetry_layer"
    ),
    "dotted app-package": lambda plan: plan.update({"backend": ".", "app-package": "backend.app"}),
    "flat layout": lambda plan: plan.update({"backend": "backend/app", "app-package": ""}),
    "explicit app": lambda plan: plan.__setitem__(
        "app", "main:app" if plan.get("app-package") == "" else "app.main:app"
    ),
    # Sink, redaction, error capture.
    "sink opentelemetry": lambda plan: plan.__setitem__("sink", "opentelemetry"),
    "redact": lambda plan: plan.__setitem__("redact", ["chapter_title"]),
    "capture-errors off": lambda plan: plan.__setitem__("capture-errors", False),
    "drop error_event declaration": lambda plan: plan["events"].pop("error_event", None),
    "error_event closed": lambda plan: _event(plan, "error_event").__setitem__(
        "additional-properties", False
    ),
    "error_event drops exception": lambda plan: _event(plan, "error_event")["properties"].pop(
        "exception", None
    ),
    "error_event description": lambda plan: _event(plan, "error_event").__setitem__(
        "description", "Something broke."
    ),
    # Event types and the catalog.
    "extra event type": lambda plan: plan.__setitem__(
        "event-types", ["ai_block_used", "chapter_visit", "error_event", "quiz_done"]
    ),
    "declare quiz_done": lambda plan: plan["events"].__setitem__(
        "quiz_done", copy.deepcopy(QUIZ_DONE)
    ),
    "chapter_visit adds section": lambda plan: _property(plan, "chapter_visit", "section").update(
        {"required": False, "max-length": 200}
    ),
    "chapter_visit chapter_id max-length": lambda plan: _property(
        plan, "chapter_visit", "chapter_id"
    ).__setitem__("max-length", 64),
    "ai_block_used drops block_type": lambda plan: _event(plan, "ai_block_used")["properties"].pop(
        "block_type", None
    ),
    "ai_block_used renames block_type": lambda plan: _rename_property(
        plan, "ai_block_used", "block_type", "block_kind"
    ),
    "block_type enum grows": lambda plan: _property(plan, "ai_block_used", "block_type").update(
        enum=["ask-question", "explain-like-10", "quiz", "diagram", "summary"]
    ),
    "block_type enum loses diagram": lambda plan: _property(
        plan, "ai_block_used", "block_type"
    ).update(enum=["ask-question", "explain-like-10", "quiz"]),
    "ai_block_used chapter_id optional": lambda plan: _property(
        plan, "ai_block_used", "chapter_id"
    ).__setitem__("required", False),
    "ai_block_used open": lambda plan: _event(plan, "ai_block_used").__setitem__(
        "additional-properties", True
    ),
    "chapter_visit undeclared": lambda plan: (
        plan["events"].pop("chapter_visit", None),
        _set_instrument(plan, CHAPTERS_KEY, "chapter_visit"),
    ),
    "rename chapter_visit": lambda plan: _rename_event_type(plan, "chapter_visit", "page_visit"),
    "retire chapter_visit": lambda plan: (
        plan["events"].pop("chapter_visit", None),
        plan["instrument"].pop(CHAPTERS_KEY, None),
        plan.__setitem__("event-types", ["ai_block_used", "error_event"]),
    ),
    # Instrumentation.
    "drop chapters": lambda plan: plan["instrument"].pop(CHAPTERS_KEY, None),
    "drop ai_blocks": lambda plan: plan["instrument"].pop(BLOCKS_KEY, None),
    "chapters logs ai_block_used": lambda plan: _set_instrument(
        plan, CHAPTERS_KEY, {"event": "ai_block_used", "capture": ["chapter_id"]}
    ),
    "chapters plain event": lambda plan: _set_instrument(plan, CHAPTERS_KEY, "chapter_visit"),
    "chapters captures nothing": lambda plan: (
        _property(plan, "chapter_visit", "chapter_id").__setitem__("required", False),
        _set_instrument(plan, CHAPTERS_KEY, {"event": "chapter_visit", "capture": []}),
    ),
    "ai_blocks captures nothing": lambda plan: (
        _property(plan, "ai_block_used", "chapter_id").__setitem__("required", False),
        _set_instrument(plan, BLOCKS_KEY, {"event": "ai_block_used"}),
    ),
    # error_event requires no property: a plain event type, nothing captured.
    "all log error_event": lambda plan: plan.update(
        instrument=dict.fromkeys(plan["instrument"], "error_event")
    ),
    "main instrumented": lambda plan: _set_instrument(plan, "main.py", "error_event"),
}


def _in_every_backend(edit: Callable[[Path], None]) -> Edit:
    """A hand edit made to the backend and to its copy `srv/` alike."""

    def both(root: Path) -> None:
        for backend in ("backend", "srv"):
            edit(root / backend / "app")

    return both


def _add_handler(app: Path) -> None:
    module = next(path for path in (app / "api/chapters.py", app / "api/pages.py") if path.exists())
    module.write_text(
        module.read_text()
        + '\n\n@router.get("/{chapter_id}/sections")\n'
        + "def list_sections(chapter_id: str) -> list[str]:\n"
        + '    """The section titles of one chapter."""\n'
        + "    return _CATALOGUE[chapter_id].sections\n"
    )


def _rename_handler(app: Path) -> None:
    module = next(path for path in (app / "api/chapters.py", app / "api/pages.py") if path.exists())
    text = module.read_text()
    module.write_text(text.replace("def get_chapter(", "def read_chapter("))


def _delete_handler(app: Path) -> None:
    module = app / "api/ai_blocks.py"
    text = module.read_text()
    module.write_text(text[: text.index('@router.post("/diagram"')].rstrip("\n") + "\n")


def _move_chapters(app: Path) -> None:
    (app / "api/chapters.py").rename(app / "api/pages.py")
    main = next(path for path in (app / "main.py", app / "server.py") if path.exists())
    text = main.read_text()
    main.write_text(
        text.replace("import ai_blocks, chapters", "import ai_blocks, pages").replace(
            "chapters.router", "pages.router"
        )
    )


def _move_main(app: Path) -> None:
    (app / "main.py").rename(app / "server.py")


_SOURCE_EDITS: dict[str, Edit] = {
    "move main": _in_every_backend(_move_main),
    "add handler": _in_every_backend(_add_handler),
    "rename handler": _in_every_backend(_rename_handler),
    "delete handler": _in_every_backend(_delete_handler),
    "move chapters": _in_every_backend(_move_chapters),
}


def _route_modules(app: Path) -> list[Path]:
    """The user's modules of ``app`` (the layer's own files left out)."""
    names = ("api/ai_blocks.py", "api/chapters.py", "api/pages.py", "main.py", "server.py")
    return [app / name for name in names if (app / name).exists()]


def _ruff_format_narrow(app: Path) -> None:
    _format_narrow(app, _route_modules(app))


def _format_narrow(folder: Path, modules: list[Path]) -> None:
    """The project's formatter set to 60 columns and single quotes in ``folder``, then run.

    generate lays its code out the same way, so a fresh generate on the formatted sources
    writes the same bytes.
    """
    (folder / "ruff.toml").write_text('line-length = 60\n[format]\nquote-style = "single"\n')
    names = [str(path) for path in modules]
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", "--no-cache", *names], check=True)


def _handlers(text: str) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [
        node
        for node in ast.parse(text).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and any("router." in ast.unparse(decorator) for decorator in node.decorator_list)
    ]


def _swap_handlers(app: Path) -> None:
    # The last handler moved above the first: each keeps its call.
    module = app / "api/ai_blocks.py"
    text = module.read_text()
    lines = text.splitlines(keepends=True)
    handlers = _handlers(text)
    first, last = handlers[0], handlers[-1]
    start = min(decorator.lineno for decorator in last.decorator_list) - 1
    block = lines[start : last.end_lineno]
    del lines[start : last.end_lineno]
    at = min(decorator.lineno for decorator in first.decorator_list) - 1
    lines[at:at] = [*block, "\n", "\n"]
    module.write_text("".join(lines).rstrip("\n") + "\n")


def _chapters(app: Path) -> Path:
    return next(path for path in (app / "api/chapters.py", app / "api/pages.py") if path.exists())


def _add_decorator(app: Path) -> None:
    module = _chapters(app)
    text = module.read_text().replace(
        "\n\n@router.get(", "\n\ndef _audited(function):\n    return function\n\n\n@router.get(", 1
    )
    module.write_text(re.sub(r"^(@router\.get\([^\n]*\)\n)", r"\1@_audited\n", text, flags=re.M))


def _strip_docstrings(app: Path) -> None:
    module = app / "api/ai_blocks.py"
    text = module.read_text()
    lines = text.splitlines(keepends=True)
    for handler in reversed(_handlers(text)):
        first = handler.body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            del lines[first.lineno - 1 : first.end_lineno]
    module.write_text("".join(lines))


def _docstring_back(app: Path) -> None:
    # Right below the signature: above the inserted call, and above comments of the user's.
    module = app / "api/ai_blocks.py"
    text = module.read_text()
    lines = text.splitlines(keepends=True)
    for handler in reversed(_handlers(text)):
        first = handler.body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            continue
        at = first.lineno - 1
        while lines[at - 1].strip().startswith("#"):
            at -= 1
        indent = lines[first.lineno - 1][: first.col_offset]
        lines.insert(at, f'{indent}"""A docstring added later."""\n')
    module.write_text("".join(lines))


def _before_own_code(line: str) -> Edit:
    """A line put above each handler's first statement of its own (past the log call)."""

    def edit(app: Path) -> None:
        module = _chapters(app)
        text = module.read_text()
        lines = text.splitlines(keepends=True)
        for handler in reversed(_handlers(text)):
            first = next(
                statement
                for statement in handler.body
                if not (
                    isinstance(statement, ast.Expr)
                    and (
                        isinstance(statement.value, ast.Constant)
                        or ".log(" in ast.unparse(statement)
                    )
                )
            )
            indent = lines[first.lineno - 1][: first.col_offset] if line else ""
            lines.insert(first.lineno - 1, f"{indent}{line}\n")
        module.write_text("".join(lines))

    return edit


def _rename_body_parameter(app: Path) -> None:
    # The body model's parameter renamed in each handler (`request` -> `req`), but not in the
    # log call inserted there: as a find-and-replace of the user's own code would leave it.
    module = app / "api/ai_blocks.py"
    text = module.read_text()
    lines = text.splitlines(keepends=True)
    for handler in _handlers(text):
        logged = {
            number
            for statement in handler.body
            if ".log(" in ast.unparse(statement)
            for number in range(statement.lineno, (statement.end_lineno or 0) + 1)
        }
        for number in range(handler.lineno, (handler.end_lineno or 0) + 1):
            if number not in logged:
                lines[number - 1] = re.sub(r"\brequest\b", "req", lines[number - 1])
    module.write_text("".join(lines))


def _sort_imports(app: Path) -> None:
    # isort's way, through ruff: the imports merged and sorted, the layer's among them.
    names = [str(path) for path in _route_modules(app)]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "-q",
            "--no-cache",
            "--select",
            "I",
            "--fix",
            "--isolated",
            "--exit-zero",
            *names,
        ],
        check=True,
    )


def _crlf(app: Path) -> None:
    _to_crlf(_route_modules(app))


def _to_crlf(modules: list[Path]) -> None:
    for module in modules:
        data = module.read_bytes()
        if b"\r\n" not in data:
            module.write_bytes(data.replace(b"\n", b"\r\n"))


def _black_format(app: Path) -> None:
    """black, set to the strings' own quotes, run on the user's modules.

    At 72 columns; at ruff's 60 once ``ruff format narrow`` configured that: the project's own
    formatter wins (generate lays its code out to ruff's settings), and a formatter never
    joins what a narrower one split (the magic trailing comma).
    """
    length = 60 if (app / "ruff.toml").exists() else 72
    (app / "pyproject.toml").write_text(
        f"[tool.black]\nline-length = {length}\nskip-string-normalization = true\n"
    )
    names = [str(path) for path in _route_modules(app)]
    subprocess.run([sys.executable, "-m", "black", "-q", *names], check=True)


def _move_handler_across(app: Path) -> None:
    # The last handler of ai_blocks.py moved, with its log call, to the chapters' module, its
    # models imported from where they stay: an import put in its sorted place, as isort would.
    source = app / "api/ai_blocks.py"
    text = source.read_text()
    last = _handlers(text)[-1]
    lines = text.splitlines(keepends=True)
    start = min(decorator.lineno for decorator in last.decorator_list) - 1
    block = "".join(lines[start : last.end_lineno])
    source.write_text("".join(lines[:start]).rstrip("\n") + "\n")
    target = _chapters(app)
    models = sorted(
        {node.id for node in ast.walk(last) if isinstance(node, ast.Name)} & _classes(text)
    )
    module = "app.api.ai_blocks"
    lines = target.read_text().splitlines(keepends=True)
    imports = [
        node
        for node in ast.parse("".join(lines)).body
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
    ]
    ours = [node for node in imports if node.module.split(".")[0] in {"app", "backend"}]
    later = [node for node in ours if (node.module or "") > module]
    if later:
        at, head = later[0].lineno - 1, ""
    else:
        at, head = (ours or imports)[-1].end_lineno or 0, "" if ours else "\n"
    lines.insert(at, f"{head}from {module} import {', '.join(models)}\n")
    target.write_text("".join(lines).rstrip("\n") + "\n\n\n" + block)


def _classes(text: str) -> set[str]:
    return {node.name for node in ast.parse(text).body if isinstance(node, ast.ClassDef)}


def _delete_blocks_module(app: Path) -> None:
    # The module goes, and the app stops including its router.
    (app / "api/ai_blocks.py").unlink()
    main = next(path for path in (app / "main.py", app / "server.py") if path.exists())
    text = re.sub(r"\bai_blocks,\s*", "", main.read_text())
    main.write_text(re.sub(r"^app\.include_router\(ai_blocks\.router\)\n", "", text, flags=re.M))


def _relative_imports(app: Path) -> None:
    # The user switches the app's own imports of its package to relative ones (the layer's,
    # which generate wrote, left as they are): `from .api import ...`, `from .ai_blocks import`.
    for module, (absolute, relative) in (
        (app / "main.py", ("from app.api import", "from .api import")),
        (app / "server.py", ("from app.api import", "from .api import")),
        (_chapters(app), ("from app.api.", "from .")),
    ):
        if module.exists():
            module.write_text(module.read_text().replace(absolute, relative))


def _configure_only(config: str) -> Callable[[Path], None]:
    """The formatter's (or sorter's) settings changed in ``app``, the modules left as they are.

    A fresh generate lays its code out (and places its imports) to the settings of the moment,
    so the code an earlier run wrote must follow them too: the user runs the formatter later,
    or never (a pre-commit hook on the files they touch).
    """

    def configure(app: Path) -> None:
        (app / "ruff.toml").write_text(config)

    return configure


_MORE_SOURCE_EDITS: dict[str, Edit] = {
    "ruff config narrow": _in_every_backend(
        _configure_only('line-length = 60\n[format]\nquote-style = "single"\n')
    ),
    "ruff config wide": _in_every_backend(_configure_only("line-length = 120\n")),
    "isort within sections": _in_every_backend(
        _configure_only("[lint.isort]\nforce-sort-within-sections = true\n")
    ),
    "ruff format narrow": _in_every_backend(_ruff_format_narrow),
    "swap handlers": _in_every_backend(_swap_handlers),
    "add decorator": _in_every_backend(_add_decorator),
    "strip docstrings": _in_every_backend(_strip_docstrings),
    "docstring back": _in_every_backend(_docstring_back),
    "blank line": _in_every_backend(_before_own_code("")),
    "comment": _in_every_backend(_before_own_code("# A note of the user's.")),
    "crlf": _in_every_backend(_crlf),
    "rename body parameter": _in_every_backend(_rename_body_parameter),
    "sort imports": _in_every_backend(_sort_imports),
    "black": _in_every_backend(_black_format),
    "move handler across": _in_every_backend(_move_handler_across),
    "delete ai_blocks": _in_every_backend(_delete_blocks_module),
    "relative imports": _in_every_backend(_relative_imports),
}


def _after_moves(plan: Plan, moved: bool, main_moved: bool = False) -> Plan:
    """The plan as its user would write it once chapters.py became pages.py (main.py, server.py)."""
    if main_moved:
        if "app" in plan:
            plan["app"] = plan["app"].replace("main:", "server:")
        if "main.py" in plan["instrument"]:
            plan["instrument"]["server.py"] = plan["instrument"].pop("main.py")
    if moved and CHAPTERS_KEY in plan["instrument"]:
        plan["instrument"] = {
            (PAGES_KEY if path == CHAPTERS_KEY else path): value
            for path, value in plan["instrument"].items()
        }
    return plan


def _generates(original: Path, work: Path, plan: Plan, source_edits: list[Edit]) -> bool:
    """Whether a fresh generate of ``plan`` on the (hand-edited) original sources succeeds."""
    scratch = work / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(original, scratch)
    write_plan(scratch, plan)
    try:
        for edit in source_edits:
            edit(scratch)
    except (OSError, ValueError, IndexError, StopIteration):
        # An edit that no longer applies (its handler or module gone): not a step to take.
        return False
    return run("generate", "--root", str(scratch)).exit_code == 0


@st.composite
def _steps(
    draw: st.DrawFn, hand_edits: dict[str, Edit] = _SOURCE_EDITS, least: int = 0
) -> list[tuple[list[str], str | None]]:
    count = draw(st.integers(min_value=1, max_value=4))
    plan_edits = [
        draw(st.lists(st.sampled_from(sorted(_EDITS)), min_size=0, max_size=4, unique=True))
        for _ in range(count)
    ]
    hand = draw(
        st.lists(
            st.sampled_from(sorted(hand_edits)), min_size=least, max_size=least + 2, unique=True
        )
    )
    at = [draw(st.integers(min_value=0, max_value=count - 1)) for _ in hand]
    steps: list[tuple[list[str], str | None]] = []
    for index, names in enumerate(plan_edits):
        edits = [name for name, step in zip(hand, at, strict=True) if step == index]
        steps.append((names, edits[0] if edits else None))
        # A second hand edit at the same step gets a step of its own, with the same plan.
        steps.extend((names, extra) for extra in edits[1:])
    return steps


# PLAN_SEQUENCE_EXAMPLES=500 runs a long random search locally; CI runs a fixed few.
_EXAMPLES = os.environ.get("PLAN_SEQUENCE_EXAMPLES")


@settings(
    max_examples=int(_EXAMPLES) if _EXAMPLES else 12,
    deadline=None,
    derandomize=not _EXAMPLES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=_steps())
def test_random_plan_sequences_keep_the_invariant(
    original: Path, tmp_path: Path, steps: list[tuple[list[str], str | None]]
) -> None:
    _assert_random_sequence_holds(original, tmp_path, steps, _SOURCE_EDITS)


_ALL_SOURCE_EDITS = {**_SOURCE_EDITS, **_MORE_SOURCE_EDITS}


@settings(
    max_examples=int(_EXAMPLES) if _EXAMPLES else 6,
    deadline=None,
    derandomize=not _EXAMPLES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=_steps(_ALL_SOURCE_EDITS, least=1))
# Found by the search: the first run after the app package moves back reads modules under
# their old rooted names (the record's, the old imports' it takes out); the quickstart's
# PYTHONPATH must still be what a second run finds.
@example(steps=[(["dotted app-package"], "add decorator"), ([], None)])
def test_random_plan_sequences_with_formatting_and_moves_keep_the_invariant(
    original: Path, tmp_path: Path, steps: list[tuple[list[str], str | None]]
) -> None:
    # What users do to their modules between plan changes: run their formatter (configured for
    # other columns and quotes), move handlers, add decorators, docstrings, blank lines and
    # comments around the inserted calls, convert line endings.
    _assert_random_sequence_holds(original, tmp_path, steps, _ALL_SOURCE_EDITS)


def _assert_random_sequence_holds(
    original: Path,
    tmp_path: Path,
    steps: list[tuple[list[str], str | None]],
    hand_edits: dict[str, Edit],
) -> int:
    """Walk ``steps`` (those one generate takes), assert the invariant; how many plans ran."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    plans = [BASE]
    edits: dict[int, Edit] = {}
    done: list[str] = []
    for names, hand in steps:
        attempt = [*done, hand] if hand is not None else done
        plan = copy.deepcopy(BASE)
        for name in names:
            _EDITS[name](plan)
        plan = _after_moves(plan, "move chapters" in attempt, "move main" in attempt)
        if "delete ai_blocks" in attempt:
            plan["instrument"].pop(BLOCKS_KEY, None)
        if not _generates(original, work, plan, [hand_edits[name] for name in attempt]):
            # Not a plan one generate takes on these sources (a config error, a handler it
            # cannot capture from): not a step of a sequence either.
            continue
        if hand is not None:
            edits[len(plans)] = hand_edits[hand]
        done = attempt
        plans.append(plan)
    source_edits = tuple(hand_edits[name] for name in done)
    # Mid-sequence, a second plan (--config) on the same root is refused and changes nothing.
    problems = run_sequence(
        original, work, plans, edits, source_edits, second_config_at=len(plans) // 2
    )
    assert not problems, f"{steps}:\n" + "\n".join(problems)
    return len(plans)


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param(
            [([], "black"), (["layer-package tracking"], "delete ai_blocks")],
            id="black-then-module-deleted",
        ),
        pytest.param(
            [
                (["rename chapter_visit"], "move handler across"),
                (["rename chapter_visit", "layer-package tracking"], "ruff format narrow"),
            ],
            id="handler-moved-as-its-event-type-is-renamed",
        ),
        pytest.param(
            [
                (["drop chapters"], "relative imports"),
                (["drop chapters"], "move handler across"),
                (["drop chapters", "api-prefix"], None),
            ],
            id="imports-made-relative-then-a-handler-moved-out-of-the-plan",
        ),
    ],
)
def test_handlers_and_modules_moved_or_deleted_by_hand_keep_the_invariant(
    original: Path, tmp_path: Path, steps: list[tuple[list[str], str | None]]
) -> None:
    # Fixed walks through edits the random search draws rarely at its CI size: black run, then
    # an instrumented module deleted (the plan drops it) as the layer moves; a handler moved,
    # with its call logging the old type, into the other instrumented module as the plan
    # renames that type, then the user's formatter run as the layer moves.
    taken = _assert_random_sequence_holds(original, tmp_path, steps, _ALL_SOURCE_EDITS)
    # Every step was taken: none was a plan or an edit that one generate refuses.
    assert taken == len(steps) + 1


# Hand edits that keep every module where it is (a walk's plans name the modules as they are).
_WALK_EDITS = {
    name: edit
    for name, edit in _ALL_SOURCE_EDITS.items()
    if name not in {"move main", "move chapters", "delete ai_blocks"}
}


def _capture_grows(plan: Plan) -> None:
    _property(plan, "ai_block_used", "num_questions").update(type="integer", required=False)
    value = plan["instrument"].get(BLOCKS_KEY)
    if isinstance(value, dict):
        value["capture"] = [*value.get("capture", []), "num_questions"]


# The walks' plan edits: those of the plan sequences, and a capture list and a redact list
# growing (each drawn or not at a step, so shrinking again too).
_WALK_PLAN_EDITS: dict[str, Callable[[Plan], object]] = {
    **_EDITS,
    "ai_blocks captures num_questions": _capture_grows,
    "redact two": lambda plan: plan.__setitem__("redact", ["chapter_title", "question"]),
}


def _edited(names: list[str]) -> Plan:
    plan = copy.deepcopy(BASE)
    for name in names:
        _WALK_PLAN_EDITS[name](plan)
    return plan


@st.composite
def _walk(draw: st.DrawFn) -> list[WalkStep]:
    steps: list[WalkStep] = []
    for index in range(draw(st.integers(min_value=2, max_value=5))):
        kind = draw(st.sampled_from(["plan", "plan", "merge", "checkout"]))
        if kind == "checkout":
            steps.append(CheckoutStep(draw(st.integers(min_value=0, max_value=max(index - 1, 0)))))
            continue
        edit_names = st.lists(st.sampled_from(sorted(_WALK_PLAN_EDITS)), max_size=3, unique=True)
        if kind == "merge":
            ours, theirs = draw(edit_names), draw(edit_names)
            side = draw(st.sampled_from(["ours", "theirs"]))
            steps.append(
                MergeStep(_edited(ours), _edited(theirs), side, f"merge {ours} {theirs} {side}")
            )
            continue
        names = draw(edit_names)
        hand = draw(st.none() | st.sampled_from(sorted(_WALK_EDITS)))
        steps.append(
            PlanStep(_edited(names), None if hand is None else _WALK_EDITS[hand], f"{names} {hand}")
        )
    return steps


@settings(
    max_examples=int(_EXAMPLES) if _EXAMPLES else 3,
    deadline=None,
    derandomize=not _EXAMPLES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=_walk())
def test_random_walks_through_merges_and_checkouts_keep_the_invariant(
    original: Path, tmp_path: Path, steps: list[WalkStep]
) -> None:
    # Plans changed both ways on two branches, generated on each and merged (the plan and
    # manifest of one side taken, the rest left to generate), older commits checked out over
    # the work tree (files added since stay), hand edits between: after each step the project
    # is what one generate of its plan makes of the user's sources, and remove gives them back.
    work = tmp_path / "walk"
    work.mkdir(exist_ok=True)
    problems, _ = run_git_walk(original, work, steps)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param(
            [
                PlanStep(BASE),
                MergeStep(
                    _edited(["drop chapters"]),
                    _edited(["all log error_event"]),
                    "theirs",
                    resolved=_edited(["all log error_event", "backend srv"]),
                ),
            ],
            id="merge-conflicting-on-the-tools-code-resolved-with-the-backend-moved",
        ),
        pytest.param(
            [
                PlanStep(BASE),
                MergeStep(_edited(["explicit app"]), _edited(["backend srv"]), "ours"),
            ],
            id="merge-of-a-branch-that-moved-the-backend-resolved-with-this-sides-plan",
        ),
        pytest.param(
            [
                PlanStep(BASE),
                MergeStep(
                    _edited(["specs-dir", "rename chapter_visit"]),
                    _edited(["block_type enum grows"]),
                    "theirs",
                ),
            ],
            id="merge-into-documents-this-side-moved-resolved-with-the-other-sides-plan",
        ),
        pytest.param(
            [MergeStep(_edited(["dotted app-package"]), _edited([]), "ours")],
            id="first-generate-on-two-branches-with-other-app-packages-merged",
        ),
        pytest.param(
            [MergeStep(_edited([]), _edited(["layer-package telemetry_layer"]), "ours")],
            id="first-generate-on-two-branches-with-other-layer-names-merged",
        ),
        pytest.param(
            [
                MergeStep(_edited(["dotted app-package", "specs-dir"]), _edited([]), "ours"),
                MergeStep(_edited([]), _edited(["dotted app-package", "specs-dir"]), "theirs"),
            ],
            id="second-merge-of-a-dotted-app-package-taking-the-other-sides-plan",
        ),
        pytest.param(
            [
                MergeStep(_edited(["dotted app-package", "specs-dir"]), _edited([]), "ours"),
                MergeStep(
                    _edited(["dotted app-package", "specs-dir"]),
                    _edited(["dotted app-package"]),
                    "ours",
                ),
            ],
            id="second-merge-without-conflicts-in-the-plan-resolved-with-this-sides-plan",
        ),
        pytest.param(
            [MergeStep(_edited(["retire chapter_visit", "flat layout"]), _edited([]), "ours")],
            id="merge-of-calls-through-the-app-package-into-this-sides-flat-layout",
        ),
    ],
)
def test_fixed_walks_through_merges_and_checkouts_keep_the_invariant(
    original: Path, tmp_path: Path, steps: list[WalkStep]
) -> None:
    # One side dropped chapters.py from the plan, the other logged error_event there: the
    # merge conflicted there on the inserted calls alone, and the plan the person wrote moved
    # the backend to srv/; chapters.py was refused in backend/, where the record put the code.
    # The other branch moved the backend to srv/ and this side's plan was taken: srv/ kept that
    # branch's wiring, calls and layer (merged in cleanly), which no plan or record here named.
    # This side moved the documents to docs/specs, the other changed them where they were: git
    # merged the other's changes into the moved files, with conflicts, and those stayed.
    # Two branches wired the app through layers of other names or app packages: both imports
    # merged in above one include, and the other branch's import (and layer) stayed.
    # A second merge: this side moved back to `app-package = "app"` under backend/ (the same
    # folder, imported as `app`), the other's plan taken: the calls through `app.analytics`
    # merged in cleanly and stayed beside the new ones (one layer name per app package was
    # looked for). A merge that did not conflict in the plan moves `main` to the merge commit:
    # "this side's plan" is the one from before it.
    # This side turned the layout flat (the same folder, imported without `app.`) and dropped
    # chapters.py; the other branch's call there, through `app.analytics`, merged in cleanly
    # and stayed: the module was read in the flat layout alone, through its layer name.
    problems, taken = run_git_walk(original, tmp_path, steps)
    assert not problems, "\n".join(problems)
    assert taken == len(steps)  # no step skipped as a plan one generate refuses


_SIMPLE = {"api/ai_blocks.py": "ai_block_used", "api/chapters.py": "chapter_visit"}


@pytest.mark.parametrize("command", ["generate", "remove"])
@pytest.mark.parametrize(
    ("older", "newer", "added"),
    [
        pytest.param(
            {"feature": "001-old", "events": None, "instrument": _SIMPLE},
            {"feature": "001-old"},
            "specs/001-old/contracts/events.schema.json",
            id="documents",
        ),
        pytest.param(
            {"layer_package": "old_layer"},
            {"layer_package": "old_layer", "sink": "opentelemetry"},
            "backend/app/old_layer/opentelemetry_sink.py",
            id="layer",
        ),
    ],
)
def test_an_output_beside_those_an_older_manifest_records_goes_too(
    original: Path,
    tmp_path: Path,
    older: dict[str, object],
    newer: dict[str, object],
    added: str,
    command: str,
) -> None:
    # The manifest is older than the tree (checked out from an earlier commit, or a run stopped
    # before it wrote its manifest): an output written since sits in a folder the manifest
    # records, but is not named in it. The plan then moved that folder: the recorded files
    # went, the other one stayed, and `--check` was green about it.
    root = _generated(original, tmp_path, _plan(**older))
    manifest = (root / MANIFEST).read_bytes()
    write_plan(root, _plan(**newer))
    assert run("generate", "--root", str(root)).exit_code == 0
    assert (root / added).exists()
    (root / MANIFEST).write_bytes(manifest)
    write_plan(root, BASE)
    if command == "generate":
        assert run("generate", "--root", str(root), "--check").exit_code == 1
        assert run("generate", "--root", str(root)).exit_code == 0
        assert run("generate", "--root", str(root), "--check").exit_code == 0
    else:
        assert run("remove", "--root", str(root)).exit_code == 0
    assert not (root / added).exists()
    assert not (root / added).parent.exists()


@pytest.mark.parametrize(
    ("newer", "left"),
    [
        pytest.param({"feature": "060-telemetry"}, "specs/060-telemetry", id="feature"),
        pytest.param({"layer_package": "telemetry"}, "backend/app/telemetry", id="layer-package"),
    ],
)
@pytest.mark.parametrize("command", ["generate", "remove"])
def test_outputs_of_a_newer_plan_left_by_checking_out_an_older_commit_go(
    original: Path, tmp_path: Path, newer: dict[str, object], left: str, command: str
) -> None:
    # `git checkout <older commit> -- .` restores every file the older commit tracks (plan,
    # manifest, patched modules, outputs) and leaves the files the newer plan created: its
    # outputs in a folder of their own, which neither the plan nor the manifest names. They
    # stayed for good, --check green about them, and `remove` left them too.
    root = _generated(original, tmp_path, BASE)
    older = snapshot(root)
    write_plan(root, _plan(**newer))
    assert run("generate", "--root", str(root)).exit_code == 0
    assert (root / left).is_dir()
    for path, data in older.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    if command == "generate":
        assert run("generate", "--root", str(root), "--check").exit_code == 1
        assert run("generate", "--root", str(root)).exit_code == 0
        assert snapshot(root) == older
        assert run("generate", "--root", str(root), "--check").exit_code == 0
    else:
        assert run("remove", "--root", str(root)).exit_code == 0
        assert snapshot(root) == snapshot(original)
    assert not (root / left).exists()


def test_a_newer_layer_that_the_code_still_imports_is_kept(original: Path, tmp_path: Path) -> None:
    # The older plan and manifest only came back: the modules still import the newer layer,
    # which is not taken away from under them.
    root = _generated(original, tmp_path, BASE)
    older = snapshot(root)
    write_plan(root, _plan(layer_package="telemetry"))
    assert run("generate", "--root", str(root)).exit_code == 0
    layer = root / "backend/app/telemetry"
    newer = sorted(path.name for path in layer.glob("*.py"))
    for path in ("pyproject.toml", MANIFEST):
        (root / path).write_bytes(older[path])
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert "chapters.py still use it; fix that and rerun" in result.stdout, result.stdout
    # Whole: the modules it keeps import the others.
    assert sorted(path.name for path in layer.glob("*.py")) == newer
    # remove too keeps it, as the calls of the newer plan are not its to take out.
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 1
    assert "chapters.py still use the layer; fix that and rerun" in removed.stdout
    assert sorted(path.name for path in layer.glob("*.py")) == newer


def test_files_beside_the_known_folders_that_are_not_provably_the_tools_stay(
    original: Path, tmp_path: Path
) -> None:
    # Beside the plan's feature and layer sit the user's own: another spec-kit feature, a
    # package, and a generated document edited since, beside one as generated. Only the last
    # is provably the tool's: it goes, the others stay, and nothing is refused over them.
    root = _generated(original, tmp_path, BASE)
    mine = root / "specs/001-auth"
    mine.mkdir()
    (mine / "spec.md").write_text("# Auth\n")
    edited = root / "specs/060-telemetry"
    edited.mkdir()
    feature = root / "specs/059-analytics-telemetry"
    (edited / "spec.md").write_text((feature / "spec.md").read_text() + "My note.\n")
    shutil.copy(feature / "plan.md", edited / "plan.md")
    package = root / "backend/app/helpers"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "event_logger.py").write_text("LOG = []\n")
    before = snapshot(root)
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert changed_files(before, snapshot(root)) == ["specs/060-telemetry/plan.md"]
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 0, removed.stdout
    for path in ("specs/001-auth/spec.md", "specs/060-telemetry/spec.md", "backend/app/helpers"):
        assert (root / path).exists()


@pytest.mark.parametrize(
    ("moved", "left"),
    [
        pytest.param({"specs_dir": "docs/specs"}, "docs/specs/059-analytics-telemetry", id="specs"),
        pytest.param({"backend": "srv"}, "srv/app/analytics", id="backend"),
    ],
)
def test_a_moved_folder_moved_back_names_its_outputs_and_keeps_an_edited_one(
    original: Path, tmp_path: Path, moved: dict[str, object], left: str
) -> None:
    # The plan moves the documents (or the backend) and moves them back: the manifest records
    # the outputs of the move. --check names each as obsolete, generate removes those still as
    # written and keeps (reports) one edited by hand.
    root = _generated(original, tmp_path, BASE)
    write_plan(root, _plan(**moved))
    assert run("generate", "--root", str(root)).exit_code == 0
    outputs = sorted(path.name for path in (root / left).rglob("*") if path.is_file())
    edited = root / left / sorted((root / left).glob("*.*"))[0].name
    edited.write_text(edited.read_text() + "\n# mine\n")
    write_plan(root, BASE)
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    named = [line.split()[-1] for line in check.stdout.splitlines() if "obsolete" in line]
    assert sorted(PurePosixPath(path).name for path in named) == outputs
    assert run("generate", "--root", str(root)).exit_code == 1  # the edited one is refused
    assert sorted(path for path in (root / left).rglob("*") if path.is_file()) == [edited]


@pytest.mark.parametrize(
    ("moved", "left"),
    [
        pytest.param({"specs_dir": "docs/specs"}, "docs", id="specs-dir"),
        pytest.param({"backend": "srv"}, "srv/app/analytics", id="backend"),
    ],
)
@pytest.mark.parametrize("command", ["generate", "remove"])
def test_outputs_of_a_newer_plan_in_another_root_folder_go_when_git_tracks_them(
    original: Path, tmp_path: Path, moved: dict[str, object], left: str, command: str
) -> None:
    # `git checkout <older> -- .` brings back the older plan and manifest and leaves the newer
    # plan's outputs in a folder neither names (another specs-dir, another backend): not beside
    # a known one. The manifest's committed history still records them, which finds them cheaply.
    root = _generated(original, tmp_path, BASE)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "older")
    older = git(root, "rev-parse", "HEAD").strip()
    write_plan(root, _plan(**moved))
    assert run("generate", "--root", str(root)).exit_code == 0
    assert (root / left).is_dir()
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "newer")
    git(root, "checkout", "-q", older, "--", ".")
    if command == "generate":
        check = run("generate", "--root", str(root), "--check")
        assert check.exit_code == 1, check.stdout
        assert re.search(rf"^obsolete\s+{re.escape(left)}/", check.stdout, re.M), check.stdout
        # --diff shows exactly what generate then does; a second run changes nothing.
        work = tmp_path / "work"
        work.mkdir()
        assert generate_step(root, work) == []
    else:
        assert run("remove", "--root", str(root)).exit_code == 0
        left_over = changed_files(snapshot(original), snapshot(root))
        assert [path for path in left_over if not path.startswith(".git/")] == []
    assert not (root / left).exists()


def test_outputs_of_a_newer_plan_in_another_root_folder_stay_without_git(
    original: Path, tmp_path: Path
) -> None:
    # Documented limit: without version control there is no cheap record of where a newer plan
    # wrote; the tool does not walk the whole tree for them.
    root = _generated(original, tmp_path, BASE)
    older = snapshot(root)
    write_plan(root, _plan(specs_dir="docs/specs"))
    assert run("generate", "--root", str(root)).exit_code == 0
    for path, data in older.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert (root / "docs/specs/059-analytics-telemetry/spec.md").exists()


@pytest.mark.parametrize("marked", [False, True])
def test_wiring_left_in_another_backend_goes_with_its_layer_unless_the_user_marked_it(
    original: Path, tmp_path: Path, marked: bool
) -> None:
    # The wiring of a newer plan's backend, put back by hand after a checkout of the older
    # plan, exactly as generate wrote it, is the tool's code where no plan wires: it goes, and
    # the layer with it (kept before, with the layer it imports, for good). Marked with a
    # comment, it is the user's: it stays, and the layer it imports stays whole.
    root = _generated(original, tmp_path, BASE)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "older")
    older = git(root, "rev-parse", "HEAD").strip()
    write_plan(root, _plan(backend="srv"))
    assert run("generate", "--root", str(root)).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "newer")
    wired = (root / "srv/app/main.py").read_bytes()
    if marked:
        wired = wired.replace(
            b"app.include_router(telemetry_router)\n",
            b"app.include_router(telemetry_router)  # ours\n",
        )
    git(root, "checkout", "-q", older, "--", ".")
    (root / "srv/app/main.py").write_bytes(wired)  # the user put the newer wiring back
    layer = sorted(path.name for path in (root / "srv/app/analytics").iterdir())
    assert run("generate", "--root", str(root)).exit_code == 0
    if marked:
        assert (
            b"include_router(telemetry_router)  # ours" in (root / "srv/app/main.py").read_bytes()
        )
        assert sorted(path.name for path in (root / "srv/app/analytics").iterdir()) == layer
    else:
        assert (root / "srv/app/main.py").read_bytes() == (
            original / "srv/app/main.py"
        ).read_bytes()
        assert not (root / "srv/app/analytics").exists()
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def test_outputs_of_another_plan_below_the_root_are_not_taken(
    original: Path, tmp_path: Path
) -> None:
    # A monorepo: the root's plan and a service's own plan (its pyproject, its manifest).
    root = _generated(original, tmp_path, BASE)
    service = root / "services/api"
    shutil.copytree(original, service)
    write_plan(service, _plan(specs_dir="docs"))
    assert run("generate", "--root", str(service)).exit_code == 0
    git(root, "init", "-q")
    git(root, "add", "-A")
    before = snapshot(service)
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("generate", "--root", str(root)).exit_code == 0
    assert snapshot(service) == before


def test_a_committed_copy_of_generated_files_that_no_manifest_recorded_stays(
    original: Path, tmp_path: Path
) -> None:
    # Golden copies of the layer and documents, committed: they carry the tool's header and
    # digest, but no version of this project's manifest ever recorded them.
    root = _generated(original, tmp_path, BASE)
    shutil.copytree(root / "backend/app/analytics", root / "tests/golden/app/analytics")
    shutil.copytree(root / "specs", root / "tests/golden/specs")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "golden")
    before = snapshot(root)
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert {path: data for path, data in before.items() if path.startswith("tests/golden/")} == {
        path: data for path, data in snapshot(root).items() if path.startswith("tests/golden/")
    }


_CORPUS_CASES = (
    "class-based-views",
    "stacked-route-decorators",
    "dynamic-router-prefix",
    "factory-called-from-main",
    "router-prefix-chain",
    "routers-included-by-a-module-helper",
    "route-module-is-a-package",
)
_LAYERS = {"analytics", "tele"}  # the layer's package, by default and after the plan edit


def _corpus_modules(root: Path, plan: Plan) -> list[Path]:
    """The user's modules of a corpus project: its app package's, the layer's left out."""
    backend = root / plan.get("backend", "backend")
    package = backend / plan.get("app-package", "app").replace(".", "/")
    return [
        path
        for path in sorted(package.rglob("*.py"))
        if not _LAYERS & set(path.relative_to(package).parts)
    ]


def _corpus_plan_edits(plan: Plan) -> dict[str, Callable[[Plan], object]]:
    edits: dict[str, Callable[[Plan], object]] = {
        "api-prefix": lambda plan: plan.__setitem__("api-prefix", "/api/v9/telemetry"),
        "capture-errors off": lambda plan: plan.__setitem__("capture-errors", False),
        "layer-package": lambda plan: plan.__setitem__("layer-package", "tele"),
        "sink": lambda plan: plan.__setitem__("sink", "opentelemetry"),
        "catalog grows": lambda plan: plan.__setitem__(
            "event-types", [*plan["event-types"], "zz_added"]
        ),
    }
    for module in plan["instrument"]:
        edits[f"drop {module}"] = lambda plan, module=module: plan["instrument"].pop(module)
        edits[f"{module} logs error_event"] = lambda plan, module=module: plan[
            "instrument"
        ].__setitem__(module, "error_event")
    return edits


@pytest.mark.parametrize("case", _CORPUS_CASES)
def test_corpus_plan_sequences_with_formatting_keep_the_invariant(
    case: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Other route shapes (class-based views, stacked decorators, a prefix known at run time,
    # routers of a factory, prefixes chained through includes or added by a helper, a route
    # module that is a package) through plan changes (the layer moving, the sink switched, the
    # catalog growing), with the user's formatter and CRLF endings between them.
    original = tmp_path_factory.mktemp("original") / case
    shutil.copytree(CORPUS / case, original, ignore=shutil.ignore_patterns("expected.toml"))
    plan = tomllib.loads((original / "pyproject.toml").read_text())["tool"]["telemetry-scaffold"]
    write_plan(original, plan)
    plan_edits = _corpus_plan_edits(plan)
    backend = plan.get("backend", "backend")
    hand: dict[str, Edit] = {
        "format": lambda root: _format_narrow(root / backend, _corpus_modules(root, plan)),
        "crlf": lambda root: _to_crlf(_corpus_modules(root, plan)),
    }

    @settings(
        max_examples=int(_EXAMPLES) if _EXAMPLES else 3,
        deadline=None,
        derandomize=not _EXAMPLES,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        steps=st.lists(
            st.tuples(
                st.lists(st.sampled_from(sorted(plan_edits)), max_size=3, unique=True),
                st.sampled_from([None, "format", "crlf"]),
            ),
            min_size=1,
            max_size=3,
        )
    )
    def walk(steps: list[tuple[list[str], str | None]]) -> None:
        plans = [plan]
        edits: dict[int, Edit] = {}
        for names, edit in steps:
            changed = copy.deepcopy(plan)
            for name in names:
                plan_edits[name](changed)
            if edit is not None:
                edits[len(plans)] = hand[edit]
            plans.append(changed)
        work = tmp_path_factory.mktemp("work")
        problems = run_sequence(original, work, plans, edits, tuple(edits.values()))
        assert not problems, f"{case} {steps}:\n" + "\n".join(problems)

    walk()


_ITEMS_VIEWS = (
    "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
    '@router.get("/items")\nasync def list_items() -> list[int]:\n    return []\n\n\n'
    '@router.get("/items/{item_id}")\nasync def get_item(item_id: int) -> int:\n'
    "    return item_id\n"
)
_ITEMS_MAIN = (
    "from fastapi import FastAPI\n\nfrom views import router\n\napp = FastAPI()\n"
    "app.include_router(router)\n"
)


def _items_project(root: Path) -> tuple[Plan, Plan]:
    """A two-route project, and two plans: the event alone, then a required `item_id` captured.

    The second plan cannot instrument `list_items` (no `item_id` there).
    """
    root.mkdir(exist_ok=True)
    (root / "views.py").write_text(_ITEMS_VIEWS)
    (root / "main.py").write_text(_ITEMS_MAIN)
    first: Plan = {
        "backend": ".",
        "app-package": "",
        "app": "main:app",
        "instrument": {"views.py": "ai_block_used"},
    }
    second = copy.deepcopy(first)
    second["instrument"] = {"views.py": {"event": "ai_block_used", "capture": ["item_id"]}}
    second["events"] = {
        "ai_block_used": {
            "description": "An item was read.",
            "properties": {"item_id": {"type": "string", "required": True}},
        }
    }
    return first, second


def test_a_handler_the_new_plan_cannot_instrument_keeps_no_call_of_the_old_plan(
    tmp_path: Path,
) -> None:
    # Found on a real backend (asgi-reexport-procfile): the plan then captures a required
    # property one handler has no parameter for. generate exits 1 naming that handler, as
    # documented, but the handler kept the old plan's call (without the required property,
    # an event its new model rejects), where a fresh generate of that plan writes none.
    roots = {}
    for name in ("project", "fresh"):
        root = tmp_path / name
        first, second = _items_project(root)
        for plan in [first, second] if name == "project" else [second]:
            write_plan(root, plan)
            result = run("generate", "--root", str(root))
        assert result.exit_code == 1, result.stdout
        assert "list_items" in result.stdout
        roots[name] = root
    assert (roots["project"] / "views.py").read_text() == (roots["fresh"] / "views.py").read_text()
    # --check stays red while the handler is not instrumented, as after a fresh run.
    assert run("generate", "--check", "--root", str(roots["project"])).exit_code == 1


def test_the_old_plans_call_with_a_comment_of_the_users_stays_named_until_forced(
    tmp_path: Path,
) -> None:
    # The same call carrying a comment of the user's is theirs to take out: kept and named
    # (exit 1, --check red); --force takes it out, as removal does, leaving a fresh run's file.
    project = tmp_path / "project"
    first, second = _items_project(project)
    write_plan(project, first)
    assert run("generate", "--root", str(project)).exit_code == 0
    views = project / "views.py"
    commented = views.read_text().replace(
        '"handler": "list_items",', '"handler": "list_items",  # keep'
    )
    assert "# keep" in commented
    views.write_text(commented)
    write_plan(project, second)
    result = run("generate", "--root", str(project))
    assert result.exit_code == 1, result.stdout
    assert "carries a comment of yours" in result.stdout
    assert "# keep" in views.read_text()
    assert run("generate", "--check", "--root", str(project)).exit_code == 1
    assert run("generate", "--force", "--root", str(project)).exit_code == 1
    fresh = tmp_path / "fresh"
    _items_project(fresh)
    write_plan(fresh, second)
    assert run("generate", "--root", str(fresh)).exit_code == 1
    assert views.read_text() == (fresh / "views.py").read_text()


def test_a_skipped_handler_keeps_the_old_plans_call_the_new_plan_cannot_write(
    tmp_path: Path,
) -> None:
    # Marked `# telemetry-scaffold: skip` after a run instrumented it: generate never touches a
    # skipped handler (README: the mark keeps its call as it is), even where the new plan
    # captures a property it has no parameter for; the other handler is brought up to date.
    plan, second = _items_project(tmp_path)
    write_plan(tmp_path, plan)
    assert run("generate", "--root", str(tmp_path)).exit_code == 0
    text = (tmp_path / "views.py").read_text()
    marked = text.replace(
        '@router.get("/items")\n', '@router.get("/items")  # telemetry-scaffold: skip\n'
    )
    (tmp_path / "views.py").write_text(marked)
    write_plan(tmp_path, second)
    result = run("generate", "--root", str(tmp_path))
    after = (tmp_path / "views.py").read_text()
    kept = marked.split("\n\n\n")[1]  # the skipped handler, call and all
    assert kept in after
    assert '"item_id": str(item_id)' in after  # the other handler's call is brought up to date
    # Kept, but not silently: the logger would drop every event of that call.
    assert result.exit_code == 1, result.stdout
    assert "views.py:10: 'ai_block_used' requires 'item_id'" in result.stdout
    check = run("generate", "--check", "--root", str(tmp_path))
    assert check.exit_code == 1, check.stdout
