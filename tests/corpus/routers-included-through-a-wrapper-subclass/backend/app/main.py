from app.api import items, users
from app.core import CoreApp


class ShopApp(CoreApp):
    """The shop's app: the wrapper's constructor and methods, unchanged."""


core = ShopApp("shop", routers=[users.router])
core.include_router(items.router, prefix="/v1")
app = core.app


@core.get("/status")
async def status() -> dict[str, str]:
    return {"status": "ok"}
