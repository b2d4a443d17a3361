"""Which app init plans when the served app is named in a way other files spell differently:
a side app mounted through its package's re-export, a server moved into a folder by a script."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import run, write_files

SIDE_APP = """from fastapi import FastAPI

side = FastAPI()


@side.get("/")
def side_root() -> dict[str, str]:
    return {"side": "ok"}
"""

ENTRY = """from fastapi import FastAPI

from sideapp import side

app = FastAPI()
app.mount("/side", side)


@app.get("/")
def root() -> dict[str, str]:
    return {"main": "ok"}
"""


def test_a_side_app_mounted_through_its_package_reexport_gives_way_to_the_entry(
    tmp_path: Path,
) -> None:
    """`main.py` saying `from sideapp import side` (bound by `sideapp/__init__.py` from its
    `.main`) and mounting it serves the entry module's app; the package's app is a part of it,
    as when `main.py` imports `sideapp.main` itself."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "server/main.py": ENTRY,
            "server/sideapp/__init__.py": 'from .main import side\n\n__all__ = ["side"]\n',
            "server/sideapp/main.py": SIDE_APP,
        },
    )
    initialised = run("init", "--root", str(root), "--dry-run")
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    assert 'app = "main:app"' in initialised.stdout
    assert 'backend = "server"' in initialised.stdout


_LAZY_SIDE = "def __getattr__(name):\n    from . import main\n\n    return getattr(main, name)\n"


@pytest.mark.parametrize(
    "init",
    [
        pytest.param(
            "from .main import create_side\n\nside = create_side()\n", id="a factory's call"
        ),
        pytest.param(
            "from . import main\n\nside = getattr(main, 'side')\n", id="getattr of the module"
        ),
        pytest.param("side: object\n\n\n" + _LAZY_SIDE, id="an annotation without a value"),
        pytest.param(
            "def helper():\n    side = 1\n    return side\n\n\n" + _LAZY_SIDE,
            id="a function's local",
        ),
        pytest.param("class Settings:\n    side = 1\n\n\n" + _LAZY_SIDE, id="a class body"),
    ],
)
def test_a_name_the_package_binds_to_nothing_known_otherwise_may_be_its_side_app(
    tmp_path: Path, init: str
) -> None:
    """`from sideapp import side` where `sideapp/__init__.py` binds `side` to a value not known
    to be anything but the app (a call, `getattr`), or only lazily (names in a function, a
    class, an annotation are not the module's): the entry serves it, as when the package
    re-exports the app plainly."""
    root = tmp_path / "project"
    factory = "\n\ndef create_side() -> FastAPI:\n    return side\n"
    write_files(
        root,
        {
            "server/main.py": ENTRY,
            "server/sideapp/__init__.py": init,
            "server/sideapp/main.py": SIDE_APP + factory,
        },
    )
    initialised = run("init", "--root", str(root), "--dry-run")
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    assert 'app = "main:app"' in initialised.stdout
    assert 'backend = "server"' in initialised.stdout


@pytest.mark.parametrize(
    "init",
    [
        pytest.param(
            "import contextlib\n\nside = None\nwith contextlib.suppress(ImportError):\n"
            "    from .main import side\n",
            id="imported in a with block",
        ),
        pytest.param(
            "side = None\n\n\ndef _load():\n    global side\n    from .main import side\n\n\n"
            "_load()\n",
            id="bound by a function's global",
        ),
        pytest.param(
            "side = None\nfor _ in (1,):\n    from .main import side\n", id="imported in a for"
        ),
        pytest.param(
            "side = None\nwhile side is None:\n    from .main import side\n",
            id="imported in a while",
        ),
        pytest.param(
            "import sys\n\nside = None\nmatch sys.platform:\n    case _:\n"
            "        from .main import side\n",
            id="imported in a match case",
        ),
        pytest.param(
            "from . import main\n\nside = None\nfor side in (main.side,):\n    pass\n",
            id="a for loop's target",
        ),
        pytest.param("from . import main\n\nside = None\n_, side = 1, main.side\n", id="unpacked"),
    ],
)
def test_a_name_the_package_binds_in_a_block_or_from_a_function_may_be_its_side_app(
    tmp_path: Path, init: str
) -> None:
    """`from sideapp import side` where `sideapp/__init__.py` binds `side` to None and then to
    the app in a module-level block (`with`, `for`, `while`, `match`), by a function declaring
    it `global`, or by a target other than a plain name: every module-level block is the
    module's, and a binding not read is not known to be anything but the app, so the entry
    serves it."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "server/main.py": ENTRY,
            "server/sideapp/__init__.py": init,
            "server/sideapp/main.py": SIDE_APP,
        },
    )
    initialised = run("init", "--root", str(root), "--dry-run")
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    assert 'app = "main:app"' in initialised.stdout
    assert 'backend = "server"' in initialised.stdout


ROUTER_ENTRY = ENTRY.replace('app.mount("/side", side)', "app.include_router(side)")
SIDE_ROUTER = """from fastapi import APIRouter

side = APIRouter()


@side.get("/items")
def items() -> list[str]:
    return []
"""


@pytest.mark.parametrize(
    ("entry", "init"),
    [
        pytest.param(ROUTER_ENTRY, "from .routes import side\n", id="from .routes import side"),
        pytest.param(
            ROUTER_ENTRY, "from sideapp.routes import side\n", id="from sideapp.routes import"
        ),
        pytest.param(
            ROUTER_ENTRY.replace("from sideapp import side", "import sideapp").replace(
                "include_router(side)", "include_router(sideapp.side)"
            ),
            "try:\n    from .routes import side\nexcept ImportError:\n    side = None\n",
            id="import sideapp, bound in a try",
        ),
        pytest.param(
            ROUTER_ENTRY,
            "from .server import side\n",
            id="re-exported by another module from .routes",
        ),
    ],
)
def test_a_name_the_package_binds_to_a_router_is_not_its_side_app(
    tmp_path: Path, entry: str, init: str
) -> None:
    """`from sideapp import side` where `sideapp/__init__.py` binds `side` to a router of its
    `.routes`, not to the app `sideapp/main.py` builds under that name: the entry takes no app
    from the package, and the app planned is the one planned when the router has a name of its
    own (the package's app, the entry not serving it)."""

    def plan(project: Path, renamed: bool) -> str:
        rename = (lambda text: text.replace("side", "side_app")) if renamed else str
        write_files(
            project,
            {
                "server/main.py": entry,
                "server/sideapp/__init__.py": init,
                "server/sideapp/main.py": rename(SIDE_APP),
                "server/sideapp/routes.py": SIDE_ROUTER,
                "server/sideapp/server.py": "from .routes import side\n",
            },
        )
        initialised = run("init", "--root", str(project), "--dry-run")
        assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
        lines = initialised.stdout.replace("side_app", "side").splitlines()
        return "\n".join(line for line in lines if line.startswith(("backend", "app")))

    planned = plan(tmp_path / "clash", renamed=False)
    assert planned == plan(tmp_path / "own", renamed=True)
    assert 'app = "sideapp.main:side"' in planned


FACTORY_MODULE = """from fastapi import APIRouter, FastAPI

router = APIRouter()


@router.get("/")
async def answer() -> dict[str, int]:
    return {"answer": 42}


def get_app() -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    return app
"""


@pytest.mark.parametrize(
    ("run_file", "text"),
    [
        pytest.param(
            "run_app.sh",
            '#!/bin/bash\ngunicorn "main:get_app()" --chdir svc/ -k uvicorn.workers.UvicornWorker'
            "\n",
            id="a shell script's gunicorn --chdir",
        ),
        pytest.param(
            "Procfile", "web: cd svc && uvicorn main:get_app --factory\n", id="a Procfile's cd"
        ),
        pytest.param(
            "Makefile",
            "run:\n\t@uvicorn --app-dir svc main:get_app --factory\n",
            id="a recipe's --app-dir",
        ),
    ],
)
def test_a_run_file_serving_the_app_from_its_folder_runs_it_from_there(
    tmp_path: Path, run_file: str, text: str
) -> None:
    """`svc/main.py` (no `__init__.py`) served from `svc/` by a run file at the root that moves
    the server there: the plan runs it from `svc/` as `main:get_app`, so the generated imports
    (`from analytics ...`) resolve where it runs (`from svc.analytics ...` would not)."""
    root = tmp_path / "project"
    write_files(root, {"svc/main.py": FACTORY_MODULE, run_file: text})
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    plan = (root / "pyproject.toml").read_text()
    assert 'backend = "svc"' in plan
    assert 'app = "main:get_app"' in plan
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    served = (root / "svc/main.py").read_text()
    assert "from analytics." in served
    assert "svc.analytics" not in served


APP_MODULE = """from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"main": "ok"}
"""

ROOT_PROCFILE = "web: uvicorn svc.main:app --host 0.0.0.0 --port $PORT\n"


def _plan(root: Path, files: dict[str, str]) -> str:
    write_files(root, {"svc/main.py": APP_MODULE, **files})
    initialised = run("init", "--root", str(root), "--dry-run")
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    return initialised.stdout


def _served_from_root(plan: str) -> bool:
    return 'backend = "."' in plan and 'app = "svc.main:app"' in plan


def _served_from_svc(plan: str) -> bool:
    return 'backend = "svc"' in plan and 'app = "main:app"' in plan


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {
                "Procfile": ROOT_PROCFILE,
                "dev.sh": "#!/bin/sh\ncd svc && uvicorn main:app --reload\n",
            },
            id="a root Procfile and a dev script",
        ),
        pytest.param(
            {"Procfile": ROOT_PROCFILE, "Procfile.dev": "web: cd svc && uvicorn main:app\n"},
            id="a root Procfile and Procfile.dev",
        ),
        pytest.param(
            {
                "Makefile": "dev:\n\tcd svc && uvicorn main:app --reload\n\n"
                "prod:\n\tuvicorn svc.main:app --host 0.0.0.0\n"
            },
            id="a Makefile's dev and prod recipes",
        ),
        pytest.param(
            {
                "Procfile": ROOT_PROCFILE
                + "worker: gunicorn --chdir svc main:app -k uvicorn.workers.UvicornWorker\n"
            },
            id="a Procfile's web from the root and a worker from svc",
        ),
    ],
)
def test_run_files_serving_the_app_from_the_root_and_a_folder_leave_the_plan(
    tmp_path: Path, files: dict[str, str]
) -> None:
    """A run file line serving `svc/main.py` from the root (`uvicorn svc.main:app`) counts:
    beside one serving it from `svc/`, the run files disagree and the plan stays as discovery
    made it, the imports `generate` writes resolving from the root."""
    assert _served_from_root(_plan(tmp_path / "project", files))


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {"print_procfile.sh": "#!/bin/sh\ncat <<'EOF'\ncd svc && uvicorn main:app\nEOF\n"},
            id="a heredoc's body",
        ),
        pytest.param(
            {
                "print_procfile.sh": "#!/bin/sh\ncat <<-EOF > Procfile.example\n"
                "\tcd svc && uvicorn main:app\n\tEOF\n"
            },
            id="an indented heredoc's body",
        ),
        pytest.param(
            {"notes.sh": "#!/bin/sh\nweb: cd svc && uvicorn main:app\n"},
            id="a Procfile's process name in a shell script",
        ),
        pytest.param(
            {"Makefile": "run:\n\tcd svc\n\tuvicorn main:app\n"},
            id="a recipe's cd on its own line (each line its own shell)",
        ),
    ],
)
def test_lines_a_shell_never_runs_from_a_folder_do_not_move_the_app(
    tmp_path: Path, files: dict[str, str]
) -> None:
    """Text a script prints (a heredoc, a quoted string), a Procfile's lead in a shell script
    (a command named `web:`) and a recipe's `cd` line (its own shell) serve nothing from `svc/`."""
    assert _served_from_root(_plan(tmp_path / "project", files))


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {"run.sh": "#!/bin/sh\ncd svc; exec uvicorn main:app --reload\n"},
            id="a script's cd; on the server's line",
        ),
        pytest.param(
            {"Makefile": "run:\n\tcd svc && \\\n\t\tuvicorn main:app --reload\n"},
            id="a recipe's cd continued on the next line",
        ),
        pytest.param(
            {"run.sh": '#!/bin/bash\ncd "$(dirname "$0")/svc" && uvicorn main:app\n'},
            id="a script's cd from its own folder",
        ),
        pytest.param(
            {"run.sh": "#!/bin/bash\nN=$((1<<2))\ncd svc && uvicorn main:app\n"},
            id="a shift in arithmetic is no heredoc",
        ),
        pytest.param(
            {"run.sh": '#!/bin/bash\necho "a << b"\ncd svc && uvicorn main:app\n'},
            id="a quoted << is no heredoc",
        ),
        pytest.param(
            {"run.sh": "#!/bin/bash\necho $'it\\'s' <<< x\ncd svc && uvicorn main:app\n"},
            id="an ANSI-C string and a here-string",
        ),
    ],
)
def test_a_cd_on_the_server_line_moves_the_app(tmp_path: Path, files: dict[str, str]) -> None:
    """A `cd svc` on the server's own line (a recipe line continued by a backslash is one line)
    runs the server there; a `<<` quoted, in arithmetic or a here-string starts no heredoc
    hiding the lines after it."""
    assert _served_from_svc(_plan(tmp_path / "project", files))


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {"run.sh": "#!/bin/sh\nset -e\ncd svc\nexport PORT=8000\nuvicorn main:app --reload\n"},
            id="a script's cd on its own line",
        ),
        pytest.param(
            {
                "run.sh": '#!/bin/bash\ncase "$1" in\n  dev)\n    cd svc\n'
                "    exec uvicorn main:app --reload\n    ;;\n  *)\n"
                "    exec uvicorn svc.main:app\n    ;;\nesac\n"
            },
            id="a case arm's cd",
        ),
        pytest.param(
            {
                "run.sh": '#!/bin/bash\nif [ "$1" = dev ]; then\n  cd svc\n'
                "  exec uvicorn main:app --reload\nfi\nexec uvicorn svc.main:app --port 80\n"
            },
            id="an if branch's cd",
        ),
        pytest.param(
            {
                "run.sh": "#!/bin/bash\ntests() {\n  cd svc\n  pytest\n}\nuvicorn svc.main:app\n",
                "Procfile.dev": "web: cd svc && uvicorn main:app\n",
            },
            id="a function's cd",
        ),
        pytest.param(
            {
                "run.sh": "#!/bin/sh\n(\n  cd svc\n  pytest\n)\nuvicorn svc.main:app\n",
                "Procfile.dev": "web: cd svc && uvicorn main:app\n",
            },
            id="a multi-line subshell's cd",
        ),
        pytest.param(
            {
                "run.sh": "#!/bin/bash\npushd svc\npytest\npopd\nuvicorn svc.main:app\n",
                "Procfile.dev": "web: cd svc && uvicorn main:app\n",
            },
            id="pushd and popd",
        ),
    ],
)
def test_a_cd_on_a_line_of_its_own_moves_nothing(tmp_path: Path, files: dict[str, str]) -> None:
    """A script's `cd` on a line of its own may run in a case arm, a branch, a function or a
    subshell: the lines after it are read from the root, and a root-serving line vetoes a move."""
    assert _served_from_root(_plan(tmp_path / "project", files))


def test_a_long_run_file_of_cd_lines_plans_the_app(tmp_path: Path) -> None:
    """A 256 KiB script of `cd a` lines, then a line of `cd a;` repeated before the server:
    read line by line, the plan stays at the root (`svc/a` is no folder of the project)."""
    script = "cd a\n" * (256 * 1024 // 5) + "cd a;" * (256 * 1024 // 5) + "uvicorn main:app\n"
    assert _served_from_root(_plan(tmp_path / "project", {"run.sh": script}))


def test_a_script_cd_back_to_the_root_serves_from_the_root(tmp_path: Path) -> None:
    """`cd svc`, then `cd ..`, then `uvicorn svc.main:app`: served from the root."""
    files = {"run.sh": "#!/bin/sh\ncd svc\npytest\ncd ..\nuvicorn svc.main:app\n"}
    assert _served_from_root(_plan(tmp_path / "project", files))


PROJECT = '[project]\nname = "shop"\nversion = "0.1.0"\ndependencies = ["fastapi"]\n\n'


@pytest.mark.parametrize(
    "tasks",
    [
        pytest.param(
            '[tool.hatch.envs.default.scripts]\nserve = "cd svc && uvicorn main:app --reload"\n',
            id="a hatch environment's script",
        ),
        pytest.param(
            '[tool.hatch.envs.default.scripts]\nserve = ["cd svc && uvicorn main:app --reload"]\n',
            id="a hatch script's list of commands",
        ),
        pytest.param(
            '[tool.pdm.scripts]\nserve = {shell = "cd svc && uvicorn main:app"}\n',
            id="a pdm shell script",
        ),
        pytest.param(
            '[tool.poe.tasks.serve]\nshell = "cd svc && uvicorn main:app"\n',
            id="a poe shell task",
        ),
        pytest.param(
            '[tool.taskipy.tasks]\nserve = "cd svc && uvicorn main:app"\n',
            id="a taskipy task",
        ),
    ],
)
def test_a_cd_in_a_pyproject_task_moves_the_app(tmp_path: Path, tasks: str) -> None:
    """A task of pyproject.toml (`hatch run serve`, `pdm run serve`, `poe serve`, `task serve`)
    is a shell line as a Makefile recipe's is: `cd svc && uvicorn main:app` serves the app from
    `svc/`."""
    assert _served_from_svc(_plan(tmp_path / "project", {"pyproject.toml": PROJECT + tasks}))


def test_a_pyproject_task_serving_from_the_root_keeps_the_plan(tmp_path: Path) -> None:
    """A task saying `uvicorn svc.main:app` beside one saying `cd svc && uvicorn main:app`: the
    two disagree, and the plan stays as discovery made it."""
    tasks = (
        "[tool.hatch.envs.default.scripts]\n"
        'dev = "cd svc && uvicorn main:app --reload"\nprod = "uvicorn svc.main:app"\n'
    )
    assert _served_from_root(_plan(tmp_path / "project", {"pyproject.toml": PROJECT + tasks}))


RUN_SCRIPT = """import uvicorn

if __name__ == "__main__":
    uvicorn.run("main:app", reload=True)
"""


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({"Makefile": "run:\n\tcd svc && python run.py\n"}, id="a recipe's cd"),
        pytest.param({"Procfile": "web: python svc/run.py\n"}, id="the script's path"),
        pytest.param(
            {
                "pyproject.toml": PROJECT
                + '[tool.hatch.envs.default.scripts]\nserve = "cd svc; python3 run.py"\n'
            },
            id="a hatch script's cd",
        ),
        pytest.param(
            {"run.sh": "#!/bin/sh\ncd svc/../svc && exec python -u run.py\n"}, id="a path back in"
        ),
        pytest.param(
            {"Makefile": "run:\n\tpython svc/run.py  # uvicorn, reloading\n"},
            id="a server named in a comment only",
        ),
        pytest.param(
            {"Procfile": "web: .venv/bin/python -X dev svc/run.py\n"}, id="a valued option"
        ),
    ],
)
def test_a_script_run_from_a_folder_serves_the_app_from_it(
    tmp_path: Path, files: dict[str, str]
) -> None:
    """`python svc/run.py` (or `cd svc && python run.py`) puts `svc/` first on the import path,
    wherever the line runs from: the `uvicorn.run("main:app")` of the script serves `svc/main.py`
    from `svc/`."""
    assert _served_from_svc(_plan(tmp_path / "project", {"svc/run.py": RUN_SCRIPT, **files}))


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({"Makefile": "run:\n\tcd svc\n\tpython run.py\n"}, id="a cd of its own line"),
        pytest.param(
            {"Makefile": "run:\n\tcd /srv && python run.py\n"}, id="a cd out of the project"
        ),
    ],
)
def test_a_script_line_not_reaching_the_script_moves_nothing(
    tmp_path: Path, files: dict[str, str]
) -> None:
    """A recipe's `cd` on a line of its own (its own shell), or into a folder of no project:
    `python run.py` runs no script of the project's `svc/`."""
    assert _served_from_root(_plan(tmp_path / "project", {"svc/run.py": RUN_SCRIPT, **files}))


@pytest.mark.parametrize(
    "tasks",
    [
        pytest.param(
            '[tool.poe.tasks.serve]\nshell = """\ncd svc\npython run.py\n"""\n',
            id="a poe shell task's script",
        ),
        pytest.param(
            '[tool.pdm.scripts]\nserve = {shell = "cd svc; python run.py"}\n',
            id="a pdm shell script",
        ),
    ],
)
def test_a_shell_task_running_a_script_after_its_cd_moves_the_app(
    tmp_path: Path, tasks: str
) -> None:
    """A task's shell script of several lines is read as a server's is: its `cd svc` comes
    before `python run.py`, which serves `svc/main.py` from `svc/`."""
    files = {"svc/run.py": RUN_SCRIPT, "pyproject.toml": PROJECT + tasks}
    assert _served_from_svc(_plan(tmp_path / "project", files))


@pytest.mark.parametrize(
    "tasks",
    [
        pytest.param(
            '[tool.pdm.scripts]\nserve = "cd svc && uvicorn main:app"\n', id="a pdm plain script"
        ),
        pytest.param(
            '[tool.pdm.scripts]\nserve = {cmd = ["cd", "svc", "&&", "uvicorn", "main:app"]}\n',
            id="a pdm cmd list",
        ),
        pytest.param(
            '[tool.poe.tasks]\nserve = "cd svc && uvicorn main:app"\n', id="a poe plain task"
        ),
        pytest.param(
            '[tool.poe.tasks.serve]\ncmd = "cd svc && python run.py"\n', id="a poe cmd task"
        ),
    ],
)
def test_a_task_run_without_a_shell_moves_nothing(tmp_path: Path, tasks: str) -> None:
    """pdm's and poe's plain and `cmd` tasks run their words as one program, with no shell:
    `cd` is no program, the task fails to start, and the plan stays as discovery made it."""
    files = {"svc/run.py": RUN_SCRIPT, "pyproject.toml": PROJECT + tasks}
    assert _served_from_root(_plan(tmp_path / "project", files))


IMAGE_OF_SVC = 'FROM python:3.12\nWORKDIR /app\nCOPY ./svc /app\nCMD ["uvicorn", "main:app"]\n'
ROOT_RUN_SCRIPT = RUN_SCRIPT.replace('"main:app"', '"svc.main:app"')


def test_a_root_script_serving_from_the_root_keeps_the_plan(tmp_path: Path) -> None:
    """The image serves `svc/` as its root, but `python main.py` at the root runs the root's
    `main.py`, whose `uvicorn.run("svc.main:app")` serves the app from the root: the two
    disagree, and the plan stays as discovery made it."""
    files = {
        "Dockerfile": IMAGE_OF_SVC,
        "main.py": ROOT_RUN_SCRIPT,
        "Makefile": "run:\n\tpython main.py\n",
    }
    assert _served_from_root(_plan(tmp_path / "project", files))


@pytest.mark.parametrize(
    "recipe",
    [
        pytest.param("@echo 'run: python main.py'", id="a line printing it"),
        pytest.param("docker compose run api python main.py", id="a line running it in a service"),
        pytest.param("ssh prod 'cd /srv && python main.py'", id="a line running it elsewhere"),
    ],
)
def test_a_line_not_running_the_root_script_leaves_the_image_plan(
    tmp_path: Path, recipe: str
) -> None:
    """A recipe naming `python main.py` without running it here (printed, run in a container,
    run on another host) runs no script of the root: the image's `svc/` root stands."""
    files = {
        "Dockerfile": IMAGE_OF_SVC,
        "main.py": ROOT_RUN_SCRIPT,
        "Makefile": f"run:\n\t{recipe}\n",
    }
    assert _served_from_svc(_plan(tmp_path / "project", files))


ATTRIBUTE_ENTRY = ENTRY.replace("from sideapp import side", "import sideapp").replace(
    '"/side", side', '"/side", sideapp.side'
)


@pytest.mark.parametrize(
    ("entry", "init"),
    [
        pytest.param(ATTRIBUTE_ENTRY, "from .main import side\n", id="import sideapp"),
        pytest.param(
            ATTRIBUTE_ENTRY.replace("import sideapp", "import sideapp.routes"),
            "from .main import side\n",
            id="import sideapp.routes",
        ),
        pytest.param(
            ENTRY,
            "try:\n    from .main import side\nexcept ImportError:\n    side = None\n",
            id="bound in a try",
        ),
        pytest.param(
            ENTRY,
            "import sys\n\nif sys.version_info >= (3, 8):\n    from .main import side\n",
            id="bound in an if",
        ),
        pytest.param(
            ENTRY,
            "def __getattr__(name):\n    from . import main\n\n    return getattr(main, name)\n",
            id="a lazy __getattr__",
        ),
        pytest.param(ENTRY, "from . import main\n\nside = main.side\n", id="assigned off .main"),
    ],
)
def test_a_side_app_the_package_exports_gives_way_to_the_entry(
    tmp_path: Path, entry: str, init: str
) -> None:
    """The entry takes the side app from its package (`from sideapp import side`, or
    `sideapp.side` after `import sideapp`), however `sideapp/__init__.py` binds it."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "server/main.py": entry,
            "server/sideapp/__init__.py": init,
            "server/sideapp/main.py": SIDE_APP,
            "server/sideapp/routes.py": "",
        },
    )
    initialised = run("init", "--root", str(root), "--dry-run")
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    assert 'app = "main:app"' in initialised.stdout
    assert 'backend = "server"' in initialised.stdout
