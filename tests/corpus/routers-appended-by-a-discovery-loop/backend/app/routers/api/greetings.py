from fastapi import APIRouter

router = APIRouter(prefix="/greetings")


@router.post("/{name}")
async def greet(name: str) -> dict[str, str]:
    return {"greeting": f"Hello, {name}!"}
