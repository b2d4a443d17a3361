"""Shortcuts of the patcher for big modules: the same answers as the plain way, no leftovers."""

from __future__ import annotations

import ast
import gc
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from telemetry_cli.patching import analyze, instrument, route_order, symbols
from telemetry_cli.patching.edits import ModuleEditor
from telemetry_cli.patching.instances import assigning_class
from telemetry_cli.patching.symbols import (
    Binding,
    FunctionNode,
    ModuleModel,
    ModuleSource,
    PackageIndex,
    ParseFailure,
    Scope,
    block_statements,
    bound_names,
    call_bound_once,
    parse,
)
from telemetry_cli.plan import load_plan
from tests.cli_support import run, write_files

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    path
    for folder in ("tests/corpus", "tests/discovery", "backend")
    for path in (ROOT / folder).rglob("*.py")
)

IMPORTS_EVERYWHERE = '''\
"""Imports in every shape and place."""
import os, sys as system
import a.b.c
from . import sibling
from .. import cousin as c
from .pkg.mod import (
    first,

    second as two,
)
from x \\
    import y
from z import *


def factory():
    from app.analytics.event_logger import event_logger
    if True:
        import json
    try:
        from fastapi import APIRouter
    except ImportError:
        APIRouter = None
    return event_logger, json, APIRouter


class Holder:
    import typing
    match os.name:
        case "nt":
            from ntpath import join
        case _:
            from posixpath import join
    text = "import nothing"  # import in a comment
'''


def _imports_by_walk(module: ModuleModel) -> dict[str, frozenset[str]]:
    """What ``imports_anywhere`` must give: the import statements of a full walk of the tree."""
    return module.import_bindings(ast.walk(module.tree))


def _model(text: str, name: str = "app.api.routes", package: bool = False) -> ModuleModel:
    source = ModuleSource(name, name.replace(".", "/") + ".py", text, package)
    return ModuleModel(source, parse(text))


def test_imports_anywhere_finds_every_import() -> None:
    module = _model(IMPORTS_EVERYWHERE)
    expected = _imports_by_walk(module)
    assert module.imports_anywhere == expected
    assert {"system", "a", "sibling", "c", "first", "two", "y", "event_logger", "json"} <= set(
        expected
    )


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_imports_anywhere_of_the_corpus(path: Path) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    try:
        module = _model(text, package=path.name == "__init__.py")
    except ParseFailure:
        pytest.skip("a module of the corpus that does not parse, on purpose")
    assert module.imports_anywhere == _imports_by_walk(module)


# Every word of a text that is not an attribute: what a name must not be to be free.
_WORD = re.compile(r"(?<![.\w])[^\W\d]\w*")


@pytest.mark.parametrize(
    "text",
    [
        "x = 1\n",
        "event_logger = 1\n",
        "from app.analytics.event_logger import event_logger\n",
        "self.event_logger = 1\n",
        "my_event_logger = event_logger2 = 1\n",
        "x = 1  # event_logger in a comment\nanalytics_event_logger = 2\n",
        "s = 'event_logger_2 event_logger_3'\nevent_logger = analytics_event_logger = 0\n",
        "é_event_logger = 1  # ²event_logger, 1event_logger\n",
        "x.event_logger; _event_logger; event_logger_\n",
    ],
)
def test_a_free_name_is_no_word_of_the_text(text: str) -> None:
    editor = ModuleEditor(_model(text), PackageIndex(lambda name: None), "app")
    words = set(_WORD.findall(text))
    expected = []
    for preferred in ("event_logger", "event_logger", "router"):
        candidates = [preferred, f"analytics_{preferred}"]
        candidates += [f"{preferred}_{number}" for number in range(2, 1000)]
        chosen = next(name for name in candidates if name not in words)
        words.add(chosen)
        expected.append(chosen)
    assert [editor.free_name(name) for name in ("event_logger", "event_logger", "router")] == (
        expected
    )


@pytest.mark.parametrize("case", ["router-imported-from-module", "class-based-views"])
def test_an_analysis_leaves_its_syntax_trees_to_reference_counting(case: str) -> None:
    """No tree waits for the cyclic collector, whose passes over a big one cost a parse."""
    plan = load_plan(root=ROOT / "tests" / "corpus" / case)
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        result = analyze(plan)
        gc.collect()
        left = [item for item in gc.garbage if isinstance(item, ast.AST)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    assert result.files
    assert left == []


def test_an_analysis_parses_no_module_that_names_nothing_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A big package holds many modules of helpers: parsing each would cost more than the rest.
    write_files(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "shop"\n\n[tool.telemetry-scaffold]\n'
            'instrument = { "api/orders.py" = "ai_block_used" }\n',
            "backend/app/__init__.py": "",
            "backend/app/api/__init__.py": "",
            "backend/app/main.py": "from fastapi import FastAPI\n\nfrom app.api import orders\n\n"
            "app = FastAPI()\napp.include_router(orders.router)\n",
            "backend/app/api/orders.py": "from fastapi import APIRouter\n\n"
            "from app import helpers\n\nrouter = APIRouter()\n\n\n"
            '@router.get("/orders")\nasync def orders() -> int:\n    return helpers.total()\n',
            "backend/app/helpers.py": "import os\n\n\n"
            "def total() -> int:\n    return len(os.sep)\n",
        },
    )
    parsed: list[str] = []
    model = symbols.ModuleModel

    def counted(source: ModuleSource, tree: ast.Module) -> ModuleModel:
        parsed.append(source.name)
        return model(source, tree)

    monkeypatch.setattr(symbols, "ModuleModel", counted)
    assert analyze(load_plan(root=tmp_path)).files
    assert "app.main" in parsed and "app.api.orders" in parsed
    assert "app.helpers" not in parsed


def test_a_modules_imports_are_followed_once_whatever_its_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each variable holding a package function's result asks whether the module imports a
    # route taker (Versionizer, FastApiMCP) under another name: its imports are read once.
    variables = "".join(f"v{i} = make({i})\n" for i in range(50))
    write_files(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "shop"\n\n[tool.telemetry-scaffold]\n'
            "instrument = {}\n",
            "backend/app/__init__.py": "",
            "backend/app/helpers.py": "def make(i: int) -> int:\n    return i\n",
            "backend/app/main.py": "import json\n\nfrom fastapi import FastAPI\n\n"
            f"from app.helpers import make\n\napp = FastAPI()\n{variables}",
        },
    )
    followed: list[str] = []
    resolve = symbols.PackageIndex.resolve

    def counted(self: PackageIndex, qualified: str) -> tuple[str, symbols.Binding | None]:
        followed.append(qualified)
        return resolve(self, qualified)

    monkeypatch.setattr(symbols.PackageIndex, "resolve", counted)
    analyze(load_plan(root=tmp_path))
    assert 1 <= followed.count("json") <= 2


WRAPPED_APP = """\
from fastapi import FastAPI
from somewhere import Wrapper

app = FastAPI()
plain = FastAPI()
app = Wrapper(app)
"""


def test_the_app_before_its_wrapper_is_looked_for_once_per_binding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Route analysis asks it of the same router for every handler of a module.
    module = _model(WRAPPED_APP)
    wrapper, plain = module.scope.bindings["app"], module.scope.bindings["plain"]
    looks: list[str] = []
    wraps_name = symbols.wraps_name

    def counted(value: ast.expr, name: str, scope: symbols.Scope, depth: int = 0) -> bool:
        looks.append(name)
        return wraps_name(value, name, scope, depth)

    monkeypatch.setattr(symbols, "wraps_name", counted)
    first = [symbols.unwrapped(wrapper) for _ in range(3)]
    assert all(found is first[0] for found in first)
    assert first[0] is not wrapper and ast.unparse(first[0].node) == "FastAPI()"
    assert all(symbols.unwrapped(plain) is plain for _ in range(3))
    assert looks.count("plain") == 1
    assert 1 <= looks.count("app") <= 2  # the wrapper, then the app before it


def test_a_binding_that_is_no_wrapper_is_not_a_cycle_of_its_own() -> None:
    # Remembering "itself" must not keep the binding, and its tree, from reference counting.
    module = _model(WRAPPED_APP)
    plain = module.scope.bindings["plain"]
    assert symbols.unwrapped(plain) is plain
    assert all(item is not plain for item in gc.get_referents(plain))
    assert all(item is not plain for item in vars(plain).values())


@pytest.mark.parametrize(
    ("name", "package", "statement", "expected"),
    [
        ("app.api.routes", False, "from ..analytics import x", "app.analytics"),
        ("app.api.routes", False, "from .. import x", "app"),
        ("app.api.routes", False, "from ...analytics import x", None),
        ("app.main", False, "from ..analytics import x", None),
        ("app.main", False, "from .. import x", None),
        ("app", True, "from .analytics import x", "app.analytics"),
        ("app", True, "from ..analytics import x", None),
        ("main", False, "from .analytics import x", None),
        ("main", False, "from . import x", None),
        ("main", False, "from analytics import x", "analytics"),
    ],
)
def test_a_relative_import_never_climbs_out_of_the_top_package(
    name: str, package: bool, statement: str, expected: str | None
) -> None:
    # Python refuses `from ..x import y` in a top-level package's module and any relative
    # import in a top-level module ("beyond top-level package", "no known parent package").
    module = _model(statement + "\n", name, package)
    node = module.tree.body[0]
    assert isinstance(node, ast.ImportFrom)
    assert module.absolute_import(node) == expected


@pytest.mark.parametrize(
    ("source", "bound"),
    [
        pytest.param("app = FastAPI()\n", True, id="plain"),
        pytest.param("app: FastAPI = FastAPI()\n", True, id="annotated"),
        pytest.param("app, other = FastAPI(), 1\n", True, id="tuple-target"),
        pytest.param("app = FastAPI()\nif debug:\n    app = FastAPI()\n", False, id="if"),
        pytest.param(
            "try:\n    app = FastAPI()\nexcept ImportError:\n    app = None\n", False, id="try"
        ),
        pytest.param("app = FastAPI()\napp += 1\n", False, id="augmented"),
        pytest.param("app = FastAPI()\nfor app in apps:\n    pass\n", False, id="loop-target"),
        pytest.param("app = make\n", False, id="not-a-call"),
        pytest.param("from fastapi import app\n", False, id="imported"),
        # A function declaring the name `global` and binding it rebinds the module's.
        pytest.param(
            "app = FastAPI()\ndef f():\n    global app\n    app = Other()\n", False, id="global"
        ),
        pytest.param(
            "app = FastAPI()\nclass K:\n    def f(self):\n        def g():\n"
            "            global app\n            for app in []:\n                pass\n",
            False,
            id="global-nested",
        ),
        pytest.param(
            "app = FastAPI()\ndef f():\n    global app\n    app.title = 'x'\n",
            True,
            id="global-not-bound",
        ),
        pytest.param("app = FastAPI()\ndef f():\n    app = Other()\n", True, id="local"),
    ],
)
def test_call_bound_once(source: str, bound: bool) -> None:
    module = _model(source)
    call = call_bound_once(module.scope.bindings.get("app"))
    assert (call is not None) == bound, source
    if bound:
        assert call is not None and ast.unparse(call) == "FastAPI()"


@pytest.mark.parametrize(
    ("inner", "bound"),
    [
        ("nonlocal app\n        app = None\n", False),
        ("nonlocal app\n        app.title = 'x'\n", True),
        ("app = None\n", True),
        # The nearest function binding the name is the one rebound: not `outer`'s.
        ("def deeper():\n            nonlocal app\n            app = None\n", True),
    ],
    ids=["nonlocal", "nonlocal-not-bound", "local", "nearer-function"],
)
def test_a_nonlocal_binding_rebinds_the_enclosing_function_s_name(inner: str, bound: bool) -> None:
    """A nested function binding a name it declares `nonlocal` rebinds the enclosing one's."""
    module = _model(
        "def outer():\n    app = FastAPI()\n    def inner():\n"
        + ("        app = 1\n        " if inner.startswith("def") else "        ")
        + inner
    )
    outer = module.tree.body[0]
    assert isinstance(outer, ast.FunctionDef)
    scope = Scope(outer, module, module.scope)
    assert (call_bound_once(scope.bindings.get("app")) is not None) == bound


BINDS_EVERY_WAY = """\
import a.b as c, d.e
from x import y
for i in z:
    router += 1
try:
    pass
except E as err:
    del v
with o as (p, r):
    def f():
        inner = 1
class K:
    member = 2
"""


def test_bound_names_in_their_own_scope() -> None:
    # One rule for "a block binds a name" (a loop's items rebound, a `try` binding a router).
    names = set(bound_names(ast.parse(BINDS_EVERY_WAY).body))
    assert names == {"c", "d", "y", "i", "router", "err", "v", "p", "r", "f", "K"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_bound_names_skip_read_expressions_only_without_a_walrus(path: Path) -> None:
    # Without `:=` in the text the expressions a scope only reads are not walked: the same
    # names, in every scope of the corpus.
    text = path.read_bytes().decode("utf-8-sig")
    try:
        tree = parse(text)
    except ParseFailure:
        pytest.skip("a module of the corpus that does not parse, on purpose")
    walrus = ":=" in text
    for node in [tree, *(node for node in ast.walk(tree) if isinstance(node, FunctionNode))]:
        body = node.body
        assert Counter(bound_names(body, walrus=walrus)) == Counter(bound_names(body))


def test_bound_names_without_a_walrus_walks_no_read_expression(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = ast.parse(
        "x = f(a, [b for b in c], {'k': g(h)})\nfor i, j in items(d, e):\n    y[i] = j + 1\n"
    ).body
    walked: list[type[ast.AST]] = []
    children = ast.iter_child_nodes

    def counted(node: ast.AST) -> Iterator[ast.AST]:
        walked.append(type(node))
        return children(node)

    monkeypatch.setattr(ast, "iter_child_nodes", counted)
    assert set(bound_names(body, walrus=False)) == {"x", "i", "j"}
    assert not {ast.Call, ast.ListComp, ast.Dict, ast.BinOp} & set(walked)
    walked.clear()
    assert set(bound_names(body)) == {"x", "i", "j"}
    assert ast.Call in walked


def _functions(module: ModuleModel) -> dict[str, Scope]:
    return {
        node.name: Scope(node, module, module.scope)
        for node in module.tree.body
        if isinstance(node, ast.FunctionDef)
    }


SHADOWS_ROUTER = """\
def router(): pass
def caught():
    try:
        pass
    except Exception as router:
        pass
    return router
def captured(x):
    match x:
        case router:
            pass
    return router
def rest(x):
    match x:
        case {**router}:
            pass
    return router
def looped():
    for router in []:
        pass
    return router
def walrus(items):
    [router := item for item in items]
    return router
def declared():
    global router
    router = 1
    return router
def comprehended(items):
    return [router for router in items], router
"""


@pytest.mark.parametrize(
    ("function", "local"),
    [
        ("caught", True),
        ("captured", True),
        ("rest", True),
        ("looped", True),
        ("walrus", True),
        ("declared", False),
        ("comprehended", False),
    ],
)
def test_a_local_of_any_binding_kind_hides_the_modules_function(function: str, local: bool) -> None:
    # `except ... as`, a `case` capture, a loop target or a walrus in a comprehension make the
    # name the function's own (a comprehension's target and a `global` name do not).
    module = _model(SHADOWS_ROUTER)
    scope = _functions(module)[function]
    found = scope.lookup("router")
    assert (found is None) == local, function
    assert ("router" in set(bound_names(scope.node.body))) == (local or function == "declared")
    assert (scope.stores["router"] > 0) == (local or function == "declared")


def test_which_routes_are_hidden_is_read_once_per_route_whatever_the_handlers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whether an earlier route hides a handler asks about the routes near it: they are read
    # once, by path, not scanned again for each handler (quadratic on a big module).
    handlers = "".join(
        f'@router.get("/items/{i}")\nasync def item_{i}() -> int:\n    return {i}\n\n\n'
        for i in range(60)
    )
    _write_items_project(tmp_path, handlers)
    matched: list[str] = []
    matched_path = route_order.matched_path

    def counted(template: str) -> str:
        matched.append(template)
        return matched_path(template)

    monkeypatch.setattr(route_order, "matched_path", counted)
    analyze(load_plan(root=tmp_path))
    assert 60 <= len(matched) <= 2 * 60


def test_the_handlers_of_an_instrumented_module_are_listed_once_per_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whether a module calls another instrumented module's handlers as functions reads that
    # module's handlers: they were listed again for each name imported from it (names times
    # handlers, for every module importing them).
    count = 40
    handlers = "".join(
        f'@router.get("/items/{i}")\nasync def item_{i}() -> int:\n    return {i}\n\n\n'
        for i in range(count)
    )
    names = ", ".join(f"item_{i}" for i in range(count))
    importer = (
        f"from fastapi import APIRouter\n\nfrom app.items import {names}\n\n"
        'router = APIRouter()\n\n\n@router.get("/all")\nasync def every() -> int:\n'
        "    return 0\n"
    )
    write_files(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "shop"\n\n[tool.telemetry-scaffold]\n'
            'instrument = { "items.py" = "ai_block_used", "a.py" = "ai_block_used", '
            '"b.py" = "ai_block_used" }\n',
            "backend/app/__init__.py": "",
            "backend/app/items.py": (
                f"from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n{handlers}"
            ),
            "backend/app/a.py": importer,
            "backend/app/b.py": importer,
            "backend/app/main.py": "from fastapi import FastAPI\n\nfrom app import a, b, items\n\n"
            "app = FastAPI()\napp.include_router(items.router)\n"
            "app.include_router(a.router)\napp.include_router(b.router)\n",
        },
    )
    asked: list[str] = []
    find_handlers = instrument.find_handlers

    def counted(module: ModuleModel, index: PackageIndex) -> object:
        asked.append(module.name)
        return find_handlers(module, index)

    monkeypatch.setattr(instrument, "find_handlers", counted)
    analyze(load_plan(root=tmp_path))
    # Once to instrument it, once to list the handlers other modules may call.
    assert asked.count("app.items") <= 2, asked.count("app.items")


def _naming_nodes_by_walk(module: ModuleModel, names: set[str]) -> set[int]:
    """What ``nodes_naming`` must hold: every ``Name`` of ``names`` and each node around it.

    With the ``global`` and ``nonlocal`` statements listing one of them (a full walk).
    """
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(module.tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    expected: set[int] = set()
    for node in ast.walk(module.tree):
        if (isinstance(node, ast.Name) and node.id in names) or (
            isinstance(node, ast.Global | ast.Nonlocal) and not names.isdisjoint(node.names)
        ):
            around: ast.AST | None = node
            while around is not None and around is not module.tree:
                if getattr(around, "lineno", None) is not None:
                    expected.add(id(around))
                around = parents.get(id(around))
    return expected


def _names_of(module: ModuleModel) -> list[str]:
    found = {node.id for node in ast.walk(module.tree) if isinstance(node, ast.Name)}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Global | ast.Nonlocal):
            found.update(node.names)
    return sorted(found)


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_nodes_naming_misses_no_name_of_the_corpus(path: Path) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    try:
        module = _model(text, package=path.name == "__init__.py")
    except ParseFailure:
        pytest.skip("a module of the corpus that does not parse, on purpose")
    names = _names_of(module)
    walked = [node for node in ast.walk(module.tree) if node is not module.tree]
    order = {id(node): index for index, node in enumerate(ast.walk(module.tree))}
    for name in names[:40]:
        found = list(module.nodes_naming([name]))
        assert _naming_nodes_by_walk(module, {name}) <= {id(node) for node in found}, name
        assert len({id(node) for node in found}) == len(found)  # each once
        assert {id(node) for node in found} <= {id(node) for node in walked}
    # Many names at once take the other search: the same answer.
    found_all = {id(node) for node in module.nodes_naming(names)}
    assert _naming_nodes_by_walk(module, set(names)) <= found_all
    assert all(key in order for key in found_all)


@pytest.mark.parametrize(
    ("text", "name", "lines"),
    [
        # A def's or class's own name is no Name node: those lines alone are not walked into.
        ("def h():\n    pass\n\n\nclass h:\n    pass\n", "h", set()),
        ("async  def h(x=h):\n    return h()\n", "h", {1, 2}),
        # A word just after a quote is in a string; in an f-string's braces it is code.
        ("x = 'h'\ny = \"h h\"\nz = f'{h}'\n", "h", {2, 3}),
        # An attribute's name, after its dot, is no Name either.
        ("x.h = 1\ny = x.h\nz = x.h + h\n", "h", {3}),
        # In a decorator only: the definition is entered from its first decorator.
        ("@wraps(h)\n@other\ndef g():\n    pass\n", "h", {1}),
        # Between the name and its call's parenthesis, a comment or a continuation.
        ("x = (h  # why\n    (1))\ny = h \\\n    (2)\n", "h", {1, 3}),
        ("global h\nh: int\nh += 1\nh.append(1)\n", "h", {1, 2, 3, 4}),
        ("ab = 1\nb = ab.b\nbb.b = 1\n_b = 2\n", "b", {2}),
        # The tail of a longer word, a name repeating its own start, at the very start.
        ("aa = 1\nx = aaa\ny = baa + aa\n", "aa", {1, 3}),
        ("h=1\nx = _h\n", "h", {1}),
        # A dash or an arrow outside ASCII keeps the search; a letter may be in a name.
        ("# a — b → c\nb = 1\nc = 2\n", "b", {2}),
    ],
)
def test_nodes_naming_lines(text: str, name: str, lines: set[int]) -> None:
    module = _model(text)
    found = list(module.nodes_naming([name]))
    # The lines walked into: those of its Names, and of words the search cannot tell apart.
    assert {
        node.lineno for node in found if not isinstance(node, FunctionNode | ast.ClassDef)
    } == lines
    assert _naming_nodes_by_walk(module, {name}) <= {id(node) for node in found}


def test_nodes_naming_walks_everything_when_a_name_may_not_be_ascii() -> None:
    # Python reads the ligature of `ﬁle` as `file`: no text search finds that Name.
    text = "ﬁle = []\n\n\ndef g():\n    return 1\n\n\nfile.append(2)\n"
    module = _model(text)
    found = list(module.nodes_naming(["file"]))
    assert [node.lineno for node in found if isinstance(node, ast.Name)] == [1, 8]
    walked = [node for node in ast.walk(module.tree) if getattr(node, "lineno", None)]
    assert len(found) == len(walked)
    # A letter outside ASCII in a docstring only is enough: the text cannot tell.
    assert not _model('"""Café."""\nx = 1\n')._ascii_identifiers
    assert _model("x = 1  # → y\n")._ascii_identifiers


def test_nodes_naming_many_names_and_source_order() -> None:
    names = [f"name_{index}" for index in range(100)]
    text = "".join(f"x_{index} = name_{index}({index})\n" for index in range(100))
    text += "def name_5():\n    pass\n"
    module = _model(text)
    found = list(module.nodes_naming(names))
    assert [node.lineno for node in found if isinstance(node, ast.Name)][::2] == list(range(1, 101))
    assert not any(isinstance(node, ast.FunctionDef) for node in found)
    assert [node.lineno for node in found] == sorted(node.lineno for node in found)


def test_nodes_naming_few_names_as_many(monkeypatch: pytest.MonkeyPatch) -> None:
    # A search for each of a few names finds the lines one pass over every word finds, with
    # names that are the start or the tail of others, or of longer words.
    text = (
        "a = ab = 1\nb = ab + ba\nc = bab(a)\nx = aab.a\n"
        "def ab():\n    return 'a' + _a + a_\nclass ba:\n    y = ab(b)\n"
    )
    names = ["a", "ab", "b", "ba", "bab"]
    few = [node.lineno for node in _model(text).nodes_naming(names)]
    monkeypatch.setattr(symbols, "_FEW_NAMES", 0)
    assert [node.lineno for node in _model(text).nodes_naming(names)] == few
    assert sorted(set(few)) == [1, 2, 3, 7, 8]


def test_nodes_near_enters_a_definition_at_its_decorators() -> None:
    text = (
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        "@decorate(app.include_router(router))\n"
        "class Holder:\n"
        "    @decorate(app.include_router(other))\n"
        "    def method(self):\n"
        "        pass\n"
    )
    module = _model(text)
    calls = [
        node.lineno
        for node in module.nodes_near(["include_router"])
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "include_router"
    ]
    assert calls == [6, 8]


def test_nodes_naming_searches_once_per_names(monkeypatch: pytest.MonkeyPatch) -> None:
    module = _model("router = make()\nrouter.add(1)\nother = router\n")
    searched: list[frozenset[str]] = []
    search = ModuleModel._naming_search

    def counted(self: ModuleModel, wanted: frozenset[str]) -> object:
        searched.append(wanted)
        return search(self, wanted)

    monkeypatch.setattr(ModuleModel, "_naming_search", counted)
    first = list(module.nodes_naming(["router"]))
    assert list(module.nodes_naming(("router",))) == first
    assert [n.lineno for n in first if isinstance(n, ast.Name) and n.id == "router"] == [1, 2, 3]
    assert searched == [frozenset({"router"})]


def test_nodes_near_searches_the_text_once_per_word(monkeypatch: pytest.MonkeyPatch) -> None:
    # Asked for each route of a module (a mount before it), a search of the whole text each
    # time made reading a module of thousands of routes quadratic.
    module = _model("app = FastAPI()\napp.mount('/static', files)\napp.mount('/docs', docs)\n")
    searched: list[str] = []
    finditer = re.finditer

    def counted(pattern: str, text: str) -> Iterator[re.Match[str]]:
        searched.append(pattern)
        return finditer(pattern, text)

    monkeypatch.setattr(symbols.re, "finditer", counted)
    for _ in range(3):
        lines = [node.lineno for node in module.nodes_near(["mount"]) if isinstance(node, ast.Call)]
        assert sorted(set(lines)) == [2, 3]
    assert searched == ["mount"]


def _one_module_index(module: ModuleModel) -> PackageIndex:
    return PackageIndex(lambda dotted: module if dotted == module.name else None)


def _class_binding(index: PackageIndex, module: ModuleModel, name: str) -> symbols.Binding:
    binding = index.resolve(f"{module.name}.{name}")[1]
    assert binding is not None and binding.kind == "class"
    return binding


def _lineage(text: str, name: str) -> list[str]:
    module = _model(text)
    index = _one_module_index(module)
    lineage = index.lineage(_class_binding(index, module, name))
    return [getattr(found.node, "name", "") for found in lineage]


WIDE = "class K0: pass\n" + "".join(
    f"class K{n}({', '.join(f'K{k}' for k in reversed(range(n)))}): pass\n" for n in range(1, 40)
)
HIERARCHIES = [
    ("class Base: pass\nclass A(Base): pass\nclass B: pass\nclass C(A, B): pass\n", "C"),
    ("class Base: pass\nclass A(Base): pass\nclass B(Base): pass\nclass C(A, B): pass\n", "C"),
    (
        "class O: pass\nclass X(O): pass\nclass Y(O): pass\nclass A(X, Y): pass\n"
        "class B(Y, O): pass\nclass Z(A, B): pass\n",
        "Z",
    ),
    ("class A: pass\nclass B(dict, A): pass\nclass C(B): pass\n", "C"),
    (WIDE, "K39"),
]


@pytest.mark.parametrize(("text", "name"), HIERARCHIES)
def test_lineage_is_pythons_mro_of_the_packages_classes(text: str, name: str) -> None:
    # Attributes and pydantic fields are looked up in C3 order, not breadth-first: with
    # `C(A, B)` and `A(Base)`, Base's `self.router` wins over B's. A library base is left out;
    # a long order is cut (a module of classes each deriving from all the earlier ones).
    namespace: dict[str, object] = {}
    exec(text, namespace)
    cls = namespace[name]
    assert isinstance(cls, type)
    expected = [klass.__name__ for klass in cls.__mro__ if klass.__name__ in namespace]
    assert _lineage(text, name) == expected[: symbols._MAX_LINEAGE + 1]


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        # Python refuses this order (TypeError): read depth-first rather than not at all.
        ("class A: pass\nclass B(A): pass\nclass C(A, B): pass\n", "C", ["C", "A", "B"]),
        # A cycle of names (only a rebinding makes it run) is cut.
        ("class A(B): pass\nclass B(A): pass\n", "A", ["A", "B"]),
        ("class A(Unknown): pass\nclass B(A, Missing): pass\n", "B", ["B", "A"]),
    ],
)
def test_lineage_of_a_hierarchy_python_would_refuse(
    text: str, name: str, expected: list[str]
) -> None:
    assert _lineage(text, name) == expected


DIAMOND_ROUTERS = """\
from fastapi import APIRouter


class Base:
    def __init__(self):
        self.router = APIRouter(prefix="/base")


class A(Base):
    pass


class B:
    def __init__(self):
        self.router = APIRouter(prefix="/b")


class C(A, B):
    pass
"""


def test_an_attribute_of_a_class_with_two_bases_is_the_one_python_finds() -> None:
    module = _model(DIAMOND_ROUTERS)
    index = _one_module_index(module)
    found = assigning_class(_class_binding(index, module, "C"), "router", index)
    assert found is not None
    assert getattr(found[0].node, "name", None) == "Base"


def _statements_walked(root: Path, includes: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many statements the analysis of an app of ``includes`` includes walks over."""
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "shop"\n\n[tool.telemetry-scaffold]\n'
            'instrument = { "api/views.py" = "ai_block_used" }\n',
            "backend/app/__init__.py": "",
            "backend/app/api/__init__.py": "",
            "backend/app/api/views.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n"
            "\n\n@router.get('/x')\ndef x() -> int:\n    return 1\n",
            "backend/app/main.py": "from fastapi import FastAPI\n\nfrom app.api import views\n\n"
            "app = FastAPI()\n\n"
            + "".join(
                f"app.include_router(views.router, prefix='/p{i}')\n" for i in range(includes)
            ),
        },
    )
    walked = 0
    sub_blocks = symbols.sub_blocks

    def counted(statement: ast.stmt) -> list[list[ast.stmt]]:
        nonlocal walked
        walked += 1
        return sub_blocks(statement)

    with monkeypatch.context() as patched:
        patched.setattr(symbols, "sub_blocks", counted)
        analyze(load_plan(root=root))
    return walked


def test_the_statements_around_each_include_are_found_without_walking_the_module_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loops, comprehensions and `if` blocks around each include were found by walking the
    # whole module body per include: twice the includes walked four times the statements
    # (2,000 includes: 20 million statements walked, 12 s of `generate`; now linear).
    once = _statements_walked(tmp_path / "one", 150, monkeypatch)
    twice = _statements_walked(tmp_path / "two", 300, monkeypatch)
    assert twice <= 2.5 * once, (once, twice)


READ_ONCE = """\
from app.analytics.event_logger import event_logger
from app.other import other_logger as helper

class Views:
    event_logger = None

    def method(self):
        event_logger.log("a", {})

    def own(self, event_logger):
        event_logger.log("a", {})

def declared():
    global event_logger
    event_logger.log("a", {})

def assigned():
    event_logger.log("a", {})
    event_logger = helper

def looped(items):
    for helper in items:
        helper.log("a", {})

def outer():
    helper = 1
    def inner():
        helper.log("a", {})
    return inner

def quoted():
    event_logger.log("event_logger", {})
"""
# `\uff45vent_logger` is `event_logger` once Python normalises it (NFKC): not the same text.
NORMALISED = """\
from app.analytics.event_logger import event_logger

def normalised(helper):
    \uff45vent_logger = helper
    event_logger.log("a", {})
"""


def _scopes(module: ModuleModel) -> Iterator[Scope]:
    """Every function and class scope of ``module``, each with its parent as ``lookup`` needs."""
    pending = [module.scope]
    while pending:
        scope = pending.pop()
        yield scope
        for statement in block_statements(scope.node.body):
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                pending.append(Scope(statement, module, scope))


def _own_names(scope: Scope) -> Iterator[ast.Name]:
    """The names read in ``scope``'s own code (not in the functions, classes or lambdas in it)."""
    pending: list[ast.AST] = list(scope.node.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            pending.extend(ast.iter_child_nodes(node))


def _read_the_same(module: ModuleModel) -> int:
    """Assert that every name read in a function is found from ``Scope.reading`` as from it.

    Returns how many were looked up from around their function.
    """
    around = 0
    for scope in _scopes(module):
        if not isinstance(scope.node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for name in _own_names(scope):
            reading = scope.reading(name)
            around += reading is not scope
            assert reading.lookup(name.id) is scope.lookup(name.id), (name.id, name.lineno)
    return around


def test_a_name_written_once_in_a_function_is_read_from_around_it() -> None:
    # A logger's name in each of thousands of handlers: read from the scope around the
    # handler when its text holds the name only there, without building the handler's
    # bindings, with lookup's answer. A parameter, a `global`, a later assignment, a
    # function around it, a class body between, the name in a string, and a name that is
    # the same after Python's NFKC normalisation (`\uff45vent_logger`) keep the function's own.
    module = _model(READ_ONCE)
    assert _read_the_same(module) > 0
    scopes = {scope.node.name: scope for scope in _scopes(module) if scope.parent is not None}
    reads = {
        function: next(name for name in _own_names(scopes[function]) if name.id.endswith("logger"))
        for function in ("method", "own", "declared", "assigned", "quoted")
    }
    assert scopes["method"].reading(reads["method"]) is module.scope  # past the class body
    for function in ("own", "declared", "assigned", "quoted"):
        assert scopes[function].reading(reads[function]) is scopes[function], function
    normalised = _model(NORMALISED)
    assert _read_the_same(normalised) == 0
    (function,) = (scope for scope in _scopes(normalised) if scope.parent is not None)
    (read,) = (name for name in _own_names(function) if name.id == "event_logger")
    local = function.reading(read).lookup("event_logger")
    assert local is not None and local.kind == "value"


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_name_read_from_around_its_function_is_the_same_in_the_corpus(path: Path) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    try:
        module = _model(text, package=path.name == "__init__.py")
    except ParseFailure:
        pytest.skip("a module of the corpus that does not parse, on purpose")
    _read_the_same(module)


def test_an_up_to_date_module_is_checked_without_each_handlers_bindings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Checking the inserted calls of an up-to-date module reads the logger's name in each
    # handler: it built every handler's bindings (a walk of its body) to find the import.
    count = 30
    handlers = "".join(
        f'@router.get("/items/{i}")\nasync def item_{i}(n: int) -> int:\n    total = n\n'
        f"    return total + {i}\n\n\n"
        for i in range(count)
    )
    _write_items_project(tmp_path, handlers)
    assert run("generate", "--root", str(tmp_path)).exit_code == 0
    built: list[str] = []
    bindings = Scope.bindings.func

    def counted(scope: Scope) -> dict[str, Binding]:
        if isinstance(scope.node, ast.AsyncFunctionDef):
            built.append(scope.node.name)
        return bindings(scope)

    monkeypatch.setattr(Scope.bindings, "func", counted)
    result = run("generate", "--check", "--root", str(tmp_path))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout
    assert len(built) < count // 3, built


def _write_items_project(root: Path, handlers: str) -> None:
    """A project whose instrumented `api/items.py` router (``handlers``) the app includes."""
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "shop"\n\n[tool.telemetry-scaffold]\n'
            'instrument = { "api/items.py" = "ai_block_used" }\n',
            "backend/app/__init__.py": "",
            "backend/app/api/__init__.py": "",
            "backend/app/api/items.py": "from fastapi import APIRouter\n\n"
            f"router = APIRouter()\n\n\n{handlers}",
            "backend/app/main.py": "from fastapi import FastAPI\n\nfrom app.api import items\n\n"
            "app = FastAPI()\napp.include_router(items.router)\n",
        },
    )
