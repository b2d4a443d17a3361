"""The ``telemetry-scaffold`` command line: a thin Typer layer over the library core.

Commands parse options, call the core, and print what they get back. Every error the core
raises is a :class:`~telemetry_cli.errors.UserError` and becomes one line on stderr plus a
documented exit code; click's own usage errors get the same treatment in :func:`main`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from telemetry_cli import __version__, console
from telemetry_cli.errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, UserError

EXIT_INTERRUPTED = 130  # like a shell: 128 + SIGINT

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
    event rejected or not delivered, or unhealthy; 2 usage or configuration error;
    130 interrupted.
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
    # Plain write: rich would wrap or style the document. Through the console's file, which
    # stands in a null file when stdout is closed (`>&-`), as for every other line we print.
    console.stdout().file.write(json.dumps(document, indent=2, sort_keys=True) + "\n")


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


def _complete_event_type(incomplete: str) -> list[str]:
    """Shell completion for EVENT_TYPE: the plan's event types (silent on any problem)."""
    from telemetry_cli.plan import load_plan

    try:
        plan = load_plan()
    except UserError:
        return []
    return [event_type for event_type in plan.event_types if event_type.startswith(incomplete)]


UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="Base URL of a running server (e.g. http://127.0.0.1:8000) instead of in-process.",
    ),
]
TimeoutOption = Annotated[
    float,
    typer.Option("--timeout", min=0.1, max=600, help="Seconds to wait for the server (--url)."),
]


@app.command()
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
        typer.Option("--payload", help="The payload as a JSON object; '-' reads stdin."),
    ] = None,
    payload_file: Annotated[
        str | None,
        typer.Option("--payload-file", help="Read the JSON payload from FILE ('-': stdin)."),
    ] = None,
    root: RootOption = None,
    url: UrlOption = None,
    timeout: TimeoutOption = 10.0,
    json_output: JsonOption = False,
) -> None:
    """Validate and log one event through the backend's generated EventLogger."""
    from telemetry_cli.payload import read_payload
    from telemetry_cli.plan import load_plan

    try:
        body = read_payload(payload, payload_file)
        plan = load_plan(root=root)
        if url is not None:
            event = _emit_remote(plan.api_prefix, url, event_type, body, timeout)
        else:
            from telemetry_cli.layer import import_layer

            event = import_layer(plan).record(event_type, body)
    except UserError as error:
        _fail(error)
    if json_output:
        _print_json(event)
        return
    out = console.stdout()
    if event.get("status") == "disabled":
        verb, note = "validated", " (not recorded: TELEMETRY_ENABLED turns telemetry off)"
    else:
        verb, note = "logged", f" via {url}" if url is not None else ""
    out.print(
        f"{verb} {event.get('event_type')} event {event.get('event_id')} "
        f"at {event.get('timestamp')}{note}",
        markup=False,
    )
    if "payload" in event:
        out.out(json.dumps(event["payload"], indent=2, sort_keys=True), highlight=False)


def _emit_remote(
    api_prefix: str, url: str, event_type: str, body: Any, timeout: float
) -> dict[str, Any]:
    from telemetry_cli import remote
    from telemetry_cli.errors import EventRejected

    request: dict[str, Any] = {"event_type": event_type}
    if body is not None:
        request["payload"] = body
    endpoint = remote.endpoint(url, api_prefix, "/log")
    response = remote.request_json("POST", endpoint, request, timeout=timeout)
    if 200 <= response.status < 300:
        if not _is_acknowledgement(response.body):
            # Something answered, but not the telemetry API: a wrong port or prefix, a proxy.
            raise remote.failure(
                f"{endpoint}: the server's answer is not a telemetry acknowledgement "
                f"(HTTP {response.status} without a string event_id, event_type and timestamp)"
            )
        acknowledgement: dict[str, Any] = response.body
        return acknowledgement
    if response.status in (413, 422):
        raise EventRejected(f"event rejected by the server: {remote.describe_error(response)}")
    raise remote.failure(f"the server could not log the event: {remote.describe_error(response)}")


def _is_acknowledgement(body: Any) -> bool:
    return isinstance(body, dict) and all(
        isinstance(body.get(key), str) for key in ("event_id", "event_type", "timestamp")
    )


@app.command()
def health(
    root: RootOption = None,
    url: UrlOption = None,
    timeout: TimeoutOption = 10.0,
    json_output: JsonOption = False,
) -> None:
    """Report the telemetry layer's health: status, sink, event types, and drift."""
    from telemetry_cli.plan import load_plan

    try:
        plan = load_plan(root=root)
        if url is not None:
            document = _health_remote(plan.api_prefix, url, timeout)
        else:
            document = _health_local(plan)
    except UserError as error:
        _fail(error)
    healthy = document["status"] == "ok"
    if json_output:
        _print_json(document)
    else:
        _print_health(document)
    raise typer.Exit(EXIT_OK if healthy else EXIT_FAILURE)


def _health_local(plan: Any) -> dict[str, Any]:
    from telemetry_cli import sync, views
    from telemetry_cli.layer import import_layer

    problems: list[str] = []
    report = sync.compute(plan)
    out_of_date = [
        {
            "path": change.path,
            "labels": list(change.labels) or [change.status.value],
            "details": [*change.messages, *change.problems],
        }
        for change in report.changes
        if not change.up_to_date
    ]
    if out_of_date:
        problems.append(views.summary(report, views.Mode.CHECK).plain)
    layer: dict[str, Any] | None = None
    try:
        layer = import_layer(plan).health()
    except UserError as error:
        problems.append(error.message)
    return {
        "status": "ok" if not problems else "unhealthy",
        "source": "in-process",
        "layer": layer,
        "up_to_date": not out_of_date,
        "out_of_date": out_of_date,
        "problems": problems,
    }


def _health_remote(api_prefix: str, url: str, timeout: float) -> dict[str, Any]:
    from telemetry_cli import remote

    endpoint = remote.endpoint(url, api_prefix, "/health")
    response = remote.request_json("GET", endpoint, timeout=timeout)
    if response.status != 200:
        return _unhealthy_remote(url, f"health endpoint answered {remote.describe_error(response)}")
    flaw = _health_body_flaw(response.body)
    if flaw is not None:
        return _unhealthy_remote(url, f"the health endpoint answered an unexpected body: {flaw}")
    ok = response.body["status"] == "ok"
    return {
        "status": "ok" if ok else "unhealthy",
        "source": url,
        "layer": response.body,
        "problems": [] if ok else [f"the server reports status {response.body['status']!r}"],
    }


def _unhealthy_remote(url: str, problem: str) -> dict[str, Any]:
    return {"status": "unhealthy", "source": url, "layer": None, "problems": [problem]}


def _health_body_flaw(body: Any) -> str | None:
    """What is wrong with a health answer's shape, or None when it has the generated API's."""
    if not isinstance(body, dict):
        return f"expected a JSON object, got {_json_kind(body)}"
    expected: dict[str, tuple[type, str]] = {
        "status": (str, "a string"),
        "enabled": (bool, "a boolean"),
        "sink": (str, "a string"),
        "allowed_event_types": (list, "an array"),
    }
    for key, (kind, kind_name) in expected.items():
        if key not in body:
            return f"{key!r} is missing"
        if not isinstance(body[key], kind):
            return f"{key!r} is {_json_kind(body[key])}, expected {kind_name}"
    if not all(isinstance(item, str) for item in body["allowed_event_types"]):
        return "'allowed_event_types' is not a list of strings"
    return None


def _json_kind(value: Any) -> str:
    kinds = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    kinds |= {list: "an array", dict: "an object"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)


def _print_health(document: dict[str, Any]) -> None:
    out = console.stdout()
    healthy = document["status"] == "ok"
    out.print(
        f"[{'green' if healthy else 'bold red'}]{document['status']}[/] ({document['source']})"
    )
    layer = document.get("layer")
    if layer:
        out.print(f"  enabled: {str(layer.get('enabled')).lower()}", markup=False)
        out.print(f"  sink: {layer.get('sink')}", markup=False)
        out.print(f"  event types: {', '.join(layer.get('allowed_event_types', []))}", markup=False)
    if "up_to_date" in document:
        state = "up to date" if document["up_to_date"] else "out of date"
        out.print(f"  generated files: {state}", markup=False)
        for item in document["out_of_date"]:
            out.print(f"    {', '.join(item['labels'])}: {item['path']}", markup=False)
            for detail in item["details"]:
                out.print(f"      {detail}", markup=False)
    for problem in document["problems"]:
        out.print(f"  problem: {problem}", markup=False)


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the CLI; every error becomes one line on stderr and a documented exit code.

    Usage errors exit 2; output that cannot be written (a full disk, a closed pipe) exits 1;
    an interrupt exits 130.
    """
    _tolerate_unencodable_output()
    try:
        code = _run(sys.argv[1:] if argv is None else argv)
        # Flush here so that a failing write surfaces now, not as noise at interpreter exit.
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as the Python docs advise, pointing
        # stdout at devnull so the interpreter's final flush cannot complain either.
        _discard_stdout()
        sys.exit(EXIT_FAILURE)
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except OSError as error:
        where = f"{error.filename}: " if error.filename else "cannot write the output: "
        _last_words(f"{where}{error.strerror or error}")
        _discard_stdout()
        sys.exit(EXIT_FAILURE)
    except UnicodeEncodeError as error:
        _last_words(
            f"cannot write the output in the {error.encoding} encoding; set PYTHONIOENCODING=utf-8"
        )
        _discard_stdout()
        sys.exit(EXIT_FAILURE)
    sys.exit(code)


def _run(args: list[str]) -> int:
    """Run one command; map click's usage errors to one line and exit 2."""
    command = typer.main.get_command(app)
    try:
        # Not standalone: click would print its own multi-line errors and call sys.exit.
        # An interrupt inside the command comes back from typer as 130.
        result = command.main(args=args, prog_name="telemetry-scaffold", standalone_mode=False)
    except typer.TyperException as error:
        if type(error).__name__ == "NoArgsIsHelpError":
            # Bare `telemetry-scaffold`: the help is the answer, not an error.
            console.stderr().out(error.format_message(), highlight=False)
            return EXIT_USAGE
        # Typer's (vendored click) parser errors: bad option, missing argument, bad value.
        context = getattr(error, "ctx", None)
        hint = f" (see '{context.command_path} --help')" if context is not None else ""
        console.stderr().print(_error_markup(error.format_message() + hint))
        return error.exit_code if error.exit_code != 1 else EXIT_USAGE
    except typer.Abort:
        console.stderr().print(_error_markup("aborted"))
        return EXIT_INTERRUPTED
    return result if isinstance(result, int) else EXIT_OK


def _tolerate_unencodable_output() -> None:
    """Escape what stdout's encoding cannot represent instead of failing halfway.

    With ``PYTHONIOENCODING=ascii`` (or a legacy locale) a diff holding non-ASCII text would
    stop the run with the output cut short and no exit code that means anything; with those
    characters escaped by backslashes the output stays complete and readable, and the exit code
    keeps its meaning (``--check`` still says 0 or 1).
    stderr already does this by default.
    """
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None and getattr(sys.stdout, "errors", None) == "strict":
        reconfigure(errors="backslashreplace")


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
    # If stderr is gone too, the exit code is all that is left to say it.
    with contextlib.suppress(OSError, ValueError):
        console.stderr().print(_error_markup(message))
