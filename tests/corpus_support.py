"""The synthetic backends of ``tests/corpus/``: loading a case, and reading what ``generate`` did.

Each case is a folder holding a small project (``pyproject.toml`` with the plan, a backend) and an
``expected.toml`` describing, in the terms of the specification, what ``generate`` must insert and
how the app must answer. Everything here reads files or the CLI's output: the tool is a black box.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tomllib
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from typer.testing import CliRunner

from telemetry_cli.cli import app as cli_app
from telemetry_cli.manifest import STUB_STATEMENTS

CORPUS = Path(__file__).resolve().parent / "corpus"
BOM = b"\xef\xbb\xbf"
SKIP_PRAGMA = "# telemetry-scaffold: skip"
# The payload keys every call starts with, in this order (the specification's payload).
CONTEXT_KEYS = ("route", "method", "handler", "block_type")


# --- the cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedCall:
    """One handler and the log call ``generate`` must insert as its first statement."""

    file: str
    function: str
    event: str
    route: str | list[str] | None
    route_expr: str | None
    method: str
    handler: str
    block_type: str
    params: dict[str, str]

    @property
    def where(self) -> str:
        """The handler named for assertion messages."""
        return f"{self.file}::{self.function}"


@dataclass(frozen=True)
class Request:
    """A request the app must answer the same before and after ``generate``."""

    method: str
    path: str
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    websocket_text: str | None = None
    event: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    keys: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The request named for assertion messages."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Plan:
    """What the case's ``[tool.telemetry-scaffold]`` table says, with the documented defaults."""

    backend: str
    app_package: str
    capture_errors: bool
    event_types: tuple[str, ...]
    api_prefix: str

    @property
    def analytics_package(self) -> str:
        """The import name of the generated package (``analytics`` in the flat layout)."""
        return f"{self.app_package}.analytics" if self.app_package else "analytics"

    @property
    def analytics_dir(self) -> str:
        """The generated package's folder, relative to the root."""
        return PurePosixPath(self.backend, self.app_package, "analytics").as_posix()


@dataclass(frozen=True)
class Case:
    """A synthetic backend on which ``generate`` must succeed."""

    name: str
    folder: Path
    description: str
    plan: Plan
    serve: str
    factory: bool
    wired: str
    app_expr: str
    subfolder: str
    drift_file: str
    drift_code: str
    calls: tuple[ExpectedCall, ...]
    requests: tuple[Request, ...]

    @property
    def changed_files(self) -> set[str]:
        """The files ``generate`` may edit: the wired module and every instrumented one."""
        return {self.wired} | {call.file for call in self.calls}

    def calls_in(self, file: str) -> list[ExpectedCall]:
        """The expected calls of one file."""
        return [call for call in self.calls if call.file == file]


@dataclass(frozen=True)
class ErrorCase:
    """A backend on which ``generate`` must stop with one clear line."""

    name: str
    folder: Path
    description: str
    exit_code: int
    mentions: tuple[str, ...]
    lines: tuple[int, ...]
    names_app_key: bool


def _plan(folder: Path) -> Plan:
    table = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    plan = table.get("tool", {}).get("telemetry-scaffold", {})
    return Plan(
        backend=plan.get("backend", "backend"),
        app_package=plan.get("app-package", "app"),
        capture_errors=plan.get("capture-errors", True),
        event_types=tuple(
            plan.get("event-types", ["ai_block_used", "chapter_visit", "error_event"])
        ),
        api_prefix=plan.get("api-prefix", "/api/telemetry"),
    )


def _call(entry: dict[str, Any]) -> ExpectedCall:
    return ExpectedCall(
        file=entry["file"],
        function=entry["function"],
        event=entry["event"],
        route=entry.get("route"),
        route_expr=entry.get("route_expr"),
        method=entry["method"],
        handler=entry.get("handler", entry["function"]),
        block_type=entry["block_type"],
        params=dict(entry.get("params", {})),
    )


def _request(entry: dict[str, Any]) -> Request:
    return Request(
        method=entry["method"],
        path=entry["path"],
        json=entry.get("json"),
        headers=dict(entry.get("headers", {})),
        websocket_text=entry.get("websocket_text"),
        event=entry.get("event"),
        payload=dict(entry.get("payload", {})),
        keys=tuple(entry.get("keys", ())),
    )


def _expected(folder: Path) -> dict[str, Any]:
    return tomllib.loads((folder / "expected.toml").read_text(encoding="utf-8"))


def load_case(folder: Path) -> Case:
    """Read one positive case folder."""
    expected = _expected(folder)
    application = expected["app"]
    return Case(
        name=folder.name,
        folder=folder,
        description=expected["description"],
        plan=_plan(folder),
        serve=application["serve"],
        factory=application.get("factory", False),
        wired=application["wired"],
        app_expr=application.get("expr", "app"),
        subfolder=expected["check"]["subfolder"],
        drift_file=expected["drift"]["file"],
        drift_code=expected["drift"]["code"],
        calls=tuple(_call(entry) for entry in expected.get("call", [])),
        requests=tuple(_request(entry) for entry in expected.get("request", [])),
    )


def load_error_case(folder: Path) -> ErrorCase:
    """Read one error case folder."""
    expected = _expected(folder)
    error = expected["error"]
    return ErrorCase(
        name=folder.name,
        folder=folder,
        description=expected["description"],
        exit_code=error["exit_code"],
        mentions=tuple(error.get("mentions", ())),
        lines=tuple(error.get("lines", ())),
        names_app_key=error.get("names_app_key", False),
    )


def _case_folders() -> list[Path]:
    return sorted(path.parent for path in CORPUS.glob("*/expected.toml"))


def positive_cases() -> list[Case]:
    """Every case on which ``generate`` must succeed."""
    return [load_case(folder) for folder in _case_folders() if "error" not in _expected(folder)]


def error_cases() -> list[ErrorCase]:
    """Every case on which ``generate`` must fail with one clear line."""
    return [load_error_case(folder) for folder in _case_folders() if "error" in _expected(folder)]


# --- files ----------------------------------------------------------------------------------


def copy_case(folder: Path, target: Path) -> Path:
    """Copy a case's project (not its ``expected.toml``) to ``target``; return ``target``."""
    shutil.copytree(
        folder, target, ignore=shutil.ignore_patterns("expected.toml", "__pycache__", "*.pyc")
    )
    return target


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (except bytecode caches), by POSIX relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def changed_lines(before: bytes, after: bytes) -> list[str]:
    """The diff operations other than pure insertions between two versions of a file.

    But for a stub handler's lone statement (``pass``...), whose place its log call takes, a
    stub taken off its ``def`` line (``def f(): ...``, ``def f():...``), the call going below,
    and a log call put into a one-line suite (``def f(): <call>; return x``).
    """
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [
        f"{tag} old lines {i1 + 1}-{i2}: {old[i1:i2]!r} -> {new[j1:j2]!r}"
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag not in ("equal", "insert")
        and not (i2 == i1 + 1 and old[i1].strip().decode() in STUB_STATEMENTS)
        and not (tag == "replace" and i2 == i1 + 1 and _stub_cut(old[i1], new[j1]))
        and not (
            tag == "replace" and i2 == i1 + 1 and j2 == j1 + 1 and _call_spliced(old[i1], new[j1])
        )
    ]


def _call_spliced(old: bytes, new: bytes) -> bool:
    """Whether ``new`` is the line ``old`` with a log call put into its one-line suite.

    ``<logger>.log(...); `` before a statement, or ``; <logger>.log(...)`` after one: nothing
    else of the line changed.
    """
    before, after = old.decode(), new.decode()
    prefix = next(
        (i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b), len(before)
    )
    added = len(after) - len(before)
    if added <= 0 or after[:prefix] + after[prefix + added :] != before:
        return False
    piece = after[prefix : prefix + added]
    for call in (piece.removesuffix("; "), piece.removeprefix("; ")):
        if call == piece:
            continue
        try:
            tree = ast.parse(call)
        except SyntaxError:
            continue
        if (
            len(tree.body) == 1
            and isinstance(tree.body[0], ast.Expr)
            and isinstance(tree.body[0].value, ast.Call)
            and isinstance(tree.body[0].value.func, ast.Attribute)
            and tree.body[0].value.func.attr == "log"
        ):
            return True
    return False


def _stub_cut(old: bytes, new: bytes) -> bool:
    """Whether ``new`` is the line ``old`` with the stub after its colon taken out."""
    text, cut = old.decode(), new.decode()
    return any(
        text[: match.start() + 1] + text[match.end() :] == cut
        for stub in STUB_STATEMENTS
        for match in re.finditer(rf":[ \t]*{re.escape(stub)}(?=\s|#|$)", text)
    )


def line_endings(data: bytes) -> set[str]:
    """The line endings used in a file (``"\\r\\n"``, ``"\\n"``, ``"\\r"``)."""
    endings: set[str] = set()
    for line in data.splitlines(keepends=True):
        if line.endswith(b"\r\n"):
            endings.add("\r\n")
        elif line.endswith(b"\n"):
            endings.add("\n")
        elif line.endswith(b"\r"):
            endings.add("\r")
    return endings


def source_text(data: bytes) -> str:
    """A Python file's text: UTF-8 without its BOM, line endings kept."""
    return data.removeprefix(BOM).decode("utf-8")


def append_code(path: Path, code: str) -> None:
    """Append ``code`` (LF endings) to a Python file, in the file's own line endings."""
    data = path.read_bytes()
    newline = "\r\n" if b"\r\n" in data else "\n"
    separator = "" if data.endswith((b"\n", b"\r")) else newline
    text = separator + "\n\n" + code.strip("\n") + "\n"
    path.write_bytes(data + text.replace("\n", newline).encode("utf-8"))


# --- the CLI --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """What one CLI invocation returned; an unexpected exception's traceback is in ``stderr``."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Both streams, for assertion messages."""
        return f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}"


def cli(*args: str) -> Run:
    """Invoke ``telemetry-scaffold`` in-process; a crash becomes exit code 1 with its traceback."""
    result = CliRunner().invoke(cli_app, list(args))
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return Run(result.exit_code, result.stdout, stderr)


# --- the log calls in a patched module --------------------------------------------------------


@dataclass(frozen=True)
class Function:
    """A function of a module, with the statements that belong to it (not to nested ones)."""

    qualname: str
    node: ast.FunctionDef | ast.AsyncFunctionDef


def functions(tree: ast.Module) -> list[Function]:
    """Every function of a module at any depth, named like ``__qualname__`` without ``<locals>``."""
    found: list[Function] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                qualname = f"{prefix}{child.name}"
                found.append(Function(qualname, child))
                visit(child, f"{qualname}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes under ``node`` that are not inside a nested function, class or lambda."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        yield child
        yield from own_nodes(child)


def module_name(file: str, plan: Plan) -> str:
    """The import name of a Python file of the backend (``backend/app/api/items.py``)."""
    relative = Path(file).relative_to(plan.backend).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve_import(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """The absolute module an ``ImportFrom`` names, seen from module ``importer``."""
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def bindings_of(tree: ast.Module, file: str, plan: Plan, module: str, name: str) -> list[str]:
    """The local names bound by ``from <module> import <name>`` (absolute or relative)."""
    importer = module_name(file, plan)
    is_package = file.endswith("__init__.py")
    found: list[str] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and resolve_import(node, importer, is_package) == module
        ):
            found += [alias.asname or alias.name for alias in node.names if alias.name == name]
    return found


def imports_of(tree: ast.Module, file: str, plan: Plan, module: str) -> list[ast.ImportFrom]:
    """The ``from ... import`` statements that import from ``module``."""
    importer = module_name(file, plan)
    is_package = file.endswith("__init__.py")
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and resolve_import(node, importer, is_package) == module
    ]


def is_log_call(node: ast.AST, logger: str) -> bool:
    """Whether ``node`` is a call ``<logger>.log(...)``."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "log"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == logger
    )


def body_after_docstring(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
    """A function's statements after its docstring, if it has one."""
    body = node.body
    first = body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return body[1:]
    return body


def names_bound_in(tree: ast.Module) -> set[str]:
    """Every name a module binds anywhere (assignments, defs, imports, parameters)."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return bound


def normalised(expression: str) -> str:
    """An expression's source in one canonical spelling (quotes, spacing)."""
    return ast.unparse(ast.parse(expression, mode="eval").body)


def line_indent(text: str, node: ast.stmt) -> str:
    """The characters before a statement on its first line."""
    line = text.splitlines()[node.lineno - 1]
    return line[: len(line) - len(line.lstrip(" \t"))]


# --- importing and calling the app -----------------------------------------------------------


def top_level_names(backend: Path) -> set[str]:
    """The importable names a backend folder provides (its packages, namespace ones included)."""
    names = {path.stem for path in backend.glob("*.py")}
    names |= {
        path.name
        for path in backend.iterdir()
        if path.is_dir() and path.name.isidentifier() and any(path.rglob("*.py"))
    }
    return names


def _provides(entry: str, tops: set[str]) -> bool:
    """Whether the import path ``entry`` holds a package or module named one of ``tops``."""
    folder = Path(entry or ".")
    return any((folder / top).is_dir() or (folder / f"{top}.py").is_file() for top in tops)


def _is_backend_module(name: str, tops: set[str]) -> bool:
    return name.split(".")[0] in tops


@contextmanager
def imported_backend(backend: Path) -> Iterator[None]:
    """Make ``backend``'s packages importable; forget them (and restore others') on exit."""
    tops = top_level_names(backend)
    foreign = {name: mod for name, mod in sys.modules.items() if _is_backend_module(name, tops)}
    for name in foreign:
        del sys.modules[name]
    # A regular package of the same name anywhere on the path (another backend an earlier test
    # left there) would win over a namespace package of this backend: hide those entries.
    path = list(sys.path)
    sys.path[:] = [str(backend), *(entry for entry in path if not _provides(entry, tops))]
    importlib.invalidate_caches()
    writes_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # the snapshots compare the case's files byte for byte
    try:
        yield
    finally:
        sys.dont_write_bytecode = writes_bytecode
        sys.path[:] = path
        for name in [name for name in sys.modules if _is_backend_module(name, tops)]:
            del sys.modules[name]
        sys.modules.update(foreign)


def load_app(backend: Path, serve: str, factory: bool) -> Any:
    """Import the app named by ``serve`` (``module:attribute``); call it when it is a factory.

    Call inside ``imported_backend(backend)``.
    """
    module_path, attribute = serve.split(":")
    module = importlib.import_module(module_path)
    assert Path(module.__file__ or "").resolve().is_relative_to(backend.resolve()), module
    target = getattr(module, attribute)
    return target() if factory else target


def answer(client: Any, request: Request) -> tuple[int, Any]:
    """The status and body a ``TestClient`` gets for ``request`` (text for a websocket)."""
    if request.websocket_text is not None:
        with client.websocket_connect(request.path) as socket:
            socket.send_text(request.websocket_text)
            return 101, socket.receive_text()
    response = client.request(
        request.method, request.path, json=request.json, headers=request.headers
    )
    json_body = response.headers.get("content-type", "").startswith("application/json")
    if json_body and response.content:
        return response.status_code, response.json()
    return response.status_code, response.text


class Records(logging.Handler):
    """Collects the event records the generated logger writes."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.events: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "analytics_event", None)
        if isinstance(event, dict):
            self.events.append(event)


@contextmanager
def recorded_events(logger_name: str) -> Iterator[Records]:
    """Capture the ``analytics_event`` of every record of ``logger_name`` at INFO."""
    logger = logging.getLogger(logger_name)
    handler = Records()
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


# Runs in a separate interpreter that has imported only what every backend shares (FastAPI and
# pydantic); each check forks a child of it, which imports the case's app from scratch. Starting
# a new interpreter per case costs over a second (mostly importing FastAPI), forking a few ms.
_IMPORTER = r"""
import json, os, sys, tempfile, traceback
import fastapi, pydantic, starlette.testclient

for line in sys.stdin:
    backend, code = json.loads(line)
    with tempfile.TemporaryFile() as output:
        pid = os.fork()
        if pid == 0:
            os.dup2(output.fileno(), 1)
            os.dup2(output.fileno(), 2)
            try:
                os.chdir(backend)
                sys.path.insert(0, backend)
                exec(compile(code, "<import check>", "exec"), {"__name__": "__main__"})
                sys.stdout.flush()
            except BaseException:
                traceback.print_exc()
                sys.stderr.flush()
                os._exit(1)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    print(json.dumps([os.waitstatus_to_exitcode(status), text]), flush=True)
"""


class Importer:
    """Imports a backend's modules in a process of their own, from the backend folder."""

    def __init__(self) -> None:
        self._server: subprocess.Popen[str] | None = None
        if hasattr(os, "fork"):
            self._server = subprocess.Popen(
                [sys.executable, "-B", "-c", _IMPORTER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )

    def run(self, backend: Path, code: str) -> tuple[int, str]:
        """Run ``code`` with ``backend`` as the current folder and first on ``sys.path``."""
        if self._server is None or self._server.stdin is None or self._server.stdout is None:
            result = subprocess.run(
                [sys.executable, "-B", "-c", code],
                cwd=backend,
                capture_output=True,
                text=True,
                check=False,
            )
            return result.returncode, result.stdout + result.stderr
        self._server.stdin.write(json.dumps([str(backend), code]) + "\n")
        self._server.stdin.flush()
        exit_code, output = json.loads(self._server.stdout.readline())
        return exit_code, output

    def close(self) -> None:
        """Stop the helper process."""
        if self._server is not None:
            self._server.communicate()
            self._server = None


def ruff_formatted(path: Path) -> bool:
    """Whether ``ruff format`` (line length 100, no other configuration) leaves a file as it is."""
    ruff = Path(sys.executable).parent / "ruff"
    command = [str(ruff)] if ruff.is_file() else [sys.executable, "-m", "ruff"]
    result = subprocess.run(
        [*command, "format", "--isolated", "--line-length", "100", "--check", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.returncode == 0
