from fastapi import FastAPI

from app.domain import App


class AppContainer:
    pass


def bootstrap(container: object = AppContainer()) -> FastAPI:
    application = App(container)

    return application.get_api()
