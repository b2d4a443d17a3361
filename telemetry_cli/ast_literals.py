"""Reading what Python source trees say literally, without running the code."""

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
