"""The apps of the HTTP benchmark: the generated backend's own app, and its fair twin.

``uvicorn http_app:app --app-dir bench`` serves the app of the project copy named by
``BENCH_BACKEND`` (its backend folder), as ``app.main`` builds it. With ``BENCH_TWIN=1`` the copy
is the *twin*: its AI blocks module is the same text without the inserted instrumentation, and
the route ``POST {api-prefix}/log`` is replaced, at the same place in the route table, by a bare
endpoint that reads the body and parses it with ``json.loads``, then answers ``202`` with a JSON
object of the same keys and sizes as the telemetry endpoint's answer. So each subject and its
baseline sit at the same route position of the same app: only the work under test differs.
The in-app probe also builds a *floor* twin, whose bare endpoint writes one record of a ready-made
event line as well: what any endpoint that logs each event pays at the least.

``GET /bench/events`` (added last to both) counts the event records written, so that the harness
can check that the instrumented endpoints write one record each and their twins none. Records go
through a handler on ``/dev/null``: the host of a deployed layer configures logging, and an
unconfigured logger would skip the very work being measured.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

# The telemetry endpoint's answer, with values of the same lengths (a UUID4, a millisecond UTC
# timestamp): the harness checks that both answers have the same size.
BARE_ANSWER = {
    "status": "accepted",
    "event_id": "00000000-0000-4000-8000-000000000000",
    "event_type": "ai_block_used",
    "timestamp": "2025-01-27T09:30:00.123Z",
}


class CountingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that also counts the records it writes."""

    count = 0

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record and count it."""
        CountingHandler.count += 1
        super().emit(record)


def configure_logging() -> None:
    """Write the analytics records through a counting handler on ``/dev/null``."""
    analytics = logging.getLogger("app.analytics")
    if any(isinstance(handler, CountingHandler) for handler in analytics.handlers):
        return
    analytics.setLevel(logging.INFO)
    analytics.propagate = False
    # The stream stays open for the life of the process.
    analytics.addHandler(CountingHandler(Path(os.devnull).open("w", encoding="utf-8")))  # noqa: SIM115


async def bare_log(request: Request) -> JSONResponse:
    """The fair baseline of the telemetry endpoint: read the body, parse it, answer 202."""
    json.loads(await request.body())
    return JSONResponse(status_code=202, content=dict(BARE_ANSWER))


async def bare_log_and_record(request: Request) -> JSONResponse:
    """The bare endpoint, writing one record of the event line as the logging sink would."""
    document = json.loads(await request.body())
    line = json.dumps({**BARE_ANSWER, "payload": document["payload"]}, separators=(",", ":"))
    analytics = logging.getLogger("app.analytics")
    if analytics.isEnabledFor(logging.INFO):
        analytics.handle(
            analytics.makeRecord(analytics.name, logging.INFO, __file__, 0, line, (), None)
        )
    return JSONResponse(status_code=202, content=dict(BARE_ANSWER))


def _replace_log_route(router: APIRouter, endpoint: Callable[..., Any]) -> None:
    """Put the bare endpoint in place of the telemetry router's ``POST .../log`` route."""
    routes = router.routes
    index = next(
        i
        for i, route in enumerate(routes)
        if isinstance(route, APIRoute)
        and route.path.endswith("/log")
        and "POST" in (route.methods or ())
    )
    path = routes[index].path.removeprefix(router.prefix)  # type: ignore[attr-defined]
    # Built by the same router, so it gets the router's prefix and settings, then moved to the
    # index of the route it replaces.
    router.add_api_route(path, endpoint, methods=["POST"], status_code=202)
    routes[index] = routes.pop()
    router._mark_routes_changed()  # FastAPI's cache of included routes is keyed by a version


_imported_from: list[str] = []


def build(backend: Path, *, twin: bool, floor: bool = False) -> FastAPI:
    """Import the app of the copy at ``backend`` (its own ``app`` package) and prepare it.

    ``twin``: its log route becomes the bare endpoint (``floor``: the one that writes a record).

    Any ``app`` package imported before is forgotten first, so one process can hold the app of
    two copies (the in-app probe does).
    """
    configure_logging()
    for name in [name for name in sys.modules if name == "app" or name.startswith("app.")]:
        del sys.modules[name]
    for folder in _imported_from:
        sys.path.remove(folder)
    _imported_from[:] = [str(backend)]
    sys.path.insert(0, str(backend))
    application: FastAPI = importlib.import_module("app.main").app
    if twin:
        router = importlib.import_module("app.analytics.telemetry_router").router
        _replace_log_route(router, bare_log_and_record if floor else bare_log)

    @application.get("/bench/events")
    async def events() -> dict[str, int]:
        return {"records": CountingHandler.count}

    return application


if "BENCH_BACKEND" in os.environ:
    app = build(Path(os.environ["BENCH_BACKEND"]), twin=os.environ.get("BENCH_TWIN") == "1")
