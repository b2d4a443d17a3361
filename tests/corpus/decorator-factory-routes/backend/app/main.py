from fastapi import FastAPI

from app.api import admin, gateway  # admin: routes on the gateway's router

app = FastAPI(title="Model gateway")
app.include_router(gateway.router, prefix="/v1")
gateway.register(app, {"model": "tiny"})
