from fastapi import FastAPI

from app import console, platform

app = FastAPI(title="Crawls")
app.include_router(console.router)
app.include_router(platform.router)
