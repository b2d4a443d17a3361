from fastapi import APIRouter

router = APIRouter()

QUEUES = {"ana": [1], "ben": [2]}


@router.get("/{agent_name}/queue")
async def agent_queue(agent_name: str) -> list[int]:
    """Tickets assigned to an agent."""
    return QUEUES.get(agent_name, [])
