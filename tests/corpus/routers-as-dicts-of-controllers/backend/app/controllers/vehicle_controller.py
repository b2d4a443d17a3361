from fastapi import APIRouter

router = APIRouter()


@router.get("/{vehicle_id}")
def get_vehicle(vehicle_id: int) -> dict[str, int]:
    return {"id": vehicle_id}


vehicle_router = dict(router=router, prefix="/vehicles", tags=["vehicles"])
