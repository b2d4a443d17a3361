from fastapi import FastAPI

from app.api import ops

app = FastAPI(title="Ops console")
app.include_router(ops.router)
