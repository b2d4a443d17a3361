"""The CLI in a hostile environment: terminal width, locale and encoding of its streams.

Each test runs the real entry point in a child process, since what is attacked (the
environment variables read at start-up, the encoding of stdout, the bytes of ``argv``) is fixed
when the interpreter starts.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_support import REPO, make_project, run, snapshot

# A C locale without Python's UTF-8 mode: stdout is ASCII with surrogateescape, and the
# bytes of every argument that are not ASCII are decoded as lone surrogates.
_ASCII_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


def _cli(
    *args: str, cwd: Path, env: dict[str, str], shell: str | None = None
) -> subprocess.CompletedProcess[bytes]:
    """The real entry point in a child process; ``shell`` (``sh -c``) runs it with ``exec "$@"``."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "PYTHONIOENCODING")
    }
    environment.update({"PYTHONPATH": str(REPO), **env})
    command = [sys.executable, "-m", "telemetry_cli", *args]
    return subprocess.run(
        command if shell is None else ["sh", "-c", shell, "sh", *command],
        cwd=cwd,
        env=environment,
        capture_output=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("columns", ["0", "00", "1"])
def test_a_terminal_width_of_zero_still_prints_the_error_line(tmp_path: Path, columns: str) -> None:
    # COLUMNS=0 (a shell that has not measured its terminal yet) made rich print nothing at all.
    result = _cli("generate", "--root", "no-such-folder", cwd=tmp_path, env={"COLUMNS": columns})
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == ["error: no-such-folder: --root is not a folder"]


def test_a_terminal_width_of_zero_still_prints_status_lines_and_summary(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    wide = _cli("generate", "--check", cwd=root, env={"COLUMNS": "200"})
    zero = _cli("generate", "--check", cwd=root, env={"COLUMNS": "0", "LINES": "0"})
    assert wide.returncode == zero.returncode == 1
    assert b"out of date" in wide.stdout
    assert zero.stdout == wide.stdout


def test_a_diff_in_an_ascii_locale_is_complete_and_escaped(tmp_path: Path) -> None:
    # Python gives stdout the surrogateescape handler in the C locale: a diff with non-ASCII
    # text stopped halfway with "cannot write the output".
    root = make_project(tmp_path / "project")
    result = _cli("generate", "--diff", cwd=root, env=_ASCII_LOCALE)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    assert result.stdout.isascii()
    assert b"+++ b/specs/059-analytics-telemetry/tasks.md" in result.stdout
    assert b"\\u" in result.stdout
    assert result.stdout.rstrip().endswith(b"15 created, 2 patched.")


def test_a_path_that_is_not_utf8_is_named_escaped_in_an_ascii_locale(tmp_path: Path) -> None:
    # A byte no encoding decodes is named by its escape, on the one error line.
    result = _cli("generate", "--root", "no-such-\udcff", cwd=tmp_path, env=_ASCII_LOCALE)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [b"error: no-such-\\udcff: --root is not a folder"]


def test_a_utf8_payload_argument_is_accepted_in_an_ascii_locale(
    generated_project: Path,
) -> None:
    # The argument's bytes are UTF-8; an ASCII locale decodes them as lone surrogates, which
    # were taken for bytes that are not UTF-8.
    payload = json.dumps({"chapter_id": "kapitel-\u00e9\u2713"}, ensure_ascii=False)
    result = _cli(
        "emit",
        "chapter_visit",
        "--payload",
        payload,
        "--json",
        cwd=generated_project,
        env=_ASCII_LOCALE,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["payload"]["chapter_id"] == "kapitel-\u00e9\u2713"


def test_a_payload_argument_that_is_not_utf8_is_still_refused_in_an_ascii_locale(
    generated_project: Path,
) -> None:
    result = _cli(
        "emit",
        "chapter_visit",
        "--payload",
        '{"chapter_id": "\udcff"}',
        cwd=generated_project,
        env=_ASCII_LOCALE,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [b"error: --payload: the payload is not valid UTF-8"]


def test_stdout_of_an_ascii_locale_writes_escaped_bytes_back_and_escapes_the_rest() -> None:
    # A name read in the C locale holds its bytes as surrogates: they go out as those bytes.
    from telemetry_cli.cli import _BYTES_OR_ESCAPES, _bytes_or_escapes

    codecs.register_error(_BYTES_OR_ESCAPES, _bytes_or_escapes)
    text = "caf\u00e9-\udcc3\udca9-\u2713"
    assert text.encode("ascii", _BYTES_OR_ESCAPES) == b"caf\\xe9-\xc3\xa9-\\u2713"


@pytest.mark.parametrize(
    "args",
    [
        ["generate"],
        ["generate", "--check"],
        ["remove", "--diff"],
        ["init", "--dry-run"],
        ["init", "--root", "sub"],
        ["emit", "chapter_visit"],
        ["health", "--json"],
        ["generate", "--config", "pyproject.toml"],
    ],
    ids=lambda args: " ".join(args),
)
def test_a_current_folder_deleted_under_the_process_is_a_configuration_error(
    tmp_path: Path, args: list[str]
) -> None:
    # os.getcwd() fails: it was reported as "cannot write the output" (exit 1).
    gone = tmp_path / "gone"
    gone.mkdir()
    result = _cli(*args, cwd=tmp_path, env={}, shell=f'cd "{gone}" && rmdir "{gone}" && exec "$@"')
    assert result.returncode == 2, result.stderr
    assert result.stderr.decode().splitlines() == [
        "error: the current folder no longer exists; cd to your project or pass --root DIR"
    ]


def test_a_module_listed_under_another_name_of_the_same_file_is_a_config_error(
    tmp_path: Path,
) -> None:
    # On a case-insensitive file system (macOS, Windows) 'api/AI_blocks.py' is 'api/ai_blocks.py'
    # and resolve() keeps the case given: the one file was patched for two events, and refused
    # on every run after. A hard link is two names of one file on any file system.
    line = (
        'instrument = { "api/ai_blocks.py" = "ai_block_used", '
        '"api/AI_blocks.py" = "chapter_visit" }'
    )
    project = make_project(tmp_path / "project", config=line)
    api = project / "backend/app/api"
    (api / "AI_blocks.py").hardlink_to(api / "ai_blocks.py")
    before = snapshot(project)
    result = run("generate", "--root", str(project))
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "is the same file as 'api/ai_blocks.py'" in lines[0]
    assert snapshot(project) == before


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [["generate", "--root", "no-such-folder"], ["generate", "--bogus"], ["emit"]],
    ids=["configuration", "option", "missing-argument"],
)
def test_an_error_line_that_cannot_be_written_keeps_the_exit_code(
    tmp_path: Path, args: list[str]
) -> None:
    # stderr on a full disk: the exit code is all that is left to tell what went wrong, and
    # it said 1 ("cannot write the output") instead of 2.
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    with Path("/dev/full").open("wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "telemetry_cli", *args],
            cwd=tmp_path,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=full,
            timeout=120,
            check=False,
        )
    assert result.returncode == 2
    assert result.stdout == b""


@pytest.mark.parametrize(
    "command", [[], ["init"], ["generate"], ["remove"], ["emit"], ["health"]], ids=str
)
def test_help_is_the_same_when_python_drops_docstrings(tmp_path: Path, command: list[str]) -> None:
    # PYTHONOPTIMIZE=2 (python -OO, set in some slim images) strips docstrings: the help lost
    # every command's description and the exit codes.
    plain = _cli(*command, "--help", cwd=tmp_path, env={"COLUMNS": "100"})
    optimised = _cli(
        *command, "--help", cwd=tmp_path, env={"COLUMNS": "100", "PYTHONOPTIMIZE": "2"}
    )
    assert plain.returncode == optimised.returncode == 0
    assert optimised.stdout == plain.stdout
