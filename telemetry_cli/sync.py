"""Compare the project with the plan, and bring it in line.

:func:`compute` reads the project and decides, file by file, what ``generate`` would do, without
writing anything; ``--check`` and ``--diff`` stop there. :func:`apply` then carries the decision
out with atomic writes. Hand edits to generated files are detected through a small committed
manifest of the hashes the tool last wrote, so they are never overwritten silently.
"""

from __future__ import annotations

import difflib
import json
import re
import stat
import warnings
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import cast

from telemetry_cli import __version__
from telemetry_cli.console import printable, shown_path
from telemetry_cli.errors import PARSE_ERRORS, ConfigError, PatchError, UserError
from telemetry_cli.files import (
    FileProblem,
    atomic_write,
    backup_path,
    conflict_marker_line,
    conflict_sides,
    contained_path,
    leftover_temp_files,
    read_bytes,
    read_head,
    real_path,
    remove_temp_file,
    require_writable,
    resolve,
    unresolved_conflict,
)
from telemetry_cli.install_steps import (
    FileTexts,
    TextReader,
    builds_images,
    flat_layout_catches,
)
from telemetry_cli.layer_requires import old_dependency_notes
from telemetry_cli.manifest import (
    MANIFEST_PATH,
    LeftPatch,
    Manifest,
    PatchRecord,
    as_written,
    carries_own_digest,
    foreign_entries_note,
    manifest_file,
    merges_generated,
    merges_unedited,
    read_manifest_file,
    render_manifest,
    sha256,
    sorted_left,
)
from telemetry_cli.patching import PatchedFile, ProjectPatches, analyze
from telemetry_cli.patching.symbols import analysis_run
from telemetry_cli.plan import (
    CONFIG_FILENAME,
    DEFAULT_LAYER_PACKAGE,
    TOP_LEVEL,
    Plan,
    holds_plan,
    layer_dir,
    qualified,
)
from telemetry_cli.render import (
    OUTPUTS,
    Place,
    RenderedFile,
    carries_header,
    is_generated_file,
    outputs_for,
    render_context,
    renders_by_version,
    says_generated,
    template_context,
)
from telemetry_cli.vcs import ManifestHistory, conflict_stages, tracked_files

# The label of a patched file whose problems the tool will not fix (see PatchResult.problems).
MANUAL_FIX = "needs manual fix"


class Status(StrEnum):
    """What ``generate`` does (or would do) to one file."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    PATCHED = "patched"
    REMOVED = "removed"
    REFUSED = "refused"
    ERROR = "error"


# What apply() does not write: nothing to do, refused (a hand edit), or not possible.
_LEFT_ALONE = frozenset({Status.UNCHANGED, Status.REFUSED, Status.ERROR})
# A file that --force replaces or removes, which the tool cannot show it wrote: not "hand edits".
_FOUND = "the file found there"


class Kind(StrEnum):
    """Who owns a file: the tool (generated), the user (patched), or nobody any more."""

    GENERATED = "generated"
    PATCHED = "patched"
    OBSOLETE = "obsolete"
    MANIFEST = "manifest"
    TEMPORARY = "temporary"  # left by an interrupted run: removed


@dataclass
class FileChange:
    """The decision for one file.

    ``old``/``new`` are the bytes on disk and the bytes wanted (None: absent / to remove).
    ``labels`` explain why it is out of date: missing, stale, hand-edited, obsolete, unpatched.
    ``messages`` say what was or would be done; ``problems`` need a person (and fail the run).
    """

    path: str
    kind: Kind
    status: Status
    old: bytes | None
    new: bytes | None
    labels: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    backup: str | None = None
    # What the backup holds, for the line naming it: hand edits, a copy, a file found there.
    kept: str = "hand edits"
    # Patched files bring their diff, built from the edits (difflib is quadratic on them).
    known_diff: Callable[[], str] | None = None
    bookkeeping: bool = False
    # A patched file whose edits put code in (that may import the layer), not only take it out.
    inserts: bool = False
    # What a patched file's log calls leave out: said on every run, up to date or not.
    notes: tuple[str, ...] = ()
    # The encoding of the file's bytes (a module's coding declaration), which its diff is in.
    encoding: str = "utf-8"

    @property
    def up_to_date(self) -> bool:
        """True when ``generate`` has nothing to do here and nothing to complain about.

        A bookkeeping update of the manifest (the version or plan fingerprint it records) is
        written by ``generate`` but is not drift.
        """
        return (self.status is Status.UNCHANGED or self.bookkeeping) and not self.problems

    @property
    def needs_manual_fix(self) -> bool:
        """True when no run of ``generate`` can fix this: a person must edit the file."""
        return self.status is Status.ERROR or bool(self.problems)

    @property
    def needs_force(self) -> bool:
        """True when ``generate`` refuses because of a hand edit that ``--force`` would replace."""
        return self.status is Status.REFUSED and "hand-edited" in self.labels

    def diff(self) -> str:
        """A unified diff from what is on disk to what ``generate`` would write (as text)."""
        if self.status in (Status.ERROR, Status.UNCHANGED):
            return ""
        if self.known_diff is not None:
            return self.known_diff()
        before = _lines(self.old)
        after = _lines(self.new)
        # The path may be a file name found on disk or in the manifest: escaped in the header,
        # which it would otherwise break (a line end) or use to drive the terminal.
        shown = printable(self.path)
        return "".join(
            difflib.unified_diff(
                before,
                after,
                fromfile=f"a/{shown}" if self.old is not None else "/dev/null",
                tofile=f"b/{shown}" if self.new is not None else "/dev/null",
            )
        )


def _lines(data: bytes | None) -> list[str]:
    if data is None:
        return []
    text = data.decode("utf-8", errors="replace")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


@dataclass
class SyncReport:
    """Every decision of one run, in a stable order."""

    plan: Plan
    changes: list[FileChange] = field(default_factory=list)
    command: str = "generate"  # or "remove": what to rerun, in messages
    # What the manifest recorded when the run read it (empty: absent or damaged), and the one
    # it writes at the end (None: none): apply() records both plans from them (see
    # _record_intent) without reading or parsing the file again.
    recorded: Manifest = field(default_factory=Manifest)
    wanted: Manifest | None = None

    @property
    def up_to_date(self) -> bool:
        """True when nothing would change and nothing needs a person."""
        return all(change.up_to_date for change in self.changes)

    @property
    def failed(self) -> bool:
        """True when something was refused, could not be handled, or needs a person."""
        return any(
            change.status in (Status.REFUSED, Status.ERROR) or change.problems
            for change in self.changes
        )

    def counts(self) -> dict[str, int]:
        """How many files ended in each status, in a fixed order."""
        counter = Counter(change.status.value for change in self.changes)
        return {status.value: counter[status.value] for status in Status if counter[status.value]}


def compute(plan: Plan, *, force: bool = False, writing: bool = True) -> SyncReport:
    """Decide what ``generate`` would do, reading but never writing.

    ``writing``: the decisions are to be carried out (``apply``); a write-protected user module
    to patch is an error only then, never for ``--check`` or ``--diff``.
    """
    report = SyncReport(plan=plan)
    root = plan.root
    if not (root / plan.app_dir).is_dir():
        # Generating into a folder that does not exist almost always means a typo in the plan.
        raise ConfigError(
            f"{plan.app_dir}: app package folder not found; create it or fix "
            f"backend / app-package in {plan.config_shown}"
        )
    # Read once: the bytes apply() compares before writing and the records are one reading.
    on_disk = read_manifest_file(root)
    manifest = report.recorded = _with_patch_layout(root, on_disk.manifest)
    _refuse_newer_manifest(manifest)
    _refuse_other_plan(plan, manifest)
    recorded = manifest.files
    _refuse_clash(plan, recorded)
    wanted_hashes: dict[str, str] = {}

    planned = {output.path(plan) for output in outputs_for(plan)}
    # Layer modules this run may remove: what imports them after it must not lose them.
    leaving = {path for path in recorded if path not in planned}
    leaving.update(
        path
        for path in (output.path(plan) for output in OUTPUTS)
        if path not in planned and (root / path).is_file()
    )
    # A layer beside the plan's (a newer plan's, left by a checkout) goes too, unless imported.
    # Asked of git once, by the look for other plans' outputs and by the patches' analysis.
    history = ManifestHistory(root, MANIFEST_PATH)
    beside = _sibling_output_paths(plan, recorded, history)
    leaving.update(beside)
    watched_paths = sorted(path for path in leaving if _layer_module(plan, path))
    watched = sorted({_layer_module(plan, path) or "" for path in watched_paths})
    with analysis_run():
        project = analyze(
            plan, manifest.patched, force=force, watched=tuple(watched), history=history
        )
    beside = _beside_once_patched(plan, recorded, history, project, beside)
    # The files the analysis could not patch: what it recorded of them is already the old.
    unpatched = frozenset(patched.path for patched in project.files if patched.new is None)
    if writing:
        project.files = _writable(root, project.files)
    # Documents claim as done only what this run achieved.
    failed = frozenset(
        patched.path for patched in project.files if patched.error or patched.problems
    )
    # The quickstart and the image note both read the Dockerfiles: once, with one reader.
    # The app module's PEP 723 block comes from the bytes the analysis read, not a second read.
    texts = FileTexts({root / path: data for path, data in project.read.items()})

    def render(failed: frozenset[str]) -> tuple[list[FileChange], dict[str, str], str]:
        return _generated_changes(plan, project, failed, texts, manifest, force=force)

    generated, generated_hashes, fingerprint = render(failed)
    patches = [_patch_change(patched) for patched in project.files]
    broken_layer = [
        change.path
        for change in generated
        if change.status in (Status.ERROR, Status.REFUSED)
        and change.path.startswith(plan.analytics_dir + "/")
    ]
    held = {change.path for change in patches if _held_back(change)} if broken_layer else set()
    if held - failed:
        # A patch the broken layer holds back is not done: the documents must not say it is.
        # Rendered again only then (the layer edited by hand), never in the common case.
        generated, generated_hashes, fingerprint = render(failed | held)
    report.changes.extend(generated)
    wanted_hashes.update(generated_hashes)

    _note_flat_layout(plan, report.changes)
    rendered_paths = {change.path for change in generated}
    failed_outputs = [change.path for change in report.changes if change.status is Status.ERROR]
    # The digests written, recorded or now, kept up to date as the loop records kept files: one
    # merge for the loop, not one per entry (a manifest of n entries cost n merges of n each).
    written = {**recorded, **wanted_hashes}
    rendered_here = _Rendered(root, rendered_paths)
    for path in sorted(set(recorded) - rendered_paths):
        if rendered_here.reaches(path):
            # The manifest names an output by another name (the layer's folder renamed and
            # linked back, say): judged as obsolete, it was deleted, or hashed mid-write.
            continue
        obsolete = _obsolete_change(root, path, recorded[path], project.read, written, force=force)
        if obsolete is None:
            continue
        if failed_outputs and obsolete.status is Status.REMOVED:
            # Removing the old outputs before their replacements exist would leave neither.
            obsolete = _keep_obsolete(obsolete, failed_outputs)
        report.changes.append(obsolete)
        if obsolete.status is not Status.REMOVED:
            wanted_hashes[path] = written[path] = recorded[path]
    unrecorded = _unrecorded_obsolete(
        plan, recorded, rendered_paths, project.read, beside, wanted_hashes, force=force
    )
    for orphan in unrecorded:
        if failed_outputs and orphan.status is Status.REMOVED:
            orphan = _keep_obsolete(orphan, failed_outputs)
        report.changes.append(orphan)

    if broken_layer:
        # User code is wired only to the generated layer: not to one that could not be written,
        # nor to a file there that the tool did not write (it may lack the names imported).
        patches = [_hold_back(change, broken_layer) for change in patches]
    # A user file the run does not write after all (write-protected, or held back for the
    # layer) still holds what the last run put in: recorded so, the next run takes it from there.
    unwritten = frozenset(c.path for c in patches if c.status is Status.ERROR) - unpatched
    if unwritten:
        project.record = project.record.keeping(manifest.patched, unwritten, DEFAULT_LAYER_PACKAGE)
    left_users = _left_layer_users(project.record, manifest.patched)
    # A layer other than the plan's goes whole or stays whole: its modules import each other.
    others = [path for path in watched_paths if path.rpartition("/")[0] != plan.analytics_dir]
    for folder, users in _users_by_layer(plan, others, project.users_of).items():
        left_users[folder] = tuple(dict.fromkeys([*left_users.get(folder, ()), *users]))
    for position, change in enumerate(report.changes):
        importers = project.users_of.get(_layer_module(plan, change.path) or "", ())
        importers = importers or left_users.get(change.path.rpartition("/")[0], ())
        if change.kind is Kind.OBSOLETE and change.status is Status.REMOVED and importers:
            # Removing it would break the app: the module that imports it stays (a hook that
            # was changed by hand, say).
            report.changes[position] = _keep_for(change, list(importers), obsolete=True)
            if change.path in recorded:
                wanted_hashes[change.path] = recorded[change.path]
    report.changes.extend(patches)
    _note_image_layer(plan, report.changes, texts)
    _note_unshipped_layer(plan, report.changes, texts)
    _note_old_dependencies(plan, report.changes, texts, project.entry.path)

    targets = [change.path for change in report.changes] + [MANIFEST_PATH, *recorded]
    report.changes.extend(_leftovers(root, targets))

    old_manifest = on_disk.data
    wanted = report.wanted = Manifest(
        wanted_hashes, project.record, __version__, fingerprint, plan.config_key
    )
    new_manifest = render_manifest(wanted)
    # A new version of the tool, or a plan change that changes no file, only updates the
    # manifest's record of them: generate writes it, --check does not call that drift. A record
    # naming no version is no finished run's: the one a first run writes before its files (see
    # _record_intent), left by a run stopped after them; --check says so until a run finishes.
    bookkeeping = (
        on_disk.parsed is not None
        and not on_disk.parsed.foreign
        and on_disk.parsed.version is not None
        and on_disk.parsed.same_content(wanted)
    )
    if old_manifest is not None and as_written(old_manifest) == new_manifest:
        manifest_status = Status.UNCHANGED
    else:
        manifest_status = Status.CREATED if old_manifest is None else Status.UPDATED
    report.changes.append(
        FileChange(
            path=MANIFEST_PATH,
            kind=Kind.MANIFEST,
            status=manifest_status,
            old=old_manifest,
            new=new_manifest,
            labels=() if manifest_status is Status.UNCHANGED or bookkeeping else ("stale",),
            messages=foreign_entries_note(manifest),
            bookkeeping=bookkeeping,
        )
    )
    return report


def refuse_dangling_folders(report: SyncReport) -> None:
    """Name a link to nothing that a file to create would go under, before anything is written.

    Asked by ``generate`` before it writes and by ``--check``/``--diff`` in text, not by
    ``compute()``: ``health`` and the ``--json`` documents keep their report of the files.

    Writing there fails part way ("File exists": the link is there, what it names is not), and
    ``--check`` and ``--diff`` would show every file under it as to be created, which
    ``generate`` cannot do: the link is what to fix, said once, for every mode alike.

    Raises:
        UserError: naming the link and what it names.
    """
    folders = dict.fromkeys(
        change.path.rpartition("/")[0]
        for change in report.changes
        if change.status is Status.CREATED
    )
    for folder in folders:
        dangling = _dangling_folder(report.plan.root, f"{folder}/-") if folder else None
        if dangling is not None:
            raise UserError(
                f"{dangling[0]}: a link to nothing ({dangling[1]}); nothing was written; remove "
                "the link or make the folder it names, and rerun telemetry-scaffold generate"
            )


def _generated_changes(
    plan: Plan,
    project: ProjectPatches,
    failed: frozenset[str],
    texts: FileTexts,
    manifest: Manifest,
    *,
    force: bool,
) -> tuple[list[FileChange], dict[str, str], str]:
    """The generated outputs' changes, their digests to record, and the plan's fingerprint.

    ``failed``: the user files this run does not patch, which the documents do not claim done.
    One context serves the fingerprint and the rendering (it reads the project's packaging files).
    """
    root = plan.root
    recorded = manifest.files
    changes: list[FileChange] = []
    hashes: dict[str, str] = {}
    context = template_context(plan, project.entry, failed, texts)
    fingerprint = plan_fingerprint(context)
    why = _why_stale(manifest, fingerprint)
    same_inputs = (
        renders_by_version() and manifest.version == __version__ and manifest.plan == fingerprint
    )

    # The bytes of the files found current by their hash: the change is made of those bytes,
    # not of a second read (which could see a file edited in between).
    current: dict[str, bytes] = {}

    def known(path: str) -> bool:
        # This version rendered this context before; a file still as it wrote it is current.
        if not same_inputs or path not in recorded:
            return False
        data = _on_disk(root, path, project.read)
        if data is None or sha256(as_written(data)) != recorded[path]:
            return False
        current[path] = data
        return True

    outputs = render_context(plan, context, known)
    doubled = _linked_to_another_output(root, [output.path for output in outputs])
    for output in outputs:
        if output.path in doubled:
            data = _on_disk(root, output.path, project.read)
            changes.append(
                FileChange(
                    output.path,
                    Kind.GENERATED,
                    Status.REFUSED,
                    data,
                    None if output.content is None else output.content.encode("utf-8"),
                    ("exists",),
                    problems=(doubled[output.path],),
                )
            )
            if output.path in recorded:
                hashes[output.path] = recorded[output.path]
            continue
        if output.content is None:
            data = current[output.path]
            changes.append(FileChange(output.path, Kind.GENERATED, Status.UNCHANGED, data, data))
            hashes[output.path] = recorded[output.path]
            continue
        change = _generated_change(root, output, recorded, project.read, force=force)
        if why and change.status is Status.UPDATED and "stale" in change.labels:
            change.messages = (*change.messages, why)
        changes.append(change)
        # A refused file keeps its old record so that it is still seen as hand-edited later.
        if change.status is Status.REFUSED:
            if output.path in recorded:
                hashes[output.path] = recorded[output.path]
        elif change.status is not Status.ERROR and change.new is not None:
            hashes[output.path] = sha256(change.new)
        elif output.path in recorded:
            hashes[output.path] = recorded[output.path]

    return changes, hashes, fingerprint


def _with_patch_layout(root: Path, manifest: Manifest) -> Manifest:
    """``manifest``, with the layout its patches were made in when it does not record it.

    0.3.0 recorded no backend folder or app package: the plan's was taken for it, but a plan
    that reads the same app folder another way since (``backend/app`` as ``.`` with
    ``backend.app``, or flat) then looked for imports of ``backend.app.analytics`` where
    ``app.analytics`` ones were written, and neither took them out nor replaced them. The
    recorded layer's folder gives the app package's path; of its splits into a backend folder
    and a dotted package, the one only the patched modules import the layer by is the layout.
    Undecided (none, or several), the plan's stays assumed.
    """
    patched = manifest.patched
    if patched.backend is not None or patched.app_package is not None:
        return manifest
    layer = patched.layer_package or DEFAULT_LAYER_PACKAGE
    app_folders = {
        PurePosixPath(path).parent.parent
        for path in manifest.files
        if PurePosixPath(path).parent.name == layer and path.endswith(".py")
    }
    if len(app_folders) != 1:
        return manifest
    parts = app_folders.pop().parts
    modules = [path for path in (patched.wired, *dict(patched.instrumented)) if path]
    # Only import lines matter, written in ASCII: any encoding of the module reads them.
    texts = [(_on_disk(root, path, {}) or b"").decode("latin-1") for path in modules]
    layouts = []
    for cut in range(len(parts) + 1):
        package = ".".join(parts[cut:])
        layer_name = re.escape(f"{package}.{layer}" if package else layer)
        imports = re.compile(rf"^[ \t]*(?:from|import)[ \t]+{layer_name}\.", re.MULTILINE)
        if any(imports.search(text) for text in texts):
            layouts.append(("/".join(parts[:cut]) or ".", package))
    if len(layouts) != 1:
        return manifest
    backend, app_package = layouts[0]
    return replace(manifest, patched=patched._replace(backend=backend, app_package=app_package))


def _refuse_newer_manifest(manifest: Manifest) -> None:
    """Refuse a manifest written by a newer telemetry-scaffold than this one.

    Its templates and records are the newer release's: this one would write its older layer
    over them and drop what it cannot read, as copier refuses an answers file of a newer
    version. The manifest records no format of its own, so no newer release is known to be
    compatible. A version that does not read as ``X.Y.Z`` is taken for an older one.

    Raises:
        ConfigError: the manifest's version is newer than ``__version__``.
    """
    written = _release(manifest.version or "")
    if written is None or written <= (_release(__version__) or written):
        return
    shown = printable(manifest.version or "")
    raise ConfigError(
        f"{MANIFEST_PATH}: written by telemetry-scaffold {shown}, newer than this one "
        f"({__version__}), which would write an older layer over it; upgrade telemetry-scaffold "
        f"to {shown} or later"
    )


def _release(version: str) -> tuple[int, ...] | None:
    """The release numbers a version starts with (``0.17.0rc1``: 0, 17, 0), None if none."""
    found = _RELEASE.match(version)
    return None if found is None else tuple(int(part) for part in found.groups())


# A version's release numbers; a pre-release or local suffix after them is not compared.
_RELEASE = re.compile(r"([0-9]{1,9})\.([0-9]{1,9})\.([0-9]{1,9})")


def _refuse_other_plan(plan: Plan, manifest: Manifest) -> None:
    """Refuse to run a plan on a root whose manifest records another plan's layer and patches.

    A root has one manifest: a second plan (``--config``) would take the first one's files and
    patches over as its own, undo them and leave the first plan's ``--check`` failing. Each plan
    needs a root of its own. A manifest that names no config (the root's ``pyproject.toml``, or
    written before 0.16.0) is that file's plan's while it holds one, else anyone's; a record
    whose config no longer holds a plan (renamed, moved) passes to the plan run now.

    Raises:
        ConfigError: the manifest records the layer of another plan that still exists.
    """
    if manifest.config == plan.config_key or not manifest.records_anything:
        return
    owner = manifest.config or CONFIG_FILENAME
    owner_file = plan.root / owner
    try:
        # Spelt another way (``sub/../b.toml``), it is the plan run now.
        same = owner_file.resolve() == plan.config_file
    except (OSError, RuntimeError, ValueError):
        return  # a link loop, a name too long, a NUL byte: names no config file at all
    if same or not holds_plan(owner_file):
        return
    # Names read from the manifest: escaped, so that the message stays one plain line.
    raise ConfigError(
        f"{MANIFEST_PATH}: records the layer and patches of the plan in {printable(owner)}, not "
        f"of {printable(plan.config_shown)}; one project root keeps one plan: give this plan a "
        "root of its own (--root, a folder holding its config and backend), or first take that "
        f"plan out with telemetry-scaffold remove --root {printable(shown_path(plan.root))} "
        f"--config {printable(shown_path(owner_file))}"
    )


def _refuse_clash(plan: Plan, recorded: dict[str, str]) -> None:
    """Refuse to generate the layer where a module of the user's already has its name.

    A module ``analytics.py`` beside the generated package would be shadowed by it. In the flat
    layout the package is a top-level name of the user's project, so an ``analytics/`` folder
    there that the tool did not write (no file in the manifest, none with the generated header)
    is the user's own package, not an earlier layer to bring up to date: nothing goes into it.

    Raises:
        ConfigError: such a module or package exists.
    """
    module = f"{plan.analytics_dir}.py"
    fix = (
        f"rename it, or give the layer another name with layer-package (layer-package = "
        f'"telemetry") in {plan.config_shown}'
    )
    if (plan.root / module).is_file():
        raise ConfigError(
            f"{module}: a module of yours named like the generated package "
            f"{plan.analytics_package} ({plan.analytics_dir}/), which would shadow it; {fix}"
        )
    folder = plan.root / plan.analytics_dir
    if plan.app_package != TOP_LEVEL or not folder.is_dir():
        return
    prefix = plan.analytics_dir + "/"
    if any(path.startswith(prefix) for path in recorded):
        return
    entries = [path for path in sorted(folder.iterdir()) if path.name != "__pycache__"]
    if entries and not any(is_generated_file(path) for path in entries):
        raise ConfigError(
            f"{plan.analytics_dir}/: a top-level package of yours named like the generated one "
            f"({plan.analytics_package}), which telemetry-scaffold did not write; {fix}"
        )


def _unrecorded_obsolete(
    plan: Plan,
    recorded: dict[str, str],
    kept: set[str],
    read: Mapping[str, bytes],
    beside: list[str],
    written: Mapping[str, str],
    *,
    force: bool,
) -> list[FileChange]:
    """Outputs to remove that the manifest (lost, damaged) does not record: all but ``kept``.

    One whose own digest matches it is provably the tool's, unedited (whatever plan wrote it):
    removed. One with the
    tool's header but other bytes may have been edited by hand: refused (``--force`` removes it,
    keeping a backup). Any other file of that name is the user's, and stays. In a folder beside
    the known ones (``beside``, from :func:`_sibling_output_paths`) only the first kind is taken.
    One holding the bytes of a generated file of another name (``written``: digests by path, or
    one found here) is a copy the user put there: removed too, its bytes kept in a backup (both
    files are, where neither is recorded: which one is the copy cannot be told).
    """
    found: list[tuple[str, bytes, bool]] = []
    for path in [*_output_paths(plan, recorded), *beside]:
        if path in kept or path in recorded:
            continue
        try:
            old = _read(plan.root, path, read)
        except FileProblem:
            continue  # not a file the tool could have written there
        if old is None:
            continue
        # A merge of two unedited generated versions (git followed a folder one branch moved
        # into the other's changes) is as provably the tool's.
        own = carries_own_digest(old) or _merges_unedited(plan.root, path, old)
        if path in beside and not own:
            continue  # beside the known folders, only a file provably the tool's is its own
        found.append((path, old, own))
    # The generated files known by their digest: recorded, written now, and those found here
    # (the manifest lost, the copy's original may be among them).
    known = {**recorded, **written}
    known.update((path, sha256(as_written(old))) for path, old, own in found if own)
    changes = []
    for path, old, own in found:
        if own and _copy_of_another(path, old, known):
            changes.append(_removed_copy(plan.root, path, old))
        elif own:
            changes.append(
                FileChange(path, Kind.OBSOLETE, Status.REMOVED, old, None, ("obsolete",))
            )
        elif says_generated(path, old) and force:
            change = FileChange(
                path, Kind.OBSOLETE, Status.REMOVED, old, None, ("obsolete", "exists")
            )
            change.backup = backup_path(plan.root / path, old).relative_to(plan.root).as_posix()
            change.kept = _FOUND
            changes.append(change)
        elif says_generated(path, old):
            message = (
                "has telemetry-scaffold's header, but the manifest does not record it (lost or "
                f"damaged?), so it may have been edited by hand; restore {MANIFEST_PATH} (from "
                "version control) and rerun, or delete it yourself, or rerun with --force to "
                "remove it (a backup is kept)"
            )
            changes.append(
                FileChange(
                    path,
                    Kind.OBSOLETE,
                    Status.REFUSED,
                    old,
                    None,
                    ("obsolete", "exists"),
                    messages=(message,),
                )
            )
    return changes


def _output_paths(plan: Plan, recorded: dict[str, str]) -> list[str]:
    """Where an output may be: in the plan's folders, and in those of the recorded outputs.

    The manifest may be older than the tree (restored from an earlier commit; a run stopped
    before it wrote its own): an output written since is not named in it, but sits beside the
    outputs it names, in the layer's or the documents' folder of the run that wrote it.
    """
    return _paths_in(_output_folders(plan, recorded))


def _output_folders(plan: Plan, recorded: dict[str, str]) -> dict[Place, set[str]]:
    """The plan's layer and documents folders, and those of the recorded outputs."""
    # Each place's folder under the plan once: the plan's folder properties build paths.
    folders: dict[Place, set[str]] = {
        place: {next(o for o in OUTPUTS if o.place is place).folder(plan)} for place in Place
    }
    for output in OUTPUTS:
        for path in recorded:
            if path.endswith("/" + output.name):
                folders[output.place].add(path[: -len(output.name) - 1])
    return folders


def _paths_in(folders: dict[Place, set[str]]) -> list[str]:
    """Every output's path in each of ``folders`` of its place, in a stable order."""
    return list(
        dict.fromkeys(
            (PurePosixPath(folder) / output.name).as_posix()
            for output in OUTPUTS
            for folder in sorted(folders[output.place])
        )
    )


def _sibling_output_paths(
    plan: Plan,
    recorded: dict[str, str],
    history: ManifestHistory,
    patched: Mapping[str, bytes] | None = None,
) -> list[str]:
    """Outputs in folders beside the known ones: another layer package, another feature.

    A checkout of an older commit brings back its plan and manifest and leaves the files a
    newer plan created: its layer under another ``layer-package`` in the same app package, its
    documents under another ``feature`` in the same specs folder. Neither the plan nor the
    manifest names that folder, but it sits beside one they do, and holds an output that starts
    with the tool's header. Of those, only a file whose own digest matches is the tool's there
    (see :func:`_unrecorded_obsolete`); the user's packages and features beside them hold none.
    ``patched``: the modules this run patches, by path, as they will be (see
    :func:`_add_recorded_elsewhere`).
    """
    known = _output_folders(plan, recorded)
    beside: dict[Place, set[str]] = {place: set() for place in Place}
    for place, folders in known.items():
        names = [output.name for output in OUTPUTS if output.place is place]
        for parent in sorted({PurePosixPath(folder).parent.as_posix() for folder in folders}):
            try:
                entries = sorted(contained_path(plan.root, parent).iterdir())
            except (FileProblem, OSError):
                continue  # not a folder (any more), or one it cannot list: nothing beside
            for entry in entries:
                folder = (PurePosixPath(parent) / entry.name).as_posix()
                if folder in folders or entry.is_symlink() or not entry.is_dir():
                    continue
                # No look first whether each is a file: a folder that may not be looked into
                # (a database's volume) raises there, where the read's answer is "not one".
                if any(_claims_generated(plan.root, f"{folder}/{name}") for name in names):
                    beside[place].add(folder)
    _add_recorded_elsewhere(plan, history, known, beside, patched or {})
    # A known folder may be a link to another folder of the project (`analytics -> shared`):
    # the outputs there are the known ones themselves, reached by another name, not a second
    # layer's. Taken for one, the run deleted the layer it had just found up to date. Judged
    # file by file (see _Rendered): a file there that is no known one is another's.
    known_paths = set(_paths_in(known))
    known_here = _Rendered(plan.root, known_paths)
    return [
        path
        for path in _paths_in(beside)
        if path not in known_paths and not known_here.reaches(path)
    ]


class _Rendered:
    """The one rule for "this path is, through links, one of the files the plan renders".

    A path is one of them when it is the same file on disk as one: a folder of the plan's
    linked to another folder of the project, or the other way round (``analytics -> shared``,
    or the reverse after a rename), or each rendered file a link to a recorded one. Judged by
    the file, not its folder: a file reached through a linked folder that the plan no longer
    renders is obsolete like any other.
    """

    def __init__(self, root: Path, paths: Iterable[str]) -> None:
        self._root = root
        self._paths = set(paths)
        # Each rendered file looked at once: the paths asked about are then one look each.
        self._files = {key for key in map(self._identity, sorted(self._paths)) if key}

    def _identity(self, path: str) -> tuple[int, int] | None:
        try:
            found = (self._root / path).stat()
        except (OSError, ValueError):  # absent, a NUL, a loop: no file of the plan's
            return None
        return (found.st_dev, found.st_ino)

    def reaches(self, path: str) -> bool:
        """Whether ``path``, not rendered by that name, is a rendered file through links."""
        if path in self._paths or not self._files:
            return False
        return self._identity(path) in self._files

    def add(self, path: str) -> None:
        """Count ``path`` as one of the files, from now on."""
        self._paths.add(path)
        if (key := self._identity(path)) is not None:
            self._files.add(key)


def _add_recorded_elsewhere(
    plan: Plan,
    history: ManifestHistory,
    known: dict[Place, set[str]],
    beside: dict[Place, set[str]],
    patched: Mapping[str, bytes],
) -> None:
    """Add to ``beside`` the output folders that earlier committed manifests recorded.

    A checkout of an older commit also leaves a newer plan's outputs under another
    ``specs-dir`` or ``backend``: not beside a known folder. The tree is not walked for them;
    the manifest's own history in git, when there is one, names them cheaply (and names no
    fixture or copy of a generated file). A layer found so that a module of its app package
    still imports is not taken (the user's code would no longer start): as it will be once
    this run patched it (``patched``; a branch merged in wired and instrumented that folder,
    and this run takes its code out), else as it is.
    """
    earlier = history.recorded
    if not earlier:
        return
    tracked: list[str] | None = None
    for output in OUTPUTS:
        suffix = "/" + output.name
        for path in earlier:
            if not path.endswith(suffix):
                continue
            folder = path[: -len(suffix)]
            if folder in known[output.place] or folder in beside[output.place]:
                continue
            if not _claims_generated(plan.root, path):
                continue
            if output.place is Place.PACKAGE:
                tracked = tracked_files(plan.root) if tracked is None else tracked
                if _imported_nearby(plan.root, folder, tracked, patched):
                    continue
            beside[output.place].add(folder)


def _beside_once_patched(
    plan: Plan,
    recorded: dict[str, str],
    history: ManifestHistory,
    project: ProjectPatches,
    beside: list[str],
) -> list[str]:
    """``beside`` looked for again with the modules as this run patches them, if it changes one.

    A layer another branch's record names is kept while a module imports it; the code the run
    takes out (that branch's, merged in) no longer does. Asked again only when the record has
    such a layer and the run changes modules.
    """
    patched = {file.path: file.new for file in project.files if file.new is not None}
    if not patched or not history.recorded:
        return beside
    return _sibling_output_paths(plan, recorded, history, patched)


def _imported_nearby(
    root: Path, layer: str, tracked: list[str], patched: Mapping[str, bytes]
) -> bool:
    """Whether a tracked module of the package holding ``layer`` (outside it) imports it.

    A module in ``patched`` is read as it will be, the others from disk.
    """
    parent, _, name = layer.rpartition("/")
    prefix = parent + "/" if parent else ""
    # Any import statement naming it: the safe side is to keep the layer.
    pattern = re.compile(
        rb"(?m)^[ \t]*(?:from|import)\b[^\n]*\b" + re.escape(name.encode()) + rb"\b"
    )
    for path in tracked:
        if not path.startswith(prefix) or path.startswith(layer + "/") or not path.endswith(".py"):
            continue
        data = patched.get(path)
        if data is None:
            try:
                data = read_bytes(contained_path(root, path), path)
            except FileProblem:
                continue
        if data is not None and pattern.search(data):
            return True
    return False


# Enough of a file's start to hold either form of the do-not-edit header (carries_header).
_HEADER_SIZE = 512


def _claims_generated(root: Path, path: str) -> bool:
    """Whether ``path`` starts with the tool's header: a folder beside the known ones to look in.

    Only the start is read: :func:`_unrecorded_obsolete` decides from the whole file, read once.
    """
    try:
        head = read_head(contained_path(root, path), path, _HEADER_SIZE)
    except FileProblem:
        return False
    return head is not None and carries_header(path, head)


def _on_disk(root: Path, path: str, read: Mapping[str, bytes]) -> bytes | None:
    """A file's bytes (see :func:`_read`); None: absent or unreadable."""
    try:
        return _read(root, path, read)
    except FileProblem:
        return None


def _read(root: Path, path: str, read: Mapping[str, bytes]) -> bytes | None:
    """A file's bytes (None: absent): as the analysis read them this run, else from disk.

    One reading per file per run: what a change is decided from is what was analysed.

    Raises:
        FileProblem: the path leads outside the root, or to no regular file.
    """
    target = contained_path(root, path)
    return read[path] if path in read else read_bytes(target, path)


def _note_flat_layout(plan: Plan, changes: list[FileChange]) -> None:
    """Warn, on the first document, when setuptools would package the specs folder.

    A project built by setuptools' automatic flat-layout discovery takes a new top-level folder
    in as a second package and refuses to build (``pip install .``): said on every run, as the
    folder stays until the plan or the packaging changes.
    """
    package = flat_layout_catches(plan.root, plan.backend, plan.specs_dir)
    documents = [
        change
        for change in changes
        if change.kind is Kind.GENERATED and change.path.startswith(plan.specs_dir + "/")
    ]
    if package is None or not documents:
        return
    parent = PurePosixPath(package).parent.as_posix()
    project = "at the project root" if parent == "." else f"in {parent}/"
    documents[0].notes = (
        *documents[0].notes,
        f"{package}/ is a top-level folder that setuptools' automatic discovery takes in as a "
        f"package (the project {project} relies on it): `pip install .` then fails with "
        '"Multiple top-level packages discovered in a flat-layout", or installs that folder '
        "in place of the project's modules; set specs-dir = "
        f'"docs/specs" in {plan.config_shown} (setuptools skips docs/), or list the '
        "project's packages ([tool.setuptools] packages)",
    )


def _layer_and_importers(
    plan: Plan, changes: list[FileChange]
) -> tuple[list[FileChange], list[str]]:
    """The run's changes of the layer's files, and the user modules it leaves importing them."""
    prefix = plan.analytics_dir + "/"
    layer = [
        change
        for change in changes
        if change.kind is Kind.GENERATED and change.path.startswith(prefix)
    ]
    importers = [
        change.path for change in changes if change.kind is Kind.PATCHED and change.new is not None
    ]
    return layer, importers


def _note_image_layer(plan: Plan, changes: list[FileChange], read: TextReader) -> None:
    """Warn, on the layer's first file, when a Dockerfile's image leaves the layer out.

    Said on every run, as the Dockerfile stays as it is until someone changes it.
    """
    layer, importers = _layer_and_importers(plan, changes)
    if not layer or not importers or not builds_images(plan.root, plan.backend):
        return
    # Imported here: a project with no Dockerfile or compose file does not need the module.
    from telemetry_cli.image_layer import missing_layer_notes

    notes = missing_layer_notes(
        plan.root,
        plan.backend,
        plan.analytics_dir,
        [change.path for change in layer],
        importers,
        read,
    )
    layer[0].notes = (*layer[0].notes, *notes)


def _note_unshipped_layer(plan: Plan, changes: list[FileChange], read: TextReader) -> None:
    """Warn, on the layer's first file, when the project's build would leave the layer out.

    Said on every run, as the packaging stays as it is until someone changes it.
    """
    layer, importers = _layer_and_importers(plan, changes)
    if not layer or not importers:
        return
    # Imported here, as the image layer's reader is: a run with no layer to ship needs neither.
    from telemetry_cli.shipped import unshipped_layer_note

    note = unshipped_layer_note(
        plan.root,
        plan.backend,
        plan.analytics_dir,
        [change.path for change in layer],
        importers,
        read,
    )
    if note is not None:
        layer[0].notes = (*layer[0].notes, note)


def _note_old_dependencies(
    plan: Plan, changes: list[FileChange], read: TextReader, script: str
) -> None:
    """Warn, on the layer's first file, when the backend pins a FastAPI or pydantic too old.

    The floors are :data:`telemetry_cli.layer_requires.LAYER_REQUIRES` (the app starts) and
    ``LAYER_CONTRACT_REQUIRES`` (its OpenAPI document equals the contract). Said on every run, as
    the pin stays until someone changes it.
    """
    prefix = plan.analytics_dir + "/"
    layer = [
        change
        for change in changes
        if change.kind is Kind.GENERATED and change.path.startswith(prefix)
    ]
    if layer:
        notes = old_dependency_notes(plan.root, plan.backend, read, plan.app_dir, script)
        layer[0].notes = (*layer[0].notes, *notes)


def compute_removal(plan: Plan, *, force: bool = False, writing: bool = True) -> SyncReport:
    """Decide what ``remove`` would do: take every patch out, delete every generated file.

    Generated files edited by hand are kept (``--force`` deletes them, keeping a backup); so are
    inserted lines changed since, which are reported. The manifest goes once nothing of the
    layer is left, else it keeps what is left, for a later ``remove --force``. ``writing``: as
    for ``compute``.
    """
    report = SyncReport(plan=plan, command="remove")
    root = plan.root
    on_disk = read_manifest_file(root)
    manifest = report.recorded = _with_patch_layout(root, on_disk.manifest)
    _refuse_newer_manifest(manifest)
    _refuse_other_plan(plan, manifest)
    history = ManifestHistory(root, MANIFEST_PATH)
    beside = _sibling_output_paths(plan, manifest.files, history)
    watched = sorted(filter(None, (_layer_module(plan, path) for path in beside)))
    with analysis_run():
        project = analyze(
            plan,
            manifest.patched,
            force=force,
            removing=True,
            watched=tuple(watched),
            history=history,
        )
    beside = _beside_once_patched(plan, manifest.files, history, project, beside)
    if writing:
        project.files = _writable(root, project.files)
    # User code first: a failure there must not leave imports of files already deleted.
    patches = [_patch_change(patched) for patched in project.files]
    report.changes.extend(patches)
    still_using = [change.path for change in patches if change.problems or change.needs_manual_fix]
    # Code that imports the layer and stays (the user's own calls of the logger, say).
    still_using += [path for path in project.users if path not in still_using]
    not_files = {path: what for path in still_using if (what := _not_a_file(root, path))}
    kept: dict[str, str] = {}
    decided: list[tuple[str, str | None, FileChange | None]] = []
    handled = _Rendered(root, ())
    for name, last in sorted(manifest.files.items()):
        if handled.reaches(name):
            # The manifest names one file by two names (its folder linked): removed by the
            # first, it was found gone by the second, "written by another program".
            continue
        handled.add(name)
        obsolete = _obsolete_change(root, name, last, project.read, manifest.files, force=force)
        decided.append((name, last, obsolete))
    # Outputs the manifest does not record (it was lost): those provably as the tool writes
    # them go too; a generated file that cannot be told from a hand edit is reported.
    decided += [
        (change.path, None, change)
        for change in _unrecorded_obsolete(
            plan, manifest.files, set(), project.read, beside, manifest.files, force=force
        )
    ]
    # Folders of layers that inserted code left in place (see PatchRecord.left) imports.
    left_layers = set(_left_layer_users(manifest.patched, manifest.patched))
    # A layer beside the plan's that code imports stays whole (see compute).
    beside_users = _users_by_layer(plan, beside, project.users_of)
    for path, digest, obsolete in decided:
        if obsolete is None:
            continue
        change = _as_removal(obsolete)
        importers = beside_users.get(change.path.rpartition("/")[0])
        if importers and change.status is Status.REMOVED:
            change = _keep_for(change, importers)
        elif (
            still_using
            and change.status is Status.REMOVED
            and (
                change.path.startswith(plan.analytics_dir + "/")
                or change.path.rpartition("/")[0] in left_layers
            )
        ):
            change = _keep_for(change, still_using, not_files=not_files, unparsed=project.unparsed)
        report.changes.append(change)
        if change.status is not Status.REMOVED and digest is not None:
            kept[path] = digest
    targets = [change.path for change in report.changes] + [MANIFEST_PATH]
    report.changes.extend(_leftovers(root, targets))
    left_patched = any(change.problems or change.status is Status.ERROR for change in patches)
    old_manifest = on_disk.data
    if old_manifest is None and manifest.patched == PatchRecord():
        # Nothing recorded to keep for a later run (remove before any generate): no new file.
        left_patched = False
    if kept or left_patched:
        report.wanted = Manifest(
            kept,
            manifest.patched if left_patched else PatchRecord(),
            manifest.version,
            manifest.plan,
            plan.config_key,
        )
        new_manifest: bytes | None = render_manifest(report.wanted)
        same = old_manifest is not None and as_written(old_manifest) == new_manifest
        status = Status.UNCHANGED if same else Status.UPDATED
    else:
        new_manifest = None
        status = Status.UNCHANGED if old_manifest is None else Status.REMOVED
    if old_manifest is not None or new_manifest is not None:
        report.changes.append(
            FileChange(
                MANIFEST_PATH,
                Kind.MANIFEST,
                status,
                old_manifest,
                new_manifest,
                () if status is Status.UNCHANGED else ("layer",),
                messages=foreign_entries_note(manifest),
            )
        )
    return report


def _left_layer_users(record: PatchRecord, previous: PatchRecord) -> dict[str, tuple[str, ...]]:
    """The folders of the layers that inserted code left in place imports, with its modules.

    ``record`` holds the code left in place; ``previous`` names the layer of an entry that does
    not record its own (as written by 0.9.0 and earlier).
    """
    users: dict[str, list[str]] = {}
    for path, _, backend, app_package, layer in record.left:
        name = layer or previous.layer_package or DEFAULT_LAYER_PACKAGE
        folder = layer_dir(backend, app_package, name)
        if path not in users.setdefault(folder, []):
            users[folder].append(path)
    return {folder: tuple(paths) for folder, paths in users.items()}


def _users_by_layer(
    plan: Plan, paths: Iterable[str], users_of: Mapping[str, tuple[str, ...]]
) -> dict[str, list[str]]:
    """The user modules importing any of ``paths``' layer modules, by the layer's folder.

    A layer other than the plan's goes whole or stays whole: its modules import each other,
    so one of them imported keeps every one.
    """
    users: dict[str, list[str]] = {}
    for path in paths:
        for user in users_of.get(_layer_module(plan, path) or "", ()):
            folder = users.setdefault(path.rpartition("/")[0], [])
            if user not in folder:
                folder.append(user)
    return users


def _keep_for(
    change: FileChange,
    users: list[str],
    *,
    obsolete: bool = False,
    not_files: Mapping[str, str] | None = None,
    unparsed: Collection[str] = (),
) -> FileChange:
    """Keep a layer file that user code still imports after this run.

    ``obsolete``: a file ``generate`` would remove as the plan no longer has it (else ``remove``
    would remove the whole layer). ``not_files``: users found to be no file at all now (see
    :func:`_not_a_file`), said as such: whether they still use the layer is not known.
    ``unparsed``: modules failed as not parsing, not patched: kept for, said as such (what
    they import cannot be read).
    """
    strange = {user: not_files[user] for user in users if not_files and user in not_files}
    unread = [user for user in users if user in unparsed and user not in strange]
    using = [user for user in users if user not in strange and user not in unread]
    reasons = []
    if using:
        shown = ", ".join(using[:3]) + (f" and {len(using) - 3} more" if len(using) > 3 else "")
        verb = "uses" if len(using) == 1 else "use"
        reasons.append(f"{shown} still {verb} {'it' if obsolete else 'the layer'}")
    reasons += [
        f"{user} {what}, so the lines the last run put in it cannot be taken out"
        for user, what in strange.items()
    ]
    reasons += [
        f"{user} does not parse, so whether it uses the layer is not known" for user in unread
    ]
    return FileChange(
        change.path,
        Kind.OBSOLETE if obsolete else Kind.GENERATED,
        Status.REFUSED,
        change.old,
        None,
        ("obsolete",) if obsolete else ("layer",),
        messages=(f"kept: {'; '.join(reasons)}; fix that and rerun",),
    )


def _not_a_file(root: Path, path: str) -> str | None:
    """What stands at a patched file's path when it is no file (a folder, say); None: a file."""
    try:
        mode = (root / path).stat().st_mode
    except (OSError, ValueError):
        return None  # gone or unreadable: its own line says which
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a FIFO, socket or device)"
    return None


def _layer_module(plan: Plan, path: str) -> str | None:
    """The dotted name of a module of a layer in the app package, by its path (None: not one).

    The plan's layer, or one beside it under another ``layer-package`` (an older plan's).
    """
    folder, _, name = path.rpartition("/")
    parent, _, package = folder.rpartition("/")
    if (parent or ".") != plan.app_dir or not name.endswith(".py") or name == "__init__.py":
        return None
    return qualified(plan.app_package, package, name.removesuffix(".py"))


def _as_removal(change: FileChange) -> FileChange:
    """An obsolete-output decision, worded for ``remove``."""
    labels = tuple("layer" if label == "obsolete" else label for label in change.labels)
    messages = change.messages
    if change.status is Status.REFUSED and not {"exists", "not-generated", "conflicted"} & set(
        change.labels
    ):
        messages = (
            "edited by hand since telemetry-scaffold wrote it; kept: delete it yourself, or "
            "rerun with --force to delete it (a backup is kept)",
        )
    return FileChange(
        change.path,
        Kind.GENERATED,
        change.status,
        change.old,
        None,
        labels,
        messages,
        change.problems,
        change.backup,
        change.kept,
    )


def plan_fingerprint(context: dict[str, object]) -> str:
    """A digest of everything the templates are rendered from: their ``context``.

    The user files the run could not patch (which the documents do not claim as done) are
    digested apart, after a ``+``: a change of those alone is told from one of the plan.
    """
    instrument = cast(list[dict[str, object]], context["instrument"])
    undone = [str(item["path"]) for item in instrument if not item["done"]]
    if not context["wired"]:
        undone.append(str(context["main_path"]))
    if not undone:
        return _digest(context)
    claimed = {
        **context,
        "wired": True,
        "instrument": [{**item, "done": True} for item in instrument],
    }
    return f"{_digest(claimed)}+{_digest(undone)}"


def _digest(value: object) -> str:
    return sha256(json.dumps(value, sort_keys=True, default=str).encode("utf-8"))


def _why_stale(manifest: Manifest, fingerprint: str) -> str:
    """Why generated files differ from what was last written.

    The plan changed, or only which user files the runs could patch, or the templates did.
    Fingerprints compare within one release only: they digest the templates' context, whose
    shape is each release's own, so one another release wrote differs whatever the plan did.
    """
    if manifest.version is not None and manifest.version != __version__:
        return (
            f"written by telemetry-scaffold {manifest.version}; its templates changed in "
            f"{__version__} (see CHANGELOG.md)"
        )
    if manifest.plan is not None and manifest.plan != fingerprint:
        if manifest.plan.partition("+")[0] == fingerprint.partition("+")[0]:
            return "the user files it says are patched changed since it was written"
        return "the plan changed since it was written"
    return ""


def _merges_unedited(root: Path, path: str, data: bytes) -> bool:
    """Whether ``data``, holding conflict markers, merges two unedited generated files.

    Each side of every conflict is one (see :func:`merges_unedited`), or, where hunks of both
    branches merged cleanly around the conflicts, git's merge under way says each branch's
    version was (see :func:`merges_generated`): nothing of the user's is in it.
    """
    return conflict_marker_line(data) is not None and (
        merges_unedited(data) or merges_generated(data, conflict_stages(root, path))
    )


def _generated_change(
    root: Path,
    output: RenderedFile,
    recorded: dict[str, str],
    read: Mapping[str, bytes],
    *,
    force: bool,
) -> FileChange:
    assert output.content is not None
    new = output.content.encode("utf-8")
    try:
        old = _read(root, output.path, read)
    except FileProblem as problem:
        return FileChange(
            output.path, Kind.GENERATED, Status.ERROR, None, new, messages=(problem.message,)
        )
    if old is None:
        return FileChange(output.path, Kind.GENERATED, Status.CREATED, None, new, ("missing",))
    written = as_written(old)
    if written == new:
        return FileChange(output.path, Kind.GENERATED, Status.UNCHANGED, old, new)
    linked = _link_to_a_file_of_yours(root, output.path, old)
    if linked is not None:
        return FileChange(
            output.path, Kind.GENERATED, Status.REFUSED, old, new, ("exists",), problems=(linked,)
        )
    last_written = recorded.get(output.path)
    old_digest = sha256(written)
    conflict = conflict_marker_line(old)
    merged = conflict is not None and _merges_unedited(root, output.path, old)
    if conflict is not None and not force and not merged:
        # A merge of sides edited by hand: resolving it is the user's (or --force's) to do.
        return FileChange(
            output.path,
            Kind.GENERATED,
            Status.REFUSED,
            old,
            new,
            ("hand-edited",),
            messages=(
                unresolved_conflict(output.path, old)
                + ", or rerun with --force to replace it (a backup is kept)",
            ),
        )
    if old_digest != last_written and (
        old_digest in recorded.values() or carries_own_digest(old) or merged
    ):
        # Unedited, though the manifest does not say so at this path: the very bytes the tool
        # wrote at another one (the package moved with the folder holding it), a file whose
        # own digest still matches (the manifest lost, or older than the file), or a merge of
        # two such files (two branches' runs). Brought up to date like any recorded output.
        last_written = old_digest
    if last_written is None:
        # Not written by the tool (a hand-written layer, a file of the same name): never
        # "edited by hand since telemetry-scaffold wrote it", and never replaced unasked.
        return _existing(root, output.path, old, new, force=force)
    hand_edited = old_digest != last_written
    stale = last_written != sha256(new)
    labels = tuple(
        label for label, present in (("stale", stale), ("hand-edited", hand_edited)) if present
    )
    if hand_edited and not force:
        return FileChange(
            output.path,
            Kind.GENERATED,
            Status.REFUSED,
            old,
            new,
            labels,
            messages=(
                "edited by hand since telemetry-scaffold wrote it; move your change into the "
                "plan or templates, or rerun with --force to overwrite it (a backup is kept)",
            ),
        )
    change = FileChange(output.path, Kind.GENERATED, Status.UPDATED, old, new, labels)
    if hand_edited:
        change.backup = backup_path(root / output.path, old).relative_to(root).as_posix()
    return change


def _linked_to_another_output(root: Path, paths: list[str]) -> dict[str, str]:
    """The outputs that are links to another output, each with the line refusing it.

    Written through, one output's code would land in the other's file (the logger in the
    router), and every later run would write it back: the two never converge.
    """
    links = [path for path in paths if (root / path).is_symlink()]
    if not links:
        return {}
    owners = {
        real: path
        for path in paths
        if path not in links and (real := real_path(root / path)) is not None
    }
    doubled: dict[str, str] = {}
    for path in links:
        target = real_path(root / path)
        other = None if target is None else owners.get(target)
        if other is not None:
            doubled[path] = (
                f"is a link to {other}, which telemetry-scaffold writes too: never written "
                "through; replace the link with a file of its own (or delete it) and rerun"
            )
    return doubled


def _link_to_a_file_of_yours(root: Path, path: str, old: bytes) -> str | None:
    """Why a generated path that is a link to a file the tool did not write is not written.

    Writing goes through a link (a layout that keeps the documents elsewhere in the project):
    into a copy of a generated file, that is fine. Into one without the tool's header (the app
    module, pyproject.toml, any file of the user's), even --force would replace the user's file
    with generated code, its backup left beside the link. None: not such a link.
    """
    link = root / path
    if not link.is_symlink() or says_generated(path, old):
        return None
    target, top = real_path(link), real_path(root)
    # Inside the root: reading it checked that.
    shown = target.relative_to(top).as_posix() if target and top else str(link.readlink())
    return (
        f"is a link to {printable(shown)}, which telemetry-scaffold did not write (no header): "
        "never written through, --force or not; replace the link with a file of its own (or "
        "delete it) and rerun"
    )


def _existing(root: Path, path: str, old: bytes, new: bytes, *, force: bool) -> FileChange:
    """A file at a generated path that the manifest does not know: kept, or adopted (--force)."""
    if not force:
        message = (
            # Written by us once, but with no record of what: a hand edit cannot be ruled out
            # (the bytes an earlier plan rendered are not known without its record).
            "has telemetry-scaffold's header, but the manifest does not record it (lost or "
            "damaged?), so it may have been edited by hand; restore "
            f"{MANIFEST_PATH} (from version control) and rerun, or check it, then rerun with "
            "--force to replace it (a backup is kept)"
            if carries_header(path, old)
            else "exists, and was not written by telemetry-scaffold (the manifest does not know "
            "it); if it is code of your own, give the layer another name with layer-package "
            '(layer-package = "telemetry") in [tool.telemetry-scaffold], else move it away, or '
            "rerun with --force to replace it (a backup is kept)"
        )
        return FileChange(
            path, Kind.GENERATED, Status.REFUSED, old, new, ("exists",), messages=(message,)
        )
    change = FileChange(path, Kind.GENERATED, Status.UPDATED, old, new, ("exists",))
    change.backup = backup_path(root / path, old).relative_to(root).as_posix()
    change.kept = _FOUND
    return change


def _leftovers(root: Path, targets: list[str]) -> list[FileChange]:
    """Temporary files that interrupted runs left beside ``targets``, to be removed."""
    return [
        FileChange(
            path,
            Kind.TEMPORARY,
            Status.REMOVED,
            None,
            None,
            ("leftover",),
            messages=("a temporary file an interrupted run left behind",),
        )
        for path in leftover_temp_files(root, targets)
    ]


def _obsolete_change(
    root: Path,
    path: str,
    last_written: str,
    read: Mapping[str, bytes],
    written: Mapping[str, str],
    *,
    force: bool,
) -> FileChange | None:
    """What becomes of ``path``, an output the plan no longer has, last written as recorded.

    ``written``: the digests of the generated files by path (recorded, and written now), to
    tell a copy of another one from a later rendering of this one.
    """
    try:
        old = _read(root, path, read)
    except FileProblem as problem:
        location = root / path
        if location.is_dir() and not location.is_symlink():
            # The file the tool wrote is gone, and the folder there now is someone's: nothing
            # to remove, as for a file deleted (before, an error on every run, for ever).
            return None
        return FileChange(
            path, Kind.OBSOLETE, Status.ERROR, None, None, messages=(problem.message,)
        )
    if old is None:
        return None
    as_recorded = sha256(as_written(old)) == last_written
    generated = says_generated(path, old)
    if (as_recorded and generated) or _merges_unedited(root, path, old):
        return FileChange(path, Kind.OBSOLETE, Status.REMOVED, old, None, ("obsolete",))
    if carries_own_digest(old) and not _copy_of_another(path, old, written):
        # Unedited, rendered since the manifest was (checked out from an older commit).
        return FileChange(path, Kind.OBSOLETE, Status.REMOVED, old, None, ("obsolete",))
    if carries_own_digest(old):
        return _removed_copy(root, path, old)
    conflict = conflict_marker_line(old)
    if conflict is not None and all(says_generated(path, side) for side in conflict_sides(old)):
        # Two generated files merged, one side or both edited since: the user's to resolve.
        if not force:
            return _refused_obsolete(
                path,
                old,
                ("obsolete", "hand-edited", "conflicted"),
                messages=(
                    unresolved_conflict(path, old)
                    + ", or rerun with --force to remove it (a backup is kept)",
                ),
            )
        generated = True
    if not generated:
        # Every file the tool writes says so in its first lines: one that does not is a file the
        # tool cannot show it wrote, whatever the manifest says of it (damaged, merged, copied
        # from another project: pyproject.toml, a route module, an app's __init__.py; or an
        # output rewritten as the user's own). It stays, --force or not: only a file with the
        # header and other bytes is an output edited by hand.
        return _refused_obsolete(
            path,
            old,
            ("obsolete", "not-generated"),
            problems=(
                f"recorded in {MANIFEST_PATH} as generated, but it does not carry "
                "telemetry-scaffold's header: kept as a file of yours, --force or not; delete "
                f"it yourself, or take its entry out of {MANIFEST_PATH} (damaged?)",
            ),
        )
    labels = ("obsolete", "hand-edited")
    if not force:
        return _refused_obsolete(
            path,
            old,
            labels,
            messages=(
                "no longer generated by the plan but edited by hand; delete it yourself, or "
                "rerun with --force to remove it (a backup is kept)",
            ),
        )
    return _removed_with_backup(root, path, old, labels)


def _refused_obsolete(
    path: str,
    old: bytes,
    labels: tuple[str, ...],
    *,
    messages: tuple[str, ...] = (),
    problems: tuple[str, ...] = (),
) -> FileChange:
    """An obsolete output left where it is: ``messages`` say how to go on, ``problems`` why."""
    return FileChange(
        path,
        Kind.OBSOLETE,
        Status.REFUSED,
        old,
        None,
        labels,
        messages=messages,
        problems=problems,
    )


def _removed_with_backup(root: Path, path: str, old: bytes, labels: tuple[str, ...]) -> FileChange:
    """An obsolete output removed, its bytes kept in a backup beside it."""
    change = FileChange(path, Kind.OBSOLETE, Status.REMOVED, old, None, labels)
    change.backup = backup_path(root / path, old).relative_to(root).as_posix()
    return change


def _removed_copy(root: Path, path: str, old: bytes) -> FileChange:
    """The removal of an obsolete output's path holding a copy of another generated file.

    Unedited, but the very bytes of another output: a copy the user put there. Nothing of
    theirs is in it, yet the file is theirs: its bytes are kept, as for an output edited by
    hand (removed, not refused: it cannot hold a hand edit).
    """
    change = _removed_with_backup(root, path, old, ("obsolete",))
    change.kept = "the copy"
    change.messages = (
        "no longer generated by the plan, and not the file telemetry-scaffold wrote there "
        f"but a copy of another generated file: removed, its bytes kept in {change.backup}",
    )
    return change


def _copy_of_another(path: str, data: bytes, written: Mapping[str, str]) -> bool:
    """Whether ``data`` holds the bytes of a generated file of another name than ``path``'s."""
    digest = sha256(as_written(data))
    name = PurePosixPath(path).name
    return any(
        known == digest and PurePosixPath(other).name != name for other, known in written.items()
    )


def _keep_obsolete(change: FileChange, failed: list[str]) -> FileChange:
    """Hold back the removal of an obsolete output while some generated output failed."""
    shown = ", ".join(failed[:3]) + (f" and {len(failed) - 3} more" if len(failed) > 3 else "")
    return FileChange(
        change.path,
        Kind.OBSOLETE,
        Status.REFUSED,
        change.old,
        None,
        ("obsolete",),
        messages=(f"kept: not removed while {shown} could not be generated; fix that and rerun",),
    )


def _writable(root: Path, files: list[PatchedFile]) -> list[PatchedFile]:
    """``files``, each write-protected user module they would change made an error of its own.

    Only a run that writes refuses one: ``--check`` and ``--diff`` report it as any other.
    """
    checked = []
    for patched in files:
        if patched.new is not None and patched.new != patched.old:
            try:
                require_writable(root / patched.path, patched.path)
            except FileProblem as problem:
                patched = PatchedFile(patched.path, patched.old, None, error=problem.message)
        checked.append(patched)
    return checked


def _patch_change(patched: PatchedFile) -> FileChange:
    """The decision for one user file, from what patching found."""
    if patched.error is None and patched.old is None and patched.new is None:
        # Not there, and nothing to do about it (see ProjectPatcher._skip): its notes say why.
        return FileChange(
            patched.path, Kind.PATCHED, Status.UNCHANGED, None, None, notes=patched.notes
        )
    if patched.error is not None or patched.new is None:
        message = patched.error or f"{patched.path}: cannot be patched"
        return FileChange(patched.path, Kind.PATCHED, Status.ERROR, None, None, messages=(message,))
    status = Status.PATCHED if patched.new != patched.old else Status.UNCHANGED
    labels: tuple[str, ...] = ("unpatched",) if status is Status.PATCHED else ()
    if patched.problems or patched.own_calls:
        # generate only inserts lines (a stub it stands in for aside): a wrong or duplicated call
        # is for a person to fix.
        labels = (*labels, MANUAL_FIX)
    if patched.problems and status is Status.UNCHANGED:
        # Only what generate's part of the file lacks refuses it: the user's own calls are
        # theirs, the file is as generate wants it (and the documents say it is done).
        status = Status.REFUSED
    return FileChange(
        patched.path,
        Kind.PATCHED,
        status,
        patched.old,
        patched.new,
        labels,
        messages=patched.changes if status is not Status.UNCHANGED else (),
        problems=(*patched.problems, *patched.own_calls),
        notes=patched.notes,
        known_diff=patched.diff,
        inserts=patched.inserts,
        encoding=patched.encoding,
    )


def _held_back(change: FileChange) -> bool:
    """Whether a user file's patch waits for a layer that is not the generated one."""
    # Taking the layer's code out needs no layer: only edits that put code in wait for it.
    return change.status is Status.PATCHED and bool(change.inserts)


def _hold_back(change: FileChange, broken: list[str]) -> FileChange:
    if not _held_back(change):
        return change
    return FileChange(
        change.path,
        Kind.PATCHED,
        Status.ERROR,
        change.old,
        None,
        messages=(
            f"{change.path}: not patched: {', '.join(broken)} is not the generated file; "
            "fix that and rerun",
        ),
    )


def _require_parsing(changes: list[FileChange]) -> None:
    """Refuse the run, nothing written, when a patched module would not compile.

    A last guard: patching keeps every module it edits Python, so this is the tool's fault
    (unless the module did not compile before either: then it is not this guard's to judge).

    Raises:
        PatchError: the first module whose new text does not compile.
    """
    for change in changes:
        if (
            change.kind is not Kind.PATCHED
            or change.new is None
            or change.new == change.old
            or not change.path.endswith(".py")
        ):
            continue
        error = _compile_error(change.new, change.path)
        if error is None or change.old is None or _compile_error(change.old, change.path):
            continue
        where = f":{error.lineno}" if isinstance(error, SyntaxError) and error.lineno else ""
        raise PatchError(
            f"{change.path}{where}: the patched module would not parse; nothing was "
            "written: this is a fault of telemetry-scaffold, please report it"
        )


def _compile_error(source: bytes, path: str) -> Exception | None:
    """What stops ``source`` compiling as a module; None when it compiles.

    Compiled to bytecode, not parsed into ``ast`` objects, and a big module piece by piece
    (:func:`_pieces`): the compiler's tree of a 38,000-line module at once took about 50 MiB
    more than a fresh ``generate`` of it otherwise holds at its peak. A piece that does not
    compile alone is judged by compiling the whole text.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # warnings about the user's own code are not ours to show
        try:
            for piece in _pieces(source):
                compile(piece, path, "exec", dont_inherit=True)
        except PARSE_ERRORS:
            try:
                compile(source, path, "exec", dont_inherit=True)
            except PARSE_ERRORS as error:
                return error
    return None


# A blank line before a top-level function, class or decorator: a module cut there is two
# modules that each compile when the whole does, unless the cut falls inside a string or
# between decorators (then a piece does not compile, and the whole is compiled instead).
_TOP_LEVEL_START = re.compile(rb"\n[ \t]*\r?\n(?=(?:async[ \t]+)?def[ \t]|class[ \t]|@)")
_PIECE_BYTES = 256 * 1024


def _pieces(source: bytes) -> Iterator[bytes]:
    """``source`` cut before top-level definitions into pieces of about ``_PIECE_BYTES``."""
    start = 0
    for found in _TOP_LEVEL_START.finditer(source, _PIECE_BYTES):
        if found.end() - start >= _PIECE_BYTES:
            yield source[start : found.end()]
            start = found.end()
    yield source[start:]


def apply(report: SyncReport) -> None:
    """Carry out the decisions of ``report``: write, patch, back up and remove files.

    Generated and patched files are written first and the manifest last, each atomically, so an
    interrupted run leaves every file wholly old or wholly new and a rerun converges; before them
    the manifest records both plans (see :func:`_record_intent`), so that a rerun of another plan
    converges too.

    Raises:
        UserError: a write failed; files written before it are complete, the rest untouched.
    """
    root = report.plan.root
    ordered = sorted(report.changes, key=lambda change: change.kind is Kind.MANIFEST)
    # Every file is compared with what compute() read before anything is written, so that a file
    # another program wrote meanwhile stops the run with nothing written; and once more right
    # before each write, which leaves the smallest window.
    for change in ordered:
        _require_unchanged(root, change, "nothing was written", expected=change.old)
    _require_parsing(ordered)
    manifest_now = _record_intent(report)
    for change in ordered:
        if change.status in _LEFT_ALONE:
            continue
        target = root / change.path
        _require_unchanged(
            root,
            change,
            "files before it were written completely, nothing after it was touched",
            # The manifest holds what _record_intent wrote there since (or its old bytes).
            expected=manifest_now if change.kind is Kind.MANIFEST else change.old,
        )
        try:
            # Checked again at write time: a link may have changed since compute() looked.
            contained_path(root, change.path)
            if change.kind is Kind.TEMPORARY:
                remove_temp_file(target)
                continue
            if target.is_symlink() and change.status is not Status.REMOVED:
                # compute() checked it stays inside the root: write through it, keep the link.
                # (An obsolete output that is a link loses the link, never the file behind it.)
                target = resolve(target, change.path)
            if change.backup is not None and change.old is not None:
                atomic_write(contained_path(root, change.backup), change.old)
            if change.status is Status.REMOVED:
                target.unlink(missing_ok=True)
                _remove_empty_parents(target.parent, root)
            elif change.new is not None:
                # The user's files are synced to disk; the tool's own outputs are not: generate
                # renders them again from the plan, and their digests tell a damaged one. (An
                # fsync per file was a tenth of a from-scratch run.)
                atomic_write(target, change.new, durable=change.kind is Kind.PATCHED)
        except FileProblem as problem:
            # The link changed since compute() looked (e.g. into a loop): nothing written here.
            raise UserError(
                f"{problem.message}; files before it were written completely, nothing after it "
                f"was touched; fix the cause and rerun telemetry-scaffold {report.command}"
            ) from None
        except OSError as exc:
            dangling = _dangling_folder(root, change.path)
            if dangling is not None:
                # Making the folder fails with "File exists": the link is there, what it names
                # is not. Said so, the user knows what to fix.
                raise UserError(
                    f"{dangling[0]}: a link to nothing ({dangling[1]}); files before it were "
                    "written completely, nothing after it was touched; remove the link or make "
                    f"the folder it names, and rerun telemetry-scaffold {report.command}"
                ) from None
            reason = exc.strerror or exc.__class__.__name__
            verb = "remove" if change.status is Status.REMOVED else "write"
            raise UserError(
                f"{change.path}: cannot {verb}: {reason}; files before it were written "
                "completely, nothing after it was touched; fix the cause and rerun "
                f"telemetry-scaffold {report.command}"
            ) from None


def _dangling_folder(root: Path, path: str) -> tuple[str, str] | None:
    """The folder on the way to ``path`` that is a link to nothing, and what the link names."""
    parents = list(PurePosixPath(path).parents)[:-1]  # the last is "." (the root itself)
    for folder in reversed(parents):
        place = root / folder
        try:
            if place.is_symlink() and not place.exists():
                return folder.as_posix(), str(place.readlink())
        except OSError:
            return None
    return None


def _record_intent(report: SyncReport) -> bytes | None:
    """Write the manifest a run leaves behind if it stops part way; return the manifest's bytes.

    Files are written before the manifest, so a run stopped part way (killed, a full disk) leaves
    files of its plan that the old manifest does not name: a later run of another plan (the old
    one again) would take them for the user's (a layer or documents folder of its own) and wire
    the layer a second time beside inserted code it does not know. So the record of both plans
    goes first: the files of both, and the patches of the old one as code to take out unless
    the plan puts it in (``PatchRecord.left``); the run's own manifest replaces it at the end.
    """
    change = next((c for c in report.changes if c.kind is Kind.MANIFEST), None)
    if change is None or report.command != "generate" or change.new is None:
        return None if change is None else change.old
    if change.status is Status.UNCHANGED or change.bookkeeping:
        return change.old
    if all(c.status in _LEFT_ALONE for c in report.changes if c.kind is not Kind.MANIFEST):
        return change.old
    new, old = report.wanted, report.recorded
    if new is None:
        return change.old
    intent = render_manifest(
        Manifest(
            {**new.files, **old.files},
            _patches_of_both(report.plan, old.patched, new.patched),
            # The files both name are recorded as they are now: as the old plan rendered them.
            old.version,
            old.plan,
            new.config,
        )
    )
    if intent == change.old:
        return change.old
    root = report.plan.root
    try:
        atomic_write(manifest_file(root), intent)
    except (FileProblem, OSError) as exc:
        reason = exc.message if isinstance(exc, FileProblem) else exc.strerror or type(exc).__name__
        raise UserError(
            f"{MANIFEST_PATH}: cannot write: {reason}; nothing was written; fix the cause and "
            "rerun telemetry-scaffold generate"
        ) from None
    return intent


def _patches_of_both(plan: Plan, old: PatchRecord, new: PatchRecord) -> PatchRecord:
    """``new``, with the code ``old`` describes that ``new`` does not as code left in place."""
    if old == PatchRecord():
        return new
    backend, app_package = old.layout(plan.backend, plan.app_package)
    layer = old.layer_package or DEFAULT_LAYER_PACKAGE
    own = (
        new.backend if new.backend is not None else plan.backend,
        new.app_package if new.app_package is not None else plan.app_package,
        new.layer_package or DEFAULT_LAYER_PACKAGE,
    )
    described = {(new.wired, None, *own)} | {
        (path, event, *own) for path, event in new.instrumented
    }
    candidates: list[LeftPatch] = [
        (path, event, backend, app_package, layer) for path, event in old.instrumented
    ]
    if old.wired is not None:
        candidates.append((old.wired, None, backend, app_package, layer))
    # A module new to the record may be one the old record names, moved (renamed) by hand: the
    # run following it replaces the calls it brought, but stopped before that, they are still
    # there, logging what they did; so recorded as left in it until a run brings them up to date.
    leaving = {event for path, event in old.instrumented if new.event_type_of(path) is None}
    candidates += [
        (path, event, backend, app_package, layer)
        for path, _ in new.instrumented
        if old.event_type_of(path) is None
        for event in sorted(leaving)
    ]
    candidates += [(p, e, b, a, recorded or layer) for p, e, b, a, recorded in old.left]
    left = [*new.left, *(entry for entry in candidates if entry not in described)]
    return new._replace(left=sorted_left(left))


def _require_unchanged(
    root: Path, change: FileChange, written: str, *, expected: bytes | None
) -> None:
    """Refuse to write ``change`` when its file no longer holds ``expected``.

    Writing would replace another program's bytes (an editor's save, a second run) with what
    was computed from the old ones. ``expected`` is what the file must hold now: what compute()
    read (``change.old``), or for the manifest what this run wrote there since (see
    :func:`_record_intent`); None means no file. Every caller passes it: a default None that
    stood for ``change.old`` made None mean both "as compute() read it" and "absent".
    ``written`` says what the refusal leaves behind.

    Raises:
        UserError: the file changed, appeared or went away, or cannot be read any more.
    """
    if change.status in _LEFT_ALONE:
        return
    if change.kind is Kind.TEMPORARY:
        return
    try:
        current = read_bytes(contained_path(root, change.path), change.path)
    except FileProblem as problem:
        raise UserError(f"{problem.message}; {written}; fix the cause and rerun") from None
    if current != expected:
        raise UserError(
            f"{change.path}: changed since telemetry-scaffold read it (another program wrote "
            f"it meanwhile); {written}; run the command again"
        )


def _remove_empty_parents(folder: Path, root: Path) -> None:
    """Remove folders that removing an obsolete file left empty, up to the root."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (or not ours to remove): stop there
        folder = folder.parent
