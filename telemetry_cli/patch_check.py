"""Prove, with the standard library alone, that a patch target needs no patching.

``generate --check`` runs in pre-commit hooks and CI, where the project is almost always up to
date already. Importing libcst costs about as much as the rest of the command together, so the
sync engine asks these checkers first and loads the libcst patchers only when they cannot prove
that a file is up to date.

Each checker mirrors the detection rules of its patcher (:mod:`telemetry_cli.patch_main`,
:mod:`telemetry_cli.patch_routes`) on the :mod:`ast` tree, and answers ``True`` only when the
patcher would return the source unchanged, with no change and no problem. Anything it is unsure
about (a syntax error, a shape the patcher reports or refuses) gives ``False``: that costs only
the libcst import, and the patcher then gives the authoritative answer and its messages.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence

from telemetry_cli.fastapi_names import FASTAPI_APPS, HTTP_METHODS, ROUTE_OWNERS

__all__ = ["main_is_patched", "routes_are_instrumented"]

# The line breaks Python's tokenizer knows, and so the ones `lineno` counts (not \f or \u2028).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_FunctionDef = ast.FunctionDef | ast.AsyncFunctionDef


def main_is_patched(
    source: str, *, module_name: str, analytics_package: str, capture_errors: bool
) -> bool:
    """Whether :func:`~telemetry_cli.patch_main.patch_main` would leave ``source`` as it is.

    Args:
        source: The text of ``main.py`` (BOM already stripped).
        module_name: Its import name, e.g. ``app.main``.
        analytics_package: The import name of the generated package, e.g. ``app.analytics``.
        capture_errors: Whether ``install_error_capture(app)`` must be called too.

    Returns:
        ``True`` only when the file has exactly one FastAPI app, includes the telemetry router
        in it and (when asked) installs error capture; ``False`` when that cannot be proved.
    """
    tree = _parse(source)
    if tree is None:
        return False
    imports = _Imports(tree, module_name)
    app = _single_app(tree, imports, source)
    if app is None:
        return False
    router = f"{analytics_package}.telemetry_router.router"
    capture = f"{analytics_package}.error_capture.install_error_capture"
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    included = False
    for call in calls:
        if _dotted_name(call.func) == f"{app}.include_router":
            argument = _call_argument(call, 0, "router")
            if argument is not None and imports.refers_to(argument, router):
                included = True
                break
    if not included:
        return False
    return not capture_errors or any(imports.refers_to(call.func, capture) for call in calls)


def routes_are_instrumented(
    source: str, *, module_name: str, analytics_package: str, event_type: str
) -> bool:
    """Whether :func:`~telemetry_cli.patch_routes.instrument_routes` would leave ``source`` as is.

    Args:
        source: The module's text (BOM already stripped).
        module_name: Its import name, e.g. ``app.api.ai_blocks``.
        analytics_package: The import name of the generated package, e.g. ``app.analytics``.
        event_type: The event type every handler of the module must log.

    Returns:
        ``True`` only when the module has route handlers (module-scope ones, all readable, or
        route-looking functions in classes and other functions) and each logs ``event_type``
        exactly once; ``False`` when that cannot be proved.
    """
    tree = _parse(source)
    if tree is None:
        return False
    imports = _Imports(tree, module_name)
    handlers = _route_handlers(tree, imports)
    if not handlers:
        return False  # the patcher raises (no handler) or reports an unreadable route
    logger_module = f"{analytics_package}.event_logger"
    instances = (f"{logger_module}.event_logger", logger_module)
    # Enclosed route-lookalikes are never patched but reported unless they log just so, too.
    return all(
        _logged_event_types(handler, imports, instances) == [event_type] for handler in handlers
    )


# --- parsing and names -------------------------------------------------------------------------


def _parse(source: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            # Invalid escapes in the user's strings warn on compile; that is not ours to report.
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _dotted_name(node: ast.expr) -> str | None:
    """Return ``a.b.c`` for a chain of names and attributes, else ``None``."""
    attributes: list[str] = []
    while isinstance(node, ast.Attribute):
        attributes.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(attributes)])


def _string_value(node: ast.expr | None) -> str | None:
    """Return the value of a plain string literal (f-strings and bytes are not), else ``None``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _call_argument(call: ast.Call, position: int | None, keyword: str) -> ast.expr | None:
    """Return the argument of ``call`` at ``position`` (if given) or passed as ``keyword=``."""
    positional = [arg for arg in call.args if not isinstance(arg, ast.Starred)]
    if position is not None and position < len(positional):
        return positional[position]
    for argument in call.keywords:
        if argument.arg == keyword:
            return argument.value
    return None


def _resolve_from(module_name: str, node: ast.ImportFrom) -> str | None:
    """Return the absolute module an ``import from`` statement of ``module_name`` names."""
    name = node.module or ""
    if node.level == 0:
        return name
    base = module_name.split(".")[:-1]
    if node.level - 1 >= len(base):
        return None
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, name] if name else base)


def _all_statements(statements: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, nested ones included; imports are statements, so no expression is visited.

    Much cheaper than ``ast.walk`` on a large module, which visits every expression node too.
    """
    stack = list(statements)
    while stack:
        node = stack.pop()
        yield node
        for field in ("body", "orelse", "finalbody"):
            children = getattr(node, field, None)
            if isinstance(children, list):
                stack.extend(children)
        for holder in (*getattr(node, "handlers", ()), *getattr(node, "cases", ())):
            stack.extend(holder.body)


class _Imports:
    """What the names bound by imports in any scope refer to, as absolute dotted names."""

    def __init__(self, tree: ast.Module, module_name: str) -> None:
        bound: dict[str, set[str]] = {}
        for node in _all_statements(tree.body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname is not None:
                        bound.setdefault(alias.asname, set()).add(alias.name)
                    else:
                        # `import a.b` binds `a`; `a.b` is then reached through attributes.
                        head = alias.name.split(".")[0]
                        bound.setdefault(head, set()).add(head)
            elif isinstance(node, ast.ImportFrom):
                source = _resolve_from(module_name, node)
                if source is None:
                    continue
                # `from x import *` binds `*`, which no name in the code can refer to.
                for alias in node.names:
                    local = alias.asname if alias.asname is not None else alias.name
                    bound.setdefault(local, set()).add(f"{source}.{alias.name}")
        self._bound = bound

    def refers_to(self, node: ast.expr, *targets: str) -> bool:
        """Whether ``node`` (a name or attribute chain) refers to one of ``targets``."""
        name = _dotted_name(node)
        if name is None:
            return False
        head, _, rest = name.partition(".")
        suffix = f".{rest}" if rest else ""
        return any(f"{base}{suffix}" in targets for base in self._bound.get(head, ()))


# --- main.py -----------------------------------------------------------------------------------


def _single_app(tree: ast.Module, imports: _Imports, source: str) -> str | None:
    """Return the name of the one FastAPI app the patcher would find, or ``None``."""
    # Keyed like the patcher's: (scope, name); a name assigned twice in a scope is one app.
    found = {("", name) for name in _assigned_apps(tree.body, imports)}
    lines: list[str] | None = None
    for statement in tree.body:
        if not isinstance(statement, _FunctionDef):
            continue
        names = _assigned_apps(statement.body, imports)
        if not names:
            continue
        lines = _LINE_BREAK.split(source) if lines is None else lines
        if not _on_own_line(lines, statement.body[0]):
            # `def make(): app = FastAPI()`: the patcher does not look into one-line bodies.
            return None
        found.update((statement.name, name) for name in names)
    if len(found) != 1:
        return None
    return next(iter(found))[1]


def _assigned_apps(statements: Iterable[ast.stmt], imports: _Imports) -> list[str]:
    names = []
    for statement in statements:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(statement, ast.Assign):
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign):
            target, value = statement.target, statement.value
        if (
            isinstance(target, ast.Name)
            and isinstance(value, ast.Call)
            and imports.refers_to(value.func, *FASTAPI_APPS)
        ):
            names.append(target.id)
    return names


def _on_own_line(lines: Sequence[str], statement: ast.stmt) -> bool:
    """Whether ``statement`` provably starts a logical line (an indented block's first line)."""
    line = lines[statement.lineno - 1]
    # `col_offset` counts UTF-8 bytes.
    before = line.encode("utf-8", "surrogatepass")[: statement.col_offset]
    if before.strip(b" \t\f"):
        return False
    # A backslash at the end of the line before joins the two into one logical line.
    return statement.lineno < 2 or not lines[statement.lineno - 2].endswith("\\")


# --- route modules -----------------------------------------------------------------------------


def _route_handlers(tree: ast.Module, imports: _Imports) -> list[_FunctionDef] | None:
    """Return every function the patcher treats as a route, or ``None`` if one is unreadable.

    Like the patcher: module-scope handlers (also in module-level ``if``/``try``/... blocks) of
    module-scope routers, then the functions in class bodies and other functions that look like
    routes (through a module router, a router assigned in the enclosing code, or a parameter of
    an enclosing function). The patcher never edits the latter but reports them unless they log.
    """
    module_scope = list(_scope_statements(tree.body))
    routers = _route_owner_names(module_scope, imports)
    handlers: list[_FunctionDef] = []
    pending: list[tuple[_FunctionDef | ast.ClassDef, frozenset[str]]] = []
    for statement in module_scope:
        if isinstance(statement, _FunctionDef):
            decorator = _route_decorator(statement, routers)
            if decorator is not None:
                if not _is_readable(decorator):
                    return None
                handlers.append(statement)
        if isinstance(statement, _FunctionDef | ast.ClassDef):
            pending.append((statement, routers))
    while pending:
        definition, names = pending.pop()
        if isinstance(definition, _FunctionDef):
            names = names | _all_parameters(definition.args)
        statements = list(_scope_statements(definition.body))
        names = names | _route_owner_names(statements, imports)
        for statement in statements:
            if isinstance(statement, _FunctionDef) and _route_decorator(statement, names):
                handlers.append(statement)
            if isinstance(statement, _FunctionDef | ast.ClassDef):
                pending.append((statement, names))
    return handlers


def _scope_statements(statements: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement of one scope: compound blocks are entered, def and class bodies not."""
    stack = list(statements)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _FunctionDef | ast.ClassDef):
            continue
        for field in ("body", "orelse", "finalbody"):
            children = getattr(node, field, None)
            if isinstance(children, list):
                stack.extend(children)
        for holder in (*getattr(node, "handlers", ()), *getattr(node, "cases", ())):
            stack.extend(holder.body)


def _route_owner_names(statements: Iterable[ast.stmt], imports: _Imports) -> frozenset[str]:
    """The names ``statements`` assign ``APIRouter(...)`` or ``FastAPI(...)`` to."""
    names: set[str] = set()
    for statement in statements:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value  # `a = b = ...` binds both
        elif isinstance(statement, ast.AnnAssign):
            targets, value = [statement.target], statement.value
        if isinstance(value, ast.Call) and imports.refers_to(value.func, *ROUTE_OWNERS):
            names.update(target.id for target in targets if isinstance(target, ast.Name))
    return frozenset(names)


def _all_parameters(arguments: ast.arguments) -> frozenset[str]:
    """Every name a function's parameters bind, ``*args`` and ``**kwargs`` included."""
    params = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    params.extend(star for star in (arguments.vararg, arguments.kwarg) if star is not None)
    return frozenset(param.arg for param in params)


def _route_decorator(function: _FunctionDef, names: frozenset[str]) -> ast.Call | None:
    """The first ``@<name>.<verb>(...)`` decorator with ``name`` in ``names``, as the patcher."""
    for decorator in function.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and isinstance(decorator.func.value, ast.Name)
            and decorator.func.value.id in names
            and (decorator.func.attr in HTTP_METHODS or decorator.func.attr == "api_route")
        ):
            return decorator
    return None


def _is_readable(decorator: ast.Call) -> bool:
    """Whether the patcher can read the path and (for ``api_route``) every method."""
    if _string_value(_call_argument(decorator, 0, "path")) is None:
        return False
    assert isinstance(decorator.func, ast.Attribute)
    if decorator.func.attr != "api_route":
        return True
    methods = _call_argument(decorator, None, "methods")
    if methods is None:
        return True  # GET, FastAPI's default
    if not isinstance(methods, ast.List | ast.Tuple | ast.Set) or not methods.elts:
        return False
    for element in methods.elts:
        if isinstance(element, ast.Starred):
            element = element.value  # libcst reads the value of a starred element
        if not _string_value(element):
            return False
    return True


def _logged_event_types(
    handler: _FunctionDef, imports: _Imports, instances: tuple[str, ...]
) -> list[str | None]:
    """Return the event type of each log call among the handler's top-level statements."""
    logged: list[str | None] = []
    for statement in handler.body:
        if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
            continue
        func = statement.value.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "log"
            and imports.refers_to(func.value, *instances)
        ):
            logged.append(_string_value(_call_argument(statement.value, 0, "event_type")))
    return logged
