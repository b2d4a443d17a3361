"""Reading back what the patched route modules log: the ``route`` of each handler."""

from __future__ import annotations

import ast
from pathlib import Path


def logged_routes(path: Path) -> dict[str, str]:
    """The ``route`` each handler of a patched module logs, by handler."""
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
