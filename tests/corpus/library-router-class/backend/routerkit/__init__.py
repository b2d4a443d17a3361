"""A tiny stand-in for a third-party routing helper installed beside the app."""

from typing import Any

from fastapi import APIRouter

__all__ = ["InferringRouter"]


class InferringRouter(APIRouter):
    """Kept for compatibility: response models come from return annotations in FastAPI anyway."""

    def add_api_route(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        kwargs.setdefault("response_model_exclude_none", True)
        super().add_api_route(path, endpoint, **kwargs)
