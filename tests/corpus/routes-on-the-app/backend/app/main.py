"""Public status page: overall status and incidents on the app, components on a router."""

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from app.api import components

app = FastAPI(title="Status")
app.include_router(components.router)


class Incident(BaseModel):
    id: int
    title: str
    resolved: bool


INCIDENTS = {
    311: Incident(id=311, title="Elevated API latency", resolved=True),
    312: Incident(id=312, title="Login failures in eu-north", resolved=False),
}


@app.get("/status")
async def overall_status() -> dict[str, str]:
    """The worst status of any component."""
    return {"status": "degraded" if any(not i.resolved for i in INCIDENTS.values()) else "ok"}


@app.get("/incidents/{incident_id}")
def incident(incident_id: int) -> Incident:
    if incident_id not in INCIDENTS:
        raise HTTPException(404, "no such incident")
    return INCIDENTS[incident_id]


def _open_incidents() -> list[Incident]:
    return [i for i in INCIDENTS.values() if not i.resolved]


@app.post("/incidents/{incident_id}/resolve")
def resolve_incident(incident_id: int) -> Incident:
    INCIDENTS[incident_id].resolved = True
    return INCIDENTS[incident_id]
