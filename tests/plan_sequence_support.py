"""Plan-change sequences on the bundled project, and the invariant each must keep.

The invariant: after any sequence of plan changes, each followed by ``generate``, the project is
byte for byte what one ``generate`` from the final plan makes of the original sources; a second
``generate`` writes nothing, ``--check`` then passes, ``--diff`` before it showed exactly what
``generate`` wrote, and ``remove`` gives back the original sources.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
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


# --- walks through git: branches merged, older commits checked out ---------------------------


@dataclass(frozen=True)
class PlanStep:
    """Write ``plan`` (and make the hand edit ``edit`` of the user's sources), then generate."""

    plan: Plan
    edit: Edit | None = None
    name: str = "plan"


@dataclass(frozen=True)
class CheckoutStep:
    """``git checkout <commit> -- .`` of the commit after step ``back``, then generate.

    What a person does to go back to an older plan and code: the files of the older commit
    come back, and files added since stay where they are.
    """

    back: int
    name: str = "checkout"


@dataclass(frozen=True)
class MergeStep:
    """Branch, write ``ours`` here and ``theirs`` there, generate on each, merge, resolve.

    The merge is resolved as the README says: the plan and the manifest of one side
    (``side``: "ours" or "theirs"), every other file left to generate; with ``resolved``, the
    plan is then written as that (a plan of the person's own, say merging both sides').
    """

    ours: Plan
    theirs: Plan
    side: str
    name: str = "merge"
    resolved: Plan | None = None

    @property
    def plan(self) -> Plan:
        """The plan once the merge is resolved."""
        if self.resolved is not None:
            return self.resolved
        return self.ours if self.side == "ours" else self.theirs


WalkStep = PlanStep | CheckoutStep | MergeStep


def _git(root: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=check,
    )
    return done.stdout


def _commit(root: Path, message: str) -> str:
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "--no-verify", "--allow-empty", "-m", message)
    return _git(root, "rev-parse", "HEAD").strip()


def _tree(root: Path) -> dict[str, bytes]:
    """The files of a work tree, but the `.git` file pointing at its repository."""
    return {path: data for path, data in snapshot(root).items() if path != ".git"}


def _repository(source: Path, folder: Path, git_dir: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(git_dir, ignore_errors=True)
    shutil.copytree(source, folder)
    _git(folder, "init", "-q", "-b", "main", f"--separate-git-dir={git_dir}")
    _commit(folder, "original")
    return folder


def plan_generates(sources: Path, work: Path, plan: Plan) -> bool:
    """Whether one fresh generate takes ``plan`` on a copy of ``sources`` (the user's alone)."""
    scratch = work / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(sources, scratch, ignore=shutil.ignore_patterns(".git"))
    write_plan(scratch, plan)
    return run("generate", "--root", str(scratch)).exit_code == 0


def run_git_walk(original: Path, work: Path, steps: list[WalkStep]) -> tuple[list[str], int]:
    """Walk ``steps`` on the original sources in a git repository; say what broke.

    Beside the project, a shadow repository holds the user's sources alone, taking the same
    hand edits and git operations. After each step the project must be what one generate of
    its plan makes of the shadow's sources (and generate_step's own checks hold); at the end
    ``remove`` must give back the shadow's files. A plan no fresh generate takes on the
    sources of the moment is not a step (skipped). Returns the problems and the steps taken.
    """
    project = _repository(original, work / "project", work / "project.git")
    shadow = _repository(original, work / "shadow", work / "shadow.git")
    points: list[tuple[str, str]] = []
    problems: list[str] = []
    taken = 0
    for number, step in enumerate(steps):
        if isinstance(step, CheckoutStep):
            if step.back >= len(points):
                continue
            for root, commit in zip((project, shadow), points[step.back], strict=True):
                _git(root, "checkout", "-q", commit, "--", ".")
            found = generate_step(project, work)
        elif isinstance(step, MergeStep):
            plans = (step.ours, step.theirs, step.plan)
            if not all(plan_generates(shadow, work, plan) for plan in plans):
                continue
            found = _merge(project, work, step)
            write_plan(shadow, step.plan)
        else:
            try:
                if step.edit is not None:
                    step.edit(shadow)
                applies = plan_generates(shadow, work, step.plan)
            except (OSError, ValueError, IndexError, StopIteration):
                applies = False  # an edit that no longer applies (its handler gone)
            if not applies:
                _git(shadow, "checkout", "-q", "--", ".")
                _git(shadow, "clean", "-q", "-f", "-d")
                continue
            write_plan(project, step.plan)
            write_plan(shadow, step.plan)
            if step.edit is not None:
                step.edit(project)
            found = generate_step(project, work)
        taken += 1
        found.extend(_against_fresh(project, shadow, work))
        problems.extend(f"step {number} ({step.name}): {problem}" for problem in found)
        if problems:
            return problems, taken  # later steps would build on a broken state
        points.append((_commit(project, f"step {number}"), _commit(shadow, f"step {number}")))
    removed = run("remove", "--root", str(project))
    different = changed_files(_tree(project), _tree(shadow))
    if removed.exit_code != 0 or different:
        problems.append(f"remove exited {removed.exit_code}, left {different}: {removed.stdout}")
    return problems, taken


def _merge(project: Path, work: Path, step: MergeStep) -> list[str]:
    """Generate ``theirs`` on a branch and ``ours`` here, merge, resolve; what broke."""
    problems: list[str] = []
    _git(project, "checkout", "-q", "-b", "other")
    for branch, plan in (("other", step.theirs), ("main", step.ours)):
        if branch == "main":
            _git(project, "checkout", "-q", "main")
        write_plan(project, plan)
        done = run("generate", "--root", str(project))
        if done.exit_code != 0:
            problems.append(f"generate on {branch} exited {done.exit_code}: {done.stdout}")
        _commit(project, branch)
    ours = _git(project, "rev-parse", "HEAD").strip()
    _git(project, "merge", "-q", "--no-edit", "other", check=False)
    # This side as it was before the merge: a merge without conflicts moved `main` itself to
    # the merge commit, whose plan is the other side's wherever only that side changed it.
    side = ours if step.side == "ours" else "other"
    _git(project, "checkout", "-q", side, "--", "pyproject.toml", MANIFEST)
    if step.resolved is not None:
        write_plan(project, step.resolved)
    problems.extend(generate_step(project, work))
    _git(project, "branch", "-q", "-D", "other", check=False)
    return problems


def _against_fresh(project: Path, shadow: Path, work: Path) -> list[str]:
    """Whether the project is what one generate of its plan makes of the shadow's sources."""
    reference = work / "reference"
    shutil.rmtree(reference, ignore_errors=True)
    shutil.copytree(shadow, reference, ignore=shutil.ignore_patterns(".git"))
    done = run("generate", "--root", str(reference))
    if done.exit_code != 0:
        return [f"a fresh generate exited {done.exit_code}: {done.stdout}"]
    different = changed_files(_tree(project), _tree(reference))
    return [f"not what a fresh generate writes: {different}"] if different else []
