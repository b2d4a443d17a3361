from fastapi import APIRouter

auth_router = APIRouter()


@auth_router.post("/login")
def login_user(organization: str) -> dict[str, str]:
    return {"organization": organization, "token": "t"}
