from fastapi import FastAPI
from starlette.routing import Mount

from app.admin import admin
from app.routers import notes

app = FastAPI(routes=[Mount("/admin", app=admin)])
app.include_router(notes.router, prefix="/api")
