"""One place that builds the routers, so every module gets the same tags and responses."""

from typing import Any

from fastapi import APIRouter

NOT_FOUND = {404: {"description": "Not found"}}


def make_router(prefix: str, tag: str = "music") -> APIRouter:
    return APIRouter(prefix=prefix, tags=[tag], responses=NOT_FOUND)


def versioned_router(resource: str = "albums", *, version: str = "v1") -> APIRouter:
    """A router under /<version>/<resource>."""
    router = APIRouter(prefix=f"/{version}/{resource}")
    return router


def logged_router(**options: Any) -> APIRouter:
    """A router whose options the caller gives, tagged for the logs page."""
    return APIRouter(tags=["logs"], **options)
