from fastapi import FastAPI


class Service:
    def __init__(self, name: str) -> None:
        self.app = FastAPI(title=name)
        self.name = name


service = Service("billing")
app = service.app
