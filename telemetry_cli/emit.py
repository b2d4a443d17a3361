"""Record one event: in-process through the backend's own generated logger, or over HTTP.

What ``telemetry-scaffold emit`` does, as a library call: the CLI only parses the options and
prints the event this returns.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from typing import Any

from telemetry_cli import remote
from telemetry_cli.catalog import build_event
from telemetry_cli.errors import EventRejected, RemoteError
from telemetry_cli.plan import Plan


def emit_event(
    plan: Plan,
    event_type: str,
    payload: Any,
    *,
    url: str | None = None,
    timeout: float = remote.DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """Validate and record one event; return it as recorded.

    Args:
        plan: the project's plan (its backend, or the API prefix of the server).
        event_type: one of the plan's event types.
        payload: the decoded JSON payload, or None for none (an empty object).
        url: a running server's base URL; None records in-process.
        timeout: seconds for the whole exchange with the server.

    Returns:
        In-process: the event as logged (after redaction) with ``status`` ``logged`` or
        ``disabled``. Over HTTP: the server's acknowledgement (the 202 body).

    Raises:
        EventRejected: the event was refused (unknown type, bad payload; a 413 or 422).
        LayerUnavailable: in-process, the layer is not generated or cannot be imported.
        RemoteError: the server could not be reached or did not record the event.
    """
    if url is None:
        from telemetry_cli.layer import import_layer

        return import_layer(plan).record(event_type, payload)
    request: dict[str, Any] = {"event_type": event_type}
    if payload is not None:
        request["payload"] = payload
    endpoint = remote.endpoint(url, plan.api_prefix, "/log")
    response = remote.request_json("POST", endpoint, request, timeout=timeout)
    if 200 <= response.status < 300:
        if not _is_acknowledgement(response.body):
            # Something answered, but not the telemetry API: a wrong port or prefix, a proxy.
            raise RemoteError(
                f"{endpoint}: the server's answer is not a telemetry acknowledgement "
                f"(HTTP {response.status} without a string event_id, event_type and timestamp)"
            )
        acknowledgement: dict[str, Any] = response.body
        return acknowledgement
    if response.status in (413, 422):
        raise EventRejected(f"event rejected by the server: {remote.describe_error(response)}")
    raise RemoteError(
        f"the server could not log the event: {remote.describe_error(response, endpoint)}"
    )


def _is_acknowledgement(body: Any) -> bool:
    return isinstance(body, dict) and all(
        isinstance(body.get(key), str) for key in ("event_id", "event_type", "timestamp")
    )


# The text of a JSON object up to a key being typed: `{"a": 1, "ch` -> `{"a": 1, ` and `ch`.
_OPEN_KEY = re.compile(r'(?P<head>\{(?:.*,)?\s*)"(?P<key>[^"]*)', re.DOTALL)
_KEYS = re.compile(r'"([^"\\]*)"\s*:')


def payload_completions(plan: Plan, event_type: str, incomplete: str) -> list[tuple[str, str]]:
    """Shell completion for ``--payload``: the declared properties of ``event_type``.

    While a key is being typed (``{"ch``), the properties not in the payload yet that start
    with it, each as the text so far plus ``"chapter_id": ``; otherwise whole payloads that start
    with what was typed: the required properties with example values, alone and with each
    optional property. Each comes with its type as the help text. A free-form event has none.
    """
    spec = plan.event(event_type)
    if spec is None:
        return []
    event = build_event(spec)
    typing = _OPEN_KEY.fullmatch(incomplete)
    if typing is not None:
        present = set(_KEYS.findall(typing["head"]))
        return [
            (f'{typing["head"]}"{item.name}": ', _help(item.doc_type(), item.required))
            for item in event.properties
            if item.name.startswith(typing["key"]) and item.name not in present
        ]
    base = {item.name: item.example() for item in event.properties if item.required}
    candidates = [(base, "the required properties")] if base else []
    for item in event.properties:
        if not item.required:
            candidates.append(({**base, item.name: item.example()}, f"with {item.name}"))
    return [
        (text, help_text)
        for payload, help_text in candidates
        if (text := json.dumps(payload, ensure_ascii=False)).startswith(incomplete)
    ]


def _help(kind: str, required: bool) -> str:
    return f"{kind}, {'required' if required else 'optional'}"


def words_being_completed() -> list[str]:
    """The command line being completed, as the shell's completion script hands it over."""
    # Typer's scripts: bash sets COMP_WORDS, zsh, fish and PowerShell _TYPER_COMPLETE_ARGS.
    line = os.environ.get("_TYPER_COMPLETE_ARGS") or os.environ.get("COMP_WORDS") or ""
    # The payload being typed may leave a quote open.
    for closing in ("", "'", '"'):
        try:
            return shlex.split(line + closing)
        except ValueError:
            continue
    return line.split()


_OPTIONS_WITH_VALUES = frozenset({"--payload", "--payload-file", "--root", "--url", "--timeout"})


def emit_words(words: list[str]) -> tuple[str | None, str | None]:
    """EVENT_TYPE and the ``--root`` value among the words of an ``emit`` command line."""
    rest = words[words.index("emit") + 1 :] if "emit" in words else []
    event_type = root = None
    index = 0
    while index < len(rest):
        word = rest[index]
        if word in _OPTIONS_WITH_VALUES and index + 1 < len(rest):
            root = rest[index + 1] if word == "--root" else root
            index += 2
            continue
        if not word.startswith("-") and event_type is None:
            event_type = word
        index += 1
    return event_type, root
