"""A to-do API in the flat layout: `uvicorn main:app` from this folder."""

from fastapi import FastAPI

import settings
from routers import todos, users

app = FastAPI(title=settings.TITLE)
app.include_router(todos.router)
app.include_router(users.router, prefix="/users")


@app.get("/")
def index() -> dict[str, str]:
    return {"service": settings.TITLE}
