"""Careful file I/O: containment checks, user-file decoding, atomic writes, backups."""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from telemetry_cli.errors import UserError

BOM = "\ufeff"


class FileProblem(UserError):
    """A target file cannot be read or written safely."""


def contained_path(root: Path, relative: str) -> Path:
    """Return ``root / relative``, refusing paths (or symlinks) that lead outside ``root``."""
    path = root / relative
    resolved = path.resolve()
    real_root = root.resolve()
    if resolved != real_root and real_root not in resolved.parents:
        raise FileProblem(f"{relative}: resolves to {resolved}, outside the project root; refusing")
    return path


def read_bytes(path: Path, relative: str) -> bytes | None:
    """Return the file's bytes, or None when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise FileProblem(f"{relative}: is a folder, expected a file") from None
    except OSError as exc:
        raise FileProblem(f"{relative}: cannot read: {exc.strerror}") from None


@dataclass(frozen=True)
class SourceText:
    """A user's text file, decoded, remembering what must be restored on write (the BOM)."""

    text: str
    bom: bool

    @classmethod
    def decode(cls, data: bytes, relative: str) -> SourceText:
        """Decode UTF-8 (with or without a BOM); anything else is a clear error."""
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

    def encode(self, text: str) -> bytes:
        """Encode ``text`` the way the original was stored."""
        return ((BOM if self.bom else "") + text).encode("utf-8")


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The bytes go to a temporary file in the same folder, are flushed to disk, then renamed over
    the target. An existing file's permission bits are kept.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode: int | None = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            tmp.chmod(mode)
        else:
            tmp.chmod(0o666 & ~_umask())
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _umask() -> int:
    # os.umask can only be read by setting it; restore it at once.
    current = os.umask(0)
    os.umask(current)
    return current


def backup_path(path: Path) -> Path:
    """Return a free backup name beside ``path``: ``name.bak``, then ``name.bak.1``, ..."""
    candidate = path.with_name(path.name + ".bak")
    index = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bak.{index}")
        index += 1
    return candidate
