from fastapi import APIRouter

router = APIRouter(tags=["vehicles"])


@router.get("/{vehicle_id}")
def get_vehicle(vehicle_id: int) -> dict[str, int]:
    return {"id": vehicle_id}
