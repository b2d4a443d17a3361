from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Query, status

from airflow.api_fastapi.common.router import AirflowRouter

dags_router = AirflowRouter(tags=["DAG"], prefix="/dags")


def get_session():
    return None


SessionDep = Annotated[object, Depends(get_session)]


@dags_router.get("", responses={404: {"description": "x"}})
def get_dags(session: SessionDep, limit: Annotated[int, Query()] = 100) -> dict:
    """Get all DAGs."""
    return {"dags": [], "limit": limit}


@dags_router.get(
    "/{dag_id}",
    responses={status.HTTP_404_NOT_FOUND: {"description": "not found"}},
)
def get_dag(dag_id: str, session: SessionDep) -> dict:
    """Get basic information about a DAG."""
    if dag_id == "missing":
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such dag")
    return {"dag_id": dag_id}
