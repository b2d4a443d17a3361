"""The plan: defaults, discovery, and one clear error per bad value."""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

import pytest

from telemetry_cli import plan as plan_module
from telemetry_cli.errors import ConfigError
from telemetry_cli.files import parse_toml
from telemetry_cli.plan import (
    APP_KEY,
    FASTAPI_ENTRYPOINT,
    KEYS,
    Plan,
    configuration_table,
    find_config,
    holds_plan,
    load_plan,
)
from tests.cli_support import make_project
from tests.cli_support import run as run_cli


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
    # A package's __init__.py is imported as the package.
    assert plan.module_import_name("routes/users/__init__.py") == "textbook.core.routes.users"
    assert plan.module_import_name("__init__.py") == "textbook.core"
    assert plan.module_path("routes/auth.py") == "services/api/textbook/core/routes/auth.py"


def test_config_is_found_upwards_like_ruff(tmp_path: Path) -> None:
    write_config(tmp_path, 'api-prefix = "/t"')
    nested = tmp_path / "backend" / "app"
    nested.mkdir(parents=True)
    (tmp_path / "backend" / "pyproject.toml").write_text('[project]\nname = "inner"\n')
    assert find_config(nested) == (tmp_path / "pyproject.toml").resolve()
    assert load_plan(cwd=nested).api_prefix == "/t"


@pytest.mark.parametrize(
    "body",
    [
        '[tool]\ntelemetry-scaffold = { api-prefix = "/t" }\n',
        '[tool]\ntelemetry-scaffold.api-prefix = "/t"\n',
        'tool.telemetry-scaffold = { api-prefix = "/t" }\n',
        "[tool.'telemetry-scaffold']\napi-prefix = \"/t\"\n",
        '[ tool . telemetry-scaffold ]\napi-prefix = "/t"\n',
    ],
    ids=["inline", "dotted-key", "top-level-dotted", "literal-quoted", "spaced-header"],
)
def test_config_in_any_toml_spelling_is_found_upwards(tmp_path: Path, body: str) -> None:
    # Every spelling TOML allows for the table is the table: a nearer pyproject.toml without it
    # must not win the search (it did, and the plan silently fell back to the defaults).
    (tmp_path / "pyproject.toml").write_text(body)
    nested = tmp_path / "backend" / "app"
    nested.mkdir(parents=True)
    (tmp_path / "backend" / "pyproject.toml").write_text('[project]\nname = "inner"\n')
    assert find_config(nested) == (tmp_path / "pyproject.toml").resolve()
    assert load_plan(cwd=nested).api_prefix == "/t"


def test_a_crlf_config_found_upwards_is_parsed_once(tmp_path: Path) -> None:
    # The search decodes the file as loading it does: the same text, so one parse serves both.
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.telemetry-scaffold]\r\napi-prefix = "/t"\r\n')
    nested = tmp_path / "backend"
    nested.mkdir()
    parse_toml.cache_clear()
    assert load_plan(cwd=nested).api_prefix == "/t"
    assert parse_toml.cache_info().misses == 1


def test_a_commented_out_table_does_not_win_the_search(tmp_path: Path) -> None:
    write_config(tmp_path, 'api-prefix = "/t"')
    nested = tmp_path / "backend"
    nested.mkdir()
    (nested / "pyproject.toml").write_text(
        '[project]\nname = "inner"\n# [tool.telemetry-scaffold]\n'
    )
    assert find_config(nested) == (tmp_path / "pyproject.toml").resolve()


def test_a_nearer_config_that_is_not_toml_but_names_the_table_is_reported(tmp_path: Path) -> None:
    write_config(tmp_path, 'api-prefix = "/t"')
    nested = tmp_path / "backend"
    nested.mkdir()
    (nested / "pyproject.toml").write_text("[tool.telemetry-scaffold]\napi-prefix = \n")
    with pytest.raises(ConfigError, match=r"backend/pyproject.toml: invalid TOML"):
        load_plan(cwd=nested)


@pytest.mark.parametrize(
    "name", ["telemetry_scaffold", "Telemetry-Scaffold", "telemetryscaffold", "telemetry-scafold"]
)
@pytest.mark.parametrize("also_right", [False, True], ids=["alone", "beside-the-right-one"])
def test_a_misspelt_table_name_is_a_config_error(
    tmp_path: Path, name: str, also_right: bool
) -> None:
    # Its keys were silently ignored: generate wrote the default plan.
    right = '[tool.telemetry-scaffold]\nfeature = "100-x"\n' if also_right else ""
    (tmp_path / "pyproject.toml").write_text(f'{right}[tool.{name}]\napi-prefix = "/t"\n')
    with pytest.raises(ConfigError) as raised:
        load_plan(root=tmp_path)
    assert str(raised.value).endswith(
        f"pyproject.toml: [tool.{name}]: unknown table; did you mean [tool.telemetry-scaffold]?"
    )


@pytest.mark.parametrize("name", ["telemetry", "scaffold", "ruff", "opentelemetry"])
def test_tables_of_other_tools_are_left_alone(tmp_path: Path, name: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.{name}]\nx = 1\n")
    assert load_plan(root=tmp_path).api_prefix == "/api/telemetry"


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
        # Letter case is the likeliest typo of all; it used to get no suggestion.
        ("API_PREFIX = '/x'", "API_PREFIX: unknown key; did you mean 'api-prefix'?"),
        ("zzz = 1", "zzz: unknown key; known keys:"),
        ('event-types = ["AiBlock"]', "'AiBlock' is not snake_case"),
        ('event-types = ["a_b", "a_b"]', "'a_b' is listed twice"),
        ("event-types = []", "expected a non-empty list"),
        ('event-types = "ai_block_used"', "expected a non-empty list"),
        ("event-types = [1]", "1 is not snake_case"),
        ('backend = "../elsewhere"', "backend: '../elsewhere' leaves the project root"),
        ('backend = "/abs"', "backend: '/abs' is absolute"),
        # A shell's home, not expanded: it made a folder named `~` in the root (`rm -r ~`).
        ('specs-dir = "~/docs/specs"', "specs-dir: '~/docs/specs' starts with '~', which is not"),
        ('specs-dir = "~"', "specs-dir: '~' starts with '~', which is not expanded"),
        ('backend = "~ada/api"', "backend: '~ada/api' starts with '~'"),
        ('specs-dir = "a\\\\b"', "use '/' as the path separator"),
        # A name with a space at its start or end (a typo; `specs-dir` made such a folder).
        ('specs-dir = "specs "', "the name 'specs ' starts or ends with a space"),
        ('specs-dir = "docs/\\u00a0specs"', "the name '\\xa0specs' starts or ends with a space"),
        ('backend = " backend"', "the name ' backend' starts or ends with a space"),
        ('instrument = { "api/x.py " = "ai_block_used" }', "'x.py ' starts or ends with a space"),
        ('backend = ""', "expected a non-empty string"),
        ('app-package = "my-app"', "not an importable package name"),
        ('app-package = "class"', "not an importable package name"),
        ('feature = "a/b"', "must be one folder name"),
        # Which characters a feature folder takes: it was only "must be one folder name".
        ('feature = "a b"', "'a b' must be one folder name of ASCII letters, digits, '.', '_'"),
        ('feature = "-rf"', "starting with a letter or digit"),
        ('api-prefix = "api/telemetry"', "must start with '/'"),
        ('api-prefix = "/api/"', "no trailing '/'"),
        ('api-prefix = "/api/{x}"', "no parameters"),
        # The root is not a trailing '/': it was told "must have no trailing '/'".
        ('api-prefix = "/"', "'/' is the app's root; the telemetry routes need a prefix of at"),
        ('api-prefix = ""', "'' is the app's root; the telemetry routes need a prefix of at"),
        ('api-prefix = "/api//t"', "no empty segment ('//')"),
        ('api-prefix = "/t\u00e9l"', "only ASCII letters, digits, '-', '_', '.' and '~' (not 'é')"),
        ('api-prefix = "/a b"', "(not ' ')"),
        ('api-prefix = "/t?x=1"', "(not '?')"),
        ('api-prefix = "/%2e"', "(not '%')"),
        # Clients remove dot segments before sending: such routes are unreachable.
        ('api-prefix = "/api/../telemetry"', "no '.' or '..' segments"),
        ('api-prefix = "/api/."', "no '.' or '..' segments"),
        ('api-prefix = "/./api"', "no '.' or '..' segments"),
        ('api-prefix = "/.."', "no '.' or '..' segments"),
        ('instrument = { "api/x.py" = "nope" }', "'nope' is not in event-types"),
        ('instrument = { "api/x.txt" = "chapter_visit" }', "must be a .py file"),
        ('instrument = { "../x.py" = "chapter_visit" }', "leaves the project root"),
        ('instrument = "api/x.py"', "expected a table"),
        ('instrument = { "api/my-mod.py" = "chapter_visit" }', "not an importable module path"),
        ('event-types = ["page_view", "error_event"]', "(the default instrument; set instrument)"),
        ('instrument = { "api/x.py" = 3 }', "expected an event type string"),
        ('capture-errors = "yes"', "expected true or false"),
        # A trailing newline must not slip through a pattern's "$".
        ('event-types = ["page_view\\n"]', "is not snake_case"),
        ('feature = "059-x\\n"', "must be one folder name"),
        ('api-prefix = "/api/t\\n"', "(not '\\n')"),
        ('app-package = "app\\n"', "not an importable package name"),
        ('app-package = " "', 'or "" for modules at the top of the backend folder'),
        ("app-package = 1", 'expected a package name, or ""'),
        ('instrument = { "api/x.py\\n" = "chapter_visit" }', "must be a .py file"),
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


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            "backend = 1979-05-27T07:32:00Z",
            "backend: expected a non-empty string, got 1979-05-27T07:32:00+00:00",
        ),
        ("backend = 1979-05-27", "got 1979-05-27"),
        ("backend = 07:32:00", "got 07:32:00"),
        ("sink = true", 'sink: expected "logging" or "opentelemetry", got true'),
        ("capture-errors = 1979-05-27", "capture-errors: expected true or false, got 1979-05-27"),
        ('redact = { a = 1, "b c" = [false, 2.5] }', 'got {a = 1, "b c" = [false, 2.5]}'),
        ('api-prefix = ["/t"]', "got ['/t']"),
        ("feature = inf", "got inf"),
    ],
)
def test_a_wrong_type_is_quoted_as_toml_writes_it(tmp_path: Path, body: str, fragment: str) -> None:
    # It was quoted as Python shows it: True, datetime.datetime(1979, 5, 27, 7, 32, tzinfo=...).
    write_config(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_plan(root=tmp_path)
    assert fragment in caught.value.message


def test_an_unknown_instrument_type_among_thousands_is_a_short_error(tmp_path: Path) -> None:
    many = ", ".join(f'"event_number_{index}"' for index in range(3000))
    write_config(tmp_path, f'event-types = [{many}]\ninstrument = {{ "api/x.py" = "nope" }}')
    with pytest.raises(ConfigError) as caught:
        load_plan(root=tmp_path)
    message = caught.value.message
    assert "'nope' is not in event-types ['event_number_0', 'event_number_1'," in message
    assert "'event_number_19', ...] (2980 more)" in message
    assert "event_number_20'" not in message
    assert len(message) < 1024


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


def test_a_config_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(
        b'\xef\xbb\xbf[tool.telemetry-scaffold]\r\napi-prefix = "/t"\r\n'
    )
    assert load_plan(root=tmp_path).api_prefix == "/t"


def test_non_utf8_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.telemetry-scaffold]\nfeature = '\xff'\n")
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        load_plan(root=tmp_path)


def test_a_utf16_config_names_the_byte_and_the_fix(tmp_path: Path) -> None:
    # As init says it: generate said only "not valid UTF-8".
    (tmp_path / "pyproject.toml").write_bytes("[tool.telemetry-scaffold]\n".encode("utf-16"))
    with pytest.raises(ConfigError) as caught:
        load_plan(root=tmp_path)
    assert caught.value.message.endswith(
        "pyproject.toml: not valid UTF-8 (byte 0xff at offset 0); re-save it as UTF-8"
    )
    assert caught.value.exit_code == 2


def test_missing_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_plan(root=tmp_path)
    with pytest.raises(ConfigError, match="config file not found"):
        load_plan(config=tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="--config is a folder"):
        load_plan(config=tmp_path)
    with pytest.raises(ConfigError, match=r"no pyproject\.toml found"):
        find_config(Path("/"))


def test_a_pyproject_that_is_a_folder_is_named_when_no_file_is_found(tmp_path: Path) -> None:
    # The search upwards passed over it, then said no pyproject.toml existed at all.
    (tmp_path / "pyproject.toml").mkdir()
    nested = tmp_path / "backend"
    nested.mkdir()
    with pytest.raises(ConfigError) as caught:
        find_config(nested)
    assert caught.value.message.endswith(
        f"{tmp_path / 'pyproject.toml'}: is a folder, expected a file; "
        "run from your project or pass --root DIR"
    )


def _special_file(folder: Path, kind: str) -> Path:
    """A path in ``folder`` (or /dev/null) that is something other than a regular file."""
    if kind == "dev-null":
        return Path("/dev/null")
    path = folder / "special.toml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "link-to-fifo":
        os.mkfifo(folder / "fifo")
        path.symlink_to(folder / "fifo")
    else:
        path.symlink_to(folder / "nowhere")
    return path


@pytest.mark.parametrize(
    ("kind", "fragment"),
    [
        ("dev-null", "/dev/null: not a regular file (a character device)"),
        ("fifo", "special.toml: not a regular file (a named pipe)"),
        ("link-to-fifo", "special.toml: not a regular file (a named pipe)"),
        ("dangling-link", "special.toml: config file not found (a broken symbolic link)"),
    ],
)
def test_a_config_that_is_no_regular_file_says_what_it_is(
    tmp_path: Path, kind: str, fragment: str
) -> None:
    # A named pipe is never opened (reading it would wait for a writer): its kind is told.
    with pytest.raises(ConfigError, match=re.escape(fragment)):
        load_plan(config=_special_file(tmp_path, kind), cwd=tmp_path)


def test_a_pyproject_that_is_a_named_pipe_says_so(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pyproject.toml")
    with pytest.raises(ConfigError, match=r"not a regular file \(a named pipe\)"):
        load_plan(root=tmp_path)


@pytest.mark.parametrize("text", ["", "\n\n", "\ufeff", "  \r\n\t"])
def test_an_empty_config_named_by_option_is_an_error(tmp_path: Path, text: str) -> None:
    config = tmp_path / "telemetry.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"telemetry\.toml: the config file is empty"):
        load_plan(config=config)


def test_an_unreadable_config_is_named_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.telemetry-scaffold]\n", encoding="utf-8")
    original = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == "pyproject.toml":
            raise PermissionError(13, "Permission denied")
        return original(self)

    # Tests run as root, for whom file modes do not refuse a read.
    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(ConfigError, match="cannot read: Permission denied"):
        load_plan(config=config)


def test_a_config_with_crlf_lines_or_a_nul_byte(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_bytes(b'[tool.telemetry-scaffold]\r\napi-prefix = "/t"\r\n')
    assert load_plan(config=config).api_prefix == "/t"
    config.write_bytes(b'[tool.telemetry-scaffold]\napi-prefix = "/t\x00"\n')
    with pytest.raises(ConfigError, match=r"invalid TOML: .*line 2"):
        load_plan(config=config)


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
        # The feature folder is where the documents go: it was not checked, so they were
        # written into the generated package itself.
        (
            'specs-dir = "backend/app"\nfeature = "analytics"',
            "feature",
            "'analytics' (the folder backend/app/analytics) is inside the generated package "
            "backend/app/analytics",
        ),
        (
            'app-package = ""\nspecs-dir = "backend"\nfeature = "analytics"',
            "feature",
            "is inside the generated package backend/analytics",
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


@pytest.mark.parametrize(
    "body",
    [
        'instrument = { "main.py" = "chapter_visit" }',
        'app-package = "core.web"\ninstrument = { "main.py" = "chapter_visit" }',
        'app = "app.server:create_app"\ninstrument = { "server.py" = "chapter_visit" }',
    ],
)
def test_the_module_that_builds_the_app_may_be_instrumented(tmp_path: Path, body: str) -> None:
    # Its routes are route handlers like any other module's.
    write_config(tmp_path, body)
    plan = load_plan(root=tmp_path)
    assert len(plan.instrument) == 1


@pytest.mark.parametrize(
    ("body", "analytics_dir", "analytics_package", "main_module", "module", "module_path"),
    [
        ('app-package = ""', "backend/analytics", "analytics", "main", "routers.users", None),
        (
            'backend = "."\napp-package = ""',
            "analytics",
            "analytics",
            "main",
            "routers.users",
            "routers/users.py",
        ),
        (
            'app-package = "core.web"',
            "backend/core/web/analytics",
            "core.web.analytics",
            None,
            None,
            None,
        ),
    ],
)
def test_the_flat_layout_names_top_level_modules(
    tmp_path: Path,
    body: str,
    analytics_dir: str,
    analytics_package: str,
    main_module: str | None,
    module: str | None,
    module_path: str | None,
) -> None:
    # app-package = "" is the backend folder itself: no package prefix, nothing between.
    write_config(tmp_path, body + '\ninstrument = { "routers/users.py" = "chapter_visit" }')
    plan = load_plan(root=tmp_path)
    assert plan.analytics_dir == analytics_dir
    assert plan.analytics_package == analytics_package
    if main_module is not None:
        assert plan.main_module == main_module
        assert plan.module_import_name("routers/users.py") == module
    if module_path is not None:
        assert plan.module_path("routers/users.py") == module_path


def test_module_and_package_names_in_any_script_are_importable(tmp_path: Path) -> None:
    # Python names may be non-ASCII (PEP 3131): `from app.用户.路由 import router` imports.
    body = 'app-package = "приложение"\ninstrument = { "用户/路由.py" = "chapter_visit" }'
    write_config(tmp_path, body)
    plan = load_plan(root=tmp_path)
    assert plan.module_import_name("用户/路由.py") == "приложение.用户.路由"


@pytest.mark.parametrize(
    "key",
    [
        # Python reads a name in its NFKC form: a file spelled otherwise is never imported.
        '"api/\ufb01le.py"',
        '"api/\u540d\u524d-\u4e00\u89a7.py"',  # a hyphen: no name in any script
    ],
)
def test_names_python_would_not_import_by_their_spelling_are_refused(
    tmp_path: Path, key: str
) -> None:
    write_config(tmp_path, f'instrument = {{ {key} = "chapter_visit" }}')
    with pytest.raises(ConfigError) as caught:
        load_plan(root=tmp_path)
    assert "not an importable module path" in caught.value.message


def test_the_flat_layout_refuses_instrumenting_the_generated_package(tmp_path: Path) -> None:
    write_config(tmp_path, 'app-package = ""\ninstrument = { "analytics/x.py" = "chapter_visit" }')
    with pytest.raises(ConfigError) as caught:
        load_plan(root=tmp_path)
    assert "is in the generated package backend/analytics" in caught.value.message


def test_instrumenting_main_through_a_symlink_is_accepted(tmp_path: Path) -> None:
    api = tmp_path / "backend" / "app" / "api"
    api.mkdir(parents=True)
    (tmp_path / "backend" / "app" / "main.py").write_text("")
    (api / "entry.py").symlink_to(tmp_path / "backend" / "app" / "main.py")
    write_config(tmp_path, 'instrument = { "api/entry.py" = "chapter_visit" }')
    assert load_plan(root=tmp_path).instrument == (("api/entry.py", "chapter_visit"),)


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


# --- the app ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "app"),
    [
        ('app = "app.main:app"', "app.main:app"),
        ('app = "app.server:create_app"', "app.server:create_app"),
        ('app = "main:api"', "main:api"),
        ('app = "_x.y_2.z:_App"', "_x.y_2.z:_App"),
        # An attribute path, as uvicorn follows it by getattr (`main:service.api`).
        ('app = "app.main:service.api"', "app.main:service.api"),
    ],
)
def test_app_key_is_an_import_string(tmp_path: Path, body: str, app: str) -> None:
    write_config(tmp_path, body)
    plan = load_plan(root=tmp_path)
    assert (plan.app, plan.app_source) == (app, APP_KEY)


@pytest.mark.parametrize(
    "value",
    [
        '"app.main"',
        '"app/main.py:app"',
        '"app.main:"',
        '":app"',
        '"app.main:app:x"',
        '"app.main:app..attr"',
        '"app.main:app.class"',
        '"app.main:app."',
        '"app..main:app"',
        '"app.class:app"',
        '"app.main:def"',
        '"app-x.main:app"',
        '" app.main:app"',
        '"app.main:app\\n"',
        '"1app.main:app"',
        '"__main__:app"',  # the script being run: a server importing it finds its own
        "3",
        '["app.main:app"]',
    ],
)
def test_bad_app_is_one_line_with_an_example(tmp_path: Path, value: str) -> None:
    config = write_config(tmp_path, f"app = {value}")
    with pytest.raises(ConfigError) as caught:
        load_plan(root=tmp_path)
    message = caught.value.message
    assert message.startswith(f"{config.resolve()}: [tool.telemetry-scaffold] app: ")
    assert "'app.main:app'" in message and "\n" not in message
    if value.startswith('"') and "__main__" not in value:
        # Every form the key takes, the attribute path a server follows by getattr too.
        assert "an attribute path, 'main:service.api'" in message
    assert caught.value.exit_code == 2


def fastapi_config(root: Path, entrypoint: str, body: str = "") -> Path:
    config = root / "pyproject.toml"
    config.write_text(
        f'[project]\nname = "demo"\n\n[tool.fastapi]\nentrypoint = {entrypoint}\n\n'
        f"[tool.telemetry-scaffold]\n{body}\n"
    )
    return config


@pytest.mark.parametrize(
    ("entrypoint", "body", "app"),
    [
        # FastAPI CLI imports from the folder of pyproject.toml: the backend folder is stripped.
        ('"backend.app.main:app"', "", "app.main:app"),
        (
            '"services.api.core.server:create_app"',
            'backend = "services/api"',
            "core.server:create_app",
        ),
        # Not under the backend folder's dotted path: an installed (or src-layout) package.
        ('"app.main:app"', "", "app.main:app"),
        ('"main:app"', 'backend = "."', "main:app"),
        # A folder name that cannot be imported is never a prefix.
        ('"app.main:app"', 'backend = "my-backend"', "app.main:app"),
    ],
)
def test_fastapi_entrypoint_is_read_when_app_is_unset(
    tmp_path: Path, entrypoint: str, body: str, app: str
) -> None:
    fastapi_config(tmp_path, entrypoint, body)
    plan = load_plan(root=tmp_path)
    assert (plan.app, plan.app_source) == (app, FASTAPI_ENTRYPOINT)


def test_app_key_wins_over_the_fastapi_entrypoint(tmp_path: Path) -> None:
    fastapi_config(tmp_path, '"backend.app.main:app"', 'app = "app.server:create_app"')
    plan = load_plan(root=tmp_path)
    assert (plan.app, plan.app_source) == ("app.server:create_app", APP_KEY)


def test_no_app_setting_means_discover(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.fastapi]\n\n[tool.telemetry-scaffold]\n")
    plan = load_plan(root=tmp_path)
    assert (plan.app, plan.app_source) == (None, None)


@pytest.mark.parametrize("entrypoint", ['"backend/app/main.py"', "1", '"backend.app.main"'])
def test_bad_fastapi_entrypoint_names_that_key(tmp_path: Path, entrypoint: str) -> None:
    config = fastapi_config(tmp_path, entrypoint)
    with pytest.raises(ConfigError) as caught:
        load_plan(root=tmp_path)
    message = caught.value.message
    assert message.startswith(f"{config.resolve()}: [tool.fastapi] entrypoint: ")
    assert "'backend.app.main:app'" in message and "\n" not in message
    assert caught.value.exit_code == 2


def test_fastapi_table_must_be_a_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool]\nfastapi = "x"\n')
    with pytest.raises(ConfigError, match=r"\[tool\.fastapi\] must be a table"):
        load_plan(root=tmp_path)


# --- redact -----------------------------------------------------------------------------------


def test_redact_keys_are_read(tmp_path: Path) -> None:
    write_config(tmp_path, 'redact = ["customer_ref", "x-internal-id", "acct.no", "2fa"]')
    assert load_plan(root=tmp_path).redact == ("customer_ref", "x-internal-id", "acct.no", "2fa")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ('"token"', "expected a list of payload key names"),
        ('[""]', "expected non-empty key names"),
        ("[1]", "expected non-empty key names"),
        ('["a", "a"]', "'a' is listed twice"),
        ('["Token", "token"]', "'token' is listed twice"),
        ('["has space"]', "use ASCII letters, digits"),
        ('["quote\\""]', "use ASCII letters, digits"),
        ('["_leading"]', "use ASCII letters, digits"),
        ('["ünïcode"]', "use ASCII letters, digits"),
        ('["new\\nline"]', "use ASCII letters, digits"),
        (f'["{"k" * 65}"]', "longer than 64 characters"),
        ("[" + ", ".join(f'"k{i}"' for i in range(257)) + "]", "at most 256"),
    ],
)
def test_bad_redact_values(tmp_path: Path, value: str, fragment: str) -> None:
    config = write_config(tmp_path, f"redact = {value}")
    with pytest.raises(ConfigError) as caught:
        load_plan(root=tmp_path)
    message = caught.value.message
    assert message.startswith(f"{config.resolve()}: [tool.telemetry-scaffold] redact: ")
    assert fragment in message and "\n" not in message


# --- hostile files ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["[" * 5000 + "]" * 5000, "{a = " * 3000 + "1" + "}" * 3000])
def test_deeply_nested_toml_is_a_config_error(tmp_path: Path, value: str) -> None:
    config = write_config(tmp_path, f"x = {value}")
    with pytest.raises(ConfigError) as caught:
        load_plan(root=tmp_path)
    assert caught.value.message == (
        f"{config}: invalid TOML: values nest too deeply to read; "
        "no plan needs more than a few levels"
    )


@pytest.mark.parametrize("char", ["\n", "\r", "\t", "\x1b", "\x7f", "\x85", "\u2028", "\u202e"])
@pytest.mark.parametrize("key", ["backend", "specs-dir"])
def test_folders_with_control_characters_are_refused(tmp_path: Path, key: str, char: str) -> None:
    write_config(tmp_path, f"{key} = {json.dumps(f'a{char}b')}")
    with pytest.raises(ConfigError) as caught:
        load_plan(root=tmp_path)
    message = caught.value.message
    assert f"] {key}: " in message
    assert f"(U+{ord(char):04X}); rename the folder" in message
    assert char not in message


@pytest.mark.parametrize("name", ["tele\nmetry.toml", "tele\x1bmetry.toml", "a\u2029b.toml"])
def test_config_file_names_with_control_characters_are_refused(tmp_path: Path, name: str) -> None:
    config = tmp_path / name
    config.write_text('[tool.telemetry-scaffold]\nfeature = "200-x"\n')
    with pytest.raises(ConfigError) as caught:
        load_plan(config=config)
    message = caught.value.message
    assert "the config file's name contains a control character" in message
    assert "\n" not in message and "\x1b" not in message and "\u2029" not in message


@pytest.mark.parametrize("name", ["back`tick", "with space", "$(touch x)", "it's", "ünï"])
def test_printable_odd_folder_names_are_accepted(tmp_path: Path, name: str) -> None:
    # They are escaped where they land in the documents (see test_docs.py).
    write_config(tmp_path, f"backend = {json.dumps(name)}")
    assert load_plan(root=tmp_path).backend == name


# --- one description of the keys --------------------------------------------------------------


def test_every_plan_field_has_exactly_one_key() -> None:
    settable = set(Plan._fields) - {
        "root",
        "config_file",
        "app_source",
        "capture",
        "capture_from",
        "instrument_default",
    }
    assert sorted(key.field for key in KEYS) == sorted(settable)
    assert len({key.name for key in KEYS}) == len(KEYS)


def test_defaults_come_from_the_keys(tmp_path: Path) -> None:
    plan = Plan.default(tmp_path)
    for key in KEYS:
        assert getattr(plan, key.field) == key.default, key.name


def test_every_key_has_a_documented_default_and_meaning() -> None:
    for key in KEYS:
        assert key.meaning and "\n" not in key.meaning and "|" not in key.meaning
        text = key.default_text()
        assert text and "|" not in text
        if key.default_doc is None:
            # The documented default reads back as the default.
            assert tomllib.loads(f"x = {text}")["x"] == key.toml_default


def test_readme_configuration_table_is_the_one_rendered_from_the_keys() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = configuration_table()
    assert table in readme, (
        "README.md's configuration table differs from the plan's keys; replace it with:\n" + table
    )


# --- lengths --------------------------------------------------------------------------------


# Every plan string is bounded (api-prefix 255 characters, event types and redact keys 64, the
# others 1024), and an error quotes only the start of a bad value, cut with "...".
@pytest.mark.parametrize(
    ("body", "key", "fragment"),
    [
        (f'api-prefix = "/{"a" * 100_000}"', "api-prefix", "longer than 255 characters (100001)"),
        (f'event-types = ["{"e" * 5000}"]', "event-types", "longer than 64 characters (5000)"),
        (f'backend = "{"b/" * 600}b"', "backend", "longer than 1024 characters (1201)"),
        (f'app = "{"m." * 600}main:app"', "app", "longer than 1024 characters (1208)"),
        (
            f'instrument = {{ "{"api/" * 300}x.py" = "chapter_visit" }}',
            "instrument",
            "longer than 1024 characters (1204)",
        ),
        (f'redact = ["{"k" * 5000}"]', "redact", "longer than 64 characters (5000)"),
    ],
)
def test_a_too_long_plan_string_is_a_short_error(
    tmp_path: Path, body: str, key: str, fragment: str
) -> None:
    config = write_config(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_plan(root=tmp_path)
    message = caught.value.message
    assert message.startswith(f"{config.resolve()}: [tool.telemetry-scaffold] {key}: ")
    assert fragment in message and "...'" in message
    assert len(message) < 300 + len(str(config.resolve()))


@pytest.mark.parametrize(
    "body",
    [
        f'event-types = ["{"E" * 5000}"]',
        f'feature = "{"x/" * 400}"',
        f'events = {{ "{"Bad" * 2000}" = {{}} }}',
        f'instrument = {{ "api/x.py" = "{"n" * 900}" }}',
        f'instrument = {{ "api/x.py" = {{ event = "chapter_visit", capture = ["{"p" * 900}"] }} }}',
        f'redact = ["{"bad key " * 5}"]',
        f'[tool.fastapi]\nentrypoint = "{"x" * 3000}"',
    ],
)
def test_an_error_quotes_only_the_start_of_a_bad_value(tmp_path: Path, body: str) -> None:
    write_config(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_plan(root=tmp_path)
    message = caught.value.message
    assert "\n" not in message
    assert len(message) < 400 + len(str(tmp_path.resolve())), message


def test_a_plan_string_at_its_limit_is_accepted(tmp_path: Path) -> None:
    prefix = "/" + "a" * 254
    write_config(tmp_path, f'api-prefix = "{prefix}"')
    assert load_plan(root=tmp_path).api_prefix == prefix


def test_a_config_error_names_the_file_as_reached_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Like ruff: a file under the current folder is named relative to it, one elsewhere in full,
    # however the run found it (searching upwards, --root, --config with an absolute path).
    project = tmp_path / "project"
    project.mkdir()
    write_config(project, "backend = 3")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path)
    runs = (
        lambda: load_plan(cwd=project),
        lambda: load_plan(root=project),
        lambda: load_plan(root=Path("project")),
        lambda: load_plan(config=project / "pyproject.toml"),
    )
    for run in runs:
        with pytest.raises(ConfigError, match=r"^project/pyproject\.toml: \[tool"):
            run()
    monkeypatch.chdir(tmp_path / "elsewhere")
    absolute = re.escape(str(project / "pyproject.toml"))
    with pytest.raises(ConfigError, match=rf"^{absolute}: "):
        load_plan(root=tmp_path / "project")
    with pytest.raises(ConfigError, match=r"^missing: --root is not a folder"):
        load_plan(root=tmp_path / "elsewhere" / "missing")


@pytest.mark.parametrize("locked", ["file", "folder"])
def test_a_config_that_cannot_be_read_may_hold_a_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, locked: str
) -> None:
    # holds_plan guards a root against a second plan taking the first one's leftovers over: a
    # config that cannot be read, whether the file itself or the folder it is in is locked,
    # may still hold the other plan, and counts as holding one (the safe side) either way.
    (tmp_path / "other").mkdir()
    config = write_config(tmp_path / "other", "")
    assert holds_plan(config)
    real_stat, real_read = Path.stat, Path.read_bytes

    def stat(self: Path, *args: object, **kwargs: object) -> os.stat_result:
        # As root, chmod locks nothing; so what a locked folder does is simulated.
        if locked == "folder" and self.parent.name == "other":
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)  # type: ignore[arg-type]

    def read_bytes(self: Path) -> bytes:
        if self.parent.name == "other":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "stat", stat)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert holds_plan(config)
    # What names no file at all holds no plan: a missing file, a name too long, a NUL byte.
    assert not holds_plan(tmp_path / "missing.toml")
    assert not holds_plan(tmp_path / ("x" * 300 + ".toml"))
    assert not holds_plan(tmp_path / "a\x00b.toml")
    assert not holds_plan(tmp_path / "other")


@pytest.mark.parametrize("args", [("generate", "--check"), ("generate",), ("remove",)])
def test_a_run_reads_the_plan_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    # The root to lock is found without reading the plan, which is read under the lock only
    # (it was parsed and validated twice a run before 0.29.0, #12).
    root = make_project(tmp_path / "project")
    assert run_cli("generate", "--root", str(root)).exit_code == 0
    read: list[Path] = []
    read_table = plan_module._read_tool_table

    def counted(path: Path, *, named: bool) -> Mapping[str, object]:
        read.append(path)
        return read_table(path, named=named)

    monkeypatch.setattr(plan_module, "_read_tool_table", counted)
    assert run_cli(*args, "--root", str(root)).exit_code == 0
    assert read == [root / "pyproject.toml"]
