from fastapi import FastAPI

from app.routers import router as main_router

app = FastAPI(title="Greeter")
app.include_router(main_router)
