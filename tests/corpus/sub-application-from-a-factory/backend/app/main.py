from fastapi import FastAPI

from app.admin import make_admin_app
from app.api.versioned import build_api


def create_app() -> FastAPI:
    application = FastAPI(title="Shop")
    application.mount("/v1", build_api())
    admin_app = make_admin_app()
    application.mount("/admin", admin_app)
    return application


app = create_app()
