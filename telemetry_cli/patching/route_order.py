"""Which handlers an earlier route hides: Starlette takes the first route matching a request.

Read for many handlers in one run (:class:`RouteOrder`), each module's registering lines and the
routes near each registration chain read once, by the path Starlette matches.
"""

from __future__ import annotations

import ast
import re

from telemetry_cli.patching.routes import PATH_PARAMETER, Handler, Route, find_handlers
from telemetry_cli.patching.symbols import FunctionNode, ModuleModel, PackageIndex

# Where a route (or a router) is added: into which app or router, by which module, at which line.
_Registration = tuple[tuple[str, str], str, int]
# How many routers deep an include chain is followed up to its app.
_MAX_CHAIN = 8


class RouteOrder:
    """Which handlers an earlier route hides, asked of many handlers in one run.

    What every question reads is read once: each module's lines that register, and the routes
    near each registration chain by the path Starlette matches (linear in the handlers, not
    quadratic as a scan of every nearby route per handler would be).
    """

    def __init__(self, index: PackageIndex) -> None:
        self.index = index
        self._lines: dict[str, set[int]] = {}  # each module's :func:`_body_registrations`
        # The routes near a chain, by its objects and its steps' modules (see _routes_near).
        self._near: dict[tuple[frozenset[tuple[str, str]], frozenset[str]], _PathTrie] = {}

    def shadowed_by(self, handler: Handler) -> tuple[Handler, Route] | None:
        """The handler (and its route) registered first answering every request of ``handler``.

        Starlette tries an app's routes in the order they were added and the first one matching
        a request's path and method takes it: a second handler declared with the same method and
        path (path parameters match whatever their names), or with a path every request of
        which an earlier one matches (``/items/{id}`` before ``/items/latest``, see
        :class:`_PathTrie`), on the same app is never called. The
        order is the order of the decorators (or ``add_api_route`` calls) on a router, and across
        routers the order of the ``include_router`` calls: known only where each step is a
        statement of a module's own body (not in a function, a loop or an ``if``), in one module
        per step, with prefixes known statically, and each router included once. None when a
        route of the handler may answer a request (or the order is not known).
        """
        if self.index.mounts is None or not handler.routes:
            return None
        first: tuple[Handler, Route] | None = None
        for route in handler.routes:
            chain = _registration_chain(route, handler.module, self.index, self._lines)
            if chain is None or route.methods is None:
                return None
            taken: set[str] = set()
            for other, earlier in self._routes_near(chain).covering(matched_path(route.template)):
                if other.function is handler.function or earlier.methods is None:
                    continue
                if not set(earlier.methods) & set(route.methods):
                    continue
                before = _registration_chain(earlier, other.module, self.index, self._lines)
                if before is not None and _registered_before(before, chain):
                    taken |= set(earlier.methods)
                    first = first or (other, earlier)
            if not set(route.methods) <= taken:
                return None
        return first

    def _routes_near(self, chain: list[_Registration]) -> _PathTrie:
        """The routes of the modules adding routes (or routers) to ``chain``'s objects, by path.

        Those modules: the ones making the chain's steps, the objects' own, and those including
        a router into one of the objects; the path as :func:`matched_path` gives it.
        """
        objects = frozenset(into for into, _, _ in chain)
        steps = frozenset(module for _, module, _ in chain)
        key = (objects, steps)
        if key not in self._near:
            mounts = self.index.mounts
            assert mounts is not None
            names = steps | {owner[0] for owner in objects}
            names |= {
                router[0]
                for router, includes in mounts.included.items()
                if any((include.parent or include.app) in objects for include in includes)
            }
            by_path = _PathTrie()
            for name in sorted(names):
                model = self.index.module(name)
                if model is None:
                    continue
                for other in find_handlers(model, self.index)[0]:
                    for route in other.routes:
                        by_path.add(matched_path(route.template), (other, route))
            self._near[key] = by_path
        return self._near[key]


# What Starlette's convertors match in a path (`starlette.convertors`), by name; `path` (`.*`,
# across segments) is read apart.
_CONVERTORS = {
    "str": re.compile(r"[^/]+"),
    "int": re.compile(r"[0-9]+"),
    "float": re.compile(r"[0-9]+(\.[0-9]+)?"),
    "uuid": re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
}
# A segment some convertor matches too, by the convertors: an `int` parameter is a `float`'s
# and a `str`'s (every digit string is one of each).
_WIDER = {"int": ("float", "str"), "float": ("str",), "uuid": ("str",)}
_ANY_REST = "{:path}"  # a last segment matching whatever follows, `/` included


class _PathTrie:
    """Routes by their matched paths (see :func:`matched_path`), segment by segment.

    Asked which routes match every request a path matches (:meth:`covering`): following only
    the segments that may cover each of its own, not a scan of every route.
    """

    def __init__(self) -> None:
        self.children: dict[str, _PathTrie] = {}
        self.routes: list[tuple[Handler, Route]] = []  # those whose path ends here

    def add(self, path: str, route: tuple[Handler, Route]) -> None:
        node = self
        for segment in path.split("/"):
            node = node.children.setdefault(segment, _PathTrie())
        node.routes.append(route)

    def covering(self, path: str) -> list[tuple[Handler, Route]]:
        """The routes whose path matches every request ``path`` matches, the same path first.

        Segment by segment, a route's segment covers one of ``path`` when it is the same, or a
        single parameter whose convertor matches all it does: ``{:str}`` any segment (never
        empty, no ``/``), ``{:int}`` a literal of digits (or an ``int`` parameter), ``{:float}``
        and ``{:uuid}`` a literal they match; a last ``{:path}`` segment every rest of one or
        more segments. A segment mixing text and parameters covers only itself.
        """
        segments = path.split("/")
        found: list[tuple[Handler, Route]] = []
        exact = self._node(segments)
        if exact is not None:
            found += exact.routes
        self._covering(segments, 0, found, exact)
        return found

    def _node(self, segments: list[str]) -> _PathTrie | None:
        node: _PathTrie | None = self
        for segment in segments:
            node = None if node is None else node.children.get(segment)
        return node

    def _covering(
        self,
        segments: list[str],
        at: int,
        found: list[tuple[Handler, Route]],
        exact: _PathTrie | None,
    ) -> None:
        rest = self.children.get(_ANY_REST)
        if rest is not None and at < len(segments) and rest is not exact:
            found += rest.routes
        if at == len(segments):
            if self is not exact:
                found += self.routes
            return
        for key in _covering_segments(segments[at]):
            child = self.children.get(key)
            if child is not None:
                child._covering(segments, at + 1, found, exact)


def _covering_segments(segment: str) -> list[str]:
    """The matched segments (the same one first) matching every string ``segment`` matches."""
    keys = [segment]
    parameter = _SEGMENT_PARAMETER.fullmatch(segment)
    if parameter is not None:
        keys += [f"{{:{wider}}}" for wider in _WIDER.get(parameter[1], ())]
        return keys
    if "{" in segment:
        # Text and parameters: never empty, and no `/` unless a `path` parameter matches one.
        return keys if _ANY_REST in segment else [*keys, "{:str}"]
    keys += [
        f"{{:{name}}}"
        for name, pattern in _CONVERTORS.items()
        if segment and pattern.fullmatch(segment)
    ]
    return keys


_SEGMENT_PARAMETER = re.compile(r"\{:([^{}]*)\}")


def matched_path(template: str) -> str:
    """A route template as Starlette matches it: parameter names do not count, convertors do."""
    return PATH_PARAMETER.sub(lambda match: "{:" + (match.group(2) or "str") + "}", template)


def _registered_before(first: list[_Registration], second: list[_Registration]) -> bool:
    """Whether the registration chain ``first`` adds its route to the app before ``second``.

    Both are read from the app down; they must meet in one object, where both steps are made
    by the same module (whose lines run in order).
    """
    for (into, module, line), (other_into, other_module, other_line) in zip(
        first, second, strict=False
    ):
        if into != other_into or module != other_module:
            return False
        if line != other_line:
            return line < other_line
    return False


def _registration_chain(
    route: Route, module: ModuleModel, index: PackageIndex, lines: dict[str, set[int]]
) -> list[_Registration] | None:
    """How ``route`` is added to its app, from the app down; None when the order is not known.

    ``lines``: each module's :func:`_body_registrations`, filled as they are read.
    """
    mounts = index.mounts
    if (
        mounts is None
        or route.owner is None
        or route.problem
        or not route.static
        or route.unserved
        or route.skipped
        or route.registered_in is not None
        or route.line not in _body_registrations(module, lines)
    ):
        return None
    chain: list[_Registration] = [(route.owner, module.name, route.line)]
    key = route.owner
    while key in mounts.included:
        includes = mounts.included[key]
        if len(includes) != 1 or len(chain) > _MAX_CHAIN:
            return None  # included twice: served under each prefix, or not known
        include = includes[0]
        into = include.parent or (include.app if include.by_app else None)
        if (
            into is None
            or include.prefix is None
            or include.scope is None
            or include.at is None
            or include.at[1] not in _body_registrations(include.scope.module, lines)
        ):
            return None
        chain.append((into, include.scope.module.name, include.at[1]))
        key = into
    chain.reverse()
    return chain


def _body_registrations(module: ModuleModel, known: dict[str, set[int]]) -> set[int]:
    """The lines of a module's own body that may add a route: decorators and call statements."""
    if module.name in known:
        return known[module.name]
    lines = known[module.name] = set()
    for statement in module.tree.body:
        if isinstance(statement, FunctionNode):
            lines.update(decorator.lineno for decorator in statement.decorator_list)
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            lines.add(statement.lineno)
    return lines
