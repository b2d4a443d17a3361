from fastapi import APIRouter

router = APIRouter(prefix="/members")


@router.get("")
async def list_members() -> list[str]:
    return ["ada", "alan"]
