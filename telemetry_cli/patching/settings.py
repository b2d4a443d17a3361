"""A settings object's attribute read as the default its class declares (``settings.API_V1_STR``).

Backends keep their API prefix in a settings object: ``class Settings(BaseSettings): API_V1_STR:
str = "/api/v1"``, ``settings = Settings()``, then ``app.include_router(api_router,
prefix=settings.API_V1_STR)``. The value is the class's default unless the object is built with
another (read from the call, when it passes one) or, for pydantic's ``BaseSettings``, unless the
environment sets it: each default read is remembered, so that the tool can say it assumed it.

Followed: a variable (module-level, or in the function reading it) built by a class of the
package (``Settings()``) or by a function returning one (``get_settings()``, also cached); the
class's own or inherited (from the package) class attribute, also ``Field(default=...)``. Not
followed (None): a class with its own ``__init__`` or a validator naming the attribute, a call
passing ``**options``. A module constant read from the environment with a default
(``API_PREFIX = os.getenv("API_PREFIX", "/api")``) is read as that default the same way.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from telemetry_cli.patching.symbols import Binding, FunctionNode, PackageIndex, Scope

# pydantic's settings classes (v2's pydantic-settings, v1's pydantic): fields read the environment.
_ENVIRONMENT_CLASS = "BaseSettings"
# Reads of an environment variable with a default: `os.getenv("API_PREFIX", "/api")`.
_ENVIRONMENT_READS = frozenset({"os.getenv", "os.environ.get"})
_MAX_DEPTH = 8


@dataclass(frozen=True)
class SettingsDefault:
    """One attribute read as its class's default."""

    expression: str  # as written: settings.API_V1_STR
    value: str
    path: str  # where the default is declared
    line: int
    from_environment: bool  # an environment variable may set it instead (BaseSettings)
    variable: str = ""  # that variable, when not the attribute's name

    def describe(self) -> str:
        """One line saying what was assumed and where it comes from."""
        text = f"`{self.expression}` read as {self.value!r}, its default in {self.path}:{self.line}"
        if self.from_environment:
            name = self.variable or self.expression.rpartition(".")[2]
            text += f" (an environment variable {name} set at run time would change the prefix)"
        return text


@dataclass
class SettingsDefaults:
    """A ``string_value`` fallback: settings attributes read as their defaults, each remembered."""

    index: PackageIndex
    read: list[SettingsDefault] = field(default_factory=list)

    def __call__(self, expression: ast.expr, scope: Scope) -> str | None:
        """The default ``expression`` (``<object>.<attribute>``, an environment read) holds."""
        if isinstance(expression, ast.Call):
            return self._environment_default(expression, scope)
        if not isinstance(expression, ast.Attribute):
            return None
        built = _instance(self.index, expression.value, scope, 0)
        if built is None:
            return None
        cls, call, call_scope, outer_environment = built
        for keyword in call.keywords:
            if keyword.arg is None:
                return None  # **options may set it
            if keyword.arg == expression.attr:
                return self.index.string_value(keyword.value, call_scope)
        if call.args:
            return None
        before = len(self.read)
        found = _declared(self.index, cls, expression.attr, 0, self)
        # A default read from the environment (`X = os.getenv("X", "/api")`): said as this one.
        inner = self.read[before:]
        del self.read[before:]
        if found is None:
            return None
        value, path, line, environment = found
        variable = next((read.variable for read in inner if read.variable), "")
        if outer_environment is not None:
            # A field of a nested group: the variable that sets it (`API__V1_PREFIX`), or the
            # one holding the whole group as JSON (`API`) without a nested delimiter.
            name, delimiter = outer_environment
            variable = name + delimiter + expression.attr if delimiter else name
        self.read.append(
            SettingsDefault(
                ast.unparse(expression),
                value,
                path,
                line,
                environment
                or outer_environment is not None
                or any(read.from_environment for read in inner),
                variable,
            )
        )
        return value

    def _environment_default(self, call: ast.Call, scope: Scope) -> str | None:
        """The default of ``os.getenv("NAME", "/api")`` or ``os.environ.get("NAME", "/api")``."""
        function = self.index.qualify(call.func, scope)
        if function not in _ENVIRONMENT_READS or len(call.args) != 2 or call.keywords:
            return None
        name, default = call.args
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            return None
        value = self.index.string_value(default, scope)
        if value is not None:
            self.read.append(
                SettingsDefault(
                    ast.unparse(call), value, scope.module.path, call.lineno, True, name.value
                )
            )
        return value


def _instance(
    index: PackageIndex, expression: ast.expr, scope: Scope, depth: int
) -> tuple[Binding, ast.Call, Scope, _Variable | None] | None:
    """The class of the package a variable is an instance of, and the call.

    Also whether a settings object it is a field of reads the environment (``settings.api``,
    ``api: ApiSettings = Field(default_factory=ApiSettings)`` in a ``BaseSettings``).
    """
    if depth > _MAX_DEPTH:
        return None
    binding = index.binding_of(expression, scope)
    if binding is None and isinstance(expression, ast.Attribute):
        outer = _instance(index, expression.value, scope, depth + 1)
        return None if outer is None else _field_instance(index, outer, expression.attr, depth + 1)
    if (
        binding is None
        or binding.kind != "value"
        or binding.scope.is_class
        or not isinstance(binding.node, ast.Call)
    ):
        return None
    built = _built(index, binding.node, binding.scope, depth + 1)
    return None if built is None else (*built, None)


def _field_instance(
    index: PackageIndex,
    outer: tuple[Binding, ast.Call, Scope, _Variable | None],
    attribute: str,
    depth: int,
) -> tuple[Binding, ast.Call, Scope, _Variable | None] | None:
    """The object a settings object's field holds by default, when its class declares it.

    ``api: ApiSettings = ApiSettings()`` or ``= Field(default_factory=ApiSettings)``, on the
    class itself; not when the object is built with the field (or ``**options``).
    """
    cls, call, _, environment = outer
    if call.args or any(keyword.arg in (None, attribute) for keyword in call.keywords):
        return None
    node = cls.node
    assert isinstance(node, ast.ClassDef)
    class_scope = Scope(node, cls.scope.module, cls.scope)
    for statement in node.body:
        if isinstance(statement, FunctionNode) and (
            statement.name == "__init__" or _names_attribute(statement, attribute)
        ):
            return None
    for statement in node.body:
        value = _assigned(statement, attribute, factories=True)
        if isinstance(value, ast.Call):
            built = _built(index, value, class_scope, depth + 1)
            if built is None:
                return None
            return (*built, _nested_variable(index, cls, attribute, environment))
        if value is not None:
            return None
    return None


def _built(
    index: PackageIndex, call: ast.Call, scope: Scope, depth: int
) -> tuple[Binding, ast.Call, Scope] | None:
    """The class of the package ``call`` builds an instance of: directly, or a factory's."""
    if depth > _MAX_DEPTH:
        return None
    qualified = index.qualify(call.func, scope)
    target = index.resolve(qualified)[1] if qualified is not None else None
    if target is None:
        return None
    if target.kind == "class":
        return target, call, scope
    if target.kind != "function":
        return None
    function = target.node
    assert isinstance(function, FunctionNode)
    returned = [
        node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Return) and node.value is not None
    ]
    if len(returned) != 1 or not isinstance(returned[0], ast.Call):
        return None  # `return Settings()` once: any other shape is not followed
    return _built(index, returned[0], Scope(function, target.scope.module, target.scope), depth + 1)


# The environment variable setting a nested group's fields: the group's name, and the root
# settings class's nested delimiter joining the field's name to it ("": the variable holds
# the whole group as JSON).
_Variable = tuple[str, str]


def _nested_variable(
    index: PackageIndex, cls: Binding, attribute: str, outer: _Variable | None
) -> _Variable | None:
    """The variable for the fields of the group ``attribute`` of settings class ``cls``."""
    if outer is not None:
        name, delimiter = outer
        return (name + delimiter + attribute, delimiter) if delimiter else outer
    if not _reads_environment(index, cls):
        return None
    return attribute, _nested_delimiter(cls)


def _nested_delimiter(cls: Binding) -> str:
    """The literal ``env_nested_delimiter`` of a class's ``model_config`` (``""``: none)."""
    node = cls.node
    assert isinstance(node, ast.ClassDef)
    for statement in node.body:
        value = _assigned(statement, "model_config")
        if not isinstance(value, ast.Call | ast.Dict):
            continue
        pairs = (
            [(keyword.arg, keyword.value) for keyword in value.keywords]
            if isinstance(value, ast.Call)
            else [
                (key.value if isinstance(key, ast.Constant) else None, item)
                for key, item in zip(value.keys, value.values, strict=True)
            ]
        )
        for key, item in pairs:
            if (
                key == "env_nested_delimiter"
                and isinstance(item, ast.Constant)
                and isinstance(item.value, str)
            ):
                return item.value
    return ""


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
    if depth > _MAX_DEPTH:
        return None
    node = cls.node
    assert isinstance(node, ast.ClassDef)
    class_scope = Scope(node, cls.scope.module, cls.scope)
    for statement in node.body:
        if isinstance(statement, FunctionNode) and (
            statement.name == "__init__" or _names_attribute(statement, attribute)
        ):
            return None  # its own constructor or a validator may change the value
    for statement in node.body:
        value = _assigned(statement, attribute)
        if value is not None:
            found = index.string_value(value, class_scope, fallback=fallback)
            if found is None:
                return None
            path = cls.scope.module.path
            return found, path, statement.lineno, _reads_environment(index, cls)
    for base in node.bases:
        qualified = index.qualify(base, cls.scope)
        target = index.resolve(qualified)[1] if qualified is not None else None
        if target is not None and target.kind == "class":
            inherited = _declared(index, target, attribute, depth + 1, fallback)
            if inherited is not None:
                text, path, line, from_base = inherited
                return text, path, line, from_base or _reads_environment(index, cls)
    return None


def _assigned(statement: ast.stmt, attribute: str, *, factories: bool = False) -> ast.expr | None:
    """The value a class-body statement gives ``attribute`` (``Field(default=...)``'s too).

    With ``factories``, ``Field(default_factory=Cls)`` gives ``Cls()`` (a call built here).
    """
    value: ast.expr | None = None
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        if statement.target.id == attribute:
            value = statement.value
    elif isinstance(statement, ast.Assign) and any(
        isinstance(target, ast.Name) and target.id == attribute for target in statement.targets
    ):
        value = statement.value
    if isinstance(value, ast.Call) and ast.unparse(value.func).rpartition(".")[2] == "Field":
        for keyword in value.keywords:
            if keyword.arg == "default":
                return keyword.value
            if keyword.arg == "default_factory" and factories:
                return ast.Call(keyword.value, [], [])
        return value.args[0] if value.args else None
    return value


def _names_attribute(function: FunctionNode, attribute: str) -> bool:
    """Whether a method's decorators name ``attribute`` (``@field_validator("API_V1_STR")``)."""
    return any(
        isinstance(node, ast.Constant) and node.value == attribute
        for decorator in function.decorator_list
        for node in ast.walk(decorator)
    )


def _reads_environment(index: PackageIndex, cls: Binding) -> bool:
    """Whether a class is (or derives from) pydantic's ``BaseSettings``."""
    return index.derives_from(cls, lambda name: name.rpartition(".")[2] == _ENVIRONMENT_CLASS)
