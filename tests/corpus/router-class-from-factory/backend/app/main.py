from fastapi import FastAPI

from app.api import invoices, refunds

app = FastAPI(title="Billing")
app.include_router(invoices.router)
app.include_router(refunds.router)
