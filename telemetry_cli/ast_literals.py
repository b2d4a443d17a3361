"""Reading what Python source trees say literally, without running the code."""

from __future__ import annotations

import ast
from collections.abc import Iterator


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


def absolute_imports(node: ast.AST) -> list[str]:
    """The modules an absolute import statement names (``import a.b, c``: ``a.b`` and ``c``).

    ``from a.b import c`` names ``a.b`` (``c`` may be a name, not a module); a relative import
    and any other node name none.
    """
    if isinstance(node, ast.ImportFrom):
        return [node.module] if not node.level and node.module else []
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return []


def is_main_guard(test: ast.expr) -> bool:
    """Whether ``test`` is ``__name__ == "__main__"`` (either way round)."""
    if not (
        isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)
    ):
        return False
    sides = [test.left, test.comparators[0]]
    names = [side for side in sides if isinstance(side, ast.Name) and side.id == "__name__"]
    constants = [
        side for side in sides if isinstance(side, ast.Constant) and side.value == "__main__"
    ]
    return len(names) == 1 and len(constants) == 1


def is_type_checking(test: ast.expr) -> bool:
    """Whether ``test`` is ``TYPE_CHECKING`` (``typing.TYPE_CHECKING`` too): false at run time."""
    if isinstance(test, ast.Attribute):
        return test.attr == "TYPE_CHECKING"
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def runtime_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements a module of ``body`` runs when it is imported.

    At its top level and in the blocks that run with it (``try``, ``with``, an ``if``'s
    branches, a class body); not in functions (a late import, maybe never run), not under
    ``if TYPE_CHECKING:`` (false at run time) nor under ``if __name__ == "__main__":`` (the
    module run as a script, not imported): their ``else`` branches do run.
    """
    pending = list(reversed(body))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        blocks: list[list[ast.stmt]] = []
        if isinstance(node, ast.If):
            skipped = is_type_checking(node.test) or is_main_guard(node.test)
            blocks = [node.orelse] if skipped else [node.body, node.orelse]
        elif isinstance(node, ast.Try | ast.TryStar):
            blocks = [node.body, *(handler.body for handler in node.handlers)]
            blocks += [node.orelse, node.finalbody]
        elif isinstance(node, ast.With | ast.AsyncWith | ast.ClassDef):
            blocks = [node.body]
        elif isinstance(node, ast.For | ast.AsyncFor | ast.While):
            blocks = [node.body, node.orelse]
        elif isinstance(node, ast.Match):
            blocks = [case.body for case in node.cases]
        for block in reversed(blocks):
            pending.extend(reversed(block))
