from pydantic import BaseModel
from routerkit import InferringRouter

router = InferringRouter(prefix="/surveys")


class Answer(BaseModel):
    question: int
    choice: str
    comment: str | None = None


ANSWERS: dict[str, list[Answer]] = {}


@router.post("/{survey_id}/answers", status_code=201)
async def submit_answer(survey_id: str, answer: Answer) -> Answer:
    ANSWERS.setdefault(survey_id, []).append(answer)
    return answer


@router.get("/{survey_id}/answers/{question}")
async def answers_to(survey_id: str, question: int) -> list[Answer]:
    """Every answer to one question of a survey."""
    return [a for a in ANSWERS.get(survey_id, []) if a.question == question]
