"""The accounts router and its shared dependencies; routes live in app.api.accounts."""

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException

router = APIRouter(prefix="/accounts", tags=["accounts"])


def current_account(x_account: Annotated[str | None, Header()] = None) -> str:
    if not x_account:
        raise HTTPException(status_code=401, detail="sign in first")
    return x_account


BALANCES = {"acc-1": 1250, "acc-2": -40}
