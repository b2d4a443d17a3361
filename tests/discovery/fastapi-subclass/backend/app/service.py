from app.base import ShopAPI

app = ShopAPI()
