from fastapi import FastAPI

from ledger.routers import customers, invoices

app = FastAPI(title="Ledger", version="0.2.0")

# Both routers are served under /v1; the routers themselves do not know it.
app.include_router(invoices.router, prefix="/v1")
app.include_router(customers.router, prefix="/v1")
