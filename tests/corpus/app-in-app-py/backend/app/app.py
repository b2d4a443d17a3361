from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.notes import router as notes_router

app = FastAPI(title="Jotter")
app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:5173"])
app.include_router(notes_router)
