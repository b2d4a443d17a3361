"""One reading of a line running a Python script: init's targets of a run file and the folder
a line serves from (the image layer's reader) agree on which script runs, from which folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

import pytest

from telemetry_cli import run_files, script_servers
from telemetry_cli.ignore import GitIgnore
from telemetry_cli.run_files import command_targets, script_serving
from telemetry_cli.server_commands import (
    line_commands,
    run_file_command,
    scripts_anywhere,
    with_own_folder,
)
from tests.cli_support import run, write_files

SCRIPT = """import uvicorn
from fastapi import FastAPI

app = FastAPI()

if __name__ == "__main__":
    uvicorn.run("main:app")
"""

RUNNING = [
    "python main.py",
    ".venv/bin/python main.py",
    "/usr/local/bin/python3.12 main.py",
    "python3 -u main.py",
    "python -X dev main.py",
    "python -Xdev -W ignore main.py",
    "python -uB -- main.py",
    "py main.py",
    "py -3.12 main.py",
    "py -V:3.12 main.py",
    "python3 -R main.py",
    "exec python main.py",
    "poetry run python ./main.py",
    # Each run file's own lead taken off first, then the line's commands walked one by one.
    "nohup python main.py &",
    "nohup python main.py > out.log 2>&1 &",
    "env PYTHONPATH=. python main.py",
    "env -u DEBUG PORT=8000 python main.py",
    "PORT=8000 python main.py",
    "time python main.py",
    "a && python main.py",
    "pip install -r requirements.txt; python main.py",
    "watchfiles 'python main.py' .",
    "watchfiles --filter python 'python main.py'",
    "sh -c 'alembic upgrade head && python main.py'",
    'CMD ["python","main.py"]',
    'CMD ["python3", "-u", "main.py"]',
    "CMD python main.py",
    'ENTRYPOINT ["py", "main.py"]',
    "RUN nohup python main.py &",
    "web: python main.py",
    "web: env PORT=8000 python main.py",
    "command: python main.py",
    'command: ["python", "main.py"]',
    "command: [python, main.py]",
    "\t@python main.py",
    "\t-nohup python main.py &",
    "py -3.12t main.py",
    "py -3.13t-64 main.py",
    "py -V:3.13t main.py",
    # The user switchers, timeouts and init processes run the command after them in place.
    "web: gosu app python main.py",
    'CMD ["su-exec", "app", "python", "main.py"]',
    "timeout 3600 python main.py",
    "timeout -s KILL --preserve-status 1h python main.py",
    "sudo -E python main.py",
    "sudo -u app -E python main.py",
    "setpriv --reuid=1000 --regid 1000 --clear-groups python main.py",
    "chpst -u app python main.py",
    "runuser -u app -- python main.py",
    "tini -- python main.py",
    "dumb-init python main.py",
    "exec -a server python main.py",
    "cd . && gosu app timeout 60 python main.py",
    # Docker reads an instruction in any case.
    'cmd ["python", "main.py"]',
    "Cmd python main.py",
    # A redirection written against the script's word is no part of it.
    "CMD python main.py>log",
    "python main.py 2>&1>log",
]
NOT_RUNNING = [
    "python -c 'import main' main.py",
    "python - main.py",
    "python --version main.py",
    "python -V main.py",
    "python -h main.py",
    "python -uV main.py",
    "py -0 main.py",
    "python -Q main.py",
    "python main.pyc",
    # A command printing, installing or copying the words runs no script.
    "echo py main.py",
    "echo python main.py",
    "pip install py main.py",
    "cp python main.py",
    'CMD ["echo", "python", "main.py"]',
    "web: echo python main.py",
    "command: [echo, python, main.py]",
    "py -0t main.py",
    # `command -v` prints where a program is; a login or another root moves the command.
    "command -v python main.py",
    "command -V python main.py",
    "sudo -i python main.py",
    "sudo -D /srv python main.py",
    "chpst -/ /jail python main.py",
]


def _both(root: Path, line: str) -> tuple[set[str], set[str]]:
    ignore = GitIgnore(root)
    ignore.read(root)
    return (
        command_targets(root, line, ignore),
        {
            string
            for folder, string in script_serving(root, run_file_command(line), ignore)
            if folder == "."
        },
    )


@pytest.mark.parametrize("line", RUNNING)
def test_a_line_running_the_script_is_read_alike_by_both(tmp_path: Path, line: str) -> None:
    """Every way of running `main.py` (a venv's interpreter, options with values, the `py`
    launcher, `exec`) serves its `main:app`, for init's targets and the serving folder alike."""
    write_files(tmp_path, {"main.py": SCRIPT})
    assert _both(tmp_path, line) == ({"main:app"}, {"main:app"})


@pytest.mark.parametrize("line", NOT_RUNNING)
def test_a_line_not_running_the_script_is_read_alike_by_both(tmp_path: Path, line: str) -> None:
    """A string run, standard input, an option not known or another file run no script."""
    write_files(tmp_path, {"main.py": SCRIPT})
    assert _both(tmp_path, line) == (set(), set())


#: Programs the walk has no entry for, each running the script after its own words: a table
#: always misses one, so such a command is read as before the walk (an interpreter's word in it).
UNKNOWN_LAUNCHERS = [
    "web: s6-setuidgid app python main.py",
    "web: dotenv run -- python main.py",
    "web: doppler run -- python main.py",
    "web: op run -- python main.py",
    "web: aws-vault exec p -- python main.py",
    "web: conda run -n base python main.py",
    "web: uvx --from x python main.py",
    "web: stdbuf -oL python main.py",
    "web: ionice -c3 python main.py",
    "web: taskset -c 0 python main.py",
    "web: xvfb-run -a python main.py",
    "web: flock /tmp/l python main.py",
    "web: doas -u app python main.py",
    'web: su app -c "python main.py"',
    'web: npx concurrently "python main.py"',
    'web: watchmedo auto-restart -p "*.py" -- python main.py',
    "\tcmd /c python main.py",
]


@pytest.mark.parametrize("line", UNKNOWN_LAUNCHERS)
def test_a_program_the_walk_does_not_know_runs_the_script_after_it(
    tmp_path: Path, line: str
) -> None:
    """A launcher missing from the walk's table still runs `main.py` for init's targets."""
    write_files(tmp_path, {"main.py": SCRIPT})
    ignore = GitIgnore(tmp_path)
    ignore.read(tmp_path)
    assert command_targets(tmp_path, line, ignore) == {"main:app"}


@pytest.mark.parametrize(
    ("line", "commands"),
    [
        ('CMD ["python", "main.py"]', [["python", "main.py"]]),
        (
            "RUN pip install x && nohup python main.py &",
            [["pip", "install", "x"], ["python", "main.py"]],
        ),
        ("web: env A=1 time python main.py", [["python", "main.py"]]),
        ("command: [python, main.py]", [["python", "main.py"]]),
        ("\t@cd svc && python main.py", [["cd", "svc"], ["python", "main.py"]]),
        (
            "watchfiles 'python main.py' src",
            [["watchfiles", "python main.py", "src"], ["python", "main.py"]],
        ),
        ("echo python main.py", [["echo", "python", "main.py"]]),
    ],
)
def test_a_line_is_walked_into_its_commands(line: str, commands: list[list[str]]) -> None:
    """One walk of a run-file line: its file's lead off, its commands apart, launchers off."""
    assert [each.words for each in line_commands(line)] == commands


@pytest.mark.parametrize(
    ("line", "folders"),
    [
        # A `cd` moves the commands after it in its own shell only.
        ("(cd svc) && uvicorn main:app", ["."]),
        ("(cd svc && alembic upgrade head) && uvicorn main:app", ["."]),
        ("(cd svc && uvicorn main:app)", ["svc"]),
        ("cd svc & uvicorn main:app", ["."]),
        ("true && cd svc & uvicorn main:app", ["."]),
        ("cd svc | cat && uvicorn main:app", ["."]),
        ("sh -c 'cd svc' && uvicorn main:app", ["."]),
        ("cd svc; (uvicorn main:app)", ["svc"]),
        ("cd svc && gosu app uvicorn main:app", ["svc"]),
        ("cd svc && sudo -E timeout 1h uvicorn main:app", ["svc"]),
        ("cmd cd svc && uvicorn main:app", ["svc"]),
    ],
)
def test_a_cd_moves_only_the_commands_of_its_own_shell(
    tmp_path: Path, line: str, folders: list[str] | None
) -> None:
    """A subshell, a pipe's side, a list sent to the background and a shell's `-c` script
    keep their `cd` to themselves; launchers after a `cd` run in its folder."""
    from telemetry_cli.image_layer import served_from

    write_files(tmp_path, {"main.py": SCRIPT, "svc/main.py": SCRIPT})
    found = served_from(tmp_path, ".", run_file_command(line))
    assert (found and found[0]) == folders


def test_a_script_in_a_folder_serves_from_that_folder(tmp_path: Path) -> None:
    """`python -X dev svc/run.py` runs `svc/run.py`, `svc/` first on the import path."""
    write_files(tmp_path, {"svc/main.py": SCRIPT})
    ignore = GitIgnore(tmp_path)
    ignore.read(tmp_path)
    assert script_serving(tmp_path, "python -X dev svc/main.py", ignore) == [("svc", "main:app")]


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Each script text init parses for its server calls, in order (the parse counted)."""
    texts: list[bytes] = []
    served_targets = script_servers.served_targets

    def counting(data: bytes, *args: Any, **kwargs: Any) -> Any:
        texts.append(data)
        return served_targets(data, *args, **kwargs)

    monkeypatch.setattr(script_servers, "served_targets", counting)
    return texts


def test_a_script_named_on_many_lines_is_read_once_per_run(
    tmp_path: Path, parsed: list[bytes]
) -> None:
    """A run file naming one script on every line (a long Makefile) reads and parses it once in
    a run, and a new run reads it again: what the script says now is what the run sees."""
    recipes = "".join(f"run{n}:\n\tpython svc/main.py --port {n}\n" for n in range(30))
    write_files(tmp_path, {"svc/main.py": SCRIPT, "Makefile": recipes})
    assert run_files.run_files_serving(tmp_path) == [("svc", "main:app")] * 30
    assert len(parsed) == 1
    write_files(tmp_path, {"svc/main.py": SCRIPT.replace('"main:app"', '"main:api"')})
    assert run_files.run_files_serving(tmp_path) == [("svc", "main:api")] * 30
    assert len(parsed) == 2


def test_a_run_file_naming_a_root_script_on_many_lines_reads_it_once(
    tmp_path: Path, parsed: list[bytes]
) -> None:
    """init's targets read a script a run file names on many lines once in the run too."""
    recipes = "".join(f"run{n}:\n\tpython main.py --port {n}\n" for n in range(30))
    write_files(tmp_path, {"main.py": SCRIPT, "Makefile": recipes})
    ignore = GitIgnore(tmp_path)
    ignore.read(tmp_path)
    assert run_files.run_file_targets(tmp_path, ignore, None) == {"main:app"}
    assert len(parsed) == 1


def test_a_server_in_a_comment_is_no_target_of_init(tmp_path: Path) -> None:
    """`web: python main.py  # was: uvicorn legacy:app`: the comment names no second app, for
    init's targets as for the folder's reader (one rule: the comment is read out first)."""
    write_files(
        tmp_path,
        {
            "main.py": SCRIPT,
            "legacy.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            "Procfile": "web: python main.py  # was: uvicorn legacy:app\n",
        },
    )
    ignore = GitIgnore(tmp_path)
    ignore.read(tmp_path)
    assert run_files.run_file_targets(tmp_path, ignore, None) == {"main:app"}
    assert run_files.run_files_serving(tmp_path) == [(".", "main:app")]


def test_a_script_linked_under_another_name_serves_by_each_name(tmp_path: Path) -> None:
    """`main.py -> server.py` run by both names in one pass: each name serves its own module."""
    script = SCRIPT.replace('uvicorn.run("main:app")', "uvicorn.run(app)")
    write_files(
        tmp_path,
        {"server.py": script, "Procfile": "web: python main.py\nalt: python server.py\n"},
    )
    (tmp_path / "main.py").symlink_to("server.py")
    ignore = GitIgnore(tmp_path)
    ignore.read(tmp_path)
    assert run_files.run_file_targets(tmp_path, ignore, None) == {"main:app", "server:app"}


SERVER_SCRIPT = """import uvicorn
from fastapi import FastAPI

api = FastAPI()

if __name__ == "__main__":
    uvicorn.run(api)
"""


@pytest.mark.parametrize(
    "files",
    [
        {"Procfile": "web: gosu app python server.py\n"},
        {"Procfile": "web: timeout 3600 python server.py\n"},
        {"Procfile": "web: sudo -E setpriv --reuid=1000 python server.py\n"},
        {"Dockerfile": 'FROM python:3.12\nCMD ["su-exec", "app", "python", "server.py"]\n'},
        {"Dockerfile": "FROM python:3.12\nCOPY . .\ncmd python server.py\n"},
    ],
)
def test_init_finds_the_app_a_script_serves_run_as_another_user(
    tmp_path: Path, files: dict[str, str]
) -> None:
    """A run file running `server.py` through a user switcher or a timeout, or a Dockerfile's
    instruction in lower case, names the app the script serves (`server:api`), not `main:app`
    beside it."""
    root = tmp_path / "project"
    write_files(
        root,
        {"main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n", "server.py": SERVER_SCRIPT}
        | files,
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stdout
    assert 'app = "server:api"' in result.stdout


@pytest.mark.parametrize("repeat", ["cd a && ", "(cd a && "])
def test_a_line_moving_past_the_longest_path_serves_nothing_and_raises_nothing(
    tmp_path: Path, repeat: str
) -> None:
    """A `cd` chain longer than any folder's path leaves the serving folder unknown."""
    write_files(tmp_path, {"main.py": SCRIPT})
    ignore = GitIgnore(tmp_path)
    ignore.read(tmp_path)
    assert script_serving(tmp_path, repeat * 3000 + "python main.py", ignore) == []


@pytest.mark.parametrize(
    ("line", "kind", "words"),
    [
        # A Dockerfile's instruction leads a Dockerfile's line only: `cmd` is a recipe's program.
        ("\tcmd /c python x.py", "recipe", ["cmd", "/c", "python", "x.py"]),
        ("run python x.py", "script", ["run", "python", "x.py"]),
        ("entrypoint: python x.py", "config", ["python", "x.py"]),
        ("cmd python x.py", "dockerfile", ["python", "x.py"]),
        ('CMD ["python", "x.py"]', "dockerfile", ["python", "x.py"]),
        ("RUN --mount=type=cache,target=/c python x.py", "dockerfile", ["python", "x.py"]),
        ("web:python x.py", "procfile", ["python", "x.py"]),
        ("\t@-python x.py", "recipe", ["python", "x.py"]),
        ("    - python x.py", "config", ["python", "x.py"]),
        ("ExecStart=-/usr/bin/python x.py", "config", ["/usr/bin/python", "x.py"]),
    ],
)
def test_each_kind_of_run_file_has_its_own_lead(line: str, kind: str, words: list[str]) -> None:
    """One description of the lead each kind of run file's line has, read by every reader."""
    assert [each.words for each in line_commands(line, kind)] == [words]


RUNNER = """import uvicorn

from svc.api import app

if __name__ == "__main__":
    uvicorn.run(app)
"""


def test_a_procfile_process_named_without_a_space_runs_its_script(tmp_path: Path) -> None:
    """`web:python main.py` is a Procfile's process (no space needed after its name): init's
    targets read the script it runs as the serving folder's reader does."""
    write_files(
        tmp_path,
        {
            "svc/api.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            "main.py": RUNNER,
            "Procfile": "web:python main.py\n",
        },
    )
    ignore = GitIgnore(tmp_path)
    ignore.read(tmp_path)
    assert run_files.run_file_targets(tmp_path, ignore, None) == {"svc.api:app"}
    assert run_files.run_files_serving(tmp_path) == [(".", "svc.api:app")]


@pytest.mark.parametrize(
    ("line", "targets", "serving"),
    [
        ('sh -c "cd app && python main.py"', {"app.main:app"}, [("app", "main:app")]),
        ("cd app && python main.py", {"app.main:app"}, [("app", "main:app")]),
        ("cd app; exec python main.py", {"app.main:app"}, [("app", "main:app")]),
        ("(cd app && python main.py)", {"app.main:app"}, [("app", "main:app")]),
        ("cd app && python main.py 2>&1 | tee log", {"app.main:app"}, [("app", "main:app")]),
        # A folder the line does not place in the project: the script as written, as before.
        ("cd $APP && python main.py", {"tools.mock:app"}, []),
        ("cd /code && python main.py", {"tools.mock:app"}, []),
        # A `cd` in a subshell of its own, or back to the root, leaves the root's script run.
        ("(cd app) && python main.py", {"tools.mock:app"}, [(".", "tools.mock:app")]),
        ("cd app/.. && python main.py", {"tools.mock:app"}, [(".", "tools.mock:app")]),
        ("python main.py | tee log", {"tools.mock:app"}, [(".", "tools.mock:app")]),
    ],
)
def test_a_cd_moves_the_script_run_for_both_readers(
    tmp_path: Path, line: str, targets: set[str], serving: list[tuple[str, str]]
) -> None:
    """init's targets and the serving folder follow a line's `cd` by the one walk: `cd app &&
    python main.py` runs `app/main.py` (named from the root: `app.main:app`), never the root's
    `main.py` (which serves a mock)."""
    write_files(
        tmp_path,
        {
            "app/main.py": SCRIPT.replace('uvicorn.run("main:app")', "uvicorn.run(app)"),
            "main.py": RUNNER.replace("svc.api", "tools.mock"),
            "tools/mock.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        },
    )
    ignore = GitIgnore(tmp_path)
    ignore.read(tmp_path)
    assert command_targets(tmp_path, f"web: {line}", ignore) == targets
    (tmp_path / "Procfile").write_text(f"web: {line}\n")
    assert run_files.run_files_serving(tmp_path) == serving


@pytest.mark.parametrize(
    ("line", "folders"),
    [
        ("uvicorn main:app | tee log", ["."]),
        ("uvicorn main:app 2>&1 | tee -a log", ["."]),
        ("cd svc && uvicorn main:app 2>&1 | tee log", ["svc"]),
        ("cd svc && uvicorn main:app |& tee log", ["svc"]),
        ("sh -c 'cd svc && exec uvicorn main:app | tee log'", ["svc"]),
        # Only one side of an alternative runs: which one serves is not known.
        ("uvicorn main:app || uvicorn svc.main:app", None),
    ],
)
def test_a_piped_server_serves_from_its_folder(
    tmp_path: Path, line: str, folders: list[str] | None
) -> None:
    """Each side of a pipe runs (its output logged by `tee`): the server on its left serves
    from where the line's `cd` moved it, as it would without the pipe."""
    from telemetry_cli.image_layer import served_from

    write_files(tmp_path, {"main.py": SCRIPT, "svc/main.py": SCRIPT})
    found = served_from(tmp_path, ".", run_file_command(line))
    assert (found and found[0]) == folders
    (tmp_path / "Procfile").write_text(f"web: {line}\n")
    served = run_files.run_files_serving(tmp_path)
    assert served == ([] if folders is None else [(folders[0], "main:app")])


class _CountedWords(Sequence[str]):
    """Words counting each one read, a slice's words as many reads (the cost of its copy)."""

    def __init__(self, words: list[str], reads: list[int]) -> None:
        self.words = words
        self.reads = reads

    def __len__(self) -> int:
        return len(self.words)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> _CountedWords: ...

    def __getitem__(self, index: int | slice) -> str | _CountedWords:
        if isinstance(index, slice):
            part = self.words[index]
            self.reads[0] += len(part)
            return _CountedWords(part, self.reads)
        self.reads[0] += 1
        return self.words[index]


@pytest.mark.parametrize("repeated", [["python", "-m"], ["python", "-X"], ["py", "-3", "-X"]])
def test_interpreters_words_anywhere_are_read_in_linear_time(repeated: list[str]) -> None:
    """`python -m python -m ...` (an unknown program's words, read anywhere): each word is read
    a bounded number of times, however many interpreters' words run on over it (counted reads:
    four times the words, four times the reads, not sixteen)."""
    counts = []
    for size in (5_000, 20_000):
        reads = [0]
        assert scripts_anywhere(_CountedWords([*repeated * size, "main.py"], reads)) == []
        counts.append(reads[0])
    assert counts[1] < 5 * counts[0]


MOCK_LAYOUT = {
    "app/main.py": SCRIPT.replace('uvicorn.run("main:app")', "uvicorn.run(app)"),
    "main.py": RUNNER.replace("svc.api", "tools.mock"),
    "tools/__init__.py": "",
    "tools/mock.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
}


def _init_choice(root: Path) -> tuple[int, str]:
    result = run("init", "--root", str(root), "--dry-run")
    chosen = [
        line.partition(" #")[0]
        for line in result.stdout.splitlines()
        if line.startswith(("backend = ", "app = "))
    ]
    return result.exit_code, "; ".join(chosen)


DOCKERFILE = "FROM python:3.12\nWORKDIR /code\nCOPY . /code\n"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Dockerfile", DOCKERFILE + 'CMD ["sh", "-c", "cd /code && python main.py"]\n'),
        ("Dockerfile", DOCKERFILE + "CMD cd /code && python main.py\n"),
        ("Dockerfile", DOCKERFILE + "ENV APP_HOME=/code\nCMD cd $APP_HOME && python main.py\n"),
        (
            "docker-compose.yml",
            'services:\n  web:\n    build: .\n    command: sh -c "cd /code && python main.py"\n',
        ),
        ("start.sh", '#!/bin/sh\ncd "$(dirname "$0")" && exec python main.py\n'),
        ("start.sh", "#!/bin/sh\ncd $(dirname $0) && python3 main.py\n"),
        ("start.sh", "#!/bin/sh\ncd ~/srv && python3 main.py\n"),
        ("Makefile", "run:\n\tcd /app && python main.py\n"),
        ("Procfile", "web: cd /app && python main.py\n"),
        # Each kind's own lead only: `cmd` and `run` are programs, reading the script run after.
        ("Makefile", "run:\n\tcmd /c python main.py\n"),
        ("start.sh", "#!/bin/sh\nrun python main.py\n"),
    ],
)
def test_a_root_script_run_from_a_folder_not_placed_in_the_project_is_read(
    tmp_path: Path, name: str, text: str
) -> None:
    """A `cd` to an image's folder, a variable's or the script's own (`$(dirname "$0")`):
    the line does not say which project folder that is, so the root's script it runs is read
    as written, and init takes the app it serves (not several apps found)."""
    write_files(tmp_path, {**MOCK_LAYOUT, name: text})
    assert _init_choice(tmp_path) == (0, 'backend = "."; app = "tools.mock:app"')


@pytest.mark.parametrize(
    "line",
    [
        "cd app && python main.py",
        "cd app; python main.py",
        'sh -c "cd app && python main.py"',
        "sh -c 'cd app && python main.py'",
        'bash -lc "cd app && python main.py"',
        'sh -ec "cd app && exec python main.py"',
        "cd app && exec python main.py",
        # An import string served after the same `cd`: one rule for both.
        "cd app && uvicorn main:app",
        # Commands before the `cd` run elsewhere: the server's own folder is read.
        "source venv/bin/activate && cd app && uvicorn main:app",
        "pip install -r requirements.txt && cd app && uvicorn main:app",
        "alembic upgrade head && cd app && uvicorn main:app",
        "set -e; cd app; exec uvicorn main:app",
        # The server's own folder option, the `cd` taken back.
        "uvicorn --app-dir app main:app",
        "cd app && uvicorn --app-dir . main:app",
    ],
)
def test_a_script_run_in_a_project_folder_is_served_from_there(tmp_path: Path, line: str) -> None:
    """`web: cd app && python main.py` runs `app/main.py` with `app/` first on its import
    path: init serves its app from there, as `--root app` would (the root's mock left)."""
    write_files(tmp_path, {**MOCK_LAYOUT, "Procfile": f"web: {line}\n"})
    assert _init_choice(tmp_path) == (0, 'backend = "app"; app = "main:app"')


def test_a_script_s_own_folder_is_where_its_cd_moves(tmp_path: Path) -> None:
    """`cd "$(dirname "$0")"` in `scripts/run.sh` moves to `scripts/`: the script it runs is
    `scripts/main.py` (its app), not the root's `main.py` (which serves a mock)."""
    write_files(
        tmp_path,
        {
            **MOCK_LAYOUT,
            "app/main.py": "",
            "scripts/main.py": MOCK_LAYOUT["app/main.py"],
            "scripts/run.sh": '#!/bin/sh\ncd "$(dirname "$0")" && exec python main.py\n',
            "Procfile": "web: sh scripts/run.sh\n",
        },
    )
    assert _init_choice(tmp_path) == (0, 'backend = "."; app = "scripts.main:app"')


@pytest.mark.parametrize(
    ("line", "folder", "expected"),
    [
        ('cd "$(dirname "$0")" && python main.py', "scripts", 'cd "scripts" && python main.py'),
        ("cd $(dirname $0)/.. && python main.py", ".", "cd ./.. && python main.py"),
        ('cd "$(dirname "${BASH_SOURCE[0]}")"', "a/b", 'cd "a/b"'),
        ("cd `dirname $0`", ".", "cd ."),
        ('cd "$(dirname "$0")"', "my dir", 'cd "$(dirname "$0")"'),
    ],
)
def test_a_script_names_its_own_folder(line: str, folder: str, expected: str) -> None:
    assert with_own_folder(line, folder) == expected


@pytest.mark.parametrize(
    "line",
    [
        "cd app && uvicorn --app-dir .. main:app",
        "cd app && gunicorn --chdir .. -k uvicorn.workers.UvicornWorker main:app",
    ],
)
def test_a_server_s_own_folder_option_outranks_the_cd_before_it(tmp_path: Path, line: str) -> None:
    """`cd app && uvicorn --app-dir .. main:app` serves the root's `main.py`, not `app/main.py`:
    init does not take `app/` for the backend (two apps named `main:app`: it asks, as 0.39.0)."""
    app = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    write_files(
        tmp_path,
        {
            "main.py": app,
            "app/main.py": "from routes import router\n" + app + "app.include_router(router)\n",
            "app/routes.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
            "Procfile": f"web: {line}\n",
        },
    )
    assert _init_choice(tmp_path) == (2, "")
