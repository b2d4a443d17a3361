"""What ``telemetry_cli.vcs`` asks git, whatever the repository's own configuration says."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from telemetry_cli import vcs
from telemetry_cli.manifest import MANIFEST_PATH as MANIFEST
from telemetry_cli.vcs import recorded_in_history, tracked_files
from tests.cli_support import git

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
    assert sorted(recorded_in_history(root, MANIFEST)) == [
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
    assert recorded_in_history(root, MANIFEST) == ["docs/spec.md"]
    monkeypatch.setattr(vcs, "_HISTORY_COMMITS", 4)
    assert recorded_in_history(root, MANIFEST) == []
