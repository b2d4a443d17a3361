from fastapi import APIRouter

router = APIRouter(tags=["Users"], prefix="/users")


@router.get("/whoami")
async def read_current_user() -> dict[str, str]:
    return {"name": "ada"}
