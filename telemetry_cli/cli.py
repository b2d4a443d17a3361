"""The ``telemetry-scaffold`` command line: a thin Typer layer over the library core.

Commands parse options, call the core, and print what they get back. Every error the core
raises is a :class:`~telemetry_cli.errors.UserError` and becomes one line on stderr plus a
documented exit code; click's own usage errors get the same treatment in :func:`main`.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from telemetry_cli import __version__, console
from telemetry_cli.errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, UserError

app = typer.Typer(
    name="telemetry-scaffold",
    help="Scaffold an analytics & telemetry layer into a FastAPI backend, and keep it in sync.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(StrEnum):
    """How ``generate`` reports (``--format``)."""

    TEXT = "text"
    GITHUB = "github"


def _version(value: bool) -> None:
    if value:
        console.stdout().print(f"telemetry-scaffold {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """Scaffold an analytics & telemetry layer into a FastAPI backend, and keep it in sync.

    Exit codes: 0 success or up to date; 1 out of date, refused to overwrite hand edits,
    or event rejected; 2 usage or configuration error.
    """


RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="Project root holding pyproject.toml (default: search upwards from here).",
        file_okay=False,
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", help="TOML file with [tool.telemetry-scaffold] (default: pyproject.toml)."
    ),
]
JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print one JSON document on stdout (human lines go to stderr)."),
]


def _fail(error: UserError) -> NoReturn:
    console.stderr().print(_error_markup(error.message))
    raise typer.Exit(error.exit_code)


def _error_markup(message: str) -> str:
    from rich.markup import escape

    return f"[bold red]error:[/] {escape(message)}"


def _print_json(document: dict[str, Any]) -> None:
    # Plain write: rich would wrap or style the document.
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")


@app.command()
def generate(
    root: RootOption = None,
    config: ConfigOption = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if anything is out of date (for CI)."),
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print the unified diff of every change; write nothing.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Overwrite generated files edited by hand, keeping a backup."),
    ] = False,
    json_output: JsonOption = False,
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            help="With --check: 'github' also prints GitHub Actions error annotations.",
            case_sensitive=False,
        ),
    ] = OutputFormat.TEXT,
) -> None:
    """Render the analytics layer and spec documents, and patch main.py and route modules."""
    from telemetry_cli import sync, views
    from telemetry_cli.plan import load_plan

    if check and force:
        _fail(UsageError("--check writes nothing, so --force has no effect there; drop one"))
    mode = views.Mode.CHECK if check else views.Mode.DIFF if diff else views.Mode.WRITE
    try:
        plan = load_plan(root=root, config=config)
        report = sync.compute(plan, force=force)
        if mode is views.Mode.WRITE:
            sync.apply(report)
    except UserError as error:
        _fail(error)

    # With --json, stdout carries only the document; everything for people goes to stderr.
    human = console.stderr() if json_output else console.stdout()
    show_diffs = mode is views.Mode.DIFF or (mode is views.Mode.CHECK and not report.up_to_date)
    if show_diffs and not json_output:
        for text in views.diffs(report):
            human.out(text, end="", highlight=False)
    for line in views.file_lines(report, mode):
        human.print(line)
    if output_format is OutputFormat.GITHUB:
        for annotation in views.github_annotations(report):
            human.out(annotation, highlight=False)
    human.print(views.summary(report, mode))
    if json_output:
        _print_json(views.as_json(report, mode))

    if mode is views.Mode.CHECK:
        raise typer.Exit(EXIT_OK if report.up_to_date else EXIT_FAILURE)
    raise typer.Exit(EXIT_FAILURE if report.failed else EXIT_OK)


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the CLI; usage errors become one line on stderr and exit code 2."""
    command = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else argv
    try:
        result = command.main(args=args, prog_name="telemetry-scaffold", standalone_mode=False)
    except typer.TyperException as error:
        # Typer's (vendored click) parser errors: bad option, missing argument, bad value.
        context = getattr(error, "ctx", None)
        hint = f" (see '{context.command_path} --help')" if context is not None else ""
        console.stderr().print(_error_markup(error.format_message() + hint))
        sys.exit(error.exit_code if error.exit_code != 1 else EXIT_USAGE)
    except typer.Abort:
        console.stderr().print(_error_markup("aborted"))
        sys.exit(130)
    sys.exit(result if isinstance(result, int) else EXIT_OK)
