from typing import Any

from fastapi import APIRouter


class VersionedRouter(APIRouter):
    """An APIRouter that tags its routes with the API version it belongs to."""

    def __init__(self, *, version: int, **kwargs: Any) -> None:
        tags = list(kwargs.pop("tags", []))
        super().__init__(tags=[*tags, f"v{version}"], **kwargs)
        self.version = version
