"""Recipes.  (This module is indented with tabs.)"""

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

router = APIRouter(prefix="/recipes")


class Recipe(BaseModel):
	id: int
	title: str
	minutes: int


RECIPES = [
	Recipe(id=1, title="Shakshuka", minutes=30),
	Recipe(id=2, title="Dal tadka", minutes=45),
]


@router.get("")
def list_recipes(max_minutes: int = 120) -> list[Recipe]:
	return [recipe for recipe in RECIPES if recipe.minutes <= max_minutes]


@router.get("/{recipe_id}")
def get_recipe(recipe_id: int) -> Recipe:
	"""One recipe."""
	for recipe in RECIPES:
		if recipe.id == recipe_id:
			return recipe
	raise HTTPException(404, "no such recipe")
