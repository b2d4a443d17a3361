from fastapi import APIRouter

router = APIRouter()
ROUTER_PREFIX = "/api/v3"
ROUTER_NAME = "authors"


@router.get("/{author_id}")
async def read_author(author_id: int) -> dict[str, int]:
    return {"id": author_id}
