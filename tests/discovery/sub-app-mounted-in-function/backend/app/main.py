from fastapi import FastAPI

admin = FastAPI(title="Admin")
app = FastAPI()


def mount_admin() -> None:
    app.mount("/admin", admin)


mount_admin()
