"""The event catalog as the templates render it: models, tracking functions, schemas, documents.

The plan's declared events (:class:`~telemetry_cli.events.EventSpec`) are turned here, once,
into everything the templates need: the pydantic field lines of each payload model, the typed
tracking method of each event, the JSON Schema of each payload (the contract, the
``events.schema.json`` document and the served OpenAPI all say the same thing), example payloads
and the rows of the data model's tables.

Every property of a declared event is one of its declared properties or one of the standard
context properties (:data:`~telemetry_cli.events.CONTEXT_PROPERTIES`) that instrumentation fills
and every declared event accepts: optional strings, ``route`` also an array of strings (a handler
with several routes). A declared context property keeps that type and adds its description and
string constraints.

Generated Python must pass ``ruff format --check`` as written, so long lines are laid out the
way ruff lays them out: bracketed lists exploded one item per line with a trailing comma (which
ruff keeps), unions in parentheses one member per line, long strings split into implicitly
concatenated parts.
"""

import functools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final, NamedTuple

from telemetry_cli.console import counted
from telemetry_cli.errors import ConfigError
from telemetry_cli.events import (
    CONTEXT_PROPERTIES,
    EXTRA_KEYWORDS,
    FREE_FORM_REQUEST,
    LINE_LENGTH,
    EventSpec,
    PropertySpec,
    ValueSpec,
    camel,
    check_class_names,
)
from telemetry_cli.manifest import DIGEST_MARK, GENERATED_HEADER, UNSEALED_DIGEST
from telemetry_cli.plan import ERROR_EVENT_TYPE, TOOL_SECTION, Plan
from telemetry_cli.templating import markdown_text

# Strings YAML reads as themselves when written bare (others are written as JSON strings), and
# keys that need no quotes.
_PLAIN_SCALAR = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_YAML_WORDS = frozenset(
    word
    for base in ("true", "false", "null", "yes", "no", "on", "off", "y", "n")
    for word in (base, base.upper(), base.capitalize())
)
_PLAIN_KEY = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*")
# JSON as documents show it (", " and ": "), characters as themselves. One encoder for all:
# json.dumps with options builds a new one per call, a third of the events document's time.
_to_json = json.JSONEncoder(ensure_ascii=False).encode
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# A payload model's field cannot take these names, so a property of that name gets the field
# ``<name>_`` with the property's name as its alias (payloads, errors and schemas keep the name):
# the names a payload model's class body reads in its field types (a field bound before them
# would hide them), and every public name a model class finds by attribute lookup: pydantic 2's
# ``BaseModel`` attributes and those of its metaclass (``ModelMetaclass`` -> ``ABCMeta`` ->
# ``type``: ``register``, ``mro``). A field of such a name hides it, and pydantic takes the
# attribute it finds as the field's default, so a payload without the property passed.
_NAMES_IN_FIELD_TYPES = frozenset({"int", "list", "str", "whole_number"})
_BASE_MODEL_NAMES = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "model_computed_fields",
        "model_config",
        "model_construct",
        "model_copy",
        "model_dump",
        "model_dump_json",
        "model_extra",
        "model_fields",
        "model_fields_set",
        "model_json_schema",
        "model_parametrized_name",
        "model_post_init",
        "model_rebuild",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "mro",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "register",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
    }
)
ALIASED_NAMES = _NAMES_IN_FIELD_TYPES | _BASE_MODEL_NAMES
# Every recorded event's timestamp (the generated analytics_models.TIMESTAMP_PATTERN).
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"
# A datetime property's example value (the date of the user's request, as in every document).
EXAMPLE_DATETIME = "2025-01-27T09:30:00Z"

_CONTEXT_DESCRIPTIONS = {
    "route": "Standard context: the route template (an array for several routes).",
    "method": "Standard context: the HTTP method of the route.",
    "handler": "Standard context: the route handler's name.",
    "block_type": "Standard context: the last static segment of the route path.",
}
_TYPE_NAMES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "datetime": "date-time",
}
# What a tracking function's parameter accepts, per property type (the models check the rest).
_PYTHON_TYPES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "datetime": "datetime",
}
# The unconstrained validating types the generated analytics_models.py defines.
_MODEL_TYPES = {
    "string": "str",
    "integer": "Integer",
    "number": "Number",
    "boolean": "Boolean",
    "datetime": "DateTimeString",
}
# The names analytics_models.py defines for the payload models' fields, each with the names of
# that module its definition uses (a name is defined only when a field's type names it).
_MODEL_HELPERS: Final = {
    "Integer": ("whole_number",),
    "Number": (),
    "Boolean": (),
    "DateTimeString": (),
    "whole_number": (),
}
_IDENTIFIER: Final = re.compile(r"[A-Za-z_]\w*")


class Json(str):
    """A value already encoded as JSON text, written into the documents as it is."""

    __slots__ = ()


# --- names ------------------------------------------------------------------------------------


# --- a type expression, laid out as ruff would ------------------------------------------------


class _Type(NamedTuple):
    """A Python type expression: ``head`` alone, ``head[args]``, or a union of ``members``."""

    head: str = ""
    args: "tuple[_Type, ...]" = ()
    members: "tuple[_Type, ...]" = ()

    def flat(self) -> str:
        if self.members:
            return " | ".join(member.flat() for member in self.members)
        if not self.args:
            return self.head
        return f"{self.head}[{', '.join(arg.flat() for arg in self.args)}]"

    def exploded(self, indent: int) -> list[str]:
        """The expression over several lines, starting at column ``indent`` (first line bare)."""
        pad = " " * (indent + 4)
        if self.members:
            # Only ever called inside parentheses: one member per line, operators leading.
            lines: list[str] = []
            for index, member in enumerate(self.members):
                operator = "" if index == 0 else "| "
                body = _fit(member, indent + len(operator), prefix="")
                first, *more = body
                lines.append((" " * indent if lines else "") + operator + first)
                lines.extend(more)
            return lines
        if not self.args:
            return [self.head]
        if len(self.args) == 1:
            # No trailing comma here: `list[X,]` would be a tuple subscript.
            inner = self.args[0].exploded(indent + 4)
            return [f"{self.head}[", pad + inner[0], *inner[1:], " " * indent + "]"]
        lines = [f"{self.head}["]
        for arg in self.args:
            body = _fit(arg, indent + 4, prefix="", suffix=",")
            lines.append(pad + body[0])
            lines.extend(body[1:])
        lines.append(" " * indent + "]")
        return lines


def _fit(value: _Type, indent: int, *, prefix: str, suffix: str = "") -> list[str]:
    """``prefix + value + suffix`` starting at column ``indent``: flat if it fits, else laid out.

    A union that does not fit goes into parentheses, on one line there if it fits, else one
    member per line; a subscript is exploded one argument per line with a trailing comma.
    """
    flat = value.flat()
    if indent + len(prefix) + len(flat) + len(suffix) <= LINE_LENGTH or not (
        value.args or value.members
    ):
        return [prefix + flat + suffix]
    pad = " " * (indent + 4)
    if value.members:
        if indent + 4 + len(flat) <= LINE_LENGTH:
            return [prefix + "(", pad + flat, " " * indent + ")" + suffix]
        inner = value.exploded(indent + 4)
        return [prefix + "(", pad + inner[0], *inner[1:], " " * indent + ")" + suffix]
    lines = value.exploded(indent)
    return [prefix + lines[0], *lines[1:-1], lines[-1] + suffix]


def _fit_indented(value: _Type, indent: int, *, prefix: str, suffix: str = "") -> list[str]:
    """``_fit``, the first line indented too: a statement or an argument starting at ``indent``."""
    first, *more = _fit(value, indent, prefix=prefix, suffix=suffix)
    return [" " * indent + first, *more]


def _atom(text: str) -> _Type:
    return _Type(head=text)


def _sub(head: str, *args: _Type) -> _Type:
    return _Type(head=head, args=args)


def _union(*members: _Type) -> _Type:
    flattened: list[_Type] = []
    for member in members:
        flattened.extend(member.members or (member,))
    return _Type(members=tuple(flattened))


# --- Python literals ----------------------------------------------------------------------


def py_string(text: str) -> str:
    """``text`` as a Python string literal, quoted the way ruff format quotes it."""
    # ruff prefers double quotes unless single quotes need fewer escapes.
    quote = "'" if text.count('"') > text.count("'") else '"'
    escaped = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return quote + escaped + quote


def py_number(value: float, *, integer: bool) -> str:
    """A bound as a Python literal: whole for an integer property, as written otherwise."""
    if integer:
        return str(int(value))
    # ruff format writes an exponent without its plus sign (1e308, not 1e+308).
    return repr(value).replace("e+", "e")


def _string_lines(text: str, indent: int, prefix: str, suffix: str) -> list[str]:
    """``prefix + "text" + suffix`` at ``indent``, split into parenthesised parts when too long."""
    literal = py_string(text)
    pad = " " * indent
    if indent + len(prefix) + len(literal) + len(suffix) <= LINE_LENGTH:
        return [pad + prefix + literal + suffix]
    room = LINE_LENGTH - (indent + 4) - 2  # the part's quotes
    parts = [pad + "    " + py_string(part) for part in _chunks(text, room)]
    return [pad + prefix + "(", *parts, pad + ")" + suffix]


def _chunks(text: str, room: int) -> list[str]:
    """Split ``text`` into parts whose literals fit in ``room`` columns, at spaces if possible."""
    parts: list[str] = []
    rest = text
    while len(py_string(rest)) - 2 > room:
        cut = room
        # Escapes make a literal longer than its text: shrink until the literal fits.
        while len(py_string(rest[:cut])) - 2 > room:
            cut -= 1
        space = rest.rfind(" ", 0, cut)
        if space > 0:
            cut = space + 1  # the space ends this part, as ruff's own splits do
        parts.append(rest[:cut])
        rest = rest[cut:]
    parts.append(rest)
    return parts


def _docstring_text(text: str) -> str:
    """``text`` made safe inside a ``\"\"\"`` docstring (no closing quotes, no escapes)."""
    return text.replace("\\", "/").replace('"""', "'''")


def _wrap(text: str, width: int) -> list[str]:
    """Words of ``text`` in lines of at most ``width`` characters (a longer word alone)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if len(candidate) > width and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def python_literal(value: Any) -> str:
    """A JSON-like value as a Python literal, as ruff format writes it (flat)."""
    if isinstance(value, dict):
        items = ", ".join(
            f"{py_string(key)}: {python_literal(item)}" for key, item in value.items()
        )
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(item) for item in value) + "]"
    if isinstance(value, str):
        return py_string(value)
    if isinstance(value, float):
        return py_number(value, integer=False)
    return repr(value)  # bool, None, int


def literal_lines(value: Any, indent: int, prefix: str = "", suffix: str = "") -> list[str]:
    """``prefix + value + suffix`` at ``indent``: flat if it fits, else exploded with commas."""
    pad = " " * indent
    flat = python_literal(value)
    if indent + len(prefix) + len(flat) + len(suffix) <= LINE_LENGTH:
        return [pad + prefix + flat + suffix]
    if not (isinstance(value, dict | list) and value):
        if not prefix.endswith(": "):
            return [pad + prefix + flat + suffix]
        # A dict entry's long scalar value in parentheses, which ruff format keeps.
        return [pad + prefix + "(", pad + "    " + flat, pad + ")" + suffix]
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    lines = [pad + prefix + opening]
    if isinstance(value, dict):
        for key, item in value.items():
            lines.extend(literal_lines(item, indent + 4, f"{py_string(key)}: ", ","))
    else:
        for item in value:
            lines.extend(literal_lines(item, indent + 4, "", ","))
    lines.append(pad + closing + suffix)
    return lines


# --- one property -------------------------------------------------------------------------


@dataclass(frozen=True)
class Property:
    """One property of a declared event as the generated code and documents show it.

    Attributes:
        name: the property (a payload key and a keyword of the tracking function).
        value: its type and constraints.
        required: whether every payload must hold it.
        description: what it means (the plan's words, or the standard context's).
        context: one of the standard context properties instrumentation fills.
        declared: written in the plan (a context property may be declared to describe it).
        enum_alias: the ``Literal`` alias of its enum (or of its items' enum), if any.
    """

    name: str
    value: ValueSpec
    required: bool
    description: str
    context: bool
    declared: bool
    enum_alias: str | None

    @property
    def is_route(self) -> bool:
        """``route``: a string, or an array of strings for a handler with several routes."""
        return self.name == "route"

    def model_type(self) -> _Type:
        """The validating type of the payload model's field (constraints included)."""
        single = _model_value(self.value, self.enum_alias)
        if self.is_route:
            single = _union(single, _sub("list", single))
        return single if self.required else _union(single, _atom("None"))

    def python_type(self) -> _Type:
        """The tracking function's parameter type (what mypy checks at the call site)."""
        single = _python_value(self.value, self.enum_alias)
        if self.is_route:
            single = _union(single, _sub("list", single))
        return single if self.required else _union(single, _atom("None"))

    def schema(self) -> dict[str, Any]:
        """Its JSON Schema, as pydantic writes the model field's."""
        single = value_schema(self.value)
        if self.is_route:
            single = {"anyOf": [single, {"type": "array", "items": single}]}
        if self.required:
            schema = dict(single)
        else:
            # No "default": null: FastAPI leaves null values out of the served OpenAPI.
            options = list(single["anyOf"]) if set(single) == {"anyOf"} else [single]
            schema = {"anyOf": [*options, {"type": "null"}]}
        if self.description:
            schema["description"] = self.description
        return schema

    @cached_property
    def schema_json(self) -> Json:
        """Its JSON Schema as JSON text: written once, put in both documents as it is."""
        return Json(_to_json(self.schema()))

    @property
    def field_name(self) -> str:
        """The payload model's field: the property's name, or ``<name>_`` aliased to it."""
        return f"{self.name}_" if self.name in ALIASED_NAMES else self.name

    def field_lines(self) -> list[str]:
        """The field's lines in the payload model's class body, laid out as ruff format does."""
        annotation = self.model_type()
        keywords = [] if self.required else ["default=None"]
        if self.field_name != self.name:
            keywords.append(f"alias={py_string(self.name)}")
        head = f"{self.field_name}: "
        field = self.field_name != self.name or bool(self.description)
        if self.required and not field:
            if (
                annotation.args
                or annotation.members
                or len(f"    {head}{annotation.head}") <= LINE_LENGTH
            ):
                return _fit_indented(annotation, 4, prefix=head)
            return [f"    {head}(", f"        {annotation.head}", "    )"]
        described = [f"description={py_string(self.description)}"] if self.description else []
        value = f"Field({', '.join(keywords + described)})" if field else "None"
        statement = f"    {head}{annotation.flat()} = "
        if len(statement + value) <= LINE_LENGTH:
            return [statement + value]
        # As ruff format splits an assignment: at the value's own brackets if the line up to
        # them fits, else in parentheses around the value, else in the annotation.
        if field and len(statement + "Field(") <= LINE_LENGTH:
            return [statement + "Field(", *self._field_arguments(keywords, 8), "    )"]
        if len(statement + "(") <= LINE_LENGTH:
            inner = ["        Field(", *self._field_arguments(keywords, 12), "        )"]
            return [statement + "(", *(inner if field else ["        None"]), "    )"]
        if not field:
            return _fit_indented(annotation, 4, prefix=head, suffix=" = None")
        lines = _fit_indented(annotation, 4, prefix=head, suffix=" = Field(")
        return [*lines, *self._field_arguments(keywords, 8), "    )"]

    def _field_arguments(self, keywords: list[str], indent: int) -> list[str]:
        """The arguments of the field's ``Field(...)``, one per line with a trailing comma."""
        lines = [" " * indent + keyword + "," for keyword in keywords]
        if self.description:
            lines.extend(_string_lines(self.description, indent, "description=", ","))
        return lines

    def parameter_lines(self) -> list[str]:
        """The tracking function's keyword parameter (indented 8), laid out as ruff format does.

        E.g. ``num_questions: int | None = None,``; too long for a line, a union is split at its
        operators, each at the parameter's indentation.
        """
        default = "" if self.required else " = None"
        annotation = self.python_type()
        head = f"{self.name}: "
        if len(f"        {head}{annotation.flat()}{default},") <= LINE_LENGTH or not (
            annotation.members
        ):
            return _fit_indented(annotation, 8, prefix=head, suffix=f"{default},")
        first, *others = annotation.members
        lines = _fit_indented(first, 8, prefix=head)
        for index, member in enumerate(others, start=1):
            suffix = f"{default}," if index == len(others) else ""
            lines += _fit_indented(member, 8, prefix="| ", suffix=suffix)
        return lines

    def example(self) -> Any:
        """A value the model accepts, for examples in documents and contracts."""
        if self.is_route and not self.declared:
            return "/api/example"
        return _example_value(self.value, self.name)

    def doc_type(self) -> str:
        """Its type in words, for the data model's table."""
        text = _doc_value_type(self.value)
        return f"{text} or array of {text}s" if self.is_route else text

    def doc_constraints(self) -> list[str]:
        """Its constraints in words (each item's, for an array), for the data model's table."""
        return _doc_constraints(self.value)


def _model_value(value: ValueSpec, enum_alias: str | None) -> _Type:
    if value.type == "array":
        assert value.items is not None
        items = _model_value(value.items, enum_alias)
        array = _sub("list", items)
        if value.max_items is None:
            return array
        return _sub("Annotated", array, _atom(f"Field(max_length={value.max_items})"))
    if value.enum:
        assert enum_alias is not None
        return _atom(enum_alias)
    constraints = _field_constraints(value)
    if value.type == "integer" and constraints:
        # Bounds before Strict() and the validator: pydantic cannot put a bound placed after a
        # before-validator into the JSON schema.
        return _sub(
            "Annotated",
            _atom("int"),
            _atom(f"Field({constraints})"),
            _atom("Strict()"),
            _atom("BeforeValidator(whole_number)"),
        )
    base = _atom(_MODEL_TYPES[value.type])
    if not constraints:
        return base
    return _sub("Annotated", base, _atom(f"Field({constraints})"))


def _field_constraints(value: ValueSpec) -> str:
    integer = value.type == "integer"
    parts = []
    if value.min_length is not None:
        parts.append(f"min_length={value.min_length}")
    if value.max_length is not None:
        parts.append(f"max_length={value.max_length}")
    if value.minimum is not None:
        parts.append(f"ge={py_number(value.minimum, integer=integer)}")
    if value.maximum is not None:
        parts.append(f"le={py_number(value.maximum, integer=integer)}")
    return ", ".join(parts)


def _python_value(value: ValueSpec, enum_alias: str | None) -> _Type:
    if value.type == "array":
        assert value.items is not None
        return _sub("list", _python_value(value.items, enum_alias))
    if value.enum:
        assert enum_alias is not None
        return _atom(enum_alias)
    return _atom(_PYTHON_TYPES[value.type])


def value_schema(value: ValueSpec) -> dict[str, Any]:
    """The JSON Schema of one value, as pydantic writes it for the generated field type."""
    if value.type == "array":
        assert value.items is not None
        schema: dict[str, Any] = {"type": "array", "items": value_schema(value.items)}
        if value.max_items is not None:
            schema["maxItems"] = value.max_items
        return schema
    if value.enum:
        if len(value.enum) == 1:
            return {"const": value.enum[0], "type": "string"}
        return {"enum": list(value.enum), "type": "string"}
    if value.type == "datetime":
        return {"type": "string", "format": "date-time"}
    schema = {"type": value.type}
    if value.min_length is not None:
        schema["minLength"] = value.min_length
    if value.max_length is not None:
        schema["maxLength"] = value.max_length
    integer = value.type == "integer"
    if value.minimum is not None:
        schema["minimum"] = int(value.minimum) if integer else value.minimum
    if value.maximum is not None:
        schema["maximum"] = int(value.maximum) if integer else value.maximum
    return schema


def _example_value(value: ValueSpec, name: str) -> Any:
    if value.type == "array":
        assert value.items is not None
        return [] if value.max_items == 0 else [_example_value(value.items, name)]
    if value.enum:
        return value.enum[0]
    if value.type == "string":
        low = value.min_length or 0
        high = value.max_length if value.max_length is not None else max(low, len(name) + 8)
        text = f"example-{name}"
        if len(text) < low:
            text += "x" * (low - len(text))
        return text[:high]
    if value.type == "boolean":
        return True
    if value.type == "datetime":
        return EXAMPLE_DATETIME
    return _example_number(value)


def _example_number(value: ValueSpec) -> int | float:
    low, high = value.minimum, value.maximum
    if value.type == "integer":
        if low is not None:
            return math.ceil(low)
        if high is not None:
            return min(1, math.floor(high))
        return 1
    if low is not None:
        return low
    if high is not None:
        return min(1, high)
    return 1


def _doc_value_type(value: ValueSpec) -> str:
    if value.type == "array":
        assert value.items is not None
        return f"array of {_doc_value_type(value.items)}s"
    return _TYPE_NAMES[value.type]


def _doc_count(low: int | None, high: int | None, noun: str) -> str | None:
    """A count between ``low`` and ``high`` in words, or None when any count will do.

    ``exactly 1 character``, ``2 to 5 characters``, ``at most 1 item``, ``empty``: never
    ``1 to 1 characters`` nor the ``at least 0`` that every count meets.
    """
    low = low or None  # at least 0 says nothing
    if high == 0:
        return "empty"
    if low is not None and low == high:
        return f"exactly {counted(low, noun)}"
    if low is not None and high is not None:
        return f"{low} to {high} {noun}s"
    if low is not None:
        return f"at least {counted(low, noun)}"
    if high is not None:
        return f"at most {counted(high, noun)}"
    return None


def _doc_constraints(value: ValueSpec, each: str = "") -> list[str]:
    if value.type == "array":
        assert value.items is not None
        count = _doc_count(None, value.max_items, "item")
        found = [count] if count is not None else []
        if value.max_items == 0:
            return found  # no item to constrain
        return found + _doc_constraints(value.items, "each ")
    found = []
    if value.enum:
        found.append(each + "one of " + ", ".join(_to_json(item) for item in value.enum))
    if (length := _doc_count(value.min_length, value.max_length, "character")) is not None:
        found.append(each + length)
    integer = value.type == "integer"
    if value.minimum is not None and value.minimum == value.maximum:
        found.append(f"{each}exactly {py_number(value.minimum, integer=integer)}")
    else:
        if value.minimum is not None:
            found.append(f"{each}>= {py_number(value.minimum, integer=integer)}")
        if value.maximum is not None:
            found.append(f"{each}<= {py_number(value.maximum, integer=integer)}")
    if value.type == "datetime":
        found.append(f"{each}RFC 3339 with a UTC offset, e.g. {EXAMPLE_DATETIME}")
    if value.type == "integer" and not each:
        found.append("a whole number (1.0 counts)")
    return found


# --- one event ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One declared event as the generated code, contract and documents show it."""

    spec: EventSpec
    properties: tuple[Property, ...]

    @property
    def name(self) -> str:
        """The event type."""
        return self.spec.name

    @property
    def description(self) -> str:
        """The plan's description (may be empty)."""
        return self.spec.description

    @property
    def additional_properties(self) -> bool:
        """Whether undeclared properties are accepted too."""
        return self.spec.additional_properties

    @cached_property
    def payload_model(self) -> str:
        """The payload model's class name, e.g. ``AiBlockUsedPayload``."""
        return camel(self.name) + "Payload"

    @cached_property
    def request_model(self) -> str:
        """The log request's class name for this event, e.g. ``AiBlockUsedLogRequest``."""
        return camel(self.name) + "LogRequest"

    @cached_property
    def required(self) -> list[str]:
        """The required properties, in declaration order."""
        return [item.name for item in self.properties if item.required]

    @cached_property
    def declared(self) -> list[Property]:
        """The properties the plan declares (context ones included when declared)."""
        return [item for item in self.properties if item.declared]

    @cached_property
    def enums(self) -> list[tuple[str, tuple[str, ...]]]:
        """Each ``Literal`` alias with its values, in property order."""
        found = []
        for item in self.properties:
            value = item.value.items if item.value.type == "array" else item.value
            if item.enum_alias is not None and value is not None:
                found.append((item.enum_alias, value.enum))
        return found

    def payload_schema(self, max_keys: int) -> dict[str, Any]:
        """The payload's JSON Schema (as pydantic writes the payload model's).

        The properties' schemas are JSON text already (``Json``), which ``yaml_lines`` and
        ``json_document`` write as they are.

        Args:
            max_keys: the layer's limit of top-level keys, stated for an event that takes
                undeclared properties (the declared ones are fewer).
        """
        schema: dict[str, Any] = {"type": "object"}
        if self.description:
            schema["description"] = self.description
        schema["properties"] = {item.name: item.schema_json for item in self.properties}
        if self.required:
            schema["required"] = self.required
        schema["additionalProperties"] = self.additional_properties
        if self.additional_properties:
            schema["maxProperties"] = max_keys
        return schema

    def example_payload(self) -> dict[str, Any]:
        """A payload the model accepts: the required properties, or the first declared one."""
        chosen = [item for item in self.properties if item.required]
        if not chosen:
            chosen = [item for item in self.properties if item.declared and not item.context][:1]
        return {item.name: item.example() for item in chosen}

    def example_call(self, indent: int = 0) -> list[str]:
        """A call of its tracking method with the example payload, as lines of Python source.

        One line if it fits at column ``indent``, else one argument per line.
        """
        call = f"event_logger.track.{self.name}("
        arguments = [
            f"{name}={python_literal(value)}" for name, value in self.example_payload().items()
        ]
        flat = call + ", ".join(arguments) + ")"
        if indent + len(flat) <= LINE_LENGTH:
            return [flat]
        lines = [call]
        for (name, value), argument in zip(self.example_payload().items(), arguments, strict=True):
            if indent + len(f"    {argument},") <= LINE_LENGTH:
                lines.append(f"    {argument},")
            else:  # a long value with spaces: alone on its line, in parentheses
                lines += [f"    {name}=(", f"        {python_literal(value)}", "    ),"]
        return [*lines, ")"]

    def enum_lines(self) -> list[str]:
        """The module-level ``Literal`` aliases of its enums."""
        lines: list[str] = []
        for alias, values in self.enums:
            literal = _sub("Literal", *(_atom(py_string(value)) for value in values))
            if len(f"{alias} = Literal[") <= LINE_LENGTH:
                lines.extend(_fit(literal, 0, prefix=f"{alias} = "))
            else:
                # As ruff splits an assignment whose value cannot open on the first line.
                lines += [f"{alias} = (", *_fit_indented(literal, 4, prefix=""), ")"]
        return lines

    def docstring_lines(self, summary: str, short: str = "") -> list[str]:
        """A class docstring: ``summary``, then the event's description (indented 4).

        ``short`` replaces a summary too long for its line (a long event type).
        """
        closing = "" if self.description else '"""'
        if short and len(f'    """{summary}{closing}') > LINE_LENGTH:
            summary = short
        if not self.description:
            return [f'    """{summary}"""']
        body = _wrap(_docstring_text(self.description), LINE_LENGTH - 4)
        return [f'    """{summary}', "", *("    " + line for line in body), '    """']

    def payload_class_lines(self) -> list[str]:
        """The payload model: one field per property, constraints in the types."""
        # The standard context properties come from the base class (a declared one is redefined).
        lines = [f"class {self.payload_model}(StandardContext):"]
        lines += self.docstring_lines(
            f"The payload of the ``{self.name}`` event.", f"Payload of ``{self.name}``."
        )
        lines.append("")
        settings = (
            ['extra="allow"', 'json_schema_extra={"maxProperties": MAX_PAYLOAD_KEYS}']
            if self.additional_properties
            else ['extra="forbid"']
        )
        if any(item.field_name.startswith("model_") for item in self.declared):
            # pydantic warns of fields in its namespace (before 2.10, of any ``model_`` name).
            settings.append("protected_namespaces=()")
        if self.additional_properties:
            lines += ["    model_config = ConfigDict(", *(f"        {item}," for item in settings)]
            lines.append("    )")
        else:
            lines.append(f"    model_config = ConfigDict({', '.join(settings)})")
        fields = self.model_lines()
        if fields:  # an event may declare no property (its payload is the standard context)
            lines += ["", *fields]
        return lines

    def request_class_lines(self) -> list[str]:
        """The log request of this event: its type as a constant, and its payload."""
        lines = [
            f"class {self.request_model}(BaseModel):",
            _fitting(
                f'    """Body of the log endpoint for the ``{self.name}`` event."""',
                f'    """Log request of ``{self.name}``."""',
            ),
            "",
            '    model_config = ConfigDict(extra="forbid")',
            "",
            f'    event_type: Literal["{self.name}"]',
        ]
        if self.required:
            lines.append(f"    payload: {self.payload_model}")
        else:
            flat = (
                f"    payload: {self.payload_model} = Field(default_factory={self.payload_model})"
            )
            if len(flat) <= LINE_LENGTH:
                lines.append(flat)
            else:
                lines += [
                    f"    payload: {self.payload_model} = Field(",
                    f"        default_factory={self.payload_model},",
                    "    )",
                ]
        return lines

    def model_lines(self) -> list[str]:
        """The payload model's field lines: the declared properties (indented for the body)."""
        lines: list[str] = []
        for item in self.declared:
            lines.extend(item.field_lines())
        return lines

    def tracking_lines(self) -> list[str]:
        """The tracking method, indented for the ``EventTracker`` class body."""
        lines = [f"    def {self.name}(", "        self,", "        *,"]
        ordered = sorted(self.properties, key=lambda item: not item.required)
        for item in ordered:
            lines += item.parameter_lines()
        if self.additional_properties:
            lines.append(f"        **{EXTRA_KEYWORDS}: Any,")
        lines.append("    ) -> None:")
        lines.extend(self._tracking_docstring())
        lines += [
            "        self._logger.log(",
            f'            "{self.name}",',
            "            _present(",
        ]
        lines.extend(f"                {item.name}={item.name}," for item in self.properties)
        if self.additional_properties:
            lines.append(f"                **{EXTRA_KEYWORDS},")
        lines += ["            ),", "        )"]
        return lines

    def _tracking_docstring(self) -> list[str]:
        pad = " " * 8
        summary = f'{pad}"""Log one ``{self.name}`` event, checked by ``{self.payload_model}``.'
        if len(summary) > LINE_LENGTH:
            # The summary stays one line (pydocstyle); the model is named below it.
            summary = f'{pad}"""Log one ``{self.name}`` event.'
            checked = f"{pad}Checked by ``{self.payload_model}``."
            lines = [summary, "", checked, ""]
        else:
            lines = [summary, ""]
        if self.description:
            lines += [pad + line for line in _wrap(_docstring_text(self.description), 92)]
            lines.append("")
        lines += [
            f"{pad}The keyword arguments are the event's properties (described in its model);",
            f"{pad}those left at None are not sent. Like ``EventLogger.log`` it never raises: a",
            f"{pad}refused event costs one warning.",
            f'{pad}"""',
        ]
        return lines

    @cached_property
    def requirement_clause(self) -> str:
        """The spec's words on its properties: `` (`a` and `b` required, `c` optional)``."""
        optional = [item.name for item in self.declared if not item.required]
        parts = [f"{_code_list(self.required)} required"] if self.required else []
        parts += [f"{_code_list(optional)} optional"] if optional else []
        return f" ({', '.join(parts)})" if parts else ""

    def doc_rows(self) -> list[str]:
        """The data model's table rows (Markdown), one per declared property."""
        rows = []
        for item in self.declared:
            constraints = "; ".join(item.doc_constraints()) or "—"
            # Property names are snake_case: their code span needs no escaping.
            rows.append(
                f"| `{item.name}` | {item.doc_type()} | "
                f"{'yes' if item.required else 'no'} | {markdown_text(constraints)} | "
                f"{markdown_text(item.description or '—')} |"
            )
        return rows


def _code_list(names: Sequence[str]) -> str:
    """```a`, `b` and `c``` (as the documents' ``codes`` macro writes it)."""
    codes = [f"`{name}`" for name in names]  # snake_case names: nothing to escape
    return codes[0] if len(codes) == 1 else f"{', '.join(codes[:-1])} and {codes[-1]}"


def build_event(spec: EventSpec) -> Event:
    """The rendered view of one declared event: its declared and its standard properties."""
    properties: list[Property] = []
    prefix = camel(spec.name)
    for item in spec.properties:
        properties.append(_property(prefix, item, declared=True))
    for name in CONTEXT_PROPERTIES:
        if spec.declared(name) is None:
            properties.append(_property(prefix, PropertySpec(name, ValueSpec("string")), False))
    return Event(spec, tuple(properties))


def _property(prefix: str, spec: PropertySpec, declared: bool) -> Property:
    context = spec.name in CONTEXT_PROPERTIES
    value = spec.value.items if spec.value.type == "array" else spec.value
    alias = prefix + camel(spec.name) if value is not None and value.enum else None
    # A declared context property keeps its author's words; the others get the standard ones.
    description = spec.description or (_CONTEXT_DESCRIPTIONS[spec.name] if context else "")
    return Property(
        name=spec.name,
        value=spec.value,
        required=spec.required and not context,
        description=description,
        context=context,
        declared=declared,
        enum_alias=alias,
    )


# --- the documents ------------------------------------------------------------------------


def events_document(
    event_types: Sequence[str],
    events: Sequence[Event],
    schemas: Mapping[str, dict[str, Any]],
    max_keys: int,
) -> str:
    """``contracts/events.schema.json``: the tracking plan as one JSON Schema 2020-12 document.

    The root validates a recorded event (``event_id``, ``event_type``, ``payload`` and
    ``timestamp``, as the sink receives it); ``$defs`` holds each declared event's payload
    (``schemas``), named after its event type, for tools that validate one payload at a time.
    """
    document: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "$comment": f"{' '.join(GENERATED_HEADER)} {DIGEST_MARK}{UNSEALED_DIGEST}",
        "title": "Analytics events",
        "description": "The tracking plan of this backend: each analytics event as the sink "
        "receives it. A declared event's payload follows its schema under $defs (named after "
        "the event type)"
        + (
            "; the payload of any other event type is a free-form JSON object."
            if len(events) < len(event_types)
            else "."
        ),
        "type": "object",
        "properties": {
            "event_id": {
                "description": "Random UUID4 identifying the event.",
                "type": "string",
                "format": "uuid",
            },
            "event_type": {"enum": list(event_types)},
            "payload": {"type": "object", "maxProperties": max_keys},
            "timestamp": {
                "description": "Server time of the event: ISO 8601, UTC, milliseconds.",
                "type": "string",
                "pattern": TIMESTAMP_PATTERN,
            },
        },
        "required": ["event_id", "event_type", "payload", "timestamp"],
        "additionalProperties": False,
        "allOf": [
            {
                "if": {"properties": {"event_type": {"const": event.name}}},
                "then": {"properties": {"payload": {"$ref": f"#/$defs/{event.name}"}}},
            }
            for event in events
        ],
        "$defs": {event.name: {"title": event.name, **schemas[event.name]} for event in events},
    }
    # $defs / event / properties / property: each property's schema on one line.
    return json_document(document, flow_depth=4) + "\n"


def request_schema(event: Event) -> dict[str, Any]:
    """The log request of one declared event: its type as a constant, and its payload."""
    required = ["event_type", "payload"] if event.required else ["event_type"]
    return {
        "type": "object",
        "properties": {
            "event_type": {"const": event.name, "type": "string"},
            "payload": {"$ref": f"#/components/schemas/{event.payload_model}"},
        },
        "required": required,
        "additionalProperties": False,
    }


def yaml_lines(value: Mapping[str, Any], indent: int, flow_depth: int = 2) -> list[str]:
    """``value`` (a JSON-like mapping) as block YAML lines at ``indent`` spaces.

    Mappings nested ``flow_depth`` levels deep (a property's schema in a component) are written
    on one line as JSON, which is YAML too; so are lists of scalars. Strings are JSON strings
    (valid YAML double-quoted scalars) unless they are plain words: nothing in a description
    can be read as YAML syntax.
    """
    pad = " " * indent
    lines: list[str] = []
    for key, item in value.items():
        # A bare key must read as that string: not a YAML 1.1 boolean or null (`yes`, `null`).
        name = key if _PLAIN_KEY.fullmatch(key) and key not in _YAML_WORDS else _to_json(key)
        if isinstance(item, dict) and item and flow_depth > 0:
            lines.append(f"{pad}{name}:")
            lines.extend(yaml_lines(item, indent + 2, flow_depth - 1))
        elif isinstance(item, list) and any(isinstance(entry, dict) for entry in item):
            lines.append(f"{pad}{name}:")
            for entry in item:
                nested = yaml_lines(entry, indent + 4, flow_depth - 1)
                lines.append(f"{pad}  - {nested[0].lstrip()}")
                lines.extend(nested[1:])
        else:
            lines.append(f"{pad}{name}: {_yaml_scalar(item)}")
    return lines


# A JSON string, or a number with an exponent but no fraction (``1e+300``).
_JSON_STRING_OR_EXPONENT = re.compile(r'"(?:[^"\\]|\\.)*"|(?<![\w.])(-?\d+)([eE][+-]?\d+)')


def _yaml_json(text: str) -> str:
    """JSON text that YAML 1.1 readers (PyYAML) also read as JSON: ``1e+300`` as ``1.0e+300``.

    YAML 1.1 reads a number with an exponent as a float only if it has a fraction: ``1e+300``
    would be the string "1e+300" to them. Strings are matched first, so their text is kept.
    """
    return _JSON_STRING_OR_EXPONENT.sub(
        lambda match: f"{match[1]}.0{match[2]}" if match[1] else match[0], text
    )


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, Json):
        return _yaml_json(value)  # JSON is YAML too
    if isinstance(value, str) and _PLAIN_SCALAR.fullmatch(value) and value not in _YAML_WORDS:
        return value
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_scalar(item) for item in value) + "]"
    return _yaml_json(_to_json(value))  # null, true, numbers, strings, mappings


def json_document(value: Any, flow_depth: int, indent: int = 0) -> str:
    """``value`` as JSON indented by two spaces per level, compact from ``flow_depth`` down.

    Every value nested ``flow_depth`` levels deep is written on one line: with 4 in the events
    document, each property's schema is one line.
    """
    if isinstance(value, Json):
        return value
    if not isinstance(value, dict | list) or not value or flow_depth == 0:
        return _to_json(value)
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [
            f"{pad}{_to_json(key)}: " + json_document(item, flow_depth - 1, indent + 2)
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + json_document(item, flow_depth - 1, indent + 2) for item in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


# --- the template context ---------------------------------------------------------------


# What event_logger.py imports from analytics_models.py beside the enum aliases.
_LOGGER_IMPORTS = frozenset(
    {
        "AnalyticsEvent",
        "EventType",
        "HealthStatus",
        "KEEP",
        "MAX_PAYLOAD_BYTES",
        "MAX_PAYLOAD_DEPTH",
        "MAX_PAYLOAD_KEYS",
        "MODEL_FORMS",
        "PAYLOAD_MODELS",
        "canonical_json",
        "dataclass_fields",
        "shown_name",
        "json_default",
        "rewrite_form",
    }
)


def import_order(name: str) -> tuple[int, Any, Any]:
    """The sort key of an imported name as ruff's isort orders them (``order-by-type``).

    Constants (``MAX_KEYS``: more than one character, all cased ones upper case) come first,
    then classes (a capital first), then the rest; within each, names compare case-insensitively
    in natural order (``A2`` before ``A10``), ties case-sensitively.
    """
    if len(name) > 1 and name.upper() == name and name.lower() != name:
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return kind, natural_key(name.lower()), natural_key(name)


def natural_key(text: str) -> Any:
    """The sort key of ``text`` in natural order (``r2`` before ``r10``), as ruff compares."""
    return _NATURAL_KEY(text)


def _natural_compare(left: str, right: str) -> int:
    """Compare like the ``natord`` crate ruff uses: runs of digits by their numeric value.

    A run starting with ``0`` compares digit by digit (a fraction); others by length first.
    """
    i = j = 0
    while True:
        if i >= len(left) or j >= len(right):
            return (i < len(left)) - (j < len(right))
        a, b = left[i], right[j]
        if a.isascii() and a.isdigit() and b.isascii() and b.isdigit():
            fraction = a == "0" or b == "0"
            bias = 0
            while True:
                da = i < len(left) and left[i].isascii() and left[i].isdigit()
                db = j < len(right) and right[j].isascii() and right[j].isdigit()
                if not da or not db:
                    if da != db:
                        return 1 if da else -1
                    break
                if left[i] != right[j]:
                    order = 1 if left[i] > right[j] else -1
                    if fraction:
                        return order
                    bias = bias or order
                i, j = i + 1, j + 1
            if bias:
                return bias
            continue
        if a != b:
            return 1 if a > b else -1
        i, j = i + 1, j + 1


_NATURAL_KEY = functools.cmp_to_key(_natural_compare)


def _request_union_lines(
    events: Sequence[Event], free_form: Sequence[str], example: Any
) -> list[str]:
    """``LogEventRequest``: the log request of every event type, discriminated by its type."""
    members = [_atom(event.request_model) for event in events]
    if free_form:
        members.append(_atom(FREE_FORM_REQUEST))
    alternatives = members[0] if len(members) == 1 else _union(*members)
    lines = ["LogEventRequest = Annotated["]
    lines += _fit_indented(alternatives, 4, prefix="", suffix=",")
    lines.append("    Field(")
    if len(members) > 1:
        lines.append('        discriminator="event_type",')
    lines += literal_lines([example], 8, "examples=", ",")
    lines += ["    ),", "]"]
    return lines


def _fitting(line: str, shorter: str) -> str:
    """``line`` if it fits in a line, else ``shorter`` (which always does)."""
    return line if len(line) <= LINE_LENGTH else shorter


def _payload_models_lines(events: Sequence[Event]) -> list[str]:
    """``PAYLOAD_MODELS``: each declared event's payload model, by event type.

    An entry too long for a line has its value in parentheses, which ruff format keeps.
    """
    head = "PAYLOAD_MODELS: Final[Mapping[str, type[BaseModel]]] = {"
    if not events:
        return [head + "}"]
    body = []
    for event in events:
        entry = f'    "{event.name}": {event.payload_model},'
        if len(entry) <= LINE_LENGTH:
            body.append(entry)
        else:
            body += [f'    "{event.name}": (', f"        {event.payload_model}", "    ),"]
    return [head, *body, "}"]


def _free_form_type_lines(free_form: Sequence[str]) -> list[str]:
    """``FreeFormEventType``: the event types whose payload is any JSON object."""
    literal = _sub("Literal", *(_atom(py_string(name)) for name in free_form))
    return _fit(literal, 0, prefix="FreeFormEventType = ")


def _value_key(value: ValueSpec | None) -> list[object] | None:
    """Everything ``value`` says, as a list of plain values."""
    if value is None:
        return None
    return [
        value.type,
        list(value.enum),
        value.min_length,
        value.max_length,
        value.minimum,
        value.maximum,
        _value_key(value.items),
        value.max_items,
    ]


class Catalog(dict[str, object]):
    """What the templates need about the declared events: ``catalog`` in their context.

    Each part is an attribute, computed when a template first uses it, and once. As a mapping
    the catalog holds only its inputs, the plan's events in plain values, from which all of it
    follows: that is what the template context's fingerprint (``sync.plan_fingerprint``) and
    anything else that encodes the context as JSON see.
    """

    def __init__(self, plan: Plan, max_keys: int) -> None:
        """Describe the declared events of ``plan``.

        Args:
            plan: the plan.
            max_keys: the layer's limit of top-level payload keys.

        Raises:
            ConfigError: two generated class names would be the same.
        """
        check_class_names(
            plan.events, lambda key, problem: ConfigError(f"[tool.{TOOL_SECTION}] {key}: {problem}")
        )
        # Plain values: encoding the events' dataclasses would cost ten times as much.
        super().__init__(
            event_types=list(plan.event_types),
            declared=[
                [
                    spec.name,
                    spec.description,
                    spec.additional_properties,
                    [
                        [p.name, p.required, p.description, _value_key(p.value)]
                        for p in spec.properties
                    ],
                ]
                for spec in plan.events
            ],
            max_keys=max_keys,
        )
        self._event_types = plan.event_types
        self._specs = plan.events
        self._max_keys = max_keys

    @cached_property
    def events(self) -> list[Event]:
        """The declared events, in plan order."""
        return [build_event(spec) for spec in self._specs]

    @cached_property
    def _by_name(self) -> dict[str, Event]:
        return {event.name: event for event in self.events}

    @cached_property
    def free_form(self) -> list[str]:
        """The event types that are not declared."""
        return [name for name in self._event_types if name not in self._by_name]

    @cached_property
    def model_names(self) -> frozenset[str]:
        """The validating types and helpers of analytics_models.py the payload models use.

        ``Integer``, ``Number``, ``Boolean``, ``DateTimeString`` (each an unconstrained or
        bounded field of that type) and ``whole_number`` (any integer field): the module defines
        those and no others. Read off the fields' types as :meth:`Property.model_type` writes
        them, so the two cannot disagree.
        """
        named = {
            name
            for event in self.events
            for prop in event.properties
            for name in _IDENTIFIER.findall(prop.model_type().flat())
            if name in _MODEL_HELPERS
        }
        return frozenset(named.union(*(_MODEL_HELPERS[name] for name in named)))

    @cached_property
    def pydantic_imports(self) -> str:
        """The ``from pydantic import ...`` of analytics_models.py, as ruff format writes it."""
        # PlainSerializer and WrapSerializer: a field an owner's serializer writes is not walked.
        names = {"BaseModel", "ConfigDict", "Field", "PlainSerializer", "WrapSerializer"}
        used = self.model_names
        if "whole_number" in used:
            names |= {"BeforeValidator", "Strict"}
        if used & {"Number", "Boolean"}:
            names.add("Strict")
        if "DateTimeString" in used:
            names |= {"AfterValidator", "WithJsonSchema"}
        flat = "from pydantic import " + ", ".join(sorted(names))
        if len(flat) <= LINE_LENGTH:
            return flat
        return "\n".join(
            ["from pydantic import (", *(f"    {name}," for name in sorted(names)), ")"]
        )

    @cached_property
    def standard_context_lines(self) -> list[str]:
        """The fields of the ``StandardContext`` model."""
        return [
            line
            for name in CONTEXT_PROPERTIES
            for line in _property("", PropertySpec(name, ValueSpec("string")), False).field_lines()
        ]

    @cached_property
    def tracking_imports(self) -> list[str]:
        """What event_logger.py imports from the models (tracking parameter types included).

        In the order ruff's isort writes them: constants, classes, then functions.
        """
        aliases = {alias for event in self.events for alias, _ in event.enums}
        return sorted(_LOGGER_IMPORTS | aliases, key=import_order)

    @cached_property
    def tracking_uses_datetime(self) -> bool:
        """Whether a tracking method takes a ``datetime``."""
        return any(
            "datetime" in item.python_type().flat()
            for event in self.events
            for item in event.properties
        )

    @cached_property
    def free_form_type_lines(self) -> list[str]:
        """``FreeFormEventType``, when some event types are not declared."""
        return _free_form_type_lines(self.free_form) if self.free_form else []

    @cached_property
    def request_union_lines(self) -> list[str]:
        """``LogEventRequest``, the union of log requests."""
        return _request_union_lines(self.events, self.free_form, self.example_request)

    @cached_property
    def payload_models_lines(self) -> list[str]:
        """``PAYLOAD_MODELS``."""
        return _payload_models_lines(self.events)

    @cached_property
    def requirement_keys(self) -> list[str]:
        """The spec's requirements about the catalog, after the others (their ids stay put)."""
        keys = [f"event:{event.name}" for event in self.events]
        return [*keys, "event-schema"] if keys else []

    @cached_property
    def example_event(self) -> str:
        """The event type of the documents' examples: the first that is not the error event."""
        others = [name for name in self._event_types if name != ERROR_EVENT_TYPE]
        return others[0] if others else self._event_types[0]

    @cached_property
    def example_payload_object(self) -> dict[str, Any]:
        """A payload the example event accepts."""
        example = self._by_name.get(self.example_event)
        return example.example_payload() if example else {"source": "quickstart"}

    @cached_property
    def example_payload(self) -> str:
        """That payload as JSON text."""
        return _json_text(self.example_payload_object)

    def example_record_attributes(self, event_id: str) -> str:
        """The attributes of the example payload's OpenTelemetry record with ``event_id``.

        As the SDK's console exporter prints them (``json.dumps`` with ``indent=4``): each
        top-level payload key, then ``log.record.uid``; lines after the first indented for the
        attributes' place in the record.
        """
        attributes = {**self.example_payload_object, "log.record.uid": event_id}
        return json.dumps(attributes, indent=4).replace("\n", "\n    ")

    @cached_property
    def example_payload_python(self) -> str:
        """That payload as a Python literal."""
        return python_literal(self.example_payload_object)

    @cached_property
    def example_tracking_call(self) -> str:
        """The example event's tracking call ('' for a free-form example event)."""
        example = self._by_name.get(self.example_event)
        return "\n".join(example.example_call()) if example else ""

    @cached_property
    def logger_docstring_calls(self) -> list[list[str]]:
        r"""The calls the event logger's module docstring shows, as lines of that docstring.

        The example log call, then the first declared event's tracking call, each at column 4.
        An enum's value there may hold a backslash or three double quotes, which would end or
        change a docstring: then the docstring is raw (``logger_docstring_prefix``), and three
        quotes are written ``""\"``, which a raw docstring keeps as written and Python reads
        back as the same three quotes in the example's string literal.
        """
        calls = [self.example_log_call(4)]
        if self.events:
            calls.append(self.events[0].example_call(4))
        return [[line.replace('"""', '""\\"') for line in call] for call in calls]

    @cached_property
    def logger_docstring_prefix(self) -> str:
        """``r`` when the event logger's module docstring must be raw (see the calls it shows)."""
        lines = [line for call in self.logger_docstring_calls for line in call]
        return "r" if any("\\" in line for line in lines) else ""

    def example_log_call(self, indent: int = 0) -> list[str]:
        """``event_logger.log(...)`` of the example event and payload, as lines of Python source.

        One line if it fits at column ``indent``, else one argument per line.
        """
        event = py_string(self.example_event)
        payload = self.example_payload_object
        flat = f"event_logger.log({event}, {python_literal(payload)})"
        if indent + len(flat) <= LINE_LENGTH:
            return [flat]
        exploded = literal_lines(payload, indent + 4, "", ",")
        return ["event_logger.log(", f"    {event},", *(line[indent:] for line in exploded), ")"]

    @cached_property
    def example_request(self) -> dict[str, Any]:
        """A log request body with the example event and payload."""
        return {"event_type": self.example_event, "payload": self.example_payload_object}

    @cached_property
    def example_body(self) -> str:
        """That body as JSON text."""
        return _json_text(self.example_request)

    @cached_property
    def redaction_event(self) -> str | None:
        """An event that takes any key, to show redaction with (None if there is none).

        A free-form one or a declared one with additional-properties: the example event when it
        is one of them.
        """
        open_events = [
            name
            for name in self._event_types
            if name not in self._by_name or self._by_name[name].additional_properties
        ]
        if self.example_event in open_events:
            return self.example_event
        return open_events[0] if open_events else None

    @cached_property
    def redaction_payload(self) -> str:
        """A payload of the redaction event with a sensitive value in it, as JSON text."""
        event = self._by_name.get(self.redaction_event or "")
        base = event.example_payload() if event else {}
        return _json_text({**base, "source": "quickstart", "user": {"email": "ada@example.com"}})

    @cached_property
    def components_yaml(self) -> str:
        """The contract's payload and request schemas of the declared events."""
        components: dict[str, Any] = {}
        for event in self.events:
            components[event.payload_model] = self.payload_schemas[event.name]
            components[event.request_model] = request_schema(event)
        return "\n".join(yaml_lines(components, 4))

    @cached_property
    def examples_yaml(self) -> str:
        """The contract's examples of the log request."""
        return "\n".join(yaml_lines({"examples": [self.example_request]}, 6))

    @cached_property
    def payload_schemas(self) -> dict[str, dict[str, Any]]:
        """Each declared event's payload schema, by event type."""
        return {event.name: event.payload_schema(self._max_keys) for event in self.events}

    @cached_property
    def events_schema(self) -> str:
        """``contracts/events.schema.json`` ('' without declared events)."""
        if not self.events:
            return ""
        return events_document(self._event_types, self.events, self.payload_schemas, self._max_keys)


def _json_text(value: Mapping[str, Any]) -> str:
    """Compact JSON with spaces after separators, as people write it in documents."""
    return _to_json(value)
