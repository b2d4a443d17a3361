from fastapi import APIRouter

shelves = APIRouter(prefix="/shelves", tags=["shelves"])


@shelves.get("")
def list_shelves() -> list[str]:
    return ["fruit", "bread"]


@shelves.get("/{shelf_id}")
async def read_shelf(shelf_id: str) -> dict[str, str]:
    return {"shelf": shelf_id}
