"""A sports club: each route module is a package (api/members/, api/teams/)."""

from fastapi import FastAPI

from app.api import teams
from app.api.members import router as members_router

app = FastAPI(title="Club")
app.include_router(members_router, prefix="/v1")
app.include_router(teams.router, prefix="/v1/teams")
