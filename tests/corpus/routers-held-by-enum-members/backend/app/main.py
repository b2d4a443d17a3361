from fastapi import FastAPI

from app import api

app = FastAPI(title="Campus")
app.include_router(api.api_router, prefix="/v1")
