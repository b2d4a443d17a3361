from fastapi import APIRouter

from app.registry import register

router = register(APIRouter(prefix="/couriers"))


@router.post("/{courier_id}/ping")
async def ping_courier(courier_id: int) -> dict[str, int]:
    return {"id": courier_id}
