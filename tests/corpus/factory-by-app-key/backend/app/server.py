"""Serve with `uvicorn --factory app.server:create_app`."""

from fastapi import FastAPI
from pydantic import BaseModel

from app.api import trips, vehicles


class Settings(BaseModel):
    title: str = "Fleet"
    depot: str = "Drammen"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title=settings.title)
    app.state.depot = settings.depot
    for module in (vehicles, trips):
        app.include_router(module.router)
    return app
