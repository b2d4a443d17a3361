"""fastapi-restful (and fastapi-utils) class-based views.

``api = Api(app)`` then ``api.add_resource(ItemResource(), "/items")``: the resource's methods
named after an HTTP verb (``get``, ``post``, ...) are served at that path, bound to the
instance (``self`` is no request parameter). ``@cbv(router)`` classes mark their methods with
the router's own decorators. The libraries need not be installed: the code is read as written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import make_project, run

RESOURCE_PY = '''"""Items."""

from fastapi_restful import Resource


class ItemResource(Resource):
    def get(self, item_id: int) -> dict[str, int]:
        return {"id": item_id}

    def post(self) -> dict[str, str]:
        return {}

    def helper(self) -> None:
        return None
'''

MAIN_PY = """from fastapi import FastAPI
from fastapi_restful import Api

from app.api.items import ItemResource

app = FastAPI()
api = Api(app)
api.add_resource(ItemResource(), "/items/{item_id}")
"""

PLAN = 'instrument = { "api/items.py" = "ai_block_used" }'


def _project(tmp_path: Path, main: str, items: str = RESOURCE_PY) -> Path:
    root = make_project(tmp_path / "project", PLAN)
    (root / "backend/app/api/items.py").write_text(items)
    (root / "backend/app/main.py").write_text(main)
    return root


def test_resource_verb_methods_are_handlers_at_the_added_path(tmp_path: Path) -> None:
    """`get` and `post` get a log call with the path; `helper` is no route; removal restores."""
    root = _project(tmp_path, MAIN_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = (root / "backend/app/api/items.py").read_text()
    assert text.count("event_logger.log(") == 2, text
    assert '"route": "/items/{item_id}"' in text
    assert '"handler": "ItemResource.get"' in text
    assert '"method": "POST"' in text
    assert '"item_id": item_id' in text
    assert '"self"' not in text
    assert "helper(self) -> None:\n        return None" in text
    assert "log call in ItemResource.get (GET /items/{item_id})" in result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/items.py").read_text() == RESOURCE_PY


@pytest.mark.parametrize(
    "imports",
    [
        "from fastapi_restful import Api",
        "from fastapi_restful.cbv_base import Api",
        "from fastapi_utils.cbv_base import Api",
    ],
)
def test_the_api_of_either_library_and_an_instance_held_in_a_name(
    tmp_path: Path, imports: str
) -> None:
    """`resource = ItemResource()` then `api.add_resource(resource, "/a", "/b")`: both paths."""
    main = (
        f"from fastapi import FastAPI\n{imports}\n\nfrom app.api.items import ItemResource\n\n"
        "app = FastAPI()\napi = Api(app)\nresource = ItemResource()\n"
        'api.add_resource(resource, "/a/{item_id}", "/b/{item_id}")\n'
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = (root / "backend/app/api/items.py").read_text()
    assert '"route": ["/a/{item_id}", "/b/{item_id}"]' in text, text


def test_a_resource_of_the_module_building_the_api_is_logged_there(tmp_path: Path) -> None:
    """Resource and `Api(router)` in one module, the router included under a prefix."""
    items = (
        "from fastapi import APIRouter\nfrom fastapi_restful import Api, Resource\n\n"
        "router = APIRouter()\n\n\nclass Health(Resource):\n"
        "    def get(self) -> dict[str, str]:\n        return {}\n\n\n"
        'Api(router).add_resource(Health(), "/health")\n'
    )
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.items import router\n\n"
        'app = FastAPI()\napp.include_router(router, prefix="/v1")\n'
    )
    root = _project(tmp_path, main, items)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = (root / "backend/app/api/items.py").read_text()
    assert '"route": "/v1/health"' in text, text
    assert '"handler": "Health.get"' in text


def test_an_add_resource_of_another_object_registers_nothing(tmp_path: Path) -> None:
    """`add_resource` of an object that is not the library's `Api`: no handler found."""
    main = MAIN_PY.replace("from fastapi_restful import Api", "from app.registry import Api")
    root = _project(tmp_path, main)
    (root / "backend/app/registry.py").write_text(
        "class Api:\n    def __init__(self, app: object) -> None:\n        self.app = app\n\n"
        "    def add_resource(self, resource: object, *urls: str) -> None:\n        return None\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code != 0
    assert "no route handlers found" in result.stdout + result.stderr


CBV_PY = '''"""Things."""

from fastapi import APIRouter
from fastapi_utils.cbv import cbv

router = APIRouter()


@cbv(router)
class Things:
    @router.get("/things/{thing_id}")
    def read(self, thing_id: int) -> dict[str, int]:
        return {"id": thing_id}
'''


def test_cbv_methods_are_handlers_of_the_router(tmp_path: Path) -> None:
    """`@cbv(router)` over a class whose methods are decorated `@router.get(...)`."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.items import router\n\n"
        'app = FastAPI()\napp.include_router(router, prefix="/v1")\n'
    )
    root = _project(tmp_path, main, CBV_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = (root / "backend/app/api/items.py").read_text()
    assert '"route": "/v1/things/{thing_id}"' in text
    assert '"handler": "Things.read"' in text
    assert '"self"' not in text
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/items.py").read_text() == CBV_PY


CBV_URLS_PY = '''"""Items, a class-based view given its urls."""

from fastapi import APIRouter
from fastapi_restful.cbv import cbv

from app.api.base import Deletable

router = APIRouter()


@cbv(router, "/items/{item_id}", "/things/{item_id}")
class ItemView(Deletable):
    def get(self, item_id: int) -> dict[str, int]:
        return {"id": item_id}

    def helper(self) -> None:
        return None
'''

BASE_PY = '''"""A base of views."""


class Deletable:
    def delete(self, item_id: int) -> None:
        return None
'''


@pytest.mark.parametrize(
    "imports", ["from fastapi_restful.cbv import cbv", "from fastapi_restful import cbv"]
)
def test_cbv_given_urls_serves_the_verb_methods_at_each(tmp_path: Path, imports: str) -> None:
    """`@cbv(router, *urls)`: the class's `get`, `post`, ... (inherited ones too) are served at
    each url on the router, as `add_resource` serves a resource's (it calls `cbv` so)."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.items import router\n\n"
        'app = FastAPI()\napp.include_router(router, prefix="/v1")\n'
    )
    items = CBV_URLS_PY.replace("from fastapi_restful.cbv import cbv", imports)
    root = _project(tmp_path, main, items)
    (root / "backend/app/api/base.py").write_text(BASE_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = (root / "backend/app/api/items.py").read_text()
    assert text.count("event_logger.log(") == 1, text
    said = " ".join(result.stdout.split())
    served = "log call in ItemView.get (GET /v1/items/{item_id}; GET /v1/things/{item_id})"
    assert served in said, result.stdout
    # The inherited `delete` of another module: said once (for both urls), as a method of a
    # resource elsewhere is.
    assert said.count("registers `ItemView.delete`") == 1, result.stdout
    assert "helper(self) -> None:\n        return None" in text
    assert '"self"' not in text
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/items.py").read_text() == items
