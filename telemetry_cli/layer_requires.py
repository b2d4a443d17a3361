"""What the generated layer needs of the backend's own packages, and the note when it lacks it.

The layer is written for pydantic 2 (``TypeAdapter``, ``ConfigDict``, ``model_validate``) and
a FastAPI that runs on it. A backend whose files pin older versions (``pydantic==1.10.13``,
``fastapi==0.95.2``, a lock file holding them) fails at start-up once the layer is in: the note
says so on every run, naming the file and line, as the Dockerfile's Python note does.
"""

from __future__ import annotations

import re
from pathlib import Path

from telemetry_cli.install_steps import Declared, TextReader, declared_versions

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
    """
    notes: list[str] = []
    for declared in declared_versions(
        root, backend, frozenset(LAYER_REQUIRES), read, app_dir, script
    ):
        if _allows_floor(declared, LAYER_REQUIRES[declared.name]) is False:
            notes.append(_note(declared, LAYER_REQUIRES, "or the app fails at start-up"))
        elif _allows_floor(declared, LAYER_CONTRACT_REQUIRES[declared.name]) is False:
            notes.append(_note(declared, LAYER_CONTRACT_REQUIRES, _DIFFERS))
    return notes


_DIFFERS = "or the app starts, but its served OpenAPI document differs from the contract"


def _note(declared: Declared, floors: dict[str, str], consequence: str) -> str:
    where = f"{declared.file}:{declared.line}" if declared.line else declared.file
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
