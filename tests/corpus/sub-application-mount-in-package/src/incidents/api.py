from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from incidents.auth.views import auth_router
from incidents.reports.views import router as report_router


def current_user() -> str:
    return "ada"


api_router = APIRouter(default_response_class=JSONResponse)

authenticated_api_router = APIRouter()
authenticated_api_router.include_router(
    report_router, prefix="/{organization}/reports", tags=["reports"]
)

api_router.include_router(auth_router, prefix="/{organization}/auth", tags=["auth"])
api_router.include_router(authenticated_api_router, dependencies=[Depends(current_user)])


@api_router.get("/healthcheck", include_in_schema=False)
def healthcheck() -> dict[str, str]:
    return {"status": "ok"}
