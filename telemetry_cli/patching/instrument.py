"""The edits themselves: wire the router into the app, and a log call into each route handler."""

import ast
import bisect
import functools
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

from telemetry_cli.console import quoted
from telemetry_cli.errors import PatchError
from telemetry_cli.events import CONTEXT_PROPERTIES, EventSpec
from telemetry_cli.manifest import Stub
from telemetry_cli.patching.apps import AppSite, versions_in_place, wiring_block
from telemetry_cli.patching.collisions import telemetry_wiring
from telemetry_cli.patching.docstrings import after_docstring
from telemetry_cli.patching.edits import (
    InlineSpot,
    LogCall,
    ModuleEditor,
    body_insertion_point,
    display_width,
    existing_log_calls,
    first_line,
    header_continued,
    inline_cut,
    inline_spot,
    inline_stub,
    log_call_lines,
    lone_stub,
    orphaned_logger,
    payload_entries,
    removable,
    statement_indent_unit,
    statement_lines,
    top_statement_of,
)
from telemetry_cli.patching.limits import (
    missing_return_note,
    statement_notes,
    unused_arguments_note,
)
from telemetry_cli.patching.names import BASE_MODELS, RESPONSE_CACHES
from telemetry_cli.patching.removal import (
    FormerCalls,
    inserted_call,
    looks_inserted,
    stale_entries,
    take_out,
    user_comment,
    writes,
)
from telemetry_cli.patching.route_order import RouteOrder, matched_path
from telemetry_cli.patching.routes import (
    Handler,
    Route,
    find_handlers,
    is_dependency,
    unfollowed_registrations,
    unrecordable_parameters,
)
from telemetry_cli.patching.symbols import (
    COMPREHENSIONS,
    Binding,
    FunctionNode,
    ModuleModel,
    PackageIndex,
    Scope,
    block_statements,
    names_in,
    parameters_of,
)
from telemetry_cli.plan import shown_event_types

SKIP = "mark the handler `# telemetry-scaffold: skip`"


def wire_app(
    editor: ModuleEditor,
    site: AppSite,
    analytics_package: str,
    *,
    capture_errors: bool,
    api_prefix: str | None = None,
) -> None:
    """Include the telemetry router in the app (and install error capture), once.

    With the plan's ``api_prefix``, it goes before an include whose catch-all would answer the
    telemetry paths first (see :func:`~.collisions.catch_all_include`).
    """
    module = editor.module
    router_target = f"{analytics_package}.telemetry_router.router"
    capture_target = f"{analytics_package}.error_capture.install_error_capture"
    calls = [
        node
        for node in module.nodes_near(["include_router", *module.names_for(capture_target)])
        if isinstance(node, ast.Call)
    ]
    includes = [
        call
        for call in calls
        if isinstance(call.func, ast.Attribute)
        and call.func.attr == "include_router"
        and (argument := _first_argument(call, "router")) is not None
        and module.refers_to(argument, router_target)
    ]
    included = bool(includes)
    hooks = [call for call in calls if module.refers_to(call.func, capture_target)]
    installed = bool(hooks)
    guarded = _app_dependencies(site)
    if guarded is not None:
        # Not an error (an app behind authentication may want its telemetry behind it too),
        # but clients that pass none of them get no event in: said on every run.
        editor.edits.notes.append(
            f"{module.path}:{guarded}: the app's `dependencies=` run for the telemetry routes "
            "too: the log and health endpoints answer only requests they let through"
        )
    statements: list[str] = []
    reads: list[str] = []
    if api_prefix is None:
        anchor = wiring_block(site)
    else:
        anchor = telemetry_wiring(site, editor.index, api_prefix)
    used_at = top_statement_of(module, anchor)
    block = _guarded_block(site)
    if versions_in_place(anchor, site):
        for call in includes:
            if call.lineno < anchor.lineno:
                # Left as it is (it may have been put there by hand), but its routes answer
                # only under the version prefixes (an earlier version of the tool put it there).
                editor.edits.notes.append(
                    f"{module.path}:{call.lineno}: the telemetry router is included before "
                    f"`Versionizer` (line {anchor.lineno}), which moves it under the version "
                    "prefixes with the app's routes: move it below that call"
                )
    if block is None:
        # Imports already there follow the module's spelling as a new one would.
        for target_module, name, wanted in (
            (f"{analytics_package}.telemetry_router", "router", included),
            (f"{analytics_package}.error_capture", "install_error_capture", capture_errors),
        ):
            local = editor.local_name_for(f"{target_module}.{name}")
            if wanted and local is not None:
                editor.respell(target_module, name, local, used_at)
    _lay_out_wiring(editor, site, [*includes, *hooks])
    if not included:
        router = editor.import_name(
            f"{analytics_package}.telemetry_router",
            "router",
            "telemetry_router",
            used_at,
            "the telemetry router",
            block,
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
            block=block,
        )
        statements.append(f"{capture}({site.expression})")
        reads.append(capture)
        editor.edits.changes.append(f"install error capture on `{site.label}`")
    if statements:
        indent = module.lines.indentation(site.anchor.lineno)
        end = anchor.end_lineno or anchor.lineno
        lines = tuple(
            line
            for statement in statements
            for line in statement_lines(
                statement, indent, module.indent_unit, module.style.line_length
            )
        )
        editor.insert(end + 1, lines, (0,), tuple(reads))


def _lay_out_wiring(editor: ModuleEditor, site: AppSite, calls: list[ast.Call]) -> None:
    """Lay out again the wiring calls generate wrote, where the layout it writes now differs.

    ``calls``: the app's ``include_router`` calls and error-capture installs. One of them that
    is a statement of the app's block, on lines of its own without a comment, in the shape
    generate writes (``app.include_router(telemetry_router)``, ``install_error_capture(app)``)
    but laid out otherwise (the formatter's settings changed since it went in, and an older
    commit checked out brought it back as it was then) is written again as generate writes it
    now: the module is what one generate makes of it.
    """
    module = editor.module
    by_value = {id(item.value): item for item in site.block if isinstance(item, ast.Expr)}
    for call in calls:
        statement = by_value.get(id(call))
        if (
            statement is None
            or len(call.args) != 1
            or call.keywords
            or not isinstance(call.args[0], ast.Name)
            or editor.is_deleted(statement)
            or not module.owns_lines(statement)
            or user_comment(module, statement) is not None
        ):
            continue
        argument = call.args[0].id
        if isinstance(call.func, ast.Attribute):
            source = f"{site.expression}.include_router({argument})"
        else:
            source = f"{ast.unparse(call.func)}({site.expression})"
        if ast.dump(ast.parse(source).body[0]) != ast.dump(statement):
            continue  # not the shape generate writes: the user's
        indent = module.lines.indentation(statement.lineno)
        wanted = statement_lines(source, indent, module.indent_unit, module.style.line_length)
        end = statement.end_lineno or statement.lineno
        written = tuple(module.lines.line(number) for number in range(statement.lineno, end + 1))
        if written == wanted:
            continue
        editor.delete(statement)
        editor.insert(statement.lineno, wanted, (0,), (argument,))
        editor.edits.changes.append(f"lay out `{ast.unparse(statement)}` as configured now")


def _guarded_block(site: AppSite) -> tuple[ast.stmt, ...] | None:
    """The block the wiring's imports go in, when the module imports FastAPI only guarded.

    ``try: from fastapi import FastAPI`` / ``except ImportError: FastAPI = None``, then ``if
    FastAPI: app = FastAPI()``: the layer's router and error capture import FastAPI
    themselves, so imported at the module's top they would fail the way through that
    builds no app. They go in the block that builds it (the branch, the ``try`` body, the
    factory). None when FastAPI is imported unguarded, or the app is built at the top level.
    """
    body = site.module.tree.body
    if any(statement is site.block[0] for statement in body):
        return None
    if any(_imports_fastapi(statement) for statement in body):
        return None
    if any(_imports_fastapi(statement) for statement in block_statements(body)):
        return site.block
    return None


def _imports_fastapi(statement: ast.stmt) -> bool:
    """Whether ``statement`` is an import of ``fastapi`` or of one of its modules."""
    if isinstance(statement, ast.Import):
        return any(alias.name.split(".")[0] == "fastapi" for alias in statement.names)
    return (
        isinstance(statement, ast.ImportFrom)
        and not statement.level
        and (statement.module or "").split(".")[0] == "fastapi"
    )


def _app_dependencies(site: AppSite) -> int | None:
    """The line of a ``dependencies=`` of the call that builds the app at ``site``, if any.

    ``app = FastAPI(dependencies=[Depends(verify_token)])``: every route of the app runs them,
    the included telemetry router's too.
    """
    anchor = site.anchor
    value = anchor.value if isinstance(anchor, ast.Assign | ast.AnnAssign) else None
    if not isinstance(value, ast.Call):
        return None
    for keyword in value.keywords:
        if keyword.arg == "dependencies" and not (
            isinstance(keyword.value, ast.List | ast.Tuple) and not keyword.value.elts
        ):
            return keyword.value.lineno
    return None


def _first_argument(call: ast.Call, keyword: str) -> ast.expr | None:
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    return None


def logged_handlers(handlers: list[Handler], index: PackageIndex) -> list[Handler]:
    """The handlers of a module generate puts a log call in, in their order.

    Every handler but those marked ``# telemetry-scaffold: skip`` and those an earlier route
    answers every request of (:meth:`~.route_order.RouteOrder.shadowed_by`: never called):
    ``init`` counts these, so the count it offers a module with is the one generate logs.
    """
    return [handler for handler, hiding in handler_fates(handlers, index) if hiding is None]


def handler_fates(
    handlers: list[Handler], index: PackageIndex
) -> list[tuple[Handler, tuple[Handler, Route] | None]]:
    """Each handler not marked ``# telemetry-scaffold: skip``, with the route hiding it, if any.

    The one reading of which handlers generate logs (:func:`logged_handlers`, and
    :func:`instrument_module`, which also takes a hidden handler's earlier call out): a handler
    an earlier route answers every request of
    (:meth:`~.route_order.RouteOrder.shadowed_by`) is never called.
    """
    order = RouteOrder(index)
    return [(handler, order.shadowed_by(handler)) for handler in handlers if not handler.skipped]


def instrument_module(
    editor: ModuleEditor,
    event_type: str,
    analytics_package: str,
    event: EventSpec | None = None,
    captured: tuple[str, ...] = (),
    *,
    force: bool = False,
    former: FormerCalls | None = None,
    instrumented: frozenset[str] = frozenset(),
    parameters: Mapping[str, str] | None = None,
) -> None:
    """Add a log call of ``event_type`` to every route handler of the editor's module.

    Handlers that already log once with ``event_type``, and handlers marked
    ``# telemetry-scaffold: skip``, are left alone; every other handler that cannot get its
    call is reported with its line, its shape and the fix. For a declared ``event`` the call
    carries the route context and the ``captured`` properties, each from a parameter of the
    handler or a field of its body model; a required one that cannot be found is reported.
    A call generate inserted that was edited by hand is the user's, but what it says that went
    out of date (see :func:`~.removal.stale_entries`) is reported; ``force`` replaces it.
    ``former``: what earlier runs' calls logged in the module and through which layer, when the
    plan changed either (a call of theirs that generate wrote, kept in a block of the user's, is
    changed where it stands, and moves to the new layer). ``instrumented``: the import names of
    the modules the plan instruments, whose handlers this module may call as functions.
    ``parameters``: the parameter (or body field) name of each captured property filled from a
    name other than its own (``{ user_id = "userId" }`` in the plan).

    Raises:
        PatchError: the module has no route handler at all (the plan names the wrong module).
    """
    module = editor.module
    index = editor.index
    handlers, suspects = find_handlers(module, index)
    unfollowed = unfollowed_registrations(module, index)
    path = module.path
    if not handlers and not suspects and not unfollowed:
        raise PatchError(
            f"{path}: no route handlers found (functions decorated with @<router>.get/post/... "
            "of an APIRouter or FastAPI app); fix the instrument entry in the plan"
        )
    logger_module = f"{analytics_package}.event_logger"
    targets = frozenset({f"{logger_module}.event_logger", logger_module})
    # The types earlier runs logged here (but today's), and the layer they did it through.
    earlier = frozenset() if former is None else former.types - {event_type}
    former_package = None if former is None else former.package
    former_targets = (
        frozenset({f"{former_package}.event_logger.event_logger", f"{former_package}.event_logger"})
        if former_package is not None and former_package != analytics_package
        else frozenset()
    )
    problems: list[tuple[int, str]] = []
    todo: list[tuple[Handler, int | InlineSpot, str, list[tuple[str, str]] | None]] = []
    # Calls through the former layer in blocks of the user's, each moved to the new one in place.
    moves: list[tuple[Handler, LogCall, list[tuple[str, str]] | None]] = []
    orphans: dict[str, Handler] = {}  # logger names whose import was taken out, and a user
    fallback_block = module.name.rpartition(".")[2]
    unreached: list[str] = []  # notes on the handlers an earlier route hides
    hidden: set[int] = set()
    for handler, hiding in handler_fates(handlers, index):
        if hiding is not None:
            # Never called: a log call in it would never run; one generate put in goes.
            hidden.add(id(handler))
            unreached.append(_unreached_note(handler, *hiding))
            _take_out_unreached(editor, handler, logger_module, event_type, earlier, force=force)
            continue
        line = handler.function.lineno
        where = f"{path}:{line}: route {handler.label()}"
        calls = [
            call
            for call in existing_log_calls(handler, index, targets)
            if not editor.is_deleted(call.statement)  # an older call being replaced
        ]
        # The inserted call put by the user into an `if` or `try` of theirs still logs the
        # route, edited or not, of the type the plan logs there now or before: a second one on
        # top would log each request twice. Other calls in blocks are the user's own logging.
        wrapped = [
            call
            for call in existing_log_calls(handler, index, targets, nested=True)
            if call.event_type in earlier | {event_type}
            and looks_inserted(call)
            and not editor.is_deleted(call.statement)
        ]
        filled: list[tuple[str, str]] | None = None
        missing: list[str] = []
        mismatched: list[str] = []
        if event is not None:
            filled, missing = capture_entries(handler, index, event, captured, parameters)
            mismatched = mismatched_captures(handler, index, event, captured, parameters)
        capture_reasons = [_no_capture_source(name, parameters) for name in missing]
        capture_reasons.extend(mismatched)
        # Where generate writes a call (it can), the route's log call logs the type the plan
        # logs there now or before (the record of what generate wrote), or carries the route
        # context generate writes. A call of another literal type without that context was
        # never generate's: it is the user's own logging, beside the route's call or alone (its
        # module dropped from the plan and added back), not a wrong call of the route; its type
        # is checked as any call's of the package (check_logged_calls). A type that is no
        # literal cannot be told, and is taken for the route's, as is any call where generate
        # writes none (it could not: the user was told to log the route by hand).
        writable = not (
            capture_reasons or not handler.readable or unrecordable_parameters(handler, index)
        )
        routes_calls = [
            call
            for call in calls
            if call.event_type in earlier | {event_type} or looks_inserted(call)
        ]
        calls = routes_calls or (
            [] if wrapped else [call for call in calls if call.event_type is None or not writable]
        )
        for call in calls:
            assert isinstance(call.statement.value, ast.Call)
            assert isinstance(call.statement.value.func, ast.Attribute)
            orphan = orphaned_logger(call.statement.value.func.value, handler)
            if orphan is not None:
                orphans.setdefault(orphan, handler)
        if (
            wrapped
            and len(calls) == 1
            and removable(module, calls[0].statement)
            and _inserted_call_state(handler, calls, event_type, filled, module, earlier)
            is not None
        ):
            # Earlier versions put a second call above the one in the user's block.
            editor.delete(calls[0].statement)
            editor.edits.changes.append(
                f"take out the second log call of {handler.label()} (yours in a block logs it)"
            )
            editor.release(f"{logger_module}.event_logger")
            calls = []
        calls = calls or wrapped
        if calls:
            state = _inserted_call_state(handler, calls, event_type, filled, module, earlier)
            if state is not None and capture_reasons:
                # The call generate wrote cannot hold what the plan now captures: a fresh run
                # writes none there, so it goes as removal takes one out (with its import, if
                # nothing else reads it), and the handler is named as for a new call. One in a
                # block of the user's, or that cannot go, stays and is named at its line.
                statement = calls[0].statement
                if statement in handler.function.body and take_out(
                    editor,
                    statement,
                    True,
                    force,
                    f"the log call of route {handler.label()}",
                    ": the plan's capture cannot be filled there (named below)",
                ):
                    editor.release(f"{logger_module}.event_logger")
                    editor.refill(handler.function, statement, handler.qualname)
                    problems.append((line, f"{where} cannot be instrumented: {capture_reasons[0]}"))
                    continue
                at = f"{path}:{statement.lineno}: route {handler.label()}"
                problems.append((line, f"{at} cannot be instrumented: {capture_reasons[0]}"))
                continue
            if state is not None and state[1]:
                _replace_call(editor, handler, state[0], event_type, filled, module)
                continue
            # Only a call that is no longer generate's (state None) can be the user's and stale;
            # where generate writes no call (it could not), any call is the user's own.
            writes = state is None and writable
            stale = (
                _stale_users_call(handler, calls, event_type, filled, event, module, earlier)
                if writes
                else []
            )
            if stale and force:
                _replace_call(editor, handler, calls[0], event_type, filled, module)
                continue
            if stale:
                # Kept as the user's, but said: the run fails until it is brought up to date.
                problems.append(
                    (
                        line,
                        f"{path}:{calls[0].statement.lineno}: the log call of route "
                        f"{handler.label()} was changed by hand (kept as yours) and is out of "
                        f"date: {'; '.join(stale)}; update it by hand, rerun with --force "
                        f"to replace it, or {SKIP} to keep it as it is",
                    )
                )
                continue
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
            for parameter in unrecordable_parameters(handler, index)
        )
        reasons.extend(capture_reasons)
        point = body_insertion_point(handler.function, module)
        inline = inline_stub(handler.function, module) if point is None else None
        if inline is not None:
            # `def f(): ...`: the stub leaves the `def` line, the call goes on the next one.
            indent = module.lines.indentation(handler.function.lineno) + module.indent_unit
            point = (inline.statement.lineno + 1, indent)
        # `def f(): return x`: the call goes into that one-line suite, on its line.
        spot = inline_spot(handler.function, module, editor.is_deleted) if point is None else None
        if point is None and spot is None and header_continued(handler.function, module):
            reasons.append(
                "its body is joined to its `def` line by a backslash (`\\` at the end of the "
                f"line); take the backslash out, or {SKIP}"
            )
        elif point is None and spot is None:
            # `"""Doc."""; x = 1`: the body has lines of its own, the docstring shares one.
            reasons.append(
                "its docstring shares its line with the next statement (`;`); move that "
                f"statement to a line of its own, or {SKIP}"
            )
        if reasons:
            problems.append((line, f"{where} cannot be instrumented: {reasons[0]}"))
            continue
        relayered = [
            call
            for nested in (False, True)
            for call in existing_log_calls(handler, index, former_targets, nested=nested)
            if call.event_type in earlier | {event_type}
            and looks_inserted(call)
            and removable(module, call.statement)
            and not editor.is_deleted(call.statement)
        ]
        if len(relayered) == 1:
            call = relayered[0]
            if inserted_call(handler, call, fallback_block) or force:
                # The call generate wrote, put by the user into a block: it stays where they
                # put it, through the new layer.
                moves.append((handler, call, filled))
                continue
            if call.statement in handler.function.body and editor.said_at(call.statement.lineno):
                continue  # changed by hand, kept where it stands, as removal said
            stale = [
                f"it logs through {former_package}, now {analytics_package}",
                *_stale_users_call(handler, [call], event_type, filled, event, module, earlier),
            ]
            problems.append(
                (
                    line,
                    f"{path}:{call.statement.lineno}: the log call of route {handler.label()} "
                    f"was changed by hand (kept as yours) and is out of date: "
                    f"{'; '.join(stale)}; update it by hand, rerun with --force to replace it, "
                    f"or {SKIP} to keep it as it is",
                )
            )
            continue
        if spot is not None:
            todo.append((handler, spot, "", filled))
            continue
        assert point is not None
        lone = lone_stub(handler.function, module)
        stub = (lone[0], Stub(lone[1])) if lone else _recorded_stub(handler, editor)
        if inline is not None:
            editor.take_inline_stub(inline)
            editor.edits.stubs[handler.qualname] = inline.recorded
        elif stub is not None:
            # The call takes the stub's place (beside it, ruff would call the stub needless);
            # the record keeps the stub for remove to put back.
            if not editor.is_deleted(stub[0]):
                editor.delete(stub[0])
            editor.edits.stubs[handler.qualname] = stub[1]
            point = (stub[0].lineno, module.lines.indentation(stub[0].lineno))
        todo.append((handler, *point, filled))
    for suspect in suspects:
        first = min(
            [decorator.lineno for decorator in suspect.function.decorator_list]
            + [suspect.function.lineno]
        )
        if module.lines.has_pragma(first, suspect.function.lineno) or existing_log_calls(
            suspect.handler, index, targets
        ):
            continue  # skipped, or logged by hand: nothing to report
        if suspect.replaced_by is not None:
            problems.append(
                (
                    suspect.function.lineno,
                    f"{path}:{suspect.function.lineno}: {suspect.qualname} is decorated with "
                    f"`{suspect.owner}`, which `{suspect.replaced_by}` defines itself and "
                    "registers another function with: FastAPI never calls this one, a log call "
                    f"in it would never run; add tracking where `{suspect.replaced_by}` "
                    f"handles the request, or {SKIP}",
                )
            )
            continue
        if suspect.controller is not None:
            problems.append(
                (
                    suspect.function.lineno,
                    f"{path}:{suspect.function.lineno}: {suspect.qualname} is a route of a "
                    f"class-based controller (`@{suspect.owner}` of `{suspect.controller}`): "
                    "the library builds the class's router and registers its methods, which "
                    f"is not read; add the log call by hand, or {SKIP}",
                )
            )
            continue
        problems.append(
            (
                suspect.function.lineno,
                f"{path}:{suspect.function.lineno}: {suspect.qualname} looks like a route on "
                f"`{suspect.owner}`, which cannot be told to be a FastAPI app or router (built "
                "outside the package, or by code that is not followed); add the log call by "
                f"hand, or {SKIP}",
            )
        )
    notes: list[str] = []
    for registration in unfollowed:
        if module.lines.has_pragma(registration.line, registration.end_line):
            continue
        where = f"{path}:{registration.line}: `{registration.registration}` registers "
        if registration.starlette:
            # FastAPI calls it with the bare request: no parameter of its routes is passed.
            notes.append(
                f"{where}`{registration.endpoint}` as a Starlette route (called with the bare "
                "request or websocket, outside FastAPI's parameters): it is not logged; log it "
                "by hand, or mark this line `# telemetry-scaffold: skip`"
            )
        elif registration.route is not None:
            # The handler is the other module's: logged there, when the plan names it.
            notes.append(
                f"{where}`{registration.endpoint}`, defined in {registration.defined_in}: its "
                "log call goes there, when the plan names that module in instrument"
            )
        elif registration.factory is not None:
            # The package's factory makes it, but the route is only known at run time.
            notes.append(
                f"{where}`{registration.endpoint}`, made by `{registration.factory}` for paths "
                "only known at run time, which it is not passed: it is not logged; pass the "
                f"path to `{registration.factory}` to log the route taken, or mark this line "
                "`# telemetry-scaffold: skip`"
            )
        elif registration.endpoint.startswith("lambda"):
            # An expression alone: there is no statement before it a log call could take.
            notes.append(
                f"{where}`{registration.endpoint}`, a lambda, which has no body a log call can "
                "go into: it is not logged; write it as a def to have it logged, or mark this "
                "line `# telemetry-scaffold: skip`"
            )
        else:
            # A library's function, a nested function or a value only known at run time:
            # nothing of the package to put a log call into without guessing.
            views = ""
            if registration.views:
                # A homegrown class-based view: the class whose handlers go unlogged.
                views = f", a method of {' or '.join(registration.views)}"
            notes.append(
                f"{where}`{registration.endpoint}`{views}, which cannot be followed to a "
                "module-level function or an instance method of the package: it is not logged; "
                "log it by hand, or mark this line `# telemetry-scaffold: skip`"
            )
    notes.extend(_handlers_called(module, handlers, index, instrumented))
    editor.edits.problems.extend(problem for _, problem in sorted(problems))
    for name, user in sorted(orphans.items()):
        # The calls stay as they are; the import they need comes back under their name.
        editor.add_import(
            logger_module, "event_logger", name, top_statement_of(module, user.function)
        )
    said: set[str] = set()
    for handler in handlers:
        if handler.skipped or id(handler) in hidden:
            continue
        made = next((route for route in handler.routes if route.factory is not None), None)
        if made is not None and len({route.code for route in handler.routes}) > 1:
            # One function a factory makes per registration, not given the path: the call in
            # it cannot tell which route the request took.
            editor.edits.notes.append(
                f"{made.registered_in or path}:{made.line}: `{handler.qualname}`, made by "
                f"`{made.factory}` for each of its {len(handler.routes)} routes, is not passed "
                "its path: each request logs them all; pass the path to the factory to log the "
                "route taken"
            )
        for route in handler.routes:
            # Once per module, at its first route: the same router's routes share one note.
            if route.note is not None and route.note not in said:
                said.add(route.note)
                where = route.registered_in or path
                editor.edits.notes.append(f"{where}:{route.line}: {route.note}")
    editor.edits.notes.extend(unreached)
    # One registration serving a method at several urls (`add_resource(r, "/a", "/b")`) makes
    # the same line for each: said once.
    editor.edits.notes.extend(dict.fromkeys(notes))
    for handler in handlers:
        # A call standing in for a stub since an earlier run keeps the stub recorded.
        recorded = editor.stubs.get(handler.qualname)
        if (
            recorded is not None
            and id(handler) not in hidden
            and _alone(handler, index, targets | former_targets)
        ):
            editor.edits.stubs.setdefault(handler.qualname, recorded)
    if not todo and not moves:
        logged = [handler for handler in handlers if not handler.skipped]
        existing = editor.local_name_for(f"{logger_module}.event_logger")
        if logged and existing is not None:
            # Nothing to insert; the import already there follows the module's spelling.
            used_at = top_statement_of(module, logged[0].function)
            editor.respell(logger_module, "event_logger", existing, used_at)
        return
    for _, call, _ in moves:
        editor.delete(call.statement)  # first: its logger's name is then free for the new one
    handlers_todo = [handler for handler, *_ in todo] + [handler for handler, *_ in moves]
    logger = _logger_name(
        editor, handlers_todo, logger_module, top_statement_of(module, handlers_todo[0].function)
    )
    for handler, call, filled in moves:
        _replace_call(editor, handler, call, event_type, filled, module, logger)
    for handler, before, indent, filled in todo:
        payload = payload_entries(handler, fallback_block, with_logger(filled, logger))
        if isinstance(before, InlineSpot):
            # In a one-line suite: one line, whatever its length (see inline_spot).
            one_line = _one_line_call(logger, event_type, payload, module)
            spliced = before.before + one_line + before.after
            written = editor.splice(before.line, before.column, before.column, spliced, (logger,))
            width = display_width(written)
            if width > module.style.line_length:
                # Kept whole (the suite is one line), but said: the project's E501 may see it.
                editor.edits.notes.append(
                    f"{module.path}:{before.line}: route {handler.label()}: its log call went "
                    f"into the one-line body on its `def` line, now {width} characters long "
                    f"(over {module.style.line_length}); your formatter lays it out on lines "
                    "of their own (generate keeps the call so), or move the body to lines of "
                    "its own yourself"
                )
        else:
            code = _call_lines(logger, event_type, payload, indent, handler, module)
            editor.insert(before, tuple(indent + line for line in code), (1,), (logger,))
        editor.edits.changes.append(f"log call in {handler.label()}")
        # A stub's parameters were its own business; the call makes it none (said once).
        scope = handler.scope.parent
        unused = unused_arguments_note(
            handler.function,
            scope is not None and scope.is_class,
            functools.partial(_payload_names, payload),
            module.unused_argument_rules,
            module.text,
        )
        if unused is not None:
            editor.edits.notes.append(
                f"{module.path}:{handler.function.lineno}: route {handler.label()}: {unused}"
            )
        lone = lone_stub(handler.function, module)
        inline = inline_stub(handler.function, module)
        text = None
        if lone is not None:
            text = lone[1]
        elif inline is not None:
            text = inline.recorded.statement
        unmet = text and missing_return_note(handler.function, text, module.type_checkers)
        if unmet:
            editor.edits.notes.append(
                f"{module.path}:{handler.function.lineno}: route {handler.label()}: {unmet}"
            )
        # Still inserted (the route is logged, as asked), but the project's linter will say the
        # handler is one statement over its limit now: said once, at the run that tips it.
        for crossed in statement_notes(handler.function, module.linter_limits, module.text):
            editor.edits.notes.append(
                f"{module.path}:{handler.function.lineno}: route {handler.label()}: its log call "
                f"makes {crossed}"
            )
        cache = _response_cache(handler, index)
        if cache is not None:
            editor.edits.notes.append(
                f"{module.path}:{cache.lineno}: route {handler.label()}: `@{ast.unparse(cache)}` "
                "answers a repeated request from its cache without running the handler: only the "
                "requests the handler runs for are logged"
            )


def _response_cache(handler: Handler, index: PackageIndex) -> ast.expr | None:
    """The response cache decorating what FastAPI calls for ``handler``, if one does.

    A decorator of :data:`RESPONSE_CACHES` listed below a route decorator (applied first, so
    the route registers the cached function), or any of them when a route is registered by a
    call (``add_api_route``): on a cache hit the handler's body, its log call with it, does
    not run.
    """
    decorators = handler.function.decorator_list
    lines = {route.line for route in handler.routes}
    routes_at = [place for place, decorator in enumerate(decorators) if decorator.lineno in lines]
    registered_by_call = not routes_at or len(routes_at) < len(lines)
    scope = handler.scope.parent or handler.scope
    for place, decorator in enumerate(decorators):
        called = decorator.func if isinstance(decorator, ast.Call) else decorator
        qualified = index.qualify(called, scope)
        cached = qualified is not None and index.resolve(qualified)[0] in RESPONSE_CACHES
        if cached and (registered_by_call or any(place > at for at in routes_at)):
            return decorator
    return None


def _take_out_unreached(
    editor: ModuleEditor,
    handler: Handler,
    logger_module: str,
    event_type: str,
    former: frozenset[str],
    *,
    force: bool,
) -> None:
    """Take out the log call generate put in a handler an earlier route hides, or name it.

    Never called, the handler gets no call: one as generate wrote it goes; one changed since,
    of the type the plan logs there, is kept and named (``force`` takes it out), as when the
    plan drops its module (one of ``former`` is removal's). One the user put into a block of
    theirs (of either type, or exactly as generate writes it for another) is kept and named:
    taken out, the block could be left empty.
    """
    module = editor.module
    targets = frozenset({f"{logger_module}.event_logger", logger_module})
    fallback_block = module.name.rpartition(".")[2]
    what = f"the log call of route {handler.label()}"
    for call in existing_log_calls(handler, editor.index, targets):
        if editor.is_deleted(call.statement):
            continue
        ours = inserted_call(handler, call, fallback_block)
        if (ours or (call.event_type == event_type and looks_inserted(call))) and take_out(
            editor, call.statement, ours, force, what
        ):
            editor.release(f"{logger_module}.event_logger")  # if nothing else logs
            editor.refill(handler.function, call.statement, handler.qualname)
    for call in existing_log_calls(handler, editor.index, targets, nested=True):
        if editor.is_deleted(call.statement) or not looks_inserted(call):
            continue
        if call.event_type in former | {event_type} or inserted_call(handler, call, fallback_block):
            editor.edits.problems.append(
                f"{module.path}:{call.statement.lineno}: {what}, which FastAPI never calls (an "
                "earlier route answers its requests), is inside a block of yours (an `if`, a "
                "`try`): kept as your code; take it out by hand"
            )


def _payload_names(payload: list[tuple[str, str]]) -> set[str]:
    """The names the values of an inserted call's payload read (its path parameters...)."""
    return {name for _, value in payload for name in names_in(ast.parse(value, mode="eval"))}


def _recorded_stub(handler: Handler, editor: ModuleEditor) -> tuple[ast.stmt, Stub] | None:
    """The call taken out that was ``handler``'s whole body, and the stub it stood in for.

    An earlier run's call (through a layer moved since, say) taken out to be written anew: the
    new one goes where it was, the stub still recorded, as a first run puts it.
    """
    body = after_docstring(handler.function.body)
    recorded = editor.stubs.get(handler.qualname)
    if len(body) != 1 or recorded is None or not editor.is_deleted(body[0]):
        return None
    return body[0], recorded


def _alone(handler: Handler, index: PackageIndex, targets: frozenset[str]) -> bool:
    """Whether a log call is ``handler``'s whole body (a docstring aside)."""
    body = after_docstring(handler.function.body)
    calls = existing_log_calls(handler, index, targets)
    return len(body) == 1 and any(call.statement is body[0] for call in calls)


def _unreached_note(handler: Handler, first: Handler, route: Route) -> str:
    """The line saying an earlier route takes every request ``handler``'s routes would get."""
    at = f"line {route.line}"
    if first.module is not handler.module:
        at = f"{first.module.path}:{route.line}"
    path = matched_path(route.template)
    same = any(matched_path(own.template) == path for own in handler.routes)
    # `/items/{id}` before `/items/latest`: another path, matching every request of this one.
    how = (
        "the same method and path"
        if same
        else f"the same method and a path (`{route.template}`) matching each of its requests,"
    )
    return (
        f"{handler.module.path}:{handler.first_line}: route {handler.label()} is never reached: "
        f"route {first.label()} at {at} is registered before it with {how} "
        "and answers every request for it first (FastAPI serves the first route registered); "
        "it gets no log call"
    )


def _handlers_called(
    module: ModuleModel,
    handlers: list[Handler],
    index: PackageIndex,
    instrumented: frozenset[str] = frozenset(),
) -> list[str]:
    """Lines naming the route handlers the module also calls as functions.

    ``return await find_items(None)`` in another handler runs the log call of ``find_items``
    too: a second event, naming a route the request did not take. A handler of another module
    the plan instruments (``instrumented``: their import names) counts too, called by the name
    it is imported under (``from app.api.items import get_item``) or on its module (``items.
    get_item(...)``). Once per caller and handler; a call marked ``# telemetry-scaffold: skip``
    is not named.
    """
    # Once, not per handler: a scan of the body per handler grew with the square of the module.
    top_level = {id(statement) for statement in module.tree.body}
    called: dict[str, tuple[FunctionNode, str]] = {
        handler.function.name: (handler.function, f"`{handler.function.name}`")
        for handler in handlers
        if not handler.skipped and id(handler.function) in top_level
    }
    # Another instrumented module's handlers, by the name this module imports them or it under.
    on_modules: dict[str, dict[str, tuple[FunctionNode, str]]] = {}
    # The names a package holding one is imported under (`import app.api.items` binds `app`):
    # its handlers are called by their full dotted path, `app.api.items.get_item(...)`.
    packages: dict[str, dict[str, dict[str, tuple[FunctionNode, str]]]] = {}
    others = instrumented - {module.name}
    for name, binding in module.scope.bindings.items():
        if binding.kind != "import":
            continue
        owner, _, attribute = binding.target.rpartition(".")
        if binding.target in others:
            on_modules[name] = _module_handlers(binding.target, index)
        elif owner in others:
            found = _module_handlers(owner, index).get(attribute)
            if found is not None:
                called[name] = found
        if any(other.startswith(f"{binding.target}.") for other in others):
            packages[name] = {}

    def callee(call: ast.Call) -> tuple[FunctionNode, str] | None:
        func = call.func
        if isinstance(func, ast.Name):
            return called.get(func.id)
        if not isinstance(func, ast.Attribute):
            return None
        if isinstance(func.value, ast.Name) and func.value.id in on_modules:
            return on_modules[func.value.id].get(func.attr)
        root = _root_name(func)
        if root is None or root.id not in packages:
            return None
        dotted = index.qualify(func.value, module.scope)
        if dotted is None or dotted not in others:
            return None
        if dotted not in packages[root.id]:
            packages[root.id][dotted] = _module_handlers(dotted, index)
        return packages[root.id][dotted].get(func.attr)

    said: list[str] = []
    if not called and not any(on_modules.values()) and not packages:
        return said
    # The lines of the calls of a handler's name: only the statements holding one are walked
    # whole below (a walk of every statement cost as much as all the rest of the patching).
    lines = sorted(
        {
            node.lineno
            for node in module.nodes_naming([*called, *on_modules, *packages])
            if isinstance(node, ast.Call) and callee(node) is not None
        }
    )
    seen: set[tuple[str, str]] = set()
    for statement in module.tree.body:
        if not _spans_any(statement, lines):
            continue
        callers: list[tuple[str, ast.AST]] = [("the module", statement)]
        if isinstance(statement, FunctionNode):
            callers = [(f"`{statement.name}`", statement)]
        elif isinstance(statement, ast.ClassDef):
            callers = [
                (f"`{statement.name}.{item.name}`", item)
                for item in statement.body
                if isinstance(item, FunctionNode) and _spans_any(item, lines)
            ]
        for caller, node in callers:
            enclosing = module.scope
            if isinstance(statement, ast.ClassDef) and node is not statement:
                enclosing = Scope(statement, module, module.scope)
            # Walked whole, breadth first: the first call found is the line named.
            for call, scope, hidden in _calls_in_scopes(node, enclosing):
                target = callee(call)
                if target is None or node is target[0]:
                    continue
                held = _root_name(call.func)
                assert held is not None
                bound = module.scope.bindings.get(held.id)
                if bound is None or (bound.kind != "import" and bound.node is not target[0]):
                    continue  # the name is bound to something else at module level
                if held.id in hidden or scope.lookup(held.id) is not bound:
                    continue  # a parameter or local of the caller's hides the module's name
                if (caller, target[1]) in seen or module.lines.has_pragma(
                    call.lineno, call.end_lineno or call.lineno
                ):
                    continue
                seen.add((caller, target[1]))
                said.append(
                    f"{module.path}:{call.lineno}: {caller} calls the route handler "
                    f"{target[1]} as a function: its log call runs there too, a second "
                    "event naming its own route; move the shared code into a function of its "
                    "own, or mark the call's line `# telemetry-scaffold: skip`"
                )
    return said


def _calls_in_scopes(
    node: ast.AST, enclosing: Scope
) -> Iterator[tuple[ast.Call, Scope, frozenset[str]]]:
    """Each call in ``node`` (breadth first), with where the names it reads are looked up.

    The scope of the function or class body holding it (``enclosing`` outside them), and the
    names a lambda or comprehension around it binds (not scopes of the model): a parameter or
    local there hides a module-level name of the same spelling.
    """
    module = enclosing.module
    pending: deque[tuple[ast.AST, Scope, frozenset[str]]] = deque([(node, enclosing, frozenset())])
    while pending:
        current, scope, hidden = pending.popleft()
        if isinstance(current, ast.Call):
            yield current, scope, hidden
        children = list(ast.iter_child_nodes(current))
        # Each child is read where ``current`` stands, but those read in a namespace of its own.
        inner: list[tuple[ast.AST, Scope, frozenset[str]]] = []
        if isinstance(current, FunctionNode | ast.ClassDef):
            body = Scope(current, module, scope)
            inner = [(statement, body, frozenset()) for statement in current.body]
        elif isinstance(current, ast.Lambda):
            names = hidden | {arg.arg for arg in parameters_of(current.args)}
            inner = [(current.body, scope, names)]
        elif isinstance(current, COMPREHENSIONS):
            # Only the first iterable is read outside; the targets bind for all the rest.
            first, *others = current.generators
            names = hidden.union(*(names_in(item.target) for item in current.generators))
            elements = [child for child in children if not isinstance(child, ast.comprehension)]
            inner = [
                (child, scope, names) for child in (*elements, first.target, *first.ifs, *others)
            ]
            children = [first.iter]
        own = {id(child) for child, _, _ in inner}
        pending.extend((child, scope, hidden) for child in children if id(child) not in own)
        pending.extend(inner)


def _root_name(expression: ast.expr) -> ast.Name | None:
    """The name an attribute chain starts from: ``app`` of ``app.api.items.get_item``, else None."""
    while isinstance(expression, ast.Attribute):
        expression = expression.value
    return expression if isinstance(expression, ast.Name) else None


def _module_handlers(name: str, index: PackageIndex) -> dict[str, tuple[FunctionNode, str]]:
    """The module-level route handlers of module ``name`` that get a log call, by name.

    Each with how a note names it (its name, and the module's path). Listed once per run: each
    name imported from the module, in each module importing it, asks.
    """
    model = index.module(name)
    if model is None:
        return {}
    if model.callable_handlers is None:
        top_level = {id(statement) for statement in model.tree.body}
        model.callable_handlers = {
            handler.function.name: (handler.function, f"`{handler.function.name}` of {model.path}")
            for handler in find_handlers(model, index)[0]
            if not handler.skipped and id(handler.function) in top_level
        }
    return model.callable_handlers


def _spans_any(statement: ast.stmt, lines: list[int]) -> bool:
    """Whether ``statement``, its decorators included, spans one of ``lines`` (sorted)."""
    start = first_line(statement)
    position = bisect.bisect_left(lines, start)
    return position < len(lines) and lines[position] <= (statement.end_lineno or start)


def check_logged_calls(
    editor: ModuleEditor,
    declared: frozenset[str],
    events: tuple[EventSpec, ...],
    analytics_package: str,
) -> None:
    """Name every ``log``/``record`` call of the generated logger that would be refused.

    A literal event type not in the plan is dropped at run time (with a warning) however often
    generate runs; so is a declared event's literal payload with an unknown property, without a
    required one, or with a literal of the wrong type. Each is a problem for a person, reported
    with its line.
    """
    module = editor.module
    logger_module = f"{analytics_package}.event_logger"
    targets = (f"{logger_module}.event_logger", logger_module)
    by_name = {event.name: event for event in events}
    for node in module.nodes_near([f"{name}." for name in module.names_for(*targets)]):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        if (
            isinstance(owner, ast.Attribute)
            and owner.attr == "track"
            and any(module.refers_to(owner.value, target) for target in targets)
            and not _in_deleted(editor, node)
        ):
            problems = _tracking_problems(node, node.func.attr, by_name)
            editor.edits.own_calls.extend(f"{module.path}:{node.lineno}: {p}" for p in problems)
            continue
        if not (
            node.func.attr in ("log", "record")
            and any(module.refers_to(owner, target) for target in targets)
        ):
            continue
        argument = node.args[0] if node.args else None
        payload = node.args[1] if len(node.args) > 1 else None
        for keyword in node.keywords:
            if keyword.arg == "event_type":
                argument = keyword.value
            elif keyword.arg == "payload":
                payload = keyword.value
        if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
            continue
        if _in_deleted(editor, node) or editor.said_at(node.lineno):
            continue  # taken out, or already named (kept as the user's and out of date, say)
        where = f"{module.path}:{node.lineno}"
        if argument.value not in declared:
            editor.edits.own_calls.append(
                f"{where}: logs {quoted(argument.value)}, which is not in event-types "
                f"{shown_event_types(sorted(declared))}: every such event is dropped; add it to "
                "the plan or fix the call"
            )
            continue
        event = by_name.get(argument.value)
        if event is None or not isinstance(payload, ast.Dict):
            continue
        keys = [key.value if isinstance(key, ast.Constant) else None for key in payload.keys]
        if all(isinstance(key, str) for key in keys):  # not computed keys or ** unpacking
            values = {str(key): value for key, value in zip(keys, payload.values, strict=True)}
            editor.edits.own_calls.extend(
                f"{where}: {problem}" for problem in _payload_problems(event, values)
            )


def _tracking_problems(call: ast.Call, name: str, events: dict[str, EventSpec]) -> list[str]:
    """What a call of ``event_logger.track.<event>(...)`` gets wrong (mypy sees it too)."""
    event = events.get(name)
    if event is None:
        known = ", ".join(events) or "none"
        return [
            f"event_logger.track.{name}: {quoted(name)} is not a declared event "
            f"(declared: {known}); declare it under [tool.telemetry-scaffold.events] or fix the "
            "call"
        ]
    if call.args or any(keyword.arg is None for keyword in call.keywords):
        return []  # positional or ** arguments: mypy's business, nothing literal to check
    values = {str(keyword.arg): keyword.value for keyword in call.keywords}
    return _payload_problems(event, values)


_LITERAL_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "datetime": (str,),
}


def _payload_problems(event: EventSpec, values: dict[str, ast.expr]) -> list[str]:
    """What a literal payload of a declared event gets wrong, as the model would refuse it."""
    problems = []
    name = event.name
    for key, value in values.items():
        spec = event.declared(key)
        if spec is None:
            if key not in CONTEXT_PROPERTIES and not event.additional_properties:
                known = ", ".join(item.name for item in event.properties)
                problems.append(
                    f"{quoted(name)} has no property {quoted(key)} (declared: {known}); every "
                    "such event is dropped: fix the call, or declare the property in the plan"
                )
            continue
        if isinstance(value, ast.Constant) and not _literal_fits(spec.type, value.value):
            problems.append(
                f"{quoted(name)} property {quoted(key)} is of type {spec.type}, got the literal "
                f"{quoted(value.value)}; "
                "every such event is dropped: fix the call"
            )
    for required in event.required:
        if required not in values:
            problems.append(
                f"{quoted(name)} requires {quoted(required)}, which the call leaves out; every "
                "such event is dropped: add it to the call, or declare it required = false"
            )
    return problems


def _literal_fits(kind: str, value: object) -> bool:
    if kind == "array":
        return False  # a constant is never a list
    allowed = _LITERAL_TYPES[kind]
    if isinstance(value, bool) and bool not in allowed:
        return False  # True is an int to Python, not to JSON Schema
    return isinstance(value, allowed)


def _in_deleted(editor: ModuleEditor, node: ast.AST) -> bool:
    line = getattr(node, "lineno", 0)
    return any(deletion.first <= line <= deletion.last for deletion in editor.edits.deletions)


def capture_entries(
    handler: Handler,
    index: PackageIndex,
    event: EventSpec,
    captured: tuple[str, ...],
    parameters: Mapping[str, str] | None = None,
) -> tuple[list[tuple[str, str]], list[str]]:
    """The captured properties of a handler, and the required ones it has no source for.

    Returns (property, expression) pairs and the missing names. A property comes from the
    handler's parameter of that name (a path or query parameter, or a dependency's annotated
    value), else from the field of that name of its pydantic body model (``body.chapter_id``;
    ``None if body is None else body.chapter_id`` for an optional body). A string property takes
    a value whose JSON form is not text as its text (``str(count)``; an enum member's
    ``str(kind.value)``; another object's ``LOGGER_MARK.text(user)``, see ``with_logger``),
    keeping ``None`` when the value may be ``None``: the logger checks a payload in its JSON
    form, and a number refused there would drop every event. ``parameters`` names the source of
    a property filled from a parameter or field of another name (``userId``).
    """
    sources = _capture_sources(handler, index, captured, parameters)
    # A handler that sees `str` bound to something else (a parameter, a local) gets every text
    # from the logger's text(): its `str(count)` would call that instead, or fail.
    own_str = handler.scope.lookup("str") is not None
    entries: list[tuple[str, str]] = []
    missing: list[str] = []
    for name in captured:
        spec = event.declared(name)
        assert spec is not None  # the plan checked it
        source = sources.get(name)
        if source is not None:
            text = spec.type == "string" and not _is_text(source, index)
            entries.append((name, _value(source, index, text=text, own_str=own_str)))
        elif spec.required:
            missing.append(name)
    return entries, missing


class _Leaf(NamedTuple):
    """One type an annotation allows, and the scope its names are looked up in."""

    node: ast.expr
    scope: Scope


class _CaptureSource(NamedTuple):
    """Where a captured property's value is in a handler: a parameter, or a body model field."""

    expression: str  # `chapter_id`, or `body.chapter_id`
    annotation: ast.expr | None  # through a top-level alias (shown in messages)
    leaves: tuple[_Leaf, ...] | None  # the types it allows, through aliases; None: unannotated
    shown: str  # how a message names it
    guard: str | None = None  # the optional body model it is read through (`body`)
    dependency: bool = False  # an unannotated parameter whose value a dependency returns


def _capture_sources(
    handler: Handler,
    index: PackageIndex,
    captured: tuple[str, ...],
    renamed: Mapping[str, str] | None = None,
) -> dict[str, _CaptureSource]:
    """The source of each captured property the handler has one for (by property name).

    A property is read from the parameter or body field ``renamed`` maps it to, else (in a
    handler that has none of that name) from the one of its own name: the property's name is
    the plan's, the parameter's the user's, and one module's handlers may differ (a GET's
    ``chapterId`` in the path, a POST's ``chapter_id`` in its body).
    """
    named = handler.parameters()
    parameters = {argument.arg: argument for argument, _ in named}
    defaults = {argument.arg: default for argument, default in named}
    sources: dict[str, _CaptureSource] = {}
    for property_name in captured:
        for name in capture_names(property_name, renamed):
            source = _capture_source(name, handler, index, parameters, defaults)
            if source is not None:
                sources[property_name] = source
                break
    return sources


def _no_capture_source(property_name: str, renamed: Mapping[str, str] | None) -> str:
    """Why a handler is skipped that has no source for the required ``property_name``."""
    names = capture_names(property_name, renamed)
    named = " or ".join(f"`{name}`" for name in names)
    which = "" if names == (property_name,) else f" `{property_name}`"
    return (
        f"it has no parameter or body field {named} for the captured property{which}; add one, "
        f"or log the event by hand, or {SKIP}"
    )


def capture_names(property_name: str, renamed: Mapping[str, str] | None) -> tuple[str, ...]:
    """The parameter or body field names a captured property is read from, in the order tried."""
    mapped = (renamed or {}).get(property_name, property_name)
    return tuple(dict.fromkeys((mapped, property_name)))


def _capture_source(
    name: str,
    handler: Handler,
    index: PackageIndex,
    parameters: Mapping[str, ast.arg],
    defaults: Mapping[str, ast.expr | None],
) -> _CaptureSource | None:
    """The handler's parameter (not a body model) or body field ``name``, if it has one."""
    parameter = parameters.get(name)
    if parameter is not None and _body_model(parameter.annotation, handler, index) is None:
        annotation = parameter.annotation
        leaves = None if annotation is None else tuple(_leaves(annotation, handler.scope, index))
        return _CaptureSource(
            name,
            _through_aliases(annotation, handler.scope, index)[0],
            leaves,
            f"parameter `{name}`",
            dependency=annotation is None and is_dependency(defaults.get(name)),
        )
    field = _body_field(parameters.values(), name, handler, index)
    if field is None:
        return None
    expression, annotation, scope, guard = field
    return _CaptureSource(
        expression,
        _through_aliases(annotation, scope, index)[0],
        tuple(_leaves(annotation, scope, index)),
        f"body field `{expression}`",
        guard,
    )


def _through_aliases(
    annotation: ast.expr | None, scope: Scope, index: PackageIndex
) -> tuple[ast.expr | None, Scope]:
    """An annotation with the package's type aliases replaced (``ChapterId = Annotated[...]``)."""
    for _ in range(8):  # an alias of an alias, not a cycle
        if not isinstance(annotation, ast.Name | ast.Attribute):
            break
        binding = index.binding_of(annotation, scope)
        if binding is None or binding.kind != "value" or not isinstance(binding.node, ast.expr):
            break
        annotation, scope = binding.node, binding.scope
    return annotation, scope


def _leaves(annotation: ast.expr, scope: Scope, index: PackageIndex, depth: int = 0) -> list[_Leaf]:
    """The types an annotation allows, through aliases, ``Annotated``, ``Optional`` and unions.

    ``None`` is a leaf of its own (``ast.Constant(None)``); an alias inside another annotation
    (``Annotated[ChapterId, Path()]``, ``ChapterId | None``) is followed like one at the top.
    """
    if depth > 16:
        return [_Leaf(annotation, scope)]
    if isinstance(annotation, ast.Name | ast.Attribute):
        resolved, where = _through_aliases(annotation, scope, index)
        if resolved is not None and resolved is not annotation:
            return _leaves(resolved, where, index, depth + 1)
        return [_Leaf(annotation, scope)]
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _leaves(annotation.left, scope, index, depth + 1) + _leaves(
            annotation.right, scope, index, depth + 1
        )
    if isinstance(annotation, ast.Subscript):
        head = ast.unparse(annotation.value).rpartition(".")[2]
        inner = annotation.slice
        members = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        if head == "Annotated":
            return _leaves(members[0], scope, index, depth + 1)
        if head in ("Optional", "Union"):
            found = [
                leaf for member in members for leaf in _leaves(member, scope, index, depth + 1)
            ]
            return [*found, _Leaf(ast.Constant(None), scope)] if head == "Optional" else found
    return [_Leaf(annotation, scope)]


def _leaf_type(leaf: _Leaf, index: PackageIndex) -> str | None:
    """A leaf's type name, None when it cannot be told (a string annotation, a call).

    ``None``, ``str``, ``list``...; ``model`` for a pydantic model of the package; ``enum:str``,
    ``enum:int`` or ``enum`` for an enum of the package, by the values of its members.
    """
    node = leaf.node
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    if isinstance(node, ast.Subscript):
        return ast.unparse(node.value).rpartition(".")[2]  # list[int], dict[str, int], ...
    if not isinstance(node, ast.Name | ast.Attribute):
        return None
    binding = index.binding_of(node, leaf.scope)
    if binding is not None and binding.kind == "class":
        if _derives_from_base_model(binding, index):
            return "model"
        kind = _enum_kind(binding, index)
        if kind is not None:
            return kind
    return ast.unparse(node).rpartition(".")[2]


def _enum_kind(binding: Binding, index: PackageIndex, depth: int = 0) -> str | None:
    """``enum:str``, ``enum:int`` or ``enum`` for an enum class of the package, else None.

    By its mixin (``str, Enum``, ``StrEnum``, ``IntEnum``) or, for a plain ``Enum``, by the
    literal values of its members: the logger records a member as its value.
    """
    cls = binding.node
    assert isinstance(cls, ast.ClassDef)
    canonical: set[str] = set()
    for base in cls.bases:
        if isinstance(base, ast.Name) and base.id in ("str", "int"):
            canonical.add(base.id)
            continue
        qualified = index.qualify(base, binding.scope)
        if qualified is None:
            continue
        name, base_binding = index.resolve(qualified)
        canonical.add(name)
        if base_binding is not None and base_binding.kind == "class" and depth < 16:
            inherited = _enum_kind(base_binding, index, depth + 1)
            if inherited is not None:
                canonical.add(f"package.{inherited}")
    enum_bases = {"enum.Enum", "enum.StrEnum", "enum.IntEnum", "enum.IntFlag", "enum.Flag"}
    inherited_kinds = {
        name.removeprefix("package.") for name in canonical if name.startswith("package.")
    }
    if not canonical & enum_bases and not inherited_kinds:
        return None
    if "enum.StrEnum" in canonical or "str" in canonical or "enum:str" in inherited_kinds:
        return "enum:str"
    if canonical & {"enum.IntEnum", "enum.IntFlag", "int"} or "enum:int" in inherited_kinds:
        return "enum:int"
    members = [
        statement
        for statement in cls.body
        if isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and not statement.targets[0].id.startswith("_")
    ]
    values = [member.value.value for member in members if isinstance(member.value, ast.Constant)]
    if values and len(values) == len(members):
        if all(isinstance(value, str) for value in values):
            return "enum:str"
        if all(isinstance(value, int) and not isinstance(value, bool) for value in values):
            return "enum:int"
    return "enum"


def _types(source: _CaptureSource, index: PackageIndex) -> list[str | None] | None:
    """The type of each leaf of a source but ``None`` (None: the source is not annotated)."""
    if source.leaves is None:
        return None
    return [kind for kind in (_leaf_type(leaf, index) for leaf in source.leaves) if kind != "None"]


def _may_be_none(source: _CaptureSource, index: PackageIndex) -> bool:
    return source.leaves is not None and any(
        _leaf_type(leaf, index) == "None" for leaf in source.leaves
    )


# Types whose values the logger records as text (their JSON form, see the layer's json_default).
_TEXT_TYPES = frozenset(
    {"str", "UUID", "Decimal", "datetime", "date", "time", "bytes", "enum:str"}
    | {"PurePath", "Path", "PurePosixPath", "PosixPath", "PureWindowsPath", "WindowsPath"}
)


def _is_text(source: _CaptureSource, index: PackageIndex) -> bool:
    """Whether a value so annotated is recorded as text (or None): no ``str()`` needed.

    Unannotated values are taken as text (FastAPI passes such a parameter as ``str``), and so
    are members of an enum of the package whose values are strings (recorded as their value);
    anything else that cannot be told gets ``str()``.
    """
    types = _types(source, index)
    return types is None or all(kind in _TEXT_TYPES for kind in types)


# Types whose text ``str()`` gives without running the app's code: a number's, a bool's.
_PLAIN_TEXT_TYPES = frozenset({"int", "float", "bool"})
# Stands for the module's name of the event logger in a captured value's expression until it is
# known (``with_logger``): a character no expression holds.
LOGGER_MARK = "\0"


def with_logger(entries: list[tuple[str, str]] | None, logger: str) -> list[tuple[str, str]] | None:
    """``entries`` with the event logger's name in place of ``LOGGER_MARK`` (None kept None)."""
    if entries is None:
        return None
    return [(key, value.replace(LOGGER_MARK, logger)) for key, value in entries]


def _value(
    source: _CaptureSource, index: PackageIndex, *, text: bool, own_str: bool = False
) -> str:
    """The expression a call passes: as text when asked, None kept None (not ``"None"``).

    A number's text is ``str()``'s, an enum member's its value's; any other value (a class of
    the app, a type that cannot be told) gets its text from the logger's ``text()``, which never
    raises: its ``__str__`` is the app's code, run in the request. So does every value when
    ``own_str`` (the handler binds the name ``str`` to something else than the builtin).
    """
    expression = source.expression
    nones = [f"{source.guard} is None"] if source.guard is not None else []
    if text:
        types = _types(source, index) or []
        # An enum member's text is its value's (`str(Color.red)` is "Color.red").
        enum = bool(types) and all(kind is not None and kind.startswith("enum") for kind in types)
        plain = bool(types) and all(kind in _PLAIN_TEXT_TYPES for kind in types)
        if _may_be_none(source, index):
            nones.append(f"{expression} is None")
        expression = (
            f"str({expression}.value)"
            if enum and not own_str
            else f"str({expression})"
            if plain and not own_str
            else f"{LOGGER_MARK}.text({expression}.value)"
            if enum
            else f"{LOGGER_MARK}.text({expression})"
        )
    if not nones:
        return expression
    return f"None if {' or '.join(nones)} else {expression}"


# What a captured property of each type takes: the annotations of a handler's parameter whose
# values it accepts (a string property takes any value, as its text).
_CAPTURE_TYPES = {
    "integer": frozenset({"int", "enum:int"}),
    "number": frozenset({"int", "float", "enum:int"}),
    "boolean": frozenset({"bool"}),
    "datetime": frozenset({"datetime", "str", "enum:str"}),
    "array": frozenset({"list", "List", "Sequence", "tuple", "Tuple", "set", "Set", "frozenset"}),
}
# Annotations whose values are known: only a parameter of these types is judged.
_KNOWN_TYPES = frozenset(
    {"str", "int", "float", "bool", "bytes", "datetime", "date", "time", "timedelta", "UUID"}
    | {"Decimal", "dict", "Dict", "enum:str", "enum:int"}
    | _CAPTURE_TYPES["array"]
)
# Values whose text would be a request's content (a body model, a mapping), never logged.
_CONTENT_TYPES = frozenset({"model", "dict", "Dict", "Mapping"})


def mismatched_captures(
    handler: Handler,
    index: PackageIndex,
    event: EventSpec,
    captured: tuple[str, ...],
    parameters: Mapping[str, str] | None = None,
) -> list[str]:
    """Why captured properties cannot be filled from their source, each with its fix.

    E.g. an integer property from ``item_id: str``: the model refuses every such payload. Only
    annotations of standard types and enums of the package are judged (another class of the
    package, a string annotation or none at all are given the benefit of the doubt). Refused
    whatever the property: a pydantic model or a mapping (its text is request content), an
    unannotated dependency's value (what it holds cannot be told), and an optional body model
    for a required property (missing whenever the body is). ``parameters`` as for
    :func:`capture_entries`.
    """
    problems = []
    change = f"change the type of one of them, or log the event by hand, or {SKIP}"
    for name, source in _capture_sources(handler, index, captured, parameters).items():
        spec = event.declared(name)
        if spec is None:
            continue
        shown = ast.unparse(source.annotation) if source.annotation else ""
        types = _types(source, index)
        if source.dependency:
            problems.append(
                f"its {source.shown} holds what a dependency returns, without a type "
                f"annotation, so the captured {spec.type} property `{name}` cannot be checked "
                f"against it; annotate the parameter, or {SKIP}"
            )
        elif types is not None and set(types) & _CONTENT_TYPES:
            problems.append(
                f"its {source.shown} is `{shown}`, whose text would be request content, not a "
                f"{spec.type} for the captured property `{name}`; capture one of its fields "
                f"instead, or {SKIP}"
            )
        elif source.guard is not None and spec.required:
            problems.append(
                f"its body `{source.guard}` is optional, so the required property `{name}` "
                f"would be missing whenever no body is sent; make `{name}` optional (required "
                f"= false) in the plan, or the body required, or {SKIP}"
            )
        elif spec.type in _CAPTURE_TYPES and types and None not in types:
            known = set(types)
            if known <= _KNOWN_TYPES and not known & _CAPTURE_TYPES[spec.type]:
                problems.append(
                    f"its {source.shown} is `{shown}`, which the captured {spec.type} property "
                    f"`{name}` does not accept (every event would be dropped); {change}"
                )
    return problems


def _annotation_name(annotation: ast.expr) -> str:
    """The last name of an annotation, through ``Annotated[...]``."""
    if isinstance(annotation, ast.Subscript) and _annotation_name(annotation.value) == "Annotated":
        inner = annotation.slice
        return _annotation_name(inner.elts[0] if isinstance(inner, ast.Tuple) else inner)
    return ast.unparse(annotation).rpartition(".")[2]


def _model_binding(
    annotation: ast.expr | None, handler: Handler, index: PackageIndex
) -> Binding | None:
    """The pydantic model class of the package an annotation names (not an optional one)."""
    if annotation is None:
        return None
    if isinstance(annotation, ast.Subscript):
        if _annotation_name(annotation.value) != "Annotated":
            return None  # Optional[...], list[...]: not always a model at run time
        inner = annotation.slice
        return _model_binding(
            inner.elts[0] if isinstance(inner, ast.Tuple) else inner, handler, index
        )
    binding = index.binding_of(annotation, handler.scope)
    if binding is None or binding.kind != "class" or not _derives_from_base_model(binding, index):
        return None
    return binding


def _body_model(
    annotation: ast.expr | None, handler: Handler, index: PackageIndex
) -> tuple[Binding, bool] | None:
    """The pydantic model of the package a parameter is, and whether it may be None.

    ``Ask``, ``Annotated[Ask, Body()]``, and the optional ``Ask | None`` / ``Optional[Ask]``;
    not a union of several models nor a list of them.
    """
    binding = _model_binding(annotation, handler, index)
    if binding is not None:
        return binding, False
    if annotation is None:
        return None
    leaves = _leaves(annotation, handler.scope, index)
    others = [
        leaf
        for leaf in leaves
        if not (isinstance(leaf.node, ast.Constant) and leaf.node.value is None)
    ]
    if (
        len(others) != 1
        or len(leaves) == 1
        or not isinstance(others[0].node, ast.Name | ast.Attribute)
    ):
        return None
    binding = index.binding_of(others[0].node, others[0].scope)
    if binding is None or binding.kind != "class" or not _derives_from_base_model(binding, index):
        return None
    return binding, True


def _derives_from_base_model(binding: Binding, index: PackageIndex) -> bool:
    return index.derives_from(binding, BASE_MODELS.__contains__)


def _body_field(
    parameters: Iterable[ast.arg], name: str, handler: Handler, index: PackageIndex
) -> tuple[str, ast.expr, Scope, str | None] | None:
    """``param.name``, the field's annotation and scope, and the parameter when it may be None.

    The first body model with that field wins.
    """
    for parameter in parameters:
        model = _body_model(parameter.annotation, handler, index)
        field = None if model is None else _field_annotation(model[0], name, index)
        if model is not None and field is not None:
            return f"{parameter.arg}.{name}", *field, parameter.arg if model[1] else None
    return None


def _field_annotation(
    binding: Binding, name: str, index: PackageIndex
) -> tuple[ast.expr, Scope] | None:
    """The annotation of field ``name`` of a model class or its bases, and the class's scope."""
    for cls in index.lineage(binding):
        node = cls.node
        assert isinstance(node, ast.ClassDef)
        for statement in node.body:
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and statement.target.id == name
            ):
                return statement.annotation, cls.scope
    return None


def _inserted_call_state(
    handler: Handler,
    calls: list[LogCall],
    event_type: str,
    filled: list[tuple[str, str]] | None,
    module: ModuleModel,
    former: frozenset[str] = frozenset(),
) -> tuple[LogCall, bool] | None:
    """The handler's one call as generate writes it, and whether it is out of date.

    Out of date: the route or methods changed, or the plan declared the event or changed what
    it captures; a call in the shape generate writes (see :func:`~.removal.inserted_call`) is
    brought up to date. So is one of another event type that went in for another route (its
    handler was moved here from a module that logs that type), or of the type the plan logged
    here before (``former``); else, with today's route, another type was the user's choice.
    None for a call edited by hand, which is left to its author.
    """
    if len(calls) != 1 or calls[0].event_type is None or not handler.readable:
        return None
    call = calls[0]
    statement = call.statement
    fallback_block = module.name.rpartition(".")[2]
    logger = _logger_source(statement)
    entries = payload_entries(handler, fallback_block, with_logger(filled, logger))
    if call.event_type != event_type:
        ours = inserted_call(handler, call, fallback_block)
        moved = call.event_type in former or not _logs_route(statement, entries[0][1])
        return (call, True) if ours and moved else None
    indent = module.lines.indentation(statement.lineno)
    wanted = _call_lines(logger, event_type, entries, indent, handler, module)
    written = tuple(
        module.lines.line(number)[len(indent) :]
        for number in range(statement.lineno, (statement.end_lineno or statement.lineno) + 1)
    )
    if written == wanted:
        return call, False  # as generate writes it: the common case, without parsing anything
    flat = log_call_lines(logger, event_type, entries, "", "", module.style.line_length)
    wanted_tree = ast.parse("\n".join(flat))
    if ast.dump(wanted_tree.body[0]) == ast.dump(statement):
        # The same call in another layout (the formatter's settings changed since, and the
        # checkout of an older commit brought back the call as it was laid out then): laid
        # out again as generate writes it now, unless a comment of the user's is on its lines.
        relaid = module.owns_lines(statement) and user_comment(module, statement) is None
        return call, relaid
    return (call, True) if inserted_call(handler, call, fallback_block) else None


def _stale_users_call(
    handler: Handler,
    calls: list[LogCall],
    event_type: str,
    filled: list[tuple[str, str]] | None,
    event: EventSpec | None,
    module: ModuleModel,
    former: frozenset[str] = frozenset(),
) -> list[str]:
    """What the handler's one call of ``event_type``, edited by hand, says out of date.

    A call of ``former``, a type the plan logged there before, is out of date by its type.
    """
    if len(calls) != 1 or calls[0].event_type not in former | {event_type}:
        return []  # the user's type, or several calls: said by _call_problems
    call = calls[0]
    retyped = (
        [f"it logs {quoted(call.event_type)}, now {quoted(event_type)}"]
        if call.event_type in former and call.event_type != event_type
        else []
    )
    fallback_block = module.name.rpartition(".")[2]
    logger = _logger_source(call.statement)
    wanted = payload_entries(handler, fallback_block, with_logger(filled, logger))
    # What generate can write after the context: path parameters, and declared properties.
    loggable = {key for key, _ in payload_entries(handler, fallback_block)}
    if event is not None:
        loggable.update(item.name for item in event.properties)
    captured = {key for key, _ in filled or ()}
    return retyped + stale_entries(
        handler, call, wanted, captured, loggable - set(CONTEXT_PROPERTIES)
    )


def _logs_route(statement: ast.Expr, route: str) -> bool:
    """Whether the call's payload logs ``route`` (source) as its ``route``."""
    payload = statement.value.args[1]  # type: ignore[attr-defined]
    return any(
        isinstance(key, ast.Constant) and key.value == "route" and writes(value, route)
        for key, value in zip(payload.keys, payload.values, strict=True)
    )


def _logger_source(statement: ast.Expr) -> str:
    """The logger an existing call is made on, as source (a name is its own: no unparsing)."""
    logger = statement.value.func.value  # type: ignore[attr-defined]
    return logger.id if isinstance(logger, ast.Name) else ast.unparse(logger)


def _replace_call(
    editor: ModuleEditor,
    handler: Handler,
    call: LogCall,
    event_type: str,
    filled: list[tuple[str, str]] | None,
    module: ModuleModel,
    logger: str | None = None,
) -> None:
    """Swap an out-of-date inserted call for the one generate writes now, at the same place.

    ``logger``: the name of the event logger to call it on, when not the call's own.
    """
    statement = call.statement
    logger = logger or _logger_source(statement)
    cut = inline_cut(module, statement)
    if cut is not None:
        # In a one-line suite: the call's own bytes change, and nothing else of its line.
        filled = with_logger(filled, logger)
        payload = payload_entries(handler, module.name.rpartition(".")[2], filled)
        one_line = _one_line_call(logger, event_type, payload, module)
        editor.replace_inline(statement, one_line, (logger,))
        editor.edits.changes.append(f"bring the log call of {handler.label()} up to date")
        return
    if not module.owns_lines(call.statement):
        return
    indent = module.lines.indentation(statement.lineno)
    payload = payload_entries(handler, module.name.rpartition(".")[2], with_logger(filled, logger))
    code = _call_lines(logger, event_type, payload, indent, handler, module)
    if not editor.is_deleted(statement):
        editor.delete(statement)
    editor.insert(statement.lineno, tuple(indent + line for line in code), (1,), (logger,))
    editor.edits.changes.append(f"bring the log call of {handler.label()} up to date")


def _call_lines(
    logger: str,
    event_type: str,
    payload: list[tuple[str, str]],
    indent: str,
    handler: Handler,
    module: ModuleModel,
) -> tuple[str, ...]:
    """A log call's lines at ``indent`` in ``handler``'s body, laid out in the module's style."""
    return log_call_lines(
        logger,
        event_type,
        payload,
        indent,
        statement_indent_unit(module, handler.function, indent),
        module.style.line_length,
        module.quote,
        module.style.black,
        module.style.skip_magic_comma,
        yapf=module.style.yapf,
    )


def _one_line_call(
    logger: str, event_type: str, payload: list[tuple[str, str]], module: ModuleModel
) -> str:
    """A log call written on one line, in the module's quotes (for a one-line suite)."""
    (line,) = log_call_lines(logger, event_type, payload, "", "", sys.maxsize, module.quote)
    return line


def _call_problems(where: str, calls: list[LogCall], event_type: str) -> list[str]:
    """What is wrong with a handler's existing log calls (nothing when there is one, right)."""
    problems = []
    if len(calls) > 1:
        problems.append(f"{where} logs the event {len(calls)} times; keep one call")
    for call in calls:
        if call.event_type is None:
            problems.append(
                f"{where} logs an event type that is not a string literal, "
                f"expected {quoted(event_type)}"
            )
        elif call.event_type != event_type:
            problems.append(
                f"{where} logs {quoted(call.event_type)}, expected {quoted(event_type)}; "
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
        editor.respell(logger_module, "event_logger", existing, used_at)
        return existing
    if existing is not None:
        # A parameter or local of that name would shadow the module-level instance.
        alias = editor.free_name("event_logger")
        editor.add_import(logger_module, "event_logger", alias, used_at)
        return alias
    return editor.import_name(logger_module, "event_logger", "event_logger", used_at)
