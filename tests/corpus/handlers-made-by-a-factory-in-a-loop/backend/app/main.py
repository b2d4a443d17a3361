from fastapi import FastAPI

from app.api.serving import router

app = FastAPI(title="Model server")
app.include_router(router, prefix="/v1")
