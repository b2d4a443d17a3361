from fastapi import APIRouter

from analytics.event_logger import event_logger

router = APIRouter()


@router.get("/{username}")
async def get_user(username: str) -> dict[str, str]:
    event_logger.log(
        "user_viewed",
        {
            "route": "/users/{username}",
            "method": "GET",
            "handler": "get_user",
            "block_type": "users",
            "username": username,
        },
    )
    return {"username": username}
