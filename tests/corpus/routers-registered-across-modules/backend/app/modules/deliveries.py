from fastapi import APIRouter

from app.registry import ROUTERS

router = APIRouter(prefix="/deliveries")
ROUTERS.append(router)


@router.get("/{delivery_id}")
async def get_delivery(delivery_id: int) -> dict[str, int]:
    return {"id": delivery_id}
