"""A helper given the app: it includes routers paired with the path each is served under."""

from fastapi import APIRouter, FastAPI


class RouterBase:
    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def include_routers(self, routers: list[tuple[APIRouter, str]]) -> None:
        for router, path in routers:
            self.app.include_router(router, prefix=path)
