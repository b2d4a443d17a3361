from fastapi import APIRouter, FastAPI


class App:
    def __init__(self, container: object, routers: list[APIRouter]) -> None:
        self.container = container
        self.api = FastAPI()
        for router in routers:
            self.api.include_router(router, prefix="/api")
