"""Builds the recipe service; main.py and the tests both call create_app()."""

from fastapi import FastAPI

from app.routers import ratings, recipes


def create_app() -> FastAPI:
    application = FastAPI(title="Recipe Box")
    application.include_router(recipes.router)
    application.include_router(ratings.router)
    return application
