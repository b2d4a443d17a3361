"""Routes declared with the notes decorators, imported; one applied by hand."""

from app.api.notes import admin, notes


@notes.get("/{note_id}/tags")
async def note_tags(note_id: int) -> list[str]:
    return [str(note_id)]


async def untag(note_id: int) -> dict[str, int]:
    return {"untagged": note_id}


notes.delete("/{note_id}/tags")(untag)


@admin.post("/reindex")
async def reindex() -> dict[str, bool]:
    return {"reindexed": True}
