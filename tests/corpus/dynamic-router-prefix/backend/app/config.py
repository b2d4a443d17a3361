import os


class Settings:
    API_PREFIX: str = os.environ.get("TENANTS_API_PREFIX", "/api/v2")


settings = Settings()
