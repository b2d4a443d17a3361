"""Errors that carry a message written for the user, and the exit code they map to.

Every error class of the package is here. The library raises these and never prints or exits;
the CLI is the one place that turns them into a red line on stderr and an exit code.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1  # out of date, refused to overwrite a hand edit, event rejected
EXIT_USAGE = 2  # usage or configuration error
EXIT_INTERRUPTED = 130  # like a shell: 128 + SIGINT

#: What ``ast.parse`` of a project's text may raise: besides bad syntax, a NUL byte
#: (ValueError) and nesting deeper than the parser or the interpreter's stack takes.
PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)


class UserError(Exception):
    """An error whose message is shown to the user as is, without a traceback."""

    exit_code: int = EXIT_FAILURE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(UserError):
    """The plan in ``pyproject.toml`` (or the file given with ``--config``) is invalid."""

    exit_code = EXIT_USAGE


class SeveralApps(ConfigError):
    """Several FastAPI apps were found where one was looked for, and the plan picks none."""


class NoAppFound(ConfigError):
    """No FastAPI app was found where one was looked for, and the plan names none."""


class UsageError(UserError):
    """A command-line argument is invalid."""

    exit_code = EXIT_USAGE


class ProjectBusy(UserError):
    """Another run held the project's lock for longer than a run waits for it."""

    exit_code = EXIT_FAILURE


class PatchError(UserError):
    """A user file cannot be patched safely; nothing was written to it."""

    exit_code = EXIT_FAILURE


class FileProblem(UserError):
    """A target file cannot be read or written safely."""

    exit_code = EXIT_FAILURE


class EventRejected(UserError):
    """An event failed validation (unknown type, bad payload), in-process or by the server."""

    exit_code = EXIT_FAILURE


class LayerUnavailable(UserError):
    """The generated layer is missing or cannot be imported (``emit``, ``health``)."""

    exit_code = EXIT_USAGE


class RemoteError(UserError):
    """The server could not be reached, or answered with an error or with nonsense."""

    exit_code = EXIT_FAILURE


class InvalidUrl(RemoteError):
    """A ``--url`` that cannot work (not http(s), no host, credentials, ...)."""

    exit_code = EXIT_USAGE
