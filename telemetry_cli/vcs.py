"""What version control knows about the project, asked cheaply and only when it is there."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# A listing of the index takes milliseconds; a hung git (a lock, a prompt) must not hang us.
_TIMEOUT_SECONDS = 10


def tracked_files(root: Path) -> list[str]:
    """The files git tracks under ``root``, as POSIX paths relative to it.

    Empty when ``root`` is in no git work tree, git is not installed or does not answer: the
    tool works without version control, it only learns less.
    """
    if not any((folder / ".git").exists() for folder in (root, *root.parents)):
        return []  # no work tree: do not start a process to be told so
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--", "."],
            cwd=root,
            capture_output=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
            # Never a pager, never a prompt, whatever the user's configuration.
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"},
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if done.returncode != 0:
        return []
    names = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    return sorted({name for name in names if name})
