from fastapi import *
from fastapi.security import *
from typing import *
from pydantic import *


class Board(APIRouter):
    def __init__(self) -> None:
        super().__init__(prefix="/board")

        @self.get("/all")
        async def boards() -> list[str]:
            return []


class TodoApp(FastAPI):
    def __init__(self) -> None:
        super().__init__()
        self.include_router(Board())


app = TodoApp()
