from fastapi import FastAPI

import app.modules  # noqa: F401  (each route module adds its router to ROUTERS)
from app.registry import ROUTERS

app = FastAPI(title="Fleet")
for router in ROUTERS:
    app.include_router(router, prefix="/api")


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
