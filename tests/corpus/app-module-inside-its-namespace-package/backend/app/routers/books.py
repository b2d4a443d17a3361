from fastapi import APIRouter

router = APIRouter(prefix="/books")

BOOKS = {"b1": "Dune"}


@router.get("/{book_id}")
def get_book(book_id: str) -> dict[str, str]:
    return {"id": book_id, "title": BOOKS.get(book_id, "")}
