"""The default endpoints: a list of route dicts unpacked into add_api_route."""

from fastapi import FastAPI

FIXTURES_LOADED = {"count": 0}


def secret_key(length: int = 8) -> dict[str, str]:
    return {"secret": "x" * length}


async def load_fake_data() -> dict[str, bool]:
    FIXTURES_LOADED["count"] += 1
    return {"Loaded": True}


def register_default_endpoints(app: FastAPI) -> None:
    default_tags = ["Default"]
    default_endpoints = [
        {
            "path": "/",
            "endpoint": secret_key,
            "methods": ["GET"],
            "name": "secret_key",
            "tags": default_tags,
        },
        {
            "path": "/fixtures",
            "endpoint": load_fake_data,
            "methods": ["POST"],
            "name": "fixtures",
            "tags": default_tags,
        },
    ]
    for endpoint in default_endpoints:
        app.router.add_api_route(**endpoint)
