"""A helper given the app and a base prefix: it includes routers under the prefix plus a path."""

from fastapi import APIRouter, FastAPI


class RouterBase:
    def __init__(self, app: FastAPI, prefix: str = "/api/v1") -> None:
        self.app = app
        self.prefix = prefix

    def include_routers(self, routers: list[tuple[APIRouter, str]]) -> None:
        for router, path in routers:
            self.app.include_router(router, prefix=self.prefix + path)
