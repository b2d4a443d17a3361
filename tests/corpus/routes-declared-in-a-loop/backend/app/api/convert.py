from fastapi import APIRouter

router = APIRouter(prefix="/convert")

FORMATS = ("pdf", "docx")

for kind in FORMATS:

    @router.post("/" + kind + "/{doc_id}")
    def convert_document(doc_id: int) -> dict[str, int]:
        return {"converted": doc_id}


@router.get("/formats")
def formats() -> list[str]:
    return list(FORMATS)
