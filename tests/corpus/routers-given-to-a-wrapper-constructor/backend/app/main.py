from app.api import items, users
from app.core import CoreApp

core = CoreApp("wrapped", routers=[users.router, items.router])
app = core.app
