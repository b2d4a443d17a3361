from fastapi import APIRouter

router = APIRouter()

ORDERS = {7: "shipped"}


@router.get("/{order_id}")
def read_order(order_id: int) -> dict[str, str]:
    return {"state": ORDERS.get(order_id, "unknown")}
