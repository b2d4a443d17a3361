"""Hostile requests to the generated log endpoint: no 5xx, exact statuses, no echo, no leak.

Every case is sent through the whole app (the telemetry router and the error-capture
middleware) as raw ASGI messages, so bodies, headers, chunking, lying lengths and disconnects are
exactly what a hostile client could send. For each case the suite asserts:

* the exact status, and never a 5xx or an exception out of the app;
* the answer has the documented shape and quotes nothing the client sent;
* an event is recorded if and only if the answer is 202;
* no log record of any logger (the root, uvicorn's, FastAPI's, the layer's; every level) holds
  anything the client sent, except the recorded event itself after redaction, and no record
  carries an exception.

Values the client sends are *markers* (``zQ00001Qz``; ``zS00001Sz`` under sensitive keys, which
must never appear anywhere), so a leak is found wherever and however it is copied. The last part
runs a real uvicorn server for what only a server sees: malformed HTTP framing, slow bodies and
clients that vanish mid-body.
"""

from __future__ import annotations

import codecs
import collections
import contextlib
import itertools
import json
import logging
import re
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.backend_support import imported_app
from tests.layer_support import REPO_ROOT, Layer, RecordingSink, rendered_layer
from tests.test_layer_contract import load_contract, operations

MAX_BODY = 32 * 1024
TYPE = "ai_block_used"  # the first event type of the default plan
MARKER = re.compile(r"z[QS]\d{5}[QS]z")
SECRET = re.compile(r"zS\d{5}Sz")
_counter = itertools.count(1)


def m() -> str:
    """A fresh marker for a value the client sends."""
    return f"zQ{next(_counter):05d}Qz"


def s() -> str:
    """A fresh marker for a value under a sensitive key: it must never be seen again."""
    return f"zS{next(_counter):05d}Sz"


# --- cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One request: its source text (where the markers are), how it is sent, what it must get."""

    name: str
    text: str
    expected: int
    body: bytes | None = None  # default: ``text`` as UTF-8
    content_type: str | None = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    content_length: str | None = "auto"  # "auto": the real length; None: no header (chunked)
    chunk_size: int | None = None  # split the body into chunks of this size
    disconnect: bool = False  # the client vanishes after the chunks, before the last one
    method: str = "POST"
    path: str = "/log"
    query: str = ""

    @property
    def raw(self) -> bytes:
        return self.text.encode("utf-8") if self.body is None else self.body

    def sent_text(self) -> str:
        """Everything the client sends, as text, for finding markers."""
        header_values = " ".join(value for _, value in self.headers)
        return f"{self.text} {self.content_type} {header_values} {self.query} {self.path}"

    def markers(self) -> set[str]:
        return set(MARKER.findall(self.sent_text()))

    def secrets(self) -> set[str]:
        return set(SECRET.findall(self.sent_text()))


def event(
    event_type: str | None = None,
    payload: str | None = None,
    extra: str = "",
) -> str:
    """A body as JSON text, with raw JSON text in each slot (so anything can be put there)."""
    if event_type is None:
        event_type = f'"{TYPE}"'  # read when called: the bundled cases use another type
    parts = [f'"event_type": {event_type}'] if event_type else []
    if payload is not None:
        parts.append(f'"payload": {payload}')
    if extra:
        parts.append(extra)
    return "{" + ", ".join(parts) + "}"


def good_payload() -> str:
    return f'{{"block": "{m()}", "password": "{s()}", "nested": {{"list": [1, "{m()}"]}}}}'


def good_event() -> str:
    return event(payload=good_payload())


# Where a raw JSON value can be put, and whether a good value there gives a valid event.
VALUE_SITES: dict[str, Callable[[str], str]] = {
    "event_type": lambda v: event(event_type=v, payload=good_payload()),
    "payload": lambda v: event(payload=f'{{"{m()}": "{m()}", "v": {v}, "token": "{s()}"}}'),
    "nested": lambda v: event(payload=f'{{"a": [1, {{"b": [{v}]}}], "email": "{s()}"}}'),
    "extra-field": lambda v: event(payload=good_payload(), extra=f'"x_{m()}": {v}'),
    "whole-body": lambda v: v,
    "top-level-array": lambda v: f'[{v}, "{m()}"]',
}
# Where a raw JSON string (quotes included) can be put as an object key.
KEY_SITES: dict[str, Callable[[str], str]] = {
    "payload-key": lambda k: event(payload=f'{{{k}: "{m()}", "password": "{s()}"}}'),
    "nested-key": lambda k: event(payload=f'{{"a": [{{{k}: "{m()}"}}], "token": "{s()}"}}'),
    "extra-key": lambda k: event(payload=good_payload(), extra=f'{k}: "{m()}"'),
}


def content_type_cases() -> list[Case]:
    accepted = [
        "application/json",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        'application/json; charset="utf-8"',
        "application/json; charset=utf8",
        "application/json; charset=UNICODE-1-1-UTF-8",
        "APPLICATION/JSON",
        "Application/Json; Charset=Utf-8",
        " application/json ",
        "application/json ; charset=utf-8",
        "application/json;",
        "application/json; profile=urn:example",
        "application/json; flag",
        "application/vnd.api+json",
        "application/cloudevents+json; charset=utf-8",
        "application/json-patch+json",
        "application/problem+json",
        "application/vnd.example.v2+json",
        f"application/json; x={m()}",  # a marker in a header is never echoed either
    ]
    refused = [
        "text/plain",
        "text/json",
        "text/plain; charset=utf-8",
        "text/html",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/xml",
        "application/octet-stream",
        "application/jsonx",
        "application/json5",
        "application/x-json",
        "application/+json",
        "application/vnd.api+jsonp",
        "application/json+xml",
        "json",
        "application",
        "*/*",
        "application/*",
        "",
        ";",
        "application/json, text/plain",
        "application/json; charset=utf-16",
        "application/json; charset=utf-16le",
        "application/json; charset=latin-1",
        "application/json; charset=iso-8859-1",
        "application/json; charset=us-ascii",
        "application/json; charset=utf-8x",
        "application/json; charset=",
        "application/json; charset=utf-8; charset=latin-1",
        "application/json\x00",
        "application/json\xff",
        "applic\xe4tion/json",
        "application/" + "j" * 8000 + "+json+xml",
    ]
    cases = [
        Case(f"ct-ok-{i}", good_event(), 202, content_type=ct) for i, ct in enumerate(accepted)
    ]
    cases += [
        Case(f"ct-415-{i}", good_event(), 415, content_type=ct) for i, ct in enumerate(refused)
    ]
    cases += [
        Case("ct-missing", good_event(), 415, content_type=None),
        Case(
            "ct-twice-same",
            good_event(),
            415,
            headers=(("content-type", "application/json"),),
        ),
        Case("ct-twice-other", good_event(), 415, headers=(("content-type", "text/plain"),)),
    ]
    codings = {"gzip": 415, "deflate": 415, "br": 415, "gzip, identity": 415, "x-m": 415}
    codings |= {"identity": 202, "Identity": 202, "": 202}
    cases += [
        Case(f"coding-{i}", good_event(), status, headers=(("content-encoding", coding),))
        for i, (coding, status) in enumerate(codings.items())
    ]
    # A transfer coding uvicorn's httptools parser passes on undecoded: the body is not JSON yet.
    transfer = {"gzip, chunked": 415, "deflate": 415, "Chunked,x-zip": 415, "identity": 415}
    transfer |= {"chunked": 202, "Chunked": 202, " chunked ": 202}
    cases += [
        Case(f"transfer-{i}", good_event(), status, headers=(("transfer-encoding", codings),))
        for i, (codings, status) in enumerate(transfer.items())
    ]
    return cases


def encoding_cases() -> list[Case]:
    cases = []
    text = event(payload=f'{{"word": "{m()} caf\u00e9 \u65e5\u672c \U0001f600", "pwd": "{s()}"}}')
    codecs_status = {
        "utf-8": 202,
        "utf-8-sig": 422,  # a byte order mark
        "utf-16": 422,
        "utf-16-le": 422,
        "utf-16-be": 422,
        "utf-32": 422,
        "utf-32-be": 422,
        "latin-1": 422,
        "cp1252": 422,
        "mac-roman": 422,
    }
    media = {
        "json": ("application/json", None),
        "json-utf8": ("application/json; charset=utf-8", None),
        "plain": ("text/plain", 415),
        "json-utf16": ("application/json; charset=utf-16", 415),
        "json-latin1": ("application/json; charset=latin-1", 415),
    }
    for (codec, status), (label, (content_type, override)) in itertools.product(
        codecs_status.items(), media.items()
    ):
        cases.append(
            Case(
                f"enc-{codec}-{label}",
                text,
                override or status,
                # Characters a legacy codec lacks become "?"; the "é" stays, and is not UTF-8.
                body=text.encode(codec, errors="replace"),
                content_type=content_type,
            )
        )
    # ASCII with escapes is the same text in UTF-8.
    escaped = json.dumps(json.loads(text), ensure_ascii=True)
    cases.append(Case("enc-ascii-escapes", escaped, 202))
    invalid = {
        "ff": b"\xff",
        "fe-ff": b"\xfe\xff",
        "overlong-slash": b"\xc0\xaf",
        "overlong-nul": b"\xc0\x80",
        "raw-surrogate-high": b"\xed\xa0\x80",
        "raw-surrogate-low": b"\xed\xbf\xbf",
        "raw-surrogate-pair": b"\xed\xa0\xbd\xed\xb8\x80",
        "above-10ffff": b"\xf4\x90\x80\x80",
        "truncated-3byte": b"\xe2\x82",
        "lone-continuation": b"\x80",
        "five-byte": b"\xf8\x88\x80\x80\x80",
    }
    marker = "INVALIDBYTES"
    sites: dict[str, Callable[[], str]] = {
        "event_type": lambda: event(event_type=f'"{marker}"', payload=good_payload()),
        "value": lambda: event(payload=f'{{"k": "{m()}{marker}", "token": "{s()}"}}'),
        "key": lambda: event(payload=f'{{"{marker}{m()}": 1, "token": "{s()}"}}'),
        "extra": lambda: event(payload=good_payload(), extra=f'"{marker}": "{m()}"'),
        "between-tokens": lambda: event(payload=good_payload()).replace(", ", f",{marker} ", 1),
    }
    for (label, raw), (site, build) in itertools.product(invalid.items(), sites.items()):
        source = build()
        body = source.encode("utf-8").replace(marker.encode(), raw)
        cases.append(Case(f"bytes-{label}-{site}", source.replace(marker, ""), 422, body=body))
    bom = good_event()
    cases += [
        Case("bom-start", bom, 422, body=codecs.BOM_UTF8 + bom.encode()),
        Case("bom-after-space", bom, 422, body=b" " + codecs.BOM_UTF8 + bom.encode()),
        Case("bom-twice", bom, 422, body=codecs.BOM_UTF8 * 2 + bom.encode()),
        Case("bom-utf16-le", bom, 422, body=codecs.BOM_UTF16_LE + bom.encode("utf-16-le")),
        Case("bom-inside-string", event(payload=f'{{"k": "\ufeff{m()}"}}'), 202),
        Case("bom-escaped-inside-string", event(payload=f'{{"k": "\\ufeff{m()}"}}'), 202),
        Case("nul-escaped-inside-string", event(payload=f'{{"k": "\\u0000{m()}"}}'), 202),
        Case("raw-control-in-string", event(payload=f'{{"k": "\x01{m()}"}}'), 422),
        Case("raw-nul-outside-string", good_event() + "\x00", 422),
    ]
    return cases


def non_finite_cases() -> list[Case]:
    tokens = [
        "NaN",
        "-NaN",
        "Infinity",
        "-Infinity",
        "1e400",
        "-1e400",
        "1E400",
        "1e+400",
        "-1.5e309",
        "123456789012345678901234567890e300",
        "nan",
        "inf",
    ]
    cases = [
        Case(f"nonfinite-{token}-{site}", build(token), 422)
        for token, (site, build) in itertools.product(tokens, VALUE_SITES.items())
    ]
    finite = ["1e308", "-0", "-0.0", "1e-400", "5e-324", "1.7976931348623157e308", "0.1e1"]
    cases += [
        Case(f"finite-{token}-{site}", VALUE_SITES[site](token), 202)
        for token, site in itertools.product(finite, ["payload", "nested"])
    ]
    return cases


def surrogate_cases() -> list[Case]:
    lone = {
        "high": "\\ud800",
        "high-max": "\\udbff",
        "low": "\\udc00",
        "low-max": "\\udfff",
        "upper-hex": "\\uD800",
        "high-then-ascii": "\\ud800\\u0041",
        "low-then-high": "\\udc00\\ud800",
        "high-high": "\\ud800\\ud800",
        "high-at-end": "x\\ud83d",
    }
    cases = []
    for (label, escape), (site, build) in itertools.product(lone.items(), VALUE_SITES.items()):
        cases.append(Case(f"surrogate-{label}-{site}", build(f'"{m()}{escape}"'), 422))
    for (label, escape), (site, build) in itertools.product(lone.items(), KEY_SITES.items()):
        cases.append(Case(f"surrogate-{label}-{site}", build(f'"{m()}{escape}"'), 422))
    valid = {
        "pair": "\\ud83d\\ude00",
        "pair-upper": "\\uD83D\\uDE00",
        "escaped-backslash": "\\\\ud800",
        "private-use": "\\ue000",
        "bmp-max": "\\uffff",
    }
    for (label, escape), site in itertools.product(valid.items(), ["payload", "nested"]):
        cases.append(Case(f"surrogate-ok-{label}-{site}", VALUE_SITES[site](f'"{escape}"'), 202))
    for (label, escape), site in itertools.product(valid.items(), ["payload-key"]):
        cases.append(Case(f"surrogate-ok-{label}-{site}", KEY_SITES[site](f'"{escape}"'), 202))
    # Raw (UTF-8 encoded) surrogates are not UTF-8 at all.
    for site, build in VALUE_SITES.items():
        source = build(f'"{m()}SURROGATE"')
        body = source.encode().replace(b"SURROGATE", "\ud800".encode("utf-8", "surrogatepass"))
        cases.append(Case(f"surrogate-raw-{site}", source, 422, body=body))
    return cases


def nested(depth: int, kind: str, leaf: str) -> str:
    """``depth`` levels of arrays or objects around ``leaf`` (depth 1 is one container)."""
    if kind == "array":
        return "[" * depth + leaf + "]" * depth
    return '{"k": ' * depth + leaf + "}" * depth


def nesting_cases() -> list[Case]:
    cases = []
    depths = [6, 7, 50, 500, 900, 990, 1000, 1100, 5000, 16000, 100_000]
    for depth, kind in itertools.product(depths, ["array", "object"]):
        inner = nested(depth, kind, f'"{m()}"')
        texts = {
            # The payload object is level 1, so `depth` more levels inside it exceed the limit.
            "payload": event(payload=f'{{"deep": {inner}, "password": "{s()}"}}'),
            "event_type": event(event_type=inner, payload=good_payload()),
            "extra": event(payload=good_payload(), extra=f'"x": {inner}'),
            "whole-body": inner,
        }
        for site, text in texts.items():
            status = 413 if len(text.encode()) > MAX_BODY else 422
            cases.append(Case(f"deep-{kind}-{depth}-{site}", text, status))
    for depth in (1, 2, 3, 4):  # payload levels 2..5: at the limit
        for kind in ("array", "object"):
            text = event(payload=f'{{"deep": {nested(depth, kind, "1")}, "token": "{s()}"}}')
            cases.append(Case(f"deep-ok-{kind}-{depth}", text, 202))
    for count in (1000, 20_000, MAX_BODY, MAX_BODY + 1, 100_000):
        for name, text in {
            "open": "[" * count,
            "close": "]" * count,
            "object": '{"a":' * (count // 5),
        }.items():
            status = 413 if len(text) > MAX_BODY else 422
            cases.append(Case(f"unbalanced-{name}-{count}", text, status))
    return cases


def sized(size: int) -> str:
    """A valid event of exactly ``size`` bytes."""
    skeleton = event(payload=f'{{"pad": "", "m": "{m()}", "secret": "{s()}"}}')
    text = skeleton.replace('"pad": ""', '"pad": "' + "x" * (size - len(skeleton)) + '"')
    assert len(text.encode()) == size
    return text


def size_cases() -> list[Case]:
    cases = [
        Case("empty", "", 422),
        Case("empty-no-length", "", 422, content_length=None),
        Case("whitespace", " \t\r\n ", 422),
        Case("empty-object", "{}", 422),
        Case("only-null", "null", 422),
    ]
    for size, status in ((MAX_BODY - 1, 202), (MAX_BODY, 202), (MAX_BODY + 1, 413)):
        text = sized(size)
        cases += [
            Case(f"size-{size}", text, status),
            Case(f"size-{size}-chunked", text, status, content_length=None, chunk_size=1000),
            Case(f"size-{size}-bytewise", text, status, content_length=None, chunk_size=1),
        ]
    big = sized(40_000)
    small = good_event()
    cases += [
        Case("size-huge-chunked", big * 10, 413, content_length=None, chunk_size=4096),
        Case("lie-short-length", big, 413, content_length="10"),
        Case("lie-zero-length", big, 413, content_length="0"),
        Case("lie-long-length", small, 413, content_length=str(MAX_BODY + 1)),
        Case("lie-length-huge", small, 413, content_length="9" * 40),
        Case("lie-length-5000-digits", small, 413, content_length="9" * 5000),
        Case("lie-length-leading-zeros", small, 202, content_length="0" * 30 + "12"),
        Case("length-not-a-number", small, 202, content_length="abc"),
        Case("length-negative", small, 202, content_length="-1"),
        Case("length-plus", small, 202, content_length="+5"),
        Case("length-float", small, 202, content_length="1e9"),
        Case("length-superscript", small, 202, content_length="\xb2"),
        Case("length-empty", small, 202, content_length=""),
        Case(
            "length-twice-one-huge",
            small,
            413,
            headers=(("content-length", str(MAX_BODY * 2)),),
        ),
        Case("disconnect-mid-body", good_event(), 422, chunk_size=10, disconnect=True),
        Case(
            "disconnect-big-body",
            big,
            422,
            content_length=None,
            chunk_size=30_000,
            disconnect=True,
        ),
        Case("disconnect-before-body", good_event(), 422, chunk_size=10**6, disconnect=True),
    ]
    return cases


def method_cases() -> list[Case]:
    cases = [
        Case(f"method-{method}", good_event(), 405, method=method)
        for method in ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "FOO"]
    ]
    cases += [
        Case("method-HEAD", good_event(), 405, method="HEAD"),
        Case("query-ignored", good_event(), 202, query=f"q={m()}&token={s()}"),
        Case(
            "credentials-in-headers",
            good_event(),
            202,
            headers=(
                ("authorization", f"Bearer {s()}"),
                ("cookie", f"session={s()}"),
                ("x-client-note", m()),
                ("user-agent", m()),
            ),
        ),
        Case("header-with-nul", good_event(), 202, headers=(("x-note", f"\x00{m()}\xff"),)),
        Case("header-long", good_event(), 202, headers=(("x-note", m() * 1000),)),
        Case("expect-continue", good_event(), 202, headers=(("expect", "100-continue"),)),
        Case("unknown-path", good_event(), 404, path="/logs"),
        Case("trailing-slash", good_event(), 307, path="/log/"),
        Case("path-with-marker", good_event(), 404, path=f"/log/{m()}"),
    ]
    return cases


def structure_cases() -> list[Case]:
    bodies_422 = {
        "array": f'["{m()}"]',
        "string": f'"{m()}"',
        "number": "1",
        "null": "null",
        "true": "true",
        "no-event-type": f'{{"payload": {{"k": "{m()}"}}}}',
        "event-type-null": event(event_type="null"),
        "event-type-number": event(event_type="1"),
        "event-type-list": event(event_type=f'["{TYPE}"]'),
        "event-type-object": event(event_type=f'{{"{m()}": "{m()}"}}'),
        "event-type-empty": event(event_type='""'),
        "event-type-upper": event(event_type=f'"{TYPE.upper()}"'),
        "event-type-space": event(event_type=f'" {TYPE}"'),
        "event-type-nul": event(event_type=f'"{TYPE}\\u0000"'),
        "event-type-marker": event(event_type=f'"{m()}"', payload=good_payload()),
        "event-type-long": event(event_type=f'"{m() * 2000}"'),
        "payload-array": event(payload=f'["{m()}"]'),
        "payload-string": event(payload=f'"{m()}"'),
        "payload-number": event(payload="1"),
        "payload-null": event(payload="null"),
        "payload-false": event(payload="false"),
        "extra-field": event(payload=good_payload(), extra=f'"{m()}": "{m()}"'),
        "extra-fields-many": event(extra=", ".join(f'"{m()}": 1' for _ in range(50))),
        "extra-proto": event(extra=f'"__proto__": {{"admin": "{m()}"}}'),
        "extra-constructor": event(extra=f'"constructor": "{m()}"'),
        "dupe-event-type-same": event(extra=f'"event_type": "{TYPE}"'),
        "dupe-event-type-other": event(extra=f'"event_type": "{m()}"'),
        "dupe-payload": event(payload="{}", extra=f'"payload": {{"password": "{s()}"}}'),
        "dupe-in-payload": event(payload=f'{{"k": "{m()}", "k": "{m()}"}}'),
        "dupe-in-nested": event(payload=f'{{"a": [{{"k": 1, "k": "{s()}"}}]}}'),
        "dupe-by-escape": event(payload=f'{{"k": "{m()}", "\\u006b": "{m()}"}}'),
        "dupe-password": event(payload=f'{{"password": "{s()}", "password": "{s()}"}}'),
        "too-many-keys": event(payload="{" + ", ".join(f'"k{i}": 1' for i in range(129)) + "}"),
        "int-too-long": event(payload=f'{{"n": {"9" * 4301}, "m": "{m()}"}}'),
        "trailing-comma": event(payload=f'{{"k": "{m()}",}}'),
        "single-quotes": f"{{'event_type': '{TYPE}', 'payload': {{'k': '{m()}'}}}}",
        "comment": f'{{"event_type": "{TYPE}" /* {m()} */}}',
        "trailing-garbage": good_event() + f" {m()}",
        "two-documents": good_event() + good_event(),
        "truncated": good_event()[:-1],
        "unquoted-key": f'{{event_type: "{TYPE}", "payload": {{"k": "{m()}"}}}}',
        "hex-number": event(payload='{"n": 0x10}'),
        "leading-zero": event(payload='{"n": 010}'),
        "plus-number": event(payload='{"n": +1}'),
        "bad-escape": event(payload=f'{{"k": "\\q{m()}"}}'),
        "short-unicode-escape": event(payload=f'{{"k": "\\u12{m()}"}}'),
    }
    bodies_202 = {
        "minimal": event(),
        "payload-empty": event(payload="{}"),
        "keys-128": event(payload="{" + ", ".join(f'"k{i}": 1' for i in range(128)) + "}"),
        "int-4300-digits": event(payload=f'{{"n": {"9" * 18}, "m": "{m()}"}}'),
        "whitespace-around": f" \r\n\t{good_event()} \r\n\t",
        "nested-everything": event(
            payload=f'{{"a": [null, true, false, 1.5, -2, "{m()}", {{"b": {{}}}}, []],'
            f' "authorization": {{"inner": "{s()}"}}}}'
        ),
        "sensitive-spellings": event(
            payload=f'{{"userEmail": "{s()}", "X-Auth-Token": "{s()}", "PASSWORD": "{s()}",'
            f' "session_id": "{s()}", "ok": "{m()}"}}'
        ),
        "sensitive-spellings-2": event(
            payload=f'{{"db_passwd": "{s()}", "mfaCode": "{s()}", "accountNumber": "{s()}",'
            f' "x-api-key": "{s()}", "Cookie": "{s()}", "refresh_token": "{s()}", "ok": "{m()}"}}'
        ),
        # A form encoded into one string value: the secret inside it is not recorded.
        "secret-in-json-string": event(
            payload=f'{{"form": {json.dumps(json.dumps({"password": s(), "n": m()}))},'
            f' "ok": "{m()}"}}'
        ),
        "secret-in-json-string-list": event(
            payload=f'{{"a": [{{"raw": {json.dumps(json.dumps([{"apiKey": s()}]))}}}],'
            f' "ok": "{m()}"}}'
        ),
    }
    cases = [Case(f"shape-{name}", text, 422) for name, text in bodies_422.items()]
    cases += [Case(f"shape-ok-{name}", text, 202) for name, text in bodies_202.items()]
    return cases


def path_and_method_cases() -> list[Case]:
    """Both paths under every method, a trailing slash, query strings, odd spellings of the path."""
    health = {"method": "GET", "path": "/health", "content_type": None, "content_length": None}
    cases = [Case("health", "", 200, **health)]  # type: ignore[arg-type]
    for method in ["HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE", "TRACE"]:
        # HEAD is answered as GET is, without the body (probes send it); the others are not allowed.
        status = 200 if method == "HEAD" else 405
        cases += [
            Case(f"health-{method}", "", status, method=method, path="/health", content_type=None),
            Case(f"health-{method}-body", good_event(), status, method=method, path="/health"),
        ]
    cases += [
        Case("health-slash", "", 307, method="GET", path="/health/", content_type=None),
        Case("health-query", "", 200, method="GET", path="/health", query=f"a={m()}&a=%ff%00"),
        Case("health-query-secret", "", 200, method="GET", path="/health", query=f"token={s()}"),
        # A body on a GET is read by nobody.
        Case("health-with-body", good_event(), 200, method="GET", path="/health"),
        Case("health-with-huge-length", "", 200, method="GET", path="/health",
             content_length="9" * 50),
        Case("log-query-bytes", good_event(), 202, query=f"%ff%fe={m()}&%00"),
        Case("log-double-slash", good_event(), 404, path="//log"),
        Case("log-dot-segment", good_event(), 404, path="/./log"),
        Case("log-upper-case", good_event(), 404, path="/LOG"),
        Case("log-encoded", good_event(), 404, path="/%6cog"),
        Case("log-slash-put", good_event(), 307, method="PUT", path="/log/"),
    ]  # fmt: skip
    return cases


def number_and_key_cases() -> list[Case]:
    """Numbers of every size, keys of every shape, event types that are almost a type."""
    numbers_422 = {
        "digits-1e5": "9" * 100_000,  # over the body limit: 413, below
        "exponent-30000-digits": "1e" + "9" * 30_000,
        "int-4301-in-list": "[" + "9" * 4301 + "]",
        "negative-int-4301": "-" + "9" * 4301,
    }
    numbers_202 = {
        "fraction-30000-digits": "0." + "1" * 30_000,
        "negative-exponent-30000-digits": "1e-" + "9" * 30_000,
        "negative-int-4300": "-" + "9" * 4300,
        "float-max-digits": "1" * 308 + ".5",
    }
    cases = []
    for name, number in numbers_422.items():
        text = event(payload=f'{{"n": {number}, "m": "{m()}", "token": "{s()}"}}')
        cases.append(Case(f"number-{name}", text, 413 if len(text) > MAX_BODY else 422))
    for name, number in numbers_202.items():
        text = event(payload=f'{{"n": {number}, "m": "{m()}", "token": "{s()}"}}')
        cases.append(Case(f"number-{name}", text, 202))
    keys_202 = {
        "empty": '""',
        "nul": '"\\u0000"',
        "controls": '"\\u0001\\u001f\\u007f"',
        "huge": '"' + "k" * 30_000 + '"',
        "huge-sensitive": '"' + "password" * 3_000 + '"',
        "rtl-override": '"\\u202epassword"',
        "path-ish": '"../../etc/passwd"',
        "sql-ish": '"\'; DROP TABLE events; --"',
        "newline": '"a\\nb"',
        "email": f'"{s()}@example.com"',
        "service-token": f'"sk_live_{s()}{"a" * 16}"',
        "fullwidth-password": '"\uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44"',
        "cyrillic-password": '"p\u0430ssword"',
        "zero-width-password": '"pass\u200bword"',
    }
    for name, key in keys_202.items():
        # Under a sensitive or data key the value is a secret marker; under others, plain.
        sensitive = "password" in name or name in ("email", "service-token")
        value = s() if sensitive else m()
        for site, build in {
            "top": lambda k, v: event(payload=f'{{{k}: "{v}", "ok": "{m()}"}}'),
            "deep": lambda k, v: event(payload=f'{{"a": {{"b": [{{{k}: "{v}"}}]}}}}'),
        }.items():
            text = build(key, value)
            cases.append(Case(f"key-{name}-{site}", text, 413 if len(text) > MAX_BODY else 202))
    event_types = {
        "path-ish": '"../../etc/passwd"',
        "rtl-override": f'"{TYPE}\\u202e"',
        "newline": f'"{TYPE}\\n"',
        "fullwidth": '"' + "".join(chr(ord(c) + 0xFEE0) if c != "_" else c for c in TYPE) + '"',
        "trailing-space": f'"{TYPE} "',
        "zero-width": f'"{TYPE[:2]}\u200b{TYPE[2:]}"',
        "percent-encoded": '"%' + format(ord(TYPE[0]), "x") + TYPE[1:] + '"',
        "sql-ish": f'"{TYPE}\'; --"',
        "prefix": f'"{TYPE[:-1]}"',
        "suffix": f'"{TYPE}x"',
        "controls": f'"\\u0007{TYPE}"',
    }
    cases += [
        Case(f"event-type-{name}", event(event_type=value, payload=good_payload()), 422)
        for name, value in event_types.items()
    ]
    return cases


def all_cases(event_type: str = TYPE) -> list[Case]:
    """The matrix, its events of type ``event_type``."""
    global TYPE
    default, TYPE = TYPE, event_type
    try:
        return [
            *content_type_cases(),
            *encoding_cases(),
            *non_finite_cases(),
            *surrogate_cases(),
            *nesting_cases(),
            *size_cases(),
            *method_cases(),
            *structure_cases(),
            *path_and_method_cases(),
            *number_and_key_cases(),
        ]
    finally:
        TYPE = default


CASES = all_cases()
assert len({case.name for case in CASES}) == len(CASES), "case names must be unique"


# --- the harness ------------------------------------------------------------------------------


class TeeSink:
    """Keeps every event and also writes it through the layer's real logging sink."""

    def __init__(self, logging_sink: Any) -> None:
        self.events: list[Any] = []
        self.logging_sink = logging_sink

    def emit(self, event: Any) -> None:
        self.events.append(event)
        self.logging_sink.emit(event)

    def flush(self) -> None:
        self.logging_sink.flush()

    def close(self) -> None:
        self.logging_sink.close()


@dataclass
class Outcome:
    """What came back from one request, and what it left behind."""

    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    error: str | None = None
    reads: int = 0
    events: list[Any] = field(default_factory=list)
    records: list[logging.LogRecord] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body)


class LogCapture:
    """Every record of every logger, at every level, whatever the handlers and propagation."""

    def __init__(self) -> None:
        self.records: list[logging.LogRecord] = []

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        loggers = [logging.getLogger()] + [
            logger
            for logger in logging.root.manager.loggerDict.values()
            if isinstance(logger, logging.Logger)
        ]
        levels = [(logger, logger.level, logger.disabled) for logger in loggers]
        original = logging.Logger.handle
        records = self.records

        def handle(logger: logging.Logger, record: logging.LogRecord) -> None:
            records.append(record)
            original(logger, record)

        try:
            for logger in loggers:
                logger.setLevel(logging.DEBUG)
                logger.disabled = False
            logging.disable(logging.NOTSET)
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(logging.Logger, "handle", handle)
                yield
        finally:
            for logger, level, disabled in levels:
                logger.setLevel(level)
                logger.disabled = disabled


class Harness:
    """The app under test, the sink its events go to, and the log capture."""

    def __init__(self, app: FastAPI, prefix: str, sink: Any) -> None:
        self.app = app
        self.prefix = prefix
        self.sink = sink
        self.capture = LogCapture()

    @classmethod
    def for_layer(cls, layer: Layer, sink: Any | None = None) -> Harness:
        """The layer's router in an app of its own, with error capture as the backend has it."""
        sink = sink if sink is not None else TeeSink(layer.event_logger.LoggingSink())
        logger = layer.event_logger.EventLogger(sink, enabled=True)
        app = layer.app(logger)
        app.add_middleware(layer.error_capture.ErrorCaptureMiddleware, event_logger=logger)
        return cls(app, layer.prefix, sink)

    def send(self, case: Case) -> Outcome:
        self.sink.events.clear()
        self.capture.records.clear()
        outcome = anyio.run(self._exchange, case)
        outcome.events = list(self.sink.events)
        outcome.records = list(self.capture.records)
        return outcome

    async def _exchange(self, case: Case) -> Outcome:
        raw = case.raw
        size = case.chunk_size or max(len(raw), 1)
        chunks = [raw[i : i + size] for i in range(0, len(raw), size)] or [b""]
        if case.disconnect:
            # The client vanishes before its last chunk.
            messages: list[dict[str, Any]] = [
                {"type": "http.request", "body": chunk, "more_body": True} for chunk in chunks[:-1]
            ]
            messages.append({"type": "http.disconnect"})
        else:
            messages = [
                {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
                for i, chunk in enumerate(chunks)
            ]
        headers = [("host", "testserver")]
        if case.content_type is not None:
            headers.append(("content-type", case.content_type))
        if case.content_length == "auto":
            headers.append(("content-length", str(len(raw))))
        elif case.content_length is not None:
            headers.append(("content-length", case.content_length))
        else:
            headers.append(("transfer-encoding", "chunked"))
        headers += case.headers
        path = self.prefix + case.path
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": case.method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": case.query.encode(),
            "root_path": "",
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        outcome = Outcome()

        async def receive() -> dict[str, Any]:
            outcome.reads += 1
            # After the body, a server reports the disconnect once the client goes away.
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                outcome.status = message["status"]
                outcome.headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                outcome.body += message.get("body", b"")

        try:
            with anyio.fail_after(20):
                await self.app(scope, receive, send)
        except Exception as exc:  # the point of the suite is that this never happens
            outcome.error = f"{type(exc).__name__} escaped the app"
        return outcome


def record_text(record: logging.LogRecord) -> str:
    """All of a record that a handler could write: message, arguments and extra attributes."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format is not what is being tested here
        message = str(record.msg)
    return message + " " + repr(vars(record))


def check(case: Case, outcome: Outcome) -> None:
    """Assert every rule of the suite for one exchange."""
    assert outcome.error is None, f"{case.name}: {outcome.error}"
    assert outcome.status == case.expected, (case.name, outcome.status, outcome.body[:300])
    assert outcome.status < 500 or outcome.status == case.expected == 503
    sent = case.markers()
    answer = outcome.body.decode("latin-1") + repr(outcome.headers)
    assert not {marker for marker in sent if marker in answer}, f"{case.name} echoed input"
    if outcome.status in (413, 415, 503):
        assert set(outcome.json()) == {"detail"}
        assert isinstance(outcome.json()["detail"], str)
    elif outcome.status == 422:
        problems = outcome.json()["detail"]
        assert problems
        for problem in problems:
            assert set(problem) == {"type", "loc", "msg"}, problem
            assert problem["loc"] in (["body"], ["body", "event_type"], ["body", "payload"])
    elif outcome.status == 202:
        assert set(outcome.json()) == {"status", "event_id", "event_type", "timestamp"}
    elif outcome.status == 405:
        assert outcome.json() == {"detail": "Method Not Allowed"}
        allow = dict(outcome.headers).get(b"allow", b"").decode()
        assert allow in ("GET", "POST"), (case.name, allow)
    elif outcome.status == 200 and case.method == "HEAD":
        assert outcome.body == b"", case.name
        assert dict(outcome.headers)[b"content-type"] == b"application/json", case.name
    elif outcome.status == 200:
        assert outcome.json()["status"] == "ok", case.name
    # Recorded if and only if accepted.
    assert len(outcome.events) == (1 if outcome.status == 202 else 0), case.name
    recorded = [json.dumps(e.to_dict(), ensure_ascii=False) for e in outcome.events]
    for text in recorded:
        assert not SECRET.findall(text), f"{case.name}: a sensitive value was recorded"
    for record in outcome.records:
        assert record.exc_info is None, f"{case.name}: an exception was logged: {record.msg}"
        assert record.levelno < logging.ERROR, f"{case.name}: {record.getMessage()}"
        text = record_text(record)
        leaked = {marker for marker in sent if marker in text}
        if not leaked:
            continue
        # Only the recorded event's own record may hold what was sent, after redaction.
        assert outcome.status == 202, f"{case.name}: {leaked} reached a log record"
        assert any(e.event_id in text for e in outcome.events), f"{case.name}: {leaked} leaked"
        assert not SECRET.findall(text), f"{case.name}: a sensitive value was logged"
        assert all(any(marker in r for r in recorded) for marker in leaked)


@pytest.fixture(scope="module")
def layer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layer]:
    with rendered_layer(tmp_path_factory.mktemp("hostile")) as rendered:
        assert rendered.plan.event_types[0] == TYPE
        yield rendered


@pytest.fixture(scope="module")
def harness(layer: Layer) -> Iterator[Harness]:
    harness = Harness.for_layer(layer)
    with harness.capture.installed():
        yield harness


# --- the matrix -------------------------------------------------------------------------------


def test_the_matrix_is_large_and_mixed() -> None:
    assert len(CASES) >= 500
    statuses = {case.expected for case in CASES}
    assert {202, 404, 405, 413, 415, 422} <= statuses


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_request(harness: Harness, case: Case) -> None:
    check(case, harness.send(case))


def test_the_served_openapi_is_still_the_contract_after_the_matrix(
    harness: Harness, layer: Layer
) -> None:
    # Every case again (nothing a request does may change what the app documents), then the
    # document the app serves, compared with the contract as the contract tests compare them.
    for case in CASES:
        harness.send(case)
    root = Harness(harness.app, "", harness.sink)
    outcome = root.send(Case("openapi", "", 200, method="GET", path="/openapi.json"))
    assert outcome.status == 200
    contract = load_contract(layer)
    assert operations(outcome.json(), layer.prefix) == operations(contract, layer.prefix)
    assert set(outcome.json()["paths"]) == set(contract["paths"])


@pytest.fixture(scope="module")
def bundled() -> Iterator[Harness]:
    """The bundled backend's own app, its shared logger writing into a tee for the test."""
    with imported_app(REPO_ROOT / "backend") as main:
        shared = sys.modules["app.analytics.event_logger"].event_logger
        sink = TeeSink(sys.modules["app.analytics.event_logger"].LoggingSink())
        previous, enabled = shared.use_sink(sink), shared.enabled
        shared.enabled = True
        harness = Harness(main.app, "/api/telemetry", sink)
        try:
            with harness.capture.installed():
                yield harness
        finally:
            shared.use_sink(previous)
            shared.enabled = enabled


# Every fourth case of the matrix (all categories) against the bundled backend as shipped. Its
# plan declares every event type; error_event takes properties it does not declare, so the
# matrix's free-form payloads are sent as error events there.
BUNDLED_CASES = all_cases("error_event")[::4]


@pytest.mark.parametrize("case", BUNDLED_CASES, ids=[case.name for case in BUNDLED_CASES])
def test_hostile_request_to_the_bundled_backend(bundled: Harness, case: Case) -> None:
    check(case, bundled.send(case))


def test_oversized_stream_is_not_read_to_the_end(harness: Harness) -> None:
    case = Case("stream", sized(40_000) * 10, 413, content_length=None, chunk_size=1024)
    outcome = harness.send(case)
    check(case, outcome)
    assert outcome.reads <= MAX_BODY // 1024 + 2


def test_declared_oversize_is_refused_before_reading(harness: Harness) -> None:
    case = Case("declared", good_event(), 413, content_length=str(MAX_BODY + 1))
    outcome = harness.send(case)
    check(case, outcome)
    assert outcome.reads == 0


class BrokenSink:
    """A sink that fails with the event in its error message (which must go nowhere)."""

    def __init__(self) -> None:
        self.events: list[Any] = []  # it records nothing

    def emit(self, event: Any) -> None:
        raise OSError(f"disk full while writing {event.payload}")

    def flush(self) -> None:
        raise OSError("flush failed")

    def close(self) -> None:
        raise OSError("close failed")


def test_a_sink_failure_is_503_and_nothing_leaks(layer: Layer) -> None:
    harness = Harness.for_layer(layer, BrokenSink())
    with harness.capture.installed():
        for case in [Case("sink-fails", good_event(), 503), Case("sink-fails-2", event(), 503)]:
            check(case, harness.send(case))


# --- properties -------------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)

# Text without surrogates (those are the subject of their own cases) and with markers mixed in.
_plain_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_keys = st.one_of(_plain_text, st.builds(lambda: m()), st.sampled_from(["a", "k", "0", ""]))
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    _plain_text,
    st.builds(lambda: m()),
)


def json_values(levels: int) -> st.SearchStrategy[Any]:
    """JSON values nesting at most ``levels`` containers deep."""
    if levels == 0:
        return _scalars
    inner = json_values(levels - 1)
    return st.one_of(
        _scalars,
        st.lists(inner, max_size=2),
        st.dictionaries(_keys, inner, max_size=2),
    )


@st.composite
def valid_events(draw: st.DrawFn) -> dict[str, Any]:
    """An event the endpoint must accept: within the limits, a secret under a sensitive key."""
    # The payload object is level 1 of the 5 allowed.
    payload: dict[str, Any] = draw(st.dictionaries(_keys, json_values(4), max_size=5))
    payload["password"] = s()
    payload[draw(st.sampled_from(["token", "userEmail", "X-Api-Key", "session_id"]))] = {
        "inner": s()
    }
    assert depth_of(payload) <= 5
    body: dict[str, Any] = {"event_type": draw(st.sampled_from([TYPE, "chapter_visit"]))}
    if payload or draw(st.booleans()):
        body["payload"] = payload
    return body


def depth_of(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth_of(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth_of(item) for item in value), default=0)
    return 0


@given(body=valid_events(), ascii_only=st.booleans())
@PROPERTY_SETTINGS
def test_any_valid_event_is_accepted_and_redacted(
    harness: Harness, body: dict[str, Any], ascii_only: bool
) -> None:
    case = Case("valid", json.dumps(body, ensure_ascii=ascii_only), 202)
    check(case, harness.send(case))


def _strings_at(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings_at(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings_at(item, (*path, index))
    else:
        yield path


def _place(body: dict[str, Any], path: Sequence[Any], value: Any) -> None:
    target: Any = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


# Each mutation turns the text of a valid event into a request with one known defect.
MUTATIONS = ["nan", "infinity", "overflow", "surrogate-value", "surrogate-key", "duplicate-key"]
MUTATIONS += ["extra-field", "bom", "utf-16", "latin-1", "truncate", "content-type", "charset"]


@given(body=valid_events(), mutation=st.sampled_from(MUTATIONS), data=st.data())
@PROPERTY_SETTINGS
def test_one_defect_in_a_valid_event_is_refused_exactly(
    harness: Harness, body: dict[str, Any], mutation: str, data: st.DataObject
) -> None:
    draw = data.draw
    body.setdefault("payload", {})
    leaves = [path for path in _strings_at(body["payload"]) if path]
    where: tuple[Any, ...] = ("payload", *draw(st.sampled_from(leaves))) if leaves else ()
    placeholder = "PLACEHOLDER_TOKEN"
    if where:
        _place(body, where, placeholder)
    else:
        body["payload"]["slot"] = placeholder
    text = json.dumps(body, ensure_ascii=False)
    quoted = f'"{placeholder}"'
    case = Case(mutation, text, 422)
    if mutation in ("nan", "infinity", "overflow"):
        token = {"nan": "NaN", "infinity": "-Infinity", "overflow": "1e400"}[mutation]
        case = replace(case, text=text.replace(quoted, token))
    elif mutation == "surrogate-value":
        case = replace(case, text=text.replace(quoted, f'"{m()}\\udc80"'))
    elif mutation == "surrogate-key":
        case = replace(case, text=text.replace('"payload": {', '"payload": {"\\ud834x": 1, ', 1))
    elif mutation == "duplicate-key":
        case = replace(case, text=text.replace('{"event_type"', '{"event_type": 1, "event_type"'))
    elif mutation == "extra-field":
        case = replace(case, text=text.replace("{", f'{{"{m()}": "{m()}", ', 1))
    elif mutation == "bom":
        case = replace(case, body=codecs.BOM_UTF8 + text.encode())
    elif mutation == "utf-16":
        case = replace(case, body=text.encode("utf-16"))
    elif mutation == "latin-1":
        text = text.replace(quoted, f'"{m()}\u00e9"')
        case = replace(case, text=text, body=text.encode("latin-1", "replace"))
    elif mutation == "truncate":
        cut = draw(st.integers(min_value=0, max_value=len(text.encode()) - 1))
        case = replace(case, body=text.encode()[:cut])
    elif mutation == "content-type":
        case = replace(case, expected=415, content_type=draw(st.sampled_from(["text/plain", ""])))
    elif mutation == "charset":
        charset = draw(st.sampled_from(["utf-16", "latin-1", "ascii", "utf-32"]))
        case = replace(case, expected=415, content_type=f"application/json; charset={charset}")
    check(case, harness.send(case))


@given(raw=st.binary(max_size=300), prefix=st.sampled_from([b"", b'{"event_type": "', b"{"]))
@PROPERTY_SETTINGS
def test_random_bytes_are_refused(harness: Harness, raw: bytes, prefix: bytes) -> None:
    marker = m()
    body = prefix + raw + marker.encode()
    # Random bytes with a marker at the end are never a valid event (the marker is no type).
    case = Case("bytes", marker, 422, body=body)
    check(case, harness.send(case))


@given(
    content_type=st.one_of(
        st.text(st.characters(max_codepoint=255), max_size=40),
        st.builds(
            lambda main, sub, params: f"{main}/{sub}{params}",
            st.sampled_from(["application", "text", "APPLICATION", "image", ""]),
            st.sampled_from(["json", "x+json", "jsonp", "json+x", "+json", "*", "a.b-c+json"]),
            st.sampled_from(["", ";", "; charset=utf-8", "; charset=UTF-16", '; charset="x"']),
        ),
    )
)
@PROPERTY_SETTINGS
def test_any_content_type_is_read_or_refused_with_415(harness: Harness, content_type: str) -> None:
    case = Case("content-type", good_event(), 0, content_type=content_type)
    outcome = harness.send(case)
    assert outcome.status in (202, 415), (content_type, outcome.status)
    check(replace(case, expected=outcome.status), outcome)


@given(
    depth=st.integers(min_value=6, max_value=3000),
    kind=st.sampled_from(["array", "object"]),
    site=st.sampled_from(["payload", "event_type", "whole-body"]),
)
@PROPERTY_SETTINGS
def test_nesting_beyond_the_limit_is_refused(
    harness: Harness, depth: int, kind: str, site: str
) -> None:
    inner = nested(depth, kind, f'"{s()}"')
    text = {
        "payload": event(payload=f'{{"deep": {inner}}}'),
        "event_type": event(event_type=inner),
        "whole-body": inner,
    }[site]
    case = Case("deep", text, 413 if len(text) > MAX_BODY else 422)
    check(case, harness.send(case))


# --- a real server ----------------------------------------------------------------------------

SERVER_APP = """
import logging
import sys

sys.path.insert(0, {backend!r})
logging.basicConfig(
    level=logging.DEBUG, stream=sys.stderr, format="%(name)s %(levelname)s %(message)s"
)

from fastapi import FastAPI

from {package}.error_capture import install_error_capture
from {package}.telemetry_router import router

app = FastAPI()
app.include_router(router)
install_error_capture(app)
"""


def head(path: str, *headers: str) -> bytes:
    """The head of a request, with one header per argument."""
    return "".join(
        [f"POST {path} HTTP/1.1\r\nHost: x\r\n", *(f"{h}\r\n" for h in headers), "\r\n"]
    ).encode("latin-1")


@dataclass
class Server:
    """A uvicorn process serving the layer; counts the 202 answers it gave."""

    port: int
    process: subprocess.Popen[bytes]
    output: Path
    accepted: int = 0

    def request(self, raw: bytes, timeout: float = 10) -> bytes:
        """Send raw bytes on a fresh connection and return everything the server answers."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as connection:
            connection.sendall(raw)
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_WR)
            return self.read_all(connection)

    def read_all(self, connection: socket.socket) -> bytes:
        chunks = []
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        answer = b"".join(chunks)
        self.accepted += answer.count(b"HTTP/1.1 202 ")
        return answer

    def post(self, path: str, body: bytes, content_type: str = "application/json") -> int:
        content = (f"Content-Type: {content_type}", f"Content-Length: {len(body)}")
        return status_of(self.request(head(path, *content, "Connection: close") + body))

    def check_log(self, secrets: set[str]) -> None:
        """No exception, no sent value, and one event record per 202 answer."""
        assert self.process.poll() is None, "the server died"
        log = self.output.read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in log
        assert "Exception in ASGI application" not in log
        assert not {secret for secret in secrets if secret in log}, "a sent value was logged"
        assert log.count(f"{LOGGER} INFO {{") == self.accepted


LOGGER = "app.analytics"


def status_of(answer: bytes) -> int:
    match = re.match(rb"HTTP/1\.1 (\d{3}) ", answer)
    return int(match.group(1)) if match else 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(layer: Layer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    assert layer.plan.analytics_package == LOGGER
    folder = tmp_path_factory.mktemp("server")
    backend = str(layer.root / layer.plan.backend)
    (folder / "hostile_server.py").write_text(
        SERVER_APP.format(backend=backend, package=layer.plan.analytics_package),
        encoding="utf-8",
    )
    port = _free_port()
    output = folder / "server.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "hostile_server:app", "--app-dir", str(folder)),
                *("--port", str(port), "--log-level", "trace", "--http", "h11"),
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=folder,
        )
    running = Server(port, process, output)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, output.read_text(errors="replace")
            with contextlib.suppress(OSError):
                if running.post(f"{layer.prefix}/log", event().encode()) == 202:
                    break
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.1)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_server_survives_malformed_framing(server: Server, layer: Layer) -> None:
    path = f"{layer.prefix}/log"
    secret = s()
    body = event(payload=f'{{"k": "{secret}"}}').encode()
    json_type = "Content-Type: application/json"
    malformed = [
        f"GARBAGE {secret}\r\n\r\n".encode(),
        head(path, "Content-Length: abc") + body,
        head(path, "Content-Length: 5", "Content-Length: 9") + body,
        head(path, json_type, f"Content-Length: {len(body)}", "Transfer-Encoding: chunked") + body,
        head(path, json_type, "Transfer-Encoding: chunked") + b"zz\r\n" + body,
        head(path, json_type, "Transfer-Encoding: gzip, chunked") + body,
        head(path, f"X-Bad {secret}"),
        head(path, f"X-Nul: a\x00{secret}"),
        head(path, f"X-Big: {'a' * 200_000}{secret}"),
        f"POST {path} HTTP/9.9\r\nHost: x\r\n\r\n".encode(),
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + secret.encode(),  # a TLS hello
        # A lying length: the rest of the body becomes a second, malformed request.
        head(path, json_type, "Content-Length: 10") + body,
    ]
    for raw in malformed:
        answer = server.request(raw)
        assert not 500 <= status_of(answer) < 600, (raw[:80], answer[:200])
        assert secret.encode() not in answer
        assert server.process.poll() is None
    assert server.post(path, event().encode()) == 202
    server.check_log({secret})


def test_server_answers_others_while_a_body_trickles_in(server: Server, layer: Layer) -> None:
    path = f"{layer.prefix}/log"
    secret = s()
    body = event(payload=f'{{"password": "{secret}", "k": "slow"}}').encode()
    slow_head = head(path, "Content-Type: application/json", f"Content-Length: {len(body)}")
    answers: list[bytes] = []

    def trickle() -> None:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
            connection.sendall(slow_head)
            for index in range(len(body)):
                connection.sendall(body[index : index + 1])
                time.sleep(1.5 / len(body))
            connection.shutdown(socket.SHUT_WR)
            answers.append(server.read_all(connection))

    slow = threading.Thread(target=trickle)
    slow.start()
    served_meanwhile = 0
    while slow.is_alive():
        assert server.post(path, event().encode()) == 202
        served_meanwhile += 1
        time.sleep(0.05)
    slow.join()
    assert status_of(answers[0]) == 202
    # A server blocked by the slow body would have answered none of them before it ended.
    assert served_meanwhile >= 3
    server.check_log({secret})


def test_server_survives_clients_that_vanish_mid_body(server: Server, layer: Layer) -> None:
    path = f"{layer.prefix}/log"
    secrets = set()
    for cut in (0, 1, 10, 40):
        secret = s()
        secrets.add(secret)
        body = event(payload=f'{{"password": "{secret}", "note": "{secret}"}}').encode()
        request = head(path, "Content-Type: application/json", f"Content-Length: {len(body) + 99}")
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
            connection.sendall(request + body[:cut])
        # The same, ended by a reset (RST) instead of a clean close.
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.sendall(request + body[:cut])
    assert server.post(path, event().encode()) == 202
    server.check_log(secrets)


def test_server_refuses_hostile_bodies_without_logging_them(server: Server, layer: Layer) -> None:
    path = f"{layer.prefix}/log"
    secret = s()
    refused = {
        event(payload=f'{{"k": "{secret}", "n": NaN}}').encode(): 422,
        event(payload=f'{{"k": "{secret}", "n": 1e400}}').encode(): 422,
        event(payload=f'{{"k": "{secret}\\ud800"}}').encode(): 422,
        event(payload=f'{{"k": "{secret}\u00e9"}}').encode("latin-1"): 422,
        event(payload=f'{{"k": "{secret}"}}', extra=f'"{secret}": 1').encode(): 422,
        event(event_type=f'"{secret}"').encode(): 422,
        ("[" * 20_000).encode() + secret.encode(): 422,
        event(payload=f'{{"k": "{secret}", "pad": "{"x" * MAX_BODY}"}}').encode(): 413,
    }
    for body, status in refused.items():
        assert server.post(path, body) == status
    assert server.post(path, event(payload=f'{{"k": "{secret}"}}').encode(), "text/plain") == 415
    assert server.post(path, event().encode()) == 202
    server.check_log({secret})


# --- hostile Python values through log() and record() -----------------------------------------

_HOSTILE_SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([10**5000, -(10**400), 2**63, -(2**64)]),
    st.floats(),  # NaN, infinities, -0.0, subnormals
    st.text(max_size=12),  # lone surrogates and control characters too
    st.binary(max_size=8),
)
# Keys a JSON object cannot have beside the ones it can: a caller's dict may hold any.
_HOSTILE_KEYS: st.SearchStrategy[Any] = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["password", "ssh_key", "path", "\ud800", "pass\udfffword"]),
    st.integers(),
    st.none(),
    st.floats(),
    st.tuples(st.integers()),
    st.binary(max_size=4),
)


def _hostile_values(levels: int) -> st.SearchStrategy[Any]:
    if levels == 0:
        return _HOSTILE_SCALARS
    inner = _hostile_values(levels - 1)
    return st.one_of(
        _HOSTILE_SCALARS,
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(_HOSTILE_KEYS, inner, max_size=3),
    )


@given(
    payload=st.dictionaries(_HOSTILE_KEYS, _hostile_values(7), max_size=4),
    event_type=st.sampled_from([TYPE, "chapter_visit", "error_event", "\ud800", ""]),
)
@PROPERTY_SETTINGS
def test_hostile_python_payloads_are_recorded_as_strict_json_or_refused(
    layer: Layer, payload: dict[Any, Any], event_type: str
) -> None:
    secret = s()
    payload = {**payload, "password": secret, "nested": [{"ssh_key": secret}]}
    logger = layer.event_logger.EventLogger(RecordingSink(), enabled=True)
    # log() never raises, whatever the payload; record() raises ValueError only.
    logger.log(event_type, payload)
    try:
        recorded = logger.record(event_type, payload)
    except ValueError:
        return
    text = recorded.to_json()
    assert secret not in text
    json.loads(text, parse_constant=lambda constant: pytest.fail(f"not strict JSON: {constant}"))
    text.encode("utf-8")  # no lone surrogate reaches a sink


# --- containers that read themselves -----------------------------------------------------------
# A subclass of dict, list or tuple whose own iteration gives other items than it stores, or
# never ends. The layer reads it as json's encoder and FastAPI do, through its own methods, once,
# and never past one item more than the size limit has room for. An endless one hung log() (its
# numbers add nothing to the size counted) and then filled memory in json's encoder.
_MANY = 10**6  # "endless", yet ending, so that a layer reading it to its end fails, not hangs


class _Endless(list[Any]):
    read = 0

    def __iter__(self) -> Iterator[Any]:
        for _ in range(_MANY):
            type(self).read += 1
            yield 0

    def __len__(self) -> int:
        return 1


class _EndlessTuple(tuple[Any, ...]):
    read = 0

    def __iter__(self) -> Iterator[Any]:
        for _ in range(_MANY):
            type(self).read += 1
            yield 0


class _EndlessDict(dict[str, Any]):
    read = 0

    def items(self) -> Any:
        for index in range(_MANY):
            type(self).read += 1
            yield str(index), 0

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self.items())

    def values(self) -> Any:
        return (value for _, value in self.items())

    def __len__(self) -> int:
        return 1


@dataclass
class _Holder:
    held: Any


_ENDLESS: dict[str, tuple[type[Any], Callable[[Any], Any]]] = {
    "list": (_Endless, lambda endless: {"k": endless}),
    "tuple": (_EndlessTuple, lambda endless: {"k": [1, endless]}),
    "dict": (_EndlessDict, lambda endless: {"k": {"j": endless}}),
    "the payload": (_EndlessDict, lambda endless: endless),
    "in a dataclass": (_Endless, lambda endless: {"k": _Holder(endless)}),
    "a dataclass payload": (_EndlessDict, lambda endless: _Holder(endless)),
}


@pytest.mark.parametrize("name", sorted(_ENDLESS))
def test_an_endless_container_is_refused_unread(layer: Layer, name: str) -> None:
    kind, build = _ENDLESS[name]
    sink = RecordingSink()
    logger = layer.event_logger.EventLogger(sink, enabled=True)
    kind.read = 0
    with pytest.raises(layer.event_logger.EventValidationError, match="larger than"):
        logger.record("error_event", build(kind()))
    logger.log("error_event", build(kind()))
    assert sink.events == []
    assert kind.read <= 2 * (MAX_BODY + 1)  # once per call, one item past the limit at most


_Login = collections.namedtuple("_Login", "user password")


class _OtherLogin(_Login):
    def __iter__(self) -> Iterator[Any]:
        return iter(("ada", "zS99999Sz"))


class _Shown(list[Any]):
    def __iter__(self) -> Iterator[Any]:
        return iter(["shown"])


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        # Read as json.dumps reads it: through its own iteration.
        ({"k": _Shown(["stored"])}, {"k": ["shown"]}),
        # Its field names still name the items its iteration gives: the password is redacted.
        ({"k": _OtherLogin("x", "y")}, {"k": ["ada", "[redacted]"]}),
        ({"k": [_OtherLogin("x", "y")]}, {"k": [["ada", "[redacted]"]]}),
    ],
)
def test_a_container_is_recorded_as_its_own_iteration_gives_it(
    layer: Layer, payload: dict[str, Any], expected: dict[str, Any]
) -> None:
    sink = RecordingSink()
    logger = layer.event_logger.EventLogger(sink, enabled=True)
    assert json.loads(logger.record("error_event", payload).to_json())["payload"] == expected
    logger.log("error_event", payload)
    assert json.loads(sink.events[-1].to_json())["payload"] == expected


class _ReadsSame(list[Any]):
    """A list that reads itself with code of its own (which gives what it stores)."""

    def __iter__(self) -> Iterator[Any]:
        return list.__iter__(self)


def _counting_plain(layer: Layer, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the items (numbers too) the layer copies to read a payload that reads itself."""
    copied = [0]
    counted = layer.event_logger._counted

    def counting(items: Any, size: list[int]) -> Any:
        copied[0] += len(items)
        return counted(items, size)

    monkeypatch.setattr(layer.event_logger, "_counted", counting)
    return copied


@pytest.mark.parametrize("payload", ["shared rows", "rows"])
def test_a_payload_copied_to_be_read_is_copied_no_further_than_the_size_limit(
    layer: Layer, monkeypatch: pytest.MonkeyPatch, payload: str
) -> None:
    # One container that reads itself makes the layer copy the payload: the copy of a payload
    # far past the limit went on to its end (20 times the limit here, gigabytes with more rows),
    # where the size check alone refuses it after one limit's worth of items.
    copied = _counting_plain(layer, monkeypatch)
    row = [0] * MAX_BODY
    rows = [row] * 20 if payload == "shared rows" else [[0] * 1000 for _ in range(700)]
    logger = layer.event_logger.EventLogger(RecordingSink(), enabled=True)
    with pytest.raises(layer.event_logger.EventValidationError, match="larger than"):
        logger.record("error_event", {"o": _ReadsSame(), "rows": rows})
    assert 0 < copied[0] <= MAX_BODY + 1000 + 2  # one row's items past the limit at most


def test_a_payload_too_deep_is_refused_before_it_is_copied(
    layer: Layer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The size check refuses it for its depth at the first too-deep level; the copy went on
    # copying every row first.
    copied = _counting_plain(layer, monkeypatch)
    deep: Any = [0] * 50
    for _ in range(4):
        deep = [deep] * 50
    logger = layer.event_logger.EventLogger(RecordingSink(), enabled=True)
    with pytest.raises(layer.event_logger.EventValidationError, match="deeper"):
        logger.record("error_event", {"o": _ReadsSame(), "x": deep})
    assert copied[0] <= 3 + 50 * 5  # one path down, as the size check walks it


@dataclass
class _Cookie:
    name: str
    value: str


class _Held(Enum):
    ORDERED = collections.OrderedDict(password="x")  # noqa: RUF012 (a member, not state)


@pytest.mark.parametrize(
    "payload",
    [
        {"cookie": _Cookie("sessionid", "abc123def456")},
        {"k": [_Cookie("sessionid", "abc123def456"), {"password": "x"}]},
        {"k": (_Cookie("sessionid", "abc123def456"),)},
        {"e": _Held.ORDERED},
    ],
    ids=["dataclass", "in a list", "in a tuple", "enum of an OrderedDict"],
)
@pytest.mark.parametrize("beside", ["OrderedDict", "a list that reads itself"])
def test_a_value_beside_a_container_that_reads_itself_is_recorded_as_alone(
    layer: Layer, payload: dict[str, Any], beside: str
) -> None:
    # Only the container that reads itself is copied: a dataclass beside it was recorded as
    # a dict of its fields (redacted otherwise), an OrderedDict in an enum refused.
    logger = layer.event_logger.EventLogger(RecordingSink(), enabled=True)
    alone = json.loads(logger.record("error_event", payload).to_json())["payload"]
    other = collections.OrderedDict() if beside == "OrderedDict" else _ReadsSame()
    both = logger.record("error_event", {**payload, "o": other})
    assert json.loads(both.to_json())["payload"] == {
        **alone,
        "o": {} if beside == "OrderedDict" else [],
    }


_Fields = collections.namedtuple("_Fields", "items keys values")


def test_a_named_tuple_with_fields_named_as_read_methods_is_not_copied(
    layer: Layer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its field ``items`` is a field, not a way tuple is read: it is read as any named tuple.
    copied = _counting_plain(layer, monkeypatch)
    logger = layer.event_logger.EventLogger(RecordingSink(), enabled=True)
    event = logger.record("error_event", {"k": _Fields(1, 2, 3)})
    assert json.loads(event.to_json())["payload"] == {"k": [1, 2, 3]}
    assert copied[0] == 0


@pytest.mark.parametrize(
    "value",
    [sys.version_info, time.gmtime(0), Path(__file__).stat()],
    ids=["version_info", "struct_time", "stat_result"],
)
def test_a_tuple_of_c_code_is_recorded_alike_beside_a_container_that_reads_itself(
    layer: Layer, value: tuple[Any, ...]
) -> None:
    logger = layer.event_logger.EventLogger(RecordingSink(), enabled=True)
    alone = json.loads(logger.record("error_event", {"v": value}).to_json())["payload"]
    both = logger.record("error_event", {"v": value, "o": _ReadsSame()})
    assert json.loads(both.to_json())["payload"] == {**alone, "o": []}


class _EndlessKind(Enum):
    ENDLESS = _Endless()


class _Chained(Enum):
    ENDLESS = _EndlessKind.ENDLESS  # written as its value's value: the endless list


# An enum member is written as its value, in its place: one whose value holds a container that
# reads itself (through another member, a dict or a dataclass) is read once and boundedly.
# json's encoder read the endless list below a member's member, or a member in a dataclass, to
# its end (a container without end hung log() and filled memory).
_ENDLESS_MEMBERS: dict[str, Callable[[], Any]] = {
    "a member": lambda: {"e": _EndlessKind.ENDLESS},
    "in a list": lambda: {"e": [_EndlessKind.ENDLESS]},
    "a member's member": lambda: {"e": _Chained.ENDLESS},
    "in a dataclass": lambda: {"e": _Holder(_EndlessKind.ENDLESS)},
    "a dataclass payload": lambda: _Holder(_Chained.ENDLESS),
    "in a list that reads itself": lambda: {"e": _ReadsSame([_Chained.ENDLESS])},
}


@pytest.mark.parametrize("name", sorted(_ENDLESS_MEMBERS))
def test_an_enum_member_whose_value_is_an_endless_container_is_refused_unread(
    layer: Layer, name: str
) -> None:
    sink = RecordingSink()
    logger = layer.event_logger.EventLogger(sink, enabled=True)
    _Endless.read = 0
    with pytest.raises(layer.event_logger.EventValidationError, match="larger than"):
        logger.record("error_event", _ENDLESS_MEMBERS[name]())
    logger.log("error_event", _ENDLESS_MEMBERS[name]())
    assert sink.events == []
    assert _Endless.read <= 2 * (MAX_BODY + 1)


class _ShownDict(dict[str, Any]):
    def items(self) -> Any:
        return iter([("chapter", "ch-01"), ("password", "zS99999Sz")])


class _Shape(Enum):
    SHOWN = _Shown(["stored"])
    SHOWN_DICT = _ShownDict()


class _ShapeOfShape(Enum):
    SHOWN = _Shape.SHOWN


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"k": _Shape.SHOWN}, {"k": ["shown"]}),
        ({"k": [_Shape.SHOWN, 1]}, {"k": [["shown"], 1]}),
        ({"k": _ShapeOfShape.SHOWN}, {"k": ["shown"]}),
        ({"k": _Holder(_Shape.SHOWN)}, {"k": {"held": ["shown"]}}),
        # Redacted as any dict: the plain copy is what the rules read.
        ({"k": _Shape.SHOWN_DICT}, {"k": {"chapter": "ch-01", "password": "[redacted]"}}),
    ],
    ids=["member", "in a list", "a member's member", "in a dataclass", "a dict"],
)
def test_an_enum_member_whose_value_reads_itself_is_recorded_as_read(
    layer: Layer, payload: dict[str, Any], expected: dict[str, Any]
) -> None:
    # Its value is read as json.dumps reads it, through its own code, once: the event was
    # refused ("an enum member's value reads itself with code of its own").
    sink = RecordingSink()
    logger = layer.event_logger.EventLogger(sink, enabled=True)
    assert json.loads(logger.record("error_event", payload).to_json())["payload"] == expected
    logger.log("error_event", payload)
    assert json.loads(sink.events[-1].to_json())["payload"] == expected


def test_an_enum_member_whose_value_leads_back_to_itself_is_refused(layer: Layer) -> None:
    class Loop(Enum):
        BACK = 1

    Loop.BACK._value_ = Loop.BACK  # an enum's value set afterwards, as code may set anything
    sink = RecordingSink()
    logger = layer.event_logger.EventLogger(sink, enabled=True)
    with pytest.raises(layer.event_logger.EventValidationError, match="leads back"):
        logger.record("error_event", {"e": Loop.BACK, "o": _Shown()})
    with pytest.raises(layer.event_logger.EventValidationError, match="leads back"):
        logger.record("error_event", {"e": Loop.BACK})
    logger.log("error_event", {"e": [Loop.BACK]})
    assert sink.events == []


def test_a_chain_of_enum_members_too_long_is_refused_as_too_deep(layer: Layer) -> None:
    # Each member the value of the one before, none leading back: it was refused as leading
    # back to an enum member, which it does not.
    value: Any = "end"
    for number in range(40):
        value = Enum(f"Link{number}", {"MEMBER": value})["MEMBER"]
    logger = layer.event_logger.EventLogger(RecordingSink(), enabled=True)
    with pytest.raises(layer.event_logger.EventValidationError, match="too deep") as raised:
        logger.record("error_event", {"e": value})
    assert "leads back" not in str(raised.value)


def _named(name: str) -> object:
    return type(name, (), {})()


class _Dated(date):
    def isoformat(self, *args: Any, **kwargs: Any) -> str:
        raise type("Broken\n" + "E" * 100_000, (Exception,), {})("the payload's own words")


# A class may be made with any name (``type(text, ...)``, a model built from data): its name
# was written into the warning as it was, a line break and all, a megabyte long.
@pytest.mark.parametrize(
    "payload",
    [
        {"v": _named("Injected\nWARNING forged line " + "S" * 1_000_000)},
        {"v": [_named("\u202eReordered" + "S" * 200)]},
        {"v": _Dated(2024, 1, 15)},
    ],
    ids=["value's class", "bidirectional control", "exception's class"],
)
def test_a_class_name_in_a_warning_is_escaped_and_cut_short(
    layer: Layer, caplog: pytest.LogCaptureFixture, payload: dict[str, Any]
) -> None:
    caplog.set_level(logging.WARNING, logger=layer.event_logger.LOGGER_NAME)
    sink = RecordingSink()
    layer.event_logger.EventLogger(sink, enabled=True).log("error_event", payload)
    assert sink.events == []
    (message,) = [record.getMessage() for record in caplog.records]
    assert message.startswith("Dropped analytics event 'error_event': payload")
    assert message.isprintable(), message
    assert len(message) < 300, len(message)
    assert "own words" not in message


_FORGED = "Boom\nWARNING forged line " + "x" * 200


def _forged_sink() -> object:
    """A sink of a class named with a line break, whose every method raises another such."""

    def fail(self: object, *args: object) -> None:
        raise type(_FORGED, (Exception,), {})("the payload's own words")

    return type(_FORGED, (), {"emit": fail, "flush": fail, "close": fail})()


# A sink's class and its failure's class were written into the warning (and SinkError's
# message) as they were, a line break and all: every class name goes through one rule.
@pytest.mark.parametrize("queued", [False, True], ids=["sink", "QueueSink"])
def test_a_sink_failures_class_names_are_escaped_and_cut_short(
    layer: Layer, caplog: pytest.LogCaptureFixture, queued: bool
) -> None:
    caplog.set_level(logging.WARNING, logger=layer.event_logger.LOGGER_NAME)
    sink = _forged_sink()
    if queued:
        sink = layer.event_logger.QueueSink(sink)
    logger = layer.event_logger.EventLogger(sink, enabled=True)
    logger.log("error_event", {})
    messages = []
    for call in (logger.flush, logger.close):
        with pytest.raises(layer.event_logger.SinkError) as raised:
            call()
        messages.append(str(raised.value))
    messages += [record.getMessage() for record in caplog.records]
    assert any("failed with" in message for message in messages), messages
    for message in messages:
        assert message.isprintable(), message
        assert len(message) < 400, len(message)
        assert "own words" not in message
