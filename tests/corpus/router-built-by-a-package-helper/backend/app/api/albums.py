from ..routing import versioned_router

router = versioned_router()


@router.get("")
async def list_albums() -> list[str]:
    return ["Kind of Blue"]


@router.post("", status_code=201)
async def add_album(title: str) -> dict[str, str]:
    return {"title": title}
