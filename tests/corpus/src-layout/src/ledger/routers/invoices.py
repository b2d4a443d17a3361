"""Invoices and their payment."""

from decimal import Decimal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

router = APIRouter(prefix="/invoices", tags=["invoices"])


class Line(BaseModel):
    description: str
    amount: Decimal


class Payment(BaseModel):
    amount: Decimal
    reference: str


INVOICES: dict[int, list[Line]] = {
    1001: [Line(description="Bookkeeping, March", amount=Decimal("450.00"))],
    1002: [
        Line(description="Payroll run", amount=Decimal("120.00")),
        Line(description="VAT return", amount=Decimal("95.50")),
    ],
}
PAID: dict[int, Decimal] = {}


@router.get("/{invoice_id}")
async def get_invoice(invoice_id: int) -> dict[str, object]:
    lines = INVOICES.get(invoice_id)
    if lines is None:
        raise HTTPException(404, "no such invoice")
    total = sum((line.amount for line in lines), Decimal(0))
    return {"invoice_id": invoice_id, "total": str(total), "paid": str(PAID.get(invoice_id, 0))}


@router.get("/{invoice_id}/lines/{line_no}")
async def get_invoice_line(invoice_id: int, line_no: int) -> Line:
    try:
        return INVOICES[invoice_id][line_no - 1]
    except (KeyError, IndexError):
        raise HTTPException(404, "no such line") from None


@router.post("/{invoice_id}/pay")
def pay_invoice(invoice_id: int, payment: Payment) -> dict[str, str]:
    """Record a payment against an invoice."""
    PAID[invoice_id] = PAID.get(invoice_id, Decimal(0)) + payment.amount
    return {"invoice_id": str(invoice_id), "paid": str(PAID[invoice_id])}
