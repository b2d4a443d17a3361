from fastapi import FastAPI


def get_application() -> FastAPI:
    application = FastAPI(debug=False)
    return application
