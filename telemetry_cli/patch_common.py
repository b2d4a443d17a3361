"""What the two libcst patchers share: the result type, parsing, import analysis and insertion.

Every edit here *inserts* whole statements and never rewrites an existing one, so a patched
file differs from the original by added lines only, and comments and formatting survive as is.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import libcst as cst

from telemetry_cli.errors import PatchError

#: The line length the inserted code is formatted for (the repository's ruff setting).
LINE_LENGTH = 100


@dataclass(frozen=True)
class PatchResult:
    """The outcome of patching one source file.

    Attributes:
        source: The new source; equal to the input when there was nothing to do.
        changes: One human-readable line per insertion, in source order.
        problems: Things the tool noticed but must not fix itself (the source is not changed
            for them), e.g. a handler that logs its event twice.
    """

    source: str
    changes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


def parse_module(source: str) -> cst.Module:
    """Parse ``source`` with libcst.

    Raises:
        PatchError: The source is not valid Python; the reason names the line and column.
    """
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        libcst_reason = (
            f"syntax error at line {error.editor_line}, column {error.editor_column}: "
            f"{error.message}"
        )
    # CPython's messages ("'(' was never closed") are clearer than the libcst parser's.
    try:
        ast.parse(source)
    except (SyntaxError, ValueError) as error:
        # A NUL byte gives a ValueError on some Python versions, and never has a position.
        line = getattr(error, "lineno", None)
        where = f" at line {line}, column {getattr(error, 'offset', None)}" if line else ""
        message = error.msg if isinstance(error, SyntaxError) else str(error)
        raise PatchError(f"syntax error{where}: {message}") from None
    raise PatchError(libcst_reason)


# --- names -------------------------------------------------------------------------------------


def dotted_name(node: cst.BaseExpression) -> str | None:
    """Return ``a.b.c`` for a chain of names and attributes, else ``None``."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def string_value(node: cst.BaseExpression | None) -> str | None:
    """Return the value of a plain (not f-, not bytes) string literal, else ``None``."""
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def call_argument(call: cst.Call, position: int | None, keyword: str) -> cst.BaseExpression | None:
    """Return the argument of ``call`` at ``position`` (if given) or passed as ``keyword=``."""
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    if position is not None and position < len(positional):
        return positional[position].value
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    return None


class _NameCollector(cst.CSTVisitor):
    """Every identifier that may be bound or read anywhere in a module."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        # `x.attr` does not read or bind a variable called `attr`.
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        # Neither does the keyword of `f(attr=...)`.
        node.value.visit(self)
        return False


def used_names(module: cst.Module) -> set[str]:
    """Return every identifier of ``module``, in any scope (a conservative "taken" set)."""
    collector = _NameCollector()
    module.visit(collector)
    return collector.names


def free_name(preferred: str, taken: set[str]) -> str:
    """Return ``preferred`` if no code uses it yet, else a similar name nothing uses."""
    candidates = [preferred, f"analytics_{preferred}"]
    candidates.extend(f"{preferred}_{number}" for number in range(2, 100))
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    raise PatchError(f"cannot find a free name for `{preferred}`")  # pragma: no cover


# --- imports -----------------------------------------------------------------------------------


def package_parts(module_name: str) -> list[str]:
    """Return the package holding ``module_name`` (for ``a.b.__init__``, ``a.b`` itself)."""
    return module_name.split(".")[:-1]


def resolve_from(module_name: str, node: cst.ImportFrom) -> str | None:
    """Return the absolute module an ``import from`` statement of ``module_name`` names."""
    name = dotted_name(node.module) if node.module is not None else ""
    if name is None:  # pragma: no cover - libcst only puts names and attributes there
        return None
    level = len(node.relative)
    if level == 0:
        return name
    base = package_parts(module_name)
    if level - 1 >= len(base):
        return None  # goes above the top-level package: Python would refuse it too
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def relative_module(module_name: str, target: str) -> str | None:
    """Return ``target`` written relative to ``module_name`` (``..analytics.x``), if possible."""
    package = package_parts(module_name)
    parts = target.split(".")
    common = 0
    while common < min(len(package), len(parts) - 1) and package[common] == parts[common]:
        common += 1
    if common == 0:
        return None
    return "." * (len(package) - common + 1) + ".".join(parts[common:])


def _import_statements(statements: Sequence[cst.CSTNode]) -> Iterator[cst.Import | cst.ImportFrom]:
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import | cst.ImportFrom):
                    yield small


class _ImportCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.imports: list[cst.Import | cst.ImportFrom] = []

    def visit_Import(self, node: cst.Import) -> None:
        self.imports.append(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.imports.append(node)


@dataclass(frozen=True)
class Imports:
    """What the names bound by a module's imports refer to, as absolute dotted names.

    ``everywhere`` covers imports in any scope (used to recognise existing code);
    ``top_level`` only the module's own top-level import lines (the names inserted code may use).
    """

    everywhere: dict[str, frozenset[str]]
    top_level: dict[str, frozenset[str]]
    relative: bool

    @classmethod
    def of(cls, module: cst.Module, module_name: str) -> Imports:
        """Analyse the imports of ``module``, whose import name is ``module_name``."""
        collector = _ImportCollector()
        module.visit(collector)
        relative = any(
            isinstance(node, cst.ImportFrom) and node.relative for node in collector.imports
        )
        return cls(
            everywhere=_bindings(collector.imports, module_name),
            top_level=_bindings(list(_import_statements(module.body)), module_name),
            relative=relative,
        )

    def qualify(self, node: cst.BaseExpression) -> frozenset[str]:
        """Return the absolute names ``node`` (a name or attribute chain) may refer to."""
        if isinstance(node, cst.Name):
            return self.everywhere.get(node.value, frozenset())
        if isinstance(node, cst.Attribute):
            attr = node.attr.value
            return frozenset(f"{base}.{attr}" for base in self.qualify(node.value))
        return frozenset()

    def refers_to(self, node: cst.BaseExpression, *targets: str) -> bool:
        """Whether ``node`` refers to one of ``targets`` through the module's imports."""
        return not self.qualify(node).isdisjoint(targets)

    def local_name_for(self, target: str) -> str | None:
        """Return a top-level name bound by an import to exactly ``target``, if any."""
        names = sorted(name for name, refs in self.top_level.items() if refs == {target})
        return names[0] if names else None


def _bindings(
    imports: Sequence[cst.Import | cst.ImportFrom], module_name: str
) -> dict[str, frozenset[str]]:
    bound: dict[str, set[str]] = {}
    for node in imports:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    bound.setdefault(alias.asname.name.value, set()).add(full)
                else:
                    # `import a.b` binds `a`; `a.b` is then reached through attributes.
                    head = full.split(".")[0]
                    bound.setdefault(head, set()).add(head)
        else:
            source = resolve_from(module_name, node)
            if source is None or isinstance(node.names, cst.ImportStar):
                continue
            for alias in node.names:
                name = dotted_name(alias.name) or ""
                local = name
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                bound.setdefault(local, set()).add(f"{source}.{name}")
    return {name: frozenset(refs) for name, refs in bound.items()}


@dataclass(frozen=True)
class NewImport:
    """A ``from <module> import <name> [as <alias>]`` line to add to a module."""

    module: str  # absolute (`app.analytics.x`) or relative (`.analytics.x`)
    name: str
    alias: str

    def code(self, newline: str, indent: str) -> str:
        """Render the statement as ``ruff format`` would, ending with ``newline``."""
        target = self.name if self.alias == self.name else f"{self.name} as {self.alias}"
        line = f"from {self.module} import {target}"
        if len(line) <= LINE_LENGTH:
            return line + newline
        return f"from {self.module} import ({newline}{indent}{target},{newline}){newline}"

    def sort_key(self) -> tuple[int, int, str]:
        """Where isort (ruff's ``I`` rules) puts this line among its section's imports."""
        dots = len(self.module) - len(self.module.lstrip("."))
        return (1, -dots, self.module.lstrip(".").lower())

    def section(self) -> str:
        """The isort section this import belongs to: its top-level package, or ``.``."""
        return "." if self.module.startswith(".") else self.module.split(".")[0]


def new_import(
    imports: Imports, module_name: str, target_module: str, name: str, alias: str
) -> NewImport:
    """Build the import of ``target_module.name``, relative when the module prefers that."""
    module = target_module
    if imports.relative:
        module = relative_module(module_name, target_module) or target_module
    return NewImport(module, name, alias)


def _import_line_key(statement: cst.SimpleStatementLine) -> tuple[tuple[int, int, str], str]:
    first = statement.body[0]
    if isinstance(first, cst.Import):
        name = dotted_name(first.names[0].name) or ""
        return (0, 0, name.lower()), name.split(".")[0]
    assert isinstance(first, cst.ImportFrom)
    name = (dotted_name(first.module) if first.module is not None else None) or ""
    dots = len(first.relative)
    return (1, -dots, name.lower()), "." if dots else name.split(".")[0]


def is_import_line(statement: cst.CSTNode) -> bool:
    """Whether ``statement`` is a top-level line made only of import statements."""
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, cst.Import | cst.ImportFrom) for small in statement.body
    )


def is_docstring(statement: cst.CSTNode) -> bool:
    """Whether ``statement`` is a string-only line (a docstring when it comes first)."""
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def insert_import(
    module: cst.Module, body: list[cst.BaseStatement], new: NewImport, limit: int
) -> None:
    """Insert ``new`` into ``body`` (a module's statements) before index ``limit``.

    It goes after the last top-level import that comes before ``limit``, at its sorted place
    within the imports of the same isort section, so that ``ruff check`` stays clean; an import
    opening a new section gets a blank line before it.
    """
    statement = cst.parse_statement(
        new.code(module.default_newline, module.default_indent), config=module.config_for_parsing
    )
    assert isinstance(statement, cst.SimpleStatementLine)
    imports = [index for index in range(limit) if is_import_line(body[index])]
    if not imports:
        position = 1 if body and is_docstring(body[0]) else 0
        if position:
            statement = statement.with_changes(leading_lines=[cst.EmptyLine()])
        body.insert(position, statement)
        return
    last = imports[-1]
    first = last
    while first > 0 and is_import_line(body[first - 1]):
        first -= 1
    members = []
    for index in range(first, last + 1):
        line = body[index]
        assert isinstance(line, cst.SimpleStatementLine)
        key, section = _import_line_key(line)
        if section == new.section():
            members.append((index, key))
    if not members:
        body.insert(last + 1, statement.with_changes(leading_lines=[cst.EmptyLine()]))
        return
    for index, key in members:
        if key > new.sort_key():
            if index == members[0][0]:
                # The blank line (and any comment) opening the section moves above the new line.
                following = body[index]
                assert isinstance(following, cst.SimpleStatementLine)
                statement = statement.with_changes(leading_lines=following.leading_lines)
                body[index] = following.with_changes(leading_lines=())
            body.insert(index, statement)
            return
    body.insert(members[-1][0] + 1, statement)


def index_of(body: Sequence[cst.CSTNode], node: cst.CSTNode) -> int:
    """Return the position of ``node`` in ``body`` by identity (nodes compare by identity)."""
    for index, statement in enumerate(body):
        if statement is node:
            return index
    raise ValueError("statement not found")  # pragma: no cover - a bug, not a user error


def string_literal(value: str) -> str:
    """Return ``value`` as a double-quoted Python string literal."""
    return json.dumps(value, ensure_ascii=False)


def display_width(text: str) -> int:
    """Return the width ruff gives to ``text`` (a tab counts as four columns)."""
    return len(text.expandtabs(4))
