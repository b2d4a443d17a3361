"""Agents declaring their routes in __init__ with a route decorator of their base class."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI

Handler = Callable[..., Any]


class Agent:
    def __init__(self, prefix: str) -> None:
        self.router = APIRouter(prefix=prefix, tags=["agents"])

    def register(self, app: FastAPI) -> None:
        app.include_router(self.router)

    def route(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        def decorator(func: Handler) -> Handler:
            self.router.add_api_route(path, func, **options)
            return func

        return decorator


class EchoAgent(Agent):
    def __init__(self) -> None:
        super().__init__("/echo")

        @self.route("/say", methods=["POST"])
        async def say(text: str) -> dict[str, str]:
            return {"said": text}
