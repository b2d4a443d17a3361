"""The docstring a module's, class's or function's body starts with, told one way everywhere.

A module of its own, importing nothing of the package: :mod:`.limits` counts statements as the
linters do (a docstring aside), and :mod:`.symbols` imports :mod:`.style`, which imports
:mod:`.limits`; both read docstrings from here.
"""

from __future__ import annotations

import ast


def is_docstring(statement: ast.stmt) -> bool:
    """Whether a statement is a string standing alone (a docstring, if it comes first)."""
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def after_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements of a function's (or class's) ``body`` after its docstring, if it has one."""
    return body[1:] if body and is_docstring(body[0]) else body
