"""The API, and a cached wrapper of its factory: one app."""

from functools import cache

from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI(title="API")
    return app


@cache
def cached_app() -> FastAPI:
    return create_app()
