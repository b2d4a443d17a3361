from app.api import health, items, users
from app.server import Server

server = Server("wrapped")
server.register_router(users.router, prefix="/api/v1", tags=["v1"])
server.include_router(items.router, prefix="/shop")
server.mount_health(health.router)
app = server.app
