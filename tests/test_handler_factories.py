"""Handlers a factory makes: `def make_x(...): async def x(...): ...; return x`, then
`router.add_api_route(path, make_x(...))`, often in a loop over models or pages.

The log call goes into the inner function once, whatever the number of registrations. When the
factory is passed the path (or what the path is built from), the call logs the route each
request took, as the factory reads it; otherwise it names every route, and a line says why. The
shapes are those of public backends: pages served from a table, jobs registered in an app
factory's loop, and handlers a studio app builds for the routes it is given.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.backend_support import imported_app
from tests.cli_support import make_project, run, snapshot

PAGES_PY = '''"""Pages served from a table."""

from fastapi import APIRouter

router = APIRouter()

PAGES = {"/about": ("about.html", "any"), "/help/{topic}": ("help.html", "patient")}


def make_page(path: str, filename: str, audience: str):
    async def page(topic: str = "") -> dict[str, str]:
        return {"path": path, "file": filename, "topic": topic}

    return page


for path, (filename, audience) in PAGES.items():
    router.add_api_route(path, make_page(path, filename, audience), methods=["GET"])
'''

JOBS_PY = '''"""Jobs registered by the app factory, one handler per kind."""

from fastapi import FastAPI

CAPTURE = {"/capture/page": "page", "/capture/shot": "shot"}


def create_app() -> FastAPI:
    api = FastAPI()
    for path, job_type in CAPTURE.items():

        def make(jt: str):
            async def handler(target: str) -> dict[str, str]:
                return {"job": jt, "target": target}

            return handler

        api.add_api_route(path, make(job_type), methods=["POST"])
    return api


app = create_app()
'''

STUDIO_PY = '''"""A studio app built around the simulations it is given."""

from typing import Any, Callable

from fastapi import Body, FastAPI


def studio_app(service: str, routes: list[tuple[str, Callable[..., Any]]]) -> FastAPI:
    app = FastAPI()
    for path, handler in routes:

        def make_endpoint(route: str, call: Callable[..., Any]):
            def endpoint(body: dict | None = Body(default=None)):
                return call(route, body)

            return endpoint

        app.add_api_route(path, make_endpoint(path, handler), methods=["POST"])
        app.add_api_route(path + "/raw", make_raw(handler), methods=["POST"])
    return app


def make_raw(call: Callable[..., Any]):
    def raw(body: dict | None = Body(default=None)):
        return call("raw", body)

    return raw


app = studio_app("coil", [("/simulate", lambda route, body: {"route": route})])
'''

CRUD_PY = '''"""A route factory class adding CRUD routes for each model it is given."""

from fastapi import FastAPI


class RouteFactory:
    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def _create_get_endpoint(self, model: type):
        async def _get(id: str) -> dict[str, str]:
            return {"model": model.__name__, "id": id}

        return _get

    def _create_list_endpoint(self, model: type, path: str):
        async def _list() -> dict[str, str]:
            return {"model": model.__name__}

        return _list

    def add_routes(self, model: type) -> None:
        name = model.__name__.lower()
        self.app.get(f"/{name}/{{id}}")(self._create_get_endpoint(model))
        self.app.add_api_route(
            f"/{name}", self._create_list_endpoint(model, f"/{name}"), methods=["GET"]
        )


class Potato:
    pass


class Carrot:
    pass


app = FastAPI()
factory = RouteFactory(app)
factory.add_routes(Potato)
factory.add_routes(Carrot)
'''

SHAPES = {
    # module: (source, main.py, the lines generate says, the requests and the route each logs)
    "pages": (
        PAGES_PY,
        "from fastapi import FastAPI\n\nfrom app.api import pages\n\napp = FastAPI()\n"
        'app.include_router(pages.router, prefix="/site")\n',
        ["log call in page (GET /site/about; GET /site/help/{topic})"],
        [("get", "/site/about", "/site/about"), ("get", "/site/help/x", "/site/help/{topic}")],
    ),
    "crud": (
        CRUD_PY,
        None,
        [
            "log call in _list (GET path)",
            "backend/app/api/crud.py:24: `self.app.get` registers `self._create_get_endpoint("
            "model)`, made by `_create_get_endpoint` for paths only known at run time, which it "
            "is not passed: it is not logged",
        ],
        [("get", "/potato", "/potato"), ("get", "/carrot", "/carrot"), ("get", "/potato/1", None)],
    ),
    "jobs": (
        JOBS_PY,
        None,
        [
            "log call in handler (POST /capture/page; POST /capture/shot)",
            "backend/app/api/jobs.py:18: `handler`, made by `make` for each of its 2 routes, is "
            "not passed its path: each request logs them all",
        ],
        [("post", "/capture/page?target=a", ["/capture/page", "/capture/shot"])],
    ),
    "studio": (
        STUDIO_PY,
        None,
        [
            "log call in endpoint (POST route)",
            "backend/app/api/studio.py:19: `app.add_api_route` registers `make_raw(handler)`, "
            "made by `make_raw` for paths only known at run time, which it is not passed: it is "
            "not logged",
        ],
        [("post", "/simulate", "/simulate"), ("post", "/simulate/raw", None)],
    ),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_handler_a_factory_makes_is_logged_once_with_the_route_each_request_took(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    """One log call in the inner function, however many routes it serves: the route each
    request took when the factory is passed the path (`make_page(path, ...)`, read there as
    `"/site" + path`, or `route` in a factory of an app factory whose routes are only known at
    run time, or `path` in a factory method given `f"/{name}"`); every route, said on a line,
    when it is not (`make(job_type)`); a line naming the factory when the paths are only known
    at run time and not passed. Before, the pages
    logged both routes on every request and the studio's handlers were not logged. A second
    `generate` changes nothing, and `remove` restores every file."""
    source, main, said, requests = SHAPES[shape]
    root = make_project(
        tmp_path / "project", f'instrument = {{ "api/{shape}.py" = "ai_block_used" }}'
    )
    (root / f"backend/app/api/{shape}.py").write_text(source)
    (root / "backend/app/main.py").write_text(
        main or f"from app.api.{shape} import app\n\n__all__ = ['app']\n"
    )
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    lines = " ".join(generated.stdout.split())
    for line in said:
        assert line in lines, lines
    patched = (root / f"backend/app/api/{shape}.py").read_text()
    assert patched.count("event_logger.log(") == 1, patched
    again = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert snapshot(root) == again
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    with imported_app(root / "backend") as served:
        logger = sys.modules["app.analytics.event_logger"].event_logger
        logged: list[object] = []
        monkeypatch.setattr(logger, "log", lambda _type, payload: logged.append(payload))
        client = TestClient(served.app)
        for method, url, route in requests:
            answer = client.request(method, url)
            assert answer.status_code == 200, answer.text
            assert [event["route"] for event in logged] == ([] if route is None else [route])
            logged.clear()
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned
