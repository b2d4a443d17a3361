"""Notes, kept in memory."""

from fastapi import APIRouter

router = APIRouter(prefix="/notes")

NOTES = {"n1": "buy milk", "n2": "call home"}


@router.get("/{note_id}")
def open_note(note_id: str) -> dict[str, str]:
    """One note."""
    return {"id": note_id, "text": NOTES.get(note_id, "")}


@router.put("/{note_id}")
def save_note(note_id: str, text: str) -> dict[str, str]:
    NOTES[note_id] = text
    return {"id": note_id}
