from fastapi import APIRouter

router = APIRouter(prefix="/basket")


@router.get("/{basket_id}")
def get_basket(basket_id: int) -> dict[str, int]:
    return {"basket": basket_id, "items": 0}
