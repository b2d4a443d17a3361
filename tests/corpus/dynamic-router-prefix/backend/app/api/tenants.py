from fastapi import APIRouter

from app.config import settings

router = APIRouter(prefix=settings.API_PREFIX)

MEMBERS = {"acme": ["ola", "kari"], "globex": ["hank"]}


@router.get("/tenants/{tenant_id}")
def tenant(tenant_id: str) -> dict[str, object]:
    return {"tenant": tenant_id, "known": tenant_id in MEMBERS}


@router.get("/tenants/{tenant_id}/members")
def members(tenant_id: str) -> list[str]:
    """Members of a tenant."""
    return MEMBERS.get(tenant_id, [])
