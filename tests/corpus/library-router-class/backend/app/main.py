from fastapi import FastAPI

from app.api import surveys

app = FastAPI(title="Surveys")
app.include_router(surveys.router)
