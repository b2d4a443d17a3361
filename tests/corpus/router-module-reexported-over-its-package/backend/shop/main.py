from fastapi import FastAPI

from shop.routers import admin, home

app = FastAPI(title="Shop")
app.include_router(router=home.router)
app.include_router(router=admin.router, prefix="/admin")
