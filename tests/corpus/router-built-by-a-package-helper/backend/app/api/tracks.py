from fastapi import HTTPException

from app.routing import make_router

router = make_router("/tracks", tag="tracks")
TRACKS = {1: "Blue in Green"}


@router.get("/{track_id}")
def get_track(track_id: int) -> dict[str, str]:
    if track_id not in TRACKS:
        raise HTTPException(404, "no such track")
    return {"title": TRACKS[track_id]}
