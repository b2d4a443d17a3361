"""The event catalog: events declared in the plan, each with its typed properties.

``[tool.telemetry-scaffold.events.<type>]`` declares an event: a ``description``, its
``properties`` (each a small JSON-Schema-like table) and ``additional-properties``. This module
reads and validates those tables; the generated models, tracking functions, contract, JSON
Schema and documents are all rendered from the :class:`EventSpec` values it returns.
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

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
_MAX_DESCRIPTION = 500
_MAX_ENUM = 100
# Integers JSON carries exactly (RFC 7493): larger bounds would be rounded in the OpenAPI.
_MAX_EXACT_INTEGER = 2**53 - 1
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


@dataclass(frozen=True)
class ValueSpec:
    """The type of a value and its constraints (a property's, or an array's items)."""

    type: str
    enum: tuple[str, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    items: ValueSpec | None = None
    max_items: int | None = None


@dataclass(frozen=True)
class PropertySpec:
    """One declared property of an event."""

    name: str
    value: ValueSpec
    required: bool = True
    description: str = ""

    @property
    def type(self) -> str:
        """The property's type name."""
        return self.value.type


@dataclass(frozen=True)
class EventSpec:
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
                f"{where}.additional-properties", f"expected true or false, got {additional!r}"
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
    return tuple(events)


def _property(name: object, spec: object, where: str, fail: Fail) -> PropertySpec:
    if not isinstance(name, str) or not _NAME.fullmatch(name) or keyword.iskeyword(name):
        raise fail(where, "a property name is snake_case and not a Python keyword")
    if not isinstance(spec, Mapping):
        raise fail(where, 'expected a table such as { type = "string" }')
    value = _value(spec, where, fail, allow=_COMMON_KEYS)
    required = spec.get("required", True)
    if not isinstance(required, bool):
        raise fail(f"{where}.required", f"expected true or false, got {required!r}")
    description = _description(spec.get("description", ""), f"{where}.description", fail)
    if name == "self":
        # It is a keyword argument of the event's tracking method, beside the method's own self.
        raise fail(where, "'self' cannot be a property name; rename it")
    if name in CONTEXT_PROPERTIES:
        if value.type != "string":
            raise fail(
                where,
                f"{name!r} is filled by instrumentation with a string; declare it as "
                '{ type = "string" } or leave it out',
            )
        required = False  # callers other than instrumentation may leave it out
    return PropertySpec(name, value, required, description)


def _value(spec: Mapping[str, object], where: str, fail: Fail, *, allow: set[str]) -> ValueSpec:
    kind = spec.get("type")
    if kind not in PROPERTY_TYPES:
        raise fail(f"{where}.type", f"expected one of {', '.join(PROPERTY_TYPES)}, got {kind!r}")
    assert isinstance(kind, str)
    allowed = allow | _PROPERTY_KEYS[kind]
    for key in spec:
        if key not in allowed:
            raise fail(
                f"{where}.{key}",
                f"not a setting of a {kind} property; it takes {', '.join(sorted(allowed))}",
            )
    enum = spec.get("enum", [])
    if not isinstance(enum, list) or not all(isinstance(item, str) for item in enum):
        raise fail(f"{where}.enum", "expected a list of strings")
    if len(set(enum)) != len(enum) or len(enum) > _MAX_ENUM:
        raise fail(f"{where}.enum", f"expected distinct strings, at most {_MAX_ENUM}")
    for item in enum:
        # Each value is written into code and documents as it is.
        if not item.isprintable() or len(item) > _MAX_DESCRIPTION:
            raise fail(
                f"{where}.enum",
                f"{item!r}: a value is one line of printable text, at most "
                f"{_MAX_DESCRIPTION} characters",
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
        raise fail(where, f"expected a whole number of at least 0, got {value!r}")
    return value


def _bound(value: object, where: str, kind: str, fail: Fail) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise fail(where, f"expected a finite number, got {value!r}")
    if kind == "integer" and not float(value).is_integer():
        raise fail(where, f"an integer property needs a whole number, got {value!r}")
    if kind == "integer" and abs(value) > _MAX_EXACT_INTEGER:
        raise fail(where, f"must be within ±{_MAX_EXACT_INTEGER} (2^53 - 1), got {value!r}")
    return value


def _description(value: object, where: str, fail: Fail) -> str:
    if not isinstance(value, str) or len(value) > _MAX_DESCRIPTION:
        raise fail(where, f"expected a string of at most {_MAX_DESCRIPTION} characters")
    if any(not character.isprintable() for character in value):
        raise fail(where, "must be one line of printable text")
    return value
