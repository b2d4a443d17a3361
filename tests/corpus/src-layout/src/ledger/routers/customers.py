"""Customers; every route needs the back-office API key."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException


def require_api_key(x_api_key: Annotated[str | None, Header()] = None) -> None:
    if x_api_key != "back-office":
        raise HTTPException(status_code=401, detail="missing or wrong API key")


router = APIRouter(prefix="/customers", dependencies=[Depends(require_api_key)])

CUSTOMERS = {"c-17": "Harbour Bakery", "c-23": "Nordlys Studio"}


@router.get("")
def list_customers() -> dict[str, str]:
    return CUSTOMERS


@router.get("/{customer_id}")
def get_customer(customer_id: str) -> dict[str, str]:
    """One customer by id."""
    return {"id": customer_id, "name": CUSTOMERS.get(customer_id, "")}
