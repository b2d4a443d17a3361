"""The plan both ways, explored by a state machine over a small project.

Hypothesis walks random interleavings of plan changes (every key of ``[tool.telemetry-scaffold]``
that the small project can take), hand edits of the user's code and of the calls generate wrote,
git commits, and the commands. A shadow copy of the project takes the same edits of the user's
own code and never sees the tool, so it holds the bytes ``remove`` must give back. After each
step the invariants of :meth:`PlanMachine.invariants` hold; each command checks its own.

``PLAN_SEQUENCE_EXAMPLES=200`` runs a long random search; the suite runs a fixed few.
"""

from __future__ import annotations

import ast
import copy
import os
import re
import shutil
import subprocess
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tests.cli_support import apply_diff, run, snapshot
from tests.plan_sequence_support import MANIFEST, Plan, changed_files, write_config
from tests.test_plan_both_ways import CHAPTERS_PY, _project, _wrap_call

_EXAMPLES = os.environ.get("PLAN_SEQUENCE_EXAMPLES")
_BACKUP = re.compile(r"\.bak(\.\d+)?$")
_GIT = ("git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false")
# The context key every call generate writes holds (a call of the user's own has none).
_TOOL_KEY = "handler"

BASE_PLAN: Plan = {
    "event-types": ["ai_block_used", "chapter_visit", "error_event"],
    "instrument": {"api/ai_blocks.py": "ai_block_used", "api/chapters.py": "chapter_visit"},
}

CATALOG = {
    "description": "A reader opened a chapter.",
    "properties": {"chapter_id": {"type": "string", "max-length": 100}},
}

# Plan changes, each a function of the plan (in place). A change some plan cannot take (an event
# type still instrumented, capture of an undeclared property) is a configuration error: the
# machine checks it is refused with exit 2 and nothing written, then takes the plan back.
PlanEdit = Callable[[Plan], None]


def _event_types(plan: Plan) -> list[str]:
    types: list[str] = plan.setdefault("event-types", [])
    return types


def _rename_type(plan: Plan, old: str, new: str) -> None:
    plan["event-types"] = [new if name == old else name for name in _event_types(plan)]
    for module, value in plan.get("instrument", {}).items():
        if value == old:
            plan["instrument"][module] = new
        elif isinstance(value, dict) and value.get("event") == old:
            value["event"] = new
    if old in plan.get("events", {}):
        plan["events"][new] = plan["events"].pop(old)


def _toggle(plan: Plan, key: str, value: object) -> None:
    if key in plan:
        del plan[key]
    else:
        plan[key] = value


PLAN_EDITS: dict[str, PlanEdit] = {
    "add page_view": lambda plan: _event_types(plan).append("page_view"),
    "drop page_view": lambda plan: plan.__setitem__(
        "event-types", [name for name in _event_types(plan) if name != "page_view"]
    ),
    "rename chapter_visit": lambda plan: _rename_type(plan, "chapter_visit", "page_view"),
    "rename page_view back": lambda plan: _rename_type(plan, "page_view", "chapter_visit"),
    "drop chapters": lambda plan: plan["instrument"].pop("api/chapters.py", None),
    "add chapters": lambda plan: plan["instrument"].setdefault("api/chapters.py", "chapter_visit"),
    "drop ai_blocks": lambda plan: plan["instrument"].pop("api/ai_blocks.py", None),
    "add ai_blocks": lambda plan: plan["instrument"].setdefault(
        "api/ai_blocks.py", "ai_block_used"
    ),
    "chapters logs errors": lambda plan: plan["instrument"].__setitem__(
        "api/chapters.py", "error_event"
    ),
    "chapters captures": lambda plan: plan["instrument"].__setitem__(
        "api/chapters.py", {"event": "chapter_visit", "capture": ["chapter_id"]}
    ),
    "catalog": lambda plan: _toggle(plan, "events", {"chapter_visit": copy.deepcopy(CATALOG)}),
    "api-prefix": lambda plan: _toggle(plan, "api-prefix", "/api/v2/tele"),
    "layer-package": lambda plan: _toggle(plan, "layer-package", "tele"),
    "sink": lambda plan: _toggle(plan, "sink", "opentelemetry"),
    "specs-dir": lambda plan: _toggle(plan, "specs-dir", "docs/specs"),
    "feature": lambda plan: _toggle(plan, "feature", "007-events"),
    "capture-errors": lambda plan: _toggle(plan, "capture-errors", False),
    "redact": lambda plan: _toggle(plan, "redact", ["chapter_id"]),
    "app": lambda plan: _toggle(plan, "app", "app.main:app"),
}

_ROUTE = '''

@router.get("{path}")
def {name}(chapter_id: str) -> dict[str, str]:
    """A route the user added."""
    return {{"id": chapter_id}}
'''

_INCLUDE_CHAPTERS = (
    "from app.api import ai_blocks\n",
    "from app.api import ai_blocks, chapters\n",
    "app.include_router(ai_blocks.router)\n",
    "app.include_router(ai_blocks.router)\napp.include_router(chapters.router)\n",
)


def _handlers(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The module's route handlers: functions decorated with ``@router.<method>(...)``."""
    return [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and any(
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and isinstance(decorator.func.value, ast.Name)
            and decorator.func.value.id == "router"
            for decorator in node.decorator_list
        )
    ]


def _route_of(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, object]:
    """The method and path of a handler's (first) route decorator."""
    decorator = node.decorator_list[0]
    assert isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
    path = decorator.args[0]
    return decorator.func.attr, path.value if isinstance(path, ast.Constant) else None


def _log_calls(node: ast.AST) -> list[ast.Call]:
    return [
        call
        for call in ast.walk(node)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "log"
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "event_logger"
    ]


def _tool_keys(call: ast.Call) -> tuple[str | None, str | None]:
    """The event type and handler of a call generate wrote (``None`` for another call)."""
    if len(call.args) < 2 or not isinstance(call.args[1], ast.Dict):
        return None, None
    context = {
        key.value: value.value
        for key, value in zip(call.args[1].keys, call.args[1].values, strict=True)
        if isinstance(key, ast.Constant) and isinstance(value, ast.Constant)
    }
    event = call.args[0].value if isinstance(call.args[0], ast.Constant) else None
    handler = context.get(_TOOL_KEY)
    return (event, handler) if isinstance(handler, str) else (None, None)


def _planned_event(value: object) -> str:
    return value["event"] if isinstance(value, dict) else str(value)


# The user's own edits of their code (made on the shadow too), one rule drawing among them.
USER_EDITS = (
    "add handler",
    "add hidden handler",
    "add handler first",
    "remove handler",
    "rename handler",
    "edit near include",
    "move chapters",
    "delete routes",
    "restore routes",
    "move backend",
    "git commit",
)


class PlanMachine(RuleBasedStateMachine):
    """A small project (two route modules, one app), its shadow, and the plan between them."""

    def __init__(self) -> None:
        super().__init__()
        self.work = Path(tempfile.mkdtemp(prefix="plan-machine-"))
        self.root = _project(self.work / "p")
        self.shadow = _project(self.work / "s")
        self.plan: Plan = copy.deepcopy(BASE_PLAN)
        self.backend = "backend"
        for root in (self.root, self.shadow):
            self._write_plan(root)
            main = root / self._app("main.py")
            text = main.read_text()
            for old, new in zip(_INCLUDE_CHAPTERS[::2], _INCLUDE_CHAPTERS[1::2], strict=True):
                text = text.replace(old, new)
            main.write_text(text)
        subprocess.run(
            [*_GIT, "init", "-q", f"--separate-git-dir={self.work / 'git'}"],
            cwd=self.root,
            check=True,
            capture_output=True,
        )
        # Files whose generated code the user changed by hand: theirs now, not compared.
        self.touched: set[str] = set()
        self.added = 0
        self.steps: list[str] = []

    def teardown(self) -> None:
        """Whatever the walk, ``remove`` ends it with the user's bytes; the scratch goes."""
        try:
            self.steps.append("(end)")
            self.remove()
        finally:
            shutil.rmtree(self.work, ignore_errors=True)

    # --- helpers -----------------------------------------------------------------------------

    def _app(self, relative: str) -> str:
        """The path (from the root) of ``relative`` in the app package, wherever it is now."""
        return f"{self.backend}/app/{relative}".rstrip("/")

    def _write_plan(self, root: Path) -> None:
        write_config(root / "pyproject.toml", self.plan, project="demo")

    def _tree(self, root: Path) -> dict[str, bytes]:
        return {
            path: data
            for path, data in snapshot(root).items()
            if path != ".git" and not _BACKUP.search(path)
        }

    def _both(self, edit: Callable[[Path], None]) -> None:
        for root in (self.root, self.shadow):
            edit(root)

    def _say(self, what: str, result: Any) -> str:
        return f"{what} ({self.steps}):\n{result.stdout}\n{result.stderr}"

    def _refused(self, result: Any, before: dict[str, bytes] | None) -> None:
        """A refusal (exit 2): one line on stderr, and (``before`` given) nothing written."""
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, self._say("exit 2 not in one line", result)
        if before is not None:
            assert self._tree(self.root) == before, self._say("exit 2 wrote", result)

    def _no_traceback(self, result: Any) -> None:
        assert "Traceback" not in result.stdout + result.stderr, self._say("traceback", result)

    # --- plan changes --------------------------------------------------------------------------

    @rule(name=st.sampled_from(sorted(PLAN_EDITS)))
    def change_plan(self, name: str) -> None:
        """Change the plan; a plan generate refuses (exit 2) is taken back."""
        before_plan = copy.deepcopy(self.plan)
        PLAN_EDITS[name](self.plan)
        if self.plan == before_plan:
            return
        self.steps.append(f"plan: {name}")
        self._write_plan(self.root)
        before = self._tree(self.root)
        check = run("generate", "--root", str(self.root), "--check")
        self._no_traceback(check)
        assert check.exit_code in (0, 1, 2), self._say("check exit", check)
        assert self._tree(self.root) == before, self._say("--check wrote", check)
        if check.exit_code == 2:
            self._refused(check, before)
            self.plan = before_plan
            self._write_plan(self.root)
            self.steps.append("(refused, taken back)")
            event(f"plan refused: {name}")
            return
        self._write_plan(self.shadow)

    # --- the user's own code (project and shadow alike) ---------------------------------------

    @rule(kind=st.sampled_from(USER_EDITS), data=st.data())
    def user_edit(self, kind: str, data: st.DataObject) -> None:
        """The user changes their own code (the shadow too), or commits it."""
        if kind in ("remove handler", "rename handler"):
            names = self._handler_names()
            if names:
                getattr(self, kind.replace(" ", "_"))(data.draw(st.sampled_from(names)))
        elif kind in ("move chapters", "delete routes"):
            getattr(self, kind.replace(" ", "_"))(data.draw(st.booleans()))
        else:
            getattr(self, kind.replace(" ", "_"))()

    def add_handler(self) -> None:
        """The user adds a route to chapters.py."""
        routes = self._routes()
        if not (self.shadow / routes).exists():
            return
        self.added += 1
        name = f"extra_{self.added}"
        self.steps.append(f"add handler {name}")
        route = _ROUTE.format(name=name, path=f"/{name}/{{chapter_id}}/extra")
        self._both(lambda root: _append(root / routes, route))

    def add_hidden_handler(self) -> None:
        """The user adds a route of a method and path an earlier route takes: never called."""
        routes = self._routes()
        if not (self.shadow / routes).exists():
            return
        self.added += 1
        name = f"hidden_{self.added}"
        self.steps.append(f"add hidden handler {name}")
        route = _ROUTE.format(name=name, path="/{chapter_id}")
        self._both(lambda root: _append(root / routes, route))

    def add_handler_first(self) -> None:
        """The user adds a route above the others, right below the router."""
        routes = self._routes()
        if not (self.shadow / routes).exists():
            return
        self.added += 1
        name = f"first_{self.added}"
        self.steps.append(f"add handler {name} first")
        route = _ROUTE.format(name=name, path=f"/{name}/{{chapter_id}}")
        anchor = '")\n'  # the end of `router = APIRouter(prefix="...")`
        self._both(lambda root: _replace(root / routes, anchor, anchor + route.rstrip("\n") + "\n"))

    def remove_handler(self, name: str) -> None:
        """The user deletes a route handler (decorators and all)."""
        self.steps.append(f"remove handler {name}")
        routes = self._routes()
        self._both(lambda root: _cut_function(root / routes, name))

    def rename_handler(self, name: str) -> None:
        """The user renames a route handler."""
        self.added += 1
        new = f"renamed_{self.added}"
        self.steps.append(f"rename handler {name} -> {new}")
        routes = self._routes()
        self._both(lambda root: _replace(root / routes, f"def {name}(", f"def {new}("))

    def edit_near_include(self) -> None:
        """The user adds a line of theirs right before the app's includes."""
        self.steps.append("edit near include")
        anchor = "app.include_router(ai_blocks.router)\n"
        main = self._app("main.py")
        self._both(lambda root: _replace(root / main, anchor, f"app.state.ready = True\n{anchor}"))

    def move_chapters(self, back: bool) -> None:
        """The user moves chapters.py to pages.py (or back), the plan following."""
        old, new = (
            ("api/pages.py", "api/chapters.py") if back else ("api/chapters.py", "api/pages.py")
        )
        source = self.shadow / self._app(old)
        if not source.exists() or (self.shadow / self._app(new)).exists():
            return
        self.steps.append(f"move {old} -> {new}")
        module = (old[4:-3], new[4:-3])

        def move(root: Path) -> None:
            (root / self._app(old)).rename(root / self._app(new))
            _replace(root / self._app("main.py"), f", {module[0]}\n", f", {module[1]}\n")
            _replace(root / self._app("main.py"), f"({module[0]}.router)", f"({module[1]}.router)")

        self._both(move)
        for path in list(self.touched):
            if path.endswith(old):
                self.touched.discard(path)
                self.touched.add(path.replace(old, new))
        instrument = self.plan.setdefault("instrument", {})
        if old in instrument:
            instrument[new] = instrument.pop(old)
            self._write_plan(self.root)
            self._write_plan(self.shadow)

    def delete_routes(self, keep_in_plan: bool) -> None:
        """The user deletes the chapters module (and its include); the plan may still name it."""
        routes = self._routes()
        if not (self.shadow / routes).exists():
            return
        module = Path(routes).stem
        self.steps.append(f"delete {routes}" + (" (still planned)" if keep_in_plan else ""))

        def delete(root: Path) -> None:
            (root / routes).unlink()
            main = root / self._app("main.py")
            _replace(main, f", {module}\n", "\n")
            _replace(main, f"app.include_router({module}.router)\n", "")

        self._both(delete)
        self.touched.discard(routes)
        if not keep_in_plan:
            self.plan.get("instrument", {}).pop(f"api/{module}.py", None)
            self._both(self._write_plan)

    def restore_routes(self) -> None:
        """The user writes the chapters module back (and includes it)."""
        routes = self._app("api/chapters.py")
        if (self.shadow / routes).exists() or (self.shadow / self._app("api/pages.py")).exists():
            return
        self.steps.append("restore chapters.py")

        def restore(root: Path) -> None:
            (root / routes).write_text(CHAPTERS_PY)
            main = root / self._app("main.py")
            _replace(
                main, "from app.api import ai_blocks\n", "from app.api import ai_blocks, chapters\n"
            )
            _replace(
                main,
                "app.include_router(ai_blocks.router)\n",
                "app.include_router(ai_blocks.router)\napp.include_router(chapters.router)\n",
            )

        self._both(restore)

    def move_backend(self) -> None:
        """The user moves the backend folder (``backend`` <-> ``srv``), the plan following."""
        new = "srv" if self.backend == "backend" else "backend"
        self.steps.append(f"move {self.backend} -> {new}")
        old = self.backend
        self._both(lambda root: (root / old).rename(root / new))
        self.touched = {
            f"{new}/{path[len(old) + 1 :]}" if path.startswith(f"{old}/") else path
            for path in self.touched
        }
        self.backend = new
        if new == "backend":
            self.plan.pop("backend", None)
        else:
            self.plan["backend"] = new
        self._both(self._write_plan)

    def edit_layer(self) -> None:
        """The user edits a generated module of the layer by hand."""
        layer = self.plan.get("layer-package", "analytics")
        path = self.root / self._app(f"{layer}/event_logger.py")
        if not path.exists():
            return
        self.steps.append(f"edit {layer}/event_logger.py")
        _append(path, "# mine\n")
        self.touched.add(path.relative_to(self.root).as_posix())

    # --- hand edits of what generate wrote (the project only) ---------------------------------

    def _inserted_call_file(self) -> Path | None:
        for relative in (
            self._app("api/chapters.py"),
            self._app("api/pages.py"),
            self._app("api/ai_blocks.py"),
        ):
            path = self.root / relative
            if path.exists() and '"handler": ' in path.read_text():
                return path
        return None

    @rule(how=st.sampled_from(["delete", "retype", "block type", "try", "if", "layer"]))
    def edit_generated(self, how: str) -> None:
        """The user changes, moves or deletes a call generate wrote, or edits the layer."""
        if how == "layer":
            self.edit_layer()
            return
        path = self._inserted_call_file()
        if path is None:
            return
        relative = path.relative_to(self.root).as_posix()
        self.steps.append(f"{how} the call in {relative}")
        text = path.read_text()
        top_level = re.search(r"\n    event_logger\.log\(\n", text) is not None
        if how == "delete":
            if not top_level:
                return  # a block of the user's would be left empty
            lines = text.splitlines(keepends=True)
            start = next(at for at, line in enumerate(lines) if line == "    event_logger.log(\n")
            end = next(at for at in range(start, len(lines)) if lines[at] == "    )\n")
            del lines[start : end + 1]
            path.write_text("".join(lines))
        elif how == "retype":
            path.write_text(re.sub(r'(\.log\(\n\s+)"\w+"', r'\1"error_event"', text, count=1))
        elif how == "block type":
            path.write_text(re.sub(r'"block_type": "\w+"', '"block_type": "mine"', text, count=1))
        elif next(line for line in text.splitlines() if ".log(" in line) == "    event_logger.log(":
            # _wrap_call wraps the first call: only one at the top of its handler.
            closing = "except Exception:\n    pass" if how == "try" else ""
            _wrap_call(path, f"{how} True:" if how == "if" else "try:", closing)
        else:
            return
        self.touched.add(relative)

    def git_commit(self) -> None:
        """The user commits the state."""
        self.steps.append("git commit")
        for args in (("add", "-A"), ("commit", "-q", "--no-verify", "--allow-empty", "-m", "s")):
            subprocess.run([*_GIT, *args], cwd=self.root, check=True, capture_output=True)

    # --- commands ----------------------------------------------------------------------------

    @rule(diff=st.booleans())
    def generate(self, diff: bool) -> None:
        """``--check`` (``--diff``), ``generate``: they agree; a second run writes nothing."""
        self.steps.append("generate" + (" --diff" if diff else ""))
        before = self._tree(self.root)
        check = run("generate", "--root", str(self.root), "--check")
        self._no_traceback(check)
        assert self._tree(self.root) == before, self._say("--check wrote", check)
        applied = self.work / "applied"
        if diff:
            shown = run("generate", "--root", str(self.root), "--diff")
            self._no_traceback(shown)
            assert self._tree(self.root) == before, self._say("--diff wrote", shown)
            shutil.rmtree(applied, ignore_errors=True)
            shutil.copytree(self.root, applied, ignore=shutil.ignore_patterns(".git"))
            if "\n+++ " in shown.stdout:
                patched = apply_diff(shown.stdout_bytes, applied)
                assert patched.returncode == 0, self._say(f"--diff: {patched.stdout!r}", shown)
        result = run("generate", "--root", str(self.root))
        self._no_traceback(result)
        event(f"generate exit {result.exit_code}, --check exit {check.exit_code}")
        after = self._tree(self.root)
        if check.exit_code == 2 or result.exit_code == 2:
            # A plan this code cannot take (a planned module deleted): said, nothing written.
            assert check.exit_code == result.exit_code == 2, self._say("exit 2 of one", result)
            self._refused(result, before)
            return
        assert result.exit_code in (0, 1), self._say("generate exit", result)
        changed = [path for path in changed_files(before, after) if path != MANIFEST]
        if check.exit_code == 0:
            assert result.exit_code == 0 and not changed, self._say(
                f"--check green, {changed}", result
            )
        else:
            assert changed or result.exit_code == 1, self._say(
                "--check red, nothing changed", check
            )
        if diff and result.exit_code == 0:
            shown_files = self._tree(applied)
            different = [p for p in changed_files(shown_files, after) if p != MANIFEST]
            assert not different, self._say(f"--diff is not what was written: {different}", result)
        again = run("generate", "--root", str(self.root))
        self._no_traceback(again)
        assert again.exit_code == result.exit_code, self._say("second generate exit", again)
        assert self._tree(self.root) == after, self._say(
            f"second generate changed {changed_files(after, self._tree(self.root))}", again
        )
        recheck = run("generate", "--root", str(self.root), "--check")
        assert recheck.exit_code == result.exit_code, self._say("--check after generate", recheck)
        if result.exit_code == 0:
            self._assert_follows_plan()

    @rule(which=st.sampled_from(["generate --force", "remove", "init"]))
    def other_command(self, which: str) -> None:
        """The other commands: ``generate --force``, ``remove``, ``init``."""
        getattr(
            self, {"generate --force": "generate_force", "init": "init_refuses"}.get(which, which)
        )()

    def generate_force(self) -> None:
        """``generate --force`` takes every hand edit of generated code; then all is green."""
        self.steps.append("generate --force")
        result = run("generate", "--root", str(self.root), "--force")
        self._no_traceback(result)
        event(f"generate --force exit {result.exit_code}")
        if result.exit_code == 2:
            self._refused(result, None)
            return
        if result.exit_code == 0:
            # --force replaces what generate wrote; a call the user made theirs stays theirs.
            check = run("generate", "--root", str(self.root), "--check")
            assert check.exit_code == 0, self._say("--check after --force", check)
            self._assert_follows_plan()

    def remove(self) -> None:
        """``remove`` gives back the user's own bytes; a second one changes nothing."""
        self.steps.append("remove")
        result = run("remove", "--root", str(self.root))
        self._no_traceback(result)
        once = self._tree(self.root)
        event(f"remove exit {result.exit_code}")
        if result.exit_code == 2:
            self._refused(result, None)
            return
        assert result.exit_code in (0, 1), self._say("remove exit", result)
        again = run("remove", "--root", str(self.root))
        self._no_traceback(again)
        assert self._tree(self.root) == once, self._say(
            f"second remove changed {changed_files(once, self._tree(self.root))}", again
        )
        theirs = self._tree(self.shadow)
        left = [
            path
            for path in changed_files(once, theirs)
            if path not in self.touched and path != MANIFEST
        ]
        if result.exit_code == 0 or not self.touched:
            assert not left, self._say(f"remove left {left}", result)

    def init_refuses(self) -> None:
        """``init`` on a root with a plan refuses (exit 2) and writes nothing."""
        before = self._tree(self.root)
        result = run("init", "--root", str(self.root))
        self._no_traceback(result)
        assert result.exit_code == 2, self._say("init exit", result)
        assert self._tree(self.root) == before

    # --- invariants ----------------------------------------------------------------------------

    @invariant()
    def modules_compile(self) -> None:
        """Every Python module of the project parses."""
        for path in (self.root / self.backend).rglob("*.py"):
            ast.parse(path.read_bytes(), filename=str(path))

    def _routes(self) -> str:
        """Where chapters.py is now (the user may have moved it to pages.py)."""
        pages = self._app("api/pages.py")
        return pages if (self.shadow / pages).exists() else self._app("api/chapters.py")

    def _handler_names(self) -> list[str]:
        path = self.shadow / self._routes()
        if not path.exists():
            return []
        return [node.name for node in _handlers(ast.parse(path.read_text()))]

    def _assert_follows_plan(self) -> None:
        """After a green generate: every call generate wrote is one the plan asks for, once."""
        instrument = {
            self._app(module): _planned_event(value)
            for module, value in self.plan.get("instrument", {}).items()
        }
        for path in sorted((self.root / self._app("")).rglob("*.py")):
            relative = path.relative_to(self.root).as_posix()
            tree = ast.parse(path.read_bytes())
            handlers = {node.name: node for node in _handlers(tree)}
            # A call the user changed by hand (retyped in a block of theirs) is their own.
            theirs = relative in self.touched
            for call in _log_calls(tree):
                event, handler = _tool_keys(call)
                if handler is None or (theirs and event != instrument.get(relative)):
                    continue
                assert relative in instrument, f"{relative}: a call left ({self.steps})"
                assert event == instrument[relative], f"{relative}: logs {event} ({self.steps})"
                assert handler in handlers, f"{relative}: call of {handler} ({self.steps})"
                assert call in _log_calls(handlers[handler]), f"{relative}: {handler} moved"
            if relative in instrument:
                # A route of a method and path an earlier one takes is never called: no call.
                taken: set[tuple[str, object]] = set()
                for name, node in handlers.items():
                    route = _route_of(node)
                    count = sum(
                        _tool_keys(call)[0] == instrument[relative] or not theirs
                        for call in _log_calls(node)
                    )
                    expected = 0 if route in taken else 1
                    taken.add(route)
                    assert count == expected, f"{relative}: {name} logs {count} ({self.steps})"
        main = (self.root / self._app("main.py")).read_text()
        assert main.count(".include_router(telemetry_router)") == 1, f"{main} ({self.steps})"
        hooks = main.count("install_error_capture(app)")
        assert hooks == int(self.plan.get("capture-errors", True)), f"{main} ({self.steps})"
        layer = self.plan.get("layer-package", "analytics")
        for logger in self.root.rglob("event_logger.py"):
            assert logger.parent.name == layer, f"{logger} left ({self.steps})"
        specs = self.root / self.plan.get("specs-dir", "specs")
        feature = specs / self.plan.get("feature", "059-analytics-telemetry")
        for spec in self.root.rglob("spec.md"):
            assert spec.parent == feature, f"{spec} left ({self.steps})"
        config = tomllib.loads((self.root / "pyproject.toml").read_text())
        assert config["tool"]["telemetry-scaffold"] == self.plan


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    if old in text:
        path.write_text(text.replace(old, new, 1))


def _cut_function(path: Path, name: str) -> None:
    """Delete the function ``name`` of ``path``, its decorators and the blank lines before it."""
    text = path.read_text()
    node = next(node for node in _handlers(ast.parse(text)) if node.name == name)
    lines = text.splitlines(keepends=True)
    start = min(decorator.lineno for decorator in node.decorator_list) - 1
    end = node.end_lineno or start
    while start > 0 and not lines[start - 1].strip():
        start -= 1
    del lines[start:end]
    path.write_text("".join(lines))


PlanMachine.TestCase.settings = settings(
    max_examples=int(_EXAMPLES) if _EXAMPLES else 5,
    stateful_step_count=30 if _EXAMPLES else 12,
    deadline=None,
    derandomize=not _EXAMPLES,
    suppress_health_check=list(HealthCheck),
    # A long search reports its failing walk as found: shrinking one takes many minutes.
    phases=[phase for phase in Phase if phase is not Phase.shrink or not _EXAMPLES],
)
test_the_plan_both_ways_through_random_walks = PlanMachine.TestCase
