"""Entry point of the textbook backend: builds the app and includes its routers.

Run from ``backend/`` with ``uvicorn app.main:app``.
"""

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from app.analytics.error_capture import install_error_capture
from app.analytics.telemetry_router import router as telemetry_router
from app.api import ai_blocks, chapters
from app.validation import request_validation_error

app = FastAPI(
    title="Textbook Platform API",
    version="0.1.0",
    description="AI-assisted learning blocks and chapter content for the textbook platform.",
)
app.add_exception_handler(RequestValidationError, request_validation_error)

app.include_router(ai_blocks.router)
app.include_router(chapters.router)
app.include_router(telemetry_router)
install_error_capture(app)
