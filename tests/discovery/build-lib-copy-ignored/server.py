"""The app."""

from fastapi import FastAPI

app = FastAPI()
