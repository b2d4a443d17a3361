from fastapi import FastAPI

from app.ui import mount_ui

app = FastAPI()


def create_app() -> FastAPI:
    wrapped = mount_ui(app, path="/")
    return wrapped


ui_app = create_app()

if __name__ == "__main__":
    import uvicorn

    uvicorn.run("app.main:app", reload=True)
