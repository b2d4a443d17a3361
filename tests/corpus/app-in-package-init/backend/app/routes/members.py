from fastapi import APIRouter

router = APIRouter(prefix="/members")


@router.get("/{member_id}")
def get_member(member_id: int) -> dict[str, int]:
    return {"member_id": member_id}
