from typing import Annotated

from fastapi import APIRouter, Path

router = APIRouter()

ReportID = Annotated[int, Path(gt=0)]


@router.get("", summary="Every report of an organization.")
def get_reports(organization: str) -> list[str]:
    return [f"{organization}-1"]


@router.get("/{report_id}")
def get_report(*, report_id: ReportID) -> dict[str, int]:
    return {"id": report_id}
