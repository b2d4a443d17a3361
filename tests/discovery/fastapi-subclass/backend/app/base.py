from fastapi import FastAPI


class ShopAPI(FastAPI):
    """The shop's application class."""
