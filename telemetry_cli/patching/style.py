"""The line length a user's formatter lays a module out at, read from its configuration.

Inserted code is laid out the way ``ruff format`` (or black) would lay it out, so a formatted
project stays formatted. That layout depends on the line length the project configures: a call
that fits on one line at 100 columns is split by a formatter set to 88, black's and ruff's
default, which most projects keep. The configuration is found the way ruff finds it — the
nearest folder, from the module's own upwards, holding ``.ruff.toml``, ``ruff.toml`` or a
``pyproject.toml`` with ``[tool.ruff]`` — and failing that black's ``[tool.black]``; the search
stops at the project root (the tool never reads outside it).
"""

from __future__ import annotations

import tomllib
from pathlib import Path, PurePosixPath
from typing import Any

from telemetry_cli.files import FileProblem, contained_path, read_bytes

#: ruff's and black's default line length, for a project that configures none.
DEFAULT_LINE_LENGTH = 88
# The longest line-length ruff accepts; anything else is not a setting we can trust.
_MAX_LINE_LENGTH = 320
# Steps of ruff's `extend` chain followed before giving up (a chain that loops ends too).
_MAX_EXTENDS = 8


class LineLengths:
    """The configured line length of each folder of one project, read once per folder."""

    def __init__(self, root: Path) -> None:
        """Read configuration files under ``root`` only."""
        self.root = root
        self._folders: dict[PurePosixPath, int] = {}

    def of(self, relative: str) -> int:
        """The line length for the module at ``relative`` (a POSIX path under the root)."""
        return self._folder(PurePosixPath(relative).parent)

    def _folder(self, folder: PurePosixPath) -> int:
        known = self._folders.get(folder)
        if known is not None:
            return known
        found = self._configured(folder)
        if found is None:
            top = folder == PurePosixPath(".")
            found = DEFAULT_LINE_LENGTH if top else self._folder(folder.parent)
        self._folders[folder] = found
        return found

    def _configured(self, folder: PurePosixPath) -> int | None:
        """The line length set by the formatter configuration in ``folder`` itself, if any."""
        for name in (".ruff.toml", "ruff.toml"):
            document = self._toml(folder / name)
            if document is not None:
                return self._ruff_length(document, folder, 0)
        pyproject = self._toml(folder / "pyproject.toml")
        if pyproject is None:
            return None
        tool = pyproject.get("tool")
        if not isinstance(tool, dict):
            return None
        ruff = tool.get("ruff")
        if isinstance(ruff, dict):
            return self._ruff_length(ruff, folder, 0)
        black = tool.get("black")
        if isinstance(black, dict):
            return _length(black.get("line-length", black.get("line_length")))
        return None

    def _ruff_length(self, settings: dict[str, Any], folder: PurePosixPath, depth: int) -> int:
        """A ruff configuration's line length, following ``extend`` when it sets none itself.

        A ruff configuration found is the one ruff uses, so without a setting it means ruff's
        default, not whatever a folder further up says.
        """
        length = _length(settings.get("line-length", settings.get("line_length")))
        if length is not None:
            return length
        extend = settings.get("extend")
        if isinstance(extend, str) and depth < _MAX_EXTENDS:
            target = PurePosixPath(folder, extend)
            document = self._toml(target)
            if document is not None:
                if target.name == "pyproject.toml":
                    tool = document.get("tool")
                    document = tool.get("ruff") if isinstance(tool, dict) else None
                if isinstance(document, dict):
                    return self._ruff_length(document, target.parent, depth + 1)
        return DEFAULT_LINE_LENGTH

    def _toml(self, relative: PurePosixPath) -> dict[str, Any] | None:
        """A TOML file under the root, parsed; None when absent, unreadable or not TOML.

        A formatter setting only decides where lines break, so a configuration file that cannot
        be read is no reason to stop: the default is used.
        """
        try:
            data = read_bytes(contained_path(self.root, relative.as_posix()), relative.as_posix())
        except FileProblem:
            return None
        if data is None:
            return None
        try:
            return tomllib.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
            return None


def _length(value: object) -> int | None:
    """A line-length setting, when it is one."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= _MAX_LINE_LENGTH:
        return value
    return None
