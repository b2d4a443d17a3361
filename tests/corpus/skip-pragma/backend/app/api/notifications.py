from fastapi import APIRouter

router = APIRouter(prefix="/notifications")

INBOX = {1: ["Your parcel has shipped", "New login from Bergen"], 2: []}


@router.get("/health")  # telemetry-scaffold: skip
def notifications_health() -> dict[str, str]:
    """Polled by the load balancer every second: not worth an event."""
    return {"status": "ok"}


@router.get("/ping")
def ping(): return {"pong": True}  # telemetry-scaffold: skip


@router.get("/{user_id}")
def inbox(user_id: int) -> list[str]:
    """Unread notifications of a user."""
    return INBOX.get(user_id, [])


@router.post("/{user_id}/read-all")
def mark_all_read(user_id: int) -> dict[str, int]:  # telemetry-scaffold: skip
    read = len(INBOX.get(user_id, []))
    INBOX[user_id] = []
    return {"read": read}


@router.get("/{user_id}/count")
async def unread_count(user_id: int) -> dict[str, int]:
    return {"unread": len(INBOX.get(user_id, []))}
