from fastapi import FastAPI

from app.api import transit

app = FastAPI(title="Transit info")
app.include_router(transit.router)
