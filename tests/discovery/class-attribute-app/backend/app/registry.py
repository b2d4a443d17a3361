from fastapi import FastAPI


class Registry:
    """Holds the one app of the process on the class, built once at start-up."""

    APP = None

    @classmethod
    def build(cls) -> None:
        cls.APP = FastAPI(title="Registry")

    @classmethod
    def get(cls) -> FastAPI:
        return cls.APP
