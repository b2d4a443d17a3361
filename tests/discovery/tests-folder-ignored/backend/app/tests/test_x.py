from fastapi import FastAPI

other = FastAPI()
