"""A user's module as lines, and the line edits the patcher makes to it.

Every edit inserts or deletes whole lines at line numbers taken from :mod:`ast`, so a patched
file differs from the original by exactly those lines: comments, formatting, line endings and
the bytes of every other line stay as they were. Lines are split where Python's tokenizer
splits them (CR LF, CR, LF), so that ``ast`` line numbers index them exactly (form
feeds and Unicode line separators inside a line do not start a new one).
"""

import bisect
import itertools
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from telemetry_cli.manifest import Stub

# Patterns kept as source text (here and below) are compiled on first use, and cached, by
# `re`: an up-to-date `generate --check` never uses them (compiling at import cost every run).
_LINE_BREAK = r"\r\n|\r|\n"
_LEADING_SPACE = re.compile(r"[ \t\f]*")
_PRAGMA = re.compile(r"#\s*telemetry-scaffold:\s*skip\b")


class Insertion(NamedTuple):
    """New lines (without line endings) to put before line ``before`` (1-based; len+1 = at the end).

    Insertions at the same place are written in ``order``.
    """

    before: int
    lines: tuple[str, ...]
    order: tuple[object, ...] = ()


class Deletion(NamedTuple):
    """Lines ``first`` to ``last`` (1-based, inclusive) to take out."""

    first: int
    last: int


class SourceLines:
    """The lines of a module's text, each with its own line ending."""

    def __init__(self, text: str) -> None:
        """Split ``text`` into lines the way Python's tokenizer counts them."""
        self.text = text
        lines: list[str] = []
        endings: list[str] = []
        if "\r" not in text:
            # Every break is LF: str.split does in C what the loop below does in Python (a
            # fifth of the time on a 38,000-line module).
            lines = text.split("\n")
            endings = ["\n"] * len(lines)
            if lines[-1]:
                endings[-1] = ""
            else:
                lines.pop()
                endings.pop()
        else:
            start = 0
            for match in re.finditer(_LINE_BREAK, text):
                lines.append(text[start : match.start()])
                endings.append(match.group())
                start = match.end()
            if start < len(text):
                lines.append(text[start:])
                endings.append("")
        self._lines = lines
        self._endings = endings
        self._starts: list[int] | None = None
        #: The line ending new lines get: the file's own (see :func:`_dominant_ending`).
        self.newline = _dominant_ending(text)

    def line_at(self, offset: int) -> int:
        """The number (1-based) of the line holding character ``offset`` of the text."""
        if self._starts is None:
            sizes = map(len, map(operator.add, self._lines, self._endings))
            self._starts = list(itertools.accumulate(sizes, initial=0))
        return bisect.bisect_right(self._starts, offset)

    def __len__(self) -> int:
        """The number of lines."""
        return len(self._lines)

    def as_list(self) -> list[str]:
        """Every line, without its ending: item ``n - 1`` is the line ast numbers ``n``."""
        return list(self._lines)

    def line(self, number: int) -> str:
        """Line ``number`` (1-based) without its ending; empty past the end."""
        if 1 <= number <= len(self._lines):
            return self._lines[number - 1]
        return ""

    def indentation(self, number: int) -> str:
        r"""The indentation of line ``number`` as Python reads it, to copy into a new line.

        That is its leading whitespace after the last form feed: Python's tokenizer counts the
        columns of an indentation from zero again at a form feed, so ``"\f    "`` indents as
        ``"    "`` does, and a new line gets the plain spaces and tabs alone.
        """
        match = _LEADING_SPACE.match(self.line(number))
        return match.group().rpartition("\f")[2] if match else ""

    def starts_at(self, number: int, column: int) -> bool:
        """Whether only whitespace comes before ``column`` on line ``number``.

        ``column`` is an :mod:`ast` ``col_offset`` (UTF-8 bytes); a whitespace prefix has as many
        bytes as characters, so the comparison is exact whenever the answer is True.
        """
        prefix = self.line(number).encode("utf-8")[:column]
        return not prefix.strip(b" \t\f")

    def is_blank(self, number: int) -> bool:
        """Whether line ``number`` exists and holds only whitespace."""
        return 1 <= number <= len(self._lines) and not self._lines[number - 1].strip(" \t\f")

    def is_comment(self, number: int) -> bool:
        """Whether line ``number`` holds only a comment."""
        return self.line(number).lstrip(" \t\f").startswith("#")

    def has_pragma(self, first: int, last: int) -> bool:
        """Whether ``# telemetry-scaffold: skip`` is on a line from ``first`` to ``last``."""
        if not self._may_hold_pragma:
            return False  # asked for each handler of a module: most modules hold none
        return any(_PRAGMA.search(self.line(number)) for number in range(first, last + 1))

    @cached_property
    def _may_hold_pragma(self) -> bool:
        """Whether the text holds the words of ``# telemetry-scaffold: skip`` (one search)."""
        return "telemetry-scaffold" in self.text

    def apply(self, insertions: Iterable[Insertion], deletions: Iterable[Deletion] = ()) -> str:
        """Return the text with ``insertions`` added and ``deletions`` taken out.

        Built in one pass, so the cost is linear in the size of the file whatever the number
        of edits; the lines between two edits are copied as one slice of the text, not one new
        string a line (a big module's copy of every line was part of the peak memory).
        """
        before, deleted = _by_line(insertions, deletions)
        if not before and not deleted:
            return self.text
        count = len(self._lines)
        unterminated = bool(count) and self._endings[-1] == ""
        source = self.text
        if unterminated:
            source += self.newline  # the last line gets a break too (taken out below if last)
        out: list[str] = []
        inserted: list[int] = []  # the indexes in `out` of the inserted lines
        copied = 1  # the first line not yet copied, starting at character `offset` of source
        offset = 0
        for number in sorted(n for n in before.keys() | deleted if 1 <= n <= count + 1):
            end = offset + sum(map(len, self._lines[copied - 1 : number - 1]))
            end += sum(map(len, self._endings[copied - 1 : number - 1]))
            if unterminated and copied <= count < number:
                end += len(self.newline)
            out.append(source[offset:end])
            for insertion in before.get(number, ()):
                inserted.extend(range(len(out), len(out) + len(insertion.lines)))
                out.extend(line + self.newline for line in insertion.lines)
            if number > count:
                break
            line, ending = self._lines[number - 1], self._endings[number - 1] or self.newline
            if number not in deleted:
                out += (line, ending)
            copied, offset = number + 1, end + len(line) + len(ending)
        else:
            out.append(source[offset:])
        if "\r" in source:
            _unfuse(out, inserted)
        text = "".join(out)
        # A file without a final line break keeps it that way, whatever was added or taken out
        # at its end.
        if unterminated and text.endswith(("\r\n", "\r", "\n")):
            body = text[:-2] if text.endswith("\r\n") else text[:-1]
            # An empty last line needs its break: without it the line would not be there.
            if body and not body.endswith(("\n", "\r")):
                text = body
        return text

    def unified_diff(
        self,
        insertions: Iterable[Insertion],
        deletions: Iterable[Deletion],
        fromfile: str,
        tofile: str,
        context: int = 3,
        start: str = "",
    ) -> str:
        """The unified diff of :meth:`apply`, built from the edits in linear time.

        The same text as :func:`difflib.unified_diff` of the two versions, which on a big
        module with many inserted calls takes quadratic time to find what is known here.
        ``start``: what the file holds before the text in both versions (its BOM), shown on
        each version's first line, so that the diff applies to the file's bytes.
        """
        new_text = self.apply(insertions, deletions)
        if new_text == self.text:
            return ""
        before, deleted = _by_line(insertions, deletions)
        new_lines = SourceLines(new_text)
        # (tag, text with ending) for every line of either version, in order.
        entries: list[tuple[str, str]] = []
        count = len(self._lines)
        new_index = 0
        for number in range(1, count + 2):
            for insertion in before.get(number, ()):
                for _ in insertion.lines:
                    entries.append(("+", new_lines.full_line(new_index + 1)))
                    new_index += 1
            if number > count:
                break
            old_line = self.full_line(number)
            if number in deleted:
                entries.append(("-", old_line))
                continue
            new_line = new_lines.full_line(new_index + 1)
            new_index += 1
            if new_line == old_line:
                entries.append((" ", old_line))
            else:  # the last line gained the line break that lines appended after it need
                entries.extend((("-", old_line), ("+", new_line)))
        return _format_hunks(_started(entries, start), fromfile, tofile, context)

    def full_line(self, number: int) -> str:
        """Line ``number`` with its ending, marked as diff tools do when it has none."""
        line = self._lines[number - 1] + self._endings[number - 1]
        return line if self._endings[number - 1] else line + "\n\\ No newline at end of file\n"


def _dominant_ending(text: str) -> str:
    r"""The line ending most lines of ``text`` have (the first of those as common), else ``\n``.

    A file of LF lines whose module docstring holds a stray CR (a line break to Python) gets
    LF lines, not CR ones; one of CRLF lines, CRLF ones.
    """
    if "\r" not in text:
        return "\n"
    crlf = text.count("\r\n")
    counts = {"\r\n": crlf, "\r": text.count("\r") - crlf, "\n": text.count("\n") - crlf}
    most = max(counts.values())
    return next(
        ending.group()
        for ending in re.finditer(_LINE_BREAK, text)
        if counts[ending.group()] == most
    )


def _unfuse(pieces: list[str], inserted: list[int]) -> None:
    """Give an inserted line another ending where it would fuse with its neighbour's.

    A line ending in a lone CR followed by one starting with LF (an empty line) make one CRLF
    break to Python: a line would vanish, and a removal by lines would take a user's blank line
    with it. In a file of mixed line endings, the inserted line then ends with the neighbour's
    own kind (LF before an LF; CR after a CR), or CRLF when both sides hold one.
    """
    for index in inserted:
        piece = pieces[index]
        before = next((pieces[i][-1] for i in range(index - 1, -1, -1) if pieces[i]), "")
        after = next((pieces[i][0] for i in range(index + 1, len(pieces)) if pieces[i]), "")
        ending = "\r\n" if piece.endswith("\r\n") else piece[-1]
        line = piece[: -len(ending)]
        if not line and before == "\r" and ending == "\n":
            ending = "\r\n" if after == "\n" else "\r"
        elif after == "\n" and ending == "\r":
            ending = "\r\n" if not line and before == "\r" else "\n"
        pieces[index] = line + ending


def _by_line(
    insertions: Iterable[Insertion], deletions: Iterable[Deletion]
) -> tuple[dict[int, list[Insertion]], set[int]]:
    """The insertions by the line they go before, in their order, and the deleted lines."""
    before: dict[int, list[Insertion]] = {}
    for insertion in insertions:
        before.setdefault(insertion.before, []).append(insertion)
    for group in before.values():
        group.sort(key=lambda item: item.order)
    deleted: set[int] = set()
    for deletion in deletions:
        deleted.update(range(deletion.first, deletion.last + 1))
    return before, deleted


def _started(entries: list[tuple[str, str]], start: str) -> list[tuple[str, str]]:
    """``entries`` with ``start`` before the first line of each version.

    A line both versions hold, first in one of them only, is then two lines: the old, the new.
    """
    if not start:
        return entries
    old_first = next(index for index, (tag, _) in enumerate(entries) if tag != "+")
    new_first = next(index for index, (tag, _) in enumerate(entries) if tag != "-")
    started = list(entries)
    firsts = {old_first: "-", new_first: "+"} if old_first != new_first else {old_first: " "}
    for index, side in sorted(firsts.items(), reverse=True):  # the later first: indexes hold
        tag, text = entries[index]
        if tag == side:
            started[index] = (tag, start + text)
        else:  # a line of both versions, the first of the `side` one only
            old, new = (start + text, text) if side == "-" else (text, start + text)
            started[index : index + 1] = [("-", old), ("+", new)]
    return started


def _format_hunks(entries: list[tuple[str, str]], fromfile: str, tofile: str, context: int) -> str:
    changed = [index for index, (tag, _) in enumerate(entries) if tag != " "]
    if not changed:
        return ""
    groups: list[list[int]] = [[changed[0], changed[0]]]
    for index in changed[1:]:
        if index - groups[-1][1] <= 2 * context:
            groups[-1][1] = index
        else:
            groups.append([index, index])
    out = [f"--- {fromfile}\n", f"+++ {tofile}\n"]
    # Old and new line numbers before each entry.
    old_before: list[int] = []
    new_before: list[int] = []
    old_count = new_count = 0
    for tag, _ in entries:
        old_before.append(old_count)
        new_before.append(new_count)
        old_count += tag != "+"
        new_count += tag != "-"
    for first, last in groups:
        start = max(0, first - context)
        stop = min(len(entries), last + context + 1)
        hunk = entries[start:stop]
        old_length = sum(tag != "+" for tag, _ in hunk)
        new_length = sum(tag != "-" for tag, _ in hunk)
        out.append(
            f"@@ -{_range(old_before[start], old_length)} "
            f"+{_range(new_before[start], new_length)} @@\n"
        )
        out.extend(tag + text for tag, text in hunk)
    return "".join(out)


def _range(start: int, length: int) -> str:
    """A hunk range as difflib writes it (1-based; an empty range names the line before)."""
    beginning = start + 1
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1
    return f"{beginning},{length}"


@dataclass
class FileEdits:
    """Everything decided for one file: its edits, what they do, and what needs a person."""

    path: str
    insertions: list[Insertion] = field(default_factory=list)
    deletions: list[Deletion] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # What the user's own calls of the logger get wrong (an event not in the plan, a payload
    # its model refuses): said, and the run fails, but generate's part of the file is done.
    own_calls: list[str] = field(default_factory=list)
    # What the file's log calls leave out (a prefix only known at run time, an endpoint not
    # logged): said on every run, whether the file changes or not, so none goes unsaid.
    notes: list[str] = field(default_factory=list)
    # The stub statements the file's log calls stand in for, by handler (qualified name): what
    # the record keeps for remove (see `PatchRecord.stubs`).
    stubs: dict[str, Stub] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when the file needs no edit."""
        return not self.insertions and not self.deletions
