"""Public transit look-ups: stops on a route, map tiles, ticket prices, partner webhooks."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

router = APIRouter(prefix="/transit")

STOPS = {"31": ["Tøyen", "Carl Berners plass", "Sinsen"], "54": ["Kjelsås", "Storo"]}
PRICES = {"app": 42, "card": 42, "cash": 60}
ZONES = {"1": 42, "2": 68}


def zone_fare(zone: str) -> int:
    if zone not in ZONES:
        raise HTTPException(404, "unknown zone")
    return ZONES[zone]


@router.get("/routes/{route}/stops")
def stops_on_route(route: str) -> list[str]:
    return STOPS.get(route, [])


@router.get("/tiles/{tile_path:path}")
def map_tile(tile_path: str) -> dict[str, str]:
    """A map tile such as 12/2170/1190.png."""
    return {"tile": tile_path}


@router.get("/agencies/{agency}/feeds/{feed_path:path}")
def agency_feed(agency: str, feed_path: str) -> dict[str, str]:
    return {"agency": agency, "feed": feed_path}


@router.get("/tickets/{method}/price")
def ticket_price(method: str) -> dict[str, int]:
    """Price of a single ticket bought with a payment method."""
    return {"price": PRICES.get(method, 0)}


@router.post("/hooks/{handler}")
async def partner_hook(handler: str) -> dict[str, str]:
    return {"accepted": handler}


@router.get("/zones/{zone}/fare")
def fare(price: Annotated[int, Depends(zone_fare)]) -> dict[str, int]:
    return {"fare": price}
