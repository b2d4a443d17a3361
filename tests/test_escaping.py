"""Plan values land in Markdown, YAML and shell lines escaped for each, or are refused.

Folder names (``backend``, ``specs-dir``) and the config file's name may hold any printable
character: each is rendered into the documents and must read back exactly, without turning into
Markdown syntax, breaking a table, closing a code block, or running as shell. Control characters
are refused at validation (``tests/test_plan.py``).
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from telemetry_cli.plan import Plan
from telemetry_cli.render import render_outputs, template_context
from telemetry_cli.templating import code_fence, markdown_code, markdown_text, shell_word
from tests.catalog_support import catalog_plan
from tests.cli_support import make_project, run

# CommonMark with GitHub's tables and strikethrough: how the documents are read.
MARKDOWN = MarkdownIt("commonmark").enable("table").enable("strikethrough")

NASTY = [
    "plain",
    "back`tick",
    "``double``",
    "`edge",
    "edge`",
    " lead and trail ",
    "pipe|in|it",
    "star*and_under_",
    "__dunder__",
    "[link](http://x)",
    "<b>html</b>",
    "# hash",
    "$(touch pwned) `id` $HOME",
    'it\'s "quoted"',
    "back\\slash\\",
    "amp&amp;",
    "tilde~~strike~~",
    "ünïcødé 路径",
    "~user",
    "-dash",
]


def inline_tokens(markdown: str) -> list[Token]:
    tokens = MARKDOWN.parse(markdown)
    return [child for token in tokens if token.children for child in token.children]


@pytest.mark.parametrize("text", NASTY)
def test_code_span_shows_the_text_exactly(text: str) -> None:
    children = inline_tokens(f"in {markdown_code(text)} here")
    codes = [token.content for token in children if token.type == "code_inline"]
    assert codes == [text]


@pytest.mark.parametrize("text", NASTY)
def test_code_span_in_a_table_cell_keeps_the_table(text: str) -> None:
    table = f"| a | b |\n|---|---|\n| {markdown_code(text, table=True)} | z |\n"
    tokens = MARKDOWN.parse(table)
    cells = [t for t in tokens if t.type == "inline"][2:]
    assert len(cells) == 2, [t.content for t in cells]
    assert [c.content for c in cells[0].children or [] if c.type == "code_inline"] == [text]


@pytest.mark.parametrize("text", NASTY)
def test_markdown_text_reads_back_as_plain_text(text: str) -> None:
    children = inline_tokens(f"in {markdown_text(text)} here")
    assert [token.type for token in children] == ["text"], children
    assert children[0].content == f"in {text} here"


@pytest.mark.parametrize("text", NASTY)
def test_shell_word_is_one_word(text: str) -> None:
    assert shlex.split(f"cd {shell_word(text)} && ls") == ["cd", text, "&&", "ls"]


def test_code_fence_outgrows_backtick_runs() -> None:
    assert code_fence("a", "b") == "```"
    assert code_fence("a```b") == "````"
    assert code_fence("x", "`````") == "``````"


def test_ordinary_paths_are_unchanged() -> None:
    for path in ("backend/app/analytics/analytics_models.py", "specs/059-x/plan.md"):
        assert markdown_text(path) == path
        assert markdown_code(path) == f"`{path}`"
        assert shell_word(path) == path


# --- whole documents for a plan full of odd names ---------------------------------------------


def odd_plan(root: Path, backend: str) -> Plan:
    return Plan.default(root)._replace(
        backend=backend,
        specs_dir=backend + "/docs",
        config_file=root / backend / "tele`metry |conf.toml",
        instrument=(("api/ai_blocks.py", "ai_block_used"),),
    )


ODD_BACKENDS = ["my `backend`", "```fence", "a|b *c* _d_", "$(rm -rf x) 'q'", "sp ace/[x](y)"]


@pytest.fixture(params=ODD_BACKENDS)
def odd(request: pytest.FixtureRequest, tmp_path: Path) -> Plan:
    return odd_plan(tmp_path, request.param)


def documents(plan: Plan) -> dict[str, str]:
    return {
        f.path.rsplit("/", 1)[-1] if f.path.count("/") else f.path: f.content
        for f in render_outputs(plan)
        if f.path.startswith(plan.feature_dir + "/")
    }


def code_spans_and_blocks(markdown: str) -> tuple[list[str], list[str]]:
    tokens = MARKDOWN.parse(markdown)
    spans: list[str] = []
    blocks: list[str] = []
    for token in tokens:
        if token.type == "fence":
            blocks.append(token.content)
        for child in token.children or []:
            if child.type == "code_inline":
                spans.append(child.content)
    return spans, blocks


def readback(markdown: str) -> list[tuple[str, str]]:
    """What a reader of ``markdown`` sees: block and inline tokens with their text."""
    seen: list[tuple[str, str]] = []
    for token in MARKDOWN.parse(markdown):
        if token.type == "fence":
            seen.append(("fence", " ".join(token.content.split())))
        elif token.type != "inline":
            seen.append((token.type, ""))
        for child in token.children or []:
            content = child.content if child.type in ("text", "code_inline") else ""
            if child.type == "text" and seen and seen[-1][0] == "text":
                seen[-1] = ("text", seen[-1][1] + content)  # escapes may split a text run
            else:
                seen.append((child.type, content))
    return seen


PLACEHOLDER = "PLACEHOLDERBACKEND"


def test_documents_read_the_same_as_with_a_plain_name(odd: Plan, tmp_path: Path) -> None:
    twin = odd_plan(odd.root, PLACEHOLDER)
    twin = twin._replace(config_file=twin.root / PLACEHOLDER / "PLACEHOLDERCONF")
    odd_config = str(template_context(odd)["config_file"])

    def as_odd(text: str) -> str:
        text = text.replace(f"cd {PLACEHOLDER} ", f"cd {shell_word(odd.backend)} ")
        text = text.replace(f"{PLACEHOLDER}/PLACEHOLDERCONF", odd_config)
        return text.replace(PLACEHOLDER, odd.backend)

    twin_docs = {f.path.replace(PLACEHOLDER, odd.backend): f.content for f in render_outputs(twin)}
    for output in render_outputs(odd):
        if not output.path.endswith(".md"):
            continue
        expected = [(kind, as_odd(text)) for kind, text in readback(twin_docs[output.path])]
        expected = [
            (kind, " ".join(text.split()) if kind == "fence" else text) for kind, text in expected
        ]
        assert readback(output.content) == expected, output.path


def test_plan_md_code_blocks_are_not_closed_by_a_path(odd: Plan) -> None:
    plan_md = next(f.content for f in render_outputs(odd) if f.path.endswith("/plan.md"))
    _, blocks = code_spans_and_blocks(plan_md)
    assert len(blocks) == 2
    assert blocks[0].startswith(odd.feature_dir + "/\n")
    assert blocks[1].splitlines()[2].startswith(odd.analytics_dir + "/ ")


def test_task_paths_read_back_as_plain_text(odd: Plan) -> None:
    tasks = next(f.content for f in render_outputs(odd) if f.path.endswith("/tasks.md"))
    texts = [
        "".join(c.content for c in token.children or [] if c.type == "text")
        for token in MARKDOWN.parse(tasks)
        if token.type == "inline"
    ]
    wanted = odd.analytics_dir + "/__init__.py"
    assert any(text.endswith(f" in {wanted}") for text in texts), wanted


def test_quickstart_shell_lines_keep_paths_as_one_word(odd: Plan) -> None:
    quickstart = next(f.content for f in render_outputs(odd) if f.path.endswith("/quickstart.md"))
    _, blocks = code_spans_and_blocks(quickstart)
    cds = [
        shlex.split(line)
        for block in blocks
        for line in block.splitlines()
        if line.startswith("cd ")
    ]
    assert cds
    for words in cds:
        assert words[:3] == ["cd", odd.backend, "&&"], words


def test_the_contract_stays_valid_yaml(odd: Plan) -> None:
    contract = next(f for f in render_outputs(odd) if f.path.endswith(".yaml"))
    document = yaml.safe_load(contract.content)
    assert document["openapi"].startswith("3.1")


def test_generate_with_an_odd_backend_name_is_clean(tmp_path: Path) -> None:
    root = tmp_path / "project"
    make_project(root)
    odd = root / "my `backend` $(x)"
    (root / "backend").rename(odd)
    config = root / "pyproject.toml"
    config.write_text(config.read_text() + 'backend = "my `backend` $(x)"\n')
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize("value", ["back`tick", "``double``", "`edge", "edge`", "a|b", "$(id) 'q'"])
def test_the_example_payload_reads_back_exactly_in_code_spans(tmp_path: Path, value: str) -> None:
    # An enum's first value is the documents' example: a backtick in it closed the single-backtick
    # spans of spec.md and tasks.md midway.
    plan = catalog_plan(
        tmp_path,
        'event-types = ["error_event"]\ninstrument = {}\n[events.picked]\n'
        f'properties.kind = {{ type = "string", enum = [{json.dumps(value)}] }}',
    )
    docs = documents(plan)
    payload = json.dumps({"kind": value})
    assert payload in code_spans_and_blocks(docs["spec.md"])[0]
    command = f"telemetry-scaffold emit picked --payload {shell_word(payload)}"
    assert command in code_spans_and_blocks(docs["tasks.md"])[0]


def test_event_types_named_like_python_keywords_and_the_layers_own_names_are_served(
    tmp_path: Path,
) -> None:
    """Free-form event types that are Python keywords, soft keywords, builtins or names the
    generated code uses (`class`, `match`, `print`, `self`, `payload`, `event_type`) land in
    the generated code as strings: it compiles, and each is logged through the served route and
    by an instrumented handler."""
    import subprocess
    import sys

    types = ["class", "import", "match", "print", "self", "payload", "event_type", "error_event"]
    listed = ", ".join(f'"{name}"' for name in types)
    root = make_project(
        tmp_path / "project",
        f'event-types = [{listed}]\ninstrument = {{"api/ai_blocks.py" = "class"}}\n',
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    for module in (root / "backend").rglob("*.py"):
        compile(module.read_bytes(), str(module), "exec")
    script = (
        "import json, sys\n"
        "from fastapi.testclient import TestClient\n"
        "from app.main import app\n"
        "client = TestClient(app)\n"
        "codes = [client.post('/api/telemetry/log', json={'event_type': name}).status_code\n"
        "         for name in json.loads(sys.argv[1])]\n"
        "codes.append(client.post('/api/ai/quiz/c1').status_code)\n"
        "print(json.dumps(codes))\n"
    )
    served = subprocess.run(
        [sys.executable, "-c", script, json.dumps(types)],
        cwd=root / "backend",
        capture_output=True,
        text=True,
        check=False,
    )
    assert served.returncode == 0, served.stderr
    assert json.loads(served.stdout) == [202] * len(types) + [200]
