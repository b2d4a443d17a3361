# Router for base api
from fastapi import APIRouter

from flowhub.api.v1 import flows_router, users_router
from flowhub.api.v2 import files

router_v1 = APIRouter(prefix="/v1")
router_v2 = APIRouter(prefix="/v2")

router_v1.include_router(flows_router)
router_v1.include_router(users_router)

router_v2.include_router(files.router, prefix="/files")

router = APIRouter(prefix="/api")
router.include_router(router_v1)
router.include_router(router_v2)
