from fastapi import APIRouter

from app.core.module import Module

router = APIRouter(prefix="/loans")

loans = Module(root="loans", router=router)


@router.get("/{item_id}")
async def get_loans_item(item_id: str) -> dict[str, str]:
    return {"id": item_id, "module": loans.root}
