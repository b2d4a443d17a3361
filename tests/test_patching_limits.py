"""A log call tipping a handler over the project's statement limit is inserted and said."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from telemetry_cli.patching.limits import (
    Limit,
    exempted,
    pylint_statements,
    ruff_statements,
)
from telemetry_cli.patching.style import FormatStyles
from tests.cli_support import run
from tests.test_patching_style import MAIN, _write

# Shapes each tool counts in its own way: elif and else-if, loops with else, try with several
# handlers, else and finally, match, with, nested def and class, docstrings, returns.
SHAPES = {
    "plain": '''
        def f(x):
            """Doc."""
            y = x + 1
            return y
    ''',
    "branches": """
        def f(x):
            if x:
                x += 1
            elif x > 2:
                x -= 1
            else:
                if x:
                    pass
            for i in range(3):
                x += i
            else:
                x = 0
            while x:
                x -= 1
            return x
    """,
    "handlers": """
        def f(x):
            try:
                x = 1
            except ValueError:
                x = 2
            except KeyError:
                pass
            else:
                x = 3
            finally:
                x = 4
            try:
                pass
            finally:
                pass
            return x
    """,
    "blocks": '''
        async def f(x):
            """Doc."""
            async with x as y:
                pass
            async for i in y:
                await i
            with open("f") as g:
                g.read()
            match x:
                case 1:
                    x = 2
                case _:
                    pass

            def inner():
                """Doc."""
                return 1

            class K:
                """Doc."""

                z = 1

                def m(self):
                    return self.z

            assert x
            del x
    ''',
}


def _tool(name: str) -> str:
    return str(Path(sys.executable).parent / name)


# Each tool with no configuration but the one rule (and pylint keeping no scores between runs).
RUFF_ALONE = (
    _tool("ruff"),
    "check",
    "--isolated",
    "--no-cache",
    "--output-format=concise",
    "--select",
)
PYLINT_ALONE = (_tool("pylint"), "--disable=all", "--enable=too-many-statements", "--persistent=n")


def _reported(output: str, pattern: str) -> int:
    found = re.search(pattern, output)
    assert found is not None, output
    return int(found.group(1))


@pytest.mark.parametrize("source", SHAPES.values(), ids=SHAPES.keys())
def test_statements_are_counted_as_ruff_and_pylint_count_them(tmp_path: Path, source: str) -> None:
    module = tmp_path / "shape.py"
    module.write_text(textwrap.dedent(source))
    function = ast.parse(module.read_text()).body[0]
    assert isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
    ruff = subprocess.run(
        [*RUFF_ALONE, "PLR0915", "--config", "lint.pylint.max-statements=0", str(module)],
        capture_output=True,
        text=True,
        check=False,
    )
    at = rf":{function.lineno}:\d+: "  # the outer function's line: nested ones are reported too
    assert ruff_statements(function.body) == _reported(ruff.stdout, at + r".*statements \((\d+) >")
    pylint = subprocess.run(
        [*PYLINT_ALONE, "--max-statements=0", str(module)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert pylint_statements(function) == _reported(pylint.stdout, at + r".*statements \((\d+)/0\)")


RUFF = Limit("ruff", "PLR0915", 50, "`# noqa: PLR0915` on its def line")
PYLINT = Limit(
    "pylint", "too-many-statements", 50, "`# pylint: disable=too-many-statements` on its def line"
)
# A pylint configuration leaving too-many-lines on limits the module's lines too.
LINES = Limit(
    "pylint",
    "too-many-lines",
    1000,
    "`# pylint: disable=too-many-lines` at the top of the module",
    "lines",
    "max-module-lines",
)
WEMAKE = Limit(
    "wemake",
    "WPS201",
    12,
    "`backend/app/api/books.py: WPS201` in flake8's per-file-ignores",
    "imports",
    "max-imports",
)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, ()),
        ({"pyproject.toml": "[tool.ruff]\nline-length = 100\n"}, ()),
        ({"pyproject.toml": '[tool.ruff.lint]\nselect = ["ALL"]\n'}, (RUFF,)),
        ({"ruff.toml": '[lint]\nextend-select = ["PL"]\n'}, (RUFF,)),
        (
            {"ruff.toml": '[lint]\nselect = ["PLR"]\n[lint.pylint]\nmax-statements = 30\n'},
            (RUFF._replace(limit=30),),
        ),
        ({"ruff.toml": '[lint]\nselect = ["ALL"]\nignore = ["PLR0915"]\n'}, ()),
        ({"ruff.toml": '[lint]\nselect = ["PLR0915"]\nignore = ["PLR"]\n'}, (RUFF,)),
        (
            {
                "ruff.toml": 'extend = "base.toml"\n',
                "base.toml": '[lint]\nselect = ["ALL"]\npylint.max-statements = 60\n',
            },
            (RUFF._replace(limit=60),),
        ),
        (
            {"pyproject.toml": "[tool.pylint.design]\nmax-statements = 20\n"},
            (PYLINT._replace(limit=20), LINES),
        ),
        ({".pylintrc": "[MAIN]\njobs = 2\n"}, (PYLINT, LINES)),
        ({".pylintrc": "[DESIGN]\nmax_statements=25\n"}, (PYLINT._replace(limit=25), LINES)),
        ({"setup.cfg": "[pylint.MESSAGES CONTROL]\ndisable = R0915\n"}, (LINES,)),
        (
            {".pylintrc": "[FORMAT]\nmax-module-lines = 400\n[MESSAGES CONTROL]\ndisable=R0915\n"},
            (LINES._replace(limit=400),),
        ),
        ({"setup.cfg": "[pylint.MESSAGES CONTROL]\ndisable = R0915, C0302\n"}, ()),
        (
            {
                "pylintrc": (
                    "[MESSAGES CONTROL]\ndisable =\n"
                    "    missing-docstring,\n    too-many-statements\n"
                )
            },
            (LINES,),
        ),
        (
            {
                "pyproject.toml": (
                    '[tool.pylint."messages control"]\ndisable = ["all"]\n'
                    'enable = ["too-many-statements"]\n'
                )
            },
            (PYLINT,),
        ),
        # The nearest configuration of each tool: the backend's own ruff.toml, the root's pylint.
        (
            {
                "backend/ruff.toml": '[lint]\nselect = ["PLR0915"]\n',
                "pyproject.toml": (
                    '[tool.ruff.lint]\nselect = ["E"]\n[tool.pylint.design]\nmax-statements = 40\n'
                ),
            },
            (RUFF, PYLINT._replace(limit=40), LINES),
        ),
        # Ruff's per-file-ignores turn the rule off for the files they match, whatever the
        # selection's specificity; the patterns are relative to the configuration's folder.
        (
            {
                "ruff.toml": (
                    '[lint]\nselect = ["PLR0915"]\n'
                    '[lint.per-file-ignores]\n"backend/app/api/*.py" = ["PLR"]\n'
                )
            },
            (),
        ),
        (
            {
                "backend/ruff.toml": (
                    '[lint]\nselect = ["ALL"]\n'
                    '[lint.extend-per-file-ignores]\n"app/**/books.py" = ["PLR0915"]\n'
                )
            },
            (),
        ),
        (
            {
                "ruff.toml": (
                    '[lint]\nselect = ["ALL"]\n'
                    '[lint.per-file-ignores]\n"books.py" = ["PLR0915"]\n"tests/*" = ["ALL"]\n'
                )
            },
            (),
        ),
        (
            {
                "ruff.toml": (
                    '[lint]\nselect = ["ALL"]\n'
                    '[lint.per-file-ignores]\n"tests/*" = ["PLR0915"]\n"!backend/*" = ["ALL"]\n'
                )
            },
            (RUFF,),
        ),
        # wemake-python-styleguide's configuration (its options or its codes) in flake8's.
        ({"setup.cfg": "[flake8]\nmax-imports = 15\n"}, (WEMAKE._replace(limit=15),)),
        ({".flake8": "[flake8]\nselect = WPS, E, F\n"}, (WEMAKE,)),
        ({".flake8": "[flake8]\nmax-line-length = 100\n"}, ()),
        ({"tox.ini": "[flake8]\nmax-methods = 9\nignore = WPS2\n"}, ()),
        (
            {
                "setup.cfg": (
                    "[flake8]\nmax-imports = 14\nper-file-ignores =\n"
                    "    tests/*.py: S101, WPS\n    backend/app/api/*.py: WPS201 WPS432\n"
                )
            },
            (),
        ),
        (
            {"setup.cfg": "[flake8]\nmax-imports = 14\nper-file-ignores = books.py:WPS201\n"},
            (),
        ),
    ],
)
def test_statement_limits_read(
    tmp_path: Path, files: dict[str, str], expected: tuple[Limit, ...]
) -> None:
    _write(tmp_path, files)
    assert FormatStyles(tmp_path).linter_limits("backend/app/api/books.py") == expected


def _handler(assignments: int) -> str:
    body = "".join(f"    x{number} = {number}\n" for number in range(assignments))
    return (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        f'@router.get("/a")\ndef a() -> int:\n{body}    return 0\n'
    )


def _project(tmp_path: Path, config: str, assignments: int) -> Path:
    plan = (
        '[tool.telemetry-scaffold]\nevent-types = ["seen", "error_event"]\n'
        'instrument = { "api/books.py" = "seen" }\n'
    )
    return _write(
        tmp_path,
        {
            "pyproject.toml": f'[project]\nname = "shelf"\n\n{config}{plan}',
            "backend/app/__init__.py": "",
            "backend/app/api/__init__.py": "",
            "backend/app/main.py": MAIN,
            "backend/app/api/books.py": _handler(assignments),
        },
    )


@pytest.mark.parametrize(
    ("config", "linter", "rule"),
    [
        ('[tool.ruff.lint]\nselect = ["PLR0915"]\npylint.max-statements = 8\n', "ruff", "PLR0915"),
        ("[tool.pylint.design]\nmax-statements = 8\n", "pylint", "too-many-statements"),
    ],
)
@pytest.mark.parametrize("at_limit", [False, True])
def test_a_log_call_tipping_a_handler_over_the_limit_is_said(
    tmp_path: Path, config: str, linter: str, rule: str, at_limit: bool
) -> None:
    # Ruff counts the handler's assignments (not its return), pylint one more: its counter
    # starts at one. At the limit of 8, one statement more is over it; one below, it is not.
    assignments = (8 if linter == "ruff" else 7) - (0 if at_limit else 1)
    root = _project(tmp_path, config, assignments)
    books = root / "backend/app/api/books.py"

    result = run("generate", "--root", str(root))

    assert result.exit_code == 0, result.stdout + result.stderr
    assert "event_logger.log(" in books.read_text()  # inserted either way
    said = [line for line in (result.stdout + result.stderr).splitlines() if rule in line]
    if linter == "ruff":
        checked = subprocess.run(
            [_tool("ruff"), "check", "--no-cache", "--output-format", "concise", str(books)],
            capture_output=True,
            text=True,
            check=False,
            cwd=root,
        )
    else:
        checked = subprocess.run(
            [*PYLINT_ALONE, str(books)],
            capture_output=True,
            text=True,
            check=False,
            cwd=root,
        )
    # Said exactly when the project's linter now reports the handler.
    assert (rule in checked.stdout) is at_limit, checked.stdout
    assert len(said) == int(at_limit), result.stdout + result.stderr
    if at_limit:
        assert "backend/app/api/books.py:7:" in said[0]
        assert "# noqa: PLR0915" in said[0] or "# pylint: disable=too-many-statements" in said[0]


RUFF_AT_8 = '[tool.ruff.lint]\nselect = ["PLR0915"]\npylint.max-statements = 8\n'
PYLINT_AT_8 = "[tool.pylint.design]\nmax-statements = 8\n"


@pytest.mark.parametrize(
    ("config", "linter", "def_comment", "header"),
    [
        (RUFF_AT_8, "ruff", "  # noqa: PLR0915", ""),
        (RUFF_AT_8, "ruff", "  # noqa", ""),
        (RUFF_AT_8, "ruff", "", "# ruff: noqa: PLR0915\n"),
        # Read as ruff reads it: any comment line of its own, any `#` part of it.
        (RUFF_AT_8, "ruff", "", "    # ruff: noqa: PLR0915\n"),
        (RUFF_AT_8, "ruff", "", "# pylint: disable=C0114  # ruff: noqa: PLR0915\n"),
        (PYLINT_AT_8, "pylint", "  # pylint: disable=R0915", ""),
        (PYLINT_AT_8, "pylint", "", "# pylint: disable=too-many-statements\n"),
        # On the line above the def (the note was printed although pylint honours it).
        (PYLINT_AT_8, "pylint", "NEXT", ""),
    ],
)
def test_no_note_when_a_comment_already_exempts_the_handler(
    tmp_path: Path, config: str, linter: str, def_comment: str, header: str
) -> None:
    # The rule is already off there: the linter says nothing after the insertion, nor must we.
    root = _project(tmp_path, config, 8 if linter == "ruff" else 7)
    books = root / "backend/app/api/books.py"
    if def_comment == "NEXT":
        above = "# pylint: disable-next=too-many-statements\ndef a("
        books.write_text(header + books.read_text().replace("def a(", above))
    else:
        books.write_text(header + books.read_text().replace("-> int:", f"-> int:{def_comment}"))

    result = run("generate", "--root", str(root))

    assert result.exit_code == 0, result.stdout + result.stderr
    assert "event_logger.log(" in books.read_text()
    assert "max-statements" not in result.stdout + result.stderr
    tool = (
        [_tool("ruff"), "check", "--no-cache", "--output-format", "concise"]
        if linter == "ruff"
        else list(PYLINT_ALONE)
    )
    checked = subprocess.run(
        [*tool, str(books)], capture_output=True, text=True, check=False, cwd=root
    )
    assert "R0915" not in checked.stdout and "too-many-statements" not in checked.stdout


@pytest.mark.parametrize("header", ["", "# pylint: disable=too-many-lines\n"])
@pytest.mark.parametrize("at_limit", [False, True])
def test_inserted_lines_tipping_a_module_over_max_module_lines_are_said(
    tmp_path: Path, at_limit: bool, header: str
) -> None:
    root = _project(tmp_path, "", 3)
    books = root / "backend/app/api/books.py"
    books.write_text(header + books.read_text() + "".join(f"X{n} = {n}\n" for n in range(60)))
    lines = len(books.read_text().splitlines())
    limit = lines if at_limit else lines + 60  # the log call and its import add fewer
    (root / ".pylintrc").write_text(f"[FORMAT]\nmax-module-lines = {limit}\n")

    result = run("generate", "--root", str(root))

    assert result.exit_code == 0, result.stdout + result.stderr
    said = [
        line for line in (result.stdout + result.stderr).splitlines() if "too-many-lines" in line
    ]
    checked = subprocess.run(
        [_tool("pylint"), "--disable=all", "--enable=too-many-lines", "--persistent=n",
         f"--max-module-lines={limit}", str(books)],
        capture_output=True, text=True, check=False, cwd=root,
    )  # fmt: skip
    reported = "too-many-lines" in checked.stdout
    # Said exactly when pylint now reports the module, with the count pylint gives.
    assert reported is (at_limit and not header), checked.stdout
    assert len(said) == int(reported), result.stdout + result.stderr
    if reported:
        count = _reported(checked.stdout, r"lines in module \((\d+)/")
        assert said[0].endswith(
            f"backend/app/api/books.py: the inserted lines make {count} lines by pylint's "
            f"count, over too-many-lines's max-module-lines of {limit}; "
            "`# pylint: disable=too-many-lines` at the top of the module exempts it"
        ), said[0]


@pytest.mark.parametrize(("imports", "said"), [(11, False), (12, True), (13, False)])
def test_an_import_tipping_a_module_over_wemakes_max_imports_is_said(
    tmp_path: Path, imports: int, said: bool
) -> None:
    # wemake-python-styleguide's WPS201 counts every import statement of the module (checked
    # with wemake 1.8: `import a, b` is one, a function's import counts, `from x import a, b`
    # is one): the inserted `from app.analytics.event_logger import event_logger` is one more.
    root = _project(tmp_path, "", 3)
    books = root / "backend/app/api/books.py"
    modules = ["os", "re", "sys", "json", "math", "time", "uuid", "enum", "glob", "heapq",
               "csv", "abc", "ast", "bisect"]  # fmt: skip
    body = books.read_text()
    # The handler's module imports APIRouter already: one of the `imports`.
    books.write_text("".join(f"import {name}\n" for name in modules[: imports - 1]) + body)
    (root / "setup.cfg").write_text("[flake8]\nmax-imports = 12\n")

    result = run("generate", "--root", str(root))

    assert result.exit_code == 0, result.stdout + result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "WPS201" in line]
    assert len(lines) == int(said), result.stdout + result.stderr
    if said:
        assert "13 imports by wemake's count, over WPS201's max-imports of 12" in lines[0]
        assert "`backend/app/api/books.py: WPS201` in flake8's per-file-ignores" in lines[0]


@pytest.mark.parametrize(
    "pattern",
    [
        "backend/*.py",
        "backend/**/*.py",
        "books.py",
        "api/*",
        "**/api/*.py",
        "backend/app/*",
        "!tests/*",
        "!backend/**",
        "tests/**",
    ],
)
def test_ruff_per_file_ignores_are_matched_as_ruff_matches_them(
    tmp_path: Path, pattern: str
) -> None:
    books = "backend/app/api/books.py"
    _write(
        tmp_path,
        {
            "ruff.toml": (
                '[lint]\nselect = ["PLR0915"]\npylint.max-statements = 2\n'
                f'[lint.per-file-ignores]\n"{pattern}" = ["PLR0915"]\n'
            ),
            books: "def a() -> int:\n" + "".join(f"    x{n} = {n}\n" for n in range(5)),
        },
    )
    checked = subprocess.run(
        [_tool("ruff"), "check", "--no-cache", "--output-format", "concise", books],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    ours = [limit.rule for limit in FormatStyles(tmp_path).linter_limits(books)]
    assert ("PLR0915" in checked.stdout) is ("PLR0915" in ours), checked.stdout


# The comments flake8 might read as exemptions: on the flagged line (`import os`, F401), or on
# a line of their own (a file's), as flake8 7 reads them or not.
FLAKE8_COMMENTS = [
    "import os  # noqa\n",
    "import os  # NOQA\n",
    "import os  # noqa: F401\n",
    "import os  # noqa:F401\n",
    "import os  # noqa: E501,F401\n",
    "import os  # noqa: E501 F401\n",
    "import os  # noqa: F4\n",
    "import os  # noqa: E501\n",
    "import os  # noqa: f401\n",
    "import os  # noqa : E501\n",
    "import os  # noqa:  E501\n",
    "import os  #noqa\n",
    "import os  # noqa-ish\n",
    "import os  # flake8: noqa\n",
    "# flake8: noqa\nimport os\n",
    "import os\n# flake8: noqa\n",
    "import os\n# FLAKE8: NOQA\n",
    "import os\n# flake8=noqa\n",
    "import os\n# flake8: noqa: E501\n",
    "import os\n\n\ndef f() -> None:\n    # flake8: noqa\n    return None\n",
    'import os\n\nDOC = """\n# flake8: noqa\n"""\n',
    "import os\n#flake8: noqa\n",
    "import os\n# ruff: noqa\n",
    "import os\nx = 1  # flake8: noqa\n",
    "import os\r\n# flake8: noqa\r\n",
]


@pytest.mark.parametrize("text", FLAKE8_COMMENTS)
def test_flake8s_noqa_is_read_as_flake8_reads_it(tmp_path: Path, text: str) -> None:
    # wemake-python-styleguide's limits are flake8's findings: its `noqa` comments are read as
    # flake8 reads them (a file's only on a line of its own, with its one space after the hash;
    # codes after it still exempt the whole file; a line's codes matched as prefixes), checked
    # against flake8 itself over an unused import.
    module = tmp_path / "module.py"
    module.write_bytes(text.encode())
    flake8 = Path(sys.executable).parent / "flake8"
    done = subprocess.run(
        [str(flake8), "--isolated", "--select", "F401", "--format", "%(row)d", str(module)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    reported = done.stdout.split() == ["1"]
    limit = Limit("wemake", "F401", 0, "", "imports")
    assert exempted(limit, text, 1) is not reported
    # A finding of the module's own (WPS201) is left by a file's exemption alone.
    inline = text.startswith("import os  #")
    assert exempted(limit, text, None) is (not reported and not inline)


def test_a_modules_ruff_selection_is_worked_out_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its limits, its relative imports and its unused arguments each ask for it: each worked it
    # out again (matching every per-file-ignores pattern) before 0.29.0.
    books = "backend/app/api/books.py"
    _write(
        tmp_path,
        {
            "ruff.toml": (
                '[lint]\nselect = ["PLR0915", "TID252", "ARG001"]\n'
                '[lint.per-file-ignores]\n"tests/**" = ["ARG001"]\n'
            ),
            books: "def a() -> int:\n    return 1\n",
        },
    )
    worked_out: list[str] = []
    rules = FormatStyles._ruff_rules

    def counted(
        self: FormatStyles, settings: dict[str, Any], folder: PurePosixPath, relative: str
    ) -> Any:
        worked_out.append(relative)
        return rules(self, settings, folder, relative)

    monkeypatch.setattr(FormatStyles, "_ruff_rules", counted)
    styles = FormatStyles(tmp_path)

    assert [limit.rule for limit in styles.linter_limits(books)] == ["PLR0915"]
    assert styles.banned_relative_level(books) == 2
    assert styles.ruff_checks(books, ("ARG001", "ARG002"))[0] == {"ARG001"}
    assert worked_out == [books]


def test_importing_the_limits_compiles_no_comment_pattern() -> None:
    # Compiled on first use: an up-to-date check reads no linter comment, and the seven patterns
    # were 10 M instructions of every run's start (#12).
    probe = textwrap.dedent(
        """
        import re, sys
        compiled = []
        compile_pattern = re.compile
        def counted(*args, **kwargs):
            if sys._getframe(1).f_globals["__name__"] == "telemetry_cli.patching.limits":
                compiled.append(args[0])
            return compile_pattern(*args, **kwargs)
        re.compile = counted
        import telemetry_cli.patching.limits
        print(len(compiled))
        """
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0"


@pytest.mark.parametrize(
    ("limit", "comment"),
    [
        (Limit("ruff", "PLR0915", 50, ""), "# noqa: PLR0915"),
        (Limit("pylint", "too-many-statements", 50, ""), "# pylint: disable=too-many-statements"),
    ],
)
def test_an_exemption_after_a_form_feed_is_read_on_the_def_line(limit: Limit, comment: str) -> None:
    # A page break (a form feed on a line of its own) is no line break to ast, whose line
    # numbers `exempted` is given: str.splitlines counted it one, and read the line above.
    text = f"import os\n\f\ndef f() -> None:  {comment}\n    os.sep\n"
    line = ast.parse(text).body[1].lineno
    assert exempted(limit, text, line)
