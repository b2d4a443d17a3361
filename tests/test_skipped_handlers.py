"""A handler marked ``# telemetry-scaffold: skip`` in a module the plan instruments.

generate never touches one, whatever the plan does to its module; remove takes out the call
generate wrote there before the mark went in (see the CHANGELOG).
"""

from __future__ import annotations

from pathlib import Path

from tests.cli_support import AI_BLOCKS_PY, MAIN_PY, make_project, run, write_files

QUIZ_ROUTE = '@router.post("/quiz/{chapter_id}")'
SKIP = "  # telemetry-scaffold: skip"
BLOCKS = "backend/app/api/ai_blocks.py"
PLAN = 'instrument = {{ "api/ai_blocks.py" = "{}" }}'


def _set_plan(root: Path, plan: str) -> None:
    config = root / "pyproject.toml"
    text = config.read_text()
    config.write_text(
        text[: text.index("[tool.telemetry-scaffold]")] + f"[tool.telemetry-scaffold]\n{plan}\n"
    )


def _skipped_after_generate(tmp_path: Path) -> tuple[Path, str]:
    """A generated project whose quiz handler was marked skip since: its call and all."""
    root = make_project(tmp_path, PLAN.format("ai_block_used"))
    assert run("generate", "--root", str(root)).exit_code == 0
    blocks = root / BLOCKS
    marked = blocks.read_text().replace(QUIZ_ROUTE, QUIZ_ROUTE + SKIP)
    blocks.write_text(marked)
    quiz = marked[marked.index(QUIZ_ROUTE) :]
    assert quiz.count('event_logger.log(\n        "ai_block_used"') == 1
    return root, quiz


def test_a_skipped_handler_keeps_its_call_when_the_plan_changes_its_event_type(
    tmp_path: Path,
) -> None:
    # The take-out the record asks for (a type the plan changed) ignored the mark: the call
    # went and generate, which writes none into a skipped handler, left it without one.
    root, quiz = _skipped_after_generate(tmp_path)
    _set_plan(root, PLAN.format("chapter_visit"))
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "route quiz" not in result.stdout
    text = (root / BLOCKS).read_text()
    assert text.endswith(quiz)
    assert text.count('"chapter_visit"') == 1
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_skipped_handler_keeps_its_call_and_the_layer_it_reads_when_the_layer_moves(
    tmp_path: Path,
) -> None:
    # Its call went with the other handler's; generate may not move it to the new layer either
    # (it never touches the handler), nor an import of the user's shape (merged with another
    # name): the old layer stays while the call reads it, and a line names the call.
    root, quiz = _skipped_after_generate(tmp_path)
    blocks = root / BLOCKS
    blocks.write_text(
        blocks.read_text().replace(
            "from app.analytics.event_logger import event_logger\n",
            "from app.analytics.event_logger import EventLogger, event_logger\n",
        )
    )
    _set_plan(root, 'layer-package = "telemetry"\n' + PLAN.format("ai_block_used"))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert "route quiz" in result.stdout
    assert (
        "    backend/app/api/ai_blocks.py:34: the log call of route quiz (POST "
        "/api/ai/quiz/{chapter_id}), in a handler marked `# telemetry-scaffold: skip`, reads the "
        "logger of app.analytics, which stays while it does: import it from "
        "app.telemetry.event_logger instead, by hand\n"
    ) in result.stdout
    assert "kept: backend/app/api/ai_blocks.py still uses it" in result.stdout
    text = blocks.read_text()
    assert text.endswith(quiz)
    assert "from app.analytics.event_logger import EventLogger, event_logger\n" in text
    assert (root / "backend/app/analytics/event_logger.py").exists()
    # remove found it no more (the take-out of the old layer was not remembered): the call
    # stayed, reading the layer it deleted.
    result = run("remove", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "app.analytics.event_logger" not in blocks.read_text().replace(
        "from app.analytics.event_logger import EventLogger\n", ""
    )
    assert "event_logger.log(" not in blocks.read_text()


def test_a_skipped_call_of_the_tools_shape_moves_its_import_to_the_new_layer(
    tmp_path: Path,
) -> None:
    # The handler is left alone (its call byte for byte), but the module-level import its call
    # reads is the tool's: it moves to the new layer, as for the other handler's call. Before,
    # the old layer was kept (refused, exit 1) until the user moved the import by hand, and the
    # new call imported the logger as `analytics_event_logger` beside the old one.
    root, quiz = _skipped_after_generate(tmp_path)
    _set_plan(root, 'layer-package = "telemetry"\n' + PLAN.format("ai_block_used"))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "route quiz" not in result.stdout
    text = (root / BLOCKS).read_text()
    assert text.endswith(quiz)
    assert "from app.telemetry.event_logger import event_logger\n" in text
    assert "app.analytics" not in text
    assert "analytics_event_logger" not in text
    assert not (root / "backend/app/analytics").exists()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    # remove still finds the call (the module is the tool's by its record) and gives back the
    # user's bytes.
    result = run("remove", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert (root / BLOCKS).read_text() == AI_BLOCKS_PY.replace(QUIZ_ROUTE, QUIZ_ROUTE + SKIP)
    assert not (root / "backend/app/telemetry").exists()


def test_remove_takes_out_the_call_generate_wrote_before_the_mark(tmp_path: Path) -> None:
    # The module is the tool's by its record, and the call is exactly one generate writes: it
    # went in before the mark did. Kept, it would import a logger remove deletes.
    root, _ = _skipped_after_generate(tmp_path)
    _set_plan(root, PLAN.format("chapter_visit"))
    assert run("generate", "--root", str(root)).exit_code == 0
    result = run("remove", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert (root / BLOCKS).read_text() == AI_BLOCKS_PY.replace(QUIZ_ROUTE, QUIZ_ROUTE + SKIP)
    assert not (root / "backend/app/analytics").exists()


def test_a_skipped_handler_keeps_its_call_in_a_module_dropped_from_the_plan(
    tmp_path: Path,
) -> None:
    # generate kept the call, and the module left the record: remove then took the call for the
    # user's and refused to delete the layer it reads.
    root, quiz = _skipped_after_generate(tmp_path)
    (root / "backend/app/api/other.py").write_text(
        'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/x")\n'
        "def x() -> int:\n    return 1\n"
    )
    _set_plan(root, PLAN.format("ai_block_used").replace("ai_blocks", "other"))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert (root / BLOCKS).read_text().endswith(quiz)
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    result = run("remove", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert (root / BLOCKS).read_text() == AI_BLOCKS_PY.replace(QUIZ_ROUTE, QUIZ_ROUTE + SKIP)


def test_a_skipped_call_in_a_module_dropped_as_the_layer_moves_follows_the_layer(
    tmp_path: Path,
) -> None:
    # The module left the plan as the layer moved: the call stayed through the old layer,
    # which was refused (exit 1) with no line naming the call. Its import follows the layer,
    # the call is remembered through the new one, and remove still takes it out.
    root, quiz = _skipped_after_generate(tmp_path)
    (root / "backend/app/api/other.py").write_text(
        'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/x")\n'
        "def x() -> int:\n    return 1\n"
    )
    plan = PLAN.format("ai_block_used").replace("ai_blocks", "other")
    _set_plan(root, f'layer-package = "telemetry"\n{plan}')
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = (root / BLOCKS).read_text()
    assert text.endswith(quiz)
    assert "from app.telemetry.event_logger import event_logger\n" in text
    assert not (root / "backend/app/analytics").exists()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("generate", "--root", str(root)).exit_code == 0
    assert (root / BLOCKS).read_text() == text
    result = run("remove", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert (root / BLOCKS).read_text() == AI_BLOCKS_PY.replace(QUIZ_ROUTE, QUIZ_ROUTE + SKIP)
    assert not (root / "backend/app/telemetry").exists()


def test_a_skipped_call_follows_the_layer_imported_by_a_dotted_app_package(
    tmp_path: Path,
) -> None:
    # The same folder imported by another name (`backend.app` under the root): the skipped
    # handler's call kept `from app.analytics...`, which the app run from the root cannot
    # import, beside the other call's new import, with --check green.
    root, quiz = _skipped_after_generate(tmp_path)
    dotted = 'backend = "."\napp-package = "backend.app"\n'
    _set_plan(root, dotted + PLAN.format("ai_block_used"))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = (root / BLOCKS).read_text()
    assert text.endswith(quiz)
    assert "from backend.app.analytics.event_logger import event_logger\n" in text
    assert "from app.analytics" not in text
    assert "analytics_event_logger" not in text
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    result = run("remove", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert (root / BLOCKS).read_text() == AI_BLOCKS_PY.replace(QUIZ_ROUTE, QUIZ_ROUTE + SKIP)


def test_a_skipped_call_outside_the_moved_backend_is_named_with_what_to_do(
    tmp_path: Path,
) -> None:
    # The backend moved (`backend = "srv"`, the app copied there): the old folder's module is
    # outside the plan's app, so the skipped handler's call cannot import the new layer. The
    # old layer was deleted under the call (its import broken) and the module stayed recorded
    # through the new backend, so `--check` failed right after generate. The old layer stays
    # while the call reads it, and a line says what to do.
    root, quiz = _skipped_after_generate(tmp_path)
    marked = AI_BLOCKS_PY.replace(QUIZ_ROUTE, QUIZ_ROUTE + SKIP)
    write_files(root, {"srv/app/__init__.py": "", "srv/app/api/__init__.py": ""})
    write_files(root, {"srv/app/main.py": MAIN_PY, "srv/app/api/ai_blocks.py": marked})
    _set_plan(root, 'backend = "srv"\n' + PLAN.format("ai_block_used"))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1, result.stdout
    assert (
        f"    {BLOCKS}:34: the log call of route quiz (POST /api/ai/quiz/{{chapter_id}}), in a "
        "handler marked `# telemetry-scaffold: skip`, reads the logger of app.analytics, which "
        "stays while it does: the plan's app (srv/app) does not hold this module, so it cannot "
        "import the new one; take the call out by hand (or the mark, and generate takes it "
        "out)\n"
    ) in result.stdout
    assert f"kept: {BLOCKS} still uses it" in result.stdout
    assert (root / BLOCKS).read_text().endswith(quiz)
    assert (root / "backend/app/analytics/event_logger.py").exists()
    assert "route quiz" in run("generate", "--root", str(root)).stdout
    # The mark taken out: so is the call, and the old layer with it.
    blocks = root / BLOCKS
    blocks.write_text(blocks.read_text().replace(SKIP, ""))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "event_logger" not in blocks.read_text()
    assert not (root / "backend/app/analytics").exists()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert blocks.read_text() == AI_BLOCKS_PY
    assert (root / "srv/app/api/ai_blocks.py").read_text() == marked
