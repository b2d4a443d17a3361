"""One generic router class: each instance registers its own bound methods (proyecto-redes)."""

from fastapi import APIRouter, HTTPException


class DefaultModelRouter:
    router: APIRouter

    def __init__(self, model: str, rows: dict[int, str]) -> None:
        self.model = model
        self.rows = rows
        id_label = "/{id}/"
        self.router = APIRouter()
        self.router.add_api_route("/", self.read_list, methods=["GET"])
        self.router.add_api_route(id_label, self.read, methods=["GET"])

    async def read_list(self) -> list[str]:
        return sorted(self.rows.values())

    async def read(self, *, id: int) -> dict[str, str]:
        if id not in self.rows:
            raise HTTPException(404, "not found")
        return {self.model: self.rows[id]}
