from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

Handler = Callable[..., Any]


class Service:
    """Registers handlers on the router it is given."""

    def __init__(self, router: APIRouter) -> None:
        self.router = router

    def route(self, path: str, method: str = "GET") -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            self.router.add_api_route(path, fn, methods=[method])
            return fn

        return register

    def get(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.router.get(path, **options)


router = APIRouter(prefix="/sensors")
service = Service(router)
expose = service.route
fetch = service.get
