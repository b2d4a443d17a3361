"""`shop serve`: workers import the app by its import string."""

import uvicorn

from shop.metrics.exporter import build_metrics_app


def serve(workers: int = 4) -> None:
    uvicorn.run("shop.proxy.server:app", workers=workers)


def serve_metrics(port: int) -> None:
    uvicorn.run(build_metrics_app(), port=port)
