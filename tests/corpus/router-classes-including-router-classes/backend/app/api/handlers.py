from pydantic import BaseModel


class Text(BaseModel):
    text: str


class V1Handler:
    async def ping(self) -> dict[str, str]:
        return {"message": "pong"}

    async def embed(self, body: Text) -> list[int]:
        return [len(word) for word in body.text.split()]
