from fastapi import APIRouter

router = APIRouter(prefix="/auth")


@router.post("/token")
def token() -> dict[str, str]:
    return {"access_token": "t"}
