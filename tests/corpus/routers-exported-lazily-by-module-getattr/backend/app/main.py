from fastapi import FastAPI

from app import routers
from app.routers import items_router

app = FastAPI(title="Shop")
app.include_router(items_router, prefix="/api")
app.include_router(routers.accounts_router, prefix="/api")
