"""Routes registered through decorator factories that call add_api_route."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI

router = APIRouter(prefix="/models", tags=["models"])

Handler = Callable[..., Any]


def post(path: str, **options: Any) -> Callable[[Handler], Handler]:
    """Register the decorated function as a POST route of the models router."""

    def register_route(fn: Handler) -> Handler:
        router.add_api_route(path, fn, methods=["POST"], **options)
        return fn

    return register_route


def get(path: str, **options: Any) -> Callable[[Handler], Handler]:
    """The models router's GET decorator, with the gateway's defaults."""
    return router.get(path, **options)


def put(path: str, **options: Any) -> Callable[[Handler], Handler]:
    def decorate(fn: Handler) -> Handler:
        return router.put(path, **options)(fn)

    return decorate


def route_on(target: APIRouter, path: str, **options: Any) -> Callable[[Handler], Handler]:
    """Register the decorated function as a route of the router given."""

    def register_route(fn: Handler) -> Handler:
        target.add_api_route(path, fn, **options)
        return fn

    return register_route


@get("/{model_id}")
async def describe(model_id: str) -> dict[str, str]:
    return {"model": model_id}


@put("/{model_id}/weights", status_code=202)
async def replace_weights(model_id: str) -> dict[str, str]:
    return {"replaced": model_id}


@post("/{model_id}/generate", status_code=201)
async def generate(model_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"model": model_id, "prompt": body.get("prompt", "")}


@post("/{model_id}/embed")
async def embed(model_id: str) -> dict[str, Any]:
    return {"model": model_id, "vector": [0.0, 1.0]}


def register(app: FastAPI, settings: dict[str, str]) -> None:
    """Routes of the app itself, each registered with its methods."""

    def route(path: str, *, methods: list[str]) -> Callable[[Handler], Handler]:
        def register_route(fn: Handler) -> Handler:
            app.router.add_api_route(path, fn, methods=methods)
            return fn

        return register_route

    @route("/api/show/{name}", methods=["GET"])
    async def show(name: str) -> dict[str, str]:
        route = settings.get("model", "")  # a local of the same name: not the factory
        return {"name": name, "default": route}

    @route("/api/pull", methods=["POST", "PUT"])
    async def pull() -> dict[str, str]:
        return {"status": "pulled"}
