from typing import Annotated

from fastapi import Depends, HTTPException

from app.api.deps import BALANCES, current_account, router

CurrentAccount = Annotated[str, Depends(current_account)]


@router.get("/me")
def whoami(account: CurrentAccount) -> dict[str, str]:
    return {"account": account}


@router.get("/{account_id}/balance")
def balance(account_id: str, account: CurrentAccount) -> dict[str, int]:
    """Balance in cents; only the owner may look."""
    if account != account_id:
        raise HTTPException(403, "not your account")
    return {"balance": BALANCES.get(account_id, 0)}
