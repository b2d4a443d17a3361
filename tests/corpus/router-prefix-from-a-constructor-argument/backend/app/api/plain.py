from app.api.base import Feature

books = Feature("books")
