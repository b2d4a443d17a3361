from typing import Any

from fastapi import FastAPI

from app.api.members import api_router


def patch_ioc() -> None:
    return None


class DemonstrationApplication:
    app = FastAPI(title="API Demonstration Server")

    def __call__(self, *args: Any, **kwargs: Any) -> FastAPI:
        # A server given the instance calls it as a factory (`uvicorn application:demoapplication`).
        patch_ioc()
        self.app.include_router(api_router, prefix="/members-api")
        return self.app


demoapplication = DemonstrationApplication()
