"""Webhook receiver, deployed as its own small service (`uvicorn app.main:app`)."""

from fastapi import FastAPI, Request

app = FastAPI(title="Webhook receiver")
RECEIVED: list[dict[str, object]] = []


@app.post("/webhooks/psp")
async def psp_webhook(request: Request) -> dict[str, int]:
    RECEIVED.append(await request.json())
    return {"received": len(RECEIVED)}
