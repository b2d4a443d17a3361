"""The request path of ``POST /log``: its headers read in one pass, its deadline on each backend."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import Headers
from starlette.requests import Request

from tests.layer_support import Layer, RecordingSink, rendered_layer

MAX_BODY = 32 * 1024
BODY_NAMES = ("content-encoding", "transfer-encoding", "content-type", "content-length")


@pytest.fixture(scope="module")
def layer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layer]:
    with rendered_layer(tmp_path_factory.mktemp("request-path")) as rendered:
        yield rendered


def scope_of(layer: Layer, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    path = f"{layer.prefix}/log"
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }


# Names as servers send them and as they should not (upper case, which Starlette's Headers does
# not match), repeated, with values that are and are not what the endpoint accepts.
header_names = st.sampled_from(
    [name.encode() for name in BODY_NAMES]
    + [b"Content-Type", b"CONTENT-LENGTH", b"host", b"content-typ", b"x-content-type"]
)
header_values = st.sampled_from(
    [b"application/json", b"text/plain", b"gzip", b"chunked", b"12", b"", b" 9" * 3, b"\xe9"]
) | st.binary(max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(header_names, header_values), max_size=8))
def test_the_body_headers_are_read_as_starlettes_headers_read_them(
    layer: Layer, raw: list[tuple[bytes, bytes]]
) -> None:
    """One pass gives each name the values ``Headers.getlist`` gives it, in the same order."""
    request = Request(scope_of(layer, raw))
    read = layer.router._body_headers(request)
    reference = Headers(raw=list(raw))
    for name in BODY_NAMES:
        assert read.get(name.encode(), []) == reference.getlist(name), name
    assert set(read) <= {name.encode() for name in BODY_NAMES}


def test_the_log_endpoint_reads_its_headers_without_a_pass_per_name(
    layer: Layer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Headers.getlist`` walks every header for each name: the endpoint asks it for none."""
    asked: list[str] = []
    getlist = Headers.getlist

    def counting(self: Headers, key: str) -> list[str]:
        asked.append(key)
        return getlist(self, key)

    monkeypatch.setattr(Headers, "getlist", counting)
    body = json.dumps({"event_type": layer.plan.event_types[0], "payload": {}}).encode()
    status, _ = anyio.run(exchange, layer, [body], {})
    assert status == 202
    assert not set(asked) & set(BODY_NAMES), asked  # FastAPI itself asks for "cookie"


async def exchange(
    layer: Layer, chunks: list[bytes], extra: dict[str, str], then_wait: bool = False
) -> tuple[int, bytes]:
    """Call the app with the body in ``chunks``; ``then_wait``: the client then sends nothing."""
    sent: list[dict[str, Any]] = []
    messages = [
        {"type": "http.request", "body": chunk, "more_body": then_wait or i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        if then_wait:
            await anyio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"content-type", b"application/json")]
    headers += [(name.encode(), value.encode()) for name, value in extra.items()]
    app = layer.app(layer.event_logger.EventLogger(RecordingSink(), enabled=True))
    with anyio.fail_after(10):
        await app(scope_of(layer, headers), receive, send)
    body = b"".join(message.get("body", b"") for message in sent[1:])
    return int(sent[0]["status"]), body


@pytest.fixture(params=["asyncio", "trio"])
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def test_the_log_endpoint_accepts_an_event_on_each_backend(layer: Layer, backend: str) -> None:
    body = json.dumps({"event_type": layer.plan.event_types[0], "payload": {"k": "v"}}).encode()
    status, answer = anyio.run(exchange, layer, [body[:10], body[10:]], {}, backend=backend)
    assert status == 202
    assert json.loads(answer)["status"] == "accepted"


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "counted"])
def test_a_body_over_the_limit_is_413_on_each_backend(
    layer: Layer, backend: str, declared: bool
) -> None:
    chunks = [b"x" * 8192] * (MAX_BODY // 8192 + 1)
    extra = {"content-length": str(MAX_BODY + 1)} if declared else {}
    status, answer = anyio.run(exchange, layer, chunks, extra, backend=backend)
    assert status == 413
    assert json.loads(answer) == {"detail": f"Request body is larger than {MAX_BODY} bytes."}


@pytest.mark.parametrize("chunks", [[], [b'{"event_type": ']], ids=["nothing", "a-part"])
def test_a_body_not_arriving_in_time_is_408_on_each_backend(
    layer: Layer, backend: str, chunks: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deadline covers the first read too: a client may send its headers, then nothing."""
    monkeypatch.setattr(layer.router, "BODY_READ_SECONDS", 0.2)
    status, answer = anyio.run(exchange, layer, chunks, {}, True, backend=backend)
    assert status == 408
    assert json.loads(answer) == {
        "detail": "The request body did not arrive in full within 0.2 seconds."
    }


def test_asyncio_s_own_deadline_is_used_only_where_it_reports_its_expiry(layer: Layer) -> None:
    # CPython gh-102780, fixed in 3.11.3: before, an expiry could surface as CancelledError.
    fixed = sys.version_info >= (3, 11, 3)
    assert layer.router._ASYNCIO_DEADLINE is fixed


@pytest.mark.parametrize("asyncio_deadline", [True, False], ids=["asyncio", "anyio"])
def test_the_deadline_on_asyncio_is_anyio_s_before_python_3_11_3(
    layer: Layer, monkeypatch: pytest.MonkeyPatch, asyncio_deadline: bool
) -> None:
    monkeypatch.setattr(layer.router, "_ASYNCIO_DEADLINE", asyncio_deadline)
    monkeypatch.setattr(layer.router, "BODY_READ_SECONDS", 0.25)
    entered: list[float] = []
    fail_after = anyio.fail_after

    def counting(delay: float) -> Any:
        entered.append(delay)
        return fail_after(delay)

    monkeypatch.setattr(layer.router.anyio, "fail_after", counting)
    status, _ = anyio.run(exchange, layer, [], {}, True, backend="asyncio")
    assert status == 408
    body = json.dumps({"event_type": layer.plan.event_types[0], "payload": {}}).encode()
    assert anyio.run(exchange, layer, [body], {}, backend="asyncio")[0] == 202
    # exchange() itself enters one deadline of 10 s a request.
    assert entered.count(0.25) == (0 if asyncio_deadline else 2)
