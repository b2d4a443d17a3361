from fastapi import APIRouter

router = APIRouter(prefix="/probes")


@router.get("/ready")
def ready() -> dict[str, bool]:
    return {"ready": True}


@router.get("/live")
def live(): return {"live": True}


@router.get("/started")
async def started() -> dict[str, bool]: """Whether the app started."""; return {"started": True}  # noqa: E702


@router.get("/checks/{name}")
def check(name: str) -> dict[str, str]: status = "ok"; return {name: status};
