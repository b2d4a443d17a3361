from fastapi import FastAPI

from app.каталог.товары import router as товары_router

app = FastAPI(title="Магазин")
app.include_router(товары_router, prefix="/api")
