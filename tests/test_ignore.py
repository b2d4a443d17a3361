"""The ``.gitignore`` rules init reads to pass over folders that are not the user's code."""

from __future__ import annotations

from pathlib import Path

import pytest

from telemetry_cli.ignore import MAX_IGNORE_BYTES, GitIgnore
from tests.timing_support import cpu_seconds


@pytest.mark.parametrize(
    ("pattern", "path", "folder", "ignored"),
    [
        ("venv/", "venv", True, True),
        ("venv/", "venv", False, False),  # folders only
        ("venv/", "a/b/venv", True, True),  # at any depth without a slash in the middle
        ("/venv", "a/venv", True, False),  # anchored
        ("/venv", "venv", True, True),
        ("a/venv", "a/venv", True, True),
        ("a/venv", "b/a/venv", True, False),  # a slash in the middle anchors too
        ("*.py", "x/gen.py", False, True),
        ("gen_*.py", "gen_client.py", False, True),
        ("gen_?.py", "gen_ab.py", False, False),
        ("**/build", "x/y/build", True, True),
        ("docs/**", "docs/a/b", True, True),
        ("a/**/b", "a/x/y/b", True, True),
        ("a/**/b", "a/b", True, True),
        ("[Ee]nv", "Env", True, True),
        ("[!E]nv", "Env", True, False),
        ("\\#notes", "#notes", False, True),
        ("*", "a/b", True, True),
        ("x*", "a/xb", True, True),
        ("x*", "xa/b", True, True),  # inside an ignored folder
    ],
)
def test_a_pattern_matches_as_git_matches_it(
    tmp_path: Path, pattern: str, path: str, folder: bool, ignored: bool
) -> None:
    (tmp_path / ".gitignore").write_text(pattern + "\n")
    rules = GitIgnore(tmp_path)
    rules.read(tmp_path)
    assert rules.ignored(tmp_path / path, folder=folder) is ignored


def test_blank_lines_and_comments_ignore_nothing(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("\n   \n# a comment\n")
    rules = GitIgnore(tmp_path)
    rules.read(tmp_path)
    assert not rules.ignored(tmp_path / "a comment", folder=True)
    assert not rules.ignored(tmp_path / "x.py", folder=False)


def test_the_last_matching_rule_wins_and_crlf_files_read_alike(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_bytes(b"build*\r\n!build_tools\r\n")
    rules = GitIgnore(tmp_path)
    rules.read(tmp_path)
    assert rules.ignored(tmp_path / "build_out", folder=True)
    assert not rules.ignored(tmp_path / "build_tools", folder=True)


def test_a_nested_file_applies_to_its_folder_only(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub/.gitignore").write_text("/local\n")
    rules = GitIgnore(tmp_path)
    rules.read(tmp_path)  # no .gitignore: nothing
    rules.read(tmp_path / "sub")
    assert rules.ignored(tmp_path / "sub/local", folder=True)
    assert not rules.ignored(tmp_path / "local", folder=True)
    assert not rules.ignored(tmp_path / "other/local", folder=True)


def test_a_pattern_repeated_counts_where_it_last_appears(tmp_path: Path) -> None:
    # Each line is compiled once; the last pattern matching a path still decides.
    (tmp_path / ".gitignore").write_text("build\n!build\nbuild\nlogs\n!logs\n" * 3)
    rules = GitIgnore(tmp_path)
    rules.read(tmp_path)
    assert rules.ignored(tmp_path / "build", folder=True)
    assert not rules.ignored(tmp_path / "logs", folder=True)


def test_a_gitignore_larger_than_any_real_one_is_read_up_to_the_limit(tmp_path: Path) -> None:
    # 9 MB of patterns held init for 40 s to 80 s (each compiled, every walk reading the file):
    # the head is read, in whole lines, and what lies past it is not applied.
    head = "venv/\n" + "".join(f"dir{index}/\n" for index in range(MAX_IGNORE_BYTES // 8))
    (tmp_path / ".gitignore").write_text(head + "".join(f"late{i}/\n" for i in range(100_000)))
    rules = GitIgnore(tmp_path)
    _, seconds = cpu_seconds(lambda: rules.read(tmp_path))
    assert rules.ignored(tmp_path / "venv", folder=True)
    assert not rules.ignored(tmp_path / "late99999", folder=True)
    assert seconds < 1
