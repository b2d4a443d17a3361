"""The bundled backend under a real uvicorn, fed raw bytes: what in-process clients never send.

Each HTTP parser uvicorn offers (h11, and httptools when installed) frames requests its own way:
pipelining, ``Expect: 100-continue``, chunk extensions and trailers, lying or repeated lengths,
clients that leave mid-body. Every answer must be a documented status, the server must keep
serving, and a record is written once per accepted (202) event and never for a refused one.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import pytest
import uvicorn

from tests.backend_support import imported_app

BACKEND_DIR = Path(__file__).resolve().parent.parent / "backend"
LOG = b"/api/telemetry/log"
EVENT = b'{"event_type": "chapter_visit", "payload": {"chapter_id": "intro"}}'
HEALTH = b"GET /api/telemetry/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
MAX_BODY = 32768


class _Records(logging.Handler):
    """The event records the logging sink writes, as they arrive."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@dataclass
class Served:
    port: int
    records: _Records

    def exchange(self, *parts: bytes, pause: float = 0.0, leave: bool = False) -> bytes:
        """Send ``parts`` on one connection and read until the server closes it.

        ``leave`` closes the connection right after sending (a client gone mid-body).
        """
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as connection:
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for part in parts:
                connection.sendall(part)
                time.sleep(pause)
            if leave:
                return b""
            received = b""
            while chunk := connection.recv(65536):
                received += chunk
            return received


def _parsers() -> list[str]:
    return ["h11"] + (["httptools"] if find_spec("httptools") else [])


@pytest.fixture(scope="module", params=_parsers())
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    """The bundled backend served by uvicorn with one HTTP parser, on a free local port."""
    records = _Records()
    analytics = logging.getLogger("app.analytics")
    level, propagate = analytics.level, analytics.propagate
    analytics.setLevel(logging.INFO)
    analytics.propagate = False
    analytics.addHandler(records)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    with imported_app(BACKEND_DIR) as main:
        config = uvicorn.Config(
            main.app, http=request.param, log_level="critical", timeout_keep_alive=2
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 5
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            yield Served(listener.getsockname()[1], records)
        finally:
            server.should_exit = True
            thread.join(5)
            listener.close()
            analytics.removeHandler(records)
            analytics.setLevel(level)
            analytics.propagate = propagate


def post(body: bytes, *headers: bytes, length: bool = True, close: bool = True) -> bytes:
    """A raw POST of ``body`` to the log endpoint."""
    lines = [b"POST " + LOG + b" HTTP/1.1", b"Host: t", b"Content-Type: application/json"]
    if length:
        lines.append(b"Content-Length: %d" % len(body))
    lines += headers
    if close:
        lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def chunked(*pieces: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


def sized(size: int) -> bytes:
    """An accepted event whose body has exactly ``size`` bytes."""
    body = EVENT.replace(b'"intro"', b'"' + b"a" * (size - len(EVENT) + 5) + b'"')
    assert len(body) == size
    return body


@dataclass(frozen=True)
class Exchange:
    name: str
    parts: tuple[bytes, ...]
    # The statuses of the answers, in order; a set where the two parsers differ.
    statuses: tuple[frozenset[int], ...]
    pause: float = 0.0
    leave: bool = False


def one_of(*statuses: int) -> frozenset[int]:
    return frozenset(statuses)


OK, TOO_LARGE, UNSUPPORTED, INVALID, BAD = (one_of(code) for code in (202, 413, 415, 422, 400))
TELEMETRY_REQUEST = post(EVENT, close=False)

EXCHANGES = [
    Exchange("pipelined", (TELEMETRY_REQUEST * 2 + post(EVENT),), (OK, OK, OK)),
    Exchange("expect-continue", (post(EVENT, b"Expect: 100-continue"),), (one_of(100), OK)),
    Exchange(
        "http-1.0-without-host", (post(EVENT).replace(b"HTTP/1.1\r\nHost: t", b"HTTP/1.0"),), (OK,)
    ),
    Exchange(
        "chunk-extensions-and-trailers",
        (
            post(b"", b"Transfer-Encoding: chunked", length=False)
            + b"%x;a=b\r\n%s\r\n0;c=d\r\nX-Trailer: 1\r\n\r\n" % (len(EVENT), EVENT),
        ),
        (OK,),
    ),
    Exchange(
        "length-shorter-than-body",
        (post(EVENT, b"Content-Length: %d" % (len(EVENT) - 10), length=False),),
        (INVALID,),
    ),
    Exchange("two-lengths", (post(EVENT, b"Content-Length: 3"),), (BAD,)),
    Exchange("largest-body", (post(sized(MAX_BODY)),), (OK,)),
    Exchange("body-one-byte-too-large", (post(sized(MAX_BODY + 1)),), (TOO_LARGE,)),
    Exchange(
        "chunked-body-too-large",
        (post(b"", b"Transfer-Encoding: chunked", length=False) + chunked(sized(MAX_BODY + 1)),),
        (TOO_LARGE,),
    ),
    # The refused body holds a request: never answered as one (the connection closes).
    Exchange(
        "declared-too-large-body-holding-a-request",
        (
            post(b"", b"Content-Length: 40000", length=False, close=False)
            + TELEMETRY_REQUEST.ljust(40000)
            + HEALTH,
        ),
        (TOO_LARGE,),
    ),
    Exchange(
        "content-encoding", (post(gzip.compress(EVENT), b"Content-Encoding: gzip"),), (UNSUPPORTED,)
    ),
    # httptools hands such a body on undecoded; h11 refuses it.
    Exchange(
        "transfer-coding-other-than-chunked",
        (post(b"", b"Transfer-Encoding: gzip, chunked", length=False) + chunked(EVENT),),
        (one_of(400, 415),),
    ),
    Exchange(
        "trickled",
        (*(bytes([byte]) for byte in post(EVENT)[:120]), post(EVENT)[120:]),
        (OK,),
        pause=0.001,
    ),
    Exchange("client-leaves-mid-body", (post(EVENT)[:-10],), (), leave=True),
    Exchange("obs-fold", (post(EVENT, b"X-Note: a\r\n  b"),), (one_of(202, 400),)),
    Exchange("non-ascii-header", (post(EVENT, "X-Note: caf\u00e9".encode("latin-1")),), (OK,)),
    Exchange(
        "head-health",
        (b"HEAD /api/telemetry/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",),
        (one_of(200),),
    ),
]


@pytest.mark.parametrize("exchange", EXCHANGES, ids=lambda exchange: exchange.name)
def test_raw_requests_get_documented_answers_and_one_record_per_accepted_event(
    served: Served, exchange: Exchange
) -> None:
    before = len(served.records.lines)
    received = served.exchange(*exchange.parts, pause=exchange.pause, leave=exchange.leave)
    statuses = [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", received)]
    assert len(statuses) == len(exchange.statuses), received[:300]
    for status, expected in zip(statuses, exchange.statuses, strict=True):
        assert status in expected, received[:300]
    # The server keeps serving, and by then every accepted event has been written.
    assert served.exchange(HEALTH).startswith(b"HTTP/1.1 200 ")
    assert len(served.records.lines) - before == statuses.count(202)


@pytest.mark.parametrize(
    "headers",
    [
        (b"Content-Length: 10000000000",),
        (b"Content-Length: 10000000000", b"Expect: 100-continue"),
        (b"Content-Length: 10", b"Content-Encoding: gzip"),
    ],
    ids=["declared-too-large", "declared-too-large-expecting-continue", "content-encoding"],
)
def test_a_body_refused_unread_closes_the_connection(
    served: Served, headers: tuple[bytes, ...]
) -> None:
    """The server answers and hangs up instead of waiting for (and dropping) the whole body."""
    request = post(b"", *headers, length=False, close=False)
    with socket.create_connection(("127.0.0.1", served.port), timeout=2) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):  # a timeout here: the server waits for the body
            received += chunk
    assert re.match(rb"HTTP/1\.1 41[35] ", received), received[:300]
    assert b"\r\nconnection: close\r\n" in received.lower()


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_body_trickled_past_the_read_bound_gets_408_and_the_connection_closes(
    served: Served, framing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client that keeps sending a byte now and then cannot hold the connection forever."""
    monkeypatch.setattr(
        sys.modules["app.analytics.telemetry_router"], "BODY_READ_SECONDS", 0.5, raising=False
    )
    before = len(served.records.lines)
    if framing == "chunked":
        request = post(b"", b"Transfer-Encoding: chunked", length=False, close=False)
        pieces = [b"1\r\n%s\r\n" % EVENT[i : i + 1] for i in range(len(EVENT))]
    else:
        request = post(b"", b"Content-Length: %d" % len(EVENT), length=False, close=False)
        pieces = [EVENT[i : i + 1] for i in range(len(EVENT))]
    started = time.monotonic()
    received = b""
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as connection:
        connection.sendall(request)
        for piece in pieces:  # 0.1 s apart: about 7 s for the whole body
            try:
                connection.sendall(piece)
            except OSError:  # the server hung up, as it should
                break
            connection.settimeout(0.1)
            try:
                if chunk := connection.recv(65536):
                    received += chunk
            except TimeoutError:
                continue
            if received.endswith(b"}"):
                break
        connection.settimeout(5)
        with contextlib.suppress(OSError):
            while chunk := connection.recv(65536):  # a timeout here: the connection stays open
                received += chunk
    assert time.monotonic() - started < 4
    assert received.startswith(b"HTTP/1.1 408 "), received[:300]
    assert b"\r\nconnection: close\r\n" in received.lower()
    assert len(served.records.lines) == before
    assert served.exchange(HEALTH).startswith(b"HTTP/1.1 200 ")
