"""Path parameters whose Python name differs from the URL's (Path(alias=...))."""

from typing import Annotated

from fastapi import APIRouter, Path

router = APIRouter(prefix="/parcels", tags=["parcels"])

STATES = {"AB12": "in transit", "CD34": "delivered"}


@router.get("/{code}")
def parcel(code: str) -> dict[str, str]:
    return {"code": code, "state": STATES.get(code, "unknown")}


@router.get("/{id}/history")
def history(parcel_id: Annotated[str, Path(alias="id")]) -> list[str]:
    return ["accepted", STATES.get(parcel_id, "unknown")]


@router.get("/{id}/events/{n}")
def event(n: int, *, parcel_id: str = Path(alias="id")) -> dict[str, object]:
    return {"parcel": parcel_id, "n": n}
