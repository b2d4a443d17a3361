from fastapi import APIRouter

from app.routers import books

router = APIRouter()
router.include_router(books.router)
