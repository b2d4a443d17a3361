"""Admin routes declared with the gateway's own route decorators, imported."""

from app.api.gateway import get, post, put, route_on, router


@get("/{model_id}/stats")
async def model_stats(model_id: str) -> dict[str, int]:
    return {"requests": 0}


@post("/{model_id}/reload", status_code=202)
async def reload_model(model_id: str) -> dict[str, str]:
    return {"reloaded": model_id}


@put("/{model_id}/config")
async def configure(model_id: str, body: dict[str, str]) -> dict[str, str]:
    return {"model": model_id, **body}


async def unload_model(model_id: str) -> dict[str, str]:
    return {"unloaded": model_id}


async def model_health(model_id: str) -> dict[str, str]:
    return {"model": model_id, "status": "ok"}


async def rename_model(model_id: str, name: str) -> dict[str, str]:
    return {"model": model_id, "name": name}


# The same decorators applied by hand.
post("/{model_id}/unload")(unload_model)
get("/{model_id}/health")(model_health)
put("/{model_id}/name")(rename_model)


@route_on(router, "/{model_id}/warmup", methods=["POST"])
async def warm_up(model_id: str) -> dict[str, str]:
    return {"warm": model_id}
