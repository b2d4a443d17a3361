"""What the names of a user's package refer to, read with :mod:`ast`; user code is never imported.

A :class:`PackageIndex` parses the modules of the backend folder on demand and answers the
questions the patcher asks: what an expression names (following imports across the package),
whether a class is a FastAPI app or router (subclasses and library routers included), whether a
function builds one, and the value of a string constant.
"""

import ast
import bisect
import builtins
import contextlib
import copy
import functools
import gc
import operator
import re
import string
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from telemetry_cli.ast_literals import string_list
from telemetry_cli.errors import PARSE_ERRORS
from telemetry_cli.patching.docstrings import after_docstring
from telemetry_cli.patching.limits import Limit
from telemetry_cli.patching.names import (
    APP_CLASSES,
    APP_ROUTER,
    LIBRARY_API_ROUTERS,
    LIBRARY_STAR_EXPORTS,
    ROUTE_DECORATORS,
    ROUTER_CLASSES,
    ROUTER_SUFFIX,
    STARLETTE_ROUTES,
    VERSIONED_APP_FUNCTIONS,
)
from telemetry_cli.patching.source import SourceLines
from telemetry_cli.patching.style import FormatStyle, preferred_quote

if TYPE_CHECKING:
    from telemetry_cli.patching.mounts import Mounts
    from telemetry_cli.patching.routes import Handler, Suspect, Unfollowed

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
ScopeNode = ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
# Following constants and imports never needs to go deeper than this; deeper is a cycle or a trick.
_MAX_DEPTH = 24
# A string folded from others (f-strings, `+`, `%s`, `str.format`, `replace`) longer than this is
# not read: a route path or module name is far shorter (servers refuse request lines past 8 KiB),
# and each fold can multiply the length (`'{0}{0}...'.format(A)` chained: gigabytes). The length
# is counted before the string is built, so nothing past it is ever made.
_MAX_FOLDED = 8192
# The names Python binds in every module to its own name and its package's (`__name__`).
_MODULE_NAMES = frozenset({"__name__", "__package__"})
# Patterns kept as source text (here and below) are compiled on first use, and cached, by
# `re`: an up-to-date `generate --check` never uses them (compiling at import cost every run).
# Up to this many names, a search for each finds the lines naming them; past it, one pass over
# every word of the text is cheaper (it costs about as much as sixty searches for one name).
_FEW_NAMES = 32
_ASCII_WORD = r"[A-Za-z_][A-Za-z0-9_]*"
_ASCII_WORD_CHARACTERS = frozenset(string.ascii_letters + string.digits + "_")
# What before a word makes it no ``Name`` node: the keyword of the statement defining it
# (``def name``, ``async def name``), a dot (an attribute, or a module of an import), or a
# quote (a word just after a quote is in a string: in code, a string followed by a name does
# not parse). The window searched is short: longer whitespace keeps the line, which only
# costs time.
_NOT_A_NAME_BEFORE = re.compile(r"(?:(?<![\w.])(?:def|class)[ \t]+|[\"'.])\Z", re.ASCII)
_NON_ASCII = r"[^\x00-\x7f]"
# The enum classes whose members' values are read (`Paths.ONE.value`, a str enum's member).
_ENUM_BASES = frozenset({"enum.Enum", "enum.StrEnum"})


class Role(StrEnum):
    """What an object is to FastAPI."""

    APP = "app"
    ROUTER = "router"


class ModuleSource(NamedTuple):
    """The text of one module and where it lives."""

    name: str  # dotted import name, relative to the backend folder
    path: str  # POSIX path relative to the project root
    text: str
    is_package: bool  # an __init__.py
    #: How its project's formatter and import sorter lay it out (see :mod:`.style`).
    style: FormatStyle = FormatStyle()
    #: The limits its linters set on a function's statements (see :mod:`.limits`).
    linter_limits: tuple[Limit, ...] = ()
    #: The lowest level of relative import its ruff configuration bans (``TID252``: 2 for
    #: ``from ..x``, 1 for ``from .x`` too; None: no such ban).
    banned_relative_level: int | None = None
    #: Which of :data:`.limits.UNUSED_ARGUMENT_RULES` its ruff configuration reports in it, and
    #: the names they leave alone (its ``dummy-variable-rgx``).
    unused_argument_rules: tuple[frozenset[str], str] = (frozenset(), "^_")

    @property
    def package(self) -> str:
        """The package relative imports start from."""
        return self.name if self.is_package else self.name.rpartition(".")[0]

    #: The type checkers its project configures for it (``"mypy"``, ``"pyright"``).
    type_checkers: frozenset[str] = frozenset()


class ParseFailure(Exception):
    """A module is not valid Python; the message names the line."""

    def __init__(
        self, message: str, line: int | None = None, column: int | None = None, what: str = ""
    ) -> None:
        """The message (``syntax error at line 3, column 7: ...``) and where, when known.

        ``what`` is the message without its place (``syntax error: ...``), for :meth:`at`.
        """
        super().__init__(message)
        self.line = line
        self.column = column
        self.what = what or message

    def at(self, path: str) -> str:
        """One line naming the file and place first, as compilers do: ``path:3:7: what``."""
        if self.line is None:
            return f"{path}: {self.what}"
        column = "" if self.column is None else f"{self.column}:"
        return f"{path}:{self.line}:{column} {self.what}"


class Unreadable(Exception):
    """A module exists but cannot be read (a reader raises it); the message names the file."""

    def __init__(self, path: str, message: str) -> None:
        """Record which file, and why (a whole line that names it)."""
        super().__init__(message)
        self.path = path
        self.message = message


def single_assignment(statement: ast.stmt) -> tuple[ast.expr, ast.expr] | None:
    """The target and value of ``x = value`` or ``x: T = value`` (one target), else None."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        return statement.targets[0], statement.value
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        return statement.target, statement.value
    return None


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while syntax trees are built and read.

    Parsing allocates hundreds of thousands of acyclic nodes, and each full collection walks
    every tree held so far: a command reading a module of several MB three times spent more
    than half its time in the collector, and more per MB the bigger the module (about 10% on a
    5,000-line module). What the analysis leaves is freed by reference counting
    (``ModuleModel.close``) or by the next collection after it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


#: The trees (or failures) of the texts parsed in the current analysis run, by text: see
#: :func:`analysis_run`. None outside a run.
_run_trees: dict[str, ast.Module | ParseFailure] | None = None


@contextlib.contextmanager
def analysis_run() -> Iterator[None]:
    """One command's reading of the project: each text parsed once, the collector paused.

    A run builds several package indexes over the same files (``init`` reads a module to see
    whether it imports its siblings, then for each candidate package's app; ``generate`` the
    plan's backend folder and others): each index makes its own model of a module, named as
    that index reads it, but they share its one tree (only read, never changed). The trees
    are let go when the run ends. See :func:`collector_paused` for the collector.
    """
    global _run_trees
    if _run_trees is not None:  # within a run already: its trees are this one's
        with collector_paused():
            yield
        return
    _run_trees = {}
    with collector_paused():
        try:
            yield
        finally:
            # Let go before the collector resumes: all the run allocated is in its youngest
            # generation, and its first pass walked every tree still held (about 0.1 s, a
            # tenth of a fresh generate of a 2,000-handler module, more per handler the bigger).
            _run_trees = None


def parse(text: str) -> ast.Module:
    """Parse ``text`` with :mod:`ast`, reporting syntax errors as one line.

    Within :func:`analysis_run`, a text is parsed once however many times it is asked for.

    Raises:
        ParseFailure: the text is not valid Python (or holds a NUL byte).
    """
    trees = _run_trees
    if trees is None:
        return _parse(text)
    known = trees.get(text)
    if known is None:
        try:
            known = _parse(text)
        except ParseFailure as failure:
            known = failure
        trees[text] = known
    if isinstance(known, ParseFailure):
        raise ParseFailure(str(known), known.line, known.column, known.what)
    return known


def _parse(text: str) -> ast.Module:
    """:func:`parse` itself, each time it is called."""
    try:
        with warnings.catch_warnings():
            # Invalid escape sequences in user code are the user's business, not ours.
            warnings.simplefilter("ignore")
            return parse_in_pieces(text) or ast.parse(text)
    except SyntaxError as error:
        if sys.version_info < (3, 14):
            from telemetry_cli.patching.newer_syntax import parse_newer_syntax

            tree = parse_newer_syntax(text)
            if tree is not None:
                return tree
        where = f" at line {error.lineno}, column {error.offset}" if error.lineno else ""
        hint = _newer_syntax(text, error)
        raise ParseFailure(
            f"syntax error{where}: {error.msg}{hint}",
            error.lineno or None,
            error.offset if error.lineno else None,
            f"syntax error: {error.msg}{hint}",
        ) from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise ParseFailure(f"cannot parse: {error.__class__.__name__}") from None


# PEP 695 (Python 3.12): `type Alias = ...`, `def f[T](...)`, `class C[T]: ...`.
_TYPE_PARAMETERS = (
    r"^[ \t]*(?:type[ \t]+[A-Za-z_]\w*[ \t]*[\[=]|(?:async[ \t]+)?def[ \t]+\w+[ \t]*\[|"
    r"class[ \t]+\w+[ \t]*\[)"
)


def _newer_syntax(text: str, error: SyntaxError) -> str:
    """A hint when the line is valid in a newer Python than the one running the tool."""
    if sys.version_info >= (3, 12) or not error.lineno:
        return ""
    line = SourceLines(text).line(error.lineno)  # numbered as ast numbers it
    if re.match(_TYPE_PARAMETERS, line):
        syntax, condition = "type parameter syntax", ""
    elif (error.msg or "").startswith("f-string"):
        # PEP 701 (Python 3.12): the f-string's own quotes, backslashes and comments inside
        # its braces (`f"{d.get("key")}"`), which older Pythons report as an f-string error;
        # a broken f-string is reported alike, so the hint says "if".
        syntax, condition = "possibly f-string syntax", "if so, "
    else:
        return ""
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    return (
        f" ({syntax} of Python 3.12, which the Python {running} running "
        f"telemetry-scaffold cannot read: {condition}run it with Python 3.12 or newer)"
    )


# Where a piece of a big module may start: a line at column 0 after a blank line (so never between
# a decorator and its def), not a comment, a closing bracket or the rest of an if or try.
_PIECE_START = (
    r"(?:\r\n|\r|\n)[ \t\f]*(?:\r\n|\r|\n)(?=[^\s#)\]}])(?!(?:else|elif|except|finally)\b)"
)
#: Modules of more characters than this are parsed in pieces of at least this many.
PIECE_SIZE = 100_000
_MAX_PIECES = 8


def parse_in_pieces(text: str, size: int = PIECE_SIZE) -> ast.Module | None:
    """The tree of a big module, parsed one run of top-level statements at a time.

    ``ast.parse`` keeps the tokens and C-level tree of the whole text until it returns, beside
    the Python tree it builds: 55 MiB more than that tree for a 38,000-line module, the peak
    memory of ``generate``; in pieces that is one piece's worth. Two pieces that each parse are
    the tree of their concatenation: the second starts at column 0, where the tokenizer is at
    the top level between them, and no statement of the second can continue one of the first
    (``else``, ``except``, a decorated ``def``: the piece before would not parse alone).

    Returns None when the text is small (one piece), or when a piece does not parse (a split in
    a string or brackets, or an error in the code): ``ast.parse`` of the whole text then gives
    the tree or the error.
    """
    if len(text) <= size or "barry_as_FLUFL" in text:  # a future import that changes the syntax
        return None
    size = max(size, len(text) // _MAX_PIECES)
    body: list[ast.stmt] = []
    start = breaks = 0
    while start < len(text):
        split = re.compile(_PIECE_START).search(text, start + size)
        end = split.end() if split is not None else len(text)
        # As many blank lines before the piece as there are line breaks before it in the text
        # give its nodes their line numbers there, at a few ns a line.
        try:
            piece = ast.parse("\n" * breaks + text[start:end])
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        body.extend(piece.body)
        # Line breaks as the tokenizer counts them: CR LF, CR, LF.
        breaks += text.count("\n", start, end) + text.count("\r", start, end)
        breaks -= text.count("\r\n", start, end)
        start = end
    return ast.Module(body=body, type_ignores=[])


def _chained_name(binding: "Binding") -> str:
    """The name an object a chained assignment binds is known by: its first target's.

    ``application = app = FastAPI()`` binds one app to both names (Elastic Beanstalk serves
    ``application``): the routes and includes made on either are that one app's.
    """
    statement = binding.statement
    # An item of a dict (`ROUTERS['books']`, see `PackageIndex.held_item`) is named already.
    if (
        isinstance(statement, ast.Assign)
        and len(statement.targets) > 1
        and binding.name.isidentifier()
    ):
        for target in statement.targets:
            if isinstance(target, ast.Name):
                return target.id
    return binding.name


@dataclass(eq=False)
class Binding:
    """What a name is bound to in one scope.

    ``kind`` is ``class``/``function`` (``node`` is the definition), ``value`` (``node`` is the
    assigned expression, ``statement`` the assignment), ``import`` (``target`` is the qualified
    name), ``param`` (``node`` is the ``ast.arg``) or ``module``.
    """

    kind: str
    name: str
    scope: "Scope"
    node: ast.AST | None = None
    statement: ast.stmt | None = None
    target: str = ""
    #: :func:`unwrapped`'s answer, once asked: empty when it is the binding itself (holding
    #: itself would be a reference cycle, keeping its syntax tree from reference counting).
    unwrapped_as: "tuple[Binding, ...] | None" = field(default=None, init=False, repr=False)


@dataclass(eq=False)
class Scope:
    """One namespace: a module, a class body or a function body."""

    node: ScopeNode
    module: "ModuleModel"
    parent: "Scope | None"

    def __post_init__(self) -> None:
        self.module.scopes.append(self)  # for ModuleModel.close

    @property
    def is_class(self) -> bool:
        """Whether this is a class body (invisible to the functions defined in it)."""
        return isinstance(self.node, ast.ClassDef)

    @cached_property
    def bindings(self) -> dict[str, Binding]:
        """The names this scope binds; a later binding of a name replaces an earlier one."""
        bound: dict[str, Binding] = {}
        if isinstance(self.node, FunctionNode):
            for arg in parameters_of(self.node.args):
                bound[arg.arg] = Binding("param", arg.arg, self, arg)
        self._bind_block(self.node.body, bound, fallback=False)
        return bound

    def bindings_before(self, statement: ast.stmt) -> dict[str, Binding]:
        """The names this scope binds before ``statement``, one of the top of its body.

        ``api = func.AsgiFunctionApp(app=api)``: the ``api`` its call reads is the one bound
        before it (an import), not the one it binds. Bound as :attr:`bindings` binds them; the
        whole body's (:attr:`bindings`) when ``statement`` is not at its top.
        """
        position = next(
            (index for index, each in enumerate(self.node.body) if each is statement), None
        )
        if position is None or isinstance(self.node, FunctionNode):
            return self.bindings
        bound: dict[str, Binding] = {}
        self._bind_block(self.node.body[:position], bound, fallback=False)
        return bound

    @cached_property
    def _top_statements(self) -> frozenset[int]:
        """The ids of the statements of the top of this scope's body (not of its blocks)."""
        return frozenset(id(statement) for statement in self.node.body)

    def statements_on(self, line: int) -> list[ast.stmt]:
        """The statements of this scope's blocks written over ``line``, outermost first.

        Those a statement on that line is nested in, and its own (see :func:`block_statements`).
        """
        return self._statements_by_line.get(line, [])

    @cached_property
    def _statements_by_line(self) -> dict[int, list[ast.stmt]]:
        """Each line's statements (see :meth:`statements_on`), found in one walk of the body.

        A question per call about the loops or ``if`` blocks around it walked the whole body
        each time: quadratic in a module of thousands of ``include_router`` calls. Each line
        holds as many statements as blocks nest there, so this is linear in the lines.
        """
        by_line: dict[int, list[ast.stmt]] = {}
        for statement in block_statements(self.node.body):
            for line in range(statement.lineno, (statement.end_lineno or statement.lineno) + 1):
                by_line.setdefault(line, []).append(statement)
        return by_line

    def _bind_block(
        self, statements: list[ast.stmt], bound: dict[str, Binding], *, fallback: bool
    ) -> None:
        """Bind the names of a block; in an ``except`` block, only names not bound yet.

        ``try: from fastapi import APIRouter`` / ``except ImportError: APIRouter = None``: the
        fallback is what runs when the import fails, not what the code is written against.
        """
        for statement in statements:
            if fallback:
                fresh: dict[str, Binding] = {}
                self._bind(statement, fresh)
                for name, binding in fresh.items():
                    bound.setdefault(name, binding)
            else:
                self._bind(statement, bound)
            if isinstance(statement, _TRIES):
                self._bind_block(statement.body, bound, fallback=fallback)
                for handler in statement.handlers:
                    self._bind_block(handler.body, bound, fallback=True)
                self._bind_block(statement.orelse, bound, fallback=fallback)
                self._bind_block(statement.finalbody, bound, fallback=fallback)
            elif isinstance(statement, ast.If):
                self._bind_branches(statement, bound, fallback=fallback)
            else:
                for block in sub_blocks(statement):
                    self._bind_block(block, bound, fallback=fallback)

    def _bind_branches(
        self, statement: ast.If, bound: dict[str, Binding], *, fallback: bool
    ) -> None:
        """Bind the names of an ``if``'s branches; ``else: name = None`` keeps the body's.

        ``if FastAPI: app = FastAPI()`` / ``else: app = None``: as with an ``except ImportError``
        fallback, the ``None`` is the way without the object, not what the code is written for.
        """
        before = dict(bound)
        self._bind_block(statement.body, bound, fallback=fallback)
        after_body = dict(bound)
        self._bind_block(statement.orelse, bound, fallback=fallback)
        for name, binding in after_body.items():
            latest = bound[name]
            if (
                binding is not before.get(name)
                and latest is not binding
                and latest.kind == "value"
                and isinstance(latest.node, ast.Constant)
                and latest.node.value is None
            ):
                bound[name] = binding

    def _bind(self, statement: ast.stmt, bound: dict[str, Binding]) -> None:
        if self.module.has_assignment_expressions and not isinstance(statement, DEFINITIONS):
            # `(app := FastAPI())`: bound in this scope, before the statement's own targets
            # (`api = (app := FastAPI())` binds `app` first).
            for walrus in assignment_expressions(statement):
                if isinstance(walrus.target, ast.Name):
                    name = walrus.target.id
                    bound[name] = Binding("value", name, self, walrus.value, statement)
        if isinstance(statement, ast.Delete):
            # `del app`, `del (app,)`, `del [app, admin]` at the top of the scope's body unbinds
            # (one in an `if` or `try` may not run: the name may stay bound).
            if id(statement) in self._top_statements:
                for name in deleted_names(statement):
                    bound.pop(name, None)
        elif isinstance(statement, ast.ClassDef):
            bound[statement.name] = Binding("class", statement.name, self, statement)
        elif isinstance(statement, FunctionNode):
            bound[statement.name] = Binding("function", statement.name, self, statement)
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    bound[target.id] = Binding("value", target.id, self, statement.value, statement)
                elif isinstance(target, ast.Tuple | ast.List):
                    # `app, instance = create(), None`: each name bound to its own item.
                    for name, item in unpacked(target, statement.value) or ():
                        bound[name] = Binding("value", name, self, item, statement)
        elif isinstance(statement, ast.AnnAssign):
            if isinstance(statement.target, ast.Name) and statement.value is not None:
                name = statement.target.id
                bound[name] = Binding("value", name, self, statement.value, statement)
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname is not None:
                    named = self.module.inside_name(alias.name)
                    bound[alias.asname] = Binding(
                        "import", alias.asname, self, statement=statement, target=named
                    )
                else:
                    # `import a.b` binds `a`; `a.b` is then reached through attributes.
                    head = alias.name.split(".")[0]
                    bound[head] = Binding("import", head, self, statement=statement, target=head)
        elif isinstance(statement, ast.ImportFrom):
            source = self.module.absolute_import(statement)
            if source is None:
                return
            for alias in statement.names:
                if alias.name == "*":
                    continue
                local = alias.asname or alias.name
                bound[local] = Binding(
                    "import", local, self, statement=statement, target=f"{source}.{alias.name}"
                )

    def lookup(self, name: str) -> Binding | None:
        """Find ``name`` the way Python does from code in this scope.

        The scope itself first (a class body sees its own names), then the enclosing functions
        (class bodies around a function are not visible from it), then the module.
        """
        binding = self.bindings.get(name)
        if binding is not None:
            return binding
        if name in self.unbound_locals:
            return None
        scope = self.parent
        while scope is not None:
            if not scope.is_class:
                binding = scope.bindings.get(name)
                if binding is not None or name in scope.unbound_locals:
                    return binding
            scope = scope.parent
        # Not bound in the module itself: maybe by a `from <module> import *`.
        star_binding = self.module.star_binding
        return None if star_binding is None else star_binding(name)

    def reading(self, name: ast.Name) -> "Scope":
        """The scope to look ``name``, written in this function's body, up from: the same answer.

        This one; or, when the function's lines hold the name's identifier only there, the
        nearest enclosing scope that is no class body, as :meth:`lookup` goes on: nothing in
        the function can bind it then (a parameter, an assignment, a ``global`` would be
        written). Without building the function's bindings, a walk of its body: a logger's
        name read in every handler of a big module.
        """
        node = self.node
        if not (
            isinstance(node, FunctionNode)
            and self.module.written_once(name, node.lineno, node.end_lineno or node.lineno)
        ):
            return self
        scope = self.parent
        while scope is not None and scope.is_class:
            scope = scope.parent
        return self if scope is None else scope

    @cached_property
    def unbound_locals(self) -> frozenset[str]:
        """The names a function body makes its own locals without a binding read here.

        A loop target (``for name, handler in getmembers(obj)``), ``with ... as``, ``except ...
        as``, a ``case`` capture or an augmented assignment: local to the function wherever
        written, so a module-level function of the same name is not what the body reads.
        ``global``/``nonlocal`` names are the outer scope's.
        """
        if not isinstance(self.node, FunctionNode):
            return frozenset()
        stored: set[str] = set()
        outer: set[str] = set()
        walrus = self.module.has_assignment_expressions
        for name, node in _scope_names(self.node.body, walrus=walrus):
            (outer if isinstance(node, ast.Global | ast.Nonlocal) else stored).add(name)
        return frozenset(stored - outer - set(self.bindings))

    @cached_property
    def stores(self) -> Counter[str]:
        """How often this scope's code binds each name (assignments, loop targets, ...).

        A nested function (or class body) binding a name it declares ``global`` binds the
        module's (``def configure(): global PREFIXED; PREFIXED = True``), one declaring it
        ``nonlocal`` an enclosing function's: those bindings count here too.
        """
        own = Counter(bound_names(self.node.body, walrus=self.module.has_assignment_expressions))
        declared = self.module.declared_stores.get(self.node)
        return own if declared is None else own + declared

    def assigned_names(self) -> set[str]:
        """Every name a function body assigns anywhere (which makes it local to the function)."""
        walrus = self.module.has_assignment_expressions
        return set(self.bindings).union(bound_names(self.node.body, walrus=walrus))


def assignment_expressions(statement: ast.stmt) -> Iterator[ast.NamedExpr]:
    """The ``:=`` expressions of ``statement`` itself that bind in its scope.

    Not those of the blocks it holds (statements of their own), nor of a ``lambda``. Nor those
    of a comprehension: they bind in the scope around it too, but to a value read from the
    comprehension's own names, which the scope cannot follow (a function's such name stays
    an unbound local, see :attr:`Scope.unbound_locals`).
    """
    stack: list[ast.AST] = [
        child for child in ast.iter_child_nodes(statement) if not isinstance(child, ast.stmt)
    ]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.NamedExpr):
            yield node
        if not isinstance(
            node, (ast.Lambda, ast.stmt, ast.ExceptHandler, ast.match_case, *COMPREHENSIONS)
        ):
            stack.extend(ast.iter_child_nodes(node))


def deleted_names(statement: ast.Delete) -> Iterator[str]:
    """The plain names ``statement`` deletes: ``app`` of ``del app``, ``del (app,)``, ``del [app]``.

    Not an attribute or an item (``del app.state``, ``del apps[0]``): no name is unbound.
    """
    stack: list[ast.expr] = list(statement.targets)
    while stack:
        target = stack.pop()
        if isinstance(target, ast.Name):
            yield target.id
        elif isinstance(target, ast.Tuple | ast.List):
            stack.extend(target.elts)


def _all_extension(statement: ast.stmt) -> tuple[ast.Name, list[str]] | None:
    """The ``__all__`` name and the strings ``statement`` sets it to or adds to it, literally.

    ``__all__ = [...]`` (annotated too) sets; ``__all__ += [...]``, ``__all__.append("x")``,
    ``__all__.extend([...])`` add. None for any other statement (another form is not followed).
    """
    if isinstance(statement, ast.Assign):
        target = statement.targets[0]
        if len(statement.targets) == 1 and _is_all(target):
            names = _literal_names(statement.value)
            return None if names is None else (target, names)
        return None
    if isinstance(statement, ast.AnnAssign | ast.AugAssign):
        name = statement.target
        if not _is_all(name) or statement.value is None:
            return None
        if isinstance(statement, ast.AugAssign) and not isinstance(statement.op, ast.Add):
            return None
        names = _literal_names(statement.value)
        return None if names is None else (name, names)
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return None
    call = statement.value
    method = call.func
    if not isinstance(method, ast.Attribute) or call.keywords or len(call.args) != 1:
        return None
    held, argument = method.value, call.args[0]
    if not _is_all(held):
        return None
    if method.attr == "append":
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            return held, [argument.value]
        return None
    if method.attr == "extend":
        names = _literal_names(argument)
        return None if names is None else (held, names)
    return None


def _literal_names(value: ast.expr) -> list[str] | None:
    """The strings of a list or tuple of string literals, or of a sum of them; else None."""
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        left, right = _literal_names(value.left), _literal_names(value.right)
        return None if left is None or right is None else left + right
    return string_list(value)


def _is_all(node: ast.expr) -> TypeGuard[ast.Name]:
    """Whether ``node`` is the plain name ``__all__``."""
    return isinstance(node, ast.Name) and node.id == "__all__"


def _deleted_after(tree: ast.Module, statement: ast.stmt, name: str) -> bool:
    """Whether a ``del`` of the module's top level unbinds ``name`` after ``statement``.

    ``from pkg.app import *`` then ``del app``: the module holds no ``app``. A ``del`` in an
    ``if`` or ``try`` may not run (the name may stay bound); an assignment after the ``del``
    binds the module's own name, found in its bindings before any star import is looked at.
    """
    return any(
        isinstance(top, ast.Delete) and top.lineno > statement.lineno and name in deleted_names(top)
        for top in tree.body
    )


def parameters_of(signature: ast.arguments) -> tuple[ast.arg, ...]:
    """The parameters ``signature`` binds, of a ``def`` or a ``lambda`` (``*args`` too)."""
    stars = (star for star in (signature.vararg, signature.kwarg) if star is not None)
    return (*signature.posonlyargs, *signature.args, *signature.kwonlyargs, *stars)


def sole_binding(binding: Binding) -> bool:
    """Whether ``binding`` is the only binding its scope makes of its name: one object.

    A ``def``, ``class``, import or assignment, bound nowhere else in its scope; a parameter
    is bound by the call, so once when the body never rebinds it.
    """
    return binding.scope.stores[binding.name] == (0 if binding.kind == "param" else 1)


def _local_names(function: FunctionNode, *, walrus: bool) -> set[str]:
    """The names local to a function: its parameters and what its body binds (not declared)."""
    declared = {
        name
        for name, node in _scope_names(function.body, walrus=walrus)
        if isinstance(node, ast.Global | ast.Nonlocal)
    }
    bound = {arg.arg for arg in parameters_of(function.args)}
    bound.update(bound_names(function.body, walrus=walrus))
    return bound - declared


def bound_names(statements: list[ast.stmt], *, walrus: bool = True) -> Iterator[str]:
    """Each name ``statements`` bind in their own scope (not in the functions or classes in them).

    Assigned, deleted, a loop, ``with`` or ``except`` target (``router`` of ``for router in
    ...``), a ``case`` capture, imported, or a ``def`` or ``class`` name; once per binding.
    ``walrus``: as for :func:`_scope_names`.
    """
    for name, node in _scope_names(statements, walrus=walrus):
        if not isinstance(node, ast.Global | ast.Nonlocal):
            yield name


def _scope_names(
    statements: list[ast.stmt], *, walrus: bool = True
) -> Iterator[tuple[str, ast.AST]]:
    """Each name ``statements`` bind or declare ``global``/``nonlocal``, with the node doing it.

    The one walk behind :func:`bound_names`, ``Scope.stores`` and ``Scope.unbound_locals``.
    Nested function and class bodies are scopes of their own; so is a comprehension for its
    targets, though a ``:=`` in it binds in the enclosing scope.

    ``walrus``: whether the statements may hold a ``:=``. Without one, an expression that is
    read (``Load``, or no context: calls, operators, literals) binds nothing and is not walked:
    most of a function body's nodes.
    """
    stack: list[ast.AST] = list(statements)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            yield node.id, node
        elif isinstance(node, ast.alias) and node.name != "*":
            yield (node.asname or node.name).split(".")[0], node
        elif isinstance(node, ast.Global | ast.Nonlocal):
            yield from ((name, node) for name in node.names)
        elif isinstance(node, ast.MatchMapping):
            yield from () if node.rest is None else ((node.rest, node),)
        elif isinstance(node, (*DEFINITIONS, ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
            yield from () if node.name is None else ((node.name, node),)
        if isinstance(node, ast.comprehension):
            stack.extend([node.iter, *node.ifs])
        elif not isinstance(node, _NEW_SCOPES) and (
            walrus
            or not isinstance(node, ast.expr)
            or isinstance(getattr(node, "ctx", None), ast.Store | ast.Del)
        ):
            stack.extend(ast.iter_child_nodes(node))


def calls_builtin(node: ast.AST | None, scope: Scope, *names: str) -> TypeGuard[ast.Call]:
    """Whether ``node`` calls one of the builtins ``names`` by its plain name.

    The name must not be bound in ``scope`` (a module's own ``map`` or an imported ``dict`` is
    not the builtin).
    """
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in names
        and scope.lookup(node.func.id) is None
    )


def builtin_import(call: ast.Call, scope: Scope) -> bool:
    """Whether ``call`` runs the builtin ``__import__`` (the name not bound in ``scope``).

    ``__import__("core.router.{}".format(m), globals(), locals(), ["router"], 0)``: a module
    imported at run time, as ``importlib.import_module`` imports one.
    """
    return calls_builtin(call, scope, "__import__")


def assigns_name(statement: ast.stmt, name: str) -> bool:
    """Whether ``statement`` assigns a value to the plain name ``name``."""
    if isinstance(statement, ast.Assign):
        return any(
            isinstance(target, ast.Name) and target.id == name for target in statement.targets
        )
    if isinstance(statement, ast.AnnAssign):
        return (
            isinstance(statement.target, ast.Name)
            and statement.target.id == name
            and statement.value is not None
        )
    return False


def names_in(node: ast.AST, *, read: bool = False) -> set[str]:
    """The names written in ``node``: of every ``Name`` in it, or (``read``) those it reads.

    All of them for a target (``for a, b in ...`` binds ``a`` and ``b``) or an expression whose
    bound names count too; ``read`` leaves out those an expression binds without reading them
    (a walrus's target, a comprehension's variable).
    """
    return {
        item.id
        for item in ast.walk(node)
        if isinstance(item, ast.Name) and (not read or isinstance(item.ctx, ast.Load))
    }


def method_binding(cls: Binding, method: FunctionNode) -> Binding:
    """The binding of a ``def`` of the class ``cls`` binds: its scope is the class body."""
    assert isinstance(cls.node, ast.ClassDef)
    body = Scope(cls.node, cls.scope.module, cls.scope)
    return Binding("function", method.name, body, method, method)


def instance_parameter(scope: Scope) -> str | None:
    """The parameter a method (``scope``, its body) runs on the instance by: ``self``.

    No call passes it: Python binds the instance (``App(container)`` runs ``__init__`` with
    the new instance first). None for a function that is no instance method (a module's
    function, a ``@staticmethod`` or ``@classmethod``) or takes no positional parameter.
    """
    function = scope.node
    owner = scope.parent
    if not isinstance(function, FunctionNode) or owner is None or not owner.is_class:
        return None
    if static_or_class(function):
        return None
    positional = [*function.args.posonlyargs, *function.args.args]
    return positional[0].arg if positional else None


def static_or_class(function: FunctionNode) -> bool:
    """Whether a function of a class body is decorated ``@staticmethod`` or ``@classmethod``."""
    return not _decorator_names(function).isdisjoint({"staticmethod", "classmethod"})


def is_class_method(function: FunctionNode) -> bool:
    """Whether a function of a class body is decorated ``@classmethod`` (runs on the class)."""
    return "classmethod" in _decorator_names(function)


def _decorator_names(function: FunctionNode) -> set[str]:
    """The plain names decorating ``function`` (``@classmethod``; not ``@router.get(...)``)."""
    return {
        decorator.id for decorator in function.decorator_list if isinstance(decorator, ast.Name)
    }


def returned_only(function: FunctionNode) -> ast.expr | None:
    """The expression a function does nothing but return (after its docstring), else None.

    ``def get_router(self): return self.router``: ``self.router``. None for a body doing
    anything else, or a bare ``return``.
    """
    body = after_docstring(function.body)
    if len(body) != 1 or not isinstance(body[0], ast.Return):
        return None
    return body[0].value


def returned_value(function: FunctionNode) -> ast.expr | None:
    """The value of the one ``return`` of a function's own body (nested defs aside), else None."""
    returns = [node for node in _walk_scope(function) if isinstance(node, ast.Return)]
    return returns[0].value if len(returns) == 1 else None


def returned_parameter(function: FunctionNode) -> str | None:
    """The parameter a function always returns as it was given, else None.

    Every ``return`` of its own body (none bare, at least one) returns that parameter by name,
    and the body never rebinds it: ``def setup(app): app.add_middleware(...); return app``.
    """
    returned: set[str] = set()
    for node in _walk_scope(function):
        if isinstance(node, ast.Return):
            if not isinstance(node.value, ast.Name):
                return None
            returned.add(node.value.id)
    if len(returned) != 1:
        return None
    (name,) = returned
    arguments = function.args
    if name not in {
        argument.arg
        for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    }:
        return None
    rebound = any(
        isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load)
        for node in _walk_scope(function)
    )
    return None if rebound else name


def wraps_name(value: ast.expr, name: str, scope: Scope, depth: int = 0) -> bool:
    """Whether ``value`` is built from what ``name`` held before it is rebound to it.

    It reads ``name`` (``app = socketio.ASGIApp(sio, other_asgi_app=app)``), or a variable of the
    same scope that does (``socket_app = ASGIApp(sio, app)``, then ``app = socket_app``).
    """
    if depth > _MAX_WRAPS:
        return False
    bindings = scope.bindings
    for node in ast.walk(value):
        if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)):
            continue
        if node.id == name:
            return True
        other = bindings.get(node.id)
        if (
            other is not None
            and other.kind == "value"
            and isinstance(other.node, ast.expr)
            and wraps_name(other.node, name, scope, depth + 1)
        ):
            return True
    return False


def assigned_targets(statement: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    """The targets an assignment binds (one for an annotated one: ``app: FastAPI = ...``)."""
    return statement.targets if isinstance(statement, ast.Assign) else [statement.target]


def bound_once(binding: Binding | None) -> TypeGuard[Binding]:
    """Whether ``binding`` is an assignment of a name its scope binds nowhere else.

    An annotated assignment (``app: FastAPI = FastAPI()``) or a tuple target (``app, x =
    FastAPI(), 1``) counts; a name also bound in an ``if`` or ``try`` block, by ``+=``, as a
    loop target, by an import, by a function declaring it ``global``, or assigned as an
    attribute of its module or class from anywhere in the package (``flags.PREFIXED = True``,
    ``Config.PREFIXED = True``) does not: which value it holds is not known without running.
    """
    return (
        binding is not None
        and binding.kind == "value"
        and sole_binding(binding)
        and not _set_as_attribute(binding)
    )


def _set_as_attribute(binding: Binding) -> bool:
    """Whether the package assigns ``binding``'s name as an attribute of its module or class.

    Asked of the index that read the module (see :meth:`PackageIndex.assigned_attribute`);
    a function's locals are no attributes of anything.
    """
    node = binding.scope.node
    if not isinstance(node, ast.Module | ast.ClassDef):
        return False
    written = binding.scope.module.attribute_written
    return written is not None and written(node, binding.name)


def _inserted_log_call(node: ast.AST) -> bool:
    """Whether ``node`` is a statement in the shape of generate's log call.

    ``<logger>.log("<event>", {"route": ..., "handler": ..., ...})``: the context keys generate
    writes (as ``remove`` recognises its calls), read from the tree alone.
    """
    if not (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and node.value.func.attr == "log"
        and len(node.value.args) == 2
        and isinstance(node.value.args[1], ast.Dict)
    ):
        return False
    keys = {key.value for key in node.value.args[1].keys if isinstance(key, ast.Constant)}
    return {"route", "handler"} <= keys


def listed_items(value: ast.expr, scope: Scope) -> list[ast.expr] | None:
    """The items of a constructor's ``routes=``: a list written there, or in a name bound once.

    ``routes = [APIRoute("/", root), ...]`` ... ``FastAPI(routes=routes)``. None for anything
    else (a call, a name bound twice: which routes is not known without running).
    """
    if isinstance(value, ast.Name):
        binding = scope.lookup(value.id)
        value = (
            binding.node if bound_once(binding) and isinstance(binding.node, ast.expr) else value
        )
    if isinstance(value, ast.List | ast.Tuple):
        return value.elts
    return None


def call_bound_once(binding: Binding | None) -> ast.Call | None:
    """The call a name bound once (see :func:`bound_once`) holds, else None."""
    if bound_once(binding) and isinstance(binding.node, ast.Call):
        return binding.node
    return None


def unwrapped(binding: Binding) -> Binding:
    """What a name held before it was rebound to a wrapper of itself, else ``binding``.

    ``app = FastAPI()`` ... ``app = Wrapper(app)``: the scope binds ``app`` to the wrapper (the
    last binding wins), but the code between the two, routes and ``include_router`` calls, uses
    the app; so does the tool. Only the nearest earlier assignment in the same scope counts.

    Remembered on the binding: route analysis asks it of the same router for every handler
    (4,000 times, 3 % of the instructions of ``generate --check`` on a 2,000-handler module).
    """
    known = binding.unwrapped_as
    if known is None:
        found = _unwrapped(binding)
        known = binding.unwrapped_as = () if found is binding else (found,)
    return known[0] if known else binding


def _unwrapped(binding: Binding) -> Binding:
    statement = binding.statement
    value = binding.node
    if binding.kind != "value" or statement is None or not isinstance(value, ast.expr):
        return binding
    if not wraps_name(value, binding.name, binding.scope):
        return binding
    earlier: Binding | None = None
    for other in block_statements(list(binding.scope.node.body)):
        if other.lineno >= statement.lineno:
            break
        if assigns_name(other, binding.name):
            assert isinstance(other, ast.Assign | ast.AnnAssign) and other.value is not None
            earlier = Binding("value", binding.name, binding.scope, other.value, other)
    return binding if earlier is None else unwrapped(earlier)


def block_statements(statements: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Yield the statements of a block and of the compound statements in it, in source order.

    ``if``/``try``/``with``/loop/``match`` blocks share their scope with the block around them;
    function and class bodies do not, so they are yielded but not entered.
    """
    for statement in statements:
        yield statement
        for inner in sub_blocks(statement):
            yield from block_statements(inner)


def attribute_assignments(method: FunctionNode) -> Iterator[tuple[ast.stmt, str, ast.expr]]:
    """Every ``<first parameter>.<attribute> = value`` in a method: (statement, attribute, value).

    ``self.router = APIRouter()`` and the annotated ``self.app: FastAPI = ...``, in the method's
    blocks (not in functions nested in it).
    """
    parameters = [*method.args.posonlyargs, *method.args.args]
    if not parameters:
        return
    first = parameters[0].arg
    for statement in block_statements(method.body):
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            continue
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == first
            ):
                yield statement, target.attr, value


#: How many variables deep a wrapper of a name is followed (`b = W(app)`, `c = V(b)`, `app = c`).
_MAX_WRAPS = 4

# Tuples, not unions: called for every statement of a module, where one check of a constant
# tuple costs a quarter of building and checking `A | B | ...` (sub_blocks: 1.8 -> 0.5 us).
_BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While)
_WITHS = (ast.With, ast.AsyncWith)
_TRIES = (ast.Try, ast.TryStar)
_COMPOUND = (*_BRANCHES, *_WITHS, *_TRIES, ast.Match)
#: The statements that define a name and open a scope of their own.
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_NEW_SCOPES = (*DEFINITIONS, ast.Lambda)
#: Comprehensions: their targets are bound in a scope of their own.
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def sub_blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    """The blocks of a compound statement that run in its own scope (not def or class bodies)."""
    if not isinstance(statement, _COMPOUND):
        return []
    if isinstance(statement, _BRANCHES):
        return [statement.body, statement.orelse]
    if isinstance(statement, _WITHS):
        return [statement.body]
    if isinstance(statement, _TRIES):
        return [
            statement.body,
            *(handler.body for handler in statement.handlers),
            statement.orelse,
            statement.finalbody,
        ]
    if isinstance(statement, ast.Match):
        return [case.body for case in statement.cases]
    return []


def passes_prefix_through(init: FunctionNode) -> bool:
    """Whether a router subclass's ``__init__`` hands ``prefix`` to FastAPI's unchanged.

    True for ``def __init__(self, *, version, **kwargs): super().__init__(**kwargs)`` and for
    an explicit ``prefix`` parameter passed on as ``prefix=prefix``, as long as nothing else in
    the body names the prefix.
    """
    arguments = init.args
    named = {arg.arg for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}
    rest = arguments.kwarg.arg if arguments.kwarg is not None else None
    handed_on = False
    for node in ast.walk(init):
        if isinstance(node, ast.Constant) and node.value == "prefix":
            return False  # kwargs["prefix"], kwargs.pop("prefix"), ...
        if isinstance(node, ast.Attribute) and node.attr == "prefix":
            return False  # self.prefix = ...
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "__init__"
            and isinstance(node.func.value, ast.Call)
            and isinstance(node.func.value.func, ast.Name)
            and node.func.value.func.id == "super"
        ):
            continue
        for keyword in node.keywords:
            if keyword.arg is None:
                handed_on |= (
                    "prefix" not in named
                    and isinstance(keyword.value, ast.Name)
                    and keyword.value.id == rest
                )
            elif keyword.arg == "prefix":
                if not (isinstance(keyword.value, ast.Name) and keyword.value.id == "prefix"):
                    # `super().__init__(prefix="/catalog", **kwargs)`: a prefix of its own.
                    return False
                handed_on = True
    if "prefix" in named:
        assigned = any(
            isinstance(node, ast.Name) and node.id == "prefix" and isinstance(node.ctx, ast.Store)
            for node in ast.walk(init)
        )
        return handed_on and not assigned
    return handed_on


def statement_blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    """Every block of statements directly inside ``statement`` (def and class bodies too)."""
    if isinstance(statement, DEFINITIONS):
        return [statement.body]
    blocks = sub_blocks(statement)
    return [block for block in blocks if block]


def chain_root(expression: ast.expr) -> ast.expr:
    """What an attribute chain starts from: ``settings`` of ``settings.api.prefix``."""
    while isinstance(expression, ast.Attribute):
        expression = expression.value
    return expression


def one_positional_parameter(signature: ast.arguments) -> bool:
    """Whether a signature is one positional parameter and nothing more (``lambda item: ...``)."""
    return len(signature.args) == 1 and not (
        signature.posonlyargs or signature.vararg or signature.kwonlyargs or signature.kwarg
    )


def parameter_position(function: FunctionNode, name: str) -> int | None:
    """Where ``function``'s parameter ``name`` is passed by position (None: keyword-only)."""
    positional = [argument.arg for argument in [*function.args.posonlyargs, *function.args.args]]
    return positional.index(name) if name in positional else None


def parameter_default(function: FunctionNode, name: str) -> ast.expr | None:
    """The default written for ``function``'s parameter ``name`` (None: it has none)."""
    arguments = function.args
    position = parameter_position(function, name)
    if position is not None:
        at = position - (len(arguments.posonlyargs) + len(arguments.args) - len(arguments.defaults))
        return arguments.defaults[at] if at >= 0 else None
    names = [argument.arg for argument in arguments.kwonlyargs]
    return arguments.kw_defaults[names.index(name)] if name in names else None


def parameter_call_position(parameter: Binding) -> int | None:
    """Where a function's parameter is passed by position (None: keyword-only)."""
    function = parameter.scope.node
    assert isinstance(function, FunctionNode)
    return parameter_position(function, parameter.name)


def passed_for(
    call: ast.Call, call_scope: Scope, parameter: Binding
) -> tuple[ast.expr, Scope] | None:
    """What one call of a function passes for its parameter, with the scope to evaluate it in.

    The parameter's default when the call passes nothing for it, evaluated where the function
    is defined; None when the call may pass it in ``**options``, or leaves a required one out.
    """
    argument = call_argument(call, parameter_call_position(parameter), parameter.name)
    if argument is not None:
        return argument, call_scope
    function = parameter.scope.node
    assert isinstance(function, FunctionNode)
    default = parameter_default(function, parameter.name)
    if default is None or any(keyword.arg is None for keyword in call.keywords):
        return None
    return default, parameter.scope.parent or parameter.scope


def call_argument(call: ast.Call, position: int | None, keyword: str) -> ast.expr | None:
    """A call's argument passed as ``keyword=``, or at ``position`` (None: keyword only).

    None when absent, or when a ``*args`` before it hides where it is.
    """
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    if position is None or len(call.args) <= position:
        return None
    if any(isinstance(argument, ast.Starred) for argument in call.args[: position + 1]):
        return None
    return call.args[position]


def builtin_getattr(
    node: ast.AST, scope: Scope
) -> tuple[ast.expr, ast.expr, ast.expr | None] | None:
    """``(object, name, default)`` of ``getattr(<object>, <name>[, <default>])``, else None.

    Only the builtin (a function or import of the module's own under that name, which ``scope``
    binds, returns what it returns), with its arguments written out by position; the default is
    None when not given.
    """
    if not (
        calls_builtin(node, scope, "getattr")
        and len(node.args) in (2, 3)
        and not node.keywords
        and not any(isinstance(argument, ast.Starred) for argument in node.args)
    ):
        return None
    held, name, *default = node.args
    return held, name, default[0] if default else None


def unpacked(target: ast.expr, value: ast.expr) -> list[tuple[str, ast.expr]] | None:
    """Each name an assignment target binds, with its item of ``value``.

    ``a, (b, c) = x, (y, z)``: only when both sides are written out item by item, with no
    ``*``; None for anything else (``a, b = pair``), whose items are not known statically.
    """
    if isinstance(target, ast.Name):
        return [(target.id, value)]
    if not (
        isinstance(target, ast.Tuple | ast.List)
        and isinstance(value, ast.Tuple | ast.List)
        and len(target.elts) == len(value.elts)
    ) or any(isinstance(item, ast.Starred) for item in [*target.elts, *value.elts]):
        return None
    names: list[tuple[str, ast.expr]] = []
    for inner_target, item in zip(target.elts, value.elts, strict=True):
        inner = unpacked(inner_target, item)
        if inner is None:
            return None
        names += inner
    return names


def _c3_merge(orders: list[list[Binding]]) -> list[Binding] | None:
    """The C3 merge of class orders (classes told apart by their definition), as Python's MRO.

    Each step takes the first head no order has further back; None when no head qualifies
    (``class C(A, B)`` with ``B(A)``, which Python refuses).
    """
    pending = [list(order) for order in orders if order]
    merged: list[Binding] = []
    while pending:
        head = next(
            (
                order[0]
                for order in pending
                if not any(order[0].node is later.node for rest in pending for later in rest[1:])
            ),
            None,
        )
        if head is None:
            return None
        merged.append(head)
        pending = [order[1:] if order[0].node is head.node else order for order in pending]
        pending = [order for order in pending if order]
    return merged


def _walk_scope(node: ScopeNode) -> Iterator[ast.AST]:
    """Walk the nodes of a scope's body, not entering nested function or class bodies."""
    return _walk_block(node.body)


def _walk_block(statements: list[ast.stmt]) -> Iterator[ast.AST]:
    """Walk the nodes of ``statements``, not entering nested function or class bodies."""
    stack: list[ast.AST] = list(statements)
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, _NEW_SCOPES):
            continue
        stack.extend(ast.iter_child_nodes(current))


def _walk_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement of ``body`` and of the blocks in it, def and class bodies too, in order."""
    pending = list(reversed(body))
    while pending:
        statement = pending.pop()
        yield statement
        for block in reversed(statement_blocks(statement)):
            pending.extend(reversed(block))


#: The exceptions a failed import raises, as a dual-mode import block catches them.
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
#: Those and the classes above them: a handler of any catches a failed import.
_CATCH_IMPORT_ERRORS = _IMPORT_ERRORS | {"Exception", "BaseException"}


def guarded_import(binding: Binding) -> bool:
    """Whether ``binding`` is an import written in a ``try`` whose handler catches its failure.

    ``try: from app.local_only import router`` / ``except ImportError: ...`` (or
    ``ModuleNotFoundError``, ``Exception``, a bare ``except:``): the module may be absent on
    purpose. An unguarded import of a module the project lacks runs only where something else
    provides it (code generated at build time, a compiled module, a ``.pth`` folder).
    """
    statement = binding.statement
    if binding.kind != "import" or not isinstance(statement, ast.Import | ast.ImportFrom):
        return False
    for around in binding.scope.statements_on(statement.lineno):
        if not isinstance(around, _TRIES) or not (
            around.body[0].lineno <= statement.lineno <= (around.body[-1].end_lineno or 0)
        ):
            continue  # not a try, or the import is in its handlers, else or finally
        for handler in around.handlers:
            caught = handler.type
            names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
            if caught is None or any(
                isinstance(name, ast.Name) and name.id in _CATCH_IMPORT_ERRORS for name in names
            ):
                return True
    return False


class DualImports(NamedTuple):
    """A top-level ``try:`` of imports of the package itself with a fallback spelling of each.

    ``try: from .v1.routes import router`` / ``except ImportError: from v1.routes import
    router``: the module runs as a package module and as a script from its folder (``python
    main.py``), where only the bare name imports. Imports added to such a module are written
    the same dual way, or script mode breaks.
    """

    statement: ast.Try
    #: The ``except`` clause's exception, as written (``ImportError``, ``ModuleNotFoundError``).
    exception: str
    #: What the fallback drops from the front of the absolute name (``app.``; ``""`` when the
    #: fallback is the absolute name of a relative import).
    dropped: str
    #: Each import of the ``try`` body with the ``except`` body's import of the same names.
    pairs: tuple[tuple[ast.ImportFrom, ast.ImportFrom], ...]

    def fallback(self, target: str) -> str | None:
        """The fallback spelling of the absolute module ``target``; None when it has none."""
        if not target.startswith(self.dropped) or target == self.dropped.rstrip("."):
            return None
        return target[len(self.dropped) :]


class ModuleModel:
    """One parsed module of the user's backend."""

    def __init__(self, source: ModuleSource, tree: ast.Module) -> None:
        """Wrap a parsed module; use :meth:`PackageIndex.module` to get one."""
        self.name = source.name
        self.path = source.path
        self.is_package = source.is_package
        #: The package relative imports start from.
        self.package = source.package
        self.text = source.text
        self.style = source.style
        self.linter_limits = source.linter_limits
        self.banned_relative_level = source.banned_relative_level
        self.unused_argument_rules = source.unused_argument_rules
        self.type_checkers = source.type_checkers
        self.tree = tree
        #: Whether the text may hold an assignment expression (``:=``): without one, finding a
        #: scope's bindings skips the expressions it only reads (see :func:`_scope_names`).
        self.has_assignment_expressions = ":=" in source.text
        #: What :meth:`nodes_naming` found, by the names asked for.
        self._naming: dict[frozenset[str], list[ast.AST]] = {}
        #: Whether a name is changed in place, by the name and the bindings it may have (see
        #: :func:`~.loops.name_changed`).
        self.changed_names: dict[tuple[str, int], bool] = {}
        #: The lines whose text holds a word, by the word (see :meth:`nodes_near`).
        self._word_lines: dict[str, list[int]] = {}
        #: Every scope made for this module (see :meth:`close`).
        self.scopes: list[Scope] = []
        self.scope = Scope(tree, self, None)
        #: The route handlers and lookalikes (see :func:`~.routes.find_handlers`), once found.
        self.handlers: tuple[list[Handler], list[Suspect]] | None = None
        #: Its module-level handlers that get a log call, by name, each with how a note names
        #: it: what other modules may call as functions (see ``instrument._module_handlers``).
        self.callable_handlers: dict[str, tuple[FunctionNode, str]] | None = None
        #: The add_api_route registrations whose endpoint it does not define (once found).
        self.unfollowed: list[Unfollowed] | None = None
        #: Names a ``from <module> import *`` binds, looked up by the index that parsed it.
        self.star_binding: Callable[[str], Binding | None] | None = None
        #: A qualified name followed through the package's re-exports (``app.core.Versionizer``
        #: to the library's), by the index that parsed it; None: taken as it is.
        self.canonical: Callable[[str], str] | None = None
        #: An imported name of the layer rooted above the backend folder as named inside it
        #: (``src.api.analytics.x`` as ``api.analytics.x``), by the index that parsed it (see
        #: :meth:`PackageIndex.layer_name`): the inserted imports spelled either way are one.
        self.layer_name: Callable[[str], str] | None = None
        #: Whether the package assigns a name as an attribute of this module (its syntax tree)
        #: or of a class of it (its ``ClassDef``), by the index that parsed it; None: not known.
        self.attribute_written: Callable[[ast.Module | ast.ClassDef, str], bool] | None = None

    def inside_name(self, name: str) -> str:
        """``name`` as named inside the backend folder when it names the layer rooted above it."""
        return name if self.layer_name is None else self.layer_name(name)

    def resolved(self, qualified: str) -> str:
        """``qualified`` followed through the package's re-exports, when an index read the module.

        ``app.core.Versionizer`` is the library's when ``app/core/__init__.py`` imports it.
        """
        return qualified if self.canonical is None else self.canonical(qualified)

    def close(self) -> None:
        """Forget everything, so that the syntax tree is freed at once, by reference counting.

        Scopes and their bindings refer to each other, and so do the module and its scope:
        left alone, the tree would wait for the cyclic garbage collector, whose every pass over
        it costs as much as parsing it again (0.4 s for a 2,000-handler module). The model and
        its scopes cannot be used after this.
        """
        for scope in self.scopes:
            scope.__dict__.clear()
        self.__dict__.clear()

    @cached_property
    def lines(self) -> SourceLines:
        """The module's lines, for edits and pragmas."""
        return SourceLines(self.text)

    @cached_property
    def quote(self) -> str:
        """The quote character of the string literals inserted here (see :mod:`.style`)."""
        counts = (0, 0)
        # With no single quote anywhere in the text, double quotes win without a walk of the
        # whole tree (a tenth of a 2,000-handler module's check).
        if self.style.quote_style == "preserve" and "'" in self.text:
            counts = self._quote_counts()
        return preferred_quote(self.style.quote_style, counts)

    def _quote_counts(self) -> tuple[int, int]:
        """How many one-line strings of the module open with a double and with a single quote.

        Triple-quoted strings are left out: formatters write them with double quotes whatever
        the style. The pieces of an f-string are not strings of their own. So are the log calls
        generate inserted (see :func:`_inserted_log_call`): counted, they would keep the quote
        they were written in after the user switched theirs to the other one, while a fresh
        generate of the same code writes the new one.
        """
        double = single = 0
        pending: list[ast.AST] = [self.tree]
        while pending:
            node = pending.pop()
            if _inserted_log_call(node):
                continue
            if isinstance(node, ast.JoinedStr) or (
                isinstance(node, ast.Constant) and isinstance(node.value, str)
            ):
                line = self.lines.line(node.lineno).encode("utf-8")[node.col_offset :]
                opening = line.lstrip(b"rRbBuUfF")[:3]
                if opening.startswith(b'"') and opening != b'"""':
                    double += 1
                elif opening.startswith(b"'") and opening != b"'''":
                    single += 1
                continue
            pending.extend(ast.iter_child_nodes(node))
        return double, single

    @cached_property
    def star_imports(self) -> tuple[tuple[str, ast.ImportFrom], ...]:
        """Each ``from <module> import *`` of the module: (that module, statement), last first.

        A later star import rebinds what an earlier one bound.
        """
        found: list[tuple[str, ast.ImportFrom]] = []
        for statement in block_statements(self.tree.body):
            if isinstance(statement, ast.ImportFrom) and any(
                alias.name == "*" for alias in statement.names
            ):
                source = self.absolute_import(statement)
                if source is not None:
                    found.append((source, statement))
        return tuple(reversed(found))

    @cached_property
    def declared_stores(self) -> dict[ast.AST, Counter[str]]:
        """The bindings made through ``global``/``nonlocal``, by the scope node bound in.

        ``def configure(): global PREFIXED; PREFIXED = True`` binds the module's
        ``PREFIXED``; a ``nonlocal`` name, that of the nearest enclosing function binding it.
        Found in one walk of the module, only when its text holds either keyword.
        """
        text = self.text
        if "global" not in text and "nonlocal" not in text:
            return {}
        walrus = self.has_assignment_expressions
        found: dict[ast.AST, Counter[str]] = {}
        # Each definition with the functions around it (a class body is no enclosing scope).
        pending: list[tuple[ScopeNode, tuple[FunctionNode, ...]]] = [(self.tree, ())]
        while pending:
            node, around = pending.pop()
            inside = (*around, node) if isinstance(node, FunctionNode) else around
            pending.extend(
                (inner, inside) for inner in _walk_scope(node) if isinstance(inner, DEFINITIONS)
            )
            if node is self.tree:
                continue
            declared: dict[str, ast.Global | ast.Nonlocal] = {}
            stored: Counter[str] = Counter()
            for name, held in _scope_names(node.body, walrus=walrus):
                if isinstance(held, ast.Global | ast.Nonlocal):
                    declared[name] = held
                else:
                    stored[name] += 1
            for name, declaration in declared.items():
                owner: ast.AST | None = self.tree
                if isinstance(declaration, ast.Nonlocal):
                    owner = next(
                        (f for f in reversed(around) if name in _local_names(f, walrus=walrus)),
                        None,
                    )
                if stored[name] and owner is not None:
                    found.setdefault(owner, Counter())[name] += stored[name]
        return found

    @cached_property
    def exported(self) -> frozenset[str] | None:
        """The names a literal module-level ``__all__`` lists; None without one.

        Followed through literal extensions at the top level (``__all__ += ["app"]``,
        ``__all__.append("app")``, ``__all__.extend(["app"])``). When :attr:`exports_unknown`,
        what it lists is not known: this is None then too.
        """
        return None if self.exports_unknown else self._exports_read[0]

    @cached_property
    def exports_unknown(self) -> bool:
        """Whether the module has an ``__all__`` whose names are not known from its text.

        A value that is not a list of strings, or any other change to it (under an ``if``, in a
        function, ``__all__.remove(...)``, ``del __all__``): what ``from <module> import *``
        binds is then not known, and no name is taken as bound by it.
        """
        return self._exports_read[1]

    @cached_property
    def _exports_read(self) -> tuple[frozenset[str] | None, bool]:
        """``__all__`` as the module's top level builds it, and whether that is unknown."""
        if "__all__" not in self.text:
            return None, False
        listed: list[str] | None = None
        read: set[int] = set()  # the `__all__` names of the statements followed
        for statement in self.tree.body:
            names = _all_extension(statement)
            if names is None:
                continue
            if isinstance(statement, ast.Assign | ast.AnnAssign):
                listed = names[1]
            elif listed is None:
                return None, True  # extended before it is set (a NameError, or a star's `__all__`)
            else:
                listed.extend(names[1])
            read.add(id(names[0]))
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                if not (isinstance(child, ast.Name) and child.id == "__all__") or id(child) in read:
                    continue
                if not isinstance(child.ctx, ast.Load) or isinstance(
                    node, ast.Attribute | ast.Subscript
                ):
                    return None, True  # bound or changed another way: not known
        if listed is None:
            return None, False
        if any(
            isinstance(statement, FunctionNode) and statement.name == "__getattr__"
            for statement in self.tree.body
        ):
            # A lazy `__getattr__`: a listed name the module does not bind is made on first use,
            # whatever the hook returns; not known to be any name the model reads.
            bound = self.scope.bindings
            listed = [name for name in listed if name in bound]
        return frozenset(listed), False

    @cached_property
    def lazy_exports(self) -> dict[str, tuple[str, ast.stmt]]:
        """The names a module-level ``__getattr__`` imports on first use, by a literal table.

        ``_LAZY = {"users_router": (".users", "router"), "Shop": ".shop"}`` read by ``def
        __getattr__(name)``: ``users_router`` is ``router`` of the module ``.users``, ``Shop``
        the ``Shop`` of ``.shop``. Each name comes with where it leads (absolute) and the table's
        assignment. Only dicts bound once at module level that the function reads, with string
        keys and values a module, or a module and an attribute, written out.
        """
        hooks = [
            statement
            for statement in self.tree.body
            if isinstance(statement, FunctionNode) and statement.name == "__getattr__"
        ]
        if len(hooks) != 1:
            return {}
        read = {
            node.id
            for node in ast.walk(hooks[0])
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
        }
        found: dict[str, tuple[str, ast.stmt]] = {}
        for statement in self.tree.body:
            assigned = single_assignment(statement)
            if assigned is None:
                continue
            target, value = assigned
            if not (isinstance(target, ast.Name) and target.id in read):
                continue
            if not isinstance(value, ast.Dict) or self.scope.stores[target.id] != 1:
                continue
            for key, item in zip(value.keys, value.values, strict=True):
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                    continue
                parts = item.elts if isinstance(item, ast.Tuple | ast.List) else [item]
                texts = [
                    part.value
                    for part in parts
                    if isinstance(part, ast.Constant) and isinstance(part.value, str)
                ]
                if len(texts) != len(parts) or len(texts) not in (1, 2):
                    continue
                written = texts[0]
                level = len(written) - len(written.lstrip("."))
                relative = ast.ImportFrom(module=written[level:] or None, names=[], level=level)
                source = self.absolute_import(relative)
                if source is not None:
                    attribute = texts[1] if len(texts) == 2 else key.value
                    found[key.value] = (f"{source}.{attribute}", statement)
        return found

    def absolute_import(self, node: ast.ImportFrom, package: str | None = None) -> str | None:
        """The absolute module a ``from ... import`` names; None when it leaves the top package.

        Each dot past the first climbs one package, and Python refuses to climb out of the top
        one: ``from ..x import y`` in ``app.main`` and ``from .x import y`` in a top-level
        module (no package at all) cannot run, so they name no module. ``package`` is where the
        relative imports start from when not the module's own package (the package it had in
        the layout its inserted code was written for).
        """
        if not node.level:
            return None if node.module is None else self.inside_name(node.module)
        package = self.package if package is None else package
        parts = package.split(".") if package else []
        if node.level > len(parts):
            return None
        base = parts[: len(parts) - (node.level - 1)]
        return ".".join([*base, node.module] if node.module else base) or None

    @cached_property
    def _blocks(self) -> dict[int, list[ast.stmt]]:
        """The block (list of statements) each statement of the module sits in, by id."""
        blocks: dict[int, list[ast.stmt]] = {
            id(statement): self.tree.body for statement in self.tree.body
        }
        for statement in self.statements:
            for block in statement_blocks(statement):
                for inner in block:
                    blocks[id(inner)] = block
        return blocks

    @cached_property
    def statements(self) -> list[ast.stmt]:
        """Every statement of the module, nested ones included, in source order.

        Walking statements only (not expressions) visits a small part of the tree: most nodes
        of a module are expressions.
        """
        return list(_walk_statements(self.tree.body))

    @cached_property
    def indent_unit(self) -> str:
        """The module's indentation step (its formatter's when it has no indented block)."""
        lines = self.lines
        # Walked lazily: the first class or def, near the top, usually answers.
        for node in _walk_statements(self.tree.body):
            if isinstance(node, DEFINITIONS) and node.body:
                outer = lines.indentation(node.lineno)
                inner = lines.indentation(node.body[0].lineno)
                if inner.startswith(outer) and len(inner) > len(outer):
                    return inner[len(outer) :]
        # No block to learn from (an app module of imports and calls): a wrapped import's
        # names are indented as the formatter indents (ruff's `indent-style = "tab"`).
        return self.style.indent

    def nodes_near(self, words: Iterable[str]) -> Iterator[ast.AST]:
        """The nodes on lines where one of ``words`` appears in the text, outermost first.

        A text search finds the lines; the walk then enters only the nodes that span one of
        them, so that finding a few calls in a big module does not walk all of it.
        """
        lines: set[int] = set()
        for word in words:
            if word:
                lines.update(self._lines_holding(word))
        return self._nodes_on(sorted(lines))

    def _lines_holding(self, word: str) -> list[int]:
        """The lines whose text holds ``word``, each search once a module.

        Asked for each route (a mount before it, an include shadowing it), the same word's
        search of the whole text would make finding a big module's routes quadratic.
        """
        found = self._word_lines.get(word)
        if found is None:
            source = self.lines
            found = self._word_lines[word] = sorted(
                {source.line_at(match.start()) for match in re.finditer(re.escape(word), self.text)}
            )
        return found

    def written_once(self, name: ast.Name, first: int, last: int) -> bool:
        """Whether lines ``first`` to ``last`` hold ``name``'s identifier once: where it stands.

        Counted in the text, inside longer words too, so that True is sure: then no other
        node there names it (a parameter, an assignment, a ``global``). False when the
        module's identifiers may be other than plain ASCII (Python reads ``ﬁle`` as ``file``).
        """
        if not (self._ascii_identifiers and first <= name.lineno <= last):
            return False
        word = name.id
        lines = self._lines_holding(word)
        low, high = bisect.bisect_left(lines, first), bisect.bisect_right(lines, last)
        return sum(self.lines.line(number).count(word) for number in lines[low:high]) == 1

    def nodes_naming(self, names: Iterable[str]) -> Iterator[ast.AST]:
        """Every node that may hold a ``Name`` of one of ``names``, outermost first.

        At least each node on a line whose text holds one of ``names`` as a whole word, with
        the nodes around it: a ``Name`` of one of them, the call, attribute or statement it
        is part of (``global`` and ``nonlocal`` included). The name a ``def`` or ``class``
        statement binds is no node of its own and is not looked for, nor a word just after a
        dot or a quote: in a route module the handlers' names are mostly there. The text of an
        identifier is its name only when the module's identifiers are plain ASCII (Python
        reads ``ﬁle`` as ``file``); otherwise every node, so that the answer never misses one
        a walk over the whole module finds.
        """
        wanted = frozenset(names)
        if not wanted:
            return iter(())
        if not self._ascii_identifiers or not all(
            name.isascii() and name.isidentifier() for name in wanted
        ):
            return self._nodes_on(range(1, len(self.lines) + 1))
        # Asked again for the same names (a module's router, by each reading of its routes):
        # the few nodes found the first time.
        found = self._naming.get(wanted)
        if found is None:
            found = self._naming[wanted] = list(self._naming_search(wanted))
        return iter(found)

    def _naming_search(self, wanted: frozenset[str]) -> Iterator[ast.AST]:
        """What :meth:`nodes_naming` answers for ASCII names of ASCII identifiers, afresh."""
        text = self.text
        starts: Iterable[int]
        if len(wanted) <= _FEW_NAMES:
            starts = (start for name in wanted for start in self._word_starts(name))
        else:
            # One pass over every word: an alternation of many names costs a pass each.
            starts = (
                match.start() for match in re.finditer(_ASCII_WORD, text) if match.group() in wanted
            )
        source = self.lines
        lines = {
            source.line_at(start)
            for start in starts
            if not _NOT_A_NAME_BEFORE.search(text, max(0, start - 16), start)
        }
        return self._nodes_on(sorted(lines))

    def _word_starts(self, name: str) -> Iterator[int]:
        r"""Where ``name`` (ASCII) stands in the text as a whole word, in order.

        The pattern starts with the name itself, so that the regular expression engine skips
        ahead to each occurrence of it; the character before is checked here. (A look-behind
        in front, ``(?<!\w)name``, makes the engine try it at every position of the text: 25
        times slower on a big module.) Only the word characters of ASCII count, as for the
        identifiers this is asked about.
        """
        text = self.text
        for match in re.finditer(re.escape(name) + r"(?!\w)", text, re.ASCII):
            start = match.start()
            # A match that is the tail of a longer word: no other whole word starts inside it.
            if not start or text[start - 1] not in _ASCII_WORD_CHARACTERS:
                yield start

    @cached_property
    def _ascii_identifiers(self) -> bool:
        """Whether no identifier of the module can hold a character outside ASCII.

        True when each such character of the text could not be part of one (a dash, an arrow,
        an emoji in a comment or a string); a letter such as ``é``, even in a docstring, may
        be part of a name as far as a text search can tell.
        """
        if self.text.isascii():
            return True
        found = set(re.findall(_NON_ASCII, self.text))
        return not any(("_" + char).isidentifier() for char in found)

    def _nodes_on(self, lines: Sequence[int]) -> Iterator[ast.AST]:
        """The nodes spanning one of ``lines`` (sorted), outermost first, in source order.

        A decorated definition starts at its first decorator, above its ``def`` or ``class``
        line. Everything inside an f-string spanning one of them is taken: the positions of
        the expressions inside f-strings are where Python's own reading of it is most likely
        to be off.
        """
        if not lines:
            return
        # Depth first, children in source order: results come in source order.
        pending: list[tuple[ast.AST, bool]] = [(self.tree, False)]
        while pending:
            node, everything = pending.pop()
            if node is not self.tree and getattr(node, "lineno", None) is not None:
                yield node
            everything = everything or isinstance(node, ast.JoinedStr)
            children: Iterable[ast.AST] = ast.iter_child_nodes(node)
            decorated = getattr(node, "decorator_list", None)
            if decorated:
                # Its decorators first, as written above it (its fields list them after it).
                # (`in` compares nodes by identity: they have no equality of their own.)
                children = [*decorated, *(child for child in children if child not in decorated)]
            inside = []
            for child in children:
                start = getattr(child, "lineno", None)
                if start is None or everything:
                    # arguments, comprehensions: no position of their own
                    inside.append((child, everything))
                    continue
                decorators = getattr(child, "decorator_list", None)
                if decorators:
                    start = min(start, *(item.lineno for item in decorators))
                end = getattr(child, "end_lineno", None) or start
                position = bisect.bisect_left(lines, start)
                if position < len(lines) and lines[position] <= end:
                    inside.append((child, everything))
            pending.extend(reversed(inside))

    def block_of(self, statement: ast.stmt) -> list[ast.stmt]:
        """The block (list of statements) ``statement`` sits in: the module's, or a nested one."""
        return self._blocks.get(id(statement), self.tree.body)

    def owns_lines(self, statement: ast.stmt) -> bool:
        """Whether ``statement`` has its lines to itself (no neighbour on its first or last line).

        Only such a statement can be taken out by deleting lines.
        """
        start = statement.lineno
        if isinstance(statement, FunctionNode | ast.ClassDef) and statement.decorator_list:
            start = min(start, *(item.lineno for item in statement.decorator_list))
        end = statement.end_lineno or statement.lineno
        if not self.lines.starts_at(statement.lineno, statement.col_offset):
            return False
        block = self._blocks.get(id(statement), [])
        for other in block:
            if other is not statement and other.lineno <= end and (other.end_lineno or 0) >= start:
                return False
        last = self.lines.line(end)
        # Text after the statement on its last line other than a comment (`x(); y()` is caught
        # above; this catches a trailing `;`).
        tail = last.encode("utf-8")[statement.end_col_offset or 0 :].decode("utf-8", "replace")
        return not tail.strip() or tail.strip().startswith("#")

    @cached_property
    def imports_anywhere(self) -> dict[str, frozenset[str]]:
        """What each imported name may refer to, over imports in any scope of the module.

        Used to recognise code that is already there (an import inside a factory counts).
        """
        # Every import statement has the word on one of its lines: a walk to those lines only.
        return self.import_bindings(self.nodes_near(["import"]))

    @cached_property
    def resolved_imports(self) -> dict[str, frozenset[str]]:
        """:attr:`imports_anywhere`, each target followed through the package's re-exports.

        As :meth:`resolved` tells it: read once a module, not at each question (a module may
        hold thousands of variables, each asking what its imports are).
        """
        return {
            name: frozenset(self.resolved(target) for target in bound)
            for name, bound in self.imports_anywhere.items()
        }

    def import_bindings(self, nodes: Iterable[ast.AST]) -> dict[str, frozenset[str]]:
        """What each name bound by the import statements among ``nodes`` may refer to."""
        bound: dict[str, set[str]] = {}
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    # `import a.b as c` binds c to a.b; `import a.b` binds a to a.
                    local = alias.asname or alias.name.split(".")[0]
                    named = self.inside_name(alias.name) if alias.asname else local
                    bound.setdefault(local, set()).add(named)
            elif isinstance(node, ast.ImportFrom):
                source = self.absolute_import(node)
                if source is None:
                    continue
                for alias in node.names:
                    if alias.name != "*":
                        bound.setdefault(alias.asname or alias.name, set()).add(
                            f"{source}.{alias.name}"
                        )
        return {name: frozenset(targets) for name, targets in bound.items()}

    def names_for(self, *targets: str) -> list[str]:
        """The names through which code of this module may reach one of ``targets``.

        A name imported as the target itself, or as a module or package holding it
        (``error_capture`` for ``app.analytics.error_capture.install_error_capture``).
        """
        return sorted(
            name
            for name, bound in self.imports_anywhere.items()
            if any(
                target == item or target.startswith(item + ".")
                for item in bound
                for target in targets
            )
        )

    def refers_to(self, expression: ast.expr, target: str) -> bool:
        """Whether a name or attribute chain may refer to ``target`` through any import."""
        if isinstance(expression, ast.Name):
            return target in self.imports_anywhere.get(expression.id, ())
        if isinstance(expression, ast.Attribute):
            base, _, attr = target.rpartition(".")
            return attr == expression.attr and bool(base) and self.refers_to(expression.value, base)
        return False

    @cached_property
    def dual_imports(self) -> tuple[DualImports, ...]:
        """The module's top-level dual-mode import blocks (see :class:`DualImports`), in order."""
        if "ImportError" not in self.text and "ModuleNotFoundError" not in self.text:
            return ()  # the common case, without walking the module
        found = []
        for statement in self.tree.body:
            if isinstance(statement, ast.Try):
                dual = self._dual_imports(statement)
                if dual is not None:
                    found.append(dual)
        return tuple(found)

    def _dual_imports(self, statement: ast.Try) -> DualImports | None:
        """``statement`` as a dual-mode import block, None when it is not one.

        Each import of the ``try`` body (relative, or absolute in the package) has one in the
        ``except ImportError`` body importing the same names from the same module spelled
        without the front of its absolute name, the same front for every one.
        """
        if len(statement.handlers) != 1 or statement.orelse or statement.finalbody:
            return None
        handler = statement.handlers[0]
        caught = handler.type
        if caught is None:
            return None  # a bare `except:` catches far more than a failed import
        names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        if (
            handler.name is not None
            or not names
            or not all(isinstance(name, ast.Name) and name.id in _IMPORT_ERRORS for name in names)
        ):
            return None
        body, fallbacks = statement.body, handler.body
        if len(body) != len(fallbacks) or not all(
            isinstance(item, ast.ImportFrom) for item in (*body, *fallbacks)
        ):
            return None
        top = self.name.split(".")[0]
        pairs: list[tuple[ast.ImportFrom, ast.ImportFrom]] = []
        dropped: set[str] = set()
        for first in body:
            assert isinstance(first, ast.ImportFrom)
            absolute = self.absolute_import(first)
            if absolute is None or (not first.level and absolute.split(".")[0] != top):
                return None
            spelled = [(alias.name, alias.asname) for alias in first.names]
            match = [
                other
                for other in fallbacks
                if isinstance(other, ast.ImportFrom)
                and not other.level
                and other.module
                and [(alias.name, alias.asname) for alias in other.names] == spelled
            ]
            if len(match) != 1:
                return None
            module = match[0].module or ""
            if module == absolute and first.level:
                dropped.add("")
            elif absolute.endswith("." + module):
                dropped.add(absolute[: -len(module)])
            else:
                return None
            pairs.append((first, match[0]))
        if len(dropped) != 1 or len({id(second) for _, second in pairs}) != len(pairs):
            return None
        return DualImports(statement, ast.unparse(caught), dropped.pop(), tuple(pairs))

    @cached_property
    def uses_relative_imports(self) -> bool:
        """Whether the module imports its own package relatively (new imports then do too)."""
        if "from ." not in self.text and "from\t." not in self.text and "\\" not in self.text:
            return False  # the common case, without walking the tree
        return any(isinstance(node, ast.ImportFrom) and node.level > 0 for node in self.statements)


# An import statement as text, absolute or relative: `import a.b, c`, `from ..a import b, c`
# (parenthesised over several lines too): what a module imports, read without parsing it.
IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+(?P<dots>\.*)[ \t]*(?P<source>[\w.]*)[ \t]+import[ \t]+"
    r"(?P<names>\([^)]*\)|[^\n#;]*)|import[ \t]+(?P<modules>[^\n#;]+))",
    re.MULTILINE,
)
# A string naming a module: an import string (`"app.main:app"`), a module's name
# (`import_module("app.api.users")`), or the start of one (`f"app.routes.{name}"`).
_MODULE_STRING = re.compile(r"""["'](?P<name>[^\W\d]\w*(?:\.[^\W\d]\w*)+)(?P<rest>\.\{|[:"'])""")
# A module name made of the module's own (`f"{__name__}.{name}"`, `f"{__package__}.{name}"`),
# a relative one (`f".{name}"`, resolved against the package), or a dotted prefix a name is
# joined to (`"app.routes." + name`).
_LISTING_STRING = re.compile(
    r"""\bf["'](?:\{(?P<own>__name__|__package__)\})?\.\{"""
    r"""|["'](?P<prefix>[^\W\d]\w*(?:\.[^\W\d]\w*)*)\.["']\s*\+"""
)

# How many classes of the package a class's bases are followed through (see ``lineage``).
_MAX_LINEAGE = 8


class DataFile(NamedTuple):
    """A data file of the project a path in the code names: which one is read, and its text."""

    path: str  # root-relative
    text: str
    #: Root-relative paths of other files the same path names from another folder the app may
    #: be started in (the project root as well as the backend folder), not read.
    others: tuple[str, ...] = ()


@dataclass
class PackageIndex:
    """The user's modules, parsed on demand (each at most once) and cross-referenced.

    ``read`` returns a module's source by dotted name, or None when there is no such module in
    the backend folder (a library, or a typo).
    """

    read: Callable[[str], ModuleSource | None]
    _sources: dict[str, ModuleSource | None] = field(default_factory=dict)
    _modules: dict[str, ModuleModel | None] = field(default_factory=dict)
    _failures: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: The modules of :attr:`_failures` read but not parsed (see :meth:`parse_failures`).
    _unparsed: set[str] = field(default_factory=set)
    _roles: dict[str, tuple[Role | None, bool]] = field(default_factory=dict)
    _returns: dict[int, Role | None] = field(default_factory=dict)
    #: The bindings :meth:`held_item` made, one per item, so each item is one object.
    _items: dict[int, Binding] = field(default_factory=dict)
    #: The ``<x>.prefix = ...`` assignments of each scope's body (:meth:`assigned_prefixes`),
    #: found once: every route of a scope asks, and most scopes have none.
    _prefix_assignments: dict[ast.AST, list[tuple[ast.Assign, ast.expr]]] = field(
        default_factory=dict
    )
    #: What :meth:`assigned_attribute` answered, by namespace node and name; and the
    #: package's modules whose text may assign an attribute, by its name (see
    #: :meth:`_attribute_writers`), with the :attr:`package` both were read for.
    _attribute_writes: dict[tuple[ast.AST, str], bool] = field(default_factory=dict)
    _attribute_writers: "tuple[tuple[str, ...], frozenset[str], dict[str, list[str]]] | None" = None
    _module_words: dict[str, frozenset[str]] = field(default_factory=dict)
    #: What :meth:`changes_held` answered, by attribute name (forgotten with the above).
    _attribute_uses: dict[str, bool] = field(default_factory=dict)
    #: The strings :meth:`string_value` folded in the fold under way, by the node, its scope,
    #: its depth and the fallback asked (each held too, so no id is reused while the fold
    #: runs): a name a fold reads twice (`A1 = f"{A0}{A0}"`, chained) is folded once, not once
    #: per path to it. None between folds: nothing is kept from one to the next.
    _folds: "dict[tuple[int, int, int, int], tuple[ast.expr, Scope, object, str | None]] | None" = (
        None
    )
    #: Where the package's routers are included (set by the project before routes are read;
    #: None: not known, routes are logged as their own router serves them).
    mounts: "Mounts | None" = None
    #: The dotted names of the package's modules (set with :attr:`mounts`; empty: not known),
    #: for what other modules do to a module's names (``ROUTERS.append(router)``).
    package: tuple[str, ...] = ()
    #: The settings file a settings library loads for a name as written (its project-relative
    #: path and text), None when there is none; no files are read without it.
    settings_file: Callable[[str], tuple[str, str] | None] | None = None
    #: The data file a path in the code names (backend-relative; whether it is anchored on a
    #: module's ``__file__``), None when there is none; no files are read without it.
    data_file: Callable[[str, bool], DataFile | None] | None = None
    #: Lines on the data files read where another file could be meant, by file and path read.
    data_file_notes: dict[tuple[str, str], str] = field(default_factory=dict)
    #: Library classes the package uses as apps though FastAPI's name is not seen in them
    #: (``FastAPIOffline``, ``Cadwyn``), learnt from their use (see :meth:`learn_app_classes`).
    app_classes: frozenset[str] = frozenset()
    #: The dotted package of the layer the run writes (``app.analytics``): a module of it not
    #: there yet is one generate creates, never one left out of the project.
    layer: str | None = None
    #: The backend folder's parts (root-relative; empty: the root, or not known). A module
    #: of the app imported by a name rooted above it (``src.api.users`` for ``api/users.py``
    #: of the folder ``src``) is read under its name inside the folder (see BackendReader).
    backend_folder: tuple[str, ...] = ()
    #: The layer the last run wrote, when the plan moved it (dotted, as named inside its backend
    #: folder), with that folder's parts: its imports, as the last run spelled them (bare or
    #: rooted above that folder, by its record), are read as its own, never as the plan's
    #: layer's, which the same text may spell too (``app.analytics`` under ``backend`` is the
    #: flat layer ``analytics`` of ``backend/app`` rooted by ``app``).
    former_layer: tuple[str, tuple[str, ...]] | None = None
    #: Other layers whose imports in the backend folder are generate's (dotted, as named
    #: inside it): those a merged branch or a committed record names, read as :attr:`layer`
    #: is, spelled bare or rooted above the folder (see :meth:`know_layers`).
    more_layers: tuple[str, ...] = ()
    #: How the package's modules spell the app's package in their absolute imports (the
    #: folder prefix above the backend folder, "" for none), by package: found once a run.
    package_spellings: dict[str, frozenset[str]] = field(default_factory=dict)
    #: The modules the served app's code starts from (the entry module and the one building
    #: the app), set by the project once the app is found; empty: not known. How the app's
    #: own code spells the package is read from what they import, not from scripts beside it.
    app_modules: tuple[str, ...] = ()
    #: Whether what the project says of how the app is served (a Dockerfile's command) runs it
    #: from inside the backend folder, where a name rooted above it is no module; asked once
    #: (see :meth:`served_inside`), None: nothing is said.
    served_from_inside: Callable[[], bool] | None = None
    _served_inside: bool | None = None

    def served_inside(self) -> bool:
        """Whether the app is known to be served from inside the backend folder (read once)."""
        if self._served_inside is None:
            asked = self.served_from_inside
            self._served_inside = asked is not None and asked()
        return self._served_inside

    def app_imports(self) -> list[str]:
        """The modules of :attr:`package` the served app's code imports, in its order.

        Those :meth:`imported_from` reaches from :attr:`app_modules`, themselves included;
        every module of the package when the app's modules are not known.
        """
        if not self.app_modules:
            return list(self.package)
        reached = self.imported_from(self.app_modules)
        return [name for name in self.package if name in reached]

    def learn_app_classes(self, classes: frozenset[str]) -> None:
        """Take the library classes of ``classes`` as app classes from now on.

        What was read of roles before is forgotten: a class or factory answered "not an app"
        may build one of them.
        """
        if classes <= self.app_classes:
            return
        self.app_classes |= classes
        self._roles.clear()
        self._returns.clear()

    def source(self, name: str) -> ModuleSource | None:
        """The text of module ``name`` (read once), None when absent or unreadable."""
        if name in self._sources:
            return self._sources[name]
        source: ModuleSource | None = None
        if name and all(part.isidentifier() for part in name.split(".")):
            try:
                source = self.read(name)
            except Unreadable as problem:
                self._failures[name] = (problem.path, problem.message)
        self._sources[name] = source
        return source

    def _holds(self, module_name: str, name: str) -> bool:
        """Whether module ``module_name`` of the package has ``name``: bound, or a submodule.

        Bound at its top level, by a star import or as a lazy export; False when the module is
        not one of the package's, or not parseable. A folder without ``__init__.py`` (no module
        itself) holds its modules: ``from .items import views as items`` binds ``items`` over
        such a folder, and ``app.api.items.views.router`` (as ``from app.api.items.views import
        router`` names it) still reads ``items/views.py``.
        """
        model = self.module(module_name)
        if model is None:
            return self.source(f"{module_name}.{name}") is not None
        return (
            name in model.scope.bindings
            or self.source(f"{module_name}.{name}") is not None
            or name in model.lazy_exports
            or self._star_binding(model, name) is not None
        )

    def _both_readings(self, folder: str, bound_to: str, rest: list[str]) -> bool:
        """Whether ``folder.rest`` names something both through the folder and the name over it.

        ``folder`` is a folder without ``__init__.py`` that its package binds a name over
        (``from .users import router as users``, ``bound_to`` then ``app.api.users.router``).
        A dotted name made from an import (``from app.api.users import router``) reads the
        folder's module; one made from attributes (``users.router`` after ``from app.api import
        users``) reads the name bound over it, as Python does; the name alone does not say
        which. Both readings hold something when the folder has a module ``rest[0]`` and the
        bound module binds ``rest[0]`` too, that name being the last or a module itself.
        """
        if self.module(folder) is not None or self.source(f"{folder}.{rest[0]}") is None:
            return False
        bound = self.module(bound_to)
        return (
            bound is not None
            and rest[0] in bound.scope.bindings
            and (len(rest) == 1 or self.module(f"{bound_to}.{rest[0]}") is not None)
        )

    def _star_binding(self, model: ModuleModel, name: str) -> Binding | None:
        """What a ``from <module> import *`` of ``model`` binds ``name`` to, if one does."""
        for source, statement in model.star_imports:
            if self._exports(source, name, frozenset({model.name})):
                if _deleted_after(model.tree, statement, name):
                    return None  # `from pkg.app import *` then `del app`: unbound again
                return Binding(
                    "import", name, model.scope, statement=statement, target=f"{source}.{name}"
                )
        return None

    def _exports(self, source: str, name: str, seen: frozenset[str]) -> bool:
        """Whether ``from <source> import *`` binds ``name`` (a module of the package only).

        Its ``__all__`` when it lists one; else its public names, its own and those its star
        imports bring.
        """
        if source in seen or len(seen) > _MAX_DEPTH:
            return False
        module = self.module(source)
        if module is None:
            # A library's module (or one not found): it binds the classes it is known to export.
            return self.source(source) is None and f"{source}.{name}" in LIBRARY_STAR_EXPORTS
        if module.exports_unknown:
            return False  # an `__all__` changed other than literally: what it binds is not known
        if module.exported is not None:
            return name in module.exported
        if name.startswith("_"):
            return False
        if name in module.scope.bindings:
            return True
        # The latest star import binding the name is the one it holds, unless a `del` follows.
        for inner, statement in module.star_imports:
            if self._exports(inner, name, seen | {source}):
                return not _deleted_after(module.tree, statement, name)
        return False

    def modules_holding(
        self, word: str | re.Pattern[str], names: Iterable[str]
    ) -> Iterator[ModuleModel]:
        """The modules of ``names`` (each once) whose text holds ``word``, parsed; no other is.

        A text probe before the parse: most modules of a package never name what is looked for.
        ``word`` may be a pattern, searched for in the text.
        """
        for name in dict.fromkeys(names):
            source = self.source(name)
            if source is None:
                continue
            if word in source.text if isinstance(word, str) else word.search(source.text):
                model = self.module(name)
                if model is not None:
                    yield model

    def module(self, name: str) -> ModuleModel | None:
        """The parsed module ``name``; None when absent or not parseable (see :meth:`failure`)."""
        if name in self._modules:
            return self._modules[name]
        model: ModuleModel | None = None
        source = self.source(name)
        if source is not None and source.name != name:
            # Read under its own name (see BackendReader.read): one model per file.
            model = self.module(source.name)
        elif source is not None:
            try:
                model = ModuleModel(source, parse(source.text))
            except ParseFailure as failure:
                self._failures[name] = (source.path, failure.at(source.path))
                self._unparsed.add(name)
            else:
                self._hook(model)
        self._modules[name] = model
        return model

    def parsed_modules(self) -> list[ModuleModel]:
        """The modules parsed so far (each once), in the order they were first read."""
        # A module read under two names is one model.
        models = {id(model): model for model in self._modules.values() if model is not None}
        return list(models.values())

    def close(self) -> None:
        """Close every parsed module (see :meth:`ModuleModel.close`): the index is done with."""
        for model in self.parsed_modules():
            model.close()
        self._modules.clear()
        self._sources.clear()
        self._prefix_assignments.clear()
        self._attribute_writes.clear()
        self._attribute_uses.clear()
        self._attribute_writers = None
        self._module_words.clear()

    def add(self, model: ModuleModel) -> None:
        """Register a module parsed elsewhere (the patch targets), so it is parsed only once."""
        self._hook(model)
        self._modules[model.name] = model

    def _hook(self, model: ModuleModel) -> None:
        """Give ``model`` the look-ups into other modules it makes through this index."""
        model.star_binding = functools.partial(self._star_binding, model)
        model.canonical = lambda qualified: self.resolve(qualified)[0]
        model.attribute_written = functools.partial(self.assigned_attribute, model)
        if any(folder for _, folder in self._layer_folders()):
            model.layer_name = self.layer_name

    def _layer_folders(self) -> list[tuple[str, tuple[str, ...]]]:
        """The layers the package's imports may name, each with its backend folder's parts.

        The last run's first: a name spelling both is what the last run wrote (its record says
        so), taken out as such; the plan's own are then written as a fresh run writes them.
        """
        layers = [] if self.former_layer is None else [self.former_layer]
        if self.layer:
            layers.append((self.layer, self.backend_folder))
        layers += [(layer, self.backend_folder) for layer in self.more_layers]
        return layers

    def know_layers(self, layers: Iterable[str]) -> None:
        """Read the imports of ``layers`` (dotted, inside the folder) as generate's too.

        The spellings found so far are read again: an import of one of them is no spelling
        of the package.
        """
        more = tuple(dict.fromkeys((*self.more_layers, *layers)))
        if more != self.more_layers:
            self.more_layers = more
            self.package_spellings.clear()

    def layer_of(self, name: str) -> str | None:
        """``name`` as named inside its backend folder when it names a layer, else None.

        ``src.infrastructure.api.analytics.event_logger`` is ``api.analytics.event_logger``
        for the backend folder ``src/infrastructure`` (the inserted imports are spelled so
        where the module imports its package by the rooted name); the layer's bare names are
        themselves. Of the last run's layer first (see :attr:`former_layer`).
        """
        parts = name.split(".")
        for layer, folder in self._layer_folders():
            if (name + ".").startswith(layer + "."):
                return name
            for start in range(len(folder)):
                above = list(folder[start:])
                inside = ".".join(parts[len(above) :])
                if parts[: len(above)] == above and (inside + ".").startswith(layer + "."):
                    return inside
        return None

    def layer_name(self, name: str) -> str:
        """``name`` inside its backend folder when it names a layer (see :meth:`layer_of`)."""
        return self.layer_of(name) or name

    def failure(self, name: str) -> tuple[str, str] | None:
        """The file of module ``name`` and why it could not be read or parsed, if so."""
        return self._failures.get(name)

    def failures(self) -> list[tuple[str, str]]:
        """Every module that could not be read or parsed so far: (file, why)."""
        return list(self._failures.values())

    def parse_failures(
        self, needed: Iterable[str] = (), app: str | None = None
    ) -> list[tuple[str, str, bool]]:
        """The modules read whose parse failed so far (a syntax error): (file, why, needed).

        ``needed`` is true for a module the code of ``needed``'s modules imports, directly or
        through others (see :meth:`imported_from`), or that of a module of :attr:`package`
        importing ``app`` (the app's module: ``from app.core import app`` then its includes);
        the others were only found by a scan's text probe over the package's listing, and the
        app may never import them.
        """
        if not self._unparsed:
            return []
        roots = list(needed)
        if app is not None:
            # Not such a module itself when it does not parse: a script importing the app.
            roots += [
                name
                for name in self.package
                if name not in self._unparsed
                and (source := self.source(name)) is not None
                and app in modules_imported(source.text, source.package)
            ]
        reached = self.imported_from(roots)
        return [
            (*self._failures[name], name in reached)
            for name in self._unparsed
            if name in self._failures
        ]

    def imported_from(self, roots: Iterable[str]) -> set[str]:
        """The modules of the backend folder ``roots`` import, themselves and those they reach.

        Read from the text, so a module that does not parse is reached too: its import
        statements (absolute or relative, at any level of the code), the packages above each
        module imported (their ``__init__`` runs first), and the strings naming a module
        (``"app.main:app"``, ``import_module("app.api.users")``; ``f"app.routes.{name}"``
        names every module of :attr:`package` under ``app.routes``).
        """

        def reads(source: ModuleSource) -> Iterator[str]:
            for imported in modules_imported(source.text, source.package):
                yield from _with_packages_above(imported)
            for match in _MODULE_STRING.finditer(source.text):
                if match.group("rest") != ".{":
                    yield match.group("name")
            yield from _listed_modules(source, self.package, self._is_package, self.source)

        return self._reached(list(roots), reads)

    def run_at_import(self, roots: Iterable[str], raised: Collection[str]) -> set[str]:
        """The modules of the backend folder importing ``roots`` certainly runs, themselves too.

        Unlike :meth:`imported_from` (what the code may reach, for what to read), only what
        runs whenever the modules are imported: the packages above each (their ``__init__``
        runs first) and what the module's own top level imports (:func:`imports_run_at_import`:
        ``raised`` names the exceptions a ``try`` around an import may catch to skip it). An
        import in a function, under an ``if`` (``TYPE_CHECKING``, the main guard) or in a
        ``try`` whose handler takes that failure may never run; a module that does not parse
        reaches nothing further, nor does the generated layer (as in :meth:`imported_from`).
        For a judgement that refuses: what it reaches runs.
        """
        return self._reached(
            [name for root in roots for name in _with_packages_above(root)],
            lambda source: (
                name
                for imported in imports_run_at_import(source, raised)
                for name in _with_packages_above(imported)
            ),
        )

    def _reached(
        self, frontier: list[str], names_in: Callable[[ModuleSource], Iterable[str]]
    ) -> set[str]:
        """The modules ``frontier`` names and those ``names_in`` each one's source names, on.

        A module that is absent names nothing further, nor does the generated layer: it is the
        tool's own code, written anew from the plan, and imports none of the user's modules
        (reading it, a listing probe parsed its largest modules: a third of an up-to-date
        check).
        """
        reached: set[str] = set()
        while frontier:
            name = frontier.pop()
            if name in reached:
                continue
            reached.add(name)
            if self.layer_of(name) is not None:
                continue
            source = self.source(name)
            if source is None:
                continue
            reached.add(source.name)
            frontier.extend(names_in(source))
        return reached

    def _is_package(self, name: str) -> bool:
        """Whether module ``name`` of the backend folder is a package (an ``__init__.py``)."""
        source = self.source(name)
        return source is not None and source.is_package

    def assigned_attribute(
        self, module: ModuleModel, namespace: ast.Module | ast.ClassDef, name: str
    ) -> bool:
        """Whether the package assigns ``name`` as an attribute of a module or class of it.

        ``namespace`` is the module's syntax tree or the class's definition in ``module``:
        ``flags.PREFIXED = True`` (also augmented or annotated) or ``setattr(flags,
        "PREFIXED", True)`` anywhere in the package (the module itself included) changes
        what ``PREFIXED`` holds, as ``Config.PREFIXED = True`` changes a class's. A text
        probe finds the modules that may; only those are parsed.
        """
        read, writers = self._writers()
        key = (namespace, name)
        known = self._attribute_writes.get(key)
        if known is not None:
            return known
        self._attribute_writes[key] = False  # asked again while finding out: not (yet) seen
        candidates = list(writers.get(name, ()))
        if module.name not in read and name in self._words_of(module.name):
            candidates.append(module.name)  # the module itself, read before the package is known
        found = False
        for candidate in dict.fromkeys(candidates):
            model = self.module(candidate)
            if model is not None and any(
                self._names_namespace(owner, scope, namespace)
                for owner, scope in _attribute_targets(model, name)
            ):
                found = True
                break
        self._attribute_writes[key] = found
        return found

    def changes_held(self, module: ModuleModel, name: str) -> bool:
        """Whether the package may rebind a class attribute ``name`` (of ``module``), or change it.

        What the class body binds is what is read only when every use of ``name`` as an
        attribute in the package (``.router`` of anything) owns a route decorator
        (``@Items.router.get("/x")``) or is given to ``include_router(...)``, and no
        ``getattr``, ``setattr`` or ``delattr`` names it as a string. Any other use (``Base.router
        = APIRouter(prefix="/v2")``, ``r = Base.router``, ``Base().router.prefix = "/v2"``,
        ``cls.router`` in a class method) may reach the class's value by a path not followed:
        True. Asked of the name, not of a class (an alias of a class is not followed either);
        the modules of the package (and ``module``) whose text mentions it are parsed, once.
        """
        known = self._attribute_uses.get(name)
        if known is not None:
            return known
        read, _ = self._writers()
        mention = re.compile(rf"\.\s*{re.escape(name)}\b|['\"]{re.escape(name)}['\"]")
        found = False
        for candidate in dict.fromkeys([*read, module.name]):
            source = self.source(candidate)
            if source is None or not mention.search(source.text):
                continue
            model = self.module(candidate)
            if model is not None and _other_attribute_use(model.tree, name):
                found = True
                break
        self._attribute_uses[name] = found
        return found

    def _writers(self) -> tuple[frozenset[str], dict[str, list[str]]]:
        """The modules of :attr:`package` read, and those whose text may assign each name.

        Read once; forgotten (with what :meth:`assigned_attribute` answered) when the package
        changes.
        """
        if self._attribute_writers is None or self._attribute_writers[0] is not self.package:
            writers: dict[str, list[str]] = {}
            for name in self.package:
                for word in self._words_of(name):
                    writers.setdefault(word, []).append(name)
            self._attribute_writers = (self.package, frozenset(self.package), writers)
            self._attribute_writes.clear()
            self._attribute_uses.clear()
        return self._attribute_writers[1:]

    def _words_of(self, name: str) -> frozenset[str]:
        """The attribute names module ``name``'s text may assign (see :func:`_assigned_words`)."""
        words = self._module_words.get(name)
        if words is None:
            source = self.source(name)
            words = self._module_words[name] = (
                frozenset() if source is None else _assigned_words(source.text)
            )
        return words

    def _names_namespace(self, owner: ast.expr, scope: Scope, namespace: ast.AST) -> bool:
        """Whether ``owner`` (``flags`` of ``flags.PREFIXED = ...``) is that module or class.

        Also the module running the code, as ``globals()`` (``vars()`` at its top level) or
        ``sys.modules[__name__]`` (or its dotted name); a class as the ``cls`` of its class
        methods (``cls.X = ...``), or ``type(self)`` and ``self.__class__`` in its methods.
        """
        if isinstance(namespace, ast.ClassDef) and _receiver_class(owner, scope) is namespace:
            return True
        if calls_builtin(owner, scope, "globals") or (
            calls_builtin(owner, scope, "vars") and not owner.args and scope.parent is None
        ):
            return scope.module.tree is namespace
        if isinstance(owner, ast.Subscript) and self.qualify(owner.value, scope) == "sys.modules":
            key = owner.slice
            if isinstance(key, ast.Name) and key.id == "__name__" and scope.lookup(key.id) is None:
                return scope.module.tree is namespace
            named = self.string_value(key, scope)
            model = None if named is None else self.module(named)
            return model is not None and model.tree is namespace
        binding = self.binding_of(owner, scope)
        if binding is None:
            return False
        if binding.kind == "module":
            return binding.scope.node is namespace
        return binding.kind == "class" and binding.node is namespace

    # --- names -----------------------------------------------------------------------------

    @staticmethod
    def qualify(expression: ast.expr, scope: Scope) -> str | None:
        """The qualified name an expression (a name or attribute chain) refers to, if known.

        Imported names give what they import; classes and functions defined at a module's top
        level give ``module.name``; anything else gives None. It reads only ``scope``'s module
        (no other module is loaded): code without an index may call it on the class.
        """
        if isinstance(expression, ast.Name):
            binding = scope.lookup(expression.id)
            if binding is None:
                return None
            if binding.kind == "import":
                return binding.target
            if binding.kind in ("class", "function") and binding.scope.parent is None:
                return f"{binding.scope.module.name}.{binding.name}"
            return None
        if isinstance(expression, ast.Attribute):
            base = PackageIndex.qualify(expression.value, scope)
            return None if base is None else f"{base}.{expression.attr}"
        return None

    def defined(self, expression: ast.expr, scope: Scope) -> Binding | None:
        """Where the package defines what ``expression`` names (a call's callee), if it does.

        :meth:`qualify` then :meth:`resolve`: ``build_api`` imported from ``app.factory`` is the
        function of ``app/factory.py``; a library's name, or one not known, gives None.
        """
        qualified = self.qualify(expression, scope)
        return self.resolve(qualified)[1] if qualified is not None else None

    def lineage(self, cls: Binding) -> list[Binding]:
        """``cls`` and the classes of the package it derives from, in Python's MRO order.

        ``class DemoApp(CoreApp)``: ``[DemoApp, CoreApp]``, so that an instance of a subclass
        is read as one of the wrapper it extends. ``class C(A, B)`` with ``A(Base)``: ``[C, A,
        Base, B]`` (the C3 linearisation, as Python and pydantic look attributes and fields
        up), unless ``B`` also derives from ``Base``. A library's base is left out; a deep or
        cyclic chain is cut; a hierarchy Python would refuse is read depth-first.
        """
        return self._linearised(cls, (), {})

    def _linearised(
        self, cls: Binding, below: tuple[ast.AST, ...], done: dict[int, list[Binding]]
    ) -> list[Binding]:
        """:meth:`lineage` of ``cls``, reached from the classes ``below`` (a cycle is cut).

        ``done`` holds the answers found so far: a class many others derive from is
        linearised once, and each answer is cut to the lineage's length, so that a hostile
        module of classes deriving from all the earlier ones stays cheap.
        """
        known = done.get(id(cls.node))
        if known is not None:
            return known
        if len(below) > _MAX_LINEAGE or not isinstance(cls.node, ast.ClassDef):
            return [cls]
        within = (*below, cls.node)
        bases = [base for base in self.package_bases(cls) if base.node not in within]
        bases = bases[:_MAX_LINEAGE]
        orders = [self._linearised(base, within, done) for base in bases]
        merged = _c3_merge([*orders, bases])
        if merged is None:
            merged = [binding for order in orders for binding in order]
        found = [cls]
        for binding in merged:
            if len(found) > _MAX_LINEAGE:
                break
            if all(binding.node is not seen.node for seen in found):
                found.append(binding)
        done[id(cls.node)] = found
        return found

    def package_bases(self, cls: Binding) -> list[Binding]:
        """The classes of the package ``cls`` names as its bases, in order (library ones not)."""
        node = cls.node
        assert isinstance(node, ast.ClassDef)
        bases = [self.defined(base, cls.scope) for base in node.bases]
        return [base for base in bases if base is not None and base.kind == "class"]

    @staticmethod
    def qualify_resolved(expression: ast.expr, scope: Scope) -> str | None:
        """:meth:`qualify`, followed through the package's re-exports (``ModuleModel.resolved``).

        ``Versionizer`` imported from ``app.core`` is the library's when ``app/core`` imports it.
        """
        qualified = PackageIndex.qualify(expression, scope)
        return None if qualified is None else scope.module.resolved(qualified)

    def _first_module(
        self, parts: list[str], first: int, stop: int
    ) -> tuple[int, ModuleModel] | None:
        """The shortest name ``parts[:count]`` that is a module, ``first <= count < stop``.

        A namespace package (a folder without ``__init__.py``) is no module; its modules are.
        """
        for count in range(first, stop):
            module = self.module(".".join(parts[:count]))
            if module is not None:
                return count, module
        return None

    def from_a_library(self, canonical: str, binding: Binding | None) -> bool:
        """Whether :meth:`resolve`'s answer (``canonical``, ``binding``) leaves the package.

        A name of an installed library (``nicegui.app``, ``fastapi_crudrouter.CRUDRouter``),
        not one of the package's own modules that the index did not follow: no module of the
        package along the name, read or not (a namespace package's folder is none itself).
        """
        if binding is not None:
            return False
        parts = canonical.split(".")
        return not any(
            self.source(".".join(parts[:count])) is not None
            or self.failure(".".join(parts[:count])) is not None
            for count in range(1, len(parts))
        )

    def missing_module(self, canonical: str) -> str | None:
        """The module of the package ``canonical`` (:meth:`resolve`'s answer) needs but lacks.

        ``app.api.test.router`` where ``app/api/`` is a package of the project holding neither
        ``test.py``, nor a ``test/`` folder with ``router.py``, nor a name ``test``: importing
        it fails (a module
        left out of the repository, imported under ``try: ... except ImportError``), so the
        name holds nothing of the project's. None when every part is there, or when the name
        leaves the package (see :meth:`from_a_library`).
        """
        parts = canonical.split(".")
        deepest = None
        for count in range(1, len(parts)):
            module = self.module(".".join(parts[:count]))
            if module is not None:
                deepest = (count, module)
        if deepest is None:
            return None
        count, module = deepest
        if not module.is_package:
            return None
        name = parts[count]
        absent = f"{module.name}.{name}"
        if (
            module.scope.bindings.get(name) is not None
            or self._star_binding(module, name) is not None
            or module.lazy_exports.get(name) is not None
            or self.source(absent) is not None
            or self.failure(absent) is not None
            # A folder without __init__.py holding the module the name goes on to.
            or self._first_module(parts, count + 2, len(parts) + 1) is not None
        ):
            return None
        return absent

    def resolve(
        self, qualified: str, through: list[Binding] | None = None
    ) -> tuple[str, Binding | None]:
        """Follow ``qualified`` through the package's imports to where it is defined.

        Returns the canonical qualified name (a library's name when the chain leaves the
        package) and the binding in its defining module's top level (None outside the package,
        or for an attribute of a class or value). ``through``, when given, receives the import
        bindings followed, in order.
        """
        seen: set[str] = set()
        while len(seen) < _MAX_DEPTH:
            seen.add(qualified)
            parts = qualified.split(".")
            found = self._first_module(parts, 1, len(parts))
            if found is None:
                return qualified, None
            index, module = found
            while index < len(parts):
                binding = module.scope.bindings.get(parts[index])
                submodule_name = f"{module.name}.{parts[index]}"
                if binding is None:
                    # `from .routes import *` in the package's __init__.py: its names.
                    binding = self._star_binding(module, parts[index])
                    if (
                        binding is not None
                        and self.source(submodule_name) is not None
                        and binding.target != f"{submodule_name}.{parts[index]}"
                    ):
                        # A submodule of the name stays what is read, but for a star import
                        # of that submodule itself bringing its own namesake (`from
                        # .create_router import *`, create_router.py defining `def
                        # create_router`): the function is bound over the submodule then.
                        binding = None
                lazy = module.lazy_exports.get(parts[index]) if binding is None else None
                if lazy is not None:
                    # Imported on first use by the module's `__getattr__`, from its table.
                    target, table = lazy
                    binding = Binding(
                        "import", parts[index], module.scope, statement=table, target=target
                    )
                if (
                    binding is not None
                    and binding.kind == "import"
                    and index < len(parts) - 1
                    and self._both_readings(submodule_name, binding.target, parts[index + 1 :])
                ):
                    # Which of two things the name is is not known from it: not followed,
                    # rather than guessed (see `_both_readings`).
                    return qualified, None
                if binding is not None and not (
                    # `from . import users` in a package's __init__.py names its own submodule:
                    # followed as the submodule, not as an import that leads back here.
                    binding.kind == "import"
                    and (
                        binding.target == submodule_name
                        # `from .users import users` shadows the submodule with a name from
                        # it; a name that goes on past it (`pkg.users.users`) is read in the
                        # submodule, as `from pkg.users import users` reads it, where the
                        # submodule holds the next name. Where it does not (`from .home import
                        # home`, home/home.py holding the router, then `home.router` read
                        # through `from pkg import home`), the name bound over it is what runs.
                        or (
                            index < len(parts) - 1
                            and binding.target.startswith(f"{submodule_name}.")
                            and self._holds(submodule_name, parts[index + 1])
                        )
                    )
                ):
                    if binding.kind == "import":
                        target = ".".join([binding.target, *parts[index + 1 :]])
                        if target in seen:
                            return qualified, None
                        if through is not None:
                            through.append(binding)
                        qualified = target
                        break
                    if index == len(parts) - 1:
                        return qualified, binding
                    if self.module(submodule_name) is None:
                        return qualified, None  # an attribute of a class or an object
                    # `web = build()` in a package's __init__.py rebinds the name of its
                    # submodule `web`; `from .web import build` still reads the submodule.
                submodule = self.module(submodule_name)
                if submodule is not None:
                    module, index = submodule, index + 1
                    continue
                # A folder without __init__.py inside a package (`from app.routers import
                # users` with no app/routers/__init__.py): the name goes on in the next module.
                deeper = self._first_module(parts, index + 2, len(parts) + 1)
                if deeper is None:
                    return qualified, None
                index, module = deeper
            else:
                return qualified, Binding("module", module.name, module.scope)
        return qualified, None

    def binding_of(self, expression: ast.expr, scope: Scope, depth: int = 0) -> Binding | None:
        """The binding an expression names, following imports into other modules.

        A second name for a router (``api_router = router``) gives the router's own binding.
        """
        if isinstance(expression, ast.Name):
            binding = scope.lookup(expression.id)
            if binding is not None and binding.kind == "import":
                binding = self.resolve(binding.target)[1]
        elif isinstance(expression, ast.Subscript):
            # `ROUTERS["books"]` of a dict literal of routers: the item, as a variable.
            mapping = self.binding_of(expression.value, scope, depth + 1)
            key = expression.slice
            if not isinstance(key, ast.Constant):
                # `ROUTERS[BOOKS]` with `BOOKS = "books"`: the string the name holds.
                text = self.string_value(key, scope, depth + 1)
                key = ast.Constant(text) if text is not None else key
            binding = None if mapping is None else self._keyed_item(mapping, key)
        else:
            qualified = self.qualify(expression, scope)
            binding = None if qualified is None else self.resolve(qualified)[1]
        return self.aliased(binding, depth)

    def held_item(self, item: ast.expr, scope: Scope) -> Binding | None:
        """The binding of a dict literal's item (``item``, read in ``scope``), when it has one.

        ``ROUTERS = {"books": APIRouter(prefix="/books")}`` bound once: the router is the
        object ``@ROUTERS["books"].get(...)`` declares routes on and a loop over
        ``ROUTERS.values()`` includes, one object by either spelling (see :meth:`binding_of`).
        """
        for mapping in scope.bindings.values():
            if isinstance(mapping.node, ast.Dict) and any(
                value is item for value in mapping.node.values
            ):
                keys = mapping.node.keys
                key = keys[[id(value) for value in mapping.node.values].index(id(item))]
                return None if key is None else self._keyed_item(mapping, key)
        return None

    def _keyed_item(self, mapping: Binding, key: ast.expr) -> Binding | None:
        """The item of key ``key`` of a dict literal a name bound once holds, with constant keys.

        A binding of its own, named as the item is read (``ROUTERS['books']``), made once.
        """
        node = mapping.node
        if (
            not bound_once(mapping)
            or not isinstance(node, ast.Dict)
            or not isinstance(key, ast.Constant)
            or not all(isinstance(written, ast.Constant) for written in node.keys)
        ):
            return None
        found = [
            value
            for written, value in zip(node.keys, node.values, strict=True)
            if isinstance(written, ast.Constant) and written.value == key.value
        ]
        if not found:
            return None
        value = found[-1]  # a key written twice: the last one wins, as Python's dict does
        held = self._items.get(id(value))
        if held is None:
            name = f"{_chained_name(mapping)}[{key.value!r}]"
            held = Binding("value", name, mapping.scope, value, mapping.statement)
            self._items[id(value)] = held
        return held

    def aliased(self, binding: Binding | None, depth: int) -> Binding | None:
        """The router or app a variable bound once to another name of one holds, else ``binding``.

        Only routers and apps (``api_router = router``, ``api = app``): the includes, routes and
        middleware made on either name are one object's, and its key is the first name's.
        Anything else (a settings attribute) stays as bound.
        """
        if (
            not bound_once(binding)
            or not isinstance(binding.node, ast.Name | ast.Attribute)
            or depth >= _MAX_WRAPS
        ):
            return binding
        target = self.binding_of(binding.node, binding.scope, depth + 1)
        # `app = CORSMiddleware(app)` before `application = app`: the app it wraps counts.
        built = None if target is None else unwrapped(target)
        if (
            target is None
            or built is None
            or built.kind != "value"
            or not isinstance(built.node, ast.Call)
            or self.built_role(built.node, built.scope)[0] not in (Role.ROUTER, Role.APP)
        ):
            return binding
        return target

    # --- FastAPI objects ------------------------------------------------------------------------

    def derives_from(self, cls: Binding, matches: Callable[[str], bool], depth: int = 0) -> bool:
        """Whether a class of the package derives from a class whose canonical name ``matches``.

        Directly or through the package's own classes (``pydantic.BaseModel``, ``BaseSettings``).
        """
        node = cls.node
        if not isinstance(node, ast.ClassDef) or depth > _MAX_DEPTH:
            return False
        for base in node.bases:
            qualified = self.qualify(base, cls.scope)
            if qualified is None:
                continue
            canonical, target = self.resolve(qualified)
            if matches(canonical):
                return True
            if (
                target is not None
                and target.kind == "class"
                and self.derives_from(target, matches, depth + 1)
            ):
                return True
        return False

    def class_role(self, qualified: str) -> tuple[Role | None, bool]:
        """Whether a class builds apps or routers, and whether it keeps FastAPI's constructor.

        FastAPI's own classes, their subclasses in the package (followed through any number of
        bases and modules), library classes named ``...Router``, and those the package is seen
        to use as apps (:attr:`app_classes`) count. The second value is
        False when a class of the package defines its own ``__init__`` (its ``prefix`` may then
        differ from the ``prefix=`` argument).
        """
        if qualified in self._roles:
            return self._roles[qualified]
        self._roles[qualified] = (None, True)  # a cycle in the bases resolves to "not FastAPI"
        result: tuple[Role | None, bool] = (None, True)
        canonical, binding = self.resolve(qualified)
        if (
            canonical in APP_CLASSES
            or canonical in VERSIONED_APP_FUNCTIONS
            or canonical in self.app_classes
        ):
            # A versioning wrapper returns a FastAPI app of its own (see `mounts.Versioning`).
            result = (Role.APP, True)
        elif canonical in ROUTER_CLASSES or canonical in LIBRARY_API_ROUTERS:
            result = (Role.ROUTER, True)
        elif binding is not None and binding.kind == "class":
            result = self._class_binding_role(binding)
        elif binding is not None and binding.kind == "value":
            result = self._value_class_role(binding)
        elif self.from_a_library(canonical, binding) and canonical.rpartition(".")[2].endswith(
            ROUTER_SUFFIX
        ):
            result = (Role.ROUTER, True)
        self._roles[qualified] = result
        return result

    def _class_binding_role(self, binding: Binding) -> tuple[Role | None, bool]:
        """The role of a class defined in the package, from its bases."""
        assert isinstance(binding.node, ast.ClassDef)
        own_init = any(
            isinstance(item, FunctionNode)
            and item.name == "__init__"
            and not passes_prefix_through(item)
            for item in binding.node.body
        )
        for base in binding.node.bases:
            base_name = self.qualify(base, binding.scope)
            if base_name is None:
                continue
            role, standard = self.class_role(base_name)
            if role is not None:
                return role, standard and not own_init
        return None, True

    def _value_class_role(self, binding: Binding) -> tuple[Role | None, bool]:
        """A name bound to a class made elsewhere, rather than by a ``class`` statement.

        An alias (``Router = APIRouter``), or the class a function of the package returns
        (``APIRouter = make_router_class(Route)``, the function defining a subclass and returning
        it, or annotated ``-> type[APIRouter]``).
        """
        node = binding.node
        if isinstance(node, ast.Name | ast.Attribute):
            qualified = self.qualify(node, binding.scope)
            return (None, True) if qualified is None else self.class_role(qualified)
        if not isinstance(node, ast.Call):
            return None, True
        qualified = self.qualify(node.func, binding.scope)
        _, factory = self.resolve(qualified) if qualified is not None else (None, None)
        if factory is None or factory.kind != "function":
            return None, True
        function = factory.node
        assert isinstance(function, FunctionNode)
        scope = Scope(function, factory.scope.module, factory.scope)
        for item in _walk_scope(function):
            if not (isinstance(item, ast.Return) and isinstance(item.value, ast.Name)):
                continue
            returned = scope.lookup(item.value.id)
            if returned is not None and returned.kind == "class":
                # A class defined in the function, `class _Router(APIRouter): ...`.
                role = self._class_binding_role(returned)
            else:
                name = self.qualify(item.value, scope)
                role = (None, True) if name is None else self.class_role(name)
            if role[0] is not None:
                return role
        # Else the annotation: `-> type[APIRouter]`.
        annotation = function.returns
        if isinstance(annotation, ast.Subscript):
            base = self.qualify(annotation.value, factory.scope)
            if base is not None and base.rpartition(".")[2] in {"type", "Type"}:
                inner = self.qualify(annotation.slice, factory.scope)
                if inner is not None:
                    return self.class_role(inner)
        return None, True

    def built_role(self, call: ast.Call, scope: Scope) -> tuple[Role | None, bool]:
        """What ``call`` builds: an app or router (directly, or through a factory function).

        Also through ``functools.partial`` of a class (``create_router = partial(APIRouter,
        route_class=LoggingRoute)``, then ``create_router(prefix="/items")``).
        """
        qualified = self.qualify(call.func, scope)
        if qualified is not None:
            role, standard = self.class_role(qualified)
            if role is not None:
                return role, standard
        held = self.partial_of(call.func, scope)
        if held is not None:
            partial, partial_scope = held
            built = self.qualify(partial.args[0], partial_scope)
            if built is None:
                return None, True
            role, standard = self.class_role(built)
            # Arguments bound by position are no keyword the call names.
            return role, standard and len(partial.args) == 1
        if qualified is None:
            return None, True
        _, binding = self.resolve(qualified)
        if binding is None:
            binding = self.method_called(call.func, scope)
        if binding is not None and binding.kind == "function":
            return self.function_role(binding), False
        return None, True

    def partial_of(self, function: ast.expr, scope: Scope) -> tuple[ast.Call, Scope] | None:
        """The ``functools.partial(<callable>, ...)`` call a callee is bound to, and its scope.

        ``create_router = partial(APIRouter, route_class=LoggingRoute)`` bound once (also
        imported), for ``create_router(...)``. None for anything else.
        """
        if isinstance(function, ast.Name):
            local = scope.lookup(function.id)
            if local is None or local.kind not in ("value", "import"):
                return None  # a class or function of the package, a builtin: no partial
        elif not isinstance(function, ast.Attribute):
            return None
        binding = self.binding_of(function, scope)
        if not bound_once(binding) or not isinstance(binding.node, ast.Call):
            return None
        held = binding.node
        if (
            self.qualify(held.func, binding.scope) != "functools.partial"
            or not held.args
            or any(isinstance(argument, ast.Starred) for argument in held.args)
        ):
            return None
        return held, binding.scope

    def method_called(self, func: ast.expr, scope: Scope) -> Binding | None:
        """The method of a class of the package that a call of ``func`` runs, if it is seen.

        Apps are built by class methods as well as by functions: ``Application.create()`` (a
        ``@classmethod`` or ``@staticmethod`` read on the class), ``Application().build()``,
        or ``builder.build()`` with ``builder = Application()`` bound once (any method, read on
        an instance, its class's own or a package base's). The binding's scope is the body of
        the class defining it, as for a function defined there. None for anything else (a
        method of a library's class, an attribute that is no def).
        """
        if not isinstance(func, ast.Attribute):
            return None
        owner, owner_scope, on_class = func.value, scope, True
        if isinstance(owner, ast.Name):
            instance = scope.lookup(owner.id)
            held = call_bound_once(instance)
            if instance is not None and held is not None:
                owner, owner_scope = held, instance.scope
        if isinstance(owner, ast.Call):
            owner, on_class = owner.func, False
        cls = self.defined(owner, owner_scope)
        if cls is None or cls.kind != "class" or not isinstance(cls.node, ast.ClassDef):
            return None
        # A subclass runs its base's method unless it defines its own (nearest first).
        for defining in self.lineage(cls):
            assert isinstance(defining.node, ast.ClassDef)
            for statement in defining.node.body:
                if not (isinstance(statement, FunctionNode) and statement.name == func.attr):
                    continue
                if on_class and not static_or_class(statement):
                    return None  # `Application.build()` would need the instance passed by hand
                return method_binding(defining, statement)
        return None

    def function_role(self, binding: Binding) -> Role | None:
        """What a function returns: an app, a router, or neither (as far as can be seen)."""
        function = binding.node
        assert isinstance(function, FunctionNode)
        key = id(function)
        if key in self._returns:
            return self._returns[key]
        self._returns[key] = None
        scope = Scope(function, binding.scope.module, binding.scope)
        role: Role | None = None
        if function.returns is not None:
            role = self.annotation_role(function.returns, binding.scope)
        if role is None:
            for node in _walk_scope(function):
                if isinstance(node, ast.Return) and node.value is not None:
                    role = self.expression_role(node.value, scope) or self._wrapped_role(
                        node.value, scope
                    )
                    if role is not None:
                        break
        self._returns[key] = role
        return role

    def _wrapped_role(self, expression: ast.expr, scope: Scope) -> Role | None:
        """The role of what a returned name held before a wrapper of it took the name.

        ``app = FastAPI()``, ``app = gr.mount_gradio_app(app, ui, path="/ui")`` (also in an
        ``if``), ``return app``: the factory hands out the app, or a wrapper serving it, as a
        module-level app rebound so is (see :func:`unwrapped`).
        """
        binding = scope.lookup(expression.id) if isinstance(expression, ast.Name) else None
        if binding is None:
            return None
        inner = unwrapped(binding)
        if inner is binding or not isinstance(inner.node, ast.Call):
            return None
        return self.built_role(inner.node, inner.scope)[0]

    def app_router_prefix(self, app: Binding, scope: Scope, line: int) -> str | None:
        """The prefix ``<app>.router.prefix = "/api"`` gives what is declared on the app after it.

        FastAPI's router prepends its own ``prefix`` to each route added to it, the routes of the
        routers the app includes among them, from then on. Only assignments in ``scope`` (the one
        the route or include is made in) before ``line`` count; the last one wins. "" when there
        is none, None when its value is not known statically.
        """
        assigned = self.assigned_prefixes(app, scope, line, through_router=True)
        return self.string_value(assigned[-1], scope) if assigned else ""

    def assigned_prefixes(
        self, owner: Binding, scope: Scope, line: int, *, through_router: bool = False
    ) -> list[ast.expr]:
        """The values ``<owner>.prefix = ...`` assigns in ``scope`` before ``line``, in order.

        ``router.prefix = "/items"`` after ``router = APIRouter()``: the routes declared on it
        from then on get it (FastAPI reads the prefix when a route is added). With
        ``through_router``, ``<owner>.router.prefix`` (an app's router).
        """
        assignments = self._prefix_assignments.get(scope.node)
        if assignments is None:
            assignments = self._prefix_assignments[scope.node] = [
                (statement, target.value)
                for statement in block_statements(list(getattr(scope.node, "body", [])))
                if isinstance(statement, ast.Assign)
                for target in statement.targets
                if isinstance(target, ast.Attribute) and target.attr == "prefix"
            ]
        values: list[ast.expr] = []
        for statement, target in assignments:
            if statement.lineno >= line:
                continue
            held = target
            if through_router:
                if not (isinstance(held, ast.Attribute) and held.attr == APP_ROUTER):
                    continue
                held = held.value
            found = self.binding_of(held, scope)
            if found is not None and unwrapped(found).node is owner.node:
                values.append(statement.value)
        return values

    def app_key(self, binding: Binding | None, depth: int = 0) -> tuple[str, str] | None:
        """Which app a variable built as one holds (``api = FastAPI()``), else None.

        A module-level app is ``(module, name)``; one built in a function (an app factory) also
        names the function's line, so that the routes, ``include_router`` and ``mount`` calls
        of that function agree on it. A variable assigned a factory's result
        (``api = build_api()``) holds the app the factory builds, in the variable it returns.
        """
        binding = self.handed_back(self.aliased(binding, depth))  # `api = app`: the app's own
        key = self._variable_key(binding, Role.APP)
        if key is None:
            return None
        assert binding is not None and isinstance(binding.node, ast.Call)
        return self.factory_app(binding.node, binding.scope, depth) or key

    def router_key(self, binding: Binding | None) -> tuple[str, str] | None:
        """Which router a variable built as one holds (``api_router = APIRouter()``), else None.

        Named as :meth:`app_key` names apps: a router built in a function (``def
        include_routers(app): v1 = APIRouter(); v1.include_router(...)``) names the function's
        line, so the ``include_router`` calls of that function agree on it. A variable assigned
        a factory's result (``api_router = get_api_router()``) is a router of its own, into
        which the factory's is taken to be included (see ``mounts``): a factory called twice
        builds two routers.
        """
        return self._variable_key(self.handed_back(binding), Role.ROUTER)

    def declared_app(self, binding: Binding | None) -> TypeGuard[Binding]:
        """Whether a variable is the one a factory declared to return an app returns.

        ``def create_app() -> FastAPI: app = AppContainer.app_factory.resolve_sync(); ...;
        return app``: a dependency-injection container's provider (or a library's builder)
        makes the app where ``FastAPI(...)`` is not seen; the annotation says what the
        variable, bound once and the only one the function returns, holds.
        """
        if not bound_once(binding):
            return False
        function = binding.scope.node
        if not isinstance(function, FunctionNode) or function.returns is None:
            return False
        outer = binding.scope.parent or binding.scope
        if self.annotation_role(function.returns, outer) is not Role.APP:
            return False
        returned = [node for node in _walk_scope(function) if isinstance(node, ast.Return)]
        return bool(returned) and all(
            isinstance(node.value, ast.Name) and node.value.id == binding.name for node in returned
        )

    def handed_back(self, binding: Binding | None) -> Binding | None:
        """What a name held before it was rebound to a helper's call handing it back, else itself.

        ``app = FastAPI()``, then ``app = configure(app)`` (see :meth:`passed_through`): one
        object under both assignments, built by the first.
        """
        if (
            binding is None
            or binding.kind != "value"
            or not isinstance(binding.node, ast.Call)
            or self.passed_through(binding.node, binding.scope) is None
        ):
            return binding
        return unwrapped(binding)

    def _variable_key(self, binding: Binding | None, role: Role) -> tuple[str, str] | None:
        """``(module, name)`` of a variable built as ``role``; in a function, with its line."""
        if (
            binding is None
            or binding.kind != "value"
            or binding.scope.is_class
            or not isinstance(binding.node, ast.Call)
        ):
            return None
        if self.built_role(binding.node, binding.scope)[0] is not role and not (
            role is Role.APP and self.declared_app(binding)
        ):
            return None
        name = _chained_name(binding)
        if binding.scope.parent is None:
            return binding.scope.module.name, name
        line = getattr(binding.scope.node, "lineno", 0)
        return binding.scope.module.name, f"{name} in the function of line {line}"

    def factory_router(self, call: ast.Call, scope: Scope) -> tuple[str, str] | None:
        """The router (see :meth:`router_key`) a call of a function of the package returns.

        ``app.include_router(build_api_router())`` with ``def build_api_router(): router =
        APIRouter(); ...; return router`` (or a router it imports, or a second name of one).
        None when ``call`` calls no function of the package, or one returning anything but one
        router held in a variable.
        """
        found = self._returned(call, scope)
        if found is None:
            return None
        inner, values = found
        # A name the function imports (`from app.router import router`, inside it, to run
        # after some set-up) is that module's router.
        keys = {
            self.router_key(self.binding_of(value, inner)) if isinstance(value, ast.Name) else None
            for value in values
        }
        return keys.pop() if len(keys) == 1 else None

    def factory_app(self, call: ast.Call, scope: Scope, depth: int = 0) -> tuple[str, str] | None:
        """The app (see :meth:`app_key`) a call of a factory function of the package returns.

        None when ``call`` calls no function of the package, or one that does not return an
        app it builds in a variable (``return FastAPI()`` builds one no other code names). A
        factory returning another's result (``return create_server()``) returns that app.
        """
        if depth > _MAX_DEPTH:
            return None
        found = self._returned(call, scope)
        if found is None:
            return None
        inner, values = found
        keys = {
            self.app_key(inner.lookup(value.id), depth + 1)
            for value in values
            if isinstance(value, ast.Name)
        }
        for value in values:
            if isinstance(value, ast.Call):
                returned = self.factory_app(value, inner, depth + 1)
                if returned is not None:
                    keys.add(returned)
        return keys.pop() if len(keys) == 1 else None

    def _returned(self, call: ast.Call, scope: Scope) -> tuple[Scope, list[ast.expr | None]] | None:
        """The scope of the package's function ``call`` calls, and what its returns return."""
        factory = self.defined(call.func, scope)
        if factory is None:
            factory = self.method_called(call.func, scope)  # `Application.create()`
        if factory is not None and factory.kind == "class":
            # `class IncludeAPIRouter: def __new__(cls): ...; return router`: the call is what
            # its `__new__` returns (an object of another class, so no `__init__` runs on it).
            cls = factory.node
            assert isinstance(cls, ast.ClassDef)
            new = next(
                (
                    statement
                    for statement in cls.body
                    if isinstance(statement, FunctionNode) and statement.name == "__new__"
                ),
                None,
            )
            if new is None:
                return None
            body = Scope(cls, factory.scope.module, factory.scope)
            inner = Scope(new, factory.scope.module, body)
            return inner, [node.value for node in _walk_scope(new) if isinstance(node, ast.Return)]
        if factory is None or factory.kind != "function":
            return None
        function = factory.node
        assert isinstance(function, FunctionNode)
        inner = Scope(function, factory.scope.module, factory.scope)
        return inner, [node.value for node in _walk_scope(function) if isinstance(node, ast.Return)]

    def expression_role(self, expression: ast.expr, scope: Scope, depth: int = 0) -> Role | None:
        """What an expression evaluates to: a call that builds one, or a name bound to one.

        A call of a helper handing back what it is given (``configure(app)``, see
        :meth:`passed_through`) is what it is given; a name rebound to such a call (``app =
        configure(app)``) holds what it held before (see :func:`unwrapped`).
        """
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expression, ast.Call):
            role = self.built_role(expression, scope)[0]
            passed = None if role is not None else self.passed_through(expression, scope)
            return role if passed is None else self.expression_role(passed, scope, depth + 1)
        if isinstance(expression, ast.Name):
            binding = scope.lookup(expression.id)
            if binding is not None and binding.kind == "value" and binding.node is not None:
                binding = unwrapped(binding)
                assert isinstance(binding.node, ast.expr)
                if isinstance(binding.node, ast.Call):
                    return self.expression_role(binding.node, binding.scope, depth + 1)
        return None

    def passed_through(self, call: ast.Call, scope: Scope) -> ast.expr | None:
        """The argument ``call`` evaluates to, when it calls a helper that hands it back.

        ``def configure(app): app.include_router(...); return app``: every ``return`` of the
        function returns that parameter, never rebound, so ``configure(app)`` is ``app`` (the
        idiom ``app = configure(app)``). None for any other call.
        """
        target = self.defined(call.func, scope)
        if target is None or target.kind != "function":
            return None
        function = target.node
        assert isinstance(function, FunctionNode)
        parameter = returned_parameter(function)
        if parameter is None:
            return None
        arguments = function.args
        positional = [argument.arg for argument in [*arguments.posonlyargs, *arguments.args]]
        position = positional.index(parameter) if parameter in positional else None
        return call_argument(call, position, parameter)

    def annotation_role(self, annotation: ast.expr, scope: Scope) -> Role | None:
        """The role of an annotation's class (``APIRouter``, ``Annotated[APIRouter, ...]``).

        Of a union (``APIRouter | None``, ``Optional[APIRouter]``, ``Union[...]``), the one role
        its classes with a role share; None when they have two (``APIRouter | FastAPI``).
        """
        members = self._union_members(annotation, scope)
        if members is not None:
            roles = {self.annotation_role(member, scope) for member in members} - {None}
            return roles.pop() if len(roles) == 1 else None
        named = self._annotated_class(annotation, scope)
        qualified = None if named is None else self.qualify(named, scope)
        return None if qualified is None else self.class_role(qualified)[0]

    def annotation_class(self, annotation: ast.expr, scope: Scope) -> Binding | None:
        """The class of the package an annotation names (``"RESTfulAPI"``, ``Annotated[...]``)."""
        named = self._annotated_class(annotation, scope)
        cls = None if named is None else self.defined(named, scope)
        return cls if cls is not None and cls.kind == "class" else None

    def _union_members(self, annotation: ast.expr, scope: Scope) -> list[ast.expr] | None:
        """The members of a union annotation (``A | B``, ``Union[A, B]``, ``Optional[A]``)."""
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                parsed = ast.parse(annotation.value, mode="eval").body
            except PARSE_ERRORS:
                return None
            return self._union_members(parsed, scope)
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            return [annotation.left, annotation.right]
        if isinstance(annotation, ast.Subscript):
            base = self.qualify(annotation.value, scope)
            if base is not None and base.rpartition(".")[2] in ("Union", "Optional"):
                inner = annotation.slice
                return list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        return None

    def _annotated_class(self, annotation: ast.expr, scope: Scope) -> ast.expr | None:
        """The class an annotation names: ``X`` of ``X``, ``"X"`` or ``Annotated[X, ...]``."""
        if isinstance(annotation, ast.Subscript):
            base = self.qualify(annotation.value, scope)
            if base is not None and base.rpartition(".")[2] == "Annotated":
                inner = annotation.slice
                if isinstance(inner, ast.Tuple) and inner.elts:
                    return self._annotated_class(inner.elts[0], scope)
            return None
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                parsed = ast.parse(annotation.value, mode="eval").body
            except PARSE_ERRORS:
                return None
            return self._annotated_class(parsed, scope)
        return annotation

    # --- constants ------------------------------------------------------------------------------

    def class_constant(
        self, expression: ast.Attribute, scope: Scope
    ) -> tuple[ast.expr, Scope] | None:
        """``Paths.API`` for a plain class of the package (no bases) assigning ``API`` once.

        A class with bases may be an enum (whose members are not their values) or a model.
        """
        owner = self.binding_of(expression.value, scope)
        if owner is None or owner.kind != "class":
            return None
        cls = owner.node
        assert isinstance(cls, ast.ClassDef)
        if cls.bases or cls.keywords:
            return None
        value = assigned_once(cls, expression.attr)
        if value is None or self.assigned_attribute(owner.scope.module, cls, expression.attr):
            return None
        return value, Scope(cls, owner.scope.module, owner.scope)

    def _enum_member(
        self, expression: ast.Attribute, scope: Scope
    ) -> tuple[ast.expr, Scope, frozenset[str]] | None:
        """``Paths.ONE`` of an enum class of the package: the value it assigns, and the bases.

        Only a class whose bases are ``enum.Enum``/``enum.StrEnum`` (and the builtin ``str``),
        assigning the (public) member once; the bases tell where the member is its value.
        """
        owner = self.binding_of(expression.value, scope)
        if owner is None or owner.kind != "class" or expression.attr.startswith("_"):
            return None
        cls = owner.node
        assert isinstance(cls, ast.ClassDef)
        if cls.keywords:
            return None
        bases: set[str] = set()
        for base in cls.bases:
            if (
                isinstance(base, ast.Name)
                and base.id == "str"
                and owner.scope.lookup("str") is None
            ):
                bases.add("str")
                continue
            qualified = self.qualify(base, owner.scope)
            canonical = None if qualified is None else self.resolve(qualified)[0]
            if canonical not in _ENUM_BASES:
                return None
            bases.add(canonical)
        if not bases & _ENUM_BASES:
            return None
        value = assigned_once(cls, expression.attr)
        if value is None:
            return None
        return value, Scope(cls, owner.scope.module, owner.scope), frozenset(bases)

    def _enum_value(self, expression: ast.Attribute, scope: Scope) -> tuple[ast.expr, Scope] | None:
        """What ``Paths.ONE.value`` holds, or ``Paths.ONE`` of a string enum used as a string.

        A member of a ``(str, Enum)`` or ``StrEnum`` class is a ``str`` (FastAPI joins it to its
        prefixes as one); of another enum, only its ``.value`` is.
        """
        if expression.attr == "value" and isinstance(expression.value, ast.Attribute):
            member = self._enum_member(expression.value, scope)
            return None if member is None else (member[0], member[1])
        member = self._enum_member(expression, scope)
        if member is None or not member[2] & {"str", "enum.StrEnum"}:
            return None
        return member[0], member[1]

    def _formats_as_name(self, expression: ast.expr, scope: Scope) -> bool:
        """Whether an f-string shows this enum member as ``Paths.ONE`` on some Python.

        Formatting gives the value only for a ``StrEnum`` member: a ``(str, Enum)`` member
        formats as its value on old Pythons and as its name on current ones.
        """
        if not isinstance(expression, ast.Attribute):
            return False
        member = self._enum_member(expression, scope)
        return member is not None and "enum.StrEnum" not in member[2]

    def string_value(
        self,
        expression: ast.expr | None,
        scope: Scope,
        depth: int = 0,
        fallback: Callable[[ast.expr, Scope], str | None] | None = None,
    ) -> str | None:
        """The value of a string known without running code, else None.

        Literals, f-strings, ``+`` of known strings and ``%s`` formatting of them, a conditional
        expression whose test is a known string, and names (also imported ones) bound to such a
        value. ``fallback`` is asked for a call
        (``os.getenv("PREFIX", "/api")``), an ``and``/``or`` (``os.getenv("PREFIX") or
        "/api"``) and for a name or attribute bound to nothing the package defines as a value
        (an attribute of an object: ``settings.API_V1_STR``).
        """
        if expression is None or depth > _MAX_DEPTH:
            return None
        if isinstance(expression, ast.Constant):
            return expression.value if isinstance(expression.value, str) else None
        folds = self._folds
        outermost = folds is None
        if folds is None:
            folds = self._folds = {}
        key = (id(expression), id(scope), depth, id(fallback))
        try:
            held = folds.get(key)
            if held is None:
                value = self._folded(expression, scope, depth, fallback)
                held = folds[key] = (expression, scope, fallback, value)
            return held[3]
        finally:
            if outermost:
                self._folds = None

    def _folded(
        self,
        expression: ast.expr,
        scope: Scope,
        depth: int,
        fallback: Callable[[ast.expr, Scope], str | None] | None,
    ) -> str | None:
        """What :meth:`string_value` folds ``expression`` to, not asked before in this fold."""
        if isinstance(expression, ast.Constant):
            return expression.value if isinstance(expression.value, str) else None
        if isinstance(expression, ast.JoinedStr):
            parts: list[str] = []
            for value in expression.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(value.value)
                elif (
                    isinstance(value, ast.FormattedValue)
                    and value.conversion == -1
                    and value.format_spec is None
                    and not self._formats_as_name(value.value, scope)
                ):
                    inner = self.string_value(value.value, scope, depth + 1, fallback)
                    if inner is None:
                        return None
                    parts.append(inner)
                    if sum(map(len, parts)) > _MAX_FOLDED:
                        return None
                else:
                    return None
            return "".join(parts) if sum(map(len, parts)) <= _MAX_FOLDED else None
        if isinstance(expression, ast.BinOp) and isinstance(expression.op, ast.Add):
            left = self.string_value(expression.left, scope, depth + 1, fallback)
            right = self.string_value(expression.right, scope, depth + 1, fallback)
            if left is None or right is None or len(left) + len(right) > _MAX_FOLDED:
                return None
            return left + right
        if isinstance(expression, ast.BinOp) and isinstance(expression.op, ast.Mod):
            # `"/%s/x" % VAULT`, `"%s/%s" % (a, b)`: old-style formatting of known strings.
            template = self.string_value(expression.left, scope, depth + 1, fallback)
            operand = expression.right
            items = operand.elts if isinstance(operand, ast.Tuple) else [operand]
            values = self._formatted_values(items, scope, depth, fallback)
            return None if template is None or values is None else _percent_s(template, values)
        if (
            isinstance(expression, ast.Name)
            and expression.id in _MODULE_NAMES
            and scope.lookup(expression.id) is None
        ):
            # `importlib.import_module(__name__)`: the module's own name, as the app imports it.
            module = scope.module
            return module.name if expression.id == "__name__" else module.package
        if isinstance(expression, ast.Attribute) and expression.attr == "__name__":
            # `users.__name__` of a module the package imports: its dotted name, as imported.
            imported = self.binding_of(expression.value, scope)
            if imported is not None and imported.kind == "module":
                return imported.name
        if isinstance(expression, ast.Name | ast.Attribute):
            binding = self.binding_of(expression, scope)
            # A name bound more than once held which value when? Not known without running.
            if bound_once(binding):
                assert isinstance(binding.node, ast.expr)
                return self.string_value(binding.node, binding.scope, depth + 1, fallback)
            if binding is None and isinstance(expression, ast.Attribute):
                constant = (
                    self.class_constant(expression, scope)
                    or self._enum_value(expression, scope)
                    or _instance_constant(expression, scope)
                )
                if constant is not None:
                    return self.string_value(constant[0], constant[1], depth + 1, fallback)
            if binding is None and fallback is not None:
                return fallback(expression, scope)
        if isinstance(expression, ast.IfExp):
            # `"/" + name if name else ""`: a test that is a known string picks its branch.
            test = self.string_value(expression.test, scope, depth + 1, fallback)
            if test is None:
                return None
            chosen = expression.body if test else expression.orelse
            return self.string_value(chosen, scope, depth + 1, fallback)
        if isinstance(expression, ast.Call):
            changed = self._string_method(expression, scope, depth, fallback)
            if changed is None:
                changed = self._str_format(expression, scope, depth, fallback)
            if changed is not None:
                return changed
        if isinstance(expression, ast.Subscript) and isinstance(expression.value, ast.Call):
            # `name.split(".")[-1]`, `name.rpartition(".")[2]`: one part of a known string.
            split = self._split_parts(expression.value, scope, depth, fallback)
            at = _literal_int(expression.slice)
            if split is not None and at is not None and -len(split) <= at < len(split):
                return split[at]
        if isinstance(expression, ast.Subscript) and isinstance(expression.slice, ast.Slice):
            # `name[:-3]` of a folder's entry `items.py`: a slice of literal bounds.
            bounds = _slice_bounds(expression.slice)
            if all(bound is None or _literal_int(bound) is not None for bound in bounds):
                held = self.string_value(expression.value, scope, depth + 1, fallback)
                if held is not None:
                    try:
                        return held[slice(*(_literal_int(bound) for bound in bounds))]
                    except ValueError:  # a step of 0: Python raises, nothing is known
                        return None
        if isinstance(expression, ast.Call | ast.BoolOp) and fallback is not None:
            return fallback(expression, scope)
        return None

    def _string_method(
        self,
        call: ast.Call,
        scope: Scope,
        depth: int,
        fallback: Callable[[ast.expr, Scope], str | None] | None,
    ) -> str | None:
        """A known string's method returning a string, given known strings (``m.upper()``).

        ``methods=[m.upper()]`` over ``("get", "post")``, ``prefix.rstrip("/")``: only the
        methods of :data:`_STRING_METHODS`, with as many arguments as they take, all known.
        """
        function = call.func
        if not isinstance(function, ast.Attribute) or call.keywords:
            return None
        arguments = _STRING_METHODS.get(function.attr)
        if arguments is None or len(call.args) not in arguments:
            return None
        value = self.string_value(function.value, scope, depth + 1, fallback)
        if value is None:
            return None
        given: list[str] = []
        for argument in call.args:
            known = self.string_value(argument, scope, depth + 1, fallback)
            if known is None:
                return None
            given.append(known)
        if function.attr == "replace" and (
            len(value) + value.count(given[0]) * (len(given[1]) - len(given[0])) > _MAX_FOLDED
        ):
            return None  # `X.replace("x", X)` squares the length: counted before it is built
        changed: str = getattr(value, function.attr)(*given)
        # `upper()` and the like grow a string by a few characters at most (`ß` to `SS`).
        return changed if len(changed) <= _MAX_FOLDED else None

    def _formatted_values(
        self,
        values: list[ast.expr],
        scope: Scope,
        depth: int,
        fallback: Callable[[ast.expr, Scope], str | None] | None,
    ) -> list[str] | None:
        """The known strings ``values`` format as (``%s``, ``str.format``), else None.

        None when one is not known, or is an enum member formatting as its name on some Python
        (as an f-string may show it, see :meth:`_formats_as_name`).
        """
        known: list[str] = []
        for value in values:
            if self._formats_as_name(value, scope):
                return None
            folded = self.string_value(value, scope, depth + 1, fallback)
            if folded is None:
                return None
            known.append(folded)
        return known

    def _str_format(
        self,
        call: ast.Call,
        scope: Scope,
        depth: int,
        fallback: Callable[[ast.expr, Scope], str | None] | None,
    ) -> str | None:
        """``"/{}/register".format(API_VERSION)``: a known template filled with known strings.

        As ``%s`` formatting is read: only plain fields (``{}``, ``{0}``, ``{name}``: no
        conversion, format spec, attribute or item), each given a known string that is not a
        member formatting as its name; a field left without a value, as Python would raise,
        gives None.
        """
        function = call.func
        if (
            not isinstance(function, ast.Attribute)
            or function.attr != "format"
            or any(isinstance(argument, ast.Starred) for argument in call.args)
            or any(keyword.arg is None for keyword in call.keywords)
        ):
            return None
        template = self.string_value(function.value, scope, depth + 1, fallback)
        if template is None:
            return None
        try:
            fields = [field[1:] for field in string.Formatter().parse(template)]
        except ValueError:  # an unmatched brace: Python raises
            return None
        for name, spec, conversion in fields:
            if name is not None and (
                spec or conversion or not (name == "" or name.isdecimal() or name.isidentifier())
            ):  # `isdecimal`, as `format` reads a position: `{²}` is a digit but no number
                return None
        arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
        known = self._formatted_values(arguments, scope, depth, fallback)
        if known is None:
            return None
        positional = known[: len(call.args)]
        named = {
            str(keyword.arg): value
            for keyword, value in zip(call.keywords, known[len(call.args) :], strict=True)
        }
        if _formatted_length(template, positional, named) > _MAX_FOLDED:
            return None  # counted before `format` builds it: a template may repeat a field
        try:
            return template.format(*positional, **named)
        except (IndexError, KeyError, ValueError):  # a field without a value, mixed numbering
            return None

    def _split_parts(
        self,
        call: ast.Call,
        scope: Scope,
        depth: int,
        fallback: Callable[[ast.expr, Scope], str | None] | None,
    ) -> list[str] | None:
        """The parts a known string's ``split``/``rsplit``/``partition``/``rpartition`` gives.

        Given a known separator (``split`` and ``rsplit`` also none: whitespace) and, for the
        first two, a literal ``maxsplit``; None for anything else.
        """
        function = call.func
        if not isinstance(function, ast.Attribute) or call.keywords:
            return None
        takes = _SPLIT_METHODS.get(function.attr)
        if takes is None or len(call.args) not in takes:
            return None
        value = self.string_value(function.value, scope, depth + 1, fallback)
        if value is None:
            return None
        given: list[str | int | None] = []
        for position, argument in enumerate(call.args):
            if position == 1:  # maxsplit
                count = _literal_int(argument)
                if count is None:
                    return None
                given.append(count)
                continue
            if isinstance(argument, ast.Constant) and argument.value is None and position == 0:
                if function.attr not in ("split", "rsplit"):
                    return None  # `partition(None)` raises
                given.append(None)
                continue
            separator = self.string_value(argument, scope, depth + 1, fallback)
            if not separator:  # unknown, or "": Python raises on an empty separator
                return None
            given.append(separator)
        parts: list[str] | tuple[str, ...] = getattr(value, function.attr)(*given)
        return list(parts)


def _slice_bounds(written: ast.Slice) -> tuple[ast.expr | None, ast.expr | None, ast.expr | None]:
    return written.lower, written.upper, written.step


def _literal_int(bound: ast.expr | None) -> int | None:
    """The integer a slice bound is written as (``-3``); None when left out or not a literal."""
    if bound is None:
        return None
    negative = isinstance(bound, ast.UnaryOp) and isinstance(bound.op, ast.USub)
    number = bound.operand if isinstance(bound, ast.UnaryOp) and negative else bound
    if not isinstance(number, ast.Constant) or type(number.value) is not int:
        return None
    return -number.value if negative else number.value


#: The methods of ``str`` splitting it, with the numbers of arguments they take.
_SPLIT_METHODS: dict[str, frozenset[int]] = {
    **dict.fromkeys(("split", "rsplit"), frozenset({0, 1, 2})),
    **dict.fromkeys(("partition", "rpartition"), frozenset({1})),
}

#: The methods of ``str`` returning a string, with the numbers of (string) arguments they take.
_STRING_METHODS: dict[str, frozenset[int]] = {
    **dict.fromkeys(("upper", "lower", "casefold", "title", "capitalize"), frozenset({0})),
    **dict.fromkeys(("strip", "lstrip", "rstrip"), frozenset({0, 1})),
    **dict.fromkeys(("removeprefix", "removesuffix"), frozenset({1})),
    "replace": frozenset({2}),
}


# An attribute assigned (``x.name =``, ``x.name += ``, ``x.name: T =``) or set by
# ``setattr(x, "name", ...)``, as a text probe finds it: the name is the one group matched.
_ATTRIBUTE_STORE = (
    r"\.\s*(\w+)\s*(?::[^=\n]*)?(?://|\*\*|<<|>>|[-+*/%@&|^])?=(?!=)"
    r"|\bsetattr\s*\([^,]*,\s*[rRuU]?[\"'](\w+)[\"']"
)
# A key of a namespace's dict (``globals()["name"] = ...``, ``m.__dict__["name"]``), or the
# arguments of its ``update(...)``; looked for only in a text naming such a dict.
_NAMESPACE_DICT = r"(?:\b(?:globals|vars)\s*\([^)]*\)|__dict__)\s*"
_NAMESPACE_KEY = _NAMESPACE_DICT + r"\[\s*[rRuU]?[\"'](\w+)[\"']"
_NAMESPACE_WORDS = ("globals(", "vars(", "__dict__")
# A target list or loop target holding attributes (``flags.A, flags.B = ...``, ``for m.X in``,
# ``with ... as m.X``): the groups are the targets, whose attribute names are read out of them.
# Possessive runs (Python 3.11): a line is read once, without backtracking over its words.
_TARGET_LIST = (
    r"(?m)^[ \t]*+(?:([(\[]?[\w.*]++[ \t]*+,[^=\n]*+)=(?!=)"
    r"|(?:async[ \t]++)?for[ \t]++([^\n]*?)[ \t]in\b)"
    r"| as[ \t]++(\w++(?:\.\w++)++)"
)
# ``globals().update(name=..., ...)`` (also ``vars(m)``, ``m.__dict__``): the arguments.
_NAMESPACE_UPDATE = _NAMESPACE_DICT + r"\.\s*update\s*\(([^)]*)"


def _assigned_words(text: str) -> frozenset[str]:
    """The attribute names ``text`` may assign (see :data:`_ATTRIBUTE_STORE`); a superset."""
    if "=" not in text and "setattr" not in text and "update" not in text and "for" not in text:
        return frozenset()
    words = {stored or named for stored, named in re.findall(_ATTRIBUTE_STORE, text)}
    for targets in re.findall(_TARGET_LIST, text):
        words.update(re.findall(r"\.\s*(\w+)", "".join(targets)))
    if any(word in text for word in _NAMESPACE_WORDS):
        words.update(re.findall(_NAMESPACE_KEY, text))
        for arguments in re.findall(_NAMESPACE_UPDATE, text):
            for keyword, key in re.findall(r"(\w+)\s*=|[\"'](\w+)[\"']\s*:", arguments):
                words.add(keyword or key)
    return frozenset(words)


def _attribute_targets(model: ModuleModel, name: str) -> Iterator[tuple[ast.expr, Scope]]:
    """Each object a module assigns ``name`` as an attribute of, with the scope it runs in.

    ``flags`` of ``flags.PREFIXED = True`` (or ``+=``, ``: bool =``, ``setattr(flags,
    "PREFIXED", True)``). Only the definitions spanning a line that holds ``name`` are entered.
    """
    lines = model._lines_holding(name)
    if not lines:
        return

    def spans(node: ast.AST) -> bool:
        start = getattr(node, "lineno", 0)
        at = bisect.bisect_left(lines, start)
        return at < len(lines) and lines[at] <= (getattr(node, "end_lineno", None) or start)

    pending = [model.scope]
    while pending:
        scope = pending.pop()
        for node in _walk_scope(scope.node):
            if isinstance(node, DEFINITIONS):
                if spans(node):
                    pending.append(Scope(node, model, scope))
            elif (
                isinstance(node, ast.Attribute)
                and node.attr == name
                and isinstance(node.ctx, ast.Store)
            ):
                yield node.value, scope
            elif (
                calls_builtin(node, scope, "setattr")
                and len(node.args) == 3
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value == name
            ):
                yield node.args[0], scope
            elif (
                isinstance(node, ast.Subscript)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.slice, ast.Constant)
                and node.slice.value == name
            ):
                # `globals()["PREFIX"] = ...`, `vars(flags)["X"] = ...`, `Config.__dict__[...]`.
                held = _namespace_of_dict(node.value, scope)
                if held is not None:
                    yield held, scope
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "update"
                and _updates_key(node, name)
            ):
                # `globals().update(PREFIX="/v2")`, `globals().update({"PREFIX": "/v2"})`.
                held = _namespace_of_dict(node.func.value, scope)
                if held is not None:
                    yield held, scope


def _instance_constant(expression: ast.Attribute, scope: Scope) -> tuple[ast.expr, Scope] | None:
    """``self.prefix`` read in a method after its own ``self.prefix = "/items"``: that value.

    ``def __init__(self): self.prefix = "/items"; self.router = APIRouter(prefix=self.prefix)``.
    Only a plain assignment among the method's own statements (no branch or loop around it),
    the class writing the attribute nowhere else (no other method, ``setattr`` or target
    list), and no statement between the two handing the instance to code that might rebind
    it (``self.configure()``, ``super().__init__()``, ``setup(self)``).
    """
    method = scope.node
    cls = None if scope.parent is None else scope.parent.node
    own = instance_parameter(scope)
    if (
        own is None
        or not isinstance(method, FunctionNode)
        or not isinstance(cls, ast.ClassDef)
        or not isinstance(expression.value, ast.Name)
        or expression.value.id != own
    ):
        return None
    attribute = expression.attr
    if any(
        # A property or another descriptor of that name: assigning the attribute runs its
        # setter, and reading it its getter (`@property def prefix`, `prefix = property(...)`).
        (isinstance(item, FunctionNode) and item.name == attribute)
        or (
            isinstance(item, ast.Assign)
            and isinstance(item.value, ast.Call)
            and any(isinstance(t, ast.Name) and t.id == attribute for t in item.targets)
        )
        for item in cls.body
    ):
        return None
    written = [
        node
        for item in cls.body
        if isinstance(item, FunctionNode)
        for node in ast.walk(item)
        if (
            isinstance(node, ast.Attribute)
            and node.attr == attribute
            and isinstance(node.ctx, ast.Store | ast.Del)
        )
        or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("setattr", "delattr")
            and len(node.args) >= 2
            and not (isinstance(node.args[1], ast.Constant) and node.args[1].value != attribute)
        )
    ]
    if len(written) != 1:
        return None
    line = expression.lineno
    assigned: tuple[int, ast.expr] | None = None
    for at, statement in enumerate(method.body):
        if statement.lineno <= line <= (statement.end_lineno or line):
            if assigned is None:
                return None
            between = method.body[assigned[0] + 1 : at]
            if any(_hands_on(node, own) for item in between for node in ast.walk(item)):
                return None
            return assigned[1], scope
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and statement.targets[0] is written[0]
        ):
            assigned = at, statement.value
    return None


def _hands_on(node: ast.AST, instance: str) -> bool:
    """Whether ``node`` is a call that may run code on ``instance`` (or calls ``super()``)."""
    if not isinstance(node, ast.Call):
        return False
    if isinstance(node.func, ast.Name) and node.func.id == "super":
        return True
    return any(
        isinstance(name, ast.Name) and name.id == instance
        for part in (node.func, *node.args, *(keyword.value for keyword in node.keywords))
        for name in ast.walk(part)
    )


def _namespace_of_dict(expression: ast.expr, scope: Scope) -> ast.expr | None:
    """The namespace whose dict ``expression`` is: ``globals()`` itself, ``m`` of ``vars(m)``.

    ``vars()`` with no argument (the module's at its top level), and ``m.__dict__``. None for
    any other expression.
    """
    if calls_builtin(expression, scope, "globals") and not expression.args:
        return expression
    if calls_builtin(expression, scope, "vars") and len(expression.args) <= 1:
        return expression.args[0] if expression.args else expression
    if isinstance(expression, ast.Attribute) and expression.attr == "__dict__":
        return expression.value
    return None


def _updates_key(call: ast.Call, name: str) -> bool:
    """Whether ``<dict>.update(...)`` sets ``name``: as a keyword, a dict key, or unknown keys."""
    for keyword in call.keywords:
        if keyword.arg is None or keyword.arg == name:
            return True
    for argument in call.args:
        if not isinstance(argument, ast.Dict):
            return True  # `update(other)`: which keys, only known at run time
        for key in argument.keys:
            if key is None or not isinstance(key, ast.Constant) or key.value == name:
                return True
    return False


def _receiver_class(owner: ast.expr, scope: Scope) -> ast.ClassDef | None:
    """The class ``owner`` is in a method of it: ``cls`` of a class method, ``type(self)``.

    ``cls`` is the first parameter of a ``@classmethod`` (also of ``__new__``, which runs on
    the class undecorated; ``__init_subclass__`` runs on subclasses only, whose attributes
    are their own); ``type(self)`` and ``self.__class__`` read the instance parameter of an
    instance method. None otherwise.
    """
    if calls_builtin(owner, scope, "type") and len(owner.args) == 1 and not owner.keywords:
        owner, instance = owner.args[0], True
    elif isinstance(owner, ast.Attribute) and owner.attr == "__class__":
        owner, instance = owner.value, True
    else:
        instance = False
    if not isinstance(owner, ast.Name):
        return None
    binding = scope.lookup(owner.id)
    method = None if binding is None or binding.kind != "param" else binding.scope
    function = None if method is None else method.node
    cls = None if method is None or method.parent is None else method.parent.node
    if (
        binding is None
        or not isinstance(function, FunctionNode)
        or not isinstance(cls, ast.ClassDef)
    ):
        return None
    positional = [*function.args.posonlyargs, *function.args.args]
    if not positional or positional[0] is not binding.node:
        return None
    on_class = is_class_method(function) or function.name in _IMPLICIT_CLASS_METHODS
    if instance:
        return cls if not on_class and not static_or_class(function) else None
    return cls if on_class else None


# Methods Python runs on the class without a `@classmethod` decorator.
_IMPLICIT_CLASS_METHODS = frozenset({"__new__", "__class_getitem__"})


def assigned_once(cls: ast.ClassDef, name: str) -> ast.expr | None:
    """The value the body of ``cls`` assigns to ``name``, when it binds it exactly once.

    A second binding of any kind (``X += "/v2"``, ``X, Y = ...``, a loop target, a ``def``)
    makes it no constant; an annotation without a value (``X: ClassVar[str]``) binds nothing.
    """
    declared = sum(
        1
        for statement in cls.body
        if isinstance(statement, ast.AnnAssign)
        and statement.value is None
        and isinstance(statement.target, ast.Name)
        and statement.target.id == name
    )
    if sum(1 for bound in bound_names(cls.body) if bound == name) - declared != 1:
        return None
    values = [
        statement.value
        for statement in cls.body
        if isinstance(statement, ast.Assign | ast.AnnAssign)
        and statement.value is not None
        and assigns_name(statement, name)
    ]
    return values[0] if len(values) == 1 else None


_PERCENT = r"(?s)%(.?)"  # `.?`: a lone `%` at the end matches too


def _formatted_length(template: str, positional: list[str], named: dict[str, str]) -> int:
    """How long ``template.format(*positional, **named)`` is, counted without building it.

    Only plain fields are counted (the caller refused the others); a field without a value
    counts nothing (``format`` raises for it, as the caller finds).
    """
    length = 0
    automatic = 0
    for literal, name, _, _ in string.Formatter().parse(template):
        length += len(literal)
        if name is None:
            continue
        if name == "":
            value = positional[automatic] if automatic < len(positional) else ""
            automatic += 1
        elif name.isdecimal():  # as `format` reads a position (any script's decimal digits)
            at = int(name)
            value = positional[at] if at < len(positional) else ""
        else:
            value = named.get(name, "")
        length += len(value)
    return length


def _percent_s(template: str, values: list[str]) -> str | None:
    """``template % tuple(values)`` when it only holds ``%s`` and ``%%``, else None.

    Other conversions (``%d``, ``%r``, widths) format strings otherwise, or fail: not folded,
    nor is a result longer than :data:`_MAX_FOLDED`.
    """
    pending = iter(values)
    failed = False
    # Counted as it is built: once past the cap, nothing more is put in the pieces joined.
    length = 0

    def substitute(match: re.Match[str]) -> str:
        nonlocal failed, length
        if match.group(1) == "%":
            piece: str | None = "%"
        else:
            piece = next(pending, None) if match.group(1) == "s" else None
        length += len(piece or "")
        if piece is None or failed or length > _MAX_FOLDED:
            failed = True
            return ""
        return piece

    result = re.sub(_PERCENT, substitute, template)
    if failed or len(result) > _MAX_FOLDED or next(pending, None) is not None:
        return None  # a conversion not read, or a count that differs: Python raises too
    return result


# The functions that import a module by a name made at run time.
_IMPORTERS = frozenset({"import_module", "__import__"})
# Listings that go into sub-folders too (`pkgutil.walk_packages`, `os.walk`, `rglob`, a
# `glob("**/*.py")`); other listings (`iter_modules`, `os.listdir`, `glob("*.py")`) give a
# folder's own entries.
_DEEP_LISTERS = frozenset({"walk_packages", "walk", "rglob"})
_GLOBS = frozenset({"glob", "iglob"})
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_COMPREHENSIONS_TYPE = ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp


def _listed_modules(
    source: ModuleSource,
    package: Iterable[str],
    is_package: Callable[[str], bool],
    source_of: Callable[[str], ModuleSource | None],
) -> set[str]:
    """The modules of ``package`` that ``source`` imports by names made at run time.

    ``is_package``: whether a module of ``package`` is a package (an ``__init__.py``);
    ``source_of``: another module's source, by name (for the constants a filter imports).

    A name made of the module's own (``import_module(f"{__name__}.{name}")``), a relative one
    (``import_module(f".{name}", __package__)``) or a dotted prefix joined to each entry
    (``import_module(f"app.routes.{name}")``, ``import_module("app.routes." + name)``) lists a
    folder: its own modules and packages (every module below it for a listing that walks
    sub-folders, :func:`_walks_sub_folders`), less those a plain filter of the loop skips
    (``if not m.name.startswith("_")``, ``if not m.ispkg``, ``if name != "base"``: see
    :func:`_filter_keeps`); a module a filter the tool cannot read may skip is not counted. Only
    a string given to ``import_module``/``__import__``, directly or through the name it is bound
    to, counts: an f-string elsewhere (``path.with_suffix(f".{fmt}")``), a comment or a
    docstring lists none. A module that does not parse is read by its text: a listing string on
    a line that is not a comment lists every module below.
    """
    text = source.text
    if not any(importer in text for importer in _IMPORTERS) or (
        _LISTING_STRING.search(text) is None
        and ".{" not in text
        and not any(lister in text for lister in _MODULE_LISTERS)
    ):
        return set()
    # (the listing's text, the filters of the loop around its import call if readable,
    # whether it walks sub-folders)
    pieces: list[tuple[str, list[ast.expr] | None, bool]] = []
    # (a folder listed by `pkgutil` with a prefix, its entries' names being whole module
    # names, the filters, whether it walks sub-folders)
    prefixed: list[tuple[str, list[ast.expr] | None, bool, bool]] = []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pieces = [
            (line, [], True) for line in text.splitlines() if not line.lstrip().startswith("#")
        ]
    else:
        bound: dict[str, list[ast.expr]] = {}
        # Names whose value may change after it is bound (`names += [...]`,
        # `names.extend(...)`, `names[0] = ...`, handed to a call): see `_loop_filters`.
        changed: set[str] = set()
        calls: list[ast.Call] = []
        parents: dict[ast.AST, ast.AST] = {}
        # Every binding of each name, however made (see `_certain_value`).
        bindings: dict[str, int] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
            for name in names_bound(node):
                bindings[name] = bindings.get(name, 0) + 1
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr) and node.value:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        bound.setdefault(target.id, []).append(node.value)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                changed.add(node.target.id)
            elif isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
                changed.update(names_in(node.value))
            elif isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if called in _IMPORTERS and node.args:
                    calls.append(node)
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    changed.add(func.value.id)
                changed.update(
                    argument.id
                    for argument in [*node.args, *(keyword.value for keyword in node.keywords)]
                    if isinstance(argument, ast.Name)
                )
        constants = _string_constants(tree, source, source_of)
        for call in calls:
            first = call.args[0]
            values = bound.get(first.id, []) if isinstance(first, ast.Name) else [first]
            filters = _loop_filters(call, parents, constants, bound, frozenset(changed))
            deep = _walks_sub_folders(call, parents, bound, tree)
            pieces.extend(
                (ast.get_source_segment(text, value) or "", filters, deep) for value in values
            )
            for lister in _prefixed_listers(call, parents, bound):
                prefix = call_argument(lister, 1, "prefix")
                folder = _prefix_folder(
                    prefix, source, lambda name: _certain_value(name, parents, bound, bindings)
                )
                if folder is not None:
                    called = lister.func
                    walks = getattr(called, "id", getattr(called, "attr", "")) == "walk_packages"
                    # `walk_packages` imports each package it goes into itself, whatever
                    # the loop does with it; with no `onerror`, one failing stops the walk.
                    imports = walks and call_argument(lister, 2, "onerror") is None
                    prefixed.append((folder, filters, walks, imports))
    # (the filters, whether sub-folders are listed, whether entries are whole module names)
    # (the filters, whether sub-folders are listed, whether entries are whole module names,
    # whether the listing imports the packages it walks itself)
    listed: dict[str, list[tuple[list[ast.expr] | None, bool, bool, bool]]] = {}
    for folder, filters, deep, imports in prefixed:
        listed.setdefault(folder, []).append((filters, deep, True, imports))
    for piece, filters, deep in pieces:
        folders = [
            m.group("name") for m in _MODULE_STRING.finditer(piece) if m.group("rest") == ".{"
        ]
        for match in _LISTING_STRING.finditer(piece):
            if match.group("prefix") is not None:
                folders.append(match.group("prefix"))
            elif match.group("own") == "__name__":
                folders.append(source.name)
            elif source.package:
                folders.append(source.package)  # `__package__`, or a relative name
        for folder in folders:
            listed.setdefault(folder, []).append((filters, deep, False, False))
    modules = set(package)
    reached: set[str] = set()
    for folder, ways in listed.items():
        depth = folder.count(".") + 1
        for name in modules:
            if not name.startswith(f"{folder}."):
                continue
            parts = name.split(".")
            leaf = parts[depth]
            listed_package = name.count(".") > depth or is_package(name)
            # `walk_packages` goes only into folders with an `__init__.py`: every one between
            # the folder listed and the module (a plain folder of scripts is not listed).
            walked = all(is_package(".".join(parts[:end])) for end in range(depth + 1, len(parts)))
            if any(
                filters is not None
                and ((deep and walked) or name.count(".") == depth)
                and all(
                    # A prefixed listing's entry is named in full (`app.routes._draft`).
                    _filter_keeps(test, name if whole else leaf, listed_package) is True
                    for test in filters
                )
                for filters, deep, whole, _ in ways
            ) or (walked and is_package(name) and any(imports for *_, imports in ways)):
                reached.add(name)
    return reached


def _prefixed_listers(
    call: ast.Call, parents: dict[ast.AST, ast.AST], bound: dict[str, list[ast.expr]]
) -> list[ast.Call]:
    """The ``pkgutil`` listings with a prefix that the import ``call`` is given names of.

    ``for m in pkgutil.walk_packages(__path__, __name__ + "."): import_module(m.name)``, or
    through a name bound to a comprehension of them (``names = [m.name for m in
    iter_modules(__path__, f"{__package__}.")]``, then ``for name in names``): the listings
    the loops around ``call`` iterate over, whose entries are whole module names. Empty when
    ``call`` is given a string (a name built from the entry's own, see :func:`_listed_modules`).
    """
    first = call.args[0]
    if isinstance(first, ast.Constant | ast.JoinedStr | ast.BinOp):
        return []
    sources: list[ast.AST] = list(_iterated_around(call, parents))
    found: list[ast.Call] = []
    seen: set[str] = set()
    while sources:
        for inner in ast.walk(sources.pop()):
            if isinstance(inner, ast.Name) and inner.id in bound and inner.id not in seen:
                seen.add(inner.id)
                sources.extend(bound[inner.id])
            elif (
                isinstance(inner, ast.Call)
                and getattr(inner.func, "id", getattr(inner.func, "attr", None)) in _MODULE_LISTERS
                and call_argument(inner, 1, "prefix") is not None
            ):
                found.append(inner)
    return found


def _prefix_folder(
    prefix: ast.expr | None,
    source: ModuleSource,
    value_of: Callable[[ast.Name], ast.expr | None],
) -> str | None:
    """The package a ``pkgutil`` listing's ``prefix`` names its entries under, else None.

    ``__name__ + "."`` or ``f"{__name__}."`` (the module's own name), ``__package__`` likewise,
    or a literal ``"app.routes."``, or a name ``value_of`` gives the one value of (``prefix =
    package + "."`` after ``package = __name__``); any other prefix is not read.
    """
    written = _written_string(prefix, source, value_of, 0)
    if written is None:
        return None
    folder = written[:-1]
    if not written.endswith(".") or not all(word.isidentifier() for word in folder.split(".")):
        return None
    return folder


# How many names deep a prefix is followed (`prefix = package + "."`, `package = __name__`).
_PREFIX_NAME_DEPTH = 8


def _written_string(
    node: ast.expr | None,
    source: ModuleSource,
    value_of: Callable[[ast.Name], ast.expr | None],
    depth: int,
) -> str | None:
    """The string ``node`` is, else None (a part of it not certain).

    Made of literals, ``__name__``/``__package__`` and names bound once (``value_of``), joined
    by ``+`` or an f-string.
    """
    if node is None or depth > _PREFIX_NAME_DEPTH:
        return None
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _written_string(node.left, source, value_of, depth + 1)
        right = _written_string(node.right, source, value_of, depth + 1)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.JoinedStr):
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                if value.conversion not in (-1, ord("s")) or value.format_spec is not None:
                    return None  # `{name!r}`, `{name:>10}`: not the name as written
                value = value.value
            part = _written_string(value, source, value_of, depth + 1)
            if part is None:
                return None
            parts.append(part)
        return "".join(parts)
    if isinstance(node, ast.Name):
        if node.id == "__name__":
            return source.name
        if node.id == "__package__":
            return source.package or None
        return _written_string(value_of(node), source, value_of, depth + 1)
    return None


def names_bound(node: ast.AST) -> list[str]:
    """The names ``node`` itself binds.

    An assignment's, a loop's or ``with``'s target, a parameter, an import, a ``def``/
    ``class``, ``global``/``nonlocal`` (which may bind it elsewhere), a ``del``.
    """
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
        return [node.id]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.alias):
        return [node.asname or node.name.partition(".")[0]]
    if isinstance(node, FunctionNode | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Global | ast.Nonlocal):
        return list(node.names)
    if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
        return [node.name]
    return []


def _certain_value(
    name: ast.Name,
    parents: dict[ast.AST, ast.AST],
    bound: dict[str, list[ast.expr]],
    bindings: dict[str, int],
) -> ast.expr | None:
    """The one value the module gives ``name`` where it is read, else None.

    The name is bound once in the whole module (``bindings``: no other assignment, loop,
    parameter, import or ``global`` of it anywhere), by a plain assignment (``bound``) at the
    module's top level or in the function that reads it, before the read when in the same
    scope: ``prefix = __name__ + "."`` then ``walk_packages(__path__, prefix)``.
    """
    values = bound.get(name.id, [])
    if bindings.get(name.id) != 1 or len(values) != 1:
        return None
    value = values[0]
    statement = parents.get(value)
    if not isinstance(statement, ast.Assign | ast.AnnAssign) or statement.value is not value:
        return None  # a walrus: bound where its expression runs, not certainly before

    def scope_of(node: ast.AST) -> ast.AST | None:
        while node in parents:
            node = parents[node]
            if isinstance(node, FunctionNode | ast.Lambda | ast.ClassDef | _COMPREHENSIONS_TYPE):
                return node
        return None

    where, read_in = scope_of(statement), scope_of(name)
    if where is not None and where is not read_in:
        return None  # another function's local, or a class attribute: not this name
    if where is read_in and statement.lineno >= name.lineno:
        return None
    if where is None and read_in is None and statement.lineno >= name.lineno:
        return None
    return value


def _walks_sub_folders(
    call: ast.Call,
    parents: dict[ast.AST, ast.AST],
    bound: dict[str, list[ast.expr]],
    tree: ast.Module,
) -> bool:
    """Whether the listing that ``call`` imports from goes into sub-folders too.

    Read from what the loops around ``call`` iterate over (through the names those are bound
    to: ``names = [...]; for name in names``), and the call's own arguments; where no loop is
    around it (the names come as a parameter), from any listing call of the module. Only a
    call counts (``walk_packages(...)``, ``os.walk(...)``, ``.rglob(...)``, a
    ``glob("**/*.py")``): not ``**kwargs``, ``2 ** n`` or a comment naming one.
    """
    loops = _iterated_around(call, parents)
    if not loops:
        return _calls_deep_lister(tree, {}, set())
    seen: set[str] = set()
    return any(
        _calls_deep_lister(source, bound, seen) for source in [*loops, *call.args, *call.keywords]
    )


def _calls_deep_lister(node: ast.AST, bound: dict[str, list[ast.expr]], seen: set[str]) -> bool:
    """Whether ``node`` calls a listing that goes into sub-folders (names followed by ``bound``)."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and inner.id in bound and inner.id not in seen:
            seen.add(inner.id)
            if any(_calls_deep_lister(value, bound, seen) for value in bound[inner.id]):
                return True
        if not isinstance(inner, ast.Call):
            continue
        func = inner.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if called in _DEEP_LISTERS:
            return True
        if called in _GLOBS and any(
            isinstance(part, ast.Constant) and isinstance(part.value, str) and "**" in part.value
            for argument in [*inner.args, *(keyword.value for keyword in inner.keywords)]
            for part in ast.walk(argument)
        ):
            return True
    return False


def _string_constants(
    tree: ast.Module,
    source: ModuleSource | None = None,
    source_of: Callable[[str], ModuleSource | None] | None = None,
) -> dict[str, ast.expr]:
    """The module's names bound once, at its top level, to a tuple, list or set of strings.

    ``SKIP = ("_draft", "base")``: a name also bound elsewhere (a loop target, ``SKIP +=``) or
    read through an attribute or an item (``SKIP.add(...)``) may hold others, and is left out.
    With the module's ``source``, a name its top level imports from another module of the
    package (``from app.routes.config import SKIP``, or relatively) counts when it is such a
    constant there (read from ``source_of``'s text) and this module leaves it alone.
    """
    stored: dict[str, int] = {}
    changed: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            stored[node.id] = stored.get(node.id, 0) + 1
        elif isinstance(node, ast.Attribute | ast.Subscript) and isinstance(node.value, ast.Name):
            changed.add(node.value.id)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            changed.update(node.names)
    found: dict[str, ast.expr] = {
        statement.targets[0].id: statement.value
        for statement in tree.body
        if isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and stored.get(statement.targets[0].id) == 1
        and statement.targets[0].id not in changed
        and _strings(statement.value) is not None
        and isinstance(statement.value, ast.Tuple | ast.List | ast.Set)
    }
    if source is None or source_of is None:
        return found
    for statement in tree.body:
        if not isinstance(statement, ast.ImportFrom):
            continue
        base = _absolute_from(statement, source.package)
        other = None if base is None else source_of(base)
        if other is None:
            continue
        try:
            theirs = _string_constants(ast.parse(other.text))
        except PARSE_ERRORS:
            continue
        for alias in statement.names:
            local = alias.asname or alias.name
            imported = sum(
                1
                for each in tree.body
                if isinstance(each, ast.Import | ast.ImportFrom)
                for name in each.names
                if (name.asname or name.name) == local
            )
            if (
                alias.name in theirs
                and local not in stored
                and local not in changed
                and imported == 1
            ):
                found[local] = theirs[alias.name]
    return found


def _absolute_from(statement: ast.ImportFrom, package: str) -> str | None:
    """The module a ``from ... import`` names, made absolute from ``package`` (None: above it)."""
    if not statement.level:
        return statement.module
    parts = package.split(".") if package else []
    up = statement.level - 1
    if up > len(parts):
        return None
    above = ".".join(parts[: len(parts) - up])
    return ".".join(filter(None, (above, statement.module))) or None


# The listings whose entries are (finder, name, ispkg) tuples.
_MODULE_LISTERS = frozenset({"iter_modules", "walk_packages"})


def _entry_names(target: ast.expr, iterated: ast.expr) -> dict[str, ast.expr]:
    """What the names a loop over ``iterated`` unpacks its entries into stand for in a filter.

    ``for _, name, ispkg in pkgutil.iter_modules(...)``: ``ispkg`` is read as the entry's
    ``.ispkg`` (see :func:`_filter_keeps`). Empty for other loops.
    """
    called = iterated.func if isinstance(iterated, ast.Call) else None
    name = called.id if isinstance(called, ast.Name) else getattr(called, "attr", None)
    if (
        name not in _MODULE_LISTERS
        or not isinstance(target, ast.Tuple)
        or len(target.elts) != 3
        or not isinstance(target.elts[2], ast.Name)
    ):
        return {}
    entry = ast.Attribute(ast.Name(_ENTRY, ast.Load()), "ispkg", ast.Load())
    return {target.elts[2].id: entry}


# The name a filter reads the listed entry by once :func:`_loop_filters` has rewritten it: no
# module can write it, so a filter reading anything else is told apart (:func:`_filter_keeps`).
_ENTRY = "<entry>"


def _entry_read_by_loop(target: ast.expr, iterated: ast.expr) -> dict[str, ast.expr]:
    """The names a loop around the import binds the listed entry to, for its filters.

    Every name of the loop's target (``for name in os.listdir(...)``, ``for m in
    iter_modules(...)``, ``for path in folder.glob("*.py")``), except in a ``pkgutil`` entry
    unpacked: there its name (``for _, name, ispkg in ...``) and ``ispkg`` only, the finder
    being no part of the entry's name.
    """
    entry = ast.Name(_ENTRY, ast.Load())
    unpacked = _entry_names(target, iterated)
    if unpacked:
        name = target.elts[1] if isinstance(target, ast.Tuple) else None
        if isinstance(name, ast.Name):
            unpacked[name.id] = entry
        return unpacked
    return dict.fromkeys(names_in(target), entry)


class _Substitute(ast.NodeTransformer):
    """Replaces the names of ``values`` by their expressions (in a copy of a filter)."""

    def __init__(self, values: dict[str, ast.expr]) -> None:
        self.values = values

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return self.values.get(node.id, node)


def _loop_filters(
    call: ast.Call,
    parents: dict[ast.AST, ast.AST],
    constants: dict[str, ast.expr],
    bound: dict[str, list[ast.expr]] | None = None,
    changed: frozenset[str] = frozenset(),
) -> list[ast.expr] | None:
    """The conditions under which the loop around ``call`` reaches it (None: not readable).

    A comprehension's ``if`` clauses; in a ``for`` loop, the ``if`` statements around the call
    and an ``if ...: continue`` before it (read as its negation). The module's ``constants``
    (see :func:`_string_constants`) and a ``pkgutil`` entry's unpacked ``ispkg`` are read in
    them as what they hold. When the loop iterates a comprehension, written there or bound
    to the name it iterates (``names = [m for m in iter_modules(__path__) if not
    m.name.startswith("_")]``, the name bound once: ``bound``), its ``if`` clauses filter too;
    not when the name is bound again or may be grown (in ``changed``: ``names += [...]``,
    ``names.extend(...)``), which may add what the clauses skip.
    """
    tests = _raw_loop_filters(call, parents)
    if tests is None:
        return None
    values = dict(constants)
    node: ast.AST = call
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.For | ast.AsyncFor):
            values.update(_entry_names(node.target, node.iter))
        elif isinstance(node, _COMPREHENSIONS):
            for generator in node.generators:
                values.update(_entry_names(generator.target, generator.iter))
    # The listed entry is what the import's name is made of (`f"{__name__}.{name}"`, `m.name`,
    # or the name it is bound to first), what the innermost loop binds per entry, and what a
    # comprehension it iterates binds: a filter on anything else filters no entry.
    entry = ast.Name(_ENTRY, ast.Load())
    first = call.args[0]
    made_of = [first]
    if isinstance(first, ast.Name) and bound is not None:
        made_of.extend(bound.get(first.id, []))
    for part in made_of:
        values.update(
            dict.fromkeys(names_in(part, read=True) - _MODULE_NAMES - set(constants), entry)
        )
    for loop, _ in _innermost_loops(call, parents):
        values.update(_entry_read_by_loop(loop.target, loop.iter))
    for iterated in _innermost_loop_iterables(call, parents):
        if isinstance(iterated, ast.Name) and bound is not None:
            held = bound.get(iterated.id, [])
            if len(held) != 1 or iterated.id in changed:
                continue  # which entries it holds is not one comprehension's: its own filters
            iterated = held[0]
        if isinstance(iterated, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            for generator in iterated.generators:
                tests.extend(generator.ifs)
                values.update(_entry_read_by_loop(generator.target, generator.iter))
    # `name = m.name` (or `stem = f[:-3]`) in the loop's body before the import: the entry too.
    for _, body in _innermost_loops(call, parents):
        for statement in body:
            if any(inner is call for inner in ast.walk(statement)):
                break
            if not (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
            ):
                continue
            value = _Substitute(values).visit(copy.deepcopy(statement.value))
            if _ENTRY in names_in(value):
                values[statement.targets[0].id] = value
            else:
                values.pop(statement.targets[0].id, None)  # bound again to something else
    substitute = _Substitute(values)
    return [substitute.visit(copy.deepcopy(test)) for test in tests]


def _innermost_loops(
    call: ast.Call, parents: dict[ast.AST, ast.AST]
) -> list[tuple[ast.comprehension | ast.For | ast.AsyncFor, list[ast.stmt]]]:
    """The innermost loop around ``call``, empty outside any loop.

    Each ``for`` of a comprehension, or a ``for`` statement with its body (a comprehension
    has none).
    """
    node: ast.AST = call
    while node in parents:
        parent = parents[node]
        if isinstance(parent, FunctionNode | ast.Lambda | ast.Module):
            return []
        if isinstance(parent, _COMPREHENSIONS):
            return [(generator, []) for generator in parent.generators]
        if isinstance(parent, ast.For | ast.AsyncFor) and node is not parent.iter:
            return [(parent, parent.body)]
        node = parent
    return []


def _innermost_loop_iterables(call: ast.Call, parents: dict[ast.AST, ast.AST]) -> list[ast.expr]:
    """What the innermost loop around ``call`` (a ``for`` or a comprehension) iterates over."""
    return [loop.iter for loop, _ in _innermost_loops(call, parents)]


def _raw_loop_filters(call: ast.Call, parents: dict[ast.AST, ast.AST]) -> list[ast.expr] | None:
    """The tests of :func:`_loop_filters`, as written."""
    tests: list[ast.expr] = []
    node: ast.AST = call
    while node in parents:
        parent = parents[node]
        if isinstance(parent, _COMPREHENSIONS):
            return tests + [test for generator in parent.generators for test in generator.ifs]
        if isinstance(parent, ast.If) and node is not parent.test:
            if not any(node is statement for statement in parent.body):
                return None  # an `else:` branch
            tests.append(parent.test)
        if isinstance(parent, ast.For | ast.AsyncFor) and any(node is s for s in parent.body):
            for statement in parent.body:
                if statement is node:
                    break
                if isinstance(statement, ast.If) and isinstance(statement.body[-1], ast.Continue):
                    tests.append(ast.UnaryOp(ast.Not(), statement.test))
            return tests
        if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.Module):
            return tests
        node = parent
    return tests


def _filter_keeps(test: ast.expr, leaf: str, is_package: bool) -> bool | None:
    """Whether a listing's filter ``test`` keeps the entry of module ``leaf`` (None: not known).

    Read as a test of the entry's name (``name``, ``m.name``, ``file``: ``startswith``,
    ``endswith``, ``==``/``!=``/``in`` with strings, the file's ``.py`` kept or not) or of
    ``ispkg``, joined by ``and``/``or``/``not``. Only a test of the entry itself (read through
    :data:`_ENTRY`, see :func:`_loop_filters`): ``other.startswith("_")`` or ``flags.ispkg``
    says nothing of which entries the loop keeps.
    """
    entries = (leaf,) if is_package else (leaf, f"{leaf}.py")
    if isinstance(test, ast.BoolOp):
        results = [_filter_keeps(value, leaf, is_package) for value in test.values]
        wanted = isinstance(test.op, ast.Or)
        if wanted in results:
            return wanted
        return None if None in results else not wanted
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        kept = _filter_keeps(test.operand, leaf, is_package)
        return None if kept is None else not kept
    if isinstance(test, ast.Attribute) and test.attr == "ispkg":
        return is_package if _reads_entry(test.value) else None
    if (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr in ("startswith", "endswith")
        and len(test.args) == 1
        and not test.keywords
    ):
        if not _reads_entry(test.func.value):
            return None
        words = _strings(test.args[0])
        if words is None:
            return None
        ends = test.func.attr == "endswith"
        if ends and ".py" in words:
            return not is_package or any(leaf.endswith(word) for word in words)
        return any(leaf.endswith(w) if ends else leaf.startswith(w) for w in words)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        words = _strings(test.comparators[0])
        operator = test.ops[0]
        if (
            words is None
            or not isinstance(operator, ast.Eq | ast.NotEq | ast.In | ast.NotIn)
            or not _reads_entry(test.left)
        ):
            return None
        inside = any(entry in words for entry in entries)
        return inside if isinstance(operator, ast.Eq | ast.In) else not inside
    return None


# Functions a filter may read the entry's name through (`os.path.splitext(f)[0]`, `Path(f).stem`).
_NAME_READERS = frozenset(
    {"str", "Path", "PurePath", "pathlib.Path", "pathlib.PurePath", "os.fsdecode"}
    | {"os.path.basename", "os.path.splitext", "path.basename", "path.splitext"}
)


def _reads_entry(subject: ast.expr) -> bool:
    """Whether ``subject`` is the listed entry, or a part of it.

    ``<entry>``, ``<entry>.name``, ``<entry>.name.lower()``, ``<entry>[:-3]``,
    ``os.path.splitext(<entry>)[0]``.
    """
    node = subject
    while True:
        if isinstance(node, ast.Name):
            return node.id == _ENTRY
        if isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call):
            called = node.func
            written = ast.unparse(called) if isinstance(called, ast.Name | ast.Attribute) else ""
            if written in _NAME_READERS and len(node.args) == 1:
                node = node.args[0]
            elif isinstance(node.func, ast.Attribute):
                node = node.func.value  # a method of the name's string or path
            else:
                return False
        else:
            return False


def _strings(node: ast.expr) -> tuple[str, ...] | None:
    """The strings of a string literal or a tuple, list or set of them (else None)."""
    items = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
    strings = tuple(
        item.value
        for item in items
        if isinstance(item, ast.Constant) and isinstance(item.value, str)
    )
    return strings if len(strings) == len(items) else None


def failing_at_import(source: ModuleSource) -> Iterator[tuple[int, str]]:
    """Each ``raise`` in ``source``'s own top level: it runs whenever the module is imported.

    ``(line, what)``: a ``raise`` written in the module's body, not under an ``if``, ``try``,
    ``with``, loop, ``def`` or ``class`` (where whether it runs is not known from the text).
    A module that does not parse yields nothing (that failure is reported on its own).
    """
    for line, name in raised_at_import(source):
        shown = "the exception being handled" if name is None else name
        yield line, f"raises {shown} whenever it is imported"


def raised_at_import(source: ModuleSource) -> Iterator[tuple[int, str | None]]:
    """``(line, class)`` of each ``raise`` :func:`failing_at_import` finds in ``source``.

    The class as written (``RuntimeError``, ``errors.Removed``); None for a bare ``raise``.
    """
    try:
        tree = ast.parse(source.text)
    except PARSE_ERRORS:
        return
    for statement in tree.body:
        if isinstance(statement, ast.Raise):
            raised = statement.exc
            if isinstance(raised, ast.Call):
                raised = raised.func
            yield statement.lineno, None if raised is None else ast.unparse(raised)


def _builtin_exception(name: str) -> type[BaseException] | None:
    """The builtin exception class ``name`` (``ImportError``, ``builtins.KeyError``), if one."""
    name = name.removeprefix("builtins.")
    found = getattr(builtins, name, None) if name.isidentifier() else None
    return found if isinstance(found, type) and issubclass(found, BaseException) else None


def _may_catch(handler: ast.ExceptHandler, raised: Collection[str]) -> bool:
    """Whether ``handler`` may take one of the exceptions ``raised`` names.

    A bare ``except`` takes all; builtin classes are judged by the builtin hierarchy
    (``except ImportError`` takes ``ModuleNotFoundError``, not ``RuntimeError``). A class of
    the code's own, on either side, may be anything: it counts as taking it (the import may
    then not run, and nothing is refused on it).
    """
    if handler.type is None:
        return True
    written = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for caught in written:
        catcher = _builtin_exception(ast.unparse(caught))
        for name in raised:
            thrown = _builtin_exception(name)
            if catcher is None or thrown is None or issubclass(thrown, catcher):
                return True
    return False


def _with_packages_above(name: str) -> Iterator[str]:
    """``name`` and the packages above it (``a``, ``a.b`` for ``a.b``): their ``__init__`` runs."""
    parts = name.split(".")
    return (".".join(parts[:end]) for end in range(1, len(parts) + 1))


def _surely_catches(handler: ast.ExceptHandler, name: str) -> bool:
    """Whether ``handler`` takes the exception class ``name`` whenever it is raised.

    A bare ``except``, or a builtin class it names of which ``name`` (builtin) is a subclass.
    A class of the code's own may be anything: :func:`_may_catch` counts it, this does not.
    """
    if handler.type is None:
        return True
    thrown = _builtin_exception(name)
    written = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for caught in written:
        catcher = _builtin_exception(ast.unparse(caught))
        if catcher is not None and thrown is not None and issubclass(thrown, catcher):
            return True
    return False


#: The decorators a router's routes are registered with (``@router.get("/x")``).
_ROUTE_VERBS = ROUTE_DECORATORS | STARLETTE_ROUTES
#: The builtins that reach an attribute by its name as a string.
_BY_NAME = frozenset({"getattr", "setattr", "delattr"})


def _other_attribute_use(tree: ast.Module, name: str) -> bool:
    """Whether ``tree`` uses attribute ``name`` other than as :meth:`changes_held` allows.

    Allowed: ``X.name`` owning a route decorator (``@X.name.get(...)``) or given to
    ``include_router`` (positionally or by keyword). Anything else, or the name as a string
    given to ``getattr``/``setattr``/``delattr``, is another use.
    """
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for decorator in node.decorator_list:
                called = decorator.func if isinstance(decorator, ast.Call) else None
                if isinstance(called, ast.Attribute) and called.attr in _ROUTE_VERBS:
                    allowed.add(id(called.value))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "include_router"
        ):
            allowed.update(id(argument) for argument in node.args)
            allowed.update(id(keyword.value) for keyword in node.keywords)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == name and id(node) not in allowed:
            return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _BY_NAME
            and any(
                isinstance(argument, ast.Constant) and argument.value == name
                for argument in node.args[1:2]
            )
        ):
            return True
    return False


#: How an ``ExceptionGroup`` an ``except*`` handler raises again is named: with the class it
#: holds (``ExceptionGroup[ImportError]``), which an outer ``except* ImportError`` takes.
_GROUP = "ExceptionGroup[{}]"


def _member(name: str) -> str:
    """The class ``name`` holds when it names a group (:data:`_GROUP`), else ``name`` itself."""
    if name.startswith("ExceptionGroup[") and name.endswith("]"):
        return _member(name[len("ExceptionGroup[") : -1])
    return name


def _as_seen(name: str, *, grouped: bool) -> str:
    """The class a handler judges of what ``name`` names (``grouped``: an ``except*`` one).

    ``except*`` judges a group's members, ``except`` the ``ExceptionGroup`` itself; a bare
    exception is itself either way.
    """
    if grouped:
        return _member(name)
    return "ExceptionGroup" if _member(name) != name else name


def _raised_again(
    handler: ast.ExceptHandler, raised: str, *, grouped: bool = False
) -> frozenset[str] | None:
    """What ``handler`` raises in place of ``raised`` when it takes it; None if it may end it.

    A ``raise`` in its own body runs whenever it does (a statement before it failing fails
    too): a bare ``raise`` (or ``raise error``, the name it binds) raises ``raised`` again, an
    ``ExceptionGroup`` holding it in an ``except*`` handler (``grouped``, see :data:`_GROUP`),
    which ``except ImportError`` does not take and an outer ``except* ImportError`` does;
    ``raise RuntimeError(...) from error`` raises that class. A handler without one, or
    raising an expression of no class named, may end the failure.
    """
    for statement in handler.body:
        if not isinstance(statement, ast.Raise):
            continue
        thrown = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
        if thrown is None or (isinstance(thrown, ast.Name) and thrown.id == handler.name):
            return frozenset({_GROUP.format(_member(raised)) if grouped else raised})
        if isinstance(thrown, ast.Name | ast.Attribute):
            return frozenset({ast.unparse(thrown)})
        return None
    return None


def _leaving(statement: ast.Try | ast.TryStar, raised: Collection[str]) -> frozenset[str] | None:
    """What leaves ``statement`` when its body raises one of ``raised``; None if it may not.

    Each class goes to the first handler that may take it (:func:`_may_catch`): None when that
    handler may end the failure; one raising again (:func:`_raised_again`) passes on what it
    raises in place of the class, and the class itself only when the handler may also not
    take it (a class of the code's own, see :func:`_surely_catches`: the next handler is asked
    then). ``except*`` handlers are judged the same: a bare exception is taken by one naming
    its class or holding it, and a bare ``raise`` there raises an ``ExceptionGroup`` of it.
    """
    grouped = isinstance(statement, ast.TryStar)
    leaving: set[str] = set()
    for name in raised:
        seen = _as_seen(name, grouped=grouped)
        for handler in statement.handlers:
            if not _may_catch(handler, (seen,)):
                continue
            again = _raised_again(handler, name, grouped=grouped)
            if again is None:
                return None
            leaving.update(again)
            if _surely_catches(handler, seen):
                break
        else:
            leaving.add(name)
    return frozenset(leaving)


#: The oldest and a newest Python a backend may run on: FastAPI's releases since 0.104 need
#: 3.8 or later. A ``sys.version_info`` comparison true (or false) at both is so on every one.
_PYTHONS = ((3, 8, 0, "alpha", 0), (3, 1 << 30, 0, "final", 0))
#: The comparisons monotone in the version (``==`` and ``!=`` are not: left undecided).
_COMPARISONS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


#: The modules whose flag an ``if`` may be decided by, and that flag.
_FLAG_OWNERS = {
    "typing": "TYPE_CHECKING",
    "typing_extensions": "TYPE_CHECKING",
    "sys": "version_info",
}


def _library_flags(tree: ast.Module) -> dict[str, str]:
    """How ``tree`` spells ``typing.TYPE_CHECKING`` and ``sys.version_info``: spelling, flag.

    ``TYPE_CHECKING`` imported from ``typing`` or ``typing_extensions`` (under its own name or
    another), ``typing.TYPE_CHECKING`` through ``import typing`` (``as t``: ``t.TYPE_CHECKING``),
    ``sys.version_info`` likewise. A name the module also assigns, or imports from elsewhere
    (a module's own ``TYPE_CHECKING``), is a value read at run time: no spelling of them.
    """
    modules: dict[str, str | None] = {}
    flags: dict[str, str | None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.partition(".")[0]
                owned = alias.asname is not None or "." not in alias.name
                flag = _FLAG_OWNERS.get(alias.name) if owned else None
                modules[bound] = flag if modules.get(bound, flag) == flag else None
                flags[bound] = None
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                bound = alias.asname or alias.name
                ours = node.level == 0 and _FLAG_OWNERS.get(node.module or "") == alias.name
                flag = alias.name if ours else None
                flags[bound] = flag if flags.get(bound, flag) == flag else None
                modules[bound] = None
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            modules[node.id] = flags[node.id] = None
    spelt = {name: flag for name, flag in flags.items() if flag is not None}
    spelt.update({f"{name}.{flag}": flag for name, flag in modules.items() if flag is not None})
    return spelt


def _decided(test: ast.expr, flags: dict[str, str]) -> bool | None:
    """Whether an ``if`` test is true when the code runs, if its text alone says; else None.

    A constant (``if True:``, ``if 0:``); typing's ``TYPE_CHECKING`` (as ``flags`` spell it,
    see :func:`_library_flags`), false when the code runs, as type checkers read it; a
    ``sys.version_info`` comparison (``<``, ``<=``, ``>``, ``>=`` with a tuple of numbers)
    holding alike on every Python 3 a FastAPI backend may run on (:data:`_PYTHONS`: the
    comparison is monotone between them); ``not``, ``and`` and ``or`` of those. Anything else
    (a setting, the main guard, a module's own ``TYPE_CHECKING``) is None.
    """
    if isinstance(test, ast.Constant):
        return bool(test.value)
    spelt = ast.unparse(test) if isinstance(test, ast.Name | ast.Attribute) else ""
    if flags.get(spelt) == "TYPE_CHECKING":
        return False
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _decided(test.operand, flags)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        settling = isinstance(test.op, ast.Or)  # `or` is settled by a true operand
        values = [_decided(value, flags) for value in test.values]
        if settling in values:
            return settling
        return None if None in values else not settling
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and flags.get(ast.unparse(test.left)) == "version_info"
        and isinstance(test.comparators[0], ast.Tuple)
    ):
        compare = _COMPARISONS.get(type(test.ops[0]))
        bound = tuple(
            item.value
            for item in test.comparators[0].elts
            if isinstance(item, ast.Constant) and type(item.value) is int
        )
        if compare is None or not 0 < len(bound) == len(test.comparators[0].elts) <= 3:
            return None
        oldest, newest = (compare(python, bound) for python in _PYTHONS)
        return bool(oldest) if oldest == newest else None
    return None


def imports_run_at_import(source: ModuleSource, raised: Collection[str]) -> Iterator[str]:
    """The dotted names the imports ``source`` runs whenever it is imported may name a module by.

    Those of its own top level, as :func:`failing_at_import`'s ``raise`` runs, and of the
    blocks that run with it: a ``try`` body (``except*`` too) when what its failing import
    raises leaves it and every ``try`` around it (:func:`_leaving`: no handler may take it
    without raising again, so no fallback skips the failing import), a ``finally``, and the
    branch of an ``if`` its text decides (:func:`_decided`: the ``else`` of ``if
    TYPE_CHECKING:``, ``if sys.version_info >= (3, 8):``). An import under another ``if``
    (``__name__ == "__main__"``, a setting), in a ``with`` body (``contextlib.suppress`` takes
    what its arguments name, and a context manager of the code's own may take anything), in a
    handler, an ``else``, a loop or a definition may not run, and is not named: a false
    refusal of a backend that starts is worse than patching one that cannot. ``import a.b``
    names ``a.b``; ``from a import b`` names ``a`` and ``a.b``; ``import_module("a.b")``
    called so names ``a.b``. A relative import is made absolute from the module's package. A
    module that does not parse names nothing.
    """
    try:
        tree = ast.parse(source.text)
    except PARSE_ERRORS:
        return
    flags: dict[str, str] | None = None  # read at the first `if`
    # Each block with the `try` statements whose bodies hold it (innermost last), and whether
    # what its failing import raises leaves them all. A block it may not leave is still read:
    # a `try` in it may be one its failure leaves (a handler raising what no `try` takes).
    blocks: list[tuple[list[ast.stmt], tuple[ast.Try | ast.TryStar, ...], bool]]
    blocks = [(tree.body, (), True)]
    while blocks:
        body, around, escapes = blocks.pop()
        for statement in body:
            if isinstance(statement, _TRIES):
                leaving: frozenset[str] | None = frozenset(raised)
                for held_in in (statement, *reversed(around)):
                    leaving = _leaving(held_in, leaving) if leaving is not None else None
                blocks.append((statement.body, (*around, statement), leaving is not None))
                blocks.append((statement.finalbody, around, escapes))
            elif isinstance(statement, ast.If):
                if flags is None:
                    flags = _library_flags(tree)
                runs = _decided(statement.test, flags)
                if runs is not None:
                    blocks.append((statement.body if runs else statement.orelse, around, escapes))
            elif not escapes:
                continue
            elif isinstance(statement, ast.Import):
                yield from (alias.name for alias in statement.names)
            elif isinstance(statement, ast.ImportFrom):
                base = _absolute_from(statement, source.package)
                if base is None:
                    continue
                yield base
                yield from (
                    f"{base}.{alias.name}" for alias in statement.names if alias.name != "*"
                )
            elif isinstance(statement, ast.Expr | ast.Assign | ast.AnnAssign) and isinstance(
                statement.value, ast.Call
            ):
                call = statement.value
                called = call.func.attr if isinstance(call.func, ast.Attribute) else None
                if isinstance(call.func, ast.Name):
                    called = call.func.id
                if (
                    called in ("import_module", "__import__")
                    and call.args
                    and isinstance(call.args[0], ast.Constant)
                    and isinstance(call.args[0].value, str)
                    and not call.args[0].value.startswith(".")
                ):
                    yield call.args[0].value


def modules_imported(text: str, package: str | None) -> Iterator[str]:
    """The dotted names the import statements of ``text`` may name a module by.

    ``import a.b as c`` names ``a.b``; ``from a import b`` names ``a`` and ``a.b`` (b may be a
    module of a). A relative import is made absolute from ``package`` (the importing module's
    own), or skipped when it is None. Read from the text: no module is parsed for this.
    """
    for match in import_lines(text):
        if match.group("modules") is not None:
            for part in match.group("modules").split(","):
                words = part.split()
                if words:
                    yield words[0]
            continue
        base = match.group("source")
        if match.group("dots"):
            if package is None:
                continue
            parts = package.split(".") if package else []
            up = len(match.group("dots")) - 1
            if up > len(parts):
                continue
            above = ".".join(parts[: len(parts) - up])
            base = ".".join(filter(None, (above, base)))
        if not base or not all(part.isidentifier() for part in base.split(".")):
            continue
        yield base
        names = re.sub(r"#[^\n]*", "", match.group("names")).strip("()\\ \t\n")
        for part in names.split(","):
            words = part.split()
            if words and words[0].isidentifier():
                yield f"{base}.{words[0]}"


def import_lines(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``IMPORT_LINE.finditer(text)``, trying only lines that hold ``import``.

    ``finditer`` tries the pattern at every character (its ``^`` is any line's start): 20 ms
    on a 38,000-line route module with a dozen imports at its top (measured with cProfile);
    ``str.find`` skips to the lines that can match in a hundredth of that. Every match holds
    ``import`` on its first line; one that starts inside the previous match (a parenthesised
    list of names) is skipped, as ``finditer`` skips it.
    """
    end = 0
    found = text.find("import")
    while found != -1:
        start = text.rfind("\n", 0, found) + 1
        match = IMPORT_LINE.match(text, start) if start >= end else None
        if match is not None:
            yield match
            end = match.end()
            found = text.find("import", max(end, found + 1))
            continue
        line_end = text.find("\n", found)
        found = -1 if line_end == -1 else text.find("import", line_end)


def _iterated_around(call: ast.Call, parents: dict[ast.AST, ast.AST]) -> list[ast.expr]:
    """What the loops and comprehensions around ``call`` iterate, innermost first.

    Up to the function or lambda holding it: a loop outside it runs the definition, not the call.
    """
    iterated: list[ast.expr] = []
    node: ast.AST = call
    while node in parents and not isinstance(node, FunctionNode | ast.Lambda):
        parent = parents[node]
        if isinstance(parent, ast.For | ast.AsyncFor) and node is not parent.iter:
            iterated.append(parent.iter)
        elif isinstance(parent, _COMPREHENSIONS):
            iterated.extend(generator.iter for generator in parent.generators)
        node = parent
    return iterated
