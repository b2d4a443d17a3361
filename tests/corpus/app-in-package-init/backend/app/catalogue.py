from .schemas import Book


class Catalogue:
    """The books on the shelves, by ISBN."""

    def __init__(self) -> None:
        self.books = {
            "9780141439518": Book(isbn="9780141439518", title="Pride and Prejudice", copies=2),
            "9780451524935": Book(isbn="9780451524935", title="1984", copies=0),
        }


_CATALOGUE = Catalogue()


def get_catalogue() -> Catalogue:
    return _CATALOGUE
