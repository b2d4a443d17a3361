from fastapi import APIRouter

router = APIRouter()
admin = APIRouter(prefix="/admin")


@router.get("/status")
def status() -> dict[str, bool]:
    return {"ok": True}


@admin.get("/stats")
def stats() -> dict[str, int]:
    return {"books": 2}
