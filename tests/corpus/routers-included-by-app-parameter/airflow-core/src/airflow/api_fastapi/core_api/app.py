from __future__ import annotations

from fastapi import FastAPI


def init_views(app: FastAPI) -> None:
    """Init views by registering the different apps."""
    from airflow.api_fastapi.core_api.routes.public import public_router

    app.include_router(public_router)
