"""How a user's formatter lays a module out — line length, quotes — read from its configuration.

Inserted code is laid out the way ``ruff format`` (or black) would lay it out, so a formatted
project stays formatted. That layout depends on the line length the project configures: a call
that fits on one line at 100 columns is split by a formatter set to 88, black's and ruff's
default, which most projects keep. The configuration is found the way ruff finds it — the
nearest folder, from the module's own upwards, holding ``.ruff.toml``, ``ruff.toml`` or a
``pyproject.toml`` with ``[tool.ruff]`` — and failing that black's ``[tool.black]``; the search
stops at the project root (the tool never reads outside it). A folder that configures no
formatter but a linter — flake8's or pycodestyle's ``max-line-length`` in ``.flake8``,
``setup.cfg`` or ``tox.ini`` — gets that length: a project checked by flake8 alone must not get
inserted lines its linter rejects. The same holds for the quotes
of inserted strings: ruff's ``[format] quote-style`` (``double``, ``single``, or ``preserve``,
which black's ``skip-string-normalization`` means too; flake8-quotes' ``inline-quotes``, ruff's
or flake8's, when no formatter sets one), and for the order an inserted import
takes: plain and ``from`` imports ordered together by module when ruff's or isort's
``force-sort-within-sections`` (or isort's ``google`` profile) says so, set apart from plain
imports by a blank line when ``lines-between-types`` says so, or after them when ``from-first``
says so (flake8-import-order's ``google`` style sorts them together too; its ``cryptography``
style, the default, wants a group per top-level package, set apart by blank lines; read beside
a ruff or black configuration too, unless ruff's ``I001`` or isort sorts the imports), and a
relative one among the relative imports in the order the sorter keeps them (ruff's
``relative-imports-order``, isort's ``reverse_relative``), its section where the sorter's order
of sections puts it (ruff's ``section-order``, isort's ``sections``, custom sections they name
and ``forced-separate``'s included), in the section the sorter is
told the app's package is of (``known-first-party``, ``known-third-party``, a custom one, ...),
by the length of its module first when ``length-sort`` says so (of its whole line under
isort's ``force_sort_within_sections``). A project whose
imports isort sorts (its settings found, no ruff configuration) gets a long inserted import
wrapped the way isort wraps it: at isort's ``line_length`` (its profile's, or 79), in its
``multi_line_output`` mode (grid, vertical hanging indent, vertical grid grouped).
"""

import os
import re
import tomllib
from collections.abc import Callable
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

from telemetry_cli.files import (
    MAX_CONFIG_BYTES,
    FileProblem,
    contained_path,
    parse_toml,
    read_head,
)
from telemetry_cli.patching.limits import (
    DEFAULT_MAX_IMPORTS,
    DEFAULT_MAX_STATEMENTS,
    IMPORTS,
    PYLINT_RULES,
    Limit,
)

if TYPE_CHECKING:
    import configparser

#: ruff's and black's default line length, for a project that configures none.
DEFAULT_LINE_LENGTH = 88
#: ruff's default ``quote-style`` (black's too: it normalizes strings to double quotes).
DEFAULT_QUOTE_STYLE = "double"
# ruff's `[format] quote-style` values: the quote strings are normalized to, or `preserve`.
QUOTE_STYLES = frozenset({"double", "single", "preserve"})
# The longest line-length ruff accepts; anything else is not a setting we can trust.
_MAX_LINE_LENGTH = 320
# A continuation indent wider than any real one is taken for a typo (the default applies).
_MAX_CONTINUATION = 16
# Options of flake8's section that only wemake-python-styleguide reads: its configuration.
_WEMAKE_OPTIONS = frozenset(
    {
        "max-imports",
        "max-imported-names",
        "max-module-members",
        "max-methods",
        "max-local-variables",
        "max-line-complexity",
        "max-cognitive-score",
        "max-cognitive-average",
        "max-module-expressions",
        "max-function-expressions",
        "i-control-code",
        "i-dont-control-code",
        "nested-classes-whitelist",
        "allowed-domain-names",
        "forbidden-domain-names",
    }
)
# The INI files flake8 reads its settings from, in its order, and the sections holding them.
_LINTER_FILES = (".flake8", "setup.cfg", "tox.ini")
# The files holding nothing but mypy's settings (setup.cfg and pyproject.toml hold others').
_MYPY_FILES = ("mypy.ini", ".mypy.ini")
_LINTER_SECTIONS = ("flake8", "pycodestyle")
# flake8-import-order's styles that order plain and `from` imports together by module, as
# isort's force_sort_within_sections does (appnexus is google's).
_ORDER_BY_MODULE = frozenset({"google", "appnexus"})
# Its styles that compare modules as written, case and all (the others lowercase them first).
_ORDER_CASED = frozenset({"cryptography", "pycharm"})
# Its styles that order the imports of a group (pep8's checks only the groups' order); each
# puts a relative import of fewer dots first (`from . import x` before `from ..y import z`).
_ORDER_SORTING = frozenset({"cryptography", "google", "appnexus", "smarkets", "edited", "pycharm"})
# flake8's (pycodestyle's) `max-line-length` when its section sets none: PEP 8's 79.
_LINTER_LINE_LENGTH = 79
# The files isort reads its settings from, with the sections holding them.
_ISORT_FILES = (
    (".isort.cfg", ("settings", "isort")),
    ("setup.cfg", ("isort", "tool:isort")),
    ("tox.ini", ("isort", "tool:isort")),
)
# isort's default `line_length`, and the settings its profiles give (`profile = "black"`):
# those :func:`_isort_settings` reads, as isort 9.0's `isort/profiles.py` sets them
# (tests/test_patching_style.py compares them with the installed isort's).
_ISORT_LINE_LENGTH = 79
_ISORT_BLACK: dict[str, object] = {
    "multi_line_output": 3,
    "include_trailing_comma": True,
    "use_parentheses": True,
    "line_length": 88,
}
_ISORT_PROFILES: dict[str, dict[str, object]] = {
    "black": _ISORT_BLACK,
    "django": {"include_trailing_comma": True, "multi_line_output": 5, "line_length": 79},
    "pycharm": {"multi_line_output": 3},
    "google": {"force_sort_within_sections": True, "line_length": 1000, "order_by_type": False},
    "open_stack": {"force_sort_within_sections": True},
    "plone": {**_ISORT_BLACK, "force_alphabetical_sort": True},
    "attrs": {
        "include_trailing_comma": True,
        "lines_between_types": 1,
        "multi_line_output": 3,
        "use_parentheses": True,
    },
    "hug": {**_ISORT_BLACK, "line_length": 100},
    "wemake": {**_ISORT_BLACK, "line_length": 80},
    "appnexus": {
        **_ISORT_BLACK,
        "force_sort_within_sections": True,
        "reverse_relative": True,
        "sections": ["FUTURE", "STDLIB", "THIRDPARTY", "FIRSTPARTY", "APPLICATION", "LOCALFOLDER"],
        "no_lines_before": "LOCALFOLDER",
        "order_by_type": False,
        "case_sensitive": False,
    },
}
# isort's `multi_line_output` modes whose wrapping of a one-name import is followed, by number
# and by name: GRID, VERTICAL_HANGING_INDENT, VERTICAL_GRID_GROUPED.
_ISORT_MODES = {
    "0": "grid",
    "grid": "grid",
    "3": "hanging",
    "vertical_hanging_indent": "hanging",
    "5": "hanging",
    "vertical_grid_grouped": "hanging",
}
#: ruff's names of the standard import sections, in order; isort's names of the same.
IMPORT_SECTIONS = ("future", "standard-library", "third-party", "first-party", "local-folder")
# reorder-python-imports' order of them: relative imports first among the project's own.
_REORDER_SECTIONS = ("future", "standard-library", "third-party", "local-folder", "first-party")
# The id of the pre-commit hook running reorder-python-imports.
_REORDER_HOOK = "reorder-python-imports"
_PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
# The ids of the pre-commit hooks running a type checker: mirrors-mypy's `mypy`, pyright-python's
# `pyright`, basedpyright's `basedpyright`, and a local hook named after one (`mypy-backend`).
_TYPE_CHECKER_HOOK = re.compile(r"(mypy|(?:based)?pyright)\b")
_RUFF_SECTIONS: dict[str, str | None] = {name: name for name in IMPORT_SECTIONS}
_ISORT_SECTIONS: dict[str, str | None] = dict(
    zip(
        ("future", "stdlib", "thirdparty", "firstparty", "localfolder"),
        IMPORT_SECTIONS,
        strict=True,
    )
)
# The settings that put named modules in a standard section, by ruff's names and by isort's,
# each with the section (ruff's name of it); ruff's checked in this order, isort's in the
# reverse of its sections (see _isort_known_order).
_RUFF_KNOWN = (
    ("known-first-party", "first-party"),
    ("known-third-party", "third-party"),
    ("known-local-folder", "local-folder"),
    ("extra-standard-library", "standard-library"),
)
_ISORT_KNOWN = (
    ("known_future_library", "future"),
    ("known_first_party", "first-party"),
    ("known_third_party", "third-party"),
    ("known_local_folder", "local-folder"),
    ("known_standard_library", "standard-library"),
    ("extra_standard_library", "standard-library"),
)
# yapf's `column_limit` by its `based_on_style`: pep8's (the default), and google's, facebook's
# and yapf's own.
_YAPF_PEP8_LIMIT = 79
_YAPF_OTHER_LIMIT = 80
# yapf's `continuation_indent_width`, the same (4) in each of its styles.
_YAPF_CONTINUATION = 4


class YapfLayout(NamedTuple):
    """The settings of yapf that decide how it lays out a log call it splits."""

    #: ``continuation_indent_width``: the arguments of a split call, the entries of a split dict
    #: and a dict value put on its own line are indented by it (not by ``indent_width``).
    continuation: int = _YAPF_CONTINUATION
    #: ``indent_dictionary_value`` (pep8's is off; google's, facebook's and yapf's on): a dict
    #: value put on the line after its key is indented, and once one value of a dict goes
    #: there, they all do.
    indent_value: bool = False


# Steps of ruff's `extend` chain followed before giving up (a chain that loops ends too).
_MAX_EXTENDS = 8


def _ruff_flag(key: str) -> Callable[[dict[str, Any]], object]:
    """A reader of the ``[lint.isort]`` switch ``key`` of a ruff configuration (None: unset)."""
    return lambda chain: _only(_ruff_isort(chain, key), bool)


def _ruff_magic_comma(chain: dict[str, Any]) -> object:
    """A ruff configuration's ``[format] skip-magic-trailing-comma`` (None: unset)."""
    form = chain.get("format")
    return _only(form.get("skip-magic-trailing-comma") if isinstance(form, dict) else None, bool)


def _format_setting(chain: dict[str, Any], key: str) -> object:
    """A ruff configuration's ``[format] key`` (None: unset)."""
    form = chain.get("format")
    return form.get(key) if isinstance(form, dict) else None


def _only(value: object, kind: type) -> object:
    """``value`` when it is of ``kind`` (an ``int`` no ``bool``), else None: a setting unset."""
    if kind is int and isinstance(value, bool):
        return None
    return value if isinstance(value, kind) else None


#: The settings of a ruff configuration the style reads, each with its reader (None: unset in
#: that file, so the file it extends is read for it). One list: the ``extend`` chain is followed
#: until every setting read here is found, whichever file of the chain sets it.
_RUFF_SETTINGS: dict[str, Callable[[dict[str, Any]], object]] = {
    "line-length": lambda chain: _length(chain.get("line-length", chain.get("line_length"))),
    "quote-style": lambda chain: _quote_style(chain.get("format")),
    "inline-quotes": lambda chain: _inline_quotes(
        _ruff_lint(chain, "flake8-quotes", "inline-quotes")
    ),
    "force-sort-within-sections": _ruff_flag("force-sort-within-sections"),
    "lines-between-types": lambda chain: _only(_ruff_isort(chain, "lines-between-types"), int),
    "from-first": _ruff_flag("from-first"),
    "no-lines-before": lambda chain: _ruff_isort(chain, "no-lines-before"),
    "section-order": lambda chain: _ruff_isort(chain, "section-order"),
    "no-sections": _ruff_flag("no-sections"),
    "length-sort": _ruff_flag("length-sort"),
    "length-sort-straight": _ruff_flag("length-sort-straight"),
    "case-sensitive": _ruff_flag("case-sensitive"),
    "known": lambda chain: _known(lambda key: _ruff_isort(chain, key), _RUFF_KNOWN),
    "sections": lambda chain: _only(_ruff_isort(chain, "sections"), dict),
    "forced-separate": lambda chain: _ruff_isort(chain, "forced-separate"),
    "relative-imports-order": lambda chain: _only(
        _ruff_isort(chain, "relative-imports-order"), str
    ),
    "skip-magic-trailing-comma": _ruff_magic_comma,
    "indent-style": lambda chain: _only(_format_setting(chain, "indent-style"), str),
    "indent-width": lambda chain: _only(chain.get("indent-width"), int),
}


class ImportWrap(NamedTuple):
    """How isort lays out a ``from`` import too long for its line."""

    line_length: int = _ISORT_LINE_LENGTH
    #: ``"grid"`` (a backslash, or with ``use_parentheses`` the name and ``)`` on the next
    #: line), ``"hanging"`` (``(``, the name, ``)`` on lines of their own), or ``""`` for a
    #: mode not followed (ruff's layout at isort's length).
    mode: str = "grid"
    use_parentheses: bool = False
    trailing_comma: bool = False


class _IsortSettings(NamedTuple):
    """The settings of isort that decide where an inserted import goes and how it wraps."""

    within: bool
    apart: bool
    from_first: bool
    wrap: ImportWrap
    joined: frozenset[str]
    relative: str
    order: tuple[str, ...]
    single: bool
    length: str
    known: tuple[tuple[str, str], ...]
    cased: bool


#: The rules read here that ruff runs only in preview (as of ruff 0.17).
PREVIEW_RULES = frozenset({"PLR6301"})
#: ruff's default ``dummy-variable-rgx``.
DUMMY_VARIABLES = "^(_+|(_+[a-zA-Z0-9_]*[a-zA-Z0-9]+?))$"


def _valid_pattern(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


class _RuffRules(NamedTuple):
    """What a ruff configuration selects for one module, and the rule settings read here."""

    selected: tuple[str, ...]
    ignored: tuple[str, ...]
    #: The codes its ``per-file-ignores`` turn off for the module.
    file_ignored: tuple[str, ...]
    max_statements: int | None
    #: ``[lint.flake8-tidy-imports] ban-relative-imports``: ``parents`` (the default) or ``all``.
    ban_relative: str
    #: ``dummy-variable-rgx``: the names its unused-argument rules (and others) leave alone.
    dummy_names: str = DUMMY_VARIABLES
    #: ``preview`` (top-level or ``[lint]``): its preview rules run.
    preview: bool = False

    def checks(self, code: str) -> bool:
        """Whether ruff reports ``code`` in the module (the most specific selector decides)."""
        if code in PREVIEW_RULES and not self.preview:
            return False
        chosen = _most_specific(list(self.selected), code)
        if chosen < 0 or _most_specific(list(self.ignored), code) >= chosen:
            return False
        return _most_specific(list(self.file_ignored), code) < 0


class FormatStyle(NamedTuple):
    """How the project's formatter lays out one folder's modules, as far as insertions care."""

    line_length: int = DEFAULT_LINE_LENGTH
    #: ``"double"``, ``"single"`` or ``"preserve"`` (keep each string's quotes as written).
    quote_style: str = DEFAULT_QUOTE_STYLE
    #: Formatted by black (``[tool.black]``, no ruff configuration), which lays a few long
    #: values out otherwise than ruff (a conditional value goes in parentheses).
    black: bool = False
    #: The import sorter orders ``import x`` and ``from x import y`` together, by module
    #: (ruff's ``force-sort-within-sections``, isort's ``force_sort_within_sections`` or its
    #: ``google`` profile) rather than plain imports first.
    sort_within_sections: bool = False
    #: The import sorter sets ``import x`` lines apart from ``from x import y`` lines of the same
    #: section by a blank line (ruff's ``lines-between-types``, isort's ``lines_between_types``).
    types_apart: bool = False
    #: The import sorter puts ``from x import y`` lines before ``import x`` lines of the same
    #: section (ruff's ``from-first``, isort's ``from_first``).
    from_first: bool = False
    #: isort's wrapping of a long import, when isort sorts the module's imports (None: ruff's).
    import_wrap: ImportWrap | None = None
    #: The import sections not set apart from the one above by a blank line (ruff's
    #: ``no-lines-before``, isort's ``no_lines_before``), by ruff's names of them
    #: (:data:`IMPORT_SECTIONS`).
    joined_sections: frozenset[str] = frozenset()
    #: The formatter ignores magic trailing commas (``skip-magic-trailing-comma``, ruff's or
    #: black's): a call whose arguments fit on one line inside its brackets is written so.
    skip_magic_comma: bool = False
    #: yapf formats the folder (its settings found, no ruff ``[format]`` nor black), so: a log
    #: call it would split has its payload split one entry per line, as yapf lays a dict out.
    yapf: YapfLayout | None = None
    #: flake8-import-order's ``cryptography`` style checks the folder (its default style, when
    #: the plugin is configured): one group per top-level package among the third-party and the
    #: project's own imports, each set apart from the next by a blank line.
    package_groups: bool = False
    #: How the import sorter orders the relative imports of a section: ``"furthest"`` (``from
    #: ..x`` before ``from .y``: ruff's default ``relative-imports-order``, isort's default),
    #: ``"closest"`` (``from .y`` first: ruff's ``closest-to-furthest``, isort's
    #: ``reverse_relative``) or ``"text"`` (by the dotted name as written, ``from . import a``
    #: before ``from ..x``: isort's ``force_sort_within_sections``).
    relative_order: str = "furthest"
    #: The order of the import sections, by ruff's names (:data:`IMPORT_SECTIONS`, the
    #: default): ruff's ``section-order``, isort's ``sections``. A custom section it names
    #: (ruff's ``[lint.isort.sections]``, isort's ``known_<name>``) is ``custom:<name>``, and
    #: the sections of ``forced-separate`` (``forced:<pattern>``) follow every other.
    section_order: tuple[str, ...] = IMPORT_SECTIONS
    #: The sorter puts every import but the ``__future__`` ones in one section (ruff's and
    #: isort's ``no-sections``).
    no_sections: bool = False
    #: The sorter orders a section's imports by the length of their module first, shorter
    #: first: ``"all"`` (ruff's ``length-sort``, isort's ``length_sort``), ``"straight"`` (only
    #: plain imports: ``length-sort-straight``, ``length_sort_straight``), ``"line"`` (by the
    #: length of the whole line: isort's ``length_sort`` with ``force_sort_within_sections``)
    #: or ``""`` (by name).
    length_sort: str = ""
    #: The modules the sorter is told are of a section (ruff's ``known-first-party``,
    #: ``known-third-party``, ``known-local-folder``, ``extra-standard-library``; isort's
    #: ``known_*``): each glob pattern with the section, by ruff's name (see
    #: :func:`known_section`).
    known_sections: tuple[tuple[str, str], ...] = ()
    #: reorder-python-imports sorts (a pre-commit hook runs it): its application directories
    #: (absolute; its ``--application-directories``, the root by default). A module found in
    #: one is the project's, any other not of the standard library a third party's, whatever
    #: the backend folder holds (see :func:`application_module`). None: another sorter.
    application_directories: tuple[str, ...] | None = None
    #: The sorter compares modules with their case, uppercase first (ruff's and isort's
    #: ``case-sensitive``; isort's default under ``force_sort_within_sections``, whose
    #: ``order_by_type`` keeps the case of the whole line).
    case_sensitive: bool = False
    #: The formatter's indentation step, for a module with no indented block to learn its own
    #: from: four spaces (black's), ruff's ``indent-width`` spaces, or a tab for its
    #: ``[format] indent-style = "tab"``.
    indent: str = "    "

    def section_names(self) -> tuple[str, ...]:
        """The standard sections (:data:`IMPORT_SECTIONS`), then the custom ones of the order."""
        custom = (name for name in self.section_order if name not in IMPORT_SECTIONS)
        return (*IMPORT_SECTIONS, *custom)


#: No formatter configured: nothing normalizes the quotes, so insertions follow the module's own
#: (a project whose pre-commit runs double-quote-string-fixer rewrote double-quoted ones).
DEFAULT_STYLE = FormatStyle(quote_style="preserve")


class FormatStyles:
    """The configured format style of each folder of one project, read once per folder."""

    def __init__(self, root: Path) -> None:
        """Read configuration files under ``root`` only."""
        self.root = root
        self._folders: dict[PurePosixPath, FormatStyle] = {}
        # Each configuration file read and parsed once a run: every module's styles and limits
        # look through the same few files (the parsed documents are only read).
        self._texts: dict[PurePosixPath, str | None] = {}
        self._tomls: dict[PurePosixPath, dict[str, Any] | None] = {}
        self._pylints: dict[PurePosixPath, dict[str, object] | None] = {}
        # Each folder's pre-commit hooks, parsed once: every module's style and checkers ask.
        self._hooks_of: dict[PurePosixPath, dict[str, tuple[str, ...]]] = {}
        # A module's ruff selection is asked for by its limits, its relative imports and its
        # unused arguments: worked out once (per-file-ignores are matched for each).
        self._ruff_rules_of: dict[str, _RuffRules | None] = {}

    def of(self, relative: str) -> FormatStyle:
        """The style for the module at ``relative`` (a POSIX path under the root)."""
        return self._folder(PurePosixPath(relative).parent)

    def linter_limits(self, relative: str) -> tuple[Limit, ...]:
        """The count limits the project's linters set for the module at ``relative``.

        Ruff's ``PLR0915`` when its configuration (the nearest, as ruff finds it, following
        ``extend``) selects it and its ``per-file-ignores`` leave it on for ``relative``;
        pylint's ``too-many-statements`` and ``too-many-lines`` when a pylint configuration is
        found (the nearest folder holding one) and does not disable them (each at its
        ``max-statements``, 50 unless set, and ``max-module-lines``, 1000); wemake's ``WPS201``
        when the nearest flake8 configuration is wemake-python-styleguide's (at ``max-imports``,
        12 unless set) and neither ignores it nor its ``per-file-ignores`` for ``relative``.
        """
        folder = PurePosixPath(relative).parent
        while True:
            pylint = self._pylint_options(folder)
            if pylint is not None or folder == PurePosixPath("."):
                break
            folder = folder.parent
        limits: list[Limit] = []
        selection = self._nearest_ruff(relative)
        if selection is not None and selection.checks("PLR0915"):
            most = selection.max_statements
            at = DEFAULT_MAX_STATEMENTS if most is None else most
            limits.append(Limit("ruff", "PLR0915", at, "`# noqa: PLR0915` on its def line"))
        rules = () if pylint is None else PYLINT_RULES
        for rule in rules:
            if pylint is not None and _pylint_enables(pylint, rule.name, rule.id):
                limit = _count(pylint.get(rule.option))
                limits.append(
                    Limit(
                        "pylint",
                        rule.name,
                        rule.default if limit is None else limit,
                        f"`# pylint: disable={rule.name}` {rule.where}",
                        rule.counts,
                        rule.option,
                    )
                )
        imports = self._wemake_imports(relative)
        if imports is not None:
            limits.append(
                Limit(
                    "wemake",
                    "WPS201",
                    imports,
                    f"`{relative}: WPS201` in flake8's per-file-ignores",
                    IMPORTS,
                    "max-imports",
                )
            )
        return tuple(limits)

    def banned_relative_level(self, relative: str) -> int | None:
        """The lowest level of relative import ruff's ``TID252`` reports in the module ``relative``.

        2 (``from ..x``, and further up) for ``ban-relative-imports = "parents"``, ruff's
        default; 1 (``from .x`` too) for ``"all"``; None when the nearest ruff configuration (as
        ruff finds it, following ``extend``) does not select the rule for the module, or there is
        none.
        """
        rules = self._nearest_ruff(relative)
        if rules is None or not rules.checks("TID252"):
            return None
        return 1 if rules.ban_relative == "all" else 2

    def application_import_names(self, relative: str) -> frozenset[str] | None:
        """flake8-import-order's ``application-import-names`` for the module at ``relative``.

        From the nearest folder (the module's own, upwards) whose flake8 configuration sets
        it; None when none does (the plugin then tells no import of the project's apart).
        """
        folder = PurePosixPath(relative).parent
        while True:
            for name in _LINTER_FILES:
                parser = self._ini(folder / name)
                if parser is None or not parser.has_section("flake8"):
                    continue
                value = _ini_setting(parser, "flake8", "application-import-names")
                if value is not None:
                    return frozenset(filter(None, re.split(r"[\s,]+", value)))
            if folder == PurePosixPath("."):
                return None
            folder = folder.parent

    def type_checkers(self, relative: str) -> frozenset[str]:
        """The type checkers (``"mypy"``, ``"pyright"``) configured for the module ``relative``.

        Each reads its configuration from a folder above the module it checks: mypy's in
        ``mypy.ini``, ``.mypy.ini``, a ``[mypy]`` section of ``setup.cfg`` or ``[tool.mypy]``;
        pyright's (basedpyright's) in ``pyrightconfig.json`` or ``[tool.pyright]``
        (``[tool.basedpyright]``); a pre-commit hook running either counts too.
        """
        found: set[str] = set()
        folder = PurePosixPath(relative).parent
        while True:
            tool = (self._toml(folder / "pyproject.toml") or {}).get("tool")
            tables = tool if isinstance(tool, dict) else {}
            setup = self._ini(folder / "setup.cfg")
            if (
                "mypy" in tables
                or any(self._text(folder / name) is not None for name in _MYPY_FILES)
                or (setup is not None and setup.has_section("mypy"))
            ):
                found.add("mypy")
            if {"pyright", "basedpyright"} & tables.keys() or self._text(
                folder / "pyrightconfig.json"
            ) is not None:
                found.add("pyright")
            # The hooks pre-commit runs, read as YAML: a hook commented out, or the words
            # `id: mypy` in another hook's text (an `entry`, an `args` item), runs no checker.
            for hook in self._hooks(folder):
                checker = _TYPE_CHECKER_HOOK.match(hook)
                if checker is not None:
                    found.add("mypy" if checker.group(1) == "mypy" else "pyright")
            if folder == PurePosixPath("."):
                return frozenset(found)
            folder = folder.parent

    def ruff_checks(self, relative: str, codes: tuple[str, ...]) -> tuple[frozenset[str], str]:
        """Those of ``codes`` the nearest ruff configuration reports in the module ``relative``.

        With its ``dummy-variable-rgx``: the names its unused-argument rules leave alone.
        """
        rules = self._nearest_ruff(relative)
        if rules is None:
            return frozenset(), DUMMY_VARIABLES
        return frozenset(filter(rules.checks, codes)), rules.dummy_names

    def _nearest_ruff(self, relative: str) -> _RuffRules | None:
        """The rule selection of the ruff configuration ruff uses for ``relative``, if any."""
        if relative not in self._ruff_rules_of:
            self._ruff_rules_of[relative] = self._find_ruff_rules(relative)
        return self._ruff_rules_of[relative]

    def _find_ruff_rules(self, relative: str) -> _RuffRules | None:
        """:meth:`_nearest_ruff`, worked out."""
        folder = PurePosixPath(relative).parent
        while True:
            ruff = self._ruff_settings(folder)
            if ruff is not None:
                return self._ruff_rules(ruff, folder, relative)
            if folder == PurePosixPath("."):
                return None
            folder = folder.parent

    def _wemake_imports(self, relative: str) -> int | None:
        """wemake-python-styleguide's ``max-imports`` when its ``WPS201`` checks ``relative``.

        The nearest flake8 configuration (``.flake8``, ``setup.cfg``, ``tox.ini``) is wemake's
        when it names its codes (``WPS``) or sets an option of its own; ``ignore``,
        ``extend-ignore`` (codes as prefixes) or a ``per-file-ignores`` entry matching the module
        (flake8 matches a pattern with no ``/`` against the file's name) turns the rule off.
        """
        folder = PurePosixPath(relative).parent
        while True:
            for name in _LINTER_FILES:
                parser = self._ini(folder / name)
                if parser is not None and parser.has_section("flake8"):
                    options = {
                        key.replace("_", "-"): value for key, value in parser.items("flake8")
                    }
                    if not _wemake_configured(options):
                        return None
                    module = PurePosixPath(relative).relative_to(folder).as_posix()
                    if _flake8_ignores(options, module, "WPS201"):
                        return None
                    return _count(options.get("max-imports")) or DEFAULT_MAX_IMPORTS
            if folder == PurePosixPath("."):
                return None
            folder = folder.parent

    def _ruff_settings(self, folder: PurePosixPath) -> dict[str, Any] | None:
        """The ruff configuration in ``folder`` itself, if any (``[tool.ruff]`` of a pyproject)."""
        for name in (".ruff.toml", "ruff.toml"):
            document = self._toml(folder / name)
            if document is not None:
                return document
        pyproject = self._toml(folder / "pyproject.toml")
        tool = pyproject.get("tool") if pyproject is not None else None
        ruff = tool.get("ruff") if isinstance(tool, dict) else None
        return ruff if isinstance(ruff, dict) else None

    def _ruff_rules(
        self, settings: dict[str, Any], folder: PurePosixPath, relative: str
    ) -> _RuffRules:
        """The rule selection of ruff's ``settings`` (along ``extend``) for the module ``relative``.

        A ``per-file-ignores`` (or ``extend-per-file-ignores``) pattern matching the module turns
        its codes off: ruff applies those after the selection, whatever its specificity, each
        pattern relative to the folder of the file that holds it.
        """
        select: list[str] | None = None
        extra: list[str] = []
        ignored: list[str] = []
        file_ignored: list[str] = []
        limit: int | None = None
        ban: object = None
        dummy: object = None
        preview: object = None
        chain: dict[str, Any] | None = settings
        depth = 0
        while chain is not None:
            lint = chain.get("lint")
            tables = [chain, *([lint] if isinstance(lint, dict) else [])]
            for table in tables:
                if select is None and isinstance(table.get("select"), list):
                    select = [str(code) for code in table["select"]]
                for key, into in (
                    ("extend-select", extra),
                    ("ignore", ignored),
                    ("extend-ignore", ignored),
                ):
                    value = table.get(key)
                    if isinstance(value, list):
                        into.extend(str(code) for code in value)
                for key in ("per-file-ignores", "extend-per-file-ignores"):
                    file_ignored.extend(_ruff_file_ignores(table.get(key), folder, relative))
            if limit is None:
                limit = _count(_ruff_lint(chain, "pylint", "max-statements"))
            if ban is None:
                ban = _ruff_lint(chain, "flake8-tidy-imports", "ban-relative-imports")
            for table in tables:
                if dummy is None and isinstance(table.get("dummy-variable-rgx"), str):
                    dummy = table["dummy-variable-rgx"]
            for table in reversed(tables):  # `[lint] preview` over the top-level one
                if preview is None and isinstance(table.get("preview"), bool):
                    preview = table["preview"]
            chain, folder = self._extended(chain, folder, depth)
            depth += 1
        return _RuffRules(
            (*(select or ["E", "F"]), *extra),
            tuple(ignored),
            tuple(file_ignored),
            limit,
            ban if ban in ("parents", "all") else "parents",
            dummy if isinstance(dummy, str) and _valid_pattern(dummy) else DUMMY_VARIABLES,
            preview is True,
        )

    def _hooks(self, folder: PurePosixPath) -> dict[str, tuple[str, ...]]:
        """The hooks ``folder``'s ``.pre-commit-config.yaml`` runs (see :func:`hooks_run`)."""
        if folder not in self._hooks_of:
            self._hooks_of[folder] = _pre_commit_hooks(
                self._text(folder / _PRE_COMMIT_CONFIG) or ""
            )
        return self._hooks_of[folder]

    def _pylint_options(self, folder: PurePosixPath) -> dict[str, object] | None:
        """The options of pylint's configuration in ``folder`` itself, if it has one.

        The first of the files pylint reads that configures it (as :meth:`_pylint_length`
        finds it), its sections' options merged, the first setting of a key kept. Read once a
        folder (the options are only read).
        """
        if folder not in self._pylints:
            self._pylints[folder] = self._read_pylint_options(folder)
        return self._pylints[folder]

    def _read_pylint_options(self, folder: PurePosixPath) -> dict[str, object] | None:
        """:meth:`_pylint_options`, read from the folder's files."""
        options: dict[str, object] = {}
        for name in ("pylintrc", ".pylintrc"):
            parser = self._ini(folder / name)
            if parser is not None:
                for section in parser.sections():
                    for key, value in parser.items(section):
                        options.setdefault(key.replace("_", "-"), value)
                return options
        pyproject = self._toml(folder / "pyproject.toml")
        tool = pyproject.get("tool") if pyproject is not None else None
        pylint = tool.get("pylint") if isinstance(tool, dict) else None
        if isinstance(pylint, dict):
            for table in [pylint, *(t for t in pylint.values() if isinstance(t, dict))]:
                for key, value in table.items():
                    options.setdefault(str(key).replace("_", "-"), value)
            return options
        for name in ("setup.cfg", "tox.ini"):
            parser = self._ini(folder / name)
            sections = [] if parser is None else parser.sections()
            ours = [section for section in sections if section.lower().startswith("pylint")]
            if parser is not None and ours:
                for section in ours:
                    for key, value in parser.items(section):
                        options.setdefault(key.replace("_", "-"), value)
                return options
        return None

    def _folder(self, folder: PurePosixPath) -> FormatStyle:
        known = self._folders.get(folder)
        if known is not None:
            return known
        found = self._configured(folder)
        top = folder == PurePosixPath(".")
        if found is None and not top:
            found = self._folder(folder.parent)  # the import order below is the parent's too
            if self._text(folder / _PRE_COMMIT_CONFIG) is not None:
                found = self._reordered(found, folder)  # a service's own hooks (a monorepo)
        else:
            found = self._reordered(found or DEFAULT_STYLE, folder)
        self._folders[folder] = found
        return found

    def _reordered(self, found: FormatStyle, folder: PurePosixPath) -> FormatStyle:
        """``found`` with reorder-python-imports' order, when a pre-commit hook runs it.

        Its hook (``id: reorder-python-imports`` in the ``.pre-commit-config.yaml`` nearest
        ``folder``, up to the root's: a monorepo keeps one per service) rewrites every module's
        imports, whatever else is configured: plain imports before ``from`` ones, by module as
        written, and the relative imports in one section with the project's own, before them
        (``.`` sorts before a letter), with nothing between. The project's own are the modules
        found in its ``--application-directories`` (the hook's ``args``), which pre-commit
        runs from the root: read from there.
        """
        args = None
        for level in (folder, *folder.parents):
            args = self._hooks(level).get(_REORDER_HOOK)
            if args is not None:
                break
        if args is None:
            return found
        directories = _option(args, "--application-directories") or "."
        return found._replace(
            application_directories=tuple(
                str(self.root / part) for part in directories.split(":") if part
            ),
            sort_within_sections=False,
            types_apart=False,
            from_first=False,
            import_wrap=None,
            package_groups=False,
            relative_order="text",
            section_order=_REORDER_SECTIONS,
            # One section for it, relative imports first: the inserted import goes among those
            # of its kind the module has (no blank line is written between the two kinds).
            joined_sections=frozenset(),
            no_sections=False,
            length_sort="",
            known_sections=(),
            case_sensitive=False,
        )

    def _configured(self, folder: PurePosixPath) -> FormatStyle | None:
        """The style set by the formatter configuration in ``folder`` itself, if any."""
        found = self._with_import_order(self._formatter(folder), folder)
        yapf = self._yapf(folder)
        if yapf is None or (found is not None and (found.black or found.yapf)):
            return found
        # yapf formats: at its column limit, and it normalizes no quotes; what a ruff or linter
        # configuration beside it says of imports still holds (ruff's `[format]` excepted).
        if found is not None and self._ruff_formats(folder):
            return found
        base = found if found is not None else DEFAULT_STYLE
        limit, layout = yapf
        return base._replace(line_length=limit, quote_style="preserve", yapf=layout)

    def _ruff_formats(self, folder: PurePosixPath) -> bool:
        """Whether the ruff configuration in ``folder`` has a ``[format]`` table (ruff formats)."""
        settings = self._ruff_settings(folder)
        return settings is not None and isinstance(settings.get("format"), dict)

    def _yapf(self, folder: PurePosixPath) -> tuple[int, YapfLayout] | None:
        """The column limit and layout of yapf when its settings are in ``folder`` (None: unset).

        yapf reads ``.style.yapf`` (``[style]``), ``setup.cfg``'s ``[yapf]`` and
        ``[tool.yapf]``; a setting unset is its ``based_on_style``'s (pep8, the default: 79
        columns, dict values not indented; google, facebook and yapf: 80 columns, indented).
        """
        table: dict[str, object] | None = None
        for name, section in ((".style.yapf", "style"), ("setup.cfg", "yapf")):
            parser = self._ini(folder / name)
            if parser is not None and parser.has_section(section):
                table = {key.lower(): value for key, value in parser.items(section)}
                break
        if table is None:
            pyproject = self._toml(folder / "pyproject.toml")
            tool = pyproject.get("tool") if pyproject is not None else None
            yapf = tool.get("yapf") if isinstance(tool, dict) else None
            if not isinstance(yapf, dict):
                return None
            table = {str(key).lower(): value for key, value in yapf.items()}
        based = str(table.get("based_on_style", "pep8")).strip().strip("'\"").lower()
        limit = _count(table.get("column_limit"))
        if limit is None or not 0 < limit <= _MAX_LINE_LENGTH:
            limit = _YAPF_PEP8_LIMIT if based == "pep8" else _YAPF_OTHER_LIMIT
        continuation = _count(table.get("continuation_indent_width"))
        if continuation is None or not 0 < continuation <= _MAX_CONTINUATION:
            continuation = _YAPF_CONTINUATION
        indent_value = table.get("indent_dictionary_value", based != "pep8")
        if isinstance(indent_value, str):
            indent_value = _ini_value(indent_value)
        if not isinstance(indent_value, bool):
            indent_value = based != "pep8"
        return limit, YapfLayout(continuation, indent_value)

    def _formatter(self, folder: PurePosixPath) -> FormatStyle | None:
        """The style of the ruff, black or linter configuration in ``folder``, if any."""
        for name in (".ruff.toml", "ruff.toml"):
            document = self._toml(folder / name)
            if document is not None:
                return self._ruff_style(document, folder)
        pyproject = self._toml(folder / "pyproject.toml")
        tool = pyproject.get("tool") if pyproject is not None else None
        if not isinstance(tool, dict):
            return self._linter_style(folder, None)
        ruff = tool.get("ruff")
        if isinstance(ruff, dict):
            return self._ruff_style(ruff, folder)
        black = tool.get("black")
        if isinstance(black, dict):
            length = _length(black.get("line-length", black.get("line_length")))
            skip = black.get("skip-string-normalization", black.get("skip_string_normalization"))
            magic = black.get("skip-magic-trailing-comma", black.get("skip_magic_trailing_comma"))
            # Black without string normalization leaves every string's quotes as written.
            isort = self._isort(folder, tool, black=True)
            return FormatStyle(
                length or DEFAULT_LINE_LENGTH,
                "preserve" if skip is True else DEFAULT_QUOTE_STYLE,
                black=True,
                sort_within_sections=isort is not None and isort.within,
                types_apart=isort is not None and isort.apart,
                from_first=isort is not None and isort.from_first,
                import_wrap=None if isort is None else isort.wrap,
                joined_sections=frozenset() if isort is None else isort.joined,
                skip_magic_comma=magic is True,
                relative_order="furthest" if isort is None else isort.relative,
                section_order=IMPORT_SECTIONS if isort is None else isort.order,
                no_sections=isort is not None and isort.single,
                length_sort="" if isort is None else isort.length,
                known_sections=() if isort is None else isort.known,
                case_sensitive=isort is not None and isort.cased,
            )
        return self._linter_style(folder, tool)

    def _with_import_order(
        self, found: FormatStyle | None, folder: PurePosixPath
    ) -> FormatStyle | None:
        """``found`` (a ruff or black style) with the import order flake8-import-order checks.

        A project formatted by ruff or black may check its imports with flake8-import-order
        (its style set beside the formatter's): the plugin's order holds, unless ruff's own
        import sorting (``I001``) or isort runs there, which rewrite the imports to theirs.
        """
        if found is None or found.import_wrap is not None:
            return found  # none (a linter's style reads it), or isort sorts the imports
        order = self._import_order(folder)
        if order is None:
            return found
        ruff = self._ruff_settings(folder)
        probe = (folder / "__init__.py").as_posix()
        if ruff is not None and self._ruff_rules(ruff, folder, probe).checks("I001"):
            return found
        return found._replace(
            sort_within_sections=order in _ORDER_BY_MODULE,
            package_groups=order == "cryptography",
            relative_order="closest" if order in _ORDER_SORTING else found.relative_order,
            case_sensitive=order in _ORDER_CASED,
        )

    def _import_order(self, folder: PurePosixPath) -> str | None:
        """flake8-import-order's style set up in ``folder``'s flake8 configuration, lowercase.

        ``cryptography`` (the plugin's default) when only its ``application-import-names`` is
        set; None when neither is.
        """
        order: str | None = None
        named = False
        for name in _LINTER_FILES:
            parser = self._ini(folder / name)
            for section in _LINTER_SECTIONS:
                if parser is None or not parser.has_section(section):
                    continue
                if order is None:
                    order = _ini_setting(parser, section, "import-order-style")
                named = (
                    named or _ini_setting(parser, section, "application-import-names") is not None
                )
        if order is None and named:
            return "cryptography"
        return None if order is None else order.strip().lower()

    def _linter_style(
        self, folder: PurePosixPath, tool: dict[str, Any] | None
    ) -> FormatStyle | None:
        """The style flake8 (or pycodestyle), pylint and isort enforce in ``folder``, when set.

        ``tool`` is the ``[tool]`` table of the folder's ``pyproject.toml``, if any.
        """
        length: int | None = None
        quote: str | None = None
        order = self._import_order(folder)  # flake8-import-order's style
        linted = False  # a section of flake8's that checks line lengths (E501)
        for name in _LINTER_FILES:
            parser = self._ini(folder / name)
            for section in _LINTER_SECTIONS:
                if parser is None or not parser.has_section(section):
                    continue
                linted = linted or not _ignores_long_lines(parser, section)
                if length is None:
                    length = _ini_length(parser, section, "max-line-length")
                if quote is None:
                    quote = _inline_quotes(_ini_setting(parser, section, "inline-quotes"))
        if length is None and linted:
            # A section that sets no length still has flake8 check lines at its default.
            length = _LINTER_LINE_LENGTH
        pylint = self._pylint_length(folder, tool)
        if pylint is not None:
            # Both linters run: the stricter length is the one inserted lines must keep.
            length = pylint if length is None else min(length, pylint)
        isort = self._isort(folder, tool)
        within = order in _ORDER_BY_MODULE
        if length is None and quote is None and order is None and isort is None:
            return None
        return FormatStyle(
            length or DEFAULT_LINE_LENGTH,
            # A linter without a quote rule leaves the quotes to the module, as no setting does.
            quote or DEFAULT_STYLE.quote_style,
            sort_within_sections=within or (isort is not None and isort.within),
            types_apart=isort is not None and isort.apart,
            from_first=isort is not None and isort.from_first,
            import_wrap=None if isort is None else isort.wrap,
            joined_sections=frozenset() if isort is None else isort.joined,
            package_groups=order == "cryptography",
            relative_order=isort.relative
            if isort is not None
            else "closest"
            if order in _ORDER_SORTING
            else "furthest",
            section_order=IMPORT_SECTIONS if isort is None else isort.order,
            no_sections=isort is not None and isort.single,
            length_sort="" if isort is None else isort.length,
            known_sections=() if isort is None else isort.known,
            case_sensitive=isort.cased if isort is not None else order in _ORDER_CASED,
        )

    def _pylint_length(self, folder: PurePosixPath, tool: dict[str, Any] | None) -> int | None:
        """The ``max-line-length`` pylint's configuration in ``folder`` sets, if any.

        In the first of the files pylint reads that configures it: ``pylintrc``, ``.pylintrc``
        (any section), ``[tool.pylint.*]``, ``setup.cfg``'s or ``tox.ini``'s ``[pylint.*]``.
        """
        for name in ("pylintrc", ".pylintrc"):
            parser = self._ini(folder / name)
            if parser is not None:
                return _first_length(parser, parser.sections())
        pylint = tool.get("pylint") if tool is not None else None
        if isinstance(pylint, dict):
            tables = [pylint, *(table for table in pylint.values() if isinstance(table, dict))]
            found = [_length(table.get("max-line-length")) for table in tables]
            return next((length for length in found if length is not None), None)
        for name in ("setup.cfg", "tox.ini"):
            parser = self._ini(folder / name)
            sections = [] if parser is None else parser.sections()
            ours = [section for section in sections if section.lower().startswith("pylint")]
            if parser is not None and ours:
                return _first_length(parser, ours)
        return None

    def _isort(
        self, folder: PurePosixPath, tool: dict[str, Any] | None, *, black: bool = False
    ) -> _IsortSettings | None:
        """The settings of isort in ``folder`` that inserted imports follow, if it is set up there.

        isort reads ``[tool.isort]``, ``.isort.cfg``'s ``[settings]``, or an ``[isort]`` (or
        ``[tool:isort]``) section of ``setup.cfg`` or ``tox.ini``.
        """
        isort = tool.get("isort") if tool is not None else None
        if isinstance(isort, dict):
            return _isort_settings(isort, black)
        for name, sections in _ISORT_FILES:
            parser = self._ini(folder / name)
            for section in sections:
                if parser is not None and parser.has_section(section):
                    return _isort_settings(
                        {key: _ini_value(value) for key, value in parser.items(section)}, black
                    )
        return None

    def _ruff_style(self, settings: dict[str, Any], folder: PurePosixPath) -> FormatStyle:
        """A ruff configuration's style, each setting followed along ``extend`` until set.

        A ruff configuration found is the one ruff uses, so a setting it does not make (itself
        or through ``extend``) means ruff's default, not whatever a folder further up says.
        """
        found: dict[str, object] = {}
        chain: dict[str, Any] | None = settings
        depth = 0
        # Each file of the chain is read for the settings its extending files left unset.
        while chain is not None and len(found) < len(_RUFF_SETTINGS):
            for key, read in _RUFF_SETTINGS.items():
                value = read(chain) if key not in found else None
                if value is not None:
                    found[key] = value
            chain, folder = self._extended(chain, folder, depth)
            depth += 1
        length = found.get("line-length")
        quote = found.get("quote-style")
        inline = found.get("inline-quotes")  # what flake8-quotes' rules (Q000) ask for
        between = found.get("lines-between-types")
        custom = found.get("sections")
        forced = found.get("forced-separate")
        sections = _sections(
            found.get("section-order"),
            _RUFF_SECTIONS,
            lambda name: custom.get(name) if isinstance(custom, dict) else None,
            # ruff matches forced-separate against a module's top-level package only: a dotted
            # entry (`app.analytics`) never matches.
            [item for item in forced if isinstance(item, str) and "." not in item]
            if isinstance(forced, list)
            else None,
        )
        return FormatStyle(
            length if isinstance(length, int) else DEFAULT_LINE_LENGTH,
            # The formatter's setting first; a project linting its quotes without it (ruff's
            # formatter unused) wants the linted ones.
            quote
            if isinstance(quote, str)
            else inline
            if isinstance(inline, str)
            else DEFAULT_QUOTE_STYLE,
            sort_within_sections=found.get("force-sort-within-sections") is True,
            types_apart=isinstance(between, int) and between > 0,
            from_first=found.get("from-first") is True,
            joined_sections=frozenset(_section_names(found.get("no-lines-before"), sections.names)),
            relative_order="closest"
            if found.get("relative-imports-order") == "closest-to-furthest"
            else "furthest",
            section_order=sections.order,
            no_sections=found.get("no-sections") is True,
            length_sort=_length_sort(found.get("length-sort"), found.get("length-sort-straight")),
            case_sensitive=found.get("case-sensitive") is True,
            indent=_ruff_indent(found.get("indent-style"), found.get("indent-width")),
            known_sections=(*sections.forced, *_known_pairs(found.get("known")), *sections.custom),
            skip_magic_comma=found.get("skip-magic-trailing-comma") is True,
        )

    def _extended(
        self, settings: dict[str, Any], folder: PurePosixPath, depth: int
    ) -> tuple[dict[str, Any] | None, PurePosixPath]:
        """The ruff settings ``settings`` extends (None when none) and the folder they are in."""
        extend = settings.get("extend")
        if not isinstance(extend, str) or depth >= _MAX_EXTENDS:
            return None, folder
        target = PurePosixPath(folder, extend)
        document: object = self._toml(target)
        if target.name == "pyproject.toml" and isinstance(document, dict):
            tool = document.get("tool")
            document = tool.get("ruff") if isinstance(tool, dict) else None
        return (document if isinstance(document, dict) else None), target.parent

    def _toml(self, relative: PurePosixPath) -> dict[str, Any] | None:
        """A TOML file under the root, parsed; None when absent, unreadable or not TOML.

        A formatter setting only decides where lines break, so a configuration file that cannot
        be read is no reason to stop: the default is used.
        """
        if relative not in self._tomls:
            data = self._text(relative)
            try:
                self._tomls[relative] = None if data is None else parse_toml(data)
            except (tomllib.TOMLDecodeError, RecursionError):
                self._tomls[relative] = None
        return self._tomls[relative]

    def _ini(self, relative: PurePosixPath) -> "configparser.RawConfigParser | None":
        """An INI file under the root, parsed; None when absent, unreadable or not INI."""
        data = self._text(relative)
        if data is None:
            return None
        # No interpolation: a `%` in some other tool's value is no reason to fail.
        # Imported here: most projects have no such file, and every run reads the style.
        import configparser

        parser = configparser.RawConfigParser(strict=False)
        try:
            parser.read_string(data)
        except configparser.Error:
            return None
        return parser

    def _text(self, relative: PurePosixPath) -> str | None:
        """A configuration file under the root as text; None when absent, unreadable or too large.

        Larger than ``MAX_CONFIG_BYTES``, it is not read: the defaults are used.
        """
        if relative not in self._texts:
            self._texts[relative] = self._read_text(relative)
        return self._texts[relative]

    def _read_text(self, relative: PurePosixPath) -> str | None:
        """:meth:`_text`, read from the disk."""
        # Most folders hold none of the files looked for: one lstat says so, before the
        # containment check walks every component of the path.
        if not os.path.lexists(self.root / relative):
            return None
        try:
            path = contained_path(self.root, relative.as_posix())
            data = read_head(path, relative.as_posix(), MAX_CONFIG_BYTES + 1)
        except FileProblem:
            return None
        if data is None or len(data) > MAX_CONFIG_BYTES:
            return None  # a larger one says nothing: the defaults are used
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None


def hooks_run(text: str) -> frozenset[str]:
    """The ids of the hooks a ``.pre-commit-config.yaml`` holding ``text`` runs."""
    return frozenset(_pre_commit_hooks(text))


def _pre_commit_hooks(text: str) -> dict[str, tuple[str, ...]]:
    """The hooks a ``.pre-commit-config.yaml`` holding ``text`` runs: each id with its ``args``.

    Read as YAML, so a hook left commented out (``# - id: ...``) is not one; a file
    pre-commit cannot read runs none.
    """
    if "id" not in text:
        return {}
    import yaml  # only for a project with a pre-commit file: 10 ms to import

    try:
        config = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError):  # PyYAML composes nested nodes recursively
        return {}
    repos = config.get("repos") if isinstance(config, dict) else None
    hooks: dict[str, tuple[str, ...]] = {}
    for repo in repos if isinstance(repos, list) else []:
        listed = repo.get("hooks") if isinstance(repo, dict) else None
        for hook in listed if isinstance(listed, list) else []:
            if isinstance(hook, dict) and isinstance(hook.get("id"), str):
                args = hook.get("args")
                hooks.setdefault(
                    hook["id"],
                    tuple(str(arg) for arg in args) if isinstance(args, list) else (),
                )
    return hooks


def _count(value: object) -> int | None:
    """A count setting (an int, or an INI file's digits); None when unset or not a count."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _ruff_file_ignores(table: object, folder: PurePosixPath, relative: str) -> list[str]:
    """The codes of ruff's ``per-file-ignores`` ``table`` whose pattern matches ``relative``.

    As ruff matches them: a pattern is a glob (``*`` crossing folders, as globset's) taken
    relative to ``folder`` (the configuration's), and also matched against the file's name; a
    ``!``-negated pattern applies to the files it does not match.
    """
    if not isinstance(table, dict):
        return []
    path = PurePosixPath(relative)
    try:
        inside = path.relative_to(folder).as_posix() if folder != PurePosixPath(".") else relative
    except ValueError:
        inside = None  # a configuration elsewhere (extended from a sibling): names only
    codes: list[str] = []
    for pattern, listed in table.items():
        glob = str(pattern).strip().removeprefix("./")
        negated = glob.startswith("!")
        glob = glob.removeprefix("!")
        matched = fnmatchcase(path.name, glob) or (
            inside is not None
            and (fnmatchcase(inside, glob) or fnmatchcase(inside, glob.replace("**/", "")))
        )
        if matched != negated and isinstance(listed, list):
            codes.extend(str(code) for code in listed)
    return codes


def _wemake_configured(options: dict[str, str]) -> bool:
    """Whether a ``[flake8]`` section's ``options`` are wemake-python-styleguide's.

    It names its codes (``WPS`` in ``select``, ``ignore``, ``per-file-ignores``...) or sets one
    of the options only it reads.
    """
    return bool(_WEMAKE_OPTIONS & options.keys()) or any(
        "WPS" in value.upper() for value in options.values()
    )


def _flake8_ignores(options: dict[str, str], module: str, code: str) -> bool:
    """Whether flake8's ``options`` leave ``code`` off for ``module`` (relative to them).

    ``ignore``/``extend-ignore`` list codes as prefixes; ``per-file-ignores`` lines are
    ``pattern: codes``, a pattern without ``/`` matched against the file's name, others
    against the path.
    """

    def codes(text: str) -> list[str]:
        return [item for item in re.split(r"[\s,]+", text.strip()) if item]

    listed = [*codes(options.get("ignore", "")), *codes(options.get("extend-ignore", ""))]
    if any(code.startswith(prefix) for prefix in listed):
        return True
    name = PurePosixPath(module).name
    # flake8's own reading: file names up to a colon, then codes up to the next file name.
    patterns: list[str] = []
    ignored: list[str] = []
    entries: list[tuple[list[str], list[str]]] = []
    for token in re.findall(r"[^\s:,]+|:", options.get("per-file-ignores", "")):
        if token == ":":
            ignored = []
            entries.append((patterns, ignored))
            patterns = []
        elif re.fullmatch(r"[A-Z]+[0-9]*", token) and entries and not patterns:
            ignored.append(token)
        else:
            patterns.append(token.removeprefix("./"))
    for files, listed_codes in entries:
        for pattern in files:
            target = module if "/" in pattern else name
            if fnmatchcase(target, pattern) and any(code.startswith(p) for p in listed_codes):
                return True
    return False


def _most_specific(selectors: list[str], code: str) -> int:
    """The length of the longest ruff selector of ``selectors`` picking ``code``.

    ``ALL`` counts as 0, and no selector picking it as -1.
    """
    lengths = [
        0 if selector.strip() == "ALL" else len(selector.strip())
        for selector in selectors
        if selector.strip() == "ALL" or (selector.strip() and code.startswith(selector.strip()))
    ]
    return max(lengths, default=-1)


def _pylint_enables(options: dict[str, object], *names: str) -> bool:
    """Whether pylint's ``disable``/``enable`` options leave the message of ``names`` on."""

    def listed(key: str) -> set[str]:
        value = options.get(key)
        items = value if isinstance(value, list) else str(value or "").replace("\n", ",").split(",")
        return {str(item).strip().lower() for item in items if str(item).strip()}

    wanted = {name.lower() for name in names}
    if listed("enable") & wanted:
        return True
    disabled = listed("disable")
    return not (disabled & wanted or "all" in disabled)


def _ini_length(parser: "configparser.RawConfigParser", section: str, key: str) -> int | None:
    """A line length set in an INI section, spelled with dashes or underscores."""
    value = (_ini_setting(parser, section, key) or "").strip()
    return _length(int(value)) if value.isdecimal() else None


def _ignores_long_lines(parser: "configparser.RawConfigParser", section: str) -> bool:
    """Whether a flake8 section's ``ignore`` or ``extend-ignore`` turns E501 off.

    flake8 matches the codes listed (``E501``, ``E5``, ``E``) as prefixes.
    """
    codes = " ".join(
        _ini_setting(parser, section, key) or "" for key in ("ignore", "extend-ignore")
    )
    listed = codes.replace(",", " ").split()
    return any("E501".startswith(code.strip().upper()) for code in listed)


def _first_length(parser: "configparser.RawConfigParser", sections: list[str]) -> int | None:
    """The first ``max-line-length`` set in one of ``sections``."""
    found = (_ini_length(parser, section, "max-line-length") for section in sections)
    return next((length for length in found if length is not None), None)


def _section_names(value: object, names: dict[str, str | None]) -> list[str]:
    """The sections a ``no-lines-before`` setting names, by ruff's names (custom ones too).

    A list (TOML) or a comma-separated string (INI); ``names`` maps each spelling, lowercased,
    to ruff's name, or a custom section's to its own (see :func:`_sections`); any other
    maps to nothing.
    """
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        return []
    found = [names.get(item.strip().lower()) for item in items if isinstance(item, str)]
    return [name for name in found if name is not None]


def _section_order(value: object, names: dict[str, str | None]) -> tuple[str, ...]:
    """The order of the standard sections a ``section-order`` (isort: ``sections``) gives.

    Those it leaves out follow in their default order, as ruff adds them; a custom section
    among them takes no place of a standard one.
    """
    named = list(dict.fromkeys(_section_names(value, names)))
    return (*named, *(name for name in IMPORT_SECTIONS if name not in named))


class _Sections(NamedTuple):
    """The sections a sorter's settings make, custom ones and ``forced-separate`` ones included."""

    #: Their order (see :attr:`FormatStyle.section_order`).
    order: tuple[str, ...]
    #: The spellings of the sections, lowercased, each with its name in :attr:`order`.
    names: dict[str, str | None]
    #: The ``forced-separate`` patterns, each with its section: they decide before any other.
    forced: tuple[tuple[str, str], ...]
    #: The custom sections' module patterns, each with its section.
    custom: tuple[tuple[str, str], ...]


def _sections(
    value: object,
    names: dict[str, str | None],
    modules: Callable[[str], object],
    forced: object,
) -> _Sections:
    """The sections of a ``section-order`` (isort: ``sections``) ``value``, custom ones included.

    ``names`` spells the standard ones; ``modules`` gives the module patterns of the custom
    section a name (as written) of ``value`` names (ruff's ``[lint.isort.sections]``, isort's
    ``known_<name>``; None: no such section). A custom section the order leaves out sorts as
    the standard ones (both sorters ignore it). ``forced`` (``forced-separate``) lists modules
    each sorted into a section of its own, after all others, in its order: a pattern matches
    every module it starts (``fast`` takes ``fastapi``), as both sorters match it.
    """
    items = value.split(",") if isinstance(value, str) else value
    spelled = dict(names)
    custom: list[tuple[str, str]] = []
    for item in items if isinstance(items, list) else []:
        key = item.strip().lower() if isinstance(item, str) else ""
        if not key or key in spelled:
            continue
        listed = modules(item.strip())
        patterns = listed.split(",") if isinstance(listed, str) else listed
        if isinstance(patterns, list):
            spelled[key] = f"custom:{key}"
            custom.extend(
                (pattern.strip(), f"custom:{key}")
                for pattern in patterns
                if isinstance(pattern, str) and pattern.strip()
            )
    separate = forced.split(",") if isinstance(forced, str) else forced
    patterns = [
        pattern.strip()
        for pattern in (separate if isinstance(separate, list) else [])
        if isinstance(pattern, str) and pattern.strip()
    ]
    forced_pairs = tuple(
        (pattern if pattern.endswith("*") else f"{pattern}*", f"forced:{pattern}")
        for pattern in patterns
    )
    order = _section_order(value, spelled)
    return _Sections(
        (*order, *dict.fromkeys(section for _, section in forced_pairs)),
        spelled,
        forced_pairs,
        tuple(custom),
    )


def _ini_setting(parser: "configparser.RawConfigParser", section: str, key: str) -> str | None:
    """A setting of an INI section spelled with dashes or underscores, None when unset."""
    for spelling in (key, key.replace("-", "_")):
        value = parser.get(section, spelling, fallback=None)
        if value is not None:
            return value
    return None


def _ini_value(text: str) -> object:
    """An isort setting written in an INI file, as TOML would hold it (``True``, ``100``)."""
    value = text.strip()
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    return int(value) if value.isdecimal() else value


def _isort_settings(table: dict[str, Any], black: bool = False) -> _IsortSettings:
    """The settings of an isort configuration table, its profile's filling what it leaves out.

    ``black``: the project formats with black. Its isort configuration naming neither a profile
    nor a wrap mode is taken to run with black's profile, given where isort is run (a
    pre-commit hook's ``args: ["--profile", "black"]``): isort's own defaults would fight black.
    """
    profile = table.get("profile")
    if profile is None and black and not ({"multi_line_output", "multi-line-output"} & set(table)):
        profile = "black"
    base = _ISORT_PROFILES.get(profile, {}) if isinstance(profile, str) else {}

    def setting(key: str) -> object:
        # isort reads its keys with dashes too (`line-length` in `[tool.isort]`).
        value = table.get(key, table.get(key.replace("_", "-")))
        return base.get(key) if value is None else value

    between = setting("lines_between_types")
    mode = setting("multi_line_output")
    sections = _sections(
        setting("sections"),
        _ISORT_SECTIONS,
        lambda name: setting(f"known_{name.lower()}"),
        setting("forced_separate"),
    )
    joined = _section_names(setting("no_lines_before"), sections.names)
    length = setting("line_length")
    if not isinstance(length, int) or isinstance(length, bool) or length <= 0:
        length = _ISORT_LINE_LENGTH
    within = setting("force_sort_within_sections") is True
    # force_alphabetical_sort (plone's profile) overrides these three, whatever else is set:
    # one section, `from` imports first, set apart from the plain ones by a blank line.
    alphabetical = setting("force_alphabetical_sort") is True
    # isort's relative imports: `..` before `.` by default; `.` first with reverse_relative;
    # sorted as written (`.` < `..x` < `.y`) when it sorts by module within sections.
    relative = (
        "closest" if setting("reverse_relative") is True else "text" if within else "furthest"
    )
    return _IsortSettings(
        within=within,
        apart=alphabetical
        or (isinstance(between, int) and not isinstance(between, bool) and between > 0),
        from_first=alphabetical or setting("from_first") is True,
        wrap=ImportWrap(
            length,
            _ISORT_MODES.get(str(0 if mode is None else mode).lower(), ""),
            setting("use_parentheses") is True,
            setting("include_trailing_comma") is True,
        ),
        joined=frozenset(joined),
        relative=relative,
        order=sections.order,
        single=alphabetical or setting("no_sections") is True,
        # Sorting by module within sections, isort orders by line, and only length_sort
        # weighs the length there: the whole line's (its names too).
        length="line"
        if within and setting("length_sort") is True
        else _length_sort(setting("length_sort"), not within and setting("length_sort_straight")),
        known=(*sections.forced, *_isort_known_order(_known(setting, _ISORT_KNOWN), sections)),
        cased=_isort_cased(within, setting),
    )


def _ruff_indent(style: object, width: object) -> str:
    """The step ruff's formatter indents by: a tab, or ``indent-width`` (4 unless set) spaces."""
    if style == "tab":
        return "\t"
    return " " * width if isinstance(width, int) and 0 < width <= _MAX_CONTINUATION else "    "


def _isort_cased(within: bool, setting: Callable[[str], object]) -> bool:
    """Whether isort compares modules with their case (see ``isort/sorting.py``).

    By module, its ``case_sensitive`` (off by default). By line, under
    ``force_sort_within_sections``: ``order_by_type`` (on by default) keeps the case of the
    whole line, unless ``honor_case_in_force_sorted_sections`` leaves the module's to
    ``case_sensitive``.
    """
    case_sensitive = setting("case_sensitive") is True
    if not within:
        return case_sensitive
    by_type = setting("order_by_type") is not False
    if setting("honor_case_in_force_sorted_sections") is True and case_sensitive != by_type:
        return case_sensitive
    return by_type


def _isort_known_order(
    known: tuple[tuple[str, str], ...] | None, sections: _Sections
) -> tuple[tuple[str, str], ...]:
    """The ``known_*`` patterns of isort (standard ones ``known``, and custom), in its order.

    isort (``Config.known_patterns``) tries the sections' patterns in the reverse of its
    ``sections``, the standard library's last: a module two settings name goes to the later
    section (``known_local_folder`` over ``known_first_party``, a custom section listed after
    FIRSTPARTY over it).
    """
    by_section: dict[str, list[tuple[str, str]]] = {}
    for pair in (*(known or ()), *sections.custom):
        by_section.setdefault(pair[1], []).append(pair)
    order = [section for section in sections.order if not section.startswith("forced:")]
    if "standard-library" in order:
        order = ["standard-library", *(name for name in order if name != "standard-library")]
    return tuple(pair for section in reversed(order) for pair in by_section.get(section, ()))


def _length_sort(every: object, straight: object) -> str:
    """The length order the sorter's ``length-sort`` and ``length-sort-straight`` give."""
    return "all" if every is True else "straight" if straight is True else ""


def _known(
    setting: Callable[[str], object], keys: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...] | None:
    """The module patterns the ``known`` settings ``keys`` give, each with its section.

    ``setting`` reads one setting (a list, or a comma-separated string as INI writes it).
    None when none of them is set.
    """
    found: list[tuple[str, str]] = []
    for key, section in keys:
        value = setting(key)
        items = value.split(",") if isinstance(value, str) else value
        if isinstance(items, list):
            found.extend(
                (item.strip(), section) for item in items if isinstance(item, str) and item.strip()
            )
    return tuple(found) or None


def _known_pairs(value: object) -> tuple[tuple[str, str], ...]:
    """The pairs :func:`_known` read, as a setting found along ruff's ``extend`` chain."""
    return value if isinstance(value, tuple) else ()


def reorder_hook_args(text: str) -> tuple[str, ...] | None:
    """The ``args`` of the reorder-python-imports hook of a pre-commit configuration's ``text``.

    None when no hook runs it; empty when it has none.
    """
    return _pre_commit_hooks(text).get(_REORDER_HOOK)


def _option(args: tuple[str, ...], name: str) -> str | None:
    """The value of the command-line option ``name`` in ``args`` (``name=v`` or ``name v``)."""
    value = None
    for index, arg in enumerate(args):
        if arg.startswith(f"{name}="):
            value = arg.partition("=")[2]
        elif arg == name and index + 1 < len(args):
            value = args[index + 1]
    return value  # the last one given, as argparse takes it


def application_module(directories: tuple[str, ...], top: str) -> bool:
    """Whether reorder-python-imports finds the top-level module ``top`` in ``directories``.

    As classify-imports does (``lstat``: a symbolic link is neither): a folder of that name
    that is not empty, or a ``.py`` file.
    """
    for directory in directories:
        folder, module = Path(directory, top), Path(directory, f"{top}.py")
        try:
            if folder.is_dir() and not folder.is_symlink() and any(folder.iterdir()):
                return True
            if module.is_file() and not module.is_symlink():
                return True
        except OSError:
            continue  # unreadable: not found, as there
    return False


def known_section(known: tuple[tuple[str, str], ...], module: str) -> str | None:
    """The section (ruff's name) the sorter's ``known`` patterns put ``module`` in, if any.

    The module itself is matched first, then each package above it (isort's order; a plain
    pattern such as ``app`` names the top-level package, as ruff matches it); the first pattern
    to match, in the order given (ruff's: :data:`_RUFF_KNOWN`; isort's: see
    :func:`_isort_known_order`), decides.
    """
    parts = module.split(".")
    for size in range(len(parts), 0, -1):
        name = ".".join(parts[:size])
        for pattern, section in known:
            if fnmatchcase(name, pattern):
                return section
    return None


def _ruff_isort(settings: dict[str, Any], key: str) -> object:
    """A setting of ruff's import sorting (``[lint.isort]`` or the older ``[isort]``), or None."""
    return _ruff_lint(settings, "isort", key)


def _ruff_lint(settings: dict[str, Any], plugin: str, key: str) -> object:
    """A setting of a ruff rule family (``[lint.<plugin>]`` or the older ``[<plugin>]``)."""
    lint = settings.get("lint")
    for table in (lint.get(plugin) if isinstance(lint, dict) else None, settings.get(plugin)):
        if isinstance(table, dict):
            value = table.get(key, table.get(key.replace("-", "_")))
            if value is not None:
                return value
    return None


def _inline_quotes(value: object) -> str | None:
    """flake8-quotes' ``inline-quotes`` (``single``, ``'``, ``double``, ``"``) as a quote style."""
    if not isinstance(value, str):
        return None
    return {"single": "single", "'": "single", "double": "double", '"': "double"}.get(
        value.strip().lower()
    )


def _length(value: object) -> int | None:
    """A line-length setting, when it is one."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= _MAX_LINE_LENGTH:
        return value
    return None


def _quote_style(section: object) -> str | None:
    """The ``quote-style`` of a ruff ``[format]`` table, when it sets a valid one."""
    if not isinstance(section, dict):
        return None
    value = section.get("quote-style", section.get("quote_style"))
    return value if isinstance(value, str) and value in QUOTE_STYLES else None


def preferred_quote(quote_style: str, counts: tuple[int, int]) -> str:
    """The quote character inserted strings use under ``quote_style``.

    ``counts`` are the module's single-line strings written with double and with single quotes:
    with ``preserve`` the formatter keeps whatever is written, so insertions follow what the
    module mostly uses (double quotes on a tie or with no strings at all).
    """
    if quote_style == "single":
        return "'"
    if quote_style == "preserve" and counts[1] > counts[0]:
        return "'"
    return '"'
