from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Mount

from app.admin import admin
from app.routers import notes


async def ping() -> dict[str, bool]:
    return {"pong": True}


app = FastAPI(
    routes=[
        APIRoute("/ping", ping, methods=["GET"]),
        Mount("/admin", app=admin),
    ]
)
app.include_router(notes.router, prefix="/api")
