from fastapi import APIRouter, HTTPException

router = APIRouter(prefix="/notes")
NOTES = {1: "buy milk"}


def add_note_routes(target):
    @target.get("/{note_id}")
    def get_note(note_id: int) -> dict[str, str]:
        if note_id not in NOTES:
            raise HTTPException(404, "no such note")
        return {"text": NOTES[note_id]}


add_note_routes(router)
