from fastapi import APIRouter


class BaseRouter:
    def __init__(self, prefix: str = "", tags: list[str] | None = None) -> None:
        self.router = APIRouter(prefix=f"/{prefix}" if prefix else "", tags=tags or [])
        self.configure()

    def configure(self) -> None:
        pass

    def get_router(self) -> APIRouter:
        return self.router


class Feature:
    def __init__(self, name: str) -> None:
        self.router = APIRouter(prefix=f"/{name}")
        self.router.add_api_route("/ping", self.ping)

    async def ping(self) -> dict[str, bool]:
        return {"ok": True}
