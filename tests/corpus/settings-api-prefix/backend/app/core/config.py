try:
    from pydantic_settings import BaseSettings
except ImportError:  # pydantic-settings not installed: the defaults below still hold
    from pydantic import BaseModel as BaseSettings


class Settings(BaseSettings):
    API_V1_STR: str = "/api/v1"
    ACCOUNTS_PREFIX: str = "/accounts"
    PROJECT_NAME: str = "Inventory"
    ENABLE_BETA: bool = True


settings = Settings()
