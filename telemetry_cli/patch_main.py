"""Wire the generated telemetry router (and error capture) into the user's ``main.py``.

The patch is minimal and idempotent: it adds the imports, one ``include_router`` call and, when
asked, one ``install_error_capture`` call, and adds nothing that is already there under any name.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from telemetry_cli.errors import PatchError
from telemetry_cli.fastapi_names import FASTAPI_APPS
from telemetry_cli.patch_common import (
    Imports,
    NewImport,
    PatchResult,
    call_argument,
    dotted_name,
    free_name,
    index_of,
    insert_import,
    new_import,
    parse_module,
    used_names,
)

__all__ = ["PatchResult", "patch_main"]


@dataclass(frozen=True)
class _App:
    """Where the FastAPI app is created: its name, the assignment, the factory (if any)."""

    name: str
    assignment: cst.SimpleStatementLine
    factory: cst.FunctionDef | None

    def label(self) -> str:
        return self.name if self.factory is None else f"{self.name} in {self.factory.name.value}()"


def patch_main(
    source: str, *, module_name: str, analytics_package: str, capture_errors: bool
) -> PatchResult:
    """Include the telemetry router in the FastAPI app of ``source`` (the user's ``main.py``).

    Args:
        source: The text of ``main.py`` (BOM already stripped; CRLF line endings are kept).
        module_name: Its import name, e.g. ``app.main`` (to read and write relative imports).
        analytics_package: The import name of the generated package, e.g. ``app.analytics``.
        capture_errors: Also call ``install_error_capture(app)`` from ``<package>.error_capture``.

    Returns:
        The patched source (``source`` itself when everything is already wired) and one line
        per insertion.

    Raises:
        PatchError: The source does not parse, or has no FastAPI app or several of them.
    """
    module = parse_module(source)
    imports = Imports.of(module, module_name)
    app = _find_app(module, imports)
    taken = used_names(module)
    router_target = f"{analytics_package}.telemetry_router.router"
    capture_target = f"{analytics_package}.error_capture.install_error_capture"

    changes: list[str] = []
    new_imports: list[NewImport] = []
    statements: list[str] = []
    if not _includes(module, imports, app.name, router_target):
        router = imports.local_name_for(router_target)
        if router is None:
            router = free_name("telemetry_router", taken)
            new_imports.append(
                new_import(
                    imports, module_name, f"{analytics_package}.telemetry_router", "router", router
                )
            )
            changes.append(f"import the telemetry router as `{router}`")
        statements.append(f"{app.name}.include_router({router})")
        changes.append(f"include the telemetry router in `{app.label()}`")
    if capture_errors and not _calls(module, imports, capture_target):
        capture = imports.local_name_for(capture_target)
        if capture is None:
            capture = free_name("install_error_capture", taken)
            new_imports.append(
                new_import(
                    imports,
                    module_name,
                    f"{analytics_package}.error_capture",
                    "install_error_capture",
                    capture,
                )
            )
            changes.append(
                "import `install_error_capture`"
                + ("" if capture == "install_error_capture" else f" as `{capture}`")
            )
        statements.append(f"{capture}({app.name})")
        changes.append(f"install error capture on `{app.label()}`")
    if not statements:
        return PatchResult(source)

    body: list[cst.BaseStatement] = list(module.body)
    user: cst.BaseStatement = app.assignment if app.factory is None else app.factory
    if app.factory is None:
        _insert_statements(module, body, app, statements)
    else:
        block = app.factory.body
        assert isinstance(block, cst.IndentedBlock)
        inner: list[cst.BaseStatement] = list(block.body)
        _insert_statements(module, inner, app, statements)
        user = app.factory.with_changes(body=block.with_changes(body=inner))
        body[index_of(body, app.factory)] = user
    for new in new_imports:
        insert_import(module, body, new, index_of(body, user))
    return PatchResult(module.with_changes(body=body).code, tuple(changes))


def _find_app(module: cst.Module, imports: Imports) -> _App:
    found: dict[tuple[str, str], _App] = {}
    scopes: list[tuple[cst.FunctionDef | None, tuple[cst.BaseStatement, ...]]] = [
        (None, tuple(module.body))
    ]
    scopes.extend(
        (statement, tuple(statement.body.body))
        for statement in module.body
        if isinstance(statement, cst.FunctionDef) and isinstance(statement.body, cst.IndentedBlock)
    )
    for factory, statements in scopes:
        for statement in statements:
            for name in _assigned_apps(statement, imports):
                scope = "" if factory is None else factory.name.value
                assert isinstance(statement, cst.SimpleStatementLine)
                # A later assignment to the same name replaces the app: wire the last one.
                found[(scope, name)] = _App(name, statement, factory)
    if not found:
        raise PatchError(
            "no FastAPI app found: expected `app = FastAPI(...)` at module level or in a "
            "factory function"
        )
    if len(found) > 1:
        names = ", ".join(app.label() for app in found.values())
        raise PatchError(f"several FastAPI apps found ({names}); wire the telemetry router by hand")
    return next(iter(found.values()))


def _assigned_apps(statement: cst.BaseStatement, imports: Imports) -> list[str]:
    if not isinstance(statement, cst.SimpleStatementLine):
        return []
    names = []
    for small in statement.body:
        target: cst.BaseExpression | None = None
        value: cst.BaseExpression | None = None
        if isinstance(small, cst.Assign):
            target, value = small.targets[0].target, small.value
        elif isinstance(small, cst.AnnAssign):
            target, value = small.target, small.value
        if (
            isinstance(target, cst.Name)
            and isinstance(value, cst.Call)
            and imports.refers_to(value.func, *FASTAPI_APPS)
        ):
            names.append(target.value)
    return names


class _CallFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)


def _all_calls(node: cst.CSTNode) -> list[cst.Call]:
    finder = _CallFinder()
    node.visit(finder)
    return finder.calls


def _includes(module: cst.Module, imports: Imports, app: str, router: str) -> bool:
    for call in _all_calls(module):
        if dotted_name(call.func) == f"{app}.include_router":
            argument = call_argument(call, 0, "router")
            if argument is not None and imports.refers_to(argument, router):
                return True
    return False


def _calls(module: cst.Module, imports: Imports, function: str) -> bool:
    return any(imports.refers_to(call.func, function) for call in _all_calls(module))


def _includes_router(statement: cst.BaseStatement, app: str) -> bool:
    # Only statements that run in this scope; a nested def only defines code for later.
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return False
    return any(dotted_name(call.func) == f"{app}.include_router" for call in _all_calls(statement))


def _insert_statements(
    module: cst.Module, body: list[cst.BaseStatement], app: _App, statements: list[str]
) -> None:
    """Insert ``statements`` after the last ``include_router`` of the app, else after it."""
    anchor = index_of(body, app.assignment)
    for index in range(anchor + 1, len(body)):
        if _includes_router(body[index], app.name):
            anchor = index
    for offset, code in enumerate(statements, start=1):
        statement = cst.parse_statement(
            code + module.default_newline, config=module.config_for_parsing
        )
        body.insert(anchor + offset, statement)
