"""Read an event payload given on the command line, from a file, or from stdin."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from telemetry_cli.errors import UsageError

STDIN = "-"

MAX_PAYLOAD_CHARACTERS = 1024 * 1024
"""Most characters of payload text read from a file or stdin.

The layer takes at most 32 KiB of compact JSON; this leaves room for any indentation while an
endless source (``/dev/zero``, ``yes |``) or a huge file ends in one error line instead of
exhausting memory.
"""


def read_payload(inline: str | None, file: str | None) -> Any:
    """Return the decoded payload, or None when none was given.

    ``inline`` is ``--payload`` (``-`` reads stdin) and ``file`` is ``--payload-file`` (``-``
    reads stdin too). Malformed JSON is a usage error naming the line and column.

    Raises:
        UsageError: both sources given, the source is unreadable, or the JSON is malformed or
            beyond what the parser can take (nesting, huge numbers).
    """
    if inline is not None and file is not None:
        raise UsageError("give the payload once: --payload or --payload-file, not both")
    if inline is None and file is None:
        return None
    if STDIN in (inline, file):
        source, text = "stdin", _read_stdin()
    elif file is not None:
        source = file
        try:
            with Path(file).open(encoding="utf-8") as stream:
                text = _bounded(stream.read(MAX_PAYLOAD_CHARACTERS + 1), f"--payload-file {file}")
        except FileNotFoundError:
            raise UsageError(f"--payload-file {file}: file not found") from None
        except UnicodeDecodeError:
            raise UsageError(f"--payload-file {file}: not valid UTF-8") from None
        except OSError as exc:
            raise UsageError(f"--payload-file {file}: cannot read: {exc.strerror}") from None
    else:
        source, text = "--payload", inline or ""
    return _parse(source, text)


def _read_stdin() -> str:
    # Python sets sys.stdin to None when the process starts with file descriptor 0 closed.
    if sys.stdin is None:
        raise UsageError(
            "stdin is closed; give the payload with --payload JSON or --payload-file FILE"
        )
    try:
        return _bounded(sys.stdin.read(MAX_PAYLOAD_CHARACTERS + 1), "stdin")
    except UnicodeDecodeError:
        raise UsageError("stdin: the payload is not valid UTF-8") from None
    except OSError as exc:
        raise UsageError(f"stdin: cannot read: {exc.strerror or exc}") from None


def _bounded(text: str, source: str) -> str:
    if len(text) > MAX_PAYLOAD_CHARACTERS:
        raise UsageError(
            f"{source}: the payload is longer than {MAX_PAYLOAD_CHARACTERS} characters; "
            "an event's payload may be at most 32 KiB of JSON"
        )
    return text


def _parse(source: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{source}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        # The decoder recurses once per nesting level; far past any payload the layer accepts.
        raise UsageError(f"{source}: the payload nests too deeply to parse") from None
    except ValueError as exc:
        # Integers beyond sys.get_int_max_str_digits(); the advice to raise that limit is
        # for programmers, not for someone typing a command.
        message = str(exc).split("; use sys.", 1)[0]
        raise UsageError(f"{source}: cannot parse the payload: {message}") from None
