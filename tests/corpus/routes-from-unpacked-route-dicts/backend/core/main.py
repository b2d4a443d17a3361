from fastapi import FastAPI

from core.routers import register_default_endpoints

app = FastAPI(title="Template")
register_default_endpoints(app)
