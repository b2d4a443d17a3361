from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from airflow.api_fastapi.core_api.app import init_views

API_BASE_URL = "http://localhost:8080"


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield


def create_app(apps: str = "all") -> FastAPI:
    app = FastAPI(
        title="Airflow API",
        description="Airflow API.",
        lifespan=lifespan,
    )
    init_views(app)
    return app


app: FastAPI | None = None


def cached_app(config=None, testing=False, apps="all") -> FastAPI:
    """Return cached instance of Airflow API app."""
    global app
    if not app:
        app = create_app(apps=apps)
    return app
