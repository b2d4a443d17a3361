"""Routers an app includes in a loop over a data file of the project (YAML, JSON, TOML)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.backend_support import imported_app
from tests.cli_support import run, write_files
from tests.route_support import routes_by_handler

ITEMS = (
    'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/{item_id}")\n'
    "async def read_item(item_id: int) -> int:\n    return item_id\n"
)

#: The loop, at module level over a file the backend folder holds (YAML read from its text).
MODULE_LEVEL = """from importlib import import_module
from pathlib import Path

import yaml
from fastapi import FastAPI

app = FastAPI()
config = yaml.safe_load(Path("routers.yaml").read_text())
for entry in config["routers"]:
    module = import_module(entry["module"])
    app.include_router(module.router, prefix=entry["prefix"])
"""

#: In an app factory, the file opened beside the module (`__file__`), as JSON.
FACTORY = """import importlib
import json
import os

from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI()
    with open(os.path.join(os.path.dirname(__file__), "routers.json")) as stream:
        routers = json.load(stream)
    for entry in routers:
        app.include_router(importlib.import_module(entry["module"]).router, prefix=entry["prefix"])
    return app


app = create_app()
"""

#: TOML, a table per router, read through `.items()`.
TABLES = """import importlib
import tomllib
from pathlib import Path

from fastapi import FastAPI

app = FastAPI()
with (Path(__file__).parent / "routers.toml").open("rb") as stream:
    config = tomllib.load(stream)
for name, entry in config["routers"].items():
    app.include_router(importlib.import_module(f"app.api.{name}").router, prefix=entry["prefix"])
"""

SHAPES = {
    "yaml-module-level": (
        MODULE_LEVEL,
        "routers.yaml",
        "# served routers\nrouters:\n  - module: app.api.items  # the shop's\n"
        '    prefix: "/v1/items"\n  - module: app.api.users\n    prefix: /v1/users\n',
    ),
    "json-factory": (
        FACTORY,
        "app/routers.json",
        '[{"module": "app.api.items", "prefix": "/v1/items"},'
        ' {"module": "app.api.users", "prefix": "/v1/users"}]\n',
    ),
    "toml-tables": (
        TABLES,
        "app/routers.toml",
        '[routers.items]\nprefix = "/v1/items"\n\n[routers.users]\nprefix = "/v1/users"\n',
    ),
}


def _generated(root: Path, main: str, files: dict[str, str]) -> str:
    """Generate with app/api/items.py instrumented; the output of `generate`."""
    write_files(
        root,
        {
            "requirements.txt": "fastapi\npyyaml\n",
            "app/__init__.py": "",
            "app/main.py": main,
            "app/api/__init__.py": "",
            "app/api/items.py": ITEMS,
            "app/api/users.py": ITEMS.replace("read_item", "read_user"),
            **files,
        },
    )
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace('# "api/items.py"', '"api/items.py"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    return generated.stdout


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_routers_a_loop_reads_from_a_data_file_get_its_prefixes(
    tmp_path: Path, shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The routers and prefixes a loop reads from a YAML, JSON or TOML file of the project
    (a literal path, from the backend folder or beside the module) are read from the file,
    as a literal list in the code is: each route is logged under the prefix it is served
    under. Before, the routes were logged without their prefixes and the loop said."""
    root = tmp_path / "project"
    main, name, data = SHAPES[shape]
    said = _generated(root, main, {name: data})
    assert "log call in read_item (GET /v1/items/{item_id})" in said, said
    assert "run time" not in said, said
    assert routes_by_handler(root / "app/api/items.py") == {"read_item": "/v1/items/{item_id}"}
    monkeypatch.chdir(root)  # where the app starts: a relative path is read from there
    with imported_app(root) as served:
        client = TestClient(served.app)
        assert client.get("/v1/items/3").json() == 3
        assert client.get("/v1/users/4").json() == 4
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


#: A YAML "billion laughs": nine levels of aliases, each nine times the one before (a few
#: hundred bytes that PyYAML reads as shared objects, a tree of 387 M values written out).
LAUGHS = (
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + level)}: &{chr(98 + level)} [{', '.join(['*' + chr(97 + level)] * 9)}]\n"
        for level in range(8)
    )
    + "routers: [*i]\n"
)


@pytest.mark.parametrize(
    "data",
    [
        None,  # no such file: it is read at run time
        "routers: [\n  - module: app.api.items\n",  # does not parse
        "routers:\n  - module: app.api.items\n    prefix: 2024-01-01\n",  # a date: no literal
        "routers: !!python/object:os.system ls\n",  # a tag safe_load refuses
        LAUGHS,
    ],
    ids=["absent", "not-yaml", "a-date", "unsafe-tag", "billion-laughs"],
)
def test_routers_from_a_data_file_not_read_are_still_said(tmp_path: Path, data: str | None) -> None:
    """A file absent from the project, not YAML, holding a value no literal writes, a tag
    PyYAML's safe loader refuses, or aliases that expand to a huge tree: the loop's routers are
    still said to be only known at run time, not logged under a guessed path."""
    root = tmp_path / "project"
    said = _generated(root, MODULE_LEVEL, {} if data is None else {"routers.yaml": data})
    assert "the routers this loop includes are only known at run time" in said, said
    assert "log call in read_item (GET /{item_id})" in said, said


def test_yaml_anchors_and_aliases_are_read_as_pyyaml_reads_them(tmp_path: Path) -> None:
    """YAML is read by PyYAML's safe loader: a router's entry shared through an anchor and a
    merge key (`<<: *defaults`) gives each router its prefix."""
    root = tmp_path / "project"
    data = (
        "defaults: &defaults\n  module: app.api.items\n"
        "routers:\n  - <<: *defaults\n    prefix: /v1/items\n"
        "  - module: app.api.users\n    prefix: '/v1/users'  # quoted\n"
    )
    said = _generated(root, MODULE_LEVEL, {"routers.yaml": data})
    assert "log call in read_item (GET /v1/items/{item_id})" in said, said
    assert "run time" not in said, said


def test_a_data_file_nested_too_deep_is_not_read(tmp_path: Path) -> None:
    """A JSON file nested deeper than Python's recursion allows: not read, the loop said (no
    traceback)."""
    root = tmp_path / "project"
    main, name, _ = SHAPES["json-factory"]
    said = _generated(root, main, {name: "[" * 100_000 + "]" * 100_000})
    assert "only known at run time" in said, said
