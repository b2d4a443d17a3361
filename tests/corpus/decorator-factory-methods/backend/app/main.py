from fastapi import FastAPI

from app.api import batch  # noqa: F401  (declares the batch routes)
from app.api.agents import EchoAgent
from app.api.service import admin_router, service

app = FastAPI(title="Inference service")
app.include_router(service.router, prefix="/v1")
app.include_router(admin_router, prefix="/v1")
EchoAgent().register(app)
