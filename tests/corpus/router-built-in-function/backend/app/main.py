from fastapi import FastAPI

from app.api.bookmarks import build_router

app = FastAPI(title="Bookmarks")
app.include_router(build_router(read_only=False))
