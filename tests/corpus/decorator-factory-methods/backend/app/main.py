from fastapi import FastAPI

from app.api import batch  # noqa: F401  (declares the batch routes)
from app.api.service import service

app = FastAPI(title="Inference service")
app.include_router(service.router, prefix="/v1")
