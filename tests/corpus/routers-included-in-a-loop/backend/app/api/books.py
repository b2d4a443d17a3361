from fastapi import APIRouter

router = APIRouter(prefix="/books", tags=["books"])

BOOKS = {1: "Dune", 2: "Emma"}


@router.get("/{book_id}")
def read_book(book_id: int) -> dict[str, str]:
    return {"title": BOOKS.get(book_id, "")}
