from __future__ import annotations

from airflow.api_fastapi.common.router import AirflowRouter

version_router = AirflowRouter(tags=["Version"], prefix="/version")


@version_router.get("")
def get_version() -> dict:
    return {"version": "3.0.0"}
