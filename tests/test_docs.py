"""The spec-kit documents of the feature: grammar, plan-driven content, hygiene, quickstart.

Every document is rendered through the real ``render_outputs`` for several plans, so a value
that is hard-coded in a template instead of taken from the plan shows up as a leak in the
documents of the other plans.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import typer

from telemetry_cli.cli import app
from telemetry_cli.plan import Plan, plan_from_table
from telemetry_cli.render import LIMITS, OUTPUTS, Place, carries_header, render_outputs, with_header
from tests.catalog_support import catalog_plan

# The Markdown documents of the feature, from the registry of outputs.
DOCUMENTS = tuple(
    output.name
    for output in OUTPUTS
    if output.place is Place.FEATURE and output.name.endswith(".md")
)


def _default(root: Path) -> Plan:
    return Plan.default(root)


def _bundled(root: Path) -> Plan:
    # What the repository's own pyproject.toml asks for.
    repository = Path(__file__).resolve().parent.parent / "pyproject.toml"
    table = tomllib.loads(repository.read_text(encoding="utf-8"))["tool"]["telemetry-scaffold"]
    return plan_from_table(table, root=root, config_file=root / "pyproject.toml")


def _renamed(root: Path) -> Plan:
    # Every value differs from the defaults, so nothing of the defaults may show up.
    return Plan.default(root)._replace(
        backend="server",
        app_package="svc.core",
        specs_dir="docs/specs",
        feature="060-product-events",
        api_prefix="/v2/events",
        event_types=("page_view", "signup_completed", "error_event"),
        instrument=(("routes/pages.py", "page_view"),),
    )


def _no_errors(root: Path) -> Plan:
    return Plan.default(root)._replace(
        event_types=("page_view", "signup_completed"),
        instrument=(),
        capture_errors=False,
    )


def _opentelemetry(root: Path) -> Plan:
    # The OpenTelemetry sink changes the quickstart's steps and adds a generated module.
    return _bundled(root)._replace(sink="opentelemetry")


PLANS: dict[str, Callable[[Path], Plan]] = {
    "default": _default,
    "bundled": _bundled,
    "renamed": _renamed,
    "no-errors": _no_errors,
    "opentelemetry": _opentelemetry,
    "catalog": catalog_plan,  # declared events: per-event tables and requirements
}


def render_docs(plan: Plan) -> dict[str, str]:
    """Return the feature documents by name, without the do-not-edit header render adds."""
    docs: dict[str, str] = {}
    prefix = plan.feature_dir + "/"
    for output in render_outputs(plan):
        if not output.path.startswith(prefix) or not output.path.endswith(".md"):
            continue
        # As long as the header: its digest is filled in, not the zeros with_header writes.
        header = with_header(output.path, "")
        assert carries_header(output.path, output.content.encode()), output.path
        docs[output.path[len(prefix) :]] = output.content[len(header) :]
    return docs


@pytest.fixture(params=sorted(PLANS))
def plan(request: pytest.FixtureRequest, tmp_path: Path) -> Plan:
    factory: Callable[[Path], Plan] = PLANS[request.param]
    return factory(tmp_path)


@pytest.fixture
def docs(plan: Plan) -> dict[str, str]:
    return render_docs(plan)


def headings(text: str) -> list[str]:
    """Markdown headings outside fenced code blocks."""
    found: list[str] = []
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"^#{1,6} ", line):
            found.append(line)
    return found


def assert_in_order(found: list[str], expected: list[str]) -> None:
    """Each expected prefix matches a heading, in this order (other headings may come between)."""
    position = 0
    for prefix in expected:
        while position < len(found) and not found[position].startswith(prefix):
            position += 1
        assert position < len(found), f"heading {prefix!r} missing or out of order in {found}"
        position += 1


def section(text: str, heading: str) -> str:
    """The body under ``heading`` up to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines()
    start = lines.index(heading) + 1
    end = len(lines)
    fenced = False
    for index in range(start, len(lines)):
        if lines[index].startswith("```"):
            fenced = not fenced
        match = re.match(r"^(#{1,6}) ", lines[index])
        if match and not fenced and len(match.group(1)) <= level:
            end = index
            break
    return "\n".join(lines[start:end])


def sequential(ids: list[str], prefix: str) -> bool:
    return ids == [f"{prefix}{number:03d}" for number in range(1, len(ids) + 1)]


# --- the set of documents -------------------------------------------------------------------


def test_every_document_is_rendered_into_the_feature_folder(
    plan: Plan, docs: dict[str, str]
) -> None:
    assert set(docs) == set(DOCUMENTS)
    assert {"spec.md", "plan.md", "tasks.md", "checklists/requirements.md"} <= set(DOCUMENTS)


# --- spec.md --------------------------------------------------------------------------------

STORY = re.compile(r"^### User Story (\d+) - (.+) \(Priority: P(\d+)\)$")
SCENARIO = re.compile(r"^(\d+)\. \*\*Given\*\* .+, \*\*When\*\* .+, \*\*Then\*\* .+\.$")
FR_LINE = re.compile(r"^- \*\*(FR-\d{3})\*\*: (.+)$", re.MULTILINE)
SC_LINE = re.compile(r"^- \*\*(SC-\d{3})\*\*: (.+)$", re.MULTILINE)


def story_titles(spec: str) -> list[tuple[int, str, int]]:
    titles = []
    for heading in headings(spec):
        if heading.startswith("### User Story"):
            match = STORY.match(heading)
            assert match, f"malformed story heading: {heading!r}"
            titles.append((int(match.group(1)), match.group(2), int(match.group(3))))
    return titles


def test_spec_has_the_spec_kit_outline(plan: Plan, docs: dict[str, str]) -> None:
    spec = docs["spec.md"]
    assert spec.startswith("# Feature Specification: Analytics & Telemetry Scaffolding Layer\n")
    for line in (
        f"**Feature Branch**: `{plan.feature}`",
        "**Created**: 2025-01-27",
        "**Status**: ",
        '**Input**: User description: "',
    ):
        assert any(row.startswith(line) for row in spec.splitlines()), line
    assert_in_order(
        headings(spec),
        [
            "# Feature Specification: ",
            "## User Scenarios & Testing",
            "### User Story 1 - ",
            "### User Story 2 - ",
            "### Edge Cases",
            "## Requirements",
            "### Functional Requirements",
            "### Key Entities",
            "## Success Criteria",
            "### Measurable Outcomes",
            "## Assumptions",
        ],
    )


def test_user_stories_are_numbered_by_priority(plan: Plan, docs: dict[str, str]) -> None:
    stories = story_titles(docs["spec.md"])
    expected = 3 if plan.capture_errors else 2
    assert [(number, priority) for number, _, priority in stories] == [
        (n, n) for n in range(1, expected + 1)
    ]
    assert ("error" in stories[-1][1].lower()) is plan.capture_errors


def test_each_story_has_why_test_and_numbered_scenarios(plan: Plan, docs: dict[str, str]) -> None:
    spec = docs["spec.md"]
    for heading in (h for h in headings(spec) if h.startswith("### User Story")):
        body = section(spec, heading)
        for label in ("**Why this priority**: ", "**Independent Test**: "):
            assert label in body, (heading, label)
        assert "**Acceptance Scenarios**:" in body
        numbers = [
            int(match.group(1)) for line in body.splitlines() if (match := SCENARIO.match(line))
        ]
        numbered = [line for line in body.splitlines() if re.match(r"^\d+\. ", line)]
        assert len(numbers) == len(numbered), f"a scenario is not Given/When/Then: {numbered}"
        assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 3, heading


def test_requirements_and_criteria_are_numbered_without_gaps(docs: dict[str, str]) -> None:
    spec = docs["spec.md"]
    frs = FR_LINE.findall(spec)
    scs = SC_LINE.findall(spec)
    assert sequential([fr for fr, _ in frs], "FR-") and len(frs) >= 10
    assert sequential([sc for sc, _ in scs], "SC-") and len(scs) >= 5
    assert all(" MUST " in text for _, text in frs)
    # Every id the document mentions anywhere is one it defines.
    assert set(re.findall(r"FR-\d{3}", spec)) == {fr for fr, _ in frs}
    assert set(re.findall(r"SC-\d{3}", spec)) == {sc for sc, _ in scs}


def test_requirement_ids_cited_elsewhere_exist_in_the_spec(docs: dict[str, str]) -> None:
    defined = set(re.findall(r"\*\*(FR-\d{3})\*\*:", docs["spec.md"]))
    cited = set(re.findall(r"FR-\d{3}", docs["data-model.md"]))
    assert cited, "data-model.md traces no rule to a requirement"
    assert cited <= defined
    for name in ("research.md", "tasks.md", "checklists/requirements.md", "plan.md"):
        assert set(re.findall(r"FR-\d{3}", docs[name])) <= defined, name
    sc_defined = set(re.findall(r"\*\*(SC-\d{3})\*\*:", docs["spec.md"]))
    for name, text in docs.items():
        assert set(re.findall(r"SC-\d{3}", text)) <= sc_defined, name


def test_error_capture_requirements_follow_the_plan(plan: Plan, docs: dict[str, str]) -> None:
    spec = docs["spec.md"]
    error_frs = [text for _, text in FR_LINE.findall(spec) if "unhandled error" in text]
    assert bool(error_frs) is plan.capture_errors
    if not plan.capture_errors:
        for name, text in docs.items():
            for word in ("error_event", "install_error_capture", "User Story 3", "US3"):
                assert word not in text, (name, word)


# --- plan.md --------------------------------------------------------------------------------


def test_plan_has_the_spec_kit_outline(plan: Plan, docs: dict[str, str]) -> None:
    text = docs["plan.md"]
    assert_in_order(
        headings(text),
        [
            "# Implementation Plan: ",
            "## Summary",
            "## Technical Context",
            "## Constitution Check",
            "## Project Structure",
            "### Documentation (this feature)",
            "### Source Code (repository root)",
        ],
    )
    context = section(text, "## Technical Context")
    for field in (
        "Language/Version",
        "Primary Dependencies",
        "Storage",
        "Testing",
        "Target Platform",
        "Project Type",
        "Performance Goals",
        "Constraints",
        "Scale/Scope",
    ):
        assert f"**{field}**: " in context, field
    assert "**Structure Decision**: " in text


def source_tree(plan_md: str) -> list[str]:
    """The code block under "Source Code": one path (or tree entry) per line, comments cut."""
    body = section(plan_md, "### Source Code (repository root)")
    block = body.split("```text\n", 1)[1].split("\n```", 1)[0]
    return [line.split("#", 1)[0].rstrip() for line in block.splitlines()]


def test_plan_source_tree_lists_exactly_what_the_tool_writes(
    plan: Plan, docs: dict[str, str]
) -> None:
    tree = source_tree(docs["plan.md"])
    package = plan.analytics_dir + "/"
    start = tree.index(package)
    listed = set()
    for line in tree[start + 1 :]:
        if not line.startswith(("├── ", "└── ")):
            break
        listed.add(package + line[4:])
    generated = {output.path for output in render_outputs(plan) if output.path.startswith(package)}
    # The package marker is checked on its own by test_the_package_marker_is_rendered.
    assert listed == generated | {package + "__init__.py"}
    patched = {line for line in tree if not line.startswith(("├── ", "└── ", package))}
    assert patched == {
        "pyproject.toml",
        ".telemetry-scaffold.json",
        plan.main_path,
        *(plan.module_path(module) for module, _ in plan.instrument),
    }


def test_the_package_marker_is_rendered(plan: Plan) -> None:
    paths = {output.path for output in render_outputs(plan)}
    assert plan.analytics_dir + "/__init__.py" in paths


# --- tasks.md -------------------------------------------------------------------------------

TASK = re.compile(
    r"^- \[(?P<done>[ x])\] T(?P<id>\d{3})(?P<parallel> \[P\])?(?: \[US(?P<story>\d+)\])?"
    # The path is plain Markdown text: "_" that could start emphasis comes escaped ("\\_").
    r" (?P<verb>[A-Z][a-z]+(?:-[a-z]+)?) .+ in (?P<path>(?:[\w.\-/]|\\_)+)"
    r"(?: \(depends on (?P<deps>T\d{3}(?:, T\d{3})*)\))?$"
)
PHASE = re.compile(r"^## Phase (\d+): (.+)$")
STORY_PHASE = re.compile(r"^User Story (\d+) - (.+) \(Priority: P(\d+)\)(?: 🎯 MVP)?$")


def task_path(task: re.Match[str]) -> str:
    """The path a task line names, with Markdown's backslash escapes removed."""
    return task["path"].replace("\\_", "_")


def parse_tasks(text: str) -> list[tuple[str, re.Match[str]]]:
    """(phase title, task match) for every task line; fails on a malformed task line."""
    tasks: list[tuple[str, re.Match[str]]] = []
    phase = ""
    for line in text.splitlines():
        if line.startswith("## "):
            match = PHASE.match(line)
            phase = match.group(2) if match else ""
        elif line.startswith("- ["):
            task = TASK.match(line)
            assert task, f"malformed task line: {line!r}"
            assert phase, f"task outside a phase: {line!r}"
            tasks.append((phase, task))
    return tasks


def test_tasks_follow_the_spec_kit_grammar(plan: Plan, docs: dict[str, str]) -> None:
    text = docs["tasks.md"]
    tasks = parse_tasks(text)
    ids = [f"T{task['id']}" for _, task in tasks]
    assert sequential(ids, "T")
    phases = [PHASE.match(h) for h in headings(text) if h.startswith("## Phase")]
    assert [int(m.group(1)) for m in phases if m] == list(range(1, len(phases) + 1))
    titles = [m.group(2) for m in phases if m]
    assert titles[0].startswith("Setup") and titles[1].startswith("Foundational")
    assert titles[-1].startswith("Polish")
    # One phase per user story, in priority order, with the spec's titles.
    story_phases = [STORY_PHASE.match(title) for title in titles[2:-1]]
    assert all(story_phases), titles
    assert [(int(m.group(1)), m.group(2), int(m.group(3))) for m in story_phases if m] == (
        story_titles(docs["spec.md"])
    )
    for phase, task in tasks:
        story = STORY_PHASE.match(phase)
        expected = story.group(1) if story else None
        assert task["story"] == expected, task.group(0)
        for dependency in (task["deps"] or "").split(", "):
            assert not dependency or dependency < f"T{task['id']}", task.group(0)
    assert "## Dependencies & Execution Order" in headings(text)
    # The tool carries out every task, and the document says so consistently.
    assert {task["done"] for _, task in tasks} == {"x"}


def test_parallel_tasks_touch_files_no_other_task_of_their_phase_touches(
    docs: dict[str, str],
) -> None:
    tasks = parse_tasks(docs["tasks.md"])
    for phase, task in tasks:
        if not task["parallel"]:
            continue
        same_phase = [other for p, other in tasks if p == phase and other is not task]
        assert task_path(task) not in {task_path(other) for other in same_phase}, task.group(0)
        assert not task["deps"], task.group(0)


def test_tasks_name_only_files_the_tool_writes_or_patches(plan: Plan, docs: dict[str, str]) -> None:
    known = {output.path for output in render_outputs(plan)}
    known |= {"pyproject.toml", plan.main_path, plan.analytics_dir + "/__init__.py"}
    known |= {plan.module_path(module) for module, _ in plan.instrument}
    paths = [task_path(task) for _, task in parse_tasks(docs["tasks.md"])]
    assert set(paths) <= known
    for module, _ in plan.instrument:
        assert plan.module_path(module) in paths


def test_every_generated_module_and_contract_has_its_task(plan: Plan, docs: dict[str, str]) -> None:
    paths = {task_path(task) for _, task in parse_tasks(docs["tasks.md"])}
    contracts = plan.feature_dir + "/contracts/"
    for output in render_outputs(plan):
        if output.path.startswith((plan.analytics_dir + "/", contracts)):
            assert output.path in paths, output.path


def test_the_contract_task_names_every_status_the_contract_answers(
    plan: Plan, docs: dict[str, str]
) -> None:
    import yaml

    [contract] = [o for o in render_outputs(plan) if o.path.endswith("telemetry-api.yaml")]
    document = yaml.safe_load(contract.content)
    statuses = {
        status
        for item in document["paths"].values()
        for operation in item.values()
        for status in operation["responses"]
    }
    [task] = [t for _, t in parse_tasks(docs["tasks.md"]) if t["path"].endswith(".yaml")]
    assert set(re.findall(r"`(\d{3})`", task.group(0))) == statuses


def test_the_strategy_never_sends_the_reader_into_a_generated_file(
    plan: Plan, docs: dict[str, str]
) -> None:
    strategy = section(docs["tasks.md"], "## Implementation Strategy").replace("\\_", "_")
    for output in render_outputs(plan):
        assert output.path not in strategy, output.path


def test_the_plan_names_the_generators_dependencies(docs: dict[str, str]) -> None:
    repository = Path(__file__).resolve().parent.parent / "pyproject.toml"
    requirements = tomllib.loads(repository.read_text(encoding="utf-8"))["project"]["dependencies"]
    [line] = [line for line in docs["plan.md"].splitlines() if "Primary Dependencies" in line]
    generator = line.split("The generator uses", 1)[1].lower()
    for requirement in requirements:
        assert re.split(r"[<>=!~\[ ]", requirement)[0].lower() in generator, requirement


def test_two_parallel_tasks_are_named_as_a_pair_not_a_range(docs: dict[str, str]) -> None:
    for first, last in re.findall(r"T(\d{3}) to T(\d{3})", docs["tasks.md"]):
        assert int(last) - int(first) > 1, f"T{first} to T{last}"


# --- checklist, research, data model --------------------------------------------------------


def test_checklist_has_the_three_groups_and_ends_with_notes(docs: dict[str, str]) -> None:
    text = docs["checklists/requirements.md"]
    found = [h for h in headings(text) if h.startswith("## ")]
    assert found == [
        "## Content Quality",
        "## Requirement Completeness",
        "## Feature Readiness",
        "## Notes",
    ]
    for group in found[:3]:
        items = section(text, group).strip().splitlines()
        assert items and all(re.match(r"^- \[[ x]\] \S", item) for item in items), group
    assert section(text, "## Notes").strip()


def test_research_entries_have_decision_rationale_and_alternatives(docs: dict[str, str]) -> None:
    text = docs["research.md"]
    entries = [h for h in headings(text) if h.startswith("## ")]
    assert len(entries) >= 8
    for entry in entries:
        body = section(text, entry)
        for label in ("**Decision**: ", "**Rationale**: ", "**Alternatives considered**: "):
            assert label in body, (entry, label)


def test_research_rejects_nothing_the_tool_or_the_layer_does(docs: dict[str, str]) -> None:
    text = docs["research.md"]

    def rejected(entry: str) -> str:
        return section(text, entry).split("**Alternatives considered**: ", 1)[1]

    # The plan has a `sink` key, and redaction does look into values for credentials.
    seam = rejected("## Sink seam: a small protocol instead of a direct logging call")
    assert "Configuring the sink in the plan (rejected" not in seam
    assert "`sink`" in seam
    redaction = rejected("## Redaction of sensitive keys")
    assert "tokens (rejected" not in redaction
    assert "Per-event-type allow-list schemas (rejected" not in redaction


def test_data_model_describes_each_entity_with_traced_rules(docs: dict[str, str]) -> None:
    text = docs["data-model.md"]
    entities = [h for h in headings(text) if h.startswith("### ")]
    for name in ("AnalyticsEvent", "EventType", "LogEventRequest", "LogEventAccepted", "Sink"):
        assert any(name in heading for heading in entities), name
    for heading in entities:
        assert re.search(r"FR-\d{3}", section(text, heading)), heading


def table_fields(text: str, heading: str) -> list[str]:
    """The first column (without backticks) of the table under ``heading``."""
    rows = [line for line in section(text, heading).splitlines() if line.startswith("| `")]
    return [row.split("|")[1].strip().strip("`") for row in rows]


def test_data_model_response_tables_match_the_contract(plan: Plan, docs: dict[str, str]) -> None:
    import yaml

    [contract] = [o for o in render_outputs(plan) if o.path.endswith("telemetry-api.yaml")]
    document = yaml.safe_load(contract.content)
    schemas = document["components"]["schemas"]
    for name in ("HealthStatus", "LogEventAccepted"):
        fields = table_fields(docs["data-model.md"], f"### {name}")
        assert fields == list(schemas[name]["properties"]), name
    # The statuses whose body is an ErrorDetail, as the data model lists them.
    error_detail = {
        status
        for item in document["paths"].values()
        for operation in item.values()
        for status, response in operation["responses"].items()
        if "ErrorDetail" in json.dumps(response) and "Validation" not in json.dumps(response)
    }
    described = section(docs["data-model.md"], "### ErrorDetail").split(":", 1)[0]
    assert set(re.findall(r"`(\d{3})`", described)) == error_detail


def test_the_documents_describe_the_sink_the_plan_chose(plan: Plan, docs: dict[str, str]) -> None:
    sinks = section(docs["data-model.md"], "### Sink")
    requirement = next(line for line in docs["spec.md"].splitlines() if "**FR-005**:" in line)
    if plan.sink == "opentelemetry":
        assert "| `OpenTelemetrySink` (default) |" in sinks
        assert "(placeholder, default)" not in sinks
        assert "OpenTelemetry Logs API" in requirement
        assert "application log" not in requirement
    else:
        assert "| `LoggingSink` (placeholder, default) |" in sinks
        assert "OpenTelemetry" not in sinks + requirement


def test_the_documents_say_what_each_instrumented_module_records(
    plan: Plan, docs: dict[str, str]
) -> None:
    # A declared event records the properties the plan captures, never the path parameters it
    # does not declare; any other event type records the path parameters.
    declared = {event.name for event in plan.events}
    for module, event_type in plan.instrument:
        path = plan.module_path(module)
        # Its acceptance scenario, its task and its row in the quickstart's table.
        for name, kind in (("spec.md", "**Given**"), ("tasks.md", "- ["), ("quickstart.md", "| ")):
            [line] = [
                line
                for line in docs[name].splitlines()
                if kind in line
                and f"`{event_type}`" in line
                and (path in line or path.replace("_", "\\_") in line)
            ]
            assert ("path parameters" in line) == (event_type not in declared), (name, line)
            for prop in plan.captured(module):
                assert f"`{prop}`" in line, (name, line)


def test_counts_in_the_documents_agree_with_their_nouns(docs: dict[str, str]) -> None:
    for name, text in docs.items():
        assert not re.search(r"(?<![\d.])1 (?:characters|items|keys)\b", text), name


# --- plan-driven content --------------------------------------------------------------------


def test_plan_values_appear_where_they_belong(plan: Plan, docs: dict[str, str]) -> None:
    for name in ("spec.md", "plan.md", "data-model.md", "checklists/requirements.md"):
        for event_type in plan.event_types:
            assert f"`{event_type}`" in docs[name], (name, event_type)
    for name in ("spec.md", "plan.md", "tasks.md", "quickstart.md", "data-model.md"):
        assert f"{plan.api_prefix}/log" in docs[name], name
        assert f"{plan.api_prefix}/health" in docs[name], name
    for name in ("spec.md", "plan.md", "tasks.md"):
        assert plan.main_path in docs[name], name
        assert plan.analytics_dir in docs[name], name
        for module, event_type in plan.instrument:
            assert plan.module_path(module) in docs[name], (name, module)
            assert event_type in docs[name]
    assert f"**Feature Branch**: `{plan.feature}`" in docs["spec.md"]
    assert plan.feature_dir in docs["plan.md"]
    assert plan.analytics_package in docs["plan.md"]


def distinctive(plan: Plan) -> set[str]:
    """Strings that only documents rendered for ``plan`` have reason to contain."""
    values = {*plan.event_types, plan.api_prefix, plan.feature, plan.analytics_dir}
    values |= {plan.module_path(module) for module, _ in plan.instrument}
    return values


@pytest.mark.parametrize("other_name", sorted(PLANS))
def test_values_of_other_plans_do_not_leak(
    plan: Plan, docs: dict[str, str], other_name: str, tmp_path: Path
) -> None:
    leaks = distinctive(PLANS[other_name](tmp_path)) - distinctive(plan)
    for value in sorted(leaks):
        # Whole words only: "page_view" must not match inside a longer identifier.
        before = "" if value.startswith("/") else r"(?<![\w-])"
        pattern = re.compile(rf"{before}{re.escape(value)}(?![\w-])")
        for name, text in docs.items():
            assert not pattern.search(text), f"{value!r} leaked into {name}"


# --- hygiene --------------------------------------------------------------------------------

LEFTOVERS = re.compile(
    r"\[[A-Z][A-Z _]{3,}\]|NEEDS CLARIFICATION|ACTION REQUIRED|TODO|\{\{|\{%|\{#|<!--"
    r"|\['|\{'|\bundefined\b"
)


def test_documents_are_clean_text(docs: dict[str, str]) -> None:
    for name, text in docs.items():
        assert text.endswith("\n") and not text.endswith("\n\n"), name
        assert "\r" not in text and "\t" not in text, name
        assert "\n\n\n" not in text, name
        assert not text.startswith("\n"), name
        for number, line in enumerate(text.splitlines(), 1):
            assert line == line.rstrip(), f"{name}:{number}: trailing whitespace"
        assert not LEFTOVERS.search(text), f"{name}: {LEFTOVERS.search(text)}"
        fences = [line for line in text.splitlines() if line.startswith("```")]
        assert len(fences) % 2 == 0, f"{name}: unbalanced code fence"


def test_rendering_is_deterministic_and_independent_of_the_root(plan: Plan, tmp_path: Path) -> None:
    elsewhere = plan._replace(root=tmp_path / "elsewhere")
    first = render_docs(plan)
    assert render_docs(plan) == first
    assert render_docs(elsewhere) == first
    assert str(tmp_path) not in "".join(first.values())


# --- quickstart -----------------------------------------------------------------------------


def bash_commands(text: str) -> list[str]:
    """Commands of the ```bash blocks, continuation lines joined, comments dropped."""
    blocks = re.findall(r"^```bash\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)
    commands: list[str] = []
    for block in blocks:
        pending = ""
        heredoc: str | None = None
        for line in block.splitlines():
            if heredoc is not None:
                # The body of a here-document is input to the command, not a command.
                heredoc = None if line == heredoc else heredoc
                continue
            if match := re.search(r"<<-?'?(\w+)'?$", line):
                heredoc = match.group(1)
            if line.endswith("\\"):
                pending += line[:-1]
                continue
            command = (pending + line).strip()
            pending = ""
            if command and not command.startswith("#"):
                commands.append(command)
    return commands


def scaffold_invocations(commands: list[str]) -> list[list[str]]:
    """The argument lists of every ``telemetry-scaffold`` call, also after ``&&`` or ``|``."""
    calls: list[list[str]] = []
    for command in commands:
        words = shlex.split(command)
        for start, word in enumerate(words):
            if word != "telemetry-scaffold":
                continue
            end = start + 1
            while end < len(words) and words[end] not in ("&&", "||", "|", ";"):
                end += 1
            calls.append(words[start + 1 : end])
    return calls


def parse_with_cli(args: list[str]) -> Any:
    """Parse ``args`` with the CLI's own grammar, without running the command.

    Raises the CLI's usage error for an unknown option, a missing argument or a bad value.
    """
    group = typer.main.get_command(app)
    # Typer ships its own copy of click, so use the classes the group itself was built with.
    parent = group.context_class(group, info_name="telemetry-scaffold")
    name, *rest = args
    command = group.get_command(parent, name)
    assert command is not None, f"unknown command {name!r}"
    return command.make_context(name, rest, parent=parent)


def test_quickstart_commands_parse_with_the_cli(plan: Plan, docs: dict[str, str]) -> None:
    calls = scaffold_invocations(bash_commands(docs["quickstart.md"]))
    assert {call[0] for call in calls} >= {"generate", "emit", "health"}
    assert ["generate", "--check"] in calls
    for call in calls:
        context = parse_with_cli(call)
        if call[0] == "emit":
            # The one event type outside the plan is the documented rejection.
            assert context.params["event_type"] in {*plan.event_types, "not_an_event"}, call
            if "--payload" in call:
                assert isinstance(json.loads(call[call.index("--payload") + 1]), dict)


def test_quickstart_runs_the_backend_and_calls_both_endpoints(
    plan: Plan, docs: dict[str, str]
) -> None:
    commands = bash_commands(docs["quickstart.md"])
    # These projects have no packaging files: a venv, and no install command made up for them
    # (tests/test_install_steps.py covers each project shape).
    assert ". .venv/bin/activate" in commands
    assert not [c for c in commands if c.startswith(("pip install -e", "pip install -r"))]
    app_dir = PurePosixPath(plan.backend).as_posix()
    assert any(c.startswith(f"cd {app_dir} && uvicorn {plan.main_module}:app") for c in commands)
    curls = [shlex.split(c) for c in commands if c.startswith("curl ")]
    urls = [word for words in curls for word in words if word.startswith("http://")]
    assert any(url.endswith(f"{plan.api_prefix}/log") for url in urls)
    assert any(url.endswith(f"{plan.api_prefix}/health") for url in urls)
    for words in curls:
        if "-d" in words:
            body = json.loads(words[words.index("-d") + 1])
            assert isinstance(body, dict) and "event_type" in body


def test_research_names_every_field_of_the_health_answer(docs: dict[str, str]) -> None:
    # The data model's HealthStatus table is the list; the research entry must not fall behind.
    table = docs["data-model.md"].split("### HealthStatus", 1)[1].split("\n### ", 1)[0]
    fields = re.findall(r"^\| `(\w+)` \|", table, flags=re.M)
    assert {"status", "window_seconds"} <= set(fields)
    decision = docs["research.md"].split("## Health endpoint content", 1)[1].split("\n## ", 1)[0]
    assert [field for field in fields if f"`{field}`" not in decision] == []


def test_the_key_limit_is_always_said_to_count_top_level_keys(
    plan: Plan, docs: dict[str, str]
) -> None:
    # The logger counts only the payload's own keys; "128 keys" alone reads as all keys nested.
    from telemetry_cli.render import template_context

    limits = template_context(plan)["limits"]
    assert isinstance(limits, dict)
    limit = limits["max_payload_keys"]
    for name, text in docs.items():
        bare = re.findall(rf"\b{limit} keys\b(?! in all)", text)
        assert bare == [], name


def test_the_readme_states_the_limits_the_layer_enforces() -> None:
    # The README is written by hand, unlike the rendered documents: each figure it gives for a
    # limit must be the one the templates render from LIMITS.
    readme_path = Path(__file__).resolve().parent.parent / "README.md"
    readme = " ".join(readme_path.read_text(encoding="utf-8").split())
    body_kib, payload_kib = LIMITS["max_body_bytes"] // 1024, LIMITS["max_payload_bytes"] // 1024
    keys, depth = LIMITS["max_payload_keys"], LIMITS["max_payload_depth"]
    stated = [
        f"breaks the limits ({payload_kib} KiB, {keys} keys, depth {depth})",
        f"`413` for a body over {body_kib} KiB",
        f"within {LIMITS['body_read_seconds']} seconds (`BODY_READ_SECONDS`) gets `408`",
        f"at most {keys} top-level keys, {depth} levels, {payload_kib} KiB as compact",
    ]
    assert [claim for claim in stated if claim not in readme] == []
