"""Lending library service; the package itself builds the app (`uvicorn app:app`)."""

from fastapi import FastAPI

from .routes import books, members

app = FastAPI(title="Lending Library")
app.include_router(books.router)
app.include_router(members.router)
