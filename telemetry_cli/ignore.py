"""The paths a project's ``.gitignore`` files leave out of version control.

``init`` looks for the app in the user's own code only: a folder git ignores (a playground, a
local virtual environment under any name, downloaded or generated sources) is not where the
app they deploy is built. The patterns are matched by ``pathspec`` as git matches them; each
``.gitignore`` applies under its own folder, and a deeper one decides over those above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pathspec import GitIgnoreSpec

from telemetry_cli.errors import FileProblem
from telemetry_cli.files import read_bytes

FILENAME = ".gitignore"


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
            data = read_bytes(folder / FILENAME, FILENAME)
        except FileProblem:
            return
        if data is None:
            return
        text = data.decode("utf-8", errors="replace")
        spec = GitIgnoreSpec.from_lines(text.splitlines())
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
