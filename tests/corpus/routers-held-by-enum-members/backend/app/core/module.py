from fastapi import APIRouter


class Module:
    """A feature of the app: where its screens live, and its routes."""

    def __init__(self, root: str, router: APIRouter = APIRouter(), public: bool = False) -> None:
        self.root = root
        self.router = router
        self.public = public
