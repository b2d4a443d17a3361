"""The API."""

from fastapi import FastAPI

api = FastAPI()
