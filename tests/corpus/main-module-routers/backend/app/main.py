"""Stockroom: a small warehouse inventory service."""

from fastapi import FastAPI

from app.api import health, items, suppliers

app = FastAPI(title="Stockroom", version="0.1.0")

app.include_router(items.router)
app.include_router(suppliers.router)
app.include_router(health.router)
