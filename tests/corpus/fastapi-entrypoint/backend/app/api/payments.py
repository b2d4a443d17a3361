from decimal import Decimal
from typing import Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

router = APIRouter(prefix="/payments")


class PaymentIn(BaseModel):
    amount: Decimal
    currency: Literal["EUR", "USD", "NOK"]


PAYMENTS: dict[str, PaymentIn] = {"pay_001": PaymentIn(amount=Decimal("12.00"), currency="EUR")}


@router.post("", status_code=201)
async def create_payment(payment: PaymentIn) -> dict[str, str]:
    payment_id = f"pay_{len(PAYMENTS) + 1:03d}"
    PAYMENTS[payment_id] = payment
    return {"id": payment_id}


@router.get("/{payment_id}")
async def get_payment(payment_id: str) -> PaymentIn:
    """Status of a payment."""
    if payment_id not in PAYMENTS:
        raise HTTPException(404, "unknown payment")
    return PAYMENTS[payment_id]


@router.post("/{payment_id}/refund")
async def refund_payment(payment_id: str) -> dict[str, str]:
    return {"id": payment_id, "status": "refund_requested"}
