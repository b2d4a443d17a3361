"""The registry of generated outputs: the one list the renderer, the documents and tests read."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jinja2
import pytest

from telemetry_cli import render
from telemetry_cli.manifest import DIGEST_MARK, UNSEALED_DIGEST, carries_own_digest
from telemetry_cli.plan import Plan
from telemetry_cli.render import (
    OUTPUTS,
    SENSITIVE_KEYS,
    Place,
    outputs_for,
    render_outputs,
    template_context,
    template_dir,
)
from telemetry_cli.templating import (
    COMPILED_DIR,
    COMPILED_MARKER,
    compile_into,
    compiled_loader,
    environment,
)
from tests.catalog_support import catalog_plan

TEMPLATE_SUFFIX = ".jinja"


def _plans(root: Path) -> dict[str, Plan]:
    default = Plan.default(root)
    return {
        "default": default,
        "no-capture": default._replace(
            capture_errors=False, event_types=("page_view",), instrument=()
        ),
        "renamed": default._replace(
            backend="srv", app_package="core.web", specs_dir="docs", feature="7-x"
        ),
    }


@pytest.fixture(params=["default", "no-capture", "renamed"])
def plan(request: pytest.FixtureRequest, tmp_path: Path) -> Plan:
    return _plans(tmp_path)[request.param]


def test_every_template_is_a_registered_output_or_a_partial() -> None:
    folder = template_dir()
    templates = {
        path.relative_to(folder).as_posix()
        for path in folder.rglob(f"*{TEMPLATE_SUFFIX}")
        # Partials start with one underscore; dunder names such as __init__.py are outputs.
        if not (path.name.startswith("_") and not path.name.startswith("__"))
    }
    registered = [output.template for output in OUTPUTS]
    assert sorted(registered) == sorted(templates)
    assert len(set(registered)) == len(registered)


def test_registry_entries_are_well_formed() -> None:
    for output in OUTPUTS:
        assert output.template.endswith(TEMPLATE_SUFFIX)
        # The output is named like its template, in a folder mirroring the template's.
        top = "analytics/" if output.place is Place.PACKAGE else "specs/"
        assert output.template == top + output.name + TEMPLATE_SUFFIX
        assert output.role and "\n" not in output.role
        assert bool(output.condition) is (output.exists.__name__ != "_always"), output.name


def test_rendered_files_are_exactly_the_outputs_the_plan_has(plan: Plan) -> None:
    rendered = [file.path for file in render_outputs(plan)]
    expected = sorted(output.path(plan) for output in outputs_for(plan))
    assert rendered == expected
    assert len(set(rendered)) == len(rendered)


def test_error_capture_exists_only_with_capture_errors(plan: Plan) -> None:
    paths = {file.path for file in render_outputs(plan)}
    assert (f"{plan.analytics_dir}/error_capture.py" in paths) is plan.capture_errors


def test_outputs_without_a_condition_always_exist(plan: Plan) -> None:
    names = {output.name for output in outputs_for(plan)}
    for output in OUTPUTS:
        if not output.condition:
            assert output.name in names


def test_package_docstring_lists_exactly_the_generated_modules(plan: Plan) -> None:
    init = next(f for f in render_outputs(plan) if f.path.endswith("analytics/__init__.py"))
    docstring = ast.get_docstring(ast.parse(init.content)) or ""
    listed = re.findall(r"^\* ``(\w+)``: ", docstring, re.MULTILINE)
    expected = [
        output.name.removesuffix(".py")
        for output in outputs_for(plan)
        if output.place is Place.PACKAGE and output.name != "__init__.py"
    ]
    assert listed == sorted(expected)
    assert all(len(line) <= 100 for line in init.content.splitlines())


def test_plan_documentation_tree_lists_exactly_the_feature_documents(plan: Plan) -> None:
    plan_md = next(f for f in render_outputs(plan) if f.path.endswith("/plan.md")).content
    block = plan_md.split("### Documentation (this feature)", 1)[1].split("```", 2)[1]
    files: list[str] = []
    folder = ""
    for line in block.splitlines()[2:]:
        entry = line.split("#", 1)[0].rstrip()
        name = re.sub(r"^[│ ]*[├└]── ", "", entry)
        nested = entry.startswith(("│", " "))
        if name.endswith("/"):
            folder = name
        else:
            files.append((folder if nested else "") + name)
    expected = [o.name for o in outputs_for(plan) if o.place is Place.FEATURE]
    assert files == expected
    assert f"{len(expected)} feature documents" in plan_md


# --- what the templates see -------------------------------------------------------------------


def test_redact_keys_follow_the_built_in_sensitive_keys(tmp_path: Path) -> None:
    plan = Plan.default(tmp_path)._replace(redact=("zeta_ref", "Token", "account.no", "Alpha-Id"))
    keys = template_context(plan)["sensitive_keys"]
    assert isinstance(keys, list)
    assert keys[: len(SENSITIVE_KEYS)] == list(SENSITIVE_KEYS)
    # Sorted, and one already built in (letter case ignored) is not repeated.
    assert keys[len(SENSITIVE_KEYS) :] == ["account.no", "Alpha-Id", "zeta_ref"]
    rules = next(f for f in render_outputs(plan) if f.path.endswith("/redaction.py"))
    assert '"zeta_ref"' in rules.content and '"Alpha-Id"' in rules.content
    assert template_context(Plan.default(tmp_path))["sensitive_keys"] == list(SENSITIVE_KEYS)


def test_a_checkout_compiles_the_source_templates() -> None:
    loader = render._environment().loader
    assert isinstance(loader, jinja2.FileSystemLoader)
    assert loader.searchpath == [str(template_dir())]


def test_compiled_templates_are_used_only_with_the_jinja_that_made_them(tmp_path: Path) -> None:
    assert compiled_loader(tmp_path) is None  # none compiled
    compiled = tmp_path / COMPILED_DIR
    names = compile_into(template_dir(), compiled)
    assert {output.template for output in OUTPUTS} <= set(names)
    assert isinstance(compiled_loader(tmp_path), jinja2.ModuleLoader)
    (compiled / COMPILED_MARKER).write_text("0.0.1\n")
    assert compiled_loader(tmp_path) is None


def test_compiled_templates_render_the_same_bytes(tmp_path: Path, plan: Plan) -> None:
    compile_into(template_dir(), tmp_path / COMPILED_DIR)
    loader = compiled_loader(tmp_path)
    assert loader is not None
    env = environment(loader)
    context = template_context(plan)
    for output in outputs_for(plan):
        source = render._environment().get_template(output.template).render(context)
        assert env.get_template(output.template).render(context) == source, output.template


def test_every_output_carries_a_digest_that_a_one_byte_edit_breaks(
    plan: Plan, tmp_path: Path
) -> None:
    for each in (plan, catalog_plan(tmp_path)):
        for file in render_outputs(each):
            assert file.content is not None
            data = file.content.encode()
            assert carries_own_digest(data), file.path
            assert UNSEALED_DIGEST not in file.content[:4096], file.path
            for at in (0, data.index(DIGEST_MARK.encode()) + len(DIGEST_MARK), len(data) - 2):
                other = b"y" if data[at : at + 1] == b"x" else b"x"
                assert not carries_own_digest(data[:at] + other + data[at + 1 :]), (file.path, at)
            # A checkout's CRLF endings (core.autocrlf, eol=crlf) are the file as written; one
            # line's ending changed alone is an edit.
            assert carries_own_digest(data.replace(b"\n", b"\r\n")), file.path
            assert not carries_own_digest(data.replace(b"\n", b"\r\n", 1)), file.path
