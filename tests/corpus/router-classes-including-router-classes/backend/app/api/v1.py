from fastapi import APIRouter

from app.api.handlers import V1Handler


class V1Router(APIRouter):
    """Version 1: the handler's methods, and a router of its own for embeddings."""

    def __init__(self) -> None:
        super().__init__(prefix="/v1")
        self.__handler = V1Handler()
        self.add_api_route("/ping", self.__handler.ping, methods=["GET"])
        embedding_router = APIRouter(prefix="/embedding")
        embedding_router.add_api_route("/text", self.__handler.embed, methods=["POST"])
        self.include_router(embedding_router, prefix="/models")
