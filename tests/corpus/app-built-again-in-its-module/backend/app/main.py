"""The parcel API, its app built again further down (as copied-in tutorial snippets leave it)."""

from fastapi import FastAPI

from app.api import parcels

app = FastAPI(title="Parcels, draft")
app.include_router(parcels.router, prefix="/draft")

# Only this app is served: the name holds it when servers import `app`.
app = FastAPI(title="Parcels")
app.include_router(parcels.router, prefix="/parcels")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "up"}
