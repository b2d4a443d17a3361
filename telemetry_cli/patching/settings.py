"""A settings object's attribute read as the default its class declares (``settings.API_V1_STR``).

Backends keep their API prefix in a settings object: ``class Settings(BaseSettings): API_V1_STR:
str = "/api/v1"``, ``settings = Settings()``, then ``app.include_router(api_router,
prefix=settings.API_V1_STR)``. The value is the class's default unless the object is built with
another (read from the call, when it passes one) or, for pydantic's ``BaseSettings``, unless the
environment sets it: each default read is remembered, so that the tool can say it assumed it.

Followed: a variable (module-level, or in the function reading it), or a call read in place
(``get_settings().API_V1_STR``), built by a class of the
package (``Settings()``) or by a function returning one (``get_settings()``, also cached, or
the class itself, ``return Settings``, read as an instance built without arguments; or
building a class picked at run time under a return annotation naming one, see ``_annotated``;
or one of several classes: a getter's returns, a literal mapping looked up by an environment
variable, ``{"dev": DevSettings, ...}[os.getenv("STAGE", "dev")]()``, read when they agree, else
as the default key's class, said so); the
class's own or inherited (from the package) class attribute, also ``Field(default=...)``, and
through a model a field holds (``settings.api.prefix``, ``api: ApiConfig = ApiConfig()``), a
property returning one expression of the fields (``return f"/api/{self.API_VERSION}"``); in a
factory, ``settings = settings or get_settings()`` when no call passes ``settings``. Not
followed (None): a class with its own ``__init__`` (unless it takes no arguments and sets the
attribute once, unconditionally: that value), a validator naming the attribute, a call passing
``**options``. A module constant read from the environment with a default
(``API_PREFIX = os.getenv("API_PREFIX", "/api")``, or through environs, python-decouple or
starlette's ``Config``) is read as that default the same way; a dynaconf object's value as its
settings files set it (:mod:`.settings_files`).
"""

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple, TypeGuard

from telemetry_cli.console import quoted
from telemetry_cli.patching.settings_files import dynaconf_value
from telemetry_cli.patching.symbols import (
    Binding,
    FunctionNode,
    PackageIndex,
    Scope,
    bound_once,
    builtin_getattr,
    call_argument,
    call_bound_once,
    returned_only,
    single_assignment,
)

# pydantic's settings classes (v2's pydantic-settings, v1's pydantic): fields read the environment.
_ENVIRONMENT_CLASS = "BaseSettings"
# The standard library's reads of an environment variable: `os.getenv("API_PREFIX", "/api")`.
_OS_READS = frozenset({"os.getenv", "os.environ.get"})
# Reads of an environment variable with a default: those, and the same through the
# configuration libraries' functions, by the position of their default (None: keyword only);
# `default=` is their keyword everywhere.
_ENVIRONMENT_READS: dict[str, int | None] = {
    **dict.fromkeys(_OS_READS, 1),
    "decouple.config": 1,  # python-decouple
    "environs.env": 1,  # environs' own instance (`from environs import env`)
    "environs.env.str": 1,
}
# ... and through an instance of their classes (`env = Env()`, then `env.str("NAME", "/api")` or
# `env("NAME", default="/api")`; `config = Config(".env")`, then `config("NAME", default=...)`):
# the methods that read a string, the call itself being "".
_ENVIRONMENT_READERS: dict[str, tuple[int | None, frozenset[str]]] = {
    "environs.Env": (1, frozenset({"", "str"})),
    "decouple.AutoConfig": (1, frozenset({""})),
    "decouple.Config": (1, frozenset({""})),
    "starlette.config.Config": (None, frozenset({""})),  # (key, cast, default)
}
_MAX_DEPTH = 8


class SettingsDefault(NamedTuple):
    """One attribute read as its class's default."""

    expression: str  # as written: settings.API_V1_STR
    value: str
    path: str  # where the default is declared
    line: int
    from_environment: bool  # an environment variable may set it instead (BaseSettings)
    variable: str = ""  # that variable, when not the attribute's name
    # How its class is picked among others declaring other defaults (see ``Built.picked``).
    picked: str = ""
    kind: str = "default"  # "value": set in a settings file, not a default in code

    def describe(self, what: str = "the prefix") -> str:
        """One line saying what was assumed and where it comes from (``what`` it would change)."""
        text = (
            f"`{self.expression}` read as {quoted(self.value)}, "
            f"its {self.kind} in {self.path}:{self.line}"
        )
        if self.from_environment:
            name = self.variable or self.expression.rpartition(".")[2]
            text += f" (an environment variable {name} set at run time would change {what})"
        if self.picked:
            text += f" (in {self.picked}; another class picked would change {what})"
        return text


@dataclass
class SettingsDefaults:
    """A ``string_value`` fallback: settings attributes read as their defaults, each remembered."""

    index: PackageIndex
    read: list[SettingsDefault] = field(default_factory=list)
    # The package's calls of a function (``create_app(...)``), when the caller can find them:
    # what a factory's `settings = settings or get_settings()` is depends on what they pass.
    calls: Callable[[Scope], list[tuple[ast.Call, Scope]]] | None = None
    # Why an attribute read (as written) is not known, when the reason is worth a word.
    unknown: dict[str, str] = field(default_factory=dict)
    # The keyword values being read (`Configuration(base_url=settings.api_base)`): one read
    # again inside itself (`settings = Settings(x=settings.x)`) is not known.
    _reading: set[int] = field(default_factory=set)

    def __call__(self, expression: ast.expr, scope: Scope) -> str | None:
        """The default ``expression`` (``<object>.<attribute>``, an environment read) holds."""
        if isinstance(expression, ast.BoolOp):
            return self._unset_or_empty(expression, scope)
        if isinstance(expression, ast.Call):
            attribute = getattr_read(expression, scope)
            if attribute is None:
                from_file = self._from_file(expression, scope)
                if from_file is not None:
                    return from_file
                return self._environment_default(expression, scope)
            before = len(self.read)
            value = self(attribute, scope)
            if value is not None and len(self.read) > before:
                # Said as written, naming the field (not the call) as the variable to set.
                read = self.read[-1]
                self.read[-1] = read._replace(
                    expression=ast.unparse(expression),
                    variable=read.variable or attribute.attr,
                )
            return value
        if not isinstance(expression, ast.Attribute):
            return None
        built = _instance(self.index, expression.value, scope, 0, self.calls)
        if built is None:
            return self._from_file(expression, scope)
        if expression.attr in built.changed:
            return None  # the getter sets it after building the instance
        for keyword in built.call.keywords:
            if keyword.arg is None:
                return None  # **options may set it
            if keyword.arg == expression.attr:
                return self._passed(keyword.value, built.scope)
        if built.call.args:
            return None
        if not built.others and _declaration(self.index, built.cls, expression.attr, 0) is None:
            computed = _property(self.index, built.cls, expression.attr, 0)
            if computed is not None:
                return self._computed(expression, scope, computed)
        before = len(self.read)
        found = _declared(self.index, built.cls, expression.attr, 0, self)
        # A default read from the environment (`X = os.getenv("X", "/api")`): said as this one.
        inner = self.read[before:]
        del self.read[before:]
        if found is None:
            return None
        value, path, line, environment = found
        differ = False
        for other in built.others:
            # A class it may be instead: the same default, else the one picked by default.
            same = _declared(self.index, other, expression.attr, 0, self)
            del self.read[before:]
            differ = differ or same is None or same[0] != value
        if differ and not built.picked:
            names = ", ".join(f"`{candidate.name}`" for candidate in (built.cls, *built.others))
            self.unknown[ast.unparse(expression)] = (
                f"its class is picked at run time among {names}, whose defaults differ"
            )
            return None
        variable = next((read.variable for read in inner if read.variable), "")
        nested = None if environment else _group_variable(self.index, expression.value, scope)
        if nested is not None:
            # A field of a model that a settings object holds (`settings.api.prefix`): the
            # variable that sets it (`api__prefix`), or the one holding the whole group as JSON.
            variable = _field_variable(nested, expression.attr)[0]
        elif environment and not variable:
            variable = _environment_name(self.index, built.cls, expression.attr)
        self._record(
            SettingsDefault(
                ast.unparse(expression),
                value,
                path,
                line,
                environment or nested is not None or any(read.from_environment for read in inner),
                variable,
                built.picked if differ else "",
            )
        )
        return value

    def _record(self, default: SettingsDefault) -> None:
        """Remember ``default`` when something at run time may change it, to be said.

        A plain record's default (a dataclass field, a plain class's attribute, a pydantic
        model's field) is what the code always holds: read silently. Only an environment (a
        ``BaseSettings`` class, an environment read) or a class picked at run time makes it
        an assumption worth a line.
        """
        if default.from_environment or default.picked or default.kind != "default":
            self.read.append(default)

    def _computed(
        self, expression: ast.Attribute, scope: Scope, computed: "Computed"
    ) -> str | None:
        """A property's value, its ``self.<field>`` reads each read as that field's default.

        ``@property def API_PREFIX(self): return f"/api/{self.API_VERSION}"`` read through
        ``settings.API_PREFIX`` is ``settings.API_VERSION``'s default put in place; said as one
        read naming the property, and the variable of the field it reads.
        """
        returned, function_scope, itself, line = computed
        before = len(self.read)

        def through_instance(node: ast.expr, node_scope: Scope) -> str | None:
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == itself
            ):
                field_read = ast.Attribute(value=expression.value, attr=node.attr, ctx=ast.Load())
                return self(ast.copy_location(field_read, expression), scope)
            return self(node, node_scope)

        value = self.index.string_value(returned, function_scope, fallback=through_instance)
        inner = self.read[before:]
        del self.read[before:]
        if value is None:
            return None
        self._record(
            SettingsDefault(
                ast.unparse(expression),
                value,
                function_scope.module.path,
                line,
                any(read.from_environment for read in inner),
                next((read.variable or read.expression.rpartition(".")[2] for read in inner), ""),
            )
        )
        return value

    def _passed(self, value: ast.expr, scope: Scope) -> str | None:
        """The value a settings-like call passes for a field: a literal, or itself a default."""
        if id(value) in self._reading:
            return None
        self._reading.add(id(value))
        try:
            return self.index.string_value(value, scope, fallback=self)
        finally:
            self._reading.discard(id(value))

    def _from_file(self, expression: ast.expr, scope: Scope) -> str | None:
        """A dynaconf object's value from its settings files (see :mod:`.settings_files`)."""
        found = dynaconf_value(self.index, expression, scope)
        if found is None:
            return None
        self.read.append(
            SettingsDefault(
                ast.unparse(expression),
                found.value,
                found.path,
                found.line,
                True,
                found.variable,
                kind=found.kind,
            )
        )
        return found.value

    def _unset_or_empty(self, expression: ast.BoolOp, scope: Scope) -> str | None:
        """The default of ``os.getenv("NAME") or "/api"``: held when NAME is unset or empty."""
        if not isinstance(expression.op, ast.Or) or len(expression.values) != 2:
            return None
        read, default = expression.values
        name = _unset_read(self.index, read, scope) if isinstance(read, ast.Call) else None
        return None if name is None else self._read_default(expression, name, default, scope)

    def _environment_default(self, call: ast.Call, scope: Scope) -> str | None:
        """The default of ``os.getenv("NAME", "/api")``, or of another :func:`_environment_read`."""
        read = _environment_read(self.index, call, scope)
        return None if read is None else self._read_default(call, *read, scope)

    def _read_default(
        self, expression: ast.expr, variable: str, default: ast.expr, scope: Scope
    ) -> str | None:
        """The string ``default`` of an environment read (``expression``) of ``variable``, said."""
        value = self.index.string_value(default, scope)
        if value is not None:
            self.read.append(
                SettingsDefault(
                    ast.unparse(expression),
                    value,
                    scope.module.path,
                    expression.lineno,
                    True,
                    variable,
                )
            )
        return value


def default_collection(
    index: PackageIndex, expression: ast.Attribute, scope: Scope
) -> tuple[ast.expr, Scope] | None:
    """The value a settings object's attribute holds by default, as written, and where.

    ``for name in settings.INSTALLED_APPS`` with ``INSTALLED_APPS: list[str] = ["app.users"]``
    (or ``Field(default=[...])``, ``Field(default_factory=lambda: [...])``) declared in its
    class: that list, as a string field's default is read (:class:`SettingsDefaults`). What the
    call building the object passes for it wins; None when the object may be of several classes,
    or something may set the attribute another way (a validator, a getter, a constructor).
    """
    built = _instance(index, expression.value, scope, 0)
    if built is None or built.others or expression.attr in built.changed or built.call.args:
        return None
    for keyword in built.call.keywords:
        if keyword.arg is None:
            return None  # **options may set it
        if keyword.arg == expression.attr:
            return keyword.value, built.scope
    found = _declaration(index, built.cls, expression.attr, 0, factories=True)
    if found is None:
        return None
    value, class_scope, _, _ = found
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Lambda)
        and not value.func.args.args
        and not value.func.args.posonlyargs
    ):
        value = value.func.body  # `default_factory=lambda: [...]`, called with no arguments
    return value, class_scope


def collection_default_note(
    index: PackageIndex, expression: ast.Attribute, scope: Scope, what: str
) -> str | None:
    """A line saying a loop's settings list was read as its default, which the environment sets.

    ``for name in settings.ROUTERS`` over ``ROUTERS: list[str] = [...]`` of a ``BaseSettings``
    class: its items are read as :func:`default_collection` reads them, but a variable
    ``ROUTERS`` set at run time would change ``what`` (the routers the loop includes). None
    when the value is not that default, or the class reads no environment.
    """
    if default_collection(index, expression, scope) is None:
        return None
    built = _instance(index, expression.value, scope, 0)
    if built is None or any(keyword.arg == expression.attr for keyword in built.call.keywords):
        return None  # passed to the call building the object: no default
    found = _declaration(index, built.cls, expression.attr, 0, factories=True)
    if found is None or not found[3]:
        return None
    _, class_scope, line, _ = found
    variable = _environment_name(index, built.cls, expression.attr)
    return (
        f"`{ast.unparse(expression)}` read as its default in {class_scope.module.path}:{line} "
        f"(an environment variable {variable} set at run time would change {what})"
    )


class _FlagRead(NamedTuple):
    """A value an ``if`` tests, as it is by default, and words saying where that comes from."""

    value: object
    said: str


# The methods of a string a flag read may go through before it is compared.
_STRING_NORMALISERS = frozenset({"lower", "upper", "strip", "casefold"})
# The comparisons an `if` on a flag is read through, by operator.
_COMPARISONS: dict[type[ast.cmpop], Callable[[object, object], bool]] = {
    ast.Eq: lambda left, right: left == right,
    ast.NotEq: lambda left, right: left != right,
    ast.In: lambda left, right: left in right,  # type: ignore[operator]
    ast.NotIn: lambda left, right: left not in right,  # type: ignore[operator]
}


def switched_off_by_default(
    index: PackageIndex, test: ast.expr, scope: Scope, calls: "Calls | None" = None
) -> str | None:
    """Why an ``if`` on a settings flag is false by default, as words for a note; else None.

    ``if settings.ENABLE_ADMIN:`` with ``ENABLE_ADMIN: bool = False`` declared in its class (or
    ``if not settings.DISABLE_ADMIN:`` with a true default), ``settings.ENV == "prod"`` (``!=``,
    ``in {...}``, ``not in``) with another default, ``getattr(settings, "X", False)``, an
    environment read (``os.getenv("ENABLE_X") == "1"``, ``os.environ.get("X")``, ``"X" in
    os.environ``): the block runs only when the environment (or the call building the object)
    sets it otherwise. The words say when it runs, and the default. None for any other test, or
    a value whose default is not a literal. ``calls``: as for :func:`_instance` (a factory's
    ``settings = settings or get_settings()`` that no call passes ``settings`` to).
    """
    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    tested = test.operand if isinstance(test, ast.UnaryOp) and negated else test
    found = _default_of(index, tested, scope, calls, 0)
    if found is None:
        return None
    value, read = found
    if value != negated:
        return None  # on by default
    if isinstance(tested, ast.Compare):
        when = f"`{ast.unparse(test)}`"
    else:
        when = f"`{ast.unparse(tested)}` is {'false' if negated else 'true'}"
    if isinstance(tested, ast.Name):
        binding = index.binding_of(tested, scope)
        if bound_once(binding) and isinstance(binding.node, ast.expr):
            when += f" (`{tested.id} = {ast.unparse(binding.node)}`)"
    return f"served only when {when}, and {read.said}"


def flag_default(
    index: PackageIndex, expression: ast.expr, scope: Scope
) -> tuple[object, str] | None:
    """The value a settings field or environment read holds by default, and words saying so.

    ``settings.PREFIX_ROUTES`` with ``PREFIX_ROUTES: bool = True`` declared in its class:
    ``True``, with "`settings.PREFIX_ROUTES` is True by default (app/config.py:5)"; a
    comparison of one with literals (``settings.ENV == "prod"``) gives its truth. None for
    anything else (see :func:`switched_off_by_default`).
    """
    if isinstance(expression, ast.Compare):
        compared = _compared(index, expression, scope, None)
        return None if compared is None else (compared[0], compared[1].said)
    read = _flag_read(index, expression, scope, None)
    return None if read is None else (read.value, read.said)


def _default_of(
    index: PackageIndex, tested: ast.expr, scope: Scope, calls: "Calls | None", depth: int
) -> tuple[bool, _FlagRead] | None:
    """Whether a test holds by default, and the read of the value it tests.

    A comparison of one value with literals, a value's truth, or a name bound once to either
    (``ENABLE_USERS = os.environ.get("ENABLE_USERS") == "1"``, then ``if ENABLE_USERS:``).
    """
    if depth > _MAX_DEPTH:
        return None
    if isinstance(tested, ast.Compare):
        return _compared(index, tested, scope, calls)
    if isinstance(tested, ast.Name):
        binding = index.binding_of(tested, scope)
        if not (bound_once(binding) and isinstance(binding.node, ast.expr)):
            return None
        return _default_of(index, binding.node, binding.scope, calls, depth + 1)
    flag = _flag_read(index, tested, scope, calls)
    return None if flag is None else (bool(flag.value), flag)


def _compared(
    index: PackageIndex, test: ast.Compare, scope: Scope, calls: "Calls | None"
) -> tuple[bool, _FlagRead] | None:
    """What a comparison of one flag with literals is by default, and the flag's read."""
    if len(test.ops) != 1 or type(test.ops[0]) not in _COMPARISONS:
        return None
    left, right = test.left, test.comparators[0]
    if (
        isinstance(test.ops[0], ast.In | ast.NotIn)
        and isinstance(left, ast.Constant)
        and isinstance(left.value, str)
        and index.qualify(right, scope) == "os.environ"
    ):
        # `"ENABLE_X" in os.environ`: unset by default.
        unset = _FlagRead(None, f"the environment variable {left.value} is unset by default")
        return isinstance(test.ops[0], ast.NotIn), unset
    read: _FlagRead | None = _flag_read(index, left, scope, calls)
    literal = right
    if read is None and isinstance(test.ops[0], ast.Eq | ast.NotEq):
        read, literal = _flag_read(index, right, scope, calls), left  # `"prod" == settings.ENV`
    if read is None:
        return None
    try:
        other = ast.literal_eval(literal)
        return _COMPARISONS[type(test.ops[0])](read.value, other), read
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None  # no literal, or a container the value cannot be looked up in


def _flag_read(
    index: PackageIndex, expression: ast.expr, scope: Scope, calls: "Calls | None"
) -> _FlagRead | None:
    """The default of a settings attribute, a ``getattr`` of one, or an environment read.

    Also a string's ``.lower()`` (``.upper()``, ``.strip()``, ``.casefold()``) of one.
    """
    if (
        isinstance(expression, ast.Call)
        and isinstance(expression.func, ast.Attribute)
        and expression.func.attr in _STRING_NORMALISERS
        and not expression.args
        and not expression.keywords
    ):
        inner = _flag_read(index, expression.func.value, scope, calls)
        if inner is None:
            return None
        value = inner.value
        normalised = getattr(value, expression.func.attr)() if isinstance(value, str) else value
        return _FlagRead(normalised, inner.said)
    if isinstance(expression, ast.Attribute):
        return _settings_flag(index, expression.value, expression.attr, expression, scope, calls)
    got = builtin_getattr(expression, scope)
    if got is not None:
        held, name, default = got
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            return None
        fallback = default if isinstance(default, ast.Constant) else None
        return _settings_flag(index, held, name.value, expression, scope, calls, fallback)
    if isinstance(expression, ast.Call) and index.qualify(expression.func, scope) in _OS_READS:
        unset = _unset_read(index, expression, scope)
        if unset is not None:
            given = [*expression.args[1:], *(keyword.value for keyword in expression.keywords)]
            value = given[0].value if given and isinstance(given[0], ast.Constant) else None
            return _FlagRead(value, f"the environment variable {unset} is unset by default")
        read = _environment_read(index, expression, scope)
        if read is not None and isinstance(read[1], ast.Constant):
            return _FlagRead(
                read[1].value,
                f"`{ast.unparse(expression)}` is {read[1].value!r} while the environment "
                f"variable {read[0]} is unset",
            )
    return None


def _settings_flag(
    index: PackageIndex,
    held: ast.expr,
    attribute: str,
    read: ast.expr,
    scope: Scope,
    calls: "Calls | None",
    fallback: ast.Constant | None = None,
) -> _FlagRead | None:
    """The default of ``held.<attribute>``, a settings object's field declared as a literal.

    ``fallback``: the default of a ``getattr`` reading it, which holds when no class of the
    object's declares the attribute at all.
    """
    built = _instance(index, held, scope, 0, calls)
    if built is None or built.others or attribute in built.changed or built.call.args:
        return None
    if any(keyword.arg in (None, attribute) for keyword in built.call.keywords):
        return None  # passed to the call building the object: not its default
    found = _declaration(index, built.cls, attribute, 0)
    if found is None:
        if fallback is None or _mentions(index, built.cls, attribute):
            return None
        return _FlagRead(
            fallback.value,
            f"`{built.cls.name}` declares no {attribute}, so it is {fallback.value!r}",
        )
    value, class_scope, line, environment = found
    if not isinstance(value, ast.Constant):
        return None
    where = f"{class_scope.module.path}:{line}"
    if environment:
        variable = _environment_name(index, built.cls, attribute)
        where += f"; an environment variable {variable} set at run time changes it"
    return _FlagRead(value.value, f"`{ast.unparse(read)}` is {value.value!r} by default ({where})")


def _mentions(index: PackageIndex, cls: Binding, attribute: str) -> bool:
    """Whether a class of ``cls``'s lineage names ``attribute`` (or reads attributes freely)."""
    for klass in index.lineage(cls):
        for node in ast.walk(klass.node or ast.Pass()):
            named = (
                node.id
                if isinstance(node, ast.Name)
                else node.attr
                if isinstance(node, ast.Attribute)
                else node.name
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                else None
            )
            if named in (attribute, "__getattr__", "__getattribute__"):
                return True
    return False


def _unset_read(index: PackageIndex, call: ast.Call, scope: Scope) -> str | None:
    """The variable of ``os.getenv("NAME")`` (or ``os.environ.get``): None when it is unset.

    Also with a default that an ``or`` passes over too (``os.getenv("NAME", "")``).
    """
    if index.qualify(call.func, scope) not in _OS_READS:
        return None
    if not call.args or any(keyword.arg != "default" for keyword in call.keywords):
        return None
    name, *rest = call.args
    given = rest + [keyword.value for keyword in call.keywords]
    if len(given) > 1 or not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
        return None
    if given and not (isinstance(given[0], ast.Constant) and given[0].value in (None, "")):
        return None
    return name.value


def environment_reads(index: PackageIndex, expression: ast.expr, scope: Scope) -> list[ast.Call]:
    """The environment reads with a default ``expression`` is, else an empty list.

    ``os.getenv("NAME", "/x")`` (or another :func:`_environment_read`), or ``os.getenv("NAME")
    or "/x"``: code that reads the same value wherever it runs, once the environment is set.
    """
    if isinstance(expression, ast.Call):
        return [expression] if _environment_read(index, expression, scope) is not None else []
    if (
        isinstance(expression, ast.BoolOp)
        and isinstance(expression.op, ast.Or)
        and len(expression.values) == 2
    ):
        read, default = expression.values
        if isinstance(read, ast.Call) and _unset_read(index, read, scope) is not None:
            if isinstance(default, ast.Constant) and isinstance(default.value, str):
                return [read]
            others = environment_reads(index, default, scope)
            return [read, *others] if others else []
    return []


def _environment_read(
    index: PackageIndex, call: ast.Call, scope: Scope
) -> tuple[str, ast.expr] | None:
    """The variable and default of ``os.getenv("NAME", default)`` (or another environment read).

    The others: ``os.environ.get``, environs (``env.str("NAME", default)``), python-decouple
    (``config("NAME", default=...)``), starlette (``Config(".env")("NAME", default=...)``); a
    ``cast=`` other than ``str`` is no string, any other keyword is not known.
    """
    found, position = False, None
    qualified = index.qualify(call.func, scope)
    if qualified in _ENVIRONMENT_READS:
        found, position = True, _ENVIRONMENT_READS[qualified]
    else:
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        reader = call.func.value if isinstance(call.func, ast.Attribute) else call.func
        built = index.binding_of(reader, scope)
        constructor = call_bound_once(built)
        if built is not None and constructor is not None:
            cls = index.qualify(constructor.func, built.scope)
            position, methods = _ENVIRONMENT_READERS.get(cls or "", (None, frozenset()))
            found = method in methods
    if not found or not call.args or any(keyword.arg is None for keyword in call.keywords):
        return None
    name, *rest = call.args
    keywords = {keyword.arg: keyword.value for keyword in call.keywords}
    cast = keywords.pop("cast", None)
    default = keywords.pop("default", None)
    if rest and position is not None and len(rest) == position and default is None:
        default = rest[-1]
    elif rest:
        return None
    if keywords or default is None or not (cast is None or _names_str(cast)):
        return None
    if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
        return None
    return name.value, default


def _names_str(cast: ast.expr) -> bool:
    """Whether a ``cast=`` keeps a string a string (the builtin ``str``)."""
    return isinstance(cast, ast.Name) and cast.id == "str"


def getattr_read(call: ast.Call, scope: Scope) -> ast.Attribute | None:
    """``getattr(settings, "API_V1_STR"[, default])`` as the attribute it reads, else None.

    Only the builtin, with a literal name: the attribute's default is then what it reads (a
    field the class does not declare is not known, as for ``settings.MISSING``). Also a
    router read off a module imported at run time (``getattr(module, "router", None)``).
    """
    read = builtin_getattr(call, scope)
    if read is None:
        return None
    target, name, _ = read
    if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
        return None
    if not name.value.isidentifier():
        return None
    return ast.copy_location(ast.Attribute(target, name.value, ast.Load()), call)


def _unless_passed(binding: Binding, calls: "Calls") -> ast.expr | None:
    """``get_settings()`` of ``settings = settings or get_settings()`` in a function, else None.

    The function's parameter ``settings`` defaults to None, and no call of the function in the
    package passes it (none at all: a server calls the factory with no arguments), so the
    variable holds the right-hand side. Any call passing it, or maybe passing it (``**options``),
    leaves the value not known.
    """
    value = binding.node
    function = binding.scope.node
    if not (
        binding.kind == "value"
        and isinstance(value, ast.BoolOp)
        and isinstance(value.op, ast.Or)
        and len(value.values) == 2
        and isinstance(value.values[0], ast.Name)
        and isinstance(function, FunctionNode)
    ):
        return None
    name = value.values[0].id
    arguments = function.args
    positional = [argument.arg for argument in [*arguments.posonlyargs, *arguments.args]]
    defaults: list[ast.expr | None] = [
        *([None] * (len(positional) - len(arguments.defaults))),
        *arguments.defaults,
    ]
    by_name = dict(zip(positional, defaults, strict=True))
    by_name.update(
        zip((argument.arg for argument in arguments.kwonlyargs), arguments.kw_defaults, strict=True)
    )
    default = by_name.get(name)
    if not (isinstance(default, ast.Constant) and default.value is None):
        return None  # not a parameter defaulting to None
    position = positional.index(name) if name in positional else None
    for call, _ in calls(binding.scope):
        if any(keyword.arg is None for keyword in call.keywords):
            return None
        if any(isinstance(argument, ast.Starred) for argument in call.args):
            return None
        if call_argument(call, position, name) is not None:
            return None
    return value.values[1]


class Built(NamedTuple):
    """The class of the package an object is an instance of, and the call building it.

    Read by field name (a dataclass, not a tuple): callers never unpack it by position.
    """

    cls: Binding
    call: ast.Call
    scope: Scope  # of that call
    # The other classes of the package it may be an instance of instead (see ``_annotated``,
    # ``_picked``, ``_one_of``).
    others: tuple[Binding, ...] = ()
    # The attributes the getter returning it sets on it before (``settings.ENV = ...``).
    changed: frozenset[str] = frozenset()
    # ``cls`` is the one picked unless the environment says otherwise, said so when ``others``
    # declare another default: "`DevSettings`, the class picked when STAGE is not set".
    picked: str = ""


#: The package's calls of a function, each with the scope it is made in.
Calls = Callable[[Scope], list[tuple[ast.Call, Scope]]]


def _instance(
    index: PackageIndex,
    expression: ast.expr,
    scope: Scope,
    depth: int,
    calls: Calls | None = None,
) -> Built | None:
    """The class of the package a module-level variable is an instance of, and the call.

    Also the instance a call builds in place: ``get_settings().API_V1_STR``, ``Settings().X``;
    and, with ``calls``, a factory's ``settings = settings or get_settings()`` that no call
    passes ``settings`` to (see :func:`_unless_passed`).
    """
    if depth > _MAX_DEPTH:
        return None
    if isinstance(expression, ast.Call):
        return _built(index, expression, scope, depth + 1)
    binding = index.binding_of(expression, scope)
    fallback = None if binding is None or calls is None else _unless_passed(binding, calls)
    if fallback is not None:
        return _instance(index, fallback, binding.scope if binding else scope, depth + 1, calls)
    if (
        binding is None
        or binding.kind != "value"
        or binding.scope.is_class
        or not isinstance(binding.node, ast.Call)
    ):
        # Not a variable (`config.settings` of a module is one): a model a field holds.
        if isinstance(expression, ast.Attribute):
            return _held(index, expression, scope, depth + 1)
        return None
    return _built(index, binding.node, binding.scope, depth + 1)


def _held(index: PackageIndex, expression: ast.Attribute, scope: Scope, depth: int) -> Built | None:
    """The model a settings field holds (``settings.api``): the call it is built with.

    Passed to the settings object's own call (``Settings(api=ApiConfig(...))``), else the
    field's default (``api: ApiConfig = ApiConfig()``, ``Field(default_factory=ApiConfig)``).
    """
    outer = _instance(index, expression.value, scope, depth + 1)
    if outer is None:
        return None
    if outer.others or expression.attr in outer.changed:
        return None  # which class holds the field is not known, or the getter sets it
    for keyword in outer.call.keywords:
        if keyword.arg is None:
            return None  # **options may set it
        if keyword.arg == expression.attr:
            if not isinstance(keyword.value, ast.Call):
                return None
            return _built(index, keyword.value, outer.scope, depth + 1)
    if outer.call.args:
        return None
    found = _field_value(index, outer.cls, expression.attr, depth + 1)
    if found is None:
        return None
    value, value_scope = found
    return _built(index, value, value_scope, depth + 1)


def _field_value(
    index: PackageIndex, cls: Binding, attribute: str, depth: int
) -> tuple[ast.Call, Scope] | None:
    """The call a class (or a base of the package) builds ``attribute``'s default with."""
    found = _declaration(index, cls, attribute, depth, factories=True)
    if found is None or not isinstance(found[0], ast.Call):
        return None
    return found[0], found[1]


def _built(index: PackageIndex, call: ast.Call, scope: Scope, depth: int) -> Built | None:
    """The class of the package ``call`` builds an instance of: directly, or a factory's."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(call.func, ast.Subscript):
        return _picked(index, call, scope)
    target = _class_or_function(index, call.func, scope)
    if target is None:
        return None
    if target.kind == "class":
        return Built(target, call, scope)
    if target.kind != "function":
        return None
    function = target.node
    assert isinstance(function, FunctionNode)
    returned = [
        node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Return) and node.value is not None
    ]
    inner = Scope(function, target.scope.module, target.scope)
    if len(returned) == 1 and isinstance(returned[0], ast.Name):
        cls = _class_or_function(index, returned[0], inner)
        if cls is not None and cls.kind == "class":
            # `def get_settings(): return Settings`, the class itself: `get_settings().X` reads
            # its attribute as an instance built without arguments would (its default).
            bare = ast.copy_location(ast.Call(func=returned[0], args=[], keywords=[]), returned[0])
            return Built(cls, bare, inner)
        # `settings = Settings(); settings.ENV = ...; return settings`.
        return _returned_variable(index, function, returned[0].id, inner, depth + 1)
    if len(returned) > 1:
        return _one_of(index, returned, inner)
    if len(returned) != 1 or not isinstance(returned[0], ast.Call):
        return None  # `return Settings()` once: any other shape is not followed
    found = _built(index, returned[0], inner, depth + 1)
    if found is None and not returned[0].args and not returned[0].keywords:
        return _annotated(index, function, returned[0], inner)
    return found


def _returned_variable(
    index: PackageIndex, function: FunctionNode, name: str, scope: Scope, depth: int
) -> Built | None:
    """The instance a getter builds in a variable it returns, and the attributes it sets on it.

    The variable is assigned once, from a call; the function may read its attributes and set
    some (``settings.ENV = os.getenv("APP_ENV")``), nothing else: handed to a call, or a method
    of it called, it may change in ways not seen.
    """
    call = call_bound_once(scope.bindings.get(name))
    if call is None:
        return None
    changed = _set_attributes(function, name)
    if changed is None:
        return None
    found = _built(index, call, scope, depth + 1)
    if found is None:
        return None
    return found._replace(changed=found.changed | changed)


def _set_attributes(function: FunctionNode, name: str) -> frozenset[str] | None:
    """The attributes ``function`` sets on variable ``name``; None when it may change otherwise.

    Binding ``name``, reading ``name.attr``, setting it and returning ``name`` are fine;
    anything else naming it (an argument, ``name.load()``, ``setattr(name, ...)``) is not.
    """
    changed: set[str] = set()
    allowed: set[int] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Name):
            allowed.add(id(node.value))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if isinstance(receiver, ast.Name) and receiver.id == name:
                return None  # a method of it may change anything
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name):
                allowed.add(id(node.value))
            if isinstance(node.ctx, ast.Store | ast.Del):
                # `settings.api.prefix = ...` changes `settings.api` too.
                first = node
                while isinstance(first.value, ast.Attribute):
                    first = first.value
                if isinstance(first.value, ast.Name) and first.value.id == name:
                    changed.add(first.attr)
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Name)
            and node.id == name
            and id(node) not in allowed
            and not isinstance(node.ctx, ast.Store)
        ):
            return None
    return frozenset(changed)


def _annotated(
    index: PackageIndex, function: FunctionNode, call: ast.Call, scope: Scope
) -> Built | None:
    """The class a getter's return annotation names, when it builds a class picked at run time.

    ``return chosen()`` (a class looked up per environment) under ``-> AppSettings``: an instance
    of that class or of a subclass, built with no arguments. The subclasses of the package the
    getter's module names (imports or defines) are the other classes it may be; a default is
    read only when they all declare the same one.
    """
    if function.returns is None:
        return None
    qualified = index.qualify(function.returns, scope.module.scope)
    if qualified is None:
        return None
    canonical, cls = index.resolve(qualified)
    if cls is None or cls.kind != "class":
        return None
    others: list[Binding] = []
    for binding in scope.module.scope.bindings.values():
        candidate = binding
        if binding.kind == "import":
            candidate = index.resolve(binding.target)[1] or binding
        if (
            candidate.kind == "class"
            and candidate.node is not cls.node
            and index.derives_from(candidate, lambda name: name == canonical)
        ):
            others.append(candidate)
    return Built(cls, call, scope, tuple(others))


def _class_or_function(index: PackageIndex, name: ast.expr, scope: Scope) -> Binding | None:
    """The class or function of the package ``name`` names in ``scope``."""
    target = index.defined(name, scope)
    return target if target is not None and target.kind in ("class", "function") else None


def _one_of(index: PackageIndex, returned: list[ast.expr], scope: Scope) -> Built | None:
    """A getter returning one of several classes (``if ...: return ProdSettings()``).

    Each ``return`` builds a class of the package, with no arguments; which one is only known at
    run time: a default is read when they all declare the same one.
    """
    classes: list[Binding] = []
    for value in returned:
        if not isinstance(value, ast.Call) or value.args or value.keywords:
            return None
        target = _class_or_function(index, value.func, scope)
        if target is None or target.kind != "class":
            return None
        if all(target.node is not cls.node for cls in classes):
            classes.append(target)
    first = returned[0]
    assert isinstance(first, ast.Call)
    return Built(classes[0], first, scope, tuple(classes[1:]))


def _picked(index: PackageIndex, call: ast.Call, scope: Scope) -> Built | None:
    """A class looked up in a literal mapping and built: ``CLASSES[os.getenv("STAGE", "dev")]()``.

    The mapping is a dict literal, in place or in a variable, whose values are classes of the
    package. A literal key, or an environment read with a literal default (also through a
    variable), picks its class; else any of them may be built, as for a getter's (``_one_of``).
    """
    assert isinstance(call.func, ast.Subscript)
    mapping: ast.AST | None = call.func.value
    mapping_scope = scope
    if isinstance(mapping, ast.Name):
        binding = index.binding_of(mapping, scope)
        if binding is None or binding.kind != "value":
            return None
        mapping, mapping_scope = binding.node, binding.scope
    if not isinstance(mapping, ast.Dict):
        return None
    classes: dict[object, Binding] = {}
    for key, value in zip(mapping.keys, mapping.values, strict=True):
        target = _class_or_function(index, value, mapping_scope)
        if key is None or target is None or target.kind != "class":
            return None  # `**others`, or a value that is no class of the package
        # A key that is no literal (a name, an enum member) is kept by its node: its value is
        # not read, so no string picks it (the text "PROD" is not the name PROD's value).
        classes[key.value if isinstance(key, ast.Constant) else key] = target
    if not classes:
        return None
    others = list({id(cls.node): cls for cls in classes.values()}.values())
    picking, variable = _picking_key(index, call.func.slice, scope)
    chosen = classes.get(picking) if picking is not None else None
    if chosen is None:
        return Built(others[0], call, scope, tuple(others[1:]))
    rest = tuple(cls for cls in others if cls.node is not chosen.node)
    if variable is None:
        return Built(chosen, call, scope)  # `CLASSES["dev"]()`: that one
    return Built(
        chosen,
        call,
        scope,
        rest,
        picked=f"`{chosen.name}`, the class picked when {variable} is not set",
    )


def _picking_key(
    index: PackageIndex, key: ast.expr, scope: Scope, depth: int = 0
) -> tuple[str | None, str | None]:
    """The key a mapping is looked up with, and the environment variable that may change it.

    A literal string; ``os.getenv("STAGE", "dev")`` (or ``os.environ.get``), directly or through
    a variable assigned once: its default, and ``STAGE``. ``(None, None)`` otherwise.
    """
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value, None
    if isinstance(key, ast.Name) and depth < _MAX_DEPTH:
        binding = index.binding_of(key, scope)
        if binding is not None and binding.kind == "value" and isinstance(binding.node, ast.expr):
            return _picking_key(index, binding.node, binding.scope, depth + 1)
    read = _environment_read(index, key, scope) if isinstance(key, ast.Call) else None
    if read is not None and isinstance(read[1], ast.Constant) and isinstance(read[1].value, str):
        return read[1].value, read[0]
    return None, None


def _declared(
    index: PackageIndex,
    cls: Binding,
    attribute: str,
    depth: int,
    fallback: Callable[[ast.expr, Scope], str | None],
) -> tuple[str, str, int, bool] | None:
    """The default a class (or a base of the package) declares for ``attribute``.

    Returns the value, the file and line that declare it, and whether the environment may set it
    instead.
    """
    found = _declaration(index, cls, attribute, depth)
    if found is None:
        return None
    value, class_scope, line, environment = found
    text = index.string_value(value, class_scope, fallback=fallback)
    if text is None:
        return None
    return text, class_scope.module.path, line, environment


#: A property's returned expression, the scope of its body, its ``self`` name and its line.
Computed = tuple[ast.expr, Scope, str, int]
#: Decorators that make a method read as an attribute of the instance.
_PROPERTIES = frozenset({"property", "cached_property", "computed_field"})


def _property(index: PackageIndex, cls: Binding, attribute: str, depth: int) -> Computed | None:
    """The expression a property of ``cls`` (or of a base of the package) returns.

    Only a property whose body is one ``return`` (after its docstring): ``@property def
    API_PREFIX(self) -> str: return f"/api/{self.API_VERSION}"``; pydantic's
    ``@computed_field`` over it too. The first class of ``cls``'s MRO defining a method of that
    name decides, as Python's attribute look-up does.
    """
    if depth > _MAX_DEPTH:
        return None
    for klass in index.lineage(cls):
        node = klass.node
        assert isinstance(node, ast.ClassDef)
        for statement in node.body:
            if isinstance(statement, FunctionNode) and statement.name == attribute:
                return _returned_by_property(klass, node, statement)
    return None


def _returned_by_property(
    cls: Binding, node: ast.ClassDef, method: FunctionNode
) -> Computed | None:
    """:data:`Computed` of a method of ``cls`` that reads as a one-``return`` property."""
    decorators = {ast.unparse(item).rpartition(".")[2] for item in method.decorator_list}
    returned = returned_only(method)
    parameters = method.args.posonlyargs + method.args.args
    if not decorators or not decorators <= _PROPERTIES or returned is None or len(parameters) != 1:
        return None
    class_scope = Scope(node, cls.scope.module, cls.scope)
    function_scope = Scope(method, cls.scope.module, class_scope)
    return returned, function_scope, parameters[0].arg, method.lineno


def _declaration(
    index: PackageIndex, cls: Binding, attribute: str, depth: int, *, factories: bool = False
) -> tuple[ast.expr, Scope, int, bool] | None:
    """The value the class body declaring ``attribute`` gives it: ``cls``'s or a base's.

    Returns the value as written, the scope of the class body (or constructor) that declares it,
    its line, and whether the environment may set it instead (``cls`` is a ``BaseSettings``
    class). The first class of ``cls``'s MRO declaring it decides, as Python and pydantic look
    it up. None when a class of the MRO has a validator naming the attribute (pydantic runs the
    bases' validators too), or a class up to the declaring one has its own ``__init__`` that
    does not set it as :func:`_set_by_constructor` reads.
    """
    if depth > _MAX_DEPTH:
        return None
    lineage = index.lineage(cls)
    for klass in lineage:
        node = klass.node
        assert isinstance(node, ast.ClassDef)
        if any(
            isinstance(statement, FunctionNode) and _names_attribute(statement, attribute)
            for statement in node.body
        ):
            return None  # a validator may change the value
    for klass in lineage:
        node = klass.node
        assert isinstance(node, ast.ClassDef)
        class_scope = Scope(node, klass.scope.module, klass.scope)
        constructor = next(
            (
                statement
                for statement in node.body
                if isinstance(statement, FunctionNode) and statement.name == "__init__"
            ),
            None,
        )
        if constructor is not None:
            found = _set_by_constructor(node, constructor, attribute)
            if found is None:
                return None  # its own constructor may change the value
            set_to, line = found
            return set_to, Scope(constructor, klass.scope.module, class_scope), line, False
        for statement in node.body:
            value = _assigned(statement, attribute, factories)
            if value is not None:
                environment = not _class_variable(statement) and _reads_environment(index, cls)
                return value, class_scope, statement.lineno, environment
    return None


def _class_variable(statement: ast.stmt) -> bool:
    """Whether a class-body statement declares a class variable, which pydantic reads no field of.

    ``API_V1_STR: ClassVar[str] = "/api/v1"``, and ``API_V1_STR: Final[str] = "/api/v1"``, which
    pydantic v2 takes for a class variable too when it has a default: no environment variable
    sets it.
    """
    if not isinstance(statement, ast.AnnAssign):
        return False
    annotation = statement.annotation
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    return ast.unparse(annotation).rpartition(".")[2] in ("ClassVar", "Final")


def _set_by_constructor(
    cls: ast.ClassDef, constructor: FunctionNode, attribute: str
) -> tuple[ast.expr, int] | None:
    """The value a constructor taking no arguments always sets ``self.<attribute>`` to, its line.

    ``def __init__(self): self.API_V1_STR = os.getenv("API_V1_STR", "/api/v1")``: one statement
    of the constructor's own body (not under an ``if`` or a loop), and the only assignment of
    that attribute in the whole class. None otherwise: a parameter, a branch or another method
    may give it another value, and without the assignment a base's may stand or not.
    """
    arguments = constructor.args
    parameters = arguments.posonlyargs + arguments.args
    if (
        len(parameters) != 1
        or arguments.vararg
        or arguments.kwonlyargs
        or arguments.kwarg
        or constructor.decorator_list
    ):
        return None
    stores = [
        node
        for node in ast.walk(cls)
        if isinstance(node, ast.Attribute)
        and node.attr == attribute
        and not isinstance(node.ctx, ast.Load)
    ]
    if len(stores) != 1:
        return None
    this = parameters[0].arg
    for statement in constructor.body:
        assigned = single_assignment(statement)
        if assigned is None:
            continue
        target, value = assigned
        if (
            target is stores[0]
            and isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == this
        ):
            return value, statement.lineno
    return None


def _assigned(statement: ast.stmt, attribute: str, factories: bool = False) -> ast.expr | None:
    """The value a class-body statement gives ``attribute`` (``Field(default=...)``'s too).

    ``factories``: ``Field(default_factory=Model)`` gives a call ``Model()``.
    """
    if not isinstance(statement, ast.AnnAssign | ast.Assign) or not _declares(statement, attribute):
        return None
    value = statement.value
    if _is_field(value):
        for keyword in value.keywords:
            if keyword.arg == "default":
                return keyword.value
            if keyword.arg == "default_factory" and factories:
                return ast.Call(func=keyword.value, args=[], keywords=[])
        return value.args[0] if value.args else None
    return value


def _names_attribute(function: FunctionNode, attribute: str) -> bool:
    """Whether a method's decorators name ``attribute`` (``@field_validator("API_V1_STR")``)."""
    return any(
        isinstance(node, ast.Constant) and node.value == attribute
        for decorator in function.decorator_list
        for node in ast.walk(decorator)
    )


def _group_variable(
    index: PackageIndex, expression: ast.expr, scope: Scope
) -> tuple[str, str] | None:
    """The environment variable that sets the model a settings field holds, and its delimiter.

    ``settings.api`` of a ``BaseSettings`` ``settings``: ``api``, and the settings class's
    ``env_nested_delimiter`` that joins a field's name to it (``""``: none, the variable holds
    the whole group as JSON). At any depth (``settings.api.v1``: ``api__v1``). None when no
    settings object around it reads the environment.
    """
    if not isinstance(expression, ast.Attribute):
        return None
    outer = _instance(index, expression.value, scope, 0)
    if outer is None:
        return None
    if _reads_environment(index, outer.cls):
        return (
            _environment_name(index, outer.cls, expression.attr),
            _nested_delimiter(index, outer.cls),
        )
    found = _group_variable(index, expression.value, scope)
    return None if found is None else _field_variable(found, expression.attr)


def _field_variable(group: tuple[str, str], field: str) -> tuple[str, str]:
    """The variable setting ``field`` of a group whose variable and delimiter are ``group``.

    Without a delimiter the group's own variable holds it all, as JSON. The field's name is in
    upper case when the group's is (pydantic matches names in any case).
    """
    name, delimiter = group
    if not delimiter:
        return group
    return name + delimiter + (field.upper() if name.isupper() else field), delimiter


def _config_string(index: PackageIndex, cls: Binding, key: str) -> str | None:
    """A literal string setting of a settings class: ``model_config`` or pydantic v1's ``Config``.

    ``model_config = SettingsConfigDict(env_prefix="APP_")`` (or a dict), ``class Config:
    env_prefix = "APP_"``; else the nearest base class of the package that sets it.
    """
    for current in index.lineage(cls):
        node = current.node
        for statement in node.body if isinstance(node, ast.ClassDef) else ():
            pairs: list[tuple[str | None, ast.expr]] = []
            if isinstance(statement, ast.ClassDef) and statement.name == "Config":
                pairs = [
                    (inner.targets[0].id, inner.value)
                    for inner in statement.body
                    if isinstance(inner, ast.Assign) and isinstance(inner.targets[0], ast.Name)
                ]
            value = _assigned(statement, "model_config")
            if isinstance(value, ast.Call):
                pairs = [(keyword.arg, keyword.value) for keyword in value.keywords]
            elif isinstance(value, ast.Dict):
                pairs = [
                    (key_node.value, item)
                    for key_node, item in zip(value.keys, value.values, strict=True)
                    if isinstance(key_node, ast.Constant) and isinstance(key_node.value, str)
                ]
            for name, item in pairs:
                if name == key and isinstance(item, ast.Constant) and isinstance(item.value, str):
                    return item.value
    return None


def _nested_delimiter(index: PackageIndex, cls: Binding) -> str:
    """The literal ``env_nested_delimiter`` of a settings class (``""``: none)."""
    return _config_string(index, cls, "env_nested_delimiter") or ""


def _environment_name(index: PackageIndex, cls: Binding, name: str) -> str:
    """The environment variable that sets field ``name`` of a settings class.

    The variable its ``Field(...)`` names, if any (see ``_field_variable_name``); else its
    ``env_prefix`` before the name: an upper-case prefix gives the name in upper case too
    (pydantic matches names in any case unless ``case_sensitive``), as a person would set it.
    """
    named = _field_variable_name(index, cls, name)
    if named is not None:
        return named
    prefix = _config_string(index, cls, "env_prefix") or ""
    return prefix + (name.upper() if prefix.isupper() else name)


def _field_variable_name(index: PackageIndex, cls: Binding, name: str) -> str | None:
    """The variable a field's ``Field(...)`` names for itself, which ``env_prefix`` does not join.

    pydantic-settings reads ``validation_alias``, else ``alias`` (``AliasChoices``: its first);
    pydantic v1's ``BaseSettings`` reads ``env=`` instead (a list: its first). The other
    keywords do nothing in each, so the field's own name stays.
    """
    declared = _field_call(index, cls, name)
    if declared is None:
        return None
    version_one = index.derives_from(cls, _is_pydantic_v1_settings)
    keywords = ("env",) if version_one else ("validation_alias", "alias")
    values = {keyword.arg: keyword.value for keyword in declared.keywords}
    for keyword in keywords:
        if keyword in values:
            return _first_string(values[keyword])
    return None


def _is_pydantic_v1_settings(name: str) -> bool:
    """``pydantic.BaseSettings`` (and ``pydantic.v1``'s), not ``pydantic_settings``'."""
    return name.split(".")[0] == "pydantic" and name.rpartition(".")[2] == _ENVIRONMENT_CLASS


def _first_string(value: ast.expr) -> str | None:
    """A literal string; the first of a literal list, tuple or set, or of ``AliasChoices(...)``."""
    items: list[ast.expr] = [value]
    if isinstance(value, ast.List | ast.Tuple | ast.Set):
        items = value.elts
    elif isinstance(value, ast.Call) and ast.unparse(value.func).rpartition(".")[2] == (
        "AliasChoices"
    ):
        items = value.args
    first = items[0] if items else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def _field_call(index: PackageIndex, cls: Binding, attribute: str) -> ast.Call | None:
    """The ``Field(...)`` call declaring ``attribute`` in ``cls``, else in its nearest base.

    None when the declaration is not such a call (or nothing of the package declares it).
    """
    for current in index.lineage(cls):
        node = current.node
        for statement in node.body if isinstance(node, ast.ClassDef) else ():
            if not _declares(statement, attribute):
                continue
            value = statement.value if isinstance(statement, ast.AnnAssign | ast.Assign) else None
            return value if _is_field(value) else None
    return None


def _is_field(value: ast.expr | None) -> TypeGuard[ast.Call]:
    """Whether a class-body value is pydantic's ``Field(...)`` (however it is imported)."""
    return isinstance(value, ast.Call) and ast.unparse(value.func).rpartition(".")[2] == "Field"


def _declares(statement: ast.stmt, attribute: str) -> bool:
    """Whether a class-body statement assigns ``attribute`` (whatever value it gives)."""
    if isinstance(statement, ast.AnnAssign):
        return isinstance(statement.target, ast.Name) and statement.target.id == attribute
    return isinstance(statement, ast.Assign) and any(
        isinstance(target, ast.Name) and target.id == attribute for target in statement.targets
    )


def _reads_environment(index: PackageIndex, cls: Binding) -> bool:
    """Whether a class is (or derives from) pydantic's ``BaseSettings``."""
    return index.derives_from(cls, lambda name: name.rpartition(".")[2] == _ENVIRONMENT_CLASS)
