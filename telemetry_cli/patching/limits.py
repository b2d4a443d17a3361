"""The count limits a project's linters set (a function's statements, a module's lines, imports).

An inserted log call is one statement more in its handler: ruff's ``PLR0915`` and pylint's
``too-many-statements`` (both at ``max-statements``, 50 unless set) count it, and a handler that
was exactly at the limit is one over it after ``generate``. Nothing else the insertion adds is
counted by the project's other count-based rules: the call holds no branch (``C901``, mccabe,
``PLR0912``, pylint's ``too-many-branches``), binds no local (``too-many-locals``) and returns
nothing (``too-many-return-statements``). The handler is still instrumented (every route is
logged, as asked); :func:`statement_notes` says which handler crossed which rule, and how to
exempt it, in one line each.

Each tool's count is its own (they differ: ruff counts a docstring and a nested class as one
statement, pylint neither, and pylint counts a nested function's statements for the outer one
too); both are followed here as ruff 0.17 and pylint 4 count, checked against the installed
tools by ``tests/test_patching_limits.py``.

A module's limits are crossed by what ``generate`` adds to the module as a whole: its lines
(pylint's ``too-many-lines``, at ``max-module-lines``, 1000 unless set: the log calls' lines and
the import's) and its import statements (wemake-python-styleguide's ``WPS201``, at
``max-imports``, 12 unless set: the one ``from ... import event_logger``). :func:`module_notes`
compares the module before and after, and says it in the same one line as a function's.
"""

import ast
import functools
import io
import re
import tokenize
from collections.abc import Callable
from typing import NamedTuple

from telemetry_cli.errors import PARSE_ERRORS
from telemetry_cli.patching.docstrings import after_docstring, is_docstring
from telemetry_cli.patching.source import SourceLines

#: ruff's and pylint's default ``max-statements``.
DEFAULT_MAX_STATEMENTS = 50
#: pylint's default ``max-module-lines``.
DEFAULT_MAX_MODULE_LINES = 1000
#: wemake-python-styleguide's default ``max-imports``.
DEFAULT_MAX_IMPORTS = 12
#: What a limit counts: a function's statements, or a module's lines or import statements.
STATEMENTS, LINES, IMPORTS = "statements", "lines", "imports"
# The statements ruff counts as one with their body.
_BLOCKS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.With, ast.AsyncWith)


class Limit(NamedTuple):
    """One linter's limit on a count (:data:`STATEMENTS`, ...), as the project configures it."""

    #: ``"ruff"``, ``"pylint"`` or ``"wemake"``: whose way of counting applies.
    tool: str
    #: The rule's name as the tool reports it (``PLR0915``, ``too-many-statements``).
    rule: str
    limit: int
    #: What exempts one function (or module) from the rule, and where it goes.
    exemption: str
    #: What is counted: :data:`STATEMENTS` (of a function), :data:`LINES` or :data:`IMPORTS`.
    counts: str = STATEMENTS
    #: The option that sets the limit.
    option: str = "max-statements"


class PylintRule(NamedTuple):
    """A count-limiting rule of pylint's that one inserted line can tip."""

    name: str
    id: str
    option: str
    default: int
    #: Where the comment exempting one goes.
    where: str
    counts: str


#: pylint's rules a patch can tip, each read from the project's pylint settings.
PYLINT_RULES: tuple[PylintRule, ...] = (
    PylintRule(
        "too-many-statements",
        "R0915",
        "max-statements",
        DEFAULT_MAX_STATEMENTS,
        "on its def line",
        STATEMENTS,
    ),
    PylintRule(
        "too-many-lines",
        "C0302",
        "max-module-lines",
        DEFAULT_MAX_MODULE_LINES,
        "at the top of the module",
        LINES,
    ),
)


def ruff_statements(body: list[ast.stmt]) -> int:
    """The statements ruff's ``PLR0915`` counts in ``body`` (a function's), as ruff 0.17 does."""
    count = 0
    for statement in body:
        if isinstance(statement, ast.If):
            count += 1 + ruff_statements(statement.body)
            if statement.orelse:
                # `elif` (a lone `if` starting at this one's column) is its own clause;
                # `else:` holding an `if` is an else clause and then that `if`.
                count += (0 if _is_elif(statement) else 1) + ruff_statements(statement.orelse)
        elif isinstance(statement, ast.For | ast.AsyncFor):
            count += ruff_statements(statement.body) + ruff_statements(statement.orelse)
        elif isinstance(statement, ast.While):
            count += 1 + ruff_statements(statement.body) + ruff_statements(statement.orelse)
        elif isinstance(statement, ast.Match):
            count += 1 + sum(1 + ruff_statements(case.body) for case in statement.cases)
        elif isinstance(statement, ast.Try | ast.TryStar):
            count += 1 + ruff_statements(statement.body)
            if statement.orelse:
                count += 1 + ruff_statements(statement.orelse)
            if statement.finalbody:
                count += 2 + ruff_statements(statement.finalbody)  # ruff follows pylint here
            if len(statement.handlers) > 1:
                count += 1
            count += sum(1 + ruff_statements(handler.body) for handler in statement.handlers)
        elif isinstance(statement, _BLOCKS):
            count += 1 + ruff_statements(statement.body)
        elif not isinstance(statement, ast.Return):
            count += 1
    return count


def pylint_statements(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The statements pylint's ``too-many-statements`` counts in ``function``, as pylint 4 does.

    Its counter starts at one; each statement node adds one, except those pylint's design
    checker visits itself: a ``return``, a loop, a nested ``def`` or ``class`` (whose bodies
    still count) add nothing, an ``if`` one per branch it writes out, a ``try`` one per handler,
    ``else`` and ``finally`` (and each handler one more, as a statement), a ``match`` one. A
    function's docstring is no statement to pylint (a class's is).
    """
    count = 1
    stack: list[ast.AST] = list(after_docstring(function.body))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            stack.extend(after_docstring(node.body))
            continue
        if isinstance(node, ast.ClassDef):
            stack.extend(node.body)  # a class's docstring is a statement to pylint
            continue
        if isinstance(node, ast.If):
            written_else = node.orelse and not _is_elif(node, col_sensitive=False)
            count += 2 if written_else else 1
        elif isinstance(node, ast.Try):
            count += len(node.handlers) + bool(node.orelse) + bool(node.finalbody)
        elif isinstance(node, ast.match_case):
            pass
        elif isinstance(node, ast.ExceptHandler):
            count += 1  # a statement to astroid, beside the try's own count of it
        elif isinstance(node, ast.stmt) and not isinstance(node, ast.Return | ast.For | ast.While):
            count += 1
        stack.extend(_child_statements(node))
    return count


def statement_notes(
    function: ast.FunctionDef | ast.AsyncFunctionDef, limits: tuple[Limit, ...], text: str
) -> list[str]:
    """What one more statement at the top of ``function`` tips over: one phrase per rule.

    Each phrase names the rule, the count it reaches and the comment that exempts the function.
    A rule a comment of the module's ``text`` already turns off there is none.
    """
    found = []
    for limit in limits:
        if limit.counts != STATEMENTS or exempted(limit, text, function.lineno):
            continue
        before = (
            ruff_statements(function.body) if limit.tool == "ruff" else pylint_statements(function)
        )
        if before == limit.limit:
            found.append(_crossed(limit, before + 1))
    return found


def module_notes(before: str, after: str, limits: tuple[Limit, ...]) -> list[str]:
    """What the module's patch (``before`` to ``after``) tips over: one phrase per rule."""
    found = []
    for limit in limits:
        if limit.counts == STATEMENTS or exempted(limit, before, None):
            continue
        old, new = _module_count(before, limit.counts), _module_count(after, limit.counts)
        if old is not None and new is not None and old <= limit.limit < new:
            found.append(_crossed(limit, new))
    return found


# The comment patterns below are source text, compiled on first use by `_compiled`: a run reads
# linter comments only where a log call meets a limit, an up-to-date check in none, and
# compiling them at import was 10 M instructions of every run's start.
# A ruff noqa comment ending a line, bare or naming codes.
_NOQA = r"(?i)#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?"
# flake8's own patterns (flake8 7's `defaults.py`): its file exemption is a physical line that
# starts with it (whitespace aside, a string's line too), whatever follows it (codes named after
# it still exempt the whole file); a line's exemption needs one space after the hash, and names
# codes after a colon and at most one space (else it is a blanket one).
_FLAKE8_FILE_NOQA = r"(?i)\s*# flake8[:=]\s*noqa"
_FLAKE8_NOQA = r"(?i)# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?"
_PHYSICAL_LINE = r"\r\n|\r|\n"
_PYLINT_OFF = r"#\s*pylint\s*:\s*disable\s*=\s*(?P<names>[\w\-, ]+)"
# pylint's `disable-next`: the line below only (its def line, for a function).
_PYLINT_OFF_NEXT = r"#\s*pylint\s*:\s*disable-next\s*=\s*(?P<names>[\w\-, ]+)"
_PYLINT_SKIP = r"(?m)^#\s*pylint\s*:\s*skip-file"


# Ruff's file exemption, as ruff 0.17 reads it: in a comment of its own line (any `#` part of
# it), `ruff` or `flake8` in lower case, then `noqa` in any case; then a colon and whole codes
# (none valid: no exemption), or nothing (every rule).
_RUFF_FILE_NOQA = r"^\s*(?:ruff|flake8)\s*:\s*(?i:noqa)(?P<rest>\s*:|\s|$)"
_RUFF_CODES = r"\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """``pattern`` (one of the comment patterns above) compiled, once a process."""
    return re.compile(pattern)


def ruff_file_exemptions(text: str) -> frozenset[str] | None:
    """The rules a module's own ``# ruff: noqa: CODES`` comments turn off; None: every rule.

    A bare ``# ruff: noqa`` (or ``# flake8: noqa``) exempts the file from every rule. Only
    comments on lines of their own count (not one after code, nor text in a string), and only
    whole codes (``TID`` turns nothing off), as ruff reads them.
    """
    codes: set[str] = set()
    if "noqa" not in text.lower():
        return frozenset()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return frozenset()
    for token in tokens:
        if token.type != tokenize.COMMENT or token.line[: token.start[1]].strip():
            continue
        for part in token.string.split("#")[1:]:
            match = _compiled(_RUFF_FILE_NOQA).match(part)
            if match is None:
                continue
            if not match.group("rest").endswith(":"):
                return None
            named = _compiled(_RUFF_CODES).match(part, match.end())
            if named is not None:
                codes.update(re.split(r"[\s,]+", named.group("codes").strip()))
    return frozenset(codes)


def exempted(limit: Limit, text: str, line: int | None) -> bool:
    """Whether a comment of the module ``text`` already turns ``limit``'s rule off.

    For a function (``line``, its def line): ruff's or flake8's ``noqa`` there, a pylint
    ``disable`` on it or on a module-level line of its own before it. For the module (``line``
    None): a module-level pylint ``disable`` anywhere (pylint honours it for the module's
    message, tested).
    Either way, a file's ``# ruff: noqa``/``# flake8: noqa`` (for ruff's rules, read as ruff
    reads it: see :func:`ruff_file_exemptions`; for flake8's, wemake's, as flake8 reads it:
    see :func:`flake8_exempts`) or ``# pylint: skip-file``.
    """
    # Numbered as ast numbers them (`line`): a form feed starts no line there.
    lines = SourceLines(text).as_list()
    if limit.tool == "pylint":
        if _compiled(_PYLINT_SKIP).search(text):
            return True
        # A disable may name the rule or its id.
        ids = {rule.name: rule.id.lower() for rule in PYLINT_RULES}
        names = {limit.rule, ids.get(limit.rule, limit.rule), "all"}
        own = lines if line is None else lines[: line - 1]
        # A comment line of its own turns the rule off to the end of its block: the module's,
        # or (for a method) the class's, indented as the def is or less.
        depth = 0 if line is None or line > len(lines) else _indent(lines[line - 1])
        candidates = [(entry, _PYLINT_OFF) for entry in own if _is_comment_within(entry, depth)]
        if line is not None and line <= len(lines):
            candidates.append((lines[line - 1], _PYLINT_OFF))
            if line >= 2:
                candidates.append((lines[line - 2], _PYLINT_OFF_NEXT))
        for entry, pattern in candidates:
            match = _compiled(pattern).search(entry)
            disabled = match.group("names") if match else ""
            if {name.strip().lower() for name in disabled.split(",")} & names:
                return True
        return False
    if limit.tool != "ruff":
        return flake8_exempts(limit.rule, text, line)
    off = ruff_file_exemptions(text)
    if off is None or limit.rule in off:
        return True
    if line is None or line > len(lines):
        return False
    match = _compiled(_NOQA).search(lines[line - 1])
    return match is not None and (
        match.group("codes") is None
        or limit.rule in re.split(r"[\s,]+", match.group("codes").upper())
    )


def flake8_exempts(rule: str, text: str, line: int | None) -> bool:
    """Whether flake8's ``noqa`` comments in ``text`` leave ``rule`` unreported at ``line``.

    ``line`` None: a finding of the module itself. Read as flake8 reads them: a file's
    ``# flake8: noqa`` (or ``flake8=noqa``) on a line of its own, any codes after it
    notwithstanding; a ``# noqa`` on the line, bare or naming the rule or a prefix of it.
    """
    physical = _compiled(_PHYSICAL_LINE).split(text)
    if any(_compiled(_FLAKE8_FILE_NOQA).match(entry) for entry in physical):
        return True
    if line is None or not 1 <= line <= len(physical):
        return False
    match = _compiled(_FLAKE8_NOQA).search(physical[line - 1])
    if match is None:
        return False
    if match.group("codes") is None:
        return True
    codes = tuple(code for code in re.split(r"[,\s]+", match.group("codes")) if code)
    return rule in codes or rule.startswith(codes)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _is_comment_within(line: str, depth: int) -> bool:
    """Whether ``line`` is a comment of its own, indented ``depth`` or less."""
    return line.lstrip().startswith("#") and _indent(line) <= depth


def _crossed(limit: Limit, count: int) -> str:
    """The phrase of one limit crossed: the count reached, the rule, and what exempts."""
    return (
        f"{count} {limit.counts} by {limit.tool}'s count, over {limit.rule}'s {limit.option} of "
        f"{limit.limit}; {limit.exemption} exempts it"
    )


def _module_count(text: str, counts: str) -> int | None:
    """A module's lines (as pylint counts them) or import statements (as wemake counts them).

    None when the text is no Python the parser reads (nothing to compare).
    """
    if counts == LINES:
        return len(text.splitlines())
    try:
        tree = ast.parse(text)
    except PARSE_ERRORS:
        return None
    # Every import statement, a function's too; `import a, b` is one.
    return sum(isinstance(node, ast.Import | ast.ImportFrom) for node in ast.walk(tree))


def _child_statements(node: ast.AST) -> list[ast.AST]:
    """The statement lists directly under ``node`` (bodies, branches, handlers, cases)."""
    children: list[ast.AST] = []
    for field in ("body", "orelse", "finalbody", "handlers", "cases"):
        value = getattr(node, field, None)
        if isinstance(value, list):
            children.extend(item for item in value if isinstance(item, ast.AST))
    return children


def _is_elif(node: ast.If, *, col_sensitive: bool = True) -> bool:
    """Whether ``node``'s ``else`` is an ``elif``: a lone ``if`` (at its column: written so)."""
    if len(node.orelse) != 1 or not isinstance(node.orelse[0], ast.If):
        return False
    return not col_sensitive or node.orelse[0].col_offset == node.col_offset


#: ruff's unused-argument rules (flake8-unused-arguments): of a function, an instance method, a
#: class method and a static method; and its preview ``PLR6301`` (no-self-use): a method whose
#: ``self`` is unused. Each leaves a stub alone.
UNUSED_ARGUMENT_RULES = ("ARG001", "ARG002", "ARG003", "ARG004", "PLR6301")


def unused_arguments_note(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    in_class: bool,
    read: Callable[[], set[str]],
    rules: tuple[frozenset[str], str],
    text: str,
) -> str | None:
    """What ruff's ``ARG`` rules report in a stub handler once its log call is in, if anything.

    They leave a stub's parameters alone (its body a docstring, ``pass``, ``...`` or ``raise
    NotImplementedError``); with the call in, it is no stub, and each parameter the call does
    not read (``read()``, asked of a stub only: path parameters are read; nothing else is
    logged, on purpose) is reported,
    but for ``self``/``cls`` and names ruff takes for dummies (``rules``' pattern). One phrase
    naming the rule, the parameters and what exempts the handler; None when none is reported.
    """
    if not _is_stub(function.body):
        return None
    names = [
        argument.arg
        for argument in (
            *function.args.posonlyargs,
            *function.args.args,
            *function.args.kwonlyargs,
            *(star for star in (function.args.vararg, function.args.kwarg) if star is not None),
        )
    ]
    decorators = {_decorator_name(decorator) for decorator in function.decorator_list}
    if not in_class:
        rule = "ARG001"
    elif "staticmethod" in decorators:
        rule = "ARG004"
    else:
        rule = "ARG003" if "classmethod" in decorators else "ARG002"
        names = names[1:]  # self, cls
    reported, dummies = rules
    names_read = read() if names else set()
    unused = [name for name in names if name not in names_read and not re.search(dummies, name)]
    found = []
    if (
        unused
        and rule in reported
        and not exempted(Limit("ruff", rule, 0, ""), text, function.lineno)
    ):
        shown = ", ".join(f"`{name}`" for name in unused)
        found.append((rule, f"{rule} reports its unused parameters {shown}"))
    self_use = "PLR6301"
    if (
        rule == "ARG002"
        and self_use in reported
        and not exempted(Limit("ruff", self_use, 0, ""), text, function.lineno)
    ):
        found.append((self_use, f"{self_use} (preview) reports it could be a function"))
    if not found:
        return None
    codes = ", ".join(code for code, _ in found)
    return (
        f"with its log call it is no stub to ruff, whose {' and '.join(what for _, what in found)}"
        f"; finish the handler, or `# noqa: {codes}` on its def line"
    )


#: Return annotations a function that falls off its end meets (or says it never returns): no
#: type checker asks such a handler for a return statement.
_NO_RETURN_NEEDED = frozenset({"None", "Any", "object", "NoReturn", "Never"})


def missing_return_note(
    function: ast.FunctionDef | ast.AsyncFunctionDef, stub: str, checkers: frozenset[str]
) -> str | None:
    """What the project's type ``checkers`` report once a log call takes the place of ``stub``.

    A stub body (``pass``, ``...``) lets a handler annotated to return a value off with mypy's
    ``empty-body`` (and pyright's ``...`` off entirely); with the call in, it is no stub, and
    both report a missing return statement instead, which no statement kept after the call
    would silence (mypy ``[return]``, pyright ``reportReturnType``). For mypy that is always a
    new finding (another code, or none before for an optional result); for pyright only when
    the stub was not ``pass`` (which it reports the same way) and the result cannot be None.
    One phrase naming the checkers and what to do; None when none reports anything new.
    """
    returns = function.returns
    if isinstance(returns, ast.Constant) and isinstance(returns.value, str):
        try:
            returns = ast.parse(returns.value, mode="eval").body
        except PARSE_ERRORS:
            return None  # a forward reference the checkers cannot read either
    if returns is None or _annotation_name(returns) in _NO_RETURN_NEEDED:
        return None
    found = ["mypy"] if "mypy" in checkers else []
    if "pyright" in checkers and stub != "pass" and not _optional(returns):
        found.append("pyright")
    if not found:
        return None
    return (
        f"with its log call in place of its stub `{stub}`, {' and '.join(found)} "
        f"report{'s' if len(found) == 1 else ''} its "
        f"missing return statement (it is annotated `-> {ast.unparse(returns)}`); finish the "
        "handler, or `# type: ignore[return]` on its def line"
    )


def _annotation_name(annotation: ast.expr) -> str:
    """The name an annotation ends in (``typing.Any``: ``Any``; ``None``: ``None``)."""
    if isinstance(annotation, ast.Constant):
        return repr(annotation.value)
    if isinstance(annotation, ast.Attribute):
        return annotation.attr
    return annotation.id if isinstance(annotation, ast.Name) else ""


def _optional(annotation: ast.expr) -> bool:
    """Whether ``annotation`` admits None (``X | None``, ``Optional[X]``, ``Union[X, None]``)."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _optional(annotation.left) or _optional(annotation.right)
    if isinstance(annotation, ast.Subscript):
        name = _annotation_name(annotation.value)
        if name == "Optional":
            return True
        members = annotation.slice
        if name == "Union" and isinstance(members, ast.Tuple):
            return any(_optional(member) for member in members.elts)
        return False
    return _annotation_name(annotation) in _NO_RETURN_NEEDED


def _decorator_name(decorator: ast.expr) -> str:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")


def _is_stub(body: list[ast.stmt]) -> bool:
    """Whether ruff takes a function with ``body`` for a stub (its ARG rules skip one)."""
    for statement in body:
        if isinstance(statement, ast.Pass) or is_docstring(statement):
            continue
        if (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and statement.value.value is Ellipsis
        ):
            continue
        raised = statement.exc if isinstance(statement, ast.Raise) else None
        if isinstance(raised, ast.Call):
            raised = raised.func
        if isinstance(raised, ast.Name) and raised.id in ("NotImplementedError", "NotImplemented"):
            continue
        return False
    return True
