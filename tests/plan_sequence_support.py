"""Plan-change sequences on the bundled project, and the invariant each must keep.

The invariant: after any sequence of plan changes, each followed by ``generate``, the project is
byte for byte what one ``generate`` from the final plan makes of the original sources; a second
``generate`` writes nothing, ``--check`` then passes, ``--diff`` before it showed exactly what
``generate`` wrote, and ``remove`` gives back the original sources.
"""

from __future__ import annotations

import copy
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomlkit

from tests.cli_support import REPO, apply_diff, copy_bundled_project, run, snapshot

Plan = dict[str, Any]
Edit = Callable[[Path], None]

MANIFEST = ".telemetry-scaffold.json"


def bundled_plan() -> Plan:
    """The bundled project's plan, as a TOML table."""
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    return copy.deepcopy(data["tool"]["telemetry-scaffold"])


def write_config(config: Path, plan: Plan, *, project: str | None = None) -> None:
    """Write ``config``: a TOML file holding ``plan`` as its ``[tool.telemetry-scaffold]``."""
    document = tomlkit.document()
    if project is not None:
        document["project"] = {"name": project}
    tool = tomlkit.table(is_super_table=True)
    tool["telemetry-scaffold"] = plan
    document["tool"] = tool
    config.write_text(tomlkit.dumps(document))


def write_plan(root: Path, plan: Plan) -> None:
    """Make ``plan`` the whole ``[tool.telemetry-scaffold]`` table of ``root``'s pyproject."""
    write_config(root / "pyproject.toml", plan, project="textbook")


def original_sources(target: Path) -> Path:
    """The bundled project as it was before telemetry-scaffold: sources and plan only."""
    root = copy_bundled_project(target)
    write_plan(root, bundled_plan())
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 0, removed.stdout + removed.stderr
    assert not (root / MANIFEST).exists()
    return root


def changed_files(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """The paths whose bytes differ (or that exist on one side only), but the plan's own file."""
    return sorted(
        path
        for path in set(before) | set(after)
        if path != "pyproject.toml" and before.get(path) != after.get(path)
    )


def generate_step(root: Path, work: Path) -> list[str]:
    """Run one ``generate`` as CI and a person would, and say what broke an invariant."""
    problems: list[str] = []
    before = snapshot(root)
    check = run("generate", "--root", str(root), "--check")
    diff = run("generate", "--root", str(root), "--diff")
    if snapshot(root) != before:
        problems.append("--check or --diff wrote files")
    applied = work / "diff-applied"
    shutil.rmtree(applied, ignore_errors=True)
    shutil.copytree(root, applied)
    # `patch` calls an input without a file diff garbage.
    patched = apply_diff(diff.stdout_bytes if "\n+++ " in diff.stdout else b"", applied)
    patched_ok = patched.returncode == 0 or "\n+++ " not in diff.stdout
    result = run("generate", "--root", str(root))
    after = snapshot(root)
    if result.exit_code != 0:
        return [*problems, f"generate exited {result.exit_code}: {result.stdout}{result.stderr}"]
    changed = changed_files(before, after)
    # The manifest alone may change as bookkeeping (the version that wrote it): not drift.
    if (check.exit_code == 0 and [path for path in changed if path != MANIFEST]) or (
        check.exit_code != 0 and not changed
    ):
        problems.append(f"--check exited {check.exit_code}, generate changed {changed}")
    shown = [
        path
        for path in changed_files(snapshot(applied), after)
        if path != MANIFEST and "diff-applied" not in path
    ]
    if not patched_ok or shown:
        problems.append(f"--diff is not what generate wrote: {shown} {patched.stdout!r}")
    if run("generate", "--root", str(root)).exit_code != 0 or snapshot(root) != after:
        problems.append(f"a second generate changed {changed_files(after, snapshot(root))}")
    again = run("generate", "--root", str(root), "--check")
    if again.exit_code != 0:
        problems.append(f"--check after generate exited {again.exit_code}: {again.stdout}")
    return problems


def second_plan_probe(root: Path) -> list[str]:
    """Try a second plan (its documents elsewhere) on ``root``: say what broke the refusal."""
    config = root / "second.toml"
    plan = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["telemetry-scaffold"]
    write_config(config, {**plan, "specs-dir": "second-specs"})
    before = snapshot(root)
    problems = []
    for flags in ((), ("--check",)):
        result = run("generate", *flags, "--root", str(root), "--config", str(config))
        if result.exit_code != 2 or snapshot(root) != before:
            problems.append(f"a second plan's generate {flags} exited {result.exit_code}")
    config.unlink()
    return problems


def run_sequence(
    original: Path,
    work: Path,
    plans: list[Plan],
    edits: dict[int, Edit] | None = None,
    source_edits: tuple[Edit, ...] = (),
    second_config_at: int | None = None,
) -> list[str]:
    """Generate from each plan in turn (``edits[i]`` first); say what broke the invariant.

    ``source_edits`` are the hand edits of user sources among ``edits``, made again on the
    original sources for the fresh reference. After step ``second_config_at`` a second plan
    (``--config``) on the same root must be refused, changing nothing.
    """
    edits = edits or {}
    project = work / "project"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(original, project)
    problems: list[str] = []
    for step, plan in enumerate(plans):
        write_plan(project, plan)
        if step in edits:
            edits[step](project)
        problems.extend(f"step {step}: {problem}" for problem in generate_step(project, work))
        if step == second_config_at:
            problems.extend(f"step {step}: {problem}" for problem in second_plan_probe(project))
    reference = work / "reference"
    shutil.rmtree(reference, ignore_errors=True)
    shutil.copytree(original, reference)
    write_plan(reference, plans[-1])
    for edit in source_edits:
        edit(reference)
    sources = snapshot(reference)
    assert run("generate", "--root", str(reference)).exit_code == 0
    different = changed_files(snapshot(project), snapshot(reference))
    if different:
        problems.append(f"not what a fresh generate writes: {different}")
    removed = run("remove", "--root", str(project))
    different = changed_files(snapshot(project), sources)
    if removed.exit_code != 0 or different:
        problems.append(f"remove exited {removed.exit_code}, left {different}: {removed.stdout}")
    return problems
