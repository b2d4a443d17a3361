"""Where each router of the package is served: the prefixes its ``include_router`` calls add.

``app.include_router(users.router, prefix="/users")`` serves ``users.router``'s routes under
``/users``; routers include routers, so a route's path is the chain of those prefixes, the
router's own ``prefix=`` and the decorator's path. The calls are read from the package's modules
(module-level and inside functions, such as an app factory), without running anything. A prefix
that is only known at run time (``prefix=settings.API_V1_STR``) is recorded as unknown.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from telemetry_cli.patching.symbols import (
    ModuleModel,
    PackageIndex,
    Role,
    Scope,
    block_statements,
    sub_blocks,
)

RouterKey = tuple[str, str]  # (module, name) of a module-level router

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)

_INCLUDE_ROUTER = "include_router"


@dataclass(frozen=True)
class Mount:
    """One ``<parent>.include_router(<router>, prefix=...)`` call."""

    parent: RouterKey | None  # the including router; None for an app or an unknown object
    prefix: str | None  # None: only known at run time
    by_app: bool  # the parent is an app (not an object the tool cannot tell)


class Mounts:
    """The ``include_router`` calls of a package, by the included router."""

    def __init__(self, included: dict[RouterKey, list[Mount]]) -> None:
        """Take the calls found (see :func:`find_mounts`)."""
        self.included = included

    def prefixes(self, key: RouterKey | None) -> list[str]:
        """Every path prefix known statically that a router is served under ("" when none).

        Each chain of includes up to an app or an object the tool cannot tell gives one.
        """
        return self._prefixes(key, frozenset())

    def _prefixes(self, key: RouterKey | None, seen: frozenset[RouterKey]) -> list[str]:
        if key is None or key not in self.included or key in seen:
            return [""]
        return [
            outer + mount.prefix
            for mount in self.included[key]
            if mount.prefix is not None
            for outer in self._prefixes(mount.parent, seen | {key})
        ]

    def served_prefix(self, key: RouterKey | None) -> str | None:
        """The one prefix a router's routes are served under, when it is known statically.

        "" for a router included nowhere in the package (or without prefixes); None when a
        prefix in a chain is only known at run time, a chain ends at an object that is not an
        app, or the router is served under several prefixes: its routes have no single path.
        """
        return self._served(key, frozenset())

    def _served(self, key: RouterKey | None, seen: frozenset[RouterKey]) -> str | None:
        if key is None or key not in self.included:
            return ""
        if key in seen:
            return None  # routers that include each other: nothing Starlette could serve
        found: set[str] = set()
        for mount in self.included[key]:
            if mount.prefix is None:
                return None
            if mount.parent is None:
                if not mount.by_app:
                    return None
                outer: str | None = ""
            else:
                outer = self._served(mount.parent, seen | {key})
            if outer is None:
                return None
            found.add(outer + mount.prefix)
        return found.pop() if len(found) == 1 else None


def find_mounts(index: PackageIndex, modules: list[str]) -> Mounts:
    """Read the ``include_router`` calls of ``modules`` (dotted names) that include a router.

    Only modules whose text names ``include_router`` are parsed.
    """
    included: dict[RouterKey, list[Mount]] = {}
    for name in modules:
        source = index.source(name)
        if source is None or _INCLUDE_ROUTER not in source.text:
            continue
        model = index.module(name)
        if model is not None:
            for child, mount in _module_mounts(index, model):
                included.setdefault(child, []).append(mount)
    return Mounts(included)


def _module_mounts(index: PackageIndex, model: ModuleModel) -> list[tuple[RouterKey, Mount]]:
    found: list[tuple[RouterKey, Mount]] = []
    for call, scope in method_calls(model, _INCLUDE_ROUTER):
        included = _included_router(call)
        if included is None:
            continue
        child = index.binding_of(included, scope)
        if child is None or child.scope.parent is not None:
            continue  # not a module-level object: its routes cannot be told apart
        prefix: str | None = ""
        for keyword in call.keywords:
            if keyword.arg == "prefix":
                prefix = index.string_value(keyword.value, scope)
            elif keyword.arg is None:
                prefix = None  # **options may hold a prefix
        parent_key: RouterKey | None = None
        by_app = False
        assert isinstance(call.func, ast.Attribute)
        parent = index.binding_of(call.func.value, scope)
        if parent is not None and parent.kind == "value" and isinstance(parent.node, ast.Call):
            role, _ = index.built_role(parent.node, parent.scope)
            if role is Role.ROUTER and parent.scope.parent is None:
                parent_key = (parent.scope.module.name, parent.name)
            by_app = role is Role.APP
        found.append(((child.scope.module.name, child.name), Mount(parent_key, prefix, by_app)))
    return found


def method_calls(model: ModuleModel, method: str) -> Iterator[tuple[ast.Call, Scope]]:
    """Each ``<x>.<method>(...)`` call of a module, with the scope it runs in.

    Calls inside functions (an app factory) see the function's names; only the definitions
    around a line that names ``method`` are entered.
    """
    lines = {
        node.lineno
        for node in model.nodes_near([method])
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == method
    }
    if not lines:
        return
    pending = [model.scope]
    while pending:
        scope = pending.pop()
        for statement in block_statements(scope.node.body):
            start, end = statement.lineno, statement.end_lineno or statement.lineno
            if not any(start <= line <= end for line in lines):
                continue
            if isinstance(statement, _DEFINITIONS):
                pending.append(Scope(statement, model, scope))
            elif not sub_blocks(statement):
                for node in ast.walk(statement):
                    if (
                        isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Attribute)
                        and node.func.attr == method
                    ):
                        yield node, scope


def _included_router(call: ast.Call) -> ast.expr | None:
    """The router an ``include_router`` call includes: its first argument, or ``router=``."""
    if call.args:
        first = call.args[0]
        return None if isinstance(first, ast.Starred) else first
    for keyword in call.keywords:
        if keyword.arg == "router":
            return keyword.value
    return None
