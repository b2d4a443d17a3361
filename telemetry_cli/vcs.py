"""What version control knows about the project, asked cheaply and only when it is there."""

import json
import os
import re
import subprocess
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

# A listing of the index takes milliseconds; a hung git (a lock, a prompt) must not hang us.
_TIMEOUT_SECONDS = 10


# The manifest versions looked back over: enough for any plan change worth finding.
_HISTORY_DEPTH = 50
# The commits walked for them: git diffs every commit it walks for a path's log, which for a
# manifest changed rarely in a long history (200,000 commits: seconds) means all of it.
_HISTORY_COMMITS = 2000

# A manifest line naming a recorded file, as a diff adds or takes it out.
_RECORDED_LINE = re.compile(r'^[+-]\s*("(?:[^"\\]|\\.)*")\s*:\s*"sha256:[0-9a-f]{64}"', re.M)
# A line of the record of patched modules naming an instrumented module and its event type
# (the one other string value a ``.py`` key has is a file's digest, which is left out).
_INSTRUMENTED_LINE = re.compile(
    r'^[+-]\s*("(?:[^"\\]|\\.)*\.py")\s*:\s*("(?!sha256:)(?:[^"\\]|\\.)*")\s*,?\s*$', re.M
)


def _git(root: Path, *args: str) -> bytes | None:
    """The output of ``git args`` run in ``root`` (None: no work tree, no git, or it failed)."""
    if not any((folder / ".git").exists() for folder in (root, *root.parents)):
        return None  # no work tree: do not start a process to be told so
    try:
        done = subprocess.run(
            # No fsmonitor: the repository's config would have a listing run its command.
            ["git", "-c", "core.fsmonitor=false", *args],
            cwd=root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
            # Never a pager, never a prompt, whatever the user's configuration.
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


# A line of the record naming its backend folder or app package.
_LAYOUT_LINE = re.compile(r'^[+-]\s*"(backend|app-package)"\s*:\s*("(?:[^"\\]|\\.)*")', re.M)
# A line of the record naming the layer package its inserted code imported.
_LAYER_LINE = re.compile(r'^[+-]\s*"layer-package"\s*:\s*"([A-Za-z_][A-Za-z0-9_]*)"', re.M)


def _manifest_log(root: Path, manifest: str) -> str:
    """The diffs of the committed versions of ``manifest``, newest first ('' without any).

    Those of the branch being merged in too, while a merge is under way: its side's record is
    one of this project's as much as the checked-out branch's.
    """
    # Listing commits costs no diff: the first one past the walk's end bounds the log.
    past = _git(root, "rev-list", "-n1", f"--skip={_HISTORY_COMMITS}", "HEAD")
    bound = ["^" + past.decode("ascii", "replace").strip()] if past else []
    merging = _git(root, "rev-parse", "-q", "--verify", "MERGE_HEAD^{commit}")
    heads = ["HEAD", *([merging.decode("ascii", "replace").strip()] if merging else [])]
    # The manifest's own text: no textconv driver, external diff or signature check that the
    # repository's config may name runs (each a command, and a failing one fails the log).
    log = _git(
        root,
        "log",
        *heads,
        *bound,
        f"-n{_HISTORY_DEPTH}",
        # Each side of a merge: by default git follows only a parent the result equals.
        "--full-history",
        "-p",
        "--format=",
        "--no-color",
        "--no-textconv",
        "--no-ext-diff",
        "--no-show-signature",
        "--",
        manifest,
    )
    return log.decode("utf-8", "surrogateescape") if log else ""


def _json_strings(*quoted: str) -> tuple[str, ...] | None:
    """The JSON string literals ``quoted`` decoded (None: one of them is not valid JSON)."""
    values: list[str] = []
    for text in quoted:
        try:
            value = json.loads(text)
        except ValueError:
            return None
        if not isinstance(value, str):
            return None
        values.append(value)
    return tuple(values)


def tracked_files(root: Path) -> list[str]:
    """The files git tracks under ``root``, as POSIX paths relative to it.

    Empty when ``root`` is in no git work tree, git is not installed or does not answer: the
    tool works without version control, it only learns less.
    """
    listing = _git(root, "ls-files", "-z", "--cached", "--", ".")
    if listing is None:
        return []
    names = listing.decode("utf-8", "surrogateescape").split("\0")
    return sorted({name for name in names if name})


def conflict_stages(root: Path, path: str) -> dict[int, bytes]:
    """The versions of ``path`` a merge under way left in the index, by stage.

    1 the merge base, 2 the checked-out branch's, 3 the merged one's; those present (a side
    that added the file alone has no base). Empty when the file is not conflicted in git.
    """
    listing = _git(root, "ls-files", "-u", "-z", "--", path)
    stages: dict[int, bytes] = {}
    for entry in (listing or b"").split(b"\0"):
        info, _, name = entry.partition(b"\t")
        fields = info.split()
        if name.decode("utf-8", "surrogateescape") != path or len(fields) != 3:
            continue
        blob = _git(root, "cat-file", "blob", fields[1].decode("ascii", "replace"))
        if blob is not None and fields[2].isdigit():
            stages[int(fields[2])] = blob
    return stages


class PatchHistory(NamedTuple):
    """What earlier committed versions of the manifest recorded of the patched modules.

    Those of any branch of this history (and of the one merged in, during a merge): a call
    exactly as generate writes it of such a type, or through such a layer, is the tool's, not
    the user's choice of another event or logger.
    """

    #: The event types recorded for each instrumented module.
    instrumented: dict[str, frozenset[str]]
    #: The layer packages named (``layer-package``; the default name is never written down).
    layers: frozenset[str]
    #: The backend folders and the app packages the records name (where their patches went).
    backends: frozenset[str] = frozenset()
    app_packages: frozenset[str] = frozenset()


class ManifestHistory:
    """The committed versions of the manifest, as one run sees them: git is asked once, lazily.

    A run reads them twice (outputs left by another plan, the patches earlier plans made): one
    object per run, not a process-wide cache, since a run in the same process after a commit
    must see it.
    """

    def __init__(self, root: Path, manifest: str) -> None:
        self.root = root
        self.manifest = manifest

    @cached_property
    def _log(self) -> str:
        return _manifest_log(self.root, self.manifest)

    @cached_property
    def recorded(self) -> tuple[str, ...]:
        """Every file an earlier committed version of the manifest recorded, newest first.

        Where this project's plan wrote before, by its own record: a newer plan's outputs left
        by a checkout of an older plan and manifest are named there (not a fixture or a copy
        that only looks generated). Empty without git or history.
        """
        paths: list[str] = []
        for match in _RECORDED_LINE.finditer(self._log):
            decoded = _json_strings(match.group(1))
            if decoded is not None:
                paths.append(decoded[0])
        return tuple(dict.fromkeys(paths))

    @cached_property
    def patched(self) -> PatchHistory:
        """The :class:`PatchHistory` of the committed versions (empty without git)."""
        types: dict[str, set[str]] = {}
        for match in _INSTRUMENTED_LINE.finditer(self._log):
            decoded = _json_strings(match.group(1), match.group(2))
            if decoded is not None:
                types.setdefault(decoded[0], set()).add(decoded[1])
        layout: dict[str, set[str]] = {"backend": set(), "app-package": set()}
        for match in _LAYOUT_LINE.finditer(self._log):
            decoded = _json_strings(match.group(2))
            if decoded is not None:
                layout[match.group(1)].add(decoded[0])
        return PatchHistory(
            {path: frozenset(found) for path, found in types.items()},
            frozenset(_LAYER_LINE.findall(self._log)),
            frozenset(layout["backend"]),
            frozenset(layout["app-package"]),
        )
