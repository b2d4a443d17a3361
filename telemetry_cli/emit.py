"""Record one event: in-process through the backend's own generated logger, or over HTTP.

What ``telemetry-scaffold emit`` does, as a library call: the CLI only parses the options and
prints the event this returns.
"""

from __future__ import annotations

from typing import Any

from telemetry_cli import remote
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
    raise RemoteError(f"the server could not log the event: {remote.describe_error(response)}")


def _is_acknowledgement(body: Any) -> bool:
    return isinstance(body, dict) and all(
        isinstance(body.get(key), str) for key in ("event_id", "event_type", "timestamp")
    )
