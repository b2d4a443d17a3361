"""What people read from the CLI: help pages that describe their own command, honest totals."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from telemetry_cli.cli import _run
from tests.cli_support import REPO, apply_diff, make_project, run

COMMANDS = ("init", "generate", "remove", "emit", "health")


def option_lines(page: str) -> list[str]:
    """The lines of a help page's Options section."""
    lines = page.split("Options:", 1)[1].splitlines()
    return [line for line in lines if line.strip()]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_value_is_named_for_what_it_is(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0, result.stderr
    metavars = re.findall(r"^\s+(?:-\w, )?--[\w-]+ <([^>]+)>", result.stdout, re.MULTILINE)
    # A value's kind (<dir>, <file>, <json>, <url>, <seconds>), never Python's type name.
    assert not {"str", "float", "int", "path"} & set(metavars), metavars


@pytest.mark.parametrize("command", COMMANDS)
def test_a_help_page_names_only_its_own_options(command: str) -> None:
    page = run(command, "--help").stdout
    own = set(re.findall(r"^\s+(?:-\w, )?(--[\w-]+)", page, re.MULTILINE))
    mentioned = set(re.findall(r"(?<![\w-])--[a-z][\w-]*", page))
    assert mentioned <= own, mentioned - own


@pytest.mark.parametrize("command", COMMANDS)
def test_help_sentences_hold_one_parenthesis_at_a_time(command: str) -> None:
    # "for the server (--url) (0.1 to 600)" reads as a stutter.
    page = " ".join(run(command, "--help").stdout.split())
    assert re.findall(r"\([^()]*\) \(", page) == []


def test_diff_of_an_up_to_date_project_says_nothing_would_change(
    generated_project: Path,
) -> None:
    result = run("generate", "--root", str(generated_project), "--diff")
    assert result.exit_code == 0, result.stderr
    summary = result.stdout.splitlines()[-1]
    assert re.fullmatch(r"Nothing would change in the \d+ files\.", summary), summary


def test_diff_counts_only_the_files_that_would_change(generated_project: Path) -> None:
    (generated_project / "specs" / "059-analytics-telemetry" / "spec.md").unlink()
    result = run("generate", "--root", str(generated_project), "--diff")
    assert result.exit_code == 0, result.stderr
    summary = result.stdout.splitlines()[-1]
    assert re.fullmatch(r"Would change 1 of \d+ files: 1 created, \d+ unchanged\.", summary), (
        summary
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("generate", "--format", "xml"), "'--format': 'xml' is not one of 'text', 'github' ("),
        (
            ("health", "--timeout", "abc"),
            "'--timeout': must be a number of seconds from 0.1 to 600",
        ),
        (
            ("emit", "x", "--timeout", "0"),
            "'--timeout': must be a number of seconds from 0.1 to 600",
        ),
    ],
)
def test_a_bad_option_value_is_one_line_in_our_words(
    args: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Not the validation library's ("Value error, ...", "Input should be a valid number").
    assert _run(list(args)) == 2
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1
    assert message in stderr, stderr


def test_the_format_takes_any_letter_case(generated_project: Path) -> None:
    result = run("generate", "--root", str(generated_project), "--check", "--format", "GitHub")
    assert result.exit_code == 0, result.stderr


def test_the_top_level_help_documents_the_exit_codes() -> None:
    page = " ".join(run("--help").stdout.split())
    assert "Exit codes: 0 success" in page
    for code in ("; 1 ", "; 2 usage or configuration error", "; 130 interrupted"):
        assert code in page


def test_the_command_list_shows_whole_sentences() -> None:
    page = run("--help").stdout
    commands = page.split("Commands:", 1)[1].strip().splitlines()
    assert len(commands) == 5
    for line in commands:
        assert line.rstrip().endswith(".") and not line.rstrip().endswith("..."), line


def test_remove_check_says_whether_the_layer_is_still_there(generated_project: Path) -> None:
    root = str(generated_project)
    before = run("remove", "--root", root, "--check")
    assert before.exit_code == 1
    summary = before.stdout.splitlines()[-1]
    assert re.fullmatch(
        r"(\d+) of \1 files still hold the layer; run `telemetry-scaffold remove`\.", summary
    ), summary
    assert run("remove", "--root", root).exit_code == 0
    after = run("remove", "--root", root, "--check")
    assert after.exit_code == 0
    assert re.fullmatch(r"Nothing of the layer is left in the \d+ files\.", after.stdout.strip())


def test_totals_of_one_file_are_in_the_singular(tmp_path: Path) -> None:
    # Once the layer is removed from a project without instrumented modules, the app module is
    # the one file left to look at: "1 file", never "1 files".
    (tmp_path / "app").mkdir()
    (tmp_path / "app/__init__.py").write_text("")
    (tmp_path / "app/main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.telemetry-scaffold]\nbackend = "."\napp-package = "app"\n'
        'app = "app.main:app"\ninstrument = {}\n'
    )
    root = str(tmp_path)
    assert run("generate", "--root", root).exit_code == 0
    removed = run("remove", "--root", root)
    assert removed.exit_code == 0, removed.stdout + removed.stderr
    again = run("remove", "--root", root)
    assert again.stdout.splitlines()[-1] == "Done: 1 file: 1 unchanged."
    check = run("remove", "--root", root, "--check")
    assert check.stdout.strip() == "Nothing of the layer is left in the 1 file."
    diff = run("remove", "--root", root, "--diff")
    assert diff.stdout.splitlines()[-1] == "Nothing would change in the 1 file."


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        # The config file in the root: named relative to it, like the project's files.
        (("--root", "project"), "pyproject.toml"),
        (("--config", "project/plan.toml"), "plan.toml"),
        # A --config file outside the root: as the user reaches it, never its bare name.
        (("--root", "project", "--config", "plans/plan.toml"), "plans/plan.toml"),
    ],
)
def test_messages_name_the_config_file_where_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], shown: str
) -> None:
    plan = '[tool.telemetry-scaffold]\nbackend = "server"\n'
    for folder, name in (
        ("project", "pyproject.toml"),
        ("project", "plan.toml"),
        ("plans", "plan.toml"),
    ):
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / name).write_text(plan)
    monkeypatch.chdir(tmp_path)
    result = run("generate", *args)
    assert result.exit_code == 2, result.stdout
    assert result.stderr == (
        "error: server/app: app package folder not found; create it or fix backend / "
        f"app-package in {shown}\n"
    )


def test_a_folder_at_the_project_root_is_named_so_not_dot_slash(tmp_path: Path) -> None:
    plan = '[tool.telemetry-scaffold]\nbackend = "."\napp-package = ""\ninstrument = {}\n'
    (tmp_path / "pyproject.toml").write_text(plan)
    (tmp_path / "main.py").write_text("x = 1\n")
    result = run("generate", "--check", "--root", str(tmp_path))
    assert "no FastAPI app found in the project root (looked for" in result.stderr, result.stderr
    assert "./" not in result.stderr


@pytest.mark.parametrize("command", ["generate", "remove"])
def test_a_diff_keeps_the_bytes_of_each_line_and_applies_as_it_is_printed(
    tmp_path: Path, command: str
) -> None:
    # Printed through rich, the diff lost every carriage return (and form feed) of a CRLF
    # module: `--diff > change.patch; patch -p1 < change.patch` failed with "different line
    # endings" where `generate` itself writes CRLF lines into the module.
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    for module in ("backend/app/main.py", "backend/app/api/ai_blocks.py"):
        path = root / module
        text = path.read_text().replace('"""Make a quiz."""', '"""Make a quiz."""\n\x0c')
        path.write_bytes(text.replace("\n", "\r\n").encode())
    if command == "remove":
        assert run("generate", "--root", str(root)).exit_code == 0
    shown = subprocess.run(
        [sys.executable, "-m", "telemetry_cli", command, "--root", str(root), "--diff"],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    assert b"\r\n" in shown
    applied = tmp_path / "applied"
    shutil.copytree(root, applied)
    patched = apply_diff(shown, applied)
    assert run(command, "--root", str(root)).exit_code == 0
    assert patched.returncode == 0, patched.stdout
    for module in ("backend/app/main.py", "backend/app/api/ai_blocks.py"):
        assert (applied / module).read_bytes() == (root / module).read_bytes(), module
