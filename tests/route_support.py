"""Helpers for the tests of logged routes: a module's router included, the route each call logs."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.cli_support import make_project


def include_in_main(root: Path, module: str) -> None:
    """Have the app of a :func:`~tests.cli_support.make_project` include ``app.api.<module>``."""
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text().replace(
            "from app.api import ai_blocks", f"from app.api import ai_blocks, {module}"
        )
        + f"app.include_router({module}.router)\n"
    )


def versioned_project(tmp_path: Path, main: str, module: str, text: str) -> Path:
    """A project whose ``app/api/<module>.py`` holds ``text`` and ``app/main.py`` ``main``.

    The plan instruments the API module, and main.py too when it declares a route (``@app.get``).
    """
    modules = f'"api/{module}.py" = "ai_block_used"'
    if "@app.get" in main:
        modules += ', "main.py" = "ai_block_used"'
    root = make_project(tmp_path / "project", f"instrument = {{ {modules} }}")
    (root / f"backend/app/api/{module}.py").write_text(text)
    (root / "backend/app/main.py").write_text(main)
    return root


def routes_by_handler(path: Path) -> dict[str, str]:
    """The ``route`` the log call opening each async handler of a module logs, by handler."""
    routes: dict[str, str] = {}
    for function in ast.parse(path.read_text()).body:
        if not isinstance(function, ast.AsyncFunctionDef):
            continue
        call = function.body[0]
        assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
        payload = call.value.args[1]
        assert isinstance(payload, ast.Dict)
        values = dict(zip(payload.keys, payload.values, strict=True))
        (route,) = (
            v for k, v in values.items() if isinstance(k, ast.Constant) and k.value == "route"
        )
        routes[function.name] = ast.literal_eval(route)
    return routes


def line_of(lines: list[str], text: str) -> int:
    """The index of the first of ``lines`` holding ``text``."""
    return next(number for number, line in enumerate(lines) if text in line)
