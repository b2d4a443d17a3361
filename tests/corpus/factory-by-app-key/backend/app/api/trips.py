from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(prefix="/trips")


class Trip(BaseModel):
    plate: str
    started: datetime
    km: float


TRIPS: list[Trip] = []


@router.post("", status_code=201)
async def log_trip(trip: Trip) -> dict[str, int]:
    """Record a finished trip."""
    TRIPS.append(trip)
    return {"trips": len(TRIPS)}


@router.get("/by-vehicle/{plate}")
async def trips_for(plate: str) -> list[Trip]:
    return [trip for trip in TRIPS if trip.plate == plate]
