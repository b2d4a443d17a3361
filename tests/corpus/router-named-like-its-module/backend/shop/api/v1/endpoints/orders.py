from fastapi import APIRouter

orders = APIRouter(prefix="/orders", tags=["orders"])


@orders.post("/{order_id}/pay")
def pay_order(order_id: int) -> dict[str, int]:
    return {"paid": order_id}
