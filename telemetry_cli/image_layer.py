"""Whether the project's container image leaves the generated layer out.

A Dockerfile that copies only chosen paths from its build context (``COPY main.py .``,
``COPY ./app /code/app``) builds an image holding the patched modules but not the layer they
import, so the app fails at start-up with ImportError. :func:`missing_layer_notes` says so, one
note per Dockerfile: its line and the ``COPY`` that fixes it. A ``.dockerignore`` excluding the
layer does the same. An image that holds the patched modules on a Python older than the
layer needs (``FROM python:3.8-slim``) fails at start-up too: noted at its ``FROM`` line. It is
advice only, and silent whenever it cannot be sure: a Dockerfile it cannot read, a build context
it cannot know (a source that is not there, a variable), an image that holds none of the patched
modules, a base image whose tag names no Python version.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TypeVar

from telemetry_cli.install_steps import (
    COMPOSE_NAME,
    TextReader,
    dockerfiles,
    read_text,
    searched_folders,
)

#: Compose files, whose ``build:`` names a Dockerfile's build context.
_COMPOSE = re.compile(COMPOSE_NAME, re.IGNORECASE)
#: A compose ``build:`` key, its indentation and value (``build: ./backend``, or a mapping below).
_BUILD = re.compile(r"([ \t]*)build:(.*)")
_BUILD_KEY = re.compile(r"[ \t]*(context|dockerfile):(.*)")
#: A YAML comment: `#` at the start or after a blank.
_YAML_COMMENT = re.compile(r"(?:^|[ \t])#.*")
#: A parser directive choosing the escape character (``# escape=`` then a backtick).
_ESCAPE = re.compile(r"#\s*escape\s*=\s*(\S)\s*", re.IGNORECASE)
_GLOB = re.compile(r"[*?\[]")
_T = TypeVar("_T")
#: The flags of a COPY or ADD (`--chown=app:app --link `).
_FLAGS = re.compile(r"(?:--\S*\s+)*")
#: The oldest Python the generated layer runs on (the quickstart and plan documents say so too).
LAYER_PYTHON = (3, 11)
#: The Python version a base image's tag names: the official image's (`python:3.8-slim`), or a
#: tag naming it for another image (`tiangolo/uvicorn-gunicorn-fastapi:python3.8-slim`).
_PYTHON_IMAGE = re.compile(r"(?:.*/)?python:(\d+)\.(\d+)(?!\d).*")
_PYTHON_TAG = re.compile(r"[^:]*:python-?(\d+)\.(\d+)(?!\d).*")


@dataclass
class _Copy:
    line: int
    sources: list[str]
    dest: str
    instruction: str
    # Docker's `COPY --exclude=<pattern>`: what the copy leaves out of its sources.
    excludes: tuple[_Glob, ...] = ()
    # Its destination is a folder of the image already (the WORKDIR, a parent of it, one an
    # earlier copy made): a single file copied to it lands inside it, slash or not.
    into_folder: bool = False


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
    for dockerfile, context in _builds(root, backend):
        notes += _notes(root, dockerfile, context, (layer, modules), importers, read)
    return notes


def _builds(root: Path, backend: str) -> list[tuple[str, str]]:
    """Each Dockerfile (relative to ``root``) with its build context, once, in a stable order."""
    folders = searched_folders(backend)[::-1]
    named: dict[str, set[str]] = {}
    for folder in folders:
        for compose in _compose_files(root / folder):
            for context, dockerfile in _compose_builds(read_text(compose) or ""):
                context_path = posixpath.normpath(posixpath.join(folder, context))
                file_path = posixpath.normpath(posixpath.join(context_path, dockerfile))
                if file_path.startswith(("..", "/")) or context_path.startswith(("..", "/")):
                    continue
                named.setdefault(file_path, set()).add(context_path)
    builds: list[tuple[str, str]] = []
    for folder in folders:
        for path in dockerfiles(root / folder):
            relative = path.relative_to(root).as_posix()
            if relative not in named:
                builds.append((relative, folder))
    builds += [(path, context) for path in sorted(named) for context in sorted(named[path])]
    return builds


def _compose_files(folder: Path) -> list[Path]:
    try:
        return sorted(path for path in folder.iterdir() if _COMPOSE.fullmatch(path.name))
    except OSError:
        return []


def _compose_builds(text: str) -> Iterator[tuple[str, str]]:
    """The ``(context, dockerfile)`` of each ``build:`` of a compose file, read line by line."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        found = _BUILD.fullmatch(line)
        if found is None:
            continue
        value = _value(found[2])
        if value:
            if not value.startswith(("{", "[", "&", "*", "|", ">")):
                yield value, "Dockerfile"
            continue
        context, dockerfile = ".", "Dockerfile"
        for below in lines[index + 1 :]:
            if not below.strip() or below.lstrip().startswith("#"):
                continue
            key = _BUILD_KEY.fullmatch(below)
            indent = len(below) - len(below.lstrip())
            if indent <= len(found[1]):
                break
            if key is not None and key[1] == "context":
                context = _value(key[2])
            elif key is not None and key[1] == "dockerfile":
                dockerfile = _value(key[2])
        # A remote context (a Git URL) or a variable: nothing to read here.
        if context and dockerfile and not re.search(r"[$:]", context + dockerfile):
            yield context, dockerfile


def _value(text: str) -> str:
    """A YAML scalar written after its key: comment and blanks off, quotes too."""
    return _unquote(_YAML_COMMENT.sub("", text, count=1).strip())


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"" else value


def _notes(
    root: Path,
    dockerfile: str,
    context: str,
    layer: tuple[str, Sequence[str]],
    importers: Sequence[str],
    read: TextReader,
) -> list[str]:
    """The notes for one Dockerfile built from ``context``: an old Python, a missing layer."""
    folder, modules = layer
    shown = _within(context, folder)
    layer_in = [path for module in modules if (path := _within(context, module)) is not None]
    # The layer outside the build context: the context is not the one assumed.
    if shown is None or len(layer_in) < len(modules):
        return []
    text = read(root / dockerfile)
    stages = _stages(text) if text is not None else None
    if not stages:
        return []
    check = _check_layer(root, dockerfile, context, (folder, shown, layer_in), importers, stages)
    # An image not known to hold a patched module gets no note at all, not even its Python's.
    if not check.holds_importer:
        return []
    return [note for note in (_old_python(dockerfile, stages), check.note) if note is not None]


def _old_python(dockerfile: str, stages: list[_Stage]) -> str | None:
    """The note for an image running a Python older than the layer needs, or None."""
    by_name = {stage.name: stage for stage in stages if stage.name}
    stage = stages[-1]
    seen: list[_Stage] = []
    # The image the final stage is built on: a named stage's own base, followed.
    while stage.base in by_name and by_name[stage.base] not in seen:
        seen.append(stage)
        stage = by_name[stage.base]
    found = _PYTHON_IMAGE.fullmatch(stage.base) or _PYTHON_TAG.fullmatch(stage.base)
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


@dataclass(frozen=True)
class _LayerCheck:
    """What one image holds of the patched modules and the layer."""

    #: The image surely holds a patched module (False too when what it holds cannot be known).
    holds_importer: bool
    #: The note that the image (or its ``.dockerignore``) leaves the layer out, if it does.
    note: str | None = None


#: An image holding no patched module, or one whose contents cannot be known: nothing to say.
_NO_KNOWN_IMPORTER = _LayerCheck(holds_importer=False)


def _check_layer(
    root: Path,
    dockerfile: str,
    context: str,
    layer: tuple[str, str, Sequence[str]],
    importers: Sequence[str],
    stages: list[_Stage],
) -> _LayerCheck:
    """Whether the image holds a patched module, and the note if it leaves the layer out."""
    folder, shown, layer_in = layer
    copies = [copy for stage in _relevant(stages) for copy in stage.copies]
    base = root / context
    # A source that is not there means the context is not the one assumed: say nothing.
    for copy in copies:
        for source in copy.sources:
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
    return _LayerCheck(holds_importer=True)


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
        dest = posixpath.dirname(dest) or "."
    # Up from the copied folder to one holding the layer; its landing place goes up alike.
    while base != "." and layer != base and not layer.startswith(base + "/"):
        base = posixpath.dirname(base) or "."
        dest = posixpath.dirname(dest) or "."
    relative = layer if base == "." else posixpath.relpath(layer, base)
    return posixpath.normpath(posixpath.join(dest, relative))


def _stages(text: str) -> list[_Stage] | None:
    """The stages of a Dockerfile with their copies from the build context; None if unreadable."""
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
        elif keyword == "WORKDIR" and stages and len(words) == 2 and "$" not in words[1]:
            stages[-1].workdir = stages[-1].folder(words[1])
            stages[-1].make(stages[-1].workdir)
        elif keyword in ("COPY", "ADD") and stages:
            copy = _copy(line, keyword, instruction[len(words[0]) :].strip(), stages[-1])
            if copy is not None:
                stages[-1].copies.append(copy)
    return stages or None


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
    return _Copy(line, sources, dest, shown, tuple(excludes), into_folder)


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


def _relevant(stages: list[_Stage]) -> list[_Stage]:
    """The final stage and the stages it is built on; all, when it copies from elsewhere."""
    by_name = {stage.name: stage for stage in stages if stage.name}
    chain = [stages[-1]]
    while chain[-1].base in by_name and by_name[chain[-1].base] not in chain:
        chain.append(by_name[chain[-1].base])
    return stages if any(stage.copies_other for stage in chain) else chain


def _brings(copy: _Copy, source: str, path: str) -> bool:
    """Whether ``copy`` brings ``path`` along from its ``source``, less what it excludes."""
    if not _covers(source, path):
        return False
    # Read from the context and from the copied folder alike: either way it is left out.
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


def _ancestors(path: str) -> list[str]:
    """``path`` and the folders holding it, up to (not including) the build context itself.

    A pattern is matched against these: one matching a folder takes in all it holds (`.`, the
    context, is no name a glob of Docker's matches).
    """
    return [path, *(parent.as_posix() for parent in PurePosixPath(path).parents)][:-1]


# A token of one path segment's pattern: "*", "?", a literal character, or a class
# (negated, its characters and ranges).
_Token = str | tuple[bool, str, tuple[tuple[str, str], ...]]
_DOUBLE_STAR: tuple[_Token, ...] = ("**",)


@dataclass(frozen=True)
class _Glob:
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
