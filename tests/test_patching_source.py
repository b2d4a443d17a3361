"""Line edits: applied in one pass, their diff equal to difflib's, line endings kept."""

from __future__ import annotations

import difflib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telemetry_cli.patching import source
from telemetry_cli.patching.source import Deletion, Insertion, SourceLines

LINE = st.sampled_from(["x = 1", "    return x", "", "# note", ")", "def f():", "\tpass"])
# What the patcher inserts never ends with an empty line (an empty last line appended to a file
# without a final line break could not be told from a line break).
NEW_LINES = st.lists(LINE, min_size=1, max_size=3).filter(lambda lines: lines[-1] != "")


@st.composite
def edited_sources(draw: st.DrawFn) -> tuple[str, list[Insertion], list[Deletion]]:
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = draw(st.lists(LINE, max_size=30))
    text = newline.join(lines)
    if lines and draw(st.booleans()):
        text += newline
    count = len(SourceLines(text))
    insertions = [
        Insertion(draw(st.integers(1, count + 1)), tuple(draw(NEW_LINES)))
        for _ in range(draw(st.integers(0, 4)))
    ]
    deletions = []
    if count and draw(st.booleans()):
        first = draw(st.integers(1, count))
        deletions.append(Deletion(first, draw(st.integers(first, count))))
    return text, insertions, deletions


def _apply_unified_diff(before: str, diff: str) -> str:
    """What `patch` would make of ``before`` with ``diff`` (strict: context must match)."""
    old = SourceLines(before)
    # The last line of a file without a final line break carries a marker: cut it off.
    old_lines = [old.full_line(number).split("\n\\ ")[0] for number in range(1, len(old) + 1)]
    entries: list[tuple[str, str]] = []
    for line in diff.splitlines(keepends=True)[2:]:
        if line.startswith("\\ "):
            tag, text = entries[-1]
            entries[-1] = (tag, text[:-1])
        else:
            entries.append((line[0], line[1:]))
    out: list[str] = []
    position = 0
    for tag, text in entries:
        if tag == "@":
            old_range = text.split()[1][1:].split(",")  # "@@ -3,2 +3,4 @@" -> ["3", "2"]
            start = int(old_range[0])
            if len(old_range) == 2 and old_range[1] == "0":
                start += 1  # an empty old range names the line before
            out.extend(old_lines[position : start - 1])
            position = start - 1
        elif tag == " ":
            assert old_lines[position] == text
            out.append(text)
            position += 1
        elif tag == "-":
            assert old_lines[position] == text
            position += 1
        else:
            out.append(text)
    out.extend(old_lines[position:])
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(edited_sources())
def test_diff_of_edits_applies_to_give_the_new_text(
    case: tuple[str, list[Insertion], list[Deletion]],
) -> None:
    text, insertions, deletions = case
    source = SourceLines(text)
    after = source.apply(insertions, deletions)
    diff = source.unified_diff(insertions, deletions, "a/f.py", "b/f.py")
    assert (diff == "") == (after == text)
    if diff:
        assert diff.startswith("--- a/f.py\n+++ b/f.py\n@@ -")
        assert _apply_unified_diff(text, diff) == after


def test_diff_of_edits_is_difflibs_when_unambiguous() -> None:
    before = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"
    insertions = [Insertion(2, ("new 1",)), Insertion(11, ("new 2", "new 3"))]
    source = SourceLines(before)
    after = source.apply(insertions)
    expected = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), "a/f.py", "b/f.py"
        )
    )
    assert source.unified_diff(insertions, [], "a/f.py", "b/f.py") == expected


@settings(max_examples=200, deadline=None)
@given(edited_sources())
def test_insertions_only_add_lines_and_keep_the_newline(
    case: tuple[str, list[Insertion], list[Deletion]],
) -> None:
    text, insertions, _ = case
    source = SourceLines(text)
    after = source.apply(insertions)
    added = sum(len(insertion.lines) for insertion in insertions)
    assert len(SourceLines(after)) == len(source) + added
    if insertions:
        assert source.newline in after
        # No line ending other than the file's own appears.
        assert set(_endings(after)) <= set(_endings(text)) | {source.newline}


def _endings(text: str) -> list[str]:
    return re.findall(r"\r\n|\r|\n", text)


def test_lines_are_split_where_python_splits_them() -> None:
    # Form feeds and Unicode line separators are inside a line for Python's tokenizer.
    source = SourceLines("a = 1\x0c\nb = '\u2028'\r\nc = 2")
    assert len(source) == 3
    assert source.line(2) == "b = '\u2028'"
    assert source.newline == "\n"


def test_appending_to_a_file_without_a_final_newline_keeps_it_without() -> None:
    source = SourceLines("x = 1")
    assert source.apply([Insertion(2, ("y = 2",))]) == "x = 1\ny = 2"
    assert source.unified_diff([Insertion(2, ("y = 2",))], [], "a", "b") == (
        "--- a\n+++ b\n@@ -1 +1,2 @@\n-x = 1\n\\ No newline at end of file\n+x = 1\n"
        "+y = 2\n\\ No newline at end of file\n"
    )


ENDING = st.sampled_from(["\n", "\r\n", "\r"])
# Inserted lines in the middle may be empty (a blank line between an import and the code).
SOME_LINES = st.lists(st.sampled_from(["x = 1", "", "# note"]), min_size=1, max_size=3).filter(
    lambda lines: lines[-1] != ""
)


@st.composite
def mixed_sources(draw: st.DrawFn) -> tuple[str, list[Insertion]]:
    """A text whose every line has its own ending (empty lines among them), and insertions."""
    lines = draw(st.lists(st.sampled_from(["x = 1", "", "    y"]), max_size=12))
    text = "".join(line + draw(ENDING) for line in lines)
    count = len(SourceLines(text))
    insertions = [
        Insertion(draw(st.integers(1, count + 1)), tuple(draw(SOME_LINES)))
        for _ in range(draw(st.integers(1, 3)))
    ]
    return text, insertions


@settings(max_examples=400, deadline=None)
@given(mixed_sources())
def test_inserted_lines_never_fuse_with_their_neighbours_line_endings(
    case: tuple[str, list[Insertion]],
) -> None:
    """An inserted line after a lone CR, or before an empty LF line, stays a line of its own
    (CR then LF would be one CRLF break), and taking the inserted lines out gives the text back
    byte for byte, as `remove` does."""
    text, insertions = case
    source = SourceLines(text)
    after = source.apply(insertions)
    added = sum(len(insertion.lines) for insertion in insertions)
    assert len(SourceLines(after)) == len(source) + added
    new_numbers: list[int] = []
    shift = 0
    for number in range(1, len(source) + 2):
        # The lines inserted before a line come together, whatever their order.
        here = sum(len(item.lines) for item in insertions if item.before == number)
        new_numbers.extend(range(number + shift, number + shift + here))
        shift += here
    deletions = [Deletion(number, number) for number in new_numbers]
    assert SourceLines(after).apply([], deletions) == text


def test_new_lines_take_the_ending_most_lines_have() -> None:
    """A stray CR in a module docstring of an LF file does not make every inserted line CR."""
    assert SourceLines('"""A\rdocstring."""\nimport os\n\nx = 1\n').newline == "\n"
    assert SourceLines("a = 1\nb = 2\r\nc = 3\r\n").newline == "\r\n"
    assert SourceLines("a = 1\r\nb = 2\n").newline == "\r\n"  # as common: the first


def test_the_skip_pragma_is_searched_only_in_a_text_holding_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Asked for the `def` and decorator lines of each handler: a module without the words
    # (most) answers without a search of each line, one with them as before.
    searched: list[str] = []
    pattern = source._PRAGMA

    class Counted:
        def search(self, line: str) -> re.Match[str] | None:
            searched.append(line)
            return pattern.search(line)

    monkeypatch.setattr(source, "_PRAGMA", Counted())
    plain = SourceLines("@router.get('/')\ndef f():\n    pass  # telemetry: skip\n" * 50)
    assert not any(plain.has_pragma(line, line + 1) for line in range(1, 150, 3))
    assert searched == []
    marked = "@router.get('/')  # telemetry-scaffold: skip\ndef f():\n    pass\n"
    lines = SourceLines("x = 1\n" + marked)
    assert lines.has_pragma(2, 2)
    assert not lines.has_pragma(3, 4)
    assert searched
    # Spelled otherwise, or in another case, it is no pragma either way.
    assert not SourceLines("# Telemetry-Scaffold: skip\n").has_pragma(1, 1)
    assert not SourceLines("# telemetry-scaffold skip\n").has_pragma(1, 1)
