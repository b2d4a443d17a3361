"""Every module of a package that binds `router` is included, subpackages too."""

import importlib
from pkgutil import iter_modules

from fastapi import APIRouter


def include_router(package, parent_router: APIRouter) -> None:
    for module_info in iter_modules(package.__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        if hasattr(module, "router"):
            parent_router.include_router(module.router)
        if module_info.ispkg:
            include_router(module, parent_router)
