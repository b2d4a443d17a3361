"""The one place that creates the rich consoles.

Rich already honours ``NO_COLOR`` and drops styling when the stream is not a terminal; we also
turn off its automatic highlighting so that plain output is predictable.
"""

from __future__ import annotations

from functools import cache

from rich.console import Console


@cache
def stdout() -> Console:
    """The console for results (the JSON document with ``--json``)."""
    return Console(highlight=False, soft_wrap=True)


@cache
def stderr() -> Console:
    """The console for errors, and for human lines when stdout carries JSON."""
    return Console(stderr=True, highlight=False, soft_wrap=True)
