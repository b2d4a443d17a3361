"""A document service: its chunking routes declared once per chunker, in a loop."""

from fastapi import FastAPI

from app.api import convert


class HybridOptions:
    max_tokens = 512


class HierarchicalOptions:
    max_tokens = 0


def create_app() -> FastAPI:
    app = FastAPI(title="Doc convert")
    app.include_router(convert.router, prefix="/v1")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    # Chunking endpoints
    for display_name, path_name, options in (
        ("HybridChunker", "hybrid", HybridOptions),
        ("HierarchicalChunker", "hierarchical", HierarchicalOptions),
    ):

        @app.post(
            f"/v1/chunk/{path_name}/source",
            name=f"Chunk sources with {display_name}",
        )
        async def chunk_source(source: str, max_tokens: int = options.max_tokens) -> dict[str, object]:
            return {"source": source, "max_tokens": max_tokens}

    return app


app = create_app()
