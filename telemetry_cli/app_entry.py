"""Where the user's FastAPI app is built: what the patcher wires and the documents name."""

from typing import NamedTuple


class AppEntry(NamedTuple):
    """The module that builds the app and the name a server imports it by.

    Attributes:
        path: the module's file, POSIX, relative to the project root.
        module: its import name, relative to the backend folder (``app.main``).
        attribute: the app (``app``) or, with ``factory``, the function that builds it.
        factory: whether ``attribute`` is a factory (``uvicorn --factory``).
        routes_on: the FastAPI object as an import string when ``attribute`` only serves it
            (``app = GZipMiddleware(api)``: ``app.main:api``), having no routes of its own.
        routes_factory: ``routes_on`` names the factory whose result ``attribute`` serves
            (``app = GZipMiddleware(create_app())``: ``app.main:create_app``); the FastAPI
            object it wraps is out of reach, a call of the factory builds one like it.
        runs: how the backend runs when no import string reaches the app: ``"def"`` or
            ``"async def"``, ``attribute`` being a function that builds the app and serves it
            itself (``def main(): app = FastAPI(); uvicorn.run(app)``), a call of it runs the
            backend; ``"script"``, the app being built under the module's ``__main__`` guard.
        mounted_at: the literal path requests carry in front of the layer's api-prefix: with
            ``routes_on``, the path the served object mounts the FastAPI object at
            (``Starlette(routes=[Mount("/api/v2", app=api)])``); else an ``app.router.prefix``
            set before the telemetry router is included (FastAPI adds it to its paths). Empty
            when there is none, or the path is not known.
        import_folders: the folders (POSIX, relative to the project root) the app's imports
            need on the import path besides the backend folder (``src.api.users`` imported by
            a module of the backend folder ``src``: the root).
        layer_import: the layer's package as the app's module imports it absolutely, as the
            run's patches spell it (``src.analytics`` where the modules import their package
            from the folder above the backend folder); empty for the plan's own name.
    """

    path: str
    module: str
    attribute: str = "app"
    factory: bool = False
    routes_on: str | None = None
    routes_factory: bool = False
    runs: str | None = None
    needs: tuple[str, ...] = ()
    served_as: str | None = None
    served_factory: bool = False
    mounted_at: str = ""
    import_folders: tuple[str, ...] = ()
    layer_import: str = ""

    @property
    def import_string(self) -> str:
        """The app as uvicorn and FastAPI CLI name it, e.g. ``app.main:app``."""
        return f"{self.module}:{self.attribute}"
