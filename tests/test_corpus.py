"""End to end on a corpus of synthetic FastAPI backends (``tests/corpus/``), through the CLI only.

Each case is a small project of its own shape (where the app is built, how its routes are
declared); its ``expected.toml`` says, in the specification's terms, which handler gets which log
call and how the app answers. ``generate`` runs once per case on a copy under a temporary folder;
every check below reads that result (or a copy of it, when it runs the CLI again).
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.corpus_support import (
    BOM,
    CONTEXT_KEYS,
    SKIP_PRAGMA,
    Case,
    ErrorCase,
    ExpectedCall,
    Importer,
    Run,
    answer,
    append_code,
    bindings_of,
    body_after_docstring,
    changed_lines,
    cli,
    copy_case,
    error_cases,
    functions,
    imported_backend,
    is_log_call,
    line_endings,
    line_indent,
    load_app,
    module_name,
    names_bound_in,
    normalised,
    own_nodes,
    positive_cases,
    recorded_events,
    ruff_formatted,
    snapshot,
    source_text,
    top_level_names,
)

CASES = positive_cases()
ERROR_CASES = error_cases()


@dataclass(frozen=True)
class Generated:
    """A case after one ``generate``: the copy it ran on and what it found before and after."""

    case: Case
    root: Path
    original: dict[str, bytes]
    answers_before: list[tuple[int, Any]]
    first: Run
    patched: dict[str, bytes]
    imported_by_generate: list[str]

    @property
    def backend(self) -> Path:
        """The backend folder of the copy."""
        return self.root / self.case.plan.backend

    def tree(self, file: str) -> tuple[str, ast.Module]:
        """A patched file's text and syntax tree."""
        text = source_text(self.patched[file])
        return text, ast.parse(text, filename=file)

    def require_success(self) -> None:
        """Fail (naming the case) unless the first ``generate`` exited 0."""
        assert self.first.exit_code == 0, (
            f"[{self.case.name}] generate exited {self.first.exit_code}\n{self.first.output}"
        )

    def copy(self, target: Path) -> Path:
        """A copy of the generated project, for checks that run the CLI again."""
        ignore = shutil.ignore_patterns("__pycache__")
        return Path(shutil.copytree(self.root, target / "project", ignore=ignore))


def _answers(case: Case, backend: Path) -> list[tuple[int, Any]]:
    with imported_backend(backend):
        application = load_app(backend, case.serve, case.factory)
        with TestClient(application) as client:
            return [answer(client, request) for request in case.requests]


@pytest.fixture(scope="module", params=CASES, ids=[case.name for case in CASES])
def generated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Generated:
    case: Case = request.param
    root = copy_case(case.folder, tmp_path_factory.mktemp(case.name) / "project")
    original = snapshot(root)
    answers_before = _answers(case, root / case.plan.backend)
    tops = top_level_names(root / case.plan.backend)
    loaded = set(sys.modules)
    first = cli("generate", "--root", str(root))
    imported = sorted(name for name in set(sys.modules) - loaded if name.split(".")[0] in tops)
    return Generated(case, root, original, answers_before, first, snapshot(root), imported)


# --- generate -------------------------------------------------------------------------------


def test_generate_exits_0_and_reports_each_patched_file(generated: Generated) -> None:
    generated.require_success()
    assert not generated.imported_by_generate, (
        f"[{generated.case.name}] generate imported user code: {generated.imported_by_generate}"
    )
    for file in sorted(generated.case.changed_files):
        assert re.search(rf"^patched\s+{re.escape(file)}$", generated.first.stdout, re.M), (
            f"[{generated.case.name}] {file} not reported as patched\n{generated.first.output}"
        )


def _call_problems(generated: Generated, expected: ExpectedCall, logger: str) -> list[str]:
    text, tree = generated.tree(expected.file)
    where = f"[{generated.case.name}] {expected.where}"
    matches = [found for found in functions(tree) if found.qualname == expected.function]
    if len(matches) != 1:
        return [f"{where}: {len(matches)} functions of that name in the patched file"]
    node = matches[0].node
    own_calls = [child for child in own_nodes(node) if is_log_call(child, logger)]
    if len(own_calls) != 1:
        return [f"{where}: {len(own_calls)} calls {logger}.log(...), expected exactly one"]
    statements = body_after_docstring(node)
    first = statements[0]
    if not (isinstance(first, ast.Expr) and first.value is own_calls[0]):
        return [f"{where}: the log call is not the first statement after the docstring"]
    problems: list[str] = []
    neighbour = statements[1] if len(statements) > 1 else node.body[0]
    if line_indent(text, first) != line_indent(text, neighbour):
        problems.append(f"{where}: the call is not at the body's indentation")
    call = own_calls[0]
    assert isinstance(call, ast.Call)
    if call.keywords or len(call.args) != 2:
        return [*problems, f"{where}: expected log(<event type>, {{payload}}): {ast.unparse(call)}"]
    event, payload = call.args
    if not (isinstance(event, ast.Constant) and event.value == expected.event):
        problems.append(f"{where}: event type {ast.unparse(event)}, expected {expected.event!r}")
    if not isinstance(payload, ast.Dict) or not all(
        isinstance(key, ast.Constant) and isinstance(key.value, str) for key in payload.keys
    ):
        return [*problems, f"{where}: the payload is not a dict literal: {ast.unparse(payload)}"]
    keys = [key.value for key in payload.keys if isinstance(key, ast.Constant)]
    wanted_keys = [*CONTEXT_KEYS, *expected.params]
    if keys != wanted_keys:
        problems.append(f"{where}: payload keys {keys}, expected {wanted_keys}")
    values = dict(zip(keys, payload.values, strict=True))
    problems += _value_problems(where, expected, values)
    return problems


def _value_problems(where: str, expected: ExpectedCall, values: dict[str, ast.expr]) -> list[str]:
    problems: list[str] = []
    literals: dict[str, object] = {
        "method": expected.method,
        "handler": expected.handler,
        "block_type": expected.block_type,
    }
    if expected.route_expr is None:
        literals["route"] = expected.route
    elif "route" in values and ast.unparse(values["route"]) != normalised(expected.route_expr):
        got = ast.unparse(values["route"])
        problems.append(f"{where}: route {got}, expected the expression {expected.route_expr}")
    for key, wanted in literals.items():
        if key not in values:
            continue
        try:
            got = ast.literal_eval(values[key])
        except ValueError:
            got = ast.unparse(values[key])
        if got != wanted:
            problems.append(f"{where}: {key} {got!r}, expected {wanted!r}")
    for key, expression in expected.params.items():
        if key in values and ast.unparse(values[key]) != normalised(expression):
            got = ast.unparse(values[key])
            problems.append(f"{where}: {key} is {got}, expected {expression}")
    return problems


def _logger_names(generated: Generated, tree: ast.Module, file: str) -> list[str]:
    plan = generated.case.plan
    return bindings_of(tree, file, plan, f"{plan.analytics_package}.event_logger", "event_logger")


def test_each_handler_has_one_correct_call_first(generated: Generated) -> None:
    generated.require_success()
    problems: list[str] = []
    for file in sorted({call.file for call in generated.case.calls}):
        _, tree = generated.tree(file)
        loggers = _logger_names(generated, tree, file)
        if len(loggers) != 1:
            problems.append(f"[{generated.case.name}] {file}: event_logger imported {loggers}")
            continue
        for expected in generated.case.calls_in(file):
            problems += _call_problems(generated, expected, loggers[0])
    assert not problems, "\n".join(problems)


def test_no_other_code_gets_a_call(generated: Generated) -> None:
    generated.require_success()
    problems: list[str] = []
    for file in sorted(generated.case.changed_files):
        _, tree = generated.tree(file)
        expected = {call.function for call in generated.case.calls_in(file)}
        for logger in _logger_names(generated, tree, file):
            if any(is_log_call(node, logger) for node in own_nodes(tree)):
                problems.append(f"[{generated.case.name}] {file}: a log call outside any function")
            for found in functions(tree):
                if found.qualname in expected:
                    continue
                if any(is_log_call(node, logger) for node in own_nodes(found.node)):
                    problems.append(
                        f"[{generated.case.name}] {file}::{found.qualname}: "
                        "got a log call but is not an instrumented handler (or is skipped)"
                    )
    assert not problems, "\n".join(problems)


def test_event_logger_import_follows_the_module_style(generated: Generated) -> None:
    generated.require_success()
    plan = generated.case.plan
    for file in sorted({call.file for call in generated.case.calls}):
        where = f"[{generated.case.name}] {file}"
        original = ast.parse(source_text(generated.original[file]))
        _, tree = generated.tree(file)
        imports = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and any(alias.name == "event_logger" for alias in node.names)
            and (node.module or "").endswith("event_logger")
        ]
        assert len(imports) == 1, f"{where}: {len(imports)} imports of event_logger"
        relative = any(
            isinstance(node, ast.ImportFrom) and node.level > 0 for node in ast.walk(original)
        )
        assert (imports[0].level > 0) == relative, (
            f"{where}: {ast.unparse(imports[0])} should be {'relative' if relative else 'absolute'}"
        )
        names = _logger_names(generated, tree, file)
        assert len(names) == 1, f"{where}: not imported from {plan.analytics_package}.event_logger"
        taken = names_bound_in(original)
        if "event_logger" in taken:
            assert names[0] not in taken, f"{where}: imported as {names[0]}, a name already used"
        else:
            assert names[0] == "event_logger", f"{where}: imported as {names[0]}"


def _statement_blocks(tree: ast.AST) -> list[list[ast.stmt]]:
    blocks: list[list[ast.stmt]] = []
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                blocks.append(block)
    return blocks


def _assigns(statement: ast.stmt, expression: str) -> bool:
    """Whether a statement assigns ``expression``, directly or in the branches of a block."""
    if isinstance(statement, ast.Assign):
        return any(ast.unparse(target) == expression for target in statement.targets)
    if isinstance(statement, ast.AnnAssign):
        return ast.unparse(statement.target) == expression
    if isinstance(statement, ast.If | ast.Try | ast.With):
        branches = [getattr(statement, name, []) for name in ("body", "orelse", "finalbody")]
        return any(_assigns(inner, expression) for branch in branches for inner in branch)
    return False


def _method_call(statement: ast.stmt, target: str, method: str) -> ast.Call | None:
    if (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Attribute)
        and statement.value.func.attr == method
        and ast.unparse(statement.value.func.value) == target
    ):
        return statement.value
    return None


def _placement(block: list[ast.stmt], index: int, expression: str, what: str) -> list[str]:
    assignments = [i for i, statement in enumerate(block) if _assigns(statement, expression)]
    if not assignments or assignments[0] > index:
        return [f"{what} is not in the block that assigns {expression}, after the assignment"]
    user_includes = [
        i
        for i, statement in enumerate(block)
        if (call := _method_call(statement, expression, "include_router")) is not None
        and ast.unparse(call) != f"{expression}.include_router(telemetry_router)"
    ]
    if user_includes and max(user_includes) > index:
        return [f"{what} comes before the app's last include_router call"]
    return []


def test_app_is_wired_once_after_its_assignment(generated: Generated) -> None:
    generated.require_success()
    case = generated.case
    plan = case.plan
    where = f"[{case.name}] {case.wired}"
    _, tree = generated.tree(case.wired)
    router_module = f"{plan.analytics_package}.telemetry_router"
    routers = bindings_of(tree, case.wired, plan, router_module, "router")
    assert routers == ["telemetry_router"], f"{where}: telemetry router imported as {routers}"
    capture_module = f"{plan.analytics_package}.error_capture"
    installers = bindings_of(tree, case.wired, plan, capture_module, "install_error_capture")
    expected_installers = ["install_error_capture"] if plan.capture_errors else []
    assert installers == expected_installers, f"{where}: error capture imported as {installers}"
    include = f"{case.app_expr}.include_router(telemetry_router)"
    install = f"install_error_capture({case.app_expr})"
    wiring: dict[str, list[tuple[list[ast.stmt], int]]] = {include: [], install: []}
    for block in _statement_blocks(tree):
        for index, statement in enumerate(block):
            if isinstance(statement, ast.Expr) and ast.unparse(statement) in wiring:
                wiring[ast.unparse(statement)].append((block, index))
    assert len(wiring[include]) == 1, f"{where}: {len(wiring[include])} times `{include}`"
    assert len(wiring[install]) == (1 if plan.capture_errors else 0), (
        f"{where}: {len(wiring[install])} times `{install}`"
    )
    problems: list[str] = []
    for statement, places in wiring.items():
        for block, index in places:
            problems += _placement(block, index, case.app_expr, f"{where}: `{statement}`")
    assert not problems, "\n".join(problems)


# --- the files ------------------------------------------------------------------------------


def test_only_lines_are_added_and_other_files_are_untouched(generated: Generated) -> None:
    generated.require_success()
    case = generated.case
    problems: list[str] = []
    for file, before in generated.original.items():
        after = generated.patched.get(file)
        if after is None:
            problems.append(f"[{case.name}] {file}: deleted")
        elif file not in case.changed_files:
            if after != before:
                problems.append(f"[{case.name}] {file}: changed, but nothing was to be done there")
        else:
            if after == before:
                problems.append(f"[{case.name}] {file}: not patched")
            problems += [f"[{case.name}] {file}: {edit}" for edit in changed_lines(before, after)]
            if after.startswith(BOM) != before.startswith(BOM):
                problems.append(f"[{case.name}] {file}: UTF-8 BOM not preserved")
            if line_endings(after) != line_endings(before):
                problems.append(
                    f"[{case.name}] {file}: line endings {sorted(line_endings(after))!r}, "
                    f"expected {sorted(line_endings(before))!r}"
                )
    allowed = (f"{case.plan.analytics_dir}/", "specs/", "contracts/", ".telemetry-scaffold.json")
    problems += [
        f"[{case.name}] {file}: unexpected new file"
        for file in generated.patched
        if file not in generated.original and not file.startswith(allowed)
    ]
    assert not problems, "\n".join(problems)


def test_patched_files_keep_ruff_format(generated: Generated) -> None:
    generated.require_success()
    for file in sorted(generated.case.changed_files):
        if ruff_formatted(generated.case.folder / file):
            assert ruff_formatted(generated.root / file), (
                f"[{generated.case.name}] {file}: `ruff format --line-length 100` would reformat "
                "the patched file, though the original was formatted"
            )


def test_patched_and_generated_files_compile(generated: Generated) -> None:
    generated.require_success()
    generated_python = [
        file
        for file in generated.patched
        if file.startswith(f"{generated.case.plan.analytics_dir}/") and file.endswith(".py")
    ]
    for file in sorted(generated.case.changed_files) + generated_python:
        try:
            compile(generated.patched[file], file, "exec", dont_inherit=True)
        except SyntaxError as error:
            pytest.fail(f"[{generated.case.name}] {file} does not compile: {error}")


@pytest.fixture(scope="module")
def importer() -> Iterator[Importer]:
    checker = Importer()
    yield checker
    checker.close()


def test_app_module_imports_in_a_separate_process(generated: Generated, importer: Importer) -> None:
    generated.require_success()
    module, attribute = generated.case.serve.split(":")
    code = (
        f"import {module} as m; m.{attribute}()" if generated.case.factory else f"import {module}"
    )
    exit_code, output = importer.run(generated.backend, code)
    assert exit_code == 0, f"[{generated.case.name}] {code}\n{output}"


# --- the app --------------------------------------------------------------------------------


def test_app_answers_the_same_and_records_events(
    generated: Generated, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated.require_success()
    monkeypatch.delenv("TELEMETRY_ENABLED", raising=False)
    case = generated.case
    problems: list[str] = []
    with (
        imported_backend(generated.backend),
        recorded_events(case.plan.analytics_package) as records,
    ):
        application = load_app(generated.backend, case.serve, case.factory)
        with TestClient(application) as client:
            for request, before in zip(case.requests, generated.answers_before, strict=True):
                records.events.clear()
                where = f"[{case.name}] {request.label}"
                after = answer(client, request)
                if after != before:
                    problems.append(f"{where}: answered {after!r}, before generate {before!r}")
                problems += _event_problems(
                    where, request.event, request.payload, request.keys, records.events
                )
    assert not problems, "\n".join(problems)


def _event_problems(
    where: str,
    event_type: str | None,
    payload: dict[str, Any],
    keys: tuple[str, ...],
    events: list[dict[str, Any]],
) -> list[str]:
    if event_type is None:
        return [f"{where}: recorded {events}, expected no event"] if events else []
    if [event.get("event_type") for event in events] != [event_type]:
        return [f"{where}: recorded {events}, expected one {event_type!r} event"]
    got = events[0].get("payload", {})
    problems = [
        f"{where}: payload[{key!r}] is {got.get(key, '<missing>')!r}, expected {value!r}"
        for key, value in payload.items()
        if got.get(key) != value
    ]
    problems += [f"{where}: payload has no {key!r}: {got}" for key in keys if key not in got]
    return problems


def test_telemetry_routes_are_served(generated: Generated, monkeypatch: pytest.MonkeyPatch) -> None:
    generated.require_success()
    monkeypatch.delenv("TELEMETRY_ENABLED", raising=False)
    case = generated.case
    prefix = case.plan.api_prefix
    declared = next(name for name in case.plan.event_types if name != "error_event")
    with imported_backend(generated.backend):
        application = load_app(generated.backend, case.serve, case.factory)
        with TestClient(application) as client:
            health = client.get(f"{prefix}/health")
            logged = client.post(f"{prefix}/log", json={"event_type": declared, "payload": {}})
    assert health.status_code == 200, f"[{case.name}] GET {prefix}/health: {health.text}"
    assert logged.status_code == 202, f"[{case.name}] POST {prefix}/log: {logged.text}"
    assert logged.json()["event_type"] == declared


# --- running again --------------------------------------------------------------------------


def test_second_generate_changes_nothing(generated: Generated, tmp_path: Path) -> None:
    generated.require_success()
    root = generated.copy(tmp_path)
    before = snapshot(root)
    again = cli("generate", "--root", str(root), "--json")
    assert again.exit_code == 0, f"[{generated.case.name}]\n{again.output}"
    statuses = {entry["path"]: entry["status"] for entry in json.loads(again.stdout)["files"]}
    changed = {path: status for path, status in statuses.items() if status != "unchanged"}
    assert not changed, f"[{generated.case.name}] second run: {changed}"
    assert snapshot(root) == before, f"[{generated.case.name}] second run changed bytes"


def test_remove_gives_back_the_original_bytes(generated: Generated, tmp_path: Path) -> None:
    generated.require_success()
    root = generated.copy(tmp_path)
    removed = cli("remove", "--root", str(root))
    assert removed.exit_code == 0, f"[{generated.case.name}]\n{removed.output}"
    after = snapshot(root)
    changed = sorted(
        path
        for path in set(after) | set(generated.original)
        if after.get(path) != generated.original.get(path)
    )
    assert not changed, f"[{generated.case.name}] remove left these changed: {changed}"


@pytest.mark.parametrize("where", ["root-option", "cwd-root", "cwd-subfolder"])
def test_check_is_clean(
    generated: Generated, where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated.require_success()
    root = generated.copy(tmp_path)
    before = snapshot(root)
    monkeypatch.chdir(tmp_path)
    if where == "root-option":
        result = cli("generate", "--check", "--root", str(root))
    else:
        cwd = root if where == "cwd-root" else root / generated.case.subfolder
        assert cwd.is_dir(), f"[{generated.case.name}] no folder {generated.case.subfolder}"
        monkeypatch.chdir(cwd)
        result = cli("generate", "--check")
    assert result.exit_code == 0, f"[{generated.case.name}] --check from {where}\n{result.output}"
    assert snapshot(root) == before, f"[{generated.case.name}] --check wrote in the project"


def test_new_handler_is_drift(generated: Generated, tmp_path: Path) -> None:
    generated.require_success()
    case = generated.case
    root = generated.copy(tmp_path)
    append_code(root / case.drift_file, case.drift_code)
    result = cli("generate", "--check", "--root", str(root))
    assert result.exit_code == 1, f"[{case.name}] new handler in {case.drift_file}\n{result.output}"
    assert case.drift_file in result.stdout + result.stderr, (
        f"[{case.name}] --check does not name {case.drift_file}\n{result.output}"
    )


def test_deleted_call_is_drift(generated: Generated, tmp_path: Path) -> None:
    generated.require_success()
    case = generated.case
    expected = case.calls[0]
    root = generated.copy(tmp_path)
    _, tree = generated.tree(expected.file)
    node = next(found.node for found in functions(tree) if found.qualname == expected.function)
    call = body_after_docstring(node)[0]
    lines = generated.patched[expected.file].splitlines(keepends=True)
    following = node.body[node.body.index(call) + 1 :]
    if following and following[0].lineno == call.end_lineno:
        # In a one-line suite (`def f(): <call>; return x`): the call and its `; ` go.
        line = lines[call.lineno - 1]
        lines[call.lineno - 1] = line[: call.col_offset] + line[following[0].col_offset :]
    else:
        del lines[call.lineno - 1 : call.end_lineno]
    (root / expected.file).write_bytes(b"".join(lines))
    result = cli("generate", "--check", "--root", str(root))
    assert result.exit_code == 1, (
        f"[{case.name}] deleted the call of {expected.where}\n{result.output}"
    )
    assert expected.file in result.stdout + result.stderr, (
        f"[{case.name}] --check does not name {expected.file}\n{result.output}"
    )


# --- backends generate must refuse ------------------------------------------------------------


@pytest.mark.parametrize("case", ERROR_CASES, ids=[case.name for case in ERROR_CASES])
def test_error_case(case: ErrorCase, tmp_path: Path) -> None:
    root = copy_case(case.folder, tmp_path / "project")
    before = snapshot(root)
    result = cli("generate", "--root", str(root))
    assert result.exit_code == case.exit_code, f"[{case.name}] {case.description}\n{result.output}"
    assert "Traceback" not in result.output, f"[{case.name}]\n{result.output}"
    if case.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, f"[{case.name}] expected one error line\n{result.output}"
        candidates = lines
        assert snapshot(root) == before, f"[{case.name}] a configuration error wrote files"
    else:
        candidates = (result.stdout + result.stderr).splitlines()
    matching = [
        line
        for line in candidates
        if all(mention in line for mention in case.mentions)
        and (not case.lines or any(re.search(rf"\b{number}\b", line) for number in case.lines))
        and (not case.names_app_key or re.search(r"""[`'"]app[`'"]|\bapp\s*=""", line))
    ]
    assert matching, (
        f"[{case.name}] no line names {list(case.mentions)}"
        + (f", line {' or '.join(map(str, case.lines))}" if case.lines else "")
        + (" and the `app` key" if case.names_app_key else "")
        + f"\n{result.output}"
    )
    for file in before:
        if file.endswith(".py"):
            compile((root / file).read_bytes(), file, "exec", dont_inherit=True)


def _has_skip_pragma(text: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    lines = text.splitlines()
    first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
    return any(SKIP_PRAGMA in line for line in lines[first - 1 : node.lineno])


def test_the_corpus_is_consistent() -> None:
    # A typo in an expected.toml would otherwise read as a failure of the tool.
    assert len(CASES) >= 20 and len(ERROR_CASES) >= 2
    problems: list[str] = []
    for case in CASES:
        if not (case.calls and case.requests):
            problems.append(f"[{case.name}] no expected calls or no requests")
        for file in {case.wired, case.drift_file, *(call.file for call in case.calls)}:
            if not (case.folder / file).is_file():
                problems.append(f"[{case.name}] {file}: no such file")
        if not (case.folder / case.subfolder).is_dir():
            problems.append(f"[{case.name}] {case.subfolder}: no such folder")
        for call in case.calls:
            path = case.folder / call.file
            if not path.is_file():
                continue
            tree = ast.parse(source_text(path.read_bytes()))
            found = {found.qualname: found.node for found in functions(tree)}
            if call.function not in found:
                problems.append(f"[{case.name}] {call.where}: no such function in the original")
            elif _has_skip_pragma(source_text(path.read_bytes()), found[call.function]):
                problems.append(f"[{case.name}] {call.where}: marked skip, cannot expect a call")
            if call.event not in case.plan.event_types:
                problems.append(f"[{case.name}] {call.where}: {call.event} is not declared")
            if (call.route is None) == (call.route_expr is None):
                problems.append(f"[{case.name}] {call.where}: give route or route_expr")
            top = module_name(call.file, case.plan).split(".")[0]
            if case.plan.app_package and top != case.plan.app_package:
                problems.append(f"[{case.name}] {call.where}: outside the app package")
    assert not problems, "\n".join(problems)
