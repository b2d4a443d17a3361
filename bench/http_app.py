"""The app served in the HTTP benchmark (``uvicorn http_app:app --app-dir bench``).

It is the generated backend's own ``app`` (imported from a generated copy named by
``BENCH_BACKEND``) with three additions, so that every comparison runs in one server:

* ``POST /bench/bare``: a bare endpoint that ignores its body, the baseline of the telemetry
  endpoint;
* ``/bench/pristine/...``: the AI blocks router loaded from its text *before* instrumentation
  (``BENCH_PRISTINE_AI_BLOCKS``), the baseline of the instrumented endpoints;
* ``GET /bench/events``: how many event records the analytics logger has written, so the harness
  can check that the instrumented endpoint logs and its twin does not.

Event records really are written, through a handler on ``/dev/null``: the host of a deployed
layer configures logging, and an unconfigured logger would skip the work being measured.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from pathlib import Path

from fastapi import FastAPI

BACKEND = Path(os.environ["BENCH_BACKEND"])
PRISTINE_AI_BLOCKS = Path(os.environ["BENCH_PRISTINE_AI_BLOCKS"])
sys.path.insert(0, str(BACKEND))


class CountingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that also counts the records it writes."""

    count = 0

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record and count it."""
        CountingHandler.count += 1
        super().emit(record)


def _configure_logging() -> None:
    analytics = logging.getLogger("app.analytics")
    analytics.setLevel(logging.INFO)
    analytics.propagate = False
    # The stream stays open for the life of the server process.
    analytics.addHandler(CountingHandler(Path(os.devnull).open("w", encoding="utf-8")))  # noqa: SIM115


def _load_pristine_router(path: Path) -> object:
    name = "app.api._bench_pristine_ai_blocks"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.router


def build() -> FastAPI:
    """Import the generated app and add the benchmark's endpoints."""
    _configure_logging()
    main = importlib.import_module("app.main")
    application: FastAPI = main.app
    application.include_router(
        _load_pristine_router(PRISTINE_AI_BLOCKS),  # type: ignore[arg-type]
        prefix="/bench/pristine",
    )

    @application.post("/bench/bare", status_code=202)
    async def bare() -> dict[str, str]:
        return {"status": "accepted"}

    @application.get("/bench/events")
    async def events() -> dict[str, int]:
        return {"records": CountingHandler.count}

    return application


app = build()
