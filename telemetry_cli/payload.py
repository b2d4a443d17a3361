"""Read an event payload given on the command line, from a file, or from stdin."""

from __future__ import annotations

import codecs
import contextlib
import json
import math
import os
import re
import select
import stat
import sys
import time
from pathlib import Path
from typing import Any

from telemetry_cli.console import clipped
from telemetry_cli.errors import EventRejected, UsageError

STDIN = "-"

MAX_PAYLOAD_CHARACTERS = 1024 * 1024
"""Most characters of payload text read from a file or stdin.

The layer takes at most 32 KiB of compact JSON; this leaves room for any indentation while an
endless source (``/dev/zero``, ``yes |``) or a huge file ends in one error line instead of
exhausting memory.
"""


def read_payload(inline: str | None, file: str | None, wait: float = 10.0) -> Any:
    """Return the decoded payload, or None when none was given.

    ``inline`` is ``--payload`` (``-`` reads stdin) and ``file`` is ``--payload-file`` (``-``
    reads stdin too). A file that is a named pipe or a device is read for at most ``wait``
    seconds, so that a pipe nobody writes to (or a terminal, ``/dev/ptmx``) ends in an error
    instead of a hang; a socket or a folder is refused. Malformed JSON, and an
    object with the same key twice (parsers disagree on which one wins; the telemetry endpoint
    refuses it too), are usage errors naming the line and column or the key; so is what the
    endpoint refuses as not strict JSON (``NaN``, infinities, ``1e400``, lone surrogates).

    Raises:
        UsageError: both sources given, the source is unreadable, or the JSON is malformed,
            not strict or beyond what the parser can take (nesting, huge numbers).
        EventRejected: the payload is JSON ``null``, which the endpoint refuses too (no payload
            at all means an empty object).
    """
    if inline is not None and file is not None:
        raise UsageError("give the payload once: --payload or --payload-file, not both")
    if inline is None and file is None:
        return None
    if file == "":
        raise UsageError("--payload-file is empty; name a file, or '-' for stdin")
    if STDIN in (inline, file):
        source, text = "stdin", _read_stdin(wait)
    elif file is not None:
        source = file
        try:
            text = _read_file(file, wait)
        except FileNotFoundError:
            raise UsageError(f"--payload-file {file}: file not found") from None
        except UnicodeDecodeError:
            raise UsageError(f"--payload-file {file}: not valid UTF-8") from None
        except OSError as exc:
            raise UsageError(f"--payload-file {file}: cannot read: {exc.strerror}") from None
    else:
        source, text = "--payload", _argument_text(inline or "")
    payload = _parse(source, text)
    if payload is None:
        # None is what callers take for "no payload"; the endpoint refuses "payload": null.
        raise EventRejected("event rejected: payload must be a JSON object")
    return payload


def _read_file(file: str, wait: float) -> str:
    """Read ``file`` as UTF-8, at most ``MAX_PAYLOAD_CHARACTERS`` (+1 to tell it was more)."""
    with contextlib.suppress(OSError):  # opening it says what else is wrong
        if stat.S_ISSOCK(Path(file).stat().st_mode):
            # Opening one fails with "No such device or address", which does not say why.
            raise UsageError(
                f"--payload-file {file}: is a socket, not a file; give a file holding the JSON "
                "payload, or '-' and pipe it to stdin"
            )
    # Opening a named pipe without O_NONBLOCK blocks until a writer opens it: maybe never.
    fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise UsageError(f"--payload-file {file}: is a folder; name a file in it")
        if not stat.S_ISREG(mode):
            # A pipe, or a device: a terminal or /dev/ptmx may never deliver anything, so it is
            # read as a pipe is, for at most ``wait`` seconds.
            kind = "pipe" if stat.S_ISFIFO(mode) else "device"
            data, complete = _read_pipe(fd, f"--payload-file {file}", wait, kind)
            text = codecs.getincrementaldecoder("utf-8")().decode(data, final=complete)
        else:
            os.set_blocking(fd, True)
            with open(os.dup(fd), encoding="utf-8") as stream:  # noqa: PTH123 (a descriptor)
                text = stream.read(MAX_PAYLOAD_CHARACTERS + 1)
    finally:
        os.close(fd)
    return _bounded(text, f"--payload-file {file}")


# Enough bytes for more than MAX_PAYLOAD_CHARACTERS characters of any width.
_PIPE_LIMIT = 4 * (MAX_PAYLOAD_CHARACTERS + 1)


def _read_pipe(fd: int, source: str, wait: float, kind: str = "pipe") -> tuple[bytes, bool]:
    """Read a named pipe (or a device), giving up (a usage error) after ``wait`` seconds.

    Returns the bytes read and whether they are all the pipe had (False when cut off at
    ``_PIPE_LIMIT``).
    """
    deadline = time.monotonic() + wait
    chunks: list[bytes] = []
    size = 0
    while size <= _PIPE_LIMIT:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise UsageError(
                f"{source}: the {kind} did not deliver a payload within {wait:g} s; "
                "is something writing to it? (--timeout sets the wait)"
            )
        # Until a writer has opened the pipe, select() does not report it readable.
        readable, _, _ = select.select([fd], [], [], remaining)
        if not readable:
            continue
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            continue
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False


def _read_stdin(wait: float) -> str:
    """Read stdin; from a pipe or a device other than a terminal, for at most ``wait`` seconds.

    ``sleep 600 | emit ... --payload -`` or a CI step whose stdin is an idle pipe would
    otherwise wait for ever; a terminal is someone typing, and a file redirect always ends.
    """
    # Python sets sys.stdin to None when the process starts with file descriptor 0 closed.
    if sys.stdin is None:
        raise UsageError(
            "stdin is closed; give the payload with --payload JSON or --payload-file FILE"
        )
    try:
        descriptor = _waitable_descriptor(sys.stdin)
        if descriptor is not None:
            data, complete = _read_pipe(descriptor, "stdin", wait)
            text = codecs.getincrementaldecoder("utf-8")().decode(data, final=complete)
            return _bounded(text, "stdin")
        return _bounded(sys.stdin.read(MAX_PAYLOAD_CHARACTERS + 1), "stdin")
    except UnicodeDecodeError:
        raise UsageError("stdin: the payload is not valid UTF-8") from None
    except OSError as exc:
        raise UsageError(f"stdin: cannot read: {exc.strerror or exc}") from None


def _waitable_descriptor(stream: Any) -> int | None:
    """The file descriptor of ``stream`` when reading it may wait for ever, else None.

    That is a pipe, or a device that is not a terminal; not a stream without a descriptor (a
    test runner's). Nothing has read from stdin before the payload is read, so no text waits
    in its buffer.
    """
    if os.name != "posix":
        return None  # select() takes sockets only on Windows: a pipe there is read as it was
    try:
        descriptor = int(stream.fileno())
        mode = os.fstat(descriptor).st_mode
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or os.isatty(descriptor):
        return None
    return descriptor


def _bounded(text: str, source: str) -> str:
    if len(text) > MAX_PAYLOAD_CHARACTERS:
        raise UsageError(
            f"{source}: the payload is longer than {MAX_PAYLOAD_CHARACTERS} characters; "
            "an event's payload may be at most 32 KiB of JSON"
        )
    return text


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return document


class _NotStrictJSON(ValueError):
    """JSON that Python's parser accepts but RFC 8259, and so the telemetry endpoint, does not."""


def _refuse_constant(_constant: str) -> Any:
    raise _NotStrictJSON("NaN and infinities are not JSON numbers")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _NotStrictJSON("a number is too large for a float")
    return value


# A \uD800-\uDFFF escape: only a body holding one can decode to a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _holds_surrogate(document: Any) -> bool:
    """Whether a key or string anywhere in ``document`` holds a surrogate code point."""
    pending = [document]  # a stack, not recursion: the document may nest deeply
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def _argument_text(value: str) -> str:
    """A command-line argument as the UTF-8 text its bytes are, whatever the locale.

    Python decodes arguments with the locale's encoding: in a C or POSIX locale every byte of
    UTF-8 text that is not ASCII arrives as a lone surrogate (as a byte that is not UTF-8
    does). Its bytes, encoded back, tell the two apart; what is not UTF-8 stays as it came,
    for :func:`_parse` to refuse.
    """
    if not _SURROGATE.search(value):
        return value  # the common case
    try:
        return os.fsencode(value).decode("utf-8")
    except UnicodeError:
        return value


def _parse(source: str, text: str) -> Any:
    # Python decodes bytes of an argument that are not UTF-8 as lone surrogates.
    if _SURROGATE.search(text):
        raise UsageError(f"{source}: the payload is not valid UTF-8")
    if text.startswith("\ufeff"):
        # json's own message advises decoding with utf-8-sig: advice for programmers.
        raise UsageError(
            f"{source}: the payload starts with a byte order mark (U+FEFF), which JSON does "
            "not allow (the telemetry endpoint refuses it too); save it as UTF-8 without one"
        )
    if not text.strip(" \t\r\n"):  # JSON's whitespace
        # /dev/null, an empty file, a blank argument: "Expecting value" would not say so.
        raise UsageError(
            f"{source}: the payload is empty; give a JSON object, or no payload for an empty one"
        )
    try:
        document = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
        )
    except _NotStrictJSON as exc:
        raise UsageError(f"{source}: the payload is not strict JSON: {exc}") from None
    except _DuplicateKey as exc:
        raise UsageError(
            f"{source}: the key {clipped(exc.key)!r} appears twice in one object; give it once "
            "(JSON parsers disagree on which value wins)"
        ) from None
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{source}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        # The decoder recurses once per nesting level; far past any payload the layer accepts.
        raise UsageError(f"{source}: the payload nests too deeply to parse") from None
    except ValueError as exc:
        if "integer string conversion" in str(exc):
            # Integers beyond sys.get_int_max_str_digits(): said as the endpoint and log() say
            # it (Python's advice to raise that limit is for programmers, not for someone
            # typing a command).
            raise UsageError(
                f"{source}: the payload holds an integer with too many digits (more than "
                f"{sys.get_int_max_str_digits()}, what Python reads); send it as a string"
            ) from None
        raise UsageError(f"{source}: cannot parse the payload: {exc}") from None
    if _SURROGATE_ESCAPE.search(text) and _holds_surrogate(document):
        raise UsageError(
            f"{source}: the payload is not strict JSON: a string holds a lone UTF-16 surrogate"
        )
    return document
