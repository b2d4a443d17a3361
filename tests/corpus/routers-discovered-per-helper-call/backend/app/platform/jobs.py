from fastapi import APIRouter

router = APIRouter(prefix="/jobs")

JOBS = {"j1": "queued"}


@router.get("/{job_id}")
def get_job(job_id: str) -> dict[str, str]:
    return {"id": job_id, "state": JOBS.get(job_id, "unknown")}
