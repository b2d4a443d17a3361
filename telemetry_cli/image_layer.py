"""Whether the project's container image leaves the generated layer out.

A Dockerfile that copies only chosen paths from its build context (``COPY main.py .``,
``COPY ./app /code/app``) builds an image holding the patched modules but not the layer they
import, so the app fails at start-up with ImportError. :func:`missing_layer_notes` says so, one
note per Dockerfile: its line and the ``COPY`` that fixes it. A ``.dockerignore`` excluding the
layer does the same. An image that holds the patched modules on a Python older than the
layer needs (``FROM python:3.8-slim``) fails at start-up too: noted at its ``FROM`` line. So
does one holding the layer where the server's import path cannot reach it by the name the
patched modules import it (``COPY ./app /app`` in a ``tiangolo/uvicorn-gunicorn-fastapi`` image
serving ``/app``, the plan importing ``app.analytics``): noted at the ``COPY``. It is
advice only, and silent whenever it cannot be sure: a Dockerfile it cannot read, a build context
it cannot know (a source that is not there, a variable), an image that holds none of the patched
modules, a base image whose tag names no Python version. Compose files are read with PyYAML
(anchors and aliases as compose reads them); one that is no YAML is said in one line, at the
line PyYAML stopped at, and the images it builds are not checked.
"""

import ast
import json
import posixpath
import re
import shlex
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import NamedTuple, TypeVar

from telemetry_cli.errors import PARSE_ERRORS, FileProblem
from telemetry_cli.files import read_head
from telemetry_cli.install_steps import (
    DOCKER_REQUIREMENTS,
    TextReader,
    compose_files,
    dockerfiles,
    read_text,
    searched_folders,
)
from telemetry_cli.layer_requires import LAYER_PYTHON
from telemetry_cli.server_commands import (
    IMPORT_STRING,
    SERVER_COMMANDS,
    SERVER_ENVIRONMENT,
    LineCommand,
    command_folders,
    fastapi_command,
    launched_command,
    line_commands,
    names_one_attribute,
    python_script,
)
from telemetry_cli.server_commands import SCRIPT_OPTION as _SCRIPT_OPTION
from telemetry_cli.server_commands import SHELLS as _SHELLS

#: A YAML comment: `#` at the start or after a blank.
_YAML_COMMENT = re.compile(r"(?:^|[ \t])#.*")
#: A parser directive choosing the escape character (``# escape=`` then a backtick).
_ESCAPE = re.compile(r"#\s*escape\s*=\s*(\S)\s*", re.IGNORECASE)
_GLOB = re.compile(r"[*?\[]")
_T = TypeVar("_T")
#: The largest Dockerfile or compose file read (real ones hold a few KiB): the copies of a
#: larger one are not weighed, which takes time in proportion, and a note says so.
MAX_BUILD_FILE_CHARS = 256 * 1024
#: The flags of a COPY or ADD (`--chown=app:app --link `).
_FLAGS = re.compile(r"(?:--\S*\s+)*")
#: The Python version a base image's tag names: the official image's (`python:3.8-slim`), or a
#: tag naming it for another image (`tiangolo/uvicorn-gunicorn-fastapi:python3.8-slim`), also
#: after another version (Azure Functions' `azure-functions/python:3.0-python3.9`, whose first
#: number is the Functions runtime's). The tag is what follows the colon after the image's
#: last `/` (a registry's port, `myreg:5000/`, comes before it); one naming `python<version>`
#: is read before the official image's number, and of several the last such name counts.
_PYTHON_IMAGE = re.compile(r"(?:.*/)?python:(\d+)\.(\d+)(?!\d).*")
_PYTHON_TAG = re.compile(r"(?:.*/)?[^:/]*:(?:[^:/]*-)?python-?(\d+)\.(\d+)(?!\d).*")


@dataclass
class _Copy:
    line: int
    sources: list[str]
    dest: str
    instruction: str
    # Docker's `COPY --exclude=<pattern>`: what the copy leaves out of its sources.
    excludes: "tuple[_Glob, ...]" = ()
    # Its destination is a folder of the image already (the WORKDIR, a parent of it, one an
    # earlier copy made): a single file copied to it lands inside it, slash or not.
    into_folder: bool = False
    # The WORKDIR a relative destination is under (None: a variable's, unknown).
    workdir: str | None = "/"


@dataclass
class _Stage:
    name: str
    base: str
    line: int
    copies: list[_Copy] = field(default_factory=list)
    # A COPY --from= another stage or image: what the image holds is no longer only these copies.
    copies_other: bool = False
    # The working directory, and the folders of the image known to be there so far.
    workdir: str = "/"
    folders: set[str] = field(default_factory=lambda: {"/"})
    # Set by the stage itself (else inherited from its base, an image's own unknown to us).
    workdir_set: bool = False
    workdir_known: bool = True
    # The working directory it starts in, the base image's (None: an image of unknown layout).
    default_workdir: str | None = None
    # Its own CMD and ENTRYPOINT, as words (None: not set here), and its PYTHONPATH entries
    # (None: not set here; a variable other than PYTHONPATH's own makes them unknown).
    command: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    pythonpath: tuple[str, ...] | None = None
    unknown_pythonpath: bool = False
    # It sets the tiangolo images' MODULE_NAME, VARIABLE_NAME or APP_MODULE (the app they serve).
    names_app: bool = False
    # The server options it sets in the environment (``UVICORN_APP_DIR``: see
    # :data:`SERVER_ENVIRONMENT`), by variable; a value holding ``$`` is not known.
    server_environment: dict[str, str] = field(default_factory=dict)
    # Each requirements file a RUN installs (`pip install -r`), as an absolute path of the image,
    # with the number of the stage's copies made before it.
    installs: list[tuple[str, int]] = field(default_factory=list)
    # Each folder of the image a RUN installs as a project (`pip install .`, `pip install -e
    # /srv/svc`), absolute, with the number of the stage's copies made before it.
    projects: list[tuple[str, int]] = field(default_factory=list)

    def folder(self, path: str) -> str:
        """``path`` as an absolute path of the image (a relative one is under the WORKDIR)."""
        return posixpath.normpath(posixpath.join(self.workdir, path))

    def make(self, path: str) -> None:
        """Remember ``path`` (absolute) and its parents as folders of the image."""
        while path not in self.folders:
            self.folders.add(path)
            path = posixpath.dirname(path)


def missing_layer_notes(
    root: Path,
    backend: str,
    layer: str,
    layer_files: Sequence[str],
    importers: Sequence[str],
    read: TextReader = read_text,
) -> list[str]:
    """Notes for the Dockerfiles whose image holds a module in ``importers`` but not the layer.

    ``layer`` is the layer's folder, ``layer_files`` its files; paths are relative to ``root``,
    in POSIX form. The Dockerfiles are those of the project
    root and of each folder down to ``backend`` (built from their own folder), and those a
    compose file there names with its build context. ``read`` reads each Dockerfile (a run's
    :class:`~telemetry_cli.install_steps.FileTexts`, which the install steps read them with too).
    """
    modules = [path for path in layer_files if path.endswith(".py")]
    if not modules or not importers:
        return []
    notes: list[str] = []
    builds = _builds(root, backend, notes)
    # The name the patched modules import the layer by: its path from the backend folder.
    dotted = posixpath.relpath(layer, posixpath.normpath(backend))
    for build in builds:
        notes += _notes(root, build, (layer, modules, dotted), importers, read)
    # A Dockerfile two services run differently can give the same note twice.
    return list(dict.fromkeys(notes))


def read_bounded(path: Path) -> bytes | None:
    """The bytes of a file a build or a run reads (a start script, a configuration).

    None when there is no regular file there, or one larger than :data:`MAX_BUILD_FILE_CHARS`
    (real ones hold a few KiB; a larger one is generated or hostile, and reading its lines took
    seconds). Never more than that is read.
    """
    try:
        data = read_head(path, path.name, MAX_BUILD_FILE_CHARS + 1)
    except (FileProblem, ValueError):
        return None  # a folder or a pipe of that name; ValueError: a name holding a NUL byte
    return None if data is None or len(data) > MAX_BUILD_FILE_CHARS else data


class _Run(NamedTuple):
    """What a compose service running an image sets over its Dockerfile's CMD/ENTRYPOINT/WORKDIR.

    Each None: not set there. ``unknown``: set in a way not read here (a variable, an anchor,
    ``extends:``), so the command the image runs is not known.
    """

    command: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    working_dir: str | None = None
    unknown: bool = False
    # The sources of its bind mounts (`volumes: [".:/app"]`): relative to the compose file's
    # folder as read, then to the project root (see `_builds`); or absolute.
    mounts: tuple[str, ...] = ()


#: A Dockerfile run as its own CMD/ENTRYPOINT/WORKDIR say.
_OWN_RUN = _Run()


class _Build(NamedTuple):
    dockerfile: str
    context: str
    run: _Run = _OWN_RUN


def _builds(root: Path, backend: str, unread: list[str] | None = None) -> list[_Build]:
    """Each Dockerfile (relative to ``root``) with its build context and how a service runs it.

    Once each, in a stable order; a Dockerfile that several compose services build and run
    differently comes once per way. A compose file larger than :data:`MAX_BUILD_FILE_CHARS`, or
    one that is no YAML, is not read: a note saying so goes to ``unread``.
    """
    folders = searched_folders(backend)[::-1]
    named: dict[str, set[tuple[str, _Run]]] = {}
    for folder in folders:
        for compose in compose_files(root / folder):
            text = read_text(compose) or ""
            shown = compose.relative_to(root).as_posix()
            if len(text) > MAX_BUILD_FILE_CHARS:
                if unread is not None:
                    unread.append(_oversized_note(shown))
                continue
            try:
                found = list(_compose_builds(text))
            except ComposeProblem as problem:
                if unread is not None:
                    unread.append(
                        f"{shown}:{problem.line}: not read, as it is no valid YAML "
                        f"({problem.problem}): the images it builds are not checked for the "
                        "generated layer"
                    )
                continue
            for context, dockerfile, run in found:
                context_path = posixpath.normpath(posixpath.join(folder, context))
                dockerfile = dockerfile or _default_dockerfile(root / context_path)
                file_path = posixpath.normpath(posixpath.join(context_path, dockerfile))
                if file_path.startswith(("..", "/")) or context_path.startswith(("..", "/")):
                    continue
                mounts = tuple(posixpath.normpath(posixpath.join(folder, m)) for m in run.mounts)
                named.setdefault(file_path, set()).add((context_path, run._replace(mounts=mounts)))
    builds: list[_Build] = []
    for folder in folders:
        for path in dockerfiles(root / folder):
            relative = path.relative_to(root).as_posix()
            if relative not in named:
                builds.append(_Build(relative, folder))
    builds += [
        _Build(path, context, run)
        for path in sorted(named)
        for context, run in sorted(named[path], key=repr)
    ]
    return builds


def _default_dockerfile(context: Path) -> str:
    """The Dockerfile a build of ``context`` reads when told none.

    ``Dockerfile``, else ``dockerfile``: the builders' fallback on a case-sensitive system.
    """
    if not _exists(context / _DEFAULT_DOCKERFILE) and _exists(context / _LOWER_DOCKERFILE):
        return _LOWER_DOCKERFILE
    return _DEFAULT_DOCKERFILE


#: The names a build looks for when given no Dockerfile, in order.
_DEFAULT_DOCKERFILE = "Dockerfile"
_LOWER_DOCKERFILE = "dockerfile"


class _YamlNode(NamedTuple):
    """A node of a compose file: a mapping, a sequence or a scalar, with its line (from 0)."""

    kind: str  # "map", "seq" or "scalar"
    #: A mapping's ``(key, value)`` pairs, a sequence's items (empty for a scalar).
    items: list[object]
    #: A scalar's text; None for a YAML null (``~``, ``null``, nothing) and for a collection.
    text: str | None
    line: int


class ComposeProblem(ValueError):
    """A compose file that is no YAML: its line (from 1) and what is wrong there."""

    def __init__(self, line: int, problem: str) -> None:
        """The problem at ``line``."""
        super().__init__(problem)
        self.line, self.problem = line, problem


def _yaml_documents(text: str) -> list[_YamlNode]:
    """The documents of a compose file, read with PyYAML's parser (its C one when installed).

    Built from the parser's events with a stack of their own, not by PyYAML's recursive
    composer: a hostile file nesting thousands of blocks or brackets is read like a plain one,
    and an alias is the node of its anchor (no copy: an alias bomb costs no more than its
    text). Tags are no concern here (``!!python/...`` is not run): every scalar is text.
    ComposeProblem when the text is no YAML.
    """
    import yaml  # only for a project with a compose file: 10 ms to import

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    documents: list[_YamlNode] = []
    anchors: dict[str, _YamlNode] = {}
    stack: list[_YamlNode] = []

    def add(node: _YamlNode, anchor: str | None) -> None:
        if anchor:
            anchors[anchor] = node
        if stack:
            stack[-1].items.append(node)
        else:
            documents.append(node)

    try:
        for event in yaml.parse(text, Loader=loader):
            line = event.start_mark.line if event.start_mark is not None else 0
            if isinstance(event, yaml.ScalarEvent):
                plain = event.implicit[0] and event.style in (None, "")
                null = plain and event.value in ("", *_YAML_NULLS)
                add(_YamlNode("scalar", [], None if null else event.value, line), event.anchor)
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor not in anchors:
                    raise ComposeProblem(line + 1, f"alias *{event.anchor} names no anchor")
                add(anchors[event.anchor], None)
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                kind = "map" if isinstance(event, yaml.MappingStartEvent) else "seq"
                node = _YamlNode(kind, [], None, line)
                add(node, event.anchor)
                stack.append(node)
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                stack.pop()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise ComposeProblem(
            mark.line + 1 if mark is not None else 1, str(error.problem or error.context)
        ) from error
    except yaml.YAMLError as error:
        raise ComposeProblem(1, str(error).splitlines()[0] if str(error) else "not YAML") from error
    return documents


def _pairs(node: _YamlNode) -> list[tuple[str | None, _YamlNode]]:
    """A mapping's pairs, each key's text (None for a key that is no scalar)."""
    items = node.items
    pairs: list[tuple[str | None, _YamlNode]] = []
    for key, value in zip(items[::2], items[1::2], strict=False):
        if isinstance(key, _YamlNode) and isinstance(value, _YamlNode):
            pairs.append((key.text if key.kind == "scalar" else None, value))
    return pairs


def _compose_builds(text: str) -> Iterator[tuple[str, str, _Run]]:
    """The ``(context, dockerfile, run)`` of each ``build:`` of a compose file.

    ``dockerfile`` is "" when the file names none: the context's default one. Every mapping
    holding a ``build:`` key is a service, wherever it is (``services:``, or the top of an
    old-style file); each node is visited once (an alias bomb, thousands of nested builds,
    cost no more than their text). ComposeProblem when the text is no YAML.
    """
    seen: set[int] = set()
    pending = _yaml_documents(text)[::-1]
    while pending:
        node = pending.pop()
        if id(node) in seen or node.kind == "scalar":
            continue
        seen.add(id(node))
        if node.kind == "seq":
            pending.extend(item for item in node.items[::-1] if isinstance(item, _YamlNode))
            continue
        pairs = _pairs(node)
        pending.extend(value for _, value in pairs[::-1])
        build = next((value for key, value in pairs if key == "build"), None)
        if build is None:
            continue
        run = _service_run(pairs)
        if build.kind == "scalar":
            yield build.text or ".", "", run
        elif build.kind == "map":
            keys = {key: value.text for key, value in _pairs(build) if value.kind == "scalar"}
            context, dockerfile = keys.get("context") or ".", keys.get("dockerfile") or ""
            # A remote context (a Git URL) or a variable: nothing to read here.
            if not re.search(r"[$:]", context + dockerfile):
                yield context, dockerfile, run


#: How YAML writes a null: a compose key set to one is unset.
_YAML_NULLS = frozenset({"null", "Null", "NULL", "~"})
#: Keys bringing settings from elsewhere (a merged anchor, another file's service).
_BORROWING_KEYS = frozenset({"<<", "extends"})


def _service_run(pairs: list[tuple[str | None, _YamlNode]]) -> _Run:
    """What the service of mapping ``pairs`` (holding a ``build:``) runs its image with.

    Its ``command:``, ``entrypoint:`` and ``working_dir:``: the keys beside ``build:``, which
    compose puts over the image's CMD, ENTRYPOINT and WORKDIR; and its bind mounts.
    """
    settings: dict[str, tuple[str, ...] | str | None] = {}
    mounts: list[str] = []
    for key, value in pairs:
        if key in _BORROWING_KEYS:
            return _Run(unknown=True)
        if key == "volumes" and value.kind == "seq":
            items = [item for item in value.items if isinstance(item, _YamlNode)]
            mounts += _bind_sources([item.text for item in items if item.text is not None])
            mounts += _long_bind_sources([item for item in items if item.kind == "map"])
        if key in ("command", "entrypoint"):
            if value.kind == "scalar" and value.text is None:
                continue  # unset: the image's own CMD/ENTRYPOINT runs
            settings[key] = _yaml_words(value)
        elif key == "working_dir":
            written = value.text or ""
            settings[key] = written if written.startswith("/") and "$" not in written else None
    if any(value is None for value in settings.values()):
        return _Run(unknown=True)
    command, entrypoint = settings.get("command"), settings.get("entrypoint")
    folder = settings.get("working_dir")
    return _Run(
        command=command if isinstance(command, tuple) else None,
        entrypoint=entrypoint if isinstance(entrypoint, tuple) else None,
        working_dir=folder if isinstance(folder, str) else None,
        mounts=tuple(mounts),
    )


def _bind_sources(volumes: Sequence[str]) -> list[str]:
    """The sources of the bind mounts of a service's short-form ``volumes:`` (``./src:/app:ro``).

    A named volume's name (``data:/var/lib``) is no path of the project: left out.
    """
    sources = []
    for volume in volumes:
        source, colon, _ = volume.partition(":")
        if colon and source.startswith((".", "/")):
            sources.append(source)
    return sources


def _long_bind_sources(mounts: list[_YamlNode]) -> list[str]:
    """The sources of the long-form bind mounts ``mounts`` (``- type: bind``, ``source: ./app``).

    A named volume (``type: volume``) or a variable is no path of the project: left out.
    """
    sources = []
    for node in mounts:
        mount = {key: value.text for key, value in _pairs(node) if value.kind == "scalar"}
        source = mount.get("source") or ""
        if mount.get("type") == "bind" and source and "$" not in source:
            sources.append(source)
    return sources


def _is_item(line: str) -> bool:
    """Whether a YAML line starts a list item (``- x``, or a ``-`` alone)."""
    text = line.lstrip()
    return text == "-" or text.startswith(("- ", "-\t"))


def yaml_item(line: str) -> tuple[int, str] | None:
    """A YAML block list item's indentation and its scalar (comment, blanks, quotes off).

    None for a line that is no list item. Compose's and init's readings of a ``command:``
    list both read their words here.
    """
    if not _is_item(line):
        return None
    return _indent(line), _value(line.lstrip()[1:])


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _yaml_words(node: _YamlNode) -> tuple[str, ...] | None:
    """The words of a compose ``command:`` or ``entrypoint:`` (its value ``node``).

    A list of scalars, or a string split as a shell does (compose's own reading); None when
    not read here (a variable, a mapping, a list holding one).
    """
    words: list[str]
    if node.kind == "seq":
        items = [item for item in node.items if isinstance(item, _YamlNode)]
        if any(item.kind != "scalar" for item in items):
            return None
        words = [item.text or "" for item in items]
    elif node.kind == "scalar" and node.text is not None:
        try:
            words = shlex.split(node.text)
        except ValueError:
            return None
    else:
        return None
    if any("$" in word for word in words):
        return None
    return tuple(words)


def _value(text: str) -> str:
    """A YAML scalar written after its key: comment and blanks off, quotes too."""
    return _unquote(_YAML_COMMENT.sub("", text, count=1).strip())


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"" else value


def _notes(
    root: Path,
    build: _Build,
    layer: tuple[str, Sequence[str], str],
    importers: Sequence[str],
    read: TextReader,
) -> list[str]:
    """The notes for one Dockerfile built from its context: an old Python, a missing layer."""
    dockerfile, context, _ = build
    folder, modules, dotted = layer
    shown = _within(context, folder)
    layer_in = [path for module in modules if (path := _within(context, module)) is not None]
    # The layer outside the build context: the context is not the one assumed.
    if shown is None or len(layer_in) < len(modules):
        return []
    text = read(root / dockerfile)
    if text is not None and len(text) > MAX_BUILD_FILE_CHARS:
        return [_oversized_note(dockerfile)]
    stages = _stages(text) if text is not None else None
    if not stages:
        return []
    check = _check_layer(root, build, (folder, shown, layer_in, dotted), importers, stages)
    # An image not known to hold a patched module gets no note at all, not even its Python's.
    if not check.holds_importer:
        return []
    return [note for note in (_old_python(dockerfile, stages), check.note) if note is not None]


def _oversized_note(path: str) -> str:
    return (
        f"{path}: not read, as it is larger than {MAX_BUILD_FILE_CHARS // 1024} KiB: its image "
        "is not checked for the generated layer"
    )


def _old_python(dockerfile: str, stages: Sequence[_Stage]) -> str | None:
    """The note for an image running a Python older than the layer needs, or None."""
    by_name = {stage.name: stage for stage in stages if stage.name}
    stage = stages[-1]
    seen: list[_Stage] = []
    # The image the final stage is built on: a named stage's own base, followed.
    while stage.base in by_name and by_name[stage.base] not in seen:
        seen.append(stage)
        stage = by_name[stage.base]
    found = _PYTHON_TAG.fullmatch(stage.base) or _PYTHON_IMAGE.fullmatch(stage.base)
    if found is None:
        return None
    version = (int(found[1]), int(found[2]))
    if version[0] != LAYER_PYTHON[0] or version >= LAYER_PYTHON:
        return None
    needed = ".".join(map(str, LAYER_PYTHON))
    return (
        f"{dockerfile}:{stage.line}: its image runs Python {version[0]}.{version[1]} "
        f"(`FROM {stage.base}`), but the generated layer needs Python {needed} or newer: the "
        f"app fails at start-up; build it from a Python {needed} or newer image"
    )


class _LayerCheck(NamedTuple):
    """What one image holds of the patched modules and the layer."""

    #: The image surely holds a patched module (False too when what it holds cannot be known).
    holds_importer: bool
    #: The note that the image (or its ``.dockerignore``) leaves the layer out, if it does.
    note: str | None = None


#: An image holding no patched module, or one whose contents cannot be known: nothing to say.
_NO_KNOWN_IMPORTER = _LayerCheck(holds_importer=False)


def _check_layer(
    root: Path,
    build: _Build,
    layer: tuple[str, str, Sequence[str], str],
    importers: Sequence[str],
    stages: Sequence[_Stage],
) -> _LayerCheck:
    """Whether the image holds a patched module, and the note if it leaves the layer out."""
    dockerfile, context, run = build
    folder, shown, layer_in, dotted = layer
    if any(_within(mount, folder) is not None for mount in run.mounts):
        # A project folder holding the layer is mounted into the container (`.:/app`,
        # `./backend/app:/app`): the project's own files, not the image's copies of them, are
        # what it imports.
        return _NO_KNOWN_IMPORTER
    copies = [copy for stage in _relevant(stages) for copy in stage.copies]
    base = root / context
    # A source that is not there means the context is not the one assumed: say nothing.
    for source in {source for copy in copies for source in copy.sources}:
        if source != "*" and not _GLOB.search(source) and not _exists(base / source):
            return _NO_KNOWN_IMPORTER
    sources_of = [(copy, source) for copy in copies for source in copy.sources]
    # The patched modules in the context, each with its path from the root.
    importers_in = [
        (module, path) for module in importers if (path := _within(context, module)) is not None
    ]
    # Each copy bringing a patched module along, with that module's path from the root.
    copied = [
        (copy, source, module)
        for module, path in importers_in
        for copy, source in sources_of
        if _brings(copy, source, path)
    ]
    if not copied:
        return _NO_KNOWN_IMPORTER
    ignore = _dockerignore(root, dockerfile, context)
    if ignore is not None and all(_ignored(ignore[1], path) for _, path in importers_in):
        return _NO_KNOWN_IMPORTER
    missing = any(
        not any(_brings(copy, source, path) for copy, source in sources_of) for path in layer_in
    )
    if missing:
        copy, source, module = copied[0]
        dest = _landing(copy, source, shown, _exists(base / source, folder=True))
        return _LayerCheck(
            holds_importer=True,
            note=f"{dockerfile}:{copy.line}: {copy.instruction} copies {module} into the image "
            f"but not the generated layer {folder}/ that it imports: the app fails at start-up "
            f"with ImportError; add `COPY {shown}/ {dest}/` or copy the folder holding it",
        )
    if ignore is not None:
        for path in layer_in:
            rule = _ignored(ignore[1], path)
            if rule is not None:
                return _LayerCheck(
                    holds_importer=True,
                    note=f"{ignore[0]}:{rule[0]}: `{rule[1]}` leaves the generated layer "
                    f"{folder}/ out of the build context of {dockerfile}: its image fails at "
                    f"start-up with ImportError; add `!{shown}/` below it or narrow it",
                )
    bringing = [
        (copy, source)
        for copy, source in sources_of
        if all(_brings(copy, source, path) for path in layer_in)
    ]
    shown_importer = copied[0][2]
    if bringing and not _uses_sys_path(root, [module for module, _ in importers_in]):
        unresolved = _unresolved(stages, run, bringing, (shown, dotted), base)
        if unresolved is not None:
            copy, landing, roots = unresolved
            where = posixpath.normpath(posixpath.join(roots[0], *dotted.split("/")))
            return _LayerCheck(
                holds_importer=True,
                note=f"{dockerfile}:{copy.line}: {copy.instruction} puts the generated layer "
                f"{folder}/ at {landing}/ in the image, but {shown_importer} imports it as "
                f"`{dotted.replace('/', '.')}`, which the image's import path "
                f"({', '.join(roots)}) cannot resolve: the app fails at start-up with "
                f"ImportError; set backend and app-package to the folder the image runs the "
                f"app from, or copy the layer to {where}/",
            )
    return _LayerCheck(holds_importer=True)


#: The images that serve `/app`'s `main:app` (or `app.main:app`) with no CMD of the project's:
#: PYTHONPATH=/app and WORKDIR /app, so `/app` is on the import path
#: (https://github.com/tiangolo/uvicorn-gunicorn-fastapi-docker).
_APP_IMAGE = re.compile(
    r"(?:docker\.io/)?tiangolo/uvicorn-gunicorn(?:-fastapi|-starlette)?(?::.*)?"
)
_APP_IMAGE_STARTS = frozenset({"/start.sh", "/start-reload.sh"})


def served_modules(root: Path) -> list[tuple[str, str]]:
    """The app each Dockerfile of the project root serves, as the folder it is imported from.

    ``(folder, import string)``: the project folder (relative to ``root``, POSIX) that lands
    where the image's server imports the app from, and the app's import string relative to it.
    ``COPY ./app /app`` in a ``tiangolo/uvicorn-gunicorn-fastapi`` image serves ``/app/main.py``
    as ``main:app``: ``("app", "main:app")``. Only for an image whose import path, served module
    and the module's place in the project are all known (one per Dockerfile, in a stable order).
    """
    served: list[tuple[str, str]] = []
    for dockerfile, context, run in _builds(root, "."):
        text = read_text(root / dockerfile)
        stages = _stages(text) if text is not None else None
        chain = _chain(stages, run) if stages else None
        found = None if chain is None else _served_module(root / context, chain)
        if found is not None:
            folder, string = found
            served.append((posixpath.normpath(posixpath.join(context, folder)), string))
    return served


def image_scripts(root: Path, image_path: str) -> list[str]:
    """The project files (relative to ``root``, POSIX) the Dockerfiles copy to ``image_path``.

    A cookiecutter layout's compose file runs ``/start``, a script its Dockerfile, folders
    down, copies in (``COPY ./compose/production/fastapi/start /start``, built from the root):
    the script is that file of the project. One per image copying a known file there (a
    local and a production Dockerfile copy their own ``start``), in a stable order.
    """
    found: set[str] = set()
    for dockerfile, context, _ in _builds(root, "."):
        text = read_text(root / dockerfile)
        stages = _stages(text) if text is not None else None
        chain = _chain(stages) if stages else None
        if chain is None:
            continue
        copies = [copy for stage in reversed(chain) for copy in stage.copies]
        source = _source_of(root / context, copies, image_path)
        if source is not None:
            found.add(posixpath.normpath(posixpath.join(context, source)))
    return sorted(found)


def _served_module(base: Path, chain: list[_Stage]) -> tuple[str, str] | None:
    """The ``(folder, import string)`` of the app an image serves, relative to its context."""
    copies = [copy for stage in reversed(chain) for copy in stage.copies]
    served = _import_roots_and_strings(chain, base, copies)
    if served is None:
        return None
    roots, strings = served
    if len(strings) == 1 and "(" not in strings[0]:
        string = strings[0]
    elif not strings and _APP_IMAGE.fullmatch(chain[-1].base):
        if any(stage.names_app for stage in chain):
            return None
        # The image's own choice: `app.main` when /app/app/main.py is there, else `main`.
        inner = _source_of(base, copies, "/app/app/main.py")
        string = "app.main:app" if inner is not None else "main:app"
    else:
        return None
    dotted = string.partition(":")[0].split(".")
    found: set[str] = set()
    for image_root in roots:
        for tail in (f"{dotted[-1]}.py", f"{dotted[-1]}/__init__.py"):
            image_path = posixpath.join(image_root, *dotted[:-1], tail)
            source = _source_of(base, copies, image_path)
            suffix = "/".join([*dotted[:-1], tail])
            if source is not None and (source == suffix or source.endswith("/" + suffix)):
                found.add(source[: -len(suffix)].rstrip("/") or ".")
    return (found.pop(), string) if len(found) == 1 else None


def _source_of(base: Path, copies: list[_Copy], image_path: str) -> str | None:
    """The file of the build context (relative to it) that lands at ``image_path``, if known.

    The last copy bringing something there wins, as in the image; a glob or a variable's copy
    makes it unknown.
    """
    for copy in reversed(copies):
        for source in reversed(copy.sources):
            landing = None if _GLOB.search(source) else _image_landing(copy, source, source, base)
            if landing is None:
                return None
            is_dir = _exists(base / source, folder=True)
            if image_path == landing:
                found = source
            elif is_dir and image_path.startswith(landing.rstrip("/") + "/"):
                found = posixpath.normpath(
                    posixpath.join(source, posixpath.relpath(image_path, landing))
                )
            else:
                continue
            return found if _exists(base / found) and _brings(copy, source, found) else None
    return None


def copied_requirements(base: Path, text: str) -> list[str]:
    """The files of the build context ``base`` that the Dockerfile ``text`` installs from.

    Each ``pip install -r`` of a RUN reads a file of the image; the copy that took it there
    (``COPY requirements/prod.txt /code/requirements.txt``, or a folder copied whole) names
    the project's file, relative to ``base`` in POSIX form. An install from a file no copy is
    known to bring (the base image's own, a variable's) names none.
    """
    found: list[str] = []
    for stage in _stages(text) or []:
        for image_path, copies in stage.installs:
            source = _source_of(base, stage.copies[:copies], image_path)
            if source is not None:
                found.append(source)
    return list(dict.fromkeys(found))


def _uses_sys_path(root: Path, modules: Sequence[str]) -> bool:
    """Whether a patched module changes the import path itself (``sys.path.insert``)."""
    texts = [read_text(root / module) for module in modules]
    # One that cannot be read may: nothing is said.
    return any(text is None or "sys.path" in text for text in texts)


def _unresolved(
    stages: Sequence[_Stage],
    run: _Run,
    bringing: list[tuple[_Copy, str]],
    layer: tuple[str, str],
    base: Path,
) -> tuple[_Copy, str, list[str]] | None:
    """The copy, landing and import path when the image's import path misses the layer.

    ``layer`` is the layer's folder relative to the build context and its path as the patched
    modules import it (``app/analytics`` for ``app.analytics``). None when it resolves, or when
    the image's import path or the layer's place in it cannot be known.
    """
    shown, dotted = layer
    chain = _chain(stages, run)
    if chain is None:
        return None
    if "/" in dotted and _installed(chain, bringing, shown, base):
        return None  # the layer's package is installed: importable from anywhere
    copies = [copy for stage in reversed(chain) for copy in stage.copies]
    served = _import_roots_and_strings(chain, base, copies)
    if served is None:
        return None
    roots, _ = served
    landings: list[tuple[_Copy, str]] = []
    for copy, source in bringing:
        landing = _image_landing(copy, source, shown, base)
        if landing is None:
            return None
        landings.append((copy, landing))
    for _, landing in landings:
        for root in roots:
            if posixpath.normpath(posixpath.join(root, dotted)) == landing:
                return None
    copy, landing = landings[0]
    return copy, landing, roots


def _installed(
    chain: list[_Stage], bringing: list[tuple[_Copy, str]], shown: str, base: Path
) -> bool:
    """Whether a stage installs a project folder holding the layer after a copy brings it.

    ``COPY . .`` then ``RUN pip install .`` of a ``src/<package>`` layout: the package, its
    generated layer with it, is installed into site-packages, importable whatever the working
    directory (an editable install puts its folder on the import path instead).
    """
    for stage in chain:
        for project, made in stage.projects:
            for copy, source in bringing:
                if copy not in stage.copies[:made]:
                    continue
                landing = _image_landing(copy, source, shown, base)
                if landing is not None and landing.startswith(project.rstrip("/") + "/"):
                    return True
    return False


def _chain(stages: Sequence[_Stage], run: _Run = _OWN_RUN) -> list[_Stage] | None:
    """The final stage and those it is built on (final first); None when it copies from others.

    ``run``: what the compose service running the image sets over the final stage's CMD,
    ENTRYPOINT and WORKDIR (None when not known).
    """
    if run.unknown:
        return None
    by_name = {stage.name: stage for stage in stages if stage.name}
    chain = [stages[-1]]
    while chain[-1].base in by_name and by_name[chain[-1].base] not in chain:
        chain.append(by_name[chain[-1].base])
    # A copy from another stage or image brings files the copies here do not say where.
    if any(stage.copies_other for stage in chain):
        return None
    final = chain[0]
    if run.entrypoint is not None:
        # Compose's `entrypoint:` also clears the image's CMD, unless `command:` sets one.
        final = replace(final, entrypoint=run.entrypoint, command=run.command or ())
    elif run.command is not None:
        final = replace(final, command=run.command)
    if run.working_dir is not None:
        final = replace(final, workdir=run.working_dir, workdir_set=True, workdir_known=True)
    return [final, *chain[1:]]


def _import_roots_and_strings(
    chain: list[_Stage], base: Path, copies: list[_Copy]
) -> tuple[list[str], list[str]] | None:
    """The folders of the image its server imports the app from, and the strings it names.

    None when not known. Known for a CMD (or ENTRYPOINT) running a server of
    :data:`SERVER_COMMANDS` on an import string: the working directory (or the server's folder
    option); for the FastAPI CLI (see :func:`_fastapi_served`); for the tiangolo images' own
    start-up: ``/app``; each with the PYTHONPATH the Dockerfile sets.
    """
    entrypoint = next((stage.entrypoint for stage in chain if stage.entrypoint is not None), None)
    command = next((stage.command for stage in chain if stage.command is not None), None)
    workdir = _current_workdir(chain[0])
    image = chain[-1].base
    words = [*(entrypoint or ()), *(command or ())]
    roots: list[str] = []
    if _APP_IMAGE.fullmatch(image) and (not words or words[0] in _APP_IMAGE_STARTS):
        roots.append("/app")
        if workdir is not None:
            roots.append(workdir)
        strings = [word for word in words[1:] if IMPORT_STRING.fullmatch(word)]
    else:
        if workdir is None:
            return None
        # A later stage's setting replaces its base's.
        environment = {
            variable: value
            for stage in reversed(chain)
            for variable, value in stage.server_environment.items()
        }

        def text_at(path: str) -> str | None:
            # A start script or a server's configuration: read as the build files are (a named
            # pipe is never opened, it would wait), and as bounded.
            source = _source_of(base, copies, path)
            data = None if source is None else read_bounded(base / source)
            return None if data is None else data.decode("utf-8", errors="replace")

        served = _server_command(
            words,
            workdir,
            lambda path: _source_of(base, copies, path) is not None,
            environment,
            text_at,
        )
        if served is None:
            return None
        folders, strings = served
        roots += [posixpath.normpath(posixpath.join(workdir, folder)) for folder in folders]
    for stage in chain:
        if stage.unknown_pythonpath:
            return None
        if stage.pythonpath is not None:
            roots += [
                posixpath.normpath(posixpath.join(workdir or "/", p)) for p in stage.pythonpath
            ]
            break  # the latest setting: an earlier stage's is replaced by it
    return list(dict.fromkeys(roots)), strings


def _current_workdir(stage: _Stage) -> str | None:
    """The stage's working directory so far: its own WORKDIR, else its base's; None if unknown."""
    if stage.workdir_set:
        return stage.workdir if stage.workdir_known else None
    return stage.default_workdir


def _base_workdir(stages: list[_Stage]) -> str | None:
    """The working directory the last stage starts in: its base stage's, or its base image's.

    "/" for the official Python images, ``/app`` for the tiangolo ones; None for any other.
    """
    stage = stages[-1]
    by_name = {other.name: other for other in stages[:-1] if other.name}
    if stage.base in by_name:
        return _current_workdir(by_name[stage.base])
    if _PYTHON_IMAGE.fullmatch(stage.base):
        return "/"
    return "/app" if _APP_IMAGE.fullmatch(stage.base) else None


#: gunicorn's option adding folders to the import path (``--pythonpath /srv,/opt``).
_GUNICORN_PYTHONPATH = "--pythonpath"
#: The configuration file gunicorn reads from its working directory when given none.
_GUNICORN_CONF = "gunicorn.conf.py"


def _gunicorn_settings(text: str | None) -> dict[str, str] | None:
    """The ``chdir`` and ``pythonpath`` a gunicorn configuration file sets, as strings.

    Empty for no file (or one not known); None when it sets either otherwise than to a string
    at the top of the file (``pythonpath = os.environ[...]``), or is no Python: not known.
    """
    if text is None or not any(name in text for name in ("chdir", "pythonpath")):
        return {}
    try:
        tree = ast.parse(text)
    except PARSE_ERRORS:
        return None
    settings: dict[str, str] = {}
    plain: set[int] = set()
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and statement.targets[0].id in ("chdir", "pythonpath")
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ):
            settings[statement.targets[0].id] = statement.value.value
            plain.add(id(statement.targets[0]))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Name)
            and node.id in ("chdir", "pythonpath")
            and not isinstance(node.ctx, ast.Load)
            and id(node) not in plain
        ):
            return None
    return settings


#: What one command of a script may change of the server's import path: a command setting one
#: of them (``export PYTHONPATH=...``, ``PYTHONPATH=. uvicorn ...``) leaves it unknown.
_PATH_VARIABLES = frozenset({"PYTHONPATH", *SERVER_ENVIRONMENT.values()})


def _script_steps(words: list[str]) -> list[LineCommand] | None:
    """The commands ``words`` run one after the other, as :func:`line_commands` walks them.

    A shell's ``-c`` script, or the words of a CMD of shell form, split at ``&&``, ``;``, ``&``,
    ``|`` and new lines. None for an alternative (``||``): which command serves is then not
    known. A command sent to the background (``nohup python main.py &``) still runs, and so
    does each side of a pipe (``uvicorn main:app 2>&1 | tee log``), each in a subshell of its
    own (its ``cd`` moves nothing after it).
    """
    if (
        len(words) >= 3
        and posixpath.basename(words[0]) in _SHELLS
        and _SCRIPT_OPTION.fullmatch(words[1])
    ):
        script = words[2]
    else:
        # Words split already: a separator stays one (`&&`, a word's trailing `;`), any other
        # word is quoted as one (`"main:create_app()"`).
        script = " ".join(
            word
            if word in ("&&", "||", "|", "&", ";")
            else shlex.quote(word.removesuffix(";")) + ";" * word.endswith(";")
            for word in words
        )
    steps = line_commands(script, lead=False)
    if any(step.after == "||" for step in steps[:-1]):
        return None
    return steps


#: A reader of one command of a script (:func:`_one_server_command`, :func:`_one_python_script`):
#: its words, its working directory, whether a file is there, the environment, a file's text.
_OneCommand = Callable[
    [
        list[str],
        str,
        Callable[[str], bool],
        Mapping[str, str] | None,
        Callable[[str], str | None] | None,
    ],
    tuple[list[str], list[str]] | None,
]


def _one_python_script(
    words: list[str],
    _workdir: str,
    _in_image: Callable[[str], bool],
    _environment: Mapping[str, str] | None = None,
    _text_at: Callable[[str], str | None] | None = None,
) -> tuple[list[str], list[str]] | None:
    """The folder of the Python script one command runs, and the script's file name.

    ``python src/run.py`` (``python3 -u src/run.py``) runs ``src/run.py`` with ``src/`` first
    on the import path: ``(["src"], ["run.py"])``, the folder relative to the working
    directory, as :func:`~telemetry_cli.server_commands.python_script` reads every such command
    (the other arguments, those of :func:`_one_server_command`, are not read). Read as
    :func:`_one_server_command` reads a server's command, in its place.
    """
    found = python_script(words)
    return None if found is None else ([found[0]], [found[1]])


def served_from(
    root: Path, folder: str, command: str, *, scripts: bool = False
) -> tuple[list[str], list[str]] | None:
    """Where a shell command line run in the project's ``folder`` serves its app from.

    ``(folders, import strings)``: the project folders (root-relative, POSIX) its server puts
    on the import path, the one the import strings are read from first, as an image's command
    is read (:func:`_server_command`): a ``cd`` before it (``cd backend && uvicorn main:app``),
    the server's own folder option (``uvicorn --app-dir backend``, ``gunicorn --chdir
    backend``, granian's ``--working-dir``), launchers and project runners taken off, and a
    gunicorn configuration file of the folder. None when not known, or above the project.

    ``command`` is a command line, its run file's lead off already
    (:func:`~telemetry_cli.server_commands.run_file_command`).
    With ``scripts``, the command read is a Python script's run (:func:`_one_python_script`)
    in place of a server's: ``(folders, script names)``, read by the same steps (``cd`` kept,
    ``echo``, ``docker`` and ``ssh`` running nothing of the folder's).
    """
    # Read as in a file system of its own with the project at `base`: above it is not known.
    base = "/project"
    start = posixpath.normpath(posixpath.join(base, folder))

    def project_path(path: str) -> Path | None:
        inside = posixpath.relpath(posixpath.normpath(posixpath.join(start, path)), base)
        return None if inside.split("/")[0] == ".." else root / inside

    def text_at(path: str) -> str | None:
        where = project_path(path)
        data = None if where is None else read_bounded(where)
        return None if data is None else data.decode("utf-8", errors="replace")

    def exists(path: str) -> bool:
        where = project_path(path)
        try:
            return where is not None and where.exists()
        except OSError:
            return False  # a path no file may have (`cd a && ` repeated past the name limit)

    words = ["sh", "-c", command]
    written: list[str] = []
    first = command.split(None, 1)[:1]
    # Split as the shell would only a line starting a shell (a 2,000-recipe Makefile: cheap).
    if first and posixpath.basename(first[0]) in _SHELLS:
        try:
            written = shlex.split(command, comments=True)
        except ValueError:
            written = []
    if (
        # Only a shell with nothing after its script (`sh -c 'cd svc' && uvicorn ...` runs
        # more, read as a line).
        len(written) == 3
        and posixpath.basename(written[0]) in _SHELLS
        and _SCRIPT_OPTION.fullmatch(written[1])
    ):
        # A shell run on a script of its own (`sh -c 'cd backend && uvicorn main:app'`): that
        # script is the command line, read as a compose service's `command:` of that form is.
        words = written
    served = _server_command(
        words, start, exists, None, text_at, _one_python_script if scripts else _one_server_command
    )
    if served is None:
        return None
    folders = [
        posixpath.relpath(posixpath.normpath(posixpath.join(start, each)), base)
        for each in served[0]
    ]
    if any(each.split("/")[0] == ".." for each in folders):
        return None
    return folders, served[1]


def _server_command(
    words: list[str],
    workdir: str,
    in_image: Callable[[str], bool],
    environment: Mapping[str, str] | None = None,
    text_at: Callable[[str], str | None] | None = None,
    one: _OneCommand | None = None,
) -> tuple[list[str], list[str]] | None:
    """The folders a command line's server imports its app from, and the import strings it names.

    The command line may be a script of several commands (:func:`_script_steps`: migrations
    first, ``alembic upgrade head && uvicorn app.main:app``), changing its folder with ``cd``;
    exactly one of them must start a server (:func:`_one_server_command`), after the runners
    and launchers :func:`launched_command` takes off. A folder it moved to is given absolute.
    ``one`` reads one command (:func:`_one_server_command` unless given).
    """
    one = _one_server_command if one is None else one
    steps = _script_steps(words)
    script = (
        None if steps is None or len(steps) != 1 else _script_file(steps[0].words, workdir, text_at)
    )
    if script is not None:
        # A start script of the image (`CMD ["sh", "/app/entrypoint.sh"]`): its commands, when
        # it runs none it is handed (`exec "$@"`, the CMD after an ENTRYPOINT script).
        text = None if text_at is None else text_at(script)
        if text is None or re.search(r"\$[@*]|\$\{?[1-9]", text):
            return None
        steps = _script_steps(["sh", "-c", text])
    if steps is None:
        return None
    served: list[tuple[str, tuple[list[str], list[str]]]] = []
    # Each command in the folder the `cd` commands before it in its shells moved it to.
    for step, here in command_folders(steps, workdir):
        if here is None:
            return None  # a runner moved it, or a `cd` to a folder not known
        # A script's own folder is first on its import path whatever PYTHONPATH says.
        if one is not _one_python_script and step.assigned & _PATH_VARIABLES:
            return None
        command = step.words
        if command[:1] == ["cd"]:
            continue
        found = one(command, here, in_image, environment, text_at)
        if found is not None:
            served.append((here, found))
    if len(served) != 1:
        return None
    ((folder, (folders, strings)),) = served
    if folder != workdir:
        folders = [posixpath.join(folder, each) for each in folders]
    return folders, strings


def _script_file(
    words: list[str], workdir: str, text_at: Callable[[str], str | None] | None = None
) -> str | None:
    """The image path of the shell script ``words`` run (``sh start.sh``, ``./start.sh``).

    Also a file of the image run by its path with no ``.sh`` (a cookiecutter's ``/start``)
    whose first line runs a shell (``#!/bin/bash``, ``#!/usr/bin/env sh``), ``text_at``
    reading it. None for any other command: a shell given options or a script of ``-c``, a
    program.
    """
    command = launched_command(words) or []
    if len(command) == 2 and posixpath.basename(command[0]) in _SHELLS:
        path = command[1]
    elif len(command) == 1 and command[0].endswith(".sh"):
        path = command[0]
    elif len(command) == 1 and "/" in command[0] and text_at is not None:
        # A word holding no slash is looked for on PATH, not in the working directory.
        path = command[0]
        if "$" in path or not runs_a_shell(text_at(posixpath.join(workdir, path))):
            return None
    else:
        return None
    if path.startswith("-") or "$" in path:
        return None
    return posixpath.normpath(posixpath.join(workdir, path))


def runs_a_shell(text: str | None) -> bool:
    """Whether a script's first line runs a shell (``#!/bin/sh``, ``#!/usr/bin/env bash``)."""
    if text is None or not text.startswith("#!"):
        return False
    words = text[2:].partition("\n")[0].split()
    if words and posixpath.basename(words[0]) == "env":
        words = [word for word in words[1:] if not word.startswith("-")]
    return bool(words) and posixpath.basename(words[0]) in _SHELLS


def _one_server_command(
    words: list[str],
    workdir: str,
    in_image: Callable[[str], bool],
    environment: Mapping[str, str] | None = None,
    text_at: Callable[[str], str | None] | None = None,
) -> tuple[list[str], list[str]] | None:
    """The folders one server command imports its app from, and the import strings it names.

    The folder it imports from first, then those gunicorn's ``--pythonpath`` adds (comma
    separated, from its ``--chdir``), each relative to the working directory ``workdir``; a
    folder option the command line does not give is read from the image's ``environment``
    (``UVICORN_APP_DIR``, see :data:`SERVER_ENVIRONMENT`), and gunicorn's from the
    ``gunicorn.conf.py`` of the working directory (``text_at`` gives a file of the image's text,
    when known). ``in_image`` says whether a file of the image is there. None unless ``words``
    run a server of :data:`SERVER_COMMANDS` (directly, or ``python -m``) on an import string,
    or the FastAPI CLI on a module; a second command or a configuration file other than a
    gunicorn one in the image (``-c gunicorn_conf.py``) make it unknown.
    """
    # The shell's `exec` went with the launchers (:func:`launched_command`).
    while words and (re.fullmatch(r"(?:.*/)?python[\d.]*", words[0]) or words[0] == "-m"):
        words = words[1:]
    if not words or any(word in ("&&", "||", ";", "|") for word in words):
        return None
    server = posixpath.basename(words[0])
    config = _option_value(words, ("-c", "--config"))
    # gunicorn reads the file it is given in place of gunicorn.conf.py; a module of settings
    # (`-c python:conf`), another server's configuration or an unknown image are not read.
    if config is not None and (
        server != "gunicorn" or text_at is None or not config or ":" in config or "$" in config
    ):
        return None
    if server == "fastapi":
        served = _fastapi_served(words[1:], workdir, in_image)
        return None if served is None else ([served[0]], served[1])
    options = SERVER_COMMANDS.get(server)
    if options is None:
        return None
    # Given on the command line, else in the environment (the command line's wins).
    given = {
        option: (environment or {})[SERVER_ENVIRONMENT[option]]
        for option in options
        if option in SERVER_ENVIRONMENT and (environment or {}).get(SERVER_ENVIRONMENT[option])
    }
    paths: list[str] = []
    if server == "gunicorn" and text_at is not None:
        # Read by default from the working directory, before --chdir; the command line wins.
        text = text_at(posixpath.join(workdir, config or _GUNICORN_CONF))
        settings = None if config and text is None else _gunicorn_settings(text)
        if settings is None:
            return None
        if "chdir" in settings:
            given["--chdir"] = settings["chdir"]
        if "pythonpath" in settings and not any(
            word.partition("=")[0] == _GUNICORN_PYTHONPATH for word in words
        ):
            paths += settings["pythonpath"].split(",")
    for position, word in enumerate(words[1:], 1):
        option, equals, value = word.partition("=")
        if option in options or (server == "gunicorn" and option == _GUNICORN_PYTHONPATH):
            value = value if equals else (words[position + 1] if position + 1 < len(words) else "")
            if not value:
                return None
            if option == _GUNICORN_PYTHONPATH:
                paths += value.split(",")
            else:
                given[option] = value
    if any("$" in value for value in [*given.values(), *paths]):
        return None
    folder = next(iter(given.values()), ".")
    strings = [
        word
        for word in words[1:]
        if (found := IMPORT_STRING.fullmatch(word)) is not None
        # gunicorn refuses an attribute path: an image running one serves no app.
        and (server != "gunicorn" or names_one_attribute(found[1]))
    ]
    # gunicorn changes to --chdir first: a --pythonpath folder is taken from there.
    folders = [folder, *(posixpath.join(folder, path) for path in paths)]
    return (folders, strings) if strings else None


def _option_value(words: list[str], names: tuple[str, ...]) -> str | None:
    """The value the last option of ``names`` is given in ``words`` (``-c x``, ``--config=x``).

    None when none is given; an empty string when one has no value.
    """
    value = None
    for position, word in enumerate(words):
        option, equals, given = word.partition("=")
        if option in names:
            following = words[position + 1] if position + 1 < len(words) else ""
            value = given if equals else following
    return value


def _fastapi_served(
    words: list[str], workdir: str, in_image: Callable[[str], bool]
) -> tuple[str, list[str]] | None:
    """What ``fastapi run`` (or ``dev``) imports: the folder and import string, as the CLI does.

    ``--entrypoint pkg.main:app``: from the working directory. A module file (``app/main.py``):
    from the first folder above it holding no ``__init__.py`` in the image. None for a package
    folder or no module named (the CLI then looks for one itself, or reads pyproject.toml).
    """
    command = fastapi_command(words)
    if command is None:
        return None
    if command.entrypoint is not None:
        return (".", [command.entrypoint]) if IMPORT_STRING.fullmatch(command.entrypoint) else None
    if command.file is None or "$" in command.file or not command.app.isidentifier():
        return None
    module = posixpath.normpath(posixpath.join(workdir, command.file))
    if posixpath.basename(module) == "__init__.py":
        module = posixpath.dirname(module)
    names = [posixpath.splitext(posixpath.basename(module))[0]]
    folder = posixpath.dirname(module)
    while folder != "/" and in_image(posixpath.join(folder, "__init__.py")):
        names.insert(0, posixpath.basename(folder))
        folder = posixpath.dirname(folder)
    if not all(part.isidentifier() for part in names):
        return None
    return folder, [f"{'.'.join(names)}:{command.app}"]


def _exec_words(text: str) -> tuple[str, ...]:
    """The words of a CMD or ENTRYPOINT, exec form (a JSON list) or shell form."""
    if text.startswith("["):
        try:
            words = json.loads(text)
        except ValueError:
            return ("$",)  # unreadable: no server command
        if isinstance(words, list) and all(isinstance(word, str) for word in words):
            return tuple(words)
        return ("$",)
    try:
        return tuple(shlex.split(text))
    except ValueError:
        return ("$",)


def _read_environment(text: str, stage: _Stage) -> None:
    """Record the PYTHONPATH an ``ENV`` sets (``ENV PYTHONPATH=/app``, ``ENV PYTHONPATH /app``).

    Also the server options it sets (``ENV UVICORN_APP_DIR=app``).
    """
    try:
        words = shlex.split(text)
    except ValueError:
        stage.unknown_pythonpath = "PYTHONPATH" in text
        for variable in SERVER_ENVIRONMENT.values():
            if variable in text:
                stage.server_environment[variable] = "$"  # unreadable: not known
        return
    if words and "=" not in words[0]:
        pairs = [(words[0], " ".join(words[1:]))]  # the legacy form: one key, then its value
    else:
        pairs = [(word.partition("=")[0], word.partition("=")[2]) for word in words]
    for key, value in pairs:
        if key in ("MODULE_NAME", "VARIABLE_NAME", "APP_MODULE"):
            stage.names_app = True
        if key in SERVER_ENVIRONMENT.values():
            stage.server_environment[key] = value
        if key != "PYTHONPATH":
            continue
        entries = [
            entry for entry in value.split(":") if entry not in ("", "$PYTHONPATH", "${PYTHONPATH}")
        ]
        if any("$" in entry for entry in entries):
            stage.unknown_pythonpath = True
        stage.pythonpath = tuple(entries)


def _exists(path: Path, *, folder: bool = False) -> bool:
    """Whether ``path`` is there (a folder, with ``folder``); a name it cannot hold is not."""
    try:
        return path.is_dir() if folder else path.exists()
    except (OSError, ValueError):
        return False


def _within(context: str, path: str) -> str | None:
    """``path`` relative to the build context, or None when it lies outside it."""
    if context == ".":
        return path
    prefix = context + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None


def _image_landing(copy: _Copy, source: str, path: str, base: Path) -> str | None:
    """Where ``path`` of the build context ``base`` lands in the image (an absolute path).

    Copied as ``copy`` copies ``source``; None for a variable's copy, which may land anywhere.
    """
    if source == "*" or "$" in copy.dest or copy.workdir is None:
        return None
    landing = _landing(copy, source, path, _exists(base / source, folder=True))
    return posixpath.normpath(posixpath.join(copy.workdir, landing))


def _landing(copy: _Copy, source: str, layer: str, source_is_dir: bool) -> str:
    """Where the layer folder lands when copied as ``copy`` copies ``source``."""
    base = source if source_is_dir and not _GLOB.search(source) else posixpath.dirname(source)
    base = base or "."
    dest = copy.dest.rstrip("/") or "/"
    if (
        not source_is_dir
        and not copy.dest.endswith("/")
        and len(copy.sources) == 1
        and not copy.into_folder
    ):
        if layer == source and not _GLOB.search(source):
            return posixpath.normpath(dest)  # a file copied to a path of its own, renamed or not
        dest = posixpath.dirname(dest) or "."
    # Up from the copied folder to one holding the layer; its landing place goes up alike.
    while base != "." and layer != base and not layer.startswith(base + "/"):
        base = posixpath.dirname(base) or "."
        dest = posixpath.dirname(dest) or "."
    relative = layer if base == "." else posixpath.relpath(layer, base)
    return posixpath.normpath(posixpath.join(dest, relative))


# A run reads each Dockerfile for its install steps and its image note (and `init` for the app
# it serves): parsed once per text. The stages are never changed once parsed, so sharing is safe.
@lru_cache(maxsize=32)
def _stages(text: str) -> tuple[_Stage, ...] | None:
    """The stages of a Dockerfile with their copies from the build context; None if unreadable.

    None too for one larger than :data:`MAX_BUILD_FILE_CHARS`.
    """
    if len(text) > MAX_BUILD_FILE_CHARS:
        return None
    stages: list[_Stage] = []
    for line, instruction in _instructions(text):
        words = instruction.split()
        if not words:
            continue
        keyword = words[0].upper()
        if keyword == "FROM":
            args = [word for word in words[1:] if not word.startswith("--")]
            if not args:
                return None
            name = args[2].lower() if len(args) >= 3 and args[1].upper() == "AS" else ""
            stages.append(_Stage(name, args[0].lower(), line))
            stages[-1].default_workdir = _base_workdir(stages)
        elif keyword == "WORKDIR" and stages and len(words) == 2 and "$" not in words[1]:
            stages[-1].workdir = stages[-1].folder(words[1])
            stages[-1].make(stages[-1].workdir)
            stages[-1].workdir_set = True
        elif keyword == "WORKDIR" and stages:
            stages[-1].workdir_set = True
            stages[-1].workdir_known = False  # a variable: where it is cannot be known
        elif keyword in ("CMD", "ENTRYPOINT") and stages:
            command = _exec_words(instruction[len(words[0]) :].strip())
            if keyword == "CMD":
                stages[-1].command = command
            else:
                stages[-1].entrypoint = command
        elif keyword == "ENV" and stages:
            _read_environment(instruction[len(words[0]) :].strip(), stages[-1])
        elif keyword in ("COPY", "ADD") and stages:
            copy = _copy(line, keyword, instruction[len(words[0]) :].strip(), stages[-1])
            if copy is not None:
                stages[-1].copies.append(copy)
        elif keyword == "RUN" and stages:
            workdir = _current_workdir(stages[-1])
            for path in re.findall(DOCKER_REQUIREMENTS, instruction):
                if "$" not in path and (workdir is not None or path.startswith("/")):
                    image_path = posixpath.normpath(posixpath.join(workdir or "/", path))
                    stages[-1].installs.append((image_path, len(stages[-1].copies)))
            for path in _installed_projects(instruction[len(words[0]) :]):
                if "$" not in path and (workdir is not None or path.startswith("/")):
                    image_path = posixpath.normpath(posixpath.join(workdir or "/", path))
                    stages[-1].projects.append((image_path, len(stages[-1].copies)))
    return tuple(stages) or None


#: The shell's separators of the commands of one RUN.
_SHELL_SEPARATORS = re.compile(r"&&|\|\||[;|\n]")
#: pip (`pip`, `pip3`, `pip3.12`, `python -m pip`, `uv pip`) and its options taking a value.
_PIP = re.compile(r"(?:.*/)?pip[\d.]*")
_PIP_VALUED = frozenset(
    {
        "-r", "--requirement", "-c", "--constraint", "-t", "--target", "--prefix", "--root",
        "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--python",
        "--platform", "--python-version", "--implementation", "--abi", "--src", "--cache-dir",
        "--progress-bar", "--log", "--proxy", "--retries", "--timeout", "--exists-action",
        "--trusted-host", "--cert", "--client-cert", "--upgrade-strategy", "-C",
        "--config-settings", "--global-option", "--no-binary", "--only-binary",
    }
)  # fmt: skip
_PIP_EDITABLE = frozenset({"-e", "--editable"})
#: Project managers' commands installing the project of the working directory, with the options
#: leaving it out (`uv sync --no-install-project`: the dependencies only) and those naming
#: another folder for it.
_PROJECT_INSTALLS: dict[tuple[str, str], frozenset[str]] = {
    ("uv", "sync"): frozenset({"--no-install-project", "--only-dev", "--no-install-workspace"}),
    ("poetry", "install"): frozenset({"--no-root", "--no-directory"}),
    ("pdm", "install"): frozenset({"--no-self"}),
    ("pdm", "sync"): frozenset({"--no-self"}),
}
_PROJECT_FOLDER = frozenset({"--project", "--directory", "-C", "--cwd", "-p"})


def _installed_projects(command: str) -> list[str]:
    """The local folders a RUN's pip installs as projects, as written (``.``, ``/srv/svc``).

    ``pip install .`` (or ``-e .``, ``'.[server]'``, ``python -m pip``, ``uv pip``) builds the
    project there and installs its packages: they import from site-packages, wherever the
    server runs. A name (``fastapi``) or a requirements file installs no folder of the image.
    ``uv sync``, ``poetry install`` and ``pdm install`` install the working directory's.
    """
    found: list[str] = []
    for part in _SHELL_SEPARATORS.split(command):
        try:
            words = shlex.split(part)
        except ValueError:
            continue
        project = _managed_project(words)
        if project is not None:
            found.append(project)
            continue
        if "install" not in words:
            continue
        at = words.index("install")
        if not any(_PIP.fullmatch(word) for word in words[:at]):
            continue
        arguments = iter(words[at + 1 :])
        for word in arguments:
            option, equals, value = word.partition("=")
            if option in _PIP_EDITABLE:
                word = value if equals else next(arguments, "")
            elif word.startswith("-"):
                if option in _PIP_VALUED and not equals:
                    next(arguments, None)
                continue
            path = word.partition("[")[0]  # `.[server]`: the extras name no folder
            if path == "." or path.startswith(("./", "/", "../")):
                found.append(path)
    return found


def _managed_project(words: list[str]) -> str | None:
    """The folder ``uv sync``, ``poetry install`` or ``pdm install`` installs the project of.

    The working directory (``.``), or the folder an option names (``uv sync --project /srv``);
    None for any other command, or one told to leave the project out.
    """
    if len(words) < 2:
        return None
    leaving_out = _PROJECT_INSTALLS.get((PurePosixPath(words[0]).name, words[1]))
    if leaving_out is None:
        return None
    folder = "."
    rest = iter(words[2:])
    for word in rest:
        option, equals, value = word.partition("=")
        if option in leaving_out:
            return None
        if option in _PROJECT_FOLDER:
            folder = value if equals else next(rest, "")
    return folder or None


def _copy(line: int, keyword: str, rest: str, stage: _Stage) -> _Copy | None:
    excludes: list[_Glob] = []
    flags = _FLAGS.match(rest)
    rest = rest[flags.end() :] if flags else rest
    for flag in flags[0].split() if flags else []:
        if flag.startswith("--from="):
            stage.copies_other = True
            return None
        if flag.startswith("--exclude="):
            excludes.append(_pattern(_clean(_unquote(flag.removeprefix("--exclude=")))))
    if rest.startswith("<<"):
        return None  # a here-document: nothing from the context
    if rest.startswith("["):
        try:
            words = json.loads(rest)
        except ValueError:
            return None
        if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
            return None
    else:
        words = rest.split()
    if len(words) < 2:
        return None
    sources: list[str] = []
    for word in words[:-1]:
        if keyword == "ADD" and re.match(r"[\w+.-]+://|git@", word):
            continue  # a URL, not the context
        if "$" in word:
            sources.append("*")  # a variable: it may name anything
            continue
        source = posixpath.normpath(word.lstrip("/") or ".")
        sources.append("*" if source.startswith("..") else source)
    if not sources:
        return None
    shown = f"`{keyword} {rest}`" if len(rest) <= 60 else f"`{keyword} {rest[:57]}...`"
    dest = words[-1]
    into_folder = "$" not in dest and stage.folder(dest) in stage.folders
    if "$" not in dest and (dest.endswith("/") or len(sources) > 1):
        stage.make(stage.folder(dest))  # copied into a folder: it is there from now on
    elif "$" not in dest:
        # Docker makes the folders above the destination: after `COPY ./src /app/src`, a later
        # `COPY entrypoint.sh /app` lands in the folder `/app`, as `/app/entrypoint.sh`.
        stage.make(posixpath.dirname(stage.folder(dest)))
    workdir = _current_workdir(stage)
    return _Copy(line, sources, dest, shown, tuple(excludes), into_folder, workdir)


def _instructions(text: str) -> Iterator[tuple[int, str]]:
    """Each instruction with the number of its first line: continuations joined, comments out."""
    # Docker ends a line at a line feed only (not at U+2028 and the like).
    lines = text.split("\n")
    escape = "\\"
    for line in lines:
        directive = _ESCAPE.fullmatch(line.strip())
        if directive is not None and directive[1] in "\\`":
            escape = directive[1]
        if not line.strip().startswith("#"):
            break
    parts: list[str] = []
    start = 0
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("#") or (parts and not stripped):
            continue
        if not parts:
            if not stripped:
                continue
            start = number
        if stripped.endswith(escape):
            parts.append(stripped[:-1])
            continue
        parts.append(stripped)
        yield start, " ".join(parts)
        parts = []
    if parts:
        yield start, " ".join(parts)


def _relevant(stages: Sequence[_Stage]) -> list[_Stage]:
    """The final stage and the stages it is built on; all, when it copies from elsewhere."""
    return _chain(stages) or list(stages)


def _brings(copy: _Copy, source: str, path: str) -> bool:
    """Whether ``copy`` brings ``path`` along from its ``source``, less what it excludes."""
    if not _covers(source, path):
        return False
    # Read from the context and from the copied folder alike: either way it is left out.
    if not copy.excludes:
        return True
    inner = path[len(source) + 1 :] if path.startswith(source + "/") else path
    ancestors = {*_ancestors(path), *_ancestors(inner)}
    return not any(regex.fullmatch(ancestor) for regex in copy.excludes for ancestor in ancestors)


def _covers(source: str, path: str) -> bool:
    """Whether copying ``source`` (relative to the context) brings ``path`` along."""
    if source in (".", "*"):
        return True
    ancestors = _ancestors(path)
    if _GLOB.search(source):
        pattern = _pattern(source)
        return any(pattern.fullmatch(ancestor) for ancestor in ancestors)
    return source in ancestors


# Cached, as the patterns below: each COPY of a Dockerfile asks for the same few paths.
@lru_cache(maxsize=256)
def _ancestors(path: str) -> tuple[str, ...]:
    """``path`` and the folders holding it, up to (not including) the build context itself.

    A pattern is matched against these: one matching a folder takes in all it holds (`.`, the
    context, is no name a glob of Docker's matches).
    """
    return (path, *(parent.as_posix() for parent in PurePosixPath(path).parents))[:-1]


# A token of one path segment's pattern: "*", "?", a literal character, or a class
# (negated, its characters and ranges).
_Token = str | tuple[bool, str, tuple[tuple[str, str], ...]]
_DOUBLE_STAR: tuple[_Token, ...] = ("**",)


class _Glob(NamedTuple):
    """A Docker path pattern: ``*`` and ``?`` within a segment, ``[...]``, ``**`` for any folders.

    Matched by a two-pointer walk that goes back only to the last star (as Go's
    ``filepath.Match`` does): never a regular expression, which a pattern such as
    ``*a*a*a*a*b`` would make backtrack for ever.
    """

    segments: tuple[tuple[_Token, ...], ...]

    def fullmatch(self, path: str) -> bool:
        """Whether ``path`` (POSIX, relative) is matched whole."""
        return _walk(
            self.segments,
            path.split("/"),
            lambda segment: segment == _DOUBLE_STAR,
            _match_segment,
        )


@lru_cache(maxsize=256)
def _pattern(glob: str) -> _Glob:
    """A Docker path pattern, read once."""
    return _Glob(tuple(_DOUBLE_STAR if part == "**" else _tokens(part) for part in glob.split("/")))


def _tokens(part: str) -> tuple[_Token, ...]:
    tokens: list[_Token] = []
    index = 0
    while index < len(part):
        char = part[index]
        end = part.find("]", index + 2) if char == "[" else -1
        if char == "*":
            if not tokens or tokens[-1] != "*":
                tokens.append("*")
        elif char == "?":
            tokens.append("?")
        elif char == "[" and end != -1:
            body = part[index + 1 : end]
            negated = body[:1] in ("^", "!")
            body = body[1:] if negated else body
            ranges = tuple(
                (body[at], body[at + 2]) for at in range(len(body) - 2) if body[at + 1] == "-"
            )
            tokens.append((negated, body, ranges))
            index = end
        elif char == "\\" and index + 1 < len(part):
            index += 1
            tokens.append("\\" + part[index])
        else:
            tokens.append("\\" + char)
        index += 1
    return tuple(tokens)


def _match_segment(tokens: tuple[_Token, ...], text: str) -> bool:
    return _walk(tokens, list(text), lambda token: token == "*", _match_char)


def _match_char(token: _Token, char: str) -> bool:
    if isinstance(token, tuple):
        negated, body, ranges = token
        inside = char in body or any(low <= char <= high for low, high in ranges)
        return inside != negated
    return token == "?" or token == "\\" + char


def _walk(
    pattern: Sequence[_T],
    items: Sequence[str],
    is_star: Callable[[_T], bool],
    matches: Callable[[_T, str], bool],
) -> bool:
    """Match ``items`` against ``pattern`` whose stars take any run of items (none too)."""
    at = index = 0
    star = -1
    star_index = 0
    while index < len(items):
        if at < len(pattern) and is_star(pattern[at]):
            star, star_index = at, index
            at += 1
        elif at < len(pattern) and matches(pattern[at], items[index]):
            at += 1
            index += 1
        elif star >= 0:
            at = star + 1
            star_index += 1
            index = star_index
        else:
            return False
    while at < len(pattern) and is_star(pattern[at]):
        at += 1
    return at == len(pattern)


def _clean(pattern: str) -> str:
    """A path pattern as Docker reads it: cleaned, relative to the context."""
    return posixpath.normpath(pattern).lstrip("/")


def _dockerignore(
    root: Path, dockerfile: str, context: str
) -> tuple[str, list[tuple[int, str, bool, _Glob]]] | None:
    """The ignore file of a build (``<Dockerfile>.dockerignore`` first) and its rules."""
    for candidate in (dockerfile + ".dockerignore", posixpath.join(context, ".dockerignore")):
        candidate = posixpath.normpath(candidate)
        text = read_text(root / candidate)
        if text is None:
            continue
        rules: list[tuple[int, str, bool, _Glob]] = []
        for number, line in enumerate(text.split("\n"), 1):
            pattern = line.strip()
            if not pattern or pattern.startswith("#"):
                continue
            keep = pattern.startswith("!")
            cleaned = _clean(pattern.removeprefix("!").strip())
            if cleaned in ("", "."):
                continue
            rules.append((number, pattern, keep, _pattern(cleaned)))
        return candidate, rules
    return None


def _ignored(rules: list[tuple[int, str, bool, _Glob]], path: str) -> tuple[int, str] | None:
    """The rule leaving ``path`` out of the context (the last that matches it or a parent)."""
    ancestors = _ancestors(path)
    verdict: tuple[int, str] | None = None
    for number, pattern, keep, regex in rules:
        if any(regex.fullmatch(ancestor) for ancestor in ancestors):
            verdict = None if keep else (number, pattern)
    return verdict
