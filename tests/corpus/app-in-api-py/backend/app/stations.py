"""Stations report readings; operators calibrate them."""

from fastapi import APIRouter, HTTPException, Request

router = APIRouter(prefix="/stations")

READINGS: dict[str, list[float]] = {"oslo-01": [3.5, 4.0], "bergen-02": [7.25]}
OFFSETS: dict[str, float] = {}


@router.api_route("/{station_id}/readings", methods=["GET", "POST"])
async def readings(station_id: str, request: Request) -> dict[str, object]:
    """Read the station's readings, or (POST) append one."""
    series = READINGS.setdefault(station_id, [])
    if request.method == "POST":
        body = await request.json()
        series.append(float(body["celsius"]))
    return {"station": station_id, "celsius": series}


@router.api_route("/{station_id}")
def station(station_id: str) -> dict[str, object]:
    if station_id not in READINGS:
        raise HTTPException(status_code=404, detail="unknown station")
    return {"station": station_id, "offset": OFFSETS.get(station_id, 0.0)}


@router.api_route("/{station_id}/calibration", methods=["PUT", "PATCH"])
def calibrate(station_id: str, offset: float = 0.0) -> dict[str, float]:
    """Set the temperature offset applied to a station's raw readings."""
    OFFSETS[station_id] = offset
    return {station_id: offset}
