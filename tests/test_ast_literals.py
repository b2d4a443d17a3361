"""The one reader of literal string lists: the patcher, settings files and install steps."""

from __future__ import annotations

import ast

import pytest

from telemetry_cli.ast_literals import absolute_imports, string_list


def _expression(text: str) -> ast.expr:
    return ast.parse(text, mode="eval").body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('["a", "b"]', ["a", "b"]),
        ('("a",)', ["a"]),
        ("[]", []),
        ('["a", name]', None),
        ('["a", *more]', None),
        ('["a", 1]', None),
        ('["a", f"{x}"]', None),
        ('"a"', None),
        ("{'a'}", None),
        ("names()", None),
    ],
)
def test_only_a_list_or_tuple_of_string_literals_is_read(
    text: str, expected: list[str] | None
) -> None:
    assert string_list(_expression(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("import a.b, c as d", ["a.b", "c"]),
        ("from a.b import c", ["a.b"]),
        ("from . import c", []),
        ("from .a import c", []),
        ("x = 1", []),
    ],
)
def test_the_modules_an_absolute_import_names(text: str, expected: list[str]) -> None:
    assert absolute_imports(ast.parse(text).body[0]) == expected
