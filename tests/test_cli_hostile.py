"""Hostile input and hostile surroundings for `emit` and `health`.

Closed or odd stdin, payloads the JSON parser cannot take, URLs http.client cannot use, servers
that answer nonsense, proxies, a user package that prints or fails to import, and output that
cannot be written. Each case ends with a documented exit code and one `error:` line (or a
reported problem), never a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli_support import REPO, make_project, purge_app_modules, run


@pytest.fixture
def project(generated_project: Path) -> Path:
    return generated_project


def assert_one_error_line(stderr: str, fragment: str) -> None:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if not line.startswith("INFO ")]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert fragment in lines[0]


def cli(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    **options: Any,
) -> subprocess.CompletedProcess[str]:
    """The real entry point in a child process (stdin/stdout behaviour is the point)."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    environment.pop("NO_COLOR", None)
    options.setdefault("capture_output", True)
    options.setdefault("timeout", 120)
    return subprocess.run(
        [sys.executable, "-m", "telemetry_cli", *args],
        cwd=cwd,
        env=environment,
        text=True,
        check=False,
        **options,
    )


# --- payloads (D1a, D1b) ----------------------------------------------------------------------


def test_closed_stdin_is_a_usage_error(project: Path) -> None:
    # `<&-`: Python starts with sys.stdin set to None.
    result = subprocess.run(
        [
            "sh",
            "-c",
            'exec "$0" -m telemetry_cli emit chapter_visit --payload - <&-',
            sys.executable,
        ],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert_one_error_line(result.stderr, "stdin is closed; give the payload with --payload")


def test_stdin_that_is_not_utf8_is_a_usage_error(project: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "telemetry_cli", "emit", "chapter_visit", "--payload-file", "-"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    stdout, stderr = process.communicate(b'{"chapter_id": "\xff"}', timeout=120)
    assert process.returncode == 2
    assert stdout == b""
    assert_one_error_line(stderr.decode(), "stdin: the payload is not valid UTF-8")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[" * 100_000 + "]" * 100_000, "the payload nests too deeply to parse"),
        # Said as the endpoint and log() say it: Python's words were "Exceeds the limit (4300
        # digits) for integer string conversion: value has 5000 digits".
        (
            '{"n": ' + "7" * 5000 + "}",
            "the payload holds an integer with too many digits (more than 4300",
        ),
    ],
    ids=["deep", "huge-integer"],
)
def test_payload_the_parser_cannot_take_is_a_usage_error_naming_the_source(
    project: Path, tmp_path: Path, text: str, fragment: str
) -> None:
    payload_file = tmp_path / "payload.json"
    payload_file.write_text(text)
    result = run(
        "emit", "--root", str(project), "chapter_visit", "--payload-file", str(payload_file)
    )
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, f"{payload_file}: ")
    assert fragment in result.stderr
    assert "set_int_max_str_digits" not in result.stderr

    inline = run("emit", "--root", str(project), "chapter_visit", "--payload", text)
    assert inline.exit_code == 2
    assert_one_error_line(inline.stderr, "--payload: ")
    assert fragment in inline.stderr


@pytest.mark.parametrize("source", ["inline", "file"])
def test_a_key_given_twice_is_a_usage_error(project: Path, tmp_path: Path, source: str) -> None:
    # The telemetry endpoint refuses such a body (422); the command line used to keep the last.
    text = '{"context": [{"step": 1, "step": 2}]}'
    payload_file = tmp_path / "payload.json"
    payload_file.write_text(text)
    option = ["--payload", text] if source == "inline" else ["--payload-file", str(payload_file)]
    result = run("emit", "--root", str(project), "error_event", *option)
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, "the key 'step' appears twice in one object")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('{"score": NaN}', "NaN and infinities are not JSON numbers"),
        ('{"score": -Infinity}', "NaN and infinities are not JSON numbers"),
        ('{"score": 1e400}', "a number is too large for a float"),
        ('{"note": "\\ud800"}', "a lone UTF-16 surrogate"),
        ('{"\\udfff": 1}', "a lone UTF-16 surrogate"),
        # A byte that is not UTF-8 in an argument reaches Python as a lone surrogate.
        ('{"note": "\udcff"}', "not valid UTF-8"),
    ],
    ids=["nan", "infinity", "overflow", "surrogate-escape", "surrogate-key", "undecodable"],
)
def test_a_payload_that_is_not_strict_json_is_a_usage_error(
    project: Path, text: str, fragment: str
) -> None:
    # The endpoint refuses these bodies as not strict JSON (422 json_invalid); the command line
    # parsed them, then reported a rejected event (exit 1) or logged it.
    result = run("emit", "--root", str(project), "error_event", "--payload", text)
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, "--payload: ")
    assert fragment in result.stderr


@pytest.mark.parametrize("source", ["inline", "file"])
def test_a_payload_starting_with_a_byte_order_mark_is_named_so(
    project: Path, tmp_path: Path, source: str
) -> None:
    # As some Windows editors save JSON; json's own message advised "decode using utf-8-sig".
    text = '\ufeff{"note": "x"}'
    payload_file = tmp_path / "payload.json"
    payload_file.write_text(text, encoding="utf-8")
    option = ["--payload", text] if source == "inline" else ["--payload-file", str(payload_file)]
    result = run("emit", "--root", str(project), "error_event", *option)
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, "starts with a byte order mark (U+FEFF)")
    assert "utf-8-sig" not in result.stderr


def test_a_null_payload_is_rejected_as_not_an_object(project: Path) -> None:
    # The endpoint refuses "payload": null (422); emit logged the event with an empty payload.
    result = run("emit", "--root", str(project), "error_event", "--payload", "null")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert_one_error_line(result.stderr, "event rejected: payload must be a JSON object")


def test_an_unknown_event_type_is_quoted_cut_short(project: Path) -> None:
    # The whole argument was quoted back: a line of 100,000 characters.
    result = run("emit", "--root", str(project), "x" * 100_000)
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, "unknown event type 'xxxx")
    assert len(result.stderr) < 500


def test_an_empty_payload_file_option_is_a_usage_error(project: Path) -> None:
    # `--payload-file "$FILE"` with FILE unset named the current folder.
    result = run("emit", "--root", str(project), "error_event", "--payload-file", "")
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, "--payload-file is empty")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_nobody_writes_to_is_given_up_on(project: Path, tmp_path: Path) -> None:
    # Opening it used to block until a writer came: for ever.
    pipe = tmp_path / "payload.pipe"
    os.mkfifo(pipe)
    started = time.monotonic()
    result = run(
        "emit", "--root", str(project), "error_event", "--payload-file", str(pipe),
        "--timeout", "0.5",
    )  # fmt: skip
    assert time.monotonic() - started < 30
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, "the pipe did not deliver a payload within 0.5 s;")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_with_a_late_writer_is_read(project: Path, tmp_path: Path) -> None:
    pipe = tmp_path / "payload.pipe"
    os.mkfifo(pipe)

    def write_late() -> None:
        time.sleep(0.3)
        with pipe.open("w") as stream:
            stream.write('{"exception": "ValueError"}')

    writer = threading.Thread(target=write_late)
    writer.start()
    try:
        result = run(
            "emit", "--root", str(project), "error_event", "--payload-file", str(pipe), "--json"
        )
    finally:
        writer.join()
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["payload"] == {"exception": "ValueError"}


@pytest.mark.skipif(not Path("/dev/ptmx").exists(), reason="needs /dev/ptmx")
def test_a_device_that_never_delivers_is_given_up_on(project: Path) -> None:
    # A pseudo-terminal master has nothing to read until a program writes to its other end:
    # reading it used to block for ever (a child process, so that a hang fails by its timeout).
    result = cli(
        "emit", "--root", str(project), "error_event", "--payload-file", "/dev/ptmx",
        "--timeout", "0.5", cwd=project,
    )  # fmt: skip
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "the device did not deliver a payload within 0.5 s;")


def test_an_idle_stdin_pipe_is_given_up_on(project: Path) -> None:
    # `sleep 600 | telemetry-scaffold emit ... --payload -`: the pipe stays open and empty.
    with subprocess.Popen(["sleep", "600"], stdout=subprocess.PIPE) as idle:
        try:
            result = cli(
                "emit", "--root", str(project), "error_event", "--payload", "-",
                "--timeout", "0.5", cwd=project, stdin=idle.stdout,
            )  # fmt: skip
        finally:
            idle.kill()
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "stdin: the pipe did not deliver a payload within 0.5")


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs Unix sockets")
def test_a_payload_file_that_is_a_socket_or_a_folder_is_refused(
    project: Path, tmp_path: Path
) -> None:
    path = tmp_path / "payload.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        result = run("emit", "--root", str(project), "error_event", "--payload-file", str(path))
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, "payload.sock: is a socket, not a file")
    result = run("emit", "--root", str(project), "error_event", "--payload-file", str(tmp_path))
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, ": is a folder")


def test_an_endless_payload_source_is_cut_off_with_one_line(project: Path) -> None:
    # /dev/zero never ends and `yes` never stops: both used to be read whole (MemoryError).
    from_file = cli(
        "emit", "--root", str(project), "error_event", "--payload-file", "/dev/zero", cwd=project
    )
    assert from_file.returncode == 2
    assert_one_error_line(from_file.stderr, "--payload-file /dev/zero: the payload is longer")

    with subprocess.Popen(["yes"], stdout=subprocess.PIPE) as endless:
        from_stdin = cli(
            "emit", "--root", str(project), "error_event", "--payload", "-",
            cwd=project, stdin=endless.stdout,
        )  # fmt: skip
        endless.kill()
    assert from_stdin.returncode == 2
    assert_one_error_line(from_stdin.stderr, "stdin: the payload is longer")


def test_a_payload_file_of_one_mebibyte_is_read(project: Path, tmp_path: Path) -> None:
    from telemetry_cli.payload import MAX_PAYLOAD_CHARACTERS

    document = '{"page": "home"}'
    payload_file = tmp_path / "indented.json"
    payload_file.write_text(document + " " * (MAX_PAYLOAD_CHARACTERS - len(document)))
    result = run("emit", "--root", str(project), "error_event", "--payload-file", str(payload_file))
    assert result.exit_code == 0, result.stderr
    payload_file.write_text(payload_file.read_text() + " ")
    result = run("emit", "--root", str(project), "error_event", "--payload-file", str(payload_file))
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, "the payload is longer than 1048576 characters")


# --- URLs (D1c) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://a b", "spaces and control characters are not allowed"),
        ("http://127.0.0.1:8000\n/x", "spaces and control characters are not allowed"),
        ("http://127.0.0.1\t:8000", "spaces and control characters are not allowed"),
        ("http://127.0.0.1:99999", "Port out of range"),
        ("http://127.0.0.1:http", "Port could not be cast"),
        ("http://127.0.0.1:0", "port 0 cannot be connected to"),
        ("ftp://127.0.0.1", "expected http://host[:port]"),
        ("http://", "expected http://host[:port]"),
        ("http://user:secret@127.0.0.1:8000", "credentials in the URL are not supported"),
        ("http://user:secret@127.0.0.1:99999", "Port out of range"),
        ("https://:secret@[::1", "Invalid IPv6 URL"),
        ("http://127.0.0.1:8000/?debug=1", "without ?query or #fragment"),
        ("http://127.0.0.1:8000/caf\u00e9", "percent-encode non-ASCII"),
        # Host names the name lookup cannot take (it failed as "not valid HTTP", exit 1).
        ("http://a..example:8000", "not a valid host name"),
        ("http://.:8000", "not a valid host name"),
        ("http://" + "a" * 64 + ".example:8000", "not a valid host name"),
    ],
)
@pytest.mark.parametrize("command", ["emit", "health"])
def test_unusable_url_is_a_usage_error(
    project: Path, command: str, url: str, fragment: str
) -> None:
    args = ["emit", "chapter_visit"] if command == "emit" else ["health"]
    result = run(*args, "--root", str(project), "--url", url)
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    assert_one_error_line(result.stderr, fragment)
    # The value, escaped, so the line stays one line; a password in it is not repeated.
    assert repr(url.replace(":secret@", ":***@")) in result.stderr
    assert "secret" not in result.stderr


@pytest.mark.parametrize(
    ("command", "value"),
    [("health", value) for value in ("nan", "inf", "-inf", "0", "600.5", "1e309")]
    + [("emit", "nan")],
)
def test_a_timeout_out_of_range_names_the_range(project: Path, command: str, value: str) -> None:
    # nan compares false with both bounds: the message must name the range, not one bound.
    args = ["emit", "chapter_visit"] if command == "emit" else ["health"]
    result = cli(*args, "--url", "http://127.0.0.1:1", f"--timeout={value}", cwd=project)
    assert result.returncode == 2, result.stderr
    assert_one_error_line(result.stderr, "must be a number of seconds from 0.1 to 600")


# --- a scripted server speaking raw bytes -----------------------------------------------------


class RawServer:
    """Accepts connections on 127.0.0.1 and answers each with the next queued raw bytes."""

    def __init__(self) -> None:
        self.answers: list[bytes] = []
        self.requests: list[bytes] = []
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(5)
                self.requests.append(_read_request(connection))
                connection.sendall(self.answers.pop(0) if self.answers else b"")
                connection.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._socket.close()


def _read_request(connection: socket.socket) -> bytes:
    # Read the whole request first: closing with unread input would send a reset instead.
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        body += connection.recv(65536)
    return data


def http_answer(status: int, body: Any, *, declared: int | None = None) -> bytes:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    length = len(raw) if declared is None else declared
    return (
        f"HTTP/1.1 {status} Whatever\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
    ).encode() + raw


CHUNKED = (
    b"HTTP/1.1 202 Whatever\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
)


@pytest.fixture
def raw_server() -> Iterator[RawServer]:
    server = RawServer()
    yield server
    server.close()


ACCEPTED = {
    "status": "accepted",
    "event_id": "0b7c56a4-4f5e-4b6a-9d1e-2f3a4b5c6d7e",
    "event_type": "chapter_visit",
    "timestamp": "2026-01-01T00:00:00.000Z",
}
HEALTHY = {
    "status": "ok",
    "enabled": True,
    "sink": "LoggingSink",
    "allowed_event_types": ["chapter_visit"],
}


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (b"garbage\r\n\r\n", "bad status line"),
        (http_answer(202, b'{"status": "acc', declared=100), "the body ended after 15 of 100"),
        (http_answer(500, b'{"detail": "bo', declared=100), "the body ended after 14 of 100"),
        # A chunked body has no declared length: it was said to end "after 0 of 0 bytes".
        (CHUNKED + b"zz\r\n", "the chunked body broke off after 0 bytes"),
        (CHUNKED + b'5\r\n{"sta\r\n9\r\ntus', "the chunked body broke off after 5 bytes"),
    ],
    ids=[
        "garbage-status-line",
        "truncated-body",
        "truncated-error-body",
        "bad-chunk-size",
        "truncated-chunk",
    ],
)
@pytest.mark.parametrize("command", ["emit", "health"])
def test_an_answer_that_is_not_http_is_a_failure(
    project: Path, raw_server: RawServer, command: str, answer: bytes, fragment: str
) -> None:
    raw_server.answers.append(answer)
    args = ["emit", "chapter_visit"] if command == "emit" else ["health"]
    result = run(*args, "--root", str(project), "--url", raw_server.url)
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, "the server's answer was not valid HTTP")
    assert fragment in result.stderr


# --- acknowledgements and health bodies (D9, D1d) ---------------------------------------------


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (202, {}),
        (200, []),
        (202, None),
        (201, "accepted"),
        (202, {**ACCEPTED, "event_id": 17}),
        (204, b""),
        (202, {key: value for key, value in ACCEPTED.items() if key != "timestamp"}),
    ],
)
def test_emit_url_requires_an_acknowledgement(
    project: Path, raw_server: RawServer, status: int, body: Any
) -> None:
    raw_server.answers.append(http_answer(status, body))
    result = run("emit", "--root", str(project), "chapter_visit", "--url", raw_server.url)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert_one_error_line(result.stderr, "the server's answer is not a telemetry acknowledgement")


@pytest.mark.parametrize("command", [["emit", "chapter_visit"], ["health"]])
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_reported_not_followed(
    project: Path, raw_server: RawServer, command: list[str], status: int
) -> None:
    # health followed it, and said "connection refused" about the URL it was given.
    elsewhere = RawServer()
    target = f"{elsewhere.url}/x"
    try:
        elsewhere.answers.append(http_answer(200, HEALTHY))
        raw_server.answers.append(
            f"HTTP/1.1 {status} Moved\r\nLocation: {target}\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
        result = run(*command, "--root", str(project), "--url", raw_server.url)
    finally:
        elsewhere.close()
    assert result.exit_code == 1
    assert_one_error_line(
        result.stderr, f"the server answered HTTP {status}, a redirect to {target}"
    )
    assert elsewhere.requests == []


@pytest.mark.parametrize("command", [["emit", "chapter_visit"], ["health"]])
@pytest.mark.parametrize(
    ("location", "shown"),
    [
        ("http://[oops/x", "http://[oops/x"),  # urllib: "Invalid IPv6 URL"
        ("http://host:99999999/x", "http://host:99999999/x"),  # "Port out of range"
        ("http://evil\x1b[31m/", "http://evil\\x1b[31m/"),
    ],
    ids=["bad-ipv6", "bad-port", "escape-sequence"],
)
def test_a_redirect_to_a_malformed_target_is_reported_as_a_redirect(
    project: Path, raw_server: RawServer, command: list[str], location: str, shown: str
) -> None:
    # urllib parsed the target before asking whether to follow it, so the redirect was
    # reported as "the server's answer was not valid HTTP (ValueError: Invalid IPv6 URL)".
    raw_server.answers.append(
        f"HTTP/1.1 302 Found\r\nLocation: {location}\r\n"
        "Content-Length: 0\r\nConnection: close\r\n\r\n".encode()
    )
    result = run(*command, "--root", str(project), "--url", raw_server.url)
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, f"the server answered HTTP 302, a redirect to {shown}")


def test_emit_url_prints_a_real_acknowledgement(project: Path, raw_server: RawServer) -> None:
    # The control for the cases above.
    raw_server.answers.append(http_answer(202, ACCEPTED))
    result = run("emit", "--root", str(project), "chapter_visit", "--url", raw_server.url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"logged chapter_visit event {ACCEPTED['event_id']} at 2026-")


@pytest.mark.parametrize(
    ("body", "flaw"),
    [
        ({"status": "ok", "allowed_event_types": [1, 2]}, "'enabled' is missing"),
        ({**HEALTHY, "allowed_event_types": [1, 2]}, "'allowed_event_types' is not a list of str"),
        (
            {**HEALTHY, "allowed_event_types": "x"},
            "'allowed_event_types' is a string, expected an array",
        ),
        ({**HEALTHY, "enabled": "yes"}, "'enabled' is a string, expected a boolean"),
        ({**HEALTHY, "sink": None}, "'sink' is null, expected a string"),
        ({**HEALTHY, "status": 1}, "'status' is a number"),
        (None, "expected a JSON object, got null"),
        ([HEALTHY], "expected a JSON object, got an array"),
    ],
)
@pytest.mark.parametrize("json_output", [False, True])
def test_health_url_with_an_unexpected_body_is_unhealthy(
    project: Path, raw_server: RawServer, body: Any, flaw: str, json_output: bool
) -> None:
    raw_server.answers.append(http_answer(200, body))
    flags = ["--json"] if json_output else []
    result = run("health", "--root", str(project), "--url", raw_server.url, *flags)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    problem = f"the health endpoint answered an unexpected body: {flaw}"
    if json_output:
        document = json.loads(result.stdout)
        assert document["status"] == "unhealthy"
        assert document["layer"] is None
        assert document["problems"][0].startswith(problem)
    else:
        assert result.stdout.startswith(f"unhealthy ({raw_server.url})")
        assert f"problem: {problem}" in result.stdout


def test_health_url_with_the_generated_body_is_ok(project: Path, raw_server: RawServer) -> None:
    # The control for the cases above.
    raw_server.answers.append(http_answer(200, HEALTHY))
    result = run("health", "--root", str(project), "--url", raw_server.url)
    assert result.exit_code == 0, result.stdout
    assert "event types: chapter_visit" in result.stdout


def test_a_host_name_in_other_letters_is_sent_in_ascii(
    project: Path, raw_server: RawServer
) -> None:
    # Full-width "localhost": looked up and sent as its IDNA form; the Host header could not be
    # written before (a UnicodeEncodeError reported as "not valid HTTP").
    raw_server.answers.append(http_answer(200, HEALTHY))
    port = raw_server.url.rpartition(":")[2]
    wide = "".join(chr(ord(char) + 0xFEE0) for char in "localhost")
    result = run("health", "--root", str(project), "--url", f"http://{wide}:{port}")
    assert result.exit_code == 0, result.stderr
    assert raw_server.requests[0].split(b"\r\n")[0] == b"GET /api/telemetry/health HTTP/1.1"
    assert f"Host: localhost:{port}".encode() in raw_server.requests[0]


# --- proxies (D8) -----------------------------------------------------------------------------


@pytest.fixture
def proxied(monkeypatch: pytest.MonkeyPatch) -> Iterator[RawServer]:
    """Every proxy variable points at a scripted server; nothing is exempt from it."""
    proxy = RawServer()
    # urlopen() keeps the first opener it builds, with the proxy settings of that moment.
    urllib.request.install_opener(None)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(name, proxy.url)
    yield proxy
    proxy.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_loopback_urls_bypass_the_proxy(project: Path, proxied: RawServer, host: str) -> None:
    family = socket.AF_INET6 if host.startswith("[") else socket.AF_INET
    if family == socket.AF_INET6 and not socket.has_ipv6:
        pytest.skip("no IPv6")
    server = socket.socket(family)
    try:
        server.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
    except OSError:
        server.close()
        pytest.skip("loopback address not available")
    port = server.getsockname()[1]
    server.listen()
    received: list[bytes] = []

    def answer_once() -> None:
        connection, _ = server.accept()
        with connection:
            received.append(_read_request(connection))
            connection.sendall(http_answer(202, ACCEPTED))
            connection.shutdown(socket.SHUT_WR)

    thread = threading.Thread(target=answer_once, daemon=True)
    thread.start()
    proxied.answers.append(http_answer(502, {"detail": "proxy"}))
    try:
        result = run(
            "emit", "--root", str(project), "chapter_visit", "--url", f"http://{host}:{port}"
        )
    finally:
        if thread.is_alive():
            # Unblock accept() if the request went elsewhere.
            socket.create_connection(server.getsockname()[:2], timeout=1).close()
        thread.join(timeout=5)
        server.close()
    assert result.exit_code == 0, result.stderr
    assert received and received[0].startswith(b"POST /api/telemetry/log HTTP/1.1")
    assert proxied.requests == []


def test_other_hosts_still_use_the_proxy(project: Path, proxied: RawServer) -> None:
    proxied.answers.append(http_answer(202, ACCEPTED))
    result = run(
        "emit", "--root", str(project), "chapter_visit", "--url", "http://telemetry.test:8000"
    )
    assert result.exit_code == 0, result.stderr
    [request] = proxied.requests
    assert request.startswith(b"POST http://telemetry.test:8000/api/telemetry/log HTTP/1.1")


# --- the user's package (D7) ------------------------------------------------------------------


def test_prints_in_the_users_package_stay_off_stdout(project: Path) -> None:
    init = project / "backend/app/__init__.py"
    init.write_text('print("hello from the app package")\n')
    result = run("emit", "--root", str(project), "chapter_visit", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["event_type"] == "chapter_visit"
    assert "hello from the app package" in result.stderr

    purge_app_modules()
    health = run("health", "--root", str(project), "--json")
    assert json.loads(health.stdout)["layer"]["sink"] == "LoggingSink"
    assert "hello from the app package" in health.stderr


@pytest.mark.parametrize(
    ("init", "fragment", "advice"),
    [
        (
            "import not_installed_anywhere_xyz\n",
            "ModuleNotFoundError: No module named 'not_installed_anywhere_xyz'",
            True,
        ),
        (
            "from fastapi import NoSuchThing\n",
            "ImportError: cannot import name 'NoSuchThing'",
            True,
        ),
        (
            'raise RuntimeError("database URL not set")\n',
            "RuntimeError: database URL not set",
            False,
        ),
        ("from app import settings\n", "ImportError: cannot import name 'settings'", False),
        ("import app.missing_module\n", "No module named 'app.missing_module'", False),
        ("def broken(:\n", "SyntaxError: ", False),
        ("import sys\nsys.exit(3)\n", "SystemExit: 3", False),
        ('raise ValueError("line one\\nline two")\n', "ValueError: line one line two", False),
        # Neither Exception nor SystemExit: they ended in a traceback.
        ('import asyncio\nraise asyncio.CancelledError("at import")\n', "CancelledError", False),
        ("class Stop(BaseException):\n    pass\n\nraise Stop()\n", "failed: Stop", False),
    ],
    ids=[
        "missing-dependency",
        "old-dependency",
        "runtime-error",
        "own-name",
        "own-module",
        "syntax",
        "exit",
        "multi-line",
        "cancelled",
        "base-exception",
    ],
)
def test_import_failures_say_what_failed(
    project: Path, init: str, fragment: str, advice: bool
) -> None:
    (project / "backend/app/__init__.py").write_text(init)
    result = run("emit", "--root", str(project), "chapter_visit")
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, fragment)
    assert ("install the backend's dependencies" in result.stderr) is advice
    if not advice:
        assert "importing app.analytics.event_logger from backend/ failed: " in result.stderr


def test_a_missing_dependency_names_the_projects_own_install_command(project: Path) -> None:
    # The same commands as the quickstart's, from the project's files (here, the backend's).
    (project / "backend/requirements.txt").write_text("fastapi\nuvicorn\n")
    (project / "backend/app/__init__.py").write_text("import not_installed_anywhere_xyz\n")
    result = run("emit", "--root", str(project), "chapter_visit")
    assert result.exit_code == 2
    assert_one_error_line(
        result.stderr, "install the backend's dependencies: pip install -r backend/requirements.txt"
    )
    assert "[backend]" not in result.stderr


# A package that starts a worker thread at import and never stops it: the interpreter would wait
# for it forever at exit. Its atexit hook writes a file, so that a test can see it still ran.
FOREVER_THREAD = """
import atexit
import pathlib
import threading

_stop = threading.Event()
threading.Thread(target=_stop.wait, name="poller").start()
atexit.register(lambda: pathlib.Path({marker!r}).write_text("atexit ran"))
"""


@pytest.mark.parametrize(
    "args", [["emit", "chapter_visit", "--json"], ["health", "--json"], ["emit", "nope"]]
)
def test_a_thread_the_app_leaves_running_does_not_hold_the_exit(
    project: Path, tmp_path: Path, args: list[str]
) -> None:
    marker = tmp_path / "atexit.txt"
    (project / "backend/app/__init__.py").write_text(FOREVER_THREAD.format(marker=str(marker)))
    # The timeout only keeps a regression from hanging the suite.
    result = cli(*args, "--root", str(project), cwd=project, timeout=60)
    assert "Traceback" not in result.stderr
    if args[1] == "nope":
        assert result.returncode == 1
        assert_one_error_line(result.stderr, "unknown event type 'nope'")
    else:
        assert result.returncode in (0, 1), result.stderr
        assert json.loads(result.stdout)
    assert marker.read_text() == "atexit ran"


# --- output that cannot be written (D1e) ------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [["health", "--json"], ["emit", "chapter_visit", "--json"], ["emit", "chapter_visit"]],
)
def test_a_full_disk_is_one_line_and_exit_1(project: Path, args: list[str]) -> None:
    with Path("/dev/full").open("w") as full:
        result = cli(*args, cwd=project, capture_output=False, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 1
    assert_one_error_line(result.stderr, "cannot write the output: No space left on device")


@pytest.mark.parametrize(
    "args",
    [
        ["health"],
        ["health", "--json"],
        ["emit", "chapter_visit"],
        ["generate", "--check"],
        ["--version"],
        ["--help"],
        ["generate", "--help"],
    ],
)
def test_a_closed_stdout_is_one_line_and_exit_1(project: Path, args: list[str]) -> None:
    # `>&-`: Python starts with sys.stdout set to None and print() writes nowhere; the report
    # was lost and the run said 0 (healthy, delivered, up to date) all the same. The help is
    # printed by click, which dropped it as silently.
    result = cli(
        *args, cwd=project, capture_output=False, stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    assert result.returncode == 1
    assert_one_error_line(result.stderr, "cannot write the output: standard output is closed")


@pytest.mark.parametrize(
    "args", [["health", "--json"], ["emit", "chapter_visit", "--json"], ["--version"]]
)
def test_a_reader_that_went_away_is_a_quiet_exit_1(project: Path, args: list[str]) -> None:
    reader, writer = os.pipe()
    os.close(reader)
    try:
        result = cli(
            *args, cwd=project, capture_output=False, stdout=writer, stderr=subprocess.PIPE
        )
    finally:
        os.close(writer)
    assert result.returncode == 1
    noise = [line for line in result.stderr.splitlines() if not line.startswith("INFO ")]
    assert noise == []


def test_output_the_encoding_cannot_hold_is_escaped(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")  # no specs yet: the diff holds the documents
    result = cli("generate", "--diff", cwd=root, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.isascii()
    assert "+++ b/specs/059-analytics-telemetry/spec.md" in result.stdout
    assert "\\u" in result.stdout or "\\x" in result.stdout


# --- interrupts -------------------------------------------------------------------------------


def test_interrupt_exits_130_without_a_traceback(project: Path) -> None:
    # The user's package announces itself, then blocks: a reliable moment to press Ctrl-C.
    (project / "backend/app/__init__.py").write_text(
        'import sys, time\nprint("importing", file=sys.stderr, flush=True)\ntime.sleep(60)\n'
    )
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        [sys.executable, "-m", "telemetry_cli", "emit", "chapter_visit"],
        cwd=project,
        env=environment,
        # A runner started in the background by a shell ignores SIGINT, and a child inherits
        # that (Python then installs no KeyboardInterrupt handler): give it a terminal's default.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stderr is not None
        assert process.stderr.readline() == "importing\n"
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert stdout == ""


# --- servers that misbehave on purpose: slow, huge, or speaking escape sequences (issue 9.5) --


class ScriptedServer:
    """A real server on 127.0.0.1 whose every connection runs ``script(connection)``."""

    def __init__(self, script: Any) -> None:
        self._script = script
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            thread = threading.Thread(target=self._run, args=(connection,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _run(self, connection: socket.socket) -> None:
        with connection:
            try:
                _read_request(connection)
                self._script(connection, self._stopping)
            except OSError:
                pass  # the client hung up: that is what these tests want

    def close(self) -> None:
        self._stopping.set()
        self._accepting.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)
        self._socket.close()


def trickle(data: bytes, *, pause: float = 0.2) -> Any:
    """A script that sends ``data`` one byte at a time, ``pause`` seconds apart."""

    def script(connection: socket.socket, stopping: threading.Event) -> None:
        for byte in data:
            if stopping.wait(pause):
                return
            connection.sendall(bytes([byte]))

    return script


def prefix_then_trickle(prefix: bytes, rest: bytes) -> Any:
    def script(connection: socket.socket, stopping: threading.Event) -> None:
        connection.sendall(prefix)
        trickle(rest)(connection, stopping)

    return script


SLOW_ANSWERS = {
    # Each would take minutes at one byte per 0.2 s; the deadline is 1 s for all of it.
    "status-line": trickle(http_answer(202, ACCEPTED)),
    "headers": prefix_then_trickle(b"HTTP/1.1 202 Whatever\r\n", http_answer(202, ACCEPTED)[23:]),
    "body": prefix_then_trickle(
        http_answer(202, ACCEPTED)[: -len(json.dumps(ACCEPTED))], json.dumps(ACCEPTED).encode()
    ),
    "chunked-body": prefix_then_trickle(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"".join(b"1\r\n" + bytes([byte]) + b"\r\n" for byte in json.dumps(HEALTHY).encode()),
    ),
    "error-body": prefix_then_trickle(
        http_answer(503, {"detail": "x" * 200})[:60], http_answer(503, {"detail": "x" * 200})[60:]
    ),
}


@pytest.fixture
def scripted() -> Iterator[list[ScriptedServer]]:
    servers: list[ScriptedServer] = []
    yield servers
    for server in servers:
        server.close()


@pytest.mark.parametrize("stage", sorted(SLOW_ANSWERS))
@pytest.mark.parametrize("command", ["emit", "health"])
def test_a_trickling_server_is_cut_off_at_the_deadline(
    project: Path, scripted: list[ScriptedServer], stage: str, command: str
) -> None:
    server = ScriptedServer(SLOW_ANSWERS[stage])
    scripted.append(server)
    args = ["emit", "chapter_visit"] if command == "emit" else ["health"]
    started = time.monotonic()
    result = run(*args, "--root", str(project), "--url", server.url, "--timeout", "1")
    elapsed = time.monotonic() - started
    # Generous bound for a loaded machine; without the overall deadline it takes minutes.
    assert elapsed < 8, elapsed
    assert result.exit_code == 1, result.stdout + result.stderr
    assert_one_error_line(result.stderr, "no answer within 1 s")


def endless(head: bytes, *, chunked: bool = False) -> Any:
    """A script that sends ``head``, then JSON-ish bytes as fast as it can until stopped."""

    def script(connection: socket.socket, stopping: threading.Event) -> None:
        connection.sendall(head)
        block = b"[" + b"0," * 32767
        if chunked:
            block = f"{len(block):x}\r\n".encode() + block + b"\r\n"
        sent = 0
        while not stopping.is_set() and sent < 64 << 20:
            connection.sendall(block)
            sent += len(block)

    return script


HUGE_ANSWERS = {
    "declared": endless(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n"
    ),
    "undeclared": endless(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
    ),
    "chunked": endless(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        chunked=True,
    ),
    "error": endless(
        b"HTTP/1.1 500 Oops\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
    ),
}


@pytest.mark.parametrize("kind", sorted(HUGE_ANSWERS))
@pytest.mark.parametrize("command", ["emit", "health"])
def test_an_answer_over_one_mebibyte_is_refused(
    project: Path, scripted: list[ScriptedServer], kind: str, command: str
) -> None:
    server = ScriptedServer(HUGE_ANSWERS[kind])
    scripted.append(server)
    args = ["emit", "chapter_visit"] if command == "emit" else ["health"]
    result = cli(*args, "--url", server.url, "--timeout", "30", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert_one_error_line(result.stderr, "the answer is larger than 1024 KiB")


def test_an_answer_of_exactly_one_mebibyte_is_read(project: Path, raw_server: RawServer) -> None:
    body = json.dumps({**HEALTHY, "padding": ""}).encode()
    padded = body[:-2] + b" " * ((1 << 20) - len(body)) + body[-2:]
    assert len(padded) == 1 << 20
    raw_server.answers.append(http_answer(200, padded))
    result = run("health", "--root", str(project), "--url", raw_server.url)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("command", ["emit", "health"])
def test_an_answer_nested_too_deeply_is_named_so(
    project: Path, raw_server: RawServer, command: str
) -> None:
    # It is JSON, so "the server did not answer with JSON" sent the user looking for HTML.
    raw_server.answers.append(http_answer(200, b"[" * 100_000 + b"]" * 100_000))
    args = ["emit", "chapter_visit"] if command == "emit" else ["health"]
    result = run(*args, "--root", str(project), "--url", raw_server.url)
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, "the server's JSON answer nests too deeply to read")


ESCAPES = "\x1b[31mred\x1b[0m\x1b]0;owned\x07\r\n\u202eevil\x9b2J\x00"


def assert_no_raw_controls(text: str) -> None:
    for char in "\x1b\x07\r\u202e\x9b\x00":
        assert char not in text, repr(text)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (http_answer(422, {"detail": ESCAPES}), "HTTP 422: \\x1b[31mred\\x1b[0m"),
        (http_answer(503, {"detail": [{"msg": ESCAPES}]}), "\\u202eevil\\x9b2J"),
        (http_answer(500, ESCAPES.encode()), "HTTP 500: \\x1b[31mred"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n\x1b[2J!",
            "the server did not answer with JSON",
        ),
        (b"\x1b]0;owned\x07 200 OK\r\n\r\n", "bad status line"),
    ],
    ids=["detail", "validation-list", "non-json-error", "non-json", "status-line"],
)
@pytest.mark.parametrize("json_output", [False, True])
def test_emit_escapes_what_the_server_says(
    project: Path, raw_server: RawServer, answer: bytes, fragment: str, json_output: bool
) -> None:
    raw_server.answers.append(answer)
    flags = ["--json"] if json_output else []
    result = run("emit", "chapter_visit", "--root", str(project), "--url", raw_server.url, *flags)
    assert result.exit_code == 1
    assert_no_raw_controls(result.stdout + result.stderr)
    assert_one_error_line(result.stderr, fragment)


@pytest.mark.parametrize("json_output", [False, True])
def test_an_acknowledgement_full_of_escapes_is_printed_escaped(
    project: Path, raw_server: RawServer, json_output: bool
) -> None:
    raw_server.answers.append(
        http_answer(202, {**ACCEPTED, "event_id": ESCAPES, "event_type": "\x1b[2Jx"})
    )
    flags = ["--json"] if json_output else []
    result = run("emit", "chapter_visit", "--root", str(project), "--url", raw_server.url, *flags)
    assert result.exit_code == 0, result.stderr
    assert_no_raw_controls(result.stdout + result.stderr)
    if json_output:
        assert json.loads(result.stdout)["event_id"] == ESCAPES  # escaped JSON, same value
    else:
        assert result.stdout.startswith("logged \\x1b[2Jx event \\x1b[31mred\\x1b[0m")


@pytest.mark.parametrize("json_output", [False, True])
@pytest.mark.parametrize(
    "body",
    [
        {**HEALTHY, "sink": ESCAPES, "allowed_event_types": [ESCAPES]},
        {**HEALTHY, "status": ESCAPES},
    ],
    ids=["fields", "status"],
)
def test_health_escapes_what_the_server_says(
    project: Path, raw_server: RawServer, body: Any, json_output: bool
) -> None:
    raw_server.answers.append(http_answer(200, body))
    flags = ["--json"] if json_output else []
    result = run("health", "--root", str(project), "--url", raw_server.url, *flags)
    assert_no_raw_controls(result.stdout + result.stderr)
    if json_output:
        layer = json.loads(result.stdout)["layer"]  # escaped JSON, the same values
        assert (layer["sink"] if body["status"] == "ok" else layer["status"]) == ESCAPES
    elif body["status"] == "ok":
        assert "  sink: \\x1b[31mred\\x1b[0m\\x1b]0;owned\\x07\\r\\n\\u202eevil" in result.stdout
    else:
        assert "problem: the server reports status '\\x1b[31mred" in result.stdout


def test_error_messages_of_any_origin_stay_one_line(project: Path) -> None:
    # A --payload-file name is echoed in errors; its control characters are escaped too.
    result = run("emit", "chapter_visit", "--root", str(project), "--payload-file", "no\x1b[2J\nx")
    assert result.exit_code == 2
    assert_no_raw_controls(result.stderr)
    assert_one_error_line(result.stderr, "--payload-file no\\x1b[2J\\nx: file not found")


# --- two runs at once on one project ----------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="advisory locks are POSIX's")
@pytest.mark.parametrize("command", [["generate"], ["remove"]])
def test_a_run_waits_for_another_run_on_the_same_project(project: Path, command: list[str]) -> None:
    """A run reads the project, then writes: another run in between would mix their states.

    ``remove`` and ``generate`` at once used to leave the analytics package written, the route
    modules unpatched and no manifest, both exiting 0. A run now takes the project's lock first
    and says when it waits for it.
    """
    import fcntl

    if command == ["generate"]:  # the fixture's project is generated: start from none
        assert run("remove", "--root", str(project)).exit_code == 0
        purge_app_modules()
    before = {path: path.read_bytes() for path in project.rglob("*") if path.is_file()}
    held = os.open(project, os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)  # as the other run holds it
    try:
        with subprocess.Popen(
            [sys.executable, "-m", "telemetry_cli", *command, "--root", str(project)],
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as process:
            assert process.stderr is not None
            waiting = process.stderr.readline()
            assert "waiting for another telemetry-scaffold run" in waiting
            after = {path: path.read_bytes() for path in project.rglob("*") if path.is_file()}
            assert after == before  # nothing written while the other run holds the lock
            fcntl.flock(held, fcntl.LOCK_UN)
            stdout, stderr = process.communicate(timeout=120)
    finally:
        os.close(held)
    assert process.returncode == 0, stdout + stderr
    assert "Traceback" not in stderr
    assert run("generate", "--check", "--root", str(project)).exit_code == (
        0 if command == ["generate"] else 1
    )


@pytest.mark.skipif(sys.platform == "win32", reason="advisory locks are POSIX's")
def test_a_run_that_waited_reads_the_plan_the_other_run_left(project: Path) -> None:
    """The plan is read once the lock is held: the run before may have changed it.

    ``init`` writes the plan's table, and a person may save pyproject.toml, while a run waits:
    the run read the plan before waiting and rendered that one, from a stale read, exiting 0
    with ``generate --check`` red right after it.
    """
    import fcntl

    config = project / "pyproject.toml"
    held = os.open(project, os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)  # as the other run holds it
    try:
        with subprocess.Popen(
            [sys.executable, "-m", "telemetry_cli", "generate", "--root", str(project)],
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as process:
            assert process.stderr is not None
            assert "waiting for another" in process.stderr.readline()
            # What the other run leaves: another plan.
            config.write_text(config.read_text() + 'api-prefix = "/v2/events"\n')
            fcntl.flock(held, fcntl.LOCK_UN)
            stdout, stderr = process.communicate(timeout=120)
    finally:
        os.close(held)
    assert process.returncode == 0, stdout + stderr
    assert "/v2/events" in (project / "backend/app/analytics/telemetry_router.py").read_text()
    assert run("generate", "--check", "--root", str(project)).exit_code == 0


@pytest.mark.skipif(sys.platform == "win32", reason="advisory locks are POSIX's")
@pytest.mark.parametrize("second", ["generate", "remove"])
def test_two_real_runs_at_once_end_as_one_after_the_other(
    project: Path, tmp_path: Path, second: str
) -> None:
    """Two processes started together on one project: one waits, each sees the other's result.

    The end state is that of the two runs one after the other, in one order or the other,
    both exit 0, and ``--check`` says which.

    Two ``generate`` runs end in the same tree in either order, so in that case it is the exit
    codes that need the lock: without it both read the project before either wrote, and the
    second to write finds the files the first just wrote (the new ``api-prefix`` makes both
    write) and refuses, exiting 1 ("changed since telemetry-scaffold read it"); it did in 8
    runs out of 8 with the lock taken out. ``remove`` beside ``generate`` also left a mix.
    """
    config = project / "pyproject.toml"
    config.write_text(config.read_text() + 'api-prefix = "/v2/events"\n')
    ends = []
    for k, order in enumerate((["generate", second], [second, "generate"])):
        copy = tmp_path / f"order-{k}"
        shutil.copytree(project, copy)
        for command in order:
            assert run(command, "--root", str(copy)).exit_code == 0
        ends.append((order[-1], _tree(copy)))
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "telemetry_cli", command, "--root", str(project)],
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in ("generate", second)
    ]
    results = [process.communicate(timeout=120) for process in processes]
    for process, (stdout, stderr) in zip(processes, results, strict=True):
        assert process.returncode == 0, stdout + stderr
        assert "Traceback" not in stderr
    last = [command for command, tree in ends if tree == _tree(project)]
    assert last, "a mix of the two runs"
    check = run("generate", "--check", "--root", str(project))
    assert check.exit_code == (0 if last[0] == "generate" else 1)


def _tree(root: Path) -> dict[str, bytes]:
    """The bytes of every file under ``root`` (bytecode aside), by relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.mark.skipif(sys.platform == "win32", reason="advisory locks are POSIX's")
@pytest.mark.parametrize(
    "command", [["generate"], ["remove"], ["generate", "--check"], ["init"], ["init", "--dry-run"]]
)
def test_a_run_gives_up_on_a_lock_held_too_long(
    project: Path, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock held by a stuck or stopped run is waited for a fixed time, not for ever.

    ``init`` takes the lock too: it reads and writes ``pyproject.toml``.
    """
    import fcntl

    from telemetry_cli import files

    monkeypatch.setattr(files, "LOCK_TIMEOUT_SECONDS", 0.3)
    before = {path: path.read_bytes() for path in project.rglob("*") if path.is_file()}
    held = os.open(project, os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)  # as a stopped run holds it
    try:
        started = time.monotonic()
        result = run(*command, "--root", str(project))
        waited = time.monotonic() - started
    finally:
        os.close(held)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert waited < 30
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "waiting for another telemetry-scaffold run on this project to finish "
        "(giving up after 0.3 s)"
    )
    assert_one_error_line(
        "\n".join(lines[1:]), "another telemetry-scaffold run has held this project's lock"
    )
    after = {path: path.read_bytes() for path in project.rglob("*") if path.is_file()}
    assert after == before  # nothing written


@pytest.mark.skipif(sys.platform == "win32", reason="advisory locks are POSIX's")
def test_init_waits_for_another_run_then_writes(project: Path) -> None:
    import fcntl

    (project / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    held = os.open(project, os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)
    released = threading.Timer(0.5, lambda: fcntl.flock(held, fcntl.LOCK_UN))
    released.start()
    try:
        result = run("init", "--root", str(project))
    finally:
        released.join()
        os.close(held)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "waiting for another telemetry-scaffold run" in result.stderr
    assert "[tool.telemetry-scaffold]" in (project / "pyproject.toml").read_text()


def test_a_huge_plan_value_is_one_short_error_line(tmp_path: Path) -> None:
    # A 100,000-character api-prefix was accepted, and a bad long value was quoted whole.
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.telemetry-scaffold]\napi-prefix = "/{"a" * 100_000}"\n'
    )
    result = run("generate", "--root", str(tmp_path), "--check")
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, "api-prefix: '/aaaa")
    assert "longer than 255 characters" in result.stderr
    assert len(result.stderr) < 400 + len(str(tmp_path))


def test_an_error_line_is_capped_whatever_the_message() -> None:
    from telemetry_cli.console import error_line

    line = error_line("bad: " + "x" * 50_000)
    assert len(line) < 1100 and line.endswith("...")


def _newer_than_this(bump: str) -> str:
    """A release after this one (never a skipped case, whatever this version is)."""
    from telemetry_cli import __version__

    major, minor, patch = (int(part) for part in __version__.split(".")[:3])
    return {
        "major": f"{major + 1}.0.0",
        "minor": f"{major}.{minor + 1}.0",
        "patch": f"{major}.{minor}.{patch + 1}",
        "pre-release": f"{major + 1}.0.0rc1",
    }[bump]


@pytest.mark.parametrize("bump", ["major", "minor", "patch", "pre-release"])
def test_a_manifest_of_a_newer_tool_is_refused_not_overwritten(tmp_path: Path, bump: str) -> None:
    from telemetry_cli import __version__
    from tests.cli_support import snapshot

    root = make_project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    manifest = root / ".telemetry-scaffold.json"
    document = json.loads(manifest.read_text())
    newer = _newer_than_this(bump)
    document["version"] = newer
    manifest.write_text(json.dumps(document, indent=2) + "\n")
    before = snapshot(root)
    for command in (("generate",), ("generate", "--check"), ("remove",), ("remove", "--check")):
        result = run(*command, "--root", str(root))
        assert result.exit_code == 2, (command, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert newer in lines[0] and __version__ in lines[0], lines[0]
        assert "upgrade" in lines[0]
        assert snapshot(root) == before


@pytest.mark.parametrize("older", ["0.3.0", "0.16.2", "not a version", ""])
def test_a_manifest_of_an_older_or_unknown_version_is_taken_over(
    tmp_path: Path, older: str
) -> None:
    root = make_project(tmp_path)
    assert run("generate", "--root", str(root)).exit_code == 0
    manifest = root / ".telemetry-scaffold.json"
    document = json.loads(manifest.read_text())
    document["version"] = older
    manifest.write_text(json.dumps(document, indent=2) + "\n")
    assert run("generate", "--root", str(root)).exit_code == 0
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


# Ctrl-C while the command line's modules are still being imported (Typer, rich: a noticeable
# moment), simulated at the import of Typer. The console script imported them before any of
# the CLI's code ran: the run ended with a traceback of the import.
_INTERRUPTED_IMPORT = """
import builtins, sys
real_import = builtins.__import__
def interrupted(name, *args, **kwargs):
    if name == "typer":
        raise KeyboardInterrupt
    return real_import(name, *args, **kwargs)
builtins.__import__ = interrupted
sys.argv = ["telemetry-scaffold", "--version"]
from {module} import main
main()
"""


@pytest.mark.parametrize("entry", ["console script", "python -m"])
def test_an_interrupt_while_the_cli_is_imported_exits_130_without_a_traceback(
    tmp_path: Path, entry: str
) -> None:
    import tomllib

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, function = scripts["telemetry-scaffold"].partition(":")
    assert function == "main"
    code = _INTERRUPTED_IMPORT.format(module=module)
    if entry == "python -m":
        code = code.replace(f"from {module} import main\nmain()", "import telemetry_cli.__main__")
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 130, done.stderr.decode()
    assert b"Traceback" not in done.stderr
    assert done.stdout == b""
