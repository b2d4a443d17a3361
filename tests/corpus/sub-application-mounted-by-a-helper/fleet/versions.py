from fastapi import FastAPI

from fleet import deliveries, vehicles

api_v1 = FastAPI(title="v1")
api_v1.include_router(vehicles.router, prefix="/vehicles")

api_v2 = FastAPI(title="v2")
api_v2.include_router(deliveries.router, prefix="/deliveries")
