from app.registry import Registry

Registry.build()
app = Registry.get()
