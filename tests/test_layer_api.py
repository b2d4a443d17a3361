"""The generated telemetry endpoints and error capture, for the default plan and another one."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from tests.layer_support import PLAN_OPTIONS, FailingSink, Layer, RecordingSink, rendered_layer

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
MAX_BODY = 32 * 1024
JSON_HEADERS = {"content-type": "application/json"}


@pytest.fixture(scope="module", params=PLAN_OPTIONS.values(), ids=PLAN_OPTIONS.keys())
def layer(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Layer]:
    with rendered_layer(tmp_path_factory.mktemp("api"), **request.param) as rendered:
        yield rendered


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def client(layer: Layer, sink: RecordingSink) -> Iterator[TestClient]:
    logger = layer.event_logger.EventLogger(sink, enabled=True)
    with TestClient(layer.app(logger)) as test_client:
        yield test_client


def first_type(layer: Layer) -> str:
    return layer.plan.event_types[0]


def post_log(client: TestClient, layer: Layer, body: Any) -> Any:
    return client.post(f"{layer.prefix}/log", json=body)


# --- POST /log --------------------------------------------------------------------------------


def test_log_accepts_an_event(client: TestClient, layer: Layer, sink: RecordingSink) -> None:
    event_type = first_type(layer)
    response = post_log(
        client, layer, {"event_type": event_type, "payload": {"block": "quiz", "userEmail": "a@b"}}
    )
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"status", "event_id", "event_type", "timestamp"}
    assert body["status"] == "accepted"
    assert body["event_type"] == event_type
    assert uuid.UUID(body["event_id"]).version == 4
    assert TIMESTAMP.match(body["timestamp"])
    [event] = sink.events
    assert (event.event_id, event.timestamp) == (body["event_id"], body["timestamp"])
    assert event.payload == {"block": "quiz", "userEmail": "[redacted]"}


@pytest.mark.parametrize("event_index", [0, 1, 2])
def test_every_allowed_type_is_accepted(
    client: TestClient, layer: Layer, sink: RecordingSink, event_index: int
) -> None:
    event_type = layer.plan.event_types[event_index]
    response = post_log(client, layer, {"event_type": event_type})
    assert response.status_code == 202
    assert response.json()["event_type"] == event_type
    assert [event.payload for event in sink.events] == [{}]


def test_unknown_type_is_422_naming_the_allowed_types(
    client: TestClient, layer: Layer, sink: RecordingSink
) -> None:
    response = post_log(client, layer, {"event_type": "no_such_event", "payload": {}})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "event_type"]
    for allowed in layer.plan.event_types:
        assert allowed in error["msg"]
    assert sink.events == []


@pytest.mark.parametrize("payload", [[1, 2], "text", 7, None, True], ids=repr)
def test_payload_that_is_not_an_object_is_422(
    client: TestClient, layer: Layer, sink: RecordingSink, payload: Any
) -> None:
    response = post_log(client, layer, {"event_type": first_type(layer), "payload": payload})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "payload"]
    assert sink.events == []


def test_a_payload_that_is_not_an_object_is_named_in_jsons_words(
    client: TestClient, layer: Layer
) -> None:
    response = post_log(client, layer, {"event_type": first_type(layer), "payload": [1]})
    [problem] = response.json()["detail"]
    assert problem == {
        "type": "dict_type",
        "loc": ["body", "payload"],
        "msg": "Input should be a JSON object",
    }


def deep(levels: int) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for _ in range(levels - 1):
        payload = {"k": payload}
    return payload


@pytest.mark.parametrize(
    "payload",
    [deep(6), {f"k{i}": i for i in range(129)}],
    ids=["too-deep", "too-many-keys"],
)
def test_payload_over_the_limits_is_422(
    client: TestClient, layer: Layer, sink: RecordingSink, payload: Any
) -> None:
    response = post_log(client, layer, {"event_type": first_type(layer), "payload": payload})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "payload"]
    assert sink.events == []


def test_payload_at_the_depth_limit_is_accepted(client: TestClient, layer: Layer) -> None:
    response = post_log(client, layer, {"event_type": first_type(layer), "payload": deep(5)})
    assert response.status_code == 202


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b'{"event_type": ', {"content-type": "application/json"}),
        (b"[]", {"content-type": "application/json"}),
        (b'"ai_block_used"', {"content-type": "application/json"}),
        (b"{}", {"content-type": "application/json"}),
        (b"", {"content-type": "application/json"}),
        (b'{"event_type": "\xff\xfe"}', {"content-type": "application/json"}),
        # Under the size cap, yet Python's json refuses them with other exceptions than
        # JSONDecodeError (RecursionError, the int digit limit), which FastAPI would map to 400.
        (b"[" * 30000, JSON_HEADERS),
        (b'{"event_type": "x", "payload": {"n": ' + b"9" * 5000 + b"}}", JSON_HEADERS),
    ],
    ids=[
        "truncated",
        "array",
        "string",
        "no-type",
        "empty",
        "not-utf8",
        "too-deep-to-parse",
        "too-many-digits",
    ],
)
def test_malformed_body_is_422(
    client: TestClient, layer: Layer, sink: RecordingSink, content: bytes, headers: dict[str, str]
) -> None:
    response = client.post(f"{layer.prefix}/log", content=content, headers=headers)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)
    assert sink.events == []


def test_unknown_field_is_422_without_naming_it(
    client: TestClient, layer: Layer, sink: RecordingSink
) -> None:
    body = {"event_type": first_type(layer), "payload": {}, "user_secret_field": "x"}
    response = post_log(client, layer, body)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "extra_forbidden",
            "loc": ["body"],
            "msg": "Extra inputs are not permitted; allowed fields: event_type, payload",
        }
    ]
    assert sink.events == []


def test_422_never_quotes_the_request(client: TestClient, layer: Layer) -> None:
    response = post_log(client, layer, {"event_type": "leaked_type_x9", "payload": "leaked_v"})
    assert response.status_code == 422
    assert {tuple(problem) for problem in response.json()["detail"]} == {("type", "loc", "msg")}
    assert "leaked" not in response.text


@pytest.mark.parametrize(
    "headers",
    [
        {"content-type": "text/plain"},
        {"content-type": "application/x-www-form-urlencoded"},
        {"content-type": "application/json; charset=latin-1"},
        {"content-type": "application/json", "content-encoding": "gzip"},
        {},
    ],
    ids=["text", "form", "latin-1", "gzip", "none"],
)
def test_body_not_declared_as_utf8_json_is_415(
    client: TestClient, layer: Layer, sink: RecordingSink, headers: dict[str, str]
) -> None:
    content = json.dumps({"event_type": first_type(layer)}).encode()
    response = client.post(f"{layer.prefix}/log", content=content, headers=headers)
    assert response.status_code == 415
    assert set(response.json()) == {"detail"}
    assert sink.events == []


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=UTF-8", "Application/JSON", "application/vnd.api+json"],
)
def test_json_media_types_are_read(client: TestClient, layer: Layer, content_type: str) -> None:
    content = json.dumps({"event_type": first_type(layer)}).encode()
    response = client.post(
        f"{layer.prefix}/log", content=content, headers={"content-type": content_type}
    )
    assert response.status_code == 202


def exact_body(layer: Layer, size: int) -> bytes:
    """A valid JSON body of exactly ``size`` bytes."""
    skeleton = json.dumps({"event_type": first_type(layer), "payload": {"k": ""}}).encode()
    padded = json.dumps(
        {"event_type": first_type(layer), "payload": {"k": "x" * (size - len(skeleton))}}
    )
    assert len(padded.encode()) == size
    return padded.encode()


def test_body_at_the_limit_is_accepted(client: TestClient, layer: Layer) -> None:
    response = client.post(
        f"{layer.prefix}/log",
        content=exact_body(layer, MAX_BODY),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 202


def test_body_over_the_limit_is_413(client: TestClient, layer: Layer, sink: RecordingSink) -> None:
    response = client.post(
        f"{layer.prefix}/log",
        content=exact_body(layer, MAX_BODY + 1),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json() == {"detail": f"Request body is larger than {MAX_BODY} bytes."}
    assert sink.events == []


def test_oversized_body_is_refused_before_parsing(client: TestClient, layer: Layer) -> None:
    # Not JSON at all: a parser would answer 422, so 413 proves the size check came first.
    response = client.post(
        f"{layer.prefix}/log",
        content=b"{" * (MAX_BODY + 1),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


def test_streamed_body_without_length_is_counted(client: TestClient, layer: Layer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"event_type": "' + first_type(layer).encode() + b'", "payload": {"k": "'
        for _ in range(40):
            yield b"x" * 1024
        yield b'"}}'

    response = client.post(
        f"{layer.prefix}/log", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 413


def test_declared_length_over_the_limit_is_413_without_reading(layer: Layer) -> None:
    # Raw ASGI call: the body would be tiny, but the declared length alone must be refused.
    received: list[str] = []
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        received.append("read")
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"{layer.prefix}/log",
        "raw_path": f"{layer.prefix}/log".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(MAX_BODY + 1).encode()),
        ],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    import anyio

    anyio.run(layer.app(layer.event_logger.EventLogger(RecordingSink())), scope, receive, send)
    assert sent[0]["status"] == 413
    assert received == []


def test_sink_failure_is_503_without_internals(layer: Layer) -> None:
    logger = layer.event_logger.EventLogger(FailingSink(), enabled=True)
    with TestClient(layer.app(logger)) as client:
        response = post_log(client, layer, {"event_type": first_type(layer), "payload": {}})
    assert response.status_code == 503
    body = response.json()
    assert set(body) == {"detail"}
    assert FailingSink.SECRET not in response.text
    assert "OSError" not in response.text


def test_disabled_telemetry_still_answers_202_without_emitting(layer: Layer) -> None:
    sink = RecordingSink()
    logger = layer.event_logger.EventLogger(sink, enabled=False)
    with TestClient(layer.app(logger)) as client:
        response = post_log(client, layer, {"event_type": first_type(layer)})
        health = client.get(f"{layer.prefix}/health")
    assert response.status_code == 202
    assert sink.events == []
    assert health.json()["enabled"] is False


# --- GET /health ------------------------------------------------------------------------------


def test_health_reports_the_configuration(client: TestClient, layer: Layer) -> None:
    response = client.get(f"{layer.prefix}/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["enabled"] is True
    assert body["sink"] == "RecordingSink"
    assert body["allowed_event_types"] == list(layer.plan.event_types)


def test_health_answers_head_as_http_asks_without_listing_it(
    client: TestClient, layer: Layer
) -> None:
    # HEAD is what load balancers and uptime probes send: GET's status and headers, no body.
    # The contract and the served OpenAPI list GET only, as Starlette's own routes leave HEAD out.
    get = client.get(f"{layer.prefix}/health")
    head = client.head(f"{layer.prefix}/health")
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-type"] == get.headers["content-type"]
    # The length of the body GET sends, as HTTP asks of HEAD (the same serialisation).
    assert head.headers["content-length"] == get.headers["content-length"] == str(len(get.content))
    operations = client.get("/openapi.json").json()["paths"][f"{layer.prefix}/health"]
    assert set(operations) == {"get"}
    assert client.head(f"{layer.prefix}/log").status_code == 405


def test_health_route_answers_what_the_logger_reports(layer: Layer) -> None:
    # The route is a thin call: the logger's health() is the one source of the answer.
    logger = layer.event_logger.EventLogger(RecordingSink(), enabled=False)
    with TestClient(layer.app(logger)) as client:
        response = client.get(f"{layer.prefix}/health")
    assert response.json() == logger.health().model_dump(mode="json")


def test_health_does_no_sink_io(layer: Layer) -> None:
    logger = layer.event_logger.EventLogger(FailingSink(), enabled=True)
    with TestClient(layer.app(logger)) as client:
        response = client.get(f"{layer.prefix}/health")
    assert response.status_code == 200
    assert response.json()["sink"] == "FailingSink"


def test_default_dependency_is_the_module_logger(layer: Layer) -> None:
    with TestClient(layer.app()) as client:
        body = client.get(f"{layer.prefix}/health").json()
    assert body["sink"] == "LoggingSink"
    assert body["enabled"] is layer.event_logger.event_logger.enabled


def test_routes_are_async_and_prefixed(layer: Layer) -> None:
    router = layer.router.router
    assert router.prefix == layer.prefix
    assert router.tags == ["telemetry"]
    paths = {(route.path, tuple(sorted(route.methods))) for route in router.routes}
    assert paths == {
        (f"{layer.prefix}/log", ("POST",)),
        (f"{layer.prefix}/health", ("GET",)),
        (f"{layer.prefix}/health", ("HEAD",)),
    }
    import inspect

    assert all(inspect.iscoroutinefunction(route.endpoint) for route in router.routes)


# --- error capture ----------------------------------------------------------------------------


class HandledError(Exception):
    pass


def host_app(layer: Layer, *, capture: bool, handler_for_all: bool = False) -> FastAPI:
    app = FastAPI()

    @app.get("/items/{item_id}")
    async def broken(item_id: str) -> dict[str, str]:
        raise RuntimeError(f"secret {item_id}")

    @app.get("/missing")
    async def missing() -> dict[str, str]:
        raise HTTPException(status_code=404, detail="nope")

    @app.get("/handled")
    async def handled() -> dict[str, str]:
        raise HandledError

    @app.get("/fine")
    async def fine() -> dict[str, str]:
        return {"ok": "yes"}

    @app.exception_handler(HandledError)
    async def on_handled(request: Request, exc: HandledError) -> JSONResponse:
        return JSONResponse({"handled": True}, status_code=409)

    if handler_for_all:

        @app.exception_handler(Exception)
        async def on_any(request: Request, exc: Exception) -> JSONResponse:
            return JSONResponse({"error": "custom"}, status_code=500)

    if capture:
        layer.error_capture.install_error_capture(app)
    return app


REQUESTS = ["/items/42", "/missing", "/handled", "/fine"]


@pytest.mark.parametrize("handler_for_all", [False, True], ids=["default-500", "custom-500"])
def test_error_capture_leaves_responses_unchanged(layer: Layer, handler_for_all: bool) -> None:
    sink = RecordingSink()
    previous = layer.event_logger.event_logger.use_sink(sink)
    enabled = layer.event_logger.event_logger.enabled
    layer.event_logger.event_logger.enabled = True
    try:
        answers = {}
        for capture in (False, True):
            app = host_app(layer, capture=capture, handler_for_all=handler_for_all)
            with TestClient(app, raise_server_exceptions=False) as client:
                answers[capture] = [
                    (r.status_code, r.headers.get("content-type"), r.content)
                    for r in (client.get(path) for path in REQUESTS)
                ]
    finally:
        layer.event_logger.event_logger.use_sink(previous)
        layer.event_logger.event_logger.enabled = enabled
    assert answers[True] == answers[False]
    assert answers[True][0][0] == 500
    [event] = sink.events
    assert event.event_type == "error_event"
    assert event.payload == {
        "exception": "RuntimeError",
        "method": "GET",
        "route": "/items/{item_id}",
    }
    assert "secret" not in event.to_json()


def test_error_capture_survives_a_failing_sink(layer: Layer) -> None:
    logger = layer.event_logger.EventLogger(FailingSink(), enabled=True)
    app = host_app(layer, capture=False)
    app.add_middleware(layer.error_capture.ErrorCaptureMiddleware, event_logger=logger)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/items/1")
    assert (response.status_code, response.text) == (500, "Internal Server Error")


def test_error_capture_reraises_to_the_caller(layer: Layer) -> None:
    sink = RecordingSink()
    app = host_app(layer, capture=False)
    logger = layer.event_logger.EventLogger(sink, enabled=True)
    app.add_middleware(layer.error_capture.ErrorCaptureMiddleware, event_logger=logger)
    with TestClient(app) as client, pytest.raises(RuntimeError, match="secret 7"):
        client.get("/items/7")
    assert [event.payload["exception"] for event in sink.events] == ["RuntimeError"]


def test_install_error_capture_is_idempotent(layer: Layer) -> None:
    app = FastAPI()
    layer.error_capture.install_error_capture(app)
    layer.error_capture.install_error_capture(app)
    captures = [
        m for m in app.user_middleware if m.cls is layer.error_capture.ErrorCaptureMiddleware
    ]
    assert len(captures) == 1


def test_unknown_type_with_thousands_allowed_is_a_small_422(tmp_path: Any) -> None:
    """The message names the first allowed types and how many more: a plan may allow 3,000."""
    many = tuple(f"event_number_{index}" for index in range(3000))
    with rendered_layer(tmp_path, event_types=many) as layer:
        sink = RecordingSink()
        logger = layer.event_logger.EventLogger(sink, enabled=True)
        with TestClient(layer.app(logger)) as client:
            response = post_log(client, layer, {"event_type": "no_such_event"})
        assert response.status_code == 422
        assert len(response.content) < 2048
        [error] = response.json()["detail"]
        assert error["loc"] == ["body", "event_type"]
        assert "event_number_0, event_number_1," in error["msg"]
        assert "and 2980 more" in error["msg"]
        with pytest.raises(layer.event_logger.EventValidationError) as raised:
            logger.record("no_such_event", {})
        assert len(str(raised.value)) < 2048
        assert "and 2980 more" in str(raised.value)
        assert sink.events == []


def test_error_capture_names_a_mounted_sub_application_route_by_its_full_template(
    layer: Layer,
) -> None:
    """A sub-application's error is caught by the served app's capture, under its mount path.

    Its route template is relative to the mount; the event names the one clients request, with
    the mount's own template (``{org_id}``), never the values the request filled in.
    """
    sink = RecordingSink()
    logger = layer.event_logger.EventLogger(sink, enabled=True)
    inner = FastAPI()

    @inner.get("/reports/{report_id}")
    async def report(report_id: str) -> dict[str, str]:
        raise RuntimeError(f"secret {report_id}")

    middle = FastAPI()
    middle.mount("/v1", inner)
    app = FastAPI()
    app.mount("/orgs/{org_id}", middle)
    app.add_middleware(layer.error_capture.ErrorCaptureMiddleware, event_logger=logger)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/orgs/acme/v1/reports/9").status_code == 500
    [event] = sink.events
    assert event.payload == {
        "exception": "RuntimeError",
        "method": "GET",
        "route": "/orgs/{org_id}/v1/reports/{report_id}",
    }
    assert "acme" not in event.to_json() and "secret" not in event.to_json()


def test_error_capture_names_a_route_mounted_in_an_included_router_by_its_full_template(
    layer: Layer,
) -> None:
    """A sub-application mounted in a router is served under the prefixes the router has.

    FastAPI 0.165 keeps an included router whole (its mounts with it); the event names the
    template clients request, with each include's prefix (an including router's own one too),
    where it named the sub-application's route alone (``/x/{item}``).
    """
    sink = RecordingSink()
    logger = layer.event_logger.EventLogger(sink, enabled=True)
    sub = FastAPI()

    @sub.get("/x/{item}")
    async def fail(item: str) -> None:
        raise RuntimeError(f"secret {item}")

    router = APIRouter(prefix="/unused")  # a router's prefix is its routes', not its mounts'
    router.mount("/sub/{org}", sub)
    outer = APIRouter(prefix="/outer")
    outer.include_router(router, prefix="/o")
    app = FastAPI()
    app.include_router(outer, prefix="/api")
    app.add_middleware(layer.error_capture.ErrorCaptureMiddleware, event_logger=logger)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/outer/o/sub/acme/x/7").status_code == 500
    [event] = sink.events
    assert event.payload["route"] == "/api/outer/o/sub/{org}/x/{item}"
    assert "acme" not in event.to_json() and "secret" not in event.to_json()


def test_error_capture_names_a_route_of_an_included_router_with_its_prefixes(
    layer: Layer,
) -> None:
    """The template is the one clients request, with the prefixes of every router on the way.

    FastAPI 0.165 includes a router without copying its routes, so the route in the scope has
    its own router's path only; an event named ``/v1/{tenant}/items/{item_id}`` for
    ``/outer/v1/...`` and ``/again/v1/...`` alike.
    """
    sink = RecordingSink()
    logger = layer.event_logger.EventLogger(sink, enabled=True)
    router = APIRouter(prefix="/v1/{tenant}")

    @router.get("/items/{item_id}")
    async def item(tenant: str, item_id: str) -> None:
        raise RuntimeError(f"secret {item_id}")

    outer = APIRouter(prefix="/outer")
    outer.include_router(router)
    inner = FastAPI()
    inner.include_router(router, prefix="/in")
    app = FastAPI()
    app.include_router(outer)
    app.include_router(router, prefix="/again")
    app.mount("/orgs/{org_id}", inner)
    app.add_middleware(layer.error_capture.ErrorCaptureMiddleware, event_logger=logger)
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in ("/outer/v1/acme/items/7", "/again/v1/acme/items/7", "/orgs/o/in/v1/a/items/7"):
            assert client.get(path).status_code == 500
    assert [event.payload["route"] for event in sink.events] == [
        "/outer/v1/{tenant}/items/{item_id}",
        "/again/v1/{tenant}/items/{item_id}",
        "/orgs/{org_id}/in/v1/{tenant}/items/{item_id}",
    ]
