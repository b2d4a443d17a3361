from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from app import settings

router = APIRouter(prefix="/flags", tags=["flags"])


class FlagUpdate(BaseModel):
    enabled: bool
    rollout_percent: int = 100


FLAGS: dict[str, FlagUpdate] = {"new-checkout": FlagUpdate(enabled=True, rollout_percent=25)}


@router.get("")
def list_flags() -> dict[str, FlagUpdate]:
    return FLAGS


@router.put("/{flag_key}")
def set_flag(flag_key: str, update: FlagUpdate) -> FlagUpdate:
    """Create or replace a flag."""
    FLAGS[flag_key] = update
    return update


if settings.BETA_ROUTES:

    @router.get("/{flag_key}/rollout")
    def rollout(flag_key: str) -> dict[str, int]:
        """Share of users who see the flag on (beta)."""
        if flag_key not in FLAGS:
            raise HTTPException(404, "unknown flag")
        flag = FLAGS[flag_key]
        return {"percent": flag.rollout_percent if flag.enabled else 0}
