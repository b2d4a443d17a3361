"""Entry point."""

from app.core.factory import create_app

app = create_app()
