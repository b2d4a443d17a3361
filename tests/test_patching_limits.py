"""A log call tipping a handler over the project's statement limit is inserted and said."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from telemetry_cli.patching.limits import StatementLimit, pylint_statements, ruff_statements
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


RUFF = StatementLimit("ruff", "PLR0915", 50, "# noqa: PLR0915")
PYLINT = StatementLimit(
    "pylint", "too-many-statements", 50, "# pylint: disable=too-many-statements"
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
            (PYLINT._replace(limit=20),),
        ),
        ({".pylintrc": "[MAIN]\njobs = 2\n"}, (PYLINT,)),
        ({".pylintrc": "[DESIGN]\nmax_statements=25\n"}, (PYLINT._replace(limit=25),)),
        ({"setup.cfg": "[pylint.MESSAGES CONTROL]\ndisable = R0915\n"}, ()),
        (
            {
                "pylintrc": (
                    "[MESSAGES CONTROL]\ndisable =\n"
                    "    missing-docstring,\n    too-many-statements\n"
                )
            },
            (),
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
            (RUFF, PYLINT._replace(limit=40)),
        ),
    ],
)
def test_statement_limits_read(
    tmp_path: Path, files: dict[str, str], expected: tuple[StatementLimit, ...]
) -> None:
    _write(tmp_path, files)
    assert FormatStyles(tmp_path).statement_limits("backend/app/api/books.py") == expected


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
