"""Run with uvicorn app.main:app."""

from app.server import app

__all__ = ["app"]
