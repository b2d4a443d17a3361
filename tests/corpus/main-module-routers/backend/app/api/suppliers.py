"""Who we buy from."""

from fastapi import APIRouter

router = APIRouter(prefix="/suppliers")

SUPPLIERS = {"acme": "Acme Fasteners", "boltco": "BoltCo Ltd"}


@router.get("/{supplier_code}")
async def get_supplier(supplier_code: str) -> dict[str, str]:
    return {"code": supplier_code, "name": SUPPLIERS.get(supplier_code, "unknown")}


@router.get("/{supplier_code}/catalogue/{sku}")
async def supplier_catalogue_entry(supplier_code: str, sku: str) -> dict[str, str]:
    """A supplier's entry for one of our SKUs."""
    return {"supplier": supplier_code, "sku": sku}
