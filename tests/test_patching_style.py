"""Inserted code is laid out at the line length the project's own formatter is configured for."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pytest

from telemetry_cli.files import MAX_CONFIG_BYTES
from telemetry_cli.patching import style as style_module
from telemetry_cli.patching.edits import NewImport
from telemetry_cli.patching.routes import string_literal
from telemetry_cli.patching.style import (
    DEFAULT_LINE_LENGTH,
    FormatStyle,
    FormatStyles,
    ImportWrap,
    hooks_run,
    known_section,
    preferred_quote,
    reorder_hook_args,
)
from telemetry_cli.patching.symbols import ModuleModel, ModuleSource, parse
from tests.cli_support import run, snapshot
from tests.timing_support import cpu_seconds

# Its log call is 97 columns on one line: split at 88, black's and ruff's default, kept whole at
# 100 or more.
ROUTES = """from fastapi import APIRouter

router = APIRouter()


@router.get("/a")
def a() -> str:
    return "a"
"""

MAIN = """from fastapi import FastAPI

from app.api import books

app = FastAPI()
app.include_router(books.router)
"""

PLAN = """
[tool.telemetry-scaffold]
event-types = ["seen", "error_event"]
instrument = { "api/books.py" = "seen" }
"""


def _write(root: Path, files: Mapping[str, str | bytes]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
    return root


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, DEFAULT_LINE_LENGTH),
        ({"pyproject.toml": '[project]\nname = "x"\n'}, DEFAULT_LINE_LENGTH),
        ({"pyproject.toml": "[tool.ruff]\nline-length = 120\n"}, 120),
        ({"pyproject.toml": "[tool.black]\nline-length = 79\n"}, 79),
        ({"ruff.toml": "line-length = 110\n"}, 110),
        ({".ruff.toml": "line-length = 99\n", "ruff.toml": "line-length = 110\n"}, 99),
        # The nearest configuration wins, as with ruff.
        ({"ruff.toml": "line-length = 110\n", "backend/pyproject.toml": "[tool.ruff]\n"}, 88),
        ({"ruff.toml": "line-length = 110\n", "backend/app/ruff.toml": "line-length = 72\n"}, 72),
        ({"pyproject.toml": "[tool.ruff]\nline-length = 100\n", "backend/x.toml": ""}, 100),
        # ruff's own `extend`, followed when the file sets nothing itself.
        (
            {
                "base.toml": "line-length = 105\n",
                "backend/ruff.toml": 'extend = "../base.toml"\n',
            },
            105,
        ),
        # A configuration that cannot be used is no reason to fail: the default applies.
        ({"pyproject.toml": "[tool.ruff\nline-length = 100\n"}, DEFAULT_LINE_LENGTH),
        ({"pyproject.toml": '[tool.ruff]\nline-length = "wide"\n'}, DEFAULT_LINE_LENGTH),
        ({"ruff.toml": 'extend = "../../outside.toml"\n'}, DEFAULT_LINE_LENGTH),
        # A project linted by flake8 (or pycodestyle) alone: its max-line-length is the limit.
        ({"setup.cfg": "[flake8]\nmax-line-length = 79\n"}, 79),
        ({".flake8": "[flake8]\nmax_line_length = 100\n"}, 100),
        ({"tox.ini": "[tox]\nenvlist = py312\n\n[pycodestyle]\nmax-line-length = 99\n"}, 99),
        ({"backend/setup.cfg": "[flake8]\nmax-line-length = 79\n"}, 79),
        ({".flake8": "[flake8]\nmax-line-length = 79\n", "setup.cfg": "[flake8]\n"}, 79),
        # A formatter's setting in the same folder is what the formatter lays lines out at.
        (
            {
                "pyproject.toml": "[tool.black]\nline-length = 100\n",
                "setup.cfg": "[flake8]\nmax-line-length = 100\n",
            },
            100,
        ),
        ({"ruff.toml": "", "setup.cfg": "[flake8]\nmax-line-length = 79\n"}, DEFAULT_LINE_LENGTH),
        # A nearer formatter configuration wins over a linter's further up.
        ({"setup.cfg": "[flake8]\nmax-line-length = 79\n", "backend/ruff.toml": ""}, 88),
        # Settings flake8 would not take: its own default, 79, as for a section setting none.
        ({"setup.cfg": "[flake8]\nmax-line-length = 79  # PEP 8\n"}, 79),
        ({"setup.cfg": "[flake8]\nmax-line-length = 0\n"}, 79),
        ({"setup.cfg": "[flake8]\nextend-ignore = E203\n"}, 79),
        ({"tox.ini": "[pycodestyle]\nstatistics = True\n"}, 79),
        # ...unless the section turns the check (E501) off.
        ({"setup.cfg": "[flake8]\nextend-ignore = E203, E501\n"}, DEFAULT_LINE_LENGTH),
        ({".flake8": "[flake8]\nignore =\n    W503\n    E5\n"}, DEFAULT_LINE_LENGTH),
        # pylint's max-line-length (C0301), in any of its files; the stricter of two linters'.
        ({".pylintrc": "[FORMAT]\nmax-line-length=79\n"}, 79),
        ({"pylintrc": "[format]\nmax-line-length = 80\n"}, 80),
        ({"pyproject.toml": "[tool.pylint.format]\nmax-line-length = 79\n"}, 79),
        ({"pyproject.toml": "[tool.pylint.FORMAT]\nmax-line-length = 120\n"}, 120),
        ({"setup.cfg": "[pylint.FORMAT]\nmax-line-length = 79\n"}, 79),
        (
            {
                "setup.cfg": "[flake8]\nmax-line-length = 100\n",
                ".pylintrc": "[FORMAT]\nmax-line-length = 90\n",
            },
            90,
        ),
        # flake8's default (no max-line-length) is the stricter of it and pylint's 120.
        (
            {
                "setup.cfg": (
                    "[flake8]\nextend-ignore = E203\n[pylint.format]\nmax-line-length = 120\n"
                )
            },
            79,
        ),
        (
            {
                ".flake8": "[flake8]\n",
                "pyproject.toml": "[tool.pylint.format]\nmax-line-length = 100\n",
            },
            79,
        ),
        ({"pyproject.toml": "[tool.pylint.basic]\ngood-names = ['i']\n"}, DEFAULT_LINE_LENGTH),
        ({"setup.cfg": "max-line-length = 79\n"}, DEFAULT_LINE_LENGTH),
        ({"tox.ini": "[flake8]\nmax-line-length = %(width)s\n"}, 79),
        # A file that is not INI (nor text): the default applies.
        ({".flake8": b"[flake8]\nmax-line-length = \xff\n"}, DEFAULT_LINE_LENGTH),
    ],
)
def test_line_length_of_a_module(
    tmp_path: Path, files: dict[str, str | bytes], expected: int
) -> None:
    _write(tmp_path, files)
    assert FormatStyles(tmp_path).of("backend/app/api/books.py").line_length == expected


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # Nothing normalizes the quotes (double-quote-string-fixer may): the module's own.
        ({}, "preserve"),
        ({".flake8": "[flake8]\nmax-line-length = 100\n"}, "preserve"),
        ({"pyproject.toml": '[tool.ruff.format]\nquote-style = "single"\n'}, "single"),
        ({"pyproject.toml": '[tool.ruff.format]\nquote-style = "preserve"\n'}, "preserve"),
        ({"ruff.toml": "[format]\nquote-style = 'single'\n"}, "single"),
        # A ruff configuration without the setting means ruff's default, not black's.
        (
            {"pyproject.toml": "[tool.ruff]\n\n[tool.black]\nskip-string-normalization = true\n"},
            "double",
        ),
        ({"pyproject.toml": "[tool.black]\nskip-string-normalization = true\n"}, "preserve"),
        ({"pyproject.toml": "[tool.black]\nskip_string_normalization = false\n"}, "double"),
        # `extend` is followed for each setting the file does not make itself.
        (
            {
                "base.toml": "line-length = 105\n[format]\nquote-style = 'single'\n",
                "backend/ruff.toml": 'extend = "../base.toml"\nline-length = 90\n',
            },
            "single",
        ),
        ({"ruff.toml": "[format]\nquote-style = 'curly'\n"}, "double"),
        # Quotes linted (flake8-quotes' Q000) by a project no formatter's setting covers.
        ({"ruff.toml": "[lint.flake8-quotes]\ninline-quotes = 'single'\n"}, "single"),
        ({"ruff.toml": "[flake8-quotes]\ninline-quotes = 'single'\n"}, "single"),
        (
            {
                "ruff.toml": "[format]\nquote-style = 'double'\n"
                "[lint.flake8-quotes]\ninline-quotes = 'single'\n"
            },
            "double",
        ),
        ({"setup.cfg": "[flake8]\ninline-quotes = '\n"}, "single"),
        ({".flake8": "[flake8]\ninline_quotes = single\nmax-line-length = 100\n"}, "single"),
        ({"tox.ini": '[flake8]\ninline-quotes = "\n'}, "double"),
        ({"ruff.toml": "format = 'single'\n"}, "double"),
    ],
)
def test_quote_style_of_a_module(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    _write(tmp_path, files)
    assert FormatStyles(tmp_path).of("backend/app/api/books.py").quote_style == expected


EXTENDING = (
    'extend = "../base.toml"\nline-length = 120\n[format]\nquote-style = "single"\n'
    "[lint.isort]\nforce-sort-within-sections = true\nlines-between-types = 1\nfrom-first = true\n"
)
EXTENDED = (
    '[format]\nskip-magic-trailing-comma = true\n[lint.isort]\nno-lines-before = ["local-folder"]\n'
)


def test_extend_is_followed_for_every_setting_whatever_the_file_sets(tmp_path: Path) -> None:
    # The extending file sets every other setting read: the base's are read all the same.
    _write(tmp_path, {"base.toml": EXTENDED, "backend/ruff.toml": EXTENDING})
    style = FormatStyles(tmp_path).of("backend/app/api/books.py")
    assert style == FormatStyle(
        120,
        "single",
        sort_within_sections=True,
        types_apart=True,
        from_first=True,
        joined_sections=frozenset({"local-folder"}),
        skip_magic_comma=True,
    )


def test_extend_keeps_the_extending_files_own_line_length(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "base.toml": "line-length = 105\n[format]\nquote-style = 'single'\n",
            "backend/ruff.toml": 'extend = "../base.toml"\nline-length = 90\n',
        },
    )
    assert FormatStyles(tmp_path).of("backend/app/api/books.py").line_length == 90


@pytest.mark.parametrize(
    ("value", "quote", "literal"),
    [
        ("/a", '"', '"/a"'),
        ("/a", "'", "'/a'"),
        # ruff's rule: the other quote when the value holds more of the preferred one.
        ("o'clock", "'", '"o\'clock"'),
        ('say "hi"', '"', "'say \"hi\"'"),
        ('it\'s "x"', "'", "'it\\'s \"x\"'"),
        ("back\\slash\nline\t", "'", "'back\\\\slash\\nline\\t'"),
        ("\ud800", "'", "'\\ud800'"),
    ],
)
def test_string_literal_quotes(value: str, quote: str, literal: str) -> None:
    assert string_literal(value, quote) == literal
    assert ast.literal_eval(literal) == value


def test_preserve_follows_the_module() -> None:
    assert preferred_quote("preserve", (0, 0)) == '"'
    assert preferred_quote("preserve", (2, 3)) == "'"
    assert preferred_quote("preserve", (3, 3)) == '"'
    assert preferred_quote("single", (9, 0)) == "'"
    assert preferred_quote("double", (0, 9)) == '"'


@pytest.mark.parametrize(
    ("text", "quote", "walked"),
    [
        ('x = "a"\ny = "b"  # "c"\n', '"', False),
        ("x = 'a'\ny = \"b\"\nz = 'c'\n", "'", True),
        ('x = "a"  # it\'s\n', '"', True),
    ],
)
def test_preserve_walks_the_tree_only_for_a_text_with_a_single_quote(
    monkeypatch: pytest.MonkeyPatch, text: str, quote: str, walked: bool
) -> None:
    # Without a single quote in the text no string can open with one: double quotes win (the
    # walk of every node was a tenth of a 2,000-handler module's check).
    walks: list[str] = []
    counts = ModuleModel._quote_counts

    def counted(model: ModuleModel) -> tuple[int, int]:
        walks.append(model.name)
        return counts(model)

    monkeypatch.setattr(ModuleModel, "_quote_counts", counted)
    source = ModuleSource(
        "app.api.books", "app/api/books.py", text, False, FormatStyle(quote_style="preserve")
    )
    assert ModuleModel(source, parse(text)).quote == quote
    assert walks == (["app.api.books"] if walked else [])


def _ruff_format_check(root: Path, file: Path, *options: str) -> subprocess.CompletedProcess[str]:
    ruff = Path(sys.executable).parent / "ruff"
    command = [str(ruff)] if ruff.is_file() else [sys.executable, "-m", "ruff"]
    # Not --isolated: the project's own configuration (or ruff's default) is what counts. No cache
    # either: the tree is compared byte for byte after `remove`.
    return subprocess.run(
        [*command, "format", "--no-cache", "--check", "--diff", *options, str(file)],
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
    )


def _shelf(tmp_path: Path, config: str, routes: str) -> Path:
    """A project whose ``app/api/books.py`` is ``routes``, with ``config`` above the plan."""
    return _write(
        tmp_path,
        {
            "pyproject.toml": f'[project]\nname = "shelf"\n\n{config}{PLAN}',
            "backend/app/__init__.py": "",
            "backend/app/api/__init__.py": "",
            "backend/app/main.py": MAIN,
            "backend/app/api/books.py": routes,
        },
    )


@pytest.mark.parametrize(
    "ruff_config",
    [
        '[tool.ruff]\nline-length = 60\n\n[tool.ruff.format]\nindent-style = "tab"\n',
        "[tool.ruff]\nline-length = 60\nindent-width = 2\n",
        "[tool.ruff]\nline-length = 60\n",
    ],
)
def test_a_wrapped_import_is_indented_as_the_formatter_indents(
    tmp_path: Path, ruff_config: str
) -> None:
    # The app's module has no indented block to learn its step from: the names of the wrapped
    # `from app.analytics.telemetry_router import (...)` were indented by four spaces, where
    # ruff's `indent-style = "tab"` (or its `indent-width`) wants a tab (or that many spaces).
    root = _shelf(tmp_path, ruff_config, ROUTES)
    main = root / "backend/app/main.py"
    before = snapshot(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "import (\n" in main.read_text()
    checked = _ruff_format_check(root, main)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


@pytest.mark.parametrize("ruff_config", ["", "[tool.ruff]\nline-length = 120\n"])
def test_generate_keeps_a_formatted_module_formatted(tmp_path: Path, ruff_config: str) -> None:
    root = _shelf(tmp_path, ruff_config, ROUTES)
    books = root / "backend/app/api/books.py"
    assert _ruff_format_check(root, books).returncode == 0
    before = snapshot(root)

    result = run("generate", "--root", str(root))

    assert result.exit_code == 0, result.stdout + result.stderr
    checked = _ruff_format_check(root, books)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    one_line = 'event_logger.log("seen", {"route": "/a", "method": "GET", "handler": "a", '
    assert (one_line in books.read_text()) == bool(ruff_config)
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"ruff.toml": "[format]\nskip-magic-trailing-comma = true\n"}, True),
        ({"pyproject.toml": "[tool.black]\nskip-magic-trailing-comma = true\n"}, True),
        ({"pyproject.toml": "[tool.black]\nskip_magic_trailing_comma = true\n"}, True),
        ({"ruff.toml": "[format]\nskip-magic-trailing-comma = false\n"}, False),
        (
            {"pyproject.toml": "[tool.ruff]\n\n[tool.black]\nskip-magic-trailing-comma = true\n"},
            False,
        ),
        ({}, False),
    ],
)
def test_skip_magic_trailing_comma_read(
    tmp_path: Path, files: dict[str, str], expected: bool
) -> None:
    _write(tmp_path, files)
    assert FormatStyles(tmp_path).of("backend/app/api/books.py").skip_magic_comma is expected


def test_a_formatter_skipping_magic_commas_gets_the_arguments_on_one_line(tmp_path: Path) -> None:
    # The log call's arguments fit on one line inside its brackets at 90 columns: ruff format
    # puts them there once it ignores the trailing comma that held them one per line.
    config = (
        "[tool.ruff]\nline-length = 90\n\n[tool.ruff.format]\nskip-magic-trailing-comma = true\n"
    )
    root = _shelf(tmp_path, config, ROUTES)
    books = root / "backend/app/api/books.py"
    before = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    checked = _ruff_format_check(root, books)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert '    event_logger.log(\n        "seen", {"route": "/a", ' in books.read_text()
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


# A module in single quotes, as `quote-style = "single"` formats it; one route holds a quote.
SINGLE_ROUTES = """from fastapi import APIRouter

router = APIRouter(prefix='/shelf')


@router.get('/a')
def a() -> str:
    return 'a'


@router.get("/o'clock/{hour}")
def o_clock(hour: int) -> str:
    \"\"\"The route holds a single quote: ruff keeps it in double quotes.\"\"\"
    return 'tea'
"""


@pytest.mark.parametrize(
    "style",
    [
        "[tool.ruff.format]\nquote-style = 'single'\n",
        "[tool.ruff]\nline-length = 120\n\n[tool.ruff.format]\nquote-style = 'single'\n",
        # preserve: the module is mostly in single quotes, so insertions are too.
        "[tool.ruff.format]\nquote-style = 'preserve'\n",
        "[tool.black]\nskip-string-normalization = true\n",
        # No formatter: pre-commit's double-quote-string-fixer rewrote double-quoted insertions.
        "",
    ],
)
def test_generate_follows_the_configured_quote_style(tmp_path: Path, style: str) -> None:
    root = _shelf(tmp_path, style, SINGLE_ROUTES)
    books = root / "backend/app/api/books.py"
    # ruff does not read black's configuration: black's own rule is checked by the text alone.
    ruff = "tool.ruff" in style
    assert not ruff or _ruff_format_check(root, books).returncode == 0
    before = snapshot(root)

    result = run("generate", "--root", str(root))

    assert result.exit_code == 0, result.stdout + result.stderr
    text = books.read_text()
    assert "'seen'" in text and "'route': '/shelf/a'" in text, text
    assert '"route": "/shelf/o\'clock/{hour}"' not in text  # keys stay single-quoted
    assert "'route': \"/shelf/o'clock/{hour}\"" in text, text
    checked = _ruff_format_check(root, books)
    assert not ruff or checked.returncode == 0, checked.stdout + checked.stderr
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    second = run("generate", "--root", str(root))
    assert second.exit_code == 0 and "patched" not in second.stdout, second.stdout
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


# The user's own strings of SINGLE_ROUTES, each written in double quotes instead.
USER_SWITCHED = {
    "prefix='/shelf'": 'prefix="/shelf"',
    "get('/a')": 'get("/a")',
    "return 'a'": 'return "a"',
    "return 'tea'": 'return "tea"',
}


def test_preserve_counts_only_the_users_strings_not_the_inserted_calls(tmp_path: Path) -> None:
    # No formatter (quote-style preserve): insertions follow the module's majority quote. Once
    # the user switches their strings to double quotes, the log calls (nine single-quoted
    # strings each) outnumbered them, so the calls kept single quotes while a fresh generate of
    # the same code wrote double ones: output depended on history. Only the user's count.
    root = _shelf(tmp_path / "project", "", SINGLE_ROUTES)
    assert run("generate", "--root", str(root)).exit_code == 0
    books = root / "backend/app/api/books.py"
    text = books.read_text()
    assert "'route': '/shelf/a'" in text, text
    switched = SINGLE_ROUTES
    for old, new in USER_SWITCHED.items():
        assert old in text, old
        text, switched = text.replace(old, new), switched.replace(old, new)
    books.write_text(text)
    checked = run("generate", "--check", "--root", str(root))
    assert checked.exit_code == 1 and "books.py" in checked.stdout, checked.stdout
    assert run("generate", "--root", str(root)).exit_code == 0
    fresh = _shelf(tmp_path / "fresh", "", switched)
    assert run("generate", "--root", str(fresh)).exit_code == 0
    written = books.read_text()
    assert written == (fresh / "backend/app/api/books.py").read_text()
    assert '"route": "/shelf/a"' in written, written
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


# The project's formatter configuration once the code went in: 36 columns, single quotes. The
# log call, its import and the factory's include are each laid out otherwise at 88.
NARROW = "line-length = 36\n[format]\nquote-style = 'single'\n"


def _factory_shelf(root: Path) -> Path:
    return _write(
        root,
        {
            "pyproject.toml": f'[project]\nname = "shelf"\n{PLAN}',
            "backend/app/__init__.py": "",
            "backend/app/api/__init__.py": "",
            "backend/app/main.py": FACTORY_MAIN,
            "backend/app/api/books.py": ROUTES,
        },
    )


def test_a_formatter_setting_changed_lays_the_inserted_code_out_again(tmp_path: Path) -> None:
    # Output is a function of the plan, the code and the project's configuration: once the
    # formatter's settings change (or an older commit brings back code laid out under other
    # settings), the tool's own lines are stale until laid out as a fresh generate writes them.
    # `--check` passed on them and `generate` left them, so a fresh clone's generate differed.
    root = _factory_shelf(tmp_path / "project")
    before = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    (root / "ruff.toml").write_text(NARROW)
    checked = run("generate", "--check", "--root", str(root))
    assert checked.exit_code == 1, checked.stdout
    for module in ("books.py", "main.py"):
        assert module in checked.stdout, checked.stdout
    assert run("generate", "--root", str(root)).exit_code == 0
    fresh = _factory_shelf(tmp_path / "fresh")
    (fresh / "ruff.toml").write_text(NARROW)
    assert run("generate", "--root", str(fresh)).exit_code == 0
    assert snapshot(root) == snapshot(fresh)
    main = (root / "backend/app/main.py").read_text()
    assert "    app.include_router(\n        telemetry_router\n    )\n" in main
    assert (
        "from app.analytics.event_logger import (\n    event_logger,\n)\n"
        in (root / "backend/app/api/books.py").read_text()
    )
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    (root / "ruff.toml").unlink()
    assert snapshot(root) == before


def test_code_the_users_formatter_laid_out_anew_is_left_as_it_is(tmp_path: Path) -> None:
    # The user ran their formatter after changing its settings: the code is as generate writes
    # it now, and nothing changes.
    root = _factory_shelf(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    (root / "ruff.toml").write_text(NARROW)
    ruff = Path(sys.executable).parent / "ruff"
    command = [str(ruff)] if ruff.is_file() else [sys.executable, "-m", "ruff"]
    modules = [str(root / "backend/app" / name) for name in ("main.py", "api/books.py")]
    subprocess.run([*command, "format", "-q", "--no-cache", *modules], cwd=root, check=True)
    after = snapshot(root)
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("generate", "--root", str(root)).exit_code == 0
    assert snapshot(root) == after


def test_the_users_own_include_keeps_its_layout(tmp_path: Path) -> None:
    # Only the tool's own include is laid out again: the user's, of the same shape, is theirs.
    own = "app.include_router(\n    books_router\n)\n"
    main = MAIN.replace(
        "from app.api import books\n", "from app.api.books import router as books_router\n"
    )
    main = main.replace("app.include_router(books.router)\n", own)
    root = _write(
        tmp_path,
        {
            "pyproject.toml": f'[project]\nname = "shelf"\n{PLAN}',
            "backend/app/__init__.py": "",
            "backend/app/api/__init__.py": "",
            "backend/app/main.py": main,
            "backend/app/api/books.py": ROUTES,
        },
    )
    assert run("generate", "--root", str(root)).exit_code == 0
    assert own in (root / "backend/app/main.py").read_text()
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def test_a_comment_in_an_inserted_call_keeps_its_layout(tmp_path: Path) -> None:
    # A comment of the user's between the call's lines makes the lines theirs: laying the call
    # out again would lose it.
    root = _shelf(tmp_path, "", ROUTES)
    assert run("generate", "--root", str(root)).exit_code == 0
    books = root / "backend/app/api/books.py"
    text = books.read_text()
    assert '        "seen",\n' in text
    books.write_text(text.replace('        "seen",\n', '        "seen",  # ours\n'))
    (root / "ruff.toml").write_text("[format]\nquote-style = 'single'\n")
    commented = books.read_text()
    assert run("generate", "--root", str(root)).exit_code == 0
    assert books.read_text() == commented


# A `:path` parameter is logged as `len(str(...))`: too long for the line, ruff and black split
# the call inside its brackets (and the inner one too, while it does not fit).
PATH_ROUTES = """from fastapi import APIRouter

router = APIRouter()


@router.get("/files/{document_path:path}")
def read_file(document_path: str) -> str:
    return document_path


@router.get("/f/{storage_location_of_the_document:path}")
def read_stored(storage_location_of_the_document: str) -> str:
    return storage_location_of_the_document
"""


@pytest.mark.parametrize("length", [40, 50, 60])
def test_a_call_in_a_payload_is_split_as_the_formatter_splits_it(
    tmp_path: Path, length: int
) -> None:
    # It stayed on one line past the configured length: the formatter changed the module
    # after every generate, and `generate` on the formatted sources wrote other bytes.
    root = _shelf(tmp_path, f"[tool.ruff]\nline-length = {length}\n", PATH_ROUTES)
    books = root / "backend/app/api/books.py"
    ruff = Path(sys.executable).parent / "ruff"
    command = [str(ruff)] if ruff.is_file() else [sys.executable, "-m", "ruff"]
    # The user's module as their formatter lays it out at that length.
    subprocess.run([*command, "format", "-q", "--no-cache", str(books)], cwd=root, check=True)
    assert _ruff_format_check(root, books).returncode == 0
    assert run("generate", "--root", str(root)).exit_code == 0
    checked = _ruff_format_check(root, books)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


# The wiring at a factory's indentation: `app.include_router(telemetry_router)` is 40 columns.
FACTORY_MAIN = """from fastapi import FastAPI

from app.api import books


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(books.router)
    return app


app = create_app()
"""


@pytest.mark.parametrize("length", [36, 39])
def test_the_wiring_is_split_as_the_formatter_splits_it(tmp_path: Path, length: int) -> None:
    # The include stayed on one line past the configured length: the formatter changed the
    # app's module after every generate.
    root = _write(
        tmp_path,
        {
            "pyproject.toml": f'[project]\nname = "shelf"\n\n[tool.ruff]\nline-length = {length}\n'
            + PLAN,
            "backend/app/__init__.py": "",
            "backend/app/api/__init__.py": "",
            "backend/app/main.py": FACTORY_MAIN,
            "backend/app/api/books.py": ROUTES,
        },
    )
    main = root / "backend/app/main.py"
    assert _ruff_format_check(root, main).returncode == 0
    before = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert "    app.include_router(\n        telemetry_router\n    )\n" in main.read_text()
    checked = _ruff_format_check(root, main)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root)["backend/app/main.py"] == before["backend/app/main.py"]


@pytest.mark.parametrize("config", [".flake8", "setup.cfg", "tox.ini"])
def test_the_wiring_fits_the_line_length_flake8_enforces(tmp_path: Path, config: str) -> None:
    # A project linted by flake8 alone got lines laid out at 88 columns, past its own limit.
    root = _write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "shelf"\n' + PLAN,
            config: "[flake8]\nmax-line-length = 39\n",
            "backend/app/__init__.py": "",
            "backend/app/api/__init__.py": "",
            "backend/app/main.py": FACTORY_MAIN,
            "backend/app/api/books.py": ROUTES,
        },
    )
    before = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    # Laid out as a formatter set to flake8's limit lays it out: the include is split.
    main = root / "backend/app/main.py"
    assert "    app.include_router(\n        telemetry_router\n    )\n" in main.read_text()
    for file in (main, root / "backend/app/api/books.py"):
        checked = _ruff_format_check(root, file, "--line-length", "39")
        assert checked.returncode == 0, checked.stdout + checked.stderr
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


# A string property captured from an optional number is `None if x is None else str(x)`.
OPTIONAL_ROUTES = """from fastapi import APIRouter

router = APIRouter()


@router.get("/books")
def list_books(number_of_the_page_to_show: int | None = None) -> list[str]:
    return []
"""
CAPTURE_PLAN = """
[tool.telemetry-scaffold]
instrument = { "api/books.py" = { event = "seen", capture = ["number_of_the_page_to_show"] } }

[tool.telemetry-scaffold.events.seen]
properties.number_of_the_page_to_show = { type = "string", required = false }
"""


def _capture_shelf(tmp_path: Path, config: str) -> Path:
    root = _shelf(tmp_path, config, OPTIONAL_ROUTES)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(PLAN, CAPTURE_PLAN))
    return root


@pytest.mark.parametrize("config", ["", "[tool.ruff]\nline-length = 60\n"])
def test_a_long_conditional_value_is_split_as_ruff_splits_it(tmp_path: Path, config: str) -> None:
    # It stayed on one line past the configured length: `ruff format` changed the module after
    # every generate, and `generate` on the formatted sources wrote other bytes.
    root = _capture_shelf(tmp_path, config)
    books = root / "backend/app/api/books.py"
    ruff = Path(sys.executable).parent / "ruff"
    command = [str(ruff)] if ruff.is_file() else [sys.executable, "-m", "ruff"]
    # The user's module as their formatter lays it out at that length.
    subprocess.run([*command, "format", "-q", "--no-cache", str(books)], cwd=root, check=True)
    before = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert "            if number_of_the_page_to_show is None\n" in books.read_text()
    checked = _ruff_format_check(root, books)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("length", "value"),
    [
        pytest.param(
            96,
            "                None if number_of_the_page_to_show is None"
            " else str(number_of_the_page_to_show)\n",
            id="whole-in-brackets",
        ),
        pytest.param(
            60,
            "                None\n"
            "                if number_of_the_page_to_show is None\n"
            "                else str(number_of_the_page_to_show)\n",
            id="split-in-brackets",
        ),
    ],
)
def test_a_long_conditional_value_is_put_in_brackets_for_black(
    tmp_path: Path, length: int, value: str
) -> None:
    # black (only black configured) puts it in parentheses, as ruff does not.
    root = _capture_shelf(tmp_path, f"[tool.black]\nline-length = {length}\n")
    books = root / "backend/app/api/books.py"
    assert run("generate", "--root", str(root)).exit_code == 0
    text = books.read_text()
    assert f'            "number_of_the_page_to_show": (\n{value}            ),\n' in text, text
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, False),
        ({"pyproject.toml": "[tool.ruff.lint.isort]\nforce-sort-within-sections = true\n"}, True),
        ({"ruff.toml": "[isort]\nforce-sort-within-sections = true\n"}, True),
        ({"ruff.toml": "[lint.isort]\nforce-sort-within-sections = false\n"}, False),
        (
            {
                "base.toml": "[lint.isort]\nforce-sort-within-sections = true\n",
                "backend/ruff.toml": 'extend = "../base.toml"\nline-length = 90\n',
            },
            True,
        ),
        ({"pyproject.toml": "[tool.isort]\nforce_sort_within_sections = true\n"}, True),
        ({"pyproject.toml": '[tool.isort]\nprofile = "google"\n'}, True),
        ({"pyproject.toml": '[tool.isort]\nprofile = "black"\n'}, False),
        (
            {
                "pyproject.toml": "[tool.black]\nline-length = 100\n\n"
                "[tool.isort]\nforce_sort_within_sections = true\n"
            },
            True,
        ),
        ({".isort.cfg": "[settings]\nforce_sort_within_sections = True\n"}, True),
        ({"setup.cfg": "[isort]\nprofile = google\n"}, True),
        ({"tox.ini": "[tool:isort]\nforce_sort_within_sections = true\n"}, True),
        (
            {
                "pyproject.toml": '[tool.isort]\nprofile = "google"\n'
                "force_sort_within_sections = false\n"
            },
            False,
        ),
        ({"setup.cfg": "[isort]\nforce_sort_within_sections = false\n"}, False),
        ({"setup.cfg": "[isort]\nlines_between_types = 1\n"}, "apart"),
        # flake8-import-order's google style (I100) sorts plain and `from` imports together.
        ({".flake8": "[flake8]\nimport-order-style = google\n"}, True),
        ({"setup.cfg": "[flake8]\nimport_order_style = appnexus\n"}, True),
        ({"tox.ini": "[flake8]\nimport-order-style = smarkets\n"}, False),
        ({"pyproject.toml": "[tool.isort]\nlines_between_types = 1\n"}, "apart"),
        ({"ruff.toml": "[lint.isort]\nlines-between-types = 1\n"}, "apart"),
        ({"ruff.toml": "[lint.isort]\nlines-between-types = 0\n"}, False),
        # ruff sorts by its own settings only, whatever isort's say.
        (
            {"pyproject.toml": "[tool.ruff]\n\n[tool.isort]\nforce_sort_within_sections = true\n"},
            False,
        ),
    ],
)
def test_import_order_settings(tmp_path: Path, files: dict[str, str], expected: bool | str) -> None:
    _write(tmp_path, files)
    style = FormatStyles(tmp_path).of("backend/app/api/books.py")
    assert style.sort_within_sections is (expected is True)
    assert style.types_apart is (expected == "apart")


# A plain import of the package before a `from` import that sorts before it by module.
MIXED_ROUTES = """import logging

from fastapi import APIRouter

import app.settings
from app.zeta import Z

router = APIRouter()
logger = logging.getLogger(__name__)


@router.get("/a")
def a() -> str:
    return app.settings.NAME + Z
"""


# The same, as `lines-between-types = 1` sorts it; then with no `from` import to go above.
APART_ROUTES = MIXED_ROUTES.replace("import app.settings\n", "import app.settings\n\n")
PLAIN_ROUTES = MIXED_ROUTES.replace("from app.zeta import Z\n", "").replace(" + Z", "")
# As `from-first = true` sorts it, then with `lines-between-types = 1` too.
FROM_FIRST_ROUTES = MIXED_ROUTES.replace(
    "import app.settings\nfrom app.zeta import Z\n", "from app.zeta import Z\nimport app.settings\n"
)
FROM_FIRST_APART_ROUTES = FROM_FIRST_ROUTES.replace(
    "from app.zeta import Z\n", "from app.zeta import Z\n\n"
)


@pytest.mark.parametrize(
    ("isort", "routes"),
    [
        ("force-sort-within-sections = false\n", MIXED_ROUTES),
        ("force-sort-within-sections = true\n", MIXED_ROUTES),
        ("lines-between-types = 1\n", APART_ROUTES),
        ("lines-between-types = 1\n", PLAIN_ROUTES),
        # With from-first the new `from` import went below a section's plain imports.
        ("from-first = true\n", PLAIN_ROUTES),
        ("from-first = true\n", FROM_FIRST_ROUTES),
        ("from-first = true\nlines-between-types = 1\n", PLAIN_ROUTES),
        ("from-first = true\nlines-between-types = 1\n", FROM_FIRST_APART_ROUTES),
        # A first-party section joined to the one above: no blank line above the new import.
        ('no-lines-before = ["first-party"]\n', ROUTES),
        ('no-lines-before = ["first-party", "local-folder"]\n', ROUTES),
    ],
)
def test_the_import_joins_the_order_the_sorter_keeps(
    tmp_path: Path, isort: str, routes: str
) -> None:
    # With force-sort-within-sections the import went below `import app.settings`, as plain
    # imports first would have it; with lines-between-types right below it, with no blank line
    # between: ruff's I001 (and isort --check) failed on the patched module.
    config = f'[tool.ruff.lint]\nselect = ["I"]\n\n[tool.ruff.lint.isort]\n{isort}'
    root = _shelf(tmp_path, config, routes)
    _write(root, {"backend/app/settings.py": 'NAME = "a"\n', "backend/app/zeta.py": 'Z = "z"\n'})
    books = root / "backend/app/api/books.py"
    ruff = Path(sys.executable).parent / "ruff"
    command = [str(ruff)] if ruff.is_file() else [sys.executable, "-m", "ruff"]
    lint = [*command, "check", "--no-cache", "--select", "I", str(books)]
    assert subprocess.run(lint, cwd=root, check=False).returncode == 0
    before = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    checked = subprocess.run(lint, cwd=root, capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + books.read_text()
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("files", "joined"),
    [
        ({"ruff.toml": '[lint.isort]\nno-lines-before = ["first-party"]\n'}, {"first-party"}),
        ({"pyproject.toml": '[tool.isort]\nno_lines_before = ["FIRSTPARTY"]\n'}, {"first-party"}),
        (
            {"setup.cfg": "[isort]\nno_lines_before = FIRSTPARTY, LOCALFOLDER\n"},
            {"first-party", "local-folder"},
        ),
        # A custom section's name, or a setting of another shape, joins no standard section.
        ({"ruff.toml": '[lint.isort]\nno-lines-before = ["django"]\n'}, set()),
        ({"ruff.toml": "[lint.isort]\nno-lines-before = 3\n"}, set()),
        ({}, set()),
    ],
)
def test_joined_sections_read(tmp_path: Path, files: dict[str, str], joined: set[str]) -> None:
    _write(tmp_path, files)
    assert FormatStyles(tmp_path).of("backend/app/api/books.py").joined_sections == joined


@pytest.mark.parametrize(
    ("files", "from_first", "wrap"),
    [
        ({"ruff.toml": "[lint.isort]\nfrom-first = true\n"}, True, None),
        ({"pyproject.toml": "[tool.ruff.isort]\nfrom-first = true\n"}, True, None),
        ({"pyproject.toml": "[tool.isort]\nfrom_first = true\n"}, True, ImportWrap()),
        ({"setup.cfg": "[isort]\nfrom_first = True\n"}, True, ImportWrap()),
        # isort's own line length and wrap mode, its profile's where it sets none.
        ({"setup.cfg": "[isort]\nline_length = 100\n"}, False, ImportWrap(100)),
        (
            {".isort.cfg": "[settings]\nline_length=120\nmulti_line_output=3\n"},
            False,
            ImportWrap(120, "hanging"),
        ),
        (
            {"pyproject.toml": '[tool.isort]\nprofile = "black"\n'},
            False,
            ImportWrap(88, "hanging", use_parentheses=True, trailing_comma=True),
        ),
        (
            {"pyproject.toml": '[tool.isort]\nprofile = "black"\nline_length = 100\n'},
            False,
            ImportWrap(100, "hanging", use_parentheses=True, trailing_comma=True),
        ),
        (
            {"tox.ini": "[isort]\nuse_parentheses = true\ninclude_trailing_comma = true\n"},
            False,
            ImportWrap(use_parentheses=True, trailing_comma=True),
        ),
        ({"pyproject.toml": '[tool.isort]\nprofile = "google"\n'}, False, ImportWrap(1000)),
        # A mode whose wrapping is not followed: ruff's layout at isort's length.
        ({"setup.cfg": "[isort]\nmulti_line_output = 7\n"}, False, ImportWrap(mode="")),
        (
            {"pyproject.toml": '[tool.isort]\nmulti_line_output = "VERTICAL_HANGING_INDENT"\n'},
            False,
            ImportWrap(mode="hanging"),
        ),
        # ruff sorts the imports of a project it is configured in, by its own layout.
        ({"pyproject.toml": "[tool.ruff]\n\n[tool.isort]\nline_length = 60\n"}, False, None),
        ({"pyproject.toml": "[tool.black]\n"}, False, None),
        # A black project's isort with no profile or mode: black's profile, given where isort
        # runs (pre-commit's `args: ["--profile", "black"]`); its own settings still apply.
        (
            {"pyproject.toml": '[tool.black]\n\n[tool.isort]\nknown_first_party = ["app"]\n'},
            False,
            ImportWrap(88, "hanging", use_parentheses=True, trailing_comma=True),
        ),
        (
            {"pyproject.toml": "[tool.black]\n", "setup.cfg": "[isort]\nline_length = 100\n"},
            False,
            ImportWrap(100, "hanging", use_parentheses=True, trailing_comma=True),
        ),
        (
            {"pyproject.toml": "[tool.black]\n\n[tool.isort]\nmulti_line_output = 0\n"},
            False,
            ImportWrap(),
        ),
    ],
)
def test_isort_settings_read(
    tmp_path: Path, files: dict[str, str], from_first: bool, wrap: ImportWrap | None
) -> None:
    _write(tmp_path, files)
    style = FormatStyles(tmp_path).of("backend/app/api/books.py")
    assert style.from_first is from_first
    assert style.import_wrap == wrap


# The settings of an isort profile the style reads (see style._isort_settings).
ISORT_KEYS_READ = (
    "line_length",
    "multi_line_output",
    "use_parentheses",
    "include_trailing_comma",
    "force_sort_within_sections",
    "lines_between_types",
    "from_first",
    "no_lines_before",
    "force_alphabetical_sort",
    "reverse_relative",
    "sections",
    "no_sections",
    "length_sort",
    "length_sort_straight",
    "case_sensitive",
    "order_by_type",
    "honor_case_in_force_sorted_sections",
)


def test_isort_profiles_are_isorts_own() -> None:
    # The profiles are a copy (isort is no dependency of the tool): every setting read must be
    # the installed isort's, for every profile it has.
    from isort.profiles import profiles

    for name, profile in profiles.items():
        expected = {
            key: getattr(profile[key], "value", profile[key])
            for key in ISORT_KEYS_READ
            if key in profile
        }
        assert style_module._ISORT_PROFILES.get(name) == expected, name


# What isort (5.x to 7.x) writes for a one-name import too long for its line, by mode.
ISORT_LAYOUTS = [
    (ImportWrap(40), ["from app.analytics.event_logger import \\", "    event_logger"]),
    (
        ImportWrap(40, use_parentheses=True),
        ["from app.analytics.event_logger import (", "    event_logger)"],
    ),
    (
        ImportWrap(40, use_parentheses=True, trailing_comma=True),
        ["from app.analytics.event_logger import (", "    event_logger,)"],
    ),
    (
        ImportWrap(40, "hanging"),
        ["from app.analytics.event_logger import (", "    event_logger", ")"],
    ),
    (
        ImportWrap(40, "hanging", trailing_comma=True),
        ["from app.analytics.event_logger import (", "    event_logger,", ")"],
    ),
    (ImportWrap(40, ""), ["from app.analytics.event_logger import (", "    event_logger,", ")"]),
    (ImportWrap(60), ["from app.analytics.event_logger import event_logger"]),
]


@pytest.mark.parametrize(("wrap", "expected"), ISORT_LAYOUTS)
def test_a_long_import_wraps_as_isort_wraps_it(wrap: ImportWrap, expected: list[str]) -> None:
    new = NewImport("app.analytics.event_logger", "event_logger", "event_logger")
    # The module's formatter length (120) does not decide: isort's does.
    assert list(new.lines("    ", 120, wrap=wrap)) == expected


def test_an_isort_project_gets_the_import_isort_writes(tmp_path: Path) -> None:
    # isort wrapped a long import at its own line length (79 by default) with a backslash,
    # where the import had been laid out at the formatter's 88 columns in ruff's way.
    config = '[tool.isort]\nline_length = 40\nknown_first_party = ["app"]\n'
    root = _shelf(tmp_path, config, ROUTES)
    before = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    text = (root / "backend/app/api/books.py").read_text()
    assert "from app.analytics.event_logger import \\\n    event_logger\n" in text
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("generate", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/books.py").read_text() == text
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


YAPF_ROUTES = """from fastapi import APIRouter

router = APIRouter()


@router.get("/books/{book_id}")
def get_book(book_id: int) -> dict:
    \"\"\"Doc.\"\"\"
    return {"id": book_id}


@router.post("/a")
async def a():
    return 1


@router.get("/s")
def s():
    return 's'


class Views:

    @staticmethod
    @router.get("/organizations/{organization_id}/projects/{project_id}/members/{member_id}")
    def get_member_of_project(organization_id: int, project_id: int, member_id: int) -> dict:
        return {}


@router.get("/organizations/{organization_id}/projects/{project_id}/members/{member_id}/roles")
def list_the_roles_of_one_member_of_a_project_of_an_organization_by_their_ids(
        organization_id: int, project_id: int, member_id: int) -> dict:
    return {}
"""


@pytest.mark.parametrize(
    "files",
    [
        {"pyproject.toml": '[tool.yapf]\nbased_on_style = "pep8"\n'},
        {".style.yapf": "[style]\nbased_on_style = google\ncolumn_limit = 100\n"},
        {"setup.cfg": "[yapf]\nbased_on_style = facebook\n"},
        # Ruff lints (and sorts imports), yapf formats.
        {
            "pyproject.toml": '[tool.ruff.lint]\nselect = ["E", "I"]\n\n[tool.yapf]\n'
            "column_limit = 120\n"
        },
        # Arguments indented by `continuation_indent_width`, not by the module's indent.
        {"pyproject.toml": '[tool.yapf]\nbased_on_style = "google"\nindent_width = 2\n'},
        {
            "pyproject.toml": '[tool.yapf]\nbased_on_style = "pep8"\n'
            "split_all_comma_separated_values = true\n"
        },
        {
            ".style.yapf": "[style]\nbased_on_style = pep8\ncontinuation_indent_width = 8\n"
            "indent_dictionary_value = True\n"
        },
    ],
    ids=[
        "pyproject-pep8",
        "style-yapf-google-100",
        "setup-cfg-facebook",
        "ruff-lint-yapf-120",
        "google-indent-2",
        "pep8-split-all-comma",
        "pep8-continuation-8-indented-values",
    ],
)
def test_generate_leaves_a_yapf_formatted_module_as_yapf_formats_it(
    tmp_path: Path, files: dict[str, str]
) -> None:
    # yapf split the payload of a call it splits one entry per line (the call held it whole on
    # a line of its own, as ruff format does), and kept 88 columns for its 79; an entry longer
    # than the line (a long route, a long handler name) it splits after the colon, all of them
    # when its style indents dict values or more than one is too long; and it indents the
    # arguments by its `continuation_indent_width` where generate used the module's indent.
    pyproject = files.get("pyproject.toml", "")
    root = _shelf(tmp_path, pyproject, YAPF_ROUTES)
    _write(root, {name: text for name, text in files.items() if name != "pyproject.toml"})
    yapf = [str(Path(sys.executable).parent / "yapf")]
    modules = [str(root / "backend/app/api/books.py"), str(root / "backend/app/main.py")]
    # The modules as the project's yapf leaves them (its indent width, its column limit).
    subprocess.run([*yapf, "-i", *modules], check=True, cwd=root)
    formatted = (root / "backend/app/api/books.py").read_text()

    result = run("generate", "--root", str(root))

    assert result.exit_code == 0, result.stdout + result.stderr
    after = subprocess.run(
        [*yapf, "--diff", *modules], capture_output=True, text=True, check=False, cwd=root
    )
    assert after.returncode == 0, after.stdout
    assert (root / "backend/app/api/books.py").read_text().count("event_logger.log(") == 5
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/books.py").read_text() == formatted


def test_a_configuration_larger_than_any_real_one_is_not_read(tmp_path: Path) -> None:
    # Megabytes of INI (generated or hostile) took seconds to parse, each of the several times
    # a run reads the file; the default applies as for a file that is not INI.
    padding = "".join(f"option{index} = 1\n" for index in range(MAX_CONFIG_BYTES // 12))
    _write(tmp_path, {"setup.cfg": "[flake8]\nmax-line-length = 79\n[other]\n" + padding})
    styles, seconds = cpu_seconds(lambda: FormatStyles(tmp_path).of("backend/app/api/books.py"))
    assert styles.line_length == DEFAULT_LINE_LENGTH
    assert seconds < 0.5


# A module importing its neighbours relatively: the inserted import is relative too
# (`from ..analytics.event_logger import event_logger`), in the local-folder section.
RELATIVE_ROUTES = """from fastapi import APIRouter

from . import helpers

router = APIRouter()


@router.get("/a")
def a() -> str:
    return helpers.NAME
"""


def _sorter(name: str) -> list[str]:
    beside = Path(sys.executable).parent / name
    return [str(beside)] if beside.is_file() else [sys.executable, "-m", name]


def _sorted_round_trip(
    root: Path,
    tool: str,
    inserted: str,
    *,
    sort_first: bool = False,
    reorder_args: tuple[str, ...] = ("--application-directories", "backend"),
) -> None:
    """`books.py` sorted as `tool` (ruff or isort) wants it stays so after generate, which
    inserts ``inserted``; `--check` passes and `remove` gives the project back byte for byte.
    ``sort_first``: the sorter sorts the module before (its own order of the imports).
    ``reorder_args``: those reorder-python-imports is run with, from the root (as its hook)."""
    books = root / "backend/app/api/books.py"
    if tool == "ruff":
        fix = [*_sorter("ruff"), "check", "--no-cache", "--select", "I", "--fix", str(books)]
        check = [*_sorter("ruff"), "check", "--no-cache", "--select", "I", str(books)]
    elif tool == "reorder-python-imports":
        # It rewrites the file and exits 1 when it changed something: 0 is "sorted".
        fix = check = [*_sorter(tool), *reorder_args, str(books)]
    else:
        fix = [*_sorter("isort"), str(books)]
        check = [*_sorter("isort"), "--check-only", "--diff", str(books)]
    if sort_first:
        subprocess.run(fix, cwd=root, capture_output=True, check=False)
    first = subprocess.run(check, cwd=root, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stdout
    before = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    text = books.read_text()
    assert inserted in text
    checked = subprocess.run(check, cwd=root, capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + text
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("config", "tool"),
    [
        # ruff's default (`..` first), then closest-to-furthest (`.` first).
        ('[tool.ruff.lint]\nselect = ["I"]\n', "ruff"),
        (
            '[tool.ruff.lint]\nselect = ["I"]\n\n[tool.ruff.lint.isort]\n'
            'relative-imports-order = "closest-to-furthest"\n',
            "ruff",
        ),
        ('[tool.isort]\nsrc_paths = ["backend"]\n', "isort"),
        ('[tool.isort]\nsrc_paths = ["backend"]\nreverse_relative = true\n', "isort"),
        # By module within sections, as written: `from . import` before `from ..analytics`.
        ('[tool.isort]\nsrc_paths = ["backend"]\nforce_sort_within_sections = true\n', "isort"),
        ('[tool.isort]\nsrc_paths = ["backend"]\nprofile = "google"\n', "isort"),
    ],
)
def test_a_relative_import_takes_the_place_the_sorter_gives_it(
    tmp_path: Path, config: str, tool: str
) -> None:
    # The relative import went above `from . import helpers` whatever the sorter's order of
    # relative imports: ruff's closest-to-furthest and isort's reverse_relative or
    # force_sort_within_sections (google's profile) put it below, and moved it there.
    root = _shelf(tmp_path, config, RELATIVE_ROUTES)
    _write(root, {"backend/app/api/helpers.py": 'NAME = "a"\n'})
    _sorted_round_trip(root, tool, "from ..analytics.event_logger import event_logger\n")


# A module whose sorter puts the project's own imports above the third-party ones.
OWN_FIRST_ROUTES = """import logging

from app.settings import NAME

from fastapi import APIRouter

router = APIRouter()
logger = logging.getLogger(__name__)


@router.get("/a")
def a() -> str:
    return NAME
"""
# The same with no import of the project's own: the inserted one starts the section.
NO_OWN_ROUTES = OWN_FIRST_ROUTES.replace("from app.settings import NAME\n\n", "").replace(
    "return NAME", 'return "a"'
)
OWN_FIRST_RUFF = (
    '[tool.ruff.lint]\nselect = ["I"]\n\n[tool.ruff.lint.isort]\nsection-order = '
    '["future", "standard-library", "first-party", "third-party", "local-folder"]\n'
)
OWN_FIRST_ISORT = (
    '[tool.isort]\nsrc_paths = ["backend"]\n'
    'sections = ["FUTURE", "STDLIB", "FIRSTPARTY", "THIRDPARTY", "LOCALFOLDER"]\n'
)


@pytest.mark.parametrize(("config", "tool"), [(OWN_FIRST_RUFF, "ruff"), (OWN_FIRST_ISORT, "isort")])
@pytest.mark.parametrize("routes", [OWN_FIRST_ROUTES, NO_OWN_ROUTES])
def test_the_inserted_import_follows_the_sorters_section_order(
    tmp_path: Path, config: str, tool: str, routes: str
) -> None:
    # ruff's section-order and isort's sections put first-party imports above third-party
    # ones: the inserted import's section went below the third-party one, as the default
    # order has it, and the sorter moved it back.
    root = _shelf(tmp_path, config, routes)
    _write(root, {"backend/app/settings.py": 'NAME = "a"\n'})
    _sorted_round_trip(root, tool, "from app.analytics.event_logger import event_logger\n")


# One section for every import, as no-sections sorts them: plain imports, then `from` ones.
ONE_SECTION_ROUTES = OWN_FIRST_ROUTES.replace(
    "import logging\n\nfrom app.settings import NAME\n\nfrom fastapi import APIRouter\n",
    "import logging\nfrom app.settings import NAME\nfrom fastapi import APIRouter\n",
)
ONE_SECTION_NO_OWN_ROUTES = NO_OWN_ROUTES.replace(
    "import logging\n\nfrom fastapi", "import logging\nfrom fastapi"
)


@pytest.mark.parametrize(
    ("config", "tool"),
    [
        (
            '[tool.ruff.lint]\nselect = ["I"]\n\n[tool.ruff.lint.isort]\nno-sections = true\n',
            "ruff",
        ),
        ('[tool.isort]\nsrc_paths = ["backend"]\nno_sections = true\n', "isort"),
    ],
)
@pytest.mark.parametrize("routes", [ONE_SECTION_ROUTES, ONE_SECTION_NO_OWN_ROUTES])
def test_the_inserted_import_joins_the_one_section_of_no_sections(
    tmp_path: Path, config: str, tool: str, routes: str
) -> None:
    # With no-sections the sorter keeps every import in one section: the inserted import went
    # into a first-party section of its own, a blank line above, and the sorter joined it.
    root = _shelf(tmp_path, config, routes)
    _write(root, {"backend/app/settings.py": 'NAME = "a"\n'})
    _sorted_round_trip(root, tool, "\nfrom app.analytics.event_logger import event_logger\n")


RUFF_ISORT_HEAD = '[tool.ruff.lint]\nselect = ["I"]\n\n[tool.ruff.lint.isort]\n'
ISORT_HEAD = '[tool.isort]\nsrc_paths = ["backend"]\n'
# A company's own packages, which the sorter keeps in a section of their own.
CUSTOM_SECTION_ROUTES = """import logging

from fastapi import APIRouter

from app.settings import NAME

from myco.tools import T

router = APIRouter()
logger = logging.getLogger(__name__)


@router.get("/a")
def a() -> str:
    return NAME + T
"""
CUSTOM_NO_OWN_ROUTES = CUSTOM_SECTION_ROUTES.replace(
    "from app.settings import NAME\n\n", ""
).replace("NAME + T", "T")
AFTER_OWN = '"first-party", "myco", "local-folder"]\n'
OWN_APART = '"own", "first-party", "local-folder"]\n'
RUFF_ORDER = f'{RUFF_ISORT_HEAD}section-order = ["future", "standard-library", "third-party", '
ISORT_ORDER = f'{ISORT_HEAD}sections = ["FUTURE", "STDLIB", "THIRDPARTY", '


@pytest.mark.parametrize(
    ("config", "tool"),
    [
        # A custom section after the first-party one: the inserted import's own section goes
        # above it.
        (f'{RUFF_ORDER}{AFTER_OWN}\n[tool.ruff.lint.isort.sections]\nmyco = ["myco"]\n', "ruff"),
        (
            f'{ISORT_ORDER}"FIRSTPARTY", "MYCO", "LOCALFOLDER"]\nknown_myco = ["myco"]\n',
            "isort",
        ),
        # A custom section holding the app's package: the inserted import joins it.
        (f'{RUFF_ORDER}{OWN_APART}\n[tool.ruff.lint.isort.sections]\nown = ["app"]\n', "ruff"),
        (f'{ISORT_ORDER}"OWN", "FIRSTPARTY", "LOCALFOLDER"]\nknown_own = ["app"]\n', "isort"),
        # `app` named by two `known_*` settings: isort looks them up in the reverse of its
        # sections (the local folder's first, the standard library's last); `myco` beside it
        # shows which one it took.
        (
            f'{ISORT_ORDER}"FIRSTPARTY", "OWN", "LOCALFOLDER"]\nknown_own = ["app"]\n'
            'known_first_party = ["app", "myco"]\n',
            "isort",
        ),
        (
            f'{ISORT_HEAD}known_first_party = ["app"]\nknown_local_folder = ["app", "myco"]\n',
            "isort",
        ),
        (f'{ISORT_HEAD}known_future_library = ["app"]\nknown_third_party = ["app"]\n', "isort"),
        # forced-separate: a section of its own for the named packages, after all others.
        (f'{RUFF_ISORT_HEAD}forced-separate = ["myco"]\n', "ruff"),
        (f'{ISORT_HEAD}forced_separate = ["myco"]\n', "isort"),
        (f'{RUFF_ISORT_HEAD}forced-separate = ["app.analytics"]\n', "ruff"),
        (f'{ISORT_HEAD}forced_separate = ["app.analytics"]\n', "isort"),
        (f'{RUFF_ISORT_HEAD}forced-separate = ["app"]\n', "ruff"),
        (f'{ISORT_HEAD}forced_separate = ["app"]\n', "isort"),
    ],
)
@pytest.mark.parametrize("routes", [CUSTOM_SECTION_ROUTES, CUSTOM_NO_OWN_ROUTES])
def test_the_inserted_import_takes_the_sorters_custom_sections(
    tmp_path: Path, config: str, tool: str, routes: str
) -> None:
    # Custom sections and forced-separate ones were unknown: `myco` was taken for third-party,
    # so the inserted import went below it, and a section holding `app` was not joined.
    root = _shelf(tmp_path, config, routes)
    _write(root, {"backend/app/settings.py": 'NAME = "a"\n'})
    _sorted_round_trip(root, tool, "event_logger import event_logger", sort_first=True)


# Plain, `from`, own and relative imports of several lengths, for the sorter to put in its order.
SORTED_ROUTES = """import os
import logging
from fastapi import APIRouter
from app.zeta import Z
from app.settings import NAME
from . import helpers

router = APIRouter()
logger = logging.getLogger(os.__name__)


@router.get("/a")
def a() -> str:
    return NAME + Z + helpers.H
"""
# The same with no relative import: the inserted import is spelled absolute.
ABSOLUTE_ROUTES = SORTED_ROUTES.replace("from . import helpers\n", "").replace(" + helpers.H", "")
# With no import of the app's own: the inserted one has no section to join but the sorter's.
THIRD_PARTY_ROUTES = (
    SORTED_ROUTES.replace("from app.zeta import Z\n", "")
    .replace("from app.settings import NAME\n", "")
    .replace("from . import helpers\n", "")
    .replace("NAME + Z + helpers.H", '"a"')
)
# A plain import of the app's package alone in its section: by name it sorts before the inserted
# import, by length (ruff's length-sort-straight sorting by module) after it.
PLAIN_OWN_ROUTES = THIRD_PARTY_ROUTES.replace(
    "from fastapi import APIRouter\n", "from fastapi import APIRouter\nimport app\n"
).replace('return "a"', "return app.__name__")
# A relative import of a module: `.helpers` against the inserted `..analytics.event_logger`.
MODULE_RELATIVE_ROUTES = SORTED_ROUTES.replace(
    "from . import helpers\n", "from .helpers import H\n"
).replace("helpers.H", "H")
# An import of a short module with long names: by its module's length it sorts before the
# inserted import, by its whole line's (isort's length_sort within sections) after it.
LONG_NAMES_ROUTES = ABSOLUTE_ROUTES.replace(
    "from app.settings import NAME\n",
    "from app.settings import NAME, current_settings_of_request\n",
).replace("return NAME", "current_settings_of_request()\n    return NAME")
RUFF_ISORT = '[tool.ruff.lint]\nselect = ["I"]\n\n[tool.ruff.lint.isort]\n'
REORDER = "reorder-python-imports"
ISORT = '[tool.isort]\nsrc_paths = ["backend"]\n'


@pytest.mark.parametrize(
    ("config", "tool"),
    [
        # One section, `from` imports first and set apart (isort's settings.py), and plone's
        # profile, which sets it.
        (f"{ISORT}force_alphabetical_sort = true\n", "isort"),
        (f'{ISORT}profile = "plone"\n', "isort"),
        # appnexus's profile: by module within sections, `.` before `..` (reverse_relative).
        (f'{ISORT}profile = "appnexus"\n', "isort"),
        # The app's own package declared another section's.
        (f'{RUFF_ISORT}known-third-party = ["app"]\n', "ruff"),
        (f'{RUFF_ISORT}known-local-folder = ["app"]\n', "ruff"),
        (f'{ISORT}known_third_party = ["app"]\n', "isort"),
        (f'{ISORT}known_local_folder = ["app"]\n', "isort"),
        # By the module's length first.
        (f"{RUFF_ISORT}length-sort = true\n", "ruff"),
        (f"{ISORT}length_sort = true\n", "isort"),
        # With plain and `from` imports together isort weighs the length of the whole line.
        (f"{ISORT}length_sort = true\nforce_sort_within_sections = true\n", "isort"),
        # Plain imports only: then with plain and `from` imports together.
        (f"{RUFF_ISORT}length-sort-straight = true\n", "ruff"),
        (f"{RUFF_ISORT}length-sort-straight = true\nforce-sort-within-sections = true\n", "ruff"),
        (f"{ISORT}length_sort_straight = true\n", "isort"),
        (f"{ISORT}length_sort_straight = true\nforce_sort_within_sections = true\n", "isort"),
    ],
)
@pytest.mark.parametrize(
    "routes",
    [
        SORTED_ROUTES,
        MODULE_RELATIVE_ROUTES,
        ABSOLUTE_ROUTES,
        THIRD_PARTY_ROUTES,
        PLAIN_OWN_ROUTES,
        LONG_NAMES_ROUTES,
    ],
)
def test_the_inserted_import_keeps_the_sorters_order(
    tmp_path: Path, config: str, tool: str, routes: str
) -> None:
    # The module as the sorter sorts it; the inserted import must leave it sorted. Under each
    # of these settings the sorter moved the inserted import elsewhere.
    root = _shelf(tmp_path, config, routes)
    _write(
        root,
        {
            "backend/app/settings.py": (
                'NAME = "a"\n\n\ndef current_settings_of_request() -> None:\n    pass\n'
            ),
            "backend/app/zeta.py": 'Z = "z"\n',
            "backend/app/api/helpers.py": 'H = "h"\n',
        },
    )
    _sorted_round_trip(root, tool, "event_logger import event_logger", sort_first=True)


# A plain import of the app's own beside a `from` one sorting before the inserted import: their
# order and the line between them are the settings'.
PLAIN_AND_FROM_ROUTES = (
    SORTED_ROUTES.replace("from app.zeta import Z\n", "import app.zeta\n")
    .replace("from app.settings import", "from app.admin import")
    .replace("NAME + Z", "NAME + app.zeta.Z")
)
# The same with no relative import: the inserted import is among the app's own.
PLAIN_AND_FROM_ABSOLUTE = PLAIN_AND_FROM_ROUTES.replace("from . import helpers\n", "").replace(
    " + helpers.H", ""
)


@pytest.mark.parametrize(
    "settings",
    [
        "force-wrap-aliases = true\ncombine-as-imports = true\n",
        "lines-after-imports = 1\n",
        "lines-after-imports = 2\n",
        "lines-between-types = 1\n",
        "from-first = true\n",
        "order-by-type = false\n",
        'no-lines-before = ["local-folder"]\n',
        'force-single-line = true\nsingle-line-exclusions = ["fastapi"]\n',
        'known-local-folder = ["app"]\n',
    ],
)
@pytest.mark.parametrize("routes", [PLAIN_AND_FROM_ROUTES, PLAIN_AND_FROM_ABSOLUTE])
def test_ruffs_isort_settings_find_nothing_in_the_patched_modules(
    tmp_path: Path, settings: str, routes: str
) -> None:
    # The route module and the app's module (its aliased `router as telemetry_router`), each
    # sorted by ruff under the setting first, stay sorted once generate has patched them.
    root = _shelf(tmp_path, RUFF_ISORT + settings, routes)
    _write(
        root,
        {
            "backend/app/admin.py": 'NAME = "a"\n',
            "backend/app/zeta.py": 'Z = "z"\n',
            "backend/app/api/helpers.py": 'H = "h"\n',
        },
    )
    check = [*_sorter("ruff"), "check", "--no-cache", "--select", "I", "backend"]
    subprocess.run([*check, "--fix"], cwd=root, capture_output=True, check=False)
    assert subprocess.run(check, cwd=root, capture_output=True, check=False).returncode == 0
    before = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    done = subprocess.run(check, cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


# A package of the app's spelled with a capital (`app/Core/`): before `app.analytics` by case,
# after it without.
CASED_ROUTES = ABSOLUTE_ROUTES.replace("from app.zeta import Z\n", "from app.Core import Z\n")


@pytest.mark.parametrize(
    ("config", "tool"),
    [
        (f"{RUFF_ISORT}case-sensitive = true\n", "ruff"),
        (f"{ISORT}case_sensitive = true\n", "isort"),
        # By line within sections, isort keeps the case unless order_by_type is off.
        (f"{ISORT}force_sort_within_sections = true\n", "isort"),
        (f'{ISORT}profile = "open_stack"\n', "isort"),
        (f"{ISORT}force_sort_within_sections = true\norder_by_type = false\n", "isort"),
        (
            f"{ISORT}force_sort_within_sections = true\norder_by_type = false\n"
            "case_sensitive = true\nhonor_case_in_force_sorted_sections = true\n",
            "isort",
        ),
        (f'{ISORT}profile = "google"\n', "isort"),
        (RUFF_ISORT, "ruff"),
        (ISORT, "isort"),
    ],
)
def test_the_inserted_import_keeps_the_sorters_case(tmp_path: Path, config: str, tool: str) -> None:
    # Compared lowercased, `app.analytics` went before `app.Core`, where a case-sensitive
    # sorter moved it after.
    root = _shelf(tmp_path, config, CASED_ROUTES)
    _write(
        root,
        {
            "backend/app/settings.py": 'NAME = "a"\n',
            "backend/app/Core/__init__.py": 'Z = "z"\n',
        },
    )
    _sorted_round_trip(root, tool, "event_logger import event_logger", sort_first=True)


@pytest.mark.parametrize(
    "routes",
    [SORTED_ROUTES, MODULE_RELATIVE_ROUTES, ABSOLUTE_ROUTES, THIRD_PARTY_ROUTES, PLAIN_OWN_ROUTES],
)
@pytest.mark.parametrize("config", ["", '[tool.isort]\nprofile = "black"\n'])
def test_the_inserted_import_keeps_reorder_python_imports_order(
    tmp_path: Path, routes: str, config: str
) -> None:
    # A pre-commit hook running reorder-python-imports rewrites the imports its own way: the
    # relative ones first among the project's own, all in one section, by module as written.
    # The inserted `from ..analytics...` went below `from . import helpers` after them.
    if shutil.which("reorder-python-imports", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("reorder-python-imports is not installed")
    root = _shelf(tmp_path, config, routes)
    _write(
        root,
        {
            ".pre-commit-config.yaml": "repos:\n- repo: https://github.com/asottile/"
            "reorder-python-imports\n  rev: v3.14.0\n  hooks:\n  - id: reorder-python-imports\n"
            "    args: [--application-directories, backend]\n",
            "backend/app/settings.py": 'NAME = "a"\n',
            "backend/app/zeta.py": 'Z = "z"\n',
            "backend/app/api/helpers.py": 'H = "h"\n',
        },
    )
    _sorted_round_trip(
        root, "reorder-python-imports", "event_logger import event_logger", sort_first=True
    )


@pytest.mark.parametrize(
    "routes", [SORTED_ROUTES, MODULE_RELATIVE_ROUTES, ABSOLUTE_ROUTES, PLAIN_OWN_ROUTES]
)
@pytest.mark.parametrize("config", [RUFF_ISORT, f"{RUFF_ISORT}length-sort = true\n"])
def test_a_commented_out_reorder_hook_leaves_the_sorters_order(
    tmp_path: Path, routes: str, config: str
) -> None:
    # A project that moved from reorder-python-imports to ruff often keeps the old hook
    # commented out: pre-commit does not run it, so ruff's order (relative imports in their
    # own section, length sort) is the one the inserted import must keep.
    root = _shelf(tmp_path, config, routes)
    _write(
        root,
        {
            ".pre-commit-config.yaml": "repos:\n"
            "# - repo: https://github.com/asottile/reorder-python-imports\n"
            "#   rev: v3.14.0\n"
            "#   hooks:\n"
            "#   - id: reorder-python-imports\n"
            "- repo: https://github.com/astral-sh/ruff-pre-commit\n"
            "  rev: v0.6.0\n"
            "  hooks:\n"
            "  - id: ruff\n"
            "    # - id: reorder-python-imports\n",
            "backend/app/settings.py": 'NAME = "a"\n',
            "backend/app/zeta.py": 'Z = "z"\n',
            "backend/app/api/helpers.py": 'H = "h"\n',
        },
    )
    _sorted_round_trip(root, "ruff", "event_logger import event_logger", sort_first=True)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("repos:\n- repo: local\n  hooks:\n  - id: reorder-python-imports\n", {REORDER}),
        (
            'repos: [{repo: x, hooks: [{id: "reorder-python-imports"}, {id: ruff}]}]',
            {REORDER, "ruff"},
        ),
        ("repos:\n- repo: x\n  hooks:\n  # - id: reorder-python-imports\n  - id: ruff\n", {"ruff"}),
        # Not a hook: a hook's argument, a comment after another value, a file that does not parse.
        (
            "repos:\n- repo: x\n  hooks:\n  - id: ruff\n    args: [id: reorder-python-imports]\n",
            {"ruff"},
        ),
        ("repos:\n- repo: x  # id: reorder-python-imports\n  hooks: []\n", set()),
        ("repos:\n- repo: x\n  hooks:\n  - id: reorder-python-imports\n\t- :\n", set()),
        ("id: reorder-python-imports\n", set()),
        ("[" * 5000 + "id" + "]" * 5000, set()),
    ],
)
def test_the_hooks_run_are_read_from_the_pre_commit_file_as_yaml(text: str, ids: set[str]) -> None:
    assert hooks_run(text) == ids


# Other tools projects run over their modules, each with its configuration and the command
# that rewrites a module in place (pylint only reports).
OTHER_TOOLS = {
    "usort": ("[tool.usort]\nfirst_party_detection = true\n", ["format"]),
    "autopep8": ("[tool.autopep8]\nmax_line_length = 79\n", ["-i"]),
    "add-trailing-comma": ("", []),
    "pylint": (
        "[tool.pylint.format]\nmax-line-length = 79\n",
        [
            "--disable=all",
            "--enable=C0411,C0412,C0413,C0301",
            "--msg-template={symbol}",
            "--score=n",
            "--persistent=n",
        ],
    ),
}


@pytest.mark.parametrize("tool", sorted(OTHER_TOOLS))
@pytest.mark.parametrize(
    "routes", [SORTED_ROUTES, ABSOLUTE_ROUTES, THIRD_PARTY_ROUTES, PLAIN_OWN_ROUTES]
)
def test_other_tools_leave_the_inserted_code_as_it_is(
    tmp_path: Path, tool: str, routes: str
) -> None:
    # usort, autopep8 and add-trailing-comma rewrite nothing generate wrote, and pylint's
    # import order and line length checks report nothing more than before it.
    if shutil.which(tool, path=str(Path(sys.executable).parent)) is None:
        pytest.skip(f"{tool} is not installed")
    config, arguments = OTHER_TOOLS[tool]
    root = _shelf(tmp_path, config, routes)
    _write(
        root,
        {
            "backend/app/settings.py": 'NAME = "a"\n',
            "backend/app/zeta.py": 'Z = "z"\n',
            "backend/app/api/helpers.py": 'H = "h"\n',
        },
    )
    books = root / "backend/app/api/books.py"
    command = [*_sorter(tool), *arguments, str(books.relative_to(root / "backend"))]

    def apply() -> Counter[str]:
        done = subprocess.run(command, cwd=root / "backend", capture_output=True, text=True)
        return Counter(line for line in done.stdout.split() if not line.startswith("*"))

    before = apply() if tool == "pylint" else Counter[str]()
    if tool != "pylint":
        apply()  # the module as the tool leaves it
    assert run("generate", "--root", str(root)).exit_code == 0
    patched = books.read_text()
    assert "event_logger" in patched
    assert apply() - before == Counter(), patched
    assert books.read_text() == patched


REORDER_REPO = (
    "repos:\n- repo: https://github.com/asottile/reorder-python-imports\n  rev: v3.14.0\n  hooks:\n"
)
OTHER_HOOKS = "repos:\n- repo: https://github.com/pre-commit/pre-commit-hooks\n  rev: v5.0.0\n"


def test_the_reorder_hooks_arguments_are_its_own() -> None:
    # Flow and block lists, quoted or not, a comment after them; another hook's are not its.
    hooks = [
        "  - id: reorder-python-imports\n",
        "  - id: reorder-python-imports\n"
        "    args: [--py38-plus, '--application-directories=.:src']  # x\n",
        "  -   id: reorder-python-imports\n      args:\n      - --application-directories\n"
        '      - "backend"\n  -   id: other\n      args: [--application-directories, x]\n',
        "  - id: check-yaml\n    args: [--unsafe]\n",
    ]
    assert [reorder_hook_args(REORDER_REPO + text) for text in hooks] == [
        (),
        ("--py38-plus", "--application-directories=.:src"),
        ("--application-directories", "backend"),
        None,
    ]


@pytest.mark.parametrize(
    ("config", "hooks", "args"),
    [
        # No application directories: the root's, where `app` is not (it is in `backend/`), so
        # reorder-python-imports takes it for a third party's.
        (".pre-commit-config.yaml", "  - id: reorder-python-imports\n", ()),
        (
            ".pre-commit-config.yaml",
            "  - id: reorder-python-imports\n"
            "    args: [--py38-plus, '--application-directories=.:backend']  # ours\n",
            ("--application-directories=.:backend",),
        ),
        (
            ".pre-commit-config.yaml",
            "  -   id: reorder-python-imports\n      args:\n      - --application-directories\n"
            '      - "backend"\n  -   id: other\n      args: [--application-directories, x]\n',
            ("--application-directories", "backend"),
        ),
        # A monorepo's hooks kept by the service, the root's running other ones.
        (
            "backend/.pre-commit-config.yaml",
            "  - id: reorder-python-imports\n    args: [--application-directories, backend]\n",
            ("--application-directories", "backend"),
        ),
        ("backend/.pre-commit-config.yaml", "  - id: reorder-python-imports\n", ()),
    ],
)
@pytest.mark.parametrize("routes", [ABSOLUTE_ROUTES, THIRD_PARTY_ROUTES, PLAIN_OWN_ROUTES])
def test_reorder_python_imports_hook_is_read_with_its_arguments_where_it_is(
    tmp_path: Path, config: str, hooks: str, args: tuple[str, ...], routes: str
) -> None:
    # The hook's --application-directories was not read (`app` always the project's), and a
    # hook in the backend folder's own config was not seen.
    if shutil.which("reorder-python-imports", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("reorder-python-imports is not installed")
    root = _shelf(tmp_path, "", routes)
    files = {config: REORDER_REPO + hooks, "backend/app/settings.py": 'NAME = "a"\n'}
    if config != ".pre-commit-config.yaml":
        files[".pre-commit-config.yaml"] = OTHER_HOOKS + "  hooks:\n  - id: check-yaml\n"
    _write(root, files)
    _sorted_round_trip(
        root,
        "reorder-python-imports",
        "event_logger import event_logger",
        sort_first=True,
        reorder_args=args,
    )


@pytest.mark.parametrize(
    ("files", "module", "section"),
    [
        ({"ruff.toml": '[lint.isort]\nknown-third-party = ["app"]\n'}, "app.x.y", "third-party"),
        ({"ruff.toml": '[lint.isort]\nknown-local-folder = ["ap*"]\n'}, "app.x", "local-folder"),
        # Along `extend`, in the older `[isort]` table.
        (
            {
                "ruff.toml": 'extend = "base.toml"\n',
                "base.toml": '[isort]\nextra-standard-library = ["app"]\n',
            },
            "app",
            "standard-library",
        ),
        (
            {"pyproject.toml": '[tool.isort]\nknown_first_party = ["fastapi"]\n'},
            "fastapi.routing",
            "first-party",
        ),
        # isort matches the module before the packages above it.
        (
            {"setup.cfg": "[isort]\nknown_third_party = app\nknown_local_folder = app.x, b\n"},
            "app.x.y",
            "local-folder",
        ),
        ({"setup.cfg": "[isort]\nknown_third_party = app\n"}, "application", None),
        ({"ruff.toml": "[lint.isort]\nknown-third-party = 3\n"}, "app", None),
        ({}, "app", None),
    ],
)
def test_known_sections_read(
    tmp_path: Path, files: dict[str, str], module: str, section: str | None
) -> None:
    _write(tmp_path, files)
    known = FormatStyles(tmp_path).of("backend/app/api/books.py").known_sections
    assert known_section(known, module) == section
