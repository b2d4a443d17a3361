"""The kiosk API, wrapped twice under the name servers import (as a Socket.IO app then CORS)."""

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware import gzip

from app.api import screens

api = FastAPI(title="Kiosk")
api.include_router(screens.router)


@api.get("/health")
def health() -> dict[str, str]:
    return {"status": "up"}


# `app` first wraps `api` (as `socketio.ASGIApp(sio, other_asgi_app=api)` does: a class read
# from a module), then itself.
app = gzip.GZipMiddleware(api, minimum_size=512)
app = CORSMiddleware(app, allow_origins=["https://kiosk.example"], allow_methods=["GET"])
