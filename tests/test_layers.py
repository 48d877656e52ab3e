"""The import graph of silkscope: no module imports, however indirectly or lazily, a module that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src" / "silkscope"  # a namespace package: no __init__.py to ask
# Entry points that never import one another (docs/architecture.md); checked by entry_point_crossings.
ENTRY_POINTS = ("api", "web", "cli", "briefs")
# The one crossing the layering allows (issue 13: "cli, api and web never import each other; briefs render a library
# result"): the command line renders a brief as the brief download route (silkscope.brief_routes) does. Briefs
# import no entry point, and nothing imports the command line.
ALLOWED = {("cli", "briefs")}


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package (a package's __init__ under its own name)."""
    modules = {}
    for path in root.rglob("*.py"):
        parts = ("silkscope", *path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the silkscope modules it imports anywhere in its text: at the top, inside functions, under
    TYPE_CHECKING. `from silkscope.a import b` names the module silkscope.a.b when there is one, else silkscope.a."""
    modules = module_files(root)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("silkscope"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.add(full if full in modules else node.module)
            elif isinstance(node, ast.ImportFrom) and node.level:  # relative: resolve against this module's package
                package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.add(full if full in modules else base)
            elif isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.startswith("silkscope"))
        graph[module] = {t for t in targets if t in modules and t != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def entry_point_crossings(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Imports from one entry point layer into another (api -> web, briefs -> web...): there must be none;
    silkscope.server is where the API and the pages meet."""
    layer = {m: m.split(".")[1] if m.count(".") else "" for m in graph}
    return sorted(
        (m, d)
        for m, deps in graph.items()
        for d in deps
        if layer[m] in ENTRY_POINTS
        and layer[d] in ENTRY_POINTS
        and layer[m] != layer[d]
        and (layer[m], layer[d]) not in ALLOWED
    )


def test_the_import_graph_has_no_cycles():
    found = cycles(import_graph())
    assert not found, "import cycles (move the shared part into a module both import):\n" + "\n".join(
        " <-> ".join(c) for c in found
    )


def test_entry_points_never_import_each_other():
    found = entry_point_crossings(import_graph())
    assert not found, "entry points importing each other (move the shared part into the library):\n" + "\n".join(
        f"{a} -> {b}" for a, b in found
    )


def test_the_graph_sees_lazy_imports_and_the_cycle_finder_finds_cycles(tmp_path):
    pkg = tmp_path / "silkscope"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from silkscope.sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from silkscope import c\n")
    (pkg / "c.py").write_text("import silkscope.a\n")
    (pkg / "d.py").write_text("from . import a\n")
    graph = import_graph(pkg)
    assert graph["silkscope.sub.b"] == {"silkscope.c"}
    assert graph["silkscope.d"] == {"silkscope.a"}
    assert cycles(graph) == [["silkscope.a", "silkscope.c", "silkscope.sub.b"]]
    assert cycles({"x": {"y"}, "y": set()}) == []
