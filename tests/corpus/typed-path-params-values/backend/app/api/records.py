import uuid
from decimal import Decimal
from enum import Enum
from pathlib import Path

from fastapi import APIRouter

router = APIRouter(prefix="/records")


class Ward(Enum):
    CARDIOLOGY = "cardiology"
    PAEDIATRICS = "paediatrics"


@router.get("/patients/{patient_id}")
def patient(patient_id: uuid.UUID) -> dict[str, str]:
    return {"patient": str(patient_id), "version": str(patient_id.version)}


@router.get("/fees/{amount}")
def fee_with_tax(amount: Decimal) -> dict[str, str]:
    """Fee including 25 % VAT, rounded to the cent."""
    return {"total": str((amount * Decimal("1.25")).quantize(Decimal("0.01")))}


@router.get("/wards/{ward}")
def ward(ward: Ward) -> dict[str, str]:
    return {"ward": ward.value, "floor": "2" if ward is Ward.CARDIOLOGY else "3"}


@router.get("/scans/{scan}")
def scan(scan: Path) -> dict[str, str]:
    return {"name": scan.stem, "kind": scan.suffix.lstrip(".")}


@router.get("/tokens/{token}")
def token(token: bytes) -> dict[str, int]:
    return {"bytes": len(token)}
