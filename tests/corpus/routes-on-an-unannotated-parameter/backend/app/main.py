from fastapi import FastAPI

from app.api import notes
from app.api.chat import register_chat

app = FastAPI(title="Assistant")


@app.get("/")
def index() -> dict[str, str]:
    return {"service": "assistant"}


register_chat(app)
app.include_router(notes.router, prefix="/v1")
