"""Notes: short texts with tags — créées, lues, comptées."""

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

NOTES_PREFIX = "/notes"

router = APIRouter(prefix=NOTES_PREFIX)


class NoteIn(BaseModel):
    title: str
    body: str = ""
    tags: list[str] = []


class Note(NoteIn):
    id: int


NOTES: dict[int, Note] = {
    1: Note(id=1, title="Courses", body="lait d'avoine, citrons", tags=["maison"]),
}


@router.get("/")
def list_notes(tag: str | None = None):
    return [note for note in NOTES.values() if tag is None or tag in note.tags]


@router.post("/", status_code=status.HTTP_201_CREATED)
def create_note(note: NoteIn):
    new = Note(id=len(NOTES) + 1, **note.model_dump())
    NOTES[new.id] = new
    return new


@router.get("/{note_id}")
def read_note(note_id: int):
    if note_id not in NOTES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "note not found")
    return NOTES[note_id]


@router.get("/tags/{tag}/count")
async def count_tagged(tag: str):
    return {"tag": tag, "count": sum(tag in note.tags for note in NOTES.values())}
