from fastapi import FastAPI

from app.api import board, tags  # noqa: F401  (tags declares the tag routes)
from app.api.bots import EchoBot
from app.api.notes import admin_router, notes

app = FastAPI(title="Notes")
app.include_router(notes.router, prefix="/v1")
app.include_router(admin_router, prefix="/v1")
EchoBot().attach(app)
# Every route on the app itself (so app.routes lists each one with its guard).
app.router.routes.extend(board.routes.router.routes)
