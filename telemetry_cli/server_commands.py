"""The servers a command line starts an app with, read the same way wherever one is read.

``init`` reads run files' command lines (Dockerfiles, Procfiles, compose files, ...) for the app
they serve; the image check reads a Dockerfile's CMD for the folder the app is imported from.
Kept out of :mod:`telemetry_cli.patching` so the image check does not load the patcher.
"""

from __future__ import annotations

import re

#: The servers a command line starts on an app's import string (``uvicorn app.main:app``, also
#: ``python -m gunicorn``), each with its options naming the folder put on the import path in
#: place of the working directory: uvicorn's ``--app-dir``, gunicorn's ``--chdir``, granian's
#: ``--working-dir`` (``granian --interface asgi app.main:app``); hypercorn has none.
SERVER_COMMANDS: dict[str, frozenset[str]] = {
    "uvicorn": frozenset({"--app-dir"}),
    "gunicorn": frozenset({"--chdir"}),
    "hypercorn": frozenset(),
    "granian": frozenset({"--working-dir"}),
}
#: The import string such a command line gives (``app.main:app``, not ``0.0.0.0:8000`` nor
#: ``redis://``), module and attribute its group; gunicorn's factory call
#: (``"app.main:create_app()"``, arguments too) names the factory.
IMPORT_STRING = re.compile(
    r"(?<![\w.:/-])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*)(?:\([^()]*\))?(?![\w.:/(-])"
)
