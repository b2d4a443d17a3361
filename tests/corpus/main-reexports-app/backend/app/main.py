"""Entry point for `fastapi run`; the app itself is built in app.server."""

from app.server import app

__all__ = ["app"]
