from uuid import UUID

from fastapi import APIRouter

router = APIRouter(prefix="/flows", tags=["Flows"])


@router.get("/", status_code=200)
async def read_flows(*, remove_example_flows: bool = False) -> list[str]:
    return ["basic"]


@router.get("/{flow_id}")
async def read_flow(flow_id: UUID) -> dict[str, str]:
    return {"id": str(flow_id)}
