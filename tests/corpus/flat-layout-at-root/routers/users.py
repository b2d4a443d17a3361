from fastapi import APIRouter

router = APIRouter()


@router.get("/{username}")
async def get_user(username: str) -> dict[str, str]:
    return {"username": username}
