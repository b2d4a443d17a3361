"""The plan: what to generate, read from ``[tool.telemetry-scaffold]`` in ``pyproject.toml``.

Every key is optional; the defaults reproduce the user's original request. Loading validates
everything up front so that rendering and patching never see a bad value, and every problem is
reported as one :class:`~telemetry_cli.errors.ConfigError` line naming the file and the key.
"""

from __future__ import annotations

import difflib
import keyword
import re
import stat
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from telemetry_cli.errors import ConfigError

TOOL_SECTION = "telemetry-scaffold"
CONFIG_FILENAME = "pyproject.toml"

DEFAULT_EVENT_TYPES = ("ai_block_used", "chapter_visit", "error_event")
ERROR_EVENT_TYPE = "error_event"

_SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FEATURE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_API_PREFIX = re.compile(r"^(?:/[A-Za-z0-9._~-]+)+$")
_MAX_EVENT_TYPE_LENGTH = 64

# Build the ConfigError for a key (``_Fail``) or for a problem of an already chosen key.
_Fail = Callable[[str, str], ConfigError]
_ProblemFail = Callable[[str], ConfigError]

KNOWN_KEYS = (
    "backend",
    "app-package",
    "specs-dir",
    "feature",
    "api-prefix",
    "event-types",
    "instrument",
    "capture-errors",
)


@dataclass(frozen=True)
class Plan:
    """A validated plan. Paths are POSIX strings relative to ``root``."""

    root: Path
    config_file: Path
    backend: str = "backend"
    app_package: str = "app"
    specs_dir: str = "specs"
    feature: str = "059-analytics-telemetry"
    api_prefix: str = "/api/telemetry"
    event_types: tuple[str, ...] = DEFAULT_EVENT_TYPES
    instrument: tuple[tuple[str, str], ...] = (("api/ai_blocks.py", "ai_block_used"),)
    capture_errors: bool = True

    @classmethod
    def default(cls, root: Path) -> Plan:
        """Return the default plan for a project rooted at ``root``."""
        return cls(root=root, config_file=root / CONFIG_FILENAME)

    @property
    def app_dir(self) -> str:
        """The app package folder, e.g. ``backend/app``."""
        return _join(self.backend, self.app_package.replace(".", "/"))

    @property
    def analytics_dir(self) -> str:
        """The generated analytics package folder, e.g. ``backend/app/analytics``."""
        return _join(self.app_dir, "analytics")

    @property
    def analytics_package(self) -> str:
        """The import name of the generated package, e.g. ``app.analytics``."""
        return f"{self.app_package}.analytics"

    @property
    def main_path(self) -> str:
        """The user's ``main.py``, e.g. ``backend/app/main.py``."""
        return _join(self.app_dir, "main.py")

    @property
    def main_module(self) -> str:
        """The import name of the user's ``main.py``, e.g. ``app.main``."""
        return f"{self.app_package}.main"

    @property
    def feature_dir(self) -> str:
        """The spec-kit feature folder, e.g. ``specs/059-analytics-telemetry``."""
        return _join(self.specs_dir, self.feature)

    def module_path(self, module: str) -> str:
        """Return the root-relative path of an ``instrument`` module."""
        return _join(self.app_dir, module)

    def module_import_name(self, module: str) -> str:
        """Return the import name of an ``instrument`` module, e.g. ``app.api.ai_blocks``."""
        parts = PurePosixPath(module).with_suffix("").parts
        return ".".join((self.app_package, *parts))

    def resolve(self, relative: str) -> Path:
        """Return the absolute path of a root-relative POSIX path."""
        return self.root / relative


def _join(*parts: str) -> str:
    joined = PurePosixPath(*[p for p in parts if p not in ("", ".")])
    return joined.as_posix()


def find_config(start: Path) -> Path:
    """Find the ``pyproject.toml`` that governs ``start``, searching upwards like ruff does.

    The nearest file with a ``[tool.telemetry-scaffold]`` table wins; failing that, the nearest
    ``pyproject.toml`` (whose plan is then all defaults).
    """
    start = start.resolve()
    nearest: Path | None = None
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILENAME
        if not candidate.is_file():
            continue
        if nearest is None:
            nearest = candidate
        try:
            text = candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        # A cheap textual probe before parsing: most pyproject files on the way up are not ours.
        if f"[tool.{TOOL_SECTION}" in text or f'[tool."{TOOL_SECTION}"' in text:
            return candidate
    if nearest is None:
        raise ConfigError(
            f"no {CONFIG_FILENAME} found in {start} or any parent folder; "
            "run from your project or pass --root DIR"
        )
    return nearest


def load_plan(
    root: Path | None = None, config: Path | None = None, cwd: Path | None = None
) -> Plan:
    """Load and validate the plan.

    Args:
        root: the project root (``--root``); its ``pyproject.toml`` is read unless ``config``.
        config: an explicit TOML file (``--config``); the root defaults to its folder.
        cwd: where to start searching upwards when neither is given (default: the current folder).

    Raises:
        ConfigError: the file is missing, unreadable, not TOML, or the plan is invalid.
    """
    if config is not None:
        config_file = config if config.is_absolute() else (cwd or Path.cwd()) / config
        if not config_file.is_file():
            raise ConfigError(f"{config}: config file not found")
        project_root = root if root is not None else config_file.parent
    elif root is not None:
        if not root.is_dir():
            raise ConfigError(f"{root}: --root is not a folder")
        config_file = root / CONFIG_FILENAME
        if not config_file.is_file():
            raise ConfigError(
                f"{config_file}: not found; --root must name the folder holding {CONFIG_FILENAME}"
            )
        project_root = root
    else:
        config_file = find_config(cwd or Path.cwd())
        project_root = config_file.parent
    if not project_root.is_dir():
        raise ConfigError(f"{project_root}: --root is not a folder")
    table = _read_table(config_file)
    return plan_from_table(table, root=project_root.resolve(), config_file=config_file.resolve())


def _read_table(config_file: Path) -> Mapping[str, object]:
    try:
        data = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{config_file}: not valid UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{config_file}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_file}: invalid TOML: {exc}") from None
    tool = data.get("tool", {})
    table = tool.get(TOOL_SECTION, {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(f"{config_file}: [tool.{TOOL_SECTION}] must be a table")
    return table


def plan_from_table(table: Mapping[str, object], *, root: Path, config_file: Path) -> Plan:
    """Validate a ``[tool.telemetry-scaffold]`` table and build the plan from it."""

    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{config_file}: [tool.{TOOL_SECTION}] {key}: {problem}")

    for key in table:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
            hint = (
                f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(KNOWN_KEYS)}"
            )
            raise fail(key, f"unknown key; {hint}")

    def string(key: str, default: str) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise fail(key, f"expected a non-empty string, got {value!r}")
        return value

    backend = _relative_dir(string("backend", "backend"), root, lambda p: fail("backend", p))
    specs_dir = _relative_dir(string("specs-dir", "specs"), root, lambda p: fail("specs-dir", p))

    app_package = string("app-package", "app")
    if not all(
        _IDENTIFIER.match(part) and not keyword.iskeyword(part) for part in app_package.split(".")
    ):
        raise fail("app-package", f"{app_package!r} is not an importable package name (e.g. 'app')")
    app_dir = _join(backend, app_package.replace(".", "/"))
    analytics_dir = _join(app_dir, "analytics")
    # Spec documents in the generated package would be generated files inside generated files.
    if _overlaps(root, specs_dir, analytics_dir):
        raise fail(
            "specs-dir",
            f"{specs_dir!r} is inside the generated package {analytics_dir}; "
            "keep the specs outside it",
        )

    feature = string("feature", "059-analytics-telemetry")
    if not _FEATURE.match(feature):
        raise fail(
            "feature", f"{feature!r} must be one folder name, e.g. '059-analytics-telemetry'"
        )

    api_prefix = string("api-prefix", "/api/telemetry")
    if not _API_PREFIX.match(api_prefix):
        raise fail(
            "api-prefix",
            f"{api_prefix!r} must start with '/', have no trailing '/' and no parameters, "
            "e.g. '/api/telemetry'",
        )

    event_types = _event_types(table.get("event-types", list(DEFAULT_EVENT_TYPES)), fail)

    raw_instrument = table.get("instrument", {"api/ai_blocks.py": "ai_block_used"})
    if not isinstance(raw_instrument, dict):
        raise fail("instrument", 'expected a table of module = "event_type"')
    instrument: list[tuple[str, str]] = []
    for module, event_type in raw_instrument.items():
        where = f'instrument."{module}"'

        def fail_module(problem: str, where: str = where) -> ConfigError:
            return fail(where, problem)

        if not isinstance(event_type, str):
            raise fail_module(f"expected an event type string, got {event_type!r}")
        if event_type not in event_types:
            unset = "" if "instrument" in table else " (the default instrument; set instrument)"
            raise fail_module(
                f"event type {event_type!r} is not in event-types {list(event_types)}{unset}"
            )
        normalised = _relative_module(module, fail_module)
        module_path = _join(app_dir, normalised)
        _inside_root(root, module_path, fail_module)
        # Generated files are rewritten by the tool and main.py is patched differently: either
        # target would be patched, then rewritten or refused, on every run, never settling.
        if _overlaps(root, module_path, analytics_dir):
            raise fail_module(
                f"{normalised!r} is in the generated package {analytics_dir}; "
                "instrument your own route modules only"
            )
        if _same_file(root, module_path, _join(app_dir, "main.py")):
            raise fail_module(
                f"{normalised!r} is the app's main.py, which generate wires up already; "
                "instrument the modules that define routes"
            )
        instrument.append((normalised, event_type))
    if len({module for module, _ in instrument}) != len(instrument):
        raise fail("instrument", "the same module is listed twice")

    capture_errors = table.get("capture-errors", True)
    if not isinstance(capture_errors, bool):
        raise fail("capture-errors", f"expected true or false, got {capture_errors!r}")
    if capture_errors and ERROR_EVENT_TYPE not in event_types:
        raise fail(
            "capture-errors",
            f"needs {ERROR_EVENT_TYPE!r} in event-types; add it or set capture-errors = false",
        )

    return Plan(
        root=root,
        config_file=config_file,
        backend=backend,
        app_package=app_package,
        specs_dir=specs_dir,
        feature=feature,
        api_prefix=api_prefix,
        event_types=event_types,
        instrument=tuple(sorted(instrument)),
        capture_errors=capture_errors,
    )


def _event_types(value: object, fail: _Fail) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise fail("event-types", "expected a non-empty list of snake_case strings")
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, str) or not _SNAKE_CASE.match(item):
            raise fail("event-types", f"{item!r} is not snake_case (e.g. 'chapter_visit')")
        if len(item) > _MAX_EVENT_TYPE_LENGTH:
            raise fail(
                "event-types", f"{item!r} is longer than {_MAX_EVENT_TYPE_LENGTH} characters"
            )
        if item in seen:
            raise fail("event-types", f"{item!r} is listed twice")
        seen.add(item)
    return tuple(value)


def _relative_dir(value: str, root: Path, fail: _ProblemFail) -> str:
    posix = _clean_relative(value, fail)
    resolved = _inside_root(root, posix, fail)
    try:
        is_folder = stat.S_ISDIR(resolved.stat().st_mode)
    except FileNotFoundError:
        is_folder = True  # not there yet: generate creates it
    except OSError as exc:
        raise fail(f"{posix!r}: cannot inspect: {exc.strerror}") from None
    if not is_folder:
        # Everything below it would fail to be written, one file at a time.
        raise fail(f"{posix!r} exists and is not a folder")
    return posix


def _relative_module(value: str, fail: _ProblemFail) -> str:
    posix = _clean_relative(value, fail)
    if not posix.endswith(".py") or posix == ".py":
        raise fail(
            f"{value!r} must be a .py file relative to the app package, e.g. 'api/ai_blocks.py'"
        )
    parts = PurePosixPath(posix).with_suffix("").parts
    if not all(_IDENTIFIER.match(part) and not keyword.iskeyword(part) for part in parts):
        raise fail(
            f"{value!r} is not an importable module path (use names like 'api/ai_blocks.py')"
        )
    return posix


def _clean_relative(value: str, fail: _ProblemFail) -> str:
    if "\\" in value:
        raise fail(f"{value!r}: use '/' as the path separator")
    path = PurePosixPath(value)
    if path.is_absolute() or re.match(r"^[A-Za-z]:", value):
        raise fail(f"{value!r} is absolute; paths are relative to the project root")
    if ".." in path.parts:
        raise fail(f"{value!r} leaves the project root ('..' is not allowed)")
    return path.as_posix()


def _inside_root(root: Path, relative: str, fail: _ProblemFail) -> Path:
    """Return where ``relative`` really leads, refusing places outside ``root``."""
    # Symlinks count: a folder that links outside the root would let us write there.
    resolved = _resolve(root / relative, relative, fail)
    real_root = _resolve(root, ".", fail)
    if resolved != real_root and real_root not in resolved.parents:
        raise fail(f"{relative!r} resolves to {resolved}, outside the project root")
    return resolved


def _resolve(path: Path, relative: str, fail: _ProblemFail) -> Path:
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        # RuntimeError is how Python before 3.13 reports a symlink loop; OSError after.
        raise fail(f"{relative!r}: symlink loop") from None


def _overlaps(root: Path, inner: str, outer: str) -> bool:
    """True when ``inner`` is ``outer`` or inside it, as written or once symlinks are followed."""
    if inner == outer or PurePosixPath(outer) in PurePosixPath(inner).parents:
        return True
    real_inner, real_outer = _resolve_quietly(root / inner), _resolve_quietly(root / outer)
    if real_inner is None or real_outer is None:
        return False
    return real_inner == real_outer or real_outer in real_inner.parents


def _same_file(root: Path, first: str, second: str) -> bool:
    """True when ``first`` and ``second`` name the same file, as written or through symlinks."""
    if first == second:
        return True
    real_first = _resolve_quietly(root / first)
    return real_first is not None and real_first == _resolve_quietly(root / second)


def _resolve_quietly(path: Path) -> Path | None:
    # For comparisons only: a loop elsewhere is reported for the file it breaks, not this key.
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return None
