from fastapi import APIRouter

router = APIRouter(tags=["users"])


@router.get("/{user_id}")
async def read_user(user_id: int) -> dict[str, int]:
    return {"id": user_id}
