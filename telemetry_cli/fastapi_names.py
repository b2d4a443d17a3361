"""The FastAPI names the patchers and the fast checker recognise (one list, two readers).

Kept free of libcst so that the standard-library checker can import it cheaply.
"""

from __future__ import annotations

# Qualified names that build an application.
FASTAPI_APPS = ("fastapi.FastAPI", "fastapi.applications.FastAPI")
# Qualified names of objects whose decorators declare routes.
ROUTE_OWNERS = (
    "fastapi.APIRouter",
    "fastapi.routing.APIRouter",
    *FASTAPI_APPS,
)
# Route decorator methods besides ``api_route``.
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})
