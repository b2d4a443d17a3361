from fastapi import APIRouter

router = APIRouter(tags=["forecasts"])

FORECASTS = {"north": "snow", "south": "sun"}


@router.get("/{station}")
def forecast(station: str) -> dict[str, str]:
    return {"station": station, "forecast": FORECASTS.get(station, "unknown")}
