"""The one place that creates the rich consoles.

Rich drops styling when the stream is not a terminal; with ``NO_COLOR`` set we turn styling off
entirely, and we never use its automatic highlighting nor its emoji codes (``:b:`` in a user's
value would print as a picture), so plain output is predictable.
"""

from __future__ import annotations

import datetime
import errno
import io
import json
import os
import re
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Final, Literal

from rich.console import Console


@cache
def stdout() -> Console:
    """The console for results (the JSON document with ``--json``); it writes to ``sys.stdout``."""
    return Console(
        highlight=False,
        emoji=False,
        soft_wrap=True,
        color_system=_color_system(),
        _environ=_environment(),
    )


def refuse_writes_to_closed_stdout() -> None:
    """Make a closed stdout fail the first write, as a full disk does, instead of dropping it.

    With stdout closed (``>&-``) Python sets ``sys.stdout`` to None, and rich, click's ``echo``
    (the help, ``--show-completion``) and ``print`` all drop their lines silently: the run
    ended as if its report had been read. A stream standing in that raises ``OSError`` (EBADF)
    makes every writer fail alike (exit 1, one error line).
    """
    if sys.stdout is None:
        sys.stdout = _ClosedStream()


class _ClosedStream(io.StringIO):
    """A stdout that was closed: writing to it fails as writing to a closed descriptor does."""

    def write(self, text: str) -> int:
        """Refuse ``text`` (OSError, EBADF), unless there is nothing to write."""
        if not text:
            return 0
        raise OSError(errno.EBADF, "standard output is closed")


@cache
def stderr() -> Console:
    """The console for errors, and for human lines when stdout carries JSON."""
    return Console(
        stderr=True,
        highlight=False,
        emoji=False,
        soft_wrap=True,
        color_system=_color_system(),
        _environ=_environment(),
    )


def write_raw(console: Console, data: str | bytes) -> None:
    """Write ``data`` to the console's stream as it is (not through rich), after what it holds.

    Bytes go through the stream's bytes when it has them (a stream of text only gets them
    decoded as UTF-8, replacing what is not).
    """
    stream = console.file
    buffer = getattr(stream, "buffer", None)
    if isinstance(data, str) or buffer is None:
        stream.write(data if isinstance(data, str) else data.decode("utf-8", errors="replace"))
        return
    stream.flush()  # what the text layer holds goes first
    buffer.write(data)
    buffer.flush()


def _environment() -> dict[str, str]:
    """The environment rich reads, without a terminal size of zero.

    Rich takes ``COLUMNS=0`` (a shell that has not measured its terminal yet) as a width of
    zero and then prints nothing at all, error lines included; without it rich asks the
    terminal, or assumes 80 columns.
    """
    return {
        key: value
        for key, value in os.environ.items()
        if key not in ("COLUMNS", "LINES") or value.lstrip("0").isdigit()
    }


def _color_system() -> Literal["auto"] | None:
    # Rich drops colours for NO_COLOR but keeps bold and dim; the convention asks for plain text.
    return None if os.environ.get("NO_COLOR") else "auto"


# The longest error line printed: a message quotes user values clipped (``quoted``), and this
# caps the rest (a path, a list of names), so that no input makes a screenful of one line.
_MAX_ERROR_LINE: Final = 1000


def error_line(message: str) -> str:
    """An error as one line of rich markup for :func:`stderr`, whatever the message holds."""
    from rich.markup import escape

    return f"[bold red]error:[/] {escape(clipped(printable(message), _MAX_ERROR_LINE))}"


def printable(text: str) -> str:
    r"""``text`` with everything a terminal would act on escaped, so it prints as one plain line.

    Control characters (C0, DEL, C1: escape sequences, carriage returns, line breaks), line and
    paragraph separators, and invisible format characters (bidirectional overrides, zero-width
    characters) become backslash escapes such as ``\x1b`` and ``\u202e``; a backslash is kept
    as it is, so ordinary text reads unchanged.
    """
    if text.isprintable():
        return text  # the common case, checked in C
    return "".join(char if char.isprintable() or char == " " else _escape(char) for char in text)


def clipped(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters and ``...``: user input quoted in a message."""
    return text if len(text) <= limit else text[:limit] + "..."


def closest(name: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice a mistyped ``name`` most likely meant, for a "did you mean" hint, or None.

    Letter case is ignored: ``CHAPTER_VISIT`` shares no letter with ``chapter_visit`` as
    difflib compares them, yet it is the likeliest typo of all.
    """
    import difflib  # only a message that needs a hint pays for it

    by_folded = {choice.casefold(): choice for choice in choices}
    close = difflib.get_close_matches(name.casefold(), by_folded, n=1, cutoff=cutoff)
    return by_folded[close[0]] if close else None


def shown_path(path: Path | str) -> str:
    """A path outside a project as a message names it: relative to the current folder if under.

    The files of a project are named relative to its root instead, as the plan, the status lines
    and ``--json`` name them (``--root`` starts a run there, as ``git -C`` does); see
    :attr:`~telemetry_cli.plan.Plan.config_shown`.

    Tools such as ruff and git name a file the way the user reaches it from where they stand
    (``pyproject.toml``, ``sub/pyproject.toml``); a path outside the current folder stays
    absolute, and a relative path is kept as the user gave it.
    """
    path = Path(path)
    if not path.is_absolute():
        return str(path)
    try:
        here = Path.cwd()
    except OSError:  # the current folder was deleted
        return str(path)
    for base in (here, here.resolve()):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return str(path)


def project_folder(relative: str) -> str:
    """A folder of the project (POSIX, relative to its root) as a message names it.

    ``backend/``, or "the project root" for ``.``: ``./`` reads as a typo in a sentence, and
    the root is what the plan's ``backend = "."`` means.
    """
    relative = relative.strip("/")
    return "the project root" if relative in ("", ".") else relative + "/"


def counted(count: int, noun: str) -> str:
    """``count`` and ``noun``, plural unless the count is one: ``1 file``, ``2 files``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def quoted(value: object, limit: int = 80) -> str:
    """``value`` quoted (``repr``) for an error message, a string clipped to ``limit``.

    A bad value may be a pasted file: an error quotes its start, ``'aaaa...'``, not all of it.
    A value of the code (a literal, a setting) reads as Python writes it: ``True``.
    """
    if isinstance(value, str):
        return repr(clipped(value, limit))
    return clipped(repr(value), limit)


def toml_quoted(value: object, limit: int = 80) -> str:
    """A value read from TOML quoted as :func:`quoted` does, but written as TOML writes it.

    ``true``, ``1979-05-27``, ``{a = 1}``: what the user's config file says.
    """
    if isinstance(value, str):
        return quoted(value, limit)
    return clipped(_as_written(value), limit)


# Patterns kept as source text (here and below) are compiled on first use, and cached, by
# `re`: an up-to-date `generate --check` never uses them (compiling at import cost every run).
# A TOML key that needs no quotes.
_BARE_KEY = r"[A-Za-z0-9_-]+"


def _as_written(value: object) -> str:
    """A value read from TOML as the user wrote it: ``true``, ``1979-05-27``, ``{a = 1}``.

    Python's repr (``True``, ``datetime.date(1979, 5, 27)``) is not what the file says. Strings
    keep their repr, as :func:`toml_quoted` shows them at the top.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date | datetime.time):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_as_written(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = ", ".join(f"{_key(str(key))} = {_as_written(item)}" for key, item in value.items())
        return "{" + pairs + "}"
    return repr(value)


def _key(key: str) -> str:
    return key if re.fullmatch(_BARE_KEY, key) else json.dumps(key)


_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
