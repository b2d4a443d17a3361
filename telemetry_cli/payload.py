"""Read an event payload given on the command line, from a file, or from stdin."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from telemetry_cli.errors import UsageError

STDIN = "-"


def read_payload(inline: str | None, file: str | None) -> Any:
    """Return the decoded payload, or None when none was given.

    ``inline`` is ``--payload`` (``-`` reads stdin) and ``file`` is ``--payload-file`` (``-``
    reads stdin too). Malformed JSON is a usage error naming the line and column.

    Raises:
        UsageError: both sources given, the file is unreadable, or the JSON is malformed.
    """
    if inline is not None and file is not None:
        raise UsageError("give the payload once: --payload or --payload-file, not both")
    if inline is None and file is None:
        return None
    if STDIN in (inline, file):
        source, text = "stdin", sys.stdin.read()
    elif file is not None:
        source = file
        try:
            text = Path(file).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsageError(f"--payload-file {file}: file not found") from None
        except UnicodeDecodeError:
            raise UsageError(f"--payload-file {file}: not valid UTF-8") from None
        except OSError as exc:
            raise UsageError(f"--payload-file {file}: cannot read: {exc.strerror}") from None
    else:
        source, text = "--payload", inline or ""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{source}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
