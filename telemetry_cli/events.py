"""The event catalog: events declared in the plan, each with its typed properties.

``[tool.telemetry-scaffold.events.<type>]`` declares an event: a ``description``, its
``properties`` (each a small JSON-Schema-like table) and ``additional-properties``. This module
reads and validates those tables; the generated models, tracking functions, contract, JSON
Schema and documents are all rendered from the :class:`EventSpec` values it returns.
"""

import builtins
import keyword
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

from telemetry_cli.console import toml_quoted
from telemetry_cli.errors import ConfigError

#: The property types a plan can declare (the vocabulary documented in the README).
PROPERTY_TYPES = ("string", "integer", "number", "boolean", "datetime", "array")
#: What instrumentation puts in every instrumented event: valid for any declared event without
#: being declared (declaring one only describes it, and it must then be a string).
CONTEXT_PROPERTIES = ("route", "method", "handler", "block_type")

# The tracking method's parameter that takes an event's undeclared properties.
EXTRA_KEYWORDS = "additional_properties"
_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_MAX_PROPERTIES = 64
_MAX_PROPERTY_NAME = 64
#: The line length of the generated code (the length ruff checks it at).
LINE_LENGTH = 100
# The line of generated code an enum's type name must fit in, beside its property's name: the
# tracking method's parameter ``        <name>: <Alias>,``, which ruff cannot split.
_ENUM_PARAMETER = len("        : ,")
# An array's items enum is alone on its lines there; its definition ``<Alias> = (`` must fit.
_ENUM_DEFINITION = len(" = (")
_MAX_DESCRIPTION = 500
# A value is a string literal of the generated code, alone on its line at worst (ruff cannot
# split a string): longer ones with spaces would make lines ruff check refuses.
_MAX_ENUM_VALUE = 64
_MAX_ENUM = 100
# Integers JSON carries exactly (RFC 7493): larger bounds would be rounded in the OpenAPI.
_MAX_EXACT_INTEGER = 2**53 - 1
# Names the tracking methods' annotations read in the EventTracker class body (the builtins
# are refused already): an event's method of that name would hide them.
_TRACKER_READS = frozenset({"datetime"})
_EVENT_KEYS = frozenset({"description", "properties", "additional-properties"})
_PROPERTY_KEYS = {
    "string": {"enum", "max-length", "min-length"},
    "integer": {"minimum", "maximum"},
    "number": {"minimum", "maximum"},
    "boolean": set(),
    "datetime": set(),
    "array": {"items", "max-items"},
}
_COMMON_KEYS = {"type", "required", "description"}

Fail = Callable[[str, str], ConfigError]

# The free-form events' alternative of the log request (when some event types are declared).
FREE_FORM_REQUEST = "FreeFormEventRequest"
# Names the generated analytics_models.py and event_logger.py bind at module level (their own
# definitions and imports; the logger imports the enum aliases): no generated class may take one.
# tests/test_catalog.py checks this against the rendered modules.
RESERVED_NAMES = frozenset(
    {
        "ALLOWED_EVENT_TYPES",
        "ALLOWED_TYPES_NAMED",
        "AfterValidator",
        "AnalyticsEvent",
        "Annotated",
        "Any",
        "AsyncGenerator",
        "BaseModel",
        "BeforeValidator",
        "Boolean",
        "CARD_LOW",
        "Callable",
        "ClassVar",
        "Collection",
        "ConfigDict",
        "DATA_KEY",
        "DataclassInstance",
        "DateTimeString",
        "Decimal",
        "Enum",
        "ErrorDetail",
        "EventLogger",
        "EventSink",
        "EventTracker",
        "EventType",
        "EventValidationError",
        "Field",
        "FieldInfo",
        "Final",
        "FreeFormEventType",
        "FreeFormPayload",
        "HEALTH_WINDOW_SECONDS",
        "HealthStatus",
        "Integer",
        "Iterable",
        "LOGGER_NAME",
        "Literal",
        "LogEventAccepted",
        "LogEventEnvelope",
        "LogEventRequest",
        "LoggingSink",
        "MAX_PAYLOAD_BYTES",
        "MAX_PAYLOAD_DEPTH",
        "MAX_PAYLOAD_KEYS",
        "MODEL_FORMS",
        "Mapping",
        "MutableSequence",
        "Number",
        "OpenTelemetrySink",
        "PAYLOAD_MODELS",
        "PayloadProblem",
        "PlainSerializer",
        "Protocol",
        "PurePath",
        "QueueFullError",
        "QueueSink",
        "QueueStats",
        "REDACTED",
        "SENSITIVE_KEYS",
        "SHUTDOWN_FLUSH_SECONDS",
        "Sequence",
        "Set",
        "SinkError",
        "StandardContext",
        "Strict",
        "SupportsIndex",
        "TIMESTAMP_PATTERN",
        "TelemetryError",
        "TypeGuard",
        "TypeVar",
        "UUID",
        "Union",
        "UnionType",
        "ValidationError",
        "ValidationErrorDetail",
        "ValidationProblem",
        "WARNING_INTERVAL_SECONDS",
        "WithJsonSchema",
        "WrapSerializer",
        FREE_FORM_REQUEST,
        "DROP",
        "KEEP",
        "FieldRule",
    }
)


class ValueSpec(NamedTuple):
    """The type of a value and its constraints (a property's, or an array's items)."""

    type: str
    enum: tuple[str, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    items: "ValueSpec | None" = None
    max_items: int | None = None


class PropertySpec(NamedTuple):
    """One declared property of an event."""

    name: str
    value: ValueSpec
    required: bool = True
    description: str = ""

    @property
    def type(self) -> str:
        """The property's type name."""
        return self.value.type


class EventSpec(NamedTuple):
    """One declared event: its properties, and whether others are allowed too."""

    name: str
    description: str = ""
    properties: tuple[PropertySpec, ...] = ()
    additional_properties: bool = False

    def declared(self, name: str) -> PropertySpec | None:
        """The declared property ``name``, if any."""
        return next((item for item in self.properties if item.name == name), None)

    @property
    def required(self) -> tuple[str, ...]:
        """The names of the required properties, in declaration order."""
        return tuple(item.name for item in self.properties if item.required)


def parse_events(value: object, fail: Fail) -> tuple[EventSpec, ...]:
    """Validate the ``events`` table: ``{type: {description, properties, ...}}``.

    Raises:
        ConfigError: from ``fail(key, problem)``, naming the event, the property and the fix.
    """
    if not isinstance(value, Mapping):
        raise fail("events", "expected a table of [events.<event_type>] tables")
    events = []
    for name, table in value.items():
        where = f"events.{name}"
        if not isinstance(name, str) or not _NAME.fullmatch(name) or len(name) > 64:
            raise fail(where, "an event type is snake_case, at most 64 characters")
        if not isinstance(table, Mapping):
            raise fail(where, "expected a table with description and properties")
        if keyword.iskeyword(name) or name in dir(builtins):
            # It names the event's tracking method, event_logger.track.<name>(...).
            raise fail(where, f"{name!r} is a Python keyword or builtin name; rename the event")
        if name in _TRACKER_READS:
            # A method of that name would hide the type the other methods' parameters read.
            raise fail(
                where,
                f"{name!r} names a type of the tracking methods' parameters; rename the event",
            )
        for key in table:
            if key not in _EVENT_KEYS:
                raise fail(
                    f"{where}.{key}",
                    f"unknown key; an event has {', '.join(sorted(_EVENT_KEYS))}",
                )
        description = _description(table.get("description", ""), f"{where}.description", fail)
        additional = table.get("additional-properties", False)
        if not isinstance(additional, bool):
            raise fail(
                f"{where}.additional-properties",
                f"expected true or false, got {toml_quoted(additional)}",
            )
        properties = table.get("properties", {})
        if not isinstance(properties, Mapping):
            raise fail(f"{where}.properties", "expected a table of property = { type = ... }")
        if len(properties) > _MAX_PROPERTIES:
            raise fail(
                f"{where}.properties", f"declares {len(properties)}; at most {_MAX_PROPERTIES}"
            )
        specs = tuple(
            _property(prop, spec, f"{where}.properties.{prop}", fail)
            for prop, spec in properties.items()
        )
        if additional and any(spec.name == EXTRA_KEYWORDS for spec in specs):
            # The tracking method takes the undeclared properties as **additional_properties.
            raise fail(
                f"{where}.properties.{EXTRA_KEYWORDS}",
                f"{EXTRA_KEYWORDS!r} cannot be a property name of an event with "
                "additional-properties; rename it",
            )
        events.append(EventSpec(name, description, specs, additional))
    check_class_names(events, fail)
    return tuple(events)


def _property(name: object, spec: object, where: str, fail: Fail) -> PropertySpec:
    if not isinstance(name, str) or not _NAME.fullmatch(name) or keyword.iskeyword(name):
        raise fail(where, "a property name is snake_case and not a Python keyword")
    if len(name) > _MAX_PROPERTY_NAME:
        # The generated tracking methods and models are laid out for names up to this length.
        raise fail(where, f"a property name is at most {_MAX_PROPERTY_NAME} characters")
    if not isinstance(spec, Mapping):
        raise fail(where, 'expected a table such as { type = "string" }')
    value = _value(spec, where, fail, allow=_COMMON_KEYS)
    required = spec.get("required", True)
    if not isinstance(required, bool):
        raise fail(f"{where}.required", f"expected true or false, got {toml_quoted(required)}")
    description = _description(spec.get("description", ""), f"{where}.description", fail)
    if name == "self":
        # It is a keyword argument of the event's tracking method, beside the method's own self.
        raise fail(where, "'self' cannot be a property name; rename it")
    if name in CONTEXT_PROPERTIES:
        if value.type != "string":
            raise fail(
                where,
                f"{toml_quoted(name)} is filled by instrumentation with a string; declare it as "
                '{ type = "string" } or leave it out',
            )
        required = False  # callers other than instrumentation may leave it out
    return PropertySpec(name, value, required, description)


def _value(spec: Mapping[str, object], where: str, fail: Fail, *, allow: set[str]) -> ValueSpec:
    kind = spec.get("type")
    if kind not in PROPERTY_TYPES:
        raise fail(
            f"{where}.type", f"expected one of {', '.join(PROPERTY_TYPES)}, got {toml_quoted(kind)}"
        )
    assert isinstance(kind, str)
    allowed = allow | _PROPERTY_KEYS[kind]
    for key in spec:
        if key not in allowed:
            raise fail(
                f"{where}.{key}",
                f"not a setting of {'an' if kind[0] in 'aeiou' else 'a'} {kind} property; it takes "
                f"{', '.join(sorted(allowed))}",
            )
    enum = spec.get("enum", [])
    if not isinstance(enum, list) or not all(isinstance(item, str) for item in enum):
        raise fail(f"{where}.enum", "expected a list of strings")
    if "enum" in spec and not enum:
        # No value would be valid: the property was read as any string, silently.
        raise fail(f"{where}.enum", "lists no value; list the accepted strings, or drop enum")
    if len(set(enum)) != len(enum) or len(enum) > _MAX_ENUM:
        raise fail(f"{where}.enum", f"expected distinct strings, at most {_MAX_ENUM}")
    for item in enum:
        # Each value is written into code and documents as it is.
        if not item.isprintable() or len(item) > _MAX_ENUM_VALUE:
            raise fail(
                f"{where}.enum",
                f"{toml_quoted(item)}: a value is one line of printable text, at most "
                f"{_MAX_ENUM_VALUE} characters",
            )
    min_length = _count(spec.get("min-length"), f"{where}.min-length", fail)
    max_length = _count(spec.get("max-length"), f"{where}.max-length", fail)
    if enum and (min_length is not None or max_length is not None):
        raise fail(f"{where}.enum", "an enum lists every value; drop min-length and max-length")
    if min_length is not None and max_length is not None and min_length > max_length:
        raise fail(f"{where}.min-length", "is greater than max-length")
    minimum = _bound(spec.get("minimum"), f"{where}.minimum", kind, fail)
    maximum = _bound(spec.get("maximum"), f"{where}.maximum", kind, fail)
    if minimum is not None and maximum is not None and minimum > maximum:
        raise fail(f"{where}.minimum", "is greater than maximum")
    items = None
    if kind == "array":
        raw = spec.get("items")
        if not isinstance(raw, Mapping):
            raise fail(f"{where}.items", 'an array needs items = { type = "..." }')
        items = _value(raw, f"{where}.items", fail, allow={"type"})
        if items.type == "array":
            raise fail(f"{where}.items.type", "arrays of arrays are not supported")
    max_items = _count(spec.get("max-items"), f"{where}.max-items", fail)
    return ValueSpec(kind, tuple(enum), min_length, max_length, minimum, maximum, items, max_items)


def _count(value: object, where: str, fail: Fail) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise fail(where, f"expected a whole number of at least 0, got {toml_quoted(value)}")
    if value > _MAX_EXACT_INTEGER:
        # pydantic takes a count of at most 64 bits, JSON carries one exactly up to 2^53 - 1.
        raise fail(
            where, f"must be at most {_MAX_EXACT_INTEGER} (2^53 - 1), got {toml_quoted(value)}"
        )
    return value


def _bound(value: object, where: str, kind: str, fail: Fail) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
        raise fail(where, f"expected a finite number, got {toml_quoted(value)}")
    if kind == "integer" and not float(value).is_integer():
        raise fail(where, f"an integer property needs a whole number, got {toml_quoted(value)}")
    if kind == "integer" and abs(value) > _MAX_EXACT_INTEGER:
        raise fail(
            where, f"must be within ±{_MAX_EXACT_INTEGER} (2^53 - 1), got {toml_quoted(value)}"
        )
    if isinstance(value, int) and float(value) != value:
        # A number property validates floats: pydantic compares with the nearest float, the
        # contract and JSON Schema with the integer as written; they must be the same number.
        raise fail(where, f"is not exactly a float; write it as {float(value)!r}")
    return value


def _finite(value: float) -> bool:
    """Whether ``value`` is a finite number that a float can hold (an integer may not fit)."""
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond the largest float
        return False


def _description(value: object, where: str, fail: Fail) -> str:
    if not isinstance(value, str) or len(value) > _MAX_DESCRIPTION:
        raise fail(where, f"expected a string of at most {_MAX_DESCRIPTION} characters")
    if any(not character.isprintable() for character in value):
        raise fail(where, "must be one line of printable text")
    # Spaces around the words mean nothing; one of spaces only is no description (docstrings
    # would get an empty paragraph).
    return value.strip(" ")


def camel(name: str) -> str:
    """``ai_block_used`` -> ``AiBlockUsed``; a part starting with a digit keeps its underscore.

    Keeping it makes the mapping one-to-one: ``a_1b`` -> ``A_1b`` and ``a1b`` -> ``A1b``.
    """
    head, *rest = name.split("_")
    text = head[:1].upper() + head[1:]
    for part in rest:
        text += "_" + part if part[:1].isdigit() else part[:1].upper() + part[1:]
    return text


def check_class_names(specs: Iterable[EventSpec], fail: Fail) -> None:
    """Refuse two generated class names that would be the same, or one of the modules' own.

    Each event has a payload model (``<Event>Payload``), a log request (``<Event>LogRequest``)
    and a ``Literal`` alias per enum (``<Event><Property>``).

    Raises:
        ConfigError: from ``fail(key, problem)``, naming both owners of the name.
    """
    owners: dict[str, str] = dict.fromkeys(RESERVED_NAMES, "a name of the generated modules")
    for spec in specs:
        prefix = camel(spec.name)
        names = [
            (prefix + "Payload", f"the payload model of {spec.name}"),
            (prefix + "LogRequest", f"the log request of {spec.name}"),
        ]
        for item in spec.properties:
            value = item.value.items if item.value.type == "array" else item.value
            if value is not None and value.enum:
                alias = prefix + camel(item.name)
                names.append((alias, f"the enum of {spec.name}.{item.name}"))
                _check_alias_length(spec.name, item, alias, fail)
        for name, what in names:
            if name in owners:
                raise fail(
                    f"events.{spec.name}",
                    f"{what} would be the class {name}, which is already {owners[name]}; "
                    "rename the event or the property",
                )
            owners[name] = what


def _check_alias_length(event: str, item: PropertySpec, alias: str, fail: Fail) -> None:
    """Refuse an enum type name that makes a line of generated code ruff cannot split."""
    if item.value.type == "array":
        used, room = len(alias), LINE_LENGTH - _ENUM_DEFINITION
        what = f"its enum's type name {alias} is"
    else:
        used, room = len(item.name) + len(alias), LINE_LENGTH - _ENUM_PARAMETER
        what = f"its enum's type name {alias} and the property name are together"
    if used > room:
        raise fail(
            f"events.{event}.properties.{item.name}",
            f"{what} longer than a line of generated code allows ({used} > {room} characters); "
            "shorten the event type or the property name",
        )
