"""What the names a statement reads hold in the ``for`` loops around it, when that is literal.

``for router in (users.router, items.router): app.include_router(router, prefix="/api")``
includes each item of the tuple: read statically, the call runs once per item, with ``router`` bound
to that item's expression. The items are known when the loop runs over a literal list, tuple or set
(or a dict's ``.items()``/``.keys()``/``.values()``; either branch of a conditional expression over
such ones; ``enumerate`` of one, ``zip`` of several), directly or through a module-level name bound
once to one and never changed in place (``ROUTERS = [...]``, also imported from another module; a
local of the function around it, ``routers = [...]`` in an app factory, the same way), returned by a
call of a module-level function whose body only returns one (``def get_routers(): return [...]``;
imports and names bound before the ``return`` aside) or only yields its items (``yield
users.router``, ``yield from [...]``), or a parameter of the function around it whose every call in
the package passes such items (``def include_routers(app, routers):`` called as
``include_routers(app, [users.router])``). Any other loop (over another function's result, a
comprehension) runs over items only known at run time. The ``for`` clauses of a comprehension around
the statement (``[app.include_router(r) for r in (users.router, items.router)]``) are loops too, and
so is ``map`` (``map(lambda r: app.include_router(r), ROUTERS)``, ``map(app.include_router,
ROUTERS)``). An item built by a record class of the package (a dataclass or ``NamedTuple``,
``Mount(users.router, "/users")``) holds in each field the argument or default that set it; an item
that is a dict (``{"router": users.router, "prefix": "/users"}``, also ``dict(...)``) holds under
each literal key its value: read as ``route["prefix"]`` or ``route.get("prefix")``, or passed as
keywords by ``**route`` (see :func:`dict_keywords`).
"""

import ast
import copy
import functools
import itertools
import operator
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath
from typing import NamedTuple

from telemetry_cli.patching.data_files import data_file_literal
from telemetry_cli.patching.docstrings import after_docstring
from telemetry_cli.patching.names import BASE_MODELS, FIELD_FUNCTIONS, library_include
from telemetry_cli.patching.settings import collection_default_note, default_collection
from telemetry_cli.patching.symbols import (
    COMPREHENSIONS,
    DEFINITIONS,
    Binding,
    FunctionNode,
    ModuleModel,
    PackageIndex,
    Role,
    Scope,
    assigned_once,
    assigned_targets,
    assigns_name,
    attribute_assignments,
    block_statements,
    bound_names,
    bound_once,
    builtin_getattr,
    call_argument,
    calls_builtin,
    instance_parameter,
    names_in,
    one_positional_parameter,
    parameter_position,
    returned_parameter,
    sub_blocks,
    unpacked,
)

#: A loop's names, each bound to the expression of one item and the scope it is evaluated in.
LoopValues = dict[str, tuple[ast.expr, Scope]]
#: What the package's calls of a function pass for one of its parameters, each argument with the
#: scope it is evaluated in; None when some call's is not known (no call: none known either).
Passed = Callable[[Binding], list[tuple[ast.expr, Scope]] | None]

_LOOPS = (ast.For, ast.AsyncFor)
# Methods that change a list, set or dict in place: its items are then not the literal's.
_MUTATORS = frozenset(
    {"append", "extend", "insert", "remove", "pop", "clear", "update", "add", "setdefault"}
)
_ASSIGNS = (ast.Assign, ast.AnnAssign)
# More iterations than this (nested loops over long lists) are not worth following.
_MAX_ITERATIONS = 256

# How many calls deep an argument passed on is followed (`def __init__(self, routers): for r
# in routers: self.include_router(r)` into a method including its parameter): a bound on
# functions passing their parameters to each other in a cycle.
_MAX_PASSES = 4
_MAX_DEPTH = 8


def loop_values(
    statement: ast.AST,
    scope: Scope,
    index: PackageIndex,
    passed: Passed | None = None,
    alone: frozenset[str] = frozenset(),
    depth: int = 0,
) -> list[LoopValues] | None:
    """The values the loop names ``statement`` reads take, one mapping per iteration.

    ``[{}]`` when no loop around ``statement`` (in ``scope``, a module or function body) binds
    a name it reads; None when one does and its items are not known statically, or the loop's
    body rebinds the name. ``passed`` finds what the calls of the function around it pass for a
    parameter the loop runs over, or one it reads attributes of; with it, the parameters named
    in ``alone`` take each call's argument in turn too, though read by themselves; an argument
    itself read in a loop over the caller's parameter is followed to the caller's calls
    (``depth``: how many calls deep this is).
    """
    line = getattr(statement, "lineno", 0)
    read = names_in(statement, read=True)
    loops = [
        loop
        for loop in scope.statements_on(line)
        if isinstance(loop, _LOOPS)
        and loop.body
        and loop.body[0].lineno <= line <= (loop.body[-1].end_lineno or loop.body[-1].lineno)
    ]
    if passed is not None:
        per_call = _per_call(statement, scope, index, passed, alone, read, loops, depth)
        if per_call is not None:
            return per_call
    # A comprehension's `for`s are loops too (`[app.include_router(r) for r in ROUTERS]`),
    # inside the statement loops around it; a filtered one (`if ...`) keeps items not known.
    generators = [
        (generator.target, generator.iter, bool(generator.ifs), None)
        for generator in _comprehensions_around(statement, scope)
    ]
    environments: list[LoopValues] = [{}]
    bound_outside: set[str] = set()  # the names of the loops around the current one
    steps: list[tuple[ast.expr, ast.expr, bool, list[ast.stmt] | None]] = []
    for loop in loops:
        unpacked_to, rest = _unpacked_target(loop, read)
        steps.append((unpacked_to, loop.iter, False, rest))
    steps += generators
    # An outer loop whose names only an inner loop's iterable reads (`for group in GROUPS: for
    # r in group: app.include_router(r)`) gives that loop its items: it counts as read.
    needed = set(read)
    for target, iterable, _, _ in reversed(steps):
        if names_in(target) & needed:
            needed |= names_in(iterable, read=True)
    for target, iterable, filtered, body in steps:  # outermost first: source order
        names = names_in(target)
        if not names & needed:
            bound_outside |= names
            continue
        if filtered or (body is not None and rebinds(body, names)):
            return None
        if _reads(iterable, bound_outside):
            # `for version, routers in VERSIONS.items(): for router, prefix in routers:`: each
            # outer iteration's own items, the names bound together (not every combination).
            dependent = _dependent_iterations(
                target, iterable, scope, index, environments, bound_outside
            )
            if dependent is None or len(dependent) > _MAX_ITERATIONS:
                return None
            environments = dependent
            bound_outside |= names
            continue
        items = literal_items(iterable, scope, index)
        if items is None and passed is not None:
            items = _passed_items(iterable, scope, index, passed)
        if items is None:
            return None
        iterations = _bound_items(target, items)
        if iterations is None:
            return None
        environments = [
            {**outer, **inner} for outer, inner in itertools.product(environments, iterations)
        ]
        if len(environments) > _MAX_ITERATIONS:
            return None
        bound_outside |= names
    if passed is not None:
        # `def include(module): app.include_router(module.router, prefix=module.PREFIX)`
        # called as `include(users)`: the parameter takes what each call passes, in turn.
        # Several parameters take one call's arguments together (`attach(app, "/v1", v1)`
        # mounts `v1` at "/v1" only), each call in turn.
        through = _parameters_read_through(statement, scope) | _parameters(alone, scope)
        through |= _record_instance_read(statement, scope, index)
        per_name: dict[str, list[list[tuple[ast.expr, Scope]]]] = {}
        for name in sorted(through - bound_outside):
            arguments = _passed_arguments_of(name, scope, passed, index, depth)
            if arguments is not None:  # else read as it is written, as without calls to follow
                per_name[name] = arguments
        if per_name:
            joint = _passed_jointly(per_name, scope, passed, index, depth)
            environments = [
                {**outer, **inner} for outer, inner in itertools.product(environments, joint)
            ]
            if len(environments) > _MAX_ITERATIONS:
                return None
    return environments


def _bound_items(target: ast.expr, items: list[tuple[ast.expr, Scope]]) -> list[LoopValues] | None:
    """What a loop's ``target`` binds for each of ``items``; None when an item does not unpack."""
    iterations: list[LoopValues] = []
    for item, item_scope in items:
        bound = unpacked(target, item)
        if bound is None:
            return None
        iterations.append({name: (value, item_scope) for name, value in bound})
    return iterations


def _dependent_iterations(
    target: ast.expr,
    iterable: ast.expr,
    scope: Scope,
    index: PackageIndex,
    environments: list[LoopValues],
    outer_names: set[str],
) -> list[LoopValues] | None:
    """The iterations of a loop over what an outer loop's names hold, in each outer iteration.

    ``for version, routers in {"v1": [a.router], "v2": [b.router]}.items(): for router in
    routers:`` runs over ``[a.router]`` with "v1" and ``[b.router]`` with "v2". None when the
    iterable reads an outer name not bound here, or one iteration's items are not known.
    """
    iterations: list[LoopValues] = []
    for outer in environments:
        if (names_in(iterable, read=True) & outer_names) - set(outer):
            return None
        found = substituted(iterable, scope, outer, index)
        items = None if found is None else literal_items(found[0], found[1], index)
        inner = None if items is None else _bound_items(target, items)
        if inner is None:
            return None
        iterations.extend({**outer, **each} for each in inner)
    return iterations


def _per_call(
    statement: ast.AST,
    scope: Scope,
    index: PackageIndex,
    passed: Passed,
    alone: frozenset[str],
    read: set[str],
    loops: list[ast.For | ast.AsyncFor],
    depth: int,
) -> list[LoopValues] | None:
    """The loop values of a statement looping over a parameter, one call of its function at once.

    ``def include_all(parent, routers, prefix): for r in routers: parent.include_router(r,
    prefix=prefix)`` called as ``include_all(v1, [users.router], "/x")`` and ``include_all(v2,
    [items.router], "/y")`` includes ``users.router`` into ``v1`` under "/x" only: each call's
    items go with that call's other arguments, not with every call's. None when no loop runs
    over a parameter whose items the calls give, or the function has one call (read as usual).
    """
    if not isinstance(scope.node, FunctionNode):
        return None
    looped = {
        loop.iter.id
        for loop in loops
        if isinstance(loop.iter, ast.Name)
        and (binding := scope.bindings.get(loop.iter.id)) is not None
        and binding.kind == "param"
        and literal_items(loop.iter, scope, index) is None
    }
    calls = {len(passed(scope.bindings[name]) or ()) for name in looped}
    if not looped or calls != {max(calls)} or max(calls) < 2:
        return None
    function = scope.node

    def one(call: int) -> Passed:
        def passed_by(parameter: Binding) -> list[tuple[ast.expr, Scope]] | None:
            found = passed(parameter)
            if parameter.scope.node is not function or found is None:
                return found
            return [found[call]] if call < len(found) else None

        return passed_by

    # The parameters read by themselves (`parent`, `prefix`) take that call's argument too.
    together = alone | frozenset(_parameters(frozenset(read), scope))
    environments: list[LoopValues] = []
    for call in range(max(calls)):
        found = loop_values(statement, scope, index, one(call), together, depth)
        if found is None:
            return None
        environments.extend(found)
    return environments if len(environments) <= _MAX_ITERATIONS else None


def _parameters_read_through(statement: ast.AST, scope: Scope) -> set[str]:
    """The parameters of the function ``scope`` that ``statement`` reads attributes of.

    ``module`` of ``module.router``; a parameter read by itself (``router``) is followed where
    it is used (see ``Mounts.passed_router``).
    """
    if not isinstance(scope.node, FunctionNode):
        return set()
    return {
        node.value.id
        for node in ast.walk(statement)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and (binding := scope.bindings.get(node.value.id)) is not None
        and binding.kind == "param"
        and instance_parameter(binding.scope) != node.value.id
    }


def _record_instance_read(statement: ast.AST, scope: Scope, index: PackageIndex) -> set[str]:
    """The instance parameter of a record class's method, when ``statement`` reads its fields.

    ``@dataclass class RouterConfig: router: APIRouter; prefix: str`` whose ``def include(self,
    app): app.include_router(self.router, prefix=self.prefix)`` is called on instances built
    as ``RouterConfig(users.router, "/users")``: ``self`` takes each instance in turn, its
    fields read as the arguments its construction passes (see :func:`record_field`). Only for
    a record class, whose fields are set by its construction alone, and a body that never
    assigns them.
    """
    if not isinstance(scope.node, FunctionNode) or scope.parent is None:
        return set()
    own = instance_parameter(scope)
    cls = scope.parent.node
    if own is None or not isinstance(cls, ast.ClassDef):
        return set()
    fields = _record_fields(cls, scope.parent.parent or scope.parent, index)
    names = {name for name, _, _ in fields or ()}
    read = {
        node.attr
        for node in ast.walk(statement)
        if isinstance(node, ast.Attribute) and _names(node.value, own)
    }
    # A field assigned anywhere in the class's module (a method, `config.prefix = ...`).
    tree = scope.module.tree
    if not read or not read <= names or any(_attribute_changed(tree, name) for name in read):
        return set()
    return {own}


def _parameters(names: frozenset[str], scope: Scope) -> set[str]:
    """Those of ``names`` that are parameters of the function ``scope`` its calls pass."""
    if not isinstance(scope.node, FunctionNode):
        return set()
    return {
        name
        for name in names
        if (binding := scope.bindings.get(name)) is not None
        and binding.kind == "param"
        and instance_parameter(binding.scope) != name
    }


def _passed_arguments_of(
    name: str, scope: Scope, passed: Passed, index: PackageIndex, depth: int
) -> list[list[tuple[ast.expr, Scope]]] | None:
    """What the calls of the function ``scope`` pass for its parameter ``name``, call by call.

    A call in a loop passing the loop's name (``for module in (users, items): include(module)``)
    passes each item in turn. None when it is called nowhere known, a call passes something not
    known statically, or the body assigns the parameter.
    """
    assert isinstance(scope.node, FunctionNode)
    parameter = scope.bindings[name]
    if rebinds(scope.node.body, {name}):
        return None
    arguments: list[list[tuple[ast.expr, Scope]]] = []
    for argument, argument_scope in passed(parameter) or ():
        onward = passed if depth < _MAX_PASSES else None
        environments = loop_values(argument, argument_scope, index, onward, depth=depth + 1)
        if environments is None:
            return None
        items: list[tuple[ast.expr, Scope]] = []
        for values in environments:
            item = substituted(argument, argument_scope, values, index)
            if item is None:
                return None
            items.append(item)
        arguments.append(items)
    return arguments or None


def _passed_jointly(
    per_name: dict[str, list[list[tuple[ast.expr, Scope]]]],
    scope: Scope,
    passed: Passed,
    index: PackageIndex,
    depth: int,
) -> list[LoopValues]:
    """The arguments of the parameters in ``per_name`` (each read alone), one mapping per pass.

    One call's arguments go together, and so do those one iteration of the loops around that
    call gives: ``for path, kls in (("/items", Items), ("/users", Users)): register(path,
    kls)`` passes "/items" with ``Items`` and "/users" with ``Users``, not every path with
    every class (the loops are read once for the call's arguments together). A call whose
    arguments are read in different scopes (a default left) pairs each one's values with all
    the others', as read alone.
    """
    parameters = [scope.bindings[name] for name in per_name]
    joint: list[LoopValues] = []
    calls = zip(*(passed(parameter) or () for parameter in parameters), strict=True)
    for arguments, alone in zip(calls, zip(*per_name.values(), strict=True), strict=True):
        found = _one_pass(arguments, passed, index, depth)
        if found is None:
            found = [list(items) for items in itertools.product(*alone)]
        joint.extend(dict(zip(per_name, items, strict=True)) for items in found)
    return joint


def _one_pass(
    arguments: tuple[tuple[ast.expr, Scope], ...], passed: Passed, index: PackageIndex, depth: int
) -> list[list[tuple[ast.expr, Scope]]] | None:
    """What one call's ``arguments`` stand for together, one list per iteration around the call.

    None when they are read in different scopes, or the loops around them are not known.
    """
    scopes = {id(argument_scope) for _, argument_scope in arguments}
    if len(scopes) != 1:
        return None
    argument_scope = arguments[0][1]
    expressions = [argument for argument, _ in arguments]
    probe = ast.copy_location(ast.Tuple(elts=expressions, ctx=ast.Load()), expressions[0])
    onward = passed if depth < _MAX_PASSES else None
    environments = loop_values(probe, argument_scope, index, onward, depth=depth + 1)
    if environments is None:
        return None
    found: list[list[tuple[ast.expr, Scope]]] = []
    for values in environments:
        items = [substituted(each, argument_scope, values, index) for each in expressions]
        if any(item is None for item in items):
            return None
        found.append([item for item in items if item is not None])
    return found


def _passed_items(
    iterable: ast.expr, scope: Scope, index: PackageIndex, passed: Passed
) -> list[tuple[ast.expr, Scope]] | None:
    """The items of a loop over a parameter: those every call of its function passes, in turn.

    Each call's items are its own (a router passed by one call is served where that call puts
    it); a call passing None passes none. None when a call passes items not known statically,
    or the body assigns the parameter.
    """
    if not isinstance(iterable, ast.Name) or not isinstance(scope.node, FunctionNode):
        return None
    parameter = scope.bindings.get(iterable.id)
    if parameter is None or parameter.kind != "param" or rebinds(scope.node.body, {iterable.id}):
        return None
    arguments = passed(parameter)
    if not arguments:
        return None
    items: list[tuple[ast.expr, Scope]] = []
    for argument, argument_scope in arguments:
        if isinstance(argument, ast.Constant) and argument.value is None:
            # `routers=None` left as it is: a loop over None raises, so code that runs
            # guards it (`if routers:`); that call includes nothing.
            continue
        found = literal_items(argument, argument_scope, index)
        if found is None:
            return None
        items.extend(found)
    return items


def _unpacked_target(
    loop: ast.For | ast.AsyncFor, read: set[str]
) -> tuple[ast.expr, list[ast.stmt]]:
    """The names a loop binds for each item, and the body that follows their binding.

    ``for item in routers:`` whose body starts ``router, prefix, tag = item`` binds the three
    names per item, as ``for router, prefix, tag in routers:`` does (unless the statement read
    reads ``item`` itself).
    """
    first = loop.body[0]
    if (
        isinstance(loop.target, ast.Name)
        and loop.target.id not in read
        and isinstance(first, ast.Assign)
        and len(first.targets) == 1
        and isinstance(first.targets[0], ast.Tuple | ast.List)
        and isinstance(first.value, ast.Name)
        and first.value.id == loop.target.id
    ):
        return first.targets[0], loop.body[1:]
    return loop.target, loop.body


def _comprehensions_around(statement: ast.AST, scope: Scope) -> list[ast.comprehension]:
    """The ``for`` clauses of the comprehensions of ``scope`` around ``statement``, outermost first.

    ``statement`` may be an expression built from parts of one (its nodes are looked for).
    """
    inside = {id(node) for node in ast.walk(statement)}
    line = getattr(statement, "lineno", 0)
    found: list[ast.comprehension] = []
    for block_statement in scope.statements_on(line):
        if isinstance(block_statement, DEFINITIONS):
            continue
        for node in _expressions(block_statement):
            spread = _spread_to_a_library_include(node)
            if spread is not None:
                generator, first = spread
                # The call built for it passes the item where the first list is spread.
                if any(
                    isinstance(part, ast.Name)
                    and part.id == MAPPED_ITEM
                    and (part.lineno, part.col_offset) == (first.lineno, first.col_offset)
                    for part in ast.walk(statement)
                ):
                    found.append(generator)
                continue
            mapped = _mapped_lambda(node, scope, block_statement)
            if mapped is not None:
                generator, body = mapped
                if any(id(part) in inside for part in ast.walk(body)):
                    found.append(generator)
                continue
            if not isinstance(node, COMPREHENSIONS):
                continue
            results = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            if any(id(part) in inside for result in results for part in ast.walk(result)):
                found.extend(node.generators)
    return found


#: The name a call built for ``map(app.include_router, ROUTERS)`` passes (see
#: :func:`~.mounts.mapped_calls`): bound to each item in turn, no name of the user's can be it.
#: So for ``app.generate_and_include_versioned_routers(*ROUTERS)``.
MAPPED_ITEM = "<item of map>"


def _spread_to_a_library_include(node: ast.AST) -> tuple[ast.comprehension, ast.expr] | None:
    """``app.<library include>(*ROUTERS)`` as the ``for`` clause it runs, and the first ``*``.

    A library's include method (see :func:`~.names.library_include`) includes each router it
    is given, so each item of the collections spread into it, as a loop over them would: the
    call built for it (see :func:`~.mounts.library_includes`) passes :data:`MAPPED_ITEM`.
    """
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and library_include(node.func.attr)
    ):
        return None
    spread = [argument for argument in node.args if isinstance(argument, ast.Starred)]
    if not spread:
        return None
    # `(*v1, *v2)`: one collection's items, then the other's, as `v1 + v2` holds them.
    items = functools.reduce(
        lambda left, right: ast.BinOp(left=left, op=ast.Add(), right=right),
        [argument.value for argument in spread],
    )
    target = ast.Name(id=MAPPED_ITEM, ctx=ast.Store())
    generator = ast.comprehension(target=target, iter=items, ifs=[], is_async=0)
    return generator, spread[0]


# Builtins that iterate their one argument to its end: `any` too, as the calls `map` makes of
# include_router return None (falsy); `all` and `next` stop after the first item.
_EXHAUSTING = frozenset({"list", "tuple", "set", "frozenset", "sorted", "any"})


# `collections.deque(map(...), maxlen=0)`: the idiom that runs an iterator to its end keeping
# nothing (a deque of any length takes every item, keeping the last ones).
_DEQUE = "collections.deque"


def _imported_as(function: ast.expr, scope: Scope) -> str | None:
    """The qualified name an imported name (``deque``) or module attribute names, else None."""
    if isinstance(function, ast.Name):
        binding = scope.lookup(function.id)
        return binding.target if binding is not None and binding.kind == "import" else None
    if isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
        binding = scope.lookup(function.value.id)
        if binding is not None and binding.kind == "import":
            return f"{binding.target}.{function.attr}"
    return None


def _a_deque_of(parent: ast.AST | None, node: ast.expr, scope: Scope) -> bool:
    """Whether ``parent`` is ``collections.deque(node)`` (``maxlen`` given or not)."""
    if not isinstance(parent, ast.Call) or _imported_as(parent.func, scope) != _DEQUE:
        return False
    return (
        bool(parent.args)
        and parent.args[0] is node
        and len(parent.args) <= 2
        and all(keyword.arg == "maxlen" for keyword in parent.keywords)
    )


def iterated_to_the_end(node: ast.expr, statement: ast.stmt, scope: Scope) -> bool:
    """Whether what ``statement`` does with ``map(...)`` (``node``) makes it call every item.

    So for a generator expression (``node``), lazy as ``map`` is: whether every item is made.

    ``map`` is lazy: its function runs only when something iterates it. A ``for`` loop over it,
    ``list``/``tuple``/``set``/``frozenset``/``sorted``/``any`` of it, ``collections.deque`` of
    it (``maxlen=0`` too), ``[*map(...)]`` and a list, set or dict comprehension over it run the
    calls for every item; a ``map`` kept in a name, returned, or handed to ``all``/``next``
    (which stop early) is not read as calling (see :func:`map_run_in_part`).
    """
    if isinstance(statement, ast.For) and statement.iter is node:
        return True
    parents = {
        id(child): parent
        for parent in ast.walk(statement)
        for child in ast.iter_child_nodes(parent)
    }
    parent = parents.get(id(node))
    if isinstance(parent, ast.Starred):
        return isinstance(parents.get(id(parent)), ast.List | ast.Tuple | ast.Set)
    if isinstance(parent, ast.comprehension):
        owner = parents.get(id(parent))
        return parent.iter is node and isinstance(owner, ast.ListComp | ast.SetComp | ast.DictComp)
    if _a_deque_of(parent, node, scope):
        return True
    return (
        calls_builtin(parent, scope, *_EXHAUSTING)
        and len(parent.args) == 1
        and parent.args[0] is node
        and not parent.keywords
    )


def _mapped_lambda(
    node: ast.AST, scope: Scope, statement: ast.stmt
) -> tuple[ast.comprehension, ast.expr] | None:
    """``map(lambda r: <body>, ROUTERS)`` as the ``for r in ROUTERS`` clause it runs, and body.

    The builtin ``map`` with one iterable calls a one-parameter lambda once per item, as
    ``[<body> for r in ROUTERS]`` does; a bound method (``map(app.include_router, ROUTERS)``)
    is called with :data:`MAPPED_ITEM` bound to each item. Only a ``map`` whose calls run (see
    :func:`consumed_map`).
    """
    consumed = consumed_map(node, scope, statement)
    if consumed is None:
        return None
    function, items = consumed
    if not isinstance(function, ast.Lambda):
        target = ast.Name(id=MAPPED_ITEM, ctx=ast.Store())
        return ast.comprehension(target=target, iter=items, ifs=[], is_async=0), function
    parameters = function.args
    if not one_positional_parameter(parameters):
        return None
    target = ast.Name(id=parameters.args[0].arg, ctx=ast.Store())
    generator = ast.comprehension(target=target, iter=items, ifs=[], is_async=0)
    return generator, function.body


def _the_builtin_map(node: ast.AST, scope: Scope) -> bool:
    """Whether ``node`` is a call of the builtin ``map`` with one iterable, written out."""
    return (
        calls_builtin(node, scope, "map")
        and len(node.args) == 2
        and not node.keywords
        and not any(isinstance(argument, ast.Starred) for argument in node.args)
    )


def map_run_in_part(node: ast.AST, scope: Scope, statement: ast.stmt) -> bool:
    """Whether ``map(...)`` (``node``) in ``statement`` may run some of its calls, not known which.

    Handed to ``next`` or ``all`` (which stop early), kept in a name, returned, passed on or
    wrapped in a generator kept: how far it is iterated is only known at run time. Not a ``map``
    that runs every call (:func:`consumed_map`), nor one never iterated (a statement of its own,
    alone or as a generator's iterable: it is dropped unread).
    """
    if not isinstance(node, ast.Call) or not _the_builtin_map(node, scope):
        return False
    if iterated_to_the_end(node, statement, scope):
        return False
    if isinstance(statement, ast.Expr):
        value = statement.value
        if value is node or (
            isinstance(value, ast.GeneratorExp) and value.generators[0].iter is node
        ):
            return False
    return True


def consumed_map(
    node: ast.AST, scope: Scope, statement: ast.stmt
) -> tuple[ast.expr, ast.expr] | None:
    """``(function, items)`` of ``map(<function>, <items>)`` in ``statement``, else None.

    Only the builtin with one iterable, written out (several are walked in step: not followed),
    and only where what ``statement`` does with it calls every item (:func:`iterated_to_the_end`):
    ``map`` is lazy.
    """
    if not (
        isinstance(node, ast.Call)
        and _the_builtin_map(node, scope)
        and iterated_to_the_end(node, statement, scope)
    ):
        return None
    return node.args[0], node.args[1]


def _expressions(statement: ast.stmt) -> list[ast.AST]:
    """The nodes of a statement outside its nested blocks and definitions, outermost first."""
    nodes: list[ast.AST] = []
    pending: list[ast.AST] = [
        child for child in ast.iter_child_nodes(statement) if not isinstance(child, ast.stmt)
    ]
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.Lambda):
            continue
        nodes.append(node)
        pending.extend(ast.iter_child_nodes(node))
    return nodes


def rebinds(body: list[ast.stmt], names: set[str]) -> bool:
    """Whether a block (a loop's body: its items then are not what it holds) binds a name."""
    return not names.isdisjoint(bound_names(body))


def _reads(expression: ast.expr, names: set[str]) -> bool:
    return any(isinstance(node, ast.Name) and node.id in names for node in ast.walk(expression))


def literal_items(
    iterable: ast.expr, scope: Scope, index: PackageIndex, depth: int = 0
) -> list[tuple[ast.expr, Scope]] | None:
    """The items a loop over ``iterable`` runs over, when they are written out in the code."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(iterable, ast.List | ast.Tuple | ast.Set):
        written: list[tuple[ast.expr, Scope]] = []
        for element in iterable.elts:
            if not isinstance(element, ast.Starred):
                written.append((element, scope))
                continue
            # `[*READ_ONLY, "POST"]`: the items of a collection written out elsewhere, in place.
            unpacked = literal_items(element.value, scope, index, depth + 1)
            if unpacked is None:
                return None
            written.extend(unpacked)
        return written
    if isinstance(iterable, ast.BinOp) and isinstance(iterable.op, ast.Add):
        # `BASE_METHODS + ["POST"]`: one collection's items, then the other's.
        left = literal_items(iterable.left, scope, index, depth + 1)
        right = literal_items(iterable.right, scope, index, depth + 1)
        return None if left is None or right is None else left + right
    if (
        calls_builtin(iterable, scope, "enumerate")
        and iterable.args
        and not isinstance(iterable.args[0], ast.Starred)
    ):
        # `enumerate(VERSIONS, start=1)`: each item numbered, from a literal start.
        starts = [*iterable.args[1:], *(k.value for k in iterable.keywords if k.arg == "start")]
        start = starts[0] if starts else ast.Constant(0)
        if (
            len(starts) > 1
            or len(iterable.args) > 2
            or any(keyword.arg != "start" for keyword in iterable.keywords)
        ):
            return None
        if not isinstance(start, ast.Constant) or type(start.value) is not int:
            return None
        items = literal_items(iterable.args[0], scope, index, depth + 1)
        if items is None:
            return None
        return [
            (ast.Tuple(elts=[ast.Constant(start.value + at), item], ctx=ast.Load()), item_scope)
            for at, (item, item_scope) in enumerate(items)
        ]
    if (
        calls_builtin(iterable, scope, "zip")
        and iterable.args
        and not any(isinstance(argument, ast.Starred) for argument in iterable.args)
        and all(keyword.arg == "strict" for keyword in iterable.keywords)
    ):
        # `zip(PATHS, VIEWS)`: one tuple per position, as long as the shortest (as zip runs).
        columns = [literal_items(argument, scope, index, depth + 1) for argument in iterable.args]
        rows: list[tuple[ast.expr, Scope]] = []
        for row in zip(*(column or [] for column in columns), strict=False):
            if len({id(item_scope) for _, item_scope in row}) != 1:
                return None  # items read in different modules: no one tuple of them
            rows.append((ast.Tuple(elts=[item for item, _ in row], ctx=ast.Load()), row[0][1]))
        return None if any(column is None for column in columns) else rows
    if isinstance(iterable, ast.IfExp):
        # `[users, admin] if DEBUG else [users]`: an item of either may be included, the same way.
        body = literal_items(iterable.body, scope, index, depth + 1)
        orelse = literal_items(iterable.orelse, scope, index, depth + 1)
        return None if body is None or orelse is None else body + orelse
    if (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Attribute)
        and iterable.func.attr in ("items", "keys", "values")
        and not iterable.args
        and not iterable.keywords
    ):
        found = _literal(iterable.func.value, scope, index, depth + 1)
        if found is None:
            return None
        mapping, mapping_scope = found
        if not isinstance(mapping, ast.Dict):
            return None
        if any(key is None for key in mapping.keys):
            return None  # `**other`: keys only known at run time
        keys = [key for key in mapping.keys if key is not None]
        if iterable.func.attr == "keys":
            return [(key, mapping_scope) for key in keys]
        if iterable.func.attr == "values":
            return [(value, mapping_scope) for value in mapping.values]
        return [
            (ast.Tuple(elts=[key, value], ctx=ast.Load()), mapping_scope)
            for key, value in zip(keys, mapping.values, strict=True)
        ]
    if isinstance(iterable, ast.Name | ast.Attribute):
        members = _enum_members(iterable, scope, index)
        if members is not None:
            return members
        registry = _registry(iterable, scope, index)
        if registry is not None:
            return registry.items
    if isinstance(iterable, ast.Name | ast.Attribute | ast.Call | ast.Subscript):
        found = _literal(iterable, scope, index, depth + 1)
        if found is None:
            # `ROUTERS = crud.routers + [HEALTH_ROUTER]`: a name bound once to what is read
            # here part by part (a concatenation, a conditional one).
            found = _bound_unchanged(iterable, scope, index)
        if found is None and isinstance(iterable, ast.Attribute):
            # `for name in settings.INSTALLED_APPS`: the list its settings class declares.
            found = default_collection(index, iterable, scope)
        if found is None:
            return None
        if isinstance(found[0], ast.Dict):
            return None  # a loop over a dict runs over its keys: rarely routers
        return literal_items(found[0], found[1], index, depth + 1)
    return None


def settings_lists_around(
    statement: ast.AST, scope: Scope, index: PackageIndex, what: str
) -> list[str]:
    """Lines for the loops around ``statement`` that run over a settings list's default.

    ``for name in settings.ROUTERS:`` read by :func:`literal_items` as the list the settings
    class declares (see :func:`~.settings.collection_default_note`): each line says the
    environment may change ``what`` at run time. Comprehensions' ``for`` clauses too; empty
    when there is none.
    """
    line = getattr(statement, "lineno", 0)
    iterables = [
        loop.iter
        for loop in scope.statements_on(line)
        if isinstance(loop, _LOOPS)
        and loop.body
        and loop.body[0].lineno <= line <= (loop.body[-1].end_lineno or loop.body[-1].lineno)
    ]
    iterables += [generator.iter for generator in _comprehensions_around(statement, scope)]
    said: list[str] = []
    for iterable in iterables:
        if not isinstance(iterable, ast.Attribute) or _enum_members(iterable, scope, index):
            continue
        if _registry(iterable, scope, index) is not None:
            continue
        if _literal(iterable, scope, index, 1) or _bound_unchanged(iterable, scope, index):
            continue  # read otherwise than as the default its class declares
        note = collection_default_note(index, iterable, scope, what)
        if note is not None:
            said.append(note)
    return said


def _bound_unchanged(
    expression: ast.expr, scope: Scope, index: PackageIndex
) -> tuple[ast.expr, Scope] | None:
    """The concatenation or conditional a name is bound to once and never changed, and where.

    A module-level name (also imported), or a local of the function it is read in.
    """
    if not isinstance(expression, ast.Name | ast.Attribute):
        return None
    binding = index.binding_of(expression, scope)
    if (
        binding is None
        or binding.kind != "value"
        or not isinstance(binding.node, ast.BinOp | ast.IfExp)
    ):
        return None
    local = binding.scope.node
    if binding.scope.parent is None:
        unchanged = assigned_once_unchanged(binding)
    else:
        unchanged = isinstance(local, FunctionNode) and not _changed_in(
            ast.walk(local), binding.name, 1
        )
    return (binding.node, binding.scope) if unchanged else None


# The classes of the standard library whose subclasses' bodies list members a loop runs over.
_ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})


class EnumMember(ast.Attribute):
    """``Cls.member`` of an Enum class of the package: ``.value`` reads what its body assigns."""

    assigned: ast.expr


class ListedModule(ast.Call):
    """A ``pkgutil.ModuleInfo`` a listing's loop binds: ``.name`` and ``.ispkg`` are known.

    Or a ``pathlib.Path`` a folder's ``glob``/``iterdir`` yields (see :meth:`path`).

    ``for info in pkgutil.iter_modules(api.__path__):`` binds, per module of the folder, one
    written as the call that makes it (``ModuleInfo(None, "items", False)``, no finder).
    """

    #: The fields read off it, by name (``name``, ``ispkg``), as the constants they hold.
    fields: dict[str, ast.Constant]

    @classmethod
    def of(cls, name: str, is_package: bool) -> "ListedModule":
        """The item a listing binds for the module ``name`` (a package, or a module file)."""
        function = ast.Attribute(ast.Name("pkgutil", ast.Load()), "ModuleInfo", ast.Load())
        fields = {"name": ast.Constant(name), "ispkg": ast.Constant(is_package)}
        made = cls(func=function, args=[ast.Constant(None), *fields.values()], keywords=[])
        made.fields = fields
        return made

    #: For a listed path: the parts of it below the folder listed (``("orders", "routes.py")``
    #: for ``glob("*/routes.py")``); the folder's own path is not known statically.
    tail: tuple[str, ...] = ()
    #: Whether the listed path is a string (``glob.glob``), not a ``pathlib.Path``.
    text = False

    @classmethod
    def path(cls, entry: str, *, text: bool = False) -> "ListedModule":
        """The ``pathlib.Path`` a folder's ``glob``/``iterdir`` yields for ``entry`` (``items.py``).

        Its ``.name`` (``items.py``), ``.stem`` (``items``) and ``.suffix`` (``.py``) are known;
        ``entry`` may name a file in a subfolder (``orders/routes.py``, of a pattern reaching
        into each subfolder). ``text``: the string ``glob.glob`` yields for it instead, which
        has none of these fields (see :func:`listed_path`).
        """
        function = ast.Attribute(ast.Name("pathlib", ast.Load()), "Path", ast.Load())
        name = PurePosixPath(entry)
        fields = {
            "name": ast.Constant(name.name),
            "stem": ast.Constant(name.stem),
            "suffix": ast.Constant(name.suffix),
        }
        made = cls(func=function, args=[ast.Constant(entry)], keywords=[])
        made.fields = {} if text else fields
        made.tail = name.parts
        made.text = text
        return made


def _enum_members(
    iterable: ast.Name | ast.Attribute, scope: Scope, index: PackageIndex
) -> list[tuple[ast.expr, Scope]] | None:
    """The members a loop over an Enum class of the package runs over, in their order.

    ``class ModuleList(Module, Enum): cinema = cinema.cinema``: ``ModuleList.cinema``, whose
    ``.value`` is ``cinema.cinema`` read where the class is defined. None for any other class,
    or one whose body binds a name otherwise than by one plain assignment each.
    """
    binding = index.binding_of(iterable, scope)
    cls = None if binding is None else binding.node
    if binding is None or binding.kind != "class" or not isinstance(cls, ast.ClassDef):
        return None
    if not any(index.qualify(base, binding.scope) in _ENUM_BASES for base in cls.bases):
        return None
    members: list[tuple[ast.expr, Scope]] = []
    for statement in cls.body:
        if isinstance(statement, FunctionNode | ast.ClassDef | ast.Pass) or (
            isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
        ):
            continue  # methods, nested classes, a docstring: no members
        if not (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and not statement.targets[0].id.startswith("_")
        ):
            return None
        name = statement.targets[0].id
        member = EnumMember(value=iterable, attr=name, ctx=ast.Load())
        member.assigned = statement.value
        members.append((ast.copy_location(member, statement), binding.scope))
    return members


def literal_container(
    expression: ast.expr, scope: Scope, index: PackageIndex
) -> tuple[ast.expr, Scope] | None:
    """The literal list, tuple, set or dict ``expression`` is or names, and where it is written.

    A module-level name (also imported) bound once and never changed in place; else None.
    """
    return _literal(expression, scope, index, 0)


def _literal(
    expression: ast.expr, scope: Scope, index: PackageIndex, depth: int
) -> tuple[ast.expr, Scope] | None:
    """The literal container a name holds: bound once, never changed in place.

    A module-level name, or a local of the function the name is read in (``routers = [...]``
    in an app factory): bound once in that function, never changed in place there.
    """
    if isinstance(expression, ast.List | ast.Tuple | ast.Set | ast.Dict):
        return expression, scope
    if depth > _MAX_DEPTH:
        return None
    if isinstance(expression, ast.Call):
        display = _dict_display(expression, scope)
        if display is not None:
            return display, scope
        loaded = data_file_literal(expression, scope, index)
        if loaded is not None:  # `yaml.safe_load(open("routers.yaml"))`: what the file holds
            return loaded, scope
        returned = _returned_literal(expression, scope, index)
        return None if returned is None else _literal(*returned, index, depth + 1)
    if (
        isinstance(expression, ast.Subscript)
        and isinstance(expression.slice, ast.Constant)
        and isinstance(expression.slice.value, str)
    ):
        # `config["routers"]` of a dict a name holds (a data file's, loaded).
        held = _literal(expression.value, scope, index, depth + 1)
        if held is None or not isinstance(held[0], ast.Dict):
            return None
        pairs = zip(held[0].keys, held[0].values, strict=True)
        for key, value in reversed(list(pairs)):  # a key written twice holds its last value
            if key is None:
                return None  # `{**OTHER, "key": ...}`: what it holds first, not known
            if isinstance(key, ast.Constant) and key.value == expression.slice.value:
                return _literal(value, held[1], index, depth + 1)
        return None
    if not isinstance(expression, ast.Name | ast.Attribute):
        return None
    binding = index.binding_of(expression, scope)
    if binding is None and isinstance(expression, ast.Attribute):
        # `for r in self.routers` in a method, `routers = [...]` in the class body.
        attribute = _class_attribute(expression, scope, index)
        if attribute is None:
            # `**Settings.ROUTER` of a plain class's body, no module changing any `.ROUTER`.
            attribute = index.class_constant(expression, scope)
            if attribute is not None and _attribute_changed(
                attribute[1].module.tree, expression.attr
            ):
                return None
        return None if attribute is None else _literal(*attribute, index, depth + 1)
    if binding is None or binding.kind != "value" or not isinstance(binding.node, ast.expr):
        return None
    local = binding.scope.node
    if binding.scope.parent is not None:
        if not isinstance(local, FunctionNode):
            return None
        if _changed_in(ast.walk(local), binding.name, 1):
            return _with_additions(binding, scope, expression, ast.walk(local), index)
        return _literal(binding.node, binding.scope, index, depth + 1)
    # The value first: whether the name is ever changed is a search of its whole module, and
    # most names read here hold no container at all (a route module's `router`).
    found = _literal(binding.node, binding.scope, index, depth + 1)
    if found is None:
        return None
    if not assigned_once_unchanged(binding):
        naming = binding.scope.module.nodes_naming([binding.name])
        found = _with_additions(binding, scope, expression, naming, index)
        if found is None:
            return None
    if (
        isinstance(expression, ast.Name)
        and binding.scope.module is not scope.module
        and name_changed(scope.module, expression.id, 0)
    ):
        return None  # changed in place where it is used (`ROUTERS.append(...)` in main.py)
    return found


def _with_additions(
    binding: Binding, scope: Scope, read: ast.expr, nodes: Iterable[ast.AST], index: PackageIndex
) -> tuple[ast.expr, Scope] | None:
    """The list a name is bound to, with the items its own statements add to it, when known.

    ``routers = [users.router]`` then ``routers.append(admin.router)`` (also under an ``if``:
    an item that may be added), ``.extend([...])``, ``.insert(0, ...)`` or ``+= [...]``, in the
    scope that binds it; where it is read in that scope, only the additions above it count.
    ``.extend(other)`` or ``+= other`` adds ``*other``, read in place. An addition in a ``for``
    loop of a router the loop builds (``for model in MODELS: router = APIRouter(...)`` then
    ``routers += [router]``) adds the name, standing for the router of every pass. None when
    ``nodes`` (every node naming it) show any other change: an addition in a function, or in a
    loop of anything else (``for extra in more(): routers.append(extra)``, ``getattr(module,
    "router")``: only known at run time), a removal, a second binding.
    """
    listed = binding.node
    if not isinstance(listed, ast.List) or any(
        isinstance(element, ast.Starred) for element in listed.elts
    ):
        return None
    name = binding.name
    items = list(listed.elts)
    additions: set[int] = set()
    same_scope = scope.node is binding.scope.node
    statements = list(_unlooped_statements(binding.scope.node.body, loops=True))
    looped = {
        id(inner)
        for statement in statements
        if isinstance(statement, _LOOPS)
        for inner in _unlooped_statements(statement.body, loops=True)
    }
    for statement in statements:
        added = _added_items(statement, lambda expression: _names(expression, name), spread=True)
        if added is None:
            continue
        change, elements = added
        if id(statement) in looped and not all(
            _built_router(element, binding.scope, index) for element in elements
        ):
            return None
        additions.add(id(change))
        if isinstance(change, ast.AugAssign):
            additions.add(id(change.target))  # `routers += [...]` stores no second binding
        if not same_scope or statement.lineno < read.lineno:
            items.extend(elements)
    stores = 0
    for node in nodes:
        if id(node) in additions:
            continue
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
            stores += 1
        elif _changes(node, name):
            return None
    if stores > 1:
        return None
    return ast.copy_location(ast.List(elts=items, ctx=ast.Load()), listed), binding.scope


def _built_router(element: ast.expr, scope: Scope, index: PackageIndex) -> bool:
    """Whether ``element`` names a router ``scope`` builds (``router = APIRouter(...)``)."""
    if not isinstance(element, ast.Name):
        return False
    built = scope.bindings.get(element.id)
    return (
        built is not None
        and built.kind == "value"
        and isinstance(built.node, ast.Call)
        and index.built_role(built.node, scope)[0] is Role.ROUTER
    )


class _Registry(NamedTuple):
    """The items of a list other modules or functions add to; None when not all are known."""

    items: list[tuple[ast.expr, Scope]] | None


def _registry(
    read: ast.Name | ast.Attribute, scope: Scope, index: PackageIndex
) -> _Registry | None:
    """The items of a module-level list that other modules, or functions, add to: a registry.

    ``ROUTERS: list[APIRouter] = []`` in one module, ``ROUTERS.append(router)`` at the top level
    of each route module (or ``register(router)``, a module-level function of the package that
    adds its parameter to the list), and ``for router in ROUTERS: app.include_router(router,
    ...)``: each item comes with the scope of the module adding it. Modules add when imported,
    before the loop runs (in the loop's own module, only the additions above a module-level
    loop count). None when nothing but the list's own module-level statements change it (see
    :func:`_with_additions`); ``_Registry(None)`` when a change is none of these (in a loop or
    another function, a removal, a second binding, a registering function called elsewhere).
    """
    binding = index.binding_of(read, scope)
    if binding is None or binding.kind != "value" or binding.scope.parent is not None:
        return None
    listed, home = binding.node, binding.scope.module
    if not isinstance(listed, ast.List) or any(isinstance(e, ast.Starred) for e in listed.elts):
        return None
    name, qualified = binding.name, f"{home.name}.{binding.name}"

    def refers(expression: ast.expr, where: Scope, to: Binding) -> bool:
        if not isinstance(expression, ast.Name | ast.Attribute):
            return False
        if isinstance(expression, ast.Attribute) and expression.attr != to.name:
            return False
        found = index.binding_of(expression, where)
        return found is not None and found.node is to.node and found.name == to.name

    models = list(index.modules_holding(name, index.package))
    items: list[tuple[ast.expr, Scope]] = [(element, binding.scope) for element in listed.elts]
    statement = binding.statement
    accounted = {
        id(target)
        for target in (assigned_targets(statement) if isinstance(statement, _ASSIGNS) else [])
    }
    registering: dict[int, tuple[Binding, ast.arg]] = {}  # by the function node's id
    elsewhere = False
    for model in models:
        where = model.scope

        def is_list(expression: ast.expr, where: Scope = where) -> bool:
            return refers(expression, where, binding)

        for statement in _unlooped_statements(model.tree.body):
            added = _added_items(statement, is_list)
            if added is not None:
                accounted.add(id(added[0]))
                if isinstance(added[0], ast.AugAssign):
                    accounted.add(id(added[0].target))  # `ROUTERS += [...]` binds it again
                elsewhere = elsewhere or model is not home
                if not (model is scope.module and scope.parent is None) or (
                    statement.lineno < read.lineno
                ):
                    items.extend((element, where) for element in added[1])
            elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and (
                statement in model.tree.body
            ):
                parameter = _added_parameter(statement, is_list, accounted)
                if parameter is not None:
                    function = where.bindings.get(statement.name)
                    if function is not None and function.node is statement:
                        registering[id(statement)] = (function, parameter)
                        elsewhere = True
    if not elsewhere:
        return None
    for model in models:
        local = {name} if model is home else set(model.names_for(qualified))
        for node in model.nodes_naming(local):
            if id(node) in accounted:
                continue
            if isinstance(node, ast.Global | ast.Nonlocal) and local & set(node.names):
                return _Registry(None)
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                if node.id == name and model is home:
                    return _Registry(None)  # a second binding of its own
                continue
            changed = _changed_container(node)
            if changed is not None and refers(changed, model.scope, binding):
                return _Registry(None)
    for function, parameter in registering.values():
        found = _registered_by(function, parameter, index)
        if found is None:
            return _Registry(None)
        items.extend(found)
    return _Registry(items)


def _changed_container(node: ast.AST) -> ast.expr | None:
    """The container ``node`` changes in place (``x.append``, ``x += ...``, ``x[0] = ...``)."""
    if isinstance(node, ast.AugAssign):
        return node.target
    if isinstance(node, ast.Attribute) and node.attr in _MUTATORS:
        return node.value
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
        return node.value
    return None


def _added_parameter(
    function: FunctionNode, is_list: Callable[[ast.expr], bool], accounted: set[int]
) -> ast.arg | None:
    """The parameter a function adds to a list (``def register(router): ROUTERS.append(router)``).

    A statement of its own body, not in a loop, adding the parameter alone; the change is
    added to ``accounted``.
    """
    parameters = {
        argument.arg: argument
        for argument in [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]
    }
    for statement in _unlooped_statements(function.body):
        added = _added_items(statement, is_list)
        if added is None:
            continue
        elements = added[1]
        if (
            len(elements) == 1
            and isinstance(elements[0], ast.Name)
            and elements[0].id in parameters
        ):
            accounted.add(id(added[0]))
            return parameters[elements[0].id]
    return None


def _registered_by(
    function: Binding, parameter: ast.arg, index: PackageIndex
) -> list[tuple[ast.expr, Scope]] | None:
    """What the package's calls of a registering function add: each call's argument.

    Each call a module-level statement of the package (``register(router)``, or ``router =
    register(APIRouter(...))``: then the name, when the function returns its parameter as
    given); None when the function is read anywhere else (in a loop, a function, passed on).
    """
    node = function.node
    assert isinstance(node, FunctionNode)
    position = parameter_position(node, parameter.arg)
    returns = returned_parameter(node) == parameter.arg
    qualified = f"{function.scope.module.name}.{function.name}"
    items: list[tuple[ast.expr, Scope]] = []
    for model in index.modules_holding(function.name, index.package):
        calls: set[int] = set()
        for statement in _unlooped_statements(model.tree.body):
            value = statement.value if isinstance(statement, ast.Expr | ast.Assign) else None
            if not isinstance(value, ast.Call):
                continue
            found = index.binding_of(value.func, model.scope)
            if found is None or found.node is not node:
                continue
            argument = call_argument(value, position, parameter.arg)
            if argument is None:
                return None
            calls.add(id(value.func))
            targets = statement.targets if isinstance(statement, ast.Assign) else []
            if returns and len(targets) == 1 and isinstance(targets[0], ast.Name):
                argument = ast.copy_location(ast.Name(id=targets[0].id, ctx=ast.Load()), targets[0])
            items.append((argument, model.scope))
        local = (
            {function.name} if model is function.scope.module else set(model.names_for(qualified))
        )
        for read in model.nodes_naming(local):
            if (
                isinstance(read, ast.Name | ast.Attribute)
                and id(read) not in calls
                and (not isinstance(read, ast.Attribute) or read.attr == function.name)
                and isinstance(read.ctx, ast.Load)
                and (found := index.binding_of(read, model.scope)) is not None
                and found.node is node
            ):
                return None
    return items


def _unlooped_statements(statements: list[ast.stmt], *, loops: bool = False) -> Iterable[ast.stmt]:
    """The statements of a block and of its ``if``/``try``/``with`` blocks, not of its loops.

    With ``loops``, those of its ``for`` loops too (not of ``while`` loops).
    """
    for statement in statements:
        yield statement
        if not isinstance(statement, ast.While) and (loops or not isinstance(statement, _LOOPS)):
            for inner in sub_blocks(statement):
                yield from _unlooped_statements(inner, loops=loops)


def _added_items(
    statement: ast.stmt, names: Callable[[ast.expr], bool], *, spread: bool = False
) -> tuple[ast.AST, list[ast.expr]] | None:
    """``(the node changing it, the items)`` of a statement adding written-out items to a list.

    ``name.append(x)``, ``name.insert(i, x)``, ``name.extend([x, y])`` or ``name += [x, y]``,
    for an expression ``names`` tells is the list. With ``spread``, ``name.extend(other)`` or
    ``name += other`` too, of a collection not written out: one ``*other`` item.
    """
    if isinstance(statement, ast.AugAssign):
        value = statement.value
        if not (names(statement.target) and isinstance(statement.op, ast.Add)):
            return None
        if isinstance(value, ast.List | ast.Tuple) and not any(
            isinstance(element, ast.Starred) for element in value.elts
        ):
            return statement, list(value.elts)
        return (statement, [_spread(value)]) if spread else None
    if not (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Attribute)
        and names(statement.value.func.value)
        and not statement.value.keywords
    ):
        return None
    call = statement.value
    changed = call.func
    assert isinstance(changed, ast.Attribute)
    method, arguments = changed.attr, call.args
    if any(isinstance(argument, ast.Starred) for argument in arguments):
        return None
    if method == "append" and len(arguments) == 1:
        return changed, [arguments[0]]
    if method == "insert" and len(arguments) == 2:
        return changed, [arguments[1]]
    if method == "extend" and len(arguments) == 1:
        if isinstance(arguments[0], ast.List | ast.Tuple) and not any(
            isinstance(element, ast.Starred) for element in arguments[0].elts
        ):
            return changed, list(arguments[0].elts)
        if spread:
            return changed, [_spread(arguments[0])]
    return None


def _spread(collection: ast.expr) -> ast.Starred:
    """``*collection``, where it is written: its items, in a list (see :func:`literal_items`)."""
    return ast.copy_location(ast.Starred(value=collection, ctx=ast.Load()), collection)


def _class_attribute(
    expression: ast.Attribute, scope: Scope, index: PackageIndex
) -> tuple[ast.expr, Scope] | None:
    """What ``self.<name>`` (or ``cls.<name>``) reads in a method: the class body's value.

    ``class RouterBase: routers = [a.router, b.router]`` read as ``self.routers`` in one of its
    methods. Only when nothing else can be read instead: the class body assigns the name once,
    no code of its module assigns, deletes or changes in place any ``.<name>`` (an instance's
    own ``self.routers = [...]``, ``self.routers.append(...)``), and no class of the package
    read so far derives from it and gives the name a value of its own (a subclass's routers,
    for ``self`` of that subclass). The value comes with the class body's scope.
    """
    owner = expression.value
    method = scope.node
    cls_scope = scope.parent
    if not (
        isinstance(owner, ast.Name)
        and isinstance(method, FunctionNode)
        and cls_scope is not None
        and cls_scope.is_class
        and isinstance(cls_scope.node, ast.ClassDef)
        and cls_scope.parent is not None
        and cls_scope.parent.parent is None  # a module-level class: subclasses can name it
    ):
        return None
    parameters = [*method.args.posonlyargs, *method.args.args]
    static = any(
        isinstance(decorator, ast.Name) and decorator.id == "staticmethod"
        for decorator in method.decorator_list
    )
    if static or not parameters or parameters[0].arg != owner.id or owner.id in _stored(method):
        return None
    cls = cls_scope.node
    name = expression.attr
    value = assigned_once(cls, name)
    read: tuple[ast.expr, Scope] | None = None if value is None else (value, cls_scope)
    if read is None:
        # `@dataclass class Routes: routers: tuple`, built once as `__routes__ =
        # Routes(routers=(a.router, b.router))`: `self` is that instance.
        read = _only_built_field(cls, cls_scope, name, index)
    if read is None or _attribute_changed(scope.module.tree, name):
        return None
    canonical = f"{scope.module.name}.{cls.name}"
    for model in index.parsed_modules():
        for statement in model.tree.body:
            if (
                isinstance(statement, ast.ClassDef)
                and statement is not cls
                and statement.bases  # a class deriving from nothing is no subclass (cheap first)
                and (
                    any(assigns_name(item, name) for item in statement.body)
                    or any(
                        attribute == name
                        for item in statement.body
                        if isinstance(item, FunctionNode)
                        for _, attribute, _ in attribute_assignments(item)
                    )
                )
                and index.derives_from(
                    Binding("class", statement.name, model.scope, statement),
                    lambda base: base == canonical,
                )
            ):
                return None  # a subclass's own value is read for its instances
    return read


def _only_built_field(
    cls: ast.ClassDef, cls_scope: Scope, name: str, index: PackageIndex
) -> tuple[ast.expr, Scope] | None:
    """Field ``name`` of the one instance the package builds of record class ``cls``.

    The argument (or default) of the one call of the class in the package, made at the top of
    a module (see :func:`record_field`); None when it is built in a function too, or more than
    once, or ``name`` is no field of it.
    """
    if _record_fields(cls, cls_scope, index) is None:
        return None
    built: list[tuple[ast.Call, Scope]] = []
    for model in index.parsed_modules():
        if cls.name not in model.text:
            continue
        for statement in model.tree.body:
            in_def = isinstance(statement, FunctionNode | ast.ClassDef)
            for node in ast.walk(statement):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name | ast.Attribute)
                    and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
                    == cls.name
                ):
                    continue
                if in_def:
                    return None  # built in a function too: which instance, not known
                target = index.binding_of(node.func, model.scope)
                if target is not None and target.node is cls:
                    built.append((node, model.scope))
    if len(built) != 1:
        return None
    return record_field(built[0][0], name, built[0][1], index)


def _stored(function: FunctionNode) -> set[str]:
    """The names a function's own code assigns (``self = other`` makes ``self`` another)."""
    return {
        node.id
        for node in ast.walk(function)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del)
    }


def _attribute_changed(tree: ast.AST, name: str) -> bool:
    """Whether ``tree`` assigns, deletes or changes in place an attribute ``name`` of anything."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == name:
            if isinstance(node.ctx, ast.Store | ast.Del):
                return True
        elif isinstance(node, ast.Attribute) and node.attr in _MUTATORS:
            inner = node.value
            if isinstance(inner, ast.Attribute) and inner.attr == name:
                return True
        elif (
            # `x.name[0] = ...`; `x.name += ...` stores the attribute itself (above).
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Store | ast.Del)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == name
        ):
            return True
    return False


def _returned_literal(
    call: ast.Call, scope: Scope, index: PackageIndex
) -> tuple[ast.expr, Scope] | None:
    """What a call of a module-level function whose body only returns one expression returns.

    ``def get_routers() -> list[APIRouter]: return [users.router, items.router]`` builds the
    same items on every call. Only a plain function (not async, not decorated: either may
    return something else) taking and given no arguments, its body one ``return`` (after a
    docstring), which may follow imports and names bound to values (``from app.handlers
    import get_item; specs = {get_item: Spec(...)}; return specs``: what it returns is still
    the same on every call); the expression comes with the function's scope to evaluate it in.
    """
    if call.args or call.keywords:
        return None
    binding = index.binding_of(call.func, scope)
    if binding is None or binding.kind != "function" or binding.scope.parent is not None:
        return None
    function = binding.node
    if not isinstance(function, ast.FunctionDef) or function.decorator_list:
        return None
    arguments = function.args
    if (
        arguments.posonlyargs
        or arguments.args
        or arguments.kwonlyargs
        or arguments.vararg
        or arguments.kwarg
    ):
        return None
    returned = _returned_after_bindings(function)
    if returned is None:
        # `def get_routers(): yield users.router; yield items.router`: the same items too.
        returned = _yielded_after_bindings(function)
    if returned is None:
        return None
    return returned, Scope(function, binding.scope.module, binding.scope)


def _returned_after_bindings(function: ast.FunctionDef) -> ast.expr | None:
    """The expression a function returns last, when all it does before is import and bind names.

    Its body (after a docstring): imports and assignments to plain names, then one ``return``
    of a value. None for any other statement (a loop, a call standing alone, a condition):
    what is returned could then differ from what is written.
    """
    body = _body_after_bindings(function)
    if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
        return None
    return body[0].value


def _yielded_after_bindings(function: ast.FunctionDef) -> ast.expr | None:
    """What a generator yields, as a tuple, when all it does is bind names, then yield.

    ``yield users.router`` statements (and ``yield from`` a literal list or tuple) after
    imports and assignments to plain names, as :func:`_returned_after_bindings` reads them:
    the same items, in order, on every call. None for any other statement.
    """
    items: list[ast.expr] = []
    for statement in _body_after_bindings(function):
        value = statement.value if isinstance(statement, ast.Expr) else None
        if isinstance(value, ast.Yield) and value.value is not None:
            items.append(value.value)
        elif isinstance(value, ast.YieldFrom) and isinstance(value.value, ast.List | ast.Tuple):
            items.extend(value.value.elts)
        else:
            return None
    if not items:
        return None
    return ast.copy_location(ast.Tuple(items, ast.Load()), function)


def _body_after_bindings(function: ast.FunctionDef) -> list[ast.stmt]:
    """A function's statements after its docstring and the imports and plain bindings first."""
    body = after_docstring(function.body)
    for position, statement in enumerate(body):
        if isinstance(statement, ast.Import | ast.ImportFrom):
            continue
        if isinstance(statement, ast.Assign) and all(
            isinstance(target, ast.Name) for target in statement.targets
        ):
            continue
        if (
            isinstance(statement, ast.AnnAssign)
            and statement.value is not None
            and isinstance(statement.target, ast.Name)
        ):
            continue
        return body[position:]
    return []


def assigned_once_unchanged(binding: Binding) -> bool:
    """Whether a module-level name is assigned once and never changed in place in its module.

    Stricter than :func:`~telemetry_cli.patching.symbols.bound_once`, which counts bindings
    only: ``routes.append(...)`` or ``routes[0] = ...`` changes what the name holds.
    """
    # Only the nodes on lines naming it: a walk over the whole module for each name read grew
    # with the square of the module (a route module's every handler reads the router).
    return not name_changed(binding.scope.module, binding.name, 1)


def name_changed(module: ModuleModel, name: str, assignments: int) -> bool:
    """Whether ``module`` binds ``name`` more than ``assignments`` times or changes it in place.

    Also through a second name for an entry of it (``create = ROUTES["CREATE"]`` then
    ``create["path"] = ...``). Known once per module and name: each of a thousand calls
    reading ``ROUTES["KEY"]`` asks it again.
    """
    key = (name, assignments)
    known = module.changed_names.get(key)
    if known is not None:
        return known
    nodes = module.nodes_naming([name])
    changed = _changed_in(nodes, name, assignments) or _changed_by_second_name(module, name)
    module.changed_names[key] = changed
    return changed


def _changed_by_second_name(module: ModuleModel, name: str) -> bool:
    """Whether a second name bound to an entry of ``name`` changes that entry in place.

    ``c = ROUTES["C"]`` then ``c["path"] = ...`` or ``c.update(...)``; binding ``c`` again
    (by a loop, say) leaves the entry as it is. A second name bound in a function is that
    function's: a ``c`` of another function changed in place is another dict. Followed one
    name at a time, so a chain ``a1 = a0["k"]``, ``a2 = a1["k"]``... of any length is read
    without recursion.
    """
    functions: list[tuple[int, int]] | None = None
    seen: set[tuple[str, tuple[int, int] | None]] = {(name, None)}
    pending: list[tuple[str, tuple[int, int] | None]] = [(name, None)]
    while pending:
        held, within = pending.pop()
        nodes = [node for node in module.nodes_naming([held]) if _inside(node, within)]
        if held != name and any(_changes(node, held) for node in nodes):
            return True
        for node in nodes:
            if (
                isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr)
                and isinstance(node.value, ast.Subscript)
                and _entry_of(node.value, held)
            ):
                if functions is None:
                    functions = _function_lines(module.tree)
                around = [span for span in functions if _inside(node, span)]
                scope = max(around) if around else None  # the innermost function, if any
                fresh = [(alias, scope) for alias in _target_names(node)]
                fresh = [bound for bound in fresh if bound not in seen]
                seen.update(fresh)
                pending.extend(fresh)
    return False


def _function_lines(tree: ast.Module) -> list[tuple[int, int]]:
    """The first and last line of each function (and lambda) of ``tree``."""
    return [
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
    ]


def _inside(node: ast.AST, span: tuple[int, int] | None) -> bool:
    """Whether ``node`` lies on the lines ``span`` (None: the whole module)."""
    line = getattr(node, "lineno", None)
    return span is None or not isinstance(line, int) or span[0] <= line <= span[1]


def _target_names(node: ast.Assign | ast.AnnAssign | ast.NamedExpr) -> list[str]:
    """The names an assignment binds (a target written otherwise is not one)."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [
        inner.id
        for target in targets
        for inner in ast.walk(target)
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store)
    ]


def _changed_in(nodes: Iterable[ast.AST], name: str, assignments: int) -> bool:
    """Whether ``nodes`` (each once) assign ``name`` more than ``assignments`` times or change it.

    ``nodes`` must hold every node that names ``name``, with the node around each such name.
    """
    stores = 0
    for node in nodes:
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
            stores += 1
        elif _changes(node, name):
            return True
    return stores > assignments


def _changes(node: ast.AST, name: str) -> bool:
    """Whether ``node`` changes what ``name`` holds in place (or rebinds it from elsewhere)."""
    if isinstance(node, ast.AugAssign):
        return _entry_of(node.target, name)
    if isinstance(node, ast.Attribute):
        return node.attr in _MUTATORS and _entry_of(node.value, name)
    if isinstance(node, ast.Subscript):
        return isinstance(node.ctx, ast.Store | ast.Del) and _entry_of(node.value, name)
    return isinstance(node, ast.Global | ast.Nonlocal) and name in node.names


def _names(expression: ast.expr, name: str) -> bool:
    return isinstance(expression, ast.Name) and expression.id == name


def _entry_of(expression: ast.expr, name: str) -> bool:
    """Whether ``expression`` is ``name``, or an entry of it by subscripts (``name["a"]["b"]``)."""
    while isinstance(expression, ast.Subscript):
        expression = expression.value
    return _names(expression, name)


def substituted(
    expression: ast.expr, scope: Scope, values: LoopValues, index: PackageIndex | None = None
) -> tuple[ast.expr, Scope] | None:
    """``expression`` (a name or attribute chain) with a loop name replaced by its item.

    ``router`` is the item itself; ``module.router``, for ``for module in (users, items)``,
    the same attribute of the item; ``mount.router``, for an item built by a record class
    (with ``index``), the field's value; ``getattr(routes, name)``, for ``name`` a string
    known in the iteration (with ``index``), ``routes.<name>``. None for any other expression
    that reads a loop name.
    """
    if index is not None:
        expression = _getattr_read(expression, scope, values, index) or expression
    base = expression
    attributes: list[str] = []
    while isinstance(base, ast.Attribute):
        attributes.append(base.attr)
        base = base.value
    entry = None if index is None else dict_entry(base, scope, values, index)
    if entry is not None:  # `route["router"]` of `{"router": users.router, ...}`
        item, item_scope = entry
    elif not (isinstance(base, ast.Name) and base.id in values):
        if _reads(expression, set(values)):
            return None
        return expression, scope
    else:
        item, item_scope = values[base.id]
    result = item
    if attributes and attributes[-1] == "value" and isinstance(item, EnumMember):
        # `module.value` of an Enum member: what the class body assigns it.
        result = item.assigned
        attributes.pop()
    if attributes and isinstance(item, ListedModule) and attributes[-1] in item.fields:
        # `info.name` of `for info in pkgutil.iter_modules(...)`: the module's own name.
        result = item.fields[attributes.pop()]
    elif attributes and index is not None:
        field = record_field(item, attributes[-1], item_scope, index)
        if field is not None:  # `mount.router` of `Mount(users.router, "/users")`
            result, item_scope = field
            attributes.pop()
    for attribute in reversed(attributes):
        result = ast.Attribute(value=result, attr=attribute, ctx=ast.Load())
    return result, item_scope


def _getattr_read(
    expression: ast.expr, scope: Scope, values: LoopValues, index: PackageIndex
) -> ast.Attribute | None:
    """``getattr(routes, name)`` as ``routes.<name>``, when ``name``'s string is known here.

    Only the builtin with two arguments (a default makes a missing attribute something else),
    and a string that is an attribute name; None otherwise.
    """
    read = builtin_getattr(expression, scope)
    if read is None or read[2] is not None:
        return None
    held, name, _ = read
    attribute = loop_string(name, scope, values, index)
    if attribute is None or not attribute.isidentifier():
        return None
    return ast.copy_location(ast.Attribute(value=held, attr=attribute, ctx=ast.Load()), expression)


def loop_string(
    expression: ast.expr,
    scope: Scope,
    values: LoopValues,
    index: PackageIndex,
    fallback: Callable[[ast.expr, Scope], str | None] | None = None,
) -> str | None:
    """The string value of ``expression`` in one iteration (``prefix=f"/api/{name}"``).

    ``fallback``: as for :meth:`~.symbols.PackageIndex.string_value`.
    """
    if not _reads(expression, set(values)):
        known = index.string_value(expression, scope, fallback=fallback)
        return known if known is not None else _keyed_string(expression, scope, index)
    expression = _listed_paths_read(expression, scope, values, index)
    expression = _record_fields_read(expression, scope, values, index, fallback)
    constants: dict[str, str] = {}
    for name, (item, item_scope) in values.items():
        value = index.string_value(item, item_scope, fallback=fallback)
        if value is not None:
            constants[name] = value
    unknown = set(values) - set(constants)
    if _reads(expression, unknown):
        return None

    class _Constants(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.expr:
            if node.id in constants:
                return ast.Constant(constants[node.id])
            return node

    replaced = _Constants().visit(copy.deepcopy(expression))
    assert isinstance(replaced, ast.expr)
    return index.string_value(replaced, scope, fallback=fallback)


def _listed_paths_read(
    expression: ast.expr, scope: Scope, values: LoopValues, index: PackageIndex
) -> ast.expr:
    """``expression`` with each string read off a listed file replaced (see :func:`listed_path`).

    ``f"/{f.split('/')[-2]}"`` is ``f"/{'orders'}"`` for ``orders/routes.py``.
    """

    class _Paths(ast.NodeTransformer):
        def visit(self, node: ast.AST) -> ast.AST:
            if isinstance(node, ast.expr):
                read = listed_path(node, scope, values, index)
                if isinstance(read, str):
                    return ast.copy_location(ast.Constant(read), node)
            visited: ast.AST = super().visit(node)
            return visited

    replaced = _Paths().visit(copy.deepcopy(expression))
    assert isinstance(replaced, ast.expr)
    return replaced


def _keyed_string(expression: ast.expr, scope: Scope, index: PackageIndex) -> str | None:
    """The string a dict written out in the code holds for a literal key (``PREFIXES["v1"]``).

    Only a dict bound once and never changed in place (see :func:`_literal`); None otherwise.
    """
    if not (
        isinstance(expression, ast.Subscript)
        and isinstance(expression.slice, ast.Constant)
        and isinstance(expression.slice.value, str)
    ):
        return None
    found = dict_items(expression.value, scope, index)
    if found is None or expression.slice.value not in found[0]:
        return None
    return index.string_value(found[0][expression.slice.value], found[1])


def kept_by_tests(
    node: ast.expr,
    loop: ast.For | ast.AsyncFor,
    scope: Scope,
    values: LoopValues,
    index: PackageIndex,
    *,
    reading: set[str] | None = None,
) -> bool | None:
    """Whether the ``if`` tests of ``loop`` around ``node`` let the iteration of ``values`` run it.

    The tests of the ``if`` blocks holding it, and of ``if <test>: continue`` before it in the
    loop; None when one of them is not known for the iteration. ``reading``: only the tests
    that read one of these names count (a folder listing's entry: ``if hasattr(module,
    "router"):`` is about the module imported, which the routers found already tell).
    """
    line = node.lineno
    for statement in block_statements(loop.body):
        if not isinstance(statement, ast.If):
            continue
        if reading is not None and not _reads(statement.test, reading):
            continue
        if _holds_line(statement.body, line):
            result = known_test(statement.test, scope, values, index)
            if result is None:
                return None
            if not result:
                return False
        elif _holds_line(statement.orelse, line):
            result = known_test(statement.test, scope, values, index)
            if result is None:
                return None
            if result:
                return False
        elif statement.lineno < line and any(
            isinstance(each, ast.Continue | ast.Break | ast.Return | ast.Raise)
            for each in ast.walk(statement)
        ):
            result = known_test(statement.test, scope, values, index)
            if result is None:
                return None
            if result and (statement.end_lineno or 0) < line:
                return False
    return True


def known_test(
    test: ast.expr, scope: Scope, values: LoopValues, index: PackageIndex
) -> bool | None:
    """A test on an iteration's known strings, evaluated; None when it reads anything else.

    ``name.startswith("_")`` (``endswith``, a tuple of literals), ``not``, ``and``/``or``,
    ``==``/``!=``/``in``/``not in`` with literal strings, and a listed module's ``ispkg``.
    """
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = known_test(test.operand, scope, values, index)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        parts = [known_test(value, scope, values, index) for value in test.values]
        if any(part is None for part in parts):
            return None
        return all(parts) if isinstance(test.op, ast.And) else any(parts)
    if isinstance(test, ast.Name) and test.id in values:
        # `if ispkg: continue` over `for _, name, ispkg in pkgutil.iter_modules(...)`.
        held = values[test.id][0]
        if isinstance(held, ast.Constant) and isinstance(held.value, bool):
            return held.value
    if (
        isinstance(test, ast.Attribute)
        and isinstance(test.value, ast.Name)
        and test.value.id in values
        and isinstance(values[test.value.id][0], ListedModule)
    ):
        # `if info.ispkg: continue` over `pkgutil.iter_modules(...)`.
        listed = values[test.value.id][0]
        assert isinstance(listed, ListedModule)
        field = listed.fields.get(test.attr)
        return field.value if field is not None and isinstance(field.value, bool) else None
    if (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr in ("startswith", "endswith")
        and len(test.args) == 1
        and not test.keywords
    ):
        text = loop_string(test.func.value, scope, values, index)
        argument = test.args[0]
        elements = argument.elts if isinstance(argument, ast.Tuple) else [argument]
        affixes = [loop_string(each, scope, values, index) for each in elements]
        path = None if text is not None else listed_path(test.func.value, scope, values, index)
        if isinstance(path, _ListedTail) and path.text and test.func.attr == "endswith":
            # `f.endswith("__init__.py")` of a listed file's path: its end is known (after
            # the `/` ending the folder listed); an affix ending in all of it reaches into
            # the folder's own path, not known.
            text = "/" + "/".join(path.parts)
            if any(
                len(affix or "") > len(text) and (affix or "").endswith(text) for affix in affixes
            ):
                return None
        if text is None or any(affix is None for affix in affixes):
            return None
        known = tuple(affix for affix in affixes if affix is not None)
        return text.startswith(known) if test.func.attr == "startswith" else text.endswith(known)
    if isinstance(test, ast.Call):
        # `os.path.isfile(f)`, `path.is_file()` of a file the listing found.
        return listed_file_test(test, scope, values, index)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left = loop_string(test.left, scope, values, index)
        right_node = test.comparators[0]
        if isinstance(test.ops[0], ast.In | ast.NotIn):
            if not isinstance(right_node, ast.Tuple | ast.List | ast.Set):
                return None
            options = [loop_string(each, scope, values, index) for each in right_node.elts]
            if left is None or any(option is None for option in options):
                return None
            return (left in options) == isinstance(test.ops[0], ast.In)
        right = loop_string(right_node, scope, values, index)
        if left is None or right is None or not isinstance(test.ops[0], ast.Eq | ast.NotEq):
            return None
        return (left == right) == isinstance(test.ops[0], ast.Eq)
    return None


def _holds_line(block: list[ast.stmt], line: int) -> bool:
    """Whether ``line`` is within the statements of ``block``."""
    return bool(block) and block[0].lineno <= line <= (block[-1].end_lineno or block[-1].lineno)


def _record_fields_read(
    expression: ast.expr,
    scope: Scope,
    values: LoopValues,
    index: PackageIndex,
    fallback: Callable[[ast.expr, Scope], str | None] | None,
) -> ast.expr:
    """``expression`` with each ``item.field`` (or ``item["key"]``) whose string is known replaced.

    A field of a record item (a dataclass the package defines), a constant of a module item,
    or an attribute read off any other object passed (``settings.API_V1_STR`` in ``def
    create_app(settings: Settings)`` called as ``create_app(settings=settings)``): read where
    the object is, as written there (see :func:`_read_off_item`).
    """

    class _Fields(ast.NodeTransformer):
        def _entry(self, node: ast.Subscript | ast.Call) -> ast.expr:
            entry = dict_entry(node, scope, values, index)
            if entry is not None:  # `route["prefix"]` of a dict item
                value = index.string_value(*entry, fallback=fallback)
                if value is not None:
                    return ast.Constant(value)
            self.generic_visit(node)
            return node

        def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
            return self._entry(node)

        def visit_Call(self, node: ast.Call) -> ast.expr:
            return self._entry(node)

        def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
            value = _read_off_item(node, scope, values, index, fallback)
            if value is not None:
                return ast.Constant(value)
            self.generic_visit(node)
            return node

    replaced = _Fields().visit(copy.deepcopy(expression))
    assert isinstance(replaced, ast.expr)
    return replaced


def _read_off_item(
    node: ast.Attribute,
    scope: Scope,
    values: LoopValues,
    index: PackageIndex,
    fallback: Callable[[ast.expr, Scope], str | None] | None,
) -> str | None:
    """The string ``name.a.b`` holds when ``name`` stands for an item, else None.

    Read where the item is written (see :func:`substituted`): a field of a record item, a
    constant of a module (``module.PREFIX`` for ``for module in (users, items)``, or a
    parameter each call passes one to), an attribute of an object passed in
    (``settings.api.prefix`` as the module's ``settings`` would be read there).
    """
    root: ast.expr = node
    while isinstance(root, ast.Attribute):
        root = root.value
    if not (isinstance(root, ast.Name) and root.id in values):
        return None
    if isinstance(values[root.id][0], ast.Constant):
        return None  # a literal has no fields of the package's
    found = substituted(node, scope, values, index)
    return None if found is None else index.string_value(*found, fallback=fallback)


class _ListedTail(NamedTuple):
    """A path read off a listed file: the parts of it below the folder listed, if a string."""

    parts: tuple[str, ...]
    text: bool


# The separators a path string is split by: `f.split("/")`, `f.split(os.sep)` (a served app's
# paths are POSIX ones, as the glob pattern written with "/" assumes too).
_SEPARATORS = frozenset({"os.sep", "os.path.sep", "posixpath.sep"})
# Calls giving the path they are given, as a string (`str(f)`) or a `pathlib.Path`.
_SAME_PATH_TEXT = frozenset(
    {"os.fspath", "os.path.abspath", "os.path.realpath", "os.path.normpath"}
)
_SAME_PATH_OBJECT = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PurePosixPath"})
# Tests a listed file passes: the listing found it, a module file of the package (or a folder).
_EXISTS = frozenset({"os.path.exists", "os.path.isfile", "os.path.isdir"})


def listed_path(
    expression: ast.expr, scope: Scope, values: LoopValues, index: PackageIndex
) -> _ListedTail | str | None:
    """What ``expression`` reads off a file a folder listing's loop binds, if known statically.

    ``for f in glob.glob(os.path.join(here, "*", "routes.py")):`` binds the path of
    ``here/orders/routes.py``, whose folder part is only known at run time; read off it,
    ``f.split("/")[-2]`` (``os.sep`` too), ``Path(f).parent.name``, ``f.parts[-2]`` and
    ``os.path.basename(os.path.dirname(f))`` are ``"orders"``, ``Path(f).stem`` and
    ``os.path.splitext(os.path.basename(f))[0]`` ``"routes"``. A path is given as its known
    parts; None for anything reaching into the unknown folder (``f.split("/")[0]``), or not
    read off a listed file.
    """

    def again(node: ast.expr) -> _ListedTail | str | None:
        return listed_path(node, scope, values, index)

    def tail(node: ast.expr) -> _ListedTail | None:
        found = again(node)
        return found if isinstance(found, _ListedTail) else None

    if isinstance(expression, ast.Name):
        held = values.get(expression.id)
        item = None if held is None else held[0]
        if isinstance(item, ListedModule) and item.tail:
            return _ListedTail(item.tail, item.text)
        return None
    if isinstance(expression, ast.Attribute):
        path = tail(expression.value)
        if path is None or path.text:
            return None  # a string has no path fields
        if expression.attr == "parent":
            return _ListedTail(path.parts[:-1], False) if len(path.parts) > 1 else None
        if expression.attr in ("name", "stem", "suffix"):
            read: str = getattr(PurePosixPath(*path.parts), expression.attr)
            return read
        return None
    if isinstance(expression, ast.Subscript):
        return _listed_part(expression, scope, values, index)
    if not isinstance(expression, ast.Call) or expression.keywords:
        return None
    function = expression.func
    if isinstance(function, ast.Attribute) and function.attr in ("resolve", "absolute"):
        path = None if expression.args else tail(function.value)
        return None if path is None or path.text else path
    if len(expression.args) != 1:
        return None
    builtin = isinstance(function, ast.Name) and scope.lookup(function.id) is None
    qualified = "str" if builtin and getattr(function, "id", None) == "str" else None
    qualified = qualified or index.qualify(function, scope)
    given = again(expression.args[0])
    if qualified == "os.path.basename" and isinstance(given, _ListedTail):
        return given.parts[-1]
    if qualified == "os.path.dirname" and isinstance(given, _ListedTail):
        return _ListedTail(given.parts[:-1], True) if len(given.parts) > 1 else None
    if isinstance(given, _ListedTail) and (qualified == "str" or qualified in _SAME_PATH_TEXT):
        return _ListedTail(given.parts, True)
    if isinstance(given, _ListedTail) and qualified in _SAME_PATH_OBJECT:
        return _ListedTail(given.parts, False)
    return None


def _listed_part(
    expression: ast.Subscript, scope: Scope, values: LoopValues, index: PackageIndex
) -> _ListedTail | str | None:
    """An item of a listed file's parts (see :func:`listed_path`), by a literal index.

    ``f.split("/")[-2]``, ``path.parts[-2]``, ``os.path.split(f)[1]``,
    ``os.path.splitext(name)[0]``: only an index counted from the end, within the known parts.
    """
    position = _literal_index(expression.slice)
    sequence = expression.value
    if position is None:
        return None
    if isinstance(sequence, ast.Attribute) and sequence.attr == "parts":
        path = listed_path(sequence.value, scope, values, index)
        parts = path.parts if isinstance(path, _ListedTail) and not path.text else None
        return parts[position] if parts and -len(parts) <= position < 0 else None
    if not isinstance(sequence, ast.Call) or sequence.keywords or len(sequence.args) > 1:
        return None
    function = sequence.func
    if isinstance(function, ast.Attribute) and function.attr == "split" and sequence.args:
        path = listed_path(function.value, scope, values, index)
        separator = sequence.args[0]
        slash = index.string_value(separator, scope) == "/" or (
            index.qualify(separator, scope) in _SEPARATORS
        )
        parts = path.parts if isinstance(path, _ListedTail) and path.text and slash else None
        return parts[position] if parts and -len(parts) <= position < 0 else None
    if len(sequence.args) != 1 or position not in (-2, -1, 0, 1):
        return None
    given = listed_path(sequence.args[0], scope, values, index)
    qualified = index.qualify(function, scope)
    if qualified == "os.path.split" and isinstance(given, _ListedTail):
        head = _ListedTail(given.parts[:-1], True) if len(given.parts) > 1 else None
        return given.parts[-1] if position in (1, -1) else head
    if qualified == "os.path.splitext" and given is not None:
        name = given if isinstance(given, str) else given.parts[-1]
        stem = str(PurePosixPath(name).with_suffix("")) if PurePosixPath(name).suffix else name
        if position in (1, -1):
            return name[len(stem) :]
        return stem if isinstance(given, str) else _ListedTail((*given.parts[:-1], stem), True)
    return None


def _literal_index(written: ast.expr) -> int | None:
    """The integer an index is written as (``-2``), else None."""
    negative = isinstance(written, ast.UnaryOp) and isinstance(written.op, ast.USub)
    number = written.operand if isinstance(written, ast.UnaryOp) and negative else written
    if not isinstance(number, ast.Constant) or type(number.value) is not int:
        return None
    return -number.value if negative else number.value


def listed_file_test(
    test: ast.Call, scope: Scope, values: LoopValues, index: PackageIndex
) -> bool | None:
    """Whether a listed file passes ``os.path.isfile(f)`` (``exists``, ``f.is_file()``, ...).

    The listing found it: it exists, a module file (``.py``) or a folder (a subpackage). None
    for any other test, or a path not read off a listed file.
    """
    function = test.func
    if isinstance(function, ast.Attribute) and not test.args and not test.keywords:
        checked: ast.expr | None = function.value
        kind = {"exists": "exists", "is_file": "isfile", "is_dir": "isdir"}.get(function.attr)
    elif len(test.args) == 1 and not test.keywords:
        checked = test.args[0]
        qualified = index.qualify(function, scope)
        kind = qualified.rpartition(".")[2] if qualified in _EXISTS else None
    else:
        return None
    path = None if kind is None or checked is None else listed_path(checked, scope, values, index)
    if not isinstance(path, _ListedTail) or not path.parts:
        return None
    is_file = path.parts[-1].endswith(".py")
    return {"exists": True, "isfile": is_file, "isdir": not is_file}[kind or "exists"]


_DATACLASS_DECORATORS = frozenset({"dataclasses.dataclass", "pydantic.dataclasses.dataclass"})
_NAMED_TUPLES = frozenset({"typing.NamedTuple", "typing_extensions.NamedTuple"})


def record_field(
    item: ast.expr, attribute: str, scope: Scope, index: PackageIndex
) -> tuple[ast.expr, Scope] | None:
    """What field ``attribute`` holds in ``item``, a call of a record class of the package.

    A dataclass, ``NamedTuple`` or pydantic model defined in the package (with no other bases,
    whose fields are then its own annotated names, in order): the argument passed for the
    field, by keyword or position, else its default. None for any other item, or a field set
    some other way. A name bound once to such a call (``users_config = RouterConfig(...)``)
    is that call.
    """
    if isinstance(item, ast.Name):
        binding = index.binding_of(item, scope)
        if (
            bound_once(binding)
            and isinstance(binding.node, ast.Call)
            # `users_config.prefix = "/v2"` where it is built: not what its construction passes.
            and not _attribute_changed(binding.scope.node, attribute)
        ):
            item, scope = binding.node, binding.scope
    if (
        not isinstance(item, ast.Call)
        or any(isinstance(argument, ast.Starred) for argument in item.args)
        or any(keyword.arg is None for keyword in item.keywords)
    ):
        return None
    binding = index.binding_of(item.func, scope)
    if binding is None or binding.kind != "class" or not isinstance(binding.node, ast.ClassDef):
        return None
    fields = _record_fields(binding.node, binding.scope, index)
    if fields is None:
        return None
    names = [name for name, _, _ in fields]
    if attribute not in names:
        return None
    for keyword in item.keywords:
        if keyword.arg == attribute:
            return keyword.value, scope
    position = names.index(attribute)
    positional = [name for name, _, by_position in fields if by_position]
    if len(item.args) > len(positional):
        return None  # more arguments than the class takes: not what it is
    if attribute in positional and positional.index(attribute) < len(item.args):
        return item.args[positional.index(attribute)], scope
    default = fields[position][1]
    if isinstance(default, ast.Call):
        # `field(default="/v1")`, pydantic's `Field("/v1")`; `default_factory=` is only known
        # at run time.
        qualified = index.qualify(default.func, binding.scope)
        if qualified is None or index.resolve(qualified)[0] not in FIELD_FUNCTIONS:
            return None
        default = call_argument(default, 0, "default")
        if isinstance(default, ast.Constant) and default.value is Ellipsis:
            return None  # `Field(...)`: a required field, with no default
    return None if default is None else (default, binding.scope)


def _record_fields(
    node: ast.ClassDef, scope: Scope, index: PackageIndex
) -> list[tuple[str, ast.expr | None, bool]] | None:
    """A record class's fields in order: name, default, whether it may be passed by position.

    None when the class is no dataclass, ``NamedTuple`` or pydantic model (one without
    aliases) with its own fields only.
    """

    def canonical(expression: ast.expr) -> str:
        qualified = index.qualify(expression, scope)
        return "" if qualified is None else index.resolve(qualified)[0]

    named_tuple = len(node.bases) == 1 and canonical(node.bases[0]) in _NAMED_TUPLES
    # A pydantic model's constructor takes each field by keyword (by its alias when it has one).
    model = len(node.bases) == 1 and canonical(node.bases[0]) in BASE_MODELS
    if model and any(
        isinstance(keyword.value, ast.Constant) and keyword.value.value is not None
        for statement in node.body
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.value, ast.Call)
        for keyword in statement.value.keywords
        if keyword.arg in ("alias", "validation_alias")
    ):
        return None
    keyword_only = model
    dataclass = False
    for decorator in node.decorator_list:
        called = decorator.func if isinstance(decorator, ast.Call) else decorator
        if canonical(called) in _DATACLASS_DECORATORS:
            dataclass = True
            keyword_only = isinstance(decorator, ast.Call) and any(
                k.arg == "kw_only" and not (isinstance(k.value, ast.Constant) and not k.value.value)
                for k in decorator.keywords
            )
    if node.keywords or not (named_tuple or model or (dataclass and not node.bases)):
        return None
    fields: list[tuple[str, ast.expr | None, bool]] = []
    for statement in node.body:
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        annotation = statement.annotation
        annotated = annotation.value if isinstance(annotation, ast.Subscript) else annotation
        kind = canonical(annotated) if isinstance(annotated, ast.Name | ast.Attribute) else ""
        if kind in ("typing.ClassVar", "dataclasses.InitVar"):
            continue  # no field
        if kind == "dataclasses.KW_ONLY":
            keyword_only = True  # the fields after it are passed by keyword only
            continue
        fields.append((statement.target.id, statement.value, not keyword_only))
    return fields


def dict_items(
    item: ast.expr, scope: Scope, index: PackageIndex
) -> tuple[dict[str, ast.expr], Scope] | None:
    """What a dict written out in the code holds by each literal string key, else None.

    A dict display (``{"router": users.router}``), also through a name bound once to one
    (``USERS = {...}``) or an entry of one by a literal key (``ROUTES["CREATE"]`` of ``ROUTES =
    {"CREATE": {...}}``), or a call of the builtin ``dict`` with keywords only
    (``dict(router=users.router)``); one unpacking another holds keys only known at run time.
    The values come with the scope they are written in.
    """
    if isinstance(item, ast.Name | ast.Attribute | ast.Subscript):
        found = _literal(item, scope, index, 1)
        if found is None or not isinstance(found[0], ast.Dict):
            return None
        item, scope = found
    held = _written_dict(item, scope)
    return None if held is None else (held, scope)


def _dict_display(call: ast.Call, scope: Scope) -> ast.Dict | None:
    """A call of the builtin ``dict`` with keywords only, as the dict display it builds.

    ``dict(router=users.router, prefix="/users")`` holds what ``{"router": users.router,
    "prefix": "/users"}`` does; the values are the call's own nodes.
    """
    if not (
        calls_builtin(call, scope, "dict")
        and not call.args
        and all(keyword.arg is not None for keyword in call.keywords)
    ):
        return None
    keys: list[ast.expr | None] = [
        ast.copy_location(ast.Constant(str(keyword.arg)), keyword) for keyword in call.keywords
    ]
    values = [keyword.value for keyword in call.keywords]
    return ast.copy_location(ast.Dict(keys=keys, values=values), call)


def _written_dict(item: ast.expr, scope: Scope) -> dict[str, ast.expr] | None:
    """The keys and values of a dict display or builtin ``dict(...)`` call, else None."""
    if isinstance(item, ast.Call):
        item = _dict_display(item, scope) or item
    if not isinstance(item, ast.Dict):
        return None
    keys = [key.value if isinstance(key, ast.Constant) else None for key in item.keys]
    if not all(isinstance(key, str) for key in keys):
        return None
    return {str(key): value for key, value in zip(keys, item.values, strict=True)}


def _named_dict_keywords(call: ast.Call, scope: Scope, index: PackageIndex) -> ast.Call | None:
    """``call`` with each ``**NAME`` of a dict written out in the code spelled as keywords.

    ``app.include_router(api_router, **ROUTER_KWARGS)`` with ``ROUTER_KWARGS = {"prefix":
    "/v1"}`` (module-level, a class attribute, or a factory's local, bound once and never
    changed in place; see :func:`dict_items`) passes ``prefix="/v1"``. A dict whose values
    read a name ``scope`` binds otherwise (a local shadowing it) is left unpacked, as is one
    only known at run time; None when a dict holds a key no keyword can be (the call raises).
    """
    keywords: list[ast.keyword] = []
    for keyword in call.keywords:
        value = keyword.value
        found = (
            dict_items(value, scope, index)
            if keyword.arg is None and isinstance(value, ast.Name | ast.Attribute)
            else None
        )
        if found is None or not _reads_alike(found[0].values(), found[1], scope):
            keywords.append(keyword)
            continue
        held = found[0]
        if not all(key.isidentifier() for key in held):
            return None
        keywords.extend(
            ast.copy_location(ast.keyword(arg=key, value=item), value) for key, item in held.items()
        )
    if len(keywords) == len(call.keywords) and all(map(operator.is_, keywords, call.keywords)):
        return call
    return ast.copy_location(ast.Call(func=call.func, args=call.args, keywords=keywords), call)


def _reads_alike(values: Iterable[ast.expr], written_in: Scope, read_in: Scope) -> bool:
    """Whether every name ``values`` read (written in ``written_in``) is the same in ``read_in``."""
    return all(
        written_in.lookup(node.id) is read_in.lookup(node.id)
        for value in values
        for node in ast.walk(value)
        if isinstance(node, ast.Name)
    )


def dict_entry(
    expression: ast.expr, scope: Scope, values: LoopValues, index: PackageIndex
) -> tuple[ast.expr, Scope] | None:
    """The value a loop's dict item holds for a literal key, with the scope it is written in.

    ``route["prefix"]``, or ``route.get("prefix", "/")`` (its default, read in ``scope``, when
    the item holds no such key), for ``route`` bound to ``{"router": ..., "prefix": "/v1"}``;
    None for any other expression, or a key the item does not hold (``[]`` would raise).
    """
    key: ast.expr | None = None
    default: ast.expr | None = None
    holder: ast.expr | None = None
    if isinstance(expression, ast.Subscript):
        holder, key = expression.value, expression.slice
    elif (
        isinstance(expression, ast.Call)
        and isinstance(expression.func, ast.Attribute)
        and expression.func.attr == "get"
        and 1 <= len(expression.args) <= 2
        and not expression.keywords
    ):
        holder, key = expression.func.value, expression.args[0]
        default = expression.args[1] if len(expression.args) == 2 else None
    if not (
        isinstance(holder, ast.Name)
        and holder.id in values
        and isinstance(key, ast.Constant)
        and isinstance(key.value, str)
    ):
        return None
    found = dict_items(*values[holder.id], index)
    if found is None:
        return None
    held, item_scope = found
    if key.value in held:
        return held[key.value], item_scope
    return None if default is None else (default, scope)


def dict_keywords(
    call: ast.Call, scope: Scope, index: PackageIndex, passed: Passed | None = None
) -> list[tuple[ast.Call, Callable[[LoopValues], bool]]]:
    """``call`` with each ``**route`` of a loop's dict items written as keywords, per item.

    ``for route in ROUTES: app.include_router(**route)`` with ``ROUTES = [{"router":
    users.router, "prefix": "/users"}]`` passes, for that item, ``router=route["router"],
    prefix=route["prefix"]``: one call per distinct item, with the test an iteration's values
    must pass to be that item's. An item that is no dict makes no call (unpacked, it raises:
    a loop over dicts and routers tells them apart before). A call unpacking anything else is
    the only one, as written; so is a call one of whose items, of any ``**``, holds a key that
    is no keyword (no call of an item is spelled out then, none dropped).
    """
    as_written: list[tuple[ast.Call, Callable[[LoopValues], bool]]] = [(call, lambda _: True)]
    named = _named_dict_keywords(call, scope, index)
    if named is None:
        return as_written  # a named dict holds a key no keyword can be: the whole call
    call = named
    variants: list[tuple[ast.Call, Callable[[LoopValues], bool]]] = [(call, lambda _: True)]
    for keyword in call.keywords:
        value = keyword.value
        if keyword.arg is not None or not isinstance(value, ast.Name):
            continue
        environments = loop_values(value, scope, index, passed)
        if environments is None or environments == [{}] or value.id not in environments[0]:
            continue
        items: dict[int, dict[str, ast.expr]] = {}
        for environment in environments:
            item, item_scope = environment[value.id]
            found = dict_items(item, item_scope, index)
            if found is None:
                continue
            held = found[0]
            if not all(key.isidentifier() for key in held):
                return as_written  # an item holds a key no keyword can be: the whole call
            items[id(item)] = held
        if not items:
            continue
        expanded: list[tuple[ast.Call, Callable[[LoopValues], bool]]] = []
        for variant, keep in variants:
            for identity, held in items.items():
                keywords: list[ast.keyword] = []
                for written in variant.keywords:
                    if written is not keyword:
                        keywords.append(written)
                        continue
                    for key in held:
                        read = ast.Subscript(value=value, slice=ast.Constant(key), ctx=ast.Load())
                        keywords.append(
                            ast.copy_location(
                                ast.keyword(arg=key, value=ast.copy_location(read, value)), value
                            )
                        )
                spelled = ast.copy_location(
                    ast.Call(func=variant.func, args=variant.args, keywords=keywords), variant
                )

                def kept(
                    values: LoopValues,
                    keep: Callable[[LoopValues], bool] = keep,
                    name: str = value.id,
                    identity: int = identity,
                ) -> bool:
                    # Values read without `name` (its loop around others, the item's keys
                    # not what is read: `**extra` giving tags) fit every item of it.
                    held = values.get(name)
                    return keep(values) and (held is None or id(held[0]) == identity)

                expanded.append((spelled, kept))
        variants = expanded
    return variants
