"""A package above a patched module that certainly fails to import is refused, not patched.

Python runs the ``__init__.py`` of every package above a module before the module itself:
``from app.routes import users`` runs ``app/routes/__init__.py`` first. One whose top level
always raises (a ``raise`` in its own body) means the app cannot start with the module the
run patches. Nothing else is judged: a module missing from the folder may be one a build, an
image or a run-time hook supplies, and refusing a backend that works is worse than patching
one that does not.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from telemetry_cli.patching import symbols
from telemetry_cli.patching.project import BackendReader
from tests.cli_support import copy_bundled_project, make_project, run, write_files

USERS_PY = (
    "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
    '@router.get("/users")\ndef read_users() -> int:\n    return 1\n'
)

#: The package's files besides `routes/users.py`: (files, the failing file:line) per case.
UNIMPORTABLE = {
    "a-raise-in-the-package-init": (
        {"backend/app/routes/__init__.py": 'raise RuntimeError("set ROUTES_MODE first")\n'},
        "backend/app/routes/__init__.py:1: raises RuntimeError",
    ),
    "a-raise-two-packages-up": (
        {
            "backend/app/routes/__init__.py": "",
            "backend/app/routes/v1/__init__.py": "import os\n\nraise ImportError\n",
        },
        "backend/app/routes/v1/__init__.py:3: raises ImportError",
    ),
    "a-raise-after-other-statements": (
        {"backend/app/routes/__init__.py": '"""Routes."""\n\nimport os\n\nraise SystemExit(1)\n'},
        "backend/app/routes/__init__.py:5: raises SystemExit",
    ),
}

#: Packages above the patched module whose import may well work: not judged.
IMPORTABLE = {
    "a-raise-under-a-condition": (
        'import sys\n\nif sys.version_info < (3, 8):\n    raise RuntimeError("old")\n'
    ),
    "a-raise-in-a-function": "def fail():\n    raise RuntimeError\n",
    "a-guarded-import": (
        "try:\n    from app.routes.base import BASE\nexcept ImportError:\n    BASE = None\n"
    ),
    "a-third-party-import": "import some_library_not_installed_here\n",
    "an-import-of-a-generated-module-git-ignores": "from app.routes._version import version\n",
    # Not in the folder, and nothing in it says who writes it: a build, an image or a hook
    # may (a missing module is never judged, a false refusal being worse than a miss).
    "an-import-of-an-own-module-that-is-not-there": "from app.routes.base import BASE\n",
    "a-relative-import-of-a-module-that-is-not-there": "from .deps import get_db\n",
    "an-import-from-a-folder-added-to-the-package-s-path": (
        'import os\n\n__path__.append(os.environ.get("PLUGINS", "/opt/plugins"))\n'
        "from app.routes.plugin import router\n"
    ),
    "an-import-of-an-own-module-that-is-there": "from app.routes.users import router\n",
}


@pytest.mark.parametrize("case", sorted(UNIMPORTABLE))
def test_a_package_above_a_patched_module_that_cannot_import_is_refused(
    tmp_path: Path, case: str
) -> None:
    # Before, only a syntax error there failed the run: an `__init__.py` that always raises
    # was patched below and the run passed, for an app that cannot start.
    files, said = UNIMPORTABLE[case]
    root = make_project(
        tmp_path / "project", 'instrument = { "routes/users.py" = "ai_block_used" }'
    )
    nested = "backend/app/routes/v1/__init__.py" in files
    users = "backend/app/routes/v1/users.py" if nested else "backend/app/routes/users.py"
    write_files(root, {users: USERS_PY, **files})
    if nested:
        plan = root / "pyproject.toml"
        plan.write_text(plan.read_text().replace("routes/users.py", "routes/v1/users.py"))
    module = "app.routes.v1" if nested else "app.routes"
    main = root / "backend/app/main.py"
    main.write_text(
        f"from {module} import users\n" + main.read_text() + "app.include_router(users.router)\n"
    )
    for command in (("generate", "--check"), ("generate",)):
        done = run(*command, "--root", str(root))
        assert done.exit_code == 1, (command, done.stdout)
        lines = [line for line in done.stdout.splitlines() if said in line]
        assert lines, (command, done.stdout)
        assert "cannot start: fix it and rerun" in lines[0], lines


@pytest.mark.parametrize("case", sorted(IMPORTABLE))
def test_a_package_above_a_patched_module_that_may_import_is_patched(
    tmp_path: Path, case: str
) -> None:
    # A raise the tool cannot tell runs, an import of a module that may be installed where
    # the app runs, or one a build writes (git ignores it) or a module `__getattr__` may
    # supply: the run goes on.
    root = make_project(
        tmp_path / "project", 'instrument = { "routes/users.py" = "ai_block_used" }'
    )
    write_files(
        root,
        {
            "backend/app/routes/users.py": USERS_PY,
            "backend/app/routes/__init__.py": IMPORTABLE[case],
            "backend/.gitignore": "# build output\napp/routes/_version.py\n",
        },
    )
    main = root / "backend/app/main.py"
    main.write_text(
        "from app.routes import users\n" + main.read_text() + "app.include_router(users.router)\n"
    )
    done = run("generate", "--root", str(root))
    assert done.exit_code == 0, done.stdout
    assert "cannot start" not in done.stdout, done.stdout
    assert "log call in read_users (GET /users)" in done.stdout, done.stdout


def test_the_layer_the_run_writes_is_no_missing_module(tmp_path: Path) -> None:
    # Its modules are imported by the patched ones before the run writes them again (deleted
    # by hand, then regenerated): they are the run's own, not an import that fails.
    root = make_project(
        tmp_path / "project", 'instrument = { "routes/users.py" = "ai_block_used" }'
    )
    write_files(
        root,
        {"backend/app/routes/__init__.py": "", "backend/app/routes/users.py": USERS_PY},
    )
    main = root / "backend/app/main.py"
    main.write_text(
        "from app.routes import users\n" + main.read_text() + "app.include_router(users.router)\n"
    )
    assert run("generate", "--root", str(root)).exit_code == 0
    shutil.rmtree(root / "backend/app/analytics")
    again = run("generate", "--root", str(root))
    assert again.exit_code == 0, again.stdout
    assert "cannot start" not in again.stdout, again.stdout


#: Backends that work (or are built to) whose package imports a module the folder lacks: a
#: build ignored by git above the project root or in `.git/info/exclude`, a Dockerfile's
#: protoc, a `sys.modules` entry or a finder set at run time; none is refused.
SUPPLIED_ELSEWHERE = {
    "ignored-above-the-root": {"../../.gitignore": "*_pb2.py\n"},
    "ignored-by-info-exclude": {"../../.git/info/exclude": "*_pb2.py\n"},
    "ignored-by-a-double-star-pattern": {"backend/app/.gitignore": "**/proto/*_pb2.py\n"},
    "written-by-the-dockerfile": {
        "backend/Dockerfile": (
            "FROM python:3.12\nWORKDIR /app\nCOPY . .\n"
            "RUN python -m grpc_tools.protoc -Iapp/proto --python_out=app/proto "
            "app/proto/svc.proto\nCMD uvicorn app.main:app\n"
        ),
        "backend/app/proto/svc.proto": 'syntax = "proto3";\n',
    },
    "a-sys-modules-entry": {
        "backend/app/routes/__init__.py": (
            "import sys\n\nfrom app.routes import _compat\n\n"
            "sys.modules['app.proto.svc_pb2'] = _compat\nfrom app.proto.svc_pb2 import Svc\n"
        ),
        "backend/app/routes/_compat.py": "Svc = 1\n",
    },
    "a-meta-path-finder": {
        "backend/app/routes/__init__.py": (
            "import sys\n\nfrom app import _hooks\n\n"
            "sys.meta_path.insert(0, _hooks.Finder())\nfrom app.proto.svc_pb2 import Svc\n"
        ),
        "backend/app/_hooks.py": "class Finder:\n    pass\n",
    },
}


@pytest.mark.parametrize("case", sorted(SUPPLIED_ELSEWHERE))
def test_a_package_importing_a_module_supplied_elsewhere_is_patched(
    tmp_path: Path, case: str
) -> None:
    # The run refused each of these (exit 1, "cannot start") for a module it judged missing;
    # the tool cannot know what a build, an image or a hook supplies, so it judges none.
    repo = tmp_path / "repo"
    root = make_project(
        repo / "services" / "api", 'instrument = { "routes/users.py" = "ai_block_used" }'
    )
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    files = {
        "backend/app/routes/users.py": USERS_PY,
        "backend/app/routes/__init__.py": "from app.proto.svc_pb2 import Svc\n",
        "backend/app/proto/__init__.py": "",
        **SUPPLIED_ELSEWHERE[case],
    }
    for name, text in files.items():
        path = (root / name).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    main = root / "backend/app/main.py"
    main.write_text(
        "from app.routes import users\n" + main.read_text() + "app.include_router(users.router)\n"
    )
    done = run("generate", "--root", str(root))
    assert done.exit_code == 0, done.stdout
    assert "cannot start" not in done.stdout, done.stdout
    assert "log call in read_users (GET /users)" in done.stdout, done.stdout


def test_a_raise_below_a_package_that_rewrites_its_path_is_not_judged(tmp_path: Path) -> None:
    # `app/__init__.py` puts another folder first on its `__path__`: `app.routes` may be an
    # overlay's, so the raise in this folder's `app/routes/__init__.py` may never run.
    root = make_project(
        tmp_path / "project", 'instrument = { "routes/users.py" = "ai_block_used" }'
    )
    write_files(
        root,
        {
            "backend/app/__init__.py": "import os\n\n__path__.insert(0, os.environ['OVERLAY'])\n",
            "backend/app/routes/users.py": USERS_PY,
            "backend/app/routes/__init__.py": 'raise ImportError("use the overlay")\n',
        },
    )
    main = root / "backend/app/main.py"
    main.write_text(
        "from app.routes import users\n" + main.read_text() + "app.include_router(users.router)\n"
    )
    done = run("generate", "--root", str(root))
    assert done.exit_code == 0, done.stdout
    assert "cannot start" not in done.stdout, done.stdout


def test_a_raise_above_a_patched_module_the_app_never_imports_is_not_judged(
    tmp_path: Path,
) -> None:
    # A retired package the plan still names: its `__init__.py` raises, the app imports
    # nothing of it and starts; the run patches it as before instead of saying it cannot.
    root = make_project(
        tmp_path / "project", 'instrument = { "legacy/routes.py" = "ai_block_used" }'
    )
    write_files(
        root,
        {
            "backend/app/legacy/__init__.py": 'raise ImportError("legacy was removed")\n',
            "backend/app/legacy/routes.py": USERS_PY,
        },
    )
    done = run("generate", "--root", str(root))
    assert done.exit_code == 0, done.stdout
    assert "cannot start" not in done.stdout, done.stdout


#: The app's module reaching the retired package by an import that may never run when the app
#: is imported: the app starts, the run patches as for a package the app never imports.
MAY_NOT_RUN = {
    "with-a-fallback-when-it-fails": (
        "try:\n    from app.legacy import routes\nexcept ImportError:\n    routes = None\n"
    ),
    "under-type-checking": (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from app.legacy import routes\n"
    ),
    "in-a-function": "def legacy():\n    from app.legacy import routes\n\n    return routes\n",
    "under-the-main-guard": ('if __name__ == "__main__":\n    import app.legacy.routes\n'),
    "in-a-module-imported-only-in-a-function": (
        "def helpers():\n    from app import helpers\n\n    return helpers\n"
    ),
}


@pytest.mark.parametrize("case", sorted(MAY_NOT_RUN))
def test_a_raise_above_a_module_imported_only_where_it_may_not_run_is_not_judged(
    tmp_path: Path, case: str
) -> None:
    # The import text was enough before: any import of `app.legacy` in the app's code, run at
    # import or not, had the run refuse (exit 1, "cannot start") a backend that starts.
    root = make_project(
        tmp_path / "project", 'instrument = { "legacy/routes.py" = "ai_block_used" }'
    )
    write_files(
        root,
        {
            "backend/app/legacy/__init__.py": 'raise ImportError("legacy was removed")\n',
            "backend/app/legacy/routes.py": USERS_PY,
            "backend/app/helpers.py": "from app.legacy import routes\n",
        },
    )
    main = root / "backend/app/main.py"
    main.write_text(MAY_NOT_RUN[case] + main.read_text())
    done = run("generate", "--root", str(root))
    assert done.exit_code == 0, done.stdout
    assert "cannot start" not in done.stdout, done.stdout


#: The app's module reaching the retired package by imports that run whenever it is imported.
CERTAINLY_RUNS = {
    "a-top-level-import": "from app.legacy import routes\n",
    "a-relative-import": "from .legacy import routes\n",
    "through-another-module": "import app.helpers\n",
    "through-the-package-above": "",
    "an-import-module-call": 'import importlib\n\nimportlib.import_module("app.legacy.routes")\n',
}


@pytest.mark.parametrize("case", sorted(CERTAINLY_RUNS))
def test_a_raise_above_a_module_the_app_imports_when_imported_is_refused(
    tmp_path: Path, case: str
) -> None:
    root = make_project(
        tmp_path / "project", 'instrument = { "legacy/routes.py" = "ai_block_used" }'
    )
    write_files(
        root,
        {
            "backend/app/legacy/__init__.py": 'raise ImportError("legacy was removed")\n',
            "backend/app/legacy/routes.py": USERS_PY,
            "backend/app/helpers.py": "from app.legacy import routes\n",
        },
    )
    if case == "through-the-package-above":
        write_files(root, {"backend/app/__init__.py": "from app import helpers\n"})
    main = root / "backend/app/main.py"
    main.write_text(CERTAINLY_RUNS[case] + main.read_text())
    done = run("generate", "--root", str(root))
    assert done.exit_code == 1, done.stdout
    assert "backend/app/legacy/__init__.py:1: raises ImportError" in done.stdout, done.stdout


#: The import of the retired package in a block, what its `__init__` raises, and whether the
#: app then cannot start: a `try` body runs unless a handler may take what is raised (the
#: builtin hierarchy judges builtin classes; another class may be anything); a `with` body is
#: not judged.
GUARDED = {
    # A context manager may swallow what the body raises (`contextlib.suppress`): not judged.
    "with-a-context": (
        "import contextlib\n\nwith contextlib.nullcontext():\n    from app.legacy import routes\n",
        "ImportError",
        False,
    ),
    "with-suppress": (
        "from contextlib import suppress\n\nwith suppress(ImportError):\n"
        "    from app.legacy import routes\n",
        "ImportError",
        False,
    ),
    "try-finally-without-a-handler": (
        "try:\n    from app.legacy import routes\nfinally:\n    pass\n",
        "ImportError",
        True,
    ),
    "a-handler-of-another-class": (
        "try:\n    from app.legacy import routes\nexcept ImportError:\n    routes = None\n",
        "RuntimeError",
        True,
    ),
    "a-handler-of-a-subclass": (
        "try:\n    from app.legacy import routes\nexcept ModuleNotFoundError:\n    routes = None\n",
        "ImportError",
        True,
    ),
    "exception-does-not-take-system-exit": (
        "try:\n    from app.legacy import routes\nexcept Exception:\n    routes = None\n",
        "SystemExit",
        True,
    ),
    "a-handler-of-the-parent-class": (
        "try:\n    from app.legacy import routes\nexcept ImportError:\n    routes = None\n",
        "ModuleNotFoundError",
        False,
    ),
    "exception": (
        "try:\n    from app.legacy import routes\nexcept Exception:\n    routes = None\n",
        "RuntimeError",
        False,
    ),
    "a-bare-except": (
        "try:\n    from app.legacy import routes\nexcept:  # noqa: E722\n    routes = None\n",
        "SystemExit",
        False,
    ),
    "a-tuple-holding-the-parent": (
        "try:\n    from app.legacy import routes\nexcept (ValueError, LookupError):\n"
        "    routes = None\n",
        "KeyError",
        False,
    ),
    "a-class-of-the-code-s-own": (
        "import errors\n\ntry:\n    from app.legacy import routes\nexcept errors.Retired:\n"
        "    routes = None\n",
        "RuntimeError",
        False,
    ),
    "under-an-if": (
        "import os\n\nif os.environ.get('LEGACY'):\n    from app.legacy import routes\n",
        "RuntimeError",
        False,
    ),
    # A handler ending in a raise takes nothing: the import's failure goes on.
    "a-handler-re-raising": (
        "try:\n    from app.legacy import routes\nexcept ImportError:\n    routes = None\n"
        "    raise\n",
        "ImportError",
        True,
    ),
    "a-handler-raising-another-class-from-it": (
        "try:\n    from app.legacy import routes\nexcept ImportError as error:\n"
        "    raise RuntimeError('install legacy') from error\n",
        "ImportError",
        True,
    ),
    "a-re-raise-an-outer-handler-takes": (
        "try:\n    try:\n        from app.legacy import routes\n    except ImportError as error:\n"
        "        raise RuntimeError('install legacy') from error\nexcept RuntimeError:\n"
        "    routes = None\n",
        "ImportError",
        False,
    ),
    # What a handler raises replaces what it took: an outer handler of the first class misses.
    "a-re-raise-of-another-class-an-outer-handler-of-the-first-misses": (
        "try:\n    try:\n        from app.legacy import routes\n    except ImportError as error:\n"
        "        raise RuntimeError('install legacy') from error\nexcept ImportError:\n"
        "    routes = None\n",
        "ImportError",
        True,
    ),
    # A bare `raise` in `except*` raises an ExceptionGroup, which `except ImportError` misses.
    "an-except-star-re-raise-an-outer-handler-misses": (
        "try:\n    try:\n        from app.legacy import routes\n    except* ImportError:\n"
        "        raise\nexcept ImportError:\n    routes = None\n",
        "ImportError",
        True,
    ),
    "an-except-star-re-raise-an-outer-handler-of-its-group-takes": (
        "try:\n    try:\n        from app.legacy import routes\n    except* ImportError:\n"
        "        raise\nexcept Exception:\n    routes = None\n",
        "ImportError",
        False,
    ),
    # An outer `except*` takes the group by its members: of the class (or above it) it ends
    # the failure, of a subclass of it not.
    "an-except-star-re-raise-an-outer-except-star-of-its-class-takes": (
        "try:\n    try:\n        from app.legacy import routes\n    except* ImportError:\n"
        "        raise\nexcept* ImportError:\n    routes = None\n",
        "ImportError",
        False,
    ),
    "an-except-star-re-raise-by-name-an-outer-except-star-takes": (
        "try:\n    try:\n        from app.legacy import routes\n    except* ImportError as eg:\n"
        "        raise eg\nexcept* Exception:\n    routes = None\n",
        "ImportError",
        False,
    ),
    "an-except-star-re-raise-an-outer-except-star-of-a-subclass-misses": (
        "try:\n    try:\n        from app.legacy import routes\n    except* ImportError as eg:\n"
        "        raise eg\nexcept* ModuleNotFoundError:\n    routes = None\n",
        "ImportError",
        True,
    ),
    # A handler of an unknown class may not take it: the first class may go on too.
    "a-re-raise-by-a-handler-of-the-code-s-own-class": (
        "import errors\n\ntry:\n    try:\n        from app.legacy import routes\n"
        "    except errors.Retired as error:\n        raise RuntimeError('x') from error\n"
        "except ImportError:\n    routes = None\n",
        "ImportError",
        False,
    ),
    "an-except-star-of-the-class": (
        "try:\n    from app.legacy import routes\nexcept* ImportError:\n    routes = None\n",
        "ImportError",
        False,
    ),
    "an-except-star-of-another-class": (
        "try:\n    from app.legacy import routes\nexcept* ValueError:\n    routes = None\n",
        "ImportError",
        True,
    ),
    "an-except-star-re-raising": (
        "try:\n    from app.legacy import routes\nexcept* ImportError:\n    raise\n",
        "ImportError",
        True,
    ),
    "an-exception-group-handler": (
        "try:\n    from app.legacy import routes\nexcept ExceptionGroup:\n    routes = None\n",
        "ImportError",
        True,
    ),
    # An `if` decided from its text alone: TYPE_CHECKING is false when the code runs, a
    # constant is what it is, a version check every Python 3 from 3.8 passes (or fails).
    "under-type-checking": (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        "    from app.legacy import routes\n",
        "ImportError",
        False,
    ),
    "the-else-of-type-checking": (
        "import typing\n\nif typing.TYPE_CHECKING:\n    pass\nelse:\n"
        "    from app.legacy import routes\n",
        "ImportError",
        True,
    ),
    # A module's own TYPE_CHECKING is a value read at run time: its `if` is not decided.
    "the-else-of-a-type-checking-of-the-code-s-own": (
        "from app.settings import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    pass\nelse:\n"
        "    from app.legacy import routes\n",
        "ImportError",
        False,
    ),
    "the-else-of-typing-extensions-type-checking": (
        "import typing_extensions as te\n\nif te.TYPE_CHECKING:\n    pass\nelse:\n"
        "    from app.legacy import routes\n",
        "ImportError",
        True,
    ),
    "under-not-type-checking": (
        "from typing import TYPE_CHECKING\n\nif not TYPE_CHECKING:\n"
        "    from app.legacy import routes\n",
        "ImportError",
        True,
    ),
    "under-a-true-constant": ("if 1:\n    from app.legacy import routes\n", "ImportError", True),
    "a-version-check-every-python-passes": (
        "import sys\n\nif sys.version_info >= (3, 8):\n    from app.legacy import routes\n",
        "ImportError",
        True,
    ),
    "a-version-check-some-pythons-pass": (
        "import sys\n\nif sys.version_info >= (3, 12):\n    from app.legacy import routes\n",
        "ImportError",
        False,
    ),
}


@pytest.mark.parametrize("case", sorted(GUARDED))
def test_a_raise_above_a_module_imported_in_a_block_is_judged_by_what_catches_it(
    tmp_path: Path, case: str
) -> None:
    # Every `try`/`with` was read as "may not run": an app that cannot start was patched.
    guarded, raised, refused = GUARDED[case]
    root = make_project(
        tmp_path / "project", 'instrument = { "legacy/routes.py" = "ai_block_used" }'
    )
    write_files(
        root,
        {
            "backend/app/legacy/__init__.py": f'raise {raised}("legacy was removed")\n',
            "backend/app/legacy/routes.py": USERS_PY,
        },
    )
    main = root / "backend/app/main.py"
    main.write_text(guarded + main.read_text())
    done = run("generate", "--root", str(root))
    if refused:
        assert done.exit_code == 1, done.stdout
        assert f"backend/app/legacy/__init__.py:1: raises {raised}" in done.stdout, done.stdout
    else:
        assert done.exit_code == 0, done.stdout
        assert "cannot start" not in done.stdout, done.stdout


def test_the_app_s_reach_is_not_read_through_the_layer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The generated layer is the tool's own code and imports none of the user's modules:
    # following the app's imports into it parsed its largest modules (a dynamic-import
    # probe) on every run, a third of an up-to-date check of the bundled project. What the
    # app's imports certainly run is not read through it either.
    root = copy_bundled_project(tmp_path / "project")
    probed: list[str] = []
    listed = symbols._listed_modules
    run_at_import = symbols.imports_run_at_import

    def recorded(source: symbols.ModuleSource, *args: Any) -> set[str]:
        probed.append(source.name)
        return listed(source, *args)

    def recorded_run(source: symbols.ModuleSource, raised: Any) -> Iterator[str]:
        probed.append(source.name)
        return run_at_import(source, raised)

    monkeypatch.setattr(symbols, "_listed_modules", recorded)
    monkeypatch.setattr(symbols, "imports_run_at_import", recorded_run)
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    index = symbols.PackageIndex(BackendReader(root, "backend").read, layer="app.analytics")
    index.run_at_import(["app.main"], frozenset({"ImportError"}))
    assert "app.main" in probed
    assert not [name for name in probed if name.startswith("app.analytics")]
