from fastapi import APIRouter

router = APIRouter()


@router.get("/rooms")
async def rooms() -> list[str]:
    return ["support"]
