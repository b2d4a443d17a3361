"""The public newsletter site: `uvicorn app.web:service`."""

from fastapi import FastAPI

from app.admin import admin_app
from app.api import issues

service = FastAPI(title="Newsletters")
service.include_router(issues.router)
service.mount("/admin", admin_app)
