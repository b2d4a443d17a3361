"""The plan: what to generate, read from ``[tool.telemetry-scaffold]`` in ``pyproject.toml``.

The keys are described once, in :data:`KEYS`: TOML name, :class:`Plan` field, type, default,
validator and one-line meaning. Loading, validation, the defaults, the README's configuration
table (:func:`configuration_table`) and ``init`` all read that table. Every key is optional; the
defaults reproduce the user's original request. Loading validates everything up front so that
rendering and patching never see a bad value, and every problem is reported as one
:class:`~telemetry_cli.errors.ConfigError` line naming the file and the key.
"""

import errno
import json
import keyword
import os
import re
import stat
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any, Final, NamedTuple

from telemetry_cli.console import clipped, closest, shown_path, toml_quoted
from telemetry_cli.errors import ConfigError, FileProblem
from telemetry_cli.events import CONTEXT_PROPERTIES, EventSpec, parse_events
from telemetry_cli.files import (
    SourceText,
    conflict_marker_line,
    current_folder,
    file_identity,
    is_within,
    parse_toml,
    real_path,
    unresolved_conflict,
)

TOOL_SECTION = "telemetry-scaffold"
CONFIG_FILENAME = "pyproject.toml"

DEFAULT_EVENT_TYPES = ("ai_block_used", "chapter_visit", "error_event")
# The event sinks the generated layer can default to (the ``sink`` key).
SINKS = ("logging", "opentelemetry")
ERROR_EVENT_TYPE = "error_event"
#: ``app-package`` of the flat layout: the app's modules are top-level modules of the backend
#: folder (``backend/main.py``, ``backend/routers/``, run as ``uvicorn main:app`` from there).
TOP_LEVEL = ""
#: The name Python gives the script it runs: a server importing it gets its own, never the app.
MAIN_MODULE = "__main__"
#: ``layer-package``: the generated package's name inside the app package.
DEFAULT_LAYER_PACKAGE = "analytics"

# Where Plan.app came from, for messages: our own key, or FastAPI CLI's setting.
APP_KEY = "app"
FASTAPI_ENTRYPOINT = "[tool.fastapi] entrypoint"

# Matched with fullmatch: "$" would also accept a trailing newline.
_SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_FEATURE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# The longest file or folder name common file systems take (ext4, XFS, APFS: 255 bytes; NTFS:
# 255 characters; UTF-8 bytes are the stricter count). A longer one in the plan can never be
# created or found, and would fail only once files are written, as an I/O error.
_NAME_MAX = 255
# A "." or ".." segment is removed by every client before the request is sent (RFC 3986,
# section 5.2.4), so a route under it could never be reached.
# What a segment of api-prefix may hold: URL characters that need no percent-encoding.
_PATH_CHARACTER = re.compile(r"[A-Za-z0-9._~-]")
# Patterns kept as source text (here and below) are compiled on first use, and cached, by
# `re`: an up-to-date `generate --check` never uses them (compiling at import cost every run).
_IMPORT_STRING = r"(?P<module>[^:]+):(?P<attribute>[^:]+)"
# Payload key names: they land in a Python string literal of the generated logger.
_REDACT_KEY = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
_MAX_EVENT_TYPE_LENGTH = 64
_MAX_REDACT_KEY_LENGTH = 64
_MAX_REDACT_KEYS = 256
# The longest string a plan value may hold (a folder, a module path, an import string, a table's
# key), and the keys with a tighter limit of their own; the catalog under ``events`` has its own
# limits (``telemetry_cli.events``). A longer value is a mistake (a pasted file), and each is
# written into generated code and quoted by errors.
_MAX_STRING_LENGTH: Final = 1024
_MAX_API_PREFIX_LENGTH: Final = 255
_MAX_STRING_LENGTHS: Final = {
    "api-prefix": _MAX_API_PREFIX_LENGTH,
    "event-types": _MAX_EVENT_TYPE_LENGTH,
    "redact": _MAX_REDACT_KEY_LENGTH,
}
_OWN_LIMITS: Final = ("events",)
# How much of a key path (which may hold a user's module or event name) an error shows.
_MAX_KEY_SHOWN: Final = 120
# Bidirectional-text controls: invisible, and they reorder what a reader sees around them.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


class _Scope(NamedTuple):
    """What a key's validator sees: where the plan comes from and the keys validated before it."""

    root: Path
    config_file: Path
    table: Mapping[str, object]
    tool: Mapping[str, object]
    values: dict[str, Any]

    def fail(self, key: str, problem: str) -> ConfigError:
        # A key may hold a user's name (instrument."<module>", events.<type>): clipped too.
        shown = shown_path(self.config_file)
        return ConfigError(
            f"{shown}: [tool.{TOOL_SECTION}] {clipped(key, _MAX_KEY_SHOWN)}: {problem}"
        )


# A validator gets the raw TOML value (the key's default when unset) and returns the field value.
_Validator = Callable[[object, _Scope], Any]
_ProblemFail = Callable[[str], ConfigError]


class Key(NamedTuple):
    """One key of ``[tool.telemetry-scaffold]``.

    Attributes:
        name: the TOML key, e.g. ``app-package``.
        field: the :class:`Plan` attribute it sets, e.g. ``app_package``.
        type: the TOML type, as the documentation names it.
        default: the value of the field when the key is absent (validated like a user value).
        meaning: one line for the documentation.
        validate: checks the raw value (the TOML form of ``default`` when unset) and returns the
            field value; raises :class:`ConfigError`.
        default_doc: how the documentation shows the default, when not as a TOML literal.
    """

    name: str
    field: str
    type: str
    default: Any
    meaning: str
    validate: _Validator
    default_doc: str | None = None

    @property
    def toml_default(self) -> object:
        """The default as it would be written in TOML (tuples become arrays, pairs tables)."""
        return _toml_value(self.default, table=self.type.startswith("table"))

    def default_text(self) -> str:
        """The default as the documentation shows it, e.g. ``"backend"`` or ``[]``."""
        if self.default_doc is not None:
            return self.default_doc
        return _toml_literal(self.toml_default)


def _toml_value(value: object, *, table: bool) -> object:
    if table and isinstance(value, tuple):
        return {str(k): v for k, v in value}
    if isinstance(value, tuple):
        return list(value)
    return value


def _toml_literal(value: object) -> str:
    """A TOML literal for the simple values defaults are made of."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = ", ".join(f"{json.dumps(k)} = {_toml_literal(v)}" for k, v in value.items())
        return "{" + pairs + "}" if pairs else "{}"
    raise TypeError(f"no TOML literal for {value!r}")


# --- validators, in the order of KEYS ------------------------------------------------------


def _string(value: object, key: str, scope: _Scope) -> str:
    if not isinstance(value, str) or not value.strip():
        raise scope.fail(key, f"expected a non-empty string, got {toml_quoted(value)}")
    return value


def _validate_backend(value: object, scope: _Scope) -> str:
    return _folder("backend", _string(value, "backend", scope), scope)


def _validate_app_package(value: object, scope: _Scope) -> str:
    if value == TOP_LEVEL:
        return TOP_LEVEL  # the flat layout: the backend folder holds the app's modules itself
    if not isinstance(value, str) or not value.strip():
        raise scope.fail(
            "app-package",
            f'expected a package name, or "" for modules at the top of the backend folder, '
            f"got {toml_quoted(value)}",
        )
    if not _is_dotted_name(value):
        raise scope.fail(
            "app-package",
            f"{toml_quoted(value)} is not an importable package name (e.g. 'app', or \"\" for "
            "modules at the top of the backend folder)",
        )
    _check_name_lengths(value, value.split("."), lambda problem: scope.fail("app-package", problem))
    return value


def _validate_layer_package(value: object, scope: _Scope) -> str:
    name = _string(value, "layer-package", scope)
    if not _is_dotted_name(name, dotted=False):
        raise scope.fail(
            "layer-package",
            f"{toml_quoted(name)} is not a package name (one identifier, e.g. 'analytics' or "
            "'telemetry')",
        )
    _check_name_lengths(name, [name], lambda problem: scope.fail("layer-package", problem))
    return name


def _validate_specs_dir(value: object, scope: _Scope) -> str:
    specs_dir = _folder("specs-dir", _string(value, "specs-dir", scope), scope)
    _keep_specs_outside_the_package("specs-dir", specs_dir, repr(specs_dir), scope)
    return specs_dir


def _validate_feature(value: object, scope: _Scope) -> str:
    feature = _string(value, "feature", scope)
    if not _FEATURE.fullmatch(feature):
        raise scope.fail(
            "feature",
            f"{toml_quoted(feature)} must be one folder name of ASCII letters, digits, '.', '_' "
            "and '-', starting with a letter or digit, e.g. '059-analytics-telemetry'",
        )
    _check_name_lengths(feature, [feature], lambda problem: scope.fail("feature", problem))
    # The feature folder is where the documents go (specs-dir itself may be outside).
    folder = _join(scope.values["specs_dir"], feature)
    _keep_specs_outside_the_package(
        "feature", folder, f"{toml_quoted(feature)} (the folder {folder})", scope
    )
    return feature


def _keep_specs_outside_the_package(key: str, folder: str, shown: str, scope: _Scope) -> None:
    """Refuse spec documents in the generated package: generated files inside generated files."""
    analytics_dir = layer_dir(
        scope.values["backend"], scope.values["app_package"], scope.values["layer_package"]
    )
    if _overlaps(scope.root, folder, analytics_dir):
        raise scope.fail(
            key,
            f"{shown} is inside the generated package {analytics_dir}; keep the specs outside it",
        )


def _validate_api_prefix(value: object, scope: _Scope) -> str:
    # An empty prefix reads as the app's root, which the next rule names (not "non-empty").
    api_prefix = "" if value == "" else _string(value, "api-prefix", scope)
    problem = _api_prefix_problem(api_prefix)
    if problem is not None:
        raise scope.fail(
            "api-prefix", f"{toml_quoted(api_prefix)} {problem}, e.g. '/api/telemetry'"
        )
    return api_prefix


def _api_prefix_problem(api_prefix: str) -> str | None:
    """The first rule a prefix breaks (a path every client sends as it is), if any."""
    if api_prefix in ("", "/"):
        # The app's root: the router's /log and /health would sit among the app's own routes
        # (FastAPI refuses a "/" prefix outright).
        return "is the app's root; the telemetry routes need a prefix of at least one segment"
    if not api_prefix.startswith("/"):
        return "must start with '/'"
    if api_prefix.endswith("/"):
        return "must have no trailing '/'"
    for segment in api_prefix[1:].split("/"):
        if not segment:
            return "must have no empty segment ('//')"
        if segment in (".", ".."):
            # Clients remove dot segments before sending: such routes are unreachable.
            return "must have no '.' or '..' segments"
        if "{" in segment or "}" in segment:
            return "must have no parameters"
        for character in segment:
            if not _PATH_CHARACTER.fullmatch(character):
                return (
                    f"must hold only ASCII letters, digits, '-', '_', '.' and '~' (not "
                    f"{toml_quoted(character)})"
                )
    return None


# An error naming the event types lists this many at most, then how many more there are: a
# plan may list thousands, and an error is one line.
_MAX_TYPES_SHOWN: Final = 20


def shown_event_types(event_types: Iterable[str], *, as_list: bool = True) -> str:
    """The event types as an error names them, the first 20 and a count of the others.

    ``['a', 'b', ...] (5 more)`` as a list, else ``a, b and 5 more``.
    """
    listed = list(event_types)
    more = len(listed) - _MAX_TYPES_SHOWN
    if as_list:
        shown = repr(listed[:_MAX_TYPES_SHOWN])
        return f"{shown[:-1]}, ...] ({more} more)" if more > 0 else shown
    shown = ", ".join(listed[:_MAX_TYPES_SHOWN])
    return f"{shown} and {more} more" if more > 0 else shown


def _validate_event_types(value: object, scope: _Scope) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise scope.fail("event-types", "expected a non-empty list of snake_case strings")
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, str) or not _SNAKE_CASE.fullmatch(item):
            raise scope.fail(
                "event-types", f"{toml_quoted(item)} is not snake_case (e.g. 'chapter_visit')"
            )
        if item in seen:
            raise scope.fail("event-types", f"{toml_quoted(item)} is listed twice")
        seen.add(item)
    return tuple(value)


def _validate_instrument(value: object, scope: _Scope) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise scope.fail("instrument", 'expected a table of module = "event_type"')
    event_types: tuple[str, ...] = scope.values["event_types"]
    app_dir = _join(scope.values["backend"], scope.values["app_package"].replace(".", "/"))
    analytics_dir = _join(app_dir, scope.values["layer_package"])
    instrument: list[tuple[str, str]] = []
    capture: list[tuple[str, tuple[str, ...]]] = []
    capture_from: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    real_paths: dict[Path | tuple[int, int], str] = {}
    for module, event_type in value.items():
        # JSON quoting escapes a control character in the name, keeping the message one line.
        where = f"instrument.{json.dumps(module, ensure_ascii=False)}"

        def fail_module(problem: str, where: str = where) -> ConfigError:
            return scope.fail(where, problem)

        captured: tuple[str, ...] = ()
        parameters: tuple[tuple[str, str], ...] = ()
        if isinstance(event_type, dict):
            event_type, captured, parameters = _instrument_table(event_type, fail_module)
        if not isinstance(event_type, str):
            raise fail_module(
                f'expected an event type string or {{ event = "...", capture = [...] }}, '
                f"got {toml_quoted(event_type)}"
            )
        if event_type not in event_types:
            unset = (
                "" if "instrument" in scope.table else " (the default instrument; set instrument)"
            )
            raise fail_module(
                f"event type {toml_quoted(event_type)} is not in event-types "
                f"{shown_event_types(event_types)}{unset}"
            )
        normalised = _relative_module(module, fail_module)
        module_path = _join(app_dir, normalised)
        real_path = _inside_root(scope.root, module_path, fail_module)
        # Two names of one file (a symlink) would patch it twice, for two events.
        other = real_paths.setdefault(file_identity(real_path), normalised)
        if other != normalised:
            raise fail_module(
                f"{toml_quoted(normalised)} is the same file as {toml_quoted(other)} (a link, "
                "or the same name in other letter case); list it once"
            )
        # Generated files are rewritten by the tool: a patched one would be patched, then
        # rewritten or refused, on every run, never settling. (The module that builds the app is
        # fine: its routes are instrumented like any other module's.)
        if _overlaps(scope.root, module_path, analytics_dir):
            raise fail_module(
                f"{toml_quoted(normalised)} is in the generated package {analytics_dir}; "
                "instrument your own route modules only"
            )
        _check_capture(event_type, captured, scope, fail_module)
        instrument.append((normalised, event_type))
        if captured:
            capture.append((normalised, captured))
        if parameters:
            capture_from.append((normalised, parameters))
    if len({module for module, _ in instrument}) != len(instrument):
        raise scope.fail("instrument", "the same module is listed twice")
    scope.values["capture"] = tuple(sorted(capture))
    scope.values["capture_from"] = tuple(sorted(capture_from))
    scope.values["instrument_default"] = "instrument" not in scope.table
    return tuple(sorted(instrument))


def _instrument_table(
    value: dict[str, object], fail: _ProblemFail
) -> tuple[object, tuple[str, ...], tuple[tuple[str, str], ...]]:
    """``{ event = "...", capture = ["prop", { prop = "parameter" }, ...] }``.

    Returns the event type, the captured property names, and the (property, parameter) pairs of
    the properties filled from a parameter or body field of another name: the property's name is
    the plan's (snake_case), the parameter's the user's (``userId``, ``id_``).
    """
    for key in value:
        if key not in ("event", "capture"):
            raise fail(f"unknown key {toml_quoted(key)}; an instrument table has event and capture")
    items = value.get("capture", [])
    if not isinstance(items, list):
        raise fail(f"capture: expected a list of property names, got {toml_quoted(items)}")
    captured: list[str] = []
    parameters: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, str):
            captured.append(_captured_property(item, fail))
        elif isinstance(item, dict) and item:
            for name, parameter in item.items():
                if not isinstance(parameter, str) or not _is_parameter_name(parameter):
                    raise fail(
                        f"capture: {toml_quoted(parameter)} is not a Python parameter name; "
                        f'write {{ {_key_shown(name)} = "parameter" }} with the name the '
                        "handler uses"
                    )
                captured.append(name)
                if parameter != name:
                    parameters.append((name, parameter))
        else:
            raise fail(
                "capture: expected a list of property names (or "
                f'{{ property = "parameter" }} tables), got {toml_quoted(items)}'
            )
    if len(set(captured)) != len(captured):
        raise fail("capture: a property is listed twice")
    if "event" not in value:
        raise fail('missing event; an instrument table names its event type: { event = "..." }')
    return value["event"], tuple(captured), tuple(parameters)


def _key_shown(name: str) -> str:
    return name if _SNAKE_CASE.fullmatch(name) else toml_quoted(name)


def _is_parameter_name(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def _captured_property(name: str, fail: _ProblemFail) -> str:
    """A captured name given as a string: a property name, filled from the same-named parameter.

    A parameter name that is no property name (``userId``, ``id_``, ``ID``) is pointed at the
    table form that maps a property to it.
    """
    if _SNAKE_CASE.fullmatch(name) or not _is_parameter_name(name):
        return name  # an undeclared or misspelled one is named against the event's properties
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower().strip("_")
    words = re.sub(r"_+", "_", words)
    # `class_` maps to no `class` property (a keyword is no property name): a placeholder then.
    plain = _SNAKE_CASE.fullmatch(words) and not keyword.iskeyword(words)
    suggested = words if plain else "property_name"
    raise fail(
        f"capture: {toml_quoted(name)} is a parameter name, not a property name (snake_case); "
        f'map a property to it: capture = [{{ {suggested} = "{name}" }}]'
    )


def _check_capture(
    event_type: str, captured: tuple[str, ...], scope: _Scope, fail: _ProblemFail
) -> None:
    """A captured property must be declared; a declared event's required ones must be filled."""
    declared = {event.name: event for event in scope.values.get("events", ())}
    event = declared.get(event_type)
    if event is None:
        if captured:
            raise fail(
                f"capture needs {toml_quoted(event_type)} declared with its properties under "
                f"[tool.{TOOL_SECTION}.events.{event_type}]"
            )
        return
    for name in captured:
        if name in CONTEXT_PROPERTIES:
            # The inserted call's payload starts with these keys: a captured one would repeat
            # its key, and the handler's value would silently replace the one generate writes.
            raise fail(
                f"capture: {toml_quoted(name)} is filled by instrumentation itself (as "
                f"{', '.join(CONTEXT_PROPERTIES)} are); declare a property of another name "
                'and map it to the parameter: capture = [{ property = "parameter" }]'
            )
        if event.declared(name) is None:
            known = ", ".join(item.name for item in event.properties) or "none"
            raise fail(
                f"capture: {toml_quoted(name)} is not a property of {toml_quoted(event_type)} "
                f"(declared: {known})"
            )
    missing = [
        name for name in event.required if name not in captured and name not in CONTEXT_PROPERTIES
    ]
    if missing:
        pronoun = "it" if len(missing) == 1 else "them"
        raise fail(
            f"{toml_quoted(event_type)} requires {', '.join(missing)}, which instrumentation "
            f"can only fill by capture; add capture = {json.dumps(missing)} or declare {pronoun} "
            "required = false"
        )


def _validate_events(value: object, scope: _Scope) -> tuple[EventSpec, ...]:
    events = parse_events(value, scope.fail)
    # A declared event is an event type too, whether or not event-types lists it.
    listed: tuple[str, ...] = scope.values["event_types"]
    scope.values["event_types"] = listed + tuple(
        event.name for event in events if event.name not in listed
    )
    return events


def _validate_capture_errors(value: object, scope: _Scope) -> bool:
    if not isinstance(value, bool):
        raise scope.fail("capture-errors", f"expected true or false, got {toml_quoted(value)}")
    if value and ERROR_EVENT_TYPE not in scope.values["event_types"]:
        raise scope.fail(
            "capture-errors",
            f"needs {ERROR_EVENT_TYPE!r} in event-types; add it or set capture-errors = false",
        )
    declared = {event.name: event for event in scope.values.get("events", ())}
    if value and ERROR_EVENT_TYPE in declared:
        _check_error_event(declared[ERROR_EVENT_TYPE], scope)
    return value


def _check_error_event(event: EventSpec, scope: _Scope) -> None:
    """The error hook logs exception, method and route: a declared error_event must take them."""
    filled = ("exception", *CONTEXT_PROPERTIES)
    missing = [name for name in event.required if name not in filled]
    exception = event.declared("exception")
    if missing:
        problem = f"also requires {', '.join(missing)}, which the hook cannot fill"
    elif exception is None and not event.additional_properties:
        problem = 'does not declare exception; add properties.exception = { type = "string" }'
    elif exception is not None and (
        exception.type != "string"
        or exception.value.enum
        or exception.value.max_length is not None
        or (exception.value.min_length or 0) > 1
    ):
        # Any class name: a narrower property would refuse the hook's events.
        problem = (
            'declares exception otherwise; declare it as { type = "string" } '
            "(min-length = 1 at most, no max-length)"
        )
    else:
        return
    raise scope.fail(
        "capture-errors",
        f"the error hook logs {ERROR_EVENT_TYPE!r} with exception, method and route, but the "
        f"declared event {problem} (or set capture-errors = false)",
    )


def _validate_app(value: object, scope: _Scope) -> str | None:
    if value is not None:
        scope.values["app_source"] = APP_KEY
        # A server follows an attribute path by getattr (`main:service.api`); so does the key.
        return _import_string(
            value, lambda p: scope.fail(APP_KEY, p), "app.main:app", attribute_path=True
        )
    fastapi = scope.tool.get("fastapi")
    if fastapi is None:
        return None  # discovered, the way FastAPI CLI finds an app

    def fail(problem: str) -> ConfigError:
        return ConfigError(f"{shown_path(scope.config_file)}: {FASTAPI_ENTRYPOINT}: {problem}")

    if not isinstance(fastapi, dict):
        raise ConfigError(f"{shown_path(scope.config_file)}: [tool.fastapi] must be a table")
    entrypoint = fastapi.get("entrypoint")
    if entrypoint is None:
        return None
    prefix = _backend_module_prefix(scope)
    example = f"{prefix}.app.main:app" if prefix else "app.main:app"
    import_string = _import_string(entrypoint, fail, example)
    scope.values["app_source"] = FASTAPI_ENTRYPOINT
    # FastAPI CLI imports the entrypoint from the folder of pyproject.toml; ours is relative to
    # the backend folder. Strip the backend's own dotted path when the entrypoint starts with it
    # (``backend.app.main:app``); otherwise it already is (an installed or src-layout package).
    if prefix and import_string.startswith(prefix + "."):
        import_string = import_string[len(prefix) + 1 :]
    return import_string


def _backend_module_prefix(scope: _Scope) -> str:
    """The backend folder as a dotted name from the config file's folder, or '' when none."""
    try:
        relative = (scope.root / scope.values["backend"]).relative_to(scope.config_file.parent)
    except ValueError:
        return ""
    parts = [part for part in PurePosixPath(relative.as_posix()).parts if part != "."]
    if not all(_python_name(part) for part in parts):
        return ""
    return ".".join(parts)


def _import_string(
    value: object, fail: _ProblemFail, example: str, *, attribute_path: bool = False
) -> str:
    if not isinstance(value, str):
        raise fail(f"expected a string such as {example!r}, got {toml_quoted(value)}")
    # [tool.fastapi] entrypoint is read here, not by the plan's own length check.
    if (problem := _too_long(value, _MAX_STRING_LENGTH)) is not None:
        raise fail(problem)
    match = re.fullmatch(_IMPORT_STRING, value)
    if (
        match is None
        or not _is_dotted_name(match["module"])
        or not _is_dotted_name(match["attribute"], dotted=attribute_path)
    ):
        # Each form the key takes is shown: an attribute path only where it is read.
        path = "an attribute path, 'main:service.api', " if attribute_path else ""
        raise fail(
            f"{toml_quoted(value)} is not an import string '<dotted.module>:<attribute>', e.g. "
            f"{example!r} (or {path}a factory function, 'app.server:create_app')"
        )
    if match["module"] == MAIN_MODULE:
        raise fail(
            f"{toml_quoted(value)} names {MAIN_MODULE}, the script being run, which a server "
            "importing it does not find the app in; name the module by its dotted path instead, "
            "e.g. "
            f"{example!r}"
        )
    _check_name_lengths(value, [f"{part}.py" for part in match["module"].split(".")], fail)
    return value


def _validate_redact(value: object, scope: _Scope) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise scope.fail(
            "redact", f"expected a list of payload key names, got {toml_quoted(value)}"
        )
    if len(value) > _MAX_REDACT_KEYS:
        raise scope.fail("redact", f"lists {len(value)} keys; at most {_MAX_REDACT_KEYS}")
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, str) or not item:
            raise scope.fail("redact", f"expected non-empty key names, got {toml_quoted(item)}")
        if not re.fullmatch(_REDACT_KEY, item):
            raise scope.fail(
                "redact",
                f"{toml_quoted(item)}: use ASCII letters, digits, '_', '-' and '.', starting "
                "with a letter or digit (e.g. 'customer_ref')",
            )
        # Redaction ignores letter case, so 'Token' and 'token' are the same key.
        folded = item.casefold()
        if folded in seen:
            raise scope.fail("redact", f"{toml_quoted(item)} is listed twice")
        seen.add(folded)
    return tuple(value)


def _validate_sink(value: object, scope: _Scope) -> str:
    if not isinstance(value, str) or value not in SINKS:
        choices = " or ".join(json.dumps(sink) for sink in SINKS)
        raise scope.fail("sink", f"expected {choices}, got {toml_quoted(value)}")
    return value


# The keys, in documentation order; a validator may read the values of the keys before it.
KEYS: tuple[Key, ...] = (
    Key(
        name="backend",
        field="backend",
        type="string",
        default="backend",
        meaning="backend folder, relative to the root",
        validate=_validate_backend,
    ),
    Key(
        name="app-package",
        field="app_package",
        type="string",
        default="app",
        meaning='the importable package inside it (`backend/app`), or `""`: the app\'s '
        "modules are top-level in the backend folder (`backend/main.py`)",
        validate=_validate_app_package,
    ),
    Key(
        name="layer-package",
        field="layer_package",
        type="string",
        default=DEFAULT_LAYER_PACKAGE,
        meaning="the generated package inside the app package (`backend/app/analytics`); "
        "another name when the app already has an `analytics` of its own (or, in the flat "
        "layout, imports a library of that name)",
        validate=_validate_layer_package,
    ),
    Key(
        name="specs-dir",
        field="specs_dir",
        type="string",
        default="specs",
        meaning="where feature documents go, relative to the root",
        validate=_validate_specs_dir,
    ),
    Key(
        name="feature",
        field="feature",
        type="string",
        default="059-analytics-telemetry",
        meaning="feature folder name under `specs-dir`",
        validate=_validate_feature,
    ),
    Key(
        name="api-prefix",
        field="api_prefix",
        type="string",
        default="/api/telemetry",
        meaning="prefix of the telemetry router",
        validate=_validate_api_prefix,
    ),
    Key(
        name="event-types",
        field="event_types",
        type="array of strings",
        default=DEFAULT_EVENT_TYPES,
        meaning="allowed event types (snake_case, unique)",
        validate=_validate_event_types,
    ),
    Key(
        name="events",
        field="events",
        type="table",
        default=(),
        meaning="declared events, each `[events.<type>]` with a `description`, typed "
        "`properties` and `additional-properties` (see the event catalog)",
        validate=_validate_events,
        default_doc="`{}`",
    ),
    Key(
        name="instrument",
        field="instrument",
        type="table",
        default=(("api/ai_blocks.py", "ai_block_used"),),
        meaning="module (relative to the app package) → event type logged at the start of each "
        'of its route handlers, or `{ event = "...", capture = ["property", ...] }`; a '
        '`{ property = "parameter" }` item in `capture` fills a property from a parameter (or '
        "body field) of another name",
        validate=_validate_instrument,
    ),
    Key(
        name="capture-errors",
        field="capture_errors",
        type="boolean",
        default=True,
        meaning="also wire a hook into the app that logs an `error_event` for each unhandled "
        "exception (needs `error_event` in `event-types`)",
        validate=_validate_capture_errors,
    ),
    Key(
        name="app",
        field="app",
        type="string",
        default=None,
        meaning='the app as an import string relative to the backend folder, `"app.main:app"`, '
        'an attribute path `"main:service.api"` or a factory `"app.server:create_app"`',
        validate=_validate_app,
        default_doc="`[tool.fastapi] entrypoint`, else discovered",
    ),
    Key(
        name="redact",
        field="redact",
        type="array of strings",
        default=(),
        meaning="payload keys to redact in addition to the built-in sensitive list",
        validate=_validate_redact,
    ),
    Key(
        name="sink",
        field="sink",
        type="string",
        default="logging",
        meaning='where events go: `"logging"` (one log record each, the placeholder) or '
        '`"opentelemetry"` (an OpenTelemetry log record each; a no-op until the app configures '
        "an OpenTelemetry SDK)",
        validate=_validate_sink,
    ),
)
KEYS_BY_NAME: Mapping[str, Key] = {key.name: key for key in KEYS}
KNOWN_KEYS = tuple(key.name for key in KEYS)


def _default(name: str) -> Any:
    return KEYS_BY_NAME[name].default


def configuration_table() -> str:
    """The README's configuration table (Markdown), rendered from :data:`KEYS`."""
    rows = ["| key | default | meaning |", "|---|---|---|"]
    for key in KEYS:
        default = key.default_text()
        shown = default if default.startswith("`") else f"`{default}`"
        rows.append(f"| `{key.name}` | {shown} | {key.meaning} |")
    return "\n".join(rows) + "\n"


class Plan(NamedTuple):
    """A validated plan. Paths are POSIX strings relative to ``root``.

    ``app`` is the app's import string relative to the backend folder (``app.main:app``), or
    None to discover it; ``app_source`` says which setting gave it (:data:`APP_KEY` or
    :data:`FASTAPI_ENTRYPOINT`).
    """

    root: Path
    config_file: Path
    backend: str = _default("backend")
    app_package: str = _default("app-package")
    layer_package: str = _default("layer-package")
    specs_dir: str = _default("specs-dir")
    feature: str = _default("feature")
    api_prefix: str = _default("api-prefix")
    event_types: tuple[str, ...] = _default("event-types")
    instrument: tuple[tuple[str, str], ...] = _default("instrument")
    capture_errors: bool = _default("capture-errors")
    app: str | None = _default("app")
    redact: tuple[str, ...] = _default("redact")
    sink: str = _default("sink")
    events: tuple[EventSpec, ...] = _default("events")
    app_source: str | None = None
    capture: tuple[tuple[str, tuple[str, ...]], ...] = ()
    capture_from: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    # No `instrument` table in the config (or no config): `instrument` is the key's default,
    # which a message about one of its modules says (the user never wrote that module's name).
    instrument_default: bool = True

    def event(self, event_type: str) -> EventSpec | None:
        """The declared event ``event_type`` (None for a free-form one)."""
        return next((event for event in self.events if event.name == event_type), None)

    def captured(self, module: str) -> tuple[str, ...]:
        """The properties an ``instrument`` module captures from its handlers."""
        return dict(self.capture).get(module, ())

    def capture_parameters(self, module: str) -> dict[str, str]:
        """Property -> parameter (or body field) name for a module's renamed captures.

        Only the captured properties filled from a name other than their own are there
        (``{ user_id = "userId" }`` in the plan).
        """
        return dict(dict(self.capture_from).get(module, ()))

    @classmethod
    def default(cls, root: Path) -> "Plan":
        """Return the default plan for a project rooted at ``root``."""
        return cls(root=root, config_file=root / CONFIG_FILENAME)

    @property
    def config_shown(self) -> str:
        """The config file as the messages about the project name it.

        Relative to the root, like the project's files named on the same line (``pyproject.toml``
        beside ``backend/app/main.py``); a ``--config`` file outside the root as the user reaches
        it (:func:`~telemetry_cli.console.shown_path`): its bare name would name another file.
        """
        if self.config_file.is_relative_to(self.root):
            return self.config_file.relative_to(self.root).as_posix()
        return shown_path(self.config_file)

    @property
    def config_key(self) -> str | None:
        """The config file as the manifest records whose plan it is: None for the root's own.

        Relative to the root (POSIX; ``../shared.toml`` for one outside it), so that it names
        the same file in every checkout.
        """
        if self.config_file == self.root / CONFIG_FILENAME:
            return None
        return Path(os.path.relpath(self.config_file, self.root)).as_posix()

    @property
    def app_dir(self) -> str:
        """The app package folder, e.g. ``backend/app``."""
        return _join(self.backend, self.app_package.replace(".", "/"))

    @property
    def analytics_dir(self) -> str:
        """The generated analytics package folder, e.g. ``backend/app/analytics``."""
        return layer_dir(self.backend, self.app_package, self.layer_package)

    @property
    def analytics_package(self) -> str:
        """The import name of the generated package, e.g. ``app.analytics`` (or ``analytics``)."""
        return qualified(self.app_package, self.layer_package)

    @property
    def main_path(self) -> str:
        """The user's ``main.py``, e.g. ``backend/app/main.py``."""
        return _join(self.app_dir, "main.py")

    @property
    def main_module(self) -> str:
        """The import name of the user's ``main.py``, e.g. ``app.main`` (or ``main``)."""
        return qualified(self.app_package, "main")

    @property
    def feature_dir(self) -> str:
        """The spec-kit feature folder, e.g. ``specs/059-analytics-telemetry``."""
        return _join(self.specs_dir, self.feature)

    def module_path(self, module: str) -> str:
        """Return the root-relative path of an ``instrument`` module."""
        return _join(self.app_dir, module)

    def module_import_name(self, module: str) -> str:
        """Return the import name of an ``instrument`` module, e.g. ``app.api.ai_blocks``.

        A package's ``__init__.py`` is the package itself (``api/users/__init__.py`` is
        ``app.api.users``), as every import of it names it.
        """
        parts = list(PurePosixPath(module).with_suffix("").parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        return qualified(self.app_package, *parts)

    def resolve(self, relative: str) -> Path:
        """Return the absolute path of a root-relative POSIX path."""
        return self.root / relative


def qualified(package: str, *names: str) -> str:
    """A module's import name inside ``package``; :data:`TOP_LEVEL` adds no prefix."""
    return ".".join(part for part in (package, *names) if part)


def layer_dir(backend: str, app_package: str, layer_package: str) -> str:
    """The generated layer's folder, relative to the project root (``backend/app/analytics``)."""
    return _join(backend, app_package.replace(".", "/"), layer_package)


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
    passed_over: Path | None = None  # the nearest pyproject.toml that is no file (a folder)
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILENAME
        if not candidate.is_file():
            if passed_over is None and (candidate.exists() or candidate.is_symlink()):
                passed_over = candidate
            continue
        if nearest is None:
            nearest = candidate
        try:
            # Decoded as loading it decodes it (line ends kept): the text it parses is the same,
            # so parse_toml parses it once a run, a CRLF file too.
            text = SourceText.decode(candidate.read_bytes(), CONFIG_FILENAME).text
        except (OSError, FileProblem):
            continue
        # A cheap textual probe before parsing: most pyproject files on the way up are not ours.
        # The table has many TOML spellings (`[tool]` with an inline table, dotted keys, quoted
        # names), so the text only tells which files to parse.
        if "telemetry" not in text.casefold():
            continue
        try:
            tool = parse_toml(text).get("tool")
        except (tomllib.TOMLDecodeError, RecursionError):
            return candidate  # it names the table, maybe: loading it says what is wrong
        if isinstance(tool, dict) and (TOOL_SECTION in tool or _misspelt_table(tool)):
            return candidate
    if nearest is None and passed_over is not None:
        # Saying that none exists would send the user looking for the one they can see.
        problem = (
            "is a folder, expected a file"
            if passed_over.is_dir()
            else _not_a_file(passed_over, "not found")
        )
        raise ConfigError(
            f"{shown_path(passed_over)}: {problem}; run from your project or pass --root DIR"
        )
    if nearest is None:
        raise ConfigError(
            f"no {CONFIG_FILENAME} found in {shown_path(start)} or any parent folder; "
            "run from your project or pass --root DIR"
        )
    return nearest


def plan_location(
    root: Path | None = None, config: Path | None = None, cwd: Path | None = None
) -> tuple[Path, Path]:
    """The plan's configuration file and the project root, as :func:`load_plan` finds them.

    A run finds the root to lock with it, then loads the plan under the lock, which finds the
    file again (a run it waited for may have written the table there: ``init``). With neither
    ``root`` nor ``config``, the ``pyproject.toml`` files on the way up that mention the tool
    are parsed to tell which holds its table (:func:`find_config`); the parse is cached, so the
    second search parses nothing unless the file changed in between.

    Raises:
        ConfigError: the file or the root is missing, or not what it must be.
    """
    if config is not None:
        config_file = config if config.is_absolute() else (cwd or current_folder()) / config
        if config_file.is_dir():
            raise ConfigError(
                f"{shown_path(config)}: --config is a folder; name the TOML file in it"
            )
        if not config_file.is_file():
            raise ConfigError(
                f"{shown_path(config)}: {_not_a_file(config_file, 'config file not found')}"
            )
        project_root = root if root is not None else config_file.parent
    elif root is not None:
        if not root.is_dir():
            raise ConfigError(f"{shown_path(root)}: --root is not a folder")
        config_file = root / CONFIG_FILENAME
        if not config_file.is_file():
            raise ConfigError(
                f"{shown_path(config_file)}: "
                + _not_a_file(
                    config_file,
                    f"not found; --root must name the folder holding {CONFIG_FILENAME}",
                )
            )
        project_root = root
    else:
        config_file = find_config(cwd or current_folder())
        project_root = config_file.parent
    if not project_root.is_dir():
        raise ConfigError(f"{shown_path(project_root)}: --root is not a folder")
    return config_file, project_root


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
    config_file, project_root = plan_location(root, config, cwd)
    tool = _read_tool_table(config_file, named=config is not None)
    refuse_misspelt_table(tool, shown_path(config_file))
    table = tool.get(TOOL_SECTION, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{shown_path(config_file)}: [tool.{TOOL_SECTION}] must be a table")
    return plan_from_table(
        table, root=project_root.resolve(), config_file=config_file.resolve(), tool=tool
    )


# What a path that exists but is no regular file is, by its st_mode (named in the error).
_FILE_KINDS: Final = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_a_file(path: Path, missing: str) -> str:
    """Why ``path`` (not a folder, not a regular file) cannot be read as a config file.

    ``missing`` is the message for a path that does not exist. Nothing is opened: opening a
    named pipe would wait for a writer.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        if path.is_symlink():
            return f"{missing} (a broken symbolic link)"
        return missing
    for is_kind, kind in _FILE_KINDS:
        if is_kind(mode):
            return f"not a regular file ({kind}); name a TOML file"
    return "not a regular file; name a TOML file"


def _misspelt_table(tool: Mapping[str, object]) -> str | None:
    """The name of a ``[tool]`` table that is a misspelling of ours (``telemetry_scaffold``)."""
    for name in tool:
        if name != TOOL_SECTION and closest(name, (TOOL_SECTION,), cutoff=0.85):
            return name
    return None


def refuse_misspelt_table(tool: Mapping[str, object], shown: str) -> None:
    """Refuse a ``[tool]`` table named like ours but not quite (``[tool.telemetry_scaffold]``).

    Its keys would be silently ignored, and the default plan generated in their place.

    Raises:
        ConfigError: naming the table and the right name; ``shown`` names the file.
    """
    misspelt = _misspelt_table(tool)
    if misspelt is not None:
        raise ConfigError(
            f"{shown}: [tool.{misspelt}]: unknown table; did you mean [tool.{TOOL_SECTION}]?"
        )


_MAX_PLAN_FILE = 1 << 20  # holds_plan reads a name from the manifest: never a huge file
_NO_SUCH_FILE = frozenset((errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG, errno.ELOOP))


def holds_plan(config_file: Path) -> bool:
    """Whether ``config_file`` holds a ``[tool.telemetry-scaffold]`` table (or may: unreadable).

    A file that cannot be read or parsed may still be the other plan's: the safe side. So may
    one in a folder that cannot be looked into; only a name of no file at all holds none.
    """
    try:
        info = config_file.stat()
    except ValueError:
        return False  # no file can have that name (a NUL byte)
    except OSError as exc:
        # Missing, or no file can have that name (too long, a link loop); anything else
        # (a folder that cannot be looked into) may hide the other plan's config.
        return exc.errno not in _NO_SUCH_FILE
    if not stat.S_ISREG(info.st_mode):
        return False
    if info.st_size > _MAX_PLAN_FILE:
        return True  # not read: no config is that large, and the safe side is to stop
    try:
        return TOOL_SECTION in _read_tool_table(config_file)
    except ConfigError:
        return True


def _read_tool_table(config_file: Path, *, named: bool = False) -> Mapping[str, object]:
    """Return the ``[tool]`` table of a TOML file (empty when it has none).

    ``named``: the file was named by ``--config``; then an empty file is an error, not a plan
    of defaults (a file named on purpose with nothing in it is a mistake: ``/dev/null``, a
    file truncated by a failed write).
    """
    try:
        # A byte order mark is not TOML, but editors add one and the tool keeps it in the files
        # it edits (init included): read past it, as Python's "utf-8-sig" does. Line ends are
        # kept as they are (read_text would turn a lone CR into a line break): TOML allows no
        # lone CR, and a key after one in a comment would be read here but by no other tool.
        raw = config_file.read_bytes()
        if conflict_marker_line(raw) is not None:
            # Even where the markers stand inside a multi-line string, and it parses.
            raise ConfigError(unresolved_conflict(shown_path(config_file), raw, generated=False))
        text = SourceText.decode(raw, shown_path(config_file)).text
        if named and not text.strip():
            raise ConfigError(
                f"{shown_path(config_file)}: the config file is empty; "
                f"write a [tool.{TOOL_SECTION}] table in it"
            )
        data = parse_toml(text)
    except FileProblem as problem:
        # Not UTF-8: the byte and its offset, as every file the tool reads names them.
        raise ConfigError(problem.message) from None
    except OSError as exc:
        raise ConfigError(f"{shown_path(config_file)}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{shown_path(config_file)}: invalid TOML: {' '.join(str(exc).split())}"
        ) from None
    except RecursionError:
        # tomllib recurses once per level of nested arrays and inline tables.
        raise ConfigError(
            f"{shown_path(config_file)}: invalid TOML: values nest too deeply to read; "
            "no plan needs more than a few levels"
        ) from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        # `tool = "x"` cannot hold [tool.telemetry-scaffold]: ignoring it would silently
        # generate the default plan (init refuses the same file).
        raise ConfigError(f"{shown_path(config_file)}: `tool` must be a table")
    return tool


def plan_from_table(
    table: Mapping[str, object],
    *,
    root: Path,
    config_file: Path,
    tool: Mapping[str, object] | None = None,
) -> Plan:
    """Validate a ``[tool.telemetry-scaffold]`` table and build the plan from it.

    Args:
        table: the ``[tool.telemetry-scaffold]`` table.
        root: the project root, absolute.
        config_file: the file the table comes from (named in every error).
        tool: the whole ``[tool]`` table, for ``[tool.fastapi] entrypoint``.

    Raises:
        ConfigError: an unknown key or a bad value, named in one line.
    """
    scope = _Scope(
        root=root,
        config_file=config_file,
        table=table,
        tool=tool if tool is not None else {TOOL_SECTION: table},
        values={},
    )
    _printable_name(config_name(root, config_file), config_file)
    for name in table:
        if name not in KEYS_BY_NAME:
            close = closest(name, KNOWN_KEYS)
            hint = f"did you mean '{close}'?" if close else f"known keys: {', '.join(KNOWN_KEYS)}"
            raise scope.fail(name, f"unknown key; {hint}")
    for key in KEYS:
        value = table.get(key.name, key.toml_default)
        if key.name not in _OWN_LIMITS:
            _check_string_lengths(key.name, value, scope)
        scope.values[key.field] = key.validate(value, scope)
    return Plan(root=root, config_file=config_file, **scope.values)


def _too_long(value: str, limit: int) -> str | None:
    """What is wrong with ``value`` when it is longer than ``limit`` characters."""
    if len(value) <= limit:
        return None
    return f"{toml_quoted(value, 40)} is longer than {limit} characters ({len(value)})"


def _check_string_lengths(name: str, value: object, scope: _Scope) -> None:
    """Refuse a string in the key ``name``'s value (at any depth) longer than its limit."""
    limit = _MAX_STRING_LENGTHS.get(name, _MAX_STRING_LENGTH)
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if (problem := _too_long(item, limit)) is not None:
                raise scope.fail(name, problem)
        elif isinstance(item, list):
            pending.extend(reversed(item))
        elif isinstance(item, dict):
            for key, entry in reversed(item.items()):
                pending += [entry, key]


def config_name(root: Path, config_file: Path) -> str:
    """The config file as the generated documents name it: relative to ``root``, else its name.

    The same rule for the documents and for the check that the name prints on one line.
    """
    try:
        return config_file.relative_to(root).as_posix()
    except ValueError:
        return config_file.name


def _printable_name(name: str, config_file: Path) -> None:
    """Refuse a config file name the documents (Markdown, YAML) could not quote on one line."""
    flaw = _unprintable(name)
    if flaw is not None:
        # The message quotes the name with its escapes: the raw name would break the line.
        raise ConfigError(
            f"{shown_path(config_file)!r}: the config file's name contains {flaw}, which the "
            "generated documents cannot quote; rename the file"
        )


def _unprintable(text: str) -> str | None:
    """Describe the first character that cannot stand in one line of a document, or None."""
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Zl", "Zp") or char in _BIDI_CONTROLS:
            kind = "a lone surrogate" if category == "Cs" else "a control character"
            return f"{kind} (U+{ord(char):04X})"
    return None


def _python_name(part: str) -> bool:
    """Whether ``part`` imports as a module or package name, in any script (PEP 3131).

    ``from app.用户 import 路由`` imports; Python reads a name in its NFKC form, so a file spelled
    otherwise (``ﬁle.py`` with the ligature) is never found by it.
    """
    return (
        part.isidentifier()
        and not keyword.iskeyword(part)
        and unicodedata.normalize("NFKC", part) == part
    )


def _is_dotted_name(value: str, *, dotted: bool = True) -> bool:
    parts = value.split(".") if dotted else [value]
    return all(_python_name(part) for part in parts)


def _folder(key: str, value: str, scope: _Scope) -> str:
    def fail(problem: str) -> ConfigError:
        return scope.fail(key, problem)

    flaw = _unprintable(value)
    if flaw is not None:
        # Paths are quoted in Markdown, YAML and shell lines of the documents; a line break or
        # an invisible control there would break them or hide what they say.
        raise fail(f"{toml_quoted(value)} contains {flaw}; rename the folder")
    posix = _clean_relative(value, fail)
    resolved = _inside_root(scope.root, posix, fail)
    try:
        is_folder = stat.S_ISDIR(resolved.stat().st_mode)
    except FileNotFoundError:
        is_folder = True  # not there yet: generate creates it
    except OSError as exc:
        raise fail(f"{toml_quoted(posix)}: cannot inspect: {exc.strerror}") from None
    if not is_folder:
        # Everything below it would fail to be written, one file at a time.
        raise fail(f"{toml_quoted(posix)} exists and is not a folder")
    return posix


def _relative_module(value: str, fail: _ProblemFail) -> str:
    posix = _clean_relative(value, fail)
    if not posix.endswith(".py") or posix == ".py":
        raise fail(
            f"{toml_quoted(value)} must be a .py file relative to the app package, "
            "e.g. 'api/ai_blocks.py'"
        )
    parts = PurePosixPath(posix).with_suffix("").parts
    if not all(_python_name(part) for part in parts):
        raise fail(
            f"{toml_quoted(value)} is not an importable module path "
            "(use names like 'api/ai_blocks.py')"
        )
    return posix


def _clean_relative(value: str, fail: _ProblemFail) -> str:
    if "\\" in value:
        raise fail(f"{toml_quoted(value)}: use '/' as the path separator")
    path = PurePosixPath(value)
    if path.is_absolute() or re.match(r"^[A-Za-z]:", value):
        raise fail(f"{toml_quoted(value)} is absolute; paths are relative to the project root")
    if value.startswith("~"):
        # A shell's home folder (`~/docs`, `~user`): meant outside the root, and taken as it is
        # it would create a folder named `~` there, which `rm -r ~` then mistakes for home.
        raise fail(
            f"{toml_quoted(value)} starts with '~', which is not expanded; paths are relative to "
            "the project root"
        )
    if ".." in path.parts:
        raise fail(f"{toml_quoted(value)} leaves the project root ('..' is not allowed)")
    _check_name_lengths(value, path.parts, fail)
    for name in path.parts:
        if any(unicodedata.category(char) == "Zs" for char in name[:1] + name[-1:]):
            # A typo nearly always (`backend = " backend"`), and a name some systems refuse.
            raise fail(
                f"{toml_quoted(value)}: the name {toml_quoted(name)} starts or ends with a space; "
                "remove it"
            )
    return path.as_posix()


def _check_name_lengths(value: str, names: Iterable[str], fail: _ProblemFail) -> None:
    """Refuse a file or folder name in ``value`` longer than any file system takes."""
    for name in names:
        if len(name.encode("utf-8", "surrogatepass")) > _NAME_MAX:
            raise fail(
                f"{toml_quoted(value)}: the name {name[:24]!r}... is longer than {_NAME_MAX} "
                "bytes, more than file systems allow; shorten it"
            )


def _inside_root(root: Path, relative: str, fail: _ProblemFail) -> Path:
    """Return where ``relative`` really leads, refusing places outside ``root``."""
    # Symlinks count: a folder that links outside the root would let us write there.
    resolved = _resolve(root / relative, relative, fail)
    if not is_within(resolved, _resolve(root, ".", fail)):
        raise fail(f"{toml_quoted(relative)} resolves to {resolved}, outside the project root")
    return resolved


def _resolve(path: Path, relative: str, fail: _ProblemFail) -> Path:
    resolved = real_path(path)
    if resolved is None:
        raise fail(f"{toml_quoted(relative)}: symlink loop")
    return resolved


def _overlaps(root: Path, inner: str, outer: str) -> bool:
    """True when ``inner`` is ``outer`` or inside it, as written or once symlinks are followed."""
    if inner == outer or PurePosixPath(outer) in PurePosixPath(inner).parents:
        return True
    # For comparisons only: a loop elsewhere is reported for the file it breaks, not this key.
    real_inner, real_outer = real_path(root / inner), real_path(root / outer)
    if real_inner is None or real_outer is None:
        return False
    return is_within(real_inner, real_outer)
