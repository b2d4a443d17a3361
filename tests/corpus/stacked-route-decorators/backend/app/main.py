from fastapi import FastAPI

from app.api import reports

app = FastAPI(title="Sales reports")
app.include_router(reports.router)
