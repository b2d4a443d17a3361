"""Bookmarks; the router is built by a function so that tests can build a read-only one."""

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, HttpUrl


class Bookmark(BaseModel):
    url: HttpUrl
    title: str


def build_router(read_only: bool = True) -> APIRouter:
    router = APIRouter(prefix="/bookmarks", tags=["bookmarks"])
    saved: dict[int, Bookmark] = {
        1: Bookmark(url="https://docs.python.org/3/", title="Python docs"),
    }

    @router.get("")
    def list_bookmarks() -> list[Bookmark]:
        return list(saved.values())

    @router.get("/{bookmark_id}")
    def get_bookmark(bookmark_id: int) -> Bookmark:
        """One bookmark."""
        if bookmark_id not in saved:
            raise HTTPException(404, "no such bookmark")
        return saved[bookmark_id]

    if not read_only:

        @router.post("", status_code=201)
        async def add_bookmark(bookmark: Bookmark) -> dict[str, int]:
            saved[len(saved) + 1] = bookmark
            return {"id": len(saved)}

    return router
