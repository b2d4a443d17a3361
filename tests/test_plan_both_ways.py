"""The plan is the truth both ways: what a smaller plan no longer asks for comes out again.

Every case starts from a pristine project, generates, shrinks the plan, and checks that
``--check`` fails before the next ``generate`` and passes after it, with the user's files back
to the bytes they had before they were instrumented. ``remove`` takes the whole layer out.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli_support import (
    AI_BLOCKS_PY,
    MAIN_PY,
    copy_bundled_project,
    make_project,
    run,
    snapshot,
)
from tests.corpus_support import CORPUS, copy_case
from tests.plan_sequence_support import generate_step

CHAPTERS_PY = '''"""Chapters."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/chapters")


@router.get("/{chapter_id}")
def get_chapter(chapter_id: str) -> dict[str, str]:
    return {"id": chapter_id}
'''

MAIN = "backend/app/main.py"
BLOCKS = "backend/app/api/ai_blocks.py"
CHAPTERS = "backend/app/api/chapters.py"
FULL_PLAN = (
    'instrument = { "api/ai_blocks.py" = "ai_block_used", "api/chapters.py" = "chapter_visit" }'
)


def _project(tmp_path: Path, plan: str = FULL_PLAN, variant: str = "lf") -> Path:
    root = make_project(tmp_path / "project", plan)
    (root / CHAPTERS).write_text(CHAPTERS_PY)
    if variant != "lf":
        for relative in (MAIN, BLOCKS, CHAPTERS):
            path = root / relative
            data = path.read_bytes().replace(b"\n", b"\r\n")
            path.write_bytes(b"\xef\xbb\xbf" + data if variant == "crlf-bom" else data)
    return root


def _set_plan(root: Path, plan: str) -> None:
    config = root / "pyproject.toml"
    text = config.read_text()
    config.write_text(
        text[: text.index("[tool.telemetry-scaffold]")] + f"[tool.telemetry-scaffold]\n{plan}\n"
    )


@pytest.mark.parametrize("variant", ["lf", "crlf", "crlf-bom"])
def test_a_module_dropped_from_instrument_gets_its_original_bytes_back(
    tmp_path: Path, variant: str
) -> None:
    root = _project(tmp_path, variant=variant)
    pristine = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert snapshot(root)[CHAPTERS] != pristine[CHAPTERS]
    _set_plan(root, 'instrument = { "api/ai_blocks.py" = "ai_block_used" }')
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert re.search(rf"^unpatched\s+{re.escape(CHAPTERS)}$", check.stdout, re.M), check.stdout
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "take out the log call of route get_chapter" in result.stdout
    assert snapshot(root)[CHAPTERS] == pristine[CHAPTERS]
    assert run("generate", "--root", str(root), "--check").exit_code == 0


ONE_LINE_CHAPTERS_PY = '''"""Chapters."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/chapters")


@router.get("/{chapter_id}")
def get_chapter(chapter_id: str) -> dict[str, str]: return {"id": chapter_id}  # one line


@router.get("/")
async def chapters() -> list[str]: "All of them."
'''


@pytest.mark.parametrize("variant", ["lf", "crlf", "crlf-bom"])
def test_calls_in_one_line_suites_come_and_go_with_the_plan(tmp_path: Path, variant: str) -> None:
    # A body on the def line was refused (exit 1, nothing logged): its call goes into the
    # suite, and the plan dropping the module or `remove` gives the bytes back.
    root = make_project(tmp_path / "project", FULL_PLAN)
    (root / CHAPTERS).write_text(ONE_LINE_CHAPTERS_PY)
    if variant != "lf":
        data = (root / CHAPTERS).read_bytes().replace(b"\n", b"\r\n")
        (root / CHAPTERS).write_bytes(b"\xef\xbb\xbf" + data if variant == "crlf-bom" else data)
    pristine = snapshot(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = (root / CHAPTERS).read_bytes().decode("utf-8-sig")
    assert (
        'def get_chapter(chapter_id: str) -> dict[str, str]: event_logger.log("chapter_visit", '
        '{"route": "/api/chapters/{chapter_id}", "method": "GET", "handler": "get_chapter", '
        '"block_type": "chapters", "chapter_id": chapter_id}); '
        'return {"id": chapter_id}  # one line'
    ) in text
    assert 'async def chapters() -> list[str]: "All of them."; event_logger.log(' in text
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("generate", "--root", str(root)).stdout.count("unchanged") >= 1
    edited = snapshot(root)
    # The call edited by hand: --check names the module.
    (root / CHAPTERS).write_bytes(
        edited[CHAPTERS].replace(b'"handler": "get_chapter"', b'"handler": "chapter"')
    )
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert CHAPTERS in check.stdout
    (root / CHAPTERS).write_bytes(edited[CHAPTERS])
    _set_plan(root, 'instrument = { "api/ai_blocks.py" = "ai_block_used" }')
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert re.search(rf"^unpatched\s+{re.escape(CHAPTERS)}$", check.stdout, re.M), check.stdout
    assert run("generate", "--root", str(root)).exit_code == 0
    assert snapshot(root)[CHAPTERS] == pristine[CHAPTERS]
    _set_plan(root, FULL_PLAN)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert snapshot(root)[CHAPTERS] == edited[CHAPTERS]
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == pristine


EVERY_ONE_LINE_FORM_PY = '''from fastapi import APIRouter

router = APIRouter(prefix="/api/chapters")


@router.get("/a")
def a(): """Doc."""


@router.get("/b")
def b(): "doc";


@router.get("/c")
def c(): return 1


@router.get("/d")
def d(): x = 1; return x


@router.get("/e")
def e(): "doc"; return 2
'''


@pytest.mark.parametrize("variant", ["lf", "crlf"])
def test_an_event_type_change_rewrites_every_one_line_call_in_place(
    tmp_path: Path, variant: str
) -> None:
    # The new call used to be spliced inside the old one's cut after a docstring, both measured
    # on the old line: `def a(): """Doc."""); event_logger.log("chapter_visit", ...)`, exit 0.
    root = make_project(tmp_path / "project", FULL_PLAN)
    data = EVERY_ONE_LINE_FORM_PY.encode()
    (root / CHAPTERS).write_bytes(data.replace(b"\n", b"\r\n") if variant == "crlf" else data)
    pristine = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    first = (root / CHAPTERS).read_bytes()
    _set_plan(
        root,
        'event-types = ["ai_block_used", "chapter_seen", "error_event"]\n'
        + FULL_PLAN.replace("chapter_visit", "chapter_seen"),
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = (root / CHAPTERS).read_bytes()
    ast.parse(text)
    assert text == first.replace(b'"chapter_visit"', b'"chapter_seen"')
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root)[CHAPTERS] == pristine[CHAPTERS]


def test_turning_error_capture_off_takes_the_hook_and_its_file_out(tmp_path: Path) -> None:
    reference = _project(tmp_path / "reference", FULL_PLAN + "\ncapture-errors = false")
    assert run("generate", "--root", str(reference)).exit_code == 0
    root = _project(tmp_path / "shrunk")
    assert run("generate", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/analytics/error_capture.py").exists()
    _set_plan(root, FULL_PLAN + "\ncapture-errors = false")
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert re.search(rf"^unpatched\s+{re.escape(MAIN)}$", check.stdout, re.M)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert not (root / "backend/app/analytics/error_capture.py").exists()
    # The same bytes as a project generated without error capture from the start.
    assert (root / MAIN).read_bytes() == (reference / MAIN).read_bytes()
    assert "install_error_capture" not in (root / MAIN).read_text()


def test_error_capture_kept_while_a_hook_changed_by_hand_still_imports_it(tmp_path: Path) -> None:
    # error_capture.py was removed while main.py kept its (changed) hook and the import of it:
    # the app no longer started.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    main = root / MAIN
    main.write_text(
        main.read_text().replace("install_error_capture(app)", "install_error_capture(app=app)")
    )
    capture = root / "backend/app/analytics/error_capture.py"
    _set_plan(root, FULL_PLAN + "\ncapture-errors = false")
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert re.search(r"^refused\s+backend/app/analytics/error_capture\.py$", result.stdout, re.M)
    assert "kept: backend/app/main.py still uses it" in result.stdout
    assert capture.exists()
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert re.search(r"^obsolete\s+backend/app/analytics/error_capture\.py$", check.stdout, re.M)
    # With the hook taken out (--force), nothing imports it any more: it goes in the same run.
    assert run("generate", "--root", str(root), "--force").exit_code == 0
    assert not capture.exists()
    assert "error_capture" not in main.read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_changed_event_type_replaces_the_inserted_calls(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    _set_plan(root, FULL_PLAN.replace('"chapter_visit"', '"ai_block_used"'))
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    assert run("generate", "--root", str(root)).exit_code == 0
    text = (root / CHAPTERS).read_text()
    assert '"chapter_visit"' not in text
    assert text.count('"ai_block_used"') == 1
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_call_of_an_undeclared_type_fails_the_check_with_its_line(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    helper = root / "backend/app/quiz.py"
    helper.write_text(
        "from app.analytics.event_logger import event_logger\n\n\n"
        "def finish() -> None:\n"
        '    event_logger.log("quiz_completed", {"score": 3})\n'
    )
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert (
        "backend/app/quiz.py:5: logs 'quiz_completed', which is not in event-types "
        "['ai_block_used', 'chapter_visit', 'error_event']"
    ) in check.stdout
    # Declaring it fixes it.
    _set_plan(
        root,
        FULL_PLAN
        + '\nevent-types = ["ai_block_used", "chapter_visit", "error_event", "quiz_completed"]',
    )
    assert run("generate", "--root", str(root)).exit_code == 0
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_the_diff_of_a_module_with_a_bom_applies_to_its_bytes(tmp_path: Path) -> None:
    # A module starting with a UTF-8 BOM, patched near its top: --diff showed its first line
    # without the BOM, so `patch` could not apply the hunk ("1 out of 2 hunks FAILED").
    root = _project(tmp_path, variant="crlf-bom")
    # Its first line in the first hunk, which `patch` cannot skip as fuzz.
    undocumented = CHAPTERS_PY.partition("\n\n")[2].replace("\n", "\r\n")
    (root / CHAPTERS).write_bytes(b"\xef\xbb\xbf" + undocumented.encode())
    assert generate_step(root, tmp_path / "work") == []
    assert (root / CHAPTERS).read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_users_own_call_of_an_undeclared_type_leaves_the_module_done(tmp_path: Path) -> None:
    # A call of the user's own in an instrumented module (in a block of theirs, after the
    # inserted one) logs an event the plan does not have. It is theirs: named with its line,
    # and the run fails, but generate's part of the module is done, so the module is not
    # "refused" and its task in tasks.md stays ticked (it was unticked, and the file refused).
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    chapters.write_text(
        chapters.read_text().replace(
            '    return {"id": chapter_id}',
            '    if chapter_id:\n        event_logger.log("page_seen", {"id": chapter_id})\n'
            '    return {"id": chapter_id}',
        )
    )
    tasks = root / "specs/059-analytics-telemetry/tasks.md"
    documents = tasks.read_bytes()
    for arguments in (["--check"], []):
        result = run("generate", "--root", str(root), *arguments)
        assert result.exit_code == 1, result.stdout
        assert "logs 'page_seen', which is not in event-types" in result.stdout, result.stdout
        assert f"refused    {CHAPTERS}" not in result.stdout, result.stdout
    assert f"unchanged  {CHAPTERS}" in result.stdout, result.stdout
    assert tasks.read_bytes() == documents
    assert re.search(r"- \[x\] T\d+ .* in backend/app/api/chapters\.py", tasks.read_text())


def test_a_users_own_call_left_alone_in_a_handler_dropped_and_added_back_stays_theirs(
    tmp_path: Path,
) -> None:
    # The user logs an event of their own (another type of the plan, without the route context
    # generate writes) beside the inserted call. Dropping the module from the plan takes the
    # inserted call out and leaves theirs, alone in the handler; adding the module back took
    # theirs for the route's call and refused it ("logs 'ai_block_used', expected
    # 'chapter_visit'"), where generate run on the step-by-step file kept both calls. No run
    # ever wrote that type there: it is theirs, and the route gets its call again.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    chapters.write_text(
        chapters.read_text().replace(
            '    return {"id": chapter_id}',
            '    event_logger.log("ai_block_used", {"block_type": chapter_id})\n'
            '    return {"id": chapter_id}',
        )
    )
    assert run("generate", "--root", str(root)).exit_code == 0
    both = chapters.read_bytes()
    _set_plan(root, 'instrument = { "api/ai_blocks.py" = "ai_block_used" }')
    assert run("generate", "--root", str(root)).exit_code == 0
    text = chapters.read_text()
    assert text.count(".log(") == 1 and '"ai_block_used"' in text, text
    _set_plan(root, FULL_PLAN)
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert chapters.read_bytes() == both
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_an_app_that_moved_is_unwired_where_it_was(tmp_path: Path) -> None:
    root = _project(tmp_path)
    pristine = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    (root / "backend/app/server.py").write_text(
        "from fastapi import FastAPI\n\nserver = FastAPI()\n"
    )
    _set_plan(root, FULL_PLAN + '\napp = "app.server:server"')
    assert run("generate", "--root", str(root)).exit_code == 0
    assert (root / MAIN).read_bytes() == pristine[MAIN]
    assert "server.include_router(telemetry_router)" in (root / "backend/app/server.py").read_text()


@pytest.mark.parametrize(
    "factory",
    [
        "def create_app() -> FastAPI:\n    return app\n",
        "def create_app() -> FastAPI:\n    application = app\n    return application\n",
    ],
)
def test_a_factory_handing_out_the_modules_app_is_wired_where_the_app_is_built(
    tmp_path: Path, factory: str
) -> None:
    # `def create_app(): return app`: the factory serves the module's own app, so pointing the
    # plan at it changes nothing the app is built with; the wiring stays where it is.
    root = _project(tmp_path)
    main = root / MAIN
    main.write_text(main.read_text() + "\n\n" + factory)
    assert run("generate", "--root", str(root)).exit_code == 0
    wired = main.read_bytes()
    _set_plan(root, FULL_PLAN + '\napp = "app.main:create_app"')
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert main.read_bytes() == wired
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize("variant", ["lf", "crlf", "crlf-bom"])
def test_remove_gives_back_the_tree_from_before_generate(tmp_path: Path, variant: str) -> None:
    root = _project(tmp_path, variant=variant)
    pristine = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    check = run("remove", "--root", str(root), "--check")
    assert check.exit_code == 1
    result = run("remove", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    # Each statement taken out is reported once.
    assert result.stdout.count("take out the telemetry router's include") == 1, result.stdout
    assert result.stdout.count("take out the error capture hook") == 1, result.stdout
    assert snapshot(root) == pristine
    assert not (root / "specs").exists()
    assert not (root / "backend/app/analytics").exists()
    assert run("remove", "--root", str(root), "--check").exit_code == 0


def test_remove_then_generate_on_the_bundled_project_round_trips(tmp_path: Path) -> None:
    root = copy_bundled_project(tmp_path / "bundled")
    committed = snapshot(root)
    assert run("remove", "--root", str(root)).exit_code == 0
    removed = snapshot(root)
    assert not any(path.startswith("backend/app/analytics/") for path in removed)
    assert "event_logger" not in removed["backend/app/api/ai_blocks.py"].decode()
    assert "telemetry_router" not in removed["backend/app/main.py"].decode()
    assert run("generate", "--root", str(root)).exit_code == 0
    assert snapshot(root) == committed


def test_remove_needs_no_app_once_the_app_module_is_gone(tmp_path: Path) -> None:
    # The wired module was deleted (its wiring with it): remove takes out the rest instead of
    # stopping at "no FastAPI app found"; generate still asks for an app.
    root = copy_bundled_project(tmp_path / "bundled")
    (root / "backend/app/main.py").unlink()
    assert run("generate", "--root", str(root), "--check").exit_code == 2
    result = run("remove", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    removed = snapshot(root)
    assert not any(path.startswith(("backend/app/analytics/", "specs/")) for path in removed)
    assert "event_logger" not in removed["backend/app/api/ai_blocks.py"].decode()
    assert ".telemetry-scaffold.json" not in removed


@pytest.mark.parametrize("how", ["deleted", "typo-in-the-plan", "moved-by-hand"])
def test_remove_is_not_held_back_by_a_planned_module_that_is_not_there(
    tmp_path: Path, how: str
) -> None:
    # The layer was kept ("kept: backend/app/api/chapters.py still uses the layer"), exit 1:
    # a module that is not there neither holds a call to take out nor imports the layer.
    root = _project(tmp_path)
    pristine = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    if how == "deleted":
        chapters.unlink()
        del pristine[CHAPTERS]
    elif how == "typo-in-the-plan":
        _set_plan(root, FULL_PLAN.replace("api/chapters.py", "api/chapter.py"))
    else:
        # Its calls went with it: exactly as generate wrote them, they come out there.
        chapters.rename(root / "backend/app/api/pages.py")
        pristine["backend/app/api/pages.py"] = pristine.pop(CHAPTERS)
    # The plan names a module that is not there: a configuration error (see test_generate).
    assert run("generate", "--root", str(root), "--check").exit_code == 2
    result = run("remove", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "still uses the layer" not in result.stdout
    assert {path: data for path, data in snapshot(root).items() if path != "pyproject.toml"} == {
        path: data for path, data in pristine.items() if path != "pyproject.toml"
    }
    assert not (root / "backend/app/analytics").exists()
    assert run("remove", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize("layer", ["", 'layer-package = "tele"\n'])
def test_a_module_dropped_from_the_plan_while_it_does_not_parse_is_not_forgotten(
    tmp_path: Path, layer: str
) -> None:
    # generate exited 0 and dropped it from the record: once it parsed again, its inserted
    # calls stayed for good with --check green, and remove left them importing no layer.
    root = _project(tmp_path)
    pristine = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    instrumented = chapters.read_text()
    chapters.write_text(instrumented + "\ndef unfinished(:\n")
    _set_plan(root, layer + 'instrument = { "api/ai_blocks.py" = "ai_block_used" }')
    for command in (("generate", "--check"), ("generate",), ("remove",)):
        result = run(*command, "--root", str(root))
        assert result.exit_code == 1, result.stdout
        assert re.search(rf"^error\s+{re.escape(CHAPTERS)}$", result.stdout, re.M), result.stdout
        assert "fix it and rerun" in result.stdout
    assert (root / "backend/app/analytics/event_logger.py").exists()
    chapters.write_text(instrumented)
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    assert run("generate", "--root", str(root)).exit_code == 0
    assert chapters.read_bytes() == pristine[CHAPTERS]
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert not layer or not (root / "backend/app/analytics").exists()


def test_remove_keeps_a_hand_edited_file_until_forced(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    spec = root / "specs/059-analytics-telemetry/spec.md"
    spec.write_text(spec.read_text() + "\nMy notes.\n")
    result = run("remove", "--root", str(root))
    assert result.exit_code == 1
    assert re.search(r"^refused\s+specs/059-analytics-telemetry/spec.md$", result.stdout, re.M)
    assert spec.exists()
    assert (root / ".telemetry-scaffold.json").exists()
    forced = run("remove", "--root", str(root), "--force")
    assert forced.exit_code == 0, forced.stdout
    assert not spec.exists()
    assert (root / "specs/059-analytics-telemetry/spec.md.bak").read_text().endswith("My notes.\n")
    assert not (root / ".telemetry-scaffold.json").exists()


def test_remove_keeps_a_changed_call_and_the_layer_it_needs(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    blocks = root / BLOCKS
    blocks.write_text(
        blocks.read_text().replace('"method": "POST",', '"method": "POST", "v": 2,', 1)
    )
    result = run("remove", "--root", str(root))
    assert result.exit_code == 1
    assert "is not as telemetry-scaffold wrote it" in result.stdout
    # The module still imports the logger, so the logger stays.
    assert (root / "backend/app/analytics/event_logger.py").exists()
    assert "kept: backend/app/api/ai_blocks.py still uses the layer" in result.stdout
    forced = run("remove", "--root", str(root), "--force")
    assert forced.exit_code == 0, forced.stdout
    assert blocks.read_text() == AI_BLOCKS_PY
    assert (root / MAIN).read_text() == MAIN_PY
    assert not (root / "backend/app/analytics").exists()


def test_an_api_prefix_shadowed_by_an_existing_route_fails_the_check(tmp_path: Path) -> None:
    root = _project(tmp_path, FULL_PLAN + '\napi-prefix = "/api/chapters"')
    # The app serves the chapters router: a router no app includes answers nothing.
    main = root / MAIN
    main.write_text(
        main.read_text().replace(
            "app.include_router(ai_blocks.router)",
            "app.include_router(ai_blocks.router)\n"
            "from app.api import chapters\n"
            "app.include_router(chapters.router)",
        )
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert (
        "backend/app/api/chapters.py:9: route get_chapter (GET /api/chapters/{chapter_id}) "
        "answers GET /api/chapters/health before the telemetry router can; change api-prefix in "
        "pyproject.toml, or the route"
    ) in result.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    _set_plan(root, FULL_PLAN + '\napi-prefix = "/api/telemetry"')
    assert run("generate", "--root", str(root)).exit_code == 0
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_an_include_prefix_counts_for_collisions(tmp_path: Path) -> None:
    root = _project(tmp_path, FULL_PLAN + '\napi-prefix = "/v1/chapters"')
    main = root / MAIN
    main.write_text(
        main.read_text().replace(
            "app.include_router(ai_blocks.router)",
            "app.include_router(ai_blocks.router)\n"
            "from app.api import chapters\n"
            'app.include_router(chapters.router, prefix="/v1")',
        )
    )
    chapters = root / CHAPTERS
    chapters.write_text(
        chapters.read_text().replace('prefix="/api/chapters"', 'prefix="/chapters"')
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert "answers GET /v1/chapters/health before the telemetry router can" in result.stdout


def test_a_hand_written_layer_is_kept_and_never_wired_until_adopted(tmp_path: Path) -> None:
    root = _project(tmp_path)
    pristine = snapshot(root)
    own = root / "backend/app/analytics"
    own.mkdir()
    (own / "__init__.py").write_text('"""Our own analytics."""\n')
    (own / "event_logger.py").write_text("def log(event: str) -> None:\n    print(event)\n")
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    for name in ("__init__.py", "event_logger.py"):
        assert re.search(rf"^refused\s+backend/app/analytics/{name}$", result.stdout, re.M)
    assert "exists, and was not written by telemetry-scaffold" in result.stdout
    assert "hand-edited" not in result.stdout
    assert "edited by hand" not in result.stdout
    # Not wired to a layer that is not the generated one: the app still imports.
    assert (root / MAIN).read_bytes() == pristine[MAIN]
    assert (root / BLOCKS).read_bytes() == pristine[BLOCKS]
    assert (own / "event_logger.py").read_text().startswith("def log")
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert re.search(r"^exists\s+backend/app/analytics/event_logger.py$", check.stdout, re.M)
    adopted = run("generate", "--root", str(root), "--force")
    assert adopted.exit_code == 0, adopted.stdout
    assert (own / "event_logger.py.bak").read_text().startswith("def log")
    # The backup holds the user's own file, not hand edits of a generated one: said as such.
    assert "(the file found there kept in backend/app/analytics/event_logger.py.bak)" in (
        adopted.stdout
    )
    assert "hand edits kept" not in adopted.stdout
    assert "telemetry_router" in (root / MAIN).read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_documents_claim_only_what_was_done(tmp_path: Path) -> None:
    root = _project(tmp_path)
    # A module that does not parse cannot be patched (one missing is refused before any write).
    (root / CHAPTERS).write_text(CHAPTERS_PY + "\ndef broken(:\n")
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    tasks = (root / "specs/059-analytics-telemetry/tasks.md").read_text()
    assert re.search(r"^- \[ \] T\d+ .*backend/app/api/chapters\.py", tasks, re.M), tasks
    assert re.search(r"^- \[x\] T\d+ .*backend/app/api/ai_blocks\.py", tasks, re.M)
    # The failure is not forgotten: the next run and the check fail the same way.
    assert run("generate", "--root", str(root)).exit_code == 1
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert "backend/app/api/chapters.py" in check.stdout
    (root / CHAPTERS).write_text(CHAPTERS_PY)
    assert run("generate", "--root", str(root)).exit_code == 0
    tasks = (root / "specs/059-analytics-telemetry/tasks.md").read_text()
    assert "- [ ]" not in tasks


def test_a_changed_call_in_a_dropped_module_stays_recorded_and_keeps_the_layer(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    chapters.write_text(
        chapters.read_text().replace('"method": "GET",', '"method": "GET", "v": 2,')
    )
    _set_plan(root, 'instrument = { "api/ai_blocks.py" = "ai_block_used" }')
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert "get_chapter (GET /api/chapters/{chapter_id}) is not as telemetry-scaffold" in (
        result.stdout
    )
    # Not forgotten: the check still names it, and remove keeps the layer the call imports.
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert "is not as telemetry-scaffold wrote it" in check.stdout
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 1
    assert (root / "backend/app/analytics/event_logger.py").exists()
    assert "kept: backend/app/api/chapters.py still uses the layer" in removed.stdout
    forced = run("remove", "--root", str(root), "--force")
    assert forced.exit_code == 0, forced.stdout
    assert chapters.read_text() == CHAPTERS_PY
    assert not (root / "backend/app/analytics").exists()


def test_a_changed_call_left_behind_as_the_layer_is_renamed_keeps_the_old_layer(
    tmp_path: Path,
) -> None:
    # layer-package changed as chapters.py left the plan, its call changed by hand: the old
    # layer it imports was deleted at once, and the next run looked for the call through the
    # new layer, found none, forgot it and passed --check.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    inserted = chapters.read_text()
    chapters.write_text(inserted.replace('"method": "GET",', '"method": "GET", "v": 2,'))
    _set_plan(root, 'layer-package = "tele"\ninstrument = { "api/ai_blocks.py" = "ai_block_used" }')
    for _ in range(2):
        result = run("generate", "--root", str(root))
        assert result.exit_code == 1, result.stdout
        assert "get_chapter (GET /api/chapters/{chapter_id}) is not as" in result.stdout
        assert (root / "backend/app/analytics/event_logger.py").exists()
        assert "kept: backend/app/api/chapters.py still uses it" in result.stdout
        assert run("generate", "--root", str(root), "--check").exit_code == 1
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 1
    assert (root / "backend/app/analytics/event_logger.py").exists()
    # Put back as it was written: it comes out, and the old layer with it.
    chapters.write_text(inserted)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert chapters.read_text() == CHAPTERS_PY
    assert not (root / "backend/app/analytics").exists()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert '"left"' not in (root / ".telemetry-scaffold.json").read_text()


def test_a_changed_call_through_the_apps_other_import_name_is_named_not_doubled(
    tmp_path: Path,
) -> None:
    # The same folder imported by another name (`app-package = "backend.app"` under the root):
    # the call changed by hand, through `app.analytics`, stayed and a second call went in
    # through `backend.app.analytics`, so the route logged twice, with a line that said only to
    # take the first out. It is named as after a `layer-package` change: what is out of date,
    # and what to do.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    changed = chapters.read_text().replace('"method": "GET",', '"method": "GET", "v": 2,')
    chapters.write_text(changed)
    _set_plan(root, f'backend = "."\napp-package = "backend.app"\n{FULL_PLAN}')
    for _ in range(2):
        result = run("generate", "--root", str(root))
        assert result.exit_code == 1, result.stdout
        assert (
            "the log call of route get_chapter (GET /api/chapters/{chapter_id}) was changed by "
            "hand (kept as yours) and is out of date: it logs through app.analytics, now "
            "backend.app.analytics; update it by hand, rerun with --force to replace it, or mark "
            "the handler `# telemetry-scaffold: skip` to keep it as it is"
        ) in result.stdout
        assert chapters.read_text() == changed
    forced = run("generate", "--root", str(root), "--force")
    assert forced.exit_code == 0, forced.stdout
    assert chapters.read_text().count(".log(") == 1
    assert "from backend.app.analytics.event_logger import event_logger\n" in chapters.read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_changed_call_outside_the_moved_backend_keeps_the_old_layer(tmp_path: Path) -> None:
    # The backend moved (`backend = "srv"`): the call changed by hand in the old folder's
    # module was kept, but the old layer it reads was deleted under it, and the next run forgot
    # the call (--check green on an import of a deleted module). The old layer stays while the
    # call reads it, and each run names the call and what to do.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    inserted = chapters.read_text()
    chapters.write_text(inserted.replace('"method": "GET",', '"method": "GET", "v": 2,'))
    shutil.copytree(root / "backend", root / "srv")
    shutil.rmtree(root / "srv/app/analytics")
    (root / "srv/app/main.py").write_text(MAIN_PY)
    (root / "srv/app/api/ai_blocks.py").write_text(AI_BLOCKS_PY)
    (root / "srv/app/api/chapters.py").write_text(CHAPTERS_PY)
    _set_plan(root, f'backend = "srv"\n{FULL_PLAN}')
    for _ in range(2):
        result = run("generate", "--root", str(root))
        assert result.exit_code == 1, result.stdout
        assert (
            f"{CHAPTERS}:{inserted.count(chr(10), 0, inserted.index('event_logger.log(')) + 1}: "
            "the log call of route get_chapter (GET /api/chapters/{chapter_id}) is not as "
            "telemetry-scaffold wrote it (changed since, or written by hand); kept: take it out "
            "by hand, or rerun with --force"
        ) in result.stdout
        assert f"kept: {CHAPTERS} still uses it" in result.stdout
        assert (root / "backend/app/analytics/event_logger.py").exists()
        assert run("generate", "--root", str(root), "--check").exit_code == 1
    # Put back as it was written: it comes out, and the old layer with it.
    chapters.write_text(inserted)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert chapters.read_text() == CHAPTERS_PY
    assert not (root / "backend/app/analytics").exists()
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_layer_that_changes_section_as_it_moves_is_set_apart_as_a_fresh_one(
    tmp_path: Path,
) -> None:
    # The app imports its routes relatively: the layer's imports joined them (`from
    # .analytics...`). In the flat layout they are first-party (`from analytics...`), a section
    # before the relative one: placed against the old imports being taken out, they ran into
    # it, where a fresh generate sets them apart by a blank line.
    root = make_project(tmp_path / "project", "[tool.telemetry-scaffold.instrument]")
    main = root / MAIN
    main.write_text(
        "from fastapi import FastAPI\n\nfrom .api.ai_blocks import router\n\n"
        "app = FastAPI()\napp.include_router(router)\n"
    )
    pristine = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert "from .analytics.telemetry_router import" in main.read_text()
    generated = main.read_bytes()
    flat = 'backend = "backend/app"\napp-package = ""\napp = "main:app"\n'
    _set_plan(root, flat + "[tool.telemetry-scaffold.instrument]")
    assert run("generate", "--root", str(root)).exit_code == 0
    fresh = make_project(tmp_path / "fresh", "")
    fresh.joinpath(MAIN).write_bytes(pristine[MAIN])
    _set_plan(fresh, flat + "[tool.telemetry-scaffold.instrument]")
    assert run("generate", "--root", str(fresh)).exit_code == 0
    assert main.read_text() == fresh.joinpath(MAIN).read_text()
    assert "router as telemetry_router\n\nfrom .api" in main.read_text()
    # And back, then out: the bytes of each step.
    _set_plan(root, "[tool.telemetry-scaffold.instrument]")
    assert run("generate", "--root", str(root)).exit_code == 0
    assert main.read_bytes() == generated
    assert run("remove", "--root", str(root)).exit_code == 0
    assert main.read_bytes() == pristine[MAIN]


def test_remove_keeps_the_layer_that_code_of_the_users_own_imports(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    helper = root / "backend/app/quiz.py"
    helper.write_text(
        "from app.analytics.event_logger import event_logger\n\n\n"
        "def finish() -> None:\n"
        '    event_logger.log("chapter_visit", {"chapter_id": "intro"})\n'
    )
    result = run("remove", "--root", str(root))
    # Deleting the layer would break `import app.quiz`: kept, and said why.
    assert result.exit_code == 1, result.stdout
    assert "kept: backend/app/quiz.py still uses the layer" in result.stdout
    assert (root / "backend/app/analytics/event_logger.py").exists()
    assert "telemetry_router" not in (root / MAIN).read_text()
    helper.unlink()
    assert run("remove", "--root", str(root)).exit_code == 0
    assert not (root / "backend/app/analytics").exists()


@pytest.mark.parametrize(
    ("mount", "path"),
    [
        ('api = FastAPI()\napp.mount("/api", api)', "/api"),
        (
            "from fastapi.staticfiles import StaticFiles\n"
            'app.mount("/", StaticFiles(directory="."))',
            "/",
        ),
    ],
    ids=["sub-application", "static-files-at-the-root"],
)
def test_a_mount_before_the_wiring_that_takes_the_telemetry_paths_fails_the_check(
    tmp_path: Path, mount: str, path: str
) -> None:
    """Starlette hands every path under a mount to it: the telemetry router would never answer."""
    root = _project(tmp_path)
    main = root / MAIN
    main.write_text(
        main.read_text().replace(
            'app = FastAPI(title="Demo")\n', f'app = FastAPI(title="Demo")\n{mount}\n'
        )
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert (
        f"backend/app/main.py:9: app.mount({path!r}, ...) answers /api/telemetry/log before "
        "the telemetry router, included after it, can; mount it after the app's last "
        "include_router, or change api-prefix in pyproject.toml"
    ) in result.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    # Mounted after the routers (the telemetry router among them): nothing to report.
    after = _project(tmp_path / "after")
    (after / MAIN).write_text(MAIN_PY + mount + "\n")
    assert run("generate", "--root", str(after)).exit_code == 0
    assert run("generate", "--root", str(after), "--check").exit_code == 0


def test_an_api_prefix_under_the_apps_root_path_fails_the_check_and_says_the_prefix(
    tmp_path: Path,
) -> None:
    """`FastAPI(root_path="/api")` with the default api-prefix, in a plan written by hand.

    Starlette takes the root path off before routing: `/api/telemetry/log` only answered at
    `/api/api/telemetry/log`, and nothing said so (init writes the right prefix; the table
    written by hand, as a refusal of init asks, did not get it).
    """
    root = _project(tmp_path)
    main = root / MAIN
    main.write_text(
        main.read_text().replace(
            'app = FastAPI(title="Demo")', 'app = FastAPI(title="Demo", root_path="/api")'
        )
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert (
        "backend/app/main.py:7: app is built with root_path='/api', which Starlette takes off "
        "request paths before routing: /api/telemetry/log would answer at "
        '/api/api/telemetry/log; set api-prefix = "/telemetry" in pyproject.toml'
    ) in result.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    # With the prefix it names, nothing to report.
    _set_plan(root, f'api-prefix = "/telemetry"\n{FULL_PLAN}')
    fixed = run("generate", "--root", str(root))
    assert fixed.exit_code == 0, fixed.stdout + fixed.stderr
    assert "root_path" not in fixed.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_root_path_kept_in_settings_is_read_as_its_default_and_named(tmp_path: Path) -> None:
    """`FastAPI(root_path=config.behind_proxy)` whose settings class defaults it to "/api"."""
    root = _project(tmp_path)
    main = root / MAIN
    (main.parent / "proxy_conf.py").write_text(
        "from pydantic_settings import BaseSettings\n\n\n"
        "class ProxyConf(BaseSettings):\n"
        '    behind_proxy: str = "/api"\n\n\n'
        "config = ProxyConf()\n"
    )
    main.write_text(
        main.read_text()
        .replace(
            'app = FastAPI(title="Demo")',
            'app = FastAPI(title="Demo", root_path=config.behind_proxy)',
        )
        .replace(
            "from fastapi import FastAPI\n",
            "from fastapi import FastAPI\n\nfrom app.proxy_conf import config\n",
        )
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert (
        "app is built with root_path=`config.behind_proxy` read as '/api', its default in "
        "backend/app/proxy_conf.py:5 (an environment variable behind_proxy set at run time "
        "would change it), which Starlette takes off request paths before routing: "
        "/api/telemetry/log would answer at /api/api/telemetry/log; set api-prefix = "
        '"/telemetry" in pyproject.toml'
    ) in result.stdout
    _set_plan(root, f'api-prefix = "/telemetry"\n{FULL_PLAN}')
    fixed = run("generate", "--root", str(root))
    assert fixed.exit_code == 0, fixed.stdout + fixed.stderr


def test_a_mount_in_the_apps_constructor_routes_that_takes_the_telemetry_paths_fails(
    tmp_path: Path,
) -> None:
    """`FastAPI(routes=[Mount("/api", app=api)])` comes before every route added later."""
    root = _project(tmp_path)
    main = root / MAIN
    main.write_text(
        main.read_text().replace(
            'app = FastAPI(title="Demo")\n',
            "from starlette.routing import Mount\n\napi = FastAPI()\n"
            'app = FastAPI(title="Demo", routes=[Mount("/api", app=api)])\n',
        )
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert (
        "backend/app/main.py:10: Mount('/api', ...) in the routes of app answers "
        "/api/telemetry/log before the telemetry router can; mount it with app.mount(...) "
        "after the app's last include_router, or change api-prefix in pyproject.toml"
    ) in result.stdout, result.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 1


def test_a_relative_import_of_the_layer_is_taken_out_when_the_layout_turns_flat(
    tmp_path: Path,
) -> None:
    # A route module that imports its package relatively got `from ..analytics.event_logger
    # import event_logger`. In the flat layout the module is `api.ai_blocks`, where `..`
    # climbs out of the top package: the import cannot run there, and it was read as the new
    # layer's own import, already in place, and kept.
    blocks = AI_BLOCKS_PY.replace(
        "from pydantic import BaseModel\n",
        "from pydantic import BaseModel\n\nfrom .. import deps\n",
    )
    root = make_project(
        tmp_path / "project", FULL_PLAN.replace(', "api/chapters.py" = "chapter_visit"', "")
    )
    (root / BLOCKS).write_text(blocks)
    (root / "backend/app/deps.py").write_text("")
    pristine = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert "from ..analytics.event_logger import event_logger\n" in (root / BLOCKS).read_text()
    generated = snapshot(root)
    flat = 'backend = "backend/app"\napp-package = ""\napp = "main:app"\n'
    plan = flat + 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    _set_plan(root, plan)
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    assert run("generate", "--root", str(root)).exit_code == 0
    text = (root / BLOCKS).read_text()
    assert "from ..analytics" not in text
    assert "from analytics.event_logger import event_logger\n" in text
    fresh = make_project(tmp_path / "fresh", "")
    fresh.joinpath(BLOCKS).write_bytes(pristine[BLOCKS])
    fresh.joinpath("backend/app/deps.py").write_text("")
    _set_plan(fresh, plan)
    assert run("generate", "--root", str(fresh)).exit_code == 0
    assert text == fresh.joinpath(BLOCKS).read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    # And back, then out: the bytes of each step.
    _set_plan(root, 'instrument = { "api/ai_blocks.py" = "ai_block_used" }')
    assert run("generate", "--root", str(root)).exit_code == 0
    assert (root / BLOCKS).read_bytes() == generated[BLOCKS]
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / BLOCKS).read_bytes() == pristine[BLOCKS]


@pytest.mark.parametrize("recorded", [False, True], ids=["never-generated", "deleted-since"])
def test_remove_says_it_skipped_a_planned_module_that_is_not_there(
    tmp_path: Path, recorded: bool
) -> None:
    root = _project(tmp_path)
    if recorded:
        assert run("generate", "--root", str(root)).exit_code == 0
        (root / CHAPTERS).unlink()
    else:
        (root / CHAPTERS).unlink()
    result = run("remove", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    lines = [line for line in result.stdout.splitlines() if CHAPTERS in line]
    assert lines, result.stdout
    said = [line for line in lines if "skipped" in line]
    assert len(said) == 1, result.stdout
    assert "not found" in said[0]
    check = run("remove", "--root", str(root), "--check")
    assert check.exit_code == 0, check.stdout
    document = json.loads(run("remove", "--root", str(root), "--json").stdout)
    entries = [entry for entry in document["files"] if entry["path"] == CHAPTERS]
    assert [entry["status"] for entry in entries] == ["unchanged"]
    assert any("skipped" in note for note in entries[0]["notes"])


@pytest.mark.parametrize("layer", ["analytics", "telemetry"])
def test_a_module_dropped_from_instrument_loses_a_call_retyped_by_hand_as_remove_does(
    tmp_path: Path, layer: str
) -> None:
    # The user made one inserted call log another declared type, then dropped the module from
    # the plan: the call stayed (only calls of the recorded type were looked at), --check green,
    # while `remove` takes it out as the tool's. Dropping a module now takes out what remove
    # would, and says so.
    root = _project(tmp_path)
    pristine = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    text = chapters.read_text()
    assert text.count('"chapter_visit"') == 1
    chapters.write_text(text.replace('"chapter_visit"', '"ai_block_used"'))
    # The layer may move in the same change (another `layer-package`).
    _set_plan(
        root, f'layer-package = "{layer}"\ninstrument = {{ "api/ai_blocks.py" = "ai_block_used" }}'
    )
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert re.search(rf"^unpatched\s+{re.escape(CHAPTERS)}$", check.stdout, re.M), check.stdout
    diff = run("generate", "--root", str(root), "--diff")
    assert f"+++ b/{CHAPTERS}" in diff.stdout, diff.stdout
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "take out the log call of route get_chapter" in result.stdout
    assert snapshot(root)[CHAPTERS] == pristine[CHAPTERS]
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize(
    "key",
    [
        pytest.param('"source": "web"', id="string"),
        pytest.param('"tags": ["beta"]', id="list"),
        pytest.param('"region": REGION', id="module-constant"),
        pytest.param('"agent": event_logger.text(REGION)', id="not-a-parameter"),
    ],
)
def test_a_key_the_user_added_to_an_inserted_call_keeps_the_call_theirs(
    tmp_path: Path, key: str
) -> None:
    # A key appended to an inserted payload, with a value generate never writes after the route
    # context (a literal, or a name that is none of the handler's parameters): the call was
    # taken for an older one of the tool's. Shrinking the plan, or changing the event, rewrote
    # it without the key and `remove` took it out, all with exit 0.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    inserted = '"chapter_id": chapter_id,\n'
    text = chapters.read_text()
    assert text.count(inserted) == 1
    chapters.write_text(text.replace(inserted, f"{inserted}            {key},\n"))
    _kept_as_the_users(tmp_path, root, "is not as telemetry-scaffold wrote it")


def _kept_as_the_users(tmp_path: Path, root: Path, said: str) -> Path:
    """The chapters module as edited survives `remove` (in a copy, returned) and both ways of
    shrinking the plan (changing its event, dropping it), each exiting 1 with a line matching
    ``said`` (changing its event, the one line naming the call as the user's and stale)."""
    edited = (root / CHAPTERS).read_bytes()
    trial = tmp_path / "trial"
    shutil.copytree(root, trial)
    removed = run("remove", "--root", str(trial))
    assert removed.exit_code == 1, removed.stdout
    assert re.search(said, removed.stdout), removed.stdout
    assert (trial / CHAPTERS).read_bytes() == edited
    stale = r"changed by hand \(kept as yours\) and is out of date: it logs 'chapter_visit'"
    for plan, expected in (
        (
            'instrument = { "api/ai_blocks.py" = "ai_block_used", '
            '"api/chapters.py" = "error_event" }',
            stale,
        ),
        ('instrument = { "api/ai_blocks.py" = "ai_block_used" }', said),
    ):
        _set_plan(root, plan)
        assert run("generate", "--root", str(root), "--check").exit_code == 1
        result = run("generate", "--root", str(root))
        assert result.exit_code == 1, result.stdout
        assert re.search(expected, result.stdout), result.stdout
        assert (root / CHAPTERS).read_bytes() == edited
    return trial


def test_a_call_kept_as_changed_when_its_event_changed_is_replaced_once_put_back(
    tmp_path: Path,
) -> None:
    # The plan changed a module's event while the user had a key of their own in its call: the
    # call was kept and reported, and the record took the new type at once. With the key taken
    # out again (the call exactly as generate wrote it), the call of the old type was refused
    # for good: "logs 'chapter_visit', expected 'error_event'; fix the call or the plan".
    plan = FULL_PLAN.replace('"chapter_visit"', '"error_event"')
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    written = chapters.read_text()
    key = '            "source": "web",\n'
    inserted = '"chapter_id": chapter_id,\n'
    chapters.write_text(written.replace(inserted, inserted + key))
    _set_plan(root, plan)
    assert run("generate", "--root", str(root)).exit_code == 1
    chapters.write_text(chapters.read_text().replace(key, ""))
    assert chapters.read_text() == written
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    fresh = _project(tmp_path / "fresh", plan)
    assert run("generate", "--root", str(fresh)).exit_code == 0
    assert chapters.read_bytes() == (fresh / CHAPTERS).read_bytes()
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize(
    ("inserted", "commented"),
    [
        pytest.param('"chapter_visit",\n', '"chapter_visit",  # keep\n', id="trailing"),
        pytest.param(
            '"chapter_id": chapter_id,\n',
            '"chapter_id": chapter_id,\n            # the chapter read\n',
            id="comment-line",
        ),
        pytest.param("},\n    )\n", "},\n    )  # noqa: E501\n", id="noqa"),
    ],
)
def test_a_comment_the_user_put_in_an_inserted_call_makes_it_theirs(
    tmp_path: Path, inserted: str, commented: str
) -> None:
    # A comment inside the call's lines (or the noqa comment ruff adds) went with the call when
    # the plan dropped it or changed its event, and `remove` took it out too, all with exit 0.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    text = chapters.read_text()
    assert text.count(inserted) == 1
    chapters.write_text(text.replace(inserted, commented))
    trial = _kept_as_the_users(tmp_path, root, rf"{re.escape(CHAPTERS)}:\d+: .*carries a comment")
    forced = run("remove", "--root", str(trial), "--force")
    assert forced.exit_code == 0, forced.stdout
    assert (trial / CHAPTERS).read_text() == CHAPTERS_PY
    forced = run("generate", "--root", str(root), "--force")
    assert forced.exit_code == 0, forced.stdout
    assert chapters.read_text() == CHAPTERS_PY
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_comment_the_user_put_on_the_wiring_makes_it_theirs(tmp_path: Path) -> None:
    # `install_error_capture(app)  # keep`: turning error capture off took the line out.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    main = root / MAIN
    text = main.read_text()
    main.write_text(
        text.replace("install_error_capture(app)\n", "install_error_capture(app)  # keep\n")
    )
    edited = main.read_bytes()
    _set_plan(root, FULL_PLAN + "\ncapture-errors = false")
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1, result.stdout
    assert re.search(
        rf"{re.escape(MAIN)}:\d+: the error capture hook carries a comment", result.stdout
    )
    assert main.read_bytes() == edited
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    forced = run("generate", "--root", str(root), "--force")
    assert forced.exit_code == 0, forced.stdout
    assert "install_error_capture" not in main.read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize(
    ("merged", "kept"),
    [
        pytest.param(
            "from app.analytics.event_logger import ALLOWED_EVENT_TYPES, event_logger\n",
            "from app.analytics.event_logger import ALLOWED_EVENT_TYPES\n",
            id="one-line",
        ),
        pytest.param(
            "from app.analytics.event_logger import event_logger, ALLOWED_EVENT_TYPES\n",
            "from app.analytics.event_logger import ALLOWED_EVENT_TYPES\n",
            id="first",
        ),
        pytest.param(
            "from app.analytics.event_logger import (\n"
            "    ALLOWED_EVENT_TYPES,\n"
            "    event_logger,\n"
            ")\n",
            "from app.analytics.event_logger import (\n    ALLOWED_EVENT_TYPES,\n)\n",
            id="wrapped",
        ),
        pytest.param(
            "from app.analytics.event_logger import (  # noqa: E402\n"
            "    ALLOWED_EVENT_TYPES, event_logger,\n"
            ")\n",
            "from app.analytics.event_logger import (  # noqa: E402\n    ALLOWED_EVENT_TYPES,\n)\n",
            id="wrapped-shared-line",
        ),
    ],
)
def test_an_inserted_import_merged_into_the_users_is_taken_out_by_its_name(
    tmp_path: Path, merged: str, kept: str
) -> None:
    # The user's import sorter merged the inserted import into one of their own of the same
    # module: dropping the module from the plan left the inserted name behind, and --check green.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    inserted = "from app.analytics.event_logger import event_logger\n"
    text = chapters.read_text()
    assert text.count(inserted) == 1
    chapters.write_text(text.replace(inserted, merged) + "\nALLOWED = ALLOWED_EVENT_TYPES\n")
    _set_plan(root, 'instrument = { "api/ai_blocks.py" = "ai_block_used" }')
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    expected = CHAPTERS_PY.replace(
        "from fastapi import APIRouter\n", "from fastapi import APIRouter\n\n" + kept
    )
    assert chapters.read_text() == expected + "\nALLOWED = ALLOWED_EVENT_TYPES\n"
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize(
    "shared",
    [
        "import os; from app.analytics.event_logger import event_logger\n",
        "from app.analytics.event_logger import ALLOWED_EVENT_TYPES, event_logger; import os\n",
        # A comment of the user's on the inserted name's line would be left alone there.
        "from app.analytics.event_logger import (\n"
        "    ALLOWED_EVENT_TYPES,\n"
        "    event_logger,  # the logger\n"
        ")\n",
    ],
)
def test_an_inserted_import_sharing_a_line_with_other_code_is_reported(
    tmp_path: Path, shared: str
) -> None:
    # `import os; from ... import event_logger`: the import stayed, unused, and --check passed.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    inserted = "from app.analytics.event_logger import event_logger\n"
    text = chapters.read_text()
    chapters.write_text(
        text.replace(inserted, shared) + "\nALLOWED = ALLOWED_EVENT_TYPES\nSEP = os.sep\n"
    )
    _set_plan(root, 'instrument = { "api/ai_blocks.py" = "ai_block_used" }')
    first = text.splitlines().index(inserted.strip()) + 1
    # The line of the name, in the statement's lines.
    line = first + next(
        number
        for number, one in enumerate(shared.splitlines())
        if re.search(r"[ ,]event_logger\b(?!\.)", one)
    )
    for arguments in (("--check",), ()):
        result = run("generate", "--root", str(root), *arguments)
        assert result.exit_code == 1, result.stdout
        assert f"{CHAPTERS}:{line}: the import of `event_logger`" in result.stdout
    assert shared in chapters.read_text()
    assert "event_logger.log(" not in chapters.read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 1


def _comment_out_the_call(text: str) -> str:
    """The inserted call of ``get_chapter`` commented out line by line, as an editor does."""
    lines = text.split("\n")
    start = next(number for number, line in enumerate(lines) if ".log(" in line)
    end = lines.index("    )", start)
    for number in range(start, end + 1):
        lines[number] = "    # " + lines[number][4:]
    return "\n".join(lines)


@pytest.mark.parametrize(
    "plan",
    [
        pytest.param(
            'instrument = { "api/ai_blocks.py" = "ai_block_used", "api/chapters.py" = '
            '"error_event" }',
            id="event-changed",
        ),
        pytest.param('instrument = { "api/ai_blocks.py" = "ai_block_used" }', id="dropped"),
        pytest.param(FULL_PLAN, id="same-plan"),
    ],
)
def test_a_commented_out_inserted_call_is_the_users_text(tmp_path: Path, plan: str) -> None:
    # A commented-out call is text of the user's: never updated nor taken out. The handler then
    # logs nothing, so a plan that still instruments it gets a call again (as after a deleted
    # one); `# telemetry-scaffold: skip` says to leave it without one.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    text = chapters.read_text()
    commented = _comment_out_the_call(text)
    block = "\n".join(line for line in commented.split("\n") if line.startswith("    # "))
    chapters.write_text(commented)
    _set_plan(root, plan)
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    written = chapters.read_text()
    assert block in written
    fresh = _project(tmp_path / "fresh", plan)
    assert run("generate", "--root", str(fresh)).exit_code == 0
    assert written.replace(block + "\n", "") == (fresh / CHAPTERS).read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_commented_out_call_in_a_skipped_handler_stays_alone(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    skipped = _comment_out_the_call(chapters.read_text()).replace(
        '@router.get("/{chapter_id}")', '@router.get("/{chapter_id}")  # telemetry-scaffold: skip'
    )
    chapters.write_text(skipped)
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("generate", "--root", str(root)).exit_code == 0
    assert chapters.read_text() == skipped


def test_remove_keeps_the_layer_a_merged_import_still_reads(tmp_path: Path) -> None:
    # Its line cut to the user's own name, the import was taken for gone: the layer was deleted
    # under it, and the app no longer imported.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    inserted = "from app.analytics.event_logger import event_logger\n"
    merged = "from app.analytics.event_logger import ALLOWED_EVENT_TYPES, event_logger\n"
    chapters.write_text(
        chapters.read_text().replace(inserted, merged) + "\nALLOWED = ALLOWED_EVENT_TYPES\n"
    )
    result = run("remove", "--root", str(root))
    assert result.exit_code == 1, result.stdout
    assert f"kept: {CHAPTERS} still uses the layer" in result.stdout
    assert (root / "backend/app/analytics/event_logger.py").exists()
    assert "from app.analytics.event_logger import ALLOWED_EVENT_TYPES\n" in chapters.read_text()
    assert "event_logger.log(" not in chapters.read_text()


def test_an_import_sharing_a_line_is_not_reported_while_a_new_call_reads_it(
    tmp_path: Path,
) -> None:
    # The event changed: the old call goes and the new one reads the same import, which stays.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    inserted = "from app.analytics.event_logger import event_logger\n"
    shared = "import os; from app.analytics.event_logger import event_logger\n"
    chapters.write_text(chapters.read_text().replace(inserted, shared) + "\nSEP = os.sep\n")
    _set_plan(root, FULL_PLAN.replace('"chapter_visit"', '"error_event"'))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert shared in chapters.read_text()
    assert '"error_event",' in chapters.read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0


DECLARED_OPTIONAL = """
[tool.telemetry-scaffold.events.chapter_visit]
properties.chapter_id = { type = "string", required = false }
"""


@pytest.mark.parametrize(
    ("plan", "old", "new", "said"),
    [
        pytest.param(
            FULL_PLAN, "def get_chapter(", "def read_chapter(", "`handler`", id="handler-renamed"
        ),
        pytest.param(
            FULL_PLAN,
            '@router.get("/{chapter_id}")',
            '@router.get("/{chapter_id}/read")',
            "`route` .*`block_type`",
            id="route-changed",
        ),
        pytest.param(
            FULL_PLAN,
            '@router.get("/{chapter_id}")',
            '@router.post("/{chapter_id}")',
            "`method`",
            id="method-changed",
        ),
        pytest.param(
            FULL_PLAN,
            '@router.get("/{chapter_id}")\ndef get_chapter(chapter_id: str)',
            '@router.get("/{book}/{chapter_id}")\ndef get_chapter(book: str, chapter_id: str)',
            "`book` missing",
            id="path-parameter-added",
        ),
        pytest.param(
            FULL_PLAN.replace('"chapter_visit"', '{ event = "chapter_visit", capture = [] }')
            + DECLARED_OPTIONAL,
            "",
            "",
            "`chapter_id` not asked for by the plan",
            id="capture-dropped",
        ),
    ],
)
def test_a_call_the_user_changed_that_went_out_of_date_is_named_until_forced(
    tmp_path: Path, plan: str, old: str, new: str, said: str
) -> None:
    # A call with a comment of the user's is theirs, never rewritten; when what generate wrote
    # in it went out of date (the handler renamed, its route changed, the plan capturing less),
    # `--check` stayed green and nothing said so.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    text = chapters.read_text()
    inserted = '"chapter_visit",\n'
    assert text.count(inserted) == 1
    chapters.write_text(text.replace(inserted, '"chapter_visit",  # keep\n'))
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    if old:
        assert old in CHAPTERS_PY
        chapters.write_text(chapters.read_text().replace(old, new))
    _set_plan(root, plan)
    edited = chapters.read_bytes()
    stale = rf"{re.escape(CHAPTERS)}:\d+: the log call of route .* out of date: .*{said}"
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert len(re.findall(stale, check.stdout)) == 1, check.stdout
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1, result.stdout
    assert re.search(stale, result.stdout), result.stdout
    assert chapters.read_bytes() == edited
    forced = run("generate", "--root", str(root), "--force")
    assert forced.exit_code == 0, forced.stdout
    fresh = _project(tmp_path / "fresh", plan)
    (fresh / CHAPTERS).write_text(CHAPTERS_PY.replace(old, new) if old else CHAPTERS_PY)
    assert run("generate", "--root", str(fresh)).exit_code == 0
    assert chapters.read_bytes() == (fresh / CHAPTERS).read_bytes()
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param('"chapter_id": chapter_id,\n', '"v": 2,\n', id="own-key-for-path-parameter"),
        pytest.param('"block_type": "chapters",\n', '"block_type": "page",\n', id="block-type"),
        pytest.param('            "method": "GET",\n', "", id="context-key-taken-out"),
    ],
)
def test_a_call_the_user_changed_that_is_up_to_date_stays_green(
    tmp_path: Path, old: str, new: str
) -> None:
    # A key of the user's own in place of a path parameter, a block type of their choosing, a
    # context key taken out (the call is then wholly theirs): nothing generate wrote went out of
    # date, so nothing is said.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    text = chapters.read_text()
    assert text.count(old) == 1
    chapters.write_text(
        text.replace(old, new).replace('"chapter_visit",\n', '"chapter_visit",  # keep\n')
    )
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 0, check.stdout


def test_a_handler_moved_to_a_module_of_another_event_logs_that_event(tmp_path: Path) -> None:
    # `quiz` moved by hand, with its call, from the module logging ai_block_used to the one
    # logging chapter_visit: the call, exactly as generate wrote it for the old route, was
    # refused ("logs 'ai_block_used', expected 'chapter_visit'; fix the call or the plan")
    # where a fresh generate writes a chapter_visit call.
    quiz = AI_BLOCKS_PY[AI_BLOCKS_PY.index('@router.post("/quiz/') :]
    moved = {
        BLOCKS: AI_BLOCKS_PY.replace("\n\n\n" + quiz, "\n"),
        CHAPTERS: CHAPTERS_PY + "\n\n" + quiz,
    }
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    blocks = (root / BLOCKS).read_text()
    start = blocks.index('@router.post("/quiz/')
    (root / CHAPTERS).write_text((root / CHAPTERS).read_text() + "\n\n" + blocks[start:])
    (root / BLOCKS).write_text(blocks[:start].rstrip("\n") + "\n")
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    fresh = _project(tmp_path / "fresh")
    for path, text in moved.items():
        (fresh / path).write_text(text)
    assert run("generate", "--root", str(fresh)).exit_code == 0
    for path in (BLOCKS, CHAPTERS):
        assert (root / path).read_text() == (fresh / path).read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 0, removed.stdout
    for path, text in moved.items():
        assert (root / path).read_text() == text


def test_a_call_logged_by_hand_where_generate_writes_none_is_never_out_of_date(
    tmp_path: Path,
) -> None:
    # A handler generate cannot instrument (its methods are not literals), logged by hand with
    # the context keys generate writes: there is no call of generate's to be out of date against.
    root = _project(tmp_path)
    logged = (
        CHAPTERS_PY.replace(
            "from fastapi import APIRouter\n",
            "from fastapi import APIRouter\n\nfrom app.analytics import event_logger as tel\n",
        )
        .replace(
            '@router.get("/{chapter_id}")',
            '@router.api_route("/{chapter_id}", methods=allowed())',
        )
        .replace(
            "    return {",
            "    tel.event_logger.log(\n"
            '        "chapter_visit",\n'
            '        {"route": "/api/chapters/{chapter_id}", "method": "GET", '
            '"handler": "get_chapter"},\n'
            "    )\n"
            "    return {",
        )
    )
    (root / CHAPTERS).write_text(logged + "\n\ndef allowed() -> list[str]:\n    return ['GET']\n")
    result = run("generate", "--root", str(root))
    assert "out of date" not in result.stdout, result.stdout
    assert result.exit_code == 0, result.stdout


def test_a_call_logged_by_hand_with_context_of_its_own_is_never_out_of_date(
    tmp_path: Path,
) -> None:
    # A call the user wrote before generate ran, with a route and handler of their own wording
    # (not a function's name): it is theirs, not one of generate's gone stale.
    root = _project(tmp_path)
    (root / CHAPTERS).write_text(
        CHAPTERS_PY.replace(
            "from fastapi import APIRouter\n",
            "from fastapi import APIRouter\n\nfrom app.analytics import event_logger as tel\n",
        ).replace(
            "    return {",
            '    tel.event_logger.log("chapter_visit", {"route": "/chapters", "handler": "page"})\n'
            "    return {",
        )
    )
    result = run("generate", "--root", str(root))
    assert "out of date" not in result.stdout, result.stdout
    assert result.exit_code == 0, result.stdout


def _wrap_call(path: Path, opening: str, closing: str) -> None:
    """Put the one inserted call of ``path`` into a block of the user's: ``opening`` ... ."""
    lines = path.read_text().splitlines(keepends=True)
    start = next(at for at, line in enumerate(lines) if ".log(" in line)
    end = next(at for at in range(start, len(lines)) if lines[at] == "    )\n")
    wrapped = [f"    {line}" if line.strip() else line for line in lines[start : end + 1]]
    tail = [f"    {line}\n" for line in closing.splitlines()]
    lines[start : end + 1] = [f"    {opening}\n", *wrapped, *tail]
    path.write_text("".join(lines))


_BLOCKS = [
    pytest.param("if chapter_id:", "", id="if"),
    pytest.param("try:", "except Exception:\n    pass", id="try"),
]


@pytest.mark.parametrize(("opening", "closing"), _BLOCKS)
def test_a_call_the_user_put_into_a_block_of_theirs_is_not_made_twice(
    tmp_path: Path, opening: str, closing: str
) -> None:
    # The handler logged each request twice: generate took the call in an `if` or `try` for
    # none and put a second one on top of it.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    _wrap_call(chapters, opening, closing)
    wrapped = chapters.read_bytes()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("generate", "--root", str(root)).exit_code == 0
    assert chapters.read_bytes() == wrapped
    # What generate wrote in it goes out of date with the route: brought up to date in place.
    chapters.write_text(
        chapters.read_text().replace('get("/{chapter_id}")', 'get("/c/{chapter_id}")')
    )
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    assert run("generate", "--root", str(root)).exit_code == 0
    text = chapters.read_text()
    assert text.count(".log(") == 1
    assert f"    {opening}\n        event_logger.log(\n" in text
    assert '                "route": "/api/chapters/c/{chapter_id}",\n' in text
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize(("opening", "closing"), _BLOCKS)
def test_a_call_in_a_block_of_the_users_is_kept_and_named_as_its_module_is_dropped(
    tmp_path: Path, opening: str, closing: str
) -> None:
    # Taken out, the block could be left empty (not Python); kept, it was not said where.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    _wrap_call(chapters, opening, closing)
    wrapped = chapters.read_bytes()
    said = (
        rf"{re.escape(CHAPTERS)}:\d+: the log call of route get_chapter .* inside a block of yours"
    )
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 1
    assert re.search(said, removed.stdout), removed.stdout
    assert b"event_logger.log(" in chapters.read_bytes()
    assert (root / "backend/app/analytics/event_logger.py").exists()
    root = _project(tmp_path / "dropped")
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    _wrap_call(chapters, opening, closing)
    _set_plan(root, 'instrument = { "api/ai_blocks.py" = "ai_block_used" }')
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert re.search(said, check.stdout), check.stdout
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert chapters.read_bytes() == wrapped


def test_a_block_type_the_user_chose_is_theirs_without_a_comment(tmp_path: Path) -> None:
    # A block type no route gives was taken for one generate wrote for an older route, and
    # put back silently; the README has it the user's choice.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    chapters.write_text(
        chapters.read_text().replace('"block_type": "chapters"', '"block_type": "page"')
    )
    chosen = chapters.read_bytes()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("generate", "--root", str(root)).exit_code == 0
    assert chapters.read_bytes() == chosen
    # Its route then changes: the call is named as out of date and kept until forced.
    chapters.write_text(
        chapters.read_text().replace('get("/{chapter_id}")', 'get("/c/{chapter_id}")')
    )
    edited = chapters.read_bytes()
    stale = rf"{re.escape(CHAPTERS)}:\d+: the log call of route .* out of date: `route` is"
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert re.search(stale, result.stdout), result.stdout
    assert chapters.read_bytes() == edited
    assert run("generate", "--root", str(root), "--force").exit_code == 0
    assert '"block_type": "c"' in chapters.read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_remove_keeps_a_call_whose_block_type_the_user_chose(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    chapters.write_text(
        chapters.read_text().replace('"block_type": "chapters"', '"block_type": "page"')
    )
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 1
    assert re.search(
        rf"{re.escape(CHAPTERS)}:\d+: .* not as telemetry-scaffold wrote it", removed.stdout
    )
    assert '"block_type": "page"' in chapters.read_text()
    assert run("remove", "--root", str(root), "--force").exit_code == 0
    assert chapters.read_text() == CHAPTERS_PY


def _wrap_first_call_in_try(root: Path) -> str:
    """Put the first inserted call of the project's user modules into a ``try``; its file."""
    for module in sorted(root.rglob("*.py")):
        if "analytics" in module.parts:
            continue
        text = module.read_text()
        for function in ast.walk(ast.parse(text)):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for statement in function.body:
                if isinstance(statement, ast.Expr) and ".log(" in ast.unparse(statement):
                    lines = text.splitlines(keepends=True)
                    indent = " " * statement.col_offset
                    call = lines[statement.lineno - 1 : statement.end_lineno]
                    lines[statement.lineno - 1 : statement.end_lineno] = [
                        f"{indent}try:\n",
                        *(f"    {line}" if line.strip() else line for line in call),
                        f"{indent}except Exception:\n",
                        f"{indent}    pass\n",
                    ]
                    module.write_text("".join(lines))
                    return module.relative_to(root).as_posix()
    raise AssertionError("no inserted call")


@pytest.mark.parametrize(
    "case",
    ["class-based-views", "factory-called-from-main", "router-prefix-chain", "controller-classes"],
)
def test_a_call_put_into_a_try_is_the_handlers_in_every_route_shape(
    tmp_path: Path, case: str
) -> None:
    # Methods of class-based views and controllers, routers of a factory, chained prefixes.
    root = copy_case(CORPUS / case, tmp_path / case)
    assert run("generate", "--root", str(root)).exit_code == 0
    module = _wrap_first_call_in_try(root)
    wrapped = snapshot(root)
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("generate", "--root", str(root)).exit_code == 0
    assert snapshot(root) == wrapped
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 1
    assert re.search(rf"{re.escape(module)}:\d+: .* inside a block of yours", removed.stdout)


def test_a_call_of_the_users_own_in_a_block_still_gets_the_inserted_one(tmp_path: Path) -> None:
    # Logged by hand only when something fails: not the call generate puts on every request.
    root = _project(tmp_path)
    chapters = root / CHAPTERS
    chapters.write_text(
        CHAPTERS_PY.replace(
            "from fastapi import APIRouter\n",
            "from fastapi import APIRouter\n\n"
            "from app.analytics.event_logger import event_logger\n",
        ).replace(
            '    return {"id": chapter_id}\n',
            "    try:\n"
            '        return {"id": chapter_id}\n'
            "    except KeyError:\n"
            '        event_logger.log("chapter_visit", {"missing": True})\n'
            "        raise\n",
        )
    )
    assert run("generate", "--root", str(root)).exit_code == 0
    text = chapters.read_text()
    assert text.count(".log(") == 2
    assert '    event_logger.log(\n        "chapter_visit",\n' in text


def test_the_second_call_an_earlier_version_put_above_a_wrapped_one_goes(tmp_path: Path) -> None:
    # 0.20.0 took a call the user had put into a `try` for none and added one above it: each
    # request was logged twice, and nothing said so.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    plain = chapters.read_text()
    call = plain[plain.index("    event_logger.log(") : plain.index("    )\n") + 6]
    _wrap_call(chapters, "try:", "except Exception:\n    pass")
    wrapped = chapters.read_bytes()
    text = wrapped.decode()
    at = text.index("    try:")
    chapters.write_text(text[:at] + call + text[at:])
    assert chapters.read_text().count(".log(") == 2
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert "take out the second log call of get_chapter" in check.stdout
    assert run("generate", "--root", str(root)).exit_code == 0
    assert chapters.read_bytes() == wrapped
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param('"method": "GET"', '"method": "get"', id="method-lowercased"),
        pytest.param(
            '"chapter_id": chapter_id', '"chapter_id": chapter_id.lower()', id="method-call"
        ),
    ],
)
def test_a_value_the_user_rewrote_is_theirs_like_a_block_type(
    tmp_path: Path, old: str, new: str
) -> None:
    # Lowercased methods were taken for a call generate wrote for an older route, and silently
    # put back; like a block type of the user's, no route gives them: the call is the user's,
    # and nothing in it is out of date while the route keeps its methods.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    text = chapters.read_text()
    assert text.count(old) == 1
    chapters.write_text(text.replace(old, new))
    chosen = chapters.read_bytes()
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 0, check.stdout
    assert run("generate", "--root", str(root)).exit_code == 0
    assert chapters.read_bytes() == chosen
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 1
    assert new in chapters.read_text()


def test_a_value_in_a_form_generate_writes_is_brought_up_to_date_and_said(tmp_path: Path) -> None:
    # `str(x)` is what generate writes for a number (an older annotation, or plan, had it
    # written): it cannot be told from the user's own, so the call is generate's and follows
    # today's plan, as a fresh run writes it, and the run names the change.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    fresh = chapters.read_bytes()
    chapters.write_text(
        chapters.read_text().replace('"chapter_id": chapter_id', '"chapter_id": str(chapter_id)')
    )
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0
    assert "bring the log call of get_chapter" in result.stdout
    assert chapters.read_bytes() == fresh


@pytest.mark.parametrize(("opening", "closing"), _BLOCKS)
def test_a_call_in_a_block_of_the_users_follows_the_event_type_in_place(
    tmp_path: Path, opening: str, closing: str
) -> None:
    # The plan's event type for the module changed: a new call went in on top of the one in the
    # user's block (each request logged twice, generate exit 1) where the route's changes bring
    # that call up to date where it stands.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    _wrap_call(chapters, opening, closing)
    _set_plan(root, FULL_PLAN.replace('"chapter_visit"', '"error_event"'))
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = chapters.read_text()
    assert text.count(".log(") == 1, text
    assert f'    {opening}\n        event_logger.log(\n            "error_event",\n' in text
    assert run("generate", "--root", str(root), "--check").exit_code == 0


_EDITS = [
    pytest.param('"block_type": "chapters"', '"block_type": "page"', id="block-type"),
    pytest.param('"chapter_visit",\n', '"chapter_visit",  # keep\n', id="comment"),
    pytest.param('"method": "GET"', '"method": "get"', id="methods"),
]


@pytest.mark.parametrize(("opening", "closing"), _BLOCKS)
@pytest.mark.parametrize(("old", "new"), _EDITS)
def test_a_call_the_user_edited_in_a_block_of_theirs_is_named_as_its_event_type_changes(
    tmp_path: Path, opening: str, closing: str, old: str, new: str
) -> None:
    # Edited, the call in the user's block was no longer taken for the handler's: a second one
    # went in on top (each request logged twice), and --force left both.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    _wrap_call(chapters, opening, closing)
    chapters.write_text(chapters.read_text().replace(old, new))
    edited = chapters.read_bytes()
    _set_plan(root, FULL_PLAN.replace('"chapter_visit"', '"error_event"'))
    stale = (
        rf"{re.escape(CHAPTERS)}:13: the log call of route get_chapter .* changed by hand \(kept "
        r"as yours\) and is out of date: it logs 'chapter_visit', now 'error_event'; "
    )
    for _ in range(2):
        check = run("generate", "--root", str(root), "--check")
        assert check.exit_code == 1
        result = run("generate", "--root", str(root))
        assert result.exit_code == 1
        said = [line for line in result.stdout.splitlines() if "the log call of" in line]
        assert len(said) == 1 and re.search(stale, said[0]), result.stdout
        assert chapters.read_bytes() == edited
    forced = run("generate", "--root", str(root), "--force")
    assert forced.exit_code == 0, forced.stdout
    text = chapters.read_text()
    assert text.count(".log(") == 1, text
    assert f'    {opening}\n        event_logger.log(\n            "error_event",\n' in text
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize(("old", "new"), _EDITS)
@pytest.mark.parametrize("layer", ["", 'layer-package = "tele"\n'])
def test_an_edited_call_of_a_changed_event_type_is_said_once_in_one_line(
    tmp_path: Path, old: str, new: str, layer: str
) -> None:
    # Edited where generate wrote it, the call got two lines: removal's "not as written" and
    # instrument's "out of date", each one fact of the same call.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    chapters.write_text(chapters.read_text().replace(old, new))
    edited = chapters.read_bytes()
    _set_plan(root, layer + FULL_PLAN.replace('"chapter_visit"', '"error_event"'))
    stale = (
        rf"{re.escape(CHAPTERS)}:12: the log call of route get_chapter .* changed by hand \(kept "
        r"as yours\) and is out of date: (.*; )?it logs 'chapter_visit', now 'error_event'"
    )
    for _ in range(2):
        assert run("generate", "--root", str(root), "--check").exit_code == 1
        result = run("generate", "--root", str(root))
        assert result.exit_code == 1
        said = [line for line in result.stdout.splitlines() if f"{CHAPTERS}:12:" in line]
        assert len(said) == 1 and re.search(stale, said[0]), result.stdout
        assert chapters.read_bytes() == edited
    forced = run("generate", "--root", str(root), "--force")
    assert forced.exit_code == 0, forced.stdout
    text = chapters.read_text()
    assert text.count(".log(") == 1 and '"error_event",' in text, text
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize(("old", "new"), _EDITS)
def test_an_edited_call_of_an_event_type_the_plan_dropped_is_said_in_one_line(
    tmp_path: Path, old: str, new: str
) -> None:
    # The event renamed in event-types as in instrument: the edited call got the "out of date"
    # line and a second one for the same call ("logs 'chapter_visit', which is not in
    # event-types"), each true, one too many.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    chapters.write_text(chapters.read_text().replace(old, new))
    edited = chapters.read_bytes()
    renamed = FULL_PLAN.replace('"chapter_visit"', '"page_view"')
    _set_plan(root, renamed + '\nevent-types = ["ai_block_used", "error_event", "page_view"]')
    for _ in range(2):
        assert run("generate", "--root", str(root), "--check").exit_code == 1
        result = run("generate", "--root", str(root))
        assert result.exit_code == 1
        said = [line for line in result.stdout.splitlines() if f"{CHAPTERS}:12:" in line]
        assert len(said) == 1 and "now 'page_view'" in said[0], result.stdout
        assert chapters.read_bytes() == edited
    assert run("generate", "--root", str(root), "--force").exit_code == 0
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize(("opening", "closing"), _BLOCKS)
def test_a_call_in_a_block_of_the_users_follows_the_layer_in_place(
    tmp_path: Path, opening: str, closing: str
) -> None:
    # The layer package moved: a call through the new layer went in on top of the one in the
    # user's block, which still imported the old layer (each request logged twice).
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    _wrap_call(chapters, opening, closing)
    _set_plan(root, 'layer-package = "tele"\n' + FULL_PLAN)
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = chapters.read_text()
    assert text.count(".log(") == 1, text
    assert "from app.tele.event_logger import event_logger\n" in text
    assert "app.analytics" not in text
    assert f"    {opening}\n        event_logger.log(\n" in text
    assert not (root / "backend/app/analytics").exists()
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_route_of_the_users_own_is_named_until_fixed_forced_or_skipped(tmp_path: Path) -> None:
    # The call then stays red on every run, as a linter's finding does: the message names each
    # way out, the skip mark among them (it keeps the call as the user wrote it, green).
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    chapters.write_text(
        chapters.read_text().replace('"route": "/api/chapters/{chapter_id}"', '"route": "/c/{x}"')
    )
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    said = re.findall(r"^ +(\S+: the log call .*)$", check.stdout, re.M)
    assert len(said) == 1, check.stdout
    assert said[0].startswith(f"{CHAPTERS}:12: ")
    assert "`route` is '/c/{x}', now '/api/chapters/{chapter_id}'" in said[0]
    assert said[0].endswith(
        "update it by hand, rerun with --force to replace it, or mark the handler "
        "`# telemetry-scaffold: skip` to keep it as it is"
    )
    chapters.write_text(
        chapters.read_text().replace(
            "def get_chapter(", "def get_chapter(  # telemetry-scaffold: skip\n    "
        )
    )
    skipped = chapters.read_bytes()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("generate", "--root", str(root)).exit_code == 0
    assert chapters.read_bytes() == skipped


def test_methods_the_user_spelled_their_way_are_named_once_the_route_changes_them(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    chapters.write_text(chapters.read_text().replace('"method": "GET"', '"method": "get"'))
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    chapters.write_text(chapters.read_text().replace("@router.get(", "@router.post("))
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert "out of date: `method` is 'get', now 'POST'" in check.stdout, check.stdout
    assert run("generate", "--root", str(root), "--force").exit_code == 0
    assert '"method": "POST"' in chapters.read_text()


def test_a_captured_value_the_user_wrapped_is_theirs(tmp_path: Path) -> None:
    # A declared event's captured property, read through more code of the user's: the same
    # value still, not out of date; read off another parameter, it is.
    plan = (
        FULL_PLAN.replace(
            '"chapter_visit"', '{ event = "chapter_visit", capture = ["chapter_id"] }'
        )
        + DECLARED_OPTIONAL
    )
    root = _project(tmp_path, plan)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    text = chapters.read_text()
    assert text.count('"chapter_id": chapter_id,') == 1
    chapters.write_text(
        text.replace('"chapter_id": chapter_id,', '"chapter_id": str(chapter_id).strip(),')
    )
    wrapped = chapters.read_bytes()
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 0, check.stdout
    assert run("generate", "--root", str(root)).exit_code == 0
    assert chapters.read_bytes() == wrapped
    chapters.write_text(
        chapters.read_text()
        .replace("(chapter_id: str)", "(chapter: str)")
        .replace('@router.get("/{chapter_id}")', '@router.get("/{chapter}")')
        .replace("str(chapter_id)", "str(chapter)")
        .replace('{"id": chapter_id}', '{"id": chapter}')
    )
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1


def _hide_quiz(root: Path, *, wrapped: bool) -> Path:
    """Register a route answering quiz's requests before it (FastAPI serves the first one)."""
    blocks = root / BLOCKS
    lines = blocks.read_text().splitlines(keepends=True)
    if wrapped:
        start = next(at for at, line in enumerate(lines) if line.startswith("def quiz"))
        start = next(at for at in range(start, len(lines)) if ".log(" in lines[at])
        end = next(at for at in range(start, len(lines)) if lines[at] == "    )\n")
        call = [f"    {line}" if line.strip() else line for line in lines[start : end + 1]]
        lines[start : end + 1] = ["    try:\n", *call, "    except Exception:\n", "        pass\n"]
    blocks.write_text(
        "".join(lines).replace(
            '@router.post("/quiz/{chapter_id}")\n',
            '@router.post("/quiz/{cid}")\ndef first(cid: str) -> str:\n    return cid\n\n\n'
            '@router.post("/quiz/{chapter_id}")\n',
        )
    )
    return blocks


@pytest.mark.parametrize("retyped", [False, True], ids=["same-type", "event-type-changed"])
def test_a_call_in_a_block_of_a_handler_an_earlier_route_hides_is_named(
    tmp_path: Path, retyped: bool
) -> None:
    # A handler registered after another of the same method and path is never called: the call
    # generate wrote in it goes, but one the user had put into a block (of the old event type
    # too) stayed without a word, --check green.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    blocks = _hide_quiz(root, wrapped=True)
    if retyped:
        _set_plan(root, FULL_PLAN.replace('"ai_block_used"', '"error_event"'))
    said = (
        rf"{re.escape(BLOCKS)}:\d+: the log call of route quiz .*, which FastAPI never calls "
        r".* is inside a block of yours \(an `if`, a `try`\): kept as your code"
    )
    for _ in range(2):
        result = run("generate", "--root", str(root))
        assert result.exit_code == 1, result.stdout
        assert len(re.findall(said, result.stdout)) == 1, result.stdout
        assert run("generate", "--root", str(root), "--check").exit_code == 1
    assert '"handler": "quiz"' in blocks.read_text()


def test_a_changed_call_in_a_handler_an_earlier_route_hides_is_named_until_forced(
    tmp_path: Path,
) -> None:
    # Left in place without a word, under a note saying the route gets no log call.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    blocks = root / BLOCKS
    blocks.write_text(blocks.read_text().replace('"block_type": "quiz"', '"block_type": "page"'))
    _hide_quiz(root, wrapped=False)
    said = rf"{re.escape(BLOCKS)}:\d+: the log call of route quiz .* is not as telemetry-scaffold"
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1, result.stdout
    assert re.search(said, result.stdout), result.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    assert run("generate", "--root", str(root), "--force").exit_code == 0
    assert '"handler": "quiz"' not in blocks.read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize("event", ["chapter_visit", "error_event"])
@pytest.mark.parametrize(("opening", "closing"), [pytest.param("", "", id="top-level"), *_BLOCKS])
def test_a_call_the_user_edited_stays_alone_through_the_old_layer_as_the_layer_moves(
    tmp_path: Path, opening: str, closing: str, event: str
) -> None:
    # The call was kept through the old layer (changed by hand) and a second one went in
    # through the new layer on top of it: each request logged twice, on every run after too
    # (from the second run on when the event type changed with the layer).
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    if opening:
        _wrap_call(chapters, opening, closing)
    chapters.write_text(
        chapters.read_text().replace('"block_type": "chapters"', '"block_type": "page"')
    )
    edited = chapters.read_bytes()
    _set_plan(root, 'layer-package = "tele"\n' + FULL_PLAN.replace("chapter_visit", event))
    named = rf"{re.escape(CHAPTERS)}:\d+: the log call of route get_chapter .*"
    for _ in range(3):
        result = run("generate", "--root", str(root))
        assert result.exit_code == 1, result.stdout
        assert len(re.findall(named, result.stdout)) == 1, result.stdout
        if opening:
            assert "it logs through app.analytics, now app.tele" in result.stdout
            if event != "chapter_visit":
                assert f"app.tele; it logs 'chapter_visit', now '{event}'; " in result.stdout
        assert chapters.read_bytes() == edited
        assert (root / "backend/app/analytics/event_logger.py").exists()
        assert run("generate", "--root", str(root), "--check").exit_code == 1
    assert run("generate", "--root", str(root), "--force").exit_code == 0
    text = chapters.read_text()
    assert text.count(".log(") == 1, text
    assert "from app.tele.event_logger import event_logger\n" in text
    assert "app.analytics" not in text
    assert not (root / "backend/app/analytics").exists()
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize(
    "layer", ["", 'layer-package = "tele"\n'], ids=["layer-kept", "layer-moved"]
)
@pytest.mark.parametrize("edited", [False, True], ids=["as-written", "changed"])
def test_a_call_in_a_block_of_a_module_moved_by_hand_follows_its_new_event_type(
    tmp_path: Path, edited: bool, layer: str
) -> None:
    # chapters.py became pages.py as the plan gave it another event type: the call the user had
    # put into a `try` kept logging the old type and a new call went in on top of it, each
    # request logged twice, with generate and --check green (through the old layer and the new
    # one when the layer moved too, from the second run on when the call was changed).
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    _wrap_call(chapters, "try:", "except Exception:\n    pass")
    if edited:
        chapters.write_text(
            chapters.read_text().replace('"block_type": "chapters"', '"block_type": "page"')
        )
    pages = chapters.rename(chapters.with_name("pages.py"))
    moved = pages.read_bytes()
    _set_plan(
        root,
        layer
        + 'instrument = { "api/ai_blocks.py" = "ai_block_used", "api/pages.py" = "error_event" }',
    )
    for _ in range(3):
        result = run("generate", "--root", str(root))
        assert result.exit_code == (1 if edited else 0), result.stdout
        text = pages.read_text()
        assert text.count(".log(") == 1, text
        check = run("generate", "--root", str(root), "--check")
        assert check.exit_code == result.exit_code
    if edited:
        assert pages.read_bytes() == moved
        assert "it logs 'chapter_visit', now 'error_event'; " in result.stdout
        assert run("generate", "--root", str(root), "--force").exit_code == 0
    text = pages.read_text()
    assert '    try:\n        event_logger.log(\n            "error_event",\n' in text
    assert not layer or "app.analytics" not in text
    assert run("generate", "--root", str(root), "--check").exit_code == 0


_CALL_EDITS = {
    "none": lambda path: None,
    "try": lambda path: _wrap_call(path, "try:", "except Exception:\n    pass"),
    "if": lambda path: _wrap_call(path, "if chapter_id:", ""),
}
_VALUE_EDITS = {
    "none": ("", ""),
    "block type": ('"block_type": "chapters"', '"block_type": "page"'),
    "comment": ('"chapter_visit",\n', '"chapter_visit",  # mine\n'),
    "methods": ('"method": "GET"', '"method": "get"'),
}
_PLAN_CHANGES = {
    "event type": lambda plan: plan.replace('"chapter_visit"', '"error_event"'),
    "layer": lambda plan: 'layer-package = "tele"\n' + plan,
    "dropped": lambda plan: plan.replace(', "api/chapters.py" = "chapter_visit"', ""),
}


def _logs_in(path: Path, name: str) -> int:
    """How many log calls the function ``name`` of ``path`` makes, in its blocks too."""
    function = next(
        node
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef) and node.name == name
    )
    return sum(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "log"
        for node in ast.walk(function)
    )


@settings(
    max_examples=int(os.environ.get("PLAN_SEQUENCE_EXAMPLES") or 8),
    deadline=None,
    derandomize=not os.environ.get("PLAN_SEQUENCE_EXAMPLES"),
    suppress_health_check=list(HealthCheck),
)
@given(
    where=st.sampled_from(sorted(_CALL_EDITS)),
    value=st.sampled_from(sorted(_VALUE_EDITS)),
    changes=st.lists(
        st.lists(st.sampled_from(sorted(_PLAN_CHANGES)), max_size=2, unique=True),
        min_size=1,
        max_size=3,
    ),
)
def test_a_call_the_user_moved_or_changed_is_never_doubled_through_plan_changes(
    tmp_path_factory: pytest.TempPathFactory, where: str, value: str, changes: list[list[str]]
) -> None:
    # The call the user put into a block of theirs, or changed, through event types, layers and
    # the module leaving the plan and coming back: the handler logs once (or the run names the
    # call), generate and --check agree, --force ends green, remove twice leaves the same bytes.
    root = _project(tmp_path_factory.mktemp("calls"))
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    _CALL_EDITS[where](chapters)
    old, new = _VALUE_EDITS[value]
    chapters.write_text(chapters.read_text().replace(old, new))
    for names in changes:
        plan = FULL_PLAN
        for name in names:
            plan = _PLAN_CHANGES[name](plan)
        _set_plan(root, plan)
        result = run("generate", "--root", str(root))
        assert result.exit_code in (0, 1), result.stdout
        logs = _logs_in(chapters, "get_chapter")
        assert logs == 1 or (logs == 0 and "dropped" in names), chapters.read_text()
        after = snapshot(root)
        check = run("generate", "--root", str(root), "--check")
        assert check.exit_code == result.exit_code, (names, result.stdout, check.stdout)
        assert run("generate", "--root", str(root)).exit_code == result.exit_code
        assert snapshot(root) == after
    assert run("generate", "--root", str(root), "--force").exit_code in (0, 1)
    if "dropped" not in changes[-1]:
        assert run("generate", "--root", str(root), "--check").exit_code == 0
    run("remove", "--root", str(root))
    removed = snapshot(root)
    run("remove", "--root", str(root))
    assert snapshot(root) == removed


def test_a_call_left_through_an_old_layer_is_still_the_handlers_once_the_layer_moves_back(
    tmp_path: Path,
) -> None:
    # Changed by hand in a `try` as the event type and layer changed (named, kept), then the
    # layer moved back: the call, of the old type through today's layer, was no longer taken
    # for the handler's and a second one went in on top of it.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    _wrap_call(chapters, "try:", "except Exception:\n    pass")
    chapters.write_text(
        chapters.read_text().replace('"block_type": "chapters"', '"block_type": "page"')
    )
    retyped = FULL_PLAN.replace('"chapter_visit"', '"error_event"')
    _set_plan(root, 'layer-package = "tele"\n' + retyped)
    assert run("generate", "--root", str(root)).exit_code == 1
    _set_plan(root, retyped)
    for _ in range(2):
        result = run("generate", "--root", str(root))
        assert result.exit_code == 1, result.stdout
        assert _logs_in(chapters, "get_chapter") == 1, chapters.read_text()
        assert "it logs 'chapter_visit', now 'error_event'; " in result.stdout
        assert run("generate", "--root", str(root), "--check").exit_code == 1
    assert run("generate", "--root", str(root), "--force").exit_code == 0
    assert _logs_in(chapters, "get_chapter") == 1
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_patch_held_back_for_an_edited_layer_keeps_its_record_until_it_is_written(
    tmp_path: Path,
) -> None:
    # A generated module edited by hand holds back the patch of a module whose event type the
    # plan changed: the record still said the new type, so the next run took the call left as
    # written for the user's own ("logs 'chapter_visit', expected 'error_event'") and said the
    # documents were stale again because "the plan changed".
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    logger = root / "backend/app/analytics/event_logger.py"
    logger.write_text(logger.read_text() + "# mine\n")
    chapters = root / CHAPTERS
    before = chapters.read_bytes()
    _set_plan(root, FULL_PLAN.replace('"chapter_visit"', '"error_event"'))
    first = run("generate", "--root", str(root))
    assert first.exit_code == 1 and "not patched" in first.stdout, first.stdout
    second = run("generate", "--root", str(root))
    assert second.exit_code == 1
    assert "plan changed" not in second.stdout, second.stdout
    assert "expected 'error_event'" not in second.stdout, second.stdout
    assert f"error      {CHAPTERS}" in second.stdout, second.stdout
    assert chapters.read_bytes() == before
    assert run("generate", "--root", str(root), "--force").exit_code == 0
    text = chapters.read_text()
    assert text.count(".log(") == 1 and '"error_event",' in text, text
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize("wrapped", [False, True], ids=["in-place", "in-a-try"])
@pytest.mark.parametrize("layer", ["", 'layer-package = "tele"\n'], ids=["layer-kept", "moved"])
def test_an_edited_call_of_a_module_moved_as_several_went_keeps_its_type_run_after_run(
    tmp_path: Path, wrapped: bool, layer: str
) -> None:
    # chapters.py became pages.py while another recorded module (quiz.py) went: of the two event
    # types that went away, the run could not tell which the edited call logs and recorded the
    # plan's new one (or, in place, nothing of it), so the next run took the call for the user's
    # own ("logs 'chapter_visit', expected 'page_view'"), which --force does not replace.
    root = _project(tmp_path, FULL_PLAN.replace(" }", ', "api/quiz.py" = "error_event" }'))
    quiz = root / "backend/app/api/quiz.py"
    quiz.write_text(CHAPTERS_PY.replace("chapter", "quiz"))
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    if wrapped:
        _wrap_call(chapters, "try:", "except Exception:\n    pass")
    chapters.write_text(chapters.read_text().replace('"method": "GET"', '"method": "get"'))
    pages = chapters.rename(chapters.with_name("pages.py"))
    quiz.unlink()
    edited = pages.read_bytes()
    _set_plan(
        root,
        layer
        + 'instrument = { "api/ai_blocks.py" = "ai_block_used", "api/pages.py" = "page_view" }\n'
        + 'event-types = ["ai_block_used", "chapter_visit", "error_event", "page_view"]',
    )
    for _ in range(3):
        result = run("generate", "--root", str(root))
        assert result.exit_code == 1, result.stdout
        assert "it logs 'chapter_visit', now 'page_view'" in result.stdout, result.stdout
        assert pages.read_bytes() == edited
        assert run("generate", "--root", str(root), "--check").exit_code == 1
    assert run("generate", "--root", str(root), "--force").exit_code == 0
    text = pages.read_text()
    assert text.count(".log(") == 1 and '"page_view",' in text, text
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_patch_held_back_for_an_edited_layer_is_not_shown_done_in_the_documents(
    tmp_path: Path,
) -> None:
    # The documents were rendered before the patch was held back, so tasks.md ticked the
    # module that still logged the old event type as done.
    root = _project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    logger = root / "backend/app/analytics/event_logger.py"
    logger.write_text(logger.read_text() + "# mine\n")
    _set_plan(root, FULL_PLAN.replace('"chapter_visit"', '"error_event"'))
    tasks = root / "specs/059-analytics-telemetry/tasks.md"
    assert run("generate", "--root", str(root)).exit_code == 1
    ticked = [line for line in tasks.read_text().splitlines() if CHAPTERS in line]
    assert ticked and all(line.startswith("- [ ]") for line in ticked), ticked
    assert "unchanged  specs/" in run("generate", "--root", str(root)).stdout
    assert run("generate", "--root", str(root), "--force").exit_code == 0
    ticked = [line for line in tasks.read_text().splitlines() if CHAPTERS in line]
    assert ticked and all(line.startswith("- [x]") for line in ticked), ticked
    assert run("generate", "--root", str(root), "--check").exit_code == 0


_DEPS = "from pydantic import BaseModel\n"
_BLOCKS_TO_RELATIVE = ("from app import deps\n", "from .. import deps\n")
_MAIN_TO_RELATIVE = ("from app.api import ai_blocks\n", "from .api import ai_blocks\n")


@pytest.mark.parametrize(
    ("path", "before", "after"),
    [
        pytest.param(BLOCKS, *_BLOCKS_TO_RELATIVE, id="route-module-to-relative"),
        pytest.param(BLOCKS, *reversed(_BLOCKS_TO_RELATIVE), id="route-module-to-absolute"),
        pytest.param(MAIN, *_MAIN_TO_RELATIVE, id="app-module-to-relative"),
        pytest.param(MAIN, *reversed(_MAIN_TO_RELATIVE), id="app-module-to-absolute"),
    ],
)
def test_the_layers_import_follows_the_modules_switch_of_import_spelling(
    tmp_path: Path, path: str, before: str, after: str
) -> None:
    # The layer's imports kept the spelling of the first generate once the user switched the
    # module's own imports (and, relative, counted themselves as the module importing
    # relatively): --check passed, and a fresh generate of the same code wrote the other one.
    plan = FULL_PLAN.replace(', "api/chapters.py" = "chapter_visit"', "")

    def user_code(line: str) -> dict[str, str]:
        blocks = AI_BLOCKS_PY.replace(_DEPS, f"{_DEPS}\n{line}") if path == BLOCKS else None
        main = MAIN_PY.replace(_MAIN_TO_RELATIVE[0], line)
        return {BLOCKS: blocks or AI_BLOCKS_PY, MAIN: main}

    def project(name: str, line: str) -> Path:
        root = make_project(tmp_path / name, plan)
        for relative, text in user_code(line).items():
            (root / relative).write_text(text)
        (root / "backend/app/deps.py").write_text("")
        return root

    root = project("project", before)
    assert run("generate", "--root", str(root)).exit_code == 0
    text = (root / path).read_text()
    assert text.count(before) == 1
    (root / path).write_text(text.replace(before, after))
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    assert run("generate", "--root", str(root)).exit_code == 0
    fresh = project("fresh", after)
    assert run("generate", "--root", str(fresh)).exit_code == 0
    assert (root / path).read_text() == (fresh / path).read_text()
    # Settled: no flip on the next run, and out again to the user's bytes.
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / path).read_text() == user_code(after)[path]


def test_a_module_outside_the_plan_logging_by_hand_is_not_scanned_for_inserted_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every module naming the logger outside the plan had its routes read for calls as generate
    # writes them, on every run (--check too): a project logging by hand in many route modules
    # paid for it. A module whose text lacks the context keys generate writes holds none.
    from telemetry_cli.patching import project as project_module

    plan = FULL_PLAN.replace(', "api/chapters.py" = "chapter_visit"', "")
    root = make_project(tmp_path / "project", plan)
    own = CHAPTERS_PY.replace(
        "from fastapi import APIRouter\n",
        "from fastapi import APIRouter\n\nfrom app.analytics.event_logger import event_logger\n",
    ).replace(
        "    return {", '    event_logger.log("chapter_visit", {"id": chapter_id})\n    return {'
    )
    (root / CHAPTERS).write_text(own)
    copied = root / "backend/app/api/copied.py"
    assert run("generate", "--root", str(root)).exit_code == 0
    copied.write_bytes((root / BLOCKS).read_bytes())  # calls exactly as generate writes them
    scanned: list[str] = []
    real = project_module.uninstrument_module

    def counting(editor: Any, *args: Any, **kwargs: Any) -> frozenset[str]:
        scanned.append(editor.module.path)
        return real(editor, *args, **kwargs)

    monkeypatch.setattr(project_module, "uninstrument_module", counting)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert CHAPTERS not in scanned
    assert "backend/app/api/copied.py" in scanned
    assert b"event_logger.log(" not in copied.read_bytes()
    assert (root / CHAPTERS).read_text() == own
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_layer_move_spells_the_new_import_as_the_next_run_keeps_it(tmp_path: Path) -> None:
    # The user spelled the layer's import relative in a module that imports everything else
    # absolutely; the layer moved: the old relative import counted as the module's own way,
    # so the new import went in relative, and the next run respelled it absolute (generate
    # then --check failed).
    root = make_project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    blocks = root / "backend/app/api/ai_blocks.py"
    blocks.write_text(
        blocks.read_text().replace(
            "from app.analytics.event_logger import event_logger",
            "from ..analytics.event_logger import event_logger",
        )
    )
    config = root / "pyproject.toml"
    config.write_text(
        config.read_text().replace(
            "[tool.telemetry-scaffold]\n",
            '[tool.telemetry-scaffold]\nlayer-package = "telemetry"\n',
        )
    )
    assert run("generate", "--root", str(root)).exit_code == 0
    assert "from app.telemetry.event_logger import event_logger\n" in blocks.read_text()
    check = run("generate", "--check", "--root", str(root))
    assert check.exit_code == 0, check.stdout


@pytest.mark.parametrize("parameter", ["chapterId", "id_", "ID", "_id", "chapter_id"])
def test_a_property_is_captured_from_a_parameter_of_the_users_name(
    tmp_path: Path, parameter: str
) -> None:
    # The property's name is the plan's (snake_case), the parameter's the user's: a capture table
    # maps one to the other, and dropping it gives the module back its bytes.
    root = _project(tmp_path, FULL_PLAN + DECLARED_OPTIONAL)
    chapters = root / CHAPTERS
    chapters.write_text(CHAPTERS_PY.replace("chapter_id", parameter))
    original = chapters.read_bytes()
    captured = FULL_PLAN.replace(
        '"chapter_visit"',
        f'{{ event = "chapter_visit", capture = [{{ chapter_id = "{parameter}" }}] }}',
    )
    _set_plan(root, captured + DECLARED_OPTIONAL)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert f'"chapter_id": {parameter},' in chapters.read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    _set_plan(root, FULL_PLAN + DECLARED_OPTIONAL)
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    assert run("generate", "--root", str(root)).exit_code == 0
    assert '"chapter_id"' not in chapters.read_text()
    assert run("remove", "--root", str(root)).exit_code == 0
    assert chapters.read_bytes() == original


@pytest.mark.parametrize(
    ("capture", "said"),
    [
        ('["chapterId"]', 'capture = [{ chapter_id = "chapterId" }]'),
        ('["id_"]', 'capture = [{ id = "id_" }]'),
        ('["class_"]', 'capture = [{ property_name = "class_" }]'),
        ('[{ chapter_id = "chapter-id" }]', "not a Python parameter name"),
        ('["chapter_id", { chapter_id = "cid" }]', "listed twice"),
    ],
)
def test_a_capture_of_a_parameter_name_that_is_no_property_name_names_the_fix(
    tmp_path: Path, capture: str, said: str
) -> None:
    plan = FULL_PLAN.replace(
        '"chapter_visit"', f'{{ event = "chapter_visit", capture = {capture} }}'
    )
    root = _project(tmp_path, plan + DECLARED_OPTIONAL)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert said in lines[0], lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("declared", "capture", "route"),
    [
        ("route", '["route"]', "/{route}"),
        ("route", '[{ route = "chapter_id" }]', "/{chapter_id}"),
        ("handler", '[{ handler = "chapter_id" }]', "/{chapter_id}"),
        ("block_type", '["block_type"]', "/{block_type}"),
    ],
)
def test_a_capture_of_a_property_instrumentation_fills_itself_is_refused(
    tmp_path: Path, declared: str, capture: str, route: str
) -> None:
    # The call's payload starts with the context keys: a captured one would repeat its key in the
    # dict, and the handler's value would silently replace the one the tool writes.
    plan = FULL_PLAN.replace(
        '"chapter_visit"', f'{{ event = "chapter_visit", capture = {capture} }}'
    )
    events = (
        "\n[tool.telemetry-scaffold.events.chapter_visit]\n"
        f'properties.{declared} = {{ type = "string" }}\n'
    )
    root = _project(tmp_path, plan + events)
    parameter = route.strip("/{}")
    chapters = root / CHAPTERS
    chapters.write_text(
        CHAPTERS_PY.replace('"/{chapter_id}"', f'"{route}"').replace("chapter_id", parameter)
    )
    before = snapshot(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert f"capture: {declared!r} is filled by instrumentation" in lines[0], lines[0]
    assert snapshot(root) == before


_TWO_APPS = MAIN_PY + (
    "\n\nother = FastAPI()\n\n\ndef create_app(test: bool = False) -> FastAPI:\n"
    "    if test:\n        return other\n    return app\n"
)
_NESTED_RETURN = MAIN_PY + (
    "\n\nimport functools\n\n\ndef create_app() -> FastAPI:\n"
    "    def fallback() -> FastAPI:\n        return app\n\n"
    "    return functools.partial(fallback)  # type: ignore[return-value]\n"
)
_CLASS_RETURN = MAIN_PY + (
    "\n\ndef create_app() -> FastAPI:\n    class Holder:\n        def get(self) -> FastAPI:\n"
    "            return app\n\n    return make(Holder)\n"
)

# A local app in one branch, the module's in the other: which one a call hands out depends on
# its argument (either order of the branches, the local one under any name).
_LOCAL_OR_MODULE = MAIN_PY + (
    "\n\ndef create_app(testing: bool = False) -> FastAPI:\n    if testing:\n"
    "        local = FastAPI(title='test')\n        return local\n    return app\n"
)
_MODULE_OR_LOCAL = MAIN_PY + (
    "\n\ndef create_app(production: bool = True) -> FastAPI:\n    if production:\n"
    "        return app\n    built = FastAPI(title='test')\n    return built\n"
)


@pytest.mark.parametrize(
    ("source", "said"),
    [
        (_TWO_APPS, "other, app"),
        (_NESTED_RETURN, "create_app()"),
        (_CLASS_RETURN, "create_app()"),
        (_LOCAL_OR_MODULE, "may return any of local, app"),
        (_MODULE_OR_LOCAL, "may return any of app, built"),
    ],
    ids=["two-module-apps", "nested-def", "nested-class", "local-or-module", "module-or-local"],
)
def test_a_factory_that_may_not_hand_out_the_modules_app_is_refused(
    tmp_path: Path, source: str, said: str
) -> None:
    # Only the factory's own returns count (not a nested function's), and a factory that may
    # return either of two apps has no one app to wire.
    root = _project(tmp_path, FULL_PLAN + '\napp = "app.main:create_app"')
    (root / MAIN).write_text(source.replace("import FastAPI", "import FastAPI\n\nmake = id", 1))
    before = snapshot(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert said in result.stderr, result.stderr
    assert snapshot(root) == before


def test_a_factory_handing_out_an_imported_app_says_so(tmp_path: Path) -> None:
    root = _project(tmp_path, FULL_PLAN + '\napp = "app.main:create_app"')
    (root / "backend/app/server.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (root / MAIN).write_text(
        '"""Main."""\n\nfrom fastapi import FastAPI\n\nfrom app.server import app as served\n\n\n'
        "def create_app() -> FastAPI:\n    return served\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "returns `served`, which it does not build" in lines[0], lines[0]


def test_a_mapped_capture_falls_back_to_the_propertys_own_name_per_handler(
    tmp_path: Path,
) -> None:
    # `{ chapter_id = "chapterId" }`: the GET handler has `chapterId`, the POST handler's body
    # has `chapter_id`; each is captured from the one it has.
    plan = FULL_PLAN.replace(
        '"chapter_visit"', '{ event = "chapter_visit", capture = [{ chapter_id = "chapterId" }] }'
    )
    root = _project(tmp_path, plan + DECLARED_OPTIONAL)
    chapters = root / CHAPTERS
    chapters.write_text(
        CHAPTERS_PY.replace("chapter_id", "chapterId").replace(
            "from fastapi import APIRouter\n",
            "from fastapi import APIRouter\nfrom pydantic import BaseModel\n",
        )
        + "\n\nclass Visit(BaseModel):\n    chapter_id: str\n\n\n"
        '@router.post("/visits")\ndef visit(body: Visit) -> dict[str, str]:\n    return {}\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    text = chapters.read_text()
    assert '"chapter_id": chapterId,' in text, text
    assert '"chapter_id": body.chapter_id,' in text, text
    assert run("generate", "--root", str(root), "--check").exit_code == 0
