from fastapi import FastAPI

from app.api import API_ROUTERS, status

# A name the loops below rebind: the routers included are the loops' items, not this.
router = None

app = FastAPI(title="Library")

for router in API_ROUTERS:
    app.include_router(router, prefix="/api/v1")

for router in (status.router, status.admin):
    app.include_router(router, prefix="/internal", tags=["internal"])
