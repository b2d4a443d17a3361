from fastapi import FastAPI
from fastapi.testclient import TestClient


def client() -> TestClient:
    app = FastAPI()
    return TestClient(app)
