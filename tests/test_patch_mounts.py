"""The route a log call names includes the prefixes of the ``include_router`` calls above it.

A router included with ``prefix=`` (by the app, or by a router the app includes) serves its
routes under that prefix; the call names the path a client requests when every prefix of the
chain is known without running code and the router is served under one path only. A prefix only
known at run time is left out (the known prefixes around it stay); a router served under several
paths is named by the path it declares itself.
"""

from __future__ import annotations

import ast
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.backend_support import imported_app
from tests.cli_support import make_project, run, write_files
from tests.route_support import routes_by_handler

ITEMS_PY = '''"""Items."""

from fastapi import APIRouter

router = APIRouter(tags=["items"])


@router.get("/")
async def list_items() -> list[str]:
    return []


@router.get("/{item_id}")
async def get_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}
'''

API_PY = '''"""All routers of version 1."""

from fastapi import APIRouter

from app.api import items

api_router = APIRouter()
api_router.include_router(items.router, prefix="/items")
'''

PLAN = 'instrument = { "api/items.py" = "ai_block_used" }'


def _project(tmp_path: Path, main: str, api: str = API_PY) -> Path:
    root = make_project(tmp_path / "project", PLAN)
    (root / "backend/app/api/items.py").write_text(ITEMS_PY)
    (root / "backend/app/api/router.py").write_text(api)
    (root / "backend/app/main.py").write_text(main)
    return root


def _routes(root: Path) -> dict[str, str]:
    """The ``route`` each handler of items.py logs, by handler."""
    return routes_by_handler(root / "backend/app/api/items.py")


def _generates_and_serves_items(root: Path, prefix: str, unsaid: str) -> None:
    """``generate`` logs items.py's routes under ``prefix``, where the app serves them."""
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert unsaid not in result.stdout
    assert _routes(root) == {
        "list_items": f"{prefix}/items/",
        "get_item": f"{prefix}/items/{{item_id}}",
    }
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get(f"{prefix}/items/7").json() == {"id": 7}


def _main(include: str, before: str = "") -> str:
    return (
        "from fastapi import FastAPI\n\nfrom app.api.router import api_router\n"
        f"{before}\napp = FastAPI()\n{include}\n"
    )


def test_the_chain_of_literal_prefixes_is_named(tmp_path: Path) -> None:
    root = _project(tmp_path, _main('app.include_router(api_router, prefix="/api/v1")'))
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root) == {"list_items": "/api/v1/items/", "get_item": "/api/v1/items/{item_id}"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def test_a_constant_prefix_counts_and_the_app_may_be_built_by_a_factory(tmp_path: Path) -> None:
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.router import api_router\n\n"
        'API_V1 = "/api/v1"\n\n\ndef create_app() -> FastAPI:\n    app = FastAPI()\n'
        "    app.include_router(api_router, prefix=API_V1)\n    return app\n\n\n"
        "app = create_app()\n"
    )
    root = _project(tmp_path, main)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root)["get_item"] == "/api/v1/items/{item_id}"


@pytest.mark.parametrize(
    ("main", "routes"),
    [
        # A prefix known only at run time is left out; the router including the items router
        # adds its known "/items" still (routers of one app are told apart by their paths).
        (
            _main(
                "app.include_router(api_router, prefix=settings.API_V1_STR)",
                "from app.settings import settings\n",
            ),
            {"list_items": "/items/", "get_item": "/items/{item_id}"},
        ),
        # Served under two paths: no single one to name, the path as the router declares it.
        (
            _main(
                'app.include_router(api_router, prefix="/v1")\n'
                'app.include_router(api_router, prefix="/v2")'
            ),
            {"list_items": "/", "get_item": "/{item_id}"},
        ),
    ],
    ids=["run-time-prefix", "two-paths"],
)
def test_without_one_known_path_the_known_part_is_named(
    tmp_path: Path, main: str, routes: dict[str, str]
) -> None:
    root = _project(tmp_path, main)
    # Set by the class's own constructor, from the environment: not known statically.
    (root / "backend/app/settings.py").write_text(
        "import os\n\n\nclass Settings:\n    def __init__(self) -> None:\n"
        '        self.API_V1_STR = os.environ["API_V1_STR"]\n\n\n'
        "settings = Settings()\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0
    assert _routes(root) == routes
    if "settings" in main:  # said, on one line naming the call
        said = [line for line in result.stdout.splitlines() if "only known at run time" in line]
        assert len(said) == 1 and "backend/app/main.py:" in said[0], result.stdout
        assert "`settings.API_V1_STR`" in said[0] and "`api_router`" in said[0]


SETTINGS_MAIN = _main(
    "app.include_router(api_router, prefix=settings.API_V1_STR)",
    "from app.settings import settings\n",
)


@pytest.mark.parametrize(
    ("settings", "prefix", "environment"),
    [
        (
            'class Settings:\n    API_V1_STR = "/api/v1"\n\n\nsettings = Settings()\n',
            "/api/v1",
            False,
        ),
        (
            "from pydantic_settings import BaseSettings\n\n\n"
            'class Settings(BaseSettings):\n    API_V1_STR: str = "/api/v2"\n\n\n'
            "settings = Settings()  # type: ignore\n",
            "/api/v2",
            True,
        ),
        (
            "from functools import lru_cache\n\nfrom pydantic import BaseModel, Field\n\n\n"
            "class Base(BaseModel):\n"
            '    API_V1_STR: str = Field(default="/base", description="the API prefix")\n\n\n'
            "class Settings(Base):\n    DEBUG: bool = False\n\n\n"
            "@lru_cache\ndef get_settings() -> Settings:\n    return Settings()\n\n\n"
            "settings = get_settings()\n",
            "/base",
            False,
        ),
        (
            'class Settings:\n    API_V1_STR = "/api/v1"\n\n\n'
            'settings = Settings(API_V1_STR="/given")\n',
            "/given",
            False,
        ),
        (
            "import os\n\n\nclass Settings:\n"
            '    API_V1_STR = os.getenv("API_V1_STR", "/env")\n\n\nsettings = Settings()\n',
            "/env",
            True,
        ),
        (
            "import os\n\n\nclass Settings:\n"
            '    API_V1_STR = os.environ.get("API_V1_STR", default="/env")\n\n\n'
            "settings = Settings()\n",
            "/env",
            True,
        ),
        (
            "from environs import Env\n\nenv = Env()\nenv.read_env()\n\n\nclass Settings:\n"
            '    API_V1_STR = env.str("API_V1_STR", "/environs")\n\n\nsettings = Settings()\n',
            "/environs",
            True,
        ),
        (
            "import environs\n\nenv = environs.Env()\n\n\nclass Settings:\n"
            '    API_V1_STR = env("API_V1_STR", default="/environs")\n\n\n'
            "settings = Settings()\n",
            "/environs",
            True,
        ),
        (
            "from decouple import config\n\n\nclass Settings:\n"
            '    API_V1_STR = config("API_V1_STR", default="/decouple", cast=str)\n\n\n'
            "settings = Settings()\n",
            "/decouple",
            True,
        ),
        (
            'from starlette.config import Config\n\nconfig = Config(".env")\n\n\n'
            "class Settings:\n"
            '    API_V1_STR = config("API_V1_STR", cast=str, default="/starlette")\n\n\n'
            "settings = Settings()\n",
            "/starlette",
            True,
        ),
        (
            "import os\n\n\nclass Settings:\n"
            '    API_V1_STR = os.getenv("API_V1_STR") or "/unset"\n\n\nsettings = Settings()\n',
            "/unset",
            True,
        ),
        (
            "import os\n\n\nclass Settings:\n"
            '    API_V1_STR = os.environ.get("API_V1_STR", "") or "/unset"\n\n\n'
            "settings = Settings()\n",
            "/unset",
            True,
        ),
        (
            # Set once by a constructor taking no arguments: that value, as in the class body.
            "import os\n\n\nclass Settings:\n    def __init__(self) -> None:\n"
            '        self.DEBUG = os.getenv("DEBUG", "")\n'
            '        self.API_V1_STR: str = os.getenv("API_V1_STR", "/init")\n\n\n'
            "settings = Settings()\n",
            "/init",
            True,
        ),
        (
            'class Settings:\n    API_V1_STR = "/body"\n\n    def __init__(self):\n'
            '        self.name = "x"\n        self.API_V1_STR = "/constructor"\n\n\n'
            "settings = Settings()\n",
            "/constructor",
            False,
        ),
        (
            "from dataclasses import dataclass, field\n\n\n@dataclass\nclass Settings:\n"
            '    API_V1_STR: str = "/record"\n    DEBUG: bool = field(default=False)\n\n\n'
            "settings = Settings()\n",
            "/record",
            False,
        ),
    ],
    ids=[
        "plain-class",
        "base-settings",
        "inherited-field-from-a-cached-factory",
        "passed-in",
        "environment-with-a-default",
        "environment-with-a-default-keyword",
        "environs-method",
        "environs-call",
        "decouple",
        "starlette-config",
        "environment-unset-or-a-default",
        "environment-empty-or-a-default",
        "set-by-the-constructor",
        "constructor-overrides-the-class-body",
        "dataclass-field",
    ],
)
def test_a_prefix_from_a_settings_object_is_its_default_and_said_so(
    tmp_path: Path, settings: str, prefix: str, environment: bool
) -> None:
    root = _project(tmp_path, SETTINGS_MAIN)
    (root / "backend/app/settings.py").write_text(settings)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == f"{prefix}/items/{{item_id}}"
    said = [line for line in result.stdout.splitlines() if "settings.API_V1_STR" in line]
    if not environment:
        # The value given, or a plain record's default nothing at run time changes: nothing
        # assumed, nothing said.
        assert not said, result.stdout
        assert run("generate", "--check", "--root", str(root)).exit_code == 0
        return
    assert len(said) == 1, result.stdout
    assert f"read as {prefix!r}, its default" in said[0], said[0]
    assert "backend/app/settings.py:" in said[0]
    assert "environment variable API_V1_STR" in said[0]
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    ("settings", "prefix"),
    [
        (
            # C3 order: Settings, Left, Right, Root. A depth-first walk took Root's "/root".
            'class Root:\n    API_V1_STR = "/root"\n\n\nclass Left(Root):\n    DEBUG = False\n\n\n'
            'class Right(Root):\n    API_V1_STR = "/right"\n\n\n'
            "class Settings(Left, Right):\n    pass\n\n\nsettings = Settings()\n",
            "/right",
        ),
        (
            "class Root:\n    @property\n    def API_V1_STR(self) -> str:\n"
            '        return "/root"\n\n\nclass Left(Root):\n    DEBUG = False\n\n\n'
            "class Right(Root):\n    @property\n    def API_V1_STR(self) -> str:\n"
            '        return "/right"\n\n\n'
            "class Settings(Left, Right):\n    pass\n\n\nsettings = Settings()\n",
            "/right",
        ),
    ],
    ids=["declared", "property"],
)
def test_a_settings_attribute_is_looked_up_in_python_s_mro(
    tmp_path: Path, settings: str, prefix: str
) -> None:
    root = _project(tmp_path, SETTINGS_MAIN)
    (root / "backend/app/settings.py").write_text(settings)
    namespace: dict[str, object] = {}
    exec(settings + "value = settings.API_V1_STR\n", namespace)  # what Python itself reads
    assert namespace["value"] == prefix
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == f"{prefix}/items/{{item_id}}"


def test_a_base_s_validator_of_a_field_a_subclass_redeclares_leaves_it_unknown(
    tmp_path: Path,
) -> None:
    """pydantic runs the bases' validators too: the redeclared default is not the value."""
    root = _project(tmp_path, SETTINGS_MAIN)
    (root / "backend/app/settings.py").write_text(
        "from pydantic import field_validator\nfrom pydantic_settings import BaseSettings\n\n\n"
        'class Base(BaseSettings):\n    API_V1_STR: str = "/base"\n\n'
        '    @field_validator("API_V1_STR")\n    @classmethod\n'
        "    def versioned(cls, value: str) -> str:\n        return value + '/v2'\n\n\n"
        'class Settings(Base):\n    API_V1_STR: str = "/sub"\n\n\nsettings = Settings()\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/items/{item_id}"
    assert "include prefix `settings.API_V1_STR` is only known at run time" in result.stdout


@pytest.mark.parametrize(
    "read",
    [
        'env.int("API_V1_STR", 1)',  # environs, no string read
        'config("API_V1_STR", str)',  # starlette's second argument is the cast, no default
        'config("API_V1_STR", cast=lambda v: v.rstrip("/"), default="/api/")',  # cast changes it
        'own("API_V1_STR", "/api")',  # a function of the package's own
        'os.getenv("API_V1_STR", "/v9") or "/api"',  # the read's own default when unset
        'os.getenv("API_V1_STR") and "/api"',
    ],
)
def test_an_environment_read_without_a_string_default_stays_unknown(
    tmp_path: Path, read: str
) -> None:
    root = _project(tmp_path, SETTINGS_MAIN)
    (root / "backend/app/settings.py").write_text(
        "import os\n\nfrom environs import Env\nfrom starlette.config import Config\n\n"
        "env = Env()\n"
        'config = Config(".env")\n\n\ndef own(name: str, default: str) -> str:\n'
        f"    return default\n\n\nclass Settings:\n    API_V1_STR = {read}\n\n\n"
        "settings = Settings()\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/items/{item_id}"
    assert (
        "include prefix `settings.API_V1_STR` is only known at run time: "
        "the routes of `api_router` are logged without it"
    ) in result.stdout


@pytest.mark.parametrize(
    "constructor",
    [
        # Given by the caller.
        '    def __init__(self, prefix: str = "/api") -> None:\n        self.API_V1_STR = prefix\n',
        # Set only on one branch, or set again later.
        "    def __init__(self) -> None:\n        if os.getenv('V2'):\n"
        '            self.API_V1_STR = "/v2"\n',
        '    def __init__(self) -> None:\n        self.API_V1_STR = "/a"\n        self.load()\n\n'
        '    def load(self) -> None:\n        self.API_V1_STR = "/b"\n',
        # Not set at all: what a base or the class body declares may be replaced by the call.
        "    def __init__(self) -> None:\n        self.DEBUG = False\n",
    ],
    ids=["parameter", "conditional", "set-again", "not-set"],
)
def test_a_settings_field_a_constructor_may_set_otherwise_stays_unknown(
    tmp_path: Path, constructor: str
) -> None:
    root = _project(tmp_path, SETTINGS_MAIN)
    (root / "backend/app/settings.py").write_text(
        'import os\n\n\nclass Settings:\n    API_V1_STR = "/body"\n\n'
        f"{constructor}\n\nsettings = Settings()\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/items/{item_id}"
    assert "`settings.API_V1_STR` is only known at run time" in result.stdout


# Every spelling of the standard library's environment reads with a default: one rule for all.
_ENVIRONMENT_SPELLINGS = [
    ("import os\n", 'os.getenv("API_PREFIX", "/api/v1")'),
    ("from os import getenv\n", 'getenv("API_PREFIX", "/api/v1")'),
    ("import os\n", 'os.environ.get("API_PREFIX", "/api/v1")'),
    ("from os import environ\n", 'environ.get("API_PREFIX", "/api/v1")'),
    ("from os import environ as ENV\n", 'ENV.get("API_PREFIX", default="/api/v1")'),
    ("import os as system\n", 'system.environ.get("API_PREFIX", "/api/v1")'),
    ("import os\n", 'os.environ.get("API_PREFIX") or "/api/v1"'),
    ("from os import environ\n", 'environ.get("API_PREFIX", "") or "/api/v1"'),
]
_SPELLING_IDS = [
    "os.getenv",
    "getenv-imported",
    "os.environ.get",
    "environ-imported",
    "environ-aliased-keyword",
    "os-aliased",
    "os.environ.get-or",
    "environ-empty-or",
]
# Where the prefix is written: the app's include prefix, the prefix of the router that includes
# the items router, a constant of another module given as the include prefix.
_PREFIX_PLACES = ["include-prefix", "including-router", "imported-constant"]


def _environment_prefix_project(tmp_path: Path, place: str, imports: str, read: str) -> Path:
    """The project with ``read`` as the prefix of the items routes, written at ``place``."""
    if place == "include-prefix":
        return _project(tmp_path, _main(f"app.include_router(api_router, prefix={read})", imports))
    if place == "including-router":
        api = API_PY.replace("api_router = APIRouter()", f"api_router = APIRouter(prefix={read})")
        return _project(tmp_path, _main("app.include_router(api_router)"), imports + api)
    root = _project(
        tmp_path,
        _main("app.include_router(api_router, prefix=PREFIX)", "from app.paths import PREFIX\n"),
    )
    (root / "backend/app/paths.py").write_text(f"{imports}\nPREFIX = {read}\n")
    return root


@pytest.mark.parametrize("place", _PREFIX_PLACES)
@pytest.mark.parametrize(("imports", "read"), _ENVIRONMENT_SPELLINGS, ids=_SPELLING_IDS)
def test_every_spelling_of_an_environment_read_gives_its_default_and_says_so(
    tmp_path: Path, place: str, imports: str, read: str
) -> None:
    # `os.environ.get` (also imported as `environ`, or through an alias) reads as `os.getenv`.
    root = _environment_prefix_project(tmp_path, place, imports, read)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/api/v1/items/{item_id}"
    said = [line for line in result.stdout.splitlines() if "environment variable" in line]
    assert len(said) == 1, result.stdout
    assert "read as '/api/v1'" in said[0] and "environment variable API_PREFIX" in said[0]
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    ("annotation", "environment"),
    [("str", True), ("Final[str]", False), ("ClassVar[str]", False)],
    ids=["field", "final", "class-variable"],
)
def test_a_settings_class_variable_is_said_to_be_set_by_no_environment_variable(
    tmp_path: Path, annotation: str, environment: bool
) -> None:
    """`API_V1_STR: Final[str] = "/api/v1"` in a `BaseSettings` class is a class variable to
    pydantic (so is `ClassVar[str]`): the prefix is its default, read silently as a plain
    record's is, since no environment variable can change it; a field's is said, naming the
    variable. Before, every attribute was said to be one an environment variable changes."""
    main = _main(
        "app.include_router(api_router, prefix=settings.API_V1_STR)",
        "from app.config import settings\n",
    )
    root = _project(tmp_path, main)
    (root / "backend/app/config.py").write_text(
        "from typing import ClassVar, Final\n\nfrom pydantic_settings import BaseSettings\n\n\n"
        f'class Settings(BaseSettings):\n    API_V1_STR: {annotation} = "/api/v1"\n\n\n'
        "settings = Settings()\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/api/v1/items/{item_id}"
    said = [line for line in result.stdout.splitlines() if "`settings.API_V1_STR`" in line]
    assert len(said) == environment, result.stdout
    if environment:
        assert "read as '/api/v1', its default in backend/app/config.py:7" in said[0], said
        assert "environment variable API_V1_STR" in said[0], said
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize("place", _PREFIX_PLACES)
def test_an_environment_variable_read_without_a_default_is_only_known_at_run_time(
    tmp_path: Path, place: str
) -> None:
    # `os.environ["API_PREFIX"]` has no default to assume (a KeyError when unset): left out.
    root = _environment_prefix_project(tmp_path, place, "import os\n", 'os.environ["API_PREFIX"]')
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/items/{item_id}"
    assert "only known at run time" in result.stdout
    assert "environment variable API_PREFIX" not in result.stdout


@pytest.mark.parametrize(
    ("imports", "read"),
    [*_ENVIRONMENT_SPELLINGS, ("import os\n", 'os.environ["API_PREFIX"]')],
    ids=[*_SPELLING_IDS, "os.environ-subscript"],
)
def test_a_routes_own_router_prefix_from_the_environment_is_read_at_run_time(
    tmp_path: Path, imports: str, read: str
) -> None:
    # The handler can read its own router's prefix itself: the value served, whatever the
    # environment sets, rather than a default assumed; the same for every spelling.
    root = _project(tmp_path, _main("app.include_router(api_router)"))
    items = ITEMS_PY.replace('APIRouter(tags=["items"])', f"APIRouter(prefix={read})")
    (root / "backend/app/api/items.py").write_text(imports + items)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    source = (root / "backend/app/api/items.py").read_text()
    assert '"route": "/items" + router.prefix + "/{item_id}",' in source, source
    assert "environment variable API_PREFIX" not in result.stdout


@pytest.mark.parametrize(
    ("imports", "read"),
    [*_ENVIRONMENT_SPELLINGS, ("import os\n", 'os.environ["ITEM_PATH"]')],
    ids=[*_SPELLING_IDS, "os.environ-subscript"],
)
def test_a_route_path_from_the_environment_is_read_at_run_time_under_the_known_prefixes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, imports: str, read: str
) -> None:
    # The handler reads the path again as the decorator did (every spelling alike, with a
    # default or not), under the include prefixes known without running: the path served.
    read = read.replace("API_PREFIX", "ITEM_PATH").replace("/api/v1", "/{item_id}")
    root = _project(tmp_path, _main('app.include_router(api_router, prefix="/api/v1")'))
    items = ITEMS_PY.replace('@router.get("/{item_id}")', f"@router.get({read})")
    (root / "backend/app/api/items.py").write_text(imports + items)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    source = (root / "backend/app/api/items.py").read_text()
    # `or` binds looser than `+`: the read goes in parentheses after the prefixes.
    logged = f"({read})" if " or " in read else read
    assert f'"route": "/api/v1/items" + {logged},' in source, source
    assert "environment variable ITEM_PATH" not in result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    monkeypatch.setenv("ITEM_PATH", "/{item_id}")
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/v1/items/7").json() == {"id": 7}


def test_a_path_not_known_is_refused_naming_the_known_prefixes_then_the_unknown(
    tmp_path: Path,
) -> None:
    # A path computed by a call is not read again per request: refused, said as the prefixes
    # it is served under followed by what is not known.
    root = _project(tmp_path, _main('app.include_router(api_router, prefix="/api/v1")'))
    items = ITEMS_PY.replace('@router.get("/{item_id}")', '@router.get(path_of("item"))')
    (root / "backend/app/api/items.py").write_text(
        items + '\n\ndef path_of(name: str) -> str:\n    return "/" + name\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1, result.stdout
    assert 'route get_item (GET "/api/v1/items" + ?) cannot be instrumented' in result.stdout


DYNACONF = "from dynaconf import Dynaconf\n\nsettings = Dynaconf({options})\n"


@pytest.mark.parametrize(
    ("options", "files", "read", "prefix", "variable"),
    [
        # Found beside the app's folder, the key in another case: dynaconf's keys are not.
        (
            'settings_files=["settings.toml"]',
            {"backend/settings.toml": 'api_v1_str = "/dyn"\n'},
            "settings.API_V1_STR",
            "/dyn",
            "DYNACONF_API_V1_STR",
        ),
        # With environments, [development] (the default one) over [default]; its own prefix.
        (
            'envvar_prefix="HOTEL", settings_files=["settings.toml", ".secrets.toml"], '
            "environments=True",
            {
                "settings.toml": '[default]\nAPI_V1_STR = "/d"\n'
                '[development]\nAPI_V1_STR = "/dev"\n[production]\nAPI_V1_STR = "/prod"\n'
            },
            "settings.API_V1_STR",
            "/dev",
            "HOTEL_API_V1_STR or ENV_FOR_DYNACONF",
        ),
        # Options in any of dynaconf's spellings: `ENV_FOR_DYNACONF=`, upper case, any case.
        (
            'ENV_FOR_DYNACONF="production", SETTINGS_FILES=["settings.toml"], '
            'Environments=True, envvar_prefix_for_dynaconf="HOTEL"',
            {
                "settings.toml": '[default]\nAPI_V1_STR = "/d"\n'
                '[development]\nAPI_V1_STR = "/dev"\n[production]\nAPI_V1_STR = "/prod"\n'
            },
            "settings.API_V1_STR",
            "/prod",
            "HOTEL_API_V1_STR or ENV_FOR_DYNACONF",
        ),
        # In a config/ folder on the way up, a nested table; a later file wins.
        (
            'settings_files="base.toml,local.toml"',
            {
                "backend/config/base.toml": '[api]\nprefix = "/base"\n',
                "local.toml": '[api]\nprefix = "/local"\n',
            },
            "settings.api.prefix",
            "/local",
            "DYNACONF_API__PREFIX",
        ),
        # `.get` with a default: the file's value, else the default.
        (
            'settings_files=["settings.toml"]',
            {"settings.toml": 'OTHER = "x"\n'},
            'settings.get("API_V1_STR", "/fallback")',
            "/fallback",
            "DYNACONF_API_V1_STR",
        ),
        # Not known: no such key, a format not read, a file outside the project, **options.
        (
            'settings_files=["settings.toml"]',
            {"settings.toml": 'OTHER = "x"\n'},
            "settings.API_V1_STR",
            None,
            "",
        ),
        (
            'settings_files=["settings.yaml"]',
            {"settings.yaml": "API_V1_STR: /y\n"},
            "settings.API_V1_STR",
            None,
            "",
        ),
        (
            'settings_files=["../../outside.toml"]',
            {"../outside.toml": 'API_V1_STR = "/o"\n'},
            "settings.API_V1_STR",
            None,
            "",
        ),
        ("**OPTIONS", {"settings.toml": 'API_V1_STR = "/o"\n'}, "settings.API_V1_STR", None, ""),
        # Files found elsewhere, in upper case too; one option given twice.
        (
            'settings_files=["settings.toml"], ROOT_PATH_FOR_DYNACONF="/srv"',
            {"settings.toml": 'API_V1_STR = "/o"\n'},
            "settings.API_V1_STR",
            None,
            "",
        ),
        (
            'settings_files=["settings.toml"], env="a", ENV_FOR_DYNACONF="b", environments=True',
            {"settings.toml": '[a]\nAPI_V1_STR = "/a"\n[b]\nAPI_V1_STR = "/b"\n'},
            "settings.API_V1_STR",
            None,
            "",
        ),
    ],
    ids=[
        "beside",
        "environments",
        "option-spellings",
        "config-folder-nested",
        "get-default",
        "missing",
        "yaml",
        "outside",
        "options",
        "root-path-upper",
        "option-twice",
    ],
)
def test_a_prefix_from_dynaconf_is_read_from_its_settings_files(
    tmp_path: Path,
    options: str,
    files: dict[str, str],
    read: str,
    prefix: str | None,
    variable: str,
) -> None:
    main = _main(
        f"app.include_router(api_router, prefix={read})", "from app.settings import settings\n"
    )
    root = _project(tmp_path, main)
    (root / "backend/app/settings.py").write_text(
        "OPTIONS: dict[str, str] = {}\n" + DYNACONF.format(options=options)
    )
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == f"{prefix or ''}/items/{{item_id}}"
    if prefix is None:
        assert "only known at run time" in result.stdout
        return
    said = [line for line in result.stdout.splitlines() if f"read as {prefix!r}" in line]
    assert len(said) == 1, result.stdout
    assert f"an environment variable {variable} set at run time" in said[0]
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('[default]\nAPI_V1_STR = "/d"\n[development]\nAPI_V1_STR = "/dev"\n', 4),
        ('[default]\n[default.api]\nprefix = "/d"\n[development.api]\nprefix = "/dev"\n', 5),
    ],
    ids=["environment-table", "nested-table"],
)
def test_a_value_from_dynaconf_is_said_at_the_line_that_sets_it(
    tmp_path: Path, text: str, line: int
) -> None:
    """The key set in `[default]` and again in `[development]`: the value read is the second,
    and the note names its line, not the first line setting a key of that name."""
    read = "settings.API_V1_STR" if "API_V1_STR" in text else "settings.api.prefix"
    main = _main(
        f"app.include_router(api_router, prefix={read})", "from app.settings import settings\n"
    )
    root = _project(tmp_path, main)
    (root / "backend/app/settings.py").write_text(
        DYNACONF.format(options='settings_files=["settings.toml"], environments=True')
    )
    (root / "settings.toml").write_text(text)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert f"read as '/dev', its value in settings.toml:{line} " in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("settings", "variable"),
    [
        (
            "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\n"
            "class Settings(BaseSettings):\n"
            '    model_config = SettingsConfigDict(env_prefix="APP_", frozen=True)\n'
            '    API_V1_STR: str = "/api/v1"\n\n\nsettings = Settings()\n',
            "APP_API_V1_STR",
        ),
        (
            "from pydantic import BaseSettings\n\n\n"
            'class Settings(BaseSettings):\n    API_V1_STR: str = "/api/v1"\n\n'
            '    class Config:\n        env_prefix = "svc_"\n\n\nsettings = Settings()\n',
            "svc_API_V1_STR",
        ),
        (
            "from pydantic_settings import BaseSettings\n\n\n"
            'class Base(BaseSettings):\n    model_config = {"env_prefix": "APP_"}\n\n\n'
            'class Settings(Base):\n    API_V1_STR: str = "/api/v1"\n\n\nsettings = Settings()\n',
            "APP_API_V1_STR",
        ),
        (
            # A field's own alias names its variable; env_prefix does not apply to it.
            "from pydantic import Field\nfrom pydantic_settings import BaseSettings\n\n\n"
            'class Settings(BaseSettings):\n    model_config = {"env_prefix": "APP_"}\n'
            '    API_V1_STR: str = Field(default="/api/v1", alias="SERVICE_PREFIX")\n\n\n'
            "settings = Settings()\n",
            "SERVICE_PREFIX",
        ),
        (
            "from pydantic import AliasChoices, Field\nfrom pydantic_settings import BaseSettings"
            "\n\n\nclass Settings(BaseSettings):\n    API_V1_STR: str = Field(\n"
            '        "/api/v1", alias="IGNORED", validation_alias=AliasChoices("ROOT", "BASE")\n'
            "    )\n\n\nsettings = Settings()\n",
            "ROOT",
        ),
        (
            "from pydantic import BaseSettings, Field\n\n\n"
            'class Settings(BaseSettings):\n    API_V1_STR: str = Field("/api/v1", env="SVC_ROOT")'
            '\n\n    class Config:\n        env_prefix = "svc_"\n\n\nsettings = Settings()\n',
            "SVC_ROOT",
        ),
        (
            # pydantic v1 reads no alias, pydantic-settings no `env=`: the field's own name then.
            "from pydantic import BaseSettings, Field\n\n\n"
            "class Settings(BaseSettings):\n"
            '    API_V1_STR: str = Field("/api/v1", alias="NOT_READ")\n\n\n'
            "settings = Settings()\n",
            "API_V1_STR",
        ),
        (
            "from pydantic import Field\nfrom pydantic_settings import BaseSettings\n\n\n"
            "class Settings(BaseSettings):\n"
            '    API_V1_STR: str = Field("/api/v1", env=["NOT_READ"])\n\n\n'
            "settings = Settings()\n",
            "API_V1_STR",
        ),
    ],
    ids=[
        "settings-config-dict",
        "pydantic-v1-config",
        "inherited-config",
        "alias",
        "validation-alias-choices",
        "pydantic-v1-env",
        "pydantic-v1-alias",
        "pydantic-settings-env",
    ],
)
def test_a_settings_default_names_the_variable_under_the_env_prefix(
    tmp_path: Path, settings: str, variable: str
) -> None:
    """`env_prefix="APP_"`: the variable that changes the prefix is APP_..., not the field."""
    root = _project(tmp_path, SETTINGS_MAIN)
    (root / "backend/app/settings.py").write_text(settings)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    said = [line for line in result.stdout.splitlines() if "settings.API_V1_STR" in line]
    assert len(said) == 1 and f"environment variable {variable} set" in said[0], result.stdout


@pytest.mark.parametrize(
    ("prefix_read", "prefix"),
    [
        ("getattr(settings, 'API_V1_STR', '/fallback')", "/api/v1"),
        ('getattr(settings, "API_V1_STR")', "/api/v1"),
        # A field the class does not declare: not known (no guess between it and the default).
        ("getattr(settings, 'MISSING', '/fallback')", ""),
    ],
    ids=["with-default", "without-default", "undeclared-field"],
)
def test_a_settings_field_read_with_getattr_is_its_default_and_said_so(
    tmp_path: Path, prefix_read: str, prefix: str
) -> None:
    """`api_prefix = getattr(settings, "API_V1_STR", "/api/v1")`: read as `settings.API_V1_STR`."""
    main = _main(
        "api_prefix = " + prefix_read + "\napp.include_router(api_router, prefix=api_prefix)",
        "from app.settings import settings\n",
    )
    root = _project(tmp_path, main)
    (root / "backend/app/settings.py").write_text(
        "from pydantic_settings import BaseSettings\n\n\n"
        'class Settings(BaseSettings):\n    API_V1_STR: str = "/api/v1"\n\n\n'
        "settings = Settings()\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == f"{prefix}/items/{{item_id}}"
    said = [line for line in result.stdout.splitlines() if "prefix `" in line]
    assert len(said) == 1, result.stdout
    if prefix:
        assert "getattr(settings" in said[0], said
        assert "read as '/api/v1'" in said[0], said
        assert "environment variable API_V1_STR set" in said[0], said
    else:
        assert "only known at run time" in said[0], said
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    ("settings", "prefix", "variable"),
    [
        (
            "from pydantic_settings import BaseSettings\n\n\n"
            'class Settings(BaseSettings):\n    SERVICE_VERSION: str = "v7"\n\n'
            "    @property\n    def API_V1_STR(self) -> str:\n"
            '        """Where the API answers."""\n'
            '        return f"/svc/{self.SERVICE_VERSION}"\n\n\nsettings = Settings()\n',
            "/svc/v7",
            "SERVICE_VERSION",
        ),
        (
            # Declared on a base of the package, the field it reads given to the call.
            "from functools import cached_property\n\n\nclass Base:\n"
            "    def __init__(self, root: str = '/x') -> None:\n        self.root = root\n\n"
            "    @cached_property\n    def API_V1_STR(self) -> str:\n"
            '        return self.root + "/v1"\n\n\nclass Settings(Base):\n    pass\n\n\n'
            "settings = Settings()\n",
            "",
            "",
        ),
        (
            "class Settings:\n    ROOT = '/mine'\n\n"
            "    @property\n    def API_V1_STR(self) -> str:\n"
            "        return self.ROOT + '/v2'\n\n\nsettings = Settings()\n",
            "/mine/v2",
            "",
        ),
    ],
    ids=["f-string-of-a-field", "constructor-sets-the-field", "plain-class"],
)
def test_a_prefix_a_settings_property_computes_is_read_from_the_fields_defaults(
    tmp_path: Path, settings: str, prefix: str, variable: str
) -> None:
    """`@property def API_V1_STR(self): return f"/svc/{self.SERVICE_VERSION}"`."""
    root = _project(tmp_path, SETTINGS_MAIN)
    (root / "backend/app/settings.py").write_text(settings)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == f"{prefix}/items/{{item_id}}"
    said = [line for line in result.stdout.splitlines() if "settings.API_V1_STR" in line]
    if prefix and not variable:
        assert not said, said  # a plain class's fields: nothing at run time changes them
        return
    assert len(said) == 1, result.stdout
    if not prefix:
        assert "only known at run time" in said[0], said
        return
    assert f"read as {prefix!r}" in said[0] and "backend/app/settings.py:" in said[0], said
    assert f"environment variable {variable} set" in said[0], said
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def test_a_settings_field_a_validator_may_change_is_not_read_as_its_default(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, SETTINGS_MAIN)
    (root / "backend/app/settings.py").write_text(
        "from pydantic import BaseModel, field_validator\n\n\n"
        'class Settings(BaseModel):\n    API_V1_STR: str = "/api/v1"\n\n'
        '    @field_validator("API_V1_STR")\n    @classmethod\n'
        "    def versioned(cls, value: str) -> str:\n        return value + '/x'\n\n\n"
        "settings = Settings()\n"
    )
    assert run("generate", "--root", str(root)).exit_code == 0
    # Not read as its default: left out, the including router's "/items" stays.
    assert _routes(root)["get_item"] == "/items/{item_id}"


def test_a_router_included_by_an_unknown_object_names_its_own_path(tmp_path: Path) -> None:
    api = API_PY.replace(
        "api_router = APIRouter()\napi_router.include_router",
        "from plugins import registry\n\napi_router = APIRouter()\nregistry.include_router",
    )
    root = _project(tmp_path, _main('app.include_router(api_router, prefix="/api")'), api)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root) == {"list_items": "/", "get_item": "/{item_id}"}


def test_a_prefix_added_later_makes_the_calls_stale_and_remove_still_takes_them_out(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, _main("app.include_router(api_router)"))
    before = (root / "backend/app/api/items.py").read_bytes()
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root)["get_item"] == "/items/{item_id}"
    main = root / "backend/app/main.py"
    main.write_text(main.read_text().replace("(api_router)", '(api_router, prefix="/api")'))
    check = run("generate", "--check", "--root", str(root))
    assert check.exit_code == 1
    assert "backend/app/api/items.py" in check.stdout
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root)["get_item"] == "/api/items/{item_id}"
    # A call written before the prefix was added is still one generate wrote.
    main.write_text(main.read_text().replace('(api_router, prefix="/api")', "(api_router)"))
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/items.py").read_bytes() == before


def test_the_router_may_be_passed_by_keyword(tmp_path: Path) -> None:
    root = _project(tmp_path, _main('app.include_router(router=api_router, prefix="/api")'))
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root)["get_item"] == "/api/items/{item_id}"


def test_routers_included_from_a_list_name_their_own_path(tmp_path: Path) -> None:
    # `include_router(*routers)` cannot be told apart statically: no prefix is assumed.
    main = _main("for router in [api_router]:\n    app.include_router(*[router], prefix='/api')")
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "<item of map>" not in result.stdout
    assert _routes(root)["get_item"] == "/items/{item_id}"


@pytest.mark.parametrize(
    ("loop", "before"),
    [
        (
            'for prefix, router in [("/v1", api_router)]:\n'
            "    app.include_router(router, prefix=prefix)",
            "",
        ),
        (
            "for name, router in ROUTERS.items():\n"
            '    app.include_router(router, prefix=f"/{name}")',
            'ROUTERS = {"v1": api_router}\n',
        ),
        (
            "for module in (router_module,):\n"
            '    app.include_router(module.api_router, prefix="/v1")',
            "",
        ),
        (
            # Either branch's items may be included, the same way.
            "for router in [api_router] if DEBUG else ([] if DEBUG is None else (api_router,)):\n"
            '    app.include_router(router, prefix="/v1")',
            "DEBUG = False\n",
        ),
    ],
    ids=["unpacked-pairs", "dict-items", "attribute-of-item", "conditional-expression"],
)
def test_routers_included_in_a_loop_over_literal_items_get_its_prefix(
    tmp_path: Path, loop: str, before: str
) -> None:
    main = _main(loop, "from app.api import router as router_module\n" + before)
    root = _project(tmp_path, main)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root)["get_item"] == "/v1/items/{item_id}"


ROUTE_RECORDS = 'ROUTES = [\n    {"router": api_router, "prefix": "/v1", "tags": ["v1"]},\n]\n'


@pytest.mark.parametrize(
    ("loop", "before"),
    [
        ("for route in ROUTES:\n    app.include_router(**route)", ROUTE_RECORDS),
        (
            'for route in ROUTES:\n    app.include_router(route["router"], prefix=route["prefix"])',
            ROUTE_RECORDS,
        ),
        (
            "for route in ROUTES:\n"
            '    app.include_router(route.get("router"), prefix=route.get("prefix", "/v2"))',
            ROUTE_RECORDS,
        ),
        (
            # A key an item does not hold takes the default `.get` is given.
            "for route in ROUTES:\n"
            '    app.include_router(route["router"], prefix=route.get("base", "/v1"))',
            ROUTE_RECORDS,
        ),
        (
            'for route in [dict(router=api_router, prefix="/v1")]:\n'
            "    app.include_router(**route)",
            "",
        ),
        (
            "for name, route in ROUTES.items():\n"
            '    app.include_router(route["router"], prefix=route["prefix"], tags=[name])',
            'ROUTES = {"v1": {"router": api_router, "prefix": "/v1"}}\n',
        ),
        (
            # The same loop run by a startup handler.
            '@app.on_event("startup")\nasync def include_routes() -> None:\n'
            "    for route in ROUTES:\n        app.include_router(**route)",
            ROUTE_RECORDS,
        ),
        (
            # Items named, each bound to a dict; the include prefix given beside them.
            "for route in ROUTES:\n    app.include_router(**route, prefix='/v1')",
            'USERS = {"router": api_router, "tags": ["v1"]}\nROUTES = (USERS,)\n',
        ),
        (
            # Dicts and routers in one list, told apart at run time: only dicts are unpacked,
            # only routers included as they are.
            "for route in ROUTES:\n    if isinstance(route, dict):\n"
            "        app.include_router(**route)\n    else:\n        app.include_router(route)",
            'ROUTES = [{"router": api_router, "prefix": "/v1"}, other_router]\n',
        ),
        (
            # A local list in an app factory, the prefixes built from one of its locals.
            "def create_app():\n    application = FastAPI()\n    base = '/v1'\n"
            '    routes = [{"router": api_router, "prefix": f"{base}"}]\n'
            "    for route in routes:\n        application.include_router(**route)\n"
            "    return application\n\n\napp = create_app()",
            "",
        ),
        (
            # Two unpackings, the second's loop inside the first's, its items giving no prefix.
            "for route in ROUTES:\n    for extra in EXTRAS:\n"
            "        app.include_router(**route, **extra)",
            ROUTE_RECORDS + 'EXTRAS = [{"tags": ["a"]}, {"tags": ["b"]}]\n',
        ),
        (
            # Items unpacked that give none of what is included, nor its prefix.
            'for extra in EXTRAS:\n    app.include_router(api_router, prefix="/v1", **extra)',
            'EXTRAS = [{"tags": ["a"]}, {"tags": ["b"]}]\n',
        ),
    ],
    ids=[
        "unpacked-dict",
        "subscript",
        "get",
        "get-default",
        "dict-call",
        "dict-of-dicts",
        "startup-handler",
        "named-items-and-prefix",
        "dicts-and-routers",
        "local-list-in-factory",
        "nested-loops-two-unpackings",
        "unpacked-items-give-no-routing",
    ],
)
def test_routers_included_from_dict_items_of_a_loop_get_their_prefix(
    tmp_path: Path, loop: str, before: str
) -> None:
    other = "from fastapi import APIRouter\n\nother_router = APIRouter()\n"
    main = _main(loop, other.replace("from fastapi import APIRouter\n", "") + before)
    main = main.replace("from fastapi import FastAPI\n", "from fastapi import APIRouter, FastAPI\n")
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "only known at run time" not in result.stdout
    assert "not followed" not in result.stdout
    assert _routes(root)["get_item"] == "/v1/items/{item_id}"


@pytest.mark.parametrize(
    "main",
    [
        _main(
            "app.include_router(api_router, **ROUTER_KWARGS)", 'ROUTER_KWARGS = {"prefix": "/v1"}\n'
        ),
        _main("app.include_router(**CONFIG)", 'CONFIG = dict(router=api_router, prefix="/v1")\n'),
        _main(
            'app.include_router(api_router, **Settings.ROUTER, tags=["v1"])',
            'class Settings:\n    ROUTER = {"prefix": "/v1"}\n',
        ),
        _main(
            "def create() -> FastAPI:\n    application = FastAPI()\n"
            "    application.include_router(api_router, **ROUTER_KWARGS)\n"
            "    return application\n\n\napp = create()",
            'BASE = "/v1"\nROUTER_KWARGS = {"prefix": f"{BASE}", "tags": ["v1"]}\n',
        ),
    ],
    ids=["module-dict", "dict-call-router-too", "class-attribute", "read-in-a-factory"],
)
def test_keywords_spread_from_a_named_dict_are_read_as_keywords(tmp_path: Path, main: str) -> None:
    # `**ROUTER_KWARGS` of a dict bound once and never changed: the prefix it passes is known.
    _generates_and_serves_items(_project(tmp_path, main), "/v1", "only known at run time")


@pytest.mark.parametrize(
    ("include", "before"),
    [
        ('app.include_router(api_router, prefix=VERSIONS["v1"])', 'VERSIONS = {"v1": "/v1"}\n'),
        (
            'app.include_router(api_router, prefix=CONFIG["prefix"])',
            "CONFIG = dict(prefix='/v1')\n",
        ),
    ],
    ids=["dict-display", "dict-call"],
)
def test_a_prefix_read_off_a_named_dict_by_a_literal_key_is_known(
    tmp_path: Path, include: str, before: str
) -> None:
    # `prefix=VERSIONS["v1"]` of a dict bound once and never changed: the string it holds.
    _generates_and_serves_items(_project(tmp_path, _main(include, before)), "/v1", "run time")


@pytest.mark.parametrize(
    ("include", "before"),
    [
        # Changed in place before the include: the prefix is only known at run time.
        (
            "ROUTER_KWARGS['prefix'] = input()\napp.include_router(api_router, **ROUTER_KWARGS)",
            'ROUTER_KWARGS = {"prefix": "/v1"}\n',
        ),
        # Its value reads a name a local of the factory shadows where it is unpacked.
        (
            "def create() -> FastAPI:\n    application = FastAPI()\n    BASE = input()\n"
            "    application.include_router(api_router, **ROUTER_KWARGS)\n"
            "    return application\n\n\napp = create()",
            'BASE = "/v1"\nROUTER_KWARGS = {"prefix": BASE}\n',
        ),
    ],
    ids=["changed-in-place", "shadowed-name"],
)
def test_a_named_dict_not_known_as_written_keeps_its_prefix_unknown(
    tmp_path: Path, include: str, before: str
) -> None:
    root = _project(tmp_path, _main(include, before))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/items/{item_id}"
    assert "`**ROUTER_KWARGS` may pass a prefix only known at run time" in result.stdout


def test_a_dict_item_whose_key_is_not_known_keeps_its_prefix_unknown(tmp_path: Path) -> None:
    # `route[key]` with a key known at run time only, and a dict unpacking another: no guess.
    before = 'KEY = input()\nROUTES = [{"router": api_router, "prefix": "/v1"}]\n'
    main = _main(
        "for route in ROUTES:\n    app.include_router(route['router'], prefix=route[KEY])", before
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/items/{item_id}"
    assert "only known at run time" in result.stdout


@pytest.mark.parametrize(
    "pairs",
    [
        '({"router": other_router, "prefix": "/v2"}, {"tags": ["a"]}), '
        '({"router": api_router}, {"prefix": "/v1", "x-y": 1})',
        '({"router": other_router, "x-y": 1}, {"prefix": "/v2"}), '
        '({"router": api_router}, {"prefix": "/v1"})',
    ],
    ids=["in-the-second-unpacking", "in-the-first-unpacking"],
)
def test_a_call_unpacking_two_dicts_one_with_a_key_no_keyword_is_taken_as_written(
    tmp_path: Path, pairs: str
) -> None:
    # `**route, **extra` where an item holds a key that is no keyword (`"x-y"`): no item's call
    # is spelled out, none dropped; the call as written is not followed, and said so.
    before = f"other_router = APIRouter()\nPAIRS = [{pairs}]\n"
    main = _main("for route, extra in PAIRS:\n    app.include_router(**route, **extra)", before)
    main = main.replace("from fastapi import FastAPI\n", "from fastapi import APIRouter, FastAPI\n")
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/items/{item_id}"
    said = " ".join(result.stdout.split())
    assert "`app.include_router(**route, **extra)` at backend/app/main.py:" in said
    assert "is not followed" in said
    assert "route['" not in said


@pytest.mark.parametrize(
    "before",
    [
        "from app.api.registry import all_routers\n\nROUTERS = all_routers(True)\n",
        "ROUTERS = [api_router]\nfor extra in more():\n    ROUTERS.append(extra)\n",
        "ROUTERS = [api_router]\nROUTERS.remove(api_router)\n",
        "ROUTERS = [api_router]\nROUTERS = ROUTERS + ROUTERS\n",
    ],
    ids=["function-result", "appended-to-in-a-loop", "removed-from", "rebound"],
)
def test_a_loop_over_items_not_known_statically_names_the_routers_own_path(
    tmp_path: Path, before: str
) -> None:
    # A module-level `api_router` the loop's name shadows must not be taken for the item either.
    main = _main(
        'for api_router in ROUTERS:\n    app.include_router(api_router, prefix="/v1")', before
    )
    root = _project(tmp_path, main)
    (root / "backend/app/api/registry.py").write_text(
        "from app.api.router import api_router\n\n\n"
        "def all_routers(enabled):\n    return [api_router] if enabled else []\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0
    assert _routes(root)["get_item"] == "/items/{item_id}"
    said = [line for line in result.stdout.splitlines() if "only known at run time" in line]
    assert len(said) == 1 and "backend/app/main.py:" in said[0], result.stdout


@pytest.mark.parametrize(
    "before",
    [
        "ROUTERS = []\nif ENABLED:\n    ROUTERS.append(api_router)\n",
        "ROUTERS = []\nROUTERS.extend([api_router])\n",
        "ROUTERS = []\nROUTERS.insert(0, api_router)\n",
        "ROUTERS: list = []\nROUTERS += [api_router]\n",
    ],
    ids=["appended-under-an-if", "extended", "inserted", "added-to"],
)
def test_routers_a_loop_runs_over_from_a_list_built_by_additions_get_its_prefix(
    tmp_path: Path, before: str
) -> None:
    """`routers = []`, then `routers.append(admin.router)` (also only when a setting is on), or
    `.extend([...])`, `.insert(0, ...)`, `+= [...]`, then `for router in routers:
    app.include_router(router, prefix="/v1")`: the items added are the loop's items too (they
    were logged without the loop's prefix, said only known at run time)."""
    main = _main(
        'for router in ROUTERS:\n    app.include_router(router, prefix="/v1")',
        "\nENABLED = True\n" + before,
    )
    root = _project(tmp_path, main)
    _generates_and_serves_items(root, "/v1", "only known at run time")


PARTS_PY = """from fastapi import APIRouter

from app.api.router import api_router

extra = APIRouter()

# Built in a loop, as generated CRUD routers are: the name added stands for each pass's router.
routers: list[APIRouter] = []
for enabled in (True,):
    router = APIRouter()
    router.include_router(api_router)
    routers += [router]
"""


@pytest.mark.parametrize(
    "before",
    [
        "from app.api import parts\n\nROUTERS = parts.routers + [parts.extra]\n",
        "from app.api import parts\n\nROUTERS = [*parts.routers, parts.extra]\n",
        "from app.api import parts\n\nROUTERS = [parts.extra]\nROUTERS += parts.routers\n",
        "from app.api import parts\n\nROUTERS = [parts.extra]\nROUTERS.extend(parts.routers)\n",
    ],
    ids=["concatenated", "unpacked", "added-to", "extended"],
)
def test_routers_a_loop_runs_over_from_a_list_built_of_parts_get_its_prefix(
    tmp_path: Path, before: str
) -> None:
    """`ROUTERS = crud.routers + [HEALTH_ROUTER]` (or `[*crud.routers, ...]`, `+=`, `.extend`),
    `crud.routers` itself built in a loop of another module, then `for router in ROUTERS:
    app.include_router(router, prefix="/v1")`: each part's items are the loop's items (they
    were logged without the loop's prefix, said only known at run time)."""
    main = _main('for router in ROUTERS:\n    app.include_router(router, prefix="/v1")', before)
    root = _project(tmp_path, main)
    (root / "backend/app/api/parts.py").write_text(PARTS_PY)
    _generates_and_serves_items(root, "/v1", "only known at run time")


REGISTRY_PY = """from fastapi import APIRouter

ROUTERS: list[APIRouter] = []


def register(router: APIRouter) -> APIRouter:
    ROUTERS.append(router)
    return router
"""


@pytest.mark.parametrize(
    "added",
    [
        "from app.api.registry import ROUTERS\n\nROUTERS.append(api_router)\n",
        "from app.api import registry\n\nregistry.ROUTERS.extend([api_router])\n",
        "from app.api.registry import register\n\nregister(api_router)\n",
        "from app.api import registry as reg\n\nreg.register(router=api_router)\n",
    ],
    ids=["appended", "extended-through-the-module", "registered", "registered-by-keyword"],
)
def test_routers_other_modules_add_to_a_registry_get_the_loops_prefix(
    tmp_path: Path, added: str
) -> None:
    """`ROUTERS = []` in one module, each route module adding its router at its top level
    (`ROUTERS.append(router)`, or a `register(router)` helper doing it), and one loop in
    main.py over ROUTERS with `prefix="/v1"`: the items come from the other modules (they were
    logged without the loop's prefix, said only known at run time)."""
    main = _main(
        'for router in ROUTERS:\n    app.include_router(router, prefix="/v1")',
        "from app.api.registry import ROUTERS\n",
    )
    root = _project(tmp_path, main, API_PY + added)
    (root / "backend/app/api/registry.py").write_text(REGISTRY_PY)
    _generates_and_serves_items(root, "/v1", "only known at run time")


@pytest.mark.parametrize(
    "added",
    [
        "from app.api.registry import ROUTERS\n\nfor r in [api_router]:\n    ROUTERS.append(r)\n",
        "from app.api.registry import register\n\n\ndef setup():\n    register(api_router)\n",
        "from app.api.registry import ROUTERS\n\nROUTERS.append(api_router)\nROUTERS.clear()\n",
        "from app.api import registry\n\nregistry.ROUTERS.append(api_router)\n"
        "registry.ROUTERS[0] = None\n",
    ],
    ids=["appended-in-a-loop", "registered-in-a-function", "cleared", "item-replaced"],
)
def test_a_registry_other_modules_change_otherwise_is_said_to_be_known_at_run_time(
    tmp_path: Path, added: str
) -> None:
    # A change the reader cannot follow makes every item unknown: never a partial list.
    main = _main(
        'for router in ROUTERS:\n    app.include_router(router, prefix="/v1")',
        "from app.api.registry import ROUTERS\n",
    )
    root = _project(tmp_path, main, API_PY + added)
    (root / "backend/app/api/registry.py").write_text(REGISTRY_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/items/{item_id}"
    said = [line for line in result.stdout.splitlines() if "only known at run time" in line]
    assert len(said) == 1 and "backend/app/main.py:" in said[0], result.stdout


HOOKS_PY = """from app.api.items import router


def make_route(path):
    def register(fn):
        router.add_api_route(path, fn, methods=["POST"])
        return fn

    return register


class Service:
    def route(self, path):
        def register(fn):
            router.add_api_route(path, fn, methods=["PUT"])
            return fn

        return register


mk = make_route
deco = Service().route
"""

EXTRA_PY = """from app.api.hooks import deco, mk


@mk("/reload")
async def reload() -> None:
    return None


@deco("/{item_id}/tag")
def tag(item_id: int) -> int:
    return item_id
"""


def test_a_decorator_factory_imported_under_another_name_is_followed_or_named(
    tmp_path: Path,
) -> None:
    """`mk = make_route` in the factory's module, `@mk("/x")` in another: logged as
    `@make_route("/x")` is. `deco = Service().route` imported the same way: the method's object
    is not bound where it is used: the handler is named on a line, to log by hand (both were
    passed over in silence)."""
    main = _main('app.include_router(api_router, prefix="/v1")', "from app.api import extra\n")
    root = make_project(tmp_path / "project", 'instrument = { "api/extra.py" = "ai_block_used" }')
    (root / "backend/app/api/items.py").write_text(ITEMS_PY)
    (root / "backend/app/api/router.py").write_text(API_PY)
    (root / "backend/app/api/hooks.py").write_text(HOOKS_PY)
    (root / "backend/app/api/extra.py").write_text(EXTRA_PY)
    (root / "backend/app/main.py").write_text(main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1, result.stdout  # the handler named is to log by hand
    assert routes_by_handler(root / "backend/app/api/extra.py") == {"reload": "/v1/items/reload"}
    said = [line for line in result.stdout.splitlines() if "extra.py" in line and "`deco`" in line]
    assert len(said) == 1 and "tag looks like a route" in said[0], result.stdout


SENSORS_PY = """from fastapi import APIRouter


class Sensors:
    router = APIRouter(prefix="/sensors")

    @router.get("/{sensor_id}")
    async def read(sensor_id: int) -> int:
        return sensor_id
"""


def test_a_router_built_in_a_class_body_gets_the_prefix_its_include_adds(tmp_path: Path) -> None:
    """`class Sensors: router = APIRouter(...)` with routes declared in the class body, and
    `app.include_router(Sensors.router, prefix="/iot")` in another module: logged under /iot
    (it was logged without it, nothing said)."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.sensors import Sensors\n\n"
        'app = FastAPI()\napp.include_router(Sensors.router, prefix="/iot")\n'
    )
    root = make_project(tmp_path / "project", 'instrument = { "api/sensors.py" = "ai_block_used" }')
    (root / "backend/app/api/sensors.py").write_text(SENSORS_PY)
    (root / "backend/app/main.py").write_text(main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "log call in Sensors.read (GET /iot/sensors/{sensor_id})" in result.stdout
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/iot/sensors/4").json() == 4


PREFIX_SET_PY = """from fastapi import APIRouter

router = APIRouter()


@router.get("/first")
async def first() -> int:
    return 1


router.prefix = "/items"


@router.get("/{item_id}")
async def item(item_id: int) -> int:
    return item_id
"""


def test_a_prefix_assigned_to_a_router_applies_to_the_routes_declared_after_it(
    tmp_path: Path,
) -> None:
    """`router.prefix = "/items"` after `router = APIRouter()`: FastAPI adds it to each route
    declared from then on (they were logged without it); a route of another module declared on
    the router after its module ran gets it too."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api import items, more\n\n"
        'app = FastAPI()\napp.include_router(items.router, prefix="/api")\n'
    )
    more = (
        "from app.api.items import router\n\n\n"
        '@router.get("/{item_id}/more")\nasync def more(item_id: int) -> int:\n'
        "    return item_id\n"
    )
    plan = 'instrument = { "api/items.py" = "ai_block_used", "api/more.py" = "ai_block_used" }'
    root = make_project(tmp_path / "project", plan)
    (root / "backend/app/api/items.py").write_text(PREFIX_SET_PY)
    (root / "backend/app/api/more.py").write_text(more)
    (root / "backend/app/main.py").write_text(main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert routes_by_handler(root / "backend/app/api/items.py") == {
        "first": "/api/first",
        "item": "/api/items/{item_id}",
    }
    assert routes_by_handler(root / "backend/app/api/more.py") == {
        "more": "/api/items/{item_id}/more"
    }
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/api/items/4").json() == 4
        assert client.get("/api/items/4/more").json() == 4
        assert client.get("/api/first").json() == 1


def test_a_prefix_assigned_to_an_including_router_applies_to_its_includes_below(
    tmp_path: Path,
) -> None:
    # `api_router.prefix = "/v1"` above `api_router.include_router(...)`: FastAPI adds it.
    api = API_PY.replace(
        "api_router = APIRouter()\n", 'api_router = APIRouter()\napi_router.prefix = "/v1"\n'
    )
    root = _project(tmp_path, _main('app.include_router(api_router, prefix="/api")'), api)
    _generates_and_serves_items(root, "/api/v1", "only known at run time")


CBV_PY = """from fastapi import APIRouter


def register_endpoints(router: APIRouter, cls: type) -> None:
    cbv_router = APIRouter()
    moved = [route for route in router.routes if getattr(route, "endpoint", None) in vars(cls)]
    for route in moved:
        router.routes.remove(route)
    cbv_router.routes = moved
    cbv_router.routes.sort(key=lambda route: route.path)
    cbv_prefix = router.prefix
    router.prefix = ""
    router.include_router(cbv_router, prefix=cbv_prefix)
"""


def test_a_local_router_given_no_declared_route_is_not_said_to_lose_its_prefix(
    tmp_path: Path,
) -> None:
    """A class-based-view helper copied from fastapi-utils (mealie's `controller`) includes
    `cbv_router`, filled at run time through `.routes`, with `prefix=cbv_prefix`: no route of the
    package is declared on it, so no line says its routes lose that prefix."""
    root = _project(tmp_path, _main('app.include_router(api_router, prefix="/v1")'))
    (root / "backend/app/api/cbv.py").write_text(CBV_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "cbv_prefix" not in result.stdout, result.stdout
    assert _routes(root)["get_item"] == "/v1/items/{item_id}"


@pytest.mark.parametrize(
    ("loop", "before"),
    [
        (
            'for router in registry.all_routers():\n    app.include_router(router, prefix="/v1")',
            "",
        ),
        (
            'for router in ROUTERS:\n    app.include_router(router, prefix="/v1")',
            "ROUTERS = registry.all_routers()\n",
        ),
    ],
    ids=["loop-over-the-call", "name-bound-to-the-call"],
)
@pytest.mark.parametrize(
    "body",
    ["return [api_router]", "yield api_router", "yield from (api_router,)"],
    ids=["returned", "yielded", "yielded-from"],
)
def test_routers_a_function_returns_as_a_literal_list_get_the_loops_prefix(
    tmp_path: Path, loop: str, before: str, body: str
) -> None:
    # `def all_routers(): return [...]` returns the same items on every call: they are known;
    # so does a generator only yielding them (`yield api_router`).
    main = _main(loop, "from app.api import registry\n" + before)
    root = _project(tmp_path, main)
    (root / "backend/app/api/registry.py").write_text(
        '"""Routers."""\n\nfrom app.api.router import api_router\n\n\n'
        f'def all_routers() -> list:\n    """All routers."""\n    {body}\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/v1/items/{item_id}"
    assert "only known at run time" not in result.stdout


HELPER_PY = """from fastapi import APIRouter, FastAPI


def include_routers(app: FastAPI, routers: list[APIRouter], prefix: str = "/v1") -> None:
    for router in routers:
        app.include_router(router, prefix=prefix)
"""


@pytest.mark.parametrize(
    ("calls", "before", "expected"),
    [
        (["include_routers(app, [api_router])"], "", "/v1"),
        (
            ["include_routers(app, routers=ROUTERS, prefix='/v2')"],
            "ROUTERS = (api_router,)\n",
            "/v2",
        ),
        # Two calls, each passing its items: each router is served where its call puts it.
        (
            ["include_routers(app, [api_router], '/v3')", "include_routers(app, [], '/v3')"],
            "",
            "/v3",
        ),
        # A call passing a list only known at run time: which routers, not known.
        (["include_routers(app, [api_router])", "include_routers(app, more())"], "", ""),
    ],
    ids=["positional-list", "keywords-and-a-name", "two-calls", "one-call-not-known"],
)
def test_routers_a_helper_loops_over_are_the_items_its_calls_pass(
    tmp_path: Path, calls: list[str], before: str, expected: str
) -> None:
    """`def include_routers(app, routers): for router in routers: app.include_router(router)`."""
    main = _main(
        "\n".join(calls),
        "from app.helpers import include_routers\n\nmore = list\n" + before,
    )
    root = _project(tmp_path, main)
    (root / "backend/app/helpers.py").write_text(HELPER_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == f"{expected}/items/{{item_id}}"
    assert ("only known at run time" in result.stdout) == (not expected), result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    if expected:
        with imported_app(root / "backend") as served:
            assert TestClient(served.app).get(f"{expected}/items/3").status_code == 200


@pytest.mark.parametrize(
    ("including", "first", "second"),
    [
        # Each call's including router with that call's list, not every pairing of the two.
        ("parent", "/v1/x/items/{item_id}", "/v2/x/other/{item_id}"),
        # Each call's prefix with that call's list too.
        ("app", "/x1/items/{item_id}", "/x2/other/{item_id}"),
    ],
    ids=["including-router", "prefix"],
)
def test_a_helper_called_several_times_pairs_each_calls_arguments(
    tmp_path: Path, including: str, first: str, second: str
) -> None:
    """`def include_all(parent, routers, prefix): for r in routers: parent.include_router(r)`."""
    if including == "parent":
        calls = (
            "v1 = APIRouter()\nv2 = APIRouter()\n"
            'include_all(v1, [api_router], "/x")\ninclude_all(v2, [other.router], "/x")\n'
            'app.include_router(v1, prefix="/v1")\napp.include_router(v2, prefix="/v2")'
        )
    else:
        calls = 'include_all(app, [api_router], "/x1")\ninclude_all(app, [other.router], "/x2")'
    main = (
        "from fastapi import APIRouter, FastAPI\n\nfrom app.api import other\n"
        "from app.api.router import api_router\n\n\n"
        "def include_all(parent, routers, prefix):  # type: ignore[no-untyped-def]\n"
        "    for r in routers:\n        parent.include_router(r, prefix=prefix)\n\n\n"
        f"app = FastAPI()\n{calls}\n"
    )
    root = _project(tmp_path, main)
    (root / "backend/app/api/other.py").write_text(
        ITEMS_PY.replace("items", "other").replace(
            'router = APIRouter(tags=["other"])', 'router = APIRouter(prefix="/other")'
        )
    )
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml")
        .read_text()
        .replace(PLAN, PLAN.replace(" }", ', "api/other.py" = "ai_block_used" }'))
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == first, result.stdout
    assert routes_by_handler(root / "backend/app/api/other.py")["get_item"] == second
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get(first.replace("{item_id}", "3")).status_code == 200
        assert client.get(second.replace("{item_id}", "3")).status_code == 200


@pytest.mark.parametrize(
    ("signature", "call", "first", "second"),
    [
        # Each call's router with that call's prefix (positional, then keyword).
        ("parent, router, prefix=''", "{parent}, {router}, {prefix!r}", "/x1", "/x2"),
        ("parent, router, prefix=''", "{parent}, router={router}, prefix={prefix!r}", "/x1", "/x2"),
        # Options passed on whole: a prefix they may hold is not known; said on a line.
        ("parent, router, **options", "{parent}, {router}", "", ""),
    ],
    ids=["positional", "keywords", "options-passed-on"],
)
def test_a_helper_including_the_one_router_each_call_gives_includes_each(
    tmp_path: Path, signature: str, call: str, first: str, second: str
) -> None:
    """`def include(parent, router, prefix): parent.include_router(router, prefix=prefix)`
    called once per router (onyx's `include_router_with_global_prefix_prepended`): each call's
    router is served under that call's prefix; they were followed for no call."""
    body = (
        "parent.include_router(router, **options)"
        if "options" in signature
        else "parent.include_router(router, prefix=prefix)"
    )
    calls = "\n    ".join(
        "include(" + call.format(parent="application", router=router, prefix=prefix) + ")"
        for router, prefix in (("api_router", "/x1"), ("other.router", "/x2"))
    )
    main = (
        "from fastapi import FastAPI\n\nfrom app.api import other\n"
        "from app.api.router import api_router\n\n\n"
        f"def include({signature}) -> None:  # type: ignore[no-untyped-def]\n    {body}\n\n\n"
        f"def get_application() -> FastAPI:\n    application = FastAPI()\n    {calls}\n"
        "    return application\n\n\napp = get_application()\n"
    )
    root = _project(tmp_path, main)
    (root / "backend/app/api/other.py").write_text(
        ITEMS_PY.replace("items", "other").replace(
            'router = APIRouter(tags=["other"])', 'router = APIRouter(prefix="/other")'
        )
    )
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml")
        .read_text()
        .replace(PLAN, PLAN.replace(" }", ', "api/other.py" = "ai_block_used" }'))
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == f"{first}/items/{{item_id}}", result.stdout
    assert routes_by_handler(root / "backend/app/api/other.py")["get_item"] == (
        f"{second}/other/{{item_id}}"
    )
    assert "no `include_router` the tool can follow" not in result.stdout, result.stdout
    said = "`**options` may pass a prefix only known at run time"
    assert (said in result.stdout) == ("options" in signature), result.stdout
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get(f"{first}/items/3").status_code == 200
        assert client.get(f"{second}/other/3").status_code == 200


def test_routers_a_static_method_loops_over_are_the_items_its_calls_pass(
    tmp_path: Path,
) -> None:
    """`Loader.add_routers(app=app, routers=[...], prefix=...)`, a `@staticmethod` of a class."""
    main = _main(
        "Loader.add_routers(app=app, routers=[api_router], prefix='/v4')",
        "from app.helpers import Loader\n",
    )
    root = _project(tmp_path, main)
    (root / "backend/app/helpers.py").write_text(
        "from fastapi import APIRouter, FastAPI\n\n\nclass Loader:\n    @staticmethod\n"
        "    def add_routers(app: FastAPI, routers: list[APIRouter], prefix: str) -> None:\n"
        "        for router in routers:\n            if router:\n"
        "                app.include_router(router=router, prefix=prefix)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/v4/items/{item_id}"
    assert "only known at run time" not in result.stdout, result.stdout
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/v4/items/3").status_code == 200


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("routers = [api_router]\n    for router in routers:", "/v5"),
        ("routers: tuple = (api_router,)\n    for router in routers:", "/v5"),
        # Items added by its own statements are items too.
        ("routers = []\n    routers.append(api_router)\n    for router in routers:", "/v5"),
        # Changed in place otherwise, or bound twice: its items are not the literal's.
        ("routers = [api_router]\n    routers.pop()\n    for router in routers:", ""),
        ("routers = [api_router]\n    routers = []\n    for router in routers:", ""),
    ],
    ids=["list", "annotated-tuple", "appended-to", "popped", "rebound"],
)
def test_routers_a_factory_loops_over_from_a_local_literal_get_the_loops_prefix(
    tmp_path: Path, body: str, expected: str
) -> None:
    """`def create_app(): routers = [...]; for router in routers: app.include_router(...)`."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.router import api_router\n\n\n"
        "def create_app() -> FastAPI:\n    app = FastAPI()\n"
        f"    {body}\n        app.include_router(router, prefix='/v5')\n    return app\n\n\n"
        "app = create_app()\n"
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == f"{expected}/items/{{item_id}}"
    assert ("only known at run time" in result.stdout) == (not expected), result.stdout


def test_an_include_prefix_held_by_an_enum_member_is_its_value(tmp_path: Path) -> None:
    main = _main(
        "app.include_router(api_router, prefix=Prefix.V1.value)",
        "from app.paths import Prefix\n",
    )
    root = _project(tmp_path, main)
    (root / "backend/app/paths.py").write_text(
        'from enum import Enum\n\n\nclass Prefix(Enum):\n    V1 = "/v1"\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/v1/items/{item_id}"


def test_an_including_routers_own_prefix_is_part_of_the_route(tmp_path: Path) -> None:
    """`api_router = APIRouter(prefix="/v1")` serves what it includes under /v1 as well."""
    api = API_PY.replace("api_router = APIRouter()", 'api_router = APIRouter(prefix="/v1")')
    root = _project(tmp_path, _main('app.include_router(api_router, prefix="/api")'), api)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root) == {"list_items": "/api/v1/items/", "get_item": "/api/v1/items/{item_id}"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


SETUP_PY = """from fastapi import FastAPI


def register_routes({parameter}) -> None:
    from app.api.router import api_router

    app.include_router(api_router, prefix="/api")
"""


@pytest.mark.parametrize(
    ("parameter", "calls", "expected"),
    [
        # Annotated: an app, whoever calls it.
        ("app: FastAPI", "", "/api/items/{item_id}"),
        # Not annotated: every call in the package passes an app.
        ("app", "register_routes(app)\n", "/api/items/{item_id}"),
        ("app", "setup.register_routes(app=app)\n", "/api/items/{item_id}"),
        # One call passes something else: the object is not known to be an app.
        ("app", "register_routes(app)\nregister_routes(object())\n", "/{item_id}"),
        # Never called in the package: not known either (the router's own path is named).
        ("app", "", "/{item_id}"),
    ],
    ids=["annotated", "called-with-the-app", "by-keyword", "called-with-other", "never-called"],
)
def test_routers_included_by_a_function_given_the_app(
    tmp_path: Path, parameter: str, calls: str, expected: str
) -> None:
    """`def init_views(app: FastAPI)` / `def configure_routes(app)`, called with the app."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api import setup\n"
        "from app.api.setup import register_routes\n\napp = FastAPI()\n" + calls
    )
    root = _project(tmp_path, main)
    (root / "backend/app/api/setup.py").write_text(SETUP_PY.format(parameter=parameter))
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root)["get_item"] == expected
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


WIRING_PY = """from fastapi import APIRouter, FastAPI

from app.api import items


def include_routers(app: FastAPI) -> None:
    v1_router = APIRouter({own})
    v1_router.include_router(items.router, prefix="/items")
    {wire}
"""


@pytest.mark.parametrize(
    ("own", "wire", "expected"),
    [
        # Built, filled and included by the function given the app.
        ("", 'app.include_router(v1_router, prefix="/v1")', "/v1/items/{item_id}"),
        ('prefix="/api"', "app.include_router(v1_router)", "/api/items/{item_id}"),
        # Handed back to the caller: where it is served is not known here.
        ("", "return v1_router  # type: ignore[return-value]", "/{item_id}"),
    ],
    ids=["included-there", "own-prefix", "returned"],
)
def test_a_router_built_in_the_wiring_function_passes_its_prefixes_on(
    tmp_path: Path, own: str, wire: str, expected: str
) -> None:
    """`def wire(app): v1 = APIRouter(); v1.include_router(x); app.include_router(v1)`."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.wiring import include_routers\n\n"
        "app = FastAPI()\ninclude_routers(app)\n"
    )
    root = _project(tmp_path, main, api='"""Nothing included here."""\n')
    (root / "backend/app/api/wiring.py").write_text(WIRING_PY.format(own=own, wire=wire))
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root)["get_item"] == expected
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    if expected != "/{item_id}":
        with imported_app(root / "backend") as served:
            client = TestClient(served.app)
            assert client.get(expected.replace("{item_id}", "3")).status_code == 200


@pytest.mark.parametrize(
    "package_init", ["from . import items, router\n", "from app.api import items\n"]
)
def test_a_package_importing_its_own_submodules_does_not_hide_them(
    tmp_path: Path, package_init: str
) -> None:
    """`app/api/__init__.py: from . import items`: `items.router` elsewhere is still that router."""
    root = _project(tmp_path, _main('app.include_router(api_router, prefix="/api/v1")'))
    (root / "backend/app/api/__init__.py").write_text(package_init)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root) == {"list_items": "/api/v1/items/", "get_item": "/api/v1/items/{item_id}"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def test_a_folder_without_init_inside_the_package_is_followed(tmp_path: Path) -> None:
    """`from app.api import items` where app/api has no __init__.py (a namespace package)."""
    root = _project(tmp_path, _main('app.include_router(api_router, prefix="/api/v1")'))
    (root / "backend/app/api/__init__.py").unlink()
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root) == {"list_items": "/api/v1/items/", "get_item": "/api/v1/items/{item_id}"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def test_a_module_bound_over_the_name_of_its_folder_without_init_is_followed(
    tmp_path: Path,
) -> None:
    """The package's __init__.py: `from app.api.items import views as items`, items/ no package.

    The name it binds is its folder's name too, and app/api/items/ has no __init__.py:
    `items.router` is the router of items/views.py, included under its prefix, not a name
    looked up in the folder again.
    """
    main = _main('app.include_router(api_router, prefix="/api/v1")')
    root = _project(tmp_path, main.replace("app.api.router", "app.api"))
    (root / "backend/app/api/router.py").unlink()
    (root / "backend/app/api/__init__.py").write_text(
        API_PY.replace("from app.api import items", "from app.api.items import views as items")
    )
    (root / "backend/app/api/items").mkdir()
    (root / "backend/app/api/items.py").rename(root / "backend/app/api/items/views.py")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"api/items.py"', '"api/items/views.py"'))
    assert run("generate", "--root", str(root)).exit_code == 0
    assert routes_by_handler(root / "backend/app/api/items/views.py") == {
        "list_items": "/api/v1/items/",
        "get_item": "/api/v1/items/{item_id}",
    }
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


_USERS_ALIAS = "from fastapi import APIRouter\n\nfrom .users import router as users\n"


@pytest.mark.parametrize(
    ("api", "main", "prefix"),
    [
        # The package binds `users` to users/router.py over its folder: `users.router` read
        # from outside is that module's router as Python runs it, or the module router.py as
        # `from app.api.users import router` names it. Not known which: not followed, said so.
        (
            _USERS_ALIAS,
            "from fastapi import FastAPI\n\nfrom app.api import users\n\napp = FastAPI()\n"
            'app.include_router(users.router, prefix="/users")\n',
            None,
        ),
        # Inside the package the alias is read directly: its router, under the prefix.
        (
            _USERS_ALIAS + "\napi_router = APIRouter()\n"
            'api_router.include_router(users.router, prefix="/users")\n',
            "from fastapi import FastAPI\n\nfrom app.api import api_router\n\n"
            'app = FastAPI()\napp.include_router(api_router, prefix="/v1")\n',
            "/v1/users",
        ),
    ],
    ids=["from-outside", "in-the-package"],
)
def test_a_module_bound_over_its_folder_of_the_same_module_name_is_not_guessed(
    tmp_path: Path, api: str, main: str, prefix: str | None
) -> None:
    """`from .users import router as users` in app/api/__init__.py, users/ without __init__.py."""
    root = make_project(
        tmp_path / "project", 'instrument = { "api/users/router.py" = "ai_block_used" }'
    )
    write_files(
        root,
        {
            "backend/app/api/__init__.py": api,
            "backend/app/api/users/router.py": ITEMS_PY,
            "backend/app/api/users/schemas.py": "X = 1\n",
            "backend/app/main.py": main,
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "included by no app" not in result.stdout
    routes = routes_by_handler(root / "backend/app/api/users/router.py")
    if prefix is None:
        assert (
            "router.py:8: `router` of app.api.users.router is included by no `include_router` "
            "the tool can follow (the router of `users.router` at backend/app/main.py:6"
        ) in result.stdout
        assert routes == {"list_items": "/", "get_item": "/{item_id}"}
    else:
        assert routes == {"list_items": f"{prefix}/", "get_item": f"{prefix}/{{item_id}}"}


STARLETTE_MAIN = """from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.routing import Mount

from app.api.router import api_router

api = FastAPI()
api.include_router(api_router, prefix="/v1")
{mount}
"""


@pytest.mark.parametrize(
    ("main", "expected"),
    [
        # Both apps built in the factory: the mount path is known.
        (
            "from fastapi import FastAPI\n\nfrom app.api.router import api_router\n\n\n"
            "def create_app() -> FastAPI:\n    api = FastAPI()\n"
            '    api.include_router(api_router, prefix="/v2")\n    app = FastAPI()\n'
            '    app.mount("/api", api)\n    return app\n\n\napp = create_app()\n',
            "/api/v2/items/{item_id}",
        ),
        # Module-level apps, by keyword.
        (
            _main(
                'api = FastAPI()\napi.include_router(api_router)\napp.mount(path="/api", app=api)'
            ),
            "/api/items/{item_id}",
        ),
        # A mount path only known at run time: left out, the prefixes inside it stay.
        (
            _main(
                "api = FastAPI()\napi.include_router(api_router)\n"
                'app.mount(os.environ["ROOT"], api)',
                "import os\n",
            ),
            "/items/{item_id}",
        ),
        # A mount path read from a settings object: its default, as for include prefixes.
        (
            _main(
                "api = FastAPI()\napi.include_router(api_router)\n"
                'app.mount(f"{settings.ROOT}/v1", api)',
                "from app.settings import settings\n",
            ),
            "/api/v1/items/{item_id}",
        ),
        # Mounted at "/" (Starlette takes the trailing slash off): no extra slash.
        (
            _main(
                'api = FastAPI()\napi.include_router(api_router, prefix="/v1")\napp.mount("/", api)'
            ),
            "/v1/items/{item_id}",
        ),
        # Mounted into a plain Starlette app (the one served, a frontend mounted beside it).
        (
            STARLETTE_MAIN.format(mount='app = Starlette()\napp.mount("/api", app=api)'),
            "/api/v1/items/{item_id}",
        ),
        (
            STARLETTE_MAIN.format(mount='app = Starlette(routes=[Mount("/api", app=api)])'),
            "/api/v1/items/{item_id}",
        ),
        # Mounted in a loop over literal (path, app) pairs, also numbered by `enumerate`.
        (
            _main(
                "api = FastAPI()\napi.include_router(api_router)\n"
                'VERSIONS = [("/v1", api)]\nfor path, version in VERSIONS:\n'
                "    app.mount(path, version)"
            ),
            "/v1/items/{item_id}",
        ),
        (
            _main(
                "api = FastAPI()\napi.include_router(api_router)\n"
                'VERSIONS = [("/v1", api)]\n\n\ndef mount_versions() -> None:\n'
                "    for number, (path, version) in enumerate(VERSIONS, start=1):\n"
                "        app.mount(path, version)\n\n\nmount_versions()"
            ),
            "/v1/items/{item_id}",
        ),
    ],
    ids=[
        "in-a-factory",
        "module-level",
        "run-time-path",
        "settings-path",
        "at-the-root",
        "into-starlette",
        "starlette-routes",
        "loop",
        "enumerate-in-a-function",
    ],
)
def test_a_mounted_sub_application_logs_the_path_clients_request(
    tmp_path: Path, main: str, expected: str
) -> None:
    root = _project(tmp_path, main)
    (root / "backend/app/settings.py").write_text(
        'class Settings:\n    ROOT = "/api"\n\n\nsettings = Settings()\n'
    )
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root)["get_item"] == expected
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    "mount",
    [
        'app = Starlette(routes=[Mount("/api/v2", app=api)])',
        'app = Starlette()\napp.mount("/api/v2", app=api)',
    ],
    ids=["starlette-routes", "starlette-mount"],
)
def test_the_quickstart_requests_the_layer_under_the_path_the_served_app_mounts_it_at(
    tmp_path: Path, mount: str
) -> None:
    """A plain Starlette app serves `api` at /api/v2: the layer, wired into `api`, answers there.

    The quickstart's requests (curl, `--url`) used to go to the bare server address plus the
    api-prefix, which that server answers with 404.
    """
    root = make_project(tmp_path / "project", f'app = "app.main:app"\n{PLAN}')
    (root / "backend/app/api/items.py").write_text(ITEMS_PY)
    (root / "backend/app/api/router.py").write_text(API_PY)
    (root / "backend/app/main.py").write_text(STARLETTE_MAIN.format(mount=mount))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert _routes(root)["get_item"] == "/api/v2/v1/items/{item_id}"
    quickstart = (root / "specs/059-analytics-telemetry/quickstart.md").read_text()
    assert "uvicorn app.main:app " in quickstart
    assert "curl -s -w '\\n%{http_code}\\n' http://127.0.0.1:8000/api/v2/api/telemetry/health" in (
        quickstart
    )
    assert "health --url http://127.0.0.1:8000/api/v2\n" in quickstart
    assert "http://127.0.0.1:8000/api/telemetry" not in quickstart
    tasks = (root / "specs/059-analytics-telemetry/tasks.md").read_text()
    assert "`curl -X POST http://127.0.0.1:8000/api/v2/api/telemetry/log`" in tasks
    assert "http://127.0.0.1:8000/api/telemetry" not in tasks
    probe = (
        "import sys, warnings; warnings.simplefilter('ignore'); sys.path.insert(0, 'backend')\n"
        "from fastapi.testclient import TestClient\n"
        "from app.main import app\n"
        "print(TestClient(app).get('/api/v2/api/telemetry/health').status_code)\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=False
    )
    assert answer.stdout.split() == ["200"], answer.stderr
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def test_a_sub_application_served_by_host_name_is_served_by_the_app(tmp_path: Path) -> None:
    """`app.host("{tenant}.example.com", api)`: Starlette serves `api` at its own paths for
    that host; its routes were reported as served by no app, their paths as wrong."""
    root = _project(
        tmp_path,
        _main(
            'api = FastAPI()\napi.include_router(api_router, prefix="/v1")\n'
            'app.host("{tenant}.example.com", api)'
        ),
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/v1/items/{item_id}"
    assert "not by the app served" not in result.stdout, result.stdout
    assert "does not serve" not in result.stdout, result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ('f"{settings.ROOT}/v1"', "mount path `settings.ROOT` read as '/api'"),
        ('os.environ["ROOT"]', "mount path `os.environ['ROOT']` is only known at run time"),
    ],
    ids=["settings-default", "run-time"],
)
def test_a_mount_path_not_written_as_a_literal_is_said_in_the_report(
    tmp_path: Path, path: str, said: str
) -> None:
    """What the logged paths assume of a mount path, or leave out, is one line of the report."""
    before = "import os\n\nfrom app.settings import settings\n"
    root = _project(
        tmp_path,
        _main(f"api = FastAPI()\napi.include_router(api_router)\napp.mount({path}, api)", before),
    )
    (root / "backend/app/settings.py").write_text(
        "from pydantic_settings import BaseSettings\n\n\n"
        'class Settings(BaseSettings):\n    ROOT: str = "/api"\n\n\nsettings = Settings()\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    (line,) = [line for line in result.stdout.splitlines() if "mount path" in line]
    assert said in line and "backend/app/main.py:" in line


FACTORY_MAIN = '''"""The app, wired in a factory; a single-page app's catch-all added {where}."""

from fastapi import FastAPI

from app import pages
from app.api import ai_blocks


def page(rest: str) -> str:
    return rest


def serve_frontend(app: FastAPI) -> None:
    @app.get("/{{full_path:path}}")
    def frontend(full_path: str) -> dict[str, str]:
        return {{"page": full_path}}


def configure(app: FastAPI) -> None:
    serve_frontend(app)


def create_app() -> FastAPI:
    app = FastAPI()
{inside}    app.include_router(ai_blocks.router)
{after}    return app


app = create_app()
{outside}'''


@pytest.mark.parametrize(
    ("inside", "outside", "after"),
    [
        # Declared on the factory's result at module level: added after the wiring.
        (
            "",
            '\n@app.get("/{rest:path}")\ndef everything(rest: str) -> str:\n    return rest\n',
            "",
        ),
        # Declared by a function the module calls on the factory's result: after too.
        ("", "serve_frontend(app)\n", ""),
        # Called by the factory before its last include_router: the wiring goes before it.
        ("    serve_frontend(app)\n", "", ""),
        # The same through a function the factory calls.
        ("    configure(app)\n", "", ""),
        # Registered by hand in the factory below the last include, this module's function or
        # another's: the wiring goes before it.
        ("", "", '    app.get("/{rest:path}")(page)\n'),
        ("", "", '    app.add_api_route("/{rest:path}", pages.spa)\n'),
        # Registered by hand before the last include: the wiring goes before it.
        ('    app.get("/{rest:path}")(page)\n', "", ""),
    ],
    ids=[
        "module-level",
        "function-called-later",
        "function-called-in-the-factory",
        "function-called-through-another",
        "by-hand-below-the-last-include",
        "another-modules-function-below-the-last-include",
        "by-hand-before-the-last-include",
    ],
)
def test_a_catch_all_on_the_app_comes_after_the_wiring(
    tmp_path: Path, inside: str, outside: str, after: str
) -> None:
    # Starlette tries routes in the order they were added: wherever the catch-all is added
    # (in the factory, by a function it calls, after it returns), the telemetry router is
    # included before it, and neither shadows the other.
    root = make_project(tmp_path / "project", "instrument = {}")
    (root / "backend/app/main.py").write_text(
        FACTORY_MAIN.format(where="anywhere", inside=inside, outside=outside, after=after)
    )
    (root / "backend/app/pages.py").write_text("def spa(rest: str) -> str:\n    return rest\n")
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "before the telemetry router can" not in result.stdout
    with imported_app(root / "backend") as main:
        client = TestClient(main.app)
        assert "status" in client.get("/api/telemetry/health").json()
        assert "some/page" in client.get("/some/page").text
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


RUN_TIME_CATCH_ALL_MAIN = """import os

from fastapi import APIRouter, FastAPI

from app.api import items

PREFIX = os.environ.get("APP_ROOT_PATH", "")

app = FastAPI()
app.include_router(items.router, prefix="/api/v1")
{router}

@router.get("/{{full_path:path}}")
def serve(full_path: str) -> str:
    return "page " + full_path


{include}
"""


@pytest.mark.parametrize(
    ("router", "include"),
    [
        # The router's own prefix is read from the environment (Chainlit's server module).
        ("router = APIRouter(prefix=PREFIX)\n", "app.include_router(router)"),
        # Known router, include prefix only known at run time, inside a nested router.
        (
            "router = APIRouter()\nouter = APIRouter()\n",
            "outer.include_router(router)\napp.include_router(outer, prefix=PREFIX)",
        ),
    ],
    ids=["router-prefix-from-the-environment", "include-prefix-from-the-environment"],
)
def test_the_wiring_goes_before_an_include_holding_a_catch_all(
    tmp_path: Path, router: str, include: str
) -> None:
    # `app.include_router(router)` last, `router` ending with `GET /{full_path:path}` under a
    # prefix only known at run time (empty by default): a telemetry router included after it
    # would never be reached, and no collision can be named, so it is included before it.
    root = _project(tmp_path, RUN_TIME_CATCH_ALL_MAIN.format(router=router, include=include))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = (root / "backend/app/main.py").read_text()
    wired = text.index("app.include_router(telemetry_router)")
    assert text.index('prefix="/api/v1")') < wired < text.index(include.splitlines()[-1])
    with imported_app(root / "backend") as main:
        client = TestClient(main.app)
        assert "status" in client.get("/api/telemetry/health").json()
        assert client.get("/some/page").json() == "page some/page"
        assert client.get("/api/v1/7").json() == {"id": 7}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("generate", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/main.py").read_text() == text


def test_a_settings_object_built_in_the_app_factory_counts_too(tmp_path: Path) -> None:
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.router import api_router\n"
        "from app.settings import get_settings\n\n\ndef create_app() -> FastAPI:\n"
        "    settings = get_settings()\n    app = FastAPI()\n"
        '    app.include_router(api_router, prefix=f"{settings.API_ROOT}/v1")\n    return app\n'
    )
    root = _project(tmp_path, main)
    (root / "backend/app/settings.py").write_text(
        'class Settings:\n    API_ROOT = "/api"\n\n\ndef get_settings() -> Settings:\n'
        "    return Settings()\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/api/v1/items/{item_id}"
    # A plain class's default: nothing at run time changes it, nothing is said.
    assert "settings.API_ROOT" not in result.stdout, result.stdout


@pytest.mark.parametrize(
    "read",
    [
        'app.include_router(api_router, prefix=get_settings().API_ROOT + "/v1")',
        "settings = get_settings()\n"
        'app.include_router(api_router, prefix=f"{settings.API_ROOT}/v1")',
    ],
    ids=["in-place", "variable"],
)
def test_a_settings_getter_returning_the_class_is_read_as_its_instance(
    tmp_path: Path, read: str
) -> None:
    """`def get_settings(): return Settings` (the class itself), then `get_settings().API_ROOT`."""
    main = _main(read, "from app.settings import get_settings\n")
    root = _project(tmp_path, main)
    (root / "backend/app/settings.py").write_text(
        'class Settings:\n    API_ROOT = "/api"\n\n\ndef get_settings() -> type[Settings]:\n'
        "    return Settings\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/api/v1/items/{item_id}", result.stdout
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/v1/items/3").status_code == 200


def test_a_prefix_held_by_a_plain_class_is_its_value(tmp_path: Path) -> None:
    main = _main(
        'app.include_router(api_router, prefix=Paths.API + "/v1")',
        'class Paths:\n    API = "/api"\n',
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/api/v1/items/{item_id}"
    assert "read as" not in result.stdout  # a constant, not a default: nothing to say


@pytest.mark.parametrize(
    ("settings", "route"),
    [
        (
            "from pydantic_settings import BaseSettings\n\n\n"
            'class Settings(BaseSettings):\n    API_V1_STR: str = "/api/v1"\n\n\n'
            "settings = Settings()\n",
            "/api/v1",
        ),
        (
            "import os\n\n\nclass Settings:\n    def __init__(self) -> None:\n"
            '        self.API_V1_STR = os.environ["API_V1_STR"]\n\n\nsettings = Settings()\n',
            None,
        ),
    ],
    ids=["default", "run-time"],
)
def test_an_including_routers_prefix_from_settings_is_read_as_its_default(
    tmp_path: Path, settings: str, route: str | None
) -> None:
    api = API_PY.replace(
        "api_router = APIRouter()",
        "from app.settings import settings\n\napi_router = APIRouter(prefix=settings.API_V1_STR)",
    )
    root = _project(tmp_path, _main("app.include_router(api_router)"), api)
    (root / "backend/app/settings.py").write_text(settings)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    said = [line for line in result.stdout.splitlines() if "`settings.API_V1_STR`" in line]
    if route is None:
        # Left out: the "/items" it includes the items router under stays.
        assert _routes(root)["get_item"] == "/items/{item_id}"
        assert len(said) == 0, result.stdout
        said = [line for line in result.stdout.splitlines() if "`api_router`" in line]
        assert len(said) == 1 and "only known at run time" in said[0], result.stdout
    else:
        assert _routes(root)["get_item"] == f"{route}/items/{{item_id}}"
        assert len(said) == 1 and "backend/app/api/router.py:" in said[0], result.stdout


def test_a_router_included_under_prefixes_only_known_at_run_time_shadows_nothing_known(
    tmp_path: Path,
) -> None:
    # `for prefix in route_prefixes(): app.include_router(proxy.router, prefix=prefix)`: the
    # router is known, its prefixes are not, so its catch-all is not served at "" and claims
    # no telemetry path; the route is logged as the router declares it, and generate says so.
    root = make_project(tmp_path / "project", 'instrument = { "api/proxy.py" = "ai_block_used" }')
    (root / "backend/app/api/proxy.py").write_text(
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/{name:path}")\ndef forward(name: str) -> str:\n    return name\n'
    )
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api import proxy\nfrom app.config import "
        "route_prefixes\n\napp = FastAPI()\nfor prefix in route_prefixes():\n"
        "    app.include_router(proxy.router, prefix=prefix)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "before the telemetry router can" not in result.stdout
    assert "include prefix `prefix` is only known at run time" in result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


FACTORY_PY = """from fastapi import APIRouter

from app.api import items


def build_api_router(*, version_prefix: str = "/v0") -> APIRouter:
    router = APIRouter()
    router.include_router(items.router, prefix=version_prefix + "/items")
    return router
"""


@pytest.mark.parametrize(
    ("calls", "expected"),
    [
        # Built by a function the app's include calls, the prefix passed to it.
        (['app.include_router(build_api_router(version_prefix="/v1"), prefix="/api")'], "/api/v1"),
        # A constant passed, the function called once more to build an unused router.
        (
            [
                "app.include_router(build_api_router(version_prefix=V1), prefix='/api')",
                "spare = build_api_router(version_prefix=V1)",
            ],
            "/api/v1",
        ),
        # Called without it: the parameter's default.
        (['app.include_router(build_api_router(), prefix="/api")'], "/api/v0"),
        # Its result assigned first, then included.
        (
            [
                "api_router = build_api_router(version_prefix='/v1')",
                "app.include_router(api_router, prefix='/api')",
            ],
            "/api/v1",
        ),
        # Two calls passing two prefixes: the router's routes have no one path.
        (
            [
                "app.include_router(build_api_router(version_prefix='/v1'))",
                "app.include_router(build_api_router(version_prefix='/v2'))",
            ],
            "",
        ),
    ],
    ids=["passed", "same-constant-twice", "default", "assigned-first", "two-prefixes"],
)
def test_a_router_built_by_a_function_logs_the_prefixes_its_calls_pass(
    tmp_path: Path, calls: list[str], expected: str
) -> None:
    """`app.include_router(build_api_router(version_prefix=...))`, the function's own router."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.factory import build_api_router\n\n"
        'V1 = "/v1"\napp = FastAPI()\n' + "\n".join(calls) + "\n"
    )
    root = _project(tmp_path, main, api='"""Nothing included here."""\n')
    (root / "backend/app/api/factory.py").write_text(FACTORY_PY)
    assert run("generate", "--root", str(root)).exit_code == 0
    route = _routes(root)["get_item"]
    assert route == (f"{expected}/items/{{item_id}}" if expected else "/{item_id}")
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    if expected:
        with imported_app(root / "backend") as served:
            assert TestClient(served.app).get(route.replace("{item_id}", "3")).status_code == 200


@pytest.mark.parametrize(
    ("field", "config", "variable"),
    [
        ("api: ApiSettings = ApiSettings()", "", "api"),
        (
            "api: ApiSettings = Field(default_factory=ApiSettings)",
            'model_config = SettingsConfigDict(env_nested_delimiter="__")',
            "api__v1_prefix",
        ),
        (
            "api: ApiSettings = ApiSettings()",
            'model_config = SettingsConfigDict(env_prefix="APP_", env_nested_delimiter="__")',
            "APP_API__V1_PREFIX",
        ),
    ],
    ids=["instance-read-as-json", "default-factory-nested-delimiter", "env-prefix"],
)
def test_a_prefix_in_a_nested_settings_group_is_its_default(
    tmp_path: Path, field: str, config: str, variable: str
) -> None:
    """`settings.api.v1_prefix`: a settings object's field holding a group of its own."""
    root = _project(
        tmp_path, SETTINGS_MAIN.replace("settings.API_V1_STR", "settings.api.v1_prefix")
    )
    (root / "backend/app/settings.py").write_text(
        "from pydantic import BaseModel, Field\n"
        "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\n"
        'class ApiSettings(BaseModel):\n    v1_prefix: str = "/api/v1"\n\n\n'
        f"class Settings(BaseSettings):\n    {config}\n    {field}\n\n\nsettings = Settings()\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/api/v1/items/{item_id}"
    said = [line for line in result.stdout.splitlines() if "`settings.api.v1_prefix`" in line]
    assert len(said) == 1 and f"environment variable {variable} set" in said[0], result.stdout


def test_routes_of_a_router_a_function_builds_get_the_prefix_it_is_included_under(
    tmp_path: Path,
) -> None:
    """`def build_router(): router = APIRouter(); @router.get(...)`, included by its call."""
    root = make_project(tmp_path / "project", 'instrument = { "api/built.py" = "ai_block_used" }')
    (root / "backend/app/api/built.py").write_text(
        "from fastapi import APIRouter\n\n\ndef build_router() -> APIRouter:\n"
        '    router = APIRouter(prefix="/things")\n\n    @router.get("/{thing_id}")\n'
        "    async def get_thing(thing_id: int) -> dict[str, int]:\n"
        '        return {"id": thing_id}\n\n    return router\n'
    )
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api.built import build_router\n\n"
        'app = FastAPI()\napp.include_router(build_router(), prefix="/api")\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "log call in get_thing (GET /api/things/{thing_id})" in result.stdout
    assert '"route": "/api/things/{thing_id}"' in (root / "backend/app/api/built.py").read_text()
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/things/4").status_code == 200


def test_routers_a_factory_builds_twice_keep_their_own_prefixes(tmp_path: Path) -> None:
    """`users = make_router()` and `teams = make_router()`: one factory, two routers."""
    root = make_project(tmp_path / "project", 'instrument = { "api/crud.py" = "ai_block_used" }')
    (root / "backend/app/api/crud.py").write_text(
        "from fastapi import APIRouter\n\n\ndef make_router() -> APIRouter:\n"
        '    router = APIRouter()\n\n    @router.get("/count")\n'
        "    async def count() -> int:\n        return 0\n\n    return router\n\n\n"
        'users = make_router()\nteams = make_router()\n\n\n@users.get("/me")\n'
        'async def me() -> dict[str, str]:\n    return {"who": "me"}\n'
    )
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api import crud\n\napp = FastAPI()\n"
        'app.include_router(crud.users, prefix="/users")\n'
        'app.include_router(crud.teams, prefix="/teams")\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    # Its own route: under its own include prefix and the (empty) prefix of the router the
    # factory returns. The factory's: served twice, no one path.
    crud = (root / "backend/app/api/crud.py").read_text()
    assert '"route": "/users/me",' in crud
    assert '"route": "/count",' in crud
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/users/me").status_code == 200
        assert client.get("/teams/count").status_code == 200


ENVIRONMENT_SETTINGS = """from enum import Enum
from functools import lru_cache


class Stage(Enum):
    dev = "dev"
    prod = "prod"


class AppSettings:
    stage: Stage = Stage.prod
    api_prefix: str = "/api"


class DevSettings(AppSettings):
    debug: bool = True
{override}

class ProdSettings(AppSettings):
    debug: bool = False


STAGES: dict[Stage, type[AppSettings]] = {{Stage.dev: DevSettings, Stage.prod: ProdSettings}}


@lru_cache
def get_app_settings() -> AppSettings:
    chosen = STAGES[AppSettings().stage]
    return chosen()
"""


@pytest.mark.parametrize(
    ("override", "route"),
    [
        # No class it may return changes the field: the annotated class's default it is.
        ("", "/api/items/{item_id}"),
        # One does: the prefix is only known at run time, and left out.
        ('    api_prefix: str = "/dev-api"\n', "/items/{item_id}"),
    ],
    ids=["same-default", "overridden"],
)
def test_a_settings_getter_choosing_the_class_at_run_time_gives_its_annotated_class_default(
    tmp_path: Path, override: str, route: str
) -> None:
    """`return chosen()` of a class picked per stage under `-> AppSettings`: its default."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.router import api_router\n"
        "from app.settings import get_app_settings\n\n\ndef create_app() -> FastAPI:\n"
        "    settings = get_app_settings()\n    app = FastAPI()\n"
        "    app.include_router(api_router, prefix=settings.api_prefix)\n    return app\n\n\n"
        "app = create_app()\n"
    )
    root = _project(tmp_path, main)
    (root / "backend/app/settings.py").write_text(ENVIRONMENT_SETTINGS.format(override=override))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == route
    said = [line for line in result.stdout.splitlines() if "`settings.api_prefix`" in line]
    # Plain classes alike: their one default is no assumption, said only when unknown.
    assert len(said) == (0 if not override else 1), result.stdout
    assert all("read as" not in line for line in said), said


NESTED_SETTINGS = """from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings


class ApiConfig(BaseModel):
    prefix: str = "/api/v2"


class Settings(BaseSettings):
    api: ApiConfig = {api}


settings = Settings({arguments})
"""


@pytest.mark.parametrize(
    ("api", "arguments", "route"),
    [
        ("ApiConfig()", "", "/api/v2/items/{item_id}"),
        ("Field(default_factory=ApiConfig)", "", "/api/v2/items/{item_id}"),
        ('ApiConfig(prefix="/given")', "", "/given/items/{item_id}"),
        ("ApiConfig()", 'api=ApiConfig(prefix="/passed")', "/passed/items/{item_id}"),
        # Built from something the tool cannot follow: only known at run time, left out.
        ("ApiConfig()", "**overrides", "/items/{item_id}"),
    ],
    ids=["instance", "default-factory", "given-in-the-class", "passed-in-the-call", "unknown"],
)
def test_a_prefix_in_a_nested_settings_model_is_read_as_its_default(
    tmp_path: Path, api: str, arguments: str, route: str
) -> None:
    """`settings.api.prefix`: a model held by a settings field, its own field's default."""
    root = _project(
        tmp_path,
        _main(
            "app.include_router(api_router, prefix=settings.api.prefix)",
            "from app.settings import settings\n",
        ),
    )
    settings = NESTED_SETTINGS.format(api=api, arguments=arguments)
    if arguments.startswith("**"):
        settings = settings.replace("settings = ", "overrides: dict = {}\nsettings = ")
    (root / "backend/app/settings.py").write_text(settings)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == route
    said = [line for line in result.stdout.splitlines() if "`settings.api.prefix`" in line]
    if route.startswith(("/given", "/passed")):
        assert not said, result.stdout  # a value given, not a default: nothing assumed
    else:
        assert len(said) == 1, result.stdout
    if route.startswith("/api/v2"):
        # The settings object holding the model reads the environment: said so.
        assert "read as '/api/v2'" in said[0] and "environment" in said[0], said


def test_a_settings_object_reached_through_its_module_is_still_read(tmp_path: Path) -> None:
    """`from app import settings as config; config.settings.API_V1_STR`: a variable, not a field."""
    root = _project(
        tmp_path,
        _main(
            "app.include_router(api_router, prefix=config.settings.API_V1_STR)",
            "from app import settings as config\n",
        ),
    )
    (root / "backend/app/settings.py").write_text(
        'class Settings:\n    API_V1_STR = "/api/v1"\n\n\nsettings = Settings()\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/api/v1/items/{item_id}"


ADD_ROUTES_PY = '''"""Routes registered on the router a caller passes."""

from fastapi import APIRouter


def add_routes(router: APIRouter) -> None:
    @router.get("/things/{thing_id}")
    async def get_thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}
'''


@pytest.mark.parametrize(
    ("api", "route", "note"),
    [
        # Called once, with a router the package builds and includes: its prefixes.
        (
            API_PY + "\nfrom app.api.added import add_routes\n\n"
            'extra = APIRouter(prefix="/extra")\nadd_routes(extra)\n'
            'api_router.include_router(extra, prefix="/more")\n',
            "/api/v1/more/extra/things/{thing_id}",
            False,
        ),
        # Called with two routers: served under two paths, the router's own prefix is logged.
        (
            API_PY + "\nfrom app.api.added import add_routes\n\n"
            'one = APIRouter(prefix="/one")\ntwo = APIRouter(prefix="/two")\n'
            "add_routes(one)\nadd_routes(two)\n"
            "api_router.include_router(one)\napi_router.include_router(two)\n",
            None,
            True,
        ),
        # Passed on by a function of its own parameter's router, reached through a module
        # re-exporting `add_routes`: the router the outer function is called with.
        (
            API_PY + "\nfrom app.api import passing\n\n"
            'extra = APIRouter(prefix="/extra")\npassing.register(extra)\n'
            "api_router.include_router(extra)\n",
            "/api/v1/extra/things/{thing_id}",
            False,
        ),
    ],
    ids=["one-router-passed", "two-routers-passed", "passed-on-by-a-caller"],
)
def test_routes_on_a_router_parameter_get_the_prefixes_of_the_router_passed(
    tmp_path: Path, api: str, route: str | None, note: bool
) -> None:
    """`def add_routes(router: APIRouter): @router.get(...)`, called with the app's router."""
    root = make_project(
        tmp_path / "project",
        'instrument = { "api/items.py" = "ai_block_used", "api/added.py" = "ai_block_used" }',
    )
    (root / "backend/app/api/items.py").write_text(ITEMS_PY)
    (root / "backend/app/api/added.py").write_text(ADD_ROUTES_PY)
    if "passing" in api:
        (root / "backend/app/api/reexport.py").write_text(
            'from app.api.added import add_routes\n\n__all__ = ["add_routes"]\n'
        )
        (root / "backend/app/api/passing.py").write_text(
            "from fastapi import APIRouter\n\nfrom app.api import reexport\n\n\n"
            "def register(router: APIRouter) -> None:\n    reexport.add_routes(router)\n"
        )
    (root / "backend/app/api/router.py").write_text(api)
    (root / "backend/app/main.py").write_text(
        _main('app.include_router(api_router, prefix="/api/v1")')
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    added = (root / "backend/app/api/added.py").read_text()
    if route is not None:
        assert f'"route": "{route}"' in added
        with imported_app(root / "backend") as served:
            assert TestClient(served.app).get(route.replace("{thing_id}", "3")).status_code == 200
    else:
        assert '"route": router.prefix + "/things/{thing_id}"' in added
    said = [line for line in result.stdout.splitlines() if "is a parameter of `add_routes`" in line]
    assert len(said) == (1 if note else 0), result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    ("assignments", "prefix"),
    [
        # A settings-like object built from a settings field: that field's default.
        ("configuration = Configuration(API_V1_STR=settings.api_base)\n", "/api/v2"),
        # Built from itself: not known (and no endless reading).
        (
            "configuration = Configuration(API_V1_STR=configuration.API_V1_STR)\n",
            "",
        ),
    ],
    ids=["keyword-read-through-settings", "keyword-read-through-itself"],
)
def test_a_settings_call_keyword_read_through_settings_is_its_default(
    tmp_path: Path, assignments: str, prefix: str
) -> None:
    """`Configuration(base_url=settings.api_base)`, then `prefix=configuration.base_url`."""
    root = _project(tmp_path, SETTINGS_MAIN.replace("import settings", "import configuration"))
    (root / "backend/app/main.py").write_text(
        (root / "backend/app/main.py")
        .read_text()
        .replace("settings.API_V1_STR", "configuration.API_V1_STR")
    )
    (root / "backend/app/settings.py").write_text(
        "from pydantic import BaseModel\nfrom pydantic_settings import BaseSettings\n\n\n"
        'class Settings(BaseSettings):\n    api_base: str = "/api/v2"\n\n\n'
        'class Configuration(BaseModel):\n    API_V1_STR: str = "/x"\n\n\n'
        "settings = Settings()\n" + assignments
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == f"{prefix}/items/{{item_id}}"
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    ("include", "prefix"),
    [
        ('app.include_router(getattr(module, "router"), prefix="/api")', "/api"),
        ('app.include_router(module.router, prefix="/api")', "/api"),
        ("app.include_router(module.router)", ""),
    ],
    ids=["getattr-with-prefix", "attribute-with-prefix", "no-prefix"],
)
def test_routers_of_modules_a_folder_lists_at_run_time_are_served_under_the_prefix(
    tmp_path: Path, include: str, prefix: str
) -> None:
    """`iter_modules(api.__path__)` then `importlib.import_module(...)`: the routers of the
    folder's modules, each served under the include's prefix; nothing left out to say."""
    main = (
        "import importlib\nimport pkgutil\n\nfrom fastapi import FastAPI\n\nfrom app import api\n\n"
        "app = FastAPI()\n\n\ndef register_routers(app: FastAPI) -> None:\n"
        "    for info in pkgutil.iter_modules(api.__path__):\n"
        '        module = importlib.import_module(f"app.api.{info.name}")\n'
        f"        {include}\n\n\nregister_routers(app)\n"
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "run time" not in result.stdout
    assert _routes(root) == {"list_items": f"{prefix}/", "get_item": f"{prefix}/{{item_id}}"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


_DISCOVERY_HEAD = (
    "import importlib\nimport importlib.util\nimport os\nimport pkgutil\n"
    "from importlib.util import module_from_spec, spec_from_file_location\n"
    "from pathlib import Path\n\n"
    "from fastapi import FastAPI\n\nfrom app import api\n\napp = FastAPI()\n\n\n"
)
_INCLUDE = (
    '        if hasattr(module, "router"):\n'
    '            app.include_router(module.router, prefix="/api")\n'
)


@pytest.mark.parametrize(
    "discovery",
    [
        # The folder a parameter stands for, the one every call passes.
        "def register_routers(app: FastAPI, package: object) -> None:\n"
        "    for info in pkgutil.iter_modules(package.__path__):\n"
        '        module = importlib.import_module(f"app.api.{info.name}")\n'
        f"{_INCLUDE}\n\nregister_routers(app, api)\n",
        "def register_routers(app: FastAPI, package_dir: str) -> None:\n"
        "    for info in pkgutil.iter_modules([package_dir]):\n"
        '        module = importlib.import_module(f"app.api.{info.name}")\n'
        f"{_INCLUDE}\n\n"
        'register_routers(app, os.path.join(os.path.dirname(__file__), "api"))\n',
        # Files of a folder listed by hand, each imported by its name.
        "def register_routers(app: FastAPI) -> None:\n"
        "    for name in os.listdir(os.path.dirname(api.__file__)):\n"
        '        if not name.endswith(".py"):\n            continue\n'
        '        module = importlib.import_module(f"app.api.{name[:-3]}")\n'
        f"{_INCLUDE}\n\nregister_routers(app)\n",
        "def register_routers(app: FastAPI) -> None:\n"
        '    for path in Path(api.__file__).parent.glob("*.py"):\n'
        '        module = importlib.import_module(f"app.api.{path.stem}")\n'
        f"{_INCLUDE}\n\nregister_routers(app)\n",
        # A folder held in a variable, beside the module.
        'FOLDER = Path(__file__).resolve().parent / "api"\n\n\n'
        "def register_routers(app: FastAPI) -> None:\n"
        "    for info in pkgutil.iter_modules([str(FOLDER)]):\n"
        '        module = importlib.import_module(f"app.api.{info.name}")\n'
        f"{_INCLUDE}\n\nregister_routers(app)\n",
        # Every module below the folder.
        "def register_routers(app: FastAPI) -> None:\n"
        '    for info in pkgutil.walk_packages(api.__path__, "app.api."):\n'
        "        module = importlib.import_module(info.name)\n"
        f"{_INCLUDE}\n\nregister_routers(app)\n",
        # Files loaded by their path, not imported by a module name.
        "def register_routers(app: FastAPI) -> None:\n"
        '    for path in Path(api.__file__).parent.glob("*.py"):\n'
        "        spec = importlib.util.spec_from_file_location(path.stem, path)\n"
        "        module = importlib.util.module_from_spec(spec)\n"
        "        spec.loader.exec_module(module)\n"
        f"{_INCLUDE}\n\nregister_routers(app)\n",
        "def register_routers(app: FastAPI) -> None:\n"
        '    for path in sorted(Path(api.__file__).parent.rglob("*.py")):\n'
        "        spec = spec_from_file_location(f'routes_{path.stem}', str(path))\n"
        "        module = module_from_spec(spec)\n"
        "        spec.loader.exec_module(module)\n"
        f"{_INCLUDE}\n\nregister_routers(app)\n",
    ],
    ids=[
        "package-parameter",
        "folder-parameter",
        "listdir",
        "path-glob",
        "variable",
        "walk",
        "spec-from-file",
        "spec-from-file-rglob",
    ],
)
def test_routers_of_a_folder_known_statically_are_served_under_the_prefix(
    tmp_path: Path, discovery: str
) -> None:
    """A folder passed in, listed by hand, held in a variable or walked: its modules' routers."""
    root = _project(tmp_path, _DISCOVERY_HEAD + discovery)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "run time" not in result.stdout
    assert _routes(root) == {"list_items": "/api/", "get_item": "/api/{item_id}"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/7").json() == {"id": 7}


@pytest.mark.parametrize(
    "discovery",
    [
        # Names listed in the loop itself, a tuple or a list.
        'for name in ("items",):\n'
        '    module = importlib.import_module(f"app.api.{name}")\n'
        '    app.include_router(module.router, prefix="/api")\n',
        "def register_routers(app: FastAPI) -> None:\n"
        '    for name in ["items"]:\n'
        '        module = importlib.import_module("app.api." + name)\n'
        '        app.include_router(getattr(module, "router"), prefix="/api")\n\n\n'
        "register_routers(app)\n",
        # Names held in a constant of the module.
        'FEATURES = ("items",)\n'
        "for name in FEATURES:\n"
        '    module = importlib.import_module(f"app.api.{name}")\n'
        '    app.include_router(module.router, prefix="/api")\n',
        # A folder the module level lists.
        "for info in pkgutil.iter_modules(api.__path__):\n"
        '    module = importlib.import_module(f"app.api.{info.name}")\n'
        f"{_INCLUDE[4:].replace(chr(10) + '    ', chr(10))}",
        # Names a settings class declares as the default of a list or tuple field.
        *(
            "from pydantic import Field\nfrom pydantic_settings import BaseSettings\n\n\n"
            f"class Settings(BaseSettings):\n    FEATURES: {declared}\n\n\n"
            "settings = Settings()\n"
            "for name in settings.FEATURES:\n"
            '    module = importlib.import_module(f"app.api.{name}")\n'
            '    app.include_router(module.router, prefix="/api")\n'
            for declared in (
                'list[str] = ["items"]',
                'tuple[str, ...] = ("items",)',
                'list[str] = Field(default=["items"])',
                'list[str] = Field(default_factory=lambda: ["items"])',
            )
        ),
    ],
    ids=[
        "tuple-at-module-level",
        "list-in-a-function",
        "constant",
        "folder-at-module-level",
        "settings-list",
        "settings-tuple",
        "settings-field-default",
        "settings-field-default-factory",
    ],
)
def test_routers_of_modules_imported_by_known_names_are_served_under_the_prefix(
    tmp_path: Path, discovery: str
) -> None:
    """`import_module(f"app.api.{name}")` in a loop over names known statically: each module's
    router, served under the include's prefix; nothing left out to say, but that a settings
    list read as its default may be set otherwise at run time (one line)."""
    root = _project(tmp_path, _DISCOVERY_HEAD + discovery)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    if "settings.FEATURES" in discovery:
        said = (
            "backend/app/main.py:26: `settings.FEATURES` read as its default in "
            "backend/app/main.py:20 (an environment variable FEATURES set at run time would "
            "change the routers this loop includes)"
        )
        assert result.stdout.count(said) == 1, result.stdout
        assert result.stdout.count("run time") == 1
    else:
        assert "run time" not in result.stdout
    assert _routes(root) == {"list_items": "/api/", "get_item": "/api/{item_id}"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/7").json() == {"id": 7}


_SETTINGS_APP = (
    "from pydantic_settings import BaseSettings\n\n\n"
    'class Settings(BaseSettings):\n    APP: str = "app.api.items"\n\n\n'
    "settings = Settings()\n"
)


@pytest.mark.parametrize(
    "discovery",
    [
        "for name in [settings.APP]:\n    module = importlib.import_module(name)\n"
        '    app.include_router(module.router, prefix="/api")\n',
        "for name in (settings.APP,):\n    module = importlib.import_module(name)\n"
        '    app.include_router(module.router, prefix="/api")\n',
        "module = importlib.import_module(settings.APP)\n"
        'app.include_router(module.router, prefix="/api")\n',
    ],
    ids=["list-of-a-setting", "tuple-of-a-setting", "a-setting"],
)
def test_a_module_a_setting_names_is_imported_as_its_default_and_said(
    tmp_path: Path, discovery: str
) -> None:
    """`import_module(settings.APP)`, or a loop over a list or tuple of settings attributes: the
    module the attribute's default names, its router served under the include's prefix; the
    default is said in one line (`init` too), as a variable set at run time would change it."""
    root = _project(tmp_path, _DISCOVERY_HEAD + _SETTINGS_APP + discovery)
    head = (_DISCOVERY_HEAD + _SETTINGS_APP).splitlines()
    line = len(head) + discovery.count("\n")  # the include's
    declared = head.index('    APP: str = "app.api.items"') + 1
    said = (
        f"backend/app/main.py:{line}: module name `settings.APP` read as 'app.api.items', its "
        f"default in backend/app/main.py:{declared} (an environment variable APP set at run "
        "time would change the module imported)"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.count(said) == 1, result.stdout
    assert "is included by no" not in result.stdout
    assert _routes(root) == {"list_items": "/api/", "get_item": "/api/{item_id}"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/7").json() == {"id": 7}


def test_init_says_a_settings_list_read_as_its_default(tmp_path: Path) -> None:
    """`init` says, as generate does, that the loop's list is a setting read as its default."""
    settings = _SETTINGS_APP.replace(
        'APP: str = "app.api.items"', 'ROUTERS: list[str] = ["app.api.items"]'
    )
    loop = (
        "for name in settings.ROUTERS:\n    module = importlib.import_module(name)\n"
        '    app.include_router(module.router, prefix="/api")\n'
    )
    root = _project(tmp_path, _DISCOVERY_HEAD + settings + loop)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().partition("[tool.telemetry-scaffold]")[0])
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    head = (_DISCOVERY_HEAD + settings).splitlines()
    declared = head.index('    ROUTERS: list[str] = ["app.api.items"]') + 1
    assert (
        f"backend/app/main.py:{len(head) + 3}: `settings.ROUTERS` read as its default in "
        f"backend/app/main.py:{declared} (an environment variable ROUTERS set at run time would "
        "change the routers this loop includes)\n"
    ) in result.stdout


def test_routers_of_a_module_in_each_subfolder_are_not_taken_for_the_folders_own(
    tmp_path: Path,
) -> None:
    """`import_module(f"app.{folder.name}.routes")` over `app`'s folder: each subpackage's
    `routes` module, not the modules of `app` itself (`app/main.py` has no `router`)."""
    main = (
        _DISCOVERY_HEAD + "def register_routers(app: FastAPI) -> None:\n"
        "    for folder in Path(__file__).parent.iterdir():\n"
        '        module = importlib.import_module(f"app.{folder.name}.routes")\n'
        f"{_INCLUDE}\n\nregister_routers(app)\n"
    )
    root = _project(tmp_path, main)
    (root / "backend/app/items.py").write_text(ITEMS_PY)
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml").read_text().replace('"api/items.py"', '"items.py"')
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert routes_by_handler(root / "backend/app/items.py")["get_item"] == "/{item_id}"


def test_routers_of_a_module_each_subfolder_holds_are_served_under_the_prefix(
    tmp_path: Path,
) -> None:
    """`import_module(f"app.{folder.name}.items")` over `app`'s folder: `app/api/items.py`."""
    main = (
        _DISCOVERY_HEAD + "def register_routers(app: FastAPI) -> None:\n"
        "    for folder in Path(__file__).parent.iterdir():\n"
        "        try:\n"
        '            module = importlib.import_module(f"app.{folder.name}.items")\n'
        "        except ImportError:\n            continue\n"
        f"{_INCLUDE}\n\nregister_routers(app)\n"
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "run time" not in result.stdout
    assert _routes(root) == {"list_items": "/api/", "get_item": "/api/{item_id}"}
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/7").json() == {"id": 7}


@pytest.mark.parametrize(
    "calls",
    [
        # Two calls listing two folders: which one, not known here.
        "register_routers(app, api)\nregister_routers(app, importlib.import_module('app'))\n",
        # Passed something not known statically.
        "register_routers(app, importlib.import_module(os.environ['ROUTES']))\n",
        # Never called in the package.
        "",
    ],
    ids=["two-folders", "run-time-folder", "never-called"],
)
def test_routers_of_a_folder_passed_at_run_time_are_said_to_lose_the_prefix(
    tmp_path: Path, calls: str
) -> None:
    """`iter_modules(package.__path__)` of a parameter: which folder, not known."""
    main = (
        _DISCOVERY_HEAD + "def register_routers(app: FastAPI, package: object) -> None:\n"
        "    for info in pkgutil.iter_modules(package.__path__):\n"
        '        module = importlib.import_module(f"app.api.{info.name}")\n'
        f"{_INCLUDE}\n\n{calls}"
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    lines = [line for line in result.stdout.splitlines() if "imported at run time" in line]
    assert len(lines) == 1, result.stdout
    assert lines[0].strip().startswith("backend/app/main.py:19:")
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    ("loop", "said"),
    [
        # A folder listed by hand, named only at run time: a module imported at run time.
        (
            "for name in os.listdir(os.environ['ROUTES']):\n"
            '    module = importlib.import_module(f"app.api.{name[:-3]}")\n'
            "    api_router.include_router(module.router, tags=[name.upper()])\n",
            "`module.router` is a router of a module imported at run time",
        ),
        # Routers only known at run time, into a router served under a prefix.
        (
            "for router in importlib.import_module('app.plugins').ROUTERS:\n"
            "    api_router.include_router(router)\n",
            "the routers this loop includes are only known at run time",
        ),
    ],
    ids=["folder-listed-by-hand", "run-time-items"],
)
def test_routers_a_loop_includes_into_a_router_are_said_to_lose_its_prefixes(
    tmp_path: Path, loop: str, said: str
) -> None:
    """`api_router.include_router(module.router)` in a loop: the routers lose `/api/v1`."""
    router = (
        "import importlib\nimport os\n\nfrom fastapi import APIRouter\n\n"
        f"from app import api\n\napi_router = APIRouter()\n{loop}"
    )
    main = _main('app.include_router(api_router, prefix="/api/v1")')
    root = _project(tmp_path, main, api=router)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    (line,) = [line for line in result.stdout.splitlines() if said in line]
    assert "backend/app/api/router.py:" in line
    assert "without the prefixes `api_router` is served under" in line
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def test_a_router_served_under_several_paths_is_said_to_log_its_own(tmp_path: Path) -> None:
    """`app.include_router(items.router)` and again under `prefix="/v2"`: no one path."""
    api = API_PY + 'api_router.include_router(items.router, prefix="/legacy")\n'
    root = _project(tmp_path, _main('app.include_router(api_router, prefix="/api")'), api=api)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/{item_id}"
    said = [line for line in result.stdout.splitlines() if "several paths" in line]
    assert len(said) == 1, result.stdout
    assert "'/api/items', '/api/legacy'" in said[0], said
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    ("docs", "route"),
    [
        # A module-level dict literal, bound once: its "prefix" is the router's.
        (
            'router_docs = {"prefix": "/auth", "tags": ["auth"]}\n',
            '"route": "/api/v1/auth/{item_id}"',
        ),
        # Without a "prefix" key: no prefix.
        ('router_docs = {"tags": ["auth"]}\n', '"route": "/api/v1/{item_id}"'),
        # Changed in place: only known at run time.
        (
            'router_docs = {"prefix": "/auth"}\nrouter_docs["prefix"] = "/other"\n',
            '"route": "/api/v1" + router.prefix + "/{item_id}"',
        ),
    ],
    ids=["dict-with-prefix", "dict-without-prefix", "dict-changed-in-place"],
)
def test_a_router_built_from_a_dict_of_options_takes_its_literal_prefix(
    tmp_path: Path, docs: str, route: str
) -> None:
    """`router = APIRouter(**router_docs)`, the options a module-level dict literal."""
    root = make_project(tmp_path / "project", PLAN)
    (root / "backend/app/api/docs.py").write_text(docs)
    (root / "backend/app/api/items.py").write_text(
        ITEMS_PY.replace(
            'router = APIRouter(tags=["items"])',
            "from app.api.docs import router_docs\n\nrouter = APIRouter(**router_docs)",
        )
    )
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api import items\n\napp = FastAPI()\n"
        'app.include_router(items.router, prefix="/api/v1")\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert route in (root / "backend/app/api/items.py").read_text()


MOUNTING_PY = """from fastapi import FastAPI

admin = FastAPI()


@admin.get("/ping")
async def admin_ping() -> dict[str, str]:
    return {}


def register_app(app: FastAPI) -> None:
    app.mount("/admin", admin)
"""


def test_a_sub_application_mounted_by_a_function_given_the_app_logs_its_mount_path(
    tmp_path: Path,
) -> None:
    """`def register_app(app: FastAPI): app.mount("/admin", admin)`, called with the app."""
    root = make_project(
        tmp_path / "project", 'instrument = { "api/mounting.py" = "ai_block_used" }'
    )
    (root / "backend/app/api/mounting.py").write_text(MOUNTING_PY)
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api.mounting import register_app\n\n"
        "app = FastAPI()\nregister_app(app)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert '"route": "/admin/ping"' in (root / "backend/app/api/mounting.py").read_text()
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def _logged_routes(path: Path) -> list[str]:
    """The ``route`` value of every log call in a module, as written (unparsed)."""
    return [
        ast.unparse(value)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Dict)
        for key, value in zip(node.keys, node.values, strict=True)
        if isinstance(key, ast.Constant) and key.value == "route"
    ]


@pytest.mark.parametrize(
    ("include", "route"),
    [
        (
            '[app.include_router(router, prefix="/api/v1") for router in [api_router]]',
            "/api/v1/items/{item_id}",
        ),
        (
            'list(app.include_router(r, prefix=p) for r, p in [(api_router, "/v2")])',
            "/v2/items/{item_id}",
        ),
        # Filtered: which items pass is only known at run time.
        (
            '[app.include_router(r, prefix="/v3") for r in [api_router] if r.routes]',
            "/items/{item_id}",
        ),
        # `map` runs the lambda once per item, as a comprehension runs its element.
        (
            'list(map(lambda r: app.include_router(r, prefix="/v4"), [api_router]))',
            "/v4/items/{item_id}",
        ),
        # Two iterables walked in step: not followed, read as written.
        (
            'list(map(lambda r, p: app.include_router(r, prefix=p), [api_router], ["/v5"]))',
            "/items/{item_id}",
        ),
    ],
    ids=["list-comprehension", "generator-with-tuples", "filtered", "map-lambda", "map-two"],
)
def test_routers_included_in_a_comprehension_get_its_prefix(
    tmp_path: Path, include: str, route: str
) -> None:
    """`[app.include_router(r, prefix="/api/v1") for r in [...]]` is a loop over literal items."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.router import api_router\n\n\n"
        f"def add_routers(app: FastAPI) -> None:\n    {include}\n\n\n"
        "app = FastAPI()\nadd_routers(app)\n"
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == route
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    "loop",
    [
        'for name in ("api_router",):',
        "for name in routes.__all__:",
    ],
    ids=["literal-names", "names-in-all"],
)
def test_routers_read_by_getattr_of_a_loop_name_get_its_prefix(tmp_path: Path, loop: str) -> None:
    """`getattr(routes, name)` with `name` a known string is `routes.<name>`."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api import router as routes\n\n"
        f'app = FastAPI()\n{loop}\n    app.include_router(getattr(routes, name), prefix="/v2")\n'
    )
    root = _project(tmp_path, main, API_PY + '\n__all__ = ["api_router"]\n')
    _generates_and_serves_items(root, "/v2", "not followed")


@pytest.mark.parametrize(
    "include",
    [
        "list(map(v1.include_router, [api_router]))",
        "tuple(map(v1.include_router, ROUTERS))",
        "list(map(lambda r: v1.include_router(r), ROUTERS))",
        "for _ in map(v1.include_router, ROUTERS):\n    pass",
        "any(map(v1.include_router, ROUTERS))",
        "set(map(v1.include_router, ROUTERS))",
        "[*map(v1.include_router, ROUTERS)]",
        "[None for _ in map(v1.include_router, ROUTERS)]",
        "for _ in map(lambda r: v1.include_router(r), ROUTERS):\n    pass",
        "collections.deque(map(v1.include_router, ROUTERS), maxlen=0)",
        "deque(map(v1.include_router, ROUTERS))",
        "deque((v1.include_router(r) for r in ROUTERS), maxlen=0)",
        "list(v1.include_router(r) for r in ROUTERS)",
    ],
    ids=[
        "bound-method",
        "bound-method-over-a-name",
        "lambda",
        "for-loop",
        "any",
        "set",
        "unpacked",
        "comprehension",
        "for-loop-lambda",
        "deque-maxlen-0",
        "deque-imported",
        "deque-of-a-generator",
        "list-of-a-generator",
    ],
)
def test_every_consumer_of_a_map_of_include_router_includes(tmp_path: Path, include: str) -> None:
    """`list(map(v1.include_router, ROUTERS))` includes each item, as a loop over them does; so
    do a `for` loop, `any(...)` (include_router returns None), `set()` and `[*...]`."""
    main = (
        "import collections\nfrom collections import deque\n\n"
        "from fastapi import APIRouter, FastAPI\n\nfrom app.api.router import api_router\n\n"
        f"ROUTERS = [api_router]\nv1 = APIRouter()\n{include}\n\n"
        'app = FastAPI()\napp.include_router(v1, prefix="/v1")\n'
    )
    root = _project(tmp_path, main)
    _generates_and_serves_items(root, "/v1", "not followed")
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    "include",
    [
        "map(v1.include_router, [api_router])",
        "(v1.include_router(r) for r in [api_router])",
        "(None for _ in map(v1.include_router, [api_router]))",
    ],
    ids=["bare-map", "bare-generator", "bare-generator-over-a-map"],
)
def test_a_map_never_iterated_includes_nothing(tmp_path: Path, include: str) -> None:
    """`map(...)` is lazy: a statement of its own is never iterated, nothing is included."""
    main = (
        "from fastapi import APIRouter, FastAPI\n\nfrom app.api.router import api_router\n\n"
        f"v1 = APIRouter()\n{include}\n\n"
        'app = FastAPI()\napp.include_router(v1, prefix="/v1")\n'
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "<item of map>" not in result.stdout
    assert "run time" not in result.stdout
    assert _routes(root)["get_item"] == "/items/{item_id}"
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/v1/items/7").status_code == 404


@pytest.mark.parametrize(
    ("include", "served"),
    [
        ("included = map(v1.include_router, [api_router])", False),
        ("included = (None for _ in map(v1.include_router, [api_router]))", False),
        ("next(map(v1.include_router, [api_router]))", True),
        ("all(map(v1.include_router, [api_router]))", True),
        ("included = (v1.include_router(r) for r in [api_router])", False),
        ("next(v1.include_router(r) for r in [api_router])", True),
        ("all(v1.include_router(r) for r in [api_router])", True),
    ],
    ids=[
        "kept-map",
        "kept-generator-over-a-map",
        "next-of-a-map",
        "all-of-a-map",
        "kept-generator",
        "next-of-a-generator",
        "all-of-a-generator",
    ],
)
def test_includes_a_map_or_generator_makes_in_part_are_said_to_be_known_at_run_time(
    tmp_path: Path, include: str, served: bool
) -> None:
    """`next(...)`, `all(...)` (which stop early) or a `map`/generator kept for later: which
    routers it includes only run time tells. Said, not taken for all of them nor for none."""
    main = (
        "from fastapi import APIRouter, FastAPI\n\nfrom app.api.router import api_router\n\n"
        f"v1 = APIRouter()\n{include}\n\n"
        'app = FastAPI()\napp.include_router(v1, prefix="/v1")\n'
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    said = " ".join(result.stdout.split())
    assert "backend/app/main.py:6: the routers `" in said, result.stdout
    assert "includes are only known at run time" in said, result.stdout
    assert "without the prefixes `v1` is served under" in said, result.stdout
    assert "included by no app" not in said, result.stdout
    assert _routes(root)["get_item"] == "/items/{item_id}"
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    with imported_app(root / "backend") as app:
        status = TestClient(app.app).get("/v1/items/7").status_code
        assert (status == 200) is served


@pytest.mark.parametrize(
    "include",
    [
        "included = map(lambda r: v1.include_router(r), [api_router])",
    ],
    ids=["lambda"],
)
def test_a_map_kept_unconsumed_includes_nothing(tmp_path: Path, include: str) -> None:
    """`included = map(lambda ...)` is lazy too: nothing iterates it, nothing is included."""
    main = (
        "from fastapi import APIRouter, FastAPI\n\nfrom app.api.router import api_router\n\n"
        f"v1 = APIRouter()\n{include}\n\n"
        'app = FastAPI()\napp.include_router(v1, prefix="/v1")\n'
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "<item of map>" not in result.stdout
    assert _routes(root)["get_item"] == "/items/{item_id}"
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/v1/items/7").status_code == 404


CONTROLLER_PY = '''"""Items, served by a controller class building its router."""

from fastapi import APIRouter


class {cls}:
    def __init__(self{parameters}) -> None:
        self.router = APIRouter(prefix={prefix})
        self.router.add_api_route("/{{item_id}}", self.get_item, methods=["GET"])

    async def get_item(self, item_id: int) -> dict[str, int]:
        return {{"id": item_id}}
{subclass}

route = ItemsRoute()
'''


@pytest.mark.parametrize(
    ("controller", "route"),
    [
        (
            CONTROLLER_PY.format(cls="ItemsRoute", parameters="", prefix='"/items"', subclass=""),
            "'/api/v1/items/{item_id}'",
        ),
        # Built by a base class from a constructor argument: the prefix the subclass passes.
        (
            CONTROLLER_PY.format(
                cls="BaseRoute",
                parameters=', name: str = "base"',
                prefix='f"/{name}"',
                subclass=(
                    "\n\nclass ItemsRoute(BaseRoute):\n    def __init__(self) -> None:\n"
                    '        super().__init__(name="items")\n'
                ),
            ),
            "'/api/v1/items/{item_id}'",
        ),
    ],
    ids=["own-router", "router-of-a-base-class"],
)
def test_a_router_a_class_builds_for_its_instance_is_served_where_it_is_included(
    tmp_path: Path, controller: str, route: str
) -> None:
    """`app.include_router(items.route.router, prefix="/api/v1")`, `route = ItemsRoute()`."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api import items\n\n"
        'app = FastAPI()\napp.include_router(items.route.router, prefix="/api/v1")\n'
    )
    root = _project(tmp_path, main)
    (root / "backend/app/api/items.py").write_text(controller)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _logged_routes(root / "backend/app/api/items.py") == [route]
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


GETTER_PY = CONTROLLER_PY.format(
    cls="ItemsRoute", parameters="", prefix='"/items"', subclass=""
).replace(
    "    async def get_item",
    '    def get_router(self) -> APIRouter:\n        """Its router."""\n'
    "        return self.router\n\n"
    "    async def get_item",
)


@pytest.mark.parametrize(
    "included",
    ["items.ItemsRoute().get_router()", "items.route.get_router()", "items.ItemsRoute().router"],
    ids=["getter-of-a-new-instance", "getter-of-an-instance", "attribute-of-a-new-instance"],
)
def test_a_router_a_controller_returns_from_a_getter_is_served_where_it_is_included(
    tmp_path: Path, included: str
) -> None:
    """`app.include_router(ItemsRoute().get_router(), prefix=...)`, `return self.router`."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api import items\n\n"
        f'app = FastAPI()\napp.include_router({included}, prefix="/api/v1")\n'
    )
    root = _project(tmp_path, main)
    (root / "backend/app/api/items.py").write_text(GETTER_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _logged_routes(root / "backend/app/api/items.py") == ["'/api/v1/items/{item_id}'"]
    assert "included by no" not in result.stdout, result.stdout
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/v1/items/3").status_code == 200


#: Plain controller classes building `self.router` in `__init__`, by how they declare routes.
PLAIN_CONTROLLERS = {
    # Handlers declared with the router's decorators inside `__init__`.
    "decorators-in-init": """from fastapi import APIRouter


class ItemsController:
    def __init__(self) -> None:
        self.router = APIRouter(prefix="/items", tags=["items"])

        @self.router.get("/{item_id}")
        async def get_item(item_id: int) -> dict[str, int]:
            return {"id": item_id}
""",
    # Bound methods registered by `add_api_route`, the prefix held in `self.prefix` first.
    "prefix-attribute": '''from fastapi import APIRouter


class ItemsController:
    def __init__(self) -> None:
        self.prefix = "/items"
        self.router = APIRouter(prefix=self.prefix, tags=["items"])
        self.router.add_api_route("/{item_id}", self.get_item, methods=["GET"])

    async def get_item(self, item_id: int) -> dict[str, int]:
        return {"id": item_id}

    def register(self, app: object) -> None:
        """Include the router in the app."""
        app.include_router(self.router, prefix="/api")  # type: ignore[attr-defined]
''',
}

#: How the app includes a controller's router, by name.
PLAIN_CONTROLLER_MAINS = {
    "new-instance": 'app.include_router(ItemsController().router, prefix="/api")\n',
    "bound-instance": (
        'controller = ItemsController()\napp.include_router(controller.router, prefix="/api")\n'
    ),
    "in-a-factory": (
        "\n\ndef include(app: FastAPI) -> None:\n    controller = ItemsController()\n"
        '    app.include_router(controller.router, prefix="/api")\n\n\ninclude(app)\n'
    ),
    "register-method": "ItemsController().register(app)\n",
    # Its methods found by scanning the instance: `register` is named nowhere, yet runs.
    "register-by-dir": (
        "controller = ItemsController()\nfor hook in dir(controller):\n"
        '    if hook.startswith("reg"):\n        getattr(controller, hook)(app)\n'
    ),
    "register-by-getmembers": (
        "import inspect\n\nfor hook, method in inspect.getmembers(ItemsController()):\n"
        '    if hook.startswith("reg"):\n        method(app)\n'
    ),
    "register-by-vars-of-the-type": (
        "controller = ItemsController()\nfor hook in vars(type(controller)):\n"
        '    if hook.startswith("reg"):\n        getattr(controller, hook)(app)\n'
    ),
    # Scanned through a parameter annotated with the class: `register` runs.
    "register-by-an-annotated-parameter": (
        "\n\ndef hook_all(ctrl: ItemsController, app: FastAPI) -> None:\n"
        "    for hook in dir(ctrl):\n"
        '        if hook.startswith("reg"):\n            getattr(ctrl, hook)(app)\n\n\n'
        "hook_all(ItemsController(), app)\n"
    ),
    # Scanned through an unannotated parameter: what the call passes is the controller.
    "register-by-an-unannotated-parameter": (
        "\n\ndef register_all(app, ctrl):  # type: ignore[no-untyped-def]\n"
        "    for name in dir(ctrl):\n"
        '        if name.startswith("reg"):\n            getattr(ctrl, name)(app)\n\n\n'
        "register_all(app, ItemsController())\n"
    ),
    "register-by-an-unannotated-parameter-given-a-name": (
        "import inspect\n\n\ndef register_all(app, ctrl):  # type: ignore[no-untyped-def]\n"
        "    for name, method in inspect.getmembers(ctrl):\n"
        '        if name.startswith("reg"):\n            method(app)\n\n\n'
        "controllers = [ItemsController()]\nfor controller in controllers:\n"
        "    register_all(app, controller)\n"
    ),
    # Handed on by name, its calls not read: what it is given may be the controller.
    "register-by-an-unannotated-parameter-of-a-hook": (
        "\n\ndef register_all(app, ctrl):  # type: ignore[no-untyped-def]\n"
        "    for name in dir(ctrl):\n"
        '        if name.startswith("reg"):\n            getattr(ctrl, name)(app)\n\n\n'
        "HOOKS = [register_all]\nfor hook in HOOKS:\n    hook(app, ItemsController())\n"
    ),
    # A util's unannotated parameter every call gives another object: not the controller.
    "beside-a-getattr-of-an-unannotated-parameter": (
        'app.include_router(ItemsController().router, prefix="/api")\n\n\n'
        "class Settings:\n    debug = False\n\n\n"
        "def setting(obj, key):  # type: ignore[no-untyped-def]\n    return getattr(obj, key)\n\n\n"
        'DEBUG = setting(Settings(), "de" + "bug")\n'
    ),
    # Other objects scanned (a util's parameter, another class's `self`): nothing ties them
    # to the controller, whose `register` stays named nowhere.
    "beside-a-getattr-of-a-parameter": (
        'app.include_router(ItemsController().router, prefix="/api")\n\n\n'
        "def setting(obj: object, key: str) -> object:\n    return getattr(obj, key)\n"
    ),
    "beside-vars-of-a-parameter": (
        'app.include_router(ItemsController().router, prefix="/api")\n\n\n'
        "def dump(o: object) -> dict[str, object]:\n    return dict(vars(o))\n"
    ),
    "beside-another-class-scanning-itself": (
        'app.include_router(ItemsController().router, prefix="/api")\n\n\n'
        "class Settings:\n    def names(self) -> list[str]:\n"
        "        return [name for name in dir(self) if not name.startswith('_')]\n"
    ),
}


@pytest.mark.parametrize(
    ("controller", "main"),
    [
        (controller, main)
        for controller in sorted(PLAIN_CONTROLLERS)
        for main in sorted(PLAIN_CONTROLLER_MAINS)
        # Only the second controller has a `register` method.
        if not main.startswith("register") or controller == "prefix-attribute"
    ],
)
def test_a_plain_controller_s_router_is_served_where_its_instance_s_router_is_included(
    tmp_path: Path, controller: str, main: str
) -> None:
    """A plain class (no record) building `self.router = APIRouter(prefix=...)` in `__init__`,
    its routes declared there (`@self.router.get`) or as bound methods (`add_api_route(path,
    self.get_item)`), the app including an instance's router (built there, bound to a name,
    in a function) or calling its `register(app)`: the routes are logged as served,
    `/api/items/{item_id}`. Before, a prefix held in `self.prefix` was logged as
    `self.router.prefix` (known only at run time), and a `register` method nothing calls
    counted as an include of its own: the routes were logged without `/api`, or said to be
    served under several paths. A `register` found by scanning the instance (`dir`,
    `inspect.getmembers`, `vars(type(x))` with `getattr` by a computed name) runs: its include
    counts (it was dropped as named nowhere, and the routes logged without `/api`)."""
    root = _project(
        tmp_path,
        "from fastapi import FastAPI\n\nfrom app.api.items import ItemsController\n\n"
        f"app = FastAPI()\n{PLAIN_CONTROLLER_MAINS[main]}",
    )
    source = PLAIN_CONTROLLERS[controller]
    if main.startswith("register-by"):
        # No call passes it the app: its parameter says what it is given.
        source = source.replace("APIRouter\n", "APIRouter, FastAPI\n", 1).replace(
            "app: object", "app: FastAPI"
        )
    (root / "backend/app/api/items.py").write_text(source)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    out = " ".join(result.stdout.split())
    assert "several paths" not in out and "run time" not in out, out
    assert _logged_routes(root / "backend/app/api/items.py") == ["'/api/items/{item_id}'"]
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/api/items/3").json() == {"id": 3}
        assert client.post("/api/telemetry/log", json={}).status_code != 404
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


PROPERTY_PREFIX_CONTROLLER = """from fastapi import APIRouter


class ItemsController:
    def __init__(self) -> None:
        self.prefix = "/items"
        self.router = APIRouter(prefix=self.prefix)
        self.router.add_api_route("/{item_id}", self.get_item, methods=["GET"])

    @property
    def prefix(self) -> str:
        return self._prefix

    @prefix.setter
    def prefix(self, value: str) -> None:
        self._prefix = "/v2" + value

    async def get_item(self, item_id: int) -> dict[str, int]:
        return {"id": item_id}
"""


def test_an_attribute_a_property_of_the_class_holds_is_not_read_as_its_assignment(
    tmp_path: Path,
) -> None:
    """`self.prefix = "/items"` where `prefix` is a property whose setter stores `"/v2" +
    value`: the assignment is not the value read back, so the prefix is only known at run
    time (as before the plain-controller rule). Before, the route was logged as
    `/items/{item_id}`, served at `/v2/items/{item_id}`."""
    root = _project(
        tmp_path,
        "from fastapi import FastAPI\n\nfrom app.api.items import ItemsController\n\n"
        "app = FastAPI()\napp.include_router(ItemsController().router)\n",
    )
    (root / "backend/app/api/items.py").write_text(PROPERTY_PREFIX_CONTROLLER)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "'/items/{item_id}'" not in _logged_routes(root / "backend/app/api/items.py")
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/v2/items/3").json() == {"id": 3}


def _property_controller(decorator: str, body: str = "return self._router") -> str:
    """The controller of GETTER_PY keeping its router in `_router`, read by a property."""
    return (
        CONTROLLER_PY.format(cls="ItemsRoute", parameters="", prefix='"/items"', subclass="")
        .replace("self.router", "self._router")
        .replace(
            "    async def get_item",
            f"    @{decorator}\n    def router(self) -> APIRouter:\n"
            f'        """Its router."""\n        {body}\n\n'
            "    async def get_item",
        )
    )


@pytest.mark.parametrize(
    ("controller", "followed"),
    [
        (_property_controller("property"), True),
        (_property_controller("functools.cached_property"), True),
        # A property doing more than handing the router back may build another: not followed.
        (_property_controller("property", "return APIRouter(routes=self._router.routes)"), False),
    ],
    ids=["property", "cached-property", "property-building-a-router"],
)
@pytest.mark.parametrize(
    "included", ["items.ItemsRoute().router", "items.route.router"], ids=["new", "module-level"]
)
def test_a_router_a_controller_hands_back_through_a_property_is_served_where_it_is_included(
    tmp_path: Path, controller: str, followed: bool, included: str
) -> None:
    """`app.include_router(UserRouter().router, prefix=...)`, `@property ... return self._router`.

    The shape of a real backend's router classes (`self._router.get("")(self.list_users)`).
    """
    main = (
        "from fastapi import FastAPI\n\nfrom app.api import items\n\n"
        f'app = FastAPI()\napp.include_router({included}, prefix="/api/v1")\n'
    )
    root = _project(tmp_path, main)
    if "functools" in controller:
        controller = controller.replace("from fastapi", "import functools\n\nfrom fastapi", 1)
    (root / "backend/app/api/items.py").write_text(controller)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    logged = _logged_routes(root / "backend/app/api/items.py")
    if followed:
        assert logged == ["'/api/v1/items/{item_id}'"], result.stdout
        assert "included by no" not in result.stdout, result.stdout
        with imported_app(root / "backend") as served:
            assert TestClient(served.app).get("/api/v1/items/3").status_code == 200
    else:
        assert logged == ["'/items/{item_id}'"], result.stdout
        assert "included by no" in " ".join(result.stdout.split()), result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    ("router_py", "main_include"),
    [
        # The module exports the router under a second name, included by that name.
        (
            "from fastapi import APIRouter\n\nfrom app.api import items\n\n"
            "router = APIRouter()\nrouter.include_router(items.router, prefix='/items')\n\n"
            "api_router = router\n",
            "from app.api import router as routes\n\napp = FastAPI()\n"
            'app.include_router(routes.api_router, prefix="/api")\n',
        ),
        # The alias is the name the includes are made on.
        (
            "from fastapi import APIRouter\n\nfrom app.api import items\n\n"
            "router = APIRouter()\nv1 = router\nv1.include_router(items.router, prefix='/items')\n",
            "from app.api.router import router\n\napp = FastAPI()\n"
            'app.include_router(router, prefix="/api")\n',
        ),
    ],
    ids=["included-by-alias", "including-by-alias"],
)
def test_a_router_bound_to_a_second_name_is_the_same_router(
    tmp_path: Path, router_py: str, main_include: str
) -> None:
    """`api_router = router`: both names hold one router, served where either is included."""
    root = make_project(tmp_path / "project", PLAN)
    (root / "backend/app/api/items.py").write_text(ITEMS_PY)
    (root / "backend/app/api/router.py").write_text(router_py)
    (root / "backend/app/main.py").write_text("from fastapi import FastAPI\n" + main_include)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root) == {"list_items": "/api/items/", "get_item": "/api/items/{item_id}"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def test_an_aggregating_router_no_app_includes_adds_no_second_path(tmp_path: Path) -> None:
    """`api_router` gathers every router but is served nowhere; the app includes each itself.

    The items router is served at `/api/items/...` only: the chain through `api_router` ends
    at a router no app includes, so it is no second path (a dead end of the chain of another
    aggregator too).
    """
    aggregator = (
        "from fastapi import APIRouter\n\nfrom app.api import items\n\n"
        "api_router = APIRouter()\napi_router.include_router(items.router)\n"
        "outer = APIRouter()\nouter.include_router(api_router, prefix='/v0')\n"
    )
    main = (
        "from fastapi import FastAPI\n\nfrom app.api import items\n\napp = FastAPI()\n"
        'app.include_router(items.router, prefix="/api/items")\n'
    )
    root = _project(tmp_path, main, aggregator)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "several paths" not in result.stdout
    assert _routes(root) == {"list_items": "/api/items/", "get_item": "/api/items/{item_id}"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


SUB_APP_ROUTES_PY = """from fastapi import FastAPI


def add_routes(api: FastAPI, greeting: str) -> None:
    @api.get("/ping")
    async def ping() -> dict[str, str]:
        answer = {"ping": greeting}
        return answer
"""


@pytest.mark.parametrize(
    ("wiring", "expected"),
    [
        # Routes declared on the parameter of a function called with the sub-application.
        ("add_routes(admin, 'pong')\n", ("routes.py", {"/admin/ping"})),
        # A function given the sub-application includes a router into it.
        ("wire(admin)\n", ("items.py", {"/admin/items/", "/admin/items/{item_id}"})),
        # Called with two different apps: which one is not known, the path is the route's own.
        ("add_routes(admin, 'a')\nadd_routes(app, 'b')\n", ("routes.py", {"/ping"})),
        # A function given the sub-application passes it on to the one declaring the routes.
        ("setup(admin)\n", ("routes.py", {"/admin/ping"})),
    ],
    ids=["routes-on-the-parameter", "includes-on-the-parameter", "two-apps-passed", "passed-on"],
)
def test_a_function_given_a_mounted_sub_application_logs_its_mount_path(
    tmp_path: Path, wiring: str, expected: tuple[str, set[str]]
) -> None:
    """`def add_routes(api: FastAPI)` called as `add_routes(admin)`, `admin` mounted at /admin."""
    root = make_project(
        tmp_path / "project",
        'instrument = { "api/routes.py" = "ai_block_used", "api/items.py" = "ai_block_used" }',
    )
    (root / "backend/app/api/items.py").write_text(ITEMS_PY)
    (root / "backend/app/api/routes.py").write_text(
        SUB_APP_ROUTES_PY
        + "\n\ndef wire(api: FastAPI) -> None:\n"
        + "    from app.api import items\n\n"
        + '    api.include_router(items.router, prefix="/items")\n'
        + (
            "\n\ndef setup(site: FastAPI) -> None:\n    add_routes(site, 'pong')\n"
            if "setup" in wiring
            else ""
        )
    )
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api.routes import add_routes, setup, wire\n\n"
        'app = FastAPI()\nadmin = FastAPI()\napp.mount("/admin", admin)\n' + wiring
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    module, routes = expected
    text = (root / "backend/app/api" / module).read_text()
    assert {line.split('"')[3] for line in text.splitlines() if '"route": ' in line} == routes
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def test_a_sub_application_returned_through_a_second_factory_logs_its_mount_path(
    tmp_path: Path,
) -> None:
    """`def create_blog(): return create_server()`, the app `create_server` builds, mounted."""
    root = make_project(tmp_path / "project", 'instrument = { "api/blog.py" = "ai_block_used" }')
    (root / "backend/app/api/blog.py").write_text(
        "from fastapi import FastAPI\n\n\ndef create_server() -> FastAPI:\n"
        "    server = FastAPI()\n\n"
        '    @server.get("/users")\n'
        "    async def list_users() -> list[str]:\n"
        "        users: list[str] = []\n"
        "        return users\n\n"
        "    return server\n\n\n"
        "def create_blog() -> FastAPI:\n    return create_server()\n"
    )
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api.blog import create_blog\n\n"
        'app = FastAPI()\nblog = create_blog()\napp.mount("/v1", blog)\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert '"route": "/v1/users"' in (root / "backend/app/api/blog.py").read_text()
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


_GETTER_SETTINGS = '''"""Settings read once, then adjusted."""

import os

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    API_V1_STR: str = "/api/v1"
    ENVIRONMENT: str = "dev"


def get_settings() -> Settings:
    settings = Settings()
    {adjust}
    return settings


settings = get_settings()
'''


@pytest.mark.parametrize(
    ("adjust", "route"),
    [
        # Another field changed: the prefix keeps its default.
        ('settings.ENVIRONMENT = os.getenv("APP_ENV", "dev")', "/api/v1"),
        # The prefix itself changed in the getter: not known.
        ('settings.API_V1_STR = os.getenv("PREFIX", "/v2")', None),
        # Handed to something that may change anything on it: not known.
        ("configure(settings)", None),
    ],
    ids=["other-field-set", "prefix-set", "passed-on"],
)
def test_a_settings_getter_returning_the_instance_it_builds_gives_its_default(
    tmp_path: Path, adjust: str, route: str | None
) -> None:
    """`def get_settings(): settings = Settings(); ...; return settings` then `get_settings()`."""
    api = API_PY.replace(
        "api_router = APIRouter()",
        "from app.settings import settings\n\napi_router = APIRouter(prefix=settings.API_V1_STR)",
    )
    root = _project(tmp_path, _main("app.include_router(api_router)"), api)
    (root / "backend/app/settings.py").write_text(
        _GETTER_SETTINGS.replace("{adjust}", adjust).replace(
            "import os\n", "import os\n\nfrom app.setup import configure\n"
        )
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    expected = "/items/{item_id}" if route is None else f"{route}/items/{{item_id}}"
    assert _routes(root)["get_item"] == expected


@pytest.mark.parametrize(
    "returned",
    [
        "    from app.api.router import api_router\n\n    return api_router\n",
        "    from app.api.router import api_router as final\n\n    routes = final\n"
        "    return routes\n",
    ],
)
def test_a_function_returning_a_router_it_imports_is_followed(
    tmp_path: Path, returned: str
) -> None:
    # `def build_router(): from app.api.router import api_router; return api_router`, the
    # import inside so that it runs after some set-up: the router is that module's.
    main = (
        "from fastapi import APIRouter, FastAPI\n\n\n"
        f"def build_router() -> APIRouter:\n{returned}\n\n"
        'app = FastAPI()\napp.include_router(build_router(), prefix="/api/v1")\n'
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert _routes(root) == {"list_items": "/api/v1/items/", "get_item": "/api/v1/items/{item_id}"}
    assert "not followed" not in result.stdout
    assert "included by" not in result.stdout


def test_a_router_imported_by_a_name_rooted_above_the_backend_folder_is_followed(
    tmp_path: Path,
) -> None:
    # Some apps are run from the folder above their backend folder as well as from inside it,
    # so a module may import the router by a name that begins with the backend folder's own.
    main = (
        "from fastapi import FastAPI\n\nfrom backend.app.api.router import api_router\n\n"
        'app = FastAPI()\napp.include_router(api_router, prefix="/api/v1")\n'
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    assert "is included by no" not in result.stdout + result.stderr
    assert _routes(root) == {"list_items": "/api/v1/items/", "get_item": "/api/v1/items/{item_id}"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/main.py").read_text() == main


CLASS_BUILT_MAIN_PY = '''"""The app, built by a class that wires it in its constructor."""

from fastapi import FastAPI

from app.api.router import api_router

API_PREFIX = "/api/v1"


class Application:
    def __init__(self) -> None:
        self.app = FastAPI()
        self.app.include_router(api_router, prefix=API_PREFIX)


app = Application().app
'''


def test_routers_included_by_an_app_a_class_keeps_as_an_attribute_get_its_prefix(
    tmp_path: Path,
) -> None:
    # `self.app = FastAPI()` then `self.app.include_router(...)` in the same class: the app.
    root = _project(tmp_path, CLASS_BUILT_MAIN_PY)
    _generates_and_serves_items(root, "/api/v1", unsaid="cannot tell is an app")


RECORD_WIRING_MAIN_PY = """\"\"\"The app, wired by a record class given it as a field.\"\"\"

from dataclasses import dataclass
from typing import NamedTuple

from fastapi import FastAPI

from app.api.router import api_router


RECORD
    app: FastAPI
    prefix: str = "/api/v1"

    def register(self) -> None:
        self.app.include_router(api_router, prefix=self.prefix)


app = FastAPI()
BUILT
"""


@pytest.mark.parametrize(
    ("record", "built"),
    [
        ("@dataclass\nclass Routes:", "Routes(app).register()"),
        ("@dataclass\nclass Routes:", "routes = Routes(app=app)\nroutes.register()"),
        ("class Routes(NamedTuple):", "Routes(app).register()"),
    ],
    ids=["dataclass", "dataclass-keyword", "named-tuple"],
)
def test_routers_included_by_the_app_a_record_class_is_given_get_its_prefix(
    tmp_path: Path, record: str, built: str
) -> None:
    # `@dataclass class Routes: app: FastAPI` (or a NamedTuple's field), built as
    # `Routes(app)`: `self.app` in its method is the app every construction passes. Before,
    # its routes were said to be included by an object the tool cannot tell is an app.
    main = RECORD_WIRING_MAIN_PY.replace("RECORD", record).replace("BUILT", built)
    root = _project(tmp_path, main)
    _generates_and_serves_items(root, "/api/v1", unsaid="cannot tell is an app")


PASSED_ROUTER_MAIN_PY = '''"""The app, wired by a function that is given the router to include."""

from fastapi import APIRouter, FastAPI

from app.api.router import api_router


def configure(app: FastAPI, root: APIRouter) -> None:
    app.include_router(root, prefix="/api")


def make_app() -> FastAPI:
    app = FastAPI()
    configure(app=app, root=api_router)
    return app


app = make_app()
'''


def test_a_router_passed_to_the_function_including_it_gets_that_include_prefix(
    tmp_path: Path,
) -> None:
    # `configure(app=app, root=api_router)`, and `configure` includes its `root` parameter.
    root = _project(tmp_path, PASSED_ROUTER_MAIN_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "included by no" not in result.stdout
    assert _routes(root) == {"list_items": "/api/items/", "get_item": "/api/items/{item_id}"}
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/items/3").json() == {"id": 3}


RECORDS_PY = '''"""How a router is mounted, as a record the app's wiring lists."""

from dataclasses import dataclass, field
from typing import NamedTuple

from fastapi import APIRouter


@dataclass(frozen=True)
class Mount:
    router: APIRouter
    prefix: str
    tags: list[str] = field(default_factory=list)
    version: str = "/v2"


class Entry(NamedTuple):
    prefix: str
    router: APIRouter
'''


@pytest.mark.parametrize(
    ("mounts", "path"),
    [
        ('(Mount(api_router, "/v1"),)', "/v1/items/{item_id}"),
        ('[Mount(prefix="/v1", router=api_router, tags=["x"])]', "/v1/items/{item_id}"),
        ('(Entry("/v1", api_router),)', "/v1/items/{item_id}"),
        ("(Mount(router=api_router, prefix=PREFIX),)", "/v1/items/{item_id}"),
    ],
    ids=["dataclass-positional", "dataclass-keywords", "namedtuple", "named-constant"],
)
def test_routers_included_from_records_of_a_loop_get_the_records_prefix(
    tmp_path: Path, mounts: str, path: str
) -> None:
    # `for m in MOUNTS: app.include_router(m.router, prefix=m.prefix)` over records of a
    # dataclass or NamedTuple of the project: each field is the argument that set it.
    before = f'from app.api.records import Entry, Mount\n\nPREFIX = "/v1"\nMOUNTS = {mounts}\n'
    main = _main("for m in MOUNTS:\n    app.include_router(m.router, prefix=m.prefix)", before)
    root = _project(tmp_path, main)
    (root / "backend/app/api/records.py").write_text(RECORDS_PY)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root)["get_item"] == path
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def test_a_record_field_set_by_its_default_or_unknown_is_not_guessed(tmp_path: Path) -> None:
    # The default of a field is its value; a class that is no record keeps the router unknown.
    before = (
        "from app.api.records import Mount\n\n"
        "class Plain:\n    def __init__(self, router, prefix):\n"
        "        self.router, self.prefix = router, '/other'\n\n"
        'MOUNTS = (Mount(api_router, "/v1"),)\nPLAIN = (Plain(api_router, "/v1"),)\n'
    )
    main = _main("for m in MOUNTS:\n    app.include_router(m.router, prefix=m.version)", before)
    root = _project(tmp_path, main)
    (root / "backend/app/api/records.py").write_text(RECORDS_PY)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root)["get_item"] == "/v2/items/{item_id}"
    main = _main("for m in PLAIN:\n    app.include_router(m.router, prefix=m.prefix)", before)
    root = _project(tmp_path / "plain", main)
    (root / "backend/app/api/records.py").write_text(RECORDS_PY)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root)["get_item"] == "/items/{item_id}"


@pytest.mark.parametrize(
    ("calls", "path"),
    [
        ("app = create_app(api_router)\n", "/api/items/{item_id}"),
        ("app = create_app(router=api_router)\n", "/api/items/{item_id}"),
        (
            "app = create_app(api_router)\nother = create_app(APIRouter())\n",
            "/api/items/{item_id}",
        ),
    ],
    ids=["positional", "keyword", "different-routers"],
)
def test_a_router_passed_to_the_app_factory_is_served_under_its_include_prefix(
    tmp_path: Path, calls: str, path: str
) -> None:
    # `def create_app(router): app.include_router(router, prefix="/api")`: each call includes
    # the router it passes (another call passing a router of its own includes that one).
    main = (
        "from fastapi import APIRouter, FastAPI\n\nfrom app.api.router import api_router\n\n\n"
        "def create_app(router: APIRouter) -> FastAPI:\n    app = FastAPI()\n"
        '    app.include_router(router, prefix="/api")\n    return app\n\n\n' + calls
    )
    root = _project(tmp_path, main)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root)["get_item"] == path
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


FRONTEND_PY = '''"""A catch-all the app's module adds by calling this function on the app."""

from fastapi import FastAPI


def register(app: FastAPI) -> None:
    @app.get("/{full_path:path}")
    def frontend(full_path: str) -> dict[str, str]:
        return {"page": full_path}
'''


@pytest.mark.parametrize(
    "body",
    [
        "app.include_router(ai_blocks.router)\nfrontend.register(app)\n",
        "frontend.register(app)\napp.include_router(ai_blocks.router)\n",
    ],
    ids=["called-after-the-last-include", "called-before-the-last-include"],
)
def test_a_catch_all_a_module_level_app_gets_after_its_wiring_shadows_nothing(
    tmp_path: Path, body: str
) -> None:
    # The app is built and wired at a module's top level; a function of another module, given
    # the app as a parameter, adds a catch-all. The wiring goes before its call, wherever the
    # app's includes are: no collision (it was refused as one), both answer.
    root = make_project(tmp_path / "project", "instrument = {}")
    (root / "backend/app/frontend.py").write_text(FRONTEND_PY)
    main = (
        "from fastapi import FastAPI\n\nfrom app import frontend\nfrom app.api import ai_blocks\n\n"
        f"app = FastAPI()\n{body}"
    )
    (root / "backend/app/main.py").write_text(main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = (root / "backend/app/main.py").read_text()
    assert text.index("app.include_router(telemetry_router)") < text.index("frontend.register(app)")
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert "status" in client.get("/api/telemetry/health").json()
        assert client.get("/some/page").json() == {"page": "some/page"}


@pytest.mark.parametrize(
    "rebound",
    [
        'app = ui.mount_ui(app, path="/ui")',
        'if os.getenv("WITH_UI"):\n    app = ui.mount_ui(app, path="/ui")',
    ],
    ids=["rebound", "rebound-in-an-if"],
)
def test_includes_on_an_app_later_rebound_to_a_call_given_it_are_the_apps(
    tmp_path: Path, rebound: str
) -> None:
    """`app = ui.mount_ui(app, path="/ui")` at the end (a UI library mounting itself).

    The name's last binding is that call, which the tool cannot tell is an app: the
    `include_router` calls above it, made on the app, were read as made on an unknown object,
    and their prefixes were dropped from the logged paths.
    """
    main = (
        "import os\n\nimport ui\n"
        + _main('app.include_router(api_router, prefix="/api/v1")')
        + rebound
        + "\n"
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "cannot tell is an app" not in result.stdout
    assert _routes(root) == {"list_items": "/api/v1/items/", "get_item": "/api/v1/items/{item_id}"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    "prefix",
    ["get_settings().API_V1_STR", "Settings().API_V1_STR"],
    ids=["cached-getter", "class"],
)
def test_a_settings_attribute_read_off_a_call_in_place_is_its_default(
    tmp_path: Path, prefix: str
) -> None:
    """``prefix=get_settings().API_V1_STR``: the instance the call builds, read in place."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.router import api_router\n"
        "from app.settings import Settings, get_settings\n\n"
        f"app = FastAPI()\napp.include_router(api_router, prefix={prefix})\n"
    )
    root = _project(tmp_path, main)
    (root / "backend/app/settings.py").write_text(
        "from functools import lru_cache\n\nfrom pydantic_settings import BaseSettings\n\n\n"
        'class Settings(BaseSettings):\n    API_V1_STR: str = "/api/v1"\n\n\n'
        "@lru_cache\ndef get_settings() -> Settings:\n    return Settings()\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/api/v1/items/{item_id}"
    said = [line for line in result.stdout.splitlines() if f"`{prefix}` read as" in line]
    assert len(said) == 1 and "environment variable API_V1_STR" in said[0], result.stdout


@pytest.mark.parametrize(
    ("main", "api"),
    [
        (
            "from fastapi import FastAPI\n\nfrom app.api.router import *\n\n"
            'app = FastAPI()\napp.include_router(api_router, prefix="/api/v1")\n',
            API_PY,
        ),
        (
            _main('app.include_router(api_router, prefix="/api/v1")'),
            API_PY.replace("from app.api import items", "from app.api import reexport").replace(
                "items.router", "reexport.router"
            ),
        ),
    ],
    ids=["name-used-by-the-importer", "attribute-of-the-re-exporting-module"],
)
def test_a_router_reached_through_a_star_import_is_followed(
    tmp_path: Path, main: str, api: str
) -> None:
    """``from <module> import *`` binds the module's public names (or its ``__all__``)."""
    root = _project(tmp_path, main, api)
    (root / "backend/app/api/reexport.py").write_text(
        '"""Everything of items."""\n\nfrom app.api.items import *  # noqa: F403\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root) == {"list_items": "/api/v1/items/", "get_item": "/api/v1/items/{item_id}"}
    assert "not followed" not in result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def test_a_router_named_as_its_module_re_exported_by_a_star_import_is_the_one_included(
    tmp_path: Path,
) -> None:
    """`from .items import *` in api/__init__.py, items.py binding `items = APIRouter()`.

    The star import binds the package's `items` to the router, over the submodule: `from
    app.api import items` then `app.include_router(items, prefix="/items")` serves it under
    /items. Its routes were logged without the prefix.
    """
    root = _project(
        tmp_path,
        "from fastapi import FastAPI\n\nfrom app.api import items\n\n"
        'app = FastAPI()\napp.include_router(items, prefix="/items")\n',
    )
    (root / "backend/app/api/__init__.py").write_text("from .items import *  # noqa: F403\n")
    (root / "backend/app/api/items.py").write_text(
        ITEMS_PY.replace("router = APIRouter", "items = APIRouter").replace("@router.", "@items.")
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root) == {"list_items": "/items/", "get_item": "/items/{item_id}"}
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/items/3").status_code == 200


def test_routers_a_static_method_called_on_self_passes_the_app_to_are_served_by_it(
    tmp_path: Path,
) -> None:
    """`self.__register_routes(app)` in `Server.__init__(self, app: FastAPI)`: a static method.

    It hands the app to `ROUTES.register_routes(app)`, whose loop includes each router under
    /v2. The static method's calls on `self` were not read as its calls: the app it passes was
    unknown, and the routes were logged without /v2 (a public project template's `Server`).
    """
    root = _project(
        tmp_path,
        "from fastapi import FastAPI\n\nfrom app.server import Server\n\n\n"
        "def create_app() -> FastAPI:\n    app = FastAPI()\n    return Server(app).get_app()\n",
    )
    (root / "backend/app/server.py").write_text(
        "from dataclasses import dataclass\n\nfrom fastapi import APIRouter, FastAPI\n\n"
        "from app.api import items\n\n\n"
        "@dataclass\nclass Routes:\n    routers: tuple[APIRouter, ...]\n\n"
        "    def register_routes(self, app: FastAPI) -> None:\n"
        "        for router in self.routers:\n"
        '            app.include_router(router, prefix="/v2/items")\n\n\n'
        "ROUTES = Routes(routers=(items.router,))\n\n\n"
        "class Server:\n"
        "    def __init__(self, app: FastAPI) -> None:\n"
        "        self.__app = app\n"
        "        self.__register_routes(app)\n\n"
        "    def get_app(self) -> FastAPI:\n        return self.__app\n\n"
        "    @staticmethod\n"
        "    def __register_routes(app):\n"
        "        ROUTES.register_routes(app)\n"
    )
    plan = root / "pyproject.toml"
    plan.write_text(
        plan.read_text().replace(
            "[tool.telemetry-scaffold]\n",
            '[tool.telemetry-scaffold]\napp = "app.main:create_app"\n',
        )
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root) == {"list_items": "/v2/items/", "get_item": "/v2/items/{item_id}"}
    assert "cannot tell" not in result.stdout
    with imported_app(root / "backend") as served:
        assert TestClient(served.create_app()).get("/v2/items/3").status_code == 200


def _two_apps(root: Path) -> Path:
    """A package whose `__init__` builds the served app, and whose `main` builds another."""
    package = root / "app"
    (package / "routes").mkdir(parents=True)
    (root / "main.py").write_text('from app import app\n\n__all__ = ["app"]\n')
    (package / "__init__.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.routes import shelves\n\n"
        'app = FastAPI()\napp.include_router(shelves.router, prefix="/shelves")\n'
    )
    (package / "main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.routes import crates, shelves\n\n"
        "api = FastAPI()\n"
        'api.include_router(shelves.router, prefix="/shelves")\n'
        'api.include_router(crates.router, prefix="/crates")\n'
    )
    (package / "routes/__init__.py").write_text("")
    for name in ("shelves", "crates"):
        (package / f"routes/{name}.py").write_text(
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            f'@router.get("/")\ndef list_{name}() -> list[int]:\n    return []\n'
        )
    (root / "pyproject.toml").write_text(
        '[project]\nname = "two"\n\n[tool.fastapi]\nentrypoint = "main:app"\n'
    )
    return root


def test_routers_only_an_app_not_served_includes_are_not_offered_nor_logged_as_served(
    tmp_path: Path,
) -> None:
    root = _two_apps(tmp_path / "two")
    offered = run("init", "--root", str(root), "--dry-run")
    assert offered.exit_code == 0, offered.stderr
    assert '"app/routes/shelves.py"' in offered.stdout
    assert 'crates.py" = ' not in offered.stdout  # only `app.main:api` includes it
    with (root / "pyproject.toml").open("a") as plan:
        plan.write(
            '\n[tool.telemetry-scaffold]\nbackend = "."\napp-package = ""\n\n'
            "[tool.telemetry-scaffold.instrument]\n"
            '"app/routes/crates.py" = "ai_block_used"\n"app/routes/shelves.py" = "ai_block_used"\n'
        )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (
        "app/routes/crates.py:6: `router` of app.routes.crates is included only by `api` of "
        "app.main, not by the app served (`app` of app)"
    ) in result.stdout
    assert "shelves.py:6:" not in result.stdout  # the served app includes it: nothing to say


def test_a_route_of_an_import_fallback_is_said_and_not_offered(tmp_path: Path) -> None:
    # `search.router` is `fancy.router` when the import works; the fallback router and its
    # route only exist when it fails, under the same path.
    root = tmp_path / "fb"
    routes = root / "app/routes"
    routes.mkdir(parents=True)
    (root / "app/__init__.py").write_text("")
    (routes / "__init__.py").write_text("")
    (root / "app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.routes import search\n\n"
        'app = FastAPI()\napp.include_router(search.router, prefix="/search")\n'
    )
    (routes / "fancy.py").write_text(
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/")\ndef fancy_search(q: str) -> list[str]:\n    return [q]\n'
    )
    (routes / "search.py").write_text(
        "from fastapi import APIRouter\n\n"
        "try:\n    from app.routes.fancy import router\nexcept ImportError:\n"
        "    router = APIRouter()\n\n"
        '    @router.get("/")\n    def plain_search(q: str) -> list[str]:\n        return []\n'
    )
    (root / "pyproject.toml").write_text('[project]\nname = "fb"\n')
    offered = run("init", "--root", str(root), "--dry-run")
    assert offered.exit_code == 0, offered.stderr
    assert '"routes/fancy.py"' in offered.stdout
    assert 'search.py" = ' not in offered.stdout
    (root / "pyproject.toml").write_text(
        '[project]\nname = "fb"\n\n[tool.telemetry-scaffold]\nbackend = "."\n'
        'app-package = "app"\n\n[tool.telemetry-scaffold.instrument]\n'
        '"routes/search.py" = "ai_block_used"\n"routes/fancy.py" = "ai_block_used"\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (
        "app/routes/search.py:8: `plain_search` is declared in the `except` fallback of the "
        "`try` at line 3"
    ) in result.stdout
    assert "fancy.py:6:" not in result.stdout


_IMPORT_TEXT_PIECES = [
    "import a\n",
    "import a.b as c, d\n",
    "from a.b import c\n",
    "from a import (\n    b,\n    import_c,  # import d\n)\n",
    "from a import b; import c\n",
    "x = 'import e'\n",
    "    import f\n",
    "# import g\n",
    "from importlib import h\n",
    "def important(): pass\n",
    "from a import \\\n    b\n",
    "import\n",
    "\r\nimport i\r\n",
    "y = 1\n" * 3,
    "import j",
    "from . import k\n",
    "from ..m import (n,\n    o)\n",
]


@pytest.mark.parametrize("seed", range(40))
def test_import_lines_are_the_matches_of_the_whole_pattern(seed: int) -> None:
    # Only lines holding "import" are tried, for speed; the matches must be finditer's own.
    from telemetry_cli.patching import symbols

    rng = random.Random(seed)
    text = "".join(rng.choice(_IMPORT_TEXT_PIECES) for _ in range(rng.randint(0, 12)))
    expected = [match.span() for match in symbols.IMPORT_LINE.finditer(text)]
    assert [match.span() for match in symbols.import_lines(text)] == expected


def test_imported_names_are_read_in_any_script() -> None:
    # PEP 3131: a package named in Cyrillic or Chinese is imported as any other; a name that
    # starts with a digit is no module name.
    from telemetry_cli.patching.symbols import modules_imported

    text = "from каталог import router\nfrom 用户.接口 import (路由,)\nfrom _x import y\n"
    assert list(modules_imported(text, None)) == [
        "каталог",
        "каталог.router",
        "用户.接口",
        "用户.接口.路由",
        "_x",
        "_x.y",
    ]
    assert list(modules_imported("from 2x import y\nfrom ²x import y\n", None)) == []
    # A relative import is made absolute from the package given, else skipped.
    relative = "from . import a\nfrom ..b import (c,\n    d)\nfrom ... import e\n"
    assert list(modules_imported(relative, None)) == []
    assert list(modules_imported(relative, "app.api")) == [
        "app.api",
        "app.api.a",
        "app.b",
        "app.b.c",
        "app.b.d",
    ]


ALIASED_ITEMS = """from fastapi import APIRouter

router = APIRouter(prefix="/items")


@router.get("/{item_id}")
def get_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}
"""


def _aliased_project(root: Path, main: str, plan: str = "") -> Path:
    (root / "app/routes").mkdir(parents=True)
    (root / "app/__init__.py").write_text("")
    (root / "app/routes/__init__.py").write_text("")
    (root / "app/routes/items.py").write_text(ALIASED_ITEMS)
    (root / "app/main.py").write_text(main)
    (root / "pyproject.toml").write_text(f'[project]\nname = "aliased"\n{plan}')
    return root


@pytest.mark.parametrize(
    ("main", "served"),
    [
        # Includes, middleware and routes made through a second name of the app.
        (
            "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\n"
            "from app.routes import items\n\napp = FastAPI()\napi = app\n"
            'api.include_router(items.router, prefix="/v1")\n'
            'api.add_middleware(CORSMiddleware, allow_origins=["*"])\n\n\n'
            '@api.get("/ping")\ndef ping() -> dict[str, bool]:\n    return {"ok": True}\n',
            "app",
        ),
        # The app served by the name it is given last (`application = api`, a runner naming it).
        (
            "from fastapi import FastAPI\n\nfrom app.routes import items\n\napi = FastAPI()\n\n\n"
            '@api.get("/ping")\ndef ping() -> dict[str, bool]:\n    return {"ok": True}\n\n\n'
            'application = api\napplication.include_router(items.router, prefix="/v1")\n\n'
            'if __name__ == "__main__":\n    import uvicorn\n\n'
            '    uvicorn.run("app.main:application")\n',
            "application",
        ),
    ],
    ids=["includes-through-alias", "served-alias"],
)
def test_a_second_name_of_the_app_is_the_app(tmp_path: Path, main: str, served: str) -> None:
    """`api = app`: what is made on either name is the one app's.

    The include through the alias was read as made by an object the tool cannot tell is an
    app (its router logged without `/v1`), and the served alias as no app at all.
    """
    side = "from fastapi import FastAPI\n\nside = FastAPI()\n"  # so that init must choose
    root = _aliased_project(tmp_path / "aliased", main)
    (root / "app/side.py").write_text(side)
    offered = run("init", "--root", str(root))
    assert offered.exit_code == 0, offered.stderr
    plan = (root / "pyproject.toml").read_text()
    assert '"routes/items.py"' in plan and '"main.py"' in plan, plan
    (root / "pyproject.toml").write_text(plan.replace('# "', '"'))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in get_item (GET /v1/items/{item_id})" in result.stdout, result.stdout
    assert "log call in ping (GET /ping)" in result.stdout
    assert "cannot tell" not in result.stdout and "not the app served" not in result.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    with imported_app(root) as module:
        client = TestClient(getattr(module, served))
        codes = [client.get(path).status_code for path in ("/v1/items/3", "/api/telemetry/health")]
    assert codes == [200, 200], codes
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "app/main.py").read_text() == main


def test_routes_declared_on_an_app_not_served_are_said_and_not_offered(tmp_path: Path) -> None:
    """`metrics = FastAPI()` beside the served app: its routes answer only where it runs.

    They were offered by init and logged as the served app's, without a word.
    """
    main = (
        "from fastapi import FastAPI\n\nfrom app.routes import items\n\napp = FastAPI()\n"
        'app.include_router(items.router)\n\nif __name__ == "__main__":\n'
        '    import uvicorn\n\n    uvicorn.run("app.main:app")\n'
    )
    root = _aliased_project(tmp_path / "side", main)
    (root / "app/metrics.py").write_text(
        "from fastapi import FastAPI\n\nmetrics = FastAPI()\n\n\n"
        '@metrics.get("/metrics")\ndef scrape() -> dict[str, int]:\n    return {}\n'
    )
    (root / "app/admin.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.main import app\n\nadmin = FastAPI()\n"
        'app.mount("/admin", admin)\n\n\n'
        '@admin.get("/users")\ndef users() -> list[str]:\n    return []\n'
    )
    offered = run("init", "--root", str(root), "--dry-run")
    assert offered.exit_code == 0, offered.stderr
    assert 'app = "app.main:app"' in offered.stdout, offered.stdout
    assert 'metrics.py" = ' not in offered.stdout, offered.stdout
    assert '"admin.py"' in offered.stdout, offered.stdout  # mounted into the app served
    (root / "pyproject.toml").write_text(
        '[project]\nname = "side"\n\n[tool.telemetry-scaffold]\nbackend = "."\n'
        'app-package = "app"\napp = "app.main:app"\n\n[tool.telemetry-scaffold.instrument]\n'
        '"metrics.py" = "ai_block_used"\n"admin.py" = "ai_block_used"\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (
        "app/metrics.py:6: `metrics` of app.metrics is not the app served (`app` of app.main) "
        "nor mounted into it"
    ) in result.stdout, result.stdout
    assert "log call in users (GET /admin/users)" in result.stdout
    assert "admin.py:8:" not in result.stdout  # served through the mount: nothing to say


def test_a_factory_returning_a_second_name_of_the_app_is_wired_inside(tmp_path: Path) -> None:
    """`def create_app(): application: FastAPI = FastAPI(); api = application; ...; return api`.

    The routers included through `api` were said to be included by no app (none offered by
    init), and the layer was wired on the module's `app = create_app()`, which other callers
    of the factory (tests) do not get.
    """
    main = (
        "from fastapi import FastAPI\n\nfrom app.routes import items\n\n\n"
        "def create_app() -> FastAPI:\n    application: FastAPI = FastAPI()\n"
        "    api = application\n"
        '    api.include_router(router=items.router, prefix="/v1")\n    return api\n\n\n'
        "app = create_app()\n"
    )
    root = _aliased_project(tmp_path / "factory", main)
    offered = run("init", "--root", str(root))
    assert offered.exit_code == 0, offered.stderr
    plan = (root / "pyproject.toml").read_text()
    assert '# "routes/items.py"' in plan, plan
    (root / "pyproject.toml").write_text(plan.replace('# "', '"'))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "include the telemetry router in `application in create_app()`" in result.stdout
    assert "log call in get_item (GET /v1/items/{item_id})" in result.stdout, result.stdout
    with imported_app(root) as module:
        client = TestClient(module.create_app())
        codes = [client.get(path).status_code for path in ("/v1/items/3", "/api/telemetry/health")]
    assert codes == [200, 200], codes
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "app/main.py").read_text() == main


def test_a_prefix_set_on_the_app_router_counts_for_what_is_declared_after(tmp_path: Path) -> None:
    """`api.router.prefix = "/api"`: FastAPI adds it to the routes added to the app after it.

    Those routes (and the routers the app includes after it) were logged without it.
    """
    main = (
        "from fastapi import FastAPI\n\nfrom app.routes import items\n\n"
        "api: FastAPI = FastAPI()\n\n\n"
        '@api.get("/health")\ndef health() -> dict[str, bool]:\n    return {"ok": True}\n\n\n'
        'api.router.prefix = "/api"\n\n\n'
        '@api.get("/ping")\ndef ping() -> dict[str, bool]:\n    return {"ok": True}\n\n\n'
        "api.include_router(items.router)\n"
    )
    root = _aliased_project(
        tmp_path / "prefixed",
        main,
        '\n[tool.telemetry-scaffold]\nbackend = "."\napp-package = "app"\n\n'
        '[tool.telemetry-scaffold.instrument]\n"main.py" = "ai_block_used"\n'
        '"routes/items.py" = "ai_block_used"\n',
    )
    # Wired after the prefix is set, the telemetry router gets it too: said, with the fix.
    refused = run("generate", "--root", str(root))
    assert refused.exit_code == 1, refused.stdout + refused.stderr
    assert (
        "app/main.py:5: api.router.prefix is set to '/api' before the telemetry router is "
        "included, and FastAPI adds it: /api/telemetry/log would answer at "
        '/api/api/telemetry/log; set api-prefix = "/telemetry" in pyproject.toml'
    ) in refused.stdout, refused.stdout
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(
        plan.replace('app-package = "app"\n', 'app-package = "app"\napi-prefix = "/telemetry"\n')
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    for logged in ("health (GET /health)", "ping (GET /api/ping)", "get_item (GET /api/items/"):
        assert f"log call in {logged}" in refused.stdout, refused.stdout
    with imported_app(root) as module:
        client = TestClient(module.api)
        paths = ("/health", "/api/ping", "/api/items/3", "/api/telemetry/health")
        codes = [client.get(path).status_code for path in paths]
    assert codes == [200, 200, 200, 200], codes


def test_an_app_router_prefix_only_known_at_run_time_is_said(tmp_path: Path) -> None:
    """`api.router.prefix = os.environ["PREFIX"]`: what is declared after it is logged without it.

    It was left out without a word, as a prefix of an include only known at run time is not.
    """
    main = (
        "import os\n\nfrom fastapi import FastAPI\n\nfrom app.routes import items\n\n"
        'api = FastAPI()\napi.router.prefix = os.environ["PREFIX"]\n\n\n'
        '@api.get("/ping")\ndef ping() -> dict[str, bool]:\n    return {"ok": True}\n\n\n'
        "api.include_router(items.router)\n"
    )
    root = _aliased_project(
        tmp_path / "runtime",
        main,
        '\n[tool.telemetry-scaffold]\nbackend = "."\napp-package = "app"\n\n'
        '[tool.telemetry-scaffold.instrument]\n"main.py" = "ai_block_used"\n'
        '"routes/items.py" = "ai_block_used"\n',
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in ping (GET /ping)" in result.stdout
    assert "log call in get_item (GET /items/{item_id})" in result.stdout
    said = "`api.router.prefix` is set above to a value only known at run time"
    assert f"app/main.py:11: {said}: the routes declared on the app after" in result.stdout
    assert f"app/main.py:16: {said}: the routes of the router included here" in result.stdout


FACTORY_OF_SETTINGS = """from fastapi import FastAPI

from app.api.router import api_router
from app.settings import Settings, settings


def create_app(config: Settings) -> FastAPI:
    app = FastAPI()
    app.include_router(api_router, prefix={prefix})
    return app


app = create_app({argument})
"""


@pytest.mark.parametrize(
    ("prefix", "argument", "field"),
    [
        ("config.API_V1_STR", "config=settings", 'API_V1_STR: str = "/api/v1"'),
        ('f"{config.API_V1_STR}/public"', "settings", 'API_V1_STR: str = "/api/v1"'),
        (
            "config.api.v1_prefix",
            "Settings()",
            "api: ApiSettings = ApiSettings()",
        ),
    ],
    ids=["keyword", "positional-in-f-string", "nested-group-built-in-the-call"],
)
def test_a_prefix_read_off_a_settings_object_a_factory_is_handed_is_its_default(
    tmp_path: Path, prefix: str, argument: str, field: str
) -> None:
    """`def create_app(config: Settings)`, called `create_app(settings)`: `config.API_V1_STR`
    reads the passed object's field, as `settings.API_V1_STR` would read where it is passed."""
    root = _project(tmp_path, FACTORY_OF_SETTINGS.format(prefix=prefix, argument=argument))
    (root / "backend/app/settings.py").write_text(
        "from pydantic import BaseModel\n"
        "from pydantic_settings import BaseSettings\n\n\n"
        'class ApiSettings(BaseModel):\n    v1_prefix: str = "/api/v1"\n\n\n'
        f"class Settings(BaseSettings):\n    {field}\n\n\nsettings = Settings()\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    expected = "/api/v1/public" if "public" in prefix else "/api/v1"
    assert _routes(root)["get_item"] == f"{expected}/items/{{item_id}}", result.stdout
    assert "only known at run time" not in result.stdout
    said = [line for line in result.stdout.splitlines() if "read as '/api/v1'" in line]
    assert len(said) == 1 and "environment variable" in said[0], result.stdout


def test_a_router_a_factory_builds_with_a_prefix_off_the_settings_it_is_handed(
    tmp_path: Path,
) -> None:
    """`v1 = APIRouter(prefix=config.API_V1_STR)` in `def create_app(config: Settings)`."""
    main = (
        "from fastapi import APIRouter, FastAPI\n\n"
        "from app.api.router import api_router\n"
        "from app.settings import Settings, settings\n\n\n"
        "def create_app(config: Settings) -> FastAPI:\n"
        "    app = FastAPI()\n"
        "    v1 = APIRouter(prefix=config.API_V1_STR)\n"
        "    v1.include_router(api_router)\n"
        "    app.include_router(v1)\n"
        "    return app\n\n\n"
        "app = create_app(settings)\n"
    )
    root = _project(tmp_path, main)
    (root / "backend/app/settings.py").write_text(
        "from pydantic_settings import BaseSettings\n\n\n"
        'class Settings(BaseSettings):\n    API_V1_STR: str = "/api/v3"\n\n\n'
        "settings = Settings()\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/api/v3/items/{item_id}", result.stdout
    assert "only known at run time" not in result.stdout


FACTORY_OR_GETTER = """from fastapi import FastAPI

from app.api.router import api_router
from app.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI()
    app.include_router(api_router, prefix=settings.API_V1_STR)
    return app


app = create_app({argument})
"""


@pytest.mark.parametrize(
    ("argument", "expected"),
    [("", "/api/v1/items/{item_id}"), ("Settings(API_V1_STR='/x')", "/items/{item_id}")],
    ids=["no-call-passes-it", "a-call-passes-one"],
)
def test_a_factory_falling_back_to_the_settings_getter_reads_the_getter_default(
    tmp_path: Path, argument: str, expected: str
) -> None:
    """`settings = settings or get_settings()`: what the getter gives, unless a call passes one."""
    root = _project(tmp_path, FACTORY_OR_GETTER.format(argument=argument))
    (root / "backend/app/settings.py").write_text(
        "from functools import lru_cache\n\n"
        "from pydantic_settings import BaseSettings\n\n\n"
        'class Settings(BaseSettings):\n    API_V1_STR: str = "/api/v1"\n\n\n'
        "@lru_cache\ndef get_settings() -> Settings:\n    return Settings()\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == expected, result.stdout
    known = "only known at run time" not in result.stdout
    assert known == (argument == ""), result.stdout


def test_a_factory_whose_settings_parameter_defaults_to_the_getter_reads_its_default(
    tmp_path: Path,
) -> None:
    """`def get_application(settings: Settings = get_settings())`, called with no arguments."""
    main = (
        "from fastapi import FastAPI\n\n"
        "from app.api.router import api_router\n"
        "from app.settings import Settings, get_settings\n\n\n"
        "def get_application(settings: Settings = get_settings()) -> FastAPI:\n"
        "    application = FastAPI()\n"
        "    application.include_router(api_router, prefix=settings.api_prefix)\n"
        "    return application\n\n\n"
        "app = get_application()\n"
    )
    root = _project(tmp_path, main)
    (root / "backend/app/settings.py").write_text(
        "from functools import lru_cache\n\n"
        "from pydantic_settings import BaseSettings\n\n\n"
        'class Settings(BaseSettings):\n    api_prefix: str = "/api"\n\n\n'
        "@lru_cache\ndef get_settings() -> Settings:\n    return Settings()\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == "/api/items/{item_id}", result.stdout
    assert "only known at run time" not in result.stdout


APP_SUBCLASS_MAIN_PY = '''"""The app, a FastAPI subclass including its routers in a method."""

from fastapi import FastAPI as BaseApp

from app.api.router import api_router


class ServiceApp(BaseApp):
    def wire(self) -> None:
        self.include_router(api_router, prefix="/api/v1")

    def setup(self) -> None:
        super().setup()
        self.wire()


app = ServiceApp()
'''


def test_routers_a_fastapi_subclass_includes_on_itself_get_the_prefix(tmp_path: Path) -> None:
    # `self.include_router(...)` in a method of a class deriving from FastAPI: `self` is the app.
    root = _project(tmp_path, APP_SUBCLASS_MAIN_PY)
    _generates_and_serves_items(root, "/api/v1", unsaid="cannot tell is an app")
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/main.py").read_text() == APP_SUBCLASS_MAIN_PY


ROUTER_MOUNTED_MAIN_PY = '''"""The app, serving the router by mounting it."""

from fastapi import FastAPI

from app.api.router import api_router

app = FastAPI()
app.mount("/api/v2/", api_router)
'''


def test_a_router_mounted_into_the_app_is_served_under_the_mount_path(tmp_path: Path) -> None:
    # Starlette serves a router passed to `app.mount(path, router)` under the mount path, as
    # an include with that prefix would: neither "included by no app" nor logged without it.
    root = _project(tmp_path, ROUTER_MOUNTED_MAIN_PY)
    _generates_and_serves_items(root, "/api/v2", unsaid="included by no app")
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/main.py").read_text() == ROUTER_MOUNTED_MAIN_PY


ALIASED_INCLUDE_API_PY = '''"""All routers of version 1, included through an alias."""

from fastapi import APIRouter

from app.api import items

api_router = APIRouter()

include_api = api_router.include_router

routers = ((items.router, "items", "items"),)

for router, prefix, tag in routers:
    include_api(router, prefix=f"/{prefix}", tags=[tag])
'''


def test_routers_included_through_a_name_for_include_router_get_the_prefix(
    tmp_path: Path,
) -> None:
    # `include_api = api_router.include_router` then `include_api(router, prefix=...)`: the
    # same include as `api_router.include_router(router, prefix=...)`.
    main = _main('app.include_router(api_router, prefix="/api/v1")')
    root = _project(tmp_path, main, api=ALIASED_INCLUDE_API_PY)
    _generates_and_serves_items(root, "/api/v1", unsaid="included by no app")
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/router.py").read_text() == ALIASED_INCLUDE_API_PY


@pytest.mark.parametrize(
    ("alias", "call"),
    [
        ('include = partial(app.include_router, prefix="/api/v1")', "include(api_router)"),
        (
            'include = functools.partial(app.include_router, prefix="/api/v2")',
            'include(api_router, prefix="/api/v1")',
        ),
    ],
    ids=["partial", "call-keyword-wins"],
)
def test_routers_included_through_a_partial_of_include_router_get_its_prefix(
    tmp_path: Path, alias: str, call: str
) -> None:
    # `functools.partial(app.include_router, prefix=...)` then `include(router)`: the partial's
    # arguments first, then the call's, a keyword given again the call's (as Python passes them).
    before = "import functools\nfrom functools import partial\n"
    root = _project(tmp_path, _main(f"{alias}\n{call}", before))
    _generates_and_serves_items(root, "/api/v1", unsaid="included by no")


UNPACKED_IN_BODY_API_PY = ALIASED_INCLUDE_API_PY.replace(
    "for router, prefix, tag in routers:\n",
    "for router_item in routers:\n    router, prefix, tag = router_item\n",
)


def test_loop_items_unpacked_by_the_first_statement_of_the_body_give_the_prefix(
    tmp_path: Path,
) -> None:
    # `for router_item in routers: router, prefix, tag = router_item`: the names each item
    # binds, as `for router, prefix, tag in routers:` would.
    assert "router, prefix, tag = router_item" in UNPACKED_IN_BODY_API_PY
    main = _main('app.include_router(api_router, prefix="/api/v1")')
    root = _project(tmp_path, main, api=UNPACKED_IN_BODY_API_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "not followed" not in result.stdout
    assert _routes(root) == {"list_items": "/api/v1/items/", "get_item": "/api/v1/items/{item_id}"}


APP_SUBCLASS_MOUNTING_MAIN_PY = '''"""The app, a FastAPI subclass mounting in a method."""

from fastapi import FastAPI

from app.api.router import api_router

{before}

class ServiceApp(FastAPI):
    def wire(self) -> None:
        self.mount("{prefix}", {mounted})

    def setup(self) -> None:
        super().setup()
        self.wire()


app = ServiceApp()
'''


@pytest.mark.parametrize(
    ("before", "mounted", "prefix"),
    [
        ("", "api_router", "/api/v2"),
        ("api = FastAPI()\napi.include_router(api_router)\n", "api", "/api/v3"),
    ],
    ids=["router", "sub-app"],
)
def test_what_a_fastapi_subclass_mounts_on_itself_is_served_under_the_mount_path(
    tmp_path: Path, before: str, mounted: str, prefix: str
) -> None:
    # `self.mount(path, router_or_app)` in a method of a class deriving from FastAPI: `self`
    # is the app (as for `self.include_router`), its routes are served under the mount path.
    main = APP_SUBCLASS_MOUNTING_MAIN_PY.format(before=before, mounted=mounted, prefix=prefix)
    root = _project(tmp_path, main)
    _generates_and_serves_items(root, prefix, unsaid="only known at run time")
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/main.py").read_text() == main


PICKED_SETTINGS = """import os

from pydantic_settings import BaseSettings


class BaseConfig(BaseSettings):
    api_prefix: str = "/api"


class DevSettings(BaseConfig):
    debug: bool = True
{override}

class ProdSettings(BaseConfig):
    debug: bool = False


{picked}
"""

_BY_STAGE = '{"dev": DevSettings, "prod": ProdSettings}'
_GETTER = (
    "def get_settings() -> BaseConfig:\n"
    '    if os.getenv("STAGE") == "prod":\n'
    "        return ProdSettings()\n"
    "    return DevSettings()\n\n\n"
    "settings = get_settings()\n"
)


@pytest.mark.parametrize(
    ("override", "picked", "route", "said"),
    [
        # Every class it may be declares the same default: that one.
        ("", f'settings = {_BY_STAGE}[os.getenv("STAGE", "dev")]()', "/api", "read as '/api'"),
        ("", f'CLASSES = {_BY_STAGE}\nsettings = CLASSES[os.environ["STAGE"]]()', "/api", "'/api'"),
        ("", _GETTER, "/api", "read as '/api'"),
        # They differ: the class of the literal default key, said so.
        (
            '    api_prefix: str = "/dev"\n',
            f'settings = {_BY_STAGE}[os.getenv("STAGE", "dev")]()',
            "/dev",
            "`DevSettings`",
        ),
        (
            '    api_prefix: str = "/dev"\n',
            f'CLASSES = {_BY_STAGE}\nstage = os.environ.get("STAGE", "prod")\n'
            "settings = CLASSES[stage]()",
            "/api",
            "`ProdSettings`",
        ),
        # No default key: not known, said so in one line.
        (
            '    api_prefix: str = "/dev"\n',
            f'settings = {_BY_STAGE}[os.environ["STAGE"]]()',
            "",
            "picked at run time",
        ),
        ('    api_prefix: str = "/dev"\n', _GETTER, "", "picked at run time"),
        # Keys that are names: their values are not read, and the default's text naming one
        # of them picks nothing (it is the string "PROD", not the name's value).
        (
            '    api_prefix: str = "/dev"\n',
            'DEV, PROD = "dev", "prod"\n'
            'settings = {DEV: DevSettings, PROD: ProdSettings}[os.getenv("STAGE", "PROD")]()',
            "",
            "picked at run time",
        ),
    ],
    ids=[
        "same-inline",
        "same-mapping",
        "same-getter",
        "differ-default",
        "differ-default-variable",
        "differ-no-default",
        "differ-getter",
        "differ-name-keys",
    ],
)
def test_a_settings_class_picked_from_several_by_the_environment_gives_their_default(
    tmp_path: Path, override: str, picked: str, route: str, said: str
) -> None:
    """`settings = {"dev": DevSettings, ...}[os.getenv("STAGE", "dev")]()`, or a getter."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.router import api_router\n"
        "from app.settings import settings\n\napp = FastAPI()\n"
        "app.include_router(api_router, prefix=settings.api_prefix)\n"
    )
    root = _project(tmp_path, main)
    (root / "backend/app/settings.py").write_text(
        PICKED_SETTINGS.format(override=override, picked=picked)
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root)["get_item"] == f"{route}/items/{{item_id}}", result.stdout
    lines = [line for line in result.stdout.splitlines() if "`settings.api_prefix`" in line]
    assert len(lines) == 1, result.stdout
    assert said in lines[0], lines


def test_the_reason_a_prefix_is_unknown_is_said_for_the_settings_read_it_is_made_of(
    tmp_path: Path,
) -> None:
    # `settings.api_prefix` is unknown, and so is `settings.api_prefix_v2`, which merely starts
    # with the same text: each line says its own reason once, not the other's too.
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.router import api_router\n"
        "from app.settings import settings\n\napp = FastAPI()\n"
        "app.include_router(api_router, prefix=settings.api_prefix)\n"
        "app.include_router(api_router, prefix=settings.api_prefix_v2)\n"
    )
    root = _project(tmp_path, main)
    override = '    api_prefix: str = "/dev"\n    api_prefix_v2: str = "/dev/v2"\n'
    picked = f'settings = {_BY_STAGE}[os.environ["STAGE"]]()'
    settings = PICKED_SETTINGS.format(override=override, picked=picked).replace(
        '    api_prefix: str = "/api"\n',
        '    api_prefix: str = "/api"\n    api_prefix_v2: str = "/v2"\n',
    )
    (root / "backend/app/settings.py").write_text(settings)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    for read in ("settings.api_prefix", "settings.api_prefix_v2"):
        [line] = [line for line in result.stdout.splitlines() if f"`{read}`" in line]
        assert line.count("picked at run time") == 1, line


@pytest.mark.parametrize(
    ("main", "prefix"),
    [
        # The routes join a router with a prefix of its own, which they do not get.
        (
            'api = APIRouter(prefix="/v1")\napi.routes.extend(api_router.routes)\n'
            'app = FastAPI()\napp.include_router(api, prefix="/api")\n',
            "/api",
        ),
        # One list for two routers; the app includes the second one.
        (
            'api = APIRouter(prefix="/v1")\napi.routes = api_router.routes\n'
            'app = FastAPI()\napp.include_router(api, prefix="/public")\n',
            "/public",
        ),
        # Straight into the app's own router, with a prefix of its own too.
        (
            'app = FastAPI()\napp.router.prefix = "/ignored"\n'
            "app.router.routes += list(api_router.routes)\n",
            "",
        ),
        # In a loop over literal routers, in a factory.
        (
            "def create_app() -> FastAPI:\n    app = FastAPI()\n"
            "    for router in (api_router,):\n        app.routes.extend(router.routes)\n"
            "    return app\n\n\napp = create_app()\n",
            "",
        ),
        # A router built with the routes of another, through a variable of the module.
        (
            "copied = api_router.routes\nunited = APIRouter(routes=copied)\n"
            'app = FastAPI()\napp.include_router(united, prefix="/api")\n',
            "/api",
        ),
        # The app built with them.
        ("app = FastAPI(title='Shop', routes=api_router.routes)\n", ""),
        # Some of them, picked by a filter over the list (each kept one is served there).
        (
            "app = FastAPI()\n"
            "app.router.routes.extend(r for r in api_router.routes if r is not None)\n",
            "",
        ),
        (
            "api = APIRouter()\napi.routes += [route for route in api_router.routes if route]\n"
            'app = FastAPI()\napp.include_router(api, prefix="/api")\n',
            "/api",
        ),
    ],
    ids=[
        "extend",
        "same-list",
        "app-router",
        "loop-in-factory",
        "router-built-with",
        "app-built-with",
        "filtered-generator",
        "filtered-list",
    ],
)
def test_routes_copied_into_another_router_are_served_with_the_paths_they_hold(
    tmp_path: Path, main: str, prefix: str
) -> None:
    # Copied route objects keep their path (their router's prefixes and includes), served
    # wherever the object they are copied into serves its own; its own prefix is not added.
    head = "from fastapi import APIRouter, FastAPI\n\nfrom app.api.router import api_router\n\n"
    main = head + main
    root = _project(tmp_path, main)
    _generates_and_serves_items(root, prefix, "included by no app")
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    ("include", "routes"),
    [
        (
            'app.include_router(**{"router": api_router, "prefix": "/api"})',
            {"list_items": "/api/items/", "get_item": "/api/items/{item_id}"},
        ),
        (
            'app.include_router(api_router, **{"prefix": "/api"}, tags=["all"])',
            {"list_items": "/api/items/", "get_item": "/api/items/{item_id}"},
        ),
        # Keys that are not literal names: what the dict holds is not known.
        (
            'app.include_router(api_router, **{PREFIX: "/api"})',
            {"list_items": "/items/", "get_item": "/items/{item_id}"},
        ),
    ],
    ids=["router-and-prefix", "prefix", "name-key"],
)
def test_keywords_spread_from_a_literal_dict_are_read_as_keywords(
    tmp_path: Path, include: str, routes: dict[str, str]
) -> None:
    root = _project(tmp_path, _main(include, 'PREFIX = "prefix"\n'))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _routes(root) == routes
    if routes["get_item"].startswith("/api"):
        assert "not followed" not in result.stdout
        with imported_app(root / "backend") as served:
            assert TestClient(served.app).get("/api/items/7").json() == {"id": 7}


def test_routes_copied_from_what_is_not_followed_are_not_said_to_be_served_by_no_app(
    tmp_path: Path,
) -> None:
    # The routes `collect()` returns join `api`: which routers they come from is not known
    # statically, so a router found included nowhere may be served through it.
    main = (
        "from fastapi import APIRouter, FastAPI\n\nfrom app.api import items\n\n\n"
        "def collect():\n    return list(items.router.routes)\n\n\n"
        "api = APIRouter()\napi.routes.extend(collect())\n"
        'app = FastAPI()\napp.include_router(api, prefix="/api")\n'
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "included by no app" not in result.stdout
    assert "`collect()` at backend/app/main.py:11" in result.stdout
    assert "is not followed" in result.stdout
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/7").json() == {"id": 7}


CRUD_KIT = '''"""A stand-in for a third-party router class that names its own prefix."""

from typing import Any

from fastapi import APIRouter


class MemoryCRUDRouter(APIRouter):
    def __init__(self, schema: type, prefix: str | None = None, **kwargs: Any) -> None:
        # As fastapi-crudrouter does: "potatoes" and "/potatoes/" both become "/potatoes".
        own = "/" + (prefix or schema.__name__).lower().strip("/")
        super().__init__(prefix=own, **kwargs)
'''

CRUD_ITEMS_PY = """from crudkit import MemoryCRUDRouter
from pydantic import BaseModel


class Potato(BaseModel):
    id: int


router = MemoryCRUDRouter(schema=Potato)


@router.get("")
def all_potatoes() -> list[Potato]:
    return []


@router.get("/{item_id}")
def one_potato(item_id: int) -> Potato:
    return Potato(id=item_id)
"""


def test_a_library_router_class_built_without_prefix_has_a_run_time_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`MemoryCRUDRouter(schema=Potato)`: a router class from a library may name its own prefix
    (`/potato`, from the schema) when given none, so the route is its `router.prefix` at run
    time, never the bare path (`""`, which FastAPI would not even serve without a prefix)."""
    root = make_project(tmp_path / "project", 'instrument = { "api/items.py" = "ai_block_used" }')
    # Installed, as a library is: outside the backend folder the tool reads.
    (tmp_path / "site/crudkit").mkdir(parents=True)
    (tmp_path / "site/crudkit/__init__.py").write_text(CRUD_KIT)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    (root / "backend/app/api/items.py").write_text(CRUD_ITEMS_PY)
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api import items\n\napp = FastAPI()\n"
        "app.include_router(items.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    added = (root / "backend/app/api/items.py").read_text()
    assert '"route": router.prefix + "/{item_id}"' in added
    assert '"route": router.prefix,' in added  # `@router.get("")`
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/potato/3").json() == {"id": 3}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


#: A library's APIRouter subclass keeping its constructor (fastapi-utils' InferringRouter only
#: infers `response_model`): given no prefix, it has none.
INFERRING_ROUTER = """from typing import Any, Callable, get_type_hints

from fastapi import APIRouter


class {name}(APIRouter):
    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if kwargs.get("response_model") is None:
            kwargs["response_model"] = get_type_hints(endpoint).get("return")
        return super().add_api_route(path, endpoint, **kwargs)
"""


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("fastapi_utils.inferring_router", "InferringRouter"),
        ("fastapi_restful.inferring_router", "InferringRouter"),
        ("cadwyn", "VersionedAPIRouter"),
    ],
)
def test_a_known_library_apirouter_subclass_built_without_prefix_logs_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, name: str
) -> None:
    """`InferringRouter()` (fastapi-utils) has no prefix of its own, as `APIRouter()`: the route
    is the literal path under the prefixes it is included with, not `router.prefix + ...`."""
    root = make_project(tmp_path / "project", 'instrument = { "api/items.py" = "ai_block_used" }')
    package = tmp_path / "site" / module.replace(".", "/")
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(INFERRING_ROUTER.format(name=name))
    if "." in module:
        (package.parent / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    (root / "backend/app/api/items.py").write_text(
        f"from {module} import {name}\n\nrouter = {name}()\n\n\n"
        '@router.get("/{item_id}")\ndef one_item(item_id: int) -> int:\n    return item_id\n'
    )
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api import items\n\napp = FastAPI()\n"
        'app.include_router(items.router, prefix="/items")\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    added = (root / "backend/app/api/items.py").read_text()
    assert '"route": "/items/{item_id}"' in added, added
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/items/3").json() == 3
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize("prefix", ["potatoes", "/potatoes/"])
def test_a_library_router_class_given_a_prefix_fastapi_refuses_rewrites_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefix: str
) -> None:
    """`MemoryCRUDRouter(schema=Potato, prefix="potatoes")`: `APIRouter` refuses that prefix, so
    a library class given it must rewrite it for the app to start (fastapi-crudrouter serves
    `/potatoes`): the route is `router.prefix` at run time, with no note that the app fails."""
    root = make_project(tmp_path / "project", 'instrument = { "api/items.py" = "ai_block_used" }')
    (tmp_path / "site/crudkit").mkdir(parents=True)
    (tmp_path / "site/crudkit/__init__.py").write_text(CRUD_KIT)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    items = CRUD_ITEMS_PY.replace("(schema=Potato)", f"(schema=Potato, prefix={prefix!r})")
    (root / "backend/app/api/items.py").write_text(items)
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api import items\n\napp = FastAPI()\n"
        "app.include_router(items.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "refuses" not in result.stdout, result.stdout
    added = (root / "backend/app/api/items.py").read_text()
    assert '"route": router.prefix + "/{item_id}"' in added
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/potatoes/3").json() == {"id": 3}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    ("path", "old", "new", "prefix"),
    [
        ("backend/settings.toml", '"/prod"', '"/live"', "/live"),
        ("backend/app/settings.py", 'env="production"', 'env="development"', "/dev"),
    ],
    ids=["file-value", "environment"],
)
def test_a_dynaconf_settings_change_makes_the_log_calls_stale(
    tmp_path: Path, path: str, old: str, new: str, prefix: str
) -> None:
    """The settings file and the environment chosen are inputs: --check sees them change."""
    main = _main(
        "app.include_router(api_router, prefix=settings.API_V1_STR)",
        "from app.settings import settings\n",
    )
    root = _project(tmp_path, main)
    options = 'settings_files=["settings.toml"], environments=True, env="production"'
    (root / "backend/app/settings.py").write_text(DYNACONF.format(options=options))
    (root / "backend/settings.toml").write_text(
        '[development]\nAPI_V1_STR = "/dev"\n[production]\nAPI_V1_STR = "/prod"\n'
    )
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root)["get_item"] == "/prod/items/{item_id}"
    edited = root / path
    edited.write_text(edited.read_text().replace(old, new))
    check = run("generate", "--check", "--root", str(root))
    assert check.exit_code == 1
    # The status lines (`unpatched  <path>`) of the files out of date, after the diff.
    stale = re.findall(r"^(?!unchanged)[a-z]+ +(\S+)$", check.stdout, re.MULTILINE)
    assert stale == ["backend/app/api/items.py"], check.stdout
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _routes(root)["get_item"] == f"{prefix}/items/{{item_id}}"
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


LATE_ROUTES_MAIN_PY = '''"""Routes before, between and after the includes of their routers."""

from fastapi import APIRouter, FastAPI

app = FastAPI()
shelf = APIRouter(prefix="/shelf")
inner = APIRouter(prefix="/inner")
outer = APIRouter(prefix="/outer")


@shelf.get("/first")
async def first() -> dict[str, str]:
    return {"at": "first"}


app.include_router(shelf, prefix="/a")


@shelf.get("/second")
async def second() -> dict[str, str]:
    return {"at": "second"}


app.include_router(shelf, prefix="/b")


@shelf.get("/third")
async def third() -> dict[str, str]:
    return {"at": "third"}


@inner.get("/deep")
async def deep() -> dict[str, str]:
    return {"at": "deep"}


app.include_router(outer)
outer.include_router(inner)
'''


def _async_routes(path: Path) -> dict[str, str]:
    """The ``route`` each async handler of a module logs, by handler (only those logging)."""
    routes: dict[str, str] = {}
    for function in ast.parse(path.read_text()).body:
        if not isinstance(function, ast.AsyncFunctionDef):
            continue
        call = function.body[0]
        if not (isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)):
            continue
        payload = call.value.args[1]
        assert isinstance(payload, ast.Dict)
        for key, value in zip(payload.keys, payload.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "route":
                routes[function.name] = ast.literal_eval(value)
    return routes


def test_routes_declared_after_an_include_of_their_router_say_how_older_fastapi_serves_them(
    tmp_path: Path,
) -> None:
    # From FastAPI 0.137 an include serves every route its router ever gets: the routes are
    # logged so. Before, `include_router` copied the routes the router had when it ran: a
    # route declared after the last include of its router (or of a router its own is included
    # into) was served by no app, one declared between two includes only under the later one.
    root = make_project(tmp_path / "project", 'instrument = { "main.py" = "ai_block_used" }')
    (root / "backend/app/main.py").write_text(LATE_ROUTES_MAIN_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _async_routes(root / "backend/app/main.py") == {
        "first": "/shelf/first",  # served under /a and /b: the path the router declares
        "second": "/shelf/second",
        "third": "/shelf/third",
        "deep": "/outer/inner/deep",
    }
    said = " ".join(result.stdout.split())
    assert said.count("earlier versions copy a router's routes") == 3, said
    assert (
        "main.py:19: this route is added to `shelf` of app.main after some of its includes: "
        "FastAPI 0.137 and later serve it under each of them (logged so); earlier versions "
        "copy a router's routes when they include it and serve it only under the includes "
        "made after it (include prefix '/b')" in said
    )
    assert (
        "main.py:27: this route is added to `shelf` of app.main after its last include (line 24)"
        in said
    )
    assert (
        "main.py:32: this route is added to `outer` of app.main after its last include (line 37)"
        in said
    )
    assert "main.py:11:" not in said
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/b/shelf/second").json() == {"at": "second"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/main.py").read_text() == LATE_ROUTES_MAIN_PY


APP_IN_TRY_MAIN_PY = '''"""The app, built in a try statement with a fallback."""

from fastapi import APIRouter, FastAPI

router = APIRouter(prefix="/r")


@router.get("/ping")
async def ping() -> dict[str, str]:
    return {"at": "ping"}


try:
    from app.settings import TITLE  # no such module: the fallback builds the app

    app = FastAPI(title=TITLE)
except ImportError:
    app = FastAPI()
else:
    app.title = "fast"
finally:
    app.include_router(router, prefix="/api")
'''


def test_an_app_built_in_a_try_statement_is_wired_after_the_whole_statement(
    tmp_path: Path,
) -> None:
    # Every branch binds the app (or raises): after the `try` statement it exists, with the
    # routers its `finally` includes; the telemetry router goes there, at the module's level.
    root = make_project(tmp_path / "project", 'instrument = { "main.py" = "ai_block_used" }')
    (root / "backend/app/main.py").write_text(APP_IN_TRY_MAIN_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = (root / "backend/app/main.py").read_text()
    assert text.endswith(
        '    app.include_router(router, prefix="/api")\n'
        "app.include_router(telemetry_router)\ninstall_error_capture(app)\n"
    )
    assert _async_routes(root / "backend/app/main.py") == {"ping": "/api/r/ping"}
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/api/r/ping").json() == {"at": "ping"}
        assert client.get("/api/telemetry/health").status_code == 200
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/main.py").read_text() == APP_IN_TRY_MAIN_PY


SHADOWED_ROUTE_MAIN_PY = '''"""A folder mounted, then a route under its path."""

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

app = FastAPI()


@app.get("/api/first")
async def first() -> dict[str, str]:
    return {"at": "first"}


app.mount("/files", StaticFiles(directory=Path(__file__).parent), name="files")


@app.get("/files/late")
async def under_files() -> dict[str, str]:
    return {"at": "files"}


@app.get("/api/second")
async def second() -> dict[str, str]:
    return {"at": "second"}


listing = APIRouter(prefix="/files")
tools = APIRouter(prefix="/tools")


@listing.get("/list")
async def listed() -> dict[str, str]:
    return {"at": "list"}


@tools.get("/list")
async def tool_list() -> dict[str, str]:
    return {"at": "tools"}


app.include_router(listing)
app.include_router(tools)
'''


def test_a_route_added_after_a_mount_that_takes_its_path_says_it_is_not_served(
    tmp_path: Path,
) -> None:
    # Starlette tries the app's routes in the order they were added: a mount added first
    # answers every path under its own, so a route declared after it under that path is
    # never reached. It is logged with a line saying so (as a router no app serves is);
    # a route outside the mount's path is served as usual.
    root = make_project(tmp_path / "project", 'instrument = { "main.py" = "ai_block_used" }')
    (root / "backend/app/main.py").write_text(SHADOWED_ROUTE_MAIN_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    said = " ".join(result.stdout.split())
    assert (
        "main.py:19: `app.mount('/files', ...)` at line 16 is added to the app before this "
        "route and answers every path under '/files': the route is never reached; it is "
        "logged with its path" in said
    )
    assert (
        "main.py:33: `app.mount('/files', ...)` at line 16 is added to the app before the "
        "include of `listing` at line 43 and answers every path under '/files': the route is "
        "never reached; it is logged with its path" in said
    )
    assert said.count("is never reached") == 2
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/files/late").status_code == 404
        assert client.get("/files/list").status_code == 404
        assert client.get("/tools/list").json() == {"at": "tools"}
        assert client.get("/api/second").json() == {"at": "second"}
        assert client.get("/api/telemetry/health").status_code == 200
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/main.py").read_text() == SHADOWED_ROUTE_MAIN_PY


def test_another_app_is_said_unserved_before_the_served_one_includes_anything(
    tmp_path: Path,
) -> None:
    """The app served (`app = FastAPI()`) only declares routes of its own; `app/full.py` builds
    a second app including the routers. The first run said nothing of the second app's routes
    (and init offered them): the served app only counted once the layer's include was in it.
    """
    main = (
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\n'
        'def root() -> dict[str, str]:\n    return {"name": "lite"}\n\n\n'
        'if __name__ == "__main__":\n    import uvicorn\n\n    uvicorn.run("app.main:app")\n'
    )
    root = _aliased_project(tmp_path / "lite", main)
    (root / "app/full.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.routes import items\n\nfull = FastAPI()\n"
        'full.include_router(items.router, prefix="/v1")\n\n\n'
        '@full.get("/about")\ndef about() -> dict[str, str]:\n    return {}\n'
    )
    offered = run("init", "--root", str(root), "--dry-run")
    assert offered.exit_code == 0, offered.stderr
    assert 'app = "app.main:app"' in offered.stdout, offered.stdout
    assert '"full.py" = ' not in offered.stdout, offered.stdout
    assert '"routes/items.py" = ' not in offered.stdout, offered.stdout
    (root / "pyproject.toml").write_text(
        '[project]\nname = "lite"\n\n[tool.telemetry-scaffold]\nbackend = "."\n'
        'app-package = "app"\napp = "app.main:app"\n\n[tool.telemetry-scaffold.instrument]\n'
        '"full.py" = "ai_block_used"\n"routes/items.py" = "ai_block_used"\n'
    )
    first = run("generate", "--root", str(root))
    assert first.exit_code == 0, first.stdout + first.stderr
    said = "`full` of app.full is not the app served (`app` of app.main)"
    assert said in first.stdout, first.stdout
    assert "not by the app served (`app` of app.main)" in first.stdout, first.stdout
    second = run("generate", "--root", str(root))
    assert said in second.stdout, second.stdout


_DUPLICATE_ITEMS = '''"""Items, with a second handler on a route of the first."""

from fastapi import APIRouter

router = APIRouter(tags=["items"])


{first}
async def get_item(item_id: int) -> dict[str, int]:
    return {{"id": item_id}}


{second}
async def get_item_again(id: int) -> dict[str, int]:
    return {{"again": id}}
{tail}'''


def _duplicate_project(tmp_path: Path, first: str, second: str, tail: str = "") -> Path:
    root = _project(tmp_path, _main('app.include_router(api_router, prefix="/api/v1")'))
    items = _DUPLICATE_ITEMS.format(first=first, second=second, tail=tail)
    (root / "backend/app/api/items.py").write_text(items)
    return root


def _logged(root: Path) -> set[str]:
    """The handlers of items.py whose body holds a log call."""
    tree = ast.parse((root / "backend/app/api/items.py").read_text())
    return {
        function.name
        for function in ast.walk(tree)
        if isinstance(function, ast.AsyncFunctionDef) and "event_logger" in ast.unparse(function)
    }


@pytest.mark.parametrize(
    ("first", "second", "method"),
    [
        # Parameter names do not count: `{item_id}` and `{id}` match the same paths.
        ('@router.get("/{item_id}")', '@router.get("/{id}")', "get"),
        (
            '@router.api_route("/{item_id}", methods=["GET", "POST"])',
            '@router.post("/{id}")',
            "post",
        ),
        ('@router.get("/{item_id}")', '@router.api_route("/{id}")', "get"),
        (
            '@router.get("/{item_id}")',
            "",
            "get",
        ),
    ],
    ids=["same-verb", "api-route-first", "api-route-default-get", "add-api-route"],
)
def test_a_second_handler_of_a_route_gets_no_log_call(
    tmp_path: Path, first: str, second: str, method: str
) -> None:
    """FastAPI serves the first route registered: the second handler is never called."""
    tail = ""
    if not second:
        # Registered by a call after both definitions: after the decorator of the first.
        tail = '\n\nrouter.add_api_route("/{id}", get_item_again, methods=["GET"])\n'
    root = _duplicate_project(tmp_path, first, second, tail)
    before = (root / "backend/app/api/items.py").read_text()
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _logged(root) == {"get_item"}
    said = " ".join(result.stdout.split())
    assert "route get_item_again" in said and "is never reached" in said, result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    with imported_app(root / "backend") as served:
        response = getattr(TestClient(served.app), method)("/api/v1/items/7")
        assert response.json() == {"id": 7}
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/items.py").read_text() == before


@pytest.mark.parametrize(
    ("first", "second", "tail"),
    [
        # Another method: both served.
        ('@router.get("/{item_id}")', '@router.delete("/{id}")', ""),
        # Another convertor: `/{id:path}` answers what `{item_id:int}` does not.
        ('@router.get("/{item_id:int}")', '@router.get("/{id:path}")', ""),
        # POST too: the second still answers it.
        ('@router.get("/{item_id}")', '@router.api_route("/{id}", methods=["GET", "POST"])', ""),
        # Registered first by a call at the top of the module (the decorator comes later).
        (
            '@router.get("/{item_id}")',
            "",
            "",
        ),
    ],
    ids=["other-method", "other-convertor", "one-more-method", "registered-in-a-function"],
)
def test_a_handler_that_may_answer_keeps_its_log_call(
    tmp_path: Path, first: str, second: str, tail: str
) -> None:
    """A route answering some request first, or one whose order is not known, is logged."""
    if not second:
        # Registered in a function: when it runs, not known statically.
        tail = (
            "\n\ndef register() -> None:\n"
            '    router.add_api_route("/{id}", get_item_again, methods=["GET"])\n\n\nregister()\n'
        )
    root = _duplicate_project(tmp_path, first, second, tail)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "never reached" not in result.stdout
    assert _logged(root) == {"get_item", "get_item_again"}


_OTHER_PY = '''"""Other items, on a router of their own."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/{other_id}")
async def get_other(other_id: int) -> dict[str, int]:
    return {"other": other_id}
'''


@pytest.mark.parametrize(
    ("includes", "hidden", "answer"),
    [
        (
            'api_router.include_router(other.router, prefix="/items")\n'
            'api_router.include_router(items.router, prefix="/items")\n',
            True,
            {"other": 7},
        ),
        (
            'api_router.include_router(items.router, prefix="/items")\n'
            'api_router.include_router(other.router, prefix="/items")\n',
            False,
            {"id": 7},
        ),
        # Another prefix: another path.
        (
            'api_router.include_router(other.router, prefix="/other")\n'
            'api_router.include_router(items.router, prefix="/items")\n',
            False,
            {"id": 7},
        ),
        # Included under two prefixes: the other one serves its handlers.
        (
            'api_router.include_router(other.router, prefix="/items")\n'
            'api_router.include_router(items.router, prefix="/items")\n'
            'api_router.include_router(items.router, prefix="/more")\n',
            False,
            {"other": 7},
        ),
    ],
    ids=["other-included-first", "other-included-last", "other-prefix", "included-twice"],
)
def test_a_route_of_a_router_included_after_another_with_it_gets_no_log_call(
    tmp_path: Path, includes: str, hidden: bool, answer: dict[str, int]
) -> None:
    """Across routers the order of the include_router calls decides which handler answers."""
    api = (
        '"""All routers."""\n\nfrom fastapi import APIRouter\n\nfrom app.api import items, '
        f"other\n\napi_router = APIRouter()\n{includes}"
    )
    root = _project(tmp_path, _main('app.include_router(api_router, prefix="/api/v1")'), api)
    (root / "backend/app/api/other.py").write_text(_OTHER_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    logged = _logged(root)
    assert ("get_item" not in logged) is hidden, result.stdout
    assert ("never reached" in result.stdout) is hidden
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/v1/items/7").json() == answer


def test_a_log_call_in_a_handler_an_earlier_route_now_hides_is_taken_out(tmp_path: Path) -> None:
    """A handler generate logged, then hidden by a route added before it: the call goes."""
    root = _project(tmp_path, _main('app.include_router(api_router, prefix="/api/v1")'))
    assert run("generate", "--root", str(root)).exit_code == 0
    items = root / "backend/app/api/items.py"
    earlier = (
        '@router.get("/{id}")\nasync def find_item(id: int) -> dict[str, int]:\n'
        '    return {"found": id}\n\n\n'
    )
    text = items.read_text()
    cut = text.index('@router.get("/{item_id}")')
    items.write_text(text[:cut] + earlier + text[cut:])
    assert run("generate", "--check", "--root", str(root)).exit_code != 0
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "take out the log call of route get_item" in result.stdout
    assert _logged(root) == {"list_items", "find_item"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/v1/items/7").json() == {"found": 7}


@pytest.mark.parametrize(
    ("first", "second", "request_path"),
    [
        # A parameter without convertor matches any text of a segment.
        ('@router.get("/{item_id}")', '@router.get("/latest")', "/api/v1/items/latest"),
        ('@router.get("/{item_id}")', '@router.get("/{id:int}")', "/api/v1/items/7"),
        ('@router.get("/{item_id}")', '@router.get("/v{id}")', "/api/v1/items/v7"),
        # `int` matches digits only.
        ('@router.get("/{item_id:int}")', '@router.get("/7")', "/api/v1/items/7"),
        # `path` matches the rest, one segment or more.
        ('@router.get("/{item_id:path}")', '@router.get("/{id}/more")', "/api/v1/items/7/more"),
        ('@router.get("/{item_id:path}")', '@router.get("/")', "/api/v1/items/"),
    ],
    ids=["str-over-literal", "str-over-int", "str-over-mixed", "int-over-digits", "path", "empty"],
)
def test_a_handler_an_earlier_route_takes_every_request_of_gets_no_log_call(
    tmp_path: Path, first: str, second: str, request_path: str
) -> None:
    """`/items/{item_id}` before `/items/latest`: the first route answers `/items/latest`."""
    root = _duplicate_project(tmp_path, first, second)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _logged(root) == {"get_item"}, result.stdout
    said = " ".join(result.stdout.split())
    assert "route get_item_again" in said and "is never reached" in said, result.stdout
    assert "matching each of its requests" in said, result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    with imported_app(root / "backend") as served:
        response = TestClient(served.app).get(request_path)
        assert "again" not in response.json(), response.json()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Registered after: the literal answers first.
        ('@router.get("/latest")', '@router.get("/{id}")'),
        # `int` does not match letters, nor `str` an empty segment or two.
        ('@router.get("/{item_id:int}")', '@router.get("/latest")'),
        ('@router.get("/{item_id}")', '@router.get("/")'),
        ('@router.get("/{item_id}")', '@router.get("/{id}/more")'),
        ('@router.get("/{item_id}")', '@router.get("/{id:path}")'),
        ('@router.get("/{item_id:int}")', '@router.get("/{id}")'),
        # `path` needs the `/` after its prefix.
        ('@router.get("/x/{item_id:path}")', '@router.get("/x")'),
        ('@router.get("/{item_id}.json")', '@router.get("/{id}")'),
    ],
    ids=[
        "literal-first",
        "int-letters",
        "empty",
        "deeper",
        "path",
        "int-str",
        "path-root",
        "mixed",
    ],
)
def test_a_handler_an_earlier_route_takes_only_some_requests_of_keeps_its_log_call(
    tmp_path: Path, first: str, second: str
) -> None:
    root = _duplicate_project(tmp_path, first, second)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "never reached" not in result.stdout
    assert _logged(root) == {"get_item", "get_item_again"}


def test_a_log_call_of_a_handler_an_earlier_route_now_hides_is_taken_out(tmp_path: Path) -> None:
    """The generated call of a handler another method served goes when it becomes unreachable;
    `generate --check` says the module is stale until then."""
    root = _duplicate_project(tmp_path, '@router.get("/{item_id}")', '@router.post("/latest")')
    assert run("generate", "--root", str(root)).exit_code == 0
    assert _logged(root) == {"get_item", "get_item_again"}
    items = root / "backend/app/api/items.py"
    items.write_text(items.read_text().replace('@router.post("/latest")', '@router.get("/latest")'))
    assert run("generate", "--check", "--root", str(root)).exit_code != 0
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _logged(root) == {"get_item"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


REPORTS_PY = '''"""Reports: a router class registering its routes when it is built."""

from fastapi import APIRouter


class ReportsRouter(APIRouter):
    def __init__(self) -> None:
        super().__init__(prefix="/reports")
        self.add_api_route("/{report_id}", self.one, methods=["GET"])

        @self.post("/{report_id}/rerun")
        async def rerun(report_id: int) -> dict[str, int]:
            return {"rerun": report_id}

    async def one(self, report_id: int) -> dict[str, int]:
        return {"report": report_id}
'''


@pytest.mark.parametrize(
    ("api", "served", "said"),
    [
        # Built once, bound to a name the package includes: served under its include prefixes.
        (
            "reports_router = ReportsRouter()\n"
            'api_router.include_router(reports_router, prefix="/ops")\n',
            "/api/v1/ops",
            None,
        ),
        # Built twice: served under two paths, its own prefix is logged (said on a line).
        (
            "one = ReportsRouter()\ntwo = ReportsRouter()\n"
            'api_router.include_router(one, prefix="/a")\n'
            'api_router.include_router(two, prefix="/b")\n',
            None,
            "served under several paths ('/api/v1/a', '/api/v1/b')",
        ),
        # Built once, right in the include: served under that include's prefixes.
        ('api_router.include_router(ReportsRouter(), prefix="/ops")\n', "/api/v1/ops", None),
        # Built in two includes: served under two paths, its own prefix is logged.
        (
            'api_router.include_router(ReportsRouter(), prefix="/a")\n'
            'api_router.include_router(ReportsRouter(), prefix="/b")\n',
            None,
            "served under several paths ('/api/v1/a', '/api/v1/b')",
        ),
        # Subclassed: the subclass's instances register the same handlers elsewhere.
        (
            "class Archived(ReportsRouter):\n    pass\n\n\n"
            "reports_router = ReportsRouter()\n"
            'api_router.include_router(reports_router, prefix="/ops")\n'
            'api_router.include_router(Archived(), prefix="/old")\n',
            None,
            "a router class",
        ),
    ],
    ids=[
        "built-once",
        "built-twice",
        "built-in-the-include",
        "built-in-two-includes",
        "subclassed",
    ],
)
def test_a_router_subclass_instance_is_logged_under_its_include_prefixes(
    tmp_path: Path, api: str, served: str | None, said: str | None
) -> None:
    """`class ReportsRouter(APIRouter)` adding routes in `__init__`, included with `prefix=`.

    Its one instance's routes were logged as `self.prefix + path`, without the include
    prefixes the app serves them under. Built twice, each instance told apart, the line names
    the paths both serve it under (it said only that the include prefixes were left out).
    """
    root = make_project(tmp_path / "project", 'instrument = { "api/reports.py" = "ai_block_used" }')
    (root / "backend/app/api/items.py").write_text(ITEMS_PY)
    (root / "backend/app/api/reports.py").write_text(REPORTS_PY)
    (root / "backend/app/api/router.py").write_text(
        API_PY + "\nfrom app.api.reports import ReportsRouter\n\n" + api
    )
    (root / "backend/app/main.py").write_text(
        _main('app.include_router(api_router, prefix="/api/v1")')
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    reports = (root / "backend/app/api/reports.py").read_text()
    lines = [line for line in result.stdout.splitlines() if said is not None and said in line]
    if served is not None:
        assert f'"route": "{served}" + self.prefix + "/{{report_id}}",' in reports
        assert f'"route": "{served}" + self.prefix + "/{{report_id}}/rerun",' in reports
        assert "a router class" not in result.stdout and "several" not in result.stdout
        with imported_app(root / "backend") as app:
            client = TestClient(app.app)
            assert client.get(f"{served}/reports/4").json() == {"report": 4}
            assert client.post(f"{served}/reports/4/rerun").json() == {"rerun": 4}
    else:
        assert '"route": self.prefix + "/{report_id}",' in reports
        assert len(lines) == 1, result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def test_an_app_subclass_overriding_include_router_keeps_its_calls_as_includes(
    tmp_path: Path,
) -> None:
    """`class App(FastAPI)` with its own `include_router` handing on to `super()`'s: a call on
    the app is an include (its prefix counts), not a wrapper's method read through its body."""
    main = (
        "from typing import Any\n\nfrom fastapi import APIRouter, FastAPI\n\n"
        "from app.api.router import api_router\n\n\nclass App(FastAPI):\n"
        "    def include_router(self, router: APIRouter, **kwargs: Any) -> None:\n"
        '        kwargs.setdefault("tags", ["default"])\n'
        "        super().include_router(router, **kwargs)\n\n\n"
        'app = App()\napp.include_router(api_router, prefix="/api/v1")\n'
    )
    _generates_and_serves_items(_project(tmp_path, main), "/api/v1", "cannot tell")


def test_a_loop_over_a_list_unpacking_another_includes_each_router(tmp_path: Path) -> None:
    """`for r in [*BASE, extra]:` runs over BASE's routers, then `extra`."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api import ai_blocks\nfrom app.api.router "
        "import api_router\n\nBASE = [api_router]\napp = FastAPI()\n"
        'for r in [*BASE, ai_blocks.router]:\n    app.include_router(r, prefix="/v2")\n'
    )
    _generates_and_serves_items(_project(tmp_path, main), "/v2", "only known at run time")


def test_includes_on_the_variable_a_served_factory_returns_are_the_apps(tmp_path: Path) -> None:
    # `app = create_app()` served, the factory building `app_` with a library's subclass of
    # FastAPI (fastapi-offline): the plan says the result is the app, so the routers included
    # on `app_` are served under their prefixes, as on one built by `FastAPI(...)`.
    root = make_project(
        tmp_path / "project",
        'app = "app.main:app"\ninstrument = { "api/beds.py" = "ai_block_used" }',
    )
    (root / "backend/app/api/beds.py").write_text(
        "from fastapi import APIRouter\n\nbeds = APIRouter()\nwards = APIRouter()\n"
        'wards.include_router(beds, prefix="/{ward}/beds")\n\n\n'
        '@beds.get("/{bed}")\ndef get_bed(ward: str, bed: str) -> dict[str, str]:\n'
        '    return {"ward": ward, "bed": bed}\n'
    )
    (root / "backend/app/main.py").write_text(
        "from fastapi_offline import FastAPIOffline\n\n\n"
        "def create_app() -> FastAPIOffline:\n"
        '    app_ = FastAPIOffline(docs_url="/api/docs")\n'
        "    from app.api.beds import wards\n\n"
        '    app_.include_router(wards, prefix="/api/wards")\n'
        "    return app_\n\n\napp = create_app()\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in get_bed (GET /api/wards/{ward}/beds/{bed})" in result.stdout, result.stdout
    assert "cannot tell is an app" not in result.stdout


NESTING_PY = '''"""The API: a router class including the notes router under its own prefix."""

from fastapi import APIRouter

notes = APIRouter(prefix="/notes")


@notes.post("/echo")
async def echo(text: str) -> dict[str, str]:
    return {"text": text}


async def ping() -> dict[str, str]:
    return {"ping": "pong"}


class ApiRouter(APIRouter):
    def __init__(self) -> None:
        super().__init__(prefix="/api")
        self.add_api_route("/ping", ping, methods=["GET"])
        self.include_router(notes, prefix="/x")
'''


@pytest.mark.parametrize(
    ("built", "echo", "ping", "said"),
    [
        (
            'public = ApiRouter()\nadmin = ApiRouter()\napp.include_router(public, prefix="/p")\n'
            'app.include_router(admin, prefix="/a")',
            "/notes/echo",
            "/api/ping",
            ["`notes` of app.api.nesting is served under several paths ('/a/api/x', '/p/api/x')"],
        ),
        (
            'app.include_router(ApiRouter(), prefix="/p")\nother = FastAPI()\n'
            'other.include_router(ApiRouter(), prefix="/p")',
            "/p/api/x/notes/echo",
            "/p/api/ping",
            [],
        ),
    ],
    ids=["two-paths", "one-path"],
)
def test_a_router_class_built_twice_serves_its_routes_where_each_instance_is(
    tmp_path: Path, built: str, echo: str, ping: str, said: list[str]
) -> None:
    """`class ApiRouter(APIRouter)` adding a route and including a router under `prefix="/x"`
    in `__init__`, built twice, each instance included once. Under two paths, the routes are
    logged with the path the router declares, a line naming both (the included router's routes
    were said to be included by `self`, "an app or a router", without "/x"; the route added on
    `self` was refused, its prefix only known at run time). Under one path, with it in full."""
    root = make_project(
        tmp_path / "project",
        'app = "app.main:app"\ninstrument = { "api/nesting.py" = "ai_block_used" }',
    )
    (root / "backend/app/api/nesting.py").write_text(NESTING_PY)
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api.nesting import ApiRouter\n\n"
        f"app = FastAPI()\n{built}\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    out = " ".join(result.stdout.split())
    assert f"log call in echo (POST {echo})" in out, out
    assert f"log call in ping (GET {ping})" in out, out
    assert "cannot tell" not in out and "only known at run time" not in out, out
    for line in said:
        assert line in out, out
    if not said:
        assert "several" not in out, out
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


BASE_ROUTER_PY = (
    "from fastapi import APIRouter\n\n\n"
    "class BaseRouter:\n"
    '    """Builds the router each subclass declares its routes on."""\n\n'
    '    def __init__(self, prefix: str = "") -> None:\n'
    "        self.router = APIRouter(prefix=prefix)\n"
    "        self.configure()\n\n"
    "    def configure(self) -> None:\n"
    '        """Declares the routes."""\n\n'
    "    def get_router(self) -> APIRouter:\n"
    "        return self.router\n"
)


def _base_router_project(tmp_path: Path, main: str) -> Path:
    plan = 'instrument = { "api/users.py" = "ai_block_used", "api/orders.py" = "ai_block_used" }'
    root = make_project(tmp_path / "project", plan)
    (root / "backend/app/main.py").write_text(main)
    (root / "backend/app/api/orders.py").write_text(_subclass_view("OrdersView", "/list"))
    return root


def _subclass_view(name: str, path: str) -> str:
    return (
        "from app.api.base import BaseRouter\n\n\n"
        f"class {name}(BaseRouter):\n"
        "    def configure(self) -> None:\n"
        f'        @self.router.get("{path}")\n'
        "        async def read() -> dict[str, bool]:\n"
        '            return {"ok": True}\n\n\n'
        f"view = {name}()\n"
    )


@pytest.mark.parametrize(
    ("users_include", "logged"),
    [
        (
            'UsersView().router, prefix="/api/v1/users"',
            "'/api/v1/users/me'",
        ),
        (
            'users.view.router, prefix="/api/v1/users"',
            "'/api/v1/users/me'",
        ),
        (
            'UsersView().get_router(), prefix="/api/v1/users"',
            "'/api/v1/users/me'",
        ),
    ],
    ids=["built-inline", "module-level-instance", "getter-of-the-base"],
)
def test_routes_on_a_router_a_base_class_builds_get_their_instance_s_include_prefixes(
    tmp_path: Path, users_include: str, logged: str
) -> None:
    """Each subclass of a package base building `self.router = APIRouter()` in `__init__`
    declares routes on it in a method; each instance's `.router` is included once: its routes
    are logged under that include's prefixes, then the prefix the base's constructor gives the
    router (they were logged under `self.router.prefix` only, with a line saying the include
    prefixes were left out)."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api import orders, users\n"
        "from app.api.users import UsersView\n\n"
        f"app = FastAPI()\napp.include_router({users_include})\n"
        'app.include_router(orders.view.router, prefix="/api/v1/orders")\n'
    )
    root = _base_router_project(tmp_path, main)
    api = root / "backend/app/api"
    (api / "base.py").write_text(BASE_ROUTER_PY)
    (api / "users.py").write_text(_subclass_view("UsersView", "/me"))
    (api / "orders.py").write_text(_subclass_view("OrdersView", "/list"))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _logged_routes(api / "users.py") == [logged]
    assert _logged_routes(api / "orders.py") == ["'/api/v1/orders/list'"]
    assert "a base class every subclass shares" not in result.stdout, result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/api/v1/users/me").status_code == 200
        assert client.get("/api/v1/orders/list").status_code == 200


@pytest.mark.parametrize("included", ["AdminsView", "StaffView"])
def test_routes_a_middle_class_declares_on_a_base_built_router_get_the_subclass_s_include(
    tmp_path: Path, included: str
) -> None:
    """`class AdminsView(UsersView)`, `class UsersView(BaseRouter)` (and `class
    StaffView(AdminsView)`), only the deepest one's instance included: the routes `UsersView`
    declares on the router `BaseRouter` builds are served under that include too (they were
    logged under `self.router.prefix` with a line saying the include prefixes were left out)."""
    main = (
        f"from fastapi import FastAPI\n\nfrom app.api.users import {included}\n\n"
        f'app = FastAPI()\napp.include_router({included}().router, prefix="/api/admins")\n'
    )
    root = _base_router_project(tmp_path, main)
    api = root / "backend/app/api"
    (api / "base.py").write_text(BASE_ROUTER_PY)
    (api / "users.py").write_text(
        _subclass_view("UsersView", "/me").replace("view = UsersView()\n", "")
        + "\n\nclass AdminsView(UsersView):\n"
        "    def configure(self) -> None:\n"
        "        super().configure()\n\n"
        '        @self.router.get("/audit")\n'
        "        async def audit() -> dict[str, bool]:\n"
        '            return {"ok": True}\n\n\n'
        "class StaffView(AdminsView):\n"
        '    """Staff see what admins see."""\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _logged_routes(api / "users.py") == ["'/api/admins/me'", "'/api/admins/audit'"]
    assert "api/users.py:" not in result.stdout, result.stdout  # no line about its routes
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/api/admins/me").status_code == 200
        assert client.get("/api/admins/audit").status_code == 200


def test_routes_on_a_base_built_router_of_a_class_included_twice_keep_the_run_time_prefix(
    tmp_path: Path,
) -> None:
    """Two instances of the subclass included under two prefixes: which serves the routes is
    not one, so they keep the router's own prefix read at run time, with the line saying so."""
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.users import UsersView\n\n"
        'app = FastAPI()\napp.include_router(UsersView().router, prefix="/a")\n'
        'app.include_router(UsersView().router, prefix="/b")\n'
    )
    root = _base_router_project(tmp_path, main)
    api = root / "backend/app/api"
    (api / "base.py").write_text(BASE_ROUTER_PY)
    (api / "users.py").write_text(_subclass_view("UsersView", "/me"))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _logged_routes(api / "users.py") == ["self.router.prefix + '/me'"]
    assert "a base class every subclass shares" in " ".join(result.stdout.split())


def test_routers_included_on_a_router_a_class_builds_for_its_instance_get_its_prefixes(
    tmp_path: Path,
) -> None:
    """`self.router.include_router(UsersView().get_router())` in a method of a class building
    `self.router = APIRouter(prefix="/v1")`, its instance's router included by the app: the
    routes get both prefixes (the include was "made on `self.router`, which the tool cannot
    tell is an app or a router")."""
    main = (
        "from fastapi import APIRouter, FastAPI\n\n"
        "from app.api.orders import OrdersView\nfrom app.api.users import UsersView\n\n\n"
        "class ApiV1:\n"
        "    def __init__(self) -> None:\n"
        '        self.router = APIRouter(prefix="/v1")\n'
        "        self.configure_routes()\n\n"
        "    def configure_routes(self) -> None:\n"
        "        self.router.include_router(UsersView().get_router())\n"
        "        self.router.include_router(OrdersView().get_router())\n\n\n"
        'app = FastAPI()\napp.include_router(ApiV1().router, prefix="/api")\n'
    )
    root = _base_router_project(tmp_path, main)
    api = root / "backend/app/api"
    (api / "base.py").write_text(BASE_ROUTER_PY)
    (api / "users.py").write_text(_subclass_view("UsersView", "/me"))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _logged_routes(api / "users.py") == ["'/api/v1/me'"]
    assert "cannot tell" not in result.stdout, result.stdout
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/v1/me").status_code == 200


FACTORY_ROUTES_PY = '''"""Routes declared by functions given the app's services."""

from fastapi import APIRouter

router = APIRouter(prefix="/query", tags=["query"])


def create_query_routes(rag: object, top_k: int = 60) -> APIRouter:
    @router.post("/run")
    async def query_text() -> dict[str, int]:
        return {"top_k": top_k}

    return router


class OllamaAPI:
    def __init__(self, rag: object) -> None:
        self.rag = rag
        self.router = APIRouter(tags=["ollama"])
        self.setup_routes()

    def setup_routes(self) -> None:
        @self.router.get("/version")
        async def get_version() -> dict[str, str]:
            return {"version": "0.9"}
'''


def test_routers_an_app_factory_includes_from_its_arguments_are_served_there(
    tmp_path: Path,
) -> None:
    """`app.include_router(create_query_routes(rag, args.top_k), prefix="/v1")` in
    `create_app(args)`, its callers passing parsed command-line arguments, and
    `app.include_router(ollama.router, prefix="/api")` of `ollama = OllamaAPI(rag)` built
    there: both routers are followed (the first was dropped, as a call reading the caller's
    argument; the second was an instance no module-level name holds)."""
    main = (
        "import argparse\n\n"
        "from fastapi import FastAPI\n\n"
        "from app.api.routes import OllamaAPI, create_query_routes\n\n\n"
        "def parse_args() -> argparse.Namespace:\n"
        "    parser = argparse.ArgumentParser()\n"
        '    parser.add_argument("--top-k", type=int, default=5)\n'
        "    return parser.parse_args([])\n\n\n"
        "def create_app(args: argparse.Namespace) -> FastAPI:\n"
        "    app = FastAPI()\n"
        "    rag = object()\n"
        '    app.include_router(create_query_routes(rag, args.top_k), prefix="/v1")\n'
        "    ollama = OllamaAPI(rag)\n"
        '    app.include_router(ollama.router, prefix="/api")\n'
        "    return app\n\n\n"
        "def get_application(args: argparse.Namespace | None = None) -> FastAPI:\n"
        "    if args is None:\n"
        "        args = parse_args()\n"
        "    return create_app(args)\n\n\n"
        "app = get_application()\n"
    )
    root = make_project(tmp_path / "project", 'instrument = { "api/routes.py" = "ai_block_used" }')
    (root / "backend/app/main.py").write_text(main)
    routes = root / "backend/app/api/routes.py"
    routes.write_text(FACTORY_ROUTES_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert _logged_routes(routes) == ["'/v1/query/run'", "'/api/version'"]
    assert "included by no" not in result.stdout, result.stdout
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.post("/v1/query/run").json() == {"top_k": 5}
        assert client.get("/api/version").status_code == 200


SPA_PY = '''"""A single-page app's pages: every path the API does not serve."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/{full_path:path}")
def page(full_path: str) -> str:
    return "page " + full_path
'''

CATCH_ALL_MAINS = {
    # Declared on the app itself between two includes, at a module's top level.
    "on-the-app": """from fastapi import FastAPI

from app.api import items

app = FastAPI()
app.include_router(items.router, prefix="/api/v1")


@app.get("/{full_path:path}")
def serve(full_path: str) -> str:
    return "page " + full_path


app.include_router(items.router, prefix="/api/v2")
""",
    # Included by a function the factory calls before its last include.
    "included-by-a-function": """from fastapi import FastAPI

from app.api import items, spa


def add_frontend(app: FastAPI) -> None:
    app.include_router(spa.router)


def create_app() -> FastAPI:
    app = FastAPI()
    add_frontend(app)
    app.include_router(items.router, prefix="/api/v1")
    return app


app = create_app()
""",
    # A Starlette route added by hand (called with the bare request), as
    # simple-apigateway-FastAPI's proxy is: a catch-all too (Starlette's default method: GET).
    "starlette-add-route": """from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.api import items

app = FastAPI()


async def serve(request: Request) -> JSONResponse:
    return JSONResponse("page " + request.path_params["full_path"])


app.add_route("/{full_path:path}", serve)
app.include_router(items.router, prefix="/api/v1")
""",
    # A Starlette route of a router the app includes (FastAPI copies it): a catch-all too.
    "starlette-route-of-a-router": """from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from app.api import items

router = APIRouter()


async def serve(request: Request) -> JSONResponse:
    return JSONResponse("page " + request.path_params["full_path"])


router.add_route("/{full_path:path}", serve, methods=["GET"])
app = FastAPI()
app.include_router(router)
app.include_router(items.router, prefix="/api/v1")
""",
    # Included at a module's top level on the app a factory returns: after its wiring.
    "included-after-the-factory": """from fastapi import FastAPI

from app.api import items, spa


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(items.router, prefix="/api/v1")
    return app


app = create_app()
app.include_router(spa.router)
""",
}


@pytest.mark.parametrize("shape", list(CATCH_ALL_MAINS))
def test_the_telemetry_router_is_included_before_any_catch_all(tmp_path: Path, shape: str) -> None:
    # Starlette tries routes in the order they were added: the telemetry router goes before
    # the first catch-all the app gets, wherever that is added, and nothing is a collision.
    root = _project(tmp_path, CATCH_ALL_MAINS[shape])
    if "spa" in CATCH_ALL_MAINS[shape]:
        (root / "backend/app/api/spa.py").write_text(SPA_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "before the telemetry router can" not in result.stdout
    with imported_app(root / "backend") as main:
        client = TestClient(main.app)
        assert "status" in client.get("/api/telemetry/health").json()
        assert client.get("/some/page").json() == "page some/page"
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


#: Starlette routes taking a telemetry endpoint: how they are added, and what is said of them.
STARLETTE_COLLISIONS = {
    "post-catch-all": (
        "",
        'app.add_route("/{full_path:path}", proxy, methods=["POST"])\n',
        "(POST /{full_path:path}) answers POST /api/telemetry/log",
    ),
    "default-methods": (
        "",
        'app.add_route("/api/telemetry/health", proxy)\n',
        "(GET/HEAD /api/telemetry/health) answers GET /api/telemetry/health",
    ),
    "router-under-a-prefix": (
        "",
        "router = APIRouter()\n"
        'router.add_route("/telemetry/{rest:path}", proxy, methods=["post"])\n'
        'app.include_router(router, prefix="/api")\n',
        "(POST /api/telemetry/{rest:path}) answers POST /api/telemetry/log",
    ),
    "listed": (
        'routes=[Route("/api/telemetry/log", proxy, methods=["POST"])]',
        "",
        "(POST /api/telemetry/log) answers POST /api/telemetry/log",
    ),
}


@pytest.mark.parametrize("registrar", ["starlette", "fastapi"])
@pytest.mark.parametrize("shape", list(STARLETTE_COLLISIONS))
def test_a_starlette_route_taking_a_telemetry_endpoint_is_refused_as_a_fastapi_one(
    tmp_path: Path, shape: str, registrar: str
) -> None:
    """A Starlette route whose path and methods take a telemetry endpoint (a POST-only
    catch-all, `app.add_route("/{full_path:path}", proxy, methods=["POST"])`; one with
    Starlette's default methods, GET and HEAD; one of a router under its include prefix; one
    listed in the app's routes) is refused with the line a FastAPI route (`add_api_route`,
    `APIRoute`) gets, and exit 1. Before, a Starlette one was not looked at: generate wired
    the telemetry router after it and exited 0, and the proxy answered every event."""
    routes, registration, said = STARLETTE_COLLISIONS[shape]
    if registrar == "fastapi":
        routes = routes.replace("Route(", "APIRoute(")
        registration = registration.replace("add_route", "add_api_route")
        said = said.replace("GET/HEAD", "GET")
    main = (
        "from fastapi import APIRouter, FastAPI, Request\n"
        "from fastapi.responses import JSONResponse\nfrom fastapi.routing import APIRoute\n"
        "from starlette.routing import Route\n\nfrom app.api import items\n\n\n"
        "async def proxy(request: Request) -> JSONResponse:\n"
        '    return JSONResponse("proxied")\n\n\n'
        f"app = FastAPI({routes})\n{registration}"
        'app.include_router(items.router, prefix="/api/v1")\n'
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    out = " ".join(result.stdout.split())
    assert result.exit_code == 1, out
    # The same line as a FastAPI route's: the handler's (or endpoint's) name, where.
    assert f"route proxy {said} before the telemetry router can;" in out, out
    assert "backend/app/main.py:" in out, out


CATCH_ALL_ROUTER = """from fastapi import APIRouter

router = APIRouter()


@router.get("/{full_path:path}")
async def spa(full_path: str) -> dict[str, str]:
    return {"page": full_path}
"""


@pytest.mark.parametrize("way", ["get", "api-route-post", "another-app"])
def test_a_catch_all_of_a_router_nothing_includes_collides_with_nothing(
    tmp_path: Path, way: str
) -> None:
    """`@router.get("/{full_path:path}")` in a module whose router no app includes (a draft,
    an old SPA fallback): the app never serves it, so it takes no telemetry endpoint. Before,
    it was said to answer them and the run exited 1. So is one of an app other than the one
    served, mounted nowhere."""
    source = CATCH_ALL_ROUTER
    if way == "another-app":
        # An app of its own, mounted nowhere: not the app served.
        source = source.replace("APIRouter", "FastAPI").replace("router", "admin")
    if way == "api-route-post":
        source = source.replace(
            '.get("/{full_path:path}")', '.api_route("/{full_path:path}", methods=["GET", "POST"])'
        )
    root = _project(
        tmp_path,
        "from fastapi import FastAPI\n\nfrom app.api import items\n\napp = FastAPI()\n"
        'app.include_router(items.router, prefix="/api/v1")\n',
    )
    (root / "backend/app/api/fallback.py").write_text(source)
    result = run("generate", "--root", str(root))
    out = " ".join(result.stdout.split())
    assert result.exit_code == 0, out
    assert "before the telemetry router can" not in out, out
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/api/telemetry/health").json()["status"] == "ok"
        assert client.get("/api/v1/3").json() == {"id": 3}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


# The app serves the catch-all's routes without including its router: they are copied, or
# the router (or an app including it) is handed to code that may include it.
COPIED_CATCH_ALL = {
    "append-loop": "for route in fallback.router.routes:\n    app.router.routes.append(route)\n",
    "add-api-route-loop": "for route in fallback.router.routes:\n"
    "    app.add_api_route(route.path, route.endpoint, methods=list(route.methods))\n",
    "insert": "app.router.routes.insert(0, fallback.router.routes[0])\n",
    "starlette-mount": "app = FastAPI(routes=[Mount('/', routes=fallback.router.routes)])\n",
    "registry": "class Registry:\n    def __init__(self):\n        self.routers = []\n\n"
    "    def add(self, r):\n        self.routers.append(r)\n\n\nreg = Registry()\n"
    "reg.add(fallback.router)\nfor r in reg.routers:\n    app.include_router(r)\n",
    "appended-list": "ROUTERS = []\nROUTERS.append(fallback.router)\n"
    "for r in ROUTERS:\n    app.include_router(r)\n",
    "copied-into-router": "agg = APIRouter()\nfor route in fallback.router.routes:\n"
    "    agg.routes.append(route)\napp.include_router(agg)\n",
    "getattr": "for name in ('router',):\n    app.include_router(getattr(fallback, name))\n",
    "other-app-copied": "base = FastAPI()\nbase.include_router(fallback.router)\n"
    "for route in base.routes:\n    app.router.routes.append(route)\n",
    "other-app-routes": "base = FastAPI()\nbase.include_router(fallback.router)\n"
    "app = FastAPI(routes=base.routes)\n",
    "declared-on-other-app": "app.router.routes.extend(fallback.admin.routes)\n",
    # Included by a function given the app, called through a list or dict of hooks.
    "hook-list": "def inc(a):\n    a.include_router(fallback.router)\n\n\nHOOKS = [inc]\n"
    "for hook in HOOKS:\n    hook(app)\n",
    "hook-dict": "def inc(a):\n    a.include_router(fallback.router)\n\n\n"
    "HOOKS = {'spa': inc}\nfor hook in HOOKS.values():\n    hook(app)\n",
}


@pytest.mark.parametrize("way", list(COPIED_CATCH_ALL))
def test_a_catch_all_the_app_serves_without_including_its_router_collides(
    tmp_path: Path, way: str
) -> None:
    """A catch-all of a router no ``include_router`` of the app names, whose routes the app
    serves all the same (copied route by route, given to ``Mount``, handed to a registry or a
    list that is included, or through another app's routes): it answers the telemetry
    endpoints: the run exits 1 as for an included one, unless the telemetry router is wired
    before them. Only a router (or app) the package reads for nothing but adding to it and
    including it is taken as served by no app."""
    source = CATCH_ALL_ROUTER
    if way == "declared-on-other-app":
        source = source.replace("APIRouter", "FastAPI").replace("router", "admin")
    root = _project(
        tmp_path,
        "from fastapi import APIRouter, FastAPI\nfrom starlette.routing import Mount\n\n"
        "from app.api import fallback, items\n\napp = FastAPI()\n"
        + COPIED_CATCH_ALL[way]
        + 'app.include_router(items.router, prefix="/api/v1")\n',
    )
    (root / "backend/app/api/fallback.py").write_text(source)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'app = "app.main:app"\n')
    with imported_app(root / "backend") as served:
        # The app really answers the telemetry endpoint's path with the catch-all.
        answer = TestClient(served.app).get("/api/telemetry/health").json()
        assert answer == {"page": "api/telemetry/health"}, answer
    result = run("generate", "--root", str(root))
    out = " ".join(result.stdout.split())
    if result.exit_code == 0:
        # Wired before the include the catch-all comes with: the telemetry router answers.
        with imported_app(root / "backend") as served:
            client = TestClient(served.app)
            assert client.get("/api/telemetry/health").json()["status"] == "ok", out
    else:
        assert result.exit_code == 1, out
        assert "route spa (GET /{full_path:path}) answers GET /api/telemetry/health" in out, out


SUB_APP = """from fastapi import FastAPI

api = FastAPI()


@api.get("/telemetry/health")
async def health() -> dict[str, bool]:
    return {"sub": True}
"""
#: A sub-app mounted at /api by the app, however the mount is added.
SUB_APP_MOUNTS = {
    "mount": "app.mount('/api', sub.api)\n",
    "router-mount": "app.router.mount('/api', sub.api)\n",
    "routes-append": "app.router.routes.append(Mount('/api', app=sub.api))\n",
    "app-routes-append": "app.routes.append(Mount('/api', app=sub.api))\n",
    "routes-insert": "app.router.routes.insert(0, Mount('/api', app=sub.api))\n",
}


@pytest.mark.parametrize("way", list(SUB_APP_MOUNTS))
def test_a_sub_app_s_route_under_its_mount_collides_however_it_is_mounted(
    tmp_path: Path, way: str
) -> None:
    """A sub-app's `GET /telemetry/health` mounted at /api answers `/api/telemetry/health`:
    mounted with `app.router.mount(...)` or a `Mount` appended to the app's routes, as with
    `app.mount(...)`, the run exits 1 unless the telemetry router comes first. Before, the
    first two were not read as mounts: the sub-app was said not to be served, and the run
    passed while the endpoint answered the sub-app's route."""
    root = _project(
        tmp_path,
        "from fastapi import FastAPI\nfrom starlette.routing import Mount\n\n"
        "from app.api import items, sub\n\napp = FastAPI()\n"
        + SUB_APP_MOUNTS[way]
        + 'app.include_router(items.router, prefix="/api/v1")\n',
    )
    (root / "backend/app/api/sub.py").write_text(SUB_APP)
    with imported_app(root / "backend") as served:
        answer = TestClient(served.app).get("/api/telemetry/health").json()
        assert answer == {"sub": True}, answer
    result = run("generate", "--root", str(root))
    out = " ".join(result.stdout.split())
    if result.exit_code == 0:
        with imported_app(root / "backend") as served:
            client = TestClient(served.app)
            assert client.get("/api/telemetry/health").json()["status"] == "ok", out
    else:
        assert result.exit_code == 1, out
        assert "answers GET /api/telemetry/health before the telemetry router can" in out, out


def test_init_reads_the_mounts_before_the_wiring_generate_writes(tmp_path: Path) -> None:
    # The app mounts a sub-app at /api after a catch-all's include: the telemetry router goes
    # before that include, so the mount takes nothing from it and init keeps the default prefix.
    main = """from fastapi import FastAPI

from app.api import items, spa

api = FastAPI()
app = FastAPI()
app.include_router(spa.router)
app.mount("/api", api)
app.include_router(items.router, prefix="/v1")
"""
    root = _project(tmp_path, main)
    (root / "backend/app/api/spa.py").write_text(SPA_PY)
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "api-prefix" not in (root / "pyproject.toml").read_text()
    assert run("generate", "--root", str(root)).exit_code == 0
    with imported_app(root / "backend") as served:
        assert "status" in TestClient(served.app).get("/api/telemetry/health").json()


_FLAGGED_MAIN = (
    "from fastapi import FastAPI\nfrom pydantic_settings import BaseSettings\n\n"
    "from app.api.router import api_router\n\n\n"
    "class Settings(BaseSettings):\n    {declared}\n\n\n"
    "settings = Settings()\napp = FastAPI()\n"
    'if {test}:\n    app.include_router(api_router, prefix="/api")\n'
)


@pytest.mark.parametrize(
    ("declared", "test", "off"),
    [
        (
            "ENABLE_API: bool = False",
            "settings.ENABLE_API",
            "`settings.ENABLE_API` is true, and `settings.ENABLE_API` is False",
        ),
        (
            "DISABLE_API: bool = True",
            "not settings.DISABLE_API",
            "`settings.DISABLE_API` is false, and `settings.DISABLE_API` is True",
        ),
        ("ENABLE_API: bool = True", "settings.ENABLE_API", None),
        (
            'ENV: str = "dev"',
            'settings.ENV == "prod"',
            "`settings.ENV == 'prod'`, and `settings.ENV` is 'dev'",
        ),
        (
            'ENV: str = "dev"',
            'settings.ENV != "dev"',
            "`settings.ENV != 'dev'`, and `settings.ENV` is 'dev'",
        ),
        (
            'ENV: str = "dev"',
            '"prod" == settings.ENV',
            "`'prod' == settings.ENV`, and `settings.ENV` is 'dev'",
        ),
        (
            'ENV: str = "dev"',
            'settings.ENV in {"prod", "staging"}',
            "`settings.ENV in {'prod', 'staging'}`, and `settings.ENV` is 'dev'",
        ),
        (
            'ENV: str = "dev"',
            'not settings.ENV not in ("prod",)',
            "`not settings.ENV not in ('prod',)`, and `settings.ENV` is 'dev'",
        ),
        (
            "ENABLE_API: bool = False",
            'getattr(settings, "ENABLE_API", True)',
            "`getattr(settings, 'ENABLE_API', True)` is true, and "
            "`getattr(settings, 'ENABLE_API', True)` is False",
        ),
        ('ENV: str = "dev"', 'settings.ENV == "dev"', None),
        ('ENV: str = "dev"', 'settings.ENV in ["dev", "test"]', None),
        ('ENV: str = "dev"', 'settings.ENV == str("prod")', None),
    ],
    ids=[
        "off-by-default",
        "disabled-by-default",
        "on-by-default",
        "equal",
        "not-equal",
        "literal-first",
        "in-a-set",
        "not-not-in",
        "getattr",
        "equal-by-default",
        "in-by-default",
        "compared-to-a-name",
    ],
)
def test_an_include_a_settings_flag_leaves_off_by_default_is_instrumented_and_said(
    tmp_path: Path, declared: str, test: str, off: str | None
) -> None:
    """`if settings.ENABLE_API: app.include_router(api_router, prefix="/api")` with the flag
    false by default: the routes are logged where they are served once it is on (as a check
    and a removal read them), and `init` and `generate` say it is off by default."""
    main = _FLAGGED_MAIN.format(declared=declared, test=test)
    root = _project(tmp_path, main)
    flag = declared.partition(":")[0]
    said = (
        f"backend/app/main.py:14: `api_router` is not served by default: served only when {off} "
        f"by default (backend/app/main.py:8; an environment variable {flag} set at run time "
        "changes it); its routes are logged where they are served then"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.count("not served by default") == (0 if off is None else 1)
    if off is not None:
        assert result.stdout.count(said) == 1, result.stdout
    assert _routes(root) == {"list_items": "/api/items/", "get_item": "/api/items/{item_id}"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/items.py").read_text() == ITEMS_PY
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().partition("[tool.telemetry-scaffold]")[0])
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.count("not served by default") == (0 if off is None else 1)


@pytest.mark.parametrize(
    ("test", "off"),
    [
        (
            'os.getenv("ENABLE_X") == "1"',
            "`os.getenv('ENABLE_X') == '1'`, and the environment variable ENABLE_X is unset by "
            "default",
        ),
        (
            'os.environ.get("ENABLE_X")',
            "`os.environ.get('ENABLE_X')` is true, and the environment variable ENABLE_X is unset "
            "by default",
        ),
        (
            '"ENABLE_X" in os.environ',
            "`'ENABLE_X' in os.environ`, and the environment variable ENABLE_X is unset by default",
        ),
        (
            'os.getenv("ENV", "dev") == "prod"',
            "`os.getenv('ENV', 'dev') == 'prod'`, and `os.getenv('ENV', 'dev')` is 'dev' while "
            "the environment variable ENV is unset",
        ),
        (
            'getattr(settings, "ENABLE_X", False)',
            "`getattr(settings, 'ENABLE_X', False)` is true, and `Settings` declares no ENABLE_X, "
            "so it is False",
        ),
        (
            "ENABLE_FLAG",
            "`ENABLE_FLAG` is true (`ENABLE_FLAG = os.environ.get('ENABLE_FLAG') == '1'`), and the "
            "environment variable ENABLE_FLAG is unset by default",
        ),
        (
            "DEBUG_ON",
            "`DEBUG_ON` is true (`DEBUG_ON = os.getenv('DEBUG', 'False').lower() == 'true'`), and "
            "`os.getenv('DEBUG', 'False')` is 'False' while the environment variable DEBUG is "
            "unset",
        ),
        ("not ENABLE_FLAG", None),
        ('os.getenv("ENV", "dev") != "prod"', None),
        ('"ENABLE_X" not in os.environ', None),
        ('getattr(settings, "ENABLE_X", True)', None),
        ('getattr(settings, "DEBUG", False)', None),  # declared: a default of its own
    ],
    ids=[
        "getenv-equal",
        "environ-get",
        "in-environ",
        "getenv-default",
        "getattr-undeclared",
        "a-name-bound-to-a-read",
        "lower-cased",
        "not-a-name",
        "getenv-default-on",
        "not-in-environ",
        "getattr-on",
        "getattr-declared-on",
    ],
)
def test_an_include_an_environment_read_leaves_off_by_default_is_said(
    tmp_path: Path, test: str, off: str | None
) -> None:
    """`if os.getenv("ENABLE_X") == "1": app.include_router(...)` (`os.environ.get`, `in
    os.environ`, a `getattr` of a field the settings class lacks): said served only when set."""
    main = (
        "import os\n\nfrom fastapi import FastAPI\nfrom pydantic_settings import BaseSettings\n\n"
        "from app.api.router import api_router\n\n\n"
        "class Settings(BaseSettings):\n    DEBUG: bool = True\n\n\n"
        "ENABLE_FLAG = os.environ.get('ENABLE_FLAG') == '1'\n"
        "DEBUG_ON = os.getenv('DEBUG', 'False').lower() == 'true'\n"
        "settings = Settings()\napp = FastAPI()\n"
        f'if {test}:\n    app.include_router(api_router, prefix="/api")\n'
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    if off is None:
        assert "not served by default" not in result.stdout, result.stdout
    else:
        said = (
            "backend/app/main.py:18: `api_router` is not served by default: served only when "
            f"{off}; its routes are logged where they are served then"
        )
        assert result.stdout.count(said) == 1, result.stdout
    assert _routes(root) == {"list_items": "/api/items/", "get_item": "/api/items/{item_id}"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/items.py").read_text() == ITEMS_PY


def test_init_says_every_run_time_choice_note_whatever_its_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`init` picks the notes on routers the environment picks by their kind, not their text:
    a reworded note is still said (a fixed phrase matched against the text dropped it)."""
    from telemetry_cli.patching import mounts

    monkeypatch.setattr(mounts, "NOT_SERVED_BY_DEFAULT", "is off until its flag is set")
    main = _FLAGGED_MAIN.format(declared="ENABLE_API: bool = False", test="settings.ENABLE_API")
    root = _project(tmp_path, main)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().partition("[tool.telemetry-scaffold]")[0])
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.count("`api_router` is off until its flag is set") == 1, result.stdout


def test_an_include_a_factorys_settings_flag_leaves_off_by_default_is_said(tmp_path: Path) -> None:
    """`create_app(settings=None)` with `settings = settings or get_settings()`, called with
    nothing: its `if settings.ENABLE_API:` is read on the settings `get_settings()` builds."""
    main = (
        "from fastapi import FastAPI\nfrom pydantic_settings import BaseSettings\n\n"
        "from app.api.router import api_router\n\n\n"
        "class Settings(BaseSettings):\n    ENABLE_API: bool = False\n\n\n"
        "def get_settings() -> Settings:\n    return Settings()\n\n\n"
        "def create_app(settings: Settings | None = None) -> FastAPI:\n"
        "    settings = settings or get_settings()\n"
        "    app = FastAPI()\n"
        "    if settings.ENABLE_API:\n"
        '        app.include_router(api_router, prefix="/api")\n'
        "    return app\n\n\napp = create_app()\n"
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert (
        "backend/app/main.py:19: `api_router` is not served by default: served only when "
        "`settings.ENABLE_API` is true, and `settings.ENABLE_API` is False by default "
        "(backend/app/main.py:8; an environment variable ENABLE_API set at run time changes "
        "it); its routes are logged where they are served then"
    ) in result.stdout, result.stdout
    assert _routes(root) == {"list_items": "/api/items/", "get_item": "/api/items/{item_id}"}


def test_a_router_a_class_new_returns_is_included_where_its_call_is(tmp_path: Path) -> None:
    """`class IncludeAPIRouter: def __new__(cls): router = APIRouter(prefix="/api/v1"); ...;
    return router`, included as `app.include_router(IncludeAPIRouter())`: the call is the
    router `__new__` returns (was a router included nowhere, logged without its prefix)."""
    api = (
        "class IncludeAPIRouter(object):\n"
        "    def __new__(cls):\n"
        "        from fastapi.routing import APIRouter\n\n"
        "        from app.api.items import router as router_items\n\n"
        '        router = APIRouter(prefix="/api/v1")\n'
        '        router.include_router(router_items, prefix="/items")\n'
        "        return router\n"
    )
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.router import IncludeAPIRouter\n\n"
        "app = FastAPI()\napp.include_router(IncludeAPIRouter())\n"
    )
    root = _project(tmp_path, main, api)
    _generates_and_serves_items(root, "/api/v1", "included by no")
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/items.py").read_text() == ITEMS_PY


@pytest.mark.parametrize(
    ("test", "off"),
    [
        ('settings.ENV == "prod"', "`settings.ENV != 'prod'`"),
        ('settings.ENV in ("prod", "staging")', "`settings.ENV not in ('prod', 'staging')`"),
        ("not settings.DEBUG", "`settings.DEBUG` is true"),
        ('settings.ENV != "prod"', None),
    ],
    ids=["equal", "in", "not", "on-by-default"],
)
def test_an_include_in_the_else_block_of_a_test_true_by_default_is_said(
    tmp_path: Path, test: str, off: str | None
) -> None:
    """`if settings.ENV == "prod": ... else: app.include_router(api_router)` with `ENV = "prod"`
    by default: served only when the test is false, said as its opposite."""
    main = (
        "from fastapi import FastAPI\nfrom pydantic_settings import BaseSettings\n\n"
        "from app.api.router import api_router\n\n\n"
        'class Settings(BaseSettings):\n    ENV: str = "prod"\n    DEBUG: bool = False\n\n\n'
        f"settings = Settings()\napp = FastAPI()\nif {test}:\n    pass\nelse:\n"
        '    app.include_router(api_router, prefix="/api")\n'
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    if off is None:
        assert "not served by default" not in result.stdout, result.stdout
    else:
        said = f"`api_router` is not served by default: served only when {off}, and "
        assert result.stdout.count(said) == 1, result.stdout
    assert _routes(root) == {"list_items": "/api/items/", "get_item": "/api/items/{item_id}"}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    "declared",
    [
        "@dataclass(frozen=True)\nclass Routes:\n    routers: tuple\n",
        "class Routes(NamedTuple):\n    routers: tuple\n",
    ],
    ids=["dataclass", "namedtuple"],
)
def test_a_loop_over_a_field_of_the_one_instance_of_a_record_class_is_read(
    tmp_path: Path, declared: str
) -> None:
    """`for router in self.routers` in a method of `@dataclass class Routes: routers: tuple`,
    built once as `__routes__ = Routes(routers=(...))` (a template of public backends): the
    loop's routers are that call's (they were included by no include the tool could follow)."""
    api = (
        "from dataclasses import dataclass\nfrom typing import NamedTuple\n\n"
        "from fastapi import FastAPI\n\nfrom app.api import items\n\n\n"
        f"{declared}\n"
        "    def register_routes(self, app: FastAPI) -> None:\n"
        "        for router in self.routers:\n"
        '            app.include_router(router, prefix="/srv")\n\n\n'
        "__routes__ = Routes(routers=(items.router,))\n"
    )
    main = (
        "from fastapi import FastAPI\n\nfrom app.api.router import __routes__\n\n"
        "app = FastAPI()\n__routes__.register_routes(app)\n"
    )
    root = _project(tmp_path, main, api)
    (root / "backend/app/api/items.py").write_text(
        ITEMS_PY.replace('APIRouter(tags=["items"])', 'APIRouter(prefix="/items")')
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "included by no" not in result.stdout, result.stdout
    assert _routes(root) == {"list_items": "/srv/items/", "get_item": "/srv/items/{item_id}"}
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/srv/items/7").json() == {"id": 7}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0


SUB_APP_PY = '''"""The API, an app of its own."""

from fastapi import FastAPI

from app.api.router import api_router

app = FastAPI()
app.include_router(api_router, prefix="/v1")
'''


@pytest.mark.parametrize(
    "routes",
    [
        'routes = [Mount("/v2", app_api.app)]\n\napp = FastAPI(routes=routes)',
        'app = FastAPI(routes=[Mount("/v2", app=app_api.app)])',
    ],
    ids=["named-list", "written-list"],
)
def test_a_module_mounting_its_api_only_through_a_routes_list_is_read(
    tmp_path: Path, routes: str
) -> None:
    """The served app's module mounts the API app of another module with Starlette's `Mount`
    in its `routes=` and does nothing else of the kind (a public shape: an SPA beside its API):
    the API's routes are served under the mount's path (the module was passed over, and its
    routes were said to be served by no app)."""
    root = _project(tmp_path, "")
    (root / "backend/app/api_app.py").write_text(SUB_APP_PY)
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\nfrom starlette.routing import Mount\n\n"
        f"from app import api_app as app_api\n\n{routes}\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert _routes(root) == {"list_items": "/v2/v1/items/", "get_item": "/v2/v1/items/{item_id}"}


NESTED_ITEMS = """from fastapi import APIRouter

router = APIRouter(prefix="/{name}")


@router.get("/{{key}}")
async def get_{name}(key: int) -> dict[str, int]:
    return {{"id": key}}
"""

NESTED_LOOPS = {
    "dict-of-lists": (
        'VERSIONS = {"v1": [(items.router, "/shop")], '
        '"v2": [(items.router, "/shop"), (users.router, "/people")]}\n'
        "for version, routers in VERSIONS.items():\n"
        "    for router, prefix in routers:\n"
        '        app.include_router(router, prefix=f"/{version}{prefix}")\n'
    ),
    "in-a-factory": (
        "def wire(app: FastAPI) -> None:\n"
        '    groups = [("v1", [items.router]), ("v2", [items.router, users.router])]\n'
        "    for version, routers in groups:\n"
        "        for router in routers:\n"
        '            app.include_router(router, prefix=f"/{version}/x")\n\n\n'
        "wire(app)\n"
    ),
    "outer-name-read-by-the-inner-loop-only": (
        "GROUPS = [[items.router], [users.router]]\n"
        "for group in GROUPS:\n"
        "    for router in group:\n"
        '        app.include_router(router, prefix="/api")\n'
    ),
}

NESTED_EXPECTED = {
    "dict-of-lists": ("/v2/people/users/{key}", "/v1/shop/items/1", "/v2/shop/items/1"),
    "in-a-factory": ("/v2/x/users/{key}", "/v1/x/items/1", "/v2/x/items/1"),
    "outer-name-read-by-the-inner-loop-only": ("/api/users/{key}", "/api/items/1", None),
}


@pytest.mark.parametrize("shape", sorted(NESTED_LOOPS))
def test_nested_loops_whose_inner_loop_runs_over_an_outer_item_include_each_pair(
    tmp_path: Path, shape: str
) -> None:
    """`for version, routers in VERSIONS.items(): for router, prefix in routers:` includes each
    router of one version's list with that version only: `users` (listed under v2 only) is
    logged at its one served path, and `items` (under both) is said to be served under two.
    The inner loop over the outer loop's item was read as items only known at run time: one
    line, and every route logged without the prefix."""
    root = tmp_path / "project"
    (root / "backend/app").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.telemetry-scaffold]\n'
        'instrument = { "items.py" = "ai_block_used", "users.py" = "ai_block_used" }\n'
    )
    (root / "backend/app/__init__.py").write_text("")
    for name in ("items", "users"):
        (root / f"backend/app/{name}.py").write_text(NESTED_ITEMS.format(name=name))
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app import items, users\n\napp = FastAPI()\n\n"
        + NESTED_LOOPS[shape]
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    said = " ".join(result.stdout.split())
    assert "only known at run time" not in said, said
    assert "not followed" not in said, said
    users_route, first, second = NESTED_EXPECTED[shape]
    assert routes_by_handler(root / "backend/app/users.py")["get_users"] == users_route
    if second is None:
        assert routes_by_handler(root / "backend/app/items.py")["get_items"] == (
            first.replace("/1", "/{key}")
        )
    else:
        assert "`router` of app.items is served under several paths" in said, said
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get(users_route.replace("{key}", "1")).json() == {"id": 1}
        for path in (first, second):
            if path is not None:
                assert client.get(path).json() == {"id": 1}
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize(
    ("folder", "prefix", "served"),
    [
        ('os.path.join(os.path.dirname(__file__), "../modules")', '"/api"', "/api"),
        ('os.path.join(os.path.dirname(os.path.dirname(__file__)), "modules")', '"/api"', "/api"),
        # The entry's own prefix: the subfolder's name, as the loop binds it.
        ('os.path.join(os.path.dirname(__file__), "../modules")', 'f"/api/{name}"', "/api/items"),
    ],
    ids=["dot-dot", "dirname-twice", "prefix-of-the-entry"],
)
def test_subpackages_listed_beside_the_loader_give_their_routes_module(
    tmp_path: Path, folder: str, prefix: str, served: str
) -> None:
    """A real loader: ``modules/<name>/routes.py`` for each subfolder of a folder found from
    the loader's own file (``..`` or ``dirname`` twice), its module name held by a name first,
    each included under the include's prefix (one made of the entry's name too)."""
    root = make_project(
        tmp_path / "project", 'instrument = { "modules/items/routes.py" = "ai_block_used" }'
    )
    app = root / "backend/app"
    for package in ("core", "modules", "modules/items"):
        (app / package).mkdir(parents=True, exist_ok=True)
        (app / package / "__init__.py").write_text("")
    (app / "modules/items/routes.py").write_text(ITEMS_PY)
    (app / "core/loader.py").write_text(
        "import importlib\nimport os\n\n\ndef load_module_routers(app):\n"
        f"    modules_dir = {folder}\n"
        "    for name in sorted(os.listdir(modules_dir)):\n"
        '        router_path = f"app.modules.{name}.routes"\n'
        "        try:\n"
        "            mod = importlib.import_module(router_path)\n"
        '            if hasattr(mod, "router"):\n'
        f"                app.include_router(mod.router, prefix={prefix})\n"
        "        except ModuleNotFoundError:\n"
        "            continue\n"
    )
    (app / "main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.core.loader import load_module_routers\n\n"
        "app = FastAPI()\nload_module_routers(app)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "not followed" not in result.stdout
    assert "run time" not in result.stdout
    assert routes_by_handler(app / "modules/items/routes.py") == {
        "list_items": f"{served}/",
        "get_item": f"{served}/{{item_id}}",
    }
    with imported_app(root / "backend") as backend:
        assert TestClient(backend.app).get(f"{served}/7").json() == {"id": 7}


ORDERS_PY = '''"""Orders."""

from fastapi import APIRouter

router = APIRouter(prefix="/orders")


@router.get("/{order_id}")
async def get_order(order_id: int) -> dict[str, int]:
    return {"id": order_id}
'''

PLUGIN_PY = '''"""A plugin adding routers to an app it is given."""

from fastapi import FastAPI

from app.api import items, orders


class Plugin:
    def setup(self, app: FastAPI) -> None:
        app.include_router(items.router, prefix="/plugin")
        app.include_router(orders.router)
'''


@pytest.mark.parametrize("built", [False, True], ids=["never-built", "built"])
def test_an_include_in_a_method_counts_only_when_its_class_is_built(
    tmp_path: Path, built: bool
) -> None:
    """`class Plugin: def setup(self, app): app.include_router(items.router, prefix="/plugin")`
    beside `app.include_router(items.router, prefix="/api")` in main: with `Plugin` named
    nowhere, the method never runs, so `items.router` is served under /api alone and
    `orders.router` (included only there) by no app. Built (`Plugin().setup(app)`), both of its
    includes count. Before, the unused class's includes counted: `items.router` was said to be
    served under several paths and logged without its prefix."""
    root = make_project(
        tmp_path / "project",
        'instrument = { "api/items.py" = "ai_block_used", "api/orders.py" = "ai_block_used" }',
    )
    (root / "backend/app/api/items.py").write_text(ITEMS_PY)
    (root / "backend/app/api/orders.py").write_text(ORDERS_PY)
    (root / "backend/app/plugins.py").write_text(PLUGIN_PY)
    head = "from fastapi import FastAPI\n\nfrom app.api import items\n"
    tail = 'app = FastAPI()\napp.include_router(items.router, prefix="/api")\n'
    if built:
        head += "from app.plugins import Plugin\n"
        tail += "Plugin().setup(app)\n"
    (root / "backend/app/main.py").write_text(f"{head}\n{tail}")
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    several = "`router` of app.api.items is served under several paths ('/api', '/plugin')"
    unserved = "`router` of app.api.orders is included by no app"
    assert (several in out) == built, out
    assert (unserved in out) == (not built), out
    items = routes_by_handler(root / "backend/app/api/items.py")["get_item"]
    assert items == ("/{item_id}" if built else "/api/{item_id}")
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/api/7").json() == {"id": 7}
        assert client.get("/orders/7").status_code == (200 if built else 404)


SUB_ROUTERS_PY = '''"""Include the router of each submodule of a package, under its name or not."""

import pkgutil
from importlib import import_module
from types import ModuleType

from fastapi import APIRouter


def add_all_sub_routers(router: APIRouter, module: ModuleType, prefix: bool) -> None:
    modules = [
        (module_info.name, import_module(f"{module.__name__}.{module_info.name}"))
        for module_info in pkgutil.iter_modules(module.__path__)
    ]
    for name, mod in modules:
        if getattr(mod, "router", None):
            if prefix:
                router.include_router(mod.router, prefix=f"/{name}")
            else:
                router.include_router(mod.router)
'''


@pytest.mark.parametrize(
    ("passed", "route"),
    [
        ("True", "/api/v1/items/{item_id}"),
        ("prefix=False", "/api/v1/{item_id}"),
        # An environment read, as its default (said): the variable is unset by default.
        ("PREFIXED", "/api/v1/{item_id}"),
        ("RUNTIME", None),  # only known at run time: both branches may run
    ],
    ids=["true", "false-by-keyword", "environment-default", "not-known"],
)
def test_a_helper_s_include_under_a_parameter_s_if_is_read_with_each_call_s_literal(
    tmp_path: Path, passed: str, route: str | None
) -> None:
    """`add_all_sub_routers(api, v1, True)` over `if prefix: router.include_router(mod.router,
    prefix=f"/{name}") else: router.include_router(mod.router)` (a shape of public projects):
    every call passing a literal, the branch no call takes includes nothing, and the router
    passed for `router` is the one included into. Before, `router` was taken as an object the
    tool cannot tell is an app, the include without a prefix as one of routers only known at
    run time, and both branches counted. An environment read is read as its default, and
    said; a value only known at run time still makes both branches count, and is said."""
    root = make_project(
        tmp_path / "project", 'instrument = { "api/v1/items.py" = "ai_block_used" }'
    )
    write_files(
        root / "backend/app",
        {
            "helpers.py": SUB_ROUTERS_PY,
            "api/v1/__init__.py": "",
            "api/v1/items.py": ITEMS_PY,
            "main.py": (
                "import os\nimport random\n\nfrom fastapi import APIRouter, FastAPI\n\n"
                "from app.api import v1\nfrom app.helpers import add_all_sub_routers\n\n"
                'PREFIXED = os.environ.get("PREFIXED") == "1"\n'
                "RUNTIME = random.random() < 0.5\n"
                f"api = APIRouter()\nadd_all_sub_routers(api, v1, {passed})\n\n"
                'app = FastAPI()\napp.include_router(api, prefix="/api/v1")\n'
            ),
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    logged = routes_by_handler(root / "backend/app/api/v1/items.py")["get_item"]
    if route is None:
        assert "is served under several paths ('/api/v1', '/api/v1/items')" in out, out
        assert "`RUNTIME`, passed for `if prefix:` at backend/app/helpers.py:17, is only" in out
        return
    if passed == "PREFIXED":
        said = "the environment variable PREFIXED is unset by default: `if prefix:` at"
        assert said in out, out
    assert logged == route, out
    assert "several paths" not in out and "only known at run time" not in out, out
    assert "cannot tell" not in out, out
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get(route.replace("{item_id}", "7")).json() == {"id": 7}


@pytest.mark.parametrize(
    ("passed", "v2_route", "said"),
    [
        ("PREFIXED", "/api/orders/{item_id}", None),
        ("settings.PREFIX_V2", "/api/{item_id}", "`settings.PREFIX_V2` is False by default"),
    ],
    ids=["module-constant", "settings-default"],
)
def test_a_helper_s_if_on_a_parameter_is_read_per_call_with_constants_and_defaults(
    tmp_path: Path, passed: str, v2_route: str, said: str | None
) -> None:
    """`add_all_sub_routers(api, v1, True)`, `add_all_sub_routers(api, v2, PREFIXED)` with
    `PREFIXED = True` (or a settings field declared `False`), `add_all_sub_routers(api, v3,
    flag())`: each call is read with its own argument, a module constant as the literal it is
    bound to, a settings field as its default (said); the call whose argument is only known at
    run time is said on its own line, and only its routers are read both ways. Before, one
    argument not a literal made every call's routers served under both branches' paths, and
    the routers of three packages listed by one helper were followed nowhere."""
    root = make_project(
        tmp_path / "project",
        'instrument = { "api/v1/items.py" = "ai_block_used", "api/v2/orders.py" = '
        '"ai_block_used", "api/v3/users.py" = "ai_block_used" }',
    )
    orders = ITEMS_PY.replace("get_item", "get_order").replace("list_items", "list_orders")
    users = ITEMS_PY.replace("get_item", "get_user").replace("list_items", "list_users")
    write_files(
        root / "backend/app",
        {
            "helpers.py": SUB_ROUTERS_PY,
            "config.py": (
                "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
                "    PREFIX_V2: bool = False\n\n\nsettings = Settings()\n"
            ),
            "api/v1/__init__.py": "",
            "api/v1/items.py": ITEMS_PY,
            "api/v2/__init__.py": "",
            "api/v2/orders.py": orders,
            "api/v3/__init__.py": "",
            "api/v3/users.py": users,
            "main.py": (
                "import random\n\nfrom fastapi import APIRouter, FastAPI\n\n"
                "from app.api import v1, v2, v3\nfrom app.config import settings\n"
                "from app.helpers import add_all_sub_routers\n\nPREFIXED = True\n\n\n"
                "def flag() -> bool:\n    return random.random() < 2\n\n\n"
                "api = APIRouter()\nadd_all_sub_routers(api, v1, True)\n"
                f"add_all_sub_routers(api, v2, {passed})\nadd_all_sub_routers(api, v3, flag())\n\n"
                'app = FastAPI()\napp.include_router(api, prefix="/api")\n'
            ),
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    backend = root / "backend/app/api"
    assert routes_by_handler(backend / "v1/items.py")["get_item"] == "/api/items/{item_id}"
    assert routes_by_handler(backend / "v2/orders.py")["get_order"] == v2_route, out
    # Only the call of a run-time flag is read both ways, and said.
    assert routes_by_handler(backend / "v3/users.py")["get_user"] == "/{item_id}"
    assert (
        "`router` of app.api.v3.users is served under several paths ('/api', '/api/users')" in out
    )
    assert (
        "backend/app/main.py:19: `flag()`, passed for `if prefix:` at backend/app/helpers.py:17, "
        "is only known at run time: the includes under it are read as run for this call"
    ) in out, out
    assert "app.api.v1.items is served under several" not in out, out
    assert "app.api.v2.orders is served under several" not in out, out
    if said is not None:
        assert f"backend/app/main.py:18: {said}" in out, out
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/api/items/7").json() == {"id": 7}
        assert client.get(v2_route.replace("{item_id}", "8")).json() == {"id": 8}
        assert client.get("/api/users/9").json() == {"id": 9}


#: Ways a flag first bound `False` is changed before a helper reads it, by what is passed and
#: the modules written (None: the flag stays `False`, the name changed is another).
REBOUND_FLAGS: dict[str, tuple[str, str, dict[str, str]]] = {
    "global": (
        "PREFIXED = False\n\n\ndef configure() -> None:\n    global PREFIXED\n"
        "    PREFIXED = True\n\n\nconfigure()\n",
        "PREFIXED",
        {},
    ),
    "module-attribute": ("from app import flags\n\nflags.PREFIXED = True\n", "flags.PREFIXED", {}),
    "from-another-module": (
        "from app import startup  # noqa: F401\nfrom app.flags import PREFIXED\n",
        "PREFIXED",
        {"startup.py": "import app.flags\n\napp.flags.PREFIXED |= True\n"},
    ),
    "setattr": (
        'from app import flags\n\nsetattr(flags, "PREFIXED", True)\n',
        "flags.PREFIXED",
        {},
    ),
    "class-attribute": (
        "class Config:\n    PREFIXED = False\n\n\nConfig.PREFIXED = True\n",
        "Config.PREFIXED",
        {},
    ),
    # Bindings besides the plain one, in the module itself.
    "tuple-target": ("PREFIXED = False\nPREFIXED, OTHER = True, 1\n", "PREFIXED", {}),
    "parenthesized-targets": ("PREFIXED = False\n(OTHER, PREFIXED) = (1, True)\n", "PREFIXED", {}),
    "starred-target": ("PREFIXED = False\n*_, PREFIXED = [False, True]\n", "PREFIXED", {}),
    "augmented": ("PREFIXED = False\nPREFIXED |= True\n", "PREFIXED", {}),
    "loop-target": ("PREFIXED = False\nfor PREFIXED in (True,):\n    pass\n", "PREFIXED", {}),
    "with-target": (
        "import contextlib\n\nPREFIXED = False\nwith contextlib.nullcontext(True) as PREFIXED:\n"
        "    pass\n",
        "PREFIXED",
        {},
    ),
    "walrus": ("PREFIXED = False\nif not (PREFIXED := True):\n    pass\n", "PREFIXED", {}),
    # The module's namespace written as a dict, or found through `sys.modules`.
    "globals-item": ('PREFIXED = False\nglobals()["PREFIXED"] = True\n', "PREFIXED", {}),
    "globals-update": ("PREFIXED = False\nglobals().update(PREFIXED=True)\n", "PREFIXED", {}),
    "sys-modules": (
        'import sys\n\nPREFIXED = False\nsetattr(sys.modules[__name__], "PREFIXED", True)\n',
        "PREFIXED",
        {},
    ),
    "module-dict": ('flags.__dict__["PREFIXED"] = True\n', "flags.PREFIXED", {}),
    "vars-of-module": ('vars(flags).update({"PREFIXED": True})\n', "flags.PREFIXED", {}),
    # Attributes as targets of a tuple or a loop, from another module.
    "attribute-tuple": (
        "from app import startup  # noqa: F401\nfrom app.flags import PREFIXED\n",
        "PREFIXED",
        {"startup.py": "from app import flags\n\nflags.PREFIXED, flags.OTHER = True, 1\n"},
    ),
    "attribute-loop": (
        "for flags.PREFIXED in (True,):\n    pass\n",
        "flags.PREFIXED",
        {},
    ),
    # A class attribute written by the class's own code.
    "class-method": (
        "class Config:\n    PREFIXED = False\n\n    @classmethod\n    def configure(cls) -> None:\n"
        "        cls.PREFIXED = True\n\n\nConfig.configure()\n",
        "Config.PREFIXED",
        {},
    ),
    "type-of-self": (
        "class Config:\n    PREFIXED = False\n\n    def configure(self) -> None:\n"
        "        type(self).PREFIXED = True\n\n\nConfig().configure()\n",
        "Config.PREFIXED",
        {},
    ),
    "class-body-augmented": (
        "class Config:\n    PREFIXED = False\n    PREFIXED |= True\n",
        "Config.PREFIXED",
        {},
    ),
    "class-body-tuple": (
        "class Config:\n    PREFIXED = False\n    PREFIXED, OTHER = True, 1\n",
        "Config.PREFIXED",
        {},
    ),
    "another-name": (
        "class Config:\n    PREFIXED = False\n    OTHER = 1\n\n\nConfig.OTHER = 2\n"
        "flags.OTHER = 3\n\n\ndef configure() -> None:\n    global OTHER\n    OTHER = 4\n\n\n"
        'globals()["OTHER"] = 5\nfor flags.OTHER in (6,):\n    pass\n\n\n'
        "class Sub(Config):\n    def __init_subclass__(cls) -> None:\n"
        "        cls.PREFIXED = True\n",
        "Config.PREFIXED",
        {},
    ),
}


@pytest.mark.parametrize("way", sorted(REBOUND_FLAGS))
def test_a_helper_s_flag_changed_after_its_binding_is_only_known_at_run_time(
    tmp_path: Path, way: str
) -> None:
    """`PREFIXED = False`, then changed before `add_all_sub_routers(api, v1, PREFIXED)` runs:
    by a function declaring it `global`, as an attribute of its module (`flags.PREFIXED =
    True`, `|=` from another module, `setattr`) or of its class (`Config.PREFIXED = True`);
    by any binding besides the plain one (a tuple, starred or loop target, `|=`, `with ... as`,
    a walrus), through the module's dict (`globals()["PREFIXED"] = True`, `globals().update`,
    `sys.modules[__name__]`, `flags.__dict__`, `vars(flags)`), as a target of a tuple or loop
    (`flags.PREFIXED, flags.OTHER = ...`), or by the class's own code (`cls.PREFIXED = True` in
    a class method, `type(self).PREFIXED`, a second binding in its body).
    The call is said as only known at run time (both branches count), as for any value not
    known statically. Before, the first value was read: the route was logged without the
    `/items` prefix it is served under, and nothing was said. A change to another name keeps
    the constant."""
    code, passed, more = REBOUND_FLAGS[way]
    root = make_project(
        tmp_path / "project", 'instrument = { "api/v1/items.py" = "ai_block_used" }'
    )
    write_files(
        root / "backend/app",
        {
            "helpers.py": SUB_ROUTERS_PY,
            "flags.py": "PREFIXED = False\nOTHER = 0\n",
            "api/v1/__init__.py": "",
            "api/v1/items.py": ITEMS_PY,
            **more,
            "main.py": (
                "from fastapi import APIRouter, FastAPI\n\nfrom app import flags\n"
                "from app.api import v1\nfrom app.helpers import add_all_sub_routers\n\n"
                f"{code}\n\napi = APIRouter()\nadd_all_sub_routers(api, v1, {passed})\n\n"
                'app = FastAPI()\napp.include_router(api, prefix="/api/v1")\n'
            ),
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    logged = routes_by_handler(root / "backend/app/api/v1/items.py")["get_item"]
    if way == "another-name":
        assert logged == "/api/v1/{item_id}", out
        assert "only known at run time" not in out and "several paths" not in out, out
        served = "/api/v1/7"
    else:
        said = f"`{passed}`, passed for `if prefix:` at backend/app/helpers.py:17, is only known"
        assert said in out, out
        assert "is served under several paths ('/api/v1', '/api/v1/items')" in out, out
        assert logged == "/{item_id}", out
        served = "/api/v1/items/7"
    with imported_app(root / "backend") as app_module:
        client = TestClient(app_module.app)
        assert client.get(served).json() == {"id": 7}


#: Ways a package loads the plugin classes other distributions (or its own) name as entry points.
ENTRY_POINT_LOADS = {
    "importlib-metadata": (
        "from importlib.metadata import entry_points\n",
        'for entry_point in entry_points(group="app.plugins"):\n'
        "    entry_point.load()().setup(app)\n",
    ),
    "select": (
        "import importlib.metadata\n",
        'for entry_point in importlib.metadata.entry_points().select(group="app.plugins"):\n'
        "    plugin = entry_point.load()\n    plugin().setup(app)\n",
    ),
    "pkg-resources": (
        "import pkg_resources\n",
        'for entry_point in pkg_resources.iter_entry_points("app.plugins"):\n'
        "    entry_point.load()().setup(app)\n",
    ),
}


@pytest.mark.parametrize("loads", sorted(ENTRY_POINT_LOADS))
def test_a_class_only_an_entry_point_may_build_is_said_not_called_unused(
    tmp_path: Path, loads: str
) -> None:
    """`class Plugin: def setup(self, app): app.include_router(orders.router)` named nowhere in
    the code, while main loads entry-point plugins (`entry_points(group="app.plugins")`, then
    `.load()()`): the class may be built from packaging metadata the tool does not follow, so
    that is said in one line naming both places, and `orders.router` is not said to be included
    by no app. Before, the class was taken as never built, and its routes as served by nothing."""
    root = make_project(
        tmp_path / "project",
        'instrument = { "api/items.py" = "ai_block_used", "api/orders.py" = "ai_block_used" }',
    )
    (root / "backend/app/api/items.py").write_text(ITEMS_PY)
    (root / "backend/app/api/orders.py").write_text(ORDERS_PY)
    (root / "backend/app/plugins.py").write_text(PLUGIN_PY)
    imported, loop = ENTRY_POINT_LOADS[loads]
    (root / "backend/app/main.py").write_text(
        f"{imported}\nfrom fastapi import FastAPI\n\nfrom app.api import items\n\n"
        f'app = FastAPI()\napp.include_router(items.router, prefix="/api")\n{loop}'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    said = "backend/app/plugins.py:8: `Plugin` is built by no code of the package, and "
    assert out.count(said) == 1, out
    assert "loads entry-point plugins, which the tool cannot follow" in out, out
    assert "`router` of app.api.orders is included by no app" not in out, out
    assert (
        "`router` of app.api.orders is included by no `include_router` the tool can follow"
    ) in out, out
    assert routes_by_handler(root / "backend/app/api/items.py")["get_item"] == "/api/{item_id}"


#: Routers built by a `functools.partial` of `APIRouter` (a shape of public projects: a route
#: class given once for every router), and the path each one's `get_item` is served at.
PARTIAL_ROUTERS = {
    "imported-route-class": (
        "from functools import partial\n\nfrom fastapi import APIRouter\n"
        "from fastapi.routing import APIRoute\n\n"
        "create_router = partial(APIRouter, route_class=APIRoute)\n",
        "from app.routing import create_router\n\n"
        'router = create_router(prefix="/things", tags=["items"])\n',
        "/api/things/{item_id}",
    ),
    "prefix-in-partial": (
        "import functools\n\nfrom fastapi import APIRouter\n\n"
        'V1Router = functools.partial(APIRouter, prefix="/v1")\n',
        'from app.routing import V1Router\n\nrouter = V1Router(tags=["items"])\n',
        "/api/v1/{item_id}",
    ),
    "call-overrides": (
        "import functools\n\nfrom fastapi import APIRouter\n\n"
        'V1Router = functools.partial(APIRouter, prefix="/v1")\n',
        'from app.routing import V1Router\n\nrouter = V1Router(prefix="/v2")\n',
        "/api/v2/{item_id}",
    ),
}


@pytest.mark.parametrize("built", sorted(PARTIAL_ROUTERS))
def test_a_router_built_by_a_partial_of_api_router_is_a_router_with_its_prefix(
    tmp_path: Path, built: str
) -> None:
    """`create_router = partial(APIRouter, route_class=LoggingRoute)`, then `router =
    create_router(prefix="/things")`: a router, whose prefix is the call's, else the partial's
    (the call's own keywords win, as `functools.partial` passes them). Before, the module was
    refused: its routes were on an object the tool could not tell is a router."""
    routing, head, route = PARTIAL_ROUTERS[built]
    root = make_project(tmp_path / "project", PLAN)
    items = ITEMS_PY.replace(
        'from fastapi import APIRouter\n\nrouter = APIRouter(tags=["items"])\n', head
    )
    write_files(
        root / "backend/app",
        {
            "routing.py": routing,
            "api/items.py": items,
            "main.py": (
                "from fastapi import FastAPI\n\nfrom app.api import items\n\n"
                'app = FastAPI()\napp.include_router(items.router, prefix="/api")\n'
            ),
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert routes_by_handler(root / "backend/app/api/items.py")["get_item"] == route
    assert "cannot be told" not in result.stdout, result.stdout
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get(route.replace("{item_id}", "5")).json() == {"id": 5}


def test_a_helper_s_prefix_parameter_is_read_per_call_and_the_unknown_call_is_named(
    tmp_path: Path,
) -> None:
    """`def include(app, module, prefix): app.include_router(module.router, prefix=prefix)`
    called with a module constant, a settings field (its default, said) and a value only known
    at run time: the first two calls' routers are logged under their prefixes, and the line
    saying the third's is not known names that call, not only the helper's include; the line
    saying the settings default is read names the call passing it (it named the include)."""
    root = make_project(
        tmp_path / "project",
        'instrument = { "api/items.py" = "ai_block_used", "api/orders.py" = "ai_block_used" }',
    )
    write_files(
        root / "backend/app",
        {
            "api/items.py": ITEMS_PY,
            "api/orders.py": ORDERS_PY,
            "api/users.py": ITEMS_PY.replace("get_item", "get_user"),
            "config.py": (
                "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
                '    USERS_PREFIX: str = "/users"\n\n\nsettings = Settings()\n'
            ),
            "main.py": (
                "import random\nfrom types import ModuleType\n\nfrom fastapi import FastAPI\n\n"
                "from app.api import items, orders, users\nfrom app.config import settings\n\n"
                'ITEMS_PREFIX = "/items"\n\n\n'
                "def include(app: FastAPI, module: ModuleType, prefix: str) -> None:\n"
                "    app.include_router(module.router, prefix=prefix)\n\n\n"
                "app = FastAPI()\ninclude(app, items, ITEMS_PREFIX)\n"
                "include(app, users, settings.USERS_PREFIX)\n"
                'include(app, orders, random.choice(["/a", "/b"]))\n'
            ),
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    assert routes_by_handler(root / "backend/app/api/items.py")["get_item"] == "/items/{item_id}"
    assert (
        routes_by_handler(root / "backend/app/api/orders.py")["get_order"] == "/orders/{order_id}"
    )
    assert (
        "backend/app/main.py:13: include prefix `prefix` is only known at run time for the call "
        "passing `random.choice(['/a', '/b'])` (backend/app/main.py:19): the routes of "
        "`module.router` are logged without it"
    ) in out, out
    # The settings default is said at the call passing it, where it is written.
    assert (
        "backend/app/main.py:18: prefix `settings.USERS_PREFIX` read as '/users', its default in "
        "backend/app/config.py:5"
    ) in out, out
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/items/7").json() == {"id": 7}
        assert client.get("/users/7").json() == {"id": 7}


#: Includes whose prefix is made of an imported module's `__name__`.
MODULE_NAME_PREFIXES = {
    "loop-split": (
        "for module in [items, users]:\n"
        "    app.include_router(module.router, prefix=f\"/{module.__name__.split('.')[-1]}\")\n"
    ),
    "tuple-rsplit": (
        "MODULES = (items, users)\nfor m in MODULES:\n"
        "    app.include_router(m.router, prefix='/' + m.__name__.rsplit('.', 1)[-1])\n"
    ),
    "helper-rpartition": (
        "def include(module: ModuleType) -> None:\n"
        "    app.include_router(module.router, prefix=f\"/{module.__name__.rpartition('.')[2]}\")"
        "\n\n\ninclude(items)\ninclude(users)\n"
    ),
    "direct-replace": (
        "app.include_router(items.router, prefix='/' + items.__name__.replace('app.api.', ''))\n"
        "app.include_router(users.router, prefix='/' + users.__name__.split('.')[2])\n"
    ),
}


@pytest.mark.parametrize("include", sorted(MODULE_NAME_PREFIXES))
def test_a_prefix_made_of_an_imported_module_s_name_is_that_name(
    tmp_path: Path, include: str
) -> None:
    """`for module in [items, users]: app.include_router(module.router,
    prefix=f"/{module.__name__.split('.')[-1]}")`: the module's dotted name is known where it
    is imported (`app.api.items`), and so is the part `split`, `rsplit`, `rpartition` or
    `replace` makes of it: each router is logged under its module's name, as served. Before,
    the prefix was said to be only known at run time and the routes logged without it."""
    _assert_items_and_users_served(
        tmp_path,
        (
            "from types import ModuleType\n\nfrom fastapi import FastAPI\n\n"
            "from app.api import items, users\n\napp = FastAPI()\n\n\n"
            f"{MODULE_NAME_PREFIXES[include]}"
        ),
        not_said="run time",
    )


def test_a_part_of_a_module_s_name_past_its_end_is_said(tmp_path: Path) -> None:
    """`module.__name__.split('.')[5]` of `app.api.items`: no such part (Python raises), so
    the prefix is said to be only known at run time, never guessed."""
    root = make_project(tmp_path / "project", 'instrument = { "api/items.py" = "ai_block_used" }')
    write_files(
        root / "backend/app",
        {
            "api/items.py": ITEMS_PY,
            "main.py": (
                "from fastapi import FastAPI\n\nfrom app.api import items\n\napp = FastAPI()\n"
                "app.include_router(items.router, prefix='/' + items.__name__.split('.')[5])\n"
            ),
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    assert "backend/app/main.py:6: include prefix" in out and "is only known at run time" in out
    assert routes_by_handler(root / "backend/app/api/items.py")["get_item"] == "/{item_id}"


#: A dataclass of a router and its prefix whose method includes it, called per instance.
RECORD_INCLUDES = {
    "loop": (
        "ROUTERS = [\n    RouterConfig(items.router, '/items'),\n"
        "    RouterConfig(users.router, prefix='/users'),\n]\n"
        "for config in ROUTERS:\n    config.include(app)\n"
    ),
    "direct": (
        "RouterConfig(items.router, '/items').include(app)\n"
        "users_config = RouterConfig(users.router, prefix='/users')\nusers_config.include(app)\n"
    ),
}
RECORD_CLASS = (
    "@dataclass\nclass RouterConfig:\n    router: APIRouter\n    prefix: str\n\n"
    "    def include(self, app: FastAPI) -> None:\n"
    "        app.include_router(self.router, prefix=self.prefix)\n"
)


@pytest.mark.parametrize("calls", sorted(RECORD_INCLUDES))
def test_a_record_class_s_method_including_its_router_is_read_per_instance(
    tmp_path: Path, calls: str
) -> None:
    """`@dataclass class RouterConfig: router; prefix; def include(self, app):
    app.include_router(self.router, prefix=self.prefix)`, called on each of
    `[RouterConfig(items.router, "/items"), RouterConfig(users.router, prefix="/users")]` in a
    loop (or on each instance built): `self` is each instance in turn, its fields the arguments
    its construction passes; each router is logged under its own prefix. Before, the routers
    were said to be included by no `include_router` the tool follows, logged without it."""
    _assert_items_and_users_served(
        tmp_path,
        (
            "from dataclasses import dataclass\n\nfrom fastapi import APIRouter, FastAPI\n\n"
            "from app.api import items, users\n\n\n"
            f"{RECORD_CLASS}\n\napp = FastAPI()\n{RECORD_INCLUDES[calls]}"
        ),
        not_said="no `include_router`",
    )


@pytest.mark.parametrize(
    ("method", "before"),
    [
        (
            "\n    def versioned(self) -> None:\n        self.prefix = '/v2' + self.prefix\n",
            "config.versioned()\n",
        ),
        ("", "config.prefix = '/v2'\n"),
    ],
    ids=["in-a-method", "where-built"],
)
def test_a_record_field_changed_is_not_read_as_its_construction(
    tmp_path: Path, method: str, before: str
) -> None:
    """`def versioned(self): self.prefix = "/v2" + self.prefix` beside `include`, or
    `config.prefix = "/v2"` after it is built: the field the construction passes may not be
    what `include` reads, so no prefix is taken from it."""
    root = make_project(tmp_path / "project", 'instrument = { "api/items.py" = "ai_block_used" }')
    write_files(
        root / "backend/app",
        {
            "api/items.py": ITEMS_PY,
            "main.py": (
                "from dataclasses import dataclass\n\nfrom fastapi import APIRouter, FastAPI\n\n"
                "from app.api import items\n\n\n"
                f"{RECORD_CLASS}{method}\n\napp = FastAPI()\n"
                f"config = RouterConfig(items.router, '/items')\n{before}config.include(app)\n"
            ),
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert routes_by_handler(root / "backend/app/api/items.py")["get_item"] != "/items/{item_id}"


def _assert_items_and_users_served(tmp_path: Path, main: str, not_said: str) -> None:
    """Generate a project whose ``main.py`` (``main``) serves `api/items.py`'s and
    `api/users.py`'s routers under `/items` and `/users`: both logged and served so, and the
    report says nothing of ``not_said``."""
    root = make_project(
        tmp_path / "project",
        'instrument = { "api/items.py" = "ai_block_used", "api/users.py" = "ai_block_used" }',
    )
    write_files(
        root / "backend/app",
        {
            "api/items.py": ITEMS_PY,
            "api/users.py": ITEMS_PY.replace("get_item", "get_user"),
            "main.py": main,
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert not_said not in result.stdout, result.stdout
    api = root / "backend/app/api"
    assert routes_by_handler(api / "items.py")["get_item"] == "/items/{item_id}"
    assert routes_by_handler(api / "users.py")["get_user"] == "/users/{item_id}"
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/items/7").json() == {"id": 7}
        assert client.get("/users/8").json() == {"id": 8}


def test_a_class_constant_annotated_before_its_value_is_read(tmp_path: Path) -> None:
    """`PREFIX: ClassVar[str]` then `PREFIX = "/items"` in a class body: the annotation binds
    nothing, so the one assignment is the constant and `APIRouter(prefix=Cfg.PREFIX)` is read
    as `/items`. Before, the bare annotation counted as a second binding and the prefix was
    said to be known only at run time."""
    root = _project(
        tmp_path,
        "from fastapi import FastAPI\n\nfrom app.api.items import router\n\n"
        "app = FastAPI()\napp.include_router(router)\n",
    )
    (root / "backend/app/api/items.py").write_text(
        "from typing import ClassVar\n\nfrom fastapi import APIRouter\n\n\nclass Cfg:\n"
        '    PREFIX: ClassVar[str]\n    PREFIX = "/items"\n\n\n'
        "router = APIRouter(prefix=Cfg.PREFIX)\n\n\n"
        '@router.get("/{item_id}")\nasync def get_item(item_id: int) -> dict[str, int]:\n'
        '    return {"id": item_id}\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "run time" not in " ".join(result.stdout.split()), result.stdout
    assert _logged_routes(root / "backend/app/api/items.py") == ["'/items/{item_id}'"]


SIDE_ROUTES = """from fastapi import APIRouter, FastAPI

router = APIRouter()


@router.get("/items")
async def list_items() -> list[str]:
    return []


@router.post("/items")
async def add_item() -> dict[str, str]:
    return {}


side = FastAPI()
side.include_router(router)


@side.get("/health")
async def health() -> str:
    return "ok"
"""

SIDE_MAIN = """from fastapi import FastAPI

from app.routes import router

app = FastAPI()
app.include_router(router, prefix="/api")
"""


def test_a_side_app_never_served_is_no_path_of_its_router_and_init_counts_what_is_logged(
    tmp_path: Path,
) -> None:
    """`side = FastAPI(); side.include_router(router)` beside the router, the entry app
    including it under `/api`: `side` is not served (not the entry app, not mounted into it),
    so the router has one path, `/api`, not "several paths"; and the count init offers the
    module with is the number of handlers generate logs (the side app's own route too)."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "p"\nversion = "0"\n',
            "app/__init__.py": "",
            "app/main.py": SIDE_MAIN,
            "app/routes.py": SIDE_ROUTES,
        },
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    project = (root / "pyproject.toml").read_text()
    (offered,) = re.findall(r'^# ("routes\.py" = "\w+")  # (\d+) route handlers$', project, re.M)
    (root / "pyproject.toml").write_text(project.replace(f"# {offered[0]}", offered[0]))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "several paths" not in result.stdout
    logged = routes_by_handler(root / "app/routes.py")
    assert logged == {"list_items": "/api/items", "add_item": "/api/items", "health": "/health"}
    assert int(offered[1]) == len(logged)


def test_a_side_app_a_server_line_names_is_served_and_a_path_of_its_router(
    tmp_path: Path,
) -> None:
    """`side: uvicorn app.routes:side` in the Procfile beside the entry app's process: the side
    app is served on its own port, so the router it includes answers under `''` there and under
    `/api` on the entry app: "several paths", and its own route is no "never served" one."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "p"\nversion = "0"\n\n'
            '[tool.telemetry-scaffold]\nbackend = "."\napp-package = "app"\n'
            'app = "app.main:app"\n\n[tool.telemetry-scaffold.instrument]\n'
            '"routes.py" = "ai_block_used"\n',
            "Procfile": "web: uvicorn app.main:app\nside: uvicorn app.routes:side --port 8001\n",
            "app/__init__.py": "",
            "app/main.py": SIDE_MAIN,
            "app/routes.py": SIDE_ROUTES,
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = " ".join(result.stdout.split())
    assert "`router` of app.routes is served under several paths ('', '/api')" in text
    assert "is not the app served" not in text


SIDE_FACTORY = """

def create_side() -> FastAPI:
    return side
"""


@pytest.mark.parametrize(
    ("files", "main"),
    [
        pytest.param(
            {"Procfile": "web: uvicorn app.main:app\nside: cd app && uvicorn routes:side\n"},
            SIDE_MAIN,
            id="served from the package's folder",
        ),
        pytest.param(
            {
                "Procfile": "web: uvicorn app.main:app\n"
                "side: (cd app && alembic upgrade head) && uvicorn app.routes:side --port 8001\n"
            },
            SIDE_MAIN,
            id="after a subshell's cd",
        ),
        pytest.param(
            {"Procfile": "web: uvicorn app.main:app\nside: gosu app uvicorn app.routes:side\n"},
            SIDE_MAIN,
            id="run as another user",
        ),
        pytest.param(
            {"Procfile": "web: uvicorn app.main:app\nside: uvicorn app.main:side --port 8001\n"},
            SIDE_MAIN.replace("import router", "import router, side"),
            id="re-exported by the entry module",
        ),
        pytest.param(
            {
                "Procfile": "web: uvicorn app.main:app\n"
                "side: uvicorn --factory app.routes:create_side\n"
            },
            SIDE_MAIN,
            id="a factory returning it",
        ),
        pytest.param(
            {"Procfile": "web: uvicorn app.main:app\nside: fastapi run app/routes.py --app side\n"},
            SIDE_MAIN,
            id="the FastAPI CLI naming it",
        ),
        pytest.param(
            {
                "Procfile": "web: uvicorn app.main:app\n",
                "Dockerfile": "FROM python:3.12\nCOPY . /srv\nWORKDIR /srv\n"
                'CMD ["uvicorn", "app.routes:side", "--port", "8001"]\n',
            },
            SIDE_MAIN,
            id="a Dockerfile's CMD",
        ),
    ],
)
def test_a_side_app_a_server_line_names_in_any_spelling_serves_its_router(
    tmp_path: Path, files: dict[str, str], main: str
) -> None:
    """However a run file's line names the side app (from its own folder, through a module
    re-exporting it, by a factory returning it, with the FastAPI CLI, in a Dockerfile), the
    router it includes is "served under several paths", as when named as written."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "p"\nversion = "0"\n\n'
            '[tool.telemetry-scaffold]\nbackend = "."\napp-package = "app"\n'
            'app = "app.main:app"\n\n[tool.telemetry-scaffold.instrument]\n'
            '"routes.py" = "ai_block_used"\n',
            "app/__init__.py": "",
            "app/main.py": main,
            "app/routes.py": SIDE_ROUTES + SIDE_FACTORY,
            **files,
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    text = " ".join(result.stdout.split())
    assert "`router` of app.routes is served under several paths ('', '/api')" in text
    assert "is not the app served" not in text


def test_an_app_no_line_serves_is_not_invented_from_a_name_alike(tmp_path: Path) -> None:
    """A line serving `main:side` where `side` is no app (a string) and a factory returning no
    app of the package name no side app: the router keeps its one path."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "p"\nversion = "0"\n\n'
            '[tool.telemetry-scaffold]\nbackend = "."\napp-package = "app"\n'
            'app = "app.main:app"\n\n[tool.telemetry-scaffold.instrument]\n'
            '"routes.py" = "ai_block_used"\n',
            "Procfile": "web: uvicorn app.main:app\nside: uvicorn app.main:side\n"
            "other: uvicorn --factory app.main:create_other\n"
            # A subshell's `cd` moves nothing after it: `routes:side` is no module's here.
            "third: (cd app) && uvicorn routes:side\nfourth: cd app & uvicorn routes:side\n",
            "app/__init__.py": "",
            "app/main.py": SIDE_MAIN + '\nside = "side"\n\n\ndef create_other() -> FastAPI:\n'
            "    return FastAPI()\n",
            "app/routes.py": SIDE_ROUTES,
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "several paths" not in result.stdout


def test_a_served_module_whose_routes_a_catch_all_hides_is_offered_not_said_unincluded(
    tmp_path: Path,
) -> None:
    """`/{path:path}` of a router included first hides every route of `saving.py`, included
    after it: generate logs none of them, but the app includes the module, so init offers it
    saying why none is logged, not "no app includes"."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "p"\nversion = "0"\n',
            "app/__init__.py": "",
            "app/default.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            '@router.get("/{path_name:path}")\nasync def catch_all(path_name: str) -> str:\n'
            "    return path_name\n",
            "app/saving.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            '@router.get("/trips")\nasync def trips() -> list[str]:\n    return []\n',
            "app/main.py": "from fastapi import FastAPI\n\nfrom app import default, saving\n\n"
            "app = FastAPI()\napp.include_router(default.router)\n"
            "app.include_router(saving.router)\n",
        },
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    project = " ".join((root / "pyproject.toml").read_text().split())
    assert '# "saving.py" = "' in project, project
    assert "no handler generate logs" in project, project
    assert "no app includes" not in project, project
