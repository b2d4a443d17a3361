from fastapi import APIRouter

router = APIRouter()


@router.get("/{user_id}")
def read_user(user_id: int) -> dict[str, object]:
    return {"id": user_id, "version": 2}
