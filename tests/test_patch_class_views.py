"""fastapi-class class-based views, and fastapi-router-controller's controllers.

``@View(router, path="/orders/{order_id}")`` above a class serves its methods named ``get``,
``post``, ``put``, ``patch`` or ``delete`` at that path on the router, and each method marked
``@endpoint(methods, path="/sub")`` at the path followed by its own, with those methods. The
library need not be installed: the code is read as written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import make_project, run, write_files

ORDERS_PY = '''"""Orders."""

from fastapi import APIRouter
from fastapi_class import View, endpoint

router = APIRouter(prefix="/orders")


@View(router, path="/{order_id}")
class OrderView:
    async def get(self, order_id: int) -> dict[str, int]:
        return {"id": order_id}

    async def delete(self, order_id: int) -> None:
        return None

    @endpoint(("PUT", "PATCH"), path="/status")
    async def set_status(self, order_id: int, status: str) -> dict[str, str]:
        return {"status": status}

    @endpoint()
    async def post(self, order_id: int) -> dict[str, int]:
        return {"copied": order_id}

    def helper(self) -> None:
        return None
'''

MAIN_PY = """from fastapi import FastAPI

from app.api import orders

app = FastAPI()
app.include_router(orders.router, prefix="/api")
"""

PLAN = 'instrument = { "api/orders.py" = "ai_block_used" }'


def _project(tmp_path: Path, orders: str = ORDERS_PY, main: str = MAIN_PY) -> Path:
    root = make_project(tmp_path / "project", PLAN)
    (root / "backend/app/api/orders.py").write_text(orders)
    (root / "backend/app/main.py").write_text(main)
    return root


def test_view_methods_are_handlers_at_the_view_path_under_the_prefixes(tmp_path: Path) -> None:
    """The HTTP-method-named methods and the `@endpoint` ones get a log call; `helper` none."""
    root = _project(tmp_path)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = (root / "backend/app/api/orders.py").read_text()
    assert text.count("event_logger.log(") == 4, text
    assert '"handler": "OrderView.get"' in text
    assert '"self"' not in text
    assert '"order_id": order_id' in text
    assert "helper(self) -> None:\n        return None" in text
    for line in (
        "log call in OrderView.get (GET /api/orders/{order_id})",
        "log call in OrderView.delete (DELETE /api/orders/{order_id})",
        "log call in OrderView.set_status (PUT,PATCH /api/orders/{order_id}/status)",
        "log call in OrderView.post (POST /api/orders/{order_id})",
    ):
        assert line in result.stdout, result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/orders.py").read_text() == ORDERS_PY


@pytest.mark.parametrize(
    ("imports", "view"),
    [
        ("from fastapi_class import View", "View"),
        ("from fastapi_class.views import View as ClassView", "ClassView"),
        ("import fastapi_class", "fastapi_class.View"),
    ],
)
def test_a_view_on_the_app_at_the_default_path(tmp_path: Path, imports: str, view: str) -> None:
    """`@View(router=app)` serves at `/`, on the app itself."""
    main = (
        f"from fastapi import FastAPI\n{imports}\n\napp = FastAPI()\n\n\n"
        f"@{view}(router=app)\nclass Home:\n    def get(self) -> str:\n        return 'home'\n"
    )
    root = make_project(tmp_path / "project", 'instrument = { "main.py" = "ai_block_used" }')
    (root / "backend/app/main.py").write_text(main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "log call in Home.get (GET /)" in result.stdout, result.stdout


def test_a_class_decorated_by_another_view_decorator_serves_nothing(tmp_path: Path) -> None:
    """A `View` of the project's own is no fastapi-class view: its methods are no handlers."""
    orders = ORDERS_PY.replace(
        "from fastapi_class import View, endpoint\n",
        "from fastapi_class import endpoint\n\nfrom app.views import View\n",
    )
    root = _project(tmp_path, orders)
    (root / "backend/app/views.py").write_text("def View(router, path='/'):\n    return id\n")
    result = run("generate", "--root", str(root))
    assert "OrderView.get" not in result.stdout, result.stdout


BASE_PY = """class CrudView:
    async def get(self, item_id: int) -> dict[str, int]:
        return {"id": item_id}
"""


@pytest.mark.parametrize(
    ("imports", "decorator"),
    [
        ("from fastapi_class import View", '@View(router, path="/items/{item_id}")'),
        ("from fastapi_restful.cbv import cbv", '@cbv(router, "/items/{item_id}")'),
    ],
)
def test_a_method_a_base_class_of_another_module_defines_is_logged_there(
    tmp_path: Path, imports: str, decorator: str
) -> None:
    """`get` of a base class in `base.py` is served by the view of `items.py`: `base.py` gets
    its log call (and init lists it); `items.py` says so on a line."""
    items = (
        f"from fastapi import APIRouter\n{imports}\n\nfrom app.api.base import CrudView\n\n"
        f"router = APIRouter()\n\n\n{decorator}\nclass ItemView(CrudView):\n"
        "    async def put(self, item_id: int) -> None:\n        return None\n"
    )
    root = make_project(
        tmp_path / "project",
        'instrument = { "api/base.py" = "ai_block_used", "api/items.py" = "ai_block_used" }',
    )
    (root / "backend/app/api/__init__.py").write_text("")
    (root / "backend/app/api/base.py").write_text(BASE_PY)
    (root / "backend/app/api/items.py").write_text(items)
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api import items\n\napp = FastAPI()\n"
        "app.include_router(items.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "log call in CrudView.get (GET /items/{item_id})" in result.stdout, result.stdout
    assert "log call in ItemView.put (PUT /items/{item_id})" in result.stdout
    assert "registers `ItemView.get`, defined in backend/app/api/base.py" in result.stdout
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/base.py").read_text() == BASE_PY


CONTROLLER_PY = """from fastapi import APIRouter
from fastapi_router_controller import Controller

router = APIRouter(prefix="/experiments")
controller = Controller(router, openapi_tag={"name": "experiments"})


@controller.resource()
class ExperimentController:
    @controller.route.get("/{exp_id}", summary="one")
    def get_experiment(self, exp_id: int) -> dict[str, int]:
        return {"id": exp_id}

    @controller.router.post("/")
    def create(self) -> dict[str, str]:
        return {}
"""


@pytest.mark.parametrize(
    "imports",
    [
        "from fastapi_router_controller import Controller",
        "from fastapi_router_controller.lib.controller import Controller",
    ],
)
def test_controller_routes_are_served_where_the_resource_router_is_included(
    tmp_path: Path, imports: str
) -> None:
    """`@controller.route.get(...)` on a resource's methods: routes of the router the
    `Controller` was given (its prefix), served where `Cls.router()` is included."""
    controller = CONTROLLER_PY.replace("from fastapi_router_controller import Controller", imports)
    root = make_project(
        tmp_path / "project", 'instrument = { "api/experiments.py" = "ai_block_used" }'
    )
    (root / "backend/app/api/experiments.py").write_text(controller)
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api.experiments import ExperimentController\n\n"
        'app = FastAPI()\napp.include_router(ExperimentController.router(), prefix="/api")\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    for line in (
        "log call in ExperimentController.get_experiment (GET /api/experiments/{exp_id})",
        "log call in ExperimentController.create (POST /api/experiments/)",
    ):
        assert line in result.stdout, result.stdout
    assert "include_router` the tool can follow" not in result.stdout, result.stdout
    text = (root / "backend/app/api/experiments.py").read_text()
    assert '"self"' not in text
    assert '"exp_id": exp_id' in text
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/experiments.py").read_text() == controller


def test_a_controller_class_of_the_project_is_no_router_controller(tmp_path: Path) -> None:
    """A `Controller` of the project's own: `controller.route` is not read as a router."""
    controller = CONTROLLER_PY.replace(
        "from fastapi_router_controller import Controller", "from app.base import Controller"
    )
    root = make_project(
        tmp_path / "project", 'instrument = { "api/experiments.py" = "ai_block_used" }'
    )
    (root / "backend/app/base.py").write_text(
        "class Controller:\n    def __init__(self, router, openapi_tag=None):\n"
        "        self.route = None\n        self.router = None\n\n"
        "    def resource(self):\n        return lambda cls: cls\n"
    )
    (root / "backend/app/api/experiments.py").write_text(controller)
    (root / "backend/app/main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    result = run("generate", "--root", str(root))
    assert "log call in ExperimentController" not in result.stdout, result.stdout


HOMEGROWN_VIEWS = {
    "helper-given-the-class": (
        """from fastapi import APIRouter

router = APIRouter()


class ItemView:
    async def get(self, item_id: int) -> dict[str, int]:
        return {"id": item_id}


def register_view(router: APIRouter, path: str, view: type) -> None:
    instance = view()
    for method in ("get", "post", "put", "delete"):
        handler = getattr(instance, method, None)
        if handler is not None:
            router.add_api_route(path, handler, methods=[method.upper()])


register_view(router, "/items/{item_id}", ItemView)
""",
        "`handler`, a method of `ItemView` (backend/app/api/orders.py:6)",
    ),
    "class-method-of-a-base": (
        """from fastapi import APIRouter

router = APIRouter()


class BaseView:
    path = ""

    @classmethod
    def register(cls, router: APIRouter) -> None:
        for name in dir(cls):
            if name in {"get", "post"}:
                router.add_api_route(cls.path, getattr(cls(), name), methods=[name.upper()])


class ItemView(BaseView):
    path = "/items/{item_id}"

    async def get(self, item_id: int) -> dict[str, int]:
        return {"id": item_id}


ItemView.register(router)
""",
        "`getattr(cls(), name)`, a method of `ItemView` (backend/app/api/orders.py:16)",
    ),
}


@pytest.mark.parametrize("shape", sorted(HOMEGROWN_VIEWS))
def test_a_homegrown_view_registered_dynamically_is_named_by_its_class(
    tmp_path: Path, shape: str
) -> None:
    """A class-based view of the project's own, registered by reading its methods at run time
    (`getattr(view(), verb)` over a list or `dir(cls)`): the note names the class and its line
    beside the registering call, so the user knows whose handlers are not logged (it named the
    call only). The base class the registering method is on is no view of its own."""
    source, named = HOMEGROWN_VIEWS[shape]
    root = _project(tmp_path, source)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    said = " ".join(result.stdout.split())
    assert f"`router.add_api_route` registers {named}, which cannot be followed" in said, said
    assert "BaseView" not in said


def test_a_route_on_a_base_controller_s_class_router_is_logged_at_its_path(
    tmp_path: Path,
) -> None:
    """`@BaseController.router.get("/")` in a controller deriving from a base class of another
    module whose body builds the router: the router is the package's, its prefix and the
    include's known. The route was read as a run-time expression (`"/api" +
    BaseController.router.prefix + "/"`), and in the module alone as a route on an object
    "built outside the package"."""
    items = (
        "from app.core.controller import BaseController\n\n\n"
        "class Items(BaseController):\n"
        '    @BaseController.router.get("/")\n'
        "    def list_items(self):\n"
        "        return []\n"
    )
    root = _project(
        tmp_path,
        orders=items,
        main="from fastapi import FastAPI\n\nfrom app.core.controller import BaseController\n\n"
        'app = FastAPI()\napp.include_router(BaseController.router, prefix="/api")\n',
    )
    write_files(
        root,
        {
            "backend/app/core/__init__.py": "",
            "backend/app/core/controller.py": "from fastapi import APIRouter\n\n\n"
            'class BaseController:\n    router = APIRouter(prefix="/items")\n',
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "log call in Items.list_items (GET /api/items/)" in result.stdout, result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def test_a_library_controller_s_routes_are_refused_for_what_they_are(tmp_path: Path) -> None:
    """fastapi-controllers' `@get("/")` on the methods of a `Controller` subclass: the library
    builds the class's router, which is not read. The module was refused as holding "no route
    handlers" (the plan's instrument entry blamed); each route is named with the true reason."""
    items = (
        "from fastapi_controllers import Controller, get, post\n\n\n"
        "class Items(Controller):\n"
        '    prefix = "/items"\n\n'
        '    @get("/")\n'
        "    def list_items(self):\n"
        "        return []\n\n"
        '    @post("/")\n'
        "    def add(self):\n"
        "        return 1\n"
    )
    root = _project(
        tmp_path,
        orders=items,
        main="from fastapi import FastAPI\n\nfrom app.api.orders import Items\n\n"
        "app = FastAPI()\napp.include_router(Items.create_router())\n",
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1, result.stdout
    assert "no route handlers found" not in result.stdout
    for line, name, verb in ((8, "list_items", "get"), (12, "add", "post")):
        assert (
            f"backend/app/api/orders.py:{line}: Items.{name} is a route of a class-based "
            f"controller (`@{verb}` of `fastapi_controllers`)"
        ) in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("library", "base"),
    [("uplink", "Consumer"), ("litestar", "Controller"), ("fastapi_controllers", "Consumer")],
)
def test_a_method_decorated_by_another_library_s_verb_is_not_a_route(
    tmp_path: Path, library: str, base: str
) -> None:
    """uplink's `@get('/users/{user}')` on a `Consumer`'s method declares an HTTP client call,
    litestar's `@get` a route of another framework: neither registers a FastAPI route, and the
    module's real routes are patched. Such a method was refused as a class-based controller's
    route (generate exited 1). fastapi-controllers' `@get` off a `Controller` is no route
    either: the library registers the methods of its `Controller` subclasses only."""
    items = (
        "from fastapi import APIRouter\n"
        f"from {library} import {base}, get\n\n"
        "router = APIRouter()\n\n\n"
        f"class GitHub({base}):\n"
        '    @get("/users/{user}")\n'
        "    def get_user(self, user):\n"
        "        pass\n\n\n"
        '@router.get("/x")\n'
        "def x():\n"
        "    return 1\n"
    )
    root = _project(
        tmp_path,
        orders=items,
        main="from fastapi import FastAPI\n\nfrom app.api.orders import router\n\n"
        "app = FastAPI()\napp.include_router(router)\n",
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "log call in x (GET /x)" in result.stdout, result.stdout
    assert "GitHub" not in result.stdout, result.stdout
