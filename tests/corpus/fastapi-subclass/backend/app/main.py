from app.api import products
from app.core import CatalogAPI

app = CatalogAPI(version="2.1.0", currency="NOK")
app.include_router(products.router)
