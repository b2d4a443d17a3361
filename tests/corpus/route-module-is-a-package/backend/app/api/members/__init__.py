"""Members of the club."""

from fastapi import APIRouter, HTTPException

from app.api.members.store import MEMBERS

router = APIRouter(prefix="/members", tags=["members"])


@router.get("/")
def list_members() -> list[str]:
    return sorted(MEMBERS.values())


@router.get("/{member_id}")
def member(member_id: int) -> dict[str, object]:
    if member_id not in MEMBERS:
        raise HTTPException(404, "no such member")
    return {"id": member_id, "name": MEMBERS[member_id]}
