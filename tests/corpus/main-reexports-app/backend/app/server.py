from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api import events
from app.calendar import Calendar


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.calendar = Calendar()
    yield


app = FastAPI(title="Agenda", lifespan=lifespan)
app.include_router(events.router)
