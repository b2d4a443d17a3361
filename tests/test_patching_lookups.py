"""Lookups guided by a search of the text find what a walk of every statement finds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from telemetry_cli.patching.symbols import ModuleModel, ModuleSource, ParseFailure, parse

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    path
    for folder in ("tests/corpus", "tests/discovery", "backend")
    for path in (ROOT / folder).rglob("*.py")
)

IMPORTS_EVERYWHERE = '''\
"""Imports in every shape and place."""
import os, sys as system
import a.b.c
from . import sibling
from .. import cousin as c
from .pkg.mod import (
    first,

    second as two,
)
from x \\
    import y
from z import *


def factory():
    from app.analytics.event_logger import event_logger
    if True:
        import json
    try:
        from fastapi import APIRouter
    except ImportError:
        APIRouter = None
    return event_logger, json, APIRouter


class Holder:
    import typing
    match os.name:
        case "nt":
            from ntpath import join
        case _:
            from posixpath import join
    text = "import nothing"  # import in a comment
'''


def _imports_by_walk(module: ModuleModel) -> dict[str, frozenset[str]]:
    """What ``imports_anywhere`` must give: every import statement of a full walk."""
    bound: dict[str, set[str]] = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                bound.setdefault(local, set()).add(alias.name if alias.asname else local)
        elif isinstance(node, ast.ImportFrom):
            source = module.absolute_import(node)
            if source is None:
                continue
            for alias in node.names:
                if alias.name != "*":
                    bound.setdefault(alias.asname or alias.name, set()).add(
                        f"{source}.{alias.name}"
                    )
    return {name: frozenset(targets) for name, targets in bound.items()}


def _model(text: str, name: str = "app.api.routes", package: bool = False) -> ModuleModel:
    source = ModuleSource(name, name.replace(".", "/") + ".py", text, package)
    return ModuleModel(source, parse(text))


def test_imports_anywhere_finds_every_import() -> None:
    module = _model(IMPORTS_EVERYWHERE)
    expected = _imports_by_walk(module)
    assert module.imports_anywhere == expected
    assert {"system", "a", "sibling", "c", "first", "two", "y", "event_logger", "json"} <= set(
        expected
    )


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_imports_anywhere_of_the_corpus(path: Path) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    try:
        module = _model(text, package=path.name == "__init__.py")
    except ParseFailure:
        pytest.skip("a module of the corpus that does not parse, on purpose")
    assert module.imports_anywhere == _imports_by_walk(module)
