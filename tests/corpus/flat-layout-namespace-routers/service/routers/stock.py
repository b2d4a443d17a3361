from fastapi import APIRouter

from routers.store import LEVELS

router = APIRouter(prefix="/stock", tags=["stock"])


@router.get("/{sku}")
async def check_stock(sku: str) -> dict[str, int]:
    return {sku: LEVELS.get(sku, 0)}
