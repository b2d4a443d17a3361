"""HTTP routers of the textbook backend."""
