"""The clinic's schedule, addressed by dates, times and durations in the path."""

import datetime as dt
from datetime import timedelta

from fastapi import APIRouter

router = APIRouter(prefix="/schedule")

OPENING = dt.time(8, 0)
CLOSING = dt.time(16, 30)


@router.get("/days/{day}")
def day_schedule(day: dt.date) -> dict[str, object]:
    """Opening hours on a day (closed on weekends)."""
    open_today = day.weekday() < 5
    return {"day": day.isoformat(), "open": open_today}


@router.get("/slots/{start}")
async def slot(start: dt.datetime) -> dict[str, str]:
    return {"start": start.isoformat(), "ends": (start + timedelta(minutes=20)).isoformat()}


@router.get("/open-at/{at}")
def open_at(at: dt.time) -> dict[str, bool]:
    return {"open": OPENING <= at < CLOSING}


@router.get("/fits/{length}")
def fits_in_a_day(length: timedelta) -> dict[str, bool]:
    day = dt.datetime.combine(dt.date.min, CLOSING) - dt.datetime.combine(dt.date.min, OPENING)
    return {"fits": length <= day}
