from fastapi import FastAPI

from app.presentation.signup import signup_router


class App:
    def __init__(self, container: object) -> None:
        self.__container = container
        self.__api = FastAPI()
        self.__api.include_router(signup_router, prefix="/api")

    def get_api(self) -> FastAPI:
        return self.__api
