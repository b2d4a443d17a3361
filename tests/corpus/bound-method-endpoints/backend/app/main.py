from fastapi import FastAPI

from app.api import bookmarks

app = FastAPI(title="Bookmarks")
app.include_router(bookmarks.router, prefix="/v1")
