from fastapi import FastAPI

admin = FastAPI(title="Admin")


@admin.get("/users/{user_id}")
def admin_user(user_id: int) -> dict[str, int]:
    return {"admin": user_id}
