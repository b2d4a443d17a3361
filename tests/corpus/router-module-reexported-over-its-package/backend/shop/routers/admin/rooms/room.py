from fastapi import APIRouter

router = APIRouter()


@router.get("/{code}")
async def get_one(code: str) -> dict[str, str]:
    return {"room": code}
