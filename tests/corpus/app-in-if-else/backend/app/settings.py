import os

DEBUG = os.environ.get("FLAGPOLE_DEBUG", "") == "1"
BETA_ROUTES = True
