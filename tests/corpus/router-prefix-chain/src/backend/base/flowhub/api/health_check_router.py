from fastapi import APIRouter

health_check_router = APIRouter(tags=["Health Check"])


@health_check_router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
