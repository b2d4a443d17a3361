from flowhub.api.health_check_router import health_check_router
from flowhub.api.router import router

__all__ = ["health_check_router", "router"]
