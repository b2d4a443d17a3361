from fastapi import FastAPI

site = FastAPI()
