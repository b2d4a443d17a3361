"""What the server imports."""

import os

from app.application import cached_app

app = cached_app(apps=os.environ.get("APPS", "all"))
