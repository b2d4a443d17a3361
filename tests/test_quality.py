"""The tool's own code meets the bar it sets for generated code: ruff and mypy --strict clean."""

from __future__ import annotations
import __future__

import importlib
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
CODE = [name for name in ("telemetry_cli", "tests", "bench", "backend") if (REPO / name).is_dir()]
# Projects under tests/ (each with its own pyproject.toml) are input for the tool, not its code:
# some are broken on purpose (a syntax error in main.py), none follow our style by duty.
FIXTURE_PROJECTS = sorted(
    path.parent.relative_to(REPO).as_posix() for path in (REPO / "tests").glob("*/*/pyproject.toml")
)
RUFF_EXCLUDE = ["--extend-exclude", ",".join(FIXTURE_PROJECTS)] if FIXTURE_PROJECTS else []


def _tool(name: str) -> list[str]:
    # Run the tools of the interpreter running the tests, whatever the PATH says.
    if shutil.which(name, path=str(Path(sys.executable).parent)):
        return [str(Path(sys.executable).parent / name)]
    return [sys.executable, "-m", name]


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", *RUFF_EXCLUDE, *CODE],
        ["ruff", "format", "--check", *RUFF_EXCLUDE, *CODE],
        ["mypy", "--strict", "telemetry_cli", *(["bench"] if "bench" in CODE else [])],
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict"],
)
def test_package_is_clean(command: list[str]) -> None:
    result = subprocess.run(
        [*_tool(command[0]), *command[1:]],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_shell_completion_offers_the_plan_event_types(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from telemetry_cli.cli import _complete_event_type

    (tmp_path / "pyproject.toml").write_text(
        "[tool.telemetry-scaffold]\n"
        'event-types = ["page_view", "purchase", "error_event"]\n'
        "instrument = {}\n"
    )
    monkeypatch.chdir(tmp_path)
    assert _complete_event_type("p") == ["page_view", "purchase"]
    assert _complete_event_type("") == ["page_view", "purchase", "error_event"]
    (tmp_path / "pyproject.toml").write_text("[tool.telemetry-scaffold]\nevent-types = 3\n")
    assert _complete_event_type("p") == []


def test_completion_script_is_available() -> None:
    # The script that --install-completion sources, asked for by its shell explicitly:
    # --show-completion names the shell it detects among the parent processes, which under a
    # test runner started without a shell is none.
    result = subprocess.run(
        [sys.executable, "-m", "telemetry_cli"],
        capture_output=True,
        text=True,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(REPO),
            "_TELEMETRY_SCAFFOLD_COMPLETE": "source_bash",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "complete" in result.stdout


def _complete_bash(**words: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(REPO),
        "_TELEMETRY_SCAFFOLD_COMPLETE": "complete_bash",
    }
    return subprocess.run(
        [sys.executable, "-m", "telemetry_cli"],
        capture_output=True,
        text=True,
        check=False,
        env={**env, **words},
    )


def test_bash_completion_completes_command_names() -> None:
    result = _complete_bash(COMP_WORDS="telemetry-scaffold gen", COMP_CWORD="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["generate"]


@pytest.mark.parametrize(
    "words",
    [{}, {"COMP_WORDS": "telemetry-scaffold gen"}, {"COMP_WORDS": "x", "COMP_CWORD": "²"}],
    ids=["no-words", "no-index", "index-not-a-number"],
)
def test_bash_completion_without_the_shells_variables_is_a_usage_error(
    words: dict[str, str],
) -> None:
    result = _complete_bash(**words)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "needs COMP_WORDS and a numeric COMP_CWORD" in result.stderr


def _tool_modules() -> list[ModuleType]:
    import telemetry_cli
    import telemetry_cli.patching

    return [
        importlib.import_module(f"{package.__name__}.{found.name}")
        for package in (telemetry_cli, telemetry_cli.patching)
        for found in pkgutil.iter_modules(package.__path__)
        if found.name != "__main__"  # runs the CLI
    ]


def test_named_tuple_records_are_built_from_objects() -> None:
    # typing compiles each string annotation of a NamedTuple's fields when the class is built (a
    # ForwardRef each, about 380 in all): every run paid for them at import. A module defining
    # records does not postpone its annotations; a name it reads before it exists is quoted.
    postponing = [
        module.__name__
        for module in _tool_modules()
        if vars(module).get("annotations") is __future__.annotations
        and any(
            isinstance(value, type) and issubclass(value, tuple) and hasattr(value, "_fields")
            for value in vars(module).values()
            if getattr(value, "__module__", None) == module.__name__
        )
    ]
    assert postponing == []
