from fastapi import FastAPI


def build() -> FastAPI:
    return FastAPI(title="Direct")


app = build()
