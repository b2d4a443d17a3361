"""Controllers: each class builds (or is given) its router and registers its own methods."""

from fastapi import APIRouter, HTTPException

BOOKS = {1: "Dune", 2: "Emma"}
LOANS: dict[int, str] = {}


class BookController:
    def __init__(self) -> None:
        self.router = APIRouter(prefix="/books", tags=["books"])

        @self.router.get("/count")
        def count_books() -> dict[str, int]:
            return {"count": len(BOOKS)}

        self.router.add_api_route("/", self.list_books, methods=["GET"])
        self.router.add_api_route("/{book_id}", self.get_book, methods=["GET"])

    async def list_books(self) -> list[str]:
        """Every title."""
        return sorted(BOOKS.values())

    def get_book(self, book_id: int) -> dict[str, object]:
        if book_id not in BOOKS:
            raise HTTPException(404, "no such book")
        return {"id": book_id, "title": BOOKS[book_id]}

    @staticmethod
    def _title(book_id: int) -> str:
        return BOOKS.get(book_id, "?")


class LoanController:
    def __init__(self, router: APIRouter, prefix: str) -> None:
        self.prefix = prefix
        self.router = router
        self.router.add_api_route("/{book_id}", self.lend, methods=["POST"])

    def lend(self, book_id: int) -> dict[str, str]:
        LOANS[book_id] = "out"
        return {"state": LOANS[book_id]}
