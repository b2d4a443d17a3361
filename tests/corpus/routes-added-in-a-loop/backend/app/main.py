from fastapi import FastAPI

from app.api import links

app = FastAPI(title="Short links")
app.include_router(links.router, prefix="/api")
