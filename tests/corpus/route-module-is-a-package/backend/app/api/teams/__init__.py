from fastapi import APIRouter

from .roster import ROSTER

router = APIRouter()


@router.get("/{team}")
async def team(team: str) -> dict[str, list[str]]:
    """The team's roster."""
    return {"players": ROSTER.get(team, [])}
