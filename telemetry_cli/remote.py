"""Talk to a running server's telemetry endpoints (``emit --url``, ``health --url``).

The standard library's HTTP client is enough for two JSON calls and keeps the CLI light.
Every failure becomes a :class:`RemoteError` with a message for the user: a URL that cannot
work is a usage error (exit 2), a server that cannot be reached or answers nonsense is a
failure (exit 1).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from telemetry_cli.errors import EXIT_FAILURE, EXIT_USAGE, UserError

DEFAULT_TIMEOUT = 10.0

# What http.client refuses in a URL (it raises InvalidURL deep inside the request instead).
_DISALLOWED = re.compile(r"[\x00-\x20\x7f]")


class RemoteError(UserError):
    """The server could not be reached, or answered with an error."""


@dataclass(frozen=True)
class Response:
    """A JSON answer from the server."""

    status: int
    body: Any


def endpoint(base_url: str, api_prefix: str, path: str) -> str:
    """Join a server's base URL (``http://127.0.0.1:8000``) with the telemetry prefix and path.

    Raises:
        RemoteError: (exit 2) the URL cannot be used: not http(s), no host, a bad port, spaces
            or control characters, non-ASCII outside the host, credentials, a query or fragment.
    """
    expected = "expected http://host[:port] or https://..."
    if _DISALLOWED.search(base_url):
        raise _bad_url(base_url, "spaces and control characters are not allowed; " + expected)
    try:
        parsed = urllib.parse.urlsplit(base_url)
        port = parsed.port
    except ValueError as exc:
        # "Invalid IPv6 URL", "Port out of range 0-65535", "Port could not be cast to integer".
        raise _bad_url(base_url, f"{exc}; {expected}") from None
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise _bad_url(base_url, expected)
    if port == 0:
        raise _bad_url(base_url, "port 0 cannot be connected to; use 1-65535")
    if "@" in parsed.netloc:
        raise _bad_url(base_url, "credentials in the URL are not supported")
    if parsed.query or parsed.fragment:
        raise _bad_url(base_url, "give the server's base URL, without ?query or #fragment")
    if not parsed.path.isascii():
        raise _bad_url(base_url, "percent-encode non-ASCII characters in the path")
    return base_url.rstrip("/") + api_prefix + path


def _bad_url(base_url: str, why: str) -> RemoteError:
    error = RemoteError(f"--url {base_url!r}: {why}")
    error.exit_code = EXIT_USAGE
    return error


def request_json(
    method: str, url: str, body: Any = None, timeout: float = DEFAULT_TIMEOUT
) -> Response:
    """Send one request and return the decoded JSON answer, whatever its status.

    Raises:
        RemoteError: the server cannot be reached, does not answer in time, or answers with
            something that is not HTTP carrying JSON.
    """
    data = None if body is None else json.dumps(body).encode("utf-8")
    headers = {"Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        return _exchange(request, url, timeout)
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
    except (http.client.HTTPException, ValueError) as exc:
        # A garbage status line, a body cut short, a broken chunk: whatever answered, it was
        # not a well-formed HTTP response.
        raise RemoteError(
            f"{url}: the server's answer was not valid HTTP ({_describe_fault(exc)})"
        ) from None


def _exchange(request: urllib.request.Request, url: str, timeout: float) -> Response:
    opener = _opener(url)
    try:
        with opener.open(request, timeout=timeout) as answer:
            return Response(answer.status, _decode(answer.read(), url))
    except urllib.error.HTTPError as answer:
        # Reading an error answer can fail like any other; the caller maps those failures.
        return Response(answer.code, _decode(answer.read(), url, strict=False))


def _opener(url: str) -> urllib.request.OpenerDirector:
    """An opener that honours the proxy settings, except for this machine's own addresses.

    A server on the loopback interface is unreachable through a proxy (the proxy's loopback
    is another machine's), yet ``http_proxy`` applies to it unless ``no_proxy`` says otherwise.
    """
    if _is_loopback(urllib.parse.urlsplit(url).hostname or ""):
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener()


def _is_loopback(host: str) -> bool:
    host = host.rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _describe_fault(exc: Exception) -> str:
    if isinstance(exc, http.client.IncompleteRead):
        expected = len(exc.partial) + (exc.expected or 0)
        return f"the body ended after {len(exc.partial)} of {expected} bytes"
    if isinstance(exc, http.client.BadStatusLine):
        return f"bad status line {str(exc).strip()[:80]!r}"
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"


def _decode(raw: bytes, url: str, *, strict: bool = True) -> Any:
    try:
        return json.loads(raw) if raw else None
    except (ValueError, RecursionError):
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
    # One line: a server's detail may hold newlines.
    text = " ".join(str(detail).split())[:300] if detail else ""
    return f"HTTP {response.status}: {text}" if text else f"HTTP {response.status}"


def failure(message: str) -> RemoteError:
    """A remote failure with the generic failure exit code."""
    error = RemoteError(message)
    error.exit_code = EXIT_FAILURE
    return error
