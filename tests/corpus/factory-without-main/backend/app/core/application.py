"""Serve with `uvicorn --factory app.core.application:get_application`."""

from fastapi import FastAPI

from app.api.router import api_router
from app.core.config import settings


def get_application() -> FastAPI:
    """Build the helpdesk API."""
    app = FastAPI(title=settings.project_name)
    app.include_router(api_router, prefix=settings.api_prefix)
    return app
