"""telemetry-scaffold: scaffold an analytics & telemetry layer into a FastAPI backend."""

__version__ = "0.39.0"
