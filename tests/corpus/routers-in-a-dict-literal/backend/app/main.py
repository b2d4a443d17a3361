from fastapi import FastAPI

from app.api.catalog import ROUTERS

app = FastAPI(title="Library")

for router in ROUTERS.values():
    app.include_router(router, prefix="/api")
