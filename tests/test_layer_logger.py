"""The generated EventLogger: validation, encoding, redaction, the logging sink, switches, threads.

Every test runs twice: with orjson (when installed) and with the standard library's json only
(orjson blocked while the layer is imported), the two encoders the generated code chooses from.
"""

from __future__ import annotations

import dataclasses
import decimal
import enum
import itertools
import json
import logging
import math
import os
import re
import subprocess
import sys
import threading
import uuid
import warnings
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path, PurePosixPath, PureWindowsPath
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, NamedTuple, get_args

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic.alias_generators import to_camel
from typing_extensions import TypedDict

from tests.layer_support import (
    PLAN_OPTIONS,
    FailingSink,
    Layer,
    RecordingSink,
    make_plan,
    render_tree,
    rendered_layer,
)

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
MARKER = "payload-marker-5d1e"  # must never show up in a warning


try:
    import orjson  # noqa: F401  # only to know whether the orjson path can be tested
except ImportError:  # pragma: no cover - the dev extra installs orjson
    ENCODERS = ["stdlib"]
else:
    ENCODERS = ["orjson", "stdlib"]


@contextmanager
def encoder(name: str) -> Iterator[None]:
    """While the layer is imported, make ``import orjson`` fail for the ``stdlib`` variant."""
    if name == "orjson":
        yield
        return
    saved = sys.modules.get("orjson")
    sys.modules["orjson"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if saved is None:
            del sys.modules["orjson"]
        else:
            sys.modules["orjson"] = saved


@contextmanager
def layer_with(root: Path, name: str, **options: Any) -> Iterator[Layer]:
    with ExitStack() as stack:
        with encoder(name):  # only while importing: the module picks its encoder then
            rendered = stack.enter_context(rendered_layer(root, **options))
        uses_orjson = rendered.models._ORJSON_ENCODE is not None
        assert uses_orjson is (name == "orjson")
        yield rendered


@pytest.fixture(scope="module", params=ENCODERS)
def layer(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Layer]:
    with layer_with(tmp_path_factory.mktemp("layer"), request.param) as rendered:
        yield rendered


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def logger(layer: Layer, sink: RecordingSink) -> Any:
    return layer.event_logger.EventLogger(sink, enabled=True)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "app.analytics"]


# --- event types ------------------------------------------------------------------------------


@pytest.mark.parametrize("options", PLAN_OPTIONS.values(), ids=PLAN_OPTIONS.keys())
def test_allowed_event_types_come_from_the_plan(tmp_path: Path, options: dict[str, Any]) -> None:
    with rendered_layer(tmp_path, **options) as rendered:
        expected = rendered.plan.event_types
        assert expected == rendered.event_logger.ALLOWED_EVENT_TYPES
        assert expected == get_args(rendered.models.EventType)
        logger = rendered.event_logger.EventLogger(RecordingSink(), enabled=True)
        for event_type in expected:
            assert logger.record(event_type).event_type == event_type


def test_unknown_type_is_rejected_naming_the_allowed_types(layer: Layer, logger: Any) -> None:
    with pytest.raises(layer.event_logger.EventValidationError) as raised:
        logger.record("chapter_vist", {})
    assert isinstance(raised.value, ValueError)
    assert raised.value.field == "event_type"
    message = str(raised.value)
    assert "chapter_vist" in message
    for allowed in layer.event_logger.ALLOWED_EVENT_TYPES:
        assert allowed in message


@pytest.mark.parametrize(
    ("event_type", "fragment"),
    [
        ("password=hunter2", "hunter2"),
        ("Bearer hunter2hunter2", "hunter2"),
        ("x" * 70 + " token: hunter2", "hunter2"),
        # The message quotes 80 characters of the type: a credential across that cut was judged
        # by its first characters only, too few to be recognised, and they were quoted.
        ("x" * 60 + " sk_live_a1B2c3D4e5F6g7H8i9J0k1L2", "a1B2c3"),
        ("y" * 62 + " Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijklmnop", "eyJhbG"),
        ("q" * 70 + " AKIAIOSFODNN7EXAMPLE", "AKIAIOS"),
    ],
)
def test_an_unknown_type_holding_a_credential_is_not_quoted(
    layer: Layer,
    logger: Any,
    caplog: pytest.LogCaptureFixture,
    event_type: str,
    fragment: str,
) -> None:
    # A type taken from a request (log(request.query_params["t"], ...)) reaches the messages.
    caplog.set_level(logging.WARNING, logger="app.analytics")
    logger.log(event_type, {})
    with pytest.raises(layer.event_logger.EventValidationError) as raised:
        logger.record(event_type, {})
    [warning] = warnings_of(caplog)
    for message in (warning.getMessage(), str(raised.value)):
        assert "unknown event type '[redacted]'" in message
        assert fragment not in message


# --- the event --------------------------------------------------------------------------------


def test_a_mapping_that_is_no_dict_is_recorded_as_its_items(
    layer: Layer, logger: Any, sink: RecordingSink
) -> None:
    # log()/record() take a Mapping[str, object] (a payload literal is then no dict[str, Any] to
    # a strict project's mypy): one that is no dict is read as the dict of its items, redacted
    # as any payload. A value that is no mapping is still refused.
    frozen = MappingProxyType({"block_type": "quiz", "password": "hunter2", "count": 2})
    event = logger.record("ai_block_used", frozen)
    assert event.payload == {"block_type": "quiz", "password": "[redacted]", "count": 2}
    assert sink.events == [event]
    with pytest.raises(layer.event_logger.EventValidationError, match="JSON object"):
        logger.record("ai_block_used", [("block_type", "quiz")])


def test_a_mapping_of_endless_items_is_refused_after_the_key_limit(
    layer: Layer, logger: Any, sink: RecordingSink
) -> None:
    # It was copied whole before the key limit was checked: log() never returned.
    limit = layer.event_logger.MAX_PAYLOAD_KEYS
    taken: list[int] = []

    class Endless(Mapping[str, object]):
        def __getitem__(self, key: str) -> object:
            return 1

        def __len__(self) -> int:
            return 2**31

        def __iter__(self) -> Iterator[str]:
            for index in itertools.count():
                taken.append(index)
                if index > 10 * limit:
                    raise AssertionError("read on past the key limit")
                yield f"k{index}"

    with pytest.raises(layer.event_logger.EventValidationError, match="top-level keys"):
        logger.record("ai_block_used", Endless())
    assert len(taken) == limit + 1
    assert sink.events == []


def test_record_builds_the_event(logger: Any, sink: RecordingSink) -> None:
    before = datetime.now(UTC)
    event = logger.record("ai_block_used", {"block_type": "quiz", "count": 2})
    after = datetime.now(UTC)
    assert sink.events == [event]
    assert event.event_type == "ai_block_used"
    assert event.payload == {"block_type": "quiz", "count": 2}
    assert uuid.UUID(event.event_id).version == 4
    assert str(uuid.UUID(event.event_id)) == event.event_id
    assert TIMESTAMP.match(event.timestamp)
    stamp = datetime.strptime(event.timestamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert before - timedelta(milliseconds=1) <= stamp <= after


def test_event_ids_are_unique_uuid4(logger: Any) -> None:
    ids = [logger.record("ai_block_used").event_id for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert {uuid.UUID(event_id).variant for event_id in ids} == {uuid.RFC_4122}


@pytest.mark.parametrize("payload", [None, {}])
def test_missing_payload_becomes_empty_object(logger: Any, payload: Any) -> None:
    assert logger.record("chapter_visit", payload).payload == {}


def test_event_json_is_canonical(logger: Any) -> None:
    payload = {"b": [1, {"z": 1, "a": "é"}], "a": None, "c": 1.5, "d": "\u2028\x00\U0001f600"}
    event = logger.record("ai_block_used", payload)
    expected = json.dumps(
        event.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert event.to_json() == expected
    assert json.loads(event.to_json())["payload"]["b"][1]["a"] == "é"


# --- encoding: the standard types, and the same bytes from both encoders ------------------


class Color(enum.Enum):
    RED = "red"
    NESTED = (1, uuid.UUID(int=7))


class Level(enum.IntEnum):
    HIGH = 3


class Mode(enum.StrEnum):
    FAST = "fast"


class Point(NamedTuple):
    x: int
    y: int


class Text(str):
    """A str subclass, as libraries hand out."""


STANDARD_VALUES = {
    "uuid": (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
    "date": (date(2025, 1, 27), "2025-01-27"),
    "datetime-utc": (
        datetime(2025, 1, 27, 9, 30, 0, 123456, tzinfo=UTC),
        "2025-01-27T09:30:00.123456+00:00",
    ),
    "datetime-offset": (
        datetime(2025, 1, 27, 9, 30, tzinfo=timezone(timedelta(hours=-5))),
        "2025-01-27T09:30:00-05:00",
    ),
    "datetime-naive": (datetime(2025, 1, 27, 9, 30), "2025-01-27T09:30:00"),
    "time": (time(9, 30, 1), "09:30:01"),
    "timedelta": (timedelta(minutes=1, microseconds=500), 60.0005),
    "decimal": (decimal.Decimal("1.10"), "1.10"),
    "decimal-exponent": (decimal.Decimal("1E+3"), "1E+3"),
    "enum": (Color.RED, "red"),
    "enum-nested-value": (Color.NESTED, [1, "00000000-0000-0000-0000-000000000007"]),
    "int-enum": (Level.HIGH, 3),
    "str-enum": (Mode.FAST, "fast"),
    "posix-path": (PurePosixPath("/srv/a b.txt"), "/srv/a b.txt"),
    "windows-path": (PureWindowsPath("C:/data/x.txt"), "C:\\data\\x.txt"),
    "bytes": (b"chapter-1", "chapter-1"),
    "bytes-non-utf8": (b"a\xff\xfeb", "a\\xff\\xfeb"),
    "bytes-utf8": ("é".encode(), "é"),
    "str-subclass": (Text("plain"), "plain"),
    "bool": (True, True),
    "namedtuple": (Point(1, 2), [1, 2]),
    "ordered-dict": (OrderedDict(b=1, a=2), {"a": 2, "b": 1}),
}


@pytest.mark.parametrize(
    ("value", "expected"), STANDARD_VALUES.values(), ids=STANDARD_VALUES.keys()
)
def test_standard_types_are_recorded_in_their_json_form(
    logger: Any, sink: RecordingSink, value: Any, expected: Any
) -> None:
    event = logger.record("ai_block_used", {"value": value, "list": [value], "deep": {"v": value}})
    assert event.payload == {"value": expected, "list": [expected], "deep": {"v": expected}}
    assert sink.events == [event]
    # The event holds only plain JSON types, so any JSON library can write it again.
    assert json.loads(event.to_json())["payload"] == json.loads(json.dumps(event.payload))
    assert type(event.payload["value"]) in (str, int, float, bool, list, dict)


@dataclasses.dataclass
class Shelf:
    """A dataclass an owner passes to log() as a property value."""

    name: str
    opened: date
    password: str = "hunter2"
    api_token: str = dataclasses.field(default="t0k3n-value", repr=False)
    inner: Any = None


class Reader(pydantic.BaseModel):
    """A pydantic model an owner passes to log() as a property value."""

    model_config = pydantic.ConfigDict(populate_by_name=True)

    reader_id: uuid.UUID = pydantic.Field(alias="readerId")
    secret: pydantic.SecretStr
    note: str
    hidden: str = pydantic.Field(default="kept-out", exclude=True)
    shelf: Any = None


def test_dataclasses_and_pydantic_models_are_recorded_as_their_fields_redacted(
    logger: Any, layer: Layer
) -> None:
    # An owner passes the objects the handler holds: each is the object of its fields, whose
    # values are read as any object's (a password field redacted, a credential in text too).
    shelf = Shelf("physics", date(2025, 1, 27), inner=Shelf("nested", date(2025, 1, 28)))
    reader = Reader(
        readerId=uuid.UUID(int=5),
        secret=pydantic.SecretStr("s3cret"),
        note="postgres://admin:S3cr3tPassw0rd@db.example.com/app",
        shelf=Shelf("model", date(2025, 2, 1)),
    )
    redacted = layer.redaction.REDACTED
    event = logger.record("ai_block_used", {"shelf": shelf, "reader": [reader]})
    assert event.payload == {
        "shelf": {
            "name": "physics",
            "opened": "2025-01-27",
            "password": redacted,
            "inner": {
                "name": "nested",
                "opened": "2025-01-28",
                "password": redacted,
                "inner": None,
            },
        },
        "reader": [
            {
                "readerId": "00000000-0000-0000-0000-000000000005",
                "secret": "**********",  # pydantic's mask, kept as a mask is under any key
                "note": redacted,
                # pydantic writes a dataclass among a model's fields whole: what its repr
                # leaves out is taken out of the dump, as of a dataclass given itself.
                "shelf": {
                    "name": "model",
                    "opened": "2025-02-01",
                    "password": redacted,
                    "inner": None,
                },
            }
        ],
    }
    assert "hunter2" not in event.to_json() and "t0k3n-value" not in event.to_json()
    assert "kept-out" not in event.to_json() and "S3cr3tPassw0rd" not in event.to_json()


def test_a_dataclass_or_a_pydantic_model_as_the_payload_is_the_object_of_its_fields(
    logger: Any, layer: Layer
) -> None:
    # A handler may hand over its request body whole, against the annotation.
    redacted = layer.redaction.REDACTED
    event = logger.record("ai_block_used", Shelf("physics", date(2025, 1, 27)))
    assert event.payload == {
        "name": "physics",
        "opened": "2025-01-27",
        "password": redacted,
        "inner": None,
    }
    reader = Reader(readerId=uuid.UUID(int=5), secret=pydantic.SecretStr("x"), note="hunter2")
    assert logger.record("ai_block_used", reader).payload == {
        "readerId": "00000000-0000-0000-0000-000000000005",
        "secret": "**********",
        "note": "hunter2",
        "shelf": None,
    }
    with pytest.raises(layer.event_logger.EventValidationError, match="must be a JSON object"):
        logger.record("ai_block_used", Shelf)


def test_dataclasses_nesting_too_deep_or_in_a_cycle_are_refused_in_one_line(
    layer: Layer, logger: Any
) -> None:
    # The payload's limits hold for the objects fields make: a level each, and no cycle.
    deep: Any = None
    for _ in range(layer.models.MAX_PAYLOAD_DEPTH):
        deep = Shelf("level", date(2025, 1, 1), inner=deep)
    with pytest.raises(layer.event_logger.EventValidationError, match="nests deeper"):
        logger.record("ai_block_used", {"shelf": deep})
    looped = Shelf("loop", date(2025, 1, 1))
    looped.inner = looped
    with pytest.raises(layer.event_logger.EventValidationError) as raised:
        logger.record("ai_block_used", {"shelf": looped})
    assert "\n" not in str(raised.value) and "hunter2" not in str(raised.value)
    # A dataclass itself, not an instance, is no value.
    with pytest.raises(layer.event_logger.EventValidationError, match="have no JSON form"):
        logger.record("ai_block_used", {"kind": Shelf})


def test_objects_nesting_to_the_limit_are_kept_and_any_deeper_refused_as_too_deep(
    layer: Layer, logger: Any
) -> None:
    # Each object is a level, as a dict is (the payload itself is level 1): measured before the
    # encoder recurses, a chain of 10,000 is refused as too deep, not as a RecursionError.
    limit = layer.models.MAX_PAYLOAD_DEPTH
    chain: Any = None
    for _ in range(limit - 1):
        chain = Shelf("level", date(2025, 1, 1), inner=chain)
    assert logger.record("ai_block_used", {"shelf": chain}).payload["shelf"]["name"] == "level"
    for _ in range(10_000):
        chain = Shelf("level", date(2025, 1, 1), inner=chain)
    for payload in ({"shelf": chain}, chain):
        with pytest.raises(layer.event_logger.EventValidationError, match="nests deeper"):
            logger.record("ai_block_used", payload)


class ResetRequest(pydantic.BaseModel):
    """A model whose field a handler sets to what it read (assignment is not validated)."""

    user_id: int
    reset_token: uuid.UUID


def test_a_model_holding_a_value_of_another_type_warns_of_nothing(
    logger: Any, layer: Layer
) -> None:
    # pydantic's serializer warning quotes the value (a token set on a UUID field) on stderr.
    body = ResetRequest(user_id=1, reset_token=uuid.UUID(int=1))
    body.reset_token = "tok_9f8e7d6c5b4a-from-header"  # type: ignore[assignment]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        event = logger.record("ai_block_used", {"body": body})
        logger.record("ai_block_used", body)
    assert [str(warning.message) for warning in caught] == []
    assert event.payload == {"body": {"user_id": 1, "reset_token": layer.redaction.REDACTED}}


@dataclasses.dataclass
class MappedUser:
    """A dataclass whose class an ORM maps, as SQLAlchemy's ``MappedAsDataclass`` makes one."""

    _sa_class_manager: ClassVar[object] = object()  # the attribute SQLAlchemy's mapper sets
    name: str
    posts: list[Any]

    def __getattribute__(self, name: str) -> Any:
        # A relationship's attribute loads it (SQL inside log()): record every read.
        if not name.startswith("__"):
            READ_FIELDS.append(name)
        return object.__getattribute__(self, name)


READ_FIELDS: list[str] = []


def test_an_orm_mapped_dataclass_is_refused_without_reading_its_fields(
    logger: Any, layer: Layer
) -> None:
    user = MappedUser("ada", [])
    READ_FIELDS.clear()
    for payload in ({"user": user}, {"users": [user]}, user):
        with pytest.raises(layer.event_logger.EventValidationError, match="ORM-mapped") as raised:
            logger.record("ai_block_used", payload)
        assert "\n" not in str(raised.value)
    assert READ_FIELDS == []


class Rows(pydantic.BaseModel):
    """A model of many rows, which counts the times it is converted."""

    rows: list[dict[str, str]]

    def model_dump(self, **options: Any) -> dict[str, Any]:
        DUMPED.append(len(self.rows))
        return super().model_dump(**options)


DUMPED: list[int] = []


def test_a_model_too_large_is_refused_before_it_is_converted(logger: Any, layer: Layer) -> None:
    # model_dump converts a model whole: a million rows would be converted, then refused.
    rows = [{"id": str(index), "name": "n" * 20} for index in range(20_000)]
    DUMPED.clear()
    for payload in ({"v": Rows(rows=rows)}, {"v": [Shelf("a", date(2025, 1, 1), inner=rows)]},
                    Rows(rows=rows)):  # fmt: skip
        with pytest.raises(layer.event_logger.EventValidationError, match="larger than"):
            logger.record("ai_block_used", payload)
    assert DUMPED == []
    small = Rows(rows=rows[:2])
    assert logger.record("ai_block_used", {"v": small}).payload == {"v": {"rows": rows[:2]}}


def test_a_model_is_converted_once_per_event(logger: Any, layer: Layer) -> None:
    # The size check encodes the caller's payload and the recorded copy is made from it: each
    # converted the model again (its serializers ran twice, a big model's time doubled).
    small = Rows(rows=[{"id": "1", "name": "ada"}])
    for payload in ({"v": small}, {"v": [small], "password": "hunter2"}, small):
        DUMPED.clear()
        logger.record("ai_block_used", payload)
        assert DUMPED == [1]
    # ... and a model met anew in the next event is converted anew.
    small.rows = [{"id": "2", "name": "bob"}]
    DUMPED.clear()
    assert logger.record("ai_block_used", {"v": small}).payload == {"v": {"rows": small.rows}}
    assert DUMPED == [1]


class Login(pydantic.BaseModel):
    """A request model whose secrets have bland aliases, or are kept out of its repr."""

    model_config = pydantic.ConfigDict(populate_by_name=True)

    username: str = pydantic.Field(alias="u")
    password: str = pydantic.Field(alias="p")
    session_key: str = pydantic.Field(serialization_alias="k")
    recovery: str = pydantic.Field(default="kept-out-of-repr", repr=False)
    next: Any = None


class Envelope(pydantic.BaseModel):
    """A model holding another as a field."""

    login: Login
    label: str = "signin"


def test_a_model_field_named_as_a_secret_is_redacted_under_any_alias(
    logger: Any, layer: Layer
) -> None:
    # The alias ("p") says nothing; the field's name ("password") says what it holds.
    redacted = layer.redaction.REDACTED
    login = Login(u="ada", p="hunter2-Pw", session_key="5f1d0c2e9a8b7c6d", next="/home")
    expected = {"u": "ada", "p": redacted, "k": redacted, "next": "/home"}
    assert logger.record("ai_block_used", {"login": login}).payload == {"login": expected}
    assert logger.record("ai_block_used", login).payload == expected
    # A field kept out of the model's repr is kept out of the record, as a dataclass' is.
    event = logger.record("ai_block_used", {"login": login})
    assert "kept-out-of-repr" not in event.to_json()
    # A model in a model's field is written by the outer model's one dump, and read in it
    # by its own fields' names and repr.
    for payload in ({"body": Envelope(login=login)}, Envelope(login=login)):
        event = logger.record("ai_block_used", payload)
        body = event.payload.get("body", event.payload)
        assert body == {"login": expected, "label": "signin"}
        assert "kept-out-of-repr" not in event.to_json()


class Creds(pydantic.BaseModel):
    """Credentials under bland keys: an alias generator's, an alias, a serialization alias."""

    model_config = pydantic.ConfigDict(alias_generator=to_camel, populate_by_name=True)

    password: str = pydantic.Field(alias="pw")
    api_key: str = "ak-value-7f3a"
    session_token: str = pydantic.Field(default="st-value-7f3a", serialization_alias="s")
    user_name: str = "ada"
    recovery: str = pydantic.Field(default="repr-hidden-7f3a", repr=False)


@pydantic.dataclasses.dataclass
class CredsRecord:
    """A pydantic dataclass holding a secret under an alias, and the model above."""

    secret_code: str = pydantic.Field(alias="sc")
    inner: Creds | None = None


@dataclasses.dataclass
class CredsHolder:
    """A dataclass holding the model, and a field its repr leaves out."""

    held: Creds
    hidden: str = dataclasses.field(default="dc-hidden-7f3a", repr=False)


class Request(pydantic.BaseModel):
    """A request model holding the credentials every way a field can."""

    body: Creds
    many: list[Creds] = []
    keyed: dict[int | str, Creds] = {}
    pair: tuple[str, Creds] | None = None
    record: CredsRecord | None = None
    holder: CredsHolder | None = None
    extra_field: Any = None


class CredsList(pydantic.RootModel[list[Creds]]):
    """A root model of the credentials."""


_CREDS_SECRETS = ("hunter2-pw", "ak-value", "st-value", "repr-hidden", "dc-hidden", "sc-value")


def test_a_model_held_by_a_model_is_read_by_its_own_fields_names_and_repr(
    logger: Any, layer: Layer
) -> None:
    # The one dump of the outer model writes the inner ones under their aliases: read side by
    # side with the objects, each inner field is judged by its name and repr, at any depth.
    redacted = layer.redaction.REDACTED
    creds = Creds(pw="hunter2-pw")
    shown = {"pw": redacted, "apiKey": redacted, "s": redacted, "userName": "ada"}
    request = Request(
        body=creds,
        many=[creds, creds],
        keyed={7: creds},
        pair=("login", creds),
        record=CredsRecord(sc="sc-value-7f3a", inner=creds),
        holder=CredsHolder(creds),
        extra_field=[creds],
    )
    for payload in (request, {"request": request}, {"request": [request]}, CredsHolder(creds)):
        event = logger.record("ai_block_used", payload)
        text = event.to_json()
        assert not [secret for secret in _CREDS_SECRETS if secret in text], text
        assert "ada" in text
    body = logger.record("ai_block_used", request).payload
    assert body["body"] == shown and body["many"] == [shown, shown]
    assert body["keyed"] == {"7": shown} and body["pair"] == ["login", shown]
    assert body["record"] == {"sc": redacted, "inner": shown}
    assert body["holder"] == {"held": shown}
    assert body["extra_field"] == [shown]
    assert logger.record("ai_block_used", {"v": CredsList([creds])}).payload == {"v": [shown]}
    # Keys one JSON key writes (1 and "1"): the value dumped under it is read all the same.
    keyed = Request(body=creds, keyed={1: creds, "1": Creds(pw="x", session_token="st-hunter3")})
    assert "st-hunter3" not in logger.record("ai_block_used", keyed).to_json()


class EnvVar(pydantic.BaseModel):
    """A Kubernetes env entry whose name its owner keeps out of the repr."""

    name: str = pydantic.Field(repr=False)
    value: str


class SignIn(pydantic.BaseModel):
    """A login form whose e-mail (personal data) its owner keeps out of the repr."""

    email: str = pydantic.Field(repr=False)
    pass_: str = pydantic.Field(alias="pass")


class AwsTag(pydantic.BaseModel):
    Key: str = pydantic.Field(repr=False)
    Value: str


class AwsCredentials(pydantic.BaseModel):
    access_key_id: str = pydantic.Field(repr=False)
    secret: str


@dataclasses.dataclass
class EnvEntry:
    """The env entry as a dataclass."""

    name: str = dataclasses.field(repr=False)
    value: str = ""


class Deployment(pydantic.BaseModel):
    image: str = "api:1"
    env: list[EnvVar] = []
    form: SignIn | None = None
    tags: list[AwsTag] = []
    aws: AwsCredentials | None = None
    entry: EnvEntry | None = None


_AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize(
    "model",
    [
        EnvVar(name="DB_PASSWORD", value="hunter2-7f3a"),
        SignIn(email="ada@example.com", **{"pass": "hunter2-7f3a"}),
        AwsTag(Key="api_token", Value="hunter2-7f3a"),
        AwsCredentials(access_key_id="AKIAIOSFODNN7EXAMPLE", secret=_AWS_SECRET),
        EnvEntry(name="DB_PASSWORD", value="hunter2-7f3a"),
    ],
)
def test_a_field_kept_out_of_the_repr_still_names_its_siblings_secret(
    logger: Any, model: Any
) -> None:
    # The field left out (a record's name, a login's e-mail, a key id) says its sibling is a
    # secret: read on the whole dump before it is taken out, as the model itself, held by a
    # field of another, or in a dict.
    field = {
        EnvVar: "env",
        SignIn: "form",
        AwsTag: "tags",
        AwsCredentials: "aws",
        EnvEntry: "entry",
    }[type(model)]
    held = [model] if field in {"env", "tags"} else model
    for payload in (
        model,
        {"v": model},
        Deployment(**{field: held}),
        {"d": [Deployment(**{field: held})]},
    ):
        text = logger.record("ai_block_used", payload).to_json()
        assert "hunter2-7f3a" not in text and _AWS_SECRET not in text, text
        for hidden in ("DB_PASSWORD", "ada@example.com", "api_token", "AKIAIOSFODNN7EXAMPLE"):
            assert hidden not in text, text
    recorded = logger.record("ai_block_used", Deployment(env=[EnvVar(name="HOME", value="/root")]))
    assert recorded.payload["env"] == [{"value": "/root"}]


class FormFields(pydantic.BaseModel):
    """A form's names and values in parallel lists, the names kept out of the repr."""

    names: list[str] = pydantic.Field(repr=False)
    values: list[str]


class ResultTable(pydantic.BaseModel):
    """An SQL result whose columns its owner keeps out of the repr."""

    columns: list[str] = pydantic.Field(repr=False)
    rows: list[list[str]]


@dataclasses.dataclass
class MetricLabels:
    """Prometheus' label names and values, the names kept out of the repr."""

    labelNames: list[str] = dataclasses.field(repr=False)
    labelValues: list[str] = dataclasses.field(default_factory=list)


class Reports(pydantic.BaseModel):
    form: FormFields | None = None
    table: ResultTable | None = None
    labels: MetricLabels | None = None


@pytest.mark.parametrize(
    "model",
    [
        FormFields(names=["user", "password"], values=["ada", "hunter2-7f3a"]),
        ResultTable(columns=["id", "api_key"], rows=[["1", "hunter2-7f3a"], ["2", "hunter2-7f3b"]]),
        MetricLabels(["user", "session_token"], ["ada", "hunter2-7f3a"]),
    ],
)
def test_a_list_of_names_kept_out_of_the_repr_still_names_its_parallel_values_secret(
    logger: Any, model: Any
) -> None:
    # The hidden list of names says which cells of the values beside it are secrets: read on
    # the whole dump before it is taken out, and only those cells are redacted.
    field = {FormFields: "form", ResultTable: "table", MetricLabels: "labels"}[type(model)]
    for payload in (
        model,
        {"v": model},
        Reports(**{field: model}),
        {"r": Reports(**{field: model})},
    ):
        text = logger.record("ai_block_used", payload).to_json()
        assert "hunter2-7f3" not in text, text
        assert "ada" in text or '"1"' in text, text
        assert "password" not in text and "api_key" not in text and "session_token" not in text


@dataclasses.dataclass
class PlainCreds:
    """A plain dataclass whose fields declare pydantic aliases (read when a model holds it)."""

    # Built by hand, a field whose default is a ``Field`` holds it: each is given a value.

    secret_code: str = pydantic.Field(alias="sc")
    api_token: Annotated[str, pydantic.Field(serialization_alias="t")] = "x"
    hidden_note: str = pydantic.Field(default="h", repr=False)
    extra: str = dataclasses.field(default=pydantic.Field(default="e", alias="x2"))


@dataclasses.dataclass
class PlainNote:
    """A plain dataclass under an enclosing model's alias generator."""

    first_word: str
    hidden_note: str = dataclasses.field(default="", repr=False)


class CamelHolder(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(alias_generator=to_camel)

    details: PlainCreds
    note: PlainNote | None = None


@pytest.mark.parametrize(
    ("payload", "secrets", "expected"),
    [
        (
            lambda: CamelHolder(
                details=PlainCreds("sc-value-7f3a", "tk-value-7f3a", "hn-value", "e")
            ),
            ["sc-value-7f3a", "tk-value-7f3a", "hn-value"],
            {"details": {"sc": "[redacted]", "t": "[redacted]", "x2": "e"}, "note": None},
        ),
        (
            lambda: CamelHolder(
                details=PlainCreds("sc-value-7f3a", hidden_note="hn-value", extra="e"),
                note=PlainNote("hello", "dc-hidden-7f3a"),
            ),
            ["sc-value-7f3a", "hn-value", "dc-hidden-7f3a"],
            {
                "details": {"sc": "[redacted]", "t": "[redacted]", "x2": "e"},
                "note": {"firstWord": "hello"},
            },
        ),
    ],
)
def test_a_plain_dataclass_held_by_a_model_is_read_by_the_fields_pydantic_dumps(
    logger: Any, payload: Any, secrets: list[str], expected: dict[str, Any]
) -> None:
    # pydantic writes a plain dataclass' fields under the aliases their ``Field`` defaults or
    # ``Annotated`` metadata declare (an enclosing model's alias generator's too): each is
    # judged by its name and repr there, as a pydantic dataclass' field is.
    model = payload()
    for given_payload in (model, {"v": model}):
        text = logger.record("ai_block_used", given_payload).to_json()
        assert not [secret for secret in secrets if secret in text], text
    assert logger.record("ai_block_used", model).payload == expected
    # Logged itself, a plain dataclass is recorded under its own fields' names.
    recorded = logger.record("ai_block_used", {"c": model.details}).payload["c"]
    assert set(recorded) == {"secret_code", "api_token", "extra"}
    assert recorded["secret_code"] == "[redacted]"


class LoginTuple(NamedTuple):
    user: str
    password: str


class LoginDict(TypedDict):
    user: str
    api_token: str


class Shortened(pydantic.BaseModel):
    """A model whose alias generator names a TypedDict's keys as its own fields'."""

    model_config = pydantic.ConfigDict(alias_generator=lambda name: name[:1], populate_by_name=True)

    tup: Any = None
    form: LoginDict | None = None


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (
            Shortened(tup=LoginTuple("ada", "hunter2-7f3a")),
            {"t": ["ada", "[redacted]"], "f": None},
        ),
        (
            Shortened.model_validate({"f": {"u": "ada", "a": "hunter2-7f3a"}}),
            {"t": None, "f": {"u": "ada", "a": "[redacted]"}},
        ),
    ],
)
def test_a_named_tuple_or_a_typed_dict_in_a_model_is_read_by_its_own_names(
    logger: Any, model: pydantic.BaseModel, expected: dict[str, Any]
) -> None:
    # Dumped as a list, a named tuple's items are still named by its fields; dumped under an
    # enclosing alias generator's keys, a TypedDict's entries still by its own keys.
    for payload in (model, {"v": model}):
        assert "hunter2-7f3a" not in logger.record("ai_block_used", payload).to_json()
    assert logger.record("ai_block_used", model).payload == expected


class Flat(pydantic.BaseModel):
    """Long flat lists: of anything (items read), and of numbers (the annotation says so)."""

    items: list[Any] = []
    numbers: list[int] = []


@pytest.mark.parametrize("item", [0, "", {}, [0], {"a": "b"}])
def test_a_models_long_flat_list_is_not_walked_item_by_item(layer: Layer, item: Any) -> None:
    # A model holding 4,000 items that hold no model: reading its dump for the fields of the
    # models it holds ran 32 to 80 Python lines per item (counted, not timed); a list whose
    # annotation holds none (list[int]) is not read at all.
    models = layer.models

    def lines_run(model: pydantic.BaseModel) -> int:
        count = 0

        def trace(frame: Any, event: str, _arg: Any) -> Any:
            nonlocal count
            if frame.f_globals is vars(models):
                count += event == "line"
                return trace
            return None

        sys.settrace(trace)
        try:
            layer.event_logger._model_or_dataclass_form(model)
        finally:
            sys.settrace(None)
        return count

    assert lines_run(Flat(items=[item] * 4000)) <= 20 * 4000
    assert lines_run(Flat(numbers=list(range(4000)))) <= 200


class Profile(pydantic.BaseModel):
    """A model its owner's serialization writes otherwise when another model holds it."""

    name: str = "ada"
    internal_note: str = "HIDDEN-BY-OWNER"


class MasksProfile(pydantic.BaseModel):
    """A "safe dump" override: the nested model written as its name only."""

    profile: Profile = Profile()

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        dumped = super().model_dump(**kwargs)
        dumped["profile"] = {"name": self.profile.name}
        return dumped


class PlainProfile(pydantic.BaseModel):
    profile: Annotated[Profile, pydantic.PlainSerializer(lambda p: p.name, return_type=str)] = (
        Profile()
    )


class WrapProfile(pydantic.BaseModel):
    profile: Annotated[Profile, pydantic.WrapSerializer(lambda p, _: {"name": p.name})] = Profile()


class ExcludedProfile(pydantic.BaseModel):
    profile: Profile = pydantic.Field(default=Profile(), exclude_if=lambda _: True)


class Profiles(pydantic.RootModel[Profile]):
    """A root model: its dump is its root's."""


class Doc(pydantic.BaseModel):
    """A long text kept out of the repr, written shortened by the model's own serializer."""

    title: str = "Intro"
    body: str = pydantic.Field(default="Chapter one begins here", repr=False)

    @pydantic.model_serializer
    def _shortened(self) -> dict[str, str]:
        return {"title": self.title, "body": self.body[:7]}


class Note(pydantic.BaseModel):
    title: str = "Intro"
    body: str = pydantic.Field(default="Chapter one begins here", repr=False)


class Hit(pydantic.BaseModel):
    doc: Doc = Doc()


class SerializedHit(pydantic.BaseModel):
    """The owner writes the held model's hidden field on purpose."""

    doc: Note = Note()

    @pydantic.field_serializer("doc")
    def _shortened(self, note: Note) -> dict[str, str]:
        return {"title": note.title, "body": note.body[:7]}


class PlainHit(pydantic.BaseModel):
    doc: Annotated[
        Note, pydantic.PlainSerializer(lambda note: {"title": note.title, "body": note.body[:7]})
    ] = Note()


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (MasksProfile(), {"profile": {"name": "ada"}}),
        (PlainProfile(), {"profile": "ada"}),
        (WrapProfile(), {"profile": {"name": "ada"}}),
        (ExcludedProfile(), {}),
        (Profiles(Profile(internal_note="note")), {"name": "ada", "internal_note": "note"}),
        # A field its owner's serializer writes (a model's own, a field's, an annotated one)
        # is its output, not walked: the held model's hidden field it writes stays.
        (Doc(), {"title": "Intro", "body": "Chapter"}),
        (Hit(), {"doc": {"title": "Intro", "body": "Chapter"}}),
        (SerializedHit(), {"doc": {"title": "Intro", "body": "Chapter"}}),
        (PlainHit(), {"doc": {"title": "Intro", "body": "Chapter"}}),
        (Note(), {"title": "Intro"}),
    ],
)
def test_a_model_is_recorded_as_its_owners_serialization_writes_it(
    logger: Any, model: pydantic.BaseModel, expected: dict[str, Any]
) -> None:
    # A model held by a field is written by the outer model's dump, not converted apart: what
    # its owner's model_dump, serializers and exclude_if leave out stays out of the record.
    assert logger.record("ai_block_used", {"v": model}).payload == {"v": expected}


class Account(pydantic.BaseModel):
    """A model whose computed fields hold secrets: under a bland alias, or out of its repr."""

    name: str = "ada"

    @pydantic.computed_field(alias="h")  # type: ignore[prop-decorator]
    @property
    def password_hash(self) -> str:
        return "pbkdf2$hunter2-hash"

    @pydantic.computed_field(repr=False)  # type: ignore[prop-decorator]
    @property
    def recovery_code(self) -> str:
        return "kept-out-of-repr"


def test_a_computed_field_is_read_by_its_name_and_repr_too(logger: Any, layer: Layer) -> None:
    event = logger.record("ai_block_used", {"account": Account()})
    assert event.payload == {"account": {"name": "ada", "h": layer.redaction.REDACTED}}


def test_path_parameters_of_standard_types_give_a_recorded_event_not_a_warning(
    logger: Any, sink: RecordingSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.analytics")
    values = {name: value for name, (value, _) in STANDARD_VALUES.items()}
    logger.log("chapter_visit", values)
    assert warnings_of(caplog) == []
    [event] = sink.events
    assert event.payload == {name: expected for name, (_, expected) in STANDARD_VALUES.items()}


def test_converted_payload_is_a_copy_and_str_subclass_keys_become_str(logger: Any) -> None:
    payload = {Mode.FAST: uuid.UUID(int=3), "kept": 1}
    event = logger.record("ai_block_used", payload)
    assert event.payload == {"fast": "00000000-0000-0000-0000-000000000003", "kept": 1}
    assert [type(key) for key in event.payload] == [str, str]
    assert payload == {Mode.FAST: uuid.UUID(int=3), "kept": 1}


def test_event_type_given_as_a_str_enum_is_recorded_as_a_plain_string(logger: Any) -> None:
    Kind = enum.StrEnum("Kind", {"VISIT": "chapter_visit"})
    event = logger.record(Kind.VISIT)
    assert event.event_type == "chapter_visit"
    assert type(event.event_type) is str


def test_standard_types_under_a_sensitive_key_are_redacted(logger: Any) -> None:
    event = logger.record("ai_block_used", {"session_id": uuid.UUID(int=9)})
    assert event.payload == {"session_id": "[redacted]"}


def test_lone_surrogate_is_rejected(layer: Layer, logger: Any) -> None:
    with pytest.raises(layer.event_logger.EventValidationError, match="not valid Unicode"):
        logger.record("ai_block_used", {"a": "x\ud800"})


JSON_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: f == 0 or abs(f) >= 1e-4)
    | JSON_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(JSON_TEXT, children, max_size=4)
    ),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def encoders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``canonical_json`` of a layer imported with each encoder."""
    functions: dict[str, Any] = {}
    for name in ENCODERS:
        with layer_with(tmp_path_factory.mktemp(f"encoder-{name}"), name) as rendered:
            functions[name] = rendered.models.canonical_json
    return functions


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=JSON_VALUES)
def test_both_encoders_write_the_same_bytes(encoders: dict[str, Any], value: Any) -> None:
    # Floats under 1e-4 are the documented difference: json writes 1e-05, orjson 0.00001.
    texts = {name: encode({"v": value}) for name, encode in encoders.items()}
    expected = json.dumps({"v": value}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert set(texts.values()) == {expected}


def test_float_formatting_difference_is_the_documented_one(encoders: dict[str, Any]) -> None:
    texts = {name: encode([2.5e-05, 1e-07, 1e16, 0.1]) for name, encode in encoders.items()}
    assert texts["stdlib"] == "[2.5e-05,1e-07,1e+16,0.1]"
    if "orjson" in texts:
        assert texts["orjson"] == "[0.000025,1e-7,1e+16,0.1]"
        assert json.loads(texts["orjson"]) == json.loads(texts["stdlib"])


def test_big_integers_fall_back_to_the_standard_library(logger: Any) -> None:
    event = logger.record("ai_block_used", {"big": 2**70, "negative": -(2**64)})
    assert json.loads(event.to_json())["payload"] == {"big": 2**70, "negative": -(2**64)}


# --- payload rules ----------------------------------------------------------------------------


def nested(depth: int) -> dict[str, Any]:
    """A payload whose dicts and lists nest ``depth`` levels (the payload itself is level 1)."""
    value: Any = MARKER
    for level in range(depth - 1):
        value = [value] if level % 2 else {"k": value}
    return {"root": value} if depth > 1 else {"root": MARKER}


def sized(size: int) -> dict[str, Any]:
    """A payload of exactly ``size`` bytes as compact JSON."""
    overhead = len(json.dumps({"k": ""}, separators=(",", ":")))
    return {"k": "x" * (size - overhead)}


class _ItemsRaise(dict):  # type: ignore[type-arg]
    """A dict subclass whose items() fails with a message that quotes the payload."""

    def items(self) -> Any:
        raise ValueError(f"cannot read {MARKER}")


class _IsoformatRaises(date):
    def isoformat(self) -> str:
        raise TypeError(f"cannot format {MARKER}")


class _StrRaises(decimal.Decimal):
    def __str__(self) -> str:
        raise ValueError(f"cannot print {MARKER}")


class _IntRaises(int):
    def __int__(self) -> int:
        raise TypeError(f"cannot convert {MARKER}")


class _ValueRaises(enum.Enum):
    """An enum whose members' value cannot be read (orjson reads it itself, in Rust)."""

    A = 1

    @property
    def value(self) -> Any:  # type: ignore[override]
        raise RuntimeError(f"no value {MARKER}")


_HoldsValueRaises = enum.Enum("_HoldsValueRaises", {"A": {"inner": [_ValueRaises.A]}})


class _DistinctKey(str):
    """A str subclass whose instances are distinct dict keys, yet the same string as JSON."""

    __slots__ = ()

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


BAD_PAYLOADS = {
    "list": [MARKER],
    "string": MARKER,
    "number": 3,
    "int-key": {1: MARKER},
    "nested-int-key": {"a": {"b": {2: MARKER}}},
    "key-in-list": {"a": [{None: MARKER}]},
    "set-value": {"a": {MARKER}},
    "object-value": {"a": object()},
    "nan": {"a": math.nan, "b": MARKER},
    "infinity": {"a": [math.inf], "b": MARKER},
    "nan-in-enum": {"a": enum.Enum("E", {"X": math.nan}).X, "b": MARKER},  # type: ignore[attr-defined]
    "float-subclass-nan": {"a": type("F", (float,), {})(math.nan), "b": MARKER},
    "nan-in-tuple": {"a": (1, (math.inf,)), "b": MARKER},
    "frozenset-value": {"a": frozenset({MARKER})},
    "bytearray-value": {"a": bytearray(MARKER, "ascii")},
    "nested-non-str-key-in-ordered-dict": {"a": OrderedDict([(1, MARKER)])},
    "too-deep-through-enum": {"a": {"b": {"c": {"d": enum.Enum("D", {"X": [[MARKER]]}).X}}}},  # type: ignore[attr-defined]
    "huge-key": {"k" * (32 * 1024 + 1): MARKER},
    "too-many-keys": {f"k{i}": MARKER for i in range(129)},
    "too-deep": nested(6),
    "too-large": sized(32 * 1024 + 1),
    "too-large-under-sensitive-key": {"token": "x" * (32 * 1024), "b": MARKER},
    # The payload's own code fails with a message quoting it: only the failure's class is named.
    "dict-subclass-items-raise-value-error": _ItemsRaise(a=1),
    "nested-dict-subclass-items-raise-value-error": {"a": _ItemsRaise(a=1)},
    "date-subclass-isoformat-raises-type-error": {"a": _IsoformatRaises(2024, 1, 1)},
    "decimal-subclass-str-raises-value-error": {"a": _StrRaises(1)},
    "int-subclass-int-raises-type-error": {"a": [_IntRaises(1)]},
    "enum-whose-value-raises": {"a": (_ValueRaises.A,)},
    "enum-whose-value-holds-one-whose-value-raises": {"a": _HoldsValueRaises.A},
    # Two keys that are one string in JSON: recording one would silently lose the other.
    "keys-that-are-the-same-string": {"a": MARKER, _DistinctKey("a"): 2},
    "nested-keys-that-are-the-same-string": {"b": {_DistinctKey("a"): 1, "a": MARKER}},
}


@pytest.mark.parametrize("payload", BAD_PAYLOADS.values(), ids=BAD_PAYLOADS.keys())
def test_bad_payload_is_rejected(
    layer: Layer, logger: Any, sink: RecordingSink, payload: Any
) -> None:
    with pytest.raises(layer.event_logger.EventValidationError) as raised:
        logger.record("ai_block_used", payload)
    assert raised.value.field == "payload"
    assert MARKER not in str(raised.value)
    assert sink.events == []


@pytest.mark.parametrize("payload", BAD_PAYLOADS.values(), ids=BAD_PAYLOADS.keys())
def test_bad_payload_costs_one_warning_without_the_payload(
    logger: Any, sink: RecordingSink, caplog: pytest.LogCaptureFixture, payload: Any
) -> None:
    caplog.set_level(logging.INFO, logger="app.analytics")
    logger.log("ai_block_used", payload)
    assert sink.events == []
    [warning] = warnings_of(caplog)
    assert "ai_block_used" in warning.getMessage()
    assert MARKER not in warning.getMessage()
    assert warning.exc_info is None


GOOD_PAYLOADS = {
    "max-keys": {f"k{i}": i for i in range(128)},
    "max-depth": nested(5),
    "max-size": sized(32 * 1024),
    "json-types": {"s": "x", "i": 1, "f": 1.5, "b": True, "n": None, "l": [1, "a"], "o": {}},
    "tuple-is-array": {"t": (1, 2)},
}


@pytest.mark.parametrize("payload", GOOD_PAYLOADS.values(), ids=GOOD_PAYLOADS.keys())
def test_payload_at_the_limits_is_accepted(logger: Any, sink: RecordingSink, payload: Any) -> None:
    event = logger.record("ai_block_used", payload)
    assert sink.events == [event]
    assert json.loads(event.to_json())["payload"] == json.loads(json.dumps(payload))


# --- redaction --------------------------------------------------------------------------------

SENSITIVE = [
    "user_email",
    "X-Auth-Token",
    "sessionId",
    "apiKey",
    "API_KEY",
    "apikey",
    "Authorization",
    "password",
    "client.ip",
    "refreshToken",
    "phone-number",
    "jwt",
    "Cookie",
    "db_passwd",
    "clientSecret",
    "tokens",
    "passWord",
    "E-Mail",
    "accesstoken",
]
NOT_SENSITIVE = [
    "zip",
    "tip",
    "description",
    "equipment",
    "shipping_address",
    "author",
    "api",
    "key",
    "recipient",
    "block_type",
]


@pytest.mark.parametrize("key", SENSITIVE)
def test_sensitive_keys_are_redacted(logger: Any, key: str) -> None:
    event = logger.record("ai_block_used", {key: "hunter2", "kept": "value"})
    assert event.payload == {key: "[redacted]", "kept": "value"}
    assert "hunter2" not in event.to_json()


@pytest.mark.parametrize("key", NOT_SENSITIVE)
def test_other_keys_are_kept(logger: Any, key: str) -> None:
    assert logger.record("ai_block_used", {key: "value"}).payload == {key: "value"}


def test_redaction_reaches_every_depth_and_leaves_the_caller_alone(logger: Any) -> None:
    payload = {
        "user": {"email": "a@b.c", "name": "Ada"},
        "items": [{"session_id": "s1", "n": 1}, {"n": 2}, "plain"],
        "token": {"whole": ["subtree"]},
    }
    original = json.loads(json.dumps(payload))
    event = logger.record("ai_block_used", payload)
    assert event.payload == {
        "user": {"email": "[redacted]", "name": "Ada"},
        "items": [{"session_id": "[redacted]", "n": 1}, {"n": 2}, "plain"],
        "token": "[redacted]",
    }
    assert payload == original


def test_payload_is_not_copied_when_nothing_is_redacted(logger: Any) -> None:
    payload = {"block_type": "quiz"}
    assert logger.record("ai_block_used", payload).payload is payload


# --- the logging sink -------------------------------------------------------------------------


def test_logging_sink_writes_one_json_record(
    layer: Layer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.analytics")
    logger = layer.event_logger.EventLogger(enabled=True)
    event = logger.record("ai_block_used", {"z": 1, "a": {"y": 2, "b": 3}, "password": "pw"})
    [record] = [r for r in caplog.records if r.name == "app.analytics"]
    assert record.levelno == logging.INFO
    line = record.getMessage()
    assert json.loads(line) == event.to_dict()
    assert line == json.dumps(json.loads(line), sort_keys=True, separators=(",", ":"))
    assert record.analytics_event == event.to_dict()  # type: ignore[attr-defined]
    assert "pw" not in line


def test_logging_sink_writes_each_event_on_one_line_for_any_reader(
    layer: Layer, caplog: pytest.LogCaptureFixture
) -> None:
    # JSON writes U+0085 (NEL), U+2028 and U+2029 as themselves, and str.splitlines(), JavaScript
    # and many log viewers end a line at each: a client could split its event's record in two,
    # the second line made of its own text. The record escapes them (the JSON is the same).
    caplog.set_level(logging.INFO, logger="app.analytics")
    logger = layer.event_logger.EventLogger(enabled=True)
    note = 'a\u2028{"forged": 1}\x85b\u2029c \u00e9'
    event = logger.record("ai_block_used", {"note": note, note: 1})
    [record] = [r for r in caplog.records if r.name == "app.analytics"]
    line = record.getMessage()
    assert line.splitlines() == [line]
    assert json.loads(line) == event.to_dict()
    assert event.payload["note"] == note  # the event itself keeps the text


def test_logging_sink_writes_no_bidirectional_control_as_itself(
    layer: Layer, caplog: pytest.LogCaptureFixture
) -> None:
    # A right-to-left override in a client's text reorders the rest of the line as a terminal or
    # a log viewer shows it ("Trojan Source"): the record escapes them (the JSON is the same).
    caplog.set_level(logging.INFO, logger="app.analytics")
    logger = layer.event_logger.EventLogger(enabled=True)
    controls = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    note = f"status=ok {controls} \u00e9"
    event = logger.record("ai_block_used", {"note": note, controls: 1})
    [record] = [r for r in caplog.records if r.name == "app.analytics"]
    line = record.getMessage()
    assert not set(controls) & set(line)
    assert json.loads(line) == event.to_dict()
    assert event.payload["note"] == note  # the event itself keeps the text


def test_logging_sink_is_quiet_above_info(layer: Layer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="app.analytics")
    sink = layer.event_logger.LoggingSink()
    assert sink.is_enabled() is False
    logger = layer.event_logger.EventLogger(sink, enabled=True)
    logger.log("ai_block_used", {"a": 1})
    logger.record("ai_block_used", {"a": 1})
    assert caplog.records == []
    caplog.set_level(logging.INFO, logger="app.analytics")
    assert sink.is_enabled() is True


def test_log_skips_building_events_for_a_quiet_sink(layer: Layer) -> None:
    class QuietSink(RecordingSink):
        def is_enabled(self) -> bool:
            return False

    sink = QuietSink()
    logger = layer.event_logger.EventLogger(sink, enabled=True)
    logger.log("ai_block_used", {"a": 1})
    assert sink.events == []
    logger.record("ai_block_used", {"a": 1})  # record() always emits: its caller wants the event
    assert len(sink.events) == 1


def test_library_adds_only_a_null_handler(layer: Layer) -> None:
    handlers = logging.getLogger("app.analytics").handlers
    assert [type(h) for h in handlers if not type(h).__module__.startswith("_pytest")] == [
        logging.NullHandler
    ]


# --- switches and failures --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "enabled"),
    [
        (None, True),
        ("", True),
        ("true", True),
        ("1", True),
        ("yes", True),
        ("false", False),
        ("FALSE", False),
        ("0", False),
        ("no", False),
        (" Off ", False),
        (" ON ", True),
        # pydantic's (and strtobool's) other boolean words, and the variable's own.
        ("y", True),
        ("T", True),
        ("enabled", True),
        ("n", False),
        ("f", False),
        ("Disabled", False),
        # A value it cannot read turns telemetry off (with a warning, see below).
        ("flase", False),
        ("2", False),
    ],
)
@pytest.mark.filterwarnings("ignore:TELEMETRY_ENABLED=:RuntimeWarning")  # checked below
def test_telemetry_enabled_env_is_read_at_construction(
    layer: Layer, monkeypatch: pytest.MonkeyPatch, value: str | None, enabled: bool
) -> None:
    if value is None:
        monkeypatch.delenv("TELEMETRY_ENABLED", raising=False)
    else:
        monkeypatch.setenv("TELEMETRY_ENABLED", value)
    sink = RecordingSink()
    logger = layer.event_logger.EventLogger(sink)
    monkeypatch.setenv("TELEMETRY_ENABLED", "true" if not enabled else "false")  # too late now
    assert logger.enabled is enabled
    assert logger.health().enabled is enabled
    logger.log("ai_block_used", {"a": 1})
    event = logger.record("chapter_visit", {"a": 1})
    assert event.event_type == "chapter_visit"  # still validated and returned when disabled
    assert len(sink.events) == (2 if enabled else 0)


@pytest.mark.parametrize("value", ["ture", "flase", "2", "off\nINFO forged", "x" * 500])
def test_an_unreadable_telemetry_enabled_turns_it_off_with_one_warning(
    layer: Layer, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    # TELEMETRY_ENABLED=flase used to leave telemetry on without a word.
    monkeypatch.setenv("TELEMETRY_ENABLED", value)
    sink = RecordingSink()
    with pytest.warns(RuntimeWarning) as caught:
        logger = layer.event_logger.EventLogger(sink)
        logger.log("ai_block_used", {"a": 1})
    assert logger.enabled is False
    assert sink.events == []
    [warning] = caught
    message = str(warning.message)
    assert "\n" not in message
    assert len(message) < 200
    assert repr(value[:40]) in message
    assert message.endswith("telemetry is off")


@pytest.mark.parametrize("value", ["", "true", "0", "OFF", "yes", "y", "f", "disabled"])
def test_a_readable_telemetry_enabled_gives_no_warning(
    layer: Layer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    value: str,
) -> None:
    monkeypatch.setenv("TELEMETRY_ENABLED", value)
    caplog.set_level(logging.WARNING, logger="app.analytics")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer.event_logger.EventLogger(RecordingSink())
    assert warnings_of(caplog) == []


def test_the_unreadable_telemetry_enabled_warning_reaches_stderr_at_import(
    layer: Layer,
) -> None:
    # The shared logger reads the variable at import, before any logging is configured (if it
    # ever is): a log record went to the NullHandler only, and nobody saw why nothing recorded.
    environment = {**os.environ, "TELEMETRY_ENABLED": "ture"}
    environment.pop("PYTHONWARNINGS", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import app.analytics.event_logger as e;"
            " print(e.event_logger.enabled)",
            str(layer.root / "backend"),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )
    assert result.stdout.strip() == "False"
    assert "RuntimeWarning: TELEMETRY_ENABLED='ture' is not one of" in result.stderr
    assert result.stderr.count("TELEMETRY_ENABLED=") == 1


def test_disabled_logger_still_validates_in_record(layer: Layer) -> None:
    logger = layer.event_logger.EventLogger(RecordingSink(), enabled=False)
    with pytest.raises(layer.event_logger.EventValidationError):
        logger.record("nope")


def test_failing_sink_never_breaks_log(layer: Layer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="app.analytics")
    logger = layer.event_logger.EventLogger(FailingSink(), enabled=True)
    assert logger.log("ai_block_used", {"a": MARKER}) is None
    [warning] = warnings_of(caplog)
    message = warning.getMessage()
    assert "FailingSink" in message
    assert "OSError" in message
    assert FailingSink.SECRET not in message
    assert MARKER not in message


def test_failing_sink_raises_sink_error_from_record(layer: Layer) -> None:
    logger = layer.event_logger.EventLogger(FailingSink(), enabled=True)
    with pytest.raises(layer.event_logger.SinkError) as raised:
        logger.record("ai_block_used", {"a": MARKER})
    assert isinstance(raised.value.__cause__, OSError)
    assert FailingSink.SECRET not in str(raised.value)
    for method in (logger.flush, logger.close):
        with pytest.raises(layer.event_logger.SinkError):
            method()


def test_log_survives_surprising_input(logger: Any, sink: RecordingSink) -> None:
    class Exploding(dict[str, Any]):
        def items(self) -> Any:
            raise RuntimeError(MARKER)

    class BrokenHash(str):
        def __hash__(self) -> int:
            raise RuntimeError(MARKER)

    class BrokenLength(dict[str, Any]):
        def __len__(self) -> int:
            raise RuntimeError(MARKER)

    logger.log("ai_block_used", Exploding(a=1))
    logger.log(42, {})  # type: ignore[arg-type]
    logger.log(["ai_block_used"], {})  # type: ignore[arg-type]  # unhashable
    logger.log(BrokenHash("ai_block_used"), {})
    logger.log("ai_block_used", BrokenLength(a=1))
    assert sink.events == []


# --- wiring, health, threads ------------------------------------------------------------------


def test_module_instance_sink_swap_and_health(layer: Layer) -> None:
    module = layer.event_logger
    assert module.get_event_logger() is module.event_logger
    assert isinstance(module.event_logger.sink, module.LoggingSink)
    sink = RecordingSink()
    previous = module.event_logger.use_sink(sink)
    try:
        module.event_logger.log("ai_block_used", {"a": 1})
        health = module.event_logger.health()
        assert health.status == "ok"
        assert health.sink == "RecordingSink"
        assert tuple(health.allowed_event_types) == module.ALLOWED_EVENT_TYPES
        module.event_logger.flush()
        module.event_logger.close()
        assert (sink.flushed, sink.closed) == (1, True)
    finally:
        module.event_logger.use_sink(previous)
    assert module.event_logger.sink is previous
    if module.event_logger.enabled:
        assert [event.payload for event in sink.events] == [{"a": 1}]


def test_thread_safety_every_event_is_accounted_for(logger: Any, sink: RecordingSink) -> None:
    threads, per_thread = 8, 10_000

    def work(worker: int) -> None:
        for index in range(per_thread):
            logger.log("ai_block_used", {"worker": worker, "index": index, "token": "t"})

    pool = [threading.Thread(target=work, args=(worker,)) for worker in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert len(sink.events) == threads * per_thread
    seen = {(event.payload["worker"], event.payload["index"]) for event in sink.events}
    assert seen == {(w, i) for w in range(threads) for i in range(per_thread)}
    assert len({event.event_id for event in sink.events}) == threads * per_thread
    assert {event.payload["token"] for event in sink.events} == {"[redacted]"}


# --- no FastAPI below the router ------------------------------------------------------------

_BLOCK_FASTAPI = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("fastapi", "starlette"):
            raise ImportError("blocked: " + name)
        return None
sys.meta_path.insert(0, Block())
sys.path.insert(0, sys.argv[1])
import app.analytics.event_logger as logger_module
import app.analytics.analytics_models
logger_module.EventLogger(enabled=False).record("ai_block_used", {"a": 1})
print(sorted(name for name in sys.modules if name.split(".")[0] in ("fastapi", "starlette")))
"""


def test_event_logger_and_models_import_without_fastapi(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    render_tree(tmp_path, plan)
    result = subprocess.run(
        [sys.executable, "-c", _BLOCK_FASTAPI, str(tmp_path / "backend")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_mapping_that_is_no_dict_is_refused_naming_the_fix(layer: Layer, logger: Any) -> None:
    # Starlette's Headers, QueryParams and FormData are request content, as a MappingProxyType
    # may be: the caller picks the entries to record, as a dict.
    from starlette.datastructures import Headers, QueryParams

    for mapping in (Headers({"x-note": MARKER}), QueryParams({"q": MARKER})):
        with pytest.raises(layer.event_logger.EventValidationError) as raised:
            logger.record("ai_block_used", {"request": mapping})
        shown = f"{type(mapping).__module__}.{type(mapping).__name__}"
        assert f"values of type {shown} have no JSON form" in str(raised.value)
        assert "pass a dict of the entries to record" in str(raised.value)
        assert MARKER not in str(raised.value)


def test_an_integer_with_too_many_digits_is_named_so(layer: Layer, logger: Any) -> None:
    # Python's own message would advise raising sys.set_int_max_str_digits for the process.
    for payload in ({"n": 10**5000}, {"n": 10**5000, "token": "x"}):
        with pytest.raises(layer.event_logger.EventValidationError) as raised:
            logger.record("ai_block_used", payload)
        assert str(raised.value).endswith("payload holds an integer with too many digits")
        assert "set_int_max_str_digits" not in str(raised.value)


def test_a_value_too_large_to_record_is_refused_before_it_is_scanned(
    layer: Layer, logger: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A handler may pass a file's content or a long list: scanning megabytes for credentials
    # before the size check refuses them would stall the request for seconds.
    limit = layer.models.MAX_PAYLOAD_BYTES
    scanned: list[int] = []
    holds_secret = layer.redaction.holds_secret

    def counting(text: str) -> bool:
        scanned.append(len(text))
        return bool(holds_secret(text))

    monkeypatch.setattr(layer.event_logger, "holds_secret", counting)
    monkeypatch.setattr(layer.redaction, "holds_secret", counting)
    for payload in (
        {"a": "x " * limit},
        {"a": ["x " * limit]},
        {"a": ["ab"] * limit},
        {"a": {"b": [["ab"]] * limit}},
        # Each string fits, and each list does, but not all of them together.
        {"a": ["x " * (limit // 4)] * 8},
        {f"k{i}": [["x " * (limit // 64)] * 8] * 8 for i in range(4)},
    ):
        scanned.clear()
        with pytest.raises(layer.event_logger.EventValidationError, match="larger than"):
            logger.record("ai_block_used", payload)
        assert sum(scanned) <= limit


class _Holder(pydantic.BaseModel):
    """A model holding anything, with extra fields allowed."""

    model_config = pydantic.ConfigDict(extra="allow")

    stuff: Any = None


class _Anything(pydantic.RootModel[Any]):
    """A root model of anything."""


@pydantic.dataclasses.dataclass
class _AnyRecord:
    """A pydantic dataclass holding a secret under an alias, and anything."""

    secret_code: str = pydantic.Field(alias="sc")
    inner: Any = None


def _nested_credentials(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=3),
        st.tuples(children, children),
        st.dictionaries(st.sampled_from(["a", "data", "items"]), children, max_size=3),
        st.builds(CredsHolder, children),
        st.builds(lambda inner: _AnyRecord(sc="sc-value-7f3a", inner=inner), children),
        st.builds(_Holder, stuff=children),
        st.builds(_Anything, children),
    )


@given(
    value=st.recursive(
        st.sampled_from(["plain", 1, None, b"bytes", Mode.FAST, Creds(pw="hunter2-pw")]),
        _nested_credentials,
        max_leaves=6,
    )
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_credentials_under_aliases_at_any_depth_never_reach_the_record(
    layer: Layer, value: Any
) -> None:
    # Models, pydantic dataclasses and dataclasses nested in one another and in containers,
    # their secrets under aliases or out of their repr: recorded redacted, or refused.
    logger = layer.event_logger.EventLogger(RecordingSink(), enabled=True)
    for payload in ({"v": value}, value):
        try:
            text = logger.record("ai_block_used", payload).to_json()
        except layer.event_logger.EventValidationError as exc:
            text = str(exc)
        assert not [secret for secret in _CREDS_SECRETS if secret in text], text
