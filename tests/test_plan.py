"""The plan: defaults, discovery, and one clear error per bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from telemetry_cli.errors import ConfigError
from telemetry_cli.plan import Plan, find_config, load_plan


def write_config(root: Path, body: str) -> Path:
    config = root / "pyproject.toml"
    config.write_text(f'[project]\nname = "demo"\n\n[tool.telemetry-scaffold]\n{body}\n')
    return config


def test_defaults_reproduce_the_request(tmp_path: Path) -> None:
    write_config(tmp_path, "")
    plan = load_plan(root=tmp_path)
    assert plan.event_types == ("ai_block_used", "chapter_visit", "error_event")
    assert plan.api_prefix == "/api/telemetry"
    assert plan.analytics_dir == "backend/app/analytics"
    assert plan.main_path == "backend/app/main.py"
    assert plan.feature_dir == "specs/059-analytics-telemetry"
    assert plan.instrument == (("api/ai_blocks.py", "ai_block_used"),)
    assert plan.capture_errors is True
    assert plan == Plan.default(tmp_path.resolve())


def test_every_key_is_read(tmp_path: Path) -> None:
    write_config(
        tmp_path,
        """
backend = "services/api"
app-package = "textbook.core"
specs-dir = "docs/specs"
feature = "101-events"
api-prefix = "/v2/events"
event-types = ["page_view", "signup_completed"]
instrument = { "routes/pages.py" = "page_view", "routes/auth.py" = "signup_completed" }
capture-errors = false
""",
    )
    plan = load_plan(root=tmp_path)
    assert plan.app_dir == "services/api/textbook/core"
    assert plan.analytics_package == "textbook.core.analytics"
    assert plan.feature_dir == "docs/specs/101-events"
    assert plan.instrument == (
        ("routes/auth.py", "signup_completed"),
        ("routes/pages.py", "page_view"),
    )
    assert plan.module_import_name("routes/auth.py") == "textbook.core.routes.auth"
    assert plan.module_path("routes/auth.py") == "services/api/textbook/core/routes/auth.py"


def test_config_is_found_upwards_like_ruff(tmp_path: Path) -> None:
    write_config(tmp_path, 'api-prefix = "/t"')
    nested = tmp_path / "backend" / "app"
    nested.mkdir(parents=True)
    (tmp_path / "backend" / "pyproject.toml").write_text('[project]\nname = "inner"\n')
    assert find_config(nested) == (tmp_path / "pyproject.toml").resolve()
    assert load_plan(cwd=nested).api_prefix == "/t"


def test_nearest_pyproject_without_section_gives_defaults(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_plan(cwd=tmp_path).api_prefix == "/api/telemetry"


def test_explicit_config_file_sets_the_root(tmp_path: Path) -> None:
    other = tmp_path / "conf" / "telemetry.toml"
    other.parent.mkdir()
    other.write_text('[tool.telemetry-scaffold]\nfeature = "200-x"\n')
    plan = load_plan(config=other)
    assert plan.root == other.parent.resolve()
    assert plan.feature == "200-x"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("evnt-types = []", "evnt-types: unknown key; did you mean 'event-types'?"),
        ("zzz = 1", "zzz: unknown key; known keys:"),
        ('event-types = ["AiBlock"]', "'AiBlock' is not snake_case"),
        ('event-types = ["a_b", "a_b"]', "'a_b' is listed twice"),
        ("event-types = []", "expected a non-empty list"),
        ('event-types = "ai_block_used"', "expected a non-empty list"),
        ("event-types = [1]", "1 is not snake_case"),
        ('backend = "../elsewhere"', "backend: '../elsewhere' leaves the project root"),
        ('backend = "/abs"', "backend: '/abs' is absolute"),
        ('specs-dir = "a\\\\b"', "use '/' as the path separator"),
        ('backend = ""', "expected a non-empty string"),
        ('app-package = "my-app"', "not an importable package name"),
        ('app-package = "class"', "not an importable package name"),
        ('feature = "a/b"', "must be one folder name"),
        ('api-prefix = "api/telemetry"', "must start with '/'"),
        ('api-prefix = "/api/"', "no trailing '/'"),
        ('api-prefix = "/api/{x}"', "no parameters"),
        ('instrument = { "api/x.py" = "nope" }', "'nope' is not in event-types"),
        ('instrument = { "api/x.txt" = "chapter_visit" }', "must be a .py file"),
        ('instrument = { "../x.py" = "chapter_visit" }', "leaves the project root"),
        ('instrument = "api/x.py"', "expected a table"),
        ('instrument = { "api/my-mod.py" = "chapter_visit" }', "not an importable module path"),
        ('event-types = ["page_view", "error_event"]', "(the default instrument; set instrument)"),
        ('instrument = { "api/x.py" = 3 }', "expected an event type string"),
        ('capture-errors = "yes"', "expected true or false"),
        ('event-types = ["chapter_visit"]\ninstrument = {}', "needs 'error_event' in event-types"),
    ],
)
def test_bad_values_are_one_line_errors_naming_the_key(
    tmp_path: Path, body: str, fragment: str
) -> None:
    config = write_config(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_plan(root=tmp_path)
    message = caught.value.message
    assert fragment in message
    assert message.startswith(f"{config.resolve()}: [tool.telemetry-scaffold] ")
    assert "\n" not in message
    assert caught.value.exit_code == 2


def test_symlink_leaving_the_root_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    project = tmp_path / "project"
    project.mkdir()
    (project / "backend").symlink_to(outside, target_is_directory=True)
    write_config(project, "")
    with pytest.raises(ConfigError, match="outside the project root"):
        load_plan(root=project)


def test_invalid_toml_names_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.telemetry-scaffold\n")
    with pytest.raises(ConfigError, match=r"invalid TOML: .*line 1"):
        load_plan(root=tmp_path)


def test_non_utf8_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.telemetry-scaffold]\nfeature = '\xff'\n")
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        load_plan(root=tmp_path)


def test_missing_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_plan(root=tmp_path)
    with pytest.raises(ConfigError, match="config file not found"):
        load_plan(config=tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match=r"no pyproject\.toml found"):
        find_config(Path("/"))


def test_section_must_be_a_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool]\ntelemetry-scaffold = "x"\n')
    with pytest.raises(ConfigError, match="must be a table"):
        load_plan(root=tmp_path)


@pytest.mark.parametrize(
    ("body", "key", "fragment"),
    [
        (
            'instrument = { "analytics/telemetry_router.py" = "chapter_visit" }',
            'instrument."analytics/telemetry_router.py"',
            "is in the generated package backend/app/analytics",
        ),
        (
            'instrument = { "./analytics/new.py" = "chapter_visit" }',
            'instrument."./analytics/new.py"',
            "is in the generated package",
        ),
        (
            'instrument = { "main.py" = "chapter_visit" }',
            'instrument."main.py"',
            "is the app's main.py",
        ),
        (
            'app-package = "core.web"\ninstrument = { "main.py" = "chapter_visit" }',
            'instrument."main.py"',
            "is the app's main.py",
        ),
        (
            'specs-dir = "backend/app/analytics"',
            "specs-dir",
            "is inside the generated package backend/app/analytics",
        ),
        (
            'specs-dir = "backend/app/analytics/docs"',
            "specs-dir",
            "is inside the generated package",
        ),
        (
            'backend = "src"\napp-package = "web"\nspecs-dir = "src/web/analytics/specs"',
            "specs-dir",
            "is inside the generated package src/web/analytics",
        ),
    ],
)
def test_targets_that_would_never_settle_are_refused(
    tmp_path: Path, body: str, key: str, fragment: str
) -> None:
    write_config(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_plan(root=tmp_path)
    assert f"] {key}: " in caught.value.message
    assert fragment in caught.value.message
    assert caught.value.exit_code == 2


def test_instrumenting_main_through_a_symlink_is_refused(tmp_path: Path) -> None:
    api = tmp_path / "backend" / "app" / "api"
    api.mkdir(parents=True)
    (tmp_path / "backend" / "app" / "main.py").write_text("")
    (api / "entry.py").symlink_to(tmp_path / "backend" / "app" / "main.py")
    write_config(tmp_path, 'instrument = { "api/entry.py" = "chapter_visit" }')
    with pytest.raises(ConfigError, match=r"instrument\.\"api/entry\.py\": .* main\.py"):
        load_plan(root=tmp_path)


@pytest.mark.parametrize("key", ["backend", "specs-dir"])
def test_folder_key_naming_an_existing_file_is_refused(tmp_path: Path, key: str) -> None:
    (tmp_path / "backend" / "app").mkdir(parents=True)
    (tmp_path / "backend" / "app" / "main.py").write_text("")
    write_config(tmp_path, f'{key} = "backend/app/main.py"')
    with pytest.raises(ConfigError) as caught:
        load_plan(root=tmp_path)
    assert f"] {key}: 'backend/app/main.py' exists and is not a folder" in caught.value.message
    assert caught.value.exit_code == 2


def test_folder_keys_may_name_folders_not_created_yet(tmp_path: Path) -> None:
    write_config(tmp_path, 'backend = "later/api"\nspecs-dir = "later/specs"')
    plan = load_plan(root=tmp_path)
    assert (plan.backend, plan.specs_dir) == ("later/api", "later/specs")


@pytest.mark.parametrize(
    ("link", "body", "key"),
    [
        ("backend", "", "backend"),
        ("docs", 'specs-dir = "docs"', "specs-dir"),
        ("backend/app/api/loop.py", 'instrument = { "api/loop.py" = "chapter_visit" }', "loop.py"),
    ],
)
def test_symlink_loop_is_a_config_error(tmp_path: Path, link: str, body: str, key: str) -> None:
    loop = tmp_path / link
    loop.parent.mkdir(parents=True, exist_ok=True)
    loop.symlink_to(loop.name)  # a link to itself
    write_config(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_plan(root=tmp_path)
    message = caught.value.message
    assert key in message and message.endswith(": symlink loop"), message
    assert caught.value.exit_code == 2
