"""Two plans (``--config``) on one project root: one manifest, so one plan per root.

A second plan on a root whose manifest records another plan's layer and patches would take them
over (undo the first plan's patches, delete its layer) and leave the first plan's ``--check`` red.
It is refused by every command that reads the manifest (generate, remove, health), with one line
naming the other plan's config and the fix.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from tests.cli_support import make_project, run, snapshot
from tests.plan_sequence_support import write_config
from tests.test_plan_transitions import SHAPES, Shape, _set_plan

MANIFEST = ".telemetry-scaffold.json"
SECOND = 'backend = "backend2"\nspecs-dir = "specs2"\n'


def two_services(tmp_path: Path) -> Path:
    """A root with two backends: the root pyproject's plan (backend/) and b.toml's (backend2/)."""
    root = make_project(tmp_path / "project")
    other = make_project(tmp_path / "other")
    shutil.copytree(other / "backend", root / "backend2")
    (root / "b.toml").write_text(f"[tool.telemetry-scaffold]\n{SECOND}")
    return root


def test_second_plan_on_a_root_is_refused_in_every_command(tmp_path: Path) -> None:
    root = two_services(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    before = snapshot(root)
    for command in (
        ("generate",),
        ("generate", "--check"),
        ("generate", "--diff"),
        ("remove",),
        ("remove", "--check"),
    ):
        result = run(*command, "--root", str(root), "--config", str(root / "b.toml"))
        assert result.exit_code == 2, (command, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(f"error: {MANIFEST}: ")
        assert "plan in pyproject.toml" in lines[0] and "b.toml" in lines[0]
        assert "remove" in lines[0] and "--root" in lines[0]
        assert "Traceback" not in result.stderr
        assert snapshot(root) == before
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_root_plan_is_refused_after_a_config_plan(tmp_path: Path) -> None:
    root = two_services(tmp_path)
    original = snapshot(root)
    config = str(root / "b.toml")
    assert run("generate", "--root", str(root), "--config", config).exit_code == 0
    manifest = json.loads((root / MANIFEST).read_text())
    assert manifest["config"] == "b.toml"
    before = snapshot(root)
    for command in ("generate", "health"):  # health has no --config: the root's plan
        result = run(command, "--root", str(root))
        assert result.exit_code == 2, result.stdout
        assert "plan in b.toml" in result.stderr and "remove" in result.stderr
        assert snapshot(root) == before
    assert run("generate", "--root", str(root), "--config", config, "--check").exit_code == 0
    # Its own plan takes it all out again; then the other plan is free to generate.
    assert run("remove", "--root", str(root), "--config", config).exit_code == 0
    assert snapshot(root) == original
    assert run("generate", "--root", str(root)).exit_code == 0


def test_manifest_without_config_is_the_root_plans(tmp_path: Path) -> None:
    """Manifests written before 0.16 name no config: the root pyproject's plan's, if it has one."""
    root = two_services(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert "config" not in json.loads((root / MANIFEST).read_text())
    result = run("generate", "--root", str(root), "--config", str(root / "b.toml"))
    assert result.exit_code == 2, result.stdout


def test_old_manifest_of_a_config_plan_keeps_working(tmp_path: Path) -> None:
    """A manifest an older version wrote for ``--config b.toml`` (no config field) is adopted."""
    root = two_services(tmp_path)
    shutil.rmtree(root / "backend")
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    config = str(root / "b.toml")
    assert run("generate", "--root", str(root), "--config", config).exit_code == 0
    manifest = json.loads((root / MANIFEST).read_text())
    del manifest["config"]
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    # Recording its config is bookkeeping: --check stays green; generate stamps it.
    assert run("generate", "--root", str(root), "--config", config, "--check").exit_code == 0
    assert run("generate", "--root", str(root), "--config", config).exit_code == 0
    assert json.loads((root / MANIFEST).read_text())["config"] == "b.toml"


def test_renamed_config_takes_its_record_over(tmp_path: Path) -> None:
    """The recorded plan's config is gone (renamed, moved): the record is the new one's."""
    root = two_services(tmp_path)
    original = snapshot(root)
    assert run("generate", "--root", str(root), "--config", str(root / "b.toml")).exit_code == 0
    (root / "b.toml").rename(root / "c.toml")
    config = str(root / "c.toml")
    # The documents name the config: they change, as for any plan moved to another file.
    assert run("generate", "--root", str(root), "--config", config).exit_code == 0
    assert json.loads((root / MANIFEST).read_text())["config"] == "c.toml"
    assert run("generate", "--root", str(root), "--config", config, "--check").exit_code == 0
    assert run("remove", "--root", str(root), "--config", config).exit_code == 0
    (root / "c.toml").rename(root / "b.toml")
    assert snapshot(root) == original


@pytest.mark.parametrize("shape", SHAPES, ids=[shape.name for shape in SHAPES])
@pytest.mark.parametrize("moved", ["same-layout", "specs-dir", "specs-dir-and-feature"])
def test_a_second_config_changes_nothing_on_each_shape(
    tmp_path: Path, shape: Shape, moved: str
) -> None:
    """Plan A generated; a second config (same backend, documents elsewhere) is refused."""
    root = shape.make(tmp_path / "project")
    _set_plan(root, shape.plan)
    assert run("generate", "--root", str(root)).exit_code == 0
    second = copy.deepcopy(shape.plan)
    if moved != "same-layout":
        second["specs-dir"] = "docs/second"
    if moved == "specs-dir-and-feature":
        second["feature"] = "002-second"
    write_config(root / "second.toml", second)
    before = snapshot(root)
    for command in ("generate", "remove"):
        for flags in ((), ("--check",), ("--diff",), ("--json",)):
            result = run(
                command, *flags, "--root", str(root), "--config", str(root / "second.toml")
            )
            assert result.exit_code == 2, (command, flags, result.stdout)
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
            assert "plan in pyproject.toml" in result.stderr
            assert snapshot(root) == before
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    # The fix the line names: take plan A out; then the second plan is the root's.
    assert run("remove", "--root", str(root)).exit_code == 0
    config = str(root / "second.toml")
    assert run("generate", "--root", str(root), "--config", config).exit_code == 0
    assert run("generate", "--root", str(root), "--config", config, "--check").exit_code == 0
    assert run("generate", "--root", str(root), "--check").exit_code == 2


@pytest.mark.parametrize(
    ("config", "refused"),
    [
        pytest.param("b.toml\n\x1b[31mred", False, id="control-characters"),
        pytest.param("sub/../pyproject.toml", False, id="the-plan-run-spelt-another-way"),
        pytest.param("backend", False, id="a-folder"),
        pytest.param("../outside.toml", True, id="outside-the-root"),
        pytest.param(7, False, id="not-a-string"),
        pytest.param("x" * 5000, False, id="too-long"),
        pytest.param("a\x00b.toml", False, id="nul"),
        pytest.param("huge.toml", True, id="huge-file-not-read"),
    ],
)
def test_a_hostile_config_record_gives_one_line_or_passes(
    tmp_path: Path, config: object, refused: bool
) -> None:
    root = two_services(tmp_path)
    (tmp_path / "outside.toml").write_text(f"[tool.telemetry-scaffold]\n{SECOND}")
    (root / "sub").mkdir()
    (root / "huge.toml").write_bytes(b"#" * (2 << 20))
    assert run("generate", "--root", str(root)).exit_code == 0
    manifest = json.loads((root / MANIFEST).read_text())
    manifest["config"] = config
    (root / MANIFEST).write_text(json.dumps(manifest))
    result = run("generate", "--root", str(root), "--check")
    if refused:
        assert result.exit_code == 2, result.stdout
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert f"plan in {config}" in result.stderr
    else:
        assert result.exit_code in (0, 1), result.stderr
        assert "\x1b" not in result.stdout + result.stderr


def test_control_characters_in_the_recorded_config_are_escaped(tmp_path: Path) -> None:
    """The plan refuses such a config file name itself; a manifest may still record one."""
    root = two_services(tmp_path)
    odd = "b\x1b[31m\n.toml"
    (root / "b.toml").rename(root / odd)
    assert run("generate", "--root", str(root)).exit_code == 0
    manifest = json.loads((root / MANIFEST).read_text())
    manifest["config"] = odd
    (root / MANIFEST).write_text(json.dumps(manifest))
    result = run("generate", "--root", str(root), "--check")
    assert result.exit_code == 2, result.stdout
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "\x1b" not in result.stderr, result.stderr
