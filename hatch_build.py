"""Hatch build hook: compile the Jinja templates into the wheel.

An installed tool then loads the templates as Python modules (``jinja2.ModuleLoader``) and
never runs Jinja's compiler, so a fresh CI runner pays no compile cost and no per-user cache is
needed. Editable installs skip this: they read the source templates, compiled in memory.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _templating(root: Path) -> ModuleType:
    # Loaded by path: the package's other dependencies (typer, rich) are not in the build env.
    path = root / "telemetry_cli" / "templating.py"
    spec = importlib.util.spec_from_file_location("_telemetry_scaffold_templating", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class CompiledTemplatesHook(BuildHookInterface[Any]):
    """Compile ``templates/`` into ``telemetry_cli/_compiled_templates`` of the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile the templates into a temporary folder and include it in the wheel."""
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        templating = _templating(root)
        self._scratch = Path(tempfile.mkdtemp(prefix="telemetry-scaffold-build-"))
        target = self._scratch / templating.COMPILED_DIR
        compiled = templating.compile_into(root / "templates", target)
        if not compiled:
            raise RuntimeError(f"no templates found under {root / 'templates'}")
        build_data["force_include"][str(target)] = f"telemetry_cli/{templating.COMPILED_DIR}"

    def finalize(
        self,
        version: str,  # noqa: ARG002 - hatch's signature
        build_data: dict[str, Any],  # noqa: ARG002
        artifact_path: str,  # noqa: ARG002
    ) -> None:
        """Remove the temporary folder."""
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
