from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

router = APIRouter(prefix="/devices")


def registry(request: Request) -> dict[str, str]:
    return request.app.state.registry


Registry = Annotated[dict[str, str], Depends(registry)]


@router.get("/{device_id}")
async def device_status(device_id: str, devices: Registry) -> dict[str, str]:
    """Whether a device is online."""
    if device_id not in devices:
        raise HTTPException(404, "unknown device")
    return {"device": device_id, "status": devices[device_id]}


@router.post("/{device_id}/reboot", status_code=202)
async def reboot(device_id: str, devices: Registry) -> dict[str, str]:
    devices[device_id] = "rebooting"
    return {"device": device_id, "status": "rebooting"}
