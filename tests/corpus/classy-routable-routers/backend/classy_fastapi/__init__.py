"""A tiny stand-in for classy-fastapi, installed beside the app.

Methods of a ``Routable`` subclass are marked with plain decorators (``@get("/x")``); each
instance builds an ``APIRouter`` of its own (``.router``, from the constructor's arguments) and
registers the marked methods on it, bound to the instance.
"""

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from fastapi import APIRouter

Method = TypeVar("Method", bound=Callable[..., Any])


def route(path: str, methods: list[str], **options: Any) -> Callable[[Method], Method]:
    def mark(method: Method) -> Method:
        method._route = (path, methods, options)  # type: ignore[attr-defined]
        return method

    return mark


def get(path: str, **options: Any) -> Callable[[Method], Method]:
    return route(path, ["GET"], **options)


def post(path: str, **options: Any) -> Callable[[Method], Method]:
    return route(path, ["POST"], **options)


class Routable:
    def __init__(self, **router_options: Any) -> None:
        self.router = APIRouter(**router_options)
        for value in vars(type(self)).values():
            marked = getattr(value, "_route", None)
            if marked is None:
                continue
            path, methods, options = marked
            endpoint = partial(value, self)
            self.router.add_api_route(
                path, endpoint, methods=methods, name=value.__name__, **options
            )
