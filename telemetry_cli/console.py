"""The one place that creates the rich consoles.

Rich drops styling when the stream is not a terminal; with ``NO_COLOR`` set we turn styling off
entirely, and we never use its automatic highlighting, so plain output is predictable.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Literal

from rich.console import Console


@cache
def stdout() -> Console:
    """The console for results (the JSON document with ``--json``)."""
    return Console(highlight=False, soft_wrap=True, color_system=_color_system())


@cache
def stderr() -> Console:
    """The console for errors, and for human lines when stdout carries JSON."""
    return Console(stderr=True, highlight=False, soft_wrap=True, color_system=_color_system())


def _color_system() -> Literal["auto"] | None:
    # Rich drops colours for NO_COLOR but keeps bold and dim; the convention asks for plain text.
    return None if os.environ.get("NO_COLOR") else "auto"
