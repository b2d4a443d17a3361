"""A tiny stand-in for a third-party endpoint factory (titiler's TilerFactory) installed beside the app."""

from fastapi import APIRouter

__all__ = ["TilerFactory"]


class TilerFactory:
    """Builds a router holding the library's own tile routes; apps add theirs to it."""

    def __init__(self, router_prefix: str = "") -> None:
        self.router_prefix = router_prefix
        self.router = APIRouter(prefix="/tiles")

        @self.router.get("/info")
        def info() -> dict[str, str]:
            return {"format": "cog"}
