from fastapi import FastAPI

from app.api.admins import AdminsRouter
from app.api.plain import books
from app.api.users import UsersRouter

app = FastAPI()
app.include_router(UsersRouter().get_router(), prefix="/api")
app.include_router(AdminsRouter().get_router(), prefix="/api")
app.include_router(books.router)
