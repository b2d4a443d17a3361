"""Batch routes declared with the service's decorators, imported."""

from app.api.service import admin, service


@service.route("/{model_id}/batch", methods=["PUT"])
async def submit_batch(model_id: str) -> dict[str, str]:
    return {"batch": model_id}


async def cancel_batch(model_id: str) -> dict[str, str]:
    return {"cancelled": model_id}


service.post("/{model_id}/cancel")(cancel_batch)


@admin.route("/reload", methods=["POST"])
async def reload_models() -> dict[str, bool]:
    return {"reloaded": True}
