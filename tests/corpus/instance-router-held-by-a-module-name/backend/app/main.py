from fastapi import FastAPI

from app.routes import routers

app = FastAPI(title="Net desk")

for route in routers:
    app.include_router(route)
