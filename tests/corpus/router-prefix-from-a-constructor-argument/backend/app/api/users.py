from app.api.base import BaseRouter


class UsersRouter(BaseRouter):
    def __init__(self) -> None:
        super().__init__(prefix="users", tags=["users"])

    def configure(self) -> None:
        @self.router.get("/me")
        async def me() -> dict[str, bool]:
            return {"ok": True}
