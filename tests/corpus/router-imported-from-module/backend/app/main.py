from fastapi import FastAPI

from app.api import accounts  # noqa: F401  (importing it registers the routes)
from app.api.deps import router as accounts_router

app = FastAPI(title="Accounts")
app.include_router(accounts_router)
