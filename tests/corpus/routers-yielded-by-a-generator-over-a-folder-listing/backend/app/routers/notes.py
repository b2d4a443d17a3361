from fastapi import APIRouter

router = APIRouter(prefix="/notes", tags=["notes"])


@router.get("/{note_id}")
async def read_note(note_id: int) -> dict[str, int]:
    return {"id": note_id}
