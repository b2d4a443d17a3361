from fastapi import FastAPI

from routers import notes
from routers.health import router as health_router

app = FastAPI()

app.include_router(health_router)
app.include_router(notes.router, prefix="/api")
