from fastapi import APIRouter

router = APIRouter(prefix="/probes")


@router.get("/ready")
def ready() -> dict[str, bool]:
    return {"ready": True}


@router.get("/live")
def live(): return {"live": True}
