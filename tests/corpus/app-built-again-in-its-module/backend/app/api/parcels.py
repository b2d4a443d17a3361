from fastapi import APIRouter

router = APIRouter()

PARCELS = {1: "Lisbon", 2: "Porto"}


@router.get("/{parcel_id}")
def track_parcel(parcel_id: int) -> dict[str, str]:
    return {"city": PARCELS[parcel_id]}
