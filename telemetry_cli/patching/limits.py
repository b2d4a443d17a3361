"""The statement-count limits a project's linters set on a function, and where a log call tips one.

An inserted log call is one statement more in its handler: ruff's ``PLR0915`` and pylint's
``too-many-statements`` (both at ``max-statements``, 50 unless set) count it, and a handler that
was exactly at the limit is one over it after ``generate``. Nothing else the insertion adds is
counted by the project's other count-based rules: the call holds no branch (``C901``, mccabe,
``PLR0912``, pylint's ``too-many-branches``), binds no local (``too-many-locals``) and returns
nothing (``too-many-return-statements``). The handler is still instrumented (every route is
logged, as asked); :func:`statement_notes` says which handler crossed which rule, and how to
exempt it, in one line each.

Each tool's count is its own (they differ: ruff counts a docstring and a nested class as one
statement, pylint neither, and pylint counts a nested function's statements for the outer one
too); both are followed here as ruff 0.17 and pylint 4 count, checked against the installed
tools by ``tests/test_patching_limits.py``.
"""

from __future__ import annotations

import ast
from typing import NamedTuple

#: ruff's and pylint's default ``max-statements``.
DEFAULT_MAX_STATEMENTS = 50
# The statements ruff counts as one with their body.
_BLOCKS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.With, ast.AsyncWith)


class StatementLimit(NamedTuple):
    """One linter's limit on the statements of a function, as the project configures it."""

    #: ``"ruff"`` or ``"pylint"``: whose way of counting applies.
    tool: str
    #: The rule's name as the tool reports it (``PLR0915``, ``too-many-statements``).
    rule: str
    limit: int
    #: The comment that exempts one function from the rule, put on its ``def`` line.
    exemption: str


def ruff_statements(body: list[ast.stmt]) -> int:
    """The statements ruff's ``PLR0915`` counts in ``body`` (a function's), as ruff 0.17 does."""
    count = 0
    for statement in body:
        if isinstance(statement, ast.If):
            count += 1 + ruff_statements(statement.body)
            if statement.orelse:
                # `elif` (a lone `if` starting at this one's column) is its own clause;
                # `else:` holding an `if` is an else clause and then that `if`.
                count += (0 if _is_elif(statement) else 1) + ruff_statements(statement.orelse)
        elif isinstance(statement, ast.For | ast.AsyncFor):
            count += ruff_statements(statement.body) + ruff_statements(statement.orelse)
        elif isinstance(statement, ast.While):
            count += 1 + ruff_statements(statement.body) + ruff_statements(statement.orelse)
        elif isinstance(statement, ast.Match):
            count += 1 + sum(1 + ruff_statements(case.body) for case in statement.cases)
        elif isinstance(statement, ast.Try | ast.TryStar):
            count += 1 + ruff_statements(statement.body)
            if statement.orelse:
                count += 1 + ruff_statements(statement.orelse)
            if statement.finalbody:
                count += 2 + ruff_statements(statement.finalbody)  # ruff follows pylint here
            if len(statement.handlers) > 1:
                count += 1
            count += sum(1 + ruff_statements(handler.body) for handler in statement.handlers)
        elif isinstance(statement, _BLOCKS):
            count += 1 + ruff_statements(statement.body)
        elif not isinstance(statement, ast.Return):
            count += 1
    return count


def pylint_statements(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The statements pylint's ``too-many-statements`` counts in ``function``, as pylint 4 does.

    Its counter starts at one; each statement node adds one, except those pylint's design
    checker visits itself: a ``return``, a loop, a nested ``def`` or ``class`` (whose bodies
    still count) add nothing, an ``if`` one per branch it writes out, a ``try`` one per handler,
    ``else`` and ``finally`` (and each handler one more, as a statement), a ``match`` one. A
    function's docstring is no statement to pylint (a class's is).
    """
    count = 1
    body = function.body
    if body and _is_docstring(body[0]):
        body = body[1:]
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inner = node.body[1:] if node.body and _is_docstring(node.body[0]) else node.body
            stack.extend(inner)
            continue
        if isinstance(node, ast.ClassDef):
            stack.extend(node.body)  # a class's docstring is a statement to pylint
            continue
        if isinstance(node, ast.If):
            written_else = node.orelse and not _is_elif(node, col_sensitive=False)
            count += 2 if written_else else 1
        elif isinstance(node, ast.Try):
            count += len(node.handlers) + bool(node.orelse) + bool(node.finalbody)
        elif isinstance(node, ast.match_case):
            pass
        elif isinstance(node, ast.ExceptHandler):
            count += 1  # a statement to astroid, beside the try's own count of it
        elif isinstance(node, ast.stmt) and not isinstance(node, ast.Return | ast.For | ast.While):
            count += 1
        stack.extend(_child_statements(node))
    return count


def statement_notes(
    function: ast.FunctionDef | ast.AsyncFunctionDef, limits: tuple[StatementLimit, ...]
) -> list[str]:
    """What one more statement at the top of ``function`` tips over: one phrase per rule.

    Each phrase names the rule, the count it reaches and the comment that exempts the function.
    """
    found = []
    for limit in limits:
        before = (
            ruff_statements(function.body) if limit.tool == "ruff" else pylint_statements(function)
        )
        if before == limit.limit:
            found.append(
                f"{before + 1} statements by {limit.tool}'s count, over {limit.rule}'s "
                f"max-statements of {limit.limit}; `{limit.exemption}` on its def line exempts it"
            )
    return found


def _child_statements(node: ast.AST) -> list[ast.AST]:
    """The statement lists directly under ``node`` (bodies, branches, handlers, cases)."""
    children: list[ast.AST] = []
    for field in ("body", "orelse", "finalbody", "handlers", "cases"):
        value = getattr(node, field, None)
        if isinstance(value, list):
            children.extend(item for item in value if isinstance(item, ast.AST))
    return children


def _is_elif(node: ast.If, *, col_sensitive: bool = True) -> bool:
    """Whether ``node``'s ``else`` is an ``elif``: a lone ``if`` (at its column: written so)."""
    if len(node.orelse) != 1 or not isinstance(node.orelse[0], ast.If):
        return False
    return not col_sensitive or node.orelse[0].col_offset == node.col_offset


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )
