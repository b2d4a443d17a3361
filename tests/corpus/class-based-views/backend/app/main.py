from fastapi import FastAPI

from app.api import pages

app = FastAPI(title="Team wiki")
app.include_router(pages.router)
