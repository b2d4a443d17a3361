from fastapi import FastAPI

from app.analytics.error_capture import install_error_capture
from app.analytics.telemetry_router import router as telemetry_router
from app.api.documents import router as documents_router

app = FastAPI(title="Document store")
app.include_router(documents_router)
app.include_router(telemetry_router)
install_error_capture(app)
