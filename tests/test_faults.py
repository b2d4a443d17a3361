"""Faults and hostile input: failed writes, odd project trees, and the real console entry point.

Every case must end with a clear outcome (an exit code and a line naming the file) and never a
traceback; a failed run must leave each file wholly old or wholly new, and a rerun must converge.
"""

from __future__ import annotations

import errno
import json
import os
import pty
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from telemetry_cli import __version__, files, sync
from telemetry_cli.errors import UserError
from telemetry_cli.plan import Plan, load_plan
from telemetry_cli.render import RenderedFile
from telemetry_cli.render import render_context as render_context_from_templates
from tests.cli_support import apply_diff, make_project, run, snapshot

# A plan change that rewrites most generated files (the router, the models, the documents).
PLAN_CHANGE = (
    'api-prefix = "/v2/events"\nevent-types = ["ai_block_used", "page_view", "error_event"]\n'
)
LOGGER = "backend/app/analytics/event_logger.py"
MANIFEST = sync.MANIFEST_PATH
BLOCKS = "backend/app/api/ai_blocks.py"


@pytest.fixture(autouse=True)
def steady_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render each distinct template context once per test.

    Tests here compare trees produced by several runs; reusing the first rendering keeps them
    comparable even while someone edits the templates during the test run.
    """
    rendered: dict[str, list[RenderedFile]] = {}

    def render_context(
        plan: Plan, context: dict[str, object], known: object = None
    ) -> list[RenderedFile]:
        # Everything is rendered here (known is for installed versions, not these tests).
        key = json.dumps(context, sort_keys=True, default=str)
        if key not in rendered:
            rendered[key] = render_context_from_templates(plan, context)
        return list(rendered[key])

    monkeypatch.setattr(sync, "render_context", render_context)


def change_plan(project: Path) -> None:
    config = project / "pyproject.toml"
    config.write_text(config.read_text() + PLAN_CHANGE)


def temp_files(root: Path) -> list[str]:
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob(".*.tmp")
        if "__pycache__" not in path.parts
    )


def assert_one_error_line(stderr: str, *fragments: str) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, stderr)


# --------------------------------------------------------------------------------------------
# 1. Atomic writes under injected failures
# --------------------------------------------------------------------------------------------


class _HalfWriter:
    """A binary file that writes half of what it is given, then reports a full disk."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    def write(self, data: bytes) -> int:
        self._handle.write(data[: len(data) // 2])
        self._handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> _HalfWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


@dataclass
class FaultInjector:
    """Counts the atomic writes of a run and makes write number ``fail_at`` fail.

    The fault is injected below :func:`telemetry_cli.files.atomic_write` (the OS calls it makes),
    and only while that one write is in progress, so the function's own clean-up is exercised.
    """

    kind: str  # "write": ENOSPC half-way through the temp file; "fsync"; "rename"
    fail_at: int | None = None
    targets: list[Path] = field(default_factory=list)
    durable: list[bool] = field(default_factory=list)  # synced to disk (fsync), per write
    fired: bool = False
    _armed: bool = False

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real_atomic_write = files.atomic_write
        real_fdopen = os.fdopen
        real_fsync = os.fsync
        real_replace = Path.replace

        def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
            self.targets.append(path)
            self.durable.append(durable)
            self._armed = len(self.targets) == self.fail_at
            try:
                real_atomic_write(path, data, durable=durable)
            finally:
                self._armed = False

        def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
            handle = real_fdopen(fd, *args, **kwargs)
            if self._armed and self.kind == "write":
                self.fired = True
                return _HalfWriter(handle)
            return handle

        def fsync(fd: int) -> None:
            if self._armed and self.kind == "fsync":
                self.fired = True
                raise OSError(errno.ENOSPC, "No space left on device")
            real_fsync(fd)

        def replace(path: Path, target: Any) -> Path:
            if self._armed and self.kind == "rename":
                self.fired = True
                raise OSError(errno.EACCES, "Permission denied")
            return real_replace(path, target)

        monkeypatch.setattr(sync, "atomic_write", atomic_write)
        monkeypatch.setattr(os, "fdopen", fdopen)
        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(Path, "replace", replace)


FAULTS = {
    "write": "No space left on device",
    "fsync": "No space left on device",
    "rename": "Permission denied",
}


def _start_tree(base: Path, scenario: str) -> Path:
    project = make_project(base)
    if scenario == "plan-change":
        assert run("generate", "--root", str(project)).exit_code == 0
        change_plan(project)
    return project


@pytest.mark.parametrize("scenario", ["fresh", "plan-change"])
@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_every_write_failing_leaves_whole_files_and_a_rerun_converges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: str, kind: str
) -> None:
    pristine = _start_tree(tmp_path / "pristine", scenario)
    original = snapshot(pristine)

    # The reference: a clean run on an identical copy, counting its writes on the way.
    reference_root = tmp_path / "reference"
    shutil.copytree(pristine, reference_root)
    with monkeypatch.context() as patch:
        counter = FaultInjector(kind)
        counter.install(patch)
        assert run("generate", "--root", str(reference_root)).exit_code == 0
    reference = snapshot(reference_root)
    written = [path.relative_to(reference_root).as_posix() for path in counter.targets]
    assert written[-1] == sync.MANIFEST_PATH, "the manifest must be written last"
    assert len(written) >= 4, written
    # The user's patched files are synced to disk (a fresh run patches some), the tool's own
    # outputs are not.
    # The manifest may be written first too (see test_a_run_stopped_part_way_...), and synced.
    synced = {path for path, durable in zip(written, counter.durable, strict=True) if durable}
    assert synced <= {"backend/app/main.py", "backend/app/api/ai_blocks.py", MANIFEST}, synced
    assert synced or scenario != "fresh", written

    for k, failing in enumerate(written, start=1):
        if kind == "fsync" and not counter.durable[k - 1]:
            continue  # a generated output is not synced to disk: no fsync to fail
        project = tmp_path / f"fail-{k}"
        shutil.copytree(pristine, project)
        with monkeypatch.context() as patch:
            injector = FaultInjector(kind, fail_at=k)
            injector.install(patch)
            result = run("generate", "--root", str(project))
        where = f"{kind} fault at write {k} ({failing})"
        assert injector.fired, where
        assert result.exit_code == 1, where
        assert "Traceback" not in result.stdout + result.stderr, where
        assert_one_error_line(result.stderr, failing, FAULTS[kind])

        after = snapshot(project)
        assert temp_files(project) == [], where
        for path in sorted(set(original) | set(reference) | set(after)):
            if path == MANIFEST and after.get(path) not in (original.get(path), reference[path]):
                # The record of both plans, written before any other file: it names them all.
                files = json.loads(after[path])["files"]
                assert set(files) >= set(json.loads(reference[path])["files"]), where
                continue
            assert after.get(path) in (original.get(path), reference.get(path)), (where, path)
        # Writes are in order: the ones before the fault are complete, the failed one untouched.
        for done in written[: k - 1]:
            assert after.get(done) == reference[done] or done == MANIFEST, (where, done)
        assert after.get(failing) == original.get(failing) or failing == MANIFEST, where
        # Red until a run finishes: a first run stopped at its manifest (every other file
        # written) left the record of both plans, taken for a mere bookkeeping update.
        assert run("generate", "--root", str(project), "--check").exit_code == 1, where

        rerun = run("generate", "--root", str(project))
        assert rerun.exit_code == 0, (where, rerun.stdout, rerun.stderr)
        assert snapshot(project) == reference, where
        assert run("generate", "--root", str(project), "--check").exit_code == 0, where


def test_a_forced_run_stopped_after_a_backup_then_run_again_keeps_one_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The backup of a hand-edited file is written before the file: a run stopped in between,
    # then run again, wrote a second backup of the same bytes (name.bak.1), one more per retry.
    pristine = make_project(tmp_path / "pristine")
    assert run("generate", "--root", str(pristine)).exit_code == 0
    change_plan(pristine)
    edited = pristine / LOGGER
    edited.write_text(edited.read_text() + "# mine\n")
    reference = tmp_path / "reference"
    shutil.copytree(pristine, reference)
    assert run("generate", "--root", str(reference), "--force").exit_code == 0
    assert (reference / f"{LOGGER}.bak").read_bytes() == edited.read_bytes()

    project = tmp_path / "project"
    shutil.copytree(pristine, project)
    real_replace = Path.replace

    def replace(path: Path, target: Any) -> Path:
        # The disk fills up once the backup is written, before the file is.
        if Path(target) == project / LOGGER and (project / f"{LOGGER}.bak").exists():
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(path, target)

    for _ in range(2):
        with monkeypatch.context() as patch:
            patch.setattr(Path, "replace", replace)
            result = run("generate", "--root", str(project), "--force")
        assert result.exit_code == 1, result.stdout
        assert_one_error_line(result.stderr, LOGGER, "No space left on device")
    assert run("generate", "--root", str(project), "--force").exit_code == 0
    assert snapshot(project) == snapshot(reference)


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.EBUSY])
def test_remove_failing_to_delete_a_file_names_remove_and_a_rerun_converges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    # The line said "cannot write" and told to rerun generate, which puts the layer back.
    project = make_project(tmp_path / "project")
    pristine = snapshot(project)
    assert run("generate", "--root", str(project)).exit_code == 0
    real_unlink = Path.unlink

    def unlink(path: Path, missing_ok: bool = False) -> None:
        if path == project / LOGGER:
            raise OSError(code, os.strerror(code))
        real_unlink(path, missing_ok=missing_ok)

    with monkeypatch.context() as patch:
        patch.setattr(Path, "unlink", unlink)
        result = run("remove", "--root", str(project))
    assert result.exit_code == 1, result.stdout
    assert_one_error_line(
        result.stderr,
        f"{LOGGER}: cannot remove: {os.strerror(code)}",
        "rerun telemetry-scaffold remove",
    )
    assert (project / LOGGER).is_file()
    again = run("remove", "--root", str(project))
    assert again.exit_code == 0, again.stdout + again.stderr
    assert snapshot(project) == pristine


@dataclass
class StepStopper:
    """Counts the writes and deletions of a run in the project and stops it at step ``stop_at``.

    ``interrupt``: a Ctrl-C (KeyboardInterrupt) there, else an I/O error; either before the
    step takes effect, so the steps before it are done and the rest untouched.
    """

    root: Path
    interrupt: bool
    stop_at: int | None = None
    steps: list[str] = field(default_factory=list)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real_atomic_write = files.atomic_write
        real_unlink = Path.unlink

        def step(path: Path) -> None:
            self.steps.append(Path(path).relative_to(self.root).as_posix())
            if len(self.steps) == self.stop_at:
                raise KeyboardInterrupt if self.interrupt else OSError(errno.EIO, "I/O error")

        def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
            step(path)
            real_atomic_write(path, data, durable=durable)

        def unlink(path: Path, missing_ok: bool = False) -> None:
            # atomic_write's own temporary file is not a step of the run.
            if self.root in Path(path).parents and not Path(path).name.endswith(".tmp"):
                step(path)
            real_unlink(path, missing_ok=missing_ok)

        monkeypatch.setattr(sync, "atomic_write", atomic_write)
        monkeypatch.setattr(Path, "unlink", unlink)


@pytest.mark.parametrize("stop", ["interrupt", "io-error"])
@pytest.mark.parametrize("command", ["generate", "remove"])
def test_a_run_stopped_at_any_write_or_deletion_is_finished_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, stop: str
) -> None:
    # Every step of a generate of a changed plan, and of a remove (whose deletions the writes
    # tests above do not reach): stopped there, each file is wholly old or wholly new, no
    # temporary file is left, --check says the work is not done, and the same command run
    # again finishes it.
    pristine = make_project(tmp_path / "pristine")
    assert run("generate", "--root", str(pristine)).exit_code == 0
    if command == "generate":
        change_plan(pristine)
    original = snapshot(pristine)
    reference_root = tmp_path / "reference"
    shutil.copytree(pristine, reference_root)
    with monkeypatch.context() as patch:
        counter = StepStopper(reference_root, stop == "interrupt")
        counter.install(patch)
        assert run(command, "--root", str(reference_root)).exit_code == 0
    reference = snapshot(reference_root)
    assert len(counter.steps) >= 10, counter.steps
    for k, step in enumerate(counter.steps, start=1):
        where = f"{stop} at step {k} ({step})"
        project = tmp_path / f"stopped-{k}"
        shutil.copytree(pristine, project)
        with monkeypatch.context() as patch:
            StepStopper(project, stop == "interrupt", stop_at=k).install(patch)
            try:
                stopped = run(command, "--root", str(project)).exit_code
            except KeyboardInterrupt:
                stopped = 130  # main() exits 130 on it (test_cli_hostile: a real SIGINT)
        assert stopped == (130 if stop == "interrupt" else 1), where
        after = snapshot(project)
        assert temp_files(project) == [], where
        for path in sorted(set(after) - {MANIFEST}):
            assert after[path] in (original.get(path), reference.get(path)), (where, path)
        assert run(command, "--root", str(project), "--check").exit_code == 1, where
        again = run(command, "--root", str(project))
        assert again.exit_code == 0, (where, again.stdout, again.stderr)
        assert snapshot(project) == reference, where
        assert run(command, "--root", str(project), "--check").exit_code == 0, where


# Plan changes that move the layer and the documents (another package, another feature folder),
# or log another event type in an instrumented module.
PLAN_MOVES = {
    "layer": 'layer-package = "telemetry"\nfeature = "060-other"\n' + PLAN_CHANGE,
    "event": PLAN_CHANGE + 'instrument = { "api/ai_blocks.py" = "page_view" }\n',
}


@pytest.mark.parametrize("again", ["old", "new"])
@pytest.mark.parametrize("move", sorted(PLAN_MOVES))
def test_a_run_stopped_part_way_then_either_plan_again_converges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, move: str, again: str
) -> None:
    # A run stopped part way (killed, a full disk) wrote some files of the new plan before its
    # manifest; the next run, of the old plan again or of the new one, must still find them:
    # nothing of the other plan left, no handler logging twice.
    base = make_project(tmp_path / "base")
    assert run("generate", "--root", str(base)).exit_code == 0
    config = base / "pyproject.toml"
    old_config = config.read_text()
    new_config = old_config + PLAN_MOVES[move]
    config.write_text(new_config)
    counted = tmp_path / "counted"
    shutil.copytree(base, counted)
    with monkeypatch.context() as patch:
        counter = FaultInjector("rename")
        counter.install(patch)
        assert run("generate", "--root", str(counted)).exit_code == 0
    if again == "old":
        (counted / "pyproject.toml").write_text(old_config)
        assert run("generate", "--root", str(counted)).exit_code == 0
    reference = snapshot(counted)
    assert len(counter.targets) >= 4, counter.targets
    for k in range(1, len(counter.targets) + 1):
        project = tmp_path / f"stopped-{k}"
        shutil.copytree(base, project)
        with monkeypatch.context() as patch:
            injector = FaultInjector("rename", fail_at=k)
            injector.install(patch)
            assert run("generate", "--root", str(project)).exit_code == 1, k
        (project / "pyproject.toml").write_text(old_config if again == "old" else new_config)
        rerun = run("generate", "--root", str(project))
        assert rerun.exit_code == 0, (k, rerun.stdout, rerun.stderr)
        after = snapshot(project)
        assert sorted(set(after) ^ set(reference)) == [], k
        assert [path for path in after if after[path] != reference[path]] == [], k
        assert run("generate", "--root", str(project), "--check").exit_code == 0, k


def test_a_run_stopped_part_way_after_a_module_was_renamed_then_converges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The user renames an instrumented module (and the plan with it) and changes the event it
    # logs: a run follows the module and replaces its calls. Stopped part way, it had recorded
    # the new module as logging the new type while its calls still logged the old one: the
    # rerun refused them ("logs 'ai_block_used', expected 'page_view'") and failed for good.
    base = make_project(tmp_path / "base")
    assert run("generate", "--root", str(base)).exit_code == 0
    (base / BLOCKS).rename(base / "backend/app/api/blocks.py")
    main = base / "backend/app/main.py"
    main.write_text(main.read_text().replace("ai_blocks", "blocks"))
    config = base / "pyproject.toml"
    config.write_text(
        config.read_text() + PLAN_CHANGE + 'instrument = { "api/blocks.py" = "page_view" }\n'
    )
    reference_root = tmp_path / "reference"
    shutil.copytree(base, reference_root)
    with monkeypatch.context() as patch:
        counter = FaultInjector("rename")
        counter.install(patch)
        assert run("generate", "--root", str(reference_root)).exit_code == 0
    reference = snapshot(reference_root)
    for k in range(1, len(counter.targets) + 1):
        project = tmp_path / f"stopped-{k}"
        shutil.copytree(base, project)
        with monkeypatch.context() as patch:
            FaultInjector("rename", fail_at=k).install(patch)
            assert run("generate", "--root", str(project)).exit_code == 1, k
        assert run("generate", "--root", str(project), "--check").exit_code == 1, k
        rerun = run("generate", "--root", str(project))
        assert rerun.exit_code == 0, (k, rerun.stdout, rerun.stderr)
        assert snapshot(project) == reference, k
        assert run("generate", "--root", str(project), "--check").exit_code == 0, k


def test_a_run_stopped_part_way_through_a_layout_change_then_another_plan_is_stable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The app package becomes the backend folder (the flat layout) and the run stops part way;
    # the rerun, of yet another plan, takes out the code the old layout left and must name each
    # route as a fresh run does: with the prefix the app includes its router under, at once (a
    # second run changing the calls would leave `generate --check` red after a green run).
    base = make_project(tmp_path / "base")
    main = base / "backend" / "app" / "main.py"
    main.write_text(
        main.read_text().replace(
            ".include_router(ai_blocks.router)", '.include_router(ai_blocks.router, prefix="/v1")'
        )
    )
    assert run("generate", "--root", str(base)).exit_code == 0
    config = base / "pyproject.toml"
    flat = 'backend = "backend/app"\napp-package = ""\napp = "main:app"\n'
    config.write_text(config.read_text() + flat)
    then = config.read_text() + PLAN_CHANGE
    reference = tmp_path / "reference"
    shutil.copytree(base, reference)
    (reference / "pyproject.toml").write_text(then)
    assert run("generate", "--root", str(reference)).exit_code == 0
    assert b'"/v1/api/ai/ask-question"' in (reference / BLOCKS).read_bytes()
    expected = snapshot(reference)
    for k in (1, 2, 3):
        project = tmp_path / f"stopped-{k}"
        shutil.copytree(base, project)
        with monkeypatch.context() as patch:
            FaultInjector("rename", fail_at=k).install(patch)
            assert run("generate", "--root", str(project)).exit_code == 1, k
        (project / "pyproject.toml").write_text(then)
        assert run("generate", "--root", str(project)).exit_code == 0, k
        after = snapshot(project)
        assert [
            p for p in sorted(set(after) | set(expected)) if after.get(p) != expected.get(p)
        ] == [], k
        assert run("generate", "--root", str(project), "--check").exit_code == 0, k


# --------------------------------------------------------------------------------------------
# 2. Hostile input
# --------------------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def _folder_is_writable(folder: Path) -> bool:
    probe = folder / ".write-probe"
    try:
        probe.write_bytes(b"")
    except PermissionError:
        return False
    probe.unlink()
    return True


@pytest.mark.parametrize("how", ["chmod", "simulated"])
def test_read_only_target_folder(project: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    assert run("generate", "--root", str(project)).exit_code == 0
    change_plan(project)
    analytics = project / "backend/app/analytics"
    before = snapshot(project)
    with monkeypatch.context() as patch:
        if how == "chmod":
            analytics.chmod(0o555)
            if _folder_is_writable(analytics):
                analytics.chmod(0o755)
                pytest.skip("running as root: chmod 0o555 does not stop writes (see 'simulated')")
        else:
            # What a read-only folder does to us: creating the temp file beside a target fails.
            real_mkstemp = tempfile.mkstemp

            def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
                folder = kwargs.get("dir")
                if folder is not None and Path(folder) == analytics:
                    raise PermissionError(errno.EACCES, "Permission denied", str(folder))
                return real_mkstemp(*args, **kwargs)

            patch.setattr(tempfile, "mkstemp", mkstemp)
        try:
            result = run("generate", "--root", str(project))
        finally:
            analytics.chmod(0o755)
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, "backend/app/analytics/", "Permission denied")
    assert "Traceback" not in result.stdout + result.stderr
    after = snapshot(project)
    unchanged = [p for p in before if p.startswith("backend/app/analytics/")]
    assert unchanged and all(after[p] == before[p] for p in unchanged)
    assert after[sync.MANIFEST_PATH] == before[sync.MANIFEST_PATH]
    assert set(after) == set(before)
    assert temp_files(project) == []

    assert run("generate", "--root", str(project)).exit_code == 0
    assert run("generate", "--root", str(project), "--check").exit_code == 0


def test_missing_backend_folder_is_a_config_error_and_writes_nothing(project: Path) -> None:
    shutil.rmtree(project / "backend")
    before = snapshot(project)
    result = run("generate", "--root", str(project))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 2, result.stdout + result.stderr
    assert_one_error_line(result.stderr, "backend")
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('backend = "../elsewhere"', "backend"),
        ('specs-dir = "../outside"', "specs-dir"),
        ('specs-dir = "/tmp/telemetry-scaffold-outside"', "specs-dir"),
        ('instrument = { "/srv/x.py" = "ai_block_used" }', "instrument"),
        ('instrument = { "api/../../../x.py" = "ai_block_used" }', "instrument"),
    ],
)
def test_paths_leaving_the_root_are_usage_errors(tmp_path: Path, line: str, key: str) -> None:
    project = make_project(tmp_path / "project", config=line)
    before = snapshot(project)
    outside_before = sorted(p.name for p in tmp_path.iterdir())
    result = run("generate", "--root", str(project))
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, key)
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(project) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == outside_before
    assert not Path("/tmp/telemetry-scaffold-outside").exists()


LONG_NAME = "a" * 256  # one byte over the longest file or folder name file systems take


@pytest.mark.parametrize(
    ("line", "key"),
    [
        (f'feature = "{LONG_NAME}"', "feature"),
        (f'layer-package = "{LONG_NAME}"', "layer-package"),
        (f'app-package = "{LONG_NAME}"', "app-package"),
        (f'backend = "{LONG_NAME}"', "backend"),
        (f'specs-dir = "docs/{LONG_NAME}"', "specs-dir"),
        (f'instrument = {{ "api/{LONG_NAME}.py" = "ai_block_used" }}', "instrument"),
        (f'app = "app.{LONG_NAME}:app"', "app"),
    ],
)
def test_a_name_longer_than_file_systems_allow_is_a_config_error(
    tmp_path: Path, line: str, key: str
) -> None:
    project = make_project(tmp_path / "project", config=line)
    before = snapshot(project)
    result = run("generate", "--root", str(project))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 2, result.stdout + result.stderr
    assert_one_error_line(result.stderr, key)
    assert "longer than 255 bytes" in result.stderr
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"x = '\xe9t\xe9'\n", "not valid UTF-8 (byte 0xe9"),
        (b'from fastapi import APIRouter\nrouter = APIRouter(\n@router.get("/")\n', "syntax"),
        (b'"""Helpers only."""\n\n\ndef helper() -> int:\n    return 1\n', "no route handlers"),
    ],
    ids=["latin-1", "syntax-error", "no-routes"],
)
def test_unpatchable_instrumented_module_is_named_and_untouched(
    project: Path, content: bytes, reason: str
) -> None:
    blocks = project / BLOCKS
    blocks.write_bytes(content)
    result = run("generate", "--root", str(project))
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert re.search(rf"^error\s+{re.escape(BLOCKS)}$", result.stdout, re.M), result.stdout
    assert reason in result.stdout
    assert blocks.read_bytes() == content
    # The other files are handled: one bad module does not block the layer or main.py.
    assert (project / LOGGER).is_file()
    assert "install_error_capture(app)" in (project / "backend/app/main.py").read_text()
    check = run("generate", "--root", str(project), "--check")
    assert check.exit_code == 1
    assert BLOCKS in check.stdout


def test_crlf_and_bom_in_an_instrumented_module_are_kept(project: Path) -> None:
    blocks = project / BLOCKS
    blocks.write_bytes(b"\xef\xbb\xbf" + blocks.read_bytes().replace(b"\n", b"\r\n"))
    assert run("generate", "--root", str(project)).exit_code == 0
    data = blocks.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf" * 2)
    assert b"\n" not in data.replace(b"\r\n", b""), "every line ending stays CRLF"
    assert data.count(b"event_logger.log(") == 2
    assert b"from app.analytics.event_logger import event_logger\r\n" in data
    assert run("generate", "--root", str(project), "--check").exit_code == 0
    before = snapshot(project)
    assert run("generate", "--root", str(project)).exit_code == 0
    assert snapshot(project) == before


def test_generated_path_that_is_a_folder_is_reported_and_kept(project: Path) -> None:
    folder = project / LOGGER
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("mine\n")
    result = run("generate", "--root", str(project))
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert re.search(rf"^error\s+{re.escape(LOGGER)}$", result.stdout, re.M), result.stdout
    assert f"{LOGGER}: is a folder, expected a file" in result.stdout
    assert (folder / "notes.txt").read_text() == "mine\n"
    manifest = json.loads((project / sync.MANIFEST_PATH).read_text())
    assert LOGGER not in manifest["files"]
    assert (project / "backend/app/analytics/analytics_models.py").is_file()

    shutil.rmtree(folder)
    assert run("generate", "--root", str(project)).exit_code == 0
    assert run("generate", "--root", str(project), "--check").exit_code == 0


def _imports_cleanly(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import app.main"],
        cwd=project / "backend",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("command", ["generate", "remove"])
def test_a_folder_where_an_obsolete_output_was_is_kept_and_its_entry_dropped(
    project: Path, command: str
) -> None:
    # A file the manifest records that the plan no longer writes, replaced by a folder: every
    # later run failed on "is a folder, expected a file", naming no fix but the manifest.
    assert run("generate", "--root", str(project)).exit_code == 0
    manifest = project / sync.MANIFEST_PATH
    document = json.loads(manifest.read_text())
    document["files"]["backend/app/reports.py"] = "sha256:" + "0" * 64
    manifest.write_text(json.dumps(document))
    (project / "backend/app/reports.py").mkdir()
    (project / "backend/app/reports.py/mine.txt").write_text("mine\n")
    result = run(command, "--root", str(project))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (project / "backend/app/reports.py/mine.txt").read_text() == "mine\n"
    if manifest.exists():
        assert "backend/app/reports.py" not in json.loads(manifest.read_text())["files"]
    assert run(command, "--root", str(project)).exit_code == 0


def test_remove_says_a_patched_module_turned_folder_is_no_file(project: Path) -> None:
    # The layer stays (the lines put in that module cannot be taken out), but the reason given
    # was that the folder "still uses the layer": what is found there is said instead.
    assert run("generate", "--root", str(project)).exit_code == 0
    (project / BLOCKS).unlink()
    (project / BLOCKS).mkdir()
    (project / BLOCKS / "mine.py").write_text("x = 1\n")
    result = run("remove", "--root", str(project))
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "still uses" not in result.stdout, result.stdout
    assert re.search(rf"^error\s+{re.escape(BLOCKS)}$", result.stdout, re.M), result.stdout
    kept = f"kept: {BLOCKS} is a folder, not a file, so the lines the last run put in it"
    assert result.stdout.count(kept) == len(
        re.findall(r"^refused\s+\S+/analytics/", result.stdout, re.M)
    )
    assert re.search(rf"^refused\s+{re.escape(LOGGER)}$", result.stdout, re.M), result.stdout
    assert (project / LOGGER).is_file()
    assert (project / BLOCKS / "mine.py").read_text() == "x = 1\n"


def test_a_failed_layer_file_does_not_leave_the_backend_unimportable(project: Path) -> None:
    assert _imports_cleanly(project).returncode == 0
    (project / LOGGER).mkdir(parents=True)
    result = run("generate", "--root", str(project))
    assert result.exit_code == 1
    imported = _imports_cleanly(project)
    assert imported.returncode == 0, imported.stderr


CORRUPT_MANIFESTS = {
    "not-json": b"{not json",
    "empty": b"",
    "list": b"[]",
    "null": b"null",
    "files-not-a-table": b'{"generator": "telemetry-scaffold", "files": ["a"]}',
    "binary": b"\xff\xfe\x00\x01",
    # Deeper than Python's JSON parser recurses: a RecursionError traceback.
    "too-deep": b"[" * 100_000,
    "too-deep-inside": b'{"files": {}, "patched": ' + b"[" * 100_000 + b"}",
}


@pytest.mark.parametrize("content", CORRUPT_MANIFESTS.values(), ids=CORRUPT_MANIFESTS.keys())
def test_remove_reads_any_corrupt_manifest_as_an_unreadable_one(
    project: Path, tmp_path: Path, content: bytes
) -> None:
    # A manifest too deep for the JSON parser made remove end in a RecursionError traceback.
    assert run("generate", "--root", str(project)).exit_code == 0
    twin = tmp_path / "twin"
    shutil.copytree(project, twin)
    (project / sync.MANIFEST_PATH).write_bytes(content)
    (twin / sync.MANIFEST_PATH).write_bytes(b"{not json")
    result = run("remove", "--root", str(project))
    expected = run("remove", "--root", str(twin))
    assert (result.exit_code, result.stdout) == (expected.exit_code, expected.stdout)
    assert snapshot(project) == snapshot(twin)


@pytest.mark.parametrize("command", ["generate", "remove"])
@pytest.mark.parametrize("force", [[], ["--force"]], ids=["", "force"])
@pytest.mark.parametrize("digest", ["right", "other"])
def test_a_manifest_recording_files_of_the_users_never_removes_them(
    project: Path, command: str, force: list[str], digest: str
) -> None:
    # A damaged, merged or copied manifest may record any file with its right digest: before,
    # generate removed it as an obsolete output (pyproject.toml, the route modules, main.py).
    # With another digest it was taken for an output edited by hand: --force removed it, even
    # one named as an output is (`__init__.py`). Only a file with the header is one edited.
    assert run("generate", "--root", str(project)).exit_code == 0
    manifest = project / sync.MANIFEST_PATH
    document = json.loads(manifest.read_text())
    users = ["pyproject.toml", BLOCKS, MAIN, "backend/app/__init__.py"]
    for path in users:
        data = (project / path).read_bytes() if digest == "right" else path.encode()
        document["files"][path] = sync.sha256(data)
    manifest.write_text(json.dumps(document))
    before = snapshot(project)
    result = run(command, "--root", str(project), *force)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 1, result.stdout
    refused = re.findall(r"^refused\s+(\S+)$", result.stdout, re.M)
    assert sorted(refused) == sorted(users), result.stdout
    assert result.stdout.count("does not carry telemetry-scaffold's header") == len(users)
    for path in users:
        if path != BLOCKS and path != MAIN:  # remove takes its own lines out of these
            assert (project / path).read_bytes() == before[path], path
        assert (project / path).is_file(), path
        assert not (project / f"{path}.bak").exists(), path


@pytest.mark.parametrize("command", [["generate"], ["generate", "--check"]])
def test_a_manifest_of_many_entries_is_merged_once_not_once_per_entry(
    project: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    # Each entry the plan no longer writes was judged against a fresh merge of every recorded
    # and written digest: a manifest edited to hold 100 000 entries (3 MB) took five minutes.
    assert run("generate", "--root", str(project)).exit_code == 0
    manifest = project / sync.MANIFEST_PATH
    document = json.loads(manifest.read_text())
    document["files"].update({f"gone/f{number}.py": "sha256:0" for number in range(50)})
    manifest.write_text(json.dumps(document))
    judged = sync._obsolete_change
    mappings: list[object] = []

    def spy(*args: Any, **options: Any) -> object:
        mappings.append(args[4])
        return judged(*args, **options)

    monkeypatch.setattr(sync, "_obsolete_change", spy)
    result = run(*command, "--root", str(project))
    assert "Traceback" not in result.stdout + result.stderr
    assert len(mappings) >= 50
    assert len({id(mapping) for mapping in mappings}) == 1


@pytest.mark.parametrize("content", CORRUPT_MANIFESTS.values(), ids=CORRUPT_MANIFESTS.keys())
def test_corrupt_manifest_means_differing_files_are_hand_edited(
    project: Path, content: bytes
) -> None:
    assert run("generate", "--root", str(project)).exit_code == 0
    change_plan(project)
    manifest = project / sync.MANIFEST_PATH
    manifest.write_bytes(content)
    edited = ["backend/app/analytics/telemetry_router.py", "specs/059-analytics-telemetry/spec.md"]
    for path in edited:
        (project / path).write_text((project / path).read_text() + "\nmine\n")
    before = snapshot(project)

    check = run("generate", "--root", str(project), "--check")
    assert check.exit_code == 1
    assert "Traceback" not in check.stdout + check.stderr
    # Without a record, a file that differs from the new rendering and from its own digest may
    # be someone's work: it is one the tool cannot vouch for having written. One whose digest
    # matches is the tool's, unedited: only stale.
    suspects = re.findall(r"^exists\s+(\S+)$", check.stdout, re.M)
    assert sorted(suspects) == sorted(edited), check.stdout
    stale = re.findall(r"^stale\s+(\S+)$", check.stdout, re.M)
    assert "backend/app/analytics/event_logger.py" in stale, check.stdout

    result = run("generate", "--root", str(project))
    assert result.exit_code == 1
    refused = re.findall(r"^refused\s+(\S+)$", result.stdout, re.M)
    assert sorted(refused) == sorted(suspects)
    after = snapshot(project)
    # Nothing is lost: every file edited by hand is exactly as it was.
    for path in edited:
        assert after[path] == before[path], path
    assert (
        after["backend/app/analytics/event_logger.py"]
        != before["backend/app/analytics/event_logger.py"]
    )
    # The manifest is rebuilt: it vouches only for files whose bytes the tool would write.
    rewritten = json.loads(manifest.read_text())["files"]
    assert not set(suspects) & set(rewritten)
    for path, digest in rewritten.items():
        assert digest == sync.sha256(after[path]), path

    forced = run("generate", "--root", str(project), "--force")
    assert forced.exit_code == 0, forced.stdout
    for path in suspects:
        assert (project / f"{path}.bak").read_bytes() == before[path], path
        assert (project / path).read_bytes() != before[path], path
    assert run("generate", "--root", str(project), "--check").exit_code == 0


def test_a_tool_key_that_is_not_a_table_is_a_config_error(tmp_path: Path) -> None:
    # It used to be ignored: the default plan was generated.
    project = make_project(tmp_path / "project")
    (project / "pyproject.toml").write_text('tool = ["telemetry-scaffold"]\n')
    before = snapshot(project)
    result = run("generate", "--root", str(project))
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, "pyproject.toml: `tool` must be a table")
    assert snapshot(project) == before


def test_a_lone_carriage_return_in_the_config_is_invalid_toml(tmp_path: Path) -> None:
    # TOML allows no lone CR; read with universal newlines, the key after one in a comment was
    # taken as a key of the plan, which every other TOML reader refuses to read.
    project = make_project(tmp_path / "project")
    config = project / "pyproject.toml"
    config.write_bytes(b'[tool.telemetry-scaffold]\r\n# note\rapi-prefix = "/hidden"\r\n')
    before = snapshot(project)
    result = run("generate", "--root", str(project))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert_one_error_line(result.stderr, "invalid TOML")
    assert snapshot(project) == before
    config.write_bytes(b'[tool.telemetry-scaffold]\r\napi-prefix = "/v9/t" # note\r\n')
    assert run("generate", "--root", str(project)).exit_code == 0  # CRLF line ends are TOML


def test_empty_pyproject_means_the_default_plan(tmp_path: Path) -> None:
    reference = make_project(tmp_path / "reference")
    # No [project] table in either: the quickstart's install steps come from that table.
    (reference / "pyproject.toml").write_bytes(b"[tool.telemetry-scaffold]\n")
    assert run("generate", "--root", str(reference)).exit_code == 0
    project = make_project(tmp_path / "project")
    (project / "pyproject.toml").write_bytes(b"")
    result = run("generate", "--root", str(project))
    assert result.exit_code == 0, result.stdout + result.stderr
    produced = {p: d for p, d in snapshot(project).items() if p != "pyproject.toml"}
    expected = {p: d for p, d in snapshot(reference).items() if p != "pyproject.toml"}
    assert produced == expected


# --------------------------------------------------------------------------------------------
# 3. The console entry point, as a real process
# --------------------------------------------------------------------------------------------

_COLOUR_VARIABLES = ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS")


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _COLOUR_VARIABLES}
    env["TERM"] = "xterm-256color"
    env.update(extra)
    return env


def cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "telemetry_cli", *args],
        cwd=cwd,
        env=env or _environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["generate", "--bogus"], "--bogus"),
        (["frobnicate"], "frobnicate"),
        (["generate", "--format", "xml"], "--format"),
        (["generate", "--root"], "--root"),
        # An unset shell variable (`--root "$ROOT"`) used to mean the current folder.
        (["generate", "--root", ""], "Invalid value for '--root': is empty"),
        (["remove", "--config", ""], "Invalid value for '--config': is empty"),
        (["init", "--root", ""], "Invalid value for '--root': is empty"),
        # Rich would print a user's `:b:` as an emoji.
        (["generate", "--root", "no:b:such"], "no:b:such: --root is not a folder"),
        # Failed later, as an I/O error (exit 1).
        (["generate", "--root", "a" * 300], "Invalid value for '--root': cannot be used"),
        (["init", "--root", "a" * 300], "Invalid value for '--root': cannot be used"),
        (["remove", "--config", "a" * 300], "Invalid value for '--config': cannot be used"),
    ],
    ids=[
        "unknown-option",
        "unknown-command",
        "bad-format",
        "missing-value",
        "empty-root",
        "empty-config",
        "init-empty-root",
        "emoji-code",
        "root-name-too-long",
        "init-root-name-too-long",
        "config-name-too-long",
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    tmp_path: Path, args: list[str], fragment: str
) -> None:
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert_one_error_line(result.stderr, fragment)
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["init", "generate", "health"])
def test_a_root_that_is_a_broken_link_is_named_as_given(tmp_path: Path, command: str) -> None:
    # init named where the link led (`links/gone`), a path the user never typed.
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "root").symlink_to("gone")
    result = cli(command, "--root", "links/root", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert_one_error_line(result.stderr, "error: links/root: --root is not a folder")


def test_a_root_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    result = cli("health", "--root", "pyproject.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert_one_error_line(
        result.stderr, "Invalid value for '--root': dir 'pyproject.toml' is a file"
    )


def test_version(tmp_path: Path) -> None:
    result = cli("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == f"telemetry-scaffold {__version__}\n"
    assert result.stderr == ""


def _run_in_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, bytes]:
    """Run the CLI with stdout and stderr on a pseudo-terminal; return its exit code and output."""
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "telemetry_cli", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
    ) as process:
        os.close(follower)
        chunks: list[bytes] = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = process.wait(timeout=120)
    os.close(leader)
    return code, b"".join(chunks)


@pytest.fixture
def out_of_date(tmp_path: Path) -> Path:
    # --check on a fresh project: coloured status words, diffs, and a red summary.
    return make_project(tmp_path / "project")


def test_terminal_output_is_coloured(out_of_date: Path) -> None:
    # The control for the NO_COLOR test: on a terminal the output is styled.
    code, output = _run_in_terminal(
        ["generate", "--check", "--root", str(out_of_date)], out_of_date, _environment()
    )
    assert code == 1
    assert b"\x1b[" in output


def test_no_color_on_a_terminal_gives_plain_text(out_of_date: Path) -> None:
    code, output = _run_in_terminal(
        ["generate", "--check", "--root", str(out_of_date)],
        out_of_date,
        _environment(NO_COLOR="1"),
    )
    assert code == 1
    assert b"out of date" in output
    assert b"\x1b[" not in output


@pytest.mark.parametrize("args", [["generate", "--check"], ["generate", "--root", "/nonexistent"]])
def test_piped_output_has_no_escape_codes(out_of_date: Path, args: list[str]) -> None:
    full = [*args, "--root", str(out_of_date)] if "--root" not in args else args
    result = cli(*full, cwd=out_of_date)
    assert result.returncode in (1, 2)
    assert result.stdout + result.stderr
    assert "\x1b[" not in result.stdout + result.stderr


def test_generate_json_keeps_stdout_pure(out_of_date: Path) -> None:
    result = cli("generate", "--json", "--root", str(out_of_date), cwd=out_of_date)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["command"] == "generate" and document["ok"] is True
    assert re.search(rf"^created\s+{re.escape(LOGGER)}$", result.stderr, re.M)
    assert "Done:" in result.stderr


def test_symlink_inside_the_root_is_written_through(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    assert run("generate", "--root", str(project)).exit_code == 0
    spec = project / "specs/059-analytics-telemetry/spec.md"
    real = project / "docs" / "spec.md"
    real.parent.mkdir()
    real.write_bytes(spec.read_bytes())
    spec.unlink()
    spec.symlink_to(real)
    config = project / "pyproject.toml"
    config.write_text(config.read_text() + 'api-prefix = "/v9/t"\n')
    assert run("generate", "--root", str(project)).exit_code == 0
    assert spec.is_symlink()
    assert "/v9/t" in real.read_text()


@pytest.mark.parametrize("target", ["backend/app/main.py", "pyproject.toml", "notes.txt"])
@pytest.mark.parametrize("force", [[], ["--force"]], ids=["", "force"])
def test_a_generated_path_linked_to_a_file_of_yours_is_never_written_through(
    tmp_path: Path, target: str, force: list[str]
) -> None:
    # --force wrote the generated logger through the link into the app module (or the
    # config): the user's file replaced by generated code, its backup beside the link.
    project = make_project(tmp_path / "project")
    (project / "notes.txt").write_text("mine\n")
    assert run("generate", "--root", str(project)).exit_code == 0
    (project / LOGGER).unlink()
    (project / LOGGER).symlink_to(project / target)
    before = snapshot(project)
    result = run("generate", "--root", str(project), *force)
    assert result.exit_code == 1, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert re.search(rf"^refused\s+{re.escape(LOGGER)}$", result.stdout, re.M), result.stdout
    assert f"is a link to {target}, which telemetry-scaffold did not write" in result.stdout
    assert "1 file needs a fix by hand" in result.stdout
    assert (project / target).read_bytes() == before[target]
    assert not list(project.rglob("*.bak*"))


@pytest.mark.parametrize("force", [[], ["--force"]], ids=["", "force"])
def test_a_generated_path_linked_to_another_output_is_refused_and_runs_converge(
    tmp_path: Path, force: list[str]
) -> None:
    # The logger, a link to the router, was written through: the router's file got the
    # logger's code, and each later run wrote the other back, exit 0 every time.
    project = make_project(tmp_path / "project")
    assert run("generate", "--root", str(project)).exit_code == 0
    router = "backend/app/analytics/telemetry_router.py"
    (project / LOGGER).unlink()
    (project / LOGGER).symlink_to("telemetry_router.py")
    before = snapshot(project)
    for _ in range(2):
        result = run("generate", "--root", str(project), *force)
        assert result.exit_code == 1, result.stdout
        assert f"is a link to {router}, which telemetry-scaffold writes too" in result.stdout
        assert snapshot(project) == before
    assert run("generate", "--root", str(project), "--check").exit_code == 1


def test_remove_through_a_symlinked_module_takes_the_layer_out_in_one_run(tmp_path: Path) -> None:
    # The listed module is a link to a module of the package: the link's edits are the
    # module's own, so the module imports no layer afterwards and the layer goes in one run.
    project = make_project(tmp_path / "project")
    api = project / "backend/app/api"
    (api / "ai_blocks.py").rename(api / "blocks_impl.py")
    (api / "ai_blocks.py").symlink_to("blocks_impl.py")
    before = snapshot(project)
    assert run("generate", "--root", str(project)).exit_code == 0
    result = run("remove", "--root", str(project))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "refused" not in result.stdout + result.stderr
    assert (api / "ai_blocks.py").is_symlink()
    assert snapshot(project) == before


@pytest.mark.parametrize("link", ["api/blocks_v2.py", "v2/blocks.py"])
def test_a_module_listed_under_two_names_is_a_config_error(tmp_path: Path, link: str) -> None:
    # A link to a listed module would be patched twice, once for each event.
    line = f'instrument = {{ "api/ai_blocks.py" = "ai_block_used", "{link}" = "chapter_visit" }}'
    project = make_project(tmp_path / "project", config=line)
    linked = project / "backend/app" / link
    linked.parent.mkdir(exist_ok=True)
    linked.symlink_to(project / "backend/app/api/ai_blocks.py")
    before = snapshot(project)
    result = run("generate", "--root", str(project))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 2, result.stdout + result.stderr
    assert_one_error_line(result.stderr, "instrument")
    assert "is the same file as 'api/ai_blocks.py'" in result.stderr
    assert snapshot(project) == before


LINKED_APP = (
    'instrument = { "api/ai_blocks.py" = "ai_block_used", "api/main_link.py" = "chapter_visit" }'
)
PING = '\n\n@app.get("/ping")\ndef ping() -> dict[str, str]:\n    return {}\n'


def _link_to_main(project: Path, kind: str) -> None:
    main = project / "backend/app/main.py"
    main.write_text(main.read_text() + PING)
    link = project / "backend/app/api/main_link.py"
    if kind == "symlink":
        link.symlink_to("../main.py")
    else:
        link.hardlink_to(main)


@pytest.mark.parametrize("kind", ["symlink", "hard link"])
def test_the_app_module_listed_under_another_name_is_a_config_error(
    tmp_path: Path, kind: str
) -> None:
    # The app's module, found after the plan is read, was read and patched as two files: each
    # edit made to the text before the other's, generate failed ("changed since
    # telemetry-scaffold read it (another program wrote it meanwhile)").
    project = make_project(tmp_path / "project", config=LINKED_APP)
    _link_to_main(project, kind)
    before = snapshot(project)
    for args in (["generate"], ["generate", "--check"], ["generate", "--diff"]):
        result = run(*args, "--root", str(project))
        assert "Traceback" not in result.stdout + result.stderr
        assert result.exit_code == 2, result.stdout + result.stderr
        assert_one_error_line(
            result.stderr,
            'instrument."api/main_link.py": the same file as the app\'s module backend/app/main.py',
            'list it as "main.py"',
        )
    assert snapshot(project) == before


def test_remove_takes_out_a_layer_patched_through_the_app_module_under_two_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As an earlier release left it: the app's module wired under its name, and recorded as
    # instrumented under a link's. remove read the link's text from before the unwiring as
    # code still importing the layer: the layer and its manifest entries stayed, for a second
    # run.
    from telemetry_cli.patching import project as analysis

    project = make_project(tmp_path / "project", config=LINKED_APP)
    (project / "backend/app/api/main_link.py").symlink_to("../main.py")
    before = snapshot(project)
    with monkeypatch.context() as patched:
        patched.setattr(
            analysis._Analysis, "_refuse_second_name", lambda self, module: None, raising=False
        )
        run("generate", "--root", str(project))
    assert "main_link.py" in (project / sync.MANIFEST_PATH).read_text()
    result = run("remove", "--root", str(project))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "refused" not in result.stdout, result.stdout
    assert snapshot(project) == before


@pytest.mark.parametrize("link", ["symlink", "hard link"])
@pytest.mark.parametrize("event", ["ai_block_used", "chapter_visit"])
def test_a_module_renamed_in_the_plan_to_a_links_name_settles_in_one_run(
    tmp_path: Path, event: str, link: str
) -> None:
    # The last run's record names the file as api/ai_blocks.py, the plan now as v2/blocks.py,
    # a link to it: the record's name took the calls out while the plan's put them in, each
    # edit made to the text before the other's. The first run left the module without its
    # calls (--check then out of date), a second put them back; with another event type the
    # calls of the recorded type were refused as the user's.
    line = 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    project = make_project(tmp_path / "project", config=line)
    (project / "backend/app/v2").mkdir()
    if link == "symlink":
        (project / "backend/app/v2/blocks.py").symlink_to("../api/ai_blocks.py")
    before = snapshot(project)
    if link == "hard link":
        before["backend/app/v2/blocks.py"] = before["backend/app/api/ai_blocks.py"]
    assert run("generate", "--root", str(project)).exit_code == 0
    if link == "hard link":
        # Made after the run: a write replaces the file, which would part the two names.
        os.link(project / "backend/app/api/ai_blocks.py", project / "backend/app/v2/blocks.py")
    config = project / "pyproject.toml"
    config.write_text(
        config.read_text().replace(line, f'instrument = {{ "v2/blocks.py" = "{event}" }}')
    )
    result = run("generate", "--root", str(project))
    assert result.exit_code == 0, result.stdout + result.stderr
    module = (project / "backend/app/v2/blocks.py").read_text()
    assert module.count(f'"{event}"') == 2, module
    assert "ai_block_used" not in module or event == "ai_block_used"
    if link == "hard link":
        # The plan's name was written (a new file): the record's name is a file of its own
        # now, and its calls come out.
        assert "ai_block_used" not in (project / "backend/app/api/ai_blocks.py").read_text()
    assert run("generate", "--root", str(project), "--check").exit_code == 0
    assert run("remove", "--root", str(project)).exit_code == 0
    after = snapshot(project)
    assert {path: data for path, data in after.items() if path != "pyproject.toml"} == {
        path: data for path, data in before.items() if path != "pyproject.toml"
    }


# --------------------------------------------------------------------------------------------
# 4. Symlink loops, special files, and plans whose targets would never settle
# --------------------------------------------------------------------------------------------

SPEC = "specs/059-analytics-telemetry/spec.md"
MAIN = "backend/app/main.py"
NEW_FEATURE = 'feature = "060-events"\n'


def add_to_plan(project: Path, lines: str) -> None:
    config = project / "pyproject.toml"
    config.write_text(config.read_text() + lines)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('instrument = { "analytics/telemetry_router.py" = "chapter_visit" }', "instrument"),
        ('specs-dir = "backend/app/main.py"', "specs-dir"),
        ('backend = "pyproject.toml"', "backend"),
        ('specs-dir = "backend/app/analytics/specs"', "specs-dir"),
    ],
)
def test_plan_targets_that_cannot_work_are_config_errors_writing_nothing(
    project: Path, line: str, key: str
) -> None:
    assert run("generate", "--root", str(project)).exit_code == 0
    add_to_plan(project, line + "\n")
    before = snapshot(project)
    for args in (["generate"], ["generate", "--check"]):
        result = run(*args, "--root", str(project))
        assert result.exit_code == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        assert_one_error_line(result.stderr, f"] {key}")
    assert snapshot(project) == before


def test_obsolete_outputs_are_kept_while_their_replacements_fail(project: Path) -> None:
    assert run("generate", "--root", str(project)).exit_code == 0
    add_to_plan(project, NEW_FEATURE)
    # The new feature folder's place is taken by a file: every new document fails.
    (project / "specs/060-events").write_text("in the way\n")
    before = snapshot(project)
    result = run("generate", "--root", str(project))
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert not re.search(r"^removed\s", result.stdout, re.M), result.stdout
    assert re.search(rf"^refused\s+{re.escape(SPEC)}$", result.stdout, re.M), result.stdout
    assert "kept: not removed while specs/060-events/" in result.stdout
    after = snapshot(project)
    assert {p: d for p, d in after.items() if p.startswith("specs/")} == {
        p: d for p, d in before.items() if p.startswith("specs/")
    }
    # The manifest still vouches for the kept files, so a later run removes them cleanly.
    recorded = json.loads(after[sync.MANIFEST_PATH])["files"]
    assert recorded[SPEC] == sync.sha256(after[SPEC])

    (project / "specs/060-events").unlink()
    assert run("generate", "--root", str(project)).exit_code == 0
    assert not (project / "specs/059-analytics-telemetry").exists()
    assert (project / "specs/060-events/spec.md").is_file()
    assert run("generate", "--root", str(project), "--check").exit_code == 0


@pytest.mark.parametrize("target", [SPEC, MAIN, LOGGER])
def test_symlink_loop_at_a_target_is_an_error_for_that_file(project: Path, target: str) -> None:
    assert run("generate", "--root", str(project)).exit_code == 0
    link = project / target
    link.unlink()
    link.symlink_to(link.name)  # a link to itself
    for args in (["generate", "--check"], ["generate"]):
        result = run(*args, "--root", str(project))
        assert result.exit_code == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        assert re.search(rf"^error\s+{re.escape(target)}$", result.stdout, re.M), result.stdout
        assert f"{target}: symlink loop" in result.stdout
    assert link.is_symlink() and link.readlink() == Path(link.name)


@pytest.mark.parametrize(
    ("link", "line", "key"),
    [
        ("backend", "", "backend"),
        (BLOCKS, "", "instrument"),
        ("docs", 'specs-dir = "docs"\n', "specs-dir"),
    ],
)
def test_symlink_loop_in_the_plan_is_a_config_error(
    project: Path, link: str, line: str, key: str
) -> None:
    loop = project / link
    if loop.is_dir():
        shutil.rmtree(loop)
    elif loop.exists():
        loop.unlink()
    loop.symlink_to(loop.name)
    add_to_plan(project, line)
    result = run("generate", "--root", str(project))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert_one_error_line(result.stderr, key, "symlink loop")


def test_symlink_loop_at_the_manifest_is_one_error_line(project: Path) -> None:
    assert run("generate", "--root", str(project)).exit_code == 0
    manifest = project / sync.MANIFEST_PATH
    manifest.unlink()
    manifest.symlink_to(manifest.name)
    result = run("generate", "--root", str(project), "--check")
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, f"{sync.MANIFEST_PATH}: symlink loop")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["generate"], 1),
        (["generate", "--check"], 1),
        (["generate", "--diff"], 1),
        (["remove"], 1),
        (["remove", "--check"], 1),
        # emit cannot tell the layer from one the tool did not write: as without a manifest.
        (["emit", "chapter_visit"], 2),
        (["health"], 1),
    ],
)
def test_a_manifest_that_is_a_folder_is_one_error_line_naming_the_fix(
    project: Path, args: list[str], code: int
) -> None:
    assert run("generate", "--root", str(project)).exit_code == 0
    manifest = project / sync.MANIFEST_PATH
    manifest.unlink()
    manifest.mkdir()
    (manifest / "notes.txt").write_text("mine\n")
    before = snapshot(project)
    result = run(*args, "--root", str(project))
    assert result.exit_code == code, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    error = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(error) == 1, result.stderr
    assert f"{sync.MANIFEST_PATH}: is a folder" in error[0]
    assert "move the folder out of the way" in error[0]
    assert snapshot(project) == before


def test_link_turning_into_a_loop_before_writing_is_one_error_line(project: Path) -> None:
    assert run("generate", "--root", str(project)).exit_code == 0
    spec = project / SPEC
    real = project / "docs" / "spec.md"
    real.parent.mkdir()
    real.write_bytes(spec.read_bytes())
    spec.unlink()
    spec.symlink_to(real)
    add_to_plan(project, 'api-prefix = "/v9/t"\n')
    report = sync.compute(load_plan(root=project))
    # Someone swaps the link for a loop between the decision and the write.
    spec.unlink()
    spec.symlink_to(spec.name)
    with pytest.raises(UserError) as caught:
        sync.apply(report)
    assert caught.value.message.startswith(f"{SPEC}: symlink loop")
    assert "\n" not in caught.value.message


# A file someone changes (an editor saving, another run) after `generate` read it and before it
# writes: the tool refuses, names the file, and writes nothing at all, instead of replacing the
# other writer's bytes with what it computed from the old ones.
def _appear(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x = 1\n")


CHANGED_MEANWHILE = {
    "patched-module": (BLOCKS, lambda path: path.write_text(path.read_text() + "# saved\n")),
    "generated-file": (LOGGER, lambda path: path.write_text(path.read_text() + "# edit\n")),
    "deleted": (LOGGER, lambda path: path.unlink()),
    "appeared": ("backend/app/analytics/__init__.py", _appear),
}


def _without_the_logger_import(project: Path) -> str:
    """Take the inserted import out of the route module (an editor's "optimise imports")."""
    module = project / BLOCKS
    text = module.read_text()
    line = "from app.analytics.event_logger import event_logger\n"
    assert line in text
    module.write_text(text.replace(line, ""))
    return text


def test_log_calls_whose_import_was_taken_out_get_it_back(project: Path) -> None:
    # The calls were not recognised: generate added a second call to every handler under an
    # aliased import, leaving the first ones to fail with NameError on every request.
    assert run("generate", "--root", str(project)).exit_code == 0
    generated = _without_the_logger_import(project)
    result = run("generate", "--root", str(project))
    assert result.exit_code == 0, result.stdout
    text = (project / BLOCKS).read_text()
    assert "analytics_event_logger" not in text
    assert text.count("event_logger.log(") == generated.count("event_logger.log(") == 2
    assert "from app.analytics.event_logger import event_logger\n" in text
    compile(text, BLOCKS, "exec")
    assert run("generate", "--root", str(project), "--check").exit_code == 0


def test_remove_takes_out_log_calls_whose_import_was_taken_out(project: Path) -> None:
    # They were left behind, calling a name nothing binds any more.
    original = (project / BLOCKS).read_bytes()
    assert run("generate", "--root", str(project)).exit_code == 0
    _without_the_logger_import(project)
    result = run("remove", "--root", str(project))
    assert result.exit_code == 0, result.stdout
    text = (project / BLOCKS).read_text()
    assert "event_logger" not in text
    # The blank line the import stood above is the one byte the user's edit changed.
    assert text.replace("\n\n\n", "\n\n") == original.decode().replace("\n\n\n", "\n\n")


@pytest.mark.parametrize("case", CHANGED_MEANWHILE, ids=list(CHANGED_MEANWHILE))
def test_a_file_changed_between_read_and_write_is_refused_not_clobbered(
    project: Path, case: str
) -> None:
    relative, change = CHANGED_MEANWHILE[case]
    if case in ("generated-file", "deleted"):
        assert run("generate", "--root", str(project)).exit_code == 0
        add_to_plan(project, PLAN_CHANGE)
    report = sync.compute(load_plan(root=project))
    assert any(c.path == relative and not c.up_to_date for c in report.changes), relative
    change(project / relative)
    before = snapshot(project)
    with pytest.raises(UserError) as caught:
        sync.apply(report)
    message = caught.value.message
    assert message.startswith(f"{relative}: changed since telemetry-scaffold read it"), message
    assert "\n" not in message
    assert snapshot(project) == before  # nothing written, nothing removed


def _generate_bounded(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A real process with a short timeout: reading a FIFO would block the test run forever.
    return subprocess.run(
        [sys.executable, "-m", "telemetry_cli", "generate", "--root", str(project), *args],
        cwd=project,
        env=_environment(NO_COLOR="1"),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize("kind", ["generated", "patched", "instrumented", "obsolete", "manifest"])
def test_fifo_at_a_target_is_reported_not_read(project: Path, kind: str) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    target = {
        "generated": LOGGER,
        "patched": MAIN,
        "instrumented": BLOCKS,
        "obsolete": SPEC,
        "manifest": sync.MANIFEST_PATH,
    }[kind]
    assert run("generate", "--root", str(project)).exit_code == 0
    if kind == "obsolete":
        add_to_plan(project, NEW_FEATURE)
    fifo = project / target
    fifo.unlink()
    os.mkfifo(fifo)
    for args in (["--check"], []):
        result = _generate_bounded(project, *args)
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        assert "Traceback" not in output
        assert f"{target}: not a regular file" in output, output
        if kind == "manifest":
            assert_one_error_line(result.stderr, target)
        else:
            assert re.search(rf"^error\s+{re.escape(target)}$", result.stdout, re.M), output
    assert fifo.is_fifo()


LATIN_1_BLOCKS = (
    b"# -*- coding: latin-1 -*-\n"
    b'"""Blocs d\'IA : r\xe9sum\xe9s et quiz."""\n\n'
    b"from fastapi import APIRouter\n\n"
    b'router = APIRouter(prefix="/api/ai")\n\n\n'
    b'@router.get("/{chapter_id}/r\xe9sum\xe9")\n'
    b"def summary(chapter_id: str) -> dict[str, str]:\n"
    b'    return {"chapter_id": chapter_id, "texte": "tr\xe8s court"}\n'
)


def test_a_module_declaring_latin_1_is_patched_in_latin_1_and_given_back(project: Path) -> None:
    """Python reads `# -*- coding: latin-1 -*-` modules in latin-1: so does the tool, both ways."""
    blocks = project / BLOCKS
    blocks.write_bytes(LATIN_1_BLOCKS)
    before = snapshot(project)
    result = run("generate", "--root", str(project))
    assert result.exit_code == 0, result.stdout + result.stderr
    patched = blocks.read_bytes()
    text = patched.decode("latin-1")
    assert '"route": "/api/ai/{chapter_id}/résumé",' in text
    assert LATIN_1_BLOCKS.decode("latin-1").splitlines()[1] in text
    compile(patched, str(blocks), "exec")  # Python reads the bytes in the declared encoding
    assert run("generate", "--root", str(project), "--check").exit_code == 0
    again = snapshot(project)
    assert run("generate", "--root", str(project)).exit_code == 0
    assert snapshot(project) == again
    assert run("remove", "--root", str(project)).exit_code == 0
    assert snapshot(project) == before


@pytest.mark.parametrize("command", ["generate", "remove"])
def test_the_diff_of_a_latin_1_module_applies_to_its_bytes(
    project: Path, tmp_path: Path, command: str
) -> None:
    # The diff was printed as UTF-8 text: its non-ASCII lines (the route `/résumé`, context
    # around it) were no bytes of the file, and `patch` failed on them. Printed as git does,
    # in the file's own encoding, it applies as it is printed.
    blocks = project / BLOCKS
    blocks.write_bytes(LATIN_1_BLOCKS)
    if command == "remove":
        assert run("generate", "--root", str(project)).exit_code == 0
    shown = run(command, "--root", str(project), "--diff").stdout_bytes
    assert "résumé".encode("latin-1") in shown
    applied = tmp_path / "applied"
    shutil.copytree(project, applied)
    patched = apply_diff(shown, applied)
    assert patched.returncode == 0, patched.stdout
    assert run(command, "--root", str(project)).exit_code == 0
    assert (applied / BLOCKS).read_bytes() == blocks.read_bytes()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        # Declared, but its bytes are no such text: refused, never guessed.
        (b"# coding: ascii\nx = '\xe9'\n", "not valid ascii, as its coding declaration says"),
        (b"# coding: no-such-codec\nx = 1\n", "names 'no-such-codec', which Python does not know"),
        # The route holds a character latin-1 has no byte for.
        (
            b"# coding: latin-1\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            b'@router.get("/\\u20ac")\ndef price() -> int:\n    return 1\n',
            "holds '\u20ac' (U+20AC), which its declared encoding latin-1 cannot",
        ),
    ],
    ids=["undecodable", "unknown-codec", "unencodable-insert"],
)
def test_a_module_its_declared_encoding_cannot_serve_is_named_and_untouched(
    project: Path, content: bytes, reason: str
) -> None:
    blocks = project / BLOCKS
    blocks.write_bytes(content)
    result = run("generate", "--root", str(project))
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert re.search(rf"^error\s+{re.escape(BLOCKS)}$", result.stdout, re.M), result.stdout
    assert reason in result.stdout
    assert blocks.read_bytes() == content


def test_remove_before_any_generate_writes_no_manifest(tmp_path: Path) -> None:
    # A module of the plan that is not there holds nothing to take out, and there is nothing to
    # remember: remove succeeds and writes nothing (generate still calls the plan wrong).
    root = make_project(tmp_path / "project")
    (root / BLOCKS).unlink()
    before = snapshot(root)
    result = run("remove", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert not (root / sync.MANIFEST_PATH).exists()
    assert snapshot(root) == before
    # generate still calls the plan wrong: a configuration error, nothing written.
    assert run("generate", "--root", str(root)).exit_code == 2
    assert snapshot(root) == before


@pytest.mark.parametrize("command", ["generate", "remove"])
def test_a_patched_module_that_would_not_parse_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    # A last guard: a patching fault that breaks a module used to be written, exit 0.
    from telemetry_cli.patching import instrument, removal

    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    if command == "remove":
        assert run("generate", "--root", str(root)).exit_code == 0
    before = snapshot(root)
    if command == "generate":
        real = instrument.log_call_lines

        def broken(*args: Any, **kwargs: Any) -> Any:
            return [line + ")" for line in real(*args, **kwargs)]

        monkeypatch.setattr(instrument, "log_call_lines", broken)
    else:
        real_finish = removal.ModuleEditor.finish

        def broken_finish(self: Any, *args: Any, **kwargs: Any) -> Any:
            self.insert(1, ("def (",))
            return real_finish(self, *args, **kwargs)

        monkeypatch.setattr(removal.ModuleEditor, "finish", broken_finish)
    result = run(command, "--root", str(root))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    # The first module broken (every edited one is, in remove's case) is named.
    assert re.match(r"error: backend/app/(api/ai_blocks|main)\.py(:[0-9]+)?: ", lines[0]), lines[0]
    assert "fault of telemetry-scaffold, please report it" in lines[0]
    assert snapshot(root) == before


def _big_module(body: str) -> bytes:
    """A module of about 600 KB: many top-level functions, ``body`` among them halfway down."""
    functions = [f"def handler_{index}() -> int:\n    return {index}\n" for index in range(12_000)]
    functions.insert(6_000, body)
    return "\n\n".join(functions).encode()


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("def broken(:\n    return 1\n", 24_001),
        # Python's own words for a statement only the compiler refuses, not the parser.
        ("def outer():\n    nonlocal missing\n", 24_002),
    ],
)
def test_the_parse_guard_finds_a_fault_halfway_down_a_big_module(body: str, line: int) -> None:
    # A big module is compiled piece by piece (the whole at once held about 50 MiB more at the
    # peak of a fresh generate of a 2,000-handler module); a fault in any piece is still found,
    # at its line in the whole module.
    from telemetry_cli.sync import _compile_error, _pieces

    source = _big_module(body)
    assert len(list(_pieces(source))) > 1
    error = _compile_error(source, "big.py")
    assert isinstance(error, SyntaxError)
    assert error.lineno == line


def test_the_parse_guard_takes_a_string_across_a_cut_for_what_it_is() -> None:
    # A cut can fall inside a string that holds a blank line and a `def`: that piece does not
    # compile alone, and the whole module, which does, is not refused.
    from telemetry_cli.sync import _compile_error, _pieces

    text = 'TEMPLATE = """\n' + "\n\ndef not_code():\n    x\n" * 40_000 + '"""\n'
    source = text.encode()
    assert len(list(_pieces(source))) > 1
    assert _compile_error(source, "big.py") is None
