"""HTTP entry point of the bike rental service (`uvicorn app.server:app`)."""

from fastapi import FastAPI

from app.routes import bikes, rentals

app = FastAPI(title="Pedal Rentals")
app.include_router(bikes.router)
# Rentals moved to a versioned path when payments were added.
app.include_router(rentals.router, prefix="/v1")
