"""An app wrapper given its routers when built: its constructor includes them under /api."""

from typing import Any

from fastapi import APIRouter, FastAPI


class CoreApp:
    def __init__(self, title: str = "core", routers: list[APIRouter] | None = None) -> None:
        self.app = FastAPI(title=title)
        if routers:
            for router in routers:
                self.include_router(router, prefix="/api")

    def include_router(self, router: APIRouter, prefix: str = "") -> None:
        self.app.include_router(router, prefix=prefix)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)
