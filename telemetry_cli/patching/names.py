"""The FastAPI names the patcher recognises, in one place."""

from __future__ import annotations

import re

#: Qualified names of the classes that build an application.
APP_CLASSES = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI"})
#: Qualified names of Starlette's application class: it serves the apps mounted into it, as
#: FastAPI does (``app = Starlette(); app.mount("/api", app=api)``), but is no app to wire.
STARLETTE_CLASSES = frozenset({"starlette.applications.Starlette"})
#: Decorators answering a repeated call from a cache without running the function they wrap:
#: fastapi-cache2's ``@cache(expire=60)``, fastapi-redis-cache's ``@cache(...)`` and
#: ``@cache_one_hour()`` ..., aiocache's ``@cached()``, cashews' ``@cache(ttl=...)`` and its
#: caching strategies (``@cache.early(...)``; not its ``invalidate``, ``rate_limit`` or
#: ``locked``, which cache nothing), cachetools', the standard library's and async-lru's
#: memoizers.
RESPONSE_CACHES = frozenset(
    {
        "fastapi_cache.decorator.cache",
        *(
            f"fastapi_redis_cache.{name}"
            for name in (
                "cache",
                "cache_one_minute",
                "cache_one_hour",
                "cache_one_day",
                "cache_one_week",
                "cache_one_month",
                "cache_one_year",
            )
        ),
        "fastapi_redis_cache.cache.cache",
        "aiocache.cached",
        "aiocache.decorators.cached",
        *(f"cashews.cache{strategy}" for strategy in ("", ".early", ".soft", ".hit")),
        "functools.cache",
        "functools.lru_cache",
        "async_lru.alru_cache",
        "cachetools.cached",
        "cachetools.func.ttl_cache",
        "cachetools.func.lru_cache",
    }
)
#: Qualified names of FastAPI's router class.
ROUTER_CLASSES = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter"})
#: Libraries' subclasses of ``APIRouter`` that keep its constructor: given no ``prefix=`` they
#: have none (``""``), as ``APIRouter`` does, where another library's router class may name its
#: own (fastapi-crudrouter's, from the schema). fastapi-utils' and fastapi-restful's
#: ``InferringRouter`` (it only infers ``response_model``), Cadwyn's ``VersionedAPIRouter``.
LIBRARY_API_ROUTERS = frozenset(
    {
        "fastapi_utils.inferring_router.InferringRouter",
        "fastapi_restful.inferring_router.InferringRouter",
        "cadwyn.VersionedAPIRouter",
        "cadwyn.routing.VersionedAPIRouter",
        "cadwyn.route_generation.VersionedAPIRouter",
    }
)
#: Route decorator methods that take HTTP requests, and the method each declares.
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})
#: classy-fastapi: a class deriving from ``Routable`` marks its methods as routes with the library's
#: plain decorators (``@get("/x")``, ``@route("/x", methods=[...])``); each instance builds a router
#: of its own (``Users(prefix="/users").router``), taking ``APIRouter``'s arguments.
ROUTABLE_CLASSES = frozenset({"classy_fastapi.Routable", "classy_fastapi.routable.Routable"})
ROUTABLE_MODULES = frozenset({"classy_fastapi", "classy_fastapi.decorators"})
#: The decorator of those modules with its methods as second argument (or ``methods=``).
ROUTABLE_ROUTE = "route"
#: The attribute of a ``Routable`` instance holding the router it serves its routes with.
ROUTABLE_ROUTER = "router"
#: fastapi-restful (and fastapi-utils): ``Api(app).add_resource(resource, *urls)`` serves the
#: methods of ``resource`` named after an HTTP method (``get``, ``post``, ...) at each url, bound
#: to that instance, on a router it includes into the app (or router) ``Api`` was given.
RESTFUL_API_CLASSES = frozenset(
    {
        "fastapi_restful.Api",
        "fastapi_restful.cbv_base.Api",
        "fastapi_utils.Api",
        "fastapi_utils.cbv_base.Api",
    }
)
ADD_RESOURCE = "add_resource"
#: fastapi-restful's class decorator: ``@cbv(router, *urls)`` serves the class's methods named
#: after an HTTP method at each url on ``router`` (``add_resource`` calls it).
RESTFUL_CBV = frozenset({"fastapi_restful.cbv", "fastapi_restful.cbv.cbv"})
#: fastapi-class: ``@View(router, path="/items")`` above a class serves its methods named
#: ``get``, ``post``, ``put``, ``patch`` or ``delete`` at ``path`` on ``router``, and each method
#: marked ``@endpoint(methods, path="/sub")`` at ``path + "/sub"`` with those methods.
CLASS_VIEWS = frozenset({"fastapi_class.View", "fastapi_class.views.View"})
CLASS_VIEW_ENDPOINTS = frozenset({"fastapi_class.endpoint", "fastapi_class.routers.endpoint"})
CLASS_VIEW_METHODS = ("get", "post", "patch", "delete", "put")
#: fastapi-router-controller: ``controller = Controller(router)`` registers routes on a copy of
#: ``router`` (``@controller.route.get("/x")`` on a class's methods, also ``.router``), which
#: ``Cls.router()`` hands out once ``@controller.resource()`` marks the class.
ROUTER_CONTROLLERS = frozenset(
    {"fastapi_router_controller.Controller", "fastapi_router_controller.lib.controller.Controller"}
)
ROUTER_CONTROLLER_ATTRIBUTES = ("route", "router")
#: Route decorator methods with their methods in a ``methods=`` argument (default GET).
API_ROUTE = "api_route"
#: The websocket route decorator; its routes are logged with this method.
WEBSOCKET = "websocket"
WEBSOCKET_METHOD = "WEBSOCKET"
#: The decorator methods a FastAPI app or router registers a route with (``@router.get(...)``).
ROUTE_DECORATORS = HTTP_METHODS | {API_ROUTE, WEBSOCKET}
#: Imperative registration: ``router.add_api_route(path, endpoint, methods=[...])``.
ADD_API_ROUTE = "add_api_route"
ADD_WEBSOCKET_ROUTE = "add_api_websocket_route"
#: Starlette's own registrations on a FastAPI app or router (``@router.route(path)``,
#: ``router.add_route(path, endpoint)``, and their websocket forms): plain routes, their
#: function called with the bare request (or websocket).
STARLETTE_ROUTES = frozenset({"route", "websocket_route"})
STARLETTE_ADD_ROUTES = frozenset({"add_route", "add_websocket_route"})
#: Every method of an app (or of its ``router``) that gives it a route or router: the route
#: decorators (also called, ``app.get("/x")(handler)``), the imperative registrations, and
#: ``include_router``, ``mount`` and Starlette's ``host``.
ROUTING_METHODS = (
    HTTP_METHODS
    | STARLETTE_ROUTES
    | STARLETTE_ADD_ROUTES
    | {API_ROUTE, WEBSOCKET, ADD_API_ROUTE, ADD_WEBSOCKET_ROUTE, "include_router", "mount", "host"}
)


def library_include(method: str) -> bool:
    """Whether a library's method named ``method`` reads as one including routers.

    Its words hold ``include`` and end in ``router``/``routers``, and it is no
    ``include_router`` of FastAPI's own: Cadwyn's
    ``app.generate_and_include_versioned_routers(router)`` includes the routers it is given.
    """
    words = method.lower().split("_")
    return method != "include_router" and "include" in words and words[-1] in {"router", "routers"}


#: The list of routes an app (or its ``router``) serves, and the list methods that add to it.
ROUTES_LIST = "routes"
LIST_ADDITIONS = frozenset({"append", "extend", "insert"})
#: A library class whose name ends like this is taken for a router (``InferringRouter``).
ROUTER_SUFFIX = "Router"
#: The attribute of an app holding its own router (``app.router.add_api_route(...)``).
APP_ROUTER = "router"
#: Qualified names of Starlette's mount route (``FastAPI(routes=[Mount("/admin", app=admin)])``).
MOUNT_CLASSES = frozenset({"starlette.routing.Mount", "fastapi.routing.Mount"})
#: FastAPI's route classes, listed in a constructor's routes (``FastAPI(routes=[APIRoute(...)])``),
#: as a module's text names them: not the ``APIRouter`` almost every route module names.
ROUTE_CLASS = re.compile(r"APIRoute(?!r)|APIWebSocketRoute")
#: fastapi-versioning: ``VersionedFastAPI(app, prefix_format="/v{major}")`` returns a new app that
#: serves the routes ``app`` has by then again, each under the prefix of its version.
VERSIONED_APP_FUNCTIONS = frozenset(
    {"fastapi_versioning.VersionedFastAPI", "fastapi_versioning.versioning.VersionedFastAPI"}
)
#: fastapi-versionizer: ``Versionizer(app=app, prefix_format="/v{major}").versionize()`` takes the
#: routes ``app`` has when it is made off its root and serves them again under the prefix of each
#: version, in place (its 3.x returned a versioned copy); what is added later stays at the root.
IN_PLACE_VERSIONER = "Versionizer"
IN_PLACE_VERSIONERS = frozenset(
    {
        f"fastapi_versionizer.{IN_PLACE_VERSIONER}",
        f"fastapi_versionizer.versionizer.{IN_PLACE_VERSIONER}",
    }
)
#: fastapi-mcp: ``FastApiMCP(app)`` makes the routes ``app`` has when it is made the tools of its
#: MCP server (for AI agents); the layer's own routes, included after it, stay out of them.
#: FastMCP's ``FastMCP.from_fastapi(app)`` does the same from the app's OpenAPI schema. Each with
#: the keyword the app may be passed by.
ROUTE_SNAPSHOTS: dict[str, str] = {
    "fastapi_mcp.FastApiMCP": "fastapi",
    "fastapi_mcp.server.FastApiMCP": "fastapi",
    "fastmcp.FastMCP.from_fastapi": "app",
    "fastmcp.server.FastMCP.from_fastapi": "app",
    "fastmcp.server.server.FastMCP.from_fastapi": "app",
}
#: Their decorators giving a handler's version: ``@version(2)``, ``@api_version(1, 1)``.
VERSION_DECORATORS = frozenset(
    {
        "fastapi_versioning.version",
        "fastapi_versioning.versioning.version",
        "fastapi_versionizer.api_version",
        "fastapi_versionizer.versionizer.api_version",
    }
)
#: fastapi-versioning's route class factory: ``APIRouter(route_class=versioned_api_route(1, 1))``
#: gives every route declared on that router the version, over the handler's ``@version``.
VERSIONED_ROUTE_CLASSES = frozenset(
    {
        "fastapi_versioning.versioned_api_route",
        "fastapi_versioning.routing.versioned_api_route",
    }
)
#: The method Python runs when an instance is called: a server's app, FastAPI's endpoint.
CALL_METHOD = "__call__"
#: The servers code starts an app with, by qualified name, each with the keyword of the
#: argument naming the app (its first positional one otherwise): uvicorn's run and Config
#: (``uvicorn.Server(config)`` runs what the Config names), hypercorn's serve (an app object),
#: granian's server classes (an import string ``target``; its embedded server an app object).
SERVER_CALLS: dict[str, str] = {
    "uvicorn.run": "app",
    "uvicorn.Config": "app",
    "uvicorn.main.run": "app",
    "uvicorn.config.Config": "app",
    "hypercorn.asyncio.serve": "app",
    "hypercorn.trio.serve": "app",
    "granian.Granian": "target",
    "granian.server.Granian": "target",
    "granian.server.Server": "target",
    "granian.server.MPServer": "target",
    "granian.server.MTServer": "target",
    "granian.server.embed.Server": "target",
}
#: The top-level packages of those servers: a module naming none of them starts none.
SERVER_PACKAGES = frozenset(name.partition(".")[0] for name in SERVER_CALLS)
#: The calls that load a module at run time: what they return is a module, no library object.
MODULE_LOADERS = frozenset(
    {"importlib.import_module", "__import__", "importlib.util.module_from_spec"}
)
#: pydantic's model base: its constructor takes each field by keyword.
BASE_MODELS = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel"})
#: The functions declaring a field with its default (``field(default=...)``, ``Field(...)``).
FIELD_FUNCTIONS = frozenset({"dataclasses.field", "pydantic.Field", "pydantic.fields.Field"})
#: What a library's ``from <module> import *`` binds, of the names the patcher reads: a library
#: is not read (only the project's modules are), so its star import binds the classes above
#: that its module exports (``from fastapi import *`` then ``app = FastAPI()``, or ``class
#: Board(APIRouter)``); any other name stays unknown, as before.
LIBRARY_STAR_EXPORTS = (
    APP_CLASSES | STARLETTE_CLASSES | ROUTER_CLASSES | LIBRARY_API_ROUTERS | MOUNT_CLASSES
)
