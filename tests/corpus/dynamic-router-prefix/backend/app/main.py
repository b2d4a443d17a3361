from fastapi import FastAPI

from app.api import tenants

app = FastAPI(title="Tenants")
app.include_router(tenants.router)
