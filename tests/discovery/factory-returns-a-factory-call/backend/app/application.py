"""The app, built once per process and cached."""

from functools import cache

from fastapi import FastAPI


def create_app(apps: str = "all") -> FastAPI:
    app = FastAPI(title="Scheduler API")
    if "ui" in apps:
        app.state.ui = True
    return app


@cache
def cached_app(apps: str = "all") -> FastAPI:
    return create_app(apps=apps)
