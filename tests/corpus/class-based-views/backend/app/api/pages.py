from typing import Annotated

from fastapi import APIRouter, Body, HTTPException
from pydantic import BaseModel
from viewkit import class_view

router = APIRouter(prefix="/pages", tags=["wiki"])


class Page(BaseModel):
    slug: str
    body: str
    revision: int = 1


PAGES = {"home": Page(slug="home", body="Welcome to the team wiki.")}


@class_view(router)
class PageViews:
    """Wiki pages; FastAPI makes one instance per request."""

    def _page(self, slug: str) -> Page:
        if slug not in PAGES:
            raise HTTPException(404, "no such page")
        return PAGES[slug]

    @router.get("/{slug}")
    def read_page(self, slug: str) -> Page:
        """Current revision of a page."""
        return self._page(slug)

    @router.put("/{slug}")
    def edit_page(self, slug: str, body: Annotated[str, Body(embed=True)]) -> Page:
        page = PAGES.setdefault(slug, Page(slug=slug, body="", revision=0))
        page.body = body
        page.revision += 1
        return page

    @router.get("/{slug}/words")
    async def word_count(self, slug: str) -> dict[str, int]:
        return {"words": len(self._page(slug).body.split())}
