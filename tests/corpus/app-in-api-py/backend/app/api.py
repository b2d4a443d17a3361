"""Weather station network API."""

from fastapi import FastAPI

from app import stations

app = FastAPI(title="Stations", openapi_url="/openapi.json")
app.include_router(stations.router, tags=["stations"])
