"""A bot declaring its routes in __init__ with a base-class decorator handing on to the router."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI

Handler = Callable[..., Any]


class Bot:
    def __init__(self, prefix: str) -> None:
        self.router = APIRouter(prefix=prefix, tags=["bots"])

    def attach(self, app: FastAPI) -> None:
        app.include_router(self.router)

    def post(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.router.post(path, **options)


class EchoBot(Bot):
    def __init__(self) -> None:
        super().__init__("/echo")

        @self.post("/say")
        async def say(text: str) -> dict[str, str]:
            return {"said": text}
