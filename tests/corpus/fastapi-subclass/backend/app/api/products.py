"""Products and price look-ups."""

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

router = APIRouter(prefix="/products", tags=["products"])


class Product(BaseModel):
    id: int
    name: str
    price_cents: int


PRODUCTS = [
    Product(id=10, name="Wool socks", price_cents=14900),
    Product(id=11, name="Rain jacket", price_cents=129900),
]


def _find(product_id: int) -> Product:
    for product in PRODUCTS:
        if product.id == product_id:
            return product
    raise HTTPException(404, "no such product")


@router.get("/search")
def search(q: str = Query(min_length=2)) -> list[Product]:
    return [product for product in PRODUCTS if q.lower() in product.name.lower()]


@router.get("/{product_id}")
def get_product(product_id: int) -> Product:
    return _find(product_id)


@router.get("/{product_id}/price")
def get_price(product_id: int, request: Request) -> dict[str, object]:
    """Price in the catalog's currency."""
    product = _find(product_id)
    return {"amount": product.price_cents / 100, "currency": request.app.state.currency}
