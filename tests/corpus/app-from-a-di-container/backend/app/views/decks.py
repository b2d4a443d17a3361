from fastapi import APIRouter

router = APIRouter(prefix="/decks")


@router.get("/{deck_id}")
async def get_deck(deck_id: int) -> dict[str, int]:
    return {"id": deck_id}
