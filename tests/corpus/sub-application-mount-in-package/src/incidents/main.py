"""The served app: a front end at / and the API, an app of its own, mounted at /api/v1."""

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse

from .api import api_router

app = FastAPI(openapi_url="")


async def spa(request):
    return PlainTextResponse("single page app")


frontend = Starlette()
frontend.add_route("/{path:path}", spa)

api = FastAPI(title="Incidents", docs_url=None, openapi_url="/docs/openapi.json")
api.include_router(api_router)


@api.get("/version")
def version() -> dict[str, str]:
    return {"version": "1"}


app.mount("/api/v1", app=api)
app.mount("/", app=frontend)
