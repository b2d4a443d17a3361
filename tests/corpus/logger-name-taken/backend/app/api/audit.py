"""The audit trail. This module already has a logger called event_logger (the audit one)."""

import logging

from fastapi import APIRouter, HTTPException

event_logger = logging.getLogger("audit.events")

router = APIRouter(prefix="/audit")

ENTRIES = {
    1: {"actor": "ops-bot", "action": "rotate-keys"},
    2: {"actor": "kari", "action": "export-report"},
}


@router.get("/entries/{entry_id}")
def get_entry(entry_id: int) -> dict[str, str]:
    event_logger.info("audit entry %s read", entry_id)
    if entry_id not in ENTRIES:
        raise HTTPException(404, "no such entry")
    return ENTRIES[entry_id]


@router.get("/actors/{actor}/entries")
def entries_by(actor: str) -> list[int]:
    """Entries made by one actor."""
    return [number for number, entry in ENTRIES.items() if entry["actor"] == actor]
