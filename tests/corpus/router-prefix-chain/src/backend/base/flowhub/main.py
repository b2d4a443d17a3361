from fastapi import FastAPI

from flowhub.api import health_check_router, router


def create_app() -> FastAPI:
    """Create the FastAPI app and include the routers."""
    app = FastAPI(title="Flowhub")
    app.include_router(router)
    app.include_router(health_check_router)
    return app


def setup_app(backend_only: bool = False) -> FastAPI:
    app = create_app()
    return app


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(create_app, factory=True)
