from typing import Any

from fastapi import FastAPI


class CatalogAPI(FastAPI):
    """FastAPI with the catalog's defaults (title, currency kept on the app state)."""

    def __init__(self, *, currency: str = "EUR", **kwargs: Any) -> None:
        kwargs.setdefault("title", "Catalog")
        super().__init__(**kwargs)
        self.state.currency = currency
