from enum import Enum

from fastapi import HTTPException
from pydantic import BaseModel

from app.routing import VersionedRouter

router = VersionedRouter(version=2, prefix="/orders", tags=["orders"])


class OrderState(str, Enum):
    placed = "placed"
    packed = "packed"
    shipped = "shipped"


class Order(BaseModel):
    id: int
    state: OrderState


ORDERS = {501: Order(id=501, state=OrderState.packed)}


@router.get("/{order_id}")
def get_order(order_id: int) -> Order:
    """One order and where it is."""
    if order_id not in ORDERS:
        raise HTTPException(404, "unknown order")
    return ORDERS[order_id]


@router.post("/{order_id}/ship")
def ship_order(order_id: int) -> Order:
    order = ORDERS[order_id]
    order.state = OrderState.shipped
    return order


@router.get("/by-state/{state}")
def orders_in_state(state: OrderState) -> list[int]:
    return [order.id for order in ORDERS.values() if order.state == state]
