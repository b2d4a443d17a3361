"""The paths a project's ``.gitignore`` files leave out of version control.

``init`` looks for the app in the user's own code only: a folder git ignores (a playground, a
local virtual environment under any name, downloaded or generated sources) is not where the
app they deploy is built. The rules are git's for the patterns projects write: ``#`` comments,
``!`` to take a path back, a trailing ``/`` for folders only, a ``/`` at the start or in the
middle to anchor a pattern to the ``.gitignore``'s folder, ``*``, ``?``, ``[...]`` and ``**``.
A path inside an ignored folder is ignored too (git never looks inside it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

FILENAME = ".gitignore"


@dataclass(frozen=True)
class _Rule:
    base: PurePosixPath  # the folder of the .gitignore, relative to the root
    regex: re.Pattern[str]
    negated: bool
    folders_only: bool
    anchored: bool


@dataclass
class GitIgnore:
    """The rules of the ``.gitignore`` files read so far, from the root down."""

    root: Path
    _rules: list[_Rule] = field(default_factory=list)

    def read(self, folder: Path) -> None:
        """Add the rules of ``folder``'s ``.gitignore``, if it has a readable one."""
        try:
            text = (folder / FILENAME).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        base = PurePosixPath(folder.relative_to(self.root).as_posix())
        for line in text.splitlines():
            rule = parse_rule(base, line)
            if rule is not None:
                self._rules.append(rule)

    def ignored(self, path: Path, *, folder: bool) -> bool:
        """Whether git ignores ``path`` (under the root), by the rules read so far."""
        relative = PurePosixPath(path.relative_to(self.root).as_posix())
        verdict = False
        for rule in self._rules:
            if rule.folders_only and not folder:
                continue
            if rule.base.parts and relative.parts[: len(rule.base.parts)] != rule.base.parts:
                continue
            inside = PurePosixPath(*relative.parts[len(rule.base.parts) :])
            subject = inside.as_posix() if rule.anchored else inside.name
            if rule.regex.fullmatch(subject):
                verdict = not rule.negated
        return verdict


def parse_rule(base: PurePosixPath, line: str) -> _Rule | None:
    """One line of a ``.gitignore`` in folder ``base``, or None for a blank line or comment."""
    pattern = line.rstrip(" \t\r")
    if not pattern or pattern.startswith("#"):
        return None
    negated = pattern.startswith("!")
    if negated:
        pattern = pattern[1:]
    elif pattern.startswith("\\"):
        pattern = pattern[1:]  # `\#name` and `\!name` name files starting with those
    folders_only = pattern.endswith("/")
    pattern = pattern.rstrip("/")
    anchored = "/" in pattern
    pattern = pattern.lstrip("/")
    if not pattern:
        return None
    return _Rule(base, re.compile(_translate(pattern)), negated, folders_only, anchored)


def _translate(pattern: str) -> str:
    """A gitignore glob as a regular expression over a ``/``-separated path."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("/**", index) and index + 3 == len(pattern):
            out.append("/.*")
            index += 3
        elif pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif pattern[index] == "*":
            out.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            out.append("[^/]")
            index += 1
        elif pattern[index] == "[" and "]" in pattern[index + 2 :]:
            end = pattern.index("]", index + 2)
            inner = pattern[index + 1 : end]
            if inner.startswith("!"):
                inner = "^" + inner[1:]
            out.append("[" + inner.replace("\\", "\\\\") + "]")
            index = end + 1
        elif pattern[index] == "\\" and index + 1 < len(pattern):
            out.append(re.escape(pattern[index + 1]))
            index += 2
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return "".join(out)
