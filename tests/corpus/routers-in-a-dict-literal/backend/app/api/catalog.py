from fastapi import APIRouter

AUTHORS = "authors"
ROUTERS = {
    "books": APIRouter(prefix="/books", tags=["books"]),
    "authors": APIRouter(prefix="/authors", tags=["authors"]),
}


@ROUTERS["books"].get("/")
async def list_books() -> list[str]:
    return ["Dune"]


@ROUTERS[AUTHORS].post("/{author_id}")
async def rename_author(author_id: int) -> dict[str, int]:
    return {"id": author_id}


@ROUTERS["books"].get("/{book_id}")
async def read_book(book_id: int) -> dict[str, int]:
    return {"id": book_id}
