"""The manifest, ``.telemetry-scaffold.json``: what the tool last wrote, so it can tell edits apart.

It records the hash of every generated file (a file that differs from its hash was edited by
hand) and which user files were patched and how (so that a plan that shrinks takes out what an
earlier plan put in). It is committed with the project.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from telemetry_cli.files import (
    FileProblem,
    conflict_marker_line,
    conflict_sides,
    contained_path,
    is_conflict_marker,
    is_within,
    read_bytes,
    resolve,
    unresolved_conflict,
)

MANIFEST_PATH = ".telemetry-scaffold.json"
_GENERATOR = "telemetry-scaffold"


#: The statements of a stub handler (its whole body, a docstring aside) that its log call takes
#: the place of: with the call in, each would be needless (ruff's ``PIE790``, ``PLR1711``).
STUB_STATEMENTS = ("pass", "...", "return", "return None")


class Stub(NamedTuple):
    """A stub statement an inserted log call stands in for, as the record keeps it."""

    #: One of :data:`STUB_STATEMENTS`.
    statement: str
    #: Whether it was written on its ``def`` line (``def f(): ...``), after the colon.
    inline: bool = False
    #: For one on its ``def`` line: the whitespace between the colon and it (``" "``, or
    #: nothing), which ``remove`` writes back.
    after_colon: str = ""

    def text(self) -> str:
        """The statement as ``remove`` writes it back after the ``def`` line's colon."""
        return self.after_colon + self.statement


# (path, event type or None for the app's wiring, backend, app-package, layer package or None
# when not recorded): see PatchRecord.left.
LeftPatch = tuple[str, str | None, str, str, str | None]


class PatchRecord(NamedTuple):
    """The user files the last run patched.

    Attributes:
        wired: the module the telemetry router was included in (None: none).
        capture: whether error capture was installed there.
        instrumented: each instrumented module and the event type its handlers log.
        backend: the backend folder the patched modules were read from (None: not recorded,
            as by 0.3.0; the plan's is assumed).
        app_package: the app package whose generated layer the inserted code imports (None:
            not recorded; the plan's is assumed).
        left: inserted code an earlier run could not take out yet (changed by hand since) and
            that the fields above no longer describe — an app module other than ``wired``, or
            calls through a layer that has moved since: ``(path, event type, backend,
            app-package, layer-package)``, the event type None for the app's wiring, the layer
            package None when not recorded (by 0.9.0 and earlier: the record's own). Each
            later run tries again.
        layer_package: the generated package's name inside the app package, when it is not
            the default ``analytics`` (None: the default).
        stubs: the stub statements inserted log calls stand in for: ``(path, handler's
            qualified name, stub)``, which ``remove`` puts back where the call was (on the
            ``def`` line, for one written there) when the call was the handler's whole body.
    """

    wired: str | None = None
    capture: bool = False
    instrumented: tuple[tuple[str, str], ...] = ()
    backend: str | None = None
    app_package: str | None = None
    left: tuple[LeftPatch, ...] = ()
    layer_package: str | None = None
    stubs: tuple[tuple[str, str, Stub], ...] = ()

    def event_type_of(self, path: str) -> str | None:
        """The event type recorded for an instrumented module, if it was instrumented."""
        return dict(self.instrumented).get(path)

    def keeping(self, previous: "PatchRecord", paths: frozenset[str], layer: str) -> "PatchRecord":
        """This record, but for ``paths``: user files the run did not write after all.

        They still hold what ``previous`` says of them: in the same layout, that stays recorded
        as it was; in another, it is code left to take out through the old layer (``left``, of
        ``previous``'s layer package, else ``layer``). Left code of theirs stays left.
        """
        backend, app_package = previous.layout(self.backend or "", self.app_package or "")
        old_layer = previous.layer_package or layer
        same = (backend, app_package, old_layer) == (
            self.backend,
            self.app_package,
            self.layer_package or layer,
        )
        instrumented = {path: event for path, event in self.instrumented if path not in paths}
        left = [*self.left, *(entry for entry in previous.left if entry[0] in paths)]
        wired, capture = (None, False) if self.wired in paths else (self.wired, self.capture)
        for path, event in previous.instrumented:
            if path in paths and same:
                instrumented[path] = event
            elif path in paths:
                left.append((path, event, backend, app_package, old_layer))
        if previous.wired in paths and same and wired is None:
            wired, capture = previous.wired, previous.capture
        elif previous.wired in paths and previous.wired != wired:
            left.append((previous.wired, None, backend, app_package, old_layer))
        stubs = [stub for stub in self.stubs if stub[0] not in paths]
        stubs.extend(stub for stub in previous.stubs if stub[0] in paths)
        return self._replace(
            wired=wired,
            capture=capture,
            instrumented=tuple(sorted(instrumented.items())),
            left=sorted_left(left),
            stubs=tuple(sorted(set(stubs))),
        )

    def layout(self, backend: str, app_package: str) -> tuple[str, str]:
        """The (backend, app-package) the patches were made in; the given ones if unrecorded."""
        return (
            backend if self.backend is None else self.backend,
            app_package if self.app_package is None else self.app_package,
        )

    def with_layout_of(self, other: "PatchRecord") -> "PatchRecord":
        """This record, taking ``other``'s layout where this one did not record its own."""
        return self._replace(
            backend=other.backend if self.backend is None else self.backend,
            app_package=other.app_package if self.app_package is None else self.app_package,
        )


@dataclass(frozen=True)
class Manifest:
    """What the last run wrote: generated files by hash, and the patches.

    ``version`` is the version of the tool that last wrote, ``plan`` a fingerprint of the plan
    it wrote from: together they say why a generated file went stale (the plan changed, or the
    templates did with a new version of the tool). ``config`` is the file holding that plan,
    relative to the root (see :func:`config_key`); None for the root's ``pyproject.toml``, and
    in manifests written before 0.16.0, which did not record it. ``foreign`` are the entries
    of ``files`` dropped on reading as naming no path the tool writes (see
    :func:`is_project_path`): the next manifest leaves them out.
    """

    files: dict[str, str] = field(default_factory=dict)
    patched: PatchRecord = field(default_factory=PatchRecord)
    version: str | None = None
    plan: str | None = None
    config: str | None = None
    foreign: tuple[str, ...] = ()

    @property
    def records_anything(self) -> bool:
        """Whether it records a generated file or a patch (an empty one is no plan's)."""
        return bool(self.files) or self.patched != PatchRecord()

    def same_content(self, other: "Manifest") -> bool:
        """Whether only the version or plan fingerprint tell the two apart.

        A new version of the tool that writes the same files must not make a project drift.
        """
        # A record written before the layout was recorded is the same as one that records it;
        # so is one that did not record its config (which only says whose it is).
        mine = self.patched.with_layout_of(other.patched)
        theirs = other.patched.with_layout_of(self.patched)
        return (self.files, mine) == (other.files, theirs)


def sha256(data: bytes) -> str:
    """Return the manifest's hash notation for ``data``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


# Each generated file also carries its own digest, in its header (in "$comment" for JSON): the
# SHA-256 of the file with the digest's 64 digits written as zeros. Without the manifest (lost,
# or restored from an older commit), a file whose digest still matches is known unedited.
DIGEST_MARK = "Content sha256: "
UNSEALED_DIGEST = "0" * 64
#: What every generated file says about itself first (in a comment, or JSON's "$comment").
GENERATED_HEADER = (
    "Generated by telemetry-scaffold. Do not edit by hand: change [tool.telemetry-scaffold]",
    "in pyproject.toml and run `telemetry-scaffold generate`.",
)
_DIGEST_WITHIN = 4096  # the header is near the start; never search a whole large file


def seal_content(content: str) -> str:
    """Fill in the digest of a rendered file whose header holds the unsealed (zero) digest."""
    placeholder = DIGEST_MARK + UNSEALED_DIGEST
    at = content.find(placeholder, 0, _DIGEST_WITHIN)
    if at < 0:
        return content
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    start = at + len(DIGEST_MARK)
    return content[:start] + digest + content[start + len(UNSEALED_DIGEST) :]


def as_written(data: bytes) -> bytes:
    """``data`` as the tool wrote it, when a checkout ended every line with CRLF; else itself.

    git's ``core.autocrlf`` or an ``eol=crlf`` attribute checks a file out with CRLF line
    endings where the tool wrote LF: the same file, never one edited by hand. A file with both
    endings was edited (or written so) by someone, and is taken as it is.
    """
    if b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n"):
        return data.replace(b"\r\n", b"\n")
    return data


def carries_own_digest(data: bytes) -> bool:
    """Whether ``data`` holds a digest that matches it: a generated file no one has edited."""
    data = as_written(data)
    mark = DIGEST_MARK.encode()
    at = data.find(mark, 0, _DIGEST_WITHIN)
    if at < 0:
        return False
    start = at + len(mark)
    digest = data[start : start + 64]
    if len(digest) != 64 or digest.strip(b"0123456789abcdef") or digest == UNSEALED_DIGEST.encode():
        return False
    zeroed = data[:start] + UNSEALED_DIGEST.encode() + data[start + 64 :]
    return hashlib.sha256(zeroed).hexdigest().encode() == digest


def merges_unedited(data: bytes) -> bool:
    """Whether ``data`` is a merge conflict between two unedited generated files.

    Two branches each regenerated the file, and the merge of their changes conflicted: each
    side carries its own digest, so no hand edit is lost by writing the file anew.
    """
    return conflict_marker_line(data) is not None and all(
        carries_own_digest(side) for side in conflict_sides(data)
    )


def merges_generated(data: bytes, stages: dict[int, bytes]) -> bool:
    """Whether ``data`` is a merge, conflicts and all, of two unedited generated files.

    ``stages``: the versions git's merge left in the index (see
    :func:`~telemetry_cli.vcs.conflict_stages`). Where hunks of both sides merged cleanly
    around a conflict, neither side of it is a whole generated file; each branch's own version
    is, when it carries its digest. Every line around the markers coming from those versions
    or their base, none is the user's: the file can be written anew without losing any.
    """
    if conflict_marker_line(data) is None or not all(
        stage in stages and carries_own_digest(stages[stage]) for stage in (2, 3)
    ):
        return False
    known = {line for version in stages.values() for line in as_written(version).splitlines()}
    merged = as_written(data).splitlines()
    return all(line in known or is_conflict_marker(line) for line in merged)


def manifest_file(root: Path) -> Path:
    """The manifest's path, refusing a manifest that is a link leading outside the root.

    Raises:
        FileProblem: it resolves outside the root (or into a symlink loop).
    """
    try:
        return contained_path(root, MANIFEST_PATH)
    except FileProblem as problem:
        raise FileProblem(
            f"{problem.message} to read or write the manifest through it; replace the link with "
            "a regular file (or delete it)"
        ) from None


def read_manifest(root: Path) -> dict[str, str]:
    """Return ``{path: hash}`` of what the tool last wrote; empty when absent or unreadable.

    Raises:
        FileProblem: the manifest is a link leading outside the root, or not a regular file.
    """
    return read_manifest_file(root).manifest.files


class ManifestOnDisk(NamedTuple):
    """The manifest file as a run read it, once: its bytes and what they record.

    ``data`` is None when there is no manifest; ``parsed`` is None when there is none or it is
    not JSON at all (a manifest of another shape parses as empty).
    """

    data: bytes | None
    parsed: Manifest | None

    @property
    def manifest(self) -> Manifest:
        """What it records; empty when absent or damaged.

        A damaged manifest only costs hand-edit detection (every differing file is then treated
        as hand-edited, the safe side) and the memory of earlier patches; it is rewritten.
        """
        return Manifest() if self.parsed is None else self.parsed


def read_manifest_file(root: Path) -> ManifestOnDisk:
    """Read the manifest's bytes and parse them, once for a whole run.

    ``generate`` compares the bytes with what it writes and reads the records from them:
    reading the file twice could see two different files (another program writing meanwhile).

    Raises:
        FileProblem: the manifest is a link leading outside the root, or not a regular file.
    """
    path = manifest_file(root)
    if path.is_dir():
        # A folder is nothing the tool can read or replace (a file would just be a damaged one).
        raise FileProblem(
            f"{MANIFEST_PATH}: is a folder, expected the manifest file; move the folder out of "
            "the way (the next generate writes the manifest anew)"
        )
    data = read_bytes(path, MANIFEST_PATH)
    if data is not None and conflict_marker_line(data) is not None:
        # Two runs' records merged: neither side alone says what is on disk now, and a guess
        # would cost hand-edit detection or the memory of patches. Taking one side is enough:
        # files the other side wrote carry their own digest, and the next run finds them.
        raise FileProblem(unresolved_conflict(MANIFEST_PATH, data, "rerun the command"))
    parsed = None if data is None else _from_bytes(data)
    return ManifestOnDisk(data, None if parsed is None else _without_linked_out(root, parsed))


def _without_linked_out(root: Path, manifest: Manifest) -> Manifest:
    """``manifest`` with its entries reached through a link leading outside ``root`` foreign.

    A folder the user made a link to another place (``docs -> /elsewhere``) holds no file the
    tool wrote in this project: its entries are dropped with a note, as a hand-edited path is
    (``foreign``), and nothing there is read, backed up or deleted, the link left as it is. An
    output the plan still writes there is refused on its own, as writing through it would be.
    """
    top = resolve(root, ".")
    outside = []
    for relative in manifest.files:
        try:
            if not is_within(resolve(root / relative, relative), top):
                outside.append(relative)
        except FileProblem:
            continue  # a symlink loop: reading the entry reports it, naming the fix
    if not outside:
        return manifest
    return replace(
        manifest,
        files={path: digest for path, digest in manifest.files.items() if path not in outside},
        foreign=tuple(sorted({*manifest.foreign, *outside})),
    )


def _from_bytes(data: bytes) -> Manifest | None:
    """The manifest ``data`` holds; None when it is not JSON, empty when of another shape."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        # RecursionError: nested deeper than the parser recurses, damaged like any other.
        return None
    try:
        files = document["files"]
        if not isinstance(files, dict):
            return Manifest()
        hashes = {str(path): str(digest) for path, digest in files.items()}
    except (ValueError, KeyError, TypeError, RecursionError):
        return Manifest()
    version = document.get("version")
    plan = document.get("plan")
    config = document.get("config")
    return Manifest(
        {path: digest for path, digest in hashes.items() if is_project_path(path)},
        _patch_record(document.get("patched")),
        version if isinstance(version, str) else None,
        plan if isinstance(plan, str) else None,
        config if isinstance(config, str) and config else None,
        tuple(sorted(path for path in hashes if not is_project_path(path))),
    )


def is_project_path(path: str) -> bool:
    """Whether ``path`` is one the tool could have recorded: relative, POSIX, normalised.

    The tool records only such paths (``backend/app/main.py``). Anything else in a manifest
    (absolute, ``..``, ``./``, empty, a backslash or NUL) was written by a hand or a damaged
    merge and names no file of the tool's: the record is dropped, the path never touched.
    """
    if path in ("", ".") or "\\" in path or "\0" in path:
        return False
    pure = PurePosixPath(path)
    return not pure.is_absolute() and ".." not in pure.parts and pure.as_posix() == path


def _patch_record(value: object) -> PatchRecord:
    if not isinstance(value, dict):
        return PatchRecord()
    wired = value.get("wired")
    if not (isinstance(wired, str) and is_project_path(wired)):
        wired = None
    instrumented = value.get("instrumented")
    pairs: list[tuple[str, str]] = []
    if isinstance(instrumented, dict):
        pairs = sorted(
            (path, event)
            for path, event in instrumented.items()
            if isinstance(path, str) and isinstance(event, str) and is_project_path(path)
        )
    backend = value.get("backend")
    app_package = value.get("app-package")
    layer_package = value.get("layer-package")
    return PatchRecord(
        wired,
        value.get("capture") is True,
        tuple(pairs),
        backend if isinstance(backend, str) else None,
        app_package if isinstance(app_package, str) else None,
        _left_patches(value.get("left")),
        layer_package if isinstance(layer_package, str) and layer_package.isidentifier() else None,
        _stubs(value.get("stubs")),
    )


def _stubs(value: object) -> tuple[tuple[str, str, Stub], ...]:
    """The recorded stub statements; only the known ones (remove writes them into user code).

    A stub on a line of its own is recorded as its statement; one written on its ``def`` line
    as ``{"statement": ..., "after-colon": ...}`` (the whitespace it followed the colon by).
    """
    if not isinstance(value, dict):
        return ()
    found: set[tuple[str, str, Stub]] = set()
    for path, handlers in value.items():
        if not (isinstance(path, str) and is_project_path(path) and isinstance(handlers, dict)):
            continue
        for name, entry in handlers.items():
            stub = _stub(entry)
            if isinstance(name, str) and stub is not None:
                found.add((path, name, stub))
    return tuple(sorted(found))


def _stub(entry: object) -> Stub | None:
    if isinstance(entry, str):
        return Stub(entry) if entry in STUB_STATEMENTS else None
    if not isinstance(entry, dict):
        return None
    statement, after_colon = entry.get("statement"), entry.get("after-colon")
    if (
        isinstance(statement, str)
        and statement in STUB_STATEMENTS
        and isinstance(after_colon, str)
        and not after_colon.strip(" \t")
    ):
        return Stub(statement, inline=True, after_colon=after_colon)
    return None


def _left_patches(value: object) -> tuple[LeftPatch, ...]:
    if not isinstance(value, list):
        return ()
    left: set[LeftPatch] = set()
    for entry in value:
        if not isinstance(entry, dict):
            continue
        path, event = entry.get("path"), entry.get("event")
        backend, app_package = entry.get("backend"), entry.get("app-package")
        layer = entry.get("layer-package")
        if (
            isinstance(path, str)
            and is_project_path(path)
            and (event is None or isinstance(event, str))
            and isinstance(backend, str)
            and isinstance(app_package, str)
        ):
            valid = isinstance(layer, str) and layer.isidentifier()
            left.add((path, event, backend, app_package, layer if valid else None))
    return sorted_left(left)


def sorted_left(entries: Iterable[LeftPatch]) -> tuple[LeftPatch, ...]:
    """Left patches in a stable order, each once (see ``PatchRecord.left``)."""
    return tuple(
        sorted(
            set(entries),
            key=lambda entry: (entry[0], entry[1] or "", entry[2], entry[3], entry[4] or ""),
        )
    )


def foreign_entries_note(manifest: Manifest) -> tuple[str, ...]:
    """The line saying which entries of a hand-edited manifest were dropped; none if none."""
    if not manifest.foreign:
        return ()
    unlike = [path for path in manifest.foreign if not is_project_path(path)]
    # A path as the tool records it was dropped for the link it is reached through.
    linked = [path for path in manifest.foreign if is_project_path(path)]
    notes = []
    for paths, why in (
        (unlike, "not a relative path inside the project (as the tool records)"),
        (linked, "reached through a link leading outside the project"),
    ):
        if paths:
            shown = ", ".join(repr(path) for path in paths[:3])
            more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
            notes.append(
                f"dropped the entries of {shown}{more}: {why}, so no file the tool wrote; "
                "nothing there was read or touched"
            )
    return tuple(notes)


def render_manifest(manifest: Manifest) -> bytes:
    """Serialise the manifest deterministically."""
    document: dict[str, object] = {
        "generator": _GENERATOR,
        "files": dict(sorted(manifest.files.items())),
    }
    patched = manifest.patched
    if patched != PatchRecord():
        record: dict[str, object] = {
            "wired": patched.wired,
            "capture": patched.capture,
            "instrumented": dict(sorted(patched.instrumented)),
        }
        if patched.backend is not None:
            record["backend"] = patched.backend
        if patched.app_package is not None:
            record["app-package"] = patched.app_package
        if patched.layer_package is not None:
            record["layer-package"] = patched.layer_package
        if patched.left:
            record["left"] = [
                {"path": path, "event": event, "backend": backend, "app-package": app_package}
                | ({} if layer is None else {"layer-package": layer})
                for path, event, backend, app_package, layer in sorted_left(patched.left)
            ]
        if patched.stubs:
            stubs: dict[str, dict[str, object]] = {}
            for path, name, stub in sorted(patched.stubs):
                stubs.setdefault(path, {})[name] = (
                    {"statement": stub.statement, "after-colon": stub.after_colon}
                    if stub.inline
                    else stub.statement
                )
            record["stubs"] = stubs
        document["patched"] = record
    if manifest.version is not None:
        document["version"] = manifest.version
    if manifest.plan is not None:
        document["plan"] = manifest.plan
    if manifest.config is not None:
        document["config"] = manifest.config
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")
