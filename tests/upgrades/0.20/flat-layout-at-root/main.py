"""A to-do API in the flat layout: `uvicorn main:app` from this folder."""

from fastapi import FastAPI

import settings
from analytics.error_capture import install_error_capture
from analytics.telemetry_router import router as telemetry_router
from routers import todos, users

app = FastAPI(title=settings.TITLE)
app.include_router(todos.router)
app.include_router(users.router, prefix="/users")
app.include_router(telemetry_router)
install_error_capture(app)


@app.get("/")
def index() -> dict[str, str]:
    return {"service": settings.TITLE}
