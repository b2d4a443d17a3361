"""The payment gateway, which FastAPI CLI serves (see [tool.fastapi] in pyproject.toml)."""

from fastapi import FastAPI

from app.api import payments
from app.metrics import metrics_app

api = FastAPI(title="Payments gateway")
api.include_router(payments.router)
api.mount("/metrics", metrics_app)
