from fastapi import APIRouter, WebSocket

router = APIRouter(prefix="/chat")

ROOMS = {"lobby": 3, "random": 1}


@router.get("/rooms")
def list_rooms() -> dict[str, int]:
    """Open rooms and how many people are in each."""
    return ROOMS


@router.websocket("/ws/{room}")
async def room_socket(websocket: WebSocket, room: str) -> None:
    """Echo each message back, prefixed with the room's name."""
    await websocket.accept()
    text = await websocket.receive_text()
    await websocket.send_text(f"[{room}] {text}")
    await websocket.close()


@router.websocket("/ws")
async def lobby_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(f"{sum(ROOMS.values())} online")
    await websocket.close()
