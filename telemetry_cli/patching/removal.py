"""Take out what ``generate`` put in: log calls, the router include, error capture, imports.

A statement is taken out when it is one the tool inserts (the same code, however reformatted,
or the shape of an older version of it); one that was changed since is reported and kept,
unless ``force`` says to take it out anyway. Taking out deletes exactly the lines that were
inserted, so a file nobody touched gets back the bytes it had before.
"""

import ast
import io
import tokenize
from typing import Final, NamedTuple

from telemetry_cli.events import CONTEXT_PROPERTIES
from telemetry_cli.patching.edits import (
    LogCall,
    ModuleEditor,
    existing_log_calls,
    inline_cut,
    is_selection,
    log_call_lines,
    payload_entries,
    removable,
    route_block,
    top_statement_of,
)
from telemetry_cli.patching.routes import Handler, find_handlers, unrecordable_parameters
from telemetry_cli.patching.style import DEFAULT_LINE_LENGTH
from telemetry_cli.patching.symbols import ModuleModel, chain_root

#: Ends the line saying generate takes out a call exactly as it writes one from a module the
#: plan does not instrument: why, and the two ways to keep a call there.
OUTSIDE_THE_PLAN: Final = (
    ": its module is not in instrument (add it there, or change the call, to keep one)"
)


class FormerCalls(NamedTuple):
    """What the inserted calls of a module the plan instruments may log, and through which layer.

    Built once per module from the record of earlier runs; read by removal, which leaves such
    calls (in a block of the user's, or edited) to :func:`~.instrument.instrument_module`, and by
    that, which changes them where they stand or names them as the user's and out of date.
    """

    #: The event type the plan logs there now, and those earlier runs' calls logged.
    types: frozenset[str]
    #: The layer package earlier runs' calls went through, when the plan moved it since.
    package: str | None = None


def unwire_app(
    editor: ModuleEditor,
    analytics_package: str,
    *,
    router: bool,
    capture: bool,
    force: bool,
    only_ours: bool = False,
    keep: str | None = None,
) -> None:
    """Take out the telemetry router's include (``router``) and error capture (``capture``).

    With ``only_ours``, a statement that is not exactly one generate inserts is left alone
    without a word (it is not known to have been inserted). ``keep``: the layer package the
    plan wires; a statement that also calls through it (two branches' wiring merged into one
    statement) stays, and the import of ``analytics_package`` under the same name goes.
    """
    module = editor.module
    router_target = f"{analytics_package}.telemetry_router.router"
    capture_target = f"{analytics_package}.error_capture.install_error_capture"
    kept_router = f"{keep}.telemetry_router.router"
    kept_capture = f"{keep}.error_capture.install_error_capture"
    names = module.names_for(router_target, capture_target)
    for statement in module.nodes_near(["include_router", *names]):
        if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
            continue
        call = statement.value
        simple = len(call.args) == 1 and not call.keywords
        included = call.args[0] if call.args else None
        for keyword in call.keywords:
            if keyword.arg == "router":
                included = keyword.value
        if (
            router
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "include_router"
            and included is not None
            and module.refers_to(included, router_target)
        ):
            if keep is not None and module.refers_to(included, kept_router):
                continue
            ours = simple and user_comment(module, statement) is None
            if ours or not only_ours:
                take_out(editor, statement, ours, force, "the telemetry router's include")
        elif capture and module.refers_to(call.func, capture_target):
            if keep is not None and module.refers_to(call.func, kept_capture):
                continue
            ours = (
                simple
                and isinstance(call.func, ast.Name)
                and user_comment(module, statement) is None
            )
            if ours or not only_ours:
                take_out(editor, statement, ours, force, "the error capture hook")
    for wanted, target, kept in (
        (router, router_target, kept_router),
        (capture, capture_target, kept_capture),
    ):
        if wanted and keep is not None:
            editor.release_shadowed(target, kept)
        elif wanted:
            editor.release(target)


def uninstrument_module(
    editor: ModuleEditor,
    event_types: frozenset[str] | None,
    analytics_package: str,
    *,
    force: bool,
    only_ours: bool = False,
    keep: str | None = None,
    staying: FormerCalls | None = None,
    reason: str = "",
    leave_skipped: bool = False,
) -> frozenset[str]:
    """Take out the log calls of ``event_types`` that generate inserted in the module's handlers.

    ``event_types`` None means every type (but ``keep``, the type the plan still logs there).
    ``staying``: the plan still instruments the module (what its calls logged before): a call
    generate wrote that the user put into a block is left to :func:`instrument_module`, which
    changes it where it stands; so is one of those types the user edited since, to be named as
    theirs and out of date (taken out, a second call would go in on top and log each request
    twice); kept unless forced.
    With ``only_ours``, a call that is not exactly one generate inserts is left alone without a
    word (it is not known to have been inserted), and so is a handler marked
    ``# telemetry-scaffold: skip``. ``leave_skipped`` leaves such a handler alone in a module the
    record names (generate never touches one; remove takes out the calls generate wrote there
    before the mark went in). ``reason`` ends the line saying a call is taken out (why, and
    how to keep one). Returns the event types of the inserted calls kept: each with a problem
    saying why (changed since, or sharing its lines), or left to instrument_module.
    """
    module = editor.module
    handlers, _ = find_handlers(module, editor.index)
    logger_module = f"{analytics_package}.event_logger"
    targets = frozenset({f"{logger_module}.event_logger", logger_module})
    fallback_block = module.name.rpartition(".")[2]
    handed_over = frozenset() if staying is None else staying.types
    kept: set[str] = set()
    for handler in handlers:
        if not handler.readable or unrecordable_parameters(handler, editor.index):
            # generate writes no call where it cannot read the route or record its parameters
            # (it asks for one by hand, and reads any there as the user's own): nothing in it
            # is the tool's to take out.
            continue
        if (only_ours or leave_skipped) and handler.skipped:
            # Known by its shape alone, and generate writes no call into a handler marked
            # `# telemetry-scaffold: skip`: one there is the user's, never touched. Where the
            # record names the module, one went in before the mark did: generate leaves it
            # alone all the same, whatever the plan does since.
            continue
        for call in existing_log_calls(handler, editor.index, targets):
            if call.event_type is None or editor.is_deleted(call.statement):
                continue
            if call.event_type == keep or (
                event_types is not None and call.event_type not in event_types
            ):
                continue
            ours = inserted_call(handler, call, fallback_block)
            if not (ours or looks_inserted(call)):
                continue  # a call of the user's own, written by hand: theirs to keep
            if (
                staying is not None
                and not (ours or force)
                and call.event_type in handed_over
                and removable(module, call.statement)
            ):
                # Edited, of a type or layer the plan changed: instrument_module says it is the
                # user's and out of date in one line, as for one in a block (below).
                kept.add(call.event_type)
                continue
            if only_ours and not ours:
                continue  # not known to be generate's: left alone without a word
            what = f"the log call of route {handler.label()}"
            if take_out(editor, call.statement, ours, force, what, reason):
                editor.refill(handler.function, call.statement, handler.qualname)
            else:
                kept.add(call.event_type)
        if only_ours and staying is None:
            continue
        for call in existing_log_calls(handler, editor.index, targets, nested=True):
            if call.event_type is None or call.event_type == keep:
                continue
            if event_types is not None and call.event_type not in event_types:
                continue
            if not looks_inserted(call):
                continue  # the user's own logging
            ours = inserted_call(handler, call, fallback_block)
            if staying is not None and (ours or call.event_type in handed_over):
                # Changed where it stands by instrument_module (or, edited, named there): one
                # kept keeps the old type recorded until it is brought up to date.
                if not (ours or force):
                    kept.add(call.event_type)
                continue
            if only_ours:
                continue  # not known to be generate's: left alone without a word
            # Put by the user into a block of theirs: taken out, the block could be left empty.
            editor.edits.problems.append(
                f"{module.path}:{call.statement.lineno}: the log call of route "
                f"{handler.label()} is inside a block of yours (an `if`, a `try`): kept as your "
                "code; take it out by hand"
            )
            kept.add(call.event_type)
    editor.release(f"{logger_module}.event_logger")
    return frozenset(kept)


def skipped_inserted_calls(editor: ModuleEditor, analytics_package: str) -> bool:
    """Whether a handler marked ``# telemetry-scaffold: skip`` holds a call generate inserted.

    One it wrote before the mark went in: generate leaves it (see :func:`uninstrument_module`),
    and remove, which takes out everything the tool wrote, needs the module recorded to find it.
    """
    handlers, _ = find_handlers(editor.module, editor.index)
    logger_module = f"{analytics_package}.event_logger"
    targets = frozenset({f"{logger_module}.event_logger", logger_module})
    fallback_block = editor.module.name.rpartition(".")[2]
    return any(
        call.event_type is not None
        and not editor.is_deleted(call.statement)
        and inserted_call(handler, call, fallback_block)
        for handler in handlers
        if handler.skipped
        and handler.readable
        and not unrecordable_parameters(handler, editor.index)
        for call in existing_log_calls(handler, editor.index, targets)
    )


def relayer_skipped_calls(editor: ModuleEditor, old_package: str, new_package: str) -> bool:
    """Move the import that skipped handlers' inserted calls read from ``old_package``'s logger.

    generate leaves a handler marked ``# telemetry-scaffold: skip`` alone, call and all (see
    :func:`uninstrument_module`), but the module-level import that call reads is the tool's:
    it follows the layer to ``new_package`` under the same name, so that the old layer can go.
    True when no such call is left reading the old layer; else each is named on a line, with
    what to do (the old layer stays while it reads it).
    """
    if not skipped_inserted_calls(editor, old_package):
        return True
    module = editor.module
    handlers, _ = find_handlers(module, editor.index)
    skipped = [handler for handler in handlers if handler.skipped]
    if editor.move_import(
        f"{old_package}.event_logger.event_logger",
        f"{new_package}.event_logger",
        "event_logger",
        top_statement_of(module, skipped[0].function),
    ):
        return True
    # Not an import of the tool's own shape (in a block, merged with other names): said.
    name_skipped_calls(
        editor, old_package, f"import it from {new_package}.event_logger instead, by hand"
    )
    return False


def name_skipped_calls(editor: ModuleEditor, package: str, what_to_do: str) -> None:
    """Name on a line each skipped handler's inserted call reading ``package``'s logger.

    Said where that layer stays only for those calls (see :func:`relayer_skipped_calls`),
    with ``what_to_do`` so that it can go.
    """
    module = editor.module
    handlers, _ = find_handlers(module, editor.index)
    logger_module = f"{package}.event_logger"
    targets = frozenset({f"{logger_module}.event_logger", logger_module})
    fallback_block = module.name.rpartition(".")[2]
    for handler in handlers:
        if not handler.skipped:
            continue
        for call in existing_log_calls(handler, editor.index, targets):
            if call.event_type is not None and inserted_call(handler, call, fallback_block):
                editor.edits.notes.append(
                    f"{module.path}:{call.statement.lineno}: the log call of route "
                    f"{handler.label()}, in a handler marked `# telemetry-scaffold: skip`, "
                    f"reads the logger of {package}, which stays while it does: {what_to_do}"
                )


def inserted_call(handler: Handler, call: LogCall, fallback_block: str) -> bool:
    """Whether ``call`` is one generate inserts for ``handler``: now, or for an older route.

    The same code (however laid out) is; so is a call with the context keys first whose values
    are the literals, parameters and ``len()`` of a parameter that generate writes (the route,
    methods, the handler's name or the captured parameters may have changed since). A call with
    other keys or values (a key the user added, holding a literal or another name; methods no
    route gives, as ``"get"``) was edited. A value in a form generate writes for some type or
    plan (``str(x)`` of a number) is taken for its own: it cannot be told from one an older
    plan or annotation had generate write.
    """
    assert call.event_type is not None
    if not handler.readable:
        return False  # generate writes no call where it cannot read the route
    if user_comment(handler.module, call.statement) is not None:
        return False  # generate writes no comment: one in the call is the user's (see below)
    logger = ast.unparse(_logger_expression(call))
    entries = payload_entries(handler, fallback_block)
    # Compared as syntax trees, so the layout (and its line length) does not matter.
    lines = log_call_lines(logger, call.event_type, entries, "", "", DEFAULT_LINE_LENGTH)
    expected = ast.parse("\n".join(lines)).body[0]
    if ast.dump(expected) == ast.dump(call.statement):
        return True
    arguments = call.statement.value
    assert isinstance(arguments, ast.Call)
    if (
        len(arguments.args) != 2
        or arguments.keywords
        or not isinstance(arguments.args[1], ast.Dict)
    ):
        return False
    payload = arguments.args[1]
    keys = [key.value if isinstance(key, ast.Constant) else None for key in payload.keys]
    # The context comes first, as generate writes it; what follows depends on the plan of the
    # day (path parameters, or the captured properties of a declared event).
    if keys[:4] != [key for key, _ in entries[:4]] or not all(isinstance(k, str) for k in keys):
        return False
    # The handler's name is the one it had when the call went in: renamed since, the call is
    # still the inserted one, and out of date.
    handler_value = payload.values[keys.index("handler")]
    if not (isinstance(handler_value, ast.Constant) and _qualname(handler_value.value)):
        return False
    if not all(_generated_value(value) for value in payload.values[:4]):
        return False
    block = _logged_block(payload.values[keys.index("route")])
    written = payload.values[keys.index("block_type")]
    if block is not None and not (isinstance(written, ast.Constant) and written.value == block):
        return False  # no route generate logged gives this block type: the user's choice
    if not _route_methods(payload.values[keys.index("method")]):
        return False  # no route gives these methods (`"get"`): the user's spelling
    # After the context, generate writes only values read off the handler's own parameters
    # (path parameters, captured properties), through the logger's `text()` at most: a literal
    # or another name there is a key the user added, which makes the call theirs.
    known = _known_names(handler, call)
    return all(
        _captured_value(key, value, handler, known)
        for key, value in zip(map(str, keys[4:]), payload.values[4:], strict=True)
    )


def stale_entries(
    handler: Handler,
    call: LogCall,
    wanted: list[tuple[str, str]],
    captured: set[str],
    loggable: set[str],
) -> list[str]:
    """What an inserted call edited by hand still says that generate would now write otherwise.

    The call is the user's (kept, never rewritten without ``--force``), but what generate wrote
    into it goes stale as the code or the plan changes: the route, methods or handler's name in
    the form generate writes but not today's; a property of ``captured`` (the plan asks for it
    by name) missing or read otherwise; a key of ``loggable`` (what generate can write after
    the context) read off the handler that ``wanted`` no longer has. The block type and path
    parameters follow the route: judged only once the route is stale, else a block type or a
    key taken out are the user's choice. A call that does not open with the context generate
    writes (its four keys in order, a function's name as the handler) is the user's own, with
    nothing stale.
    """
    value = call.statement.value
    assert isinstance(value, ast.Call)
    payload = value.args[1] if len(value.args) == 2 else None
    if not isinstance(payload, ast.Dict):
        return []
    values = {
        key.value: item
        for key, item in zip(payload.keys, payload.values, strict=True)
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    }
    handler_value = values.get("handler")
    if list(values)[:4] != list(CONTEXT_PROPERTIES) or not (
        isinstance(handler_value, ast.Constant) and _qualname(handler_value.value)
    ):
        return []  # not the context generate writes first: the user's own call
    stale = []
    route_stale = False
    for key, source in wanted:
        derived = key not in captured and key not in ("route", "method", "handler")
        have = values.get(key)
        if derived and not route_stale:
            continue
        if have is None:
            stale.append(f"`{key}` missing")
            continue
        if key == "method" and _same_methods(have, source):
            continue  # the same methods, spelled the user's way
        if not writes(have, source) and _generated_value(have):
            now = ast.unparse(ast.parse(source, mode="eval"))
            stale.append(f"`{key}` is {ast.unparse(have)}, now {now}")
            route_stale = route_stale or key == "route"
    asked = {key for key, _ in wanted}
    known = _known_names(handler, call)
    stale.extend(
        f"`{key}` not asked for by the plan"
        for key, item in values.items()
        if key in loggable and key not in asked and _captured_value(key, item, handler, known)
    )
    return stale


def _logged_block(route: ast.expr) -> str | None:
    """The block type generate writes beside a logged ``route`` value.

    None when that cannot be told: a route known at run time, or one without a static segment
    (its block type is its module's name, which may have changed since).
    """
    items = route.elts if isinstance(route, ast.List) else [route]
    blocks = []
    for item in items:
        block = (
            route_block(item.value)
            if isinstance(item, ast.Constant) and isinstance(item.value, str)
            else None
        )
        if block is None:
            return None
        blocks.append(block)
    return ",".join(dict.fromkeys(blocks))


def writes(value: ast.expr, source: str) -> bool:
    """Whether the expression ``value`` is what the Python ``source`` writes (layout aside)."""
    return ast.dump(value) == ast.dump(ast.parse(source, mode="eval").body)


def _route_methods(value: ast.expr) -> bool:
    """Whether ``value`` is methods as generate writes them: ``"GET"``, ``"GET,POST"``."""
    return (
        isinstance(value, ast.Constant)
        and isinstance(value.value, str)
        and all(name.isalpha() and name.isupper() for name in value.value.split(",") if name)
    )


def _same_methods(value: ast.expr, source: str) -> bool:
    """Whether ``value`` names the methods ``source`` writes, in any case and order."""
    wanted = ast.parse(source, mode="eval").body
    return (
        isinstance(value, ast.Constant)
        and isinstance(value.value, str)
        and isinstance(wanted, ast.Constant)
        and isinstance(wanted.value, str)
        and _method_names(value.value) == _method_names(wanted.value)
    )


def _method_names(text: str) -> frozenset[str]:
    """The methods a ``method`` value names, whatever their case."""
    return frozenset(name.strip().upper() for name in text.split(","))


def _known_names(handler: Handler, call: LogCall) -> set[str]:
    """The names a value generate writes may read: parameters, builtins, the logger."""
    known = {argument.arg for argument, _ in handler.parameters()} | set(_GENERATED_CALLS)
    logger_root = chain_root(_logger_expression(call))
    if isinstance(logger_root, ast.Name):
        known.add(logger_root.id)
    return known


def user_comment(module: ModuleModel, statement: ast.stmt) -> str | None:
    """The first comment on the lines of ``statement`` (first to last), if any.

    generate writes no comment into the code it inserts, so one there was put by the user (a
    note, a commented-out argument, the ``# noqa`` ruff adds): the code is theirs to keep. Read
    with the tokenizer, so that a ``#`` inside a string is no comment.
    """
    if inline_cut(module, statement) is not None:
        # One line of a one-line suite (`def f(): <call>; return x  # note`): a comment
        # there ends the suite, the handler's line, and is none of the statement's.
        return None
    last = statement.end_lineno or statement.lineno
    lines = module.lines
    if not any("#" in lines.line(number) for number in range(statement.lineno, last + 1)):
        return None  # the common case, without tokenizing
    text = "\n".join(lines.line(number) for number in range(statement.lineno, last + 1))
    try:
        for token in tokenize.generate_tokens(io.StringIO(text + "\n").readline):
            if token.type == tokenize.COMMENT:
                return token.string
    except (tokenize.TokenError, SyntaxError):
        # Lines that do not tokenize alone (a statement sharing them): judged by owns_lines.
        return None
    return None


def _captured_value(key: str, value: ast.expr, handler: Handler, known: set[str]) -> bool:
    """A value generate writes for ``key`` after the context: of the handler's parameters.

    The parameter it was captured from may have been renamed since (as a logger whose import
    went is still the logger): a name bound nowhere that is the key's own (a path parameter)
    or holds the key as a field (``request.x`` of a body model, once ``request`` became
    ``req``) still makes the call generate's, and stale.
    """
    carriers = {key} | {
        node.value.id
        for node in ast.walk(value)
        if isinstance(node, ast.Attribute) and node.attr == key and isinstance(node.value, ast.Name)
    }
    renamed = {name for name in carriers if handler.scope.lookup(name) is None}
    return (
        not isinstance(value, ast.Constant | ast.List)
        and _generated_value(value)
        and all(
            node.id in known | renamed for node in ast.walk(value) if isinstance(node, ast.Name)
        )
    )


def _qualname(value: object) -> bool:
    """Whether ``value`` is a function's qualified name, as generate writes it."""
    return isinstance(value, str) and all(part.isidentifier() for part in value.split("."))


def looks_inserted(call: LogCall) -> bool:
    """Whether a call carries the context generate writes (a ``route`` and a ``handler`` key).

    Such a call that is not one generate would write was edited after it was inserted; a call
    without them was written by hand.
    """
    value = call.statement.value
    assert isinstance(value, ast.Call)
    payload = value.args[1] if len(value.args) > 1 else None
    if not isinstance(payload, ast.Dict):
        return False
    keys = {key.value for key in payload.keys if isinstance(key, ast.Constant)}
    return {"route", "handler"} <= keys


def _logger_expression(call: LogCall) -> ast.expr:
    value = call.statement.value
    assert isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
    return value.func.value


# The builtins generate calls in a payload value: len(name), and len(str(name)) since 0.2.0.
_GENERATED_CALLS = ("len", "str")


def _generated_value(value: ast.expr) -> bool:
    """A value generate writes: strings, lists, names, str(), len(), x.text(), x.a + b, None if."""
    if isinstance(value, ast.Constant):
        return isinstance(value.value, str)
    if isinstance(value, ast.List):
        return all(_generated_value(item) for item in value.elts)
    if isinstance(value, ast.Name):
        return True
    if is_selection(value):
        # `{"daily": "/daily", ...}.get(period, [...])`: a route told by a partial's bound
        # parameter.
        table = value.func
        assert isinstance(table, ast.Attribute) and isinstance(table.value, ast.Dict)
        return all(
            isinstance(key, ast.Constant) and _generated_value(item)
            for key, item in zip(table.value.keys, table.value.values, strict=True)
        ) and _generated_value(value.args[1])
    if isinstance(value, ast.Call):
        # len(name), and len(str(name)) as written since 0.2.0; event_logger.text(name), a
        # captured value's text as written since 0.16.0.
        return (
            (
                (isinstance(value.func, ast.Name) and value.func.id in _GENERATED_CALLS)
                or (
                    isinstance(value.func, ast.Attribute)
                    and value.func.attr == "text"
                    and isinstance(value.func.value, ast.Name)
                )
            )
            and len(value.args) == 1
            and not value.keywords
            and _generated_value(value.args[0])
        )
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        return _generated_value(value.left) and _generated_value(value.right)
    if isinstance(value, ast.IfExp):
        # `None if x is None else str(x)`: an optional value captured as text (since 0.5.0),
        # and `None if body is None or body.x is None else ...` through an optional body.
        test = value.test
        tests = (
            test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) else [test]
        )
        return (
            isinstance(value.body, ast.Constant)
            and value.body.value is None
            and all(
                isinstance(one, ast.Compare)
                and isinstance(one.ops[0], ast.Is)
                and _generated_value(one.left)
                for one in tests
            )
            and _generated_value(value.orelse)
        )
    # router.prefix, body.field of a captured property, and an enum's body.kind.value.
    return isinstance(chain_root(value), ast.Name)


def take_out(
    editor: ModuleEditor,
    statement: ast.stmt,
    ours: bool,
    force: bool,
    what: str,
    reason: str = "",
) -> bool:
    """Take ``statement`` out; whether it went (else a problem says why it stays).

    Not ``ours`` (changed since it went in) or carrying a comment, it stays unless ``force``.
    ``reason`` ends the line saying it is taken out.
    """
    module = editor.module
    where = f"{module.path}:{statement.lineno}"
    if not removable(module, statement):  # its own lines, or `<call>; ` in a one-line suite
        editor.edits.problems.append(
            f"{where}: {what} shares its lines with other code; take it out by hand"
        )
        return False
    comment = user_comment(module, statement)
    if comment is not None and not force:
        editor.edits.problems.append(
            f"{where}: {what} carries a comment of yours ({comment}): kept as your code; take it "
            "out by hand, or rerun with --force"
        )
        return False
    if not ours and not force:
        editor.edits.problems.append(
            f"{where}: {what} is not as telemetry-scaffold wrote it (changed since, or written by "
            "hand); kept: take it out by hand, or rerun with --force"
        )
        return False
    editor.delete(statement)
    editor.edits.changes.append(
        f"take out {what}" + ("" if ours else " (changed; --force)") + reason
    )
    return True
