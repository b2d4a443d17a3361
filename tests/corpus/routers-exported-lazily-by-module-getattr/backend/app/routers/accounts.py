from fastapi import APIRouter

accounts_router = APIRouter(prefix="/accounts")


@accounts_router.post("")
async def open_account(name: str) -> dict[str, str]:
    return {"name": name}
