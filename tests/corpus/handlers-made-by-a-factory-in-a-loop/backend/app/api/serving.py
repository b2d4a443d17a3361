from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from pydantic import BaseModel


class Features(BaseModel):
    values: list[float]


Model = Callable[[list[float]], float]
MODELS: dict[str, Model] = {"iris": sum, "wine": max}

router = APIRouter(prefix="/models")


def make_predict(name: str, model: Model) -> Callable[[Features], Awaitable[dict[str, float]]]:
    """One endpoint per model: FastAPI calls the function this returns."""

    async def predict(features: Features) -> dict[str, float]:
        return {name: model(features.values)}

    return predict


for model_name, model in MODELS.items():
    router.add_api_route(
        f"/{model_name}/predict", make_predict(model_name, model), methods=["POST"]
    )


@router.get("")
async def list_models() -> list[str]:
    return sorted(MODELS)
