"""Import a backend's `app` package in isolation (tests only).

Every backend here names its package `app`; tests import several of them (the bundled one,
generated copies under tmp_path), so each import sets the others' modules aside and restores
them afterwards.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType


def _is_app_module(name: str) -> bool:
    return name == "app" or name.startswith("app.")


@contextmanager
def imported_app(backend_dir: Path, module: str = "app.main") -> Iterator[ModuleType]:
    """Import ``module`` from ``backend_dir``; undo the import (and sys.path) on exit."""
    foreign = {name: mod for name, mod in sys.modules.items() if _is_app_module(name)}
    for name in foreign:
        del sys.modules[name]
    sys.path.insert(0, str(backend_dir))
    try:
        imported = importlib.import_module(module)
        assert Path(imported.__file__ or "").resolve().is_relative_to(backend_dir.resolve())
        yield imported
    finally:
        sys.path.remove(str(backend_dir))
        for name in [name for name in sys.modules if _is_app_module(name)]:
            del sys.modules[name]
        sys.modules.update(foreign)
