from fastapi import APIRouter

router = APIRouter(prefix="/shipments")
SHIPMENTS = {7: "in transit"}


@router.get("/{shipment_id}")
def track_shipment(shipment_id: int) -> dict[str, str]:
    return {"status": SHIPMENTS.get(shipment_id, "unknown")}


@router.post("")
def create_shipment() -> dict[str, int]:
    SHIPMENTS[8] = "created"
    return {"id": 8}
