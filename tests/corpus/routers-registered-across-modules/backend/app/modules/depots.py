from fastapi import APIRouter

from app import registry

router = APIRouter(prefix="/depots")


@router.get("")
async def list_depots() -> list[int]:
    return []


registry.register(router)
