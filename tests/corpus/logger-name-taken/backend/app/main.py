from fastapi import FastAPI

from app.api import audit

app = FastAPI(title="Audit trail")
app.include_router(audit.router)
