from fastapi import APIRouter

router = APIRouter(tags=["deliveries"])


@router.get("")
def list_deliveries() -> list[str]:
    return []
