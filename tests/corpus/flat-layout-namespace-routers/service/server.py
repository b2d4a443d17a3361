"""Served with `uvicorn server:app` from service/; routers/ has no __init__.py."""

from fastapi import FastAPI

from routers.stock import router as stock_router


def create_app() -> FastAPI:
    application = FastAPI(title="inventory")
    application.include_router(stock_router)
    return application


app = create_app()
