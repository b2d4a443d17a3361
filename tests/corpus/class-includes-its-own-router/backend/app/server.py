"""A model server: the class builds the app and a router, and includes the router itself."""

from typing import Any

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel


class PredictRequest(BaseModel):
    inputs: list[float]


class ModelServer:
    """Serves one model over HTTP."""

    def __init__(self, name: str, version: str = "v1") -> None:
        self.name = name
        self.app = FastAPI(title=f"{name} server")
        self.router = APIRouter(prefix=f"/{version}/models/{name}")
        self._setup_routes()
        self.app.include_router(self.router, prefix="/api")

    def _setup_routes(self) -> None:
        self.app.add_api_route("/health", self.health, methods=["GET"])
        self.router.add_api_route("/predict", self.predict, methods=["POST"])
        self.router.add_api_route("/metadata", self.metadata, methods=["GET"])

    async def health(self) -> dict[str, str]:
        return {"status": "ok"}

    async def predict(self, request: PredictRequest) -> dict[str, Any]:
        return {"model": self.name, "outputs": [x * 2 for x in request.inputs]}

    async def metadata(self) -> dict[str, str]:
        return {"name": self.name}


server = ModelServer("iris")
app = server.app
