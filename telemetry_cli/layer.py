"""Use the backend's own generated analytics layer in-process (``emit``, ``health``).

The CLI does not re-implement validation or redaction: it imports the generated
``event_logger`` module from the configured backend, so what ``emit`` prints is exactly what the
application would log.
"""

import importlib
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import PurePosixPath
from types import ModuleType
from typing import Any, NamedTuple

from telemetry_cli.console import clipped, closest
from telemetry_cli.errors import EventRejected, LayerUnavailable, UserError
from telemetry_cli.install_steps import install_steps
from telemetry_cli.plan import Plan, shown_event_types

__all__ = ["Layer", "LayerUnavailable", "import_layer"]


class Layer(NamedTuple):
    """The generated ``event_logger`` module of one backend."""

    module: ModuleType

    @property
    def allowed_event_types(self) -> tuple[str, ...]:
        """The event types the generated logger accepts."""
        return tuple(self.module.ALLOWED_EVENT_TYPES)

    def record(self, event_type: str, payload: Any) -> dict[str, Any]:
        """Validate and log one event through the generated logger; return it as logged.

        Raises:
            EventRejected: unknown type (with a suggestion), or a payload the logger refuses.
            UserError: the sink failed.
        """
        allowed = self.allowed_event_types
        if event_type not in allowed:
            close = closest(event_type, allowed, cutoff=0.75)
            hint = f"; did you mean {close!r}?" if close else ""
            raise EventRejected(
                f"unknown event type {clipped(event_type)!r}; "
                f"allowed: {shown_event_types(allowed, as_list=False)}{hint}"
            )
        logger = self.module.event_logger
        try:
            # A sink or hook of the user's may print; stdout carries only our result.
            with _show_records(self.module.LOGGER_NAME), redirect_stdout(sys.stderr):
                event = logger.record(event_type, payload)
        except self.module.EventValidationError as error:
            raise EventRejected(f"event rejected: {error}") from None
        except self.module.SinkError as error:
            raise UserError(f"event not logged: the sink failed: {error}") from None
        except Exception as error:  # a sink or hook of the user's may fail in any way
            raise UserError(f"event not logged: {_one_line(error)}") from None
        result: dict[str, Any] = {"status": "logged" if logger.enabled else "disabled"}
        if not logger.enabled:
            # The layer's own reading: the app's code may have turned the logger off instead
            # (a layer generated before this reading existed names no reason).
            reading = getattr(self.module, "env_turns_telemetry_off", None)
            result["disabled_by"] = reading() if callable(reading) else None
        result.update(event.to_dict())
        return result

    def health(self) -> dict[str, Any]:
        """The generated logger's own health description.

        Raises:
            UserError: the layer failed to describe itself.
        """
        try:
            with redirect_stdout(sys.stderr):
                status = self.module.event_logger.health().model_dump(mode="json")
        except Exception as error:  # a sink of the user's may fail in any way
            raise UserError(f"the layer's health check failed: {_one_line(error)}") from None
        if not isinstance(status, dict):
            raise UserError("the layer's health check did not describe the layer")
        return status


def _one_line(error: BaseException) -> str:
    detail = " ".join(str(error).split())
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__


@contextmanager
def _show_records(logger_name: str) -> Iterator[None]:
    """Let the analytics logger's records through to stderr while ``emit`` runs.

    Nobody configured logging in this process, so without this the record would reach only
    the layer's NullHandler and the user could not see what the application would log.
    """
    logger = logging.getLogger(logger_name)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def import_layer(plan: Plan) -> Layer:
    """Import ``<app-package>.analytics.event_logger`` (flat layout: ``analytics.event_logger``).

    Raises:
        LayerUnavailable: not generated yet, or the import fails.
    """
    logger_path = plan.resolve(plan.analytics_dir) / "event_logger.py"
    if not logger_path.is_file():
        raise LayerUnavailable(
            f"{plan.analytics_dir}/event_logger.py not found; run telemetry-scaffold generate first"
        )
    _require_generated(plan)
    backend = str(plan.resolve(plan.backend))
    name = f"{plan.analytics_package}.event_logger"
    sys.path.insert(0, backend)
    try:
        # Importing runs the user's package code; a print() there must not reach stdout,
        # which carries only the command's result (the JSON document with --json).
        with redirect_stdout(sys.stderr):
            module = importlib.import_module(name)
    except KeyboardInterrupt:
        raise  # the user's ^C: exit 130
    except BaseException as error:  # the user's package may fail in any way (SystemExit too)
        raise LayerUnavailable(_import_failure(plan, name, error)) from None
    finally:
        sys.path.remove(backend)
    missing = [name for name in _INTERFACE if not hasattr(module, name)]
    if missing or not callable(getattr(module.event_logger, "record", None)):
        names = ", ".join(missing) or "event_logger.record"
        raise LayerUnavailable(
            f"{plan.analytics_dir}/event_logger.py is not the module telemetry-scaffold generates "
            f"(no {names}); run telemetry-scaffold generate --force to replace it"
        )
    return Layer(module)


# What the CLI uses of the generated event_logger module.
_INTERFACE = (
    "ALLOWED_EVENT_TYPES",
    "LOGGER_NAME",
    "EventValidationError",
    "SinkError",
    "event_logger",
)


def _require_generated(plan: Plan) -> None:
    """Refuse a layer the tool did not write, or one edited since: it is not what we run.

    Raises:
        LayerUnavailable: a module of the generated package is missing, unknown to the
            manifest, or differs from what the manifest says the tool wrote.
    """
    from telemetry_cli.files import FileProblem, read_bytes
    from telemetry_cli.manifest import MANIFEST_PATH, as_written, read_manifest, sha256
    from telemetry_cli.render import Place, outputs_for

    fix = "run telemetry-scaffold generate (--force replaces hand edits, keeping a backup)"
    try:
        recorded = read_manifest(plan.root)
    except FileProblem as problem:
        # Without a readable manifest the layer cannot be told from one the tool did not write.
        raise LayerUnavailable(problem.message) from None
    for output in outputs_for(plan):
        if output.place is not Place.PACKAGE:
            continue
        relative = output.path(plan)
        try:
            data = read_bytes(plan.resolve(relative), relative)
        except FileProblem as problem:
            raise LayerUnavailable(f"{problem.message}; {fix}") from None
        if data is None:
            raise LayerUnavailable(f"{relative} not found; {fix}")
        if relative not in recorded:
            if recorded:
                raise LayerUnavailable(
                    f"{relative} was not written by telemetry-scaffold ({MANIFEST_PATH} does not "
                    f"list it); {fix}"
                )
            # No record at all: say so, instead of claiming the file is someone else's.
            state = "damaged" if plan.resolve(MANIFEST_PATH).exists() else "missing"
            raise LayerUnavailable(
                f"{relative} is not known to be telemetry-scaffold's ({MANIFEST_PATH} is "
                f"{state}); {fix}"
            )
        if sha256(as_written(data)) != recorded[relative]:
            raise LayerUnavailable(
                f"{relative} was edited by hand since telemetry-scaffold wrote it; {fix}"
            )


def _import_failure(plan: Plan, name: str, error: BaseException) -> str:
    """Say why importing the layer failed, and the fix when there is an obvious one."""
    detail = " ".join(str(error).split())  # one line, whatever the exception says
    what = f"{type(error).__name__}: {detail}" if detail else type(error).__name__
    missing = error.name if isinstance(error, ImportError) else None
    # The app's own top-level package (in the flat layout, the generated one is the app's).
    package = plan.analytics_package.split(".")[0]
    if missing and (missing == "opentelemetry" or missing.startswith("opentelemetry.")):
        # The OpenTelemetry sink's one added dependency (its message says the same).
        return (
            f"cannot import {name} from {plan.backend}/: no module named {missing!r}; the "
            'OpenTelemetry sink (sink = "opentelemetry") needs opentelemetry-api 1.45 or newer: '
            "pip install 'opentelemetry-api>=1.45'"
        )
    if missing and missing != package and not missing.startswith(f"{package}."):
        # A third-party module the backend needs is not installed in this environment: the
        # quickstart's install commands, from the project's own files, say how.
        steps = install_steps(plan.root, plan.backend, app_dir=plan.app_dir, script=_app_path(plan))
        commands = steps.commands
        how = f": {'; '.join(commands)}" if commands else " in this environment"
        return (
            f"cannot import {name} from {plan.backend}/: {what}; "
            f"install the backend's dependencies{how}"
        )
    return f"importing {name} from {plan.backend}/ failed: {what}"


def _app_path(plan: Plan) -> str:
    """The root-relative path of the app's module: the ``app`` key's, else the plan's main.py.

    Read without finding the app (as ``generate`` does): the hint only needs the file whose
    ``# /// script`` block may list the service's dependencies.
    """
    if plan.app is None:
        return plan.main_path
    module = plan.app.partition(":")[0].split(".")
    return PurePosixPath(plan.backend, *module[:-1], f"{module[-1]}.py").as_posix()
