"""Chat routes, registered on whatever app the caller hands in."""

from pydantic import BaseModel


class Question(BaseModel):
    chat_id: str
    text: str


def answer(text: str) -> str:
    return text[::-1]


def register_chat(app):
    @app.post("/chat")
    def ask(question: Question) -> dict[str, str]:
        return {"chat_id": question.chat_id, "answer": answer(question.text)}

    @app.get("/chat/{chat_id}")
    async def history(chat_id: str) -> list[str]:
        """What was asked in one chat."""
        return [chat_id]
