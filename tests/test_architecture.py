"""The shape of the code, read from the source: no module imports another in a cycle, and the public
site (encyclopedia) never imports the editorial tools (editorial), which are built on it.

Every .py file under encyclopedia/, editorial/, infobutton/ and config/ (migrations aside) is parsed with
``ast``. Each import of a project module is an edge of the graph, wherever it is written: an
import inside a function still ties the two modules together, it only hides the cycle until that
function runs. ``from package import name`` imports the submodule ``package.name`` when there is
one, else ``package`` itself (its __init__.py). Relative imports are resolved; imports under
``if TYPE_CHECKING:`` are left out, as they never run.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("encyclopedia", "editorial", "infobutton", "config")

Edges = dict[tuple[str, str], str]  # (importer, imported) -> where: "path:line" of the first import


# ---------------------------------------------------------------- reading the source


def project_modules(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Module name -> file, for every .py under ``packages`` except migrations."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


class _Imports(ast.NodeVisitor):
    """Every name imported in a module, as (name, line), relative names made absolute.

    ``from a.b import c`` gives ``a.b.c`` and ``a.b``: which of the two is a module is decided
    against the project's modules later."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.package = module if is_package else module.rpartition(".")[0]
        self.found: list[tuple[str, str | None, int]] = []  # (from, name or None, line)

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", "")
        if name == "TYPE_CHECKING":
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.found.append((alias.name, None, node.lineno))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parts = self.package.split(".") if self.package else []
            parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
            base = ".".join([*parts, *([node.module] if node.module else [])])
        for alias in node.names:
            self.found.append((base, None if alias.name == "*" else alias.name, node.lineno))


def import_graph(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> tuple[dict[str, Path], Edges]:
    """The project's modules, and which imports which (edges only between project modules)."""
    modules = project_modules(root, packages)
    edges: Edges = {}
    for module, path in modules.items():
        visitor = _Imports(module, path.name == "__init__.py")
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        for base, name, line in visitor.found:
            if name is not None and _join(base, name) in modules:
                target = _join(base, name)  # from package import submodule
            else:
                # import a.b.c, or from a.b import a_name: the deepest project module named
                target = next((prefix for prefix in _prefixes(base) if prefix in modules), None)
            if target is not None and target != module:
                edges.setdefault((module, target), f"{path.relative_to(root)}:{line}")
    return modules, edges


def imported_names(module_path: Path, module: str) -> list[tuple[str, int]]:
    """Every name a module imports (project or not), absolute, with its line."""
    visitor = _Imports(module, module_path.name == "__init__.py")
    visitor.visit(ast.parse(module_path.read_text(encoding="utf-8"), filename=str(module_path)))
    return [(_join(base, name) if name else base, line) for base, name, line in visitor.found]


def _join(base: str, name: str) -> str:
    return f"{base}.{name}" if base else name


def _prefixes(dotted: str) -> list[str]:
    """``a.b.c`` -> ``a.b.c``, ``a.b``, ``a``: the longest first (none for an empty name)."""
    parts = dotted.split(".") if dotted else []
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]


# ---------------------------------------------------------------- cycles


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of ``graph``: for each module caught in one, the shortest cycle through
    it, each cycle once (starting at its first module in sorted order, and ending there again)."""
    found: set[tuple[str, ...]] = set()
    for component in _strongly_connected(graph):
        if len(component) < 2:
            continue
        for start in sorted(component):
            path = _shortest_path_back(graph, start, component)
            if path:
                at = path.index(min(path[:-1]))
                loop = path[at:-1] + path[:at]
                found.add((*loop, loop[0]))
    return [list(cycle) for cycle in sorted(found)]


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm: the groups of modules that all reach one another."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def _shortest_path_back(graph: dict[str, set[str]], start: str, within: set[str]) -> list[str]:
    """The shortest path from ``start`` back to itself inside ``within`` (breadth first)."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor in sorted(graph.get(node, ())):
            if successor not in within:
                continue
            if successor == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if successor not in came_from:
                came_from[successor] = node
                queue.append(successor)
    return []


def as_graph(modules: dict[str, Path], edges: Edges) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for importer, imported in edges:
        graph[importer].add(imported)
    return graph


def describe(cycle: list[str], edges: Edges) -> str:
    steps = [f"{a} -> {b} ({edges[a, b]})" for a, b in zip(cycle, cycle[1:], strict=False)]
    return " -> ".join(cycle) + "\n    " + "\n    ".join(steps)


# ---------------------------------------------------------------- the checks can fail


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_scan_reads_every_kind_of_import(tmp_path):
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "VALUE = 1\n",
            "pkg/a.py": (
                "import os\n"
                "import pkg.b\n"
                "from pkg import c, VALUE\n"
                "from . import d\n"
                "def later():\n"
                "    from pkg.sub.e import thing\n"
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from pkg import f\n"
            ),
            "pkg/b.py": "from pkg.sub import helper as h\n",
            "pkg/c.py": "from .sub import e\n",
            "pkg/d.py": "from .. import elsewhere\nimport pkg.sub.e as e\n",
            "pkg/f.py": "",
            "pkg/sub/__init__.py": "def helper(): ...\n",
            "pkg/sub/e.py": "from ..c import x\nfrom ..sub import helper\nfrom . import *\n",
            "pkg/migrations/0001_initial.py": "import pkg.a\n",
            "other/z.py": "import pkg.a\n",
        },
    )
    modules, edges = import_graph(tmp_path, ("pkg",))
    assert sorted(modules) == ["pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d", "pkg.f", "pkg.sub", "pkg.sub.e"]
    assert sorted(edges) == [
        ("pkg.a", "pkg"),  # from pkg import VALUE: the package's __init__.py
        ("pkg.a", "pkg.b"),
        ("pkg.a", "pkg.c"),
        ("pkg.a", "pkg.d"),  # relative
        ("pkg.a", "pkg.sub.e"),  # inside a function
        ("pkg.b", "pkg.sub"),  # a name from a package's __init__.py
        ("pkg.c", "pkg.sub.e"),
        ("pkg.d", "pkg.sub.e"),
        ("pkg.sub.e", "pkg.c"),  # two levels up
        # "from ..sub import helper" and "from . import *" in pkg/sub/e.py: pkg.sub
        ("pkg.sub.e", "pkg.sub"),
    ]
    assert edges["pkg.a", "pkg.sub.e"] == "pkg/a.py:6"


def test_the_cycle_finder_finds_each_cycle_once():
    graph = {
        "a": {"b"},
        "b": {"a", "c"},
        "c": {"d"},
        "d": {"e", "c"},
        "e": {"c"},
        "f": {"a"},
        "g": set(),
    }
    assert cycles(graph) == [["a", "b", "a"], ["c", "d", "c"], ["c", "d", "e", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_scan_sees_the_whole_project():
    modules, edges = import_graph()
    assert {"encyclopedia.models", "editorial.publishing", "config.settings"} <= set(modules)
    assert not any("migrations" in module for module in modules)
    assert ("editorial.publishing", "encyclopedia.models") in edges


# ---------------------------------------------------------------- the project


def test_no_module_imports_another_in_a_cycle():
    modules, edges = import_graph()
    found = cycles(as_graph(modules, edges))
    assert not found, f"{len(found)} import cycle(s):\n" + "\n".join(
        describe(cycle, edges) for cycle in found
    )


def test_the_public_site_never_imports_the_editorial_tools():
    """``editorial`` builds on ``encyclopedia``; the reverse would tie the public pages to the
    editorial tools (and make the two import each other)."""
    offenders = []
    for module, path in project_modules(ROOT, ("encyclopedia",)).items():
        for name, line in imported_names(path, module):
            if name == "editorial" or name.startswith("editorial."):
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert offenders == [], "encyclopedia must not import editorial:\n" + "\n".join(offenders)


def test_the_infobutton_service_is_built_on_the_encyclopedia_and_nothing_imports_it():
    """``infobutton`` reads what ``encyclopedia`` publishes; neither the public site nor the
    editorial tools depend on it, so it can be left out of a site that does not offer it."""
    offenders = []
    for module, path in project_modules(ROOT, ("encyclopedia", "editorial")).items():
        for name, line in imported_names(path, module):
            if name == "infobutton" or name.startswith("infobutton."):
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert offenders == [], "nothing but config may import infobutton:\n" + "\n".join(offenders)
    _, edges = import_graph()
    assert ("infobutton.matching", "encyclopedia.models") in edges
