from fastapi import FastAPI

api_v1 = FastAPI(title="API v1")
