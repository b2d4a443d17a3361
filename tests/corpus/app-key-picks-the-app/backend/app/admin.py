"""Back-office app, mounted under /admin by the public one."""

from fastapi import FastAPI

admin_app = FastAPI(title="Newsletters admin", docs_url=None)

SUBSCRIBERS = ["ada@example.org", "grace@example.org"]


@admin_app.get("/subscribers/count")
def subscriber_count() -> dict[str, int]:
    return {"count": len(SUBSCRIBERS)}
