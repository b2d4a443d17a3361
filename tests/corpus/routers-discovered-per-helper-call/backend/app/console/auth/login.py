from fastapi import APIRouter

router = APIRouter()


@router.post("/login")
def login(username: str) -> dict[str, str]:
    return {"user": username}
