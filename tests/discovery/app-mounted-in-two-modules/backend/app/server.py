from fastapi import FastAPI

from app.api_v1 import api_v1

server = FastAPI()
server.mount("/v1", app=api_v1)
