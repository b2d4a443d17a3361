from fastapi import APIRouter

router = APIRouter()


@router.get("")
def ping() -> str:
    return "pong"


ping_router = {"router": router, "prefix": "/ping"}
