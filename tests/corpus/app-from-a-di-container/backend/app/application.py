from fastapi import APIRouter, Depends, FastAPI

from app.core.containers import AppContainer, init_di_context
from app.views.decks import router as decks_router


def get_router() -> APIRouter:
    router = APIRouter(dependencies=[Depends(init_di_context)])
    router.include_router(decks_router)
    return router


def create_app() -> FastAPI:
    app = AppContainer.app_factory.resolve_sync()
    router = get_router()
    app.include_router(router, prefix="/api")
    return app
