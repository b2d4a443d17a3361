from fastapi import APIRouter

router = APIRouter(prefix="/components")

COMPONENTS = {"api": "operational", "dashboard": "operational", "login": "partial_outage"}


@router.get("/{name}")
def component(name: str) -> dict[str, str]:
    return {"name": name, "state": COMPONENTS.get(name, "unknown")}
