from fastapi import APIRouter

from . import devices

router_models = APIRouter()
router_models.include_router(devices.router, prefix="/devices", tags=["devices"])

routers = [router_models]
