"""The servers a command line starts an app with, read the same way wherever one is read.

``init`` reads run files' command lines (Dockerfiles, Procfiles, compose files, ...) for the app
they serve; the image check reads a Dockerfile's CMD for the folder the app is imported from.
Kept out of :mod:`telemetry_cli.patching` so the image check does not load the patcher.
"""

import itertools
import json
import posixpath
import re
import shlex
from collections.abc import Iterator, Sequence
from typing import NamedTuple

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
#: The environment variable each folder option is read from when the command line does not
#: give it: uvicorn's and granian's command lines are click's, with ``auto_envvar_prefix``
#: ``UVICORN`` and ``GRANIAN`` (gunicorn reads only ``GUNICORN_CMD_ARGS``).
SERVER_ENVIRONMENT: dict[str, str] = {
    "--app-dir": "UVICORN_APP_DIR",
    "--working-dir": "GRANIAN_WORKING_DIR",
}
#: The import string such a command line gives (``app.main:app``, not ``0.0.0.0:8000`` nor
#: ``redis://``), module and attribute its group; the attribute may be a path the server
#: follows by getattr (``main:service.api``, as uvicorn, hypercorn and granian do; gunicorn
#: refuses one: :func:`names_one_attribute`); gunicorn's factory call
#: (``"app.main:create_app()"``, arguments too) names the factory.
IMPORT_STRING = re.compile(
    r"(?<![\w.:/-])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)"
    r"(?:\([^()]*\))?(?![\w.:/(-])"
)


# The value of a server's config option just before an import string: gunicorn and hypercorn
# read their config from a module named `python:<module>` (`-c python:gunicorn_conf`), which
# is no app. Looked for in the few characters before it (the option, quotes, separators).
_CONFIG_VALUE_BEFORE = re.compile(r"(?:^|[\s\"',\[])(?:-c|--config)(?:=|[\s\"',]+)[\"']?$")


def served_import_strings(text: str) -> list[str]:
    """The import strings a command line serves (``IMPORT_STRING``'s first group), in order.

    ``text`` is the line, or its words joined by spaces. An import string given as the value
    of a config option (``gunicorn -c python:gunicorn_conf main:app``) names no app.
    """
    return [
        found[1]
        for found in IMPORT_STRING.finditer(text)
        if not _CONFIG_VALUE_BEFORE.search(text[max(0, found.start() - 32) : found.start()])
    ]


def names_one_attribute(import_string: str) -> bool:
    """Whether ``import_string`` names one attribute, not a path (``main:service.api``).

    gunicorn reads the part after the colon as a name or a call of one, refusing a path
    (uvicorn, hypercorn and granian follow it): a path it is given serves nothing.
    """
    return "." not in import_string.partition(":")[2]


#: The project tools running a command in the project's environment (``poetry run uvicorn
#: app.main:app``), each with its options of ``run`` that change the folder the command runs
#: in (or the project it runs for): a command line giving one of those is not read.
PROJECT_RUNNERS: dict[str, frozenset[str]] = {
    "poetry": frozenset({"-C", "--directory", "-P", "--project"}),
    "uv": frozenset({"--directory", "--project"}),
    "pdm": frozenset({"-p", "--project"}),
    "pipenv": frozenset(),
    "rye": frozenset({"--pyproject"}),
}
#: The options of a runner's or launcher's that take their value as the next word
#: (``uv run --env-file .env uvicorn ...``); ``None``: every option of it does
#: (``opentelemetry-instrument --traces_exporter console uvicorn ...``).
VALUED_OPTIONS: dict[str, frozenset[str] | None] = {
    "uv": frozenset(
        {
            "--with",
            "--with-editable",
            "--with-requirements",
            "--env-file",
            "--python",
            "-p",
            "--extra",
            "--group",
            "--only-group",
            "--no-group",
            "--package",
            "--index",
            "--default-index",
            "--index-url",
            "--extra-index-url",
            "--find-links",
            "-f",
        }
    ),
    "pdm": frozenset({"-G", "--group", "--venv"}),
    "tini": frozenset({"-p", "-e"}),
    "dumb-init": frozenset({"-r", "--rewrite"}),
    "exec": frozenset({"-a"}),
    "opentelemetry-instrument": None,
}
#: The launchers that run the command after them (and their options) in their place, in the
#: same working directory: init processes (``tini --``, ``dumb-init``), tracers
#: (``opentelemetry-instrument``, ``ddtrace-run``, ``newrelic-admin run-program``), the shell's
#: ``exec``.
LAUNCHERS: frozenset[tuple[str, ...]] = frozenset(
    {
        ("exec",),
        ("tini",),
        ("dumb-init",),
        ("opentelemetry-instrument",),
        ("ddtrace-run",),
        ("newrelic-admin", "run-program"),
    }
)


def launched_command(words: Sequence[str]) -> list[str] | None:
    """``words`` without the runners and launchers before the command they start.

    ``poetry run gunicorn main:app``, ``uv run --frozen uvicorn ...`` and ``tini -- uvicorn
    ...`` start what ``gunicorn main:app`` and ``uvicorn ...`` do, from the same working
    directory, whatever their options (:data:`VALUED_OPTIONS` says which take the next word).
    None when a runner's options move the command elsewhere (``uv run --directory api``).
    """
    position = launched_position(words, 0)
    return None if position is None else list(words[position:])


def launched_position(words: Sequence[str], start: int) -> int | None:
    """Where the command of ``words[start:]`` starts, its runners and launchers taken off.

    As :func:`launched_command` reads them, by a position moving forward, never by slicing:
    linear in the words however many (``nohup exec nohup exec ...``).
    """
    position = start
    while position < len(words):
        name = posixpath.basename(words[position])
        following = tuple(words[position + 1 : position + 3])
        if following[:1] == ("run",) and name in PROJECT_RUNNERS:
            moving, position = PROJECT_RUNNERS[name], position + 2
        elif launcher := next(
            (each for each in LAUNCHERS if (name, *following[: len(each) - 1]) == each), None
        ):
            moving, position = frozenset(), position + len(launcher)
        else:
            break
        valued = VALUED_OPTIONS.get(name, frozenset())
        while position < len(words) and words[position].startswith("-"):
            option, equals, _ = words[position].partition("=")
            position += 1
            if option == "--":
                break
            if option in moving:
                return None
            if not equals and position < len(words) and (valued is None or option in valued):
                position += 1
    return position


#: The FastAPI CLI's own options, given before its command; none takes a value.
FASTAPI_CLI_OPTIONS = frozenset({"--verbose", "--no-verbose"})


class FastAPICommand(NamedTuple):
    """What a ``fastapi run`` (or ``fastapi dev``) command line names to serve."""

    #: ``--entrypoint pkg.main:app`` (``-e``): imported from the working directory.
    entrypoint: str | None
    #: The module file (``app/main.py``), its app the variable ``app`` names.
    file: str | None
    app: str
    #: Whether ``--app`` names the app's variable (else the CLI looks for one in the module).
    named_app: bool = False


def fastapi_command(words: Sequence[str]) -> FastAPICommand | None:
    """What ``words``, the FastAPI CLI's after ``fastapi``, serve; None for no ``run``/``dev``.

    The CLI takes an import string (``--entrypoint``, ``-e``) or a module file, its app the
    variable ``--app`` names (else ``app``); naming neither, it looks for the module itself.
    """
    # The CLI's own options come before its command (`fastapi --verbose run main.py`).
    words = list(itertools.dropwhile(lambda word: word in FASTAPI_CLI_OPTIONS, words))
    if not words or words[0] not in ("run", "dev"):
        return None
    values: dict[str, str] = {}
    files: list[str] = []
    for position, word in enumerate(words[1:], 1):
        option, equals, value = word.partition("=")
        if option in ("--entrypoint", "-e", "--app"):
            following = words[position + 1] if position + 1 < len(words) else ""
            values["--app" if option == "--app" else "-e"] = value if equals else following
        elif word.endswith(".py") and not word.startswith("-"):
            files.append(word)
    return FastAPICommand(
        values.get("-e"),
        files[0] if files else None,
        values.get("--app", "app"),
        "--app" in values,
    )


#: A Python interpreter's program name (``python``, ``python3.12``, ``.venv/bin/python``), and
#: the Windows launcher ``py``, which runs the script it is given as python does.
_PYTHON_PROGRAM = re.compile(r"python(?:\d+(?:\.\d+)*)?|py")
#: Python's short options taking no value and running the script (``-u``, ``-OO``, ``-uB``):
#: see ``python --help``. Not ``-h`` nor ``-V``: they print and exit, running no script.
_PYTHON_FLAG_LETTERS = frozenset("bBdEiIOPqRsSuvx")
#: Python's short options taking a value, attached (``-Xdev``) or as the next word (``-X dev``).
_PYTHON_VALUED_LETTERS = frozenset("WX")
#: Python's long options taking a value as the next word.
_PYTHON_VALUED_LONG = frozenset({"--check-hash-based-pycs"})
#: The Windows launcher's choice of interpreter (``py -3 main.py``, ``py -3.12-64 main.py``,
#: ``py -V:3.12 main.py``); not ``-0`` (``--list``), which lists them and runs nothing.
#: A tag ``t`` after the version asks for the free-threaded build (``py -3.13t main.py``).
_PY_VERSION = re.compile(r"-[1-9]\d*(?:\.\d+)?t?(?:-(?:32|64))?|-V:[^\s-]\S*")
#: A script's word of a JSON list or a shell line (quotes and brackets apart).
_LINE_WORD = re.compile(r"[^\s\"',\[\]]+")


def python_script(
    words: Sequence[str], start: int = 0, known: dict[int, int | None] | None = None
) -> tuple[str, str] | None:
    """The folder and the file name of the Python script a command's ``words`` run.

    The one reading of "a command running a Python script", wherever one is read: ``python
    svc/run.py``, ``python3 -u -X dev svc/run.py``, ``.venv/bin/python svc/run.py`` and ``py -3
    svc/run.py`` run ``run.py`` with ``svc`` (relative to the working directory, ``.`` for
    the directory itself; a path above it or absolute is the caller's to refuse) first on the
    import path. ``words`` start at the interpreter (the launchers before it taken off,
    :func:`launched_command`), or ``start`` does: read by a position, never by slicing
    (``known``: the options read already, see :func:`_options_end`). None for any other
    command: a module or a string run (``-m``, ``-c``), standard input (``-``), an option it
    does not know (its value is not known), a script named by a variable or not ending in
    ``.py``.
    """
    if start >= len(words) or _PYTHON_PROGRAM.fullmatch(posixpath.basename(words[start])) is None:
        return None
    position = start + 1
    if (
        posixpath.basename(words[start]) == "py"
        and position < len(words)
        and _PY_VERSION.fullmatch(words[position])
    ):
        position += 1  # the launcher's choice of interpreter
    end = _options_end(words, position, {} if known is None else known)
    if end is None:
        return None
    script = words[end]
    if not script.endswith(".py") or "$" in script or script.startswith("-"):
        return None
    folder, name = posixpath.split(posixpath.normpath(script))
    if name == ".py":
        return None
    return folder or ".", name


def _options_end(words: Sequence[str], position: int, known: dict[int, int | None]) -> int | None:
    """Where the script's word is after the interpreter's options from ``position`` (None: none).

    ``known`` holds the answers of the positions read already in ``words``: an option starting
    there reads on alike whichever interpreter's word it follows (``python -X python -X ...``),
    so each word is read once however many interpreters' words run on over it.
    """
    passed: list[int] = []
    end: int | None = None
    while position < len(words):
        if position in known:
            end = known[position]
            break
        word = words[position]
        if not word.startswith("-"):
            end = position
            break
        passed.append(position)
        width = _option_width(word)
        if width is None:
            break
        if word == "--":
            end = position + 1 if position + 1 < len(words) else None
            break
        position += width
    for each in passed:
        known[each] = end
    return end


def _option_width(word: str) -> int | None:
    """How many words the interpreter's option ``word`` takes, itself too (None: no script run).

    ``--`` ends the options; ``--help``, ``--version``, ``-c``, ``-m``, ``-`` (standard input)
    and any option not known run no script known.
    """
    if word == "--":
        return 1
    if word.startswith("--"):
        return 2 if word in _PYTHON_VALUED_LONG else None
    for index, letter in enumerate(word[1:], 1):
        if letter in _PYTHON_VALUED_LETTERS:
            return 2 if index == len(word) - 1 else 1  # its value the next word, or attached
        if letter not in _PYTHON_FLAG_LETTERS:
            return None  # -c, -m, or an option not known
    return None if len(word) == 1 else 1


def python_scripts_of_line(line: str, kind: str | None = None) -> list[tuple[str, str]]:
    """The Python scripts a line of a run file of ``kind`` runs (:func:`python_script`), in order.

    Each command of the line (:func:`line_commands`) is read on its own: an interpreter's word
    in a command printing or installing words (``echo python main.py``) runs nothing. A
    script's folder is from where the line runs, the ``cd`` commands before it followed
    (:func:`command_folders`: ``cd app && python main.py`` runs ``app/main.py``); after a
    ``cd`` to a folder the line does not place in the project (:func:`folder_in_project`: ``cd
    /code``, ``cd $APP_HOME``, ``cd "$(dirname "$0")"``), from where the line is.
    """
    found: list[tuple[str, str]] = []
    if ".py" not in line:
        return found  # every script run is named by its file (a 4,000-line Makefile: cheap)
    for command, moved in command_folders(line_commands(line, kind)):
        words = command.words
        if not words or posixpath.basename(words[0]) in _RUNS_NO_SCRIPT:
            continue  # `cd` is among them: it runs no script
        # A folder not in the project as far as the line says (`cd /code`, `cd $APP_HOME`,
        # `cd "$(dirname "$0")"`): the script is read from where the line is, as written.
        folder = folder_in_project(moved) or "."
        if _PYTHON_PROGRAM.fullmatch(posixpath.basename(words[0])) is not None:
            script = python_script(words)
            scripts = [] if script is None else [script]
        else:
            # A program the walk does not know (`s6-setuidgid app python ...`, `dotenv run --`,
            # `su app -c "..."`): a table always misses one, so its command is read as before
            # the walk, each interpreter's word anywhere in it starting a script's run.
            scripts = scripts_anywhere(_LINE_WORD.findall(" ".join(words)))
        found.extend(
            (posixpath.normpath(posixpath.join(folder, inner)), name) for inner, name in scripts
        )
    return found


#: The programs whose words name no script they run (``echo python main.py``, ``pip install
#: py main.py``): an interpreter's word after them is printed or installed, never run.
_RUNS_NO_SCRIPT = frozenset({"echo", "printf", "pip", "pip3", "cat", "grep", "test", "["})
# The programs handling a script as a file (`cp python main.py`), not running it.
_RUNS_NO_SCRIPT |= {"cp", "mv", "rm", "ls", "touch", "chmod", "chown", "mkdir", "tee", "head"}
# `cd` moves the commands after it (:func:`command_folders`), running none itself.
_RUNS_NO_SCRIPT |= {"cd"}


def scripts_anywhere(words: Sequence[str]) -> list[tuple[str, str]]:
    """The scripts ``words`` run, each interpreter's word among them starting one."""
    found: list[tuple[str, str]] = []
    # The options read from one interpreter's word are not read again from the next one's:
    # linear in the words (`python -m python -m ...` copied the rest of them per word).
    known: dict[int, int | None] = {}
    for start, word in enumerate(words):
        if _PYTHON_PROGRAM.fullmatch(posixpath.basename(word)) is not None:
            script = python_script(words, start, known)
            if script is not None:
                found.append(script)
    return found


#: The lead before a line's command in each kind of run file, its indent off: the one
#: description of them, read by every reader of a run file's lines (:func:`run_file_command`).
#: A Dockerfile's instruction (``CMD``, ``RUN`` with its ``--mount`` options, ``ENTRYPOINT``);
#: a Procfile's process name (``web:``); a Makefile's or justfile's recipe marks (``@``, ``-``,
#: ``+``); nothing in a shell script; in a configuration file (compose, Kubernetes, Taskfile,
#: pyproject.toml, a hosting platform's, supervisord's, a systemd unit), a YAML, JSON, TOML or
#: INI key (``command:``, ``"startCommand":``, ``start = ``, ``command=``, ``ExecStart=``; a
#: shell's ``PORT=8000`` assigns, leading nothing) or a list item's dash (``- python main.py``).
#: A Dockerfile's instruction leads only a Dockerfile's line: a recipe's ``cmd /c python x.py``
#: runs ``cmd``.
RUN_FILE_LEADS: dict[str, str] = {
    "dockerfile": r"(?i:CMD|ENTRYPOINT|RUN(?:\s+--\S+)*)(?:\s+|(?=\[))",
    "procfile": r"[\w-]+:\s*",
    "recipe": r"[@+-]+\s*",
    "script": r"",
    "config": (
        r"""(?:-\s+)?(?:["']?[\w.@-]+["']?\s*:(?=\s|$)|[\w.-]+\s+=|command=|Exec\w+=[-@:+!]*)\s*"""
        r"""|-\s+"""
    ),
}
#: A line of a run file of a kind not known: any of those leads (a Dockerfile's first). Kept as
#: source text, as the leads are: compiled on first use and cached by `re`.
_ANY_LEAD = "|".join(f"(?:{RUN_FILE_LEADS[kind]})" for kind in ("dockerfile", "config", "recipe"))


def without_lead(line: str, kind: str | None = None) -> str:
    """``line`` of a run file without its indent and its lead.

    The lead of ``kind``, a key of :data:`RUN_FILE_LEADS`; any kind's when None (not known).
    """
    body = line.lstrip()
    lead = re.match(_ANY_LEAD if kind is None else RUN_FILE_LEADS[kind], body)
    return body if lead is None else body[lead.end() :]


#: A shell's words that start or end a compound command, not a program (``then python run.py``).
_SHELL_KEYWORDS = frozenset({"if", "then", "else", "elif", "fi", "do", "done", "while", "until"})
_SHELL_KEYWORDS |= {"!", "{", "}"}


class _Prefix(NamedTuple):
    """How a program running the command after it in its place is written (see below)."""

    #: Its options taking the next word as their value (``timeout -s KILL``).
    valued: frozenset[str] = frozenset()
    #: Its options moving the command to another folder or root (``env -C svc``, ``sudo -i``):
    #: where the command runs is then not known.
    moving: frozenset[str] = frozenset()
    #: Its options making it run nothing (``command -v python``: it prints where one is).
    printing: frozenset[str] = frozenset()
    #: The words it takes after its options, before the command (``gosu USER``, a duration).
    arguments: int = 0


#: Programs running the command after them in their place, from the same folder: the one table
#: of them the walk reads (:func:`line_commands`). ``nohup``, ``time``, ``nice``, ``command``,
#: ``env`` (its assignments the command's); the user switchers ``gosu USER``, ``su-exec USER``,
#: ``sudo``, ``setpriv``, ``chpst``, ``runuser -u USER --`` (a login's ``sudo -i`` or
#: ``runuser -l`` moves to its home); ``timeout DURATION``; the init processes and the shell's
#: ``exec`` are :data:`LAUNCHERS`, with the runners, :func:`launched_command`'s.
_PREFIX_PROGRAMS: dict[str, _Prefix] = {
    "nohup": _Prefix(),
    "time": _Prefix(frozenset({"-f", "--format", "-o", "--output"})),
    "nice": _Prefix(frozenset({"-n", "--adjustment"})),
    "command": _Prefix(printing=frozenset({"-v", "-V"})),
    "env": _Prefix(
        frozenset({"-u", "--unset", "-S", "--split-string"}), frozenset({"-C", "--chdir"})
    ),
    "gosu": _Prefix(arguments=1),
    "su-exec": _Prefix(arguments=1),
    "timeout": _Prefix(frozenset({"-s", "--signal", "-k", "--kill-after"}), arguments=1),
    "sudo": _Prefix(
        frozenset({"-u", "--user", "-g", "--group", "-h", "--host", "-p", "--prompt", "-C"})
        | {"--close-from", "-r", "--role", "-t", "--type", "-T", "--command-timeout", "-U"}
        | {"--other-user"},
        frozenset({"-D", "--chdir", "-i", "--login", "-R", "--chroot"}),
        frozenset({"-l", "--list", "-v", "--validate", "-k", "-K", "-e", "--edit", "-V"}),
    ),
    "setpriv": _Prefix(
        frozenset({"--ruid", "--euid", "--rgid", "--egid", "--reuid", "--regid", "--groups"})
        | {"--inh-caps", "--ambient-caps", "--bounding-set", "--securebits", "--pdeathsig"}
        | {"--selinux-label", "--apparmor-profile", "--landlock-access", "--landlock-rule"},
        printing=frozenset({"-d", "--dump"}),
    ),
    "chpst": _Prefix(
        frozenset({"-u", "-U", "-b", "-e", "-n", "-l", "-L", "-m", "-d", "-o", "-p", "-f", "-c"}),
        frozenset({"-/"}),
    ),
    "runuser": _Prefix(
        frozenset({"-u", "--user", "-g", "--group", "-G", "--supp-group", "-s", "--shell", "-w"}),
        # `runuser USER -c '...'` runs its script in a shell of its own: not read.
        frozenset({"-l", "--login", "-", "-c", "--command"}),
    ),
}
#: The shells whose ``-c`` runs the script given as the next word (``sh -c 'cd svc && ...'``).
SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh"})
#: The options of such a shell that run its next word as a script (``-c``, ``-ec``, ``-lc``).
SCRIPT_OPTION = re.compile(r"-[a-z]*c[a-z]*")
#: watchfiles' options taking the next word as their value; its first other word is what it
#: runs, a command line when it holds a space (``watchfiles 'python main.py' src``).
_WATCHFILES_VALUED = frozenset(
    {"--filter", "--ignore-paths", "--target-type", "--args", "--sigint-timeout"}
    | {"--sigkill-timeout", "--grace-period"}
)
#: A shell line's pieces, left to right: blanks ending a word; a redirection (``>``, ``2>&1``,
#: ``&>``), which takes the word after it; a separator of commands (``&&``, ``||``, ``;``,
#: ``|``, ``&``, a subshell's brackets); a quoted string or an escaped character, part of the
#: word they are written in; a run of plain characters (a ``#`` starting a word comments out
#: the rest); a quote left open, dropped. Read by a pattern, not ``shlex``: a run file of
#: thousands of lines is read in linear time at a pattern's speed.
_SHELL_PIECE = re.compile(
    r"""(?P<blank>\s+)|(?P<redirect>\d*(?:&>>?|[<>]+&?))|(?P<separator>&&|\|\||\|&|;;|[;&|()])"""
    r"""|'(?P<single>[^']*)'|"(?P<double>(?:[^"\\]|\\.)*)"|\\(?P<escaped>.)"""
    r"""|(?P<plain>[^\s'"\\;&|()<>]+)|(?P<stray>['"\\])"""
)
#: A shell's assignment of a variable (``PYTHONPATH=.``), before the command it is set for.
_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=.*")
#: The escapes a double-quoted string keeps the character of (``"say \"hi\""``).
_DOUBLE_ESCAPE = re.compile(r"""\\([\\"$`])""")


class Subshells:
    """The subshells of one line, each known by the one it runs in (its parent).

    A subshell names its parent only, never the whole chain of them: a line of thousands of
    nested brackets is read in linear time (a copied chain per command made it quadratic).
    """

    def __init__(self) -> None:
        """The line's own shell alone, numbered 0."""
        #: Each subshell's parent by its number; the line's own shell has none (-1).
        self.parents: list[int] = [-1]

    def new(self, parent: int) -> int:
        """A subshell run in ``parent``, by its number."""
        self.parents.append(parent)
        return len(self.parents) - 1


class LineCommand(NamedTuple):
    """One command of a run file's line, as :func:`line_commands` walks it."""

    #: Its words from the program run (``python``, ``uvicorn``), launchers and runners off.
    words: list[str]
    #: The variables it sets for itself or the commands after it (``PYTHONPATH=. python ...``,
    #: ``env PYTHONPATH=.``, ``export PYTHONPATH=.``).
    assigned: frozenset[str]
    #: The separator after it (``&&``, ``;``, ``|``, ``||``, ``&``; empty at the end).
    after: str
    #: Whether a runner or ``env`` moves it to another folder (``uv run --directory api``).
    moved: bool = False
    #: The subshell it runs in, by its number in :attr:`subshells` (0: the line's own shell):
    #: a subshell's brackets, each side of a pipe, a list sent to the background (``cd svc &``),
    #: a shell's ``-c`` script. A ``cd`` moves only the commands after it in its own (or one
    #: inside it): ``(cd app && alembic upgrade head) && uvicorn ...`` serves from where it is.
    scope: int = 0
    #: The line's subshells, each by the one it runs in (shared by the line's commands).
    subshells: Subshells | None = None


#: The longest path a folder may have (Linux's PATH_MAX).
_PATH_MAX = 4096


def command_folders(
    commands: Sequence[LineCommand], workdir: str = "."
) -> Iterator[tuple[LineCommand, str | None]]:
    """Each of a line's ``commands`` (:func:`line_commands`) with the folder it runs in.

    The one reading of where a command runs, for every reader of a line: the working directory
    ``workdir``, as the ``cd`` commands before it in its own shell and the shells it runs in
    moved it (``cd svc && python main.py``, ``sh -c "cd svc && python main.py"``; not
    ``(cd svc && alembic upgrade head) && uvicorn ...``, ``cd svc & ...``, ``cd svc | cat``).
    A ``cd`` is given with the folder it moves to. None where it is not known: a ``cd`` to a
    variable's folder, ``cd -``, a path longer than any folder's (a line of thousands of ``cd a
    &&`` stays linear, each path bounded), the commands after such a ``cd`` in its shells, and
    a command a runner moves elsewhere (``uv run --directory api ...``).
    """
    # The folder each subshell's `cd` moved to (None: not known); a command runs in its
    # innermost one's, or the working directory.
    moved_to: dict[int, str | None] = {}
    for command in commands:
        here = _subshell_folder(command, moved_to, workdir)
        words = command.words
        if command.moved:
            yield command, None
            continue
        if words[:1] == ["cd"] and here is not None:
            target = words[1] if len(words) == 2 else "$"
            if "$" in target or target.startswith("-") or len(here) + len(target) >= _PATH_MAX:
                here = None
            else:
                here = posixpath.normpath(posixpath.join(here, target))
            moved_to[command.scope] = here
        yield command, here


def folder_in_project(folder: str | None) -> str | None:
    """``folder`` (:func:`command_folders`) when it is one of the project's, from its root.

    None for a folder not known (a variable's, ``$(...)``), outside the project (``/code``,
    ``..``) or in a home (``~/app``): where those are is not the line's to say (an image's
    ``WORKDIR /code`` holding the project, a script's own folder).
    """
    if folder is None or folder.startswith(("/", "~")) or folder.split("/")[0] == "..":
        return None
    return folder


#: A shell script's own folder as it names it: ``$(dirname "$0")``, ``$(dirname
#: "${BASH_SOURCE[0]}")``, `` `dirname $0` `` (the script's path, ``$0``, as it was run).
_OWN_FOLDER = re.compile(
    r"""\$\(\s*dirname\s+(?P<q>"?)\$(?:0|\{0\}|\{BASH_SOURCE(?:\[0\])?\})(?P=q)\s*\)"""
    r"""|`\s*dirname\s+(?P<b>"?)\$0(?P=b)\s*`"""
)


def with_own_folder(line: str, folder: str) -> str:
    """A shell script's ``line`` with its own folder's name (``$(dirname "$0")``) as ``folder``.

    ``folder`` is the script's, from where its lines run: ``cd "$(dirname "$0")" && python
    main.py`` in the root's ``start.sh`` runs the root's ``main.py``, in ``scripts/run.sh``
    ``scripts/main.py``.
    """
    if "dirname" not in line or re.fullmatch(r"[\w./-]+", folder) is None:
        return line  # a name the shell would read apart (spaces, quotes) is left as it is
    return _OWN_FOLDER.sub(lambda _: folder, line)


def _subshell_folder(
    step: LineCommand, moved_to: dict[int, str | None], workdir: str
) -> str | None:
    """The folder ``step`` runs in: its subshell's, as the ``cd`` commands before moved them.

    A subshell first met starts where the one it runs in is (``moved_to`` records it, each
    subshell once: linear in a line's subshells however deep they nest).
    """
    parents = [-1] if step.subshells is None else step.subshells.parents
    path: list[int] = []
    number = step.scope
    while number >= 0 and number not in moved_to:
        path.append(number)
        number = parents[number]
    folder = moved_to.get(number, workdir)
    for each in path:
        moved_to[each] = folder
    return folder


def run_file_command(line: str, kind: str | None = None) -> str:
    """``line`` of a run file of ``kind`` without its lead, as the shell command line it runs.

    The lead is the kind's (:func:`without_lead`; any kind's when None).
    A Dockerfile's exec form (``CMD ["python", "main.py"]``), a compose ``command:`` list
    (``[python, main.py]``) and a quoted value (``"startCommand": "python main.py",``) give
    their words quoted for the shell, as it would read them.
    """
    body = without_lead(line, kind).strip().removesuffix(",").rstrip()
    if body[:1] == "[" and body[-1:] == "]":
        try:
            listed = json.loads(body)
        except (ValueError, RecursionError):
            # A YAML or TOML flow list of words (`[python, main.py]`, `['python', 'main.py']`).
            listed = [item.strip().strip("\"'") for item in body[1:-1].split(",")]
        if isinstance(listed, list) and all(isinstance(word, str) for word in listed):
            return shlex.join(word for word in listed if word)
    if len(body) >= 2 and body[0] == body[-1] and body[0] in "\"'":
        try:
            quoted = json.loads(body) if body[0] == '"' else body[1:-1]
        except ValueError:
            quoted = body[1:-1]
        if isinstance(quoted, str):
            return quoted
    return body


def line_commands(line: str, kind: str | None = None, *, lead: bool = True) -> list[LineCommand]:
    """The commands a run file's line runs, one after the other: the one walk of a line.

    Its lead (its file's ``kind``'s) taken off first (:func:`run_file_command`, unless ``lead``
    is false: a shell script's text), the line is split at the shell's separators, each command
    read from the program it runs: assignments, the shell's keywords (``then``), the programs
    running the next in their place (:data:`_PREFIX_PROGRAMS`: ``env``, ``nohup``, ``gosu USER``,
    ``timeout 60``, ...), the runners and launchers of :func:`launched_command` taken off. A
    shell's ``-c`` script (``sh -c 'cd svc && python main.py'``) gives its commands in its
    place; ``watchfiles 'python main.py'`` the command line it runs after its own. Each
    command's :attr:`LineCommand.scope` says which subshells it runs in.
    """
    return _walk(run_file_command(line, kind) if lead else line, 0, 0, Subshells())


def _walk(text: str, depth: int, scope: int, subshells: Subshells) -> list[LineCommand]:
    """The commands of the shell text ``text`` (see :func:`line_commands`), line by line.

    A new line ends a command as ``;`` does; a backslash ending a line joins the next to it.
    Each command runs in ``scope`` or a subshell inside it, one of ``subshells``.
    """
    commands: list[LineCommand] = []
    for line in re.sub(r"\\\r?\n", " ", text).splitlines():
        commands.extend(_walk_line(line, depth, scope, subshells))
    return commands


class _List:
    """What one shell's list of commands holds since it began (a ``&`` sends it all off)."""

    def __init__(self) -> None:
        #: The commands run in this shell itself, by their index in the line's commands.
        self.commands: list[int] = []
        #: The subshells opened in this shell.
        self.subshells: list[int] = []


def _isolate(commands: list[LineCommand], listed: _List, here: int, subshells: Subshells) -> int:
    """The commands and subshells of ``listed`` (run in ``here``) moved to a new subshell."""
    number = subshells.new(here)
    for index in listed.commands:
        commands[index] = commands[index]._replace(scope=number)
    for each in listed.subshells:
        subshells.parents[each] = number
    return number


def _walk_line(text: str, depth: int, scope: int, subshells: Subshells) -> list[LineCommand]:
    """The commands of one line of shell text (see :func:`_walk`)."""
    commands: list[LineCommand] = []
    words: list[str] = []
    word: str | None = None  # the word being read, None between words
    redirected = False  # the next word is a redirection's file
    opened: list[int] = [scope]  # the shells open here, outermost first
    # What the list of commands each open shell is reading holds (a `&` sends it all off).
    listed: list[_List] = [_List()]
    piped = False  # the next command reads a pipe: it runs in a subshell of its own

    def add(separator: str) -> None:
        """The command of ``words`` ended by ``separator``, added to ``commands``."""
        here = opened[-1]
        before = len(subshells.parents)
        found = _command(words, separator, depth, here, subshells)
        # The subshells it opened run in this shell (`sh -c '...'`, watchfiles' command).
        inner = [
            number
            for number in range(before, len(subshells.parents))
            if subshells.parents[number] == here
        ]
        own = listed[-1]
        if piped or separator in ("|", "|&"):
            # Each side of a pipe runs in a subshell (`cd svc | cat` moves nothing after).
            side = _List()
            side.subshells = inner
            start = len(commands)
            commands.extend(found)
            side.commands = [
                index for index in range(start, len(commands)) if commands[index].scope == here
            ]
            own.subshells.append(_isolate(commands, side, here, subshells))
            return
        own.subshells.extend(inner)
        for each in found:
            if each.scope == here:
                own.commands.append(len(commands))
            commands.append(each)

    for piece in _SHELL_PIECE.finditer(text):
        kind = piece.lastgroup
        if kind == "stray":
            continue  # a quote left open: the rest is read as written
        if kind in ("single", "double", "escaped", "plain"):
            value = piece[kind]
            if kind == "double":
                value = _DOUBLE_ESCAPE.sub(r"\1", value)
            if word is None and kind == "plain" and value.startswith("#"):
                break  # a comment, to the end of the line
            word = (word or "") + value
            continue
        if word is not None:
            if redirected:
                redirected = False
            else:
                words.append(word)
            word = None
        if kind == "redirect":
            redirected = True  # the file redirected to or from is no word of the command
            continue
        if kind != "separator":
            continue
        separator = piece[0]
        add(separator)
        words = []
        piped = separator in ("|", "|&")
        if separator == "(":
            number = subshells.new(opened[-1])
            listed[-1].subshells.append(number)
            opened.append(number)
            listed.append(_List())
            piped = False
        elif separator == ")" and len(opened) > 1:
            opened.pop()
            listed.pop()
        elif separator == "&":
            # The list before it runs in the background, in a subshell of its own.
            _isolate(commands, listed[-1], opened[-1], subshells)
            listed[-1] = _List()
        elif separator in (";", ";;"):
            listed[-1] = _List()
    if word is not None and not redirected:
        words.append(word)
    add("")
    return commands


def _command(
    words: list[str], after: str, depth: int, scope: int, subshells: Subshells
) -> list[LineCommand]:
    """One command's reading (:func:`_walk`), and those a shell or watchfiles runs in it.

    Read by a position in ``words`` moving forward, never by slicing: a line of thousands of
    prefix words (``then then ... python main.py``) is read in linear time.
    """
    assigned: set[str] = set()
    position = 0
    while position < len(words):
        word = words[position]
        name = posixpath.basename(word)
        if word in _SHELL_KEYWORDS or word == "export":
            position += 1
        elif _ASSIGNMENT.fullmatch(word):
            assigned.add(word.partition("=")[0])
            position += 1
        elif name in _PREFIX_PROGRAMS:
            prefix = _PREFIX_PROGRAMS[name]
            position += 1
            while position < len(words) and words[position][:1] == "-" and len(words[position]) > 1:
                option, equals, _ = words[position].partition("=")
                position += 1
                if option == "--":
                    break
                if option in prefix.printing:
                    return []  # it runs no command (`command -v python`)
                if option in prefix.moving:
                    return [LineCommand([], frozenset(assigned), after, True, scope, subshells)]
                if not equals and option in prefix.valued:
                    position += 1
            position += prefix.arguments
        else:
            launched = launched_position(words, position)
            if launched is None:
                return [LineCommand([], frozenset(assigned), after, True, scope, subshells)]
            if launched == position:
                break  # nothing taken off: the program run
            position = launched
    rest = words[position:]
    if not rest and not assigned:
        return []  # nothing between two separators (`a & `, a subshell's bracket)
    # A shell's script run in a shell's script (`sh -c "bash -c '...'"`) only so deep.
    shell = len(rest) >= 3 and posixpath.basename(rest[0]) in SHELLS
    if depth < 4 and shell and SCRIPT_OPTION.fullmatch(rest[1]):
        # The script runs in a shell of its own: its `cd` moves nothing after it.
        inner = _walk(rest[2], depth + 1, subshells.new(scope), subshells)
        if inner:
            # The script's last command ends where the shell's command did.
            return [*inner[:-1], inner[-1]._replace(after=after)]
    found = [LineCommand(rest, frozenset(assigned), after, scope=scope, subshells=subshells)]
    if depth < 4 and rest and posixpath.basename(rest[0]) == "watchfiles":
        position = 1
        while position < len(rest) and rest[position].startswith("-"):
            option = rest[position].partition("=")[0]
            position += 2 if "=" not in rest[position] and option in _WATCHFILES_VALUED else 1
        if position < len(rest) and " " in rest[position].strip():
            found.extend(_walk(rest[position], depth + 1, subshells.new(scope), subshells))
    return found
