from fastapi import APIRouter, FastAPI

from app.api.controllers import BookController, LoanController

app = FastAPI(title="Library desk")
app.include_router(BookController().router)

loans = APIRouter(prefix="/loans", tags=["loans"])
LoanController(loans, prefix="/loans")
app.include_router(loans)
