"""Builds the application."""

from fastapi import FastAPI

from app.api import orders


def create_app() -> FastAPI:
    """Build the app with every router."""
    app = FastAPI()
    app.include_router(orders.router)
    return app
