"""Reading literal values out of Python source trees, without running the code."""

from __future__ import annotations

import ast


def string_list(value: ast.expr) -> list[str] | None:
    """The strings a list or tuple of string literals holds; None for any other expression.

    A list with one item that is not a string literal (a name, a call, a starred item) is None
    as a whole: what it holds is only known when the code runs.
    """
    if not isinstance(value, ast.List | ast.Tuple):
        return None
    strings = [
        item.value
        for item in value.elts
        if isinstance(item, ast.Constant) and isinstance(item.value, str)
    ]
    return strings if len(strings) == len(value.elts) else None
