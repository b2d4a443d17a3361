from app.api.base import BaseRouter


class AdminsRouter(BaseRouter):
    def configure(self) -> None:
        @self.router.get("/admins")
        async def admins() -> dict[str, bool]:
            return {"ok": True}
