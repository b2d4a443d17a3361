"""Modules that import their own package two ways (package module and script) get imports so too.

`try: from .x import y` / `except ImportError: from x import y` lets a module run both as
`app.server` and as `python server.py` from its folder; an import added without the fallback
would break the second way.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from telemetry_cli.patching import (
    PatchResult,
    instrument_source,
    uninstrument_source,
    unwire_source,
    wire_source,
)
from tests.cli_support import make_project, run

SERVER = """\
import os

from fastapi import FastAPI

try:
    from .shop.orders import orders_router
except {caught}:
    from {fallback}.orders import orders_router

server = FastAPI()
server.include_router(orders_router)
"""


def _wire(source: str, *, capture_errors: bool = True) -> PatchResult:
    return wire_source(
        source,
        module_name="app.server",
        analytics_package="app.analytics",
        capture_errors=capture_errors,
    )


def _unwire(source: str, **what: bool) -> PatchResult:
    return unwire_source(
        source, module_name="app.server", analytics_package="app.analytics", **what
    )


@pytest.mark.parametrize(
    ("caught", "fallback", "spelled"),
    [
        ("ImportError", "shop", "analytics"),
        ("ModuleNotFoundError", "shop", "analytics"),
        ("(ImportError, ModuleNotFoundError)", "shop", "analytics"),
        # The fallback is the absolute name: the module also runs from the backend folder.
        ("ImportError", "app.shop", "app.analytics"),
    ],
    ids=["import-error", "module-not-found", "both", "absolute-fallback"],
)
def test_new_imports_get_the_modules_fallback(caught: str, fallback: str, spelled: str) -> None:
    source = SERVER.format(caught=caught, fallback=fallback)

    wired = _wire(source)

    block = (
        "\ntry:\n"
        "    from .analytics.error_capture import install_error_capture\n"
        "    from .analytics.telemetry_router import router as telemetry_router\n"
        f"except {caught}:\n"
        f"    from {spelled}.error_capture import install_error_capture\n"
        f"    from {spelled}.telemetry_router import router as telemetry_router\n"
    )
    assert f"    from {fallback}.orders import orders_router\n{block}\nserver = " in wired.source
    assert wired.source.count("from .analytics") == 2  # nowhere else
    assert _wire(wired.source) == PatchResult(wired.source)
    removed = _unwire(wired.source)
    assert removed.problems == ()
    assert removed.source == source


def test_turning_error_capture_off_and_on_keeps_one_block() -> None:
    source = SERVER.format(caught="ImportError", fallback="shop")
    with_capture = _wire(source).source
    without_capture = _wire(source, capture_errors=False).source

    assert _unwire(with_capture, router=False).source == without_capture
    assert _wire(without_capture).source == with_capture


def test_an_absolute_import_with_a_bare_fallback() -> None:
    source = (
        "from fastapi import FastAPI\n\ntry:\n    from app.shop.orders import orders_router\n"
        "except ImportError:\n    from shop.orders import orders_router\n\napp = FastAPI()\n"
    )
    wired = _wire(source, capture_errors=False).source
    assert (
        "\n\ntry:\n    from app.analytics.telemetry_router import router as telemetry_router\n"
        "except ImportError:\n"
        "    from analytics.telemetry_router import router as telemetry_router\n\napp = FastAPI()\n"
    ) in wired
    assert _unwire(wired).source == source


def test_a_top_level_module_whose_fallback_is_the_same_name_keeps_the_plain_import() -> None:
    # `main` at the top of the backend folder: `.routes` and `routes` are one name, and so are
    # the layer's two spellings.
    source = (
        "from fastapi import FastAPI\n\ntry:\n    from .routes import r\n"
        "except ImportError:\n    from routes import r\n\napp = FastAPI()\n"
    )
    wired = wire_source(
        source, module_name="main", analytics_package="analytics", capture_errors=False
    ).source
    assert wired.count("try:") == 1
    assert "\nfrom analytics.telemetry_router import router as telemetry_router\n" in wired


def test_a_block_written_on_the_try_lines_gets_one_laid_out_as_ruff_would() -> None:
    source = (
        "from fastapi import FastAPI\n\ntry: from .v1 import routes\n"
        "except ImportError: from v1 import routes\n\napp = FastAPI()\n"
    )
    wired = _wire(source, capture_errors=False).source
    assert (
        "except ImportError: from v1 import routes\n\ntry:\n"
        "    from .analytics.telemetry_router import router as telemetry_router\n"
    ) in wired
    assert _wire(wired, capture_errors=False) == PatchResult(wired)
    assert _unwire(wired).source == source


def test_a_long_import_is_wrapped_inside_the_block() -> None:
    source = SERVER.format(caught="ImportError", fallback="shop")
    package = "app." + "a_rather_long_layer_package_name_" * 2 + "x"
    wired = wire_source(
        source, module_name="app.server", analytics_package=package, capture_errors=False
    ).source
    relative = package.removeprefix("app")
    assert (
        f"try:\n    from {relative}.telemetry_router import (\n"
        "        router as telemetry_router,\n    )\nexcept ImportError:\n"
    ) in wired
    ast.parse(wired)


@pytest.mark.parametrize(
    "guarded",
    [
        # Libraries with a fallback: not the module's own package.
        "try:\n    from backports.zoneinfo import ZoneInfo\n"
        "except ImportError:\n    from zoneinfo import ZoneInfo\n",
        "try:\n    from .shop.orders import orders_router\nexcept ImportError:\n"
        "    orders_router = None\n",
        "try:\n    from .shop.orders import orders_router\nexcept Exception:\n"
        "    from shop.orders import orders_router\n",
    ],
    ids=["library", "no-fallback-import", "other-exception"],
)
def test_other_guarded_imports_leave_the_plain_import(guarded: str) -> None:
    source = (
        f"from fastapi import FastAPI\n\nfrom .shop import orders\n\n{guarded}\napp = FastAPI()\n"
    )

    wired = _wire(source, capture_errors=False).source

    assert "\nfrom .analytics.telemetry_router import router as telemetry_router\n" in wired
    assert wired.count("try:") == 1


def test_the_layer_outside_the_fallbacks_reach_keeps_the_plain_import() -> None:
    # `except ImportError: from shop.orders ...` drops `app.`: a layer in `platform` has no
    # fallback spelling, so the import is written as the module's other imports are.
    source = SERVER.format(caught="ImportError", fallback="shop")
    wired = wire_source(
        source,
        module_name="app.server",
        analytics_package="platform.analytics",
        capture_errors=False,
    ).source
    assert "\nfrom platform.analytics.telemetry_router import router as telemetry_router\n" in wired
    assert wired.count("try:") == 1


ROUTES = '''\
"""Orders."""

from fastapi import APIRouter

try:
    from ..db import session
except ImportError:
    from db import session

router = APIRouter(prefix="/orders")


@router.get("/{order_id}")
def read_order(order_id: int) -> dict[str, int]:
    return {"id": order_id}
'''


def test_an_instrumented_module_imports_the_logger_both_ways() -> None:
    patched = instrument_source(
        ROUTES,
        module_name="app.shop.orders",
        analytics_package="app.analytics",
        event_type="order_viewed",
    ).source

    assert (
        "    from db import session\n\ntry:\n"
        "    from ..analytics.event_logger import event_logger\n"
        "except ImportError:\n"
        "    from analytics.event_logger import event_logger\n\nrouter = "
    ) in patched
    again = instrument_source(
        patched,
        module_name="app.shop.orders",
        analytics_package="app.analytics",
        event_type="order_viewed",
    )
    assert again == PatchResult(patched)
    removed = uninstrument_source(
        patched,
        module_name="app.shop.orders",
        analytics_package="app.analytics",
        event_types=frozenset({"order_viewed"}),
    )
    assert removed.source == ROUTES


def test_generate_check_and_remove_on_a_dual_mode_project(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", 'instrument = {"api/ai_blocks.py" = "ai_block_used"}')
    package = root / "backend" / "app"
    (package / "deps.py").write_text("LIMIT = 3\n")
    main, blocks = package / "main.py", package / "api" / "ai_blocks.py"
    both_ways = (
        "try:\n    from {dots}{name} import {what}\n"
        "except ImportError:\n    from {name} import {what}\n"
    )
    main.write_text(
        main.read_text().replace(
            "from app.api import ai_blocks\n",
            both_ways.format(dots=".", name="api", what="ai_blocks"),
        )
    )
    blocks.write_text(
        blocks.read_text().replace(
            "from pydantic import BaseModel\n",
            "from pydantic import BaseModel\n\n"
            + both_ways.format(dots="..", name="deps", what="LIMIT"),
        )
    )
    originals = {path: path.read_text() for path in (main, blocks)}

    assert run("generate", "--root", str(root)).exit_code == 0
    wired = main.read_text()
    assert "\n    from analytics.telemetry_router import router as telemetry_router\n" in wired
    assert "\n    from analytics.event_logger import event_logger\n" in blocks.read_text()
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    # Both ways still run: as the package's module, and as a script from its folder.
    for folder, module in ((package.parent, "app.main"), (package, "main")):
        imported = subprocess.run(
            [sys.executable, "-c", f"import {module} as m; print(len(m.app.routes))"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        assert imported.returncode == 0, imported.stderr
    assert run("remove", "--root", str(root)).exit_code == 0
    assert {path: path.read_text() for path in originals} == originals
