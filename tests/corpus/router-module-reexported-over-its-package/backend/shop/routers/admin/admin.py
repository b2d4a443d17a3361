from fastapi import APIRouter

from .rooms import room

router = APIRouter()
router.include_router(router=room.router, prefix="/rooms")
