"""Bookmarks served by the methods of module-level instances."""

from fastapi import APIRouter

from app.api.store import TagIndex

router = APIRouter(prefix="/bookmarks")


class Shelf:
    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.items: dict[int, str] = {1: "https://example.org"}

    def list_all(self) -> dict[str, object]:
        return {"owner": self.owner, "items": list(self.items.values())}

    async def get_one(self, item_id: int) -> dict[str, object]:
        return {"id": item_id, "url": self.items.get(item_id)}

    def _count(self) -> int:
        return len(self.items)


shelf = Shelf("me")
tags = TagIndex()

router.add_api_route("/", shelf.list_all, methods=["GET"])
router.add_api_route("/{item_id}", shelf.get_one, methods=["GET"])
router.add_api_route("/tags/{tag}", tags.count, methods=["GET"])
