from fastapi import FastAPI

from app.api import chat

app = FastAPI(title="Chat rooms")
app.include_router(chat.router)
