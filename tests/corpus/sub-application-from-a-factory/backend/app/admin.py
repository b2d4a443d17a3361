from fastapi import FastAPI


def make_admin_app():
    admin = FastAPI(title="Shop admin")

    @admin.get("/health")
    def admin_health() -> dict[str, str]:
        return {"admin": "ok"}

    return admin
