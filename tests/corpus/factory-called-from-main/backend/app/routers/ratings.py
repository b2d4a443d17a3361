from fastapi import APIRouter
from pydantic import BaseModel, Field

router = APIRouter(prefix="/recipes/{recipe_id}/ratings")

RATINGS: dict[int, list[int]] = {}


class Rating(BaseModel):
    stars: int = Field(ge=1, le=5)


@router.post("", status_code=201)
async def rate_recipe(recipe_id: int, rating: Rating) -> dict[str, float]:
    """Add a rating; answer the new average."""
    stars = RATINGS.setdefault(recipe_id, [])
    stars.append(rating.stars)
    return {"average": sum(stars) / len(stars)}


@router.get("/summary")
async def rating_summary(recipe_id: int) -> dict[str, int]:
    return {"count": len(RATINGS.get(recipe_id, []))}
