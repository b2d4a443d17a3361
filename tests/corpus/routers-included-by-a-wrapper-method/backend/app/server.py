"""A server object wrapping the app: routers are registered through its own methods."""

from typing import Any

from fastapi import APIRouter, FastAPI


class Server:
    def __init__(self, title: str) -> None:
        self.app = FastAPI(title=title)

    def register_router(self, router: APIRouter, prefix: str = "", **options: Any) -> None:
        """Register a router on the app, under ``prefix``."""
        self.app.include_router(router, prefix=prefix, **options)

    def include_router(self, router: APIRouter, prefix: str = "") -> None:
        # Named as FastAPI's own: called on the server, it runs this method.
        self.app.include_router(router, prefix=prefix)

    def mount_health(self, router: APIRouter) -> None:
        self.register_router(router, prefix="/health")
