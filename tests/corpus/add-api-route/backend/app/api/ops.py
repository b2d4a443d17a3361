"""Operational endpoints, registered explicitly with add_api_route."""

from fastapi import APIRouter, HTTPException

router = APIRouter(prefix="/ops")

JOBS = {17: "done", 18: "running"}


def ping() -> dict[str, str]:
    return {"pong": "ok"}


async def readiness() -> dict[str, bool]:
    """Ready when the job queue is reachable."""
    return {"ready": True}


def job_status(job_id: int) -> dict[str, object]:
    if job_id not in JOBS:
        raise HTTPException(404, "unknown job")
    return {"job": job_id, "state": JOBS[job_id]}


def _format_state(state: str) -> str:
    return state.upper()


router.add_api_route("/ping", ping, methods=["GET"])
router.add_api_route("/ready", readiness, methods=["GET", "HEAD"])
router.add_api_route("/jobs/{job_id}", job_status, methods=["GET"])


@router.post("/jobs/{job_id}/retry")
def retry_job(job_id: int) -> dict[str, str]:
    JOBS[job_id] = "queued"
    return {"state": _format_state(JOBS[job_id])}
