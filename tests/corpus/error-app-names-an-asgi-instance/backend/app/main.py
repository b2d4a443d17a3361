from typing import Any

from fastapi import FastAPI

from app.api import orders


class Gateway:
    """An ASGI app of the package serving a FastAPI app it holds."""

    def __init__(self) -> None:
        self.api = FastAPI()
        self.api.include_router(orders.router, prefix="/api")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.api(scope, receive, send)


app = Gateway()
