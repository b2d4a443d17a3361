from app.hooks import expose, fetch


@expose("/")
async def list_sensors() -> list[str]:
    return ["t1"]


@expose("/{sensor_id}/readings", method="POST")
async def add_reading(sensor_id: str) -> dict[str, str]:
    return {"sensor": sensor_id}


@fetch("/{sensor_id}/latest")
async def latest_reading(sensor_id: str) -> dict[str, str]:
    return {"sensor": sensor_id}
