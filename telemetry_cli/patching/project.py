"""Patch a whole project: find the app, wire it, instrument the plan's modules.

:func:`analyze` reads the backend folder (never importing it), decides every edit from one
:mod:`ast` model per module, and returns each patched file's bytes before and after. Nothing is
written here; :mod:`telemetry_cli.sync` does that.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from telemetry_cli.app_entry import AppEntry
from telemetry_cli.errors import PatchError, UserError
from telemetry_cli.files import FileProblem, SourceText, contained_path, read_bytes
from telemetry_cli.patching.apps import AppModuleBroken, choose_in_module, find_app
from telemetry_cli.patching.edits import ModuleEditor
from telemetry_cli.patching.instrument import instrument_module, wire_app
from telemetry_cli.patching.symbols import (
    ModuleModel,
    ModuleSource,
    PackageIndex,
    ParseFailure,
    Unreadable,
    parse,
)
from telemetry_cli.plan import Plan


@dataclass(frozen=True)
class PatchedFile:
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
    # The unified diff, computed only when asked for (``--check`` and ``--diff`` show it).
    diff: Callable[[], str] = lambda: ""


@dataclass
class ProjectPatches:
    """Every patched file of the project, and where the app is."""

    entry: AppEntry
    files: list[PatchedFile] = field(default_factory=list)


class _Backend:
    """Reads modules of the backend folder by import name, remembering how to write them back."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.texts: dict[str, tuple[bytes, SourceText]] = {}

    def path_of(self, name: str) -> list[str]:
        base = PurePosixPath(self.plan.backend, *name.split("."))
        return [f"{base}.py", f"{base}/__init__.py"]

    def read(self, name: str) -> ModuleSource | None:
        for relative in self.path_of(name):
            try:
                path = contained_path(self.plan.root, relative)
                data = read_bytes(path, relative)
                if data is None:
                    continue
                source = SourceText.decode(data, relative)
            except FileProblem as problem:
                raise Unreadable(relative, problem.message) from None
            self.texts[relative] = (data, source)
            return ModuleSource(name, relative, source.text, relative.endswith("/__init__.py"))
        return None


def analyze(plan: Plan) -> ProjectPatches:
    """Decide every patch of the project, reading but never writing.

    The app is the plan's ``app`` (from that key or ``[tool.fastapi] entrypoint``), else it is
    discovered (:func:`~telemetry_cli.patching.apps.find_app`).

    Raises:
        ConfigError: the app cannot be found, or several apps are and the plan does not pick one.
    """
    backend = _Backend(plan)
    index = PackageIndex(backend.read)
    first_party = plan.app_package.split(".")[0]
    editors: dict[str, ModuleEditor] = {}

    def editor_for(module: ModuleModel) -> ModuleEditor:
        if module.path not in editors:
            editors[module.path] = ModuleEditor(module, index, first_party)
        return editors[module.path]

    errors: dict[str, PatchedFile] = {}
    try:
        found = find_app(
            plan.app,
            plan.app_source or "app",
            plan.app_package,
            index,
            plan.root / plan.app_dir,
            plan.app_dir,
            plan.config_file.name,
        )
    except AppModuleBroken as broken:
        # The module that should build the app cannot be read: report it, generate the rest.
        report = ProjectPatches(AppEntry(plan.main_path, plan.main_module))
        errors[broken.path] = PatchedFile(broken.path, None, None, error=broken.message)
        order = [broken.path]
    else:
        wire_app(
            editor_for(found.site.module),
            found.site,
            plan.analytics_package,
            capture_errors=plan.capture_errors,
        )
        report = ProjectPatches(found.entry)
        order = [found.site.module.path]
    for module_path, event_type in plan.instrument:
        relative = plan.module_path(module_path)
        name = plan.module_import_name(module_path)
        model = index.module(name)
        if model is None or model.path != relative:
            errors[relative] = PatchedFile(
                relative, None, None, error=_missing(plan, index, name, relative)
            )
            order.append(relative)
            continue
        editor = editor_for(model)
        try:
            instrument_module(editor, event_type, plan.analytics_package)
        except PatchError as problem:
            if editor.edits.empty and not editor.edits.changes:
                errors[relative] = PatchedFile(relative, None, None, error=problem.message)
            else:
                editor.edits.problems.append(problem.message)
        order.append(model.path)
    for path in dict.fromkeys(order):
        if path in errors:
            report.files.append(errors[path])
            continue
        edits = editors[path].finish()
        data, source = backend.texts[path]
        lines = editors[path].module.lines
        new_text = lines.apply(edits.insertions, edits.deletions)
        new = source.encode(new_text) if new_text != source.text else data
        diff = functools.partial(
            lines.unified_diff, edits.insertions, edits.deletions, f"a/{path}", f"b/{path}"
        )
        report.files.append(
            PatchedFile(path, data, new, tuple(edits.changes), tuple(edits.problems), diff=diff)
        )
    return report


def _missing(plan: Plan, index: PackageIndex, name: str, relative: str) -> str:
    """Why an ``instrument`` module cannot be patched, as one line."""
    failure = index.failure(name)
    if failure is not None:
        return f"{failure[1]}; fix it and rerun"
    return f"{relative}: not found; create it or fix the plan in {plan.config_file.name}"


# --- one module at a time (the patch tables of the tests) -------------------------------------


@dataclass(frozen=True)
class PatchResult:
    """The outcome of patching one source text: the new text, what was done, what was not."""

    source: str
    changes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


def _single_module(source: str, module_name: str, path: str) -> tuple[ModuleModel, PackageIndex]:
    sources = {module_name: source}

    def read(name: str) -> ModuleSource | None:
        text = sources.get(name)
        return None if text is None else ModuleSource(name, path, text, False)

    index = PackageIndex(read)
    model = index.module(module_name)
    if model is None:
        try:
            parse(source)
        except ParseFailure as failure:
            raise PatchError(str(failure)) from None
        raise PatchError("cannot parse")  # pragma: no cover
    return model, index


def wire_source(
    source: str, *, module_name: str, analytics_package: str, capture_errors: bool
) -> PatchResult:
    """Wire the telemetry router into the one app built in ``source``.

    Raises:
        PatchError: the source does not parse, or has no app or several.
    """
    path = module_name.replace(".", "/") + ".py"
    module, index = _single_module(source, module_name, path)
    try:
        found = choose_in_module(module, index)
    except UserError as error:
        raise PatchError(error.message) from None
    editor = ModuleEditor(module, index, analytics_package.split(".")[0])
    wire_app(editor, found.site, analytics_package, capture_errors=capture_errors)
    edits = editor.finish()
    return PatchResult(
        module.lines.apply(edits.insertions), tuple(edits.changes), tuple(edits.problems)
    )


def instrument_source(
    source: str, *, module_name: str, analytics_package: str, event_type: str
) -> PatchResult:
    """Add a log call of ``event_type`` to every route handler of ``source``.

    Raises:
        PatchError: the source does not parse.
    """
    path = module_name.replace(".", "/") + ".py"
    module, index = _single_module(source, module_name, path)
    editor = ModuleEditor(module, index, analytics_package.split(".")[0])
    instrument_module(editor, event_type, analytics_package)
    edits = editor.finish()
    return PatchResult(
        module.lines.apply(edits.insertions), tuple(edits.changes), tuple(edits.problems)
    )
