from fastapi import FastAPI

from app.api import readings  # noqa: F401  (registers the routes)
from app.hooks import router

app = FastAPI(title="Sensors")
app.include_router(router, prefix="/api")
