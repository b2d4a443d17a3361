"""A strictly type-checked project keeps its findings after `generate` patches its modules.

A project runs mypy (``--strict`` and the stricter flags beyond it: ``disallow_any_expr``,
``no_implicit_reexport``, ``warn_unused_ignores``...) or pyright (basedpyright's ``all``, which
adds ``reportAny`` to strict) over its own code. The imports and the ``event_logger.log(...)``
calls `generate` inserts must add no finding there: each user module is checked before and after,
and what the tools report after must be what they reported before.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.cli_support import REPO, copy_bundled_project, make_project, run
from tests.route_support import include_in_main

MODULE = "backend/app/api/p.py"
PLAN = """event-types = ["ai_block_used", "error_event", "probe"]
[tool.telemetry-scaffold.instrument]
"api/ai_blocks.py" = "ai_block_used"
"api/p.py" = { event = "probe", capture = ["shelf", "note", "item_id"] }
[tool.telemetry-scaffold.events.probe]
properties.shelf = { type = "string", required = false }
properties.note = { type = "string", required = false }
properties.item_id = { type = "integer", required = false }
"""
# Typed throughout and registered without decorators (FastAPI's route decorators are typed with
# Any, which `disallow_any_expr` reports on its own): a module a strict project holds at zero.
SOURCE = '''"""Shelves, registered with add_api_route."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends

__all__ = ["router"]

router = APIRouter(prefix="/p")


@dataclass(frozen=True)
class Shelf:
    """A shelf of the app: its text runs the app's code (``__str__``)."""

    name: str


def current_shelf() -> Shelf:
    return Shelf("s1")


def read_shelf(
    shelf: Annotated[Shelf, Depends(current_shelf)], note: str = ""
) -> dict[str, str]:
    return {"shelf": shelf.name, "note": note}


async def count(item_id: int) -> dict[str, int]:
    return {"count": item_id}


router.add_api_route("/shelf", read_shelf, methods=["GET"])
router.add_api_route("/count/{item_id}", count, methods=["GET"])
'''
MYPY_FLAGS = (
    "--strict",
    "--disallow-any-expr",
    "--disallow-any-explicit",
    "--disallow-any-decorated",
    "--disallow-any-unimported",
    "--warn-unreachable",
    "--warn-unused-ignores",
    "--no-implicit-reexport",
    "--disallow-untyped-calls",
    "--extra-checks",
    "--strict-equality",
    "--enable-error-code=ignore-without-code",
    "--enable-error-code=redundant-expr",
    "--enable-error-code=truthy-bool",
    "--enable-error-code=possibly-undefined",
    "--enable-error-code=explicit-override",
    "--no-incremental",
    "--hide-error-context",
    "--no-error-summary",
)


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found is not None, f"{name} is not installed; pip install -e '.[dev]'"
    return found


def _user_finding(path: str) -> bool:
    """Whether a finding's file is the project's own (not the generated layer)."""
    return "analytics" not in Path(path).parts


def _mypy(backend: Path) -> Counter[str]:
    done = subprocess.run(
        [_tool("mypy"), *MYPY_FLAGS, "app"],
        cwd=backend,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MYPYPATH": str(backend)},
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    # Line numbers move with the insertions: a finding is its file, its message and its code.
    return Counter(
        re.sub(r":\d+(:\d+)?:", ":", line)
        for line in done.stdout.splitlines()
        if ": " in line and _user_finding(line.partition(":")[0])
    )


def _pyright(backend: Path) -> Counter[str]:
    (backend / "pyrightconfig.json").write_text(json.dumps({"typeCheckingMode": "all"}))
    done = subprocess.run(
        [_tool("basedpyright"), "--pythonpath", sys.executable, "--outputjson", "app"],
        cwd=backend,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    return Counter(
        f"{Path(item['file']).name}: {item.get('rule')}: {item['message']}"
        for item in report["generalDiagnostics"]
        if _user_finding(item["file"])
    )


def _findings(backend: Path) -> dict[str, Counter[str]]:
    return {"mypy": _mypy(backend), "basedpyright": _pyright(backend)}


def _added(root: Path) -> dict[str, list[str]]:
    """What the checkers report in the user's modules after `generate` and not before."""
    before = _findings(root / "backend")
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    after = _findings(root / "backend")
    return {tool: sorted((after[tool] - before[tool]).elements()) for tool in after}


def test_a_strictly_typed_module_stays_at_zero_findings(tmp_path: Path) -> None:
    # The payload literal was inferred as `dict[str, Any]` from log()'s parameter, and a captured
    # object's text came back as Any from `event_logger.text(...)`: `disallow_any_expr` reported
    # each call, basedpyright's reportAny each captured value.
    root = make_project(tmp_path / "project", PLAN)
    (root / MODULE).write_text(SOURCE)
    include_in_main(root, "p")
    before = _findings(root / "backend")
    assert [f for tool in before.values() for f in tool if "p.py" in f] == []
    assert _added(root) == {"mypy": [], "basedpyright": []}
    patched = (root / MODULE).read_text()
    assert "event_logger.text(shelf)" in patched  # the captured object's text was checked


def test_the_bundled_backend_gains_no_finding(tmp_path: Path) -> None:
    root = copy_bundled_project(tmp_path / "bundled")
    assert run("remove", "--root", str(root)).exit_code == 0
    assert _added(root) == {"mypy": [], "basedpyright": []}


@pytest.mark.parametrize("case", ["add-api-route", "class-based-views"])
def test_a_corpus_backend_gains_no_finding(tmp_path: Path, case: str) -> None:
    source = REPO / "tests" / "corpus" / case
    assert source.is_dir(), f"no corpus case {case}"  # renamed or gone: not a silent pass
    root = tmp_path / case
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("__pycache__", "expected.toml"))
    assert _added(root) == {"mypy": [], "basedpyright": []}


# Stub handlers annotated to return a value: mypy lets a stub body off with `empty-body` (pyright
# a `...` one entirely); with the log call in place of the stub both report a missing return.
STUBS = '''"""Stub routes, registered with add_api_route."""

from typing import Any, Optional

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(prefix="/p")


async def listing() -> list[int]:
    """All of them."""
    pass


async def detail(item_id: int) -> dict[str, int]:
    ...


async def maybe() -> int | None:
    pass


def later() -> Optional[str]:
    ...


async def anything() -> Any:
    pass


async def done() -> None:
    pass


router.add_api_route("/listing", listing, methods=["GET"])
router.add_api_route("/detail/{item_id}", detail, methods=["GET"])
router.add_api_route("/maybe", maybe, methods=["GET"])
router.add_api_route("/later", later, methods=["GET"])
router.add_api_route("/anything", anything, methods=["GET"])
router.add_api_route("/done", done, methods=["GET"])
'''
MISSING_RETURN = re.compile(
    r"route (\w+) \(.*?\): with its log call in place of its stub .*?, "
    r"(mypy and pyright|mypy|pyright) reports? its missing return statement"
)


def _said_missing(stdout: str) -> dict[str, str]:
    """The handlers generate says a type checker reports missing a return, and which checkers."""
    return dict(MISSING_RETURN.findall(" ".join(stdout.split())))


def test_a_stub_annotated_to_return_a_value_is_said_when_its_call_is_in(tmp_path: Path) -> None:
    # Keeping the stub after the call silences neither checker (both still find the end of the
    # function reachable), so generate says which handlers they report, and nothing more.
    root = make_project(tmp_path / "project", PLAN)
    with (root / "pyproject.toml").open("a") as config:
        config.write("\n[tool.mypy]\nstrict = true\n")
    (root / MODULE).write_text(STUBS)
    include_in_main(root, "p")
    before = _findings(root / "backend")  # writes the backend's pyrightconfig.json
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    added = _findings(root / "backend")
    said = _said_missing(result.stdout)
    assert said == {
        "listing": "mypy",
        "detail": "mypy and pyright",
        "maybe": "mypy",
        "later": "mypy",
    }, result.stdout
    for tool, name in (("mypy", "mypy"), ("basedpyright", "pyright")):
        new = sorted((added[tool] - before[tool]).elements())
        assert len(new) == sum(name in checkers for checkers in said.values()), (tool, new)
        assert all("p.py" in finding and "return" in finding for finding in new), new
    # Said once: the next run finds the call, no stub.
    assert _said_missing(run("generate", "--root", str(root)).stdout) == {}


PYRIGHT_HOOK = """repos:
- repo: https://github.com/astral-sh/ruff-pre-commit
  rev: v0.6.9
  hooks:
  - id: ruff
- repo: https://github.com/RobertCraigie/pyright-python
  rev: v1.1.385
  hooks:
  - id: pyright
"""
MYPY_IN_TEXT = """repos:
- repo: local
  hooks:
  - id: hook-ids
    name: list the hook ids
    entry: "grep -n 'id: mypy' .pre-commit-config.yaml"
    language: system
    pass_filenames: false
"""


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("backend/mypy.ini", "[mypy]\nstrict = True\n", "mypy"),
        ("setup.cfg", "[mypy]\nstrict = True\n", "mypy"),
        (".pre-commit-config.yaml", "repos:\n- repo: x\n  hooks:\n  - id: mypy\n", "mypy"),
        (".pre-commit-config.yaml", PYRIGHT_HOOK, "pyright"),
        # Left commented out after a move to pyright: mypy runs no more.
        (
            ".pre-commit-config.yaml",
            PYRIGHT_HOOK.replace("  - id: ruff", "  # - id: mypy"),
            "pyright",
        ),
        # The words `id: mypy` in another hook's text (its entry) are no hook.
        (".pre-commit-config.yaml", MYPY_IN_TEXT, None),
        ("pyrightconfig.json", "{}", "pyright"),
        ("setup.cfg", "[flake8]\nmax-line-length = 100\n", None),
    ],
)
def test_the_missing_return_is_said_only_to_a_type_checked_project(
    tmp_path: Path, name: str, text: str, said: str | None
) -> None:
    root = make_project(tmp_path / "project", PLAN)
    (root / MODULE).write_text(STUBS)
    include_in_main(root, "p")
    (root / name).write_text(text)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert _said_missing(result.stdout).get("detail") == said, result.stdout


def _hook_findings(backend: Path) -> Counter[str]:
    """What pycln, bandit and ruff (every rule, preview's too) report in the user's modules."""
    users = [
        str(path.relative_to(backend))
        for path in sorted((backend / "app").rglob("*.py"))
        if _user_finding(str(path.relative_to(backend)))
    ]
    found: Counter[str] = Counter()
    pycln = subprocess.run(
        [_tool("pycln"), "--check", "--all", *users],
        cwd=backend, capture_output=True, text=True, check=False,
    )  # fmt: skip
    found.update(line for line in pycln.stdout.splitlines() if "would be changed" in line)
    bandit = subprocess.run(
        [_tool("bandit"), "-q", "-f", "json", *users],
        cwd=backend, capture_output=True, text=True, check=False,
    )  # fmt: skip
    found.update(
        f"{item['filename']}: {item['test_id']}" for item in json.loads(bandit.stdout)["results"]
    )
    ruff = subprocess.run(
        [_tool("ruff"), "check", "--no-cache", "--isolated", "--select", "ALL", "--preview",
         "--output-format", "json", *users],
        cwd=backend, capture_output=True, text=True, check=False,
    )  # fmt: skip
    found.update(
        f"{Path(item['filename']).name}: {item['code']}" for item in json.loads(ruff.stdout)
    )
    return found


def test_common_pre_commit_hooks_find_nothing_new_in_patched_modules(tmp_path: Path) -> None:
    # pycln (unused imports, --all), bandit and ruff with every rule (preview too) over the
    # user's modules: the inserted import is used and the payload literal is plain. The one
    # finding added is preview's RUF027, which takes each route template ("/jobs/{job_id}")
    # for an f-string missing its prefix; its fix is unsafe (the README says not to apply it).
    root = tmp_path / "project"
    shutil.copytree(
        REPO / "tests" / "corpus" / "add-api-route",
        root,
        ignore=shutil.ignore_patterns("__pycache__", "expected.toml"),
    )
    before = _hook_findings(root / "backend")
    assert run("generate", "--root", str(root)).exit_code == 0
    added = _hook_findings(root / "backend") - before
    assert set(added) <= {"ops.py: RUF027"}, added
    assert "ops.py: RUF027" in added  # the checks ran: the known finding is seen


@pytest.mark.parametrize(
    "annotation",
    [
        "str",
        "str | None = None",
        'Literal["daily", "weekly"]',
        'Annotated[str, "period"]',
        "object",
    ],
)
def test_partials_binding_a_parameter_add_no_finding(tmp_path: Path, annotation: str) -> None:
    # A table keyed by the partials' literals was looked up with `period: str | None`:
    # mypy's arg-type on `{...}.get(period, ...)`, twice.
    root = make_project(
        tmp_path / "project",
        PLAN.replace(
            '"api/p.py" = { event = "probe", capture = ["shelf", "note", "item_id"] }',
            '"api/p.py" = "ai_block_used"',
        ),
    )
    (root / MODULE).write_text(
        '"""Reports, one handler a partial per period."""\n\n'
        "from functools import partial\nfrom typing import Annotated, Literal\n\n"
        "from fastapi import APIRouter\n\n"
        '__all__ = ["router"]\n\nrouter = APIRouter(prefix="/p")\n\n\n'
        f"def report(period: {annotation}) -> dict[str, str]:\n"
        '    return {"period": str(period)}\n\n\n'
        'router.add_api_route("/daily", partial(report, "daily"), methods=["GET"])\n'
        'router.add_api_route("/weekly", partial(report, "weekly"), methods=["GET"])\n'
    )
    include_in_main(root, "p")
    assert _added(root) == {"mypy": [], "basedpyright": []}
    patched = (root / MODULE).read_text()
    tabled = annotation.partition(" =")[0] in ("str", 'Literal["daily", "weekly"]')
    tabled = tabled or annotation.startswith("Annotated")
    assert ("}.get(" in patched) == tabled, patched
