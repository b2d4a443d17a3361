"""Patch a whole project: find the app, wire it, instrument the plan's modules.

:func:`analyze` reads the backend folder (never importing it), decides every edit from one
:mod:`ast` model per module, and returns each patched file's bytes before and after. Nothing is
written here; :mod:`telemetry_cli.sync` does that.
"""

import ast
import functools
import json
import os
import posixpath
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from telemetry_cli.app_entry import AppEntry
from telemetry_cli.console import clipped, quoted, shown_path
from telemetry_cli.errors import ConfigError, PatchError, UserError
from telemetry_cli.files import (
    BOM,
    FileProblem,
    SourceText,
    conflict_marker_line,
    conflict_sides,
    contained_path,
    file_identity,
    one_entry,
    read_bytes,
)
from telemetry_cli.manifest import MANIFEST_PATH, LeftPatch, PatchRecord, Stub, sorted_left
from telemetry_cli.patching.apps import (
    AppModuleBroken,
    AppSite,
    choose_in_module,
    factory_needs,
    find_app,
    is_build_output,
    is_environment,
    mounted_at,
    package_modules,
    read_mounts,
    with_arguments,
)
from telemetry_cli.patching.collisions import find_collisions, mount_clashes, wired_router_prefix
from telemetry_cli.patching.edits import CONTEXT_KEYS, ModuleEditor, written_stubs
from telemetry_cli.patching.instrument import (
    check_logged_calls,
    instrument_module,
    wire_app,
)
from telemetry_cli.patching.limits import (
    UNUSED_ARGUMENT_RULES,
    module_notes,
    ruff_file_exemptions,
)
from telemetry_cli.patching.mounts import Mounts
from telemetry_cli.patching.removal import (
    OUTSIDE_THE_PLAN,
    FormerCalls,
    name_skipped_calls,
    relayer_skipped_calls,
    skipped_inserted_calls,
    uninstrument_module,
    unwire_app,
)
from telemetry_cli.patching.style import FormatStyle, FormatStyles
from telemetry_cli.patching.symbols import (
    DataFile,
    ModuleModel,
    ModuleSource,
    PackageIndex,
    ParseFailure,
    Unreadable,
    failing_at_import,
    parse,
    raised_at_import,
)
from telemetry_cli.plan import DEFAULT_LAYER_PACKAGE, TOOL_SECTION, Plan, layer_dir, qualified
from telemetry_cli.render import carries_header
from telemetry_cli.vcs import ManifestHistory


class PatchedFile(NamedTuple):
    """What patching decided for one user file.

    ``new`` is None when the file cannot be patched (``error`` says why); ``problems`` are
    things a person must fix (the file may still get the other edits).
    """

    path: str
    old: bytes | None
    new: bytes | None
    changes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    error: str | None = None
    # What the user's own calls of the logger get wrong: needs a person too, but generate's
    # part of the file is done (see FileEdits.own_calls).
    own_calls: tuple[str, ...] = ()
    # The unified diff, computed only when asked for (``--check`` and ``--diff`` show it).
    diff: Callable[[], str] | None = lambda: ""
    # Whether the edits put code in (else they only take the layer's code out).
    inserts: bool = False
    # What the file's log calls leave out, said on every run (see FileEdits.notes).
    notes: tuple[str, ...] = ()
    # The encoding the file is read and written in (its coding declaration): its diff's too.
    encoding: str = "utf-8"


@dataclass
class ProjectPatches:
    """Every patched file of the project, where the app is, and what to record of the patches."""

    entry: AppEntry
    files: list[PatchedFile] = field(default_factory=list)
    record: PatchRecord = field(default_factory=PatchRecord)
    #: When removing: the modules that still import the layer afterwards (code of the user's
    #: own, or inserted code that stays), which the layer's files must outlive.
    users: tuple[str, ...] = ()
    #: When generating: for each watched module of the layer (one the plan no longer has), the
    #: modules that still import it afterwards, which it must outlive.
    users_of: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The bytes of every module the analysis read, by root-relative path: the run's one
    #: reading of them (a module of the generated layer among them is compared from these).
    read: dict[str, bytes] = field(default_factory=dict)
    #: The modules of the user's failed as not parsing though the run did not patch them
    #: (see ``ProjectPatcher._fail_unparsed``): whether they use the layer is not known.
    unparsed: tuple[str, ...] = ()


class BackendReader:
    """Reads modules of a backend folder by import name, remembering how to write them back."""

    def __init__(
        self,
        root: Path,
        backend: str,
        texts: dict[str, tuple[bytes, SourceText]] | None = None,
    ) -> None:
        """Read modules under ``root / backend``, never outside ``root``.

        ``texts`` is where the bytes read are kept by root-relative path (shared by the readers
        of one run, whatever folder each reads).
        """
        self.root = root
        self.backend = backend
        self.texts: dict[str, tuple[bytes, SourceText]] = {} if texts is None else texts
        self.styles = FormatStyles(root)
        # The packages nested in the backend folder, by name: the folders holding them.
        self._nested: dict[str, list[str]] | None = None
        self._namespaces: dict[str, list[str]] = {}  # nested folders without `__init__.py`
        self._self_importing: dict[str, str | None] = {}
        self._settings_files: dict[str, tuple[str, str] | None] = {}
        self._data_files: dict[tuple[str, bool], DataFile | None] = {}
        #: Given a module's name, path and sides of its merge conflicts, the text both sides
        #: come to once the tool's code is taken out of each, or None (see ``_Analysis``).
        self.resolve: Callable[[str, str, tuple[bytes, bytes]], SourceText | None] | None = None
        #: The modules read as resolved so (by root-relative path; one set for the readers of
        #: a run): their bytes on disk are not the text read.
        self.resolved: set[str] = set()
        #: The modules read that hold merge conflicts no resolution took out, by root-relative
        #: path: why, as one line (one dict for the readers of a run, as ``resolved``).
        self.conflicted: dict[str, str] = {}
        self._resolving: set[str] = set()
        #: The folders (root-relative, in the order found) the modules read may need on the
        #: import path besides the backend folder: the one above it that a name rooted there
        #: imports from, a nested folder whose packages import themselves by their bare names;
        #: each with the names read through it (see :meth:`folders_needed`).
        self.import_folders: dict[str, list[str]] = {}
        self._on_the_path: set[str] = set()  # nested folders the project's code puts there

    def read(self, name: str) -> ModuleSource | None:
        """The module ``name`` (``a/b.py`` or ``a/b/__init__.py``), None when there is none.

        Raises:
            Unreadable: it exists but cannot be read (or is not UTF-8).
        """
        found = self._read(name)
        if found is not None:
            return found
        # A module may import another by a name rooted above the backend folder (the app is
        # also run from there): `src.api.users` for `api/users.py` of the folder `src`. It is
        # read under its name inside the folder, so both names are one module.
        parts = name.split(".")
        folder = [part for part in PurePosixPath(self.backend).parts if part != "."]
        for start in range(len(folder)):
            above = folder[start:]
            if len(parts) > len(above) and parts[: len(above)] == above:
                found = self._read(".".join(parts[len(above) :]))
                if found is not None:
                    above_path = PurePosixPath(*folder[:start]).as_posix()
                    self.import_folders.setdefault(above_path, []).append(name)
                return found
        # A package nested in the folder that imports itself by its bare name
        # (`modules/auth/__init__.py` saying `from auth.api import routes`), or a module or
        # package imported so by a module beside it (`app/main.py` saying `from routers import
        # users`, run as `app.main`), only runs with the folder holding it on the import path
        # (PYTHONPATH, a `sys.path` entry, the folder of a script): `auth.api` is
        # `modules/auth/api`, read under that name.
        # A folder without `__init__.py` at the top (`app/`, holding `app/app.py`) is the
        # namespace package `import app` finds when the app runs from the backend folder.
        top = Path(self.root, self.backend, parts[0])
        if parts[0].isidentifier() and top.is_dir() and not (top / "__init__.py").exists():
            # Another folder of that name without `__init__.py` nested in the backend folder
            # (`app/app/`, with `app/app/main.py` saying `from app.api import routes`) is a
            # second portion of that namespace package once its holder is on the import path
            # too: Python merges the portions, so `app.api` is `app/app/api`.
            holder = self._namespace_portion_holder(parts[0])
        else:
            holder = self._self_importing_holder(parts[0])
        if holder is not None:
            found = self._read(f"{holder}.{name}")
            if found is not None and holder not in self._on_the_path:
                folder_path = PurePosixPath(self.backend, *holder.split("."))
                self.import_folders.setdefault(folder_path.as_posix(), []).append(name)
            return found
        return None

    def folders_needed(self, texts: Iterable[str]) -> tuple[str, ...]:
        """The import folders (see ``import_folders``) a name ``texts`` still hold was read through.

        ``texts`` are the modules as the run leaves them. A name read only to look a module up
        (one the last run's record names, an import the run takes out or sorts in) is in none
        of them, and its folder is not needed: else a second run would drop the folder again.
        """
        texts = list(texts)
        needed: list[str] = []
        for folder, names in self.import_folders.items():
            ordered = sorted(set(names), key=len, reverse=True)
            patterns = [rf"(?<![\w.])(?:{'|'.join(map(re.escape, ordered))})"]
            # Also as `from src import items` (parenthesised over lines too) names `src.items`.
            patterns += [
                rf"\bfrom\s+{re.escape(head)}\s+import\s+\(?[\w\s,]*?(?<![\w.]){re.escape(tail)}"
                for head, _, tail in (name.rpartition(".") for name in ordered)
                if head
            ]
            named = re.compile(rf"(?:{'|'.join(patterns)})(?!\w)")
            if any(named.search(text) for text in texts):
                needed.append(folder)
        return tuple(needed)

    def _self_importing_holder(self, top: str) -> str | None:
        """The folder (dotted) holding the one nested module ``top`` imported by its bare name.

        None unless exactly one package or module of that name is nested in the backend folder
        (not at its top), and one of the package's own modules, or one of the modules beside it
        in that folder, imports ``top`` by that bare name. Never a standard library name: with
        its folder appended to ``sys.path``, ``import logging`` is still the library's.
        """
        if top in self._self_importing:
            return self._self_importing[top]
        holders = self._nested_packages().get(top, [])
        found: str | None = None
        if len(holders) == 1 and top not in sys.stdlib_module_names:
            if self._imports_itself(holders[0], top):
                found = holders[0]
            elif self._put_on_the_path(holders[0]):
                found = holders[0]
                self._on_the_path.add(found)  # by the project's own code: no PYTHONPATH needed
        self._self_importing[top] = found
        return found

    def _imports_itself(self, holder: str, top: str) -> bool:
        """Whether the package ``top`` in the folder ``holder`` (dotted) imports itself so.

        One of the package's own modules, or one of the modules beside it in that folder, imports
        ``top`` by its bare name.
        """
        folder = Path(self.root, self.backend, *holder.split("."))
        own = re.compile(rf"^\s*(?:from|import)\s+{re.escape(top)}(?:\.|\s)", re.MULTILINE)
        # Its own modules first, then the modules beside it (not below them).
        for path in [*sorted((folder / top).rglob("*.py")), *sorted(folder.glob("*.py"))]:
            # Read as every module is (a FIFO or a device is refused, not waited on; the text
            # is kept for the analysis that reads the module next).
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if not parts or not all(part.isidentifier() for part in parts):
                continue
            try:
                source = self._read(".".join((holder, *parts)))
            except Unreadable:
                continue
            if source is not None and own.search(source.text):
                return True
        return False

    def _namespace_portion_holder(self, top: str) -> str | None:
        """The folder (dotted) holding the one nested namespace folder ``top`` importing itself.

        ``top`` is a folder without ``__init__.py`` at the top of the backend folder. None unless
        exactly one folder of that name, also without ``__init__.py``, is nested below it, and
        one of its own modules (or one beside it) imports ``top`` by that bare name.
        """
        key = f"{top}/"  # apart from the packages `_self_importing_holder` remembers
        if key not in self._self_importing:
            self._nested_packages()
            holders = self._namespaces.get(top, [])
            found = None
            if len(holders) == 1 and self._imports_itself(holders[0], top):
                found = holders[0]
            self._self_importing[key] = found
        return self._self_importing[key]

    def _put_on_the_path(self, holder: str) -> bool:
        """Whether a module above the folder ``holder`` (dotted) adds it to ``sys.path``.

        ``sys.path.append(os.path.join(SITE_ROOT, "apps"))`` in ``main.py`` makes the packages
        of ``apps/`` importable by their bare names from anywhere (``from accounts.views import
        router`` in ``urls.py``). Read in the modules of the backend folder's top and of each
        folder down to ``holder``: a ``sys.path`` change on one line with a string ending in the
        folder's name.
        """
        parts = holder.split(".")
        named = re.compile(
            r"sys\.path\.(?:append|insert|extend)\(.*[\"'](?:[^\"'\n]*/)?"
            + re.escape(parts[-1])
            + r"/?[\"']"
        )
        for depth in range(len(parts)):
            folder = Path(self.root, self.backend, *parts[:depth])
            for path in sorted(folder.glob("*.py")):
                stem = path.stem
                name = ".".join((*parts[:depth], *([] if stem == "__init__" else [stem])))
                if not name or not all(part.isidentifier() for part in name.split(".")):
                    continue
                try:
                    source = self._read(name)
                except Unreadable:
                    continue
                if source is not None and named.search(source.text):
                    return True
        return False

    def _nested_packages(self) -> dict[str, list[str]]:
        """Every package or module below the top of the backend folder: name -> holding folders.

        The holding folders are dotted paths relative to the backend folder. The folders below
        the top without ``__init__.py`` are kept apart, in ``_namespaces``.
        """
        if self._nested is not None:
            return self._nested
        nested: dict[str, list[str]] = {}
        backend = Path(self.root, self.backend)
        for folder, dirs, files in os.walk(backend):
            dirs[:] = sorted(
                name
                for name in dirs
                if name.isidentifier()
                and name not in ("__pycache__", "node_modules", "site-packages")
                and not is_environment(Path(folder, name))
                and not is_build_output(Path(folder, name))
            )
            relative = Path(folder).relative_to(backend).parts
            if not relative:
                continue  # a package at the top is read by its own name already
            names = [name for name in dirs if _is_package(Path(folder, name))]
            for name in dirs:
                if name not in names:
                    self._namespaces.setdefault(name, []).append(".".join(relative))
            # A package shadows a module of its name beside it, as in Python's path finder.
            names.extend(
                stem
                for stem in sorted(name[:-3] for name in files if name.endswith(".py"))
                if stem.isidentifier() and stem != "__init__" and stem not in names
            )
            for name in names:
                nested.setdefault(name, []).append(".".join(relative))
        self._nested = nested
        return nested

    def settings_file(self, name: str) -> tuple[str, str] | None:
        """The settings file dynaconf finds for ``name``: its root-relative path and text.

        Searched as dynaconf does from the folder the app starts in (the backend folder), up to
        the project root (never beyond it), in each folder and its ``config/`` subfolder. None
        when there is none, or it is unreadable or not UTF-8 (the value is then not known).
        Found once per name, however many settings reads name it.
        """
        if name not in self._settings_files:
            self._settings_files[name] = self._find_settings_file(name)
        return self._settings_files[name]

    def data_file(self, name: str, anchored: bool) -> DataFile | None:
        """The data file the code names by ``name``, relative to the backend folder, and its text.

        ``anchored``: the path is built from a module's ``__file__``: that one file. Otherwise
        a plain relative path (``open("routers.yaml")``) is opened from the working directory,
        which is where the app starts: the backend folder (where the quickstart starts it),
        else the project root; a file in the other one is named too, as another that could be
        meant. None when there is none, or it is unreadable or not UTF-8.
        """
        key = (name, anchored)
        if key not in self._data_files:
            self._data_files[key] = self._find_data_file(name, anchored)
        return self._data_files[key]

    def _find_data_file(self, name: str, anchored: bool) -> DataFile | None:
        """The search :meth:`data_file` makes."""
        if not name or PurePosixPath(name).is_absolute() or "\0" in name:
            return None
        folders = [self.backend] if anchored else list(dict.fromkeys([self.backend, "."]))
        found: list[tuple[str, bytes]] = []
        for folder in folders:
            relative = os.path.normpath(PurePosixPath(folder, name).as_posix()).replace(os.sep, "/")
            if relative == ".." or relative.startswith("../"):
                continue  # above the root: never read
            try:
                data = read_bytes(contained_path(self.root, relative), relative)
            except FileProblem:
                return None
            if data is not None:
                found.append((relative, data))
        if not found:
            return None
        path, data = found[0]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return DataFile(path, text, tuple(other for other, _ in found[1:]))

    def _find_settings_file(self, name: str) -> tuple[str, str] | None:
        """The search :meth:`settings_file` makes."""
        if not name or PurePosixPath(name).is_absolute() or "\0" in name:
            return None
        folder = PurePosixPath(self.backend)
        while True:
            for candidate in (folder / name, folder / "config" / name):
                relative = os.path.normpath(candidate.as_posix()).replace(os.sep, "/")
                try:
                    data = read_bytes(contained_path(self.root, relative), relative)
                except FileProblem:
                    return None
                if data is not None:
                    try:
                        return relative, data.decode("utf-8")
                    except UnicodeDecodeError:
                        return None
            if folder.as_posix() == ".":
                return None
            folder = folder.parent

    def _read(self, name: str) -> ModuleSource | None:
        """The module ``name`` of the backend folder read by that very name, None if absent.

        A package shadows a module of its name beside it (``app/__init__.py`` over ``app.py``),
        as Python's path finder has it.
        """
        base = PurePosixPath(self.backend, *name.split("."))
        for relative in (f"{base}/__init__.py", f"{base}.py"):
            data = None
            try:
                path = contained_path(self.root, relative)
                data = read_bytes(path, relative)
                if data is None:
                    continue
                source = self._resolved(name, relative, data) or SourceText.decode(
                    data, relative, python=True
                )
            except FileProblem as problem:
                if data is not None and conflict_marker_line(data) is not None:
                    self.conflicted[relative] = problem.message
                raise Unreadable(relative, problem.message) from None
            self.texts[relative] = (data, source)
            return self.module_source(name, relative, source.text)
        return None

    def _resolved(self, name: str, relative: str, data: bytes) -> SourceText | None:
        """The text of a module with merge conflicts, when they are the tool's code alone."""
        if self.resolve is None or relative in self._resolving:
            return None
        if conflict_marker_line(data) is None:
            return None
        self._resolving.add(relative)
        try:
            source = self.resolve(name, relative, conflict_sides(data))
        finally:
            self._resolving.discard(relative)
        if source is not None:
            self.resolved.add(relative)
        return source

    def module_source(self, name: str, relative: str, text: str) -> ModuleSource:
        """The module ``name`` at ``relative`` holding ``text``, with its folder's style."""
        style = self.styles.of(relative)
        banned = self.styles.banned_relative_level(relative)
        if banned is not None:
            # A file exemption of ruff's in the module (`ruff: noqa`, bare or naming TID252).
            off = ruff_file_exemptions(text)
            if off is None or "TID252" in off:
                banned = None
        return ModuleSource(
            name,
            relative,
            text,
            relative.endswith("/__init__.py"),
            style,
            self.styles.linter_limits(relative),
            banned,
            self.styles.ruff_checks(relative, UNUSED_ARGUMENT_RULES),
            self.styles.type_checkers(relative),
        )


def analyze(
    plan: Plan,
    previous: PatchRecord | None = None,
    *,
    force: bool = False,
    removing: bool = False,
    watched: tuple[str, ...] = (),
    history: ManifestHistory | None = None,
) -> ProjectPatches:
    """Decide every patch of the project, reading but never writing.

    The app is the plan's ``app`` (from that key or ``[tool.fastapi] entrypoint``), else it is
    discovered (:func:`~telemetry_cli.patching.apps.find_app`). What ``previous`` records and the
    plan no longer asks for is taken out: a module dropped from ``instrument``, an event type
    changed, error capture turned off, an app that moved. With ``removing``, everything is.

    Args:
        plan: the validated plan.
        previous: what the last run patched (from the manifest).
        force: take out inserted code even where it was changed since.
        removing: take the layer out instead of putting it in (``telemetry-scaffold remove``).
        watched: dotted modules of the layer whose importers to report (``users_of``).
        history: the manifest's committed versions, as the run's other reads see them (by
            default read from git here, if a patch needs them).

    Raises:
        ConfigError: the app cannot be found, or several apps are and the plan does not pick one.
    """
    analysis = _Analysis(
        plan,
        previous or PatchRecord(),
        force=force,
        removing=removing,
        watched=watched,
        history=history or ManifestHistory(plan.root, MANIFEST_PATH),
    )
    try:
        return analysis.run()
    finally:
        analysis.close()


def served_inside(root: Path, backend: str, module: str) -> bool:
    """Whether the project's run files serve ``module`` from inside the folder ``backend``.

    A Dockerfile (``WORKDIR /app``, ``COPY backend/ .``, ``CMD uvicorn main:app`` imports
    ``main`` of ``backend/`` from ``/app``: see :func:`~telemetry_cli.image_layer.
    served_modules`, a compose service building it too), or a Procfile's process (``web: cd
    backend && uvicorn main:app`` or ``web: uvicorn --app-dir backend main:app`` at the root,
    ``web: uvicorn main:app`` in ``backend/``): only the folder's own names are modules there.
    A compose service running a stock image on mounted code is not read: it is most often a
    development setup, and where a Dockerfile or a Procfile serves from the root its bare
    spelling would break the production import. Never for the root itself, where no name is
    rooted above it.
    """
    from telemetry_cli.image_layer import served_modules

    folder = posixpath.normpath(PurePosixPath(backend).as_posix())
    if folder == ".":
        return False
    if any(
        posixpath.normpath(served) == folder and string.partition(":")[0] == module
        for served, string in served_modules(root)
    ):
        return True
    return any(
        module in _procfile_modules(root, holder, folder) for holder in dict.fromkeys((".", folder))
    )


def _procfile_modules(root: Path, holder: str, folder: str) -> set[str]:
    """The modules the Procfile of ``holder`` (root-relative) serves from ``folder``.

    Each process's command runs in the Procfile's folder; where its server imports from is read
    as an image's command is (:func:`~telemetry_cli.image_layer.served_from`): moved by a
    ``cd`` before the server (``cd backend && uvicorn main:app``) or by the server's folder
    option (``uvicorn --app-dir backend main:app``, ``gunicorn --chdir backend main:app``).
    """
    from telemetry_cli.image_layer import read_bounded, served_from

    data = read_bounded(root / holder / "Procfile")
    found: set[str] = set()
    for line in (data or b"").decode("utf-8", errors="replace").splitlines():
        process = _PROCESS.match(line)
        served = None if process is None else served_from(root, holder, process[1])
        if served is not None and served[0][:1] == [folder]:
            found.update(string.partition(":")[0] for string in served[1])
    return found


# A Procfile's process line: its name, then the command it runs.
_PROCESS = re.compile(r"^[\w-]+:\s*(.+)$")


def _folder_parts(backend: str) -> tuple[str, ...]:
    """The parts of the root-relative folder ``backend`` (none for the root itself)."""
    return tuple(part for part in PurePosixPath(backend).parts if part != ".")


class _Analysis:
    """One run's decisions, file by file."""

    def __init__(
        self,
        plan: Plan,
        previous: PatchRecord,
        *,
        force: bool,
        removing: bool,
        watched: tuple[str, ...] = (),
        history: ManifestHistory,
    ) -> None:
        self.plan = plan
        self.previous = previous
        self.force = force
        self.removing = removing
        self.watched = watched
        # The event types of recorded modules that are gone (moved by hand, or deleted).
        self.vanished: set[str] = set()
        self.backend = BackendReader(plan.root, plan.backend)
        self.index = PackageIndex(
            self.backend.read,
            settings_file=self.backend.settings_file,
            data_file=self.backend.data_file,
            layer=plan.analytics_package,
            backend_folder=_folder_parts(plan.backend),
        )
        self.editors: dict[str, ModuleEditor] = {}
        self._left_texts: dict[str, str] = {}  # each patched module's text after the run
        # Files this run does not patch: with the error that stops it, or (skipped: not there,
        # nothing to do) with only a note.
        self.errors: dict[str, PatchedFile] = {}
        self.order: list[str] = []
        self.package = plan.analytics_package
        # The inserted imports' own top-level package (``app``; ``analytics`` in the flat
        # layout, where the app has no package): first-party for import sorting.
        self.first_party = self.package.split(".")[0]
        # Where the last run patched: its backend folder and the layer its code imports. A plan
        # that moved the layer (backend, app-package) takes the old code out from there.
        self.old_backend, self.old_app_package = previous.layout(plan.backend, plan.app_package)
        # The layer's own name in the app package, as the last run had it (a renamed one moved);
        # with no earlier run there is no other layer (an `analytics` then is the user's own).
        ran_before = previous != PatchRecord()
        self.old_layer = previous.layer_package or (
            DEFAULT_LAYER_PACKAGE if ran_before else plan.layer_package
        )
        self.old_package = qualified(self.old_app_package, self.old_layer)
        # Generated packages, never read as the user's modules.
        self.layers = frozenset({plan.layer_package, self.old_layer})
        self.moved = self.old_package != self.package
        if self.moved:
            # The last run's imports are its layer's, however the plan's may spell the same text.
            self.index.former_layer = self._former_layer()
        # The packages of other backend folders (where earlier runs patched), by folder.
        self._other_indexes: dict[str, PackageIndex] = {}
        # Inserted code this run leaves in place that the new record would not describe.
        self.left: set[LeftPatch] = set()
        # Modules the plan still instruments holding a call an earlier run left (changed by
        # hand) through a layer it moved away from, or of a type it no longer logs there.
        self.left_calls: dict[str, FormerCalls] = {}
        # What the committed records say of the patches (event types, layers): read if asked.
        self.history = history
        self.backend.resolve = functools.partial(self._resolve_conflict, self.backend)
        # Each package's module names, listed once a run (by backend folder, app package and
        # whether test modules are left out): several scans read them (see _listed).
        self._listings: dict[tuple[str, str, bool], tuple[str, ...]] = {}

    def _listed(self, backend: str, app_package: str, *, skip_tests: bool = True) -> list[str]:
        """The module names of ``app_package`` in ``backend`` (see package_modules), listed once.

        The tree is walked once a run: the outside-plan scan, the unwiring scan, the check of
        logged types and the layer's users share the listing (a run writes no new module).
        """
        key = (backend, app_package, skip_tests)
        names = self._listings.get(key)
        if names is None:
            folder = self.plan.root / PurePosixPath(backend, *app_package.split("."))
            names = tuple(
                package_modules(app_package, folder, skip_tests=skip_tests, layers=self.layers)
            )
            self._listings[key] = names
        return list(names)

    def _resolve_conflict(
        self, reader: BackendReader, name: str, relative: str, sides: tuple[bytes, bytes]
    ) -> SourceText | None:
        """What both sides of a module's merge conflicts come to without the tool's code.

        Two branches that each ran generate (with other plans, say) conflict in a module on
        the tool's lines alone: once the code generate writes is taken out of each side (only
        code exactly as it writes it, through any layer an earlier run or a committed record
        used), the sides are the same text, which the plan then patches anew. None when they
        still differ (a change of the user's on either side, or code of the tool's edited
        since): the conflict is the user's to resolve, and is refused as before.
        """
        try:
            decoded = [SourceText.decode(side, relative, python=True) for side in sides]
        except FileProblem:
            return None
        # A stub one side still has is what the other side's call stands in for (the record,
        # of either side, may not name it).
        written = [written_stubs(source.text) for source in decoded]
        texts = []
        for source, other in zip(decoded, reversed(written), strict=True):
            text = self._without_tool_code(reader, name, relative, source.text, other)
            if text is None:
                return None
            texts.append(source._replace(text=text))
        first, second = texts
        return first if first == second else None

    def _without_tool_code(
        self, reader: BackendReader, name: str, relative: str, text: str, stubs: dict[str, Stub]
    ) -> str | None:
        """``text``, the module ``name`` of ``reader``'s folder, without generate's code.

        None when it is no module (it does not parse). A handler left empty gets back its
        statement of ``stubs``, else the record's.
        """
        own = reader.module_source(name, relative, text)
        backend_read = reader.read

        def read(other: str) -> ModuleSource | None:
            return own if other == name else backend_read(other)

        layers = self._tool_layers()
        index = PackageIndex(
            read,
            settings_file=reader.settings_file,
            data_file=reader.data_file,
            backend_folder=_folder_parts(reader.backend),
            more_layers=layers,
        )
        try:
            model = index.module(name)
            if model is None:
                return None  # it does not parse: nothing to tell the tool's lines by
            editor = ModuleEditor(model, index, self.first_party)
            editor.stubs = self._recorded_stubs(relative) | stubs
            for package in layers:
                unwire_app(editor, package, router=True, capture=True, force=False, only_ours=True)
                uninstrument_module(editor, None, package, force=False, only_ours=True)
            edits = editor.finish()
            return model.lines.apply(edits.insertions, edits.deletions)
        finally:
            index.close()

    def editor_for(self, module: ModuleModel) -> ModuleEditor:
        if module.path not in self.editors:
            self.editors[module.path] = ModuleEditor(module, self.index, self.first_party)
            self.editors[module.path].stubs = self._recorded_stubs(module.path)
        elif self.index.module(module.name) is module:
            # Read first in the last run's layout (its code taken out first): what goes in is
            # imported as the module is named now, as a fresh run would.
            self.editors[module.path].package = module.package
        elif module is not self.editors[module.path].module:
            # Read again in the last run's layout, to take its code out: the editor keeps the
            # module as it reads now, and the package its relative imports were written from.
            self.editors[module.path].former_package = module.package
        self.order.append(module.path)
        return self.editors[module.path]

    def _recorded_stubs(self, path: str) -> dict[str, Stub]:
        """The stub statements the last run's calls stand in for in the module at ``path``.

        Put back when the calls are taken out. The record names each module by its path then;
        read inside the app package, it follows a backend folder or app package moved since.
        In a module the last run did not instrument, a handler recorded in another module
        (moved here by hand, call and all, or copied) gets that module's statement, when the
        record names one for it; an instrumented module's handlers are its own.
        """
        plan = self.plan
        here = {
            _in_package(path, plan.backend, plan.app_package),
            _in_package(path, self.old_backend, self.old_app_package),
        } - {None}
        own: dict[str, Stub] = {}
        elsewhere: dict[str, set[Stub]] = {}
        for recorded, name, stub in self.previous.stubs:
            if _in_package(recorded, self.old_backend, self.old_app_package) in here:
                own[name] = stub
            else:
                elsewhere.setdefault(name, set()).add(stub)
        if any(
            _in_package(recorded, self.old_backend, self.old_app_package) in here
            for recorded, _ in self.previous.instrumented
        ):
            return own
        moved = {name: next(iter(found)) for name, found in elsewhere.items() if len(found) == 1}
        return moved | own

    def module_at(self, path: str) -> ModuleModel | None:
        """The module of a root-relative path under the backend folder, if it can be read."""
        return _module_at(self.index, self.plan.backend, path)

    def recorded_module(self, path: str) -> ModuleModel | None:
        """A module the last run patched, read where it was patched (the backend may move)."""
        return self.module_at(path) or self.module_in(path, self.old_backend)

    def module_in(self, path: str, backend: str) -> ModuleModel | None:
        """The module at a root-relative path as a module of the backend folder ``backend``."""
        return _module_at(self._index_for(backend), backend, path)

    def _refuse_second_name(self, app_module: str) -> None:
        """Refuse an ``instrument`` entry naming the app's module by another name (a link).

        The plan refuses two entries naming one file; the app's module is found later (the
        plan may not name it). Read under two names, it was patched as two files, each edit
        made to the text before the other's, and ``remove`` read the second name's old text as
        code still using the layer, keeping the layer and its manifest entries.

        Raises:
            ConfigError: such an entry; the message names the app module's own name.
        """
        plan = self.plan
        identity = file_identity(plan.root / app_module)
        for module, _ in plan.instrument:
            path = plan.module_path(module)
            if path == app_module or file_identity(plan.root / path) != identity:
                continue
            own = posixpath.relpath(app_module, plan.app_dir)
            fix = (
                f"list it as {json.dumps(own, ensure_ascii=False)}"
                if not own.startswith("../")
                else "instrument the module by its own name"
            )
            where = clipped(f"instrument.{json.dumps(module, ensure_ascii=False)}", 120)
            raise ConfigError(
                f"{plan.config_shown}: [tool.{TOOL_SECTION}] {where}: the same file as the "
                f"app's module {app_module} (a link, or the same name in other letter case); "
                f"{fix}"
            )

    def _fail(self, path: str, message: str) -> None:
        """Report ``path`` as a file the run cannot patch, in its place among the others."""
        self.errors[path] = PatchedFile(path, None, None, error=message)
        self.order.append(path)

    def _skip(self, path: str, reason: str) -> None:
        """Report ``path`` as a file the run leaves alone (not there), with the reason as a note.

        It does not fail the run: an ``unchanged`` line, and the note under it.
        """
        self.errors[path] = PatchedFile(path, None, None, notes=(f"{path}: {reason}",))
        self.order.append(path)

    def unreadable(self, path: str, backends: tuple[str, ...]) -> str | None:
        """Why the module at a root-relative path is there but cannot be read, as one line.

        None when it reads, or is not there at all. A module that does not parse may still
        hold inserted code: it is not gone, and what the record says of it stays.
        """
        for backend in dict.fromkeys(backends):
            name = _module_name(backend, path)
            if name is None:
                continue
            index = self._index_for(backend)
            index.module(name)
            failure = index.failure(name)
            if failure is not None and failure[0] == path:
                return f"{failure[1]}; fix it and rerun"
        return None

    def _index_for(self, backend: str) -> PackageIndex:
        """The package index of the backend folder ``backend`` (the plan's, or another)."""
        if backend == self.plan.backend:
            return self.index
        if backend not in self._other_indexes:
            reader = BackendReader(self.plan.root, backend, self.backend.texts)
            # A folder an earlier run patched may hold a merge of two runs' code as well.
            reader.resolve = functools.partial(self._resolve_conflict, reader)
            reader.resolved = self.backend.resolved
            reader.conflicted = self.backend.conflicted
            self._other_indexes[backend] = PackageIndex(
                reader.read,
                settings_file=reader.settings_file,
                data_file=reader.data_file,
                backend_folder=_folder_parts(backend),
                # Where the last run patched, its imports, spelled rooted too, are its layer's.
                former_layer=self._former_layer() if backend == self.old_backend else None,
            )
        return self._other_indexes[backend]

    def _layout_index(self, backend: str) -> PackageIndex:
        """The index of ``backend`` (see _index_for), reading every layer's imports as generate's.

        Those of :meth:`_tool_layers`: a merged branch's or a record's imports of them are the
        tool's, spelled bare or rooted above the folder (as 0.32.0 writes them).
        """
        index = self._index_for(backend)
        index.know_layers(self._tool_layers())
        return index

    def _tool_layers(self) -> tuple[str, ...]:
        """Every layer the plan, the last run or a committed record named, in any layout."""
        layers = {self.package, self.old_package} | {
            qualified(app_package, layer)
            for _, app_package, _ in self._layouts()
            for layer in self._layer_names()
        }
        return tuple(sorted(layers))

    def _former_layer(self) -> tuple[str, tuple[str, ...]]:
        """The last run's layer (dotted, inside its backend folder) and that folder's parts."""
        return self.old_package, _folder_parts(self.old_backend)

    def close(self) -> None:
        """Let go of every parsed module."""
        self.index.close()
        for index in self._other_indexes.values():
            index.close()

    def run(self) -> ProjectPatches:
        plan = self.plan
        entry = AppEntry(plan.main_path, plan.main_module)
        wired: str | None = None
        site: AppSite | None = None
        app_module: str | None = None
        previous = self.previous.wired
        # The app's module is unwired by _wire when removing: doing it again would report each
        # of its statements twice (unless what it imports moved with the layer).
        unwire_previous = previous is not None
        mounts: Mounts | None = None
        # Imports of a layer a record or a merged branch named are generate's too, rooted or bare.
        self._layout_index(plan.backend)
        try:
            found = find_app(
                plan.app,
                plan.app_source or "app",
                plan.app_package,
                self.index,
                plan.root / plan.app_dir,
                plan.app_dir,
                plan.config_shown,
            )
        except AppModuleBroken as broken:
            # The module that should build the app cannot be read: report it, do the rest.
            self._fail(broken.path, broken.message)
            wired = previous
            unwire_previous = False
        except ConfigError:
            if not self.removing:
                raise
            # Taking the layer out needs no app: the record names the module that was wired
            # (unwired below if it is still there; deleted, its wiring went with it).
        else:
            entry = found.entry
            app_module = found.site.module.path
            if not self.removing:  # taking the layer out reads each name as it was patched
                self._refuse_second_name(app_module)
            # How the app's code spells its package is read from what it imports (the entry
            # module's and the building module's imports), and from how it is served.
            self.index.app_modules = tuple(dict.fromkeys((entry.module, found.site.module.name)))
            self.index.package_spellings.clear()
            self.index.served_from_inside = functools.partial(
                served_inside, plan.root, plan.backend, entry.module
            )
            # Where routers are included decides the route a log call names: read before any
            # route is (taking out a call reads the routes of its module, once).
            mounts = read_mounts(
                self.index,
                self._package_module_names(found_module=None if self.removing else app_module),
                found.site,
                removing=self.removing,
                named=self._line_served_apps,
            )
            # Code left in place by earlier runs goes first, so that what goes in may take the
            # names it frees (as when the layer moves, below).
            self._retry_left(app_module)
            if previous not in (None, app_module) and self.moved and not self.removing:
                # The app's module changed (moved by hand, say) as the layer moved: its wiring
                # of the old layer, exactly as generate wrote it, goes, or it would be wired
                # twice; any other is the user's.
                unwire_app(
                    self.editor_for(found.site.module),
                    self.old_package,
                    router=True,
                    capture=True,
                    force=False,
                    only_ours=True,
                )
            if previous == found.site.module.path:
                unwire_previous = self.moved
                if self.moved:
                    # First, so that the new imports may take the names the old ones free.
                    self._unwire_previous(previous)
                    unwire_previous = False
            wired = self._wire(found.site)
            site = found.site
        if previous is not None and unwire_previous:
            self._unwire_previous(previous)
        modules = self._package_module_names(found_module=wired)
        if mounts is None:
            mounts = read_mounts(
                self.index, modules, site, removing=self.removing, named=self._line_served_apps
            )
        if entry.routes_on is not None and site is not None and not self.removing:
            # `app = Starlette(routes=[Mount("/api/v2", app=api)])` served, `api` wired: the
            # layer answers under the mount path.
            mount_path = mounted_at(site, self.index, mounts)
            if mount_path:
                entry = entry._replace(mounted_at=mount_path)
        if site is not None and not self.removing and not entry.mounted_at:
            # `app.router.prefix = "/api"` before the wiring: FastAPI puts it in front of the
            # telemetry router's paths too, so requests reach the layer under it.
            router_prefix = wired_router_prefix(site, self.index)
            if router_prefix and router_prefix.rstrip("/"):
                entry = entry._replace(mounted_at=router_prefix.rstrip("/"))
        if entry.factory and not self.removing:
            # A factory taking arguments: what a server runs instead, if the backend has one.
            entry = with_arguments(entry, self.index, [*modules, *self._beside_package()])
        elif entry.runs is not None and not self.removing:
            # `def run(host, port)` serving the app itself: a bare call of it fails.
            entry = entry._replace(needs=factory_needs(entry, self.index))
        instrumented = self._instrument()
        if site is not None and not self.removing:
            # Said where the app is wired: include prefixes read as defaults, or not known.
            self.editor_for(site.module).edits.notes.extend(mounts.notes)
        if app_module is None:
            self._retry_left(None)  # no app found: not retried above
        if previous is not None and self.recorded_module(previous) is None:
            # The module the last run wired is gone (moved by hand, say): its wiring went with
            # it, wherever it went.
            self._unwire_unrecorded(app_module, self._layouts())
        elif others := self._layouts(recorded_only=True):
            # A branch merged in wired an app in a folder of its own, which no plan names now.
            self._unwire_unrecorded(app_module, others)
        # A call exactly as generate writes it in a module the plan does not instrument is the
        # tool's, however it got there: a handler (or a recorded module that is gone) moved by
        # hand, a lost or older manifest, a module copied. The plan does not log there, so it
        # goes, as from a module the plan dropped; one the user changed (or commented) stays.
        self._take_out_unrecorded(None)
        if not self.removing:
            self._check_logged_types()
            self._check_collisions(modules, site)
        for path in sorted(self.backend.resolved):
            # Written whatever the plan does with it: on disk it still holds the markers.
            model = self.module_at(path) or next(
                filter(None, (self.module_in(path, folder) for folder in self._other_indexes)),
                None,
            )
            if model is not None:
                self.editor_for(model).edits.changes.insert(
                    0, "resolve its merge conflicts: the sides differed only by generate's code"
                )
                self.order.append(path)
        report = ProjectPatches(entry, record=PatchRecord())
        if not self.removing:
            report.record = PatchRecord(
                wired,
                wired is not None and plan.capture_errors,
                instrumented,
                plan.backend,
                plan.app_package,
                sorted_left(self.left),
                None if plan.layer_package == DEFAULT_LAYER_PACKAGE else plan.layer_package,
                tuple(
                    sorted(
                        (path, name, statement)
                        for path, _ in instrumented
                        if path in self.editors
                        for name, statement in self.editors[path].edits.stubs.items()
                    )
                ),
            )
        if self.backend.conflicted:
            self._fail_conflicted()
        report.unparsed = self._fail_unparsed(
            (
                *filter(None, (site and site.module.name, entry.module)),
                *(editor.module.name for editor in self.editors.values()),
            ),
            None if site is None else site.module.name,
        )
        app_modules = tuple(filter(None, (site and site.module.name, entry.module)))
        self._fail_unimportable(
            app_modules, tuple(editor.module.name for editor in self.editors.values())
        )
        report.files = [self._result(path) for path in dict.fromkeys(self.order)]
        # The folders the app's imports need on the import path besides the backend folder,
        # once the run is done: the quickstart puts them there.
        # The layer's own modules are generated files, written anew from the plan.
        layers = self._layer_dirs()
        left = (
            self._left_texts.get(path, source.text)
            for path, (_, source) in self.backend.texts.items()
            if not path.startswith(layers)
        )
        # The layer's name as the app's module imports it, one source for the documents'
        # examples and the patches (a rooted layout's `src.app.analytics`).
        editor = None if site is None or self.removing else self.editors.get(site.module.path)
        logger = f"{self.package}.event_logger"
        spelled = logger if editor is None else editor.absolute_spelling(logger)
        report.entry = entry._replace(
            import_folders=self.backend.folders_needed(left),
            layer_import=spelled.rpartition(".")[0] if spelled != logger else "",
        )
        report.read = {path: data for path, (data, _) in self.backend.texts.items()}
        if self.removing:
            report.users = self._layer_users((self.package,), {self.package})[self.package]
        if self.watched:
            packages = {module.rpartition(".")[0] for module in self.watched}
            report.users_of = self._layer_users(self.watched, packages)
        return report

    def _fail_conflicted(self) -> None:
        """Fail each module read that holds merge conflicts no resolution took out.

        A module read for what it holds (routes, includes, the tool's code), patched or not:
        read as either side, the run's answer would be a guess, and a green run (``--check``
        in CI) would hide the unfinished merge. The layer's own modules are generated files,
        which the run writes anew or refuses on its own.
        """
        layers = self._layer_dirs()
        for path, message in sorted(self.backend.conflicted.items()):
            if path not in self.errors and not path.startswith(layers):
                self._fail(path, f"{message}; fix it and rerun")

    def _fail_unparsed(self, roots: tuple[str, ...], app: str | None) -> tuple[str, ...]:
        """Fail each module the app's code imports that does not parse; note the others.

        As for merge conflicts (:meth:`_fail_conflicted`): a module the app's routers come
        from, imported by ``roots`` (the app's and the server's modules, the patched ones), by
        a module importing ``app`` (the app's module), or by what they import, may declare
        routes or include routers the run cannot see, so its answer (and a green ``--check``)
        would rest on a guess. A module only a scan's text probe over the package's listing
        found (a Python 2 script, a templated ``.py``, an unimported draft naming ``.get(``)
        is no part of the app as far as the run can tell: one note line, the run goes on. The
        app's module and the patched ones are failed where they are read. Returns the modules
        failed.
        """
        layers = self._layer_dirs()
        failures: dict[str, tuple[str, bool]] = {}
        for index in (self.index, *self._other_indexes.values()):
            for path, message, needed in index.parse_failures(roots, app):
                known = failures.get(path)
                failures[path] = (message, needed or (known is not None and known[1]))
        failed: list[str] = []
        for path, (message, needed) in sorted(failures.items()):
            if path in self.errors or path.startswith(layers):
                continue
            if needed:
                failed.append(path)
                self._fail(
                    path,
                    f"{message}; imported by the app, what it declares or includes is not "
                    "known: fix it and rerun",
                )
            else:
                self.errors[path] = PatchedFile(
                    path,
                    None,
                    None,
                    notes=(f"{message}; not read: if it wires routes, fix it",),
                )
                self.order.append(path)
        return tuple(failed)

    def _fail_unimportable(self, app_modules: tuple[str, ...], patched: tuple[str, ...]) -> None:
        """Fail each package ``__init__`` above the app's modules whose top level always raises.

        ``app_modules``: the app's module and the server's; ``patched``: the modules the run
        patches, judged only where importing the app's modules imports them, by imports that
        certainly run then (:meth:`PackageIndex.run_at_import`: an import in a function, under
        ``if TYPE_CHECKING:`` or ``if __name__ == "__main__":``, or in a ``try`` whose handler
        may take what the package above raises, may never run, and a raise above it does not
        stop the app). Python runs the
        ``__init__.py`` of every package above a module before the module (``from app.routes
        import users`` runs ``app/routes/__init__.py`` first), whatever the import names. One
        with a ``raise`` in its own body (not under ``if``/``try``/``with``/``def``/``class``)
        fails every import of the modules below it: the app cannot start with them, and a
        patch written into them would be one no request reaches. Nothing else is judged: an
        import of a module missing from the folder may be one a build, an image or a run-time
        hook supplies, and refusing a backend that works is worse than patching one that
        does not. Below a package whose ``__init__`` touches ``__path__`` or the import
        machinery (``sys.meta_path``, ``sys.path_hooks``) nothing is judged either: the
        package below may then come from another folder.
        """
        layers = self._layer_dirs()
        seen: set[str] = set()
        # What the app's imports certainly run, read only when a patched module sits below a
        # package that raises (most runs have none: no module is parsed again for it), once
        # per set of exceptions raised there (a `try` taking one of them may skip the import).
        reached: dict[frozenset[str], set[str]] = {}
        for module in (*app_modules, *patched):
            if module not in app_modules:
                raised = self._raised_above(module)
                if not raised:
                    continue
                if raised not in reached:
                    reached[raised] = self.index.run_at_import(app_modules, raised)
                if module not in reached[raised]:
                    continue
            parts = module.split(".")
            # The packages above it only: what the module itself does is its own code's
            # business, read (or not) as its routes are.
            for end in range(1, len(parts)):
                name = ".".join(parts[:end])
                source = self.index.source(name)
                if source is None or source.path in self.errors:
                    break
                if name not in seen and not source.path.startswith(layers):
                    seen.add(name)
                    for line, what in failing_at_import(source):
                        self._fail(
                            source.path,
                            f"{source.path}:{line}: {what}; importing {module} runs it "
                            f"first, so the app cannot import {module} and cannot start: fix "
                            "it and rerun",
                        )
                        break
                if any(hook in source.text for hook in ("__path__", "meta_path", "path_hooks")):
                    break

    def _raised_above(self, module: str) -> frozenset[str]:
        """What the package ``__init__`` files above ``module`` raise at their top level.

        The classes as written (:func:`raised_at_import`); empty when none has a ``raise``.

        A bare ``raise`` is said by an empty name: no class known, so any handler may take it.
        """
        parts = module.split(".")
        raised: set[str] = set()
        for end in range(1, len(parts)):
            source = self.index.source(".".join(parts[:end]))
            if source is None:
                break
            if "raise" in source.text:
                raised.update(name or "" for _, name in raised_at_import(source))
        return frozenset(raised)

    def _layer_dirs(self) -> tuple[str, ...]:
        """The folders (each ending in ``/``) of any layer named by the plan or a record.

        The plan, the last run or a committed record, in any layout: generated files, which the
        run writes anew.
        """
        return tuple(
            f"{layer_dir(backend, app_package, layer)}/"
            for backend, app_package, _ in self._layouts()
            for layer in self._layer_names()
        )

    def _layer_users(
        self, layer_modules: tuple[str, ...], packages: set[str]
    ) -> dict[str, tuple[str, ...]]:
        """The package's modules whose imports of each of ``layer_modules`` stay after this run.

        ``packages`` are the layers those are of (the plan's, or one beside it): their own
        modules import each other, and are no users.
        """
        plan = self.plan
        users: dict[str, list[str]] = {name: [] for name in layer_modules}
        names = {package.rpartition(".")[2] for package in packages} | {plan.layer_package}
        for name in self._listed(plan.backend, plan.app_package, skip_tests=False):
            source = self.index.source(name)
            if source is None or not any(layer in source.text for layer in names):
                continue
            module = self.index.module(name)
            if module is None or module.path.startswith(plan.analytics_dir + "/"):
                continue
            if any(name == package or name.startswith(package + ".") for package in packages):
                continue
            # An import the run only takes a name out of (merged by a sorter) stays.
            going = self._gone_lines(module.path)
            for node in module.nodes_near(["import"]):
                if not isinstance(node, ast.Import | ast.ImportFrom) or node.lineno in going:
                    continue
                if isinstance(node, ast.ImportFrom):
                    source_module = module.absolute_import(node) or ""
                    targets = [f"{source_module}.{alias.name}" for alias in node.names]
                else:
                    targets = [alias.name for alias in node.names]
                for layer_module, importers in users.items():
                    prefix = layer_module + "."
                    if module.path not in importers and any(
                        f"{target}.".startswith(prefix) for target in targets
                    ):
                        importers.append(module.path)
        return {name: tuple(paths) for name, paths in users.items()}

    def _gone_lines(self, path: str) -> set[int]:
        """The lines the run takes out of the module at ``path``, under any of its names.

        A symlink in the package is another name of the module it points at: the edits made
        through one are the other's too. Each name read may have an editor of its own (the
        app's module wired under one, a link to it recorded as instrumented under the other):
        the lines any of them takes out are gone.
        """
        root = self.plan.root
        identity = file_identity(root / path)
        going: set[int] = set()
        for other, editor in self.editors.items():
            if other == path or file_identity(root / other) == identity:
                going |= editor.gone_lines()
        return going

    def _unwire_previous(self, path: str) -> None:
        """Take the router's include and error capture out of where the last run put them.

        What stays (changed by hand since: reported) is remembered for the next run.
        """
        self._take_out_left(self._old_left(path, None))

    def _same_app(self, backend: str, app_package: str) -> bool:
        """Whether a layout of an earlier run holds its modules where the plan's app does.

        The same backend folder, or the same folder imported by another name (``app-package =
        "backend.app"`` under the root against ``"app"`` under ``backend/``): a module the plan
        instruments is then the very file an earlier run patched.
        """
        plan = self.plan
        return backend == plan.backend or PurePosixPath(
            backend, *app_package.split(".")
        ) == PurePosixPath(plan.app_dir)

    def _outside_the_app(self) -> str:
        """What to do with a skipped handler's call in a module the plan's app does not hold."""
        return (
            f"the plan's app ({self.plan.app_dir}) does not hold this module, so it cannot "
            "import the new one; take the call out by hand (or the mark, and generate takes it "
            "out)"
        )

    def _old_left(self, path: str, event_type: str | None) -> LeftPatch:
        """The code the last run put in ``path`` (its include, or calls of ``event_type``)."""
        return (path, event_type, self.old_backend, self.old_app_package, self.old_layer)

    def _take_out_left(self, left: LeftPatch, staying: FormerCalls | None = None) -> None:
        """Take out inserted code the record no longer describes; remember what stays.

        A module the record forgot would keep the code with ``--check`` green. ``staying``: the
        plan still instruments the module (see :func:`uninstrument_module`).
        """
        path, event_type, backend, app_package, layer = left
        module = self.module_in(path, backend)
        if module is None:
            problem = self.unreadable(path, (backend,))
            if problem is not None:
                # There, and it may hold the code: remembered until it reads again.
                self._fail(path, problem)
                self.left.add(left)
            return  # else gone, and its code with it
        current = None if backend == self.plan.backend else self.module_at(path)
        if event_type is not None and current is not None:
            # Calls go first: the editor reads the module as the plan names it now, as when
            # _instrument takes them out, so that the calls that go in name each route as a
            # fresh run does (under the prefix the app includes its router with, found by the
            # module's name); the old reading lends the package its relative imports were
            # written from.
            self.editor_for(current)
        editor = self.editor_for(module)
        kept = len(editor.edits.problems)
        package = qualified(app_package, layer or self.old_layer)
        if event_type is None:
            unwire_app(editor, package, router=True, capture=True, force=self.force)
        else:
            # Every call inserted through that layer, whatever type it logs (see _instrument).
            # Left to instrument_module only when it edits this very file (the same backend).
            same = staying if self._same_app(backend, app_package) else None
            if uninstrument_module(
                editor,
                None,
                package,
                force=self.force,
                staying=same,
                leave_skipped=not self.removing,
            ):
                self.left.add(left)  # an edited call handed over, said by instrument_module
            elif not self.removing and skipped_inserted_calls(editor, package):
                # In a handler marked skip since: generate leaves it, remove takes it out. The
                # module-level import it reads follows the layer (the handler stays as it is).
                # (One the plan's app package holds: the new layer is importable from it.)
                plan = self.plan
                inside = PurePosixPath(path).is_relative_to(plan.app_dir)
                if (
                    inside
                    and package != self.package
                    and relayer_skipped_calls(editor, package, self.package)
                ):
                    if path not in {plan.module_path(name) for name, _ in plan.instrument}:
                        # Dropped from the plan: remembered through the new layer, for remove.
                        self.left.add(
                            (path, event_type, plan.backend, plan.app_package, plan.layer_package)
                        )
                else:
                    if not inside:
                        name_skipped_calls(editor, package, self._outside_the_app())
                    self.left.add(left)
        if len(editor.edits.problems) > kept:
            self.left.add(left)

    def _retry_left(self, app_module: str | None) -> None:
        """Try again to take out what earlier runs left in place (see ``PatchRecord.left``)."""
        plan = self.plan
        layout = (plan.backend, plan.app_package)
        current = {plan.module_path(module): event for module, event in plan.instrument}
        for left in self.previous.left:
            path, event_type, backend, app_package, layer = left
            # Of the layer as it is now, where this run wires or instruments (or, removing,
            # takes that out) the same: handled there (an edited call is reported as such).
            handled = (
                path == app_module
                if event_type is None
                else path in current and (self.removing or current[path] == event_type)
            )
            same_layer = (layer or self.old_layer) == plan.layer_package
            if (backend, app_package) == layout and same_layer and handled:
                continue
            if (
                event_type is not None
                and path in current
                and not self.removing
                and self._same_app(backend, app_package)
            ):
                # A call kept (changed by hand) through a layer the plan moved away from, or of
                # a type it no longer logs, in a module it still instruments: instrument_module
                # names it (or, forced, replaces it) where it stands, as in the run that left
                # it, with no second call on top.
                types = frozenset({event_type, current[path]})
                if path in self.left_calls:
                    types |= self.left_calls[path].types
                package = qualified(app_package, layer or self.old_layer)
                self.left_calls[path] = FormerCalls(types, package)
                self._take_out_left(left, self.left_calls[path])
                continue
            self._take_out_left(left)

    def _wire(self, site: AppSite) -> str | None:
        editor = self.editor_for(site.module)
        # A branch merged in wired the app through its own layer (another name or app package,
        # by its committed record): that wiring, exactly as generate writes it, goes; where it
        # merged into the plan's own include, only its import does.
        for package in self._recorded_layers():
            if package not in (self.package, self.old_package):
                unwire_app(
                    editor,
                    package,
                    router=True,
                    capture=True,
                    force=False,
                    only_ours=True,
                    keep=None if self.removing else self.package,
                )
        if self.removing:
            unwire_app(editor, self.package, router=True, capture=True, force=self.force)
            return None
        wire_app(
            editor,
            site,
            self.package,
            capture_errors=self.plan.capture_errors,
            api_prefix=self.plan.api_prefix,
        )
        if not self.plan.capture_errors:
            unwire_app(editor, self.package, router=False, capture=True, force=self.force)
        return site.module.path

    def _former_calls(self, relative: str, event_type: str, old: str | None) -> FormerCalls:
        """What the inserted calls of an instrumented module may log, and through which layer.

        The type recorded there (else those of recorded modules that went: this one may be
        one of them, moved by hand), those its committed records in git gave it (a branch's
        merged in too), and those of calls an earlier run left in it; through the layer of the
        last run when the plan moved it (in the same backend folder), else that of the calls
        left.
        """
        types = {event_type, *(self.vanished if old is None else {old})}
        # A branch merged in may have patched the module for another type (its call merged
        # cleanly, the record kept from this side): that branch's committed record says so.
        types |= self.history.patched.instrumented.get(relative, frozenset())
        same = self._same_app(self.old_backend, self.old_app_package)
        package = self.old_package if self.moved and same else None
        left = self.left_calls.get(relative)
        if left is not None:
            types |= left.types
            package = package or left.package
        return FormerCalls(frozenset(types), package)

    def _instrument(self) -> tuple[tuple[str, str], ...]:
        plan = self.plan
        recorded: dict[str, str] = {}
        current = {plan.module_path(module) for module, _ in plan.instrument}
        instrumented = frozenset(plan.module_import_name(module) for module, _ in plan.instrument)
        backends = (plan.backend, self.old_backend)
        self.vanished = {
            old
            for path, old in self.previous.instrumented
            if path not in current
            and self.recorded_module(path) is None
            and self.unreadable(path, backends) is None
        }
        for module_path, event_type in plan.instrument:
            relative = plan.module_path(module_path)
            name = plan.module_import_name(module_path)
            old = self._recorded_type(relative)
            model = self.index.module(name)
            if model is None or model.path != relative:
                if self.removing and self._absent(name, relative):
                    # Nothing there to take out, nothing there that imports the layer: a
                    # recorded module moved by hand took its calls along (see self.vanished).
                    if old is not None:
                        self.vanished.add(old)
                    self._skip(relative, "not found; skipped, nothing to take out")
                    continue
                if not self.removing and (
                    # A folder at the module's path: no module for generate to patch (remove
                    # says what it found there, keeping the layer its lines may still use).
                    (plan.root / relative).is_dir() or self._absent(name, relative)
                ):
                    # A plan key naming no file is a bad value of the plan (exit 2), said before
                    # anything is written: going on would write the layer, the documents and the
                    # manifest for a plan that cannot be carried out, half of it.
                    raise ConfigError(_absent_module(plan, module_path, relative, old))
                message = _missing(plan, self.index, name, relative)
                self._fail(relative, message)
                if old is not None:
                    recorded[relative] = old  # still to take out once the file is back
                continue
            editor = self.editor_for(model)
            recorded_type = event_type
            former = self._former_calls(relative, event_type, old)
            for package in self._merged_layers(model):
                # Calls a branch merged in wrote through its own layer (the tool's, by the
                # committed records): those exactly as generate writes them go, and the plan's
                # go in. One in a block of the user's is the handler's: moved to the plan's
                # layer where it stands by instrument_module (named there if edited), or, by
                # remove, named as the user's to take out; a second call would log twice.
                if self.removing:
                    uninstrument_module(editor, None, package, force=self.force)
                elif former.package is None:
                    former = former._replace(package=package)
                    uninstrument_module(
                        editor, None, package, force=False, only_ours=True, staying=former
                    )
                else:
                    uninstrument_module(editor, None, package, force=False, only_ours=True)
            if old is not None and self.moved:
                self._take_out_left(self._old_left(relative, old), former)
            elif old is not None and old != event_type and not self.removing:
                # A call of the old type kept (changed by hand) keeps the old type recorded:
                # once put back as it was written, the next run replaces it.
                if uninstrument_module(
                    editor,
                    frozenset({old}),
                    self.old_package,
                    force=self.force,
                    staying=former,
                    leave_skipped=True,
                ):
                    recorded_type = old
            elif old is None and (self.moved or self.vanished):
                # Not recorded here: a module moved (or copied) from one the last run patched
                # brings the calls it had — of the old layer if that moved, of an event type the
                # plan changed. Those exactly as generate wrote them go, or each handler would
                # log twice (or be refused); any other call is the user's.
                gone = frozenset(self.vanished - {event_type})
                # A call of such a type the user put into a block, or edited, is the handler's:
                # changed where it stands by instrument_module, or named there, and remembered
                # as left, each by the type it logs, until it is brought up to date.
                handed = uninstrument_module(
                    editor,
                    None if self.moved else gone,
                    self.old_package,
                    force=False,
                    only_ours=True,
                    staying=former,
                )
                self.left.update(
                    self._old_left(relative, written_for)
                    for written_for in handed
                    if self.moved or written_for != event_type
                )
            elif old is None and self.previous == PatchRecord() and not self.removing:
                # Nothing recorded (the manifest lost or damaged): a call exactly as generate
                # writes it that logs another event type went in for an earlier plan (the event
                # was renamed since); it goes, and the new one goes in. Any other is the user's.
                uninstrument_module(
                    editor, None, self.package, force=False, only_ours=True, keep=event_type
                )
            if self.removing:
                # Every inserted call, whatever type it logs: the plan may have changed since.
                uninstrument_module(editor, None, self.package, force=self.force)
                continue
            try:
                instrument_module(
                    editor,
                    event_type,
                    self.package,
                    plan.event(event_type),
                    plan.captured(module_path),
                    force=self.force,
                    parameters=plan.capture_parameters(module_path),
                    former=former,
                    instrumented=instrumented,
                )
            except PatchError as problem:
                if editor.edits.empty and not editor.edits.changes:
                    self.errors[relative] = PatchedFile(relative, None, None, error=problem.message)
                else:
                    editor.edits.problems.append(problem.message)
            recorded[relative] = recorded_type
        # A recorded module the plan instruments now under another name of its entry (the
        # plan renamed it to a symlink's name) is handled under the plan's name. Under a hard
        # link's name it is not: the write replaces the file under the name written, and the
        # record's name, a separate file then, has its calls taken out as its own.
        current_files = {file_identity(plan.root / name): name for name in current}
        for path, old in self.previous.instrumented:
            other = current_files.get(file_identity(plan.root / path))
            if path in current or (other and one_entry(plan.root / path, plan.root / other)):
                continue
            if self.moved:
                # Through the old layer, if it is there (one that does not parse too).
                self._take_out_left(self._old_left(path, old))
                continue
            model = self.recorded_module(path)
            if model is None:
                unreadable = self.unreadable(path, backends)
                if unreadable is not None:
                    # Its calls come out once it reads again: recorded until then.
                    self._fail(path, unreadable)
                    recorded[path] = old
                continue  # else gone (see self.vanished)
            editor = self.editor_for(model)
            kept = len(editor.edits.problems)
            # Every inserted call, whatever type it logs, as remove takes them out: one made to
            # log another type by hand is still the tool's, and the plan no longer has it.
            uninstrument_module(
                editor, None, self.old_package, force=self.force, leave_skipped=not self.removing
            )
            skipped = not self.removing and skipped_inserted_calls(editor, self.old_package)
            edited = len(editor.edits.problems) > kept
            if (edited or skipped) and not PurePosixPath(path).is_relative_to(plan.app_dir):
                # The backend moved: the plan's app no longer holds the module, and the old
                # layer stays for the call, remembered where it is (see _take_out_left).
                if skipped:
                    name_skipped_calls(editor, self.old_package, self._outside_the_app())
                self.left.add(self._old_left(path, old))
            elif edited or skipped:
                # A call changed since it was inserted stays, and so does the record of it: the
                # next run (and remove) still see it for what it is. So does one in a handler
                # marked skip since, which generate leaves and remove takes out.
                recorded[path] = old
        self._unpatch_from_history(current | {path for path, _ in self.previous.instrumented})
        return tuple(sorted(recorded.items()))

    def _recorded_type(self, relative: str) -> str | None:
        """The event type the last run instrumented the module at ``relative`` with.

        Under its own name, else under another name of the same file (the plan renamed the
        module to a link's name): its calls are the ones the last run inserted either way.
        """
        old = self.previous.event_type_of(relative)
        if old is not None or not self.previous.instrumented:
            return old
        root = self.plan.root
        identity = file_identity(root / relative)
        return next(
            (
                recorded
                for path, recorded in self.previous.instrumented
                if file_identity(root / path) == identity
            ),
            None,
        )

    def _merged_layers(self, module: ModuleModel) -> list[str]:
        """Other layers, by this project's committed records, whose logger ``module`` imports.

        Neither the plan's nor the last run's: a branch merged in named it (it moved the layer
        its own way, or named the same folder by another import name: `app-package` "app"
        under `backend` against "backend.app" under the root), and its calls merged cleanly
        into the module.
        """
        ours = {self.package, self.old_package}
        layers = sorted(self._history_layers())
        where = PurePosixPath(module.path)
        packages = dict.fromkeys(
            qualified(app_package, layer)
            for backend, app_package, _ in self._layouts()
            if where.is_relative_to(PurePosixPath(backend, *app_package.split(".")))
            for layer in layers
        )
        return [
            package
            for package in packages
            if package not in ours and f"{package}.event_logger" in module.text
        ]

    def _unpatch_from_history(self, known: set[str]) -> None:
        """Take out the calls of modules that only another branch's record names as patched.

        A branch merged in instrumented a module the plan and the record kept (this side's)
        do not name: its calls merged cleanly into the module, and nothing else would take
        them out. Those exactly as generate writes them go (the branch's own, by its record);
        any other is the user's and stays, without a word, as where the manifest was lost.
        """
        for path in sorted(set(self.history.patched.instrumented) - known - set(self.editors)):
            # In the folder the branch patched it in, through the layers it may have imported:
            # the first layout reading the module that finds such calls (the same folder may be
            # this side's flat layout and the branch's `app` package).
            for backend, _, packages in self._layouts():
                index = self._layout_index(backend)
                model = self.module_in(path, backend)
                if model is None:
                    continue
                editor = ModuleEditor(model, index, self.first_party)
                for package in dict.fromkeys((self.package, *packages)):
                    uninstrument_module(editor, None, package, force=False, only_ours=True)
                if editor.edits.changes:
                    # Only then a file of this run: one long unpatched is not read out as
                    # unchanged.
                    self.editors[path] = editor
                    self.order.append(path)
                    break

    def _absent(self, name: str, relative: str) -> bool:
        """Whether no file at all is where the plan names an ``instrument`` module.

        One that cannot be read, or that a package shadows, is there and may hold inserted code.
        """
        if self.index.failure(name) is not None or self.index.module(name) is not None:
            return False
        path = self.plan.root / relative
        return not (path.exists() or path.is_symlink())

    def _take_out_unrecorded(self, event_types: frozenset[str] | None) -> None:
        """Take out calls of ``event_types`` (None: any) that the manifest does not record.

        A module the plan does not instrument may hold log calls an earlier run inserted: the
        manifest was lost, damaged, or written by a version that did not record the patches; a
        recorded module was moved; a handler was moved by hand, call and all, into another
        module; a module was copied. Only calls exactly as generate writes them are taken out
        (any other, or one with a comment, may be the user's own, and stays); the plan's and
        recorded modules are handled on their own.
        """
        plan = self.plan
        current = {plan.module_path(module) for module, _ in plan.instrument}
        current.update(path for path, _ in self.previous.instrumented)
        # generate says why such a call goes, and how to keep one; remove takes out every call.
        reason = "" if self.removing else OUTSIDE_THE_PLAN
        # Calls of the layer as it was (the same as now when nothing is recorded). A module
        # without the context keys in its text holds no call as generate writes it: it is not
        # scanned for routes at all (the keys are string constants it writes plainly).
        words = ("event_logger", *CONTEXT_KEYS)
        for module, index, packages in self._modules_of_layouts(words, current):
            # Also where the logger's import is gone: a handler moved by hand without it keeps
            # calls of a name bound nowhere (see orphaned_logger), still the inserted ones.
            editor = self._unrecorded_editor(module, index)
            for package in packages:
                uninstrument_module(
                    editor, event_types, package, force=False, only_ours=True, reason=reason
                )
            self._keep_if_edited(editor)

    def _unwire_unrecorded(
        self, app_module: str | None, layouts: list[tuple[str, str, tuple[str, ...]]]
    ) -> None:
        """Take out the wiring, exactly as generate wrote it, of modules not recorded as wired.

        Modules of the packages of ``layouts`` (see :meth:`_layouts`); the app's module is
        wired (or unwired) on its own.
        """
        skipped = set() if app_module is None else {app_module}
        for module, index, packages in self._modules_of_layouts(("telemetry",), skipped, layouts):
            editor = self._unrecorded_editor(module, index)
            for package in packages:
                unwire_app(editor, package, router=True, capture=True, force=False, only_ours=True)
            self._keep_if_edited(editor)

    def _layouts(self, *, recorded_only: bool = False) -> list[tuple[str, str, tuple[str, ...]]]:
        """Where patches may be: each backend folder, with the layers its code may import.

        The plan's and the last run's layout (the layer as the last run had it), and those the
        committed records name (a branch merged in patched another folder), where that folder
        and its app package are there: through any layer a record or the plan names. With
        ``recorded_only``, only the last ones.
        """
        plan = self.plan
        history = self.history.patched
        ours = {(plan.backend, plan.app_package), (self.old_backend, self.old_app_package)}
        layouts: dict[tuple[str, str], tuple[str, ...]] = dict.fromkeys(ours, (self.old_package,))
        layers = self._layer_names()
        for backend in sorted(history.backends):
            for app_package in sorted(history.app_packages):
                if (backend, app_package) in layouts:
                    continue
                try:
                    folder = contained_path(
                        plan.root, PurePosixPath(backend, *app_package.split(".")).as_posix()
                    )
                except FileProblem:
                    continue  # a record naming a folder outside the root: not one to read
                if folder.is_dir():
                    packages = tuple(qualified(app_package, layer) for layer in layers)
                    layouts[backend, app_package] = packages
        return [
            (backend, app, packages)
            for (backend, app), packages in sorted(layouts.items())
            if not (recorded_only and (backend, app) in ours)
        ]

    def _recorded_layers(self) -> list[str]:
        """The layer packages (dotted) the committed records may have wired, in any layout."""
        if not self.history.patched.instrumented:
            return []  # no record in git patched anything: no other layer to look for
        apps = {self.plan.app_package, self.old_app_package}
        apps.update(app for _, app, _ in self._layouts(recorded_only=True))
        return sorted(qualified(app, layer) for app in apps for layer in self._layer_names())

    def _layer_names(self) -> list[str]:
        """The names the layer had: the plan's, the last run's, and the committed records'.

        The default name is never written down: it is one of them once the tool ran in that
        history at all (a branch that kept it, merged with one that renamed the layer).
        """
        return sorted({self.plan.layer_package, self.old_layer, *self._history_layers()})

    def _history_layers(self) -> set[str]:
        """The layer names of the committed records, the default one among them if it ran."""
        history = self.history.patched
        # Before the tool ran in that history, an `analytics` package is the user's own.
        return set(history.layers) | ({DEFAULT_LAYER_PACKAGE} if history.instrumented else set())

    def _modules_of_layouts(
        self,
        words: tuple[str, ...],
        skipped: set[str],
        layouts: list[tuple[str, str, tuple[str, ...]]] | None = None,
    ) -> Iterator[tuple[ModuleModel, PackageIndex, tuple[str, ...]]]:
        """Modules whose text says each of ``words``, but those at ``skipped``, in every layout.

        The package as it is, as the last run patched it (a module moved there went with its
        code), and as committed records have it (see :meth:`_layouts`), or those of
        ``layouts``; with the layer packages its code may import there.
        """
        plan = self.plan
        # A module linked to one of those, or to one this run already edits, is that file: an
        # edit of its own would write the file twice (the second write refused as a race).
        taken: set[str] | None = None
        for backend, app_package, packages in self._layouts() if layouts is None else layouts:
            index = self._layout_index(backend)
            for name in self._listed(backend, app_package):
                source = index.source(name)
                if (
                    source is None
                    or source.path in skipped
                    or not all(word in source.text for word in words)
                ):
                    continue
                if taken is None:
                    taken = {
                        os.path.realpath(plan.root / path) for path in skipped | set(self.editors)
                    }
                real = os.path.realpath(plan.root / source.path)
                if real in taken:
                    continue
                taken.add(real)
                module = index.module(name)
                if module is not None:
                    yield module, index, packages

    def _unrecorded_editor(self, module: ModuleModel, index: PackageIndex) -> ModuleEditor:
        """The editor of a module this run may not otherwise patch (see _keep_if_edited).

        A new one knows the stubs the record says its calls stand in for.
        """
        editor = self.editors.get(module.path)
        if editor is None:
            editor = ModuleEditor(module, index, self.first_party)
            editor.stubs = self._recorded_stubs(module.path)
        return editor

    def _keep_if_edited(self, editor: ModuleEditor) -> None:
        """Make ``editor``'s module a file of this run, if new to it, once it changed anything."""
        path = editor.module.path
        if path not in self.editors and (editor.edits.changes or editor.edits.notes):
            self.editors[path] = editor
            self.order.append(path)

    def _check_logged_types(self) -> None:
        """Name every call of the logger, anywhere in the package, with an undeclared type."""
        declared = frozenset(self.plan.event_types)
        events = self.plan.events
        for name in self._listed(self.plan.backend, self.plan.app_package, skip_tests=False):
            source = self.index.source(name)
            if source is None or "event_logger" not in source.text:
                continue
            module = self.index.module(name)
            if module is None:
                continue
            known = module.path in self.editors
            editor = self.editors.get(module.path) or ModuleEditor(
                module, self.index, self.first_party
            )
            check_logged_calls(editor, declared, events, self.package)
            if not known and editor.edits.own_calls:
                self.editors[module.path] = editor
                self.order.append(module.path)

    def _line_served_apps(self) -> frozenset[tuple[str, str]]:
        """The apps the project's server lines serve; none when removing (every app counts).

        See :func:`~telemetry_cli.run_files.line_served_apps`.
        """
        if self.removing:
            return frozenset()
        from telemetry_cli.run_files import line_served_apps

        named = line_served_apps(self.plan.root, self.plan.backend)
        # A name the line serves is read for the app it holds, through the module's bindings:
        # one re-exported (`from app.routes import side` in main.py, served as `main:side`), a
        # factory returning one (`uvicorn --factory app.routes:create_side`). Only an app the
        # package builds counts: a name holding none adds nothing.
        held = {self._app_named(module, attribute) for module, attribute in named}
        return named | frozenset(key for key in held if key is not None)

    def _app_named(self, module: str, attribute: str) -> tuple[str, str] | None:
        """The app ``attribute`` of ``module`` holds, or the factory so named returns."""
        model = self.index.module(module)
        if model is None or attribute not in model.scope.bindings:
            return None
        name = ast.Name(id=attribute, ctx=ast.Load())
        # Followed through the module's imports to the binding it names (as `site_apps` does).
        binding = self.index.binding_of(name, model.scope)
        if binding is None:
            return None
        if binding.kind == "function":
            return self.index.factory_app(ast.Call(func=name, args=[], keywords=[]), model.scope)
        return self.index.app_key(binding)

    def _package_module_names(self, found_module: str | None) -> list[str]:
        """The dotted names of the package's modules, and of the app's module if outside it."""
        plan = self.plan
        names = self._listed(plan.backend, plan.app_package)
        if found_module is not None:
            app_module = self.module_at(found_module)
            if app_module is not None and app_module.name not in names:
                names.append(app_module.name)
        return names

    def _beside_package(self) -> list[str]:
        """The top-level modules of the backend folder beside the app package (``run.py``)."""
        plan = self.plan
        if not plan.app_package:
            return []  # the flat layout: they are the package's modules
        folder = plan.root / plan.backend
        return [path.stem for path in sorted(folder.glob("*.py")) if path.stem.isidentifier()]

    def _check_collisions(self, names: list[str], site: AppSite | None) -> None:
        """Name the routes, routers and mounts that would answer instead of the telemetry API."""
        plan = self.plan
        # A layer the tool wrote elsewhere (before the backend or app package moved) is taken
        # out by this run or reported on its own: its telemetry routes are not the user's.
        names = [
            name
            for name in names
            if (source := self.index.source(name)) is None
            or not carries_header(source.path, source.text.encode("utf-8"))
        ]
        collisions = find_collisions(self.index, names, plan.api_prefix, plan.config_shown, site)
        if site is not None:
            collisions += mount_clashes(site, self.index, plan.api_prefix, plan.config_shown)
        for collision in collisions:
            module = self.module_at(collision.path)
            if module is None:
                continue
            editor = self.editors.get(module.path)
            if editor is None:
                editor = self.editor_for(module)
            editor.edits.problems.append(collision.message)

    @staticmethod
    def _limit_notes(module: ModuleModel, before: str, after: str) -> list[str]:
        """The module limits of the project's linters the patch tips over, one line each."""
        if before == after:
            return []
        return [
            f"{module.path}: the inserted lines make {crossed}"
            for crossed in module_notes(before, after, module.linter_limits)
        ]

    def _import_order_notes(self, module: ModuleModel, before: str, after: str) -> list[str]:
        """A line when flake8-import-order takes the inserted import for a third-party one.

        Its ``application-import-names`` lists the project's own packages; the layer's (a new
        top-level package in a flat layout: ``analytics``) is not on it until the user adds
        it, and every module the import goes into gets ``I100``/``I201`` until then.
        """
        top = self.first_party
        written = re.compile(rf"^(?:from|import)[ \t]+{re.escape(top)}(?:\.|[ \t])", re.M)
        if len(written.findall(after)) <= len(written.findall(before)):
            return []
        names = self.backend.styles.application_import_names(module.path)
        if names is None or top in names:
            return []
        return [
            f"{module.path}: flake8-import-order's application-import-names "
            f"({', '.join(sorted(names))}) does not name `{top}`, the package of the inserted "
            f"import, which it then reports among the project's imports as a third-party one "
            f"(I100, I201): add `{top}` to it"
        ]

    def _result(self, path: str) -> PatchedFile:
        if path in self.errors:
            return self.errors[path]
        editor = self.editors[path]
        edits = editor.finish()
        data, source = self.backend.texts[path]
        lines = editor.module.lines
        new_text = lines.apply(edits.insertions, edits.deletions)
        self._left_texts[path] = new_text
        # A module whose merge conflicts were resolved differs from its bytes even unedited.
        resolved = path in self.backend.resolved
        try:
            new = source.encode(new_text, path) if new_text != source.text or resolved else data
        except FileProblem as problem:
            return PatchedFile(path, data, None, error=problem.message)
        diff = None
        if not resolved:  # else from the bytes on disk, not from the text read
            diff = functools.partial(
                lines.unified_diff,
                edits.insertions,
                edits.deletions,
                f"a/{path}",
                f"b/{path}",
                start=BOM if source.bom else "",
            )
        return PatchedFile(
            path,
            data,
            new,
            tuple(edits.changes),
            tuple(edits.problems),
            own_calls=tuple(edits.own_calls),
            notes=(
                *edits.notes,
                *self._limit_notes(editor.module, source.text, new_text),
                *self._import_order_notes(editor.module, source.text, new_text),
            ),
            encoding=source.encoding,
            diff=diff,
            inserts=bool(edits.insertions),
        )


def _module_name(backend: str, path: str) -> str | None:
    """The dotted name of the module at a root-relative path under ``backend`` (None: not one)."""
    try:
        relative = PurePosixPath(path).relative_to(backend or ".")
    except ValueError:
        return None  # not under that folder: not a module of it
    parts = list(relative.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _in_package(path: str, backend: str, app_package: str) -> str | None:
    """A root-relative ``path`` relative to the app package's folder; None when outside it."""
    folder = PurePosixPath(backend, *app_package.split(".")).as_posix()
    if folder in {"", "."}:
        return path
    return path[len(folder) + 1 :] if path.startswith(f"{folder}/") else None


def _module_at(index: PackageIndex, backend: str, path: str) -> ModuleModel | None:
    """The module of ``index`` at a root-relative path under ``backend``, if it can be read."""
    name = _module_name(backend, path)
    module = None if name is None else index.module(name)
    return module if module is not None and module.path == path else None


def _absent_module(plan: Plan, key: str, relative: str, recorded: str | None) -> str:
    """Why the ``instrument`` key ``key`` names no module (no file at ``relative``), one line.

    ``recorded``: the event type the manifest records for it (instrumented by an earlier run,
    deleted or moved since), else None (never instrumented: a typo, a module not written yet).
    The config file is named as the plan's other errors name it (:func:`shown_path`); a key the
    user never wrote (no ``instrument`` table: the key's default) is said to be the default.
    """
    config = shown_path(plan.config_file)
    table = f"[tool.{TOOL_SECTION}.instrument]"
    what = (
        f"{relative} is a folder, not a module"
        if (plan.root / relative).is_dir()
        else f"{relative} not found"
    )
    since = " (instrumented before, deleted or moved since)" if recorded is not None else ""
    if plan.instrument_default:
        return (
            f"{config}: the default instrument {quoted(key)} (no {table} table): {what}{since}; "
            f'add an `{table}` table naming your route modules ("routes.py" = "<event type>"), '
            "then rerun"
        )
    return (
        f"{config}: [tool.{TOOL_SECTION}] instrument.{json.dumps(key, ensure_ascii=False)}: "
        f"{what}{since}; restore it, or change or drop that key, then rerun"
    )


def _missing(plan: Plan, index: PackageIndex, name: str, relative: str) -> str:
    """Why an ``instrument`` module cannot be patched, as one line."""
    failure = index.failure(name)
    if failure is not None:
        return f"{failure[1]}; fix it and rerun"
    module = index.module(name)
    if module is not None and module.path != relative:
        # `app.py` beside `app/__init__.py`: `import app` imports the package, never the file.
        return (
            f"{relative}: shadowed by {module.path} (Python imports the package {name}, never "
            f"this file); name that module in the plan in {plan.config_shown}, or drop it"
        )
    return f"{relative}: not found; create it or fix the plan in {plan.config_shown}"


# --- one module at a time (the patch tables of the tests) -------------------------------------


class PatchResult(NamedTuple):
    """The outcome of patching one source text: the new text, what was done, what was not.

    ``changes`` are the edits made, then the notes on what the log calls leave out.
    """

    source: str
    changes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    #: The stub statements its log calls stand in for, by handler (see ``PatchRecord.stubs``):
    #: what :func:`uninstrument_source` needs to give back the original.
    stubs: tuple[tuple[str, Stub], ...] = ()


# The patch tables are written at this repository's own line length (a project's comes from its
# formatter configuration, see :mod:`.style`).
TABLE_LINE_LENGTH = 100


def edit_source(
    source: str,
    module_name: str,
    analytics_package: str,
    edit: Callable[[ModuleEditor], object],
    line_length: int = TABLE_LINE_LENGTH,
    stubs: tuple[tuple[str, Stub], ...] = (),
) -> PatchResult:
    """Parse ``source`` as the one module of a package, apply ``edit``, return the result.

    ``stubs``: the stub statements earlier calls stand in for (an earlier result's).

    Raises:
        PatchError: the source does not parse (or ``edit`` refuses it).
    """
    sources = {module_name: source}

    def read(name: str) -> ModuleSource | None:
        text = sources.get(name)
        path = module_name.replace(".", "/") + ".py"
        return (
            None
            if text is None
            else ModuleSource(name, path, text, False, FormatStyle(line_length))
        )

    index = PackageIndex(read)
    module = index.module(module_name)
    if module is None:
        try:
            parse(source)
        except ParseFailure as failure:
            raise PatchError(str(failure)) from None
        raise PatchError("cannot parse")  # pragma: no cover
    editor = ModuleEditor(module, index, analytics_package.split(".")[0])
    editor.stubs = dict(stubs)
    edit(editor)
    edits = editor.finish()
    return PatchResult(
        module.lines.apply(edits.insertions, edits.deletions),
        (*edits.changes, *edits.notes),
        (*edits.problems, *edits.own_calls),
        tuple(sorted(edits.stubs.items())),
    )


def wire_source(
    source: str, *, module_name: str, analytics_package: str, capture_errors: bool
) -> PatchResult:
    """Wire the telemetry router into the one app built in ``source``.

    Raises:
        PatchError: the source does not parse, or has no app or several.
    """

    def wire(editor: ModuleEditor) -> None:
        try:
            found = choose_in_module(editor.module, editor.index)
        except UserError as error:
            raise PatchError(error.message) from None
        wire_app(editor, found.site, analytics_package, capture_errors=capture_errors)

    return edit_source(source, module_name, analytics_package, wire)


def instrument_source(
    source: str,
    *,
    module_name: str,
    analytics_package: str,
    event_type: str,
    line_length: int = TABLE_LINE_LENGTH,
) -> PatchResult:
    """Add a log call of ``event_type`` to every route handler of ``source``.

    Raises:
        PatchError: the source does not parse.
    """
    return edit_source(
        source,
        module_name,
        analytics_package,
        lambda editor: instrument_module(editor, event_type, analytics_package),
        line_length,
    )


def uninstrument_source(
    source: str,
    *,
    module_name: str,
    analytics_package: str,
    event_types: frozenset[str],
    force: bool = False,
    stubs: tuple[tuple[str, Stub], ...] = (),
) -> PatchResult:
    """Take out the log calls of ``event_types`` that generate inserted in ``source``.

    A handler marked ``# telemetry-scaffold: skip`` keeps its call, as ``generate`` keeps it
    when the plan drops the type (it never touches a skipped handler).
    ``stubs``: the stub statements the calls stand in for (the instrumenting result's), put back.

    Raises:
        PatchError: the source does not parse.
    """
    return edit_source(
        source,
        module_name,
        analytics_package,
        lambda editor: uninstrument_module(
            editor, event_types, analytics_package, force=force, leave_skipped=True
        ),
        stubs=stubs,
    )


def unwire_source(
    source: str,
    *,
    module_name: str,
    analytics_package: str,
    router: bool = True,
    capture: bool = True,
    force: bool = False,
) -> PatchResult:
    """Take out the telemetry router's include and the error capture hook from ``source``.

    Raises:
        PatchError: the source does not parse.
    """
    return edit_source(
        source,
        module_name,
        analytics_package,
        lambda editor: unwire_app(
            editor, analytics_package, router=router, capture=capture, force=force
        ),
    )


def _is_package(folder: Path) -> bool:
    """Whether ``folder`` holds an ``__init__.py``; one that may not be looked into holds none."""
    try:
        return Path(folder, "__init__.py").is_file()
    except OSError:  # a folder of another user's (a database volume, mode 700)
        return False
