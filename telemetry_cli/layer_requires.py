"""What the generated layer needs of the backend's own packages, and the note when it lacks it.

The layer is written for pydantic 2 (``TypeAdapter``, ``ConfigDict``, ``model_validate``) and
a FastAPI that runs on it. A backend whose files pin older versions (``pydantic==1.10.13``,
``fastapi==0.95.2``, a lock file holding them) fails at start-up once the layer is in: the note
says so on every run, naming the file and line, as the Dockerfile's Python note does.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path, PurePosixPath

from telemetry_cli.files import parse_toml
from telemetry_cli.install_steps import (
    Declared,
    TextReader,
    app_folders,
    declared_versions,
    searched_folders,
)

#: The oldest Python the generated layer runs on.
LAYER_PYTHON = (3, 11)
#: The lowest version of each package the layer works with, checked by importing it and
#: serving the telemetry routes (a valid and an invalid event, the health check, the OpenAPI
#: document): FastAPI 0.100 is the first to run on pydantic 2, and pydantic 2.0 the first
#: with the API the layer uses (FastAPI itself excludes 2.0.0 and 2.0.1; 2.0.3 was tried).
#: The README, the quickstart and the plan read them from here.
LAYER_REQUIRES: dict[str, str] = {"fastapi": "0.100", "pydantic": "2.0"}
#: The lowest versions whose served OpenAPI document equals the generated contract (checked by
#: comparing them as the contract tests do). Older pydantic 2 releases describe a one-value
#: ``Literal`` differently (``const`` without ``type`` up to 2.5, ``enum`` beside ``const`` in
#: 2.7 to 2.9; 2.0.3 also keeps docstring indentation): the app works, its document differs.
LAYER_CONTRACT_REQUIRES: dict[str, str] = {"fastapi": "0.100", "pydantic": "2.10"}

# Patterns kept as source text (here and below) are compiled on first use, and cached, by
# `re`: an up-to-date `generate --check` never uses them (compiling at import cost every run).
# A Poetry caret or tilde constraint: `^1.10`, `~1.10.2`, `~=` is PEP 440's own.
_POETRY_RANGE = r"([\^~])\s*(\d+(?:\.\d+)*)"


def requires_text(floors: dict[str, str] = LAYER_REQUIRES) -> str:
    """The floors as one phrase: ``FastAPI 0.100 or newer and pydantic 2.0 or newer``."""
    return " and ".join(f"{_SHOWN[name]} {floor} or newer" for name, floor in floors.items())


_SHOWN = {"fastapi": "FastAPI", "pydantic": "pydantic"}


def old_dependency_notes(
    root: Path,
    backend: str,
    read: TextReader,
    app_dir: str | None = None,
    script: str | None = None,
) -> list[str]:
    """The notes for each declaration of the backend's files that excludes the layer's floors.

    A declaration below :data:`LAYER_REQUIRES` breaks the app; one below
    :data:`LAYER_CONTRACT_REQUIRES` only makes its OpenAPI document differ from the contract, and
    the note says which. A range allowing a version at or above the floor (``pydantic>=1.8``) is
    no note; nor is a file declaring neither package, or a constraint that cannot be read.
    ``script``: the app module, root-relative, whose ``# /// script`` block may list them.
    The files saying which Python runs the backend come after (:func:`old_python_notes`).
    """
    notes: list[str] = []
    for declared in declared_versions(
        root, backend, frozenset(LAYER_REQUIRES), read, app_dir, script
    ):
        if _allows_floor(declared, LAYER_REQUIRES[declared.name]) is False:
            notes.append(_note(declared, LAYER_REQUIRES, "or the app fails at start-up"))
        elif _allows_floor(declared, LAYER_CONTRACT_REQUIRES[declared.name]) is False:
            notes.append(_note(declared, LAYER_CONTRACT_REQUIRES, _DIFFERS))
    # A package declared alike in two tables of one file (Poetry's main and dev dependencies)
    # reads as the same note: said once.
    return list(dict.fromkeys(notes)) + old_python_notes(root, backend, read, app_dir)


def old_python_notes(
    root: Path, backend: str, read: TextReader, app_dir: str | None = None
) -> list[str]:
    """The notes for each file choosing, for the backend, a Python older than the layer needs.

    A platform or a tool picks the interpreter from them: ``runtime.txt`` (Heroku, Render,
    Scalingo: ``python-3.10.12``), ``.python-version`` (pyenv, uv, rye), ``.tool-versions``
    (asdf, mise), a ``Pipfile``'s ``[requires]``, and ``requires-python`` or Poetry's ``python``
    in ``pyproject.toml`` when they allow no Python at or above :data:`LAYER_PYTHON`. Searched
    in the app package's folders, the backend's and those above it up to the root, as the
    installing files are; a version that cannot be read is no note. A file naming one version
    gives it as an exact ``==3.10`` (its patch releases are the same Python), compared without
    importing ``packaging``.
    """
    needed = ".".join(map(str, LAYER_PYTHON))
    notes: list[str] = []
    for folder in dict.fromkeys(app_folders(backend, app_dir) + searched_folders(backend)):
        for declared, written in _python_declarations(root, folder, read):
            if _allows_floor(declared, needed) is False:
                notes.append(
                    f"{_where(declared)} asks for Python `{written}`, but the generated "
                    f"layer needs Python {needed} or newer: the app fails at start-up on it; "
                    f"ask for Python {needed} or newer"
                )
    return notes


def _where(declared: Declared) -> str:
    return f"{declared.file}:{declared.line}" if declared.line else declared.file


# A version file's line: `3.10.12`, `python-3.10.12` (runtime.txt), `cpython-3.10` (uv),
# `python_version=3.9.0`, `python 3.10.4` (.tool-versions). `system`, `pypy3.9` and a pyenv
# virtualenv's name are none.
_VERSION_LINE = r"(?:c?python[-_ ]?(?:version)?\s*[= ]?\s*)?(\d+\.\d+)(?:\.\d+)?(?:[a-z]+\d*)?"


def _python_declarations(root: Path, folder: str, read: TextReader) -> list[tuple[Declared, str]]:
    """What the files of ``folder`` say of the Python the backend runs on, as constraints.

    Each with the text as written, which the note quotes.
    """
    found = [
        declared
        for name in ("runtime.txt", ".python-version", ".tool-versions")
        if (declared := _version_file(root, folder, name, read)) is not None
    ]
    return found + _toml_pythons(root, folder, read)


def _version_file(
    root: Path, folder: str, name: str, read: TextReader
) -> tuple[Declared, str] | None:
    """The version a one-version file names on its first line naming one (None: no such)."""
    text = read(root / folder / name) or ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if name == ".tool-versions":
            # `python 3.10.4 3.12.1`: the first version listed is the one used.
            words = line.split()
            if words[:1] != ["python"] or len(words) < 2:
                continue
            line = words[1]
        if not line:
            continue
        version = re.fullmatch(_VERSION_LINE, line, re.IGNORECASE)
        if version is None:
            return None
        shown = PurePosixPath(folder, name).as_posix()
        return Declared(shown, number, "python", f"=={version[1]}"), line
    return None


def _toml_pythons(root: Path, folder: str, read: TextReader) -> list[tuple[Declared, str]]:
    """The Python a ``Pipfile``'s ``[requires]`` or a ``pyproject.toml`` of ``folder`` asks for."""
    found: list[tuple[Declared, str]] = []
    for name in ("Pipfile", "pyproject.toml"):
        shown = PurePosixPath(folder, name).as_posix()
        text = read(root / folder / name)
        try:
            data = parse_toml(text) if text is not None else {}
        except (tomllib.TOMLDecodeError, RecursionError):
            data = {}
        if text is None or not data:
            continue
        if name == "Pipfile":
            requires = _mapping(data.get("requires"))
            for key in ("python_full_version", "python_version"):
                value = requires.get(key)
                if isinstance(value, str) and re.fullmatch(r"\d+\.\d+(?:\.\d+)?", value):
                    minor = ".".join(value.split(".")[:2])
                    declared = Declared(shown, _line_number(text, key), "python", f"=={minor}")
                    found.append((declared, f'{key} = "{value}"'))
                    break
            continue
        wanted = _mapping(data.get("project")).get("requires-python")
        if isinstance(wanted, str):
            declared = Declared(shown, _line_number(text, "requires-python"), "python", wanted)
            found.append((declared, f'requires-python = "{wanted}"'))
        poetry = _mapping(_mapping(data.get("tool")).get("poetry"))
        python = _mapping(poetry.get("dependencies")).get("python")
        if isinstance(python, str):
            line = _line_number(text, "python =", "python=")
            declared = Declared(shown, line, "python", python, poetry=True)
            found.append((declared, f'python = "{python}"'))
    return found


def _mapping(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _line_number(text: str, *keys: str) -> int:
    """The 1-based line starting with the first of ``keys`` found (0: none)."""
    for key in keys:
        found = re.search(rf"^\s*{re.escape(key)}", text, re.MULTILINE)
        if found is not None:
            return text.count("\n", 0, found.start()) + 1
    return 0


_DIFFERS = "or the app starts, but its served OpenAPI document differs from the contract"


def _note(declared: Declared, floors: dict[str, str], consequence: str) -> str:
    where = _where(declared)
    verb = "locks" if declared.locked else "pins" if declared.spec.startswith("==") else "declares"
    # As one token (`fastapi == 0.77.1` reads `fastapi==0.77.1`), a bare version set apart.
    spec = "".join(declared.spec.split())
    spec = spec if not spec[:1].isalnum() else f" {spec}"
    needs = ", ".join(f"{name}>={floor}" for name, floor in floors.items())
    return (
        f"{where} {verb} {declared.name}{spec}; the generated layer needs {needs}: upgrade "
        f"{declared.name}, {consequence}"
    )


def _allows_floor(declared: Declared, floor_text: str) -> bool | None:
    """Whether ``declared`` allows some version at or above ``floor_text`` (None: unread)."""
    simple = _simply_allows(declared, floor_text)
    if simple is not None:
        return simple
    # Imported here, for what the simple reading leaves: about 30 ms on a `generate --check`.
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    floor = Version(floor_text)
    alternatives = declared.spec.split("||") if declared.poetry else [declared.spec]
    for alternative in alternatives:
        text = _pep440(alternative) if declared.poetry else alternative
        text = "" if text.strip() == "*" else text
        try:
            specifiers = SpecifierSet(text)
        except InvalidSpecifier:
            return None
        candidates = [floor, Version("99999")]
        for specifier in specifiers:
            try:
                mentioned = Version(specifier.version.rstrip(".*"))
            except InvalidVersion:
                return None
            release = mentioned.release
            bumped = Version(".".join(map(str, (*release[:-1], release[-1] + 1))))
            candidates += [mentioned, Version(f"{mentioned.base_version}.1"), bumped]
        if any(v >= floor and specifiers.contains(v, prereleases=True) for v in candidates):
            return True
    return False


# A version of numbers alone (`2.7.1`), as a lock file or an exact pin gives it.
_NUMBERS = r"\d+(?:\.\d+)*"


def _simply_allows(declared: Declared, floor_text: str) -> bool | None:
    """The answer for the common forms, without ``packaging`` (None: it needs packaging).

    No version, or only lower bounds and exclusions (``>=0.110``, ``!=2.5.0``): a newer version
    always passes. An exact pin of numbers alone (``==1.10.13``, a lock file's): compared.
    """
    clauses = [clause.strip() for clause in re.split(r"[,\s]+", declared.spec) if clause.strip()]
    if not clauses or clauses == ["*"]:
        return True
    if all(clause[:1] == ">" or clause.startswith("!=") for clause in clauses):
        return True
    exact = clauses[0].removeprefix("==")
    if len(clauses) == 1 and clauses[0].startswith("==") and re.fullmatch(_NUMBERS, exact):
        floor = [int(number) for number in floor_text.split(".")]
        pinned = [int(number) for number in exact.split(".")]
        width = max(len(floor), len(pinned))  # `2` is `2.0`
        return pinned + [0] * (width - len(pinned)) >= floor + [0] * (width - len(floor))
    return None


def _pep440(poetry: str) -> str:
    """A Poetry constraint as PEP 440 specifiers: ``^1.10`` is ``>=1.10,<2``, ``1.2`` ``==1.2``."""
    parts: list[str] = []
    for part in re.split(r"[,\s]+(?=[<>=!~^\d*])", poetry.strip()):
        part = part.strip().rstrip(",")
        found = re.fullmatch(_POETRY_RANGE, part)
        if found is None:
            parts.append(f"=={part}" if part[:1].isdigit() else part)
            continue
        release = [int(number) for number in found[2].split(".")]
        if found[1] == "^":
            # The first non-zero component is the one that may not change.
            at = next((i for i, number in enumerate(release) if number), len(release) - 1)
        else:
            at = 0 if len(release) == 1 else 1
        upper = [*release[:at], release[at] + 1]
        parts += [f">={found[2]}", "<" + ".".join(map(str, upper))]
    return ",".join(parts)
