"""Items on the shelves: list, look up, receive, adjust and write off stock."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

router = APIRouter(prefix="/items", tags=["items"])


class Item(BaseModel):
    sku: str
    name: str
    quantity: int = Field(ge=0)


class Adjustment(BaseModel):
    delta: int
    reason: str = "recount"


_SHELF: dict[int, Item] = {
    1: Item(sku="BLT-10", name="Hex bolt M10", quantity=250),
    2: Item(sku="NUT-10", name="Hex nut M10", quantity=400),
}


def shelf() -> dict[int, Item]:
    return _SHELF


Shelf = Annotated[dict[int, Item], Depends(shelf)]


@router.get("")
def list_items(stock: Shelf, min_quantity: int = 0) -> list[Item]:
    """List the items with at least `min_quantity` in stock."""
    return [item for item in stock.values() if item.quantity >= min_quantity]


@router.get("/{item_id}")
def get_item(item_id: int, stock: Shelf) -> Item:
    """One item by its number."""
    if item_id not in stock:
        raise HTTPException(status_code=404, detail="no such item")
    return stock[item_id]


@router.post("", status_code=201)
async def receive_item(item: Item, stock: Shelf) -> dict[str, int]:
    # Numbers are never reused, so the next one is one past the largest.
    item_id = max(stock, default=0) + 1
    stock[item_id] = item
    return {"item_id": item_id}


@router.patch("/{item_id}/quantity")
def adjust_quantity(item_id: int, adjustment: Adjustment, stock: Shelf) -> Item:
    """Correct the counted quantity of an item."""
    item = stock[item_id]
    item.quantity = max(0, item.quantity + adjustment.delta)
    return item


@router.delete("/{item_id}", status_code=204)
def write_off(item_id: int, stock: Shelf) -> None:
    stock.pop(item_id, None)
