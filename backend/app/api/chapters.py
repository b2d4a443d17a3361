"""Chapter content served from a small in-memory catalogue."""

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from app.analytics.event_logger import event_logger

router = APIRouter(prefix="/api/chapters", tags=["chapters"])


class Chapter(BaseModel):
    """One chapter of the textbook."""

    id: str
    title: str
    summary: str
    sections: list[str]


# The catalogue is static content; a real deployment would load it from the book sources.
_CATALOGUE: dict[str, Chapter] = {
    chapter.id: chapter
    for chapter in (
        Chapter(
            id="intro-to-robotics",
            title="Introduction to Robotics",
            summary="What robots are, how they sense the world and how they act on it.",
            sections=["What is a robot?", "Sensors", "Actuators"],
        ),
        Chapter(
            id="kinematics",
            title="Kinematics",
            summary="Describing motion: frames, joints and forward kinematics.",
            sections=["Coordinate frames", "Joints and links", "Forward kinematics"],
        ),
        Chapter(
            id="control-basics",
            title="Control Basics",
            summary="Feedback loops and the PID controller.",
            sections=["Open and closed loops", "The PID controller", "Tuning"],
        ),
    )
}


@router.get("/{chapter_id}", response_model=Chapter)
def get_chapter(chapter_id: str) -> Chapter:
    """Return one chapter of the textbook by its id."""
    event_logger.log(
        "chapter_visit",
        {
            "route": "/api/chapters/{chapter_id}",
            "method": "GET",
            "handler": "get_chapter",
            "block_type": "chapters",
            "chapter_id": chapter_id,
        },
    )
    chapter = _CATALOGUE.get(chapter_id)
    if chapter is None:
        raise HTTPException(status_code=404, detail=f"Chapter {chapter_id!r} not found")
    return chapter
