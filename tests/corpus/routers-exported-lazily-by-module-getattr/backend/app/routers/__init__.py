"""The routers, imported on first use so that workers need not import their modules."""

import importlib
from typing import Any

_LAZY: dict[str, tuple[str, str] | str] = {
    "items_router": (".items", "router"),
    "accounts_router": ".accounts",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    spec = _LAZY[name]
    module_name, attribute = spec if isinstance(spec, tuple) else (spec, name)
    value = getattr(importlib.import_module(module_name, __name__), attribute)
    globals()[name] = value
    return value
