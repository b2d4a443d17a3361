"""``layer-package``: the generated package beside an ``analytics`` package of the user's own.

Backends often have an ``analytics`` package already (business reports, a product-analytics
client). The layer then goes under another name; ``init`` picks a free one, and changing the
name moves the layer like any other change of the plan.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.backend_support import imported_app
from tests.cli_support import make_project, run, snapshot

OWN_ANALYTICS = '''"""Our own product analytics: weekly reports."""


def weekly_report() -> dict[str, int]:
    return {"visits": 3}
'''

PLAN = 'instrument = { "api/ai_blocks.py" = "ai_block_used" }'


def _with_own_analytics(root: Path) -> Path:
    own = root / "backend/app/analytics"
    own.mkdir()
    (own / "__init__.py").write_text(OWN_ANALYTICS)
    return own


def _set_layer(root: Path, name: str | None) -> None:
    setting = "" if name is None else f'layer-package = "{name}"\n'
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\n\n[tool.telemetry-scaffold]\n{setting}{PLAN}\n'
    )


def test_the_layer_goes_beside_an_analytics_package_of_the_users(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = make_project(tmp_path / "project", 'layer-package = "telemetry"\n' + PLAN)
    own = _with_own_analytics(root)
    before = snapshot(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert (root / "backend/app/telemetry/event_logger.py").is_file()
    assert (own / "__init__.py").read_text() == OWN_ANALYTICS
    assert sorted(path.name for path in own.iterdir()) == ["__init__.py"]
    main = (root / "backend/app/main.py").read_text()
    assert "from app.telemetry.telemetry_router import router as telemetry_router" in main
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    with imported_app(root / "backend") as module:
        client = TestClient(module.app)
        with caplog.at_level(logging.INFO):
            assert client.post("/api/ai/quiz/ch-1").status_code == 200
        assert client.get("/api/telemetry/health").json()["status"] == "ok"
    assert any("ai_block_used" in record.getMessage() for record in caplog.records)
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


def test_renaming_the_layer_moves_it_and_back(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", PLAN)
    assert run("generate", "--root", str(root)).exit_code == 0
    generated = snapshot(root)
    _set_layer(root, "telemetry")
    assert run("generate", "--root", str(root), "--check").exit_code == 1
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert not (root / "backend/app/analytics").exists()
    blocks = (root / "backend/app/api/ai_blocks.py").read_text()
    assert "from app.telemetry.event_logger import event_logger" in blocks
    assert "app.analytics" not in blocks
    assert "app.analytics" not in (root / "backend/app/main.py").read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    # Now the old name is free for the user's own package, and the layer can go back later.
    _set_layer(root, None)
    assert run("generate", "--root", str(root)).exit_code == 0
    back = snapshot(root)
    assert {path: data for path, data in back.items() if path != "pyproject.toml"} == {
        path: data for path, data in generated.items() if path != "pyproject.toml"
    }


def test_init_names_the_layer_when_the_app_has_an_analytics_of_its_own(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    _with_own_analytics(root)
    (root / "backend/app/telemetry.py").write_text('"""Taken too."""\n')
    assert run("init", "--root", str(root)).exit_code == 0
    text = (root / "pyproject.toml").read_text()
    assert 'layer-package = "telemetry_layer"' in text
    _set_layer(root, "telemetry_layer")
    assert run("generate", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/telemetry_layer/event_logger.py").is_file()


def test_init_keeps_the_default_name_for_a_layer_it_generated(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", PLAN)
    assert run("generate", "--root", str(root)).exit_code == 0
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    assert run("init", "--root", str(root)).exit_code == 0
    assert "layer-package" not in (root / "pyproject.toml").read_text()


@pytest.mark.parametrize("value", ['"my-layer"', '"app.telemetry"', '"class"', '""', "3"])
def test_a_layer_package_that_is_no_package_name_is_refused(tmp_path: Path, value: str) -> None:
    root = make_project(tmp_path / "project", f"layer-package = {value}\n" + PLAN)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 2
    assert "layer-package" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_users_analytics_package_is_named_with_the_fix(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", PLAN)
    _with_own_analytics(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert 'layer-package = "telemetry"' in result.stdout
    assert (root / "backend/app/analytics/__init__.py").read_text() == OWN_ANALYTICS


def test_routes_in_the_users_own_analytics_package_are_read_like_any_others(
    tmp_path: Path,
) -> None:
    root = make_project(
        tmp_path / "project",
        'layer-package = "telemetry"\ninstrument = { "analytics/reports.py" = "ai_block_used" }',
    )
    own = _with_own_analytics(root)
    (own / "reports.py").write_text(
        '"""Report endpoints."""\n\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n'
        '@router.get("/weekly")\ndef weekly() -> dict[str, int]:\n    return {"visits": 3}\n'
    )
    # The package's own router includes the module's, under a prefix of its own.
    (own / "__init__.py").write_text(
        OWN_ANALYTICS + "\n\nfrom fastapi import APIRouter\n\nfrom app.analytics import reports\n\n"
        'router = APIRouter(prefix="/analytics")\n'
        'router.include_router(reports.router, prefix="/reports")\n'
    )
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text().replace(
            "app.include_router(ai_blocks.router)\n",
            "app.include_router(ai_blocks.router)\n"
            "from app import analytics\n"
            "app.include_router(analytics.router)\n",
        )
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert '"route": "/analytics/reports/weekly"' in (own / "reports.py").read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_an_analytics_module_of_the_users_is_named_with_the_fix(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", PLAN)
    (root / "backend/app/analytics.py").write_text(OWN_ANALYTICS)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 2
    assert "layer-package" in result.stderr
    assert (root / "backend/app/analytics.py").read_text() == OWN_ANALYTICS


def test_init_says_so_when_every_name_for_the_layer_is_taken(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    _with_own_analytics(root)
    names = ["telemetry", "telemetry_layer", "analytics_layer"]
    names += [f"telemetry_layer{number}" for number in range(2, 100)]
    for name in names:
        (root / f"backend/app/{name}.py").write_text('"""Taken."""\n')
    result = run("init", "--root", str(root))
    assert result.exit_code == 2
    assert "layer-package" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
