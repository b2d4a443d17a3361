from app.routing import Router

router = Router(prefix="/invoices", tags=["invoices"])

INVOICES = {7: 120.0, 8: 99.5}


@router.get("/{invoice_id}")
async def get_invoice(invoice_id: int) -> dict[str, float]:
    """One invoice's total."""
    return {"total": INVOICES[invoice_id]}


@router.post("/{invoice_id}/void")
async def void_invoice(invoice_id: int) -> dict[str, bool]:
    INVOICES.pop(invoice_id, None)
    return {"voided": True}
