"""The ``telemetry-scaffold`` command line: a thin Typer layer over the library core.

Commands parse options, call the core, and print what they get back. Every error the core
raises is a :class:`~telemetry_cli.errors.UserError` and becomes one line on stderr plus a
documented exit code; click's own usage errors get the same treatment in :func:`main`.
"""

# No `from __future__ import annotations` here: Typer reads every command's annotations when
# the program starts, and strings would be compiled and evaluated one by one (77 of them, about
# 4 ms of every run).
import atexit
import contextlib
import functools
import gc
import json
import math
import os
import sys
import threading
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec

import typer

if TYPE_CHECKING:
    from telemetry_cli.init_plan import Found
    from telemetry_cli.sync import SyncReport

from telemetry_cli import __version__, console
from telemetry_cli.errors import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    UserError,
)

app = typer.Typer(
    name="telemetry-scaffold",
    # The help is the root callback's docstring, exit codes included.
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


# The help of the program and of each command is given to Typer as text, not taken from the
# docstrings: python -OO (PYTHONOPTIMIZE=2) drops docstrings, and the help with them.
ROOT_HELP = """Scaffold an analytics & telemetry layer into a FastAPI backend, and keep it in sync.

Exit codes: 0 success or up to date; 1 out of date, refused to overwrite hand edits,
event rejected or not delivered, or unhealthy; 2 usage or configuration error;
130 interrupted.
"""


def _version(value: bool) -> None:
    if value:
        console.stdout().print(f"telemetry-scaffold {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback(help=ROOT_HELP)
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
    """The options before the command (the help is ``ROOT_HELP``)."""


def _given_path(value: str) -> Path:
    """Convert a path option, refusing an empty value instead of reading it as ``.``.

    ``--root "$ROOT"`` with ``ROOT`` unset would otherwise act on the current folder.
    """
    if not value:
        raise typer.BadParameter("is empty; name a path, or leave the option out")
    path = Path(value)
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        pass  # said where it matters, with what was expected there
    except OSError as exc:
        # A name too long for the file system, a symlink loop, a folder that cannot be read:
        # every later look at the path would fail the same way, as an I/O error (exit 1).
        raise typer.BadParameter(f"cannot be used: {exc.strerror or exc}") from None
    return path


def _given_folder(value: str) -> Path:
    """Convert a folder option: not empty, and not a file (click's ``file_okay=False``)."""
    path = _given_path(value)
    if path.is_file():
        raise typer.BadParameter(f"dir {value!r} is a file.")
    return path


RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="Project root holding pyproject.toml (default: search upwards from here).",
        parser=_given_folder,
        metavar="<dir>",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="TOML file with [tool.telemetry-scaffold] (default: pyproject.toml).",
        parser=_given_path,
        metavar="<file>",
    ),
]
JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print one JSON document on stdout (human lines go to stderr)."),
]


# True while main() runs a command: the process is the CLI's own (console script, `python -m`),
# not a program or a test that imported the app, so its garbage collector is ours to tune.
_own_process = False


def _freeze_imports() -> None:
    """Take the objects alive now (modules, classes, functions) out of every later collection.

    They live until the process ends, yet the cyclic collector walks all of them at each full
    collection and once more at exit; ``gc.freeze``, CPython's API for objects made at start-up,
    moves them out of its sight. Measured with callgrind on a fresh install: ``generate --check``
    of an up-to-date project runs 4.4 % fewer instructions (``--help`` 7 %). Only in the CLI's
    own process: a program that imported the app keeps its collector as it was.

    The collector, paused by main() while a command's code is imported, resumes here: each
    command calls this once its imports are in, before it reads the project or runs its code.
    """
    if _own_process:
        gc.freeze()
        gc.enable()


P = ParamSpec("P")


def _reports_errors(command: Callable[P, None]) -> Callable[P, None]:
    """Turn the library's :class:`UserError` into one line on stderr and its exit code.

    The one place, for every command, where errors become exit codes.
    """

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except UserError as error:
            _last_words(error.message)
            raise typer.Exit(error.exit_code) from None

    return run


def _print_json(document: dict[str, Any]) -> None:
    # Plain write: rich would wrap or style the document. Through the console's file, which
    # refuses the write when stdout is closed (`>&-`, see main), as every other line we print.
    # ASCII JSON: a server's control characters arrive escaped.
    console.stdout().file.write(json.dumps(document, indent=2, sort_keys=True) + "\n")


@app.command(
    short_help="Write a first [tool.telemetry-scaffold] table into pyproject.toml.",
    help="Write a first [tool.telemetry-scaffold] table from the app and routes found.",
)
@_reports_errors
def init(
    root: Annotated[
        Path | None,
        typer.Option(
            "--root",
            help="Project root whose pyproject.toml gets the table (default: the current folder).",
            parser=_given_folder,
            metavar="<dir>",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the table; write nothing.")
    ] = False,
) -> None:
    """The ``init`` command (its help is the ``help`` of its decorator)."""
    from telemetry_cli import init_plan
    from telemetry_cli.files import current_folder, project_lock

    _freeze_imports()
    given = root or current_folder()
    # Joined by hand: resolve() of a relative path fails bare when the current folder is gone.
    folder = (given if given.is_absolute() else current_folder() / given).resolve()
    if not folder.is_dir():
        # Named as given, as generate names it: where a link leads is not what the user typed.
        raise UsageError(f"{console.shown_path(given)}: --root is not a folder")
    # It reads pyproject.toml and the app, then writes pyproject.toml: like generate, it must
    # not interleave with another run writing the project.
    with project_lock(folder, exclusive=not dry_run, on_wait=_say_waiting):
        result = init_plan.plan_table(folder)
        _report_skipped(result.found.skipped)
        _report_unparsed_apps(result.found.unparsed_apps, result.found.app)
        if dry_run:
            console.stdout().out(result.table, end="", highlight=False)
            return
        init_plan.write_plan(folder, result)
    action = "created" if result.created else "updated"
    found = result.found
    console.stdout().print(
        f"{action} pyproject.toml: app {found.app} in {console.project_folder(found.backend)}, "
        f"{console.counted(len(found.routes), 'route module')} suggested for instrument; "
        "next: telemetry-scaffold generate"
    )
    for note in found.run_time_notes:
        console.stdout().out(console.printable(note), highlight=False)
    _note_image_layer(folder, found)
    _note_old_dependencies(folder, found)


def _note_old_dependencies(root: Path, found: "Found") -> None:
    """Say, as generate will, when the backend pins a FastAPI or pydantic the layer cannot use."""
    from telemetry_cli.install_steps import read_text
    from telemetry_cli.layer_requires import old_dependency_notes

    if not found.path:
        return
    for note in old_dependency_notes(root, found.backend, read_text, script=found.path):
        console.stdout().out(console.printable(note), highlight=False)


def _note_image_layer(root: Path, found: "Found") -> None:
    """Say, as generate will, when a Dockerfile's image or the build would leave the layer out."""
    from telemetry_cli.image_layer import missing_layer_notes
    from telemetry_cli.plan import DEFAULT_LAYER_PACKAGE, layer_dir
    from telemetry_cli.shipped import unshipped_layer_note

    if not found.path:
        return
    layer = layer_dir(
        found.backend, found.app_package, found.layer_package or DEFAULT_LAYER_PACKAGE
    )
    # The module generate wires (and so makes import the layer) is the one building the app,
    # not the one the import string names when that only serves it (`asgi.py` calling the
    # factory of `app/__init__.py`): the note names that module's COPY, as generate's does.
    wired = found.site[0] if found.site is not None else found.path
    for note in missing_layer_notes(root, found.backend, layer, [f"{layer}/__init__.py"], [wired]):
        console.stdout().out(console.printable(note), highlight=False)
    unshipped = unshipped_layer_note(root, found.backend, layer, [f"{layer}/__init__.py"], [wired])
    if unshipped is not None:
        console.stdout().out(console.printable(unshipped), highlight=False)


def _say_waiting() -> None:
    """Say on stderr what a run waits for, and for how long at most (``project_lock``)."""
    from telemetry_cli.files import LOCK_TIMEOUT_SECONDS

    console.stderr().print(
        "waiting for another telemetry-scaffold run on this project to finish "
        f"(giving up after {LOCK_TIMEOUT_SECONDS:g} s)",
        highlight=False,
    )


def _report_skipped(skipped: tuple[str, ...]) -> None:
    """Name each module init could not read, one line each, on stderr (stdout may be TOML)."""
    for problem in skipped:
        line = f"skipped {problem} (its routes, if any, are not suggested)"
        console.stderr().out(console.printable(line), highlight=False)


def _report_unparsed_apps(unparsed: tuple[str, ...], app: str) -> None:
    """Name each other folder's app module init could not parse, one line each, on stderr."""
    for problem in unparsed:
        line = (
            f"{problem}: it may build another FastAPI app, which init could not weigh against "
            f"the one it chose ({app}); fix it and rerun init if that app is the one served"
        )
        console.stderr().out(console.printable(line), highlight=False)


DiffOption = Annotated[
    bool, typer.Option("--diff", help="Print the unified diff of every change; write nothing.")
]


def _output_format(value: str | OutputFormat) -> OutputFormat:
    """Convert ``--format`` (any letter case), naming the choices when it is none of them."""
    try:
        return OutputFormat(value.lower())
    except ValueError:
        choices = ", ".join(repr(choice.value) for choice in OutputFormat)
        raise typer.BadParameter(f"{value!r} is not one of {choices}") from None


FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        help="With --check: 'github' also prints GitHub Actions error annotations.",
        parser=_output_format,
        metavar="<text|github>",
    ),
]


@app.command(
    short_help="Render the layer and its documents, and patch the app and routes.",
    help="Render the analytics layer and spec documents, and patch the app and route modules.",
)
@_reports_errors
def generate(
    root: RootOption = None,
    config: ConfigOption = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if anything is out of date (for CI)."),
    ] = False,
    diff: DiffOption = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Overwrite generated files edited by hand, keeping a backup."),
    ] = False,
    json_output: JsonOption = False,
    output_format: FormatOption = OutputFormat.TEXT,
) -> None:
    """The ``generate`` command (its help is the ``help`` of its decorator)."""
    from telemetry_cli import sync

    _synchronise(sync.compute, root, config, check, diff, force, json_output, output_format)


@app.command(
    short_help="Take the layer out: undo every patch, delete the generated files.",
    help="Take the layer out: undo every patch, delete the generated files and the manifest.",
)
@_reports_errors
def remove(
    root: RootOption = None,
    config: ConfigOption = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if any of the layer is still there."),
    ] = False,
    diff: DiffOption = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Also delete generated files and take out inserted lines edited by hand "
            "(backups of the files are kept).",
        ),
    ] = False,
    json_output: JsonOption = False,
    output_format: FormatOption = OutputFormat.TEXT,
) -> None:
    """The ``remove`` command (its help is the ``help`` of its decorator)."""
    from telemetry_cli import sync

    _synchronise(sync.compute_removal, root, config, check, diff, force, json_output, output_format)


def _synchronise(
    decide: Callable[..., "SyncReport"],
    root: Path | None,
    config: Path | None,
    check: bool,
    diff: bool,
    force: bool,
    json_output: bool,
    output_format: OutputFormat,
) -> None:
    """Decide (``generate`` or ``remove``), carry out unless checking, and report."""
    from rich.text import Text

    from telemetry_cli import sync, views
    from telemetry_cli.files import project_lock
    from telemetry_cli.plan import load_plan, plan_location

    _freeze_imports()  # after the imports of generate and remove: their whole code is loaded
    if check and force:
        raise UsageError("--check writes nothing, so --force has no effect there; drop one")
    mode = views.Mode.CHECK if check else views.Mode.DIFF if diff else views.Mode.WRITE
    _, project_root = plan_location(root=root, config=config)

    with project_lock(
        project_root.resolve(), exclusive=mode is views.Mode.WRITE, on_wait=_say_waiting
    ):
        # Read under the lock only: a run this one waited for may have changed the plan (init
        # writes its table).
        plan = load_plan(root=root, config=config)
        report = decide(plan, force=force, writing=mode is views.Mode.WRITE)
        if decide is sync.compute and (mode is not views.Mode.CHECK or not json_output):
            # Here, not in compute(): health and --check --json keep their report; --diff
            # --json fails as --diff does (it would list the files as created).
            sync.refuse_dangling_folders(report)
        if mode is views.Mode.WRITE:
            sync.apply(report)

    # With --json, stdout carries only the document; everything for people goes to stderr.
    human = console.stderr() if json_output else console.stdout()
    show_diffs = mode is views.Mode.DIFF or (mode is views.Mode.CHECK and not report.up_to_date)
    if show_diffs and not json_output:
        # Written as they are, not through rich, which drops carriage returns and form feeds:
        # the diff of a CRLF module must apply (`patch`, `git apply`) as it is printed.
        for text in views.diffs(report):
            console.write_raw(human, text)
    lines = views.file_lines(report, mode)
    if lines:
        # One print of them all: rich's cost per call (0.15 ms) made the 2,000 lines of a big
        # module's changes 0.3 s of generate; the output is the same.
        human.print(Text("\n").join(lines))
    if output_format is OutputFormat.GITHUB:
        for annotation in views.github_annotations(report):
            human.out(annotation, highlight=False)
    human.print(views.summary(report, mode))
    if json_output:
        _print_json(views.as_json(report, mode))

    if mode is views.Mode.CHECK:
        raise typer.Exit(EXIT_OK if report.up_to_date else EXIT_FAILURE)
    raise typer.Exit(EXIT_FAILURE if report.failed else EXIT_OK)


def _complete_event_type(incomplete: str) -> list[str]:
    """Shell completion for EVENT_TYPE: the plan's event types (silent on any problem)."""
    from telemetry_cli.plan import load_plan

    try:
        plan = load_plan()
    except UserError:
        return []
    return [event_type for event_type in plan.event_types if event_type.startswith(incomplete)]


def _complete_payload(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Shell completion for --payload: EVENT_TYPE's declared properties (silent on problems)."""
    from telemetry_cli.emit import emit_words, payload_completions, words_being_completed
    from telemetry_cli.plan import load_plan

    # While --payload waits for its value, click's resilient parse of the line has given up and
    # left EVENT_TYPE unset: read the words the shell passed for completion instead.
    event_type, root = emit_words(words_being_completed())
    event_type = event_type or ctx.params.get("event_type")
    if not isinstance(event_type, str):
        return []
    try:
        plan = load_plan(root=Path(root) if root else None)
    except UserError:
        return []
    return payload_completions(plan, event_type, incomplete)


UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="Base URL of a running server (e.g. http://127.0.0.1:8000) instead of in-process.",
        metavar="<url>",
    ),
]
# The bounds of --timeout, in seconds: checked by one parser, so that every value out of them
# (nan and text too) gets the same message naming the range.
_TIMEOUT_RANGE = (0.1, 600.0)


def _timeout_in_range(value: str | float) -> float:
    """Convert ``--timeout``; anything but a number of seconds in range gets the same message."""
    low, high = _TIMEOUT_RANGE
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not low <= seconds <= high:
        raise typer.BadParameter(f"must be a number of seconds from {low:g} to {high:g}")
    return seconds


def _timeout_option(waits_for: str) -> Any:
    """The ``--timeout`` option of a command that waits for ``waits_for``."""
    low, high = _TIMEOUT_RANGE
    return typer.Option(
        "--timeout",
        parser=_timeout_in_range,
        help=f"Seconds to wait for {waits_for}: {low:g} to {high:g}.",
        metavar="<seconds>",
    )


EmitTimeoutOption = Annotated[
    float, _timeout_option("the server (--url), or for a pipe named by --payload-file")
]
HealthTimeoutOption = Annotated[float, _timeout_option("the server (--url)")]


@app.command(
    short_help="Validate and log one event through the generated layer.",
    help="Validate and log one event through the backend's generated EventLogger.",
)
@_reports_errors
def emit(
    event_type: Annotated[
        str,
        typer.Argument(
            metavar="EVENT_TYPE",
            help="One of the plan's event types.",
            autocompletion=_complete_event_type,
            show_default=False,
        ),
    ],
    payload: Annotated[
        str | None,
        typer.Option(
            "--payload",
            help="The payload as a JSON object; '-' reads stdin.",
            metavar="<json>",
            autocompletion=_complete_payload,
        ),
    ] = None,
    payload_file: Annotated[
        str | None,
        typer.Option(
            "--payload-file",
            help="Read the JSON payload from this file ('-': stdin).",
            metavar="<file>",
        ),
    ] = None,
    root: RootOption = None,
    url: UrlOption = None,
    timeout: EmitTimeoutOption = 10.0,
    json_output: JsonOption = False,
) -> None:
    """The ``emit`` command (its help is the ``help`` of its decorator)."""
    from telemetry_cli import views
    from telemetry_cli.emit import emit_event
    from telemetry_cli.payload import read_payload
    from telemetry_cli.plan import load_plan

    _freeze_imports()  # before the backend's code is imported
    body = read_payload(payload, payload_file, wait=timeout)
    plan = load_plan(root=root)
    event = emit_event(plan, event_type, body, url=url, timeout=timeout)
    if json_output:
        _print_json(event)
        return
    out = console.stdout()
    for line in views.emitted_lines(event, url):
        out.print(line)


@app.command(
    short_help="Report the telemetry layer's health.",
    help="Report the telemetry layer's health: status, sink, event types, and drift.",
)
@_reports_errors
def health(
    root: RootOption = None,
    url: UrlOption = None,
    timeout: HealthTimeoutOption = 10.0,
    json_output: JsonOption = False,
) -> None:
    """The ``health`` command (its help is the ``help`` of its decorator)."""
    from telemetry_cli import views
    from telemetry_cli.health import check_health
    from telemetry_cli.plan import load_plan

    _freeze_imports()  # before the backend's code is imported
    document = check_health(load_plan(root=root), url=url, timeout=timeout)
    if json_output:
        _print_json(document)
    else:
        out = console.stdout()
        for line in views.health_lines(document):
            out.print(line)
    raise typer.Exit(EXIT_OK if document["status"] == "ok" else EXIT_FAILURE)


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the CLI; every error becomes one line on stderr and a documented exit code.

    Usage errors exit 2; output that cannot be written (a full disk, a closed pipe) exits 1;
    an interrupt exits 130.
    """
    global _own_process
    _own_process = True  # main() is the process's entry and ends it (sys.exit or os._exit)
    _freeze_imports()  # Typer, rich and this module; each command's own imports come later
    # Paused until they are in (the command's _freeze_imports): what they allocate (the tool's
    # modules, and pydantic, which Typer imports to read the options) lives until exit, yet the
    # collector walked it about 110 times; callgrind: `generate --check` of the bundled project
    # 1.7 % fewer instructions. The command does its work with the collector on.
    gc.disable()
    console.refuse_writes_to_closed_stdout()
    _tolerate_unencodable_output()
    ours = set(threading.enumerate())
    try:
        code = _run(sys.argv[1:] if argv is None else argv)
        # Flush here so that a failing write surfaces now, not as noise at interpreter exit.
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as the Python docs advise, pointing
        # stdout at devnull so the interpreter's final flush cannot complain either.
        _discard_stdout()
        code = EXIT_FAILURE
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except OSError as error:
        where = f"{error.filename}: " if error.filename else "cannot write the output: "
        _last_words(f"{where}{error.strerror or error}")
        _discard_stdout()
        code = EXIT_FAILURE
    except UnicodeEncodeError as error:
        _last_words(
            f"cannot write the output in the {error.encoding} encoding; set PYTHONIOENCODING=utf-8"
        )
        _discard_stdout()
        code = EXIT_FAILURE
    _exit(code, ours)


def _exit(code: int, ours: set[threading.Thread]) -> NoReturn:
    """Exit with ``code``, without waiting for threads the application's code left running.

    ``emit`` and ``health`` import the backend's package in-process, and its code may start a
    thread that is not a daemon (a poller, a connection pool's reaper) and never ends: the
    interpreter would wait for it at exit, forever. The command is done, so the exit handlers
    (the generated layer's delivery of queued events among them) run now and the process ends
    without that wait.
    """
    foreign = [
        thread
        for thread in threading.enumerate()
        if thread not in ours and thread.is_alive() and not thread.daemon
    ]
    if not foreign:
        sys.exit(code)
    try:
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                if stream is not None:
                    stream.flush()
        os._exit(code)


def _run(args: list[str]) -> int:
    """Run one command; map click's usage errors to one line and exit 2."""
    problem = _completion_problem(os.environ)
    if problem is not None:
        _last_words(problem)
        return EXIT_USAGE
    command = typer.main.get_command(app)
    try:
        # Not standalone: click would print its own multi-line errors and call sys.exit.
        # An interrupt inside the command comes back from typer as 130.
        result = command.main(args=args, prog_name="telemetry-scaffold", standalone_mode=False)
    except typer.TyperException as error:
        if type(error).__name__ == "NoArgsIsHelpError":
            # Bare `telemetry-scaffold`: the help is the answer, not an error.
            with contextlib.suppress(OSError, ValueError):  # as _last_words: the code says it
                console.stderr().out(error.format_message(), highlight=False)
            return EXIT_USAGE
        # Typer's (vendored click) parser errors: bad option, missing argument, bad value.
        context = getattr(error, "ctx", None)
        hint = f" (see '{context.command_path} --help')" if context is not None else ""
        _last_words(error.format_message() + hint)
        return error.exit_code if error.exit_code != 1 else EXIT_USAGE
    except typer.Abort:
        _last_words("aborted")
        return EXIT_INTERRUPTED
    return result if isinstance(result, int) else EXIT_OK


COMPLETE_VARIABLE = "_TELEMETRY_SCAFFOLD_COMPLETE"
"""Set by the completion script the shell sources; its value says what to do (``complete_bash``)."""


def _completion_problem(environ: Mapping[str, str]) -> str | None:
    """Say what is wrong when asked to complete for bash without the variables bash sets.

    Typer reads ``COMP_WORDS`` and ``COMP_CWORD`` unchecked and would end in a traceback; the
    other shells pass their words in one variable that Typer reads with a default.
    """
    if environ.get(COMPLETE_VARIABLE) != "complete_bash":
        return None
    try:
        int(environ.get("COMP_CWORD", ""))
        numeric = True
    except ValueError:
        numeric = False
    if "COMP_WORDS" not in environ or not numeric:
        return (
            f"{COMPLETE_VARIABLE}=complete_bash needs COMP_WORDS and a numeric COMP_CWORD, "
            "which bash sets when it runs the completion script "
            "(install it with --install-completion)"
        )
    return None


def _tolerate_unencodable_output() -> None:
    """Escape what stdout's encoding cannot represent instead of failing halfway.

    With ``PYTHONIOENCODING=ascii`` (or a legacy locale) a diff holding non-ASCII text would
    stop the run with the output cut short and no exit code that means anything; with those
    characters escaped by backslashes the output stays complete and readable, and the exit code
    keeps its meaning (``--check`` still says 0 or 1).
    stderr already does this by default. In a C or POSIX locale Python gives stdout the
    ``surrogateescape`` handler, which fails on those characters too: there the bytes it
    stands for (a file name that is not ASCII, read in that locale) are still written back as
    they were, and only the rest is escaped.
    """
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    errors = getattr(sys.stdout, "errors", None)
    if reconfigure is None:
        return
    if errors == "strict":
        reconfigure(errors="backslashreplace")
    elif errors == "surrogateescape":
        import codecs

        codecs.register_error(_BYTES_OR_ESCAPES, _bytes_or_escapes)
        reconfigure(errors=_BYTES_OR_ESCAPES)


# The error handler of a stdout that had surrogateescape: see _tolerate_unencodable_output.
_BYTES_OR_ESCAPES = "telemetry-scaffold-bytes-or-escapes"


def _bytes_or_escapes(error: UnicodeError) -> tuple[str | bytes, int]:
    """Write what the encoding lacks as the byte a surrogate escapes, or a backslash escape."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    written = bytearray()
    for char in error.object[error.start : error.end]:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # surrogateescape's stand-in for byte code - 0xDC00
            written.append(code - 0xDC00)
        else:
            written += char.encode("ascii", "backslashreplace")
    return bytes(written), error.end


def _discard_stdout() -> None:
    if sys.stdout is None:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        # Not a real file (an in-process test's buffer): nothing is flushed at exit anyway.
        pass


def _last_words(message: str) -> None:
    """Print ``message`` as the error line on stderr, if stderr can still take it.

    Every error line goes through here. If stderr is gone too (closed, a full disk), the exit
    code is all that is left to say it, so a failed write must not change that code.
    """
    with contextlib.suppress(OSError, ValueError):
        console.stderr().print(console.error_line(message))
