"""The contract equals the served API and holds under fuzzing; the generated code is clean."""

from __future__ import annotations

import copy
import importlib
import io
import json
import keyword
import os
import re
import shutil
import subprocess
import sys
import tokenize
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode

from tests.catalog_support import (
    EDGE_CATALOG,
    LINE_LENGTHS_CATALOG,
    RICH_CATALOG,
    SINGLE_CATALOG,
    catalog_options,
)
from tests.layer_support import (
    PLAN_OPTIONS,
    REPO_ROOT,
    Layer,
    RecordingSink,
    make_plan,
    render_tree,
    rendered_layer,
    without_pragmas,
)

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}

# Keywords that only document a schema: they may differ between the contract (written for
# readers) and the served OpenAPI (generated from docstrings and Field descriptions). Everything
# else -- type, properties, required, enum, const, items, anyOf, additionalProperties,
# maxProperties, pattern, format, default, ... -- changes which documents are valid, so it must be
# equal. Unknown keywords are compared too: anything not listed here counts as semantics.
DOCUMENTATION_KEYWORDS = frozenset({"title", "description", "examples", "example", "$comment"})

# The plans of the contract tests: the layer's own, and one with declared events beside free-form
# ones (the log request is then a union discriminated on event_type).
CONTRACT_PLANS = {
    **PLAN_OPTIONS,
    "catalog": catalog_options(),
    # YAML words as names, edge numbers: the contract must still read as the served API.
    "catalog-edges": catalog_options(EDGE_CATALOG),
}


@pytest.fixture(scope="module", params=CONTRACT_PLANS.values(), ids=CONTRACT_PLANS.keys())
def layer(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Layer]:
    with rendered_layer(tmp_path_factory.mktemp("contract"), **request.param) as rendered:
        yield rendered


def load_contract(layer: Layer) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(layer.contract_path.read_text(encoding="utf-8"))
    return document


def served_openapi(layer: Layer) -> dict[str, Any]:
    document: dict[str, Any] = layer.app().openapi()
    return document


# --- a small $ref resolver and normaliser ----------------------------------------------------


def resolve(document: dict[str, Any], node: Any, seen: tuple[str, ...] = ()) -> Any:
    """Inline every local ``$ref`` of ``node`` (our schemas are not recursive; cycles fail)."""
    if isinstance(node, list):
        return [resolve(document, item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"only local references are expected, got {ref}"
        assert ref not in seen, f"recursive reference {ref}"
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        return resolve(document, {**target, **siblings}, (*seen, ref))
    return {key: resolve(document, value, seen) for key, value in node.items()}


def normalise_schema(schema: Any) -> Any:
    """Drop documentation keywords; make ``required`` order-free. Property names are kept."""
    if isinstance(schema, list):
        return [normalise_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key in DOCUMENTATION_KEYWORDS:
            continue
        if key in ("properties", "patternProperties", "$defs"):
            result[key] = {name: normalise_schema(sub) for name, sub in value.items()}
        elif key == "discriminator":
            # The served schema is inlined, so its discriminator cannot name components; the
            # contract's mapping is checked against the alternatives on its own (below).
            result[key] = {"propertyName": value["propertyName"]}
        elif key == "required":
            result[key] = sorted(value)
        else:
            result[key] = normalise_schema(value)
    return result


def operations(document: dict[str, Any], prefix: str) -> dict[tuple[str, str], Any]:
    """The semantics of every operation under ``prefix``: id, parameters, body and responses."""
    result: dict[tuple[str, str], Any] = {}
    for path, item in document.get("paths", {}).items():
        if not path.startswith(prefix + "/"):
            continue
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            operation = resolve(document, operation)
            body = operation.get("requestBody")
            result[(path, method)] = {
                "operationId": operation.get("operationId"),
                "parameters": normalise_schema(operation.get("parameters", [])),
                "requestBody": None
                if body is None
                else {
                    "required": body.get("required", False),
                    "content": {
                        media: normalise_schema(content.get("schema"))
                        for media, content in body.get("content", {}).items()
                    },
                },
                "responses": {
                    str(status): {
                        media: normalise_schema(content.get("schema"))
                        for media, content in response.get("content", {}).items()
                    }
                    for status, response in operation.get("responses", {}).items()
                },
            }
    return result


# --- the contract -----------------------------------------------------------------------------


def test_contract_is_valid_openapi_31(layer: Layer) -> None:
    contract = load_contract(layer)
    assert contract["openapi"].startswith("3.1")
    validate(contract)


def test_contract_is_rendered_from_the_plan(layer: Layer) -> None:
    contract = load_contract(layer)
    assert set(contract["paths"]) == {f"{layer.prefix}/log", f"{layer.prefix}/health"}
    enum = contract["components"]["schemas"]["EventType"]["enum"]
    assert enum == list(layer.plan.event_types)


def test_served_openapi_equals_the_contract(layer: Layer) -> None:
    served = operations(served_openapi(layer), layer.prefix)
    contracted = operations(load_contract(layer), layer.prefix)
    assert set(served) == {(f"{layer.prefix}/log", "post"), (f"{layer.prefix}/health", "get")}
    assert served == contracted
    # The event types must survive normalisation on both sides, or the comparison is moot.
    body = served[(f"{layer.prefix}/log", "post")]["requestBody"]["content"]["application/json"]
    assert accepted_event_types(body) == sorted(layer.plan.event_types)


def accepted_event_types(body: dict[str, Any]) -> list[str]:
    """The event types a (resolved) log request schema accepts, sorted (duplicates kept)."""
    found: list[str] = []
    for alternative in body.get("oneOf", [body]):
        event_type = alternative["properties"]["event_type"]
        found.extend(event_type["enum"] if "enum" in event_type else [event_type["const"]])
    return sorted(found)


def discriminator_problems(contract: dict[str, Any]) -> list[str]:
    """Where the contract's discriminator mapping names the wrong alternative (or none)."""
    request = contract["components"]["schemas"]["LogEventRequest"]
    if "oneOf" not in request:
        return []
    problems = []
    mapping = request["discriminator"]["mapping"]
    alternatives = [item["$ref"] for item in request["oneOf"]]
    for alternative in alternatives:
        target = resolve(contract, {"$ref": alternative})
        event_type = target["properties"]["event_type"]
        for name in event_type.get("enum", [event_type.get("const")]):
            if mapping.get(name) != alternative:
                problems.append(f"{name} maps to {mapping.get(name)}, not {alternative}")
    problems += [
        f"{name} is no event type" for name in mapping if name not in contract_types(contract)
    ]
    return problems


def contract_types(contract: dict[str, Any]) -> list[str]:
    event_type = contract["components"]["schemas"]["EventType"]
    types: list[str] = event_type["enum"] if "enum" in event_type else [event_type["const"]]
    return types


def test_contract_discriminator_maps_each_event_type_to_its_alternative(layer: Layer) -> None:
    contract = load_contract(layer)
    assert discriminator_problems(contract) == []
    if layer.plan.events:
        mapping = contract["components"]["schemas"]["LogEventRequest"]["discriminator"]["mapping"]
        assert sorted(mapping) == sorted(layer.plan.event_types)


def free_form_payload(contract: dict[str, Any]) -> dict[str, Any]:
    """The schema of a free-form payload: in the request, or in its free-form alternative."""
    schemas = contract["components"]["schemas"]
    request = schemas.get("FreeFormEventRequest", schemas["LogEventRequest"])
    payload: dict[str, Any] = request["properties"]["payload"]
    return payload


MUTATIONS = {
    "enum": lambda c: c["components"]["schemas"]["EventType"]["enum"].pop(),
    "required": lambda c: c["components"]["schemas"]["LogEventAccepted"]["required"].pop(),
    "status": lambda c: next(iter(c["paths"].values()))["post"]["responses"].pop("413"),
    "status-415": lambda c: next(iter(c["paths"].values()))["post"]["responses"].pop("415"),
    "body-extra": lambda c: c["components"]["schemas"]["LogEventRequest"].update(
        additionalProperties=True
    ),
    "error-input": lambda c: c["components"]["schemas"]["ValidationProblem"]["properties"].update(
        input={}
    ),
    "error-loc": lambda c: c["components"]["schemas"]["ValidationProblem"]["properties"]["loc"][
        "items"
    ].update(type="integer"),
    "limit": lambda c: free_form_payload(c).update(maxProperties=7),
    "extra-keyword": lambda c: c["components"]["schemas"]["HealthStatus"].update(minProperties=1),
}


@pytest.mark.parametrize("mutate", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_comparison_notices_a_semantic_difference(layer: Layer, mutate: Any) -> None:
    contract = copy.deepcopy(load_contract(layer))
    mutate(contract)
    assert operations(contract, layer.prefix) != operations(served_openapi(layer), layer.prefix)


def _schemas(contract: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = contract["components"]["schemas"]
    return schemas


# Changes to the declared events' part of the contract (the catalog plan's names).
CATALOG_MUTATIONS = {
    "property-type": lambda c: _schemas(c)["AiBlockUsedPayload"]["properties"]["chapter_id"].update(
        type="integer"
    ),
    "property-bound": lambda c: _schemas(c)["AiBlockUsedPayload"]["properties"][
        "chapter_id"
    ].update(maxLength=99),
    "property-required": lambda c: _schemas(c)["AiBlockUsedPayload"]["required"].pop(),
    "property-gone": lambda c: _schemas(c)["QuizCompletedPayload"]["properties"].pop("retried"),
    "enum-value": lambda c: _schemas(c)["AiBlockUsedPayload"]["properties"]["block_type"]["anyOf"][
        0
    ]["enum"].pop(),
    "closed-payload": lambda c: _schemas(c)["QuizCompletedPayload"].update(
        additionalProperties=False
    ),
    "datetime-format": lambda c: _schemas(c)["QuizCompletedPayload"]["properties"][
        "finished_at"
    ].pop("format"),
    "item-type": lambda c: _schemas(c)["QuizCompletedPayload"]["properties"]["weights"]["anyOf"][0][
        "items"
    ].update(type="integer"),
    "alternative-gone": lambda c: _schemas(c)["LogEventRequest"]["oneOf"].pop(),
    "discriminator-gone": lambda c: _schemas(c)["LogEventRequest"].pop("discriminator"),
    "free-form-type": lambda c: _schemas(c)["FreeFormEventRequest"]["properties"]["event_type"][
        "enum"
    ].pop(),
}


@pytest.fixture(scope="module")
def catalog_layer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layer]:
    with rendered_layer(tmp_path_factory.mktemp("catalog"), **catalog_options()) as rendered:
        yield rendered


@pytest.mark.parametrize("mutate", CATALOG_MUTATIONS.values(), ids=CATALOG_MUTATIONS.keys())
def test_comparison_notices_a_difference_in_a_declared_event(
    catalog_layer: Layer, mutate: Any
) -> None:
    contract = copy.deepcopy(load_contract(catalog_layer))
    mutate(contract)
    served = operations(served_openapi(catalog_layer), catalog_layer.prefix)
    assert operations(contract, catalog_layer.prefix) != served


def test_a_wrong_discriminator_mapping_is_noticed(catalog_layer: Layer) -> None:
    contract = copy.deepcopy(load_contract(catalog_layer))
    mapping = _schemas(contract)["LogEventRequest"]["discriminator"]["mapping"]
    mapping["ai_block_used"] = mapping["quiz_completed"]
    assert discriminator_problems(contract) == [
        "ai_block_used maps to #/components/schemas/QuizCompletedLogRequest, not "
        "#/components/schemas/AiBlockUsedLogRequest"
    ]


def test_a_single_declared_event_is_the_whole_request(tmp_path: Path) -> None:
    with rendered_layer(tmp_path, **catalog_options(SINGLE_CATALOG)) as single:
        contract = load_contract(single)
        validate(contract)
        served = operations(served_openapi(single), single.prefix)
        assert served == operations(contract, single.prefix)
        body = served[(f"{single.prefix}/log", "post")]["requestBody"]["content"]
        assert accepted_event_types(body["application/json"]) == ["error_event"]


@pytest.mark.parametrize("catalog", [RICH_CATALOG, SINGLE_CATALOG], ids=["rich", "single"])
def test_the_request_is_described_with_a_free_form_alternative_only_when_it_has_one(
    tmp_path: Path, catalog: str
) -> None:
    with rendered_layer(tmp_path, **catalog_options(catalog)) as rendered:
        schemas = _schemas(load_contract(rendered))
        has_free_form = "FreeFormEventRequest" in schemas
        description = " ".join(schemas["LogEventRequest"]["description"].split())
        assert ("any other event type takes a free-form object" in description) == has_free_form
        models = Path(rendered.models.__file__ or "").read_text(encoding="utf-8")
        assert ("one for the other types" in models) == has_free_form
        events = rendered.root / rendered.plan.feature_dir / "contracts" / "events.schema.json"
        document = json.loads(events.read_text(encoding="utf-8"))
        assert ("any other event type is a free-form" in document["description"]) == has_free_form


def test_comparison_ignores_documentation(layer: Layer) -> None:
    contract = copy.deepcopy(load_contract(layer))
    schema = contract["components"]["schemas"]["LogEventRequest"]
    schema["description"] = "reworded"
    free_form_payload(contract)["title"] = "Anything"
    assert operations(contract, layer.prefix) == operations(served_openapi(layer), layer.prefix)


def test_served_operations_explain_themselves(layer: Layer) -> None:
    document = served_openapi(layer)
    for path in (f"{layer.prefix}/log", f"{layer.prefix}/health"):
        for operation in document["paths"][path].values():
            assert operation["summary"]
            assert operation["description"]
            assert all(response["description"] for response in operation["responses"].values())
    # The endpoint reads its own body, so its schema is inlined rather than a component.
    request_body = document["paths"][f"{layer.prefix}/log"]["post"]["requestBody"]
    assert request_body["content"]["application/json"]["schema"]["examples"]
    for name in ("LogEventAccepted", "HealthStatus", "ValidationErrorDetail"):
        assert document["components"]["schemas"][name]["examples"]


def test_served_operations_are_documented_as_the_contract_documents_them(layer: Layer) -> None:
    # What a reader of /docs sees is what a reader of the contract sees (paragraphs aside).
    def words(text: str | None) -> str:
        return " ".join((text or "").split())

    contract, served = load_contract(layer), served_openapi(layer)
    for path, item in contract["paths"].items():
        for method, operation in item.items():
            mine = served["paths"][path][method]
            for key in ("summary", "description"):
                assert words(mine.get(key)) == words(operation.get(key)), (path, method, key)
            for status, response in operation["responses"].items():
                assert words(mine["responses"][status]["description"]) == words(
                    response["description"]
                ), (path, method, status)


# --- schemathesis -----------------------------------------------------------------------------

FUZZ_CASES = 200
FUZZ_SETTINGS = settings(
    max_examples=FUZZ_CASES,
    deadline=None,
    database=None,  # offline and stateless: no example database under the repository
    derandomize=True,  # the same cases on every run, so a failure always reproduces
    suppress_health_check=list(HealthCheck),
)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    return 0


def _larger_than_a_body(case: Any) -> bool:
    """Whether a JSON body as sent (ASCII JSON, as schemathesis sends it) is over 32 KiB."""
    try:
        return len(json.dumps(case.body)) > 32 * 1024
    except TypeError:  # not JSON at all (raw bytes of a negative case)
        return isinstance(case.body, bytes) and len(case.body) > 32 * 1024


def _body_validator(contract: dict[str, Any], path: str) -> jsonschema.Draft202012Validator:
    """A validator of the request body of ``POST path`` against the whole contract's schema."""
    body = contract["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    # Its $refs point into the contract's components: validate against a root that holds them.
    # Its formats are checked (a "date-time" that is not one makes a negative case): jsonschema
    # checks date-time only with rfc3339-validator installed, and passes it silently without.
    importlib.import_module("rfc3339_validator")
    return jsonschema.Draft202012Validator(
        {**body["schema"], "components": contract["components"]},
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def _breaks_unstated_limits(case: Any) -> bool:
    """Whether a schema-valid body breaks a limit JSON Schema cannot state (depth, size)."""
    body = case.body if isinstance(case.body, dict) else {}
    payload = body.get("payload", {})
    return _depth(payload) > 5 or len(json.dumps(payload, separators=(",", ":"))) > 32 * 1024


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_fuzzed_log_requests_conform_to_the_contract(layer: Layer, mode: GenerationMode) -> None:
    contract = load_contract(layer)
    schema = schemathesis.openapi.from_dict(contract)
    schema.app = layer.app(layer.event_logger.EventLogger(RecordingSink(), enabled=True))
    operation = schema[f"{layer.prefix}/log"]["POST"]
    valid_body = _body_validator(contract, f"{layer.prefix}/log")
    statuses: list[int] = []
    accepted: list[int] = []  # negative cases whose body is valid after all

    @given(case=operation.as_strategy(generation_mode=mode))
    @FUZZ_SETTINGS
    def run(case: Any) -> None:
        if (
            mode == GenerationMode.NEGATIVE
            and case.media_type == "application/json"
            and valid_body.is_valid(case.body)
        ):
            # A body made invalid for one branch of the body's oneOf may be valid under another
            # ({"event_type": "chapter_visit"} from the branch of a type whose payload is
            # required): no negative case, so it is accepted, as any valid body is.
            response = case.call()
            assert response.status_code == (422 if _breaks_unstated_limits(case) else 202)
            accepted.append(response.status_code)
            return
        elif mode == GenerationMode.POSITIVE and _breaks_unstated_limits(case):
            # The contract states these limits in prose; the answer must be the documented 422.
            response = case.call()
            assert response.status_code == 422
        elif _larger_than_a_body(case):
            # Long strings of an invalid body can make it larger than any body: the documented
            # 413 comes first (schemathesis does not count 413 as refusing invalid data).
            response = case.call()
            assert response.status_code == 413
        else:
            response = case.call_and_validate()  # every default check, including 5xx
        statuses.append(response.status_code)

    run()
    assert len(statuses) + len(accepted) >= FUZZ_CASES
    expected = {202} if mode == GenerationMode.POSITIVE else {422}
    assert set(statuses) <= expected | {413, 422}
    assert expected & set(statuses)


def test_fuzzed_health_request_conforms_to_the_contract(layer: Layer) -> None:
    schema = schemathesis.openapi.from_dict(load_contract(layer))
    schema.app = layer.app(layer.event_logger.EventLogger(RecordingSink(), enabled=True))
    operation = schema[f"{layer.prefix}/health"]["GET"]
    statuses: list[int] = []

    # GET /health takes no input, so Hypothesis has exactly one case to try.
    @given(case=operation.as_strategy())
    @FUZZ_SETTINGS
    def run(case: Any) -> None:
        statuses.append(case.call_and_validate().status_code)

    run()
    assert statuses and set(statuses) == {200}


# --- quality of the generated package ---------------------------------------------------------


def _tool(name: str) -> str:
    # The tools of the interpreter running the tests (the dev extra installs them): a missing
    # tool must fail the gate, not skip it.
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found is not None, f"{name} is not installed; pip install -e '.[dev]'"
    return found


# Code layout differs with one event type (the Literal fits on a line), so check that too; the
# OpenTelemetry sink adds a module and changes the logger and the models.
QUALITY_PLANS = {
    **PLAN_OPTIONS,
    "one-type": {"event_types": ("error_event",)},
    "opentelemetry": {"sink": "opentelemetry"},
    # Declared events: payload models, tracking methods and the union of log requests.
    "catalog": catalog_options(),
    "catalog-single": catalog_options(SINGLE_CATALOG),
    "catalog-line-lengths": catalog_options(LINE_LENGTHS_CATALOG),
    # Enum aliases ruff's isort orders otherwise than sorted() does.
    "catalog-edges": catalog_options(EDGE_CATALOG),
    # One value type each: the models define the validating types their properties use only.
    **{
        f"catalog-{kind}": catalog_options(
            'event-types = ["error_event"]\ninstrument = {}\n[events.measured]\n'
            f'properties.value = {{ type = "{kind}"{bound} }}'
        )
        for kind, bound in (
            ("integer", ", minimum = 0"),
            ("number", ""),
            ("boolean", ""),
            ("datetime", ""),
        )
    },
}


@pytest.fixture(scope="module", params=QUALITY_PLANS.values(), ids=QUALITY_PLANS.keys())
def rendered_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    root = tmp_path_factory.mktemp("quality")
    plan = make_plan(root, **request.param)
    render_tree(root, plan)
    return root / plan.backend


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, check=False, env={**os.environ, **env}
    )


def test_generated_package_passes_ruff(rendered_backend: Path, tmp_path: Path) -> None:
    config = str(REPO_ROOT / "pyproject.toml")
    ruff = _tool("ruff")
    # Checked without the pragmas that have a project's own ruff leave it alone.
    package = sorted((rendered_backend / "app" / "analytics").glob("*.py"))
    files = [str(path) for path in without_pragmas(package, tmp_path / "analytics")]
    check = _run([ruff, "check", "--no-cache", "--config", config, *files], tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    form = _run([ruff, "format", "--check", "--no-cache", "--config", config, *files], tmp_path)
    assert form.returncode == 0, form.stdout + form.stderr


def test_generated_context_managers_are_annotated_as_generators(
    rendered_backend: Path, tmp_path: Path
) -> None:
    # Ruff's preview UP052 (typeshed deprecates contextmanager's Iterator overloads) flagged the
    # lifespan's AsyncIterator[None]; checked without the pragmas, which exempt the layer. So
    # were, in plain code: a flush after an unprotected `yield` (RUF075), regular expressions
    # in non-raw strings (RUF039), and a line comment exempting B004 (RUF105 reports each).
    package = sorted((rendered_backend / "app" / "analytics").glob("*.py"))
    files = [str(path) for path in without_pragmas(package, tmp_path / "analytics")]
    rules = "UP052,RUF075,RUF039,RUF105,B004,PGH004"
    arguments = ["check", "--no-cache", "--isolated", "--preview", "--select", rules, *files]
    check = _run([_tool("ruff"), *arguments], tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        (
            "ruff",
            ["check", "--no-cache", "--isolated", "--select", "E,W,F,I,Q,N", "--line-length", "79"],
        ),
        # Every rule, those against a blanket exemption (PGH004, preview's RUF105) too.
        ("ruff", ["check", "--no-cache", "--isolated", "--select", "ALL"]),
        ("ruff", ["check", "--no-cache", "--isolated", "--select", "ALL", "--preview"]),
        ("ruff", ["format", "--check", "--no-cache", "--isolated", "--line-length", "79"]),
        (
            "ruff",
            [
                "format",
                "--check",
                "--no-cache",
                "--isolated",
                "--config",
                "format.quote-style='single'",
            ],
        ),
        ("black", ["--check", "--line-length", "79", "--skip-string-normalization"]),
        ("isort", ["--check-only", "--line-length", "40"]),
        ("flake8", ["--isolated", "--max-line-length", "60"]),
        ("pylint", ["--disable=all", "--enable=line-too-long", "--max-line-length=60"]),
    ],
)
def test_a_projects_own_linters_and_formatters_leave_the_layer_alone(
    rendered_backend: Path, tool: str, arguments: list[str]
) -> None:
    # A project's pre-commit runs its formatter over every file: at its line length of 79, or
    # with single quotes, it rewrote the layer, which `generate --check` then refused as edited
    # by hand; its linter reported hundreds of lines too long. Each tool the README names is run.
    package = rendered_backend / "app" / "analytics"
    result = _run([_tool(tool), *arguments, str(package)], rendered_backend)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_models_define_nothing_the_layer_does_not_use(rendered_backend: Path) -> None:
    package = rendered_backend / "app" / "analytics"
    models = (package / "analytics_models.py").read_text(encoding="utf-8")
    everything = "\n".join(path.read_text(encoding="utf-8") for path in package.glob("*.py"))
    defined = re.findall(r"^(?:def |class )?([A-Za-z_]\w*)(?=[:( =])", models, re.MULTILINE)
    unused = [
        name
        for name in dict.fromkeys(defined)
        if len(re.findall(rf"\b{re.escape(name)}\b", everything)) == 1
    ]
    assert unused == []


def test_a_call_with_one_argument_that_fits_is_written_on_one_line(rendered_backend: Path) -> None:
    # What a person writes (`ConfigDict(extra="forbid")`), not a lone argument held open by a
    # trailing comma, which ruff format then keeps.
    for path in (rendered_backend / "app" / "analytics").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"^( *)(.*\()\n +([^\n]+),\n\1\)$", text, re.MULTILINE):
            indent, opening, argument = match.groups()
            one_line = f"{indent}{opening}{argument})"
            assert len(one_line) > 100 or "#" in argument, (path.name, match.group(0))


def _open_brackets_without_trailing_comma(source: str) -> list[int]:
    """Lines of closing brackets alone on their line whose last element has no comma after it.

    add-trailing-comma's rule, for calls, signatures, imports and displays: subscripts,
    parenthesised expressions and a lone comprehension take no comma.
    """
    missing: list[int] = []
    # Per open bracket: whether it takes a comma, and whether a `for` sits at its own depth.
    stack: list[tuple[bool, bool]] = []
    previous: tokenize.TokenInfo | None = None
    skipped = {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in skipped:
            continue
        if token.type == tokenize.OP and token.string in "([{":
            after = previous.string if previous else ""
            called = previous is not None and (
                (previous.type == tokenize.NAME and not keyword.iskeyword(after))
                or after in (")", "]", "import")
            )
            takes = called if token.string == "(" else not called
            stack.append((takes, False))
        elif token.type == tokenize.NAME and token.string == "for" and stack:
            stack[-1] = (stack[-1][0], True)
        elif token.type == tokenize.OP and token.string in ")]}" and stack:
            takes, comprehension = stack.pop()
            own_line = previous is not None and previous.end[0] < token.start[0]
            empty = previous is not None and previous.string in "([{"
            if takes and own_line and not comprehension and not empty and previous.string != ",":
                missing.append(token.start[0])
        previous = token
    return missing


def test_a_multi_line_bracket_ends_with_a_trailing_comma(rendered_backend: Path) -> None:
    # pre-commit's add-trailing-comma rewrote every bracket the formatter had hugged
    # (`Field(\n    ge=0, description="..."\n)`), which `generate --check` then refused.
    for path in sorted((rendered_backend / "app" / "analytics").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert _open_brackets_without_trailing_comma(source) == [], path.name


def test_no_string_sits_at_column_zero_after_the_module_docstring(
    rendered_backend: Path,
) -> None:
    # pre-commit's check-docstring-first takes every string at column 0 for a module docstring:
    # the layer's attribute docstrings failed it, so constants are described by `#:` comments.
    for path in sorted((rendered_backend / "app" / "analytics").glob("*.py")):
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        starts = [t.start[0] for t in tokens if t.type == tokenize.STRING and t.start[1] == 0]
        assert len(starts) == 1, (path.name, starts)


def test_pyright_in_strict_mode_checks_the_layer_at_its_basic_level(
    rendered_backend: Path,
) -> None:
    # A project type-checking its tree with pyright (strict, or its standard mode) reported the
    # layer's third-party values of unknown type and a declared event's narrowed property.
    # basedpyright (a dev dependency) is pyright's checker with the Node.js of its own wheel:
    # it runs offline, where pip's pyright fetches pyright and Node.js on its first run.
    pyright = _tool("basedpyright")
    (rendered_backend / "pyrightconfig.json").write_text('{"typeCheckingMode": "strict"}')
    result = _run([pyright, "--pythonpath", sys.executable, "app/analytics"], rendered_backend)
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_package_passes_mypy_strict(rendered_backend: Path) -> None:
    result = _run(
        [
            _tool("mypy"),
            "--config-file",
            str(REPO_ROOT / "pyproject.toml"),
            "--strict",
            "--no-incremental",
            "-p",
            "app.analytics",
        ],
        rendered_backend,
        MYPYPATH=str(rendered_backend),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_caller_passing_a_model_or_a_dataclass_as_the_payload_type_checks(
    rendered_backend: Path,
) -> None:
    # log() reads a request's model or a dataclass given as the payload itself (as documented):
    # its annotation takes them, and still refuses what it drops (a list).
    caller = (
        "import dataclasses\n\nimport pydantic\n\n"
        "from app.analytics.event_logger import EventLogger\n\n\n"
        "@dataclasses.dataclass\nclass Body:\n    name: str\n\n\n"
        "class Model(pydantic.BaseModel):\n    name: str\n\n\n"
        "def handler(logger: EventLogger) -> None:\n"
        '    logger.log("ai_block_used", Body("x"))\n'
        '    logger.log("ai_block_used", Model(name="x"))\n'
        '    logger.record("ai_block_used", {"name": "x"})\n'
        '    logger.log("ai_block_used", [1, 2])\n'
    )
    (rendered_backend / "caller.py").write_text(caller)
    result = _run(
        [_tool("mypy"), "--strict", "--no-incremental", "caller.py"],
        rendered_backend,
        MYPYPATH=str(rendered_backend),
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    last = caller.count("\n")  # the list, refused
    assert len(errors) == 1 and errors[0].startswith(f"caller.py:{last}:"), result.stdout


def test_todo_comments_sit_only_at_the_sink_seam(rendered_backend: Path) -> None:
    todos: list[tuple[str, int]] = []
    for path in sorted((rendered_backend / "app" / "analytics").glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "TODO" in line:
                todos.append((path.name, number))
    assert todos, "the user asked for TODOs where real tracking goes"
    source = (rendered_backend / "app" / "analytics" / "event_logger.py").read_text().splitlines()
    start = next(i for i, line in enumerate(source, 1) if line.startswith("class LoggingSink"))
    end = next(i for i, line in enumerate(source, 1) if i > start and re.match(r"^\S", line))
    assert all(name == "event_logger.py" and start < line < end for name, line in todos)


def test_generated_files_start_with_header_then_docstring(rendered_backend: Path) -> None:
    for path in sorted((rendered_backend / "app" / "analytics").glob("*.py")):
        code = [line for line in path.read_text().splitlines() if not line.startswith("#")]
        assert code[0].startswith('"""'), path.name


def test_rendering_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for root in (first, second):
        render_tree(root, make_plan(root))
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files
    for relative in files:
        assert (first / relative).read_bytes() == (second / relative).read_bytes()
