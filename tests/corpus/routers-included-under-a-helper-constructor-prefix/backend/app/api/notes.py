from fastapi import APIRouter

router = APIRouter(tags=["notes"])


@router.post("/")
async def add_note(text: str) -> dict[str, str]:
    return {"text": text}
