"""Render the generated analytics layer into a temporary tree and import it (layer tests only)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import FastAPI

from telemetry_cli.plan import Plan
from telemetry_cli.render import GENERATED_PRAGMAS, render_outputs

REPO_ROOT = Path(__file__).resolve().parent.parent

# The plans every HTTP and contract test runs against: the defaults, and one that changes
# everything a template renders from (prefix, event types).
PLAN_OPTIONS: dict[str, dict[str, Any]] = {
    "default": {},
    "v2-events": {
        "api_prefix": "/v2/events",
        "event_types": ("page_view", "signup_completed", "error_event"),
    },
}


def make_plan(root: Path, **options: Any) -> Plan:
    return Plan(root=root, config_file=root / "pyproject.toml", **options)


def render_tree(root: Path, plan: Plan) -> None:
    """Write every rendered file under ``root``, plus the app package marker."""
    for rendered in render_outputs(plan):
        target = root / rendered.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(rendered.content, encoding="utf-8", newline="\n")
    app_init = root / plan.app_dir / "__init__.py"
    if not app_init.exists():
        app_init.write_text('"""The host application package."""\n', encoding="utf-8")


@dataclass
class Layer:
    """The imported generated package of one rendered tree."""

    plan: Plan
    root: Path
    event_logger: ModuleType
    redaction: ModuleType
    models: ModuleType
    router: ModuleType
    error_capture: ModuleType
    contract_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.contract_path = self.root / self.plan.feature_dir / "contracts" / "telemetry-api.yaml"

    @property
    def prefix(self) -> str:
        return self.plan.api_prefix

    def app(self, logger: Any | None = None) -> FastAPI:
        """A FastAPI app with the telemetry router, its logger dependency optionally overridden."""
        application = FastAPI()
        application.include_router(self.router.router)
        if logger is not None:
            application.dependency_overrides[self.router.event_logger_dependency] = lambda: logger
        return application


def _is_app_module(name: str) -> bool:
    return name == "app" or name.startswith("app.")


@contextmanager
def imported_layer(root: Path, plan: Plan) -> Iterator[Layer]:
    """Import the rendered ``app.analytics`` from ``root``; restore ``sys.modules`` afterwards."""
    # Other tests import a different `app` (the bundled backend): set those modules aside.
    foreign = {name: module for name, module in sys.modules.items() if _is_app_module(name)}
    for name in foreign:
        del sys.modules[name]
    backend = str(root / plan.backend)
    sys.path.insert(0, backend)
    try:
        package = plan.analytics_package
        layer = Layer(
            plan=plan,
            root=root,
            event_logger=importlib.import_module(f"{package}.event_logger"),
            redaction=importlib.import_module(f"{package}.redaction"),
            models=importlib.import_module(f"{package}.analytics_models"),
            router=importlib.import_module(f"{package}.telemetry_router"),
            error_capture=importlib.import_module(f"{package}.error_capture"),
        )
        assert Path(layer.event_logger.__file__ or "").is_relative_to(root)
        yield layer
    finally:
        sys.path.remove(backend)
        for name in [name for name in sys.modules if _is_app_module(name)]:
            del sys.modules[name]
        sys.modules.update(foreign)


@contextmanager
def rendered_layer(root: Path, **options: Any) -> Iterator[Layer]:
    """Render a plan with ``options`` into ``root`` and import its layer."""
    plan = make_plan(root, **options)
    render_tree(root, plan)
    with imported_layer(root, plan) as layer:
        yield layer


class RecordingSink:
    """A sink that keeps every event (thread-safe: list.append is atomic)."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.flushed = 0
        self.closed = False

    def emit(self, event: Any) -> None:
        self.events.append(event)

    def flush(self) -> None:
        self.flushed += 1

    def close(self) -> None:
        self.closed = True


class FailingSink:
    """A sink whose every method fails with a message that must never leak."""

    SECRET = "internal-detail-7f3a"

    def emit(self, event: Any) -> None:
        raise OSError(f"disk full while writing {self.SECRET}")

    def flush(self) -> None:
        raise OSError(self.SECRET)

    def close(self) -> None:
        raise OSError(self.SECRET)


def without_pragmas(files: list[Path], into: Path) -> list[Path]:
    """Copies of the generated ``files`` in ``into`` without the header's pragma lines.

    Those lines (``# flake8: noqa``, ``# fmt: off``) tell a project's linters and formatters to
    leave the layer alone; the tool's own checks run without them, or they would check nothing.
    """
    pragmas = {f"# {line}" for line in GENERATED_PRAGMAS}
    into.mkdir(parents=True, exist_ok=True)
    copies = []
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        copy = into / path.name
        copy.write_text("".join(line for line in lines if line.rstrip("\n") not in pragmas))
        copies.append(copy)
    return copies
