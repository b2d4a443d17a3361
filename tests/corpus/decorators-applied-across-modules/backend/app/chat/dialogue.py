from fastapi import Body


async def chat(query: str = Body(..., embed=True)) -> dict[str, str]:
    """Answer one user message."""
    return {"answer": query[::-1]}
