"""The edits themselves: wire the router into the app, and a log call into each route handler."""

from __future__ import annotations

import ast

from telemetry_cli.errors import PatchError
from telemetry_cli.patching.apps import AppSite, wiring_block
from telemetry_cli.patching.edits import (
    LogCall,
    ModuleEditor,
    body_insertion_point,
    existing_log_calls,
    log_call_lines,
    payload_entries,
    statement_indent_unit,
    top_statement_of,
)
from telemetry_cli.patching.routes import Handler, find_handlers
from telemetry_cli.patching.symbols import Binding, PackageIndex

SKIP = "mark the handler `# telemetry-scaffold: skip`"


def wire_app(
    editor: ModuleEditor, site: AppSite, analytics_package: str, *, capture_errors: bool
) -> None:
    """Include the telemetry router in the app (and install error capture), once."""
    module = editor.module
    router_target = f"{analytics_package}.telemetry_router.router"
    capture_target = f"{analytics_package}.error_capture.install_error_capture"
    calls = [node for node in ast.walk(module.tree) if isinstance(node, ast.Call)]
    included = any(
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "include_router"
        and (argument := _first_argument(call, "router")) is not None
        and module.refers_to(argument, router_target)
        for call in calls
    )
    installed = any(module.refers_to(call.func, capture_target) for call in calls)
    statements: list[str] = []
    reads: list[str] = []
    anchor = wiring_block(site)
    used_at = top_statement_of(module, anchor)
    if not included:
        router = editor.import_name(
            f"{analytics_package}.telemetry_router",
            "router",
            "telemetry_router",
            used_at,
            "the telemetry router",
        )
        statements.append(f"{site.expression}.include_router({router})")
        reads.append(router)
        editor.edits.changes.append(f"include the telemetry router in `{site.label}`")
    if capture_errors and not installed:
        capture = editor.import_name(
            f"{analytics_package}.error_capture",
            "install_error_capture",
            "install_error_capture",
            used_at,
        )
        statements.append(f"{capture}({site.expression})")
        reads.append(capture)
        editor.edits.changes.append(f"install error capture on `{site.label}`")
    if statements:
        indent = module.lines.indentation(site.anchor.lineno)
        end = anchor.end_lineno or anchor.lineno
        editor.insert(
            end + 1, tuple(indent + statement for statement in statements), (0,), tuple(reads)
        )


def _first_argument(call: ast.Call, keyword: str) -> ast.expr | None:
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    return None


def instrument_module(editor: ModuleEditor, event_type: str, analytics_package: str) -> None:
    """Add a log call of ``event_type`` to every route handler of the editor's module.

    Handlers that already log once with ``event_type``, and handlers marked
    ``# telemetry-scaffold: skip``, are left alone; every other handler that cannot get its
    call is reported with its line, its shape and the fix.

    Raises:
        PatchError: the module has no route handler at all (the plan names the wrong module).
    """
    module = editor.module
    index = editor.index
    handlers, suspects = find_handlers(module, index)
    path = module.path
    if not handlers and not suspects:
        raise PatchError(
            f"{path}: no route handlers found (functions decorated with @<router>.get/post/... "
            "of an APIRouter or FastAPI app); fix the instrument entry in the plan"
        )
    logger_module = f"{analytics_package}.event_logger"
    targets = frozenset({f"{logger_module}.event_logger", logger_module})
    problems: list[tuple[int, str]] = []
    todo: list[tuple[Handler, int, str]] = []
    for handler in handlers:
        if handler.skipped:
            continue
        line = handler.function.lineno
        where = f"{path}:{line}: route {handler.label()}"
        calls = [
            call
            for call in existing_log_calls(handler, index, targets)
            if not editor.is_deleted(call.statement)  # an older call being replaced
        ]
        if calls:
            problems.extend((line, problem) for problem in _call_problems(where, calls, event_type))
            continue
        reasons = [
            f"{route.problem}; add the log call by hand, or {SKIP}"
            for route in handler.routes
            if route.problem
        ]
        reasons.extend(
            f"its path parameter `{parameter}` is of a type the event logger cannot record "
            f"(every event would be dropped); log str({parameter}) by hand, or {SKIP}"
            for parameter in _unrecordable_parameters(handler, index)
        )
        point = body_insertion_point(handler.function, module)
        if point is None:
            reasons.append(
                f"its body is on the `def` line; move the body to lines of its own, or {SKIP}"
            )
        if reasons:
            problems.append((line, f"{where} cannot be instrumented: {reasons[0]}"))
            continue
        assert point is not None
        todo.append((handler, *point))
    for suspect in suspects:
        first = min(
            [decorator.lineno for decorator in suspect.function.decorator_list]
            + [suspect.function.lineno]
        )
        if module.lines.has_pragma(first, suspect.function.lineno) or existing_log_calls(
            suspect.handler, index, targets
        ):
            continue  # skipped, or logged by hand: nothing to report
        problems.append(
            (
                suspect.function.lineno,
                f"{path}:{suspect.function.lineno}: {suspect.qualname} looks like a route on "
                f"`{suspect.owner}`, which cannot be told to be a FastAPI app or router (built "
                "outside the package, or by code that is not followed); add the log call by "
                f"hand, or {SKIP}",
            )
        )
    editor.edits.problems.extend(problem for _, problem in sorted(problems))
    if not todo:
        return
    fallback_block = module.name.rpartition(".")[2]
    unit = statement_indent_unit(module)
    handlers_todo = [handler for handler, _, _ in todo]
    logger = _logger_name(
        editor, handlers_todo, logger_module, top_statement_of(module, todo[0][0].function)
    )
    for handler, before, indent in todo:
        code = log_call_lines(
            logger, event_type, payload_entries(handler, fallback_block), indent, unit
        )
        editor.insert(before, tuple(indent + line for line in code), (1,), (logger,))
        editor.edits.changes.append(f"log call in {handler.label()}")


def undeclared_event_types(
    editor: ModuleEditor, declared: frozenset[str], analytics_package: str
) -> None:
    """Name every ``log``/``record`` call of the generated logger with an undeclared type.

    Such a call is dropped at run time (with a warning) however often generate runs, so it is a
    problem for a person, reported with its line.
    """
    module = editor.module
    logger_module = f"{analytics_package}.event_logger"
    targets = (f"{logger_module}.event_logger", logger_module)
    for node in ast.walk(module.tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("log", "record")
            and any(module.refers_to(node.func.value, target) for target in targets)
        ):
            continue
        argument = node.args[0] if node.args else None
        for keyword in node.keywords:
            if keyword.arg == "event_type":
                argument = keyword.value
        if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
            continue
        if argument.value in declared or _in_deleted(editor, node):
            continue
        editor.edits.problems.append(
            f"{module.path}:{node.lineno}: logs {argument.value!r}, which is not in event-types "
            f"{sorted(declared)}: every such event is dropped; add it to the plan or fix the call"
        )


def _in_deleted(editor: ModuleEditor, node: ast.AST) -> bool:
    line = getattr(node, "lineno", 0)
    return any(deletion.first <= line <= deletion.last for deletion in editor.edits.deletions)


def _unrecordable_parameters(handler: Handler, index: PackageIndex) -> list[str]:
    """Path parameters annotated with a class of the package that JSON cannot hold.

    The logger records JSON types and the standard ones (UUID, dates, Decimal, Enum, Path, ...);
    a plain class of the package (a custom type with pydantic hooks, say) is neither, and is
    known to be dropped. Classes from outside the package are given the benefit of the doubt.
    """
    names = {value for _, value in payload_entries(handler, "") if value.isidentifier()}
    arguments = handler.function.args
    found = []
    for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
        if argument.arg not in names or argument.annotation is None:
            continue
        for expression in _annotated_classes(argument.annotation):
            binding = index.binding_of(expression, handler.scope)
            if binding is not None and binding.kind == "class" and _plain_class(binding, index):
                found.append(argument.arg)
                break
    return found


def _annotated_classes(annotation: ast.expr) -> list[ast.expr]:
    """The classes an annotation allows: through ``Annotated``, ``Optional``, unions."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _annotated_classes(annotation.left) + _annotated_classes(annotation.right)
    if isinstance(annotation, ast.Subscript):
        name = ast.unparse(annotation.value).rpartition(".")[2]
        inner = annotation.slice
        items = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        if name == "Annotated":
            return _annotated_classes(items[0])
        if name in ("Optional", "Union"):
            return [found for item in items for found in _annotated_classes(item)]
        return []
    if isinstance(annotation, ast.Name | ast.Attribute):
        return [annotation]
    return []


def _plain_class(binding: Binding, index: PackageIndex, depth: int = 0) -> bool:
    """Whether a class of the package derives from nothing but classes of the package."""
    cls = binding.node
    assert isinstance(cls, ast.ClassDef)
    if depth > 16:
        return False
    for base in cls.bases:
        base_binding = index.binding_of(base, binding.scope)
        if base_binding is None or base_binding.kind != "class":
            return False  # a library or builtin class (str, Enum, ...): may well be recordable
        if not _plain_class(base_binding, index, depth + 1):
            return False
    return True


def _call_problems(where: str, calls: list[LogCall], event_type: str) -> list[str]:
    """What is wrong with a handler's existing log calls (nothing when there is one, right)."""
    problems = []
    if len(calls) > 1:
        problems.append(f"{where} logs the event {len(calls)} times; keep one call")
    for call in calls:
        if call.event_type is None:
            problems.append(
                f"{where} logs an event type that is not a string literal, expected {event_type!r}"
            )
        elif call.event_type != event_type:
            problems.append(
                f"{where} logs {call.event_type!r}, expected {event_type!r}; "
                "fix the call or the plan"
            )
    return problems


def _logger_name(
    editor: ModuleEditor, handlers: list[Handler], logger_module: str, used_at: ast.stmt
) -> str:
    """The module-level name of the event logger: an existing import, or a new one."""
    existing = editor.local_name_for(f"{logger_module}.event_logger")
    if existing is not None and not any(
        existing in handler.scope.assigned_names() for handler in handlers
    ):
        return existing
    if existing is not None:
        # A parameter or local of that name would shadow the module-level instance.
        alias = editor.free_name("event_logger")
        editor.add_import(logger_module, "event_logger", alias, used_at)
        return alias
    return editor.import_name(logger_module, "event_logger", "event_logger", used_at)
