"""Short links: one handler served under several paths, and pairs of paths and handlers."""

from fastapi import APIRouter

router = APIRouter(prefix="/links")

TARGETS = {"docs": "https://example.org/docs"}


def follow(code: str) -> dict[str, str | None]:
    return {"code": code, "target": TARGETS.get(code)}


def stats() -> dict[str, int]:
    return {"links": len(TARGETS)}


def newest() -> dict[str, str]:
    return {"code": sorted(TARGETS)[-1]}


for path in ("/r/{code}", "/go/{code}"):
    router.add_api_route(path, follow, methods=["GET"])

for path, endpoint in (("/stats", stats), ("/newest", newest)):
    router.add_api_route(path, endpoint, methods=["GET"])
