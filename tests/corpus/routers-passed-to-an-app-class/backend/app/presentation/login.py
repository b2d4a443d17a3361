from fastapi import APIRouter

login_router = APIRouter(prefix="/login")


@login_router.post("")
def login() -> dict[str, str]:
    return {"token": "t"}
