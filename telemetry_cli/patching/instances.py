"""Routers held by classes and their instances, read for the route finder and the mount reader.

Class-based views and controllers, routers built in a constructor (with their prefixes bound per
instance through ``super().__init__`` chains), routers of library classes, and what one call
binds to a function's parameters.
"""

import ast
from collections.abc import Callable
from typing import NamedTuple

from telemetry_cli.patching.loops import (
    LoopValues,
    literal_container,
    loop_string,
    rebinds,
)
from telemetry_cli.patching.names import (
    CLASS_VIEW_ENDPOINTS,
    CLASS_VIEW_METHODS,
    HTTP_METHODS,
    LIBRARY_API_ROUTERS,
    MODULE_LOADERS,
    ROUTABLE_CLASSES,
    ROUTABLE_ROUTER,
    ROUTER_CLASSES,
    ROUTER_CONTROLLER_ATTRIBUTES,
    ROUTER_CONTROLLERS,
)
from telemetry_cli.patching.symbols import (
    Binding,
    FunctionNode,
    ModuleModel,
    PackageIndex,
    Role,
    Scope,
    assigned_targets,
    attribute_assignments,
    block_statements,
    bound_once,
    builtin_import,
    call_argument,
    call_bound_once,
    chain_root,
    instance_parameter,
    is_class_method,
    parameter_default,
    passed_for,
    passes_prefix_through,
    returned_only,
    returned_value,
    sole_binding,
    static_or_class,
)


class BoundArguments(NamedTuple):
    """What one call binds to a function's parameters (see :func:`bound_parameters`)."""

    arguments: dict[str, ast.expr]  # each named parameter's value: passed, or its default
    extra: list[ast.keyword]  # keywords matching no parameter, which go to ``**options``
    defaulted: set[str]  # the parameters the call leaves to their default


def bound_parameters(function: FunctionNode, call: ast.Call) -> BoundArguments | None:
    """What ``call`` binds to each named parameter of ``function``, as Python binds them.

    Positional arguments in order, keywords by name, defaults for the rest; keywords matching
    no parameter go to ``**options``. None when a call unpacks (``*items``, ``**options``), the
    function takes ``*args``, or the call would fail.
    """
    signature = function.args
    if (
        signature.vararg is not None
        or any(isinstance(argument, ast.Starred) for argument in call.args)
        or any(keyword.arg is None for keyword in call.keywords)
    ):
        return None
    positional = [*signature.posonlyargs, *signature.args]
    if len(call.args) > len(positional):
        return None
    bound: dict[str, ast.expr] = {
        parameter.arg: argument for parameter, argument in zip(positional, call.args, strict=False)
    }
    by_keyword = {parameter.arg for parameter in [*signature.args, *signature.kwonlyargs]}
    extra: list[ast.keyword] = []
    for keyword in call.keywords:
        assert keyword.arg is not None
        if keyword.arg in bound:
            return None  # given twice: a TypeError when called
        if keyword.arg in by_keyword:
            bound[keyword.arg] = keyword.value
        elif signature.kwarg is not None:
            extra.append(keyword)
        else:
            return None
    defaulted: set[str] = set()
    for parameter in [*positional, *signature.kwonlyargs]:
        if parameter.arg not in bound:
            default = parameter_default(function, parameter.arg)
            if default is None:
                return None  # a required parameter left out: a TypeError when called
            bound[parameter.arg] = default
            defaulted.add(parameter.arg)
    return BoundArguments(bound, extra, defaulted)


def instance_method(function: FunctionNode) -> bool:
    """Whether a function of a class body is a plain method (its first parameter the instance)."""
    arguments = [*function.args.posonlyargs, *function.args.args]
    return bool(arguments) and not static_or_class(function)


PARTIAL = "functools.partial"


def class_endpoint(
    cls: Binding, name: str, *, bound: bool = False
) -> tuple[FunctionNode, Scope] | None:
    """The ``@staticmethod`` or ``@classmethod`` ``name`` of class ``cls``, and its class body.

    ``Controller.create`` read from the class is that function (a class method bound to the
    class): FastAPI calls it as it is, and a log call in it runs for its routes. One reading
    for a class of the module registering it and for one it imports. ``bound``: read from an
    instance (``shelf.list_all``), the plain method ``name`` too: a bound method FastAPI calls
    without the instance parameter. None for anything else (a plain method read from the class
    needs an instance).
    """

    def wanted(function: FunctionNode) -> bool:
        # Read from an instance, a class or static method is that function too.
        return static_or_class(function) or (bound and instance_method(function))

    node = cls.node
    assert isinstance(node, ast.ClassDef)
    for statement in node.body:
        if isinstance(statement, FunctionNode) and statement.name == name and wanted(statement):
            return statement, Scope(node, cls.scope.module, cls.scope)
    return None


def resource_methods(cls: Binding, index: PackageIndex) -> list[tuple[str, FunctionNode, Scope]]:
    """The HTTP-method-named instance methods of a resource class, with their class bodies.

    fastapi-restful serves every such member of the class, its own or inherited.
    """
    return [
        (function.name, function, body)
        for function, body in class_members(cls, index)
        if function.name in HTTP_METHODS and instance_method(function)
    ]


def class_view_routes(
    view: ast.Call, cls: Binding, index: PackageIndex
) -> list[tuple[ast.Call, FunctionNode, Scope]]:
    """The routes fastapi-class's ``@View(router, path=...)`` (``view``) gives class ``cls``.

    Each as the ``api_route`` call that registers it (its path, its ``methods=``), with the
    method and its class body: the methods named after one of the library's HTTP methods, at
    ``path`` (``"/"`` by default), and those marked ``@endpoint(methods, path="/sub")``, at
    ``path`` followed by theirs; inherited ones too, as the library reads the instance's members.
    """
    base = call_argument(view, None, "path")
    routes: list[tuple[ast.Call, FunctionNode, Scope]] = []
    for function, body in class_members(cls, index):
        marked = next(
            (
                decorator
                for decorator in function.decorator_list
                if isinstance(decorator, ast.Call)
                and (qualified := index.qualify(decorator.func, body)) is not None
                and index.resolve(qualified)[0] in CLASS_VIEW_ENDPOINTS
            ),
            None,
        )
        if marked is None and function.name not in CLASS_VIEW_METHODS:
            continue
        path: ast.expr = base if base is not None else ast.Constant("/")
        methods: ast.expr = ast.List([ast.Constant(function.name)], ast.Load())
        if marked is not None:
            sub = call_argument(marked, None, "path")
            if sub is not None:
                path = ast.BinOp(path, ast.Add(), sub)
            # `endpoint()` serves the method named by `name=`, else the function's name.
            given = call_argument(marked, 0, "methods") or call_argument(marked, None, "name")
            if isinstance(given, ast.List | ast.Tuple | ast.Set):
                methods = given
            elif given is not None:
                methods = ast.List([given], ast.Load())
        keywords = [ast.keyword("methods", methods)]
        call = ast.copy_location(ast.Call(view.func, [path], keywords), view)
        routes.append((call, function, body))
    return routes


def class_members(cls: Binding, index: PackageIndex) -> list[tuple[FunctionNode, Scope]]:
    """The functions of class ``cls`` and of its bases in the package, with their class bodies.

    A name the class defines hides the same name of its bases, as attribute lookup does.
    """
    found: dict[str, tuple[FunctionNode, Scope]] = {}
    for current in index.lineage(cls) if cls.kind == "class" else ():
        node = current.node
        assert isinstance(node, ast.ClassDef)
        body = Scope(node, current.scope.module, current.scope)
        for statement in node.body:
            if isinstance(statement, FunctionNode):
                found.setdefault(statement.name, (statement, body))
    return list(found.values())


def method_of_instance(name: ast.Name, scope: Scope) -> Scope | None:
    """The scope of the method whose instance parameter ``name`` is, seen from ``scope``.

    ``self`` in a method (or in a function nested in one) of a class; None for anything else.
    """
    binding = scope.lookup(name.id)
    return None if binding is None else _instance_parameter_of(binding)


def parameter_class(
    expression: ast.expr, scope: Scope, index: PackageIndex, depth: int = 0
) -> Binding | None:
    """The package class of the instance a function's parameter is, when ``expression`` is one.

    ``api`` of ``def register_routes(api: "RESTfulAPI")``, or unannotated with the one call of
    the function passing such an instance (``register_routes(self)`` in a method of the class,
    ``register_routes(service)`` after ``service = Service()``, or a parameter of its own
    passed on): its attributes (its router) and bound methods (its endpoints) are the class's.
    A method's own instance (``self``) is read by :func:`method_of_instance` instead.
    """
    if not isinstance(expression, ast.Name) or depth > MAX_DELEGATIONS:
        return None
    binding = scope.lookup(expression.id)
    if binding is None or binding.kind != "param" or _instance_parameter_of(binding) is not None:
        return None
    argument = binding.node
    assert isinstance(argument, ast.arg)
    if argument.annotation is not None:
        return index.annotation_class(argument.annotation, binding.scope)
    passed = None if index.mounts is None else index.mounts.arguments_passed(binding)
    if passed is None or len(passed) != 1:
        return None  # called several times, or not by the package: which instance, not known
    given, given_scope = passed[0]
    method = method_of_instance(given, given_scope) if isinstance(given, ast.Name) else None
    if method is not None:
        # `register_routes(self)`: the class of the method passing its own instance.
        class_scope = method.parent
        assert class_scope is not None and isinstance(class_scope.node, ast.ClassDef)
        if class_scope.parent is None or class_scope.parent.parent is not None:
            return None  # a nested class: no module-level class of the package
        return Binding("class", class_scope.node.name, class_scope.parent, class_scope.node)
    return instance_class(given, given_scope, index, once=True) or parameter_class(
        given, given_scope, index, depth + 1
    )


def _instance_parameter_of(binding: Binding) -> Scope | None:
    """The scope of the method whose instance parameter (``self``) ``binding`` is, or None."""
    method = binding.scope
    function = method.node
    if not (
        binding.kind == "param"
        and isinstance(function, FunctionNode)
        and method.parent is not None
        and method.parent.is_class
        and instance_method(function)
    ):
        return None
    first = [*function.args.posonlyargs, *function.args.args][0]
    return method if first is binding.node else None


def app_instance_parameter(binding: Binding, index: PackageIndex) -> bool:
    """Whether a parameter is the instance (``self``) of a method of a FastAPI subclass.

    ``class ServiceApp(FastAPI): def wire(self): self.include_router(api)``: ``self`` is the
    app itself, as every instance of the class is one.
    """
    return instance_role(binding, index) is Role.APP


def router_class_instance(binding: Binding, index: PackageIndex) -> Scope | None:
    """The class scope when a parameter is the instance (``self``) of an APIRouter subclass.

    ``class ApiRouter(APIRouter): def __init__(self): self.include_router(v1)``: ``self`` is a
    router, as every instance of the class is one.
    """
    if instance_role(binding, index) is not Role.ROUTER:
        return None
    method = _instance_parameter_of(binding)
    return None if method is None else method.parent


def instance_role(binding: Binding, index: PackageIndex) -> Role | None:
    """The role of the class whose instance parameter (``self``) ``binding`` is, by its bases.

    ``Role.ROUTER`` for ``self`` in ``class Reports(APIRouter)``; None for a class deriving
    from neither an app nor a router, or a parameter that is no ``self``.
    """
    method = _instance_parameter_of(binding)
    if method is None or method.parent is None or method.parent.parent is None:
        return None
    outer = method.parent.parent
    cls = method.parent.node
    assert isinstance(cls, ast.ClassDef)
    for base in cls.bases:
        qualified = index.qualify(base, outer)
        role = None if qualified is None else index.class_role(qualified)[0]
        if role is not None:
            return role
    return None


def instance_app(expression: ast.expr, scope: Scope, index: PackageIndex) -> bool:
    """Whether ``self.<attribute>`` in a method (or ``cls.<attribute>``) is an app its class builds.

    ``self.app = FastAPI(...)`` in ``__init__``, then ``self.app.include_router(...)``: every
    assignment of that attribute in the class's methods builds an app. ``cls.APPLICATION =
    FastAPI()`` in a ``@classmethod`` keeps the app on the class (every class method setting
    it builds one); the class body's ``APPLICATION = None`` is a placeholder until then.
    """
    if not (isinstance(expression, ast.Attribute) and isinstance(expression.value, ast.Name)):
        return False
    method = method_of_instance(expression.value, scope)
    if method is not None and method.parent is not None:
        assigned = instance_assignments(method.parent, expression.attr, method.module)
    elif (
        method := method_of_class(expression.value, scope)
    ) is not None and method.parent is not None:
        assigned = class_assignments(method.parent, expression.attr, method.module)
    else:
        # `Application.APPLICATION` read on the class itself (or `cls` read as the class it is).
        cls = index.binding_of(expression.value, scope)
        if cls is None or cls.kind != "class" or not isinstance(cls.node, ast.ClassDef):
            return False
        class_scope = Scope(cls.node, cls.scope.module, cls.scope)
        assigned = class_assignments(class_scope, expression.attr, cls.scope.module)
    return bool(assigned) and all(
        isinstance(value, ast.Call) and index.built_role(value, value_scope)[0] is Role.APP
        for value, value_scope in assigned
    )


def method_of_class(name: ast.Name, scope: Scope) -> Scope | None:
    """The scope of the ``@classmethod`` whose class parameter (``cls``) ``name`` is, or None."""
    binding = scope.lookup(name.id)
    if binding is None or binding.kind != "param":
        return None
    method = binding.scope
    function = method.node
    if not (
        isinstance(function, FunctionNode)
        and method.parent is not None
        and method.parent.is_class
        and is_class_method(function)
    ):
        return None
    arguments = [*function.args.posonlyargs, *function.args.args]
    return method if arguments and arguments[0] is binding.node else None


def class_assignments(
    class_scope: Scope, attribute: str, module: ModuleModel
) -> list[tuple[ast.expr, Scope]]:
    """Every ``cls.<attribute> = value`` in the class methods of a class, with the method's scope.

    The class body's own assignment counts too, unless it is ``None`` (a placeholder the class
    methods replace: ``APPLICATION = None``).
    """
    found = [
        (value, where)
        for value, where in _body_assignments(class_scope, attribute)
        if not (isinstance(value, ast.Constant) and value.value is None)
    ]
    return found + _method_assignments(class_scope, attribute, module, is_class_method)


def controller_router(
    expression: ast.expr, scope: Scope, index: PackageIndex
) -> tuple[ast.expr, Scope] | None:
    """The router a fastapi-router-controller ``Controller`` was given, read through it.

    ``controller.route`` (or ``.router``) with ``controller = Controller(router)``, and
    ``Cls.router()`` of a class ``@controller.resource()`` marks: the router ``router``, whose
    copy they are (its prefix and routes). None for any other expression.
    """
    if (
        isinstance(expression, ast.Call)
        and not expression.args
        and isinstance(expression.func, ast.Attribute)
        and expression.func.attr == "router"
    ):
        cls = index.binding_of(expression.func.value, scope)
        node = None if cls is None else cls.node
        if cls is None or cls.kind != "class" or not isinstance(node, ast.ClassDef):
            return None
        for decorator in node.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and isinstance(decorator.func, ast.Attribute)
                and decorator.func.attr == "resource"
            ):
                return controller_router(
                    ast.copy_location(
                        ast.Attribute(decorator.func.value, "router", ast.Load()), decorator
                    ),
                    cls.scope,
                    index,
                )
        return None
    if not (
        isinstance(expression, ast.Attribute) and expression.attr in ROUTER_CONTROLLER_ATTRIBUTES
    ):
        return None
    controller = index.binding_of(expression.value, scope)
    if (
        controller is None
        or controller.kind != "value"
        or not isinstance(controller.node, ast.Call)
        or index.qualify(controller.node.func, controller.scope) not in ROUTER_CONTROLLERS
    ):
        return None
    router = call_argument(controller.node, 0, "router")
    return None if router is None else (router, controller.scope)


def instance_router_key(class_scope: Scope, attribute: str) -> tuple[str, str]:
    """How the router a class builds for its instances (``self.router = APIRouter()``) is named.

    One key for every instance of the class (and of its subclasses): their routes are the
    class's handlers, logged once, whichever instance serves them.
    """
    cls = class_scope.node
    assert isinstance(cls, ast.ClassDef)
    return class_scope.module.name, f"{cls.name}.{attribute}"


def class_body_router(binding: Binding) -> tuple[str, str] | None:
    """The key of a router a module-level class body builds, bound once, else None.

    ``class Sensors: router = APIRouter(...)``: named as the class's instance routers are
    (see :func:`instance_router_key`), so that an include of ``Sensors.router`` finds it.
    """
    body = binding.scope
    if not (body.is_class and body.parent is not None and body.parent.parent is None):
        return None
    if not bound_once(binding) or not isinstance(binding.node, ast.Call):
        return None
    return instance_router_key(body, binding.name)


def constructor_router(
    expression: ast.expr, scope: Scope, index: PackageIndex
) -> tuple[ast.expr, Scope] | None:
    """The router ``<instance>.<attribute>`` holds as its class's constructor was given it.

    ``cinema = Module(root="cinema", router=router)`` bound once, its class's ``__init__``
    storing ``self.router = router`` (the class's only assignment of it): ``cinema.router`` is
    the ``router`` the call passes, read where the instance is built. None for anything else,
    a default the call leaves in place too.
    """
    if not isinstance(expression, ast.Attribute):
        return None
    held = index.binding_of(expression.value, scope)
    built = call_bound_once(held)
    if held is None or built is None:
        return None
    cls = index.defined(built.func, held.scope)
    if cls is None or cls.kind != "class" or not isinstance(cls.node, ast.ClassDef):
        return None
    class_scope = Scope(cls.node, cls.scope.module, cls.scope)
    assignments = instance_assignments(class_scope, expression.attr, cls.scope.module)
    if len(assignments) != 1:
        return None
    value, init_scope = assignments[0]
    init = init_scope.node
    if not (
        isinstance(init, FunctionNode) and init.name == "__init__" and isinstance(value, ast.Name)
    ):
        return None
    parameter = init_scope.bindings.get(value.id)
    if parameter is None or parameter.kind != "param":
        return None
    receiver = ast.Name(instance_parameter(init_scope) or "self", ast.Load())
    bound = bound_parameters(init, ast.Call(built.func, [receiver, *built.args], built.keywords))
    argument = None if bound is None else bound.arguments.get(parameter.name)
    passed = [*built.args, *(keyword.value for keyword in built.keywords)]
    if argument is None or not any(argument is item for item in passed):
        return None
    return argument, held.scope


def included_instance_router(
    expression: ast.expr, scope: Scope, index: PackageIndex
) -> tuple[str, str] | None:
    """The key (see :func:`instance_router_key`) of ``<instance>.<attribute>``, else None.

    ``app.include_router(users.route.router)`` with ``route = UsersRoute()`` at module level
    and a class of the package (or a base of it) building ``self.router = APIRouter(...)`` in
    its methods: that class's router. The instance may be built right there
    (``UsersRoute().router``), and the router read through a method of the class that only
    returns it (``UsersRoute().get_router()``, ``def get_router(self): return self.router``)
    or through a property returning it (``UsersRoute().router``, ``@property def router(self):
    return self._router``). Or the instance itself in a method of the class
    (``self.app.include_router(self.router)``).
    """
    if (
        isinstance(expression, ast.Call)
        and isinstance(expression.func, ast.Attribute)
        and not expression.args
        and not expression.keywords
    ):
        cls = instance_class(expression.func.value, scope, index)
        attribute = None if cls is None else _returned_attribute(cls, expression.func.attr, index)
        return None if attribute is None else _class_router(cls, attribute, index)
    if not isinstance(expression, ast.Attribute):
        return None
    # Also an instance an app factory builds once (`ollama = OllamaAPI(rag)` in `create_app`).
    cls = instance_class(expression.value, scope, index, once=True, module=True)
    method = None
    if cls is None and isinstance(expression.value, ast.Name):
        method = method_of_instance(expression.value, scope)
    if method is not None and method.parent is not None and method.parent.parent is not None:
        node = method.parent.node
        assert isinstance(node, ast.ClassDef)
        cls = Binding("class", node.name, method.parent.parent, node)
    if cls is None and method is None:
        # `app.include_router(Sensors.router)`: the router the class body builds.
        held = index.binding_of(expression.value, scope)
        if held is not None and held.kind == "class" and isinstance(held.node, ast.ClassDef):
            body = Scope(held.node, held.scope.module, held.scope)
            value = body.bindings.get(expression.attr)
            if (
                value is not None
                and isinstance(value.node, ast.Call)
                and index.built_role(value.node, body)[0] is Role.ROUTER
            ):
                return class_body_router(value)
    return _class_router(cls, _read_attribute(cls, expression.attr, index), index)


def _read_attribute(cls: Binding | None, attribute: str, index: PackageIndex) -> str:
    """The ``self`` attribute ``<instance>.<attribute>`` reads.

    A property's (see :func:`_returned_attribute`), else ``attribute`` itself.
    """
    getter = None if cls is None else _returned_attribute(cls, attribute, index, called=False)
    return attribute if getter is None else getter


def held_instance_read(
    expression: ast.expr, scope: Scope, index: PackageIndex
) -> tuple[ast.expr, Scope] | None:
    """The instance's router a module-level name holds, read where the name is bound.

    ``router = DefaultModelRouter(Device, crud).router`` (or ``... .get_router()``) bound once
    at module level, then ``include_router(devices.router)``: ``DefaultModelRouter(Device,
    crud).router`` in that module, the router :func:`included_instance_router` reads there.
    None for anything else.
    """
    binding = index.binding_of(expression, scope)
    if (
        binding is None
        or binding.kind != "value"
        or binding.scope.parent is not None
        or not bound_once(binding)
        or not isinstance(binding.node, ast.Attribute | ast.Call)
        or included_instance_router(binding.node, binding.scope, index) is None
    ):
        return None
    return binding.node, binding.scope


def own_class_routers(
    expression: ast.expr, scope: Scope, index: PackageIndex
) -> tuple[tuple[str, str], ...]:
    """The keys of an included instance's router by its own classes, when a base builds it.

    ``app.include_router(AdminsView().router)`` (or ``admins.router``, ``admins =
    AdminsView()`` bound once) where a base of ``AdminsView`` builds ``self.router =
    APIRouter(...)``: every subclass shares the base's key (see
    :func:`included_instance_router`); these tell apart the routes declared on ``self.router``
    by ``AdminsView`` and by each class between it and that base (``class
    AdminsView(UsersView)``, ``class UsersView(BaseView)``). Empty otherwise.
    """
    attribute: str | None = None
    cls: Binding | None = None
    if (
        isinstance(expression, ast.Call)
        and isinstance(expression.func, ast.Attribute)
        and not expression.args
        and not expression.keywords
    ):
        cls = instance_class(expression.func.value, scope, index, once=True)
        attribute = None if cls is None else _returned_attribute(cls, expression.func.attr, index)
    elif isinstance(expression, ast.Attribute):
        cls = instance_class(expression.value, scope, index, once=True)
        attribute = _read_attribute(cls, expression.attr, index)
    if cls is None or attribute is None or _class_router(cls, attribute, index) is None:
        return ()
    found = assigning_class(cls, attribute, index)
    if found is None:
        return ()
    builder = found[0].node
    keys: list[tuple[str, str]] = []
    for _ in range(MAX_BASES):
        node = cls.node
        assert isinstance(node, ast.ClassDef)
        if node is builder:
            return tuple(keys)  # the class building it has its key already
        keys.append(instance_router_key(Scope(node, cls.scope.module, cls.scope), attribute))
        # On to the base the router comes from (the first one, as Python's lookup goes).
        cls = next(
            (
                base
                for base in index.package_bases(cls)
                if (built := assigning_class(base, attribute, index)) is not None
                and built[0].node is builder
            ),
            None,
        )
        if cls is None:
            break
    return ()


def own_instance_router(
    expression: ast.expr,
    scope: Scope,
    index: PackageIndex,
    defaults: Callable[[ast.expr, Scope], str | None] | None = None,
) -> tuple[tuple[str, str], str | None] | None:
    """``self.router`` in a method, the router its class (or a base) builds for the instance.

    Its key (see :func:`included_instance_router`) and its own ``prefix=`` (None: run time),
    for includes made on it (``self.router.include_router(AuthRouter().router)``).
    """
    if not (isinstance(expression, ast.Attribute) and isinstance(expression.value, ast.Name)):
        return None
    method = method_of_instance(expression.value, scope)
    key = None if method is None else included_instance_router(expression, scope, index)
    if key is None or method is None or method.parent is None or method.parent.parent is None:
        return None
    node = method.parent.node
    assert isinstance(node, ast.ClassDef)
    cls = Binding("class", node.name, method.parent.parent, node)
    found = assigning_class(cls, expression.attr, index)
    if found is None or len(found[1]) != 1 or not isinstance(found[1][0][0], ast.Call):
        return None
    value, method_scope = found[1][0]
    assert isinstance(value, ast.Call)
    standard = index.built_role(value, method_scope)[1]
    return key, router_prefix(value, standard, index, method_scope, defaults)


def library_call(expression: ast.expr, scope: Scope, index: PackageIndex) -> bool:
    """Whether ``expression`` calls a function of an installed library, not of the package.

    ``get_auth_router(auth_backend)`` imported from a library: the router it returns is the
    library's. So is a method's of an object a library's class builds, bound once
    (``fastapi_users.get_auth_router(auth_backend)`` after ``fastapi_users =
    FastAPIUsers[User, int](...)``, the class parametrized or not).
    """
    return calling_library(expression, scope, index) is not None


def calling_library(expression: ast.expr, scope: Scope, index: PackageIndex) -> str | None:
    """The top package of the installed library whose function ``expression`` calls, else None.

    See :func:`library_call`: ``fastapi_users`` for ``fastapi_users.get_auth_router(backend)``
    (a method of an object ``FastAPIUsers`` builds), ``fastapi_crudrouter`` for
    ``CRUDRouter(schema=Item)``.
    """
    if not isinstance(expression, ast.Call):
        return None
    found = _library_of(expression.func, scope, index)
    if found is not None or not isinstance(expression.func, ast.Attribute):
        return found
    instance = index.binding_of(expression.func.value, scope)
    built = call_bound_once(instance)
    if instance is None or built is None:
        return None
    return _library_of(built.func, instance.scope, index)


def _library_of(function: ast.expr, scope: Scope, index: PackageIndex) -> str | None:
    """The top package of the installed library ``function`` is of, else None.

    ``FastAPIUsers[User, int]``: its class's.
    """
    if isinstance(function, ast.Subscript):
        function = function.value
    qualified = index.qualify(function, scope)
    if qualified is None:
        return None
    canonical, binding = index.resolve(qualified)
    return canonical.partition(".")[0] if index.from_a_library(canonical, binding) else None


def library_built(expression: ast.expr, scope: Scope, index: PackageIndex) -> bool:
    """Whether ``expression`` is an object a library's call builds, there or in a name bound once.

    ``graphql_app = GraphQL(schema)`` (Ariadne's, Strawberry's ASGI app): no code of the package
    runs for its requests.
    """
    built = expression if isinstance(expression, ast.Call) else None
    if isinstance(expression, ast.Name):
        built = call_bound_once(index.binding_of(expression, scope))
    return built is not None and library_call(built, scope, index)


def library_object_router(
    expression: ast.expr, scope: Scope, index: PackageIndex
) -> tuple[str, str] | None:
    """The key of ``<object>.<attribute>`` when a library builds the object, else None.

    ``cog = TilerFactory()`` at module level or in an app factory (a class the package does
    not define, building no app or router itself) holds a router the package adds routes to
    (``@cog.router.get``) and includes (``app.include_router(cog.router)``): what the library
    put in it is not known, but an ``include_router`` of it says it is a router. Keyed by the
    object's module (and function) and the attribute read, the same wherever it is imported.
    """
    if not (isinstance(expression, ast.Attribute) and isinstance(expression.value, ast.Name)):
        return None
    instance = index.binding_of(expression.value, scope)
    if (
        instance is None
        or instance.kind != "value"
        or not isinstance(instance.node, ast.Call)
        or index.defined(instance.node.func, instance.scope) is not None
        or index.built_role(instance.node, instance.scope)[0] is not None
        # `module = import_module(...)`: a module's router (see mounts' run-time imports).
        or index.qualify(instance.node.func, instance.scope) in MODULE_LOADERS
        or builtin_import(instance.node, instance.scope)
    ):
        return None
    where = instance.scope.node
    # Built in an app factory (`cog = TilerFactory()` in `create_app()`): named under it.
    within = f"{where.name}." if isinstance(where, FunctionNode) else ""
    if instance.scope.parent is not None and not within:
        return None
    return instance.scope.module.name, f"{within}{instance.name}.{expression.attr}"


def instance_class(
    expression: ast.expr,
    scope: Scope,
    index: PackageIndex,
    *,
    once: bool = False,
    module: bool = False,
) -> Binding | None:
    """The module-level class of the package whose instance ``expression`` is, else None.

    Built right there (``UsersRoute()``), or a name bound to one (``route = UsersRoute()``),
    here or in the module it is imported from. A name must be bound at module level, or with
    ``once`` (the instance a bound method endpoint is read from: the one its route calls) bound
    once, anywhere: a function's own instance counts, one rebound or changed in place does not.
    With ``once`` and ``module`` either counts.
    """
    found = _instance_call(expression, scope, index, once=once, module=module)
    cls = None if found is None else index.defined(found[0].func, found[1])
    return cls if cls is not None and cls.kind == "class" else None


def _instance_call(
    expression: ast.expr,
    scope: Scope,
    index: PackageIndex,
    *,
    once: bool = False,
    module: bool = False,
) -> tuple[ast.Call, Scope] | None:
    """The call building the instance ``expression`` is (see :func:`instance_class`)."""
    built: ast.AST | None = expression
    built_scope = scope
    if (
        once
        and isinstance(expression, ast.Attribute)
        and isinstance(expression.value, ast.Name)
        and expression.value.id == instance_parameter(scope)
        and scope.parent is not None
        and scope.parent.is_class
    ):
        # `self.router` in a method, after `self.router = Router()` (the class's one
        # assignment of it): the instance that call builds.
        assigned = instance_assignments(scope.parent, expression.attr, scope.module)
        if len(assigned) != 1 or not isinstance(assigned[0][0], ast.Call):
            return None
        return assigned[0][0], assigned[0][1]
    if not isinstance(expression, ast.Call):
        instance = index.binding_of(expression, scope)
        if instance is None:
            return None
        if instance.kind == "value" and instance.scope.parent is None and (module or not once):
            built = instance.node
        elif once:
            built = call_bound_once(instance)
        else:
            return None
        built_scope = instance.scope
    return (built, built_scope) if isinstance(built, ast.Call) else None


def included_instance(expression: ast.expr, scope: Scope, index: PackageIndex) -> "InstanceCall":
    """The constructor call of the instance whose router an include reads, bound once.

    ``Users("users").get_router()``, ``Users("users").router``, or ``users.router`` with
    ``users = Users("users")`` bound once: that call and its scope. None otherwise.
    """
    held: ast.expr | None = None
    if isinstance(expression, ast.Call) and isinstance(expression.func, ast.Attribute):
        if not expression.args and not expression.keywords:
            held = expression.func.value
    elif isinstance(expression, ast.Attribute):
        held = expression.value
    return None if held is None else _instance_call(held, scope, index, once=True)


#: The call building an instance, with the scope it is made in (None: not one known).
InstanceCall = tuple[ast.Call, Scope] | None


def constructed_prefix(built: InstanceCall, attribute: str, index: PackageIndex) -> str | None:
    """The prefix of the router an instance's ``__init__`` builds as ``self.<attribute>``.

    ``class Feature: def __init__(self, name): self.router = APIRouter(prefix=f"/{name}")``
    built as ``Feature("books")``: "/books", the constructor's arguments bound to its
    parameters, through the ``super().__init__(...)`` calls of subclasses on the way
    (``class Users(Feature): def __init__(self): super().__init__("users")``). None when the
    router is not built that way, or its prefix is not known statically.
    """
    if built is None:
        return None
    call, call_scope = built
    cls = index.defined(call.func, call_scope)
    values: LoopValues = {}
    for _ in range(MAX_BASES):
        if cls is None or cls.kind != "class":
            return None
        node = cls.node
        assert isinstance(node, ast.ClassDef)
        class_scope = Scope(node, cls.scope.module, cls.scope)
        init = _own_init(node)
        if init is not None:
            init_scope = Scope(init, cls.scope.module, class_scope)
            receiver = ast.Name(instance_parameter(init_scope) or "self", ast.Load())
            run = ast.Call(call.func, [receiver, *call.args], call.keywords)
            values = passed_values(init, init_scope, init, run, call_scope, values)
            assigned = instance_assignments(class_scope, attribute, cls.scope.module)
            if assigned:
                if len(assigned) != 1 or assigned[0][1].node is not init:
                    return None
                router = assigned[0][0]
                if not isinstance(router, ast.Call):
                    return None
                standard = index.built_role(router, init_scope)[1]
                return router_prefix(router, standard, index, init_scope, values=values)
            super_call = _super_init(init)
            if super_call is None:
                return None
            call, call_scope = super_call, init_scope
        cls = next(iter(index.package_bases(cls)), None)
    return None


def _returned_attribute(
    cls: Binding, method: str, index: PackageIndex, *, called: bool = True
) -> str | None:
    """The ``self`` attribute a method of ``cls`` (or of a base of the package) only returns.

    ``def get_router(self) -> APIRouter: return self.router`` (after a docstring): ``router``;
    None for a method doing anything else (it may build or change what it returns). A base
    imported from another module counts too (``class AuthRouter(BaseRouter)``). Without
    ``called``, a property's getter instead (``@property def router(self): return
    self._router``, or ``@cached_property``), read as ``UserRouter().router``.
    """
    members = {function.name: function for function, _ in class_members(cls, index)}
    statement = members.get(method)
    if statement is not None:
        parameters = statement.args.posonlyargs + statement.args.args
        returned = returned_only(statement)
        decorators = [
            ast.unparse(decorator).rpartition(".")[2] for decorator in statement.decorator_list
        ]
        getter = decorators in (["property"], ["cached_property"])
        if (
            (bool(decorators) if called else not getter)
            or len(parameters) != 1
            or not isinstance(returned, ast.Attribute)
            or not isinstance(returned.value, ast.Name)
            or returned.value.id != parameters[0].arg
        ):
            return None
        return returned.attr
    return None


def _class_router(
    cls: Binding | None, attribute: str, index: PackageIndex
) -> tuple[str, str] | None:
    """The class (``cls`` or a base) whose methods build ``self.<attribute>`` as a router."""
    found = assigning_class(cls, attribute, index)
    if found is None:
        return None
    class_scope, assigned = found
    routers = all(
        isinstance(value, ast.Call) and index.built_role(value, method_scope)[0] is Role.ROUTER
        for value, method_scope in assigned
    )
    return instance_router_key(class_scope, attribute) if routers else None


def assigning_class(
    cls: Binding | None, attribute: str, index: PackageIndex
) -> tuple[Scope, list[tuple[ast.expr, Scope]]] | None:
    """The class (``cls`` or the nearest base of the package) assigning ``self.<attribute>``.

    Its body's scope and the assignments (see :func:`instance_assignments`); None when no
    class of the lineage assigns it.
    """
    for current in () if cls is None or cls.kind != "class" else index.lineage(cls):
        node = current.node
        assert isinstance(node, ast.ClassDef)
        class_scope = Scope(node, current.scope.module, current.scope)
        assigned = instance_assignments(class_scope, attribute, current.scope.module)
        if assigned:
            return class_scope, assigned
    return None


#: How many methods deep a decorator returned by another method of the instance is followed
#: (``def route(self, path): return self._register(path)``).
MAX_DELEGATIONS = 4

#: How many base classes deep a class of the package is followed (the one building an
#: instance's router, the one defining an app's route decorators).
MAX_BASES = 8


def instance_assignments(
    class_scope: Scope, attribute: str, module: ModuleModel
) -> list[tuple[ast.expr, Scope]]:
    """Every ``self.<attribute> = value`` in the methods of a class, with the method's scope.

    An assignment in the class body (``app = FastAPI()``) is what ``self.app`` reads too.
    """
    return _body_assignments(class_scope, attribute) + _method_assignments(
        class_scope, attribute, module, instance_method
    )


def _body_assignments(class_scope: Scope, attribute: str) -> list[tuple[ast.expr, Scope]]:
    """Every ``<attribute> = value`` of a class body itself, with the class body's scope."""
    cls = class_scope.node
    assert isinstance(cls, ast.ClassDef)
    return [
        (value, class_scope)
        for statement in cls.body
        if isinstance(statement, ast.Assign | ast.AnnAssign)
        and (value := statement.value) is not None
        and any(
            isinstance(target, ast.Name) and target.id == attribute
            for target in assigned_targets(statement)
        )
    ]


def _method_assignments(
    class_scope: Scope,
    attribute: str,
    module: ModuleModel,
    runs_on: Callable[[FunctionNode], bool],
) -> list[tuple[ast.expr, Scope]]:
    """Every ``<first parameter>.<attribute> = value`` in the methods ``runs_on`` picks.

    With the method's scope: ``self.app = ...`` of the instance methods, ``cls.APP = ...`` of
    the class methods.
    """
    cls = class_scope.node
    assert isinstance(cls, ast.ClassDef)
    found: list[tuple[ast.expr, Scope]] = []
    for method in cls.body:
        if not (isinstance(method, FunctionNode) and runs_on(method)):
            continue
        method_scope: Scope | None = None
        for _, name, value in attribute_assignments(method):
            if name == attribute:
                if method_scope is None:
                    method_scope = Scope(method, module, class_scope)
                found.append((value, method_scope))
    return found


def router_prefix(
    call: ast.Call,
    standard: bool,
    index: PackageIndex,
    scope: Scope,
    fallback: Callable[[ast.expr, Scope], str | None] | None = None,
    values: LoopValues | None = None,
) -> str | None:
    """The ``prefix=`` of ``APIRouter(...)``, None when not known statically.

    ``standard``: the class is ``APIRouter`` or takes its arguments (see ``built_role``);
    ``fallback``: as for :meth:`~.symbols.PackageIndex.string_value`; ``values``: what the
    names the call reads are bound to (see :func:`passed_values`).
    """
    values = dict(values or {})
    held = index.partial_of(call.func, scope) if standard else None
    if held is not None and not any(keyword.arg in ("prefix", None) for keyword in call.keywords):
        # `create_router(tags=[...])` of `create_router = partial(APIRouter, prefix="/v1")`:
        # the prefix the partial gives, read where it is written (none: the class's default).
        partial, partial_scope = held
        given = ast.Call(func=partial.args[0], args=partial.args[1:], keywords=partial.keywords)
        inner = ast.copy_location(given, partial)
        return router_prefix(inner, standard, index, partial_scope, fallback)
    if not standard:
        # A class with its own constructor decides the prefix; so does a function, unless it
        # returns an `APIRouter(...)` call whose arguments read what its caller passes.
        built = router_helper_call(call, index, scope)
        if built is None:
            return None
        call, scope, values = built
    for keyword in call.keywords:
        if keyword.arg == "prefix":
            return _library_normalised(
                loop_string(keyword.value, scope, values, index, fallback), call, index, scope
            )
    for keyword in call.keywords:
        if keyword.arg is not None:
            continue
        # `APIRouter(**router_docs)`: a dict literal bound once holds the options, else
        # **options may hold a prefix only known at run time.
        found = literal_container(keyword.value, scope, index)
        if found is None:
            return None
        options, options_scope = found
        if not isinstance(options, ast.Dict):
            return None
        for key, value in zip(options.keys, options.values, strict=True):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                return None  # `**more` inside, or a key only known at run time
            if key.value == "prefix":
                prefix = loop_string(value, options_scope, values, index, fallback)
                return _library_normalised(prefix, call, index, scope)
    # A router class from a library may name its own prefix when given none (fastapi-crudrouter
    # derives it from the schema): only `router.prefix` at run time says which.
    return None if _library_router_class(call, index, scope) else ""


def package_function(call: ast.Call, index: PackageIndex, scope: Scope) -> Binding | None:
    """The function of the package (not a method: ``self`` shifts positions) ``call`` runs."""
    qualified = index.qualify(call.func, scope)
    called = None if qualified is None else index.resolve(qualified)[1]
    if called is None or called.kind != "function" or isinstance(called.scope.node, ast.ClassDef):
        return None
    return called


def router_helper_call(
    call: ast.Call, index: PackageIndex, scope: Scope
) -> tuple[ast.Call, Scope, LoopValues] | None:
    """The ``APIRouter(...)`` call a function of the package runs for ``call`` and returns.

    ``def make_router(prefix, tag="misc"): return APIRouter(prefix=prefix, tags=[tag])`` (or
    ``router = APIRouter(...)`` bound once in it, then ``return router``), called as
    ``make_router("/tracks")``: that call, the function's scope, and what ``call`` passes for
    each parameter the call reads (its default when it passes nothing), also through the
    function's ``**kwargs``. None for anything else.
    """
    helper = package_function(call, index, scope)
    if helper is None:
        return None
    function = helper.node
    assert isinstance(function, FunctionNode)
    function_scope = Scope(function, helper.scope.module, helper.scope)
    returned = returned_value(function)
    built: ast.Call | None = returned if isinstance(returned, ast.Call) else None
    built_scope = function_scope
    if isinstance(returned, ast.Name):
        local = function_scope.lookup(returned.id)
        built = call_bound_once(local)
        built_scope = function_scope if local is None else local.scope
    if built is None or index.built_role(built, built_scope) != (Role.ROUTER, True):
        return None
    values = passed_values(built, built_scope, function, call, scope)
    return _keywords_passed_on(built, function, call, scope, values), built_scope, values


def passed_values(
    reader: ast.AST,
    scope: Scope,
    function: FunctionNode,
    call: ast.Call,
    call_scope: Scope,
    outer: LoopValues | None = None,
) -> LoopValues:
    """What ``call`` passes for each parameter of ``function`` that ``reader`` (in ``scope``) reads.

    Its default when the call passes nothing. An argument that is itself a parameter ``outer``
    binds (``super().__init__(prefix=prefix)``, the caller's own call bound first) takes that
    value, so a chain of calls is followed to the first one's arguments.
    """
    values: LoopValues = {}
    for node in ast.walk(reader):
        if not isinstance(node, ast.Name):
            continue
        parameter = scope.lookup(node.id)
        if parameter is None or parameter.kind != "param" or parameter.scope.node is not function:
            continue
        passed = passed_for(call, call_scope, parameter)
        if passed is not None and outer and isinstance(passed[0], ast.Name):
            given = call_scope.lookup(passed[0].id)
            if given is not None and given.kind == "param" and passed[0].id in outer:
                passed = outer[passed[0].id]
        if passed is not None:
            values[node.id] = passed
    return values


# The names the caller's keywords take in a router call that receives them through `**kwargs`:
# no Python name can start with a digit, so none clashes with a parameter's.
_PASSED_ON = "0{}"


def _keywords_passed_on(
    built: ast.Call, function: FunctionNode, call: ast.Call, scope: Scope, values: LoopValues
) -> ast.Call:
    """``built`` with its ``**kwargs`` of ``function``'s own written out as ``call`` passes them.

    ``def logged_router(**kwargs): return APIRouter(tags=["x"], **kwargs)`` called as
    ``logged_router(prefix="/logs")``: ``APIRouter(tags=["x"], prefix=<"/logs">)``, each keyword
    the function's named parameters leave read from ``values``. As written when ``call``
    passes ``**options`` of its own (which keywords, not known).
    """
    kwarg = function.args.kwarg
    arguments = function.args
    named = {item.arg for item in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
    passed_on = [keyword for keyword in call.keywords if keyword.arg not in named]
    if kwarg is None or any(keyword.arg is None for keyword in passed_on):
        return built
    keywords: list[ast.keyword] = []
    for keyword in built.keywords:
        value = keyword.value
        if keyword.arg is not None or not (isinstance(value, ast.Name) and value.id == kwarg.arg):
            keywords.append(keyword)
            continue
        for item in passed_on:
            assert item.arg is not None
            alias = _PASSED_ON.format(item.arg)
            values[alias] = (item.value, scope)
            read = ast.copy_location(ast.Name(alias, ast.Load()), item.value)
            keywords.append(ast.copy_location(ast.keyword(item.arg, read), item))
    return ast.copy_location(ast.Call(built.func, built.args, keywords), built)


def refused_prefix(prefix: str) -> bool:
    """Whether FastAPI's ``APIRouter`` refuses ``prefix``: one starts with '/', ends without."""
    return bool(prefix) and (not prefix.startswith("/") or prefix.endswith("/"))


def _library_normalised(
    prefix: str | None, call: ast.Call, index: PackageIndex, scope: Scope
) -> str | None:
    """``prefix`` as the router ``call`` builds gets it; None when only known at run time.

    A router class from a library given a prefix ``APIRouter`` refuses must rewrite it before
    (fastapi-crudrouter makes ``"potato"`` ``"/potato"``), or the app could not start: how is
    the library's, so ``router.prefix`` at run time says it.
    """
    if prefix is not None and refused_prefix(prefix) and _library_router_class(call, index, scope):
        return None
    return prefix


def _library_router_class(call: ast.Call, index: PackageIndex, scope: Scope) -> bool:
    """Whether ``call`` builds a router of a class from outside the package, not ``APIRouter``.

    Nor a library's subclass known to keep its constructor (:data:`LIBRARY_API_ROUTERS`).
    """
    qualified = index.qualify(call.func, scope)
    if qualified is None:
        return False
    canonical, binding = index.resolve(qualified)
    known = canonical in ROUTER_CLASSES or canonical in LIBRARY_API_ROUTERS
    return not known and index.from_a_library(canonical, binding)


def routable_router(
    expression: ast.expr,
    scope: Scope,
    index: PackageIndex,
    fallback: Callable[[ast.expr, Scope], str | None] | None = None,
) -> tuple[tuple[str, str], str | None] | None:
    """The class and prefix of ``<instance>.router``, an instance of a classy-fastapi ``Routable``.

    ``Users(prefix="/users").router``, or ``users.router`` with ``users = Users(...)`` (also
    imported). Returns ``(module, class)`` of a module-level class and the prefix the instance's
    router gets (None: only known at run time); None for anything else.
    """
    if not (isinstance(expression, ast.Attribute) and expression.attr == ROUTABLE_ROUTER):
        return None
    built = expression.value
    if not isinstance(built, ast.Call):
        instance = index.binding_of(built, scope)
        if instance is None or instance.kind != "value" or not isinstance(instance.node, ast.Call):
            return None
        built, scope = instance.node, instance.scope
    cls = index.defined(built.func, scope)
    if (
        cls is None
        or cls.kind != "class"
        or cls.scope.parent is not None
        or not index.derives_from(cls, ROUTABLE_CLASSES.__contains__)
    ):
        return None
    key = (cls.scope.module.name, cls.name)
    return key, instance_prefix(built, scope, cls, index, fallback)


# How many classes of the package an instance's constructor is followed through.
_MAX_CLASSES = 8


def instance_prefix(
    call: ast.Call,
    scope: Scope,
    cls: Binding,
    index: PackageIndex,
    fallback: Callable[[ast.expr, Scope], str | None] | None,
) -> str | None:
    """The prefix of the router a ``Routable`` instance built by ``call`` gets.

    ``Routable.__init__`` hands its arguments to ``APIRouter``: the constructor call's
    ``prefix=``, unless a class of the package on the way defines its own ``__init__``; then the
    ``prefix=`` of its ``super().__init__(...)`` call (DI constructors: ``def __init__(self,
    service): super().__init__(prefix="/users")``), or None when that is not known statically.
    """
    for _ in range(_MAX_CLASSES):
        node = cls.node
        assert isinstance(node, ast.ClassDef)
        if f"{cls.scope.module.name}.{cls.name}" in ROUTABLE_CLASSES:
            break  # the library's own class (a copy in the project), which builds the router
        init = _own_init(node)
        if init is not None and not passes_prefix_through(init):
            super_call = _super_init(init)
            if super_call is None:
                return None
            class_scope = Scope(node, cls.scope.module, cls.scope)
            return router_prefix(
                super_call, True, index, Scope(init, cls.scope.module, class_scope), fallback
            )
        own = index.package_bases(cls)
        if not own:
            break
        cls = own[0]
    else:
        return None
    return router_prefix(call, True, index, scope, fallback)


def _own_init(cls: ast.ClassDef) -> FunctionNode | None:
    """The ``__init__`` a class body defines itself, if any."""
    return next(
        (item for item in cls.body if isinstance(item, FunctionNode) and item.name == "__init__"),
        None,
    )


def _super_init(init: FunctionNode) -> ast.Call | None:
    """The ``super().__init__(...)`` call of an ``__init__``, if it makes exactly one."""
    calls = [
        node
        for node in ast.walk(init)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "__init__"
        and isinstance(node.func.value, ast.Call)
        and isinstance(node.func.value.func, ast.Name)
        and node.func.value.func.id == "super"
    ]
    return calls[0] if len(calls) == 1 else None


def reachable(expression: ast.expr | None, scope: Scope, handler_scope: Scope) -> str | None:
    """The source of ``expression`` if a handler's body can evaluate it to the same object.

    It must be a name (or attribute chain on one) that the handler sees bound as in ``scope``:
    not a class attribute (invisible from methods), not shadowed by the handler's own names.
    """
    if expression is None:
        return None
    if isinstance(expression, ast.JoinedStr):
        # f"{url_prefix}/models": each value it formats, as the handler reads it.
        values = [value for value in expression.values if isinstance(value, ast.FormattedValue)]
        if all(
            value.conversion == -1
            and value.format_spec is None
            and read_alike(value.value, scope, handler_scope)
            for value in values
        ):
            return as_written(expression, scope)
        return None
    if isinstance(expression, ast.BinOp) and isinstance(expression.op, ast.Add):
        # f"{settings.PREFIX}" + "/tiles/{z}", PREFIX + "/legend": each part a string literal
        # or read by the handler as by the decorator.
        if all(
            (isinstance(side, ast.Constant) and isinstance(side.value, str))
            or (
                reachable(side, scope, handler_scope) is not None
                if isinstance(side, ast.JoinedStr | ast.BinOp | ast.Subscript)
                else read_alike(side, scope, handler_scope)
            )
            for side in (expression.left, expression.right)
        ):
            return as_written(expression, scope)
        return None
    if isinstance(expression, ast.Subscript):
        # ROUTES[Action.CHAT]: a constant table, looked up with a constant key.
        key = expression.slice
        if (isinstance(key, ast.Constant) or read_alike(key, scope, handler_scope)) and read_alike(
            expression.value, scope, handler_scope
        ):
            return as_written(expression, scope)
        return None
    base = chain_root(expression)
    if not isinstance(base, ast.Name):
        return None
    binding = scope.lookup(base.id)
    if binding is None or binding.scope.is_class:
        return None
    if base.id in handler_scope.assigned_names() or handler_scope.lookup(base.id) is not binding:
        return _through_own_instance(expression, base, scope, handler_scope)
    if _rebound_around(base.id, binding.scope, handler_scope):
        return None
    return ast.unparse(expression)


def _rebound_around(name: str, scope: Scope, handler_scope: Scope) -> bool:
    """Whether a loop of ``scope``'s own code defines the handler and rebinds ``name`` too.

    ``for model in models: router = APIRouter(prefix=...)`` with ``@router.get(...)`` on a
    ``def`` in the body: the handler reads ``router`` when called, after the loop is done, and
    gets the last item's, not the one it was registered on.
    """
    function = handler_scope.node
    for loop in block_statements(scope.node.body):
        if not isinstance(loop, ast.For | ast.AsyncFor | ast.While):
            continue
        if not any(node is function for statement in loop.body for node in ast.walk(statement)):
            continue
        targets = [] if isinstance(loop, ast.While) else list(ast.walk(loop.target))
        if rebinds(loop.body, {name}) or any(
            isinstance(node, ast.Name) and node.id == name for node in targets
        ):
            return True
    return False


def as_written(expression: ast.expr, scope: Scope) -> str:
    """An expression as its module writes it (its quotes), when on one line; else unparsed."""
    end = expression.end_col_offset
    if expression.lineno != expression.end_lineno or end is None:
        return ast.unparse(expression)
    line = scope.module.lines.line(expression.lineno).encode("utf-8")
    return line[expression.col_offset : end].decode("utf-8")


def read_alike(expression: ast.expr, scope: Scope, handler_scope: Scope) -> bool:
    """Whether the handler reads ``expression`` as the decorator did, when the route was added.

    A name (or attribute chain) the handler reaches as it is, bound once where it is bound: a
    name rebound later, or a loop variable, holds another value by the time a request comes
    (closures see a variable's latest value).
    """
    if reachable(expression, scope, handler_scope) != ast.unparse(expression):
        return False
    base = chain_root(expression)
    if not isinstance(base, ast.Name):
        return False
    binding = scope.lookup(base.id)
    return binding is not None and sole_binding(binding)


def _through_own_instance(
    expression: ast.expr, base: ast.Name, scope: Scope, handler_scope: Scope
) -> str | None:
    """``self.router`` seen from another method of the same class, through its own ``self``.

    A controller registers its methods (``self.router.add_api_route("/", self.items)``) on the
    instance's router: each method reaches that router through its own instance parameter.
    """
    owner_method = method_of_instance(base, scope)
    handler = handler_scope.node
    if (
        owner_method is None
        or not isinstance(handler, FunctionNode)
        or handler_scope.parent is None
        or owner_method.parent is None
        or handler_scope.parent.node is not owner_method.parent.node
        or not instance_method(handler)
    ):
        return None
    own = [*handler.args.posonlyargs, *handler.args.args][0].arg
    text = ast.unparse(expression)
    return own + text[len(base.id) :]
