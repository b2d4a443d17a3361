"""The application object: owns the FastAPI app and the device registry it serves."""

from fastapi import FastAPI

from app.api import devices


class Application:
    """Builds the HTTP app once; tests create their own instance."""

    def __init__(self, title: str = "Device Hub") -> None:
        self.app = FastAPI(title=title)
        self.app.include_router(devices.router)
        self.app.state.registry = {"thermo-1": "online", "valve-7": "offline"}

    def device_count(self) -> int:
        return len(self.app.state.registry)
