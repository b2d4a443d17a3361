from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel

from app.analytics.event_logger import event_logger

router = APIRouter(prefix="/documents", tags=["documents"])


class Document(BaseModel):
    title: str
    text: str = ""


DOCS: dict[int, Document] = {1: Document(title="Minutes", text="Agreed to meet monthly.")}


@router.get("/{doc_id}")
def read_document(doc_id: int) -> Document:
    event_logger.log(
        "document_touched",
        {
            "route": "/documents/{doc_id}",
            "method": "GET",
            "handler": "read_document",
            "block_type": "documents",
            "doc_id": doc_id,
        },
    )
    if doc_id not in DOCS:
        raise HTTPException(404, "no such document")
    return DOCS[doc_id]


@router.post("", status_code=201)
def create_document(document: Document) -> dict[str, int]:
    event_logger.log(
        "document_touched",
        {
            "route": "/documents",
            "method": "POST",
            "handler": "create_document",
            "block_type": "documents",
        },
    )
    DOCS[len(DOCS) + 1] = document
    return {"id": len(DOCS)}


@router.put("/{doc_id}")
def replace_document(doc_id: int, document: Document) -> Document:
    event_logger.log(
        "document_touched",
        {
            "route": "/documents/{doc_id}",
            "method": "PUT",
            "handler": "replace_document",
            "block_type": "documents",
            "doc_id": doc_id,
        },
    )
    DOCS[doc_id] = document
    return document


@router.patch("/{doc_id}/title")
def rename_document(doc_id: int, title: str) -> Document:
    event_logger.log(
        "document_touched",
        {
            "route": "/documents/{doc_id}/title",
            "method": "PATCH",
            "handler": "rename_document",
            "block_type": "title",
            "doc_id": doc_id,
        },
    )
    DOCS[doc_id].title = title
    return DOCS[doc_id]


@router.delete("/{doc_id}", status_code=204)
def delete_document(doc_id: int) -> Response:
    event_logger.log(
        "document_touched",
        {
            "route": "/documents/{doc_id}",
            "method": "DELETE",
            "handler": "delete_document",
            "block_type": "documents",
            "doc_id": doc_id,
        },
    )
    DOCS.pop(doc_id, None)
    return Response(status_code=204)


@router.head("/{doc_id}")
def document_exists(doc_id: int) -> Response:
    event_logger.log(
        "document_touched",
        {
            "route": "/documents/{doc_id}",
            "method": "HEAD",
            "handler": "document_exists",
            "block_type": "documents",
            "doc_id": doc_id,
        },
    )
    return Response(status_code=200 if doc_id in DOCS else 404)


@router.options("")
def document_options() -> Response:
    event_logger.log(
        "document_touched",
        {
            "route": "/documents",
            "method": "OPTIONS",
            "handler": "document_options",
            "block_type": "documents",
        },
    )
    return Response(headers={"Allow": "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE"})


@router.trace("/echo")
def trace_echo() -> dict[str, str]:
    event_logger.log(
        "document_touched",
        {
            "route": "/documents/echo",
            "method": "TRACE",
            "handler": "trace_echo",
            "block_type": "echo",
        },
    )
    return {"trace": "ok"}
