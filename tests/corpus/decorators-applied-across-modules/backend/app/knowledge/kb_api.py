from fastapi import APIRouter, HTTPException

KNOWLEDGE_BASES = ["samples", "manuals"]

router = APIRouter(prefix="/knowledge_base", tags=["Knowledge Base"])


@router.get("/list")
def list_kbs() -> list[str]:
    return KNOWLEDGE_BASES


def delete_kb(kb_name: str) -> dict[str, str]:
    if kb_name not in KNOWLEDGE_BASES:
        raise HTTPException(404, "unknown knowledge base")
    KNOWLEDGE_BASES.remove(kb_name)
    return {"deleted": kb_name}
