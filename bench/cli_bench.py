"""Whole-process CLI timings on a fresh, CI-like install (``freshenv.py``).

Every command runs in that install as a user's CI runs it: the console script in a new process,
with ``PYTHONDONTWRITEBYTECODE=1`` on a read-only install and no per-user cache. Baselines run in
the same install: ``python -c "import typer, rich.console, jinja2"`` for the commands, and
``cookiecutter`` rendering the same generated files (``cookiecutter_template``) for a
from-scratch ``generate``. Commands are interleaved (one run of each per round, the order
rotating) and each ratio is the median of the per-round ratios.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import freshenv
import profiles
import workspace
from common import Options, ProcessRun, Row, Section, Stats, log, ratio_row, run_timed

BASELINE = "import baseline"
COOKIECUTTER = "cookiecutter, the same files"
WARMUP = 2
# The plan's values that the cookiecutter template takes as variables (and its file paths too).
VARIABLES = {
    "api_prefix": "/api/telemetry",
    "feature": "059-analytics-telemetry",
    "event_ai": "ai_block_used",
    "event_visit": "chapter_visit",
    "event_error": "error_event",
}


@dataclass
class Command:
    """A command to time: ``argv_for(run_index)`` gives its argument vector for that run."""

    name: str
    argv_for: Callable[[int], Sequence[str]]
    baseline: str = BASELINE
    target: str = ""


def interleaved(
    commands: Sequence[Command], runs: int, env: dict[str, str], *, warmup: int = WARMUP
) -> dict[str, list[ProcessRun]]:
    """Run every command ``warmup`` times (discarded), then ``runs`` rounds, rotating the order.

    Raises:
        RuntimeError: a command did not exit 0.
    """
    results: dict[str, list[ProcessRun]] = {command.name: [] for command in commands}
    for index in range(warmup + runs):
        shift = index % len(commands)
        for command in [*commands[shift:], *commands[:shift]]:
            argv = command.argv_for(index)
            run = run_timed(argv, env=env, capture=True)
            if run.returncode != 0:
                tail = "\n".join((run.stderr or run.stdout).strip().splitlines()[-8:])
                raise RuntimeError(
                    f"{command.name}: `{' '.join(argv)}` exited {run.returncode}:\n{tail}"
                )
            if index >= warmup:
                results[command.name].append(run)
    return results


# A Typer command with the options of `generate` that does nothing: what any Typer 0.29 command
# with options costs (Typer builds a pydantic TypeAdapter per parameter when a command runs).
TYPER_FLOOR = """\
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer()


@app.command()
def generate(
    root: Annotated[Path | None, typer.Option()] = None,
    config: Annotated[Path | None, typer.Option()] = None,
    check: Annotated[bool, typer.Option()] = False,
    diff: Annotated[bool, typer.Option()] = False,
    force: Annotated[bool, typer.Option()] = False,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    \"\"\"Do nothing.\"\"\"


@app.command()
def version() -> None:
    \"\"\"Do nothing.\"\"\"


app()
"""


def _template_text(text: str) -> str:
    """``text`` as a cookiecutter template: each plan value a variable, the rest verbatim."""
    pattern = re.compile("|".join(re.escape(value) for value in VARIABLES.values()))
    names = {value: name for name, value in VARIABLES.items()}
    parts: list[str] = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            parts.append("{% raw %}" + text[position : match.start()] + "{% endraw %}")
        parts.append("{{ cookiecutter." + names[match.group(0)] + " }}")
        position = match.end()
    if position < len(text):
        parts.append("{% raw %}" + text[position:] + "{% endraw %}")
    return "".join(parts)


def cookiecutter_template(generated: Path, destination: Path) -> int:
    """Write a cookiecutter template of the files ``generate`` wrote into ``generated``.

    Returns:
        How many files it renders.
    """
    manifest = json.loads((generated / workspace.MANIFEST).read_text(encoding="utf-8"))
    files: list[str] = sorted(manifest["files"])
    project = destination / "{{ cookiecutter.project_slug }}"
    for relative in files:
        target = project / _template_text(relative).replace("{% raw %}", "").replace(
            "{% endraw %}", ""
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        source = (generated / relative).read_text(encoding="utf-8")
        target.write_text(_template_text(source), encoding="utf-8")
    settings = {"project_slug": "project", **VARIABLES}
    (destination / "cookiecutter.json").write_text(json.dumps(settings, indent=2), "utf-8")
    return len(files)


def _ms(runs: Sequence[ProcessRun]) -> list[float]:
    return [run.seconds * 1000 for run in runs]


def run(options: Options) -> Section:
    """Time the CLI on the fresh install against its baselines."""
    section = Section("cli", "CLI on a fresh install (wall time per run, whole process)")
    started = time.perf_counter()
    fresh = freshenv.get()
    env = fresh.env()
    work = workspace.fresh_dir("cli")
    bundled = work / "bundled"
    workspace.make_generated(bundled)
    note = workspace.round_trip_note(bundled)
    if note:
        section.notes.append(note)
    total = WARMUP + options.cli_runs
    pristine = [work / f"pristine-{index:02d}" for index in range(total)]
    for copy in pristine:
        workspace.make_pristine(copy)
    template = work / "cookiecutter-template"
    rendered = cookiecutter_template(bundled, template)
    outputs = [work / f"cookiecutter-{index:02d}" for index in range(total)]

    floor = work / "typer_floor.py"
    floor.write_text(TYPER_FLOOR, encoding="utf-8")
    tool = str(fresh.bin / "telemetry-scaffold")
    root = str(bundled)
    commands = [
        Command(BASELINE, lambda _: (fresh.python, "-c", "import typer, rich.console, jinja2")),
        Command(
            "a no-op Typer command with the options of generate",
            lambda _: (fresh.python, str(floor), "generate", "--check", "--root", root),
        ),
        Command("--help", lambda _: (tool, "--help"), target="<= 1.5x"),
        Command(
            "generate --check (up to date)",
            lambda _: (tool, "generate", "--check", "--root", root),
            target="<= 2.2x",
        ),
        Command(
            "generate (nothing changes)",
            lambda _: (tool, "generate", "--root", root),
            target="<= 3x",
        ),
        Command(
            COOKIECUTTER,
            lambda index: (
                str(fresh.bin / "cookiecutter"),
                "--no-input",
                "--output-dir",
                str(outputs[index]),
                str(template),
            ),
        ),
        Command(
            "generate from scratch",
            lambda index: (tool, "generate", "--root", str(pristine[index])),
            baseline=COOKIECUTTER,
            target="<= 1.0x",
        ),
    ]
    log(f"cli: {options.cli_runs} interleaved rounds of {len(commands)} commands, fresh install")
    results = interleaved(commands, options.cli_runs, env)
    if not fresh.unchanged():
        raise RuntimeError(f"a command wrote into the read-only install {fresh.prefix}")
    for command in commands:
        samples = _ms(results[command.name])
        if command.name in (BASELINE, COOKIECUTTER):
            section.rows.append(Row(command.name, "ms", Stats.of(samples)))
        if command.name in (BASELINE, COOKIECUTTER):
            continue
        base = _ms(results[command.baseline])
        section.rows.append(
            ratio_row(command.name, "ms", samples, command.baseline, base, command.target)
        )
    section.notes.append(
        f"the install: the wheel built from the checkout (`pip wheel`), installed by pip "
        f"(bytecode compiled at install, as pip does by default) into a new virtual environment "
        f"in {freshenv.ROOT}, then made read-only; every command ran with "
        "PYTHONDONTWRITEBYTECODE=1 and an empty HOME and XDG_CACHE_HOME, and the install held the "
        f"same files afterwards. cookiecutter {freshenv.version(fresh, 'cookiecutter')} renders "
        f"the {rendered} files `generate` writes, from a template made of them with the plan's "
        f"values ({', '.join(VARIABLES)}) as variables; `generate` from scratch also patches "
        "`main.py` and the two instrumented modules. Baselines run in the same install; "
        f"{WARMUP} warm-up rounds discarded; order rotated every round."
    )

    log("cli: import-time profiles")
    base_imports = profiles.import_times(
        ("-c", "import typer, rich.console, jinja2"), python=fresh.python, env=env, cwd=fresh.home
    )
    for label, args in (
        ("--help", ("-m", "telemetry_cli", "--help")),
        ("generate --check", ("-m", "telemetry_cli", "generate", "--check", "--root", root)),
    ):
        times = profiles.import_times(args, python=fresh.python, env=env, cwd=fresh.home)
        section.profiles.append(
            (f"import time: {label}", profiles.describe_imports(label, times, base_imports))
        )
    section.profiles.append(
        (
            "cProfile: generate --check, bundled project (the tool's functions by cumulative time)",
            profiles.cprofile(
                ("-m", "telemetry_cli", "generate", "--check", "--root", root),
                only="telemetry_cli/",
                python=fresh.python,
                env=env,
                cwd=fresh.home,
            ),
        )
    )
    section.seconds = time.perf_counter() - started
    return section
