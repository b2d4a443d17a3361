from fastapi import FastAPI

from app.routes import router

app = FastAPI(title="Pantry")
app.include_router(router, prefix="/api")
