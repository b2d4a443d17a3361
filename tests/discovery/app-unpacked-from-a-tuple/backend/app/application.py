"""The app and the service instance it serves, created together."""

from fastapi import FastAPI


def create() -> FastAPI:
    return FastAPI(title="Search API")


app, INSTANCE = create(), None
