from flowhub.api.v1.flows import router as flows_router
from flowhub.api.v1.users import router as users_router

__all__ = ["flows_router", "users_router"]
