from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

metrics_app = FastAPI(openapi_url=None)


@metrics_app.get("/", response_class=PlainTextResponse)
def metrics() -> str:
    return "payments_total 3\n"
