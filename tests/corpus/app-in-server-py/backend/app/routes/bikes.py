from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel


class Bike(BaseModel):
    id: int
    frame: str
    available: bool = True


FLEET = {7: Bike(id=7, frame="city"), 12: Bike(id=12, frame="cargo", available=False)}

router = APIRouter(prefix="/bikes", tags=["bikes"])


@router.get("/")
async def list_bikes(available: bool | None = Query(default=None)) -> list[Bike]:
    """Bikes, optionally only those free to rent."""
    bikes = list(FLEET.values())
    if available is not None:
        bikes = [bike for bike in bikes if bike.available == available]
    return bikes


@router.get("/{bike_id}")
async def get_bike(bike_id: int) -> Bike:
    if bike_id not in FLEET:
        raise HTTPException(404, "unknown bike")
    return FLEET[bike_id]
