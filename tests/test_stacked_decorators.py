"""Route handlers under decorators that wrap them: slowapi's `@limiter.limit("5/minute")`,
fastapi-cache's `@cache(expire=60)`, fastapi-versioning's `@version(2)`, Starlette's
`@requires("authenticated")`, stacked between the route decorator and the `def`.

The log call goes into the handler's own body (the wrapper is the library's), the route is read
through the decorators, and a cached handler is said to log only the requests that run it:
fastapi-cache answers a hit from its backend without calling the handler. The libraries are
stand-ins written as the real ones behave (each wraps with `functools.wraps`, the signature
FastAPI reads is the handler's), installed outside the project as libraries are.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.backend_support import imported_app
from tests.cli_support import make_project, run, snapshot, write_files

#: fastapi-cache2's decorator: a hit returns what the backend holds, the handler not called.
FASTAPI_CACHE = """import functools
import inspect

_BACKEND: dict[object, object] = {}


def cache(expire: int | None = None, namespace: str = ""):
    def wrapper(func):
        @functools.wraps(func)
        async def inner(*args, **kwargs):
            key = (namespace, func.__module__, func.__qualname__, tuple(sorted(kwargs.items())))
            if key in _BACKEND:
                return _BACKEND[key]
            if inspect.iscoroutinefunction(func):
                result = await func(*args, **kwargs)
            else:
                result = func(*args, **kwargs)
            _BACKEND[key] = result
            return result

        return inner

    return wrapper
"""

#: slowapi's limiter: a request over the limit is refused (429) before the handler runs.
SLOWAPI = """import functools
import inspect

from fastapi import HTTPException


class Limiter:
    def __init__(self, key_func):
        self.key_func = key_func
        self.hits: dict[object, int] = {}

    def limit(self, rate: str):
        allowed = int(rate.split("/")[0])

        def decorator(func):
            @functools.wraps(func)
            async def wrapper(*args, **kwargs):
                key = (func.__qualname__, self.key_func(kwargs["request"]))
                self.hits[key] = self.hits.get(key, 0) + 1
                if self.hits[key] > allowed:
                    raise HTTPException(429, "Rate limit exceeded")
                if inspect.iscoroutinefunction(func):
                    return await func(*args, **kwargs)
                return func(*args, **kwargs)

            return wrapper

        return decorator
"""

SLOWAPI_UTIL = """def get_remote_address(request) -> str:
    return request.client.host if request.client else "127.0.0.1"
"""

#: fastapi-versioning's decorator marks the function for `VersionedFastAPI` (whose prefixes the
#: versioning tests follow) and returns it as it is.
FASTAPI_VERSIONING = """def version(major: int, minor: int = 0):
    def decorator(func):
        func._api_version = (major, minor)
        return func

    return decorator
"""

ITEMS_PY = '''from fastapi import APIRouter, Request
from fastapi_cache.decorator import cache
from fastapi_versioning import version
from slowapi import Limiter
from slowapi.util import get_remote_address
from starlette.authentication import requires

router = APIRouter(prefix="/items")
limiter = Limiter(key_func=get_remote_address)


@router.get("/limited")
@limiter.limit("1/minute")
async def limited(request: Request) -> dict[str, str]:
    return {"ok": "limited"}


@router.get("/cached/{item_id}")
@cache(expire=60)
async def cached(item_id: int) -> dict[str, int]:
    return {"id": item_id}


@router.get("/private")
@requires("authenticated")
async def private(request: Request) -> dict[str, str]:
    return {"ok": request.user.display_name}


@router.get("/versioned")
@version(2)
def versioned() -> dict[str, int]:
    return {"version": 2}


@cache(expire=60)
@router.get("/fresh")
def fresh() -> dict[str, str]:
    """Cached above the route: FastAPI serves the function itself."""
    return {"ok": "fresh"}
'''

MAIN_PY = """from fastapi import FastAPI
from starlette.authentication import AuthCredentials, AuthenticationBackend, SimpleUser
from starlette.middleware.authentication import AuthenticationMiddleware

from app.api import items


class HeaderAuth(AuthenticationBackend):
    async def authenticate(self, conn):
        if "x-user" not in conn.headers:
            return None
        return AuthCredentials(["authenticated"]), SimpleUser(conn.headers["x-user"])


app = FastAPI()
app.include_router(items.router, prefix="/api")
app.add_middleware(AuthenticationMiddleware, backend=HeaderAuth())
"""

LIBRARIES = ("fastapi_cache", "fastapi_versioning", "slowapi")


def test_wrapped_handlers_log_in_their_own_body_and_a_cached_hit_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each handler gets its log call as the first statement of its own body, with the route
    read through the decorators; the cached one is said to log no cached hit (it was not said),
    and one cached above its route decorator (never wrapping what is served) is not. Served:
    a request the limiter or `requires` refuses, or a cache hit, runs no handler and logs
    nothing; every other logs its route."""
    site = tmp_path / "site"
    write_files(
        site,
        {
            "fastapi_cache/__init__.py": "",
            "fastapi_cache/decorator.py": FASTAPI_CACHE,
            "slowapi/__init__.py": SLOWAPI,
            "slowapi/util.py": SLOWAPI_UTIL,
            "fastapi_versioning/__init__.py": FASTAPI_VERSIONING,
        },
    )
    monkeypatch.syspath_prepend(str(site))
    root = make_project(tmp_path / "project", 'instrument = { "api/items.py" = "ai_block_used" }')
    (root / "backend/app/api/items.py").write_text(ITEMS_PY)
    (root / "backend/app/main.py").write_text(MAIN_PY)
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    said = " ".join(generated.stdout.split())
    assert (
        "backend/app/api/items.py:19: route cached (GET /api/items/cached/{item_id}): "
        "`@cache(expire=60)` answers a repeated request from its cache without running the "
        "handler: only the requests the handler runs for are logged"
    ) in said, said
    assert said.count("from its cache") == 1, said
    patched = ast.parse((root / "backend/app/api/items.py").read_text())
    routes = {}
    for function in patched.body:
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            first = function.body[0 if function.name != "fresh" else 1]
            assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Call)
            assert ast.unparse(first.value.func) == "event_logger.log", function.name
            payload = first.value.args[1]
            assert isinstance(payload, ast.Dict)
            routes[function.name] = ast.literal_eval(payload.values[0])
    assert routes == {
        "limited": "/api/items/limited",
        "cached": "/api/items/cached/{item_id}",
        "private": "/api/items/private",
        "versioned": "/api/items/versioned",
        "fresh": "/api/items/fresh",
    }
    try:
        with imported_app(root / "backend") as served:
            logger = sys.modules["app.analytics.event_logger"].event_logger
            logged: list[str] = []
            monkeypatch.setattr(
                logger, "log", lambda _type, payload: logged.append(payload["route"])
            )
            client = TestClient(served.app)
            for url, headers, status, route in (
                ("/api/items/limited", {}, 200, "/api/items/limited"),
                ("/api/items/limited", {}, 429, None),  # refused before the handler
                ("/api/items/cached/1", {}, 200, "/api/items/cached/{item_id}"),
                ("/api/items/cached/1", {}, 200, None),  # a hit: the handler not run
                ("/api/items/private", {}, 403, None),
                ("/api/items/private", {"x-user": "ada"}, 200, "/api/items/private"),
                ("/api/items/versioned", {}, 200, "/api/items/versioned"),
                ("/api/items/fresh", {}, 200, "/api/items/fresh"),
                ("/api/items/fresh", {}, 200, "/api/items/fresh"),
            ):
                answer = client.get(url, headers=headers)
                assert answer.status_code == status, (url, answer.text)
                assert logged == ([] if route is None else [route]), url
                logged.clear()
    finally:
        for name in [name for name in sys.modules if name.partition(".")[0] in LIBRARIES]:
            del sys.modules[name]
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned
