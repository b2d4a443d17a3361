from fastapi import FastAPI

from app.api import parcels

app = FastAPI(title="Parcels")
app.include_router(parcels.router)
