from fastapi import APIRouter

from app.core.module import Module

router = APIRouter(prefix="/cinema")

cinema = Module(root="cinema", router=router)


@router.get("/{item_id}")
async def get_cinema_item(item_id: str) -> dict[str, str]:
    return {"id": item_id, "module": cinema.root}
