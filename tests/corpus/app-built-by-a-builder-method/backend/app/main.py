from fastapi import FastAPI

from app.api import orders


class AppBuilder:
    def build(self) -> FastAPI:
        app = FastAPI()
        app.include_router(orders.router, prefix="/api")
        return app


def create_app() -> FastAPI:
    builder = AppBuilder()
    return builder.build()
