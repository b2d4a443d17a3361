"""The apps a project hands to a serverless platform, read for ``init``.

AWS Lambda's Mangum, Azure Functions, Ray Serve, and the Python functions Vercel's
``vercel.json`` routes to.

A platform imports the module and runs the app handed to its adapter, as a server runs the
module of an import string: ``init`` reads those modules as it reads the run files' scripts.
"""

import ast
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

from telemetry_cli.ast_literals import is_main_guard, is_type_checking
from telemetry_cli.ignore import GitIgnore
from telemetry_cli.image_layer import read_bounded
from telemetry_cli.patching.apps import (
    is_test_file,
)
from telemetry_cli.patching.symbols import (
    Binding,
    ModuleModel,
    ModuleSource,
    bound_names,
    call_argument,
    parameters_of,
)
from telemetry_cli.script_servers import ServerCall, StarBinds, call_targets, script_tree

# Adapters a serverless platform runs an ASGI app through (AWS Lambda's Mangum, Azure
# Functions'): the module handing its app to one is what the platform runs, whatever its name.
_PLATFORM_ADAPTERS = frozenset(
    {
        "mangum.Mangum",
        "mangum.adapter.Mangum",
        "azure.functions.AsgiMiddleware",
        "azure.functions.AsgiFunctionApp",
        "azure.functions._http_asgi.AsgiMiddleware",
        # Ray Serve: `@serve.ingress(app)` on a deployment class, run by `serve run`.
        "ray.serve.ingress",
        "ray.serve.api.ingress",
    }
)


def hands_own_app_to_a_platform(path: Path, data: bytes) -> bool:
    """Whether a module hands an app it builds at module level to a serverless adapter.

    ``app = FastAPI()`` then ``handler = Mangum(app)`` (AWS Lambda), ``func.AsgiFunctionApp(
    app=app)`` or ``func.AsgiMiddleware(app).handle(req, context)`` in a function (Azure
    Functions), ``@serve.ingress(app)`` on a Ray Serve deployment: the platform runs that
    module, as a server runs ``main.py``. An app imported from another module is served from
    there (it is found in its own module). Which calls count: :func:`_platform_handed`.
    """
    return any(handed.own for handed in _platform_handed(path, data))


def hands_imported_app_to_a_platform(path: Path, data: bytes) -> bool:
    """Whether a module hands an app it imports to a serverless adapter.

    ``from service import api`` then ``handler = Mangum(api)`` or ``func.AsgiFunctionApp(
    app=api)``: the platform imports the module from its folder, where ``service`` is a
    top-level module too. Which calls count: :func:`_platform_handed`, as for an app of its own
    (:func:`hands_own_app_to_a_platform`).
    """
    return any(handed.imported for handed in _platform_handed(path, data))


def platform_targets(
    path: Path, data: bytes, stars: "StarBinds | None", *, follow: bool
) -> set[str]:
    """The apps a module at the top hands to a serverless adapter after importing them.

    Azure Functions' Python v2 model loads ``function_app.py`` at the root, AWS Lambda the
    handler module its configuration names: ``from main import fastapi_app`` then
    ``app = func.AsgiFunctionApp(app=fastapi_app)`` (or ``handler = Mangum(api)``, or
    ``func.AsgiMiddleware(api).handle_async(req, context)`` in a route function) serves
    ``main:fastapi_app``, as ``uvicorn.run(app)`` in ``run.py`` serves the app it imports. An
    app the module builds itself is found as its own module's already (see
    :func:`hands_own_app_to_a_platform`), so only imported ones are named; which calls count
    is :func:`_platform_handed`'s one rule.

    ``follow`` as for the module's server calls: an entry module (``main.py``) wrapping an app
    it imports is offered as the flat layout already, with the routes it adds.
    """
    if not follow:
        return set()
    found = [each for each in _platform_handed(path, data) if each.imported]
    # An app read through the binding before its call (`api = Mangum(api)`, `service.api` of
    # `import service`) is named by that import already.
    targets = {each.served for each in found if each.served is not None}
    handed = [ServerCall(each.call, each.app) for each in found if each.served is None]
    tree = script_tree(data)
    if not handed or tree is None:
        return targets
    # No server argument moves the import root here: `call_targets` names each one's app.
    return targets | (call_targets(tree, handed, path.stem, follow=True, stars=stars) or set())


class _Handed(NamedTuple):
    """An adapter call handing an app to a serverless platform, and where that app comes from."""

    call: ast.Call
    app: ast.Name | ast.Attribute
    #: The app's first name comes from a ``from ... import`` (or a star import): served there.
    imported: bool
    #: The app is a plain name the module assigns at module level (``app = FastAPI()``).
    own: bool
    #: The app's import string when read through an import bound before the call's statement
    #: rebinds its name (``api = Mangum(api)``), or a module imported whole (``import service``
    #: then ``Mangum(service.api)``); None: named by the module's imports as any server call's.
    served: str | None = None


def _platform_handed(path: Path, data: bytes) -> list[_Handed]:
    """The calls by which a module hands an app, named, to a serverless adapter.

    The one rule for both the app a module builds and one it imports. A platform imports the
    module (never runs it as ``__main__``) and calls its handlers: an adapter call anywhere in
    its code counts, in a function too (``func.AsgiMiddleware(api).handle_async(req,
    context)`` on each request), but not under ``if TYPE_CHECKING:`` nor the ``__main__``
    guard, and never in a test module. An app named by a function's own local (a handler
    building its own app) is not the module's, so that call says nothing. The adapter and the
    app are names as the module model binds them at module level: a name bound to anything
    else there (``def Mangum``, ``import service as api``) and an argument that is no name (a
    string) say nothing.
    """
    if is_test_file(path.name) or (
        b"Mangum" not in data and b"Asgi" not in data and b"ingress" not in data
    ):
        return []
    tree = script_tree(data)
    if tree is None:
        return []
    model = ModuleModel(
        ModuleSource(path.stem, path.name, data.decode("utf-8", errors="replace"), False), tree
    )
    try:
        bindings = model.scope.bindings
        found: list[_Handed] = []
        for call, local in _platform_calls(tree):
            app = call_argument(call, 0, "app")
            if (
                not isinstance(app, ast.Name | ast.Attribute)
                or _head(call.func) in local
                or _head(app) in local
                or _bound_name(call.func, bindings) not in _PLATFORM_ADAPTERS
            ):
                continue
            binding = bindings.get(_head(app))
            rebound = binding is not None and _statement_holds(binding.statement, call)
            if rebound and binding is not None and binding.statement is not None:
                # `api = func.AsgiFunctionApp(app=api)`: the call reads the name as bound before
                # the statement rebinding it (an import of the app), not the adapter it binds.
                binding = model.scope.bindings_before(binding.statement).get(_head(app))
            served = _imported_app(app, binding) if rebound or _whole_module(binding) else None
            found.append(
                _Handed(
                    call,
                    app,
                    imported=served is not None or (not rebound and _imported_from(app, bindings)),
                    own=isinstance(app, ast.Name)
                    and binding is not None
                    and binding.kind == "value",
                    served=served,
                )
            )
    finally:
        model.close()  # its scopes freed now; the tree stays for the run (see script_tree)
    return found


def _statement_holds(statement: ast.stmt | None, call: ast.Call) -> bool:
    """Whether ``call`` is written in ``statement`` (none: no statement)."""
    return statement is not None and any(node is call for node in ast.walk(statement))


def _whole_module(binding: Binding | None) -> bool:
    """Whether ``binding`` is a module's import (``import service``, ``import pkg.web as w``)."""
    return (
        binding is not None
        and binding.kind == "import"
        and isinstance(binding.statement, ast.Import)
    )


def _imported_app(app: ast.Name | ast.Attribute, binding: Binding | None) -> str | None:
    """The import string of the app ``app`` names through the import ``binding`` of its head.

    ``api`` of ``from service import api`` is ``service:api``; ``service.api`` of ``import
    service`` is ``service:api``, ``pkg.web.api`` of ``import pkg.web`` ``pkg.web:api`` (the
    longest module the statement imports). A module itself (``Mangum(service)``), or a name the
    module binds otherwise, names no app: None.
    """
    if binding is None or binding.kind != "import":
        return None
    head, _, rest = ast.unparse(app).partition(".")
    statement = binding.statement
    if isinstance(statement, ast.ImportFrom):
        source, _, name = binding.target.rpartition(".")
        return f"{source}:{name}" + (f".{rest}" if rest else "") if source else None
    if not isinstance(statement, ast.Import) or not rest:
        return None  # a module handed is no app
    names = rest.split(".")
    module = binding.target
    if module == head:
        # `import pkg.web` binds `pkg`: `pkg.web.api` reaches the module it imported.
        imported = {alias.name for alias in statement.names if alias.asname is None}
        for size in range(len(names) - 1, 0, -1):
            if ".".join([head, *names[:size]]) in imported:
                module, names = ".".join([head, *names[:size]]), names[size:]
                break
    return f"{module}:{'.'.join(names)}"


def _head(node: ast.expr) -> str:
    """The first name of a dotted expression (``func`` of ``func.AsgiMiddleware``)."""
    return ast.unparse(node).partition(".")[0]


def _platform_calls(tree: ast.Module) -> Iterator[tuple[ast.Call, frozenset[str]]]:
    """Each call of a module's code a platform importing it may run, with the names local there.

    In functions, lambdas and classes too, with the names their scopes bind (a parameter, an
    assignment not declared ``global``); not under ``if TYPE_CHECKING:`` (false at run time)
    nor ``if __name__ == "__main__":`` (the module run, not imported): their ``else`` runs.
    A decorator, a default or a base class is read in the enclosing scope.
    """
    pending: list[tuple[ast.AST, frozenset[str]]] = [(tree, frozenset())]
    while pending:
        node, local = pending.pop()
        if isinstance(node, ast.Call):
            yield node, local
        if isinstance(node, ast.If) and (is_type_checking(node.test) or is_main_guard(node.test)):
            pending.extend((part, local) for part in node.orelse)
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inner = local | _function_locals(node)
            outer = [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
            if not isinstance(node, ast.Lambda):
                outer += node.decorator_list
            pending.extend((part, local) for part in outer)
            body = [node.body] if isinstance(node, ast.Lambda) else node.body
            pending.extend((part, inner) for part in body)
            continue
        if isinstance(node, ast.ClassDef):
            inner = local | frozenset(bound_names(node.body))
            outer = [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]
            pending.extend((part, local) for part in outer)
            pending.extend((part, inner) for part in node.body)
            continue
        pending.extend((child, local) for child in ast.iter_child_nodes(node))


def _function_locals(
    function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
) -> frozenset[str]:
    """The names local to a function: its parameters and what its body binds, not declared."""
    names = {arg.arg for arg in parameters_of(function.args)}
    if isinstance(function, ast.Lambda):
        return frozenset(names)
    declared = {
        name
        for node in _own_statements(function.body)
        if isinstance(node, ast.Global | ast.Nonlocal)
        for name in node.names
    }
    return frozenset(names.union(bound_names(function.body)) - declared)


def _own_statements(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of a function body, not those of the functions and classes it defines."""
    pending: list[ast.AST] = list(body)
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            pending.extend(ast.iter_child_nodes(node))


def _bound_name(node: ast.expr, bindings: Mapping[str, Binding]) -> str | None:
    """The dotted name ``node`` (``Mangum``, ``func.AsgiMiddleware``) stands for at module level.

    Its first name through the module's binding of it: an import's qualified name; a name the
    module binds otherwise (a function, a variable) None; one it binds nowhere, itself.
    """
    if not isinstance(node, ast.Name | ast.Attribute):
        return None
    head, dot, rest = ast.unparse(node).partition(".")
    binding = bindings.get(head)
    if binding is None:
        return head + dot + rest
    if binding.kind != "import":
        return None
    return binding.target + dot + rest


def _imported_from(node: ast.Name | ast.Attribute, bindings: Mapping[str, Binding]) -> bool:
    """Whether the first name of ``node`` is bound at module level by a ``from ... import``.

    A name bound nowhere may come from a star import (:func:`call_targets` tells).
    """
    head = ast.unparse(node).partition(".")[0]
    binding = bindings.get(head)
    return binding is None or isinstance(binding.statement, ast.ImportFrom)


#: Vercel's project configuration: its Python functions are module files of the project.
VERCEL_CONFIG = "vercel.json"


def vercel_targets(folder: Path, path: Path, ignore: GitIgnore) -> set[str]:
    """The import strings of the Python modules ``vercel.json`` in ``folder`` serves.

    Vercel runs each function file's ``app``: one its ``builds`` build with ``@vercel/python``
    (``{"src": "api/index.py"}``), its ``functions`` configure, or its ``routes`` and
    ``rewrites`` send requests to (``{"source": "/(.*)", "destination": "/api/index"}``,
    the extension left out or not); ``api/index.py`` serves ``api.index:app``. A glob, a
    pattern's capture (``/api/$1``) or a page is no module file: left out.
    """
    data = read_bounded(path)  # as a run file: not read when that large
    if data is None:
        return set()
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return set()  # not a file of JSON: it names nothing
    if not isinstance(document, dict):
        return set()
    named: list[object] = []
    for key, field in (("builds", "src"), ("routes", "dest"), ("rewrites", "destination")):
        entries = document.get(key)
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict) and (
                key != "builds" or str(entry.get("use", "")).startswith("@vercel/python")
            ):
                named.append(entry.get(field))
    functions = document.get("functions")
    if isinstance(functions, dict):
        named.extend(functions)
    targets: set[str] = set()
    for value in named:
        if not isinstance(value, str):
            continue
        file = re.split(r"[?#]", value, maxsplit=1)[0].strip("/")
        parts = file.removesuffix(".py").split("/")
        module = folder.joinpath(*parts).with_suffix(".py")
        if (
            all(part.isidentifier() for part in parts)
            and module.is_file()
            and not ignore.ignored(module, folder=False)
        ):
            targets.add(f"{'.'.join(parts)}:app")
    return targets
