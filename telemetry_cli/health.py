"""The telemetry layer's health: in-process (with drift of the generated files) or from a server.

What ``telemetry-scaffold health`` reports, as one JSON-ready document: ``status`` (``ok`` or
``unhealthy``), ``source``, ``layer`` (the layer's own health answer, or None), ``problems`` and
``declared_events`` (the plan's); in-process also ``up_to_date`` and ``out_of_date``. The
layer's answer names the sink and, with the OpenTelemetry sink, whether an SDK is configured
(``opentelemetry_sdk_configured``); without one the sink is a no-op, which is a valid setup and
so not a problem. In-process that is the CLI's own process, where the application's startup code
has not run.
"""

from __future__ import annotations

from typing import Any

from telemetry_cli import remote
from telemetry_cli.console import quoted
from telemetry_cli.errors import UserError
from telemetry_cli.plan import Plan

# The fields of the generated health answer the CLI relies on, with their JSON types.
_EXPECTED: dict[str, tuple[type, str]] = {
    "status": (str, "a string"),
    "enabled": (bool, "a boolean"),
    "sink": (str, "a string"),
    "allowed_event_types": (list, "an array"),
}
# Fields only some layers answer, checked when present: the OpenTelemetry sink's
# (``sink = "opentelemetry"``) says whether the application configured an SDK to take the records.
_OPTIONAL: dict[str, tuple[type, str]] = {
    "opentelemetry_sdk_configured": (bool, "a boolean"),
}


def check_health(
    plan: Plan, *, url: str | None = None, timeout: float = remote.DEFAULT_TIMEOUT
) -> dict[str, Any]:
    """Report the layer's health, in-process or from the server at ``url``.

    Raises:
        UserError: the plan's project cannot be compared (in-process), or ``url`` is unusable
            or the server cannot be reached (over HTTP).
    """
    document = _local(plan) if url is None else _remote(plan.api_prefix, url, timeout)
    # The plan's event catalog: the events whose payloads the layer checks against a model.
    document["declared_events"] = [event.name for event in plan.events]
    return document


def _local(plan: Plan) -> dict[str, Any]:
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
    if layer is not None and layer.get("status") != "ok":
        # The layer's own verdict, e.g. "degraded" while its sink is failing.
        problems.append(f"the layer reports status {quoted(layer.get('status'))}")
    return {
        "status": "ok" if not problems else "unhealthy",
        "source": "in-process",
        "layer": layer,
        "up_to_date": not out_of_date,
        "out_of_date": out_of_date,
        "problems": problems,
    }


def _remote(api_prefix: str, url: str, timeout: float) -> dict[str, Any]:
    endpoint = remote.endpoint(url, api_prefix, "/health")
    response = remote.request_json("GET", endpoint, timeout=timeout)
    if response.status != 200:
        described = remote.describe_error(response, endpoint)
        return _unhealthy(url, f"health endpoint answered {described}")
    flaw = body_flaw(response.body)
    if flaw is not None:
        return _unhealthy(url, f"the health endpoint answered an unexpected body: {flaw}")
    ok = response.body["status"] == "ok"
    return {
        "status": "ok" if ok else "unhealthy",
        "source": url,
        "layer": response.body,
        "problems": [] if ok else [f"the server reports status {quoted(response.body['status'])}"],
    }


def _unhealthy(url: str, problem: str) -> dict[str, Any]:
    return {"status": "unhealthy", "source": url, "layer": None, "problems": [problem]}


def body_flaw(body: Any) -> str | None:
    """What is wrong with a health answer's shape, or None when it has the generated API's."""
    if not isinstance(body, dict):
        return f"expected a JSON object, got {_json_kind(body)}"
    for key, (kind, kind_name) in _EXPECTED.items():
        if key not in body:
            return f"{quoted(key)} is missing"
        if not isinstance(body[key], kind):
            return f"{quoted(key)} is {_json_kind(body[key])}, expected {kind_name}"
    for key, (kind, kind_name) in _OPTIONAL.items():
        if key in body and not isinstance(body[key], kind):
            return f"{quoted(key)} is {_json_kind(body[key])}, expected {kind_name}"
    if not all(isinstance(item, str) for item in body["allowed_event_types"]):
        return "'allowed_event_types' is not a list of strings"
    return None


def _json_kind(value: Any) -> str:
    kinds = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    kinds |= {list: "an array", dict: "an object"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)
