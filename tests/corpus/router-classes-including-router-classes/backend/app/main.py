from fastapi import FastAPI

from app.api.router import ApiRouter

app = FastAPI(title="Embeddings")
app.include_router(ApiRouter())
