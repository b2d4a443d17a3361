from fastapi import APIRouter

from app.api.v1 import V1Router


class ApiRouter(APIRouter):
    """Every version of the API, under /api."""

    def __init__(self) -> None:
        super().__init__(prefix="/api")
        self.__v1_router = V1Router()
        self.include_router(self.__v1_router)
