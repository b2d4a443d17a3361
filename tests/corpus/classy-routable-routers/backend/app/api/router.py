from fastapi import APIRouter

from app.api.parcels import ParcelRoutes, TrackingRoutes

api_router = APIRouter()
api_router.include_router(ParcelRoutes({"p1": "sorted"}).router, prefix="/parcels")

tracking = TrackingRoutes(prefix="/tracking")
api_router.include_router(tracking.router)
