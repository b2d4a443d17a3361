"""The shop and its back office, served by two processes from this one module."""

from fastapi import FastAPI

from app.api import basket

public_app = FastAPI(title="Shop")
public_app.include_router(basket.router)

admin_app = FastAPI(title="Shop admin")


@admin_app.get("/orders/count")
def order_count() -> dict[str, int]:
    return {"orders": 0}
