from pydantic import BaseModel


class Settings(BaseModel):
    project_name: str = "Helpdesk"
    api_prefix: str = "/api"


settings = Settings()
