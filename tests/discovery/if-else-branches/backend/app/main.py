import os

from fastapi import FastAPI

if os.environ.get("DOCS") == "off":
    app = FastAPI(docs_url=None)
else:
    app = FastAPI()

app.title = "Notes"
