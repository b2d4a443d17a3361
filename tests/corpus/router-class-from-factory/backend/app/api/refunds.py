from app.routing import PlainRouter

router = PlainRouter(prefix="/refunds")


@router.get("")
def list_refunds() -> list[int]:
    return [3, 4]
