"""CPU time of a call, for the tests that guard against quadratic work on hostile input."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def cpu_seconds(action: Callable[[], T]) -> tuple[T, float]:
    """Run ``action``; return its result and the CPU seconds it took.

    CPU time of this process, not wall time: a loaded machine stretches the wall clock of a
    linear scan, never its CPU time. The cyclic garbage collector is paused meanwhile: a full
    collection of a test process that has run thousands of tests takes most of a second, and
    is no cost of the code timed.
    """
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        result = action()
        return result, time.process_time() - start
    finally:
        gc.enable()
