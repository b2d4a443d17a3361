from fastapi import FastAPI

from app.api import notifications

app = FastAPI(title="Notifier")
app.include_router(notifications.router)
