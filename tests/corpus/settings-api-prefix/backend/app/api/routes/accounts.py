from fastapi import APIRouter

from app.core.config import settings

# A prefix only known at run time: logged as router.prefix, under the include prefix.
router = APIRouter(prefix=settings.ACCOUNTS_PREFIX)


@router.get("/{account_id}")
def read_account(account_id: str) -> dict[str, str]:
    return {"account": account_id}
