"""The paths a project's ``.gitignore`` files leave out of version control.

``init`` looks for the app in the user's own code only: a folder git ignores (a playground, a
local virtual environment under any name, downloaded or generated sources) is not where the
app they deploy is built. The patterns are matched by ``pathspec`` as git matches them; each
``.gitignore`` applies under its own folder, and a deeper one decides over those above it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pathspec import GitIgnoreSpec

from telemetry_cli.errors import FileProblem
from telemetry_cli.files import read_head

FILENAME = ".gitignore"
#: The most of a ``.gitignore`` read (real ones hold a few KiB): the patterns of a larger one past
#: that are not applied. Compiling each costs 30 µs, and every walk of init reads the file again:
#: 9 MB of patterns held init for 40 s to 80 s.
MAX_IGNORE_BYTES = 64 * 1024


@dataclass
class GitIgnore:
    """The ``.gitignore`` files read so far, from the root down, each with its folder."""

    root: Path
    _specs: list[tuple[PurePosixPath, GitIgnoreSpec]] = field(default_factory=list)

    def read(self, folder: Path) -> None:
        """Add the patterns of ``folder``'s ``.gitignore``, if it has a readable one.

        Only a regular file is read: a named pipe would block the walk for ever, and a link to
        a device such as ``/dev/zero`` would never end.
        """
        try:
            data = read_head(folder / FILENAME, FILENAME, MAX_IGNORE_BYTES + 1)
        except FileProblem:
            return
        if data is None:
            return
        if len(data) > MAX_IGNORE_BYTES:
            data = data[:MAX_IGNORE_BYTES].rpartition(b"\n")[0]  # whole lines only
        spec = _spec(data.decode("utf-8", errors="replace"))
        if spec.patterns:
            self._specs.append((PurePosixPath(folder.relative_to(self.root).as_posix()), spec))

    def ignored(self, path: Path, *, folder: bool) -> bool:
        """Whether git ignores ``path`` (under the root), by the files read so far."""
        relative = PurePosixPath(path.relative_to(self.root).as_posix())
        verdict = False
        for base, spec in self._specs:  # from the root down: the deepest match decides
            if relative.parts[: len(base.parts)] != base.parts:
                continue
            inside = PurePosixPath(*relative.parts[len(base.parts) :]).as_posix()
            # pathspec tells a folder by its trailing slash.
            include = spec.check_file(inside + "/" if folder else inside).include
            if include is not None:
                verdict = include
        return verdict


@functools.lru_cache(maxsize=16)
def _spec(text: str) -> GitIgnoreSpec:
    """The patterns of a ``.gitignore``, compiled once however often a walk reads the file.

    A line repeated counts where it last appears (the last pattern matching a path decides,
    as in git), so each is compiled once.
    """
    lines = list(dict.fromkeys(reversed(text.splitlines())))[::-1]
    return GitIgnoreSpec.from_lines(lines)
