from fastapi import FastAPI

from app import api

app = FastAPI(title="Scrapes")
app.include_router(api.router)
