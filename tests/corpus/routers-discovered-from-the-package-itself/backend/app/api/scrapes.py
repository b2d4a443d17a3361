from fastapi import APIRouter, HTTPException

router = APIRouter(prefix="/scrapes")
SCRAPES = {"s1": "https://example.com"}


@router.get("/{scrape_id}")
def get_scrape(scrape_id: str) -> dict[str, str]:
    if scrape_id not in SCRAPES:
        raise HTTPException(404, "no such scrape")
    return {"url": SCRAPES[scrape_id]}
