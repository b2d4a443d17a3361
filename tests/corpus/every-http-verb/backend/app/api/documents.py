from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel

router = APIRouter(prefix="/documents", tags=["documents"])


class Document(BaseModel):
    title: str
    text: str = ""


DOCS: dict[int, Document] = {1: Document(title="Minutes", text="Agreed to meet monthly.")}


@router.get("/{doc_id}")
def read_document(doc_id: int) -> Document:
    if doc_id not in DOCS:
        raise HTTPException(404, "no such document")
    return DOCS[doc_id]


@router.post("", status_code=201)
def create_document(document: Document) -> dict[str, int]:
    DOCS[len(DOCS) + 1] = document
    return {"id": len(DOCS)}


@router.put("/{doc_id}")
def replace_document(doc_id: int, document: Document) -> Document:
    DOCS[doc_id] = document
    return document


@router.patch("/{doc_id}/title")
def rename_document(doc_id: int, title: str) -> Document:
    DOCS[doc_id].title = title
    return DOCS[doc_id]


@router.delete("/{doc_id}", status_code=204)
def delete_document(doc_id: int) -> Response:
    DOCS.pop(doc_id, None)
    return Response(status_code=204)


@router.head("/{doc_id}")
def document_exists(doc_id: int) -> Response:
    return Response(status_code=200 if doc_id in DOCS else 404)


@router.options("")
def document_options() -> Response:
    return Response(headers={"Allow": "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE"})


@router.trace("/echo")
def trace_echo() -> dict[str, str]:
    return {"trace": "ok"}
