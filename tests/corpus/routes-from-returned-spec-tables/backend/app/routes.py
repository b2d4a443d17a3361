"""The routes, as tables of specs looped into add_api_route."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.handlers import create_item, list_items

router = APIRouter(prefix="/items")


def route_list():
    return [
        ("", list_items, ["GET"]),
        ("", create_item, ["POST"]),
    ]


for path, endpoint, methods in route_list():
    router.add_api_route(path, endpoint, methods=methods)


class RouteSpec(BaseModel):
    path: str
    summary: str = ""
    methods: list[str] = Field(default=["GET"])


def route_specs() -> dict[Callable[..., Any], RouteSpec]:
    """The item routes."""
    from app.handlers import delete_item, get_item

    specs: dict[Callable[..., Any], RouteSpec] = {
        get_item: RouteSpec(path="/{item_id}", summary="One item"),
        delete_item: RouteSpec(path="/{item_id}", methods=["DELETE"]),
    }
    return specs


for handler, spec in route_specs().items():
    router.add_api_route(spec.path, handler, methods=spec.methods, summary=spec.summary)
