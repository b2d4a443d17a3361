from __future__ import annotations

from fastapi import Depends

from airflow.api_fastapi.common.router import AirflowRouter
from airflow.api_fastapi.core_api.routes.public.dags import dags_router
from airflow.api_fastapi.core_api.routes.public.version import version_router


def requires_access() -> None:
    return None


public_router = AirflowRouter(prefix="/api/v2")

authenticated_router = AirflowRouter(dependencies=[Depends(requires_access)])

authenticated_router.include_router(dags_router)

public_router.include_router(authenticated_router)
public_router.include_router(version_router)
