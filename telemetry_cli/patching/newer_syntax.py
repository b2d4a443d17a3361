"""Read a module written in a newer Python's syntax than the one running the tool.

A route module may use what Python 3.12 added to the grammar: a ``type`` statement and type
parameters (PEP 695: ``type Ids = list[int]``, ``def first[T](...)``, ``class Box[T]:``), and
f-strings holding their own quotes, backslashes or comments (PEP 701: ``f"{d["key"]}"``); what
Python 3.13 added: defaults of type parameters (PEP 696: ``def f[T = int]()``); and what Python
3.14 added: template strings (PEP 750: ``t"{name}"``) and exception types without brackets
(PEP 758: ``except ValueError, TypeError:``). An older ``ast`` refuses the whole module.
libcst's parser reads that grammar on any Python, so it finds those parts; each is then written
over in the text with code that the running Python reads, of the same length in UTF-8 bytes and
with its line breaks where they were, and ``ast`` parses the result. Every other node keeps the
line and column it has in the real text, so the patcher's edits (made to the real text) land
where they belong, and none of them is in a part written over: those are types and expressions,
never a handler's statements.

What each part becomes: a ``type`` statement binds its name (``Ids = ...``); type parameters
become blanks; an f-string or a template string becomes a name in parentheses, a value the tool
cannot know, so a route path written with one is "only known at run time", as any other computed
path is; the exception types of an ``except`` become one name (the patcher never reads them).
"""

import ast
import importlib.util
import re
import sys
import warnings
from typing import NamedTuple

# Python breaks lines at these alone (str.splitlines also breaks at form feeds and others).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# What an f-string is written over with: a name of this letter, in parentheses.
_NAME_FILL = "_"


class _Span(NamedTuple):
    """A part of the text to write over: from ``start`` to ``end`` (offsets in the str)."""

    start: int
    end: int
    kind: str  # "alias", "parameters", "string" (f- or t-string) or "name"
    name: str = ""  # the alias's name, for "alias"


def parse_newer_syntax(text: str) -> ast.Module | None:
    """The tree of ``text`` if it is valid newer Python that this Python cannot parse, else None.

    None also when libcst cannot read it either (a real syntax error), when it holds none of
    the parts this module writes over, or when the text written over does not parse (a part
    followed by another statement on its last line, say): the caller then reports the error.
    """
    try:
        import libcst
        from libcst.metadata import MetadataWrapper, PositionProvider
    except ImportError:  # pragma: no cover - a dependency of the tool
        return None
    if _bracket_depth(text) > _BRACKET_LIMIT:
        return None
    try:
        module = libcst.parse_module(text)
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        positions = wrapper.resolve(PositionProvider)
    except (libcst.ParserSyntaxError, RecursionError, MemoryError, ValueError):
        return None
    line_starts = _line_starts(text)

    def offset(line: int, column: int) -> int:
        return line_starts[line - 1] + column

    spans: list[_Span] = []
    for node, where in positions.items():
        start = offset(where.start.line, where.start.column)
        end = offset(where.end.line, where.end.column)
        if isinstance(node, libcst.TypeAlias) and sys.version_info < (3, 12):
            spans.append(_Span(start, end, "alias", node.name.value))
        elif isinstance(node, libcst.TypeParameters) and (
            sys.version_info < (3, 12)
            or (sys.version_info < (3, 13) and any(param.default for param in node.params))
        ):
            spans.append(_Span(start, end, "parameters"))
        elif isinstance(node, libcst.TemplatedString) or (
            isinstance(node, libcst.FormattedString) and not _reads_on_this_python(text[start:end])
        ):
            spans.append(_Span(start, end, "string"))
        elif (
            isinstance(node, libcst.ExceptHandler | libcst.ExceptStarHandler)
            and isinstance(node.type, libcst.Tuple)
            and not node.type.lpar
        ):
            where = positions[node.type]
            start = offset(where.start.line, where.start.column)
            end = offset(where.end.line, where.end.column)
            spans.append(_Span(start, end, "name"))
    if not spans:
        return None
    pieces: list[str] = []
    done = 0
    for span in sorted(spans):
        if span.start < done:
            continue  # inside a part already written over (a string in a type alias)
        written = _written_over(text[span.start : span.end], span)
        if written is None:
            return None
        pieces += [text[done : span.start], written]
        done = span.end
    pieces.append(text[done:])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse("".join(pieces))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


# Every CPython's tokenizer refuses more than 200 nested brackets: a text deeper is no Python
# of any version, and libcst's native parser, recursing on the C stack, kills the process on
# one nested some thousands deep: nothing to catch.
_BRACKET_LIMIT = 200
_BRACKETS = re.compile(r"[()\[\]{}]")


def _bracket_depth(text: str) -> int:
    """How deep the brackets of ``text`` nest at most (those in strings and comments too)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "([{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def parse_newer_syntax_bytes(data: bytes) -> ast.Module | None:
    """:func:`parse_newer_syntax` of a file's bytes, decoded as Python decodes a source file.

    For the files read only to be looked at (a runner script, an entry module's imports): None
    on Python 3.14 and newer, which read the grammar themselves, and for bytes that are no text.
    """
    if sys.version_info >= (3, 14):
        return None
    try:
        text = importlib.util.decode_source(data)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    return parse_newer_syntax(text)


def _line_starts(text: str) -> list[int]:
    """The offset in ``text`` of each line's start, lines broken as Python breaks them."""
    return [0, *(found.end() for found in _LINE_BREAK.finditer(text))]


def _reads_on_this_python(literal: str) -> bool:
    """Whether the f-string ``literal`` parses as it is on the running Python."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(f"(\n{literal}\n)", mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _written_over(part: str, span: _Span) -> str | None:
    """Code of the same UTF-8 length and line breaks as ``part``, for the span's kind.

    None when the part cannot be written over in place (a line of the part that leaves no room
    for what must go on it).
    """
    # The part's lines and the breaks between them, kept as they are (CR LF, CR or LF).
    lines = _LINE_BREAK.split(part)
    breaks = _LINE_BREAK.findall(part)
    widths = [len(line.encode("utf-8", "surrogatepass")) for line in lines]
    written = _written_lines(widths, span)
    if written is None:
        return None
    return "".join(line + end for line, end in zip(written, [*breaks, ""], strict=True))


def _written_lines(widths: list[int], span: _Span) -> list[str] | None:
    """The lines written over a part whose lines are ``widths`` UTF-8 bytes long."""
    if span.kind == "alias":
        first = f"{span.name} = ..."
        if widths[0] < len(first):  # pragma: no cover - `type X[` is the shortest first line
            return None
        # The alias's value may go on over lines (in brackets): those lines become blank.
        return [first.ljust(widths[0]), *(" " * width for width in widths[1:])]
    if span.kind == "parameters":
        if len(widths) == 1:
            return [" " * widths[0]]
        # Blanks, with each line joined to the next by a backslash (the brackets are gone).
        if any(width == 0 for width in widths[:-1]):
            return None
        return [*(" " * (width - 1) + "\\" for width in widths[:-1]), " " * widths[-1]]
    if span.kind == "name":
        # Exception types without brackets stay on one line (a break would need them).
        return [_NAME_FILL * widths[0]] if len(widths) == 1 else None
    # A string: a name in parentheses, whose lines may break (the parentheses allow it).
    if len(widths) == 1:
        return ["(" + _NAME_FILL * (widths[0] - 2) + ")"]
    if widths[0] < 2 or widths[-1] < 1:
        return None
    middle = [" " * width for width in widths[1:-1]]
    return ["(" + _NAME_FILL * (widths[0] - 1), *middle, " " * (widths[-1] - 1) + ")"]
