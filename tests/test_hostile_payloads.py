"""A generator of hostile payloads: secrets in every encoding and place, through record() and HTTP.

Each example takes one credential or personal value of a well-known shape, writes it in one of
the encodings a client or a proxy produces (percent-encoded once or twice, full-width,
interleaved with zero-width joiners, between RTL marks, quoted, JSON inside a string, padded),
and puts it in one place of a payload (a value, a list item, a nested value, a key, a name/value
pair, a list of pairs, a value beside unrelated noise). The distinctive part of the value must
not reach the recorded event, and the log endpoint answers a documented status, never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile_support import ENCODINGS, SECRETS, WHOLE_ONLY
from tests.layer_support import Layer, RecordingSink, rendered_layer

PLACES: dict[str, Callable[[str], dict[str, Any]]] = {
    "value": lambda text: {"note": text},
    "list": lambda text: {"items": ["a", text, 3]},
    "nested": lambda text: {"a": {"b": {"c": [text]}}},
    "key": lambda text: {text: "x"},
    "nested-key": lambda text: {"meta": {text: 1}},
    "pairs": lambda text: {"headers": [["X-Trace", "1"], ["X-Custom", text]]},
    "record": lambda text: {"env": [{"name": "NOTE", "value": text}]},
    "noise": lambda text: {"n": 1.5, "ok": True, "none": None, "t": text, "u": "\u00e9t\u00e9"},
}


@pytest.fixture(scope="module")
def layer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layer]:
    with rendered_layer(tmp_path_factory.mktemp("hostile-payloads")) as rendered:
        yield rendered


def _hostile(secret: tuple[str, str], encoding: str, place: str) -> dict[str, Any] | None:
    value, _ = secret
    if encoding == "sentence" and value in WHOLE_ONLY:
        return None
    return PLACES[place](ENCODINGS[encoding](value))


def _assert_not_recorded(payload: dict[str, Any], secret: tuple[str, str]) -> None:
    value, marker = secret
    recorded = json.dumps(payload, ensure_ascii=False)
    assert marker not in recorded, recorded
    for encode in ENCODINGS.values():
        encoded = encode(value).strip()
        assert len(encoded) < 12 or encoded not in recorded, recorded


hostile_cases = st.tuples(
    st.sampled_from(SECRETS), st.sampled_from(sorted(ENCODINGS)), st.sampled_from(sorted(PLACES))
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=hostile_cases)
def test_no_generated_hostile_payload_records_its_secret(layer: Layer, case: Any) -> None:
    secret, encoding, place = case
    payload = _hostile(secret, encoding, place)
    if payload is None:
        return
    logger = layer.event_logger.EventLogger(RecordingSink(), enabled=True)
    _assert_not_recorded(logger.record("error_event", payload).payload, secret)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=hostile_cases,
    content_type=st.sampled_from(
        ["application/json", "application/json; charset=utf-8", "text/plain", ""]
    ),
)
def test_the_log_endpoint_answers_and_records_no_generated_secret(
    layer: Layer, case: Any, content_type: str
) -> None:
    secret, encoding, place = case
    payload = _hostile(secret, encoding, place)
    if payload is None:
        return
    sink = RecordingSink()
    logger = layer.event_logger.EventLogger(sink, enabled=True)
    body = json.dumps({"event_type": "error_event", "payload": payload}).encode()
    headers = {"content-type": content_type} if content_type else {}
    with TestClient(layer.app(logger), raise_server_exceptions=False) as client:
        response = client.post(f"{layer.prefix}/log", content=body, headers=headers)
    assert response.status_code in {202, 415, 422}, response.text
    for event in sink.events:
        _assert_not_recorded(event.payload, secret)
    assert secret[1] not in response.text
