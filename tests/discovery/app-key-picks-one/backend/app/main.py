from fastapi import FastAPI

public = FastAPI()
admin = FastAPI()
public.mount("/admin", admin)
