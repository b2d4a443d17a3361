"""The site and its API, a sub-application with its own docs, as FastAPI's "Sub Applications - Mounts" shows."""

from fastapi import FastAPI

from app.api import forecasts

app = FastAPI(title="Weather")


@app.get("/")
def home() -> dict[str, str]:
    return {"site": "weather"}


subapi = FastAPI(title="Weather API")
subapi.include_router(forecasts.router, prefix="/forecasts")


@subapi.get("/stations")
def stations() -> list[str]:
    return ["north", "south"]


app.mount("/api", subapi)
