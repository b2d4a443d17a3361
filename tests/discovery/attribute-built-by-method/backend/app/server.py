from fastapi import FastAPI


class Gateway:
    """Owns the HTTP app; the app is built by a method, and annotated where it is kept."""

    def __init__(self, title: str = "Gateway") -> None:
        self.title = title
        self.app: FastAPI = self._build_app()

    def _build_app(self):
        app = FastAPI(title=self.title)
        self._add_routes(app)
        return app

    def _add_routes(self, app: FastAPI) -> None:
        @app.get("/healthcheck")
        def healthcheck() -> dict[str, str]:
            return {"status": "ok"}
