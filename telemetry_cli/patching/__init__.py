"""Patching the user's own code: find the app and the route handlers once, then edit lines.

One :mod:`ast` model of each module (:mod:`.symbols`, :mod:`.routes`, :mod:`.apps`) feeds both
the check and the patch: ``--check`` is the patch computed and found empty. Edits are whole-line
insertions (:mod:`.source`), so user code is never reformatted.
"""

from telemetry_cli.patching.project import (
    PatchedFile,
    PatchResult,
    ProjectPatches,
    analyze,
    instrument_source,
    uninstrument_source,
    unwire_source,
    wire_source,
)

__all__ = [
    "PatchResult",
    "PatchedFile",
    "ProjectPatches",
    "analyze",
    "instrument_source",
    "uninstrument_source",
    "unwire_source",
    "wire_source",
]
