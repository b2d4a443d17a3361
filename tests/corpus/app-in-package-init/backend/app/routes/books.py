from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from ..catalogue import Catalogue, get_catalogue
from ..schemas import Book, Loan

router = APIRouter(prefix="/books", tags=["books"])

CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]


@router.get("/{isbn}")
def find_book(isbn: str, catalogue: CatalogueDep) -> Book:
    """Look a book up by ISBN."""
    book = catalogue.books.get(isbn)
    if book is None:
        raise HTTPException(404, "not in the catalogue")
    return book


@router.post("/{isbn}/loans", status_code=201)
def lend_book(isbn: str, loan: Loan, catalogue: CatalogueDep) -> dict[str, object]:
    """Lend a copy to a member, if one is on the shelf."""
    book = catalogue.books[isbn]
    if book.copies == 0:
        raise HTTPException(409, "no copy available")
    book.copies -= 1
    return {"isbn": isbn, "member_id": loan.member_id, "weeks": loan.weeks}
