"""Товары каталога: модуль и пакет названы по-русски (PEP 3131)."""

from fastapi import APIRouter

router = APIRouter(prefix="/товары", tags=["Каталог"])

ТОВАРЫ = {1: "чайник", 2: "самовар"}


@router.get("/{item_id}")
def показать_товар(item_id: int) -> dict[str, str]:
    return {"название": ТОВАРЫ[item_id]}
