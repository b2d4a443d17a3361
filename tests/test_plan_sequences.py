"""Sequences of plan changes keep the project what one generate from the last plan makes of it.

See :mod:`tests.plan_sequence_support` for the invariant. Each named case is a sequence that
once broke it; the property test runs random sequences of plan edits on the bundled project.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli_support import run, snapshot
from tests.plan_sequence_support import (
    MANIFEST,
    Edit,
    Plan,
    bundled_plan,
    original_sources,
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


def test_moving_the_backend_folder_unpatches_the_old_one(original: Path, tmp_path: Path) -> None:
    # It was a traceback: the recorded modules were looked up under the new folder.
    _assert_holds(original, tmp_path, [BASE, _plan(backend="srv"), BASE])


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


def test_a_call_like_an_inserted_one_in_a_module_not_recorded_is_the_users(
    original: Path, tmp_path: Path
) -> None:
    # The manifest records the patches: chapters.py, dropped from the plan, loses its inserted
    # calls; a call of the same shape the user copied into a module never instrumented stays.
    root = tmp_path / "project"
    shutil.copytree(original, root)
    write_plan(root, BASE)
    assert run("generate", "--root", str(root)).exit_code == 0
    chapters = root / CHAPTERS
    copied = root / "backend/app/api/copied.py"
    copied.write_bytes(chapters.read_bytes())
    write_plan(root, _plan(instrument=ONLY_BLOCKS))
    assert run("generate", "--root", str(root)).exit_code == 0
    assert b"event_logger.log(" not in chapters.read_bytes()
    assert copied.read_bytes().count(b"event_logger.log(") >= 1


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
    # The generated files that changed (the layer's __init__.py too) cannot be told from hand
    # edits any more: refused, kept...
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert "refused    backend/app/analytics/__init__.py" in result.stdout
    # Said as it is: written by the tool once, with no record left of what it wrote.
    assert "has telemetry-scaffold's header, but the manifest does not record it" in result.stdout
    assert "was not written by telemetry-scaffold" not in result.stdout
    # ... but the inserted call, exactly as generate writes it, comes out, and so does the
    # error hook: taking code out does not wait for the layer.
    assert "take out the log call of route get_chapter" in result.stdout
    assert (root / CHAPTERS).read_bytes() == pristine[CHAPTERS]
    assert "install_error_capture" not in (root / "backend/app/main.py").read_text()


def test_the_layout_is_recorded_and_an_older_record_is_not_drift(
    original: Path, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(original, root)
    write_plan(root, BASE)
    assert run("generate", "--root", str(root)).exit_code == 0
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


# --- random sequences -------------------------------------------------------------------------

_EDITS: dict[str, Callable[[Plan], None]] = {
    "api-prefix": lambda plan: plan.__setitem__("api-prefix", "/api/v2/telemetry"),
    "capture-errors off": lambda plan: plan.__setitem__("capture-errors", False),
    "sink opentelemetry": lambda plan: plan.__setitem__("sink", "opentelemetry"),
    "specs-dir": lambda plan: plan.__setitem__("specs-dir", "docs/specs"),
    "feature": lambda plan: plan.__setitem__("feature", "060-telemetry"),
    "redact": lambda plan: plan.__setitem__("redact", ["chapter_title"]),
    "drop chapters": lambda plan: plan["instrument"].pop("api/chapters.py", None),
    "chapters logs ai_block_used": lambda plan: plan["instrument"].__setitem__(
        "api/chapters.py", {"event": "ai_block_used", "capture": ["chapter_id"]}
    ),
    # error_event requires no property: a plain event type, nothing captured.
    "all log error_event": lambda plan: plan.update(
        instrument=dict.fromkeys(plan["instrument"], "error_event")
    ),
    "extra event type": lambda plan: plan.__setitem__(
        "event-types", ["ai_block_used", "chapter_visit", "error_event", "quiz_done"]
    ),
    "drop error_event declaration": lambda plan: plan["events"].pop("error_event", None),
    "backend srv": lambda plan: plan.__setitem__("backend", "srv"),
    "dotted app-package": lambda plan: plan.update({"backend": ".", "app-package": "backend.app"}),
}


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.lists(st.sampled_from(sorted(_EDITS)), min_size=0, max_size=3),
        min_size=1,
        max_size=3,
    )
)
def test_random_plan_sequences_keep_the_invariant(
    original: Path, tmp_path: Path, steps: list[list[str]]
) -> None:
    plans = [BASE]
    for names in steps:
        plan = copy.deepcopy(BASE)
        for name in names:
            _EDITS[name](plan)
        plans.append(plan)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    problems = run_sequence(original, work, plans)
    assert not problems, f"{steps}:\n" + "\n".join(problems)
