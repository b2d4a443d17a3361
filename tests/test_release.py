"""A release is one version everywhere: the package, the changelog, the README's pins, the tags."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from telemetry_cli import __version__

REPO = Path(__file__).resolve().parent.parent


def test_the_changelog_has_an_entry_for_this_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(__version__)} - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M)
    versions = re.findall(r"^## (\d+\.\d+\.\d+) - ", changelog, re.M)
    assert versions[0] == __version__, "the newest entry comes first"


def test_the_readme_pins_this_version() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f'@v{__version__}"' in readme
    assert f"rev: v{__version__}" in readme
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert f"rev: v{__version__}" in hooks


def test_released_versions_are_tagged() -> None:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    tags = subprocess.run(
        ["git", "tag", "--list", "v*"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.split()
    if not tags:
        pytest.skip("this clone carries no tags")
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    released = re.findall(r"^## (\d+\.\d+\.\d+) - ", changelog, re.M)
    for version in released[1:]:  # the newest is tagged when it is released
        assert f"v{version}" in tags


def _generated(tmp_path: Path) -> Path:
    from tests.cli_support import make_project, run

    root = make_project(tmp_path / "project")
    assert run("generate", "--root", str(root)).exit_code == 0
    return root


def _set_manifest_version(root: Path, version: str) -> None:
    import json

    path = root / ".telemetry-scaffold.json"
    document = json.loads(path.read_text())
    document["version"] = version
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")


def test_a_new_version_that_writes_the_same_files_is_not_drift(tmp_path: Path) -> None:
    from tests.cli_support import run

    root = _generated(tmp_path)
    _set_manifest_version(root, "0.0.9")
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_files_stale_from_new_templates_say_which_version_wrote_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from telemetry_cli import sync
    from telemetry_cli.plan import load_plan
    from telemetry_cli.render import RenderedFile

    root = _generated(tmp_path)
    _set_manifest_version(root, "0.1.0")
    render = sync.render_context

    def new_templates(*args: object, **kwargs: object) -> list[RenderedFile]:
        outputs = render(*args, **kwargs)  # type: ignore[arg-type]
        first = outputs[0]
        outputs[0] = RenderedFile(first.path, first.content + "# new\n", first.template)
        return outputs

    monkeypatch.setattr(sync, "render_context", new_templates)
    report = sync.compute(load_plan(root=root))
    stale = [change for change in report.changes if "stale" in change.labels and change.old]
    assert stale
    assert (
        f"written by telemetry-scaffold 0.1.0; its templates changed in {__version__} "
        "(see CHANGELOG.md)"
    ) in stale[0].messages


def test_files_stale_from_a_plan_change_say_so(tmp_path: Path) -> None:
    from tests.cli_support import run

    root = _generated(tmp_path)
    config = root / "pyproject.toml"
    config.write_text(config.read_text() + 'api-prefix = "/api/events"\n')
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 1
    assert "the plan changed since it was written" in check.stdout


def test_an_installed_version_checks_its_own_unchanged_outputs_without_rendering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An installed wheel renders the same bytes for the same version and context: a file the
    # manifest says it wrote, still as it wrote it, is checked by its hash alone.
    from telemetry_cli import render, sync
    from telemetry_cli.plan import load_plan

    monkeypatch.setattr(sync, "renders_by_version", lambda: True)
    root = _generated(tmp_path)
    rendered: list[str] = []
    original = render.with_header

    def counting(path: str, body: str) -> str:
        rendered.append(path)
        return original(path, body)

    monkeypatch.setattr(render, "with_header", counting)
    report = sync.compute(load_plan(root=root))
    assert report.up_to_date
    assert rendered == []
    # A hand edit is still caught: that file is rendered and compared.
    spec = root / "specs/059-analytics-telemetry/spec.md"
    spec.write_text(spec.read_text() + "\nedited\n")
    report = sync.compute(load_plan(root=root))
    assert not report.up_to_date
    assert rendered == ["specs/059-analytics-telemetry/spec.md"]
    hand_edited = [change for change in report.changes if "hand-edited" in change.labels]
    assert [change.path for change in hand_edited] == ["specs/059-analytics-telemetry/spec.md"]
    # Another version of the tool renders everything again.
    _set_manifest_version(root, "0.1.0")
    spec.write_text(spec.read_text().removesuffix("\nedited\n"))
    rendered.clear()
    assert sync.compute(load_plan(root=root)).up_to_date
    assert len(rendered) > 10


@pytest.mark.parametrize("installed", [True, False], ids=["installed", "checkout"])
def test_a_run_reads_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, installed: bool
) -> None:
    # A generated file's bytes are the ones the decision is made of: read twice (checked by its
    # hash, or read by the analysis following imports of the layer, then compared), a file
    # edited in between would be decided on from two different files.
    from collections import Counter

    from telemetry_cli import manifest, sync
    from telemetry_cli.patching import project
    from telemetry_cli.plan import load_plan

    monkeypatch.setattr(sync, "renders_by_version", lambda: installed)
    root = _generated(tmp_path)
    reads: Counter[str] = Counter()
    original = sync.read_bytes

    def counting(path: Path, label: str) -> bytes | None:
        reads[label] += 1
        return original(path, label)

    monkeypatch.setattr(sync, "read_bytes", counting)
    monkeypatch.setattr(manifest, "read_bytes", counting)
    monkeypatch.setattr(project, "read_bytes", counting)
    assert sync.compute(load_plan(root=root)).up_to_date
    assert "specs/059-analytics-telemetry/spec.md" in reads
    assert manifest.MANIFEST_PATH in reads
    assert [label for label, count in reads.items() if count > 1] == []
