from fastapi import FastAPI

from app.api import records

app = FastAPI(title="Clinic records")
app.include_router(records.router)
