from fastapi import APIRouter

router = APIRouter(prefix="/screens")

SCREENS = {"lobby": "Welcome", "exit": "Goodbye"}


@router.get("/{name}")
def show_screen(name: str) -> dict[str, str]:
    return {"text": SCREENS[name]}
