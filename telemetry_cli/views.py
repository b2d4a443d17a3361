"""Turn what the commands found into what people and machines read.

Three audiences: a person at a terminal (one line per file and a total), a CI log (GitHub
Actions annotations), and scripts (one JSON document). Nothing here prints; the CLI does. Text
that came from a server, the user's layer or the project's files and manifest goes through
:func:`~telemetry_cli.console.printable` first, so it cannot drive the terminal.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from rich.text import Text

from telemetry_cli.console import counted, printable
from telemetry_cli.sync import FileChange, Status, SyncReport

_STATUS_STYLE = {
    Status.CREATED: "green",
    Status.UPDATED: "yellow",
    Status.UNCHANGED: "dim",
    Status.PATCHED: "cyan",
    Status.REMOVED: "magenta",
    Status.REFUSED: "bold red",
    Status.ERROR: "bold red",
}
_WIDTH = max(len(status.value) for status in Status)


class Mode(StrEnum):
    """What ``generate`` was asked to do."""

    WRITE = "write"
    CHECK = "check"
    DIFF = "diff"


def _would(change: FileChange) -> str:
    """The label of a change in check mode: why it is out of date."""
    if change.status is Status.ERROR:
        return "error"
    if change.status is Status.REFUSED:
        return ", ".join(change.labels)
    return ", ".join(change.labels) or change.status.value


def file_lines(report: SyncReport, mode: Mode) -> list[Text]:
    """One line per file, with indented details.

    In check mode only the files out of date, and those whose notes say what their log calls
    leave out: a note is said on every run, not only by the one that wrote the call.
    """
    lines: list[Text] = []
    for change in report.changes:
        if mode is Mode.CHECK and change.up_to_date and not change.notes:
            continue
        word = change.status.value if mode is Mode.WRITE else _would(change)
        # A path is a file name found on disk or recorded in the manifest, and a detail may
        # quote one: escaped, so neither drives the terminal (ESC, CR, bidirectional controls).
        line = Text.assemble(
            (word.ljust(_WIDTH), _STATUS_STYLE[change.status]), "  ", printable(change.path)
        )
        if change.backup is not None and mode is Mode.WRITE:
            line.append(f"  ({change.kept} kept in {printable(change.backup)})", style="yellow")
        lines.append(line)
        details = [*change.messages, *change.notes, *change.problems]
        if change.status is Status.ERROR:
            details = list(change.messages)
        lines.extend(Text("    " + printable(detail), style="dim") for detail in details)
    return lines


def summary(report: SyncReport, mode: Mode) -> Text:
    """The closing line: totals, and what to do next."""
    total = len(report.changes)
    files = counted(total, "file")  # "1 file" once a removal has left only the app module
    if mode is Mode.CHECK:
        stale = sum(not change.up_to_date for change in report.changes)
        removing = report.command == "remove"
        if stale == 0:
            if removing:
                return Text(f"Nothing of the layer is left in the {files}.", style="green")
            if total == 1:
                return Text("The 1 file is up to date.", style="green")
            return Text(f"All {files} are up to date.", style="green")
        if not removing:
            state = "out of date"
        else:
            state = "still holds the layer" if stale == 1 else "still hold the layer"
        return Text(f"{stale} of {files} {state}; {_next_steps(report)}.", style="bold red")
    counts = ", ".join(f"{count} {status}" for status, count in report.counts().items())
    if mode is Mode.DIFF:
        changing = sum(change.status is not Status.UNCHANGED for change in report.changes)
        line = (
            f"Would change {changing} of {files}: {counts}."
            if changing
            else f"Nothing would change in the {files}."
        )
    else:
        line = f"Done: {files}: {counts}."
    if report.failed:
        return Text(f"{line} Then {_next_steps(report, after_generate=True)}.", style="bold red")
    return Text(line, style="green")


def _next_steps(report: SyncReport, *, after_generate: bool = False) -> str:
    """What a person should do about what is out of date, most useful first."""
    changes = report.changes
    manual = sum(change.needs_manual_fix for change in changes)
    forced = sum(change.needs_force for change in changes)
    fixable = sum(
        not change.up_to_date and not change.needs_manual_fix and not change.needs_force
        for change in changes
    )
    steps = []
    if fixable and not after_generate:
        steps.append(f"run `telemetry-scaffold {report.command}`")
    if forced:
        need = _need(forced, "hand-edited file")
        steps.append(f"{need} --force (or move the edit into the plan)")
    if manual:
        steps.append(f"{_need(manual, 'file')} a fix by hand (see above)")
    return "; ".join(steps) or f"run `telemetry-scaffold {report.command}`"


def _need(count: int, noun: str) -> str:
    """``1 file needs``, ``2 files need``."""
    return f"{counted(count, noun)} {'needs' if count == 1 else 'need'}"


def diffs(report: SyncReport) -> list[str | bytes]:
    """The unified diffs of every change, in file order.

    Text, printed in the output's encoding; but the diff of a module declaring another encoding
    than UTF-8 (``# -*- coding: latin-1 -*-``) is bytes in that encoding, as git prints it, so
    that it applies (``patch``, ``git apply``) to the file's bytes (a path that encoding has no
    byte for is escaped in the header).
    """
    return [
        diff if change.encoding == "utf-8" else diff.encode(change.encoding, "backslashreplace")
        for change in report.changes
        if (diff := change.diff())
    ]


def github_annotations(report: SyncReport) -> list[str]:
    """GitHub Actions workflow commands: ``::error`` per file out of date, ``::notice`` per note."""
    annotations: list[str] = []
    for change in report.changes:
        annotations.extend(
            f"::notice file={_escape_property(change.path)},title=telemetry-scaffold::"
            f"{_escape_data(note)}"
            for note in change.notes
        )
        if change.up_to_date:
            continue
        details = "; ".join([_would(change), *change.messages, *change.problems])
        if change.needs_manual_fix:
            action = "Fix it by hand: telemetry-scaffold only changes the lines it wrote."
        elif change.needs_force:
            action = (
                f"Move the edit into the plan, or run telemetry-scaffold {report.command} --force."
            )
        else:
            action = f"Run telemetry-scaffold {report.command}."
        message = f"{change.path} is out of date ({details}). {action}"
        annotations.append(
            f"::error file={_escape_property(change.path)},title=telemetry-scaffold::"
            f"{_escape_data(message)}"
        )
    return annotations


def _escape_data(value: str) -> str:
    # printable: a path or message may hold an escape sequence, which the CI log would act on;
    # it escapes line ends too (`\n`), so only `%` is left to encode.
    return printable(value).replace("%", "%25")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def as_json(report: SyncReport, mode: Mode) -> dict[str, Any]:
    """The machine-readable document of a ``generate`` run."""
    return {
        "command": report.command,
        "mode": mode.value,
        "ok": report.up_to_date if mode is Mode.CHECK else not report.failed,
        "up_to_date": report.up_to_date,
        "root": str(report.plan.root),
        "counts": report.counts(),
        "files": [
            {
                "path": change.path,
                "kind": change.kind.value,
                "status": change.status.value,
                "labels": list(change.labels),
                "messages": list(change.messages),
                "notes": list(change.notes),
                "problems": list(change.problems),
                "backup": change.backup,
                **({"diff": change.diff()} if mode is not Mode.WRITE else {}),
            }
            for change in report.changes
        ],
    }


def emitted_lines(event: dict[str, Any], url: str | None) -> list[Text]:
    """What ``emit`` prints: one line about the event, then its payload as indented JSON."""
    if event.get("status") == "disabled":
        # The variable's setting as the layer shows it, when the variable turned it off.
        setting = event.get("disabled_by")
        reason = f"{setting} turns telemetry off" if setting else "the logger is disabled"
        verb, note = "validated", f" (not recorded: {reason})"
    else:
        verb, note = "logged", f" via {url}" if url is not None else ""
    line = (
        f"{verb} {_shown(event.get('event_type'))} event {_shown(event.get('event_id'))} "
        f"at {_shown(event.get('timestamp'))}{note}"
    )
    lines = [Text(printable(line))]
    if "payload" in event:
        # ASCII JSON: every control or non-ASCII character arrives as an escape.
        lines.append(Text(json.dumps(event["payload"], indent=2, sort_keys=True)))
    return lines


def health_lines(document: dict[str, Any]) -> list[Text]:
    """What ``health`` prints: the status and source, the layer's answer, drift, problems."""
    healthy = document["status"] == "ok"
    lines = [
        Text.assemble(
            (document["status"], "green" if healthy else "bold red"),
            f" ({printable(str(document['source']))})",
        )
    ]
    layer = document.get("layer")
    if layer:
        types = ", ".join(_shown(item) for item in layer.get("allowed_event_types", []))
        lines += [
            Text(f"  enabled: {_shown(layer.get('enabled'))}"),
            Text(f"  sink: {_shown(layer.get('sink'))}"),
            Text(f"  event types: {types}"),
        ]
        if document.get("declared_events"):
            declared = ", ".join(_shown(name) for name in document["declared_events"])
            lines.append(Text(f"  declared events: {declared}"))
        # The sink's record, when the layer reports one.
        lines += [
            Text(f"  {key.replace('_', ' ')}: {_shown(layer[key])}")
            for key in ("queue_depth", "dropped", "failed", "opentelemetry_sdk_configured")
            if key in layer
        ]
    if "up_to_date" in document:
        state = "up to date" if document["up_to_date"] else "out of date"
        lines.append(Text(f"  generated files: {state}"))
        for item in document["out_of_date"]:
            lines.append(Text(printable(f"    {', '.join(item['labels'])}: {item['path']}")))
            lines += [Text(printable(f"      {detail}")) for detail in item["details"]]
    lines += [Text(printable(f"  problem: {problem}")) for problem in document["problems"]]
    return lines


def _shown(value: Any) -> str:
    """A value from a server or the layer, as one terminal-safe word (booleans in JSON)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return printable(str(value))
