"""Decide the line edits for one module: new imports, log calls, wiring statements.

Everything is decided from the :mod:`ast` model and written as whole-line insertions, laid out
as ``ruff format`` and ruff's import sorting would lay them out, so that a patched project stays
lint-clean and a removal can take out exactly what was added.
"""

import ast
import io
import re
import sys
import tokenize
from collections.abc import Callable, Sequence
from typing import NamedTuple, TypeGuard

from telemetry_cli.ast_literals import absolute_imports, runtime_imports
from telemetry_cli.errors import PatchError
from telemetry_cli.events import CONTEXT_PROPERTIES
from telemetry_cli.manifest import STUB_STATEMENTS, Stub
from telemetry_cli.patching.docstrings import after_docstring, is_docstring
from telemetry_cli.patching.routes import PATH_PARAMETER, Handler, Route, string_literal
from telemetry_cli.patching.source import Deletion, FileEdits, Insertion, SourceLines
from telemetry_cli.patching.style import (
    ImportWrap,
    YapfLayout,
    application_module,
    known_section,
)
from telemetry_cli.patching.symbols import (
    DualImports,
    FunctionNode,
    ModuleModel,
    PackageIndex,
    block_statements,
)

#: The comment that tells ruff an import below other code is meant to be there.
_E402_PRAGMA = "# noqa: E402"
# Patterns kept as source text (here and below) are compiled on first use, and cached, by
# `re`: an up-to-date `generate --check` never uses them (compiling at import cost every run).
#: A trailing noqa comment for every rule, or one whose list of codes names E402.
_NOQA_E402 = r"(?i)#\s*noqa(?::[\s\w,]*\bE402\b[\s\w,]*)?\s*$"

#: ruff's import sections, in order.
_FUTURE, _STDLIB, _THIRD_PARTY, _FIRST_PARTY, _LOCAL = range(5)


class NewImport(NamedTuple):
    """A ``from <module> import <name> [as <alias>]`` line to add."""

    module: str  # absolute (`app.analytics.x`) or relative (`.analytics.x`)
    name: str
    alias: str
    absolute: str = ""  # the module's absolute name (`app.analytics.x`)

    def lines(
        self,
        indent: str,
        line_length: int,
        pragma: str = "",
        outer: str = "",
        wrap: ImportWrap | None = None,
    ) -> tuple[str, ...]:
        """The statement as ``ruff format`` lays it out at ``line_length``.

        ``pragma``: a comment for its first line (``# noqa: E402``), which ruff's formatter
        leaves out of the line's width. ``outer``: the indentation of the statement itself
        (inside a ``try:`` block). ``wrap``: isort's layout instead, when isort sorts the
        module's imports.
        """
        target = self.name if self.alias == self.name else f"{self.name} as {self.alias}"
        line = f"{outer}from {self.module} import {target}"
        after = f"  {pragma}" if pragma else ""
        if display_width(line) <= (line_length if wrap is None else wrap.line_length):
            return (line + after,)
        if wrap is not None and wrap.mode:
            comma = "," if wrap.trailing_comma else ""
            if wrap.mode == "hanging":
                return (
                    f"{outer}from {self.module} import ({after}",
                    f"{outer}{indent}{target}{comma}",
                    outer + ")",
                )
            if wrap.use_parentheses:
                return (
                    f"{outer}from {self.module} import ({after}",
                    f"{outer}{indent}{target}{comma})",
                )
            return (f"{outer}from {self.module} import \\{after}", f"{outer}{indent}{target}")
        return (
            f"{outer}from {self.module} import ({after}",
            f"{outer}{indent}{target},",
            outer + ")",
        )

    def spelled(self, module: str) -> "NewImport":
        """The same import of ``module`` spelled another way (a dual-mode fallback)."""
        return NewImport(module, self.name, self.alias, self.absolute)

    def sort_key(
        self,
        within: bool = False,
        from_first: bool = False,
        relative: str = "furthest",
        length: str = "",
        cased: bool = False,
    ) -> tuple[int, int, int, str]:
        """Where ruff's import sorting puts this line among its section's imports.

        ``within``: the sorter orders plain and ``from`` imports together, by module
        (``force-sort-within-sections``); ``from_first``: ``from`` imports before plain ones;
        ``relative``: the order of relative imports; ``length``: shorter modules first, of
        every import (``"all"``), of plain ones (``"straight"``) or of the whole line (``"line"``);
        ``cased``: modules compared with their case (:class:`.style.FormatStyle`).
        """
        dots = len(self.module) - len(self.module.lstrip("."))
        rank = _kind_rank(True, within, from_first)
        if length == "line":
            target = self.name if self.alias == self.name else f"{self.name} as {self.alias}"
            return (rank, *_line_key(f"{self.module} import {target}"))
        module = self.module.lstrip(".")
        return (rank, *_module_key(dots, module, relative, length == "all", cased))


def import_sort_key(
    statement: ast.Import | ast.ImportFrom,
    within: bool = False,
    from_first: bool = False,
    relative: str = "furthest",
    length: str = "",
    cased: bool = False,
) -> tuple[int, int, int, str]:
    """The sort key of an existing import statement, comparable with :meth:`NewImport.sort_key`."""
    rank = _kind_rank(isinstance(statement, ast.ImportFrom), within, from_first)
    if length == "line":
        # isort writes each name of a plain import on a line of its own: the first here.
        if isinstance(statement, ast.Import):
            return (rank, *_line_key(_alias_text(statement.names[0])))
        names = " ".join(_alias_text(alias) for alias in statement.names)
        module = "." * statement.level + (statement.module or "")
        return (rank, *_line_key(f"{module} import {names}"))
    if isinstance(statement, ast.Import):
        name = statement.names[0].name
        return (rank, len(name) if length else 0, 0, name if cased else name.lower())
    module = statement.module or ""
    return (rank, *_module_key(statement.level, module, relative, length == "all", cased))


def _alias_text(alias: ast.alias) -> str:
    """An imported name as written: ``name`` or ``name as other``."""
    return alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"


def _line_key(text: str) -> tuple[int, int, str]:
    """The key isort sorts an import line by under ``length_sort`` within sections.

    ``text`` is the line without its ``from``/``import`` keyword and commas (``app.x import a
    b``): isort orders by its length, then by the text itself, naturally (a number in it as a
    number: ``v2`` before ``v10``), case kept as its default ``order_by_type`` keeps it.
    """
    natural = re.sub(r"\d+", lambda digits: digits.group().zfill(20), text)
    return (len(text), 0, natural)


def _module_key(
    dots: int, module: str, relative: str, length: bool, cased: bool = False
) -> tuple[int, int, str]:
    """The sort key of a ``from`` import's module, ``dots`` levels up, under ``relative``.

    ``length`` (ruff's ``length-sort``, isort's ``length_sort``): by the length of the module
    as written first, its dots counted (as ruff counts them). ``cased``: with its case (ruff's
    ``case-sensitive``: `app.Core` before `app.analytics`), else lowercased.
    """
    size = dots + len(module) if length else 0
    name = module if cased else module.lower()
    if relative == "text":
        # By the dotted name as written: `.` sorts before a letter, a shorter name first.
        return (size, 0, "." * dots + name)
    return (size, dots if relative == "closest" else -dots, name)


def _package(module: str) -> str | None:
    """The top-level package of an absolute import of ``module``; None for a relative one."""
    return None if module.startswith(".") else module.partition(".")[0]


def _statement_package(statement: ast.Import | ast.ImportFrom) -> str | None:
    """The top-level package ``statement`` imports from; None for a relative import."""
    if isinstance(statement, ast.Import):
        return _package(statement.names[0].name)
    return None if statement.level else _package(statement.module or "")


def _kind_rank(is_from: bool, within: bool, from_first: bool) -> int:
    """Where a kind of import sorts in its section: plain imports first, unless told otherwise."""
    if within:
        return 0
    return int(is_from != from_first)


# A type comment on a line of its own (PEP 484's `# type: (int) -> str`, `# type: ignore`).
_TYPE_COMMENT = re.compile(r"[ \t]*#[ \t]*type:")


def _spelled_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The dotted names an absolute import spells (see :func:`absolute_imports`).

    ``from src import items`` spells ``src.items`` too: the module ``items`` of the backend
    folder ``src``, imported from above it, which ``src`` alone does not say.
    """
    names = absolute_imports(node)
    if isinstance(node, ast.ImportFrom) and names:
        names += [f"{names[0]}.{alias.name}" for alias in node.names if alias.name != "*"]
    return names


class ModuleEditor:
    """Collects the edits of one module, then lays out its new imports all at once."""

    def __init__(self, module: ModuleModel, index: PackageIndex, first_party: str) -> None:
        """Start editing ``module``; ``first_party`` is the top-level package of the app."""
        self.module = module
        self.index = index
        self.first_party = first_party
        # The package the new imports are spelled from: the module's as the plan lays it out
        # now, when it was first read as the last run's layout had it (to take that code out).
        self.package = module.package
        # The package the module had in the last run's layout, when it was read there too: its
        # relative imports of the old layer resolve from there (see :meth:`imports`).
        self.former_package: str | None = None
        self.edits = FileEdits(module.path)
        self._imports: list[NewImport] = []
        # Imports that go at the head of a block of the module rather than at its top: the
        # app's branch, where its own FastAPI import is guarded (see :meth:`import_name`).
        self._block_imports: list[tuple[NewImport, tuple[ast.stmt, ...]]] = []
        self._import_limit: int | None = None  # the first top-level statement that uses one
        self._taken: set[str] = set()  # the names given out by free_name
        self._deleted: set[int] = set()  # ids of the statements taken out
        self._released: list[str] = []  # imported targets to take out once nothing uses them
        self._inserted_names: set[str] = set()  # names the inserted code reads
        self._rewritten: set[int] = set()  # deleted lines put back changed (a merged import)
        # Ids of inserted imports written again in the module's spelling (see :meth:`respell`).
        self._respelled: set[int] = set()
        # Problems reported by release, with the name of the import each is about.
        self._stuck: dict[str, str] = {}
        #: The stub statements the last run's log calls stood in for, by handler (see
        #: :func:`lone_stub`): put back by :meth:`refill`.
        self.stubs: dict[str, Stub] = {}
        # Handlers whose log call was taken out: (function, the call, its qualified name).
        self._refills: list[tuple[FunctionNode, ast.stmt, str]] = []
        # Lines of one-line suites edited in place: their spans' new text, and the line written.
        self._splices: dict[int, dict[tuple[int, int], str]] = {}
        self._spliced: dict[int, Insertion] = {}

    # --- names ----------------------------------------------------------------------------

    def local_name_for(self, target: str) -> str | None:
        """A module-level name bound by an import to exactly ``target``, if any."""
        names = sorted(
            binding.name
            for binding in self.module.scope.bindings.values()
            if binding.kind == "import" and binding.target == target
        )
        return names[0] if names else None

    def free_name(self, preferred: str) -> str:
        """``preferred`` if no code uses it yet, else a similar unused name."""
        candidates = [preferred, f"analytics_{preferred}"]
        candidates.extend(f"{preferred}_{number}" for number in range(2, 1000))
        for candidate in candidates:
            if candidate not in self._taken and not self._in_text(candidate):
                self._taken.add(candidate)
                return candidate
        raise AssertionError("no free name")  # pragma: no cover - a thousand taken names

    def _in_text(self, name: str) -> bool:
        """Whether ``name`` is a word of the module's text (not an attribute: ``x.name``).

        Words in strings and comments count too: a few names are avoided needlessly, and a
        search of the text costs far less than walking the syntax tree (or than collecting
        every word of a big module: 1 ms against 100 ms for 38,000 lines).
        """
        text = self.module.text
        going: set[int] | None = None
        # The name first, the character before it then: a pattern that starts with a
        # look-behind is tried at every position of the text (50 times slower).
        for match in re.finditer(rf"{re.escape(name)}(?!\w)", text):
            before = text[match.start() - 1 : match.start()]
            if not (before == "." or before == "_" or before.isalnum()):
                if going is None:
                    going = self._going_lines()
                if text.count("\n", 0, match.start()) + 1 not in going:
                    return True
        return False

    def _going_lines(self) -> set[int]:
        """The lines this editor takes out: deleted statements, and the imports it releases.

        A name used only there is free for new code: a layer that moved gets its imports under
        the names the old ones had, as a first generate would write them.
        """
        going = self.deleted_lines()
        released = set(self._released)
        for statement in self.module.statements:
            if isinstance(statement, ast.ImportFrom) and any(
                self.imports(statement, target) for target in released
            ):
                going.update(
                    range(statement.lineno, (statement.end_lineno or statement.lineno) + 1)
                )
        for dual in self.module.dual_imports:
            for first, second in dual.pairs:
                if any(self.imports(first, target) for target in released):
                    for item in (first, second):
                        going.update(range(item.lineno, (item.end_lineno or item.lineno) + 1))
        return going

    def import_name(
        self,
        target_module: str,
        name: str,
        preferred: str,
        used_at: ast.stmt,
        description: str | None = None,
        block: tuple[ast.stmt, ...] | None = None,
    ) -> str:
        """Import ``target_module.name`` (unless imported already) and return its local name.

        ``used_at`` is the top-level statement that uses it: the import goes above it. With
        ``block``, the import goes at the head of that block instead (after the imports it
        starts with): the branch that builds the app when the module's FastAPI import is
        guarded (``try: from fastapi import FastAPI`` / ``except ImportError:``), so that the
        other way through, FastAPI missing, does not import the layer's modules that need it.
        """
        local = self.local_name_for(f"{target_module}.{name}")
        if local is not None:
            self._limit(used_at)
            self.respell(target_module, name, local, used_at)
            return local
        spelling = self._module_spelling(target_module)
        for new in (*self._imports, *(new for new, _ in self._block_imports)):
            if (new.module, new.name) == (spelling, name):
                self._limit(used_at)
                return new.alias
        alias = self.free_name(preferred)
        return self.add_import(target_module, name, alias, used_at, description, block)

    def add_import(
        self,
        target_module: str,
        name: str,
        alias: str,
        used_at: ast.stmt,
        description: str | None = None,
        block: tuple[ast.stmt, ...] | None = None,
    ) -> str:
        """Add ``from target_module import name as alias`` above ``used_at``; return ``alias``.

        ``description`` names the import in the change message (default: ``name``); ``block``
        is where it goes instead (see :meth:`import_name`).
        """
        spelling = self._module_spelling(target_module)
        new = NewImport(spelling, name, alias, target_module)
        if block:
            self._block_imports.append((new, block))
        else:
            self._limit(used_at)
            self._imports.append(new)
        # "import `event_logger`", "import `x` as `y`", "import the telemetry router as `y`"
        what = description or f"`{name}`"
        if description or alias != name:
            what += f" as `{alias}`"
        self.edits.changes.append(f"import {what}")
        return alias

    def respell(self, target_module: str, name: str, local: str, used_at: ast.stmt) -> None:
        """Write the import of ``target_module.name`` as ``local`` again, in today's spelling.

        generate spells an import relative when the module's own code imports relatively (see
        :meth:`_module_spelling`); once the user switched the module's imports, the one an
        earlier run wrote goes over to the new spelling too, so that the module is what one
        generate makes of it now, whatever the order of the edits. It flips only with the
        user's own imports, not on each run. Only an import as generate writes it is written
        again: one name, at the module's level, on lines of its own, without a comment.
        """
        spelling = self._module_spelling(target_module)
        lines = self.module.lines
        for statement in self.module.tree.body:
            if not (
                isinstance(statement, ast.ImportFrom)
                and self.imports(statement, f"{target_module}.{name}")
                and (statement.names[0].asname or statement.names[0].name) == local
            ):
                continue
            written = "." * statement.level + (statement.module or "")
            end = statement.end_lineno or statement.lineno
            if (
                (written == spelling and self._laid_out(statement, spelling, name, local))
                or self.is_deleted(statement)
                or id(statement) in self._respelled
                or not (
                    lines.starts_at(statement.lineno, statement.col_offset)
                    and self._owns_lines(statement)
                )
                or any("#" in lines.line(number) for number in range(statement.lineno, end + 1))
            ):
                continue
            self._respelled.add(id(statement))
            self._released.append(f"{target_module}.{name}")
            self._limit(used_at)
            self._imports.append(NewImport(spelling, name, local, target_module))
            if written == spelling:
                self.edits.changes.append(f"lay out the import of `{local}` as configured now")
                continue
            how = "relative" if spelling.startswith(".") else "absolute"
            self.edits.changes.append(f"spell the import of `{local}` {how}, as the module does")

    def _laid_out(self, statement: ast.ImportFrom, spelling: str, name: str, local: str) -> bool:
        """Whether the import ``statement`` is laid out as generate writes it in this module now.

        Another layout (the formatter's settings changed since the import went in, and an
        older commit checked out brought the import back as it was then) makes :meth:`respell`
        write it again: the module is what one generate makes of it now.
        """
        lines = self.module.lines
        end = statement.end_lineno or statement.lineno
        written = tuple(lines.line(number) for number in range(statement.lineno, end + 1))
        wanted = NewImport(spelling, name, local).lines(
            self.module.indent_unit,
            self.module.style.line_length,
            wrap=self.module.style.import_wrap,
        )
        return written == wanted

    def _module_spelling(self, target: str) -> str:
        """``target`` as this module should import it: relative when the module does so.

        The module's imports of the layer (``target``'s package) are left out of that: they
        are generate's own, and would keep the spelling of the first run for good. Absolute
        where the project's ruff bans a relative import that far up (``TID252``):
        ``from ..analytics`` in a module importing only ``from .x``, under ruff's default
        ``ban-relative-imports = "parents"``. The absolute name is the one the tool writes in
        every module that imports absolutely (from the backend folder).
        """
        if not self._imports_relatively(target.rpartition(".")[0]):
            return self._rooted(target)
        package = self.package.split(".")
        parts = target.split(".")
        common = 0
        while common < min(len(package), len(parts) - 1) and package[common] == parts[common]:
            common += 1
        if common == 0:
            return target
        level = len(package) - common + 1
        banned = self.module.banned_relative_level
        if banned is not None and level >= banned:
            return target
        return "." * level + ".".join(parts[common:])

    def absolute_spelling(self, target: str) -> str:
        """``target`` as an absolute import of this module spells it: as its patches write it.

        The layer's ``app.analytics.event_logger`` is ``src.app.analytics.event_logger`` in a
        module whose imports name its package from the folder above the backend folder (see
        :meth:`_rooted`), and bare in a module served from inside the backend folder.
        """
        notes = list(self.edits.notes)
        try:
            return self._rooted(target)
        finally:
            # Asked for the documents: what the module's patches say of it was said already.
            self.edits.notes[:] = notes

    def _rooted(self, target: str) -> str:
        """``target`` spelled as the module's own absolute imports spell the app's package.

        A module importing its package by a name rooted above the backend folder
        (``from src.infrastructure.api.deps import x`` with the backend folder
        ``src/infrastructure``) runs from that folder above, where the bare name (``api``) is
        no package: the layer is imported by the rooted name too. Where the module spells its
        package both ways, or from two folders, its imports disagree: said, and spelled from
        the backend folder. So too where the modules the app imports disagree, with each other
        or with this one: one spelling a project, or the layer would load twice, as two modules.
        """
        top = target.split(".")[0]
        layer = target.rpartition(".")[0]
        going = self._going_lines()
        spellings: set[str] = set()
        for node in runtime_imports(self.module.tree.body):
            if node.lineno in going:
                continue
            names = _spelled_names(node)
            if names:
                spellings.update(self._spellings(names, top, layer))
        own = len(spellings) > 1
        if not spellings or any(spellings):
            # As the modules the app imports spell it (one spelling a project); a module of bare
            # imports only is spelled bare whatever they say: the app's import walk, tens of
            # milliseconds in a check, is not needed for it.
            spellings |= self._package_spellings(top, layer)
        rooted = sorted(prefix for prefix in spellings if prefix)
        if not rooted or self.index.served_inside():
            # Served from inside the backend folder (`WORKDIR /app`, `COPY backend/ .`,
            # `uvicorn main:app`), a rooted name is no module there: the app would not start.
            return target
        if len(spellings) == 1:
            return f"{rooted[0]}.{target}"
        if self._flat(top, layer):
            ways = ", ".join(f"`{qualified}.`" for qualified in rooted)
            what = f"the backend folder's modules both with {ways} in front and without"
        else:
            ways = ", ".join(f"`{qualified}.{top}`" for qualified in rooted)
            what = f"the package `{top}` both as {ways} and as `{top}`"
        whose = "its imports spell" if own else "the modules the app imports spell"
        note = (
            f"{self.module.path}: {whose} {what}: the layer is imported as "
            f"`{target}`, which runs from the backend folder only; spell them one way"
        )
        if note not in self.edits.notes:
            self.edits.notes.append(note)
        return target

    def _package_spellings(self, top: str, layer: str) -> frozenset[str]:
        """How the app's modules spell ``top`` in their absolute imports (see ``_rooted``).

        The modules the served app imports (:meth:`PackageIndex.app_imports`), by the imports
        each runs when imported (:func:`runtime_imports`): a script beside them (``python -m
        backend.seed`` importing ``from backend.main import app``), an import inside a
        function or under ``if TYPE_CHECKING:`` or a ``__main__`` guard says nothing of how the
        app runs. Read once a run.
        """
        found = self.index.package_spellings.get(top)
        if found is not None:
            return found
        folder = self.index.backend_folder
        rooted = re.compile(
            rf"^[ \t]*(?:from|import)\b[^\n#]*?\b(?:{'|'.join(map(re.escape, folder))})"
            r"(?:\.|[ \t]+import\b)",
            re.M,
        )
        if not folder or not any(
            rooted.search(source.text)
            for source in map(self.index.source, self.index.package)
            if source is not None
        ):
            # A rooted name starts with a part of the backend folder's path (``src.routes``,
            # ``from src import routes``), and no import line of the package's modules names
            # one: bare, without the app's import walk (most projects; tens of milliseconds of
            # an up-to-date check, bench/RESULTS.md of session 47).
            self.index.package_spellings[top] = frozenset()
            return frozenset()
        spellings: set[str] = set()
        # A text probe for the package's name; the flat layout's modules have a name each.
        probe = None if self._flat(top, layer) else top
        for name in self.index.app_imports():
            source = self.index.source(name)
            if source is None or (probe is not None and probe not in source.text):
                continue
            model = self.index.module(name)
            if model is None:
                continue
            names = [
                imported
                for node in runtime_imports(model.tree.body)
                for imported in _spelled_names(node)
            ]
            spellings.update(self._spellings(names, top, layer))
        found = frozenset(spellings)
        self.index.package_spellings[top] = found
        return found

    def _spellings(self, names: list[str], top: str, layer: str) -> set[str]:
        """The folder prefixes (see ``_split_rooted``) ``names`` import the package ``top`` by.

        "" for a bare name, also where the backend folder's own name is ``top`` (``app.core``
        in the folder ``app``: read first as inside it, as the reader does). Names of the layer
        ``layer``, or of the one the last run wrote, are generate's own: left out. The
        package's names are those of :meth:`_own_tops`: in the flat layout, the folder's
        modules (``from src.routes import x`` spells them with ``src`` in front).
        """
        tops = self._own_tops(top, layer)
        found: set[str] = set()
        for name in names:
            if self.index.layer_of(name) is not None:
                continue
            first = name.split(".")[0]
            prefix, inside = ("", name) if first in tops else self._split_rooted(name)
            if inside.split(".")[0] in tops and not (inside + ".").startswith(layer + "."):
                found.add(prefix)
        return found

    @staticmethod
    def _flat(top: str, layer: str) -> bool:
        """Whether the layer ``layer`` is at the top of the backend folder (no app package)."""
        return layer == top

    def _own_tops(self, top: str, layer: str) -> frozenset[str]:
        """The first names the app's own modules are imported by, from the backend folder.

        The app's package ``top``; in the flat layout, where the layer is ``top`` itself, each
        module and package of the folder but the layer (``routes`` of ``src/routes.py``).
        """
        if not self._flat(top, layer):
            return frozenset({top})
        return frozenset(name.split(".")[0] for name in self.index.package) - {top}

    def _split_rooted(self, name: str) -> tuple[str, str]:
        """``name`` as (folder prefix above the backend folder, name inside it); "" if none.

        ``src.infrastructure.api.deps`` is (``src.infrastructure``, ``api.deps``) for the
        backend folder ``src/infrastructure`` (and ``infrastructure.api.deps`` is
        (``infrastructure``, ``api.deps``)): the longest tail of the folder that starts it.
        """
        parts = name.split(".")
        folder = self.index.backend_folder
        for start in range(len(folder)):
            above = list(folder[start:])
            if len(parts) > len(above) and parts[: len(above)] == above:
                return ".".join(above), ".".join(parts[len(above) :])
        return "", name

    def _imports_relatively(self, layer: str) -> bool:
        """Whether the module imports relatively anything but the package ``layer``.

        An import this run takes out (an older layer's, the layer moved) is left out too: it
        would make the new one relative for one run, and the next would respell it.
        """
        if not self.module.uses_relative_imports:
            return False
        relative = [
            node
            for node in self.module.statements
            if isinstance(node, ast.ImportFrom)
            and node.level > 0
            and not self._of_layer(node, layer)
        ]
        if not relative:
            return False
        going = self._going_lines()
        return any(node.lineno not in going for node in relative)

    def _of_layer(self, statement: ast.ImportFrom, layer: str) -> bool:
        """Whether the relative import ``statement`` imports from the package ``layer``.

        Read from the module's package, and from the one it had in the last run's layout.
        """
        for package in (self.package, self.former_package):
            if package is None:
                continue
            parts = package.split(".") if package else []
            up = statement.level - 1
            if up > len(parts):
                continue
            base = ".".join([*parts[: len(parts) - up], *filter(None, [statement.module])])
            names = [base, *(f"{base}.{alias.name}".lstrip(".") for alias in statement.names)]
            if any(name == layer or name.startswith(f"{layer}.") for name in names):
                return True
        return False

    def _limit(self, statement: ast.stmt) -> None:
        body = self.module.tree.body
        line = statement.lineno
        for position, top in enumerate(body):
            if top.lineno <= line <= (top.end_lineno or top.lineno):
                if self._import_limit is None or position < self._import_limit:
                    self._import_limit = position
                return

    # --- statements -------------------------------------------------------------------------

    def insert(
        self,
        before: int,
        lines: tuple[str, ...],
        order: tuple[object, ...] = (),
        reads: tuple[str, ...] = (),
    ) -> None:
        """Insert ``lines`` before line ``before``; ``reads`` are the names they use."""
        self.edits.insertions.append(Insertion(before, lines, order))
        self._inserted_names.update(reads)

    def delete(self, statement: ast.stmt) -> None:
        """Take out a statement (all its lines; it must have them to itself).

        One in a one-line suite (``def f(): <call>; return x``) goes with its ``;`` alone (see
        :func:`inline_cut`), the rest of its line as it was.
        """
        self._deleted.add(id(statement))
        cut = inline_cut(self.module, statement)
        if cut is not None:
            self.splice(*cut, "")
            return
        self.edits.deletions.append(Deletion(first_line(statement), statement.end_lineno or 0))

    def take_inline_stub(self, stub: "InlineStub") -> None:
        """Take the stub off its ``def`` line, which keeps its header (and comment) alone."""
        self._deleted.add(id(stub.statement))
        self._rewrite_line(stub.statement.lineno, stub.header)

    def splice(
        self, number: int, start: int, end: int, text: str, reads: tuple[str, ...] = ()
    ) -> str:
        """Write ``text`` in place of bytes ``start`` to ``end`` of line ``number``.

        For a one-line suite (see :func:`inline_spot`).

        ``reads``: the names ``text`` uses. The line is written anew from what it was and every
        splice of it so far; a second splice of the same bytes takes the first one's place.
        Returns the line as it is now written.
        """
        spans = self._splices.setdefault(number, {})
        for first, last in spans:
            # Every edit of the line is measured on the line as it was: two may not overlap
            # (an insertion may only touch a cut at its ends), or the later one is misplaced.
            overlapping = (first, last) != (start, end) and (
                first < start < last or first < end < last or start < first < end
            )
            if overlapping:
                raise PatchError(
                    f"{self.module.path}:{number}: two edits of this line overlap; nothing was "
                    "written: this is a fault of telemetry-scaffold, please report it"
                )
        spans[(start, end)] = text
        line = self.module.lines.line(number).encode("utf-8")
        for (first, last), new in sorted(spans.items(), reverse=True):
            line = line[:first] + new.encode("utf-8") + line[last:]
        previous = self._spliced.get(number)
        if previous is None:
            self.edits.deletions.append(Deletion(number, number))
            self._rewritten.add(number)
        else:
            self.edits.insertions.remove(previous)
        written = line.decode("utf-8", "replace")
        insertion = Insertion(number, (written,))
        self.edits.insertions.append(insertion)
        self._spliced[number] = insertion
        self._inserted_names.update(reads)
        return written

    def replace_inline(self, statement: ast.stmt, text: str, reads: tuple[str, ...]) -> bool:
        """Write ``text`` in place of ``statement`` in its one-line suite; False if it is in none.

        Taken out already (see :meth:`delete`), it is put back as ``text``.
        """
        cut = inline_cut(self.module, statement)
        if cut is None:
            return False
        number, start, end = cut
        line = self.module.lines.line(number).encode("utf-8")
        column, close = statement.col_offset, statement.end_col_offset or 0
        # The separator cut with it stays: `<call>; ` or `; <call>`.
        kept = (line[start:column], line[close:end])
        new = kept[0].decode("utf-8") + text + kept[1].decode("utf-8")
        self._deleted.add(id(statement))
        self.splice(number, start, end, new, reads)
        return True

    def _rewrite_line(self, number: int, text: str) -> None:
        """Write line ``number`` anew as ``text``."""
        self.edits.deletions.append(Deletion(number, number))
        self.insert(number, (text,))
        self._rewritten.add(number)

    def _header_colon(self, function: FunctionNode, call: ast.stmt) -> tuple[int, int] | None:
        """The line ending ``function``'s header just above ``call``, and the end of its colon.

        None when comments or other lines stand between them, or the header does not read.
        """
        lines = self.module.lines
        last = first_line(call) - 1
        if last < function.lineno:
            return None
        header = "\n".join(lines.line(number) for number in range(function.lineno, last + 1))
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(header + "\n").readline))
        except (tokenize.TokenError, SyntaxError):
            return None
        colons = [token for token in tokens if token.type == tokenize.OP and token.string == ":"]
        if not colons or colons[-1].end[0] != last - function.lineno + 1:
            return None
        return last, colons[-1].end[1]

    def refill(self, function: FunctionNode, call: ast.stmt, qualname: str) -> None:
        """The log call ``call`` of ``function`` was taken out: its stub goes back if it had one.

        Decided at :meth:`finish`: only when nothing else is left of the body (a docstring
        aside) and no new call went in instead; the statement the record keeps for the handler,
        else ``pass`` where the body would be empty (the stub taken out by a linter's fix).
        """
        self._refills.append((function, call, qualname))

    def _refill(self) -> None:
        for function, call, qualname in self._refills:
            body = after_docstring(function.body)
            if not all(self.is_deleted(statement) for statement in body):
                continue
            # From below the `def` line: a new call goes above the comments opening the body.
            first, last = function.lineno, function.end_lineno or function.lineno
            if any(first < insertion.before <= last for insertion in self.edits.insertions):
                continue  # a new call goes in its place
            stub = self.stubs.get(qualname)
            if stub is None and len(body) == len(function.body):
                stub = Stub("pass")
            if stub is None:
                continue
            colon = self._header_colon(function, call) if stub.inline else None
            if colon is not None:
                # Back on the `def` line it came from, after the colon, before any comment.
                number, column = colon
                text = self.module.lines.line(number)
                self._rewrite_line(number, text[:column] + stub.text() + text[column:])
            else:
                # On a line of its own (for one from the `def` line: its header moved since).
                indent = self.module.lines.indentation(call.lineno)
                self.insert(call.lineno, (indent + stub.statement,))
            self.edits.changes.append(f"put back `{stub.statement}` in {qualname}")

    def deleted_lines(self) -> set[int]:
        """The numbers of the lines taken out so far (not those of one-line suites spliced)."""
        return {
            number
            for deletion in self.edits.deletions
            for number in range(deletion.first, deletion.last + 1)
        } - self._spliced.keys()

    def _spliced_out(self, node: ast.expr) -> bool:
        """Whether ``node`` is in bytes of a one-line suite's line that :meth:`splice` replaced."""
        spans = self._splices.get(node.lineno, {})
        return any(start <= node.col_offset < end for start, end in spans)

    def gone_lines(self) -> set[int]:
        """The lines taken out for good: deleted, and not put back changed (see ``_cut``)."""
        return self.deleted_lines() - self._rewritten

    def is_deleted(self, statement: ast.stmt) -> bool:
        """Whether :meth:`delete` took ``statement`` out."""
        return id(statement) in self._deleted

    def said_at(self, line: int) -> bool:
        """Whether a problem already names ``line`` of the module: each is said in one line."""
        where = f"{self.module.path}:{line}: "
        return any(problem.startswith(where) for problem in self.edits.problems)

    def move_import(self, target: str, target_module: str, name: str, used_at: ast.stmt) -> bool:
        """Import ``target_module.name`` under the name a module-level import binds to ``target``.

        That import goes (whoever reads its name reads the new one): code of the tool's that
        this run may not edit, as a call in a handler marked skip, follows a layer that moved.
        False, changing nothing, when no single module-level ``from`` import binds ``target``
        or ``target_module.name`` is imported already.
        """
        local = self.local_name_for(target)
        found = self._imports_of(target)
        if local is None or len(found) != 1 or len(found[0][0].names) != 1:
            return False  # none, several, or merged with other names by a sorter: left as is
        if self.local_name_for(f"{target_module}.{name}") is not None:
            return False  # imported already (by the user): which name to read is theirs
        statement = found[0][0]
        if self.module.block_of(statement) is not self.module.tree.body:
            return False  # in a block or function of the user's: not the tool's to move
        self._respelled.add(id(statement))
        self._released.append(target)
        self.add_import(target_module, name, local, used_at)
        return True

    def release_shadowed(self, target: str, by: str) -> None:
        """Take out the import of ``target`` whose name an import of ``by`` binds as well.

        Two branches' wiring merged into one module imports the router (or hook) of two layers
        under one name, for one include: the one of ``by`` stays, the other is dead code.
        """
        bound = {alias.asname or alias.name for _, alias in self._imports_of(by)}
        for statement, alias in self._imports_of(target):
            if len(statement.names) == 1 and (alias.asname or alias.name) in bound:
                self._respelled.add(id(statement))
        self._released.append(target)

    def release(self, target: str) -> None:
        """Take out the import of ``target`` at the end, if nothing else then reads its name.

        An import that could not go by whole lines is reported now, so that the caller sees the
        problem (and keeps its record of what is left to take out); :meth:`finish` withdraws the
        report when code inserted later reads the name after all.
        """
        self._released.append(target)
        for statement, alias in self._imports_of(target):
            if (
                not self._name_read(alias.asname or alias.name)
                and self._cut(statement, alias) is None
            ):
                problem = self._stuck_problem(alias)
                if problem not in self._stuck:
                    self._stuck[problem] = alias.asname or alias.name
                    self.edits.problems.append(problem)

    def finish(self) -> FileEdits:
        """Lay out the collected imports and return every edit of the module."""
        self._refill()
        for problem, local in self._stuck.items():
            if self._name_read(local):  # read by code inserted since: the import stays
                self.edits.problems.remove(problem)
        for target in dict.fromkeys(self._released):
            self._drop_import(target)
        if self._imports:
            self._place_imports()
        if self._block_imports:
            self._place_block_imports()
        return self.edits

    def _drop_import(self, target: str) -> None:
        """Take out ``from m import n [as x]`` of ``target`` when ``x`` is no longer read.

        The line goes with the blank line that set it apart when it was alone in its section,
        the reverse of how :meth:`_place_imports` adds one, so that a removal gives back the
        bytes from before the insertion.
        """
        lines = self.module.lines
        for dual in self.module.dual_imports:
            for first, second in dual.pairs:
                if self.imports(first, target) and not self._still_read(first):
                    self._drop_dual(dual, first, second)
        deleted_lines = self.deleted_lines()
        in_duals = {
            id(item) for dual in self.module.dual_imports for pair in dual.pairs for item in pair
        }
        # The module's imports, and those of its blocks and functions (see `_place_block_imports`).
        for statement in self.module.statements:
            if not isinstance(statement, ast.ImportFrom) or id(statement) in in_duals:
                continue
            if self.is_deleted(statement):
                continue
            block = self.module.block_of(statement)
            if len(statement.names) > 1:
                # An import sorter merged the inserted import into one of the same module.
                self._drop_merged(statement, target)
                continue
            if not self.imports(statement, target) or (
                self._still_read(statement) and id(statement) not in self._respelled
            ):
                continue
            end = statement.end_lineno or statement.lineno
            if not (
                lines.starts_at(statement.lineno, statement.col_offset)
                and self._owns_lines(statement)
            ):
                self._cannot_take_apart(statement.names[0])
                continue
            self.delete(statement)
            deleted_lines.update(range(statement.lineno, end + 1))
            previous, following = statement.lineno - 1, end + 1
            while previous in deleted_lines:
                previous -= 1
            while following in deleted_lines:
                following += 1
            import_lines = self._import_lines(block) - deleted_lines
            # An import below it with comment lines of its own in between is in its section too.
            attached = following
            while lines.is_comment(attached) and attached not in deleted_lines:
                attached += 1
            if previous in import_lines or attached in import_lines:
                continue  # it shared a section: no blank line of its own
            # The blank line _place_imports added with it: before a section placed after other
            # imports or a docstring, after one placed above other code. The two blank lines
            # around it may differ in their bytes (line endings, a form feed, spaces).
            candidates = [following, previous]
            if self._placed_after(statement):
                candidates.reverse()
            for blank in candidates:
                if lines.is_blank(blank) and blank not in deleted_lines:
                    self.edits.deletions.append(Deletion(blank, blank))
                    deleted_lines.add(blank)
                    break

    def _imports_of(self, target: str) -> list[tuple[ast.ImportFrom, ast.alias]]:
        """The ``from m import ...`` statements importing ``target``, with its name.

        Those of the module's level, and of its blocks and functions (an app's guarded branch).
        """
        return [
            (statement, alias)
            for statement in self.module.statements
            if isinstance(statement, ast.ImportFrom)
            for alias in statement.names
            if self._imports_name(statement, alias.name, target)
        ]

    def _drop_merged(self, statement: ast.ImportFrom, target: str) -> None:
        """Take the name of ``target`` out of ``from m import a, b``, keeping the other names."""
        for alias in statement.names:
            if not self._imports_name(statement, alias.name, target):
                continue
            if self._name_read(alias.asname or alias.name):
                continue
            cut = self._cut(statement, alias)
            if cut is None:
                self._cannot_take_apart(alias)
                return
            number, line = cut
            self.edits.deletions.append(Deletion(number, number))
            if line.strip(" \t\f"):
                self.insert(number, (line,))
                self._rewritten.add(number)
            return  # one name a statement: its line changed, and the next cut would read it

    def _cut(self, statement: ast.ImportFrom, alias: ast.alias) -> tuple[int, str] | None:
        """How ``alias`` comes out of ``statement``: a line and what it becomes (empty: gone).

        The whole statement, for an import of that name alone; for an import sorter's merge of
        several names (``from m import a, b``), the name with the comma that joins it to its
        neighbour on its line, so that the statement keeps the layout the user's tools gave
        it. None when that cannot be done by lines: the statement shares a line with other code
        (``import os; from m import a``), or the cut would leave a comment of the user's alone,
        or the statement would read differently than without the name.
        """
        lines = self.module.lines
        if not (
            lines.starts_at(statement.lineno, statement.col_offset) and self._owns_lines(statement)
        ):
            return None
        if len(statement.names) == 1:
            return statement.lineno, ""
        number = alias.lineno
        if alias.end_lineno != number or number in self.deleted_lines():
            return None
        line = lines.line(number).encode("utf-8")  # ast columns count UTF-8 bytes
        start, end = alias.col_offset, alias.end_col_offset or alias.col_offset
        after = re.match(rb"\s*,[ \t]*", line[end:])
        before = re.search(rb",\s*$", line[:start])
        # With the comma before it, when a name precedes it on its line (its own comma, if
        # any, then ends that name); else with the comma after it.
        if before is not None:
            start = before.start()
        elif after is not None:
            end += after.end()
        else:
            return None
        cut = (line[:start] + line[end:]).decode("utf-8")
        if cut.strip(" \t\f").startswith("#"):
            return None  # the user's note on that name
        # The statement as it will read, checked to import the other names and nothing else.
        last = statement.end_lineno or statement.lineno
        text = "\n".join(
            cut if at == number else lines.line(at) for at in range(statement.lineno, last + 1)
        ).lstrip(" \t\f")
        try:
            rewritten = ast.parse(text).body
        except SyntaxError:
            return None
        remaining = [ast.dump(item) for item in statement.names if item is not alias]
        if not (
            len(rewritten) == 1
            and isinstance(rewritten[0], ast.ImportFrom)
            and [ast.dump(item) for item in rewritten[0].names] == remaining
        ):
            return None
        return number, cut

    def _stuck_problem(self, alias: ast.alias) -> str:
        return (
            f"{self.module.path}:{alias.lineno}: the import of `{alias.name}` is no longer "
            "used, but shares its line with other code; take it out by hand"
        )

    def _cannot_take_apart(self, alias: ast.alias) -> None:
        """Report an import of the layer no longer used that cannot go by whole lines."""
        problem = self._stuck_problem(alias)
        if problem not in self._stuck:  # else reported by release
            self.edits.problems.append(problem)

    def _imports_name(self, statement: ast.ImportFrom, name: str, target: str) -> bool:
        """Whether ``name`` imported by ``statement`` is ``target`` (as :meth:`imports`)."""
        packages = {None, self.former_package} if statement.level else {None}
        return any(
            f"{self.module.absolute_import(statement, package)}.{name}" == target
            for package in packages
        )

    def imports(self, statement: ast.ImportFrom, target: str) -> bool:
        """Whether ``statement`` is ``from m import n [as x]`` of ``target`` (``m.n``).

        A relative import is read from the module's package, and from the one it had in the
        last run's layout: ``from ..analytics.event_logger import event_logger``, written in
        ``app.api.routes``, climbs out of ``api.routes`` of the flat layout (it names nothing
        there), and is still the import to take out.
        """
        return len(statement.names) == 1 and self._imports_name(
            statement, statement.names[0].name, target
        )

    def _still_read(self, statement: ast.ImportFrom) -> bool:
        """Whether code that stays (or inserted code) reads the name ``statement`` binds."""
        return self._name_read(statement.names[0].asname or statement.names[0].name)

    def _name_read(self, local: str) -> bool:
        """Whether code that stays (or inserted code) reads the module-level name ``local``."""
        deleted_lines = self.deleted_lines()
        # Inserted code reads the name through this import, unless a new import rebinds it
        # (the layer moved: the new import takes the old one's name).
        rebound = any(new.alias == local for new in self._imports)
        return (local in self._inserted_names and not rebound) or any(
            isinstance(node, ast.Name)
            and node.id == local
            and node.lineno not in deleted_lines
            and not self._spliced_out(node)
            for node in self.module.nodes_near([local])
        )

    def _drop_dual(self, dual: DualImports, first: ast.ImportFrom, second: ast.ImportFrom) -> None:
        """Take out one import of a dual-mode block and its fallback; the block, once empty.

        The block goes with the blank line above it (below it when there is none), the reverse
        of how :meth:`_place_dual` adds one, so that a removal gives back the bytes from before.
        """
        module = self.module
        if self.is_deleted(first) or not (module.owns_lines(first) and module.owns_lines(second)):
            return
        statement = dual.statement
        last = all(self.is_deleted(item) for item, _ in dual.pairs if item is not first)
        if last and not module.owns_lines(statement):
            return  # `x = 1; try:` cannot go by lines, nor can a `try:` be left empty
        self.delete(first)
        self.delete(second)
        if not last:
            return
        self.delete(statement)
        deleted_lines = self.deleted_lines()
        lines = module.lines
        for blank in (first_line(statement) - 1, (statement.end_lineno or statement.lineno) + 1):
            if lines.is_blank(blank) and blank not in deleted_lines:
                self.edits.deletions.append(Deletion(blank, blank))
                break

    def _placed_after(self, statement: ast.stmt) -> bool:
        """Whether ``statement``, an import section of its own, went after what is above it.

        As :meth:`_place_imports` places one after the import block or a docstring (with a
        blank line above it), rather than above the statement below it (a blank line under it).
        """
        body = self.module.block_of(statement)
        index = next(position for position, item in enumerate(body) if item is statement)
        later = body[index + 1] if index + 1 < len(body) else None
        if isinstance(later, ast.Import | ast.ImportFrom) and not self.is_deleted(later):
            return False  # before the sections that sort after it
        earlier = body[index - 1] if index > 0 else None
        return isinstance(earlier, ast.Import | ast.ImportFrom) or (
            earlier is not None
            and index == 1
            and body is self.module.tree.body
            and is_docstring(earlier)
        )

    def _owns_lines(self, statement: ast.stmt) -> bool:
        """Whether no other statement shares a line with ``statement``."""
        end = statement.end_lineno or statement.lineno
        return not any(
            other is not statement
            and (other.end_lineno or other.lineno) >= statement.lineno
            and other.lineno <= end
            for other in self.module.block_of(statement)
        )

    def _import_lines(self, block: list[ast.stmt] | None = None) -> set[int]:
        """The lines of the import statements of ``block`` (the module's top level)."""
        return {
            number
            for statement in (self.module.tree.body if block is None else block)
            if isinstance(statement, ast.Import | ast.ImportFrom)
            for number in range(statement.lineno, (statement.end_lineno or statement.lineno) + 1)
        }

    def _place_imports(self) -> None:
        body = self.module.tree.body
        lines = self.module.lines
        limit = len(body) if self._import_limit is None else self._import_limit
        indent = self.module.indent_unit
        length, wrap = self.module.style.line_length, self.module.style.import_wrap
        if self._place_dual(limit):
            return
        # Not among imports taken out in this run (those of a layer that moved).
        block = _import_block(body, limit, lambda item: id(item) not in self._deleted, self._is_own)
        if not block:
            # No import to join: after the docstring (or at the top), as a section of its own.
            new_lines = [
                line
                for new in self._sorted_imports()
                for line in new.lines(indent, length, wrap=wrap)
            ]
            if body and is_docstring(body[0]) and limit > 0:
                self.insert((body[0].end_lineno or body[0].lineno) + 1, ("", *new_lines))
            elif body:
                # Above the first statement, below any header comment (shebang, licence).
                self.insert(first_line(body[0]), (*new_lines, ""))
            else:
                self.insert(len(lines) + 1, tuple(new_lines))
            return
        pragma = _E402_PRAGMA if all(self._waives_e402(item) for item in block) else ""
        order, single = self.module.style.section_order, self.module.style.no_sections
        names = self.module.style.section_names()

        def bucket(rank: int) -> int:
            # With no-sections, one section holds every import but the `__future__` ones.
            return _THIRD_PARTY if single and rank != _FUTURE else rank

        def place(rank: int) -> int:
            # Where a section goes among the others, in the order the sorter keeps them.
            return order.index(names[rank])

        sections: dict[int, list[NewImport]] = {}
        for new in self._sorted_imports():
            sections.setdefault(bucket(self._rank_of_new(new)), []).append(new)
        for rank, news in sections.items():
            members = [item for item in block if bucket(self._rank(item)) == rank]
            if members:
                # Each new import at its sorted place among the section's imports.
                self._insert_sorted(
                    members,
                    [(new, new.lines(indent, length, pragma, wrap=wrap)) for new in news],
                )
                continue
            section = tuple(
                line for new in news for line in new.lines(indent, length, pragma, wrap=wrap)
            )
            higher = [item for item in block if place(bucket(self._rank(item))) > place(rank)]
            if higher:
                # A section of its own, before the sections that sort after it; set apart by a
                # blank line, unless the module runs the sections around it together (a blank
                # line there would not come out with the import: see `_drop_import`).
                before = _above_comments(lines, higher[0].lineno)
                # Lines taken out in this run (a moved layer's imports) are not neighbours.
                going = self.deleted_lines()
                above = before - 1
                while above in going:
                    above -= 1
                joined = above in self._import_lines() - going
                self.insert(before, section if joined else (*section, ""), (rank,))
            else:
                last = block[-1]
                # No blank line above a section the sorter joins to the one above it.
                joined = names[rank] in self.module.style.joined_sections
                lead: tuple[str, ...] = () if joined else ("",)
                self.insert((last.end_lineno or last.lineno) + 1, (*lead, *section), (rank,))

    def _place_block_imports(self) -> None:
        """Lay out the imports given a block (see :meth:`import_name`) at the block's head.

        Sorted into the package's own imports the block starts with; else after the imports
        it starts with, as a section of their own (a blank line above); else above its first
        statement, with the blank line ruff's formatter wants after a nested import block.
        :meth:`_drop_import` takes that blank line out with the last of them.
        """
        module = self.module
        unit, length, wrap = module.indent_unit, module.style.line_length, module.style.import_wrap
        groups: dict[int, tuple[tuple[ast.stmt, ...], list[NewImport]]] = {}
        for new, block in self._block_imports:
            groups.setdefault(id(block[0]), (block, []))[1].append(new)
        for block, news in groups.values():
            news.sort(key=lambda new: new.sort_key())
            outer = module.lines.indentation(block[0].lineno)
            leading: list[ast.Import | ast.ImportFrom] = []
            for statement in block:
                if not isinstance(statement, ast.Import | ast.ImportFrom):
                    break
                if not self.is_deleted(statement):
                    leading.append(statement)
            own = [item for item in leading if self._is_own(item)]
            if own:
                self._insert_sorted(
                    own, [(new, new.lines(unit, length, outer=outer, wrap=wrap)) for new in news]
                )
                continue
            section = tuple(
                line for new in news for line in new.lines(unit, length, outer=outer, wrap=wrap)
            )
            if leading:
                self.insert((leading[-1].end_lineno or leading[-1].lineno) + 1, ("", *section))
            else:
                self.insert(_above_comments(module.lines, first_line(block[0])), (*section, ""))

    def _place_dual(self, limit: int) -> bool:
        """Write the new imports the module's dual-mode way, when it imports its package so.

        After the last dual-mode block above ``limit`` (see :class:`~.symbols.DualImports`), in
        a ``try:`` block of their own whose ``except`` imports the fallback spellings; into that
        block when it holds only imports of the new imports' package (the layer's own block,
        written by an earlier run). False when the module has no such block, or a new import
        has no fallback spelling (the layer outside the part of the package the fallback drops)
        other than its own.
        """
        dual = self._dual_block(limit)
        if dual is None:
            return False
        news = self._sorted_imports()
        fallbacks = [dual.fallback(new.absolute) for new in news]
        if any(
            fallback in (None, new.module) for new, fallback in zip(news, fallbacks, strict=True)
        ):
            return False  # no fallback, or the same spelling twice (a module at the top)
        spelled = [
            new.spelled(fallback or "") for new, fallback in zip(news, fallbacks, strict=True)
        ]
        module = self.module
        statement = dual.statement
        unit, length, wrap = module.indent_unit, module.style.line_length, module.style.import_wrap
        # Each body's indentation, or the module's step for one written on its `try:` line.
        own_lines = all(module.owns_lines(item) for pair in dual.pairs for item in pair)
        inner, fallback_inner = (
            module.lines.indentation(block[0].lineno) if own_lines else unit
            for block in (statement.body, statement.handlers[0].body)
        )
        firsts = [first for first, _ in dual.pairs]
        pragma = _E402_PRAGMA if all(self._waives_e402(first) for first in firsts) else ""
        packages = {new.absolute.rpartition(".")[0] for new in news}
        if own_lines and all(
            (module.absolute_import(first) or "").rpartition(".")[0] in packages for first in firsts
        ):
            seconds = [second for _, second in dual.pairs]
            for members, items, indent in (
                (firsts, news, inner),
                (seconds, spelled, fallback_inner),
            ):
                self._insert_sorted(
                    members,
                    [(new, new.lines(unit, length, pragma, indent, wrap=wrap)) for new in items],
                )
            return True
        block = (
            "try:",
            *(line for new in news for line in new.lines(unit, length, pragma, inner, wrap=wrap)),
            f"except {dual.exception}:",
            *(
                line
                for new in spelled
                for line in new.lines(unit, length, pragma, fallback_inner, wrap=wrap)
            ),
        )
        # A blank line above it, as between statements of the module's import block; removal
        # takes it out with the block (see `_drop_dual`).
        self.insert((statement.end_lineno or statement.lineno) + 1, ("", *block))
        return True

    def _dual_block(self, limit: int) -> DualImports | None:
        """The last dual-mode import block among the first ``limit`` statements, kept whole."""
        positions = {id(statement): index for index, statement in enumerate(self.module.tree.body)}
        chosen = None
        for dual in self.module.dual_imports:
            if positions[id(dual.statement)] < limit and not any(
                self.is_deleted(first) for first, _ in dual.pairs
            ):
                chosen = dual
        return chosen

    def _insert_sorted(
        self,
        members: Sequence[ast.Import | ast.ImportFrom],
        placed: Sequence[tuple[NewImport, tuple[str, ...]]],
    ) -> None:
        """Insert each new import's lines at its sorted place among the imports ``members``."""
        within, from_first = self.module.style.sort_within_sections, self.module.style.from_first
        relative, length = self.module.style.relative_order, self.module.style.length_sort
        cased = self.module.style.case_sensitive
        if self.module.style.package_groups:
            # flake8-import-order's cryptography style: among the imports of its own top-level
            # package, else in a group of its own (one for all the new imports of a package: a
            # blank line inside one is I202), before the first package that sorts after it.
            groups: dict[str, list[tuple[NewImport, tuple[str, ...]]]] = {}
            for new, lines in placed:
                package = _package(new.module)
                if package is None or any(_statement_package(item) == package for item in members):
                    self._insert_one(members, new, lines)
                else:
                    groups.setdefault(package, []).append((new, lines))
            for package, news in groups.items():
                news.sort(
                    key=lambda pair: pair[0].sort_key(within, from_first, relative, length, cased)
                )
                key = news[0][0].sort_key(within, from_first, relative, length, cased)
                block = tuple(line for _, lines in news for line in lines)
                after = [
                    item
                    for item in members
                    if (other := _statement_package(item)) is not None and other > package
                ]
                if after:
                    before = _above_comments(self.module.lines, after[0].lineno)
                    self.insert(before, (*block, ""), (key,))
                else:
                    last = members[-1]
                    self.insert((last.end_lineno or last.lineno) + 1, ("", *block), (key,))
            return
        for new, lines in placed:
            self._insert_one(members, new, lines)

    def _insert_one(
        self,
        members: Sequence[ast.Import | ast.ImportFrom],
        new: NewImport,
        lines: tuple[str, ...],
    ) -> None:
        """Insert ``lines`` (``new``) at its sorted place among the imports ``members``.

        Under the cryptography style, ``members`` are narrowed to the imports of ``new``'s own
        top-level package (see :meth:`_insert_sorted`, which makes a group for a new one).
        """
        within, from_first = self.module.style.sort_within_sections, self.module.style.from_first
        relative, length = self.module.style.relative_order, self.module.style.length_sort
        cased = self.module.style.case_sensitive
        key = new.sort_key(within, from_first, relative, length, cased)
        package = _package(new.module)
        if self.module.style.package_groups and package is not None:
            members = [item for item in members if _statement_package(item) == package]
        later = [
            item
            for item in members
            if import_sort_key(item, within, from_first, relative, length, cased) > key
        ]
        if later:
            before = _above_comments(self.module.lines, later[0].lineno)
            apart = self.module.style.types_apart and not within
            if isinstance(later[0], ast.Import) and from_first and apart:
                # The last `from` import of its section, set apart from the plain ones below.
                earlier = members[: members.index(later[0])]
                if earlier and isinstance(earlier[-1], ast.ImportFrom):
                    before = (earlier[-1].end_lineno or earlier[-1].lineno) + 1
                else:
                    lines = (*lines, "")
        else:
            before = (members[-1].end_lineno or members[-1].lineno) + 1
            if isinstance(members[-1], ast.Import) and self.module.style.types_apart and not within:
                # (Never with from_first: a `from` import sorts before any plain one then.)
                # The first `from` import of its section, set apart from the plain ones above.
                lines = ("", *lines)
        self.insert(before, lines, (key,))

    def _waives_e402(self, statement: ast.Import | ast.ImportFrom) -> bool:
        """Whether the first line of ``statement`` ends in a ``# noqa`` that covers E402.

        Imports below code that must run first (``load_dotenv()``) carry it for ruff; the new
        imports that join them carry it too, or the patched module would not lint clean.
        """
        return re.search(_NOQA_E402, self.module.lines.line(statement.lineno)) is not None

    def _is_own(self, statement: ast.Import | ast.ImportFrom) -> bool:
        """Whether ``statement`` imports from the package itself (as the new imports do)."""
        return self._own_rank(statement) in (_FIRST_PARTY, _LOCAL)

    def _sorted_imports(self) -> list[NewImport]:
        return sorted(self._imports, key=lambda new: new.sort_key())

    def _rank(self, statement: ast.Import | ast.ImportFrom) -> int:
        """The section the module's import sorter puts ``statement`` in."""
        if isinstance(statement, ast.ImportFrom) and statement.level:
            return _LOCAL
        if isinstance(statement, ast.ImportFrom):
            known = self._known_rank(statement.module or "")
        else:
            known = self._known_rank(statement.names[0].name)
        return self._own_rank(statement) if known is None else known

    def _known_rank(self, module: str) -> int | None:
        """The section the sorter is told ``module`` is of (its ``known-*`` settings), if any."""
        names = self.module.style.section_names()
        directories = self.module.style.application_directories
        if directories is not None:
            # reorder-python-imports: the project's own are what its directories hold.
            top = module.split(".")[0]
            if top == "__future__" or top in sys.stdlib_module_names:
                return None
            own = application_module(directories, top)
            return names.index("first-party" if own else "third-party")
        section = known_section(self.module.style.known_sections, module)
        # A custom section (or forced-separate's) ranks after the standard ones: see `names`.
        return names.index(section) if section in names else None

    def _own_rank(self, statement: ast.Import | ast.ImportFrom) -> int:
        """The section of ``statement`` by where its module is: the package's, the stdlib's."""
        if isinstance(statement, ast.ImportFrom) and statement.level:
            return _LOCAL
        if isinstance(statement, ast.ImportFrom):
            module = statement.module or ""
            named = (module, *(f"{module}.{alias.name}" for alias in statement.names))
        else:
            module = statement.names[0].name
            named = (module,)
        rank = self._rank_of_module(module)
        # `from web.handlers import demo` with `web/` a namespace package: the module it names
        # is one of the backend's, so the import is first-party (as ruff sorts it).
        if rank == _THIRD_PARTY and any(self.index.source(name) is not None for name in named):
            return _FIRST_PARTY
        return rank

    def _rank_of_new(self, new: NewImport) -> int:
        if new.module.startswith("."):
            return _LOCAL
        known = self._known_rank(new.module)
        if known is None and new.absolute and new.module != new.absolute:
            # Spelled rooted above the backend folder (see _rooted): the app's own module, as
            # the module's own imports spelled so are (see _own_rank).
            return _FIRST_PARTY
        return self._rank_of_module(new.module) if known is None else known

    def _rank_of_module(self, name: str) -> int:
        top = name.split(".")[0]
        if top == "__future__":
            return _FUTURE
        if top == self.first_party or self.index.module(top) is not None:
            return _FIRST_PARTY
        if top in sys.stdlib_module_names:
            return _STDLIB
        return _THIRD_PARTY


def _import_block(
    body: list[ast.stmt],
    limit: int,
    kept: Callable[[ast.Import | ast.ImportFrom], bool],
    own: Callable[[ast.Import | ast.ImportFrom], bool],
) -> list[ast.Import | ast.ImportFrom]:
    """The run of top-level import statements (those ``kept``) that new imports join.

    Of the runs before statement ``limit``, the one with the most imports of the package's own
    modules (``own``), the later one of equals: the module's main block, not an import placed
    further down among its code (a middleware's import next to where it is added); after code
    that must run first (``sys.path`` set up, ``load_dotenv()``) when the package's imports
    follow it. Without any, the last run.
    """
    runs: list[list[ast.Import | ast.ImportFrom]] = []
    set_ups: list[int] = []  # for each run, how many set-up calls come before it
    imported = _imported_names(body, own)
    seen = 0
    previous = False
    statements = body[: min(limit, len(body))]
    for position, statement in enumerate(statements):
        is_import = isinstance(statement, ast.Import | ast.ImportFrom)
        if is_import and not previous:
            runs.append([])
            set_ups.append(seen)
        if isinstance(statement, ast.Import | ast.ImportFrom) and kept(statement):
            runs[-1].append(statement)
        elif _set_up_call(statement, imported, _imports_next(statements, position)):
            seen += 1
        previous = is_import
    # The package's modules are imported after set-up code: the new imports follow it too
    # (the generated logger reads the environment `load_dotenv()` fills as it is imported).
    after = max(
        (count for run, count in zip(runs, set_ups, strict=True) if any(map(own, run))),
        default=0,
    )
    runs = [run for run, count in zip(runs, set_ups, strict=True) if run and count >= after]
    if not runs:
        return []
    counts = [sum(1 for item in run if own(item)) for run in runs]
    best = max(counts)
    if best == 0:
        return runs[-1]
    return runs[max(position for position, count in enumerate(counts) if count == best)]


def _imported_names(
    body: list[ast.stmt], own: Callable[[ast.Import | ast.ImportFrom], bool]
) -> dict[str, bool]:
    """The names the module's top-level imports bind, each with whether the package's own."""
    names: dict[str, bool] = {}
    for statement in body:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            for alias in statement.names:
                name = (alias.asname or alias.name).split(".")[0]
                # A name bound by both kinds of import counts as the package's own: the
                # stricter reading of a call on it below.
                names[name] = names.get(name, False) or own(statement)
    return names


def _imports_next(statements: list[ast.stmt], position: int) -> bool:
    """Whether the statement after ``statements[position]`` is an import."""
    following = statements[position + 1 : position + 2]
    return bool(following) and isinstance(following[0], ast.Import | ast.ImportFrom)


def _set_up_call(statement: ast.stmt, imported: dict[str, bool], imports_next: bool) -> bool:
    """Whether ``statement`` calls an imported function for its effect: set-up code.

    ``load_dotenv()``, ``sys.path.insert(0, ...)``, ``logging.basicConfig()``: what the imports
    below it may need; a call on the module's own objects (``app.add_middleware(...)``) is not.
    A call of the package's own module (``db.init()``) is set-up code only when imports follow
    it directly (``imports_next``): further down, it is the module's code among its code,
    which the imports of the package above it did not wait for.
    """
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return False
    root = statement.value.func
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name) or root.id not in imported:
        return False
    return imports_next or not imported[root.id]


def _above_comments(lines: SourceLines, before: int) -> int:
    """Move an insertion point above the comment lines directly on top of an import.

    Comments above an import belong to it (ruff's sorting moves them with it).
    """
    while before > 1 and lines.is_comment(before - 1):
        before -= 1
    return before


def display_width(text: str) -> int:
    """The width ruff gives ``text`` (a tab counts as four columns)."""
    return len(text.expandtabs(4))


# --- log calls --------------------------------------------------------------------------------


class LogCall(NamedTuple):
    """An existing ``<logger>.log(...)`` statement among a handler's first statements."""

    statement: ast.Expr
    event_type: str | None  # None when not a string literal


def existing_log_calls(
    handler: Handler, index: PackageIndex, targets: frozenset[str], *, nested: bool = False
) -> list[LogCall]:
    """The handler's top-level ``<x>.log(...)`` statements where ``x`` is the generated logger.

    With ``nested``, those in the blocks of its compound statements (``if``, ``try``, ``with``,
    loops) instead, not in functions defined in it.
    """
    body = handler.function.body
    top = {id(statement) for statement in body}
    statements = (
        [statement for statement in block_statements(body) if id(statement) not in top]
        if nested
        else body
    )
    calls = []
    for statement in statements:
        if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
            continue
        func = statement.value.func
        if not (isinstance(func, ast.Attribute) and func.attr == "log"):
            continue
        owner = func.value
        # The logger's name, read from around the handler (see Scope.reading).
        scope = handler.scope.reading(owner) if isinstance(owner, ast.Name) else handler.scope
        if index.qualify(owner, scope) not in targets and not orphaned_logger(owner, handler):
            continue
        argument = statement.value.args[0] if statement.value.args else None
        for keyword in statement.value.keywords:
            if keyword.arg == "event_type":
                argument = keyword.value
        event_type = (
            argument.value
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str)
            else None
        )
        calls.append(LogCall(statement, event_type))
    return calls


# The names generate gives the logger it imports (see ModuleEditor.free_name).
#: The context keys every log call generate writes begins its payload with, in this order: the
#: context properties a declared event takes undeclared (and a plan may not capture).
CONTEXT_KEYS = CONTEXT_PROPERTIES

_LOGGER_NAME = re.compile(r"(?:analytics_)?event_logger(?:_\d+)?")


def orphaned_logger(owner: ast.expr, handler: Handler) -> str | None:
    """The name of ``owner`` when it is a name generate gives the logger, bound nowhere.

    Its import was taken out since (an editor's "optimise imports", a merge): the calls are
    still the ones generate inserted, and the name is still the logger they mean.
    """
    if (
        isinstance(owner, ast.Name)
        and _LOGGER_NAME.fullmatch(owner.id)
        and handler.scope.reading(owner).lookup(owner.id) is None
    ):
        return owner.id
    return None


def payload_entries(
    handler: Handler,
    fallback_block: str,
    captured: list[tuple[str, str]] | None = None,
) -> list[tuple[str, str]]:
    """The log call's payload as (key, Python expression): context, then path parameters.

    With ``captured`` (the event is declared in the plan), the context is followed by exactly
    those (property, expression) pairs instead: a declared event holds only what it declares.
    """
    quote = handler.module.quote
    routes = handler.routes
    codes = list(dict.fromkeys(route.code for route in routes))
    route_code = codes[0] if len(codes) == 1 else "[" + ", ".join(codes) + "]"
    methods: list[str] = []
    for route in routes:
        methods.extend(route.methods or ())
    blocks = [route_block(route.template) or fallback_block for route in routes]
    block_code = string_literal(",".join(dict.fromkeys(blocks)), quote)
    selector = _route_selector(handler.function, routes, blocks)
    if selector is not None:
        # Partials of the handler binding a parameter its own way per route: the request's
        # route and block, read off that parameter at run time (else all of them, as before).
        parameter, bound = selector
        values = [string_literal(v, quote) if isinstance(v, str) else str(v) for v in bound]
        route_code = _selected(parameter, values, [route.code for route in routes], route_code)
        literals = [string_literal(block, quote) for block in blocks]
        block_code = _selected(parameter, values, literals, block_code)
    context = (
        route_code,
        string_literal(",".join(dict.fromkeys(methods)), quote),
        string_literal(handler.qualname, quote),
        block_code,
    )
    entries = list(zip(CONTEXT_KEYS, context, strict=True))
    if captured is not None:
        return entries + captured
    parameters = handler.path_parameters()
    taken = {key for key, _ in entries}
    for route in routes:
        for match in PATH_PARAMETER.finditer(route.template):
            name, converter = match.group(1), match.group(2)
            if name not in parameters:
                continue
            variable = parameters[name]
            if converter == "path":
                # A `:path` parameter is a free-form slice of the URL, not an id: log its length
                # (of its text: a `pathlib.Path` parameter has no len()).
                key, value = f"{name}_length", path_length(handler, variable)
            else:
                key, value = name, variable
            if key in taken and (key, value) in entries:
                continue  # the same parameter in another stacked route
            if key in taken:
                key = f"path_{key}"  # never repeat a key: the dict would silently drop one
            if key not in taken:
                taken.add(key)
                entries.append((key, value))
    return entries


def _route_selector(
    function: FunctionNode, routes: list[Route], blocks: list[str]
) -> tuple[str, list[str | int]] | None:
    """The parameter whose bound literal tells ``routes`` apart, with each route's literal.

    Each route registered through a ``functools.partial`` binding it (see ``Route.bound``), one
    literal per route and block (``partial(report, "daily")`` on ``/daily``, ``"weekly"`` on
    ``/weekly``), and the parameter's annotation one a table of those keys takes under a type
    checker (see :func:`_keys_table`). None when no parameter does.
    """
    if len(routes) < 2:
        return None
    bindings = [dict(route.bound) for route in routes]
    arguments = function.args
    annotations = {
        argument.arg: argument.annotation
        for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
    }
    for name in sorted(set.intersection(*(set(bound) for bound in bindings))):
        values = [bound[name] for bound in bindings]
        if not _keys_table(annotations.get(name), values):
            continue
        told: dict[str | int, tuple[str, str]] = {}
        for value, route, block in zip(values, routes, blocks, strict=True):
            if told.setdefault(value, (route.code, block)) != (route.code, block):
                break  # one literal on two routes: the parameter does not tell them apart
        else:
            if len(told) > 1:
                return name, values
    return None


def _keys_table(annotation: ast.expr | None, values: list[str | int]) -> bool:
    """Whether a parameter annotated ``annotation`` may look up a table keyed by ``values``.

    ``mypy --strict`` accepts ``{"daily": ...}.get(period, ...)`` for ``period: str`` or a
    ``Literal`` of strings (``int`` and ints for int keys), also inside ``Annotated``; not for
    ``str | None`` (an ``arg-type`` error). No annotation: nothing is checked.
    """
    if annotation is None:
        return True
    kinds = {type(value) for value in values}
    if len(kinds) != 1:
        return False
    kind = kinds.pop()
    if isinstance(annotation, ast.Subscript) and _named(annotation.value, "Annotated"):
        held = annotation.slice
        annotation = held.elts[0] if isinstance(held, ast.Tuple) and held.elts else held
    if isinstance(annotation, ast.Name):
        return annotation.id == kind.__name__
    if isinstance(annotation, ast.Subscript) and _named(annotation.value, "Literal"):
        held = annotation.slice
        literals = held.elts if isinstance(held, ast.Tuple) else [held]
        return all(
            isinstance(literal, ast.Constant) and type(literal.value) is kind
            for literal in literals
        )
    return False


def _named(expression: ast.expr, name: str) -> bool:
    """Whether ``expression`` is ``name`` or an attribute ``name`` (``typing.Literal``)."""
    if isinstance(expression, ast.Attribute):
        return expression.attr == name
    return isinstance(expression, ast.Name) and expression.id == name


def _selected(parameter: str, keys: list[str], values: list[str], otherwise: str) -> str:
    """``values`` chosen by ``parameter``'s value among ``keys``, else ``otherwise`` (sources).

    ``{"daily": "/daily", "weekly": "/weekly"}.get(period, ["/daily", "/weekly"])``: one value
    when all are the same. A value no partial bound (the handler called otherwise) logs them
    all, as for any handler of several routes.
    """
    table = dict(zip(keys, values, strict=True))
    if len(set(table.values())) == 1:
        return values[0]
    items = ", ".join(f"{key}: {value}" for key, value in table.items())
    return f"{{{items}}}.get({parameter}, {otherwise})"


def is_selection(value: ast.expr) -> TypeGuard[ast.Call]:
    """Whether ``value`` is a value chosen by a parameter (see :func:`_selected`)."""
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "get"
        and isinstance(value.func.value, ast.Dict)
        and len(value.args) == 2
        and isinstance(value.args[0], ast.Name)
        and not value.keywords
    )


def _selection_lines(
    name: str, parsed: ast.Call, value: str, indent: str, unit: str, line_length: int
) -> list[str]:
    """``name: {...}.get(parameter, otherwise),`` split as ruff splits it (see _item_lines).

    Its arguments inside the call's brackets (see :func:`_argument_lines`); else, the table's
    head too long, the table one entry a line, then the call after its brace, split the same
    way when it does not fit there either.
    """
    assert isinstance(parsed.func, ast.Attribute) and isinstance(parsed.func.value, ast.Dict)
    table = parsed.func.value
    arguments = [ast.get_source_segment(value, argument) or "" for argument in parsed.args]
    head = f"{indent}{name}: {ast.get_source_segment(value, table)}.get("
    if display_width(head) <= line_length:
        body = _argument_lines(parsed.args, value, indent + unit, unit, line_length)
        return [head, *body, f"{indent}),"]
    entries = [
        f"{indent}{unit}{ast.get_source_segment(value, key)}: "
        f"{ast.get_source_segment(value, item)},"
        for key, item in zip(table.keys, table.values, strict=True)
        if key is not None
    ]
    tail = f"{indent}}}.get({', '.join(arguments)}),"
    if display_width(tail) <= line_length:
        return [f"{indent}{name}: {{", *entries, tail]
    body = _argument_lines(parsed.args, value, indent + unit, unit, line_length)
    return [f"{indent}{name}: {{", *entries, f"{indent}}}.get(", *body, f"{indent}),"]


def _argument_lines(
    arguments: list[ast.expr], source: str, inner: str, unit: str, line_length: int
) -> list[str]:
    """A call's ``arguments`` inside its brackets at ``inner``, as ruff lays them out.

    On one line if they fit there (no comma added); else one a line, each with a trailing
    comma, a list that does not fit split one element a line the same way.
    """
    written = [ast.get_source_segment(source, argument) or "" for argument in arguments]
    joined = f"{inner}{', '.join(written)}"
    if display_width(joined) <= line_length:
        return [joined]
    lines: list[str] = []
    for argument, text in zip(arguments, written, strict=True):
        if (
            display_width(f"{inner}{text},") <= line_length
            or not isinstance(argument, ast.List)
            or not argument.elts
        ):
            lines.append(f"{inner}{text},")
            continue
        elements = [ast.get_source_segment(source, element) or "" for element in argument.elts]
        lines += [f"{inner}[", *(f"{inner}{unit}{one}," for one in elements), f"{inner}],"]
    return lines


def path_length(handler: Handler, variable: str) -> str:
    """The expression of the length of the text of ``handler``'s parameter ``variable``.

    ``len(str(x))``, unless the handler sees ``len`` or ``str`` bound to something else than
    the builtin (a parameter ``len: int``, a local ``str = ...``, a module's own ``len``): the
    call would then fail or raise before the handler's code. The f-string and the method need
    no name then.
    """
    if handler.scope.lookup("len") is None and handler.scope.lookup("str") is None:
        return f"len(str({variable}))"
    quote = handler.module.quote
    return f"f{quote}{{{variable}}}{quote}.__len__()"


def route_block(template: str) -> str | None:
    """The block type logged for a route: the last static segment of its path, if any."""
    static = [part for part in template.split("/") if part and "{" not in part]
    return static[-1] if static else None


def log_call_lines(
    logger: str,
    event_type: str,
    payload: list[tuple[str, str]],
    indent: str,
    unit: str,
    line_length: int,
    quote: str = '"',
    black: bool = False,
    hug: bool = False,
    *,
    yapf: YapfLayout | None = None,
) -> tuple[str, ...]:
    """The lines of a log call as ``ruff format`` lays them out at ``indent`` (no indent added).

    ``line_length``, ``quote`` and ``black`` are the module's (its :class:`.style.FormatStyle`'s
    ``line_length`` and ``black``: black's layout, where it differs; :attr:`ModuleModel.quote`);
    ``hug``: its formatter skips magic trailing commas (the style's ``skip_magic_comma``);
    ``yapf``: yapf formats it (the style's ``yapf``), which splits a dict whose call it
    splits one entry per line (see :func:`_yapf_payload_lines`), indents by its
    ``continuation_indent_width`` rather than ``unit``, and keeps what trailing commas hold open.
    """
    items = [f"{string_literal(key, quote)}: {value}" for key, value in payload]
    mapping = "{" + ", ".join(items) + "}"
    event = string_literal(event_type, quote)
    line = f"{logger}.log({event}, {mapping})"
    if display_width(indent + line) <= line_length:
        return (line,)
    # A formatter ignoring magic trailing commas joins arguments that fit on one line inside
    # the brackets (ruff and black both lay a call out so before splitting it further).
    if hug and display_width(f"{indent}{unit}{event}, {mapping}") <= line_length:
        return (f"{logger}.log(", f"{unit}{event}, {mapping}", ")")
    if yapf is not None:
        unit = " " * yapf.continuation
        entries = _yapf_payload_lines(
            payload, items, indent + unit * 2, unit, line_length, quote, yapf
        )
        body = [unit + "{", *(line[len(indent) :] for line in entries), unit + "},"]
        return (f"{logger}.log(", f"{unit}{event},", *body, ")")
    # Too long: one argument per line with a magic trailing comma, which ruff keeps.
    if display_width(indent + unit + mapping + ",") <= line_length:
        mapping_lines = [f"{unit}{mapping},"]
    else:
        mapping_lines = [unit + "{"]
        for (key, value), item in zip(payload, items, strict=True):
            lines = _item_lines(
                key, value, item, indent + unit * 2, unit, line_length, quote, black
            )
            # Laid out at the call's own indentation (its width counts), returned without it.
            mapping_lines.extend(line[len(indent) :] for line in lines)
        mapping_lines.append(unit + "},")
    return (f"{logger}.log(", f"{unit}{event},", *mapping_lines, ")")


def _yapf_payload_lines(
    payload: list[tuple[str, str]],
    items: list[str],
    indent: str,
    unit: str,
    line_length: int,
    quote: str,
    yapf: YapfLayout,
) -> list[str]:
    """The entries of a payload yapf splits one per line, at ``indent``.

    An entry too long for the line is split after its colon, the value on the next line at
    the key's indentation, or one ``continuation_indent_width`` in under
    ``indent_dictionary_value``; then, or when the last entry is the one too long, yapf
    splits every entry of the dict so (seen with yapf 0.43). A value that is neither a string nor a
    name and does not fit on a line of its own either is laid out as ruff does (yapf splits
    inside it in its own way: a documented limit).
    """
    too_long = [display_width(f"{indent}{item},") > line_length for item in items]
    every = any(too_long) and (yapf.indent_value or too_long[-1])
    value_indent = indent + (unit if yapf.indent_value else "")
    lines: list[str] = []
    for (key, value), item, long in zip(payload, items, too_long, strict=True):
        if not (long or every):
            lines.append(f"{indent}{item},")
            continue
        atom = isinstance(ast.parse(value, mode="eval").body, ast.Constant | ast.Name)
        if atom or display_width(f"{value_indent}{value},") <= line_length:
            lines.extend((f"{indent}{string_literal(key, quote)}:", f"{value_indent}{value},"))
        else:
            lines.extend(_item_lines(key, value, item, indent, unit, line_length, quote))
    return lines


def _item_lines(
    key: str,
    value: str,
    item: str,
    indent: str,
    unit: str,
    line_length: int,
    quote: str,
    black: bool = False,
) -> list[str]:
    """One ``key: value,`` of a payload split one per line, as ruff lays it out.

    A list that does not fit (the routes of stacked decorators) gets one element per line
    with a trailing comma; a sum (a route under a prefix known at run time,
    ``router.prefix + "/x"``) is broken before each ``+``, at the key's indentation; a call of
    one argument (``len(str(x))``) inside its brackets; a conditional value (``None if x is
    None else str(x)``) before its ``if`` and ``else``, at the key's indentation (black puts it
    in parentheses first, on one line inside them if it fits there); any other value stays
    whole.
    """
    if display_width(f"{indent}{item},") <= line_length:
        return [f"{indent}{item},"]
    parsed = ast.parse(value, mode="eval").body
    name = string_literal(key, quote)
    if isinstance(parsed, ast.List) and parsed.elts:
        elements = [ast.get_source_segment(value, element) or "" for element in parsed.elts]
        return [f"{indent}{name}: [", *(f"{indent}{unit}{one}," for one in elements), f"{indent}],"]
    if isinstance(parsed, ast.BinOp) and isinstance(parsed.op, ast.Add):
        terms: list[ast.expr] = []
        while isinstance(parsed, ast.BinOp) and isinstance(parsed.op, ast.Add):
            terms.insert(0, parsed.right)
            parsed = parsed.left
        if any(isinstance(term, ast.BinOp) for term in terms):
            return [f"{indent}{item},"]  # a grouped sum: not the flat chain generate writes
        first, *rest = [ast.get_source_segment(value, term) or "" for term in [parsed, *terms]]
        lines = [f"{indent}{name}: {first}", *(f"{indent}+ {term}" for term in rest)]
        lines[-1] += ","
        return lines
    if is_selection(parsed):
        return _selection_lines(name, parsed, value, indent, unit, line_length)
    if isinstance(parsed, ast.Call) and _one_argument_call(parsed):
        lines = _call_lines(f"{indent}{name}: ", parsed, value, indent, unit, line_length)
        lines[-1] += ","
        return lines
    if isinstance(parsed, ast.IfExp):
        parts = [ast.get_source_segment(value, part) or "" for part in (parsed.body, parsed.test)]
        orelse = ast.get_source_segment(value, parsed.orelse) or ""
        if not black:
            return [
                f"{indent}{name}: {parts[0]}",
                f"{indent}if {parts[1]}",
                f"{indent}else {orelse},",
            ]
        inner = indent + unit
        if display_width(f"{inner}{value}") <= line_length:
            return [f"{indent}{name}: (", f"{inner}{value}", f"{indent}),"]
        return [
            f"{indent}{name}: (",
            f"{inner}{parts[0]}",
            f"{inner}if {parts[1]}",
            f"{inner}else {orelse}",
            f"{indent}),",
        ]
    return [f"{indent}{item},"]


def statement_lines(statement: str, indent: str, unit: str, line_length: int) -> tuple[str, ...]:
    """The lines of a one-line ``statement`` at ``indent``, as ruff and black lay it out.

    A call of one argument too long for the line is split inside its brackets
    (``app.include_router(`` / ``telemetry_router`` / ``)``); anything else stays whole.
    """
    if display_width(indent + statement) <= line_length:
        return (indent + statement,)
    parsed = ast.parse(statement, mode="eval").body
    if not (isinstance(parsed, ast.Call) and _one_argument_call(parsed)):
        return (indent + statement,)
    return tuple(_call_lines(indent, parsed, statement, indent, unit, line_length))


def _one_argument_call(value: ast.expr) -> bool:
    """Whether ``value`` is a call of one positional argument (``len(str(x))``, ``x.text(y)``)."""
    return isinstance(value, ast.Call) and len(value.args) == 1 and not value.keywords


def _call_lines(
    lead: str, call: ast.Call, source: str, indent: str, unit: str, line_length: int
) -> list[str]:
    """``lead`` then a call of one argument split inside its brackets, as ruff and black do.

    The argument goes on a line of its own one ``unit`` in (split the same way while it does
    not fit and is such a call itself), with no comma added, and the bracket closes at
    ``indent``.
    """
    function = ast.get_source_segment(source, call.func) or ""
    argument = call.args[0]
    inner = ast.get_source_segment(source, argument) or ""
    inside = indent + unit
    if display_width(inside + inner) <= line_length or not _one_argument_call(argument):
        body = [inside + inner]
    else:
        assert isinstance(argument, ast.Call)
        body = _call_lines(inside, argument, source, inside, unit, line_length)
    return [f"{lead}{function}(", *body, f"{indent})"]


def header_continued(function: FunctionNode, module: ModuleModel) -> bool:
    r"""Whether ``function``'s body is on its header's logical line, past a backslash.

    ``def f(): \`` then ``    return 1`` on the next line: a line put between them would be
    joined to the header, so nothing can go there.
    """
    first = function.body[0]
    start = first_line(first)
    if start <= function.lineno:
        return False
    header = range(function.lineno, start)
    # Without a line ending in a backslash, the header's `:` is followed by a NEWLINE token:
    # the tokenizer below is only needed when one does (it cost a fresh generate of 2,000
    # handlers 0.2 s).
    if not any(module.lines.line(number).rstrip("\r").endswith("\\") for number in header):
        return False
    text = "".join(module.lines.line(number) + "\n" for number in range(function.lineno, start + 1))
    body_line = start - function.lineno + 1
    meaningful: list[tokenize.TokenInfo] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.start[0] >= body_line:
                break
            if token.type not in (tokenize.NL, tokenize.COMMENT):
                meaningful.append(token)
    except (tokenize.TokenError, SyntaxError):
        return False  # the text ends inside the body's first statement: past what is read
    return bool(meaningful) and meaningful[-1].type == tokenize.OP and meaningful[-1].string == ":"


def body_insertion_point(function: FunctionNode, module: ModuleModel) -> tuple[int, str] | None:
    """Where a new first statement of ``function`` goes (after its docstring), and its indent.

    None when the body shares the ``def`` line (nothing can be inserted without rewriting it).
    """
    body = function.body
    first = body[0]
    lines = module.lines
    start = first_line(first)
    column = first.col_offset
    if isinstance(first, FunctionNode | ast.ClassDef) and first.decorator_list:
        column = first.decorator_list[0].col_offset - 1  # the `@`
    if not lines.starts_at(start, column) or header_continued(function, module):
        return None
    indent = lines.indentation(start)
    if is_docstring(first):
        end = first.end_lineno or first.lineno
        following = body[1] if len(body) > 1 else None
        if following is not None and following.lineno == end:
            return None  # `"""doc"""; x = 1`: the next statement shares the docstring's line
        return end + 1, indent
    # Comments between the `def` line and the first statement describe that statement: the call
    # goes above them. A type comment among them (`# type: (int) -> str`, the function's own
    # signature, PEP 484; `# type: ignore[...]`) stays where it applies: the call goes below it.
    first_statement = start
    while start - 1 > function.lineno and (
        lines.is_comment(start - 1) or lines.is_blank(start - 1)
    ):
        start -= 1
    typed = [
        number
        for number in range(start, first_statement)
        if _TYPE_COMMENT.match(lines.line(number))
    ]
    return (typed[-1] + 1 if typed else start), indent


class InlineSpot(NamedTuple):
    """Where a log call goes in a one-line suite: bytes ``column`` of line ``line``.

    It is written there between ``before`` and ``after``: ``<call>; `` before the first
    statement, or ``; <call>`` after a docstring that is the whole suite (a docstring stays
    first). Taking out exactly that gives the line back (see :func:`inline_cut`).
    """

    line: int
    column: int
    before: str
    after: str


def inline_spot(
    function: FunctionNode, module: ModuleModel, gone: Callable[[ast.stmt], bool] = lambda _: False
) -> InlineSpot | None:
    """Where ``function``'s log call goes when its body is a one-line suite on its header's line.

    ``def f(): return x``, ``async def f(): a = 1; return a``, ``def f(): "doc"``: the call goes
    into that suite, on one line (taking no line of its own, it changes no other line). None
    for a body with lines of its own.

    ``gone``: whether a statement of it is being taken out in the same run (an old log call):
    the spot is read from what stays, so it never falls inside what is cut.
    """
    first = function.body[0]
    if module.lines.starts_at(first.lineno, first.col_offset):
        return None
    body = [statement for statement in function.body if not gone(statement)]
    if not body:
        return None
    first = body[0]
    rest = after_docstring(body)
    if rest:
        return InlineSpot(rest[0].lineno, rest[0].col_offset, "", "; ")
    end = first.end_col_offset
    if end is None or first.end_lineno is None:
        return None
    return InlineSpot(first.end_lineno, end, "; ", "")


# What separates two statements of a one-line suite: a `;` and the blanks around it.
_SEPARATOR = rb"[ \t]*;[ \t]*"


def inline_cut(module: ModuleModel, statement: ast.stmt) -> tuple[int, int, int] | None:
    """The line and bytes to cut to take a one-line ``statement`` out of a one-line suite.

    ``<statement>; `` up to the next statement on its line, else ``; <statement>`` from the end
    of the previous one, as :func:`inline_spot` writes it. None for a statement that has its
    lines to itself, or is not so separated from its neighbours.
    """
    number = statement.lineno
    end = statement.end_col_offset
    if statement.end_lineno != number or end is None or module.owns_lines(statement):
        return None
    block = module.block_of(statement)
    position = next((i for i, other in enumerate(block) if other is statement), None)
    if position is None:
        return None
    line = module.lines.line(number).encode("utf-8")
    following = block[position + 1] if position + 1 < len(block) else None
    if (
        following is not None
        and following.lineno == number
        and re.fullmatch(_SEPARATOR, line[end : following.col_offset])
    ):
        return number, statement.col_offset, following.col_offset
    previous = block[position - 1] if position > 0 else None
    if (
        previous is not None
        and previous.end_lineno == number
        and previous.end_col_offset is not None
        and re.fullmatch(_SEPARATOR, line[previous.end_col_offset : statement.col_offset])
    ):
        return number, previous.end_col_offset, end
    return None


def removable(module: ModuleModel, statement: ast.stmt) -> bool:
    """Whether ``statement`` can be taken out exactly: its own lines, or from a one-line suite."""
    return module.owns_lines(statement) or inline_cut(module, statement) is not None


class InlineStub(NamedTuple):
    """A stub statement written on its handler's ``def`` line (``async def f(): ...``)."""

    statement: ast.stmt
    #: The ``def`` line without it: its header, and any comment that followed the stub.
    header: str
    #: What the record keeps: the stub, and the whitespace between the colon and it.
    recorded: Stub


def inline_stub(function: FunctionNode, module: ModuleModel) -> InlineStub | None:
    """The stub statement ending ``function``'s header line (``def f(): pass  # later``).

    One of :data:`~telemetry_cli.manifest.STUB_STATEMENTS`, the whole body, alone or before a
    comment; None for any other body. Its log call goes on a line of its own below; the
    record keeps the stub and the space before it (if any), for ``remove`` to give the line
    back.
    """
    if len(function.body) != 1:
        return None
    statement = function.body[0]
    if statement.end_lineno != statement.lineno:
        return None
    return _stub_on_def_line(statement, module.lines.line(statement.lineno))


def _stub_on_def_line(statement: ast.stmt, text_line: str) -> InlineStub | None:
    """:func:`inline_stub` for ``statement``, a function's whole body, on ``text_line``."""
    end = statement.end_col_offset
    if statement.end_lineno != statement.lineno or end is None:
        return None
    line = text_line.encode("utf-8")
    before = line[: statement.col_offset].decode("utf-8", "replace")
    text = line[statement.col_offset : end].decode("utf-8", "replace")
    after = line[end:].decode("utf-8", "replace")
    header = before.rstrip(" \t")
    separator = before[len(header) :]
    rest = after.lstrip(" \t\f")
    if text not in STUB_STATEMENTS or not header.endswith(":") or (rest and rest[0] != "#"):
        return None
    return InlineStub(statement, header + after, Stub(text, inline=True, after_colon=separator))


def lone_stub(function: FunctionNode, module: ModuleModel) -> tuple[ast.stmt, str] | None:
    """The stub statement that is ``function``'s whole body (a docstring aside), and its text.

    One of :data:`~telemetry_cli.manifest.STUB_STATEMENTS`, written alone on its line (no
    comment, which the log call taking its place would hide): with a log call beside it, ruff
    reports it as needless (``PIE790``, ``PLR1711``), so the call takes its place.
    """
    body = after_docstring(function.body)
    if len(body) != 1 or body[0].end_lineno != body[0].lineno:
        return None
    statement = body[0]
    line = module.lines.line(statement.lineno)
    indent = module.lines.indentation(statement.lineno)
    text = line[len(indent) :] if line.startswith(indent) else ""
    return (statement, text) if text in STUB_STATEMENTS else None


def written_stubs(text: str) -> dict[str, Stub]:
    """The stub statements of a module's source, by the qualified name of their function.

    Those :func:`lone_stub` and :func:`inline_stub` find, in the functions of the module and
    of its classes (as handlers are named); nothing when ``text`` does not parse.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return {}
    # Split as ast counts lines (a form feed or U+2028 inside a line starts no new one).
    lines = SourceLines(text)
    found: dict[str, Stub] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for statement in block_statements(body):
            if isinstance(statement, ast.ClassDef):
                visit(statement.body, f"{prefix}{statement.name}.")
            elif isinstance(statement, FunctionNode):
                inner = after_docstring(statement.body)
                if len(inner) == 1 and inner[0].end_lineno == inner[0].lineno:
                    line = lines.line(inner[0].lineno)
                    # One on its `def` line (`def f(): ...`) is recorded with what stood
                    # after the colon, as generate's record keeps it.
                    inline = len(statement.body) == 1 and _stub_on_def_line(inner[0], line)
                    if inline:
                        found[f"{prefix}{statement.name}"] = inline.recorded
                    elif line.lstrip(" \t") in STUB_STATEMENTS:
                        found[f"{prefix}{statement.name}"] = Stub(line.lstrip(" \t"))

    visit(tree.body, "")
    return found


def first_line(statement: ast.stmt) -> int:
    """The first line of a statement, its decorators included."""
    if isinstance(statement, FunctionNode | ast.ClassDef) and statement.decorator_list:
        return min(statement.lineno, *(item.lineno for item in statement.decorator_list))
    return statement.lineno


def statement_indent_unit(module: ModuleModel, function: FunctionNode, indent: str) -> str:
    """The indentation step of a wrapped call's continuation lines, in ``function``'s body.

    The module's step, unless the body (at ``indent``) is indented with the other character (a
    method indented with spaces in a module indented with tabs): then the body's own step, from
    its ``def`` line to its statements, so that the inserted lines indent as the lines around.
    """
    unit = module.indent_unit
    if not indent or indent[-1] in unit:
        return unit
    outer = module.lines.indentation(function.lineno)
    if indent.startswith(outer) and len(indent) > len(outer):
        return indent[len(outer) :]
    return "\t" if indent[-1] == "\t" else "    "


def top_statement_of(module: ModuleModel, node: ast.AST) -> ast.stmt:
    """The top-level statement of ``module`` that contains ``node``."""
    line = getattr(node, "lineno", 1)
    for statement in module.tree.body:
        if statement.lineno <= line <= (statement.end_lineno or statement.lineno):
            return statement
    return module.tree.body[-1]
