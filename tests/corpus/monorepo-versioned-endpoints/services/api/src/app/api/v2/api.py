from fastapi import APIRouter

from app.api.v2.endpoints import health, users

api_router = APIRouter()
api_router.include_router(users.router, prefix="/users", tags=["users"])
api_router.include_router(health.router, tags=["health"])
