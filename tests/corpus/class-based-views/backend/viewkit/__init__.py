"""A tiny stand-in for a class-based-view helper installed beside the app.

Route methods are declared with ``@router.get(...)`` inside a class body; ``class_view(router)``
then registers them again so that FastAPI passes an instance of the class as ``self``.
"""

import inspect
from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute

View = TypeVar("View", bound=type)


def class_view(router: APIRouter) -> Callable[[View], View]:
    def register(cls: View) -> View:
        methods = [value for value in vars(cls).values() if inspect.isfunction(value)]
        for route in [r for r in router.routes if isinstance(r, APIRoute)]:
            if route.endpoint not in methods:
                continue
            router.routes.remove(route)
            signature = inspect.signature(route.endpoint)
            first, *rest = signature.parameters.values()
            keyword = inspect.Parameter.KEYWORD_ONLY
            parameters = [first.replace(kind=keyword, default=Depends(cls))]
            parameters += [parameter.replace(kind=keyword) for parameter in rest]
            route.endpoint.__signature__ = signature.replace(parameters=parameters)
            router.add_api_route(
                route.path.removeprefix(router.prefix),
                route.endpoint,
                methods=sorted(route.methods),
                status_code=route.status_code,
                name=route.name,
            )
        return cls

    return register
