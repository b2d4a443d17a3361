"""Starting and ending rentals."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header
from pydantic import BaseModel

router = APIRouter(prefix="/rentals")


class RentalRequest(BaseModel):
    bike_id: int
    start: date
    days: int = 1


def rider_id(x_rider_id: Annotated[str, Header()]) -> str:
    return x_rider_id.strip().lower()


Rider = Annotated[str, Depends(rider_id)]


@router.post("", status_code=201)
def start_rental(body: RentalRequest, rider: Rider) -> dict[str, object]:
    """Book a bike from a day, for a number of days."""
    return {"bike_id": body.bike_id, "rider": rider, "days": body.days}


@router.post("/{rental_id}/return")
def return_bike(rental_id: int, rider: Rider) -> dict[str, object]:
    """Hand the bike back."""
    return {"rental_id": rental_id, "rider": rider, "returned": True}
