"""Log calls exactly as generate writes them, in a module the plan does not instrument."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from telemetry_cli.patching import project
from tests.cli_support import AI_BLOCKS_PY, make_project, run

QUIZ_ROUTE = '@router.post("/quiz/{chapter_id}")'
ASK = "the log call of route ask_question (POST /api/ai/ask-question)"
WHY = ": its module is not in instrument (add it there, or change the call, to keep one)"


def _copy_of_the_instrumented_module(tmp_path: Path, *, skip_quiz: bool) -> Path:
    """A generated project with a copy of ai_blocks.py, calls and all, that the plan leaves out."""
    root = make_project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    text = (root / "backend/app/api/ai_blocks.py").read_text()
    assert text.count("event_logger.log(") == 2
    if skip_quiz:
        text = text.replace(QUIZ_ROUTE, f"{QUIZ_ROUTE}  # telemetry-scaffold: skip")
    copied = root / "backend/app/api/copied.py"
    copied.write_text(text)
    return copied


def test_a_skipped_handler_outside_the_plan_keeps_its_call(tmp_path: Path) -> None:
    # generate writes no call into a handler marked skip, so one there is the user's: it was
    # taken out with the others all the same, against the README's promise.
    copied = _copy_of_the_instrumented_module(tmp_path, skip_quiz=True)
    root = tmp_path
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert "route quiz" not in check.stdout
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "route quiz" not in result.stdout
    text = copied.read_text()
    assert text.count("event_logger.log(") == 1
    quiz = text[text.index(QUIZ_ROUTE) :]
    assert "event_logger.log(" in quiz
    # The import the kept call reads stays with it.
    assert "from app.analytics.event_logger import event_logger\n" in text
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_generate_says_why_a_call_outside_the_plan_goes_and_how_to_keep_it(
    tmp_path: Path,
) -> None:
    # The line was bare ("take out the log call of route ..."): nothing said the module is not
    # in `instrument`, nor how to keep a call there.
    copied = _copy_of_the_instrumented_module(tmp_path, skip_quiz=False)
    root = tmp_path
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert f"    take out {ASK}{WHY}\n" in check.stdout
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert f"    take out {ASK}{WHY}\n" in result.stdout
    assert copied.read_text() == AI_BLOCKS_PY


def test_remove_takes_out_a_call_outside_the_plan_without_the_advice(tmp_path: Path) -> None:
    # remove takes out every call of the layer: adding the module to `instrument` keeps none.
    copied = _copy_of_the_instrumented_module(tmp_path, skip_quiz=False)
    result = run("remove", "--root", str(tmp_path))
    assert result.exit_code == 0, result.stdout
    assert f"    take out {ASK}\n" in result.stdout
    assert WHY not in result.stdout
    assert copied.read_text() == AI_BLOCKS_PY


def test_a_run_lists_each_package_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The outside-plan scan, the unwiring scan, the check of logged types and the layer's
    # users each walked the package's folders again: one listing a run is shared.
    _copy_of_the_instrumented_module(tmp_path, skip_quiz=False)
    (tmp_path / "backend/app/api/ai_blocks.py").rename(tmp_path / "backend/app/api/moved.py")
    # The plan follows the move (one naming a module not there is refused before any scan).
    with (tmp_path / "pyproject.toml").open("a") as config:
        config.write('instrument = { "api/moved.py" = "ai_block_used" }\n')
    listed: list[tuple[str, str, bool]] = []
    original = project.package_modules

    def counted(
        app_package: str, package_dir: Path, *, skip_tests: bool = True, **options: Any
    ) -> list[str]:
        listed.append((app_package, os.path.realpath(package_dir), skip_tests))
        return original(app_package, package_dir, skip_tests=skip_tests, **options)

    monkeypatch.setattr(project, "package_modules", counted)
    for args in (("generate", "--check"), ("generate",), ("remove",)):
        listed.clear()
        result = run(*args, "--root", str(tmp_path))
        assert result.exit_code in (0, 1), result.stdout
        assert listed, args
        assert len(listed) == len(set(listed)), (args, listed)
