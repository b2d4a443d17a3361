"""Every write stays inside the root; what a killed run leaves behind is cleaned up."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from telemetry_cli import files, sync
from telemetry_cli.errors import UserError
from tests.cli_support import REPO, make_project, run, snapshot

LOGGER = "backend/app/analytics/event_logger.py"
MAIN = "backend/app/main.py"
MANIFEST = ".telemetry-scaffold.json"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    assert run("generate", "--root", str(root)).exit_code == 0
    return root


def one_error_line(stderr: str, *fragments: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, stderr)
    return lines[0]


# --- the manifest -----------------------------------------------------------------------------


@pytest.mark.parametrize("args", [[], ["--check"], ["--diff"]])
@pytest.mark.parametrize("existing", [True, False])
def test_manifest_linked_outside_the_root_is_refused(
    project: Path, tmp_path: Path, args: list[str], existing: bool
) -> None:
    outside = tmp_path / "outside.json"
    if existing:
        outside.write_text('{"files": {}}\n')
    (project / MANIFEST).unlink()
    (project / MANIFEST).symlink_to(outside)
    (project / MAIN).write_text((project / MAIN).read_text() + "\n# a change\n")
    before = snapshot(project)
    result = run("generate", "--root", str(project), *args)
    assert result.exit_code == 1, result.stdout + result.stderr
    one_error_line(result.stderr, MANIFEST, "outside the project root", "replace the link")
    assert snapshot(project) == before
    assert (outside.read_text() if existing else None) == ('{"files": {}}\n' if existing else None)
    assert outside.exists() is existing


SPEC = "specs/059-analytics-telemetry/spec.md"


def _record_a_copy_of_the_spec(project: Path, name: str) -> None:
    """A copy of the spec at ``name``, recorded in the manifest as generated."""
    document = json.loads((project / MANIFEST).read_text())
    (project / name).write_bytes((project / SPEC).read_bytes())
    document["files"][name] = document["files"][SPEC]
    (project / MANIFEST).write_text(json.dumps(document))


@pytest.mark.parametrize("args", [[], ["--json"]], ids=["text", "json"])
@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("specs/\x1b[31mred.md", "specs/\\x1b[31mred.md"),
        ("specs/\u202egnp.md", "specs/\\u202egnp.md"),
        ("specs/a\rb.md", "specs/a\\rb.md"),
    ],
    ids=["escape-sequence", "bidi-override", "carriage-return"],
)
def test_a_recorded_path_is_printed_escaped(
    project: Path, name: str, shown: str, args: list[str]
) -> None:
    # A file name on disk, or a path in a damaged or hostile manifest, drove the terminal: the
    # status line printed it raw (colours, a reordered or overwritten line).
    _record_a_copy_of_the_spec(project, name)
    result = run("generate", "--root", str(project), *args)
    assert result.exit_code == 0, result.stdout
    human = result.stderr if args else result.stdout
    assert f"removed    {shown}\n" in human
    assert name not in human
    if args:
        paths = [change["path"] for change in json.loads(result.stdout)["files"]]
        assert name in paths  # the JSON document names it exactly, JSON-escaped


@pytest.mark.parametrize(
    "args", [["--diff"], ["--check"], ["--check", "--format", "github"]], ids=str
)
def test_a_recorded_path_is_escaped_in_diffs_and_annotations(
    project: Path, args: list[str]
) -> None:
    name = "specs/\x1b[31mred\n.md"
    _record_a_copy_of_the_spec(project, name)
    result = run("generate", "--root", str(project), *args)
    assert "\x1b" not in result.stdout
    assert "--- a/specs/\\x1b[31mred\\n.md\n" in result.stdout
    if "github" in args:
        assert "::error file=specs/\\x1b[31mred\\n.md,title=telemetry-scaffold::" in result.stdout


def test_a_recorded_path_holding_a_nul_byte_is_dropped_with_one_note(project: Path) -> None:
    # A NUL byte made every command end in a ValueError traceback; then each run failed on it
    # for ever. No file the tool writes has such a name: the entry is dropped, said once.
    document = json.loads((project / MANIFEST).read_text())
    document["files"]["specs/a\x00b.md"] = document["files"][SPEC]
    document["patched"]["instrumented"]["backend/app/a\x00b.py"] = "ai_block_used"
    (project / MANIFEST).write_text(json.dumps(document))
    before = snapshot(project)
    for command in (["generate", "--check"], ["remove", "--check"]):
        result = run(*command, "--root", str(project))
        assert result.exit_code == 1, (command, result.stdout)
        assert snapshot(project) == before
    assert "Traceback" not in run("health", "--root", str(project)).stderr
    result = run("generate", "--root", str(project))
    assert result.exit_code == 0, result.stdout
    assert "dropped the entries of 'specs/a\\x00b.md': not a relative path" in result.stdout
    assert "\x00" not in result.stdout
    assert "\\u0000" not in (project / MANIFEST).read_text()
    assert run("generate", "--check", "--root", str(project)).exit_code == 0


FOREIGN_PATHS = [
    "../outside/victim.txt",
    "backend/../../outside/victim.txt",
    "{outside}/victim.txt",
    "/{outside}/victim.txt",
    "./backend/app/main.py",
    "backend//app/main.py",
    "..\\outside\\victim.txt",
    "",
    ".",
]


@pytest.mark.parametrize(
    "command", [["generate"], ["generate", "--force"], ["remove"], ["remove", "--force"]], ids=str
)
def test_manifest_entries_naming_no_project_path_are_dropped_never_touched(
    project: Path, tmp_path: Path, command: list[str]
) -> None:
    # A hand-edited manifest recording a path outside the root (or not as the tool records
    # paths) failed every later run with an error for it, --force too, naming no fix.
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("precious\n")
    paths = [entry.format(outside=outside) for entry in FOREIGN_PATHS]
    document = json.loads((project / MANIFEST).read_text())
    for path in paths:
        document["files"][path] = sync.sha256(victim.read_bytes())
    (project / MANIFEST).write_text(json.dumps(document))

    check = run("generate", "--check", "--root", str(project))
    assert check.exit_code == 1, check.stdout
    result = run(*command, "--root", str(project))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 0, result.stdout
    assert "dropped the entries of '', '.', '../outside/victim.txt' and 6 more:" in result.stdout
    assert victim.read_text() == "precious\n"
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]
    assert (project / MAIN).is_file()
    if (project / MANIFEST).exists():
        assert not set(paths) & set(json.loads((project / MANIFEST).read_text())["files"])
    again = run(*command, "--root", str(project))
    assert again.exit_code == 0, again.stdout
    assert "dropped" not in again.stdout


@pytest.mark.parametrize(
    "command", [["generate"], ["generate", "--force"], ["remove"], ["remove", "--force"]], ids=str
)
def test_a_recorded_file_with_the_header_and_other_bytes_is_never_lost(
    project: Path, command: list[str]
) -> None:
    # The record names a file the plan no longer writes (a hand-merged entry; a module of the
    # user's started from a copy of a generated one, its header kept). Whether an output edited
    # by hand or the user's own file, nothing tells them apart but the digest: kept and named
    # by every command, --force alone removes it, with a backup.
    layer = project / "backend/app/analytics"
    own = layer / "helpers.py"
    own.write_text(
        (layer / "error_capture.py").read_text() + "\n\ndef mine() -> int:\n    return 1\n"
    )
    kept = own.read_bytes()
    document = json.loads((project / MANIFEST).read_text())
    document["files"]["backend/app/analytics/helpers.py"] = document["files"][
        "backend/app/analytics/error_capture.py"
    ]
    (project / MANIFEST).write_text(json.dumps(document))
    check = run(command[0], "--check", "--root", str(project))
    assert check.exit_code == 1
    assert "backend/app/analytics/helpers.py" in check.stdout

    result = run(*command, "--root", str(project))
    assert "Traceback" not in result.stdout + result.stderr
    backups = list(layer.glob("helpers.py.*"))
    if "--force" in command:
        assert result.exit_code == 0, result.stdout
        assert not own.exists()
        assert [backup.read_bytes() for backup in backups] == [kept]
    else:
        assert result.exit_code == 1, result.stdout
        assert re.search(r"^refused\s+backend/app/analytics/helpers\.py$", result.stdout, re.M)
        assert own.read_bytes() == kept
        assert not backups
        assert run(command[0], "--check", "--root", str(project)).exit_code == 1


@pytest.mark.parametrize(
    "command", [["generate"], ["generate", "--force"], ["remove"], ["remove", "--force"]], ids=str
)
def test_manifest_entries_reached_through_a_link_leading_outside_are_dropped(
    project: Path, tmp_path: Path, command: list[str]
) -> None:
    # A folder of the project made a link to another place, holding a recorded path: every run
    # failed with "outside the project root", --force too. The entry names no file the tool
    # wrote in the project: dropped with a note, nothing read or written through the link.
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "old.md"
    victim.write_text("precious\n")
    (project / "linked").symlink_to(outside)
    document = json.loads((project / MANIFEST).read_text())
    document["files"]["linked/old.md"] = sync.sha256(victim.read_bytes())
    (project / MANIFEST).write_text(json.dumps(document))

    result = run(*command, "--root", str(project))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 0, result.stdout
    assert (
        "dropped the entries of 'linked/old.md': reached through a link leading outside the "
        "project" in result.stdout
    )
    assert victim.read_text() == "precious\n"
    assert sorted(p.name for p in outside.iterdir()) == ["old.md"]
    assert (project / "linked").is_symlink()
    if (project / MANIFEST).exists():
        assert "linked/old.md" not in json.loads((project / MANIFEST).read_text())["files"]
    again = run(*command, "--root", str(project))
    assert again.exit_code == 0, again.stdout
    assert "dropped" not in again.stdout


@pytest.mark.parametrize(
    ("folder", "target"),
    [("backend/app/analytics", "backend/app/shared"), ("specs/059-analytics-telemetry", "specs/x")],
    ids=["layer", "feature"],
)
def test_an_output_folder_linked_to_another_folder_of_the_project_is_kept(
    project: Path, folder: str, target: str
) -> None:
    # The folder the link leads to holds the outputs themselves: taken for another layer's (a
    # folder beside the plan's with the tool's files), generate deleted them all and the folder,
    # leaving the link dangling: the app no longer started and every later run failed.
    (project / folder).rename(project / target)
    (project / folder).symlink_to(Path(target).name)
    before = snapshot(project)
    for command in (["generate", "--check"], ["generate"], ["generate", "--force"]):
        result = run(*command, "--root", str(project))
        assert "Traceback" not in result.stdout + result.stderr
        assert result.exit_code == 0, (command, result.stdout)
        assert snapshot(project) == before, command
    assert run("remove", "--root", str(project)).exit_code == 0
    assert (project / folder).is_symlink()
    assert not [path for path in (project / target).iterdir() if path.suffix in (".py", ".md")]
    assert "analytics" not in (project / MAIN).read_text()


RENAMED_THROUGH_LINKS = {
    # (config of the first run, of the later runs, folder moved then (from, to), link (at, to))
    "layer-moved-old-name-linked": (
        'layer-package = "shared"',
        'layer-package = "analytics"',
        ("backend/app/shared", "backend/app/analytics"),
        ("backend/app/shared", "analytics"),
    ),
    "layer-kept-new-name-linked": (
        'layer-package = "shared"',
        'layer-package = "analytics"',
        None,
        ("backend/app/analytics", "shared"),
    ),
    "feature-kept-new-name-linked": (
        'feature = "001-old"',
        'feature = "002-new"',
        None,
        ("specs/002-new", "001-old"),
    ),
    "manifest-names-both": (
        "",
        "",
        ("backend/app/analytics", "backend/app/shared"),
        ("backend/app/analytics", "shared"),
    ),
}


@pytest.mark.parametrize(
    ("first", "then", "moved", "link"), RENAMED_THROUGH_LINKS.values(), ids=RENAMED_THROUGH_LINKS
)
def test_outputs_the_manifest_names_by_another_name_through_links_are_kept(
    tmp_path: Path, first: str, then: str, moved: tuple[str, str] | None, link: tuple[str, str]
) -> None:
    # The manifest recorded the layer (or feature) under the name it had; renamed and linked,
    # the old name leads to the files rendered now. Judged as obsolete by the old name, they
    # were deleted, or hashed while this run wrote them ("another program wrote it").
    project = make_project(tmp_path / "p", first)
    assert run("generate", "--root", str(project)).exit_code == 0
    manifest = project / sync.MANIFEST_PATH
    outputs = len(json.loads(manifest.read_text())["files"])
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(first, then))
    if moved:
        (project / moved[0]).rename(project / moved[1])
    (project / link[0]).symlink_to(link[1])
    if not first:  # the manifest edited to name the layer by both names
        document = json.loads(manifest.read_text())
        aliases = {
            path.replace("/analytics/", "/shared/"): digest
            for path, digest in document["files"].items()
            if path.startswith("backend/app/analytics/")
        }
        document["files"].update(aliases)
        manifest.write_text(json.dumps(document))
    for command in (["generate"], ["generate"], ["generate", "--check"]):
        result = run(*command, "--root", str(project))
        assert "Traceback" not in result.stdout + result.stderr
        assert result.exit_code == 0, (command, result.stdout)
    recorded = json.loads(manifest.read_text())["files"]
    # Every output once, by the plan's name, and there: none deleted through the other name.
    assert len(recorded) == outputs
    assert [path for path in recorded if not (project / path).is_file()] == []
    assert (project / link[0]).is_symlink()


@pytest.mark.parametrize("args", [[], ["--check"], ["--diff"], ["--diff", "--json"]])
@pytest.mark.parametrize("folder", ["backend/app/analytics", "specs/059-analytics-telemetry"])
def test_an_output_folder_that_is_a_link_to_nothing_is_named_so(
    project: Path, folder: str, args: list[str]
) -> None:
    # Making the folder fails with "File exists": the user was told a file exists, not that
    # the folder is a link leading nowhere. --check and --diff named no link either: they
    # showed every file under it as to be created, which generate could not do.
    shutil.rmtree(project / folder)
    (project / folder).symlink_to("nowhere")
    before = snapshot(project)
    result = run("generate", *args, "--root", str(project))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {folder}: a link to nothing (nowhere); ")
    assert "--- /dev/null" not in result.stdout
    assert (project / folder).is_symlink()
    assert snapshot(project) == before  # said before anything was written


@pytest.mark.parametrize(
    "args", [["health"], ["health", "--json"], ["generate", "--check", "--json"]]
)
def test_reports_keep_their_output_under_an_output_folder_that_is_a_link_to_nothing(
    project: Path, args: list[str]
) -> None:
    # health (which decides as generate does) and the --json documents report the files, as
    # before: the link is named by what would write there, not by every reader of the plan.
    folder = "backend/app/analytics"
    shutil.rmtree(project / folder)
    (project / folder).symlink_to("nowhere")
    result = run(*args, "--root", str(project))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 1
    assert result.stdout.strip()
    if "--json" in args:
        json.loads(result.stdout)
    assert (project / folder).is_symlink()


def test_outputs_rendered_through_links_to_the_recorded_files_are_kept(tmp_path: Path) -> None:
    # The other way round: the rendered files are links to the ones the manifest recorded
    # (each module of the new layer linked to the old one's). Judged as obsolete by the old
    # name, the recorded files were hashed mid-write, then deleted, leaving the links dangling.
    project = make_project(tmp_path / "p", 'layer-package = "shared"')
    assert run("generate", "--root", str(project)).exit_code == 0
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('layer-package = "shared"', 'layer-package = "analytics"')
    )
    shared = project / "backend/app/shared"
    analytics = project / "backend/app/analytics"
    analytics.mkdir()
    for module in sorted(shared.glob("*.py")):
        (analytics / module.name).symlink_to(f"../shared/{module.name}")
    for command in (["generate"], ["generate"], ["generate", "--check"]):
        result = run(*command, "--root", str(project))
        assert "Traceback" not in result.stdout + result.stderr
        assert result.exit_code == 0, (command, result.stdout)
    recorded = json.loads((project / sync.MANIFEST_PATH).read_text())["files"]
    assert [path for path in recorded if not (project / path).is_file()] == []
    assert [m.name for m in analytics.iterdir() if not m.is_file()] == []


def test_an_obsolete_output_recorded_through_a_linked_folder_is_removed(project: Path) -> None:
    # A folder linked to the layer's holds the layer's files, but not only those the plan
    # renders: a generated module the plan no longer has, recorded through the link, is
    # obsolete like any other, and goes (it stayed, and dropped out of the manifest).
    manifest = project / sync.MANIFEST_PATH
    assert run("generate", "--root", str(project)).exit_code == 0
    document = json.loads(manifest.read_text())
    layer = project / "backend/app/analytics"
    (layer / "old_mod.py").write_bytes((layer / "redaction.py").read_bytes())
    recorded = document["files"]["backend/app/analytics/redaction.py"]
    document["files"]["backend/app/shared/old_mod.py"] = recorded
    manifest.write_text(json.dumps(document))
    (project / "backend/app/shared").symlink_to("analytics")
    result = run("generate", "--root", str(project))
    assert result.exit_code == 0, result.stdout
    assert not (layer / "old_mod.py").exists()
    assert "backend/app/shared/old_mod.py" not in json.loads(manifest.read_text())["files"]
    assert run("generate", "--check", "--root", str(project)).exit_code == 0


def test_remove_with_the_layer_recorded_under_two_names_of_one_folder(project: Path) -> None:
    # The manifest names each module of the layer by its name and through a link to its
    # folder: removed under the first name, the second found it gone mid-run and failed.
    manifest = project / sync.MANIFEST_PATH
    assert run("generate", "--root", str(project)).exit_code == 0
    document = json.loads(manifest.read_text())
    document["files"].update(
        {
            path.replace("/analytics/", "/shared/"): digest
            for path, digest in document["files"].items()
            if path.startswith("backend/app/analytics/")
        }
    )
    manifest.write_text(json.dumps(document))
    (project / "backend/app/shared").symlink_to("analytics")
    result = run("remove", "--root", str(project))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert sorted((project / "backend/app/analytics").glob("*.py")) == []


def test_manifest_linked_inside_the_root_is_written_through(project: Path) -> None:
    real = project / "state" / "manifest.json"
    real.parent.mkdir()
    (project / MANIFEST).rename(real)
    (project / MANIFEST).symlink_to(Path("state") / "manifest.json")
    (project / LOGGER).unlink()
    assert run("generate", "--root", str(project)).exit_code == 0
    assert (project / MANIFEST).is_symlink()
    assert run("generate", "--check", "--root", str(project)).exit_code == 0


def test_a_manifest_link_swapped_after_the_check_is_not_written_through(
    project: Path, tmp_path: Path
) -> None:
    from telemetry_cli import sync
    from telemetry_cli.plan import load_plan

    outside = tmp_path / "outside.json"
    (project / MANIFEST).unlink()
    report = sync.compute(load_plan(root=project))
    (project / MANIFEST).symlink_to(outside)
    with pytest.raises(UserError) as caught:
        sync.apply(report)
    assert "outside the project root" in caught.value.message
    assert not outside.exists()


# --- temporary files of interrupted runs ------------------------------------------------------


def plant(project: Path, relative: str, data: bytes = b"half a fi") -> Path:
    path = project / relative
    path.write_bytes(data)
    return path


LEFTOVERS = [
    "backend/app/analytics/.event_logger.py.a1b2c3d4.tmp",
    "backend/app/.main.py.x_9zzzzz.tmp",
    "backend/app/api/.ai_blocks.py.bak.q1w2e3r4.tmp",
    "backend/app/api/.ai_blocks.py.bak.3.q1w2e3r4.tmp",
    "..telemetry-scaffold.json.abcdefgh.tmp",
    "specs/059-analytics-telemetry/checklists/.requirements.md.0000abcd.tmp",
]


def test_leftover_temp_files_are_reported_by_check_and_removed_by_generate(project: Path) -> None:
    for relative in LEFTOVERS:
        plant(project, relative)
    check = run("generate", "--check", "--root", str(project))
    assert check.exit_code == 1
    for relative in LEFTOVERS:
        assert re.search(rf"^leftover +{re.escape(relative)}$", check.stdout, re.M), check.stdout
    assert f"{len(LEFTOVERS)} of " in check.stdout
    assert all((project / relative).exists() for relative in LEFTOVERS), "--check wrote"

    result = run("generate", "--root", str(project))
    assert result.exit_code == 0, result.stdout + result.stderr
    for relative in LEFTOVERS:
        assert re.search(rf"^removed +{re.escape(relative)}$", result.stdout, re.M), result.stdout
        assert not (project / relative).exists()
    assert run("generate", "--check", "--root", str(project)).exit_code == 0


@pytest.mark.parametrize(
    "relative",
    [
        "backend/app/analytics/.notes.md.a1b2c3d4.tmp",  # not named after a target
        "backend/app/analytics/.event_logger.py.a1b2c3.tmp",  # not tempfile's 8 characters
        "backend/app/analytics/.event_logger.py.A1B2C3D4.tmp",  # tempfile uses lower case
        "backend/app/analytics/event_logger.py.a1b2c3d4.tmp",  # no leading dot
        "backend/app/api/.main.py.a1b2c3d4.tmp",  # a target's name, but not its folder
        "backend/.event_logger.py.a1b2c3d4.tmp",
    ],
)
def test_files_that_are_not_our_temp_files_are_left_alone(project: Path, relative: str) -> None:
    plant(project, relative)
    assert run("generate", "--check", "--root", str(project)).exit_code == 0
    assert run("generate", "--root", str(project)).exit_code == 0
    assert (project / relative).exists()


def test_a_temp_file_that_is_a_link_or_folder_is_left_alone(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "precious"
    target.write_text("keep")
    link = project / "backend/app/analytics/.event_logger.py.a1b2c3d4.tmp"
    link.symlink_to(target)
    folder = project / "backend/app/analytics/.telemetry_router.py.a1b2c3d4.tmp"
    folder.mkdir()
    assert run("generate", "--check", "--root", str(project)).exit_code == 0
    assert run("generate", "--root", str(project)).exit_code == 0
    assert link.is_symlink() and folder.is_dir() and target.read_text() == "keep"


def test_a_temp_file_a_running_write_holds_is_left_alone(project: Path) -> None:
    path = plant(project, LEFTOVERS[0])
    with path.open("rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        assert run("generate", "--check", "--root", str(project)).exit_code == 0
        assert run("generate", "--root", str(project)).exit_code == 0
        assert path.exists()
    assert run("generate", "--check", "--root", str(project)).exit_code == 1


def test_a_write_holds_its_temp_file_until_the_rename(tmp_path: Path) -> None:
    seen: list[list[str]] = []
    real_replace = Path.replace

    def replace(self: Path, target: Path) -> Path:
        seen.append(files.leftover_temp_files(tmp_path, ["x.txt"]))
        return real_replace(self, target)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "replace", replace)
        files.atomic_write(tmp_path / "x.txt", b"data")
    assert seen == [[]]
    assert (tmp_path / "x.txt").read_bytes() == b"data"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]


def test_a_killed_run_leaves_a_temp_file_the_next_run_removes(project: Path) -> None:
    (project / LOGGER).unlink()
    (project / "pyproject.toml").write_text(
        (project / "pyproject.toml").read_text() + 'api-prefix = "/t"\n'
    )
    # Kill the run in the middle of its first write, after the bytes reached the temp file and
    # before the rename.
    code = (
        "import os, pathlib, signal, sys\n"
        "pathlib.Path.replace = lambda self, target: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from telemetry_cli.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    killed = subprocess.run(
        [sys.executable, "-c", code, "generate", "--root", str(project)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    leftovers = [
        p.relative_to(project).as_posix()
        for p in project.rglob(".*.tmp")
        if "__pycache__" not in p.parts
    ]
    assert len(leftovers) == 1, leftovers
    check = run("generate", "--check", "--root", str(project))
    assert check.exit_code == 1
    assert re.search(rf"^leftover +{re.escape(leftovers[0])}$", check.stdout, re.M)
    assert run("generate", "--root", str(project)).exit_code == 0
    assert not (project / leftovers[0]).exists()
    assert run("generate", "--check", "--root", str(project)).exit_code == 0


def test_json_names_the_leftover_kind(project: Path) -> None:
    import json

    plant(project, LEFTOVERS[0])
    result = run("generate", "--check", "--json", "--root", str(project))
    document = json.loads(result.stdout)
    [entry] = [f for f in document["files"] if f["path"] == LEFTOVERS[0]]
    assert (entry["kind"], entry["labels"], entry["diff"]) == ("temporary", ["leftover"], "")


def test_umask_is_restored(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        files.atomic_write(tmp_path / "y", b"")
        assert os.umask(0o022) == 0o022
    finally:
        os.umask(before)


# --- read-only and other people's files -------------------------------------------------------

BLOCKS = "backend/app/api/ai_blocks.py"


@pytest.mark.parametrize("command", ["generate", "remove"])
def test_a_read_only_user_module_is_refused_not_replaced(tmp_path: Path, command: str) -> None:
    # A write-protected module (chmod a-w, a Perforce checkout) is the user saying "do not
    # touch": an atomic rename would replace it anyway (even as root, and for anyone who can
    # write the folder). It is one error naming the file and the fix; nothing else is written.
    root = make_project(tmp_path / "project")
    if command == "remove":
        assert run("generate", "--root", str(root)).exit_code == 0
    module = root / BLOCKS
    module.chmod(0o444)
    before = module.read_bytes()
    result = run(command, "--root", str(root))
    assert result.exit_code == 1, result.stdout + result.stderr
    assert re.search(rf"^error\s+{re.escape(BLOCKS)}$", result.stdout, re.M), result.stdout
    assert f"{BLOCKS}: read-only" in result.stdout and "chmod u+w" in result.stdout
    assert module.read_bytes() == before
    assert module.stat().st_mode & 0o7777 == 0o444
    module.chmod(0o644)
    assert run(command, "--root", str(root)).exit_code == 0


def test_documents_brought_up_to_date_for_a_module_patched_at_last_do_not_blame_the_plan(
    tmp_path: Path,
) -> None:
    # The documents do not claim a read-only module's patch as done; once it is written they
    # change, and were said to because "the plan changed", which it had not since the last run.
    root = make_project(tmp_path / "project")
    module = root / BLOCKS
    module.chmod(0o444)
    assert run("generate", "--root", str(root)).exit_code == 1
    module.chmod(0o644)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "the plan changed" not in result.stdout, result.stdout
    assert "the user files it says are patched changed since it was written" in result.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize("command", ["generate", "remove"])
@pytest.mark.parametrize("mode", ["--check", "--diff"])
def test_a_read_only_stale_user_module_is_checked_as_any_other(
    tmp_path: Path, command: str, mode: str
) -> None:
    # --check and --diff write nothing, so write protection is no concern of theirs: the module
    # is reported out of date with its diff, as a writable one is; only writing refuses it.
    root = make_project(tmp_path / "project")
    if command == "remove":
        assert run("generate", "--root", str(root)).exit_code == 0
    writable = run(command, mode, "--root", str(root))
    (root / BLOCKS).chmod(0o444)
    before = snapshot(root)
    result = run(command, mode, "--root", str(root))
    assert (result.exit_code, result.stdout) == (writable.exit_code, writable.stdout)
    assert f"{BLOCKS}: read-only" not in result.stdout + result.stderr
    assert f"+++ b/{BLOCKS}" in result.stdout
    assert snapshot(root) == before


def test_a_read_only_generated_file_is_rewritten_keeping_its_mode(project: Path) -> None:
    # The tool's own outputs are often write-protected on purpose (against hand edits).
    logger = project / LOGGER
    logger.write_text("# hand edit\n")
    logger.chmod(0o444)
    assert run("generate", "--force", "--root", str(project)).exit_code == 0
    assert logger.read_text() != "# hand edit\n"
    assert logger.stat().st_mode & 0o7777 == 0o444


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_a_rewritten_file_keeps_its_owner(tmp_path: Path) -> None:
    # Run as root (sudo, a container) the rename would hand every rewritten file to root.
    root = make_project(tmp_path / "project")
    logger = root / LOGGER
    logger.parent.mkdir()
    logger.write_text("# an older layer\n")
    targets = [root / MAIN, root / BLOCKS, logger]
    for path in targets:
        os.chown(path, 1234, 2345)
    inodes = [path.stat().st_ino for path in targets]
    assert run("generate", "--force", "--root", str(root)).exit_code == 0
    assert [path.stat().st_ino for path in targets] != inodes  # replaced, not written in place
    for path in targets:
        assert (path.stat().st_uid, path.stat().st_gid) == (1234, 2345), path
