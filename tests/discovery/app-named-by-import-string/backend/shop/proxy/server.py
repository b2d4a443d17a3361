"""The proxy: the app the command line serves."""

from fastapi import FastAPI

app = FastAPI(title="Proxy")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
