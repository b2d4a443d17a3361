"""Each endpoint module holds a router named like the module itself."""

from fastapi import APIRouter

from shop.api.v1.endpoints.orders import orders as orders_router
from shop.api.v1.endpoints.shelves import shelves

version_one = APIRouter(prefix="/api/v1")
version_one.include_router(shelves)
version_one.include_router(orders_router)
