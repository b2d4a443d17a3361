ITEMS = {1: "flour"}


async def list_items() -> list[str]:
    return list(ITEMS.values())


async def create_item(name: str) -> dict[str, int]:
    ITEMS[len(ITEMS) + 1] = name
    return {"id": len(ITEMS)}


async def get_item(item_id: int) -> dict[str, str]:
    return {"name": ITEMS.get(item_id, "")}


async def delete_item(item_id: int) -> None:
    ITEMS.pop(item_id, None)
