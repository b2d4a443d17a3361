from fastapi import FastAPI

from app.controllers.ping_controller import ping_router
from app.controllers.vehicle_controller import vehicle_router

routers = [
    vehicle_router,
    ping_router,
]


def _init_app():
    app = FastAPI()
    configure_routers(app)
    return app


def configure_routers(app):
    for router in routers:
        app.include_router(**router)


app = _init_app()
