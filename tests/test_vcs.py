"""What the tool asks git: it never runs the user's diff drivers, and it copes without git."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from telemetry_cli.vcs import recorded_in_history, tracked_files

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

_DIGEST = "sha256:" + "0" * 64


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def _two_manifests(root: Path) -> None:
    """A work tree whose manifest recorded ``old/spec.md`` and then ``new/spec.md``."""
    _git(root, "init", "-q")
    for folder in ("old", "new"):
        (root / ".telemetry-scaffold.json").write_text(
            f'{{\n  "files": {{\n    "{folder}/spec.md": "{_DIGEST}"\n  }}\n}}\n'
        )
        _git(root, "add", "-A")
        _git(root, "commit", "-qm", folder)


def test_the_manifests_history_names_every_file_it_recorded(tmp_path: Path) -> None:
    _two_manifests(tmp_path)
    assert set(recorded_in_history(tmp_path, ".telemetry-scaffold.json")) == {
        "new/spec.md",
        "old/spec.md",
    }
    assert tracked_files(tmp_path) == [".telemetry-scaffold.json"]


def test_reading_the_history_runs_no_diff_driver_of_the_user(tmp_path: Path) -> None:
    # A textconv or external diff driver is a command of the user's configuration: reading the
    # manifest's history must neither start it (a slow or side-effecting tool) nor read its output.
    _two_manifests(tmp_path)
    ran = tmp_path / "driver-ran"
    (tmp_path / ".gitattributes").write_text("*.json diff=shown\n")
    _git(tmp_path, "config", "diff.shown.textconv", f"sh -c 'touch {ran}; cat \"$0\"'")
    _git(tmp_path, "config", "diff.external", f"sh -c 'touch {ran}'")
    assert set(recorded_in_history(tmp_path, ".telemetry-scaffold.json")) == {
        "new/spec.md",
        "old/spec.md",
    }
    assert not ran.exists()


def test_without_a_work_tree_git_is_not_asked(tmp_path: Path) -> None:
    assert recorded_in_history(tmp_path, ".telemetry-scaffold.json") == []
    assert tracked_files(tmp_path) == []
