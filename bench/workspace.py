"""Throw-away copies of the project for the benchmarks, under the git-ignored ``bench/.work/``.

``generate`` never runs against the checkout itself. A *pristine* copy is the bundled project as
a user has it before the first ``generate``: no generated files, no manifest, and ``main.py`` and
the instrumented modules without the statements the patchers insert. Because the patchers only
ever *insert* whole statements (and record nothing else), the pristine text is recovered from a
patched file by deleting those statements, found with :mod:`ast`. A *generated* copy is a
pristine copy after one ``generate``, i.e. up to date.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from common import CLI, PROJECT_ROOT, WORK_DIR, bench_env

from telemetry_cli.plan import Plan, load_plan

MANIFEST = ".telemetry-scaffold.json"
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache")


@dataclass(frozen=True)
class Scaffold:
    """What a pristine copy needs beyond the bundled project: extra modules and a plan table."""

    extra_modules: tuple[tuple[str, str], ...] = ()
    """(path relative to the app package, source) of modules to add."""
    plan_toml: str | None = None
    """A replacement ``[tool.telemetry-scaffold]`` table (None: keep the bundled plan)."""


def fresh_dir(name: str) -> Path:
    """Return an empty folder ``bench/.work/<name>``."""
    folder = WORK_DIR / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def _imported_names(tree: ast.Module, module_name: str, analytics_package: str) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and _is_analytics(node, module_name, analytics_package):
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def _resolve(node: ast.ImportFrom, module_name: str) -> str:
    if node.level == 0:
        return node.module or ""
    package = module_name.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _is_analytics(node: ast.ImportFrom, module_name: str, analytics_package: str) -> bool:
    target = _resolve(node, module_name)
    return target == analytics_package or target.startswith(analytics_package + ".")


def _is_inserted_call(statement: ast.stmt, names: set[str]) -> bool:
    """Whether ``statement`` is one the patchers insert: a bare call through an analytics name."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return False
    call = statement.value
    func = call.func
    # event_logger.log(...), install_error_capture(app), app.include_router(telemetry_router)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.value.id in names:
            return True
        if func.attr == "include_router" and call.args:
            first = call.args[0]
            return isinstance(first, ast.Name) and first.id in names
        return False
    return isinstance(func, ast.Name) and func.id in names


def strip_instrumentation(source: str, module_name: str, analytics_package: str) -> str:
    """Return ``source`` without the imports and calls that ``generate`` inserted into it.

    Args:
        source: a patched (or pristine) user module.
        module_name: its dotted import name, to resolve relative imports (``app.api.ai_blocks``).
        analytics_package: the generated package (``app.analytics``).
    """
    tree = ast.parse(source)
    names = _imported_names(tree, module_name, analytics_package)
    doomed: list[ast.stmt] = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and _is_analytics(node, module_name, analytics_package)
    ]
    doomed.extend(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.stmt) and _is_inserted_call(node, names)
    )
    lines = source.splitlines(keepends=True)
    remove: set[int] = set()
    for node in doomed:
        end = node.end_lineno or node.lineno
        remove.update(range(node.lineno - 1, end))

    def blank(index: int) -> bool:
        return 0 <= index < len(lines) and index not in remove and not lines[index].strip()

    # An import inserted as a group of its own came with a blank line after it: drop that too.
    for index in sorted(remove):
        run_end = index + 1 not in remove
        if run_end and blank(_run_start(remove, index) - 1) and blank(index + 1):
            remove.add(index + 1)
    return "".join(line for index, line in enumerate(lines) if index not in remove)


def _run_start(indices: set[int], index: int) -> int:
    while index - 1 in indices:
        index -= 1
    return index


def _patched_modules(plan: Plan) -> list[tuple[str, str]]:
    """(path relative to the root, dotted module name) of every file ``generate`` patches."""
    modules = [(plan.main_path, plan.main_module)]
    modules.extend(
        (plan.module_path(module), plan.module_import_name(module)) for module, _ in plan.instrument
    )
    return modules


def _generated_paths(root: Path, plan: Plan) -> Iterable[Path]:
    manifest = root / MANIFEST
    if manifest.is_file():
        files = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
        yield from (root / path for path in files)
    yield root / plan.analytics_dir
    yield root / plan.feature_dir
    yield manifest


def make_pristine(destination: Path, scaffold: Scaffold | None = None) -> Plan:
    """Copy the bundled project into ``destination`` as it is before the first ``generate``.

    Returns:
        The plan of the copy.
    """
    scaffold = scaffold or Scaffold()
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(PROJECT_ROOT / "pyproject.toml", destination / "pyproject.toml")
    shutil.copytree(PROJECT_ROOT / "backend", destination / "backend", ignore=_IGNORE)
    for optional in ("specs", MANIFEST):
        source = PROJECT_ROOT / optional
        if source.is_dir():
            shutil.copytree(source, destination / optional, ignore=_IGNORE)
        elif source.is_file():
            shutil.copy2(source, destination / optional)

    # Un-generate with the bundled plan, which is what the checkout's files were made from.
    bundled = load_plan(root=destination)
    for path in _generated_paths(destination, bundled):
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for relative, module_name in _patched_modules(bundled):
        target = destination / relative
        if target.is_file():
            text = target.read_text(encoding="utf-8")
            target.write_text(
                strip_instrumentation(text, module_name, bundled.analytics_package),
                encoding="utf-8",
            )

    for relative, text in scaffold.extra_modules:
        target = destination / bundled.app_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if scaffold.plan_toml is not None:
        pyproject = destination / "pyproject.toml"
        pyproject.write_text(
            replace_tool_table(pyproject.read_text(encoding="utf-8"), scaffold.plan_toml),
            encoding="utf-8",
        )
    as_checkout(destination)
    return load_plan(root=destination)


def as_checkout(root: Path) -> None:
    """Make ``root`` the work tree of its own repository, one commit deep, as CI checks out.

    A CI runner's checkout (``actions/checkout``'s default) is a clone one commit deep. Under
    the git-ignored ``bench/.work/`` a copy would otherwise sit in the tool's own repository,
    and the tool's look at the manifest's earlier versions would walk its 1,500 unrelated
    commits on every run (about 30 ms), a cost no user's project has in that form.
    """
    shutil.rmtree(root / ".git", ignore_errors=True)
    env = bench_env(
        GIT_AUTHOR_NAME="bench",
        GIT_AUTHOR_EMAIL="bench@localhost",
        GIT_COMMITTER_NAME="bench",
        GIT_COMMITTER_EMAIL="bench@localhost",
    )
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "--no-verify", "-m", "checkout"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def replace_tool_table(pyproject: str, table: str) -> str:
    """Replace the ``[tool.telemetry-scaffold]`` table of ``pyproject`` (or append one).

    Its sub-tables (``[tool.telemetry-scaffold.events.<type>]``, ...) go with it.
    """
    lines = pyproject.splitlines(keepends=True)

    def ours(line: str) -> bool:
        header = line.strip()
        return header == "[tool.telemetry-scaffold]" or header.startswith(
            "[tool.telemetry-scaffold."
        )

    start = next((i for i, line in enumerate(lines) if ours(line)), None)
    if start is None:
        return pyproject.rstrip("\n") + "\n\n" + table
    end = start + 1
    while end < len(lines) and (not lines[end].lstrip().startswith("[") or ours(lines[end])):
        end += 1
    # Keep the comment lines that introduce the next table with it.
    while end > start + 1 and lines[end - 1].lstrip().startswith("#"):
        end -= 1
    return "".join(lines[:start]) + table.rstrip("\n") + "\n\n" + "".join(lines[end:])


class GenerateFailed(RuntimeError):
    """``generate`` did not succeed on a copy (the project is mid-change, or a bug)."""


def run_cli(args: Sequence[str], root: Path) -> subprocess.CompletedProcess[str]:
    """Run ``telemetry-scaffold`` with ``args --root root`` and capture its output."""
    return subprocess.run(
        [CLI, *args, "--root", str(root)],
        capture_output=True,
        text=True,
        env=bench_env(),
        check=False,
        timeout=600,
    )


def generate(root: Path) -> None:
    """Run ``generate`` on ``root`` and confirm ``--check`` then finds it up to date."""
    for args in (["generate"], ["generate", "--check"]):
        result = run_cli(args, root)
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()[-12:]
            raise GenerateFailed(
                f"`telemetry-scaffold {' '.join(args)}` exited {result.returncode} on {root}:\n"
                + "\n".join(detail)
            )


def make_generated(destination: Path, scaffold: Scaffold | None = None) -> Plan:
    """Make a pristine copy and run ``generate`` on it once, so that it is up to date."""
    plan = make_pristine(destination, scaffold)
    generate(destination)
    as_checkout(destination)  # its generated files committed, as a CI check finds them
    return plan


def round_trip_note(generated_root: Path) -> str | None:
    """Compare the patched files of a regenerated copy with the checkout's own, if it has them.

    When the checkout carries its generated output (a manifest), regenerating a pristine copy must
    reproduce its patched files byte for byte; a difference means the pristine text recovered by
    :func:`strip_instrumentation` is not what the checkout started from.
    """
    if not (PROJECT_ROOT / MANIFEST).is_file():
        return None
    plan = load_plan(root=generated_root)
    differing = [
        relative
        for relative, _ in _patched_modules(plan)
        if (PROJECT_ROOT / relative).is_file()
        and (PROJECT_ROOT / relative).read_bytes() != (generated_root / relative).read_bytes()
    ]
    if differing:
        return (
            "regenerating a pristine copy does not reproduce the checkout's "
            f"{', '.join(differing)} byte for byte (the checkout may be out of date)"
        )
    return None


def render_layer(plan: Plan) -> Path:
    """Render only the analytics package of ``plan`` into its root; return the backend folder.

    What the in-process logger benchmarks import: the layer alone, with an empty host package.
    """
    from telemetry_cli.render import render_outputs

    for rendered in render_outputs(plan):
        if rendered.content is not None and rendered.path.startswith(plan.analytics_dir + "/"):
            target = plan.root / rendered.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(rendered.content, encoding="utf-8", newline="\n")
    (plan.root / plan.app_dir / "__init__.py").write_text('"""Host package."""\n', encoding="utf-8")
    return plan.root / plan.backend
