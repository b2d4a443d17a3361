from fastapi import FastAPI

from app.api import schedule

app = FastAPI(title="Clinic booking")
app.include_router(schedule.router)
