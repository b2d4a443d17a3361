from fastapi import FastAPI

from fleet.mounting import attach
from fleet.versions import api_v1, api_v2

app = FastAPI(title="Fleet")
attach(app, "/api/v1", api_v1)
attach(app, prefix="/api/v2", sub=api_v2)


@app.get("/")
def index() -> dict[str, str]:
    return {"docs": "/api/v2/docs"}
