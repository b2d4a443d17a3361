from typing import Annotated

from fastapi import APIRouter, Body, HTTPException
from pydantic import BaseModel

router = APIRouter()


class Ticket(BaseModel):
    id: int
    subject: str
    comments: list[str] = []


TICKETS = {
    1: Ticket(id=1, subject="Printer on floor 3 is jammed"),
    2: Ticket(id=2, subject="VPN drops every hour"),
}


@router.get("/")
def list_tickets() -> list[Ticket]:
    return list(TICKETS.values())


@router.get("/{ticket_id}")
def get_ticket(ticket_id: int) -> Ticket:
    """A ticket with its comments."""
    if ticket_id not in TICKETS:
        raise HTTPException(404, "ticket not found")
    return TICKETS[ticket_id]


@router.post("/{ticket_id}/comments", status_code=201)
def add_comment(ticket_id: int, text: Annotated[str, Body(embed=True)]) -> Ticket:
    ticket = TICKETS[ticket_id]
    ticket.comments.append(text)
    return ticket
