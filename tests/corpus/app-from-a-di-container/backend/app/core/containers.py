from collections.abc import Callable
from typing import Any

import fastapi


class Factory:
    """A provider building a new object on each resolve (as DI containers' factories do)."""

    def __init__(self, builder: Callable[..., Any], **kwargs: Any) -> None:
        self.builder = builder
        self.kwargs = kwargs

    def resolve_sync(self) -> Any:
        return self.builder(**self.kwargs)


async def init_di_context() -> None:
    return None


class AppContainer:
    app_factory = Factory(fastapi.FastAPI, title="decks")
