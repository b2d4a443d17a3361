"""The note for a Dockerfile whose image leaves the generated layer out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from telemetry_cli import image_layer
from telemetry_cli.ignore import GitIgnore
from telemetry_cli.image_layer import MAX_BUILD_FILE_CHARS, missing_layer_notes, served_modules
from telemetry_cli.run_files import run_file_targets
from tests.cli_support import run
from tests.timing_support import cpu_seconds

LAYER = ["analytics/__init__.py", "analytics/event_logger.py"]


def flat(root: Path, dockerfile: str | None = None, *, folder: str = ".") -> Path:
    """A flat layout: ``main.py`` beside an ``app/`` package, the layer in ``analytics/``."""
    base = root / folder
    (base / "app").mkdir(parents=True)
    (base / "app/__init__.py").write_text("")
    (base / "analytics").mkdir()
    for name in ("__init__.py", "event_logger.py"):
        (base / "analytics" / name).write_text("")
    (base / "main.py").write_text("")
    (base / "requirements.txt").write_text("fastapi\n")
    if dockerfile is not None:
        (base / "Dockerfile").write_text(dockerfile)
    return root


def notes(root: Path, *, folder: str = ".") -> list[str]:
    prefix = "" if folder == "." else folder + "/"
    return missing_layer_notes(
        root, folder, prefix + "analytics", [prefix + path for path in LAYER], [prefix + "main.py"]
    )


@pytest.mark.parametrize(
    ("dockerfile", "line", "fix"),
    [
        pytest.param(
            "FROM python:3.12\nWORKDIR /code\nCOPY requirements.txt .\nCOPY main.py .\n"
            "COPY ./app /code/app\nCMD uvicorn main:app\n",
            4,
            "COPY analytics/ analytics/",
            id="chosen-paths",
        ),
        pytest.param(
            "FROM python:3.12\nCOPY --chown=app:app --chmod=644 --link main.py /code/\n",
            2,
            "COPY analytics/ /code/analytics/",
            id="flags",
        ),
        pytest.param(
            'FROM python:3.12\nCOPY ["main.py", "requirements.txt", "/code/"]\n',
            2,
            "COPY analytics/ /code/analytics/",
            id="json-array",
        ),
        pytest.param(
            "FROM python:3.12\nCOPY *.py ./\n", 2, "COPY analytics/ analytics/", id="glob"
        ),
        pytest.param(
            "FROM python:3.12\nCOPY *.* ./\n", 2, "COPY analytics/ analytics/", id="glob-dotted"
        ),
        pytest.param(
            "FROM python:3.12\n# the code\nRUN pip install \\\n    fastapi\n"
            "COPY requirements.txt \\\n    # only the module\n    main.py \\\n    /code/\n",
            5,
            "COPY analytics/ /code/analytics/",
            id="continuations-and-comments",
        ),
        pytest.param(
            "FROM python:3.12 AS test\nCOPY . .\nRUN pytest\n\nFROM python:3.12-slim\n"
            "COPY main.py .\n",
            6,
            "COPY analytics/ analytics/",
            id="final-stage-only",
        ),
        pytest.param(
            "FROM python:3.12 AS builder\nCOPY main.py /src/\nRUN pip wheel\n"
            "FROM python:3.12-slim\nCOPY --from=builder /src /code\n",
            2,
            "COPY analytics/ /src/analytics/",
            id="copied-through-a-builder",
        ),
        pytest.param(
            "FROM python:3.12\nCOPY --exclude=analytics --exclude=*.md . /code\n",
            2,
            "COPY analytics/ /code/analytics/",
            id="copy-exclude",
        ),
        pytest.param(
            "# escape=`\nFROM python:3.12\nCOPY main.py `\n    /code/\n",
            3,
            "COPY analytics/ /code/analytics/",
            id="escape-directive",
        ),
        # A destination without a trailing slash that is a folder of the image already (the
        # WORKDIR, a parent of it, one an earlier copy made): the file lands inside it.
        pytest.param(
            "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt /app/\nCOPY main.py /app\n",
            4,
            "COPY analytics/ /app/analytics/",
            id="into-the-workdir",
        ),
        pytest.param(
            "FROM python:3.12\nWORKDIR /srv/app\nCOPY main.py /srv\n",
            3,
            "COPY analytics/ /srv/analytics/",
            id="into-a-parent-of-the-workdir",
        ),
        pytest.param(
            "FROM python:3.12\nWORKDIR /code\nWORKDIR src\nCOPY main.py /code/src\n",
            4,
            "COPY analytics/ /code/src/analytics/",
            id="into-a-relative-workdir",
        ),
        pytest.param(
            "FROM python:3.12\nCOPY requirements.txt /srv/\nCOPY main.py /srv\n",
            3,
            "COPY analytics/ /srv/analytics/",
            id="into-a-copied-folder",
        ),
        pytest.param(
            "FROM python:3.12\nWORKDIR /app\nCOPY main.py /code/main.py\n",
            3,
            "COPY analytics/ /code/analytics/",
            id="to-a-file-path",
        ),
    ],
)
def test_an_image_without_the_layer_is_noted(
    tmp_path: Path, dockerfile: str, line: int, fix: str
) -> None:
    found = notes(flat(tmp_path, dockerfile))
    assert len(found) == 1, found
    assert found[0].startswith(f"Dockerfile:{line}: "), found
    assert "copies main.py into the image but not the generated layer analytics/" in found[0]
    assert "ImportError" in found[0]
    assert f"add `{fix}`" in found[0], found


@pytest.mark.parametrize(
    "dockerfile",
    [
        pytest.param("FROM python:3.12\nCOPY . .\n", id="everything"),
        pytest.param("FROM python:3.12\nADD . /x\n", id="add-everything"),
        pytest.param("FROM python:3.12\nCOPY --chown=a:b . /code\n", id="everything-flags"),
        pytest.param('FROM python:3.12\nCOPY ["main.py", "analytics", "/code/"]\n', id="json"),
        pytest.param(
            "FROM python:3.12\nCOPY main.py app ./\nCOPY analytics analytics\n", id="both"
        ),
        pytest.param(
            "FROM python:3.12\nCOPY main.py .\nCOPY analytics/*.py analytics/\n", id="glob"
        ),
        pytest.param("FROM python:3.12\nCOPY main.py \\\n  analytics/ ./\n", id="continued"),
        pytest.param("FROM python:3.12\nCOPY a* m* ./\n", id="glob-folder"),
        pytest.param("FROM python:3.12 AS base\nCOPY . .\nFROM base\nRUN true\n", id="on-a-stage"),
        pytest.param(
            "FROM python:3.12 AS b\nCOPY . /src\nFROM python:3.12\nCOPY --from=b /src /code\n",
            id="builder-copies-all",
        ),
        pytest.param("FROM python:3.12\nRUN pip install svc\n", id="no-module-copied"),
        pytest.param("FROM python:3.12\nCOPY app /code/app\n", id="module-not-copied"),
        pytest.param("FROM python:3.12\nARG SRC=.\nCOPY $SRC /code\n", id="variable"),
        pytest.param("FROM python:3.12\nCOPY backend/main.py .\n", id="unknown-context"),
        pytest.param("FROM python:3.12\nCOPY <<EOF /x\nhi\nEOF\nCOPY . .\n", id="heredoc"),
        pytest.param("FROM python:3.12\nCOPY [broken main.py .\n", id="bad-json"),
        pytest.param("COPY main.py .\n", id="no-from"),
        pytest.param("FROM\nCOPY main.py .\n", id="empty-from"),
        pytest.param("", id="empty"),
    ],
)
def test_an_image_holding_the_layer_or_unknown_is_not_noted(
    tmp_path: Path, dockerfile: str
) -> None:
    assert notes(flat(tmp_path, dockerfile)) == []


def test_an_unreadable_dockerfile_gives_no_note(tmp_path: Path) -> None:
    flat(tmp_path)
    (tmp_path / "Dockerfile").write_bytes(b"\xff\xfe\x00COPY main.py .\n")
    (tmp_path / "Dockerfile.dev").mkdir()
    assert notes(tmp_path) == []


def test_a_dockerfile_in_a_folder_of_its_own_has_no_known_context(tmp_path: Path) -> None:
    flat(tmp_path)
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker/Dockerfile").write_text("FROM python:3.12\nCOPY main.py .\n")
    assert notes(tmp_path) == []


@pytest.mark.parametrize(
    ("ignore", "noted"),
    [
        ("analytics\n", 1),
        ("# generated\n/analytics/\n", 2),
        ("**/event_logger.py\n", 1),
        ("analytics\n!analytics/**\n", 0),
        ("*.py\n!main.py\n", 0),  # `*.py` is only the context's top level
        ("analytic\n", 0),
        ("*\n!main.py\n!app\n!requirements.txt\n", 1),  # an allow-list leaving it out
        ("*\n!main.py\n!app\n!analytics\n", 0),
        ("main.py\nanalytics\n", 0),  # the module importing it is left out too
    ],
)
def test_a_dockerignore_leaving_the_layer_out_is_noted(
    tmp_path: Path, ignore: str, noted: int
) -> None:
    flat(tmp_path, "FROM python:3.12\nCOPY . .\n")
    (tmp_path / ".dockerignore").write_text(ignore)
    found = notes(tmp_path)
    if not noted:
        assert found == []
        return
    assert len(found) == 1, found
    assert found[0].startswith(f".dockerignore:{noted}: "), found
    assert "out of the build context of Dockerfile" in found[0]
    assert "add `!analytics/` below it" in found[0]


def test_a_dockerfile_specific_ignore_file_comes_first(tmp_path: Path) -> None:
    flat(tmp_path, "FROM python:3.12\nCOPY . .\n")
    (tmp_path / ".dockerignore").write_text("analytics\n")
    (tmp_path / "Dockerfile.dockerignore").write_text(".git\n")
    assert notes(tmp_path) == []


@pytest.mark.parametrize(
    "compose",
    [
        "services:\n  api:\n    build: ./backend\n",
        "services:\n  api:\n    build:\n      context: ./backend  # the API\n"
        "      dockerfile: Dockerfile\n",
        'services:\n  api:\n    build:\n      dockerfile: "Dockerfile"\n      context: backend\n',
    ],
)
def test_a_compose_build_context_is_the_dockerfiles(tmp_path: Path, compose: str) -> None:
    flat(tmp_path, "FROM python:3.12\nCOPY main.py ./\nCOPY app app\n", folder="backend")
    (tmp_path / "docker-compose.yml").write_text(compose)
    found = notes(tmp_path, folder="backend")
    assert len(found) == 1, found
    assert found[0].startswith("backend/Dockerfile:2: "), found
    assert (
        "copies backend/main.py into the image but not the generated layer backend/analytics/"
        in (found[0])
    )
    assert "add `COPY analytics/ analytics/`" in found[0]


def test_a_root_dockerfile_copying_from_the_backend_folder(tmp_path: Path) -> None:
    flat(tmp_path, folder="backend")
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12\nWORKDIR /srv\nCOPY backend/main.py backend/requirements.txt /code/\n"
    )
    found = notes(tmp_path, folder="backend")
    assert len(found) == 1 and found[0].startswith("Dockerfile:3: "), found
    assert "copies backend/main.py into the image" in found[0]
    assert "add `COPY backend/analytics/ /code/analytics/`" in found[0], found
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\nCOPY backend /code\n")
    assert notes(tmp_path, folder="backend") == []


def test_a_compose_file_gives_a_dockerfile_elsewhere_its_context(tmp_path: Path) -> None:
    flat(tmp_path)
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker/Dockerfile").write_text("FROM python:3.12\nCOPY main.py .\n")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  api:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile\n"
    )
    found = notes(tmp_path)
    assert len(found) == 1 and found[0].startswith("docker/Dockerfile:2: "), found
    # The same Dockerfile built from the folder compose names is all right.
    (tmp_path / "docker/Dockerfile").write_text("FROM python:3.12\nCOPY . .\n")
    assert notes(tmp_path) == []


@pytest.mark.parametrize(
    ("volumes", "noted"),
    [
        ("    volumes:\n      - .:/code\n", False),
        ('    volumes:\n      - "./:/code:rw"\n      - data:/var/data\n', False),
        ('    volumes: [".:/code"]\n', False),
        # A named volume, or a folder other than the context: the image's copies still run.
        ("    volumes:\n      - data:/code\n", True),
        ("    volumes:\n      - ./logs:/code/logs\n", True),
        # The long form: a mapping per mount, its keys in any order, also as a flow mapping.
        ("    volumes:\n      - type: bind\n        source: .\n        target: /code\n", False),
        (
            "    volumes:\n      - data:/data\n      - target: /code\n        read_only: true\n"
            '        source: "./"  # the project\n        type: bind\n',
            False,
        ),
        ("    volumes:\n    - {type: bind, source: ., target: /code}\n", False),
        ("    volumes:\n    - .:/code\n", False),
        (
            "    volumes:\n      -\n        type: bind\n        source: .\n        target: /code\n",
            False,
        ),
        ("    volumes:\n      - type: volume\n        source: data\n        target: /code\n", True),
        (
            "    volumes:\n      - type: bind\n        source: ./log\n        target: /code/log\n",
            True,
        ),
        ("    volumes:\n      - type: bind\n        source: ${SRC}\n        target: /code\n", True),
    ],
    ids=[
        "bind-context",
        "quoted-and-named",
        "flow-list",
        "named-volume",
        "other-folder",
        "long-bind-context",
        "long-keys-reordered",
        "long-flow-mapping",
        "short-unindented",
        "long-dash-alone",
        "long-named-volume",
        "long-other-folder",
        "long-variable",
    ],
)
def test_a_service_mounting_its_build_context_runs_the_projects_files(
    tmp_path: Path, volumes: str, noted: bool
) -> None:
    """A compose service bind-mounting its build context over the image's folder (`.:/code`)
    runs the project's own files, the layer among them: the image's copies leaving the layer
    out say nothing (a note said the app fails at start-up; it did not)."""
    flat(tmp_path, "FROM python:3.12\nWORKDIR /code\nCOPY main.py ./\nCOPY app app\n")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  api:\n    build: .\n" + volumes + "volumes:\n  data:\n"
    )
    found = notes(tmp_path)
    assert (len(found) == 1) is noted, found


def test_a_service_mounting_the_backend_folder_below_its_context_runs_its_files(
    tmp_path: Path,
) -> None:
    """The compose file at the top mounts the backend folder (`./backend:/code`), built from
    there: what runs is the project's backend, the layer in it."""
    flat(tmp_path, "FROM python:3.12\nWORKDIR /code\nCOPY main.py ./\n", folder="backend")
    compose = "services:\n  api:\n    build:\n      context: ./backend\n"
    (tmp_path / "compose.yaml").write_text(compose)
    assert len(notes(tmp_path, folder="backend")) == 1
    (tmp_path / "compose.yaml").write_text(compose + "    volumes:\n      - ./backend:/code\n")
    assert notes(tmp_path, folder="backend") == []


def test_a_compose_dockerfile_outside_the_project_is_not_read(tmp_path: Path) -> None:
    flat(tmp_path)
    outside = tmp_path.parent / "elsewhere.Dockerfile"
    outside.write_text("FROM python:3.12\nCOPY main.py .\n")
    (tmp_path / "compose.yaml").write_text(
        f"services:\n  api:\n    build:\n      context: .\n      dockerfile: {outside}\n"
        "  web:\n    build:\n      context: ..\n  db:\n    build: https://github.com/x/y.git\n"
    )
    assert notes(tmp_path) == []


def test_a_context_below_the_dockerfile_that_misses_the_layer_says_nothing(
    tmp_path: Path,
) -> None:
    # The layer outside the build context: the context is not what was assumed.
    flat(tmp_path)
    (tmp_path / "app/Dockerfile").write_text("FROM python:3.12\nCOPY . .\n")
    assert missing_layer_notes(tmp_path, "app", "analytics", LAYER, ["main.py"]) == []


def test_generate_notes_it_and_exit_codes_stay(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    (root / "app").mkdir(parents=True)
    (root / "app/__init__.py").write_text("")
    (root / "app/main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (root / "requirements.txt").write_text("fastapi\n")
    (root / "Dockerfile").write_text(
        "FROM python:3.12-slim\nWORKDIR /code\nCOPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\nCOPY app/*.py app/\n"
        'CMD ["uvicorn", "app.main:app"]\n'
    )
    (root / "pyproject.toml").write_text(
        '[tool.telemetry-scaffold]\nbackend = "."\napp-package = "app"\n'
        "[tool.telemetry-scaffold.instrument]\n"
    )
    written = run("generate", "--root", str(root))
    assert written.exit_code == 0, written.stdout + written.stderr
    note = "Dockerfile:5: `COPY app/*.py app/` copies app/main.py into the image but not the"
    assert written.stdout.count(note) == 1, written.stdout
    assert "add `COPY app/analytics/ app/analytics/`" in written.stdout
    checked = run("generate", "--root", str(root), "--check", "--json")
    assert checked.exit_code == 0, checked.stdout
    document = json.loads(checked.stdout)
    assert document["ok"] is True
    found = [text for file in document["files"] for text in file["notes"]]
    assert len(found) == 1 and found[0].startswith(note), found
    # The fix the note names silences it.
    dockerfile = root / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "COPY app/analytics/ app/analytics/\n")
    again = run("generate", "--root", str(root))
    assert again.exit_code == 0 and "ImportError" not in again.stdout, again.stdout


@pytest.mark.parametrize(
    "ignore",
    ["*a*a*a*a*a*a*a*a*a*a*a*b\n", "**/**/**/**/**/**/**/**/**/b\n", "[\n\\\n!\n/\n**\n!**/*.py\n"],
)
def test_a_hostile_dockerignore_is_read_in_time(tmp_path: Path, ignore: str) -> None:
    # A pattern read as a backtracking regular expression would take for ever on these.
    flat(tmp_path, "FROM python:3.12\nCOPY . .\n")
    long = "analytics/" + "a" * 60 + ".py"
    (tmp_path / long).write_text("")
    (tmp_path / ".dockerignore").write_text(ignore)
    assert missing_layer_notes(tmp_path, ".", "analytics", [*LAYER, long], ["main.py"]) == []


def test_a_dockerfile_or_compose_file_too_large_is_skipped_with_a_note(tmp_path: Path) -> None:
    # 200,000 copies: weighing each against the layer took a minute.
    flat(tmp_path, "FROM python:3.12\n" + "COPY --exclude=*.md main.py app/ /code/\n" * 200_000)
    found = notes(tmp_path)
    assert len(found) == 1 and found[0].startswith("Dockerfile: not read, as it is larger than"), (
        found
    )
    assert "not checked for the generated layer" in found[0]
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\nCOPY main.py .\n")
    (tmp_path / "compose.yaml").write_text("services:\n" + "  x:\n    image: y\n" * 30_000)
    found = notes(tmp_path)
    assert len(found) == 2 and found[0].startswith("compose.yaml: not read, as it"), found
    assert found[1].startswith("Dockerfile:2: "), found


def _compose_work(root: Path, depth: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """The nodes built and mappings read for a compose file nesting ``depth`` builds."""
    nested = "".join(" " * level + "build:\n" for level in range(2, depth + 2))
    (root / "compose.yaml").write_text("services:\n" + nested)
    work = [0]
    pairs = image_layer._pairs

    class Counted(image_layer._YamlNode):
        def __new__(cls, *fields: object) -> Counted:
            work[0] += 1
            return super().__new__(cls, *fields)  # type: ignore[arg-type]

    def counted_pairs(
        node: image_layer._YamlNode,
    ) -> list[tuple[str | None, image_layer._YamlNode]]:
        work[0] += 1
        return pairs(node)

    with monkeypatch.context() as patched:
        patched.setattr(image_layer, "_YamlNode", Counted)
        patched.setattr(image_layer, "_pairs", counted_pairs)
        found = notes(root)
    assert len(found) == 1 and found[0].startswith("Dockerfile:2: "), found
    return work[0]


def test_nested_compose_build_keys_are_read_in_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each `build:` read the lines below it to its end: a file nesting hundreds took seconds.
    # Read by PyYAML's recursive composer, they would overflow its stack. The work (nodes
    # built, mappings read) grows with the text, not with its square.
    flat(tmp_path, "FROM python:3.12\nCOPY main.py .\n")
    small = _compose_work(tmp_path, 350, monkeypatch)
    large = _compose_work(tmp_path, 700, monkeypatch)
    assert 350 <= small <= 8 * 350, small
    assert large <= 2 * small + 16, (small, large)


@pytest.mark.parametrize(
    ("dockerfile", "compose", "noted"),
    [
        pytest.param("FROM x\n\n\nCOPY main.py .\n \\", None, 1, id="continued-at-the-end"),
        pytest.param("FROM x\nCOPY ma\x00in.py .\n", None, 0, id="nul-in-a-source"),
        # No YAML (a NUL is no character of it): the compose file is said to be unread.
        pytest.param(
            "FROM x\n",
            "services:\n  a:\n    build:\n      dockerfile: Dock\x00erfile\n",
            0,
            id="nul",
        ),
    ],
)
def test_a_hostile_dockerfile_gives_no_traceback(
    tmp_path: Path, dockerfile: str, compose: str | None, noted: int
) -> None:
    flat(tmp_path, dockerfile)
    if compose is not None:
        (tmp_path / "compose.yaml").write_text(compose)
    found = notes(tmp_path)
    unread = [note for note in found if note.startswith("compose.yaml:") and "no valid" in note]
    assert len(unread) == (compose is not None), found
    found = [note for note in found if note not in unread]
    assert len(found) == noted, found
    assert all(note.startswith("Dockerfile:4: ") for note in found), found


@pytest.mark.parametrize(("copy", "noted"), [("COPY main.py ./\n", True), ("COPY . .\n", False)])
def test_init_notes_it_too(tmp_path: Path, copy: str, noted: bool) -> None:
    root = flat(tmp_path, "FROM python:3.12\nWORKDIR /code\n" + copy)
    (root / "main.py").write_text(
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/x")\ndef x() -> int:\n'
        "    return 1\n"
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    note = "Dockerfile:3: `COPY main.py ./` copies main.py into the image but not the generated"
    assert result.stdout.count(note) == (1 if noted else 0), result.stdout


_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{name}: &{name} [" + ", ".join([f"*{below}"] * 9) + "]\n"
    for below, name in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize(
    "compose",
    [
        pytest.param("services:\n  web:\n    build: .\n" + _BOMB, id="alias-bomb"),
        pytest.param(
            "x-base: &base\n  build:\n    context: .\nservices:\n  web:\n    <<: *base\n",
            id="merge-key",
        ),
        pytest.param("services:\n  - web\n  - build: .\n", id="services-a-list"),
        pytest.param("services: web\n", id="services-a-string"),
        pytest.param(
            "services:\n  web:\n    build: [1, 2]\n    command: {a: b}\n    environment: 5\n"
            "    working_dir: []\n  db: 7\n  x: null\n",
            id="wrong-types",
        ),
        pytest.param(bytes(range(256)) * 16, id="binary"),
        pytest.param(b"services:\n  web:\n    build: \xff\xfe\n", id="not-utf8"),
        pytest.param("services: " + "[" * 20_000 + "]" * 20_000 + "\n", id="deep-flow"),
        pytest.param(
            "services:\n" + "".join("  " * depth + f"k{depth}:\n" for depth in range(1, 400)),
            id="deep-blocks",
        ),
        pytest.param(
            "services:\n" + "".join(" " * depth + "build:\n" for depth in range(1, 700)),
            id="nested-builds",
        ),
        pytest.param(
            "services:\n  web: !!python/object/apply:os.system ['exit 3']\n    build: .\n",
            id="python-tag",
        ),
        pytest.param("services:\n" + "  x:\n    image: y\n" * 30_000, id="huge"),
        pytest.param("services:\n  web:\n    build: ./a\x00b\n    command: a\x00\n", id="nul"),
    ],
)
def test_a_hostile_compose_file_is_no_trouble_for_init(
    tmp_path: Path, compose: str | bytes
) -> None:
    root = flat(tmp_path, "FROM python:3.12\nCOPY main.py .\n")
    (root / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    compose_file = root / "docker-compose.yml"
    if isinstance(compose, bytes):
        compose_file.write_bytes(compose)
    else:
        compose_file.write_text(compose)
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "[tool.telemetry-scaffold]" in (root / "pyproject.toml").read_text()


def test_init_names_the_copy_of_the_module_it_wires_as_generate_does(tmp_path: Path) -> None:
    # `asgi.py` only calls the factory `app/__init__.py` holds: the wiring, and so the import
    # of the layer, goes into `app/__init__.py`, whose COPY init names, as generate does.
    root = tmp_path / "svc"
    (root / "app").mkdir(parents=True)
    (root / "app/__init__.py").write_text(
        "from fastapi import FastAPI\n\n\ndef create_app() -> FastAPI:\n    app = FastAPI()\n\n"
        '    @app.get("/x")\n    def x() -> int:\n        return 1\n\n    return app\n'
    )
    (root / "asgi.py").write_text("from app import create_app\n\napp = create_app()\n")
    (root / "requirements.txt").write_text("fastapi\n")
    (root / "Dockerfile").write_text(
        "FROM python:3.12\nWORKDIR /srv\nCOPY app ./app\nCOPY asgi.py .\n"
        'CMD ["gunicorn", "-k", "uvicorn.workers.UvicornWorker", "asgi:app"]\n'
    )
    note = "Dockerfile:3: `COPY app ./app` copies app/__init__.py into the image but not"
    initialized = run("init", "--root", str(root))
    assert initialized.exit_code == 0, initialized.stdout + initialized.stderr
    assert initialized.stdout.count(note) == 1, initialized.stdout
    assert "copies asgi.py" not in initialized.stdout, initialized.stdout
    written = run("generate", "--root", str(root))
    assert written.exit_code == 0, written.stdout + written.stderr
    assert written.stdout.count(note) == 1, written.stdout


@pytest.mark.parametrize(
    ("dockerfile", "line", "version"),
    [
        pytest.param("FROM python:3.8-slim\nCOPY . /app\n", 1, "3.8", id="official-slim"),
        pytest.param("FROM docker.io/library/python:3.10\nCOPY . .\n", 1, "3.10", id="registry"),
        pytest.param(
            "# build\nFROM tiangolo/uvicorn-gunicorn-fastapi:python3.8-slim\nCOPY ./ .\n",
            2,
            "3.8",
            id="tiangolo-tag",
        ),
        pytest.param(
            "FROM python:3.9 AS base\nRUN true\nFROM base\nCOPY . .\n", 1, "3.9", id="on-a-stage"
        ),
        pytest.param(
            "FROM mcr.microsoft.com/azure-functions/python:3.0-python3.9-appservice\nCOPY . .\n",
            1,
            "3.9",
            id="runtime-then-python-tag",
        ),
        pytest.param(
            "FROM myreg:5000/azure-functions/python:3.0-python3.8\nCOPY . .\n",
            1,
            "3.8",
            id="registry-port-then-python-tag",
        ),
    ],
)
def test_an_image_running_a_python_older_than_the_layer_needs_is_noted(
    tmp_path: Path, dockerfile: str, line: int, version: str
) -> None:
    found = notes(flat(tmp_path, dockerfile))
    assert len(found) == 1, found
    assert found[0].startswith(f"Dockerfile:{line}: "), found
    assert f"runs Python {version}" in found[0], found
    assert "needs Python 3.11 or newer" in found[0], found


@pytest.mark.parametrize(
    "dockerfile",
    [
        pytest.param("FROM python:3.11-slim\nCOPY . .\n", id="3.11"),
        pytest.param("FROM python:3.13\nCOPY . .\n", id="3.13"),
        pytest.param("FROM python:3\nCOPY . .\n", id="major-only"),
        pytest.param("FROM python\nCOPY . .\n", id="untagged"),
        pytest.param("FROM tiangolo/uvicorn-gunicorn-fastapi\nCOPY . .\n", id="tiangolo-latest"),
        pytest.param("ARG V=3.8\nFROM python:${V}\nCOPY . .\n", id="variable"),
        pytest.param("FROM python:3.8 AS b\nRUN true\nFROM python:3.12\nCOPY . .\n", id="builder"),
        pytest.param("FROM python:3.8\nCOPY app /code/app\n", id="module-not-copied"),
        pytest.param("FROM mypython:3.8\nCOPY . .\n", id="other-image"),
        # Azure Functions' tags lead with the Functions runtime's version, not Python's.
        pytest.param(
            "FROM mcr.microsoft.com/azure-functions/python:3.0-python3.11\nCOPY . .\n",
            id="runtime-version-first",
        ),
        pytest.param(
            "FROM myreg:5000/azure-functions/python:3.0-python3.11\nCOPY . .\n",
            id="registry-port-runtime-version-first",
        ),
    ],
)
def test_a_recent_or_unknown_python_is_not_noted(tmp_path: Path, dockerfile: str) -> None:
    assert notes(flat(tmp_path, dockerfile)) == []


def test_an_old_python_and_a_missing_layer_are_both_noted(tmp_path: Path) -> None:
    found = notes(flat(tmp_path, "FROM python:3.8\nCOPY main.py .\n"))
    assert len(found) == 2, found
    assert "runs Python 3.8" in found[0] and "ImportError" in found[1], found


def test_generate_and_init_note_an_old_python_and_exit_codes_stay(tmp_path: Path) -> None:
    root = flat(tmp_path, "FROM python:3.9-slim\nWORKDIR /code\nCOPY . .\n")
    (root / "main.py").write_text(
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/x")\ndef x() -> int:\n'
        "    return 1\n"
    )
    for name in ("__init__.py", "event_logger.py"):
        (root / "analytics" / name).unlink()
    (root / "analytics").rmdir()
    note = "Dockerfile:1: its image runs Python 3.9 (`FROM python:3.9-slim`)"
    initialized = run("init", "--root", str(root))
    assert initialized.exit_code == 0, initialized.stdout + initialized.stderr
    assert initialized.stdout.count(note) == 1, initialized.stdout
    written = run("generate", "--root", str(root))
    assert written.exit_code == 0, written.stdout + written.stderr
    assert written.stdout.count(note) == 1, written.stdout
    checked = run("generate", "--root", str(root), "--check")
    assert checked.exit_code == 0, checked.stdout


def test_generate_reads_each_dockerfile_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The quickstart's install steps and the image note both need the Dockerfile: one read.
    from telemetry_cli import install_steps

    reads: list[Path] = []
    read_bytes = install_steps.read_bytes

    def counted(path: Path, relative: str) -> bytes | None:
        reads.append(path)
        return read_bytes(path, relative)

    monkeypatch.setattr(install_steps, "read_bytes", counted)
    root = flat(tmp_path, "FROM python:3.12\nRUN pip install -r requirements.txt\nCOPY main.py .\n")
    (root / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (root / "pyproject.toml").write_text(
        '[tool.telemetry-scaffold]\nbackend = "."\napp-package = "app"\n'
        "[tool.telemetry-scaffold.instrument]\n"
    )
    written = run("generate", "--root", str(root))
    assert written.exit_code == 0, written.stdout + written.stderr
    assert "Dockerfile:3: `COPY main.py .` copies main.py" in written.stdout, written.stdout
    assert [path.name for path in reads].count("Dockerfile") == 1, reads


def test_generate_parses_each_dockerfile_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The install steps (the requirements its copies bring) and the image note both need the
    # Dockerfile's stages: parsed once.

    parsed: list[str] = []
    instructions = image_layer._instructions

    def counted(text: str) -> Iterator[tuple[int, str]]:
        parsed.append(text)
        return instructions(text)

    image_layer._stages.cache_clear()
    monkeypatch.setattr(image_layer, "_instructions", counted)
    dockerfile = (
        "FROM python:3.12\nWORKDIR /srv\nCOPY deps/prod.txt req.txt\n"
        "RUN pip install -r req.txt\nCOPY main.py .\n"
    )
    root = flat(tmp_path, dockerfile)
    (root / "requirements.txt").unlink()
    (root / "deps").mkdir()
    (root / "deps/prod.txt").write_text("fastapi\nuvicorn\n")
    (root / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (root / "pyproject.toml").write_text(
        '[tool.telemetry-scaffold]\nbackend = "."\napp-package = "app"\n'
        "[tool.telemetry-scaffold.instrument]\n"
    )
    written = run("generate", "--root", str(root))
    assert written.exit_code == 0, written.stdout + written.stderr
    assert "Dockerfile:5: `COPY main.py .` copies main.py" in written.stdout, written.stdout
    quickstart = next(root.glob("specs/*/quickstart.md")).read_text()
    assert "pip install -r deps/prod.txt" in quickstart
    assert parsed.count(dockerfile) == 1, parsed


def packaged(root: Path, dockerfile: str, main: str = "") -> Path:
    """``app/main.py`` with the layer in ``app/analytics/``: imported as ``app.analytics``."""
    (root / "app/analytics").mkdir(parents=True)
    for name in ("app/__init__.py", "app/analytics/__init__.py", "app/analytics/event_logger.py"):
        (root / name).write_text("")
    (root / "app/main.py").write_text(main)
    (root / "requirements.txt").write_text("fastapi\n")
    (root / "Dockerfile").write_text(dockerfile)
    return root


def packaged_notes(root: Path, backend: str = ".") -> list[str]:
    layer = ["app/analytics/__init__.py", "app/analytics/event_logger.py"]
    return missing_layer_notes(root, backend, "app/analytics", layer, ["app/main.py"])


_TIANGOLO = "FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11\n"


@pytest.mark.parametrize(
    ("dockerfile", "line", "landing", "roots"),
    [
        pytest.param(_TIANGOLO + "COPY ./app /app\n", 2, "/app/analytics", "/app", id="tiangolo"),
        pytest.param(
            _TIANGOLO + "COPY ./requirements.txt /app/\nCOPY ./app /app\nCMD /start-reload.sh\n",
            3,
            "/app/analytics",
            "/app",
            id="tiangolo-reload",
        ),
        pytest.param(
            'FROM python:3.12\nWORKDIR /code\nCOPY ./app /code\nCMD ["uvicorn", "main:app"]\n',
            3,
            "/code/analytics",
            "/code",
            id="workdir-uvicorn",
        ),
        pytest.param(
            "FROM python:3.12-slim\nWORKDIR /srv\nCOPY app/ .\n"
            "CMD python -m gunicorn main:app -k uvicorn.workers.UvicornWorker\n",
            3,
            "/srv/analytics",
            "/srv",
            id="python-m-gunicorn",
        ),
        pytest.param(
            "FROM python:3.12\nWORKDIR /code\nCOPY . .\nCMD uvicorn main:app --app-dir app\n",
            3,
            "/code/app/analytics",
            "/code/app",
            id="app-dir",
        ),
        pytest.param(
            "FROM python:3.12\nWORKDIR /code\nCOPY . .\n"
            "CMD granian --interface asgi --working-dir app main:app\n",
            3,
            "/code/app/analytics",
            "/code/app",
            id="granian-working-dir",
        ),
        # uvicorn and granian read their options from the environment too (click's
        # auto_envvar_prefix): UVICORN_APP_DIR is --app-dir, GRANIAN_WORKING_DIR --working-dir.
        pytest.param(
            "FROM python:3.12\nWORKDIR /code\nCOPY . .\nENV UVICORN_APP_DIR=app\n"
            "CMD uvicorn main:app\n",
            3,
            "/code/app/analytics",
            "/code/app",
            id="app-dir-from-the-environment",
        ),
        pytest.param(
            "FROM python:3.12 AS base\nENV GRANIAN_WORKING_DIR=/code/app\nFROM base\n"
            "WORKDIR /code\nCOPY . .\nCMD granian --interface asgi main:app\n",
            5,
            "/code/app/analytics",
            "/code/app",
            id="granian-working-dir-from-the-environment",
        ),
        pytest.param(
            "FROM python:3.12\nWORKDIR /code\nCOPY ./app /code\n"
            'CMD ["fastapi", "run", "-e", "main:app"]\n',
            3,
            "/code/analytics",
            "/code",
            id="fastapi-entrypoint",
        ),
        # /code/__init__.py makes /code a package: the CLI imports `code.main` from /.
        pytest.param(
            "FROM python:3.12\nWORKDIR /code\nCOPY ./app /code\nCMD fastapi run main.py\n",
            3,
            "/code/analytics",
            "/",
            id="fastapi-path-in-a-package",
        ),
        # A script of several commands serves from the folder its one server runs in.
        pytest.param(
            "FROM python:3.12\nWORKDIR /code\nCOPY ./app .\nCMD uvicorn main:app && true\n",
            3,
            "/code/analytics",
            "/code",
            id="two-commands",
        ),
        pytest.param(
            "FROM python:3.12\nWORKDIR /srv\nCOPY ./app /code\n"
            'CMD ["sh", "-c", "cd /code && alembic upgrade head && exec uvicorn main:app"]\n',
            3,
            "/code/analytics",
            "/code",
            id="a-script-changing-folder",
        ),
    ],
)
def test_a_layer_the_images_import_path_cannot_resolve_is_noted(
    tmp_path: Path, dockerfile: str, line: int, landing: str, roots: str
) -> None:
    found = packaged_notes(packaged(tmp_path, dockerfile))
    assert len(found) == 1, found
    assert found[0].startswith(f"Dockerfile:{line}: "), found
    assert f"puts the generated layer app/analytics/ at {landing}/ in the image" in found[0]
    assert "app/main.py imports it as `app.analytics`" in found[0], found
    assert f"the image's import path ({roots}) cannot resolve" in found[0], found
    assert "ImportError" in found[0] and "\n" not in found[0]


@pytest.mark.parametrize(
    "dockerfile",
    [
        pytest.param(
            'FROM python:3.12\nWORKDIR /code\nCOPY . .\nCMD ["uvicorn", "app.main:app"]\n',
            id="run-from-the-root",
        ),
        pytest.param(_TIANGOLO + "COPY ./ /app\n", id="tiangolo-package"),
        pytest.param(_TIANGOLO + "COPY ./app /app/app\n", id="tiangolo-package-folder"),
        pytest.param(_TIANGOLO + "ENV PYTHONPATH=/\nCOPY ./app /app\n", id="pythonpath"),
        # gunicorn puts each folder of --pythonpath on the import path (after --chdir).
        pytest.param(
            "FROM python:3.12\nWORKDIR /srv/app\nCOPY ./app .\n"
            "CMD gunicorn --pythonpath /srv main:app -k uvicorn.workers.UvicornWorker\n",
            id="gunicorn-pythonpath",
        ),
        pytest.param(
            "FROM python:3.12\nWORKDIR /srv/app\nCOPY ./app .\n"
            "CMD gunicorn --chdir /srv/app --pythonpath=..,/opt main:app\n",
            id="gunicorn-pythonpath-after-chdir",
        ),
        # The command line's option wins over the environment's.
        pytest.param(
            "FROM python:3.12\nWORKDIR /code\nCOPY . .\nENV UVICORN_APP_DIR=app\n"
            "CMD uvicorn app.main:app --app-dir .\n",
            id="app-dir-option-over-the-environment",
        ),
        pytest.param(
            'FROM python:3.12\nWORKDIR /code\nCOPY ./app /code\nCMD ["./start.sh"]\n',
            id="a-script",
        ),
        pytest.param(
            "FROM python:3.12\nWORKDIR /code\nCOPY ./app .\nCMD gunicorn -c conf.py main:app\n",
            id="a-config-file",
        ),
        pytest.param(
            "FROM python:3.12\nARG DIR\nWORKDIR $DIR\nCOPY ./app .\nCMD uvicorn main:app\n",
            id="a-variable-workdir",
        ),
        pytest.param(
            "FROM myorg/base\nCOPY ./app .\nCMD uvicorn main:app\n", id="an-unknown-image"
        ),
        # An alternative: which command serves is not known.
        pytest.param(
            "FROM python:3.12\nWORKDIR /code\nCOPY ./app .\nCMD uvicorn main:app || true\n",
            id="an-alternative",
        ),
        pytest.param(
            "FROM python:3.12 AS b\nCOPY app /src\nFROM python:3.12\nCOPY --from=b /src /code\n"
            "WORKDIR /code\nCMD uvicorn main:app\n",
            id="from-another-stage",
        ),
        pytest.param(
            'FROM python:3.12\nWORKDIR /code\nCOPY . .\nCMD ["fastapi", "run", "app/main.py"]\n',
            id="fastapi-path-from-the-root",
        ),
        # The CLI looks for the module itself: where is not known.
        pytest.param(
            "FROM python:3.12\nWORKDIR /code\nCOPY ./app /code\nCMD fastapi run\n",
            id="fastapi-no-module",
        ),
    ],
)
def test_a_layer_the_image_resolves_or_an_unknown_import_path_is_not_noted(
    tmp_path: Path, dockerfile: str
) -> None:
    assert packaged_notes(packaged(tmp_path, dockerfile)) == []


def test_a_module_changing_its_own_import_path_is_not_noted(tmp_path: Path) -> None:
    main = "import os\nimport sys\n\nsys.path.insert(0, os.path.dirname(__file__))\n"
    root = packaged(tmp_path, _TIANGOLO + "COPY ./app /app\n", main)
    assert packaged_notes(root) == []


def test_the_layer_imported_from_the_folder_the_image_runs_is_not_noted(tmp_path: Path) -> None:
    # backend = "app", app-package = "": the layer is `analytics`, /app/analytics in the image.
    root = packaged(tmp_path, _TIANGOLO + "COPY ./app /app\n")
    assert packaged_notes(root, "app") == []


def test_generate_notes_a_layer_the_image_cannot_import(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    packaged(root, _TIANGOLO + "COPY ./app /app\n")
    (root / "app/analytics/__init__.py").unlink()
    (root / "app/analytics/event_logger.py").unlink()
    (root / "app/analytics").rmdir()
    (root / "app/main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (root / "pyproject.toml").write_text(
        '[tool.telemetry-scaffold]\nbackend = "."\napp-package = "app"\n'
        "[tool.telemetry-scaffold.instrument]\n"
    )
    written = run("generate", "--root", str(root))
    assert written.exit_code == 0, written.stdout + written.stderr
    note = "Dockerfile:2: `COPY ./app /app` puts the generated layer app/analytics/ at"
    assert written.stdout.count(note) == 1, written.stdout
    checked = run("generate", "--root", str(root), "--check")
    assert checked.exit_code == 0, checked.stdout


_GUNICORN_IMAGE = (
    "FROM python:3.12\nWORKDIR /srv/app\nCOPY ./app .\n"
    "CMD gunicorn main:app -k uvicorn.workers.UvicornWorker\n"
)


@pytest.mark.parametrize(
    ("conf", "noted"),
    [
        ('pythonpath = "/srv"\n', False),
        ('chdir = "/srv"\nbind = "0.0.0.0:8000"\n', False),
        ('bind = "0.0.0.0:8000"\n', True),
        ('import os\n\npythonpath = os.environ["EXTRA"]\n', False),  # not known: no note
    ],
    ids=["pythonpath", "chdir", "neither", "not-a-constant"],
)
def test_the_gunicorn_configuration_file_in_the_working_directory_is_read(
    tmp_path: Path, conf: str, noted: bool
) -> None:
    """gunicorn reads `./gunicorn.conf.py` (of its working directory) by default: its `chdir`
    and `pythonpath` settings put folders on the import path as the options do."""
    root = packaged(tmp_path, _GUNICORN_IMAGE)
    (root / "app/gunicorn.conf.py").write_text(conf)
    found = packaged_notes(root)
    assert len(found) == (1 if noted else 0), found


def src_layout(root: Path, install: str) -> Path:
    """A ``src/app`` package (the layer in ``src/app/analytics``) that the image may install."""
    (root / "src/app/analytics").mkdir(parents=True)
    for name in ("__init__.py", "main.py", "analytics/__init__.py", "analytics/event_logger.py"):
        (root / "src/app" / name).write_text("")
    (root / "pyproject.toml").write_text('[project]\nname = "svc"\n')
    (root / "requirements.txt").write_text("fastapi\n")
    (root / "Dockerfile").write_text(
        f"FROM python:3.12-slim\nWORKDIR /code\n{install}\n"
        'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\n'
    )
    return root


def src_notes(root: Path) -> list[str]:
    layer = ["src/app/analytics/__init__.py", "src/app/analytics/event_logger.py"]
    return missing_layer_notes(root, "src", "src/app/analytics", layer, ["src/app/main.py"])


@pytest.mark.parametrize(
    "install",
    [
        "COPY . .\nRUN pip install --no-cache-dir .",
        "COPY . .\nRUN pip install -r requirements.txt && pip install -e .",
        "COPY . /srv/svc\nRUN python -m pip install '/srv/svc[server]'",
        "COPY pyproject.toml .\nCOPY src/ src/\nRUN uv pip install --system --no-deps .",
        "COPY . .\nRUN pip install --upgrade pip; pip3 install --editable=.",
        "COPY . .\nRUN uv sync --frozen --no-dev",
        "COPY . .\nRUN poetry install --without dev && true",
        "COPY . /srv\nRUN uv sync --project /srv",
    ],
    ids=[
        "pip-install-dot",
        "editable",
        "absolute-with-extras",
        "uv-pip",
        "editable-option",
        "uv-sync",
        "poetry-install",
        "uv-sync-project",
    ],
)
def test_an_image_installing_the_project_imports_its_layer(tmp_path: Path, install: str) -> None:
    """`pip install .` of a src layout puts the package, layer included, on the import path."""
    assert src_notes(src_layout(tmp_path, install)) == []


@pytest.mark.parametrize(
    "install",
    [
        "COPY . .\nRUN pip install -r requirements.txt",
        "COPY . .\nRUN pip install fastapi uvicorn",
        # Installed before the code is copied: the installed package has no layer.
        "COPY pyproject.toml .\nRUN pip install .\nCOPY . .",
        # Another folder than the one holding the package.
        "COPY . .\nRUN pip install ./tools",
        # The dependencies only.
        "COPY . .\nRUN uv sync --frozen --no-install-project",
        "COPY . .\nRUN poetry install --no-root",
    ],
    ids=[
        "requirements-only",
        "libraries-only",
        "installed-before-the-copy",
        "other-folder",
        "uv-sync-dependencies",
        "poetry-no-root",
    ],
)
def test_an_image_not_installing_the_project_is_still_noted(tmp_path: Path, install: str) -> None:
    (tmp_path / "tools").mkdir()
    found = src_notes(src_layout(tmp_path, install))
    assert len(found) == 1, found
    assert "cannot resolve" in found[0], found


#: Serves `main:app` from /code/app, where the layer is `analytics`, not `app.analytics`.
_FROM_APP = "FROM python:3.12\nWORKDIR /code\nCOPY . .\nCMD uvicorn main:app --app-dir app\n"
#: Serves `app.main:app` from /code: the layer resolves as `app.analytics`.
_FROM_ROOT = "FROM python:3.12\nWORKDIR /code\nCOPY . .\nCMD uvicorn app.main:app\n"


@pytest.mark.parametrize(
    ("dockerfile", "service", "roots"),
    [
        # The service's command, in each way compose writes one, over the image's CMD.
        pytest.param(_FROM_APP, "    command: uvicorn app.main:app\n", None, id="command"),
        # A null command is unset: the image's own CMD runs (it was read as the word "null").
        pytest.param(_FROM_APP, "    command: null\n", "/code/app", id="null"),
        pytest.param(_FROM_APP, "    command: ~  # the image's\n", "/code/app", id="tilde"),
        pytest.param(
            _FROM_APP, '    command: ["uvicorn", "app.main:app"]  # dev\n', None, id="flow-list"
        ),
        pytest.param(
            _FROM_APP, "    command:\n      - uvicorn\n      - 'app.main:app'\n", None, id="list"
        ),
        pytest.param(
            _FROM_APP, "    command: >\n      uvicorn\n      app.main:app\n", None, id="folded"
        ),
        # A list written as deep as its key is the key's all the same.
        pytest.param(
            _FROM_ROOT,
            "    command:\n    - uvicorn\n    - main:app\n    - --app-dir\n    - app\n",
            "/code/app",
            id="list-unindented",
        ),
        pytest.param(
            _FROM_ROOT, "    command: uvicorn main:app --app-dir app\n", "/code/app", id="note"
        ),
        # working_dir: over the WORKDIR.
        pytest.param(
            _FROM_ROOT,
            "    working_dir: /code/app\n    command: uvicorn main:app\n",
            "/code/app",
            id="working-dir",
        ),
        # entrypoint: over the ENTRYPOINT, and the image's CMD cleared with it.
        pytest.param(
            _FROM_ROOT,
            '    entrypoint: ["uvicorn", "main:app"]\n    working_dir: "/code/app"\n',
            "/code/app",
            id="entrypoint-clears-cmd",
        ),
        # command: only replaces the CMD: the image's ENTRYPOINT stays.
        pytest.param(
            'FROM python:3.12\nWORKDIR /code\nCOPY . .\nENTRYPOINT ["uvicorn"]\n'
            'CMD ["app.main:app"]\n',
            "    command: main:app --app-dir app\n",
            "/code/app",
            id="command-after-entrypoint",
        ),
        # Keys of another service, or of the build, are not this service's.
        pytest.param(
            _FROM_ROOT,
            "    build_args_below: 1\n  worker:\n    image: x\n    working_dir: /code/app\n"
            "    command: uvicorn main:app\n",
            None,
            id="another-service",
        ),
    ],
)
def test_a_compose_service_runs_its_image_with_its_own_command(
    tmp_path: Path, dockerfile: str, service: str, roots: str | None
) -> None:
    packaged(tmp_path, dockerfile)
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  api:\n    build: .\n" + service)
    found = packaged_notes(tmp_path)
    if roots is None:
        assert found == [], found
    else:
        assert len(found) == 1 and found[0].startswith("Dockerfile:3: "), found
        assert f"the image's import path ({roots}) cannot resolve" in found[0], found


@pytest.mark.parametrize(
    "service",
    [
        "    command: uvicorn ${APP_MODULE}\n",
        "    labels:\n      serve: &serve uvicorn ${APP_MODULE}\n    command: *serve\n",
        "    working_dir: app\n",
        "    labels: &defaults {a: b}\n    <<: *defaults\n",
        "    extends:\n      service: base\n",
    ],
)
def test_a_compose_command_not_known_says_nothing_of_the_import_path(
    tmp_path: Path, service: str
) -> None:
    packaged(tmp_path, _FROM_APP)
    assert len(packaged_notes(tmp_path)) == 1
    (tmp_path / "compose.yaml").write_text("services:\n  api:\n    build: .\n" + service)
    assert packaged_notes(tmp_path) == []


def test_a_compose_build_reads_a_lower_case_dockerfile_for_the_app_it_serves(
    tmp_path: Path,
) -> None:
    # With no `dockerfile:`, a build reads `Dockerfile`, else `dockerfile`.
    (tmp_path / "svc/app").mkdir(parents=True)
    (tmp_path / "svc/app/main.py").write_text("")
    (tmp_path / "svc/dockerfile").write_text(
        'FROM python:3.12\nWORKDIR /code\nCOPY . .\nCMD ["uvicorn", "app.main:app"]\n'
    )
    (tmp_path / "compose.yaml").write_text("services:\n  api:\n    build:\n      context: svc\n")
    assert served_modules(tmp_path) == [("svc", "app.main:app")]


@pytest.mark.parametrize(
    ("shebang", "noted"),
    [
        ("#!/bin/bash\n", True),
        ("#!/usr/bin/env sh\n", True),
        # Not a shell's script: what it runs is not read.
        ("#!/usr/bin/env python3\n", False),
        ("", False),
    ],
)
def test_a_start_script_run_by_its_path_without_sh_is_read(
    tmp_path: Path, shebang: str, noted: bool
) -> None:
    """A cookiecutter's `/start` (no `.sh`), run as the image's command: read through its
    commands when its first line runs a shell, as `./start.sh` is."""
    packaged(
        tmp_path,
        'FROM python:3.12\nWORKDIR /code\nCOPY start /start\nCOPY ./app /code\nCMD ["/start"]\n',
    )
    (tmp_path / "start").write_text(shebang + "set -e\nexec uvicorn main:app --host 0.0.0.0\n")
    found = packaged_notes(tmp_path)
    if noted:
        assert len(found) == 1 and found[0].startswith("Dockerfile:4: "), found
        assert "the image's import path (/code) cannot resolve" in found[0], found
    else:
        assert found == [], found


def test_a_compose_command_given_by_an_anchor_is_read(tmp_path: Path) -> None:
    # The service's command is the anchored list (compose's own `x-` extension field): it
    # serves `app.main:app` from /code, where the layer resolves. Read line by line, the
    # alias was a command not known.
    packaged(tmp_path, _FROM_APP)
    (tmp_path / "compose.yaml").write_text(
        "x-serve: &serve [uvicorn, app.main:app]\n"
        "services:\n  api:\n    build: .\n    command: *serve\n"
    )
    assert packaged_notes(tmp_path) == []
    # The same list anchored where it is first used, under another service, reads the same.
    (tmp_path / "compose.yaml").write_text(
        "services:\n  worker:\n    image: x\n    command: &serve\n      - uvicorn\n"
        "      - main:app\n      - --app-dir\n      - app\n"
        "  api:\n    build: .\n    command: *serve\n"
    )
    found = packaged_notes(tmp_path)
    assert len(found) == 1 and "the image's import path (/code/app) cannot" in found[0], found


@pytest.mark.parametrize(
    ("compose", "line", "problem"),
    [
        (
            "services:\n  api:\n    build: .\n    command: *serve\n",
            4,
            "alias *serve names no anchor",
        ),
        # PyYAML's words (libyaml's or its own) for what is wrong.
        ("services:\n  api:\n    build: .\n    command: [uvicorn\n", 5, ""),
        ("services:\n  api:\n    build: .\n   command: x\n", 4, ""),
    ],
)
def test_a_compose_file_that_is_no_yaml_is_said_in_one_line(
    tmp_path: Path, compose: str, line: int, problem: str
) -> None:
    # Read line by line, a file compose itself refuses was read for whatever its lines held.
    packaged(tmp_path, _FROM_APP)
    (tmp_path / "compose.yaml").write_text(compose)
    found = packaged_notes(tmp_path)
    unread = [note for note in found if note.startswith(f"compose.yaml:{line}: not read")]
    assert len(unread) == 1, found
    assert f"is no valid YAML ({problem}" in unread[0], unread
    assert unread[0].endswith("the images it builds are not checked for the generated layer")
    assert "\n" not in unread[0]


@pytest.mark.parametrize(("padding", "read"), [(0, True), (MAX_BUILD_FILE_CHARS, False)])
def test_init_reads_the_commands_of_no_run_file_the_image_check_would_not(
    tmp_path: Path, padding: int, read: bool
) -> None:
    # A compose file of megabytes (9 MB of nested blocks here, as a generated or hostile one
    # may be) took init 4 s to read for command lines; it is skipped as the image check skips
    # it, a real one (a few KiB) read as before.
    root = flat(tmp_path)
    nested = "".join("  " * depth + f"k{depth}:\n" for depth in range(1, 3000))
    text = "services:\n  web:\n    command: uvicorn main:app\n" + nested[:padding]
    (root / "docker-compose.yml").write_text(text)
    targets, seconds = cpu_seconds(lambda: run_file_targets(root, GitIgnore(root), None))
    assert targets == ({"main:app"} if read else set())
    assert seconds < 0.5


@pytest.mark.parametrize(("padding", "read"), [(0, True), (MAX_BUILD_FILE_CHARS, False)])
def test_init_reads_no_vercel_configuration_larger_than_a_run_file(
    tmp_path: Path, padding: int, read: bool
) -> None:
    root = flat(tmp_path)
    (root / "api").mkdir()
    (root / "api/index.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    text = '{"builds": [{"src": "api/index.py", "use": "@vercel/python"}], "x": "%s"}'
    (root / "vercel.json").write_text(text % ("a" * padding))
    targets, seconds = cpu_seconds(lambda: run_file_targets(root, GitIgnore(root), None))
    assert targets == ({"api.index:app"} if read else set())
    assert seconds < 0.5
