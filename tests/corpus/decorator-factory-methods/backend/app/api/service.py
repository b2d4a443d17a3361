"""Routes registered through decorator factories written as methods of a service class."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

Handler = Callable[..., Any]


class Service:
    """A model service: its own router, and route decorators registering on it."""

    def __init__(self, prefix: str) -> None:
        self.router = APIRouter(prefix=prefix, tags=["models"])

    def route(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        """Register the decorated function on the service's router."""

        def register(fn: Handler) -> Handler:
            self.router.add_api_route(path, fn, **options)
            return fn

        return register

    def post(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        def decorate(fn: Handler) -> Handler:
            return self.router.post(path, **options)(fn)

        return decorate


service = Service("/models")


@service.route("/{model_id}", methods=["GET"])
async def describe(model_id: str) -> dict[str, str]:
    return {"model": model_id}


@service.post("/{model_id}/predict", status_code=201)
async def predict(model_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"model": model_id, **body}


admin_router = APIRouter(prefix="/admin", tags=["admin"])


class Registrar:
    """Route decorators registering on the router it is given."""

    def __init__(self, target: APIRouter) -> None:
        self.target = target

    def route(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            self.target.add_api_route(path, fn, **options)
            return fn

        return register


admin = Registrar(admin_router)
