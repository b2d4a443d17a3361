from app.routes.model_router import DefaultModelRouter

router = DefaultModelRouter("device", {1: "switch", 2: "router"}).router
