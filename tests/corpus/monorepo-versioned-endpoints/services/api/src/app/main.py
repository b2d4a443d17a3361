"""The API: both versions, each under its own prefix."""

from fastapi import FastAPI

from app.api.v1.api import api_router as v1_router
from app.api.v2.api import api_router as v2_router

app = FastAPI(title="Users")
app.include_router(v1_router, prefix="/api/v1")
app.include_router(v2_router, prefix="/api/v2")
