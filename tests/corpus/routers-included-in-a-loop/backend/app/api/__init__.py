from app.api import books, members

# Every versioned router of the API, included by main.py in one loop.
API_ROUTERS = [books.router, members.router]
