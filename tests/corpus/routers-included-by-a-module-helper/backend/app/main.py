from types import ModuleType

from fastapi import FastAPI

from app.api import authors, books, misc

app = FastAPI()


def include(module: ModuleType) -> None:
    """Serve a module's router under the prefix the module names for itself."""
    app.include_router(
        module.router,
        prefix=module.ROUTER_PREFIX + ("/" + module.ROUTER_NAME if module.ROUTER_NAME else ""),
        tags=[module.ROUTER_NAME or "misc"],
    )


include(books)
include(misc)
for extra in (authors,):
    include(extra)
