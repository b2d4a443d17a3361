"""Render the generated files from the Jinja templates and the plan.

Rendering reads templates and, of the target project, only the files that say how its backend
is installed (:mod:`telemetry_cli.install_steps`), so the same project gives the same bytes on
any machine. Each output gets a do-not-edit header in its own comment syntax.
"""

import codecs
import posixpath
from collections.abc import Callable
from enum import StrEnum
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from telemetry_cli.app_entry import AppEntry
from telemetry_cli.catalog import Catalog
from telemetry_cli.install_steps import TextReader, install_steps, pytest_config, read_text
from telemetry_cli.layer_requires import LAYER_CONTRACT_REQUIRES, LAYER_PYTHON, LAYER_REQUIRES
from telemetry_cli.manifest import DIGEST_MARK, GENERATED_HEADER, UNSEALED_DIGEST, seal_content
from telemetry_cli.plan import Plan, config_name
from telemetry_cli.templating import code_fence, compiled_loader, environment, is_installed_build

if TYPE_CHECKING:
    import jinja2

TEMPLATE_SUFFIX = ".jinja"
FEATURE_TITLE = "Analytics & Telemetry Scaffolding Layer"
# The date of the user's original request; documents carry it instead of "today" so that
# rendering stays deterministic.
CREATED = "2025-01-27"

LIMITS = {
    "max_body_bytes": 32 * 1024,
    "max_payload_bytes": 32 * 1024,
    "max_payload_keys": 128,
    "max_payload_depth": 5,
    # The log endpoint's bound on reading a whole body; the server sets none of its own.
    "body_read_seconds": 30,
}
# Words naming payload keys whose values are redacted; the generated event logger's
# is_sensitive_key() states how keys are matched against them (parts, prefixes, plurals).
# National identification numbers are named by their countries' abbreviations (bsn, cpf, dni,
# nino, sin, tfn, ...) as often as in words, so both are here. Words of other languages come
# last, grouped by language (the README lists them so).
SENSITIVE_KEYS = (
    "2fa_code",
    "aadhaar",
    "access_key",
    "account_key",
    "account_no",
    "account_number",
    "advertising_id",
    "amka",
    "api_key",
    "auth",
    "authenticator_code",
    "authorisation",
    "authorization",
    "backup_code",
    "bank_account",
    "bearer",
    "birth_date",
    "birthday",
    "bsn",
    "card_no",
    "card_num",
    "card_number",
    "cc_number",
    "cedula",
    "citizen_id",
    "client_addr",
    "client_address",
    "client_host",
    "client_hostname",
    "client_assertion",
    "code_verifier",
    "codice_fiscale",
    "connection_string",
    "cookie",
    "cpf",
    "cpr",
    "cred",
    "credential",
    "credit_card",
    "csrf",
    "cuil",
    "cuit",
    "curp",
    "cvc",
    "cvv",
    "database_url",
    "date_of_birth",
    "dni",
    "dob",
    "driver_licence",
    "driver_license",
    "drivers_licence",
    "drivers_license",
    "driving_licence",
    "driving_license",
    "dsn",
    "egn",
    "email",
    "encryption_key",
    "fodselsnummer",
    "fødselsnummer",
    "forwarded_for",
    "hetu",
    "hkid",
    "hmac",
    "iban",
    "id_card",
    "identification_number",
    "identity_card",
    "identity_number",
    "idfa",
    "imei",
    "ip",
    "ip_address",
    "ipv4",
    "ipv6",
    "itin",
    "jmbg",
    "jwt",
    "license_key",
    "login_code",
    "mac_address",
    "magic_link",
    "maiden_name",
    "master_key",
    "mfa_code",
    "mnemonic",
    "mobile_number",
    "msisdn",
    "national_id",
    "national_insurance",
    "nie",
    "nif",
    "nino",
    "nir",
    "nric",
    "oauth_verifier",
    "oib",
    "one_time_code",
    "otp",
    "pan_number",
    "passcode",
    "passphrase",
    "passport",
    "passwd",
    "password",
    "peer_addr",
    "peer_address",
    "peer_host",
    "peername",
    "personal_number",
    "personnummer",
    "pesel",
    "phone",
    "pin",
    "ppsn",
    "priv_key",
    "private_key",
    "psk",
    "pswd",
    "pw",
    "pwd",
    "recovery_code",
    "recovery_phrase",
    "remote_addr",
    "remote_address",
    "remote_host",
    "remote_hostname",
    "resident_registration_number",
    "routing_number",
    "rrn",
    "rut",
    "saml_response",
    "scratch_code",
    "secret",
    "securite_sociale",
    "security_answer",
    "security_code",
    "seed_phrase",
    "sessid",
    "session",
    "sid",
    "sig",
    "signature",
    "signing_key",
    "sin",
    "sms_code",
    "social_insurance",
    "social_security",
    "sort_code",
    "sozialversicherungsnummer",
    "ssn",
    "steuer_id",
    "steueridentifikationsnummer",
    "subscription_key",
    "tax_file_number",
    "tax_id",
    "tax_number",
    "taxpayer_id",
    "tfa_code",
    "tfn",
    "tin",
    "token",
    "totp",
    "two_factor_code",
    "verification_code",
    "voter_id",
    "xsrf",
    # The words for password, secret and token in the main European languages, Russian, Chinese
    # and Japanese (where they are not the English word): German, French, Spanish, Italian,
    # Portuguese, Dutch, Polish, then Russian, Chinese (simplified and traditional), Japanese;
    # then the words for password of other languages: Swedish, Norwegian, Danish, Finnish,
    # Czech and Slovak, Hungarian, Croatian and Serbian, Turkish, Indonesian and Malay,
    # Vietnamese, Korean, Arabic.
    "passwort",
    "kennwort",
    "geheimnis",
    "mot_de_passe",
    "jeton",
    "contraseña",
    "secreto",
    "segreto",
    "senha",
    "segredo",
    "wachtwoord",
    "geheim",
    "hasło",
    "пароль",
    "секрет",
    "токен",
    "密码",
    "密碼",
    "密钥",
    "令牌",
    "パスワード",
    "秘密",
    "トークン",
    "lösenord",
    "passord",
    "adgangskode",
    "salasana",
    "heslo",
    "jelszó",
    "lozinka",
    "şifre",
    "kata_sandi",
    "mật_khẩu",
    "비밀번호",
    "كلمة_المرور",
    # More languages' words for password: Catalan, Danish, Estonian, Slovenian, Lithuanian,
    # Icelandic, Albanian, Serbian and Macedonian (Cyrillic), Bulgarian, Greek, Hebrew,
    # Persian, Hindi, Thai; and the words for phone and email of the main European languages.
    "contrasenya",
    "kodeord",
    "parool",
    "geslo",
    "slaptažodis",
    "lykilorð",
    "fjalëkalim",
    "лозинка",
    "парола",
    "κωδικός_πρόσβασης",
    "סיסמה",
    "رمز_عبور",
    "पासवर्ड",
    "รหัสผ่าน",
    "telefon",
    "telefono",
    "telefone",
    "correo",
    "correo_electronico",
    "courriel",
    # The words for secret, token, API key and access key that Chinese, Japanese and Korean
    # write as one word, and other spellings of password: Chinese 口令, Japanese 暗証番号 (a
    # PIN), Romanian, Italian and Turkish parola, Hebrew סיסמא.
    "口令",
    "シークレット",
    "api_キー",
    "アクセスキー",
    "暗証番号",
    "비밀",
    "시크릿",
    "토큰",
    "api_키",
    "액세스_키",
    "parola",
    "סיסמא",
)


class RenderedFile(NamedTuple):
    """One generated file: its POSIX path relative to the project root, and its text.

    ``content`` is None for a file that was known not to need rendering.
    """

    path: str
    content: str | None
    template: str


class Place(StrEnum):
    """The folder an output is written to, named by the plan."""

    PACKAGE = "package"  # the generated analytics package, e.g. backend/app/analytics
    FEATURE = "feature"  # the spec-kit feature folder, e.g. specs/059-analytics-telemetry


def _always(plan: Plan) -> bool:  # noqa: ARG001 - the signature of every condition
    return True


def _with_capture_errors(plan: Plan) -> bool:
    return plan.capture_errors


def _with_declared_events(plan: Plan) -> bool:
    return bool(plan.events)


def _with_opentelemetry_sink(plan: Plan) -> bool:
    return plan.sink == "opentelemetry"


class Output(NamedTuple):
    """One generated file: the template it is rendered from, where it goes, and when it exists.

    Attributes:
        template: its template under ``templates/``, e.g. ``analytics/event_logger.py.jinja``.
        place: the folder it is written to.
        name: its path inside that folder, e.g. ``contracts/telemetry-api.yaml``.
        role: one line saying what it holds (``{api_prefix}`` is filled in), for the documents.
        exists: the condition under which the plan has it.
        condition: that condition in words, for the documentation; empty when always.
    """

    template: str
    place: Place
    name: str
    role: str
    exists: Callable[[Plan], bool] = _always
    condition: str = ""

    def folder(self, plan: Plan) -> str:
        """The folder of its place under ``plan``: the layer's package or the feature folder."""
        return plan.analytics_dir if self.place is Place.PACKAGE else plan.feature_dir

    def path(self, plan: Plan) -> str:
        """Its POSIX path relative to the project root under ``plan``."""
        return (PurePosixPath(self.folder(plan)) / self.name).as_posix()

    def describe(self, plan: Plan) -> str:
        """Its role, with the plan's values filled in."""
        return self.role.format(api_prefix=plan.api_prefix)


# Every file the tool generates, in the order the documents list them. Templates not listed here
# are partials; a test keeps this list and the templates folder in step.
OUTPUTS: tuple[Output, ...] = (
    Output(
        "analytics/__init__.py.jinja",
        Place.PACKAGE,
        "__init__.py",
        "the package docstring mapping its modules; re-exports nothing",
    ),
    Output(
        "analytics/analytics_models.py.jinja",
        Place.PACKAGE,
        "analytics_models.py",
        "AnalyticsEvent, EventType, the limits and the telemetry API bodies",
    ),
    Output(
        "analytics/error_capture.py.jinja",
        Place.PACKAGE,
        "error_capture.py",
        "install_error_capture(app), which records unhandled exceptions",
        _with_capture_errors,
        "with capture-errors",
    ),
    Output(
        "analytics/event_logger.py.jinja",
        Place.PACKAGE,
        "event_logger.py",
        "EventLogger, the shared event_logger, ALLOWED_EVENT_TYPES and the sink interface",
    ),
    Output(
        "analytics/opentelemetry_sink.py.jinja",
        Place.PACKAGE,
        "opentelemetry_sink.py",
        "OpenTelemetrySink, the default sink: each event as an OpenTelemetry log record",
        _with_opentelemetry_sink,
        'with sink = "opentelemetry"',
    ),
    Output(
        "analytics/redaction.py.jinja",
        Place.PACKAGE,
        "redaction.py",
        "is_sensitive_key, holds_secret and the other rules choosing which payload values are "
        "redacted",
    ),
    Output(
        "analytics/telemetry_router.py.jinja",
        Place.PACKAGE,
        "telemetry_router.py",
        "router, with POST {api_prefix}/log and GET {api_prefix}/health",
    ),
    Output("specs/spec.md.jinja", Place.FEATURE, "spec.md", "Feature specification"),
    Output("specs/plan.md.jinja", Place.FEATURE, "plan.md", "Implementation plan"),
    Output(
        "specs/research.md.jinja",
        Place.FEATURE,
        "research.md",
        "Phase 0 output: decisions and alternatives",
    ),
    Output(
        "specs/data-model.md.jinja",
        Place.FEATURE,
        "data-model.md",
        "Phase 1 output: entities and validation rules",
    ),
    Output(
        "specs/quickstart.md.jinja",
        Place.FEATURE,
        "quickstart.md",
        "Phase 1 output: commands to try the feature",
    ),
    Output(
        "specs/contracts/telemetry-api.yaml.jinja",
        Place.FEATURE,
        "contracts/telemetry-api.yaml",
        "Phase 1 output: OpenAPI 3.1 contract",
    ),
    Output(
        "specs/contracts/events.schema.json.jinja",
        Place.FEATURE,
        "contracts/events.schema.json",
        "Phase 1 output: the declared events as one JSON Schema (draft 2020-12) document",
        _with_declared_events,
        "with declared events",
    ),
    Output(
        "specs/checklists/requirements.md.jinja",
        Place.FEATURE,
        "checklists/requirements.md",
        "Specification quality checklist",
    ),
    Output("specs/tasks.md.jinja", Place.FEATURE, "tasks.md", "Phase 2 output: task list"),
)


def outputs_for(plan: Plan) -> list[Output]:
    """The outputs ``plan`` has, in registry order."""
    return [output for output in OUTPUTS if output.exists(plan)]


def template_dir() -> Path:
    """Return the folder holding the templates.

    In a wheel they sit inside the package; in a source checkout (or an editable install)
    they are the repository's top-level ``templates/``.
    """
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "templates"


@cache
def _environment() -> "jinja2.Environment":
    """The environment, built once: on the wheel's compiled templates when it has them."""
    import jinja2  # only when something is rendered (see telemetry_cli.templating)

    loader = compiled_loader(Path(__file__).parent) or jinja2.FileSystemLoader(template_dir())
    return environment(loader)


def template_context(
    plan: Plan,
    entry: AppEntry | None = None,
    failed: frozenset[str] = frozenset(),
    read: TextReader = read_text,
) -> dict[str, object]:
    """Return the variables every template sees.

    ``entry`` is where the app is built (found by :mod:`telemetry_cli.patching`); without it the
    documents name the plan's default ``main.py``. ``failed`` holds the user files this run could
    not patch: the documents do not claim their work as done. ``read`` reads the project files
    the quickstart's install steps come from (a run's ``FileTexts``, to read each once).
    """
    if entry is None:
        entry = AppEntry(path=plan.main_path, module=plan.main_module)
    declared = {event.name for event in plan.events}
    config_file = config_name(plan.root, plan.config_file)
    context: dict[str, object] = {
        "event_types": list(plan.event_types),
        "api_prefix": plan.api_prefix,
        "app_package": plan.app_package,
        "analytics_package": plan.analytics_package,
        # The layer as the app's code imports it: the patches' spelling (see AppEntry).
        "layer_import": entry.layer_import or plan.analytics_package,
        "logger_name": plan.analytics_package,
        "backend_dir": plan.backend,
        # What the app's imports need on the import path besides the backend folder, relative to
        # it (the quickstart's commands run there): `..` for the root.
        "python_path": ":".join(
            posixpath.relpath(folder, plan.backend) for folder in entry.import_folders
        ),
        # What the layer runs on: Python, FastAPI and pydantic versions (the documents say so).
        "layer_python": ".".join(map(str, LAYER_PYTHON)),
        "layer_requires": LAYER_REQUIRES,
        # The versions whose served OpenAPI document equals the contract (a higher floor).
        "layer_contract_requires": LAYER_CONTRACT_REQUIRES,
        # The quickstart's install commands, from the project's own packaging files.
        "install": install_steps(plan.root, plan.backend, read, plan.app_dir, entry.path)._asdict(),
        # Where the project configures pytest (None: no test runner the documents can name).
        "pytest_config": pytest_config(plan.root, plan.backend),
        "app_dir": plan.app_dir,
        "analytics_dir": plan.analytics_dir,
        "main_path": entry.path,
        "main_module": entry.module,
        "app_import": entry.import_string,
        "app_attribute": entry.attribute,
        # What the documents' scripts import for it: `service` of `service.api`.
        "app_imported": entry.attribute.partition(".")[0],
        "app_factory": entry.factory,
        "specs_dir": plan.specs_dir,
        "feature": plan.feature,
        "feature_dir": plan.feature_dir,
        "feature_title": FEATURE_TITLE,
        "created": CREATED,
        "instrument": [
            {
                "module": module,
                "path": plan.module_path(module),
                "import_name": plan.module_import_name(module),
                "event_type": event_type,
                "done": plan.module_path(module) not in failed,
                # A declared event records the properties the plan captures, not path parameters.
                "declared": event_type in declared,
                "capture": list(plan.captured(module)),
            }
            for module, event_type in plan.instrument
        ],
        "wired": entry.path not in failed,
        "capture_errors": plan.capture_errors,
        "sink": plan.sink,
        # The class the event logger sends events to unless the application installs another.
        "default_sink": "OpenTelemetrySink" if plan.sink == "opentelemetry" else "LoggingSink",
        "limits": dict(LIMITS),
        "catalog": Catalog(plan, LIMITS["max_payload_keys"]),
        "sensitive_keys": sensitive_keys(plan),
        "config_file": config_file,
        "generated_modules": [
            {
                "name": output.name,
                "module": output.name.removesuffix(".py"),
                "role": output.describe(plan),
            }
            for output in sorted(outputs_for(plan), key=lambda output: output.name)
            if output.place is Place.PACKAGE
        ],
        "feature_documents": [
            {"name": output.name, "role": output.describe(plan)}
            for output in outputs_for(plan)
            if output.place is Place.FEATURE
        ],
        # Paths start lines of the documents' code blocks: no backtick run in them may close one.
        "path_fence": code_fence(
            config_file, plan.analytics_dir, plan.feature_dir, entry.path, plan.app_dir
        ),
        "feature_tree": _tree(
            [(o.name, o.describe(plan)) for o in outputs_for(plan) if o.place is Place.FEATURE]
        ),
    }
    if entry.mounted_at:
        # The served app mounts the one the layer is wired into: requests go under the mount.
        context["app_mounted_at"] = entry.mounted_at
    if entry.routes_on is not None:
        # Only when set: the plans of every other app keep their fingerprint.
        context["app_routes_module"], _, context["app_routes_on"] = entry.routes_on.partition(":")
        if entry.routes_factory:
            context["app_routes_factory"] = True
    if entry.factory and entry.needs:
        # `uvicorn --factory` calls the factory with no arguments: a module variable holding
        # its result (or a function without arguments returning it) is run instead, else the
        # documents say the backend runs the project's way.
        needs = ", ".join(f"`{name}`" for name in entry.needs)
        context["app_needs"] = f"`{entry.attribute}` takes arguments ({needs})"
        if entry.served_as is not None:
            module, _, attribute = entry.served_as.partition(":")
            context["app_import"] = entry.served_as
            context["app_factory"] = entry.served_factory
            context["app_served"] = {"module": module, "attribute": attribute}
    # The app is built and served by a function, or by the module run as a script: the backend
    # runs by calling the one, or running the other as `__main__`.
    if entry.runs in ("def", "async def") and entry.needs:
        # `def run(host, port)`: only the project's own start-up passes what it needs.
        needs = ", ".join(f"`{name}`" for name in entry.needs)
        context["app_needs"] = f"`{entry.attribute}` takes arguments ({needs})"
        context["app_needs_caller"] = f"a bare `{entry.attribute}()`"
    elif entry.runs in ("def", "async def"):
        call = f"{entry.attribute}()"
        imported = f"from {entry.module} import {entry.attribute}"
        context["app_run"] = (
            f"import asyncio; {imported}; asyncio.run({call})"
            if entry.runs == "async def"
            else f"{imported}; {call}"
        )
        context["app_runner"] = f"`{call}`"
    elif entry.runs is not None:
        context["app_run"] = (
            f'import runpy; runpy.run_module("{entry.module}", run_name="__main__")'
        )
        context["app_runner"] = f"`{entry.path}`, run as a script,"
    return context


def sensitive_keys(plan: Plan) -> list[str]:
    """The built-in sensitive keys, then the plan's ``redact`` keys that are not among them."""
    # Redaction ignores letter case, so a key differing only in case from another adds nothing.
    seen = {key.casefold() for key in SENSITIVE_KEYS}
    extra = sorted(
        {key.casefold(): key for key in plan.redact if key.casefold() not in seen}.values(),
        key=lambda key: (key.casefold(), key),
    )
    return [*SENSITIVE_KEYS, *extra]


def _tree(entries: list[tuple[str, str]]) -> list[dict[str, str]]:
    """Lines of a ``tree``-style listing of relative paths, each with its role (folders: '')."""
    children: dict[str, list[tuple[str, str]]] = {}
    order: list[tuple[str, str]] = []  # (name, role) or (folder/, "") in first-seen order
    for path, role in entries:
        head, _, rest = path.partition("/")
        if rest:
            if head not in children:
                children[head] = []
                order.append((head + "/", ""))
            children[head].append((rest, role))
        else:
            order.append((path, role))
    lines: list[dict[str, str]] = []
    for index, (name, role) in enumerate(order):
        last = index == len(order) - 1
        lines.append({"text": ("└── " if last else "├── ") + name, "role": role})
        if name.endswith("/"):
            for line in _tree(children[name[:-1]]):
                indent = "    " if last else "│   "
                lines.append({"text": indent + line["text"], "role": line["role"]})
    return lines


def with_header(path: str, body: str) -> str:
    """Prepend the do-not-edit header in the comment syntax of ``path``, digest unsealed.

    The digest's zeros are filled in by :func:`~telemetry_cli.manifest.seal_content` once the
    whole file is known.
    """
    suffix = PurePosixPath(path).suffix
    if suffix == ".json":
        return body  # JSON has no comments: the document says it in its "$comment"
    digest = DIGEST_MARK + UNSEALED_DIGEST
    if suffix == ".md":
        header = "<!-- " + " ".join(GENERATED_HEADER) + f" {digest} -->\n\n"
    else:
        header = "".join(f"# {line}\n" for line in (*GENERATED_HEADER, digest))
        if suffix == ".py":
            header += "".join(f"# {line}\n" for line in GENERATED_PRAGMAS)
    return header + body


#: What a generated module says to the linters and formatters a project runs over its whole
#: tree: leave it alone. Its code is the tool's, checked by the tool's own settings; the
#: project's (a line length of 79, single quotes, a rule set of its choosing) would report or
#: rewrite it, and a file rewritten is an edited one that ``generate --check`` refuses.
#: ``flake8: noqa`` is ruff's file exemption too, but ruff (from 0.11) reports a blanket one
#: under ``PGH004``, and 0.16's preview any ``ruff: noqa`` under ``RUF105``: only a ``ruff: noqa``
#: naming both codes silences them in every version (``file-ignore`` is 0.16's, and unused
#: there unless in preview). Ruff 0.4 to 0.15 warn that ``RUF105`` is unknown, and pass.
#: ``fmt: off`` holds for ruff format and black.
#: A type checker still checks the layer's types (mypy --strict passes as it is); pyright in its
#: strict mode would also ask for its own inference of every third-party value, so it checks the
#: layer at its basic level.
GENERATED_PRAGMAS = (
    "flake8: noqa",
    "ruff: noqa: PGH004, RUF105",
    "isort: skip_file",
    "pylint: skip-file",
    "fmt: off",
    "pyright: basic",
)


def carries_header(path: str, data: bytes) -> bool:
    """Whether ``data`` starts with the do-not-edit header of ``path``'s kind (JSON has none)."""
    if PurePosixPath(path).suffix == ".json":
        return False
    if PurePosixPath(path).suffix == ".md":
        start = "<!-- " + " ".join(GENERATED_HEADER)
    else:
        start = "".join(f"# {line}\n" for line in GENERATED_HEADER)
    expected = start.encode()
    # Line endings converted since (git's autocrlf, an editor), or a BOM an editor put first,
    # leave the header the tool's: read without them, such a file was taken for one of the
    # user's, which --force never removes.
    head = data.removeprefix(codecs.BOM_UTF8)[: 2 * len(expected)]
    return head.replace(b"\r\n", b"\n").startswith(expected)


def says_generated(path: str, data: bytes) -> bool:
    """Whether ``data`` says it was written by the tool.

    By its header, or for a JSON document by its ``"$comment"``, near its start, which holds
    the header's words.
    """
    if PurePosixPath(path).suffix == ".json":
        return f'"$comment": "{" ".join(GENERATED_HEADER)}'.encode() in data[:512]
    return carries_header(path, data)


def is_generated_file(path: Path) -> bool:
    """Whether ``path`` is a Python file the tool wrote (its manifest may have been lost)."""
    if path.suffix != ".py" or not path.is_file():
        return False
    try:
        with path.open("rb") as file:
            return carries_header(path.name, file.read(1024))  # the header's lines only
    except OSError:
        return False


def render_outputs(
    plan: Plan,
    entry: AppEntry | None = None,
    failed: frozenset[str] = frozenset(),
    known: Callable[[str], bool] | None = None,
) -> list[RenderedFile]:
    """Render every output ``plan`` has (the app built where ``entry`` says), by path.

    ``failed`` are the user files that could not be patched (see :func:`template_context`).
    An output for which ``known(path)`` is true is not rendered: it comes back with ``content``
    None (the caller knows its bytes already; see ``sync.compute``).
    """
    return render_context(plan, template_context(plan, entry, failed), known)


def render_context(
    plan: Plan,
    context: dict[str, object],
    known: Callable[[str], bool] | None = None,
) -> list[RenderedFile]:
    """:func:`render_outputs` with the variables a caller has already (see ``sync.compute``)."""
    outputs: list[RenderedFile] = []
    for output in outputs_for(plan):
        path = output.path(plan)
        if known is not None and known(path):
            outputs.append(RenderedFile(path=path, content=None, template=output.template))
            continue
        outputs.append(_render(output, plan, context))
    outputs.sort(key=lambda f: f.path)
    return outputs


def _render(output: Output, plan: Plan, context: dict[str, object]) -> RenderedFile:
    path = output.path(plan)
    body = _environment().get_template(output.template).render(context)
    content = seal_content(with_header(path, body))
    return RenderedFile(path=path, content=content, template=output.template)


def renders_by_version() -> bool:
    """Whether the templates in use are the ones built into this version's wheel.

    Then the same version, plan and context render the same bytes (the wheel's source templates
    are rendered when its compiled ones suit another Jinja), and a file the manifest says this
    version wrote from this context need not be rendered again to be checked. From a checkout
    (templates and code changing without a new version) it is never assumed.
    """
    return is_installed_build(Path(__file__).parent)
