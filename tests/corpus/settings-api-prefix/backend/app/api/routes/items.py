from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute

from app.core.config import settings


class TimedRoute(APIRoute):
    """A custom route class, as many backends use for timing or logging."""


router = APIRouter(prefix="/items", tags=["items"], route_class=TimedRoute)

STOCK: dict[int, int] = {1: 4}


@router.get("/{item_id}")
def read_item(item_id: int, *, verbose: bool = False) -> dict[str, int | bool]:
    return {"id": item_id, "stock": STOCK.get(item_id, 0), "verbose": verbose}


@router.delete("/{item_id}", status_code=204)
def delete_item(item_id: int) -> None:
    """Nothing but a docstring: FastAPI answers 204."""


@router.put("/{item_id}", status_code=204)
def put_item(item_id: int) -> None:
    ...


@router.api_route("/{item_id}/touch", methods=["GET", "POST"])
async def touch_item(item_id: int) -> dict[str, int]:
    return {"touched": item_id}


async def _lines() -> AsyncIterator[str]:
    for number in range(3):
        yield f"{number}\n"


@router.get("/export/lines")
async def export_lines() -> StreamingResponse:
    return StreamingResponse(_lines(), media_type="text/plain")


if settings.ENABLE_BETA:

    @router.get("/beta/{flag}")
    def beta(flag: str) -> None:
        pass
