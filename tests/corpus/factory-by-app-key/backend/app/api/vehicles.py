from fastapi import APIRouter, Request

router = APIRouter(prefix="/vehicles", tags=["vehicles"])

VEHICLES = {"EL-12345": "van", "EL-67890": "truck"}


@router.get("/{plate}")
def vehicle(plate: str, request: Request) -> dict[str, str]:
    return {
        "plate": plate,
        "kind": VEHICLES.get(plate, "unknown"),
        "depot": request.app.state.depot,
    }
