"""The apps a project's run files serve: the command lines ``init`` reads for its app.

Dockerfiles, Procfiles, compose files, shell scripts, Makefile and justfile recipes,
pyproject.toml tasks, supervisord and systemd units, hosting platforms' start commands: each
line's command is read (:mod:`telemetry_cli.server_commands`) for the import strings its
server names, the Python script or module it runs, or the FastAPI CLI's module file.
"""

import ast
import posixpath
import re
import shlex
import tomllib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import tomlkit
import tomlkit.exceptions

from telemetry_cli.files import (
    FileProblem,
    contained_path,
    parse_toml,
    read_head,
)
from telemetry_cli.ignore import GitIgnore
from telemetry_cli.image_layer import image_scripts, read_bounded, runs_a_shell, yaml_item
from telemetry_cli.install_steps import (
    COMPOSE_NAME,
    DOCKERFILE_NAME,
    is_compose_file,
)
from telemetry_cli.patching.apps import (
    main_guards,
)
from telemetry_cli.patching.project import BackendReader
from telemetry_cli.patching.symbols import (
    DEFINITIONS,
    ModuleModel,
    PackageIndex,
    assignment_expressions,
    block_statements,
    deleted_names,
    names_bound,
)
from telemetry_cli.plan import (
    CONFIG_FILENAME,
)
from telemetry_cli.script_servers import ScriptReads, run_module_targets, script_targets, star_names
from telemetry_cli.server_commands import (
    FASTAPI_CLI_OPTIONS,
    IMPORT_STRING,
    SERVER_COMMANDS,
    fastapi_command,
    names_one_attribute,
    python_scripts_of_line,
    run_file_command,
    served_import_strings,
    with_own_folder,
    without_lead,
)
from telemetry_cli.serverless import VERCEL_CONFIG, vercel_targets

#: The kinds of run file whose lines may move the server into a folder before it imports the
#: app (a Procfile's process, a shell script, a Makefile's or justfile's recipe), read at the
#: root by :func:`run_files_serving`; kinds of :data:`_RUN_FILE`.
_MOVING_KINDS = frozenset({"procfile", "script", "recipe"})
#: A shell line's words read left to right, to find a heredoc's start (`<<EOF`, `<<-'EOF'`)
#: outside the quoted strings, ANSI-C strings (`$'it\\'s'`) and arithmetic (`$((1<<2))`) before
#: it, never a here-string (`<<<`); a `#` starting a word comments out the rest.
_SHELL_TOKEN = re.compile(
    r"""\$'(?:[^'\\]|\\.)*'|'[^']*'|"(?:[^"\\]|\\.)*"|\$\(\(.*?\)\)|\\.|<<<"""
    r"""|(?P<heredoc><<(?P<dash>-?)\s*(?P<quote>['"]?)(?P<word>[\w.-]+)(?P=quote))"""
    r"""|(?P<comment>(?:^|(?<=\s))#)"""
)


def run_files_serving(root: Path) -> list[tuple[str, str]]:
    """The apps the root's run files serve, each with the folder its line serves it from.

    ``(folder, import string)``, as :func:`~telemetry_cli.image_layer.served_modules` gives an
    image's: ``gunicorn --chdir svc main:get_app`` in ``run.sh``, ``web: cd svc && uvicorn
    main:app`` in a Procfile, ``uvicorn --app-dir svc main:app`` in a Makefile recipe serve
    ``svc/main.py`` from ``svc/``; ``web: uvicorn svc.main:app`` serves it from the root (``.``).
    A gunicorn factory call (``"main:get_app()"``) names the factory. The lines are those
    :func:`_run_file_commands` reads.
    """
    from telemetry_cli.image_layer import served_from

    ignore = GitIgnore(root)
    ignore.read(root)
    reads: ScriptReads = {}
    served: list[tuple[str, str]] = []
    try:
        paths = sorted(root.iterdir())
    except OSError:
        return served
    for path in paths:
        if path.name == CONFIG_FILENAME and not ignore.ignored(path, folder=False):
            lines = _task_commands(path)
        else:
            named = _RUN_FILE.fullmatch(path.name)
            kind = None if named is None else named.lastgroup
            if kind not in _MOVING_KINDS or ignore.ignored(path, folder=False):
                continue
            data = read_bounded(path)
            if data is None:
                continue
            text = data.decode("utf-8", errors="replace")
            lines = list(_run_file_commands(text, kind))
        for line in map(_without_comment, lines):
            # A server named in a comment (`python run.py  # uvicorn`) starts nothing.
            # Each file's lead is off already (`_run_file_commands`): a shell script's `web:` is
            # a program, not a Procfile's process name.
            server = _SERVER_COMMAND.search(line) is not None
            # The FastAPI CLI's word may be a package installed (`pip install fastapi && ...`).
            cli = not server and _FASTAPI_CLI_WORD.search(line) is not None
            found = served_from(root, ".", line) if server or cli else None
            if not server and (found is None or not found[0]):
                served.extend(script_serving(root, line, ignore, reads))
                continue
            if found is None or not found[0]:
                continue
            served.extend(
                (found[0][0], string.removesuffix("()"))
                for string in found[1]
                if IMPORT_STRING.fullmatch(string.removesuffix("()"))
            )
    return served


def line_served_apps(root: Path, backend: str) -> frozenset[tuple[str, str]]:
    """The apps the project's server lines serve from ``backend``, as (module, attribute).

    A Procfile's ``side: uvicorn app.routes:side`` beside ``web: uvicorn app.main:app`` serves
    the side app on a port of its own: its routes answer, and a router it includes is served
    under its path there too. Read from the root's run files (:func:`run_files_serving`: a
    Procfile, a shell script, a Makefile or justfile recipe, a pyproject task, the FastAPI
    CLI's ``fastapi run app/routes.py --app side`` too) and the app each root Dockerfile's
    image serves (:func:`~telemetry_cli.image_layer.served_modules`). A line serving from a
    folder inside ``backend`` (``cd app && uvicorn routes:side``) names its modules by their
    names from ``backend`` (``app.routes``); the attribute is as written (``main:side``
    re-exporting it, a factory's name): the patcher reads what it holds.
    """
    from telemetry_cli.image_layer import served_modules

    folder = posixpath.normpath(PurePosixPath(backend).as_posix())
    named: set[tuple[str, str]] = set()
    for served, string in [*run_files_serving(root), *served_modules(root)]:
        module, _, attribute = string.removesuffix("()").partition(":")
        inside = posixpath.relpath(posixpath.normpath(served), folder)
        if inside.split("/")[0] == ".." or not attribute.isidentifier():
            continue  # a folder above the backend names no module of its package
        if inside != ".":
            module = ".".join([*inside.split("/"), module])
        named.add((module, attribute))
    return frozenset(named)


def script_serving(
    root: Path,
    line: str,
    ignore: GitIgnore,
    reads: ScriptReads | None = None,
) -> list[tuple[str, str]]:
    """The apps a command line running a Python script serves, each with its import root.

    ``python src/main.py``, or ``cd src && python main.py``, runs ``src/main.py`` with its own
    folder first on the import path, wherever the line runs from: the server it starts under
    its ``__main__`` guard (``uvicorn.run("server:app")``) imports ``server`` from ``src/``.
    The line is read by the steps a server's line is (``served_from`` of the image layer): a
    ``cd`` before the script counts, a line printing or sending the command elsewhere
    (``echo``, ``docker compose run``, ``ssh``) runs no script of the project. ``line`` is a
    command line, its run file's lead off already (``python main.py`` of ``web: python main.py``).
    """
    from telemetry_cli.image_layer import served_from

    found = served_from(root, ".", line, scripts=True)
    if found is None or not found[0] or not found[1]:
        return []
    folder = found[0][0]
    if ignore.ignored(root / folder, folder=True):
        return []
    return [
        (folder, string)
        for string in sorted(script_targets(root / folder, found[1][0], ignore, reads))
        if IMPORT_STRING.fullmatch(string)
    ]


def _task_commands(path: Path) -> list[str]:
    """The command lines of the tasks of a ``pyproject.toml`` run in a shell (none when no TOML).

    Those a task runner runs in a shell, from the project's folder, as a Makefile recipe line is
    run: hatch's environment scripts (``[tool.hatch.envs.<env>.scripts]``, a command or a list
    of them), taskipy's tasks (``[tool.taskipy.tasks]``, a command or a table of one under
    ``cmd``), pdm's scripts and poe's tasks given under ``shell``. A pdm script or poe task
    given as a plain string or under ``cmd`` runs its words as one program without a shell: a
    ``cd`` in it (``cd svc && uvicorn main:app``) is no program and moves nothing, so such a
    task is read only when it holds no shell syntax (its words are the command line).
    """
    data = read_bounded(path)
    if data is None:
        return []
    try:
        document = parse_toml(data.decode("utf-8", errors="replace"))
    except (tomllib.TOMLDecodeError, RecursionError):
        return []
    tool = document.get("tool")
    if not isinstance(tool, dict):
        return []
    # (table of tasks, whether its plain and `cmd` tasks run in a shell). hatch runs a script's
    # commands in a shell (https://hatch.pypa.io/latest/config/environment/overview/#scripts),
    # as taskipy does its tasks; pdm's plain and `cmd` scripts are split into words and run
    # without one, its `shell` ones in a shell (https://pdm-project.org/latest/usage/scripts/);
    # poe's plain and `cmd` tasks run without a shell, its `shell` tasks in one
    # (https://poethepoet.natn.io/tasks/task_types/cmd.html).
    tables: list[tuple[object, bool]] = []
    hatch = tool.get("hatch")
    environments = hatch.get("envs") if isinstance(hatch, dict) else None
    if isinstance(environments, dict):
        tables.extend(
            (environment.get("scripts"), True)
            for environment in environments.values()
            if isinstance(environment, dict)
        )
    for runner, key, shell in (
        ("pdm", "scripts", False),
        ("poe", "tasks", False),
        ("taskipy", "tasks", True),
    ):
        table = tool.get(runner)
        if isinstance(table, dict):
            tables.append((table.get(key), shell))
    lines: list[str] = []
    for table, shell in tables:
        if not isinstance(table, dict):
            continue
        for task in table.values():
            in_shell = shell
            if isinstance(task, dict):
                in_shell = shell or "shell" in task
                task = task.get("shell", task.get("cmd"))
                if isinstance(task, list):  # pdm's `cmd` as its words
                    task = shlex.join(word for word in task if isinstance(word, str))
            # A list of its own is one command after the other (hatch's); poe's and pdm's lists
            # name other tasks, no command.
            if isinstance(task, list) and not shell:
                continue
            commands = task if isinstance(task, list) else [task]
            lines.extend(
                command
                for command in commands
                if isinstance(command, str) and (in_shell or _no_shell_syntax(command))
            )
    return lines


def _no_shell_syntax(command: str) -> bool:
    """Whether a command run without a shell runs as its line reads in one.

    No separator of commands (``&&``, ``;``, ``|``, a new line) and no ``cd`` to start it: run
    as one program's words, ``cd svc && uvicorn main:app`` fails (``cd`` is no program).
    """
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        return False
    return bool(words) and words[0] != "cd" and not re.search(r"[;&|\n]", command)


def _run_file_commands(text: str, kind: str | None) -> Iterator[str]:
    """The command lines of a run file at the root, each without its lead.

    ``kind`` is ``"procfile"`` (a process per line, its ``web:`` name taken off), ``"script"``
    (a shell script's lines) or ``"recipe"`` (a Makefile's or justfile's recipe lines, their
    indent and marks taken off): the leads of :data:`RUN_FILE_LEADS`. A backslash ending a line
    joins the next to it. Each line is read on its own, from the root: a ``cd`` moves the server
    only on its line (``cd svc && uvicorn ...``), as a line of its own can run in a branch, a
    function or a subshell not followed here.
    """
    lines = iter(re.sub(r"\\\r?\n", " ", text).splitlines())
    for line in lines:
        if kind == "script":
            yield with_own_folder(line.lstrip(), ".")  # a script at the root
        elif kind != "recipe" or line[:1].isspace():
            yield without_lead(line, kind)
        heredoc = _heredoc(line) if kind == "script" else None
        if heredoc is not None:
            # Its body is text the script feeds a command, up to the delimiter's line.
            for more in lines:
                body = more.lstrip("\t") if heredoc["dash"] else more
                if body.rstrip("\r") == heredoc["word"]:
                    break


def _heredoc(line: str) -> re.Match[str] | None:
    """The heredoc a shell line starts (``cat <<'EOF'``), or None: ``<<`` unquoted, as a word."""
    for token in _SHELL_TOKEN.finditer(_without_comment(line)):
        if token["heredoc"]:
            return token
    return None


def _without_comment(line: str) -> str:
    """A shell line without its comment: ``python run.py  # uvicorn`` runs ``python run.py``.

    A ``#`` starting a word outside quotes (:data:`_SHELL_TOKEN`) comments out the rest.
    """
    for token in _SHELL_TOKEN.finditer(line):
        if token["comment"]:
            return line[: token.start()].rstrip()
    return line


def run_file_targets(
    folder: Path,
    ignore: GitIgnore,
    project: tomlkit.TOMLDocument | None,
    reads: ScriptReads | None = None,
) -> set[str]:
    """The import strings the command lines of the run files directly in ``folder`` serve.

    ``project`` is the root's pyproject.toml, read already, when ``folder`` is the root;
    ``reads`` the Python scripts read already in this run (a fresh record when not given).
    """
    reads = {} if reads is None else reads
    targets: set[str] = set()
    try:
        paths = sorted(folder.iterdir())
    except OSError:
        return targets  # a folder init may not read says nothing
    for path in paths:
        if path.name == VERCEL_CONFIG and not ignore.ignored(path, folder=False):
            targets.update(vercel_targets(folder, path, ignore))
            continue
        named = _RUN_FILE.fullmatch(path.name)
        # A compose file by its services too (`local.yml`), not only by its name.
        kind = named.lastgroup if named is not None else "config" if is_compose_file(path) else None
        if kind is None and "." not in path.name and not ignore.ignored(path, folder=False):
            # A start script named without `.sh` (`start`, `run`): known by its first line
            # running a shell, as the image check knows one; its head only is read.
            text = _shell_script_text(path)
            if text is not None:
                targets.update(command_targets(folder, text, ignore, reads, kind="script", own="."))
            continue
        if kind is None or ignore.ignored(path, folder=False):
            continue
        if project is not None and path.name == CONFIG_FILENAME:
            text = project.as_string()  # read by the caller already
        else:
            # No further than the image check reads one (9 MB of lines took 4 s).
            data = read_bounded(path)
            if data is None:
                continue
            text = data.decode("utf-8", errors="replace")
        targets.update(
            command_targets(
                folder, text, ignore, reads, kind=kind, own="." if kind == "script" else None
            )
        )
    return targets


def command_targets(
    folder: Path,
    text: str,
    ignore: GitIgnore,
    reads: ScriptReads | None = None,
    *,
    nested: bool = False,
    kind: str | None = None,
    own: str | None = None,
) -> set[str]:
    """The import strings the command lines of ``text`` (a run file of ``folder``) serve.

    ``kind`` is the run file's (a key of :data:`RUN_FILE_LEADS`: the lead of its lines; None
    when not known, any kind's lead). ``own`` is a shell script's own folder from ``folder``
    (:func:`with_own_folder`: ``cd "$(dirname "$0")"``), None for another kind of run file.
    A shell script a line runs by its path (``sh scripts/prestart-and-run``, ``./start``) is
    read as one more run file, whatever its name: what it starts is what the line starts. Only
    one script deep (``nested``): a script running itself is not read again. ``reads`` holds
    the Python scripts read already in this run (:data:`ScriptReads`).
    """
    from telemetry_cli.image_layer import served_from

    reads = {} if reads is None else reads
    targets: set[str] = set()
    for line in map(_without_comment, _command_lines(text)):
        # A server named in a comment (`python run.py  # was: uvicorn legacy:app`) starts
        # nothing: every reader below sees the line without it, as `run_files_serving` does.
        # A variable's default is what the line runs with when the environment leaves it
        # unset: `uvicorn ${APP:-app.main:app}`, `APP_MODULE: ${APP_MODULE:-app.main:app}`.
        line = _SHELL_DEFAULT.sub(r"\1", line)
        if own is not None:
            line = with_own_folder(line, own)
        server = _SERVER_COMMAND.search(line)
        if server is not None:
            # Served from the project folder the line's server serves from, read as every
            # server's line is (`served_from`: a `cd` before it, its own `--app-dir` or
            # `--chdir` after): named from ``folder`` as that folder's module (`cd app &&
            # uvicorn main:app`: `app.main:app`; `cd app && uvicorn --app-dir .. main:app`:
            # `main:app`). Not known (`cd $APP_HOME`, `cd /code`): as written.
            served = served_from(folder, ".", run_file_command(line, kind))
            inside = _module_prefix(served[0][0] if served is not None and served[0] else None)
            targets.update(
                inside + found
                for found in served_import_strings(line)
                if server[0] != "gunicorn" or names_one_attribute(found)
            )
        for script_folder, script in python_scripts_of_line(line, kind):
            if script_folder == ".":
                targets.update(script_targets(folder, script, ignore, reads))
                continue
            # A script elsewhere runs with its own folder first on the import path: what it
            # serves, named from ``folder`` (`cd app && python main.py`: `app.main:app`).
            inside = _module_prefix(script_folder)
            if inside and (folder / script_folder).is_dir():
                targets.update(
                    inside + string
                    for string in script_targets(folder / script_folder, script, ignore, reads)
                )
        run_module = _PYTHON_MODULE.search(line)
        if run_module is not None:
            targets.update(run_module_targets(folder, run_module[1], ignore))
        cli = _fastapi_cli_target(line, folder)
        if cli is not None:
            targets.add(cli)
        for variable in _APP_VARIABLE.finditer(line):
            targets.update(served_import_strings(variable[1]))
        if not nested:
            for shell in _SHELL_SCRIPT.finditer(line):
                targets.update(_shell_script_targets(folder, shell[1], ignore, reads))
            for absolute in _IMAGE_SCRIPT.finditer(line):
                # A path of the image (`command: /start`): the project file a Dockerfile copies
                # there is the script, its lines run from the build context as any other's.
                for copied in image_scripts(folder, absolute[1]):
                    targets.update(_shell_script_targets(folder, copied, ignore, reads))
    return targets


def _module_prefix(folder: str | None) -> str:
    """The dotted module path of a project's ``folder`` (``app/api``: ``app.api.``).

    Empty for the root, a folder not known, or one whose names are no module's (``my-api``).
    """
    if folder is None or folder == ".":
        return ""
    parts = folder.split("/")
    if not all(part.isidentifier() for part in parts):
        return ""
    return ".".join(parts) + "."


# How much of a shell script a run file starts is read (see `_shell_script_targets`).
_SCRIPT_READ = 1 << 16


def _shell_script_targets(
    folder: Path, script: str, ignore: GitIgnore, reads: ScriptReads
) -> set[str]:
    """What a shell script of ``folder`` a command line runs serves (none: no such file).

    Its lines run from the same folder as the line running it (a compose file's, a
    Dockerfile's working directory), so its import strings are read from there.
    """
    if script.endswith(".py"):
        return set()  # run by python (see `script_targets`)
    try:
        # Not a path leading out of the folder (`../x`, a symbolic link elsewhere).
        path = contained_path(folder, script)
        if not path.is_file() or ignore.ignored(path, folder=False):
            return set()
        # A script is short: the head of a large file (a binary) is all that is read.
        data = read_head(path, script, _SCRIPT_READ)
    except FileProblem:
        return set()
    if data is None:
        return set()
    text = data.decode("utf-8", errors="replace")
    own = posixpath.dirname(posixpath.normpath(script)) or "."
    return command_targets(folder, text, ignore, reads, nested=True, kind="script", own=own)


def _shell_script_text(path: Path) -> str | None:
    """The text of the file at ``path`` when its first line runs a shell (None: not a script).

    Only the head of the file is read (a script is short; a binary of that name is not).
    """
    try:
        data = read_head(path, path.name, _SCRIPT_READ)
    except FileProblem:
        return None  # a folder or a pipe of that name: no script
    if data is None:
        return None
    text = data.decode("utf-8", errors="replace")
    return text if runs_a_shell(text) else None


def _command_lines(text: str) -> list[str]:
    """The uncommented lines of a run file, and each YAML block list joined into one line.

    A compose file's or a Kubernetes manifest's ``command:`` written as a list, one word an
    item (``- uvicorn`` then ``- app.main:app``), is one command line: its items read as the
    image check reads them (:func:`yaml_item`: a comment after an item and quotes are no part
    of the word), and a blank or comment line between two items does not end the list.
    """
    lines: list[str] = []
    items: list[str] = []
    indent = -1
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            if not line.lstrip().startswith("#"):
                lines.append(line)
            continue
        lines.append(line)
        item = yaml_item(line)
        if item is not None and items and item[0] == indent:
            items.append(item[1])
            continue
        if items:
            lines.append(" ".join(word for word in items if word))
        items = [] if item is None else [item[1]]
        indent = -1 if item is None else item[0]
    if items:
        lines.append(" ".join(word for word in items if word))
    return lines


def _fastapi_cli_target(line: str, folder: Path) -> str | None:
    """The import string ``fastapi run app/main.py`` (or ``fastapi dev``) serves, from ``folder``.

    The FastAPI CLI takes the module's file: ``app/main.py`` is ``app.main``, its app the
    variable ``--app`` names, else the one it looks for in the module (:func:`cli_app_name`);
    or the import string itself (``--entrypoint``). None for another line, or one naming
    neither (the CLI then looks for ``main.py`` itself, as discovery does).
    """
    match = _FASTAPI_CLI.search(line)
    if match is None:
        return None
    command = fastapi_command(["run", *_COMMAND_WORD.findall(line[match.end() :])])
    if command is None:
        return None
    if command.entrypoint is not None:
        found = IMPORT_STRING.fullmatch(command.entrypoint)
        return None if found is None else found.group(1)
    if command.file is None or not command.app.isidentifier():
        return None
    parts = PurePosixPath(command.file.removeprefix("./")).with_suffix("").parts
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    module = ".".join(parts)
    app = command.app if command.named_app else cli_app_name(folder, module)
    return f"{module}:{app}"


def cli_app_name(folder: Path, module: str) -> str:
    """The variable of module ``module`` (from ``folder``) the FastAPI CLI serves by default.

    As ``fastapi_cli.discover.get_app_name`` looks when no ``--app`` names one (fastapi-cli's
    ``src/fastapi_cli/discover.py``): in the imported module, ``app`` if it holds a FastAPI
    instance, else ``api`` likewise, else the first name of ``dir(module)`` holding one
    (``dir`` sorts by code point: capitals, then ``_``, then small letters). ``api`` beside
    ``app = typer.Typer()``, ``admin`` beside ``web``. The names are those the import binds
    (:func:`_bound_on_import`). What a name holds is read by the module model as discovery
    reads apps (``FastAPI()``, a factory's ``create_app()``, a second name of one), through
    the import binding it (``from .core import app``): an app built elsewhere is the module's
    attribute too. Asked in that order, stopping at the first holding one (the others, and
    the modules they import, are not read). When the model sees no app in the module,
    ``app`` if bound, else ``api`` if bound, else ``app`` (what the CLI imports is then
    judged as before).
    """
    index = PackageIndex(BackendReader(folder, ".").read)
    try:
        model = index.module(module)
        if model is None:
            return "app"
        bound = _bound_on_import(model, index)
        order = ("app", "api", *sorted(bound - {"app", "api"}))
        served = next(
            (
                name
                for name in order
                if name in bound
                and index.app_key(index.resolve(f"{model.name}.{name}")[1]) is not None
            ),
            None,
        )
    finally:
        index.close()  # its models freed now; the tree stays for the run (see analysis_run)
    if served is not None:
        return served
    return next((name for name in ("app", "api") if name in bound), "app")


def _bound_on_import(model: ModuleModel, index: PackageIndex) -> set[str]:
    """The names ``model``'s module binds when imported (not run as a script), as ``dir`` lists.

    Its top level in source order, into its ``if``/``try``/``with``/loop blocks: assignments,
    imports, definitions, loop and ``with`` targets, ``:=`` targets; a ``del`` of the top level
    unbinds (``del app``, ``del (app,)``; one in a block may not run: the name is kept). The
    body of an ``if __name__ == "__main__":`` guard does not run on import (``fastapi run``
    imports the module), its ``else`` does. ``from <module> import *`` binds that module's
    ``__all__``, else its public names (its own star imports' too), for a module of the
    package; a library's star import binds nothing read (no app of the package).
    """
    guards = main_guards(model.tree.body)
    bound: set[str] = set()
    # The guard's `else` runs on import, as surely as the top level: its statements count so.
    tops = [
        inner
        for top in model.tree.body
        for inner in (top.orelse if top in guards and isinstance(top, ast.If) else [top])
    ]
    for statement in block_statements(tops):
        if isinstance(statement, ast.Delete):
            if not any(statement is top for top in tops):
                continue  # a `del` under an `if` or `try` may not run: the name may stay bound
            bound.difference_update(deleted_names(statement))
            continue
        if isinstance(statement, ast.ImportFrom) and any(
            alias.name == "*" for alias in statement.names
        ):
            source = model.absolute_import(statement)
            bound.update(star_names(index, source, set()) if source is not None else ())
            continue
        if not isinstance(statement, DEFINITIONS):
            # `(app := FastAPI())` binds `app` in the module, as an assignment does.
            bound.update(
                named.target.id
                for named in assignment_expressions(statement)
                if isinstance(named.target, ast.Name)
            )
        heads: list[ast.AST]
        if isinstance(statement, DEFINITIONS):
            heads = [statement]
        elif isinstance(statement, ast.Import | ast.ImportFrom):
            heads = list(statement.names)
        elif isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            heads = [node for target in targets for node in ast.walk(target)]
        elif isinstance(statement, ast.For | ast.AsyncFor):
            heads = list(ast.walk(statement.target))
        elif isinstance(statement, ast.With | ast.AsyncWith):
            heads = [
                node
                for item in statement.items
                if item.optional_vars is not None
                for node in ast.walk(item.optional_vars)
            ]
        else:
            continue
        bound.update(name for head in heads for name in names_bound(head))
    return bound


#: Files whose command lines start the server (`CMD ["uvicorn", ...]`
#: in any Dockerfile, `Dockerfile_api` too; a Procfile's, `Procfile.dev` too; a Makefile's or
#: justfile's recipe, a task of pyproject.toml's `[tool.taskipy.tasks]`, a supervisord program's
#: `command=`, a Kubernetes Deployment's container command; a hosting platform's start command:
#: Render's `render.yaml`, Railway's `railway.toml` or `.json`, `nixpacks.toml`, Fly's
#: `fly.toml`, App Engine's `app.yaml` `entrypoint:`; a systemd unit's `ExecStart=`), or set the
#: app the server reads from the environment (`.env`, `.env.production`: see `_APP_VARIABLE`).
#: Each by its kind, the group it matches: the lead its lines have (`RUN_FILE_LEADS`).
_RUN_FILE = re.compile(
    r"(?i)(?P<procfile>Procfile(?:\.[\w.-]+)?)|(?P<script>[\w.-]+\.sh)"
    rf"|(?P<recipe>(?:GNU)?makefile|\.?justfile)|(?P<dockerfile>{DOCKERFILE_NAME})"
    rf"|(?P<config>{COMPOSE_NAME}|"
    r"\.env(?:\.[\w.-]+)?|Taskfile\.ya?ml|pyproject\.toml|"
    r"render\.ya?ml|railway\.(?:toml|json)|nixpacks\.toml|fly\.toml|app\.ya?ml|"
    r"supervisord?(?:[._-][\w.-]+)?\.(?:conf|ini)|[\w@.-]+\.service|"
    r"(?:[\w.-]+[._-])?deployment(?:[._-][\w.-]+)?\.ya?ml)"
)


#: The app set in the environment a server reads it from: uvicorn's `UVICORN_APP` (its command
#: line's `app` argument, when the line gives none), the uvicorn-gunicorn images' `APP_MODULE`.
#: As a Dockerfile's `ENV` (`ENV APP_MODULE=app.main:app`, or `ENV APP_MODULE app.main:app`), a
#: compose file's `environment:` (`- UVICORN_APP=...`, or `UVICORN_APP: ...`), a `.env` line, a
#: shell's `export`; its value, quoted or not.
_APP_VARIABLE = re.compile(
    r"(?<![\w$])(?:UVICORN_APP|APP_MODULE)(?!\w)[\"']?(?:[ \t]*[=:][ \t]*|[ \t]+)[\"']?([^\s\"']+)"
)


#: A shell's (and compose's) variable with a default, `${NAME:-value}` (or `-`, `:=`, `=`).
_SHELL_DEFAULT = re.compile(r"\$\{[A-Za-z_]\w*:?[-=]([^{}\s]*)\}")


#: An item of a YAML block list, its indentation and its value (`      - app.main:app`).
# The FastAPI CLI's own options, which may come before its command (`fastapi --verbose run`).
_CLI_OPTIONS = "|".join(map(re.escape, sorted(FASTAPI_CLI_OPTIONS)))


#: The FastAPI CLI serving a module file (`fastapi run app/main.py`, `["fastapi", "dev", ...]`).
_FASTAPI_CLI = re.compile(rf"\bfastapi\b(?:[\"',\s]+(?:{_CLI_OPTIONS}))*[\"',\s]+(?:run|dev)\b")


#: The words of a command line, in a shell line or a JSON list (`--app=api`, `app/main.py`).
_COMMAND_WORD = re.compile(r"[\w./=:-]+")


#: A module run as a script (`python -m app`, `python3 -u -m app.server`).
_PYTHON_MODULE = re.compile(
    r"(?<![\w./-])python(?:3(?:\.\d+)?)?(?:[\s\"',]+-[A-Za-ln-z]+)*[\s\"',]+-m[\s\"',]+"
    r"([A-Za-z_][\w.]*)(?![\w.-])"
)


# The two ways a command line runs a script: given to a shell (`sh scripts/start`, `["bash",
# "-e", "run"]`), or in command position (a Procfile's `web: bin/start-web`, `&& bin/run`,
# `exec bin/run`, `CMD ["bin/run"]`, `command: /start`).
_SHELL_RUN = r"(?<![\w./-])(?:ba|da|z)?sh(?:[\s\"',]+-[A-Za-z]+)*[\s\"',]+"


_COMMAND_POSITION = r"(?:^|[:;&|]|\bexec|\[)[\s\"']*"


# The names of a script's path after its first, and where the path ends.
_MORE_NAMES = r"(?:/[\w.-]+)*"


_PATH_END = r"(?![\w./-])"


#: A shell script run by its path relative to the folder (`sh scripts/start`, `./start`,
#: `bin/start`; in command position only a path of a folder, a bare word being a command): an
#: absolute path is one in the image, not the project's.
_SHELL_SCRIPT = re.compile(
    rf"(?:{_SHELL_RUN}|(?<![\w./-])\./|{_COMMAND_POSITION}(?=[\w-][\w.-]*/))"
    rf"([\w-][\w.-]*{_MORE_NAMES}){_PATH_END}"
)


#: An absolute path of the image run as a script (`command: /start`, `CMD ["/start-reload"]`,
#: `sh /start`): a file a Dockerfile copies in, found back by `image_scripts`.
_IMAGE_SCRIPT = re.compile(
    rf"(?:{_SHELL_RUN}|{_COMMAND_POSITION})(/[\w.-]+{_MORE_NAMES}){_PATH_END}"
)


#: An ASGI server started on a command line (also `python -m uvicorn`).
_SERVER_COMMAND = re.compile(rf"\b(?:{'|'.join(SERVER_COMMANDS)})\b")


#: The FastAPI CLI's program on a command line (``fastapi run app/routes.py --app side``).
_FASTAPI_CLI_WORD = re.compile(r"(?<![\w.-])fastapi(?![\w.-])")
