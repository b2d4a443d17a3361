"""AI-assisted learning blocks of a chapter: questions, simple explanations, quizzes, diagrams.

The answers are deterministic placeholders built from the request; no language model is called.
"""

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.analytics.event_logger import event_logger

router = APIRouter(prefix="/api/ai", tags=["ai-blocks"])

ChapterId = Annotated[str, Field(min_length=1, max_length=100, description="Chapter of the block")]


class AskQuestionRequest(BaseModel):
    """A reader's question about a chapter."""

    question: Annotated[str, Field(min_length=1, max_length=2000)]
    chapter_id: ChapterId


class AskQuestionResponse(BaseModel):
    """The answer to a reader's question."""

    answer: str
    chapter_id: str
    sources: list[str]


class ExplainRequest(BaseModel):
    """A concept to explain in simple words."""

    concept: Annotated[str, Field(min_length=1, max_length=200)]
    chapter_id: ChapterId


class ExplainResponse(BaseModel):
    """A simple explanation of a concept."""

    concept: str
    explanation: str


class QuizRequest(BaseModel):
    """A request for a short quiz on a chapter."""

    chapter_id: ChapterId
    num_questions: Annotated[int, Field(ge=1, le=10)] = 3


class QuizQuestion(BaseModel):
    """One multiple-choice quiz question."""

    question: str
    options: list[str]
    answer_index: int


class QuizResponse(BaseModel):
    """A quiz on a chapter."""

    chapter_id: str
    questions: list[QuizQuestion]


class DiagramRequest(BaseModel):
    """A concept to draw as a diagram."""

    concept: Annotated[str, Field(min_length=1, max_length=200)]
    chapter_id: ChapterId


class DiagramResponse(BaseModel):
    """A diagram in Mermaid syntax."""

    concept: str
    format: str
    source: str


@router.post("/ask-question", response_model=AskQuestionResponse)
async def ask_question(request: AskQuestionRequest) -> AskQuestionResponse:
    """Answer a reader's question about a chapter."""
    event_logger.log(
        "ai_block_used",
        {
            "route": "/api/ai/ask-question",
            "method": "POST",
            "handler": "ask_question",
            "block_type": "ask-question",
            "chapter_id": request.chapter_id,
        },
    )
    return AskQuestionResponse(
        answer=f"This is a placeholder answer about chapter {request.chapter_id!r}.",
        chapter_id=request.chapter_id,
        sources=[f"/api/chapters/{request.chapter_id}"],
    )


@router.post("/explain-like-10", response_model=ExplainResponse)
async def explain_like_10(request: ExplainRequest) -> ExplainResponse:
    """Explain a concept in words a ten-year-old understands."""
    event_logger.log(
        "ai_block_used",
        {
            "route": "/api/ai/explain-like-10",
            "method": "POST",
            "handler": "explain_like_10",
            "block_type": "explain-like-10",
            "chapter_id": request.chapter_id,
        },
    )
    return ExplainResponse(
        concept=request.concept,
        explanation=f"Imagine {request.concept} as a toy that follows simple rules.",
    )


@router.post("/quiz", response_model=QuizResponse)
def quiz(request: QuizRequest) -> QuizResponse:
    """Build a short multiple-choice quiz on a chapter."""
    event_logger.log(
        "ai_block_used",
        {
            "route": "/api/ai/quiz",
            "method": "POST",
            "handler": "quiz",
            "block_type": "quiz",
            "chapter_id": request.chapter_id,
        },
    )
    questions = [
        QuizQuestion(
            question=f"Question {number} about chapter {request.chapter_id!r}?",
            options=["Option A", "Option B", "Option C", "Option D"],
            answer_index=(number - 1) % 4,
        )
        for number in range(1, request.num_questions + 1)
    ]
    return QuizResponse(chapter_id=request.chapter_id, questions=questions)


@router.post("/diagram", response_model=DiagramResponse)
def diagram(request: DiagramRequest) -> DiagramResponse:
    """Draw a concept as a Mermaid flowchart."""
    event_logger.log(
        "ai_block_used",
        {
            "route": "/api/ai/diagram",
            "method": "POST",
            "handler": "diagram",
            "block_type": "diagram",
            "chapter_id": request.chapter_id,
        },
    )
    # Mermaid ends a quoted label at the first double quote; use its entity instead.
    label = request.concept.replace('"', "#quot;")
    return DiagramResponse(
        concept=request.concept,
        format="mermaid",
        source=f'flowchart LR\n    input["Input"] --> concept["{label}"] --> output["Output"]',
    )
