"""Starlette routes of a FastAPI app or router: ``@router.route(...)``, ``router.add_route(...)``.

FastAPI registers them as plain Starlette routes: the function is called with the bare
``Request`` and returns a Response, outside FastAPI's parameters (no path parameter, body or
dependency is passed to it). The tool does not log them; it names each on a line (a note, exit
0), as it names an endpoint it cannot follow, and init counts them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.backend_support import imported_app
from tests.cli_support import make_project, run, snapshot

PLAIN_PY = '''"""Plain routes beside typed ones."""

from fastapi import APIRouter, Request, WebSocket
from fastapi.responses import PlainTextResponse

router = APIRouter(prefix="/plain")


@router.get("/status")
async def status() -> dict[str, str]:
    return {}


@router.route("/robots.txt", methods=["GET"])
async def robots(request: Request) -> PlainTextResponse:
    return PlainTextResponse("User-agent: *")


async def health(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


router.add_route("/health", health)


async def feed(websocket: WebSocket) -> None:
    await websocket.close()


router.add_websocket_route("/feed", feed)
'''

ONLY_PLAIN_PY = '''"""Only plain routes."""

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

router = APIRouter()


@router.route("/ping")
def ping(request: Request) -> PlainTextResponse:
    return PlainTextResponse("pong")
'''

FAVICON = """

@app.route("/favicon.ico", include_in_schema=False)
def favicon(request: Request) -> Response:
    return Response(b"")
"""


def _plain(tmp_path: Path, plan: str) -> Path:
    root = make_project(tmp_path / "project", plan)
    (root / "backend/app/api/plain.py").write_text(PLAIN_PY)
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text().replace("import ai_blocks", "import ai_blocks, plain")
        + "app.include_router(plain.router)\n"
    )
    return root


def test_starlette_routes_are_named_not_logged_and_removal_is_byte_exact(
    tmp_path: Path,
) -> None:
    root = _plain(tmp_path, 'instrument = { "api/plain.py" = "ai_block_used" }')
    before = snapshot(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    plain = (root / "backend/app/api/plain.py").read_text()
    assert plain.count("event_logger.log(") == 1  # status, the FastAPI route
    assert '"route": "/plain/status",' in plain
    out = " ".join(result.stdout.split())
    assert "app/api/plain.py:14: `router.route` registers `robots` as a Starlette route" in out, out
    assert "app/api/plain.py:23: `router.add_route` registers `health` as a Starlette route" in (
        out
    )
    assert "app/api/plain.py:30: `router.add_websocket_route` registers `feed` as a Starlette" in (
        out
    )
    assert "it is not logged" in out
    check = run("generate", "--root", str(root), "--check")
    assert check.exit_code == 0, check.stdout + check.stderr
    again = run("generate", "--root", str(root))
    assert again.exit_code == 0, again.stdout + again.stderr
    assert (root / "backend/app/api/plain.py").read_text() == plain
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 0, removed.stdout + removed.stderr
    assert snapshot(root) == before


def test_an_app_starlette_route_given_by_keyword_is_named(tmp_path: Path) -> None:
    """`app.add_route("/socket.io/", route=sio_app)`: Starlette's app names the endpoint
    `route` (a router names it `endpoint`); passed by keyword it is named all the same."""
    root = make_project(tmp_path / "project", 'instrument = { "main.py" = "ai_block_used" }')
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text().replace("import FastAPI", "import FastAPI, Request, Response")
        + "\n\nasync def relay(request: Request) -> Response:\n    return Response(b'')\n\n\n"
        'app.add_route("/socket.io/", route=relay, methods=["GET", "POST"])\n'
        'app.add_websocket_route(path="/socket.io/", route=relay)\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    assert "`app.add_route` registers `relay` as a Starlette route" in out, out
    assert "`app.add_websocket_route` registers `relay` as a Starlette route" in out, out


def test_a_library_asgi_app_added_as_a_route_is_not_named(tmp_path: Path) -> None:
    """`app.add_route("/graphql", graphql_app)` of `graphql_app = GraphQL(schema)` (Ariadne's
    or Strawberry's ASGI app), or the call itself: no code of the package runs for its
    requests, nothing a user could log, so no note, as for one mounted; a function's stays."""
    root = make_project(tmp_path / "project", 'instrument = { "main.py" = "ai_block_used" }')
    main = root / "backend/app/main.py"
    main.write_text(
        "from ariadne.asgi import GraphQL\nimport strawberry.asgi\n\n"
        + main.read_text().replace("import FastAPI", "import FastAPI, Request, Response")
        + "\n\ngraphql_app = GraphQL(schema=None)\n"
        'app.add_route("/graphql", graphql_app, methods=["GET", "POST"])\n'
        'app.add_websocket_route("/graphql", graphql_app)\n'
        'app.add_route("/gql", strawberry.asgi.GraphQL(None))\n'
        "\n\nasync def relay(request: Request) -> Response:\n    return Response(b'')\n\n\n"
        'app.add_route("/relay", relay)\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    assert "`app.add_route` registers `relay` as a Starlette route" in out, out
    assert out.count("Starlette route") == 1, out


def test_a_marked_starlette_route_is_not_named(tmp_path: Path) -> None:
    root = _plain(tmp_path, 'instrument = { "api/plain.py" = "ai_block_used" }')
    plain = root / "backend/app/api/plain.py"
    plain.write_text(
        plain.read_text()
        .replace('methods=["GET"])\n', 'methods=["GET"])  # telemetry-scaffold: skip\n')
        .replace("health)\n", "health)  # telemetry-scaffold: skip\n")
        .replace("feed)\n", "feed)  # telemetry-scaffold: skip\n")
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Starlette route" not in result.stdout


def test_init_counts_starlette_routes_and_offers_a_module_holding_only_them(
    tmp_path: Path,
) -> None:
    root = _plain(tmp_path, "")
    (root / "backend/app/api/only_plain.py").write_text(ONLY_PLAIN_PY)
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text()
        .replace("import FastAPI", "import FastAPI, Request, Response")
        .replace("import ai_blocks, plain", "import ai_blocks, only_plain, plain")
        + "app.include_router(only_plain.router)\n"
        + FAVICON
    )
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert (
        '# "api/plain.py" = "ai_block_used"  # 1 route handler; 3 Starlette routes '
        "(generate names them: log them by hand)\n"
    ) in result.stdout, result.stdout
    assert (
        '# "api/only_plain.py" = "ai_block_used"  # 1 Starlette route '
        "(generate names it: log it by hand)\n"
    ) in result.stdout, result.stdout
    assert (
        '# "main.py" = "ai_block_used"  # 1 Starlette route (generate names it: log it by hand)\n'
    ) in result.stdout, result.stdout


ROUTES_LIST_PY = '''"""An app given its routes when it is built."""

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import PlainTextResponse
from fastapi.routing import APIRoute
from starlette.routing import Route, WebSocketRoute


async def homepage(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hi")


async def live(websocket: WebSocket) -> None:
    await websocket.close()


def post(post_id: int) -> dict[str, int]:
    return {"id": post_id}


app = FastAPI(
    routes=[
        Route("/", homepage),
        WebSocketRoute(path="/live", endpoint=live),
        Route("/feed", homepage),  # telemetry-scaffold: skip
        APIRoute("/posts/{post_id}", post),
    ]
)
'''


def test_starlette_routes_listed_in_an_app_constructor_are_named(tmp_path: Path) -> None:
    """`FastAPI(routes=[Route("/", homepage), WebSocketRoute(...)])`: Starlette routes, named as
    `add_route`'s are (they were passed over in silence); the `APIRoute` item is logged."""
    root = make_project(tmp_path / "project", 'instrument = { "main.py" = "ai_block_used" }')
    (root / "backend/app/main.py").write_text(ROUTES_LIST_PY)
    before = snapshot(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    assert "log call in post (GET /posts/{post_id})" in out, out
    assert "app/main.py:23: `Route` registers `homepage` as a Starlette route" in out, out
    assert "app/main.py:24: `WebSocketRoute` registers `live` as a Starlette route" in out, out
    assert out.count("as a Starlette route") == 2, out
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


NAMED_ROUTES_PY = '''"""Routes listed in a module-level name, passed to the app."""

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.routing import APIRoute
from starlette.routing import Route


def read_item(item_id: int) -> dict[str, int]:
    return {"item_id": item_id}


def add_item(name: str) -> dict[str, str]:
    return {"name": name}


async def homepage(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hi")


routes = [
    APIRoute("/items/{item_id}", read_item),
    APIRoute("/items/add", add_item, methods=["POST"]),
    Route("/", homepage),
]

app = FastAPI(routes=routes, on_startup=[])
'''


def test_routes_listed_in_a_name_the_app_constructor_gets_are_followed(tmp_path: Path) -> None:
    """`routes = [APIRoute(...), ...]` then `FastAPI(routes=routes)` (a shape of public apps):
    its routes are the app's, as if written in the call (none was found: nothing logged, no
    word). A name bound twice is not followed: which list the app gets is not known."""
    root = make_project(tmp_path / "project", 'instrument = { "main.py" = "ai_block_used" }')
    main = root / "backend/app/main.py"
    main.write_text(NAMED_ROUTES_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    assert "log call in read_item (GET /items/{item_id})" in out, out
    assert "log call in add_item (POST /items/add)" in out, out
    assert "`Route` registers `homepage` as a Starlette route" in out, out
    assert run("remove", "--root", str(root)).exit_code == 0
    assert "event_logger" not in main.read_text()
    rebound = NAMED_ROUTES_PY.replace("\n\napp = ", "\nif routes:\n    routes = []\n\napp = ")
    assert rebound != NAMED_ROUTES_PY
    main.write_text(rebound)
    out = " ".join(run("generate", "--root", str(root)).stdout.split())
    assert "log call in read_item" not in out, out
    assert "event_logger" not in main.read_text()


MOUNTED_ROUTES_PY = '''"""Routes an app lists inside a Starlette Mount."""

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Mount

API = "/api/"


def user(user_id: int) -> dict[str, int]:
    return {"id": user_id}


def health() -> dict[str, str]:
    return {"status": "ok"}


def report(year: int) -> dict[str, int]:
    return {"year": year}


app = FastAPI(
    routes=[
        APIRoute("/health", health),
        Mount(
            API,
            routes=[
                APIRoute("/users/{user_id}", user, methods=["GET"]),
                Mount("/v1", routes=[APIRoute("/reports/{year}", report)]),
            ],
        ),
    ]
)
'''


def test_routes_an_app_lists_inside_a_mount_are_logged_under_its_path(tmp_path: Path) -> None:
    """`FastAPI(routes=[Mount("/api", routes=[APIRoute("/users/{user_id}", user)])])`: the
    route answers under the mount's path (nested mounts too, a trailing "/" dropped as Mount
    drops it); before, the routes inside were passed over in silence."""
    root = make_project(tmp_path / "project", 'instrument = { "main.py" = "ai_block_used" }')
    (root / "backend/app/main.py").write_text(MOUNTED_ROUTES_PY)
    before = snapshot(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    assert "log call in health (GET /health)" in out, out
    assert "log call in user (GET /api/users/{user_id})" in out, out
    assert "log call in report (GET /api/v1/reports/{year})" in out, out
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/api/users/3").json() == {"id": 3}
        assert client.get("/api/v1/reports/2024").json() == {"year": 2024}
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


def test_routes_a_router_lists_inside_a_mount_are_not_given_its_path(tmp_path: Path) -> None:
    """`APIRouter(routes=[Mount(...)])` included in the app: `include_router` copies no Mount,
    so its routes are not served under the mount's path; nothing is logged for them."""
    root = make_project(tmp_path / "project", 'instrument = { "main.py" = "ai_block_used" }')
    source = (
        MOUNTED_ROUTES_PY.replace(
            "from fastapi import FastAPI", "from fastapi import APIRouter, FastAPI"
        ).replace("app = FastAPI(", "router = APIRouter(")
        + "\napp = FastAPI()\napp.include_router(router)\n"
    )
    (root / "backend/app/main.py").write_text(source)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    assert "log call in health (GET /health)" in out, out
    assert "/api/users" not in out and "log call in user " not in out, out


def test_a_mount_an_app_lists_at_a_path_known_only_at_run_time_is_said(tmp_path: Path) -> None:
    """`FastAPI(routes=[Mount(os.environ["API"], routes=[...])])`: the routes inside answer
    under a path the tool cannot read, so none is logged; one line says so (the mount nested in
    it is not said again). Before, they were passed over in silence."""
    root = make_project(tmp_path / "project", 'instrument = { "main.py" = "ai_block_used" }')
    source = MOUNTED_ROUTES_PY.replace('API = "/api/"', 'API = os.environ["API"]')
    (root / "backend/app/main.py").write_text("import os\n" + source)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    line = 1 + ("import os\n" + source).splitlines().index("        Mount(")
    said = (
        f"app/main.py:{line}: mount path `API` is only known at run time: the routes listed in "
        "it are not logged"
    )
    assert said in out, out
    assert out.count("only known at run time") == 1, out
    assert "log call in health (GET /health)" in out, out
    assert "log call in user " not in out and "log call in report " not in out, out


@pytest.mark.parametrize(
    ("settings", "where"),
    [
        (
            "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
            '    API: str = "/api"\n\n\nsettings = Settings()\n',
            "app/config.py:5",
        ),
        (
            "from pydantic import Field\nfrom pydantic_settings import BaseSettings\n\n\n"
            "class Settings(BaseSettings):\n"
            '    API: str = Field("/api", description="where the API answers")\n\n\n'
            "settings = Settings()\n",
            "app/config.py:6",
        ),
        ('import os\n\nAPI = os.environ.get("API", "/api")\n', "app/config.py:3"),
    ],
    ids=["class-default", "field-default", "environment-default"],
)
def test_a_mount_an_app_lists_at_a_settings_default_logs_its_routes_under_it(
    tmp_path: Path, settings: str, where: str
) -> None:
    """`Mount(settings.API, routes=[...])` with `API: str = "/api"` in a settings class (or
    `Field("/api")`, or `os.environ.get("API", "/api")`): read as the default and said so, as
    `include_router(prefix=settings.API)` and `app.mount(settings.API, api)` are. Before, the
    routes inside were said to answer under a path only known at run time and not logged."""
    root = make_project(tmp_path / "project", 'instrument = { "main.py" = "ai_block_used" }')
    read = "settings.API" if "settings" in settings else "API"
    imported = "settings" if "settings" in settings else "API"
    source = MOUNTED_ROUTES_PY.replace(
        'API = "/api/"', f"from app.config import {imported}"
    ).replace("        Mount(\n            API,", f"        Mount(\n            {read},")
    (root / "backend/app/main.py").write_text(source)
    (root / "backend/app/config.py").write_text(settings)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    assert "only known at run time" not in out, out
    line = 1 + source.splitlines().index("        Mount(")
    # An environment variable's default is said as the read that gives it, where it is.
    written = read if "settings" in settings else "os.environ.get('API', '/api')"
    said = (
        f"app/main.py:{line}: mount path `{written}` read as '/api', its default in "
        f"backend/{where} (an environment variable API set at run time would change the prefix)"
    )
    assert said in out, out
    assert out.count("read as '/api'") == 1, out
    assert "log call in user (GET /api/users/{user_id})" in out, out
    assert "log call in report (GET /api/v1/reports/{year})" in out, out
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/users/3").json() == {"id": 3}
    assert run("generate", "--root", str(root), "--check").exit_code == 0


CATCH_ALL_HEAD = '''"""An app with a Starlette catch-all: a proxy route, or static files."""

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.staticfiles import StaticFiles

from app.api import ai_blocks


async def proxy(request: Request) -> PlainTextResponse:
    return PlainTextResponse("proxied")


def add_static(app: FastAPI) -> None:
    app.mount("/", StaticFiles(directory="static", check_dir=False), name="static")


'''

#: Starlette catch-alls, by where they are added: served (the telemetry endpoints answer), or
#: the line that says which one takes them (None: served).
STARLETTE_CATCH_ALLS: dict[str, tuple[str, str | None]] = {
    "add-route-before-the-includes": (
        'app = FastAPI()\napp.add_route("/{p:path}", proxy, methods=["GET", "POST"])\n'
        "app.include_router(ai_blocks.router)\n",
        None,
    ),
    "add-route-after-the-includes": (
        "app = FastAPI()\napp.include_router(ai_blocks.router)\n"
        'app.add_route("/{p:path}", proxy, methods=["GET", "POST"])\n',
        None,
    ),
    "mount-at-the-root-after-the-includes": (
        "app = FastAPI()\napp.include_router(ai_blocks.router)\n"
        'app.mount("/", StaticFiles(directory="static", check_dir=False))\n',
        None,
    ),
    "helper-mounting-after-the-includes": (
        "app = FastAPI()\napp.include_router(ai_blocks.router)\nadd_static(app)\n",
        None,
    ),
    "route-in-the-constructor": (
        'app = FastAPI(routes=[Route("/{path:path}", proxy, methods=["GET", "POST"])])\n'
        "app.include_router(ai_blocks.router)\n",
        "backend/app/main.py:20: route proxy (GET/POST/HEAD /{path:path}) answers POST "
        "/api/telemetry/log before the telemetry router can; change api-prefix in "
        "pyproject.toml, or the route",
    ),
    "helper-mounting-before-the-includes": (
        "app = FastAPI()\nadd_static(app)\napp.include_router(ai_blocks.router)\n",
        "backend/app/main.py:17: `add_static` mounts '/' on the app it is given, and "
        "backend/app/main.py calls it before the telemetry router is included: the mount "
        "answers /api/telemetry/log first; call it after the app's last include_router, or "
        "change api-prefix in pyproject.toml",
    ),
}


@pytest.mark.parametrize("way", sorted(STARLETTE_CATCH_ALLS))
def test_a_starlette_catch_all_leaves_the_telemetry_endpoints_served_or_is_said(
    tmp_path: Path, way: str
) -> None:
    """A catch-all Starlette route or mount: `app.add_route("/{p:path}", ...)` before or after
    the includes (the wiring goes before it), `app.mount("/", StaticFiles(...))` after them,
    directly or by a helper given the app: `POST /api/telemetry/log` and `GET
    /api/telemetry/health` are served. One added before anything the tool can place, a
    `Route("/{path:path}")` listed in `FastAPI(routes=[...])` or a helper's mount called
    before the includes, is said on its line and fails the run. Before, both were passed over
    (a module listing only Starlette routes was not read for routes, and a helper's mount was
    not followed): generate succeeded and the endpoints answered `proxied` or 404."""
    body, said = STARLETTE_CATCH_ALLS[way]
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    (root / "backend/app/main.py").write_text(CATCH_ALL_HEAD + body)
    result = run("generate", "--root", str(root))
    out = " ".join(result.stdout.split())
    if said is not None:
        assert result.exit_code == 1, out
        assert said in out, out
        return
    assert result.exit_code == 0, out
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/api/telemetry/health").json()["status"] == "ok"
        logged = client.post(
            "/api/telemetry/log", json={"event_type": "ai_block_used", "properties": {}}
        )
        assert logged.headers["content-type"].startswith("application/json"), logged.text
        assert logged.status_code in (200, 202, 422), logged.text


#: A helper mounting '/' in another module, called from main.py before the includes by these
#: calls: whether the mount is said (the call runs that helper) or the app is served (the call
#: runs a namesake mounting elsewhere).
HELPER_CALLS: dict[str, tuple[str, bool]] = {
    "namesake-in-a-module-nothing-imports": ("from app import spa\nspa.setup(app)\n", False),
    "the-helper-through-its-module": ("from app import other\nother.setup(app)\n", True),
    "the-helper-under-another-name": (
        "from app.other import setup as configure\nconfigure(app)\n",
        True,
    ),
    "a-local-namesake": (
        "def setup(app: FastAPI) -> None:\n    app.mount('/assets', StaticFiles("
        "directory='static', check_dir=False))\n\n\nsetup(app)\n",
        False,
    ),
}


@pytest.mark.parametrize("way", sorted(HELPER_CALLS))
def test_a_helper_s_mount_counts_only_where_its_own_function_is_called(
    tmp_path: Path, way: str
) -> None:
    """`other.py: def setup(app): app.mount("/", StaticFiles(...))` and `spa.py: def setup(app):
    app.mount("/assets", ...)`: main.py calling `spa.setup(app)` before the includes runs spa's
    helper, and the app is served. Before, the call was matched by the bare name `setup`, and
    other.py's root mount (in a module nothing imports) failed the run. The helper called
    through its module or under an imported alias is still said."""
    body, said = HELPER_CALLS[way]
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    helper = (
        "from fastapi import FastAPI\nfrom starlette.staticfiles import StaticFiles\n\n\n"
        "def setup(app: FastAPI) -> None:\n"
        '    app.mount({path!r}, StaticFiles(directory="static", check_dir=False))\n'
    )
    (root / "backend/app/other.py").write_text(helper.format(path="/"))
    (root / "backend/app/spa.py").write_text(helper.format(path="/assets"))
    main = CATCH_ALL_HEAD + "app = FastAPI()\n" + body + "app.include_router(ai_blocks.router)\n"
    (root / "backend/app/main.py").write_text(main)
    result = run("generate", "--root", str(root))
    out = " ".join(result.stdout.split())
    if said:
        assert result.exit_code == 1, out
        assert "`setup` mounts '/' on the app it is given" in out, out
        return
    assert result.exit_code == 0, out
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/api/telemetry/health").json()["status"] == "ok"


#: A helper mounting '/' on what it is given, called before the includes: (main.py's body
#: after the head, whether the mount is said). Said only when it is given the app itself and
#: mounts unconditionally; otherwise the app is served.
HELPER_GIVEN: dict[str, tuple[str, bool]] = {
    "the-app": ("app = FastAPI()\nadd_static(app)\n", True),
    "the-app-by-keyword": ("app = FastAPI()\nadd_static(target=app)\n", True),
    "a-sub-app": ("app = FastAPI()\nsub = FastAPI()\nadd_static(sub)\n", False),
    "a-router": (
        "from fastapi import APIRouter\n\napp = FastAPI()\nextra = APIRouter()\n"
        "add_static(extra)\n",
        False,
    ),
    "the-app-under-a-branch": ("app = FastAPI()\nadd_static(app, spa=False)\n", False),
    # In a hook the block defines before the wiring: it runs at start-up, after the includes.
    "the-app-in-a-hook-defined-before": (
        "app = FastAPI()\n\n\ndef boot() -> None:\n    add_static(app)\n\n\n"
        'app.router.add_event_handler("startup", boot)\n',
        False,
    ),
    "the-app-in-a-hook-a-second-helper-defines": (
        "def configure(main: FastAPI) -> None:\n"
        "    def boot() -> None:\n        add_static(main)\n\n"
        '    main.router.add_event_handler("startup", boot)\n\n\n'
        "app = FastAPI()\nconfigure(app)\n",
        False,
    ),
    # Under `if spa:`, read with what each call passes for it, or its default.
    "the-app-under-a-branch-by-default": ("app = FastAPI()\nadd_static(app)\n", True),
    "the-app-under-a-branch-passed-true": ("app = FastAPI()\nadd_static(app, True)\n", True),
    "the-app-under-a-branch-passed-a-bound-name": (
        "SPA_ON = True\napp = FastAPI()\nadd_static(app, spa=SPA_ON)\n",
        True,
    ),
    # A value known only at run time: not taken as mounting.
    "the-app-under-a-branch-passed-at-run-time": (
        'import os\n\napp = FastAPI()\nadd_static(app, spa=bool(os.environ.get("SPA")))\n',
        False,
    ),
    # After an early return on a parameter: each call decides, as under `if spa:`.
    "the-app-after-an-early-return": ("app = FastAPI()\nadd_static(app, spa=False)\n", False),
    "the-app-after-an-early-return-by-default": ("app = FastAPI()\nadd_static(app)\n", True),
    "the-app-after-an-early-return-passed-true": (
        "app = FastAPI()\nadd_static(app, spa=True)\n",
        True,
    ),
    "the-app-after-an-early-return-passed-at-run-time": (
        'import os\n\napp = FastAPI()\nadd_static(app, spa=bool(os.environ.get("SPA")))\n',
        False,
    ),
    # On a constant the tool reads: the branch it says runs, early return or around the mount.
    "the-app-after-an-early-return-on-a-true-constant": (
        "SERVE_SPA = True\napp = FastAPI()\nadd_static(app)\n",
        True,
    ),
    "the-app-after-an-early-return-on-a-false-constant": (
        "SERVE_SPA = False\napp = FastAPI()\nadd_static(app)\n",
        False,
    ),
    "the-app-under-a-true-constant": ("SERVE_SPA = True\napp = FastAPI()\nadd_static(app)\n", True),
    "the-app-under-a-false-constant": (
        "SERVE_SPA = False\napp = FastAPI()\nadd_static(app)\n",
        False,
    ),
    # Under an `if` that reads no parameter: said as the same `if` at the top level is.
    "the-app-under-a-check-of-the-folder": ("app = FastAPI()\nadd_static(app)\n", True),
    # Two helpers deep: `configure` hands `add_static` its own parameter that holds the app, or
    # the one that holds the sub-app (any parameter of `configure` counted as the app).
    "the-app-through-a-second-helper": (
        "def configure(main: FastAPI, ui: FastAPI) -> None:\n    add_static(main)\n\n\n"
        "app = FastAPI()\nsub = FastAPI()\nconfigure(app, sub)\n",
        True,
    ),
    "a-sub-app-through-a-second-helper": (
        "def configure(main: FastAPI, ui: FastAPI) -> None:\n    add_static(ui)\n\n\n"
        "app = FastAPI()\nsub = FastAPI()\nconfigure(app, sub)\n",
        False,
    ),
    "a-sub-app-by-keyword-through-a-second-helper": (
        "def configure(main: FastAPI, *, ui: FastAPI) -> None:\n"
        "    add_static(target=ui)\n\n\n"
        "app = FastAPI()\nsub = FastAPI()\nconfigure(app, ui=sub)\n",
        False,
    ),
}


@pytest.mark.parametrize("way", sorted(HELPER_GIVEN))
def test_a_helper_s_mount_is_said_only_when_it_is_given_the_app_and_always_mounts(
    tmp_path: Path, way: str
) -> None:
    """`def add_static(target, spa=True): app.mount("/", ...)` called before the includes with
    a sub-app or an `APIRouter()`: the app is served, as before the helper rule. Before, any
    call of the helper failed the run, whatever it was given. A mount under an `if` reading no
    parameter (`if os.path.isdir(...)`) is said, as at the top level (it passed, and the
    endpoints answered 404). A mount under `if spa:`, or after `if not spa: return` (the same
    branch), is read with what the call passes for `spa` or its default: said when that takes
    the branch (`add_static(app)` passed, and the endpoints answered 404), not when it does
    not, nor when the value is known only at run time. An `if` on a constant the tool reads,
    early return or around the mount, runs as the constant says (`SERVE_SPA = False` failed
    the run)."""
    body, said = HELPER_GIVEN[way]
    root = make_project(
        tmp_path / "project", 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'
    )
    mount = '    app.mount("/", StaticFiles(directory="static", check_dir=False))\n'
    if "branch" in way:
        mount = "    if spa:\n    " + mount
    elif "early-return" in way:
        flag = "SERVE_SPA" if "constant" in way else "spa"
        mount = f"    if not {flag}:\n        return\n" + mount
    elif "constant" in way:
        mount = "    if SERVE_SPA:\n    " + mount
    elif "folder" in way:
        mount = '    if __import__("os").path.isdir("static"):\n    ' + mount
    helper = (
        "def add_static(target: FastAPI, spa: bool = True) -> None:\n"
        + mount.replace("app.mount", "target.mount")
        + "\n\n"
    )
    head = CATCH_ALL_HEAD.split("def add_static")[0]
    main = head + helper + body + "app.include_router(ai_blocks.router)\n"
    if "sub = " in body:
        main += 'app.mount("/ui", sub)\n'  # one app served: the sub-app under it
    (root / "backend/app/main.py").write_text(main)
    result = run("generate", "--root", str(root))
    out = " ".join(result.stdout.split())
    if said:
        assert result.exit_code == 1, out
        assert "`add_static` mounts '/' on the app it is given" in out, out
        return
    assert result.exit_code == 0, out
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/api/telemetry/health").json()["status"] == "ok"
