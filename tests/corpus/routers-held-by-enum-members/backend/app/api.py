from enum import Enum

from fastapi import APIRouter

from app.core.module import Module
from app.endpoints import cinema, loans


class ModuleList(Module, Enum):
    """The features the app serves, in menu order."""

    cinema = cinema.cinema
    loans = loans.loans


api_router = APIRouter()
for module in ModuleList:
    api_router.include_router(module.value.router)
