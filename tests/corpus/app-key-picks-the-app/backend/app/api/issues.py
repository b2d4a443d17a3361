from fastapi import APIRouter, HTTPException
from fastapi.responses import PlainTextResponse

router = APIRouter(prefix="/issues")

ISSUES = {
    41: "Spring gardening: what to sow in April.",
    42: "Composting without the smell.",
}


@router.get("/latest")
def latest_issue() -> dict[str, int]:
    return {"number": max(ISSUES)}


@router.get("/{number}", response_class=PlainTextResponse)
def read_issue(number: int) -> str:
    """The issue's text."""
    if number not in ISSUES:
        raise HTTPException(404, "no such issue")
    return ISSUES[number]
