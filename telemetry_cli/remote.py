"""Talk to a running server's telemetry endpoints (``emit --url``, ``health --url``).

The standard library's HTTP client is enough for two JSON calls and keeps the CLI light. Two
limits hold whatever the server does:

* one deadline for the whole exchange — connecting, sending, and every read of the status line,
  the headers and the body (a server trickling one byte a second is cut off at the deadline, not
  after each quiet second): a watchdog shuts the connection down when it passes;
* an answer of at most :data:`MAX_RESPONSE_BYTES`.

Every failure becomes a :class:`~telemetry_cli.errors.RemoteError` with a message for the user:
a URL that cannot work is a usage error (exit 2), a server that cannot be reached or answers
nonsense is a failure (exit 1). Text the server sent is quoted only after
:func:`~telemetry_cli.console.printable` has escaped its control characters.
"""

import contextlib
import functools
import http.client
import ipaddress
import json
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from types import TracebackType
from typing import Any, NamedTuple

from telemetry_cli.console import printable
from telemetry_cli.errors import InvalidUrl, RemoteError

DEFAULT_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 1 << 20  # 1 MiB: a telemetry answer is a few hundred bytes
_CHUNK = 64 * 1024

# What http.client refuses in a URL (it raises InvalidURL deep inside the request instead).
_DISALLOWED = re.compile(r"[\x00-\x20\x7f]")
# The password of a URL's user information: "scheme://user:" (kept), then the password, "@".
_PASSWORD_IN_URL = re.compile(r"(//[^/?#@:]*:)[^/?#]*@")


class Response(NamedTuple):
    """A JSON answer from the server."""

    status: int
    body: Any


def endpoint(base_url: str, api_prefix: str, path: str) -> str:
    """Join a server's base URL (``http://127.0.0.1:8000``) with the telemetry prefix and path.

    Raises:
        InvalidUrl: (exit 2) the URL cannot be used: not http(s), no host, a bad port, spaces
            or control characters, non-ASCII outside the host, a host name without an IDNA
            form, credentials, a query or fragment.
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
    host = _ascii_host(base_url, parsed.hostname)
    if host != parsed.hostname:
        # A host name in other letters is sent as its ASCII form (IDNA), which the name
        # lookup and the Host header both need.
        port_text = parsed.netloc.partition(":")[2]
        netloc = host + (":" + port_text if port_text else "")
        base_url = urllib.parse.urlunsplit((parsed.scheme, netloc, parsed.path, "", ""))
    return base_url.rstrip("/") + api_prefix + path


def _ascii_host(base_url: str, host: str) -> str:
    """``host`` as the name lookup takes it: an IP address as it is, a name in IDNA form.

    Raises:
        InvalidUrl: the name has an empty label (``a..b``) or one over 63 characters, or
            letters IDNA cannot write.
    """
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(host)
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise _bad_url(
            base_url,
            "not a valid host name (a label is empty, longer than 63 characters or not "
            "writable in IDNA)",
        ) from None


def _bad_url(base_url: str, why: str) -> InvalidUrl:
    # A password in the URL is not repeated on the terminal (or in a CI log).
    shown = _PASSWORD_IN_URL.sub(r"\1***@", base_url)
    return InvalidUrl(f"--url {shown!r}: {why}")


def request_json(
    method: str, url: str, body: Any = None, timeout: float = DEFAULT_TIMEOUT
) -> Response:
    """Send one request and return the decoded JSON answer, whatever its status.

    Args:
        method: ``GET`` or ``POST``.
        url: the full URL (see :func:`endpoint`).
        body: a JSON-serialisable request body, or None for none.
        timeout: seconds for the whole exchange, from connecting to the last byte of the answer.

    Raises:
        RemoteError: the server cannot be reached, does not answer completely in time, answers
            more than :data:`MAX_RESPONSE_BYTES`, or with something that is not HTTP carrying
            JSON.
    """
    data = None if body is None else json.dumps(body).encode("utf-8")
    headers = {"Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with _Deadline(timeout) as deadline:
        try:
            response = _exchange(request, url, deadline)
            if deadline.expired:
                # Cut off while reading: what was read (headers ended early, no body) is not
                # what the server meant to send.
                raise _too_slow(url, timeout)
            return response
        except RemoteError:
            if deadline.expired:
                raise _too_slow(url, timeout) from None
            raise
        except urllib.error.URLError as exc:
            if deadline.expired:
                raise _too_slow(url, timeout) from None
            raise _connect_failure(url, exc.reason, timeout) from None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if deadline.expired or isinstance(exc, TimeoutError):
                raise _too_slow(url, timeout) from None
            if isinstance(exc, OSError):
                raise RemoteError(
                    f"{url}: connection failed: {printable(str(exc.strerror or exc))}"
                ) from None
            # A garbage status line, a body cut short, a broken chunk: whatever answered, it
            # was not a well-formed HTTP response.
            raise RemoteError(
                f"{url}: the server's answer was not valid HTTP ({_describe_fault(exc)})"
            ) from None


def _too_slow(url: str, timeout: float) -> RemoteError:
    return RemoteError(f"{url}: no answer within {timeout:g} s")


def _connect_failure(url: str, reason: object, timeout: float) -> RemoteError:
    if isinstance(reason, ConnectionRefusedError):
        return RemoteError(f"{url}: connection refused; is the server running?")
    if isinstance(reason, TimeoutError):
        return _too_slow(url, timeout)
    return RemoteError(f"{url}: cannot connect: {printable(str(reason))}")


def _exchange(request: urllib.request.Request, url: str, deadline: "_Deadline") -> Response:
    opener = _opener(url, deadline)
    try:
        with opener.open(request, timeout=deadline.remaining()) as answer:
            raw = _read_capped(answer, url)
            return Response(answer.status, _decode(raw, url))
    except urllib.error.HTTPError as answer:
        # Reading an error answer can fail like any other; the caller maps those failures.
        with answer:
            if 300 <= answer.code < 400:
                raise _redirected(url, answer.code, answer.headers.get("Location")) from None
            raw = _read_capped(answer, url)
        return Response(answer.code, _decode(raw, url, strict=False))


def _redirected(url: str, status: int, location: str | None) -> RemoteError:
    target = printable(" ".join((location or "").split())[:200]) or "nowhere"
    return RemoteError(
        f"{url}: the server answered HTTP {status}, a redirect to {target}; redirects are not "
        "followed: give --url the address the telemetry API answers at"
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Leave a redirect as the answer instead of following it.

    Following one would send the event wherever the answer points (or check the health of
    another server), and report failures there under the URL the user gave.
    """

    def http_error_302(self, *_args: Any, **_kwargs: Any) -> None:
        """Follow nothing: urllib then raises the redirect as an ``HTTPError``.

        The base class parses the target before asking whether to follow it, which fails
        (``Invalid IPv6 URL``) for a malformed one: that is still a redirect to report.
        """
        return None

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _read_capped(answer: Any, url: str) -> bytes:
    """Read the body, refusing one larger than :data:`MAX_RESPONSE_BYTES` before holding it."""
    declared = (answer.headers.get("Content-Length") or "").strip()
    if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        raise _too_large(url)
    chunks: list[bytes] = []
    size = 0
    while chunk := answer.read(_CHUNK):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise _too_large(url)
        chunks.append(chunk)
    # Reads of a given size end quietly at a connection closed early; the whole-body read
    # would have said so. (An error answer wraps its response in ``fp``.)
    response = answer if isinstance(answer, http.client.HTTPResponse) else answer.fp
    missing = getattr(response, "length", None)
    if missing:
        raise http.client.IncompleteRead(b"".join(chunks), missing)
    return b"".join(chunks)


def _too_large(url: str) -> RemoteError:
    return RemoteError(
        f"{url}: the answer is larger than {MAX_RESPONSE_BYTES // 1024} KiB, far more than a "
        "telemetry answer; is this the telemetry API?"
    )


class _Deadline:
    """One deadline for a whole exchange; when it passes, every connection made is shut down.

    Socket timeouts only bound each read, so a server sending a byte before each timeout ends
    would hold the exchange for ever; shutting the socket down from a timer thread makes the
    blocked read return at once, whatever stage the exchange is in.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._end = time.monotonic() + seconds
        self._descriptors: list[int] = []
        self._lock = threading.Lock()
        self._done = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> "_Deadline":
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()

    def remaining(self) -> float:
        """Seconds left, for the timeouts of single operations (never zero: that means poll)."""
        return max(self._end - time.monotonic(), 0.01)

    def watch(self, sock: socket.socket) -> socket.socket:
        """Shut ``sock`` down when the deadline passes (at once if it has)."""
        # The descriptor, not the object: TLS takes the descriptor over into a new socket.
        fileno = sock.fileno()
        with self._lock:
            self._descriptors.append(fileno)
            expired = self.expired
        if expired:
            _shutdown(fileno)
        return sock

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            for fileno in self._descriptors:
                _shutdown(fileno)


def _shutdown(fileno: int) -> None:
    # A duplicate descriptor: shutting it down stops the connection, closing it leaves ours.
    with contextlib.suppress(OSError):
        duplicate = socket.socket(fileno=os.dup(fileno))
        with duplicate:
            duplicate.shutdown(socket.SHUT_RDWR)


def _connection(
    cls: type[http.client.HTTPConnection],
    deadline: _Deadline,
    host: str,
    **kwargs: Any,
) -> http.client.HTTPConnection:
    connection = cls(host, **kwargs)
    create: Callable[..., socket.socket] = connection._create_connection  # type: ignore[attr-defined]

    def create_watched(*args: Any, **options: Any) -> socket.socket:
        return deadline.watch(create(*args, **options))

    connection._create_connection = create_watched  # type: ignore[attr-defined]
    return connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        factory = functools.partial(_connection, http.client.HTTPConnection, self._deadline)
        return self.do_open(factory, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        factory = functools.partial(_connection, http.client.HTTPSConnection, self._deadline)
        return self.do_open(factory, req, context=self._context)  # type: ignore[attr-defined]


def _opener(url: str, deadline: _Deadline) -> urllib.request.OpenerDirector:
    """An opener under ``deadline`` that honours the proxy settings, except for loopback hosts.

    A server on the loopback interface is unreachable through a proxy (the proxy's loopback
    is another machine's), yet ``http_proxy`` applies to it unless ``no_proxy`` says otherwise.
    """
    handlers: list[urllib.request.BaseHandler] = [
        _HTTPHandler(deadline),
        _HTTPSHandler(deadline),
        _NoRedirect(),
    ]
    if _is_loopback(urllib.parse.urlsplit(url).hostname or ""):
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


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
        if exc.expected is None:
            # http.client leaves it unset for a chunked body: no length was declared.
            return f"the chunked body broke off after {len(exc.partial)} bytes"
        expected = len(exc.partial) + exc.expected
        return f"the body ended after {len(exc.partial)} of {expected} bytes"
    if isinstance(exc, http.client.BadStatusLine):
        return f"bad status line {printable(str(exc).strip()[:80])!r}"
    return f"{type(exc).__name__}: {printable(' '.join(str(exc).split())[:200])}"


def _decode(raw: bytes, url: str, *, strict: bool = True) -> Any:
    try:
        return json.loads(raw) if raw else None
    except (ValueError, RecursionError) as error:
        if strict:
            # Nesting is JSON still: "not JSON" would send the user looking for an HTML page.
            problem = (
                "the server's JSON answer nests too deeply to read"
                if isinstance(error, RecursionError)
                else "the server did not answer with JSON"
            )
            raise RemoteError(f"{url}: {problem}") from None
        return raw.decode("utf-8", errors="replace")[:200]


def describe_error(response: Response, endpoint: str | None = None) -> str:
    """A short account of an error answer: the status and the server's ``detail``, escaped.

    A ``404`` from ``endpoint`` says where the telemetry endpoint was looked for, and the two
    settings that make that address: ``--url`` and the plan's ``api-prefix``.
    """
    described = _described(response)
    if response.status == 404 and endpoint is not None:
        described += (
            f"; no telemetry endpoint at {endpoint}: give --url as the server's base URL "
            "(http://host:port) and check that the server's api-prefix is the plan's"
        )
    return described


def _described(response: Response) -> str:
    body = response.body
    detail: Any = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, list):
        # FastAPI validation errors: keep the messages, drop the internals.
        detail = "; ".join(_problem(item) for item in detail)
    elif isinstance(detail, dict):
        detail = detail.get("message", json.dumps(detail, sort_keys=True))
    # One line, and nothing a terminal would act on: the detail is the server's text.
    text = printable(" ".join(str(detail).split())[:300]) if detail else ""
    return f"HTTP {response.status}: {text}" if text else f"HTTP {response.status}"


def _problem(item: Any) -> str:
    """One validation problem: its message, after where it is when that is past the body."""
    if not isinstance(item, dict):
        return str(item)
    message = str(item.get("msg", item))
    location = item.get("loc")
    # ["body", "payload", "chapter_id"]: a declared event's property, named by the server.
    if isinstance(location, list) and len(location) > 1 and location[0] == "body":
        return ".".join(str(part) for part in location[1:]) + f": {message}"
    return message
