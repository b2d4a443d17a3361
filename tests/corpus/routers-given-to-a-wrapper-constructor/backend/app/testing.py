"""A bare app for tests: built with no routers (the constructor's default, None)."""

from app.core import CoreApp

bare = CoreApp("bare")
