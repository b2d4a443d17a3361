from fastapi import FastAPI

from app.api.maps import cog

app = FastAPI(title="Maps")
app.include_router(cog.router, prefix="/cog", tags=["Cloud Optimized GeoTIFF"])


@app.get("/healthz")
def ping() -> dict[str, str]:
    return {"ping": "pong"}
