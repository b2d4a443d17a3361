from fastapi import APIRouter

signup_router = APIRouter(prefix="/signup")


@signup_router.post("/{plan}")
def signup(plan: str) -> dict[str, str]:
    return {"plan": plan}
