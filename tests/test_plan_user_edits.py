"""Random plan walks with users' edits of the inserted lines between the plan changes.

The reference of :mod:`tests.test_plan_sequences` is a fresh ``generate`` of the same plan on
the pristine project, so it cannot replay a user's edit of the lines the tool inserted. Here
each kind of edit has its rule, asserted at the step after it:

- reformatted (one line, or wrapped with a trailing comma), moved import, renamed logger
  (``import event_logger as tel``): still the tool's (a reformatted call is laid out again
  as generate writes it, as after a change of the formatter's settings). The project stays
  what a fresh generate writes, compared as syntax (layer imports as a set, the logger's
  alias read as its name). ``remove`` takes them out; of a moved import, the blank line
  generate wrote beside it stays where it was (nothing tells it from the user's own), so
  blank lines are not compared there; nor where the user put an import or comment lines of
  their own next to the inserted import (the blank line generate wrote may then set the
  user's lines apart, and stay).
- a deleted call: ``--check`` red; ``generate`` puts it back.
- a key added to a payload with a value of the user's own: the call is the user's now. It is
  never taken out nor rewritten, whatever the plan, by ``generate`` or ``remove``; when the
  plan would change or drop it, ``--check`` is red and ``generate`` exits 1 naming it. (The user
  then takes the key out again, and the next ``generate`` brings the call up to date.)
- a comment of the user's in a call (on one of its lines, a noqa comment too, or a line of its
  own among the arguments): the call is the user's now, as with a key of theirs. It is
  never taken out nor rewritten, and the comment stays; then it goes again.
- a commented-out call: the user's text, never updated nor taken out; the handler logs
  nothing, so (as for a deleted call) ``--check`` is red and ``generate`` puts a call in.
- lines of the user's next to inserted ones (comments, statements), and CRLF line endings: the
  user's. They stay through every step, and ``remove`` gives back the pristine bytes with them
  (in CRLF).

Every step also keeps the invariants of :func:`tests.plan_sequence_support.generate_step`
(``--check`` red exactly when ``generate`` changes something, a second ``generate`` writes
nothing; ``--diff`` is what it writes, at the last step). ``PLAN_EDIT_SEED`` picks another
seed, ``PLAN_EDIT_WALKS`` how many walks; the seed is printed.
"""

from __future__ import annotations

import ast
import copy
import difflib
import json
import os
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli_support import run, snapshot
from tests.plan_sequence_support import (
    MANIFEST,
    Plan,
    bundled_plan,
    changed_files,
    generate_step,
    original_sources,
    write_plan,
)

APP = "backend/app"
MODULES = (f"{APP}/api/chapters.py", f"{APP}/api/ai_blocks.py")
MARK = "# mine:"
BASE = bundled_plan()


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled project's sources before telemetry-scaffold."""
    return original_sources(tmp_path_factory.mktemp("original") / "project")


def _optional_chapter_id(plan: Plan, event: str) -> None:
    plan["events"][event]["properties"]["chapter_id"]["required"] = False


_PLAN_EDITS: dict[str, Callable[[Plan], None]] = {
    "chapters logs error_event": lambda plan: plan["instrument"].__setitem__(
        "api/chapters.py", "error_event"
    ),
    "drop chapters": lambda plan: plan["instrument"].pop("api/chapters.py", None),
    "drop ai_blocks": lambda plan: plan["instrument"].pop("api/ai_blocks.py", None),
    "chapters captures nothing": lambda plan: (
        _optional_chapter_id(plan, "chapter_visit"),
        plan["instrument"].__setitem__(
            "api/chapters.py", {"event": "chapter_visit", "capture": []}
        ),
    ),
    "api-prefix": lambda plan: plan.__setitem__("api-prefix", "/api/v2/telemetry"),
    "sink opentelemetry": lambda plan: plan.__setitem__("sink", "opentelemetry"),
    "capture-errors off": lambda plan: plan.__setitem__("capture-errors", False),
    "layer-package telemetry": lambda plan: plan.__setitem__("layer-package", "telemetry"),
    "extra event type": lambda plan: plan.__setitem__(
        "event-types", ["ai_block_used", "chapter_visit", "error_event", "quiz_done"]
    ),
    # A second name: the layer renamed twice in a row, or back, under the user's edits.
    "layer-package tracking": lambda plan: plan.__setitem__("layer-package", "tracking"),
    "specs-dir": lambda plan: plan.__setitem__("specs-dir", "docs/specs"),
    # The captured keys of the inserted calls shrink, or the module logs an event declared now.
    "ai_blocks captures nothing": lambda plan: (
        _optional_chapter_id(plan, "ai_block_used"),
        plan["instrument"].__setitem__("api/ai_blocks.py", {"event": "ai_block_used"}),
    ),
    "chapters logs page_open": lambda plan: (
        plan["events"].__setitem__(
            "page_open",
            {
                "description": "A reader opened a page.",
                "properties": {"chapter_id": {"type": "string"}},
            },
        ),
        plan["instrument"].__setitem__(
            "api/chapters.py", {"event": "page_open", "capture": ["chapter_id"]}
        ),
    ),
}


def _random_plan(rng: random.Random) -> tuple[list[str], Plan]:
    names = sorted(rng.sample(sorted(_PLAN_EDITS), rng.randint(0, 3)))
    plan = copy.deepcopy(BASE)
    for name in names:
        _PLAN_EDITS[name](plan)
    return names, plan


# --- reading the inserted lines --------------------------------------------------------------


def _logger_names(tree: ast.Module) -> dict[str, str]:
    """The names the module binds to the layer's objects, mapped to the objects' own names."""
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and _is_layer_import(node):
            for alias in node.names:
                names[alias.asname or alias.name] = alias.name
    return names


def _is_layer_import(node: ast.ImportFrom) -> bool:
    module = node.module or ""
    return module.rpartition(".")[2] in ("event_logger", "telemetry_router", "error_capture")


def _log_calls(text: str) -> list[ast.stmt]:
    """The ``<logger>.log(...)`` statements of the module's functions, in order."""
    tree = ast.parse(text)
    loggers = {name for name, real in _logger_names(tree).items() if real == "event_logger"}
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and node.value.func.attr == "log"
        and isinstance(node.value.func.value, ast.Name)
        and node.value.func.value.id in loggers
    ]


def _normal(text: str) -> str:
    """The module as syntax: layer imports as a sorted set, aliases read as the real names.

    The user's own lines (marked) are left out: the fresh reference does not have them.
    """
    tree = ast.parse("\n".join(line for line in text.splitlines() if MARK not in line))
    names = _logger_names(tree)
    imports = sorted(
        f"{node.level}:{node.module}:{sorted(alias.name for alias in node.names)}"
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and _is_layer_import(node)
    )
    tree.body = [
        node
        for node in tree.body
        if not (isinstance(node, ast.ImportFrom) and _is_layer_import(node))
    ]
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in names:
            node.id = names[node.id]
    return "\n".join([*imports, ast.dump(tree)])


# --- the user's edits -------------------------------------------------------------------------

Lines = list[str]


def _lines(path: Path) -> tuple[Lines, str]:
    data = path.read_bytes().decode()
    newline = "\r\n" if "\r\n" in data else "\n"
    return data.split(newline), newline


def _write(path: Path, lines: Lines, newline: str) -> None:
    path.write_bytes(newline.join(lines).encode())


def _pick_call(path: Path, rng: random.Random) -> ast.stmt | None:
    calls = _log_calls(path.read_text())
    return rng.choice(calls) if calls else None


def _reformat(path: Path, rng: random.Random) -> str | None:
    call = _pick_call(path, rng)
    if call is None or call.end_lineno is None:
        return None
    lines, newline = _lines(path)
    indent = lines[call.lineno - 1][: call.col_offset]
    one_line = ast.unparse(call)
    if rng.random() < 0.5:
        new = [indent + one_line]
    else:
        # Wrapped the other way round: the event type on the call's line, a trailing comma.
        value = call.value
        assert isinstance(value, ast.Call)
        logger, event, payload = ast.unparse(value.func), *map(ast.unparse, value.args)
        new = [f"{indent}{logger}({event}, {payload},", f"{indent})"]
    lines[call.lineno - 1 : call.end_lineno] = new
    _write(path, lines, newline)
    return f"reformat {path.name}:{call.lineno}"


def _add_key(path: Path, rng: random.Random) -> str | None:
    call = _pick_call(path, rng)
    if call is None or call.end_lineno is None:
        return None
    value = call.value
    assert isinstance(value, ast.Call) and isinstance(value.args[1], ast.Dict)
    payload = value.args[1]
    lines, newline = _lines(path)
    last = payload.values[-1]
    assert last.end_lineno is not None
    key = rng.choice(['"source": "web"', '"v": 2', '"user_agent": request_agent()'])
    line = lines[last.end_lineno - 1]
    if last.end_lineno == payload.lineno or not line.rstrip().endswith(","):
        return None  # not the layout generate writes: edited some other way already
    indent = line[: len(line) - len(line.lstrip())]
    lines.insert(last.end_lineno, f"{indent}{key},")
    _write(path, lines, newline)
    return f"add key {key} {path.name}:{call.lineno}"


def _move_import(path: Path, rng: random.Random) -> str | None:
    lines, newline = _lines(path)
    tree = ast.parse(path.read_text())
    layer = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and _is_layer_import(node) and node.lineno
    ]
    others = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    if not layer or layer[0].end_lineno != layer[0].lineno:
        return None
    line = lines.pop(layer[0].lineno - 1)
    first = min(node.lineno for node in others)
    # To the top of the imports, as isort would put a first-party import before stdlib ones
    # when configured so (it only moves the line).
    at = first - 1 if rng.random() < 0.5 else max(node.lineno for node in others) - 1
    lines.insert(min(at, len(lines)), line)
    _write(path, lines, newline)
    return f"move import {path.name}"


def _rename_logger(path: Path, rng: random.Random) -> str | None:
    text = path.read_bytes().decode()
    line = "from app.analytics.event_logger import event_logger"
    if not re.search(rf"^{re.escape(line)}\r?$", text, re.M) or "tel." in text:
        return None
    text = re.sub(rf"^{re.escape(line)}(?=\r?$)", line + " as tel", text, flags=re.M)
    path.write_bytes(re.sub(r"\bevent_logger\.log\(", "tel.log(", text).encode())
    return f"rename logger {path.name}"


def _delete_call(path: Path, rng: random.Random) -> str | None:
    call = _pick_call(path, rng)
    if call is None or call.end_lineno is None:
        return None
    lines, newline = _lines(path)
    del lines[call.lineno - 1 : call.end_lineno]
    _write(path, lines, newline)
    return f"delete call {path.name}:{call.lineno}"


def _comment_out_call(path: Path, rng: random.Random) -> str | None:
    call = _pick_call(path, rng)
    if call is None or call.end_lineno is None:
        return None
    lines, newline = _lines(path)
    indent = lines[call.lineno - 1][: call.col_offset]
    for number in range(call.lineno - 1, call.end_lineno):
        lines[number] = f"{indent}{MARK} {lines[number][len(indent) :]}"
    _write(path, lines, newline)
    return f"comment out call {path.name}:{call.lineno}"


def _comment_in_call(path: Path, rng: random.Random) -> str | None:
    call = _pick_call(path, rng)
    if call is None or call.end_lineno is None:
        return None
    lines, newline = _lines(path)
    if rng.random() < 0.5 or call.end_lineno == call.lineno:
        # On one of its lines: a note, or the noqa comment a linter adds.
        number = rng.randrange(call.lineno - 1, call.end_lineno)
        lines[number] += f"  {MARK} {rng.choice(['keep', 'noqa: E501'])}"
    else:
        # A line of its own among the arguments.
        number = rng.randrange(call.lineno, call.end_lineno)
        indent = lines[number][: len(lines[number]) - len(lines[number].lstrip())]
        lines.insert(number, f"{indent}{MARK} among the arguments")
    _write(path, lines, newline)
    return f"comment in call {path.name}:{call.lineno}"


def _comment_near(path: Path, rng: random.Random) -> str | None:
    call = _pick_call(path, rng)
    if call is None or call.end_lineno is None:
        return None
    lines, newline = _lines(path)
    indent = lines[call.lineno - 1][: call.col_offset]
    # A comment, or a statement (marked by its comment) of the user's.
    line = f"{indent}{rng.choice(['', 'pass  '])}{MARK}"
    if rng.random() < 0.5:
        lines.insert(call.end_lineno, f"{line} after the call")
    else:
        lines.insert(call.lineno - 1, f"{line} before the call")
    _write(path, lines, newline)
    return f"comment near call {path.name}:{call.lineno}"


def _comment_near_import(path: Path, rng: random.Random) -> str | None:
    lines, newline = _lines(path)
    at = [i for i, line in enumerate(lines) if re.match(r"from \S+event_logger import", line)]
    if not at:
        return None
    statement = rng.choice(["", "import os  "])
    lines.insert(at[0] + rng.choice((0, 1)), f"{statement}{MARK} near the import")
    _write(path, lines, newline)
    return f"{'import' if statement else 'comment'} near import {path.name}"


def _crlf(path: Path, rng: random.Random) -> str | None:
    data = path.read_bytes()
    if b"\r\n" in data:
        return None
    path.write_bytes(data.replace(b"\n", b"\r\n"))
    return f"crlf {path.name}"


UserEdit = Callable[[Path, random.Random], "str | None"]
TOOLS: dict[str, UserEdit] = {
    "reformat": _reformat,
    "move import": _move_import,
    "rename logger": _rename_logger,
}
USERS: dict[str, UserEdit] = {
    "comment near call": _comment_near,
    "comment near import": _comment_near_import,
    "crlf": _crlf,
}


# --- the walk ---------------------------------------------------------------------------------


_FRESH: dict[str, dict[str, bytes]] = {}


def _fresh(original: Path, work: Path, plan: Plan) -> dict[str, bytes]:
    """What one generate of ``plan`` writes on the pristine project (the same for every walk)."""
    key = json.dumps(plan, sort_keys=True)
    if key not in _FRESH:
        reference = work / "reference"
        shutil.rmtree(reference, ignore_errors=True)
        shutil.copytree(original, reference)
        write_plan(reference, plan)
        assert run("generate", "--root", str(reference)).exit_code == 0
        _FRESH[key] = snapshot(reference)
    return _FRESH[key]


def _marks(files: dict[str, bytes]) -> dict[str, int]:
    return {
        path: data.count(MARK.encode()) for path, data in files.items() if MARK.encode() in data
    }


def _as_fresh(project: dict[str, bytes], fresh: dict[str, bytes]) -> list[str]:
    """The paths where the project is not what a fresh generate writes (modules as syntax)."""
    problems = []
    for path in sorted(set(project) | set(fresh)):
        if path in ("pyproject.toml", MANIFEST):
            continue
        mine, theirs = project.get(path), fresh.get(path)
        if mine is None or theirs is None:
            problems.append(path)
        elif path.endswith(".py") and path.startswith(f"{APP}/"):
            if _normal(mine.decode()) != _normal(theirs.decode()):
                problems.append(path)
        elif mine != theirs:
            problems.append(path)
    return problems


def _pristine_with_users(
    original: Path, project: dict[str, bytes], crlf: set[str], moved: set[str]
) -> list[str]:
    """After remove: each file is the pristine one, but for the user's lines and CRLF.

    In a module whose inserted import the user moved, the blank line generate wrote above it
    stays where it was (nothing tells it from the user's): blank lines are not compared there.
    """
    problems = []
    pristine = snapshot(original)
    for path in sorted(set(project) | set(pristine)):
        if path == "pyproject.toml":
            continue
        want = pristine.get(path)
        if want is not None and path in crlf:
            want = want.replace(b"\n", b"\r\n")
        have = project.get(path)
        if have is not None:
            newline = b"\r\n" if path in crlf else b"\n"
            have = newline.join(line for line in have.split(newline) if MARK.encode() not in line)
        if path in moved and have is not None and want is not None:
            have, want = (re.sub(rb"(\r?\n)+", b"\n", data) for data in (have, want))
        if have != want:
            problems.append(path)
    return problems


def _has_line(path: Path, line: str) -> bool:
    return line in (one.strip() for one in path.read_bytes().decode().splitlines())


def _user_key_step(project: Path, path: Path, key: str) -> list[str]:
    """A key of the user's in a call: kept by generate and by remove; then taken out again."""
    problems = []
    relative = path.relative_to(project).as_posix()
    check = run("generate", "--root", str(project), "--check")
    result = run("generate", "--root", str(project))
    if not _has_line(path, key):
        problems.append(f"generate took the user's key out: exit {result.exit_code}")
    refused = re.search(rf"^\s+{re.escape(relative)}:\d+: ", result.stdout, re.M)
    if result.exit_code != 0 and (check.exit_code != 1 or not refused):
        problems.append(f"refused without saying so: {check.exit_code} {result.stdout}")
    trial = project.parent / "remove-trial"
    shutil.rmtree(trial, ignore_errors=True)
    shutil.copytree(project, trial)
    removed = run("remove", "--root", str(trial))
    if removed.exit_code != 1 or not _has_line(trial / relative, key):
        problems.append(f"remove took the user's key out: exit {removed.exit_code}")
    # The user takes the key out again, and the walk goes on.
    lines, newline = _lines(path)
    _write(path, [line for line in lines if line.strip() != key], newline)
    return problems


def _user_comment_step(project: Path, path: Path) -> list[str]:
    """A comment of the user's in a call: the call is theirs, kept by generate and by remove.

    The comment then goes again (the call as generate wrote it), and the walk goes on.
    """
    problems = []
    relative = path.relative_to(project).as_posix()
    marks = path.read_bytes().count(MARK.encode())
    check = run("generate", "--root", str(project), "--check")
    result = run("generate", "--root", str(project))
    if path.read_bytes().count(MARK.encode()) != marks:
        problems.append(f"generate took the user's comment out: exit {result.exit_code}")
    refused = re.search(rf"^\s+{re.escape(relative)}:\d+: ", result.stdout, re.M)
    if result.exit_code != 0 and (check.exit_code != 1 or not refused):
        problems.append(f"refused without saying so: {check.exit_code} {result.stdout}")
    trial = project.parent / "remove-trial"
    shutil.rmtree(trial, ignore_errors=True)
    shutil.copytree(project, trial)
    removed = run("remove", "--root", str(trial))
    if removed.exit_code != 1 or (trial / relative).read_bytes().count(MARK.encode()) != marks:
        problems.append(f"remove took the user's comment out: exit {removed.exit_code}")
    lines, newline = _lines(path)
    kept = [line for line in lines if not line.lstrip().startswith(f"{MARK} among")]
    _write(path, [re.sub(rf"  {MARK} (keep|noqa: E501)$", "", line) for line in kept], newline)
    return problems


# The edits after which blank lines around the import are not compared (see above).
NEAR_IMPORT = ("move import", "import near", "comment near import")
SEED = int(os.environ.get("PLAN_EDIT_SEED", "2131"))
WALKS = int(os.environ.get("PLAN_EDIT_WALKS", "2"))
STEPS = 6


def _step(project: Path, work: Path) -> list[str]:
    """One generate: ``--check`` red exactly when it changes something; then a fixed point."""
    before = snapshot(project)
    check = run("generate", "--root", str(project), "--check")
    result = run("generate", "--root", str(project))
    if result.exit_code != 0:
        return [f"generate exited {result.exit_code}: {result.stdout}"]
    after = snapshot(project)
    changed = [path for path in changed_files(before, after) if path != MANIFEST]
    if (check.exit_code == 0) == bool(changed):
        return [f"--check exited {check.exit_code}, generate changed {changed}"]
    again = run("generate", "--root", str(project), "--check")
    if again.exit_code != 0:
        return [f"--check after generate exited {again.exit_code}: {again.stdout}"]
    return []


@pytest.mark.parametrize("walk", range(WALKS))
def test_random_plan_walks_with_users_edits_keep_each_edits_rule(
    original: Path, tmp_path: Path, walk: int
) -> None:
    seed = SEED + walk
    print(f"PLAN_EDIT_SEED={seed}")
    rng = random.Random(seed)
    project = tmp_path / "project"
    shutil.copytree(original, project)
    problems: list[str] = []
    history: list[str] = []
    crlf: set[str] = set()
    moved: set[str] = set()
    plan = copy.deepcopy(BASE)
    write_plan(project, plan)
    assert run("generate", "--root", str(project)).exit_code == 0
    for step in range(STEPS):
        names, plan = _random_plan(rng)
        history.append(f"plan {names}")
        write_plan(project, plan)
        kinds = rng.sample(["tool", "user", "delete", "key", "comment"], rng.randint(0, 2))
        deleted = False
        for kind in kinds:
            module = rng.choice(MODULES)
            path = project / module
            if not path.exists():
                continue
            if kind == "key":
                done = _add_key(path, rng)
                if done is not None:
                    history.append(done)
                    key = done.split(" ", 2)[2].rpartition(" ")[0] + ","
                    problems.extend(
                        f"step {step} {done}: {problem}"
                        for problem in _user_key_step(project, path, key)
                    )
                    deleted = False  # that step's generate put a deleted call back
                continue
            if kind == "comment":
                done = _comment_in_call(path, rng)
                if done is not None:
                    history.append(done)
                    problems.extend(
                        f"step {step} {done}: {problem}"
                        for problem in _user_comment_step(project, path)
                    )
                    deleted = False  # that step's generate put a deleted call back
                continue
            if kind == "delete":
                # Deleted, or commented out: either way the handler logs nothing.
                edit = _delete_call if rng.random() < 0.5 else _comment_out_call
                done = edit(path, rng)
                deleted = deleted or done is not None
            else:
                table = TOOLS if kind == "tool" else USERS
                done = table[rng.choice(sorted(table))](path, rng)
                if done is not None and done.startswith("crlf"):
                    crlf.add(module)
                if done is not None and done.startswith(NEAR_IMPORT):
                    moved.add(module)
            if done is not None:
                history.append(done)
        marks = _marks(snapshot(project))
        if deleted and run("generate", "--root", str(project), "--check").exit_code != 1:
            problems.append(f"step {step}: --check green with an inserted call deleted")
        # The whole invariant (--diff applied too) at the last step, the cheaper one before it.
        stepper = generate_step if step == STEPS - 1 else _step
        problems.extend(f"step {step}: {p}" for p in stepper(project, tmp_path / "work"))
        after = snapshot(project)
        if _marks(after) != marks:
            problems.append(f"step {step}: the user's comments changed: {_marks(after)}")
        for module in crlf:
            if module in after and after[module].count(b"\n") != after[module].count(b"\r\n"):
                problems.append(f"step {step}: {module} lost its CRLF endings")
        different = _as_fresh(after, _fresh(original, tmp_path / "work", plan))
        if different:
            problems.append(f"step {step}: not what a fresh generate writes: {different}")
        if problems:
            break
    if not problems:
        removed = run("remove", "--root", str(project))
        left = _pristine_with_users(original, snapshot(project), crlf, moved)
        if removed.exit_code != 0 or left:
            shown = "".join(
                "".join(
                    difflib.unified_diff(
                        (original / path).read_text().splitlines(True),
                        (project / path).read_text().splitlines(True),
                        path,
                        path,
                    )
                )
                for path in left
                if (original / path).exists() and (project / path).exists()
            )
            problems.append(f"remove exited {removed.exit_code}, left {left}:\n{shown}")
    assert not problems, f"PLAN_EDIT_SEED={seed}\n" + "\n".join([*history, *problems])


def test_an_inserted_call_whose_captured_parameter_was_renamed_is_still_generates(
    original: Path, tmp_path: Path
) -> None:
    # The user renamed the path parameter the call captures (chapter_id -> cid): the call
    # read a name bound nowhere, was taken for the user's own and --check stayed green, while
    # a fresh generate refuses the handler. Now it is generate's: refused in one line while
    # the plan captures what the handler lacks, brought up to date once it does not, removed.
    project = tmp_path / "project"
    shutil.copytree(original, project)
    assert run("generate", "--root", str(project)).exit_code == 0
    chapters = project / MODULES[0]
    chapters.write_text(
        chapters.read_text()
        .replace('"/{chapter_id}", response_model', '"/{cid}", response_model')
        .replace("def get_chapter(chapter_id: str)", "def get_chapter(cid: str)")
        .replace("_CATALOGUE.get(chapter_id)", "_CATALOGUE.get(cid)")
    )
    check = run("generate", "--root", str(project), "--check")
    assert check.exit_code == 1, check.stdout
    said = [line for line in check.stdout.splitlines() if f"{MODULES[0]}:" in line]
    assert len(said) == 1 and "no parameter or body field `chapter_id`" in said[0], said
    plan = copy.deepcopy(BASE)
    _optional_chapter_id(plan, "chapter_visit")
    plan["instrument"]["api/chapters.py"] = {"event": "chapter_visit", "capture": []}
    write_plan(project, plan)
    assert run("generate", "--root", str(project)).exit_code == 0
    assert '"route": "/api/chapters/{cid}"' in chapters.read_text()
    assert "chapter_id" not in chapters.read_text().partition("def get_chapter")[2][:400]
    assert run("generate", "--root", str(project), "--check").exit_code == 0
    assert run("remove", "--root", str(project)).exit_code == 0
    assert "event_logger" not in chapters.read_text()


def test_an_inserted_call_reading_a_renamed_body_parameter_follows_the_rename(
    original: Path, tmp_path: Path
) -> None:
    # The user renamed a body-model parameter (request -> req) everywhere but in the inserted
    # call, which still reads `request.chapter_id`, bound nowhere: as for a renamed path
    # parameter, the call is generate's, stale (--check red), brought up to date to read
    # `req.chapter_id`, and taken out by remove. It was taken for the user's own, refused.
    project = tmp_path / "project"
    shutil.copytree(original, project)
    assert run("generate", "--root", str(project)).exit_code == 0
    blocks = project / MODULES[1]
    text = blocks.read_text()
    head, _, handler = text.partition("def quiz(request: QuizRequest)")
    handler, _, rest = handler.partition("@router")
    call, _, body = handler.partition("    )\n")
    blocks.write_text(
        f"{head}def quiz(req: QuizRequest){call}    )\n"
        f"{body.replace('request.', 'req.')}@router{rest}"
    )
    check = run("generate", "--root", str(project), "--check")
    assert check.exit_code == 1, check.stdout
    assert "by hand" not in check.stdout, check.stdout
    assert run("generate", "--root", str(project)).exit_code == 0
    quiz = blocks.read_text().partition("def quiz")[2].partition("@router")[0]
    assert '"chapter_id": req.chapter_id' in quiz and "request" not in quiz, quiz
    assert run("generate", "--root", str(project), "--check").exit_code == 0
    assert run("remove", "--root", str(project)).exit_code == 0
    assert "event_logger" not in blocks.read_text()
