"""Careful file I/O: containment checks, user-file decoding, atomic writes, backups."""

import codecs
import contextlib
import errno
import functools
import os
import re
import stat
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any, NamedTuple

from telemetry_cli.console import shown_path
from telemetry_cli.errors import ConfigError, FileProblem, ProjectBusy

__all__ = [
    "BOM",
    "LOCK_TIMEOUT_SECONDS",
    "FileProblem",
    "SourceText",
    "atomic_write",
    "backup_path",
    "contained_path",
    "is_within",
    "leftover_temp_files",
    "project_lock",
    "read_bytes",
    "real_path",
    "remove_temp_file",
    "require_writable",
    "resolve",
]

BOM = "\ufeff"
TEMP_SUFFIX = ".tmp"
#: The largest tool configuration read for a hint (``setup.cfg``, ``tox.ini``, a linter's
#: settings; real ones hold a few KiB): a larger one is generated or hostile, and parsing
#: megabytes of INI took seconds each of the several times a run reads it. It is not read.
MAX_CONFIG_BYTES = 1 << 20
# How long a run waits for another run's project lock before giving up: a run takes seconds,
# so a lock held this long belongs to a stuck or stopped process (a suspended shell job).
LOCK_TIMEOUT_SECONDS = 60.0
# How often a waiting run tries the lock again (flock has no timeout of its own).
_LOCK_POLL_SECONDS = 0.1

_fcntl: ModuleType | None
try:
    import fcntl as _fcntl
except ImportError:  # Windows: no advisory locks; concurrent runs are not coordinated there
    _fcntl = None


# PEP 263: how Python finds a module's coding declaration in its first two lines.
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_BLANK_OR_COMMENT = re.compile(rb"^[ \t\f]*(?:[#\r]|$)")


def real_path(path: Path) -> Path | None:
    """Return ``path`` with every symlink followed, or None when a symlink loop stops that."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        # RuntimeError is how Python before 3.13 reports a symlink loop; OSError after.
        return None


def file_identity(path: Path) -> Path | tuple[int, int]:
    """What tells one file from another: its device and inode, or its path if it is missing.

    A resolved path is not enough: a case-insensitive file system (macOS, Windows) keeps the
    letter case it was given, and a hard link is another name of the same file.
    """
    try:
        status = path.stat()
    except (OSError, ValueError):
        return path
    return (status.st_dev, status.st_ino)


def one_entry(path: Path, other: Path) -> bool:
    """True when ``path`` and ``other`` name one directory entry, which a write keeps shared.

    A symlink (or, on a case-insensitive file system, another letter case) leads to the entry
    itself: a file written through one name is the other's too. A hard link is an entry of its
    own for the same file: a write replaces the file under the name written, and the other
    name keeps the old file, a separate one from then on.
    """
    identity = file_identity(path)
    if isinstance(identity, Path) or identity != file_identity(other):
        return False
    try:
        return path.resolve() == other.resolve() or path.stat().st_nlink == 1
    except (OSError, RuntimeError, ValueError):
        return False


def is_within(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or inside it (compare resolved paths for symlinks)."""
    return path == folder or folder in path.parents


def current_folder() -> Path:
    """The current folder, where a run starts when no ``--root`` names one.

    Raises:
        ConfigError: it was deleted under the process (or cannot be reached any more), which
            ``os.getcwd`` reports as a bare "No such file or directory".
    """
    try:
        return Path.cwd()
    except OSError:
        raise ConfigError(
            "the current folder no longer exists; cd to your project or pass --root DIR"
        ) from None


def resolve(path: Path, relative: str) -> Path:
    """Return ``path`` with every symlink followed, reporting a symlink loop as a FileProblem."""
    if "\0" in str(path):
        # No file system path holds a NUL byte (os calls raise ValueError): a damaged manifest.
        raise FileProblem(f"{relative}: not a path (it holds a NUL byte); refusing")
    resolved = real_path(path)
    if resolved is None:
        raise FileProblem(f"{relative}: symlink loop; fix or remove the link")
    return resolved


def require_writable(path: Path, relative: str) -> None:
    """Refuse to replace a write-protected user file (links followed; a missing one is not).

    That is no write permission bit for anyone (``chmod a-w``, a Perforce checkout: root could
    write it anyway), or none for this process. A rename would replace it all the same, but the
    protection is the user's word.

    Raises:
        FileProblem: it is write-protected; the message names the fix.
    """
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return  # missing, or unreadable: reading it reports that
    if mode & 0o222 == 0 or not os.access(path, os.W_OK):
        raise FileProblem(f"{relative}: read-only; make it writable (chmod u+w) and rerun")


def contained_path(root: Path, relative: str) -> Path:
    """Return ``root / relative``, refusing paths (or symlinks) that lead outside ``root``."""
    path = root / relative
    resolved = resolve(path, relative)
    if not is_within(resolved, resolve(root, ".")):
        raise FileProblem(f"{relative}: resolves to {resolved}, outside the project root; refusing")
    return path


# A FIFO that appears between the check and the open would make a plain open wait for a writer;
# non-blocking, the open returns at once and the second check refuses it. Files ignore the flag.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_CHUNK_SIZE = 1 << 20


def read_bytes(path: Path, relative: str) -> bytes | None:
    """Return the file's bytes, or None when it does not exist.

    Only regular files are read: a folder, FIFO, socket or device is a FileProblem. It is checked
    before opening (opening a device or FIFO can block or have effects) and again on the open
    file, so nothing swapped in between is read either.
    """
    return _read_regular(path, relative, None)


def read_head(path: Path, relative: str, size: int) -> bytes | None:
    """Return the first ``size`` bytes of the file (None: no file), as :func:`read_bytes` reads.

    The whole file when it is shorter: a bounded read of a file that may be of any size.
    """
    return _read_regular(path, relative, size)


def _read_regular(path: Path, relative: str, limit: int | None) -> bytes | None:
    try:
        _require_regular(path.stat().st_mode, relative)
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _read_problem(exc, relative) from None
    try:
        _require_regular(os.fstat(fd).st_mode, relative)
        chunks: list[bytes] = []
        left = limit
        # A read may return less than asked (a file growing, a network file system): read on.
        while (left is None or left > 0) and (
            chunk := os.read(fd, _CHUNK_SIZE if left is None else min(left, _CHUNK_SIZE))
        ):
            chunks.append(chunk)
            if left is not None:
                left -= len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise _read_problem(exc, relative) from None
    finally:
        os.close(fd)


def _require_regular(mode: int, relative: str) -> None:
    if stat.S_ISDIR(mode):
        raise FileProblem(f"{relative}: is a folder, expected a file")
    if not stat.S_ISREG(mode):
        raise FileProblem(
            f"{relative}: not a regular file (a FIFO, socket or device); "
            "replace it with a regular file or remove it"
        )


def _read_problem(exc: OSError, relative: str) -> FileProblem:
    if isinstance(exc, IsADirectoryError):
        return FileProblem(f"{relative}: is a folder, expected a file")
    if exc.errno == errno.ELOOP:
        return FileProblem(f"{relative}: symlink loop; fix or remove the link")
    return FileProblem(f"{relative}: cannot read: {exc.strerror}")


# Patterns kept as source text (here and below) are compiled on first use, and cached, by
# `re`: an up-to-date `generate --check` never uses them (compiling at import cost every run).
# git's merge-conflict markers, each at the start of a line: the opening one (a side's label
# after it), diff3's base, the separator, the closing one. Seven characters by default; more
# where a `conflict-marker-size` attribute says so, or where git nests a conflict in another
# (a rename/rename conflict: `<<<<<<<< HEAD:path`). One conflict's markers share their size.
_CONFLICT_MARKER = rb"(?m)^(<{7,}|\|{7,}|={7,}|>{7,})(?=[ \t\r\n]|$)"
_CONFLICT_SEQUENCE = (b"<" * 7, b"=" * 7, b">" * 7)


def conflict_marker_line(data: bytes) -> int | None:
    """The line (from 1) opening the first unresolved merge conflict in ``data``; None: none.

    Only a whole conflict counts (an opening marker, then a separator, then a closing one): a
    Markdown heading's ``=======`` underline is no conflict.
    """
    if _CONFLICT_SEQUENCE[0] not in data:
        # Every module of every run is read here: a substring search takes 0.4 ms for 1 MB
        # without conflicts, the line-anchored pattern 9 ms.
        return None
    spans = conflict_spans(data)
    return spans[0][0] if spans else None


def conflict_spans(data: bytes) -> tuple[tuple[int, int], ...]:
    """Each unresolved merge conflict in ``data``: its opening and closing marker lines (from 1).

    A conflict is a whole one (see :func:`conflict_marker_line`); text outside the spans merged
    cleanly.
    """
    return tuple((conflict.opened, conflict.closed) for conflict in _conflicts(data))


class _Conflict(NamedTuple):
    """The marker lines (from 1) of one whole merge conflict."""

    opened: int
    #: diff3's base marker (``|||||||``), None in git's default style.
    base: int | None
    separator: int
    closed: int


def _conflicts(data: bytes) -> list[_Conflict]:
    """The outermost whole merge conflicts of ``data``, in order.

    Markers pair with markers of their own size only: a stray line of ten ``<`` (in a
    docstring, say) neither hides a conflict of seven nor is one; a conflict git nests in
    another (larger markers outside) is a part of the outer one's sides.
    """
    found: list[_Conflict] = []
    # By marker size: the opening line, the base line and the separator line seen so far.
    open_by_size: dict[int, list[int | None]] = {}
    line, position = 1, 0
    for match in re.finditer(_CONFLICT_MARKER, data):
        line += data.count(b"\n", position, match.start())
        position = match.start()
        marker = match.group(1)
        kind, size = marker[:1], len(marker)
        seen = open_by_size.get(size)
        if kind == b"<":
            open_by_size[size] = [line, None, None]
        elif seen is None:
            continue  # a Markdown underline, or a marker of no conflict
        elif kind == b"|" and seen[1] is None and seen[2] is None:
            seen[1] = line
        elif kind == b"=" and seen[2] is None:
            seen[2] = line
        elif kind == b">" and seen[2] is not None:
            opened, base, separator = seen
            assert opened is not None and separator is not None
            found.append(_Conflict(opened, base, separator, line))
            del open_by_size[size]
    found.sort()
    outermost: list[_Conflict] = []
    for conflict in found:
        if not outermost or conflict.opened > outermost[-1].closed:
            outermost.append(conflict)
    return outermost


def is_conflict_marker(line: bytes) -> bool:
    """Whether ``line`` (without its ending) is one of git's merge-conflict marker lines."""
    return re.match(_CONFLICT_MARKER, line) is not None


def conflict_sides(data: bytes) -> tuple[bytes, bytes]:
    """``data`` with every conflict resolved to its first side, and to its second side."""
    first: list[bytes] = []
    second: list[bytes] = []
    both = (first, second)
    # diff3's base section belongs to neither side.
    routes = {b"<": (first,), b"|": (), b"=": (second,), b">": both}
    roles: dict[int, bytes] = {}
    for conflict in _conflicts(data):
        roles[conflict.opened] = b"<"
        roles[conflict.separator] = b"="
        roles[conflict.closed] = b">"
        if conflict.base is not None:
            roles[conflict.base] = b"|"
    keep: tuple[list[bytes], ...] = both
    # Lines as the marker pattern counts them: ended by \n only.
    for number, line in enumerate(_lines(data), 1):
        role = roles.get(number)
        if role is not None:
            keep = routes[role]
            continue
        for side in keep:
            side.append(line)
    return b"".join(first), b"".join(second)


def _lines(data: bytes) -> list[bytes]:
    """``data``'s lines, each with its line feed (a lone carriage return ends no line here)."""
    lines = [line + b"\n" for line in data.split(b"\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


#: How many conflicts :func:`unresolved_conflict` names by their lines.
_CONFLICTS_NAMED = 10


def unresolved_conflict(
    relative: str, data: bytes, then: str | None = "rerun", *, generated: bool = True
) -> str:
    """The one line saying ``relative`` holds unresolved merge conflicts, where, and what to do.

    Every conflict's lines are named: the lines around them merged cleanly and are not asked.
    A file the tool writes (``generated``) is written anew whichever side is taken; a file of
    the user's (a module, the plan's pyproject.toml) is resolved at those lines: taking one
    side of the whole file would drop what the other branch changed in it.
    """
    spans = conflict_spans(data)
    named = spans[:_CONFLICTS_NAMED]
    lines = ", ".join(str(first) if first == last else f"{first}-{last}" for first, last in named)
    if len(spans) > len(named):
        lines += f" and {len(spans) - len(named)} more"  # one line, however many there are
    conflicts = "conflicts" if len(spans) > 1 else "conflict"
    how = (
        f"resolve the {conflicts} (take either side, e.g. `git checkout --ours -- {relative}` "
        "or --theirs)"
        if generated
        else f"resolve the {conflicts} at those lines (the rest merged cleanly: taking one side "
        f"of the whole file, `git checkout --ours -- {relative}`, drops the other's changes)"
    )
    # `path:line:` first, as compilers and linters name a place (editors open it there).
    where = f"{relative}:{spans[0][0]}" if spans else relative
    return f"{where}: has unresolved merge conflict markers (lines {lines}); {how}" + (
        f", then {then}" if then else ""
    )


class SourceText(NamedTuple):
    """A user's text file, decoded, remembering what must be restored on write.

    That is the BOM, and for a Python module the encoding its coding declaration names
    (``# -*- coding: latin-1 -*-``, PEP 263), which Python reads it in.
    """

    text: str
    bom: bool
    encoding: str = "utf-8"

    @classmethod
    def decode(cls, data: bytes, relative: str, *, python: bool = False) -> "SourceText":
        """Decode UTF-8 (with or without a BOM); anything else is a clear error.

        With ``python``, a module's coding declaration is honoured as Python honours it: the
        file is decoded (and later written) in the encoding it declares, provided its bytes
        come back unchanged when the text is encoded again.
        """
        if python and conflict_marker_line(data) is not None:
            # Even inside a docstring, where it still parses: never patched, never read as code.
            raise FileProblem(unresolved_conflict(relative, data, then=None, generated=False))
        encoding = _declared_encoding(data, relative) if python else "utf-8"
        if encoding != "utf-8":
            return cls._decode_declared(data, relative, encoding)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            byte = data[exc.start]
            raise FileProblem(
                f"{relative}: not valid UTF-8 (byte 0x{byte:02x} at offset {exc.start}); "
                "re-save it as UTF-8"
            ) from None
        if text.startswith(BOM):
            return cls(text=text[1:], bom=True)
        return cls(text=text, bom=False)

    @classmethod
    def _decode_declared(cls, data: bytes, relative: str, encoding: str) -> "SourceText":
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            byte = data[exc.start]
            raise FileProblem(
                f"{relative}: not valid {encoding}, as its coding declaration says (byte "
                f"0x{byte:02x} at offset {exc.start}); fix the declaration or re-save it"
            ) from None
        if text.encode(encoding) != data:
            # A codec with several byte sequences for one character: a rewrite would change
            # lines the tool never touched.
            raise FileProblem(
                f"{relative}: its {encoding} bytes do not come back unchanged from its text; "
                "re-save it as UTF-8"
            )
        return cls(text=text, bom=False, encoding=encoding)

    def encode(self, text: str, relative: str) -> bytes:
        """Encode ``text`` the way the original was stored.

        Raises:
            FileProblem: ``text`` holds a character the file's declared encoding cannot.
        """
        try:
            return ((BOM if self.bom else "") + text).encode(self.encoding)
        except UnicodeEncodeError as exc:
            character = exc.object[exc.start]
            raise FileProblem(
                f"{relative}: the code to insert holds {character!r} (U+{ord(character):04X}), "
                f"which its declared encoding {self.encoding} cannot; re-save it as UTF-8"
            ) from None


def _declared_encoding(data: bytes, relative: str) -> str:
    """The encoding a Python module declares (PEP 263), "utf-8" when it declares none.

    As Python's tokenizer reads it: a ``coding[:=]name`` comment on the first line, or on the
    second when the first is blank or a comment.
    """
    for number, line in enumerate(data.split(b"\n", 2)[:2]):
        if number == 0:
            line = line.removeprefix(codecs.BOM_UTF8)
        match = _CODING.match(line)
        if match is not None:
            name = match.group(1).decode("ascii")
            break
        if not _BLANK_OR_COMMENT.match(line):
            return "utf-8"
    else:
        return "utf-8"
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise FileProblem(
            f"{relative}: its coding declaration names {name!r}, which Python does not know; "
            "fix the declaration"
        ) from None
    if info.name in ("utf-8", "utf-8-sig"):
        return "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        raise FileProblem(
            f"{relative}: starts with a UTF-8 BOM but declares {name}; remove one of them"
        )
    if not getattr(info, "_is_text_encoding", True):
        raise FileProblem(
            f"{relative}: its coding declaration names {name}, not a text encoding; "
            "fix the declaration"
        )
    return name


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The bytes go to a temporary file in the same folder (``.<name>.<random>.tmp``), are flushed
    (with ``durable``, also to disk, so that a power loss cannot leave the new name on empty
    bytes), then renamed over the target. An existing file's permission bits are kept. While it
    is written the temporary file is locked, so that :func:`leftover_temp_files` of another run
    leaves it alone; one that a killed run left behind is unlocked, and found and removed then.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        before: os.stat_result | None = path.stat()
    except FileNotFoundError:
        before = None
    mode = before.st_mode & 0o7777 if before is not None else None
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            _lock(handle.fileno())
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
            if before is not None:
                _keep_owner(handle.fileno(), before)
            tmp.chmod(mode if mode is not None else 0o666 & ~_umask())
            if _fcntl is not None:
                # POSIX renames an open file: the lock is held until the name is gone.
                tmp.replace(path)
        if _fcntl is None:
            tmp.replace(path)  # Windows cannot rename an open file
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _keep_owner(fd: int, before: os.stat_result) -> None:
    """Give the new file the owner and group of the one it replaces, as far as allowed.

    Run as root (sudo, a container) a rename would hand every rewritten file to root. Anyone
    else may only pick one of their own groups: the owner then becomes whoever runs the tool,
    as with any editor that saves through a rename. Before the chmod, which chown may clear.
    """
    if not hasattr(os, "fchown"):
        return  # Windows: no owners to keep
    stat_now = os.fstat(fd)
    if (stat_now.st_uid, stat_now.st_gid) == (before.st_uid, before.st_gid):
        return
    try:
        os.fchown(fd, before.st_uid, before.st_gid)
    except OSError:
        with contextlib.suppress(OSError):
            os.fchown(fd, -1, before.st_gid)


def _lock(fd: int) -> bool:
    """Take an exclusive advisory lock on ``fd`` without waiting; False when another holds it."""
    if _fcntl is None:
        return True
    try:
        _fcntl.flock(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return True  # a file system without locks: nothing to coordinate with
    return True


@contextlib.contextmanager
def project_lock(
    root: Path, *, exclusive: bool, on_wait: Callable[[], None], timeout: float | None = None
) -> Iterator[None]:
    """Hold the project's advisory lock (on its root folder) for one run's read and writes.

    A run reads the whole project, then writes: another run writing in between would leave a
    mix of both (``remove`` and ``generate`` at once left the package written, the modules
    unpatched and no manifest). Writing runs take it ``exclusive``, checking ones shared; a
    run that must wait calls ``on_wait`` first, then waits at most ``timeout`` seconds
    (``LOCK_TIMEOUT_SECONDS`` by default). Nothing is created for it, so a killed run leaves
    nothing behind. Where there are no locks (Windows, a file system without them, a root it
    cannot open) the run goes on as before.

    Raises:
        ProjectBusy: another run held the lock for all of ``timeout``.
    """
    if _fcntl is None:
        yield
        return
    try:
        fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        yield
        return
    try:
        wait = LOCK_TIMEOUT_SECONDS if timeout is None else timeout
        _take_lock(_fcntl, fd, root, exclusive, on_wait, wait)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _take_lock(
    fcntl: ModuleType,
    fd: int,
    root: Path,
    exclusive: bool,
    on_wait: Callable[[], None],
    timeout: float,
) -> None:
    """Take the lock on ``fd``, trying again until ``timeout`` (flock itself waits for ever)."""
    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    deadline: float | None = None
    while True:
        try:
            fcntl.flock(fd, mode)
            return
        except BlockingIOError:
            pass
        except OSError:
            return  # a file system without locks: nothing to coordinate with
        now = time.monotonic()
        if deadline is None:
            on_wait()
            deadline = now + timeout
        elif now >= deadline:
            raise ProjectBusy(
                f"{shown_path(root)}: another telemetry-scaffold run has held this project's "
                f"lock for {timeout:g} s; let it finish (or stop it) and run again"
            )
        time.sleep(min(_LOCK_POLL_SECONDS, max(0.0, deadline - now)))


# The temporary files atomic_write makes: "." + target name + "." + tempfile's 8 random
# characters + ".tmp". Backups are written the same way, beside their target.
_TEMP_NAME = re.compile(r"\.(?P<target>.+)\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))
_BACKUP_NAME = r"(?P<target>.+?)\.bak(?:\.[0-9]+)?"


def leftover_temp_files(root: Path, targets: Iterable[str]) -> list[str]:
    """Temporary files an interrupted :func:`atomic_write` left beside ``targets``.

    Only files named after a target (or a backup of one) in its own folder are considered, and
    only regular files that no running write holds, so nothing of the user's or of a concurrent
    run is touched.

    Args:
        root: the project root.
        targets: POSIX paths relative to ``root`` that the tool writes.

    Returns:
        Their POSIX paths relative to ``root``, sorted.
    """
    names_by_folder: dict[PurePosixPath, set[str]] = {}
    for relative in targets:
        target = PurePosixPath(relative)
        names_by_folder.setdefault(target.parent, set()).add(target.name)
    found: list[str] = []
    for folder, names in names_by_folder.items():
        try:
            location = contained_path(root, folder.as_posix())
            entries = list(os.scandir(location))
        except (FileProblem, OSError):
            continue  # a missing or unreadable folder holds nothing we wrote
        for entry in entries:
            match = _TEMP_NAME.fullmatch(entry.name)
            if match is None:
                continue
            name = match["target"]
            backup = re.fullmatch(_BACKUP_NAME, name)
            if name not in names and (backup is None or backup["target"] not in names):
                continue
            if not _is_regular(entry):
                continue
            if _held_by_a_writer(Path(entry.path)):
                continue
            found.append((folder / entry.name).as_posix())
    return sorted(found)


def remove_temp_file(path: Path) -> None:
    """Remove a leftover temporary file, unless a write started since holds it."""
    if not _held_by_a_writer(path):
        path.unlink(missing_ok=True)


def _is_regular(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def _held_by_a_writer(path: Path) -> bool:
    try:
        fd = os.open(path, _OPEN_FLAGS | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        # The lock goes with the descriptor: taking it only to ask is harmless.
        return not _lock(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    # os.umask can only be read by setting it; restore it at once.
    current = os.umask(0)
    os.umask(current)
    return current


def backup_path(path: Path, data: bytes | None = None) -> Path:
    """Return a free backup name beside ``path``: ``name.bak``, then ``name.bak.1``, ...

    A name is taken by anything there, a dangling symbolic link too: writing to it would follow
    the link. A backup that already holds ``data`` is returned instead: a run stopped between
    the backup and the file, then run again, keeps the one backup (rewritten as it is) rather
    than piling up copies.
    """
    candidate = path.with_name(path.name + ".bak")
    index = 1
    while os.path.lexists(candidate):
        if data is not None and _holds(candidate, data):
            return candidate
        candidate = path.with_name(f"{path.name}.bak.{index}")
        index += 1
    return candidate


def _holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file (not a link) of exactly ``data``."""
    try:
        status = path.lstat()
        if not stat.S_ISREG(status.st_mode) or status.st_size != len(data):
            return False
        return read_bytes(path, path.name) == data
    except (OSError, FileProblem):
        return False


@functools.lru_cache(maxsize=8)
def parse_toml(text: str) -> dict[str, Any]:
    """Parse TOML text, once per text and run: treat the result as read-only.

    The plan and the formatter settings both read the root ``pyproject.toml``; parsing it twice
    was a measurable part of an up-to-date ``--check``.

    Raises:
        tomllib.TOMLDecodeError: not TOML.
        RecursionError: values nested too deeply for ``tomllib``.
    """
    return tomllib.loads(text)
