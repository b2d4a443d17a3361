from fastapi import APIRouter

api_router = APIRouter(tags=["API"], prefix="/api/v1")


@api_router.get("/members/{member_id}")
def get_member(member_id: int) -> dict[str, int]:
    return {"id": member_id}
