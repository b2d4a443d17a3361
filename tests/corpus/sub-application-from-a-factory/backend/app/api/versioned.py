"""The public API, a FastAPI app of its own with its own docs, built by a factory."""

from fastapi import FastAPI

from app.api import orders


def build_api() -> FastAPI:
    api = FastAPI(title="Shop API", docs_url="/docs")
    api.include_router(orders.router, prefix="/orders")
    return api
