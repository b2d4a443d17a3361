from app.modules import couriers, deliveries, depots  # noqa: F401
