"""Big modules are parsed in pieces: the same tree as one ast.parse, or ast.parse itself."""

from __future__ import annotations

import ast
import gc
import subprocess
import sys
import weakref
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telemetry_cli.patching.symbols import ParseFailure, analysis_run, parse, parse_in_pieces

# Top-level chunks, several of which put a column-0 line after a blank line where no statement
# starts (inside a string or brackets, between a decorator and its def, before an else).
CHUNKS = [
    "x = 1\n",
    "\n",
    "\n\n",
    "# a comment\n",
    "import os\n",
    "def f(a,\n\nb):\n    return a\n",
    "@decorator\n\ndef g():\n    pass\n",
    "@router.get('/x')\nasync def h(item_id: int) -> dict[str, int]:\n    return {}\n",
    'TEXT = """\n\ndef not_code():\n\n    pass\n"""\n',
    "VALUES = [\n    1,\n\n2,\n]\n",
    "if x:\n    y = 1\n\nelse:\n    y = 2\n",
    "try:\n    pass\n\nexcept ValueError:\n    pass\n",
    "class C:\n    a: int = 1\n\n    def m(self):\n        return self.a\n",
    "s = 'x' \\\n\n'y'\n",
    "\x0cz = 3\n",
    "w = f'{x}'  # f-string\n",
]


def _dump(tree: ast.AST) -> str:
    return ast.dump(tree, include_attributes=True)


@st.composite
def modules(draw: st.DrawFn) -> str:
    text = "".join(draw(st.lists(st.sampled_from(CHUNKS), min_size=1, max_size=40)))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return text.replace("\n", newline)


@settings(max_examples=300, deadline=None)
@given(modules(), st.integers(1, 200))
def test_pieces_give_the_tree_of_the_whole_text(text: str, size: int) -> None:
    try:
        whole = ast.parse(text)
    except SyntaxError:
        assert parse_in_pieces(text, size) is None
        return
    pieces = parse_in_pieces(text, size)
    if pieces is not None:
        assert _dump(pieces) == _dump(whole)
    assert _dump(parse(text)) == _dump(whole)


def test_a_big_module_is_parsed_in_pieces() -> None:
    handler = (
        '\n\n@router.post("/lines{n}")\nasync def add_line_{n}(order_id: int) -> dict[str, int]:\n'
        '    """Add a line."""\n    total = order_id * {n}\n    return {{"total": total}}\n'
    )
    text = "from fastapi import APIRouter\n\nrouter = APIRouter()\n" + "".join(
        handler.format(n=n) for n in range(300)
    )
    pieces = parse_in_pieces(text, 2_000)
    assert pieces is not None
    assert _dump(pieces) == _dump(ast.parse(text))


@pytest.mark.parametrize("broken", ["def f(:\n    pass\n", "x = (\n", "else:\n    pass\n"])
def test_an_error_in_a_piece_is_the_error_of_the_whole_text(broken: str) -> None:
    text = "x = 1\n\n" * 400 + broken + "\n\ny = 2\n" * 400
    assert parse_in_pieces(text, 500) is None
    with pytest.raises(SyntaxError) as expected:
        ast.parse(text)
    with pytest.raises(ParseFailure) as failure:
        parse(text)
    assert f"line {expected.value.lineno}" in str(failure.value)


def test_a_run_lets_its_trees_go_before_the_collector_resumes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Everything a run allocated is in the collector's youngest generation: its first pass
    # after the run walked every tree still held (a tenth of a fresh 2,000-handler generate).
    trees: list[weakref.ref[ast.Module]] = []
    alive_on_resume: list[bool] = []
    enable = gc.enable

    def spy() -> None:
        alive_on_resume.extend(tree() is not None for tree in trees)
        enable()

    monkeypatch.setattr(gc, "enable", spy)
    if not gc.isenabled():
        pytest.skip("the collector is off in this process")
    with analysis_run():
        trees.append(weakref.ref(parse("x = 1\n")))
        assert trees[0]() is not None  # held by the run, for the next reader of the text
    assert alive_on_resume == [False]


NESTED_TOO_DEEP = "x = " + "(" * 100_000 + ")" * 100_000 + "\n"


def in_a_child(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Python run with ``args`` in a child process: a crash there fails the test, not the run."""
    return subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_a_module_nested_past_every_python_s_limit_is_a_parse_failure() -> None:
    # CPython refuses it ("too many nested parentheses"); libcst's native parser, asked next
    # for a newer Python's grammar, overflowed the C stack on it and killed the process.
    child = in_a_child(
        "-c",
        "import sys\n"
        "from telemetry_cli.patching.symbols import ParseFailure, parse\n"
        "try:\n"
        "    parse(sys.stdin.read())\n"
        "except ParseFailure as failure:\n"
        "    print(failure)\n",
        stdin=NESTED_TOO_DEEP,
    )
    assert child.returncode == 0, child.stderr[-500:]
    assert "too many nested parentheses" in child.stdout


def test_init_reads_a_project_holding_a_module_nested_too_deep(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi"]\n',
        "app/__init__.py": "",
        "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "app/web.py": NESTED_TOO_DEEP,
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    child = in_a_child("-m", "telemetry_cli", "init", "--dry-run", "--root", str(tmp_path))
    assert child.returncode == 0, child.stderr[-500:]
    assert "app/web.py:1:" in child.stderr
    assert "Traceback" not in child.stderr
