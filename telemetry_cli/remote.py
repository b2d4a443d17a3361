"""Talk to a running server's telemetry endpoints (``emit --url``, ``health --url``).

The standard library's HTTP client is enough for two JSON calls and keeps the CLI light.
Every failure becomes a :class:`RemoteError` with a message for the user.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from telemetry_cli.errors import EXIT_FAILURE, EXIT_USAGE, UserError

DEFAULT_TIMEOUT = 10.0


class RemoteError(UserError):
    """The server could not be reached, or answered with an error."""


@dataclass(frozen=True)
class Response:
    """A JSON answer from the server."""

    status: int
    body: Any


def endpoint(base_url: str, api_prefix: str, path: str) -> str:
    """Join a server's base URL (``http://127.0.0.1:8000``) with the telemetry prefix and path."""
    parsed = urllib.parse.urlsplit(base_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        error = RemoteError(f"--url {base_url!r}: expected http://host[:port] or https://...")
        error.exit_code = EXIT_USAGE
        raise error
    return base_url.rstrip("/") + api_prefix + path


def request_json(
    method: str, url: str, body: Any = None, timeout: float = DEFAULT_TIMEOUT
) -> Response:
    """Send one request and return the decoded JSON answer, whatever its status."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    headers = {"Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Response(answer.status, _decode(answer.read(), url))
    except urllib.error.HTTPError as answer:
        return Response(answer.code, _decode(answer.read(), url, strict=False))
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ConnectionRefusedError):
            raise RemoteError(f"{url}: connection refused; is the server running?") from None
        if isinstance(reason, TimeoutError | socket.timeout):
            raise RemoteError(f"{url}: no answer within {timeout:g} s") from None
        raise RemoteError(f"{url}: cannot connect: {reason}") from None
    except TimeoutError:
        raise RemoteError(f"{url}: no answer within {timeout:g} s") from None
    except OSError as exc:
        raise RemoteError(f"{url}: connection failed: {exc.strerror or exc}") from None


def _decode(raw: bytes, url: str, *, strict: bool = True) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        if strict:
            raise RemoteError(f"{url}: the server did not answer with JSON") from None
        return raw.decode("utf-8", errors="replace")[:200]


def describe_error(response: Response) -> str:
    """A short account of an error answer: the status and the server's ``detail``."""
    body = response.body
    detail: Any = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, list):
        # FastAPI validation errors: keep the messages, drop the internals.
        parts = [
            str(item.get("msg", item)) if isinstance(item, dict) else str(item) for item in detail
        ]
        detail = "; ".join(parts)
    elif isinstance(detail, dict):
        detail = detail.get("message", json.dumps(detail, sort_keys=True))
    return f"HTTP {response.status}: {detail}" if detail else f"HTTP {response.status}"


def failure(message: str) -> RemoteError:
    """A remote failure with the generic failure exit code."""
    error = RemoteError(message)
    error.exit_code = EXIT_FAILURE
    return error
