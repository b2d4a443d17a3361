"""The router classes of the app: made by a function, not by a `class` statement of their own."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute


class StampedRoute(APIRoute):
    """A route whose responses say which route class served them."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def stamped(request: Request) -> Response:
            response = await handler(request)
            response.headers["x-route-class"] = "stamped"
            return response

        return stamped


def router_class(route_class: type[APIRoute]) -> type[APIRouter]:
    """An APIRouter whose routes all use ``route_class``."""

    class _Router(APIRouter):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["route_class"] = route_class
            super().__init__(*args, **kwargs)

    return _Router


Router = router_class(StampedRoute)
# A second name for the plain router, for modules that want no stamp.
PlainRouter = APIRouter
