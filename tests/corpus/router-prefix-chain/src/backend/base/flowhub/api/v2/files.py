from fastapi import APIRouter

router = APIRouter(tags=["Files"])


@router.get("/{file_name}")
async def download_file(file_name: str) -> dict[str, str]:
    return {"file": file_name}
