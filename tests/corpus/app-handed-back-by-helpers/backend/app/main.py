from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.routes import auth, shipments


def add_middlewares(app):
    app.add_middleware(CORSMiddleware, allow_origins=["*"])
    return app


def add_routes(app):
    app.include_router(shipments.router, prefix="/api")
    return app


def create_app():
    app = FastAPI(title="fleet")
    app = add_middlewares(app)
    app.include_router(auth.router)
    return add_routes(app)


app = create_app()
