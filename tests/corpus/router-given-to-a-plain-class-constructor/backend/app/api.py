from fastapi import APIRouter

from app.endpoints import cinema, loans

api_router = APIRouter()
for module in [cinema.cinema, loans.loans]:
    api_router.include_router(module.router)
