"""A project's own ruff rule set finds nothing new in the modules `generate` patches.

Each case is a project with its ruff configuration; ruff (a dev dependency) runs over the user's
modules before and after `generate`, and what it reports after must be what it reported before;
`remove` gives back the original bytes.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.cli_support import git, make_project, run, write_files
from tests.route_support import include_in_main

MODULE = "backend/app/api/p.py"
PLAN = """event-types = ["ai_block_used", "error_event", "probe"]
[tool.telemetry-scaffold.instrument]
"api/ai_blocks.py" = "ai_block_used"
"api/p.py" = "probe"
"""
# A module of a package importing its siblings relatively, one level (`from .x`), as ruff's
# default `ban-relative-imports = "parents"` allows.
RELATIVE = '''"""Items."""

from fastapi import APIRouter

from .schemas import Item

router = APIRouter(prefix="/items")


@router.get("/{item_id}")
def read_item(item_id: int) -> Item:
    """Read one item."""
    return Item(id=item_id)
'''
SCHEMAS = '''"""Schemas."""

from pydantic import BaseModel


class Item(BaseModel):
    """An item."""

    id: int
'''


def _ruff() -> str:
    beside = Path(sys.executable).parent / "ruff"
    found = str(beside) if beside.exists() else shutil.which("ruff")
    assert found is not None, "ruff is not installed; pip install -e '.[dev]'"
    return found


def _ruff_findings(root: Path, cwd: Path | None = None) -> Counter[str]:
    """What ruff, with the project's own configuration, reports in the user's modules.

    Run from ``cwd`` (default: the root), which decides the modules ruff takes for first-party.
    """
    where = cwd or root
    users = [
        str(path.relative_to(where))
        for path in sorted((root / "backend" / "app").rglob("*.py"))
        if "analytics" not in path.relative_to(root).parts
    ]
    done = subprocess.run(
        [_ruff(), "check", "--no-cache", "--output-format", "json", *users],
        cwd=where, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    return Counter(
        f"{Path(item['filename']).name}: {item['code']}" for item in json.loads(done.stdout)
    )


def _project(tmp_path: Path, ruff: str, module: str, extra: dict[str, str] | None = None) -> Path:
    root = make_project(tmp_path / "project", PLAN)
    with (root / "pyproject.toml").open("a") as config:
        config.write(ruff)
    (root / MODULE).write_text(module)
    for name, text in (extra or {}).items():
        (root / "backend" / "app" / "api" / name).write_text(text)
    include_in_main(root, "p")
    return root


def _added_then_removed(root: Path) -> list[str]:
    """Ruff's findings `generate` adds; `remove` must then give back every original byte."""
    original = (root / MODULE).read_bytes()
    before = _ruff_findings(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    added = sorted((_ruff_findings(root) - before).elements())
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / MODULE).read_bytes() == original
    return added


@pytest.mark.parametrize(
    "ruff",
    [
        '[tool.ruff.lint]\nselect = ["E", "F", "TID"]\n',
        '[tool.ruff]\nselect = ["TID252"]\n',
        '[tool.ruff.lint]\nselect = ["TID"]\n[tool.ruff.lint.flake8-tidy-imports]\n'
        'ban-relative-imports = "all"\n',
    ],
)
def test_a_banned_relative_import_is_written_absolute(tmp_path: Path, ruff: str) -> None:
    # `from ..analytics.event_logger import event_logger` climbed to the parent package, which
    # TID252 bans by default (and any relative import with "all"): one finding per module.
    root = _project(tmp_path, ruff, RELATIVE, {"schemas.py": SCHEMAS})
    assert _added_then_removed(root) == []
    run("generate", "--root", str(root))
    assert "from app.analytics.event_logger import event_logger\n" in (root / MODULE).read_text()


@pytest.mark.parametrize(
    "ruff",
    [
        "",  # no ruff configuration
        '[tool.ruff.lint]\nselect = ["E", "F"]\n',
        '[tool.ruff.lint]\nselect = ["ALL"]\nignore = ["TID252"]\n',
        '[tool.ruff.lint]\nselect = ["TID"]\n[tool.ruff.lint.per-file-ignores]\n'
        '"app/api/*.py" = ["TID252"]\n',
    ],
)
def test_a_relative_import_stays_relative_where_ruff_allows_it(tmp_path: Path, ruff: str) -> None:
    root = _project(
        tmp_path, ruff.replace('"app/', '"backend/app/'), RELATIVE, {"schemas.py": SCHEMAS}
    )
    assert run("generate", "--root", str(root)).exit_code == 0
    assert "from ..analytics.event_logger import event_logger\n" in (root / MODULE).read_text()


@pytest.mark.parametrize(
    ("comment", "relative"),
    [
        ("# ruff: noqa: TID252", True),
        ("# ruff: noqa", True),
        ("# flake8: noqa", True),
        ("# ruff: noqa: E501, TID252", True),
        ("    # ruff:noqa:TID252 (imports of the package)", True),
        ("# pylint: disable=C0114 # ruff: noqa: TID252", True),
        ("# ruff: noqa: F401", False),
        ("# ruff: noqa: TID", False),  # a whole code only
        ("# ruff: noqa:", False),
        ("# ruff: noqa because of the imports", True),
        ("# Ruff: noqa: TID252", False),  # `ruff` in lower case only
        ('NOTE = "# ruff: noqa: TID252"', False),  # in a string
        ("x = 1  # ruff: noqa: TID252", False),  # a comment after code
    ],
)
def test_a_file_exemption_keeps_the_relative_spelling(
    tmp_path: Path, comment: str, relative: bool
) -> None:
    # A module exempt from TID252 by its own comment, under a configuration that bans the
    # import: written absolute, unlike every other import of the module.
    module = RELATIVE.replace('"""Items."""\n', f'"""Items."""\n\n{comment.strip()}\n', 1)
    if comment.startswith(" "):
        module = module.replace(
            "def read_item(item_id: int) -> Item:\n",
            f"def read_item(item_id: int) -> Item:\n{comment}\n",
        )
    root = _project(
        tmp_path, '[tool.ruff.lint]\nselect = ["TID"]\n', module, {"schemas.py": SCHEMAS}
    )
    assert _added_then_removed(root) == []
    assert run("generate", "--root", str(root)).exit_code == 0
    spelled = "..analytics" if relative else "app.analytics"
    assert f"from {spelled}.event_logger import event_logger\n" in (root / MODULE).read_text()


@pytest.mark.parametrize(("ban", "spelled"), [("parents", ".analytics"), ("all", "app.analytics")])
def test_ban_all_also_takes_a_sibling_package_import_absolute(
    tmp_path: Path, ban: str, spelled: str
) -> None:
    # A module of the app package itself imports the layer one level down (`from .analytics`):
    # allowed by "parents", reported by "all".
    ruff = (
        f'[tool.ruff.lint]\nselect = ["TID"]\nflake8-tidy-imports.ban-relative-imports = "{ban}"\n'
    )
    root = make_project(tmp_path / "project", PLAN.replace('"api/p.py"', '"routes.py"'))
    with (root / "pyproject.toml").open("a") as config:
        config.write(ruff)
    module = root / "backend" / "app" / "routes.py"
    module.write_text(RELATIVE.replace("from .schemas", "from .api.schemas"))
    (root / "backend" / "app" / "api" / "schemas.py").write_text(SCHEMAS)
    main = root / "backend" / "app" / "main.py"
    main.write_text(
        main.read_text().replace(
            "from app.api import", "from app import routes\nfrom app.api import"
        )
        + "app.include_router(routes.router)\n"
    )
    original = module.read_bytes()
    before = _ruff_findings(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert f"from {spelled}.event_logger import event_logger\n" in module.read_text()
    assert _ruff_findings(root) - before == Counter()
    assert run("remove", "--root", str(root)).exit_code == 0
    assert module.read_bytes() == original


STUBS = '''"""Stubs: handlers whose work is still to come, or done by their dependencies."""

from fastapi import APIRouter, Depends

router = APIRouter(prefix="/stubs")


def verify() -> None:
    """Check the caller."""


@router.post("/logout/{session_id}")
def logout(session_id: int) -> None:
    pass


@router.get("/later/{item_id}")
async def later(item_id: int) -> None:
    ...


@router.get("/check", dependencies=[Depends(verify)])
def check() -> None:
    return


@router.delete("/gone/{item_id}", status_code=204)
def gone(item_id: int) -> None:
    """Delete an item."""
    return None


@router.put("/doc/{item_id}")
def doc(item_id: int) -> None:
    """Put an item."""
    pass


class Views:
    """Handlers on an instance."""

    def __init__(self) -> None:
        """Register the routes."""
        self.router = APIRouter()
        self.router.add_api_route("/views/{item_id}", self.show, methods=["GET"])

    def show(self, item_id: int) -> None:
        # Kept for the clients of version 1.
        ...
'''
WIDE = ['[tool.ruff.lint]\nselect = ["PIE", "PL", "RET"]\n', '[tool.ruff.lint]\nselect = ["ALL"]\n']


@pytest.mark.parametrize("ruff", WIDE)
def test_the_log_call_takes_the_place_of_a_stub_statement(tmp_path: Path, ruff: str) -> None:
    # Inserted before it, the `pass`, `...` or `return` that was the whole body was needless
    # beside the call (PIE790, PLR1711); remove puts the statement back from the record.
    root = _project(tmp_path, ruff, STUBS)
    assert _added_then_removed(root) == []
    assert run("generate", "--root", str(root)).exit_code == 0
    patched = (root / MODULE).read_text()
    assert patched.count("event_logger.log(") == 6
    assert "    pass\n" not in patched
    assert "    ...\n" not in patched
    assert "    return" not in patched
    assert "        # Kept for the clients of version 1.\n        event_logger.log(" in patched
    again = run("generate", "--root", str(root))
    assert "Done: 18 files: 18 unchanged." in again.stdout


def test_a_stub_with_a_comment_keeps_its_line(tmp_path: Path) -> None:
    # The call would hide the comment (a reminder of the user's): inserted above it instead.
    source = STUBS.replace(
        "def logout(session_id: int) -> None:\n    pass\n",
        "def logout(session_id: int) -> None:\n    pass  # TODO: end the session\n",
    )
    root = _project(tmp_path, "", source)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert "    )\n    pass  # TODO: end the session\n" in (root / MODULE).read_text()


def test_a_stub_a_linter_took_out_comes_back_as_pass(tmp_path: Path) -> None:
    # `ruff check --fix` took out the `pass` beside the call (PIE790), or the record is lost:
    # taking the call out must not leave a body empty (remove wrote a file that did not parse).
    source = STUBS.replace(
        "def logout(session_id: int) -> None:\n    pass\n",
        "def logout(session_id: int) -> None:\n    pass  # TODO\n",
    )
    root = _project(tmp_path, "", source)
    assert run("generate", "--root", str(root)).exit_code == 0
    module = root / MODULE
    module.write_text(module.read_text().replace("    pass  # TODO\n", ""))
    (root / ".telemetry-scaffold.json").unlink()
    assert run("remove", "--root", str(root)).exit_code == 0
    restored = module.read_text()
    ast.parse(restored)
    assert "def logout(session_id: int) -> None:\n    pass\n" in restored
    assert "def later(item_id: int) -> None:\n    pass\n" in restored  # its `...` was not recorded
    assert '    """Put an item."""\n\n' in restored  # a docstring is a body


INLINE = '''"""Stubs written on their def lines."""

from fastapi import APIRouter

router = APIRouter(prefix="/items")


@router.get("/")
async def index(): ...


@router.delete("/{item_id}")
def drop(item_id: int) -> None: pass  # TODO: drop it


@router.put(
    "/{item_id}",
)
def put(
    item_id: int,
) -> None:  return None


class Views:
    """Handlers on an instance."""

    def __init__(self) -> None:
        """Register the routes."""
        self.router = APIRouter()
        self.router.add_api_route("/views/{item_id}", self.show, methods=["GET"])

    def show(self, item_id: int) -> None: return


@router.head("/")
async def probe():...  # no space after the colon
'''


@pytest.mark.parametrize("ruff", ["", *WIDE])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_stub_on_its_def_line_is_instrumented_and_given_back(
    tmp_path: Path, ruff: str, newline: str
) -> None:
    # `async def f(): ...` was refused (exit 1): the stub leaves the `def` line (a comment
    # after it stays there), the call goes below, and remove writes the line back as it was.
    root = _project(tmp_path, ruff, INLINE.replace("\n", newline))
    assert _added_then_removed(root) == []
    assert run("generate", "--root", str(root)).exit_code == 0
    patched = (root / MODULE).read_bytes().decode()
    ast.parse(patched)
    assert patched.count("event_logger.log(") == 5
    for header in (
        "async def index():",
        "async def probe():  # no space after the colon",
        "def drop(item_id: int) -> None:  # TODO: drop it",
        ") -> None:",
        "    def show(self, item_id: int) -> None:",
    ):
        assert f"{newline}{header}{newline}" in patched, header
    assert "..." not in patched
    assert " pass" not in patched
    assert "return" not in patched.partition("class Views")[0]
    again = run("generate", "--root", str(root))
    assert "Done: 18 files: 18 unchanged." in again.stdout
    record = json.loads((root / ".telemetry-scaffold.json").read_text())
    # Each with the whitespace that stood between the colon and it, none for `probe`.
    assert record["patched"]["stubs"][MODULE] == {
        "index": {"statement": "...", "after-colon": " "},
        "drop": {"statement": "pass", "after-colon": " "},
        "put": {"statement": "return None", "after-colon": "  "},
        "Views.show": {"statement": "return", "after-colon": " "},
        "probe": {"statement": "...", "after-colon": ""},
    }


def test_a_one_line_stub_whose_record_is_lost_comes_back_as_pass(tmp_path: Path) -> None:
    root = _project(tmp_path, "", INLINE)
    assert run("generate", "--root", str(root)).exit_code == 0
    (root / ".telemetry-scaffold.json").unlink()
    assert run("remove", "--root", str(root)).exit_code == 0
    restored = (root / MODULE).read_text()
    ast.parse(restored)
    assert "async def index():\n    pass\n" in restored
    assert "def drop(item_id: int) -> None:  # TODO: drop it\n    pass\n" in restored


ARGUMENTS = '''"""A stub whose parameters are still to be used."""

from fastapi import APIRouter

router = APIRouter(prefix="/search")


@router.get("/{shelf}")
async def search(shelf: str, q: str = "", _page: int = 0) -> None:
    """Search a shelf."""
'''


@pytest.mark.parametrize(
    ("ruff", "said"),
    [
        ('[tool.ruff.lint]\nselect = ["ALL"]\n', True),
        ('[tool.ruff.lint]\nselect = ["E", "ARG"]\n', True),
        ('[tool.ruff.lint]\nselect = ["E", "F"]\n', False),
        ('[tool.ruff.lint]\nselect = ["ALL"]\nignore = ["ARG001"]\n', False),
    ],
)
def test_a_stubs_unused_parameters_are_said_where_ruff_reports_them(
    tmp_path: Path, ruff: str, said: bool
) -> None:
    # Ruff leaves a stub's parameters alone; with the call in, `q` is reported (the path
    # parameter is logged, `_page` is a dummy by its name). Logging `q` would log user text:
    # said in one line instead, with what exempts the handler.
    root = _project(tmp_path, ruff, ARGUMENTS)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    note = (
        "backend/app/api/p.py:9: route search (GET /search/{shelf}): with its log call it is no "
        "stub to ruff, whose ARG001 reports its unused parameters `q`; finish the handler, or "
        "`# noqa: ARG001` on its def line"
    )
    assert (note in " ".join(result.stdout.split())) is said, result.stdout
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / MODULE).read_text() == ARGUMENTS


def test_only_a_stubs_payload_is_read_for_its_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Which names a log call reads (a parse of each payload value) only matters to a stub's
    # parameters: a handler with a body of its own is not parsed for them, the note is the same.
    from telemetry_cli.patching import instrument

    asked: list[list[tuple[str, str]]] = []

    def payload_names(payload: list[tuple[str, str]]) -> set[str]:
        asked.append(payload)
        return names_of(payload)

    names_of = instrument._payload_names
    monkeypatch.setattr(instrument, "_payload_names", payload_names)
    worked = ARGUMENTS + (
        '\n\n@router.get("/{shelf}/count")\nasync def count(shelf: str) -> int:\n'
        "    return len(shelf)\n"
    )
    root = _project(tmp_path, '[tool.ruff.lint]\nselect = ["ARG"]\n', worked)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "ARG001 reports its unused parameters `q`;" in " ".join(result.stdout.split())
    assert [dict(payload).get("shelf") for payload in asked] == ["shelf"]


def test_the_said_finding_is_the_one_ruff_adds(tmp_path: Path) -> None:
    root = _project(tmp_path, '[tool.ruff.lint]\nselect = ["ALL"]\n', ARGUMENTS)
    assert _added_then_removed(root) == ["p.py: ARG001"]


def test_the_projects_dummy_names_are_ruffs(tmp_path: Path) -> None:
    # `dummy-variable-rgx = "^_$"` (a real backend's): `_page` is no dummy to ruff there.
    ruff = '[tool.ruff.lint]\nselect = ["ALL"]\ndummy-variable-rgx = "^_$"\n'
    root = _project(tmp_path, ruff, ARGUMENTS)
    result = run("generate", "--root", str(root))
    assert "its unused parameters `q`, `_page`;" in " ".join(result.stdout.split())
    assert run("remove", "--root", str(root)).exit_code == 0
    assert _added_then_removed(root) == ["p.py: ARG001", "p.py: ARG001"]


# Ruff configurations of real projects (their rule tables, as published), each in the backend
# folder as there: ruff runs from it, as their CI does.
REAL_CONFIGS = {
    # fastapi/full-stack-fastapi-template, backend/pyproject.toml: ARG001 picked out by name.
    "full-stack-fastapi-template": (
        "pyproject.toml",
        '[tool.ruff]\ntarget-version = "py310"\nexclude = ["alembic"]\n\n[tool.ruff.lint]\n'
        'select = ["E", "W", "F", "I", "B", "C4", "UP", "ARG001"]\n'
        'ignore = ["E501", "B008", "W191", "B904"]\n\n[tool.ruff.lint.pyupgrade]\n'
        "keep-runtime-typing = true\n",
    ),
    # The .ruff.toml of astral-sh/ruff#10624: every rule, preview, `_` alone a dummy, and isort
    # settings of its own.
    "every-rule-with-isort-settings": (
        ".ruff.toml",
        'builtins = ["_"]\npreview = true\ntarget-version = "py312"\n\n[lint]\n'
        'dummy-variable-rgx = "^_$"\nextend-select = ["D213"]\nignore = ["CPY001", "D212"]\n'
        'select = ["ALL"]\n\n[lint.isort]\ncombine-as-imports = true\n'
        "force-sort-within-sections = true\nlines-after-imports = 2\nno-lines-before = "
        '["first-party", "future", "local-folder", "standard-library", "third-party"]\n\n'
        '[lint.pydocstyle]\nconvention = "google"\n',
    ),
    # langchain-ai/deepagents, libs/acp/pyproject.toml: TID252 with its default "parents".
    "deepagents-acp": (
        "pyproject.toml",
        '[tool.ruff]\nline-length = 100\n\n[tool.ruff.lint]\nselect = ["E", "F", "I", "TID252"]\n'
        "ignore = []\n\n[tool.ruff.lint.isort]\nforce-single-line = false\n"
        'combine-as-imports = true\nknown-first-party = ["app"]\n',
    ),
}


@pytest.mark.parametrize("config", sorted(REAL_CONFIGS))
@pytest.mark.parametrize("module", ["stubs", "relative", "arguments"])
def test_real_configurations_find_only_what_generate_says(
    tmp_path: Path, config: str, module: str
) -> None:
    name, text = REAL_CONFIGS[config]
    source = {"stubs": STUBS, "relative": RELATIVE, "arguments": ARGUMENTS}[module]
    root = _project(tmp_path, "", source, {"schemas.py": SCHEMAS})
    backend = root / "backend"
    (backend / name).write_text(text)
    original = (root / MODULE).read_bytes()
    before = _ruff_findings(root, backend)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    added = sorted((_ruff_findings(root, backend) - before).elements())
    said = " ".join(result.stdout.split())
    # Nothing new but what generate said of a stub (its unused parameters, or `self`), and
    # preview's RUF027, which takes a route template for an f-string (the README says why).
    announced = {
        code
        for codes in re.findall(r"no stub to ruff, .*?`# noqa: ([A-Z0-9, ]+)`", said)
        for code in codes.split(", ")
    }
    added = [finding for finding in added if not finding.endswith(": RUF027")]
    assert {finding.partition(": ")[2] for finding in added} == announced, (added, said)
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / MODULE).read_bytes() == original


def test_a_stub_methods_self_is_said_under_preview(tmp_path: Path) -> None:
    # Preview's PLR6301 (no-self-use) leaves a stub method alone, not one with a call in.
    ruff = '[tool.ruff]\npreview = true\n[tool.ruff.lint]\nselect = ["PLR6301"]\n'
    root = _project(tmp_path, ruff, STUBS)
    result = run("generate", "--root", str(root))
    said = " ".join(result.stdout.split())
    assert (
        "backend/app/api/p.py:47: route Views.show (GET /views/{item_id}): with its log call it is "
        "no stub to ruff, whose PLR6301 (preview) reports it could be a function; finish the "
        "handler, or `# noqa: PLR6301` on its def line"
    ) in said, said
    assert run("remove", "--root", str(root)).exit_code == 0
    assert _added_then_removed(root) == ["p.py: PLR6301"]
    # Without preview the rule does not run: nothing to say.
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml").read_text().replace("preview = true", "preview = false")
    )
    assert "PLR6301" not in run("generate", "--root", str(root)).stdout


@pytest.mark.parametrize(
    "forged",
    [
        "__import__('os').system('true')",
        " __import__('os')",
        "\n__import__('os')",
        " ...",
        {"statement": "__import__('os')", "after-colon": " "},
        {"statement": "...", "after-colon": "\n__import__('os')\n"},
        {"statement": "...", "after-colon": None},
        ["..."],
    ],
)
def test_a_recorded_stub_is_only_ever_a_stub_statement(tmp_path: Path, forged: object) -> None:
    # The manifest is a file anyone can edit: what remove writes into user code from it is one
    # of the stub statements (after a `def` line's colon, for one written there), never the
    # text it holds otherwise.
    root = _project(tmp_path, "", STUBS)
    assert run("generate", "--root", str(root)).exit_code == 0
    manifest = root / ".telemetry-scaffold.json"
    record = json.loads(manifest.read_text())
    assert record["patched"]["stubs"][MODULE]["later"] == "..."
    record["patched"]["stubs"][MODULE]["later"] = forged
    manifest.write_text(json.dumps(record))
    assert run("remove", "--root", str(root)).exit_code == 0
    restored = (root / MODULE).read_text()
    assert "__import__" not in restored
    assert "async def later(item_id: int) -> None:\n    pass\n" in restored
    assert "def logout(session_id: int) -> None:\n    pass\n" in restored  # from the record
    assert "def check() -> None:\n    return\n" in restored


def _set_plan(root: Path, old: str, new: str) -> None:
    config = root / "pyproject.toml"
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new, 1))


OTHER = '"""Other routes."""\n\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n'


def test_a_stub_moved_by_hand_out_of_the_plan_gets_its_statement_back(tmp_path: Path) -> None:
    # `later`, moved with its call into q.py (which the plan does not log), loses the call:
    # its body was left empty, then `pass`; the record has its `...` under p.py.
    root = _project(tmp_path, "", STUBS, {"q.py": OTHER})
    include_in_main(root, "q")
    assert run("generate", "--root", str(root)).exit_code == 0
    module, other = root / MODULE, root / "backend/app/api/q.py"
    text = module.read_text()
    start = text.index('@router.get("/later/{item_id}")')
    end = text.index("\n\n\n", start)
    module.write_text(text[:start] + text[end + 3 :])
    other.write_text(
        other.read_text().replace(
            "APIRouter\n", "APIRouter\n\nfrom app.analytics.event_logger import event_logger\n", 1
        )
        + f"\n\n{text[start:end]}\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    moved = other.read_text()
    assert (
        moved
        == OTHER
        + '\n\n@router.get("/later/{item_id}")\nasync def later(item_id: int) -> None:\n    ...\n'
    )
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert other.read_text() == moved


def test_a_handler_of_the_same_name_elsewhere_keeps_its_own_body(tmp_path: Path) -> None:
    # q.py's `doc` (a docstring alone) shares its name with p.py's stub (docstring, `pass`):
    # each module's handlers get back what was theirs.
    other = OTHER + '\n\n@router.put("/doc")\ndef doc() -> None:\n    """Put a doc."""\n'
    root = _project(tmp_path, "", STUBS, {"q.py": other})
    _set_plan(root, '"api/p.py" = "probe"\n', '"api/p.py" = "probe"\n"api/q.py" = "probe"\n')
    include_in_main(root, "q")
    assert run("generate", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/q.py").read_text() == other
    assert (root / MODULE).read_text() == STUBS


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("[tool.telemetry-scaffold]\n", '[tool.telemetry-scaffold]\nbackend = "server"\n'),
        ("[tool.telemetry-scaffold]\n", '[tool.telemetry-scaffold]\nlayer-package = "telemetry"\n'),
    ],
    ids=["backend-moved", "layer-renamed"],
)
def test_the_stubs_record_survives_a_moved_layer(tmp_path: Path, old: str, new: str) -> None:
    # The record named the module by its old path (the backend folder moved), or the calls were
    # written anew through the renamed layer: remove put back `pass` for every stub, and a
    # stub under a comment got its call above the comment, then its statement there.
    root = _project(tmp_path, "", STUBS)
    original = (root / MODULE).read_bytes()
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh)
    assert run("generate", "--root", str(root)).exit_code == 0
    module = MODULE
    if "backend =" in new:
        (root / "backend").rename(root / "server")
        module = MODULE.replace("backend/", "server/", 1)
        (fresh / "backend").rename(fresh / "server")
    _set_plan(root, old, new)
    _set_plan(fresh, old, new)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert run("generate", "--root", str(fresh)).exit_code == 0
    assert (root / module).read_bytes() == (fresh / module).read_bytes()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / module).read_bytes() == original


# Stubs on their `def` lines, as the record keeps them with what stood after the colon.
INLINE_STUBS = '''"""Stubs written on their def lines."""

from fastapi import APIRouter

router = APIRouter(prefix="/inline")


@router.post("/logout/{session_id}")
def logout(session_id: int) -> None: pass


@router.get("/later/{item_id}")
async def later(item_id: int) -> None:...


@router.get("/check")
def check() -> None: return  # the dependency does it
'''


# A form feed between definitions (a page break, as GNU-style modules have): ast counts it no
# line break, str.splitlines does.
FORM_FEED_STUBS = STUBS.replace("\n\n\ndef verify", "\n\n\f\ndef verify", 1)


@pytest.mark.parametrize("side", ["--theirs", "--ours"])
@pytest.mark.parametrize(
    "module", [STUBS, INLINE_STUBS, FORM_FEED_STUBS], ids=["own-lines", "def-lines", "form-feed"]
)
def test_a_conflict_over_stubs_resolves_to_the_stubs(
    tmp_path: Path, side: str, module: str
) -> None:
    # One branch logs another event in p.py, the other drops it: the sides differ by the
    # calls alone. Taken out of the side that logs, the calls left `pass` (or nothing under a
    # docstring) where the other side has `...`, `return`: refused as the user's conflict.
    # A stub on its `def` line is the other side's too, with the space after the colon.
    root = _project(tmp_path, "", module)
    original = (root / MODULE).read_bytes()
    git(root, "init", "-q", "-b", "main")
    assert run("generate", "--root", str(root)).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "generate")
    for branch, line in (("other", '"api/p.py" = "error_event"\n'), ("main", "")):
        git(root, "checkout", "-q", *(["-b", branch] if branch == "other" else [branch]))
        _set_plan(root, '"api/p.py" = "probe"\n', line)
        assert run("generate", "--root", str(root)).exit_code == 0
        git(root, "commit", "-q", "-am", branch)
    merge = subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True)
    assert merge.returncode != 0
    git(root, "checkout", side, "--", "pyproject.toml", ".telemetry-scaffold.json")
    assert "<<<<<<<" in (root / MODULE).read_text()
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / MODULE).read_bytes() == original


def test_ruff_fix_after_generate_keeps_the_round_trip(tmp_path: Path) -> None:
    # The user's `ruff check --fix` with every rule over the patched stubs: nothing of the
    # tool's is fixed away, and generate, --check and remove go on as before.
    root = _project(tmp_path, '[tool.ruff.lint]\nselect = ["ALL"]\n', STUBS)
    original = (root / MODULE).read_bytes()
    assert run("generate", "--root", str(root)).exit_code == 0
    patched = (root / MODULE).read_bytes()
    subprocess.run([_ruff(), "check", "--fix", "--no-cache", MODULE], cwd=root, check=False)
    assert (root / MODULE).read_bytes() == patched
    assert "Done: 18 files: 18 unchanged." in run("generate", "--root", str(root)).stdout
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / MODULE).read_bytes() == original


ABSOLUTE = RELATIVE.replace("from .schemas import Item", "from app.api.schemas import Item")


def _flake8_findings(root: Path) -> Counter[str]:
    """What flake8 (with flake8-import-order) reports in the instrumented module, by code."""
    flake8 = Path(sys.executable).parent / "flake8"
    done = subprocess.run(
        [str(flake8), "--select", "I", "--format", "%(code)s", MODULE],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    return Counter(done.stdout.split())


FLAT_PLAN = """backend = "backend"
app-package = ""
app = "main:app"
event-types = ["ai_block_used", "error_event", "probe"]
instrument = { "views.py" = "probe" }
"""
FLAT = {
    "main.py": "from fastapi import FastAPI\n\nimport views\n\napp = FastAPI()\n"
    "app.include_router(views.router)\n",
    "views.py": "from fastapi import APIRouter\n\nfrom services import double\n\n"
    'router = APIRouter()\n\n\n@router.get("/items/{item_id}")\n'
    "def read(item_id: int) -> int:\n    return double(item_id)\n",
    "services.py": "def double(number: int) -> int:\n    return 2 * number\n",
}


def _flake8_findings(root: Path, module: str) -> Counter[str]:
    """What flake8 (with flake8-import-order) reports in ``module``, by code."""
    flake8 = Path(sys.executable).parent / "flake8"
    done = subprocess.run(
        [str(flake8), "--select", "I", "--format", "%(code)s", module],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    return Counter(done.stdout.split())


#: flake8-import-order's styles (cryptography its default, set as no `import-order-style`).
IMPORT_ORDER_STYLES = [
    "pep8",
    "google",
    "smarkets",
    "edited",
    "pycharm",
    "appnexus",
    "cryptography",
]


def _import_order_config(names: str, style: str) -> str:
    chosen = f"import-order-style = {style}\n" if style != "cryptography" else ""
    return f"[flake8]\napplication-import-names = {names}\n{chosen}"


@pytest.mark.parametrize("style", IMPORT_ORDER_STYLES)
@pytest.mark.parametrize(
    ("names", "said"), [("services, views", True), ("analytics, services, views", False)]
)
def test_flake8_import_order_names_the_layer_or_generate_says_so(
    tmp_path: Path, style: str, names: str, said: bool
) -> None:
    # A flat layout's layer is a new top-level package, `analytics`: flake8-import-order takes
    # it for a third-party one among the project's imports until application-import-names
    # names it (found over a real backend, mandalart-api).
    root = tmp_path / "project"
    (root / "backend").mkdir(parents=True)
    (root / "pyproject.toml").write_text(f"[tool.telemetry-scaffold]\n{FLAT_PLAN}")
    for name, text in FLAT.items():
        (root / "backend" / name).write_text(text)
    (root / "setup.cfg").write_text(_import_order_config(names, style))
    before = _flake8_findings(root, "backend/views.py")
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    note = (
        "backend/views.py: flake8-import-order's application-import-names (services, views) "
        "does not name `analytics`, the package of the inserted import"
    )
    assert (note in " ".join(result.stdout.split())) is said, result.stdout
    assert bool(_flake8_findings(root, "backend/views.py") - before) is said
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend" / "views.py").read_text() == FLAT["views.py"]


# The project's own imports around the inserted one (`from analytics.event_logger import ...`):
# of packages sorting before it, after it, or both.
NEIGHBOURS = [
    "from services import double\n",
    "import accounts\nfrom accounts import owner\n\nfrom services import double\n",
    "from accounts import owner\n",
    "import accounts\n\nimport services\nfrom services import double\n",
]


#: A formatter configured beside flake8-import-order: ruff's formatter (its import sorting not
#: selected), black. Before, the plugin's style was read only in a folder with neither.
FORMATTERS = ["", "[tool.ruff]\nline-length = 100\n", "[tool.black]\nline-length = 100\n"]


@pytest.mark.parametrize("formatter", FORMATTERS)
@pytest.mark.parametrize("style", [*IMPORT_ORDER_STYLES, "explicit-cryptography"])
@pytest.mark.parametrize("imports", NEIGHBOURS)
def test_the_inserted_import_sits_where_each_import_order_style_wants_it(
    tmp_path: Path, style: str, imports: str, formatter: str
) -> None:
    # cryptography (the plugin's default) groups the project's imports by top-level package,
    # a blank line between two: the inserted import joins its package's group, or makes its
    # own between the groups that sort around it (it was put in a neighbour's group: I201).
    root = tmp_path / "project"
    (root / "backend").mkdir(parents=True)
    (root / "pyproject.toml").write_text(f"[tool.telemetry-scaffold]\n{FLAT_PLAN}\n{formatter}")
    for name, text in FLAT.items():
        (root / "backend" / name).write_text(text)
    (root / "backend" / "accounts.py").write_text("def owner() -> str:\n    return 'me'\n")
    views = FLAT["views.py"].replace("from services import double\n", imports)
    views += "\n\nprint(double, owner, accounts, services)\n"
    (root / "backend" / "views.py").write_text(views)
    chosen = style.partition("-")[2] or style
    config = _import_order_config("accounts, analytics, services, views", chosen)
    if style == "explicit-cryptography":
        config += "import-order-style = cryptography\n"
    (root / "setup.cfg").write_text(config)
    before = _flake8_findings(root, "backend/views.py")
    # The app module gets two imports of the one new package (the telemetry router and the
    # error capture): one group between them under cryptography, no blank line inside (I202).
    before_app = _flake8_findings(root, "backend/main.py")
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    patched = (root / "backend" / "views.py").read_text()
    assert "from analytics.event_logger import event_logger" in patched
    assert _flake8_findings(root, "backend/views.py") - before == Counter(), patched
    app = (root / "backend" / "main.py").read_text()
    assert app.count("from analytics.") == 2, app
    assert _flake8_findings(root, "backend/main.py") - before_app == Counter(), app
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert "unchanged" in run("generate", "--root", str(root)).stdout
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend" / "views.py").read_text() == views
    assert (root / "backend" / "main.py").read_text() == FLAT["main.py"]


@pytest.mark.parametrize("style", IMPORT_ORDER_STYLES)
def test_the_inserted_import_joins_its_packages_group(tmp_path: Path, style: str) -> None:
    # The layer inside the app's package: the inserted import's package is `app`, so it joins
    # the group of the module's `app` imports under every style (cryptography's too).
    root = _project(tmp_path, "", ABSOLUTE, {"schemas.py": SCHEMAS})
    (root / "setup.cfg").write_text(_import_order_config("app", style))
    original = (root / MODULE).read_bytes()
    before = _flake8_findings(root, MODULE)
    assert run("generate", "--root", str(root)).exit_code == 0
    patched = (root / MODULE).read_text()
    assert _flake8_findings(root, MODULE) - before == Counter(), patched
    assert "from app.analytics" in patched
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / MODULE).read_bytes() == original


def test_ruffs_import_sorting_wins_over_flake8_import_order(tmp_path: Path) -> None:
    # ruff's I001 selected beside flake8-import-order's cryptography style: ruff rewrites the
    # imports to its own order in pre-commit, so the inserted import follows ruff's (one
    # first-party section, no blank line between packages), not the plugin's groups.
    root = tmp_path / "project"
    (root / "backend").mkdir(parents=True)
    ruff = '[tool.ruff.lint]\nselect = ["I"]\n\n[tool.ruff.lint.isort]\n'
    ruff += 'known-first-party = ["accounts", "analytics", "services", "views"]\n'
    (root / "pyproject.toml").write_text(f"[tool.telemetry-scaffold]\n{FLAT_PLAN}\n{ruff}")
    for name, text in FLAT.items():
        (root / "backend" / name).write_text(text)
    views = FLAT["views.py"].replace(
        "from services import double\n", "from accounts import owner\nfrom services import double\n"
    )
    (root / "backend" / "accounts.py").write_text("def owner() -> str:\n    return 'me'\n")
    (root / "backend" / "views.py").write_text(views + "\n\nprint(owner)\n")
    (root / "setup.cfg").write_text(
        _import_order_config("accounts, analytics, services", "cryptography")
    )
    command = [str(Path(sys.executable).parent / "ruff"), "check", "--no-cache", "--select", "I"]
    assert subprocess.run([*command, "backend/views.py"], cwd=root, check=False).returncode == 0
    assert run("generate", "--root", str(root)).exit_code == 0
    patched = (root / "backend" / "views.py").read_text()
    assert (
        "from accounts import owner\nfrom analytics.event_logger import event_logger\n" in patched
    )
    done = subprocess.run([*command, "backend/views.py"], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + patched


# A package of the app spelled with a capital, which sorts before `app.analytics` by case.
CASED = ABSOLUTE.replace(
    "from app.api.schemas import Item\n",
    "from app.Core import LIMIT\nfrom app.api.schemas import Item\n",
).replace("return Item(id=item_id)", "return Item(id=item_id % LIMIT)")


@pytest.mark.parametrize("style", IMPORT_ORDER_STYLES)
@pytest.mark.parametrize(
    ("module", "inserted"),
    [
        (RELATIVE, "from ..analytics.event_logger import event_logger"),
        (CASED, "from app.analytics.event_logger import event_logger"),
    ],
    ids=["relative", "cased"],
)
def test_the_inserted_import_keeps_each_styles_order_of_modules(
    tmp_path: Path, style: str, module: str, inserted: str
) -> None:
    # Every style orders relative imports by their dots, fewest first (`from .schemas` before
    # `from ..analytics`), and cryptography and pycharm compare modules case and all (`app.Core`
    # before `app.analytics`): the inserted import went by ruff's order, and I100 said so.
    root = _project(tmp_path, "", module, {"schemas.py": SCHEMAS})
    write_files(root, {"backend/app/Core/__init__.py": "LIMIT = 10\n"})
    (root / "setup.cfg").write_text(_import_order_config("app", style))
    original = (root / MODULE).read_bytes()
    before = _flake8_findings(root, MODULE)
    assert run("generate", "--root", str(root)).exit_code == 0
    patched = (root / MODULE).read_text()
    assert inserted in patched
    assert _flake8_findings(root, MODULE) - before == Counter(), patched
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / MODULE).read_bytes() == original
