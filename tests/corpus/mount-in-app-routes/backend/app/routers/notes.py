import functools
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter

router = APIRouter(prefix="/notes")

LAST_TITLE = ""


def audited(function: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """A decorator of the project's own between the route and the handler."""

    @functools.wraps(function)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        return await function(*args, **kwargs)

    return wrapper


@router.get("/{note_id}")
@audited
async def read_note(note_id: int) -> dict[str, int]:
    return {"id": note_id}


@router.get(path="/by-title/{title}")
def by_title(title: str) -> dict[str, str]:
    global LAST_TITLE
    LAST_TITLE = title
    return {"title": title}
