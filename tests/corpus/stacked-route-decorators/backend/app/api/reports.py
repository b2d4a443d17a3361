"""Sales reports. Some routes keep their pre-4.0 paths as aliases."""

from fastapi import APIRouter

router = APIRouter(prefix="/reports")

SALES = {"2025-01-02": 1830, "2025-01-03": 2210}
TEAMS = {"north": [410, 380], "south": [520, 600]}


@router.get("/daily/{day}")
@router.get("/day/{day}")
def daily_report(day: str) -> dict[str, object]:
    """Sales of one day (also served under its old path)."""
    return {"day": day, "sales": SALES.get(day, 0)}


@router.get("/summary")
@router.post("/summary/refresh")
async def summary() -> dict[str, int]:
    return {"total": sum(SALES.values())}


@router.get("/teams/{team}")
@router.get("/teams/{team}/weeks/{week}")
def team_report(team: str, week: int | None = None) -> dict[str, object]:
    weeks = TEAMS.get(team, [])
    if week is None:
        return {"team": team, "sales": sum(weeks)}
    return {"team": team, "week": week, "sales": weeks[week - 1] if 0 < week <= len(weeks) else 0}


@router.get("/best-day")
def best_day() -> dict[str, str]:
    return {"day": max(SALES, key=SALES.__getitem__)}
