"""Route decorators written as methods returning another decorator of the instance."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

Handler = Callable[..., Any]


class Notes:
    """A resource owning its router; its decorators hand on to the router's or to each other."""

    def __init__(self, prefix: str) -> None:
        self.router = APIRouter(prefix=prefix, tags=["notes"])

    def get(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        """The router's own GET decorator."""
        return self.router.get(path, **options)

    def _register(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            self.router.add_api_route(path, fn, **options)
            return fn

        return register

    def route(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self._register(path, **options)

    def delete(self, path: str) -> Callable[[Handler], Handler]:
        return self.route(path, methods=["DELETE"])


notes = Notes("/notes")


@notes.get("/{note_id}")
async def read_note(note_id: int) -> dict[str, int]:
    return {"id": note_id}


@notes.route("/", methods=["POST"], status_code=201)
async def create_note(body: dict[str, Any]) -> dict[str, Any]:
    return body


@notes.delete("/{note_id}")
async def delete_note(note_id: int) -> dict[str, bool]:
    return {"deleted": True}


admin_router = APIRouter(prefix="/admin", tags=["admin"])


class Admin:
    """Decorators of the router it is given."""

    def __init__(self, target: APIRouter) -> None:
        self.target = target

    def post(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.target.post(path, **options)


admin = Admin(admin_router)
