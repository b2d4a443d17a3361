from fastapi import APIRouter

router = APIRouter()
ROUTER_PREFIX = "/api/v2"
ROUTER_NAME = ""


@router.get("/version")
async def version() -> dict[str, str]:
    return {"version": "2"}
