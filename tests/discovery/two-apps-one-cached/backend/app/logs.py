"""A log server on another port: a second app."""

from fastapi import FastAPI


def create_log_app() -> FastAPI:
    logs = FastAPI(title="Logs")
    return logs
