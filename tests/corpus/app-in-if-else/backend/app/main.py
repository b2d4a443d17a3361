"""Feature flag service."""

from fastapi import FastAPI

from app import settings
from app.api import flags

if settings.DEBUG:
    app = FastAPI(title="Flagpole (debug)", debug=True)
else:
    # No interactive docs in production.
    app = FastAPI(title="Flagpole", docs_url=None, redoc_url=None)

app.include_router(flags.router)
