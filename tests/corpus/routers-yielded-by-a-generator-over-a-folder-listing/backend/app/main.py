from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.routers import setup_routes


@asynccontextmanager
async def lifespan(app: FastAPI):
    setup_routes(app)
    yield


app = FastAPI(title="Shelf", lifespan=lifespan)
