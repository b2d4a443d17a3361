from fastapi import FastAPI

from app.api import probes

app = FastAPI(title="Probes")
app.include_router(probes.router)
