from fastapi import APIRouter

router = APIRouter(tags=["items"])


@router.get("/items")
async def list_items() -> list[str]:
    return []
