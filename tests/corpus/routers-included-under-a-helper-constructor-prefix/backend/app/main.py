from fastapi import FastAPI

from app.api import notes, users
from app.routing import RouterBase

app = FastAPI(title="notes")
RouterBase(app).include_routers([(users.router, "/users"), (notes.router, "/notes")])
