import importlib
import pkgutil
from collections.abc import Iterator

from fastapi import APIRouter, FastAPI


def _get_routers() -> Iterator[APIRouter]:
    for mod in [mod.name.lower() for mod in pkgutil.iter_modules(__path__)]:
        module = importlib.import_module(f"{__name__}.{mod}")
        if hasattr(module, "router") and isinstance(module.router, APIRouter):
            yield module.router


def setup_routes(app: FastAPI) -> None:
    for router in _get_routers():
        app.include_router(router, prefix="/api")
