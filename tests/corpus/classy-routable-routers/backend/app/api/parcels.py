from classy_fastapi import Routable, get, post, route
from fastapi import HTTPException


class ParcelRoutes(Routable):
    """Parcels: each instance keeps the store it is given."""

    def __init__(self, store: dict[str, str]) -> None:
        super().__init__(tags=["parcels"])
        self.store = store

    @get("/{parcel_id}")
    async def read_parcel(self, parcel_id: str) -> dict[str, str]:
        if parcel_id not in self.store:
            raise HTTPException(404, "no such parcel")
        return {"id": parcel_id, "state": self.store[parcel_id]}

    @post("/{parcel_id}/scan")
    def scan_parcel(self, parcel_id: str) -> dict[str, str]:
        self.store[parcel_id] = "scanned"
        return {"id": parcel_id, "state": "scanned"}


class TrackingRoutes(Routable):
    @route("/ping", ["GET"])
    def ping(self) -> dict[str, str]:
        return {"status": "ok"}
