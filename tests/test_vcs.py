"""What ``telemetry_cli.vcs`` asks git, whatever the repository's own configuration says."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from telemetry_cli import vcs
from telemetry_cli.files import (
    conflict_marker_line,
    conflict_sides,
    conflict_spans,
    unresolved_conflict,
)
from telemetry_cli.manifest import MANIFEST_PATH as MANIFEST
from telemetry_cli.vcs import ManifestHistory, tracked_files
from tests.cli_support import git, make_project, run, snapshot, write_files
from tests.plan_sequence_support import bundled_plan, original_sources, write_plan
from tests.route_support import include_in_main

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

DIGEST = "sha256:" + "a" * 64


def test_a_repository_configuration_runs_no_command(tmp_path: Path) -> None:
    # A repository's own config (a clone's hooks are not run, but .git/config is the repo's
    # say) may name commands git runs for a log or a listing: an fsmonitor, a textconv driver
    # for the manifest, a gpg program for log.showSignature. The tool asks git only for plain
    # data: none runs (a failing one broke the answer too), and the answer is the same.
    root = tmp_path / "project"
    root.mkdir()
    marks = tmp_path / "ran"
    script = tmp_path / "hook.sh"
    script.write_text(f'#!/bin/sh\necho "$0 $*" >> "{marks}"\nexit 1\n')
    script.chmod(0o755)
    git(root, "init", "-q")
    (root / ".gitattributes").write_text("*.json diff=pretty\n")
    for name in ("docs/spec.md", "srv/app/analytics/event_logger.py"):
        (root / MANIFEST).write_text(json.dumps({"files": {name: DIGEST}}, indent=2) + "\n")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", name)
    # A signed commit, as far as git can tell (the signature itself is never checked here).
    commit = subprocess.run(["git", "cat-file", "commit", "HEAD"], cwd=root, capture_output=True)
    head, _, message = commit.stdout.partition(b"\n\n")
    signature = b"gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEz\n -----END PGP SIGNATURE-----"
    signed = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=root,
        input=head + b"\n" + signature + b"\n\n" + message,
        capture_output=True,
        check=True,
    )
    git(root, "update-ref", "HEAD", signed.stdout.decode().strip())
    for key, value in (
        ("core.fsmonitor", str(script)),
        ("diff.pretty.textconv", str(script)),
        ("log.showSignature", "true"),
        ("gpg.program", str(script)),
    ):
        git(root, "config", key, value)
    assert sorted(ManifestHistory(root, MANIFEST).recorded) == [
        "docs/spec.md",
        "srv/app/analytics/event_logger.py",
    ]
    assert tracked_files(root) == [".gitattributes", MANIFEST]
    assert not marks.exists(), marks.read_text()


def test_a_long_history_is_read_only_as_far_back_as_the_walk_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # git walks a path's log commit by commit: a manifest committed once, 200,000 commits back,
    # took seconds on every run (up to the timeout). The walk stops after the newest commits.
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q")
    manifest = json.dumps({"files": {"docs/spec.md": DIGEST}}, indent=2) + "\n"
    (root / MANIFEST).write_text(manifest)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "manifest")
    for number in range(4):
        (root / "notes.txt").write_text(f"{number}\n")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"notes {number}")
    monkeypatch.setattr(vcs, "_HISTORY_COMMITS", 5)
    assert ManifestHistory(root, MANIFEST).recorded == ("docs/spec.md",)
    monkeypatch.setattr(vcs, "_HISTORY_COMMITS", 4)
    assert ManifestHistory(root, MANIFEST).recorded == ()


def _merged_plans(tmp_path: Path) -> Path:
    """A project where two branches each changed the plan and ran generate, merged: conflicts."""
    root = original_sources(tmp_path / "project")
    git(root, "init", "-q", "-b", "main")
    assert run("generate", "--root", str(root)).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "generate")

    def branch(name: str, description: str, chapters: dict[str, object]) -> None:
        plan = bundled_plan()
        plan["events"]["ai_block_used"]["description"] = description
        plan["instrument"]["api/chapters.py"] = chapters
        if chapters.get("capture") == []:
            plan["events"]["chapter_visit"]["properties"]["chapter_id"]["required"] = False
        write_plan(root, plan)
        done = run("generate", "--root", str(root))
        assert done.exit_code == 0, done.stdout + done.stderr
        git(root, "commit", "-q", "-am", name)

    git(root, "checkout", "-q", "-b", "other")
    branch("other", "A reader used an AI block of a chapter.", {"event": "error_event"})
    git(root, "checkout", "-q", "main")
    branch("main", "A reader used some AI block.", {"event": "chapter_visit", "capture": []})
    merge = subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True)
    assert merge.returncode != 0  # conflicts, in the manifest among others
    return root


def test_a_manifest_with_merge_conflicts_is_refused_in_one_line(tmp_path: Path) -> None:
    # Two runs' records merged: reading it as damaged (so empty) refused every generated file
    # as "not written by telemetry-scaffold" and wrote a manifest over the conflict.
    root = _merged_plans(tmp_path)
    git(root, "checkout", "--theirs", "--", "pyproject.toml")
    before = snapshot(root)
    for command in (("generate",), ("generate", "--check"), ("remove",)):
        done = run(*command, "--root", str(root))
        assert done.exit_code == 1, command
        assert done.stderr.count("\n") == 1, done.stderr
        assert f"{MANIFEST}:" in done.stderr
        assert ": has unresolved merge conflict markers" in done.stderr
        assert "--theirs" in done.stderr
    assert snapshot(root) == before


def test_merged_generated_files_are_written_anew_or_refused(tmp_path: Path) -> None:
    # After the manifest and plan are resolved: a generated file whose two branches' versions
    # were each unedited is written from the plan, even with hunks of both merged cleanly
    # around its conflicts (before, refused: neither side of a conflict was a whole generated
    # file); one holding a line of no branch's is refused, naming every conflict's lines, and a
    # module of the user's with markers is never patched.
    root = _merged_plans(tmp_path)
    git(root, "checkout", "--theirs", "--", "pyproject.toml", MANIFEST)
    chapters = root / "backend/app/api/chapters.py"
    chapters.write_text(
        '"""Chapters.\n<<<<<<< HEAD\nOurs.\n=======\nTheirs.\n>>>>>>> other\n"""\n'
        + (chapters.read_text())
    )
    module = chapters.read_bytes()
    logger = root / "backend/app/analytics/event_logger.py"
    mine = logger.read_bytes() + b"# a line of mine\n"
    logger.write_bytes(mine)
    spans = ", ".join(f"{first}-{last}" for first, last in conflict_spans(mine))
    assert "," in spans  # the logger merged with several conflicts
    conflicted = [
        path for path, data in snapshot(root).items() if conflict_marker_line(data) is not None
    ]
    done = run("generate", "--root", str(root))
    assert done.exit_code == 1
    # A module of the user's: resolved at its lines (taking one side of the whole file would
    # drop the other branch's changes merged around them); a generated file: either side.
    assert (
        "chapters.py:2: has unresolved merge conflict markers (lines 2-6); resolve the conflict at "
        "those lines (the rest merged cleanly" in done.stdout
    )
    assert chapters.read_bytes() == module
    assert (
        f"event_logger.py:{conflict_spans(mine)[0][0]}: has unresolved merge conflict markers "
        f"(lines {spans}); resolve the "
        "conflicts (take either side" in done.stdout
    )
    assert logger.read_bytes() == mine
    left = [path for path, data in snapshot(root).items() if conflict_marker_line(data) is not None]
    assert sorted(left) == ["backend/app/analytics/event_logger.py", "backend/app/api/chapters.py"]
    assert len(conflicted) > len(left) + 2  # the others were written anew


def _merged_module_plans(tmp_path: Path, side: str = "--theirs") -> Path:
    """Two branches ran generate, one dropping chapters.py, one logging another event there.

    The merge conflicts in chapters.py on the inserted code alone (and in the plan, the
    manifest and generated files, resolved here with ``side``'s plan and record: `--theirs`
    logs error_event there, `--ours` dropped it).
    """
    root = original_sources(tmp_path / "project")
    git(root, "init", "-q", "-b", "main")
    assert run("generate", "--root", str(root)).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "generate")
    for name, chapters in (("other", "error_event"), ("main", None)):
        git(root, "checkout", "-q", *(["-b", name] if name == "other" else [name]))
        plan = bundled_plan()
        if chapters is None:
            del plan["instrument"]["api/chapters.py"]
        else:
            plan["instrument"]["api/chapters.py"] = chapters
        write_plan(root, plan)
        done = run("generate", "--root", str(root))
        assert done.exit_code == 0, done.stdout + done.stderr
        git(root, "commit", "-q", "-am", name)
    merge = subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True)
    assert merge.returncode != 0
    git(root, "checkout", side, "--", "pyproject.toml", MANIFEST)
    assert conflict_marker_line((root / "backend/app/api/chapters.py").read_bytes()) is not None
    return root


@pytest.mark.parametrize("side", ["--theirs", "--ours"])
def test_a_module_whose_sides_differ_only_by_the_tools_code_is_patched_from_the_plan(
    tmp_path: Path, side: str
) -> None:
    # Both branches ran generate with their own plan: chapters.py conflicted on the inserted
    # calls alone, and was refused, naming their lines, as if the user had changed it.
    root = _merged_module_plans(tmp_path, side)
    before = snapshot(root)
    check = run("generate", "--check", "--root", str(root))
    assert check.exit_code == 1
    assert "backend/app/api/chapters.py" in check.stdout
    assert "<<<<<<<" in run("generate", "--diff", "--root", str(root)).stdout
    assert snapshot(root) == before
    done = run("generate", "--root", str(root))
    assert done.exit_code == 0, done.stdout + done.stderr
    assert "the sides differed only by generate's code" in done.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    fresh = original_sources(tmp_path / "fresh")
    shutil.copy2(root / "pyproject.toml", fresh / "pyproject.toml")
    assert run("generate", "--root", str(fresh)).exit_code == 0
    mine = {path: data for path, data in snapshot(root).items() if not path.startswith(".git/")}
    assert mine == snapshot(fresh)


@pytest.mark.parametrize("command", ["generate", "remove"])
def test_a_module_resolved_in_a_folder_an_earlier_run_patched_is_given_back(
    tmp_path: Path, command: str
) -> None:
    # The merged plan moves the backend (a copy of the sources in srv/): chapters.py, in the
    # folder the record names, conflicted on the inserted calls alone and was refused there,
    # though the same conflict in the plan's own folder was resolved.
    root = _merged_module_plans(tmp_path)
    pristine = original_sources(tmp_path / "pristine")
    shutil.copytree(pristine / "backend", root / "srv")
    plan = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["telemetry-scaffold"]
    write_plan(root, {**plan, "backend": "srv"})
    before = snapshot(root)
    assert run(command, "--check", "--root", str(root)).exit_code == 1
    assert snapshot(root) == before
    done = run(command, "--root", str(root))
    assert done.exit_code == 0, done.stdout + done.stderr
    assert "the sides differed only by generate's code" in done.stdout
    chapters = "backend/app/api/chapters.py"
    assert (root / chapters).read_bytes() == (pristine / chapters).read_bytes()
    fresh = original_sources(tmp_path / "fresh")
    shutil.copytree(pristine / "backend", fresh / "srv")
    shutil.copy2(root / "pyproject.toml", fresh / "pyproject.toml")
    if command == "generate":
        assert run("generate", "--root", str(fresh)).exit_code == 0
        assert run("generate", "--check", "--root", str(root)).exit_code == 0
    mine = {path: data for path, data in snapshot(root).items() if not path.startswith(".git/")}
    assert mine == snapshot(fresh)


def test_a_module_whose_sides_import_the_layer_from_other_app_packages_is_resolved(
    tmp_path: Path,
) -> None:
    # One branch made the app package dotted (`backend.app`, backend `.`), the other kept
    # `app`: each ran generate, and the route modules conflicted on the layer's import alone
    # (`from backend.app.analytics...` against `from app.analytics...`). The other branch's
    # layer, in its own app package, was not among those taken out of each side: refused.
    root = original_sources(tmp_path / "project")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "sources")
    git(root, "checkout", "-q", "-b", "other")
    assert run("generate", "--root", str(root)).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "other")
    git(root, "checkout", "-q", "main")
    dotted = {**bundled_plan(), "backend": ".", "app-package": "backend.app"}
    write_plan(root, dotted)
    assert run("generate", "--root", str(root)).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "main")
    merge = subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True)
    assert merge.returncode != 0
    git(root, "checkout", "--ours", "--", "pyproject.toml", MANIFEST)
    chapters = "backend/app/api/chapters.py"
    assert conflict_marker_line((root / chapters).read_bytes()) is not None
    done = run("generate", "--root", str(root))
    assert done.exit_code == 0, done.stdout + done.stderr
    fresh = original_sources(tmp_path / "fresh")
    write_plan(fresh, dotted)
    assert run("generate", "--root", str(fresh)).exit_code == 0
    for path in (chapters, "backend/app/api/ai_blocks.py"):
        assert (root / path).read_bytes() == (fresh / path).read_bytes()


@pytest.mark.parametrize("command", ["generate", "remove"])
def test_a_module_whose_sides_differ_by_a_line_of_the_users_is_still_refused(
    tmp_path: Path, command: str
) -> None:
    root = _merged_module_plans(tmp_path)
    chapters = root / "backend/app/api/chapters.py"
    text = chapters.read_text()
    opened = text.index("<<<<<<<")
    start = text.index("\n", opened) + 1
    chapters.write_text(f"{text[:start]}    # a note of mine\n{text[start:]}")
    conflicted = chapters.read_bytes()
    done = run(command, "--root", str(root))
    assert done.exit_code == 1
    said = done.stdout + done.stderr
    assert re.search(r"chapters\.py:\d+: has unresolved merge conflict markers", said)
    assert chapters.read_bytes() == conflicted


def test_a_module_whose_sides_differ_only_by_the_tools_code_is_given_back_by_remove(
    tmp_path: Path,
) -> None:
    root = _merged_module_plans(tmp_path)
    done = run("remove", "--root", str(root))
    assert done.exit_code == 0, done.stdout + done.stderr
    pristine = original_sources(tmp_path / "fresh")
    chapters = "backend/app/api/chapters.py"
    assert (root / chapters).read_bytes() == (pristine / chapters).read_bytes()


def test_taking_one_side_of_every_conflict_then_generating_is_a_fresh_generate(
    tmp_path: Path,
) -> None:
    # The plan and manifest from one branch, every other conflicted file from the other: the
    # generated files carry their own digest, so one run brings them to the plan's bytes.
    root = _merged_plans(tmp_path)
    side, other = "--theirs", "--ours"
    conflicted = git(root, "diff", "--name-only", "--diff-filter=U").split()
    git(root, "checkout", side, "--", "pyproject.toml", MANIFEST)
    git(
        root,
        "checkout",
        other,
        "--",
        *(p for p in conflicted if p not in {"pyproject.toml", MANIFEST}),
    )
    done = run("generate", "--root", str(root))
    assert done.exit_code == 0, done.stdout + done.stderr
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    fresh = original_sources(tmp_path / "fresh")
    shutil.copy2(root / "pyproject.toml", fresh / "pyproject.toml")
    assert run("generate", "--root", str(fresh)).exit_code == 0
    mine = {path: data for path, data in snapshot(root).items() if not path.startswith(".git/")}
    assert mine == snapshot(fresh)


@pytest.mark.parametrize("how", ["core.autocrlf", "eol=crlf"])
def test_a_checkout_with_crlf_line_endings_is_up_to_date(tmp_path: Path, how: str) -> None:
    # git checks LF files out with CRLF endings (core.autocrlf on Windows, or an eol=crlf
    # attribute): every generated file was "edited by hand", --check failed on a fresh clone
    # and remove kept the layer. The same file with other line endings is the file written.
    source = original_sources(tmp_path / "source")
    git(source, "init", "-q", "-b", "main")
    if how == "eol=crlf":
        (source / ".gitattributes").write_text("*.py text eol=crlf\n")
    git(source, "add", "-A")
    git(source, "commit", "-q", "-m", "sources")
    git(source, "tag", "sources")
    assert run("generate", "--root", str(source)).exit_code == 0
    git(source, "add", "-A")
    git(source, "commit", "-q", "-m", "generate")
    options = ["-c", "core.autocrlf=true"] if how == "core.autocrlf" else []
    git(tmp_path, "clone", "-q", *options, str(source), "clone")
    root = tmp_path / "clone"
    assert b"\r\n" in (root / "backend/app/analytics/event_logger.py").read_bytes()
    before = snapshot(root)
    check = run("generate", "--check", "--root", str(root))
    assert check.exit_code == 0, check.stdout
    done = run("generate", "--root", str(root))
    assert done.exit_code == 0, done.stdout
    assert snapshot(root) == before
    # A plan change: the outputs it changes are written, the others stay as checked out.
    plan = bundled_plan()
    plan["events"]["chapter_visit"]["description"] = "A reader opened one chapter."
    write_plan(root, plan)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 0, removed.stdout
    git(root, "checkout", "-q", "sources", "--", "pyproject.toml")
    git(root, "add", "-A")
    assert git(root, "diff", "--cached", "--stat", "sources") == ""


def test_a_plan_with_merge_conflicts_is_refused_in_one_line(tmp_path: Path) -> None:
    # Before, "invalid TOML: Invalid statement"; where the markers stood inside a multi-line
    # string, the plan was read as valid, one side's lines and the markers with them.
    root = _merged_plans(tmp_path)
    before = snapshot(root)
    for command in (("generate",), ("generate", "--check"), ("remove",), ("init",)):
        done = run(*command, "--root", str(root))
        assert done.exit_code == 2, command
        assert done.stderr.count("\n") == 1, done.stderr
        assert "pyproject.toml:" in done.stderr
        assert ": has unresolved merge conflict markers (lines " in done.stderr
        assert "at those lines" in done.stderr  # the user's file: not one side of all of it
    assert snapshot(root) == before
    config = root / "pyproject.toml"
    git(root, "checkout", "--theirs", "--", "pyproject.toml")
    config.write_text(
        config.read_text()
        + '\n[tool.notes]\ntext = """\n<<<<<<< HEAD\na\n=======\nb\n>>>>>>> x\n"""\n'
    )
    done = run("generate", "--check", "--root", str(root))
    assert done.exit_code == 2
    assert re.search(r"pyproject\.toml:\d+: has unresolved merge conflict markers", done.stderr)


def test_remove_takes_merged_generated_files_out_or_names_their_conflict(tmp_path: Path) -> None:
    # A merged output had "no header" (the markers above it): kept, --force or not. One
    # merging two branches' unedited versions goes, hunks of both merged around its conflicts
    # or not; one holding a line of no branch's stays, its conflicts named.
    root = _merged_plans(tmp_path)
    git(root, "checkout", "--theirs", "--", "pyproject.toml", MANIFEST)
    logger = root / "backend/app/analytics/event_logger.py"
    logger.write_bytes(logger.read_bytes() + b"# a line of mine\n")
    conflicted = [
        path for path, data in snapshot(root).items() if conflict_marker_line(data) is not None
    ]
    done = run("remove", "--root", str(root))
    assert done.exit_code == 1
    assert "does not carry" not in done.stdout
    # The quickstart's sides are each unedited: removed.
    assert not (root / "specs/059-analytics-telemetry/quickstart.md").exists()
    kept = [path for path in conflicted if (root / path).exists()]
    assert kept == ["backend/app/analytics/event_logger.py"]
    for path in kept:
        assert re.search(
            rf"{re.escape(path)}:\d+: has unresolved merge conflict markers", done.stdout
        )
    forced = run("remove", "--force", "--root", str(root))
    assert forced.exit_code == 0, forced.stdout
    for path in kept:
        assert not (root / path).exists()
        assert (root / f"{path}.bak").is_file()


@pytest.mark.parametrize("side", ["--ours", "--theirs"])
@pytest.mark.parametrize("committed", [False, True])
def test_one_side_everywhere_brings_a_cleanly_merged_call_to_the_plan(
    tmp_path: Path, side: str, committed: bool
) -> None:
    # One branch changed the event chapters.py logs, the other what its call captures: the
    # module merged cleanly into a call of the other branch's type with this one's payload,
    # read as the user's choice of event ("logs 'error_event', expected 'chapter_visit'").
    # Both were the tool's own calls, as the merged branch's committed record says.
    root = _merged_plans(tmp_path)
    conflicted = git(root, "diff", "--name-only", "--diff-filter=U").split()
    git(root, "checkout", side, "--", *conflicted)
    if committed:
        git(root, "commit", "-q", "-am", "merge")
    check = run("generate", "--check", "--root", str(root))
    before = snapshot(root)
    done = run("generate", "--root", str(root))
    assert done.exit_code == 0, done.stdout + done.stderr
    changed = [p for p in snapshot(root) if snapshot(root).get(p) != before.get(p)]
    assert (check.exit_code != 0) == bool([p for p in changed if p != MANIFEST]), changed
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    fresh = original_sources(tmp_path / "fresh")
    shutil.copy2(root / "pyproject.toml", fresh / "pyproject.toml")
    assert run("generate", "--root", str(fresh)).exit_code == 0
    mine = {path: data for path, data in snapshot(root).items() if not path.startswith(".git/")}
    assert mine == snapshot(fresh)


def test_a_type_no_record_gave_the_module_is_still_the_users(tmp_path: Path) -> None:
    # The merged branch's record names error_event for chapters.py only: a call of it in
    # ai_blocks.py, in the tool's shape, is still the user's choice, named and left.
    root = _merged_plans(tmp_path)
    conflicted = git(root, "diff", "--name-only", "--diff-filter=U").split()
    git(root, "checkout", "--ours", "--", *conflicted)
    blocks = root / "backend/app/api/ai_blocks.py"
    text = blocks.read_text()
    blocks.write_text(text.replace('"ai_block_used",', '"error_event",', 1))
    edited = blocks.read_bytes()
    done = run("generate", "--root", str(root))
    assert done.exit_code == 1
    assert "logs 'error_event', expected 'ai_block_used'" in done.stdout
    assert blocks.read_bytes() == edited


def test_markers_of_a_rename_rename_conflict_are_conflict_markers(tmp_path: Path) -> None:
    # Each branch renamed the layer (layer-package) its own way: git's rename/rename conflict
    # writes each side's file with eight-character markers (`<<<<<<<< HEAD:path`), which were
    # not read as a conflict: the merged layer was refused as "edited by hand".
    root = original_sources(tmp_path / "project")
    git(root, "init", "-q", "-b", "main")
    assert run("generate", "--root", str(root)).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "generate")
    for branch, layer in (("other", "tele"), ("main", "tracking")):
        git(root, "checkout", "-q", *(["-b"] if branch == "other" else []), branch)
        plan = bundled_plan()
        plan["layer-package"] = layer
        write_plan(root, plan)
        assert run("generate", "--root", str(root)).exit_code == 0
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", layer)
    merge = subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True)
    assert merge.returncode != 0
    logger = root / "backend/app/tracking/event_logger.py"
    assert b"\n<<<<<<<< " in logger.read_bytes()
    assert conflict_marker_line(logger.read_bytes()) is not None
    for path in git(root, "diff", "--name-only", "--diff-filter=U").split():
        taken = subprocess.run(["git", "checkout", "--ours", "--", path], cwd=root)
        if taken.returncode != 0:  # the other branch's name of a renamed file: not ours
            git(root, "rm", "-q", "--", path)
    done = run("generate", "--root", str(root))
    assert done.exit_code == 0, done.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    fresh = original_sources(tmp_path / "fresh")
    shutil.copy2(root / "pyproject.toml", fresh / "pyproject.toml")
    assert run("generate", "--root", str(fresh)).exit_code == 0
    mine = {path: data for path, data in snapshot(root).items() if not path.startswith(".git/")}
    assert mine == snapshot(fresh)


def test_a_nested_conflicts_markers_are_lines_of_its_sides() -> None:
    data = (
        b"a\n<<<<<<<< HEAD:x\n<<<<<<< inner\nb\n=======\nc\n>>>>>>> inner\n"
        b"========\nd\n>>>>>>>> other:x\ne\n"
    )
    assert conflict_spans(data) == ((2, 10),)
    ours, theirs = conflict_sides(data)
    assert ours == b"a\n<<<<<<< inner\nb\n=======\nc\n>>>>>>> inner\ne\n"
    assert theirs == b"a\nd\ne\n"


@pytest.mark.parametrize(
    "stray",
    [b"<<<<<<<<<<", b"<<<<<<<< not a conflict", b"========", b">>>>>>>>>"],
)
def test_a_stray_marker_line_of_another_size_hides_no_conflict(stray: bytes) -> None:
    # A docstring's line of ten `<` opened a "conflict" that the real one of seven could not
    # close: the module below was patched as if it held none.
    data = b'"""Notes.\n' + stray + b'\n"""\nx = 1\n<<<<<<< HEAD\na = 1\n=======\na = 2\n'
    data += b">>>>>>> other\ny = 2\n"
    assert conflict_marker_line(data) == 5
    assert conflict_spans(data) == ((5, 9),)
    head = b'"""Notes.\n' + stray + b'\n"""\nx = 1\n'
    assert conflict_sides(data) == (head + b"a = 1\ny = 2\n", head + b"a = 2\ny = 2\n")


def test_a_module_with_a_conflict_after_a_stray_marker_is_refused(tmp_path: Path) -> None:
    root = original_sources(tmp_path / "project")
    chapters = root / "backend/app/api/chapters.py"
    chapters.write_bytes(
        b'"""Chapters.\n\n<<<<<<<<<< a banner\n"""\n'
        + chapters.read_bytes()
        + b"<<<<<<< HEAD\nA = 1\n=======\nA = 2\n>>>>>>> other\n"
    )
    before = chapters.read_bytes()
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1, result.stdout
    assert "has unresolved merge conflict markers" in result.stdout
    assert chapters.read_bytes() == before


def test_a_refusal_names_ten_conflicts_and_counts_the_rest() -> None:
    conflict = b"<<<<<<< HEAD\na\n=======\nb\n>>>>>>> other\n"
    said = unresolved_conflict("m.py", conflict * 25, generated=False)
    assert "(lines 1-5, 6-10, " in said and "46-50 and 15 more)" in said
    assert "\n" not in said


@pytest.mark.parametrize("side", ["--ours", "--theirs"])
def test_a_module_only_the_merged_branch_instrumented_is_brought_to_the_plan(
    tmp_path: Path, side: str
) -> None:
    # The other branch instrumented chapters.py; this one changed something else. The module
    # merged cleanly with the other branch's call and import; taking this side's plan and
    # manifest, neither named the module, and the calls stayed with --check green.
    original = original_sources(tmp_path / "original")
    root = tmp_path / "project"
    shutil.copytree(original, root)

    def plan(chapters: bool, description: str) -> dict[str, object]:
        plan = bundled_plan()
        if not chapters:
            plan["instrument"].pop("api/chapters.py")
        plan["events"]["ai_block_used"]["description"] = description
        return plan

    def commit(message: str, chapters: bool) -> None:
        write_plan(root, plan(chapters, message))
        done = run("generate", "--root", str(root))
        assert done.exit_code == 0, done.stdout
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", message)

    git(root, "init", "-q", "-b", "main")
    commit("Base.", False)
    git(root, "checkout", "-q", "-b", "other")
    commit("Other.", True)
    git(root, "checkout", "-q", "main")
    commit("Main.", False)
    subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True)
    git(root, "checkout", side, "--", *git(root, "diff", "--name-only", "--diff-filter=U").split())
    chapters = root / "backend/app/api/chapters.py"
    assert "event_logger.log(" in chapters.read_text()
    check = run("generate", "--check", "--root", str(root))
    done = run("generate", "--root", str(root))
    assert done.exit_code == 0, done.stdout
    assert check.exit_code == (1 if side == "--ours" else 0)
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    fresh = original_sources(tmp_path / "fresh")
    shutil.copy2(root / "pyproject.toml", fresh / "pyproject.toml")
    assert run("generate", "--root", str(fresh)).exit_code == 0
    mine = {path: data for path, data in snapshot(root).items() if not path.startswith(".git/")}
    assert mine == snapshot(fresh)


@pytest.mark.parametrize("command", ["generate", "remove"])
def test_calls_through_the_layer_a_merged_branch_renamed_go_with_this_sides_plan(
    tmp_path: Path, command: str
) -> None:
    # The other branch renamed the layer (layer-package tele): git moved the layer's files and
    # the modules' imports merged cleanly to app.tele; this side's plan and manifest, taken,
    # know only app.analytics. The calls through app.tele were left, so the tele layer was
    # kept ("still used") beside a new analytics one, run after run.
    root = original_sources(tmp_path / "project")
    git(root, "init", "-q", "-b", "main")
    assert run("generate", "--root", str(root)).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "generate")
    changes: tuple[tuple[str, str, object], ...] = (
        ("other", "layer-package", "tele"),
        ("main", "capture-errors", False),
    )
    for branch, key, value in changes:
        git(root, "checkout", "-q", *(["-b"] if branch == "other" else []), branch)
        plan = bundled_plan()
        plan[key] = value
        write_plan(root, plan)
        assert run("generate", "--root", str(root)).exit_code == 0
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", branch)
    subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True)
    for path in git(root, "diff", "--name-only", "--diff-filter=U").split():
        if subprocess.run(["git", "checkout", "--ours", "--", path], cwd=root).returncode:
            git(root, "rm", "-q", "--", path)
    assert "app.tele.event_logger" in (root / "backend/app/api/chapters.py").read_text()
    if command == "remove":
        done = run("remove", "--root", str(root))
        assert done.exit_code == 0, done.stdout
        assert "event_logger" not in (root / "backend/app/api/chapters.py").read_text()
        assert not (root / "backend/app/tele").exists()
        return
    done = run("generate", "--root", str(root))
    assert done.exit_code == 0, done.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    fresh = original_sources(tmp_path / "fresh")
    shutil.copy2(root / "pyproject.toml", fresh / "pyproject.toml")
    assert run("generate", "--root", str(fresh)).exit_code == 0
    mine = {path: data for path, data in snapshot(root).items() if not path.startswith(".git/")}
    assert mine == snapshot(fresh)


@pytest.mark.parametrize("command", ["generate", "remove"])
def test_a_call_of_the_merged_branchs_layer_in_a_block_of_yours_is_the_handlers(
    tmp_path: Path, command: str
) -> None:
    # The other branch renamed the layer (tele) and its user put get_chapter's call, as
    # generate wrote it, into an `if` of theirs; merged, this side's plan (analytics) taken.
    # The call in the block was left alone: generate put a second one on top (each request
    # logged twice) and kept the tele layer for it ("still uses it") run after run; remove
    # kept the layer without naming the line.
    root = original_sources(tmp_path / "project")
    git(root, "init", "-q", "-b", "main")
    assert run("generate", "--root", str(root)).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "generate")
    chapters = root / "backend/app/api/chapters.py"
    for branch, key, value in (
        ("other", "layer-package", "tele"),
        ("main", "capture-errors", False),
    ):
        git(root, "checkout", "-q", *(["-b"] if branch == "other" else []), branch)
        plan = bundled_plan()
        plan[key] = value
        write_plan(root, plan)
        assert run("generate", "--root", str(root)).exit_code == 0
        if branch == "other":
            text = chapters.read_text()
            start = text.index("    event_logger.log(")
            end = text.index("    )\n", start) + len("    )\n")
            call = "".join(f"    {line}" for line in text[start:end].splitlines(keepends=True))
            chapters.write_text(text[:start] + "    if _CATALOGUE:\n" + call + text[end:])
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", branch)
    subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True)
    for path in git(root, "diff", "--name-only", "--diff-filter=U").split():
        if subprocess.run(["git", "checkout", "--ours", "--", path], cwd=root).returncode:
            git(root, "rm", "-q", "--", path)
    assert "    if _CATALOGUE:\n        event_logger.log(" in chapters.read_text()
    done = run(command, "--root", str(root))
    text = chapters.read_text()
    if command == "remove":
        assert done.exit_code == 1
        line = text.splitlines().index("        event_logger.log(") + 1
        assert (
            f"backend/app/api/chapters.py:{line}: the log call of route get_chapter "
            "(GET /api/chapters/{chapter_id}) is inside a block of yours" in done.stdout
        )
        return
    assert done.exit_code == 0, done.stdout
    assert text.count("event_logger.log(") == 1
    assert "    if _CATALOGUE:\n        event_logger.log(" in text
    assert "app.tele" not in text
    assert "from app.analytics.event_logger import event_logger" in text
    assert not (root / "backend/app/tele").exists()
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize("args", [("generate", "--check"), ("generate",), ("remove",)])
def test_a_run_reads_the_manifest_history_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    # Both the look for outputs another plan left and the patches' analysis read the manifest's
    # committed versions: three git processes each, once a run is enough (#12, `--check` time).
    root = original_sources(tmp_path / "project")
    git(root, "init", "-q")
    assert run("generate", "--root", str(root)).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "generated")
    logs: list[Path] = []
    read_log = vcs._manifest_log

    def counted(where: Path, manifest: str) -> str:
        logs.append(where)
        return read_log(where, manifest)

    monkeypatch.setattr(vcs, "_manifest_log", counted)
    assert run(*args, "--root", str(root)).exit_code == 0
    assert logs == [root]


@pytest.mark.parametrize("side", ["--theirs", "--ours"])
def test_an_app_module_conflicting_across_layer_names_is_patched_from_the_plan(
    tmp_path: Path, side: str
) -> None:
    # One branch renamed the layer, the other turned capture-errors off: the app's module
    # conflicted on the tool's lines alone (an import of the default layer's router against
    # none), and was refused. The default layer name, never written in a record, was not
    # among the layers whose code each side is read without.
    root = original_sources(tmp_path / "project")
    git(root, "init", "-q", "-b", "main")
    assert run("generate", "--root", str(root)).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "generate")
    merged = bundled_plan()
    for name, change in (
        ("other", {"layer-package": "telemetry"}),
        ("main", {"capture-errors": False}),
    ):
        git(root, "checkout", "-q", *(["-b", name] if name == "other" else [name]))
        plan = bundled_plan()
        plan.update(change)
        merged.update(change)
        write_plan(root, plan)
        done = run("generate", "--root", str(root))
        assert done.exit_code == 0, done.stdout + done.stderr
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", name)
    merge = subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True)
    assert merge.returncode != 0
    main = root / "backend/app/main.py"
    assert conflict_marker_line(main.read_bytes()) is not None
    write_plan(root, merged)
    git(root, "checkout", side, "--", MANIFEST)
    done = run("generate", "--root", str(root))
    assert done.exit_code == 0, done.stdout + done.stderr
    assert "the sides differed only by generate's code" in done.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    fresh = original_sources(tmp_path / "fresh")
    write_plan(fresh, merged)
    assert run("generate", "--root", str(fresh)).exit_code == 0
    assert main.read_bytes() == (fresh / "backend/app/main.py").read_bytes()
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 0, removed.stdout + removed.stderr
    assert (
        main.read_bytes()
        == (original_sources(tmp_path / "pristine") / "backend/app/main.py").read_bytes()
    )


SCHEMAS = '"""Schemas the routes share."""\n\nLIMIT = 10\n'
# One line of the user's changed on both sides: no run's code in it, nothing to resolve by.
PLAIN_CONFLICT = "<<<<<<< HEAD\nLIMIT = 20\n=======\nLIMIT = 30\n>>>>>>> other\n"


@pytest.mark.parametrize(
    "module",
    ["api/ai_blocks.py", "main.py", "api/schemas.py"],
    ids=["route-module", "app-module", "read-not-patched"],
)
@pytest.mark.parametrize("generated", [False, True], ids=["fresh", "generated"])
def test_a_module_with_a_plain_conflict_is_an_error_naming_its_line(
    tmp_path: Path, module: str, generated: bool
) -> None:
    # A module the tool reads but does not patch (here one only the package scan reads) was
    # skipped as unreadable: generate and --check were green over the unfinished merge.
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    write_files(root, {"backend/app/api/schemas.py": SCHEMAS})
    if generated:
        assert run("generate", "--root", str(root)).exit_code == 0
    path = f"backend/app/{module}"
    data = (root / path).read_bytes() + PLAIN_CONFLICT.encode()
    (root / path).write_bytes(data)
    line = data.count(b"\n") - 4
    said = (
        f"{path}:{line}: has unresolved merge conflict markers (lines {line}-{line + 4}); "
        "resolve the conflict at those lines"
    )
    for command in (("generate", "--check"), ("generate",), ("remove",)):
        done = run(*command, "--root", str(root))
        assert done.exit_code == 1, (command, done.stdout)
        assert [text for text in done.stdout.splitlines() if said in text], (command, done.stdout)
        assert (root / path).read_bytes() == data


USERS = '''"""Users."""

from fastapi import APIRouter

router = APIRouter(prefix="/users")


@router.get("/")
def users() -> list[str]:
    return []
'''
SYNTAX_ERROR = "def f(:\n    pass\n"


@pytest.mark.parametrize(
    ("module", "read_for"),
    [
        ("api/ai_blocks.py", ""),
        ("main.py", ""),
        # Included by the app: the routes it serves are not known.
        ("api/users.py", "; imported by the app"),
    ],
    ids=["route-module", "app-module", "read-not-patched"],
)
@pytest.mark.parametrize("generated", [False, True], ids=["fresh", "generated"])
def test_a_module_with_a_syntax_error_is_an_error_naming_its_line(
    tmp_path: Path, module: str, read_for: str, generated: bool
) -> None:
    # As a conflict (above): a module the app's routers come from that does not parse was
    # read as absent, and generate, --check and remove were green over it.
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    write_files(root, {"backend/app/api/users.py": USERS})
    include_in_main(root, "users")
    if generated:
        assert run("generate", "--root", str(root)).exit_code == 0
    path = f"backend/app/{module}"
    data = (root / path).read_bytes() + SYNTAX_ERROR.encode()
    (root / path).write_bytes(data)
    line = data.count(b"\n") - 1
    said = f"{path}:{line}:7: syntax error: invalid syntax{read_for}"
    for command in (("generate", "--check"), ("generate",), ("remove",)):
        done = run(*command, "--root", str(root))
        assert done.exit_code == 1, (command, done.stdout)
        assert [text for text in done.stdout.splitlines() if said in text], (command, done.stdout)
        assert (root / path).read_bytes() == data


def test_a_module_no_scan_parses_may_hold_a_syntax_error(tmp_path: Path) -> None:
    # A module naming no router, app or route (a helper the app never imports) is only listed:
    # what the run decides does not depend on it.
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    write_files(root, {"backend/app/api/helpers.py": "LIMIT = 10\n" + SYNTAX_ERROR})
    assert run("generate", "--root", str(root)).exit_code == 0
    done = run("generate", "--check", "--root", str(root))
    assert done.exit_code == 0, done.stdout
    assert "helpers.py" not in done.stdout


PY2_SCRIPT = 'import os\nHOME = os.environ.get("HOME")\nprint HOME\n'
JINJA_ROUTER = (
    "from fastapi import APIRouter\n"
    'router = APIRouter(prefix="{{ prefix }}")\n'
    "{% for r in routes %}\n"
    '@router.get("{{ r }}")\n'
    "def f(): pass\n"
    "{% endfor %}\n"
)


@pytest.mark.parametrize(
    ("path", "text", "line"),
    [
        ("backend/app/scripts/legacy_py2.py", PY2_SCRIPT, "3:1"),
        ("backend/app/scripts/legacy_py2.py", '# include_router, FastAPI\nprint "x"\n', "2:1"),
        ("backend/app/templates/router.py", JINJA_ROUTER, "3:2"),
        ("backend/app/vendor/oldlib/api.py", "from fastapi import FastAPI\nexec 'x'\n", "2:1"),
        ("backend/app/drafts/views.py", "from fastapi import APIRouter\ndef f(:\n", "2:7"),
    ],
    ids=["py2-dict-get", "py2-words-in-comment", "jinja-template", "vendored", "draft"],
)
def test_a_module_the_app_never_imports_may_not_parse(
    tmp_path: Path, path: str, text: str, line: str
) -> None:
    # Found only by a scan's text probe over the listing (`.get(`, `FastAPI` in a comment):
    # not a module of the app's as far as the run can tell, one note line, the run goes on.
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    write_files(root, {path: text})
    note = f"{path}:{line}: syntax error"
    for command in (("generate",), ("generate", "--check"), ("remove",)):
        done = run(*command, "--root", str(root))
        assert done.exit_code == 0, (command, done.stdout)
        # At most one line: a run none of whose scans probes the module says nothing.
        said = [shown for shown in done.stdout.splitlines() if note in shown]
        assert len(said) <= 1, (command, done.stdout)
        for shown in said:
            assert shown.strip().startswith(note), said
            assert shown.endswith("; not read: if it wires routes, fix it"), said
        assert (root / path).read_text() == text


@pytest.mark.parametrize(
    "importing",
    ["from app.api import broken\n", "from .api import broken\n", 'X = "app.api.broken:x"\n'],
    ids=["absolute", "relative", "import-string"],
)
def test_a_module_the_app_imports_that_does_not_parse_fails(tmp_path: Path, importing: str) -> None:
    # Imported by the app's module, however it is spelled: its routes are part of the app.
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    path = "backend/app/api/broken.py"
    write_files(root, {path: "from fastapi import APIRouter\nrouter = APIRouter()\ndef f(:\n"})
    main = root / "backend/app/main.py"
    main.write_text(importing + main.read_text())
    said = f"{path}:3:7: syntax error: invalid syntax; imported by the app"
    for command in (("generate", "--check"), ("generate",), ("remove",)):
        done = run(*command, "--root", str(root))
        assert done.exit_code == 1, (command, done.stdout)
        assert [text for text in done.stdout.splitlines() if said in text], (command, done.stdout)
    # The layer stays for it (its imports cannot be read), said as such: not "still uses".
    kept = f"kept: {path} does not parse, so whether it uses the layer is not known; fix that"
    assert kept in done.stdout, done.stdout
    assert "still uses" not in done.stdout, done.stdout


#: A package's `__init__.py` importing each module of its folder, by how it names them.
FOLDER_LISTINGS = {
    "own-name": (
        "import importlib\nimport pkgutil\n\nROUTERS = [\n"
        '    importlib.import_module(f"{__name__}.{m.name}").router\n'
        "    for m in pkgutil.iter_modules(__path__)\n]\n"
    ),
    "relative-name": (
        "import importlib\nimport pkgutil\n\nROUTERS = [\n"
        '    importlib.import_module(f".{m.name}", __package__).router\n'
        "    for m in pkgutil.iter_modules(__path__)\n]\n"
    ),
    # `pkgutil` listings given a prefix: their entries are whole module names.
    "walk-packages-with-its-own-name": (
        "import importlib\nimport pkgutil\n\nROUTERS = [\n"
        "    importlib.import_module(m.name).router\n"
        '    for m in pkgutil.walk_packages(__path__, __name__ + ".")\n]\n'
    ),
    "iter-modules-with-its-package-through-a-list": (
        "import importlib\nimport pkgutil\n\n"
        'NAMES = [m.name for m in pkgutil.iter_modules(__path__, f"{__package__}.")]\n'
        "ROUTERS = []\nfor route in NAMES:\n"
        "    ROUTERS.append(importlib.import_module(route).router)\n"
    ),
    "iter-modules-with-a-written-prefix": (
        "import importlib\nimport pkgutil\n\nROUTERS = []\n"
        'for info in pkgutil.iter_modules(__path__, prefix="app.routes."):\n'
        "    ROUTERS.append(importlib.import_module(info.name).router)\n"
    ),
    "joined-prefix": (
        "import importlib\nimport os\n\nROUTERS = [\n"
        '    importlib.import_module("app.routes." + f[:-3]).router\n'
        "    for f in os.listdir(os.path.dirname(__file__))\n"
        '    if f.endswith(".py") and f != "__init__.py"\n]\n'
    ),
}


@pytest.mark.parametrize("listing", sorted(FOLDER_LISTINGS))
def test_a_module_of_a_folder_the_app_imports_by_listing_that_does_not_parse_fails(
    tmp_path: Path, listing: str
) -> None:
    # `import_module(f"{__name__}.{m.name}")` over `pkgutil.iter_modules(__path__)` (or a
    # relative name, or `"app.routes." + name` over `os.listdir`): every module of the folder
    # is the app's. Before, the import walk did not see these names: a syntax error there was
    # only a note, and the run passed.
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    path = "backend/app/routes/broken.py"
    write_files(
        root,
        {
            "backend/app/routes/__init__.py": FOLDER_LISTINGS[listing],
            path: "from fastapi import APIRouter\nrouter = APIRouter()\ndef f(:\n",
        },
    )
    main = root / "backend/app/main.py"
    main.write_text(
        "from app.routes import ROUTERS\n"
        + main.read_text()
        + "\nfor router in ROUTERS:\n    app.include_router(router)\n"
    )
    said = f"{path}:3:7: syntax error: invalid syntax; imported by the app"
    for command in (("generate", "--check"), ("generate",)):
        done = run(*command, "--root", str(root))
        assert done.exit_code == 1, (command, done.stdout)
        assert [text for text in done.stdout.splitlines() if said in text], (command, done.stdout)


LISTING_HEAD = "import importlib\nimport pkgutil\n\nROUTERS = [\n"
LISTED_BY_NAME = '    importlib.import_module(f"{__name__}.{m.name}").router\n'
#: Modules of the routes folder the listing does not import (path, listing's loop, why): a
#: module the filter skips, a sub-folder's module (`iter_modules` lists the folder's own), a
#: module a filter the tool cannot read may skip (a note, as for any module not imported).
NOT_LISTED = {
    "filtered-by-its-underscore": (
        "backend/app/routes/_draft.py",
        '    for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")\n',
    ),
    "a-package-the-filter-skips": (
        "backend/app/routes/legacy/__init__.py",
        "    for m in pkgutil.iter_modules(__path__) if not m.ispkg\n",
    ),
    "a-sub-folder-s-module": (
        "backend/app/routes/templates/router_tpl.py",
        "    for m in pkgutil.iter_modules(__path__)\n",
    ),
    "a-filter-not-read": (
        "backend/app/routes/draft.py",
        "    for m in pkgutil.iter_modules(__path__) if enabled(m.name)\n",
    ),
    # `walk_packages` goes only into folders with an `__init__.py`: not a plain folder.
    "a-plain-folder-s-module-walk-packages-skips": (
        "backend/app/routes/scripts/old.py",
        "    for m in pkgutil.walk_packages(__path__)\n",
    ),
}


@pytest.mark.parametrize("way", sorted(NOT_LISTED))
def test_a_module_a_folder_listing_does_not_import_may_not_parse(tmp_path: Path, way: str) -> None:
    # `pkgutil.iter_modules(__path__)` gives the folder's own modules and packages, less those
    # a plain filter skips. Before, every module below the folder counted as the app's: a
    # broken draft the filter skips, or a template in a sub-folder, failed the run; so did
    # a script in a folder without `__init__.py` that `walk_packages` never enters.
    path, loop = NOT_LISTED[way]
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    listing = LISTING_HEAD + LISTED_BY_NAME + loop + "]\n"
    if "enabled(" in loop:
        listing = listing.replace("ROUTERS", "def enabled(name):\n    return True\n\n\nROUTERS")
    write_files(
        root,
        {
            "backend/app/routes/__init__.py": listing,
            "backend/app/routes/ok.py": "from fastapi import APIRouter\nrouter = APIRouter()\n",
            "backend/app/routes/templates/__init__.py": "",
            path: "from fastapi import APIRouter\nrouter = APIRouter()\ndef f(:\n",
        },
    )
    main = root / "backend/app/main.py"
    main.write_text(
        "from app.routes import ROUTERS\n"
        + main.read_text()
        + "\nfor router in ROUTERS:\n    app.include_router(router)\n"
    )
    for command in (("generate",), ("generate", "--check")):
        done = run(*command, "--root", str(root))
        assert done.exit_code == 0, (command, done.stdout)
        assert "imported by the app" not in done.stdout, (command, done.stdout)


#: A filter of a `for m in pkgutil.iter_modules(__path__)` loop before it imports
#: `f"{__name__}.{m.name}"`, and whether the broken `draft.py` is imported: only a test of the
#: listed name (`m.name`, or a name bound to it) filters its entries.
FILTERS_BY_WHAT_THEY_READ = {
    "a-value-made-of-the-name-is-not-the-name": (
        "    kind = 'router' if m.name.endswith('_routes') else 'other'\n"
        "    if kind == 'other':\n        continue\n",
        False,
    ),
    "a-lookup-by-the-name-is-not-the-name": (
        "    if ROLES.get(m.name) == 'skip':\n        continue\n",
        False,
    ),
    "another-name-s-prefix-is-not-the-name": (
        "    if not MODE.startswith('draft'):\n        continue\n",
        False,
    ),
    # A name bound to the entry's is read as it.
    "a-name-bound-to-the-entry-s-skips-it": (
        "    name = m.name\n    if name == 'draft':\n        continue\n",
        False,
    ),
    "a-name-bound-to-the-entry-s-keeps-it": (
        "    name = m.name\n    if name == 'other':\n        continue\n",
        True,
    ),
}


@pytest.mark.parametrize("way", sorted(FILTERS_BY_WHAT_THEY_READ))
def test_a_listing_filter_is_one_on_the_listed_name(tmp_path: Path, way: str) -> None:
    # Before, any `.startswith`/`==` in the loop was read as a test of the entry's name:
    # `kind == 'other'` (a value made of the name) or `ROLES.get(m.name) == 'skip'` was taken
    # to keep `draft.py` ("draft" is not "other"), which failed the run as imported by the
    # app when the app never imports it.
    loop, imported = FILTERS_BY_WHAT_THEY_READ[way]
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    listing = (
        "import importlib\nimport os\nimport pkgutil\n\n"
        "ROLES = {'draft': 'skip'}\nMODE = os.environ.get('ROUTES_MODE', '')\nROUTERS = []\n"
        "for m in pkgutil.iter_modules(__path__):\n"
        + loop
        + '    ROUTERS.append(importlib.import_module(f"{__name__}.{m.name}").router)\n'
    )
    write_files(
        root,
        {
            "backend/app/routes/__init__.py": listing,
            "backend/app/routes/ok_routes.py": (
                "from fastapi import APIRouter\nrouter = APIRouter()\n"
            ),
            "backend/app/routes/draft.py": (
                "from fastapi import APIRouter\nrouter = APIRouter()\ndef f(:\n"
            ),
        },
    )
    main = root / "backend/app/main.py"
    main.write_text(
        "from app.routes import ROUTERS\n"
        + main.read_text()
        + "\nfor router in ROUTERS:\n    app.include_router(router)\n"
    )
    done = run("generate", "--root", str(root))
    assert done.exit_code == (1 if imported else 0), done.stdout
    assert ("imported by the app" in done.stdout) is imported, done.stdout


#: A prefixed `pkgutil` listing (its loop) and the broken module: (path, whether imported).
PREFIXED_LISTINGS = {
    # `walk_packages` goes into sub-packages; `iter_modules` lists the folder's own.
    "walk-packages-reaches-a-sub-package": (
        'for m in pkgutil.walk_packages(__path__, __name__ + "."):\n',
        "backend/app/routes/v1/broken.py",
        True,
    ),
    "iter-modules-does-not": (
        'for m in pkgutil.iter_modules(__path__, __name__ + "."):\n',
        "backend/app/routes/v1/broken.py",
        False,
    ),
    # It imports each package it goes into itself, whatever the loop skips (unless an
    # `onerror` is given, which the failure goes to).
    "walk-packages-imports-a-package-the-loop-skips": (
        'for m in pkgutil.walk_packages(__path__, __name__ + "."):\n'
        "    if m.ispkg:\n        continue\n",
        "backend/app/routes/v1/__init__.py",
        True,
    ),
    "walk-packages-with-onerror-does-not-fail-on-it": (
        'for m in pkgutil.walk_packages(__path__, __name__ + ".", onerror=print):\n'
        "    if m.ispkg:\n        continue\n",
        "backend/app/routes/v1/__init__.py",
        False,
    ),
    # Only into folders with an `__init__.py`: not a plain folder, nor a package inside one.
    "walk-packages-skips-a-plain-folder": (
        'for m in pkgutil.walk_packages(__path__, __name__ + "."):\n',
        "backend/app/routes/scripts/broken.py",
        False,
    ),
    "walk-packages-skips-a-package-in-a-plain-folder": (
        'for m in pkgutil.walk_packages(__path__, __name__ + "."):\n',
        "backend/app/routes/scripts/tools/__init__.py",
        False,
    ),
    # The entry's name is whole (`app.routes._draft`): it never starts with "_".
    "a-filter-reads-the-whole-name": (
        'for m in pkgutil.iter_modules(__path__, __name__ + "."):\n'
        '    if m.name.startswith("_"):\n        continue\n',
        "backend/app/routes/_draft.py",
        True,
    ),
    "a-filter-on-the-whole-name-skips-it": (
        'for m in pkgutil.iter_modules(__path__, __name__ + "."):\n'
        '    if m.name.endswith("._draft"):\n        continue\n',
        "backend/app/routes/_draft.py",
        False,
    ),
    # A prefix held by a name the module binds once, to a value made of its own name.
    "a-prefix-held-by-a-name": (
        'PREFIX = __name__ + "."\nfor m in pkgutil.walk_packages(__path__, PREFIX):\n',
        "backend/app/routes/v1/broken.py",
        True,
    ),
    "a-prefix-made-of-a-name": (
        'package = __name__\nprefix = package + "."\n'
        "for m in pkgutil.walk_packages(__path__, prefix):\n",
        "backend/app/routes/v1/broken.py",
        True,
    ),
    "a-prefix-f-string-held-by-a-name-given-by-keyword": (
        'prefix = f"{__name__}."\nfor m in pkgutil.iter_modules(__path__, prefix=prefix):\n',
        "backend/app/routes/broken.py",
        True,
    ),
    "a-prefix-bound-in-the-function-that-lists": (
        "def load():\n    package = __name__\n"
        '    for m in pkgutil.walk_packages(__path__, f"{package}."):\n'
        "        ROUTERS.append(importlib.import_module(m.name).router)\n\n\nload()\n"
        "for m in []:\n",
        "backend/app/routes/v1/broken.py",
        True,
    ),
    # A name bound twice (or a parameter) may hold anything: its listing is not read.
    "a-prefix-bound-twice-is-not-read": (
        'prefix = __name__ + "."\nif not __debug__:\n    prefix = "app.other."\n'
        "for m in pkgutil.walk_packages(__path__, prefix):\n",
        "backend/app/routes/v1/broken.py",
        False,
    ),
}


@pytest.mark.parametrize("way", sorted(PREFIXED_LISTINGS))
def test_a_prefixed_pkgutil_listing_imports_what_it_names(tmp_path: Path, way: str) -> None:
    # `for m in pkgutil.walk_packages(__path__, __name__ + "."): import_module(m.name)` was no
    # listing to the import walk: a broken module it imports was only a note, the run passed
    # and the app failed to start. `walk_packages` recurses (into packages only: a broken
    # script in a folder without `__init__.py` failed the run), `iter_modules` does not, and a
    # filter reads the entry's whole name.
    # A prefix held by a name bound once (`prefix = __name__ + "."`) was not read either.
    loop, path, imported = PREFIXED_LISTINGS[way]
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    listing = (
        "import importlib\nimport pkgutil\n\nROUTERS = []\n"
        + loop
        + "    module = importlib.import_module(m.name)\n"
        + '    if hasattr(module, "router"):\n        ROUTERS.append(module.router)\n'
    )
    write_files(
        root,
        {
            "backend/app/routes/__init__.py": listing,
            "backend/app/routes/ok.py": "from fastapi import APIRouter\nrouter = APIRouter()\n",
            "backend/app/routes/v1/__init__.py": "",
            path: "from fastapi import APIRouter\nrouter = APIRouter()\ndef f(:\n",
        },
    )
    main = root / "backend/app/main.py"
    main.write_text(
        "from app.routes import ROUTERS\n"
        + main.read_text()
        + "\nfor router in ROUTERS:\n    app.include_router(router)\n"
    )
    done = run("generate", "--root", str(root))
    assert done.exit_code == (1 if imported else 0), done.stdout
    assert ("imported by the app" in done.stdout) is imported, done.stdout


#: Text of the listing module besides its `iter_modules` loop that names no listing of it.
NOT_A_DEEP_LISTING = {
    "a-kwargs-parameter": "def options(**kwargs):\n    return kwargs\n",
    "a-power": "LIMIT = 2 ** 10\n",
    "a-comment": "# pkgutil.walk_packages(__path__) would reach templates/ too: not wanted\n",
    "a-walk-elsewhere": (
        "import os\n\n\ndef assets():\n"
        "    return [name for _, _, names in os.walk('static') for name in names]\n"
    ),
}


@pytest.mark.parametrize("way", sorted(NOT_A_DEEP_LISTING))
def test_a_listing_of_the_folder_s_own_modules_is_read_from_its_own_call(
    tmp_path: Path, way: str
) -> None:
    # Whether a listing walks sub-folders was searched in the whole module's text: `**kwargs`,
    # `2 ** n`, a comment or another loop's `os.walk` made `iter_modules(__path__)` reach the
    # sub-folder's template, whose syntax error failed the run (0.31.0 passed it).
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    loop = "    for m in pkgutil.iter_modules(__path__)\n"
    listing = LISTING_HEAD.replace("ROUTERS", NOT_A_DEEP_LISTING[way] + "\n\nROUTERS")
    write_files(
        root,
        {
            "backend/app/routes/__init__.py": listing + LISTED_BY_NAME + loop + "]\n",
            "backend/app/routes/ok.py": "from fastapi import APIRouter\nrouter = APIRouter()\n",
            "backend/app/routes/templates/__init__.py": "",
            "backend/app/routes/templates/router_tpl.py": "router = APIRouter(\ndef f(:\n",
        },
    )
    main = root / "backend/app/main.py"
    main.write_text(
        "from app.routes import ROUTERS\n"
        + main.read_text()
        + "\nfor router in ROUTERS:\n    app.include_router(router)\n"
    )
    done = run("generate", "--root", str(root))
    assert done.exit_code == 0, done.stdout
    assert "imported by the app" not in done.stdout, done.stdout
    # The same module whose loop walks sub-folders does import the template.
    listing = (listing + LISTED_BY_NAME + loop + "]\n").replace(
        "pkgutil.iter_modules(__path__)", 'pkgutil.walk_packages(__path__, "")'
    )
    (root / "backend/app/routes/__init__.py").write_text(listing)
    done = run("generate", "--root", str(root))
    assert done.exit_code == 1, done.stdout
    assert "router_tpl.py" in done.stdout and "imported by the app" in done.stdout, done.stdout


#: A `for` loop over `iter_modules` with a filter read through the loop's unpacked `ispkg` or
#: a module constant: (the filter, the broken module, whether the loop imports it).
UNPACKED_FILTERS = {
    "ispkg-skips-a-package": (
        "    if ispkg:\n        continue\n",
        "backend/app/routes/legacy/__init__.py",
        False,
    ),
    "ispkg-keeps-a-module": (
        "    if ispkg:\n        continue\n",
        "backend/app/routes/users.py",
        True,
    ),
    "a-constant-skips-a-module": (
        "    if name in SKIP:\n        continue\n",
        "backend/app/routes/_draft.py",
        False,
    ),
    "a-constant-keeps-a-module": (
        "    if name in SKIP:\n        continue\n",
        "backend/app/routes/users.py",
        True,
    ),
    # `SKIP.append("users")` before the loop: the list is not the one written.
    "a-changed-constant-is-not-read": (
        "    if name in SKIP:\n        continue\n",
        "backend/app/routes/users.py",
        False,
    ),
}


@pytest.mark.parametrize("way", sorted(UNPACKED_FILTERS))
def test_a_listing_filter_on_the_unpacked_ispkg_or_a_constant_is_read(
    tmp_path: Path, way: str
) -> None:
    # `for _, name, ispkg in pkgutil.iter_modules(__path__): if ispkg: continue` and
    # `if name in SKIP: continue` (SKIP a module constant) were filters the tool could not
    # read: a broken module the loop imports was only a note, and the app failed to start.
    test, path, imported = UNPACKED_FILTERS[way]
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    listing = (
        'import importlib\nimport pkgutil\n\nSKIP = ["_draft"]\nROUTERS = []\n'
        "for _, name, ispkg in pkgutil.iter_modules(__path__):\n"
        + test
        + '    ROUTERS.append(importlib.import_module(f"{__name__}.{name}").router)\n'
    )
    if way == "a-changed-constant-is-not-read":
        listing = listing.replace("ROUTERS = []\n", 'ROUTERS = []\nSKIP.append("users")\n')
    write_files(
        root,
        {
            "backend/app/routes/__init__.py": listing,
            "backend/app/routes/ok.py": "from fastapi import APIRouter\nrouter = APIRouter()\n",
            path: "from fastapi import APIRouter\nrouter = APIRouter()\ndef f(:\n",
        },
    )
    main = root / "backend/app/main.py"
    main.write_text(
        "from app.routes import ROUTERS\n"
        + main.read_text()
        + "\nfor router in ROUTERS:\n    app.include_router(router)\n"
    )
    done = run("generate", "--root", str(root))
    assert done.exit_code == (1 if imported else 0), done.stdout
    assert ("imported by the app" in done.stdout) is imported, done.stdout


IMPORTED_SKIP = (
    "import importlib\nimport pkgutil\n\n{imported}\n\nROUTERS = []\n"
    "for _, name, ispkg in pkgutil.iter_modules(__path__):\n"
    "    if name in SKIP:\n        continue\n"
    '    ROUTERS.append(importlib.import_module(f"{{__name__}}.{{name}}").router)\n'
)
FILTERED_NAMES = (
    "import importlib\nimport pkgutil\n\n"
    'NAMES = [m for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]\n'
    "ROUTERS = []\nfor m in NAMES:\n"
    '    ROUTERS.append(importlib.import_module(f"{__name__}.{m.name}").router)\n'
)
#: A listing whose filter is a constant another module defines, or a comprehension's `if`
#: before the loop importing: (the listing, the broken module, whether the loop imports it).
FILTERS_ELSEWHERE = {
    "an-imported-constant-skips-a-module": (
        IMPORTED_SKIP.format(imported="from app.listing import SKIP"),
        "backend/app/routes/_draft.py",
        False,
    ),
    "an-imported-constant-keeps-a-module": (
        IMPORTED_SKIP.format(imported="from app.listing import SKIP"),
        "backend/app/routes/users.py",
        True,
    ),
    "a-relatively-imported-constant-keeps-a-module": (
        IMPORTED_SKIP.format(imported="from ..listing import SKIP as SKIP"),
        "backend/app/routes/users.py",
        True,
    ),
    "a-comprehension-s-filter-skips-a-module": (
        FILTERED_NAMES,
        "backend/app/routes/_draft.py",
        False,
    ),
    "a-comprehension-s-filter-keeps-a-module": (
        FILTERED_NAMES,
        "backend/app/routes/users.py",
        True,
    ),
    # The name bound again, or grown, after the comprehension: its filter is not the loop's.
    "a-comprehension-bound-again": (
        FILTERED_NAMES.replace(
            "ROUTERS = []\n", "NAMES = list(pkgutil.iter_modules(__path__))\nROUTERS = []\n"
        ),
        "backend/app/routes/_draft.py",
        True,
    ),
    "a-comprehension-grown-by-plus-equals": (
        FILTERED_NAMES.replace(
            "ROUTERS = []\n",
            'NAMES += [m for m in pkgutil.iter_modules(__path__) if m.name == "_draft"]\n'
            "ROUTERS = []\n",
        ),
        "backend/app/routes/_draft.py",
        True,
    ),
    "a-comprehension-grown-by-extend": (
        FILTERED_NAMES.replace(
            "ROUTERS = []\n", "NAMES.extend(pkgutil.iter_modules(__path__))\nROUTERS = []\n"
        ),
        "backend/app/routes/_draft.py",
        True,
    ),
}


@pytest.mark.parametrize("way", sorted(FILTERS_ELSEWHERE))
def test_a_listing_filter_read_from_another_module_or_a_comprehension(
    tmp_path: Path, way: str
) -> None:
    # `from app.listing import SKIP` then `if name in SKIP: continue` was a filter the tool
    # could not read (the module it keeps was only a note, and the app failed to start);
    # `NAMES = [m for m in iter_modules(__path__) if not m.name.startswith("_")]` then a loop
    # importing `NAMES` was read as no filter at all (a broken draft it skips failed the run).
    # Bound again or grown after (`NAMES += [...]`, `NAMES.extend(...)`), the comprehension's
    # filter is not read: the draft it skipped is imported, and the app fails to start.
    listing, path, imported = FILTERS_ELSEWHERE[way]
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    write_files(
        root,
        {
            "backend/app/listing.py": 'SKIP = ("_draft", "base")\n',
            "backend/app/routes/__init__.py": listing,
            "backend/app/routes/ok.py": "from fastapi import APIRouter\nrouter = APIRouter()\n",
            path: "from fastapi import APIRouter\nrouter = APIRouter()\ndef f(:\n",
        },
    )
    main = root / "backend/app/main.py"
    main.write_text(
        "from app.routes import ROUTERS\n"
        + main.read_text()
        + "\nfor router in ROUTERS:\n    app.include_router(router)\n"
    )
    done = run("generate", "--root", str(root))
    assert done.exit_code == (1 if imported else 0), done.stdout
    assert ("imported by the app" in done.stdout) is imported, done.stdout


def test_a_filter_a_listing_keeps_a_module_by_leaves_it_the_app_s(tmp_path: Path) -> None:
    # The plain filter is read both ways: the module it keeps is still imported by the app.
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    loop = '    for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")\n'
    path = "backend/app/routes/broken.py"
    write_files(
        root,
        {
            "backend/app/routes/__init__.py": LISTING_HEAD + LISTED_BY_NAME + loop + "]\n",
            path: "from fastapi import APIRouter\nrouter = APIRouter()\ndef f(:\n",
        },
    )
    main = root / "backend/app/main.py"
    main.write_text(
        "from app.routes import ROUTERS\n"
        + main.read_text()
        + "\nfor router in ROUTERS:\n    app.include_router(router)\n"
    )
    done = run("generate", "--root", str(root))
    assert done.exit_code == 1, done.stdout
    assert f"{path}:3:7: syntax error: invalid syntax; imported by the app" in done.stdout


#: A string like a folder listing that no import call is given, in the app's own module.
NOT_A_LISTING = {
    "a-suffix-f-string": 'def out(p, fmt):\n    return p.with_suffix(f".{fmt}")\n',
    "a-bound-f-string": 'EXT = "json"\nNAME = f".{EXT}"\n',
    "in-a-comment": '# importlib.import_module(f".{name}", __package__)\nimport importlib\n',
    "in-a-docstring": '"""Load with importlib.import_module(f".{name}", __package__)."""\n',
}


@pytest.mark.parametrize("way", sorted(NOT_A_LISTING))
def test_an_f_string_not_given_to_import_module_lists_no_folder(tmp_path: Path, way: str) -> None:
    # `p.with_suffix(f".{fmt}")` in main.py (package `app`) was read as a relative module name:
    # every module of the app counted as imported by it, and a Python 2 script the app never
    # imports failed the run. Only a string given to import_module/__import__ lists a folder.
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    path = "backend/app/scripts/py2_tool.py"
    write_files(root, {path: PY2_SCRIPT})
    main = root / "backend/app/main.py"
    text = main.read_text()
    main.write_text(
        NOT_A_LISTING[way] + text if way == "in-a-docstring" else text + "\n" + NOT_A_LISTING[way]
    )
    for command in (("generate",), ("generate", "--check")):
        done = run(*command, "--root", str(root))
        assert done.exit_code == 0, (command, done.stdout)
        assert "imported by the app" not in done.stdout, (command, done.stdout)


def test_a_module_a_module_importing_the_app_imports_that_does_not_parse_fails(
    tmp_path: Path,
) -> None:
    # The app built in one module, its routers included by another that imports it: the
    # routers that one imports are the app's too.
    root = make_project(
        tmp_path / "project",
        'app = "app.core.app:app"\ninstrument = { "api/ai_blocks.py" = "ai_block_used" }',
    )
    (root / "backend/app/main.py").unlink()
    path = "backend/app/api/broken.py"
    write_files(
        root,
        {
            "backend/app/core/__init__.py": "",
            "backend/app/core/app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            path: "from fastapi import APIRouter\nrouter = APIRouter()\ndef f(:\n",
            "backend/app/routes.py": (
                "from app.api import ai_blocks, broken\nfrom app.core.app import app\n\n"
                "app.include_router(ai_blocks.router)\napp.include_router(broken.router)\n"
            ),
        },
    )
    done = run("generate", "--root", str(root))
    assert done.exit_code == 1, done.stdout
    assert f"{path}:3:7: syntax error: invalid syntax; imported by the app" in done.stdout
