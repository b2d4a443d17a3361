"""Fenced code blocks of a Markdown document, each with the heading it is under.

Used by ``test_readme.py``: a block is named by a stable key, its heading and its first line, so
that the test's table of blocks survives sections being added or moved around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Fences may be indented: a block inside a list item is indented like the item's text.
_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<title>.*?)(?:[ \t]+#+)?[ \t]*$")


@dataclass(frozen=True)
class Block:
    """One fenced code block: its language (info string's first word), text and place."""

    heading: str
    language: str
    text: str
    line: int

    @property
    def first_line(self) -> str:
        """The first non-blank line, whitespace runs collapsed (alignment is not meaning)."""
        for line in self.text.splitlines():
            if line.strip():
                return " ".join(line.split())
        return ""

    @property
    def key(self) -> tuple[str, str]:
        """What names the block in the test's tables: its heading and its first line."""
        return (self.heading, self.first_line)

    def describe(self) -> str:
        """The block as a failure message names it."""
        fence = f"```{self.language}"
        return f"README.md:{self.line} under {self.heading!r}: {fence} {self.first_line!r}"


def parse_blocks(markdown: str) -> list[Block]:
    """Every fenced code block of ``markdown``, in order.

    A fence closes on a line of the same character at least as long (CommonMark); an unclosed
    fence runs to the end of the document. Lines that look like headings inside a block are text.
    """
    lines = markdown.splitlines()
    blocks: list[Block] = []
    heading = ""
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None or (opening["fence"][0] == "`" and "`" in opening["info"]):
            title = _HEADING.match(lines[index])
            if title is not None:
                heading = title["title"]
            index += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        closing = re.compile(rf"^ *{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        body: list[str] = []
        end = index + 1
        while end < len(lines) and closing.match(lines[end]) is None:
            line = lines[end]
            # Content loses the fence's indentation, and no more than that.
            body.append(line[min(indent, len(line) - len(line.lstrip(" "))) :])
            end += 1
        text = "\n".join(body) + "\n" if body else ""
        language = opening["info"].split()[0] if opening["info"].strip() else ""
        blocks.append(Block(heading, language, text, index + 1))
        index = end + 1
    return blocks


def shell_commands(text: str) -> list[str]:
    """The commands of a shell block: continuation lines joined, blank lines dropped."""
    joined = text.replace("\\\n", "")  # as bash reads a backslash-newline: removed
    return [line.strip() for line in joined.splitlines() if line.strip()]
