"""Routes that name their action: each method hands on to one that adds a guard first."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request

Handler = Callable[..., Any]


class Guard:
    def __init__(self, action: str) -> None:
        self.action = action

    async def __call__(self, request: Request) -> str:
        return self.action


class Routes:
    def __init__(self, prefix: str = "", tags: list[str] | None = None) -> None:
        self.router = APIRouter(prefix=prefix, tags=tags or [])

    def _route(self, method: str, path: str, *, action: str, **kw: Any) -> Callable[[Handler], Handler]:
        deps = [Depends(Guard(action)), *kw.pop("dependencies", [])]
        return self.router.api_route(path, methods=[method], dependencies=deps, **kw)

    def get(self, path: str, *, action: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self._route("GET", path, action=action, **kw)

    def post(self, path: str, *, action: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self._route("POST", path, action=action, **kw)


routes = Routes(tags=["board"])


@routes.get("/board/{card_id}", action="board.read")
async def read_card(card_id: int) -> dict[str, int]:
    return {"card": card_id}


@routes.post("/board", action="board.write", status_code=201)
async def add_card(body: dict[str, Any]) -> dict[str, Any]:
    return body
