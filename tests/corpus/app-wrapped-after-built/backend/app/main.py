"""The kiosk API, served behind ASGI wrappers applied by hand (as Socket.IO apps are)."""

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from app.api import screens

app = FastAPI(title="Kiosk")
app.include_router(screens.router)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "up"}


# The name `app` ends up on the outermost wrapper, which is what servers import.
app = GZipMiddleware(app, minimum_size=512)
served = CORSMiddleware(app=app, allow_origins=["https://kiosk.example"], allow_methods=["GET"])
app = served
