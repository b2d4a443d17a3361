from fastapi import FastAPI

from shop.api.v1.endpoints import version_one

app = FastAPI(title="Shop")
app.include_router(version_one)
