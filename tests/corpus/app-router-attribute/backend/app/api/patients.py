from fastapi import APIRouter

router = APIRouter(prefix="/patients")


@router.get("/{patient_id}")
def read_patient(patient_id: int) -> dict[str, int]:
    """One patient (this module: a BOM and CRLF line endings)."""
    return {"id": patient_id}
