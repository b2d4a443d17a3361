"""Every example of the README is run, or checked as far as it can be here, on a fresh clone.

Each fenced block of README.md is in one of two tables below, named by its heading and first line:
``RUN`` (the test that runs it) or ``NOT_RUNNABLE`` (why it cannot run here, and the test that
checks what can be checked). A block in neither fails ``test_every_block_is_run_or_listed``.

The blocks run on ``git clone`` of the repository (the committed state). The README's setup
commands create ``.venv`` and ``pip install`` the project; tests run offline, so instead the
clone's ``.venv`` is a link to the environment running these tests (which has the ``dev`` extra
installed, and so ``backend``: the test asserts that), and only the ``python3 -m venv ... && pip
install ...`` prefix of those commands is skipped; the rest runs as written. This is faster than
``test_install.py``'s offline wheelhouse, which already proves that ``pip install`` works from a
clean clone; what this file proves is what the README says happens after it. The editable install
the reader's ``pip install -e`` makes puts the clone on ``sys.path``; ``PYTHONPATH`` does the same
here, so the clone's own code runs, never the working tree's.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomlkit
import yaml
from packaging.requirements import Requirement

from telemetry_cli.patching import wire_source
from telemetry_cli.render import GENERATED_PRAGMAS
from tests.cli_support import REPO
from tests.readme_support import Block, parse_blocks, shell_commands
from tests.test_quickstart import free_port, sh

Key = tuple[str, str]

GENERATE = (
    "Two commands",
    "python3 -m venv .venv && .venv/bin/pip install -q -e '.[backend]' && "
    ".venv/bin/telemetry-scaffold generate",
)
RUN_TESTS = (
    "Two commands",
    "python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]' && .venv/bin/python -m pytest",
)
REGENERATE = (
    "Two commands",
    "rm -r backend/app/analytics specs && .venv/bin/telemetry-scaffold generate",
)
SERVE = ("Serving the bundled backend", "cd backend && ../.venv/bin/uvicorn app.main:app --reload")
SERVE_WITH_LOGGING = (
    "Serving the bundled backend",
    "cd backend && ../.venv/bin/python -c 'import logging, uvicorn; "
    'logging.basicConfig(level=logging.INFO); uvicorn.run("app.main:app", port=8000)\'',
)
SYNOPSIS = ("Command line", "telemetry-scaffold --version | --help")
PLAN = ("Configuration", "[tool.telemetry-scaffold.instrument]")
CATALOG_EVENT = ("The event catalog", "[tool.telemetry-scaffold.events.quiz_completed]")
TRACKING = ("The event catalog", "from datetime import UTC, datetime")
EVENTS_SCHEMA = ("The event catalog", "import json")
INSERTED_CALL = ("What it writes", "event_logger.log(")
DUAL_IMPORTS = ("What it writes", "try:")
SINK = (
    "Plugging in a real sink",
    "from app.analytics.event_logger import QueueSink, event_logger",
)
OTLP_SETUP = (
    "Sending events to OpenTelemetry",
    "from opentelemetry._logs import set_logger_provider",
)
COLLECTOR = ("Sending events to OpenTelemetry", "receivers:")
RECORD = ("Sending events to OpenTelemetry", "{")
CI_STEPS = ("Using it in CI", "# .github/workflows/ci.yml")
PRE_COMMIT = ("Using it in CI", "- repo: <url of this repository>")
BENCH = (
    "Performance",
    ".venv/bin/python bench/run.py # about 10 minutes; writes bench/RESULTS.md",
)
LAYOUT = (
    "Development",
    "telemetry_cli/ the package: cli.py (Typer, thin: options in, one error-to-exit decorator)"
    " over",
)

# Blocks run as a reader runs them (a stand-in only for what the reader writes themselves).
RUN: dict[Key, str] = {
    GENERATE: "test_generate_reports_every_file_unchanged",
    REGENERATE: "test_generating_from_scratch_gives_back_the_committed_layer",
    SERVE: "test_serving_the_bundled_backend",
    SERVE_WITH_LOGGING: "test_serving_with_a_logging_configuration_shows_the_records",
    SINK: "test_the_sink_example_sends_events_to_the_readers_sink",
    CATALOG_EVENT: "test_a_declared_event_gets_its_model_contract_and_schema",
    TRACKING: "test_typed_tracking_logs_the_declared_event",
    EVENTS_SCHEMA: "test_the_events_schema_example_validates_a_payload",
}


@dataclass(frozen=True)
class NotRunnable:
    """Why a block cannot run here, and the tests that check what can be checked of it."""

    reason: str
    tests: tuple[str, ...]


NOT_RUNNABLE: dict[Key, NotRunnable] = {
    RUN_TESTS: NotRunnable(
        "it runs this whole suite, this test included, and takes minutes",
        ("test_ci_runs_the_test_command", "test_the_test_command_collects_on_a_fresh_clone"),
    ),
    SYNOPSIS: NotRunnable(
        "a synopsis, not a command", ("test_the_synopsis_names_exactly_the_clis_options",)
    ),
    PLAN: NotRunnable(
        "a part of the bundled plan (its capture needs the events declared elsewhere in it)",
        ("test_the_plan_example_is_the_bundled_plan",),
    ),
    INSERTED_CALL: NotRunnable(
        "a statement inside a route handler, shown as generate inserts it",
        ("test_the_inserted_call_is_the_one_in_the_bundled_backend",),
    ),
    DUAL_IMPORTS: NotRunnable(
        "lines inside a user's module, shown as generate inserts them",
        ("test_the_dual_mode_imports_are_the_ones_generate_inserts",),
    ),
    OTLP_SETUP: NotRunnable(
        "needs opentelemetry-exporter-otlp-proto-http (not installed here: no downloads) and a "
        "Collector listening; it runs with a stand-in exporter",
        ("test_the_opentelemetry_setup_exports_the_events",),
    ),
    COLLECTOR: NotRunnable(
        "a configuration for otelcol-contrib, which is not installed here",
        ("test_the_collector_configuration_receives_what_the_setup_sends",),
    ),
    RECORD: NotRunnable(
        "output, not input: what the SDK's console exporter prints (shortened)",
        ("test_the_record_shown_is_what_the_sdk_prints",),
    ),
    CI_STEPS: NotRunnable(
        "GitHub Actions steps: the first installs from the network, at a placeholder URL",
        ("test_the_ci_steps_pin_a_release_and_run_the_check",),
    ),
    PRE_COMMIT: NotRunnable(
        "pre-commit clones the repository from its URL (network, placeholder)",
        ("test_the_pre_commit_example_names_the_repositorys_hook",),
    ),
    BENCH: NotRunnable(
        "the full run takes about 10 minutes and rewrites the committed bench/RESULTS.md; even "
        "the smoke run takes one to three minutes",
        ("test_the_benchmark_commands_parse",),
    ),
    LAYOUT: NotRunnable(
        "a listing of the repository's layout", ("test_the_layout_names_files_that_exist",)
    ),
}


# --- the README and the tables stay in step ------------------------------------------------------


def readme_blocks(root: Path) -> list[Block]:
    return parse_blocks((root / "README.md").read_text(encoding="utf-8"))


def test_every_block_is_run_or_listed() -> None:
    # The working tree's README: a block added there fails here before it is even committed.
    blocks = readme_blocks(REPO)
    unlisted = [b.describe() for b in blocks if b.key not in RUN and b.key not in NOT_RUNNABLE]
    assert unlisted == [], (
        "README blocks neither run by tests/test_readme.py nor listed in its NOT_RUNNABLE table "
        "(add a test, or a reason): " + "; ".join(unlisted)
    )
    keys = [block.key for block in blocks]
    assert sorted({k for k in keys if keys.count(k) > 1}) == [], "two README blocks share a key"
    stale = [key for key in [*RUN, *NOT_RUNNABLE] if key not in keys]
    assert stale == [], f"entries of tests/test_readme.py that name no README block: {stale}"
    assert not set(RUN) & set(NOT_RUNNABLE)


def test_the_readme_names_exactly_the_generated_pragmas() -> None:
    # "What it writes" spells out the header's pragma lines: the same ones, in the same order.
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## What it writes\n", 1)[1].split("\n- ", 1)[0]
    named = re.findall(r"`# ([^`]+)`", " ".join(section.split()))
    assert named == list(GENERATED_PRAGMAS)


def test_every_listed_block_names_tests_that_exist() -> None:
    names = [*RUN.values(), *(name for entry in NOT_RUNNABLE.values() for name in entry.tests)]
    missing = [name for name in names if not callable(globals().get(name))]
    assert missing == []
    assert all(name.startswith("test_") for name in names)
    assert all(entry.reason for entry in NOT_RUNNABLE.values())


# --- the fresh clone -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Clone:
    """A fresh clone with the test environment linked in as its ``.venv``."""

    root: Path
    env: dict[str, str]

    def block(self, key: Key) -> Block:
        found = [b for b in readme_blocks(self.root) if b.key == key]
        if len(found) != 1:
            pytest.fail(f"the committed README has {len(found)} blocks {key} (is it committed?)")
        return found[0]

    def sh(self, command: str, cwd: str = ".") -> subprocess.CompletedProcess[str]:
        return sh(command, self.root / cwd, self.env)

    def git_changes(self) -> str:
        # .venv is the link this test made; git's `.venv/` ignore rule matches folders only.
        return subprocess.run(
            ["git", "status", "--porcelain", "--", ".", ":!.venv"],
            cwd=self.root,
            env=git_environment(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout


def git_environment() -> dict[str, str]:
    # In a git hook, GIT_DIR or GIT_INDEX_FILE would point git at the repository, not the clone.
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def make_clone(target: Path) -> Clone:
    subprocess.run(
        ["git", "clone", "--quiet", str(REPO), str(target)],
        env=git_environment(),
        check=True,
        timeout=60,
    )
    environment = Path(sys.prefix)
    missing = [
        n
        for n in ("python", "telemetry-scaffold", "uvicorn")
        if not (environment / "bin" / n).exists()
    ]
    if missing:
        pytest.fail(f"run the tests from the project's .venv ({missing} missing in {environment})")
    (target / ".venv").symlink_to(environment, target_is_directory=True)
    drop = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "TELEMETRY_ENABLED")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("COV_CORE_")}
    # What the reader's `pip install -e .` does; the linked environment's own editable install
    # points at the repository running the tests, which would otherwise win.
    env["PYTHONPATH"] = str(target)
    # Bare `telemetry-scaffold` (the CI example) finds the tool the way an installed one is found.
    env["PATH"] = f"{target / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["NO_COLOR"] = "1"
    clone = Clone(target, env)
    where = clone.sh(".venv/bin/python -c 'import telemetry_cli; print(telemetry_cli.__file__)'")
    assert Path(where.stdout.strip()).parent == target / "telemetry_cli", where
    return clone


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Clone:
    return make_clone(tmp_path_factory.mktemp("readme") / "telemetry-scaffold")


def skip_install(command: str, clone: Clone) -> str:
    """The command without its `python3 -m venv .venv && pip install -e '.[extra]' && ` prefix.

    The prefix is skipped, not ignored: the linked environment must hold what it installs.
    """
    match = re.fullmatch(
        r"python3 -m venv \.venv && \.venv/bin/pip install -q -e '\.\[(?P<extra>\w+)\]' && (.+)",
        command.strip(),
    )
    assert match is not None, f"not the README's install prefix: {command!r}"
    assert unmet_requirements(clone.root, match["extra"]) == []
    return match[2]


def unmet_requirements(root: Path, extra: str) -> list[str]:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    unmet: list[str] = []
    pending, seen = [extra], set()
    while pending:
        current = pending.pop()
        seen.add(current)
        for line in [*project["dependencies"], *project["optional-dependencies"][current]]:
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate(
                {"extra": current}
            ):
                continue  # not for this platform or Python
            if requirement.name == project["name"]:
                pending.extend(e for e in requirement.extras if e not in seen)
                continue
            try:
                version = importlib.metadata.version(requirement.name)
            except importlib.metadata.PackageNotFoundError:
                unmet.append(line)
                continue
            if not requirement.specifier.contains(version, prereleases=True):
                unmet.append(f"{line} (installed: {version})")
    return unmet


# --- Two commands --------------------------------------------------------------------------------


def test_generate_reports_every_file_unchanged(clone: Clone) -> None:
    command = skip_install(clone.block(GENERATE).text, clone)
    result = clone.sh(command)
    assert result.returncode == 0, result.stdout + result.stderr
    *files, total = result.stdout.splitlines()
    # "on a fresh clone everything is already committed, so every file is reported unchanged"
    assert files and all(line.startswith("unchanged ") for line in files), result.stdout
    assert total == f"Done: {len(files)} files: {len(files)} unchanged."
    assert clone.git_changes() == ""


def test_ci_runs_the_test_command(clone: Clone) -> None:
    command = clone.block(RUN_TESTS).text.strip()
    script = (clone.root / ".ci/run").read_text(encoding="utf-8").splitlines()
    assert script[-1] == command, "README: `.ci/run` runs exactly the second command"
    assert skip_install(command, clone) == ".venv/bin/python -m pytest"


@pytest.mark.slow
def test_the_test_command_collects_on_a_fresh_clone(clone: Clone) -> None:
    # Running the suite from inside itself would recurse; collecting it proves the command starts
    # on a fresh clone: pytest's strict configuration holds and no test imports an untracked file.
    command = skip_install(clone.block(RUN_TESTS).text, clone)
    result = subprocess.run(
        ["bash", "-c", f"{command} --collect-only -q"],
        cwd=clone.root,
        env=clone.env,
        capture_output=True,
        text=True,
        # A guard against a hang, not a time limit: collecting 25,000 tests takes minutes on a
        # loaded machine.
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"^\d+ tests collected", result.stdout, re.M), result.stdout[-500:]


def test_generating_from_scratch_gives_back_the_committed_layer(clone: Clone) -> None:
    command = clone.block(REGENERATE).text.strip()
    layer = clone.root / "backend/app/analytics"
    assert layer.is_dir() and (clone.root / "specs").is_dir()
    result = clone.sh(command)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    created = [line.split()[1] for line in lines if line.startswith("created ")]
    assert "backend/app/analytics/event_logger.py" in created
    assert any(path.startswith("specs/") for path in created)
    # Only the deleted files are written again; the patches in the user's modules were kept.
    assert all(p.startswith(("backend/app/analytics/", "specs/")) for p in created), created
    assert lines[-1].startswith(f"Done: {len(lines) - 1} files: {len(created)} created")
    assert clone.git_changes() == "", "the regenerated layer differs from the committed one"


# --- Serving the bundled backend -----------------------------------------------------------------


@contextmanager
def serving(command: str, clone: Clone, port: int, log: Path) -> Iterator[None]:
    """Run a server command in the background until the block's calls are done."""
    with log.open("w") as output:
        # A session of its own, so that stopping it stops uvicorn's reloader and its worker too.
        process = subprocess.Popen(
            ["bash", "-c", command],
            cwd=clone.root,
            env=clone.env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while not port_open(port):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"no server on port {port}: {log.read_text()}"
            time.sleep(0.1)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


def on_port(command: str, port: int) -> str:
    assert "localhost:8000" in command, command
    return command.replace("localhost:8000", f"localhost:{port}")


def call_the_server(clone: Clone, port: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The README's curl calls, against the server on ``port``: the two answers, as JSON."""
    _, *calls = shell_commands(clone.block(SERVE).text)
    results = [clone.sh(on_port(call, port)) for call in calls]
    for call, result in zip(calls, results, strict=True):
        assert result.returncode == 0, (call, result.stderr)
    posted, health = (json.loads(result.stdout) for result in results)
    assert isinstance(posted, dict) and isinstance(health, dict)
    return posted, health


def test_serving_the_bundled_backend(clone: Clone, tmp_path: Path) -> None:
    server, *calls = shell_commands(clone.block(SERVE).text)
    assert len(calls) == 2 and all(call.startswith("curl ") for call in calls)
    # uvicorn's default port, 8000, is the README's: serve on a free one instead.
    assert "--port" not in server
    port, log = free_port(), tmp_path / "server.log"
    with serving(f"{server} --port {port}", clone, port, log):
        posted, health = call_the_server(clone, port)
    # The generated API: 202 {"status": "accepted", "event_id", "event_type", "timestamp"}.
    assert set(posted) == {"status", "event_id", "event_type", "timestamp"}
    assert (posted["status"], posted["event_type"]) == ("accepted", "chapter_visit")
    assert re.fullmatch(r"[0-9a-f-]{36}", posted["event_id"])
    assert health == {
        "status": "ok",
        "enabled": True,
        "sink": "LoggingSink",
        "allowed_event_types": ["ai_block_used", "chapter_visit", "error_event"],
        "queue_depth": 0,
        "dropped": 0,
        "failed": 0,
        "window_seconds": 60,
    }
    logs = log.read_text()
    assert '"POST /api/telemetry/log HTTP/1.1" 202' in logs, logs
    # "uvicorn configures only its own loggers": without a logging configuration, no record.
    assert "chapter_visit" not in logs, logs
    assert clone.git_changes() == ""


def test_serving_with_a_logging_configuration_shows_the_records(
    clone: Clone, tmp_path: Path
) -> None:
    [server] = shell_commands(clone.block(SERVE_WITH_LOGGING).text)
    port, log = free_port(), tmp_path / "server.log"
    assert "port=8000" in server
    with serving(server.replace("port=8000", f"port={port}"), clone, port, log):
        posted, _ = call_the_server(clone, port)
    logs = log.read_text()
    [record] = [line for line in logs.splitlines() if line.startswith("INFO:app.analytics:")]
    event = json.loads(record.removeprefix("INFO:app.analytics:"))
    assert event == {
        "event_id": posted["event_id"],
        "event_type": "chapter_visit",
        "payload": {"chapter_id": "kinematics"},
        "timestamp": posted["timestamp"],
    }


# --- Command line --------------------------------------------------------------------------------


def help_options(text: str, section: str) -> dict[str, str]:
    """The entries of one section of a ``--help`` page: name -> metavar (or "")."""
    entries: dict[str, str] = {}
    inside = False
    for line in text.splitlines():
        if not line.startswith(" "):
            inside = line.rstrip() == f"{section}:"
            continue
        match = re.match(r"^  (?:-\w, )?(?P<name>--[\w-]+|[A-Za-z_]+)(?: <(?P<meta>[^>]*)>)?", line)
        if inside and match is not None:
            entries[match["name"]] = match["meta"] or ""
    return entries


def test_the_synopsis_names_exactly_the_clis_options(clone: Clone) -> None:
    lines = clone.block(SYNOPSIS).text.splitlines()
    assert lines[0] == "telemetry-scaffold --version | --help"
    top = clone.sh(".venv/bin/telemetry-scaffold --help")
    assert top.returncode == 0, top.stderr
    # Shell completion is typer's own pair of options, described with `emit`, not in the synopsis.
    top_options = set(help_options(top.stdout, "Options")) - {
        "--install-completion",
        "--show-completion",
    }
    assert top_options == {"--version", "--help"}
    commands = [line.split()[1] for line in lines[1:]]
    assert commands == list(help_options(top.stdout, "Commands"))
    for line, command in zip(lines[1:], commands, strict=True):
        page = clone.sh(f".venv/bin/telemetry-scaffold {command} --help")
        assert page.returncode == 0, page.stderr
        options = help_options(page.stdout, "Options")
        options.pop("--help")
        named = re.findall(r"--[a-z][\w-]*", line)
        assert sorted(named) == sorted(options), line
        for option, choices in re.findall(r"(--[\w-]+) (\w+(?:\|\w+)+)", line):
            assert options[option] == choices, line
        # Positional arguments: what is left once the optional [...] groups are taken out.
        positional = re.sub(r"\[[^\]]*\]", "", line).split()[2:]
        assert positional == list(help_options(page.stdout, "Arguments")), line


# --- Configuration and the event catalog --------------------------------------------------------

PLAN_SCRIPT = """
import json, sys, tomllib
from pathlib import Path
from telemetry_cli.plan import plan_from_table

root = Path.cwd()
document = tomllib.loads(sys.stdin.read())
table = document["tool"]["telemetry-scaffold"]
plan = plan_from_table(table, root=root, config_file=root / "pyproject.toml", tool=document["tool"])
print(json.dumps(plan.instrument))
"""


def valid_plan(clone: Clone, toml: str) -> list[list[str]]:
    """Validate a TOML document's plan with the clone's own plan code; its (module, event)s."""
    result = subprocess.run(
        [str(clone.root / ".venv/bin/python"), "-c", PLAN_SCRIPT],
        input=toml,
        cwd=clone.root,
        env=clone.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    instrument: list[list[str]] = json.loads(result.stdout)
    return instrument


def contained(part: object, whole: object) -> bool:
    """Whether every key of the (nested) table ``part`` is in ``whole`` with the same value."""
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(
            key in whole and contained(value, whole[key]) for key, value in part.items()
        )
    return part == whole


def test_the_plan_example_is_the_bundled_plan(clone: Clone) -> None:
    fragment = tomllib.loads(clone.block(PLAN).text)
    pyproject = (clone.root / "pyproject.toml").read_text(encoding="utf-8")
    # A part of the repository's plan, which declares the events the capture needs: it is there
    # as shown, and the plan it is part of is valid and instruments chapter visits.
    assert contained(fragment["tool"], tomllib.loads(pyproject)["tool"])
    assert ["api/chapters.py", "chapter_visit"] in valid_plan(clone, pyproject)


@dataclass(frozen=True)
class Catalog:
    """A clone whose plan has the README's declared event pasted in, and generate's output."""

    clone: Clone
    generated: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    # Its own clone: the declared event regenerates the layer, which the other tests must not see.
    declared = make_clone(tmp_path_factory.mktemp("readme-catalog") / "telemetry-scaffold")
    # As a reader adds it: the table pasted at the end of pyproject.toml.
    with (declared.root / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write("\n" + declared.block(CATALOG_EVENT).text)
    return Catalog(declared, declared.sh(".venv/bin/telemetry-scaffold generate"))


def test_a_declared_event_gets_its_model_contract_and_schema(catalog: Catalog) -> None:
    block = catalog.clone.block(CATALOG_EVENT)
    # A plan on its own, too: an event declared beside the defaults.
    assert valid_plan(catalog.clone, block.text) == [["api/ai_blocks.py", "ai_block_used"]]
    generated = catalog.generated
    assert generated.returncode == 0, generated.stdout + generated.stderr
    root = catalog.clone.root
    models = (root / "backend/app/analytics/analytics_models.py").read_text(encoding="utf-8")
    assert "class QuizCompletedPayload(StandardContext):" in models
    assert re.search(r'"quiz_completed": QuizCompletedPayload', models)
    contracts = root / "specs/059-analytics-telemetry/contracts"
    contract = yaml.safe_load((contracts / "telemetry-api.yaml").read_text(encoding="utf-8"))
    schemas = contract["components"]["schemas"]
    assert schemas["QuizCompletedLogRequest"]["properties"]["payload"] == {
        "$ref": "#/components/schemas/QuizCompletedPayload"
    }
    schema = json.loads((contracts / "events.schema.json").read_text(encoding="utf-8"))
    assert {"quiz_completed", "ai_block_used"} <= set(schema["$defs"])
    check = catalog.clone.sh(".venv/bin/telemetry-scaffold generate --check")
    assert check.returncode == 0, check.stdout + check.stderr


# The records go to the `app.analytics` logger; a logging configuration shows them on stderr.
SHOW_RECORDS = (
    "import logging\nlogging.basicConfig(level=logging.INFO, format='%(name)s %(message)s')\n"
)


def test_typed_tracking_logs_the_declared_event(catalog: Catalog) -> None:
    assert catalog.generated.returncode == 0, catalog.generated.stderr
    snippet = catalog.clone.block(TRACKING).text
    result = subprocess.run(
        [str(catalog.clone.root / ".venv/bin/python"), "-c", SHOW_RECORDS + snippet],
        cwd=catalog.clone.root / "backend",
        env=catalog.clone.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    [record] = result.stderr.splitlines()
    event = json.loads(record.removeprefix("app.analytics "))
    assert event["event_type"] == "quiz_completed"
    finished_at = event["payload"].pop("finished_at")
    # The optional `attempt` was left at None: not sent.
    assert event["payload"] == {"chapter_id": "kinematics", "score": 0.8, "answers": ["a", "c"]}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+\+00:00", finished_at), finished_at


def test_the_events_schema_example_validates_a_payload(clone: Clone) -> None:
    # Run from the repository's root, where the document's relative path points.
    snippet = clone.block(EVENTS_SCHEMA).text
    result = subprocess.run(
        [str(clone.root / ".venv/bin/python"), "-c", snippet],
        cwd=clone.root,
        env=clone.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# --- What it writes ------------------------------------------------------------------------------


def test_the_inserted_call_is_the_one_in_the_bundled_backend(clone: Clone) -> None:
    block = clone.block(INSERTED_CALL)
    compile(block.text, "README.md", "exec")
    handler_body = "".join(f"    {line}" for line in block.text.splitlines(keepends=True))
    module = (clone.root / "backend/app/api/chapters.py").read_text(encoding="utf-8")
    assert handler_body in module, "the README's example is not what generate inserted"


def test_the_dual_mode_imports_are_the_ones_generate_inserts(clone: Clone) -> None:
    block = clone.block(DUAL_IMPORTS)
    compile(block.text, "README.md", "exec")
    # The module the README describes: its own package imported both ways.
    module = (
        "from fastapi import FastAPI\n\ntry:\n    from .v1.routes import router\n"
        "except ImportError:\n    from v1.routes import router\n\napp = FastAPI()\n"
    )
    wired = wire_source(
        module, module_name="app.main", analytics_package="app.analytics", capture_errors=False
    )
    assert f"\n\n{block.text}\n" in wired.source, "the README's example is not what generate writes"


# --- Plugging in a real sink ---------------------------------------------------------------------

# The reader's own module, which the README's example imports (`from app.tracking import ...`).
STAND_IN_SINK = '''"""Stand-in for the reader's sink: keeps its events and their threads."""

import threading

received = []
threads = set()
closed = []


class WarehouseSink:
    def emit(self, event):
        received.append({"event_type": event.event_type, "payload": dict(event.payload)})
        threads.add(threading.get_ident())

    def flush(self):
        pass

    def close(self):
        closed.append(True)
'''

SINK_CHECK = """
import json, threading
from fastapi.testclient import TestClient
from app import tracking
from app.main import app

with TestClient(app) as client:
    visit = client.get("/api/chapters/kinematics")
    health = client.get("/api/telemetry/health").json()
print(json.dumps({
    "status": visit.status_code,
    "health": health,
    "received": tracking.received,
    "on_main_thread": threading.get_ident() in tracking.threads,
}))
"""


def test_the_sink_example_sends_events_to_the_readers_sink(clone: Clone) -> None:
    block = clone.block(SINK)
    stand_in = clone.root / "backend/app/tracking.py"
    stand_in.write_text(STAND_IN_SINK, encoding="utf-8")
    try:
        # "installing it at startup": the example runs first, then the app serves a request.
        result = subprocess.run(
            [str(clone.root / ".venv/bin/python"), "-c", block.text + SINK_CHECK],
            cwd=clone.root / "backend",
            env=clone.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        stand_in.unlink()
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["status"] == 200
    assert outcome["health"]["sink"] == "QueueSink(WarehouseSink)"
    # The router's lifespan flushed the queue when the app stopped: the visit reached the sink,
    # from QueueSink's background thread, never the request's.
    [visit] = outcome["received"]
    assert visit["event_type"] == "chapter_visit"
    assert visit["payload"]["chapter_id"] == "kinematics"
    assert outcome["on_main_thread"] is False


# --- Sending events to OpenTelemetry -------------------------------------------------------------

# opentelemetry-exporter-otlp-proto-http is not installed, and there is no Collector: this module
# takes its place (`opentelemetry` is a namespace package, so it merges in) and keeps what it is
# given to export, with the endpoint it was built for.
STAND_IN_EXPORTER = '''"""Stand-in for the OTLP HTTP log exporter: keeps records, sends none."""

import json

from opentelemetry.sdk._logs.export import ConsoleLogRecordExporter

endpoints = []
records = []


class OTLPLogExporter(ConsoleLogRecordExporter):
    def __init__(self, endpoint):
        super().__init__(formatter=lambda record: record.to_json(indent=None))
        endpoints.append(endpoint)

    def export(self, batch):
        records.extend(json.loads(self.formatter(record)) for record in batch)
        return super().export([])
'''

OTLP_CHECK = """
import json
from fastapi.testclient import TestClient
from opentelemetry.exporter.otlp.proto.http import _log_exporter as exporter
from app.main import app

with TestClient(app) as client:
    quiz = client.post("/api/ai/quiz", json={"chapter_id": "kinematics"})
    health = client.get("/api/telemetry/health").json()
provider.force_flush()
print(json.dumps({
    "status": quiz.status_code,
    "health": health,
    "endpoints": exporter.endpoints,
    "records": exporter.records,
}))
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The README's SDK setup, run at the start of the bundled backend with the OpenTelemetry sink.

    Its own clone: `sink = "opentelemetry"` regenerates the layer, which the other tests must not
    see.
    """
    base = tmp_path_factory.mktemp("readme-otel")
    clone = make_clone(base / "telemetry-scaffold")
    config = clone.root / "pyproject.toml"
    document = tomlkit.parse(config.read_text(encoding="utf-8"))
    document["tool"]["telemetry-scaffold"]["sink"] = "opentelemetry"
    config.write_text(tomlkit.dumps(document), encoding="utf-8")
    generated = clone.sh(".venv/bin/telemetry-scaffold generate")
    assert generated.returncode == 0, generated.stdout + generated.stderr
    package = base / "stand-in/opentelemetry/exporter/otlp/proto/http"
    package.mkdir(parents=True)
    (package / "_log_exporter.py").write_text(STAND_IN_EXPORTER, encoding="utf-8")
    env = {**clone.env, "PYTHONPATH": f"{clone.env['PYTHONPATH']}{os.pathsep}{base / 'stand-in'}"}
    result = subprocess.run(
        [str(clone.root / ".venv/bin/python"), "-c", clone.block(OTLP_SETUP).text + OTLP_CHECK],
        cwd=clone.root / "backend",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome: dict[str, Any] = json.loads(result.stdout)
    return outcome


def test_the_opentelemetry_setup_exports_the_events(exported: dict[str, Any]) -> None:
    assert exported["status"] == 200
    assert exported["endpoints"] == ["http://127.0.0.1:4318/v1/logs"]
    # "opentelemetry_sdk_configured: true once the application set a logger provider"
    assert exported["health"]["sink"] == "OpenTelemetrySink"
    assert exported["health"]["opentelemetry_sdk_configured"] is True
    [record] = [r for r in exported["records"] if r["event_name"] == "ai_block_used"]
    assert record["resource"]["attributes"]["service.name"] == "backend"


def test_the_collector_configuration_receives_what_the_setup_sends(clone: Clone) -> None:
    config = yaml.safe_load(clone.block(COLLECTOR).text)
    endpoint = config["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    setup = clone.block(OTLP_SETUP).text
    assert f'endpoint="http://{endpoint}/v1/logs"' in setup
    logs = config["service"]["pipelines"]["logs"]
    assert logs["receivers"] == ["otlp"]
    assert logs["exporters"] and all(name in config["exporters"] for name in logs["exporters"])
    assert all(name in config.get("processors", {}) for name in logs.get("processors", []))


def test_the_record_shown_is_what_the_sdk_prints(clone: Clone, exported: dict[str, Any]) -> None:
    shown = json.loads(clone.block(RECORD).text)
    [printed] = [r for r in exported["records"] if r["event_name"] == shown["event_name"]]
    # Shortened: every field shown is printed; these have the values shown.
    assert set(shown) <= set(printed)
    for field in ("severity_number", "severity_text", "event_name"):
        assert printed[field] == shown[field], field
    assert set(printed["attributes"]) == set(shown["attributes"])
    uid = "log.record.uid"
    for name, value in shown["attributes"].items():
        if name != uid:
            assert printed["attributes"][name] == value, name
    for event_id in (shown["attributes"][uid], printed["attributes"][uid]):
        assert re.fullmatch(r"[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}", event_id), event_id
    for timestamp in (shown["timestamp"], printed["timestamp"]):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", timestamp), timestamp


# --- Using it in CI ------------------------------------------------------------------------------


def ci_pin(clone: Clone) -> str:
    """The release tag the CI example installs, checked to be a release of this project."""
    install, _ = (step["run"] for step in yaml.safe_load(clone.block(CI_STEPS).text))
    name = tomllib.loads((clone.root / "pyproject.toml").read_text())["project"]["name"]
    match = re.fullmatch(
        rf'pip install "{re.escape(name)} @ git\+<url of this repository>@(?P<tag>v\S+)"', install
    )
    assert match is not None, install
    version = match["tag"].removeprefix("v")
    changelog = (clone.root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(version)} - \d{{4}}-\d\d-\d\d$", changelog, re.M), (
        f"{match['tag']} is not a release in CHANGELOG.md"
    )
    return match["tag"]


def test_the_ci_steps_pin_a_release_and_run_the_check(clone: Clone) -> None:
    steps = yaml.safe_load(clone.block(CI_STEPS).text)
    assert isinstance(steps, list) and [set(step) for step in steps] == [{"run"}, {"run"}]
    assert ci_pin(clone).startswith("v")
    # The second step runs offline: the committed tree is up to date, so it passes quietly.
    result = clone.sh(steps[1]["run"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout and "::error" not in result.stdout


def test_the_pre_commit_example_names_the_repositorys_hook(clone: Clone) -> None:
    [repository] = yaml.safe_load(clone.block(PRE_COMMIT).text)
    assert repository["repo"] == "<url of this repository>"
    assert repository["rev"] == ci_pin(clone), "the two examples pin the same release"
    offered = yaml.safe_load((clone.root / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook_ids = [hook["id"] for hook in repository["hooks"]]
    assert hook_ids and set(hook_ids) <= {hook["id"] for hook in offered}


# --- Performance and Development -----------------------------------------------------------------


def test_the_benchmark_commands_parse(clone: Clone) -> None:
    commands = [line.split("#")[0].split() for line in shell_commands(clone.block(BENCH).text)]
    assert [command[:2] for command in commands] == [[".venv/bin/python", "bench/run.py"]] * 2
    page = clone.sh(".venv/bin/python bench/run.py --help")
    assert page.returncode == 0, page.stderr
    options = {option for command in commands for option in command[2:]}
    assert options == {"--quick"} and "--quick" in page.stdout
    assert "bench/RESULTS.md" in page.stdout


def test_the_layout_names_files_that_exist(clone: Clone) -> None:
    text = clone.block(LAYOUT).text
    entries = [line.split()[0] for line in text.splitlines() if line and not line[0].isspace()]
    assert entries and [e for e in entries if not (clone.root / e).exists()] == []
    # The package's paragraph names its modules, those after `patching/:` in that subpackage.
    package = text.split("\ntemplates/")[0]
    top, _, patching = package.partition("patching/:")
    named = [f"telemetry_cli/{name}" for name in re.findall(r"\b(\w+\.py)\b", top)]
    named += [f"telemetry_cli/patching/{name}" for name in re.findall(r"\b(\w+\.py)\b", patching)]
    assert len(named) > 10 and [n for n in named if not (clone.root / n).is_file()] == []


# --- the parser ----------------------------------------------------------------------------------


def test_blocks_are_read_with_their_heading_and_indentation() -> None:
    markdown = (
        "# Title\n\n```bash\necho one\n```\n\n## Section #\n\n- item:\n\n  ```python\n"
        "  x = 1\n    y = 2\n  ```\n\n````markdown\n# not a heading\n```\n````\n\n"
        "~~~\nplain\n~~~\nText with ```inline``` code.\n"
    )
    blocks = parse_blocks(markdown)
    assert [(b.heading, b.language, b.text, b.line) for b in blocks] == [
        ("Title", "bash", "echo one\n", 3),
        ("Section", "python", "x = 1\n  y = 2\n", 11),
        ("Section", "markdown", "# not a heading\n```\n", 16),
        ("Section", "", "plain\n", 21),
    ]
    assert blocks[0].key == ("Title", "echo one")
    assert shell_commands("curl -s \\\n  -d x\n\nls\n") == ["curl -s   -d x", "ls"]
