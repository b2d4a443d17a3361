"""Line edits: applied in one pass, their diff equal to difflib's, line endings kept."""

from __future__ import annotations

import difflib
import re

from hypothesis import given, settings
from hypothesis import strategies as st

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
