from fastapi import FastAPI

from app.api import albums, logs, tracks

app = FastAPI(title="Music")
app.include_router(tracks.router, prefix="/api")
app.include_router(albums.router)
app.include_router(logs.router)
