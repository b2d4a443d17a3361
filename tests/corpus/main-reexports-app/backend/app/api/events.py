from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from app.calendar import Calendar

router = APIRouter(prefix="/events")


def get_calendar(request: Request) -> Calendar:
    return request.app.state.calendar


CalendarDep = Annotated[Calendar, Depends(get_calendar)]


@router.get("/{event_id}")
async def get_event(event_id: int, calendar: CalendarDep) -> dict[str, str]:
    if event_id not in calendar.events:
        raise HTTPException(404, "no such event")
    day, title = calendar.events[event_id]
    return {"date": day.isoformat(), "title": title}


@router.get("/on/{day}")
async def events_on(day: date, calendar: CalendarDep) -> list[str]:
    """Titles of the events on a day."""
    return [title for when, title in calendar.events.values() if when == day]
