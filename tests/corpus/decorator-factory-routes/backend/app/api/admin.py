"""Admin routes declared with the gateway's own route decorator, imported."""

from app.api.gateway import get


@get("/{model_id}/stats")
async def model_stats(model_id: str) -> dict[str, int]:
    return {"requests": 0}
