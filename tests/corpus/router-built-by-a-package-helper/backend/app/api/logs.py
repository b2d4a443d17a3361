from app.routing import logged_router

router = logged_router(prefix="/logs")


@router.get("/{day}")
def day_logs(day: str) -> dict[str, str]:
    return {"day": day}
