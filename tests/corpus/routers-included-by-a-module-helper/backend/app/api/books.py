from fastapi import APIRouter

router = APIRouter()
ROUTER_PREFIX = "/api/v2"
ROUTER_NAME = "books"


@router.get("/{book_id}")
async def read_book(book_id: int) -> dict[str, int]:
    return {"id": book_id}


@router.get("")
async def list_books() -> list[int]:
    return [1, 2]
