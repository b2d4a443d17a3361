"""Every plan change, both ways, on three project shapes: the plan is the truth.

For each transition A -> B on a project generated from plan A: ``--check`` fails before the next
``generate`` and passes after it, a second ``generate`` writes nothing, the tree is byte for byte
what one ``generate`` from B makes of the sources, and no file still names what B dropped (an
event type, a property, a prefix, a module path). Then B -> A the same way, back to the very bytes
A had, and ``remove`` gives back the original tree (files and folders) byte for byte.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomlkit

from tests.cli_support import run, snapshot
from tests.corpus_support import CORPUS
from tests.plan_sequence_support import bundled_plan, original_sources

Plan = dict[str, Any]
Edit = Callable[[Path], None]

MANIFEST = ".telemetry-scaffold.json"


def _set_plan(root: Path, plan: Plan) -> None:
    """Make ``plan`` the ``[tool.telemetry-scaffold]`` table, the rest of the file kept."""
    config = root / "pyproject.toml"
    document = tomlkit.parse(config.read_text())
    tool = document.setdefault("tool", tomlkit.table(is_super_table=True))
    tool["telemetry-scaffold"] = copy.deepcopy(plan)
    config.write_text(tomlkit.dumps(document))


def _tree(root: Path) -> tuple[dict[str, bytes], frozenset[str]]:
    """Every file by its bytes, and every folder (an empty one left behind is stale too)."""
    folders = frozenset(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_dir() and "__pycache__" not in path.parts
    )
    return snapshot(root), folders


def _rename(old: str, new: str) -> Edit:
    def edit(root: Path) -> None:
        (root / new).parent.mkdir(parents=True, exist_ok=True)
        (root / old).rename(root / new)

    return edit


def _replace(path: str, old: str, new: str) -> Edit:
    def edit(root: Path) -> None:
        file = root / path
        text = file.read_text()
        assert old in text, (path, old)
        file.write_text(text.replace(old, new))

    return edit


def _all(*edits: Edit) -> Edit:
    def edit(root: Path) -> None:
        for one in edits:
            one(root)

    return edit


@dataclass(frozen=True)
class Shape:
    """A project shape and where its plan can be changed."""

    name: str
    make: Callable[[Path], Path]
    plan: Plan
    rename: str  # an instrumented declared event
    note: tuple[str, str]  # an event and a declared property nothing captures
    retype: tuple[str, str]  # an event and a captured string property
    retype_refused: str | None  # the handler `generate` names when its source is not an integer
    move: tuple[str, str, Edit, Edit]  # instrument key, new key, the move and its undo
    relocate: tuple[Plan, Edit, Edit, tuple[str, ...]]  # plan keys, move, undo, dropped tokens


def _bundled(target: Path) -> Path:
    return original_sources(target)


def _corpus(case: str) -> Callable[[Path], Path]:
    def make(target: Path) -> Path:
        shutil.copytree(CORPUS / case, target, ignore=shutil.ignore_patterns("expected.toml"))
        return target

    return make


NOTE = {"type": "string", "required": False, "description": "A note nobody captures."}


def _bundled_plan() -> Plan:
    plan = bundled_plan()
    plan["events"]["chapter_visit"]["properties"]["reading_note"] = dict(NOTE)
    # Listed, not left to the default: a renamed event must leave the list.
    plan["event-types"] = ["ai_block_used", "chapter_visit", "error_event"]
    return plan


SHAPES = [
    Shape(
        name="bundled",
        make=_bundled,
        plan=_bundled_plan(),
        rename="chapter_visit",
        note=("chapter_visit", "reading_note"),
        retype=("chapter_visit", "chapter_id"),
        retype_refused="get_chapter",
        move=(
            "api/chapters.py",
            "api/pages.py",
            _all(
                _rename("backend/app/api/chapters.py", "backend/app/api/pages.py"),
                _replace("backend/app/main.py", "ai_blocks, chapters", "ai_blocks, pages"),
                _replace("backend/app/main.py", "chapters.router", "pages.router"),
            ),
            _all(
                _rename("backend/app/api/pages.py", "backend/app/api/chapters.py"),
                _replace("backend/app/main.py", "ai_blocks, pages", "ai_blocks, chapters"),
                _replace("backend/app/main.py", "pages.router", "chapters.router"),
            ),
        ),
        relocate=(
            {"backend": "server"},
            _rename("backend", "server"),
            _rename("server", "backend"),
            ("backend/app",),
        ),
    ),
    Shape(
        name="flat-layout",
        make=_corpus("flat-layout-at-root"),
        plan={
            "backend": ".",
            "app-package": "",
            "event-types": ["todo_viewed", "user_viewed", "error_event"],
            "instrument": {
                "routers/todos.py": {"event": "todo_viewed"},
                "routers/users.py": {"event": "user_viewed", "capture": ["username"]},
            },
            "events": {
                "todo_viewed": {"properties": {"todo_note": dict(NOTE)}},
                "user_viewed": {
                    "description": "A user's page was opened.",
                    "properties": {"username": {"type": "string"}},
                },
            },
        },
        rename="user_viewed",
        note=("todo_viewed", "todo_note"),
        retype=("user_viewed", "username"),
        retype_refused="get_user",
        move=(
            "routers/users.py",
            "routers/people.py",
            _all(
                _rename("routers/users.py", "routers/people.py"),
                _replace("main.py", "import todos, users", "import todos, people"),
                _replace("main.py", "users.router", "people.router"),
            ),
            _all(
                _rename("routers/people.py", "routers/users.py"),
                _replace("main.py", "import todos, people", "import todos, users"),
                _replace("main.py", "people.router", "users.router"),
            ),
        ),
        relocate=(
            {"backend": "service"},
            _all(
                _rename("main.py", "service/main.py"),
                _rename("settings.py", "service/settings.py"),
                _rename("routers", "service/routers"),
            ),
            _all(
                _rename("service/main.py", "main.py"),
                _rename("service/settings.py", "settings.py"),
                _rename("service/routers", "routers"),
            ),
            (),
        ),
    ),
    Shape(
        name="src-layout",
        make=_corpus("src-layout"),
        plan={
            "backend": "src",
            "app-package": "ledger",
            "event-types": ["invoice_viewed", "customer_viewed", "error_event"],
            "instrument": {
                "routers/invoices.py": {"event": "invoice_viewed", "capture": ["invoice_id"]},
                "routers/customers.py": {"event": "customer_viewed", "capture": ["customer_id"]},
            },
            "events": {
                "invoice_viewed": {
                    "properties": {
                        "invoice_id": {"type": "string"},
                        "invoice_note": dict(NOTE),
                    }
                },
                "customer_viewed": {
                    "properties": {"customer_id": {"type": "string", "required": False}}
                },
            },
        },
        rename="invoice_viewed",
        note=("invoice_viewed", "invoice_note"),
        retype=("invoice_viewed", "invoice_id"),
        retype_refused=None,
        move=(
            "routers/customers.py",
            "routers/clients.py",
            _all(
                _rename("src/ledger/routers/customers.py", "src/ledger/routers/clients.py"),
                _replace("src/ledger/main.py", "customers, invoices", "clients, invoices"),
                _replace("src/ledger/main.py", "customers.router", "clients.router"),
            ),
            _all(
                _rename("src/ledger/routers/clients.py", "src/ledger/routers/customers.py"),
                _replace("src/ledger/main.py", "clients, invoices", "customers, invoices"),
                _replace("src/ledger/main.py", "clients.router", "customers.router"),
            ),
        ),
        relocate=(
            {"app-package": "books"},
            _all(
                _rename("src/ledger", "src/books"),
                _replace("src/books/main.py", "from ledger.", "from books."),
            ),
            _all(
                _rename("src/books", "src/ledger"),
                _replace("src/ledger/main.py", "from books.", "from ledger."),
            ),
            ("ledger/analytics", "ledger.analytics"),
        ),
    ),
]


@dataclass
class Transition:
    """Plan B, the hand edits that go with it (and their undo), and what each side drops."""

    plan: Plan
    edit: Edit | None = None
    undo: Edit | None = None
    dropped: tuple[str, ...] = ()  # A has them, B must not
    added: tuple[str, ...] = ()  # B has them, A must not
    refused: str | None = None  # `generate` refuses B, naming this


def _instrumented_keys(plan: Plan, event: str) -> list[str]:
    return [
        key
        for key, value in plan["instrument"].items()
        if (value if isinstance(value, str) else value["event"]) == event
    ]


def _rename_event(shape: Shape) -> Transition:
    plan = copy.deepcopy(shape.plan)
    old, new = shape.rename, "renamed_visit"
    plan["event-types"] = [new if name == old else name for name in plan["event-types"]]
    plan["events"][new] = plan["events"].pop(old)
    for key in _instrumented_keys(plan, old):
        plan["instrument"][key]["event"] = new
    camel = "".join(part.title() for part in old.split("_"))
    return Transition(plan, dropped=(old, camel), added=(new, "RenamedVisit"))


def _drop_property(shape: Shape) -> Transition:
    plan = copy.deepcopy(shape.plan)
    event, name = shape.note
    del plan["events"][event]["properties"][name]
    return Transition(plan, dropped=(name,))


def _retype_property(shape: Shape) -> Transition:
    plan = copy.deepcopy(shape.plan)
    event, name = shape.retype
    declared = plan["events"][event]["properties"][name]
    for setting in ("min-length", "max-length", "enum"):
        declared.pop(setting, None)
    declared["type"] = "integer"
    return Transition(plan, refused=shape.retype_refused)


def _move_module(shape: Shape) -> Transition:
    plan = copy.deepcopy(shape.plan)
    old, new, edit, undo = shape.move
    plan["instrument"] = {
        (new if key == old else key): value for key, value in plan["instrument"].items()
    }
    return Transition(plan, edit, undo, dropped=(old,), added=(new,))


def _drop_modules(shape: Shape) -> Transition:
    plan = copy.deepcopy(shape.plan)
    dropped = tuple(plan["instrument"])
    plan["instrument"] = {}
    return Transition(plan, dropped=dropped)


def _api_prefix(shape: Shape) -> Transition:
    plan = copy.deepcopy(shape.plan)
    plan["api-prefix"] = "/v9/usage-metrics"
    return Transition(plan, dropped=("/api/telemetry",), added=("/v9/usage-metrics",))


def _sink(shape: Shape) -> Transition:
    plan = copy.deepcopy(shape.plan)
    plan["sink"] = "opentelemetry"
    return Transition(plan, added=("opentelemetry_sink", "OpenTelemetrySink"))


def _feature(shape: Shape) -> Transition:
    plan = copy.deepcopy(shape.plan)
    plan["feature"] = "101-usage-metrics"
    plan["specs-dir"] = "docs/features"
    return Transition(plan, dropped=("059-analytics-telemetry",), added=("101-usage-metrics",))


def _relocate(shape: Shape) -> Transition:
    plan = copy.deepcopy(shape.plan)
    keys, edit, undo, dropped = shape.relocate
    plan.update(keys)
    return Transition(plan, edit, undo, dropped=dropped)


def _capture_errors(shape: Shape) -> Transition:
    plan = copy.deepcopy(shape.plan)
    plan["capture-errors"] = False
    return Transition(plan, dropped=("install_error_capture", "error_capture.py"))


def _redact(shape: Shape) -> Transition:
    plan = copy.deepcopy(shape.plan)
    plan["redact"] = ["internal-ticket", "shelf.secret_code"]
    return Transition(plan, added=("internal-ticket", "shelf.secret_code"))


def _grow_events(shape: Shape) -> Transition:
    plan = copy.deepcopy(shape.plan)
    plan["events"]["quiz_completed"] = {
        "description": "A reader finished a quiz.",
        "properties": {
            "score": {"type": "number", "minimum": 0, "maximum": 1},
            "grade": {"type": "string", "enum": ["pass", "fail"]},
        },
    }
    return Transition(plan, added=("quiz_completed", "QuizCompleted"))


def _shrink_event_types(shape: Shape) -> Transition:
    plan = copy.deepcopy(shape.plan)
    plan["event-types"] = [*plan["event-types"], "shelf_browsed"]
    return Transition(plan, added=("shelf_browsed",))


TRANSITIONS: dict[str, Callable[[Shape], Transition]] = {
    "rename-event": _rename_event,
    "drop-property": _drop_property,
    "retype-captured-property": _retype_property,
    "move-route-module": _move_module,
    "drop-all-route-modules": _drop_modules,
    "api-prefix": _api_prefix,
    "sink": _sink,
    "feature-and-specs-dir": _feature,
    "analytics-package-path": _relocate,
    "capture-errors-off": _capture_errors,
    "redact": _redact,
    "declare-an-event": _grow_events,
    "add-an-event-type": _shrink_event_types,
}


def _mentions(files: dict[str, bytes], tokens: tuple[str, ...]) -> list[str]:
    """``file: token`` for every generated or user file (the plan aside) naming a token."""
    return [
        f"{path}: {token}"
        for path, data in files.items()
        for token in tokens
        if path != "pyproject.toml" and token.encode() in data
    ]


def _differ(one: dict[str, bytes], other: dict[str, bytes]) -> list[str]:
    """The paths whose bytes differ, or that are on one side only."""
    return sorted(path for path in set(one) | set(other) if one.get(path) != other.get(path))


def _step(root: Path, plan: Plan, edit: Edit | None, reference: Path | None) -> list[str]:
    """Change the plan (and the sources), generate, and say what broke an invariant."""
    problems: list[str] = []
    _set_plan(root, plan)
    if edit is not None:
        edit(root)
    check = run("generate", "--root", str(root), "--check")
    if check.exit_code != 1:
        problems.append(f"--check before generate exited {check.exit_code}: {check.stdout}")
    result = run("generate", "--root", str(root))
    if result.exit_code != 0:
        return [*problems, f"generate exited {result.exit_code}: {result.stdout}{result.stderr}"]
    after = _tree(root)
    again = run("generate", "--root", str(root))
    if again.exit_code != 0 or _tree(root) != after:
        problems.append(f"a second generate was not a no-op: {again.stdout}")
    check = run("generate", "--root", str(root), "--check")
    if check.exit_code != 0:
        problems.append(f"--check after generate exited {check.exit_code}: {check.stdout}")
    if reference is not None:
        _set_plan(reference, plan)
        if edit is not None:
            edit(reference)
        fresh = run("generate", "--root", str(reference))
        assert fresh.exit_code == 0, fresh.stdout
        files, folders = _tree(reference)
        differ = _differ(files, after[0])
        if differ:
            problems.append(f"not what one generate from the plan writes: {differ}")
        if folders != after[1]:
            problems.append(f"folders differ from a fresh generate: {folders ^ after[1]}")
    return problems


@pytest.fixture(scope="module", params=SHAPES, ids=[shape.name for shape in SHAPES])
def shape_sources(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Shape, Path]:
    """The shape, and its sources before telemetry-scaffold with plan A."""
    shape: Shape = request.param
    root = shape.make(tmp_path_factory.mktemp(shape.name) / "project")
    _set_plan(root, shape.plan)
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    return shape, root


# Without the manifest, nothing records where the layer and the documents were: a plan that
# moves them (or a package renamed with the layer inside) cannot be followed, so those
# transitions run with the manifest only. Every other one must need no manifest at all.
NEEDS_THE_RECORD = frozenset({"feature-and-specs-dir", "analytics-package-path"})
CASES = [(name, "kept") for name in sorted(TRANSITIONS)] + [
    (name, "lost") for name in sorted(TRANSITIONS) if name not in NEEDS_THE_RECORD
]


@pytest.mark.parametrize(("name", "manifest"), CASES)
def test_a_plan_change_and_its_reverse_leave_nothing_stale(
    shape_sources: tuple[Shape, Path], tmp_path: Path, name: str, manifest: str
) -> None:
    shape, sources = shape_sources
    transition = TRANSITIONS[name](shape)
    pristine = _tree(sources)
    root = tmp_path / "project"
    shutil.copytree(sources, root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout
    generated_a = _tree(root)
    # What B drops must be in A's tree (else the grep below proves nothing), and not in the
    # sources themselves.
    for tokens, files in ((transition.dropped, generated_a[0]),):
        for token in tokens:
            assert _mentions(files, (token,)), f"{token!r} is not in A's tree"
    assert not _mentions(pristine[0], transition.dropped + transition.added)

    if transition.refused is not None:
        _set_plan(root, transition.plan)
        assert run("generate", "--root", str(root), "--check").exit_code != 0
        result = run("generate", "--root", str(root))
        assert result.exit_code != 0
        output = result.stdout + result.stderr
        lines = [line for line in output.splitlines() if transition.refused in line]
        assert lines, output
        # The call was left as it was, and the next run still says so.
        assert run("generate", "--root", str(root), "--check").exit_code == 1
        assert run("generate", "--root", str(root)).exit_code == 1
        # Back to A: one generate, and the tree is A's again.
        _set_plan(root, shape.plan)
        assert run("generate", "--root", str(root)).exit_code == 0
        assert _tree(root) == generated_a
        return

    if manifest == "lost":
        # Deleted (not committed, say): each generated file's own digest tells it unedited.
        (root / MANIFEST).unlink()
    reference = tmp_path / "reference"
    shutil.copytree(sources, reference)
    problems = _step(root, transition.plan, transition.edit, reference)
    problems.extend(f"B still names {hit}" for hit in _mentions(snapshot(root), transition.dropped))
    assert not problems, "A -> B:\n" + "\n".join(problems)
    assert not _mentions(snapshot(root), transition.dropped)
    for token in transition.added:
        assert _mentions(snapshot(root), (token,)), f"{token!r} is not in B's tree"

    problems = _step(root, shape.plan, transition.undo, None)
    problems.extend(f"A still names {hit}" for hit in _mentions(snapshot(root), transition.added))
    assert not problems, "B -> A:\n" + "\n".join(problems)
    back = _tree(root)
    differ = _differ(back[0], generated_a[0])
    assert not differ, f"B -> A is not the tree A had: {differ}"
    assert back[1] == generated_a[1], back[1] ^ generated_a[1]

    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 0, removed.stdout + removed.stderr
    final = _tree(root)
    differ = _differ(final[0], pristine[0])
    assert not differ, f"remove did not give back the sources: {differ}"
    assert final[1] == pristine[1], final[1] ^ pristine[1]


@pytest.mark.parametrize("name", ["api-prefix", "rename-event", "capture-errors-off", "sink"])
def test_remove_without_the_manifest_after_a_plan_change_gives_back_the_sources(
    shape_sources: tuple[Shape, Path], tmp_path: Path, name: str
) -> None:
    # Every generated file differs from what the changed plan renders: without the manifest,
    # only its own digest says that it is the tool's, unedited.
    shape, sources = shape_sources
    transition = TRANSITIONS[name](shape)
    root = tmp_path / "project"
    shutil.copytree(sources, root)
    pristine = _tree(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    (root / MANIFEST).unlink()
    _set_plan(root, transition.plan)
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 0, removed.stdout
    _set_plan(root, shape.plan)
    final = _tree(root)
    assert not _differ(final[0], pristine[0]), _differ(final[0], pristine[0])
    assert final[1] == pristine[1]
