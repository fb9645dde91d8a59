"""localdiscord's own shape: no import cycles (lazy and type-only imports included), and REST
handlers declared at module level in route tables rather than as closures inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

from localdiscord.http import Router, RouteTable
from localdiscord.server import ROUTER

PACKAGE = Path(__file__).resolve().parents[2] / "localdiscord"


def _imported_modules(path: Path, package: str) -> set[str]:
    """Every module of ``package`` that ``path`` imports, wherever the import statement is
    (top level, inside a function, under ``if TYPE_CHECKING``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith(package + "."))
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == package:  # from localdiscord import limits
                names.update(f"{package}.{a.name}" for a in node.names)
            elif node.module.startswith(package + "."):
                names.add(node.module)
    return names


def _cycles(folder: Path, package: str) -> list[list[str]]:
    modules = {f"{package}.{p.stem}": p for p in folder.glob("*.py") if p.stem != "__init__"}
    graph = {m: sorted(_imported_modules(p, package) & modules.keys()) for m, p in modules.items()}
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, stack: list[str]) -> None:
        state[module] = 1
        stack = [*stack, module]
        for target in graph[module]:
            if state.get(target) == 1:
                found.append(stack[stack.index(target):])
            elif target not in state:
                visit(target, stack)
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    return found


def test_localdiscord_has_no_import_cycle() -> None:
    assert _cycles(PACKAGE, "localdiscord") == []


def test_the_cycle_check_sees_lazy_and_type_only_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "a.py").write_text("from pkg import b\n")
    (pkg / "b.py").write_text("def f():\n    from pkg.a import thing\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                              "    from pkg.d import D\n")
    (pkg / "d.py").write_text("import pkg.c\n")
    cycles = _cycles(pkg, "pkg")
    assert sorted(sorted(c) for c in cycles) == [["pkg.a", "pkg.b"], ["pkg.c", "pkg.d"]]


def _closures(path: Path) -> list[str]:
    """Functions defined inside other functions."""
    nested = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            nested += [f"{node.name}.{inner.name}" for inner in ast.walk(node)
                       if inner is not node and isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef)]
    return nested


def test_route_handlers_are_module_level_functions_in_route_tables() -> None:
    route_modules = sorted(PACKAGE.glob("routes_*.py"))
    assert route_modules
    for path in route_modules:
        assert _closures(path) == [], path.name
        assert "\nroutes = RouteTable()\n" in path.read_text("utf-8"), path.name
    # Every route the server answers is a module-level handler of one of those modules.
    for method, template in [("GET", "/users/@me"), ("POST", "/channels/{cid}/messages"),
                             ("PUT", "/channels/{cid}/messages/pins/{mid}"),
                             ("POST", "/interactions/{iid}/{token}/callback"),
                             ("PATCH", "/guilds/{gid}/scheduled-events/{eid}")]:
        found = ROUTER.match(method, template.replace("{", "").replace("}", ""))
        assert found is not None, (method, template)
        handler = found[0]
        assert handler.__module__.startswith("localdiscord.routes_")
        assert handler.__qualname__ == handler.__name__  # defined at module level


def test_the_closure_check_would_catch_a_register_function(tmp_path: Path) -> None:
    sample = tmp_path / "routes_sample.py"
    sample.write_text("def register(s):\n    async def me(call):\n        return s\n")
    assert _closures(sample) == ["register.me"]


def test_literal_segments_win_over_parameters() -> None:
    table = RouteTable()

    @table.get("/m/{mid}")
    async def by_id(s: object, call: object) -> None: ...

    @table.get("/m/pins")
    async def pins(s: object, call: object) -> None: ...

    router = Router([table])
    assert router.match("GET", "/m/pins") == (pins, {})
    assert router.match("GET", "/m/7") == (by_id, {"mid": "7"})
    assert router.match("POST", "/m/7") is None
