"""The clinic: its routes go through the app's own router (app.router)."""

from fastapi import FastAPI

from app.api import patients


def opening_hours() -> dict[str, str]:
    return {"open": "8-18"}


def create_app() -> FastAPI:
    app = FastAPI(title="Clinic")
    app.router.include_router(patients.router, prefix="/api")
    app.router.add_api_route("/hours", opening_hours, methods=["GET"])
    return app


app = create_app()
