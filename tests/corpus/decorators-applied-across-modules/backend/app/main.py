"""The server: route decorators applied by hand to endpoints written in other modules."""

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from app.chat.dialogue import chat
from app.knowledge import kb_api


async def document() -> RedirectResponse:
    return RedirectResponse(url="/docs")


def mount_knowledge_routes(app: FastAPI) -> None:
    kb_api.router.post("/{kb_name}/delete")(kb_api.delete_kb)
    app.include_router(kb_api.router)


def create_app() -> FastAPI:
    app = FastAPI(title="KB chat API server")
    app.get("/", response_model=None, summary="docs")(document)
    app.post("/chat/chat", tags=["Chat"], summary="talk to the model")(chat)
    mount_knowledge_routes(app)
    return app


app = create_app()
