from fastapi import FastAPI

from app.api import tags  # noqa: F401  (declares the tag routes)
from app.api.bots import EchoBot
from app.api.notes import admin_router, notes

app = FastAPI(title="Notes")
app.include_router(notes.router, prefix="/v1")
app.include_router(admin_router, prefix="/v1")
EchoBot().attach(app)
