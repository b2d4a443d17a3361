import importlib

from fastapi import APIRouter

from app.discover import include_router

router = APIRouter(prefix="/platform/api")

module = importlib.import_module(__name__)
include_router(module, router)
